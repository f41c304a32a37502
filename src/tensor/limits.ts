import { ShapeError } from "../errors";

/**
 * Bounds on what losskit accepts, checked before any work so that hostile input (a nested
 * array 10,000 levels deep, a shape of a million dimensions) costs an error, not a stack
 * overflow or a quadratic scan.
 */

/** Most dimensions a tensor may have: NumPy's limit (`NPY_MAXDIMS`). */
export const MAX_RANK = 64;

/**
 * Most elements a tensor, or anything computed from its shape, may have: `2^31 - 1`, so
 * every offset fits the `Int32Array`s the kernels index with. A shape is checked with its
 * zero dimensions left out (`[2^20, 2^20, 0]` is refused: reducing its last axis would
 * give 2^40 values), and so is a broadcast of two shapes.
 */
export const MAX_SIZE = 2 ** 31 - 1;

/** Throw a `ShapeError` unless `count` elements (of `what`) fit {@link MAX_SIZE}. */
export function checkSize(count: number, what: string): void {
  if (!(count <= MAX_SIZE)) throw tooLarge(count, what);
}

function tooLarge(count: number, what: string): ShapeError {
  return new ShapeError(`${what} would have ${count} elements; at most ${MAX_SIZE} (2^31 - 1) are supported`);
}

/** The product of the non-zero dimensions of a shape (1 for `[]`). */
export function nonZeroSize(shape: readonly number[]): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 0) size *= shape[i]!;
  return size;
}
