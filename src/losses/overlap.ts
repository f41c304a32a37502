/**
 * Soft overlap losses beyond keras.losses: Jaccard (soft IoU) and the soft F-beta loss the
 * Keras guides hand-write. Like `Dice`, each sums over `axis` (every axis by default), so a
 * per-sample value is one overlap score. The sums run over the aligned (broadcast) pairs.
 */
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import type { Tensor } from "../tensor/tensor";
import { checkNumber, defineLossFunction, type KernelOptions } from "./define";
import { checkAxisOption, segmentationKernel, type SegmentationAxis } from "./segmentation";

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

/**
 * Jaccard runs the Dice loops of ./contiguous-segmentation.ts (mode 2: it needs only
 * `I = Σ t p` and `U = Σ t + Σ p`): `loss = 1 - (I + s) / (U - I + s + ε)`, gradient
 * `-(t (D + I + s) - (I + s)) / D²` with `D` the denominator; the contiguous loops for
 * C-contiguous inputs of one shape, the strided loop (same summation order) otherwise.
 */
function jaccardKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<JaccardConfig>, upstream?: Upstream): KernelResult {
  return segmentationKernel("jaccard", 2, o.smooth, 0, yTrue, yPred, o, upstream);
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

/**
 * F-beta runs the Tversky loops of ./contiguous-segmentation.ts (mode 3, `Σt` and `Σp`
 * apart): `TP = I`, `TP + FP = Σp`, `TP + FN = Σt`, `P = TP / (Σp + ε)`, `R = TP / (Σt + ε)`,
 * `loss = 1 - (1 + β²) P R / (β² P + R + ε)`; gradient `A t_k + C` per row (there).
 */
function fBetaKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<FBetaConfig>, upstream?: Upstream): KernelResult {
  const beta2 = o.dtype === "float32" ? Math.fround(o.beta * o.beta) : o.beta * o.beta;
  return segmentationKernel("f_beta", 3, beta2, 0, yTrue, yPred, o, upstream);
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
