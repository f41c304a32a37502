/**
 * Regression losses: each reduces over the last axis after Keras's rank alignment.
 */
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import { ShapeError, formatShape } from "../errors";
import { squeezeOrExpandToSameRank } from "../reduction/rank";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { normalizeAxis } from "../tensor/views";
import { checkNumber, defineLossFunction } from "./define";
import { packRows, pairRows, gradientBuffer, LAYOUT_HEADER, meanOver } from "./layout";
import { log1pf } from "../math/fastmath";
import { logCoshContiguous, logCoshRows } from "./contiguous-logcosh";
import { EPSILON, EPSILON_FLOAT32 } from "../math/constants";
import { contiguousKernel, contiguousRows, contiguousTotal } from "./contiguous";
import { huberTerm } from "./contiguous-column";
import { runSimdRoute, type SimdRoute } from "./simd-route";
import { contiguousRegression2, regression2Strided } from "./contiguous-regression2";
import { simdLogCosh } from "../simd/index";


/** Params of the contiguous loops of losses without options. */
const NO_PARAMS = /*#__PURE__*/ new Float64Array(0);

/**
 * Mean of squared errors over the last axis.
 *
 * `loss = mean((yTrue - yPred)^2, axis=-1)`
 *
 * @example
 * meanSquaredError([[0, 1], [0, 0]], [[1, 1], [1, 0]]).toArray() // [0.5, 0.5]
 */
