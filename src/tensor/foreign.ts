import { InputError, ShapeError, describeValue, formatShape } from "../errors";

/**
 * A TensorFlow.js tensor, or anything shaped like one: losskit reads it through the
 * object's own `dataSync()`, `shape` and `dtype`, without importing TensorFlow.js. On the
 * CPU backend `dataSync()` returns the tensor's own buffer, so a float32 tensor becomes a
 * zero-copy view (losskit never writes to inputs); on GPU backends it is a synchronous
 * download.
 */
export interface TfjsTensorLike {
  readonly shape: readonly number[];
  readonly dtype: string;
  dataSync(): ArrayLike<number>;
  readonly isDisposed?: boolean;
}

/** Element types whose values are numbers. */
const NUMERIC_DTYPES = new Set(["float32", "int32", "bool"]);

/** Whether `x` is read as a TensorFlow.js tensor: a `dataSync()` method, a `shape` array and a `dtype` string. */
export function isForeignTensor(x: unknown): x is TfjsTensorLike {
  if (typeof x !== "object" || x === null) return false;
  const candidate = x as Record<string, unknown>;
  return typeof candidate.dataSync === "function" && Array.isArray(candidate.shape) && typeof candidate.dtype === "string";
}

/**
 * The values of a TensorFlow.js tensor: its `dataSync()` typed array (flat, row-major,
 * `x.shape`), checked; `LossError`s name the argument `name`.
 */
export function readForeignTensor(x: TfjsTensorLike, name: string): Float32Array | Int32Array | Uint8Array {
  if (x.isDisposed === true) throw new InputError(`${name} is a disposed TensorFlow.js tensor`);
  if (!NUMERIC_DTYPES.has(x.dtype)) {
    throw new InputError(`${name} is a TensorFlow.js tensor of dtype ${describeValue(x.dtype)}; expected float32, int32 or bool`);
  }
  const shape = Array.from(x.shape);
  let data: unknown;
  try {
    data = x.dataSync();
  } catch (error) {
    throw new InputError(`${name}.dataSync() failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new InputError(`${name}.dataSync() returned ${describeValue(data)}; expected a typed array`);
  }
  const length = (data as unknown as ArrayLike<number>).length;
  let size = 1;
  for (const dim of shape) size *= dim;
  if (length !== size) {
    throw new ShapeError(`${name} has shape ${formatShape(shape)} (${size} elements) but its dataSync() returned ${length} values`);
  }
  return data as Float32Array | Int32Array | Uint8Array;
}
