/**
 * Loops of CategoricalHinge (./hinge.ts): per row `pos = Σ y x`, `neg = max_k (1 - y_k) x_k`,
 * `value = max(neg - pos + 1, 0)`. The contiguous path (yTrue and yPred C-contiguous of one
 * shape and the loss's dtype) reads a row with one running index: `pos` in four accumulators,
 * `neg` in four running maxima with the first index of each (`if (o > m)`: a row maximum
 * changes a handful of times per row, so the branch is predicted; ties go to the first index,
 * lane by lane). With an upstream, the gradient row is written right after the row's pass,
 * while it is in cache: `g_k = -w y_k` (`w` the upstream, 0 where the margin is negative), and
 * at the maximum `w (1 - 2 y_k)`; the same pass counts the entries equal to `neg`, and a row
 * with ties is written again with TensorFlow's rule (`reduce_max` splits its gradient evenly
 * among the tied entries). A row whose margin is NaN has a NaN gradient. float32 and float64
 * have their own loops. The strided loop sums `pos` in the same order, so a view gives the
 * bits of its contiguous copy.
 */
import type { KernelResult, Upstream } from "../kernel";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { LAYOUT_HEADER, gradientBuffer } from "./layout";

/** The contiguous path (`geo = [rows, n, tOffset, pOffset]` from ./contiguous.ts's `contiguousRows`). */
export function contiguousCategoricalHinge(yTrue: Tensor, yPred: Tensor, dtype: DType, upstream: Upstream | undefined, rows: Int32Array): KernelResult {
  const outShape = yPred.shape.slice(0, -1);
  const t0 = rows[2]!, p0 = rows[3]!, base = Math.min(t0, p0);
  // yTrue and yPred seen from one offset, so one running index reads both.
  const td = t0 === base ? yTrue.data : yTrue.data.subarray(t0 - base), pd = p0 === base ? yPred.data : yPred.data.subarray(p0 - base);
  const geo = Int32Array.of(rows[0]!, rows[1]!, base, base);
  const out = allocate(dtype, geo[0]!);
  const f32 = out instanceof Float32Array;
  if (!upstream) {
    if (f32) categoricalHingeValues32(out, td as Float32Array, pd as Float32Array, geo);
    else categoricalHingeValues64(out as Float64Array, td as Float64Array, pd as Float64Array, geo);
    return { values: new Tensor(out, outShape) };
  }
  // Every gradient position is written, so the caller's buffer needs no zeroing.
  const gd = gradientBuffer(upstream, dtype, yPred.size, false);
  const given = upstream(outShape);
  const u = given instanceof Float64Array ? given : Float64Array.from(given);
  if (f32) categoricalHingeFused32(out, gd as Float32Array, u, td as Float32Array, pd as Float32Array, geo);
  else categoricalHingeFused64(out as Float64Array, gd as Float64Array, u, td as Float64Array, pd as Float64Array, geo);
  return { values: new Tensor(out, outShape), grad: new Tensor(gd, yPred.shape) };
}

export function categoricalHingeValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      s0 += y0 * x0;
      s1 += y1 * x1;
      s2 += y2 * x2;
      s3 += y3 * x3;
      const o0 = (1 - y0) * x0, o1 = (1 - y1) * x1, o2 = (1 - y2) * x2, o3 = (1 - y3) * x3;
      if (o0 > m0) m0 = o0;
      if (o1 > m1) m1 = o1;
      if (o2 > m2) m2 = o2;
      if (o3 > m3) m3 = o3;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = td[j]!, x = pd[j]!;
      s0 += y * x;
      const o = (1 - y) * x;
      if (o > m0) m0 = o;
    }
    // A NaN anywhere in the row makes pos NaN (0 · NaN is NaN), so the value is NaN; Math.max keeps it.
    out[r] = Math.max(Math.max(Math.max(m0, m1), Math.max(m2, m3)) - (s0 + s1 + s2 + s3) + 1, 0);
  }
}

