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
import { SIMD_MODULE_BASE64 } from "./modules";

// ---------------------------------------------------------------------------------------------
// The module and its state

type Kernel7 = (t: number, p: number, g: number, u: number, o: number, rows: number, n: number) => void;

/** The module's exports (see src/simd/losses.wat for each kernel's parameters). */
interface SimdExports {
  memory: WebAssembly.Memory;
  logCosh: Kernel7;
  bceLogits: (t: number, p: number, g: number, u: number, o: number, rows: number, n: number, keep: number, shift: number) => void;
  bce: (t: number, p: number, g: number, u: number, o: number, rows: number, n: number, keep: number, shift: number, lo: number, hi: number) => void;
  binaryFocal: (
    t: number, p: number, g: number, u: number, o: number, rows: number, n: number, keep: number, shift: number, lo: number, hi: number, logits: number,
    gamma: number, gmode: number, gsign: number, gm1: number, gm1mode: number, gm1sign: number, balance: number, alpha: number, alpha0: number,
  ) => void;
  cceLogits: (t: number, p: number, g: number, u: number, o: number, rows: number, n: number, keep: number, shift: number) => void;
  cce: (t: number, p: number, g: number, u: number, o: number, rows: number, n: number, keep: number, shift: number, lo: number, hi: number) => void;
  categoricalFocal: (
    t: number, p: number, g: number, u: number, o: number, rows: number, n: number, keep: number, shift: number, lo: number, hi: number, logits: number,
    gamma: number, gmode: number, gm1: number, gm1mode: number, alphas: number, alpha: number, scratch: number, list: number,
  ) => void;
  scceLogits: Kernel7;
  kld: (t: number, p: number, g: number, u: number, o: number, rows: number, n: number, eps: number) => void;
  poisson: (t: number, p: number, g: number, u: number, o: number, rows: number, n: number, eps: number) => void;
  expArray: (src: number, dst: number, count: number) => void;
  expnArray: (src: number, dst: number, count: number) => void;
  logArray: (src: number, dst: number, count: number) => void;
  log1pUnitArray: (src: number, dst: number, count: number) => void;
  log1mArray: (src: number, dst: number, count: number) => void;
}

/** Where the SIMD path stands. */
export type SimdState = "inactive" | "pending" | "active" | "disabled" | "unavailable";

/** What {@link simdStatus} reports. */
export interface SimdStatus {
  /** `true` when the kernel entry points compute (and return `true`); `false`: the JavaScript kernels run. */
  active: boolean;
  /**
   * `"inactive"`: {@link enableSimd} was never called; `"pending"`: it is compiling;
   * `"active"`; `"disabled"`: {@link disableSimd} was called; `"unavailable"`: this engine
   * cannot run the module (no WebAssembly, no SIMD, or compilation failed; see `reason`).
   */
  state: SimdState;
  /** A sentence saying which path runs and why. */
  reason: string;
}

let state: SimdState = "inactive";
let failure = "";
let pending: Promise<boolean> | null = null;
let compiled: WebAssembly.Module | null = null;
let exports: SimdExports | null = null;
/** Views of the module's memory, remade whenever it grows (growth detaches the old buffer). */
let buffer: ArrayBuffer | null = null;
let F32 = new Float32Array(0);
let F64 = new Float64Array(0);
let I32 = new Int32Array(0);

