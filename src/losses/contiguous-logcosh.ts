/**
 * LogCosh's loops (the kernel is `logCosh` in ./regression.ts): the contiguous fast path
 * (yTrue and yPred C-contiguous with one shape: one running index, the gradient written) and
 * the general strided path, with float32 and float64 loops apart on the fast path
 * (src/losses/README.md).
 */
import type { KernelResult, Upstream } from "../kernel";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { gradientBuffer, LAYOUT_HEADER, meanOver } from "./layout";
import { expm1f, log1pUnitf } from "../math/fastmath";

/** The contiguous path of the kernel: values, and with `upstream` the fused gradient (`geo` from contiguousRows). */
export function logCoshContiguous(yTrue: Tensor, yPred: Tensor, dtype: DType, upstream: Upstream | undefined, geo: Int32Array): KernelResult {
  const f32 = dtype === "float32";
  const outShape = yPred.shape.slice(0, -1);
  const out = allocate(dtype, geo[0]!);
  if (!upstream) {
    if (f32) logCoshValues32(out as Float32Array, yTrue.data as Float32Array, yPred.data as Float32Array, geo);
    else logCoshValues64(out as Float64Array, yTrue.data as Float64Array, yPred.data as Float64Array, geo);
    return { values: new Tensor(out, outShape) };
  }
  const given = upstream(outShape);
  const u = given instanceof Float64Array ? given : Float64Array.from(given);
  const gd = gradientBuffer(upstream, dtype, yPred.size);
  if (f32) logCoshFused32(out as Float32Array, gd as Float32Array, u, yTrue.data as Float32Array, yPred.data as Float32Array, geo);
  else logCoshFused64(out as Float64Array, gd as Float64Array, u, yTrue.data as Float64Array, yPred.data as Float64Array, geo);
  return { values: new Tensor(out, outShape), grad: new Tensor(gd, yPred.shape) };
}

// The LogCosh loops. Per element, with a = |e| and m = exp(-2a) - 1 (the one exp):
//   log(cosh(e)) = a + log1p(1 + m) - log 2,   d/de = tanh(e) = -sign(e) m / (2 + m),
// sign(e) as +(e > 0) - +(e < 0) (a conditional on random errors is a mispredicted branch).
// expm1, not exp: 1 - exp(-2a) would lose the relative accuracy of tanh for small errors
// (Math.tanh's, which the gradient had before). NaN errors give NaN values and gradients,
// infinite ones |e| - log 2 and ±1, as the plain formulas do. float32 loops use expm1f and
// log1pUnitf (../math/fastmath, float32-accurate and ~3x faster than Math.*), float64 loops
// Math.*.
//
// One element per iteration and one accumulator: V8 inlines at most 920 bytes of bytecode
// into a function (--max-inlined-bytecode-size-cumulative), and expf (287) and log1pUnitf
// (133) unrolled by 4 exceed it, so some calls stay calls (58 ms against 42 for this loop,
// W4); the exp and log dominate, so the add chain is not the limit. The contiguous loops and
// the general (strided) logCoshRows sum the same terms in the same order, so a view and its
// contiguous copy agree to the bit. A row's mean is clamped at 0: a + log1p(x) - log 2 rounds
// to about -1e-14 at e = 0, and a loss must not go below 0 (NaN stays NaN).

/** `geo` from contiguousRows: `[rows, n, tOffset, pOffset]`. */
function logCoshValues32(out: Float32Array, td: Float32Array, pd: Float32Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, dt = geo[2]! - geo[3]!;
  let j = geo[3]!;
  for (let r = 0; r < rows; r++) {
    let sum = 0, k = 0;
    for (; k < n - (n & 1); k += 2, j += 2) {
      const a0 = Math.abs(pd[j]! - td[j + dt]!), a1 = Math.abs(pd[j + 1]! - td[j + dt + 1]!);
      const v0 = a0 + log1pUnitf(1 + expm1f(-2 * a0)) - Math.LN2, v1 = a1 + log1pUnitf(1 + expm1f(-2 * a1)) - Math.LN2;
      sum += v0;
      sum += v1;
    }
    if (k < n) {
      const a = Math.abs(pd[j]! - td[j + dt]!);
      sum += a + log1pUnitf(1 + expm1f(-2 * a)) - Math.LN2;
      j++;
    }
    out[r] = Math.max(0, sum / n);
  }
}

