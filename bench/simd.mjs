// The WebAssembly SIMD kernels (src/simd) against the Math.exp/log hand loop and losskit's
// JavaScript kernels, on the exp/log workloads of issue 10, [4096, 1024] float32.
//
//   npm run bench:simd                       # all workloads, 15 samples each, prints the table
//   npm run bench:simd -- --samples 5        # fewer samples
//   npm run bench:simd -- --only cce,scce    # some workloads (ids below)
//   npm run bench:simd -- --write            # also write bench/simd-results.md
//
// Four implementations per workload, in one process, on the same arrays:
// - loop: the plain single-pass loop with Math.exp/log/log1p (bench/loops.mjs, or below for the
//   workloads it lacks), Keras's formula and clipping, returning the default reduction;
// - losskit: the Keras-named class with its default reduction (valueAndGrad rows:
//   `loss.valueAndGrad`), from dist/index.js, with SIMD disabled (its JavaScript kernels);
// - losskit+simd: the same call after `await enableSimd()`: the public API taking the SIMD
//   route (src/losses/simd-route.ts; simdStatus().lastRun is checked to say "simd");
// - simd: the SIMD entry point (copying the inputs into WebAssembly memory and the results
//   out, a block of rows at a time), then the mean of the per-row values in JavaScript
//   (valueAndGrad rows: upstream 1/B per row, a fresh gradient array per call as the loop and
//   losskit allocate one).
// Every call is timed on its own (no repetition inside a sample), after a full GC
// (--expose-gc); rounds interleave the four, rotating the order. SIMD is switched off for
// `losskit` and on for the others before each call, outside the timed region. Medians of the samples, in
// wall-clock time and in CPU time of the process (process.cpuUsage(): on a shared machine the
// wall clock also counts the time other processes hold the core; the CPU time does not).
// Before timing, the three values are checked against each other (1e-5 relative).
import os from "node:os";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as lk from "../dist/index.js";
import { dataset } from "./data.mjs";
import * as loops from "./loops.mjs";
import { gc, median, sink } from "./measure.mjs";

const EPS32 = Math.fround(1e-7);
const ONE_MINUS_EPS32 = Math.fround(1 - 1e-7);

// --- hand loops for the workloads bench/loops.mjs does not have --------------------------

/** Binary focal crossentropy on probabilities, gamma 2, no class balancing: mean(f^2 bce). */
function binaryFocalCrossentropy(z, p) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i], y = z[i];
    const q = v < lo ? lo : v > hi ? hi : v;
    const bce = -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    const f = 1 - (y * v + (1 - y) * (1 - v));
    sum += f * f * bce;
  }
  return sum / p.length;
}

/** Categorical crossentropy on probabilities: -Σ y log(clip(p / Σp)) per row, mean over rows. */
function categoricalCrossentropy(y, p, B, C) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let s = 0;
    for (let k = 0; k < C; k++) s += p[o + k];
    for (let k = 0; k < C; k++) {
      let q = p[o + k] / s;
      q = q < lo ? lo : q > hi ? hi : q;
      total -= y[o + k] * Math.log(q);
    }
  }
  return total / B;
}

/** Categorical focal crossentropy on probabilities, alpha 0.25, gamma 2. */
function categoricalFocalCrossentropy(y, p, B, C) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let s = 0;
    for (let k = 0; k < C; k++) s += p[o + k];
    for (let k = 0; k < C; k++) {
      const yk = y[o + k];
      if (yk === 0) continue;
      let q = p[o + k] / s;
      q = q < lo ? lo : q > hi ? hi : q;
      const f = 1 - q;
      total -= 0.25 * f * f * yk * Math.log(q);
    }
  }
  return total / B;
}

/** Poisson: mean(p - t log(p + eps)). */
function poisson(t, p) {
  const eps = EPS32 + 0;
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i] - t[i] * Math.log(p[i] + eps);
  return sum / p.length;
}

