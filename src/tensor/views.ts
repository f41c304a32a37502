import { ShapeError, describeValue, formatShape } from "../errors";
import { checkTensor } from "../options";
import { checkShape, isArrayOrTypedArray } from "./shape";
import { Tensor, shapeSize } from "./tensor";
import { validateShape } from "./convert";
import { MAX_SIZE, nonZeroSize } from "./limits";

/** Resolve a possibly negative axis against a rank; `name` is used in the error. */
export function normalizeAxis(axis: number, rank: number, name = "axis"): number {
  if (typeof axis !== "number" || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${name}=${describeValue(axis)} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${rank - 1}])`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** A view with a new shape (zero-copy for contiguous data; a copy otherwise). One dimension may be -1. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  checkTensor(t, "reshape: x");
  if (!isArrayOrTypedArray(shape)) throw new ShapeError(`reshape: shape must be an array of dimensions, received ${describeValue(shape)}`);
  // Checked as any shape is, with the one inferred dimension (-1) standing in as 0.
  const requested = Array.from(shape as ArrayLike<unknown>);
  const dims = checkShape(requested.map((d) => (d === -1 ? 0 : d)), "reshape");
  const unknown = requested.indexOf(-1);
  const fail = () => new ShapeError(`cannot reshape a tensor of shape ${formatShape(t.shape)} (${t.size} elements) to ${formatShape(shape)}`);
  if (unknown >= 0) {
    if (requested.indexOf(-1, unknown + 1) >= 0) throw new ShapeError(`reshape takes at most one -1 dimension, received ${formatShape(shape)}`);
    const known = dims.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    const inferred = known === 0 ? 0 : t.size / known;
    if (!Number.isInteger(inferred)) throw fail();
    dims[unknown] = inferred;
  }
  const checked = validateShape(dims, "reshape");
  if (shapeSize(checked) !== t.size) throw fail();
  if (t.isContiguous) return new Tensor(t.data, checked, undefined, t.offset);
  return new Tensor(t.toTypedArray(), checked);
}

/** Remove a dimension of size 1 (or all of them when `axis` is omitted). */
export function squeeze(t: Tensor, axis?: number): Tensor {
  checkTensor(t, "squeeze: x");
  if (axis === undefined) {
    const keep = t.shape.map((d, i) => i).filter((i) => t.shape[i] !== 1);
    return new Tensor(t.data, keep.map((i) => t.shape[i]!), keep.map((i) => t.strides[i]!), t.offset);
  }
  const a = normalizeAxis(axis, t.rank);
  if (t.shape[a] !== 1) {
    throw new ShapeError(`cannot squeeze axis ${axis} of shape ${formatShape(t.shape)}: its size is ${t.shape[a]}, not 1`);
  }
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  shape.splice(a, 1);
  strides.splice(a, 1);
  return new Tensor(t.data, shape, strides, t.offset);
}

/** Insert a dimension of size 1 at `axis` (negative counts from the end of the new shape). */
export function expandDims(t: Tensor, axis: number): Tensor {
  checkTensor(t, "expandDims: x");
  const a = normalizeAxis(axis, t.rank + 1);
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  shape.splice(a, 0, 1);
  strides.splice(a, 0, 0);
  return new Tensor(t.data, shape, strides, t.offset);
}

/** Move dimension `from` to position `to` (a transpose view). */
export function moveAxis(t: Tensor, from: number, to: number): Tensor {
  checkTensor(t, "moveAxis: x");
  const f = normalizeAxis(from, t.rank, "source axis");
  const d = normalizeAxis(to, t.rank, "destination axis");
  if (f === d) return t;
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  const [dim] = shape.splice(f, 1);
  const [stride] = strides.splice(f, 1);
  shape.splice(d, 0, dim!);
  strides.splice(d, 0, stride!);
  return new Tensor(t.data, shape, strides, t.offset);
}

/**
 * NumPy broadcasting of two shapes; `null` when they do not broadcast, a `ShapeError` when
 * the result would have more than `MAX_SIZE` elements.
 */
export function tryBroadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  if (nonZeroSize(out) > MAX_SIZE) {
    throw new ShapeError(`shapes ${formatShape(a)} and ${formatShape(b)} broadcast to ${formatShape(out)}, which has too many elements (at most ${MAX_SIZE}, 2^31 - 1, counting non-zero dimensions)`);
  }
  return out;
}

/** NumPy broadcasting of two shapes, with an error that names both arguments. */
export function broadcastShapes(a: readonly number[], b: readonly number[], nameA = "x", nameB = "y"): number[] {
  const out = tryBroadcastShapes(a, b);
  if (!out) {
    throw new ShapeError(`${nameA} has shape ${formatShape(a)} but ${nameB} has shape ${formatShape(b)}, and they do not broadcast together`);
  }
  return out;
}

/** A view of `t` broadcast to `shape` (stride 0 along repeated dimensions). */
export function broadcastTo(t: Tensor, shape: readonly number[], name = "tensor"): Tensor {
  checkTensor(t, "broadcastTo: x");
  if (typeof name !== "string") name = "tensor";
  // Dimensions are checked by the Tensor made below; a shape that is no array, here.
  if (!Array.isArray(shape)) shape = checkShape(shape, `broadcastTo: ${name}`);
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  const rank = shape.length;
  if (t.rank > rank) throw new ShapeError(`${name} of shape ${formatShape(t.shape)} cannot be broadcast to ${formatShape(shape)}`);
  const strides = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const source = i - (rank - t.rank);
    const dim = source >= 0 ? t.shape[source]! : 1;
    if (dim === shape[i]) strides[i] = source >= 0 ? t.strides[source]! : 0;
    else if (dim === 1) strides[i] = 0;
    else throw new ShapeError(`${name} of shape ${formatShape(t.shape)} cannot be broadcast to ${formatShape(shape)}`);
  }
  return new Tensor(t.data, shape, strides, t.offset);
}
