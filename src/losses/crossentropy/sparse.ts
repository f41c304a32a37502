/**
 * Sparse categorical crossentropy (`keras.losses.SparseCategoricalCrossentropy`). See ./shared.ts for the conventions every crossentropy kernel follows.
 */
import { ConfigError, InputError, ShapeError, describeValue, formatShape } from "../../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../../loss";
import type { ReductionOption } from "../../reduction/reduce";
import type { KernelResult, Upstream } from "../../kernel";
import { squeezeOrExpandToSameRank } from "../../reduction/rank";
import { elementOffsets, rowsOf, type Rows } from "../../tensor/rows";
import { Tensor, allocate, type DType, type FloatArray } from "../../tensor/tensor";
import { normalizeAxis, squeeze, tryBroadcastShapes } from "../../tensor/views";
import { checkBoolean, checkNumber, defineLossFunction, type KernelOptions } from "../define";
import { LAYOUT_HEADER, packRows, pairRows, type PairRows, gradientBuffer } from "../layout";
import { expf, log1pUnitf, logf } from "../../math/fastmath";
import { epsilon, oneMinusEpsilon, sameShape } from "../../math/constants";
import { checkAxis, checkLabelSmoothing, classAxisRows, clipHigh, clipLow, power, sameShapeRows } from "./shared";
import { sparseLabelHint } from "../../suggest";
import { simdEligible } from "../simd-route";
import { noteRun } from "../../simd/runtime";
import { simdSparseCategoricalCrossentropyFromLogits, type SimdSparseOptions } from "../../simd/index";

/** Options of {@link sparseCategoricalCrossentropy} and {@link SparseCategoricalCrossentropy}. */
export interface SparseCategoricalCrossentropyConfig {
  /** Whether `yPred` holds logits rather than a probability distribution. Default `false`. */
  fromLogits: boolean;
  /** A label value to leave out (loss 0, masked out of the mean), e.g. `-1` or `255`; `null` keeps all. Default `null`. */
  ignoreClass: number | null;
  /** The class axis of `yPred`. Default `-1`. */
  axis: number;
}

export interface SparseCategoricalCrossentropyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<SparseCategoricalCrossentropyConfig> {}

/** yPred's class rows and the integer label of each row (-1 where ignored). */
interface SparseLayout {
  p: Rows;
  labels: Int32Array;
  outShape: number[];
  mask: Tensor | undefined;
  grad?: Tensor;
  g?: Rows;
}

function sparseLayout(yTrue: Tensor, yPred: Tensor, o: KernelOptions<SparseCategoricalCrossentropyConfig>, gradData?: FloatArray): SparseLayout {
  const name = "sparse_categorical_crossentropy";
  // Keras's wrapper first lines the ranks up, then the loss drops a size-1 class axis of yTrue.
  let [labels, pred] = squeezeOrExpandToSameRank(yTrue, yPred);
  const predSqueezed = pred.rank < yPred.rank;
  const axis = normalizeAxis(o.axis, pred.rank);
  if (labels.rank === pred.rank && labels.shape[axis] === 1) labels = squeeze(labels, axis);
  const expected = pred.shape.filter((_, i) => i !== axis);
  if (!sameShape(labels.shape, expected)) {
    throw new ShapeError(
      `${name}: yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected yTrue of shape ` +
        `${formatShape(expected)} (yPred's shape without the class axis ${o.axis}), optionally with a size-1 class axis`,
    );
  }
  const p = rowsOf(pred, axis);
  const numClasses = p.length;
  const rows = p.rows;
  const ignore = o.ignoreClass;
  const classes = new Int32Array(rows);
  const maskData = ignore === null ? null : allocate(o.dtype, rows);
  const ld = labels.data;
  const offsets = labels.isContiguous ? null : elementOffsets(labels);
  const bad = readSparseLabels(classes, maskData, ld, offsets, labels.offset, numClasses, ignore === null ? NaN : ignore);
  if (bad >= 0) {
    const v = ld[offsets ? offsets[bad]! : labels.offset + bad]!;
    throw new InputError(
      `${name}: yTrue must hold integer class indices in [0, ${numClasses - 1}]` +
        `${ignore === null ? "" : ` or ignoreClass=${ignore}`}, received ${v} at flat index ${bad}${sparseLabelHint(v, ignore)}`,
    );
  }
  const mask = maskData ? new Tensor(maskData, p.outerShape) : undefined;
  const layout: SparseLayout = { p, labels: classes, outShape: p.outerShape, mask };
  if (gradData) {
    const grad = new Tensor(gradData, yPred.shape);
    layout.grad = grad;
    layout.g = rowsOf(predSqueezed ? squeeze(grad, -1) : grad, axis);
  }
  return layout;
}