/** BCE from logits, value and gradient (sigmoid(x) - z) / N in one pass. */
function binaryCrossentropyFromLogitsValueAndGrad(z, x) {
  const n = x.length, grad = new Float32Array(n), inv = 1 / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i], e = Math.exp(-Math.abs(v));
    sum += (v > 0 ? v : 0) - v * z[i] + Math.log1p(e);
    grad[i] = ((v >= 0 ? 1 / (1 + e) : e / (1 + e)) - z[i]) * inv;
  }
  return { value: sum / n, grad };
}

// --- workloads ------------------------------------------------------------------------------

const B = 4096, D = 1024;

function mean(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** The SIMD call returning the default reduction (the mean of the row values). */
function simdValue(entry, yTrue, yPred, options) {
  const out = new Float64Array(B);
  return () => {
    if (!entry(yTrue, yPred, B, D, out, null, null, options)) throw new Error("SIMD is not active");
    return mean(out);
  };
}

function simdValueAndGrad(entry, yTrue, yPred, options) {
  const out = new Float64Array(B), upstream = new Float64Array(B).fill(1 / B);
  return () => {
    const grad = new Float32Array(B * D);
    if (!entry(yTrue, yPred, B, D, out, grad, upstream, options)) throw new Error("SIMD is not active");
    return { value: mean(out), grad };
  };
}

function lkValue(loss, yTrue, yPred, trueShape = [B, D]) {
  const t = lk.tensor(yTrue, trueShape), p = lk.tensor(yPred, [B, D]);
  return () => loss(t, p);
}

function lkValueAndGrad(loss, yTrue, yPred) {
  const t = lk.tensor(yTrue, [B, D]), p = lk.tensor(yPred, [B, D]);
  return () => {
    const { value, grad } = loss.valueAndGrad(t, p);
    return { value, grad: grad.data };
  };
}

/** Workloads: id, title, and a function returning the three implementations (data made lazily). */
const WORKLOADS = [
  {
    id: "logcosh", title: "LogCosh", make() {
      const { yTrue, yPred } = dataset("regression", { B, D });
      return { loop: () => loops.logCosh(yTrue, yPred), losskit: lkValue(new lk.LogCosh(), yTrue, yPred), simd: simdValue(lk.simdLogCosh, yTrue, yPred) };
    },
  },
  {
    id: "bce-logits", title: "BCE fromLogits", make() {
      const { yTrue, yPred } = dataset("binary", { B, D });
      return {
        loop: () => loops.binaryCrossentropyFromLogits(yTrue, yPred),
        losskit: lkValue(new lk.BinaryCrossentropy({ fromLogits: true }), yTrue, yPred),
        simd: simdValue(lk.simdBinaryCrossentropyFromLogits, yTrue, yPred),
      };
    },
  },
  {
    id: "bce", title: "BCE on probabilities", make() {
      const { yTrue, yPred } = dataset("probabilities", { B, D });
      return {
        loop: () => loops.binaryCrossentropy(yTrue, yPred),
        losskit: lkValue(new lk.BinaryCrossentropy(), yTrue, yPred),
        simd: simdValue(lk.simdBinaryCrossentropy, yTrue, yPred),
      };
    },
  },
  {
    id: "bfce-logits", title: "BinaryFocal fromLogits, class balancing", make() {
      const { yTrue, yPred } = dataset("binary", { B, D });
      return {
        loop: () => loops.binaryFocalCrossentropyFromLogits(yTrue, yPred),
        losskit: lkValue(new lk.BinaryFocalCrossentropy({ fromLogits: true, applyClassBalancing: true }), yTrue, yPred),
        simd: simdValue(lk.simdBinaryFocalCrossentropyFromLogits, yTrue, yPred, { applyClassBalancing: true }),
      };
    },
  },
  {
    id: "bfce", title: "BinaryFocal on probabilities", make() {
      const { yTrue, yPred } = dataset("probabilities", { B, D });
      return {
        loop: () => binaryFocalCrossentropy(yTrue, yPred),
        losskit: lkValue(new lk.BinaryFocalCrossentropy(), yTrue, yPred),
        simd: simdValue(lk.simdBinaryFocalCrossentropy, yTrue, yPred),
      };
    },
  },
  {
    id: "cce-logits", title: "CCE fromLogits", make() {
      const { oneHot, logits } = dataset("classes", { B, C: D });
      return {
        loop: () => loops.categoricalCrossentropyFromLogits(oneHot, logits, B, D),
        losskit: lkValue(new lk.CategoricalCrossentropy({ fromLogits: true }), oneHot, logits),
        simd: simdValue(lk.simdCategoricalCrossentropyFromLogits, oneHot, logits),
      };
    },
  },
  {
    id: "cce", title: "CCE on probabilities", make() {
      const { oneHot } = dataset("classes", { B, C: D });
      const { yPred } = dataset("distributions", { B, C: D });
      return {
        loop: () => categoricalCrossentropy(oneHot, yPred, B, D),
        losskit: lkValue(new lk.CategoricalCrossentropy(), oneHot, yPred),
        simd: simdValue(lk.simdCategoricalCrossentropy, oneHot, yPred),
      };
    },
  },
  {
    id: "cfce-logits", title: "CategoricalFocal fromLogits", make() {
      const { oneHot, logits } = dataset("classes", { B, C: D });
      return {
        loop: () => loops.categoricalFocalCrossentropyFromLogits(oneHot, logits, B, D),
        losskit: lkValue(new lk.CategoricalFocalCrossentropy({ fromLogits: true }), oneHot, logits),
        simd: simdValue(lk.simdCategoricalFocalCrossentropyFromLogits, oneHot, logits),
      };
    },
  },
  {
    id: "cfce", title: "CategoricalFocal on probabilities", make() {
      const { oneHot } = dataset("classes", { B, C: D });
      const { yPred } = dataset("distributions", { B, C: D });
      return {
        loop: () => categoricalFocalCrossentropy(oneHot, yPred, B, D),
        losskit: lkValue(new lk.CategoricalFocalCrossentropy(), oneHot, yPred),
        simd: simdValue(lk.simdCategoricalFocalCrossentropy, oneHot, yPred),
      };
    },
  },
  {
    id: "scce", title: "SCCE fromLogits (int labels)", make() {
      const { labelsInt, logits } = dataset("classes", { B, C: D });
      const out = new Float64Array(B);
      return {
        loop: () => loops.sparseCategoricalCrossentropyFromLogits(labelsInt, logits, B, D),
        losskit: lkValue(new lk.SparseCategoricalCrossentropy({ fromLogits: true }), labelsInt, logits, [B]),
        simd: () => {
          if (!lk.simdSparseCategoricalCrossentropyFromLogits(labelsInt, logits, B, D, out)) throw new Error("SIMD is not active");
          return mean(out);
        },
      };
    },
  },
  {
    id: "kld", title: "KLDivergence", make() {
      const { yTrue, yPred } = dataset("distributions", { B, C: D });
      return {
        loop: () => loops.klDivergence(yTrue, yPred, B),
        losskit: lkValue(new lk.KLDivergence(), yTrue, yPred),
        simd: simdValue(lk.simdKLDivergence, yTrue, yPred),
      };
    },
  },
  {
    id: "poisson", title: "Poisson", make() {
      const { yTrue, yPred } = dataset("probabilities", { B, D });
      // counts 0..4 and rates in (0, 5)
      const counts = new Float32Array(yTrue.length), rates = new Float32Array(yPred.length);
      for (let i = 0; i < counts.length; i++) {
        counts[i] = Math.floor(yPred[(i * 7919) % yPred.length] * 5);
        rates[i] = yPred[i] * 5;
      }
      return { loop: () => poisson(counts, rates), losskit: lkValue(new lk.Poisson(), counts, rates), simd: simdValue(lk.simdPoisson, counts, rates) };
    },
  },
  {
    id: "cce-logits-vg", title: "CCE fromLogits valueAndGrad", make() {
      const { oneHot, logits } = dataset("classes", { B, C: D });
      return {
        loop: () => loops.categoricalCrossentropyFromLogitsValueAndGrad(oneHot, logits, B, D),
        losskit: lkValueAndGrad(new lk.CategoricalCrossentropy({ fromLogits: true }), oneHot, logits),
        simd: simdValueAndGrad(lk.simdCategoricalCrossentropyFromLogits, oneHot, logits),
      };
    },
  },
  {
    id: "bce-logits-vg", title: "BCE fromLogits valueAndGrad", make() {
      const { yTrue, yPred } = dataset("binary", { B, D });
      return {
        loop: () => binaryCrossentropyFromLogitsValueAndGrad(yTrue, yPred),
        losskit: lkValueAndGrad(new lk.BinaryCrossentropy({ fromLogits: true }), yTrue, yPred),
        simd: simdValueAndGrad(lk.simdBinaryCrossentropyFromLogits, yTrue, yPred),
      };
    },
  },
];

// --- run ----------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { samples: 15, only: null, write: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--samples") o.samples = Number(argv[++i]);
    else if (a === "--only") o.only = argv[++i].split(",");
    else if (a === "--write") o.write = true;
    else {
      console.error(`bench/simd.mjs: unknown argument ${a}; options: --samples N, --only id,id, --write`);
      process.exit(2);
    }
  }
  if (!(Number.isInteger(o.samples) && o.samples >= 1)) {
    console.error("bench/simd.mjs: --samples takes an integer >= 1");
    process.exit(2);
  }
  if (o.only) {
    const ids = WORKLOADS.map((w) => w.id);
    const bad = o.only.filter((id) => !ids.includes(id));
    if (bad.length) {
      console.error(`bench/simd.mjs: unknown workload ${bad.join(", ")}; workloads: ${ids.join(", ")}`);
      process.exit(2);
    }
  }
  return o;
}

