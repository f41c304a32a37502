/**
 * Categorical crossentropy (`keras.losses.CategoricalCrossentropy`). See ./shared.ts for the conventions every crossentropy kernel follows.
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
import { runSimdRoute, type SimdRoute } from "../simd-route";
import { simdCategoricalCrossentropy, simdCategoricalCrossentropyFromLogits, type SimdLabelSmoothingOptions } from "../../simd/index";
import { checkAxis, checkLabelSmoothing, classAxisRows, clipHigh, clipLow, power, sameShapeRows } from "./shared";

/** Options of {@link categoricalCrossentropy} and {@link CategoricalCrossentropy}. */
export interface CategoricalCrossentropyConfig {
  /** Whether `yPred` holds logits rather than a probability distribution. Default `false`. */
  fromLogits: boolean;
  /** In [0, 1]: labels become `yTrue * (1 - labelSmoothing) + labelSmoothing / numClasses`. Default `0`. */
  labelSmoothing: number;
  /** The class axis. Default `-1`. */
  axis: number;
}

export interface CategoricalCrossentropyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<CategoricalCrossentropyConfig> {}

const SIMD_CCE: SimdRoute<SimdLabelSmoothingOptions> = { loss: "categorical_crossentropy", entry: simdCategoricalCrossentropy };
const SIMD_CCE_LOGITS: SimdRoute<SimdLabelSmoothingOptions> = { loss: "categorical_crossentropy", entry: simdCategoricalCrossentropyFromLogits };

/** The kernel: the SIMD route when it can run (see ../simd-route.ts), else the JavaScript loops. */
function categoricalCrossentropyKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<CategoricalCrossentropyConfig>, upstream: Upstream | undefined): KernelResult {
  const simd = runSimdRoute(o.fromLogits ? SIMD_CCE_LOGITS : SIMD_CCE, yTrue, yPred, o.dtype, o.axis, upstream, { labelSmoothing: o.labelSmoothing });
  if (simd) return simd;
  return upstream ? categoricalCrossentropyFused(yTrue, yPred, upstream, o) : { values: categoricalCrossentropyForward(yTrue, yPred, o) };
}

function categoricalCrossentropyForward(yTrue: Tensor, yPred: Tensor, o: KernelOptions<CategoricalCrossentropyConfig>): Tensor {
  const { t, p, outShape } = sameShapeRows("categorical_crossentropy", yTrue, yPred, o.axis);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = o.labelSmoothing / p.length;
  const layout = packRows(f32, t, p);
  if (o.fromLogits && f32) cceLogitsRows32(out as Float32Array, t.data as Float32Array, p.data as Float32Array, layout, Float64Array.of(keep, shift));
  else if (o.fromLogits) cceLogitsRows64(out as Float64Array, t.data as Float64Array, p.data as Float64Array, layout, Float64Array.of(keep, shift));
  else cceProbabilityRows(out, null, null, t.data, p.data, layout, Float64Array.of(keep, shift, clipLow(o.dtype), clipHigh(o.dtype)));
  return new Tensor(out, outShape);
}

function categoricalCrossentropyFused(yTrue: Tensor, yPred: Tensor, upstream: Upstream, o: KernelOptions<CategoricalCrossentropyConfig>): KernelResult {
  const { t, p, g, grad, outShape } = sameShapeRows("categorical_crossentropy", yTrue, yPred, o.axis, gradientBuffer(upstream, o.dtype, yPred.size));
  const u = upstream(outShape);
  const out = allocate(o.dtype, p.rows);
  const f32 = o.dtype === "float32", keep = 1 - o.labelSmoothing, shift = o.labelSmoothing / p.length;
  const layout = packRows(f32, t, p, g);
  if (o.fromLogits && f32) cceLogitsGradRows32(out as Float32Array, g!.data as Float32Array, u, t.data as Float32Array, p.data as Float32Array, layout, Float64Array.of(keep, shift), new Float64Array(p.length));
  else if (o.fromLogits) cceLogitsGradRows64(out as Float64Array, g!.data as Float64Array, u, t.data as Float64Array, p.data as Float64Array, layout, Float64Array.of(keep, shift), new Float64Array(p.length));
  else cceProbabilityRows(out, g!.data, u, t.data, p.data, layout, Float64Array.of(keep, shift, clipLow(o.dtype), clipHigh(o.dtype)));
  return { values: new Tensor(out, outShape), grad };
}

