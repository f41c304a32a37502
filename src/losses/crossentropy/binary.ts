/**
 * Binary crossentropy (`keras.losses.BinaryCrossentropy`). See ./shared.ts for the conventions every crossentropy kernel follows.
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
import { LAYOUT_HEADER, packRows, pairRows, type PairRows, gradientBuffer, meanOver } from "../layout";
import { expf, log1pUnitf, logf } from "../../math/fastmath";
import { epsilon, oneMinusEpsilon, sameShape } from "../../math/constants";
import { runSimdRoute, type SimdRoute } from "../simd-route";
import { simdBinaryCrossentropy, simdBinaryCrossentropyFromLogits, type SimdLabelSmoothingOptions } from "../../simd/index";
import { checkAxis, checkLabelSmoothing, classAxisRows, clipHigh, clipLow, power, sameShapeRows } from "./shared";

/** Options of {@link binaryCrossentropy} and {@link BinaryCrossentropy}. */
export interface BinaryCrossentropyConfig {
  /** Whether `yPred` holds logits (any real number) rather than probabilities in [0, 1]. Default `false`. */
  fromLogits: boolean;
  /** In [0, 1]: labels become `yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing`. Default `0`. */
  labelSmoothing: number;
  /** The axis the mean is taken over. Default `-1`. */
  axis: number;
}

export interface BinaryCrossentropyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<BinaryCrossentropyConfig> {}

const SIMD_BCE: SimdRoute<SimdLabelSmoothingOptions> = { loss: "binary_crossentropy", entry: simdBinaryCrossentropy };
const SIMD_BCE_LOGITS: SimdRoute<SimdLabelSmoothingOptions> = { loss: "binary_crossentropy", entry: simdBinaryCrossentropyFromLogits };

/** The kernel: the SIMD route when it can run (see ../simd-route.ts), else the JavaScript loops. */
function binaryCrossentropyKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<BinaryCrossentropyConfig>, upstream: Upstream | undefined): KernelResult {
  const simd = runSimdRoute(o.fromLogits ? SIMD_BCE_LOGITS : SIMD_BCE, yTrue, yPred, o.dtype, o.axis, upstream, { labelSmoothing: o.labelSmoothing });
  if (simd) return simd;
  return upstream ? binaryCrossentropyFused(yTrue, yPred, upstream, o) : { values: binaryCrossentropyForward(yTrue, yPred, o) };
}

function binaryCrossentropyForward(yTrue: Tensor, yPred: Tensor, o: KernelOptions<BinaryCrossentropyConfig>): Tensor {
  const { t, p, outShape } = sameShapeRows("binary_crossentropy", yTrue, yPred, o.axis);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = 0.5 * o.labelSmoothing;
  const layout = packRows(f32, t, p);
  if (o.fromLogits) bceLogitsRows(out, t.data, p.data, layout, Float64Array.of(keep, shift));
  else bceProbabilityRows(out, t.data, p.data, layout, Float64Array.of(keep, shift, clipLow(o.dtype), clipHigh(o.dtype)));
  return new Tensor(out, outShape);
}

function binaryCrossentropyFused(yTrue: Tensor, yPred: Tensor, upstream: Upstream, o: KernelOptions<BinaryCrossentropyConfig>): KernelResult {
  const { t, p, g, grad, outShape } = sameShapeRows("binary_crossentropy", yTrue, yPred, o.axis, gradientBuffer(upstream, o.dtype, yPred.size));
  const u = upstream(outShape);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = 0.5 * o.labelSmoothing;
  const layout = packRows(f32, t, p, g);
  if (o.fromLogits) bceLogitsGradRows(out, g!.data, u, t.data, p.data, layout, Float64Array.of(keep, shift));
  else bceProbabilityGradRows(out, g!.data, u, t.data, p.data, layout, Float64Array.of(keep, shift, clipLow(o.dtype), clipHigh(o.dtype)));
  return { values: new Tensor(out, outShape), grad };
}

