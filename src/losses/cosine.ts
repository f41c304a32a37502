/**
 * Cosine similarity (`keras.losses.CosineSimilarity`): the negative cosine of the angle
 * between labels and predictions along an axis. Keras lists it with the regression losses.
 */
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import { ShapeError, formatShape } from "../errors";
import { squeezeOrExpandToSameRank } from "../reduction/rank";
import { Tensor, allocate } from "../tensor/tensor";
import { normalizeAxis } from "../tensor/views";
import { checkNumber, defineLossFunction } from "./define";
import { pairRows, gradientBuffer, packRows } from "./layout";
import { contiguousCosine, contiguousLastAxis, cosineStrided } from "./contiguous-cosine";
import { EPSILON } from "../math/constants";

/** Axis options of the losses that reduce along a chosen axis. */
export interface CosineSimilarityConfig {
  axis: number;
}

/**
 * For each of yTrue and yPred, the factor that turns its sum of squares along the
 * (broadcast) axis into the sum Keras normalizes by. Keras normalizes each tensor before
 * the product broadcasts, so a tensor of size 1 along the axis has the norm of that one
 * element, although its row repeats it `n` times: the factor is then `1/n`.
 */
function normScales(yTrue: Tensor, yPred: Tensor, axis: number, n: number): { trueScale: number; predScale: number } {
  const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
  const rank = Math.max(t.rank, p.rank);
  if (t.rank !== p.rank && axis >= 0) {
    // Keras would normalize each tensor along its own axis `axis`, which are different
    // axes of the broadcast product; refuse rather than guess.
    throw new ShapeError(
      `cosine_similarity with axis=${axis} needs yTrue and yPred of the same rank, received yTrue shape ${formatShape(yTrue.shape)} and yPred shape ${formatShape(yPred.shape)}; use a negative axis`,
    );
  }
  const a = normalizeAxis(axis, rank);
  const scaleOf = (x: Tensor, name: string): number => {
    const own = a - (rank - x.rank);
    if (own < 0) {
      throw new ShapeError(`axis=${axis} is out of range for ${name} of shape ${formatShape(x === t ? yTrue.shape : yPred.shape)}`);
    }
    return x.shape[own] === 1 && n > 1 ? 1 / n : 1;
  };
  return { trueScale: scaleOf(t, "yTrue"), predScale: scaleOf(p, "yPred") };
}

/**
 * Negative cosine similarity along `axis`.
 *
 * `loss = -sum(l2Normalize(yTrue) * l2Normalize(yPred), axis)` with
 * `l2Normalize(x) = x / sqrt(max(sum(x^2, axis), epsilon^2))`, `epsilon = 1e-7`. Values lie
 * in [-1, 1]: -1 for parallel vectors, 0 for orthogonal ones, and 0 when either vector is
 * zero. Below the clamp (`|yPred| < epsilon`) yPred's norm is the constant `epsilon` and the
 * gradient is `-l2Normalize(yTrue) / epsilon`, as Keras's autodiff gives.
 *
 * Options: `axis` (default -1), the features axis.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result: that shape without `axis`.
 *
 * @example
 * cosineSimilarity([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]]).toArray() // [-0, -1, 1] (Keras, summing in float32: [-0, -0.99999994, 0.99999994])
 */
export const cosineSimilarity = /*#__PURE__*/ defineLossFunction<CosineSimilarityConfig>({
  name: "cosine_similarity",
  defaults: { axis: -1 },
  validate(options) {
    checkNumber("cosine_similarity", "axis", options.axis, { integer: true });
  },
  kernel(yTrue, yPred, options, upstream) {
    const floor = options.dtype === "float32" ? Math.fround(EPSILON * EPSILON) : EPSILON * EPSILON;
    const geo = contiguousLastAxis(yTrue, yPred, options.axis, options.dtype);
    if (geo) return contiguousCosine(yTrue, yPred, options.dtype, upstream, geo, floor);
    const { t, p, g, grad, outShape, exclusive } = pairRows(yTrue, yPred, options.axis, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const { trueScale, predScale } = normScales(yTrue, yPred, options.axis, p.length);
    const out = allocate(options.dtype, p.rows);
    const params = Float64Array.of(trueScale, predScale, floor, exclusive ? 1 : 0);
    const layout = packRows(options.dtype === "float32", t, p, g);
    if (!upstream || !g) {
      cosineStrided(out, null, null, t.data, p.data, layout, params);
      return { values: new Tensor(out, outShape) };
    }
    cosineStrided(out, g.data, upstream(outShape), t.data, p.data, layout, params);
    return { values: new Tensor(out, outShape), grad };
  },
});

/** Options of {@link CosineSimilarity}. */
export interface CosineSimilarityOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** The features axis along which the similarity is computed. Default -1. */
  axis?: number;
}

/**
 * Computes the (negative) cosine similarity between labels and predictions.
 *
 * `loss = -sum(l2Normalize(yTrue) * l2Normalize(yPred), axis)`; see {@link cosineSimilarity}.
 * Options: `axis` (default -1), `reduction`, `name` (default `"cosine_similarity"`), `dtype`.
 *
 * @example
 * new CosineSimilarity({ axis: 1 })([[0, 1], [1, 1]], [[1, 0], [1, 1]]) // -0.5
 */
export class CosineSimilarity<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CosineSimilarityOptions<R> = {}) {
    super(cosineSimilarity, withDefaultName(options, "cosine_similarity"));
  }
}
