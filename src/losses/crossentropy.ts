/**
 * Crossentropy losses: binary, categorical, sparse categorical, and their focal variants.
 *
 * Every kernel follows the computation of Keras 3 on its TensorFlow backend
 * (`keras/src/losses/losses.py` on top of `keras/src/backend/tensorflow/nn.py`): probabilities
 * are clipped to `[ε, 1 - ε]` with `ε = 1e-7` (as float32 constants for float32 tensors), logits
 * go through log-sum-exp and softplus, and gradients are those of exactly that computation:
 * zero through clipped positions (TensorFlow's `clip_by_value` passes the gradient only inside
 * `[min, max]`). Each loss has a fused value-and-gradient kernel that `valueAndGrad` uses.
 *
 * Float32 losses compute their exponentials and logarithms with the float32-accurate
 * `expf`/`logf`/`log1pUnitf` of `../math/fastmath` (2-4x faster than `Math.*`, within 1e-11
 * relative); float64 losses use `Math.*`. The loops live in "rows" functions that take only
 * typed arrays and numbers (see {@link bceLogitsRows}).
 */
import { ConfigError, InputError, ShapeError, describeValue, formatShape } from "../errors";
import { LossFunctionWrapper, type ForwardBackward, type LossOptions, type UpstreamFor } from "../loss";
import { squeezeOrExpandToSameRank } from "../reduction/rank";
import { elementOffsets, rowsOf, type Rows } from "../tensor/rows";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { normalizeAxis, squeeze, tryBroadcastShapes } from "../tensor/views";
import { checkBoolean, checkNumber, defineLossFunction, type KernelOptions } from "./define";
import { checkUpstream, pairRows, type PairRows } from "./layout";
import { expf, log1pUnitf, logf } from "../math/fastmath";
import type { LossEntry } from "../registry";

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** Keras's `backend.epsilon()`. */
const EPSILON = 1e-7;
// In float32, Keras's clip bounds are float32 numbers: 1 - 1e-7 becomes 0.99999988, and
// 1 - 0.99999988 = 1.1920929e-7 is what log(1 - p) sees for a prediction of 1.
const EPSILON_F32 = Math.fround(EPSILON);
const ONE_MINUS_EPSILON_F32 = Math.fround(1 - EPSILON);

function clipLow(dtype: DType): number {
  return dtype === "float32" ? EPSILON_F32 : EPSILON;
}

function clipHigh(dtype: DType): number {
  return dtype === "float32" ? ONE_MINUS_EPSILON_F32 : 1 - EPSILON;
}

/** The upstream of `backward` handed to a fused kernel, which checks its shape. */
function fixedUpstream(upstream: Tensor): UpstreamFor {
  return () => upstream;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Rows for the losses whose backend op demands equal shapes (`ops.binary_crossentropy`,
 * `ops.categorical_crossentropy`): Keras's `squeeze_or_expand_to_same_rank`, then no
 * broadcasting. Without broadcasting every gradient position is visited once, so these
 * kernels assign (`gd[go] = …`) instead of accumulating.
 */
function sameShapeRows(lossName: string, yTrue: Tensor, yPred: Tensor, axis: number, gradDtype?: DType): PairRows {
  const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
  if (!sameShape(t.shape, p.shape)) {
    throw new ShapeError(
      `${lossName}: yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected the same shape ` +
        `(up to a trailing dimension of size 1)`,
    );
  }
  return pairRows(yTrue, yPred, axis, gradDtype);
}

/**
 * Rows for the categorical focal loss, which Keras writes with broadcasting elementwise ops:
 * yTrue and yPred may broadcast along the other axes, but must agree along the class axis
 * (Keras renormalizes yPred along that axis before broadcasting, so a broadcast class axis
 * would not mean the same thing).
 */
function classAxisRows(lossName: string, yTrue: Tensor, yPred: Tensor, axis: number, gradDtype?: DType): PairRows {
  const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
  const shape = tryBroadcastShapes(t.shape, p.shape);
  const mismatch = () =>
    new ShapeError(
      `${lossName}: yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected shapes that broadcast ` +
        `together with the same number of classes along axis ${axis}`,
    );
  if (!shape) throw mismatch();
  const a = normalizeAxis(axis, shape.length);
  const dimOf = (x: Tensor) => x.shape[a - (shape.length - x.rank)] ?? 1;
  if (dimOf(t) !== dimOf(p)) throw mismatch();
  return pairRows(yTrue, yPred, axis, gradDtype);
}

/** `ConfigError` unless `labelSmoothing` is a number in [0, 1]. */
function checkLabelSmoothing(lossName: string, value: unknown): void {
  checkNumber(lossName, "labelSmoothing", value, { min: 0, max: 1 });
}

function checkAxis(lossName: string, value: unknown): void {
  checkNumber(lossName, "axis", value, { integer: true });
}

/** `x^e` for the focal factors, with the usual exponents (gamma = 2, and 1 in its derivative) as products. */
function power(x: number, e: number): number {
  return e === 2 ? x * x : e === 1 ? x : Math.pow(x, e);
}

// ---------------------------------------------------------------------------------------------
// Binary crossentropy

/** Options of {@link binaryCrossentropy} and {@link BinaryCrossentropy}. */
export interface BinaryCrossentropyConfig {
  /** Whether `yPred` holds logits (any real number) rather than probabilities in [0, 1]. Default `false`. */
  fromLogits: boolean;
  /** In [0, 1]: labels become `yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing`. Default `0`. */
  labelSmoothing: number;
  /** The axis the mean is taken over. Default `-1`. */
  axis: number;
}

export interface BinaryCrossentropyOptions extends LossOptions, Partial<BinaryCrossentropyConfig> {}

function binaryCrossentropyForward(yTrue: Tensor, yPred: Tensor, o: KernelOptions<BinaryCrossentropyConfig>): Tensor {
  const { t, p, outShape } = sameShapeRows("binary_crossentropy", yTrue, yPred, o.axis);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = 0.5 * o.labelSmoothing;
  if (o.fromLogits) bceLogitsRows(f32, out, t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift);
  else bceProbabilityRows(f32, out, t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift, clipLow(o.dtype), clipHigh(o.dtype));
  return new Tensor(out, outShape);
}

function binaryCrossentropyFused(yTrue: Tensor, yPred: Tensor, upstreamFor: UpstreamFor, o: KernelOptions<BinaryCrossentropyConfig>): ForwardBackward {
  const { t, p, g, grad, outShape } = sameShapeRows("binary_crossentropy", yTrue, yPred, o.axis, o.dtype);
  const u = checkUpstream(upstreamFor(outShape), outShape);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = 0.5 * o.labelSmoothing;
  if (o.fromLogits) {
    bceLogitsGradRows(f32, out, g!.data, g!.offsets, g!.stride, u, t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift);
  } else {
    bceProbabilityGradRows(f32, out, g!.data, g!.offsets, g!.stride, u, t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift, clipLow(o.dtype), clipHigh(o.dtype));
  }
  return { values: new Tensor(out, outShape), grad: grad! };
}

// The loops of the kernels ("rows" functions) take only typed arrays and numbers, never the
// options or layout objects: V8 embeds the maps of the objects a function reads in its
// optimized code, and the maps of per-call objects die in a full GC, which throws the code
// away (the next call starts over in the interpreter and on-stack-replaced code). Each has a
// float32 loop with the ../math/fastmath functions and a float64 loop with Math.*, both
// calling their functions directly (V8 inlines a direct call; through a parameter it inlines
// too, but its on-stack-replaced code then runs ~2x slower). `keep = +keep` makes a numeric
// parameter a raw double once, not at every use in the loop.

/** sigmoid_cross_entropy_with_logits, averaged over each row: max(x, 0) - x z + log(1 + e^{-|x|}). */
function bceLogitsRows(
  f32: boolean, out: FloatArray, td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
  keep: number, shift: number,
): void {
  keep = +keep;
  shift = +shift;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      let to = tOffsets[r]!, po = pOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const x = pd[po]!, z = td[to]! * keep + shift;
        sum += (x > 0 ? x : 0) - x * z + log1pUnitf(expf(-Math.abs(x)));
      }
      out[r] = sum / n;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      let to = tOffsets[r]!, po = pOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const x = pd[po]!, z = td[to]! * keep + shift;
        sum += (x > 0 ? x : 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
      }
      out[r] = sum / n;
    }
  }
}