/** Decodes base64 without atob/Buffer, so that any engine with WebAssembly can load the module. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const value = new Uint8Array(128);
  for (let i = 0; i < 64; i++) value[alphabet.charCodeAt(i)] = i;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  for (let i = 0, j = 0; i < text.length; i += 4) {
    const bits = (value[text.charCodeAt(i)]! << 18) | (value[text.charCodeAt(i + 1)]! << 12) | (value[text.charCodeAt(i + 2)]! << 6) | value[text.charCodeAt(i + 3)]!;
    bytes[j++] = bits >> 16;
    if (j < bytes.length) bytes[j++] = (bits >> 8) & 255;
    if (j < bytes.length) bytes[j++] = bits & 255;
  }
  return bytes;
}

async function load(): Promise<boolean> {
  try {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      state = "unavailable";
      failure = "this environment has no WebAssembly";
      return false;
    }
    if (!compiled) {
      const bytes = decodeBase64(SIMD_MODULE_BASE64);
      if (!WebAssembly.validate(bytes)) {
        state = "unavailable";
        failure = "this engine's WebAssembly has no SIMD (WebAssembly.validate rejected the module, which uses fixed-width SIMD and bulk memory)";
        return false;
      }
      compiled = await WebAssembly.compile(bytes);
    }
    const instance = await WebAssembly.instantiate(compiled, {});
    // disableSimd() while compiling wins.
    if (state !== "pending") return false;
    exports = instance.exports as unknown as SimdExports;
    buffer = null;
    state = "active";
    return true;
  } catch (error) {
    state = "unavailable";
    failure = `compiling or instantiating the module failed: ${error instanceof Error ? error.message : String(error)}`;
    return false;
  } finally {
    pending = null;
  }
}

/**
 * Turns the WebAssembly SIMD kernels on: compiles and instantiates the embedded module
 * asynchronously (once; later calls reuse the compiled module).
 *
 * Resolves `true` when the kernels are active, `false` when this engine cannot run them (then
 * {@link simdStatus} says why, and the JavaScript kernels keep running). Never rejects.
 * Concurrent calls share one compilation.
 *
 * @example
 * const on = await enableSimd();
 * console.log(on, simdStatus().state); // true "active" (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+)
 */
export function enableSimd(): Promise<boolean> {
  if (state === "active") return Promise.resolve(true);
  if (state === "unavailable") return Promise.resolve(false);
  // (pending again even if disableSimd() came in between: the compilation under way then ends active)
  state = "pending";
  if (!pending) pending = load();
  return pending;
}

/**
 * Turns the SIMD kernels off: the entry points return `false` again and the module's memory
 * is released. {@link enableSimd} turns them back on (without recompiling).
 *
 * @example
 * disableSimd();
 * console.log(simdStatus().state); // "disabled"
 */
export function disableSimd(): void {
  if (state === "unavailable") return;
  state = "disabled";
  exports = null;
  buffer = null;
  F32 = new Float32Array(0);
  F64 = new Float64Array(0);
  I32 = new Int32Array(0);
}

/**
 * Which path the exp/log loss kernels take, and why.
 *
 * @example
 * simdStatus(); // { active: false, state: "inactive", reason: "enableSimd() has not been called: the JavaScript kernels run" }
 */
export function simdStatus(): SimdStatus {
  switch (state) {
    case "active":
      return { active: true, state, reason: "enableSimd() succeeded: the WebAssembly SIMD kernels run" };
    case "pending":
      return { active: false, state, reason: "enableSimd() is still compiling the module: the JavaScript kernels run until it resolves" };
    case "disabled":
      return { active: false, state, reason: "disableSimd() was called: the JavaScript kernels run" };
    case "unavailable":
      return { active: false, state, reason: `WebAssembly SIMD is unavailable (${failure}): the JavaScript kernels run` };
    default:
      return { active: false, state, reason: "enableSimd() has not been called: the JavaScript kernels run" };
  }
}

/** The live exports, for the accuracy tests of the elementary functions (not part of the public API). */
export function simdExportsForTesting(): SimdExports | null {
  return state === "active" ? exports : null;
}

/** Grows the module's memory to at least `bytes` and refreshes the views. */
function ensureMemory(ex: SimdExports, bytes: number): void {
  const memory = ex.memory;
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / 65536));
  if (buffer !== memory.buffer) {
    buffer = memory.buffer as ArrayBuffer;
    F32 = new Float32Array(buffer);
    F64 = new Float64Array(buffer);
    I32 = new Int32Array(buffer);
  }
}

// ---------------------------------------------------------------------------------------------
// Argument checks

function isInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

function checkSizes(name: string, rows: number, n: number): void {
  if (!isInteger(rows) || rows < 0) throw new ShapeError(`${name}: rows must be an integer >= 0, received ${describeValue(rows)}`);
  if (!isInteger(n) || n < 1) throw new ShapeError(`${name}: n must be an integer >= 1 (the length of each row), received ${describeValue(n)}`);
  if (rows * n > 2 ** 31) throw new ShapeError(`${name}: rows * n = ${rows * n} is more than the 2^31 elements a kernel takes`);
}

