/**
 * Weight and activity penalties with Keras's definitions (`keras.regularizers`,
 * `keras.layers.ActivityRegularization`), each with its gradient.
 *
 * @module
 */
import { ConfigError, LossError, describeValue } from "../errors";
import { toTensor, type TensorLike } from "../tensor/convert";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { elementOffsets } from "../tensor/rows";
import { checkOptionsObject } from "../options";
import { callableInstance } from "./internal";

/** What a regularizer accepts: one tensor, or a list of tensors (their penalties add up). */
export type RegularizerInput = TensorLike | readonly TensorLike[];

/** JSON-safe configuration: Keras's `get_config()` (`{ l1 }`, `{ l2 }` or `{ l1, l2 }`). */
export interface RegularizerConfig {
  l1?: number;
  l2?: number;
  /** Set for {@link activityRegularization}: the penalty is divided by the batch size. */
  activity?: boolean;
}

/** The call signature of a regularizer. */
export interface Regularizer {
  (x: RegularizerInput): number;
}

type Kind = "l1" | "l2" | "l1l2";

/**
 * A penalty `l1 · Σ|x| + l2 · Σx²` (Keras's `L1L2`), callable on a tensor or a list of
 * tensors; made by {@link l1}, {@link l2}, {@link l1l2} and {@link activityRegularization}.
 * `grad(x)` is its gradient with respect to `x` (a Tensor shaped like `x`, or a list of
 * them for a list): `l1 · sign(x) + 2 · l2 · x`, with `sign(0) = 0` as TensorFlow's
 * gradient of `abs`. An activity regularizer divides each tensor's penalty (and gradient)
 * by that tensor's batch size `shape[0]` (Keras's `Layer` does, with `divide_no_nan`).
 *
 * A plain nested array is one tensor (`[[1, 2], [3, 4]]` is 2×2); a list of tensors is an
 * array of `Tensor`s, typed arrays or ndarray-like objects. Sums are accumulated in
 * doubles and returned as a JS number; gradients have the input's dtype (nested arrays are
 * read as float64).
 */
export class Regularizer {
  /** The L1 factor (0 when unused). */
  declare readonly l1: number;
  /** The L2 factor (0 when unused). */
  declare readonly l2: number;
  /** True for activity regularizers: the penalty is divided by the batch size. */
  declare readonly activity: boolean;
  declare private readonly kind: Kind;

  constructor(config: RegularizerConfig = {}) {
    checkOptionsObject(config, "Regularizer config");
    for (const key of Object.keys(config)) {
      if (key !== "l1" && key !== "l2" && key !== "activity") throw new ConfigError(`${key} is not an option of a regularizer; its options are l1, l2 (and activity)`);
    }
    const self = callableInstance<Regularizer, (x: RegularizerInput) => number>(new.target.prototype, (s) => (x) => s.valueAndGrad(x, false).value);
    const hasL1 = config.l1 !== undefined && config.l1 !== null;
    const hasL2 = config.l2 !== undefined && config.l2 !== null;
    const kind: Kind = hasL1 && !hasL2 ? "l1" : hasL2 && !hasL1 ? "l2" : "l1l2";
    Object.defineProperty(self, "l1", { value: hasL1 ? checkFactor(config.l1, "l1") : 0, enumerable: true });
    Object.defineProperty(self, "l2", { value: hasL2 ? checkFactor(config.l2, "l2") : 0, enumerable: true });
    if (config.activity !== undefined && typeof config.activity !== "boolean") throw new ConfigError(`activity must be a boolean, received ${describeValue(config.activity)}`);
    Object.defineProperty(self, "activity", { value: config.activity === true, enumerable: true });
    Object.defineProperty(self, "kind", { value: kind });
    return self;
  }

  /** `d penalty / d x`: a Tensor shaped like `x`, or a list of them when `x` is a list. */
  grad(x: TensorLike): Tensor;
  grad(x: readonly TensorLike[]): Tensor[];
  grad(x: RegularizerInput): Tensor | Tensor[];
  grad(x: RegularizerInput): Tensor | Tensor[] {
    return this.valueAndGrad(x).grad;
  }