/**
 * The labels into `classes` (-1 where `ignore`, NaN for none), 1 into `mask` for kept rows;
 * returns the index of the first label that is not an integer in [0, numClasses), or -1. Apart
 * from sparseLayout so that its loop reads only typed arrays and numbers (src/losses/README.md,
 * rule 1: the per-call label tensor's map would die in a full GC with the optimized code).
 */
function readSparseLabels(classes: Int32Array, mask: FloatArray | null, ld: FloatArray, offsets: Int32Array | null, offset: number, numClasses: number, ignore: number): number {
  const rows = classes.length;
  for (let r = 0; r < rows; r++) {
    const v = ld[offsets ? offsets[r]! : offset + r]!;
    if (v === ignore) {
      classes[r] = -1;
      continue;
    }
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) return r;
    classes[r] = v;
    if (mask) mask[r] = 1;
  }
  return -1;
}

const SCCE = "sparse_categorical_crossentropy";
/** The checked labels carry -1 where ignoreClass was. */
const SIMD_IGNORED: SimdSparseOptions = { ignoreClass: -1 };

/**
 * yPred's logits as one flat float32 array when the SIMD route can run (see ../simd-route.ts):
 * SIMD active, float32, the class axis last, yPred contiguous with its rows one after another;
 * else null (and `simdStatus().lastRun` says why).
 */
function simdLogits(yPred: Tensor, p: Rows, o: KernelOptions<SparseCategoricalCrossentropyConfig>): Float32Array | null {
  if (!o.fromLogits) {
    if (simdEligible(SCCE, o.dtype, o.axis, yPred.rank)) noteRun(SCCE, "javascript", "the SIMD kernel takes logits only");
    return null;
  }
  if (!simdEligible(SCCE, o.dtype, o.axis, yPred.rank)) return null;
  const n = p.length, size = yPred.size;
  if (!(yPred.data instanceof Float32Array) || !yPred.isContiguous || n === 0 || p.stride !== 1 || p.rows * n !== size || (p.rows > 0 && p.offsets[0] !== yPred.offset)) {
    noteRun(SCCE, "javascript", "yPred is not a contiguous float32 tensor with the classes on its last axis");
    return null;
  }
  return yPred.data.subarray(yPred.offset, yPred.offset + size);
}

