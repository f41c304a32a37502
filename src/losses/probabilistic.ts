/**
 * Probabilistic losses: Poisson, KLDivergence, CategoricalGeneralizedCrossEntropy.
 */
import { LossFunctionWrapper, withDefaultName, checkIntegerLabels, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { ShapeError, formatShape } from "../errors";
import { elementOffsets, rowsOf } from "../tensor/rows";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { squeeze } from "../tensor/views";
import { checkNumber, defineLossFunction, type KernelOptions } from "./define";
import { packRows, pairRows, gradientBuffer, LAYOUT_HEADER, meanOver } from "./layout";
import { logf } from "../math/fastmath";
import { runSimdRoute, type SimdRoute } from "./simd-route";
import { simdKLDivergence, simdPoisson } from "../simd/index";

/** Keras's `backend.epsilon()`. */
const EPSILON = 1e-7;

/**
 * Keras casts Python constants to the tensor's dtype: `1e-7` is 1.0000000116860974e-7 in float32.
 *
 * Clip with `Math.min(Math.max(v, eps), 1)`, not `v < eps ? eps : v`: V8 holds `eps` (a call's
 * result, a module binding, or any local once the loop runs in on-stack-replaced code) as a
 * tagged number, so the conditional's result is tagged too and every element is boxed into a
 * new HeapNumber (dozens of GCs per call, 2-3x slower). Math.min/max always yield raw doubles.
 */
function epsilonFor(options: KernelOptions<object>): number {
  return options.dtype === "float32" ? Math.fround(EPSILON) : EPSILON;
}




// ---------------------------------------------------------------------------------------
// Poisson
// ---------------------------------------------------------------------------------------

/** The signature every "rows" loop below shares: output, optional gradient and upstream, the two inputs, the packed layout, epsilon. */
type RowsLoop = (out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array) => void;

/** A reduce-over-the-last-axis kernel from its rows loop (after the SIMD route, ./simd-route.ts): values, and the gradient when an upstream is given. */
function rowsKernel(loop: RowsLoop, route: SimdRoute<undefined>) {
  return (yTrue: Tensor, yPred: Tensor, options: KernelOptions<object>, upstream?: Upstream): KernelResult => {
    const simd = runSimdRoute(route, yTrue, yPred, options.dtype, -1, upstream);
    if (simd) return simd;
    const { t, p, g, grad, outShape } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
    const out = allocate(options.dtype, p.rows);
    const u = upstream ? upstream(outShape) : null;
    loop(out, g ? g.data : null, u, t.data, p.data, packRows(options.dtype === "float32", t, p, g), Float64Array.of(epsilonFor(options)));
    return { values: new Tensor(out, outShape), grad };
  };
}

const poissonKernel = /*#__PURE__*/ rowsKernel(poissonRows, { loss: "poisson", entry: simdPoisson });

// The loops of the kernels ("rows" functions) take only typed arrays and numbers: V8 embeds
// the maps of the objects a function reads in its optimized code, and the maps of per-call
// objects (options, layouts) die in a full GC, which throws the code away. Each has a float32
// loop with the float32-accurate logf of ../math/fastmath (2.5x faster than Math.log, within
// 1e-11 relative) and a float64 loop with Math.log, both called directly, which V8 inlines
// best. `eps = +eps` makes the parameter a raw double once.

/** mean(p - t log(p + eps)) per row; with `gd`, also adds the gradient `scale (1 - t / (p + eps))`. */
function poissonRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const eps = params[0]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    let to = layout[T + r]!, po = layout[P + r]!, sum = 0;
    if (!gd) {
      if (f32) {
        for (let k = 0; k < n; k++, to += ts, po += ps) sum += pd[po]! - td[to]! * logf(pd[po]! + eps);
      } else {
        for (let k = 0; k < n; k++, to += ts, po += ps) sum += pd[po]! - td[to]! * Math.log(pd[po]! + eps);
      }
    } else {
      // d/dp mean(p - t log(p + eps)) = (1 - t / (p + eps)) / n
      const scale = u![r]! / n;
      let go = layout[G + r]!;
      if (f32) {
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const label = td[to]!, prediction = pd[po]!, shifted = prediction + eps;
          sum += prediction - label * logf(shifted);
          gd[go] += scale * (1 - label / shifted);
        }
      } else {
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const label = td[to]!, prediction = pd[po]!, shifted = prediction + eps;
          sum += prediction - label * Math.log(shifted);
          gd[go] += scale * (1 - label / shifted);
        }
      }
    }
    out[r] = meanOver(sum, n);
  }
}