/** {@link bceLogitsRows} and its gradient `scale (sigmoid(x) - z)`, sigmoid from e^{-|x|} so it never overflows. */
function bceLogitsGradRows(
  f32: boolean, out: FloatArray, gd: FloatArray, gOffsets: Int32Array, gs: number, u: FloatArray,
  td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number, keep: number, shift: number,
): void {
  keep = +keep;
  shift = +shift;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = tOffsets[r]!, po = pOffsets[r]!, go = gOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const x = pd[po]!, z = td[to]! * keep + shift;
        const e = expf(-Math.abs(x));
        sum += (x > 0 ? x : 0) - x * z + log1pUnitf(e);
        gd[go] = scale * ((x >= 0 ? 1 / (1 + e) : e / (1 + e)) - z);
      }
      out[r] = sum / n;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = tOffsets[r]!, po = pOffsets[r]!, go = gOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const x = pd[po]!, z = td[to]! * keep + shift;
        const e = Math.exp(-Math.abs(x));
        sum += (x > 0 ? x : 0) - x * z + Math.log1p(e);
        gd[go] = scale * ((x >= 0 ? 1 / (1 + e) : e / (1 + e)) - z);
      }
      out[r] = sum / n;
    }
  }
}

/** -(z log c + (1 - z) log(1 - c)) with c = clip(p, lo, hi), averaged over each row. */
function bceProbabilityRows(
  f32: boolean, out: FloatArray, td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
  keep: number, shift: number, lo: number, hi: number,
): void {
  keep = +keep;
  shift = +shift;
  lo = +lo;
  hi = +hi;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      let to = tOffsets[r]!, po = pOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const z = td[to]! * keep + shift, c = Math.min(Math.max(pd[po]!, lo), hi);
        sum -= z * logf(c) + (1 - z) * logf(1 - c);
      }
      out[r] = sum / n;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      let to = tOffsets[r]!, po = pOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const z = td[to]! * keep + shift, c = Math.min(Math.max(pd[po]!, lo), hi);
        sum -= z * Math.log(c) + (1 - z) * Math.log(1 - c);
      }
      out[r] = sum / n;
    }
  }
}

/** {@link bceProbabilityRows} and its gradient; clipped entries (c !== p) are constants as far as the gradient goes. */
function bceProbabilityGradRows(
  f32: boolean, out: FloatArray, gd: FloatArray, gOffsets: Int32Array, gs: number, u: FloatArray,
  td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
  keep: number, shift: number, lo: number, hi: number,
): void {
  keep = +keep;
  shift = +shift;
  lo = +lo;
  hi = +hi;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = tOffsets[r]!, po = pOffsets[r]!, go = gOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const v = pd[po]!, z = td[to]! * keep + shift, c = Math.min(Math.max(v, lo), hi);
        sum -= z * logf(c) + (1 - z) * logf(1 - c);
        if (c === v) gd[go] = scale * ((1 - z) / (1 - c) - z / c);
      }
      out[r] = sum / n;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = tOffsets[r]!, po = pOffsets[r]!, go = gOffsets[r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const v = pd[po]!, z = td[to]! * keep + shift, c = Math.min(Math.max(v, lo), hi);
        sum -= z * Math.log(c) + (1 - z) * Math.log(1 - c);
        if (c === v) gd[go] = scale * ((1 - z) / (1 - c) - z / c);
      }
      out[r] = sum / n;
    }
  }
}

/**
 * Binary crossentropy, averaged over `axis`: the loss for binary (0 or 1) labels, one
 * probability (or logit) per label.
 *
 * With probabilities, `p = clip(yPred, ε, 1 - ε)` (ε = 1e-7) and
 * `loss = mean(-(z log p + (1 - z) log(1 - p)), axis)`; with logits,
 * `loss = mean(max(x, 0) - x z + log(1 + e^{-|x|}), axis)`, where
 * `z = yTrue (1 - labelSmoothing) + 0.5 labelSmoothing`.
 *
 * Options: `fromLogits` (default `false`), `labelSmoothing` (default `0`), `axis` (default `-1`).
 * Shapes: yTrue and yPred alike (a trailing dimension of size 1 may be missing on one side);
 * the result drops `axis`. The gradient through clipped probabilities is 0.
 *
 * @example
 * binaryCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).toArray() // [0.916, 0.714]
 */
