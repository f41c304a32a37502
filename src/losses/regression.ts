/**
 * Regression losses: each reduces over the last axis after Keras's rank alignment.
 */
import { LossFunctionWrapper, type LossOptions } from "../loss";
import { Tensor, allocate } from "../tensor/tensor";
import { defineLossFunction } from "./define";
import { checkUpstream, pairRows } from "./layout";
import type { LossEntry } from "../registry";

/**
 * Mean of squared errors over the last axis.
 *
 * `loss = mean((yTrue - yPred)^2, axis=-1)`
 *
 * @example
 * meanSquaredError([[0, 1], [0, 0]], [[1, 1], [1, 0]]).toArray() // [0.5, 0.5]
 */
export const meanSquaredError = defineLossFunction({
  name: "mean_squared_error",
  defaults: {},
  forward(yTrue, yPred, options) {
    const { t, p, outShape } = pairRows(yTrue, yPred, -1);
    const out = allocate(options.dtype, p.rows);
    const td = t.data, pd = p.data, ts = t.stride, ps = p.stride, n = p.length;
    for (let r = 0; r < p.rows; r++) {
      let to = t.offsets[r]!, po = p.offsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const e = td[to]! - pd[po]!;
        sum += e * e;
      }
      out[r] = sum / n;
    }
    return new Tensor(out, outShape);
  },
  backward(yTrue, yPred, upstream, options) {
    const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, options.dtype);
    const u = checkUpstream(upstream, outShape);
    const td = t.data, pd = p.data, gd = g!.data, ts = t.stride, ps = p.stride, gs = g!.stride, n = p.length;
    // d/dp mean((t - p)^2) = 2 (p - t) / n
    for (let r = 0; r < p.rows; r++) {
      const scale = (2 * u[r]!) / n;
      let to = t.offsets[r]!, po = p.offsets[r]!, go = g!.offsets[r]!;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) gd[go] += scale * (pd[po]! - td[to]!);
    }
    return grad!;
  },
});

/**
 * Mean of absolute errors over the last axis.
 *
 * `loss = mean(|yTrue - yPred|, axis=-1)`; the gradient of `|e|` at `e = 0` is 0, as in
 * TensorFlow and PyTorch.
 *
 * @example
 * meanAbsoluteError([[0, 1], [0, 0]], [[1, 1], [1, 0]]).toArray() // [0.5, 0.5]
 */
export const meanAbsoluteError = defineLossFunction({
  name: "mean_absolute_error",
  defaults: {},
  forward(yTrue, yPred, options) {
    const { t, p, outShape } = pairRows(yTrue, yPred, -1);
    const out = allocate(options.dtype, p.rows);
    const td = t.data, pd = p.data, ts = t.stride, ps = p.stride, n = p.length;
    for (let r = 0; r < p.rows; r++) {
      let to = t.offsets[r]!, po = p.offsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) sum += Math.abs(td[to]! - pd[po]!);
      out[r] = sum / n;
    }
    return new Tensor(out, outShape);
  },
  backward(yTrue, yPred, upstream, options) {
    const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, options.dtype);
    const u = checkUpstream(upstream, outShape);
    const td = t.data, pd = p.data, gd = g!.data, ts = t.stride, ps = p.stride, gs = g!.stride, n = p.length;
    // d/dp mean(|p - t|) = sign(p - t) / n, with sign(0) = 0
    for (let r = 0; r < p.rows; r++) {
      const scale = u[r]! / n;
      let to = t.offsets[r]!, po = p.offsets[r]!, go = g!.offsets[r]!;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const e = pd[po]! - td[to]!;
        gd[go] += e > 0 ? scale : e < 0 ? -scale : 0;
      }
    }
    return grad!;
  },
});

/** Computes the mean of squares of errors between labels and predictions (`MeanSquaredError`). */
export class MeanSquaredError extends LossFunctionWrapper {
  constructor(options: LossOptions = {}) {
    super(meanSquaredError, { name: "mean_squared_error", ...options });
  }
}

/** Computes the mean of absolute difference between labels and predictions (`MeanAbsoluteError`). */
export class MeanAbsoluteError extends LossFunctionWrapper {
  constructor(options: LossOptions = {}) {
    super(meanAbsoluteError, { name: "mean_absolute_error", ...options });
  }
}

export const REGRESSION_LOSSES: LossEntry[] = [
  { className: "MeanSquaredError", cls: MeanSquaredError, fn: meanSquaredError, aliases: ["mse", "MSE"] },
  { className: "MeanAbsoluteError", cls: MeanAbsoluteError, fn: meanAbsoluteError, aliases: ["mae", "MAE"] },
];
