import { ConfigError, InputError, ShapeError, describeValue, formatShape } from "../errors";
import { checkDtype, checkOptionsObject } from "../options";
import { Tensor, allocate, contiguousStrides, shapeSize, type DType, type FloatArray } from "./tensor";
import { isForeignTensor, readForeignTensor, type TfjsTensorLike } from "./foreign";
import { checkShape, checkStrides } from "./shape";
import { MAX_RANK } from "./limits";

/** Anything losskit accepts as a tensor. */
export type TensorLike =
  | number
  | boolean
  | NestedNumbers
  | ArrayLike<number>
  | BigInt64Array
  | BigUint64Array
  | Tensor
  | NdarrayLike
  | TfjsTensorLike;

export type NestedNumbers = ReadonlyArray<number | boolean | NestedNumbers | ArrayLike<number>>;

/**
 * The layout of scijs `ndarray` (`stride`) and `@stdlib/ndarray` (`strides`): a view
 * `data[offset + Σ index[k] * stride[k]]`.
 */
export interface NdarrayLike {
  data: ArrayLike<number>;
  shape: ArrayLike<number>;
  stride?: ArrayLike<number>;
  strides?: ArrayLike<number>;
  offset?: number;
}

export interface ToTensorOptions {
  /** Used in error messages: `yPred[2][1] is a string`. */
  name?: string;
  /** Element type when a new array has to be made (nested arrays, integer typed arrays). Default `"float32"`. */
  dtype?: DType;
  /** Shape for flat typed arrays or flat number arrays. */
  shape?: readonly number[];
}

function isFloatArray(x: unknown): x is FloatArray {
  return x instanceof Float32Array || x instanceof Float64Array;
}

function isNdarrayLike(x: unknown, name: string): x is NdarrayLike {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const candidate = x as Record<string, unknown>;
  if (candidate.data === undefined || candidate.shape === undefined) return false;
  if (typeof candidate.data === "function" || typeof candidate.dataSync === "function") {
    throw new InputError(`${name} looks like a TensorFlow.js tensor, which losskit does not read directly; pass tensor(x.dataSync(), x.shape) (or x.arraySync())`);
  }
  const isArrayLike = (v: unknown) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (!isArrayLike(candidate.data)) throw new InputError(`${name}.data must be an array or a typed array, received ${describeValue(candidate.data)}`);
  if (!isArrayLike(candidate.shape)) throw new ShapeError(`${name}.shape must be an array of dimensions, received ${describeValue(candidate.shape)}`);
  return true;
}

/** Check a shape (non-negative integers) and return it as a plain `number[]`; a `ShapeError` naming `name` otherwise. */
export function validateShape(shape: ArrayLike<number>, name: string): number[] {
  return checkShape(shape, name);
}

/**
 * Convert `x` to a `Tensor`. A `Tensor` is returned as it is; `Float32Array`,
 * `Float64Array` and ndarray-like objects over them become views without copying; nested
 * arrays and integer typed arrays are copied into a new `Float32Array` (or `dtype`).
 */
export function toTensor(x: TensorLike, options: ToTensorOptions = {}): Tensor {
  checkOptionsObject(options, "toTensor options");
  if (options.name !== undefined && typeof options.name !== "string") throw new ConfigError(`toTensor option name must be a string, received ${describeValue(options.name)}`);
  const name = options.name ?? "input";
  const dtype = checkDtype(options.dtype) ?? "float32";
  if (x instanceof Tensor) {
    if (options.shape) return reshapeChecked(x, options.shape, name);
    return x;
  }
  if (typeof x === "number" || typeof x === "boolean") {
    const data = allocate(dtype, 1);
    data[0] = Number(x);
    const t = new Tensor(data, []);
    return options.shape ? reshapeChecked(t, options.shape, name) : t;
  }
  if (ArrayBuffer.isView(x)) {
    if (x instanceof DataView) throw new InputError(`${name} must be a number, a nested array, a typed array or a Tensor, received a DataView`);
    const flat = x as unknown as ArrayLike<number>;
    const shape = options.shape ? validateShape(options.shape, name) : [flat.length];
    if (shapeSize(shape) !== flat.length) {
      throw new ShapeError(`${name} has ${flat.length} elements, which does not fit shape ${formatShape(shape)} (${shapeSize(shape)} elements)`);
    }
    if (isFloatArray(x)) return new Tensor(x, shape);
    return new Tensor(copyNumbers(flat, dtype, name), shape);
  }
  if (isForeignTensor(x)) return toTensor(readForeignTensor(x, name), { ...options, shape: options.shape ?? x.shape });
  if (isNdarrayLike(x, name)) return fromNdarray(x, dtype, name, options.shape);
  if (Array.isArray(x)) {
    const t = fromNested(x as NestedNumbers, dtype, name);
    return options.shape ? reshapeChecked(t, options.shape, name) : t;
  }
  throw new InputError(`${name} must be a number, a nested array, a typed array, an ndarray-like object or a Tensor, received ${describeValue(x)}`);
}

/** `tensor(x, shape?, dtype?)`: the same as `toTensor(x, { shape, dtype })`. */
export function tensor(x: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  return toTensor(x, { shape, dtype });
}

