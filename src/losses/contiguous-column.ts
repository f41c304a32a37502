/**
 * Column paths of the contiguous regression losses (MSE, MAE, Huber) for a last axis of
 * length 1 — a `Dense(1)` output `[batch, 1]`, where the row loops of ./contiguous.ts spend
 * more on per-row bookkeeping (loop set-up, a division by n, four partial sums) than on the
 * one element. Here a row is one element: the per-sample value is the term itself
 * (`sum / 1` of the row loop, to the same bits), four rows per iteration, one running index.
 *
 * `columnTotal*` computes `Σ values` without writing them, in the reductions' summation
 * order (`plainSum` in src/reduction/reduce.ts: value `r` into accumulator `r % 4`, float32
 * values rounded to float32 first), so a reducing call without weights gives the same bits
 * as computing the values and reducing them.
 *
 * Layout `geo` = `[rows, 1, offset, offset]` (yTrue and yPred seen from one offset, see
 * `alignedInputs` in ./contiguous.ts); `params[0]` is Huber's delta. The loss is chosen once per call (`kind`: 0 MSE, 1 MAE, 2 Huber), never per element.
 */

/** Which column loop: the index of the loss in the switch of each function below. */
export const COLUMN_KIND = { mse: 0, mae: 1, huber: 2 } as const;

// The terms. Branch-free (a 0/1 weight) where the branch would follow random data; the
// plain expression where that gives NaN (Huber's 0 · Inf for an infinite error), as the
// row loops redo such a row. `v !== v` is a branch that almost never changes direction.

/**
 * One Huber term (`half` = 0.5 δ²), as every Huber loop computes it: the branch chosen by a
 * 0/1 weight, the plain conditional where that gives NaN. The general (strided) path of
 * src/losses/regression.ts sums these too, so both paths give the same bits.
 */
export function huberTerm(e: number, delta: number, half: number): number {
  const a = Math.abs(e), w = +(a <= delta);
  const v = w * (0.5 * e * e) + (1 - w) * (delta * a - half);
  return v === v ? v : a <= delta ? 0.5 * e * e : delta * a - half;
}

/** d term / d e: MAE's sign (NaN for NaN), Huber's clipped error (TensorFlow's branch at |e| = delta). */
function maeSlope(e: number): number {
  const s = +(e > 0) - +(e < 0);
  return e === e ? s : e;
}

function huberSlope(e: number, delta: number): number {
  const a = Math.abs(e), w = +(a <= delta);
  const s = w * e + (1 - w) * delta * (+(e > 0) - +(e < 0));
  // NaN from 0 · Inf (an infinite error) or a NaN error: the plain expression, as the row
  // loops redo such a row (a NaN error takes the quadratic branch, so its slope is NaN).
  return s === s ? s : !(a > delta) ? e : e > 0 ? delta : -delta;
}

/** Per-row values of a column (float32). */
export function columnValues32(kind: number, out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  const m = rows - (rows & 3);
  switch (kind) {
    case 0:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        out[r] = e0 * e0;
        out[r + 1] = e1 * e1;
        out[r + 2] = e2 * e2;
        out[r + 3] = e3 * e3;
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = e * e;
      }
      return;
    case 1:
      for (let r = 0; r < m; r += 4) {
        out[r] = Math.abs(pd[p0 + r]! - td[p0 + r]!);
        out[r + 1] = Math.abs(pd[p0 + r + 1]! - td[p0 + r + 1]!);
        out[r + 2] = Math.abs(pd[p0 + r + 2]! - td[p0 + r + 2]!);
        out[r + 3] = Math.abs(pd[p0 + r + 3]! - td[p0 + r + 3]!);
      }
      for (let r = m; r < rows; r++) out[r] = Math.abs(pd[p0 + r]! - td[p0 + r]!);
      return;
    default:
      for (let r = 0; r < rows; r++) out[r] = huberTerm(pd[p0 + r]! - td[p0 + r]!, delta, half);
  }
}

/** Per-row values of a column (float64). */
export function columnValues64(kind: number, out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  const m = rows - (rows & 3);
  switch (kind) {
    case 0:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        out[r] = e0 * e0;
        out[r + 1] = e1 * e1;
        out[r + 2] = e2 * e2;
        out[r + 3] = e3 * e3;
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = e * e;
      }
      return;
    case 1:
      for (let r = 0; r < m; r += 4) {
        out[r] = Math.abs(pd[p0 + r]! - td[p0 + r]!);
        out[r + 1] = Math.abs(pd[p0 + r + 1]! - td[p0 + r + 1]!);
        out[r + 2] = Math.abs(pd[p0 + r + 2]! - td[p0 + r + 2]!);
        out[r + 3] = Math.abs(pd[p0 + r + 3]! - td[p0 + r + 3]!);
      }
      for (let r = m; r < rows; r++) out[r] = Math.abs(pd[p0 + r]! - td[p0 + r]!);
      return;
    default:
      for (let r = 0; r < rows; r++) out[r] = huberTerm(pd[p0 + r]! - td[p0 + r]!, delta, half);
  }
}