/**
 * Poisson loss, averaged over the last axis: the negative log-likelihood of counts
 * `yTrue` under Poisson rates `yPred`, without the `log(yTrue!)` term.
 *
 * `loss = mean(yPred - yTrue * log(yPred + epsilon), axis=-1)` with `epsilon = 1e-7`
 * (Keras's `backend.epsilon()`), so a zero rate with a zero count gives 0, not NaN. There
 * is no clipping: the gradient is `(1 - yTrue / (yPred + epsilon)) / n` everywhere.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]` (aligned and broadcast as in Keras);
 * result `[batch, d0, …, dN-1]`.
 *
 * @example
 * poisson([[0, 1], [0, 0]], [[1, 1], [0, 0]]).toArray() // [0.99999994, 0]
 */
export const poisson = /*#__PURE__*/ defineLossFunction({
  name: "poisson",
  defaults: {},
  kernel: poissonKernel,
});

// ---------------------------------------------------------------------------------------
// KL divergence
// ---------------------------------------------------------------------------------------

const SIMD_KLD: SimdRoute<undefined> = { loss: "kl_divergence", entry: simdKLDivergence };

/** KLDivergence's kernel: the SIMD route, else the loops below (the two-at-a-time loops unless yPred is broadcast). */
function klDivergenceKernel(yTrue: Tensor, yPred: Tensor, options: KernelOptions<object>, upstream?: Upstream): KernelResult {
  const simd = runSimdRoute(SIMD_KLD, yTrue, yPred, options.dtype, -1, upstream);
  if (simd) return simd;
  const { t, p, g, grad, outShape, exclusive } = pairRows(yTrue, yPred, -1, upstream && gradientBuffer(upstream, options.dtype, yPred.size));
  const out = allocate(options.dtype, p.rows);
  const u = upstream ? upstream(outShape) : null;
  const f32 = options.dtype === "float32", layout = packRows(f32, t, p, g), params = Float64Array.of(epsilonFor(options));
  if (g && !exclusive) klDivergenceRows(out, g.data, u, t.data, p.data, layout, params);
  else if (g && f32) klFused32(out as Float32Array, g.data as Float32Array, u!, t.data as Float32Array, p.data as Float32Array, layout, params);
  else if (g) klFused64(out as Float64Array, g.data as Float64Array, u!, t.data as Float64Array, p.data as Float64Array, layout, params);
  else if (f32) klValues32(out as Float32Array, t.data as Float32Array, p.data as Float32Array, layout, params);
  else klValues64(out as Float64Array, t.data as Float64Array, p.data as Float64Array, layout, params);
  return { values: new Tensor(out, outShape), grad };
}

/**
 * Σ t log(t / p) per row, both clipped to [eps, 1] as Keras clips them (NaN stays NaN:
 * Math.max/min pass it on); with `gd`, also adds the gradient `-scale t / p` inside
 * [eps, 1] (clip_by_value passes no gradient outside it). See {@link poissonRows}.
 */
function klDivergenceRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const eps = params[0]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    let to = layout[T + r]!, po = layout[P + r]!, sum = 0;
    if (!gd) {
      if (f32) {
        for (let k = 0; k < n; k++, to += ts, po += ps) {
          const label = Math.min(Math.max(td[to]!, eps), 1), prediction = Math.min(Math.max(pd[po]!, eps), 1);
          sum += label * logf(label / prediction);
        }
      } else {
        for (let k = 0; k < n; k++, to += ts, po += ps) {
          const label = Math.min(Math.max(td[to]!, eps), 1), prediction = Math.min(Math.max(pd[po]!, eps), 1);
          sum += label * Math.log(label / prediction);
        }
      }
    } else {
      const scale = u![r]!;
      let go = layout[G + r]!;
      if (f32) {
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const b = pd[po]!, label = Math.min(Math.max(td[to]!, eps), 1), prediction = Math.min(Math.max(b, eps), 1);
          sum += label * logf(label / prediction);
          if (b >= eps && b <= 1) gd[go] -= (scale * label) / prediction;
        }
      } else {
        for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
          const b = pd[po]!, label = Math.min(Math.max(td[to]!, eps), 1), prediction = Math.min(Math.max(b, eps), 1);
          sum += label * Math.log(label / prediction);
          if (b >= eps && b <= 1) gd[go] -= (scale * label) / prediction;
        }
      }
    }
    out[r] = sum;
  }
}

// KLDivergence two elements per iteration (the same sum in the same order as
// klDivergenceRows: 18% faster; four per iteration exceed what V8 inlines, see
// contiguous-logcosh.ts), float32 and float64 loops apart, values and the fused gradient
// apart; one division serves the value and the gradient, written for a yPred that is not
// broadcast.

function klValues32(out: Float32Array, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, T = LAYOUT_HEADER, P = T + out.length;
  const eps = params[0]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    let to = layout[T + r]!, po = layout[P + r]!, sum = 0, k = 0;
    for (; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps) {
      const l0 = Math.min(Math.max(td[to]!, eps), 1), p0 = Math.min(Math.max(pd[po]!, eps), 1);
      const l1 = Math.min(Math.max(td[to + ts]!, eps), 1), p1 = Math.min(Math.max(pd[po + ps]!, eps), 1);
      const a = l0 * logf(l0 / p0), b = l1 * logf(l1 / p1);
      sum += a;
      sum += b;
    }
    if (k < n) {
      const label = Math.min(Math.max(td[to]!, eps), 1);
      sum += label * logf(label / Math.min(Math.max(pd[po]!, eps), 1));
    }
    out[r] = sum;
  }
}

/**
 * Values and the gradient `-scale t / p` where eps <= p <= 1, written; a 0/1 weight instead of
 * a branch (NaN and clipped predictions give 0; `+ 0` makes the -0 of a negative scale times 0
 * a +0, as the accumulating loop gives).
 */
function klFused32(out: Float32Array, gd: Float32Array, u: FloatArray, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const eps = params[0]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = -u[r]!;
    let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0, k = 0;
    for (; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps, go += 2 * gs) {
      const v0 = pd[po]!, v1 = pd[po + ps]!;
      const l0 = Math.min(Math.max(td[to]!, eps), 1), r0 = l0 / Math.min(Math.max(v0, eps), 1);
      const l1 = Math.min(Math.max(td[to + ts]!, eps), 1), r1 = l1 / Math.min(Math.max(v1, eps), 1);
      const a = l0 * logf(r0), b = l1 * logf(r1);
      sum += a;
      sum += b;
      gd[go] = scale * r0 * (+(v0 >= eps) & +(v0 <= 1)) + 0;
      gd[go + gs] = scale * r1 * (+(v1 >= eps) & +(v1 <= 1)) + 0;
    }
    if (k < n) {
      const v = pd[po]!, label = Math.min(Math.max(td[to]!, eps), 1), ratio = label / Math.min(Math.max(v, eps), 1);
      sum += label * logf(ratio);
      gd[go] = scale * ratio * (+(v >= eps) & +(v <= 1)) + 0;
    }
    out[r] = sum;
    // A NaN prediction makes the ratio NaN, and NaN times the 0 weight is NaN where the plain
    // loop passes no gradient (0): a row whose sum is NaN gets its gradient again, plainly.
    if (sum !== sum) {
      to = layout[T + r]!;
      po = layout[P + r]!;
      go = layout[G + r]!;
      for (k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const v = pd[po]!, label = Math.min(Math.max(td[to]!, eps), 1);
        gd[go] = v >= eps && v <= 1 ? (scale * label) / v : 0;
      }
    }
  }
}