function checkFloat32(name: string, arg: string, a: unknown, length: number, what: string): asserts a is Float32Array {
  if (!(a instanceof Float32Array)) throw new InputError(`${name}: ${arg} must be a Float32Array, received ${describeValue(a)}`);
  if (a.length !== length) throw new ShapeError(`${name}: ${arg} must have ${what} = ${length} elements, received a Float32Array of length ${a.length}`);
}

function checkOutputs(
  name: string, rows: number, n: number, out: unknown, grad: unknown, upstream: unknown,
): asserts out is Float32Array | Float64Array {
  if (!(out instanceof Float32Array || out instanceof Float64Array)) {
    throw new InputError(`${name}: out must be a Float32Array or Float64Array of length rows = ${rows}, received ${describeValue(out)}`);
  }
  if (out.length !== rows) throw new ShapeError(`${name}: out must have rows = ${rows} elements, received a ${out.constructor.name} of length ${out.length}`);
  if (grad != null) checkFloat32(name, "grad", grad, rows * n, "rows * n");
  if (upstream != null) {
    if (!(upstream instanceof Float64Array || upstream instanceof Float32Array)) {
      throw new InputError(`${name}: upstream must be a Float64Array or Float32Array of length rows = ${rows}, received ${describeValue(upstream)}`);
    }
    if (upstream.length !== rows) throw new ShapeError(`${name}: upstream must have rows = ${rows} elements, received a ${upstream.constructor.name} of length ${upstream.length}`);
  }
}

