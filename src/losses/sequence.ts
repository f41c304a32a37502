/**
 * Sequence losses: CTC (Connectionist Temporal Classification).
 *
 * Keras's `keras.losses.ctc` calls `ops.ctc_loss`, which on the TensorFlow backend is
 * `tf.nn.ctc_loss` with dense labels, i.e. TensorFlow's `ctc_loss_dense`: a log-space
 * forward-backward over the blank-augmented label sequence of the whole padded label
 * row, with blank index 0 and a `log_softmax` of the logits. The kernels below run the
 * same recursion per sample (forward α, backward β), in doubles.
 */
import { InputError, ShapeError, formatShape } from "../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { checkSize } from "../tensor/limits";
import { defineLossFunction } from "./define";
import type { KernelResult, Upstream } from "../kernel";

/**
 * TensorFlow's "log of zero" for the start and end state weights of its dense CTC:
 * `float32(log(1e-307))` ≈ -706.89. A path that ends in a state other than the two
 * final ones still counts, with weight `exp(CTC_LOG_ZERO)`; this is why a label sequence
 * that cannot be aligned gives a finite loss (≈ 707) in Keras, not `Infinity`. (TF also
 * gives its non-start initial states this weight, but its likelihood is read from the
 * backward pass at the start state, so only the end weights enter the value.)
 */
const CTC_LOG_ZERO = /*#__PURE__*/ Math.fround(/*#__PURE__*/ Math.log(1e-307));

/** yTrue `[B, L]` and yPred `[B, T, C]`, checked. */
interface CtcShapes {
  batch: number;
  frames: number;
  classes: number;
  /** The padded label length `L` (TensorFlow's `max_label_seq_length`). */
  maxLabelLength: number;
}

function ctcShapes(yTrue: Tensor, yPred: Tensor): CtcShapes {
  if (yTrue.rank !== 2) {
    throw new ShapeError(
      `yTrue must have shape [batch, maxLabelLength] (integer labels, 0 = blank/padding), received shape ${formatShape(yTrue.shape)}`,
    );
  }
  if (yPred.rank !== 3) {
    throw new ShapeError(`yPred must have shape [batch, frames, classes] (logits), received shape ${formatShape(yPred.shape)}`);
  }
  if (yTrue.shape[0] !== yPred.shape[0]) {
    throw new ShapeError(
      `yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected the same batch size (first dimension)`,
    );
  }
  if (yPred.shape[2] === 0) {
    throw new ShapeError(`yPred has shape ${formatShape(yPred.shape)}; expected at least one class (class 0 is the blank)`);
  }
  return { batch: yPred.shape[0]!, frames: yPred.shape[1]!, classes: yPred.shape[2]!, maxLabelLength: yTrue.shape[1]! };
}

/**
 * Per-call scratch, reused for every sample. The extended label sequence has
 * `S = 2L + 1` states: even `s` is a blank, odd `s = 2k - 1` is label `k`.
 */
interface CtcWorkspace {
  /** Class of each state. */
  ext: Int32Array;
  /** 1 where the state may be entered from `s - 2` (a label differing from the previous label). */
  skip: Uint8Array;
  /** `log Σ_c exp(x[t, c])` per frame. */
  logNorm: Float64Array;
  /** α: all `T` rows (`T × S`) for the gradient, or two rolling rows for the value alone. */
  alpha: Float64Array;
  storeAlpha: boolean;
  beta?: Float64Array;
  next?: Float64Array;
  occupancy?: Float64Array;
  frameGrad?: Float64Array;
}

function workspace(shapes: CtcShapes, withGradient: boolean): CtcWorkspace {
  const states = 2 * shapes.maxLabelLength + 1;
  if (withGradient) checkSize(shapes.frames * states, `CTC's gradient scratch (frames ${shapes.frames} × label states ${states})`);
  const ws: CtcWorkspace = {
    ext: new Int32Array(states),
    skip: new Uint8Array(states),
    logNorm: new Float64Array(shapes.frames),
    alpha: new Float64Array((withGradient ? Math.max(shapes.frames, 1) : 2) * states),
    storeAlpha: withGradient,
  };
  if (withGradient) {
    ws.beta = new Float64Array(states);
    ws.next = new Float64Array(states);
    ws.occupancy = new Float64Array(states);
    ws.frameGrad = new Float64Array(shapes.classes);
  }
  return ws;
}

/**
 * Read row `b` of the labels into the extended sequence; returns Keras's label length,
 * the number of non-zero labels in the row (`sum(y_true != 0)`). As in TensorFlow, the
 * recursion covers the whole padded row and the label length only picks the final states.
 */
