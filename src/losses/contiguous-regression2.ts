/**
 * Loops of MeanAbsolutePercentageError and MeanSquaredLogarithmicError (./regression.ts),
 * in the shape of ./contiguous.ts: on the contiguous path (yTrue and yPred C-contiguous of
 * one shape and the loss's dtype) one running index over views aligned to one offset, four
 * accumulators, no data-dependent branch, the gradient written (not accumulated) in the same
 * pass; float32 and float64 have their own loops. The strided loops (views, broadcasting)
 * sum each row in the same order with the same terms, so a view gives the bits of its copy.
 *
 * ```
 * MAPE: term = |t - p| · r,  r = 1 / max(|t|, ε)        value = 100 Σ term / n
 *       g = (100 u / n) · sign(p - t) · r               (sign(0) = 0)
 * MSLE: a = max(p, ε), b = max(t, ε) (ε float32 1e-7), d = log1p(a) - log1p(b)
 *       value = Σ d² / n     g = (2 u / n) · d · [p >= ε] / (a + 1)
 * ```
 * (`+ 0` after each gradient term turns a -0 into 0, as the zeroed buffer the general path once
 * added into gave.) `max(|t|, ε)` stays `Math.max`: a label below 1e-7 is rare, so the branch is predicted.
 * MSLE's `max(p, ε)` clips every negative prediction (half of them on centred data), so it is
 * chosen with an exact 0/1 weight `w = [p >= ε]`, `a = w p + (1 - w) ε`; that form gives NaN for
 * `p = -Infinity` (0 · -Infinity), and the branch-free sign gives 0 for a NaN error, so a row
 * whose sum is NaN is redone with the plain expressions (Math.max, Math.sign), as before.
 * float32 loops use ../math/fastmath's `log1pf`, float64 loops `Math.log1p`.
 */
import type { KernelResult, Upstream } from "../kernel";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { LAYOUT_HEADER, gradientBuffer } from "./layout";
import { log1pf } from "../math/fastmath";
import { EPSILON, EPSILON_FLOAT32 } from "../math/constants";

/** Which loss: 0 MAPE, 1 MSLE. */
export type Regression2Loss = 0 | 1;

/** `[td, pd, geo]` with yTrue and yPred seen from one offset (as ./contiguous.ts's alignedInputs). */
function alignedInputs(yTrue: Tensor, yPred: Tensor, geo: Int32Array): [FloatArray, FloatArray, Int32Array] {
  const t0 = geo[2]!, p0 = geo[3]!;
  if (t0 === p0) return [yTrue.data, yPred.data, geo];
  const base = Math.min(t0, p0);
  return [yTrue.data.subarray(t0 - base), yPred.data.subarray(p0 - base), Int32Array.of(geo[0]!, geo[1]!, base, base)];
}

/** MAPE's `ε`: Keras's epsilon in the dtype. MSLE's is float32's whatever the dtype (Keras builds it as a float32 tensor). */
function epsOf(loss: Regression2Loss, dtype: DType): number {
  return loss === 1 || dtype === "float32" ? EPSILON_FLOAT32 : EPSILON;
}

