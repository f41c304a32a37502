/**
 * Weighted kappa loss for ordinal classification (`tfa.losses.WeightedKappaLoss`): one
 * value per batch, from Cohen's weighted kappa of the soft confusion between labels and
 * predicted class probabilities.
 */
import { ConfigError, ShapeError, describeValue, formatShape } from "../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { rowsOf } from "../tensor/rows";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { checkNumber, defineLossFunction, type KernelOptions } from "./define";
import { EPSILON } from "../math/constants";
import { LAYOUT_HEADER, packRows } from "./layout";

const NAME = "weighted_kappa_loss";

/** How disagreement between class `i` and class `j` is weighted. */
export type KappaWeightage = "quadratic" | "linear";

/** Options of {@link WeightedKappaLoss}'s kernel. */
export interface WeightedKappaLossConfig {
  /** Number of classes: yTrue and yPred are `[batch, numClasses]`. Required. */
  numClasses: number;
  /** `"quadratic"` (default): weight `(i - j)²`; `"linear"`: `|i - j|`. */
  weightage: KappaWeightage;
  /** Added inside the logarithm. Default `1e-6`; `0` or `null` mean `1e-7` (TFA's `epsilon or keras.epsilon()`). */
  epsilon: number;
}

export interface WeightedKappaLossOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Number of classes. Required. */
  numClasses?: number;
  /** `"quadratic"` (default) or `"linear"`. */
  weightage?: KappaWeightage;
  /** Default `1e-6`; `0` or `null` mean `1e-7`. */
  epsilon?: number | null;
}

function kappaKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<WeightedKappaLossConfig>, upstream?: Upstream): KernelResult {
  const c = o.numClasses;
  for (const [x, name] of [[yTrue, "yTrue"], [yPred, "yPred"]] as const) {
    if (x.rank !== 2 || x.shape[1] !== c) {
      throw new ShapeError(
        `${NAME}: ${name} must have shape [batch, ${c}] (numClasses = ${c}${name === "yTrue" ? ", one-hot or soft label rows" : ", class probabilities"}), received shape ${formatShape(x.shape)}`,
      );
    }
  }
  if (yTrue.shape[0] !== yPred.shape[0]) {
    throw new ShapeError(`${NAME}: yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected the same batch size`);
  }
  const t = rowsOf(yTrue, -1), p = rowsOf(yPred, -1);
  const u = upstream ? upstream([]) : null;
  const grad = u ? new Tensor(allocate(o.dtype, yPred.size), yPred.shape) : undefined;
  const out = allocate(o.dtype, 1);
  // An empty batch is 0, as every losskit loss reduces an empty batch (TFA's 0/0 would be NaN).
  if (yPred.shape[0] === 0) return { values: new Tensor(out, []), grad };
  // Per-call scratch of 3 numClasses entries (not per element): label and prediction totals and column weights per class.
  kappaRows(
    out, grad ? grad.data : null, t.data, p.data, packRows(o.dtype === "float32", t, p),
    Float64Array.of(u ? u[0]! : 0, o.weightage === "linear" ? 1 : 0, o.epsilon), new Float64Array(3 * c),
  );
  return { values: new Tensor(out, []), grad };
}

/**
 * ```
 * c_i = Σ_k y_ik k                       (the expected class index of label row i)
 * N   = Σ_i Σ_j w(c_i, j) p_ij           L_k = Σ_i y_ik,  P_j = Σ_i p_ij
 * D   = Σ_k Σ_j L_k w(k, j) P_j / B      r = N / D (0 where D = 0)      loss = log(r + ε)
 * ```
 * and `d loss / d p_ij = (w(c_i, j) - r v_j) / (D (r + ε))` with `v_j = Σ_k L_k w(k, j) / B`
 * (0 everywhere where D = 0, as through `divide_no_nan`). `gd` is contiguous `[B, C]`.
 * Loops take only typed arrays and numbers (./README.md): the layout from `packRows`
 * (`n` = C), `params` = `[upstream, linear (1/0), ε]`, and `scratch` of 3 C zeros holding
 * `L_k`, `P_j` and `v_j`.
 */
function kappaRows(out: FloatArray, gd: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array, scratch: Float64Array): void {
  const c = layout[0]!, ts = layout[1]!, ps = layout[2]!;
  const rows = (layout.length - LAYOUT_HEADER) / 3;
  const T = LAYOUT_HEADER, P = T + rows;
  const upstream = params[0]!;
  const linear = params[1] === 1;
  const eps = params[2]!;
  // L_k at scratch[k], P_j at scratch[c + j], v_j at scratch[2c + j].
  const PT = c, CW = 2 * c;
  let numerator = 0;
  for (let i = 0; i < rows; i++) {
    let to = layout[T + i]!, index = 0;
    for (let k = 0; k < c; k++, to += ts) {
      const y = td[to]!;
      index += y * k;
      scratch[k] += y;
    }
    let po = layout[P + i]!;
    for (let j = 0; j < c; j++, po += ps) {
      const q = pd[po]!, d = index - j;
      numerator += (linear ? Math.abs(d) : d * d) * q;
      scratch[PT + j] += q;
    }
  }
  // v_j = Σ_k L_k w(k, j) / B, and D = Σ_j v_j P_j.
  let denominator = 0;
  for (let j = 0; j < c; j++) {
    let v = 0;
    for (let k = 0; k < c; k++) {
      const d = k - j;
      v += scratch[k]! * (linear ? Math.abs(d) : d * d);
    }
    scratch[CW + j] = v / rows;
    denominator += scratch[CW + j]! * scratch[PT + j]!;
  }
  const ratio = denominator === 0 ? 0 : numerator / denominator;
  out[0] = Math.log(ratio + eps);
  if (!gd || denominator === 0) return;
  const scale = upstream / (denominator * (ratio + eps));
  for (let i = 0; i < rows; i++) {
    let to = layout[T + i]!, index = 0;
    for (let k = 0; k < c; k++, to += ts) index += td[to]! * k;
    const g = i * c;
    for (let j = 0; j < c; j++) {
      const d = index - j;
      gd[g + j] = scale * ((linear ? Math.abs(d) : d * d) - ratio * scratch[CW + j]!);
    }
  }
}

