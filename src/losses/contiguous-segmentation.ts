/**
 * Loops of the Dice and Tversky losses (./segmentation.ts). Per row (one sample: the
 * elements of the summed axes), three sums: `I = Σ t p`, `St = Σ t`, `Sp = Σ p`; then
 *
 * ```
 * Dice:    D = St · trueScale + Sp · predScale + eps     loss = 1 - 2 I / D
 * Tversky: D = I + alpha (Sp - I) + beta (St - I) + eps  loss = 1 - I / D
 * ```
 * (Tversky's false positives `Σ (1 - t) p = Sp - I` and false negatives `Σ t (1 - p) = St - I`),
 * and the gradient `d loss / d p_k = A t_k + C`, with `A` and `C` constant over the row, is
 * written right after the row's sums while the row is still in cache.
 *
 * Every loop sums a row in one order, which makes a strided view give the bits of its
 * contiguous copy: elements in groups of four, `I0..I3 += t_i p_i`, `St0 += t0 + t2`,
 * `St1 += t1 + t3` (the same for `Sp`), the `n mod 4` last elements into `I0`, `St0`, `Sp0`;
 * then `I = I0 + I1 + I2 + I3`, `St = St0 + St1`, `Sp = Sp0 + Sp1`. Dice with unit scales
 * (always, on the contiguous path) needs only `St + Sp`: one sum `U0 += t0 + p0 + t2 + p2`,
 * `U1 += t1 + p1 + t3 + p3` (tail `U0 += t + p`), `U = U0 + U1` in place of `St`, and `Sp = 0`
 * (two accumulators fewer: 10% faster than the separate sums).
 *
 * `params = [mode, c1, c2, eps]`: mode 0 is Dice (`c1`, `c2` = trueScale, predScale), mode 1
 * Tversky (`c1`, `c2` = alpha, beta); ./overlap.ts adds mode 2, Jaccard (`c1` = smooth; it needs
 * only `I` and `U`, so it runs the Dice loops), and mode 3, F-beta (`c1` = β²; the Tversky
 * loops, `Σt` and `Σp` apart). Contiguous loops (yTrue, yPred and the gradient as
 * arrays of `rows · n` from index 0): `geo = [rows, n]`; float32 and float64 have their own
 * loops (src/losses/README.md, rule 2). The strided loop takes {@link packReducedLayout}'s layout.
 */
import type { KernelResult, Upstream } from "../kernel";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";

/**
 * `[rows, n, tOffset, pOffset]` when yTrue and yPred are C-contiguous `dtype` tensors of one
 * shape (rank >= 1, not empty) whose summed axes (`reduced`) come after every kept axis of
 * size > 1: each row is then `n` consecutive elements. Else `null` (the strided path).
 */
export function contiguousReducedRows(yTrue: Tensor, yPred: Tensor, reduced: readonly boolean[], dtype: DType): Int32Array | null {
  const rank = yPred.rank;
  let rows = 1, n = 1, summing = false;
  for (let a = 0; a < rank; a++) {
    const d = yPred.shape[a]!;
    if (reduced[a]) {
      n *= d;
      summing ||= d !== 1;
    } else {
      if (summing && d !== 1) return null;
      rows *= d;
    }
  }
  if (rows === 0 || n === 0) return null;
  return Int32Array.of(rows, n, yTrue.offset, yPred.offset);
}

/** Whether the contiguous path may run: one shape, one dtype, both C-contiguous, rank >= 1 (the cheap checks, before the axes). */
export function sameContiguous(yTrue: Tensor, yPred: Tensor, dtype: DType): boolean {
  const rank = yPred.rank;
  if (yTrue.dtype !== dtype || yPred.dtype !== dtype) return false;
  if (rank === 0 || yTrue.rank !== rank || !yTrue.isContiguous || !yPred.isContiguous) return false;
  for (let i = 0; i < rank; i++) if (yTrue.shape[i] !== yPred.shape[i]) return false;
  return true;
}

/**
 * The contiguous path: values of shape `outShape`, and with an upstream the gradient, written
 * into the caller's `out` (every position is written, so it is not zeroed first) or a new array.
 */
