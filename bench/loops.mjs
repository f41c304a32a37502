// The hand-written baseline: for each workload, the plain single-pass JavaScript loop
// that a careful engineer writes for exactly that case (contiguous float32 arrays, one
// accumulator in a double, Math.exp/log/log1p, the Keras formula with its clipping), and
// nothing else. Each returns the Keras default reduction ("sum_over_batch_size": the
// mean of the per-sample values); the valueAndGrad loops also return d value / d yPred.
//
// These are the yardstick for "losskit costs nothing over a hand-written loop". They
// are tested against the float64 references and Keras's documented numbers in
// test/bench-loops.test.ts.

/** Keras's `backend.epsilon()` as a float32 tensor holds it. */
export const EPS32 = Math.fround(1e-7);
/** `1 - epsilon` in float32: 0.99999988, not 0.9999999. */
export const ONE_MINUS_EPS32 = Math.fround(1 - 1e-7);

// V8 (Node 20) pitfall: `v < EPS ? EPS : v` with EPS read from a module binding or an
// argument makes the result a tagged value, so every element on the common path is boxed
// into a new HeapNumber (64 MB of garbage and dozens of GCs per 4M-element call, 30-50%
// slower). The loops below copy their bounds into locals computed by arithmetic
// (`EPS32 + 0`), which V8 keeps as raw doubles.
/** Keras's `log2` constant is a float32 tensor: log(2) rounded to float32. */
const LN2_32 = Math.fround(Math.LN2);

/** W1: mean((yTrue - yPred)^2). */
export function meanSquaredError(t, p) {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const e = t[i] - p[i];
    sum += e * e;
  }
  return sum / p.length;
}

/** W2: mean(|yTrue - yPred|). */
export function meanAbsoluteError(t, p) {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += Math.abs(t[i] - p[i]);
  return sum / p.length;
}

/** W3: Huber with threshold `delta`. */
export function huber(t, p, delta = 1) {
  const linearOffset = 0.5 * delta * delta;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const e = p[i] - t[i];
    const a = Math.abs(e);
    sum += a <= delta ? 0.5 * e * e : delta * a - linearOffset;
  }
  return sum / p.length;
}

/** W4: log(cosh(e)) = |e| + log1p(exp(-2|e|)) - log(2), with Keras's float32 log(2). */
export function logCosh(t, p) {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = Math.abs(p[i] - t[i]);
    sum += a + Math.log1p(Math.exp(-2 * a)) - LN2_32;
  }
  return sum / p.length;
}

/** W5: sigmoid cross-entropy on logits: max(x, 0) - x z + log1p(exp(-|x|)). */
export function binaryCrossentropyFromLogits(z, x) {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    sum += (v > 0 ? v : 0) - v * z[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
  return sum / x.length;
}

/** W6: binary cross-entropy on probabilities clipped to [eps, 1 - eps]. */
export function binaryCrossentropy(z, p) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    const q = v < lo ? lo : v > hi ? hi : v;
    const y = z[i];
    sum -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
  }
  return sum / p.length;
}

/** W7: softmax cross-entropy with (one-hot or soft) labels: Σy·logsumexp(x) - Σ y·x per row. */
export function categoricalCrossentropyFromLogits(y, x, B, C) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let m = -Infinity;
    for (let k = 0; k < C; k++) if (x[o + k] > m) m = x[o + k];
    let s = 0, sy = 0, syx = 0;
    for (let k = 0; k < C; k++) {
      const v = x[o + k];
      s += Math.exp(v - m);
      const yk = y[o + k];
      sy += yk;
      syx += yk * v;
    }
    total += sy * (m + Math.log(s)) - syx;
  }
  return total / B;
}

/** W8: sparse softmax cross-entropy: logsumexp(x) - x[label] per row. */
export function sparseCategoricalCrossentropyFromLogits(labels, x, B, C) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let m = -Infinity;
    for (let k = 0; k < C; k++) if (x[o + k] > m) m = x[o + k];
    let s = 0;
    for (let k = 0; k < C; k++) s += Math.exp(x[o + k] - m);
    total += m + Math.log(s) - x[o + labels[r]];
  }
  return total / B;
}