/** The kernel behind {@link WeightedKappaLoss} (TFA has no function form; neither does losskit's public API). */
const weightedKappaLoss = /*#__PURE__*/ defineLossFunction<WeightedKappaLossConfig>({
  name: NAME,
  defaults: { numClasses: null as unknown as number, weightage: "quadratic", epsilon: 1e-6 },
  validate(o) {
    if (o.numClasses === null || o.numClasses === undefined) {
      throw new ConfigError(`WeightedKappaLoss: numClasses is required (the number of classes of yTrue and yPred), received ${describeValue(o.numClasses)}`);
    }
    checkNumber("WeightedKappaLoss", "numClasses", o.numClasses, { integer: true, min: 1 });
    if (o.weightage !== "quadratic" && o.weightage !== "linear") {
      throw new ConfigError(`WeightedKappaLoss: Unknown kappa weighting type. weightage must be "linear" or "quadratic", received ${describeValue(o.weightage)}`);
    }
    checkNumber("WeightedKappaLoss", "epsilon", o.epsilon);
  },
  kernel: kappaKernel,
});

/**
 * Weighted kappa loss for ordinal classification, as TensorFlow Addons computes it
 * (`tfa.losses.WeightedKappaLoss`): the log of one minus Cohen's weighted kappa (up to ε),
 * from the soft confusion between the label rows and the predicted class probabilities of
 * the whole batch. Values lie in `[-∞, log 2]`; `log 2` is a random prediction.
 *
 * ```
 * w(i, j) = (i - j)²  or  |i - j|                  (weightage "quadratic" / "linear")
 * c_b     = Σ_k yTrue[b, k] · k                    (expected class index of each label row)
 * N       = Σ_b Σ_j w(c_b, j) yPred[b, j]
 * D       = Σ_k Σ_j (Σ_b yTrue[b, k]) w(k, j) (Σ_b yPred[b, j]) / batch
 * loss    = log(N / D + ε)                         (N / D as divide_no_nan: 0 when D = 0)
 * ```
 *
 * As in TFA: one value for the whole batch (shape `[]`), and the default reduction is
 * `"none"`; soft label rows act through their expected class index `c_b` (and through the
 * label totals), so a one-hot row is its class; `epsilon` of `0` or `null` becomes `1e-7`
 * (TFA's `epsilon or keras.epsilon()`), and the config holds the value used. A
 * `sampleWeight` scales that one value (a `[batch]` weight broadcasts it, as in tf.keras).
 *
 * Gradient: `d loss / d yPred[b, j] = (w(c_b, j) - (N/D) v_j) / (D (N/D + ε))` with
 * `v_j = Σ_k (Σ_b yTrue[b, k]) w(k, j) / batch`; 0 where `D = 0`.
 *
 * Options: `numClasses` (required), `weightage` (default `"quadratic"`), `epsilon` (default
 * `1e-6`), `reduction` (default `"none"`), `name` (default `"cohen_kappa_loss"`), `dtype`.
 *
 * Shapes: `yTrue` `[batch, numClasses]` (one-hot or soft rows), `yPred` `[batch, numClasses]`
 * (probabilities, e.g. a softmax); result `[]`.
 *
 * Reference: J. de la Torre, D. Puig and A. Valls, "Weighted kappa loss function for
 * multi-class classification of ordinal data in deep learning", Pattern Recognition
 * Letters 105, 2018; TensorFlow Addons `tfa.losses.WeightedKappaLoss`.
 *
 * @example
 * const kappa = new WeightedKappaLoss({ numClasses: 4 });
 * kappa([[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]],
 *   [[0.1, 0.2, 0.6, 0.1], [0.1, 0.5, 0.3, 0.1], [0.8, 0.05, 0.05, 0.1], [0.01, 0.09, 0.1, 0.8]]).item() // -1.1611925
 */
export class WeightedKappaLoss<R extends ReductionOption = "none"> extends LossFunctionWrapper<R> {
  constructor(options: WeightedKappaLossOptions<R> = {}) {
    const named = withDefaultName(options, "cohen_kappa_loss");
    const epsilon = named.epsilon === 0 || named.epsilon === null ? EPSILON : named.epsilon;
    // withDefaultName again, so the options keep the built-in mark that names the class (src/names.ts).
    const full = { ...named, epsilon, reduction: named.reduction === undefined ? ("none" as R) : named.reduction } as LossOptions<R>;
    super(weightedKappaLoss, withDefaultName(full, "cohen_kappa_loss"));
  }
}
