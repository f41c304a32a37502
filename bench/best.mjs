// The best hand-written JavaScript loop for each workload: the yardstick of issue 10.
//
// What makes a loop "best" here (measured on V8 / Node 20, see bench/README.md):
// - one running index over contiguous typed arrays (no strides, no offset arrays);
// - 4 independent accumulators, so that the adds of consecutive elements do not wait on
//   each other (one `sum +=` chain is bound by the latency of an add, ~1.6 ns/element);
// - no data-dependent branches: max(x, 0) = 0.5 (x + |x|), min(a, d) = 0.5 (a + d - |a - d|),
//   clip(e, -d, d) = 0.5 (|e + d| - |e - d|), sign(e) = (e > 0) - (e < 0), a step
//   [v > 0] = +(v > 0). Branches that almost never change direction (clipping
//   probabilities to [eps, 1 - eps], a row maximum, skipping the zero entries of one-hot
//   labels) stay as they are: they are predicted;
// - gradients are written into a buffer the caller owns (`g`, as long as yPred), never
//   allocated per call;
// - float32 and float64 inputs run separate code: the benchmark imports this module twice
//   (`best.mjs?float32`, `best.mjs?float64`), two module instances with their own
//   functions, so one dtype's type feedback never slows the other.
//
// Every loop computes what losskit computes for any valid input of its shape (soft labels
// included), not only for the benchmark's data: the same formula as Keras (clipping,
// float32 constants), with the math rewritten exactly where that saves work. exp/log are
// Math.exp/Math.log/Math.log1p: Stage 2 of issue 10 measures the exp/log losses against
// these loops. Each returns the Keras default reduction ("sum_over_batch_size": the mean of
// the per-sample values); each *ValueAndGrad also fills `g` with d value / d yPred.
// test/bench-loops.test.ts checks every loop, in float32 and float64, against the float64
// references (bench/reference.mjs) and the gradients against finite differences of them.

const EPS32 = Math.fround(1e-7);
const ONE_MINUS_EPS32 = Math.fround(1 - 1e-7);
const LN2_32 = Math.fround(Math.LN2);

// ---- elementwise losses over [B, D]: the mean over all B·D elements -----------------------

/** W1: mean((yTrue - yPred)^2). */
export function meanSquaredError(t, p) {
  const n = p.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const e0 = p[i] - t[i], e1 = p[i + 1] - t[i + 1], e2 = p[i + 2] - t[i + 2], e3 = p[i + 3] - t[i + 3];
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (let i = n - (n & 3); i < n; i++) {
    const e = p[i] - t[i];
    s0 += e * e;
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W1 gradient: 2 (p - t) / N. */
export function meanSquaredErrorValueAndGrad(t, p, g) {
  const n = p.length, c = 2 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const e0 = p[i] - t[i], e1 = p[i + 1] - t[i + 1], e2 = p[i + 2] - t[i + 2], e3 = p[i + 3] - t[i + 3];
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
    g[i] = c * e0;
    g[i + 1] = c * e1;
    g[i + 2] = c * e2;
    g[i + 3] = c * e3;
  }
  for (let i = n - (n & 3); i < n; i++) {
    const e = p[i] - t[i];
    s0 += e * e;
    g[i] = c * e;
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W2: mean(|yTrue - yPred|). */
export function meanAbsoluteError(t, p) {
  const n = p.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    s0 += Math.abs(p[i] - t[i]);
    s1 += Math.abs(p[i + 1] - t[i + 1]);
    s2 += Math.abs(p[i + 2] - t[i + 2]);
    s3 += Math.abs(p[i + 3] - t[i + 3]);
  }
  for (let i = n - (n & 3); i < n; i++) s0 += Math.abs(p[i] - t[i]);
  return (s0 + s1 + s2 + s3) / n;
}

/** W2 gradient: sign(p - t) / N (0 where p = t, as TensorFlow's and PyTorch's abs). */
export function meanAbsoluteErrorValueAndGrad(t, p, g) {
  const n = p.length, c = 1 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const e0 = p[i] - t[i], e1 = p[i + 1] - t[i + 1], e2 = p[i + 2] - t[i + 2], e3 = p[i + 3] - t[i + 3];
    s0 += Math.abs(e0);
    s1 += Math.abs(e1);
    s2 += Math.abs(e2);
    s3 += Math.abs(e3);
    g[i] = c * ((e0 > 0) - (e0 < 0));
    g[i + 1] = c * ((e1 > 0) - (e1 < 0));
    g[i + 2] = c * ((e2 > 0) - (e2 < 0));
    g[i + 3] = c * ((e3 > 0) - (e3 < 0));
  }
  for (let i = n - (n & 3); i < n; i++) {
    const e = p[i] - t[i];
    s0 += Math.abs(e);
    g[i] = c * ((e > 0) - (e < 0));
  }
  return (s0 + s1 + s2 + s3) / n;
}

/**
 * W3: Huber. With a = |e| and m = min(a, δ) = 0.5 (a + δ - |a - δ|), the loss is
 * 0.5 m² + δ (a - m): 0.5 e² where a ≤ δ, δ a - 0.5 δ² beyond, without a branch.
 */
export function huber(t, p, delta = 1) {
  const n = p.length, d = delta + 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const a0 = Math.abs(p[i] - t[i]), a1 = Math.abs(p[i + 1] - t[i + 1]), a2 = Math.abs(p[i + 2] - t[i + 2]), a3 = Math.abs(p[i + 3] - t[i + 3]);
    const m0 = 0.5 * (a0 + d - Math.abs(a0 - d)), m1 = 0.5 * (a1 + d - Math.abs(a1 - d));
    const m2 = 0.5 * (a2 + d - Math.abs(a2 - d)), m3 = 0.5 * (a3 + d - Math.abs(a3 - d));
    s0 += 0.5 * m0 * m0 + d * (a0 - m0);
    s1 += 0.5 * m1 * m1 + d * (a1 - m1);
    s2 += 0.5 * m2 * m2 + d * (a2 - m2);
    s3 += 0.5 * m3 * m3 + d * (a3 - m3);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const a = Math.abs(p[i] - t[i]);
    const m = 0.5 * (a + d - Math.abs(a - d));
    s0 += 0.5 * m * m + d * (a - m);
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W3 gradient: clip(e, -δ, δ) / N = 0.5 (|e + δ| - |e - δ|) / N. */
export function huberValueAndGrad(t, p, g, delta = 1) {
  const n = p.length, d = delta + 0, c = 0.5 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const e0 = p[i] - t[i], e1 = p[i + 1] - t[i + 1], e2 = p[i + 2] - t[i + 2], e3 = p[i + 3] - t[i + 3];
    const a0 = Math.abs(e0), a1 = Math.abs(e1), a2 = Math.abs(e2), a3 = Math.abs(e3);
    const m0 = 0.5 * (a0 + d - Math.abs(a0 - d)), m1 = 0.5 * (a1 + d - Math.abs(a1 - d));
    const m2 = 0.5 * (a2 + d - Math.abs(a2 - d)), m3 = 0.5 * (a3 + d - Math.abs(a3 - d));
    s0 += 0.5 * m0 * m0 + d * (a0 - m0);
    s1 += 0.5 * m1 * m1 + d * (a1 - m1);
    s2 += 0.5 * m2 * m2 + d * (a2 - m2);
    s3 += 0.5 * m3 * m3 + d * (a3 - m3);
    g[i] = c * (Math.abs(e0 + d) - Math.abs(e0 - d));
    g[i + 1] = c * (Math.abs(e1 + d) - Math.abs(e1 - d));
    g[i + 2] = c * (Math.abs(e2 + d) - Math.abs(e2 - d));
    g[i + 3] = c * (Math.abs(e3 + d) - Math.abs(e3 - d));
  }
  for (let i = n - (n & 3); i < n; i++) {
    const e = p[i] - t[i];
    const a = Math.abs(e);
    const m = 0.5 * (a + d - Math.abs(a - d));
    s0 += 0.5 * m * m + d * (a - m);
    g[i] = c * (Math.abs(e + d) - Math.abs(e - d));
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W4: log(cosh(e)) = |e| + log1p(exp(-2|e|)) - log(2), with Keras's float32 log(2). */
export function logCosh(t, p) {
  const n = p.length, ln2 = LN2_32 + 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const a0 = Math.abs(p[i] - t[i]), a1 = Math.abs(p[i + 1] - t[i + 1]), a2 = Math.abs(p[i + 2] - t[i + 2]), a3 = Math.abs(p[i + 3] - t[i + 3]);
    s0 += a0 + Math.log1p(Math.exp(-2 * a0));
    s1 += a1 + Math.log1p(Math.exp(-2 * a1));
    s2 += a2 + Math.log1p(Math.exp(-2 * a2));
    s3 += a3 + Math.log1p(Math.exp(-2 * a3));
  }
  for (let i = n - (n & 3); i < n; i++) {
    const a = Math.abs(p[i] - t[i]);
    s0 += a + Math.log1p(Math.exp(-2 * a));
  }
  return (s0 + s1 + s2 + s3) / n - ln2;
}

/** W4 gradient: tanh(e) / N = sign(e) (1 - x) / (1 + x) / N with x = exp(-2|e|), the exp the value needs. */
export function logCoshValueAndGrad(t, p, g) {
  const n = p.length, ln2 = LN2_32 + 0, c = 1 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const e0 = p[i] - t[i], e1 = p[i + 1] - t[i + 1], e2 = p[i + 2] - t[i + 2], e3 = p[i + 3] - t[i + 3];
    const a0 = Math.abs(e0), a1 = Math.abs(e1), a2 = Math.abs(e2), a3 = Math.abs(e3);
    const x0 = Math.exp(-2 * a0), x1 = Math.exp(-2 * a1), x2 = Math.exp(-2 * a2), x3 = Math.exp(-2 * a3);
    s0 += a0 + Math.log1p(x0);
    s1 += a1 + Math.log1p(x1);
    s2 += a2 + Math.log1p(x2);
    s3 += a3 + Math.log1p(x3);
    g[i] = (c * ((e0 > 0) - (e0 < 0)) * (1 - x0)) / (1 + x0);
    g[i + 1] = (c * ((e1 > 0) - (e1 < 0)) * (1 - x1)) / (1 + x1);
    g[i + 2] = (c * ((e2 > 0) - (e2 < 0)) * (1 - x2)) / (1 + x2);
    g[i + 3] = (c * ((e3 > 0) - (e3 < 0)) * (1 - x3)) / (1 + x3);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const e = p[i] - t[i];
    const a = Math.abs(e);
    const x = Math.exp(-2 * a);
    s0 += a + Math.log1p(x);
    g[i] = (c * ((e > 0) - (e < 0)) * (1 - x)) / (1 + x);
  }
  return (s0 + s1 + s2 + s3) / n - ln2;
}

/** W5: sigmoid cross-entropy on logits: max(x, 0) - x z + log1p(exp(-|x|)), max(x, 0) = 0.5 (x + |x|). */
export function binaryCrossentropyFromLogits(z, x) {
  const n = x.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
    const a0 = Math.abs(v0), a1 = Math.abs(v1), a2 = Math.abs(v2), a3 = Math.abs(v3);
    s0 += 0.5 * (v0 + a0) - v0 * z[i] + Math.log1p(Math.exp(-a0));
    s1 += 0.5 * (v1 + a1) - v1 * z[i + 1] + Math.log1p(Math.exp(-a1));
    s2 += 0.5 * (v2 + a2) - v2 * z[i + 2] + Math.log1p(Math.exp(-a2));
    s3 += 0.5 * (v3 + a3) - v3 * z[i + 3] + Math.log1p(Math.exp(-a3));
  }
  for (let i = n - (n & 3); i < n; i++) {
    const v = x[i];
    const a = Math.abs(v);
    s0 += 0.5 * (v + a) - v * z[i] + Math.log1p(Math.exp(-a));
  }
  return (s0 + s1 + s2 + s3) / n;
}

