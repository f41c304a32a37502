/**
 * N-pair losses (TensorFlow Addons' `npairs.py`): softmax crossentropy of each row of a
 * `[B, B]` similarity matrix against the row-normalized label-agreement matrix.
 */
import { InputError, ShapeError, formatShape } from "../../errors";
import { LossFunctionWrapper, type LossConfig } from "../../loss";
import { Tensor } from "../../tensor/tensor";
import type { KernelResult, Upstream } from "../../kernel";
import { defineLossFunction, type KernelOptions } from "../define";
import { batchLossConfig, batchLossOptions, type BatchLossOptions } from "./batch";
import { readLabels, scalar } from "./distance";

/** The similarity matrix `yPred`, checked to be `[batch, batch]`, as contiguous float64 rows. */
function readSimilarity(yPred: Tensor, batch: number, yTrue: Tensor): Float64Array {
  if (yPred.rank !== 2 || yPred.shape[0] !== yPred.shape[1]) {
    throw new ShapeError(`yPred must be a [batch, batch] similarity matrix, received shape ${formatShape(yPred.shape)}`);
  }
  if (yPred.shape[0] !== batch) {
    throw new ShapeError(`yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected ${yPred.shape[0]} labels`);
  }
  return yPred.toTypedArray("float64") as Float64Array;
}

/**
 * Σ over rows `i` of `Σ_j t_ij (logsumexp(s_i) − s_ij)` (softmax crossentropy with target
 * rows `t`), reading the targets `t_ij = target[i·B + j]`. With `withGrad`, writes
 * `scale · (softmax(s_i)_j − t_ij)` (TF's crossentropy gradient) into `g`.
 */
function softmaxCrossentropyRows(s: Float64Array, target: Float64Array, batch: number, g: Float64Array, withGrad: boolean, scale: number): number {
  let sum = 0;
  for (let i = 0; i < batch; i++) {
    const row = i * batch;
    let max = -Infinity;
    for (let j = 0; j < batch; j++) if (s[row + j]! > max) max = s[row + j]!;
    let z = 0;
    for (let j = 0; j < batch; j++) z += Math.exp(s[row + j]! - max);
    const logSumExp = max + Math.log(z);
    let loss = 0;
    for (let j = 0; j < batch; j++) {
      const t = target[row + j]!;
      if (t !== 0) loss += t * (logSumExp - s[row + j]!);
    }
    // A NaN similarity (or a 0/0 target row) makes the row NaN, as in TF.
    sum += loss;
    if (!withGrad) continue;
    for (let j = 0; j < batch; j++) g[row + j] = scale * (Math.exp(s[row + j]! - logSumExp) - target[row + j]!);
  }
  return sum;
}

/** Targets of `npairs_loss`: `t_ij = [label_i = label_j] / #{j : label_j = label_i}`. */
function labelTargets(labels: Float64Array, batch: number, target: Float64Array): void {
  for (let i = 0; i < batch; i++) {
    let count = 0;
    for (let j = 0; j < batch; j++) if (labels[j] === labels[i]) count++;
    for (let j = 0; j < batch; j++) target[i * batch + j] = labels[j] === labels[i] ? 1 / count : 0;
  }
}

/** Targets of `npairs_multilabel_loss`: `T = Y Yᵀ` (label-set overlaps), each row divided by its sum. */
function overlapTargets(y: Float64Array, batch: number, classes: number, target: Float64Array): void {
  for (let i = 0; i < batch; i++) {
    let rowSum = 0;
    for (let j = 0; j < batch; j++) {
      let overlap = 0;
      for (let c = 0; c < classes; c++) overlap += y[i * classes + c]! * y[j * classes + c]!;
      target[i * batch + j] = overlap;
      rowSum += overlap;
    }
    // A sample with no label has an all-zero row: 0/0 = NaN, as TF's division.
    for (let j = 0; j < batch; j++) target[i * batch + j] /= rowSum;
  }
}

const NO_GRAD = /*#__PURE__*/ new Float64Array(0);

function npairsKernel(yPred: Tensor, yTrue: Tensor, batch: number, target: Float64Array, options: KernelOptions<object>, upstream: Upstream | undefined): KernelResult {
  const s = readSimilarity(yPred, batch, yTrue);
  const u = upstream?.([]);
  const g = u ? new Float64Array(batch * batch) : NO_GRAD;
  const sum = softmaxCrossentropyRows(s, target, batch, g, u !== undefined, u ? u[0]! / batch : 0);
  // reduce_mean over the rows: an empty batch gives NaN, as in TF.
  const values = scalar(sum / batch, options.dtype);
  if (!u) return { values };
  return { values, grad: new Tensor(options.dtype === "float64" ? g : Float32Array.from(g), [batch, batch]) };
}

/**
 * The n-pairs loss (TensorFlow Addons' `npairs_loss`).
 *
 * `yPred` is a `[B, B]` similarity matrix (typically `anchors · positivesᵀ`); each row is a
 * vector of logits whose targets are the samples sharing the row's label:
 * ```
 * t_ij = [label_i = label_j] / #{k : label_k = label_i}
 * loss = mean over i of Σ_j −t_ij · log softmax(yPred_i)_j
 * ```
 * One value per batch (rank 0). Gradient with respect to the similarities:
 * `(softmax(yPred_i) − t_i) / B`, as TF's crossentropy gradient.
 *
 * Shapes: `yTrue` integer labels `[B]` (or `[B, 1]`); `yPred` `[B, B]`; result `[]`.
 *
 * Reference: K. Sohn, "Improved Deep Metric Learning with Multi-class N-pair Loss
 * Objective", NeurIPS 2016; TensorFlow Addons `tfa.losses.npairs_loss`.
 *
 * @example
 * // TFA's npairs_test.py: f = [[1, 1], [1, -1], [-1, 1], [-1, -1]], yPred = f fᵀ
 * npairsLoss([0, 1, 2, 3], [[2, 0, 0, -2], [0, 2, -2, 0], [0, -2, 2, 0], [-2, 0, 0, 2]]).item() // 0.253856
 */
