// npm run bench [-- options]
//
// losskit against the best hand-written JS loop (best.mjs), the plain loop (loops.mjs) and
// TensorFlow.js (tfjs-core 4.22 on its CPU and WASM backends), in one process, on identical
// fixed-seed data, timed call by call as users call (issue 10). See bench/README.md.
// Options:
//
//   --quick             fewer samples (smoke run); same sizes
//   --only W1,W5g       only these workloads (table and memory)
//   --table             the workload table (default section)
//   --batch1            batch-1 calls (per-call overhead)
//   --memory            bytes allocated per call
//   --sweep             the batch-size sweep, B = 1 … 65536
//                       (no section flag: all four sections)
//   --batch N           batch size of the table and memory sections (default 4096)
//   --samples N         timed calls per implementation (default 15; --quick 6)
//   --cpu-samples N     timed calls for tfjs-cpu, which is slow (default 2; --quick 1)
//   --cpu-vg            also time tfjs-cpu on the valueAndGrad rows (1-3 s per call)
//   --no-f64-first      skip the float64 calls made before everything else
//   --lib FILE          the losskit build to load (default dist/index.js)
//   --out FILE          where to write the Markdown (default bench/results.md)
//   --no-write          print only

import { cpus, totalmem, type as osType, release, loadavg, arch } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { clearDatasets } from "./data.mjs";
import {
  BATCH1_WORKLOADS,
  WORKLOADS,
  bestValue,
  bestValueAndGrad,
  losskitLoss,
  losskitValue,
  losskitValueAndGrad,
  selectWorkloads,
  tfjsImplementation,
  toFloat64,
} from "./workloads.mjs";
import { gc, geometricMean, sink, timeCalls, timerOverhead, warm } from "./measure.mjs";
import { measureJsAllocation, measureTfjsAllocation, stopWatchingGc } from "./memory.mjs";
import { loadTfjs, useBackend } from "./tfjs.mjs";
import { IMPLS, LABELS, fmtBytes, fmtCount, fmtErr, fmtMs, fmtRatio, fmtTiming, fmtUs, markdownTable, textTable } from "./report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const AGREE = 1e-4;

/** Issue 10's targets. */
const TARGET = {
  vsBest: 1.3, // every workload ≤ 1.3x the best loop
  vsBestColumn: 1.5, // the Dense(1) column (W19) ≤ 1.5x
  gradOverValue: 1.5, // valueAndGrad ≤ 1.5x the value
  batch1Us: 0.5, // a batch-1 call ≤ 0.5 µs
};
const COLUMN_WORKLOADS = new Set(["W19", "W19g"]);

// ---- options ------------------------------------------------------------------------

