/**
 * Sequence losses: CTC (Connectionist Temporal Classification).
 *
 * Keras's `keras.losses.ctc` calls `ops.ctc_loss`, which on the TensorFlow backend is
 * `tf.nn.ctc_loss` with dense labels, i.e. TensorFlow's `ctc_loss_dense`: a log-space
 * forward-backward over the blank-augmented label sequence of the whole padded label
 * row, with blank index 0 and a `log_softmax` of the logits. The kernels (ctc-kernels.ts:
 * softmax and forward α; ctc-backward.ts: backward β and the gradient) run the same
 * recursion per sample, in doubles: in linear form with a per-frame scale while every
 * reachable state stays a normal double, in log form otherwise (see ctc-kernels.ts).
 */
import { InputError, ShapeError, formatShape } from "../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import { Tensor, allocate } from "../tensor/tensor";
import { checkSize } from "../tensor/limits";
import { defineLossFunction } from "./define";
import { gradientBuffer } from "./layout";
import {
  CTC_LOG_ZERO, G_BASE, G_CLASSES, G_F32, G_FRAMES, G_GRAD, G_LABEL_LENGTH, G_SIZE, G_STATES, G_STORE, G_STRIDE_C, G_STRIDE_T,
  alphaSize, ctcForward, ctcFrameNorms, ctcReach, framesSize, labSize, workSize,
} from "./ctc-kernels";
import { ctcBackward } from "./ctc-backward";
import type { KernelResult, Upstream } from "../kernel";

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
 * Read row `b` of the labels into the extended sequence (`lab`: class of each of the
 * `S = 2L + 1` states at `[0, S)`, even `s` a blank, odd `s = 2k - 1` label `k`; at `S + s`
 * 1 where state `s` may be entered from `s - 2`, a label differing from the previous
 * label; two trailing zeros). Returns Keras's label length, the number of non-zero labels in
 * the row (`sum(y_true != 0)`). As in TensorFlow, the recursion covers the whole padded row
 * and the label length only picks the final states.
 */
function readLabels(yTrue: Tensor, b: number, classes: number, lab: Int32Array): number {
  const length = yTrue.shape[1]!;
  const states = 2 * length + 1;
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
    lab[2 * k] = 0;
    lab[2 * k + 1] = label;
    lab[states + 2 * k] = 0;
    // TensorFlow's label-to-label transition: allowed unless the two labels are equal.
    lab[states + 2 * k + 1] = k > 0 && label !== previous ? 1 : 0;
    previous = label;
  }
  lab[2 * length] = 0;
  lab[states + 2 * length] = 0;
  lab[states + 2 * length + 1] = 0;
  lab[states + 2 * length + 2] = 0;
  return nonZero;
}

/** Loss of a sample with no frames: TensorFlow's likelihood is the final weight of its start state. */
function emptyInputLoss(labelLength: number): number {
  return labelLength === 0 ? 0 : -CTC_LOG_ZERO;
}

function runCtc(yTrue: Tensor, yPred: Tensor, dtype: "float32" | "float64", upstream?: Upstream): KernelResult {
  const shapes = ctcShapes(yTrue, yPred);
  const { batch, frames, classes, maxLabelLength } = shapes;
  const states = 2 * maxLabelLength + 1;
  const outShape = [batch];
  const u = upstream?.(outShape);
  const withGradient = u !== undefined;
  if (withGradient) checkSize(alphaSize(frames, states, true), `CTC's gradient scratch (frames ${frames} × label states ${states})`);
  checkSize(framesSize(frames, classes), `CTC's softmax scratch (frames ${frames} × classes ${classes})`);
  const values = allocate(dtype, batch);
  const grad = upstream && u ? gradientBuffer(upstream, dtype, batch * frames * classes) : undefined;
  // Per-call scratch, reused for every sample.
  const lab = new Int32Array(labSize(states));
  const perFrame = new Float64Array(framesSize(frames, classes));
  const alpha = new Float64Array(alphaSize(frames, states, withGradient));
  const work = new Float64Array(workSize(states, classes));
  const geo = new Int32Array(G_SIZE);
  const x = yPred.data;
  const [strideB, strideT, strideC] = yPred.strides as [number, number, number];
  geo[G_STRIDE_T] = strideT;
  geo[G_STRIDE_C] = strideC;
  geo[G_FRAMES] = frames;
  geo[G_CLASSES] = classes;
  geo[G_STATES] = states;
  geo[G_F32] = dtype === "float32" ? 1 : 0;
  geo[G_STORE] = withGradient ? 1 : 0;
  for (let b = 0; b < batch; b++) {
    const labelLength = readLabels(yTrue, b, classes, lab);
    if (frames === 0) {
      values[b] = emptyInputLoss(labelLength);
      continue;
    }
    geo[G_BASE] = yPred.offset + b * strideB;
    geo[G_LABEL_LENGTH] = labelLength;
    geo[G_GRAD] = b * frames * classes;
    ctcReach(lab, geo);
    ctcFrameNorms(x, perFrame, geo);
    values[b] = -ctcForward(x, lab, perFrame, alpha, work, geo);
    const ub = u ? u[b]! : 0;
    if (ub !== 0) {
      work[0] = ub;
      ctcBackward(x, lab, perFrame, alpha, work, grad!, geo);
    }
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
