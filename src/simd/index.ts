/**
 * WebAssembly SIMD kernels for the exp/log losses (LogCosh, binary and categorical
 * crossentropy, their focal variants, sparse categorical crossentropy from logits, KL
 * divergence, Poisson): per-row values and the fused gradient over contiguous row-major float32
 * data, four lanes at a time (src/simd/math.wat, src/simd/losses.wat).
 *
 * Nothing happens at import time. `await enableSimd()` compiles and instantiates the module
 * asynchronously (browsers refuse synchronous compilation of modules over 4 KB on the main
 * thread); until it resolves `true`, and after {@link disableSimd}, every kernel entry point
 * returns `false` without writing anything, and the caller runs the JavaScript kernel.
 * {@link simdStatus} says which path runs and why.
 *
 * Contract shared by every entry point (`simdX(yTrue, yPred, rows, n, out, grad?, upstream?, options?)`):
 * - `yTrue`, `yPred`: `Float32Array`s of exactly `rows * n` elements, row-major (row `r` is
 *   `[r * n, (r + 1) * n)`); for a tensor with an offset pass `data.subarray(offset, offset + size)`.
 *   Never modified.
 * - `rows >= 0`, `n >= 1` integers.
 * - `out`: `Float32Array` or `Float64Array` of exactly `rows` elements, receives the per-row
 *   values (computed in float64, stored with the array's rounding, as the JS kernels do).
 * - `grad` (optional): `Float32Array` of `rows * n` elements, receives `upstream[r] * d value_r / d yPred`
 *   (written, not accumulated: every element is assigned).
 * - `upstream` (optional, only read with `grad`): `Float64Array` or `Float32Array` of `rows`
 *   elements; default all ones (the gradient of the sum of the row values).
 * - Returns `true` when the SIMD kernel computed the result, `false` when SIMD is not active
 *   (nothing written). Invalid arguments throw (`ShapeError`, `InputError`, `ConfigError`) in
 *   either case.
 *
 * Numbers: the per-element terms are float32 (exp/log within 2 float32 ulps), row sums are
 * accumulated in float64 as in the JS kernels; the formulas, clipping constants and special
 * values (NaN, ±Infinity, probabilities at 0 and 1) are those of the JS kernels in
 * `src/losses/*.ts`, which stay the reference. test/simd.test.ts states and checks the bounds.
 *
 * The inputs are copied into WebAssembly memory a block of rows at a time (about 128 KB per
 * array, so that the copies and the kernel stay in the CPU cache), and the results copied out;
 * the memory grows to hold one block (a `RangeError` if a single row cannot fit in it).
 */
import { ConfigError, InputError, ShapeError, describeValue } from "../errors";
import {
  EPSILON_F32, ONE_MINUS_EPSILON_F32, activeExports, begin, booleanOf, checkFloat32, checkOptionsObject, checkOutputs, checkSizes,
  finiteOf, gammaOf, isInteger, labelSmoothingOf, negativeBaseSign, powMode, runBlocks,
} from "./runtime";

export { enableSimd } from "./enable";
export { disableSimd, simdStatus, simdExportsForTesting } from "./runtime";
export type { SimdRun, SimdState, SimdStatus } from "./runtime";

// ---------------------------------------------------------------------------------------------
// Entry points

/** Options of {@link simdBinaryCrossentropy} and its logits and categorical counterparts. */
export interface SimdLabelSmoothingOptions {
  /** In [0, 1]: binary labels become `z = yTrue (1 - s) + 0.5 s`, categorical ones `yTrue (1 - s) + s / n`. Default `0`. */
  labelSmoothing?: number;
}

/**
 * LogCosh per row: `mean(log(cosh(yPred - yTrue)))` over each row of `n`, and the gradient
 * `upstream[r] tanh(yPred - yTrue) / n` (the JS kernel: `logCosh` in src/losses/regression.ts).
 *
 * Shapes: `yTrue`, `yPred`, `grad` `[rows, n]` (flat float32); `out`, `upstream` `[rows]`.
 * Returns `false` (nothing written) when SIMD is not active. Reference: Keras `log_cosh`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float32Array(2);
 * simdLogCosh(new Float32Array([0, 1, 0, 0]), new Float32Array([1, 1, 0, 0]), 2, 2, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.21689, 0]  (Keras log_cosh docs: [0.217, 0])
 */