/** SIMD on for every implementation but `losskit` (losskit's JavaScript kernels). */
async function simdFor(name) {
  const on = name !== "losskit";
  if (on && !lk.simdStatus().active) {
    if (!(await lk.enableSimd())) throw new Error(`bench/simd.mjs: ${lk.simdStatus().reason}`);
  } else if (!on && lk.simdStatus().active) lk.disableSimd();
}

/** Runs `name` once with SIMD set for it; for the losskit calls, checks the path the loss took. */
async function call(impls, name) {
  await simdFor(name);
  const result = impls[name]();
  if (name.startsWith("losskit")) {
    const path = lk.simdStatus().lastRun?.path;
    const want = name === "losskit" ? "javascript" : "simd";
    if (path !== want) throw new Error(`bench/simd.mjs: ${name} took the ${path} path (${lk.simdStatus().lastRun?.reason}), expected ${want}`);
  }
  return result;
}

/** Each implementation: 2 warm-up calls, then `samples` rounds (order rotated), a full GC and one timed call per round. */
async function timeInterleaved(impls, samples) {
  const names = Object.keys(impls);
  for (const name of names) for (let i = 0; i < 2; i++) sink.last = await call(impls, name);
  const out = Object.fromEntries(names.map((name) => [name, { wall: [], cpu: [] }]));
  for (let round = 0; round < samples; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      await simdFor(name);
      gc?.();
      const c0 = process.cpuUsage(), t0 = performance.now();
      sink.last = impls[name]();
      const wall = performance.now() - t0, c = process.cpuUsage(c0);
      out[name].wall.push(wall);
      out[name].cpu.push((c.user + c.system) / 1000);
    }
  }
  return out;
}