export const binaryCrossentropy = defineLossFunction<BinaryCrossentropyConfig>({
  name: "binary_crossentropy",
  defaults: { fromLogits: false, labelSmoothing: 0, axis: -1 },
  validate(o) {
    checkBoolean("binary_crossentropy", "fromLogits", o.fromLogits);
    checkLabelSmoothing("binary_crossentropy", o.labelSmoothing);
    checkAxis("binary_crossentropy", o.axis);
  },
  forward: binaryCrossentropyForward,
  backward: (yTrue, yPred, upstream, o) => binaryCrossentropyFused(yTrue, yPred, fixedUpstream(upstream), o).grad,
  forwardBackward: binaryCrossentropyFused,
});

/**
 * Computes the cross-entropy loss between true labels and predicted labels
 * (`keras.losses.BinaryCrossentropy`), for binary (0 or 1) classification.
 *
 * Per sample: `mean(-(z log p + (1 - z) log(1 - p)), axis)` with `p = clip(yPred, ε, 1 - ε)`,
 * or from logits `mean(max(x, 0) - x z + log(1 + e^{-|x|}), axis)`, where `z` is the
 * smoothed label `yTrue (1 - labelSmoothing) + 0.5 labelSmoothing`. See
 * {@link binaryCrossentropy}. Options: `fromLogits`, `labelSmoothing`, `axis`, plus
 * `reduction`, `name` (default `"binary_crossentropy"`), `dtype`.
 *
 * @example
 * const bce = new BinaryCrossentropy({ fromLogits: true });
 * bce([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]);             // 0.8654
 * bce([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]], [0.8, 0.2]); // 0.243
 * new BinaryCrossentropy({ reduction: "none" })(
 *   [[0, 1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]],
 *   [[0.6, 0.4], [0.4, 0.6], [0.6, 0.4], [0.8, 0.2]],
 * ).toArray(); // [0.9162905, 0.5919184, 0.79465103, 1.0549198]
 */
export class BinaryCrossentropy extends LossFunctionWrapper {
  constructor(options: BinaryCrossentropyOptions = {}) {
    super(binaryCrossentropy, { name: "binary_crossentropy", ...options });
  }
}

// ---------------------------------------------------------------------------------------------
// Binary focal crossentropy

/** Options of {@link binaryFocalCrossentropy} and {@link BinaryFocalCrossentropy}. */
export interface BinaryFocalCrossentropyConfig {
  /** Weight class 1 by `alpha` and class 0 by `1 - alpha`. Default `false`. */
  applyClassBalancing: boolean;
  /** The class-1 weight of class balancing. Default `0.25`. */
  alpha: number;
  /** The focusing parameter (>= 0); `0` gives binary crossentropy. Default `2`. */
  gamma: number;
  /** Whether `yPred` holds logits. Default `false`. */
  fromLogits: boolean;
  /** In [0, 1]: labels are squeezed towards 0.5. Default `0`. */
  labelSmoothing: number;
  /** The axis the mean is taken over. Default `-1`. */
  axis: number;
}

export interface BinaryFocalCrossentropyOptions extends LossOptions, Partial<BinaryFocalCrossentropyConfig> {}

function binaryFocalKernel(
  yTrue: Tensor,
  yPred: Tensor,
  upstreamFor: UpstreamFor | null,
  o: KernelOptions<BinaryFocalCrossentropyConfig>,
): { values: Tensor; grad: Tensor | undefined } {
  const { t, p, g, grad, outShape } = sameShapeRows("binary_focal_crossentropy", yTrue, yPred, o.axis, upstreamFor ? o.dtype : undefined);
  const u = upstreamFor ? checkUpstream(upstreamFor(outShape), outShape) : null;
  const out = allocate(o.dtype, p.rows);
  binaryFocalRows(
    o.dtype === "float32", out, g ? g.data : null, g ? g.offsets : null, g ? g.stride : 0, u,
    t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length,
    1 - o.labelSmoothing, 0.5 * o.labelSmoothing, o.gamma, o.alpha, o.applyClassBalancing, o.fromLogits, clipLow(o.dtype), clipHigh(o.dtype),
  );
  return { values: new Tensor(out, outShape), grad };
}

/**
 * The rows of {@link binaryFocalKernel}, and the gradient when `gd` is given (see
 * {@link bceLogitsRows} for why the loops live apart). The transcendental functions are picked
 * per element (`f32 ? expf(x) : Math.exp(x)`, a branch that always goes the same way): the
 * loop has enough other work that two copies of it would not pay.
 */
function binaryFocalRows(
  f32: boolean, out: FloatArray, gd: FloatArray | null, gOffsets: Int32Array | null, gs: number, u: FloatArray | null,
  td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
  keep: number, shift: number, gamma: number, alpha: number, applyClassBalancing: boolean, fromLogits: boolean, lo: number, hi: number,
): void {
  keep = +keep;
  shift = +shift;
  gamma = +gamma;
  alpha = +alpha;
  lo = +lo;
  hi = +hi;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = u ? u[r]! / n : 0;
    let to = tOffsets[r]!, po = pOffsets[r]!, go = gOffsets ? gOffsets[r]! : 0, sum = 0;
    for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
      const v = pd[po]!, z = td[to]! * keep + shift;
      let prob: number, bce: number, dBce: number;
      if (fromLogits) {
        // Keras's TensorFlow sigmoid keeps its logits, so the crossentropy term is the
        // stable logits formula; the focal factor uses sigmoid(x).
        const e = f32 ? expf(-Math.abs(v)) : Math.exp(-Math.abs(v));
        prob = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        bce = (v > 0 ? v : 0) - v * z + (f32 ? log1pUnitf(e) : Math.log1p(e));
        dBce = prob - z; // d bce / dx
      } else {
        prob = v;
        const c = Math.min(Math.max(v, lo), hi);
        bce = f32 ? -(z * logf(c) + (1 - z) * logf(1 - c)) : -(z * Math.log(c) + (1 - z) * Math.log(1 - c));
        dBce = c === v ? (1 - z) / (1 - c) - z / c : 0; // d bce / dp, 0 where clipped
      }
      // 1 - p_t = 1 - (z p + (1 - z)(1 - p)), written so that it cannot round below 0.
      const b = z * (1 - prob) + (1 - z) * prob;
      const focal = gamma === 0 ? 1 : power(b, gamma);
      const weight = applyClassBalancing ? z * alpha + (1 - z) * (1 - alpha) : 1;
      sum += weight * focal * bce;
      if (gd) {
        // d focal / dp = gamma b^{gamma-1} (1 - 2z); through the sigmoid times p(1 - p),
        // whose zero (saturated logits) wins over b^{gamma-1} -> infinity for gamma < 1.
        const dProb = fromLogits ? prob * (1 - prob) : 1;
        const dFocal = gamma === 0 || dProb === 0 ? 0 : gamma * power(b, gamma - 1) * (1 - 2 * z) * dProb;
        gd[go] = scale * weight * (dFocal * bce + focal * dBce);
      }
    }
    out[r] = sum / n;
  }
}

