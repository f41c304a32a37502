/**
 * Bounding-box regression losses: GIoU (TensorFlow Addons' `tfa.losses.GIoULoss`), DIoU and
 * CIoU (torchvision's `distance_box_iou_loss` / `complete_box_iou_loss`). Every box is
 * `[ymin, xmin, ymax, xmax]` on the last axis (TFA's order); yTrue and yPred broadcast
 * against each other, and each pair of boxes gives one value.
 */
import { ConfigError, InputError, ShapeError, describeValue, formatShape } from "../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { rowsOf } from "../tensor/rows";
import { Tensor, allocate, shapeSize, type DType, type FloatArray } from "../tensor/tensor";
import { sameShape } from "../math/constants";
import { broadcastTo, tryBroadcastShapes } from "../tensor/views";
import { defineLossFunction, type KernelOptions } from "./define";

/** torchvision's `eps` of `distance_box_iou_loss` and `complete_box_iou_loss`. */
const BOX_EPSILON = 1e-7;

/**
 * One tensor's boxes: box `r` starts at `offsets[r]` (any layout), or, when `offsets` is null
 * (contiguous inputs of the broadcast shape, the common case), at `base + 4 r`; its
 * coordinates are `stride` apart.
 */
interface BoxRows {
  data: FloatArray;
  offsets: Int32Array | null;
  base: number;
  stride: number;
}

/** yTrue and yPred broadcast together, as boxes (and the gradient buffer, seen the same way). */
interface BoxPairs {
  t: BoxRows;
  p: BoxRows;
  /** Number of box pairs. */
  rows: number;
  /** Shape of the values: the broadcast shape without the coordinate axis. */
  outShape: number[];
  g?: BoxRows;
  grad?: Tensor;
}

function boxRows(x: Tensor, shape: readonly number[], name: string): BoxRows {
  if (x.isContiguous && sameShape(x.shape, shape)) return { data: x.data, offsets: null, base: x.offset, stride: 1 };
  const rows = rowsOf(broadcastTo(x, shape, name), -1);
  return { data: rows.data, offsets: rows.offsets, base: 0, stride: rows.stride };
}

function boxPairs(lossName: string, yTrue: Tensor, yPred: Tensor, gradDtype?: DType): BoxPairs {
  for (const [x, name] of [[yTrue, "yTrue"], [yPred, "yPred"]] as const) {
    if (x.rank === 0 || x.shape[x.rank - 1] !== 4) {
      throw new ShapeError(`${lossName}: ${name} must hold boxes [ymin, xmin, ymax, xmax] on its last axis (shape [..., 4]), received shape ${formatShape(x.shape)}`);
    }
  }
  const shape = tryBroadcastShapes(yTrue.shape, yPred.shape);
  if (!shape) throw new ShapeError(`${lossName}: yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected shapes that broadcast together`);
  const outShape = shape.slice(0, -1);
  const rows = shapeSize(outShape);
  const t = boxRows(yTrue, shape, "yTrue"), p = boxRows(yPred, shape, "yPred");
  if (!gradDtype) return { t, p, rows, outShape };
  const grad = new Tensor(allocate(gradDtype, yPred.size), yPred.shape);
  return { t, p, rows, outShape, g: boxRows(grad, shape, "yPred"), grad };
}

/** Length of the header of a packed box layout (see {@link packBoxes}). */
const BOX_HEADER = 9;

/**
 * The boxes of one pass packed into one `Int32Array`, as `packRows` packs rows (loops take
 * only typed arrays and numbers, see ./README.md):
 * `[tBase, tStride, tIndexed, pBase, pStride, pIndexed, gBase, gStride, gIndexed, tOffsets…, pOffsets…, gOffsets…]`.
 * A tensor with `indexed` 1 has `rows` offsets after the header (in the order yTrue, yPred,
 * gradient); one with `indexed` 0 has none, and box `r` starts at `base + 4 r`.
 */
function packBoxes(rows: number, t: BoxRows, p: BoxRows, g?: BoxRows): Int32Array {
  const parts = [t, p, g];
  let size = BOX_HEADER;
  for (const x of parts) if (x && x.offsets) size += rows;
  const layout = new Int32Array(size);
  let at = BOX_HEADER;
  for (let i = 0; i < 3; i++) {
    const x = parts[i];
    if (!x) continue;
    layout[3 * i] = x.base;
    layout[3 * i + 1] = x.stride;
    if (x.offsets) {
      layout[3 * i + 2] = 1;
      layout.set(x.offsets, at);
      at += rows;
    }
  }
  return layout;
}