/**
 * W5 gradient: (sigmoid(x) - z) / N. With e = exp(-|x|) (the value's exp) and s = [x ≥ 0],
 * sigmoid(x) = (s + (1 - s) e) / (1 + e): 1 / (1 + e) for x ≥ 0, e / (1 + e) below, exact
 * at both ends.
 */
export function binaryCrossentropyFromLogitsValueAndGrad(z, x, g) {
  const n = x.length, c = 1 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
    const z0 = z[i], z1 = z[i + 1], z2 = z[i + 2], z3 = z[i + 3];
    const a0 = Math.abs(v0), a1 = Math.abs(v1), a2 = Math.abs(v2), a3 = Math.abs(v3);
    const e0 = Math.exp(-a0), e1 = Math.exp(-a1), e2 = Math.exp(-a2), e3 = Math.exp(-a3);
    s0 += 0.5 * (v0 + a0) - v0 * z0 + Math.log1p(e0);
    s1 += 0.5 * (v1 + a1) - v1 * z1 + Math.log1p(e1);
    s2 += 0.5 * (v2 + a2) - v2 * z2 + Math.log1p(e2);
    s3 += 0.5 * (v3 + a3) - v3 * z3 + Math.log1p(e3);
    const k0 = +(v0 >= 0), k1 = +(v1 >= 0), k2 = +(v2 >= 0), k3 = +(v3 >= 0);
    g[i] = c * ((k0 + (1 - k0) * e0) / (1 + e0) - z0);
    g[i + 1] = c * ((k1 + (1 - k1) * e1) / (1 + e1) - z1);
    g[i + 2] = c * ((k2 + (1 - k2) * e2) / (1 + e2) - z2);
    g[i + 3] = c * ((k3 + (1 - k3) * e3) / (1 + e3) - z3);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const v = x[i], y = z[i];
    const a = Math.abs(v);
    const e = Math.exp(-a);
    s0 += 0.5 * (v + a) - v * y + Math.log1p(e);
    const k = +(v >= 0);
    g[i] = c * ((k + (1 - k) * e) / (1 + e) - y);
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W6: binary cross-entropy on probabilities clipped to [eps, 1 - eps] (float32 bounds, as Keras). */
export function binaryCrossentropy(z, p) {
  const n = p.length, lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const q0 = Math.min(Math.max(p[i], lo), hi), q1 = Math.min(Math.max(p[i + 1], lo), hi);
    const q2 = Math.min(Math.max(p[i + 2], lo), hi), q3 = Math.min(Math.max(p[i + 3], lo), hi);
    const y0 = z[i], y1 = z[i + 1], y2 = z[i + 2], y3 = z[i + 3];
    s0 -= y0 * Math.log(q0) + (1 - y0) * Math.log(1 - q0);
    s1 -= y1 * Math.log(q1) + (1 - y1) * Math.log(1 - q1);
    s2 -= y2 * Math.log(q2) + (1 - y2) * Math.log(1 - q2);
    s3 -= y3 * Math.log(q3) + (1 - y3) * Math.log(1 - q3);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const q = Math.min(Math.max(p[i], lo), hi), y = z[i];
    s0 -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W6 gradient: ((1 - z) / (1 - q) - z / q) / N inside [eps, 1 - eps] (bounds included, as tf.clip_by_value), 0 outside. */
export function binaryCrossentropyValueAndGrad(z, p, g) {
  const n = p.length, lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0, c = 1 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const v0 = p[i], v1 = p[i + 1], v2 = p[i + 2], v3 = p[i + 3];
    const q0 = Math.min(Math.max(v0, lo), hi), q1 = Math.min(Math.max(v1, lo), hi);
    const q2 = Math.min(Math.max(v2, lo), hi), q3 = Math.min(Math.max(v3, lo), hi);
    const y0 = z[i], y1 = z[i + 1], y2 = z[i + 2], y3 = z[i + 3];
    s0 -= y0 * Math.log(q0) + (1 - y0) * Math.log(1 - q0);
    s1 -= y1 * Math.log(q1) + (1 - y1) * Math.log(1 - q1);
    s2 -= y2 * Math.log(q2) + (1 - y2) * Math.log(1 - q2);
    s3 -= y3 * Math.log(q3) + (1 - y3) * Math.log(1 - q3);
    g[i] = c * ((v0 >= lo) & (v0 <= hi)) * ((1 - y0) / (1 - q0) - y0 / q0);
    g[i + 1] = c * ((v1 >= lo) & (v1 <= hi)) * ((1 - y1) / (1 - q1) - y1 / q1);
    g[i + 2] = c * ((v2 >= lo) & (v2 <= hi)) * ((1 - y2) / (1 - q2) - y2 / q2);
    g[i + 3] = c * ((v3 >= lo) & (v3 <= hi)) * ((1 - y3) / (1 - q3) - y3 / q3);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const v = p[i], y = z[i];
    const q = Math.min(Math.max(v, lo), hi);
    s0 -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
    g[i] = c * ((v >= lo) & (v <= hi)) * ((1 - y) / (1 - q) - y / q);
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** Keras maps {0, 1} hinge labels to {-1, 1}: true when every label is 0 or 1. */
function zeroOneLabels(y) {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) return false;
  }
  return true;
}

/** W11: mean(max(1 - y p, 0)) with max(v, 0) = 0.5 (v + |v|); {0,1} labels first mapped to {-1,1}, as Keras does. */
export function hinge(y, p) {
  const n = p.length;
  const binary = zeroOneLabels(y);
  const a = binary ? 2 : 1, b = binary ? -1 : 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const v0 = 1 - (a * y[i] + b) * p[i], v1 = 1 - (a * y[i + 1] + b) * p[i + 1];
    const v2 = 1 - (a * y[i + 2] + b) * p[i + 2], v3 = 1 - (a * y[i + 3] + b) * p[i + 3];
    s0 += v0 + Math.abs(v0);
    s1 += v1 + Math.abs(v1);
    s2 += v2 + Math.abs(v2);
    s3 += v3 + Math.abs(v3);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const v = 1 - (a * y[i] + b) * p[i];
    s0 += v + Math.abs(v);
  }
  return (0.5 * (s0 + s1 + s2 + s3)) / n;
}

