/**
 * TensorFlow Addons' sigmoid focal crossentropy (`tfa.losses.SigmoidFocalCrossEntropy`).
 * See ./shared.ts for the conventions every crossentropy kernel follows; this one follows
 * TFA's `focal_loss.py` on top of tf.keras 2's `backend.binary_crossentropy`.
 */
import { ConfigError, describeValue } from "../../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../../loss";
import type { ReductionOption } from "../../reduction/reduce";
import type { KernelResult, Upstream } from "../../kernel";
import { Tensor, allocate, type FloatArray } from "../../tensor/tensor";
import { checkBoolean, checkNumber, defineLossFunction, type KernelOptions } from "../define";
import { LAYOUT_HEADER, packRows, pairRows, gradientBuffer } from "../layout";
import { expf, log1pUnitf, logf } from "../../math/fastmath";
import { epsilon } from "../../math/constants";
import { clipHigh, clipLow, power } from "./shared";

const NAME = "sigmoid_focal_crossentropy";

/** Options of {@link sigmoidFocalCrossentropy} and {@link SigmoidFocalCrossEntropy}. */
export interface SigmoidFocalCrossentropyConfig {
  /** Whether `yPred` holds logits rather than probabilities. Default `false`. */
  fromLogits: boolean;
  /** Balancing factor: weight `alpha` for label 1 and `1 - alpha` for label 0. `0` or `null` switch it off. Default `0.25`. */
  alpha: number | null;
  /** Modulating (focusing) exponent, `>= 0`. `0` or `null` switch it off (binary crossentropy). Default `2`. */
  gamma: number | null;
}

export interface SigmoidFocalCrossEntropyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<SigmoidFocalCrossentropyConfig> {}

function sigmoidFocalKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<SigmoidFocalCrossentropyConfig>, upstream?: Upstream): KernelResult {
  const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, o.dtype, yPred.size));
  const u = upstream ? upstream(outShape) : null;
  const out = allocate(o.dtype, p.rows);
  // TFA's `if alpha:` / `if gamma:` — Python truthiness: 0 and None both switch the factor off.
  const useAlpha = o.alpha !== null && o.alpha !== 0;
  const useGamma = o.gamma !== null && o.gamma !== 0;
  const f32 = o.dtype === "float32";
  sigmoidFocalRows(
    out, g ? g.data : null, u, t.data, p.data, packRows(f32, t, p, g),
    Float64Array.of(useAlpha ? 1 : 0, useAlpha ? o.alpha! : 0, useGamma ? 1 : 0, useGamma ? o.gamma! : 0, o.fromLogits ? 1 : 0, clipLow(o.dtype), clipHigh(o.dtype), epsilon(o.dtype)),
  );
  return { values: new Tensor(out, outShape), grad };
}

/**
 * The rows of {@link sigmoidFocalKernel} (a loop taking only typed arrays and numbers, see
 * ./binary.ts): the layout from `packRows`, and `params` = `[useAlpha, alpha, useGamma, gamma,
 * fromLogits, lo, hi, ε]` (booleans as 1/0); the gradient when `gd` is given. Per element:
 *
 * ```
 * ce  = -(z log(c + ε) + (1 - z) log(1 - c + ε)),  c = clip(p, ε, 1 - ε)   (tf.keras 2 backend)
 *     = max(x, 0) - x z + log(1 + e^{-|x|})                                  (fromLogits)
 * p_t = z p + (1 - z)(1 - p)        p unclipped (TFA), sigmoid(x) from logits
 * fl  = [z α + (1 - z)(1 - α)] · (1 - p_t)^γ · ce
 * ```
 * summed over the row. The gradient goes through both factors: the modulating factor sees
 * the unclipped probability, the crossentropy is flat where the clip holds.
 */
function sigmoidFocalRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const useAlpha = params[0] === 1;
  const alpha = params[1]!;
  const useGamma = params[2] === 1;
  const gamma = params[3]!;
  const fromLogits = params[4] === 1;
  const lo = params[5]!;
  const hi = params[6]!;
  const eps = params[7]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = u ? u[r]! : 0;
    let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0;
    for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
      const v = pd[po]!, z = td[to]!;
      let prob: number, ce: number, dCe: number;
      if (fromLogits) {
        // tf.nn.sigmoid_cross_entropy_with_logits, and sigmoid(x) from the same e^{-|x|}.
        const e = f32 ? expf(-Math.abs(v)) : Math.exp(-Math.abs(v));
        prob = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        ce = (v > 0 ? v : 0) - v * z + (f32 ? log1pUnitf(e) : Math.log1p(e));
        dCe = prob - z; // d ce / dx
      } else {
        prob = v;
        // Keras 2's backend clips to [ε, 1 - ε] and then adds ε again inside both logs.
        const c = Math.min(Math.max(v, lo), hi);
        ce = f32 ? -(z * logf(c + eps) + (1 - z) * logf(1 - c + eps)) : -(z * Math.log(c + eps) + (1 - z) * Math.log(1 - c + eps));
        dCe = c === v ? (1 - z) / (1 - c + eps) - z / (c + eps) : 0; // d ce / dp, 0 where the clip holds
      }
      // 1 - p_t = 1 - (z p + (1 - z)(1 - p)) = z (1 - p) + (1 - z) p
      const b = z * (1 - prob) + (1 - z) * prob;
      const focal = useGamma ? power(b, gamma) : 1;
      const weight = useAlpha ? z * alpha + (1 - z) * (1 - alpha) : 1;
      sum += weight * focal * ce;
      if (gd) {
        // d(1 - p_t)/dp = 1 - 2z; through the sigmoid times p (1 - p), whose zero (saturated
        // logits) wins over b^{γ-1} -> infinity for γ < 1.
        const dProb = fromLogits ? prob * (1 - prob) : 1;
        const dFocal = !useGamma || dProb === 0 ? 0 : gamma * power(b, gamma - 1) * (1 - 2 * z) * dProb;
        gd[go] += scale * weight * (dFocal * ce + focal * dCe);
      }
    }
    out[r] = sum;
  }
}