export function contiguousSegmentation(yTrue: Tensor, yPred: Tensor, dtype: DType, upstream: Upstream | undefined, geo: Int32Array, outShape: number[], params: Float64Array): KernelResult {
  const rows = geo[0]!, size = rows * geo[1]!;
  const td = yTrue.data.subarray(geo[2]!, geo[2]! + size), pd = yPred.data.subarray(geo[3]!, geo[3]! + size);
  const out = allocate(dtype, rows);
  const f32 = out instanceof Float32Array;
  // Dice and Jaccard (mode 2) need only I and U = St + Sp: the Dice loops; Tversky and F-beta (mode 3) the sums apart.
  const dice = params[0] === 0 || params[0] === 2;
  if (!upstream) {
    if (dice) {
      if (f32) diceValues32(out, td as Float32Array, pd as Float32Array, geo, params);
      else diceValues64(out, td as Float64Array, pd as Float64Array, geo, params);
    } else if (f32) tverskyValues32(out, td as Float32Array, pd as Float32Array, geo, params);
    else tverskyValues64(out, td as Float64Array, pd as Float64Array, geo, params);
    return { values: new Tensor(out, outShape) };
  }
  const given = upstream(outShape);
  const u = given instanceof Float64Array ? given : Float64Array.from(given);
  const gd = upstream.out ?? allocate(dtype, size);
  if (dice) {
    if (f32) diceFused32(out, gd as Float32Array, u, td as Float32Array, pd as Float32Array, geo, params);
    else diceFused64(out as Float64Array, gd as Float64Array, u, td as Float64Array, pd as Float64Array, geo, params);
  } else if (f32) tverskyFused32(out, gd as Float32Array, u, td as Float32Array, pd as Float32Array, geo, params);
  else tverskyFused64(out as Float64Array, gd as Float64Array, u, td as Float64Array, pd as Float64Array, geo, params);
  return { values: new Tensor(out, outShape), grad: new Tensor(gd, yPred.shape) };
}

// Dice (scales 1): one sum U = Σ (t + p) in place of Σt and Σp, passed as the true sum with a predicted sum of 0.

export function diceValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, u0 = 0, u1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      u0 += a0 + b0 + a2 + b2;
      u1 += a1 + b1 + a3 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      u0 += a + b;
    }
    out[r] = segmentationValue(i0 + i1 + i2 + i3, u0 + u1, 0, params);
  }
}

export function diceValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, u0 = 0, u1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      u0 += a0 + b0 + a2 + b2;
      u1 += a1 + b1 + a3 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      u0 += a + b;
    }
    out[r] = segmentationValue(i0 + i1 + i2 + i3, u0 + u1, 0, params);
  }
}

export function diceFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, u0 = 0, u1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      u0 += a0 + b0 + a2 + b2;
      u1 += a1 + b1 + a3 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      u0 += a + b;
    }
    const inter = i0 + i1 + i2 + i3, sum = u0 + u1;
    out[r] = segmentationValue(inter, sum, 0, params);
    const slope = segmentationSlope(inter, sum, 0, u[r]!, params), constant = segmentationConstant(inter, sum, 0, u[r]!, params);
    // The row is still in cache: g = slope · t + constant.
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      gd[i] = slope * td[i]! + constant;
      gd[i + 1] = slope * td[i + 1]! + constant;
      gd[i + 2] = slope * td[i + 2]! + constant;
      gd[i + 3] = slope * td[i + 3]! + constant;
    }
    for (let k = n - (n & 3); k < n; k++) gd[o + k] = slope * td[o + k]! + constant;
  }
}

export function diceFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, u0 = 0, u1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      u0 += a0 + b0 + a2 + b2;
      u1 += a1 + b1 + a3 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      u0 += a + b;
    }
    const inter = i0 + i1 + i2 + i3, sum = u0 + u1;
    out[r] = segmentationValue(inter, sum, 0, params);
    const slope = segmentationSlope(inter, sum, 0, u[r]!, params), constant = segmentationConstant(inter, sum, 0, u[r]!, params);
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      gd[i] = slope * td[i]! + constant;
      gd[i + 1] = slope * td[i + 1]! + constant;
      gd[i + 2] = slope * td[i + 2]! + constant;
      gd[i + 3] = slope * td[i + 3]! + constant;
    }
    for (let k = n - (n & 3); k < n; k++) gd[o + k] = slope * td[o + k]! + constant;
  }
}