export function simdLogCosh(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null,
): boolean {
  const ex = begin("simdLogCosh", yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  runBlocks(ex, { yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) => e.logCosh(t, p, g, u, o, m, n) });
  return true;
}

/**
 * Binary crossentropy on probabilities per row:
 * `mean(-(z log c + (1 - z) log(1 - c)))` with `c = clip(yPred, ε, 1 - ε)`, ε = `Math.fround(1e-7)`,
 * `z = yTrue (1 - labelSmoothing) + 0.5 labelSmoothing`; gradient
 * `upstream[r] ((1 - z)/(1 - c) - z/c) / n` where `yPred` is inside `[ε, 1 - ε]`, 0 where clipped
 * or NaN (the JS kernel: `binaryCrossentropy` in src/losses/crossentropy.ts).
 *
 * Options: `labelSmoothing` (default 0). Shapes as {@link simdLogCosh}. Reference: Keras
 * `binary_crossentropy`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(2);
 * simdBinaryCrossentropy(new Float32Array([0, 1, 0, 0]), new Float32Array([0.6, 0.4, 0.4, 0.6]), 2, 2, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.91629, 0.71356]  (Keras docs: [0.916, 0.714])
 */
export function simdBinaryCrossentropy(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdLabelSmoothingOptions,
): boolean {
  const name = "simdBinaryCrossentropy";
  checkOptionsObject(name, options, ["labelSmoothing"]);
  const ls = labelSmoothingOf(name, options?.labelSmoothing);
  const ex = begin(name, yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  const keep = 1 - ls, shift = 0.5 * ls;
  runBlocks(ex, { yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) =>
    e.bce(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32) });
  return true;
}

/**
 * Binary crossentropy from logits per row: `mean(max(x, 0) - x z + log(1 + e^{-|x|}))`,
 * `x = yPred`, `z` the smoothed labels; gradient `upstream[r] (sigmoid(x) - z) / n` (the JS
 * kernel: `binaryCrossentropy(…, { fromLogits: true })`).
 *
 * Options: `labelSmoothing` (default 0). Shapes as {@link simdLogCosh}. Reference: TensorFlow
 * `sigmoid_cross_entropy_with_logits`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(1);
 * simdBinaryCrossentropyFromLogits(new Float32Array([0, 1]), new Float32Array([-18.6, 0.51]), 1, 2, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.23516]  ((log1p(e^-18.6) + log1p(e^-0.51)) / 2)
 */
export function simdBinaryCrossentropyFromLogits(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdLabelSmoothingOptions,
): boolean {
  const name = "simdBinaryCrossentropyFromLogits";
  checkOptionsObject(name, options, ["labelSmoothing"]);
  const ls = labelSmoothingOf(name, options?.labelSmoothing);
  const ex = begin(name, yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  const keep = 1 - ls, shift = 0.5 * ls;
  runBlocks(ex, { yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) => e.bceLogits(t, p, g, u, o, m, n, keep, shift) });
  return true;
}

/** Options of {@link simdBinaryFocalCrossentropy} (Keras `BinaryFocalCrossentropy`'s, same defaults). */
export interface SimdBinaryFocalOptions extends SimdLabelSmoothingOptions {
  /** Weight class 1 by `alpha` and class 0 by `1 - alpha`. Default `false`. */
  applyClassBalancing?: boolean;
  /** Default `0.25`. */
  alpha?: number;
  /** The focusing parameter, >= 0. Default `2`. */
  gamma?: number;
}

/** The arguments of an entry point, as passed (checked by `begin`). */
interface EntryArgs {
  yTrue: Float32Array;
  yPred: Float32Array;
  rows: number;
  n: number;
  out: Float32Array | Float64Array;
  grad: Float32Array | null | undefined;
  upstream: Float64Array | Float32Array | null | undefined;
}