/** W11 gradient: -y [1 - y p > 0] / N. */
export function hingeValueAndGrad(y, p, g) {
  const n = p.length, c = -1 / n;
  const binary = zeroOneLabels(y);
  const a = binary ? 2 : 1, b = binary ? -1 : 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const l0 = a * y[i] + b, l1 = a * y[i + 1] + b, l2 = a * y[i + 2] + b, l3 = a * y[i + 3] + b;
    const v0 = 1 - l0 * p[i], v1 = 1 - l1 * p[i + 1], v2 = 1 - l2 * p[i + 2], v3 = 1 - l3 * p[i + 3];
    s0 += v0 + Math.abs(v0);
    s1 += v1 + Math.abs(v1);
    s2 += v2 + Math.abs(v2);
    s3 += v3 + Math.abs(v3);
    g[i] = c * l0 * +(v0 > 0);
    g[i + 1] = c * l1 * +(v1 > 0);
    g[i + 2] = c * l2 * +(v2 > 0);
    g[i + 3] = c * l3 * +(v3 > 0);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const l = a * y[i] + b;
    const v = 1 - l * p[i];
    s0 += v + Math.abs(v);
    g[i] = c * l * +(v > 0);
  }
  return (0.5 * (s0 + s1 + s2 + s3)) / n;
}

/**
 * W14: binary focal cross-entropy on logits, Keras's formula with the math rewritten:
 * one exp and one log1p per element instead of a sigmoid and two logs. With e = exp(-|x|),
 * L = log1p(e): log σ(x) = -(max(-x, 0) + L), log(1 - σ(x)) = -(max(x, 0) + L); Keras clips
 * σ(x) to [eps, 1 - eps] before its logs, so each log is clamped to [log eps, log(1 - eps)].
 * Loss: w (1 - p_t)^γ · bce with p_t = z σ + (1 - z)(1 - σ), w = z α + (1 - z)(1 - α).
 */
export function binaryFocalCrossentropyFromLogits(z, x, { gamma = 2, alpha = 0.25, applyClassBalancing = true } = {}) {
  const n = x.length;
  const logLo = Math.log(EPS32), logHi = Math.log(ONE_MINUS_EPS32), logOneMinusHi = Math.log(1 - ONE_MINUS_EPS32), logOneMinusLo = Math.log(1 - EPS32);
  const g2 = gamma === 2, gm = gamma + 0, a1 = applyClassBalancing ? alpha + 0 : 1, a0 = applyClassBalancing ? 1 - alpha : 1;
  let s0 = 0, s1 = 0;
  // Two accumulators: the per-element work (exp, log1p, pow) is long enough that the add chain is not the limit.
  for (let i = 0; i < n - (n & 1); i += 2) {
    s0 += binaryFocalTerm(z[i], x[i], logLo, logHi, logOneMinusHi, logOneMinusLo, g2, gm, a1, a0);
    s1 += binaryFocalTerm(z[i + 1], x[i + 1], logLo, logHi, logOneMinusHi, logOneMinusLo, g2, gm, a1, a0);
  }
  for (let i = n - (n & 1); i < n; i++) s0 += binaryFocalTerm(z[i], x[i], logLo, logHi, logOneMinusHi, logOneMinusLo, g2, gm, a1, a0);
  return (s0 + s1) / n;
}

function binaryFocalTerm(y, v, logLo, logHi, logOneMinusHi, logOneMinusLo, g2, gm, a1, a0) {
  const a = Math.abs(v);
  const e = Math.exp(-a);
  const L = Math.log1p(e);
  const relu = 0.5 * (v + a);
  const logP = Math.min(Math.max(-(relu - v + L), logLo), logHi);
  const logQ = Math.min(Math.max(-(relu + L), logOneMinusHi), logOneMinusLo);
  const k = +(v >= 0);
  const sig = (k + (1 - k) * e) / (1 + e);
  const f = sig + y - 2 * y * sig; // 1 - p_t
  const focal = g2 ? f * f : Math.pow(f, gm);
  return (y * a1 + (1 - y) * a0) * focal * -(y * logP + (1 - y) * logQ);
}

/**
 * W14 gradient, per element (d/dx): w (γ f^(γ-1) (1 - 2z) σ(1 - σ) bce + f^γ m (σ - z)) / N
 * with f = 1 - p_t and m = [eps ≤ σ ≤ 1 - eps] (the clip's gradient).
 */
export function binaryFocalCrossentropyFromLogitsValueAndGrad(z, x, g, { gamma = 2, alpha = 0.25, applyClassBalancing = true } = {}) {
  const n = x.length, c = 1 / n;
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0;
  const logLo = Math.log(EPS32), logHi = Math.log(ONE_MINUS_EPS32), logOneMinusHi = Math.log(1 - ONE_MINUS_EPS32), logOneMinusLo = Math.log(1 - EPS32);
  const g2 = gamma === 2, gm = gamma + 0, a1 = applyClassBalancing ? alpha + 0 : 1, a0 = applyClassBalancing ? 1 - alpha : 1;
  let s0 = 0;
  for (let i = 0; i < n; i++) {
    const y = z[i], v = x[i];
    const a = Math.abs(v);
    const e = Math.exp(-a);
    const L = Math.log1p(e);
    const relu = 0.5 * (v + a);
    const logP = Math.min(Math.max(-(relu - v + L), logLo), logHi);
    const logQ = Math.min(Math.max(-(relu + L), logOneMinusHi), logOneMinusLo);
    const k = +(v >= 0);
    const sig = (k + (1 - k) * e) / (1 + e);
    const f = sig + y - 2 * y * sig;
    const w = y * a1 + (1 - y) * a0;
    const bce = -(y * logP + (1 - y) * logQ);
    const fPrev = g2 ? f : Math.pow(f, gm - 1);
    const focal = g2 ? f * f : fPrev * f;
    s0 += w * focal * bce; // one accumulator: an exp, a log1p and a division per element hide the add latency
    const m = (sig >= lo) & (sig <= hi);
    g[i] = c * w * (gm * fPrev * (1 - 2 * y) * sig * (1 - sig) * bce + focal * m * (sig - y));
  }
  return s0 / n;
}

// ---- losses over rows [B, C]: the mean over B rows of a per-row value ------------------------

/** max over x[o .. o+C), four lanes. */
function rowMax(x, o, C) {
  let m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity;
  for (let k = 0; k < C - (C & 3); k += 4) {
    m0 = Math.max(m0, x[o + k]);
    m1 = Math.max(m1, x[o + k + 1]);
    m2 = Math.max(m2, x[o + k + 2]);
    m3 = Math.max(m3, x[o + k + 3]);
  }
  for (let k = C - (C & 3); k < C; k++) m0 = Math.max(m0, x[o + k]);
  return Math.max(Math.max(m0, m1), Math.max(m2, m3));
}

/** Σ exp(x - m) over x[o .. o+C), four accumulators. */
function rowSumExp(x, o, C, m) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let k = 0; k < C - (C & 3); k += 4) {
    s0 += Math.exp(x[o + k] - m);
    s1 += Math.exp(x[o + k + 1] - m);
    s2 += Math.exp(x[o + k + 2] - m);
    s3 += Math.exp(x[o + k + 3] - m);
  }
  for (let k = C - (C & 3); k < C; k++) s0 += Math.exp(x[o + k] - m);
  return s0 + s1 + s2 + s3;
}

/** Σ exp(x - m) over a row, each exp also stored in g (the softmax numerators). */
function rowSumExpInto(x, g, o, C, m) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let k = 0; k < C - (C & 3); k += 4) {
    const e0 = Math.exp(x[o + k] - m), e1 = Math.exp(x[o + k + 1] - m), e2 = Math.exp(x[o + k + 2] - m), e3 = Math.exp(x[o + k + 3] - m);
    g[o + k] = e0;
    g[o + k + 1] = e1;
    g[o + k + 2] = e2;
    g[o + k + 3] = e3;
    s0 += e0;
    s1 += e1;
    s2 += e2;
    s3 += e3;
  }
  for (let k = C - (C & 3); k < C; k++) {
    const e = Math.exp(x[o + k] - m);
    g[o + k] = e;
    s0 += e;
  }
  return s0 + s1 + s2 + s3;
}