function readLabels(yTrue: Tensor, b: number, classes: number, ws: CtcWorkspace): number {
  const { ext, skip } = ws;
  const length = yTrue.shape[1]!;
  const stride = yTrue.strides[1]!;
  let position = yTrue.offset + b * yTrue.strides[0]!;
  let nonZero = 0;
  let previous = NaN;
  for (let k = 0; k < length; k++, position += stride) {
    const label = yTrue.data[position]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new InputError(
        `yTrue must hold integer labels in [0, ${classes - 1}] (1..${classes - 1} are classes, 0 is the blank/padding), ` +
          `received ${label} at [${b}, ${k}]`,
      );
    }
    if (label !== 0) nonZero++;
    ext[2 * k] = 0;
    ext[2 * k + 1] = label;
    skip[2 * k] = 0;
    // TensorFlow's label-to-label transition: allowed unless the two labels are equal.
    skip[2 * k + 1] = k > 0 && label !== previous ? 1 : 0;
    previous = label;
  }
  ext[2 * length] = 0;
  skip[2 * length] = 0;
  return nonZero;
}

/** `log Σ_c exp(x[b, t, c])` for every frame of sample `b` (max-shifted, stable for ±1e4). */
function frameLogNorms(x: FloatArray, base: number, strideT: number, strideC: number, frames: number, classes: number, out: Float64Array): void {
  for (let t = 0, xt = base; t < frames; t++, xt += strideT) {
    let max = -Infinity;
    for (let c = 0, xo = xt; c < classes; c++, xo += strideC) {
      const v = x[xo]!;
      if (v > max || v !== v) max = v;
    }
    if (max === -Infinity || max !== max) {
      out[t] = max;
      continue;
    }
    let sum = 0;
    for (let c = 0, xo = xt; c < classes; c++, xo += strideC) sum += Math.exp(x[xo]! - max);
    out[t] = max + Math.log(sum);
  }
}

/** `log(e^a + e^b)`: one `exp` and one `log1p`; NaN propagates. */
function logSumExp2(a: number, b: number): number {
  let max = a, rest = b;
  if (b > a) {
    max = b;
    rest = a;
  }
  if (rest === -Infinity) return max;
  return max + Math.log1p(Math.exp(rest - max));
}

/** `log(e^a + e^b + e^c)`: two `exp` and one `log1p`; NaN propagates. */
function logSumExp3(a: number, b: number, c: number): number {
  let max: number, r1: number, r2: number;
  if (a >= b) {
    if (a >= c) (max = a), (r1 = b), (r2 = c);
    else (max = c), (r1 = a), (r2 = b);
  } else if (b >= c) (max = b), (r1 = a), (r2 = c);
  else (max = c), (r1 = a), (r2 = b);
  if (max === -Infinity) return max;
  return max + Math.log1p(Math.exp(r1 - max) + Math.exp(r2 - max));
}

/** Weight (log) of ending in state `s`: 0 for the two final states, `CTC_LOG_ZERO` otherwise. */
function finalWeight(s: number, labelLength: number): number {
  return s === 2 * labelLength || s === 2 * labelLength - 1 ? 0 : CTC_LOG_ZERO;
}

/**
 * Forward (α) recursion for sample `b`; returns `log Z`, the log of the (final-weighted)
 * probability of all alignments:
 *
 * `α_0(0) = lp_0(blank)`, `α_0(1) = lp_0(l_1)`,
 * `α_t(s) = lp_t(ext_s) + logsumexp(α_{t-1}(s), α_{t-1}(s-1), α_{t-1}(s-2) if skip_s)`,
 * `log Z = logsumexp_s(α_{T-1}(s) + final_s)`, with `lp = log_softmax(x)`.
 */
