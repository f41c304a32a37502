/**
 * End-to-end training with losskit gradients: plain full-batch gradient descent on seeded
 * synthetic data, with the gradient with respect to the logits taken from `loss.grad` and
 * pushed through a linear model by hand.
 */
import { describe, expect, it } from "vitest";
import { BinaryCrossentropy, SparseCategoricalCrossentropy, tensor } from "../src/index";
import { rng } from "./helpers";

/** A standard normal sample (Box-Muller) from a uniform generator. */
function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

describe("training a logistic regression with BinaryCrossentropy({ fromLogits: true })", () => {
  // Two features; the label is 1 where 2 x0 - 3 x1 + 0.5 + noise > 0.
  const features = 2;
  const makeData = (n: number, seed: number) => {
    const random = rng(seed);
    const x = new Float64Array(n * features);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x0 = gaussian(random), x1 = gaussian(random);
      x[i * features] = x0;
      x[i * features + 1] = x1;
      y[i] = 2 * x0 - 3 * x1 + 0.5 + 0.1 * gaussian(random) > 0 ? 1 : 0;
    }
    return { x, y, n };
  };
  const logitsOf = (w: Float64Array, b: number, x: Float64Array, n: number) => {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = w[0]! * x[i * features]! + w[1]! * x[i * features + 1]! + b;
    return z;
  };
  const accuracy = (z: Float64Array, y: Float64Array) => z.reduce((hits, v, i) => hits + ((v > 0 ? 1 : 0) === y[i] ? 1 : 0), 0) / z.length;

  it("reaches >= 95% accuracy on held-out data", () => {
    const train = makeData(400, 1);
    const test = makeData(200, 2);
    const loss = new BinaryCrossentropy({ fromLogits: true });
    const labels = tensor(train.y, [train.n, 1]);
    const w = new Float64Array(features);
    let b = 0;
    const learningRate = 1;
    let first = NaN, last = NaN;
    for (let step = 0; step < 300; step++) {
      const z = tensor(logitsOf(w, b, train.x, train.n), [train.n, 1]);
      const { value, grad } = loss.valueAndGrad(labels, z);
      if (step === 0) first = value as number;
      last = value as number;
      // d loss / d w = Xᵀ (d loss / d logits); d loss / d b = Σ d loss / d logits
      const g = grad.toTypedArray("float64");
      const gw = new Float64Array(features);
      let gb = 0;
      for (let i = 0; i < train.n; i++) {
        gw[0]! += g[i]! * train.x[i * features]!;
        gw[1]! += g[i]! * train.x[i * features + 1]!;
        gb += g[i]!;
      }
      w[0]! -= learningRate * gw[0]!;
      w[1]! -= learningRate * gw[1]!;
      b -= learningRate * gb;
    }
    expect(first).toBeCloseTo(Math.log(2), 6); // all-zero logits
    expect(last).toBeLessThan(0.2);
    expect(accuracy(logitsOf(w, b, train.x, train.n), train.y)).toBeGreaterThanOrEqual(0.95);
    expect(accuracy(logitsOf(w, b, test.x, test.n), test.y)).toBeGreaterThanOrEqual(0.95);
    // The learned boundary points the way of the true one, 2 x0 - 3 x1.
    expect(w[0]).toBeGreaterThan(0);
    expect(w[1]).toBeLessThan(0);
  });
});

describe("training a softmax classifier with SparseCategoricalCrossentropy({ fromLogits: true })", () => {
  // Three Gaussian blobs in the plane, one per class.
  const centers = [[0, 3], [3, -2], [-3, -2]];
  const classes = centers.length;
  const makeData = (n: number, seed: number) => {
    const random = rng(seed);
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % classes;
      x[i * 2] = centers[c]![0]! + gaussian(random);
      x[i * 2 + 1] = centers[c]![1]! + gaussian(random);
      y[i] = c;
    }
    return { x, y, n };
  };
  const logitsOf = (w: Float64Array, b: Float64Array, x: Float64Array, n: number) => {
    const z = new Float64Array(n * classes);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < classes; k++) z[i * classes + k] = x[i * 2]! * w[k]! + x[i * 2 + 1]! * w[classes + k]! + b[k]!;
    }
    return z;
  };
  const accuracy = (z: Float64Array, y: Float64Array) => {
    let hits = 0;
    for (let i = 0; i < y.length; i++) {
      let best = 0;
      for (let k = 1; k < classes; k++) if (z[i * classes + k]! > z[i * classes + best]!) best = k;
      if (best === y[i]) hits++;
    }
    return hits / y.length;
  };

  it("reaches >= 95% accuracy on held-out data", () => {
    const train = makeData(600, 3);
    const test = makeData(300, 4);
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
    const w = new Float64Array(2 * classes); // w[f * classes + k]
    const b = new Float64Array(classes);
    const learningRate = 0.5;
    let first = NaN, last = NaN;
    for (let step = 0; step < 200; step++) {
      const z = tensor(logitsOf(w, b, train.x, train.n), [train.n, classes]);
      const { value, grad } = loss.valueAndGrad(train.y, z);
      if (step === 0) first = value as number;
      last = value as number;
      const g = grad.toTypedArray("float64");
      const gw = new Float64Array(2 * classes);
      const gb = new Float64Array(classes);
      for (let i = 0; i < train.n; i++) {
        for (let k = 0; k < classes; k++) {
          const gik = g[i * classes + k]!;
          gw[k]! += train.x[i * 2]! * gik;
          gw[classes + k]! += train.x[i * 2 + 1]! * gik;
          gb[k]! += gik;
        }
      }
      for (let j = 0; j < w.length; j++) w[j]! -= learningRate * gw[j]!;
      for (let k = 0; k < classes; k++) b[k]! -= learningRate * gb[k]!;
    }
    expect(first).toBeCloseTo(Math.log(classes), 6); // uniform softmax
    expect(last).toBeLessThan(0.15);
    expect(accuracy(logitsOf(w, b, train.x, train.n), train.y)).toBeGreaterThanOrEqual(0.95);
    expect(accuracy(logitsOf(w, b, test.x, test.n), test.y)).toBeGreaterThanOrEqual(0.95);
  });
});
