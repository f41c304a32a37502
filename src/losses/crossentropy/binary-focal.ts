/**
 * Binary focal crossentropy (`keras.losses.BinaryFocalCrossentropy`). See ./shared.ts for the conventions every crossentropy kernel follows.
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
import { packRows, pairRows, gradientBuffer, LAYOUT_HEADER, type PairRows, meanOver } from "../layout";
import { expf, log1pUnitf, logf } from "../../math/fastmath";
import { epsilon, oneMinusEpsilon, sameShape } from "../../math/constants";
import { runSimdRoute, type SimdRoute } from "../simd-route";
import { simdBinaryFocalCrossentropy, simdBinaryFocalCrossentropyFromLogits, type SimdBinaryFocalOptions } from "../../simd/index";
import { checkAxis, checkLabelSmoothing, classAxisRows, clipHigh, clipLow, power, sameShapeRows } from "./shared";

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

export interface BinaryFocalCrossentropyOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<BinaryFocalCrossentropyConfig> {}

const SIMD_FOCAL: SimdRoute<SimdBinaryFocalOptions> = { loss: "binary_focal_crossentropy", entry: simdBinaryFocalCrossentropy };
const SIMD_FOCAL_LOGITS: SimdRoute<SimdBinaryFocalOptions> = { loss: "binary_focal_crossentropy", entry: simdBinaryFocalCrossentropyFromLogits };

function binaryFocalKernel(
  yTrue: Tensor,
  yPred: Tensor,
  upstream: Upstream | undefined,
  o: KernelOptions<BinaryFocalCrossentropyConfig>,
): KernelResult {
  const simd = runSimdRoute(o.fromLogits ? SIMD_FOCAL_LOGITS : SIMD_FOCAL, yTrue, yPred, o.dtype, o.axis, upstream, {
    applyClassBalancing: o.applyClassBalancing, alpha: o.alpha, gamma: o.gamma, labelSmoothing: o.labelSmoothing,
  });
  if (simd) return simd;
  const { t, p, g, grad, outShape } = sameShapeRows("binary_focal_crossentropy", yTrue, yPred, o.axis, upstream && gradientBuffer(upstream, o.dtype, yPred.size));
  const u = upstream ? upstream(outShape) : null;
  const out = allocate(o.dtype, p.rows);
  const params = Float64Array.of(
    1 - o.labelSmoothing, 0.5 * o.labelSmoothing, o.gamma, o.alpha, clipLow(o.dtype), clipHigh(o.dtype), o.applyClassBalancing ? 1 : 0, o.fromLogits ? 1 : 0,
  );
  const layout = packRows(o.dtype === "float32", t, p, g);
  if (o.fromLogits && o.dtype === "float32") {
    if (g) binaryFocalLogitsFused32(out as Float32Array, g.data as Float32Array, u!, t.data as Float32Array, p.data as Float32Array, layout, params);
    else binaryFocalLogitsValues32(out as Float32Array, t.data as Float32Array, p.data as Float32Array, layout, params);
  } else if (o.fromLogits) binaryFocalLogitsRows(out, g ? g.data : null, u, t.data, p.data, layout, params);
  else binaryFocalRows(out, g ? g.data : null, u, t.data, p.data, layout, params);
  return { values: new Tensor(out, outShape), grad };
}

/**
 * The rows of {@link binaryFocalKernel}, and the gradient when `gd` is given (see
 * {@link bceLogitsRows} for why the loops live apart). The transcendental functions are picked
 * per element (`f32 ? expf(x) : Math.exp(x)`, a branch that always goes the same way): the
 * loop has enough other work that two copies of it would not pay.
 */
function binaryFocalRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const gamma = params[2]!;
  const alpha = params[3]!;
  const lo = params[4]!;
  const hi = params[5]!;
  const applyClassBalancing = params[6] === 1;
  const fromLogits = params[7] === 1;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = u ? u[r]! / n : 0;
    let to = layout[T + r]!, po = layout[P + r]!, go = gd ? layout[G + r]! : 0, sum = 0;
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
    out[r] = meanOver(sum, n);
  }
}

/**
 * The rows of {@link binaryFocalKernel} from logits, without data-dependent branches: with
 * e = e^{-|x|} and s = [x >= 0] as 0 or 1, sigmoid(x) = (s + (1 - s) e) / (1 + e) and
 * max(x, 0) = 0.5 (x + |x|), both exact for finite x (conditionals on random-signed logits are
 * mispredicted branches). A row whose sum is not finite is redone by {@link binaryFocalRows}'s
 * plain terms, so NaN and Infinity come out as before.
 */
function binaryFocalLogitsRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!, f32 = layout[4] === 1;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const gamma = params[2]!;
  const alpha = params[3]!;
  const applyClassBalancing = params[6] === 1;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = u ? u[r]! / n : 0;
    let to = layout[T + r]!, po = layout[P + r]!, go = gd ? layout[G + r]! : 0, sum = 0;
    for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
      const v = pd[po]!, z = td[to]! * keep + shift, a = Math.abs(v);
      const e = f32 ? expf(-a) : Math.exp(-a), s = +(v >= 0);
      const prob = (s + (1 - s) * e) / (1 + e);
      const bce = 0.5 * (v + a) - v * z + (f32 ? log1pUnitf(e) : Math.log1p(e));
      const b = z * (1 - prob) + (1 - z) * prob;
      const focal = gamma === 0 ? 1 : power(b, gamma);
      const weight = applyClassBalancing ? z * alpha + (1 - z) * (1 - alpha) : 1;
      sum += weight * focal * bce;
      if (gd) {
        const dProb = prob * (1 - prob);
        const dFocal = gamma === 0 || dProb === 0 ? 0 : gamma * power(b, gamma - 1) * (1 - 2 * z) * dProb;
        gd[go] = scale * weight * (dFocal * bce + focal * (prob - z));
      }
    }
    if (Math.abs(sum) < Infinity) out[r] = meanOver(sum, n);
    else binaryFocalRowPlain(out, gd, u, td, pd, layout, params, r);
  }
}

/**
 * {@link binaryFocalLogitsRows} for float32, values and the fused gradient apart: one array
 * type and no per-element dtype or gradient checks (33% faster, W14/W14g). The same terms.
 */
function binaryFocalLogitsValues32(out: Float32Array, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!;
  const T = LAYOUT_HEADER, P = T + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const gamma = params[2]!;
  const alpha = params[3]!;
  const applyClassBalancing = params[6] === 1;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    let to = layout[T + r]!, po = layout[P + r]!, sum = 0;
    for (let k = 0; k < n; k++, to += ts, po += ps) {
      const v = pd[po]!, z = td[to]! * keep + shift, a = Math.abs(v);
      const e = expf(-a), s = +(v >= 0);
      const prob = (s + (1 - s) * e) / (1 + e);
      const bce = 0.5 * (v + a) - v * z + log1pUnitf(e);
      const b = z * (1 - prob) + (1 - z) * prob;
      const focal = gamma === 2 ? b * b : power(b, gamma);
      sum += (applyClassBalancing ? z * alpha + (1 - z) * (1 - alpha) : 1) * focal * bce;
    }
    if (Math.abs(sum) < Infinity) out[r] = meanOver(sum, n);
    else binaryFocalRowPlain(out, null, null, td, pd, layout, params, r);
  }
}

function binaryFocalLogitsFused32(out: Float32Array, gd: Float32Array, u: FloatArray, td: Float32Array, pd: Float32Array, layout: Int32Array, params: Float64Array): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!;
  const T = LAYOUT_HEADER, P = T + out.length, G = P + out.length;
  const keep = params[0]!;
  const shift = params[1]!;
  const gamma = params[2]!;
  const alpha = params[3]!;
  const applyClassBalancing = params[6] === 1;
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const scale = u[r]! / n;
    let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!, sum = 0;
    for (let k = 0; k < n; k++, to += ts, po += ps, go += gs) {
      const v = pd[po]!, z = td[to]! * keep + shift, a = Math.abs(v);
      const e = expf(-a), s = +(v >= 0);
      const prob = (s + (1 - s) * e) / (1 + e);
      const bce = 0.5 * (v + a) - v * z + log1pUnitf(e);
      const b = z * (1 - prob) + (1 - z) * prob;
      const bPrev = gamma === 2 ? b : power(b, gamma - 1);
      const focal = gamma === 2 ? b * b : power(b, gamma);
      const weight = applyClassBalancing ? z * alpha + (1 - z) * (1 - alpha) : 1;
      sum += weight * focal * bce;
      const dProb = prob * (1 - prob);
      const dFocal = gamma === 0 || dProb === 0 ? 0 : gamma * bPrev * (1 - 2 * z) * dProb;
      gd[go] = scale * weight * (dFocal * bce + focal * (prob - z));
    }
    if (Math.abs(sum) < Infinity) out[r] = meanOver(sum, n);
    else binaryFocalRowPlain(out, gd, u, td, pd, layout, params, r);
  }
}

/** Row `r` (value, and gradient with `gd`) by {@link binaryFocalRows}'s plain terms: for rows whose branch-free sum is not finite. */
function binaryFocalRowPlain(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, params: Float64Array, r: number): void {
  const rows = out.length, T = LAYOUT_HEADER, P = T + rows, G = P + rows;
  const one = Int32Array.of(layout[0]!, layout[1]!, layout[2]!, layout[3]!, layout[4]!, layout[T + r]!, layout[P + r]!, gd ? layout[G + r]! : 0);
  binaryFocalRows(out.subarray(r, r + 1), gd, u ? u.subarray(r, r + 1) : null, td, pd, one, params);
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
export const binaryFocalCrossentropy = /*#__PURE__*/ defineLossFunction<BinaryFocalCrossentropyConfig>({
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
  kernel: (yTrue, yPred, o, upstream) => binaryFocalKernel(yTrue, yPred, upstream, o),
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
export class BinaryFocalCrossentropy<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: BinaryFocalCrossentropyOptions<R> = {}) {
    super(binaryFocalCrossentropy, withDefaultName(options, "binary_focal_crossentropy"));
  }
}
