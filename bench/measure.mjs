// Timing: warm-up, calibrated repetitions, interleaved rounds, GC between samples,
// medians and min-max.

import { performance } from "node:perf_hooks";

/** Results are written here so that no call can be optimized away. */
export const sink = { last: undefined };

export const gc = typeof globalThis.gc === "function" ? globalThis.gc : null;

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function geometricMean(values) {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return NaN;
  return Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
}

/**
 * Time a set of implementations of one workload.
 *
 * `impls`: [{ name, run, before?, samples, firstCallMs? }] where `run()` does one call and
 * `before()` (async, untimed) prepares for it (the tfjs backend switch); `firstCallMs` is
 * how long a call the caller made already took. Each implementation is
 * warmed up, then the rounds interleave the implementations (rotating the order each
 * round); before every sample the heap is collected (`--expose-gc`). A sample repeats the
 * call `reps` times, chosen so that a sample lasts at least `minSampleMs`, and records the
 * time per call.
 *
 * Returns, per name: { median, min, max, samples, reps, times }.
 */
export async function timeImplementations(impls, { warmup = 3, minSampleMs = 20, maxReps = 100000 } = {}) {
  const state = [];
  for (const impl of impls) {
    await impl.before?.();
    // A call that took over a second already (the caller's check) is warm enough: JIT
    // warm-up is a few milliseconds, and another call costs seconds of the time budget.
    if (impl.firstCallMs > 1000) {
      state.push({ impl, reps: 1, times: [] });
      continue;
    }
    // Warm-up: at least one call; more for the fast ones (slow calls get one or two).
    let t0 = performance.now();
    sink.last = impl.run();
    let callMs = performance.now() - t0;
    const extra = callMs > 500 ? 0 : callMs > 100 ? Math.min(1, warmup) : warmup;
    for (let i = 0; i < extra; i++) {
      t0 = performance.now();
      sink.last = impl.run();
      callMs = performance.now() - t0;
    }
    // Calibrate: time a small batch of calls, as fast calls are below the timer's resolution.
    if (callMs < minSampleMs) {
      let n = 1;
      for (;;) {
        t0 = performance.now();
        for (let i = 0; i < n; i++) sink.last = impl.run();
        const ms = performance.now() - t0;
        if (ms >= minSampleMs / 4 || n >= maxReps) {
          callMs = ms / n;
          break;
        }
        n *= 4;
      }
    }
    const reps = Math.max(1, Math.min(maxReps, Math.ceil(minSampleMs / Math.max(callMs, 1e-6))));
    state.push({ impl, reps, times: [] });
  }
  const rounds = Math.max(...impls.map((i) => i.samples));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < state.length; k++) {
      const s = state[(k + round) % state.length];
      if (s.times.length >= s.impl.samples) continue;
      await s.impl.before?.();
      gc?.();
      const run = s.impl.run;
      const reps = s.reps;
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) sink.last = run();
      s.times.push((performance.now() - t0) / reps);
    }
  }
  const out = {};
  for (const s of state) {
    out[s.impl.name] = {
      median: median(s.times),
      min: Math.min(...s.times),
      max: Math.max(...s.times),
      samples: s.times.length,
      reps: s.reps,
      times: s.times,
    };
  }
  return out;
}