// Tversky: Σt and Σp apart.

export function tverskyValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, t0 = 0, t1 = 0, p0 = 0, p1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      t0 += a0 + a2;
      t1 += a1 + a3;
      p0 += b0 + b2;
      p1 += b1 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      t0 += a;
      p0 += b;
    }
    out[r] = segmentationValue(i0 + i1 + i2 + i3, t0 + t1, p0 + p1, params);
  }
}

export function tverskyValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, t0 = 0, t1 = 0, p0 = 0, p1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      t0 += a0 + a2;
      t1 += a1 + a3;
      p0 += b0 + b2;
      p1 += b1 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      t0 += a;
      p0 += b;
    }
    out[r] = segmentationValue(i0 + i1 + i2 + i3, t0 + t1, p0 + p1, params);
  }
}

export function tverskyFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, t0 = 0, t1 = 0, p0 = 0, p1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      t0 += a0 + a2;
      t1 += a1 + a3;
      p0 += b0 + b2;
      p1 += b1 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      t0 += a;
      p0 += b;
    }
    const inter = i0 + i1 + i2 + i3, trueSum = t0 + t1, predSum = p0 + p1;
    out[r] = segmentationValue(inter, trueSum, predSum, params);
    const slope = segmentationSlope(inter, trueSum, predSum, u[r]!, params), constant = segmentationConstant(inter, trueSum, predSum, u[r]!, params);
    // The row is still in cache: g = slope · t + constant.
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      gd[i] = slope * td[i]! + constant;
      gd[i + 1] = slope * td[i + 1]! + constant;
      gd[i + 2] = slope * td[i + 2]! + constant;
      gd[i + 3] = slope * td[i + 3]! + constant;
    }
    for (let k = n - (n & 3); k < n; k++) gd[o + k] = slope * td[o + k]! + constant;
  }
}

export function tverskyFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, t0 = 0, t1 = 0, p0 = 0, p1 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      i0 += a0 * b0;
      i1 += a1 * b1;
      i2 += a2 * b2;
      i3 += a3 * b3;
      t0 += a0 + a2;
      t1 += a1 + a3;
      p0 += b0 + b2;
      p1 += b1 + b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      i0 += a * b;
      t0 += a;
      p0 += b;
    }
    const inter = i0 + i1 + i2 + i3, trueSum = t0 + t1, predSum = p0 + p1;
    out[r] = segmentationValue(inter, trueSum, predSum, params);
    const slope = segmentationSlope(inter, trueSum, predSum, u[r]!, params), constant = segmentationConstant(inter, trueSum, predSum, u[r]!, params);
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      gd[i] = slope * td[i]! + constant;
      gd[i + 1] = slope * td[i + 1]! + constant;
      gd[i + 2] = slope * td[i + 2]! + constant;
      gd[i + 3] = slope * td[i + 3]! + constant;
    }
    for (let k = n - (n & 3); k < n; k++) gd[o + k] = slope * td[o + k]! + constant;
  }
}

/** Header length of {@link packReducedLayout}'s layout. */
const HEADER = 7;

/**
 * The layout of the strided loop in one `Int32Array`: `[rows, blocks, n, tStride, pStride,
 * gStride, exclusive, tOuter…, pOuter…, gOuter…, tInner…, pInner…, gInner…]` (see
 * `ReducedLayout` in ./segmentation.ts: element `k` of block `j` of row `r` is at
 * `outer[r] + inner[j] + k · stride`). `exclusive` is 1 when no two elements share a
 * gradient position (yPred not broadcast): the loop writes instead of adding.
 */
export function packReducedLayout(outer: readonly Int32Array[], inner: readonly Int32Array[], n: number, strides: readonly number[], exclusive: boolean): Int32Array {
  const rows = outer[0]!.length, blocks = inner[0]!.length;
  const layout = new Int32Array(HEADER + 3 * rows + 3 * blocks);
  layout.set([rows, blocks, n, strides[0]!, strides[1]!, strides[2] ?? 0, exclusive ? 1 : 0]);
  for (let i = 0; i < outer.length; i++) layout.set(outer[i]!, HEADER + i * rows);
  for (let i = 0; i < inner.length; i++) layout.set(inner[i]!, HEADER + 3 * rows + i * blocks);
  return layout;
}

