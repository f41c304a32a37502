// What `checkNumerics` costs. With it off (the default) a loss call pays one property read
// and one branch; this measures that against a build without the hook, and what turning
// it on costs.
//
// Method: each measurement is a fresh Node process that loads one build and times one
// workload: 15 blocks of calls, each >= 20 ms of CPU time (process.cpuUsage, so that other
// processes on a busy machine do not count as ours), median per call. Processes for the
// implementations alternate (the order rotates), `--processes` times each; a cell is the
// median over its processes. With --baseline, the baseline runs twice as separate rows
// ("control"): the control's ratio to the baseline (ideally 1.000) is the noise floor.
//
// Usage:
//   git archive <commit before the hook> | tar -x -C /tmp/losskit-base
//   ln -s "$PWD/node_modules" /tmp/losskit-base/node_modules && (cd /tmp/losskit-base && npx tsup)
//   npm run build
//   node bench/check-numerics-overhead.mjs --baseline /tmp/losskit-base/dist/index.js [--processes 8]
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const baselinePath = option("--baseline", null);
const load = (path, tag) => import(`${pathToFileURL(resolve(path)).href}?${tag}`);

function floats(n, f, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = f(((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

const workloads = [
  {
    name: "MSE call, batch 1 × 128 (per-call overhead)",
    make(lib, options) {
      const loss = new lib.MeanSquaredError(options);
      const t = lib.tensor(floats(128, (u) => u, 1), [1, 128]);
      const p = lib.tensor(floats(128, (u) => u, 2), [1, 128]);
      return () => loss(t, p);
    },
  },
  {
    name: "SCCE fromLogits valueAndGrad, batch 1 × 10",
    make(lib, options) {
      const loss = new lib.SparseCategoricalCrossentropy({ fromLogits: true, ...options });
      const labels = lib.tensor(new Float32Array([3]), [1]);
      const logits = lib.tensor(floats(10, (u) => 4 * u - 2, 3), [1, 10]);
      return () => loss.valueAndGrad(labels, logits).value;
    },
  },
  {
    name: "MSE call [4096,1024]",
    make(lib, options) {
      const loss = new lib.MeanSquaredError(options);
      const t = lib.tensor(floats(4096 * 1024, (u) => u, 4), [4096, 1024]);
      const p = lib.tensor(floats(4096 * 1024, (u) => u, 5), [4096, 1024]);
      return () => loss(t, p);
    },
  },
  {
    name: "SCCE fromLogits valueAndGrad [512,1000]",
    make(lib, options) {
      const loss = new lib.SparseCategoricalCrossentropy({ fromLogits: true, ...options });
      const labels = lib.tensor(floats(512, (u) => Math.floor(u * 1000), 6), [512]);
      const logits = lib.tensor(floats(512 * 1000, (u) => 4 * u - 2, 7), [512, 1000]);
      return () => loss.valueAndGrad(labels, logits).value;
    },
  },
];

const cpuMicros = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
let sink = 0;

/** Child: median CPU µs per call of one implementation of one workload, over `blocks` blocks of >= 20 ms. */
function measureOne(run, blocks) {
  for (let i = 0; i < 50; i++) sink += run();
  let n = 1;
  for (;;) {
    const t0 = cpuMicros();
    for (let i = 0; i < n; i++) sink += run();
    if (cpuMicros() - t0 >= 20000 || n >= 1 << 22) break;
    n *= 2;
  }
  const times = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = cpuMicros();
    for (let i = 0; i < n; i++) sink += run();
    times.push((cpuMicros() - t0) / n);
  }
  return median(times);
}

if (args.includes("--child")) {
  const lib = await load(option("--lib"), "child");
  const w = workloads[Number(option("--workload"))];
  const on = option("--check", "off") === "on";
  process.stdout.write(JSON.stringify({ micros: measureOne(w.make(lib, on ? { checkNumerics: true } : {}), 15), sink: sink === 42 }));
  process.exit(0);
}

// Parent: each measurement is a fresh process (its own JIT state), in alternating order.
const { spawnSync } = await import("node:child_process");
if (typeof (await load("dist/index.js", "check")).setCheckNumerics !== "function") throw new Error("dist/index.js has no setCheckNumerics: run npm run build");
const self = new URL(import.meta.url).pathname;
const impls = [];
if (baselinePath) impls.push({ name: "no hook (baseline)", lib: baselinePath, check: "off" }, { name: "control (baseline again)", lib: baselinePath, check: "off" });
impls.push({ name: "hook, off", lib: "dist/index.js", check: "off" }, { name: "hook, on", lib: "dist/index.js", check: "on" });
const processes = Number(option("--processes", "8"));
const fmt = (us) => (us < 1000 ? `${us.toFixed(3)} µs` : `${(us / 1000).toFixed(2)} ms`);
console.log(`Node ${process.version}; per cell the median over ${processes} processes (alternating order) of each process's median CPU time per call (15 blocks of >= 20 ms); ratio to the first column in parentheses`);
console.log(`| workload | ${impls.map((i) => i.name).join(" | ")} |`);
console.log(`|:---|${impls.map(() => "---:").join("|")}|`);
for (let w = 0; w < workloads.length; w++) {
  const results = impls.map(() => []);
  for (let round = 0; round < processes; round++) {
    for (let k = 0; k < impls.length; k++) {
      const j = (k + round) % impls.length;
      const impl = impls[j];
      const child = spawnSync(process.execPath, [self, "--child", "--lib", impl.lib, "--workload", String(w), "--check", impl.check], { encoding: "utf8" });
      if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
      results[j].push(JSON.parse(child.stdout).micros);
    }
  }
  const medians = results.map(median);
  console.log(`| ${workloads[w].name} | ${medians.map((m, i) => (i === 0 ? fmt(m) : `${fmt(m)} (${(m / medians[0]).toFixed(3)}x)`)).join(" | ")} |`);
}