export const npairsLoss = /*#__PURE__*/ defineLossFunction({
  name: "npairs_loss",
  defaults: {},
  kernel(yTrue, yPred, options, upstream) {
    const batch = yPred.rank >= 1 ? yPred.shape[0]! : 0;
    const labels = readLabels(yTrue, batch, yPred.shape);
    const target = new Float64Array(batch * batch);
    labelTargets(labels, batch, target);
    return npairsKernel(yPred, yTrue, batch, target, options, upstream);
  },
});

/**
 * The n-pairs loss for multilabel data (TensorFlow Addons' `npairs_multilabel_loss`).
 *
 * `yTrue` holds binary indicators `[B, C]` (`yTrue[i, c] = 1` when sample `i` is in class
 * `c`); the targets are the label-set overlaps, row-normalized:
 * ```
 * T = yTrue · yTrueᵀ      (T_ij = |labels(i) ∩ labels(j)|)
 * t_ij = T_ij / Σ_k T_ik
 * loss = mean over i of Σ_j −t_ij · log softmax(yPred_i)_j
 * ```
 * With one label per sample it equals {@link npairsLoss}. As in TFA, a sample with no
 * label gives a 0/0 target row and a NaN loss; non-negative non-binary values act as
 * weights of the overlap counts (TFA's matmul); TFA's `SparseTensor` input is a dense
 * array here. One value per batch (rank 0); gradient `(softmax(yPred_i) − t_i) / B`.
 *
 * Shapes: `yTrue` `[B, C]`; `yPred` `[B, B]`; result `[]`.
 *
 * Reference: Sohn, NeurIPS 2016; TensorFlow Addons `tfa.losses.npairs_multilabel_loss`.
 *
 * @example
 * const yPred = [[2, 0, 0, -2], [0, 2, -2, 0], [0, -2, 2, 0], [-2, 0, 0, 2]];
 * npairsMultilabelLoss([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]], yPred).item() // 1.4205227 (TFA's test: 1.420522)
 */
export const npairsMultilabelLoss = /*#__PURE__*/ defineLossFunction({
  name: "npairs_multilabel_loss",
  defaults: {},
  kernel(yTrue, yPred, options, upstream) {
    const batch = yPred.rank >= 1 ? yPred.shape[0]! : 0;
    if (yTrue.rank !== 2 || yTrue.shape[0] !== batch) {
      throw new ShapeError(`yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected label indicators of shape [${batch}, numClasses]`);
    }
    const classes = yTrue.shape[1]!;
    const y = yTrue.toTypedArray("float64") as Float64Array;
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (!(v >= 0) || v === Infinity) {
        throw new InputError(`yTrue must hold label indicators (0 or 1; non-negative counts), received ${v} at [${Math.floor(i / classes)}, ${i % classes}]`);
      }
    }
    const target = new Float64Array(batch * batch);
    overlapTargets(y, batch, classes, target);
    return npairsKernel(yPred, yTrue, batch, target, options, upstream);
  },
});

/**
 * Computes the n-pairs loss (TensorFlow Addons' `NpairsLoss`).
 *
 * See {@link npairsLoss}: integer labels `[B]` and a `[B, B]` similarity matrix. TFA
 * quirk kept: one value per batch and `reduction` ignored (the call returns the value as a
 * number; a per-sample `sampleWeight` scales it by its mean).
 *
 * Options: `name` (default `"npairs_loss"`), `dtype`.
 *
 * Reference: Sohn, NeurIPS 2016; TensorFlow Addons.
 *
 * @example
 * new NpairsLoss()([0, 1, 2, 3], [[2, 0, 0, -2], [0, 2, -2, 0], [0, -2, 2, 0], [-2, 0, 0, 2]]) // 0.253856
 */
export class NpairsLoss extends LossFunctionWrapper<"sum_over_batch_size"> {
  constructor(options: BatchLossOptions = {}) {
    super(npairsLoss, batchLossOptions(options, "npairs_loss"));
  }

  getConfig(): LossConfig {
    return batchLossConfig("NpairsLoss", super.getConfig());
  }
}

/**
 * Computes the n-pairs loss for multilabel data (TensorFlow Addons'
 * `NpairsMultilabelLoss`).
 *
 * See {@link npairsMultilabelLoss}: label indicators `[B, C]` and a `[B, B]` similarity
 * matrix. Same TFA quirks as {@link NpairsLoss}.
 *
 * Options: `name` (default `"npairs_multilabel_loss"`), `dtype`.
 *
 * Reference: Sohn, NeurIPS 2016; TensorFlow Addons.
 *
 * @example
 * const yPred = [[2, 0, 0, -2], [0, 2, -2, 0], [0, -2, 2, 0], [-2, 0, 0, 2]];
 * new NpairsMultilabelLoss()([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]], yPred) // 1.4205227
 */
export class NpairsMultilabelLoss extends LossFunctionWrapper<"sum_over_batch_size"> {
  constructor(options: BatchLossOptions = {}) {
    super(npairsMultilabelLoss, batchLossOptions(options, "npairs_multilabel_loss"));
  }

  getConfig(): LossConfig {
    return batchLossConfig("NpairsMultilabelLoss", super.getConfig());
  }
}