/**
 * Binary focal crossentropy (Lin et al., 2018), averaged over `axis`: binary crossentropy
 * scaled by a focal factor that down-weights easy examples.
 *
 * `loss = mean(w · (1 - p_t)^gamma · bce(z, p), axis)` with `p_t = z p + (1 - z)(1 - p)`,
 * `z` the smoothed label, `p` the probability (`sigmoid(yPred)` with `fromLogits`), and
 * `w = z alpha + (1 - z)(1 - alpha)` when `applyClassBalancing` (else 1). `bce` is
 * {@link binaryCrossentropy}'s elementwise term (clipped probabilities, or the logits formula).
 *
 * Options: `applyClassBalancing` (`false`), `alpha` (`0.25`), `gamma` (`2`), `fromLogits`
 * (`false`), `labelSmoothing` (`0`), `axis` (`-1`). Shapes as {@link binaryCrossentropy}.
 *
 * Reference: T.-Y. Lin et al., "Focal Loss for Dense Object Detection", 2018,
 * https://arxiv.org/abs/1708.02002
 *
 * @example
 * binaryFocalCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], { gamma: 2 }).toArray() // [0.330, 0.206]
 */
export const binaryFocalCrossentropy = defineLossFunction<BinaryFocalCrossentropyConfig>({
  name: "binary_focal_crossentropy",
  defaults: { applyClassBalancing: false, alpha: 0.25, gamma: 2, fromLogits: false, labelSmoothing: 0, axis: -1 },
  validate(o) {
    const name = "binary_focal_crossentropy";
    checkBoolean(name, "applyClassBalancing", o.applyClassBalancing);
    checkNumber(name, "alpha", o.alpha);
    checkNumber(name, "gamma", o.gamma, { min: 0 });
    checkBoolean(name, "fromLogits", o.fromLogits);
    checkLabelSmoothing(name, o.labelSmoothing);
    checkAxis(name, o.axis);
  },
  forward: (yTrue, yPred, o) => binaryFocalKernel(yTrue, yPred, null, o).values,
  backward: (yTrue, yPred, upstream, o) => binaryFocalKernel(yTrue, yPred, fixedUpstream(upstream), o).grad!,
  forwardBackward(yTrue, yPred, upstreamFor, o) {
    const { values, grad } = binaryFocalKernel(yTrue, yPred, upstreamFor, o);
    return { values, grad: grad! };
  },
});

/**
 * Computes focal cross-entropy loss between true labels and predictions
 * (`keras.losses.BinaryFocalCrossentropy`): binary crossentropy times `(1 - p_t)^gamma`,
 * optionally class-balanced by `alpha`. See {@link binaryFocalCrossentropy} for the formula.
 * Options: `applyClassBalancing`, `alpha`, `gamma`, `fromLogits`, `labelSmoothing`, `axis`,
 * plus `reduction`, `name` (default `"binary_focal_crossentropy"`), `dtype`.
 *
 * Reference: Lin et al., 2018, https://arxiv.org/abs/1708.02002
 *
 * @example
 * const yTrue = [[0, 1], [0, 0]], logits = [[-18.6, 0.51], [2.94, -12.8]];
 * new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(yTrue, logits);                             // 0.647
 * new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 3, fromLogits: true })(yTrue, logits); // 0.482
 */
export class BinaryFocalCrossentropy extends LossFunctionWrapper {
  constructor(options: BinaryFocalCrossentropyOptions = {}) {
    super(binaryFocalCrossentropy, { name: "binary_focal_crossentropy", ...options });
  }
}

// ---------------------------------------------------------------------------------------------
// Categorical crossentropy

/** Options of {@link categoricalCrossentropy} and {@link CategoricalCrossentropy}. */
export interface CategoricalCrossentropyConfig {
  /** Whether `yPred` holds logits rather than a probability distribution. Default `false`. */
  fromLogits: boolean;
  /** In [0, 1]: labels become `yTrue * (1 - labelSmoothing) + labelSmoothing / numClasses`. Default `0`. */
  labelSmoothing: number;
  /** The class axis. Default `-1`. */
  axis: number;
}

export interface CategoricalCrossentropyOptions extends LossOptions, Partial<CategoricalCrossentropyConfig> {}

function categoricalCrossentropyForward(yTrue: Tensor, yPred: Tensor, o: KernelOptions<CategoricalCrossentropyConfig>): Tensor {
  const { t, p, outShape } = sameShapeRows("categorical_crossentropy", yTrue, yPred, o.axis);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = o.labelSmoothing / p.length;
  if (o.fromLogits) cceLogitsRows(f32, out, t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift);
  else cceProbabilityRows(f32, out, null, null, 0, null, t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift, clipLow(o.dtype), clipHigh(o.dtype));
  return new Tensor(out, outShape);
}