// ---------------------------------------------------------------------------------------
// GIoU (TensorFlow Addons)
// ---------------------------------------------------------------------------------------

/** `"giou"` (default) or `"iou"`. */
export type GIoUMode = "giou" | "iou";

/** Options of {@link giouLoss} and {@link GIoULoss}. */
export interface GIoULossConfig {
  /** `"giou"` (default): `1 - GIoU`; `"iou"`: `1 - IoU`. Case-sensitive, as in TFA. */
  mode: GIoUMode;
}

export interface GIoULossOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<GIoULossConfig> {}

function giouKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<GIoULossConfig>, upstream?: Upstream): KernelResult {
  const { t, p, g, grad, rows, outShape } = boxPairs("giou_loss", yTrue, yPred, upstream && o.dtype);
  // TFA's tf.squeeze drops every axis of size 1 (a [1, 4] pair gives a scalar); the C order of the values does not change.
  const shape = outShape.filter((d) => d !== 1);
  const u = upstream ? upstream(shape) : null;
  const out = allocate(o.dtype, rows);
  giouRows(out, g ? g.data : null, u, t.data, p.data, packBoxes(rows, t, p, g), Float64Array.of(o.mode === "iou" ? 1 : 0));
  return { values: new Tensor(out, shape), grad };
}

/**
 * TFA's `_calculate_giou(y_pred, y_true)` per pair, and its gradient with TensorFlow's tie
 * rules: `maximum(a, b)` passes the gradient to `a` when `a >= b`, `minimum(a, b)` when
 * `a <= b`, so a width `maximum(0, w)` passes it only when `w > 0`; `divide_no_nan(x, y)`
 * has no gradient where `y = 0`. `layout` from {@link packBoxes}, `params` = `[iouOnly (1/0)]`.
 */
function giouRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const tBase = layout[0]!, ts = layout[1]!, tIndexed = layout[2] === 1;
  const pBase = layout[3]!, ps = layout[4]!, pIndexed = layout[5] === 1;
  const gBase = layout[6]!, gs = layout[7]!, gIndexed = layout[8] === 1;
  const iouOnly = params[0] === 1;
  const rows = out.length;
  const T = BOX_HEADER, P = T + (tIndexed ? rows : 0), G = P + (pIndexed ? rows : 0);
  for (let r = 0; r < rows; r++) {
    const to = tIndexed ? layout[T + r]! : tBase + 4 * r, po = pIndexed ? layout[P + r]! : pBase + 4 * r;
    const y1 = pd[po]!, x1 = pd[po + ps]!, y2 = pd[po + 2 * ps]!, x2 = pd[po + 3 * ps]!;
    const Y1 = td[to]!, X1 = td[to + ts]!, Y2 = td[to + 2 * ts]!, X2 = td[to + 3 * ts]!;
    // Math.max/min: no data-dependent branches, and NaN stays NaN. The tie rules only matter
    // for the gradient, which compares the coordinates itself.
    const wRaw = x2 - x1, hRaw = y2 - y1;
    const w1 = Math.max(0, wRaw), h1 = Math.max(0, hRaw);
    const w2 = Math.max(0, X2 - X1), h2 = Math.max(0, Y2 - Y1);
    const iwRaw = Math.min(x2, X2) - Math.max(x1, X1), ihRaw = Math.min(y2, Y2) - Math.max(y1, Y1);
    const iw = Math.max(0, iwRaw), ih = Math.max(0, ihRaw);
    const inter = iw * ih;
    const union = w1 * h1 + w2 * h2 - inter;
    const iou = union === 0 ? 0 : inter / union;
    let loss = 1 - iou;
    let ew = 0, eh = 0, ewRaw = 0, ehRaw = 0, enclose = 0;
    if (!iouOnly) {
      ewRaw = Math.max(x2, X2) - Math.min(x1, X1);
      ehRaw = Math.max(y2, Y2) - Math.min(y1, Y1);
      ew = Math.max(0, ewRaw);
      eh = Math.max(0, ehRaw);
      enclose = ew * eh;
      // giou = iou - divide_no_nan(E - U, E)
      loss += enclose === 0 ? 0 : (enclose - union) / enclose;
    }
    out[r] = loss;
    if (!gd) continue;
    const up = u![r]!;
    // dL/dU and dL/dI through iou = I / U (0 where U = 0) and the enclosure term (E - U) / E.
    let dUnion = union === 0 ? 0 : (up * inter) / (union * union);
    let dInter = union === 0 ? 0 : -up / union;
    let dEnclose = 0;
    if (!iouOnly && enclose !== 0) {
      dUnion -= up / enclose;
      dEnclose = (up * union) / (enclose * enclose);
    }
    dInter -= dUnion; // U = A1 + A2 - I
    let gy1 = 0, gx1 = 0, gy2 = 0, gx2 = 0;
    // A1 = max(0, x2 - x1) max(0, y2 - y1)
    if (wRaw > 0) {
      gx2 += dUnion * h1;
      gx1 -= dUnion * h1;
    }
    if (hRaw > 0) {
      gy2 += dUnion * w1;
      gy1 -= dUnion * w1;
    }
    // I = max(0, min(x2, X2) - max(x1, X1)) · max(0, min(y2, Y2) - max(y1, Y1))
    if (iwRaw > 0) {
      const d = dInter * ih;
      if (x2 <= X2) gx2 += d;
      if (x1 >= X1) gx1 -= d;
    }
    if (ihRaw > 0) {
      const d = dInter * iw;
      if (y2 <= Y2) gy2 += d;
      if (y1 >= Y1) gy1 -= d;
    }
    // E = max(0, max(x2, X2) - min(x1, X1)) · max(0, max(y2, Y2) - min(y1, Y1))
    if (dEnclose !== 0) {
      if (ewRaw > 0) {
        const d = dEnclose * eh;
        if (x2 >= X2) gx2 += d;
        if (x1 <= X1) gx1 -= d;
      }
      if (ehRaw > 0) {
        const d = dEnclose * ew;
        if (y2 >= Y2) gy2 += d;
        if (y1 <= Y1) gy1 -= d;
      }
    }
    const go = gIndexed ? layout[G + r]! : gBase + 4 * r;
    gd[go] += gy1;
    gd[go + gs] += gx1;
    gd[go + 2 * gs] += gy2;
    gd[go + 3 * gs] += gx2;
  }
}

