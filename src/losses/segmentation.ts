/**
 * Segmentation losses: Dice, Tversky. Both reduce over `axis` (every axis by default, as
 * Keras's `ops.sum(..., axis=None)`), so a per-sample value is one overlap score.
 */
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { ConfigError, ShapeError, describeValue, formatShape } from "../errors";
import { squeezeOrExpandToSameRank } from "../reduction/rank";
import { fillOuterOffsets } from "../tensor/rows";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { normalizeAxis } from "../tensor/views";
import { checkNumber, defineLossFunction, type KernelOptions } from "./define";
import { alignPair, gradientBuffer } from "./layout";
import { contiguousReducedRows, contiguousSegmentation, packReducedLayout, sameContiguous, segmentationStrided } from "./contiguous-segmentation";

/** Keras's `backend.epsilon()`. */
const EPSILON = 1e-7;

/** The axes a segmentation loss sums over: `null` for all of them (Keras's `axis=None`), one axis, or several. */
export type SegmentationAxis = number | readonly number[] | null;

/** Check the axis option; an array comes back copied and frozen, so the caller's later changes do not reach the loss. */
export function checkAxisOption(lossName: string, axis: unknown): SegmentationAxis {
  if (axis === null) return null;
  if (typeof axis === "number") {
    checkNumber(lossName, "axis", axis, { integer: true });
    return axis;
  }
  if (Array.isArray(axis)) {
    axis.forEach((a, i) => checkNumber(lossName, `axis[${i}]`, a, { integer: true }));
    return Object.freeze(axis.slice());
  }
  throw new ConfigError(`${lossName}: axis must be null, an integer or an array of integers, received ${describeValue(axis)}`);
}

/**
 * Rows over several reduced axes at once. Element `k` of block `j` of row `r` of tensor
 * `i` is `data[outer[i][r] + inner[i][j] + k * strides[i]]`: reduced axes that are
 * contiguous in every tensor merge into the innermost run, so for contiguous inputs
 * `inner` has one entry whatever the number of reduced axes.
 */
export interface ReducedLayout {
  outShape: number[];
  rows: number;
  outer: Int32Array[];
  inner: Int32Array[];
  length: number;
  strides: number[];
}

function reducedLayout(tensors: readonly Tensor[], reduced: readonly boolean[]): ReducedLayout {
  const shape = tensors[0]!.shape;
  const kept = shape.map((_, a) => a).filter((a) => !reduced[a]);
  const outShape = kept.map((a) => shape[a]!);
  const rows = outShape.reduce((p, d) => p * d, 1);
  const outer = tensors.map((t) => {
    const offsets = new Int32Array(rows);
    fillOuterOffsets(offsets, outShape, kept.map((a) => t.strides[a]!), t.offset);
    return offsets;
  });
  // Reduced dimensions in C order, size-1 ones dropped, neighbours merged where every tensor allows it.
  const dims: { size: number; strides: number[] }[] = [];
  for (let a = 0; a < shape.length; a++) {
    if (!reduced[a] || shape[a] === 1) continue;
    const size = shape[a]!;
    const strides = tensors.map((t) => t.strides[a]!);
    const last = dims[dims.length - 1];
    if (last && size > 0 && last.strides.every((s, i) => s === strides[i]! * size)) {
      last.size *= size;
      last.strides = strides;
    } else {
      dims.push({ size, strides });
    }
  }
  const run = dims.pop() ?? { size: 1, strides: tensors.map(() => 0) };
  const innerShape = dims.map((d) => d.size);
  const innerCount = innerShape.reduce((p, d) => p * d, 1);
  const inner = tensors.map((_, i) => {
    const offsets = new Int32Array(innerCount);
    fillOuterOffsets(offsets, innerShape, dims.map((d) => d.strides[i]!), 0);
    return offsets;
  });
  return { outShape, rows, outer, inner, length: run.size, strides: run.strides };
}

/** yTrue, yPred (and the gradient buffer) lined up as Keras lines them up, with the axes to sum over. */
export interface SegmentationLayout {
  layout: ReducedLayout;
  trueData: FloatArray;
  predData: FloatArray;
  grad?: Tensor;
  /**
   * Keras sums yTrue and yPred separately (Dice), each over its own shape: where one of
   * them is broadcast along a summed axis, the broadcast row repeats its elements, and
   * these factors undo the repetition.
   */
  trueScale: number;
  predScale: number;
}

