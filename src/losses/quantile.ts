/**
 * Quantile regression: TensorFlow Addons' pinball loss (`tfa.losses.PinballLoss`).
 */
import { ConfigError, LossError, ShapeError, describeValue, formatShape } from "../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { toTensor, type NestedNumbers } from "../tensor/convert";
import { rowsOf } from "../tensor/rows";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { broadcastTo, expandDims, tryBroadcastShapes } from "../tensor/views";
import { defineLossFunction, type KernelOptions } from "./define";
import { LAYOUT_HEADER, packRows, pairRows, gradientBuffer, meanOver } from "./layout";
import { sameShape } from "../math/constants";

const NAME = "pinball_loss";

/** Options of {@link pinballLoss} and {@link PinballLoss}. */
export interface PinballLossConfig {
  /**
   * The quantile level(s) in [0, 1]: a number, or a nested array of shape `[d0, …, dN]`
   * that broadcasts against one sample (TFA prepends the batch axis). Default `0.5`.
   */
  tau: number | NestedNumbers;
}

export interface PinballLossOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<PinballLossConfig> {}

function tauTensor(tau: number | NestedNumbers, dtype: "float32" | "float64"): Tensor {
  return toTensor(tau as NestedNumbers, { name: "tau", dtype });
}

function checkTau(tau: unknown): void {
  if (typeof tau === "number") {
    if (!(tau >= 0 && tau <= 1)) throw new ConfigError(`${NAME}: tau must be in [0, 1], received ${tau}`);
    return;
  }
  if (!Array.isArray(tau)) {
    throw new ConfigError(`${NAME}: tau must be a number in [0, 1] or a nested array of them, received ${describeValue(tau)}${ArrayBuffer.isView(tau) || tau instanceof Tensor ? " (pass tensor.toArray())" : ""}`);
  }
  let t: Tensor;
  try {
    t = tauTensor(tau, "float64");
  } catch (e) {
    throw new ConfigError(`${NAME}: tau is not a valid nested array: ${e instanceof LossError ? e.message : String(e)}`);
  }
  const values = t.toTypedArray("float64");
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! >= 0 && values[i]! <= 1)) throw new ConfigError(`${NAME}: tau must hold values in [0, 1], received ${values[i]} at flat index ${i}`);
  }
}

function pinballKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<PinballLossConfig>, upstream?: Upstream): KernelResult {
  const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, o.dtype, yPred.size));
  const shape = [...outShape, p.length];
  // TFA: tau = expand_dims(tau, 0), broadcast against y_true - y_pred.
  let tau = tauTensor(o.tau, o.dtype);
  if (tau.rank > 0) tau = expandDims(tau, 0);
  const joint = tryBroadcastShapes(tau.shape, shape);
  if (!joint || !sameShape(joint, shape)) {
    throw new ShapeError(`${NAME}: tau has shape ${formatShape(tau.rank > 0 ? tau.shape.slice(1) : [])} and does not broadcast against one sample of yPred ${formatShape(shape.slice(1))} (aligned yTrue and yPred have shape ${formatShape(shape)})`);
  }
  const q = rowsOf(broadcastTo(tau, shape, "tau"), -1);
  const u = upstream ? upstream(outShape) : null;
  const out = allocate(o.dtype, p.rows);
  // The τ rows in a layout of their own: [stride, offsets…].
  const tauLayout = new Int32Array(1 + q.rows);
  tauLayout[0] = q.stride;
  tauLayout.set(q.offsets, 1);
  pinballRows(out, g ? g.data : null, u, t.data, p.data, packRows(o.dtype === "float32", t, p, g), q.data, tauLayout);
  return { values: new Tensor(out, outShape), grad };
}

/**
 * `mean(max(τ e, (τ - 1) e))` over each row with `e = yTrue - yPred`; the gradient with
 * respect to yPred is `-τ` where the first term is the larger (ties included: TensorFlow's
 * `maximum` sends the gradient to its first argument) and `1 - τ` elsewhere, over `n`.
 * Loops take only typed arrays and numbers (./README.md): the layout of yTrue, yPred and the
 * gradient from `packRows`, and τ's as `[stride, offsets…]`.
 */
function pinballRows(
  out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, qd: FloatArray, tauLayout: Int32Array,
): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, qs = tauLayout[0]!;
  const rows = out.length;
  const T = LAYOUT_HEADER, P = T + rows, G = P + rows;
  for (let r = 0; r < rows; r++) {
    const scale = u ? u[r]! / n : 0;
    let to = layout[T + r]!, po = layout[P + r]!, qo = tauLayout[1 + r]!, go = layout[G + r]!, sum = 0;
    for (let k = 0; k < n; k++, to += ts, po += ps, qo += qs, go += gs) {
      const tau = qd[qo]!, e = td[to]! - pd[po]!;
      const a = tau * e, b = (tau - 1) * e;
      sum += Math.max(a, b);
      if (gd) gd[go] += a >= b ? -tau * scale : (1 - tau) * scale;
    }
    out[r] = meanOver(sum, n);
  }
}

/**
 * Pinball (quantile) loss over the last axis, as TensorFlow Addons computes it.
 *
 * `loss = mean(max(τ (yTrue - yPred), (τ - 1)(yTrue - yPred)), axis=-1)`: under-prediction
 * costs `τ` per unit, over-prediction `1 - τ`, so minimizing it estimates the τ-quantile
 * (`τ = 0.5` is half the mean absolute error, the median). `τ` may differ per output: a nested
 * array of shape `[d0, …, dN]` broadcasts against each sample.
 *
 * Gradient: `-τ / n` where `yTrue >= yPred` (TensorFlow's tie rule), `(1 - τ) / n` elsewhere.
 *
 * Options: `tau` (default `0.5`), in [0, 1].
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]` (Keras's rank alignment, then broadcasting;
 * TFA itself only broadcasts); result `[batch, d0, …, dN-1]`.
 *
 * Reference: R. Koenker and G. Bassett, "Regression Quantiles", Econometrica 1978;
 * https://en.wikipedia.org/wiki/Quantile_regression; TensorFlow Addons `tfa.losses.pinball_loss`.
 *
 * @example
 * pinballLoss([0, 0, 1, 1], [1, 1, 1, 0], { tau: 0.1 }).item() // 0.475
 */
export const pinballLoss = /*#__PURE__*/ defineLossFunction<PinballLossConfig>({
  name: NAME,
  defaults: { tau: 0.5 },
  validate(o) {
    checkTau(o.tau);
  },
  kernel: pinballKernel,
});

/**
 * Computes the pinball loss between `yTrue` and `yPred` (`tfa.losses.PinballLoss`), the loss
 * of quantile regression: `mean(max(τ e, (τ - 1) e))` with `e = yTrue - yPred`; see
 * {@link pinballLoss}.
 *
 * Options: `tau` (default `0.5`; a number in [0, 1] or a nested array of them, one per output),
 * `reduction` (default `"sum_over_batch_size"`, TFA's `AUTO`), `name` (default
 * `"pinball_loss"`), `dtype`.
 *
 * Reference: https://en.wikipedia.org/wiki/Quantile_regression
 *
 * @example
 * new PinballLoss({ tau: 0.1 })([0, 0, 1, 1], [1, 1, 1, 0]) // 0.475
 */
export class PinballLoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: PinballLossOptions<R> = {}) {
    super(pinballLoss, withDefaultName(options, NAME));
  }
}