function klValues64(out: Float64Array, td: Float64Array, pd: Float64Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, T = LAYOUT_HEADER, P = T + out.length;
  const eps = params[0]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    let to = layout[T + r]!, po = layout[P + r]!, sum = 0, k = 0;
    for (; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps) {
      const l0 = Math.min(Math.max(td[to]!, eps), 1), p0 = Math.min(Math.max(pd[po]!, eps), 1);
      const l1 = Math.min(Math.max(td[to + ts]!, eps), 1), p1 = Math.min(Math.max(pd[po + ps]!, eps), 1);
      const a = l0 * Math.log(l0 / p0), b = l1 * Math.log(l1 / p1);
      sum += a;
      sum += b;
    }
    if (k < n) {
      const label = Math.min(Math.max(td[to]!, eps), 1);
      sum += label * Math.log(label / Math.min(Math.max(pd[po]!, eps), 1));
    }
    out[r] = sum;
  }
}

/**
 * Values and the gradient `-scale t / p` where eps <= p <= 1, written; a 0/1 weight instead of
 * a branch (NaN and clipped predictions give 0; `+ 0` makes the -0 of a negative scale times 0
 * a +0, as the accumulating loop gives).
 */
function klFused64(out: Float64Array, gd: Float64Array, u: FloatArray, td: Float64Array, pd: Float64Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const eps = params[0]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = -u[r]!;
    let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0, k = 0;
    for (; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps, go += 2 * gs) {
      const v0 = pd[po]!, v1 = pd[po + ps]!;
      const l0 = Math.min(Math.max(td[to]!, eps), 1), r0 = l0 / Math.min(Math.max(v0, eps), 1);
      const l1 = Math.min(Math.max(td[to + ts]!, eps), 1), r1 = l1 / Math.min(Math.max(v1, eps), 1);
      const a = l0 * Math.log(r0), b = l1 * Math.log(r1);
      sum += a;
      sum += b;
      gd[go] = scale * r0 * (+(v0 >= eps) & +(v0 <= 1)) + 0;
      gd[go + gs] = scale * r1 * (+(v1 >= eps) & +(v1 <= 1)) + 0;
    }
    if (k < n) {
      const v = pd[po]!, label = Math.min(Math.max(td[to]!, eps), 1), ratio = label / Math.min(Math.max(v, eps), 1);
      sum += label * Math.log(ratio);
      gd[go] = scale * ratio * (+(v >= eps) & +(v <= 1)) + 0;
    }
    out[r] = sum;
    // A NaN prediction makes the ratio NaN, and NaN times the 0 weight is NaN where the plain
    // loop passes no gradient (0): a row whose sum is NaN gets its gradient again, plainly.
    if (sum !== sum) {
      to = layout[T + r]!;
      po = layout[P + r]!;
      go = layout[G + r]!;
      for (k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const v = pd[po]!, label = Math.min(Math.max(td[to]!, eps), 1);
        gd[go] = v >= eps && v <= 1 ? (scale * label) / v : 0;
      }
    }
  }
}

