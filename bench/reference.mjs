// Float64 references: what each workload's Keras computation gives in exact arithmetic
// (to double precision) on the same float32 inputs. They follow Keras's structure
// (per-sample values, then the mean over the batch) with compensated (Neumaier)
// summation, and where possible a different but equivalent formula from the loops in
// loops.mjs, so that the two check each other. Speed does not matter here.

import { EPS32, ONE_MINUS_EPS32 } from "./loops.mjs";

/** Neumaier-compensated sum. */
export class Sum {
  constructor() {
    this.s = 0;
    this.c = 0;
  }
  add(x) {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
    return this;
  }
  get value() {
    return this.s + this.c;
  }
}

/** Mean over rows of the mean over each row of `f(i)` (Keras: mean over the last axis, then sum_over_batch_size). */
function meanOfRowMeans(B, D, f) {
  const batch = new Sum();
  for (let r = 0; r < B; r++) {
    const row = new Sum();
    for (let k = 0; k < D; k++) row.add(f(r * D + k));
    batch.add(row.value / D);
  }
  return batch.value / B;
}

function meanOverRows(B, f) {
  const batch = new Sum();
  for (let r = 0; r < B; r++) batch.add(f(r));
  return batch.value / B;
}

const clip = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);
const softplus = (v) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));

function logSumExp(x, o, n) {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, x[o + k]);
  const s = new Sum();
  for (let k = 0; k < n; k++) s.add(Math.exp(x[o + k] - m));
  return m + Math.log(s.value);
}

