// Timing as users call (issue 10): every call timed on its own (performance.now() around
// one call), a full GC (`--expose-gc`) before every group of a few calls, implementations
// interleaved (order rotated each round), and per implementation the median and the 90th
// percentile of the single-call times, plus the median of the first calls after a GC.

import { performance } from "node:perf_hooks";

/** Results are written here so that no call can be optimized away. */
export const sink = { last: undefined };

export const gc = typeof globalThis.gc === "function" ? globalThis.gc : null;

export function median(values) {
  return quantile(values, 0.5);
}

/** The q-quantile with linear interpolation between order statistics (NumPy's default). */
export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export function geometricMean(values) {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return NaN;
  return Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
}

/**
 * Warm an implementation up: at least `calls` calls, stopping early after `maxMs` (slow
 * implementations get fewer), never fewer than one. Returns the last call's time in ms.
 */
export function warm(run, { calls = 5, maxMs = 1500 } = {}) {
  const start = performance.now();
  let last = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    sink.last = run();
    last = performance.now() - t0;
    if (performance.now() - start > maxMs) break;
  }
  return last;
}

/**
 * Time implementations call by call.
 *
 * `impls`: [{ name, run, before?, samples }]: `run()` is one call, `before()` (async,
 * untimed) prepares for it (the tfjs backend switch). Rounds rotate the order of the
 * implementations; in a round each implementation that still needs samples gets a full GC
 * and then `perGroup` calls, each timed alone. `overhead` (ms) is subtracted from every
 * time (the cost of the two performance.now() calls, which matters for sub-µs calls).
 *
 * Returns, per name: { median, p90, min, max, mean, afterGc, samples, times } in ms, where
 * afterGc is the median of the first call of each group (the call right after a GC).
 */
export async function timeCalls(impls, { perGroup = 3, overhead = 0 } = {}) {
  const state = impls.map((impl) => ({ impl, times: [], first: [] }));
  for (let round = 0; state.some((s) => s.times.length < s.impl.samples); round++) {
    for (let k = 0; k < state.length; k++) {
      const s = state[(k + round) % state.length];
      if (s.times.length >= s.impl.samples) continue;
      await s.impl.before?.();
      gc?.();
      const run = s.impl.run;
      const calls = Math.min(perGroup, s.impl.samples - s.times.length);
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        sink.last = run();
        const ms = performance.now() - t0 - overhead;
        s.times.push(ms);
        if (i === 0) s.first.push(ms);
      }
    }
  }
  const out = {};
  for (const s of state) {
    const t = s.times;
    out[s.impl.name] = {
      median: median(t),
      p90: quantile(t, 0.9),
      min: Math.min(...t),
      max: Math.max(...t),
      mean: t.reduce((a, b) => a + b, 0) / t.length,
      afterGc: median(s.first),
      samples: t.length,
      times: t,
    };
  }
  return out;
}

/** The median cost in ms of timing one call of an empty function (two performance.now() calls). */
export function timerOverhead(samples = 20000) {
  const nothing = () => undefined;
  const t = new Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    sink.last = nothing();
    t[i] = performance.now() - t0;
  }
  return median(t);
}
