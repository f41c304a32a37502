// Source-shape check for src/: no file over 600 lines, no function over 8 parameters (pack a
// loop's layout into an Int32Array and its numeric options into a Float64Array, as
// src/losses/README.md says: swapping two strides in a long positional list compiles).
// Uses the TypeScript compiler API (a devDependency already).
import ts from "typescript";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const MAX_LINES = 600;
const MAX_PARAMETERS = 8;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "src");
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith(".ts")) files.push(full);
  }
})(root);

const problems = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const rel = path.relative(path.dirname(root), file);
  const lines = text.split("\n").length;
  if (lines > MAX_LINES) problems.push(`${rel}: ${lines} lines (limit ${MAX_LINES})`);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    // Functions written here; not type signatures, which may describe an external ABI (the
    // WebAssembly exports of src/simd).
    const written = ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node);
    if (written && node.parameters.length > MAX_PARAMETERS) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : "(anonymous)";
      problems.push(`${rel}:${line + 1}: ${name} has ${node.parameters.length} parameters (limit ${MAX_PARAMETERS})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
if (problems.length) {
  console.error(problems.join("\n"));
  console.error(`${problems.length} source-shape problem(s)`);
  process.exit(1);
}
console.log(`source shape ok: ${files.length} files, each <= ${MAX_LINES} lines, no function over ${MAX_PARAMETERS} parameters`);
