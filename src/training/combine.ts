/**
 * Losses of several outputs (`compile(loss={…}, loss_weights={…})`) and weighted blends
 * of losses on one output (`0.7·mse + 0.3·mae`).
 *
 * @module
 */
import { ConfigError, GradientNotImplementedError, InputError, ShapeError, describeValue, formatShape } from "../errors";
import { fixedUpstream } from "../kernel";
import { Loss, type CallResult, type LossConfig, type LossOptions, type LossResult } from "../loss";
import { keepClassName } from "../names";
import { checkOptionsObject } from "../options";
import { multiplyWeights } from "../reduction/reduce";
import { getLoss, serializeLoss, type LossIdentifier } from "../registry";
import { toTensor, type TensorLike } from "../tensor/convert";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { callableInstance, flatValues, isPlainObject, listWords } from "./internal";

// ---------------------------------------------------------------------------------------
// combineLosses

/** Options of {@link combineLosses}. */
export interface CombineLossesOptions<W = Readonly<Record<string, number>> | readonly number[]> {
  /**
   * A coefficient per output (Keras's `loss_weights`): an object keyed by output name
   * (outputs it does not name weigh 1) or an array with one number per loss. Default: all 1.
   */
  lossWeights?: W;
}

/** What a combined loss returns: Keras's total and each output's (unweighted) loss. */
export interface CombinedValue<Parts> {
  /** `Σ lossWeights[k] · parts[k]`, what Keras's compiled loss returns. */
  total: number;
  /** Each output's loss before its weight (what Keras reports as `<output>_loss`). */
  parts: Parts;
}

/** `valueAndGrad` of a combined loss: the value, and `d total / d yPred[k]` per output. */
export interface CombinedValueAndGrad<Parts, Grads> extends CombinedValue<Parts> {
  /** Per output, the gradient of `total` with respect to that output's `yPred` (weight included). */
  grads: Grads;
}

/** A sample weight per output (an object keyed by output, or an array for array losses), or one shared by all. */
export type SampleWeightByOutput<Inputs> = Inputs extends readonly unknown[]
  ? ReadonlyArray<TensorLike | null | undefined> | Tensor | Float32Array | Float64Array | number
  : { readonly [K in keyof Inputs]?: TensorLike | null } | Tensor | Float32Array | Float64Array | number;

/** The call signature of a combined loss. */
export interface CombinedLoss<Parts, Grads, Inputs> {
  (yTrue: Inputs, yPred: Inputs, sampleWeight?: SampleWeightByOutput<Inputs> | null): CombinedValue<Parts>;
}

/**
 * The loss of a model with several outputs, as Keras's `compile(loss=…, loss_weights=…)`:
 * made by {@link combineLosses}; callable as `combined(yTrue, yPred, sampleWeight?)`.
 */
export class CombinedLoss<Parts = Record<string, number>, Grads = Record<string, Tensor>, Inputs = Record<string, TensorLike>> {
  /** Output names in order (`"0"`, `"1"`, … for array losses). */
  declare readonly outputNames: readonly string[];
  /** The loss of each output, in `outputNames` order. */
  declare readonly losses: readonly Loss[];
  /** The weight of each output, in `outputNames` order. */
  declare readonly lossWeights: readonly number[];
  declare private readonly isList: boolean;

  constructor(losses: Readonly<Record<string, LossIdentifier>> | readonly LossIdentifier[], options: CombineLossesOptions = {}) {
    const self = callableInstance<CombinedLoss<Parts, Grads, Inputs>, CombinedLoss<Parts, Grads, Inputs>>(new.target.prototype, (s) =>
      ((yTrue: Inputs, yPred: Inputs, sampleWeight?: SampleWeightByOutput<Inputs> | null) => s.run(yTrue, yPred, sampleWeight, false)) as CombinedLoss<Parts, Grads, Inputs>,
    );
    checkOptionsObject(options, "combineLosses options");
    for (const key of Object.keys(options ?? {})) {
      if (key !== "lossWeights") throw new ConfigError(`${key} is not an option of combineLosses; its only option is lossWeights`);
    }
    const isList = Array.isArray(losses);
    let names: string[];
    let identifiers: LossIdentifier[];
    if (isList) {
      identifiers = (losses as readonly LossIdentifier[]).slice();
      names = identifiers.map((_, i) => String(i));
    } else if (isPlainObject(losses)) {
      names = Object.keys(losses);
      identifiers = names.map((k) => (losses as Record<string, LossIdentifier>)[k]!);
    } else {
      throw new ConfigError(`combineLosses needs an object { output: loss } or an array of losses, received ${describeValue(losses)}`);
    }
    if (names.length === 0) throw new ConfigError("combineLosses needs at least one loss");
    const built = identifiers.map((id, i) => {
      try {
        return getLoss(id);
      } catch (error) {
        if (error instanceof ConfigError) throw new ConfigError(`loss of output "${names[i]}": ${error.message}`);
        throw error;
      }
    });
    const weights = lossWeightsFor(names, isList, options.lossWeights);
    Object.defineProperty(self, "outputNames", { value: Object.freeze(names), enumerable: true });
    Object.defineProperty(self, "losses", { value: Object.freeze(built), enumerable: true });
    Object.defineProperty(self, "lossWeights", { value: Object.freeze(weights), enumerable: true });
    Object.defineProperty(self, "isList", { value: isList });
    return self;
  }

