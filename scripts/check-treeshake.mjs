// Tree shaking check: a bundle that imports one loss class must stay well under the whole
// library. Bundles the built ESM package with esbuild (minified, tree-shaken) twice and
// compares: `import { MeanSquaredError }` against `import * as losskit`. Fails when the
// single-loss bundle is 50% of the whole or more. `--json` prints the numbers only.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(root, "dist/index.js");

async function bundle(contents) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gz: gzipSync(code).length };
}

const whole = await bundle(`import * as L from ${JSON.stringify(entry)}; globalThis.L = L;`);
const one = await bundle(`import { MeanSquaredError } from ${JSON.stringify(entry)}; globalThis.L = MeanSquaredError;`);
const ratio = one.min / whole.min;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ whole, one, ratio }));
} else {
  console.log(`import * as losskit:          ${kb(whole.min)} min, ${kb(whole.gz)} gzip`);
  console.log(`import { MeanSquaredError }:  ${kb(one.min)} min, ${kb(one.gz)} gzip (${(100 * ratio).toFixed(0)}% of the whole)`);
}
if (!(ratio < 0.5)) {
  console.error(`tree shaking check failed: importing MeanSquaredError alone bundles ${(100 * ratio).toFixed(0)}% of the library (limit 50%)`);
  process.exit(1);
}
