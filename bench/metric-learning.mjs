// Triplet semi-hard loss at B = 512, D = 128 (float32): losskit's TripletSemiHardLoss
// against the loop one writes by hand for it, value and valueAndGrad.
//
// Run: npm run bench:metric   (builds dist/ first when src/ changed; node --expose-gc)
// Options: --samples N (default 15), --batch B (default 512), --dim D (default 128).
//
// Data: unit embeddings around K class centres (bench/data.mjs "circle"), K = 64 (about
// 8 samples per class, the usual P×K batch) and K = 4 (about 128 per class: 65k ordered
// positive pairs, where the per-pair scan of the hand loop costs O(B³)). Both
// implementations are checked against each other (value and gradient) before timing.
// Timing: bench/measure.mjs (warm-up, calibrated repetitions, interleaved rounds, a full
// GC before every sample); medians in ms per call, with min–max.

import * as lk from "../dist/index.js";
import { DATASETS } from "./data.mjs";
import { gc, timeImplementations } from "./measure.mjs";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`--${name} needs a positive integer, received ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

const SAMPLES = option("samples", 15);
const B = option("batch", 512);
const D = option("dim", 128);
const MARGIN = 1;

/**
 * The hand-written loop: the L2 distance matrix (upper triangle, mirrored), then for every
 * ordered positive pair one scan over the anchor's negatives for the nearest one farther
 * than the positive (else the farthest), TFA's rule. With `grad` (a Float64Array of B·D),
 * also the gradient: ±(x_i − x_j)/d_ij per active triplet, divided by the number of pairs.
 */
function tripletSemihardLoop(labels, x, n, dim, margin, grad) {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const e = x[i * dim + k] - x[j * dim + k];
        s += e * e;
      }
      d[i * n + j] = d[j * n + i] = Math.sqrt(s);
    }
  }
  let sum = 0;
  let pairs = 0;
  const active = [];
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      pairs++;
      const dap = d[a * n + p];
      let near = Infinity, nearIndex = -1, far = -Infinity, farIndex = -1;
      for (let k = 0; k < n; k++) {
        if (labels[k] === labels[a]) continue;
        const v = d[a * n + k];
        if (v > dap && v < near) {
          near = v;
          nearIndex = k;
        }
        if (v > far) {
          far = v;
          farIndex = k;
        }
      }
      const neg = nearIndex >= 0 ? nearIndex : farIndex;
      const hinge = margin + dap - (neg >= 0 ? d[a * n + neg] : 0);
      if (hinge > 0) sum += hinge;
      if (grad && hinge >= 0) active.push(a, p, neg);
    }
  }
  if (grad) {
    grad.fill(0);
    const scale = 1 / pairs;
    for (let t = 0; t < active.length; t += 3) {
      const a = active[t], p = active[t + 1], m = active[t + 2];
      const dap = d[a * n + p], dan = m >= 0 ? d[a * n + m] : 0;
      for (let k = 0; k < dim; k++) {
        const up = dap > 0 ? (scale * (x[a * dim + k] - x[p * dim + k])) / dap : 0;
        grad[a * dim + k] += up;
        grad[p * dim + k] -= up;
        if (m < 0 || !(dan > 0)) continue;
        const un = (scale * (x[a * dim + k] - x[m * dim + k])) / dan;
        grad[a * dim + k] -= un;
        grad[m * dim + k] += un;
      }
    }
  }
  return sum / pairs;
}

function maxRelativeDifference(a, b) {
  let scale = 0, diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / (scale || 1);
}

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

if (!gc) console.warn("warning: run with node --expose-gc (npm run bench:metric) to collect garbage between samples");
console.log(`Triplet semi-hard loss, B = ${B}, D = ${D}, float32, margin ${MARGIN}, L2; median ms per call (min–max) of ${SAMPLES} samples`);
console.log(`node ${process.version}, ${process.platform} ${process.arch}\n`);
console.log("| classes | positive pairs | call | hand loop | losskit | losskit / loop | value diff | grad diff |");
console.log("|---:|---:|:---|---:|---:|---:|---:|---:|");

let failed = false;
for (const K of [64, 4]) {
  const { labels, embeddings } = DATASETS.circle({ B, E: D, K });
  const loss = new lk.TripletSemiHardLoss();
  const yTrue = lk.tensor(labels, [B]);
  const yPred = lk.tensor(embeddings, [B, D]);
  let pairs = 0;
  for (let a = 0; a < B; a++) for (let p = 0; p < B; p++) if (p !== a && labels[p] === labels[a]) pairs++;

  // Agreement before timing.
  const loopGrad = new Float64Array(B * D);
  const loopValue = tripletSemihardLoop(labels, embeddings, B, D, MARGIN, loopGrad);
  const { value, grad } = loss.valueAndGrad(yTrue, yPred);
  const valueDiff = Math.abs(value - loopValue) / Math.abs(loopValue);
  const gradDiff = maxRelativeDifference(grad.data, loopGrad);
  if (!(valueDiff < 1e-6 && gradDiff < 1e-5)) failed = true;

  const scratch = new Float64Array(B * D);
  const timings = await timeImplementations([
    { name: "loop", run: () => tripletSemihardLoop(labels, embeddings, B, D, MARGIN, null), samples: SAMPLES },
    { name: "losskit", run: () => loss(yTrue, yPred), samples: SAMPLES },
    { name: "loop grad", run: () => tripletSemihardLoop(labels, embeddings, B, D, MARGIN, scratch), samples: SAMPLES },
    { name: "losskit grad", run: () => loss.valueAndGrad(yTrue, yPred), samples: SAMPLES },
  ]);
  const cell = (t) => `${fmt(t.median)} (${fmt(t.min)}–${fmt(t.max)})`;
  for (const [call, loopName, lkName] of [["value", "loop", "losskit"], ["valueAndGrad", "loop grad", "losskit grad"]]) {
    const l = timings[loopName], k = timings[lkName];
    console.log(
      `| ${K} | ${pairs} | ${call} | ${cell(l)} | ${cell(k)} | ${(k.median / l.median).toFixed(2)}x | ${valueDiff.toExponential(1)} | ${call === "value" ? "" : gradDiff.toExponential(1)} |`,
    );
  }
}
if (failed) {
  console.error("\nlosskit and the hand loop disagree (value diff >= 1e-6 or grad diff >= 1e-5)");
  process.exit(1);
}