/** The contiguous path (`geo` from ./contiguous.ts's `contiguousRows`): values, and with an upstream the fused gradient. */
export function contiguousRegression2(loss: Regression2Loss, yTrue: Tensor, yPred: Tensor, dtype: DType, upstream: Upstream | undefined, rows: Int32Array): KernelResult {
  const outShape = yPred.shape.slice(0, -1);
  const [td, pd, geo] = alignedInputs(yTrue, yPred, rows);
  const params = Float64Array.of(epsOf(loss, dtype));
  const out = allocate(dtype, geo[0]!);
  const f32 = out instanceof Float32Array;
  if (!upstream) {
    if (loss === 0) {
      if (f32) mapeValues32(out, td as Float32Array, pd as Float32Array, geo, params);
      else mapeValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
    } else if (f32) msleValues32(out, td as Float32Array, pd as Float32Array, geo, params);
    else msleValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
    return { values: new Tensor(out, outShape) };
  }
  // Every gradient position is written, so the caller's buffer needs no zeroing.
  const gd = gradientBuffer(upstream, dtype, yPred.size, false);
  const given = upstream(outShape);
  const u = given instanceof Float64Array ? given : Float64Array.from(given);
  if (loss === 0) {
    if (f32) mapeFused32(out, gd as Float32Array, u, td as Float32Array, pd as Float32Array, geo, params);
    else mapeFused64(out as Float64Array, gd as Float64Array, u, td as Float64Array, pd as Float64Array, geo, params);
  } else if (f32) msleFused32(out, gd as Float32Array, u, td as Float32Array, pd as Float32Array, geo, params);
  else msleFused64(out as Float64Array, gd as Float64Array, u, td as Float64Array, pd as Float64Array, geo, params);
  return { values: new Tensor(out, outShape), grad: new Tensor(gd, yPred.shape) };
}

/**
 * The general path: rows from `packRows` (./layout.ts), `gd` zeroed (written where
 * `exclusive` is 1, else added: yPred broadcast), `params = [ε]`. Same order and terms as
 * the contiguous loops.
 */
export function regression2Strided(loss: Regression2Loss, out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, exclusive: number): void {
  if (loss === 0) mapeStrided(out, gd, u, td, pd, layout, exclusive);
  else msleStrided(out, gd, u, td, pd, layout, exclusive);
}

export { epsOf as regression2Epsilon };

function mapeValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const t0 = td[j]!, t1 = td[j + 1]!, t2 = td[j + 2]!, t3 = td[j + 3]!;
      s0 += Math.abs(t0 - pd[j]!) * (1 / Math.max(Math.abs(t0), eps));
      s1 += Math.abs(t1 - pd[j + 1]!) * (1 / Math.max(Math.abs(t1), eps));
      s2 += Math.abs(t2 - pd[j + 2]!) * (1 / Math.max(Math.abs(t2), eps));
      s3 += Math.abs(t3 - pd[j + 3]!) * (1 / Math.max(Math.abs(t3), eps));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const t = td[j]!;
      s0 += Math.abs(t - pd[j]!) * (1 / Math.max(Math.abs(t), eps));
    }
    out[r] = (100 * (s0 + s1 + s2 + s3)) / n;
  }
}

function mapeFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const scale = (100 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const t0 = td[j]!, t1 = td[j + 1]!, t2 = td[j + 2]!, t3 = td[j + 3]!;
      const e0 = pd[j]! - t0, e1 = pd[j + 1]! - t1, e2 = pd[j + 2]! - t2, e3 = pd[j + 3]! - t3;
      const r0 = 1 / Math.max(Math.abs(t0), eps), r1 = 1 / Math.max(Math.abs(t1), eps);
      const r2 = 1 / Math.max(Math.abs(t2), eps), r3 = 1 / Math.max(Math.abs(t3), eps);
      s0 += Math.abs(e0) * r0;
      s1 += Math.abs(e1) * r1;
      s2 += Math.abs(e2) * r2;
      s3 += Math.abs(e3) * r3;
      gd[j - p0] = scale * (+(e0 > 0) - +(e0 < 0)) * r0 + 0;
      gd[j - p0 + 1] = scale * (+(e1 > 0) - +(e1 < 0)) * r1 + 0;
      gd[j - p0 + 2] = scale * (+(e2 > 0) - +(e2 < 0)) * r2 + 0;
      gd[j - p0 + 3] = scale * (+(e3 > 0) - +(e3 < 0)) * r3 + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const t = td[j]!, e = pd[j]! - t, rc = 1 / Math.max(Math.abs(t), eps);
      s0 += Math.abs(e) * rc;
      gd[j - p0] = scale * (+(e > 0) - +(e < 0)) * rc + 0;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = (100 * sum) / n;
    // A NaN error (or an infinite label) has a NaN term: its gradient is redone with Math.sign (NaN stays NaN).
    if (sum !== sum) {
      for (let j = rowStart; j < rowEnd; j++) {
        const t = td[j]!;
        gd[j - p0] = scale * Math.sign(pd[j]! - t) * (1 / Math.max(Math.abs(t), eps)) + 0;
      }
    }
  }
}

function msleValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
      const w0 = +(x0 >= eps), w1 = +(x1 >= eps), w2 = +(x2 >= eps), w3 = +(x3 >= eps);
      const v0 = +(y0 >= eps), v1 = +(y1 >= eps), v2 = +(y2 >= eps), v3 = +(y3 >= eps);
      const d0 = log1pf(w0 * x0 + (1 - w0) * eps) - log1pf(v0 * y0 + (1 - v0) * eps);
      const d1 = log1pf(w1 * x1 + (1 - w1) * eps) - log1pf(v1 * y1 + (1 - v1) * eps);
      const d2 = log1pf(w2 * x2 + (1 - w2) * eps) - log1pf(v2 * y2 + (1 - v2) * eps);
      const d3 = log1pf(w3 * x3 + (1 - w3) * eps) - log1pf(v3 * y3 + (1 - v3) * eps);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const x = pd[j]!, y = td[j]!, w = +(x >= eps), v = +(y >= eps);
      const d = log1pf(w * x + (1 - w) * eps) - log1pf(v * y + (1 - v) * eps);
      s0 += d * d;
    }
    let sum = s0 + s1 + s2 + s3;
    if (sum !== sum) sum = msleRowPlain32(td, pd, rowStart, rowEnd, eps);
    out[r] = sum / n;
  }
}

/** A row whose branch-free sum is NaN, with Math.max (a -Infinity input is clipped, not NaN): the same order. */
function msleRowPlain32(td: Float32Array, pd: Float32Array, rowStart: number, rowEnd: number, eps: number): number {
  const grouped = rowEnd - ((rowEnd - rowStart) & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let j = rowStart; j < rowEnd; j++) {
    const d = log1pf(Math.max(pd[j]!, eps)) - log1pf(Math.max(td[j]!, eps));
    const lane = j < grouped ? (j - rowStart) & 3 : 0;
    if (lane === 0) s0 += d * d;
    else if (lane === 1) s1 += d * d;
    else if (lane === 2) s2 += d * d;
    else s3 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

function msleFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const scale = (2 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
      const w0 = +(x0 >= eps), w1 = +(x1 >= eps), w2 = +(x2 >= eps), w3 = +(x3 >= eps);
      const v0 = +(y0 >= eps), v1 = +(y1 >= eps), v2 = +(y2 >= eps), v3 = +(y3 >= eps);
      const a0 = w0 * x0 + (1 - w0) * eps, a1 = w1 * x1 + (1 - w1) * eps, a2 = w2 * x2 + (1 - w2) * eps, a3 = w3 * x3 + (1 - w3) * eps;
      const d0 = log1pf(a0) - log1pf(v0 * y0 + (1 - v0) * eps);
      const d1 = log1pf(a1) - log1pf(v1 * y1 + (1 - v1) * eps);
      const d2 = log1pf(a2) - log1pf(v2 * y2 + (1 - v2) * eps);
      const d3 = log1pf(a3) - log1pf(v3 * y3 + (1 - v3) * eps);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
      gd[j - p0] = (scale * d0 * w0) / (a0 + 1) + 0;
      gd[j - p0 + 1] = (scale * d1 * w1) / (a1 + 1) + 0;
      gd[j - p0 + 2] = (scale * d2 * w2) / (a2 + 1) + 0;
      gd[j - p0 + 3] = (scale * d3 * w3) / (a3 + 1) + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const x = pd[j]!, y = td[j]!, w = +(x >= eps), v = +(y >= eps);
      const a = w * x + (1 - w) * eps;
      const d = log1pf(a) - log1pf(v * y + (1 - v) * eps);
      s0 += d * d;
      gd[j - p0] = (scale * d * w) / (a + 1) + 0;
    }
    let sum = s0 + s1 + s2 + s3;
    if (sum !== sum) {
      sum = msleRowPlain32(td, pd, rowStart, rowEnd, eps);
      msleGradPlain32(gd, td, pd, rowStart, rowEnd, p0, scale, eps);
    }
    out[r] = sum / n;
  }
}