function categoricalCrossentropyFused(yTrue: Tensor, yPred: Tensor, upstreamFor: UpstreamFor, o: KernelOptions<CategoricalCrossentropyConfig>): ForwardBackward {
  const { t, p, g, grad, outShape } = sameShapeRows("categorical_crossentropy", yTrue, yPred, o.axis, o.dtype);
  const u = checkUpstream(upstreamFor(outShape), outShape);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = o.labelSmoothing / p.length;
  if (o.fromLogits) {
    cceLogitsGradRows(f32, out, g!.data, g!.offsets, g!.stride, u, new Float64Array(p.length), t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift);
  } else {
    cceProbabilityRows(f32, out, g!.data, g!.offsets, g!.stride, u, t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, p.length, keep, shift, clipLow(o.dtype), clipHigh(o.dtype));
  }
  return { values: new Tensor(out, outShape), grad: grad! };
}

/**
 * Categorical crossentropy from logits, row by row (see {@link bceLogitsRows} for why the
 * loops live apart): `Σ z (lse - x) = (Σ z) log Σ e^{x - max} - Σ z (x - max)`.
 */
function cceLogitsRows(
  f32: boolean, out: FloatArray, td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
  keep: number, shift: number,
): void {
  keep = +keep;
  shift = +shift;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = tOffsets[r]!, p0 = pOffsets[r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, sumZ = 0, sumZx = 0;
    // The exponentials, once with expf and once with Math.exp (the branch is per row).
    if (f32) {
      for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
        const shifted = pd[po]! - max, z = td[to]! * keep + shift;
        sumExp += expf(shifted);
        sumZ += z;
        sumZx += z * shifted;
      }
      out[r] = sumZ * logf(sumExp) - sumZx;
    } else {
      for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
        const shifted = pd[po]! - max, z = td[to]! * keep + shift;
        sumExp += Math.exp(shifted);
        sumZ += z;
        sumZx += z * shifted;
      }
      out[r] = sumZ * Math.log(sumExp) - sumZx;
    }
  }
}

/**
 * {@link cceLogitsRows} and its gradient `scale (softmax Σ z - z)` (`softmax - z` for labels
 * that sum to 1), keeping the row's exponentials in `exps`.
 */
function cceLogitsGradRows(
  f32: boolean, out: FloatArray, gd: FloatArray, gOffsets: Int32Array, gs: number, u: FloatArray, exps: Float64Array,
  td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number, keep: number, shift: number,
): void {
  keep = +keep;
  shift = +shift;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = tOffsets[r]!, p0 = pOffsets[r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, sumZ = 0, sumZx = 0;
    if (f32) {
      for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
        const shifted = pd[po]! - max, z = td[to]! * keep + shift;
        const e = expf(shifted);
        exps[k] = e;
        sumExp += e;
        sumZ += z;
        sumZx += z * shifted;
      }
      out[r] = sumZ * logf(sumExp) - sumZx;
    } else {
      for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
        const shifted = pd[po]! - max, z = td[to]! * keep + shift;
        const e = Math.exp(shifted);
        exps[k] = e;
        sumExp += e;
        sumZ += z;
        sumZx += z * shifted;
      }
      out[r] = sumZ * Math.log(sumExp) - sumZx;
    }
    const scale = u[r]!, softmaxScale = sumZ / sumExp;
    for (let k = 0, to = t0, go = gOffsets[r]!; k < n; k++, to += ts, go += gs) {
      gd[go] = scale * (exps[k]! * softmaxScale - (td[to]! * keep + shift));
    }
  }
}

/**
 * Categorical crossentropy on probabilities, row by row: renormalize the row to sum to 1,
 * clip, `-Σ z log q`. With `gd`, also the gradient: with q = p / Σp and h_k = d loss / d q_k =
 * -z_k / q_k (0 where clipped), d loss / d p_j = (h_j - Σ_k h_k q_k) / Σp.
 */
function cceProbabilityRows(
  f32: boolean, out: FloatArray, gd: FloatArray | null, gOffsets: Int32Array | null, gs: number, u: FloatArray | null,
  td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
  keep: number, shift: number, lo: number, hi: number,
): void {
  keep = +keep;
  shift = +shift;
  lo = +lo;
  hi = +hi;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = tOffsets[r]!, p0 = pOffsets[r]!;
    let total = 0;
    for (let k = 0, po = p0; k < n; k++, po += ps) total += pd[po]!;
    let sum = 0, hq = 0;
    if (f32) {
      for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
        const q = pd[po]! / total, z = td[to]! * keep + shift, c = Math.min(Math.max(q, lo), hi);
        sum -= z * logf(c);
        if (c === q) hq -= z;
      }
    } else {
      for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
        const q = pd[po]! / total, z = td[to]! * keep + shift, c = Math.min(Math.max(q, lo), hi);
        sum -= z * Math.log(c);
        if (c === q) hq -= z;
      }
    }
    out[r] = sum;
    if (!gd) continue;
    const scale = u![r]! / total;
    for (let k = 0, to = t0, po = p0, go = gOffsets![r]!; k < n; k++, to += ts, po += ps, go += gs) {
      const q = pd[po]! / total;
      const c = Math.min(Math.max(q, lo), hi);
      const h = c === q ? -(td[to]! * keep + shift) / q : 0;
      gd[go] = scale * (h - hq);
    }
  }
}

/**
 * Categorical crossentropy along the class axis, for one-hot (or soft) labels.
 *
 * With probabilities, each row is renormalized and clipped, `q = clip(p / Σp, ε, 1 - ε)`, and
 * `loss = -Σ z log q`; with logits, `loss = Σ z (logsumexp(x) - x)`. Labels are smoothed as
 * `z = yTrue (1 - labelSmoothing) + labelSmoothing / numClasses`.
 *
 * Options: `fromLogits` (`false`), `labelSmoothing` (`0`), `axis` (`-1`; `1` for
 * channels-first). Shapes: yTrue and yPred alike; the result drops `axis`. The gradient from
 * logits is `softmax(x) Σz - z`; from probabilities it goes through the renormalization and is
 * 0 through clipped entries.
 *
 * @example
 * categoricalCrossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]).toArray() // [0.0513, 2.303]
 */
