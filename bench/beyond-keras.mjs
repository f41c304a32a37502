// npm run bench:beyond [-- --quick] [-- --samples N] [-- --no-write]
//
// The losses beyond keras.losses against the hand-written single-pass loop for exactly that
// case, on the same fixed-seed float32 arrays: GIoU on 100k box pairs and TFA's sigmoid focal
// crossentropy on [4096, 1024]. Method as bench/run.mjs (bench/README.md): a verification call
// (values must agree within 1e-4 relative), warm-up, calibrated samples of >= 20 ms,
// interleaved rounds with a full GC (--expose-gc) before each sample, medians with min-max.
// valueAndGrad rows have no loop peer: their ratio is to losskit's own value-only call.
// Writes bench/results-beyond.md.

import { cpus, totalmem, arch, release, loadavg, type as osType } from "node:os";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { rng, fillNormal, fillOpenUniform } from "./data.mjs";
import { gc, timeImplementations } from "./measure.mjs";
import { markdownTable, textTable, fmtTiming, fmtRatio } from "./report.mjs";
import * as lk from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const samplesArg = args.find((a) => a.startsWith("--samples"));
const samples = samplesArg ? Number(samplesArg.split("=")[1] ?? args[args.indexOf(samplesArg) + 1]) : quick ? 3 : 15;
const write = !args.includes("--no-write");
if (!gc) console.warn("warning: run with --expose-gc (npm run bench:beyond does) for a GC before each sample");

// ---- data ---------------------------------------------------------------------------

const PAIRS = 100_000;
/** Ground-truth boxes [ymin, xmin, ymax, xmax] in a 512² image, sides 8-128; predictions jittered by N(0, 6²) per coordinate. */
function boxData() {
  const random = rng(2024);
  const t = new Float32Array(4 * PAIRS), p = new Float32Array(4 * PAIRS), noise = fillNormal(new Float64Array(4 * PAIRS), random, 6);
  for (let i = 0; i < PAIRS; i++) {
    const y = 384 * random(), x = 384 * random(), h = 8 + 120 * random(), w = 8 + 120 * random();
    t.set([y, x, y + h, x + w], 4 * i);
    p.set([y + noise[4 * i], x + noise[4 * i + 1], y + h + noise[4 * i + 2], x + w + noise[4 * i + 3]], 4 * i);
  }
  return { t, p };
}

const B = 4096, C = 1024;
/** Multi-label targets (5% positives, imbalanced as focal loss is meant for), probabilities in (0, 1) and logits N(0, 3²). */
function focalData() {
  const random = rng(7);
  const z = new Float32Array(B * C);
  for (let i = 0; i < z.length; i++) z[i] = random() < 0.05 ? 1 : 0;
  return { z, p: fillOpenUniform(new Float32Array(B * C), random), x: fillNormal(new Float32Array(B * C), random, 3) };
}

// ---- hand-written loops ---------------------------------------------------------------

/** mean(1 - GIoU) over box pairs, TFA's formula (clamped widths, divide_no_nan). */
function giouLoop(t, p) {
  const n = t.length >> 2;
  let sum = 0;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const y1 = p[o], x1 = p[o + 1], y2 = p[o + 2], x2 = p[o + 3];
    const Y1 = t[o], X1 = t[o + 1], Y2 = t[o + 2], X2 = t[o + 3];
    const a1 = Math.max(0, x2 - x1) * Math.max(0, y2 - y1), a2 = Math.max(0, X2 - X1) * Math.max(0, Y2 - Y1);
    const inter = Math.max(0, Math.min(x2, X2) - Math.max(x1, X1)) * Math.max(0, Math.min(y2, Y2) - Math.max(y1, Y1));
    const union = a1 + a2 - inter;
    const iou = union === 0 ? 0 : inter / union;
    const enclose = Math.max(0, Math.max(x2, X2) - Math.min(x1, X1)) * Math.max(0, Math.max(y2, Y2) - Math.min(y1, Y1));
    sum += 1 - iou + (enclose === 0 ? 0 : (enclose - union) / enclose);
  }
  return sum / n;
}

/** TFA's sigmoid focal crossentropy on probabilities (alpha 0.25, gamma 2): per row, Σ over the row. */
function focalLoop(z, p, rows, cols) {
  const eps = Math.fround(1e-7) + 0, hi = Math.fround(1 - 1e-7) + 0;
  const out = new Float32Array(rows);
  for (let r = 0, o = 0; r < rows; r++) {
    let sum = 0;
    for (let k = 0; k < cols; k++, o++) {
      const v = p[o], y = z[o];
      const c = Math.min(Math.max(v, eps), hi);
      const ce = -(y * Math.log(c + eps) + (1 - y) * Math.log(1 - c + eps));
      const b = y * (1 - v) + (1 - y) * v;
      sum += (y * 0.25 + (1 - y) * 0.75) * b * b * ce;
    }
    out[r] = sum;
  }
  return out;
}

/** The same from logits: sigmoid cross-entropy with logits, sigmoid in the focal factor. */
function focalLogitsLoop(z, x, rows, cols) {
  const out = new Float32Array(rows);
  for (let r = 0, o = 0; r < rows; r++) {
    let sum = 0;
    for (let k = 0; k < cols; k++, o++) {
      const v = x[o], y = z[o];
      const e = Math.exp(-Math.abs(v));
      const prob = v >= 0 ? 1 / (1 + e) : e / (1 + e);
      const ce = (v > 0 ? v : 0) - v * y + Math.log1p(e);
      const b = y * (1 - prob) + (1 - y) * prob;
      sum += (y * 0.25 + (1 - y) * 0.75) * b * b * ce;
    }
    out[r] = sum;
  }
  return out;
}