/**
 * Generalized IoU loss of box pairs, as TensorFlow Addons computes it.
 *
 * ```
 * IoU  = I / U                       (divide_no_nan: 0 when U = 0)
 * GIoU = IoU - (E - U) / E           (divide_no_nan: 0 when E = 0; E the smallest enclosing box)
 * loss = 1 - GIoU                    (mode "giou"),   1 - IoU   (mode "iou")
 * ```
 * Boxes are `[ymin, xmin, ymax, xmax]`; widths and heights are clamped at 0
 * (`max(0, xmax - xmin)`), so degenerate or inverted boxes give a finite loss. Values lie in
 * `[0, 2]` (`[0, 1]` for `"iou"`).
 *
 * TFA's quirks kept: its `tf.squeeze` drops **every** axis of size 1 from the result (one
 * pair `[4]` or `[1, 4]` gives a scalar, `[2, 1, 4]` gives `[2]`); the `mode` check is
 * case-sensitive.
 *
 * Gradient: through TensorFlow's tie rules (`maximum` to its first argument on ties, `0` for
 * a clamped width, none through `divide_no_nan` at a zero denominator).
 *
 * Options: `mode` (default `"giou"`).
 *
 * Shapes: `yTrue` and `yPred` `[..., 4]`, broadcast together; result: the broadcast shape
 * without the last axis and without axes of size 1.
 *
 * Reference: H. Rezatofighi et al., "Generalized Intersection over Union: A Metric and A Loss
 * for Bounding Box Regression", CVPR 2019, https://giou.stanford.edu/GIoU.pdf;
 * TensorFlow Addons `tfa.losses.giou_loss`.
 *
 * @example
 * giouLoss([[4, 3, 7, 5], [5, 6, 10, 7]], [[3, 4, 6, 8], [14, 14, 15, 15]]).toArray() // [1.075, 1.9333333]
 */
export const giouLoss = /*#__PURE__*/ defineLossFunction<GIoULossConfig>({
  name: "giou_loss",
  defaults: { mode: "giou" },
  validate(o) {
    if (o.mode !== "giou" && o.mode !== "iou") throw new ConfigError(`giou_loss: Value of mode should be 'iou' or 'giou' (case-sensitive), received ${describeValue(o.mode)}`);
  },
  kernel: giouKernel,
});

