// Every `@example` in src/**/*.ts runs, and the value in its `// value` comment is what
// it prints, at the precision the comment is written in (`// 0.155` is ±5e-4).
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as lib from "../src/index";
import { check, instrument } from "../scripts/doc-values.mjs";
import { loadTfjs } from "./support/tfjs";

const root = fileURLToPath(new URL("..", import.meta.url));

// Inputs that examples name but do not spell out (their comment says where they come from).
// Keras losses_test.py CircleTest: 5 query and 6 reference embeddings, L2-normalized.
const CIRCLE_Y_PRED = [
  [0.70014004, -0.42008403, 0.14002801, 0.56011203],
  [0.17609018, 0.70436073, -0.52827054, 0.44022545],
  [-0.34050261, 0.25537696, -0.68100522, 0.59587957],
  [0.32163376, -0.75047877, 0.53605627, -0.21442251],
  [0.51261459, -0.34174306, 0.17087153, 0.76892189],
];
const CIRCLE_REF_EMBEDDINGS = [
  [0.40824829, -0.54433105, 0.27216553, 0.68041382],
  [0.76376261, 0.10910895, -0.54554473, 0.32732684],
  [-0.74420841, 0.24806947, 0.49613894, -0.3721042],
  [0.52981294, -0.13245324, 0.79471941, -0.26490647],
  [0.54554473, -0.32732684, 0.10910895, 0.76376261],
  [-0.27216553, 0.68041382, 0.40824829, -0.54433105],
];
// Keras losses_test.py CTCTest: logits[b][t][c] = (12 b + 3 t + c - 12) / 100, shape [2, 4, 3].
const CTC_LOGITS = [0, 1].map((b) => [0, 1, 2, 3].map((t) => [0, 1, 2].map((c) => (12 * b + 3 * t + c - 12) / 100)));

const FIXTURES: Record<string, Record<string, unknown>> = {
  circle: { yPred: CIRCLE_Y_PRED, refEmbeddings: CIRCLE_REF_EMBEDDINGS },
  Circle: { yPred: CIRCLE_Y_PRED },
  CTC: { logits: CTC_LOGITS },
};

interface Example {
  file: string;
  line: number; // 1-based line of the @example tag
  symbol: string;
  lines: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The @example blocks of a file: the lines after the tag up to the next tag, a blank line after code, or the comment's end. */
function examplesOf(path: string): Example[] {
  const file = relative(root, path);
  const lines = readFileSync(path, "utf8").split("\n");
  const examples: Example[] = [];
  for (let k = 0; k < lines.length; k++) {
    if (!/^\s*\*\s*@example\b/.test(lines[k]!)) continue;
    const body: string[] = [];
    let end = k + 1;
    for (; end < lines.length; end++) {
      const line = lines[end]!;
      if (/^\s*\*\//.test(line)) break;
      const text = line.replace(/^\s*\* ?/, "");
      if (/^@\w/.test(text)) break;
      if (text.trim() === "" && body.some((l) => l.trim() !== "")) break;
      body.push(text);
    }
    let symbol = "?";
    for (let j = end; j < lines.length; j++) {
      const m = /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|class|function|let)\s+([A-Za-z_$][\w$]*)/.exec(lines[j]!);
      if (m) {
        symbol = m[1]!;
        break;
      }
      if (/^\s*\/\*\*/.test(lines[j]!)) break;
    }
    examples.push({ file, line: k + 1, symbol, lines: body });
  }
  return examples;
}

const files = sourceFiles(join(root, "src"));
const examples = files.flatMap(examplesOf);
const names = Object.keys(lib).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));

// Examples may `await` (enableSimd): they then run as an async function, awaited by the test.
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as FunctionConstructor;

function run(example: Example): number | Promise<number> {
  const { code, checks } = instrument(example.lines, (i) => `${example.file}:${example.line + 1 + i} (${example.symbol})`);
  const fixtures = FIXTURES[example.symbol] ?? {};
  const fixtureNames = Object.keys(fixtures);
  // The example's own declarations live in an inner block, so they may shadow a fixture.
  const body = `${fixtureNames.length ? `const { ${fixtureNames.join(", ")} } = __fixtures;` : ""}\n{\n${code}\n}`;
  const Fn = /\bawait\b/.test(code) ? AsyncFunction : Function;
  const fn = new Fn("__check", "__fixtures", ...names, body) as (...args: unknown[]) => unknown;
  const result = fn(check, fixtures, ...names.map((name) => (lib as Record<string, unknown>)[name]));
  return result instanceof Promise ? result.then(() => checks) : checks;
}

// toTfjsLoss's example runs against TensorFlow.js (tfjs-core, cpu backend, tfjs-layers).
beforeAll(async () => {
  FIXTURES.toTfjsLoss = { tf: await loadTfjs() };
}, 120_000);

describe("TSDoc @example blocks", () => {
  it("are all found", () => {
    const tags = files.reduce((n, path) => n + (readFileSync(path, "utf8").match(/^\s*\*\s*@example\b/gm)?.length ?? 0), 0);
    expect(examples.length).toBe(tags);
    expect(examples.length).toBeGreaterThan(40);
    for (const e of examples) expect(e.symbol, `${e.file}:${e.line}`).not.toBe("?");
  });

  for (const example of examples) {
    it(`${example.symbol} (${example.file}:${example.line}) prints what its comment says`, async () => {
      const checks = await run(example);
      expect(checks, "an @example needs at least one `// value` comment").toBeGreaterThan(0);
    });
  }

  it("fails on a wrong value, a prose-only example and an undefined name", async () => {
    const at = (lines: string[]): Example => ({ file: "x.ts", line: 1, symbol: "x", lines });
    expect(() => run(at(["new MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]) // 0.03"]))).toThrow(/expected 0\.03/);
    expect(() => run(at(["meanSquaredError([[0, 1]], [[1, 1]]).toArray() // [0.5, 0.5]"]))).toThrow(/expected 2 entries/);
    expect(() => run(at(["cosineSimilarity([[1, 1]], [[1, 1]]).toArray() // [-0.99999994]"]))).toThrow(/-0\.99999994/);
    expect(run(at(["new MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]) // looks small"]))).toBe(0);
    expect(() => run(at(["notALoss(1, 2) // 3"]))).toThrow(ReferenceError);
    await expect(run(at(["const x = await Promise.resolve(2); x // 3"]))).rejects.toThrow(/expected 3/);
    await expect(run(at(["(await Promise.resolve(true)) // false"]))).rejects.toThrow(/expected false/);
    expect(() => run(at(['"disabled" // "active"']))).toThrow(/expected "active"/);
    expect(run(at(["1 < 2 // true", "\"on\" // \"on\""]))).toBe(2);
  });
});