export const categoricalCrossentropy = defineLossFunction<CategoricalCrossentropyConfig>({
  name: "categorical_crossentropy",
  defaults: { fromLogits: false, labelSmoothing: 0, axis: -1 },
  validate(o) {
    checkBoolean("categorical_crossentropy", "fromLogits", o.fromLogits);
    checkLabelSmoothing("categorical_crossentropy", o.labelSmoothing);
    checkAxis("categorical_crossentropy", o.axis);
  },
  forward: categoricalCrossentropyForward,
  backward: (yTrue, yPred, upstream, o) => categoricalCrossentropyFused(yTrue, yPred, fixedUpstream(upstream), o).grad,
  forwardBackward: categoricalCrossentropyFused,
});

/**
 * Computes the crossentropy loss between the labels and predictions
 * (`keras.losses.CategoricalCrossentropy`), for labels in one-hot form; for integer labels use
 * {@link SparseCategoricalCrossentropy}. See {@link categoricalCrossentropy} for the formula.
 * Options: `fromLogits`, `labelSmoothing`, `axis`, plus `reduction`, `name`
 * (default `"categorical_crossentropy"`), `dtype`.
 *
 * @example
 * const cce = new CategoricalCrossentropy();
 * cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);             // 1.177
 * cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7]); // 0.814
 */
export class CategoricalCrossentropy extends LossFunctionWrapper {
  constructor(options: CategoricalCrossentropyOptions = {}) {
    super(categoricalCrossentropy, { name: "categorical_crossentropy", ...options });
  }
}

// ---------------------------------------------------------------------------------------------
// Categorical focal crossentropy

/** Options of {@link categoricalFocalCrossentropy} and {@link CategoricalFocalCrossentropy}. */
export interface CategoricalFocalCrossentropyConfig {
  /** A weight for every class: one number, or one per class along `axis`. Default `0.25`. */
  alpha: number | readonly number[];
  /** The focusing parameter (>= 0); `0` removes the focal effect. Default `2`. */
  gamma: number;
  /** Whether `yPred` holds logits. Default `false`. */
  fromLogits: boolean;
  /** In [0, 1]: labels become `yTrue * (1 - labelSmoothing) + labelSmoothing / numClasses`. Default `0`. */
  labelSmoothing: number;
  /** The class axis. Default `-1`. */
  axis: number;
}

export interface CategoricalFocalCrossentropyOptions extends LossOptions, Partial<CategoricalFocalCrossentropyConfig> {}

function categoricalFocalKernel(
  yTrue: Tensor,
  yPred: Tensor,
  upstreamFor: UpstreamFor | null,
  o: KernelOptions<CategoricalFocalCrossentropyConfig>,
): { values: Tensor; grad: Tensor | undefined } {
  const name = "categorical_focal_crossentropy";
  const { t, p, g, grad, outShape } = classAxisRows(name, yTrue, yPred, o.axis, upstreamFor ? o.dtype : undefined);
  const n = p.length;
  const alphas = typeof o.alpha === "number" ? null : Float64Array.from(o.alpha);
  if (alphas && alphas.length !== n) {
    throw new ShapeError(`${name}: alpha has ${alphas.length} values but yPred has ${n} classes along axis ${o.axis} (shape ${formatShape(yPred.shape)})`);
  }
  const alpha = typeof o.alpha === "number" ? o.alpha : 0;
  const u = upstreamFor ? checkUpstream(upstreamFor(outShape), outShape) : null;
  const out = allocate(o.dtype, p.rows);
  // probs: the row's probabilities (softmax of the logits, or yPred); dq: d loss / d q.
  const probs = new Float64Array(n);
  const dq = g ? new Float64Array(n) : null;
  categoricalFocalRows(
    o.dtype === "float32", out, g ? g.data : null, g ? g.offsets : null, g ? g.stride : 0, u, probs, dq, alphas, alpha,
    t.data, t.offsets, t.stride, p.data, p.offsets, p.stride, n, 1 - o.labelSmoothing, o.labelSmoothing / n, o.gamma, o.fromLogits,
    clipLow(o.dtype), clipHigh(o.dtype),
  );
  return { values: new Tensor(out, outShape), grad };
}

/** The rows of {@link categoricalFocalKernel} (see {@link bceLogitsRows} for why the loops live apart). */
function categoricalFocalRows(
  f32: boolean, out: FloatArray, gd: FloatArray | null, gOffsets: Int32Array | null, gs: number, u: FloatArray | null,
  probs: Float64Array, dq: Float64Array | null, alphas: Float64Array | null, alpha: number,
  td: FloatArray, tOffsets: Int32Array, ts: number, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
  keep: number, shift: number, gamma: number, fromLogits: boolean, lo: number, hi: number,
): void {
  alpha = +alpha;
  keep = +keep;
  shift = +shift;
  gamma = +gamma;
  lo = +lo;
  hi = +hi;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = tOffsets[r]!, p0 = pOffsets[r]!;
    // From logits, probs holds e^{x - max} and q = p / Σp is e^{x - max} / Σ e^{x - max} (the
    // softmax sums to 1, so Keras's renormalization changes nothing but rounding): one
    // multiplication per labelled class instead of a division pass over the row.
    let total = 0, inv = 0;
    if (fromLogits) {
      let max = -Infinity;
      for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
      if (f32) for (let k = 0, po = p0; k < n; k++, po += ps) total += probs[k] = expf(pd[po]! - max);
      else for (let k = 0, po = p0; k < n; k++, po += ps) total += probs[k] = Math.exp(pd[po]! - max);
      inv = 1 / total;
    } else {
      for (let k = 0, po = p0; k < n; k++, po += ps) total += probs[k] = pd[po]!;
    }
    // Σ_k alpha_k (1 - q_k)^gamma (-z_k log q_k), q = clip(p / Σp, ε, 1 - ε). A class with
    // z_k = 0 adds exactly 0 (log q_k is finite) to the value and to d/dq, so only the
    // labelled classes cost a log and a pow.
    let sum = 0, hq = 0;
    for (let k = 0, to = t0; k < n; k++, to += ts) {
      const z = td[to]! * keep + shift;
      if (z === 0) {
        if (dq) dq[k] = 0;
        continue;
      }
      const q = fromLogits ? probs[k]! * inv : probs[k]! / total;
      const c = Math.min(Math.max(q, lo), hi);
      const a = alphas ? alphas[k]! : alpha;
      const logC = f32 ? logf(c) : Math.log(c), focal = power(1 - c, gamma);
      sum -= a * focal * z * logC;
      if (dq) {
        // d/dc of a (1-c)^g (-z log c) = a z (g (1-c)^{g-1} log c - (1-c)^g / c); 1 - c >= 1e-7
        const h = c === q ? a * z * ((gamma === 0 ? 0 : gamma * power(1 - c, gamma - 1) * logC) - focal / c) : 0;
        dq[k] = h;
        hq += h * q;
      }
    }
    out[r] = sum;
    if (!dq) continue;
    // Through the renormalization: d/dp_j = (dq_j - Σ dq_k q_k) / Σp. From logits, through the
    // softmax: d/dx_j = p_j (d/dp_j - Σ p_k d/dp_k), and Σ p_k d/dp_k = 0 after the
    // renormalization (a rescaling of p does not change q), so d/dx_j = p_j d/dp_j, with
    // p_j = probs[j] / total and Σp = 1.
    const scale = fromLogits ? u![r]! * inv : u![r]! / total;
    for (let k = 0, go = gOffsets![r]!; k < n; k++, go += gs) {
      const dp = dq[k]! - hq;
      gd![go] += fromLogits ? probs[k]! * scale * dp : scale * dp;
    }
  }
}