  /** The total, each output's loss, and the gradient of the total with respect to each output's `yPred`. */
  valueAndGrad(yTrue: Inputs, yPred: Inputs, sampleWeight?: SampleWeightByOutput<Inputs> | null): CombinedValueAndGrad<Parts, Grads> {
    return this.run(yTrue, yPred, sampleWeight, true) as CombinedValueAndGrad<Parts, Grads>;
  }

  private run(yTrue: unknown, yPred: unknown, sampleWeight: unknown, withGrad: boolean): CombinedValue<Parts> | CombinedValueAndGrad<Parts, Grads> {
    const names = this.outputNames;
    const weightsByOutput = this.sampleWeightsByOutput(sampleWeight);
    const parts: Record<string, number> | number[] = this.isList ? [] : {};
    const grads: Record<string, Tensor> | Tensor[] = this.isList ? [] : {};
    let total = 0;
    for (let i = 0; i < names.length; i++) {
      const key = names[i]!;
      const t = this.pick(yTrue, "yTrue", i);
      const p = this.pick(yPred, "yPred", i);
      const sw = weightsByOutput ? weightsByOutput[i] : (sampleWeight as TensorLike | null | undefined);
      const loss = this.losses[i]!;
      const w = this.lossWeights[i]!;
      let value: LossResult;
      if (withGrad) {
        const both = loss.valueAndGrad(t, p, sw);
        value = both.value;
        (grads as Record<string, Tensor>)[key] = w === 1 ? both.grad : scaled(both.grad, w);
      } else {
        value = loss(t, p, sw);
      }
      if (typeof value !== "number") {
        throw new ConfigError(`the loss of output "${key}" (${loss.name}) returned a Tensor (reduction "${loss.reduction}"); combineLosses needs losses that reduce to a number`);
      }
      (parts as Record<string, number>)[key] = value;
      total += w * value;
    }
    return withGrad ? { total, parts: parts as Parts, grads: grads as Grads } : { total, parts: parts as Parts };
  }

  private pick(structure: unknown, what: "yTrue" | "yPred", i: number): TensorLike {
    const names = this.outputNames;
    if (this.isList) {
      if (!Array.isArray(structure)) {
        throw new InputError(`${what} must be an array with one entry per output (${names.length}), received ${describeValue(structure)}`);
      }
      if (i >= structure.length) throw new InputError(`${what} has ${structure.length} entries but there are ${names.length} outputs`);
      return structure[i] as TensorLike;
    }
    if (!isPlainObject(structure)) {
      throw new InputError(`${what} must be an object keyed by output name (${listWords(names.map((n) => `"${n}"`))}), received ${describeValue(structure)}`);
    }
    const key = names[i]!;
    const value = structure[key];
    if (value === undefined || value === null) {
      const has = Object.keys(structure);
      throw new InputError(`${what} has no output "${key}"; expected ${listWords(names.map((n) => `"${n}"`))}, received ${has.length ? listWords(has.map((n) => `"${n}"`)) : "no keys"}`);
    }
    return value as TensorLike;
  }

