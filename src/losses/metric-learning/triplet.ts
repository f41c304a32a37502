/**
 * Triplet losses with in-batch mining, as TensorFlow Addons' `triplet.py`: semi-hard
 * (FaceNet) and hard (batch-hard) negatives, over one `[B, B]` distance matrix.
 */
import { LossFunctionWrapper, type LossConfig } from "../../loss";
import { sigmoid, softplus } from "../../math/constants";
import type { Tensor } from "../../tensor/tensor";
import { checkBoolean, checkNumber, defineLossFunction, type KernelOptions } from "../define";
import type { KernelResult, Upstream } from "../../kernel";
import { batchLossConfig, batchLossOptions, describeBatchLoss, type BatchLossOptions } from "./batch";
import { checkDistanceMetric, computeDistances, distanceBackward, hasNaN, readEmbeddings, readLabels, scalar, type DistanceMetric } from "./distance";

/** Options of the {@link tripletSemihardLoss} function. */
export interface TripletSemihardConfig {
  margin: number;
  distanceMetric: DistanceMetric;
}

/** Options of the {@link tripletHardLoss} function. */
export interface TripletHardConfig {
  margin: number;
  soft: boolean;
  distanceMetric: DistanceMetric;
}

/** Ordered pairs `(a, p)`, `a ≠ p`, with equal labels. */
export function countPositivePairs(labels: Float64Array, batch: number): number {
  let count = 0;
  for (let a = 0; a < batch; a++) {
    const label = labels[a]!;
    for (let p = 0; p < batch; p++) if (p !== a && labels[p] === label) count++;
  }
  return count;
}

