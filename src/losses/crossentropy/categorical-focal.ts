/**
 * Categorical focal crossentropy (`keras.losses.CategoricalFocalCrossentropy`). See ./shared.ts for the conventions every crossentropy kernel follows.
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
import { packRows, pairRows, gradientBuffer, LAYOUT_HEADER, type PairRows } from "../layout";
import { expf, log1pUnitf, logf } from "../../math/fastmath";
import { epsilon, oneMinusEpsilon, sameShape } from "../../math/constants";
import { runSimdRoute, type SimdRoute } from "../simd-route";
import { simdCategoricalFocalCrossentropy, simdCategoricalFocalCrossentropyFromLogits, type SimdCategoricalFocalOptions } from "../../simd/index";
import { checkAxis, checkLabelSmoothing, classAxisRows, clipHigh, clipLow, power, sameShapeRows } from "./shared";

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

export interface CategoricalFocalCrossentropyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<CategoricalFocalCrossentropyConfig> {}

const SIMD_FOCAL: SimdRoute<SimdCategoricalFocalOptions> = { loss: "categorical_focal_crossentropy", entry: simdCategoricalFocalCrossentropy };
const SIMD_FOCAL_LOGITS: SimdRoute<SimdCategoricalFocalOptions> = { loss: "categorical_focal_crossentropy", entry: simdCategoricalFocalCrossentropyFromLogits };

function categoricalFocalKernel(
  yTrue: Tensor,
  yPred: Tensor,
  upstream: Upstream | undefined,
  o: KernelOptions<CategoricalFocalCrossentropyConfig>,
): KernelResult {
  const name = "categorical_focal_crossentropy";
  // The SIMD route, unless a wrong number of class weights must throw the message below.
  if (typeof o.alpha === "number" || o.alpha.length === yPred.shape[yPred.rank - 1]) {
    const route = o.fromLogits ? SIMD_FOCAL_LOGITS : SIMD_FOCAL;
    const simd = runSimdRoute(route, yTrue, yPred, o.dtype, o.axis, upstream, { alpha: o.alpha, gamma: o.gamma, labelSmoothing: o.labelSmoothing });
    if (simd) return simd;
  }
  const { t, p, g, grad, outShape, exclusive } = classAxisRows(name, yTrue, yPred, o.axis, upstream && gradientBuffer(upstream, o.dtype, yPred.size));
  const n = p.length;
  const alphas = typeof o.alpha === "number" ? null : Float64Array.from(o.alpha);
  if (alphas && alphas.length !== n) {
    throw new ShapeError(`${name}: alpha has ${alphas.length} values but yPred has ${n} classes along axis ${o.axis} (shape ${formatShape(yPred.shape)})`);
  }
  const alpha = typeof o.alpha === "number" ? o.alpha : 0;
  const u = upstream ? upstream(outShape) : null;
  const out = allocate(o.dtype, p.rows);
  // scratch: the row's probabilities (softmax of the logits, or yPred), then d loss / d q.
  const scratch = new Float64Array(2 * n);
  const scalars = [alpha, 1 - o.labelSmoothing, o.labelSmoothing / n, o.gamma, clipLow(o.dtype), clipHigh(o.dtype), o.fromLogits ? 1 : 0];
  const params = Float64Array.from(alphas ? [...scalars, ...alphas] : scalars);
  const layout = packRows(o.dtype === "float32", t, p, g);
  if (o.fromLogits && !alphas && (!g || exclusive)) {
    // One alpha, no broadcast yPred: the loops below. `labelled` lists a row's labelled classes.
    const labelled = new Int32Array(n);
    const f32 = o.dtype === "float32", tf = t.data, pf = p.data;
    if (g && f32) focalLogitsFused32(out as Float32Array, g.data as Float32Array, u!, tf as Float32Array, pf as Float32Array, layout, params, scratch);
    else if (g) focalLogitsFused64(out as Float64Array, g.data as Float64Array, u!, tf as Float64Array, pf as Float64Array, layout, params, scratch);
    else if (f32) focalLogitsValues32(out as Float32Array, tf as Float32Array, pf as Float32Array, layout, params, scratch, labelled);
    else focalLogitsValues64(out as Float64Array, tf as Float64Array, pf as Float64Array, layout, params, scratch, labelled);
    return { values: new Tensor(out, outShape), grad };
  }
  categoricalFocalRows(out, g ? g.data : null, u, t.data, p.data, layout, params, scratch);
  return { values: new Tensor(out, outShape), grad };
}

/** The rows of {@link categoricalFocalKernel} (see {@link bceLogitsRows} for why the loops live apart). */
function categoricalFocalRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array, scratch: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const alpha = params[0]!;
  const keep = params[1]!;
  const shift = params[2]!;
  const gamma = params[3]!;
  const lo = params[4]!;
  const hi = params[5]!;
  const fromLogits = params[6] === 1;
  // scratch: the row's probabilities, then d loss / d q; per-class alphas follow the scalars in params.
  const probs = scratch.subarray(0, n), dq = gd ? scratch.subarray(n, 2 * n) : null;
  const alphas = params.length > 7 ? params.subarray(7) : null;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
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
    for (let k = 0, go = layout[G + r]!; k < n; k++, go += gs) {
      const dp = dq[k]! - hq;
      gd![go] += fromLogits ? probs[k]! * scale * dp : scale * dp;
    }
  }
}