/**
 * The general loop: rows of several blocks, strides, broadcasts. The groups of four run on
 * across blocks (a block need not hold a multiple of four), so the sums come out as the
 * contiguous loops make them; with `gd` (zeroed) the gradient is written, or added where
 * yPred is broadcast.
 */
export function segmentationStrided(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const rows = layout[0]!, blocks = layout[1]!, n = layout[2]!, ts = layout[3]!, ps = layout[4]!, gs = layout[5]!, exclusive = layout[6] === 1;
  const tOuter = HEADER, pOuter = HEADER + rows, gOuter = HEADER + 2 * rows;
  const tInner = HEADER + 3 * rows, pInner = tInner + blocks, gInner = pInner + blocks;
  const total = blocks * n, grouped = total - (total & 3);
  // Dice with unit scales sums as the contiguous Dice loops do: U = Σ (t + p) into t0, t1.
  // Jaccard (mode 2) needs only U = St + Sp too (./overlap.ts).
  const combined = (params[0] === 0 && params[1] === 1 && params[2] === 1) || params[0] === 2;
  for (let r = 0; r < rows; r++) {
    let i0 = 0, i1 = 0, i2 = 0, i3 = 0, t0 = 0, t1 = 0, p0 = 0, p1 = 0;
    let a0 = 0, a1 = 0, b0 = 0, b1 = 0, c = 0;
    for (let j = 0; j < blocks; j++) {
      let to = layout[tOuter + r]! + layout[tInner + j]!, po = layout[pOuter + r]! + layout[pInner + j]!;
      for (let k = 0; k < n; k++, to += ts, po += ps, c++) {
        const a = td[to]!, b = pd[po]!;
        if (c >= grouped) {
          i0 += a * b;
          if (combined) t0 += a + b;
          else {
            t0 += a;
            p0 += b;
          }
        } else if ((c & 3) === 0) {
          i0 += a * b;
          a0 = a;
          b0 = b;
        } else if ((c & 3) === 1) {
          i1 += a * b;
          a1 = a;
          b1 = b;
        } else if ((c & 3) === 2) {
          i2 += a * b;
          if (combined) t0 += a0 + b0 + a + b;
          else {
            t0 += a0 + a;
            p0 += b0 + b;
          }
        } else {
          i3 += a * b;
          if (combined) t1 += a1 + b1 + a + b;
          else {
            t1 += a1 + a;
            p1 += b1 + b;
          }
        }
      }
    }
    const inter = i0 + i1 + i2 + i3, trueSum = t0 + t1, predSum = p0 + p1;
    out[r] = segmentationValue(inter, trueSum, predSum, params);
    if (!gd) continue;
    const slope = segmentationSlope(inter, trueSum, predSum, u![r]!, params), constant = segmentationConstant(inter, trueSum, predSum, u![r]!, params);
    for (let j = 0; j < blocks; j++) {
      let to = layout[tOuter + r]! + layout[tInner + j]!, go = layout[gOuter + r]! + layout[gInner + j]!;
      if (exclusive) for (let k = 0; k < n; k++, to += ts, go += gs) gd[go] = slope * td[to]! + constant;
      else for (let k = 0; k < n; k++, to += ts, go += gs) gd[go] += slope * td[to]! + constant;
    }
  }
}

/** The row's denominator `D` (see the module comment; Jaccard and F-beta: ./overlap.ts's modes below). */
function segmentationDenominator(inter: number, trueSum: number, predSum: number, params: Float64Array): number {
  const mode = params[0]!;
  if (mode === 0) return trueSum * params[1]! + predSum * params[2]! + params[3]!;
  if (mode === 1) return inter + params[1]! * (predSum - inter) + params[2]! * (trueSum - inter) + params[3]!;
  if (mode === 2) return trueSum + predSum - inter + params[1]! + params[3]!;
  return fBetaDenominator(inter, trueSum, predSum, params);
}

/** Dice `1 - 2 I / D`, Tversky `1 - I / D`, Jaccard `1 - (I + s) / D`, F-beta `1 - (1 + β²) P R / D`. */
function segmentationValue(inter: number, trueSum: number, predSum: number, params: Float64Array): number {
  const mode = params[0]!;
  const denominator = segmentationDenominator(inter, trueSum, predSum, params);
  if (mode === 0) return 1 - (2 * inter) / denominator;
  if (mode === 1) return 1 - inter / denominator;
  if (mode === 2) return 1 - (inter + params[1]!) / denominator;
  const precision = inter / (predSum + params[3]!), recall = inter / (trueSum + params[3]!);
  return 1 - ((1 + params[1]!) * precision * recall) / denominator;
}