/**
 * Kullback-Leibler divergence of `yPred` from `yTrue`, summed over the last axis.
 *
 * `loss = sum(t * log(t / p), axis=-1)` with `t = clip(yTrue, epsilon, 1)` and
 * `p = clip(yPred, epsilon, 1)`, `epsilon = 1e-7`, exactly as Keras clips: a zero label
 * contributes `epsilon * log(epsilon / p)`, a tiny negative number. The gradient is
 * `-t / p` where `epsilon <= yPred <= 1` and 0 where the clip holds.
 *
 * Shapes: `yTrue` and `yPred` `[batch, d0, …, dN]`; result `[batch, d0, …, dN-1]`.
 *
 * Reference: S. Kullback and R. A. Leibler, "On Information and Sufficiency", Annals of
 * Mathematical Statistics 22(1), 1951.
 *
 * @example
 * klDivergence([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).toArray() // [0.91629, -3.08e-6]
 */
export const klDivergence = /*#__PURE__*/ defineLossFunction({
  name: "kl_divergence",
  defaults: {},
  kernel: klDivergenceKernel,
});

// ---------------------------------------------------------------------------------------
// Categorical generalized cross entropy
// ---------------------------------------------------------------------------------------

/** Options of the generalized cross entropy. */
export interface CategoricalGeneralizedCrossEntropyConfig {
  q: number;
}

function gceKernel(yTrue: Tensor, yPred: Tensor, options: KernelOptions<CategoricalGeneralizedCrossEntropyConfig>, upstream?: Upstream): KernelResult {
  if (yPred.rank === 0) throw new ShapeError(`yPred must have a classes axis (shape [..., numClasses]), received shape ${formatShape(yPred.shape)}`);
  const p = rowsOf(yPred, -1);
  const outShape = p.outerShape;
  let labels = yTrue;
  // Keras documents labels of shape [batch] or [batch, 1]: a trailing 1 is dropped.
  if (labels.rank === outShape.length + 1 && labels.shape[labels.rank - 1] === 1) labels = squeeze(labels, -1);
  if (labels.rank !== outShape.length || labels.shape.some((d, i) => d !== outShape[i])) {
    throw new ShapeError(
      `yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected integer labels of shape ${formatShape(outShape)} (yPred's shape without its classes axis)`,
    );
  }
  const numClasses = p.length;
  checkIntegerLabels(labels, numClasses, "yTrue");
  const labelOffsets = labels.isContiguous ? null : elementOffsets(labels);
  const ld = labels.data, lo = labels.offset, pd = p.data, ps = p.stride;
  // Keras casts q to the dtype of yPred.
  const q = options.dtype === "float32" ? Math.fround(options.q) : options.q;
  const out = allocate(options.dtype, p.rows);
  let gd: FloatArray | undefined, grad: Tensor | undefined, gOffsets: Int32Array | undefined, gs = 0, u: FloatArray | undefined;
  if (upstream) {
    grad = new Tensor(allocate(options.dtype, yPred.size), yPred.shape);
    const g = rowsOf(grad, -1);
    gd = g.data;
    gOffsets = g.offsets;
    gs = g.stride;
    u = upstream(outShape);
  }
  for (let r = 0; r < p.rows; r++) {
    const label = ld[labelOffsets ? labelOffsets[r]! : lo + r]!;
    const probability = pd[p.offsets[r]! + label * ps]!;
    out[r] = (1 - Math.pow(probability, q)) / q;
    // d/dp (1 - p^q) / q = -p^(q-1) (-Infinity at p = 0); only the labelled class receives
    // gradient. A zero upstream (weight 0, masked) gives 0 rather than 0 * Infinity = NaN.
    if (gd && u![r] !== 0) gd[gOffsets![r]! + label * gs] -= u![r]! * Math.pow(probability, q - 1);
  }
  return { values: new Tensor(out, outShape), grad };
}

