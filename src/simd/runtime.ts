/**
 * The runtime of the WebAssembly SIMD kernels (src/simd/index.ts has the entry points): loading
 * the module ({@link enableSimd}, {@link disableSimd}, {@link simdStatus}), its memory, the
 * argument checks shared by the entry points, and the driver that streams blocks of rows
 * through WebAssembly memory.
 */
import { ConfigError, InputError, ShapeError, describeValue } from "../errors";

// ---------------------------------------------------------------------------------------------
// The module and its state

type Kernel7 = (t: number, p: number, g: number, u: number, o: number, rows: number, n: number) => void;

/** The module's exports (see src/simd/losses.wat for each kernel's parameters). */
export interface SimdExports {
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
  /**
   * The last call of a loss with a SIMD route (LogCosh, the binary, categorical and sparse
   * crossentropies and their focal variants, KL divergence, Poisson): its name, the path it
   * took, and why; `null` before the first such call.
   */
  lastRun: SimdRun | null;
}

/** What {@link SimdStatus.lastRun} reports. */
export interface SimdRun {
  /** The loss's function name, e.g. `"binary_crossentropy"`. */
  loss: string;
  /** `"simd"`: the WebAssembly kernel ran; `"javascript"`: the JavaScript kernel did. */
  path: "simd" | "javascript";
  /** Why that path (a fixed phrase: "SIMD kernel", "dtype is float64", …). */
  reason: string;
}

let lastLoss = "";
let lastPath: "simd" | "javascript" = "javascript";
let lastReason = "";

