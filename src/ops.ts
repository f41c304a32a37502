/**
 * A small set of tensor operations for writing custom losses, named after `keras.ops`:
 * elementwise arithmetic with NumPy broadcasting, `log`, `exp`, `clip`, `where`,
 * comparisons, and `sum` / `mean` / `max` / `min` / `logsumexp` over axes.
 *
 * - two arguments, broadcast: `add`, `subtract`, `multiply`, `divide`, `pow` (`power`),
 *   `maximum`, `minimum`, `greater`, `less`, `equal`
 * - one argument: `negative`, `square`, `sqrt`, `abs` (`absolute`), `log`, `exp`,
 *   `log1p`, `softplus`, `sigmoid`
 * - three arguments, broadcast: `clip(x, xMin, xMax)`, `where(condition, x1, x2)`
 * - over axes (`axis`: a number, a list, or omitted for all; `keepdims`): `sum`, `mean`,
 *   `max`, `min`, `logsumexp`
 * - views: `expandDims(x, axis)`
 *
 * ```ts
 * import { Loss, ops, type Tensor } from "losskit";
 * class CustomMSE extends Loss {
 *   call(yTrue: Tensor, yPred: Tensor) {
 *     return ops.mean(ops.square(ops.subtract(yTrue, yPred)), -1);
 *   }
 * }
 * new CustomMSE()([[0, 1], [0, 0]], [[1, 1], [1, 0]]); // 0.5
 * ```
 *
 * Every op accepts any `TensorLike`, never writes into its inputs, and returns a new
 * contiguous `Tensor`. The result is float64 when an input tensor (or typed array) is
 * float64, float32 otherwise; plain numbers and nested arrays do not decide the dtype (as
 * Python scalars in NumPy), and are read at full precision. Each op is one pass over its
 * output, computing in JS doubles and rounding once on store: for `+ - * /` and `sqrt`
 * that gives exactly the float32 result Keras computes. Comparisons return 0/1 in the
 * result dtype (there is no boolean dtype). The ops have no gradients: a custom loss
 * that wants `grad()` implements `backward` (which may use these ops too).
 *
 * @module
 */
import { ConfigError, LossError, ShapeError, describeValue, formatShape } from "./errors";
import { toTensor, type TensorLike } from "./tensor/convert";
import { Tensor, allocate, shapeSize, type DType, type FloatArray } from "./tensor/tensor";
import { broadcastTo, expandDims as expandDimsView, normalizeAxis, tryBroadcastShapes } from "./tensor/views";
import { fillOuterOffsets, rowsOf } from "./tensor/rows";

/** An axis, a list of axes (negative counts from the end), or `null`/`undefined` for all axes. */
export type Axis = number | readonly number[] | null | undefined;

// ---------------------------------------------------------------------------------------
// Conversion, dtype and element access

function isFloat64Input(x: unknown): boolean {
  if (x instanceof Tensor) return x.dtype === "float64";
  if (x instanceof Float64Array) return true;
  if (x !== null && typeof x === "object" && !Array.isArray(x) && !ArrayBuffer.isView(x)) {
    return (x as { data?: unknown }).data instanceof Float64Array;
  }
  return false;
}

/** float64 when a tensor-valued input is float64; plain numbers and nested arrays are weak. */
function resultDtype(...xs: unknown[]): DType {
  for (const x of xs) if (isFloat64Input(x)) return "float64";
  return "float32";
}

/**
 * Convert an op argument; conversion errors keep their class and gain the op's name.
 * Values that are not tensors yet are read in float64 so that no precision is lost
 * before the op computes (the result dtype is decided separately).
 */
