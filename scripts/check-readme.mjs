// Compiles every ```ts block of README.md with `tsc --strict` against the built package's
// types (as a user's project imports "losskit") and runs it against dist/. A statement
// with a value comment (`getLoss("mse")(a, b); // 9.25`) must print that value at the
// written precision (scripts/doc-values.mjs).
//
// A block that uses names it does not define (`yTrue`, `yPred`, … in "The API in one
// screen") gets them from a hidden setup comment right above its fence:
//
//   <!-- readme-setup
//   const yTrue = [[0, 1, 0], [0, 0, 1]];
//   -->
//   ```ts
//
// Usage: node scripts/check-readme.mjs [README.md]   (npm run check:readme)
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { instrument } from "./doc-values.mjs";

const started = performance.now();
const root = fileURLToPath(new URL("..", import.meta.url));
const readmePath = process.argv[2] ?? join(root, "README.md");
const readmeName = relative(root, readmePath) || readmePath;
await import("./ensure-built.mjs");

/** The ```ts blocks of a Markdown file, with their 1-based first code line and hidden setup. */
function tsBlocks(markdown) {
  const lines = markdown.split("\n");
  const blocks = [];
  for (let k = 0; k < lines.length; k++) {
    const fence = /^(\s*)(```+)\s*(ts|typescript)\s*$/.exec(lines[k]);
    if (!fence) continue;
    const close = lines.findIndex((line, j) => j > k && line.trim() === fence[2]);
    if (close < 0) throw new Error(`${readmeName}:${k + 1}: unclosed code fence`);
    let setup = [];
    if (k > 0 && lines[k - 1].trim() === "-->") {
      const open = lines.slice(0, k - 1).findLastIndex((line) => line.trim().startsWith("<!--"));
      if (open >= 0 && lines[open].trim() === "<!-- readme-setup") setup = lines.slice(open + 1, k - 1);
    }
    blocks.push({ line: k + 2, code: lines.slice(k + 1, close), setup });
    k = close;
  }
  return blocks;
}

const blocks = tsBlocks(readFileSync(readmePath, "utf8"));
if (blocks.length === 0) throw new Error(`${readmeName} has no \`\`\`ts blocks`);

// A throwaway project that depends on losskit the way a user's does (a link to this package).
const dir = mkdtempSync(join(tmpdir(), "losskit-readme-"));
mkdirSync(join(dir, "node_modules"));
symlinkSync(root, join(dir, "node_modules", "losskit"), "dir");
// The TensorFlow.js section's block imports tfjs-core (and its @types/long), as a tfjs user's project has them.
symlinkSync(join(root, "node_modules", "@tensorflow"), join(dir, "node_modules", "@tensorflow"), "dir");
mkdirSync(join(dir, "node_modules", "@types"));
symlinkSync(join(root, "node_modules", "@types", "long"), join(dir, "node_modules", "@types", "long"), "dir");
copyFileSync(join(root, "scripts", "doc-values.mjs"), join(dir, "doc-values.mjs"));
copyFileSync(join(root, "scripts", "doc-values.d.mts"), join(dir, "doc-values.d.mts"));
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022", "DOM"],
      types: ["long"],
      skipLibCheck: false,
      outDir: "out",
      rootDir: ".",
    },
    include: ["block-*.mts"],
  }),
);

let checks = 0;
const files = blocks.map((block) => {
  const name = `block-${block.line}.mts`;
  const where = (i) => `${readmeName}:${block.line + i}`;
  const instrumented = instrument(block.code, where);
  checks += instrumented.checks;
  const source = [
    `// ${readmeName}, the block starting at line ${block.line}`,
    `import { check as __check } from "./doc-values.mjs";`,
    ...(block.setup.length ? ["// hidden setup", ...block.setup, "// the block"] : []),
    instrumented.code,
    "",
  ].join("\n");
  writeFileSync(join(dir, name), source);
  return { name, block };
});

let failed = false;
const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { cwd: dir, encoding: "utf8" });
if (tsc.status !== 0) {
  failed = true;
  console.error(`tsc --strict failed on the README blocks (generated files kept in ${dir}):\n${tsc.stdout}${tsc.stderr}`);
}

if (!failed) {
  copyFileSync(join(dir, "doc-values.mjs"), join(dir, "out", "doc-values.mjs"));
  for (const { name, block } of files) {
    const js = join(dir, "out", name.replace(/\.mts$/, ".mjs"));
    const run = spawnSync(process.execPath, [js], { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) {
      failed = true;
      console.error(`${readmeName}:${block.line}: the block failed (generated file ${join(dir, name)}):\n${run.stderr || run.stdout}`);
    }
  }
}

if (failed) process.exit(1);
rmSync(dir, { recursive: true, force: true });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`${readmeName}: ${blocks.length} ts blocks compile under tsc --strict and run against dist/, ${checks} value comments match (${seconds} s)`);