/** Records which path a loss call took (read by {@link simdStatus}); no allocation. */
export function noteRun(loss: string, path: "simd" | "javascript", reason: string): void {
  lastLoss = loss;
  lastPath = path;
  lastReason = reason;
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

async function load(moduleBytes: () => Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      state = "unavailable";
      failure = "this environment has no WebAssembly";
      return false;
    }
    if (!compiled) {
      const bytes = moduleBytes();
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
 * The body of `enableSimd` (src/simd/enable.ts, which holds the module's bytes, so that the
 * losses can call the entry points without bundling them): compiles `moduleBytes()` once.
 */
export function startSimd(moduleBytes: () => Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (state === "active") return Promise.resolve(true);
  if (state === "unavailable") return Promise.resolve(false);
  // (pending again even if disableSimd() came in between: the compilation under way then ends active)
  state = "pending";
  if (!pending) pending = load(moduleBytes);
  return pending;
}

/**
 * Turns the SIMD kernels off: the entry points return `false` again and the module's memory
 * is released. {@link enableSimd} turns them back on (without recompiling).
 *
 * @example
 * await enableSimd();
 * disableSimd();
 * simdStatus().state // "disabled"
 * simdLogCosh(new Float32Array([0]), new Float32Array([1]), 1, 1, new Float32Array(1)) // false  (the caller runs the JS kernel)
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
 * disableSimd();
 * simdStatus().reason // "disableSimd() was called: the JavaScript kernels run"
 * await enableSimd();
 * simdStatus().active // true
 * simdStatus().reason // "enableSimd() succeeded: the WebAssembly SIMD kernels run"
 */
export function simdStatus(): SimdStatus {
  const status = statusOfState();
  status.lastRun = lastLoss === "" ? null : { loss: lastLoss, path: lastPath, reason: lastReason };
  return status;
}

function statusOfState(): SimdStatus {
  const lastRun = null;
  switch (state) {
    case "active":
      return { active: true, state, lastRun, reason: "enableSimd() succeeded: the WebAssembly SIMD kernels run" };
    case "pending":
      return { active: false, state, lastRun, reason: "enableSimd() is still compiling the module: the JavaScript kernels run until it resolves" };
    case "disabled":
      return { active: false, state, lastRun, reason: "disableSimd() was called: the JavaScript kernels run" };
    case "unavailable":
      return { active: false, state, lastRun, reason: `WebAssembly SIMD is unavailable (${failure}): the JavaScript kernels run` };
    default:
      return { active: false, state, lastRun, reason: "enableSimd() has not been called: the JavaScript kernels run" };
  }
}

/** The exports when SIMD is active, else null (the entry points then return false). */
export function activeExports(): SimdExports | null {
  return state === "active" ? exports : null;
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

export function isInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

export function checkSizes(name: string, rows: number, n: number): void {
  if (!isInteger(rows) || rows < 0) throw new ShapeError(`${name}: rows must be an integer >= 0, received ${describeValue(rows)}`);
  if (!isInteger(n) || n < 1) throw new ShapeError(`${name}: n must be an integer >= 1 (the length of each row), received ${describeValue(n)}`);
  if (rows * n > 2 ** 31) throw new ShapeError(`${name}: rows * n = ${rows * n} is more than the 2^31 elements a kernel takes`);
}

export function checkFloat32(name: string, arg: string, a: unknown, length: number, what: string): asserts a is Float32Array {
  if (!(a instanceof Float32Array)) throw new InputError(`${name}: ${arg} must be a Float32Array, received ${describeValue(a)}`);
  if (a.length !== length) throw new ShapeError(`${name}: ${arg} must have ${what} = ${length} elements, received a Float32Array of length ${a.length}`);
}

export function checkOutputs(
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

export function checkOptionsObject(name: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object") throw new ConfigError(`${name}: options must be an object, received ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new ConfigError(`${name}: unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ") || "(none)"}`);
  }
}

export function labelSmoothingOf(name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) throw new ConfigError(`${name}: labelSmoothing must be a number in [0, 1], received ${describeValue(value)}`);
  return value;
}

export function gammaOf(name: string, value: unknown): number {
  if (value === undefined) return 2;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) throw new ConfigError(`${name}: gamma must be a finite number >= 0, received ${describeValue(value)}`);
  return value;
}

export function finiteOf(name: string, arg: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new ConfigError(`${name}: ${arg} must be a finite number, received ${describeValue(value)}`);
  return value;
}

export function booleanOf(name: string, arg: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(`${name}: ${arg} must be a boolean, received ${describeValue(value)}`);
  return value;
}

/** How $pow computes b^e: 0 -> 1, 1 -> b, 2 -> b b, 3 -> exp(e log|b|) (the cases of the JS kernels' `power`). */
export function powMode(e: number): number {
  return e === 0 ? 0 : e === 1 ? 1 : e === 2 ? 2 : 3;
}

/** The sign of Math.pow(b, e) for b < 0: 1 for an even integer e, -1 for an odd one, NaN otherwise. */
export function negativeBaseSign(e: number): number {
  return Number.isInteger(e) ? (e % 2 === 0 ? 1 : -1) : NaN;
}

// ---------------------------------------------------------------------------------------------
// The driver: blocks of rows through WebAssembly memory

/** Bytes of each input array per block: small enough for the CPU cache, large enough that the per-block calls do not count. */
const BLOCK_BYTES = 128 * 1024;

/** Calls a kernel on a block: pointers to yTrue (or labels), yPred, the gradient (0: none), upstream, values; and the block's rows. */
export type BlockCall = (ex: SimdExports, t: number, p: number, g: number, u: number, o: number, rows: number) => void;

/** One streamed kernel call: the arrays (already checked), the extra memory the kernel needs, and the call. */
export interface BlockJob {
  /** Float32 rows of `n`, or null with `labels`. */
  yTrue: Float32Array | null;
  /** Writes `count` labels (rows `from…`) into the int32 block at `dstOffset`; null with `yTrue`. */
  labels: ((dst: Int32Array, dstOffset: number, from: number, count: number) => void) | null;
  yPred: Float32Array;
  rows: number;
  n: number;
  out: Float32Array | Float64Array;
  grad: Float32Array | null | undefined;
  upstream: Float64Array | Float32Array | null | undefined;
  /** Bytes after the blocks for the kernel (scratch, class weights); 0: none. */
  extraBytes: number;
  /** Called once with the offset of the extra bytes and the float32 view of memory. */
  prepare: ((extra: number, f32: Float32Array) => void) | null;
  call: BlockCall;
}

/**
 * Runs `job.call` over `job.rows` rows in blocks. `yTrue` is float32 rows of `n`, or (with
 * `labels`) one label per row written by `labels` into the int32 block. `extraBytes` of memory
 * after the blocks are the kernel's (scratch, alphas), at the offset passed to `prepare`.
 * A per-call wrapper (not a hot loop): the object costs nothing next to the copies.
 */
export function runBlocks(ex: SimdExports, job: BlockJob): void {
  const { yTrue, labels, yPred, rows, n, out, grad, upstream, extraBytes, prepare, call } = job;
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
  if (prepare) prepare(extra, F32);
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
export function begin(
  name: string, yTrue: unknown, yPred: unknown, rows: number, n: number, out: unknown, grad: unknown, upstream: unknown,
): SimdExports | null {
  checkSizes(name, rows, n);
  checkFloat32(name, "yTrue", yTrue, rows * n, "rows * n");
  checkFloat32(name, "yPred", yPred, rows * n, "rows * n");
  checkOutputs(name, rows, n, out, grad, upstream);
  return state === "active" ? exports : null;
}

/** Keras's epsilon as float32 tensors hold it, and 1 - epsilon (0.99999988). */
export const EPSILON_F32 = Math.fround(1e-7);
export const ONE_MINUS_EPSILON_F32 = Math.fround(1 - 1e-7);