export function segmentationLayout(lossName: string, yTrue: Tensor, yPred: Tensor, axis: SegmentationAxis, gradData?: FloatArray): SegmentationLayout {
  const aligned = alignPair(yTrue, yPred);
  const shape = aligned.shape;
  const rank = shape.length;
  const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
  const reduced = reducedAxes(lossName, yTrue, yPred, t.rank, p.rank, axis, rank);
  const scaleOf = (x: Tensor, original: Tensor, name: string): number => {
    let scale = 1;
    for (let a = 0; a < rank; a++) {
      if (!reduced[a] || shape[a]! <= 1) continue;
      const own = a - (rank - x.rank);
      if (own < 0 && axis !== null) {
        throw new ShapeError(`${lossName}: axis ${formatAxis(axis)} is out of range for ${name} of shape ${formatShape(original.shape)}`);
      }
      if (own < 0 || x.shape[own] === 1) scale /= shape[a]!;
    }
    return scale;
  };
  const trueScale = scaleOf(t, yTrue, "yTrue");
  const predScale = scaleOf(p, yPred, "yPred");
  const trueData = aligned.yTrue.data, predData = aligned.yPred.data;
  if (!gradData) return { layout: reducedLayout([aligned.yTrue, aligned.yPred], reduced), trueData, predData, trueScale, predScale };
  const grad = new Tensor(gradData, yPred.shape);
  const layout = reducedLayout([aligned.yTrue, aligned.yPred, aligned.alignLikePred(grad)], reduced);
  return { layout, trueData, predData, grad, trueScale, predScale };
}

/**
 * Which axes (of the aligned shape, of rank `rank`) `axis` sums over: every axis for null.
 * Throws a ShapeError for an axis out of range, named twice, or positive across ranks.
 */
function reducedAxes(lossName: string, yTrue: Tensor, yPred: Tensor, tRank: number, pRank: number, axis: SegmentationAxis, rank: number): boolean[] {
  const reduced = new Array<boolean>(rank).fill(axis === null);
  if (axis === null) return reduced;
  const axes = typeof axis === "number" ? [axis] : axis;
  for (const a of axes) {
    if (tRank !== pRank && a >= 0) {
      // Keras would sum each tensor along its own axis `a`, which are different axes of the broadcast product.
      throw new ShapeError(
        `${lossName} with axis=${a} needs yTrue and yPred of the same rank, received yTrue shape ${formatShape(yTrue.shape)} and yPred shape ${formatShape(yPred.shape)}; use negative axes`,
      );
    }
    const n = normalizeAxis(a, rank);
    if (reduced[n]) throw new ShapeError(`${lossName}: axis ${formatAxis(axis)} names axis ${n} twice`);
    reduced[n] = true;
  }
  return reduced;
}

/**
 * Dice (`mode` 0, `c1`/`c2` ignored: the scales come from the layout), Tversky (`mode` 1,
 * `c1`/`c2` = alpha/beta), Jaccard (`mode` 2, `c1` = smooth) or F-beta (`mode` 3, `c1` = β²;
 * both ./overlap.ts, which sum over the aligned pairs: `c1`, `c2` pass through unscaled) over the summed axes: the contiguous loops when yTrue and yPred are
 * C-contiguous tensors of one shape whose samples are runs of consecutive elements, else the
 * strided loop (./contiguous-segmentation.ts; both sum in one order).
 */
