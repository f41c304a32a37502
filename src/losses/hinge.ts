/**
 * Hinge losses: Hinge, SquaredHinge, CategoricalHinge. Each reduces over the last axis
 * after Keras's rank alignment.
 */
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { Rows } from "../tensor/rows";
import { Tensor, allocate } from "../tensor/tensor";
import { defineLossFunction } from "./define";
import { contiguousKernel, contiguousRows, contiguousTotal } from "./contiguous";
import { pairRows, gradientBuffer, meanOver, packRows } from "./layout";
import { categoricalHingeStrided, contiguousCategoricalHinge } from "./contiguous-categorical-hinge";

/**
 * Keras's `convert_binary_labels_to_hinge` decides for the whole tensor: when every label
 * is 0 or 1, labels become `2 * y - 1`; otherwise (e.g. -1/1 labels) they stay as they are.
 * The rows cover every label, so scanning them is enough; an empty tensor counts as binary.
 */
function labelsAreBinary(t: Rows): boolean {
  const td = t.data, ts = t.stride, n = t.length;
  for (let r = 0; r < t.rows; r++) {
    let to = t.offsets[r]!;
    for (let k = 0; k < n; k++, to += ts) {
      const v = td[to]!;
      if (v !== 0 && v !== 1) return false;
    }
  }
  return true;
}

/** max(1 - y p, 0) with y = a t + b, written `0.5 (m + |m|)` as the contiguous loop writes it (NaN stays NaN). */
function hingeTerm(t: number, p: number, a: number, b: number): number {
  const m = 1 - (a * t + b) * p;
  return 0.5 * (m + Math.abs(m));
}

/** max(1 - y p, 0)^2, written as the contiguous loop writes it. */
function squaredHingeTerm(t: number, p: number, a: number, b: number): number {
  const m = 1 - (a * t + b) * p;
  return 0.25 * (m + Math.abs(m)) * (m + Math.abs(m));
}

/** `[a, b]` of the label map `y = a t + b` for a contiguous yTrue (see {@link labelsAreBinary}). */
function hingeLabelParams(yTrue: Tensor): Float64Array {
  const td = yTrue.data, end = yTrue.offset + yTrue.size;
  for (let i = yTrue.offset; i < end; i++) {
    const v = td[i]!;
    if (v !== 0 && v !== 1) return Float64Array.of(1, 0);
  }
  return Float64Array.of(2, -1);
}

/**
 * Hinge loss, averaged over the last axis.
 *
 * `loss = mean(max(1 - yTrue * yPred, 0), axis=-1)`. Labels are expected in {-1, 1}; if
 * every label is 0 or 1 they are converted to -1/1 first (as Keras does, for the whole
 * tensor at once). The gradient is `-yTrue / n` where `1 - yTrue * yPred >= 0` (at the
 * kink TensorFlow's `maximum` passes the gradient to its first argument) and 0 elsewhere.
 * NaN propagates: a NaN in `yTrue` or `yPred` makes its row's loss NaN and the gradient
 * at that element NaN.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result `[batch, d0, …, dN-1]`.
 *
 * Reference: C. Cortes and V. Vapnik, "Support-vector networks", Machine Learning 20, 1995.
 *
 * @example
 * hinge([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).toArray() // [1.1, 1.5]
 */