function forwardPass(x: FloatArray, base: number, strideT: number, strideC: number, frames: number, labelLength: number, ws: CtcWorkspace): number {
  const { ext, skip, logNorm, alpha } = ws;
  const states = ext.length;
  // All rows (t * S) when the gradient needs them, else two rolling rows.
  const store = ws.storeAlpha;
  let cur = 0;
  for (let s = 0; s < states; s++) alpha[cur + s] = -Infinity;
  alpha[cur] = x[base]! - logNorm[0]!;
  if (states > 1) alpha[cur + 1] = x[base + ext[1]! * strideC]! - logNorm[0]!;
  for (let t = 1, xt = base + strideT; t < frames; t++, xt += strideT) {
    const prev = cur;
    cur = store ? t * states : (t & 1) * states;
    const norm = logNorm[t]!;
    // States past 2t + 1 cannot be reached yet.
    const top = Math.min(states - 1, 2 * t + 1);
    alpha[cur] = alpha[prev]! + x[xt]! - norm;
    for (let s = 1; s <= top; s++) {
      const stay = alpha[prev + s]!;
      const step = alpha[prev + s - 1]!;
      const sum = skip[s] ? logSumExp3(stay, step, alpha[prev + s - 2]!) : logSumExp2(stay, step);
      alpha[cur + s] = sum + x[xt + ext[s]! * strideC]! - norm;
    }
    for (let s = top + 1; s < states; s++) alpha[cur + s] = -Infinity;
  }
  let max = -Infinity;
  for (let s = 0; s < states; s++) {
    const v = alpha[cur + s]! + finalWeight(s, labelLength);
    if (v > max || v !== v) max = v;
  }
  if (max === -Infinity || max !== max) return max;
  let sum = 0;
  for (let s = 0; s < states; s++) sum += Math.exp(alpha[cur + s]! + finalWeight(s, labelLength) - max);
  return max + Math.log(sum);
}

/**
 * Backward (β) recursion for sample `b`, adding `u · d(-log Z)/dx` into the gradient:
 *
 * `β_{T-1}(s) = final_s`,
 * `β_t(s) = logsumexp over s' ∈ {s, s+1, s+2 if skip_{s+2}} of (β_{t+1}(s') + lp_{t+1}(ext_{s'}))`,
 * `γ_t(s) = exp(α_t(s) + β_t(s)) / Σ_s' exp(α_t(s') + β_t(s'))` (the state occupancy),
 * `d(-log Z)/dx[t, c] = softmax(x_t)[c] - Σ_{s: ext_s = c} γ_t(s)`.
 */
function backwardPass(
  x: FloatArray,
  base: number,
  frameLayout: CtcFrameLayout,
  labelLength: number,
  upstream: number,
  grad: FloatArray,
  gradBase: number,
  ws: CtcWorkspace,
): void {
  const { strideT, strideC, frames, classes } = frameLayout;
  const { ext, skip, logNorm, alpha } = ws;
  const beta = ws.beta!, next = ws.next!, occupancy = ws.occupancy!, frameGrad = ws.frameGrad!;
  const states = ext.length;
  for (let s = 0; s < states; s++) beta[s] = finalWeight(s, labelLength);
  for (let t = frames - 1; t >= 0; t--) {
    const xt = base + t * strideT;
    if (t < frames - 1) {
      const xn = xt + strideT;
      const norm = logNorm[t + 1]!;
      for (let s = 0; s < states; s++) next[s] = beta[s]! + x[xn + ext[s]! * strideC]! - norm;
      for (let s = 0; s < states; s++) {
        const stay = next[s]!;
        if (s + 1 >= states) beta[s] = stay;
        else if (s + 2 < states && skip[s + 2]) beta[s] = logSumExp3(stay, next[s + 1]!, next[s + 2]!);
        else beta[s] = logSumExp2(stay, next[s + 1]!);
      }
    }
    // Occupancy of each state at t, normalized per frame (Σ_s γ_t(s) = 1).
    const row = t * states;
    let max = -Infinity;
    for (let s = 0; s < states; s++) {
      const w = alpha[row + s]! + beta[s]!;
      occupancy[s] = w;
      if (w > max || w !== w) max = w;
    }
    let total = 0;
    for (let s = 0; s < states; s++) {
      const e = Math.exp(occupancy[s]! - max);
      occupancy[s] = e;
      total += e;
    }
    const norm = logNorm[t]!;
    for (let c = 0, xo = xt; c < classes; c++, xo += strideC) frameGrad[c] = Math.exp(x[xo]! - norm);
    for (let s = 0; s < states; s++) frameGrad[ext[s]!] -= occupancy[s]! / total;
    const gt = gradBase + t * classes;
    for (let c = 0; c < classes; c++) grad[gt + c] += upstream * frameGrad[c]!;
  }
}

/** Loss of a sample with no frames: TensorFlow's likelihood is the final weight of its start state. */
function emptyInputLoss(labelLength: number): number {
  return labelLength === 0 ? 0 : -CTC_LOG_ZERO;
}

/** How one sample's logits lie in yPred's data: frame and class strides, and the counts. */
interface CtcFrameLayout {
  strideT: number;
  strideC: number;
  frames: number;
  classes: number;
}

