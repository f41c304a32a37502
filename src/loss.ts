import { ConfigError, GradientNotImplementedError, InputError, ShapeError, describeValue, formatShape } from "./errors";
import { fixedUpstream, type Kernel, type KernelOptions, type KernelResult, type KernelTotal, type OwnWeighting, type Upstream } from "./kernel";
import { applyPlan, multiplyWeights, planWeights, standardizeReduction, unweightedPlan, upstreamOf, type Reduction, type ReductionOption, type WeightPlan } from "./reduction/reduce";
import { squeezeOrExpandToSameRank } from "./reduction/rank";
import { toTensor, type TensorLike } from "./tensor/convert";
import { SHAPE_ONLY, Tensor, dtypeOf, type DType, type FloatArray } from "./tensor/tensor";
import { sameShape } from "./math/constants";
import { checkOptionsObject } from "./options";
import { reshape } from "./tensor/views";
import { elementOffsets } from "./tensor/rows";
import { builtinClassName, markBuiltinOptions, nameBuiltinClass } from "./names";
import { checkNumericsOption, numericsSwitch, verifyLossCall } from "./training/numerics";

/**
 * Options every loss class takes (Keras's `reduction`, `name`, `dtype`). `R` is the
 * reduction, so the result type follows it.
 */
export interface LossOptions<R extends ReductionOption = ReductionOption> {
  /**
   * How the weighted per-sample values become the result (Keras's `reduce_weighted_values`;
   * `w` is `sampleWeight` times the mask, 1 where neither is given):
   *
   * - `"sum_over_batch_size"`: `Σ w·v / N`, `N` the number of per-sample values (after
   *   broadcasting against the weights); with a mask, `N` counts the unmasked ones. A
   *   `number`.
   * - `"mean"`: the same as `"sum_over_batch_size"` (Keras 3 makes them equal).
   * - `"sum"`: `Σ w·v`. A `number`.
   * - `"mean_with_sample_weight"`: `Σ w·v / Σ w`, a weighted average (`N` when neither
   *   weights nor a mask are given). A `number`.
   * - `"none"` or `null` (Python's `None`): the weighted values `w·v` themselves, a `Tensor`
   *   shaped like the per-sample values (broadcast with the weights).
   *
   * Divisions are Keras's `divide_no_nan`: all-zero weights or an all-false mask give 0.
   * Scalar or empty per-sample values are not divided.
   *
   * @defaultValue `"sum_over_batch_size"`
   */
  reduction?: R;
  /**
   * Name of the instance, kept in its config.
   *
   * @defaultValue the Keras name, snake_case (`"mean_squared_error"`, `"huber_loss"`, …)
   */
  name?: string;
  /**
   * Element type of inputs as computed and of returned tensors; sums accumulate in doubles
   * either way.
   *
   * @defaultValue `"float32"` (Keras's floatx)
   */
  dtype?: DType;
  /**
   * Check every call's inputs, result and gradient (`diagnose`'s checks) and throw a
   * `NumericsError` naming the argument, index, value and likely cause.
   *
   * @defaultValue `undefined` (follow `setCheckNumerics()`, off by default)
   */
  checkNumerics?: boolean;
}

/** Options of a single call. */
export interface CallOptions {
  /**
   * Positions that count (non-zero / `true`) and those that do not (0 / `false`), shaped
   * like the per-sample values or broadcastable to them (Keras's `_keras_mask`). Combined
   * with the loss's own mask (e.g. `ignoreClass`) with a logical and, then folded into the
   * weights: masked positions weigh 0, and `"sum_over_batch_size"` divides by the number of
   * unmasked ones.
   *
   * @defaultValue `undefined` (every position counts)
   */
  mask?: TensorLike | null;
}

/** What a call returns for reduction `R`: a `Tensor` for `"none"`/`null`, a `number` otherwise. */
export type LossResultFor<R> = R extends "none" | null ? Tensor : number;
export type LossResult = number | Tensor;

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions extends CallOptions {
  /**
   * A caller-owned buffer for the gradient, as NumPy's `out=`: a contiguous `Tensor` shaped
   * like `yPred`, or a `Float32Array`/`Float64Array` of `yPred`'s size, in the loss's dtype.
   * The returned `grad` is a view of it; reusing one buffer across calls saves allocating
   * (and page-faulting) a full-size array per call.
   */
  out?: Tensor | FloatArray | null;
}

