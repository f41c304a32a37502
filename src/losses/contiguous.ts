/**
 * Contiguous fast paths of the elementwise row losses (MSE, MAE, Huber; the hinge losses'
 * loops are in ./contiguous-hinge.ts): when yTrue and yPred
 * are C-contiguous with the same shape, each row is `n` consecutive elements, read with one
 * running index, four independent accumulators and no data-dependent branches, and the
 * gradient is written (not accumulated) into its buffer. float32 and float64 have separate
 * loops, so that neither's type feedback slows the other (src/losses/README.md). The general
 * (strided, broadcast) path stays in the kernels; both sum a row in the same order.
 */
import type { KernelResult, Upstream } from "../kernel";
import { SHAPE_ONLY, Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { gradientBuffer } from "./layout";
import { plainSum } from "../reduction/reduce";
import { SCRATCH_LIMIT, scratch, upstreamScratch } from "./scratch";
import {
  hingeFused32, hingeFused64, hingeValues32, hingeValues64,
  squaredHingeFused32, squaredHingeFused64, squaredHingeValues32, squaredHingeValues64,
} from "./contiguous-hinge";
import { COLUMN_KIND, columnFused32, columnFused64, columnGradTotal32, columnGradTotal64, columnTotal32, columnTotal64, columnValues32, columnValues64 } from "./contiguous-column";

/**
 * `[rows, n, tOffset, pOffset]` when yTrue and yPred are C-contiguous with the same shape of
 * rank >= 1 and a non-empty last axis (the rows of the last axis lie one after another), else
 * `null` (the kernel's general path handles strides, broadcasting and rank alignment).
 */
export function contiguousRows(yTrue: Tensor, yPred: Tensor, dtype: DType): Int32Array | null {
  const rank = yPred.shape.length;
  const f32 = dtype === "float32";
  // The dtypes by the data's class (the dtype getter costs a call per check at batch 1).
  if (f32 ? !(yTrue.data instanceof Float32Array && yPred.data instanceof Float32Array) : !(yTrue.data instanceof Float64Array && yPred.data instanceof Float64Array)) return null;
  if (rank === 0 || yTrue.rank !== rank || !yTrue.isContiguous || !yPred.isContiguous) return null;
  for (let i = 0; i < rank; i++) if (yTrue.shape[i] !== yPred.shape[i]) return null;
  const n = yPred.shape[rank - 1]!;
  if (n === 0 || yPred.size === 0) return null;
  // (Assigned one by one: Int32Array.of is a slow builtin at this size.)
  const geo = new Int32Array(4);
  geo[0] = yPred.size / n;
  geo[1] = n;
  geo[2] = yTrue.offset;
  geo[3] = yPred.offset;
  return geo;
}

/**
 * yTrue's and yPred's data seen from one offset, so the loops index both with one running
 * index (`td[j]`, `pd[j]`; an index plus a difference of offsets costs V8 about 20% on MSE):
 * `[td, pd, geo]` with `geo[2] = geo[3]`, a subarray where the offsets differ.
 */
function alignedInputs(yTrue: Tensor, yPred: Tensor, geo: Int32Array): [FloatArray, FloatArray, Int32Array] {
  const t0 = geo[2]!, p0 = geo[3]!;
  if (t0 === p0) return [yTrue.data, yPred.data, geo];
  const base = Math.min(t0, p0);
  const aligned = geo.slice();
  aligned[2] = aligned[3] = base;
  return [yTrue.data.subarray(t0 - base), yPred.data.subarray(p0 - base), aligned];
}

/** A kernel's contiguous path: values, and with an upstream the fused gradient (see {@link contiguousRows}). */
export function contiguousKernel(loss: ContiguousLoss, yTrue: Tensor, yPred: Tensor, dtype: DType, upstream: Upstream | undefined, params: Float64Array, rows: Int32Array): KernelResult {
  const outShape = yPred.shape.slice(0, -1);
  const [td, pd, geo] = alignedInputs(yTrue, yPred, rows);
  const kind = geo[1] === 1 ? columnKind(loss) : -1;
  if (!upstream) {
    const out = allocate(dtype, geo[0]!);
    if (kind >= 0) {
      if (out instanceof Float32Array) columnValues32(kind, out, td as Float32Array, pd as Float32Array, geo, params);
      else columnValues64(kind, out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
    } else runContiguous(loss, out, null, null, td, pd, geo, params);
    return { values: new Tensor(out, outShape) };
  }
  // Every gradient position is written, so the caller's buffer needs no zeroing.
  const gd = gradientBuffer(upstream, dtype, yPred.size, false);
  if (kind >= 0 && upstream.uniform) {
    // A column of a reducing call without weights: one upstream number for every row, and
    // Σ values instead of the values (as large as the inputs).
    const c = upstream.uniform(outShape);
    const total = dtype === "float32"
      ? columnGradTotal32(kind, gd as Float32Array, c, td as Float32Array, pd as Float32Array, geo, params)
      : columnGradTotal64(kind, gd as Float64Array, c, td as Float64Array, pd as Float64Array, geo, params);
    return { values: new Tensor(SHAPE_ONLY, outShape), grad: new Tensor(gd, yPred.shape), total };
  }
  if (kind < 0 && upstream.uniform && geo[0]! <= SCRATCH_LIMIT) {
    // Rows of a reducing call without weights: the one upstream number repeated in a reused
    // array, the values into a reused array, and their sum in the reductions' order.
    const rows = geo[0]!;
    const u = upstreamScratch(rows, upstream.uniform(outShape));
    const out = scratch(dtype, rows);
    runContiguous(loss, out, gd, u, td, pd, geo, params);
    return { values: new Tensor(SHAPE_ONLY, outShape), grad: new Tensor(gd, yPred.shape), total: plainSum(out, 0, rows) };
  }
  const out = allocate(dtype, geo[0]!);
  if (kind >= 0) {
    const u = float64(upstream(outShape));
    if (out instanceof Float32Array) columnFused32(kind, out, gd as Float32Array, u, td as Float32Array, pd as Float32Array, geo, params);
    else columnFused64(kind, out as Float64Array, gd as Float64Array, u, td as Float64Array, pd as Float64Array, geo, params);
  } else {
    runContiguous(loss, out, gd, float64(upstream(outShape)), td, pd, geo, params);
  }
  return { values: new Tensor(out, outShape), grad: new Tensor(gd, yPred.shape) };
}

/**
 * `Σ values` for a reducing call without weights (`KernelTotal`, src/kernel.ts) on contiguous
 * inputs: a column (`[batch, 1]`) sums its terms without writing them; rows write their
 * means into a scratch array reused across calls (not a new array per call) and sum it.
 * `undefined` for other layouts.
 */
export function contiguousTotal(loss: ContiguousLoss, yTrue: Tensor, yPred: Tensor, dtype: DType, params: Float64Array): { sum: number; shape: number[] } | undefined {
  const rows = contiguousRows(yTrue, yPred, dtype);
  if (!rows) return undefined;
  const [td, pd, geo] = alignedInputs(yTrue, yPred, rows);
  const kind = geo[1] === 1 ? columnKind(loss) : -1;
  let sum: number;
  if (kind >= 0) {
    sum = dtype === "float32"
      ? columnTotal32(kind, td as Float32Array, pd as Float32Array, geo, params)
      : columnTotal64(kind, td as Float64Array, pd as Float64Array, geo, params);
  } else {
    const n = geo[0]!;
    const out = scratch(dtype, n);
    runContiguous(loss, out, null, null, td, pd, geo, params);
    sum = plainSum(out, 0, n);
  }
  return { sum, shape: yPred.shape.slice(0, -1) };
}

function columnKind(loss: ContiguousLoss): number {
  return loss === "mse" ? COLUMN_KIND.mse : loss === "mae" ? COLUMN_KIND.mae : loss === "huber" ? COLUMN_KIND.huber : -1;
}

function float64(u: FloatArray): Float64Array {
  return u instanceof Float64Array ? u : Float64Array.from(u);
}

/** Which of the loops below a kernel runs. */
export type ContiguousLoss = "mse" | "mae" | "huber" | "hinge" | "squaredHinge";

/**
 * Runs the contiguous loop of `loss`: per-row means into `out`, and with `gd`/`u` the
 * gradient `u[r] · d mean_r / d yPred` written into `gd` (laid out like yPred, offset 0).
 */
export function runContiguous(loss: ContiguousLoss, out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, geo: Int32Array, params: Float64Array): void {
  const f32 = out instanceof Float32Array;
  const u64 = u as Float64Array;
  switch (loss) {
    case "hinge":
      if (gd) {
        if (f32) hingeFused32(out, gd as Float32Array, u64, td as Float32Array, pd as Float32Array, geo, params);
        else hingeFused64(out as Float64Array, gd as Float64Array, u64, td as Float64Array, pd as Float64Array, geo, params);
      } else if (f32) hingeValues32(out, td as Float32Array, pd as Float32Array, geo, params);
      else hingeValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
      return;
    case "squaredHinge":
      if (gd) {
        if (f32) squaredHingeFused32(out, gd as Float32Array, u64, td as Float32Array, pd as Float32Array, geo, params);
        else squaredHingeFused64(out as Float64Array, gd as Float64Array, u64, td as Float64Array, pd as Float64Array, geo, params);
      } else if (f32) squaredHingeValues32(out, td as Float32Array, pd as Float32Array, geo, params);
      else squaredHingeValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
      return;
    case "mse":
      if (gd) {
        if (f32) mseFused32(out, gd as Float32Array, u64, td as Float32Array, pd as Float32Array, geo, params);
        else mseFused64(out as Float64Array, gd as Float64Array, u64, td as Float64Array, pd as Float64Array, geo, params);
      } else if (f32) mseValues32(out, td as Float32Array, pd as Float32Array, geo, params);
      else mseValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
      return;
    case "mae":
      if (gd) {
        if (f32) maeFused32(out, gd as Float32Array, u64, td as Float32Array, pd as Float32Array, geo, params);
        else maeFused64(out as Float64Array, gd as Float64Array, u64, td as Float64Array, pd as Float64Array, geo, params);
      } else if (f32) maeValues32(out, td as Float32Array, pd as Float32Array, geo, params);
      else maeValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
      return;
    case "huber":
      if (gd) {
        if (f32) huberFused32(out, gd as Float32Array, u64, td as Float32Array, pd as Float32Array, geo, params);
        else huberFused64(out as Float64Array, gd as Float64Array, u64, td as Float64Array, pd as Float64Array, geo, params);
      } else if (f32) huberValues32(out, td as Float32Array, pd as Float32Array, geo, params);
      else huberValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo, params);
      return;
  }
}

// mse: mean((p - t)^2): gradient 2 (p - t) / n

function mseValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += e * e;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

function mseFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const scale = (2 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
      gd[j - p0 + 0] = scale * e0;
      gd[j - p0 + 1] = scale * e1;
      gd[j - p0 + 2] = scale * e2;
      gd[j - p0 + 3] = scale * e3;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += e * e;
      gd[j - p0] = scale * e;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

function mseValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += e * e;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

function mseFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const scale = (2 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
      gd[j - p0 + 0] = scale * e0;
      gd[j - p0 + 1] = scale * e1;
      gd[j - p0 + 2] = scale * e2;
      gd[j - p0 + 3] = scale * e3;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += e * e;
      gd[j - p0] = scale * e;
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

// mae: mean(|p - t|): gradient sign(p - t) / n (sign(0) = 0)

function maeValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += Math.abs(e0);
      s1 += Math.abs(e1);
      s2 += Math.abs(e2);
      s3 += Math.abs(e3);
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += Math.abs(e);
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

function maeFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const scale = (1 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += Math.abs(e0);
      s1 += Math.abs(e1);
      s2 += Math.abs(e2);
      s3 += Math.abs(e3);
      gd[j - p0 + 0] = scale * (+(e0 > 0) - +(e0 < 0));
      gd[j - p0 + 1] = scale * (+(e1 > 0) - +(e1 < 0));
      gd[j - p0 + 2] = scale * (+(e2 > 0) - +(e2 < 0));
      gd[j - p0 + 3] = scale * (+(e3 > 0) - +(e3 < 0));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += Math.abs(e);
      gd[j - p0] = scale * (+(e > 0) - +(e < 0));
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
    // A NaN error has a NaN value, so its gradient is NaN: the branch-free sign above gives 0,
    // so a row whose sum is NaN is redone with the plain expression.
    if (sum !== sum) {
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!;
        gd[i - p0] = scale * Math.sign(e);
      }
    }
  }
}

function maeValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += Math.abs(e0);
      s1 += Math.abs(e1);
      s2 += Math.abs(e2);
      s3 += Math.abs(e3);
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += Math.abs(e);
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
  }
}

function maeFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const scale = (1 * u[r]!) / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += Math.abs(e0);
      s1 += Math.abs(e1);
      s2 += Math.abs(e2);
      s3 += Math.abs(e3);
      gd[j - p0 + 0] = scale * (+(e0 > 0) - +(e0 < 0));
      gd[j - p0 + 1] = scale * (+(e1 > 0) - +(e1 < 0));
      gd[j - p0 + 2] = scale * (+(e2 > 0) - +(e2 < 0));
      gd[j - p0 + 3] = scale * (+(e3 > 0) - +(e3 < 0));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += Math.abs(e);
      gd[j - p0] = scale * (+(e > 0) - +(e < 0));
    }
    const sum = s0 + s1 + s2 + s3;
    out[r] = sum / n;
    // A NaN error has a NaN value, so its gradient is NaN: the branch-free sign above gives 0,
    // so a row whose sum is NaN is redone with the plain expression.
    if (sum !== sum) {
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!;
        gd[i - p0] = scale * Math.sign(e);
      }
    }
  }
}

// huber: 0.5 e^2 where |e| <= delta, delta |e| - 0.5 delta^2 beyond, the branch chosen by a 0/1 weight
// (+(|e| <= delta)) rather than a conditional, which random errors would mispredict; gradient
// e inside, delta sign(e) beyond (TensorFlow's branch at |e| = delta: the quadratic one)

function huberValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const delta = params[0]!, half = 0.5 * delta * delta;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += (+(Math.abs(e0) <= delta) * (0.5 * e0 * e0) + (1 - +(Math.abs(e0) <= delta)) * (delta * Math.abs(e0) - half));
      s1 += (+(Math.abs(e1) <= delta) * (0.5 * e1 * e1) + (1 - +(Math.abs(e1) <= delta)) * (delta * Math.abs(e1) - half));
      s2 += (+(Math.abs(e2) <= delta) * (0.5 * e2 * e2) + (1 - +(Math.abs(e2) <= delta)) * (delta * Math.abs(e2) - half));
      s3 += (+(Math.abs(e3) <= delta) * (0.5 * e3 * e3) + (1 - +(Math.abs(e3) <= delta)) * (delta * Math.abs(e3) - half));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += (+(Math.abs(e) <= delta) * (0.5 * e * e) + (1 - +(Math.abs(e) <= delta)) * (delta * Math.abs(e) - half));
    }
    const raw = s0 + s1 + s2 + s3;
    let sum = raw;
    // The branch-free terms give NaN for an infinite error (0 · Inf); such a row is summed
    // again with the plain terms, as the general path's huberTerm falls back to them.
    if (raw !== raw) {
      sum = 0;
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!, a = Math.abs(e);
        sum += a <= delta ? 0.5 * e * e : delta * a - half;
      }
    }
    out[r] = sum / n;
  }
}

function huberFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const delta = params[0]!, half = 0.5 * delta * delta;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += (+(Math.abs(e0) <= delta) * (0.5 * e0 * e0) + (1 - +(Math.abs(e0) <= delta)) * (delta * Math.abs(e0) - half));
      s1 += (+(Math.abs(e1) <= delta) * (0.5 * e1 * e1) + (1 - +(Math.abs(e1) <= delta)) * (delta * Math.abs(e1) - half));
      s2 += (+(Math.abs(e2) <= delta) * (0.5 * e2 * e2) + (1 - +(Math.abs(e2) <= delta)) * (delta * Math.abs(e2) - half));
      s3 += (+(Math.abs(e3) <= delta) * (0.5 * e3 * e3) + (1 - +(Math.abs(e3) <= delta)) * (delta * Math.abs(e3) - half));
      gd[j - p0 + 0] = scale * (+(Math.abs(e0) <= delta) * e0 + (1 - +(Math.abs(e0) <= delta)) * delta * (+(e0 > 0) - +(e0 < 0)));
      gd[j - p0 + 1] = scale * (+(Math.abs(e1) <= delta) * e1 + (1 - +(Math.abs(e1) <= delta)) * delta * (+(e1 > 0) - +(e1 < 0)));
      gd[j - p0 + 2] = scale * (+(Math.abs(e2) <= delta) * e2 + (1 - +(Math.abs(e2) <= delta)) * delta * (+(e2 > 0) - +(e2 < 0)));
      gd[j - p0 + 3] = scale * (+(Math.abs(e3) <= delta) * e3 + (1 - +(Math.abs(e3) <= delta)) * delta * (+(e3 > 0) - +(e3 < 0)));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += (+(Math.abs(e) <= delta) * (0.5 * e * e) + (1 - +(Math.abs(e) <= delta)) * (delta * Math.abs(e) - half));
      gd[j - p0] = scale * (+(Math.abs(e) <= delta) * e + (1 - +(Math.abs(e) <= delta)) * delta * (+(e > 0) - +(e < 0)));
    }
    const raw = s0 + s1 + s2 + s3;
    let sum = raw;
    // The branch-free terms give NaN for an infinite error (0 · Inf); such a row is summed
    // again with the plain terms, as the general path's huberTerm falls back to them.
    if (raw !== raw) {
      sum = 0;
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!, a = Math.abs(e);
        sum += a <= delta ? 0.5 * e * e : delta * a - half;
      }
    }
    out[r] = sum / n;
    // A NaN error has a NaN value, so its gradient is NaN: the branch-free sign above gives 0,
    // so a row whose sum is NaN is redone with the plain expression.
    if (raw !== raw) {
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!;
        gd[i - p0] = !(Math.abs(e) > delta) ? scale * e : e > 0 ? scale * delta : -scale * delta;
      }
    }
  }
}

function huberValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const delta = params[0]!, half = 0.5 * delta * delta;
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += (+(Math.abs(e0) <= delta) * (0.5 * e0 * e0) + (1 - +(Math.abs(e0) <= delta)) * (delta * Math.abs(e0) - half));
      s1 += (+(Math.abs(e1) <= delta) * (0.5 * e1 * e1) + (1 - +(Math.abs(e1) <= delta)) * (delta * Math.abs(e1) - half));
      s2 += (+(Math.abs(e2) <= delta) * (0.5 * e2 * e2) + (1 - +(Math.abs(e2) <= delta)) * (delta * Math.abs(e2) - half));
      s3 += (+(Math.abs(e3) <= delta) * (0.5 * e3 * e3) + (1 - +(Math.abs(e3) <= delta)) * (delta * Math.abs(e3) - half));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += (+(Math.abs(e) <= delta) * (0.5 * e * e) + (1 - +(Math.abs(e) <= delta)) * (delta * Math.abs(e) - half));
    }
    const raw = s0 + s1 + s2 + s3;
    let sum = raw;
    // The branch-free terms give NaN for an infinite error (0 · Inf); such a row is summed
    // again with the plain terms, as the general path's huberTerm falls back to them.
    if (raw !== raw) {
      sum = 0;
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!, a = Math.abs(e);
        sum += a <= delta ? 0.5 * e * e : delta * a - half;
      }
    }
    out[r] = sum / n;
  }
}

function huberFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  const delta = params[0]!, half = 0.5 * delta * delta;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const e0 = pd[j + 0]! - td[j + 0]!;
      const e1 = pd[j + 1]! - td[j + 1]!;
      const e2 = pd[j + 2]! - td[j + 2]!;
      const e3 = pd[j + 3]! - td[j + 3]!;
      s0 += (+(Math.abs(e0) <= delta) * (0.5 * e0 * e0) + (1 - +(Math.abs(e0) <= delta)) * (delta * Math.abs(e0) - half));
      s1 += (+(Math.abs(e1) <= delta) * (0.5 * e1 * e1) + (1 - +(Math.abs(e1) <= delta)) * (delta * Math.abs(e1) - half));
      s2 += (+(Math.abs(e2) <= delta) * (0.5 * e2 * e2) + (1 - +(Math.abs(e2) <= delta)) * (delta * Math.abs(e2) - half));
      s3 += (+(Math.abs(e3) <= delta) * (0.5 * e3 * e3) + (1 - +(Math.abs(e3) <= delta)) * (delta * Math.abs(e3) - half));
      gd[j - p0 + 0] = scale * (+(Math.abs(e0) <= delta) * e0 + (1 - +(Math.abs(e0) <= delta)) * delta * (+(e0 > 0) - +(e0 < 0)));
      gd[j - p0 + 1] = scale * (+(Math.abs(e1) <= delta) * e1 + (1 - +(Math.abs(e1) <= delta)) * delta * (+(e1 > 0) - +(e1 < 0)));
      gd[j - p0 + 2] = scale * (+(Math.abs(e2) <= delta) * e2 + (1 - +(Math.abs(e2) <= delta)) * delta * (+(e2 > 0) - +(e2 < 0)));
      gd[j - p0 + 3] = scale * (+(Math.abs(e3) <= delta) * e3 + (1 - +(Math.abs(e3) <= delta)) * delta * (+(e3 > 0) - +(e3 < 0)));
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const e = pd[j]! - td[j]!;
      s0 += (+(Math.abs(e) <= delta) * (0.5 * e * e) + (1 - +(Math.abs(e) <= delta)) * (delta * Math.abs(e) - half));
      gd[j - p0] = scale * (+(Math.abs(e) <= delta) * e + (1 - +(Math.abs(e) <= delta)) * delta * (+(e > 0) - +(e < 0)));
    }
    const raw = s0 + s1 + s2 + s3;
    let sum = raw;
    // The branch-free terms give NaN for an infinite error (0 · Inf); such a row is summed
    // again with the plain terms, as the general path's huberTerm falls back to them.
    if (raw !== raw) {
      sum = 0;
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!, a = Math.abs(e);
        sum += a <= delta ? 0.5 * e * e : delta * a - half;
      }
    }
    out[r] = sum / n;
    // A NaN error has a NaN value, so its gradient is NaN: the branch-free sign above gives 0,
    // so a row whose sum is NaN is redone with the plain expression.
    if (raw !== raw) {
      for (let i = rowStart; i < rowEnd; i++) {
        const e = pd[i]! - td[i]!;
        gd[i - p0] = !(Math.abs(e) > delta) ? scale * e : e > 0 ? scale * delta : -scale * delta;
      }
    }
  }
}
