/**
 * `defineLossFunction`: a loss's declarative spec (name, defaults, validation, kernel) in,
 * a Keras-style function handle out. The handle, its `vjp`, and the class built on it (a
 * `LossFunctionWrapper`) all run the same kernel (src/kernel.ts).
 */
import { ConfigError, describeValue } from "../errors";
import { fixedUpstream, type Kernel, type KernelOptions, type KernelResult, type KernelTotal } from "../kernel";
import { FORBIDDEN_KEYS } from "../math/constants";
import { closestNames } from "../suggest";
import { checkDtype, checkOptionsObject } from "../options";
import { toTensor, type TensorLike } from "../tensor/convert";
import type { DType, Tensor } from "../tensor/tensor";

export type { KernelOptions } from "../kernel";

/** What a built-in loss is made of: its Keras name, its options, and its kernel. */
export interface LossFunctionSpec<O extends object> {
  /** The Keras function name (`"mean_squared_error"`). */
  name: string;
  /** Every option with its Keras default. Unknown option keys are refused. */
  defaults: O;
  /** Throw a `ConfigError` for invalid option values (after defaults are filled in). */
  validate?: (options: O) => void;
  /** Per-sample values, and the gradient in the same pass when an upstream is given. */
  kernel: Kernel<O>;
  /** Optional: `Σ values` without the values, for reducing calls without weights (src/kernel.ts). */
  total?: KernelTotal<O>;
}

/** Options of a function handle call: the loss's options plus the output dtype. */
export type HandleOptions<O extends object> = Partial<O> & { dtype?: DType };

/**
 * A function handle: `fn(yTrue, yPred, options?)` returns the per-sample values as a
 * `Tensor` (no weighting, no reduction), as Keras's `keras.losses.mean_squared_error`.
 * `fn.vjp(yTrue, yPred, upstream, options?)` is its vector-Jacobian product: the gradient
 * of `Σ upstream ⊙ fn(yTrue, yPred)` with respect to `yPred`.
 */
export interface LossFunction<O extends object = object> {
  (yTrue: TensorLike, yPred: TensorLike, options?: HandleOptions<O>): Tensor;
  /** The Keras function name. */
  readonly lossName: string;
  /** Every option with its default. */
  readonly defaults: Readonly<O>;
  vjp(yTrue: TensorLike, yPred: TensorLike, upstream: TensorLike, options?: HandleOptions<O>): Tensor;
  /** The per-sample values with the loss's own mask and weights (e.g. `ignoreClass`), unreduced. */
  evaluate(yTrue: TensorLike, yPred: TensorLike, options?: HandleOptions<O>): KernelResult;
  /** Fill in defaults and check option names and values; returns the full options. */
  validateOptions(options: Record<string, unknown>): O;
  /** The kernel itself, for callers that validated the options once (loss classes). */
  readonly kernel: Kernel<O>;
  /** The kernel's `total` path, when it has one. */
  readonly total?: KernelTotal<O>;
}

/** Make a function handle (and everything a class needs) from a loss spec. */
export function defineLossFunction<O extends object>(spec: LossFunctionSpec<O>): LossFunction<O> {
  const known = Object.keys(spec.defaults);
  const validateOptions = (options: Record<string, unknown>): O => {
    checkOptionsObject(options, `${spec.name} options`);
    const full = { ...spec.defaults } as Record<string, unknown>;
    for (const key of Object.keys(options)) {
      if (FORBIDDEN_KEYS.has(key) || !known.includes(key)) {
        const hint = closestNames(key, known, 1);
        throw new ConfigError(
          `${key} is not an option of ${spec.name}; its options are ${known.length ? known.join(", ") : "(none)"}` +
            (hint.length && !FORBIDDEN_KEYS.has(key) ? ` (did you mean ${hint[0]}?)` : ""),
        );
      }
      if (options[key] !== undefined) full[key] = options[key];
    }
    spec.validate?.(full as O);
    return full as O;
  };
  const kernelOptions = (options: Record<string, unknown> | undefined, yPred: Tensor): KernelOptions<O> => {
    const { dtype, ...rest } = options ?? {};
    return { ...validateOptions(rest), dtype: checkDtype(dtype) ?? yPred.dtype };
  };
  const inputs = (yTrue: TensorLike, yPred: TensorLike, options: Record<string, unknown> | undefined) => {
    // The first thing a handle and its vjp look at: the options argument is checked here.
    // yPred and yTrue are converted in the requested dtype, as a class with that dtype does.
    const requested = checkDtype(checkOptionsObject(options, `${spec.name} options`).dtype);
    const p = toTensor(yPred, { name: "yPred", dtype: requested });
    const t = toTensor(yTrue, { name: "yTrue", dtype: requested ?? p.dtype });
    return { t, p, o: kernelOptions(options, p) };
  };
  const evaluate = (yTrue: TensorLike, yPred: TensorLike, options?: Record<string, unknown>): KernelResult => {
    const { t, p, o } = inputs(yTrue, yPred, options);
    return spec.kernel(t, p, o);
  };
  const handle = ((yTrue: TensorLike, yPred: TensorLike, options?: Record<string, unknown>) =>
    evaluate(yTrue, yPred, options).values) as unknown as LossFunction<O>;
  const vjp = (yTrue: TensorLike, yPred: TensorLike, upstream: TensorLike, options?: Record<string, unknown>) => {
    const { t, p, o } = inputs(yTrue, yPred, options);
    const u = toTensor(upstream, { name: "upstream", dtype: "float64" });
    return spec.kernel(t, p, o, fixedUpstream(u)).grad!;
  };
  Object.defineProperty(handle, "name", { value: camelCase(spec.name) });
  Object.defineProperty(handle, "lossName", { value: spec.name, enumerable: true });
  Object.defineProperty(handle, "defaults", { value: Object.freeze({ ...spec.defaults }), enumerable: true });
  Object.defineProperty(handle, "vjp", { value: vjp });
  Object.defineProperty(handle, "evaluate", { value: evaluate });
  Object.defineProperty(handle, "validateOptions", { value: validateOptions });
  Object.defineProperty(handle, "kernel", { value: spec.kernel });
  if (spec.total) Object.defineProperty(handle, "total", { value: spec.total });
  return handle;
}

export function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Validation helpers for option values; each throws a `ConfigError` naming the option. */
export function checkBoolean(lossName: string, key: string, value: unknown): void {
  if (typeof value !== "boolean") throw new ConfigError(`${lossName}: ${key} must be a boolean, received ${describeValue(value)}`);
}

export function checkNumber(lossName: string, key: string, value: unknown, range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {}): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ConfigError(`${lossName}: ${key} must be a finite number, received ${describeValue(value)}`);
  }
  if (range.integer && !Number.isInteger(value)) throw new ConfigError(`${lossName}: ${key} must be an integer, received ${value}`);
  const { min, max } = range;
  if (min !== undefined && (range.minExclusive ? value <= min : value < min)) {
    throw new ConfigError(`${lossName}: ${key} must be ${range.minExclusive ? ">" : ">="} ${min}, received ${value}`);
  }
  if (max !== undefined && (range.maxExclusive ? value >= max : value > max)) {
    throw new ConfigError(`${lossName}: ${key} must be ${range.maxExclusive ? "<" : "<="} ${max}, received ${value}`);
  }
}