export function categoricalHingeFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity;
    let k0 = rowStart, k1 = rowStart, k2 = rowStart, k3 = rowStart;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      s0 += y0 * x0;
      s1 += y1 * x1;
      s2 += y2 * x2;
      s3 += y3 * x3;
      const o0 = (1 - y0) * x0, o1 = (1 - y1) * x1, o2 = (1 - y2) * x2, o3 = (1 - y3) * x3;
      if (o0 > m0) {
        m0 = o0;
        k0 = j;
      }
      if (o1 > m1) {
        m1 = o1;
        k1 = j + 1;
      }
      if (o2 > m2) {
        m2 = o2;
        k2 = j + 2;
      }
      if (o3 > m3) {
        m3 = o3;
        k3 = j + 3;
      }
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = td[j]!, x = pd[j]!;
      s0 += y * x;
      const o = (1 - y) * x;
      if (o > m0) {
        m0 = o;
        k0 = j;
      }
    }
    const neg = Math.max(Math.max(m0, m1), Math.max(m2, m3)), margin = neg - (s0 + s1 + s2 + s3) + 1;
    out[r] = Math.max(margin, 0);
    if (margin < 0) {
      // No gradient (not 0 · y, which an infinite label would make NaN).
      gd.fill(0, rowStart - p0, rowEnd - p0);
      continue;
    }
    // The row's weight: the upstream, NaN where the margin is NaN (a NaN gradient row).
    const weight = margin >= 0 ? u[r]! : NaN;
    const ties = categoricalHingeGradRow32(gd, td, pd, rowStart, rowEnd, p0, neg, weight);
    if (!(margin >= 0)) continue;
    if (ties === 1) {
      const argmax = neg === m0 ? k0 : neg === m1 ? k1 : neg === m2 ? k2 : k3;
      gd[argmax - p0] = weight * (1 - 2 * td[argmax]!);
    } else categoricalHingeTies32(gd, td, pd, rowStart, rowEnd, p0, neg, weight);
  }
}

/**
 * Writes `g = 0 - w y` over one row (0, not -0, where `w y` is 0; NaN everywhere for a NaN
 * weight) and returns how many entries equal the maximum `neg`.
 */
function categoricalHingeGradRow32(gd: Float32Array, td: Float32Array, pd: Float32Array, rowStart: number, rowEnd: number, p0: number, neg: number, weight: number): number {
  const n = rowEnd - rowStart, rowEnd4 = rowEnd - (n & 3);
  let c0 = 0, c1 = 0;
  for (let j = rowStart; j < rowEnd4; j += 4) {
    const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
    gd[j - p0] = 0 - weight * y0;
    gd[j - p0 + 1] = 0 - weight * y1;
    gd[j - p0 + 2] = 0 - weight * y2;
    gd[j - p0 + 3] = 0 - weight * y3;
    c0 += +((1 - y0) * pd[j]! === neg) + +((1 - y2) * pd[j + 2]! === neg);
    c1 += +((1 - y1) * pd[j + 1]! === neg) + +((1 - y3) * pd[j + 3]! === neg);
  }
  for (let j = rowEnd4; j < rowEnd; j++) {
    const y = td[j]!;
    gd[j - p0] = 0 - weight * y;
    c0 += +((1 - y) * pd[j]! === neg);
  }
  return c0 + c1;
}

/** A row whose maximum is tied: each tied entry gets `w / ties · (1 - y) - w y` (TensorFlow's reduce_max gradient). */
function categoricalHingeTies32(gd: Float32Array, td: Float32Array, pd: Float32Array, rowStart: number, rowEnd: number, p0: number, neg: number, weight: number): void {
  let ties = 0;
  for (let j = rowStart; j < rowEnd; j++) ties += +((1 - td[j]!) * pd[j]! === neg);
  const share = weight / ties;
  for (let j = rowStart; j < rowEnd; j++) {
    const y = td[j]!;
    if ((1 - y) * pd[j]! === neg) gd[j - p0] = share * (1 - y) - weight * y;
  }
}

