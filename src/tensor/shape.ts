import { ShapeError, describeValue, formatShape } from "../errors";
import { MAX_RANK, MAX_SIZE } from "./limits";

/** An `Array` or a typed array (not a `DataView`): what losskit reads shapes and strides from. */
export function isArrayOrTypedArray(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/**
 * Check a shape and return it as a plain `number[]`: an array (or typed array) of
 * non-negative integers. Anything else (a string, a Symbol, `NaN`, `1.5`, an object) is a
 * `ShapeError` naming `name`; the dimensions are read with `typeof`, never converted, so
 * no user code (`valueOf`) runs.
 */
export function checkShape(shape: unknown, name: string): number[] {
  if (!isArrayOrTypedArray(shape)) {
    throw new ShapeError(`${name} shape must be an array of dimensions, received ${describeValue(shape)}`);
  }
  const rank = shape.length;
  if (rank > MAX_RANK) {
    throw new ShapeError(`${name} shape has ${rank} dimensions; at most ${MAX_RANK} are supported (NumPy's limit), received ${formatShape(shape as ArrayLike<number>)}`);
  }
  // Every dimension, and the product of the non-zero ones, within MAX_SIZE: then no
  // result computed from this shape (a reduction, a broadcast buffer) can overflow it.
  // Filled with push, so the array stays packed (a holey one slows every later read).
  const out: number[] = [];
  let size = 1;
  for (let axis = 0; axis < rank; axis++) {
    const dim = shape[axis];
    if (typeof dim !== "number" || !Number.isInteger(dim) || dim < 0) {
      throw new ShapeError(`${name} shape must hold non-negative integers, received ${describeValue(dim)} at axis ${axis} of shape ${formatShape(shape as ArrayLike<number>)}`);
    }
    if (dim !== 0) size *= dim;
    if (size > MAX_SIZE) {
      throw new ShapeError(
        `${name} shape ${formatShape(shape as ArrayLike<number>)} has too many elements: the product of its non-zero dimensions reaches ${size}; at most ${MAX_SIZE} (2^31 - 1) are supported`,
      );
    }
    out.push(dim);
  }
  return out;
}

/** Check strides (integers, one per dimension) and return them as a plain `number[]`. */
export function checkStrides(strides: unknown, rank: number, name: string, shape: readonly number[]): number[] {
  if (!isArrayOrTypedArray(strides)) {
    throw new ShapeError(`${name} strides must be an array of integers, received ${describeValue(strides)}`);
  }
  if (strides.length !== rank) {
    throw new ShapeError(`${name} has ${rank} dimensions (shape ${formatShape(shape)}) but ${strides.length} strides`);
  }
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const stride = strides[axis];
    if (typeof stride !== "number" || !Number.isInteger(stride)) {
      throw new ShapeError(`${name} strides must be integers, received ${formatShape(strides as ArrayLike<number>)}`);
    }
    out.push(stride);
  }
  return out;
}