// Categorical crossentropy from logits, row by row: `Σ z (lse - x) = (Σ z) log Σ e^{x - max} -
// Σ z (x - max)`, and with a gradient `scale (softmax Σz - z)` (`softmax - z` for labels that
// sum to 1). The loops take only typed arrays and numbers (see src/losses/README.md); float32
// and float64 have their own (expf/logf of ../math/fastmath against Math.*), so that each sees
// one array type. The gradient pass over a contiguous row is unrolled by 4: a store loop of
// one element per iteration runs at about half the speed (bench/README.md).

function cceLogitsRows32(out: Float32Array, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, T = LAYOUT_HEADER, P = T + out.length;
  const keep = params[0]!, shift = params[1]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, sumZ = 0, sumZx = 0;
    for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
      const shifted = pd[po]! - max, z = td[to]! * keep + shift;
      sumExp += expf(shifted);
      sumZ += z;
      sumZx += z * shifted;
    }
    out[r] = sumZ * logf(sumExp) - sumZx;
  }
}

/** Values and gradient (written), keeping the row's exponentials in `exps`. */
function cceLogitsGradRows32(out: Float32Array, gd: Float32Array, u: FloatArray, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array, exps: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!, shift = params[1]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!, g0 = layout[G + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, sumZ = 0, sumZx = 0, to = t0, po = p0;
    // Two elements per iteration (the same sums in the same order): with the store of the
    // exponentials, the loop of one element per iteration ran 15% slower.
    for (let k = 0; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps) {
      const s0 = pd[po]! - max, z0 = td[to]! * keep + shift;
      const s1 = pd[po + ps]! - max, z1 = td[to + ts]! * keep + shift;
      const e0 = expf(s0), e1 = expf(s1);
      exps[k] = e0;
      exps[k + 1] = e1;
      sumExp += e0;
      sumZ += z0;
      sumZx += z0 * s0;
      sumExp += e1;
      sumZ += z1;
      sumZx += z1 * s1;
    }
    if (n & 1) {
      const shifted = pd[po]! - max, z = td[to]! * keep + shift;
      const e = expf(shifted);
      exps[n - 1] = e;
      sumExp += e;
      sumZ += z;
      sumZx += z * shifted;
    }
    out[r] = sumZ * logf(sumExp) - sumZx;
    const scale = u[r]!, softmaxScale = sumZ / sumExp;
    if (ts === 1 && gs === 1) {
      for (let k = 0; k < n - (n & 3); k += 4) {
        gd[g0 + k] = scale * (exps[k]! * softmaxScale - (td[t0 + k]! * keep + shift));
        gd[g0 + k + 1] = scale * (exps[k + 1]! * softmaxScale - (td[t0 + k + 1]! * keep + shift));
        gd[g0 + k + 2] = scale * (exps[k + 2]! * softmaxScale - (td[t0 + k + 2]! * keep + shift));
        gd[g0 + k + 3] = scale * (exps[k + 3]! * softmaxScale - (td[t0 + k + 3]! * keep + shift));
      }
      for (let k = n - (n & 3); k < n; k++) gd[g0 + k] = scale * (exps[k]! * softmaxScale - (td[t0 + k]! * keep + shift));
    } else {
      for (let k = 0, to = t0, go = g0; k < n; k++, to += ts, go += gs) gd[go] = scale * (exps[k]! * softmaxScale - (td[to]! * keep + shift));
    }
  }
}

function cceLogitsRows64(out: Float64Array, td: Float64Array, pd: Float64Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, T = LAYOUT_HEADER, P = T + out.length;
  const keep = params[0]!, shift = params[1]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, sumZ = 0, sumZx = 0;
    for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
      const shifted = pd[po]! - max, z = td[to]! * keep + shift;
      sumExp += Math.exp(shifted);
      sumZ += z;
      sumZx += z * shifted;
    }
    out[r] = sumZ * Math.log(sumExp) - sumZx;
  }
}