export function categoricalHingeValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      s0 += y0 * x0;
      s1 += y1 * x1;
      s2 += y2 * x2;
      s3 += y3 * x3;
      const o0 = (1 - y0) * x0, o1 = (1 - y1) * x1, o2 = (1 - y2) * x2, o3 = (1 - y3) * x3;
      if (o0 > m0) m0 = o0;
      if (o1 > m1) m1 = o1;
      if (o2 > m2) m2 = o2;
      if (o3 > m3) m3 = o3;
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = td[j]!, x = pd[j]!;
      s0 += y * x;
      const o = (1 - y) * x;
      if (o > m0) m0 = o;
    }
    // A NaN anywhere in the row makes pos NaN (0 · NaN is NaN), so the value is NaN; Math.max keeps it.
    out[r] = Math.max(Math.max(Math.max(m0, m1), Math.max(m2, m3)) - (s0 + s1 + s2 + s3) + 1, 0);
  }
}

export function categoricalHingeFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, p0 = geo[3]!, m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const rowStart = p0 + r * n, rowEnd4 = rowStart + m, rowEnd = rowStart + n;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, m0 = -Infinity, m1 = -Infinity, m2 = -Infinity, m3 = -Infinity;
    let k0 = rowStart, k1 = rowStart, k2 = rowStart, k3 = rowStart;
    for (let j = rowStart; j < rowEnd4; j += 4) {
      const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
      const x0 = pd[j]!, x1 = pd[j + 1]!, x2 = pd[j + 2]!, x3 = pd[j + 3]!;
      s0 += y0 * x0;
      s1 += y1 * x1;
      s2 += y2 * x2;
      s3 += y3 * x3;
      const o0 = (1 - y0) * x0, o1 = (1 - y1) * x1, o2 = (1 - y2) * x2, o3 = (1 - y3) * x3;
      if (o0 > m0) {
        m0 = o0;
        k0 = j;
      }
      if (o1 > m1) {
        m1 = o1;
        k1 = j + 1;
      }
      if (o2 > m2) {
        m2 = o2;
        k2 = j + 2;
      }
      if (o3 > m3) {
        m3 = o3;
        k3 = j + 3;
      }
    }
    for (let j = rowEnd4; j < rowEnd; j++) {
      const y = td[j]!, x = pd[j]!;
      s0 += y * x;
      const o = (1 - y) * x;
      if (o > m0) {
        m0 = o;
        k0 = j;
      }
    }
    const neg = Math.max(Math.max(m0, m1), Math.max(m2, m3)), margin = neg - (s0 + s1 + s2 + s3) + 1;
    out[r] = Math.max(margin, 0);
    if (margin < 0) {
      // No gradient (not 0 · y, which an infinite label would make NaN).
      gd.fill(0, rowStart - p0, rowEnd - p0);
      continue;
    }
    // The row's weight: the upstream, NaN where the margin is NaN (a NaN gradient row).
    const weight = margin >= 0 ? u[r]! : NaN;
    const ties = categoricalHingeGradRow64(gd, td, pd, rowStart, rowEnd, p0, neg, weight);
    if (!(margin >= 0)) continue;
    if (ties === 1) {
      const argmax = neg === m0 ? k0 : neg === m1 ? k1 : neg === m2 ? k2 : k3;
      gd[argmax - p0] = weight * (1 - 2 * td[argmax]!);
    } else categoricalHingeTies64(gd, td, pd, rowStart, rowEnd, p0, neg, weight);
  }
}

/**
 * Writes `g = 0 - w y` over one row (0, not -0, where `w y` is 0; NaN everywhere for a NaN
 * weight) and returns how many entries equal the maximum `neg`.
 */
