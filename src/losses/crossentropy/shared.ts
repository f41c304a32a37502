/**
 * Pieces the crossentropy losses share: shape checks, option checks, Keras's clip bounds.
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
import { ConfigError, InputError, ShapeError, describeValue, formatShape } from "../../errors";
import { LossFunctionWrapper, type LossOptions } from "../../loss";
import type { KernelResult, Upstream } from "../../kernel";
import { squeezeOrExpandToSameRank } from "../../reduction/rank";
import { elementOffsets, rowsOf, type Rows } from "../../tensor/rows";
import { Tensor, allocate, type DType, type FloatArray } from "../../tensor/tensor";
import { normalizeAxis, squeeze, tryBroadcastShapes } from "../../tensor/views";
import { checkBoolean, checkNumber, defineLossFunction, type KernelOptions } from "../define";
import { pairRows, type PairRows } from "../layout";
import { expf, log1pUnitf, logf } from "../../math/fastmath";
import { epsilon, oneMinusEpsilon, sameShape } from "../../math/constants";

// In float32, Keras's clip bounds are float32 numbers: 1 - 1e-7 becomes 0.99999988, and
// 1 - 0.99999988 = 1.1920929e-7 is what log(1 - p) sees for a prediction of 1.
export const clipLow = epsilon;
export const clipHigh = oneMinusEpsilon;


/**
 * Rows for the losses whose backend op demands equal shapes (`ops.binary_crossentropy`,
 * `ops.categorical_crossentropy`): Keras's `squeeze_or_expand_to_same_rank`, then no
 * broadcasting. Without broadcasting every gradient position is visited once, so these
 * kernels assign (`gd[go] = …`) instead of accumulating.
 */
export function sameShapeRows(lossName: string, yTrue: Tensor, yPred: Tensor, axis: number, gradData?: FloatArray): PairRows {
  const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
  if (!sameShape(t.shape, p.shape)) {
    throw new ShapeError(
      `${lossName}: yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected the same shape ` +
        `(up to a trailing dimension of size 1)`,
    );
  }
  return pairRows(yTrue, yPred, axis, gradData);
}

/**
 * Rows for the categorical focal loss, which Keras writes with broadcasting elementwise ops:
 * yTrue and yPred may broadcast along the other axes, but must agree along the class axis
 * (Keras renormalizes yPred along that axis before broadcasting, so a broadcast class axis
 * would not mean the same thing).
 */
export function classAxisRows(lossName: string, yTrue: Tensor, yPred: Tensor, axis: number, gradData?: FloatArray): PairRows {
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
  return pairRows(yTrue, yPred, axis, gradData);
}

/** `ConfigError` unless `labelSmoothing` is a number in [0, 1]. */
export function checkLabelSmoothing(lossName: string, value: unknown): void {
  checkNumber(lossName, "labelSmoothing", value, { min: 0, max: 1 });
}

export function checkAxis(lossName: string, value: unknown): void {
  checkNumber(lossName, "axis", value, { integer: true });
}

/** `x^e` for the focal factors, with the usual exponents (gamma = 2, and 1 in its derivative) as products. */
export function power(x: number, e: number): number {
  return e === 2 ? x * x : e === 1 ? x : Math.pow(x, e);
}