// ---- workloads ------------------------------------------------------------------------

const box = boxData();
const focal = focalData();
const boxT = lk.tensor(box.t, [PAIRS, 4]), boxP = lk.tensor(box.p, [PAIRS, 4]);
const focalZ = lk.tensor(focal.z, [B, C]), focalP = lk.tensor(focal.p, [B, C]), focalX = lk.tensor(focal.x, [B, C]);
const giou = new lk.GIoULoss();
const sfce = new lk.SigmoidFocalCrossEntropy();
const sfceLogits = new lk.SigmoidFocalCrossEntropy({ fromLogits: true });
const mean = (x) => (typeof x === "number" ? x : (x instanceof lk.Tensor ? x.toTypedArray("float64") : x).reduce((s, v) => s + v, 0) / (x.size ?? x.length));

const WORKLOADS = [
  { id: "X1", title: "GIoULoss, 100k box pairs [100000, 4]", loop: () => giouLoop(box.t, box.p), losskit: () => giou(boxT, boxP) },
  { id: "X2", title: "GIoULoss valueAndGrad, 100k box pairs", losskit: () => giou.valueAndGrad(boxT, boxP), pick: (r) => r.value, base: "X1" },
  { id: "X3", title: "SigmoidFocalCrossEntropy (probabilities, reduction none), [4096, 1024]", loop: () => focalLoop(focal.z, focal.p, B, C), losskit: () => sfce(focalZ, focalP) },
  { id: "X4", title: "SigmoidFocalCrossEntropy fromLogits, [4096, 1024]", loop: () => focalLogitsLoop(focal.z, focal.x, B, C), losskit: () => sfceLogits(focalZ, focalX) },
  { id: "X5", title: "SigmoidFocalCrossEntropy valueAndGrad (probabilities), [4096, 1024]", losskit: () => sfce.valueAndGrad(focalZ, focalP), pick: (r) => r.value, base: "X3" },
];

const results = {};
for (const w of WORKLOADS) {
  // Verification: losskit's value (the mean of its per-sample values) against the loop's.
  const value = mean((w.pick ?? ((r) => r))(w.losskit()));
  const reference = w.loop ? mean(w.loop()) : results[w.base].value;
  const err = Math.abs(value - reference) / Math.abs(reference);
  if (!(err <= 1e-4)) {
    console.error(`${w.id}: losskit ${value} disagrees with the loop ${reference} (relative ${err})`);
    process.exit(1);
  }
  const impls = [{ name: "losskit", run: w.losskit, samples }];
  if (w.loop) impls.unshift({ name: "loop", run: w.loop, samples });
  const t = await timeImplementations(impls);
  results[w.id] = { ...w, value, err, t };
  const base = w.loop ? t.loop : results[w.base].t.losskit;
  console.log(`${w.id} ${w.title}: losskit ${fmtTiming(t.losskit)}${w.loop ? `, loop ${fmtTiming(t.loop)}` : ""}  (${w.loop ? "loop / losskit" : "value-only / valueAndGrad"} ${fmtRatio(base.median / t.losskit.median)})`);
  gc?.();
}

// ---- report ---------------------------------------------------------------------------

const header = ["id", "workload", "JS loop", "losskit", "speed vs loop (median)", "(min)", "agreement"];
const rows = WORKLOADS.map((w) => {
  const r = results[w.id];
  const base = w.loop ? r.t.loop : results[w.base].t.losskit;
  return [
    w.id,
    w.title,
    w.loop ? fmtTiming(r.t.loop) : "—",
    fmtTiming(r.t.losskit),
    w.loop ? fmtRatio(base.median / r.t.losskit.median) : `${fmtRatio(base.median / r.t.losskit.median)} of value-only`,
    fmtRatio(base.min / r.t.losskit.min),
    `${r.err.toExponential(1)}`,
  ];
});
console.log("\n" + textTable([header, ...rows]));

const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, ${osType()} ${release()} ${arch()}, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(" / ")} at the end of the run`;
const md = `# Beyond keras.losses: benchmark

\`npm run bench:beyond\` (\`node --expose-gc bench/beyond-keras.mjs\`${quick ? " --quick" : ""}), ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine}.

Median time per call (min–max over ${samples} samples, a full GC before each sample);
"speed vs loop" is loop time / losskit time (> 1: losskit faster). losskit is the class with
its default reduction (GIoU: \`sum_over_batch_size\`; focal: TFA's \`"none"\`, a [4096]
tensor) on zero-copy \`tensor()\` views of the loop's float32 arrays. Agreement: relative
difference of the mean value from the loop's. valueAndGrad rows: the ratio is the
value-only call's time over the valueAndGrad call's. "(min)" is the same ratio of the fastest
samples, the steadier figure when other processes load the machine.

${markdownTable([header, ...rows], "llrrrrr")}
`;
if (write) {
  writeFileSync(join(here, "results-beyond.md"), md);
  console.log(`\nwrote ${join(here, "results-beyond.md")}`);
}