export interface ValueAndGrad<V extends LossResult = LossResult> {
  value: V;
  grad: Tensor;
}

/** JSON-safe configuration of a loss: `getConfig()` output and `fromConfig()` input. */
export type LossConfig = Record<string, unknown>;

/** What a loss needs to compute with, after conversion and checks. */
interface Prepared {
  yTrue: Tensor;
  yPred: Tensor;
  sampleWeight: Tensor | undefined;
  mask: Tensor | undefined;
}

/** What `call()` may return: per-sample values, or the values with the loss's own mask/weights. */
export type CallResult = TensorLike | { values: TensorLike; mask?: Tensor; weights?: Tensor };

function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** The call signature every Loss instance has. */
export interface Loss<R extends ReductionOption = ReductionOption> {
  /**
   * The loss of a batch: per-sample values, weighted, masked and reduced (Keras's `__call__`).
   *
   * @param yTrue - Labels (`TensorLike`), shaped as the loss expects (see its TSDoc).
   * @param yPred - Predictions, the same shape as `yTrue` or broadcastable to it.
   * @param sampleWeight - A scalar, a weight per sample (`[batch]`), or weights shaped like
   *   (or broadcastable to) the per-sample values.
   * @param options - `{ mask }`, see {@link CallOptions}.
   * @returns A `number` for the reducing reductions, a `Tensor` for `"none"`.
   * @throws {@link ShapeError} when shapes do not fit together.
   * @throws {@link InputError} when an input holds something other than numbers (or labels out of range).
   * @throws {@link ConfigError} when `options` is not `{ mask }`.
   */
  (yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: CallOptions): LossResultFor<R>;
}

/**
 * Base class of every loss, as Keras's `keras.losses.Loss`. An instance is callable:
 * `loss(yTrue, yPred, sampleWeight?, { mask }?)` computes the per-sample values with its
 * kernel, then weights, masks and reduces them in the shared reduction module. It
 * returns a `number` for the reducing reductions and a `Tensor` for `"none"`.
 *
 * Subclass it and implement `call(yTrue, yPred)` (per-sample values, optionally with their
 * own `{ values, mask }`) and, for gradients, `backward(yTrue, yPred, upstream)`; or
 * override `evaluate` with a fused kernel (src/kernel.ts).
 */
export abstract class Loss<R extends ReductionOption = ReductionOption> {
  declare name: string;
  declare readonly reduction: Reduction;
  declare readonly dtype: DType;
  declare readonly checkNumerics: boolean | undefined;

