/**
 * Soft overlap losses beyond keras.losses: Jaccard (soft IoU) and the soft F-beta loss the
 * Keras guides hand-write. Like `Dice`, each sums over `axis` (every axis by default), so a
 * per-sample value is one overlap score. The sums run over the aligned (broadcast) pairs.
 */
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { checkNumber, defineLossFunction, type KernelOptions } from "./define";
import { checkAxisOption, segmentationLayout, type SegmentationAxis, type SegmentationLayout } from "./segmentation";
import { epsilon } from "../math/constants";
import { gradientBuffer } from "./layout";

/** Length of the header of a packed segmentation layout (see {@link packSegmentation}). */
const SEGMENTATION_HEADER = 6;

/**
 * A segmentation layout packed into one `Int32Array`, as `packRows` packs rows (loops take
 * only typed arrays and numbers, see ./README.md):
 * `[n, tStride, pStride, gStride, rows, blocks, tOuter…, pOuter…, gOuter…, tInner…, pInner…, gInner…]`,
 * `rows` outer offsets (one per result) and `blocks` inner offsets (one per run of `n`
 * elements) each; the gradient's are 0 without a gradient. Row `r`, block `j` of yTrue starts
 * at `tOuter[r] + tInner[j]`.
 */
function packSegmentation(layout: SegmentationLayout): Int32Array {
  const { rows, outer, inner, length, strides } = layout.layout;
  const blocks = inner[0]!.length;
  const packed = new Int32Array(SEGMENTATION_HEADER + 3 * rows + 3 * blocks);
  packed[0] = length;
  packed[1] = strides[0]!;
  packed[2] = strides[1]!;
  packed[3] = strides[2] ?? 0;
  packed[4] = rows;
  packed[5] = blocks;
  for (let i = 0; i < 3; i++) {
    if (outer[i]) packed.set(outer[i]!, SEGMENTATION_HEADER + i * rows);
    if (inner[i]) packed.set(inner[i]!, SEGMENTATION_HEADER + 3 * rows + i * blocks);
  }
  return packed;
}

// ---------------------------------------------------------------------------------------
// Jaccard
// ---------------------------------------------------------------------------------------

/** Options of {@link jaccard} and {@link Jaccard}. */
export interface JaccardConfig {
  /** Axes to sum over: `null` (default, every axis), an axis, or an array of axes. */
  axis: SegmentationAxis;
  /** Added to the intersection and to the union. Default `0`. */
  smooth: number;
}

export interface JaccardOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<JaccardConfig> {}

function jaccardKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<JaccardConfig>, upstream?: Upstream): KernelResult {
  const layout = segmentationLayout("jaccard", yTrue, yPred, o.axis, upstream && gradientBuffer(upstream, o.dtype, yPred.size));
  const u = upstream ? upstream(layout.layout.outShape) : null;
  const out = allocate(o.dtype, layout.layout.rows);
  jaccardRows(out, layout.grad ? layout.grad.data : null, u, layout.trueData, layout.predData, packSegmentation(layout), Float64Array.of(o.smooth, epsilon(o.dtype)));
  return { values: new Tensor(out, layout.layout.outShape), grad: layout.grad };
}

/**
 * `1 - (I + s) / (St + Sp - I + s + ε)` per row, with `I = Σ t p`, `St = Σ t`, `Sp = Σ p`;
 * gradient `-(t (D + I + s) - (I + s)) / D²` with `D` the denominator. `layout` from
 * {@link packSegmentation}, `params` = `[smooth, ε]`.
 */
function jaccardRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, rows = layout[4]!, blocks = layout[5]!;
  const TO = SEGMENTATION_HEADER, PO = TO + rows, GO = PO + rows, TI = GO + rows, PI = TI + blocks, GI = PI + blocks;
  const smooth = params[0]!;
  const eps = params[1]!;
  for (let r = 0; r < rows; r++) {
    let inter = 0, trueSum = 0, predSum = 0;
    for (let j = 0; j < blocks; j++) {
      let to = layout[TO + r]! + layout[TI + j]!, po = layout[PO + r]! + layout[PI + j]!;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const t = td[to]!, p = pd[po]!;
        inter += t * p;
        trueSum += t;
        predSum += p;
      }
    }
    const numerator = inter + smooth;
    const denominator = trueSum + predSum - inter + smooth + eps;
    out[r] = 1 - numerator / denominator;
    if (!gd) continue;
    const up = u![r]!;
    const slope = (-up * (denominator + numerator)) / (denominator * denominator);
    const constant = (up * numerator) / (denominator * denominator);
    for (let j = 0; j < blocks; j++) {
      let to = layout[TO + r]! + layout[TI + j]!, go = layout[GO + r]! + layout[GI + j]!;
      for (let k = 0; k < n; k++, to += ts, go += gs) gd[go] += slope * td[to]! + constant;
    }
  }
}

