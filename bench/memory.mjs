// Memory per call.
//
// JavaScript implementations (the loop, losskit): the growth of
// `process.memoryUsage().arrayBuffers` (typed-array storage) and of the JS heap across
// one call, after a full GC (`--expose-gc`). Nothing is freed during the call unless a GC
// runs; a PerformanceObserver watches for one, and a call during which the collector ran
// is measured again; the cleanest of a few measurements is kept, and a call that still
// collects every time (it allocates per element) is reported with its GC count.
//
// TensorFlow.js: `tf.profile()` of one call: the bytes of every tensor its kernels
// allocate (the sum of the kernels' outputs) and the peak of live tensor bytes.

import { PerformanceObserver, performance } from "node:perf_hooks";
import { setImmediate as tick } from "node:timers/promises";
import { gc, sink } from "./measure.mjs";

const gcEvents = [];
let observer;

function watchGc() {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcEvents.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  observer.observe({ entryTypes: ["gc"] });
}

export function stopWatchingGc() {
  observer?.disconnect();
  observer = undefined;
}

let baseline;

/** Bytes allocated by one call of `run` (JS implementations), less what measuring itself allocates. */
export async function measureJsAllocation(run, attempts = 5) {
  if (!gc) return { error: "run node with --expose-gc" };
  watchGc();
  if (!baseline) {
    baseline = { arrayBuffers: 0, heap: 0 };
    baseline = await measureJsAllocation(() => undefined, 8);
  }
  const best = await smallest(run, attempts);
  return { ...best, arrayBuffers: best.arrayBuffers - baseline.arrayBuffers, heap: Math.max(0, best.heap - baseline.heap) };
}

/**
 * The cleanest of `attempts` measured calls: fewest collections during the call, then
 * fewest bytes. `collections` counts the GCs that ran during the call: a kernel that
 * allocates per element (boxed doubles, closures) triggers young-generation GCs in every
 * call, which is reported rather than hidden.
 */
async function smallest(run, attempts) {
  let best;
  for (let i = 0; i < attempts; i++) {
    gc();
    await tick();
    gc();
    await tick();
    gcEvents.length = 0;
    const m0 = process.memoryUsage();
    const t0 = performance.now();
    const result = run();
    const t1 = performance.now();
    const m1 = process.memoryUsage();
    sink.last = result;
    await tick();
    await tick();
    const collections = gcEvents.filter((e) => e.end >= t0 && e.start <= t1).length;
    gcEvents.length = 0;
    const sample = { arrayBuffers: m1.arrayBuffers - m0.arrayBuffers, heap: m1.heapUsed - m0.heapUsed, collections, lowerBound: collections > 0 };
    if (!best || sample.collections < best.collections || (sample.collections === best.collections && sample.arrayBuffers + sample.heap < best.arrayBuffers + best.heap)) {
      best = sample;
    }
  }
  return best;
}

/** Tensor bytes allocated by one tfjs call, and the peak of live tensor bytes. */
export async function measureTfjsAllocation(tf, run) {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => {
    sink.last = run();
  });
  let allocated = 0;
  for (const k of info.kernels) if (k.bytesAdded > 0) allocated += k.bytesAdded;
  // A kernel's bytesAdded is net of what it freed; add the outputs of kernels that freed
  // their inputs in the same step by counting output shapes instead where available.
  let outputs = 0;
  for (const k of info.kernels) {
    for (const shape of k.outputShapes ?? []) outputs += 4 * shape.reduce((p, d) => p * d, 1);
  }
  return {
    allocated: Math.max(allocated, outputs),
    peak: info.peakBytes - before,
    kernels: info.kernels.length,
    leaked: tf.memory().numBytes - before,
  };
}