function categoricalHingeGradRow64(gd: Float64Array, td: Float64Array, pd: Float64Array, rowStart: number, rowEnd: number, p0: number, neg: number, weight: number): number {
  const n = rowEnd - rowStart, rowEnd4 = rowEnd - (n & 3);
  let c0 = 0, c1 = 0;
  for (let j = rowStart; j < rowEnd4; j += 4) {
    const y0 = td[j]!, y1 = td[j + 1]!, y2 = td[j + 2]!, y3 = td[j + 3]!;
    gd[j - p0] = 0 - weight * y0;
    gd[j - p0 + 1] = 0 - weight * y1;
    gd[j - p0 + 2] = 0 - weight * y2;
    gd[j - p0 + 3] = 0 - weight * y3;
    c0 += +((1 - y0) * pd[j]! === neg) + +((1 - y2) * pd[j + 2]! === neg);
    c1 += +((1 - y1) * pd[j + 1]! === neg) + +((1 - y3) * pd[j + 3]! === neg);
  }
  for (let j = rowEnd4; j < rowEnd; j++) {
    const y = td[j]!;
    gd[j - p0] = 0 - weight * y;
    c0 += +((1 - y) * pd[j]! === neg);
  }
  return c0 + c1;
}

/** A row whose maximum is tied: each tied entry gets `w / ties · (1 - y) - w y` (TensorFlow's reduce_max gradient). */
function categoricalHingeTies64(gd: Float64Array, td: Float64Array, pd: Float64Array, rowStart: number, rowEnd: number, p0: number, neg: number, weight: number): void {
  let ties = 0;
  for (let j = rowStart; j < rowEnd; j++) ties += +((1 - td[j]!) * pd[j]! === neg);
  const share = weight / ties;
  for (let j = rowStart; j < rowEnd; j++) {
    const y = td[j]!;
    if ((1 - y) * pd[j]! === neg) gd[j - p0] = share * (1 - y) - weight * y;
  }
}

/**
 * The general path over `packRows` rows (./layout.ts), `gd` zeroed (written where `exclusive`
 * is 1, else added: yPred broadcast): `pos` summed in the contiguous loops' order, the same
 * gradient rule.
 */
export function categoricalHingeStrided(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, exclusive: number): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, rows = (layout.length - LAYOUT_HEADER) / 3;
  const m = n - (n & 3);
  for (let r = 0; r < rows; r++) {
    const tr = layout[LAYOUT_HEADER + r]!, pr = layout[LAYOUT_HEADER + rows + r]!, gr = layout[LAYOUT_HEADER + 2 * rows + r]!;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, neg = -Infinity, argmax = 0;
    for (let k = 0; k < n; k++) {
      const y = td[tr + k * ts]!, x = pd[pr + k * ps]!;
      const lane = k < m ? k & 3 : 0;
      if (lane === 0) s0 += y * x;
      else if (lane === 1) s1 += y * x;
      else if (lane === 2) s2 += y * x;
      else s3 += y * x;
      const o = (1 - y) * x;
      if (o > neg) {
        neg = o;
        argmax = k;
      }
    }
    const margin = neg - (s0 + s1 + s2 + s3) + 1;
    out[r] = Math.max(margin, 0);
    if (!gd || margin < 0) continue;
    if (margin !== margin) {
      for (let k = 0; k < n; k++) gd[gr + k * gs] = NaN;
      continue;
    }
    const weight = u![r]!;
    let ties = 0;
    for (let k = 0; k < n; k++) ties += +((1 - td[tr + k * ts]!) * pd[pr + k * ps]! === neg);
    const share = weight / ties;
    for (let k = 0; k < n; k++) {
      const y = td[tr + k * ts]!;
      const gk = ties === 1 ? (k === argmax ? weight * (1 - 2 * y) : 0 - weight * y) : (1 - y) * pd[pr + k * ps]! === neg ? share * (1 - y) - weight * y : 0 - weight * y;
      if (exclusive) gd[gr + k * gs] = gk;
      else gd[gr + k * gs]! += gk;
    }
  }
}