/**
 * Jaccard loss: one minus the soft Jaccard index (intersection over union) of soft masks.
 *
 * ```
 * I    = Σ yTrue · yPred          U = Σ yTrue + Σ yPred
 * loss = 1 - (I + smooth) / (U - I + smooth + ε)          ε = 1e-7
 * ```
 * the sums taken over `axis` (default `null`: every axis, batch included, so the result is
 * one value of shape `[]`, as Keras's `Dice`; pass `axis: [1, 2, 3]` for one value per image
 * of an NHWC batch). For binary masks it is `1 - d / (2 - d)` with `d` the Dice coefficient.
 * Unlike Keras's `Dice`, the sums run over the aligned (broadcast) pairs, so a broadcast
 * yTrue counts once per pair.
 *
 * Gradient: `dL/dyPred_k = -(yTrue_k (D + I + smooth) - (I + smooth)) / D²`, `D` the denominator.
 *
 * Options: `axis` (default `null`), `smooth` (default `0`, `>= 0`).
 *
 * Shapes: `yTrue` and `yPred` any equal (or Keras-alignable) shapes; result: that shape
 * without the summed axes.
 *
 * Reference: M. A. Rahman and Y. Wang, "Optimizing Intersection-Over-Union in Deep Neural
 * Networks for Image Segmentation", ISVC 2016; P. Jaccard, 1912.
 *
 * @example
 * jaccard([[1, 1, 0, 0]], [[0.5, 1, 0.5, 0]]).item() // 0.4
 * jaccard([[1, 1, 0, 0], [0, 1, 1, 0]], [[1, 1, 0, 0], [1, 0, 0, 0]], { axis: -1 }).toArray() // [5e-8, 1]
 */
export const jaccard = /*#__PURE__*/ defineLossFunction<JaccardConfig>({
  name: "jaccard",
  defaults: { axis: null, smooth: 0 },
  validate(o) {
    o.axis = checkAxisOption("jaccard", o.axis);
    checkNumber("jaccard", "smooth", o.smooth, { min: 0 });
  },
  kernel: jaccardKernel,
});

/**
 * Computes the Jaccard (soft IoU) loss between labels and predictions:
 * `1 - (I + smooth) / (Σ yTrue + Σ yPred - I + smooth + 1e-7)` over `axis`; see {@link jaccard}.
 *
 * Options: `axis` (default `null`: every axis), `smooth` (default `0`), `reduction`, `name`
 * (default `"jaccard"`), `dtype`.
 *
 * Reference: Rahman and Wang, "Optimizing Intersection-Over-Union in Deep Neural Networks for
 * Image Segmentation", ISVC 2016.
 *
 * @example
 * new Jaccard({ axis: -1 })([[1, 1, 0, 0], [0, 1, 1, 0]], [[1, 1, 0, 0], [1, 0, 0, 0]]) // 0.5
 */
export class Jaccard<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: JaccardOptions<R> = {}) {
    super(jaccard, withDefaultName(options, "jaccard"));
  }
}

// ---------------------------------------------------------------------------------------
// F-beta
// ---------------------------------------------------------------------------------------

/** Options of {@link fBeta} and {@link FBeta}. */
export interface FBetaConfig {
  /** Weight of recall against precision (`> 0`); `1` is the F1 score. Default `1`. */
  beta: number;
  /** Axes to sum over: `null` (default, every axis), an axis, or an array of axes. */
  axis: SegmentationAxis;
}

export interface FBetaOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<FBetaConfig> {}

function fBetaKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<FBetaConfig>, upstream?: Upstream): KernelResult {
  const layout = segmentationLayout("f_beta", yTrue, yPred, o.axis, upstream && gradientBuffer(upstream, o.dtype, yPred.size));
  const u = upstream ? upstream(layout.layout.outShape) : null;
  const out = allocate(o.dtype, layout.layout.rows);
  const f32 = o.dtype === "float32";
  const beta2 = f32 ? Math.fround(o.beta * o.beta) : o.beta * o.beta;
  fBetaRows(out, layout.grad ? layout.grad.data : null, u, layout.trueData, layout.predData, packSegmentation(layout), Float64Array.of(beta2, epsilon(o.dtype)));
  return { values: new Tensor(out, layout.layout.outShape), grad: layout.grad };
}

/**
 * Per row: `TP = Σ t p`, `FP = Σ (1 - t) p`, `FN = Σ t (1 - p)`, `P = TP / (TP + FP + ε)`,
 * `R = TP / (TP + FN + ε)`, `loss = 1 - (1 + β²) P R / (β² P + R + ε)`. Gradient, with
 * `A = TP + FP + ε`, `B = TP + FN + ε`, `D = β² P + R + ε` (`dA/dp_k = 1`, `dB/dp_k = 0`):
 * `dL/dp_k = -t_k (F_P / A + F_R / B) + F_P TP / A²`, where `F_P = (1 + β²) R (R + ε) / D²`
 * and `F_R = (1 + β²) P (β² P + ε) / D²`. `layout` from {@link packSegmentation}, `params` =
 * `[β², ε]`.
 */
function fBetaRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, rows = layout[4]!, blocks = layout[5]!;
  const TO = SEGMENTATION_HEADER, PO = TO + rows, GO = PO + rows, TI = GO + rows, PI = TI + blocks, GI = PI + blocks;
  const beta2 = params[0]!;
  const eps = params[1]!;
  for (let r = 0; r < rows; r++) {
    let tp = 0, fp = 0, fn = 0;
    for (let j = 0; j < blocks; j++) {
      let to = layout[TO + r]! + layout[TI + j]!, po = layout[PO + r]! + layout[PI + j]!;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const t = td[to]!, p = pd[po]!;
        tp += t * p;
        fp += (1 - t) * p;
        fn += t * (1 - p);
      }
    }
    const predicted = tp + fp + eps, actual = tp + fn + eps;
    const precision = tp / predicted, recall = tp / actual;
    const denominator = beta2 * precision + recall + eps;
    out[r] = 1 - ((1 + beta2) * precision * recall) / denominator;
    if (!gd) continue;
    const up = u![r]!;
    const dPrecision = ((1 + beta2) * recall * (recall + eps)) / (denominator * denominator);
    const dRecall = ((1 + beta2) * precision * (beta2 * precision + eps)) / (denominator * denominator);
    const slope = -up * (dPrecision / predicted + dRecall / actual);
    const constant = (up * dPrecision * tp) / (predicted * predicted);
    for (let j = 0; j < blocks; j++) {
      let to = layout[TO + r]! + layout[TI + j]!, go = layout[GO + r]! + layout[GI + j]!;
      for (let k = 0; k < n; k++, to += ts, go += gs) gd[go] += slope * td[to]! + constant;
    }
  }
}

/**
 * Soft F-beta loss: one minus the F-beta score computed from probabilities instead of
 * thresholded predictions (the differentiable F1/F-beta loss the Keras guides hand-write).
 *
 * ```
 * TP = Σ yTrue · yPred     FP = Σ (1 - yTrue) · yPred     FN = Σ yTrue · (1 - yPred)
 * P  = TP / (TP + FP + ε)  R  = TP / (TP + FN + ε)        ε = 1e-7
 * loss = 1 - (1 + β²) P R / (β² P + R + ε)
 * ```
 * the sums over `axis` (default `null`: every axis, one value for the batch; `axis: 0` gives
 * one value per class of a `[batch, classes]` input, Keras's `FBetaScore` with
 * `average=None`). With 0/1 predictions it is exactly one minus the F-beta score.
 *
 * Gradient: see the formula above; precision and recall are differentiated through TP, FP
 * and FN (`dFN/dyPred = -yTrue`).
 *
 * Options: `beta` (default `1`, `> 0`), `axis` (default `null`).
 *
 * Shapes: `yTrue` and `yPred` any equal (or Keras-alignable) shapes; result: that shape
 * without the summed axes.
 *
 * Reference: C. J. van Rijsbergen, "Information Retrieval", 2nd ed., 1979 (the F-measure);
 * keras.metrics.FBetaScore.
 *
 * @example
 * fBeta([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.7]).item() // 0.428571 (about 3/7)
 * fBeta([[1, 1, 1], [1, 0, 0], [1, 1, 0]], [[0, 1, 1], [0, 1, 1], [1, 1, 0]], { beta: 2, axis: 0 }).toArray() // [0.6153846, 0.0909092, 0.1666668]
 */
export const fBeta = /*#__PURE__*/ defineLossFunction<FBetaConfig>({
  name: "f_beta",
  defaults: { beta: 1, axis: null },
  validate(o) {
    checkNumber("f_beta", "beta", o.beta, { min: 0, minExclusive: true });
    o.axis = checkAxisOption("f_beta", o.axis);
  },
  kernel: fBetaKernel,
});

/**
 * Computes the soft F-beta loss between labels and predicted probabilities:
 * `1 - (1 + β²) P R / (β² P + R + ε)` from soft true positives, false positives and false
 * negatives summed over `axis`; see {@link fBeta}.
 *
 * Options: `beta` (default `1`), `axis` (default `null`: every axis), `reduction`, `name`
 * (default `"f_beta"`), `dtype`.
 *
 * Reference: van Rijsbergen, "Information Retrieval", 1979; keras.metrics.FBetaScore.
 *
 * @example
 * new FBeta({ beta: 2, axis: 0, reduction: "none" })([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
 *   [[0, 1, 1], [0, 1, 1], [1, 1, 0]]).toArray() // [0.6153846, 0.0909092, 0.1666668]
 */
export class FBeta<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: FBetaOptions<R> = {}) {
    super(fBeta, withDefaultName(options, "f_beta"));
  }
}