function parseArgs(argv) {
  const o = {
    quick: false,
    only: [],
    sections: new Set(),
    batch: 4096,
    samples: undefined,
    cpuSamples: undefined,
    cpuVg: false,
    f64First: true,
    lib: join(here, "..", "dist", "index.js"),
    out: join(here, "results.md"),
    write: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (name) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
      return n;
    };
    if (a === "--quick") o.quick = true;
    else if (a.startsWith("--only")) o.only = value().split(",").filter(Boolean);
    else if (a === "--table" || a === "--memory" || a === "--sweep" || a === "--batch1") o.sections.add(a.slice(2));
    else if (a.startsWith("--batch")) o.batch = int("--batch");
    else if (a.startsWith("--samples")) o.samples = int("--samples");
    else if (a.startsWith("--cpu-samples")) o.cpuSamples = int("--cpu-samples");
    else if (a === "--cpu-vg") o.cpuVg = true;
    else if (a === "--no-f64-first") o.f64First = false;
    else if (a.startsWith("--lib")) o.lib = resolve(value());
    else if (a.startsWith("--out")) o.out = value();
    else if (a === "--no-write") o.write = false;
    else if (a === "--help" || a === "-h") {
      console.log(
        "usage: node --expose-gc bench/run.mjs [--quick] [--only W1,W5g] [--table] [--batch1] [--memory] [--sweep] [--batch N] [--samples N] [--cpu-samples N] [--cpu-vg] [--no-f64-first] [--lib FILE] [--out FILE] [--no-write]",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (o.sections.size === 0) o.sections = new Set(["table", "batch1", "memory", "sweep"]);
  o.samples ??= o.quick ? 6 : 15;
  o.cpuSamples ??= o.quick ? 1 : 2;
  return o;
}

// ---- helpers --------------------------------------------------------------------------

function valueOf(result) {
  if (typeof result === "number") return result;
  if (result && typeof result === "object" && "value" in result) {
    const v = result.value;
    return typeof v === "number" ? v : v?.item?.();
  }
  if (result && typeof result.item === "function") return result.item();
  return NaN;
}

function relativeError(x, ref) {
  if (!Number.isFinite(x)) return Infinity;
  return ref === 0 ? Math.abs(x) : Math.abs(x - ref) / Math.abs(ref);
}

/** max |g - ref| / max |ref| */
function gradError(g, ref) {
  if (!g || g.length !== ref.length) return Infinity;
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(g[i] - ref[i]);
    if (!(d <= num)) num = Number.isNaN(d) ? Infinity : d;
    den = Math.max(den, Math.abs(ref[i]));
  }
  return den === 0 ? num : num / den;
}

function errorText(e) {
  const msg = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  return msg.length > 160 ? `${msg.slice(0, 157)}...` : msg;
}

/** A fingerprint of every typed array of a data set, to catch an implementation that writes into its inputs. */
function fingerprint(d) {
  let h = 0;
  for (const v of Object.values(d)) {
    if (!ArrayBuffer.isView(v)) continue;
    for (let i = 0; i < v.length; i++) h = (h * 31 + v[i] * (1 + (i & 7))) % 1e15;
  }
  return h;
}

/**
 * The "losskit+simd" column (table rows only): the same losskit call after `await
 * enableSimd()`, where the loss takes the WASM SIMD route for this workload (stage 2 of issue
 * 10; `simdStatus().lastRun` says which path ran). The plain "losskit" column runs with SIMD
 * disabled: each implementation sets the state it needs before its calls.
 */
async function addSimdImplementation(impls, notes, w, d, ctx, { samples, simd }) {
  const lk = ctx.lk;
  const plain = impls.find((i) => i.name === "losskit");
  if (!simd || !plain || typeof lk.enableSimd !== "function") {
    notes["losskit-simd"] = { missing: simd ? "n/a" : "–" };
    return;
  }
  const off = async () => {
    if (lk.simdStatus().active) lk.disableSimd();
  };
  const on = async () => {
    if (!lk.simdStatus().active && !(await lk.enableSimd())) throw new Error(`enableSimd: ${lk.simdStatus().reason}`);
  };
  plain.before = off;
  try {
    await on();
    const h = w.kind === "valueAndGrad" ? losskitValueAndGrad(w, lk, d) : { run: losskitValue(w, lk, d), gradOf: undefined };
    h.run();
    // lastRun names the last loss that went through a SIMD route: it must be this one.
    const last = lk.simdStatus().lastRun;
    const name = losskitLoss(w, lk).fn?.lossName;
    await off();
    if (last?.path !== "simd" || last.loss !== name) {
      notes["losskit-simd"] = { missing: "no SIMD route" };
      return;
    }
    impls.push({ name: "losskit-simd", run: h.run, gradOf: h.gradOf, before: on, samples });
  } catch (e) {
    await off();
    notes["losskit-simd"] = { error: errorText(e) };
  }
}

/**
 * The implementations of workload `w` on data `d`: [{ name, run, gradOf?, before?, samples, dispose? }]
 * plus notes (why a column is empty) and the losskit gradient mode.
 */
async function buildImplementations(w, d, ctx, { samples, cpuSamples, cpuVg = false, cpu = true, cpuNote = "", simd = false }) {
  const impls = [];
  const notes = {};
  const vg = w.kind === "valueAndGrad";
  let gradMode;
  const n = w.arrays(d).yPred.length;
  if (vg) {
    const g = new Float32Array(n);
    const run = bestValueAndGrad(w, ctx.best32, d, g);
    if (run) impls.push({ name: "best", run, gradOf: () => g, samples });
    else notes.best = { missing: "no gradient loop" };
  } else {
    impls.push({ name: "best", run: bestValue(w, ctx.best32, d), samples });
  }
  if (w.naive) impls.push({ name: "naive", run: w.naive(d), gradOf: (r) => r.grad, samples });
  else notes.naive = { missing: "n/a" };
  if (ctx.lk && typeof ctx.lk[w.className] === "function") {
    try {
      if (vg) {
        const h = losskitValueAndGrad(w, ctx.lk, d);
        gradMode = h.mode;
        impls.push({ name: "losskit", run: h.run, gradOf: h.gradOf, samples });
      } else {
        impls.push({ name: "losskit", run: losskitValue(w, ctx.lk, d), samples });
      }
    } catch (e) {
      notes.losskit = { error: errorText(e) };
    }
    await addSimdImplementation(impls, notes, w, d, ctx, { samples, simd });
  } else {
    notes.losskit = { missing: ctx.lk ? `not exported (${w.className})` : "losskit not loaded" };
  }
  for (const backend of ["cpu", "wasm"]) {
    const name = `tfjs-${backend}`;
    if (!w.tf) {
      notes[name] = { missing: "n/a" };
      continue;
    }
    if (!ctx.tf || !ctx.backends.includes(backend)) {
      notes[name] = { missing: "unavailable" };
      continue;
    }
    if (backend === "cpu" && vg && !cpuVg) {
      notes[name] = { missing: "skipped (--cpu-vg)" };
      continue;
    }
    if (backend === "cpu" && !cpu) {
      notes[name] = { missing: `skipped${cpuNote ? ` (${cpuNote})` : ""}` };
      continue;
    }
    try {
      await useBackend(ctx.tf, backend);
      const h = tfjsImplementation(w, ctx.tf, d, w.kind);
      impls.push({ name, run: h.run, gradOf: (r) => r.grad, before: () => useBackend(ctx.tf, backend), dispose: h.dispose, samples: backend === "cpu" ? cpuSamples : samples });
    } catch (e) {
      notes[name] = { error: errorText(e) };
    }
  }
  return { impls, notes, gradMode };
}

/** One call of each implementation: its value (and gradient) against the reference. Failing ones are dropped. */
async function verify(impls, ref, notes, d) {
  const checks = {};
  const kept = [];
  const before = d ? fingerprint(d) : 0;
  for (const impl of impls) {
    try {
      await impl.before?.();
      const t0 = performance.now();
      const result = impl.run();
      impl.firstCallMs = performance.now() - t0;
      const value = valueOf(result);
      const check = { value, relErr: relativeError(value, ref.value) };
      if (ref.grad) check.gradErr = gradError(impl.gradOf?.(result), ref.grad);
      if (d && fingerprint(d) !== before) throw new Error(`${impl.name} changed its input arrays`);
      checks[impl.name] = check;
      kept.push(impl);
    } catch (e) {
      notes[impl.name] = { error: errorText(e) };
      impl.dispose?.();
    }
  }
  return { checks, kept };
}

/** The float64 reference of a workload: its value, and for valueAndGrad its gradient. */
function referenceOf(w, d, ctx) {
  const ref = { value: w.reference(d) };
  if (w.kind !== "valueAndGrad") return ref;
  if (w.referenceGrad) {
    ref.grad = w.referenceGrad(d);
    ref.gradSource = "reference.mjs";
  } else {
    // The float64 best loop on float64 copies (checked against finite differences of the
    // float64 reference in test/bench-loops.test.ts).
    const d64 = toFloat64(d);
    const g = new Float64Array(w.arrays(d).yPred.length);
    const run = bestValueAndGrad(w, ctx.best64, d64, g);
    if (run) {
      run();
      ref.grad = g;
      ref.gradSource = "best loop in float64";
    }
  }
  return ref;
}

/**
 * What elementary operations cost on this machine, in ns per element over 1M float32
 * values (best of 7): the budget a kernel has per element.
 */
function primitiveCosts() {
  const n = 1 << 20;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 2654435761) % 1000) / 250 - 2;
  const kernels = {
    "x*x": (a) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i] * a[i];
      return s;
    },
    "Math.exp": (a) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += Math.exp(a[i]);
      return s;
    },
    "Math.log": (a) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += Math.log(a[i] + 3);
      return s;
    },
    "Math.log1p": (a) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += Math.log1p(a[i] + 1.5);
      return s;
    },
  };
  const out = {};
  for (const [name, f] of Object.entries(kernels)) {
    let best = Infinity;
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      sink.last = f(x);
      best = Math.min(best, performance.now() - t0);
    }
    out[name] = (best * 1e6) / n;
  }
  return out;
}

