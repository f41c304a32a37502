/**
 * Loops of the cosine similarity (./cosine.ts). Per row, three sums: `tt = Σ t²`, `pp = Σ p²`,
 * `dot = Σ t p`, then `-dot / (sqrt(max(tt, floor)) sqrt(max(pp, floor)))`. The fused
 * loops write the row's gradient right after its sums, while the row is still in cache:
 * the gradient needs the row's norms, so a second pass over the row is inherent, but not a
 * second pass over the whole input.
 *
 * Every loop sums a row in one order, which makes a strided view give the bits of its
 * contiguous copy: elements in groups of four, `tt0 += a0² + a2²`, `tt1 += a1² + a3²` (the
 * same for `pp`), `tp0..tp3 += a_i b_i`, the `n mod 4` last elements into `tt0`, `pp0`, `tp0`;
 * then `tt = tt0 + tt1`, `pp = pp0 + pp1`, `dot = tp0 + tp1 + tp2 + tp3`.
 *
 * Contiguous loops (yTrue, yPred and the gradient as arrays of `rows · n` from index 0, one
 * running row start `o`): `geo = [rows, n]`, `params = [floor]`. float32 and float64 have
 * their own loops (src/losses/README.md, rule 2). The strided loop takes the rows of
 * `packRows` and `params = [trueScale, predScale, floor, exclusive]`.
 */
import type { KernelResult, Upstream } from "../kernel";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { contiguousRows } from "./contiguous";
import { LAYOUT_HEADER } from "./layout";

/**
 * `[rows, n, tOffset, pOffset]` when the similarity is taken along the last axis of
 * C-contiguous yTrue and yPred of one shape and dtype (see `contiguousRows`), else `null`.
 */
export function contiguousLastAxis(yTrue: Tensor, yPred: Tensor, axis: number, dtype: DType): Int32Array | null {
  if (axis !== -1 && axis !== yPred.rank - 1) return null;
  return contiguousRows(yTrue, yPred, dtype);
}

/**
 * The contiguous path of the kernel: values, and with an upstream the gradient, written
 * into the caller's `out` (every position is written, so it is not zeroed first) or a new array.
 */
export function contiguousCosine(yTrue: Tensor, yPred: Tensor, dtype: DType, upstream: Upstream | undefined, geo: Int32Array, floor: number): KernelResult {
  const rows = geo[0]!, size = rows * geo[1]!;
  const td = yTrue.data.subarray(geo[2]!, geo[2]! + size), pd = yPred.data.subarray(geo[3]!, geo[3]! + size);
  const outShape = yPred.shape.slice(0, -1);
  const out = allocate(dtype, rows);
  const params = Float64Array.of(floor);
  const f32 = out instanceof Float32Array;
  if (!upstream) {
    if (f32) cosineValues32(out, td as Float32Array, pd as Float32Array, geo, params);
    else cosineValues64(out, td as Float64Array, pd as Float64Array, geo, params);
    return { values: new Tensor(out, outShape) };
  }
  const given = upstream(outShape);
  const u = given instanceof Float64Array ? given : Float64Array.from(given);
  const gd = upstream.out ?? allocate(dtype, size);
  if (f32) cosineFused32(out, gd as Float32Array, u, td as Float32Array, pd as Float32Array, geo, params);
  else cosineFused64(out as Float64Array, gd as Float64Array, u, td as Float64Array, pd as Float64Array, geo, params);
  return { values: new Tensor(out, outShape), grad: new Tensor(gd, yPred.shape) };
}

export function cosineValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, floor = params[0]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let tt0 = 0, tt1 = 0, pp0 = 0, pp1 = 0, tp0 = 0, tp1 = 0, tp2 = 0, tp3 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      tt0 += a0 * a0 + a2 * a2;
      tt1 += a1 * a1 + a3 * a3;
      pp0 += b0 * b0 + b2 * b2;
      pp1 += b1 * b1 + b3 * b3;
      tp0 += a0 * b0;
      tp1 += a1 * b1;
      tp2 += a2 * b2;
      tp3 += a3 * b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      tt0 += a * a;
      pp0 += b * b;
      tp0 += a * b;
    }
    out[r] = cosineValue(tp0 + tp1 + tp2 + tp3, tt0 + tt1, pp0 + pp1, floor);
  }
}