  /** The penalty and its gradient in one pass over each tensor. */
  valueAndGrad(x: TensorLike): { value: number; grad: Tensor };
  valueAndGrad(x: readonly TensorLike[]): { value: number; grad: Tensor[] };
  valueAndGrad(x: RegularizerInput, withGrad?: boolean): { value: number; grad: Tensor | Tensor[] };
  valueAndGrad(x: RegularizerInput, withGrad = true): { value: number; grad: Tensor | Tensor[] } {
    const list = isTensorList(x);
    const inputs = list ? (x as readonly TensorLike[]) : [x as TensorLike];
    let value = 0;
    const grads: Tensor[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const t = convert(inputs[i]!, list ? `x[${i}]` : "x");
      // Keras divides an activity penalty by the batch size with divide_no_nan.
      const batch = this.activity && t.rank > 0 ? t.shape[0]! : 1;
      const scale = batch === 0 ? 0 : 1 / batch;
      let sum: number;
      if (t.isContiguous) {
        sum = penaltyContiguous(t.data, t.offset, t.size, this.l1, this.l2);
        if (withGrad) {
          const out = allocate(t.dtype, t.size);
          penaltyGradContiguous(t.data, t.offset, t.size, this.l1, this.l2, scale, out);
          grads.push(new Tensor(out, t.shape));
        }
      } else {
        const offsets = elementOffsets(t);
        sum = penaltyStrided(t.data, offsets, this.l1, this.l2);
        if (withGrad) {
          const out = allocate(t.dtype, t.size);
          penaltyGradStrided(t.data, offsets, this.l1, this.l2, scale, out);
          grads.push(new Tensor(out, t.shape));
        }
      }
      value += sum * scale;
    }
    return { value, grad: list ? grads : grads[0]! };
  }

  /** Keras's `get_config()`: `{ l1 }`, `{ l2 }` or `{ l1, l2 }` (plus `activity: true`). */
  getConfig(): RegularizerConfig {
    const config: RegularizerConfig = this.kind === "l1" ? { l1: this.l1 } : this.kind === "l2" ? { l2: this.l2 } : { l1: this.l1, l2: this.l2 };
    if (this.activity) config.activity = true;
    return config;
  }

  /** Rebuild a regularizer from `getConfig()` output (or Keras's `{ l1, l2 }` config). */
  static fromConfig(config: RegularizerConfig): Regularizer {
    return new Regularizer(config);
  }

  toString(): string {
    const name = this.activity ? "activityRegularization" : this.kind;
    return `${name}(${JSON.stringify(this.getConfig())})`;
  }
}

function checkFactor(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`Invalid value for argument ${name}: expected a non-negative finite number. Received: ${name}=${describeValue(value)}`);
  }
  return value;
}

/** An array whose elements are tensors (not numbers or nested number arrays). */
function isTensorList(x: unknown): boolean {
  if (!Array.isArray(x) || x.length === 0) return false;
  const first = x[0];
  return first instanceof Tensor || ArrayBuffer.isView(first) || (first !== null && typeof first === "object" && !Array.isArray(first));
}

function convert(x: TensorLike, name: string): Tensor {
  try {
    return toTensor(x, { name, dtype: "float64" });
  } catch (error) {
    if (error instanceof LossError) {
      const Kind = error.constructor as new (message: string) => LossError;
      throw new Kind(`regularizer: ${error.message}`);
    }
    throw error;
  }
}

// penalty = l1 Σ|x| + l2 Σx², accumulated in doubles (one pass, two accumulators each).
function penaltyContiguous(data: FloatArray, start: number, n: number, l1: number, l2: number): number {
  let abs = 0, sq = 0;
  for (let i = start, end = start + n; i < end; i++) {
    const v = data[i]!;
    abs += Math.abs(v);
    sq += v * v;
  }
  return l1 * abs + l2 * sq;
}