/**
 * Categorical focal crossentropy (Lin et al., 2018) along the class axis: categorical
 * crossentropy with each class term scaled by `alpha (1 - q)^gamma`.
 *
 * `q = clip(p / Σp, ε, 1 - ε)` with `p = yPred` (or `softmax(yPred)` with `fromLogits`), and
 * `loss = Σ alpha (1 - q)^gamma (-z log q)` over the class axis, `z` the smoothed labels.
 *
 * Options: `alpha` (`0.25`; a number or one weight per class), `gamma` (`2`), `fromLogits`
 * (`false`), `labelSmoothing` (`0`), `axis` (`-1`). Shapes: yTrue and yPred alike (they may
 * broadcast outside the class axis); the result drops `axis`.
 *
 * Reference: T.-Y. Lin et al., "Focal Loss for Dense Object Detection", 2018,
 * https://arxiv.org/abs/1708.02002
 *
 * @example
 * categoricalFocalCrossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]).toArray()
 * // [2.63401289e-04, 6.75912094e-01]
 */
export const categoricalFocalCrossentropy = defineLossFunction<CategoricalFocalCrossentropyConfig>({
  name: "categorical_focal_crossentropy",
  defaults: { alpha: 0.25, gamma: 2, fromLogits: false, labelSmoothing: 0, axis: -1 },
  validate(o) {
    const name = "categorical_focal_crossentropy";
    if (typeof o.alpha !== "number") {
      if (!Array.isArray(o.alpha) || o.alpha.length === 0) {
        throw new ConfigError(`${name}: alpha must be a finite number or a non-empty array of finite numbers (one per class), received ${describeValue(o.alpha)}`);
      }
      o.alpha.forEach((a, i) => checkNumber(name, `alpha[${i}]`, a));
      // A copy, so that later changes to the caller's array do not change the loss.
      o.alpha = Object.freeze(o.alpha.slice());
    } else {
      checkNumber(name, "alpha", o.alpha);
    }
    checkNumber(name, "gamma", o.gamma, { min: 0 });
    checkBoolean(name, "fromLogits", o.fromLogits);
    checkLabelSmoothing(name, o.labelSmoothing);
    checkAxis(name, o.axis);
  },
  forward: (yTrue, yPred, o) => categoricalFocalKernel(yTrue, yPred, null, o).values,
  backward: (yTrue, yPred, upstream, o) => categoricalFocalKernel(yTrue, yPred, fixedUpstream(upstream), o).grad!,
  forwardBackward(yTrue, yPred, upstreamFor, o) {
    const { values, grad } = categoricalFocalKernel(yTrue, yPred, upstreamFor, o);
    return { values, grad: grad! };
  },
});

/**
 * Computes the alpha balanced focal crossentropy loss
 * (`keras.losses.CategoricalFocalCrossentropy`), for one-hot labels and imbalanced classes.
 * See {@link categoricalFocalCrossentropy} for the formula. Options: `alpha`, `gamma`,
 * `fromLogits`, `labelSmoothing`, `axis`, plus `reduction`, `name`
 * (default `"categorical_focal_crossentropy"`), `dtype`.
 *
 * Reference: Lin et al., 2018, https://arxiv.org/abs/1708.02002
 *
 * @example
 * const cfce = new CategoricalFocalCrossentropy();
 * cfce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);             // 0.23315276
 * cfce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7]); // 0.1632
 */
export class CategoricalFocalCrossentropy extends LossFunctionWrapper {
  constructor(options: CategoricalFocalCrossentropyOptions = {}) {
    super(categoricalFocalCrossentropy, { name: "categorical_focal_crossentropy", ...options });
  }
}

// ---------------------------------------------------------------------------------------------
// Sparse categorical crossentropy

/** Options of {@link sparseCategoricalCrossentropy} and {@link SparseCategoricalCrossentropy}. */
export interface SparseCategoricalCrossentropyConfig {
  /** Whether `yPred` holds logits rather than a probability distribution. Default `false`. */
  fromLogits: boolean;
  /** A label value to leave out (loss 0, masked out of the mean), e.g. `-1` or `255`; `null` keeps all. Default `null`. */
  ignoreClass: number | null;
  /** The class axis of `yPred`. Default `-1`. */
  axis: number;
}

export interface SparseCategoricalCrossentropyOptions extends LossOptions, Partial<SparseCategoricalCrossentropyConfig> {}

/** yPred's class rows and the integer label of each row (-1 where ignored). */
interface SparseLayout {
  p: Rows;
  labels: Int32Array;
  outShape: number[];
  mask: Tensor | undefined;
  grad?: Tensor;
  g?: Rows;
}

