// `npm run fuzz -- --n 300000 --seed 7 [--workers 2] [--chunk 500] [--hang-ms 10000]`
// `npm run fuzz -- --replay <chunkSeed>:<index>`   (one case, in this process, verbose)
//
// The long fuzz run: the generator of test/fuzz.test.ts (test/fuzz/generators.mjs), run
// against the built package (dist/) in worker threads. A watchdog ends a worker whose case
// runs longer than --hang-ms, records the case as a hang, and starts a new worker on the
// rest of the chunk. Prints a per-loss outcome table and every case that broke a promise
// (a non-LossError exception, a result of the wrong kind or shape, a changed input, a
// call over 1 s, a hang), with the --replay argument that reruns it. Exit code 1 if any.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import * as lib from "../../dist/index.js";
import { caseArb, fuzzTargets, runCase, tally } from "../../test/fuzz/generators.mjs";

function parseArgs(argv) {
  const args = { n: 300_000, seed: 1, workers: Math.max(1, Math.min(availableParallelism(), 8)), chunk: 500, hangMs: 10_000, replay: undefined };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    const number = () => {
      const x = Number(value);
      if (!Number.isFinite(x) || x < 0) usage(`${key} needs a number, received ${value}`);
      i++;
      return x;
    };
    if (key === "--n") args.n = Math.floor(number());
    else if (key === "--seed") args.seed = Math.floor(number());
    else if (key === "--workers") args.workers = Math.max(1, Math.floor(number()));
    else if (key === "--chunk") args.chunk = Math.max(1, Math.floor(number()));
    else if (key === "--hang-ms") args.hangMs = number();
    else if (key === "--replay") {
      args.replay = value;
      i++;
    } else usage(`unknown argument ${key}`);
  }
  return args;
}

function usage(message) {
  console.error(`${message}\nusage: npm run fuzz -- [--n 300000] [--seed 1] [--workers N] [--chunk 500] [--hang-ms 10000] | --replay <chunkSeed>:<index>`);
  process.exit(2);
}