/**
 * `Σ values` of a column (float32), each value rounded to float32 as the values array
 * would hold it, summed in `plainSum`'s order.
 */
export function columnTotal32(kind: number, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): number {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  const m = rows - (rows & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  switch (kind) {
    case 0:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += Math.fround(e0 * e0);
        s1 += Math.fround(e1 * e1);
        s2 += Math.fround(e2 * e2);
        s3 += Math.fround(e3 * e3);
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += Math.fround(e * e);
      }
      break;
    case 1:
      for (let r = 0; r < m; r += 4) {
        s0 += Math.fround(Math.abs(pd[p0 + r]! - td[p0 + r]!));
        s1 += Math.fround(Math.abs(pd[p0 + r + 1]! - td[p0 + r + 1]!));
        s2 += Math.fround(Math.abs(pd[p0 + r + 2]! - td[p0 + r + 2]!));
        s3 += Math.fround(Math.abs(pd[p0 + r + 3]! - td[p0 + r + 3]!));
      }
      for (let r = m; r < rows; r++) s0 += Math.fround(Math.abs(pd[p0 + r]! - td[p0 + r]!));
      break;
    default:
      for (let r = 0; r < m; r += 4) {
        s0 += Math.fround(huberTerm(pd[p0 + r]! - td[p0 + r]!, delta, half));
        s1 += Math.fround(huberTerm(pd[p0 + r + 1]! - td[p0 + r + 1]!, delta, half));
        s2 += Math.fround(huberTerm(pd[p0 + r + 2]! - td[p0 + r + 2]!, delta, half));
        s3 += Math.fround(huberTerm(pd[p0 + r + 3]! - td[p0 + r + 3]!, delta, half));
      }
      for (let r = m; r < rows; r++) s0 += Math.fround(huberTerm(pd[p0 + r]! - td[p0 + r]!, delta, half));
  }
  return s0 + s1 + (s2 + s3);
}

