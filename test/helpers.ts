import { expect } from "vitest";
import { Tensor, numericalGrad, type Loss, type TensorLike, type CallOptions } from "../src/index";

/** Flatten a number, nested array or Tensor into plain numbers. */
export function flat(x: number | Tensor | unknown[]): number[] {
  if (typeof x === "number") return [x];
  if (x instanceof Tensor) return Array.from(x.toTypedArray("float64"));
  return (x as unknown[]).flat(Infinity as 1) as number[];
}

/**
 * Assert `actual` matches `expected` elementwise within `atol + rtol * |expected|`
 * (NumPy's `allclose`), and has the same shape when both are arrays.
 */
export function expectClose(actual: number | Tensor, expected: number | unknown[], { rtol = 1e-6, atol = 1e-6 } = {}): void {
  if (actual instanceof Tensor && Array.isArray(expected) && (Array.isArray(expected[0]) || actual.rank === 1)) {
    expect(actual.shape).toEqual(shapeOfNested(expected));
  }
  const a = flat(actual);
  const e = flat(expected as number | unknown[]);
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const tolerance = atol + rtol * Math.abs(e[i]!);
    if (!(Math.abs(a[i]! - e[i]!) <= tolerance)) {
      throw new Error(`element ${i}: ${a[i]} differs from expected ${e[i]} by ${Math.abs(a[i]! - e[i]!)} (> ${tolerance})`);
    }
  }
}

function shapeOfNested(x: unknown): number[] {
  const shape: number[] = [];
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  return shape;
}

/**
 * Compare `loss.grad` with float64 central differences. The bound is
 * `|analytic - numeric| <= atol + rtol * max|numeric|`, stated by the caller.
 */
export function expectGradMatches(
  loss: Loss,
  yTrue: TensorLike,
  yPred: TensorLike,
  sampleWeight?: TensorLike | null,
  options: CallOptions & { rtol?: number; atol?: number; step?: number } = {},
): void {
  const { rtol = 1e-4, atol = 1e-7, step, ...callOptions } = options;
  const analytic = loss.grad(yTrue, yPred, sampleWeight, callOptions);
  const numeric = numericalGrad(loss, yTrue, yPred, sampleWeight, { ...callOptions, step });
  expect(analytic.shape).toEqual(numeric.shape);
  const a = analytic.toTypedArray("float64");
  const n = numeric.toTypedArray("float64");
  let scale = 0;
  for (let i = 0; i < n.length; i++) scale = Math.max(scale, Math.abs(n[i]!));
  for (let i = 0; i < n.length; i++) {
    const tolerance = atol + rtol * scale;
    if (!(Math.abs(a[i]! - n[i]!) <= tolerance)) {
      throw new Error(`${loss.name} grad element ${i}: analytic ${a[i]} vs numeric ${n[i]} (tolerance ${tolerance})`);
    }
  }
  // valueAndGrad agrees with the call and with grad.
  const both = loss.valueAndGrad(yTrue, yPred, sampleWeight, callOptions);
  const value = loss(yTrue, yPred, sampleWeight, callOptions);
  expectClose(both.value as number | Tensor, flat(value as number | Tensor), { rtol: 1e-6, atol: 1e-9 });
  expectClose(both.grad, Array.from(a), { rtol: 1e-6, atol: 1e-9 });
}

/** A seeded generator (mulberry32) so random tests are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Float64 tensor of the given shape filled by `f(random)`. */
export function randomTensor(shape: number[], random: () => number, f: (u: number) => number = (u) => u): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = f(random());
  return new Tensor(data, shape);
}

/** A copy of an input's values, to check that a call left its inputs unchanged. */
export function snapshot(x: Tensor): number[] {
  return Array.from(x.data);
}

/** Keras's `assertAlmostEqual(actual, desired, decimal)`: |actual - desired| < 1.5 * 10^-decimal. */
export function almostEqual(actual: unknown, desired: number | unknown[], decimal = 3): void {
  expectClose(actual as number | Tensor, desired, { rtol: 0, atol: 1.5 * 10 ** -decimal });
}

/** Keras's `assertAllClose` (defaults atol = rtol = 1e-6). */
export function allClose(actual: unknown, desired: number | unknown[], { atol = 1e-6, rtol = 1e-6 } = {}): void {
  expectClose(actual as number | Tensor, desired, { atol, rtol });
}