  /**
   * @param options - `reduction`, `name` and `dtype` (see {@link LossOptions}); subclasses add their own.
   * @throws {@link ConfigError} for an unknown reduction, an empty name or a dtype other than `"float32"`/`"float64"`.
   */
  constructor(options: LossOptions<R> = {}) {
    checkOptionsObject(options, `${new.target.name} options`);
    // An instance is a function whose prototype chain is the class's, so that
    // `loss(yTrue, yPred)` works as Keras's `loss(y_true, y_pred)` does.
    const self = ((yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, callOptions?: CallOptions) =>
      self.compute(yTrue, yPred, sampleWeight, callOptions)) as unknown as Loss<R>;
    Object.setPrototypeOf(self, new.target.prototype);
    const name = options.name ?? (snakeCase(new.target.name) || "loss");
    if (typeof name !== "string" || name.length === 0) throw new ConfigError(`name must be a non-empty string, received ${describeValue(options.name)}`);
    const dtype = options.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") {
      throw new ConfigError(`Invalid value for argument dtype. Expected "float32" or "float64". Received: dtype=${describeValue(dtype)}`);
    }
    Object.defineProperty(self, "name", { value: name, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(self, "reduction", { value: standardizeReduction(options.reduction), enumerable: true });
    Object.defineProperty(self, "dtype", { value: dtype, enumerable: true });
    Object.defineProperty(self, "checkNumerics", { value: checkNumericsOption(options.checkNumerics) });
    return self;
  }

  /** Per-sample loss values (no weighting, no reduction). Subclasses implement this. */
  abstract call(yTrue: Tensor, yPred: Tensor): CallResult;

  /**
   * Gradient of `Σ upstream ⊙ call(yTrue, yPred)` with respect to `yPred`, shaped like
   * `yPred`. Subclasses that want `grad()` implement it.
   */
  backward?(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor;

  /**
   * The loss's kernel (src/kernel.ts): per-sample values with its own mask/weights, and,
   * given an upstream, the gradient. By default `call()` then `backward()`; built-in
   * losses run one fused kernel.
   */
  evaluate(yTrue: Tensor, yPred: Tensor, upstream?: Upstream): KernelResult {
    const out = this.call(yTrue, yPred);
    const own = isCallRecord(out) ? out : undefined;
    const raw = own ? own.values : (out as TensorLike);
    const values = raw instanceof Tensor ? raw : toTensor(raw, { name: `${this.constructor.name}.call() result`, dtype: this.dtype });
    const result: KernelResult = { values, mask: own?.mask, weights: own?.weights };
    if (!upstream) return result;
    if (!this.backward) {
      throw new GradientNotImplementedError(
        `${this.constructor.name} (${this.name}) has no backward(): implement backward(yTrue, yPred, upstream) returning d(Σ upstream·values)/d yPred, ` +
          `or pass { backward } to LossFunctionWrapper; numericalGrad(loss, yTrue, yPred) checks it`,
      );
    }
    const u = new Tensor(upstream(values.shape, result), values.shape);
    result.grad = this.backward(yTrue, yPred, u);
    return result;
  }

  /**
   * `Σ values` and the values' shape without the values, when the kernel has such a path for
   * these inputs (src/kernel.ts `KernelTotal`), else `undefined`. Only for losses without a
   * mask or weights of their own.
   */
  evaluateTotal(yTrue: Tensor, yPred: Tensor): { sum: number; shape: number[] } | undefined {
    void yTrue, yPred;
    return undefined;
  }

  /** Keras's `__call__`: per-sample values, then weighting, masking and reduction. */
  compute(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: CallOptions): LossResultFor<R> {
    const input = this.prepare(yTrue, yPred, sampleWeight, options);
    if (!input.sampleWeight && !input.mask && this.reduction !== "none") {
      // A reducing call without weights needs only Σ values: kernels with a total path skip
      // writing the values (same bits as reducing them, see KernelTotal).
      const total = this.evaluateTotal(input.yTrue, input.yPred);
      if (total) {
        const plan = this.plan(total.shape, undefined, input);
        const value = (total.sum * plan.scale!) as LossResultFor<R>;
        if (this.checkNumerics ?? numericsSwitch.enabled) verifyLossCall(this, input.yTrue, input.yPred, input.sampleWeight, value);
        return value;
      }
    }
    const result = this.evaluate(input.yTrue, input.yPred);
    const value = applyPlan(result.values, this.plan(result.values.shape, result, input), this.dtype) as LossResultFor<R>;
    if (this.checkNumerics ?? numericsSwitch.enabled) verifyLossCall(this, input.yTrue, input.yPred, input.sampleWeight, value);
    return value;
  }

  /**
   * `d(this(yTrue, yPred, sampleWeight, options)) / d yPred`, shaped like `yPred`: the
   * gradient of exactly what the call returns, weighting, masking and reduction included
   * (for `"none"`, of the sum of the returned values).
   *
   * @param yTrue - Labels, as for the call.
   * @param yPred - Predictions, as for the call.
   * @param sampleWeight - Weights, as for the call.
   * @param options - `{ mask }`, as for the call.
   * @throws {@link GradientNotImplementedError} for a custom loss without `backward`.
   * @throws {@link ShapeError} when `backward` returns a gradient not shaped like `yPred`.
   */
  grad(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: GradOptions): Tensor {
    return this.valueAndGrad(yTrue, yPred, sampleWeight, options).grad;
  }

  /**
   * The value of the call and its gradient with respect to `yPred`, from one kernel pass.
   *
   * @param yTrue - Labels, as for the call.
   * @param yPred - Predictions, as for the call.
   * @param sampleWeight - Weights, as for the call.
   * @param options - `{ mask }`, as for the call.
   * @returns `{ value, grad }`: `value` as the call returns it, `grad` shaped like `yPred`.
   * @throws {@link GradientNotImplementedError} for a custom loss without `backward`.
   */
  valueAndGrad(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: GradOptions): ValueAndGrad<LossResultFor<R>> {
    const input = this.prepare(yTrue, yPred, sampleWeight, options, true);
    const out = options?.out === undefined || options.out === null ? undefined : this.checkOut(options.out, input.yPred, input.yTrue);
    let plan: WeightPlan | undefined;
    const upstream = withUpstreamFields(
      (shape: readonly number[], own?: OwnWeighting) => {
        plan = this.plan(shape, own, input);
        return upstreamOf({ shape }, plan).data;
      },
      out,
      !input.sampleWeight && !input.mask && this.reduction !== "none"
        ? (shape: readonly number[]) => {
            plan = this.plan(shape, undefined, input);
            return plan.scale ?? 1;
          }
        : undefined,
    );
    const result = this.evaluate(input.yTrue, input.yPred, upstream);
    if (!plan) throw new Error(`${this.constructor.name}.evaluate did not ask for its upstream`);
    let grad = this.checkGrad(result.grad, input.yPred);
    if (out && grad.data !== out) {
      // A kernel (or custom backward) that allocated its own buffer: copy into the caller's.
      out.set(grad.toTypedArray(this.dtype));
      grad = new Tensor(out, input.yPred.shape);
    }
    const given = options?.out;
    if (given instanceof Tensor && grad.data === given.data) grad = given;
    const value = (result.total === undefined ? applyPlan(result.values, plan, this.dtype) : result.total * plan.scale!) as LossResultFor<R>;
    if (this.checkNumerics ?? numericsSwitch.enabled) verifyLossCall(this, input.yTrue, input.yPred, input.sampleWeight, value, grad);
    return { value, grad };
  }

  /** The typed array behind a `{ out }` gradient buffer, after checking its layout, size and dtype. */
  private checkOut(out: unknown, yPred: Tensor, yTrue?: Tensor): FloatArray {
    // The message is built only when a check fails (formatting it costs more than a batch-1 call).
    const expected = { toString: () => `a contiguous ${this.dtype} Tensor of shape ${formatShape(yPred.shape)} or a ${this.dtype === "float32" ? "Float32Array" : "Float64Array"} of length ${yPred.size}` };
    let data: FloatArray;
    if (out instanceof Tensor) {
      if (!out.isContiguous || out.offset !== 0 || !sameShape(out.shape, yPred.shape)) {
        throw new ShapeError(`out must be ${expected}, received a Tensor of shape ${formatShape(out.shape)}${out.isContiguous && out.offset === 0 ? "" : " (a strided view)"}`);
      }
      data = out.data.length === out.size ? out.data : out.data.subarray(0, out.size);
    } else if (out instanceof Float32Array || out instanceof Float64Array) {
      data = out;
    } else {
      throw new ConfigError(`out must be ${expected}, received ${describeValue(out)}`);
    }
    if (dtypeOf(data) !== this.dtype) throw new ConfigError(`out must be ${expected}, received ${describeValue(data)} (dtype ${dtypeOf(data)})`);
    if (yTrue && data.buffer === yTrue.data.buffer) throw new ConfigError(`out must not share memory with yTrue (the gradient would overwrite the input)`);
    if (data.buffer === yPred.data.buffer) throw new ConfigError(`out must not share memory with yPred (the gradient would overwrite the input)`);
    if (data.length !== yPred.size) throw new ShapeError(`out must be ${expected}, received ${describeValue(data)}`);
    return data;
  }

  /** JSON-safe configuration; `fromConfig(getConfig())` builds an equal loss. */
  getConfig(): LossConfig {
    return { name: this.name, reduction: this.reduction, dtype: this.dtype, ...(this.checkNumerics === undefined ? {} : { checkNumerics: this.checkNumerics }) };
  }

  /** Build a loss from `getConfig()` output. */
  static fromConfig<T>(this: new (config: LossConfig) => T, config: LossConfig): T {
    return new this(config);
  }

  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.getConfig())})`;
  }

  private prepare(yTrue: TensorLike, yPred: TensorLike, sampleWeight: TensorLike | null | undefined, options: GradOptions | undefined, allowOut = false): Prepared {
    checkOptionsObject(options, "call options");
    if (options) {
      for (const key in options) {
        if (key === "mask" || (allowOut && key === "out") || !Object.prototype.hasOwnProperty.call(options, key)) continue;
        throw new ConfigError(
          `unknown call option "${key}"; the call options are mask${allowOut ? " and out" : " (and out, for grad and valueAndGrad)"} (sampleWeight is the third argument)`,
        );
      }
    }
    return {
      // A Tensor is taken as it is (toTensor's first case), without the options object.
      yPred: yPred instanceof Tensor ? yPred : toTensor(yPred, { name: "yPred", dtype: this.dtype }),
      yTrue: yTrue instanceof Tensor ? yTrue : toTensor(yTrue, { name: "yTrue", dtype: this.dtype }),
      sampleWeight: sampleWeight === undefined || sampleWeight === null ? undefined : toTensor(sampleWeight, { name: "sampleWeight", dtype: "float64" }),
      mask: options?.mask === undefined || options.mask === null ? undefined : toTensor(options.mask, { name: "mask", dtype: "float64" }),
    };
  }

  /** The weighting plan of per-sample values of `shape`: the caller's weights and mask with the loss's own. */
  private plan(shape: readonly number[], own: OwnWeighting | undefined, input: Prepared): WeightPlan {
    if (!input.sampleWeight && !input.mask && !own?.weights && !own?.mask) return unweightedPlan(shape, this.reduction);
    let sampleWeight = input.sampleWeight;
    if (own?.weights) {
      const ownWeights = own.weights;
      sampleWeight = sampleWeight
        ? multiplyWeights(sampleWeight, ownWeights, () => `sampleWeight has shape ${formatShape(sampleWeight!.shape)} but the loss's own weights have shape ${formatShape(ownWeights.shape)}`)
        : ownWeights;
    }
    return planWeights(new Tensor(SHAPE_ONLY, shape.slice()), { sampleWeight, mask: combineMasks(input.mask, own?.mask), reduction: this.reduction });
  }

  private checkGrad(grad: unknown, yPred: Tensor): Tensor {
    if (!(grad instanceof Tensor)) {
      throw new ShapeError(`${this.constructor.name}.backward must return a Tensor shaped like yPred ${formatShape(yPred.shape)}, received ${describeValue(grad)}`);
    }
    if (grad.shape.length !== yPred.shape.length || grad.shape.some((d, i) => d !== yPred.shape[i])) {
      throw new ShapeError(`${this.constructor.name}.backward returned shape ${formatShape(grad.shape)}, expected yPred's shape ${formatShape(yPred.shape)}`);
    }
    return grad;
  }
}