function logCoshValues64(out: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, dt = geo[2]! - geo[3]!;
  let j = geo[3]!;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++, j++) {
      const a = Math.abs(pd[j]! - td[j + dt]!);
      sum += a + Math.log1p(1 + Math.expm1(-2 * a)) - Math.LN2;
    }
    out[r] = Math.max(0, sum / n);
  }
}

/** Values and the gradient `u[r] tanh(e) / n`, written into `gd` (laid out like yPred, offset 0). */
function logCoshFused32(out: Float32Array, gd: Float32Array, u: Float64Array, td: Float32Array, pd: Float32Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, dt = geo[2]! - geo[3]!, p0 = geo[3]!;
  let j = p0;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    let sum = 0, k = 0;
    for (; k < n - (n & 1); k += 2, j += 2) {
      const e0 = pd[j]! - td[j + dt]!, a0 = Math.abs(e0), m0 = expm1f(-2 * a0);
      const e1 = pd[j + 1]! - td[j + dt + 1]!, a1 = Math.abs(e1), m1 = expm1f(-2 * a1);
      const v0 = a0 + log1pUnitf(1 + m0) - Math.LN2, v1 = a1 + log1pUnitf(1 + m1) - Math.LN2;
      sum += v0;
      sum += v1;
      gd[j - p0] = (scale * (+(e0 < 0) - +(e0 > 0)) * m0) / (2 + m0);
      gd[j - p0 + 1] = (scale * (+(e1 < 0) - +(e1 > 0)) * m1) / (2 + m1);
    }
    if (k < n) {
      const e = pd[j]! - td[j + dt]!, a = Math.abs(e), m = expm1f(-2 * a);
      sum += a + log1pUnitf(1 + m) - Math.LN2;
      gd[j - p0] = (scale * (+(e < 0) - +(e > 0)) * m) / (2 + m);
      j++;
    }
    out[r] = Math.max(0, sum / n);
  }
}

function logCoshFused64(out: Float64Array, gd: Float64Array, u: Float64Array, td: Float64Array, pd: Float64Array, geo: Int32Array): void {
  const rows = geo[0]!, n = geo[1]!, dt = geo[2]! - geo[3]!, p0 = geo[3]!;
  let j = p0;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    let sum = 0;
    for (let k = 0; k < n; k++, j++) {
      const e = pd[j]! - td[j + dt]!, a = Math.abs(e), m = Math.expm1(-2 * a);
      sum += a + Math.log1p(1 + m) - Math.LN2;
      gd[j - p0] = (scale * (+(e < 0) - +(e > 0)) * m) / (2 + m);
    }
    out[r] = Math.max(0, sum / n);
  }
}

/**
 * The general path (strided rows, broadcasting, rank alignment): the same terms in the same
 * order as the contiguous loops, and with `gd` the gradient, written, or accumulated (`+=`)
 * when `accumulate` is 1 (a broadcast yPred shares positions; `gd` comes zeroed). Takes only
 * typed arrays and numbers (see src/losses/README.md).
 */
export function logCoshRows(out: FloatArray, gd: FloatArray | null, u: Float64Array | null, td: FloatArray, pd: FloatArray, layout: Int32Array, accumulate: number): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = u ? u[r]! / n : 0;
    let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0;
    for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
      const e = pd[po]! - td[to]!, a = Math.abs(e);
      const m = f32 ? expm1f(-2 * a) : Math.expm1(-2 * a);
      sum += a + (f32 ? log1pUnitf(1 + m) : Math.log1p(1 + m)) - Math.LN2;
      if (gd) {
        const d = (scale * (+(e < 0) - +(e > 0)) * m) / (2 + m);
        if (accumulate === 1) gd[go] += d;
        else gd[go] = d;
      }
    }
    out[r] = Math.max(0, meanOver(sum, n));
  }
}