function input(op: string, name: string, x: TensorLike, dtype: DType = "float64"): Tensor {
  try {
    return toTensor(x, { name, dtype });
  } catch (error) {
    if (error instanceof LossError) {
      const Kind = error.constructor as new (message: string) => LossError;
      throw new Kind(`ops.${op}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * One argument seen as rows of the output: element `k` of output row `r` (output index
 * `r * len + k`) is `d[off[r] + k * s]`. Broadcast axes have stride 0, so every op reads
 * any view in one tight loop per row.
 */
interface Strided {
  readonly d: FloatArray;
  readonly off: Int32Array;
  readonly s: number;
}

interface Elementwise {
  args: Strided[];
  rows: number;
  len: number;
  out: FloatArray;
  shape: number[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** Convert, broadcast and lay out the arguments of an elementwise op over its output. */
function elementwise(op: string, names: readonly string[], inputs: readonly TensorLike[], dtype: DType): Elementwise {
  const tensors = inputs.map((x, k) => input(op, names[k]!, x));
  let shape: number[] | null = tensors[0]!.shape.slice();
  for (let k = 1; k < tensors.length && shape; k++) shape = tryBroadcastShapes(shape, tensors[k]!.shape);
  if (!shape) {
    const parts = names.map((name, k) => `${name} has shape ${formatShape(tensors[k]!.shape)}`);
    const described = parts.length === 2 ? parts.join(" but ") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
    throw new ShapeError(`ops.${op}: ${described}, and they do not broadcast together (NumPy rules: aligned from the right, each dimension equal or 1)`);
  }
  const size = shapeSize(shape);
  const out = allocate(dtype, size);
  // Contiguous arguments of the output's shape and single values: one row over everything.
  if (shape.length === 0 || tensors.every((t) => t.size === 1 || (t.isContiguous && sameShape(t.shape, shape!)))) {
    const args = tensors.map((t) => ({ d: t.data, off: Int32Array.of(t.offset), s: t.size === 1 ? 0 : 1 }));
    return { args, rows: 1, len: size, out, shape };
  }
  const args = tensors.map((t, k) => {
    const rows = rowsOf(broadcastTo(t, shape!, names[k]), -1);
    return { d: rows.data, off: rows.offsets, s: rows.stride };
  });
  return { args, rows: args[0]!.off.length, len: shape[shape.length - 1]!, out, shape };
}

function unary(op: string, x: TensorLike): Elementwise {
  return elementwise(op, ["x"], [x], resultDtype(x));
}

function binary(op: string, x1: TensorLike, x2: TensorLike): Elementwise {
  return elementwise(op, ["x1", "x2"], [x1, x2], resultDtype(x1, x2));
}

// ---------------------------------------------------------------------------------------
// Elementwise, two arguments (NumPy broadcasting). Each op is one loop per output row.

/** `x1 + x2`, elementwise with broadcasting. */
export function add(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("add", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = ad[p]! + bd[q]!;
  }
  return new Tensor(out, shape);
}

/** `x1 - x2`, elementwise with broadcasting. */
export function subtract(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("subtract", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = ad[p]! - bd[q]!;
  }
  return new Tensor(out, shape);
}

/** `x1 * x2`, elementwise with broadcasting. */
export function multiply(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("multiply", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = ad[p]! * bd[q]!;
  }
  return new Tensor(out, shape);
}

/** `x1 / x2` (true division; `x / 0` is `±Infinity` or `NaN`, as in NumPy). */
export function divide(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("divide", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = ad[p]! / bd[q]!;
  }
  return new Tensor(out, shape);
}

/**
 * `x1 ** x2`, elementwise (`keras.ops.power`). Follows C's `pow` where JavaScript's
 * differs: `1 ** NaN` and `1 ** ±Infinity` are 1. A negative base with a non-integer
 * exponent gives `NaN`.
 */
export function pow(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("pow", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) {
      const base = ad[p]!;
      out[i++] = base === 1 ? 1 : Math.pow(base, bd[q]!);
    }
  }
  return new Tensor(out, shape);
}

/** `keras.ops.power`: the same as {@link pow}. */
export const power = pow;

/** The larger of `x1` and `x2`, elementwise; `NaN` if either is `NaN`. */
export function maximum(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("maximum", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = Math.max(ad[p]!, bd[q]!);
  }
  return new Tensor(out, shape);
}

/** The smaller of `x1` and `x2`, elementwise; `NaN` if either is `NaN`. */
export function minimum(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("minimum", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = Math.min(ad[p]!, bd[q]!);
  }
  return new Tensor(out, shape);
}

/** `x1 > x2` as 1/0 (0 where either is `NaN`). */
export function greater(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("greater", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = ad[p]! > bd[q]! ? 1 : 0;
  }
  return new Tensor(out, shape);
}

/** `x1 < x2` as 1/0 (0 where either is `NaN`). */
export function less(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("less", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = ad[p]! < bd[q]! ? 1 : 0;
  }
  return new Tensor(out, shape);
}

/** `x1 == x2` as 1/0 (0 where either is `NaN`). */
export function equal(x1: TensorLike, x2: TensorLike): Tensor {
  const { args: [a, b], rows, len, out, shape } = binary("equal", x1, x2);
  const ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, p += as, q += bs) out[i++] = ad[p]! === bd[q]! ? 1 : 0;
  }
  return new Tensor(out, shape);
}

// ---------------------------------------------------------------------------------------
// Elementwise, one argument

/** `-x`. */
export function negative(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("negative", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) out[i++] = -d[p]!;
  return new Tensor(out, shape);
}

/** `x * x`. */
export function square(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("square", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) out[i++] = d[p]! * d[p]!;
  return new Tensor(out, shape);
}

/** `√x` (`NaN` for negative `x`). */
export function sqrt(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("sqrt", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) out[i++] = Math.sqrt(d[p]!);
  return new Tensor(out, shape);
}

/** `|x|`. */
export function abs(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("abs", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) out[i++] = Math.abs(d[p]!);
  return new Tensor(out, shape);
}

/** `keras.ops.absolute`: the same as {@link abs}. */
export const absolute = abs;

/** Natural logarithm (`-Infinity` at 0, `NaN` below). */
export function log(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("log", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) out[i++] = Math.log(d[p]!);
  return new Tensor(out, shape);
}

/** `e^x`. */
export function exp(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("exp", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) out[i++] = Math.exp(d[p]!);
  return new Tensor(out, shape);
}

/** `log(1 + x)`, accurate for small `x`. */
export function log1p(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("log1p", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) out[i++] = Math.log1p(d[p]!);
  return new Tensor(out, shape);
}

/** `log(1 + e^x)`, computed as `max(x, 0) + log1p(e^-|x|)` so that it never overflows. */
export function softplus(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("softplus", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) {
      const v = d[p]!;
      out[i++] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
  }
  return new Tensor(out, shape);
}

/** `1 / (1 + e^-x)`, without overflow for large `|x|`. */
export function sigmoid(x: TensorLike): Tensor {
  const { args: [a], rows, len, out, shape } = unary("sigmoid", x);
  const d = a!.d, s = a!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!; k < len; k++, p += s) {
      const v = d[p]!;
      if (v >= 0) {
        out[i++] = 1 / (1 + Math.exp(-v));
      } else {
        const e = Math.exp(v);
        out[i++] = e / (1 + e);
      }
    }
  }
  return new Tensor(out, shape);
}

// ---------------------------------------------------------------------------------------
// Elementwise, three arguments

/**
 * `x` limited to `[xMin, xMax]`: `minimum(maximum(x, xMin), xMax)`, as NumPy's and
 * Keras's `clip` (so `xMax` wins when `xMin > xMax`; `NaN` stays `NaN`). The bounds may
 * be numbers or tensors that broadcast against `x`.
 */
export function clip(x: TensorLike, xMin: TensorLike, xMax: TensorLike): Tensor {
  const { args: [a, lo, hi], rows, len, out, shape } = elementwise("clip", ["x", "xMin", "xMax"], [x, xMin, xMax], resultDtype(x, xMin, xMax));
  const ad = a!.d, as = a!.s, ld = lo!.d, ls = lo!.s, hd = hi!.d, hs = hi!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, p = a!.off[r]!, q = lo!.off[r]!, w = hi!.off[r]!; k < len; k++, p += as, q += ls, w += hs) {
      out[i++] = Math.min(Math.max(ad[p]!, ld[q]!), hd[w]!);
    }
  }
  return new Tensor(out, shape);
}

/**
 * `x1` where `condition` is non-zero (true), `x2` elsewhere; all three broadcast
 * together. `NaN` counts as true, as in NumPy.
 */
export function where(condition: TensorLike, x1: TensorLike, x2: TensorLike): Tensor {
  if (x1 === undefined || x2 === undefined) {
    throw new ConfigError("ops.where needs three arguments (condition, x1, x2); the one-argument form (indices of non-zero elements) is not supported");
  }
  const { args: [c, a, b], rows, len, out, shape } = elementwise("where", ["condition", "x1", "x2"], [condition, x1, x2], resultDtype(x1, x2));
  const cd = c!.d, cs = c!.s, ad = a!.d, as = a!.s, bd = b!.d, bs = b!.s;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0, w = c!.off[r]!, p = a!.off[r]!, q = b!.off[r]!; k < len; k++, w += cs, p += as, q += bs) {
      out[i++] = cd[w]! !== 0 ? ad[p]! : bd[q]!;
    }
  }
  return new Tensor(out, shape);
}

/** A view of `x` with a dimension of size 1 inserted at `axis` (no copy for tensors). */
export function expandDims(x: TensorLike, axis: number): Tensor {
  const t = input("expandDims", "x", x, resultDtype(x));
  return expandDimsView(t, checkAxisValue("expandDims", axis, t.rank + 1));
}

// ---------------------------------------------------------------------------------------
// Reductions over axes

function checkAxisValue(op: string, axis: unknown, rank: number): number {
  if (typeof axis !== "number") throw new ConfigError(`ops.${op}: axis must be an integer, received ${describeValue(axis)}`);
  return normalizeAxis(axis, rank, `ops.${op}: axis`);
}

/** Sorted, distinct, non-negative axes; `null`/`undefined` means every axis. */
function resolveAxes(op: string, axis: Axis, rank: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: rank }, (_, k) => k);
  if (typeof axis === "number") return [checkAxisValue(op, axis, rank)];
  if (!Array.isArray(axis)) {
    throw new ConfigError(`ops.${op}: axis must be an integer, a list of integers or null, received ${describeValue(axis)}`);
  }
  const axes = (axis as readonly unknown[]).map((a) => checkAxisValue(op, a, rank));
  const sorted = [...axes].sort((p, q) => p - q);
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k] === sorted[k - 1]) throw new ShapeError(`ops.${op}: axis [${(axis as readonly number[]).join(",")}] names axis ${sorted[k]} twice`);
  }
  return sorted;
}

/**
 * A tensor split into the part that is kept (`outer`, one offset per result element, C
 * order) and the part that is reduced (`inner`, offsets relative to an outer offset).
 */
interface ReduceLayout {
  d: FloatArray;
  outer: Int32Array;
  inner: Int32Array;
  out: FloatArray;
  shape: number[];
}

function reduceLayout(op: string, x: TensorLike, axis: Axis, keepdims: unknown): ReduceLayout {
  if (keepdims !== undefined && typeof keepdims !== "boolean") {
    throw new ConfigError(`ops.${op}: keepdims must be a boolean, received ${describeValue(keepdims)}`);
  }
  const t = input(op, "x", x);
  const axes = resolveAxes(op, axis, t.rank);
  const reduced = new Set(axes);
  const keptShape: number[] = [], keptStrides: number[] = [], innerShape: number[] = [], innerStrides: number[] = [];
  for (let k = 0; k < t.rank; k++) {
    (reduced.has(k) ? innerShape : keptShape).push(t.shape[k]!);
    (reduced.has(k) ? innerStrides : keptStrides).push(t.strides[k]!);
  }
  const outer = new Int32Array(shapeSize(keptShape));
  fillOuterOffsets(outer, keptShape, keptStrides, t.offset);
  const inner = new Int32Array(shapeSize(innerShape));
  fillOuterOffsets(inner, innerShape, innerStrides, 0);
  const shape = keepdims ? t.shape.map((d, k) => (reduced.has(k) ? 1 : d)) : keptShape;
  return { d: t.data, outer, inner, out: allocate(resultDtype(x), outer.length), shape };
}

/**
 * Sum over `axis` (an axis, a list of axes, or every axis when omitted); `keepdims`
 * keeps the reduced axes with size 1. The sum of nothing is 0.
 *
 * @example
 * ops.sum([[1, 2], [3, 4]], -1).toArray() // [3, 7]
 */
export function sum(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const { d, outer, inner, out, shape } = reduceLayout("sum", x, axis, keepdims);
  const n = inner.length;
  for (let r = 0; r < outer.length; r++) {
    const o = outer[r]!;
    let acc = 0;
    for (let k = 0; k < n; k++) acc += d[o + inner[k]!]!;
    out[r] = acc;
  }
  return new Tensor(out, shape);
}

/**
 * Mean over `axis` (every axis when omitted); `keepdims` keeps the reduced axes with
 * size 1. The mean of nothing is `NaN`, as in NumPy.
 *
 * @example
 * ops.mean([[1, 2], [3, 5]], -1).toArray() // [1.5, 4]
 */
export function mean(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const { d, outer, inner, out, shape } = reduceLayout("mean", x, axis, keepdims);
  const n = inner.length;
  for (let r = 0; r < outer.length; r++) {
    const o = outer[r]!;
    let acc = 0;
    for (let k = 0; k < n; k++) acc += d[o + inner[k]!]!;
    out[r] = acc / n;
  }
  return new Tensor(out, shape);
}

function checkNotEmpty(op: string, layout: ReduceLayout): void {
  if (layout.inner.length === 0 && layout.outer.length > 0) {
    throw new ShapeError(`ops.${op}: cannot reduce over an empty axis (the reduced part has shape size 0, and ${op} has no identity)`);
  }
}

/** Maximum over `axis` (every axis when omitted); `NaN` if the reduced values hold one. */
export function max(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const layout = reduceLayout("max", x, axis, keepdims);
  checkNotEmpty("max", layout);
  const { d, outer, inner, out, shape } = layout;
  for (let r = 0; r < outer.length; r++) out[r] = rowMax(d, outer[r]!, inner);
  return new Tensor(out, shape);
}

/** Minimum over `axis` (every axis when omitted); `NaN` if the reduced values hold one. */
export function min(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const layout = reduceLayout("min", x, axis, keepdims);
  checkNotEmpty("min", layout);
  const { d, outer, inner, out, shape } = layout;
  for (let r = 0; r < outer.length; r++) {
    const o = outer[r]!;
    let best = Infinity;
    for (let k = 0; k < inner.length; k++) {
      const v = d[o + inner[k]!]!;
      if (v !== v) {
        best = NaN;
        break;
      }
      if (v < best) best = v;
    }
    out[r] = best;
  }
  return new Tensor(out, shape);
}

function rowMax(d: FloatArray, o: number, inner: Int32Array): number {
  let best = -Infinity;
  for (let k = 0; k < inner.length; k++) {
    const v = d[o + inner[k]!]!;
    if (v !== v) return NaN;
    if (v > best) best = v;
  }
  return best;
}

/**
 * `log(Σ e^x)` over `axis` (every axis when omitted), shifted by the maximum so that it
 * neither overflows nor underflows: `m + log(Σ e^(x - m))`. All `-Infinity` gives
 * `-Infinity`, any `+Infinity` gives `+Infinity`, and nothing gives `-Infinity`.
 *
 * @example
 * ops.logsumexp([1000, 1000]).item() // 1000.6931
 */
export function logsumexp(x: TensorLike, axis?: Axis, keepdims = false): Tensor {
  const { d, outer, inner, out, shape } = reduceLayout("logsumexp", x, axis, keepdims);
  for (let r = 0; r < outer.length; r++) {
    const o = outer[r]!;
    const m = rowMax(d, o, inner);
    if (m !== m || m === Infinity || m === -Infinity) {
      out[r] = m;
      continue;
    }
    let acc = 0;
    for (let k = 0; k < inner.length; k++) acc += Math.exp(d[o + inner[k]!]! - m);
    out[r] = m + Math.log(acc);
  }
  return new Tensor(out, shape);
}