// Gradient passes over a row, unrolled by 4 like the reductions: a store loop of one
// element per iteration runs at half the speed here (loop and bounds-check overhead).

/** g[o+k] *= a over a row. */
function rowScale(g, a, o, C) {
  for (let k = 0; k < C - (C & 3); k += 4) {
    const i = o + k;
    g[i] *= a;
    g[i + 1] *= a;
    g[i + 2] *= a;
    g[i + 3] *= a;
  }
  for (let k = C - (C & 3); k < C; k++) g[o + k] *= a;
}

/** g = a·g + b·y over a row. */
function rowAxpy(g, a, y, b, o, C) {
  for (let k = 0; k < C - (C & 3); k += 4) {
    const i = o + k;
    g[i] = a * g[i] + b * y[i];
    g[i + 1] = a * g[i + 1] + b * y[i + 1];
    g[i + 2] = a * g[i + 2] + b * y[i + 2];
    g[i + 3] = a * g[i + 3] + b * y[i + 3];
  }
  for (let k = C - (C & 3); k < C; k++) g[o + k] = a * g[o + k] + b * y[o + k];
}

/** g = a·t + b·p over a row. */
function rowLinear(g, a, t, b, p, o, D) {
  for (let k = 0; k < D - (D & 3); k += 4) {
    const i = o + k;
    g[i] = a * t[i] + b * p[i];
    g[i + 1] = a * t[i + 1] + b * p[i + 1];
    g[i + 2] = a * t[i + 2] + b * p[i + 2];
    g[i + 3] = a * t[i + 3] + b * p[i + 3];
  }
  for (let k = D - (D & 3); k < D; k++) g[o + k] = a * t[o + k] + b * p[o + k];
}

/** g = a·t + b over a row. */
function rowAffine(g, a, t, b, o, D) {
  for (let k = 0; k < D - (D & 3); k += 4) {
    const i = o + k;
    g[i] = a * t[i] + b;
    g[i + 1] = a * t[i + 1] + b;
    g[i + 2] = a * t[i + 2] + b;
    g[i + 3] = a * t[i + 3] + b;
  }
  for (let k = D - (D & 3); k < D; k++) g[o + k] = a * t[o + k] + b;
}

/** W7: softmax cross-entropy with (one-hot or soft) labels: Σy · logsumexp(x) - Σ y·x per row. */
export function categoricalCrossentropyFromLogits(y, x, B, C) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    const m = rowMax(x, o, C);
    const s = rowSumExp(x, o, C, m);
    let sy0 = 0, sy1 = 0, sx0 = 0, sx1 = 0;
    for (let k = 0; k < C - (C & 1); k += 2) {
      const y0 = y[o + k], y1 = y[o + k + 1];
      sy0 += y0;
      sy1 += y1;
      sx0 += y0 * x[o + k];
      sx1 += y1 * x[o + k + 1];
    }
    for (let k = C - (C & 1); k < C; k++) {
      sy0 += y[o + k];
      sx0 += y[o + k] * x[o + k];
    }
    total += (sy0 + sy1) * (m + Math.log(s)) - (sx0 + sx1);
  }
  return total / B;
}

/** W7 gradient: (Σy · softmax(x) - y) / B; the exps go through `g`. */
export function categoricalCrossentropyFromLogitsValueAndGrad(y, x, g, B, C) {
  let total = 0;
  const invB = 1 / B;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    const m = rowMax(x, o, C);
    const s = rowSumExpInto(x, g, o, C, m);
    let sy0 = 0, sy1 = 0, sx0 = 0, sx1 = 0;
    for (let k = 0; k < C - (C & 1); k += 2) {
      const y0 = y[o + k], y1 = y[o + k + 1];
      sy0 += y0;
      sy1 += y1;
      sx0 += y0 * x[o + k];
      sx1 += y1 * x[o + k + 1];
    }
    for (let k = C - (C & 1); k < C; k++) {
      sy0 += y[o + k];
      sx0 += y[o + k] * x[o + k];
    }
    const sy = sy0 + sy1;
    total += sy * (m + Math.log(s)) - (sx0 + sx1);
    const a = (sy / s) * invB;
    rowAxpy(g, a, y, -invB, o, C); // g = a·g - y/B
  }
  return total * invB;
}

/** W8: sparse softmax cross-entropy: logsumexp(x) - x[label] per row. */
export function sparseCategoricalCrossentropyFromLogits(labels, x, B, C) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    const m = rowMax(x, o, C);
    total += m + Math.log(rowSumExp(x, o, C, m)) - x[o + labels[r]];
  }
  return total / B;
}

/** W8 gradient: (softmax(x) - onehot(label)) / B. */
export function sparseCategoricalCrossentropyFromLogitsValueAndGrad(labels, x, g, B, C) {
  let total = 0;
  const invB = 1 / B;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    const m = rowMax(x, o, C);
    const s = rowSumExpInto(x, g, o, C, m);
    const label = labels[r];
    total += m + Math.log(s) - x[o + label];
    const a = invB / s;
    rowScale(g, a, o, C);
    g[o + label] -= invB;
  }
  return total * invB;
}

/** W9: Σ t log(t / p) per row, both clipped to [eps, 1]. */
export function klDivergence(t, p, B) {
  const n = p.length, lo = EPS32 + 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const a0 = Math.min(Math.max(t[i], lo), 1), a1 = Math.min(Math.max(t[i + 1], lo), 1);
    const a2 = Math.min(Math.max(t[i + 2], lo), 1), a3 = Math.min(Math.max(t[i + 3], lo), 1);
    s0 += a0 * Math.log(a0 / Math.min(Math.max(p[i], lo), 1));
    s1 += a1 * Math.log(a1 / Math.min(Math.max(p[i + 1], lo), 1));
    s2 += a2 * Math.log(a2 / Math.min(Math.max(p[i + 2], lo), 1));
    s3 += a3 * Math.log(a3 / Math.min(Math.max(p[i + 3], lo), 1));
  }
  for (let i = n - (n & 3); i < n; i++) {
    const a = Math.min(Math.max(t[i], lo), 1);
    s0 += a * Math.log(a / Math.min(Math.max(p[i], lo), 1));
  }
  return (s0 + s1 + s2 + s3) / B;
}

/** W9 gradient: -clip(t) / clip(p) / B where eps ≤ p ≤ 1, 0 outside. */
export function klDivergenceValueAndGrad(t, p, g, B) {
  const n = p.length, lo = EPS32 + 0, c = -1 / B;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const a0 = Math.min(Math.max(t[i], lo), 1), a1 = Math.min(Math.max(t[i + 1], lo), 1);
    const a2 = Math.min(Math.max(t[i + 2], lo), 1), a3 = Math.min(Math.max(t[i + 3], lo), 1);
    const v0 = p[i], v1 = p[i + 1], v2 = p[i + 2], v3 = p[i + 3];
    const b0 = Math.min(Math.max(v0, lo), 1), b1 = Math.min(Math.max(v1, lo), 1), b2 = Math.min(Math.max(v2, lo), 1), b3 = Math.min(Math.max(v3, lo), 1);
    const r0 = a0 / b0, r1 = a1 / b1, r2 = a2 / b2, r3 = a3 / b3;
    s0 += a0 * Math.log(r0);
    s1 += a1 * Math.log(r1);
    s2 += a2 * Math.log(r2);
    s3 += a3 * Math.log(r3);
    g[i] = c * ((v0 >= lo) & (v0 <= 1)) * r0;
    g[i + 1] = c * ((v1 >= lo) & (v1 <= 1)) * r1;
    g[i + 2] = c * ((v2 >= lo) & (v2 <= 1)) * r2;
    g[i + 3] = c * ((v3 >= lo) & (v3 <= 1)) * r3;
  }
  for (let i = n - (n & 3); i < n; i++) {
    const a = Math.min(Math.max(t[i], lo), 1), v = p[i];
    const r = a / Math.min(Math.max(v, lo), 1);
    s0 += a * Math.log(r);
    g[i] = c * ((v >= lo) & (v <= 1)) * r;
  }
  return (s0 + s1 + s2 + s3) / B;
}

/** W10: -Σ l2normalize(t)·l2normalize(p) per row, Keras's `x * min(rsqrt(Σx²), 1/eps)`. */
export function cosineSimilarity(t, p, B, D) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    let tt0 = 0, tt1 = 0, pp0 = 0, pp1 = 0, tp0 = 0, tp1 = 0, tp2 = 0, tp3 = 0;
    for (let k = 0; k < D - (D & 3); k += 4) {
      const a0 = t[o + k], a1 = t[o + k + 1], a2 = t[o + k + 2], a3 = t[o + k + 3];
      const b0 = p[o + k], b1 = p[o + k + 1], b2 = p[o + k + 2], b3 = p[o + k + 3];
      tt0 += a0 * a0 + a2 * a2;
      tt1 += a1 * a1 + a3 * a3;
      pp0 += b0 * b0 + b2 * b2;
      pp1 += b1 * b1 + b3 * b3;
      tp0 += a0 * b0;
      tp1 += a1 * b1;
      tp2 += a2 * b2;
      tp3 += a3 * b3;
    }
    for (let k = D - (D & 3); k < D; k++) {
      const a = t[o + k], b = p[o + k];
      tt0 += a * a;
      pp0 += b * b;
      tp0 += a * b;
    }
    total -= (tp0 + tp1 + tp2 + tp3) * Math.min(1 / Math.sqrt(tt0 + tt1), 1e7) * Math.min(1 / Math.sqrt(pp0 + pp1), 1e7);
  }
  return total / B;
}