/** W9: Σ t log(t / p) per row, both clipped to [eps, 1]. */
export function klDivergence(t, p, B) {
  const lo = EPS32 + 0;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const ti = t[i], pi = p[i];
    const a = ti < lo ? lo : ti > 1 ? 1 : ti;
    const b = pi < lo ? lo : pi > 1 ? 1 : pi;
    sum += a * Math.log(a / b);
  }
  return sum / B;
}

/** W10: -Σ l2normalize(t)·l2normalize(p) per row, Keras's `x * min(rsqrt(Σx²), 1/eps)`. */
export function cosineSimilarity(t, p, B, D) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    let tt = 0, pp = 0, tp = 0;
    for (let k = 0; k < D; k++) {
      const a = t[o + k], b = p[o + k];
      tt += a * a;
      pp += b * b;
      tp += a * b;
    }
    total -= tp * Math.min(1 / Math.sqrt(tt), 1e7) * Math.min(1 / Math.sqrt(pp), 1e7);
  }
  return total / B;
}

/** W11: mean(max(1 - y p, 0)); {0,1} labels are first mapped to {-1,1}, as Keras does. */
export function hinge(y, p) {
  let binary = true;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      binary = false;
      break;
    }
  }
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = 1 - (binary ? 2 * y[i] - 1 : y[i]) * p[i];
    if (v > 0) sum += v;
  }
  return sum / p.length;
}

/** W12: MSE value and its gradient 2 (p - t) / N, in one pass. */
export function meanSquaredErrorValueAndGrad(t, p) {
  const n = p.length;
  const grad = new Float32Array(n);
  const scale = 2 / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = p[i] - t[i];
    sum += e * e;
    grad[i] = scale * e;
  }
  return { value: sum / n, grad };
}

/** W13: softmax cross-entropy value and gradient (Σy·softmax - y) / B; the exps go through the gradient buffer. */
export function categoricalCrossentropyFromLogitsValueAndGrad(y, x, B, C) {
  const grad = new Float32Array(B * C);
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let m = -Infinity;
    for (let k = 0; k < C; k++) if (x[o + k] > m) m = x[o + k];
    let s = 0, sy = 0, syx = 0;
    for (let k = 0; k < C; k++) {
      const v = x[o + k];
      const e = Math.exp(v - m);
      grad[o + k] = e;
      s += e;
      const yk = y[o + k];
      sy += yk;
      syx += yk * v;
    }
    total += sy * (m + Math.log(s)) - syx;
    const a = sy / (s * B);
    for (let k = 0; k < C; k++) grad[o + k] = grad[o + k] * a - y[o + k] / B;
  }
  return { value: total / B, grad };
}

/** W14: binary focal cross-entropy on logits, Keras's formula (sigmoid, clipped BCE, focal factor, class balancing). */
export function binaryFocalCrossentropyFromLogits(z, x, { gamma = 2, alpha = 0.25, applyClassBalancing = true } = {}) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0, g = gamma + 0, a1 = alpha + 0, a0 = 1 - alpha;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const p = 1 / (1 + Math.exp(-x[i]));
    const y = z[i];
    const q = p < lo ? lo : p > hi ? hi : p;
    const bce = -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    const f = 1 - (y * p + (1 - y) * (1 - p));
    let v = (g === 2 ? f * f : Math.pow(f, g)) * bce;
    if (applyClassBalancing) v *= y * a1 + (1 - y) * a0;
    sum += v;
  }
  return sum / x.length;
}

/** W15: categorical focal cross-entropy on logits: Σ -α (1 - o)^γ y log(o), o = clip(softmax). */
export function categoricalFocalCrossentropyFromLogits(y, x, B, C, { gamma = 2, alpha = 0.25 } = {}) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0, g = gamma + 0, a = alpha + 0;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let m = -Infinity;
    for (let k = 0; k < C; k++) if (x[o + k] > m) m = x[o + k];
    let s = 0;
    for (let k = 0; k < C; k++) s += Math.exp(x[o + k] - m);
    for (let k = 0; k < C; k++) {
      const yk = y[o + k];
      if (yk === 0) continue; // -0 * log(o) with o >= eps: exactly 0
      let q = Math.exp(x[o + k] - m) / s;
      q = q < lo ? lo : q > hi ? hi : q;
      const f = 1 - q;
      total -= a * (g === 2 ? f * f : Math.pow(f, g)) * yk * Math.log(q);
    }
  }
  return total / B;
}

