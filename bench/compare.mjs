// A/B comparison of two losskit builds, in one process, on the same data:
//
//   node --expose-gc bench/compare.mjs --a <dirA>/dist/index.js --b <dirB>/dist/index.js [--only W1,W5g]
//
// For a refactor: "no workload more than 5% slower". On a shared, noisy machine two separate
// runs of the benchmark differ by more than that, so both builds run here side by side:
// the same process, the same data arrays, the same JIT state of everything else, and their
// calls interleaved: every round is a full GC, then A B B A (B A A B in the next round, so
// that the first call after a GC falls on each build equally often), each call timed alone.
// A round gives one ratio, (b1 + b2) / (a1 + a2); the verdict comes from the median of the
// round ratios and a bootstrap 95% interval of that median, so a burst of load from another
// process during a few rounds does not decide it.
//
// Before timing, every selected loss of both builds is called with float64 data (as in
// npm run bench), and both builds' values are checked against each other.
//
// Options:
//   --a FILE, --b FILE   the two builds (ES module entry points); the same file twice gives
//                        an A/A run that shows the noise floor
//   --only W1,W5g        workloads (default: every workload of bench/workloads.mjs)
//   --batch N            batch (default 4096, as npm run bench)
//   --budget S           seconds of timed rounds per workload (default 2; --quick 0.5)
//   --min-rounds N       at least N rounds per workload (default 15) unless that takes over
//   --max-seconds S      S seconds (default 30; never under 5 rounds)
//   --threshold X        relative slowdown that counts (default 0.05)
//   --quick              smaller budget
//   --no-f64-first       skip the float64 calls
//
// Exit status 1 when some workload of B is slower than A by more than the threshold with the
// whole 95% interval above it.

import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { clearDatasets, rng } from "./data.mjs";
import { gc, median, quantile, sink, geometricMean } from "./measure.mjs";
import { losskitValue, losskitValueAndGrad, selectWorkloads, toFloat64 } from "./workloads.mjs";

function parseArgs(argv) {
  const o = { a: null, b: null, only: [], batch: 4096, budget: undefined, minRounds: 15, maxSeconds: 30, threshold: 0.05, quick: false, f64First: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (name) => {
      const n = Number(value());
      if (!(n > 0)) throw new Error(`${name} must be a positive number`);
      return n;
    };
    if (a === "--a" || a.startsWith("--a=")) o.a = resolve(value());
    else if (a === "--b" || a.startsWith("--b=")) o.b = resolve(value());
    else if (a.startsWith("--only")) o.only = value().split(",").filter(Boolean);
    else if (a.startsWith("--batch")) o.batch = Math.round(num("--batch"));
    else if (a.startsWith("--budget")) o.budget = num("--budget");
    else if (a.startsWith("--min-rounds")) o.minRounds = Math.round(num("--min-rounds"));
    else if (a.startsWith("--max-seconds")) o.maxSeconds = num("--max-seconds");
    else if (a.startsWith("--threshold")) o.threshold = num("--threshold");
    else if (a === "--quick") o.quick = true;
    else if (a === "--no-f64-first") o.f64First = false;
    else if (a === "--help" || a === "-h") {
      console.log("usage: node --expose-gc bench/compare.mjs --a A/dist/index.js --b B/dist/index.js [--only W1,W5g] [--batch N] [--budget S] [--min-rounds N] [--max-seconds S] [--threshold X] [--quick] [--no-f64-first]");
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (!o.a || !o.b) throw new Error("--a and --b are required (two losskit builds, e.g. ../main/dist/index.js and dist/index.js)");
  o.budget ??= o.quick ? 0.5 : 2;
  return o;
}

/** The call of workload `w` with build `lk` on data `d`: { run, mode }. */
function callOf(w, lk, d, dtype = "float32") {
  if (w.kind === "value") return { run: losskitValue(w, lk, d, dtype), mode: "" };
  const h = losskitValueAndGrad(w, lk, d, dtype);
  return { run: h.run, mode: h.mode };
}

const valueOf = (r) => (typeof r === "number" ? r : typeof r?.value === "number" ? r.value : NaN);

/** Median of `values` and a bootstrap 95% interval of it (resampling with a fixed seed). */
export function medianWithInterval(values, resamples = 2000, seed = 12345) {
  const random = rng(seed);
  const n = values.length;
  const medians = new Float64Array(resamples);
  const sample = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(random() * n)];
    medians[r] = median(sample);
  }
  return { median: median(values), lo: quantile(medians, 0.025), hi: quantile(medians, 0.975) };
}

/** Verdict for B against A from the interval of the median ratio b/a. */
export function verdict({ median: m, lo, hi }, threshold) {
  if (lo > 1 + threshold) return "SLOWER";
  if (hi < 1 - threshold) return "faster";
  if (m > 1 + threshold) return "slower?"; // the median is past the threshold but the interval is not
  if (m < 1 - threshold) return "faster?";
  return "same";
}