export function cosineValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, floor = params[0]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let tt0 = 0, tt1 = 0, pp0 = 0, pp1 = 0, tp0 = 0, tp1 = 0, tp2 = 0, tp3 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      tt0 += a0 * a0 + a2 * a2;
      tt1 += a1 * a1 + a3 * a3;
      pp0 += b0 * b0 + b2 * b2;
      pp1 += b1 * b1 + b3 * b3;
      tp0 += a0 * b0;
      tp1 += a1 * b1;
      tp2 += a2 * b2;
      tp3 += a3 * b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      tt0 += a * a;
      pp0 += b * b;
      tp0 += a * b;
    }
    out[r] = cosineValue(tp0 + tp1 + tp2 + tp3, tt0 + tt1, pp0 + pp1, floor);
  }
}

export function cosineFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, floor = params[0]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let tt0 = 0, tt1 = 0, pp0 = 0, pp1 = 0, tp0 = 0, tp1 = 0, tp2 = 0, tp3 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      tt0 += a0 * a0 + a2 * a2;
      tt1 += a1 * a1 + a3 * a3;
      pp0 += b0 * b0 + b2 * b2;
      pp1 += b1 * b1 + b3 * b3;
      tp0 += a0 * b0;
      tp1 += a1 * b1;
      tp2 += a2 * b2;
      tp3 += a3 * b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      tt0 += a * a;
      pp0 += b * b;
      tp0 += a * b;
    }
    const dot = tp0 + tp1 + tp2 + tp3, tt = tt0 + tt1, pp = pp0 + pp1;
    out[r] = cosineValue(dot, tt, pp, floor);
    const linear = cosineLinear(tt, pp, u[r]!, floor), radial = cosineRadial(dot, tt, pp, u[r]!, floor);
    // The row is still in cache: g = linear · t + radial · p.
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      gd[i] = linear * td[i]! + radial * pd[i]!;
      gd[i + 1] = linear * td[i + 1]! + radial * pd[i + 1]!;
      gd[i + 2] = linear * td[i + 2]! + radial * pd[i + 2]!;
      gd[i + 3] = linear * td[i + 3]! + radial * pd[i + 3]!;
    }
    for (let k = n - (n & 3); k < n; k++) gd[o + k] = linear * td[o + k]! + radial * pd[o + k]!;
  }
}

export function cosineFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array, params: Float64Array): void {
  const rows = geo[0]!, n = geo[1]!, floor = params[0]!;
  for (let r = 0, o = 0; r < rows; r++, o += n) {
    let tt0 = 0, tt1 = 0, pp0 = 0, pp1 = 0, tp0 = 0, tp1 = 0, tp2 = 0, tp3 = 0;
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      const a0 = td[i]!, a1 = td[i + 1]!, a2 = td[i + 2]!, a3 = td[i + 3]!;
      const b0 = pd[i]!, b1 = pd[i + 1]!, b2 = pd[i + 2]!, b3 = pd[i + 3]!;
      tt0 += a0 * a0 + a2 * a2;
      tt1 += a1 * a1 + a3 * a3;
      pp0 += b0 * b0 + b2 * b2;
      pp1 += b1 * b1 + b3 * b3;
      tp0 += a0 * b0;
      tp1 += a1 * b1;
      tp2 += a2 * b2;
      tp3 += a3 * b3;
    }
    for (let k = n - (n & 3); k < n; k++) {
      const a = td[o + k]!, b = pd[o + k]!;
      tt0 += a * a;
      pp0 += b * b;
      tp0 += a * b;
    }
    const dot = tp0 + tp1 + tp2 + tp3, tt = tt0 + tt1, pp = pp0 + pp1;
    out[r] = cosineValue(dot, tt, pp, floor);
    const linear = cosineLinear(tt, pp, u[r]!, floor), radial = cosineRadial(dot, tt, pp, u[r]!, floor);
    for (let k = 0; k < n - (n & 3); k += 4) {
      const i = o + k;
      gd[i] = linear * td[i]! + radial * pd[i]!;
      gd[i + 1] = linear * td[i + 1]! + radial * pd[i + 1]!;
      gd[i + 2] = linear * td[i + 2]! + radial * pd[i + 2]!;
      gd[i + 3] = linear * td[i + 3]! + radial * pd[i + 3]!;
    }
    for (let k = n - (n & 3); k < n; k++) gd[o + k] = linear * td[o + k]! + radial * pd[o + k]!;
  }
}

