/**
 * Margin losses over embeddings laid side by side on the last axis of `yPred`: the
 * triplet loss of the guides (`[anchor | positive | negative]`) and the quadruplet loss
 * (`[anchor | positive | negative | negative2]`). Per-sample values, reduced like every
 * Keras loss.
 */
import { ShapeError, formatShape } from "../../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../../loss";
import type { ReductionOption } from "../../reduction/reduce";
import { rowsOf, type Rows } from "../../tensor/rows";
import { Tensor, allocate, type FloatArray } from "../../tensor/tensor";
import { checkBoolean, checkNumber, defineLossFunction } from "../define";

/** Options of the {@link tripletMarginLoss} function. */
export interface TripletMarginConfig {
  margin: number;
  squared: boolean;
  swap: boolean;
}

/** Options of the {@link quadrupletLoss} function. */
export interface QuadrupletConfig {
  margin: number;
  secondMargin: number;
  squared: boolean;
}

/** `Σ_k (x[i-th block]_k − x[j-th block]_k)²` within one row (`base`, `stride`) of `parts · dim` elements. */
function squaredDistance(x: FloatArray, base: number, stride: number, i: number, j: number, dim: number): number {
  let s = 0;
  for (let k = 0, a = base + i * dim * stride, b = base + j * dim * stride; k < dim; k++, a += stride, b += stride) {
    const e = x[a]! - x[b]!;
    s += e * e;
  }
  return s;
}

/** Length of the header of a {@link packLayout} layout: `[stride, dim]`. */
const LAYOUT_HEADER = 2;

/**
 * The layout of one rows pass in one `Int32Array`, so that the loops take only typed
 * arrays and numbers (src/losses/README.md): `[stride, dim, offsets…]`, with the stride of
 * yPred's last axis, the block size `dim` and the offset of each row (`rows.rows` of them).
 */
function packLayout(rows: Rows, dim: number): Int32Array {
  const layout = new Int32Array(LAYOUT_HEADER + rows.rows);
  layout[0] = rows.stride;
  layout[1] = dim;
  layout.set(rows.offsets, LAYOUT_HEADER);
  return layout;
}

/**
 * `g[block i] += c (x_i − x_j)`, `g[block j] −= c (x_i − x_j)` within the row of `x` at
 * `base` (stride and block size from `layout`, see {@link packLayout}); `g` is contiguous
 * with the row at `gBase`.
 */
function addPairGradient(x: FloatArray, layout: Int32Array, base: number, i: number, j: number, c: number, g: FloatArray, gBase: number): void {
  if (c === 0) return;
  const stride = layout[0]!, dim = layout[1]!;
  for (let k = 0, a = base + i * dim * stride, b = base + j * dim * stride; k < dim; k++, a += stride, b += stride) {
    const e = c * (x[a]! - x[b]!);
    g[gBase + i * dim + k] += e;
    g[gBase + j * dim + k] -= e;
  }
}

/**
 * `d distance / d squaredDistance` times the upstream `w`: `w` squared, `w / (2 d)` for the
 * Euclidean distance (as `c (x_i − x_j)` with `c = w / d`), and 0 at `d = 0`, where the
 * norm has no derivative (the subgradient 0, as `|x|'(0)`).
 */
function pairCoefficient(w: number, squared: boolean, d: number): number {
  if (w === 0) return 0;
  if (squared) return 2 * w;
  return d > 0 ? w / d : 0;
}

/** The rows of `yPred`, split into `parts` blocks of `dim` on the last axis (checked). */
function splitRows(yPred: Tensor, parts: number, lossName: string, layout: string) {
  if (yPred.rank < 1 || yPred.shape[yPred.rank - 1]! % parts !== 0 || yPred.shape[yPred.rank - 1] === 0) {
    throw new ShapeError(
      `${lossName}: yPred must hold ${layout} on its last axis (a positive multiple of ${parts}), received shape ${formatShape(yPred.shape)}`,
    );
  }
  const rows = rowsOf(yPred, -1);
  return { rows, dim: rows.length / parts };
}

/**
 * The triplet margin loss of every row into `out` (one per row), and with `withGrad` its
 * gradient times `u` into the contiguous `g`. `layout` from {@link packLayout}; `params`
 * is `[margin, squared (1 or 0), swap (1 or 0)]`.
 */