/**
 * Implements the GIoU loss function (`tfa.losses.GIoULoss`): `1 - GIoU` (or `1 - IoU` with
 * `mode: "iou"`) of each pair of `[ymin, xmin, ymax, xmax]` boxes; see {@link giouLoss} for
 * the formula and TFA's quirks.
 *
 * Options: `mode` (default `"giou"`), `reduction` (default `"sum_over_batch_size"`, TFA's
 * `AUTO`), `name` (default `"giou_loss"`), `dtype`.
 *
 * Reference: Rezatofighi et al., CVPR 2019, https://giou.stanford.edu/GIoU.pdf
 *
 * @example
 * new GIoULoss()([[4, 3, 7, 5], [5, 6, 10, 7]], [[3, 4, 6, 8], [14, 14, 15, 15]]) // 1.5041667
 */
export class GIoULoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: GIoULossOptions<R> = {}) {
    super(giouLoss, withDefaultName(options, "giou_loss"));
  }
}

// ---------------------------------------------------------------------------------------
// DIoU and CIoU (torchvision)
// ---------------------------------------------------------------------------------------

function distanceKernel(lossName: string, complete: boolean, yTrue: Tensor, yPred: Tensor, dtype: DType, upstream?: Upstream): KernelResult {
  const { t, p, g, grad, rows, outShape } = boxPairs(lossName, yTrue, yPred, upstream && dtype);
  const u = upstream ? upstream(outShape) : null;
  const out = allocate(dtype, rows);
  const eps = dtype === "float32" ? Math.fround(BOX_EPSILON) : BOX_EPSILON;
  const bad = distanceRows(out, g ? g.data : null, u, t.data, p.data, packBoxes(rows, t, p, g), Float64Array.of(eps, complete ? 1 : 0));
  if (bad >= 0) {
    const name = bad % 2 === 1 ? "yPred" : "yTrue";
    throw new InputError(
      `${lossName}: ${name} has an inverted box at pair ${bad >> 1} (flat index over the broadcast pairs); boxes must be [ymin, xmin, ymax, xmax] with ymin <= ymax and xmin <= xmax`,
    );
  }
  return { values: new Tensor(out, outShape), grad };
}

/**
 * torchvision's `_diou_iou_loss(boxes1 = yPred, boxes2 = yTrue)` per pair, plus CIoU's
 * aspect-ratio term when `complete`, and their gradients with PyTorch's tie rule
 * (`maximum`/`minimum` split the gradient in half between equal arguments). Returns -1, or
 * `2 · pair + (1 for yPred, 0 for yTrue)` of the first inverted box. `layout` from
 * {@link packBoxes}, `params` = `[ε, complete (1/0)]`.
 */
function distanceRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): number {
  const tBase = layout[0]!, ts = layout[1]!, tIndexed = layout[2] === 1;
  const pBase = layout[3]!, ps = layout[4]!, pIndexed = layout[5] === 1;
  const gBase = layout[6]!, gs = layout[7]!, gIndexed = layout[8] === 1;
  const eps = params[0]!;
  const complete = params[1] === 1;
  const k = 4 / (Math.PI * Math.PI);
  const rows = out.length;
  const T = BOX_HEADER, P = T + (tIndexed ? rows : 0), G = P + (pIndexed ? rows : 0);
  for (let r = 0; r < rows; r++) {
    const to = tIndexed ? layout[T + r]! : tBase + 4 * r, po = pIndexed ? layout[P + r]! : pBase + 4 * r;
    const y1 = pd[po]!, x1 = pd[po + ps]!, y2 = pd[po + 2 * ps]!, x2 = pd[po + 3 * ps]!;
    const Y1 = td[to]!, X1 = td[to + ts]!, Y2 = td[to + 2 * ts]!, X2 = td[to + 3 * ts]!;
    if (Y2 < Y1 || X2 < X1) return 2 * r;
    if (y2 < y1 || x2 < x1) return 2 * r + 1;
    // Intersection: only a strictly positive overlap counts (torchvision's mask).
    const ix1 = Math.max(x1, X1), iy1 = Math.max(y1, Y1), ix2 = Math.min(x2, X2), iy2 = Math.min(y2, Y2);
    const overlaps = iy2 > iy1 && ix2 > ix1;
    const iw = ix2 - ix1, ih = iy2 - iy1;
    const inter = overlaps ? iw * ih : 0;
    const wp = x2 - x1, hp = y2 - y1, wt = X2 - X1, ht = Y2 - Y1;
    const unionEps = wp * hp + wt * ht - inter + eps;
    const iou = inter / unionEps;
    // Smallest enclosing box: squared diagonal (+ eps); squared distance of the centres.
    const cx1 = Math.min(x1, X1), cy1 = Math.min(y1, Y1), cx2 = Math.max(x2, X2), cy2 = Math.max(y2, Y2);
    const cw = cx2 - cx1, ch = cy2 - cy1;
    const diagonal = cw * cw + ch * ch + eps;
    const dx = 0.5 * (x1 + x2) - 0.5 * (X1 + X2), dy = 0.5 * (y1 + y2) - 0.5 * (Y1 + Y2);
    const distance = dx * dx + dy * dy;
    let loss = 1 - iou + distance / diagonal;
    let alpha = 0, dAngle = 0;
    if (complete) {
      // v = 4/π² (atan(wt/ht) - atan(wp/hp))², α = v / (1 - iou + v + eps) taken as a constant (torch.no_grad)
      dAngle = Math.atan(wt / ht) - Math.atan(wp / hp);
      const v = k * dAngle * dAngle;
      alpha = v / (1 - iou + v + eps);
      loss += alpha * v;
    }
    out[r] = loss;
    if (!gd) continue;
    const up = u![r]!;
    // iou = I / (U + eps), U = Ap + At - I
    const dUnion = (up * inter) / (unionEps * unionEps);
    const dInter = -up / unionEps - dUnion;
    let gy1 = -dUnion * wp, gx1 = -dUnion * hp, gy2 = dUnion * wp, gx2 = dUnion * hp;
    if (overlaps) {
      const dw = dInter * ih, dh = dInter * iw;
      // ix2 = min(x2, X2), ix1 = max(x1, X1): half the gradient on ties
      gx2 += x2 < X2 ? dw : x2 === X2 ? 0.5 * dw : 0;
      gx1 -= x1 > X1 ? dw : x1 === X1 ? 0.5 * dw : 0;
      gy2 += y2 < Y2 ? dh : y2 === Y2 ? 0.5 * dh : 0;
      gy1 -= y1 > Y1 ? dh : y1 === Y1 ? 0.5 * dh : 0;
    }
    // distance / diagonal
    const dDistance = up / diagonal, dDiagonal = (-up * distance) / (diagonal * diagonal);
    gx1 += dDistance * dx;
    gx2 += dDistance * dx;
    gy1 += dDistance * dy;
    gy2 += dDistance * dy;
    const dcw = 2 * dDiagonal * cw, dch = 2 * dDiagonal * ch;
    gx2 += x2 > X2 ? dcw : x2 === X2 ? 0.5 * dcw : 0;
    gx1 -= x1 < X1 ? dcw : x1 === X1 ? 0.5 * dcw : 0;
    gy2 += y2 > Y2 ? dch : y2 === Y2 ? 0.5 * dch : 0;
    gy1 -= y1 < Y1 ? dch : y1 === Y1 ? 0.5 * dch : 0;
    if (complete) {
      // α v with α constant: d/dwp = -α · 2k (at - ap) · hp / (wp² + hp²), d/dhp = α · 2k (at - ap) · wp / (wp² + hp²)
      const s = (up * alpha * 2 * k * dAngle) / (wp * wp + hp * hp);
      const dwp = -s * hp, dhp = s * wp;
      gx2 += dwp;
      gx1 -= dwp;
      gy2 += dhp;
      gy1 -= dhp;
    }
    const go = gIndexed ? layout[G + r]! : gBase + 4 * r;
    gd[go] += gy1;
    gd[go + gs] += gx1;
    gd[go + 2 * gs] += gy2;
    gd[go + 3 * gs] += gx2;
  }
  return -1;
}

/**
 * Distance-IoU loss of box pairs, as torchvision computes it (`distance_box_iou_loss`):
 * the IoU loss plus the squared distance of the box centres over the squared diagonal of the
 * smallest enclosing box.
 *
 * ```
 * I    = (min(x2, X2) - max(x1, X1)) (min(y2, Y2) - max(y1, Y1))  if both are > 0, else 0
 * IoU  = I / (Ap + At - I + ε)
 * loss = 1 - IoU + ρ²(centres) / (c_w² + c_h² + ε)                  ε = 1e-7
 * ```
 * Boxes are `[ymin, xmin, ymax, xmax]` (the loss is symmetric in x and y, so torchvision's
 * numbers carry over from its `(x1, y1, x2, y2)` order); widths are not clamped, only a
 * strictly positive overlap counts, and ε enters both the union and the diagonal, as in
 * torchvision. An inverted box (`ymax < ymin` or `xmax < xmin`) is an `InputError`.
 *
 * Gradient: PyTorch's, ties of `max`/`min` split in half.
 *
 * Shapes: `yTrue` and `yPred` `[..., 4]`, broadcast together; result: the broadcast shape
 * without the last axis.
 *
 * Reference: Z. Zheng et al., "Distance-IoU Loss: Faster and Better Learning for Bounding Box
 * Regression", AAAI 2020, https://arxiv.org/abs/1911.08287; torchvision
 * `torchvision.ops.distance_box_iou_loss`.
 *
 * @example
 * diouLoss([[-1, -1, 1, 1], [0, 0, 1, 1]], [[0, 0, 1, 1], [1, 1, 2, 2]]).toArray() // [0.8125, 1.25]
 */