function penaltyStrided(data: FloatArray, offsets: Int32Array, l1: number, l2: number): number {
  let abs = 0, sq = 0;
  for (let i = 0; i < offsets.length; i++) {
    const v = data[offsets[i]!]!;
    abs += Math.abs(v);
    sq += v * v;
  }
  return l1 * abs + l2 * sq;
}

// d/dx = scale (l1 sign(x) + 2 l2 x); Math.sign(0) = 0 as TensorFlow's abs gradient, NaN stays NaN.
function penaltyGradContiguous(data: FloatArray, start: number, n: number, l1: number, l2: number, scale: number, out: FloatArray): void {
  const a = l1 * scale, b = 2 * l2 * scale;
  for (let i = 0; i < n; i++) {
    const v = data[start + i]!;
    out[i] = a * Math.sign(v) + b * v;
  }
}

function penaltyGradStrided(data: FloatArray, offsets: Int32Array, l1: number, l2: number, scale: number, out: FloatArray): void {
  const a = l1 * scale, b = 2 * l2 * scale;
  for (let i = 0; i < offsets.length; i++) {
    const v = data[offsets[i]!]!;
    out[i] = a * Math.sign(v) + b * v;
  }
}

/**
 * L1 weight penalty (`keras.regularizers.L1`): `factor · Σ|x|`; gradient `factor · sign(x)`.
 * `factor` defaults to `0.01` (Keras's default) and must be a finite number >= 0.
 *
 * @example
 * l1(0.1)([[1, -2], [3, 0]]);        // 0.6000000000000001
 * l1(0.1).grad([1, -2, 0]).toArray(); // [0.1, -0.1, 0]
 */
export function l1(factor = 0.01): Regularizer {
  return new Regularizer({ l1: factor });
}

/**
 * L2 weight penalty (`keras.regularizers.L2`): `factor · Σx²`, Keras's definition (not
 * `tf.nn.l2_loss`'s `½Σx²`); gradient `2 · factor · x`. `factor` defaults to `0.01`.
 *
 * @example
 * l2(2)(new Array(5).fill(new Array(5).fill(1))); // 50 (Keras's Regularizer docstring: L2(2.) on ones(5, 5))
 * l2(0.5).grad([1, -2]).toArray();                 // [1, -2]
 */
export function l2(factor = 0.01): Regularizer {
  return new Regularizer({ l2: factor });
}

/**
 * L1 and L2 penalties together (`keras.regularizers.L1L2`): `l1 · Σ|x| + l2 · Σx²`. Each
 * factor defaults to `0` (as Keras 3's `L1L2`, so `l1l2({ l2: 0.1 })` is an L2 penalty only).
 *
 * @example
 * l1l2({ l1: 0.1, l2: 0.2 })([1, -2]); // 1.3 (0.1·3 + 0.2·5)
 */
export function l1l2(factors: { l1?: number; l2?: number } = {}): Regularizer {
  checkOptionsObject(factors, "l1l2 factors");
  return new Regularizer({ l1: factors.l1 ?? 0, l2: factors.l2 ?? 0 });
}

/**
 * An activity penalty on a layer's outputs (`keras.layers.ActivityRegularization`, and a
 * layer's `activity_regularizer`): the penalty of each output tensor divided by its batch
 * size `shape[0]`, so that its strength does not change with the batch size. Give the
 * factors (`{ l1, l2 }`, each default `0`, as Keras's layer) or a regularizer to reuse.
 *
 * @example
 * // Keras's Regularizer docstring: Dense(5) with a ones kernel on 2·ones(5, 5) outputs
 * // 10 everywhere; L2(0.01) on those activations, divided by the batch of 5, is 5.
 * activityRegularization({ l2: 0.01 })(new Array(5).fill(new Array(5).fill(10))); // 5
 */
export function activityRegularization(factors: { l1?: number; l2?: number } | Regularizer = {}): Regularizer {
  if (factors instanceof Regularizer) return new Regularizer({ l1: factors.l1, l2: factors.l2, activity: true });
  checkOptionsObject(factors, "activityRegularization factors ({ l1, l2 } or a regularizer)");
  return new Regularizer({ l1: factors.l1 ?? 0, l2: factors.l2 ?? 0, activity: true });
}
