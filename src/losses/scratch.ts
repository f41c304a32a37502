/**
 * Arrays reused across calls by the contiguous kernels (./contiguous.ts) for what a call
 * needs only until it returns: per-row values that are summed at once, and a repeated
 * upstream. JavaScript runs one call at a time and the loops call nothing outside, so one
 * array per purpose (and dtype) is enough; each grows to at most {@link SCRATCH_LIMIT}.
 */
import { allocate, type DType, type FloatArray } from "../tensor/tensor";

/** Largest scratch kept between calls (elements): larger batches allocate per call. */
export const SCRATCH_LIMIT = 1 << 16;
let scratch32 = /*#__PURE__*/ new Float32Array(0);
let scratch64 = /*#__PURE__*/ new Float64Array(0);

let upstream64 = /*#__PURE__*/ new Float64Array(0);

/** `n` copies of `c` in an array reused across calls (`n` ≤ {@link SCRATCH_LIMIT}). */
export function upstreamScratch(n: number, c: number): Float64Array {
  if (upstream64.length < n) upstream64 = new Float64Array(Math.max(n, 1024));
  upstream64.fill(c, 0, n);
  return upstream64;
}

/** A per-dtype array of at least `n` elements, reused across calls up to {@link SCRATCH_LIMIT}. */
export function scratch(dtype: DType, n: number): FloatArray {
  if (n > SCRATCH_LIMIT) return allocate(dtype, n);
  if (dtype === "float32") {
    if (scratch32.length < n) scratch32 = new Float32Array(Math.max(n, 1024));
    return scratch32;
  }
  if (scratch64.length < n) scratch64 = new Float64Array(Math.max(n, 1024));
  return scratch64;
}