function tripletMarginRows(x: FloatArray, layout: Int32Array, params: Float64Array, out: FloatArray, u: FloatArray, g: FloatArray, withGrad: boolean): void {
  const stride = layout[0]!, dim = layout[1]!;
  const margin = params[0]!;
  const squared = params[1] === 1;
  const swap = params[2] === 1;
  const count = out.length;
  for (let r = 0; r < count; r++) {
    const base = layout[LAYOUT_HEADER + r]!;
    const sap = squaredDistance(x, base, stride, 0, 1, dim);
    const san = squaredDistance(x, base, stride, 0, 2, dim);
    const dap = squared ? sap : Math.sqrt(sap);
    const dan = squared ? san : Math.sqrt(san);
    let dn = dan;
    let spn = 0, dpn = 0;
    if (swap) {
      spn = squaredDistance(x, base, stride, 1, 2, dim);
      dpn = squared ? spn : Math.sqrt(spn);
      // Math.min keeps a NaN, as torch.min does.
      dn = Math.min(dan, dpn);
    }
    const hinge = dap - dn + margin;
    out[r] = Math.max(hinge, 0);
    if (!withGrad) continue;
    const gBase = r * 3 * dim;
    if (hinge !== hinge) {
      // Autodiff multiplies the (zero) upstream of a NaN hinge by NaN local derivatives.
      for (let k = 0; k < 3 * dim; k++) g[gBase + k] = NaN;
      continue;
    }
    // max(h, 0) passes the gradient at h = 0 (tf.maximum / torch.clamp_min).
    const w = hinge >= 0 ? u[r]! : 0;
    if (w === 0) continue;
    addPairGradient(x, layout, base, 0, 1, pairCoefficient(w, squared, dap), g, gBase);
    // min(d_an, d_pn): the smaller one takes the gradient; at a tie each takes half (torch.minimum).
    const toAn = !swap || dan < dpn ? 1 : dan === dpn ? 0.5 : 0;
    addPairGradient(x, layout, base, 0, 2, pairCoefficient(-w * toAn, squared, dan), g, gBase);
    if (swap) addPairGradient(x, layout, base, 1, 2, pairCoefficient(-w * (1 - toAn), squared, dpn), g, gBase);
  }
}

/**
 * The quadruplet loss of every row into `out`, and with `withGrad` its gradient times `u`
 * into the contiguous `g`. `layout` from {@link packLayout}; `params` is
 * `[margin, secondMargin, squared (1 or 0)]`.
 */
function quadrupletRows(x: FloatArray, layout: Int32Array, params: Float64Array, out: FloatArray, u: FloatArray, g: FloatArray, withGrad: boolean): void {
  const stride = layout[0]!, dim = layout[1]!;
  const margin = params[0]!;
  const secondMargin = params[1]!;
  const squared = params[2] === 1;
  const count = out.length;
  for (let r = 0; r < count; r++) {
    const base = layout[LAYOUT_HEADER + r]!;
    const sap = squaredDistance(x, base, stride, 0, 1, dim);
    const san = squaredDistance(x, base, stride, 0, 2, dim);
    const snn = squaredDistance(x, base, stride, 2, 3, dim);
    const dap = squared ? sap : Math.sqrt(sap);
    const dan = squared ? san : Math.sqrt(san);
    const dnn = squared ? snn : Math.sqrt(snn);
    const first = dap - dan + margin;
    const second = dap - dnn + secondMargin;
    out[r] = Math.max(first, 0) + Math.max(second, 0);
    if (!withGrad) continue;
    const gBase = r * 4 * dim;
    if (first !== first || second !== second) {
      for (let k = 0; k < 4 * dim; k++) g[gBase + k] = NaN;
      continue;
    }
    const w1 = first >= 0 ? u[r]! : 0;
    const w2 = second >= 0 ? u[r]! : 0;
    addPairGradient(x, layout, base, 0, 1, pairCoefficient(w1 + w2, squared, dap), g, gBase);
    addPairGradient(x, layout, base, 0, 2, pairCoefficient(-w1, squared, dan), g, gBase);
    addPairGradient(x, layout, base, 2, 3, pairCoefficient(-w2, squared, dnn), g, gBase);
  }
}

const NO_GRAD = /*#__PURE__*/ new Float64Array(0);