/**
 * W10 gradient: with nt, np the clamped inverse norms, d/dp_k = (-nt np t_k + nt tp np³ p_k) / B
 * (the second term vanishes where np is clamped at 1/eps: a constant there).
 */
export function cosineSimilarityValueAndGrad(t, p, g, B, D) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    let tt0 = 0, tt1 = 0, pp0 = 0, pp1 = 0, tp0 = 0, tp1 = 0, tp2 = 0, tp3 = 0;
    for (let k = 0; k < D - (D & 3); k += 4) {
      const a0 = t[o + k], a1 = t[o + k + 1], a2 = t[o + k + 2], a3 = t[o + k + 3];
      const b0 = p[o + k], b1 = p[o + k + 1], b2 = p[o + k + 2], b3 = p[o + k + 3];
      tt0 += a0 * a0 + a2 * a2;
      tt1 += a1 * a1 + a3 * a3;
      pp0 += b0 * b0 + b2 * b2;
      pp1 += b1 * b1 + b3 * b3;
      tp0 += a0 * b0;
      tp1 += a1 * b1;
      tp2 += a2 * b2;
      tp3 += a3 * b3;
    }
    for (let k = D - (D & 3); k < D; k++) {
      const a = t[o + k], b = p[o + k];
      tt0 += a * a;
      pp0 += b * b;
      tp0 += a * b;
    }
    const tp = tp0 + tp1 + tp2 + tp3;
    const nt = Math.min(1 / Math.sqrt(tt0 + tt1), 1e7);
    const rp = 1 / Math.sqrt(pp0 + pp1);
    const np = Math.min(rp, 1e7);
    total -= tp * nt * np;
    const ca = (-nt * np) / B;
    const cb = rp < 1e7 ? (nt * tp * np * np * np) / B : 0;
    rowLinear(g, ca, t, cb, p, o, D); // g = ca·t + cb·p
  }
  return total / B;
}

/** W15: categorical focal cross-entropy on logits: Σ_k -α (1 - o_k)^γ y_k log(o_k), o = clip(softmax(x), eps, 1 - eps). */
export function categoricalFocalCrossentropyFromLogits(y, x, B, C, { gamma = 2, alpha = 0.25 } = {}) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0, gm = gamma + 0, g2 = gamma === 2, al = alpha + 0;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    const m = rowMax(x, o, C);
    const inv = 1 / rowSumExp(x, o, C, m);
    for (let k = 0; k < C; k++) {
      const yk = y[o + k];
      if (yk === 0) continue; // one-hot rows: 1 entry in C, a predicted branch; -0 · log(o) = 0 anyway
      const q = Math.min(Math.max(Math.exp(x[o + k] - m) * inv, lo), hi);
      const f = 1 - q;
      total -= al * (g2 ? f * f : Math.pow(f, gm)) * yk * Math.log(q);
    }
  }
  return total / B;
}

/**
 * W15 gradient: softmax's Jacobian applied to h_k = d loss / d o_k = -α y_k m_k (-γ (1 - o_k)^(γ-1) log o_k + (1 - o_k)^γ / o_k)
 * (m_k: the clip's gradient; Keras's renormalization o / Σo is the identity on softmax outputs):
 * d/dx_j = o_j (h_j - Σ_k h_k o_k) / B. Only labelled classes have h ≠ 0.
 */
export function categoricalFocalCrossentropyFromLogitsValueAndGrad(y, x, g, B, C, { gamma = 2, alpha = 0.25 } = {}) {
  const lo = EPS32 + 0, hi = ONE_MINUS_EPS32 + 0, gm = gamma + 0, g2 = gamma === 2, al = alpha + 0, invB = 1 / B;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    const m = rowMax(x, o, C);
    const inv = 1 / rowSumExpInto(x, g, o, C, m);
    // Labelled classes (a predicted branch): the value and Σ h_k o_k.
    let dot = 0;
    for (let k = 0; k < C; k++) {
      const yk = y[o + k];
      if (yk === 0) continue;
      const sm = Math.exp(x[o + k] - m) * inv; // not g's copy: a float32 g rounds it
      const q = Math.min(Math.max(sm, lo), hi);
      const f = 1 - q;
      const fPrev = g2 ? f : Math.pow(f, gm - 1);
      const logQ = Math.log(q);
      total -= al * fPrev * f * yk * logQ;
      dot += sm * focalSlope(yk, sm, q, f, fPrev, logQ, lo, hi, gm, al);
    }
    // d/dx_j = o_j (h_j - dot) / B: first -o_j dot / B everywhere, then o_j h_j / B added
    // for the labelled classes (h_j recomputed; the row of y is still in cache).
    const a = inv * invB;
    rowScale(g, -a * dot, o, C);
    for (let k = 0; k < C; k++) {
      const yk = y[o + k];
      if (yk === 0) continue;
      const sm = Math.exp(x[o + k] - m) * inv;
      const q = Math.min(Math.max(sm, lo), hi);
      const f = 1 - q;
      g[o + k] += sm * invB * focalSlope(yk, sm, q, f, g2 ? f : Math.pow(f, gm - 1), Math.log(q), lo, hi, gm, al);
    }
  }
  return total * invB;
}

/** h = d(-α (1 - q)^γ y log q) / d o for o = softmax value `sm`, q = clip(sm): 0 where the clip is active. */
function focalSlope(yk, sm, q, f, fPrev, logQ, lo, hi, gm, al) {
  return -al * yk * ((sm >= lo) & (sm <= hi)) * (-gm * fPrev * logQ + (fPrev * f) / q);
}

/** W16: Dice over every axis but the batch: 1 - 2 Σtp / (Σt + Σp + eps) per sample. */
export function dice(t, p, B, D) {
  const eps = EPS32 + 0;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, u0 = 0, u1 = 0;
    for (let k = 0; k < D - (D & 3); k += 4) {
      const a0 = t[o + k], a1 = t[o + k + 1], a2 = t[o + k + 2], a3 = t[o + k + 3];
      const b0 = p[o + k], b1 = p[o + k + 1], b2 = p[o + k + 2], b3 = p[o + k + 3];
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      u0 += a0 + b0 + a2 + b2;
      u1 += a1 + b1 + a3 + b3;
    }
    for (let k = D - (D & 3); k < D; k++) {
      i0 += t[o + k] * p[o + k];
      u0 += t[o + k] + p[o + k];
    }
    total += 1 - (2 * (i0 + i1 + i2 + i3)) / (u0 + u1 + eps);
  }
  return total / B;
}

/** W16 gradient: d/dp_k = -2 (t_k den - inter) / den² / B with den = Σt + Σp + eps. */
export function diceValueAndGrad(t, p, g, B, D) {
  const eps = EPS32 + 0;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, u0 = 0, u1 = 0;
    for (let k = 0; k < D - (D & 3); k += 4) {
      const a0 = t[o + k], a1 = t[o + k + 1], a2 = t[o + k + 2], a3 = t[o + k + 3];
      const b0 = p[o + k], b1 = p[o + k + 1], b2 = p[o + k + 2], b3 = p[o + k + 3];
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      u0 += a0 + b0 + a2 + b2;
      u1 += a1 + b1 + a3 + b3;
    }
    for (let k = D - (D & 3); k < D; k++) {
      i0 += t[o + k] * p[o + k];
      u0 += t[o + k] + p[o + k];
    }
    const inter = i0 + i1 + i2 + i3, den = u0 + u1 + eps;
    total += 1 - (2 * inter) / den;
    const ca = -2 / (den * B), cb = (2 * inter) / (den * den * B);
    rowAffine(g, ca, t, cb, o, D); // g = ca·t + cb
  }
  return total / B;
}

// ---- CTC and Circle ------------------------------------------------------------------------