/** W16: Dice over every axis but the batch: 1 - 2 Σtp / (Σt + Σp + eps) per sample. */
export function dice(t, p, B, D) {
  const eps = EPS32 + 0;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    let tp = 0, st = 0, sp = 0;
    for (let k = 0; k < D; k++) {
      const a = t[o + k], b = p[o + k];
      tp += a * b;
      st += a;
      sp += b;
    }
    total += 1 - (2 * tp) / (st + sp + eps);
  }
  return total / B;
}

/**
 * W17: CTC negative log-likelihood per sample (blank 0, labels = the non-zero entries of
 * each row), log-space alpha recursion over the blank-augmented labels, on log_softmax of
 * the logits; mean over the batch.
 */
export function ctc(labels, x, B, T, C, L) {
  const S = 2 * L + 1;
  let prev = new Float64Array(S), cur = new Float64Array(S);
  const ext = new Int32Array(S);
  const lse = new Float64Array(T);
  let total = 0;
  for (let b = 0; b < B; b++) {
    const xo = b * T * C;
    for (let t = 0; t < T; t++) {
      const o = xo + t * C;
      let m = -Infinity;
      for (let c = 0; c < C; c++) if (x[o + c] > m) m = x[o + c];
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(x[o + c] - m);
      lse[t] = m + Math.log(s);
    }
    let n = 0;
    for (let j = 0; j < L; j++) {
      const k = labels[b * L + j];
      if (k !== 0) {
        ext[2 * n] = 0;
        ext[2 * n + 1] = k;
        n++;
      }
    }
    ext[2 * n] = 0;
    const states = 2 * n + 1;
    prev.fill(-Infinity, 0, states);
    prev[0] = x[xo] - lse[0];
    if (states > 1) prev[1] = x[xo + ext[1]] - lse[0];
    for (let t = 1; t < T; t++) {
      const o = xo + t * C;
      for (let s = 0; s < states; s++) {
        let a = prev[s];
        if (s > 0) a = logAddExp(a, prev[s - 1]);
        if (s > 1 && ext[s] !== 0 && ext[s] !== ext[s - 2]) a = logAddExp(a, prev[s - 2]);
        cur[s] = a + x[o + ext[s]] - lse[t];
      }
      const swap = prev;
      prev = cur;
      cur = swap;
    }
    total -= states > 1 ? logAddExp(prev[states - 1], prev[states - 2]) : prev[0];
  }
  return total / B;
}

function logAddExp(a, b) {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * W18: Circle loss (Keras 3, `ref = yPred`, diagonal removed from the positives):
 * softplus(logsumexp over positives + logsumexp over negatives) per sample, then the
 * mean over the samples whose loss is > 0 (Keras's own mask).
 */
export function circle(labels, e, B, E, { gamma = 80, margin = 0.4 } = {}) {
  // Keras's Python-float constants meet float32 tensors: they are float32 (0.4 is 0.4000000059604645).
  const g = Math.fround(gamma), m = Math.fround(margin), optimNeg = Math.fround(1 + margin), deltaNeg = Math.fround(1 - margin);
  const w = new Float64Array(B);
  let total = 0, valid = 0;
  for (let i = 0; i < B; i++) {
    const oi = i * E;
    let maxPos = -Infinity, maxNeg = -Infinity;
    for (let j = 0; j < B; j++) {
      const oj = j * E;
      let dot = 0;
      for (let k = 0; k < E; k++) dot += e[oi + k] * e[oj + k];
      const d = Math.max(1 - dot, 0);
      if (labels[i] === labels[j]) {
        if (i === j) {
          w[j] = -Infinity;
          continue;
        }
        const v = -g * Math.max(m + d, 0) * (m - d);
        w[j] = v;
        if (v > maxPos) maxPos = v;
      } else {
        const v = g * Math.max(optimNeg - d, 0) * (deltaNeg - d);
        w[j] = v;
        if (v > maxNeg) maxNeg = v;
      }
    }
    let sPos = 0, sNeg = 0;
    for (let j = 0; j < B; j++) {
      if (j === i) continue;
      if (labels[i] === labels[j]) sPos += Math.exp(w[j] - maxPos);
      else sNeg += Math.exp(w[j] - maxNeg);
    }
    const z = maxPos + Math.log(sPos) + maxNeg + Math.log(sNeg);
    const loss = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    if (loss > 0) {
      total += loss;
      valid++;
    }
  }
  return valid > 0 ? total / valid : 0;
}