export function segmentationKernel(lossName: string, mode: number, c1: number, c2: number, yTrue: Tensor, yPred: Tensor, options: KernelOptions<{ axis: SegmentationAxis }>, upstream?: Upstream): KernelResult {
  const dtype = options.dtype;
  const eps = dtype === "float32" ? Math.fround(EPSILON) : EPSILON;
  if (sameContiguous(yTrue, yPred, dtype)) {
    const reduced = reducedAxes(lossName, yTrue, yPred, yTrue.rank, yPred.rank, options.axis, yPred.rank);
    const geo = contiguousReducedRows(yTrue, yPred, reduced, dtype);
    const outShape = yPred.shape.filter((_, a) => !reduced[a]);
    // Same shapes: Dice's scales are 1.
    if (geo) return contiguousSegmentation(yTrue, yPred, dtype, upstream, geo, outShape, Float64Array.of(mode, mode === 0 ? 1 : c1, mode === 0 ? 1 : c2, eps));
  }
  const { layout, trueData, predData, grad, trueScale, predScale } = segmentationLayout(lossName, yTrue, yPred, options.axis, upstream && gradientBuffer(upstream, dtype, yPred.size));
  const { rows, outer, inner, length: n, strides, outShape } = layout;
  const params = Float64Array.of(mode, mode === 0 ? trueScale : c1, mode === 0 ? predScale : c2, eps);
  const packed = packReducedLayout(outer, inner, n, strides, rows * inner[0]!.length * n === yPred.size);
  const out = allocate(dtype, rows);
  if (!upstream || !grad) {
    segmentationStrided(out, null, null, trueData, predData, packed, params);
    return { values: new Tensor(out, outShape) };
  }
  segmentationStrided(out, grad.data, upstream(outShape), trueData, predData, packed, params);
  return { values: new Tensor(out, outShape), grad };
}

function formatAxis(axis: SegmentationAxis): string {
  return Array.isArray(axis) ? `[${axis.join(",")}]` : String(axis);
}




// ---------------------------------------------------------------------------------------
// Dice
// ---------------------------------------------------------------------------------------

export interface DiceConfig {
  axis: SegmentationAxis;
}

function diceKernel(yTrue: Tensor, yPred: Tensor, options: KernelOptions<DiceConfig>, upstream?: Upstream): KernelResult {
  return segmentationKernel("dice", 0, 0, 0, yTrue, yPred, options, upstream);
}

/**
 * Dice loss: one minus the Dice coefficient (the F1 score of soft masks).
 *
 * `loss = 1 - 2 * sum(yTrue * yPred) / (sum(yTrue) + sum(yPred) + epsilon)` with
 * `epsilon = 1e-7`, the sums taken over `axis`. With the default `axis = null` Keras sums
 * over every axis, batch included, so the result is a single value (shape `[]`); pass
 * `axis: [1, 2, 3]` for one value per image of an NHWC batch. As in Keras, yTrue and yPred
 * are summed each over its own shape, so a broadcast yTrue counts once.
 *
 * Gradient: `dL/dyPred_k = -2 yTrue_k / D + 2 I / D^2` with `I` the intersection and `D`
 * the denominator.
 *
 * Options: `axis` (default null): null, an axis, or an array of axes to sum over.
 *
 * Shapes: `yTrue` and `yPred` any equal (or Keras-alignable) shapes; result: that shape
 * without the summed axes.
 *
 * Reference: F. Milletari, N. Navab and S.-A. Ahmadi, "V-Net: Fully Convolutional Neural
 * Networks for Volumetric Medical Image Segmentation", 3DV 2016 (arXiv:1606.04797).
 *
 * @example
 * const yTrue = [[[[1], [1]], [[0], [0]]], [[[1], [1]], [[0], [0]]]];
 * const yPred = [[[[0], [1]], [[0], [1]]], [[[0.4], [0]], [[0], [0.9]]]];
 * dice(yTrue, yPred, { axis: [1, 2, 3] }).toArray() // [0.5, 0.75757575]
 * dice(yTrue, yPred).item() // 0.6164384
 */
export const dice = /*#__PURE__*/ defineLossFunction<DiceConfig>({
  name: "dice",
  defaults: { axis: null },
  validate(options) {
    options.axis = checkAxisOption("dice", options.axis);
  },
  kernel: diceKernel,
});

// ---------------------------------------------------------------------------------------
// Tversky
// ---------------------------------------------------------------------------------------

export interface TverskyConfig {
  alpha: number;
  beta: number;
  axis: SegmentationAxis;
}

function tverskyKernel(yTrue: Tensor, yPred: Tensor, options: KernelOptions<TverskyConfig>, upstream?: Upstream): KernelResult {
  // Keras casts the Python constants to the tensor's dtype.
  const f32 = options.dtype === "float32";
  const alpha = f32 ? Math.fround(options.alpha) : options.alpha;
  const beta = f32 ? Math.fround(options.beta) : options.beta;
  return segmentationKernel("tversky", 1, alpha, beta, yTrue, yPred, options, upstream);
}

