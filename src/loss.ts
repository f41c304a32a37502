import { ConfigError, GradientNotImplementedError, InputError, ShapeError, describeValue, formatShape } from "./errors";
import { applyPlan, multiplyWeights, planWeights, standardizeReduction, upstreamOf, type Reduction, type ReductionOption, type WeightPlan } from "./reduction/reduce";
import { squeezeOrExpandToSameRank } from "./reduction/rank";
import { toTensor, type TensorLike } from "./tensor/convert";
import { SHAPE_ONLY, Tensor, type DType } from "./tensor/tensor";
import { reshape } from "./tensor/views";
import { elementOffsets } from "./tensor/rows";

/** Options every loss class takes. */
export interface LossOptions {
  /** `"sum_over_batch_size"` (default), `"sum"`, `"mean"`, `"mean_with_sample_weight"`, `"none"` or `null`. */
  reduction?: ReductionOption;
  /** Defaults to the Keras name (`"mean_squared_error"`, …). */
  name?: string;
  /** Element type of returned tensors (`"float32"` default, as Keras's floatx). */
  dtype?: DType;
}

/** Options of a single call. */
export interface CallOptions {
  /** Positions that count (1/true) and those that do not (0/false); combined with the loss's own mask. */
  mask?: TensorLike | null;
}

export type LossResult = number | Tensor;

export interface ValueAndGrad {
  value: LossResult;
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

/** Result of `forwardBackward`: per-sample values and the gradient for a given upstream. */
export interface ForwardBackward {
  values: Tensor;
  grad: Tensor;
}

/**
 * Gives a fused forward/backward kernel the upstream (`d result / d values`) once it
 * knows the shape of the per-sample values and its own mask (both depend only on the
 * input shapes and labels, never on the values).
 */
export type UpstreamFor = (valuesShape: readonly number[], ownMask?: Tensor) => Tensor;

function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** The call signature every Loss instance has. */
export interface Loss {
  (yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: CallOptions): LossResult;
}

/**
 * Base class of every loss, as Keras's `keras.losses.Loss`. An instance is callable:
 * `loss(yTrue, yPred, sampleWeight?, { mask }?)` computes the per-sample values with
 * `call()`, then weights, masks and reduces them in the shared reduction module. It
 * returns a `number` for the reducing reductions and a `Tensor` for `"none"`.
 *
 * Subclass it and implement `call(yTrue, yPred)` (per-sample values) and, for gradients,
 * `backward(yTrue, yPred, upstream)`.
 */
export abstract class Loss {
  declare name: string;
  declare readonly reduction: Reduction;
  declare readonly dtype: DType;

  constructor(options: LossOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new ConfigError(`${new.target.name} options must be an object, received ${describeValue(options)}`);
    }
    // An instance is a function whose prototype chain is the class's, so that
    // `loss(yTrue, yPred)` works as Keras's `loss(y_true, y_pred)` does.
    const self = ((yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, callOptions?: CallOptions) =>
      self.compute(yTrue, yPred, sampleWeight, callOptions)) as unknown as Loss;
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
    return self;
  }

  /** Per-sample loss values (no weighting, no reduction). Subclasses implement this. */
  abstract call(yTrue: Tensor, yPred: Tensor): TensorLike;