export const hinge = /*#__PURE__*/ defineLossFunction({
  name: "hinge",
  defaults: {},
  total: (yTrue, yPred, options) =>
    contiguousRows(yTrue, yPred, options.dtype) ? contiguousTotal("hinge", yTrue, yPred, options.dtype, hingeLabelParams(yTrue)) : undefined,
  kernel(yTrue, yPred, options, upstream) {
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return contiguousKernel("hinge", yTrue, yPred, options.dtype, upstream, hingeLabelParams(yTrue), geo);
    const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const convert = labelsAreBinary(t);
    const a = convert ? 2 : 1, b = convert ? -1 : 0;
    const out = allocate(options.dtype, p.rows);
    const td = t.data, pd = p.data, ts = t.stride, ps = p.stride, n = p.length;
    for (let r = 0; r < p.rows; r++) {
      // Summed in the contiguous path's order (4 accumulators, tail into the first), so a
      // strided view gives the same bits as its contiguous copy.
      let to = t.offsets[r]!, po = p.offsets[r]!, s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
      for (; k + 3 < n; k += 4, to += 4 * ts, po += 4 * ps) {
        s0 += hingeTerm(td[to]!, pd[po]!, a, b);
        s1 += hingeTerm(td[to + ts]!, pd[po + ps]!, a, b);
        s2 += hingeTerm(td[to + 2 * ts]!, pd[po + 2 * ps]!, a, b);
        s3 += hingeTerm(td[to + 3 * ts]!, pd[po + 3 * ps]!, a, b);
      }
      for (; k < n; k++, to += ts, po += ps) s0 += hingeTerm(td[to]!, pd[po]!, a, b);
      out[r] = meanOver(s0 + s1 + s2 + s3, n);
    }
    const values = new Tensor(out, outShape);
    if (!upstream || !g) return { values };
    const u = upstream(outShape);
    {
      const convert = labelsAreBinary(t);
      const td = t.data, pd = p.data, gd = g!.data, ts = t.stride, ps = p.stride, gs = g!.stride, n = p.length;
      for (let r = 0; r < p.rows; r++) {
        const scale = u[r]! / n;
        let to = t.offsets[r]!, po = p.offsets[r]!, go = g!.offsets[r]!, marginSum = 0;
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const y = convert ? 2 * td[to]! - 1 : td[to]!;
          const margin = 1 - y * pd[po]!;
          if (margin >= 0) gd[go] -= scale * y;
          marginSum += margin;
        }
        // A NaN margin (NaN in yTrue or yPred) has a NaN value, so its gradient is NaN. The
        // sum flags such rows without a second test per element in the loop above (+Infinity
        // and -Infinity margins together flag a row too; the pass below then changes nothing).
        if (marginSum !== marginSum) {
          to = t.offsets[r]!;
          po = p.offsets[r]!;
          go = g!.offsets[r]!;
          for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
            const y = convert ? 2 * td[to]! - 1 : td[to]!;
            const margin = 1 - y * pd[po]!;
            if (margin !== margin) gd[go] = NaN;
          }
        }
      }
    }
    return { values, grad };
  },
});

/**
 * Squared hinge loss, averaged over the last axis.
 *
 * `loss = mean(max(1 - yTrue * yPred, 0)^2, axis=-1)`, with the same {0, 1} → {-1, 1}
 * label conversion as {@link hinge}. The gradient is `-2 * yTrue * max(1 - yTrue * yPred, 0) / n`.
 * NaN propagates as in {@link hinge}.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result `[batch, d0, …, dN-1]`.
 *
 * @example
 * squaredHinge([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).toArray() // [1.46, 2.26]
 */
export const squaredHinge = /*#__PURE__*/ defineLossFunction({
  name: "squared_hinge",
  defaults: {},
  total: (yTrue, yPred, options) =>
    contiguousRows(yTrue, yPred, options.dtype) ? contiguousTotal("squaredHinge", yTrue, yPred, options.dtype, hingeLabelParams(yTrue)) : undefined,
  kernel(yTrue, yPred, options, upstream) {
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return contiguousKernel("squaredHinge", yTrue, yPred, options.dtype, upstream, hingeLabelParams(yTrue), geo);
    const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const convert = labelsAreBinary(t);
    const a = convert ? 2 : 1, b = convert ? -1 : 0;
    const out = allocate(options.dtype, p.rows);
    const td = t.data, pd = p.data, ts = t.stride, ps = p.stride, n = p.length;
    for (let r = 0; r < p.rows; r++) {
      // Summed in the contiguous path's order (4 accumulators, tail into the first), so a
      // strided view gives the same bits as its contiguous copy.
      let to = t.offsets[r]!, po = p.offsets[r]!, s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
      for (; k + 3 < n; k += 4, to += 4 * ts, po += 4 * ps) {
        s0 += squaredHingeTerm(td[to]!, pd[po]!, a, b);
        s1 += squaredHingeTerm(td[to + ts]!, pd[po + ps]!, a, b);
        s2 += squaredHingeTerm(td[to + 2 * ts]!, pd[po + 2 * ps]!, a, b);
        s3 += squaredHingeTerm(td[to + 3 * ts]!, pd[po + 3 * ps]!, a, b);
      }
      for (; k < n; k++, to += ts, po += ps) s0 += squaredHingeTerm(td[to]!, pd[po]!, a, b);
      out[r] = meanOver(s0 + s1 + s2 + s3, n);
    }
    const values = new Tensor(out, outShape);
    if (!upstream || !g) return { values };
    const u = upstream(outShape);
    {
      const convert = labelsAreBinary(t);
      const td = t.data, pd = p.data, gd = g!.data, ts = t.stride, ps = p.stride, gs = g!.stride, n = p.length;
      for (let r = 0; r < p.rows; r++) {
        const scale = u[r]! / n;
        let to = t.offsets[r]!, po = p.offsets[r]!, go = g!.offsets[r]!;
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const y = convert ? 2 * td[to]! - 1 : td[to]!;
          const margin = 1 - y * pd[po]!;
          // A NaN margin takes this branch too, so its gradient is NaN.
          if (!(margin <= 0)) gd[go] -= scale * y * (margin + Math.abs(margin)); // 2 max(m, 0), as the contiguous loop
        }
      }
    }
    return { values, grad };
  },
});