/**
 * A valueAndGrad upstream: the function with `out` and `uniform` assigned, always both and in
 * this order (plain assignments: a defineProperty per call costs more than a batch-1 loss).
 */
function withUpstreamFields(fn: (shape: readonly number[], own?: OwnWeighting) => FloatArray, out: FloatArray | undefined, uniform: ((shape: readonly number[]) => number) | undefined): Upstream {
  const u = fn as typeof fn & { out?: FloatArray; uniform?: (shape: readonly number[]) => number };
  u.out = out;
  u.uniform = uniform;
  // (Read as well as written, so that bundlers keep the anchor.)
  if (mapAnchor === undefined) mapAnchor = u;
  else if (mapAnchor === u) throw new Error("losskit: an upstream was made twice from one function");
  return u;
}

/**
 * The first upstream made, at module load (below), kept for as long as the module lives. The
 * upstreams of calls die with the call, and with them the maps of "a function with out and
 * uniform", which optimized code embeds: a full GC would collect the maps and discard that
 * code ("weak objects", rule 1 of src/losses/README.md). This one keeps the maps alive.
 */
let mapAnchor: Upstream | undefined;
withUpstreamFields(() => SHAPE_ONLY, new Float32Array(0), () => 1);

function isCallRecord(x: unknown): x is { values: TensorLike; mask?: Tensor; weights?: Tensor } {
  return x !== null && typeof x === "object" && !(x instanceof Tensor) && !Array.isArray(x) && !ArrayBuffer.isView(x) && "values" in x;
}