export const meanSquaredError = /*#__PURE__*/ defineLossFunction({
  name: "mean_squared_error",
  defaults: {},
  total: (yTrue, yPred, options) => contiguousTotal("mse", yTrue, yPred, options.dtype, NO_PARAMS),
  kernel(yTrue, yPred, options, upstream) {
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return contiguousKernel("mse", yTrue, yPred, options.dtype, upstream, NO_PARAMS, geo);
    const { t, p, g, grad, outShape, exclusive } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    // The upstream depends only on shapes and weights, so it is known before the pass.
    const u = upstream?.(outShape);
    const out = allocate(options.dtype, p.rows);
    const td = t.data, pd = p.data, ts = t.stride, ps = p.stride, n = p.length;
    if (!u || !g) {
      // Four accumulators break the add-latency chain (same order as the fused loop below,
      // so the call and valueAndGrad agree to the last bit).
      for (let r = 0; r < p.rows; r++) {
        let to = t.offsets[r]!, po = p.offsets[r]!, s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
        for (; k + 3 < n; k += 4, to += 4 * ts, po += 4 * ps) {
          const e0 = pd[po]! - td[to]!, e1 = pd[po + ps]! - td[to + ts]!;
          const e2 = pd[po + 2 * ps]! - td[to + 2 * ts]!, e3 = pd[po + 3 * ps]! - td[to + 3 * ts]!;
          s0 += e0 * e0;
          s1 += e1 * e1;
          s2 += e2 * e2;
          s3 += e3 * e3;
        }
        for (; k < n; k++, to += ts, po += ps) {
          const e = pd[po]! - td[to]!;
          s0 += e * e;
        }
        out[r] = meanOver(s0 + s1 + s2 + s3, n);
      }
      return { values: new Tensor(out, outShape) };
    }
    const gd = g.data, gs = g.stride;
    // d/dp mean((t - p)^2) = 2 (p - t) / n. When yPred was not broadcast (`exclusive`), every
    // gradient position is visited once and can be written rather than accumulated.
    for (let r = 0; r < p.rows; r++) {
      const scale = (2 * u[r]!) / n;
      let to = t.offsets[r]!, po = p.offsets[r]!, go = g.offsets[r]!, s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
      if (exclusive) {
        for (; k + 3 < n; k += 4, to += 4 * ts, po += 4 * ps, go += 4 * gs) {
          const e0 = pd[po]! - td[to]!, e1 = pd[po + ps]! - td[to + ts]!;
          const e2 = pd[po + 2 * ps]! - td[to + 2 * ts]!, e3 = pd[po + 3 * ps]! - td[to + 3 * ts]!;
          s0 += e0 * e0;
          s1 += e1 * e1;
          s2 += e2 * e2;
          s3 += e3 * e3;
          gd[go] = scale * e0;
          gd[go + gs] = scale * e1;
          gd[go + 2 * gs] = scale * e2;
          gd[go + 3 * gs] = scale * e3;
        }
        for (; k < n; k++, to += ts, po += ps, go += gs) {
          const e = pd[po]! - td[to]!;
          s0 += e * e;
          gd[go] = scale * e;
        }
      } else {
        // yPred broadcast: several (t, p) pairs share a gradient position, so accumulate.
        for (; k + 3 < n; k += 4, to += 4 * ts, po += 4 * ps, go += 4 * gs) {
          const e0 = pd[po]! - td[to]!, e1 = pd[po + ps]! - td[to + ts]!;
          const e2 = pd[po + 2 * ps]! - td[to + 2 * ts]!, e3 = pd[po + 3 * ps]! - td[to + 3 * ts]!;
          s0 += e0 * e0;
          s1 += e1 * e1;
          s2 += e2 * e2;
          s3 += e3 * e3;
          gd[go] += scale * e0;
          gd[go + gs] += scale * e1;
          gd[go + 2 * gs] += scale * e2;
          gd[go + 3 * gs] += scale * e3;
        }
        for (; k < n; k++, to += ts, po += ps, go += gs) {
          const e = pd[po]! - td[to]!;
          s0 += e * e;
          gd[go] += scale * e;
        }
      }
      out[r] = meanOver(s0 + s1 + s2 + s3, n);
    }
    return { values: new Tensor(out, outShape), grad };
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
export const meanAbsoluteError = /*#__PURE__*/ defineLossFunction({
  name: "mean_absolute_error",
  defaults: {},
  total: (yTrue, yPred, options) => contiguousTotal("mae", yTrue, yPred, options.dtype, NO_PARAMS),
  kernel(yTrue, yPred, options, upstream) {
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return contiguousKernel("mae", yTrue, yPred, options.dtype, upstream, NO_PARAMS, geo);
    const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const out = allocate(options.dtype, p.rows);
    const td = t.data, pd = p.data, ts = t.stride, ps = p.stride, n = p.length;
    for (let r = 0; r < p.rows; r++) {
      // The contiguous path's order (4 accumulators, tail into the first), so a strided view
      // gives the same bits as its contiguous copy.
      let to = t.offsets[r]!, po = p.offsets[r]!, s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
      for (; k + 3 < n; k += 4, to += 4 * ts, po += 4 * ps) {
        s0 += Math.abs(pd[po]! - td[to]!);
        s1 += Math.abs(pd[po + ps]! - td[to + ts]!);
        s2 += Math.abs(pd[po + 2 * ps]! - td[to + 2 * ts]!);
        s3 += Math.abs(pd[po + 3 * ps]! - td[to + 3 * ts]!);
      }
      for (; k < n; k++, to += ts, po += ps) s0 += Math.abs(pd[po]! - td[to]!);
      out[r] = meanOver(s0 + s1 + s2 + s3, n);
    }
    const values = new Tensor(out, outShape);
    if (!upstream || !g) return { values };
    const u = upstream(outShape);
    {
      const td = t.data, pd = p.data, gd = g!.data, ts = t.stride, ps = p.stride, gs = g!.stride, n = p.length;
      // d/dp mean(|p - t|) = sign(p - t) / n, with sign(0) = 0 and sign(NaN) = NaN
      for (let r = 0; r < p.rows; r++) {
        const scale = u[r]! / n;
        let to = t.offsets[r]!, po = p.offsets[r]!, go = g!.offsets[r]!;
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const e = pd[po]! - td[to]!;
          gd[go] += Math.sign(e) * scale;
        }
      }
    }
    return { values, grad };
  },
});

/** Options of {@link MeanSquaredError}: `reduction`, `name`, `dtype`. */
export type MeanSquaredErrorOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the mean of squares of errors between labels and predictions.
 *
 * `loss = mean((yTrue - yPred)^2)`; see {@link meanSquaredError}. Options: `reduction`,
 * `name` (default `"mean_squared_error"`), `dtype`. `valueAndGrad` runs one fused pass.
 *
 * @example
 * new MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]) // 0.02
 */
export class MeanSquaredError<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: MeanSquaredErrorOptions<R> = {}) {
    super(meanSquaredError, withDefaultName(options, "mean_squared_error"));
  }
}

