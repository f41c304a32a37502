/**
 * The SIMD route of the exp/log loss kernels: when `enableSimd()` has made the WebAssembly
 * kernels active, the dtype is float32, the reduction axis is the last one, and yTrue and yPred
 * are C-contiguous float32 tensors of the same shape, a kernel hands its rows to the matching
 * src/simd entry point instead of its JavaScript loop. Otherwise (or when the entry point says
 * it did not run) the kernel runs its JavaScript loop, unchanged. Each call records the path it
 * took for `simdStatus().lastRun`.
 */
import type { KernelResult, Upstream } from "../kernel";
import { Tensor, allocate, type DType } from "../tensor/tensor";
import { activeExports, noteRun } from "../simd/runtime";
import { contiguousRows } from "./contiguous";
import { gradientBuffer } from "./layout";

/** The signature of the src/simd entry points (`simdLogCosh`, `simdBinaryCrossentropy`, …). */
export type SimdEntry<O> = (
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: O,
) => boolean;

/** A loss's SIMD route: its name (for `simdStatus().lastRun`) and the entry point. */
export interface SimdRoute<O> {
  loss: string;
  entry: SimdEntry<O>;
}

/**
 * Whether SIMD may run for `dtype` and `axis` (the cheap checks); records the JavaScript path
 * and returns false when not.
 */
export function simdEligible(loss: string, dtype: DType, axis: number, rank: number): boolean {
  if (activeExports() === null) {
    noteRun(loss, "javascript", "SIMD is not active");
    return false;
  }
  if (dtype !== "float32") {
    noteRun(loss, "javascript", "dtype is float64");
    return false;
  }
  if (axis !== -1 && axis !== rank - 1) {
    noteRun(loss, "javascript", "the reduction axis is not the last one");
    return false;
  }
  return true;
}

/**
 * Runs `route` on contiguous same-shape float32 yTrue and yPred reduced over the last axis,
 * values and (with `upstream`) the gradient; `null` when SIMD cannot run (the caller runs its
 * JavaScript kernel). A per-call wrapper: the WebAssembly call does the per-element work.
 */
export function runSimdRoute<O>(route: SimdRoute<O>, yTrue: Tensor, yPred: Tensor, dtype: DType, axis: number, upstream: Upstream | undefined, options?: O): KernelResult | null {
  if (!simdEligible(route.loss, dtype, axis, yPred.rank)) return null;
  const geo = contiguousRows(yTrue, yPred, dtype);
  if (!geo) {
    noteRun(route.loss, "javascript", "yTrue and yPred are not contiguous float32 tensors of one shape");
    return null;
  }
  const rows = geo[0]!, n = geo[1]!, size = rows * n;
  const td = (yTrue.data as Float32Array).subarray(geo[2]!, geo[2]! + size);
  const pd = (yPred.data as Float32Array).subarray(geo[3]!, geo[3]! + size);
  const outShape = yPred.shape.slice(0, -1);
  const out = allocate(dtype, rows) as Float32Array;
  if (!upstream) {
    if (!route.entry(td, pd, rows, n, out, null, null, options)) return null;
    noteRun(route.loss, "simd", "SIMD kernel");
    return { values: new Tensor(out, outShape) };
  }
  const gd = gradientBuffer(upstream, dtype, yPred.size) as Float32Array;
  const u = upstream(outShape);
  if (!route.entry(td, pd, rows, n, out, gd, u, options)) return null;
  noteRun(route.loss, "simd", "SIMD kernel");
  return { values: new Tensor(out, outShape), grad: new Tensor(gd, yPred.shape) };
}