/**
 * W17: CTC negative log-likelihood per sample, log-space alpha recursion (blank 0; labels =
 * the non-zero entries of each row); the work is the recursion, not a reduction, so this is
 * the plain loop of loops.mjs with the log-softmax of each frame computed once.
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
      const m = rowMax(x, o, C);
      lse[t] = m + Math.log(rowSumExp(x, o, C, m));
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
      const o = xo + t * C, l = lse[t];
      for (let s = 0; s < states; s++) {
        let a = prev[s];
        if (s > 0) a = logAddExp(a, prev[s - 1]);
        if (s > 1 && ext[s] !== 0 && ext[s] !== ext[s - 2]) a = logAddExp(a, prev[s - 2]);
        cur[s] = a + x[o + ext[s]] - l;
      }
      const swap = prev;
      prev = cur;
      cur = swap;
    }
    total -= states > 1 ? logAddExp(prev[states - 1], prev[states - 2]) : prev[0];
  }
  return total / B;
}

/**
 * W17 gradient: the value loop's forward (alpha) recursion with every frame's row kept
 * (T × S), the backward (beta) recursion in one rolling row, and per frame
 * d/dx[t, c] = (softmax(x_t)[c] - Σ_{s: ext_s = c} exp(α_t(s) + β_t(s) - log Z)) / B, with the
 * softmax numerators stored in g by the log-sum-exp pass and scaled in place.
 */
export function ctcValueAndGrad(labels, x, g, B, T, C, L) {
  const S = 2 * L + 1;
  const alpha = new Float64Array(T * S);
  let beta = new Float64Array(S), next = new Float64Array(S);
  const ext = new Int32Array(S);
  const lse = new Float64Array(T), inv = new Float64Array(T);
  const occ = new Float64Array(C);
  let total = 0;
  for (let b = 0; b < B; b++) {
    const xo = b * T * C;
    for (let t = 0; t < T; t++) {
      const o = xo + t * C;
      const m = rowMax(x, o, C);
      const sum = rowSumExpInto(x, g, o, C, m);
      lse[t] = m + Math.log(sum);
      inv[t] = 1 / (sum * B);
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
    alpha.fill(-Infinity, 0, states);
    alpha[0] = x[xo] - lse[0];
    if (states > 1) alpha[1] = x[xo + ext[1]] - lse[0];
    for (let t = 1; t < T; t++) {
      const o = xo + t * C, l = lse[t], prev = (t - 1) * S, cur = t * S;
      for (let s = 0; s < states; s++) {
        let a = alpha[prev + s];
        if (s > 0) a = logAddExp(a, alpha[prev + s - 1]);
        if (s > 1 && ext[s] !== 0 && ext[s] !== ext[s - 2]) a = logAddExp(a, alpha[prev + s - 2]);
        alpha[cur + s] = a + x[o + ext[s]] - l;
      }
    }
    const last = (T - 1) * S;
    const logZ = states > 1 ? logAddExp(alpha[last + states - 1], alpha[last + states - 2]) : alpha[last];
    total -= logZ;
    // beta_{T-1}: 0 at the two final states (log 1), -Infinity elsewhere.
    beta.fill(-Infinity, 0, states);
    beta[states - 1] = 0;
    if (states > 1) beta[states - 2] = 0;
    for (let t = T - 1; t >= 0; t--) {
      if (t < T - 1) {
        // beta_t(s) = logsumexp over the states s' reachable from s of beta_{t+1}(s') + lp_{t+1}(ext_s').
        const o = xo + (t + 1) * C, l = lse[t + 1];
        for (let s = 0; s < states; s++) next[s] = beta[s] + x[o + ext[s]] - l;
        for (let s = 0; s < states; s++) {
          let a = next[s];
          if (s + 1 < states) a = logAddExp(a, next[s + 1]);
          if (s + 2 < states && ext[s + 2] !== 0 && ext[s + 2] !== ext[s]) a = logAddExp(a, next[s + 2]);
          beta[s] = a;
        }
      }
      const row = t * S;
      for (let s = 0; s < states; s++) occ[ext[s]] += Math.exp(alpha[row + s] + beta[s] - logZ);
      const o = xo + t * C, f = inv[t];
      for (let c = 0; c < C; c++) {
        g[o + c] = g[o + c] * f - occ[c] / B;
        occ[c] = 0;
      }
    }
  }
  return total / B;
}

function logAddExp(a, b) {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * W18: Circle loss (Keras 3, `ref = yPred`, diagonal removed from the positives):
 * softplus(logsumexp over positives + logsumexp over negatives) per sample, then the mean
 * over the samples whose loss is > 0. The B² dot products use four accumulators.
 */
export function circle(labels, e, B, E, { gamma = 80, margin = 0.4 } = {}) {
  const g = Math.fround(gamma), m = Math.fround(margin), optimNeg = Math.fround(1 + margin), deltaNeg = Math.fround(1 - margin);
  const w = new Float64Array(B);
  let total = 0, valid = 0;
  for (let i = 0; i < B; i++) {
    const oi = i * E, li = labels[i];
    let maxPos = -Infinity, maxNeg = -Infinity;
    for (let j = 0; j < B; j++) {
      const oj = j * E;
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      for (let k = 0; k < E - (E & 3); k += 4) {
        d0 += e[oi + k] * e[oj + k];
        d1 += e[oi + k + 1] * e[oj + k + 1];
        d2 += e[oi + k + 2] * e[oj + k + 2];
        d3 += e[oi + k + 3] * e[oj + k + 3];
      }
      for (let k = E - (E & 3); k < E; k++) d0 += e[oi + k] * e[oj + k];
      const d = Math.max(1 - (d0 + d1 + d2 + d3), 0);
      if (li === labels[j]) {
        if (i === j) {
          w[j] = -Infinity;
          continue;
        }
        const v = -g * Math.max(m + d, 0) * (m - d);
        w[j] = v;
        maxPos = Math.max(maxPos, v);
      } else {
        const v = g * Math.max(optimNeg - d, 0) * (deltaNeg - d);
        w[j] = v;
        maxNeg = Math.max(maxNeg, v);
      }
    }
    let sPos = 0, sNeg = 0;
    for (let j = 0; j < B; j++) {
      if (j === i) continue;
      if (li === labels[j]) sPos += Math.exp(w[j] - maxPos);
      else sNeg += Math.exp(w[j] - maxNeg);
    }
    const z = maxPos + Math.log(sPos) + maxNeg + Math.log(sNeg);
    const loss = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    if (loss > 0) {
      total += loss;
      valid++;
    }
  }
  return valid > 0 ? total / valid : 0;
}

// ---- W22-W26: Jaccard, F-beta, MAPE, MSLE, CategoricalHinge (issue 10's remaining losses) ----

/** Σ t p, Σ t + Σ p of row `o` (four and two accumulators, as dice): [inter, union] into `s`. */
function rowOverlap(t, p, o, D, s) {
  let i0 = 0, i1 = 0, i2 = 0, i3 = 0, u0 = 0, u1 = 0;
  for (let k = 0; k < D - (D & 3); k += 4) {
    const a0 = t[o + k], a1 = t[o + k + 1], a2 = t[o + k + 2], a3 = t[o + k + 3];
    const b0 = p[o + k], b1 = p[o + k + 1], b2 = p[o + k + 2], b3 = p[o + k + 3];
    i0 += a0 * b0;
    i1 += a1 * b1;
    i2 += a2 * b2;
    i3 += a3 * b3;
    u0 += a0 + b0 + a2 + b2;
    u1 += a1 + b1 + a3 + b3;
  }
  for (let k = D - (D & 3); k < D; k++) {
    i0 += t[o + k] * p[o + k];
    u0 += t[o + k] + p[o + k];
  }
  s[0] = i0 + i1 + i2 + i3;
  s[1] = u0 + u1;
}

/** Σ t p, Σ t, Σ p of row `o` into `s`. */
function rowOverlapApart(t, p, o, D, s) {
  let i0 = 0, i1 = 0, i2 = 0, i3 = 0, t0 = 0, t1 = 0, p0 = 0, p1 = 0;
  for (let k = 0; k < D - (D & 3); k += 4) {
    const a0 = t[o + k], a1 = t[o + k + 1], a2 = t[o + k + 2], a3 = t[o + k + 3];
    const b0 = p[o + k], b1 = p[o + k + 1], b2 = p[o + k + 2], b3 = p[o + k + 3];
    i0 += a0 * b0;
    i1 += a1 * b1;
    i2 += a2 * b2;
    i3 += a3 * b3;
    t0 += a0 + a2;
    t1 += a1 + a3;
    p0 += b0 + b2;
    p1 += b1 + b3;
  }
  for (let k = D - (D & 3); k < D; k++) {
    i0 += t[o + k] * p[o + k];
    t0 += t[o + k];
    p0 += p[o + k];
  }
  s[0] = i0 + i1 + i2 + i3;
  s[1] = t0 + t1;
  s[2] = p0 + p1;
}

const SUMS = new Float64Array(3);

/** W22: Jaccard over every axis but the batch: 1 - I / (Σt + Σp - I + eps) per sample. */
export function jaccard(t, p, B, D) {
  const eps = EPS32 + 0, s = SUMS;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    rowOverlap(t, p, o, D, s);
    total += 1 - s[0] / (s[1] - s[0] + eps);
  }
  return total / B;
}

/** W22 gradient: d/dp_k = -(t_k (den + I) - I) / den² / B. */
export function jaccardValueAndGrad(t, p, g, B, D) {
  const eps = EPS32 + 0, s = SUMS;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    rowOverlap(t, p, o, D, s);
    const inter = s[0], den = s[1] - inter + eps;
    total += 1 - inter / den;
    rowAffine(g, -(den + inter) / (den * den * B), t, inter / (den * den * B), o, D);
  }
  return total / B;
}