// The loops of the kernels ("rows" functions) take only typed arrays and numbers, never the
// options or layout objects: V8 embeds the maps of the objects a function reads in its
// optimized code, and the maps of per-call objects die in a full GC, which throws the code
// away (the next call starts over in the interpreter and on-stack-replaced code). Each has a
// float32 loop with the ../math/fastmath functions and a float64 loop with Math.*, both
// calling their functions directly (V8 inlines a direct call; through a parameter it inlines
// too, but its on-stack-replaced code then runs ~2x slower). `keep = +keep` makes a numeric
// parameter a raw double once, not at every use in the loop.

/**
 * sigmoid_cross_entropy_with_logits, averaged over each row: max(x, 0) - x z + log(1 + e^{-|x|}),
 * with max(x, 0) as 0.5 (x + |x|): a conditional on random-signed logits is a mispredicted
 * branch (57 -> 41 ms on W5). Exact for finite x (x + |x| = 2x); a row whose sum is not finite
 * (an infinite logit, NaN, or |x| > 8e307 where 2x overflows) is summed again with the plain
 * terms, so NaN and Infinity come out as before.
 */
function bceLogitsRows(out: FloatArray, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      let to = layout[T + r]!, po = layout[P + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const x = pd[po]!, z = td[to]! * keep + shift, a = Math.abs(x);
        sum += 0.5 * (x + a) - x * z + log1pUnitf(expf(-a));
      }
      out[r] = meanOver(Math.abs(sum) < Infinity ? sum : bceLogitsRowPlain(null, 0, td, pd, layout, params, r), n);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      let to = layout[T + r]!, po = layout[P + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const x = pd[po]!, z = td[to]! * keep + shift, a = Math.abs(x);
        sum += 0.5 * (x + a) - x * z + Math.log1p(Math.exp(-a));
      }
      out[r] = meanOver(Math.abs(sum) < Infinity ? sum : bceLogitsRowPlain(null, 0, td, pd, layout, params, r), n);
    }
  }
}

/**
 * {@link bceLogitsRows} and its gradient `scale (sigmoid(x) - z)`, sigmoid from e = e^{-|x|} so it
 * never overflows: with s = [x >= 0] as 0 or 1, sigmoid(x) = (s + (1 - s) e) / (1 + e), which is
 * 1 / (1 + e) or e / (1 + e) exactly, without a branch.
 */
function bceLogitsGradRows(out: FloatArray, gd: FloatArray, u: FloatArray, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const x = pd[po]!, z = td[to]! * keep + shift, a = Math.abs(x);
        const e = expf(-a), s = +(x >= 0);
        sum += 0.5 * (x + a) - x * z + log1pUnitf(e);
        gd[go] = scale * ((s + (1 - s) * e) / (1 + e) - z);
      }
      out[r] = meanOver(Math.abs(sum) < Infinity ? sum : bceLogitsRowPlain(gd, scale, td, pd, layout, params, r), n);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const x = pd[po]!, z = td[to]! * keep + shift, a = Math.abs(x);
        const e = Math.exp(-a), s = +(x >= 0);
        sum += 0.5 * (x + a) - x * z + Math.log1p(e);
        gd[go] = scale * ((s + (1 - s) * e) / (1 + e) - z);
      }
      out[r] = meanOver(Math.abs(sum) < Infinity ? sum : bceLogitsRowPlain(gd, scale, td, pd, layout, params, r), n);
    }
  }
}

/**
 * Row `r` of {@link bceLogitsRows} (and with `gd` its gradient) with the plain conditionals, for
 * rows whose branch-free sum is not finite: its sum.
 */