/** Options of {@link MeanAbsoluteError}: `reduction`, `name`, `dtype`. */
export type MeanAbsoluteErrorOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the mean of absolute difference between labels and predictions.
 *
 * `loss = mean(|yTrue - yPred|)`; see {@link meanAbsoluteError}. Options: `reduction`,
 * `name` (default `"mean_absolute_error"`), `dtype`.
 *
 * @example
 * new MeanAbsoluteError()([1.0, 0.3, 1.0], [1.9, 0.3, 1.8]) // 0.5666667
 */
export class MeanAbsoluteError<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: MeanAbsoluteErrorOptions<R> = {}) {
    super(meanAbsoluteError, withDefaultName(options, "mean_absolute_error"));
  }
}


/**
 * Mean absolute percentage error over the last axis.
 *
 * `loss = 100 * mean(|(yTrue - yPred) / max(|yTrue|, epsilon)|, axis=-1)` with
 * `epsilon = 1e-7` (Keras's `backend.epsilon()`), so a zero label does not divide by
 * zero. The gradient is `100 * sign(yPred - yTrue) / (n * max(|yTrue|, epsilon))`, 0 where
 * `yPred = yTrue`.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]` (aligned and broadcast as in Keras);
 * result `[batch, d0, …, dN-1]`.
 *
 * @example
 * meanAbsolutePercentageError([[2, 1], [2, 3]], [[1, 1], [1, 0]]).toArray() // [25, 75]
 */
export const meanAbsolutePercentageError = /*#__PURE__*/ defineLossFunction({
  name: "mean_absolute_percentage_error",
  defaults: {},
  kernel(yTrue, yPred, options, upstream) {
    // Loops in ./contiguous-regression2.ts: the contiguous fast path, else the strided loop (same order).
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return contiguousRegression2(0, yTrue, yPred, options.dtype, upstream, geo);
    const { t, p, g, grad, outShape, exclusive } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const out = allocate(options.dtype, p.rows);
    const u = upstream && g ? upstream(outShape) : null;
    regression2Strided(0, out, u && g ? g.data : null, u, t.data, p.data, packRows(options.dtype === "float32", t, p, g), exclusive ? 1 : 0);
    return u ? { values: new Tensor(out, outShape), grad } : { values: new Tensor(out, outShape) };
  },
});

/**
 * Mean squared logarithmic error over the last axis.
 *
 * `loss = mean((log(max(yPred, epsilon) + 1) - log(max(yTrue, epsilon) + 1))^2, axis=-1)`
 * with `epsilon = 1e-7`: values at or below 0 count as `epsilon`, as in Keras. Where
 * `yPred < epsilon` the clip holds and the gradient is 0. NaN propagates (as through
 * `tf.maximum`): a NaN in `yTrue` or `yPred` gives a NaN loss and a NaN gradient there.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result `[batch, d0, …, dN-1]`.
 *
 * @example
 * meanSquaredLogarithmicError([[0, 1], [0, 0]], [[1, 1], [1, 0]]).toArray() // [0.240, 0.240]
 */
export const meanSquaredLogarithmicError = /*#__PURE__*/ defineLossFunction({
  name: "mean_squared_logarithmic_error",
  defaults: {},
  kernel(yTrue, yPred, options, upstream) {
    // Keras builds epsilon as a float32 tensor whatever the dtype; log1p(x) is log(x + 1)
    // without the rounding of x + 1; float32 uses the float32-accurate log1pf of
    // ../math/fastmath (within 1e-11 relative). Loops in ./contiguous-regression2.ts.
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return contiguousRegression2(1, yTrue, yPred, options.dtype, upstream, geo);
    const { t, p, g, grad, outShape, exclusive } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const out = allocate(options.dtype, p.rows);
    const u = upstream && g ? upstream(outShape) : null;
    regression2Strided(1, out, u && g ? g.data : null, u, t.data, p.data, packRows(options.dtype === "float32", t, p, g), exclusive ? 1 : 0);
    return u ? { values: new Tensor(out, outShape), grad } : { values: new Tensor(out, outShape) };
  },
});

/** Options of the Huber loss. */
export interface HuberConfig {
  delta: number;
}