/** First index in `sorted[0, n)` whose value is `> v`. */
function upperBound(sorted: Float64Array, n: number, v: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index in `sorted[0, n)` whose value is `>= v`. */
function lowerBound(sorted: Float64Array, n: number, v: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `g[row + k] += w / (number of k with d[row + k] === target)` for every such `k`. */
function spreadOverTies(d: Float64Array, row: number, batch: number, target: number, g: Float64Array, w: number): void {
  let ties = 0;
  for (let k = 0; k < batch; k++) if (d[row + k] === target) ties++;
  for (let k = 0; k < batch; k++) if (d[row + k] === target) g[row + k] += w / ties;
}

/**
 * Σ over ordered positive pairs `(a, p)` of `max(margin + d_ap − d_an, 0)`, with TFA's
 * negative `n`: the nearest negative strictly farther than `p` (the margin takes no part
 * in the choice), else the farthest negative, else (no negative at all) the minimum of
 * the anchor's row. O(B) scratch; per anchor with `P` positives and `m` negatives, each
 * positive scans the negatives (O(P·m)) when `P` is small, as in a P×K batch of a few
 * samples per class; otherwise the negatives are sorted once and each positive
 * binary-searches them (O((m + P) log m)). O(B² log B) at worst in all.
 *
 * With `withGrad`, adds `scale · ∂/∂d` into `g`: `+scale` at `(a, p)` and `−scale` at the
 * chosen negative wherever the hinge is `>= 0` (tf.maximum passes the gradient at a tie);
 * negatives tied at the chosen distance share it equally, as TF's `reduce_min` gradient.
 *
 * Loop arguments are typed arrays only (src/losses/README.md): `labels` is `[batch]` (its
 * length is the batch), `d` and `g` `[batch, batch]`; `params` packs the numbers
 * `[margin, scale, withGrad (1 or 0)]`; `scratch` is `2 · batch` doubles (an anchor's
 * negative distances, then the sorted path's weights), `negativeIndex` `batch` integers.
 */
function semihardPass(d: Float64Array, labels: Float64Array, g: Float64Array, params: Float64Array, scratch: Float64Array, negativeIndex: Int32Array): number {
  const batch = labels.length;
  const margin = params[0]!;
  const scale = params[1]!;
  const withGrad = params[2] === 1;
  const negatives = scratch.subarray(0, batch);
  const weights = scratch.subarray(batch, 2 * batch);
  let sum = 0;
  for (let a = 0; a < batch; a++) {
    const row = a * batch;
    const label = labels[a]!;
    let m = 0, positives = 0;
    let rowMin = Infinity;
    for (let k = 0; k < batch; k++) {
      const v = d[row + k]!;
      if (v < rowMin) rowMin = v;
      if (labels[k] !== label) {
        negatives[m] = v;
        negativeIndex[m++] = k;
      } else if (k !== a) {
        positives++;
      }
    }
    if (positives === 0) continue;
    if (m === 0) {
      // TFA's masked maximum over an empty set is the row minimum.
      let rowMinWeight = 0;
      for (let p = 0; p < batch; p++) {
        if (p === a || labels[p] !== label) continue;
        const hinge = margin + d[row + p]! - rowMin;
        if (hinge > 0) sum += hinge;
        if (withGrad && hinge >= 0) {
          g[row + p] += scale;
          rowMinWeight += scale;
        }
      }
      if (rowMinWeight !== 0) spreadOverTies(d, row, batch, rowMin, g, -rowMinWeight);
    } else if (positives <= SCAN_POSITIVES + Math.log2(m)) {
      sum += semihardAnchorScan(d, labels, a, m, negatives, negativeIndex, g, params);
    } else {
      sum += semihardAnchorSorted(d, labels, a, m, negatives, weights, g, params);
    }
  }
  return sum;
}

/** Up to this many positives (plus log2 of the negatives) per anchor, scanning beats sorting. */
const SCAN_POSITIVES = 8;

/**
 * One anchor's semi-hard terms by scanning its `m` negatives (`negatives[0, m)`, at
 * columns `negativeIndex[0, m)`) once per positive. Arguments as {@link semihardPass}.
 */
function semihardAnchorScan(d: Float64Array, labels: Float64Array, a: number, m: number, negatives: Float64Array, negativeIndex: Int32Array, g: Float64Array, params: Float64Array): number {
  const batch = labels.length;
  const margin = params[0]!;
  const scale = params[1]!;
  const withGrad = params[2] === 1;
  const row = a * batch;
  const label = labels[a]!;
  // The fallback: the farthest negative, and how many negatives tie with it.
  let far = -Infinity, farTies = 0;
  for (let i = 0; i < m; i++) {
    const v = negatives[i]!;
    if (v > far) {
      far = v;
      farTies = 1;
    } else if (v === far) {
      farTies++;
    }
  }
  let sum = 0, farWeight = 0;
  for (let p = 0; p < batch; p++) {
    if (p === a || labels[p] !== label) continue;
    const dap = d[row + p]!;
    let near = Infinity, nearTies = 0;
    for (let i = 0; i < m; i++) {
      const v = negatives[i]!;
      if (v > dap) {
        if (v < near) {
          near = v;
          nearTies = 1;
        } else if (v === near) {
          nearTies++;
        }
      }
    }
    const hinge = margin + dap - (nearTies > 0 ? near : far);
    if (hinge > 0) sum += hinge;
    if (!withGrad || !(hinge >= 0)) continue;
    g[row + p] += scale;
    if (nearTies === 0) {
      farWeight += scale;
      continue;
    }
    const w = scale / nearTies;
    for (let i = 0; i < m; i++) if (negatives[i] === near) g[row + negativeIndex[i]!] -= w;
  }
  if (farWeight !== 0) {
    const w = farWeight / farTies;
    for (let i = 0; i < m; i++) if (negatives[i] === far) g[row + negativeIndex[i]!] -= w;
  }
  return sum;
}

/**
 * One anchor's semi-hard terms from its `m` negatives sorted once (`negatives[0, m)` is
 * reordered; `weights[0, m)` is scratch). Arguments as {@link semihardPass}.
 */
function semihardAnchorSorted(d: Float64Array, labels: Float64Array, a: number, m: number, negatives: Float64Array, weights: Float64Array, g: Float64Array, params: Float64Array): number {
  const batch = labels.length;
  const margin = params[0]!;
  const scale = params[1]!;
  const withGrad = params[2] === 1;
  const row = a * batch;
  const label = labels[a]!;
  negatives.subarray(0, m).sort();
  if (withGrad) weights.fill(0, 0, m);
  let sum = 0;
  for (let p = 0; p < batch; p++) {
    if (p === a || labels[p] !== label) continue;
    const dap = d[row + p]!;
    let at = upperBound(negatives, m, dap);
    let dan: number;
    if (at < m) {
      dan = negatives[at]!;
    } else {
      dan = negatives[m - 1]!;
      at = lowerBound(negatives, m, dan);
    }
    const hinge = margin + dap - dan;
    if (hinge > 0) sum += hinge;
    // `at` is the first of the run of negatives tied at `dan`; the run shares its weight.
    if (withGrad && hinge >= 0) {
      g[row + p] += scale;
      weights[at] += scale;
    }
  }
  if (!withGrad) return sum;
  for (let k = 0; k < batch; k++) {
    if (labels[k] === label) continue;
    const at = lowerBound(negatives, m, d[row + k]!);
    const w = weights[at]!;
    if (w !== 0) g[row + k] -= w / (upperBound(negatives, m, negatives[at]!) - at);
  }
  return sum;
}

/**
 * Σ over anchors of the batch-hard triplet loss: hardest positive `hp` (largest `d_ap`,
 * `p ≠ a`; none: the row minimum) against hardest negative `hn` (smallest `d_an`; none:
 * the row maximum), `max(hp − hn + margin, 0)` or, with `soft`, `log(1 + e^(hp − hn))`.
 * With `withGrad`, adds `scale · ∂/∂d` into `g`, ties sharing equally (TF's reduce_max/min).
 */
function hardPass(d: Float64Array, labels: Float64Array, batch: number, margin: number, soft: boolean, g: Float64Array, withGrad: boolean, scale: number): number {
  let sum = 0;
  for (let a = 0; a < batch; a++) {
    const row = a * batch;
    const label = labels[a]!;
    let hp = -Infinity, hn = Infinity, rowMin = Infinity, rowMax = -Infinity;
    let positives = 0, negatives = 0;
    for (let k = 0; k < batch; k++) {
      const v = d[row + k]!;
      if (v < rowMin) rowMin = v;
      if (v > rowMax) rowMax = v;
      if (labels[k] !== label) {
        negatives++;
        if (v < hn) hn = v;
      } else if (k !== a) {
        positives++;
        if (v > hp) hp = v;
      }
    }
    if (positives === 0) hp = rowMin;
    if (negatives === 0) hn = rowMax;
    const x = hp - hn;
    let slope: number;
    if (soft) {
      sum += softplus(x);
      slope = sigmoid(x);
    } else {
      const z = x + margin;
      if (z > 0) sum += z;
      slope = z >= 0 ? 1 : 0;
    }
    if (!withGrad || slope === 0) continue;
    const w = scale * slope;
    if (positives === 0) {
      spreadOverTies(d, row, batch, rowMin, g, w);
    } else {
      let ties = 0;
      for (let k = 0; k < batch; k++) if (k !== a && labels[k] === label && d[row + k] === hp) ties++;
      for (let k = 0; k < batch; k++) if (k !== a && labels[k] === label && d[row + k] === hp) g[row + k] += w / ties;
    }
    if (negatives === 0) {
      spreadOverTies(d, row, batch, rowMax, g, -w);
    } else {
      let ties = 0;
      for (let k = 0; k < batch; k++) if (labels[k] !== label && d[row + k] === hn) ties++;
      for (let k = 0; k < batch; k++) if (labels[k] !== label && d[row + k] === hn) g[row + k] -= w / ties;
    }
  }
  return sum;
}

const NO_GRAD = /*#__PURE__*/ new Float64Array(0);

/** The float32 cast TF applies to a Python float added to a float32 tensor. */
function castTo(options: KernelOptions<object>, x: number): number {
  return options.dtype === "float32" ? Math.fround(x) : x;
}

/** Shared driver of the two triplet kernels: distances, one mining pass, gradient through the distances. */
function tripletKernel(
  lossName: string,
  yTrue: Tensor,
  yPred: Tensor,
  options: KernelOptions<{ distanceMetric: DistanceMetric }>,
  upstream: Upstream | undefined,
  mine: (d: Float64Array, labels: Float64Array, batch: number, g: Float64Array, withGrad: boolean, scale: number) => number,
  count: (labels: Float64Array, batch: number) => number,
): KernelResult {
  const emb = readEmbeddings(yPred);
  const batch = emb.batch;
  const labels = readLabels(yTrue, batch, yPred.shape);
  const dm = computeDistances(emb, yPred, options.distanceMetric, options.dtype);
  const nan = !emb.finite || hasNaN(dm.d);
  const n = count(labels, batch);
  // The one value's upstream depends on nothing but its shape: known before the pass.
  const u = upstream?.([]);
  const g = u ? new Float64Array(batch * batch) : NO_GRAD;
  const withGrad = u !== undefined && !nan && n > 0;
  const sum = mine(dm.d, labels, batch, g, withGrad, withGrad ? u![0]! / n : 0);
  // n = 0 gives 0 / 0 = NaN, as TFA's truediv / reduce_mean.
  const values = scalar(nan ? NaN : sum / n, options.dtype);
  if (!u) return { values };
  return { values, grad: distanceBackward(dm, emb, yPred, g, options.dtype, nan || n === 0, lossName) };
}

/**
 * Triplet loss with semi-hard negative mining (TensorFlow Addons' `triplet_semihard_loss`).
 *
 * For every ordered positive pair `(a, p)` (same label, `a ≠ p`), with `d` the distance
 * matrix of the embeddings under `distanceMetric`:
 * ```
 * n*(a, p) = argmin { d_an : label_n ≠ label_a, d_an > d_ap }   (semi-hard: nearest negative farther than p)
 *          = argmax { d_an : label_n ≠ label_a }                (if there is none: farthest negative)
 * loss     = mean over (a, p) of max(margin + d_ap − d_an*, 0)
 * ```
 * TFA's exact rule: the margin takes no part in choosing the negative; an anchor without
 * any negative (a one-class batch) uses the minimum of its distance row (0 for `"L2"`).
 * The result is one value per batch (rank 0). A batch without a positive pair gives NaN
 * (TFA divides 0 by 0); so do non-finite embeddings.
 *
 * Gradient: through the chosen distances into the embeddings (`+1` on `d_ap`, `−1` on
 * `d_an*` per active triplet, divided by the number of pairs). At a hinge of exactly 0 the
 * gradient passes (tf.maximum's rule); negatives tied at the chosen distance share its
 * gradient equally (tf.reduce_min's rule); pairs at distance 0 get none (TFA masks them).
 * Cost: one O(B²·D) distance pass; mining O(P·B) per anchor with P positives when P is
 * small (a scan of the negatives per positive), else O(B log B) (one sort of the
 * negatives, a binary search per positive); O(B²) memory, no B×B×B tensor as TFA's
 * `tf.tile` builds.
 *
 * Options: `margin` (default 1); `distanceMetric` (default `"L2"`): `"L2"`,
 * `"squared-L2"`, `"angular"` (1 − cosine similarity) or a function
 * `(embeddings) => [B, B] distances` (with an optional `backward` for gradients; see
 * {@link DistanceFunction}).
 *
 * Shapes: `yTrue` integer labels `[B]` or `[B, 1]`; `yPred` embeddings `[B, D]` (TFA
 * expects them L2-normalized); result `[]`.
 *
 * Reference: F. Schroff, D. Kalenichenko, J. Philbin, "FaceNet: A Unified Embedding for
 * Face Recognition and Clustering", CVPR 2015 (arXiv:1503.03832); TensorFlow Addons
 * `tfa.losses.triplet_semihard_loss`.
 *
 * @example
 * tripletSemihardLoss([0, 0], [[0, 1], [1, 0]]).item() // 2.4142137 (TFA's docstring)
 * // TFA's callable example, x xᵀ as the "distance":
 * const gram = (x) => ops.sum(ops.multiply(ops.expandDims(x, 1), ops.expandDims(x, 0)), -1);
 * tripletSemihardLoss([0, 0], [[0, 1], [1, 0]], { distanceMetric: gram }).item() // 1
 */
export const tripletSemihardLoss = /*#__PURE__*/ defineLossFunction<TripletSemihardConfig>({
  name: "triplet_semihard_loss",
  defaults: { margin: 1, distanceMetric: "L2" },
  validate(options) {
    checkNumber("triplet_semihard_loss", "margin", options.margin);
    checkDistanceMetric("triplet_semihard_loss", options.distanceMetric);
  },
  kernel(yTrue, yPred, options, upstream) {
    const margin = castTo(options, options.margin);
    const batch = yPred.rank === 2 ? yPred.shape[0]! : 0;
    const scratch = new Float64Array(2 * batch);
    const negativeIndex = new Int32Array(batch);
    return tripletKernel(
      "triplet_semihard_loss",
      yTrue,
      yPred,
      options,
      upstream,
      (d, labels, _batch, g, withGrad, scale) => semihardPass(d, labels, g, Float64Array.of(margin, scale, withGrad ? 1 : 0), scratch, negativeIndex),
      countPositivePairs,
    );
  },
});

/**
 * Triplet loss with hard negative and hard positive mining (TensorFlow Addons'
 * `triplet_hard_loss`, "batch hard").
 *
 * For every anchor `a`, with `d` the distance matrix under `distanceMetric`:
 * ```
 * hp_a = max { d_ap : label_p = label_a, p ≠ a }   (no positive: the row minimum, 0 for "L2")
 * hn_a = min { d_an : label_n ≠ label_a }          (no negative: the row maximum)
 * loss = mean over all anchors of max(hp_a − hn_a + margin, 0)
 *        or, with soft, of log(1 + exp(hp_a − hn_a))
 * ```
 * As in TFA the mean is over every anchor, those without a positive included. One value
 * per batch (rank 0); an empty batch or non-finite embeddings give NaN. `soft` is computed
 * stably (TFA's literal `log1p(exp(x))` overflows in float32 for x > 88).
 *
 * Gradient: `±1/B` (soft: `±sigmoid(hp − hn)/B`) on the hardest positive and negative
 * distances of each anchor whose hinge is `>= 0`, through the distances into the
 * embeddings; ties share equally (tf.reduce_max/min).
 *
 * Options: `margin` (default 1; unused when `soft`), `soft` (default false),
 * `distanceMetric` (default `"L2"`; see {@link tripletSemihardLoss}).
 *
 * Shapes: `yTrue` integer labels `[B]` or `[B, 1]`; `yPred` embeddings `[B, D]`; result `[]`.
 *
 * Reference: A. Hermans, L. Beyer, B. Leibe, "In Defense of the Triplet Loss for Person
 * Re-Identification", 2017 (arXiv:1703.07737); TensorFlow Addons `tfa.losses.triplet_hard_loss`.
 *
 * @example
 * tripletHardLoss([0, 0], [[0, 1], [1, 0]]).item() // 1 (TFA's docstring)
 */
export const tripletHardLoss = /*#__PURE__*/ defineLossFunction<TripletHardConfig>({
  name: "triplet_hard_loss",
  defaults: { margin: 1, soft: false, distanceMetric: "L2" },
  validate(options) {
    checkNumber("triplet_hard_loss", "margin", options.margin);
    checkBoolean("triplet_hard_loss", "soft", options.soft);
    checkDistanceMetric("triplet_hard_loss", options.distanceMetric);
  },
  kernel(yTrue, yPred, options, upstream) {
    const margin = castTo(options, options.margin);
    const soft = options.soft;
    return tripletKernel(
      "triplet_hard_loss",
      yTrue,
      yPred,
      options,
      upstream,
      (d, labels, batch, g, withGrad, scale) => hardPass(d, labels, batch, margin, soft, g, withGrad, scale),
      (_labels, batch) => batch,
    );
  },
});

/** Options of {@link TripletSemiHardLoss}: `margin`, `distanceMetric`, `name`, `dtype` (`reduction` is ignored, as in TFA). */
export interface TripletSemiHardLossOptions extends BatchLossOptions {
  /** Margin of the hinge. Default 1. */
  margin?: number;
  /** `"L2"` (default), `"squared-L2"`, `"angular"` or a function `(embeddings) => [B, B] distances`. */
  distanceMetric?: DistanceMetric;
}

/**
 * Computes the triplet loss with semi-hard negative mining (TensorFlow Addons'
 * `TripletSemiHardLoss`).
 *
 * Pulls each positive pair closer than the nearest negative that is still farther than
 * the positive (FaceNet's semi-hard negative); see {@link tripletSemihardLoss} for the
 * formula and the exact mining rule. Labels are integers `[B]` (or `[B, 1]`), embeddings
 * `[B, D]`, L2-normalized by the model (e.g. `UnitNormalization`).
 *
 * TFA quirk kept: the loss is one value per batch and `reduction` is ignored (TFA builds
 * the class with `reduction=NONE`); the call returns that value as a number. A per-sample
 * `sampleWeight` scales it by its mean (what Keras reports for TFA's weighted vector); a
 * scalar one scales it. A function `distanceMetric` cannot be serialized: `getConfig()`
 * throws a `ConfigError`.
 *
 * Options: `margin` (default 1), `distanceMetric` (default `"L2"`), `name` (default
 * `"triplet_semihard_loss"`), `dtype`.
 *
 * Reference: Schroff et al., "FaceNet", CVPR 2015; TensorFlow Addons.
 *
 * @example
 * new TripletSemiHardLoss()([0, 0], [[0, 1], [1, 0]]) // 2.4142137 (TFA's docstring)
 */
export class TripletSemiHardLoss extends LossFunctionWrapper<"sum_over_batch_size"> {
  constructor(options: TripletSemiHardLossOptions = {}) {
    super(tripletSemihardLoss, batchLossOptions(options, "triplet_semihard_loss"));
  }

  getConfig(): LossConfig {
    return batchLossConfig("TripletSemiHardLoss", super.getConfig());
  }

  toString(): string {
    return describeBatchLoss("TripletSemiHardLoss", super.getConfig());
  }
}

/** Options of {@link TripletHardLoss}: `margin`, `soft`, `distanceMetric`, `name`, `dtype` (`reduction` is ignored, as in TFA). */
export interface TripletHardLossOptions extends BatchLossOptions {
  /** Margin of the hinge (unused when `soft`). Default 1. */
  margin?: number;
  /** Use the soft margin `log(1 + exp(hp − hn))`. Default false. */
  soft?: boolean;
  /** `"L2"` (default), `"squared-L2"`, `"angular"` or a function `(embeddings) => [B, B] distances`. */
  distanceMetric?: DistanceMetric;
}

/**
 * Computes the triplet loss with hard negative and hard positive mining (TensorFlow
 * Addons' `TripletHardLoss`).
 *
 * For each anchor, its farthest positive against its nearest negative; see
 * {@link tripletHardLoss}. Same TFA quirks as {@link TripletSemiHardLoss}: one value per
 * batch, `reduction` ignored, a function `distanceMetric` not serializable.
 *
 * Options: `margin` (default 1), `soft` (default false), `distanceMetric` (default
 * `"L2"`), `name` (default `"triplet_hard_loss"`), `dtype`.
 *
 * Reference: Hermans et al., "In Defense of the Triplet Loss for Person
 * Re-Identification", 2017; TensorFlow Addons.
 *
 * @example
 * new TripletHardLoss()([0, 0], [[0, 1], [1, 0]]) // 1 (TFA's docstring)
 */
export class TripletHardLoss extends LossFunctionWrapper<"sum_over_batch_size"> {
  constructor(options: TripletHardLossOptions = {}) {
    super(tripletHardLoss, batchLossOptions(options, "triplet_hard_loss"));
  }

  getConfig(): LossConfig {
    return batchLossConfig("TripletHardLoss", super.getConfig());
  }

  toString(): string {
    return describeBatchLoss("TripletHardLoss", super.getConfig());
  }
}
