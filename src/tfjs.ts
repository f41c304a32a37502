/**
 * A bridge to TensorFlow.js without depending on it: the caller passes its own `tf`
 * namespace, and losskit uses a handful of its functions (`customGrad`, `tensor`, `scalar`,
 * `zeros`, `mul`). Inputs are read through the tensors' own `dataSync()` (see `tensor/foreign.ts`).
 */
import { ConfigError, InputError, describeValue } from "./errors";
import { Loss } from "./loss";
import { getLoss } from "./registry";
import { isForeignTensor, type TfjsTensorLike } from "./tensor/foreign";
import type { Tensor } from "./tensor/tensor";

/**
 * The part of the TensorFlow.js namespace (`import * as tf from "@tensorflow/tfjs"`) that
 * {@link toTfjsLoss} uses. Typed loosely so that any tfjs version's `tf` fits.
 */
export interface TfjsNamespace {
  customGrad(f: (...inputs: any[]) => { value: any; gradFunc: (dy: any, saved: any[]) => any }): (...inputs: any[]) => any;
  tensor(values: any, shape?: any, dtype?: any): any;
  scalar(value: any, dtype?: any): any;
  zeros(shape: any, dtype?: any): any;
  mul(a: any, b: any): any;
}

/** What {@link toTfjsLoss} returns: `(yTrue, yPred) => tf.Scalar`, for `model.compile({ loss })` and custom loops. */
export type TfjsLossFunction<TF extends TfjsNamespace> = (yTrue: TfjsTensorOf<TF>, yPred: TfjsTensorOf<TF>) => ReturnType<TF["scalar"]>;

/** `tf.Tensor` of a given `tf` namespace (what its `tf.tensor` returns). */
export type TfjsTensorOf<TF extends TfjsNamespace> = ReturnType<TF["tensor"]>;

/** A Tensor's values as a flat row-major typed array (its own buffer when that already is one). */
function flatData(t: Tensor): ArrayLike<number> {
  return t.isContiguous && t.offset === 0 && t.data.length === t.size ? t.data : t.toTypedArray();
}

function checkNamespace(tf: unknown): asserts tf is TfjsNamespace {
  if (tf === null || (typeof tf !== "object" && typeof tf !== "function")) {
    throw new ConfigError(`toTfjsLoss needs the TensorFlow.js namespace as its second argument (toTfjsLoss(loss, tf)), received ${describeValue(tf)}`);
  }
  for (const fn of ["customGrad", "tensor", "scalar", "zeros", "mul"]) {
    if (typeof (tf as Record<string, unknown>)[fn] !== "function") {
      throw new ConfigError(`toTfjsLoss: tf.${fn} is not a function; pass the TensorFlow.js namespace (import * as tf from "@tensorflow/tfjs")`);
    }
  }
}

/**
 * A TensorFlow.js loss function made of a losskit loss: `(yTrue, yPred) => tf.Scalar`,
 * computed by losskit's fused kernels and differentiated by its analytic gradient
 * (`tf.customGrad`), so it trains models in `model.compile({ loss })` and in custom loops
 * (`optimizer.minimize(() => lossFn(labels, model.apply(x)))`). losskit imports nothing from
 * TensorFlow.js: you pass your `tf`.
 *
 * - Value: what `loss(yTrue, yPred)` returns, as a float32 `tf.Scalar` (for reduction
 *   `"none"`, a tensor of per-sample values, typed as a scalar: cast it). Use `"none"` with
 *   tfjs-layers' `classWeight`, which multiplies the returned values by each sample's weight.
 * - Gradient with respect to `yPred`: `loss.valueAndGrad`'s, times the upstream gradient
 *   (for `"none"`, the vector-Jacobian product with it); with respect to `yTrue`: zeros (labels
 *   are data; losskit does not differentiate them).
 * - Inputs: `tf.Tensor`s of dtype float32, int32 or bool (labels may be float32 or int32).
 *   Values are read with `dataSync()`: on the CPU and WASM backends that is the tensor's own
 *   buffer; on WebGL/WebGPU it is a synchronous download.
 *
 * `loss` is a Loss instance or any name `getLoss` accepts (`"sparse_categorical_crossentropy"`).
 * Throws a `ConfigError` for anything else or a `tf` without `customGrad`.
 *
 * Reference: TensorFlow.js `tf.customGrad`; tfjs-layers `LayersModel.compile`.
 *
 * @example
 * const lossFn = toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true }), tf);
 * lossFn(tf.tensor1d([0, 2]), tf.tensor2d([[2, 1, 0], [0, 1, 2]])).dataSync()[0]; // 0.4076
 * // model.compile({ optimizer: "adam", loss: lossFn });
 */
export function toTfjsLoss<TF extends TfjsNamespace>(loss: Loss | string, tf: TF): TfjsLossFunction<TF> {
  const instance = typeof loss === "string" ? getLoss(loss) : loss;
  if (!(instance instanceof Loss)) {
    throw new ConfigError(`toTfjsLoss needs a Loss instance or a loss name as its first argument, received ${describeValue(loss)}`);
  }
  checkNamespace(tf);
  const perSample = instance.reduction === "none";
  const op = tf.customGrad((yTrue: TfjsTensorLike, yPred: TfjsTensorLike, save: (tensors: unknown[]) => void) => {
    const trueShape = yTrue.shape.slice();
    const trueDtype = yTrue.dtype;
    if (perSample) {
      // Per-sample values: the gradient depends on the upstream, so it is computed in the
      // backward pass from the saved inputs (the upstream acts as a sample weight).
      const values = instance(yTrue, yPred) as Tensor;
      save([yTrue, yPred]);
      return {
        value: tf.tensor(flatData(values), values.shape.slice(), "float32"),
        gradFunc: (dy: TfjsTensorLike, saved: TfjsTensorLike[]) => {
          const grad = instance.grad(saved[0]!, saved[1]!, dy);
          return [tf.zeros(trueShape, trueDtype), tf.tensor(flatData(grad), grad.shape.slice(), "float32")];
        },
      };
    }
    const { value, grad } = instance.valueAndGrad(yTrue, yPred);
    const gradTensor = tf.tensor(flatData(grad), grad.shape.slice(), "float32");
    save([gradTensor]);
    return {
      value: tf.scalar(value as number, "float32"),
      gradFunc: (dy: unknown, saved: unknown[]) => [tf.zeros(trueShape, trueDtype), tf.mul(dy, saved[0])],
    };
  });
  const lossFunction = (yTrue: TfjsTensorOf<TF>, yPred: TfjsTensorOf<TF>) => {
    if (!isForeignTensor(yTrue)) throw new InputError(`yTrue must be a tf.Tensor (toTfjsLoss functions take TensorFlow.js tensors), received ${describeValue(yTrue)}`);
    if (!isForeignTensor(yPred)) throw new InputError(`yPred must be a tf.Tensor (toTfjsLoss functions take TensorFlow.js tensors), received ${describeValue(yPred)}`);
    return op(yTrue, yPred) as ReturnType<TF["scalar"]>;
  };
  Object.defineProperty(lossFunction, "name", { value: instance.name });
  return lossFunction;
}