function bceLogitsRowPlain(gd: FloatArray | null, scale: number, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array, r: number): number {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1, rows = (layout.length - LAYOUT_HEADER) / 3;
  const keep = params[0]!, shift = params[1]!;
  let to = layout[LAYOUT_HEADER + r]!, po = layout[LAYOUT_HEADER + rows + r]!, go = layout[LAYOUT_HEADER + 2 * rows + r]!, sum = 0;
  for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
    const x = pd[po]!, z = td[to]! * keep + shift;
    const e = f32 ? expf(-Math.abs(x)) : Math.exp(-Math.abs(x));
    sum += (x > 0 ? x : 0) - x * z + (f32 ? log1pUnitf(e) : Math.log1p(e));
    if (gd) gd[go] = scale * ((x >= 0 ? 1 / (1 + e) : e / (1 + e)) - z);
  }
  return sum;
}

/** -(z log c + (1 - z) log(1 - c)) with c = clip(p, lo, hi), averaged over each row. */
function bceProbabilityRows(out: FloatArray, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const lo = params[2]!;
  const hi = params[3]!;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      let to = layout[T + r]!, po = layout[P + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const z = td[to]! * keep + shift, c = Math.min(Math.max(pd[po]!, lo), hi);
        sum -= z * logf(c) + (1 - z) * logf(1 - c);
      }
      out[r] = meanOver(sum, n);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      let to = layout[T + r]!, po = layout[P + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps) {
        const z = td[to]! * keep + shift, c = Math.min(Math.max(pd[po]!, lo), hi);
        sum -= z * Math.log(c) + (1 - z) * Math.log(1 - c);
      }
      out[r] = meanOver(sum, n);
    }
  }
}

/** {@link bceProbabilityRows} and its gradient; clipped entries (c !== p) are constants as far as the gradient goes. */
function bceProbabilityGradRows(out: FloatArray, gd: FloatArray, u: FloatArray, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const lo = params[2]!;
  const hi = params[3]!;
  const rows = out.length;
  if (f32) {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const v = pd[po]!, z = td[to]! * keep + shift, c = Math.min(Math.max(v, lo), hi);
        sum -= z * logf(c) + (1 - z) * logf(1 - c);
        if (c === v) gd[go] = scale * ((1 - z) / (1 - c) - z / c);
      }
      out[r] = meanOver(sum, n);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const scale = u[r]! / n;
      let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0;
      for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
        const v = pd[po]!, z = td[to]! * keep + shift, c = Math.min(Math.max(v, lo), hi);
        sum -= z * Math.log(c) + (1 - z) * Math.log(1 - c);
        if (c === v) gd[go] = scale * ((1 - z) / (1 - c) - z / c);
      }
      out[r] = meanOver(sum, n);
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
export const binaryCrossentropy = /*#__PURE__*/ defineLossFunction<BinaryCrossentropyConfig>({
  name: "binary_crossentropy",
  defaults: { fromLogits: false, labelSmoothing: 0, axis: -1 },
  validate(o) {
    checkBoolean("binary_crossentropy", "fromLogits", o.fromLogits);
    checkLabelSmoothing("binary_crossentropy", o.labelSmoothing);
    checkAxis("binary_crossentropy", o.axis);
  },
  kernel: (yTrue, yPred, o, upstream) => binaryCrossentropyKernel(yTrue, yPred, o, upstream),
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
 * bce([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]]);             // 0.86546 (Keras's docstring: 0.8654)
 * bce([[0, 1], [0, 0]], [[-18.6, 0.51], [2.94, -12.8]], [0.8, 0.2]); // 0.24364 (Keras's docstring: 0.243)
 * new BinaryCrossentropy({ reduction: "none" })(
 *   [[0, 1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]],
 *   [[0.6, 0.4], [0.4, 0.6], [0.6, 0.4], [0.8, 0.2]],
 * ).toArray(); // [0.9162907, 0.5919187, 0.7946512, 1.0549202] (Keras, in float32: [0.9162905, 0.5919184, 0.79465103, 1.0549198])
 */
export class BinaryCrossentropy<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: BinaryCrossentropyOptions<R> = {}) {
    super(binaryCrossentropy, withDefaultName(options, "binary_crossentropy"));
  }
}
