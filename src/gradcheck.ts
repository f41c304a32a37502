import { ConfigError, describeValue } from "./errors";
import { Loss, type CallOptions } from "./loss";
import { checkOptionsObject } from "./options";
import { toTensor, type TensorLike } from "./tensor/convert";
import { Tensor } from "./tensor/tensor";

export interface NumericalGradOptions extends CallOptions {
  /** Relative step: each element moves by `step * max(1, |x|)`. Default `1e-6`. */
  step?: number;
}

/**
 * Central finite differences of a loss with respect to `yPred`, computed in float64:
 * `(L(x + h) - L(x - h)) / 2h` per element. For reduction `"none"` it differentiates the
 * sum of the per-sample values, as `grad()` does. Use it to check a custom `backward`.
 */
export function numericalGrad(loss: Loss, yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options: NumericalGradOptions = {}): Tensor {
  if (!(loss instanceof Loss)) throw new ConfigError(`numericalGrad needs a Loss instance (a loss class instance or getLoss(…)), received ${describeValue(loss)}`);
  checkOptionsObject(options, "numericalGrad options");
  const { step = 1e-6, ...callOptions } = options;
  if (typeof step !== "number" || !(step > 0) || !Number.isFinite(step)) {
    throw new ConfigError(`numericalGrad option step must be a finite number > 0, received ${describeValue(step)}`);
  }
  // Evaluate in float64 so the differences are not lost to float32 rounding.
  const loss64 = Object.create(loss, { dtype: { value: "float64" } }) as Loss;
  const p = toTensor(yPred, { name: "yPred", dtype: "float64" });
  const t = toTensor(yTrue, { name: "yTrue", dtype: "float64" });
  const x = new Float64Array(p.toTypedArray("float64"));
  const shape = p.shape.slice();
  const evaluate = (): number => {
    const value = loss64.compute(t, new Tensor(x, shape), sampleWeight, callOptions);
    if (typeof value === "number") return value;
    let sum = 0;
    const flat = value.toTypedArray("float64");
    for (let i = 0; i < flat.length; i++) sum += flat[i]!;
    return sum;
  };
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const original = x[i]!;
    const h = step * Math.max(1, Math.abs(original));
    x[i] = original + h;
    const up = evaluate();
    x[i] = original - h;
    const down = evaluate();
    x[i] = original;
    grad[i] = (up - down) / (2 * h);
  }
  return new Tensor(grad, shape);
}