/** Keras combines the caller's mask and the loss's own mask with `&` (masks are boolean: non-zero is true). */
function combineMasks(callerMask: Tensor | undefined, ownMask: Tensor | undefined): Tensor | undefined {
  if (!callerMask) return ownMask;
  if (!ownMask) return callerMask;
  const both = multiplyWeights(booleanMask(callerMask), booleanMask(ownMask), () =>
    `mask has shape ${formatShape(callerMask.shape)} but the loss's own mask has shape ${formatShape(ownMask.shape)}`,
  );
  return both;
}

function booleanMask(mask: Tensor): Tensor {
  const offsets = elementOffsets(mask);
  const out = new Float64Array(offsets.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[offsets[i]!] !== 0 ? 1 : 0;
  return new Tensor(out, mask.shape);
}

/**
 * A built-in class's options with its default `name` filled in (`name: undefined` keeps
 * the default, as Keras's `name=None` does). Anything but `undefined` or a plain object is
 * a `ConfigError` naming what came.
 */
export function withDefaultName<R extends ReductionOption>(options: LossOptions<R> | undefined, defaultName: string): LossFunctionWrapperOptions<R> {
  if (options === undefined) return markBuiltinOptions({ name: defaultName });
  checkOptionsObject(options, `${builtinClassName(defaultName) ?? defaultName} options`);
  return markBuiltinOptions({ ...options, name: options.name ?? defaultName });
}

/** A per-sample loss function: `(yTrue, yPred) => values` (or `{ values, mask }`). */
export type PerSampleFunction = (yTrue: Tensor, yPred: Tensor, options?: Record<string, unknown>) => CallResult;

/** `backward` for a wrapped function: gradient of `Σ upstream ⊙ fn(yTrue, yPred)` w.r.t. `yPred`. */
export type BackwardFunction = (yTrue: Tensor, yPred: Tensor, upstream: Tensor, options?: Record<string, unknown>) => Tensor;

export interface LossFunctionWrapperOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Gradient of the wrapped function (built-in handles bring their own kernel). */
  backward?: BackwardFunction;
  [fnOption: string]: unknown;
}