const valueOf = (r) => (typeof r === "number" ? r : r.value);

function checkAgreement(title, results) {
  const [a, ...rest] = Object.entries(results);
  for (const [name, v] of rest) {
    if (!(Math.abs(valueOf(v) - valueOf(a[1])) <= 1e-5 * Math.abs(valueOf(a[1])))) {
      throw new Error(`${title}: ${name} gives ${valueOf(v)} but ${a[0]} gives ${valueOf(a[1])}`);
    }
  }
  const grads = Object.entries(results).filter(([, v]) => typeof v !== "number");
  if (grads.length) {
    const [, g0] = grads[0];
    for (const [name, g] of grads.slice(1)) {
      let worst = 0, scale = 0;
      for (let i = 0; i < g0.grad.length; i++) {
        worst = Math.max(worst, Math.abs(g.grad[i] - g0.grad[i]));
        scale = Math.max(scale, Math.abs(g0.grad[i]));
      }
      if (!(worst <= 1e-5 * scale)) throw new Error(`${title}: ${name}'s gradient differs from ${grads[0][0]}'s by ${worst} (max |grad| ${scale})`);
    }
  }
}

const options = parseArgs(process.argv.slice(2));
if (!globalThis.gc) console.error("note: run with --expose-gc (npm run bench:simd does) for a GC before every sample");
if (!(await lk.enableSimd())) {
  console.error(`bench/simd.mjs: ${lk.simdStatus().reason}`);
  process.exit(1);
}

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const header = `[${B}, ${D}] float32, Node ${process.version}, ${cpu} (${os.cpus().length} cores), load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} at start`;
console.log(`SIMD kernels vs the Math.exp/log loop and losskit's JS kernels: ${header}`);
console.log(`median ms per call over ${options.samples} samples (each call timed alone, GC before each), wall clock then CPU time; ratios against the loop\n`);
const lines = [
  "| workload | loop ms | losskit ms | losskit / loop | losskit+simd ms | losskit+simd / loop | simd ms | simd / loop | loop CPU ms | losskit CPU ms | losskit / loop | losskit+simd CPU ms | losskit+simd / loop | simd CPU ms | simd / loop | simd ≤ 0.30 loop |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
];
console.log(lines.join("\n"));
const rows = [];
for (const w of WORKLOADS) {
  if (options.only && !options.only.includes(w.id)) continue;
  const made = w.make();
  const impls = { loop: made.loop, losskit: made.losskit, "losskit+simd": made.losskit, simd: made.simd };
  const first = {};
  for (const name of Object.keys(impls)) first[name] = await call(impls, name);
  checkAgreement(w.title, first);
  const timed = await timeInterleaved(impls, options.samples);
  const m = (name, kind) => median(timed[name][kind]);
  const cells = (kind) => {
    const loop = m("loop", kind), losskit = m("losskit", kind), routed = m("losskit+simd", kind), simd = m("simd", kind);
    return [loop.toFixed(1), losskit.toFixed(1), (losskit / loop).toFixed(2), routed.toFixed(1), (routed / loop).toFixed(2), simd.toFixed(1), (simd / loop).toFixed(2)];
  };
  const wall = cells("wall"), cpu = cells("cpu");
  const ratio = Number(cpu[6]), wallRatio = Number(wall[6]);
  const line = `| ${w.title} | ${wall.join(" | ")} | ${cpu.join(" | ")} | ${ratio <= 0.3 && wallRatio <= 0.3 ? "yes" : ratio <= 0.3 || wallRatio <= 0.3 ? "one of two" : "**no**"} |`;
  console.log(line);
  lines.push(line);
  rows.push({ id: w.id, wallRatio, ratio, routedWall: Number(wall[4]), routedCpu: Number(cpu[4]), routedVsJs: Number(cpu[3]) / Number(cpu[1]) });
}
const summarize = (key, label) => {
  const r = rows.map((x) => x[key]);
  return `${label}: median ${median(r).toFixed(2)}, worst ${Math.max(...r).toFixed(2)}, ${r.filter((x) => x <= 0.3).length} of ${r.length} workloads at or under 0.30`;
};
const summary =
  `\nsimd / loop, ${summarize("wallRatio", "wall clock")}; ${summarize("ratio", "CPU time")}.` +
  `\nlosskit+simd / loop, ${summarize("routedWall", "wall clock")}; ${summarize("routedCpu", "CPU time")}.` +
  `\nlosskit+simd / losskit (CPU time): median ${median(rows.map((x) => x.routedVsJs)).toFixed(2)}, worst ${Math.max(...rows.map((x) => x.routedVsJs)).toFixed(2)}.`;
console.log(summary);
if (options.write) {
  const file = fileURLToPath(new URL("./simd-results.md", import.meta.url));
  writeFileSync(file, `# SIMD kernels: results\n\n\`npm run bench:simd\` (bench/simd.mjs): ${header}.\n\nMedian ms per call over ${options.samples} samples (each call timed alone, after a full GC; rounds interleave the four implementations; losskit runs with SIMD disabled, losskit+simd is the same call with SIMD enabled), in wall-clock time and in CPU time of the process.\n\n${lines.join("\n")}\n${summary}\n`);
  console.log(`wrote ${file}`);
}