// ---- sections -------------------------------------------------------------------------

/**
 * A user who mixes dtypes: float64 calls of every selected loss (value and valueAndGrad)
 * before any float32 call, at a small batch, in this process. The float64 best loops are a
 * separate instance of best.mjs, so only code shared between dtypes feels it (losskit's, and
 * the plain loops', which take both).
 */
function float64First(workloads, ctx, o) {
  const t0 = performance.now();
  const calls = o.quick ? 5 : 20;
  for (const w of workloads) {
    const d64 = toFloat64(w.data(16));
    const vg = w.kind === "valueAndGrad";
    const runs = [];
    if (ctx.lk && typeof ctx.lk[w.className] === "function") {
      try {
        runs.push(vg ? losskitValueAndGrad(w, ctx.lk, d64, "float64").run : losskitValue(w, ctx.lk, d64, "float64"));
      } catch (e) {
        console.log(`  float64 ${w.id} losskit: ${errorText(e)}`);
      }
    }
    const g = new Float64Array(w.arrays(d64).yPred.length);
    const best = vg ? bestValueAndGrad(w, ctx.best64, d64, g) : bestValue(w, ctx.best64, d64);
    if (best) runs.push(best);
    if (w.naive) runs.push(w.naive(d64));
    for (const run of runs) for (let i = 0; i < calls; i++) sink.last = run();
  }
  clearDatasets();
  return (performance.now() - t0) / 1000;
}

async function runTable(workloads, ctx, o) {
  const rows = [];
  for (const w of workloads) {
    const t0 = performance.now();
    const d = w.data(o.batch);
    const ref = referenceOf(w, d, ctx);
    const { impls, notes, gradMode } = await buildImplementations(w, d, ctx, { ...o, simd: true });
    const { checks, kept } = await verify(impls, ref, notes, d);
    for (const impl of kept) {
      await impl.before?.();
      // Calls over 300 ms (tfjs-cpu, Circle) are warm after the verification call; the rest get 5 more calls (at most 1.5 s).
      const ms = impl.firstCallMs > 300 ? impl.firstCallMs : warm(impl.run, { calls: 5, maxMs: 1500 });
      // At most ~5 s of timed calls per implementation (never fewer than 3 calls, tfjs-cpu's own count).
      impl.samples = Math.min(impl.samples, Math.max(Math.min(3, impl.samples), 3 * Math.floor(5000 / (3 * ms))));
    }
    const timings = kept.length ? await timeCalls(kept, { perGroup: 3 }) : {};
    for (const impl of kept) impl.dispose?.();
    let builtin;
    if (w.tfjsBuiltin && ctx.tf && ctx.backends.includes("cpu")) {
      await useBackend(ctx.tf, "cpu");
      const [t, p] = w.tf.inputs(d).map(([data, shape, dtype]) => ctx.tf.tensor(data, shape, dtype));
      const value = ctx.tf.tidy(() => w.tfjsBuiltin.fn(ctx.tf, t, p)).dataSync()[0];
      ctx.tf.dispose([t, p]);
      builtin = { note: w.tfjsBuiltin.note, value, relErr: relativeError(value, ref.value) };
    }
    const row = { w, shape: w.shapeOf(d), elements: w.elements(d), ref, checks, timings, notes, builtin, gradMode, seconds: (performance.now() - t0) / 1000 };
    rows.push(row);
    printTableRow(row, rows);
  }
  clearDatasets();
  return rows;
}

function cell(row, name) {
  return row.timings[name] ?? row.notes[name];
}

/** losskit / best loop, the target for this row, and whether it is met. */
function vsBest(row) {
  const l = row.timings.losskit, b = row.timings.best;
  const target = COLUMN_WORKLOADS.has(row.w.id) ? TARGET.vsBestColumn : TARGET.vsBest;
  if (!l || !b) return { ratio: NaN, target, met: undefined };
  const ratio = l.median / b.median;
  return { ratio, target, met: ratio <= target };
}

function vsWasm(row) {
  const l = row.timings.losskit, w = row.timings["tfjs-wasm"];
  if (!l || !w) return { ratio: NaN, met: undefined };
  const ratio = w.median / l.median;
  return { ratio, met: ratio >= 1 };
}

/** tfjs-wasm / losskit+simd (tfjs-wasm runs SIMD too), on rows with a SIMD route. */
function vsWasmSimd(row) {
  const l = row.timings["losskit-simd"], w = row.timings["tfjs-wasm"];
  if (!l || !w) return { ratio: NaN, met: undefined };
  const ratio = w.median / l.median;
  return { ratio, met: ratio >= 1 };
}

function gradOverValue(row, rows) {
  if (row.w.kind !== "valueAndGrad") return undefined;
  const base = rows.find((r) => r.w.id === row.w.valueOf);
  const vg = row.timings.losskit, v = base?.timings.losskit;
  const bvg = row.timings.best, bv = base?.timings.best;
  const ratio = vg && v ? vg.median / v.median : NaN;
  return { ratio, best: bvg && bv ? bvg.median / bv.median : NaN, met: Number.isFinite(ratio) ? ratio <= TARGET.gradOverValue : undefined };
}

const mark = (met) => (met === undefined ? "–" : met ? "pass" : "MISS");