function sparseCategoricalCrossentropyForward(yTrue: Tensor, yPred: Tensor, o: KernelOptions<SparseCategoricalCrossentropyConfig>): KernelResult {
  const { p, labels, outShape, mask } = sparseLayout(yTrue, yPred, o);
  const out = allocate(o.dtype, p.rows);
  const logits = simdLogits(yPred, p, o);
  if (logits && simdSparseCategoricalCrossentropyFromLogits(labels, logits, p.rows, p.length, out, null, null, SIMD_IGNORED)) {
    noteRun(SCCE, "simd", "SIMD kernel");
    return { values: new Tensor(out, outShape), mask };
  }
  const pd = p.data, ps = p.stride, n = p.length;
  if (o.fromLogits) {
    const layout = packRows(o.dtype === "float32", null, p);
    if (o.dtype === "float32") scceLogitsRows32(out as Float32Array, labels, pd as Float32Array, layout);
    else scceLogitsRows64(out as Float64Array, labels, pd as Float64Array, layout);
  } else {
    // sparse_softmax_cross_entropy_with_logits(log(clip(p))) = log Σ c - log c_y
    const lo = clipLow(o.dtype), hi = clipHigh(o.dtype);
    for (let r = 0; r < p.rows; r++) {
      const y = labels[r]!;
      if (y < 0) continue;
      const p0 = p.offsets[r]!;
      let total = 0;
      for (let k = 0, po = p0; k < n; k++, po += ps) {
        total += Math.min(Math.max(pd[po]!, lo), hi);
      }
      out[r] = Math.log(total) - Math.log(Math.min(Math.max(pd[p0 + y * ps]!, lo), hi));
    }
  }
  return { values: new Tensor(out, outShape), mask };
}

function sparseCategoricalCrossentropyFused(yTrue: Tensor, yPred: Tensor, upstream: Upstream, o: KernelOptions<SparseCategoricalCrossentropyConfig>): KernelResult {
  const { p, labels, outShape, mask, g, grad } = sparseLayout(yTrue, yPred, o, gradientBuffer(upstream, o.dtype, yPred.size));
  const u = upstream(outShape, { mask });
  const out = allocate(o.dtype, p.rows);
  const logits = simdLogits(yPred, p, o);
  if (logits && simdSparseCategoricalCrossentropyFromLogits(labels, logits, p.rows, p.length, out, g!.data as Float32Array, u, SIMD_IGNORED)) {
    noteRun(SCCE, "simd", "SIMD kernel");
    return { values: new Tensor(out, outShape), grad, mask };
  }
  const pd = p.data, ps = p.stride, n = p.length, gd = g!.data, gs = g!.stride;
  if (o.fromLogits) {
    const layout = packRows(o.dtype === "float32", null, p, g), exps = new Float64Array(n);
    if (o.dtype === "float32") scceLogitsGradRows32(out as Float32Array, gd as Float32Array, u, labels, pd as Float32Array, layout, exps);
    else scceLogitsGradRows64(out as Float64Array, gd as Float64Array, u, labels, pd as Float64Array, layout, exps);
  } else {
    const lo = clipLow(o.dtype), hi = clipHigh(o.dtype);
    for (let r = 0; r < p.rows; r++) {
      const y = labels[r]!;
      if (y < 0) continue;
      const p0 = p.offsets[r]!;
      let total = 0, clipped = 0;
      for (let k = 0, po = p0; k < n; k++, po += ps) {
        const w = pd[po]!, c = Math.min(Math.max(w, lo), hi);
        total += c;
        if (c !== w) clipped++;
      }
      const v = pd[p0 + y * ps]!;
      const cy = Math.min(Math.max(v, lo), hi);
      out[r] = Math.log(total) - Math.log(cy);
      // d/dp_k = 1/Σc - [k = y]/c_y, and 0 where p_k was clipped. The usual row has nothing
      // clipped: one constant, written at memset speed.
      const scale = u[r]!, inv = scale / total, g0 = g!.offsets[r]!;
      if (clipped === 0 && gs === 1) {
        gd.fill(inv, g0, g0 + n);
      } else {
        for (let k = 0, po = p0, go = g0; k < n; k++, po += ps, go += gs) {
          const w = pd[po]!;
          gd[go] = Math.min(Math.max(w, lo), hi) === w ? inv : 0;
        }
      }
      if (cy === v) gd[g0 + y * gs] -= scale / cy;
    }
  }
  return { values: new Tensor(out, outShape), mask, grad };
}