export const diouLoss = /*#__PURE__*/ defineLossFunction({
  name: "diou_loss",
  defaults: {},
  kernel: (yTrue, yPred, o, upstream) => distanceKernel("diou_loss", false, yTrue, yPred, o.dtype, upstream),
});

/**
 * Complete-IoU loss of box pairs, as torchvision computes it (`complete_box_iou_loss`): the
 * {@link diouLoss} plus an aspect-ratio term.
 *
 * ```
 * v    = 4/π² (atan(wt / ht) - atan(wp / hp))²
 * α    = v / (1 - IoU + v + ε)             a constant in the gradient (torch.no_grad)
 * loss = 1 - IoU + ρ² / c² + α v           ε = 1e-7
 * ```
 * with `w = xmax - xmin`, `h = ymax - ymin` of the true (`t`) and predicted (`p`) boxes.
 * Boxes are `[ymin, xmin, ymax, xmax]` (v is unchanged by swapping x and y, so torchvision's
 * numbers carry over). A box of zero width and height has `atan(0/0) = NaN`, as in
 * torchvision; an inverted box is an `InputError`.
 *
 * Gradient: PyTorch's, with α held constant.
 *
 * Shapes: as {@link diouLoss}.
 *
 * Reference: Z. Zheng et al., "Distance-IoU Loss", AAAI 2020, https://arxiv.org/abs/1911.08287;
 * torchvision `torchvision.ops.complete_box_iou_loss`.
 *
 * @example
 * ciouLoss([[-1, -1, 1, 1], [-1, -1, 1, 1]], [[0, 0, 1, 1], [0, 1, 1, 2]]).toArray() // [0.8125, 1.1923077]
 */
export const ciouLoss = /*#__PURE__*/ defineLossFunction({
  name: "ciou_loss",
  defaults: {},
  kernel: (yTrue, yPred, o, upstream) => distanceKernel("ciou_loss", true, yTrue, yPred, o.dtype, upstream),
});

/** Options of {@link DIoULoss}: `reduction`, `name`, `dtype`. */
export type DIoULossOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Distance-IoU loss (torchvision's `distance_box_iou_loss`) of `[ymin, xmin, ymax, xmax]`
 * box pairs: `1 - IoU + ρ²(centres) / c²`; see {@link diouLoss}.
 *
 * Options: `reduction` (default `"sum_over_batch_size"`, torchvision's `"mean"`), `name`
 * (default `"diou_loss"`), `dtype`.
 *
 * Reference: Zheng et al., AAAI 2020, https://arxiv.org/abs/1911.08287
 *
 * @example
 * new DIoULoss()([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, 1, 1, 2], [1, 1, 2, 2]]) // 1.225
 */
export class DIoULoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: DIoULossOptions<R> = {}) {
    super(diouLoss, withDefaultName(options, "diou_loss"));
  }
}

/** Options of {@link CIoULoss}: `reduction`, `name`, `dtype`. */
export type CIoULossOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * Complete-IoU loss (torchvision's `complete_box_iou_loss`) of `[ymin, xmin, ymax, xmax]`
 * box pairs: `1 - IoU + ρ²/c² + α v`; see {@link ciouLoss}.
 *
 * Options: `reduction` (default `"sum_over_batch_size"`, torchvision's `"mean"`), `name`
 * (default `"ciou_loss"`), `dtype`.
 *
 * Reference: Zheng et al., AAAI 2020, https://arxiv.org/abs/1911.08287
 *
 * @example
 * new CIoULoss()([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, 1, 1, 2], [1, 1, 2, 2]]) // 1.225
 */
export class CIoULoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CIoULossOptions<R> = {}) {
    super(ciouLoss, withDefaultName(options, "ciou_loss"));
  }
}