  /** Per-output sample weights (Keras: a nested structure), or null for one weight shared by all outputs. */
  private sampleWeightsByOutput(sampleWeight: unknown): (TensorLike | null | undefined)[] | null {
    const names = this.outputNames;
    if (sampleWeight === undefined || sampleWeight === null) return null;
    if (this.isList) {
      if (!Array.isArray(sampleWeight)) return null;
      if (sampleWeight.length !== names.length) {
        throw new ConfigError(
          `sampleWeight is an array of ${sampleWeight.length} entries but there are ${names.length} outputs; give one entry (or null) per output, or one Tensor / typed array shared by every output`,
        );
      }
      return sampleWeight as (TensorLike | null | undefined)[];
    }
    if (!isPlainObject(sampleWeight)) return null;
    const keys = Object.keys(sampleWeight);
    // An ndarray-like { data, shape } is a weight shared by every output.
    if ("data" in sampleWeight && "shape" in sampleWeight && !names.includes("data") && !names.includes("shape")) return null;
    const unknown = keys.filter((k) => !names.includes(k));
    if (unknown.length > 0) {
      throw new ConfigError(`sampleWeight has ${listWords(unknown.map((k) => `"${k}"`))}, which ${unknown.length > 1 ? "are not outputs" : "is not an output"}; the outputs are ${listWords(names.map((n) => `"${n}"`))}`);
    }
    return names.map((k) => sampleWeight[k] as TensorLike | null | undefined);
  }
}

function lossWeightsFor(names: string[], isList: boolean, lossWeights: unknown): number[] {
  const check = (value: unknown, label: string): number => {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new ConfigError(`lossWeights${label} must be a finite number, received ${describeValue(value)}`);
    return value;
  };
  if (lossWeights === undefined || lossWeights === null) return names.map(() => 1);
  if (Array.isArray(lossWeights)) {
    if (lossWeights.length !== names.length) {
      throw new ConfigError(`lossWeights must match the number of losses, got ${names.length} losses and ${lossWeights.length} weights`);
    }
    return lossWeights.map((w, i) => check(w, `[${i}]`));
  }
  if (isPlainObject(lossWeights)) {
    if (isList) throw new ConfigError("lossWeights must be an array (one number per loss) when the losses are an array");
    const unknown = Object.keys(lossWeights).filter((k) => !names.includes(k));
    if (unknown.length > 0) {
      throw new ConfigError(`lossWeights has ${listWords(unknown.map((k) => `"${k}"`))}, which ${unknown.length > 1 ? "are not outputs" : "is not an output"}; the outputs are ${listWords(names.map((n) => `"${n}"`))}`);
    }
    return names.map((k) => (lossWeights[k] === undefined ? 1 : check(lossWeights[k], `.${k}`)));
  }
  throw new ConfigError(`lossWeights must be an object { output: weight } or an array of numbers, received ${describeValue(lossWeights)}`);
}

function scaled(t: Tensor, w: number): Tensor {
  const values = flatValues(t);
  const out = allocate(t.dtype, t.size);
  scaleInto(values, w, out);
  return new Tensor(out, t.shape);
}

function scaleInto(values: FloatArray, w: number, out: FloatArray): void {
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * w;
}

/**
 * The loss of a model with several outputs, as Keras's
 * `model.compile(loss={…}, loss_weights={…})`: `total = Σ_k lossWeights[k] · loss_k(yTrue[k],
 * yPred[k], sampleWeight[k])`.
 *
 * `losses`: an object `{ output: loss }` or an array of losses; each loss is anything
 * `getLoss` accepts (a Loss instance, `"mse"`, a class or function name, a per-sample
 * function) and must reduce to a number. Options: `lossWeights` (an object keyed by output
 * (unnamed outputs weigh 1) or an array, one per loss; default all 1).
 *
 * The result is callable: `combined(yTrue, yPred, sampleWeight?)` with `yTrue`/`yPred`
 * keyed like `losses` (extra keys, outputs without a loss, are ignored; a missing output
 * is an `InputError` naming it). `sampleWeight` is one weight for every output (a Tensor,
 * typed array or number) or one per output (an object keyed by output, or an array for
 * array losses; missing or `null` entries mean unweighted). It returns `{ total, parts }`,
 * `parts` being each output's unweighted loss (Keras's `<output>_loss` metrics).
 * `combined.valueAndGrad(…)` adds `grads`: per output, `d total / d yPred[k]` (the loss
 * weight included), shaped like that output's `yPred`.
 *
 * Reference: Keras `keras/src/trainers/compile_utils.py` (`CompileLoss`).
 *
 * @example
 * const combined = combineLosses({ a: "mse", b: "mae" }, { lossWeights: { a: 0.5, b: 2 } });
 * combined({ a: [[0, 1]], b: [[1, 1]] }, { a: [[1, 1]], b: [[0, 1]] }); // { total: 1.25, parts: { a: 0.5, b: 0.5 } }
 * combined({ a: [[0, 1]], b: [[1, 1]] }, { a: [[1, 1]], b: [[0, 1]] }).total; // 1.25 (0.5 · 0.5 + 2 · 0.5)
 */