// Categorical focal crossentropy from logits with one alpha, float32 and float64 loops apart
// (each sees one array type). Only labelled classes (z != 0) add to the value and to h, so the
// exponential pass lists them as it goes (a branch that almost never changes direction: one
// class per one-hot row, every class with soft labels or smoothing), and the value and h loops
// run over that list, in class order, with the same terms as categoricalFocalRows.

function focalLogitsValues32(out: Float32Array, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array, labelE: Float64Array, labelled: Int32Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, T = LAYOUT_HEADER, P = T + out.length;
  const alpha = params[0]!, keep = params[1]!, shift = params[2]!, gamma = params[3]!, lo = params[4]!, hi = params[5]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    // Σ of the exponentials; the labelled classes and their exponentials listed as they come.
    let total = 0, count = 0;
    for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
      const e = expf(pd[po]! - max);
      total += e;
      if (td[to]! * keep + shift !== 0) {
        labelled[count] = k;
        labelE[count++] = e;
      }
    }
    const inv = 1 / total;
    let sum = 0;
    for (let j = 0; j < count; j++) {
      const z = td[t0 + labelled[j]! * ts]! * keep + shift;
      const c = Math.min(Math.max(labelE[j]! * inv, lo), hi);
      sum -= alpha * power(1 - c, gamma) * z * logf(c);
    }
    out[r] = sum;
  }
}

/**
 * Values and gradient (written: yPred is not broadcast). Through the softmax, d/dx_j =
 * scale q_j (h_j - Σ_k h_k q_k) with h = d loss / d q, 0 for unlabelled classes: one pass of
 * `-scale q_j Σ h q` over the row (unrolled by 4 on contiguous rows), then the labelled
 * classes again. `scratch`: the row's exponentials, then h of the labelled classes (listed in
 * `labelled`).
 */
