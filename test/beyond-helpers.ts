/**
 * Checks every "beyond keras.losses" loss shares (TensorFlow Addons, torchvision, losskit's
 * own): registry names, config round trips, gradients over every reduction and weight shape.
 */
import { expect } from "vitest";
import { Tensor, deserializeLoss, getLoss, serializeLoss, type Loss, type LossConfig, type Reduction, type TensorLike } from "../src/index";
import { expectGradMatches, rng } from "./helpers";

export const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

/** `getLoss` finds the class by each name, and the instance it builds is of that class. */
export function expectRegistered(cls: new (...args: any[]) => Loss, names: readonly string[], config?: LossConfig): void {
  for (const name of names) {
    const loss = config ? getLoss({ className: name, config }) : getLoss(name);
    expect(loss, name).toBeInstanceOf(cls);
  }
}

/** getConfig/fromConfig and serializeLoss/deserializeLoss (through JSON) give the same config and the same numbers. */
export function expectRoundTrip(loss: Loss, className: string, yTrue: TensorLike, yPred: TensorLike): void {
  const config = loss.getConfig();
  const cls = loss.constructor as unknown as { fromConfig(c: LossConfig): Loss };
  const rebuilt = cls.fromConfig(JSON.parse(JSON.stringify(config)));
  expect(rebuilt.getConfig()).toEqual(config);
  const serialized = JSON.parse(JSON.stringify(serializeLoss(loss)));
  expect(serialized.className).toBe(className);
  const restored = deserializeLoss(serialized);
  expect(restored.getConfig()).toEqual(config);
  const a = loss(yTrue, yPred), b = restored(yTrue, yPred), c = rebuilt(yTrue, yPred);
  const flat = (x: number | Tensor) => (typeof x === "number" ? [x] : Array.from(x.toTypedArray("float64")));
  expect(flat(b)).toEqual(flat(a));
  expect(flat(c)).toEqual(flat(a));
}

/** Float64 tensor of `shape` filled by `f(random)`. */
export function filled(shape: number[], seed: number, f: (u: () => number, i: number) => number): Tensor {
  const random = rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = f(random, i);
  return new Tensor(data, shape);
}

/**
 * Gradient checks of a loss class against float64 central differences: every reduction,
 * sampleWeight scalar / per-sample / per-value (when the per-sample values have rank >= 2), a
 * mask, and float32. `make(options)` builds the loss; `valuesShape` is the shape of its
 * per-sample values for these inputs.
 */
export function expectGradsEverywhere(
  make: (options: Record<string, unknown>) => Loss,
  yTrue: Tensor,
  yPred: Tensor,
  valuesShape: readonly number[],
  { rtol = 1e-6, atol = 1e-8, f32rtol = 1e-3, f32atol = 1e-6 } = {},
): void {
  const bound = { rtol, atol };
  for (const reduction of REDUCTIONS) expectGradMatches(make({ reduction, dtype: "float64" }), yTrue, yPred, null, bound);
  const loss = make({ dtype: "float64", reduction: "sum_over_batch_size" });
  expectGradMatches(loss, yTrue, yPred, 2.3, bound);
  if (valuesShape.length >= 1) {
    const perSample = Array.from({ length: valuesShape[0]! }, (_, i) => 0.5 + i);
    expectGradMatches(loss, yTrue, yPred, perSample, bound);
    expectGradMatches(make({ dtype: "float64", reduction: "mean_with_sample_weight" }), yTrue, yPred, perSample, bound);
    const size = valuesShape.reduce((a, b) => a * b, 1);
    const full = new Tensor(new Float64Array(size).map((_, i) => (i % 3) * 0.75 + 0.25), valuesShape);
    expectGradMatches(loss, yTrue, yPred, full, bound);
    const mask = new Tensor(new Float64Array(size).map((_, i) => (i % 4 === 1 ? 0 : 1)), valuesShape);
    expectGradMatches(make({ dtype: "float64", reduction: "sum" }), yTrue, yPred, null, { ...bound, mask });
  }
  // float32 loss: its gradient against float64 differences of the same loss.
  expectGradMatches(make({ reduction: "sum" }), yTrue, yPred, null, { rtol: f32rtol, atol: f32atol });
}