/**
 * `A` of `u · d loss / d p_k = A t_k + C`. Dice: `A = -2 u / D`. Tversky: with
 * `dD / d p_k = t_k + alpha (1 - t_k) - beta t_k`, `A = u ((1 - alpha - beta) I - D) / D²`.
 * Jaccard (`N = I + s`, `dD / d p_k = 1 - t_k`): `A = -u (D + N) / D²`. F-beta: see {@link fBetaSlope}.
 */
function segmentationSlope(inter: number, trueSum: number, predSum: number, u: number, params: Float64Array): number {
  const mode = params[0]!;
  if (mode === 3) return fBetaSlope(inter, trueSum, predSum, u, params);
  const denominator = segmentationDenominator(inter, trueSum, predSum, params);
  if (mode === 0) return (-2 * u) / denominator;
  if (mode === 1) return (u / (denominator * denominator)) * ((1 - params[1]! - params[2]!) * inter - denominator);
  return (-u * (denominator + inter + params[1]!)) / (denominator * denominator);
}

/**
 * `C` of `u · d loss / d p_k = A t_k + C`. Dice: `C = 2 u I predScale / D²`. Tversky: `C = u alpha I / D²`.
 * Jaccard: `C = u N / D²`. F-beta: see {@link fBetaSlope}.
 */
function segmentationConstant(inter: number, trueSum: number, predSum: number, u: number, params: Float64Array): number {
  const mode = params[0]!;
  if (mode === 3) return fBetaConstant(inter, trueSum, predSum, u, params);
  const denominator = segmentationDenominator(inter, trueSum, predSum, params);
  if (mode === 0) return (2 * u * inter * params[2]!) / (denominator * denominator);
  if (mode === 1) return (u / (denominator * denominator)) * (params[1]! * inter);
  return (u * (inter + params[1]!)) / (denominator * denominator);
}

// F-beta (mode 3, params `[3, β², 0, ε]`): `TP = I`, `TP + FP = Sp`, `TP + FN = St`,
// `P = I / (Sp + ε)`, `R = I / (St + ε)`, `D = β² P + R + ε`.

function fBetaDenominator(inter: number, trueSum: number, predSum: number, params: Float64Array): number {
  const eps = params[3]!;
  return params[1]! * (inter / (predSum + eps)) + inter / (trueSum + eps) + eps;
}

/**
 * With `a = Sp + ε`, `b = St + ε` (`da / dp_k = 1`, `db / dp_k = 0`, `dI / dp_k = t_k`),
 * `F_P = (1 + β²) R (R + ε) / D²`, `F_R = (1 + β²) P (β² P + ε) / D²`:
 * `d loss / d p_k = -t_k (F_P / a + F_R / b) + F_P I / a²`, so `A = -u (F_P / a + F_R / b)`.
 */
function fBetaSlope(inter: number, trueSum: number, predSum: number, u: number, params: Float64Array): number {
  const beta2 = params[1]!, eps = params[3]!;
  const a = predSum + eps, b = trueSum + eps;
  const precision = inter / a, recall = inter / b;
  const denominator = beta2 * precision + recall + eps;
  const dPrecision = ((1 + beta2) * recall * (recall + eps)) / (denominator * denominator);
  const dRecall = ((1 + beta2) * precision * (beta2 * precision + eps)) / (denominator * denominator);
  return -u * (dPrecision / a + dRecall / b);
}

/** `C = u F_P I / a²` (see {@link fBetaSlope}). */
function fBetaConstant(inter: number, trueSum: number, predSum: number, u: number, params: Float64Array): number {
  const beta2 = params[1]!, eps = params[3]!;
  const a = predSum + eps, b = trueSum + eps;
  const precision = inter / a, recall = inter / b;
  const denominator = beta2 * precision + recall + eps;
  const dPrecision = ((1 + beta2) * recall * (recall + eps)) / (denominator * denominator);
  return (u * dPrecision * inter) / (a * a);
}