  /**
   * Gradient of `Σ upstream ⊙ call(yTrue, yPred)` with respect to `yPred`, shaped like
   * `yPred`. Subclasses that want `grad()` implement it.
   */
  backward?(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor;

  /** Optional fused kernel: per-sample values and the gradient in one pass. */
  forwardBackward?(yTrue: Tensor, yPred: Tensor, upstreamFor: UpstreamFor): ForwardBackward;

  /** Keras's `__call__`: per-sample values, then weighting, masking and reduction. */
  compute(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: CallOptions): LossResult {
    const input = this.prepare(yTrue, yPred, sampleWeight, options);
    const values = this.perSample(input);
    return applyPlan(values, this.plan(values, values.mask, input), this.dtype);
  }

  /** `d(this(yTrue, yPred, sampleWeight, options)) / d yPred`, shaped like `yPred`. */
  grad(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: CallOptions): Tensor {
    return this.valueAndGrad(yTrue, yPred, sampleWeight, options).grad;
  }

  /** The value of the call and its gradient with respect to `yPred`. */
  valueAndGrad(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: CallOptions): ValueAndGrad {
    const input = this.prepare(yTrue, yPred, sampleWeight, options);
    if (this.forwardBackward) {
      let plan: WeightPlan | undefined;
      const upstreamFor: UpstreamFor = (shape, ownMask) => {
        const probe = new Tensor(SHAPE_ONLY, shape.slice());
        plan = this.plan(probe, ownMask, input);
        return upstreamOf(probe, plan);
      };
      const { values, grad } = this.forwardBackward(input.yTrue, input.yPred, upstreamFor);
      if (!plan) throw new Error(`${this.constructor.name}.forwardBackward did not ask for its upstream`);
      return { value: applyPlan(values, plan, this.dtype), grad: this.checkGrad(grad, input.yPred) };
    }
    if (!this.backward) {
      throw new GradientNotImplementedError(
        `${this.constructor.name} (${this.name}) has no backward(): implement backward(yTrue, yPred, upstream) returning d(Σ upstream·values)/d yPred, ` +
          `or pass { backward } to LossFunctionWrapper; numericalGrad(loss, yTrue, yPred) checks it`,
      );
    }
    const values = this.perSample(input);
    const plan = this.plan(values, values.mask, input);
    const grad = this.backward(input.yTrue, input.yPred, upstreamOf(values, plan));
    return { value: applyPlan(values, plan, this.dtype), grad: this.checkGrad(grad, input.yPred) };
  }

  /** JSON-safe configuration; `fromConfig(getConfig())` builds an equal loss. */
  getConfig(): LossConfig {
    return { name: this.name, reduction: this.reduction, dtype: this.dtype };
  }

  /** Build a loss from `getConfig()` output. */
  static fromConfig<T>(this: new (config: LossConfig) => T, config: LossConfig): T {
    return new this(config);
  }

  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.getConfig())})`;
  }

  private prepare(yTrue: TensorLike, yPred: TensorLike, sampleWeight: TensorLike | null | undefined, options: CallOptions | undefined): Prepared {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new ConfigError(`call options must be an object like { mask }, received ${describeValue(options)}`);
    }
    if (options) {
      for (const key of Object.keys(options)) {
        if (key !== "mask") throw new ConfigError(`unknown call option "${key}"; the only call option is mask (sampleWeight is the third argument)`);
      }
    }
    return {
      yPred: toTensor(yPred, { name: "yPred", dtype: this.dtype }),
      yTrue: toTensor(yTrue, { name: "yTrue", dtype: this.dtype }),
      sampleWeight: sampleWeight === undefined || sampleWeight === null ? undefined : toTensor(sampleWeight, { name: "sampleWeight", dtype: "float64" }),
      mask: options?.mask === undefined || options.mask === null ? undefined : toTensor(options.mask, { name: "mask", dtype: "float64" }),
    };
  }

  private perSample(input: Prepared): Tensor {
    const out = this.call(input.yTrue, input.yPred);
    if (out instanceof Tensor) return out;
    return toTensor(out, { name: `${this.constructor.name}.call() result`, dtype: this.dtype });
  }

  private plan(values: { shape: readonly number[]; size: number } & Partial<Pick<Tensor, "rank">>, ownMask: Tensor | undefined, input: Prepared): WeightPlan {
    const valuesTensor = values instanceof Tensor ? values : new Tensor(SHAPE_ONLY, values.shape.slice());
    return planWeights(valuesTensor, { sampleWeight: input.sampleWeight, mask: combineMasks(input.mask, ownMask), reduction: this.reduction });
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

/** A per-sample loss function: `(yTrue, yPred) => values`. */
export type PerSampleFunction = (yTrue: Tensor, yPred: Tensor, options?: Record<string, unknown>) => TensorLike;

/** `backward` for a wrapped function: gradient of `Σ upstream ⊙ fn(yTrue, yPred)` w.r.t. `yPred`. */
export type BackwardFunction = (yTrue: Tensor, yPred: Tensor, upstream: Tensor, options?: Record<string, unknown>) => Tensor;

export interface LossFunctionWrapperOptions extends LossOptions {
  /** Gradient of the wrapped function (built-in handles bring their own `vjp`). */
  backward?: BackwardFunction;
  [fnOption: string]: unknown;
}

/**
 * Wraps a per-sample function into a reducing, weighting, masking Loss, as Keras's
 * `LossFunctionWrapper`. Options other than `reduction`, `name`, `dtype` and `backward`
 * are passed to the function on every call.
 */
export class LossFunctionWrapper extends Loss {
  declare readonly fn: PerSampleFunction;
  declare readonly fnOptions: Readonly<Record<string, unknown>>;
  declare private readonly backwardFn: BackwardFunction | undefined;
  /** Built-in handles: the kernels and their options, validated once here. */
  declare private readonly kernel: BuiltinKernel | undefined;
  declare private readonly kernelOptions: Record<string, unknown>;

  constructor(fn: PerSampleFunction, options: LossFunctionWrapperOptions = {}) {
    if (typeof fn !== "function") throw new ConfigError(`LossFunctionWrapper needs a function (yTrue, yPred) => per-sample values, received ${describeValue(fn)}`);
    const { reduction, name, dtype, backward, ...fnOptions } = options;
    const builtin = fn as PerSampleFunction & Partial<BuiltinHandle>;
    super({ reduction, name: name ?? builtin.lossName ?? (fn.name ? snakeCase(fn.name) : "loss_function_wrapper"), dtype });
    if (backward !== undefined && typeof backward !== "function") throw new ConfigError(`backward must be a function, received ${describeValue(backward)}`);
    const validated = Object.freeze(builtin.validateOptions ? builtin.validateOptions(fnOptions) : { ...fnOptions });
    Object.defineProperty(this, "fn", { value: fn });
    Object.defineProperty(this, "fnOptions", { value: validated });
    Object.defineProperty(this, "kernelOptions", { value: { ...validated, dtype: this.dtype } });
    const kernel = backward ? undefined : builtin.kernel;
    Object.defineProperty(this, "kernel", { value: kernel });
    // A function may carry its gradient as `fn.backward` (so a registered function keeps it).
    const carried = (fn as { backward?: unknown }).backward;
    Object.defineProperty(this, "backwardFn", { value: backward ?? (typeof carried === "function" ? carried : undefined) });
    if (kernel?.forwardBackward) {
      const fused = kernel.forwardBackward;
      Object.defineProperty(this, "forwardBackward", {
        value(this: LossFunctionWrapper, yTrue: Tensor, yPred: Tensor, upstreamFor: UpstreamFor): ForwardBackward {
          return fused(yTrue, yPred, upstreamFor, this.optionsForKernel());
        },
      });
    }
  }

  call(yTrue: Tensor, yPred: Tensor): TensorLike {
    if (this.kernel) return this.kernel.forward(yTrue, yPred, this.optionsForKernel());
    // Keras's LossFunctionWrapper lines the ranks up before calling the function.
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    return this.fn(t, p, this.optionsForKernel());
  }

  backward(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor {
    if (this.kernel) return this.kernel.backward(yTrue, yPred, upstream, this.optionsForKernel());
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
  private optionsForKernel(): Record<string, unknown> {
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

/** The part of a built-in handle (`defineLossFunction`) that the wrapper uses. */
interface BuiltinKernel {
  forward(yTrue: Tensor, yPred: Tensor, options: Record<string, unknown>): Tensor;
  backward(yTrue: Tensor, yPred: Tensor, upstream: Tensor, options: Record<string, unknown>): Tensor;
  forwardBackward?(yTrue: Tensor, yPred: Tensor, upstreamFor: UpstreamFor, options: Record<string, unknown>): ForwardBackward;
}

interface BuiltinHandle {
  lossName: string;
  validateOptions(options: Record<string, unknown>): Record<string, unknown>;
  kernel: BuiltinKernel;
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