function sparseLayout(yTrue: Tensor, yPred: Tensor, o: KernelOptions<SparseCategoricalCrossentropyConfig>, gradDtype?: DType): SparseLayout {
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
  for (let r = 0; r < rows; r++) {
    const v = ld[offsets ? offsets[r]! : labels.offset + r]!;
    if (ignore !== null && v === ignore) {
      classes[r] = -1;
      continue;
    }
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new InputError(
        `${name}: yTrue must hold integer class indices in [0, ${numClasses - 1}]` +
          `${ignore === null ? "" : ` or ignoreClass=${ignore}`}, received ${v} at flat index ${r}`,
      );
    }
    classes[r] = v;
    if (maskData) maskData[r] = 1;
  }
  const mask = maskData ? new Tensor(maskData, p.outerShape) : undefined;
  const layout: SparseLayout = { p, labels: classes, outShape: p.outerShape, mask };
  if (gradDtype) {
    const grad = new Tensor(allocate(gradDtype, yPred.size), yPred.shape);
    layout.grad = grad;
    layout.g = rowsOf(predSqueezed ? squeeze(grad, -1) : grad, axis);
  }
  return layout;
}

function sparseCategoricalCrossentropyForward(yTrue: Tensor, yPred: Tensor, o: KernelOptions<SparseCategoricalCrossentropyConfig>): Tensor {
  const { p, labels, outShape, mask } = sparseLayout(yTrue, yPred, o);
  const out = allocate(o.dtype, p.rows);
  const pd = p.data, ps = p.stride, n = p.length;
  if (o.fromLogits) {
    scceLogitsRows(o.dtype === "float32", out, labels, pd, p.offsets, ps, n);
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
  const values = new Tensor(out, outShape);
  if (mask) values.mask = mask;
  return values;
}

function sparseCategoricalCrossentropyFused(yTrue: Tensor, yPred: Tensor, upstreamFor: UpstreamFor, o: KernelOptions<SparseCategoricalCrossentropyConfig>): ForwardBackward {
  const { p, labels, outShape, mask, g, grad } = sparseLayout(yTrue, yPred, o, o.dtype);
  const u = checkUpstream(upstreamFor(outShape, mask), outShape);
  const out = allocate(o.dtype, p.rows);
  const pd = p.data, ps = p.stride, n = p.length, gd = g!.data, gs = g!.stride;
  if (o.fromLogits) {
    scceLogitsGradRows(o.dtype === "float32", out, gd, g!.offsets, gs, u, new Float64Array(n), labels, pd, p.offsets, ps, n);
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
  const values = new Tensor(out, outShape);
  if (mask) values.mask = mask;
  return { values, grad: grad! };
}

/**
 * Sparse categorical crossentropy from logits, row by row (see {@link bceLogitsRows} for why
 * the loops live apart): `logsumexp(x) - x_y`, 0 for ignored rows (label -1).
 */
function scceLogitsRows(f32: boolean, out: FloatArray, labels: Int32Array, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number): void {
  ps = ps | 0;
  n = n | 0;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (y < 0) continue; // ignored: 0
    const p0 = pOffsets[r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0;
    // The exponentials, once with expf and once with Math.exp (the branch is per row).
    if (f32) {
      for (let k = 0, po = p0; k < n; k++, po += ps) sumExp += expf(pd[po]! - max);
      out[r] = logf(sumExp) - (pd[p0 + y * ps]! - max);
    } else {
      for (let k = 0, po = p0; k < n; k++, po += ps) sumExp += Math.exp(pd[po]! - max);
      out[r] = Math.log(sumExp) - (pd[p0 + y * ps]! - max);
    }
  }
}

/** {@link scceLogitsRows} and its gradient `scale (softmax(x) - onehot(y))` (0 for ignored rows), keeping the row's exponentials in `exps`. */
function scceLogitsGradRows(
  f32: boolean, out: FloatArray, gd: FloatArray, gOffsets: Int32Array, gs: number, u: FloatArray, exps: Float64Array,
  labels: Int32Array, pd: FloatArray, pOffsets: Int32Array, ps: number, n: number,
): void {
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const y = labels[r]!;
    if (y < 0) continue; // ignored: value 0, gradient 0
    const p0 = pOffsets[r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0;
    if (f32) {
      for (let k = 0, po = p0; k < n; k++, po += ps) sumExp += exps[k] = expf(pd[po]! - max);
      out[r] = logf(sumExp) - (pd[p0 + y * ps]! - max);
    } else {
      for (let k = 0, po = p0; k < n; k++, po += ps) sumExp += exps[k] = Math.exp(pd[po]! - max);
      out[r] = Math.log(sumExp) - (pd[p0 + y * ps]! - max);
    }
    const scale = u[r]!, inv = scale / sumExp, g0 = gOffsets[r]!;
    for (let k = 0, go = g0; k < n; k++, go += gs) gd[go] = exps[k]! * inv;
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
export const sparseCategoricalCrossentropy = defineLossFunction<SparseCategoricalCrossentropyConfig>({
  name: "sparse_categorical_crossentropy",
  defaults: { fromLogits: false, ignoreClass: null, axis: -1 },
  validate(o) {
    const name = "sparse_categorical_crossentropy";
    checkBoolean(name, "fromLogits", o.fromLogits);
    if (o.ignoreClass !== null) checkNumber(name, "ignoreClass", o.ignoreClass, { integer: true });
    checkAxis(name, o.axis);
  },
  forward: sparseCategoricalCrossentropyForward,
  backward: (yTrue, yPred, upstream, o) => sparseCategoricalCrossentropyFused(yTrue, yPred, fixedUpstream(upstream), o).grad,
  forwardBackward: sparseCategoricalCrossentropyFused,
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
export class SparseCategoricalCrossentropy extends LossFunctionWrapper {
  constructor(options: SparseCategoricalCrossentropyOptions = {}) {
    super(sparseCategoricalCrossentropy, { name: "sparse_categorical_crossentropy", ...options });
  }
}

export const CROSSENTROPY_LOSSES: LossEntry[] = [
  { className: "BinaryCrossentropy", cls: BinaryCrossentropy, fn: binaryCrossentropy, aliases: ["bce", "BCE"] },
  { className: "BinaryFocalCrossentropy", cls: BinaryFocalCrossentropy, fn: binaryFocalCrossentropy },
  { className: "CategoricalCrossentropy", cls: CategoricalCrossentropy, fn: categoricalCrossentropy },
  { className: "CategoricalFocalCrossentropy", cls: CategoricalFocalCrossentropy, fn: categoricalFocalCrossentropy },
  { className: "SparseCategoricalCrossentropy", cls: SparseCategoricalCrossentropy, fn: sparseCategoricalCrossentropy },
];