/**
 * Tversky loss: a Dice loss that weighs false positives and false negatives apart.
 *
 * ```
 * I  = sum(yTrue * yPred)            FP = sum((1 - yTrue) * yPred)
 * FN = sum(yTrue * (1 - yPred))      loss = 1 - I / (I + alpha * FP + beta * FN + epsilon)
 * ```
 * with `epsilon = 1e-7` and the sums over `axis` (default null: every axis, one value for
 * the whole batch). `alpha = beta = 0.5` is the Dice loss. FP and FN are computed as
 * `sum(yPred) - I` and `sum(yTrue) - I` (equal terms, summed in JS doubles; one pass shared
 * with Dice).
 *
 * Gradient: `dL/dyPred_k = (yTrue_k ((1 - alpha - beta) I - D) + alpha I) / D^2` with `D` the
 * denominator.
 *
 * Options: `alpha` (default 0.5) weighs false positives, `beta` (default 0.5) false
 * negatives; `axis` (default null): null, an axis, or an array of axes to sum over.
 *
 * Shapes: `yTrue` and `yPred` any equal (or Keras-alignable) shapes; result: that shape
 * without the summed axes.
 *
 * Reference: S. S. M. Salehi, D. Erdogmus and A. Gholipour, "Tversky loss function for
 * image segmentation using 3D fully convolutional deep networks", MLMI 2017
 * (arXiv:1706.05721).
 *
 * @example
 * tversky([[1, 2], [1, 2]], [[4, 1], [6, 1]], { alpha: 0.2, beta: 0.8 }).item() // -0.94444442
 */
export const tversky = /*#__PURE__*/ defineLossFunction<TverskyConfig>({
  name: "tversky",
  defaults: { alpha: 0.5, beta: 0.5, axis: null },
  validate(options) {
    checkNumber("tversky", "alpha", options.alpha);
    checkNumber("tversky", "beta", options.beta);
    options.axis = checkAxisOption("tversky", options.axis);
  },
  kernel: tverskyKernel,
});

// ---------------------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------------------

/** Options of {@link Dice}. */
export interface DiceOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Axes to sum over: null (default, every axis), an axis, or an array of axes. */
  axis?: SegmentationAxis;
}

/**
 * Computes the Dice loss between labels and predictions.
 *
 * `loss = 1 - 2 * sum(yTrue * yPred) / (sum(yTrue) + sum(yPred) + 1e-7)` over `axis`; see
 * {@link dice}. Options: `axis` (default null), `reduction`, `name` (default `"dice"`),
 * `dtype`.
 *
 * Reference: Milletari et al., "V-Net", 3DV 2016.
 *
 * @example
 * const yTrue = [[[[1], [1]], [[0], [0]]], [[[1], [1]], [[0], [0]]]];
 * const yPred = [[[[0], [1]], [[0], [1]]], [[[0.4], [0]], [[0], [0.9]]]];
 * new Dice({ axis: [1, 2, 3], reduction: null })(yTrue, yPred).toArray() // [0.5, 0.75757575]
 * new Dice()(yTrue, yPred) // 0.6164384
 */
export class Dice<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: DiceOptions<R> = {}) {
    super(dice, withDefaultName(options, "dice"));
  }
}

/** Options of {@link Tversky}. */
export interface TverskyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Weight of false positives. Default 0.5. */
  alpha?: number;
  /** Weight of false negatives. Default 0.5. */
  beta?: number;
  /** Axes to sum over: null (default, every axis), an axis, or an array of axes. */
  axis?: SegmentationAxis;
}

/**
 * Computes the Tversky loss between labels and predictions.
 *
 * `loss = 1 - I / (I + alpha * FP + beta * FN + 1e-7)` over `axis`; see {@link tversky}.
 * Options: `alpha` (default 0.5), `beta` (default 0.5), `axis` (default null),
 * `reduction`, `name` (default `"tversky"`), `dtype`.
 *
 * Reference: Salehi et al., "Tversky loss function for image segmentation using 3D fully
 * convolutional deep networks", MLMI 2017.
 *
 * @example
 * new Tversky({ alpha: 0.2, beta: 0.8 })([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]],
 *   [[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]]) // 0.7619048 (16/21; Keras, in float32: 0.76190472)
 */
export class Tversky<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: TverskyOptions<R> = {}) {
    super(tversky, withDefaultName(options, "tversky"));
  }
}