/**
 * The general loop: rows of `packRows` (strides, offsets, broadcast yTrue or yPred), summed
 * in the contiguous loops' order, the sums of squares scaled by `trueScale` / `predScale`
 * (see `normScales` in ./cosine.ts), and with `gd` the gradient written (`exclusive`) or
 * added (a broadcast yPred: rows share gradient positions; `gd` is zeroed).
 */
export function cosineStrided(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, rows = out.length;
  const trueScale = params[0]!, predScale = params[1]!, floor = params[2]!, exclusive = params[3] === 1;
  for (let r = 0; r < rows; r++) {
    let to = layout[LAYOUT_HEADER + r]!, po = layout[LAYOUT_HEADER + rows + r]!;
    let tt0 = 0, tt1 = 0, pp0 = 0, pp1 = 0, tp0 = 0, tp1 = 0, tp2 = 0, tp3 = 0;
    for (let k = 0; k < n - (n & 3); k += 4, to += 4 * ts, po += 4 * ps) {
      const a0 = td[to]!, a1 = td[to + ts]!, a2 = td[to + 2 * ts]!, a3 = td[to + 3 * ts]!;
      const b0 = pd[po]!, b1 = pd[po + ps]!, b2 = pd[po + 2 * ps]!, b3 = pd[po + 3 * ps]!;
      tt0 += a0 * a0 + a2 * a2;
      tt1 += a1 * a1 + a3 * a3;
      pp0 += b0 * b0 + b2 * b2;
      pp1 += b1 * b1 + b3 * b3;
      tp0 += a0 * b0;
      tp1 += a1 * b1;
      tp2 += a2 * b2;
      tp3 += a3 * b3;
    }
    for (let k = n - (n & 3); k < n; k++, to += ts, po += ps) {
      const a = td[to]!, b = pd[po]!;
      tt0 += a * a;
      pp0 += b * b;
      tp0 += a * b;
    }
    // Keras normalizes each tensor over its own shape: a broadcast one counts its norm once.
    const dot = tp0 + tp1 + tp2 + tp3, tt = (tt0 + tt1) * trueScale, pp = (pp0 + pp1) * predScale;
    out[r] = cosineValue(dot, tt, pp, floor);
    if (!gd) continue;
    const linear = cosineLinear(tt, pp, u![r]!, floor), radial = cosineRadial(dot, tt, pp, u![r]!, floor) * predScale;
    to = layout[LAYOUT_HEADER + r]!;
    po = layout[LAYOUT_HEADER + rows + r]!;
    let go = layout[LAYOUT_HEADER + 2 * rows + r]!;
    if (exclusive) for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) gd[go] = linear * td[to]! + radial * pd[po]!;
    else for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) gd[go] += linear * td[to]! + radial * pd[po]!;
  }
}

/**
 * `-dot / (sqrt(max(tt, floor)) sqrt(max(pp, floor)))`: Keras's `l2_normalize` clamps each
 * sum of squares at `epsilon²`; `Math.max` keeps a NaN sum NaN, as `tf.maximum` does. Once per row.
 */
function cosineValue(dot: number, tt: number, pp: number, floor: number): number {
  return -dot / (Math.sqrt(Math.max(tt, floor)) * Math.sqrt(Math.max(pp, floor)));
}

/** `d value / d p_k = linear · t_k + radial · p_k`, times the upstream `u`: the coefficient of `t_k`. */
function cosineLinear(tt: number, pp: number, u: number, floor: number): number {
  return (-u / Math.sqrt(Math.max(tt, floor))) / Math.sqrt(Math.max(pp, floor));
}

/**
 * The coefficient of `p_k` (before the predScale of a broadcast yPred): `u dot / (|t| |p|³)`.
 * `maximum(pp, floor)` passes the gradient to `pp` where `pp >= floor` (TensorFlow's tie
 * rule), so below the clamp the norm is a constant and this is 0; a NaN `pp` is not clamped,
 * so the row's gradient is NaN. Once per row: a predicted branch.
 */
function cosineRadial(dot: number, tt: number, pp: number, u: number, floor: number): number {
  if (pp < floor) return 0;
  const invPred = 1 / Math.sqrt(Math.max(pp, floor));
  return ((u * dot) / Math.sqrt(Math.max(tt, floor))) * invPred * invPred * invPred;
}