export function combineLosses<K extends string>(
  losses: Readonly<Record<K, LossIdentifier>>,
  options?: CombineLossesOptions<Readonly<Partial<Record<K, number>>>>,
): CombinedLoss<Record<K, number>, Record<K, Tensor>, Readonly<Record<K, TensorLike>>>;
export function combineLosses(losses: readonly LossIdentifier[], options?: CombineLossesOptions<readonly number[]>): CombinedLoss<number[], Tensor[], readonly TensorLike[]>;
export function combineLosses(losses: Readonly<Record<string, LossIdentifier>> | readonly LossIdentifier[], options: CombineLossesOptions<unknown> = {}): CombinedLoss<any, any, any> {
  return new CombinedLoss(losses, options as CombineLossesOptions);
}

// ---------------------------------------------------------------------------------------
// blendLosses

/** One term of a blend: `[weight, loss]`. */
export type BlendTerm = readonly [number, LossIdentifier];

/** Options of {@link BlendedLoss}: the terms plus every Loss option. */
export interface BlendedLossOptions extends LossOptions {
  /** The terms `[weight, loss]`; each loss is anything `getLoss` accepts. */
  losses: readonly BlendTerm[];
}

/**
 * A weighted sum of losses on one output, as a Loss: per sample
 * `Σ_i w_i · loss_i(yTrue, yPred)` (each term's per-sample values, before any reduction),
 * then the blend's own `reduction`, `sampleWeight` and mask, like any Loss. Its gradient
 * is `Σ_i w_i · ∇loss_i`, so every term needs a gradient. Terms must give per-sample values
 * of one shape (e.g. MSE and MAE both reduce the last axis). A term's own reduction and
 * sample weighting are not used (only its per-sample values); a term's own mask (e.g.
 * `ignoreClass`) masks the blend at those positions. Made by {@link blendLosses}.
 */
export class BlendedLoss extends Loss {
  /** The terms, each loss as a Loss instance. */
  declare readonly terms: readonly (readonly [number, Loss])[];

  /** `options`: the terms and the Loss options; a `getConfig()` output also works (`BlendedLoss.fromConfig`). */
  constructor(options: BlendedLossOptions | LossConfig) {
    checkOptionsObject(options, "BlendedLoss options");
    if (!Array.isArray((options as BlendedLossOptions).losses)) {
      throw new ConfigError(`BlendedLoss needs { losses: [[weight, loss], …] }, received losses=${describeValue((options as BlendedLossOptions).losses)}`);
    }
    const { losses, ...lossOptions } = options as BlendedLossOptions;
    // Names from string literals: minifiers rename classes (src/names.ts).
    super({ ...lossOptions, name: lossOptions.name ?? "blended_loss" });
    keepClassName(BlendedLoss, "BlendedLoss");
    if (losses.length === 0) throw new ConfigError("blendLosses needs at least one [weight, loss] term");
    const terms = losses.map((term, i) => {
      if (!Array.isArray(term) || term.length !== 2) throw new ConfigError(`blendLosses term ${i} must be [weight, loss], received ${describeValue(term)}`);
      const [w, id] = term;
      if (typeof w !== "number" || !Number.isFinite(w)) throw new ConfigError(`blendLosses term ${i}: the weight must be a finite number, received ${describeValue(w)}`);
      return Object.freeze([w, getLoss(id)] as const);
    });
    Object.defineProperty(this, "terms", { value: Object.freeze(terms), enumerable: true });
  }

  /** A term's loss computing in this blend's dtype (numericalGrad views the blend in float64). */
  private termLoss(loss: Loss): Loss {
    return loss.dtype === this.dtype ? loss : (Object.create(loss, { dtype: { value: this.dtype } }) as Loss);
  }

