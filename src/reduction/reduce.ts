import { ConfigError, ShapeError, describeValue, formatShape } from "../errors";
import { SHAPE_ONLY, Tensor, allocate, shapeSize, type DType, type FloatArray } from "../tensor/tensor";
import { elementOffsets } from "../tensor/rows";
import { broadcastTo, expandDims, tryBroadcastShapes } from "../tensor/views";
import { squeezeOrExpandToSameRank } from "./rank";
import { toTensor, type TensorLike } from "../tensor/convert";
import { checkDtype, checkOptionKeys, checkOptionsObject } from "../options";



/**
 * Keras's reductions, how weighted per-sample values `w·v` become a loss:
 * `"sum_over_batch_size"` (default) and `"mean"` `Σ w·v / N` (`N` the number of values;
 * with a mask, the unmasked ones), `"sum"` `Σ w·v`, `"mean_with_sample_weight"`
 * `Σ w·v / Σ w`, `"none"` the weighted values unreduced. See {@link LossOptions.reduction}.
 */
export type Reduction = "sum_over_batch_size" | "sum" | "mean" | "mean_with_sample_weight" | "none";
/** A {@link Reduction}, or `null` (Python's `None`), which means `"none"`. */
export type ReductionOption = Reduction | null;

/** Every accepted reduction name, in Keras's order. */
export const REDUCTIONS: readonly Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

/**
 * Validate a reduction (Keras's `standardize_reduction`).
 *
 * @param reduction - A reduction name, `null` or `undefined`.
 * @returns The reduction: `undefined` gives `"sum_over_batch_size"`, `null` gives `"none"`.
 * @throws {@link ConfigError} for anything else, listing the valid names.
 */
export function standardizeReduction(reduction: unknown): Reduction {
  if (reduction === undefined) return "sum_over_batch_size";
  if (reduction === null) return "none";
  if (typeof reduction === "string" && (REDUCTIONS as readonly string[]).includes(reduction)) return reduction as Reduction;
  throw new ConfigError(
    `Invalid value for argument reduction. Expected one of ${REDUCTIONS.map((r) => `"${r}"`).join(", ")} or null. Received: reduction=${describeValue(reduction)}`,
  );
}

/** What {@link reduceWeightedValues} weights, masks and reduces with. */
export interface WeightingOptions {
  /** Weights: a scalar, one per sample, or broadcastable to the values. Default: all 1. */
  sampleWeight?: Tensor | undefined;
  /** Non-zero where a value counts. Default: every value counts. */
  mask?: Tensor | undefined;
  /** See {@link Reduction}. */
  reduction: Reduction;
}

/**
 * How per-sample values turn into the result: `result = reduce(values ⊙ weights)`, with
 * `weights` broadcast against `values` to `resultShape`. Computed from shapes, the sample
 * weight and the mask only, so the same plan gives the forward value and the upstream
 * gradient `d result / d values` without looking at the values.
 */
export interface WeightPlan {
  /** Shape of the weighted values (the `"none"` result): the broadcast of values and weights. */
  readonly resultShape: number[];
  /** Weights laid out contiguously over `resultShape`, or `null` when every weight is 1. */
  readonly weights: Float64Array | null;
  /**
   * For each position of `resultShape` (C order), the C-order index of the value it
   * reads, or `null` when the values already have `resultShape`.
   */
  readonly valueIndex: Int32Array | null;
  /** Multiplier applied after summing (1/N, 1/Σw, 1, or 0 for divide-no-nan), or `null` for no reduction. */
  readonly scale: number | null;
}

/**
 * Keras's `apply_mask`: fold the mask into the sample weight. A mask is boolean, as
 * Keras's masks are: any non-zero entry counts as true.
 */