function printTableRow(row, rows) {
  const parts = IMPLS.map((n) => {
    const t = cell(row, n);
    const c = row.checks[n];
    const err = c && !(c.relErr <= AGREE && (c.gradErr === undefined || c.gradErr <= AGREE)) ? ` (err ${fmtErr(c.relErr)}${c.gradErr !== undefined ? `/g ${fmtErr(c.gradErr)}` : ""})` : "";
    return `${LABELS[n]} ${t?.median !== undefined ? `${fmtMs(t.median)}/${fmtMs(t.p90)}` : (t?.missing ?? (t?.error ? `error: ${t.error}` : "–"))}${err}`;
  });
  const b = vsBest(row), wv = vsWasm(row), gv = gradOverValue(row, rows);
  const extra = [`lk/best ${fmtRatio(b.ratio)} ${mark(b.met)}`, `wasm/lk ${fmtRatio(wv.ratio)} ${mark(wv.met)}`];
  const ws = vsWasmSimd(row);
  if (Number.isFinite(ws.ratio)) extra.push(`wasm/lk+simd ${fmtRatio(ws.ratio)} ${mark(ws.met)}`);
  if (gv) extra.push(`vg/value ${fmtRatio(gv.ratio)} ${mark(gv.met)}`);
  if (row.gradMode) extra.push(row.gradMode);
  console.log(`${row.w.id.padEnd(4)} ${row.w.title} ${row.shape}: ${parts.join(" · ")} | ${extra.join(" · ")} (${row.seconds.toFixed(1)} s)`);
}

async function runBatch1(ctx, o) {
  const overhead = timerOverhead();
  const rows = [];
  const samples = o.quick ? 300 : 3000;
  for (const w of BATCH1_WORKLOADS) {
    const d = w.data();
    const ref = referenceOf(w, d, ctx);
    const { impls, notes, gradMode } = await buildImplementations(w, d, ctx, { samples, cpuSamples: o.quick ? 50 : 300, cpuVg: true });
    const { checks, kept } = await verify(impls, ref, notes, d);
    for (const impl of kept) {
      await impl.before?.();
      warm(impl.run, { calls: 2000, maxMs: 300 });
    }
    // A full GC every 100 calls; the timer's own cost is subtracted.
    const timings = kept.length ? await timeCalls(kept, { perGroup: 100, overhead }) : {};
    for (const impl of kept) impl.dispose?.();
    const row = { w, shape: w.shapeOf(d), checks, timings, notes, gradMode };
    rows.push(row);
    console.log(
      `${w.id.padEnd(4)} ${w.title}: ` +
        IMPLS.map((n) => `${LABELS[n]} ${timings[n] ? `${fmtUs(timings[n].median)}/${fmtUs(timings[n].p90)} µs` : (notes[n]?.missing ?? "error")}`).join(" · ") +
        (timings.losskit ? ` | ${mark(timings.losskit.median * 1000 <= TARGET.batch1Us)}` : ""),
    );
  }
  clearDatasets();
  return { rows, overhead };
}

async function runMemory(workloads, ctx, o) {
  const rows = [];
  for (const w of workloads) {
    const d = w.data(o.batch);
    // tfjs-cpu runs the same ops as tfjs-wasm, so it allocates the same tensors (checked in issue 5's runs): not repeated.
    const { impls, notes } = await buildImplementations(w, d, ctx, { samples: 1, cpuSamples: 1, cpu: false, cpuNote: "same tensors as tfjs-wasm" });
    const result = {};
    for (const impl of impls) {
      try {
        await impl.before?.();
        warm(impl.run, { calls: 10, maxMs: 500 }); // first calls allocate for the JIT and caches: not a per-call cost
        if (impl.name.startsWith("tfjs")) result[impl.name] = await measureTfjsAllocation(ctx.tf, impl.run);
        else result[impl.name] = await measureJsAllocation(impl.run);
      } catch (e) {
        result[impl.name] = { error: errorText(e) };
      }
      impl.dispose?.();
    }
    for (const [k, v] of Object.entries(notes)) result[k] ??= v;
    const inputBytes = w.elements(d) * 4;
    const row = { w, shape: w.shapeOf(d), inputBytes, batch: d.B, result };
    rows.push(row);
    console.log(`${w.id.padEnd(4)} ${w.title}: ${IMPLS.map((n) => `${LABELS[n]} ${fmtAllocation(result[n])}`).join(" · ")}`);
  }
  stopWatchingGc();
  clearDatasets();
  return rows;
}

/** Memory cell: ArrayBuffer + heap bytes (JS) or tensor bytes (tfjs). */
function fmtAllocation(x) {
  if (!x) return "–";
  if (x.error) return "error";
  if (x.missing) return x.missing;
  if (x.allocated !== undefined) return `${fmtBytes(x.allocated)} (peak ${fmtBytes(x.peak)})`;
  const gcs = x.collections ? ` (${x.collections} GC${x.collections > 1 ? "s" : ""} in the call)` : "";
  return `${x.lowerBound ? "≥" : ""}${fmtBytes(x.arrayBuffers)} + heap ${x.lowerBound ? "?" : fmtBytes(x.heap)}${gcs}`;
}

const SWEEP_BATCHES = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];
const SWEEP_D = 128;

async function runSweep(workloads, ctx, o) {
  const out = [];
  const overhead = timerOverhead();
  const sweepable = workloads.filter((w) => w.sweep);
  for (const w of sweepable) {
    const points = [];
    for (const B of SWEEP_BATCHES) {
      const d = w.data(B, { sweepSize: SWEEP_D });
      const ref = referenceOf(w, d, ctx);
      const elements = B * SWEEP_D;
      // Enough single calls for a stable median: many when a call takes microseconds.
      const samples = o.quick ? 6 : elements <= 1 << 14 ? 300 : 15;
      const cpuSamples = elements <= 1 << 14 ? 60 : 6;
      const { impls, notes } = await buildImplementations(w, d, ctx, { samples, cpuSamples, cpu: elements <= 1 << 17, cpuNote: "over 131k elements" });
      const { checks, kept } = await verify(impls, ref, notes);
      for (const impl of kept) {
        await impl.before?.();
        warm(impl.run, { calls: 200, maxMs: impl.firstCallMs > 300 ? 1 : 300 });
      }
      const timings = kept.length ? await timeCalls(kept, { perGroup: elements <= 1 << 14 ? 50 : 3, overhead }) : {};
      for (const impl of kept) impl.dispose?.();
      clearDatasets();
      const point = { B, elements, timings, notes, checks };
      points.push(point);
      console.log(
        `${w.id} B=${String(B).padStart(5)} (${fmtCount(point.elements)} el): ` +
          IMPLS.map((n) => `${LABELS[n]} ${timings[n] ? `${fmtUs(timings[n].median)} µs` : (notes[n]?.missing ?? "error")}`).join(" · "),
      );
    }
    out.push({ w, points });
  }
  return out;
}