  call(yTrue: Tensor, yPred: Tensor): CallResult {
    let shape: readonly number[] | null = null;
    let sum: Float64Array | null = null;
    let mask: Tensor | undefined;
    for (let i = 0; i < this.terms.length; i++) {
      const [w, loss] = this.terms[i]!;
      const result = this.termLoss(loss).evaluate(yTrue, yPred);
      const values = result.values;
      if (shape === null) {
        shape = values.shape;
        sum = new Float64Array(values.size);
      } else if (values.shape.length !== shape.length || values.shape.some((d, k) => d !== shape![k])) {
        throw new ShapeError(
          `blendLosses: ${loss.name} gives per-sample values of shape ${formatShape(values.shape)} but ${this.terms[0]![1].name} gives ${formatShape(shape)}; blended losses must reduce to the same shape`,
        );
      }
      if (result.weights) {
        throw new ConfigError(`blendLosses: ${loss.name} weighs its own samples, which a blend cannot carry per term; use combineLosses, or weigh the blend with sampleWeight`);
      }
      addScaled(flatValues(values), w, sum!);
      const own = result.mask;
      if (own) mask = mask ? multiplyWeights(mask, own, () => `the masks of the blended losses have shapes ${formatShape(mask!.shape)} and ${formatShape(own.shape)}`) : own;
    }
    const values = new Tensor(toDtype(sum!, this.dtype), shape!);
    return mask ? { values, mask } : values;
  }

  backward(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor {
    const grad = new Float64Array(yPred.size);
    for (const [w, loss] of this.terms) {
      let g: Tensor | undefined;
      try {
        g = this.termLoss(loss).evaluate(yTrue, yPred, fixedUpstream(upstream)).grad;
      } catch (error) {
        if (error instanceof GradientNotImplementedError) {
          throw new GradientNotImplementedError(`blendLosses: ${loss.name} has no gradient (no backward), so the blend has none; give it a backward or leave it out`);
        }
        throw error;
      }
      if (!g || g.size !== yPred.size) {
        throw new ShapeError(`blendLosses: the gradient of ${loss.name} has shape ${g ? formatShape(g.shape) : "(none)"}, expected yPred's ${formatShape(yPred.shape)}`);
      }
      addScaled(flatValues(g), w, grad);
    }
    return new Tensor(toDtype(grad, this.dtype), yPred.shape);
  }

  /** `{ name, reduction, dtype, losses: [[weight, serializeLoss(loss)], …] }`; terms must be serializable. */
  getConfig(): LossConfig {
    return { ...super.getConfig(), losses: this.terms.map(([w, loss]) => [w, serializeLoss(loss)]) };
  }
}

function addScaled(values: FloatArray, w: number, into: Float64Array): void {
  for (let i = 0; i < values.length; i++) into[i] += w * values[i]!;
}

function toDtype(values: Float64Array, dtype: DType): FloatArray {
  if (dtype === "float64") return values;
  const out = new Float32Array(values.length);
  out.set(values);
  return out;
}

/**
 * A weighted sum of losses on one output, `Σ wᵢ · lossᵢ` per sample, as one Loss with a
 * gradient: the Keras guides' `0.7 · mse + 0.3 · mae`. `terms` are `[weight, loss]` pairs;
 * a loss is anything `getLoss` accepts (a handle like `meanSquaredError`, a Loss instance,
 * `"mae"`). `options` are the blend's own Loss options (`reduction`, `name` (default
 * `"blended_loss"`), `dtype`). See {@link BlendedLoss}. `blendLosses(blend.getConfig())`
 * rebuilds a blend from its config (the terms as `serializeLoss` configs).
 *
 * @example
 * const blend = blendLosses([[0.7, "mse"], [0.3, "mae"]]);
 * blend([[0, 1], [0, 0]], [[1, 1], [1, 0]]); // 0.5 (0.7·0.5 + 0.3·0.5)
 */
export function blendLosses(terms: readonly BlendTerm[], options?: LossOptions): BlendedLoss;
export function blendLosses(config: LossConfig): BlendedLoss;
export function blendLosses(terms: readonly BlendTerm[] | LossConfig, options: LossOptions = {}): BlendedLoss {
  if (!Array.isArray(terms)) return new BlendedLoss(checkOptionsObject(terms, "blendLosses config (or [[weight, loss], …])"));
  return new BlendedLoss({ ...checkOptionsObject(options, "blendLosses options"), losses: terms });
}