/**
 * Generalized cross entropy for integer labels: a noise-robust loss between categorical
 * crossentropy (`q → 0`) and mean absolute error (`q = 1`).
 *
 * `loss = (1 - p^q) / q` with `p = yPred[..., yTrue]`, the predicted probability of the
 * true class. The gradient reaches only that class: `-p^(q-1)`.
 *
 * Options: `q` (default 0.5), in the open interval (0, 1).
 *
 * Shapes: `yTrue` integer class indices `[batch, d0, …, dN-1]` (or with a trailing 1),
 * `yPred` probabilities `[batch, d0, …, dN-1, numClasses]`; result `[batch, d0, …, dN-1]`.
 * Labels must be integers in `[0, numClasses)` (`InputError` otherwise).
 *
 * Reference: Z. Zhang and M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
 * Deep Neural Networks with Noisy Labels", NeurIPS 2018 (arXiv:1805.07836).
 *
 * @example
 * categoricalGeneralizedCrossEntropy([0, 1], [[0.7, 0.3], [0.2, 0.8]]).toArray() // [0.32668, 0.21115]
 */
export const categoricalGeneralizedCrossEntropy = /*#__PURE__*/ defineLossFunction<CategoricalGeneralizedCrossEntropyConfig>({
  name: "categorical_generalized_cross_entropy",
  defaults: { q: 0.5 },
  validate(options) {
    checkNumber("categorical_generalized_cross_entropy", "q", options.q, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  },
  kernel: gceKernel,
});

// ---------------------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------------------

/** Options of {@link Poisson}: `reduction`, `name`, `dtype`. */
export type PoissonOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the Poisson loss between labels and predictions.
 *
 * `loss = yPred - yTrue * log(yPred + 1e-7)`, averaged over the last axis; see
 * {@link poisson}. Options: `reduction`, `name` (default `"poisson"`), `dtype`.
 *
 * @example
 * new Poisson()([[0, 1], [0, 0]], [[1, 1], [0, 0]]) // 0.5
 */
export class Poisson<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: PoissonOptions<R> = {}) {
    super(poisson, withDefaultName(options, "poisson"));
  }
}

/** Options of {@link KLDivergence}: `reduction`, `name`, `dtype`. */
export type KLDivergenceOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Computes the Kullback-Leibler divergence between labels and predictions.
 *
 * `loss = yTrue * log(yTrue / yPred)` summed over the last axis, both clipped to
 * `[1e-7, 1]`; see {@link klDivergence}. Options: `reduction`, `name` (default
 * `"kl_divergence"`), `dtype`.
 *
 * @example
 * new KLDivergence()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) // 0.458
 */
export class KLDivergence<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: KLDivergenceOptions<R> = {}) {
    super(klDivergence, withDefaultName(options, "kl_divergence"));
  }
}

/** Options of {@link CategoricalGeneralizedCrossEntropy}. */
export interface CategoricalGeneralizedCrossEntropyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** The noise parameter, in (0, 1): near 0 like crossentropy, near 1 like MAE. Default 0.5. */
  q?: number;
}

/**
 * Computes the generalized cross entropy between integer labels and predicted probabilities.
 *
 * `loss = (1 - p^q) / q`, `p` the probability of the true class; see
 * {@link categoricalGeneralizedCrossEntropy}. Options: `q` (default 0.5, in (0, 1)),
 * `reduction`, `name` (default `"categorical_generalized_cross_entropy"`), `dtype`.
 *
 * Reference: Zhang and Sabuncu, "Generalized Cross Entropy Loss for Training Deep Neural
 * Networks with Noisy Labels", NeurIPS 2018.
 *
 * @example
 * new CategoricalGeneralizedCrossEntropy()([0, 1, 0, 1], [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]]) // 0.35986 (Keras losses_test.py: mean of (1 - p^0.5) / 0.5)
 */
export class CategoricalGeneralizedCrossEntropy<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CategoricalGeneralizedCrossEntropyOptions<R> = {}) {
    super(categoricalGeneralizedCrossEntropy, withDefaultName(options, "categorical_generalized_cross_entropy"));
  }
}