function binaryFocal(name: string, logits: boolean, args: EntryArgs, options: SimdBinaryFocalOptions | undefined): boolean {
  const { yTrue, yPred, rows, n, out, grad, upstream } = args;
  checkOptionsObject(name, options, ["labelSmoothing", "applyClassBalancing", "alpha", "gamma"]);
  const ls = labelSmoothingOf(name, options?.labelSmoothing);
  const gamma = gammaOf(name, options?.gamma);
  const alpha = finiteOf(name, "alpha", options?.alpha, 0.25);
  const balance = booleanOf(name, "applyClassBalancing", options?.applyClassBalancing, false);
  const ex = begin(name, yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  const keep = 1 - ls, shift = 0.5 * ls, gm1 = gamma - 1;
  const gmode = powMode(gamma), gsign = negativeBaseSign(gamma), gm1mode = powMode(gm1), gm1sign = negativeBaseSign(gm1);
  runBlocks(ex, { yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) =>
    e.binaryFocal(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32, logits ? 1 : 0,
      gamma, gmode, gsign, gm1, gm1mode, gm1sign, balance ? 1 : 0, alpha, 1 - alpha) });
  return true;
}

/**
 * Binary focal crossentropy on probabilities per row (Lin et al., 2018):
 * `mean(w (1 - p_t)^gamma bce)` with `1 - p_t = z (1 - p) + (1 - z) p`, `bce` the clipped
 * binary crossentropy term of {@link simdBinaryCrossentropy}, `w = z alpha + (1 - z)(1 - alpha)`
 * with `applyClassBalancing` (else 1); gradient `upstream[r] w (d focal bce + focal d bce) / n`
 * (the JS kernel: `binaryFocalCrossentropy`).
 *
 * Options: `applyClassBalancing` (false), `alpha` (0.25), `gamma` (2), `labelSmoothing` (0).
 * Shapes as {@link simdLogCosh}. Reference: https://arxiv.org/abs/1708.02002, Keras
 * `binary_focal_crossentropy`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(2);
 * simdBinaryFocalCrossentropy(new Float32Array([0, 1, 0, 0]), new Float32Array([0.6, 0.4, 0.4, 0.6]), 2, 2, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.32986, 0.20580]  (Keras docs: [0.330, 0.206])
 */
export function simdBinaryFocalCrossentropy(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdBinaryFocalOptions,
): boolean {
  return binaryFocal("simdBinaryFocalCrossentropy", false, { yTrue, yPred, rows, n, out, grad, upstream }, options);
}

/**
 * Binary focal crossentropy from logits per row: as {@link simdBinaryFocalCrossentropy} with
 * `p = sigmoid(yPred)` and the logits form of the crossentropy term (the JS kernel:
 * `binaryFocalCrossentropy(…, { fromLogits: true })`).
 *
 * Options, shapes and reference as {@link simdBinaryFocalCrossentropy}.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(2);
 * simdBinaryFocalCrossentropyFromLogits(new Float32Array([0, 1, 0, 0]), new Float32Array([-18.6, 0.51, 2.94, -12.8]), 2, 2, out, null, null, { gamma: 3 }); // true  (false: SIMD is not active, nothing written)
 * (out[0] + out[1]) / 2 // 0.6470  (Keras BinaryFocalCrossentropy docs: 0.647)
 */
export function simdBinaryFocalCrossentropyFromLogits(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdBinaryFocalOptions,
): boolean {
  return binaryFocal("simdBinaryFocalCrossentropyFromLogits", true, { yTrue, yPred, rows, n, out, grad, upstream }, options);
}

/**
 * Categorical crossentropy on probabilities per row: `-Σ z log clip(p / Σp, ε, 1 - ε)`,
 * `z = yTrue (1 - labelSmoothing) + labelSmoothing / n`; gradient through the renormalization,
 * 0 through clipped entries (the JS kernel: `categoricalCrossentropy`).
 *
 * Options: `labelSmoothing` (0). Shapes as {@link simdLogCosh} (`n` classes per row).
 * Reference: Keras `categorical_crossentropy`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(2);
 * simdCategoricalCrossentropy(new Float32Array([0, 1, 0, 0, 0, 1]), new Float32Array([0.05, 0.95, 0, 0.1, 0.8, 0.1]), 2, 3, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.05129, 2.30259]  (Keras docs: [0.0513, 2.303])
 */