function focalLogitsFused32(out: Float32Array, gd: Float32Array, u: FloatArray, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array, scratch: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const labelled = new Int32Array(n);
  const alpha = params[0]!, keep = params[1]!, shift = params[2]!, gamma = params[3]!, lo = params[4]!, hi = params[5]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    // Two elements per iteration (the same sum in the same order; one per iteration ran
    // 10-15% slower with the stores): the exponentials, and the labelled classes listed.
    let total = 0, count = 0, to = t0, po = p0, k = 0;
    for (; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps) {
      const e0 = expf(pd[po]! - max), e1 = expf(pd[po + ps]! - max);
      scratch[k] = e0;
      scratch[k + 1] = e1;
      total += e0;
      total += e1;
      if (td[to]! * keep + shift !== 0) labelled[count++] = k;
      if (td[to + ts]! * keep + shift !== 0) labelled[count++] = k + 1;
    }
    if (k < n) {
      total += scratch[k] = expf(pd[po]! - max);
      if (td[to]! * keep + shift !== 0) labelled[count++] = k;
    }
    const inv = 1 / total;
    let sum = 0, hq = 0;
    for (let j = 0; j < count; j++) {
      const c0 = labelled[j]!, z = td[t0 + c0 * ts]! * keep + shift;
      const q = scratch[c0]! * inv, c = Math.min(Math.max(q, lo), hi);
      const logC = logf(c), focal = power(1 - c, gamma);
      sum -= alpha * focal * z * logC;
      // d/dc of a (1-c)^g (-z log c) = a z (g (1-c)^{g-1} log c - (1-c)^g / c), 0 where clipped
      const h = c === q ? alpha * z * ((gamma === 0 ? 0 : gamma * power(1 - c, gamma - 1) * logC) - focal / c) : 0;
      scratch[n + j] = h;
      hq += h * q;
    }
    out[r] = sum;
    const scale = u[r]! * inv, g0 = layout[G + r]!, a = -hq;
    if (gs === 1) {
      for (let i = 0; i < n - (n & 3); i += 4) {
        gd[g0 + i] = scratch[i]! * scale * a;
        gd[g0 + i + 1] = scratch[i + 1]! * scale * a;
        gd[g0 + i + 2] = scratch[i + 2]! * scale * a;
        gd[g0 + i + 3] = scratch[i + 3]! * scale * a;
      }
      for (let i = n - (n & 3); i < n; i++) gd[g0 + i] = scratch[i]! * scale * a;
    } else {
      for (let i = 0, go = g0; i < n; i++, go += gs) gd[go] = scratch[i]! * scale * a;
    }
    for (let j = 0; j < count; j++) {
      const c0 = labelled[j]!;
      gd[g0 + c0 * gs] = scratch[c0]! * scale * (scratch[n + j]! - hq);
    }
  }
}

function focalLogitsValues64(out: Float64Array, td: Float64Array, pd: Float64Array, layout: Int32Array, params: Float64Array, labelE: Float64Array, labelled: Int32Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, T = LAYOUT_HEADER, P = T + out.length;
  const alpha = params[0]!, keep = params[1]!, shift = params[2]!, gamma = params[3]!, lo = params[4]!, hi = params[5]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    // Σ of the exponentials; the labelled classes and their exponentials listed as they come.
    let total = 0, count = 0;
    for (let k = 0, to = t0, po = p0; k < n; k++, to += ts, po += ps) {
      const e = Math.exp(pd[po]! - max);
      total += e;
      if (td[to]! * keep + shift !== 0) {
        labelled[count] = k;
        labelE[count++] = e;
      }
    }
    const inv = 1 / total;
    let sum = 0;
    for (let j = 0; j < count; j++) {
      const z = td[t0 + labelled[j]! * ts]! * keep + shift;
      const c = Math.min(Math.max(labelE[j]! * inv, lo), hi);
      sum -= alpha * power(1 - c, gamma) * z * Math.log(c);
    }
    out[r] = sum;
  }
}

/**
 * Values and gradient (written: yPred is not broadcast). Through the softmax, d/dx_j =
 * scale q_j (h_j - Σ_k h_k q_k) with h = d loss / d q, 0 for unlabelled classes: one pass of
 * `-scale q_j Σ h q` over the row (unrolled by 4 on contiguous rows), then the labelled
 * classes again. `scratch`: the row's exponentials, then h of the labelled classes (listed in
 * `labelled`).
 */
