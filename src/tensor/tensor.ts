import { ConfigError, InputError, describeValue, formatShape } from "../errors";
import { checkShape, checkStrides } from "./shape";
import { checkSize } from "./limits";

/** Element types a `Tensor` can hold. */
export type DType = "float32" | "float64";
export type FloatArray = Float32Array | Float64Array;

/** C-order (row-major) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis]!;
  }
  return strides;
}

export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? "float64" : "float32";
}

export function allocate(dtype: DType, size: number): FloatArray {
  checkSize(size, "a result");
  return dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
}

/**
 * A strided view over a `Float32Array` or `Float64Array`: element `[i0, i1, …]` lives at
 * `data[offset + i0 * strides[0] + i1 * strides[1] + …]`. Views share `data`; nothing in
 * losskit writes into a tensor it did not allocate.
 */
export class Tensor {
  readonly data: FloatArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly size: number;

  constructor(data: FloatArray, shape: readonly number[], strides?: readonly number[], offset = 0) {
    const dims = checkShape(shape, "Tensor");
    this.data = data;
    this.shape = dims;
    this.strides = strides === undefined ? contiguousStrides(dims) : checkStrides(strides, dims.length, "Tensor", dims);
    this.offset = offset;
    this.size = shapeSize(dims);
    if (data !== SHAPE_ONLY) checkLayout(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** True when the elements are `data[offset … offset + size)` in C order. */
  get isContiguous(): boolean {
    let step = 1;
    for (let axis = this.shape.length - 1; axis >= 0; axis--) {
      const dim = this.shape[axis]!;
      if (dim !== 1 && this.strides[axis] !== step) return false;
      step *= dim;
    }
    return true;
  }

  /** The element at a multi-index (bounds-checked). */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new InputError(`get() expects ${this.shape.length} indices for shape ${formatShape(this.shape)}, received ${index.length}`);
    }
    let position = this.offset;
    for (let axis = 0; axis < index.length; axis++) {
      const i = index[axis]!;
      const dim = this.shape[axis]!;
      if (!Number.isInteger(i) || i < 0 || i >= dim) {
        throw new InputError(`get() index ${describeValue(i)} is out of range for axis ${axis} of size ${dim}`);
      }
      position += i * this.strides[axis]!;
    }
    return this.data[position]!;
  }

  /** The single value of a tensor of size 1. */
  item(): number {
    if (this.size !== 1) {
      throw new InputError(`item() needs a tensor of size 1, received shape ${formatShape(this.shape)}`);
    }
    return this.data[this.offset]!;
  }

  /** Nested JS arrays (a number for rank 0). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[this.offset]!;
    const build = (axis: number, base: number): NestedArray => {
      const dim = this.shape[axis]!;
      const stride = this.strides[axis]!;
      const out = new Array<NestedArray>(dim);
      if (axis === this.shape.length - 1) {
        for (let i = 0; i < dim; i++) out[i] = this.data[base + i * stride]!;
      } else {
        for (let i = 0; i < dim; i++) out[i] = build(axis + 1, base + i * stride);
      }
      return out;
    };
    return build(0, this.offset);
  }

  /** The elements in C order as a new typed array of this tensor's dtype (or `dtype`). */
  toTypedArray(dtype: DType = this.dtype): FloatArray {
    if (dtype !== "float32" && dtype !== "float64") {
      throw new ConfigError(`toTypedArray: dtype must be "float32" or "float64", received ${describeValue(dtype)}`);
    }
    const out = allocate(dtype, this.size);
    if (this.isContiguous && dtype === this.dtype) {
      out.set(this.data.subarray(this.offset, this.offset + this.size));
      return out;
    }
    let k = 0;
    forEachOffset(this, (position) => {
      out[k++] = this.data[position]!;
    });
    return out;
  }

  toString(): string {
    return `Tensor(${this.dtype}, shape=${formatShape(this.shape)})`;
  }
}

export type NestedArray = number | NestedArray[];

/**
 * Data for tensors that only describe a layout (shape and strides, e.g. to compute
 * offsets of a broadcast); such a tensor is never read. Internal.
 */
export const SHAPE_ONLY: FloatArray = new Float64Array(0);

/**
 * A view must stay inside its data: O(rank), so every constructor can afford it. Without
 * it an out-of-range read would silently give `undefined` → NaN.
 */
function checkLayout(t: Tensor): void {
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
    throw new InputError(`Tensor data must be a Float32Array or Float64Array, received ${t.data === null ? "null" : typeof t.data === "object" ? (t.data as object).constructor?.name ?? "an object" : typeof t.data}; use tensor(x) to convert other inputs`);
  }
  // Shape and strides were checked by the constructor (checkShape, checkStrides).
  if (typeof t.offset !== "number" || !Number.isInteger(t.offset)) throw new InputError(`Tensor offset must be an integer, received ${describeValue(t.offset)}`);
  const rank = t.shape.length;
  let low = t.offset;
  let high = t.offset;
  for (let axis = 0; axis < rank; axis++) {
    const reach = (t.shape[axis]! - 1) * t.strides[axis]!;
    if (reach < 0) low += reach;
    else high += reach;
  }
  if (t.size > 0 && (low < 0 || high >= t.data.length)) {
    throw new InputError(
      `Tensor of shape ${formatShape(t.shape)} (strides [${t.strides.join(",")}], offset ${t.offset}) reaches outside its data of length ${t.data.length}`,
    );
  }
}

/** Visit the data offset of every element in C order (not for hot loops). */
export function forEachOffset(t: Tensor, visit: (position: number) => void): void {
  if (t.size === 0) return;
  const rank = t.shape.length;
  if (rank === 0) {
    visit(t.offset);
    return;
  }
  const index = new Array<number>(rank).fill(0);
  let position = t.offset;
  const last = rank - 1;
  const lastDim = t.shape[last]!;
  const lastStride = t.strides[last]!;
  for (;;) {
    for (let i = 0; i < lastDim; i++) visit(position + i * lastStride);
    let axis = last - 1;
    while (axis >= 0) {
      index[axis]!++;
      position += t.strides[axis]!;
      if (index[axis]! < t.shape[axis]!) break;
      position -= index[axis]! * t.strides[axis]!;
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) return;
  }
}
