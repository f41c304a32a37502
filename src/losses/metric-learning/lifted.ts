/**
 * The lifted structured loss (TensorFlow Addons' `lifted.py`): a smooth maximum over all
 * negatives of both ends of every positive pair, over one `[B, B]` distance matrix.
 */
import { LossFunctionWrapper, type LossConfig } from "../../loss";
import { checkNumber, defineLossFunction } from "../define";
import { batchLossConfig, batchLossOptions, type BatchLossOptions } from "./batch";
import { computeDistances, distanceBackward, readEmbeddings, readLabels, scalar } from "./distance";
import { countPositivePairs } from "./triplet";

/** Options of the {@link liftedStructLoss} function. */
export interface LiftedStructConfig {
  margin: number;
}

/**
 * The per-row scratch of one call, one `Float64Array` of `3 · batch`:
 * `[rowMax (batch) | rowSum (batch) | rowWeight (batch)]` (see {@link negativeLogSumExps}
 * and {@link liftedPass}); the loops take views of it.
 */
const ROW_STATS = 3;

/**
 * Per row `a`: `rowMax[a] = m_a`, the largest `margin − d_ak` over the negatives `k` (no
 * negative: over the whole row, as TFA's masked maximum), and
 * `rowSum[a] = Σ_neg exp(margin − d_ak − m_a)` (0 without negatives), both into
 * `rowStats` (see {@link ROW_STATS}). Returns the number of rows that have a negative.
 */
function negativeLogSumExps(d: Float64Array, labels: Float64Array, batch: number, margin: number, rowStats: Float64Array): number {
  const rowMax = rowStats.subarray(0, batch);
  const rowSum = rowStats.subarray(batch, 2 * batch);
  let withNegatives = 0;
  for (let a = 0; a < batch; a++) {
    const row = a * batch;
    const label = labels[a]!;
    let m = -Infinity, rowMinimum = Infinity;
    let any = false;
    for (let k = 0; k < batch; k++) {
      const v = margin - d[row + k]!;
      if (v < rowMinimum) rowMinimum = v;
      if (labels[k] !== label) {
        any = true;
        if (v > m) m = v;
      }
    }
    if (!any) m = rowMinimum;
    else withNegatives++;
    let s = 0;
    for (let k = 0; k < batch; k++) if (labels[k] !== label) s += Math.exp(margin - d[row + k]! - m);
    rowMax[a] = m;
    rowSum[a] = s;
  }
  return withNegatives;
}

/**
 * Σ over ordered positive pairs `(a, b)` of `max(J_ab, 0)²` with
 * `J_ab = log(Σ_{k ∈ neg(a)} e^(margin − d_ak) + Σ_{k ∈ neg(b)} e^(margin − d_bk)) + d_ab`,
 * each log-sum-exp in O(1) from the per-row sums: shifted by `M = max(m_a, m_b)` as TFA
 * does, so nothing overflows. With `withGrad`, adds `scale · ∂/∂d` of `½ Σ max(J, 0)²`
 * into `g`: `r = max(J, 0)` on `d_ab` and `−r · softmax weight` on every negative
 * distance of `a` and of `b` (accumulated per row in `rowWeight`, spread in one O(B²) pass).
 *
 * `params` is `[margin, scale, withGrad (1 or 0)]`; `rowStats` holds the per-row sums of
 * {@link negativeLogSumExps} and a zeroed `rowWeight` (see {@link ROW_STATS}).
 */
function liftedPass(d: Float64Array, labels: Float64Array, batch: number, params: Float64Array, rowStats: Float64Array, g: Float64Array): number {
  const margin = params[0]!;
  const scale = params[1]!;
  const withGrad = params[2] === 1;
  const rowMax = rowStats.subarray(0, batch);
  const rowSum = rowStats.subarray(batch, 2 * batch);
  const rowWeight = rowStats.subarray(2 * batch, 3 * batch);
  let sum = 0;
  for (let a = 0; a < batch; a++) {
    const label = labels[a]!;
    const ma = rowMax[a]!, sa = rowSum[a]!;
    for (let b = 0; b < batch; b++) {
      if (b === a || labels[b] !== label) continue;
      const mb = rowMax[b]!, sb = rowSum[b]!;
      const big = ma > mb ? ma : mb;
      const logSumExp = big + Math.log(sa * Math.exp(ma - big) + sb * Math.exp(mb - big));
      const j = logSumExp + d[a * batch + b]!;
      if (!(j > 0)) continue;
      sum += j * j;
      if (!withGrad) continue;
      const w = scale * j;
      g[a * batch + b] += w;
      rowWeight[a] += w * Math.exp(ma - logSumExp);
      rowWeight[b] += w * Math.exp(mb - logSumExp);
    }
  }
  if (!withGrad) return sum;
  for (let a = 0; a < batch; a++) {
    const w = rowWeight[a]!;
    if (w === 0) continue;
    const row = a * batch;
    const label = labels[a]!, m = rowMax[a]!;
    for (let k = 0; k < batch; k++) if (labels[k] !== label) g[row + k] -= w * Math.exp(margin - d[row + k]! - m);
  }
  return sum;
}

const NO_GRAD = /*#__PURE__*/ new Float64Array(0);