/** The part of a built-in handle (`defineLossFunction`) that the wrapper uses. */
interface BuiltinHandle {
  lossName: string;
  validateOptions(options: Record<string, unknown>): Record<string, unknown>;
  kernel: Kernel<Record<string, unknown>>;
  total?: KernelTotal<Record<string, unknown>>;
}

/**
 * Wraps a per-sample function into a reducing, weighting, masking Loss, as Keras's
 * `LossFunctionWrapper`. Options other than `reduction`, `name`, `dtype` and `backward`
 * are passed to the function on every call. A built-in handle brings its kernel, which
 * the wrapper runs directly with the options validated once here.
 */
export class LossFunctionWrapper<R extends ReductionOption = ReductionOption> extends Loss<R> {
  declare readonly fn: PerSampleFunction;
  declare readonly fnOptions: Readonly<Record<string, unknown>>;
  declare private readonly backwardFn: BackwardFunction | undefined;
  declare private readonly kernel: Kernel<Record<string, unknown>> | undefined;
  declare private readonly kernelTotal: KernelTotal<Record<string, unknown>> | undefined;
  declare private readonly kernelOptions: KernelOptions<Record<string, unknown>>;

  /**
   * @param fn - `(yTrue, yPred, options) => per-sample values`, called with `yTrue` and
   *   `yPred` brought to the same rank; a built-in handle brings its kernel and gradient.
   * @param options - `reduction`, `name` (default: the function's name, snake_case), `dtype`,
   *   `backward` (the function's gradient), and options passed on to `fn`.
   * @throws {@link ConfigError} when `fn` or `backward` is not a function, or `fn` refuses an option.
   */
  constructor(fn: PerSampleFunction, options: LossFunctionWrapperOptions<R> = {}) {
    if (typeof fn !== "function") throw new ConfigError(`LossFunctionWrapper needs a function (yTrue, yPred) => per-sample values, received ${describeValue(fn)}`);
    checkOptionsObject(options, "LossFunctionWrapper options");
    const { reduction, name, dtype, backward, checkNumerics, ...fnOptions } = options;
    const builtin = fn as PerSampleFunction & Partial<BuiltinHandle>;
    super({ reduction, name: name ?? builtin.lossName ?? (fn.name ? snakeCase(fn.name) : "loss_function_wrapper"), dtype, checkNumerics });
    nameBuiltinClass(new.target, LossFunctionWrapper, options, builtin.lossName); // class names that survive minification
    if (backward !== undefined && typeof backward !== "function") throw new ConfigError(`backward must be a function, received ${describeValue(backward)}`);
    const validated = Object.freeze(builtin.validateOptions ? builtin.validateOptions(fnOptions) : { ...fnOptions });
    Object.defineProperty(this, "fn", { value: fn });
    Object.defineProperty(this, "fnOptions", { value: validated });
    Object.defineProperty(this, "kernelOptions", { value: { ...validated, dtype: this.dtype } });
    Object.defineProperty(this, "kernel", { value: backward ? undefined : builtin.kernel });
    Object.defineProperty(this, "kernelTotal", { value: backward ? undefined : builtin.total });
    // A function may carry its gradient as `fn.backward` (so a registered function keeps it).
    const carried = (fn as { backward?: unknown }).backward;
    Object.defineProperty(this, "backwardFn", { value: backward ?? (typeof carried === "function" ? carried : undefined) });
  }

