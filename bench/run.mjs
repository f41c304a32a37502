// npm run bench [-- options]
//
// losskit against TensorFlow.js (tfjs-core 4.22 on its CPU and WASM backends) and a
// hand-written single-pass JS loop, in one process, on identical fixed-seed data. See
// bench/README.md for the method. Options:
//
//   --quick             fewer samples (smoke run); same sizes
//   --only W1,W5        only these workloads (table and memory)
//   --table             the workload table (default section)
//   --memory            bytes allocated per call
//   --sweep             the batch-size sweep, B = 1 … 65536
//                       (no section flag: all three sections)
//   --batch N           batch size of the table and memory sections (default 4096)
//   --samples N         timed samples per implementation (default 15; --quick 3)
//   --cpu-samples N     samples for tfjs-cpu, which is slow (default 5; --quick 1)
//   --out FILE          where to write the Markdown (default bench/results.md)
//   --no-write          print only

import { cpus, totalmem, type as osType, release, loadavg, arch } from "node:os";
import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { clearDatasets } from "./data.mjs";
import { WORKLOADS, selectWorkloads } from "./workloads.mjs";
import { gc, geometricMean, sink, timeImplementations } from "./measure.mjs";
import { measureJsAllocation, measureTfjsAllocation, stopWatchingGc } from "./memory.mjs";
import { loadTfjs, useBackend } from "./tfjs.mjs";
import { IMPLS, LABELS, fmtBytes, fmtCount, fmtErr, fmtMs, fmtRatio, fmtTiming, fmtUs, markdownTable, textTable } from "./report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const AGREE = 1e-4;

// ---- options ------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { quick: false, only: [], sections: new Set(), batch: 4096, samples: undefined, cpuSamples: undefined, out: join(here, "results.md"), write: true };
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
    else if (a === "--table" || a === "--memory" || a === "--sweep") o.sections.add(a.slice(2));
    else if (a.startsWith("--batch")) o.batch = int("--batch");
    else if (a.startsWith("--samples")) o.samples = int("--samples");
    else if (a.startsWith("--cpu-samples")) o.cpuSamples = int("--cpu-samples");
    else if (a.startsWith("--out")) o.out = value();
    else if (a === "--no-write") o.write = false;
    else if (a === "--help" || a === "-h") {
      console.log("usage: node --expose-gc bench/run.mjs [--quick] [--only W1,W5] [--table] [--memory] [--sweep] [--batch N] [--samples N] [--cpu-samples N] [--out FILE] [--no-write]");
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (o.sections.size === 0) o.sections = new Set(["table", "memory", "sweep"]);
  o.samples ??= o.quick ? 3 : 15;
  o.cpuSamples ??= o.quick ? 1 : 5;
  o.warmup = o.quick ? 1 : 3;
  o.minSampleMs = o.quick ? 5 : 20;
  return o;
}

// ---- helpers --------------------------------------------------------------------------