function checkOptionsObject(name: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object") throw new ConfigError(`${name}: options must be an object, received ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new ConfigError(`${name}: unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ") || "(none)"}`);
  }
}

function labelSmoothingOf(name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) throw new ConfigError(`${name}: labelSmoothing must be a number in [0, 1], received ${describeValue(value)}`);
  return value;
}

function gammaOf(name: string, value: unknown): number {
  if (value === undefined) return 2;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) throw new ConfigError(`${name}: gamma must be a finite number >= 0, received ${describeValue(value)}`);
  return value;
}

function finiteOf(name: string, arg: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ConfigError(`${name}: ${arg} must be a finite number, received ${describeValue(value)}`);
  return value;
}

function booleanOf(name: string, arg: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(`${name}: ${arg} must be a boolean, received ${describeValue(value)}`);
  return value;
}

/** How $pow computes b^e: 0 -> 1, 1 -> b, 2 -> b b, 3 -> exp(e log|b|) (the cases of the JS kernels' `power`). */
function powMode(e: number): number {
  return e === 0 ? 0 : e === 1 ? 1 : e === 2 ? 2 : 3;
}

/** The sign of Math.pow(b, e) for b < 0: 1 for an even integer e, -1 for an odd one, NaN otherwise. */
function negativeBaseSign(e: number): number {
  return Number.isInteger(e) ? (e % 2 === 0 ? 1 : -1) : NaN;
}

// ---------------------------------------------------------------------------------------------
// The driver: blocks of rows through WebAssembly memory

/** Bytes of each input array per block: small enough for the CPU cache, large enough that the per-block calls do not count. */
const BLOCK_BYTES = 128 * 1024;

/** Calls a kernel on a block: pointers to yTrue (or labels), yPred, the gradient (0: none), upstream, values; and the block's rows. */
type BlockCall = (ex: SimdExports, t: number, p: number, g: number, u: number, o: number, rows: number) => void;

/**
 * Runs `call` over `rows` rows in blocks. `yTrue` is float32 rows of `n`, or (with `labels`)
 * one label per row written by `labels` into the int32 block. `extraBytes` of memory after the
 * blocks are the kernel's (scratch, alphas), at the returned offset passed to `prepare`.
 */
function runBlocks(
  ex: SimdExports,
  yTrue: Float32Array | null,
  labels: ((dst: Int32Array, dstOffset: number, from: number, count: number) => void) | null,
  yPred: Float32Array, rows: number, n: number,
  out: Float32Array | Float64Array, grad: Float32Array | null | undefined, upstream: Float64Array | Float32Array | null | undefined,
  extraBytes: number, prepare: ((extra: number) => void) | null, call: BlockCall,
): void {
  const rowBytes = 4 * n;
  const blockRows = Math.max(1, Math.min(rows, Math.floor(BLOCK_BYTES / rowBytes)));
  const align = (x: number) => (x + 15) & ~15;
  // Offset 0 means "no gradient" to the kernels: start higher. 16 bytes of slack after each block.
  const T = 64;
  const P = align(T + (labels ? 4 * blockRows : blockRows * rowBytes) + 16);
  const G = align(P + blockRows * rowBytes + 16);
  const U = align(G + (grad ? blockRows * rowBytes + 16 : 0));
  const O = align(U + 8 * blockRows);
  const extra = align(O + 8 * blockRows);
  ensureMemory(ex, extra + extraBytes);
  if (prepare) prepare(extra);
  if (grad && !upstream) F64.fill(1, U >> 3, (U >> 3) + blockRows);
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const m = Math.min(blockRows, rows - r0);
    const from = r0 * n, to = (r0 + m) * n;
    if (labels) labels(I32, T >> 2, r0, m);
    else F32.set(yTrue!.subarray(from, to), T >> 2);
    F32.set(yPred.subarray(from, to), P >> 2);
    if (grad && upstream) F64.set(upstream.subarray(r0, r0 + m), U >> 3);
    call(ex, T, P, grad ? G : 0, U, O, m);
    out.set(F64.subarray(O >> 3, (O >> 3) + m), r0);
    if (grad) grad.set(F32.subarray(G >> 2, (G >> 2) + (to - from)), from);
  }
}

/** The usual checks of a float32 yTrue/yPred kernel; returns the exports, or null when SIMD is not active. */
function begin(
  name: string, yTrue: unknown, yPred: unknown, rows: number, n: number, out: unknown, grad: unknown, upstream: unknown,
): SimdExports | null {
  checkSizes(name, rows, n);
  checkFloat32(name, "yTrue", yTrue, rows * n, "rows * n");
  checkFloat32(name, "yPred", yPred, rows * n, "rows * n");
  checkOutputs(name, rows, n, out, grad, upstream);
  return state === "active" ? exports : null;
}

/** Keras's epsilon as float32 tensors hold it, and 1 - epsilon (0.99999988). */
const EPSILON_F32 = Math.fround(1e-7);
const ONE_MINUS_EPSILON_F32 = Math.fround(1 - 1e-7);

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
 * await enableSimd();
 * const out = new Float32Array(2);
 * simdLogCosh(new Float32Array([0, 1, 0, 0]), new Float32Array([1, 1, 0, 0]), 2, 2, out);
 * console.log(out); // Float32Array [0.2168904, 0]  (Keras log_cosh docs: [0.217, 0])
 */
export function simdLogCosh(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null,
): boolean {
  const ex = begin("simdLogCosh", yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) => e.logCosh(t, p, g, u, o, m, n));
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
 * const out = new Float64Array(2);
 * simdBinaryCrossentropy(new Float32Array([0, 1, 0, 0]), new Float32Array([0.6, 0.4, 0.4, 0.6]), 2, 2, out);
 * console.log(out); // Float64Array [0.9162907…, 0.7135581…]  (Keras docs: [0.916, 0.714])
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
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) =>
    e.bce(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32));
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
 * const out = new Float64Array(1);
 * simdBinaryCrossentropyFromLogits(new Float32Array([0, 1]), new Float32Array([-18.6, 0.51]), 1, 2, out);
 * console.log(out); // Float64Array [0.23516…]  ((log1p(e^-18.6) + log1p(e^-0.51)) / 2)
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
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) => e.bceLogits(t, p, g, u, o, m, n, keep, shift));
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

function binaryFocal(
  name: string, logits: boolean, yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad: Float32Array | null | undefined, upstream: Float64Array | Float32Array | null | undefined, options: SimdBinaryFocalOptions | undefined,
): boolean {
  checkOptionsObject(name, options, ["labelSmoothing", "applyClassBalancing", "alpha", "gamma"]);
  const ls = labelSmoothingOf(name, options?.labelSmoothing);
  const gamma = gammaOf(name, options?.gamma);
  const alpha = finiteOf(name, "alpha", options?.alpha, 0.25);
  const balance = booleanOf(name, "applyClassBalancing", options?.applyClassBalancing, false);
  const ex = begin(name, yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  const keep = 1 - ls, shift = 0.5 * ls, gm1 = gamma - 1;
  const gmode = powMode(gamma), gsign = negativeBaseSign(gamma), gm1mode = powMode(gm1), gm1sign = negativeBaseSign(gm1);
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) =>
    e.binaryFocal(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32, logits ? 1 : 0,
      gamma, gmode, gsign, gm1, gm1mode, gm1sign, balance ? 1 : 0, alpha, 1 - alpha));
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
 * const out = new Float64Array(2);
 * simdBinaryFocalCrossentropy(new Float32Array([0, 1, 0, 0]), new Float32Array([0.6, 0.4, 0.4, 0.6]), 2, 2, out);
 * console.log(out); // Float64Array [0.32986…, 0.20579…]  (Keras docs: [0.330, 0.206])
 */
export function simdBinaryFocalCrossentropy(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdBinaryFocalOptions,
): boolean {
  return binaryFocal("simdBinaryFocalCrossentropy", false, yTrue, yPred, rows, n, out, grad, upstream, options);
}

/**
 * Binary focal crossentropy from logits per row: as {@link simdBinaryFocalCrossentropy} with
 * `p = sigmoid(yPred)` and the logits form of the crossentropy term (the JS kernel:
 * `binaryFocalCrossentropy(…, { fromLogits: true })`).
 *
 * Options, shapes and reference as {@link simdBinaryFocalCrossentropy}.
 *
 * @example
 * const out = new Float64Array(2);
 * simdBinaryFocalCrossentropyFromLogits(new Float32Array([0, 1, 0, 0]), new Float32Array([-18.6, 0.51, 2.94, -12.8]), 2, 2, out, null, null, { gamma: 3 });
 * console.log((out[0] + out[1]) / 2); // 0.64699…  (Keras BinaryFocalCrossentropy docs: 0.647)
 */
export function simdBinaryFocalCrossentropyFromLogits(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdBinaryFocalOptions,
): boolean {
  return binaryFocal("simdBinaryFocalCrossentropyFromLogits", true, yTrue, yPred, rows, n, out, grad, upstream, options);
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
 * const out = new Float64Array(2);
 * simdCategoricalCrossentropy(new Float32Array([0, 1, 0, 0, 0, 1]), new Float32Array([0.05, 0.95, 0, 0.1, 0.8, 0.1]), 2, 3, out);
 * console.log(out); // Float64Array [0.05129…, 2.30258…]  (Keras docs: [0.0513, 2.303])
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
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) =>
    e.cce(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32));
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
 * const out = new Float64Array(1);
 * simdCategoricalCrossentropyFromLogits(new Float32Array([0, 1, 0]), new Float32Array([1, 2, 3]), 1, 3, out);
 * console.log(out); // Float64Array [1.40760…]  (logsumexp(1, 2, 3) - 2)
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
  runBlocks(ex, yTrue, null, logits, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) => e.cceLogits(t, p, g, u, o, m, n, keep, shift));
  return true;
}

/** Options of {@link simdCategoricalFocalCrossentropy} (Keras `CategoricalFocalCrossentropy`'s, same defaults). */
export interface SimdCategoricalFocalOptions extends SimdLabelSmoothingOptions {
  /** One weight for every class, or one per class (`n` values). Default `0.25`. */
  alpha?: number | ArrayLike<number>;
  /** The focusing parameter, >= 0. Default `2`. */
  gamma?: number;
}

function categoricalFocal(
  name: string, logits: boolean, yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad: Float32Array | null | undefined, upstream: Float64Array | Float32Array | null | undefined, options: SimdCategoricalFocalOptions | undefined,
): boolean {
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
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 3 * vectorBytes,
    (extra) => {
      scratch = extra;
      list = extra + 2 * vectorBytes;
      if (alphas) {
        alphaPtr = extra + vectorBytes;
        for (let k = 0; k < n; k++) F32[(alphaPtr >> 2) + k] = alphas[k]!;
      }
    },
    (e, t, p, g, u, o, m) =>
      e.categoricalFocal(t, p, g, u, o, m, n, keep, shift, EPSILON_F32, ONE_MINUS_EPSILON_F32, logits ? 1 : 0,
        gamma, gmode, gm1, gm1mode, alphaPtr, alpha, scratch, list));
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
 * const out = new Float64Array(2);
 * simdCategoricalFocalCrossentropy(new Float32Array([0, 1, 0, 0, 0, 1]), new Float32Array([0.05, 0.9, 0.05, 0.1, 0.85, 0.05]), 2, 3, out);
 * console.log(out); // Float64Array [2.6340…e-4, 0.67591…]  (Keras docs: [2.63401289e-04, 6.75912094e-01])
 */
export function simdCategoricalFocalCrossentropy(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdCategoricalFocalOptions,
): boolean {
  return categoricalFocal("simdCategoricalFocalCrossentropy", false, yTrue, yPred, rows, n, out, grad, upstream, options);
}

/**
 * Categorical focal crossentropy from logits per row: as {@link simdCategoricalFocalCrossentropy}
 * with `p = softmax(yPred)` (the JS kernel: `categoricalFocalCrossentropy(…, { fromLogits: true })`).
 *
 * Options, shapes and reference as {@link simdCategoricalFocalCrossentropy}.
 *
 * @example
 * const out = new Float64Array(1);
 * simdCategoricalFocalCrossentropyFromLogits(new Float32Array([0, 1, 0]), new Float32Array([1, 2, 3]), 1, 3, out);
 * console.log(out); // Float64Array [0.20073…]  (0.25 (1 - q)^2 (-log q), q = softmax(1, 2, 3)[1])
 */
export function simdCategoricalFocalCrossentropyFromLogits(
  yTrue: Float32Array, logits: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: SimdCategoricalFocalOptions,
): boolean {
  return categoricalFocal("simdCategoricalFocalCrossentropyFromLogits", true, yTrue, logits, rows, n, out, grad, upstream, options);
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
 * const out = new Float64Array(2);
 * simdSparseCategoricalCrossentropyFromLogits(new Int32Array([1, -1]), new Float32Array([1, 2, 3, 0, 0, 0]), 2, 3, out, null, null, { ignoreClass: -1 });
 * console.log(out); // Float64Array [1.40760…, 0]
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
  const ex = state === "active" ? exports : null;
  if (!ex) return false;
  const copyLabels = (dst: Int32Array, at: number, from: number, count: number) => {
    for (let i = 0; i < count; i++) {
      const v = labels[from + i]!;
      dst[at + i] = v === ignore ? -1 : v;
    }
  };
  runBlocks(ex, null, copyLabels, logits, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) => e.scceLogits(t, p, g, u, o, m, n));
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
 * const out = new Float64Array(2);
 * simdKLDivergence(new Float32Array([0, 1, 0, 0]), new Float32Array([0.6, 0.4, 0.4, 0.6]), 2, 2, out);
 * console.log(out); // Float64Array [0.91628…, -3.08…e-6]  (Keras docs: [0.91629, -3.08e-6])
 */
export function simdKLDivergence(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null,
): boolean {
  const ex = begin("simdKLDivergence", yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) => e.kld(t, p, g, u, o, m, n, EPSILON_F32));
  return true;
}

/**
 * Poisson per row: `mean(p - t log(p + ε))`, ε = `Math.fround(1e-7)`; gradient
 * `upstream[r] (1 - t / (p + ε)) / n` (the JS kernel: `poisson` in src/losses/probabilistic.ts).
 *
 * Shapes as {@link simdLogCosh}. Reference: Keras `poisson`.
 *
 * @example
 * const out = new Float32Array(2);
 * simdPoisson(new Float32Array([0, 1, 0, 0]), new Float32Array([1, 1, 0, 0]), 2, 2, out);
 * console.log(out); // Float32Array [0.99999994, 0]  (Keras poisson docs)
 */
export function simdPoisson(
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null,
): boolean {
  const ex = begin("simdPoisson", yTrue, yPred, rows, n, out, grad, upstream);
  if (!ex) return false;
  runBlocks(ex, yTrue, null, yPred, rows, n, out, grad, upstream, 0, null, (e, t, p, g, u, o, m) => e.poisson(t, p, g, u, o, m, n, EPSILON_F32));
  return true;
}