/**
 * The triplet margin loss over `[anchor | positive | negative]` embeddings side by side
 * on the last axis of `yPred` (the split `triplet_loss` of the Keras guides).
 *
 * With `a`, `p`, `n` the three blocks of `D = yPred.shape[-1] / 3` values of a sample and
 * `d(x, y) = ‖x − y‖₂` (`‖x − y‖₂²` with `squared`):
 * ```
 * loss = max(d(a, p) − d(a, n) + margin, 0)
 * swap: d(a, n) is replaced by min(d(a, n), d(p, n))   (the distance swap of Balntas et al.)
 * ```
 * `yTrue` is not used (pass anything, e.g. `0` or the labels). Per-sample values, reduced
 * over the last axis like every Keras handle. The Keras guide "Image similarity estimation
 * using a Siamese Network with a triplet loss" trains with `{ margin: 0.5, squared: true }`
 * (it reports the mean and differentiates the sum); the FaceNet-style
 * `triplet_loss(y_true, y_pred, alpha=0.2)` of the Coursera face-recognition assignment is
 * `{ margin: 0.2, squared: true }` with reduction `"sum"`. Without `squared` it is
 * PyTorch's `TripletMarginLoss` (p = 2) minus PyTorch's `eps = 1e-6` inside the norm.
 *
 * Gradient: through the distances into the three blocks; at a hinge of exactly 0 it
 * passes (tf.maximum/torch.clamp); a Euclidean distance of 0 contributes 0; with `swap`,
 * tied distances share it half and half (torch.minimum).
 *
 * Options: `margin` (default 1), `squared` (default false), `swap` (default false).
 * Shapes: `yPred` `[..., 3·D]`; result `yPred.shape[:-1]`.
 *
 * Reference: F. Schroff, D. Kalenichenko, J. Philbin, "FaceNet", CVPR 2015; V. Balntas,
 * E. Riba, D. Ponsa, K. Mikolajczyk, "Learning local feature descriptors with triplets and
 * shallow convolutional neural networks", BMVC 2016 (swap); PyTorch `TripletMarginLoss`.
 *
 * @example
 * // a = [1, 1], p = [2, 0], n = [1, 0] and a = [0, 0], p = [0, 1], n = [3, 4]
 * tripletMarginLoss(0, [[1, 1, 2, 0, 1, 0], [0, 0, 0, 1, 3, 4]], { margin: 1, squared: true }).toArray()
 * // [2, 0] (max(2 − 1 + 1, 0), max(1 − 25 + 1, 0))
 */
export const tripletMarginLoss = /*#__PURE__*/ defineLossFunction<TripletMarginConfig>({
  name: "triplet_margin_loss",
  defaults: { margin: 1, squared: false, swap: false },
  validate(options) {
    checkNumber("triplet_margin_loss", "margin", options.margin);
    checkBoolean("triplet_margin_loss", "squared", options.squared);
    checkBoolean("triplet_margin_loss", "swap", options.swap);
  },
  kernel(_yTrue, yPred, options, upstream) {
    const { rows, dim } = splitRows(yPred, 3, "triplet_margin_loss", "[anchor | positive | negative] embeddings");
    const margin = options.dtype === "float32" ? Math.fround(options.margin) : options.margin;
    const u = upstream?.(rows.outerShape);
    const out = allocate(options.dtype, rows.rows);
    const g = u ? allocate(options.dtype, yPred.size) : NO_GRAD;
    const params = Float64Array.of(margin, options.squared ? 1 : 0, options.swap ? 1 : 0);
    tripletMarginRows(rows.data, packLayout(rows, dim), params, out, u ?? NO_GRAD, g, u !== undefined);
    const values = new Tensor(out, rows.outerShape);
    return u ? { values, grad: new Tensor(g, yPred.shape) } : { values };
  },
});

/**
 * The quadruplet loss over `[anchor | positive | negative | negative2]` embeddings side by
 * side on the last axis of `yPred`.
 *
 * With the four blocks `a`, `p`, `n`, `n2` of `D = yPred.shape[-1] / 4` values (`n2` of
 * another class than `n`, usually than `a` too) and `d` the squared Euclidean distance
 * (Euclidean with `squared: false`):
 * ```
 * loss = max(d(a, p) − d(a, n) + margin, 0) + max(d(a, p) − d(n, n2) + secondMargin, 0)
 * ```
 * The second term asks the positive pair to be closer than a negative pair that shares no
 * sample with it (Chen et al.'s weaker second margin). `yTrue` is not used. Gradient as
 * {@link tripletMarginLoss}.
 *
 * Options: `margin` (default 1), `secondMargin` (default 0.5), `squared` (default true).
 * Shapes: `yPred` `[..., 4·D]`; result `yPred.shape[:-1]`.
 *
 * Reference: W. Chen, X. Chen, J. Zhang, K. Huang, "Beyond triplet loss: a deep quadruplet
 * network for person re-identification", CVPR 2017 (arXiv:1704.01719).
 *
 * @example
 * // a = [0, 0], p = [1, 0], n = [0, 1], n2 = [0, 2]: d(a,p) = 1, d(a,n) = 1, d(n,n2) = 1
 * quadrupletLoss(0, [[0, 0, 1, 0, 0, 1, 0, 2]]).toArray() // [1.5] (max(1 − 1 + 1, 0) + max(1 − 1 + 0.5, 0))
 */
