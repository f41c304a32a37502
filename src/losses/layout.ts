import { ShapeError, formatShape } from "../errors";
import { sameShape } from "../math/constants";
import { squeezeOrExpandToSameRank } from "../reduction/rank";
import { rowsOf, type Rows } from "../tensor/rows";
import type { Upstream } from "../kernel";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { broadcastTo, expandDims, squeeze, tryBroadcastShapes } from "../tensor/views";

/**
 * yTrue and yPred lined up as Keras's elementwise losses line them up:
 * `squeeze_or_expand_to_same_rank`, then broadcasting. `alignLikePred` applies the same
 * view changes to any tensor shaped like the original yPred (the gradient buffer).
 */
export interface AlignedPair {
  yTrue: Tensor;
  yPred: Tensor;
  shape: number[];
  alignLikePred(t: Tensor): Tensor;
}

export function alignPair(yTrue: Tensor, yPred: Tensor): AlignedPair {
  if (sameShape(yTrue.shape, yPred.shape)) return { yTrue, yPred, shape: yPred.shape.slice(), alignLikePred: (x) => x };
  const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
  const shape = tryBroadcastShapes(t.shape, p.shape);
  if (!shape) {
    throw new ShapeError(`yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected equal or broadcastable shapes`);
  }
  const predRankChange = p.rank - yPred.rank;
  return {
    yTrue: broadcastTo(t, shape, "yTrue"),
    yPred: broadcastTo(p, shape, "yPred"),
    shape,
    alignLikePred(x: Tensor): Tensor {
      let v = x;
      if (predRankChange === 1) v = expandDims(v, -1);
      else if (predRankChange === -1) v = squeeze(v, -1);
      return broadcastTo(v, shape, "yPred");
    },
  };
}

/** yTrue, yPred (and optionally a gradient buffer) as rows along `axis`. */
export interface PairRows {
  t: Rows;
  p: Rows;
  /** Shape of the per-row results. */
  outShape: number[];
  /** Rows of the zero-filled gradient buffer, laid out like the original yPred; kernels add into it with `+=`. */
  g?: Rows;
  grad?: Tensor;
  /**
   * True when yPred was not broadcast: every gradient position belongs to exactly one
   * (row, k) pair, so kernels may write (`=`) instead of accumulating (`+=`).
   */
  exclusive?: boolean;
}

/**
 * Rows for a loss that reduces along `axis` after Keras's alignment. With `gradData` (from
 * `gradientBuffer`), a
 * zeroed gradient buffer shaped like the original `yPred` comes along, seen through the
 * same alignment: broadcast positions get stride 0, so kernels must accumulate (`+=`)
 * unless `exclusive` says no position is shared.
 */
export function pairRows(yTrue: Tensor, yPred: Tensor, axis: number, gradData?: FloatArray): PairRows {
  const aligned = alignPair(yTrue, yPred);
  const rank = aligned.shape.length;
  if (rank === 0) {
    throw new ShapeError(`yTrue and yPred are scalars (shape []); this loss reduces over axis ${axis} and needs inputs with at least 1 dimension`);
  }
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`axis=${axis} is out of range for yPred of shape ${formatShape(aligned.shape)} (expected an integer in [${-rank}, ${rank - 1}])`);
  }
  const t = rowsOf(aligned.yTrue, axis);
  const p = rowsOf(aligned.yPred, axis);
  if (!gradData) return { t, p, outShape: p.outerShape };
  const grad = new Tensor(gradData, yPred.shape);
  const g = rowsOf(aligned.alignLikePred(grad), axis);
  return { t, p, outShape: p.outerShape, g, grad, exclusive: p.rows * p.length === yPred.size };
}

/** Length of the header of a packed rows layout (see {@link packRows}). */
export const LAYOUT_HEADER = 5;

/**
 * The layout of one rows pass, packed into one `Int32Array` so that a loop function takes
 * only typed arrays and numbers (see src/losses/README.md):
 * `[n, tStride, pStride, gStride, f32, tOffsets…, pOffsets…, gOffsets…]`, with `rows`
 * offsets each (`n` elements per row; `f32` is 1 for float32 loops). A loop reads
 * `layout[LAYOUT_HEADER + r]` (yTrue), `[LAYOUT_HEADER + rows + r]` (yPred) and
 * `[LAYOUT_HEADER + 2 rows + r]` (gradient). `t` may be `null` (sparse labels).
 */
export function packRows(f32: boolean, t: Rows | null, p: Rows, g?: Rows | null): Int32Array {
  const rows = p.rows;
  const layout = new Int32Array(LAYOUT_HEADER + 3 * rows);
  layout[0] = p.length;
  layout[1] = t ? t.stride : 0;
  layout[2] = p.stride;
  layout[3] = g ? g.stride : 0;
  layout[4] = f32 ? 1 : 0;
  if (t) layout.set(t.offsets, LAYOUT_HEADER);
  layout.set(p.offsets, LAYOUT_HEADER + rows);
  if (g) layout.set(g.offsets, LAYOUT_HEADER + 2 * rows);
  return layout;
}

/**
 * The buffer a kernel writes its gradient into: the caller's `out` (zeroed, for kernels that
 * accumulate) when `valueAndGrad(…, { out })` gave one, else a new zeroed array. A kernel
 * that writes every position passes `zeroed: false` and gets the caller's buffer as it is.
 */
export function gradientBuffer(upstream: Upstream, dtype: DType, size: number, zeroed = true): FloatArray {
  const out = upstream.out;
  if (out) return zeroed ? out.fill(0) : out;
  return allocate(dtype, size);
}

/**
 * `sum / n`, the mean of a row of `n` elements, and 0 for an empty row: a mean over no
 * elements is 0 (as Keras's `divide_no_nan` makes an empty batch 0), not 0/0 = NaN, so
 * `meanSquaredError([], [])` agrees with a `[0, 3]` batch.
 */
export function meanOver(sum: number, n: number): number {
  return n === 0 ? 0 : sum / n;
}