function runCtc(yTrue: Tensor, yPred: Tensor, dtype: "float32" | "float64", upstream?: Upstream): KernelResult {
  const shapes = ctcShapes(yTrue, yPred);
  const { batch, frames, classes } = shapes;
  const outShape = [batch];
  const u = upstream?.(outShape);
  const ws = workspace(shapes, u !== undefined);
  const values = allocate(dtype, batch);
  const grad = u ? allocate(dtype, batch * frames * classes) : undefined;
  const x = yPred.data;
  const [strideB, strideT, strideC] = yPred.strides as [number, number, number];
  const frameLayout: CtcFrameLayout = { strideT, strideC, frames, classes };
  for (let b = 0; b < batch; b++) {
    const labelLength = readLabels(yTrue, b, classes, ws);
    if (frames === 0) {
      values[b] = emptyInputLoss(labelLength);
      continue;
    }
    const base = yPred.offset + b * strideB;
    frameLogNorms(x, base, strideT, strideC, frames, classes, ws.logNorm);
    values[b] = -forwardPass(x, base, strideT, strideC, frames, labelLength, ws);
    const upstream = u ? u[b]! : 0;
    if (upstream !== 0) backwardPass(x, base, frameLayout, labelLength, upstream, grad!, b * frames * classes, ws);
  }
  return { values: new Tensor(values, outShape), grad: grad ? new Tensor(grad, yPred.shape) : undefined };
}

/**
 * CTC (Connectionist Temporal Classification) loss: the negative log-probability of the
 * label sequence under all frame-wise alignments of the logits.
 *
 * `loss = -log Σ_{π ∈ B⁻¹(y)} Π_t softmax(yPred[t])[π_t]`, where `B` removes repeated
 * classes and then blanks (class 0). Computed as Keras does (TensorFlow's dense
 * `tf.nn.ctc_loss`, blank index 0): a log-space forward recursion over the
 * blank-augmented label row, with `log_softmax` of the logits.
 *
 * - `yTrue`: `[batch, maxLabelLength]` integer labels in `1..C-1`, padded with 0. The
 *   label length of a row is its number of non-zero entries and the first that many
 *   entries are the labels (as in Keras; a 0 among them is read as class 0).
 * - `yPred`: `[batch, frames, C]` logits (not softmax-normalized); every frame counts.
 * - Returns: `[batch]` per-sample losses. No options.
 *
 * A label sequence that no alignment can produce (too long for `frames`) gives a finite
 * loss near 707 (TensorFlow's `log(1e-307)` floor on the end states), not `Infinity`;
 * the same floor caps the loss of a hopeless prediction near 707.
 *
 * Gradient (with respect to the logits): `softmax(yPred[t]) - γ_t`, with `γ_t[c]` the
 * posterior probability of being in a state of class `c` at frame `t` (alpha-beta). It is
 * the exact derivative of the value, also where TensorFlow's hand-written gradient is
 * not: a 0 inside the label length (TF drops that state's occupancy) and the floored
 * regime above (TF's posterior also counts paths from its floored start states).
 *
 * @example
 * // Keras ops/nn_test.py: labels [1, 2, 1] over 3 frames of 3 classes
 * ctc([[1, 2, 1]], [[[0.4, 0.8, 0.4], [0.2, 0.8, 0.3], [0.9, 0.4, 0.5]]]).toArray() // [3.4411672]
 *
 * Reference: Graves et al., 2006, "Connectionist Temporal Classification: Labelling
 * Unsegmented Sequence Data with Recurrent Neural Networks" (ICML),
 * https://www.cs.toronto.edu/~graves/icml_2006.pdf
 */
export const ctc = /*#__PURE__*/ defineLossFunction({
  name: "ctc",
  defaults: {},
  kernel: (yTrue, yPred, options, upstream) => runCtc(yTrue, yPred, options.dtype, upstream),
});

/** Options of {@link CTC}: `reduction`, `name`, `dtype`. */
export type CTCOptions<R extends ReductionOption = ReductionOption> = LossOptions<R>;

/**
 * CTC (Connectionist Temporal Classification) loss, as Keras's `keras.losses.CTC`: the
 * `ctc` per-sample losses, weighted and reduced (default `"sum_over_batch_size"`).
 *
 * `yTrue`: `[batch, maxLabelLength]` integer labels (0 = blank/padding); `yPred`:
 * `[batch, frames, classes]` logits. Options: `reduction`, `name` (default `"ctc"`),
 * `dtype`.
 *
 * @example
 * // logits[b][t][c] = (12 b + 3 t + c - 12) / 100, shape [2, 4, 3]
 * new CTC()([[1, 2, 1, 0], [1, 2, 0, 2]], logits) // 2.44865 (Keras: 2.448645)
 *
 * Reference: Graves et al., 2006, https://www.cs.toronto.edu/~graves/icml_2006.pdf
 */
export class CTC<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CTCOptions<R> = {}) {
    super(ctc, withDefaultName(options, "ctc"));
  }
}