export const quadrupletLoss = /*#__PURE__*/ defineLossFunction<QuadrupletConfig>({
  name: "quadruplet_loss",
  defaults: { margin: 1, secondMargin: 0.5, squared: true },
  validate(options) {
    checkNumber("quadruplet_loss", "margin", options.margin);
    checkNumber("quadruplet_loss", "secondMargin", options.secondMargin);
    checkBoolean("quadruplet_loss", "squared", options.squared);
  },
  kernel(_yTrue, yPred, options, upstream) {
    const { rows, dim } = splitRows(yPred, 4, "quadruplet_loss", "[anchor | positive | negative | negative2] embeddings");
    const cast = options.dtype === "float32" ? Math.fround : (v: number) => v;
    const u = upstream?.(rows.outerShape);
    const out = allocate(options.dtype, rows.rows);
    const g = u ? allocate(options.dtype, yPred.size) : NO_GRAD;
    const params = Float64Array.of(cast(options.margin), cast(options.secondMargin), options.squared ? 1 : 0);
    quadrupletRows(rows.data, packLayout(rows, dim), params, out, u ?? NO_GRAD, g, u !== undefined);
    const values = new Tensor(out, rows.outerShape);
    return u ? { values, grad: new Tensor(g, yPred.shape) } : { values };
  },
});

/** Options of {@link TripletMarginLoss}. */
export interface TripletMarginLossOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Margin of the hinge. Default 1. */
  margin?: number;
  /** Use squared Euclidean distances. Default false. */
  squared?: boolean;
  /** Use `min(d(a, n), d(p, n))` as the negative distance. Default false. */
  swap?: boolean;
}

/**
 * Computes the triplet margin loss of `[anchor | positive | negative]` embeddings.
 *
 * `max(d(a, p) − d(a, n) + margin, 0)` per sample; see {@link tripletMarginLoss}. For the
 * Keras Siamese-network guide use `{ margin: 0.5, squared: true }`; for the FaceNet
 * `triplet_loss(alpha=0.2)` use `{ margin: 0.2, squared: true, reduction: "sum" }`.
 *
 * Options: `margin` (default 1), `squared` (default false), `swap` (default false),
 * `reduction`, `name` (default `"triplet_margin_loss"`), `dtype`.
 *
 * Reference: Schroff et al., "FaceNet", CVPR 2015; PyTorch `TripletMarginLoss`.
 *
 * @example
 * // the FaceNet assignment's check: anchors [[1, 1], [2, 0]], positives [[0, 3], [1, 1]], negatives [[1, 0], [0, 1]], alpha 1
 * new TripletMarginLoss({ margin: 1, squared: true, reduction: "sum" })(0, [[1, 1, 0, 3, 1, 0], [2, 0, 1, 1, 0, 1]]) // 5
 */
export class TripletMarginLoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: TripletMarginLossOptions<R> = {}) {
    super(tripletMarginLoss, withDefaultName(options, "triplet_margin_loss"));
  }
}

/** Options of {@link QuadrupletLoss}. */
export interface QuadrupletLossOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Margin of the anchor-negative term. Default 1. */
  margin?: number;
  /** Margin of the negative-negative term. Default 0.5. */
  secondMargin?: number;
  /** Use squared Euclidean distances. Default true. */
  squared?: boolean;
}

/**
 * Computes the quadruplet loss of `[anchor | positive | negative | negative2]` embeddings.
 *
 * `max(d(a, p) − d(a, n) + margin, 0) + max(d(a, p) − d(n, n2) + secondMargin, 0)` per
 * sample; see {@link quadrupletLoss}.
 *
 * Options: `margin` (default 1), `secondMargin` (default 0.5), `squared` (default true),
 * `reduction`, `name` (default `"quadruplet_loss"`), `dtype`.
 *
 * Reference: Chen et al., "Beyond triplet loss: a deep quadruplet network for person
 * re-identification", CVPR 2017.
 *
 * @example
 * new QuadrupletLoss()(0, [[0, 0, 1, 0, 0, 1, 0, 2], [0, 0, 0, 1, 3, 0, 3, 4]]) // 0.75 (mean of 1.5 and 0)
 */
export class QuadrupletLoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: QuadrupletLossOptions<R> = {}) {
    super(quadrupletLoss, withDefaultName(options, "quadruplet_loss"));
  }
}