export function simdCategoricalCrossentropy(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdLabelSmoothingOptions,
): boolean {
  const name = "simdCategoricalCrossentropy";
  checkOptionsObject(name, options, ["labelSmoothing"]);
  const ls = labelSmoothingOf(name, options?.labelSmoothing);
  const ex = begin(name, yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  const keep = 1 - ls, shift = ls / n;
  runBlocks(ex, { yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) =>
    e.cce(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32) });
  return true;
}

/**
 * Categorical crossentropy from logits per row: `Σz · logsumexp(x) - Σ z x` (computed as
 * `(Σz) log Σ e^{x - max} - Σ z (x - max)`), `z` the smoothed labels; gradient
 * `upstream[r] (softmax(x) Σz - z)` (the JS kernel: `categoricalCrossentropy(…, { fromLogits: true })`).
 *
 * Options: `labelSmoothing` (0). Shapes as {@link simdLogCosh} (`n` classes per row).
 * Reference: TensorFlow `softmax_cross_entropy_with_logits`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(1);
 * simdCategoricalCrossentropyFromLogits(new Float32Array([0, 1, 0]), new Float32Array([1, 2, 3]), 1, 3, out); // true  (false: SIMD is not active, nothing written)
 * out // [1.40761]  (logsumexp(1, 2, 3) - 2)
 */
export function simdCategoricalCrossentropyFromLogits(
  yTrue: Float32Array, logits: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdLabelSmoothingOptions,
): boolean {
  const name = "simdCategoricalCrossentropyFromLogits";
  checkOptionsObject(name, options, ["labelSmoothing"]);
  const ls = labelSmoothingOf(name, options?.labelSmoothing);
  const ex = begin(name, yTrue, logits, rows, n, out, grad, upstream);
  if (!ex) return false;
  const keep = 1 - ls, shift = ls / n;
  runBlocks(ex, { yTrue, labels: null, yPred: logits, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) => e.cceLogits(t, p, g, u, o, m, n, keep, shift) });
  return true;
}

/** Options of {@link simdCategoricalFocalCrossentropy} (Keras `CategoricalFocalCrossentropy`'s, same defaults). */
export interface SimdCategoricalFocalOptions extends SimdLabelSmoothingOptions {
  /** One weight for every class, or one per class (`n` values). Default `0.25`. */
  alpha?: number | ArrayLike<number>;
  /** The focusing parameter, >= 0. Default `2`. */
  gamma?: number;
}