  evaluate(yTrue: Tensor, yPred: Tensor, upstream?: Upstream): KernelResult {
    if (this.kernel) return this.kernel(yTrue, yPred, this.optionsForKernel(), upstream);
    return super.evaluate(yTrue, yPred, upstream);
  }

  evaluateTotal(yTrue: Tensor, yPred: Tensor): { sum: number; shape: number[] } | undefined {
    // A subclass that overrides evaluate() gets its own evaluate, not the kernel's total.
    if (!this.kernelTotal || this.evaluate !== LossFunctionWrapper.prototype.evaluate) return undefined;
    return this.kernelTotal(yTrue, yPred, this.optionsForKernel());
  }

  call(yTrue: Tensor, yPred: Tensor): CallResult {
    if (this.kernel) return this.kernel(yTrue, yPred, this.optionsForKernel());
    // Keras's LossFunctionWrapper lines the ranks up before calling the function.
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    return this.fn(t, p, this.optionsForKernel());
  }

  backward(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor {
    if (this.kernel) return this.kernel(yTrue, yPred, this.optionsForKernel(), fixedUpstream(upstream)).grad!;
    if (this.backwardFn) {
      const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
      const grad = this.backwardFn(t, p, upstream, this.optionsForKernel());
      // The function saw yPred with its rank adjusted; give the gradient yPred's shape.
      if (grad instanceof Tensor && p !== yPred && grad.size === yPred.size) return reshape(grad, yPred.shape);
      return grad;
    }
    throw new GradientNotImplementedError(
      `${this.name} has no gradient: pass { backward: (yTrue, yPred, upstream) => grad } to LossFunctionWrapper, ` +
        `returning d(Σ upstream·values)/d yPred shaped like yPred; numericalGrad(loss, yTrue, yPred) checks it`,
    );
  }

  /** The function's options plus the output dtype (cached: kernels run per call). */
  private optionsForKernel(): KernelOptions<Record<string, unknown>> {
    // A view of this loss with another dtype (numericalGrad evaluates in float64) gets its own.
    return this.kernelOptions.dtype === this.dtype ? this.kernelOptions : { ...this.fnOptions, dtype: this.dtype };
  }

  getConfig(): LossConfig {
    return { ...super.getConfig(), ...this.fnOptions };
  }

  /** Subclasses rebuild from their config; a bare wrapper needs its function, which `deserializeLoss` looks up. */
  static fromConfig<T>(this: new (config: LossConfig) => T, config: LossConfig): T {
    if ((this as unknown) === LossFunctionWrapper) {
      throw new ConfigError(
        `LossFunctionWrapper.fromConfig cannot rebuild a function from a config; register it with registerLoss(name, fn) and use deserializeLoss({ className: "LossFunctionWrapper", config })`,
      );
    }
    return new this(config);
  }
}

/** Throw unless `x` holds only integers in `[0, limit)` (or equal to `allowed`). */
export function checkIntegerLabels(labels: Tensor, limit: number, name: string, allowed?: number): void {
  const offsets = labels.isContiguous ? null : elementOffsets(labels);
  for (let i = 0; i < labels.size; i++) {
    const v = labels.data[offsets ? offsets[i]! : labels.offset + i]!;
    if (v === allowed) continue;
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new InputError(`${name} must hold integer class indices in [0, ${limit - 1}], received ${v} at flat index ${i}`);
    }
  }
}