// Sparse categorical crossentropy from logits, row by row: `logsumexp(x) - x_y`, 0 for ignored
// rows (label -1), and with a gradient `scale (softmax(x) - onehot(y))`. The loops take only
// typed arrays and numbers (see src/losses/README.md); float32 and float64 have their own
// (expf/logf of ../math/fastmath against Math.*), so that each sees one array type. The
// gradient pass over a contiguous row is unrolled by 4: a store loop of one element per
// iteration runs at about half the speed (bench/README.md).

function scceLogitsRows32(out: Float32Array, labels: Int32Array, pd: Float32Array, layout: Int32Array): void {
  const n = layout[0]!, ps = layout[2]!, P = LAYOUT_HEADER + out.length;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (y < 0) continue; // ignored: 0
    const p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0;
    for (let k = 0, po = p0; k < n; k++, po += ps) sumExp += expf(pd[po]! - max);
    out[r] = logf(sumExp) - (pd[p0 + y * ps]! - max);
  }
}

function scceLogitsRows64(out: Float64Array, labels: Int32Array, pd: Float64Array, layout: Int32Array): void {
  const n = layout[0]!, ps = layout[2]!, P = LAYOUT_HEADER + out.length;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (y < 0) continue; // ignored: 0
    const p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0;
    for (let k = 0, po = p0; k < n; k++, po += ps) sumExp += Math.exp(pd[po]! - max);
    out[r] = Math.log(sumExp) - (pd[p0 + y * ps]! - max);
  }
}

/** Values and gradient (written), keeping the row's exponentials in `exps`. */
function scceLogitsGradRows32(out: Float32Array, gd: Float32Array, u: FloatArray, labels: Int32Array, pd: Float32Array, layout: Int32Array, exps: Float64Array): void {
  const n = layout[0]!, ps = layout[2]!, gs = layout[3]!, P = LAYOUT_HEADER + out.length, G = P + out.length;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (y < 0) continue; // ignored: value 0, gradient 0
    const p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, po = p0;
    // Two elements per iteration (the same sum in the same order): with the store of the
    // exponentials, the loop of one element per iteration ran 10-15% slower.
    for (let k = 0; k < n - (n & 1); k += 2, po += 2 * ps) {
      const e0 = expf(pd[po]! - max), e1 = expf(pd[po + ps]! - max);
      exps[k] = e0;
      exps[k + 1] = e1;
      sumExp += e0;
      sumExp += e1;
    }
    if (n & 1) sumExp += exps[n - 1] = expf(pd[po]! - max);
    out[r] = logf(sumExp) - (pd[p0 + y * ps]! - max);
    const scale = u[r]!, inv = scale / sumExp, g0 = layout[G + r]!;
    if (gs === 1) {
      for (let k = 0; k < n - (n & 3); k += 4) {
        gd[g0 + k] = exps[k]! * inv;
        gd[g0 + k + 1] = exps[k + 1]! * inv;
        gd[g0 + k + 2] = exps[k + 2]! * inv;
        gd[g0 + k + 3] = exps[k + 3]! * inv;
      }
      for (let k = n - (n & 3); k < n; k++) gd[g0 + k] = exps[k]! * inv;
    } else {
      for (let k = 0, go = g0; k < n; k++, go += gs) gd[go] = exps[k]! * inv;
    }
    gd[g0 + y * gs] -= scale;
  }
}