/**
 * Huber loss: quadratic for small errors, linear for large ones, averaged over the last axis.
 *
 * ```
 * e = yPred - yTrue
 * 0.5 * e^2                      if |e| <= delta
 * delta * |e| - 0.5 * delta^2    if |e| >  delta
 * loss = mean(…, axis=-1)
 * ```
 *
 * The gradient is `e` on the quadratic branch (including `|e| = delta`) and
 * `delta * sign(e)` on the linear one.
 *
 * Options: `delta` (default 1.0, must be >= 0), where the loss turns from quadratic to linear.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result `[batch, d0, …, dN-1]`.
 *
 * Reference: P. J. Huber, "Robust Estimation of a Location Parameter", Annals of
 * Mathematical Statistics 35(1), 1964.
 *
 * @example
 * huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).toArray() // [0.18, 0.13]
 */
export const huber = /*#__PURE__*/ defineLossFunction<HuberConfig>({
  name: "huber",
  defaults: { delta: 1.0 },
  validate(options) {
    checkNumber("huber", "delta", options.delta, { min: 0 });
  },
  total: (yTrue, yPred, options) =>
    // Keras casts delta to the loss dtype.
    contiguousTotal("huber", yTrue, yPred, options.dtype, Float64Array.of(options.dtype === "float32" ? Math.fround(options.delta) : options.delta)),
  kernel(yTrue, yPred, options, upstream) {
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) {
      // Keras casts delta to the loss dtype.
      const delta = options.dtype === "float32" ? Math.fround(options.delta) : options.delta;
      return contiguousKernel("huber", yTrue, yPred, options.dtype, upstream, Float64Array.of(delta), geo);
    }
    const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    // Keras casts delta to the loss dtype.
    const delta = options.dtype === "float32" ? Math.fround(options.delta) : options.delta;
    const halfDeltaSquared = 0.5 * delta * delta;
    const out = allocate(options.dtype, p.rows);
    const td = t.data, pd = p.data, ts = t.stride, ps = p.stride, n = p.length;
    for (let r = 0; r < p.rows; r++) {
      // 0.5 e^2 inside delta, delta |e| - 0.5 delta^2 beyond, written as the contiguous path
      // writes it and summed in its order, so a strided view gives the same bits as its
      // contiguous copy.
      let to = t.offsets[r]!, po = p.offsets[r]!, s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
      for (; k + 3 < n; k += 4, to += 4 * ts, po += 4 * ps) {
        s0 += huberTerm(pd[po]! - td[to]!, delta, halfDeltaSquared);
        s1 += huberTerm(pd[po + ps]! - td[to + ts]!, delta, halfDeltaSquared);
        s2 += huberTerm(pd[po + 2 * ps]! - td[to + 2 * ts]!, delta, halfDeltaSquared);
        s3 += huberTerm(pd[po + 3 * ps]! - td[to + 3 * ts]!, delta, halfDeltaSquared);
      }
      for (; k < n; k++, to += ts, po += ps) s0 += huberTerm(pd[po]! - td[to]!, delta, halfDeltaSquared);
      out[r] = meanOver(s0 + s1 + s2 + s3, n);
    }
    const values = new Tensor(out, outShape);
    if (!upstream || !g) return { values };
    const u = upstream(outShape);
    {
      const delta = options.dtype === "float32" ? Math.fround(options.delta) : options.delta;
      const td = t.data, pd = p.data, gd = g!.data, ts = t.stride, ps = p.stride, gs = g!.stride, n = p.length;
      for (let r = 0; r < p.rows; r++) {
        const scale = u[r]! / n;
        let to = t.offsets[r]!, po = p.offsets[r]!, go = g!.offsets[r]!;
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const e = pd[po]! - td[to]!;
          // A NaN error takes the quadratic branch, so its gradient is NaN.
          if (!(Math.abs(e) > delta)) gd[go] += scale * e;
          else gd[go] += e > 0 ? scale * delta : -scale * delta;
        }
      }
    }
    return { values, grad };
  },
});

/** LogCosh's SIMD route (./simd-route.ts). */
const SIMD_LOG_COSH: SimdRoute<undefined> = { loss: "log_cosh", entry: simdLogCosh };

/**
 * Logarithm of the hyperbolic cosine of the error, averaged over the last axis.
 *
 * `loss = mean(log(cosh(yPred - yTrue)), axis=-1)`: about `e^2 / 2` for small errors and
 * `|e| - log(2)` for large ones, so it behaves like MSE without its sensitivity to
 * outliers. Computed as `|e| + log1p(exp(-2|e|)) - log(2)` (Keras's
 * `e + softplus(-2e) - log(2)`, written symmetrically), which never overflows; the
 * gradient is `tanh(e) / n`.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result `[batch, d0, …, dN-1]`.
 *
 * @example
 * logCosh([[0, 1], [0, 0]], [[1, 1], [0, 0]]).toArray() // [0.217, 0]
 */