function focalLogitsFused64(out: Float64Array, gd: Float64Array, u: FloatArray, td: Float64Array, pd: Float64Array, layout: Int32Array, params: Float64Array, scratch: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const labelled = new Int32Array(n);
  const alpha = params[0]!, keep = params[1]!, shift = params[2]!, gamma = params[3]!, lo = params[4]!, hi = params[5]!;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const t0 = layout[T + r]!, p0 = layout[P + r]!;
    let max = -Infinity;
    for (let k = 0, po = p0; k < n; k++, po += ps) if (pd[po]! > max) max = pd[po]!;
    // Two elements per iteration (the same sum in the same order; one per iteration ran
    // 10-15% slower with the stores): the exponentials, and the labelled classes listed.
    let total = 0, count = 0, to = t0, po = p0, k = 0;
    for (; k < n - (n & 1); k += 2, to += 2 * ts, po += 2 * ps) {
      const e0 = Math.exp(pd[po]! - max), e1 = Math.exp(pd[po + ps]! - max);
      scratch[k] = e0;
      scratch[k + 1] = e1;
      total += e0;
      total += e1;
      if (td[to]! * keep + shift !== 0) labelled[count++] = k;
      if (td[to + ts]! * keep + shift !== 0) labelled[count++] = k + 1;
    }
    if (k < n) {
      total += scratch[k] = Math.exp(pd[po]! - max);
      if (td[to]! * keep + shift !== 0) labelled[count++] = k;
    }
    const inv = 1 / total;
    let sum = 0, hq = 0;
    for (let j = 0; j < count; j++) {
      const c0 = labelled[j]!, z = td[t0 + c0 * ts]! * keep + shift;
      const q = scratch[c0]! * inv, c = Math.min(Math.max(q, lo), hi);
      const logC = Math.log(c), focal = power(1 - c, gamma);
      sum -= alpha * focal * z * logC;
      // d/dc of a (1-c)^g (-z log c) = a z (g (1-c)^{g-1} log c - (1-c)^g / c), 0 where clipped
      const h = c === q ? alpha * z * ((gamma === 0 ? 0 : gamma * power(1 - c, gamma - 1) * logC) - focal / c) : 0;
      scratch[n + j] = h;
      hq += h * q;
    }
    out[r] = sum;
    const scale = u[r]! * inv, g0 = layout[G + r]!, a = -hq;
    if (gs === 1) {
      for (let i = 0; i < n - (n & 3); i += 4) {
        gd[g0 + i] = scratch[i]! * scale * a;
        gd[g0 + i + 1] = scratch[i + 1]! * scale * a;
        gd[g0 + i + 2] = scratch[i + 2]! * scale * a;
        gd[g0 + i + 3] = scratch[i + 3]! * scale * a;
      }
      for (let i = n - (n & 3); i < n; i++) gd[g0 + i] = scratch[i]! * scale * a;
    } else {
      for (let i = 0, go = g0; i < n; i++, go += gs) gd[go] = scratch[i]! * scale * a;
    }
    for (let j = 0; j < count; j++) {
      const c0 = labelled[j]!;
      gd[g0 + c0 * gs] = scratch[c0]! * scale * (scratch[n + j]! - hq);
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
 * // [2.634013e-4, 0.6759121] (Keras, in float32: [2.63401289e-04, 6.75912094e-01])
 */
export const categoricalFocalCrossentropy = /*#__PURE__*/ defineLossFunction<CategoricalFocalCrossentropyConfig>({
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
  kernel: (yTrue, yPred, o, upstream) => categoricalFocalKernel(yTrue, yPred, upstream, o),
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
 * cfce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]);             // 0.2331528 (Keras, in float32: 0.23315276)
 * cfce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]], [0.3, 0.7]); // 0.1632
 */
export class CategoricalFocalCrossentropy<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CategoricalFocalCrossentropyOptions<R> = {}) {
    super(categoricalFocalCrossentropy, withDefaultName(options, "categorical_focal_crossentropy"));
  }
}