/** W23: soft F-beta (β = 1 by default): P = I / (Σp + eps), R = I / (Σt + eps), 1 - (1 + β²) P R / (β² P + R + eps). */
export function fBeta(t, p, B, D, beta = 1) {
  const eps = EPS32 + 0, b2 = Math.fround(beta * beta), s = SUMS;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    rowOverlapApart(t, p, o, D, s);
    const precision = s[0] / (s[2] + eps), recall = s[0] / (s[1] + eps);
    total += 1 - ((1 + b2) * precision * recall) / (b2 * precision + recall + eps);
  }
  return total / B;
}

/** W23 gradient: d/dp_k = -t_k (F_P / a + F_R / b) + F_P I / a² (a = Σp + eps, b = Σt + eps), over B. */
export function fBetaValueAndGrad(t, p, g, B, D, beta = 1) {
  const eps = EPS32 + 0, b2 = Math.fround(beta * beta), s = SUMS;
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += D) {
    rowOverlapApart(t, p, o, D, s);
    const inter = s[0], a = s[2] + eps, b = s[1] + eps;
    const precision = inter / a, recall = inter / b, den = b2 * precision + recall + eps;
    total += 1 - ((1 + b2) * precision * recall) / den;
    const fp = ((1 + b2) * recall * (recall + eps)) / (den * den), fr = ((1 + b2) * precision * (b2 * precision + eps)) / (den * den);
    rowAffine(g, -(fp / a + fr / b) / B, t, (fp * inter) / (a * a * B), o, D);
  }
  return total / B;
}

/** W24: 100 mean(|t - p| / max(|t|, eps)); a label under eps is rare, so Math.max's branch is predicted. */
export function meanAbsolutePercentageError(t, p) {
  const n = p.length, eps = EPS32 + 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    s0 += Math.abs(t[i] - p[i]) / Math.max(Math.abs(t[i]), eps);
    s1 += Math.abs(t[i + 1] - p[i + 1]) / Math.max(Math.abs(t[i + 1]), eps);
    s2 += Math.abs(t[i + 2] - p[i + 2]) / Math.max(Math.abs(t[i + 2]), eps);
    s3 += Math.abs(t[i + 3] - p[i + 3]) / Math.max(Math.abs(t[i + 3]), eps);
  }
  for (let i = n - (n & 3); i < n; i++) s0 += Math.abs(t[i] - p[i]) / Math.max(Math.abs(t[i]), eps);
  return (100 * (s0 + s1 + s2 + s3)) / n;
}

/** W24 gradient: 100 sign(p - t) / max(|t|, eps) / N: one reciprocal per element for both. */
export function meanAbsolutePercentageErrorValueAndGrad(t, p, g) {
  const n = p.length, eps = EPS32 + 0, c = 100 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const e0 = p[i] - t[i], e1 = p[i + 1] - t[i + 1], e2 = p[i + 2] - t[i + 2], e3 = p[i + 3] - t[i + 3];
    const r0 = 1 / Math.max(Math.abs(t[i]), eps), r1 = 1 / Math.max(Math.abs(t[i + 1]), eps);
    const r2 = 1 / Math.max(Math.abs(t[i + 2]), eps), r3 = 1 / Math.max(Math.abs(t[i + 3]), eps);
    s0 += Math.abs(e0) * r0;
    s1 += Math.abs(e1) * r1;
    s2 += Math.abs(e2) * r2;
    s3 += Math.abs(e3) * r3;
    g[i] = c * ((e0 > 0) - (e0 < 0)) * r0;
    g[i + 1] = c * ((e1 > 0) - (e1 < 0)) * r1;
    g[i + 2] = c * ((e2 > 0) - (e2 < 0)) * r2;
    g[i + 3] = c * ((e3 > 0) - (e3 < 0)) * r3;
  }
  for (let i = n - (n & 3); i < n; i++) {
    const e = p[i] - t[i], r = 1 / Math.max(Math.abs(t[i]), eps);
    s0 += Math.abs(e) * r;
    g[i] = c * ((e > 0) - (e < 0)) * r;
  }
  return (100 * (s0 + s1 + s2 + s3)) / n;
}

/**
 * W25: mean((log1p(max(p, eps)) - log1p(max(t, eps)))²). On centred data half the values are
 * clipped, so the clip is an exact 0/1 weight, w = [v >= eps], w v + (1 - w) eps, not a branch.
 */
export function meanSquaredLogarithmicError(t, p) {
  const n = p.length, eps = EPS32 + 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const x0 = p[i], x1 = p[i + 1], x2 = p[i + 2], x3 = p[i + 3];
    const y0 = t[i], y1 = t[i + 1], y2 = t[i + 2], y3 = t[i + 3];
    const w0 = +(x0 >= eps), w1 = +(x1 >= eps), w2 = +(x2 >= eps), w3 = +(x3 >= eps);
    const v0 = +(y0 >= eps), v1 = +(y1 >= eps), v2 = +(y2 >= eps), v3 = +(y3 >= eps);
    const d0 = Math.log1p(w0 * x0 + (1 - w0) * eps) - Math.log1p(v0 * y0 + (1 - v0) * eps);
    const d1 = Math.log1p(w1 * x1 + (1 - w1) * eps) - Math.log1p(v1 * y1 + (1 - v1) * eps);
    const d2 = Math.log1p(w2 * x2 + (1 - w2) * eps) - Math.log1p(v2 * y2 + (1 - v2) * eps);
    const d3 = Math.log1p(w3 * x3 + (1 - w3) * eps) - Math.log1p(v3 * y3 + (1 - v3) * eps);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (let i = n - (n & 3); i < n; i++) {
    const w = +(p[i] >= eps), v = +(t[i] >= eps);
    const d = Math.log1p(w * p[i] + (1 - w) * eps) - Math.log1p(v * t[i] + (1 - v) * eps);
    s0 += d * d;
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W25 gradient: 2 d [p >= eps] / (max(p, eps) + 1) / N. */
export function meanSquaredLogarithmicErrorValueAndGrad(t, p, g) {
  const n = p.length, eps = EPS32 + 0, c = 2 / n;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < n - (n & 3); i += 4) {
    const x0 = p[i], x1 = p[i + 1], x2 = p[i + 2], x3 = p[i + 3];
    const y0 = t[i], y1 = t[i + 1], y2 = t[i + 2], y3 = t[i + 3];
    const w0 = +(x0 >= eps), w1 = +(x1 >= eps), w2 = +(x2 >= eps), w3 = +(x3 >= eps);
    const v0 = +(y0 >= eps), v1 = +(y1 >= eps), v2 = +(y2 >= eps), v3 = +(y3 >= eps);
    const a0 = w0 * x0 + (1 - w0) * eps, a1 = w1 * x1 + (1 - w1) * eps, a2 = w2 * x2 + (1 - w2) * eps, a3 = w3 * x3 + (1 - w3) * eps;
    const d0 = Math.log1p(a0) - Math.log1p(v0 * y0 + (1 - v0) * eps);
    const d1 = Math.log1p(a1) - Math.log1p(v1 * y1 + (1 - v1) * eps);
    const d2 = Math.log1p(a2) - Math.log1p(v2 * y2 + (1 - v2) * eps);
    const d3 = Math.log1p(a3) - Math.log1p(v3 * y3 + (1 - v3) * eps);
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
    g[i] = (c * d0 * w0) / (a0 + 1);
    g[i + 1] = (c * d1 * w1) / (a1 + 1);
    g[i + 2] = (c * d2 * w2) / (a2 + 1);
    g[i + 3] = (c * d3 * w3) / (a3 + 1);
  }
  for (let i = n - (n & 3); i < n; i++) {
    const w = +(p[i] >= eps), v = +(t[i] >= eps), a = w * p[i] + (1 - w) * eps;
    const d = Math.log1p(a) - Math.log1p(v * t[i] + (1 - v) * eps);
    s0 += d * d;
    g[i] = (c * d * w) / (a + 1);
  }
  return (s0 + s1 + s2 + s3) / n;
}

/** W26: mean over rows of max(max_k (1 - y_k) x_k - Σ y x + 1, 0); the row maximum's branch is predicted. */
export function categoricalHinge(y, x, B, C) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity;
    for (let k = 0; k < C - (C & 3); k += 4) {
      const i = o + k;
      s0 += y[i] * x[i];
      s1 += y[i + 1] * x[i + 1];
      s2 += y[i + 2] * x[i + 2];
      s3 += y[i + 3] * x[i + 3];
      const o0 = (1 - y[i]) * x[i], o1 = (1 - y[i + 1]) * x[i + 1], o2 = (1 - y[i + 2]) * x[i + 2], o3 = (1 - y[i + 3]) * x[i + 3];
      if (o0 > m0) m0 = o0;
      if (o1 > m1) m1 = o1;
      if (o2 > m2) m2 = o2;
      if (o3 > m3) m3 = o3;
    }
    for (let k = C - (C & 3); k < C; k++) {
      s0 += y[o + k] * x[o + k];
      const v = (1 - y[o + k]) * x[o + k];
      if (v > m0) m0 = v;
    }
    total += Math.max(Math.max(Math.max(m0, m1), Math.max(m2, m3)) - (s0 + s1 + s2 + s3) + 1, 0);
  }
  return total / B;
}

