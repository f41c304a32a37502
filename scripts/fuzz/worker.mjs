// A fuzz worker: runs the chunks of cases the main thread (run.mjs) hands it, against
// dist/, and reports a per-target tally and the cases that broke a promise. Before each
// case it writes [chunk, index, start time] into shared memory, so that the main thread's
// watchdog can tell which case hangs.
import { parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import * as lib from "../../dist/index.js";
import { caseArb, fuzzTargets, runCase, tally } from "../../test/fuzz/generators.mjs";

const targets = fuzzTargets(lib);
const progress = new Float64Array(workerData.progress);
const MAX_FAILURES_PER_CHUNK = 5;

parentPort.on("message", ({ chunk, chunkSeed, size, start }) => {
  const specs = fc.sample(caseArb, { seed: chunkSeed, numRuns: size });
  const table = {};
  const failures = [];
  let slowest = { ms: 0 };
  for (let index = start; index < size; index++) {
    progress[0] = chunk;
    progress[1] = index;
    progress[2] = Date.now();
    const outcome = runCase(lib, targets, specs[index]);
    tally(table, outcome);
    if (outcome.ms > slowest.ms) slowest = { ms: outcome.ms, target: outcome.target, method: outcome.method, chunkSeed, index };
    if (outcome.violations.length > 0 && failures.length < MAX_FAILURES_PER_CHUNK) {
      failures.push({ target: outcome.target, method: outcome.method, violations: outcome.violations, chunkSeed, index, spec: fc.stringify(specs[index]) });
    }
  }
  progress[2] = 0;
  parentPort.postMessage({ chunk, table, failures, slowest, cases: size - start });
});