/** The gradient of a row whose branch-free sum is NaN: maximum's gradient passes where p >= ε, and a NaN input goes on (NaN). */
function msleGradPlain32(gd: Float32Array, td: Float32Array, pd: Float32Array, rowStart: number, rowEnd: number, p0: number, scale: number, eps: number): void {
  for (let j = rowStart; j < rowEnd; j++) {
    const x = pd[j]!;
    if (x < eps) {
      gd[j - p0] = 0;
      continue;
    }
    const d = log1pf(x) - log1pf(Math.max(td[j]!, eps));
    gd[j - p0] = (scale * d) / (x + 1);
  }
}

function mapeValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const t0 = td[j]!, t1 = td[j + 1]!, t2 = td[j + 2]!, t3 = td[j + 3]!;
      s0 += Math.abs(t0 - pd[j]!) * (1 / Math.max(Math.abs(t0), eps));
      s1 += Math.abs(t1 - pd[j + 1]!) * (1 / Math.max(Math.abs(t1), eps));
      s2 += Math.abs(t2 - pd[j + 2]!) * (1 / Math.max(Math.abs(t2), eps));
      s3 += Math.abs(t3 - pd[j + 3]!) * (1 / Math.max(Math.abs(t3), eps));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const t = td[j]!;
      s0 += Math.abs(t - pd[j]!) * (1 / Math.max(Math.abs(t), eps));
    }
    out[r] = (100 * (s0 + s1 + s2 + s3)) / n;
  }
}

function mapeFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const scale = (100 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const t0 = td[j]!, t1 = td[j + 1]!, t2 = td[j + 2]!, t3 = td[j + 3]!;
      const e0 = pd[j]! - t0, e1 = pd[j + 1]! - t1, e2 = pd[j + 2]! - t2, e3 = pd[j + 3]! - t3;
      const r0 = 1 / Math.max(Math.abs(t0), eps), r1 = 1 / Math.max(Math.abs(t1), eps);
      const r2 = 1 / Math.max(Math.abs(t2), eps), r3 = 1 / Math.max(Math.abs(t3), eps);
      s0 += Math.abs(e0) * r0;
      s1 += Math.abs(e1) * r1;
      s2 += Math.abs(e2) * r2;
      s3 += Math.abs(e3) * r3;
      gd[j - p0] = scale * (+(e0 > 0) - +(e0 < 0)) * r0 + 0;
      gd[j - p0 + 1] = scale * (+(e1 > 0) - +(e1 < 0)) * r1 + 0;
      gd[j - p0 + 2] = scale * (+(e2 > 0) - +(e2 < 0)) * r2 + 0;
      gd[j - p0 + 3] = scale * (+(e3 > 0) - +(e3 < 0)) * r3 + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const t = td[j]!, e = pd[j]! - t, rc = 1 / Math.max(Math.abs(t), eps);
      s0 += Math.abs(e) * rc;
      gd[j - p0] = scale * (+(e > 0) - +(e < 0)) * rc + 0;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = (100 * sum) / n;
    // A NaN error (or an infinite label) has a NaN term: its gradient is redone with Math.sign (NaN stays NaN).
    if (sum !== sum) {
      for (let j = rowStart; j < rowEnd; j++) {
        const t = td[j]!;
        gd[j - p0] = scale * Math.sign(pd[j]! - t) * (1 / Math.max(Math.abs(t), eps)) + 0;
      }
    }
  }
}

function msleValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
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
    for (let j = rowEnd4; j < rowEnd; j++) {
      const x = pd[j]!, y = td[j]!, w = +(x >= eps), v = +(y >= eps);
      const d = Math.log1p(w * x + (1 - w) * eps) - Math.log1p(v * y + (1 - v) * eps);
      s0 += d * d;
    }
    let sum = s0 + s1 + s2 + s3;
    if (sum !== sum) sum = msleRowPlain64(td, pd, rowStart, rowEnd, eps);
    out[r] = sum / n;
  }
}

/** A row whose branch-free sum is NaN, with Math.max (a -Infinity input is clipped, not NaN): the same order. */
function msleRowPlain64(td: Float64Array, pd: Float64Array, rowStart: number, rowEnd: number, eps: number): number {
  const grouped = rowEnd - ((rowEnd - rowStart) & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let j = rowStart; j < rowEnd; j++) {
    const d = Math.log1p(Math.max(pd[j]!, eps)) - Math.log1p(Math.max(td[j]!, eps));
    const lane = j < grouped ? (j - rowStart) & 3 : 0;
    if (lane === 0) s0 += d * d;
    else if (lane === 1) s1 += d * d;
    else if (lane === 2) s2 += d * d;
    else s3 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

function msleFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3), eps = params[0]!;
  for (let r = 0; r < rows; r++) {
    const scale = (2 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
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
      gd[j - p0] = (scale * d0 * w0) / (a0 + 1) + 0;
      gd[j - p0 + 1] = (scale * d1 * w1) / (a1 + 1) + 0;
      gd[j - p0 + 2] = (scale * d2 * w2) / (a2 + 1) + 0;
      gd[j - p0 + 3] = (scale * d3 * w3) / (a3 + 1) + 0;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const x = pd[j]!, y = td[j]!, w = +(x >= eps), v = +(y >= eps);
      const a = w * x + (1 - w) * eps;
      const d = Math.log1p(a) - Math.log1p(v * y + (1 - v) * eps);
      s0 += d * d;
      gd[j - p0] = (scale * d * w) / (a + 1) + 0;
    }
    let sum = s0 + s1 + s2 + s3;
    if (sum !== sum) {
      sum = msleRowPlain64(td, pd, rowStart, rowEnd, eps);
      msleGradPlain64(gd, td, pd, rowStart, rowEnd, p0, scale, eps);
    }
    out[r] = sum / n;
  }
}

/** The gradient of a row whose branch-free sum is NaN: maximum's gradient passes where p >= ε, and a NaN input goes on (NaN). */
function msleGradPlain64(gd: Float64Array, td: Float64Array, pd: Float64Array, rowStart: number, rowEnd: number, p0: number, scale: number, eps: number): void {
  for (let j = rowStart; j < rowEnd; j++) {
    const x = pd[j]!;
    if (x < eps) {
      gd[j - p0] = 0;
      continue;
    }
    const d = Math.log1p(x) - Math.log1p(Math.max(td[j]!, eps));
    gd[j - p0] = (scale * d) / (x + 1);
  }
}