function scceLogitsGradRows64(out: Float64Array, gd: Float64Array, u: FloatArray, labels: Int32Array, pd: Float64Array, layout: Int32Array, exps: Float64Array): void {
  const n = layout[0]!, ps = layout[2]!, gs = layout[3]!, P = LAYOUT_HEADER + out.length, G = P + out.length;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (y < 0) continue; // ignored: value 0, gradient 0
    const p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, po = p0;
    // Two elements per iteration (the same sum in the same order): with the store of the
    // exponentials, the loop of one element per iteration ran 10-15% slower.
    for (let k = 0; k < n - (n & 1); k += 2, po += 2 * ps) {
      const e0 = Math.exp(pd[po]! - max), e1 = Math.exp(pd[po + ps]! - max);
      exps[k] = e0;
      exps[k + 1] = e1;
      sumExp += e0;
      sumExp += e1;
    }
    if (n & 1) sumExp += exps[n - 1] = Math.exp(pd[po]! - max);
    out[r] = Math.log(sumExp) - (pd[p0 + y * ps]! - max);
    const scale = u[r]!, inv = scale / sumExp, g0 = layout[G + r]!;
    if (gs === 1) {
      for (let k = 0; k < n - (n & 3); k += 4) {
        gd[g0 + k] = exps[k]! * inv;
        gd[g0 + k + 1] = exps[k + 1]! * inv;
        gd[g0 + k + 2] = exps[k + 2]! * inv;
        gd[g0 + k + 3] = exps[k + 3]! * inv;
      }
      for (let k = n - (n & 3); k < n; k++) gd[g0 + k] = exps[k]! * inv;
    } else {
      for (let k = 0, go = g0; k < n; k++, go += gs) gd[go] = exps[k]! * inv;
    }
    gd[g0 + y * gs] -= scale;
  }
}

/**
 * Sparse categorical crossentropy: categorical crossentropy for integer class labels.
 *
 * With logits, `loss = logsumexp(x) - x_y`; with probabilities, Keras takes the logits
 * `log(clip(p, ε, 1 - ε))`, so `loss = log Σ clip(p) - log clip(p_y)`. With `ignoreClass`,
 * positions labelled `ignoreClass` give 0 and carry a mask (`values.mask`), so a reducing
 * loss divides by the number of kept positions.
 *
 * Options: `fromLogits` (`false`), `ignoreClass` (`null`), `axis` (`-1`; any axis works,
 * including channels-first `1`). Shapes: yPred `[..., numClasses, ...]` with the classes along
 * `axis`; yTrue is yPred's shape without that axis, or with it of size 1 (`[B]` or `[B, 1]`
 * against `[B, C]`). Labels must be integers in `[0, numClasses)` (or `ignoreClass`), else an
 * `InputError`.
 *
 * @example
 * sparseCategoricalCrossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]).toArray() // [0.0513, 2.303]
 */
export const sparseCategoricalCrossentropy = /*#__PURE__*/ defineLossFunction<SparseCategoricalCrossentropyConfig>({
  name: "sparse_categorical_crossentropy",
  defaults: { fromLogits: false, ignoreClass: null, axis: -1 },
  validate(o) {
    const name = "sparse_categorical_crossentropy";
    checkBoolean(name, "fromLogits", o.fromLogits);
    if (o.ignoreClass !== null) checkNumber(name, "ignoreClass", o.ignoreClass, { integer: true });
    checkAxis(name, o.axis);
  },
  kernel: (yTrue, yPred, o, upstream) =>
    upstream ? sparseCategoricalCrossentropyFused(yTrue, yPred, upstream, o) : sparseCategoricalCrossentropyForward(yTrue, yPred, o),
});

/**
 * Computes the crossentropy loss between integer labels and predictions
 * (`keras.losses.SparseCategoricalCrossentropy`); for one-hot labels use
 * {@link CategoricalCrossentropy}. See {@link sparseCategoricalCrossentropy} for the formula.
 * Options: `fromLogits`, `ignoreClass`, `axis`, plus `reduction`, `name`
 * (default `"sparse_categorical_crossentropy"`), `dtype`.
 *
 * @example
 * const scce = new SparseCategoricalCrossentropy();
 * scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);             // 1.177
 * scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7]); // 0.814
 */
export class SparseCategoricalCrossentropy<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: SparseCategoricalCrossentropyOptions<R> = {}) {
    super(sparseCategoricalCrossentropy, withDefaultName(options, "sparse_categorical_crossentropy"));
  }
}
