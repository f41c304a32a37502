// Microbenchmark of src/math/fastmath.ts (expf, logf, log1pf, log1pUnitf) against Math.exp/log/log1p,
// each inlined into the kind of loop the kernels run: one pass over a 4M-element
// Float32Array, one double accumulator.
//
//   node bench/fastmath.mjs [--rounds N] [--size N]
//
// The TypeScript source is bundled with esbuild (installed through tsup) into
// node_modules/.cache/losskit-bench/ on every run. Rounds are interleaved (order rotated per
// round); the table prints the minimum and the median ns per element and the speedup of the
// medians. A speedup of 1.5x or more is what the kernels ask of these functions before they
// use them.

import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(join(root, "package.json"));

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}
const ROUNDS = option("--rounds", 15);
const SIZE = option("--size", 1 << 22);

async function load() {
  const dir = join(root, "node_modules", ".cache", "losskit-bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "fastmath.mjs");
  const { build } = await import(require.resolve("esbuild"));
  await build({ entryPoints: [join(root, "src", "math", "fastmath.ts")], bundle: true, format: "esm", platform: "node", outfile: file, logLevel: "error" });
  return import(`${pathToFileURL(file).href}?${Date.now()}`);
}

const { expf, logf, log1pf, log1pUnitf } = await load();

// Fixed-seed data shaped like the workloads: logits ~ N(0, 3^2), probabilities in (0, 1).
function data(n) {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const logits = new Float32Array(n), probs = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    logits[i] = 3 * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    probs[i] = next() * 0.999 + 0.0005;
  }
  return { logits, probs };
}

const { logits, probs } = data(SIZE);

// Each pair: the Math.* loop and the same loop with the fast function.
const pairs = [
  ["exp(-|x|)", (x) => { let s = 0; for (let i = 0; i < x.length; i++) s += Math.exp(-Math.abs(x[i])); return s; },
                (x) => { let s = 0; for (let i = 0; i < x.length; i++) s += expf(-Math.abs(x[i])); return s; }, logits],
  ["log(p)", (p) => { let s = 0; for (let i = 0; i < p.length; i++) s += Math.log(p[i]); return s; },
             (p) => { let s = 0; for (let i = 0; i < p.length; i++) s += logf(p[i]); return s; }, probs],
  ["log1p(p)", (p) => { let s = 0; for (let i = 0; i < p.length; i++) s += Math.log1p(p[i]); return s; },
               (p) => { let s = 0; for (let i = 0; i < p.length; i++) s += log1pf(p[i]); return s; }, probs],
  ["log1p(p), p in [0, 1]: log1pUnitf", (p) => { let s = 0; for (let i = 0; i < p.length; i++) s += Math.log1p(p[i]); return s; },
                                       (p) => { let s = 0; for (let i = 0; i < p.length; i++) s += log1pUnitf(p[i]); return s; }, probs],
  ["softplus: log1p(exp(-|x|))", (x) => { let s = 0; for (let i = 0; i < x.length; i++) s += Math.log1p(Math.exp(-Math.abs(x[i]))); return s; },
                                 (x) => { let s = 0; for (let i = 0; i < x.length; i++) s += log1pf(expf(-Math.abs(x[i]))); return s; }, logits],
  ["softplus with log1pUnitf", (x) => { let s = 0; for (let i = 0; i < x.length; i++) s += Math.log1p(Math.exp(-Math.abs(x[i]))); return s; },
                               (x) => { let s = 0; for (let i = 0; i < x.length; i++) s += log1pUnitf(expf(-Math.abs(x[i]))); return s; }, logits],
  ["BCE on p: log(p), log(1 - p)", (p) => { let s = 0; for (let i = 0; i < p.length; i++) { const v = p[i]; s -= 0.3 * Math.log(v) + 0.7 * Math.log(1 - v); } return s; },
                                   (p) => { let s = 0; for (let i = 0; i < p.length; i++) { const v = p[i]; s -= 0.3 * logf(v) + 0.7 * logf(1 - v); } return s; }, probs],
];

// How a kernel picks the function for its dtype: a hoisted `const exp = f32 ? expf : Math.exp`
// (one loop, a call site that sees two targets when both dtypes run), or two loops with direct
// calls. The kernels use direct calls: the hoisted form was as fast in some runs and lost the
// inlining (2x slower) in others.
function hoisted(x, f32) {
  const exp = f32 ? expf : Math.exp, log1p = f32 ? log1pf : Math.log1p;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += log1p(exp(-Math.abs(x[i])));
  return s;
}
function twoLoops(x, f32) {
  let s = 0;
  if (f32) for (let i = 0; i < x.length; i++) s += log1pf(expf(-Math.abs(x[i])));
  else for (let i = 0; i < x.length; i++) s += Math.log1p(Math.exp(-Math.abs(x[i])));
  return s;
}
// Both dtypes run first, so that the hoisted call sites are polymorphic as in a real process.
for (let w = 0; w < 3; w++) hoisted(logits, false), twoLoops(logits, false);

const runs = [];
for (const [name, slow, fast, input] of pairs) runs.push([`${name} Math.*`, () => slow(input)], [`${name} fast`, () => fast(input)]);
runs.push(["softplus hoisted const, f32", () => hoisted(logits, true)], ["softplus two loops, f32", () => twoLoops(logits, true)]);
runs.push(["softplus hoisted const, f64", () => hoisted(logits, false)], ["softplus two loops, f64", () => twoLoops(logits, false)]);
runs.push(["x * x (a plain loop)", () => { let s = 0; for (let i = 0; i < logits.length; i++) s += logits[i] * logits[i]; return s; }]);

const times = new Map(runs.map(([name]) => [name, []]));
const values = new Map();
for (const [name, fn] of runs) for (let w = 0; w < 5; w++) values.set(name, fn());
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < runs.length; k++) {
    const [name, fn] = runs[(k + round) % runs.length];
    const t0 = performance.now();
    values.set(name, fn());
    times.get(name).push(((performance.now() - t0) * 1e6) / SIZE);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`node ${process.version}, ${SIZE} elements, ${ROUNDS} interleaved rounds; ns per element (min / median)\n`);
console.log(`${"loop".padEnd(32)} ${"min".padStart(6)} ${"median".padStart(7)}  speedup  value`);
for (let i = 0; i < runs.length; i++) {
  const [name] = runs[i];
  const t = times.get(name);
  let speedup = "";
  if (name.endsWith(" fast")) speedup = `${(median(times.get(runs[i - 1][0])) / median(t)).toFixed(2)}x`;
  console.log(`${name.padEnd(32)} ${Math.min(...t).toFixed(2).padStart(6)} ${median(t).toFixed(2).padStart(7)}  ${speedup.padStart(7)}  ${values.get(name)}`);
}
