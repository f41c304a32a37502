import { Tensor } from "./tensor";
import { moveAxis, normalizeAxis } from "./views";

/**
 * A tensor seen as `rows` rows of `length` elements along one axis: element `k` of row
 * `r` is `data[offsets[r] + k * stride]`. This is what every reduce-along-an-axis kernel
 * loops over; it works for any strides (views, broadcasts, channels-first axes) and costs
 * one `Int32Array` of `rows` entries.
 */
export interface Rows {
  readonly data: Tensor["data"];
  readonly rows: number;
  readonly length: number;
  readonly offsets: Int32Array;
  readonly stride: number;
  /** The shape without the reduced axis: the shape of the per-row results. */
  readonly outerShape: number[];
}

export function rowsOf(t: Tensor, axis: number): Rows {
  const a = normalizeAxis(axis, t.rank);
  if (a === t.shape.length - 1 && t.isContiguous) {
    // The last axis of C-contiguous data: row r starts at offset + r·length (no view to build).
    const length = t.shape[a]!;
    const outerShape = t.shape.slice(0, -1);
    const rows = length === 0 ? outerShape.reduce((p, d) => p * d, 1) : t.size / length;
    const offsets = new Int32Array(rows);
    for (let r = 0, o = t.offset; r < rows; r++, o += length) offsets[r] = o;
    return { data: t.data, rows, length, offsets, stride: 1, outerShape };
  }
  const moved = moveAxis(t, a, -1);
  const outerShape = moved.shape.slice(0, -1);
  const outerStrides = moved.strides.slice(0, -1);
  const length = moved.shape[moved.rank - 1]!;
  const stride = moved.strides[moved.rank - 1]!;
  const rows = length === 0 ? outerShape.reduce((p, d) => p * d, 1) : t.size / length;
  const offsets = new Int32Array(rows);
  fillOuterOffsets(offsets, outerShape, outerStrides, moved.offset);
  return { data: t.data, rows, length, offsets, stride, outerShape };
}

/** Offsets of every element of the outer (C-order) index space. */
export function fillOuterOffsets(offsets: Int32Array, shape: readonly number[], strides: readonly number[], base: number): void {
  const n = offsets.length;
  if (n === 0) return;
  const rank = shape.length;
  if (rank === 0) {
    offsets[0] = base;
    return;
  }
  const last = rank - 1;
  const lastDim = shape[last]!;
  const lastStride = strides[last]!;
  const index = new Array<number>(rank).fill(0);
  let position = base;
  let k = 0;
  for (;;) {
    for (let i = 0; i < lastDim; i++) offsets[k++] = position + i * lastStride;
    let axis = last - 1;
    while (axis >= 0) {
      index[axis]!++;
      position += strides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      position -= index[axis]! * strides[axis]!;
      index[axis] = 0;
      axis--;
    }
    if (axis < 0 || k >= n) return;
  }
}

/** Offsets of every element of `t` in C order (for elementwise kernels over arbitrary views). */
export function elementOffsets(t: Tensor): Int32Array {
  const offsets = new Int32Array(t.size);
  fillOuterOffsets(offsets, t.shape, t.strides, t.offset);
  return offsets;
}