function reshapeChecked(t: Tensor, shape: readonly number[], name: string): Tensor {
  const dims = validateShape(shape, name);
  if (shapeSize(dims) !== t.size) {
    throw new ShapeError(`${name} has ${t.size} elements, which does not fit shape ${formatShape(dims)} (${shapeSize(dims)} elements)`);
  }
  if (!t.isContiguous) return new Tensor(t.toTypedArray(), dims);
  return new Tensor(t.data, dims, undefined, t.offset);
}

function copyNumbers(source: ArrayLike<number | bigint>, dtype: DType, name: string): FloatArray {
  const out = allocate(dtype, source.length);
  for (let i = 0; i < source.length; i++) {
    const value = source[i];
    if (typeof value === "bigint") out[i] = Number(value);
    else if (typeof value === "number") out[i] = value;
    else if (typeof value === "boolean") out[i] = value ? 1 : 0;
    else throw new InputError(`${name}[${i}] is ${describeValue(value)}, expected a number`);
  }
  return out;
}

function fromNdarray(x: NdarrayLike, dtype: DType, name: string, reshape?: readonly number[]): Tensor {
  const shape = validateShape(x.shape, name);
  const strideSource = x.stride ?? x.strides;
  const strides = strideSource ? checkStrides(strideSource, shape.length, name, shape) : undefined;
  const offset = x.offset ?? 0;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) throw new ShapeError(`${name}.offset must be a non-negative integer, received ${describeValue(offset)}`);
  const effectiveStrides = strides ?? contiguousStrides(shape);
  // Every element must fall inside data.
  if (shapeSize(shape) > 0) {
    let low = offset;
    let high = offset;
    for (let axis = 0; axis < shape.length; axis++) {
      const reach = (shape[axis]! - 1) * effectiveStrides[axis]!;
      if (reach < 0) low += reach;
      else high += reach;
    }
    if (low < 0 || high >= x.data.length) {
      throw new ShapeError(`${name} (shape ${formatShape(shape)}, strides [${effectiveStrides.join(",")}], offset ${offset}) reaches outside its data of length ${x.data.length}`);
    }
  }
  const view = new Tensor(
    isFloatArray(x.data) ? x.data : copyNumbers(x.data as ArrayLike<number>, dtype, `${name}.data`),
    shape,
    effectiveStrides,
    offset,
  );
  return reshape ? reshapeChecked(view, reshape, name) : view;
}

function fromNested(root: NestedNumbers, dtype: DType, name: string): Tensor {
  // Shape from the first element at each depth, then a checked fill.
  // The depth is bounded before the recursive fill: a deeper (or cyclic) array is refused
  // here, not by a stack overflow.
  const shape: number[] = [];
  let probe: unknown = root;
  while (Array.isArray(probe) || (ArrayBuffer.isView(probe) && !(probe instanceof DataView))) {
    if (shape.length === MAX_RANK) {
      throw new ShapeError(`${name} is nested more than ${MAX_RANK} levels deep; at most ${MAX_RANK} dimensions are supported (NumPy's limit)`);
    }
    const list = probe as ArrayLike<unknown>;
    shape.push(list.length);
    if (list.length === 0) break;
    probe = list[0];
  }
  checkShape(shape, name);
  const data = allocate(dtype, shapeSize(shape));
  let k = 0;
  const fill = (node: unknown, depth: number, path: string): void => {
    const list = node as ArrayLike<unknown>;
    if (list.length !== shape[depth]) {
      throw new ShapeError(`${path} has length ${list.length} but ${name}${"[0]".repeat(depth)} has length ${shape[depth]}: nested arrays must be rectangular`);
    }
    const leaf = depth === shape.length - 1;
    for (let i = 0; i < list.length; i++) {
      const child = list[i];
      if (leaf) {
        if (typeof child === "number") data[k++] = child;
        else if (typeof child === "boolean") data[k++] = child ? 1 : 0;
        else if (typeof child === "bigint") data[k++] = Number(child);
        else if (Array.isArray(child) || ArrayBuffer.isView(child)) {
          throw new ShapeError(`${path}[${i}] is an array but ${name}${"[0]".repeat(depth + 1)} is a number: nested arrays must be rectangular`);
        } else {
          throw new InputError(`${path}[${i}] is ${typeof child === "string" ? "a string" : describeValue(child)}, expected a number`);
        }
      } else if (Array.isArray(child) || (ArrayBuffer.isView(child) && !(child instanceof DataView))) {
        fill(child, depth + 1, `${path}[${i}]`);
      } else {
        throw new ShapeError(`${path}[${i}] is ${typeof child === "string" ? "a string" : describeValue(child)} but ${name}${"[0]".repeat(depth + 1)} is an array: nested arrays must be rectangular`);
      }
    }
  };
  if (shape.length > 0 && shapeSize(shape) > 0) fill(root, 0, name);
  else if (shape.length > 0) {
    // An empty dimension: still check that siblings agree on being empty.
    fill(root, 0, name);
  }
  return new Tensor(data, shape);
}