function categoricalFocal(name: string, logits: boolean, args: EntryArgs, options: SimdCategoricalFocalOptions | undefined): boolean {
  const { yTrue, yPred, rows, n, out, grad, upstream } = args;
  checkOptionsObject(name, options, ["labelSmoothing", "alpha", "gamma"]);
  const ls = labelSmoothingOf(name, options?.labelSmoothing);
  const gamma = gammaOf(name, options?.gamma);
  const alphaOption = options?.alpha;
  let alphas: ArrayLike<number> | null = null;
  if (alphaOption !== undefined && typeof alphaOption !== "number") {
    if (alphaOption === null || typeof alphaOption !== "object" || typeof (alphaOption as ArrayLike<number>).length !== "number") {
      throw new ConfigError(`${name}: alpha must be a finite number or an array of n = ${n} finite numbers, received ${describeValue(alphaOption)}`);
    }
    alphas = alphaOption;
    if (alphas.length !== n) throw new ShapeError(`${name}: alpha has ${alphas.length} values but the rows have n = ${n} classes`);
    for (let k = 0; k < n; k++) finiteOf(name, `alpha[${k}]`, alphas[k], 0);
  }
  const alpha = typeof alphaOption === "number" ? finiteOf(name, "alpha", alphaOption, 0.25) : 0.25;
  const ex = begin(name, yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  const keep = 1 - ls, shift = ls / n, gm1 = gamma - 1, gmode = powMode(gamma), gm1mode = powMode(gm1);
  // extra memory: the row's exponentials (scratch), the list of vectors with labels, the class weights
  const vectorBytes = ((n + 3) & ~3) * 4 + 16;
  let scratch = 0, list = 0, alphaPtr = 0;
  runBlocks(ex, {
    yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 3 * vectorBytes,
    prepare: (extra, F32) => {
      scratch = extra;
      list = extra + 2 * vectorBytes;
      if (alphas) {
        alphaPtr = extra + vectorBytes;
        for (let k = 0; k < n; k++) F32[(alphaPtr >> 2) + k] = alphas[k]!;
      }
    },
    call: (e, t, p, g, u, o, m) =>
      e.categoricalFocal(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32, logits ? 1 : 0,
        gamma, gmode, gm1, gm1mode, alphaPtr, alpha, scratch, list),
  });
  return true;
}

/**
 * Categorical focal crossentropy on probabilities per row (Lin et al., 2018):
 * `Σ -alpha_k (1 - q_k)^gamma z_k log q_k` with `q = clip(p / Σp, ε, 1 - ε)`, over the classes
 * with `z_k != 0`; gradient through the clip (0 where clipped) and the renormalization (the JS
 * kernel: `categoricalFocalCrossentropy`).
 *
 * Options: `alpha` (0.25, or one per class), `gamma` (2), `labelSmoothing` (0). Shapes as
 * {@link simdLogCosh} (`n` classes per row). Reference: https://arxiv.org/abs/1708.02002, Keras
 * `categorical_focal_crossentropy`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(2);
 * simdCategoricalFocalCrossentropy(new Float32Array([0, 1, 0, 0, 0, 1]), new Float32Array([0.05, 0.9, 0.05, 0.1, 0.85, 0.05]), 2, 3, out); // true  (false: SIMD is not active, nothing written)
 * out // [2.6340e-4, 0.67591]  (Keras docs: [2.63401289e-04, 6.75912094e-01])
 */
export function simdCategoricalFocalCrossentropy(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdCategoricalFocalOptions,
): boolean {
  return categoricalFocal("simdCategoricalFocalCrossentropy", false, { yTrue, yPred, rows, n, out, grad, upstream }, options);
}

/**
 * Categorical focal crossentropy from logits per row: as {@link simdCategoricalFocalCrossentropy}
 * with `p = softmax(yPred)` (the JS kernel: `categoricalFocalCrossentropy(…, { fromLogits: true })`).
 *
 * Options, shapes and reference as {@link simdCategoricalFocalCrossentropy}.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(1);
 * simdCategoricalFocalCrossentropyFromLogits(new Float32Array([0, 1, 0]), new Float32Array([1, 2, 3]), 1, 3, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.20074]  (0.25 (1 - q)^2 (-log q), q = softmax(1, 2, 3)[1])
 */
export function simdCategoricalFocalCrossentropyFromLogits(
  yTrue: Float32Array, logits: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdCategoricalFocalOptions,
): boolean {
  return categoricalFocal("simdCategoricalFocalCrossentropyFromLogits", true, { yTrue, yPred: logits, rows, n, out, grad, upstream }, options);
}

/** Options of {@link simdSparseCategoricalCrossentropyFromLogits}. */
export interface SimdSparseOptions {
  /** A label value marking a row to leave out (value 0, gradient 0), e.g. `-1` or `255`; `null`: none. Default `null`. */
  ignoreClass?: number | null;
}

/**
 * Sparse categorical crossentropy from logits per row: `logsumexp(x) - x_y` with `y = labels[r]`;
 * gradient `upstream[r] (softmax(x) - onehot(y))` (the JS kernel:
 * `sparseCategoricalCrossentropy(…, { fromLogits: true })`).
 *
 * `labels`: `Int32Array` or `Float32Array` of `rows` integers in `[0, n)`, or equal to
 * `ignoreClass` (then the row's value and gradient are 0; the caller handles the mask); any other
 * value throws an `InputError` before anything is written. Other shapes as {@link simdLogCosh}.
 * Options: `ignoreClass` (null). Reference: TensorFlow `sparse_softmax_cross_entropy_with_logits`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(2);
 * simdSparseCategoricalCrossentropyFromLogits(new Int32Array([1, -1]), new Float32Array([1, 2, 3, 0, 0, 0]), 2, 3, out, null, null, { ignoreClass: -1 }); // true  (false: SIMD is not active, nothing written)
 * out // [1.40761, 0]  (logsumexp(1, 2, 3) - 2; the ignored row is 0)
 */
export function simdSparseCategoricalCrossentropyFromLogits(
  labels: Int32Array | Float32Array, logits: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdSparseOptions,
): boolean {
  const name = "simdSparseCategoricalCrossentropyFromLogits";
  checkOptionsObject(name, options, ["ignoreClass"]);
  const ignore = options?.ignoreClass ?? null;
  if (ignore !== null && !isInteger(ignore)) throw new ConfigError(`${name}: ignoreClass must be an integer or null, received ${describeValue(ignore)}`);
  checkSizes(name, rows, n);
  if (!(labels instanceof Int32Array || labels instanceof Float32Array)) {
    throw new InputError(`${name}: labels must be an Int32Array or Float32Array of length rows = ${rows}, received ${describeValue(labels)}`);
  }
  if (labels.length !== rows) throw new ShapeError(`${name}: labels must have rows = ${rows} elements, received a ${labels.constructor.name} of length ${labels.length}`);
  checkFloat32(name, "logits", logits, rows * n, "rows * n");
  checkOutputs(name, rows, n, out, grad, upstream);
  for (let r = 0; r < rows; r++) {
    const v = labels[r]!;
    if (v === ignore) continue;
    if (!(Number.isInteger(v) && v >= 0 && v < n)) {
      throw new InputError(`${name}: labels must hold integer class indices in [0, ${n - 1}]${ignore === null ? "" : ` or ignoreClass=${ignore}`}, received ${v} at index ${r}`);
    }
  }
  const ex = activeExports();
  if (!ex) return false;
  const copyLabels = (dst: Int32Array, at: number, from: number, count: number) => {
    for (let i = 0; i < count; i++) {
      const v = labels[from + i]!;
      dst[at + i] = v === ignore ? -1 : v;
    }
  };
  runBlocks(ex, {
    yTrue: null, labels: copyLabels, yPred: logits, rows, n, out, grad, upstream, extraBytes: 0, prepare: null,
    call: (e, t, p, g, u, o, m) => e.scceLogits(t, p, g, u, o, m, n),
  });
  return true;
}

/**
 * Kullback-Leibler divergence per row: `Σ t log(t / p)` with `t = clip(yTrue, ε, 1)`,
 * `p = clip(yPred, ε, 1)`; gradient `-upstream[r] t / p` where `ε <= yPred <= 1`, 0 elsewhere
 * (the JS kernel: `klDivergence` in src/losses/probabilistic.ts).
 *
 * Shapes as {@link simdLogCosh}. Reference: Keras `kl_divergence`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float64Array(2);
 * simdKLDivergence(new Float32Array([0, 1, 0, 0]), new Float32Array([0.6, 0.4, 0.4, 0.6]), 2, 2, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.91629, -3.08e-6]  (Keras docs: [0.91629, -3.08e-6])
 */
export function simdKLDivergence(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null,
): boolean {
  const ex = begin("simdKLDivergence", yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  runBlocks(ex, { yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) => e.kld(t, p, g, u, o, m, n, EPSILON_F32) });
  return true;
}

/**
 * Poisson per row: `mean(p - t log(p + ε))`, ε = `Math.fround(1e-7)`; gradient
 * `upstream[r] (1 - t / (p + ε)) / n` (the JS kernel: `poisson` in src/losses/probabilistic.ts).
 *
 * Shapes as {@link simdLogCosh}. Reference: Keras `poisson`.
 *
 * @example
 * await enableSimd(); // (once, before the first call; see enableSimd)
 * const out = new Float32Array(2);
 * simdPoisson(new Float32Array([0, 1, 0, 0]), new Float32Array([1, 1, 0, 0]), 2, 2, out); // true  (false: SIMD is not active, nothing written)
 * out // [0.9999999, 0]  (Keras poisson docs: [0.99999994, 0])
 */
export function simdPoisson(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null,
): boolean {
  const ex = begin("simdPoisson", yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  runBlocks(ex, { yTrue, labels: null, yPred, rows, n, out, grad, upstream, extraBytes: 0, prepare: null, call: (e, t, p, g, u, o, m) => e.poisson(t, p, g, u, o, m, n, EPSILON_F32) });
  return true;
}