function valueOf(result) {
  if (typeof result === "number") return { value: result };
  if (result && typeof result === "object" && "value" in result) {
    const v = result.value;
    return { value: typeof v === "number" ? v : v?.item?.(), grad: result.grad };
  }
  if (result && typeof result.item === "function") return { value: result.item() };
  return { value: NaN };
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

/** The implementations of one workload on data `d`: [{ name, run, before?, samples, dispose? }] plus notes. */
async function buildImplementations(w, d, ctx, { samples, cpuSamples }) {
  const impls = [];
  const notes = {};
  impls.push({ name: "loop", run: w.loop(d), samples });
  if (ctx.lk && typeof ctx.lk[w.className] === "function") {
    try {
      impls.push({ name: "losskit", run: w.losskit(ctx.lk, d), samples });
    } catch (e) {
      notes.losskit = { error: errorText(e) };
    }
  } else {
    notes.losskit = { missing: ctx.lk ? `not yet exported (${w.className})` : "losskit not loaded" };
  }
  for (const backend of ["cpu", "wasm"]) {
    const name = `tfjs-${backend}`;
    if (!w.tfjs) {
      notes[name] = { missing: "n/a" };
      continue;
    }
    if (!ctx.tf || !ctx.backends.includes(backend)) {
      notes[name] = { missing: "unavailable" };
      continue;
    }
    try {
      await useBackend(ctx.tf, backend);
      const h = w.tfjs(ctx.tf, d);
      impls.push({ name, run: h.run, before: () => useBackend(ctx.tf, backend), dispose: h.dispose, samples: backend === "cpu" ? cpuSamples : samples });
    } catch (e) {
      notes[name] = { error: errorText(e) };
    }
  }
  return { impls, notes };
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

/** One call of each implementation: its value (and gradient) against the reference. Failing ones are dropped. */
async function verify(impls, ref, notes, d) {
  const checks = {};
  const kept = [];
  const before = d ? fingerprint(d) : 0;
  for (const impl of impls) {
    try {
      await impl.before?.();
      const t0 = performance.now();
      const { value, grad } = valueOf(impl.run());
      impl.firstCallMs = performance.now() - t0;
      const check = { value, relErr: relativeError(value, ref.value) };
      if (ref.grad) check.gradErr = gradError(grad, ref.grad);
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

async function runTable(workloads, ctx, o) {
  const rows = [];
  for (const w of workloads) {
    const t0 = performance.now();
    const d = w.data(o.batch);
    const ref = w.reference(d);
    const { impls, notes } = await buildImplementations(w, d, ctx, o);
    const { checks, kept } = await verify(impls, ref, notes, d);
    let timings = {};
    if (kept.length) {
      timings = await timeImplementations(kept, { warmup: o.warmup, minSampleMs: o.minSampleMs });
    }
    for (const impl of kept) impl.dispose?.();
    let builtin;
    if (w.tfjsBuiltin && ctx.tf && ctx.backends.includes("cpu")) {
      await useBackend(ctx.tf, "cpu");
      const value = w.tfjsBuiltin.run(ctx.tf, d);
      builtin = { note: w.tfjsBuiltin.note, value, relErr: relativeError(value, ref.value) };
    }
    const row = { w, shape: w.shapeOf(d), elements: w.elements(d), ref, checks, timings, notes, builtin, seconds: (performance.now() - t0) / 1000 };
    rows.push(row);
    printTableRow(row);
  }
  clearDatasets();
  return rows;
}

function cell(row, name) {
  return row.timings[name] ?? row.notes[name];
}

function printTableRow(row) {
  const parts = IMPLS.map((n) => {
    const t = cell(row, n);
    const c = row.checks[n];
    const err = c ? ` err ${fmtErr(c.relErr)}${c.gradErr !== undefined ? `/g ${fmtErr(c.gradErr)}` : ""}` : "";
    return `${LABELS[n]} ${t?.median !== undefined ? `${fmtMs(t.median)} ms` : (t?.missing ?? (t?.error ? `error: ${t.error}` : "–"))}${err}`;
  });
  const l = row.timings.losskit, j = row.timings.loop;
  const ratio = l && j ? `  losskit/loop ${fmtRatio(l.median / j.median)}` : "";
  console.log(`${row.w.id.padEnd(4)} ${row.w.title} ${row.shape}: ${parts.join(" · ")}${ratio}  (${row.seconds.toFixed(1)} s)`);
}

async function runMemory(workloads, ctx, o) {
  const rows = [];
  for (const w of workloads) {
    const d = w.data(o.batch);
    const { impls, notes } = await buildImplementations(w, d, ctx, { samples: 1, cpuSamples: 1 });
    const result = {};
    for (const impl of impls) {
      try {
        await impl.before?.();
        warm(impl.run); // first calls allocate for the JIT and caches: not a per-call cost
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

/** Call `run` until it is warm: 30 calls, or 1.5 s (at least 2 calls). */
function warm(run) {
  const t0 = performance.now();
  for (let i = 0; i < 30 && (i < 2 || performance.now() - t0 < 1500); i++) sink.last = run();
}

const SWEEP_BATCHES = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];
const SWEEP_D = 128;

async function runSweep(workloads, ctx, o) {
  const out = [];
  const sweepable = workloads.filter((w) => w.sweep);
  for (const w of sweepable) {
    const points = [];
    for (const B of SWEEP_BATCHES) {
      const d = w.data(B, { sweepSize: SWEEP_D });
      const ref = w.reference(d);
      const samples = o.quick ? 3 : 9;
      const cpuSamples = B * SWEEP_D >= 1 << 22 ? Math.min(o.cpuSamples, 3) : o.cpuSamples;
      const { impls, notes } = await buildImplementations(w, d, ctx, { samples, cpuSamples });
      const { checks, kept } = await verify(impls, ref, notes);
      const timings = kept.length ? await timeImplementations(kept, { warmup: o.warmup, minSampleMs: o.minSampleMs }) : {};
      for (const impl of kept) impl.dispose?.();
      clearDatasets();
      const point = { B, elements: w.elements(d), timings, notes, checks };
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

function summarize(tableRows, sweep) {
  const s = { slow: [], vsCpu: [], vsWasm: [], vsLoop: [], disagree: [], grads: [] };
  for (const r of tableRows) {
    const l = r.timings.losskit;
    if (!l) continue;
    const loop = r.timings.loop, cpu = r.timings["tfjs-cpu"], wasm = r.timings["tfjs-wasm"];
    if (loop) {
      const ratio = l.median / loop.median;
      s.vsLoop.push(ratio);
      if (ratio > 1.3) s.slow.push({ id: r.w.id, title: r.w.title, ratio });
    }
    if (cpu) s.vsCpu.push({ id: r.w.id, x: cpu.median / l.median });
    if (wasm) s.vsWasm.push({ id: r.w.id, x: wasm.median / l.median });
  }
  for (const r of tableRows) {
    for (const [name, c] of Object.entries(r.checks)) {
      if (!(c.relErr <= AGREE) || (c.gradErr !== undefined && !(c.gradErr <= AGREE))) s.disagree.push({ id: r.w.id, name, relErr: c.relErr, gradErr: c.gradErr });
    }
    if (r.w.kind === "valueAndGrad") {
      const base = tableRows.find((x) => x.w.id === r.w.valueOf);
      if (!base) continue;
      const vg = r.timings.losskit, v = base?.timings.losskit;
      const lvg = r.timings.loop, lv = base?.timings.loop;
      s.grads.push({ id: r.w.id, of: r.w.valueOf, losskit: vg && v ? vg.median / v.median : NaN, loop: lvg && lv ? lvg.median / lv.median : NaN });
    }
  }
  s.geoCpu = geometricMean(s.vsCpu.map((x) => x.x));
  s.geoWasm = geometricMean(s.vsWasm.map((x) => x.x));
  s.geoLoop = geometricMean(s.vsLoop);
  s.minCpu = s.vsCpu.length ? s.vsCpu.reduce((a, b) => (b.x < a.x ? b : a)) : undefined;
  s.minWasm = s.vsWasm.length ? s.vsWasm.reduce((a, b) => (b.x < a.x ? b : a)) : undefined;
  const mse = sweep?.find((x) => x.w.id === "W1");
  const p1 = mse?.points.find((p) => p.B === 1);
  if (p1?.timings.losskit) {
    s.overheadB1 = { losskit: p1.timings.losskit.median, loop: p1.timings.loop?.median, elements: p1.elements };
  }
  return s;
}

function fmtPrimitives(p) {
  return Object.entries(p)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(", ");
}

function machine(ctx, o) {
  const c = cpus();
  return {
    cpu: `${c[0]?.model?.trim() ?? "unknown CPU"} × ${c.length}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${osType()} ${release()} ${arch()}`,
    node: `Node ${process.version} (V8 ${process.versions.v8})`,
    load: loadavg().map((x) => x.toFixed(2)).join(" "),
    tfjs: ctx.tf ? `tfjs-core ${ctx.tfInfo.version}: backends ${ctx.backends.join(", ")}; WASM SIMD ${ctx.tfInfo.wasmSimd ? "on" : "off"}, ${ctx.tfInfo.wasmThreads} thread(s)` : `TensorFlow.js unavailable: ${ctx.tfError}`,
    losskit: ctx.lk ? `losskit ${ctx.lkVersion} (dist/index.js)` : `losskit unavailable: ${ctx.lkError}`,
  };
}

function markdown(ctx, o, m, tableRows, memoryRows, sweep, s, elapsed, argv) {
  const lines = [];
  lines.push("# losskit benchmark results", "");
  lines.push(`Command: \`npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}\` · ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · total ${(elapsed / 60).toFixed(1)} min`, "");
  lines.push(`- Machine: ${m.cpu}, ${m.memory}, ${m.os}; load average at start ${m.load}`);
  lines.push(`- ${m.node}; ${m.losskit}; ${m.tfjs}`);
  lines.push(`- Cost of one operation in a JS loop here, ns per element: ${fmtPrimitives(m.primitives)}`);
  lines.push(
    `- Method: one process, identical fixed-seed float32 data, Keras default reduction (\`sum_over_batch_size\`); per workload each implementation is checked against a float64 reference, warmed up, then timed in interleaved rounds (order rotated each round), GC before every sample; a sample repeats the call until it lasts ≥ ${o.minSampleMs} ms. ${o.samples} samples per implementation, ${o.cpuSamples} for tfjs-cpu (its calls take up to seconds). Times are medians [min–max] in ms per call.`,
  );
  lines.push("");
  if (tableRows.length) {
    lines.push(`## Workloads (batch ${o.batch})`, "");
    const rows = [["id", "workload", "shape", ...IMPLS.map((n) => `${LABELS[n]} ms`), "losskit ns/el", "loop ns/el", "losskit / loop", "tfjs-cpu / losskit", "tfjs-wasm / losskit"]];
    for (const r of tableRows) {
      const l = r.timings.losskit, j = r.timings.loop, c = r.timings["tfjs-cpu"], w = r.timings["tfjs-wasm"];
      const ns = (t) => (t ? ((t.median * 1e6) / r.elements).toFixed(2) : "–");
      rows.push([
        r.w.id,
        r.w.title,
        r.shape,
        ...IMPLS.map((n) => fmtTiming(cell(r, n))),
        ns(l),
        ns(j),
        l && j ? fmtRatio(l.median / j.median) : "–",
        l && c ? fmtRatio(c.median / l.median) : "–",
        l && w ? fmtRatio(w.median / l.median) : "–",
      ]);
    }
    lines.push(markdownTable(rows, "lll"), "");
    lines.push("ns/el: nanoseconds per element of yPred (W18: per pair, B²). Ratios above 1 in the last two columns mean losskit is faster.", "");
    const notes = tableRows.flatMap((r) => Object.entries(r.notes).filter(([, v]) => v.error || (v.missing && v.missing !== "n/a")).map(([k, v]) => `- ${r.w.id} ${LABELS[k]}: ${v.error ?? v.missing}`));
    if (notes.length) lines.push("Not measured:", "", ...notes, "");

    lines.push("## Accuracy", "");
    lines.push(`Relative error of the value against the float64 reference (for valueAndGrad rows also max |grad − ref| / max |ref|). Every implementation must agree within ${AGREE}.`, "");
    const acc = [["id", "workload", "reference value", ...IMPLS.map((n) => LABELS[n])]];
    for (const r of tableRows) {
      acc.push([
        r.w.id,
        r.w.title,
        r.ref.value.toPrecision(10),
        ...IMPLS.map((n) => {
          const c = r.checks[n];
          if (!c) return "–";
          return `${fmtErr(c.relErr)}${c.gradErr !== undefined ? ` / grad ${fmtErr(c.gradErr)}` : ""}${!(c.relErr <= AGREE) || (c.gradErr !== undefined && !(c.gradErr <= AGREE)) ? " ✗" : ""}`;
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

    lines.push("## Targets (issue 5)", "");
    const okMark = (ok) => (ok ? "met" : "**not met**");
    const slowList = s.slow.map((x) => `${x.id} ${fmtRatio(x.ratio)}`).join(", ");
    lines.push(`- Every workload within 1.3x of the JS loop: ${okMark(s.vsLoop.length > 0 && s.slow.length === 0)}${s.slow.length ? ` (slower: ${slowList})` : ""}; geometric mean losskit/loop ${fmtRatio(s.geoLoop)}.`);
    lines.push(`- Geometric mean ≥ 15x faster than tfjs-cpu, none under 5x: ${okMark(s.geoCpu >= 15 && s.minCpu?.x >= 5)} (geometric mean ${fmtRatio(s.geoCpu)}, slowest ${s.minCpu ? `${s.minCpu.id} ${fmtRatio(s.minCpu.x)}` : "–"}).`);
    lines.push(`- Geometric mean at least as fast as tfjs-wasm: ${okMark(s.geoWasm >= 1)} (geometric mean ${fmtRatio(s.geoWasm)}, slowest ${s.minWasm ? `${s.minWasm.id} ${fmtRatio(s.minWasm.x)}` : "–"}).`);
    const lkErr = tableRows.map((r) => r.checks.losskit?.relErr).filter((x) => x !== undefined);
    const wasmErr = tableRows.map((r) => r.checks["tfjs-wasm"]?.relErr).filter((x) => x !== undefined);
    lines.push(`- Exact accuracy (≤ 1e-6 relative to float64): losskit worst ${fmtErr(Math.max(...lkErr))}; tfjs-wasm worst ${fmtErr(Math.max(...wasmErr))}.`);
    for (const g of s.grads) lines.push(`- valueAndGrad ≤ 2x the value alone: ${g.id}/${g.of} losskit ${fmtRatio(g.losskit)} (${okMark(g.losskit <= 2)}), JS loop ${fmtRatio(g.loop)}.`);
    if (s.overheadB1) {
      lines.push(`- Per-call overhead at B = 1 under 2 µs: ${okMark(s.overheadB1.losskit * 1000 < 2)} (MSE [1, ${SWEEP_D}]: losskit ${fmtUs(s.overheadB1.losskit)} µs per call, JS loop ${fmtUs(s.overheadB1.loop)} µs).`);
    }
    if (s.disagree.length) lines.push(`- Disagreements beyond ${AGREE}: ${s.disagree.map((x) => `${x.id} ${LABELS[x.name]} (${fmtErr(x.relErr)}${x.gradErr !== undefined ? `, grad ${fmtErr(x.gradErr)}` : ""})`).join("; ")}.`);
    lines.push("");
  }
  if (memoryRows.length) {
    lines.push(`## Memory per call (batch ${o.batch})`, "");
    lines.push(
      "JS loop and losskit: growth of `process.memoryUsage().arrayBuffers` (typed-array storage) + JS heap over one warm call after a full GC (≥ and “heap ?”: the collector ran during the call even in the cleanest of 5 tries, so bytes were freed mid-call; several GCs in one call mean the code allocates per element, e.g. boxed doubles). tfjs: bytes of all tensors its kernels allocate in one call (`tf.profile`), and the peak of live tensor bytes. “× input” is ArrayBuffer bytes over the bytes of yPred.",
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
        verdict = extra > r.inputBytes / 4 ? "full-size intermediate" : `O(batch): ${(Math.max(extra, 0) / r.batch).toFixed(0)} B/sample${gradBytes ? " + the gradient" : ""}`;
        if (lk.collections >= 2) verdict += `; **allocates per element** (${lk.collections} GCs during one call)`;
      }
      rows.push([r.w.id, r.w.title, fmtBytes(r.inputBytes), ...IMPLS.map((n) => fmtAllocation(r.result[n])), times, verdict]);
    }
    lines.push(markdownTable(rows, "ll"), "");
  }
  if (sweep.length) {
    lines.push(`## Batch-size sweep (feature size ${SWEEP_D})`, "");
    lines.push("Median µs per call (ns per element in parentheses). Small batches show the per-call overhead; large ones the memory bandwidth.", "");
    for (const { w, points } of sweep) {
      lines.push(`### ${w.id} ${w.title}`, "");
      const rows = [["B", "elements", ...IMPLS.map((n) => LABELS[n]), "losskit / loop"]];
      for (const p of points) {
        const f = (n) => {
          const t = p.timings[n];
          if (!t) return p.notes[n]?.missing ?? (p.notes[n]?.error ? "error" : "–");
          return `${fmtUs(t.median)} (${((t.median * 1e6) / p.elements).toFixed(2)})`;
        };
        const l = p.timings.losskit, j = p.timings.loop;
        rows.push([String(p.B), fmtCount(p.elements), ...IMPLS.map(f), l && j ? fmtRatio(l.median / j.median) : "–"]);
      }
      lines.push(markdownTable(rows, "ll"), "");
    }
  }
  lines.push("## What each column runs", "");
  lines.push("- JS loop: bench/loops.mjs, the plain single-pass loop for that workload (Math.exp/log, one double accumulator, the Keras formula and clipping).");
  lines.push("- losskit: the Keras-named class with default reduction, called on zero-copy `tensor()` views of the same typed arrays (valueAndGrad rows: `loss.valueAndGrad`).");
  lines.push("- tfjs-cpu / tfjs-wasm: tfjs-core 4.22 with `@tensorflow/tfjs-backend-cpu` / `@tensorflow/tfjs-backend-wasm` (SIMD, 1 thread in Node); the call runs in `tf.tidy` and reads the scalar back with `dataSync()` (valueAndGrad rows: `tf.valueAndGrads`, and the gradient read back too). Input tensors are created once, outside the timing.");
  lines.push("");
  const peers = [["id", "tfjs implementation"], ...WORKLOADS.filter((w) => tableRows.some((r) => r.w === w) || memoryRows.some((r) => r.w === w)).map((w) => [w.id, w.tfjsNote])];
  lines.push(markdownTable(peers, "ll"), "");
  lines.push("Data (bench/data.mjs, fixed seeds): W1–W4, W10, W12 yTrue ~ N(0,1), yPred = yTrue + N(0,1); W5, W14 labels 0/1 and logits ~ N(0, 3²); W6 labels 0/1 and probabilities uniform in (0, 1); W7, W8, W13, W15 one 1000-class label per row, logits ~ N(0, 3²); W9 rows of normalized uniforms; W11 labels ±1, predictions N(0,1); W16 masks (30% ones) and correlated sigmoid probabilities, [B, 32, 32, 1]; W17 B/16 sequences of 100 frames × 32 classes, labels of 10–20 non-blank tokens; W18 B/4 unit embeddings of size 128 around 32 class centres.");
  lines.push("");
  return lines.join("\n");
}

// ---- main -----------------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const o = parseArgs(argv);
  const started = performance.now();
  if (!gc) console.warn("warning: run with node --expose-gc (npm run bench does): no GC between samples and no memory section");
  const ctx = { backends: [] };
  try {
    ctx.lk = await import(pathToFileURL(join(here, "..", "dist", "index.js")).href);
    ctx.lkVersion = JSON.parse((await import("node:fs")).readFileSync(join(here, "..", "package.json"), "utf8")).version;
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
  const m = machine(ctx, o);
  m.primitives = primitiveCosts();
  console.log(`losskit bench: ${m.cpu}, ${m.memory}, ${m.node}; load ${m.load}`);
  console.log(`ns per element: ${fmtPrimitives(m.primitives)}`);
  console.log(`${m.tfjs}`);
  console.log(`sections: ${[...o.sections].join(", ")}; batch ${o.batch}; ${o.samples} samples (tfjs-cpu ${o.cpuSamples})${o.quick ? "; --quick" : ""}\n`);
  const missing = WORKLOADS.filter((w) => !ctx.lk || typeof ctx.lk[w.className] !== "function");
  if (missing.length) console.log(`not yet exported by losskit: ${missing.map((w) => `${w.id} ${w.className}`).join(", ")}\n`);

  const workloads = selectWorkloads(o.only);
  const tableRows = o.sections.has("table") ? await runTable(workloads, ctx, o) : [];
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
  const s = summarize(tableRows, sweep);
  const elapsed = (performance.now() - started) / 1000;
  const md = markdown(ctx, o, m, tableRows, memoryRows, sweep, s, elapsed, argv);
  if (tableRows.length) {
    console.log("\nsummary (medians, ms per call)");
    const rows = [["id", "workload", ...IMPLS.map((n) => LABELS[n]), "lk/loop", "cpu/lk", "wasm/lk"]];
    for (const r of tableRows) {
      const l = r.timings.losskit, j = r.timings.loop, c = r.timings["tfjs-cpu"], w = r.timings["tfjs-wasm"];
      rows.push([r.w.id, r.w.title, ...IMPLS.map((n) => (r.timings[n] ? fmtMs(r.timings[n].median) : (cell(r, n)?.missing ?? "error"))), l && j ? fmtRatio(l.median / j.median) : "–", l && c ? fmtRatio(c.median / l.median) : "–", l && w ? fmtRatio(w.median / l.median) : "–"]);
    }
    console.log(textTable(rows));
    console.log(`\ngeometric means: losskit/loop ${fmtRatio(s.geoLoop)}; tfjs-cpu/losskit ${fmtRatio(s.geoCpu)}; tfjs-wasm/losskit ${fmtRatio(s.geoWasm)}`);
    if (s.slow.length) console.log(`slower than 1.3x the loop: ${s.slow.map((x) => `${x.id} ${fmtRatio(x.ratio)}`).join(", ")}`);
    for (const g of s.grads) console.log(`valueAndGrad / value: ${g.id}/${g.of} losskit ${fmtRatio(g.losskit)}, loop ${fmtRatio(g.loop)}`);
    if (s.disagree.length) console.log(`DISAGREEMENT beyond ${AGREE}: ${s.disagree.map((x) => `${x.id} ${x.name} ${fmtErr(x.relErr)}${x.gradErr !== undefined ? ` grad ${fmtErr(x.gradErr)}` : ""}`).join("; ")}`);
  }
  if (s.overheadB1) console.log(`per call at B=1 (MSE [1,${SWEEP_D}]): losskit ${fmtUs(s.overheadB1.losskit)} µs, loop ${fmtUs(s.overheadB1.loop)} µs`);
  if (o.write) {
    writeFileSync(o.out, md);
    console.log(`\nwrote ${o.out} (${elapsed.toFixed(0)} s)`);
  }
}

main().catch((e) => {
  // Usage mistakes (unknown option or workload) get their message; anything else its stack.
  const usage = e instanceof Error && /^(unknown |--\S+ (needs|must))/.test(e.message);
  console.error(usage ? `bench: ${e.message}` : e instanceof Error ? e.stack : e);
  process.exit(1);
});