export const reference = {
  meanSquaredError: (t, p, B, D) => meanOfRowMeans(B, D, (i) => (t[i] - p[i]) ** 2),
  meanAbsoluteError: (t, p, B, D) => meanOfRowMeans(B, D, (i) => Math.abs(t[i] - p[i])),
  huber: (t, p, B, D, delta = 1) =>
    meanOfRowMeans(B, D, (i) => {
      const e = p[i] - t[i];
      return Math.abs(e) <= delta ? 0.5 * e * e : delta * Math.abs(e) - 0.5 * delta * delta;
    }),
  // log(cosh(e)) directly (cosh does not overflow for the errors of these data sets), plus
  // what Keras's float32 log(2) constant adds to every element.
  logCosh: (t, p, B, D) => meanOfRowMeans(B, D, (i) => Math.log(Math.cosh(p[i] - t[i]))) + (Math.LN2 - Math.fround(Math.LN2)),
  // z·softplus(-x) + (1 - z)·softplus(x) = -z log σ(x) - (1 - z) log(1 - σ(x)).
  binaryCrossentropyFromLogits: (z, x, B, D) => meanOfRowMeans(B, D, (i) => z[i] * softplus(-x[i]) + (1 - z[i]) * softplus(x[i])),
  binaryCrossentropy: (z, p, B, D) =>
    meanOfRowMeans(B, D, (i) => {
      const q = clip(p[i], EPS32, ONE_MINUS_EPS32);
      return -(z[i] * Math.log(q) + (1 - z[i]) * Math.log(1 - q));
    }),
  // -Σ y_k log_softmax(x)_k
  categoricalCrossentropyFromLogits: (y, x, B, C) =>
    meanOverRows(B, (r) => {
      const lse = logSumExp(x, r * C, C);
      const s = new Sum();
      for (let k = 0; k < C; k++) s.add(-y[r * C + k] * (x[r * C + k] - lse));
      return s.value;
    }),
  sparseCategoricalCrossentropyFromLogits: (labels, x, B, C) => meanOverRows(B, (r) => logSumExp(x, r * C, C) - x[r * C + labels[r]]),
  klDivergence: (t, p, B, C) =>
    meanOverRows(B, (r) => {
      const s = new Sum();
      for (let k = 0; k < C; k++) {
        const a = clip(t[r * C + k], EPS32, 1), b = clip(p[r * C + k], EPS32, 1);
        s.add(a * (Math.log(a) - Math.log(b)));
      }
      return s.value;
    }),
  cosineSimilarity: (t, p, B, D) =>
    meanOverRows(B, (r) => {
      const tt = new Sum(), pp = new Sum(), tp = new Sum();
      for (let k = 0; k < D; k++) {
        const a = t[r * D + k], b = p[r * D + k];
        tt.add(a * a);
        pp.add(b * b);
        tp.add(a * b);
      }
      return -tp.value * Math.min(1 / Math.sqrt(tt.value), 1e7) * Math.min(1 / Math.sqrt(pp.value), 1e7);
    }),
  hinge: (y, p, B, D) => {
    let binary = true;
    for (let i = 0; i < y.length; i++) if (y[i] !== 0 && y[i] !== 1) binary = false;
    return meanOfRowMeans(B, D, (i) => Math.max(1 - (binary ? 2 * y[i] - 1 : y[i]) * p[i], 0));
  },
  meanSquaredErrorGrad: (t, p) => {
    const g = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) g[i] = (2 * (p[i] - t[i])) / p.length;
    return g;
  },
  categoricalCrossentropyFromLogitsGrad: (y, x, B, C) => {
    const g = new Float64Array(B * C);
    for (let r = 0; r < B; r++) {
      const lse = logSumExp(x, r * C, C);
      const sy = new Sum();
      for (let k = 0; k < C; k++) sy.add(y[r * C + k]);
      for (let k = 0; k < C; k++) g[r * C + k] = (sy.value * Math.exp(x[r * C + k] - lse) - y[r * C + k]) / B;
    }
    return g;
  },
  binaryFocalCrossentropyFromLogits: (z, x, B, D, { gamma = 2, alpha = 0.25, applyClassBalancing = true } = {}) =>
    meanOfRowMeans(B, D, (i) => {
      const p = x[i] >= 0 ? 1 / (1 + Math.exp(-x[i])) : Math.exp(x[i]) / (1 + Math.exp(x[i]));
      const y = z[i];
      const q = clip(p, EPS32, ONE_MINUS_EPS32);
      const bce = -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
      const pt = y * p + (1 - y) * (1 - p);
      const w = applyClassBalancing ? y * alpha + (1 - y) * (1 - alpha) : 1;
      return w * Math.pow(1 - pt, gamma) * bce;
    }),
  categoricalFocalCrossentropyFromLogits: (y, x, B, C, { gamma = 2, alpha = 0.25 } = {}) =>
    meanOverRows(B, (r) => {
      const lse = logSumExp(x, r * C, C);
      // Keras renormalizes softmax(x) by its sum (1 in exact arithmetic), then clips.
      const s = new Sum();
      for (let k = 0; k < C; k++) {
        const o = clip(Math.exp(x[r * C + k] - lse), EPS32, ONE_MINUS_EPS32);
        s.add(alpha * Math.pow(1 - o, gamma) * -y[r * C + k] * Math.log(o));
      }
      return s.value;
    }),
  dice: (t, p, B, D) =>
    meanOverRows(B, (r) => {
      const tp = new Sum(), st = new Sum(), sp = new Sum();
      for (let k = 0; k < D; k++) {
        tp.add(t[r * D + k] * p[r * D + k]);
        st.add(t[r * D + k]);
        sp.add(p[r * D + k]);
      }
      return 1 - (2 * tp.value) / (st.value + sp.value + EPS32);
    }),
  // W22-W26 (./best.mjs's overlap / regression / categorical hinge block).
  jaccard: (t, p, B, D) =>
    meanOverRows(B, (r) => {
      const tp = new Sum(), st = new Sum(), sp = new Sum();
      for (let k = 0; k < D; k++) {
        tp.add(t[r * D + k] * p[r * D + k]);
        st.add(t[r * D + k]);
        sp.add(p[r * D + k]);
      }
      return 1 - tp.value / (st.value + sp.value - tp.value + EPS32);
    }),
  // F-beta from TP, FP = Σ (1 - t) p and FN = Σ t (1 - p) directly (the loops use Σp and Σt).
  fBeta: (t, p, B, D, beta = 1) =>
    meanOverRows(B, (r) => {
      const tp = new Sum(), fp = new Sum(), fn = new Sum();
      for (let k = 0; k < D; k++) {
        const a = t[r * D + k], b = p[r * D + k];
        tp.add(a * b);
        fp.add((1 - a) * b);
        fn.add(a * (1 - b));
      }
      const precision = tp.value / (tp.value + fp.value + EPS32), recall = tp.value / (tp.value + fn.value + EPS32);
      const b2 = Math.fround(beta * beta);
      return 1 - ((1 + b2) * precision * recall) / (b2 * precision + recall + EPS32);
    }),
  meanAbsolutePercentageError: (t, p, B, D) => meanOfRowMeans(B, D, (i) => (100 * Math.abs(t[i] - p[i])) / Math.max(Math.abs(t[i]), EPS32)),
  // log(max(x, eps) + 1) written as log((x + 1)) of the clipped value, not log1p.
  meanSquaredLogarithmicError: (t, p, B, D) => meanOfRowMeans(B, D, (i) => Math.log((Math.max(p[i], EPS32) + 1) / (Math.max(t[i], EPS32) + 1)) ** 2),
  categoricalHinge: (y, x, B, C) =>
    meanOverRows(B, (r) => {
      const pos = new Sum();
      let neg = -Infinity;
      for (let k = 0; k < C; k++) {
        pos.add(y[r * C + k] * x[r * C + k]);
        neg = Math.max(neg, (1 - y[r * C + k]) * x[r * C + k]);
      }
      return Math.max(neg - pos.value + 1, 0);
    }),
  /** CTC by the scaled forward recursion in probability space (Rabiner scaling), not in log space as the loop. */
  ctc: (labels, x, B, T, C, L) =>
    meanOverRows(B, (b) => {
      const seq = [];
      for (let j = 0; j < L; j++) if (labels[b * L + j] !== 0) seq.push(labels[b * L + j]);
      const ext = [0];
      for (const k of seq) ext.push(k, 0);
      const S = ext.length;
      const probs = (t) => {
        const o = (b * T + t) * C;
        const lse = logSumExp(x, o, C);
        return (c) => Math.exp(x[o + c] - lse);
      };
      let alpha = new Float64Array(S);
      let logScale = 0;
      const p0 = probs(0);
      alpha[0] = p0(0);
      if (S > 1) alpha[1] = p0(ext[1]);
      for (let t = 0; t < T; t++) {
        if (t > 0) {
          const pt = probs(t);
          const next = new Float64Array(S);
          for (let s = 0; s < S; s++) {
            let a = alpha[s];
            if (s > 0) a += alpha[s - 1];
            if (s > 1 && ext[s] !== 0 && ext[s] !== ext[s - 2]) a += alpha[s - 2];
            next[s] = a * pt(ext[s]);
          }
          alpha = next;
        }
        const c = alpha.reduce((u, v) => u + v, 0);
        for (let s = 0; s < S; s++) alpha[s] /= c;
        logScale += Math.log(c);
      }
      return -(Math.log(alpha[S - 1] + (S > 1 ? alpha[S - 2] : 0)) + logScale);
    }),
  // Keras's constants are float32 (margin 0.4 is 0.4000000059604645); at gamma 80 this shows at 1e-7.
  circle: (labels, e, B, E, { gamma = 80, margin = 0.4 } = {}) => {
    const g = Math.fround(gamma), m = Math.fround(margin), optimNeg = Math.fround(1 + margin), deltaNeg = Math.fround(1 - margin);
    const total = new Sum();
    let valid = 0;
    for (let i = 0; i < B; i++) {
      const pos = [], neg = [];
      for (let j = 0; j < B; j++) {
        const dot = new Sum();
        for (let k = 0; k < E; k++) dot.add(e[i * E + k] * e[j * E + k]);
        const d = Math.max(1 - dot.value, 0);
        if (labels[i] === labels[j]) {
          if (i !== j) pos.push(-g * Math.max(m + d, 0) * (m - d));
        } else neg.push(g * Math.max(optimNeg - d, 0) * (deltaNeg - d));
      }
      const lse = (v) => (v.length ? logSumExp(v, 0, v.length) : -Infinity);
      const loss = softplus(lse(pos) + lse(neg));
      if (loss > 0) {
        total.add(loss);
        valid++;
      }
    }
    return valid ? total.value / valid : 0;
  },
};