/**
 * Categorical (multiclass) hinge loss along the last axis.
 *
 * ```
 * pos = sum(yTrue * yPred, axis=-1)
 * neg = max((1 - yTrue) * yPred, axis=-1)
 * loss = max(neg - pos + 1, 0)
 * ```
 *
 * Labels are one-hot ({0, 1}) or {-1, 1}; they are not converted. The gradient is
 * `(1 - yTrue_k) * [k ties for the max] / ties - yTrue_k` where `neg - pos + 1 >= 0`
 * (TensorFlow's tie rule for `maximum`), 0 elsewhere: when several `(1 - yTrue_k) * yPred_k`
 * tie for the max, the gradient of `neg` is split evenly among them, as TensorFlow's
 * `reduce_max` (and JAX's, and `torch.amax`) split it. A NaN in a row gives a NaN loss and
 * a NaN gradient for that row.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result `[batch, d0, …, dN-1]`.
 *
 * Reference: K. Crammer and Y. Singer, "On the Algorithmic Implementation of Multiclass
 * Kernel-based Vector Machines", JMLR 2, 2001.
 *
 * @example
 * categoricalHinge([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).toArray() // [1.2, 1.6]
 */
export const categoricalHinge = /*#__PURE__*/ defineLossFunction({
  name: "categorical_hinge",
  defaults: {},
  kernel(yTrue, yPred, options, upstream) {
    // Loops in ./contiguous-categorical-hinge.ts: the contiguous fast path, else the strided loop (same order).
    const geo = contiguousRows(yTrue, yPred, options.dtype);
    if (geo) return contiguousCategoricalHinge(yTrue, yPred, options.dtype, upstream, geo);
    const { t, p, g, grad, outShape, exclusive } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const out = allocate(options.dtype, p.rows);
    const u = upstream && g ? upstream(outShape) : null;
    categoricalHingeStrided(out, u && g ? g.data : null, u, t.data, p.data, packRows(options.dtype === "float32", t, p, g), exclusive ? 1 : 0);
    return u ? { values: new Tensor(out, outShape), grad } : { values: new Tensor(out, outShape) };
  },
});

/** Options of {@link Hinge}: `reduction`, `name`, `dtype`. */
export type HingeOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the hinge loss between labels and predictions.
 *
 * `loss = max(1 - yTrue * yPred, 0)`, averaged over the last axis; {0, 1} labels are
 * converted to {-1, 1}. See {@link hinge}. Options: `reduction`, `name` (default
 * `"hinge"`), `dtype`.
 *
 * @example
 * new Hinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) // 1.3
 */
export class Hinge<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: HingeOptions<R> = {}) {
    super(hinge, withDefaultName(options, "hinge"));
  }
}

/** Options of {@link SquaredHinge}: `reduction`, `name`, `dtype`. */
export type SquaredHingeOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the squared hinge loss between labels and predictions.
 *
 * `loss = max(1 - yTrue * yPred, 0)^2`, averaged over the last axis; {0, 1} labels are
 * converted to {-1, 1}. See {@link squaredHinge}. Options: `reduction`, `name` (default
 * `"squared_hinge"`), `dtype`.
 *
 * @example
 * new SquaredHinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) // 1.86
 */
export class SquaredHinge<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: SquaredHingeOptions<R> = {}) {
    super(squaredHinge, withDefaultName(options, "squared_hinge"));
  }
}

/** Options of {@link CategoricalHinge}: `reduction`, `name`, `dtype`. */
export type CategoricalHingeOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the categorical hinge loss between labels and predictions.
 *
 * `loss = max(neg - pos + 1, 0)` with `neg = max((1 - yTrue) * yPred)` and
 * `pos = sum(yTrue * yPred)`. See {@link categoricalHinge}. Options: `reduction`, `name`
 * (default `"categorical_hinge"`), `dtype`.
 *
 * @example
 * new CategoricalHinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) // 1.4
 */
export class CategoricalHinge<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CategoricalHingeOptions<R> = {}) {
    super(categoricalHinge, withDefaultName(options, "categorical_hinge"));
  }
}