/** The seed of chunk `c` of a run with seed `seed` (splitmix32 of both). */
function chunkSeedOf(seed, c) {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(c + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function replay(arg) {
  const [chunkSeed, index] = arg.split(":").map(Number);
  if (!Number.isInteger(chunkSeed) || !Number.isInteger(index)) usage(`--replay needs <chunkSeed>:<index>, received ${arg}`);
  const spec = fc.sample(caseArb, { seed: chunkSeed, numRuns: index + 1 })[index];
  console.log(fc.stringify(spec));
  console.log(runCase(lib, fuzzTargets(lib), spec));
}

const args = parseArgs(process.argv.slice(2));
if (args.replay) {
  replay(args.replay);
  process.exit(0);
}

const targets = fuzzTargets(lib);
const chunks = Math.ceil(args.n / args.chunk);
const queue = [];
for (let c = 0; c < chunks; c++) queue.push({ chunk: c, chunkSeed: chunkSeedOf(args.seed, c), size: Math.min(args.chunk, args.n - c * args.chunk), start: 0 });
const table = {};
const failures = [];
const hangs = [];
let slowest = { ms: 0 };
let done = 0;
const started = Date.now();
console.log(`fuzz: ${args.n} cases, seed ${args.seed}, ${args.workers} workers, chunks of ${args.chunk}, hang limit ${args.hangMs} ms, ${targets.length} targets`);

function merge(into, from) {
  for (const [target, row] of Object.entries(from)) {
    const sum = (into[target] ??= Object.fromEntries(Object.keys(row).map((k) => [k, 0])));
    for (const [k, v] of Object.entries(row)) sum[k] += v;
  }
}

const slots = [];
function startWorker(slot) {
  const progress = new SharedArrayBuffer(3 * 8);
  const worker = new Worker(new URL("./worker.mjs", import.meta.url), { workerData: { progress } });
  const state = { worker, progress: new Float64Array(progress), job: undefined, slot };
  slots[slot] = state;
  worker.on("message", (message) => {
    done += message.cases;
    merge(table, message.table);
    failures.push(...message.failures);
    if (message.slowest.ms > slowest.ms) slowest = message.slowest;
    state.job = undefined;
    next(state);
  });
  worker.on("error", (error) => {
    console.error(`worker ${slot} failed: ${error?.stack ?? error}`);
    process.exitCode = 1;
  });
  next(state);
}

function next(state) {
  const job = queue.shift();
  if (!job) {
    state.worker.terminate();
    state.finished = true;
    if (slots.every((s) => s.finished)) finish();
    return;
  }
  state.job = job;
  state.worker.postMessage(job);
}

// The watchdog: a case running longer than --hang-ms ends its worker.
const watchdog = setInterval(() => {
  for (const state of slots) {
    if (!state || state.finished || !state.job) continue;
    const since = state.progress[2];
    if (since > 0 && Date.now() - since > args.hangMs) {
      const index = state.progress[1];
      const { chunk, chunkSeed, size } = state.job;
      const spec = fc.sample(caseArb, { seed: chunkSeed, numRuns: index + 1 })[index];
      const target = targets[spec.target % targets.length].name;
      hangs.push({ target, chunkSeed, index, spec: fc.stringify(spec) });
      merge(table, { [target]: { calls: 1, ok: 0, ShapeError: 0, ConfigError: 0, InputError: 0, otherLossError: 0, nonLossError: 0, slow: 1, mutated: 0, violations: 1 } });
      done += index - state.job.start + 1;
      state.worker.terminate();
      queue.unshift({ chunk, chunkSeed, size, start: index + 1 });
      startWorker(state.slot);
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  if (process.stderr.isTTY) process.stderr.write(`\r${done}/${args.n} cases, ${elapsed.toFixed(0)} s`);
}, 250);

for (let slot = 0; slot < Math.min(args.workers, queue.length); slot++) startWorker(slot);
if (queue.length === 0 && slots.length === 0) finish();

function finish() {
  clearInterval(watchdog);
  const elapsed = (Date.now() - started) / 1000;
  if (process.stderr.isTTY) process.stderr.write("\n");
  const columns = ["calls", "ok", "ShapeError", "ConfigError", "InputError", "otherLossError", "nonLossError", "slow", "mutated", "violations"];
  const rows = Object.entries(table).sort(([a], [b]) => a.localeCompare(b));
  const total = Object.fromEntries(columns.map((c) => [c, rows.reduce((s, [, r]) => s + r[c], 0)]));
  const width = Math.max(...rows.map(([name]) => name.length), 6);
  const line = (name, row) => `${name.padEnd(width)} ${columns.map((c) => String(row[c]).padStart(Math.max(c.length, 7))).join(" ")}`;
  console.log(`\n${"loss".padEnd(width)} ${columns.map((c) => c.padStart(Math.max(c.length, 7))).join(" ")}`);
  for (const [name, row] of rows) console.log(line(name, row));
  console.log(line("total", total));
  console.log(
    `\n${total.calls} calls in ${elapsed.toFixed(1)} s (seed ${args.seed}): ${total.nonLossError} non-LossError exceptions, ${total.slow} calls over 1 s, ` +
      `${total.mutated} mutated inputs, ${hangs.length} hangs, ${total.violations} cases with a broken promise; slowest call ${slowest.ms.toFixed(1)} ms` +
      (slowest.target ? ` (${slowest.target} ${slowest.method}, --replay ${slowest.chunkSeed}:${slowest.index})` : ""),
  );
  for (const hang of hangs) console.log(`\nHANG ${hang.target} --replay ${hang.chunkSeed}:${hang.index}\n  ${hang.spec}`);
  for (const failure of failures.slice(0, 20)) {
    console.log(`\nFAIL ${failure.target} ${failure.method}: ${failure.violations.join("; ")}\n  --replay ${failure.chunkSeed}:${failure.index}\n  ${failure.spec}`);
  }
  if (failures.length > 20) console.log(`\n… and ${failures.length - 20} more`);
  if (total.violations > 0 || hangs.length > 0) process.exitCode = 1;
}