export const logCosh = /*#__PURE__*/ defineLossFunction({
  name: "log_cosh",
  defaults: {},
  kernel(yTrue, yPred, options, upstream) {
    const simd = runSimdRoute(SIMD_LOG_COSH, yTrue, yPred, options.dtype, -1, upstream);
    if (simd) return simd;
    const f32 = options.dtype === "float32";
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return logCoshContiguous(yTrue, yPred, options.dtype, upstream, geo);
    const { t, p, g, grad, outShape, exclusive } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const out = allocate(options.dtype, p.rows);
    if (!upstream || !g) {
      logCoshRows(out, null, null, t.data, p.data, packRows(f32, t, p), 0);
      return { values: new Tensor(out, outShape) };
    }
    const given = upstream(outShape);
    const u = given instanceof Float64Array ? given : Float64Array.from(given);
    logCoshRows(out, g.data, u, t.data, p.data, packRows(f32, t, p, g), exclusive ? 0 : 1);
    return { values: new Tensor(out, outShape), grad };
  },
});

/** Options of {@link MeanAbsolutePercentageError}: `reduction`, `name`, `dtype`. */
export type MeanAbsolutePercentageErrorOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the mean absolute percentage error between labels and predictions.
 *
 * `loss = 100 * mean(|(yTrue - yPred) / max(|yTrue|, 1e-7)|)`; see {@link meanAbsolutePercentageError}.
 * Options: `reduction`, `name` (default `"mean_absolute_percentage_error"`), `dtype`.
 *
 * @example
 * new MeanAbsolutePercentageError()([100, 200, 300], [90, 210, 310]) // 6.111111
 */
export class MeanAbsolutePercentageError<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: MeanAbsolutePercentageErrorOptions<R> = {}) {
    super(meanAbsolutePercentageError, withDefaultName(options, "mean_absolute_percentage_error"));
  }
}

/** Options of {@link MeanSquaredLogarithmicError}: `reduction`, `name`, `dtype`. */
export type MeanSquaredLogarithmicErrorOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the mean squared logarithmic error between labels and predictions.
 *
 * `loss = mean((log(max(yPred, 1e-7) + 1) - log(max(yTrue, 1e-7) + 1))^2)`; see
 * {@link meanSquaredLogarithmicError}. Options: `reduction`, `name` (default
 * `"mean_squared_logarithmic_error"`), `dtype`.
 *
 * @example
 * new MeanSquaredLogarithmicError()([[0, 1], [0, 0]], [[1, 1], [1, 0]]) // 0.240
 */
export class MeanSquaredLogarithmicError<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: MeanSquaredLogarithmicErrorOptions<R> = {}) {
    super(meanSquaredLogarithmicError, withDefaultName(options, "mean_squared_logarithmic_error"));
  }
}


/** Options of {@link Huber}. */
export interface HuberOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Where the loss turns from quadratic to linear. Default 1.0; must be >= 0. */
  delta?: number;
}

/**
 * Computes the Huber loss between labels and predictions.
 *
 * Quadratic (`0.5 e^2`) for `|e| <= delta`, linear (`delta |e| - 0.5 delta^2`) beyond;
 * see {@link huber}. Options: `delta` (default 1.0), `reduction`, `name` (default
 * `"huber_loss"`), `dtype`.
 *
 * Reference: P. J. Huber, "Robust Estimation of a Location Parameter", 1964.
 *
 * @example
 * new Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) // 0.155
 */
export class Huber<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: HuberOptions<R> = {}) {
    super(huber, withDefaultName(options, "huber_loss"));
  }
}

/** Options of {@link LogCosh}: `reduction`, `name`, `dtype`. */
export type LogCoshOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the logarithm of the hyperbolic cosine of the prediction error.
 *
 * `loss = mean(log(cosh(yPred - yTrue)))`; see {@link logCosh}. Options: `reduction`,
 * `name` (default `"log_cosh"`), `dtype`.
 *
 * @example
 * new LogCosh()([[0, 1], [0, 0]], [[1, 1], [0, 0]]) // 0.108
 */
export class LogCosh<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: LogCoshOptions<R> = {}) {
    super(logCosh, withDefaultName(options, "log_cosh"));
  }
}