/**
 * The lifted structured loss (TensorFlow Addons' `lifted_struct_loss`).
 *
 * With `d` the Euclidean distance matrix of the embeddings and `P` the number of ordered
 * positive pairs (same label, `a ≠ b`):
 * ```
 * J_ab = log( Σ_{k: label_k ≠ label_a} exp(margin − d_ak) + Σ_{k: label_k ≠ label_b} exp(margin − d_bk) ) + d_ab
 * loss = 1/(2P) · Σ over ordered positive pairs of max(J_ab, 0)²
 * ```
 * (TFA writes it as `0.25 · Σ / (P/2)`.) One value per batch (rank 0). As in TFA, a batch
 * without a positive pair gives NaN (0/0), and so does a one-class batch (TFA's `log(0)`
 * on the diagonal times a zero mask); non-finite embeddings give NaN.
 *
 * Gradient: `max(J_ab, 0)/P` on `d_ab`, and minus that times the softmax weight of each
 * negative term of `J_ab` on its distance, through the Euclidean distances into the
 * embeddings (pairs at distance 0 get none, as in TFA). Cost: one O(B²·D) distance pass,
 * O(B²) for the loss and its gradient with respect to the distances (each pair's
 * log-sum-exp is O(1) from per-row sums), O(B²) memory.
 *
 * Options: `margin` (default 1). Shapes: `yTrue` integer labels `[B]` or `[B, 1]`; `yPred`
 * embeddings `[B, D]` (TFA: not L2-normalized); result `[]`.
 *
 * Reference: H. O. Song, Y. Xiang, S. Jegelka, S. Savarese, "Deep Metric Learning via
 * Lifted Structured Feature Embedding", CVPR 2016 (arXiv:1511.06452); TensorFlow Addons
 * `tfa.losses.lifted_struct_loss`.
 *
 * @example
 * // 1-D points 0, 1 (label 0) and 3 (label 1): J = log(e^(1−3) + e^(1−2)) + 1 for both pairs
 * liftedStructLoss([0, 0, 1], [[0], [1], [3]]).item() // 0.04906644 (J² / 2)
 */
export const liftedStructLoss = /*#__PURE__*/ defineLossFunction<LiftedStructConfig>({
  name: "lifted_struct_loss",
  defaults: { margin: 1 },
  validate(options) {
    checkNumber("lifted_struct_loss", "margin", options.margin);
  },
  kernel(yTrue, yPred, options, upstream) {
    const emb = readEmbeddings(yPred);
    const batch = emb.batch;
    const labels = readLabels(yTrue, batch, yPred.shape);
    const margin = options.dtype === "float32" ? Math.fround(options.margin) : options.margin;
    const dm = computeDistances(emb, yPred, "L2", options.dtype);
    const rowStats = new Float64Array(ROW_STATS * batch);
    const withNegatives = negativeLogSumExps(dm.d, labels, batch, margin, rowStats);
    const pairs = countPositivePairs(labels, batch);
    const nan = !emb.finite || withNegatives === 0 || pairs === 0;
    const u = upstream?.([]);
    const g = u ? new Float64Array(batch * batch) : NO_GRAD;
    const withGrad = u !== undefined && !nan;
    const params = Float64Array.of(margin, withGrad ? u![0]! / pairs : 0, withGrad ? 1 : 0);
    const sum = liftedPass(dm.d, labels, batch, params, rowStats, g);
    const values = scalar(nan ? NaN : (0.5 * sum) / pairs, options.dtype);
    if (!u) return { values };
    return { values, grad: distanceBackward(dm, emb, yPred, g, options.dtype, nan, "lifted_struct_loss") };
  },
});

/** Options of {@link LiftedStructLoss}: `margin`, `name`, `dtype` (`reduction` is ignored, as in TFA). */
export interface LiftedStructLossOptions extends BatchLossOptions {
  /** Margin inside the negatives' log-sum-exp. Default 1. */
  margin?: number;
}

/**
 * Computes the lifted structured loss (TensorFlow Addons' `LiftedStructLoss`).
 *
 * Every positive pair is pushed closer than a smooth maximum over all the negatives of
 * both its ends; see {@link liftedStructLoss}. TFA quirks kept: one value per batch,
 * `reduction` ignored (the call returns the value as a number; a per-sample
 * `sampleWeight` scales it by its mean), NaN for a batch without a positive pair or with a
 * single class.
 *
 * Options: `margin` (default 1), `name` (default `"lifted_struct_loss"`), `dtype`.
 *
 * Reference: Song et al., "Deep Metric Learning via Lifted Structured Feature
 * Embedding", CVPR 2016; TensorFlow Addons.
 *
 * @example
 * new LiftedStructLoss()([0, 0, 1], [[0], [1], [3]]) // 0.04906644
 */
export class LiftedStructLoss extends LossFunctionWrapper<"sum_over_batch_size"> {
  constructor(options: LiftedStructLossOptions = {}) {
    super(liftedStructLoss, batchLossOptions(options, "lifted_struct_loss"));
  }

  getConfig(): LossConfig {
    return batchLossConfig("LiftedStructLoss", super.getConfig());
  }
}