/** `Σ values` of a column (float64), in `plainSum`'s order. */
export function columnTotal64(kind: number, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): number {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  const m = rows - (rows & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  switch (kind) {
    case 0:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += e * e;
      }
      break;
    case 1:
      for (let r = 0; r < m; r += 4) {
        s0 += Math.abs(pd[p0 + r]! - td[p0 + r]!);
        s1 += Math.abs(pd[p0 + r + 1]! - td[p0 + r + 1]!);
        s2 += Math.abs(pd[p0 + r + 2]! - td[p0 + r + 2]!);
        s3 += Math.abs(pd[p0 + r + 3]! - td[p0 + r + 3]!);
      }
      for (let r = m; r < rows; r++) s0 += Math.abs(pd[p0 + r]! - td[p0 + r]!);
      break;
    default:
      for (let r = 0; r < m; r += 4) {
        s0 += huberTerm(pd[p0 + r]! - td[p0 + r]!, delta, half);
        s1 += huberTerm(pd[p0 + r + 1]! - td[p0 + r + 1]!, delta, half);
        s2 += huberTerm(pd[p0 + r + 2]! - td[p0 + r + 2]!, delta, half);
        s3 += huberTerm(pd[p0 + r + 3]! - td[p0 + r + 3]!, delta, half);
      }
      for (let r = m; r < rows; r++) s0 += huberTerm(pd[p0 + r]! - td[p0 + r]!, delta, half);
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * Values and gradient of a column (float32): `gd[r] = u[r] · d term / d e`, the values
 * written to `out` (weighted calls: the reduction needs them). `params` = `[delta]`.
 */
export function columnFused32(kind: number, out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  switch (kind) {
    case 0:
      for (let r = 0; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = e * e;
        gd[r] = 2 * u[r]! * e;
      }
      return;
    case 1:
      for (let r = 0; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = Math.abs(e);
        gd[r] = u[r]! * maeSlope(e);
      }
      return;
    default:
      for (let r = 0; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = huberTerm(e, delta, half);
        gd[r] = u[r]! * huberSlope(e, delta);
      }
  }
}

/**
 * Gradient and `Σ values` of a column (float32) when one upstream `c` serves every row (no
 * weights): the values are not written; the sum is `plainSum`'s, as {@link columnTotal32}.
 */
export function columnGradTotal32(kind: number, gd: Float32Array, c: number, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): number {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  const m = rows - (rows & 3), c2 = 2 * c;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  switch (kind) {
    case 0:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += Math.fround(e0 * e0);
        s1 += Math.fround(e1 * e1);
        s2 += Math.fround(e2 * e2);
        s3 += Math.fround(e3 * e3);
        gd[r] = c2 * e0;
        gd[r + 1] = c2 * e1;
        gd[r + 2] = c2 * e2;
        gd[r + 3] = c2 * e3;
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += Math.fround(e * e);
        gd[r] = c2 * e;
      }
      break;
    case 1:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += Math.fround(Math.abs(e0));
        s1 += Math.fround(Math.abs(e1));
        s2 += Math.fround(Math.abs(e2));
        s3 += Math.fround(Math.abs(e3));
        gd[r] = c * maeSlope(e0);
        gd[r + 1] = c * maeSlope(e1);
        gd[r + 2] = c * maeSlope(e2);
        gd[r + 3] = c * maeSlope(e3);
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += Math.fround(Math.abs(e));
        gd[r] = c * maeSlope(e);
      }
      break;
    default:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += Math.fround(huberTerm(e0, delta, half));
        s1 += Math.fround(huberTerm(e1, delta, half));
        s2 += Math.fround(huberTerm(e2, delta, half));
        s3 += Math.fround(huberTerm(e3, delta, half));
        gd[r] = c * huberSlope(e0, delta);
        gd[r + 1] = c * huberSlope(e1, delta);
        gd[r + 2] = c * huberSlope(e2, delta);
        gd[r + 3] = c * huberSlope(e3, delta);
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += Math.fround(huberTerm(e, delta, half));
        gd[r] = c * huberSlope(e, delta);
      }
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * Values and gradient of a column (float64): `gd[r] = u[r] · d term / d e`, the values
 * written to `out` (weighted calls: the reduction needs them). `params` = `[delta]`.
 */
export function columnFused64(kind: number, out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  switch (kind) {
    case 0:
      for (let r = 0; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = e * e;
        gd[r] = 2 * u[r]! * e;
      }
      return;
    case 1:
      for (let r = 0; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = Math.abs(e);
        gd[r] = u[r]! * maeSlope(e);
      }
      return;
    default:
      for (let r = 0; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        out[r] = huberTerm(e, delta, half);
        gd[r] = u[r]! * huberSlope(e, delta);
      }
  }
}

/**
 * Gradient and `Σ values` of a column (float64) when one upstream `c` serves every row (no
 * weights): the values are not written; the sum is `plainSum`'s, as {@link columnTotal64}.
 */
export function columnGradTotal64(kind: number, gd: Float64Array, c: number, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): number {
  const rows = geo[0]!, p0 = geo[3]!;
  const delta = kind === 2 ? params[0]! : 0, half = 0.5 * delta * delta;
  const m = rows - (rows & 3), c2 = 2 * c;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  switch (kind) {
    case 0:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
        gd[r] = c2 * e0;
        gd[r + 1] = c2 * e1;
        gd[r + 2] = c2 * e2;
        gd[r + 3] = c2 * e3;
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += e * e;
        gd[r] = c2 * e;
      }
      break;
    case 1:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += Math.abs(e0);
        s1 += Math.abs(e1);
        s2 += Math.abs(e2);
        s3 += Math.abs(e3);
        gd[r] = c * maeSlope(e0);
        gd[r + 1] = c * maeSlope(e1);
        gd[r + 2] = c * maeSlope(e2);
        gd[r + 3] = c * maeSlope(e3);
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += Math.abs(e);
        gd[r] = c * maeSlope(e);
      }
      break;
    default:
      for (let r = 0; r < m; r += 4) {
        const e0 = pd[p0 + r]! - td[p0 + r]!, e1 = pd[p0 + r + 1]! - td[p0 + r + 1]!;
        const e2 = pd[p0 + r + 2]! - td[p0 + r + 2]!, e3 = pd[p0 + r + 3]! - td[p0 + r + 3]!;
        s0 += huberTerm(e0, delta, half);
        s1 += huberTerm(e1, delta, half);
        s2 += huberTerm(e2, delta, half);
        s3 += huberTerm(e3, delta, half);
        gd[r] = c * huberSlope(e0, delta);
        gd[r + 1] = c * huberSlope(e1, delta);
        gd[r + 2] = c * huberSlope(e2, delta);
        gd[r + 3] = c * huberSlope(e3, delta);
      }
      for (let r = m; r < rows; r++) {
        const e = pd[p0 + r]! - td[p0 + r]!;
        s0 += huberTerm(e, delta, half);
        gd[r] = c * huberSlope(e, delta);
      }
  }
  return s0 + s1 + (s2 + s3);
}