/**
 * W26 gradient: g = -w y over the row (w = [margin > 0] / B), plus w at the maximum: w (1 - 2 y);
 * a tied maximum (found by counting in the same pass) splits its share evenly, as TensorFlow does.
 */
export function categoricalHingeValueAndGrad(y, x, g, B, C) {
  let total = 0;
  for (let r = 0, o = 0; r < B; r++, o += C) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity, k0 = o, k1 = o, k2 = o, k3 = o;
    for (let k = 0; k < C - (C & 3); k += 4) {
      const i = o + k;
      s0 += y[i] * x[i];
      s1 += y[i + 1] * x[i + 1];
      s2 += y[i + 2] * x[i + 2];
      s3 += y[i + 3] * x[i + 3];
      const o0 = (1 - y[i]) * x[i], o1 = (1 - y[i + 1]) * x[i + 1], o2 = (1 - y[i + 2]) * x[i + 2], o3 = (1 - y[i + 3]) * x[i + 3];
      if (o0 > m0) {
        m0 = o0;
        k0 = i;
      }
      if (o1 > m1) {
        m1 = o1;
        k1 = i + 1;
      }
      if (o2 > m2) {
        m2 = o2;
        k2 = i + 2;
      }
      if (o3 > m3) {
        m3 = o3;
        k3 = i + 3;
      }
    }
    for (let k = C - (C & 3); k < C; k++) {
      s0 += y[o + k] * x[o + k];
      const v = (1 - y[o + k]) * x[o + k];
      if (v > m0) {
        m0 = v;
        k0 = o + k;
      }
    }
    const neg = Math.max(Math.max(m0, m1), Math.max(m2, m3)), margin = neg - (s0 + s1 + s2 + s3) + 1;
    total += Math.max(margin, 0);
    const w = +(margin >= 0) / B;
    let ties = 0;
    for (let k = 0; k < C - (C & 3); k += 4) {
      const i = o + k;
      g[i] = -w * y[i];
      g[i + 1] = -w * y[i + 1];
      g[i + 2] = -w * y[i + 2];
      g[i + 3] = -w * y[i + 3];
      ties += ((1 - y[i]) * x[i] === neg) + ((1 - y[i + 1]) * x[i + 1] === neg) + ((1 - y[i + 2]) * x[i + 2] === neg) + ((1 - y[i + 3]) * x[i + 3] === neg);
    }
    for (let k = C - (C & 3); k < C; k++) {
      g[o + k] = -w * y[o + k];
      ties += (1 - y[o + k]) * x[o + k] === neg;
    }
    if (ties === 1) {
      const a = neg === m0 ? k0 : neg === m1 ? k1 : neg === m2 ? k2 : k3;
      g[a] = w * (1 - 2 * y[a]);
    } else {
      for (let k = 0; k < C; k++) if ((1 - y[o + k]) * x[o + k] === neg) g[o + k] += (w / ties) * (1 - y[o + k]);
    }
  }
  return total / B;
}


/**
 * W18 gradient: the value loop's pass per query i (similarity row with four accumulators,
 * logits, the two log-sum-exps), then, for a query with loss > 0, c_ij = d loss_i / d s_ij
 * added to rows i (c_ij e_j) and j (c_ij e_i) of a float64 accumulator, in the same pass.
 * The mean over the queries with loss > 0 divides by their count at the end (Keras's mask
 * loss > 0 is a constant of the reduction). Per pair: d = max(1 - s, 0) (slope -1 where
 * 1 - s >= 0), a = -γ max(m + d, 0)(m - d), b = γ max(1 + m - d, 0)(1 - m - d), and the
 * log-sum-exp's softmax; max(·, 0) passes gradient at a tie, as TensorFlow's.
 */
export function circleValueAndGrad(labels, e, g, B, E, { gamma = 80, margin = 0.4 } = {}) {
  const gm = Math.fround(gamma), m = Math.fround(margin), optimNeg = Math.fround(1 + margin), deltaNeg = Math.fround(1 - margin);
  const w = new Float64Array(B), raw = new Float64Array(B), acc = new Float64Array(B * E);
  let total = 0, valid = 0;
  for (let i = 0; i < B; i++) {
    const oi = i * E, li = labels[i];
    let maxPos = -Infinity, maxNeg = -Infinity;
    for (let j = 0; j < B; j++) {
      const oj = j * E;
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      for (let k = 0; k < E - (E & 3); k += 4) {
        d0 += e[oi + k] * e[oj + k];
        d1 += e[oi + k + 1] * e[oj + k + 1];
        d2 += e[oi + k + 2] * e[oj + k + 2];
        d3 += e[oi + k + 3] * e[oj + k + 3];
      }
      for (let k = E - (E & 3); k < E; k++) d0 += e[oi + k] * e[oj + k];
      raw[j] = 1 - (d0 + d1 + d2 + d3);
      const d = Math.max(raw[j], 0);
      if (li === labels[j]) {
        if (i === j) continue;
        const v = -gm * Math.max(m + d, 0) * (m - d);
        w[j] = v;
        maxPos = Math.max(maxPos, v);
      } else {
        const v = gm * Math.max(optimNeg - d, 0) * (deltaNeg - d);
        w[j] = v;
        maxNeg = Math.max(maxNeg, v);
      }
    }
    let sPos = 0, sNeg = 0;
    for (let j = 0; j < B; j++) {
      if (j === i) continue;
      if (li === labels[j]) sPos += Math.exp(w[j] - maxPos);
      else sNeg += Math.exp(w[j] - maxNeg);
    }
    const lsePos = maxPos + Math.log(sPos), lseNeg = maxNeg + Math.log(sNeg);
    const z = lsePos + lseNeg;
    const loss = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    if (!(loss > 0)) continue;
    total += loss;
    valid++;
    // d softplus / dz = sigmoid(z)
    const ez = Math.exp(-Math.abs(z));
    const sig = z >= 0 ? 1 / (1 + ez) : ez / (1 + ez);
    for (let j = 0; j < B; j++) {
      if (j === i) continue;
      const d = Math.max(raw[j], 0), slope = +(raw[j] >= 0);
      let dv;
      if (li === labels[j]) {
        const wp = m + d;
        dv = Math.exp(w[j] - lsePos) * +(wp >= 0) * -gm * (m - d - wp);
      } else {
        const wn = optimNeg - d;
        dv = Math.exp(w[j] - lseNeg) * +(wn >= 0) * gm * (d - deltaNeg - wn);
      }
      // ds/dd = -1 where 1 - s >= 0
      const c = -sig * dv * slope;
      const oj = j * E;
      for (let k = 0; k < E - (E & 3); k += 4) {
        acc[oi + k] += c * e[oj + k];
        acc[oi + k + 1] += c * e[oj + k + 1];
        acc[oi + k + 2] += c * e[oj + k + 2];
        acc[oi + k + 3] += c * e[oj + k + 3];
        acc[oj + k] += c * e[oi + k];
        acc[oj + k + 1] += c * e[oi + k + 1];
        acc[oj + k + 2] += c * e[oi + k + 2];
        acc[oj + k + 3] += c * e[oi + k + 3];
      }
      for (let k = E - (E & 3); k < E; k++) {
        acc[oi + k] += c * e[oj + k];
        acc[oj + k] += c * e[oi + k];
      }
    }
  }
  const scale = valid > 0 ? 1 / valid : 0;
  const n = B * E;
  for (let k = 0; k < n - (n & 3); k += 4) {
    g[k] = acc[k] * scale;
    g[k + 1] = acc[k + 1] * scale;
    g[k + 2] = acc[k + 2] * scale;
    g[k + 3] = acc[k + 3] * scale;
  }
  for (let k = n - (n & 3); k < n; k++) g[k] = acc[k] * scale;
  return valid > 0 ? total / valid : 0;
}