// ---- summary and Markdown ---------------------------------------------------------------

function summarize(tableRows, batch1) {
  const s = { vsBest: [], misses: [], vsCpu: [], vsWasm: [], wasmMisses: [], vsWasmSimd: [], wasmSimdMisses: [], wasmMissesWithSimd: [], grads: [], gradMisses: [], disagree: [], batch1: [] };
  for (const r of tableRows) {
    const b = vsBest(r);
    if (Number.isFinite(b.ratio)) {
      s.vsBest.push(b.ratio);
      if (!b.met) s.misses.push({ id: r.w.id, ratio: b.ratio, target: b.target });
    }
    const wv = vsWasm(r);
    if (Number.isFinite(wv.ratio)) {
      s.vsWasm.push(wv.ratio);
      if (!wv.met) s.wasmMisses.push({ id: r.w.id, ratio: wv.ratio });
    }
    const ws = vsWasmSimd(r);
    if (Number.isFinite(ws.ratio)) {
      s.vsWasmSimd.push(ws.ratio);
      if (!ws.met) s.wasmSimdMisses.push({ id: r.w.id, ratio: ws.ratio });
      // The rows tfjs-wasm wins against losskit's JS path, and whether enableSimd() turns them.
      if (!wv.met) s.wasmMissesWithSimd.push({ id: r.w.id, ratio: ws.ratio, met: ws.met });
    }
    const l = r.timings.losskit, cpu = r.timings["tfjs-cpu"];
    if (l && cpu) s.vsCpu.push(cpu.median / l.median);
    const gv = gradOverValue(r, tableRows);
    if (gv && Number.isFinite(gv.ratio)) {
      s.grads.push({ id: r.w.id, ...gv });
      if (!gv.met) s.gradMisses.push({ id: r.w.id, ratio: gv.ratio });
    }
    for (const [name, c] of Object.entries(r.checks)) {
      if (!(c.relErr <= AGREE) || (c.gradErr !== undefined && !(c.gradErr <= AGREE))) s.disagree.push({ id: r.w.id, name, relErr: c.relErr, gradErr: c.gradErr });
    }
  }
  for (const r of batch1?.rows ?? []) {
    const l = r.timings.losskit;
    if (l) s.batch1.push({ id: r.w.id, title: r.w.title, us: l.median * 1000, met: l.median * 1000 <= TARGET.batch1Us });
  }
  s.geoBest = geometricMean(s.vsBest);
  s.geoWasm = geometricMean(s.vsWasm);
  s.geoWasmSimd = geometricMean(s.vsWasmSimd);
  s.geoCpu = geometricMean(s.vsCpu);
  return s;
}

function fmtPrimitives(p) {
  return Object.entries(p)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(", ");
}

function machine(ctx) {
  const c = cpus();
  return {
    cpu: `${c[0]?.model?.trim() ?? "unknown CPU"} × ${c.length}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${osType()} ${release()} ${arch()}`,
    node: `Node ${process.version} (V8 ${process.versions.v8})`,
    load: loadavg()
      .map((x) => x.toFixed(2))
      .join(" "),
    tfjs: ctx.tf ? `tfjs-core ${ctx.tfInfo.version}: backends ${ctx.backends.join(", ")}; WASM SIMD ${ctx.tfInfo.wasmSimd ? "on" : "off"}, ${ctx.tfInfo.wasmThreads} thread(s)` : `TensorFlow.js unavailable: ${ctx.tfError}`,
    losskit: ctx.lk ? `losskit ${ctx.lkVersion} (${ctx.lkPath})` : `losskit unavailable: ${ctx.lkError}`,
  };
}

function timingHeader() {
  return IMPLS.map((n) => `${LABELS[n]} ms`);
}