/** Values and gradient (written), keeping the row's exponentials in `exps`. */
function cceLogitsGradRows64(out: Float64Array, gd: Float64Array, u: FloatArray, td: Float64Array, pd: Float64Array, layout: Int32Array, params: Float64Array, exps: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!, shift = params[1]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!, g0 = layout[G + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    let sumExp = 0, sumZ = 0, sumZx = 0, to = t0, po = p0;
    for (let k = 0; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps) {
      const s0 = pd[po]! - max, z0 = td[to]! * keep + shift;
      const s1 = pd[po + ps]! - max, z1 = td[to + ts]! * keep + shift;
      const e0 = Math.exp(s0), e1 = Math.exp(s1);
      exps[k] = e0;
      exps[k + 1] = e1;
      sumExp += e0;
      sumZ += z0;
      sumZx += z0 * s0;
      sumExp += e1;
      sumZ += z1;
      sumZx += z1 * s1;
    }
    if (n & 1) {
      const shifted = pd[po]! - max, z = td[to]! * keep + shift;
      const e = Math.exp(shifted);
      exps[n - 1] = e;
      sumExp += e;
      sumZ += z;
      sumZx += z * shifted;
    }
    out[r] = sumZ * Math.log(sumExp) - sumZx;
    const scale = u[r]!, softmaxScale = sumZ / sumExp;
    if (ts === 1 && gs === 1) {
      for (let k = 0; k < n - (n & 3); k += 4) {
        gd[g0 + k] = scale * (exps[k]! * softmaxScale - (td[t0 + k]! * keep + shift));
        gd[g0 + k + 1] = scale * (exps[k + 1]! * softmaxScale - (td[t0 + k + 1]! * keep + shift));
        gd[g0 + k + 2] = scale * (exps[k + 2]! * softmaxScale - (td[t0 + k + 2]! * keep + shift));
        gd[g0 + k + 3] = scale * (exps[k + 3]! * softmaxScale - (td[t0 + k + 3]! * keep + shift));
      }
      for (let k = n - (n & 3); k < n; k++) gd[g0 + k] = scale * (exps[k]! * softmaxScale - (td[t0 + k]! * keep + shift));
    } else {
      for (let k = 0, to = t0, go = g0; k < n; k++, to += ts, go += gs) gd[go] = scale * (exps[k]! * softmaxScale - (td[to]! * keep + shift));
    }
  }
}

/**
 * Categorical crossentropy on probabilities, row by row: renormalize the row to sum to 1,
 * clip, `-Σ z log q`. With `gd`, also the gradient: with q = p / Σp and h_k = d loss / d q_k =
 * -z_k / q_k (0 where clipped), d loss / d p_j = (h_j - Σ_k h_k q_k) / Σp.
 */
function cceProbabilityRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const lo = params[2]!;
  const hi = params[3]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
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
    for (let k = 0, to = t0, po = p0, go = layout[G + r]!; k < n; k++, to += ts, po += ps, go += gs) {
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
export const categoricalCrossentropy = /*#__PURE__*/ defineLossFunction<CategoricalCrossentropyConfig>({
  name: "categorical_crossentropy",
  defaults: { fromLogits: false, labelSmoothing: 0, axis: -1 },
  validate(o) {
    checkBoolean("categorical_crossentropy", "fromLogits", o.fromLogits);
    checkLabelSmoothing("categorical_crossentropy", o.labelSmoothing);
    checkAxis("categorical_crossentropy", o.axis);
  },
  kernel: (yTrue, yPred, o, upstream) => categoricalCrossentropyKernel(yTrue, yPred, o, upstream),
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
export class CategoricalCrossentropy<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CategoricalCrossentropyOptions<R> = {}) {
    super(categoricalCrossentropy, withDefaultName(options, "categorical_crossentropy"));
  }
}