function checkFactor(key: "alpha" | "gamma", value: unknown): void {
  if (value === null) return;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ConfigError(`${NAME}: ${key} must be a finite number or null, received ${describeValue(value)}`);
  }
}

/**
 * Sigmoid focal crossentropy as TensorFlow Addons computes it: binary crossentropy scaled by
 * a balancing factor and a modulating factor that down-weights well-classified examples,
 * **summed** over the last axis.
 *
 * ```
 * ce   = -(z log(clip(p) + ε) + (1 - z) log(1 - clip(p) + ε))     clip to [ε, 1 - ε], ε = 1e-7
 * p_t  = z p + (1 - z)(1 - p)                                     (p = sigmoid(yPred) with fromLogits)
 * loss = Σ_last [z α + (1 - z)(1 - α)] · (1 - p_t)^γ · ce
 * ```
 *
 * TFA's numbers, quirks included: the probability is clipped to `[ε, 1 - ε]` (`1 - ε` is the
 * float32 0.99999988 for float32 inputs) and ε is then added again inside both logarithms (tf.keras
 * 2's `backend.binary_crossentropy`); `p_t` uses the unclipped probability; the last axis is
 * summed, not averaged; `alpha` or `gamma` of `0` or `null` switch their factor off (TFA's
 * `if alpha:`), so `{ alpha: null, gamma: null }` is binary crossentropy summed over the
 * last axis. With `fromLogits` the crossentropy is the stable logits formula.
 *
 * Gradient: `d/dp = w [γ (1 - p_t)^{γ-1} (1 - 2z) ce + (1 - p_t)^γ dce/dp]`, with `dce/dp = 0`
 * where the clip holds, and `· p(1 - p)` on the first term with logits.
 *
 * Options: `fromLogits` (default `false`), `alpha` (default `0.25`), `gamma` (default `2`,
 * must be `>= 0`).
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]` (Keras's rank alignment, then broadcasting;
 * TFA itself only broadcasts, so a `[B]` against `[B, 1]` pair would become `[B, B]` there);
 * result `[batch, d0, …, dN-1]`.
 *
 * Reference: T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017,
 * https://arxiv.org/abs/1708.02002; TensorFlow Addons `tfa.losses.sigmoid_focal_crossentropy`.
 *
 * @example
 * sigmoidFocalCrossentropy([[1], [1], [0]], [[0.97], [0.91], [0.03]]).toArray() // [6.8533e-6, 1.9098e-4, 2.0560e-5] (TFA, float32: 6.8532745e-6, 1.909787e-4, 2.0559824e-5)
 */
export const sigmoidFocalCrossentropy = /*#__PURE__*/ defineLossFunction<SigmoidFocalCrossentropyConfig>({
  name: NAME,
  defaults: { fromLogits: false, alpha: 0.25, gamma: 2 },
  validate(o) {
    checkBoolean(NAME, "fromLogits", o.fromLogits);
    checkFactor("alpha", o.alpha);
    checkFactor("gamma", o.gamma);
    if (o.gamma !== null) checkNumber(NAME, "gamma", o.gamma, { min: 0 });
  },
  kernel: sigmoidFocalKernel,
});

/**
 * Implements the focal loss function of TensorFlow Addons (`tfa.losses.SigmoidFocalCrossEntropy`):
 * per sample, `Σ_last α_t (1 - p_t)^γ · ce` (see {@link sigmoidFocalCrossentropy} for the
 * formula and TFA's quirks). Useful for highly imbalanced classes: it down-weights
 * well-classified examples and focuses on hard ones.
 *
 * Options: `fromLogits` (default `false`), `alpha` (default `0.25`; `0`/`null` off), `gamma`
 * (default `2`; `0`/`null` off; `< 0` is a `ConfigError`), `reduction` (default **`"none"`**,
 * as in TFA: the call returns the per-sample values), `name` (default
 * `"sigmoid_focal_crossentropy"`), `dtype`.
 *
 * Reference: Lin et al., "Focal Loss for Dense Object Detection", https://arxiv.org/abs/1708.02002
 *
 * @example
 * new SigmoidFocalCrossEntropy()([[1], [1], [0]], [[0.97], [0.91], [0.03]]).toArray() // [6.8533e-6, 1.9098e-4, 2.0560e-5] (TFA, float32: 6.8532745e-6, 1.909787e-4, 2.0559824e-5)
 */
export class SigmoidFocalCrossEntropy<R extends ReductionOption = "none"> extends LossFunctionWrapper<R> {
  constructor(options: SigmoidFocalCrossEntropyOptions<R> = {}) {
    const named = withDefaultName(options, NAME);
    // TFA's default reduction is "none"; withDefaultName again, so the options keep its mark (src/names.ts).
    super(sigmoidFocalCrossentropy, named.reduction === undefined ? withDefaultName({ ...named, reduction: "none" as R }, NAME) : named);
  }
}