function timeOne(run) {
  const t0 = performance.now();
  sink.last = run();
  return performance.now() - t0;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!gc) console.warn("warning: run with node --expose-gc: no GC between rounds");
  // Query strings make two module instances even when both paths are the same file (A/A).
  const A = await import(`${pathToFileURL(o.a).href}?build=a`);
  const B = await import(`${pathToFileURL(o.b).href}?build=b`);
  const workloads = selectWorkloads(o.only).filter((w) => typeof A[w.className] === "function" && typeof B[w.className] === "function");
  console.log(`A: ${o.a}\nB: ${o.b}\n${workloads.length} workloads, batch ${o.batch}, ${o.budget} s of rounds each (at least ${o.minRounds}), threshold ${(o.threshold * 100).toFixed(0)}%\n`);

  if (o.f64First) {
    for (const w of workloads) {
      const d64 = toFloat64(w.data(16));
      for (const lk of [A, B]) {
        const { run } = callOf(w, lk, d64, "float64");
        for (let i = 0; i < 20; i++) sink.last = run();
      }
    }
    clearDatasets();
  }

  const rows = [];
  const header = `${"id".padEnd(5)} ${"A ms".padStart(9)} ${"B ms".padStart(9)} ${"B/A".padStart(6)} ${"95% interval".padStart(15)} ${"rounds".padStart(6)}  verdict`;
  console.log(header);
  for (const w of workloads) {
    const d = w.data(o.batch);
    const a = callOf(w, A, d), b = callOf(w, B, d);
    const va = valueOf(a.run()), vb = valueOf(b.run());
    const differ = !(Math.abs(va - vb) <= 1e-6 * Math.max(Math.abs(va), Math.abs(vb)));
    // Warm both, then size the rounds to the budget.
    let ms = 0;
    for (let i = 0; i < 5; i++) ms = Math.max(timeOne(a.run), timeOne(b.run));
    // As many rounds as fit in the budget, at least --min-rounds unless that would take over
    // --max-seconds (slow calls: Circle's gradient takes seconds), never under 5.
    const perRound = 4 * Math.max(ms, 1e-3);
    const floor = Math.max(5, Math.min(o.minRounds, Math.floor((o.maxSeconds * 1000) / perRound)));
    const rounds = Math.max(floor, Math.min(401, Math.floor((o.budget * 1000) / perRound)));
    const ta = [], tb = [], ratios = [];
    for (let r = 0; r < rounds; r++) {
      gc?.();
      let a1, a2, b1, b2;
      if (r % 2 === 0) {
        a1 = timeOne(a.run);
        b1 = timeOne(b.run);
        b2 = timeOne(b.run);
        a2 = timeOne(a.run);
      } else {
        b1 = timeOne(b.run);
        a1 = timeOne(a.run);
        a2 = timeOne(a.run);
        b2 = timeOne(b.run);
      }
      ta.push(a1, a2);
      tb.push(b1, b2);
      ratios.push((b1 + b2) / (a1 + a2));
    }
    const ci = medianWithInterval(ratios);
    const v = verdict(ci, o.threshold);
    const row = { id: w.id, title: w.title, a: median(ta), b: median(tb), ratio: ci, rounds, verdict: v, modes: a.mode !== b.mode ? `${a.mode || "–"} → ${b.mode || "–"}` : "", differ: differ ? { a: va, b: vb } : null };
    rows.push(row);
    clearDatasets();
    const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(4)).padStart(9);
    console.log(
      `${w.id.padEnd(5)} ${fmt(row.a)} ${fmt(row.b)} ${ci.median.toFixed(3).padStart(6)} ${`[${ci.lo.toFixed(3)}, ${ci.hi.toFixed(3)}]`.padStart(15)} ${String(rounds).padStart(6)}  ${v}` +
        (row.modes ? `  (gradient: ${row.modes})` : "") +
        (row.differ ? `  VALUES DIFFER: A ${va} B ${vb}` : ""),
    );
  }
  const slower = rows.filter((r) => r.verdict === "SLOWER");
  const maybe = rows.filter((r) => r.verdict === "slower?");
  const differ = rows.filter((r) => r.differ);
  console.log(`\ngeometric mean B/A ${geometricMean(rows.map((r) => r.ratio.median)).toFixed(3)} over ${rows.length} workloads`);
  console.log(
    slower.length
      ? `B is more than ${(o.threshold * 100).toFixed(0)}% slower on: ${slower.map((r) => `${r.id} ${r.ratio.median.toFixed(3)}`).join(", ")}`
      : `no workload of B is more than ${(o.threshold * 100).toFixed(0)}% slower than A (whole 95% interval)`,
  );
  if (maybe.length) console.log(`median past the threshold but interval not (rerun with --only ${maybe.map((r) => r.id).join(",")} --budget 5): ${maybe.map((r) => `${r.id} ${r.ratio.median.toFixed(3)}`).join(", ")}`);
  if (differ.length) console.log(`values differ beyond 1e-6 relative: ${differ.map((r) => r.id).join(", ")}`);
  process.exitCode = slower.length ? 1 : 0;
}

// Run when executed (node bench/x.mjs), not when imported (the tests import its helpers).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main().catch((e) => {
  const usage = e instanceof Error && /^(unknown |--\S+ (needs|must|and))/.test(e.message);
  console.error(usage ? `compare: ${e.message}` : e instanceof Error ? e.stack : e);
  process.exit(2);
});