function applyMask(sampleWeight: Tensor | undefined, mask: Tensor | undefined, reduction: Reduction): Tensor | undefined {
  if (!mask) return sampleWeight;
  const md = mask.data;
  const offsets = mask.isContiguous ? null : elementOffsets(mask);
  let valid = 0;
  for (let i = 0; i < mask.size; i++) if (md[offsets ? offsets[i]! : mask.offset + i] !== 0) valid++;
  // For "mean"/"sum_over_batch_size", valid entries weigh total/valid so that the later
  // division by the element count becomes a division by the valid count (0 if none).
  const rescale = reduction === "mean" || reduction === "sum_over_batch_size";
  const weight = !rescale ? 1 : valid === 0 ? 0 : mask.size / valid;
  const out = new Float64Array(mask.size);
  for (let i = 0; i < mask.size; i++) out[i] = md[offsets ? offsets[i]! : mask.offset + i] !== 0 ? weight : 0;
  const m = new Tensor(out, mask.shape);
  if (!sampleWeight) return m;
  return multiplyWeights(m, sampleWeight, () => `sampleWeight has shape ${formatShape(sampleWeight.shape)} but mask has shape ${formatShape(mask.shape)}`);
}

function multiplyBroadcast(a: Tensor, b: Tensor, shape: number[]): Tensor {
  const ao = elementOffsets(broadcastTo(a, shape));
  const bo = elementOffsets(broadcastTo(b, shape));
  const out = new Float64Array(ao.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[ao[i]!]! * b.data[bo[i]!]!;
  return new Tensor(out, shape);
}

/**
 * Line two weighting tensors up: Keras's `squeeze_or_expand_to_same_rank`, then
 * broadcasting. When the shorter shape is a leading part of the longer one (`[batch]`
 * against `[batch, time]`), it is repeated along the trailing axes, as Keras 2 did, even
 * where NumPy's right-aligned broadcasting would also apply (batch == time): a weight per
 * sample must not turn into a weight per time step because two sizes happen to match.
 * Otherwise NumPy broadcasting (Keras 3's `values * sample_weight`). `null` when nothing fits.
 */
function alignPairForWeighting(a: Tensor, b: Tensor): { a: Tensor; b: Tensor; shape: number[] } | null {
  let [x, y] = squeezeOrExpandToSameRank(a, b);
  const isPrefix = (short: Tensor, long: Tensor) => short.rank > 0 && short.rank < long.rank && short.shape.every((d, i) => d === long.shape[i]);
  if (isPrefix(y, x)) while (y.rank < x.rank) y = expandDims(y, -1);
  else if (isPrefix(x, y)) while (x.rank < y.rank) x = expandDims(x, -1);
  const shape = tryBroadcastShapes(x.shape, y.shape);
  return shape ? { a: x, b: y, shape } : null;
}

/**
 * The product of two weighting tensors (masks, sample weights) lined up as
 * `alignPairForWeighting` does; `describe` names them in the error.
 */
export function multiplyWeights(a: Tensor, b: Tensor, describe: () => string): Tensor {
  const aligned = alignPairForWeighting(a, b);
  if (!aligned) throw new ShapeError(`${describe()}, and they do not broadcast together`);
  return multiplyBroadcast(aligned.a, aligned.b, aligned.shape);
}

/** Build the weighting plan for per-sample values of shape `values.shape`. */
export function planWeights(values: Tensor, options: WeightingOptions): WeightPlan {
  const { reduction } = options;
  const merged = applyMask(options.sampleWeight, options.mask, reduction);
  let resultShape = values.shape.slice();
  let weights: Float64Array | null = null;
  let valueIndex: Int32Array | null = null;
  if (merged) {
    // Align a data-less contiguous view of the values so its offsets are C-order indices.
    const aligned = alignPairForWeighting(new Tensor(SHAPE_ONLY, values.shape), merged);
    if (!aligned) {
      const what = options.sampleWeight && options.mask ? "sampleWeight × mask" : options.sampleWeight ? "sampleWeight" : "mask";
      throw new ShapeError(
        `${what} has shape ${formatShape(merged.shape)} but the per-sample losses have shape ${formatShape(values.shape)}; expected a scalar, the batch shape or a shape that broadcasts to ${formatShape(values.shape)}`,
      );
    }
    resultShape = aligned.shape;
    const wOffsets = elementOffsets(broadcastTo(aligned.b, resultShape));
    weights = new Float64Array(wOffsets.length);
    const wd = aligned.b.data;
    for (let i = 0; i < weights.length; i++) weights[i] = wd[wOffsets[i]!]!;
    if (shapeSize(resultShape) !== values.size) valueIndex = elementOffsets(broadcastTo(aligned.a, resultShape));
  }
  if (!merged) return unweightedPlan(resultShape, reduction);
  let scale: number | null = unweightedScale(resultShape, reduction);
  if (scale !== null && reduction === "mean_with_sample_weight" && !isUnreduced(resultShape)) {
    let total = 0;
    const md = merged.data;
    const offsets = merged.isContiguous ? null : elementOffsets(merged);
    for (let i = 0; i < merged.size; i++) total += md[offsets ? offsets[i]! : merged.offset + i]!;
    scale = total === 0 ? 0 : 1 / total;
  }
  return { resultShape, weights, valueIndex, scale };
}

/** Keras returns scalar or empty values unreduced (a reducing loss turns them into a number). */
function isUnreduced(shape: readonly number[]): boolean {
  return shape.length === 0 || (shape.length === 1 && shape[0] === 0);
}

function unweightedScale(shape: readonly number[], reduction: Reduction): number | null {
  if (reduction === "none") return null;
  if (isUnreduced(shape) || reduction === "sum") return 1;
  // "sum_over_batch_size", "mean", and "mean_with_sample_weight" without weights: 1/N.
  const size = shapeSize(shape);
  return size === 0 ? 0 : 1 / size;
}

/** The plan of values of `shape` without weights or a mask (every weight 1). */
export function unweightedPlan(shape: readonly number[], reduction: Reduction): WeightPlan {
  return { resultShape: shape.slice(), weights: null, valueIndex: null, scale: unweightedScale(shape, reduction) };
}

/**
 * Keras's `reduce_weighted_values`: weight, mask and reduce per-sample values. `values`,
 * `sampleWeight` and `mask` may be any `TensorLike`; `reduction` defaults to `"sum_over_batch_size"`.
 *
 * @param values - Per-sample loss values.
 * @param options - `sampleWeight`, `mask` and `reduction` (see {@link Reduction}).
 * @param dtype - Element type of the `"none"` result. Default: the values' dtype.
 * @returns A `number` for the reducing reductions, a `Tensor` for `"none"`.
 * @throws {@link ShapeError} when the weights or the mask do not broadcast to the values.
 */
export function reduceWeightedValues(values: Tensor, options: WeightingOptions, dtype?: DType): number | Tensor {
  const o = checkOptionsObject(options, "reduceWeightedValues options");
  checkOptionKeys(o, ["sampleWeight", "mask", "reduction"], "reduceWeightedValues");
  const v = toTensor(values, { name: "values" });
  const weighting: WeightingOptions = {
    reduction: standardizeReduction(o.reduction),
    sampleWeight: o.sampleWeight === undefined || o.sampleWeight === null ? undefined : toTensor(o.sampleWeight as TensorLike, { name: "sampleWeight", dtype: "float64" }),
    mask: o.mask === undefined || o.mask === null ? undefined : toTensor(o.mask as TensorLike, { name: "mask", dtype: "float64" }),
  };
  return applyPlan(v, planWeights(v, weighting), checkDtype(dtype) ?? v.dtype);
}

/** Apply a weighting plan to per-sample values. */
export function applyPlan(values: Tensor, plan: WeightPlan, dtype: DType = values.dtype): number | Tensor {
  const { weights, valueIndex, scale } = plan;
  const contiguous = values.isContiguous ? values : new Tensor(values.toTypedArray(), values.shape);
  const vd = contiguous.data;
  const base = contiguous.offset;
  const n = shapeSize(plan.resultShape);
  if (scale === null) {
    if (!weights && !valueIndex && dtype === values.dtype) return new Tensor(vd.slice(base, base + n), plan.resultShape);
    const out = allocate(dtype, n);
    for (let i = 0; i < n; i++) {
      const v = vd[base + (valueIndex ? valueIndex[i]! : i)]!;
      out[i] = weights ? v * weights[i]! : v;
    }
    return new Tensor(out, plan.resultShape);
  }
  const sum = weights ? weightedSum(vd, base, valueIndex ?? IDENTITY, weights, n) : valueIndex ? gatheredSum(vd, base, valueIndex, n) : plainSum(vd, base, n);
  return sum * scale;
}

const IDENTITY = /*#__PURE__*/ new Int32Array(0);

/**
 * The reductions' sums. Four accumulators, element `i` into accumulator `i % 4` (the tail
 * into the first), added as `(s0 + s1) + (s2 + s3)`: the one summation order of every
 * reduction, weighted or not, which kernels computing a total without the values
 * (`KernelTotal`, src/kernel.ts) reproduce.
 */
export function plainSum(vd: FloatArray, base: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const m = n - (n & 3);
  for (let i = 0; i < m; i += 4) {
    s0 += vd[base + i]!;
    s1 += vd[base + i + 1]!;
    s2 += vd[base + i + 2]!;
    s3 += vd[base + i + 3]!;
  }
  for (let i = m; i < n; i++) s0 += vd[base + i]!;
  return s0 + s1 + (s2 + s3);
}

function gatheredSum(vd: FloatArray, base: number, index: Int32Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const m = n - (n & 3);
  for (let i = 0; i < m; i += 4) {
    s0 += vd[base + index[i]!]!;
    s1 += vd[base + index[i + 1]!]!;
    s2 += vd[base + index[i + 2]!]!;
    s3 += vd[base + index[i + 3]!]!;
  }
  for (let i = m; i < n; i++) s0 += vd[base + index[i]!]!;
  return s0 + s1 + (s2 + s3);
}

/** `Σ v·w` in the order of {@link plainSum}; an empty `index` means the identity. */
function weightedSum(vd: FloatArray, base: number, index: Int32Array, w: Float64Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const m = n - (n & 3);
  if (index.length === 0) {
    for (let i = 0; i < m; i += 4) {
      s0 += vd[base + i]! * w[i]!;
      s1 += vd[base + i + 1]! * w[i + 1]!;
      s2 += vd[base + i + 2]! * w[i + 2]!;
      s3 += vd[base + i + 3]! * w[i + 3]!;
    }
    for (let i = m; i < n; i++) s0 += vd[base + i]! * w[i]!;
  } else {
    for (let i = 0; i < m; i += 4) {
      s0 += vd[base + index[i]!]! * w[i]!;
      s1 += vd[base + index[i + 1]!]! * w[i + 1]!;
      s2 += vd[base + index[i + 2]!]! * w[i + 2]!;
      s3 += vd[base + index[i + 3]!]! * w[i + 3]!;
    }
    for (let i = m; i < n; i++) s0 += vd[base + index[i]!]! * w[i]!;
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * `d result / d values` for a plan, shaped like the values: what each per-sample value
 * contributes to the result (for `"none"`, to the sum of the result). This is the
 * upstream that backward kernels scale their per-sample gradients by.
 */
export function upstreamOf(values: { shape: readonly number[] }, plan: WeightPlan): Tensor {
  const size = shapeSize(values.shape);
  const scale = plan.scale ?? 1;
  const out = new Float64Array(size);
  if (!plan.weights) {
    out.fill(scale);
    return new Tensor(out, values.shape);
  }
  const index = plan.valueIndex;
  if (!index) {
    for (let i = 0; i < size; i++) out[i] = plan.weights[i]! * scale;
    return new Tensor(out, values.shape);
  }
  // The weights broadcast the values: a value's upstream sums over its repeats.
  for (let i = 0; i < index.length; i++) out[index[i]!]! += plan.weights[i]! * scale;
  return new Tensor(out, values.shape);
}