/** MAPE over strided rows (see {@link regression2Strided}): the value pass, then the gradient pass. */
function mapeStrided(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, exclusive: number): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, rows = (layout.length - LAYOUT_HEADER) / 3;
  const eps = layout[4] === 1 ? EPSILON_FLOAT32 + 0 : EPSILON + 0;
  const m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const tr = layout[LAYOUT_HEADER + r]!, pr = layout[LAYOUT_HEADER + rows + r]!, gr = layout[LAYOUT_HEADER + 2 * rows + r]!;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < n; k++) {
      const t = td[tr + k * ts]!;
      const term = Math.abs(t - pd[pr + k * ps]!) * (1 / Math.max(Math.abs(t), eps));
      const lane = k < m ? k & 3 : 0;
      if (lane === 0) s0 += term;
      else if (lane === 1) s1 += term;
      else if (lane === 2) s2 += term;
      else s3 += term;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = n === 0 ? 0 : (100 * sum) / n;
    if (!gd) continue;
    const scale = (100 * u![r]!) / n, plain = sum !== sum;
    for (let k = 0; k < n; k++) {
      const t = td[tr + k * ts]!, e = pd[pr + k * ps]! - t;
      // As the contiguous loop: Math.sign (NaN stays NaN) only in a row whose sum is NaN.
      const gk = scale * (plain ? Math.sign(e) : +(e > 0) - +(e < 0)) * (1 / Math.max(Math.abs(t), eps)) + 0;
      if (exclusive) gd[gr + k * gs] = gk;
      else gd[gr + k * gs]! += gk;
    }
  }
}

/** MSLE over strided rows (see {@link regression2Strided}); `ε` float32's whatever the dtype. */
function msleStrided(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, exclusive: number): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, rows = (layout.length - LAYOUT_HEADER) / 3, f32 = layout[4] === 1;
  const eps = EPSILON_FLOAT32 + 0;
  const m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const tr = layout[LAYOUT_HEADER + r]!, pr = layout[LAYOUT_HEADER + rows + r]!, gr = layout[LAYOUT_HEADER + 2 * rows + r]!;
    let sum = msleStridedSum(td, pd, tr, pr, ts, ps, n, f32 ? 1 : 0);
    // As the contiguous loops: a row whose branch-free sum is NaN is redone with Math.max.
    const plain = sum !== sum;
    if (plain) sum = msleStridedSum(td, pd, tr, pr, ts, ps, n, f32 ? 3 : 2);
    out[r] = n === 0 ? 0 : sum / n;
    if (!gd) continue;
    const scale = (2 * u![r]!) / n;
    for (let k = 0; k < n; k++) {
      const x = pd[pr + k * ps]!, y = td[tr + k * ts]!;
      let gk: number;
      if (plain) {
        const b = Math.max(y, eps);
        gk = x < eps ? 0 : (scale * (f32 ? log1pf(x) - log1pf(b) : Math.log1p(x) - Math.log1p(b))) / (x + 1);
      } else {
        const w = +(x >= eps), v = +(y >= eps), a = w * x + (1 - w) * eps, b = v * y + (1 - v) * eps;
        gk = (scale * (f32 ? log1pf(a) - log1pf(b) : Math.log1p(a) - Math.log1p(b)) * w) / (a + 1) + 0;
      }
      if (exclusive) gd[gr + k * gs] = gk;
      else gd[gr + k * gs]! += gk;
    }
  }
}

/** Σ d² over one strided row in the contiguous loops' order; `mode` bit 0: float32 (log1pf), bit 1: Math.max instead of the branch-free clip. */
function msleStridedSum(td: FloatArray, pd: FloatArray, tr: number, pr: number, ts: number, ps: number, n: number, mode: number): number {
  const f32 = (mode & 1) === 1, plain = (mode & 2) === 2, eps = EPSILON_FLOAT32 + 0, m = n - (n & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let k = 0; k < n; k++) {
    const x = pd[pr + k * ps]!, y = td[tr + k * ts]!;
    let a: number, b: number;
    if (plain) {
      a = Math.max(x, eps);
      b = Math.max(y, eps);
    } else {
      const w = +(x >= eps), v = +(y >= eps);
      a = w * x + (1 - w) * eps;
      b = v * y + (1 - v) * eps;
    }
    const d = f32 ? log1pf(a) - log1pf(b) : Math.log1p(a) - Math.log1p(b);
    const lane = k < m ? k & 3 : 0;
    if (lane === 0) s0 += d * d;
    else if (lane === 1) s1 += d * d;
    else if (lane === 2) s2 += d * d;
    else s3 += d * d;
  }
  return s0 + s1 + s2 + s3;
}