function markdown(ctx, o, m, tableRows, batch1, memoryRows, sweep, s, elapsed, argv) {
  const lines = [];
  lines.push("# losskit benchmark results", "");
  lines.push(`Command: \`npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}\` · ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · total ${(elapsed / 60).toFixed(1)} min`, "");
  lines.push(`- Machine: ${m.cpu}, ${m.memory}, ${m.os}; load average at start ${m.load}${m.loadEnd ? `, at the end ${m.loadEnd}` : ""}`);
  lines.push(`- ${m.node}; ${m.losskit}; ${m.tfjs}`);
  lines.push(`- Cost of one operation in a JS loop here, ns per element: ${fmtPrimitives(m.primitives)}`);
  lines.push(
    `- Method (issue 10): one process, identical fixed-seed float32 data, Keras default reduction (\`sum_over_batch_size\`). ${o.f64First ? "Before anything else every selected loss is called with float64 data (value and valueAndGrad, 20 calls each at a small batch), as a user mixing dtypes. " : ""}Per workload each implementation is checked against a float64 reference and warmed up (5 calls; calls over 300 ms: the checking call only); then every call is timed on its own, in groups of 3 calls with a full GC before each group, implementations interleaved (order rotated per group). ${o.samples} calls per implementation (fewer when they would take over 5 s, never under 3), ${o.cpuSamples} for tfjs-cpu. Cells: median / 90th percentile, ms per call.`,
  );
  lines.push("");
  if (tableRows.length) {
    const summaryLine = [];
    summaryLine.push(`losskit / best loop: geometric mean ${fmtRatio(s.geoBest)}; ${s.misses.length} of ${s.vsBest.length} rows miss their target (${TARGET.vsBest}x, Dense(1) column ${TARGET.vsBestColumn}x)`);
    summaryLine.push(`tfjs-wasm / losskit: geometric mean ${fmtRatio(s.geoWasm)}; losskit slower than tfjs-wasm on ${s.wasmMisses.length} of ${s.vsWasm.length} rows`);
    if (s.vsWasmSimd.length) {
      summaryLine.push(
        `tfjs-wasm / losskit+simd (after \`enableSimd()\`, on the ${s.vsWasmSimd.length} rows with a SIMD route): geometric mean ${fmtRatio(s.geoWasmSimd)}; slower than tfjs-wasm on ${s.wasmSimdMisses.length}` +
          (s.wasmMissesWithSimd.length ? `; of the rows tfjs-wasm wins against the JS path: ${s.wasmMissesWithSimd.map((x) => `${x.id} ${fmtRatio(x.ratio)}`).join(", ")} with SIMD` : ""),
      );
    }
    if (s.grads.length) summaryLine.push(`valueAndGrad / value (losskit): ${s.gradMisses.length} of ${s.grads.length} above ${TARGET.gradOverValue}x`);
    if (s.batch1.length) summaryLine.push(`batch-1 calls: ${s.batch1.filter((x) => !x.met).length} of ${s.batch1.length} above ${TARGET.batch1Us} µs`);
    lines.push("## Targets (issue 10)", "", ...summaryLine.map((x) => `- ${x}.`), "");
    if (s.misses.length) lines.push(`Rows over their target against the best loop: ${s.misses.map((x) => `${x.id} ${fmtRatio(x.ratio)}`).join(", ")}.`, "");
    if (s.wasmMisses.length) lines.push(`Rows where tfjs-wasm is faster than losskit (tfjs-wasm / losskit): ${s.wasmMisses.map((x) => `${x.id} ${fmtRatio(x.ratio)}`).join(", ")}.`, "");
    if (s.gradMisses.length) lines.push(`valueAndGrad over ${TARGET.gradOverValue}x the value: ${s.gradMisses.map((x) => `${x.id} ${fmtRatio(x.ratio)}`).join(", ")}.`, "");

    for (const kind of ["value", "valueAndGrad"]) {
      const rows = tableRows.filter((r) => r.w.kind === kind);
      if (!rows.length) continue;
      lines.push(kind === "value" ? `## Value (batch ${o.batch})` : `## valueAndGrad (batch ${o.batch})`, "");
      const head = ["id", "workload", "shape", ...timingHeader(), "losskit / best", "target", "met", "tfjs-wasm / losskit", "met", "tfjs-wasm / losskit+simd"];
      if (kind === "valueAndGrad") head.push("vg / value (losskit)", "met", "vg / value (best)", "losskit gradient");
      else head.push("losskit after GC ms");
      const table = [head];
      for (const r of rows) {
        const b = vsBest(r), wv = vsWasm(r);
        const line = [r.w.id, r.w.title.replace(/ valueAndGrad$/, ""), r.shape, ...IMPLS.map((n) => fmtTiming(cell(r, n))), fmtRatio(b.ratio), `≤ ${b.target}x`, mark(b.met), fmtRatio(wv.ratio), mark(wv.met), fmtRatio(vsWasmSimd(r).ratio)];
        if (kind === "valueAndGrad") {
          const gv = gradOverValue(r, tableRows);
          line.push(fmtRatio(gv?.ratio), mark(gv?.met), fmtRatio(gv?.best), r.gradMode ?? "–");
        } else line.push(r.timings.losskit ? fmtMs(r.timings.losskit.afterGc) : "–");
        table.push(line);
      }
      lines.push(markdownTable(table, "lll"), "");
    }
    lines.push(
      "Ratios: medians. “losskit / best” above the target is a miss; “tfjs-wasm / losskit” under 1 is a miss (tfjs-wasm faster). valueAndGrad rows: the gradient is written into a buffer the caller owns when losskit accepts `{ out }` (“out: …”), else each call allocates it (“allocates”); the best loop always writes into a preallocated buffer. “after GC”: median of the first call after each full GC. tfjs-cpu is timed on value rows only unless `--cpu-vg`.",
      "",
    );
    const notes = tableRows.flatMap((r) =>
      Object.entries(r.notes)
        .filter(([, v]) => v.error || (v.missing && v.missing !== "n/a" && !v.missing.startsWith("skipped")))
        .map(([k, v]) => `- ${r.w.id} ${LABELS[k]}: ${v.error ?? v.missing}`),
    );
    if (notes.length) lines.push("Not measured:", "", ...notes, "");

    lines.push("## Accuracy", "");
    lines.push(
      `Relative error of the value against the float64 reference (valueAndGrad rows also max |grad − ref| / max |ref|; the reference gradient is reference.mjs's for W1g, W7g, W19g–W21g and the best loop run in float64 for the others). Every implementation must agree within ${AGREE}.`,
      "",
    );
    const acc = [["id", "workload", "reference value", ...IMPLS.map((n) => LABELS[n])]];
    for (const r of tableRows) {
      acc.push([
        r.w.id,
        r.w.title,
        r.ref.value.toPrecision(10),
        ...IMPLS.map((n) => {
          const c = r.checks[n];
          if (!c) return "–";
          const bad = !(c.relErr <= AGREE) || (c.gradErr !== undefined && !(c.gradErr <= AGREE));
          return `${fmtErr(c.relErr)}${c.gradErr !== undefined ? ` / grad ${fmtErr(c.gradErr)}` : ""}${bad ? " ✗" : ""}`;
        }),
      ]);
    }
    lines.push(markdownTable(acc, "lll"), "");
    const builtins = tableRows.filter((r) => r.builtin);
    if (builtins.length) {
      lines.push("tfjs built-ins that a user might reach for instead, on the same data:", "");
      for (const r of builtins) lines.push(`- ${r.w.id} ${r.builtin.note}: ${r.builtin.value.toPrecision(7)} against Keras's ${r.ref.value.toPrecision(7)} (relative error ${fmtErr(r.builtin.relErr)}).`);
      lines.push("");
    }
    if (s.disagree.length) lines.push(`Disagreements beyond ${AGREE}: ${s.disagree.map((x) => `${x.id} ${LABELS[x.name]} (${fmtErr(x.relErr)}${x.gradErr !== undefined ? `, grad ${fmtErr(x.gradErr)}` : ""})`).join("; ")}.`, "");
  }
  if (batch1?.rows.length) {
    lines.push("## Batch-1 calls", "");
    lines.push(
      `Median / 90th percentile µs per call, each call timed on its own (${fmtUs(batch1.overhead)} µs of timer cost subtracted), a full GC every 100 calls. Target: losskit ≤ ${TARGET.batch1Us} µs.`,
      "",
    );
    const rows = [["id", "call", ...IMPLS.map((n) => LABELS[n]), "met", "losskit gradient"]];
    for (const r of batch1.rows) {
      const l = r.timings.losskit;
      rows.push([
        r.w.id,
        r.w.title,
        ...IMPLS.map((n) => (r.timings[n] ? `${fmtUs(r.timings[n].median)} / ${fmtUs(r.timings[n].p90)}` : (r.notes[n]?.missing ?? "error"))),
        l ? mark(l.median * 1000 <= TARGET.batch1Us) : "–",
        r.gradMode ?? "–",
      ]);
    }
    lines.push(markdownTable(rows, "ll"), "");
  }
  if (memoryRows.length) {
    lines.push(`## Memory per call (batch ${o.batch})`, "");
    lines.push(
      "JS implementations: growth of `process.memoryUsage().arrayBuffers` (typed-array storage) + JS heap over one warm call after a full GC (≥ and “heap ?”: the collector ran during the call even in the cleanest of 5 tries; several GCs in one call mean the code allocates per element, e.g. boxed doubles). tfjs: bytes of all tensors its kernels allocate in one call (`tf.profile`), and the peak of live tensor bytes. “× input” is ArrayBuffer bytes over the bytes of yPred.",
      "",
    );
    const rows = [["id", "workload", "yPred bytes", ...IMPLS.map((n) => LABELS[n]), "losskit × input", "losskit verdict"]];
    for (const r of memoryRows) {
      const lk = r.result.losskit;
      let verdict = "–", times = "–";
      if (lk && lk.arrayBuffers !== undefined) {
        const gradBytes = r.w.kind === "valueAndGrad" ? r.inputBytes : 0;
        const extra = lk.arrayBuffers - gradBytes;
        times = (lk.arrayBuffers / r.inputBytes).toFixed(3);
        verdict = extra > r.inputBytes / 4 ? "full-size intermediate" : `O(batch): ${(Math.max(extra, 0) / r.batch).toFixed(0)} B/sample${gradBytes && lk.arrayBuffers >= gradBytes ? " + the gradient" : ""}`;
        if (lk.collections >= 2) verdict += `; **allocates per element** (${lk.collections} GCs during one call)`;
      }
      rows.push([r.w.id, r.w.title, fmtBytes(r.inputBytes), ...IMPLS.map((n) => fmtAllocation(r.result[n])), times, verdict]);
    }
    lines.push(markdownTable(rows, "ll"), "");
  }
  if (sweep.length) {
    lines.push(`## Batch-size sweep (feature size ${SWEEP_D})`, "");
    lines.push("Median µs per call, each call timed alone (ns per element in parentheses). Small batches show the per-call overhead; large ones the memory bandwidth.", "");
    for (const { w, points } of sweep) {
      lines.push(`### ${w.id} ${w.title}`, "");
      const rows = [["B", "elements", ...IMPLS.map((n) => LABELS[n]), "losskit / best"]];
      for (const p of points) {
        const f = (n) => {
          const t = p.timings[n];
          if (!t) return p.notes[n]?.missing ?? (p.notes[n]?.error ? "error" : "–");
          return `${fmtUs(t.median)} (${((t.median * 1e6) / p.elements).toFixed(2)})`;
        };
        const l = p.timings.losskit, j = p.timings.best;
        rows.push([String(p.B), fmtCount(p.elements), ...IMPLS.map(f), l && j ? fmtRatio(l.median / j.median) : "–"]);
      }
      lines.push(markdownTable(rows, "ll"), "");
    }
  }
  lines.push("## What each column runs", "");
  lines.push(
    "- best loop: bench/best.mjs, the best hand-written loop (4 independent accumulators, no data-dependent branches, one running index over contiguous typed arrays, gradient into a preallocated buffer; Math.exp/log), loaded as two module instances so float32 and float64 run separate code.",
  );
  lines.push("- plain loop: bench/loops.mjs, the straightforward single-pass loop (one accumulator, the Keras formula as written); it has gradient versions for W1, W7, W19–W21 only.");
  lines.push("- losskit: the Keras-named class with default reduction, called on zero-copy `tensor()` views of the same typed arrays (valueAndGrad rows: `loss.valueAndGrad`, with `{ out }` when supported).");
  lines.push(
    "- tfjs-cpu / tfjs-wasm: tfjs-core 4.22 with `@tensorflow/tfjs-backend-cpu` / `@tensorflow/tfjs-backend-wasm` (SIMD, 1 thread in Node); the call runs in `tf.tidy` and reads the scalar back with `dataSync()` (valueAndGrad rows: `tf.valueAndGrads`, and the gradient read back too). Input tensors are created once, outside the timing.",
  );
  lines.push("");
  const ids = new Set([...tableRows, ...memoryRows].map((r) => r.w.id.replace(/g$/, "")));
  const peers = [["id", "tfjs implementation"], ...WORKLOADS.filter((w) => w.kind === "value" && ids.has(w.id)).map((w) => [w.id, w.tfNote])];
  lines.push(markdownTable(peers, "ll"), "");
  lines.push(
    "Data (bench/data.mjs, fixed seeds): W1–W4, W10, W19, W20 yTrue ~ N(0,1), yPred = yTrue + N(0,1); W5, W14 labels 0/1 and logits ~ N(0, 3²); W6 labels 0/1 and probabilities uniform in (0, 1); W7, W8, W15 one 1000-class label per row (W21: 16 classes), logits ~ N(0, 3²); W9 rows of normalized uniforms; W11 labels ±1, predictions N(0,1); W16 masks (30% ones) and correlated sigmoid probabilities, [B, 32, 32, 1]; W17 B/16 sequences of 100 frames × 32 classes, labels of 10–20 non-blank tokens; W18 B/4 unit embeddings of size 128 around 32 class centres. W19: B·256 rows of 1 (a Dense(1) regression head), W20/W21: B·16 rows of 16.",
  );
  lines.push("");
  return lines.join("\n");
}

// ---- main -----------------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const o = parseArgs(argv);
  const started = performance.now();
  if (!gc) console.warn("warning: run with node --expose-gc (npm run bench does): no GC between groups and no memory section");
  const ctx = { backends: [] };
  // Two instances of the same module: float32 and float64 loops are separate functions.
  ctx.best32 = await import(new URL("./best.mjs?float32", import.meta.url).href);
  ctx.best64 = await import(new URL("./best.mjs?float64", import.meta.url).href);
  try {
    ctx.lk = await import(pathToFileURL(o.lib).href);
    ctx.lkPath = o.lib.startsWith(join(here, "..")) ? o.lib.slice(join(here, "..").length + 1) : o.lib;
    ctx.lkVersion = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")).version;
  } catch (e) {
    ctx.lkError = `${errorText(e)} (build it: npx tsup, or use npm run bench)`;
    console.warn(`losskit: ${ctx.lkError}`);
  }
  const tfjs = await loadTfjs();
  if (tfjs.error) {
    ctx.tfError = tfjs.error;
    console.warn(`TensorFlow.js: ${tfjs.error}`);
  } else {
    Object.assign(ctx, { tf: tfjs.tf, backends: tfjs.backends, tfInfo: tfjs.info });
  }
  const m = machine(ctx);
  m.primitives = primitiveCosts();
  console.log(`losskit bench: ${m.cpu}, ${m.memory}, ${m.node}; load ${m.load}`);
  console.log(`ns per element: ${fmtPrimitives(m.primitives)}`);
  console.log(`${m.tfjs}`);
  console.log(`sections: ${[...o.sections].join(", ")}; batch ${o.batch}; ${o.samples} calls per implementation (tfjs-cpu ${o.cpuSamples})${o.quick ? "; --quick" : ""}\n`);
  const workloads = selectWorkloads(o.only);
  const missing = [...new Set(workloads.filter((w) => !ctx.lk || typeof ctx.lk[w.className] !== "function").map((w) => w.className))];
  if (missing.length) console.log(`not exported by losskit: ${missing.join(", ")}\n`);

  if (o.f64First) console.log(`float64 calls first: ${float64First(o.sections.has("batch1") ? [...workloads, ...BATCH1_WORKLOADS] : workloads, ctx, o).toFixed(1)} s\n`);
  const tableRows = o.sections.has("table") ? await runTable(workloads, ctx, o) : [];
  let batch1;
  if (o.sections.has("batch1")) {
    console.log("\nbatch-1 calls (median/p90 µs)");
    batch1 = await runBatch1(ctx, o);
  }
  let memoryRows = [];
  if (o.sections.has("memory")) {
    console.log("\nmemory per call");
    memoryRows = await runMemory(workloads, ctx, o);
  }
  let sweep = [];
  if (o.sections.has("sweep")) {
    console.log("\nbatch-size sweep");
    sweep = await runSweep(workloads, ctx, o);
  }
  const s = summarize(tableRows, batch1);
  const elapsed = (performance.now() - started) / 1000;
  m.loadEnd = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  const md = markdown(ctx, o, m, tableRows, batch1, memoryRows, sweep, s, elapsed, argv);
  if (tableRows.length) {
    console.log("\nsummary (medians, ms per call)");
    const rows = [["id", "workload", ...IMPLS.map((n) => LABELS[n]), "lk/best", "target", "", "wasm/lk", "", "vg/value", ""]];
    for (const r of tableRows) {
      const b = vsBest(r), wv = vsWasm(r), gv = gradOverValue(r, tableRows);
      rows.push([
        r.w.id,
        r.w.title,
        ...IMPLS.map((n) => (r.timings[n] ? fmtMs(r.timings[n].median) : (cell(r, n)?.missing ? "–" : "error"))),
        fmtRatio(b.ratio),
        `${b.target}x`,
        mark(b.met),
        fmtRatio(wv.ratio),
        mark(wv.met),
        gv ? fmtRatio(gv.ratio) : "",
        gv ? mark(gv.met) : "",
      ]);
    }
    console.log(textTable(rows));
    console.log(`\ngeometric means: losskit/best ${fmtRatio(s.geoBest)}; tfjs-wasm/losskit ${fmtRatio(s.geoWasm)}; tfjs-wasm/losskit+simd ${fmtRatio(s.geoWasmSimd)} (${s.vsWasmSimd.length} rows with a SIMD route); tfjs-cpu/losskit ${fmtRatio(s.geoCpu)}`);
    console.log(`misses: vs best ${s.misses.length}/${s.vsBest.length}; vs tfjs-wasm ${s.wasmMisses.length}/${s.vsWasm.length}; vg/value ${s.gradMisses.length}/${s.grads.length}`);
    if (s.disagree.length) console.log(`DISAGREEMENT beyond ${AGREE}: ${s.disagree.map((x) => `${x.id} ${x.name} ${fmtErr(x.relErr)}${x.gradErr !== undefined ? ` grad ${fmtErr(x.gradErr)}` : ""}`).join("; ")}`);
  }
  if (s.batch1.length) console.log(`batch-1 (losskit, µs): ${s.batch1.map((x) => `${x.id} ${x.us.toFixed(2)} ${mark(x.met)}`).join(", ")}`);
  if (o.write) {
    writeFileSync(o.out, md);
    console.log(`\nwrote ${o.out} (${elapsed.toFixed(0)} s)`);
  } else console.log(`\n(${elapsed.toFixed(0)} s)`);
}

main().catch((e) => {
  // Usage mistakes (unknown option or workload) get their message; anything else its stack.
  const usage = e instanceof Error && /^(unknown |--\S+ (needs|must))/.test(e.message);
  console.error(usage ? `bench: ${e.message}` : e instanceof Error ? e.stack : e);
  process.exit(1);
});
