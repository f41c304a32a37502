/**
 * The branch-free loops of the crossentropy kernels (issue 10): a conditional on random-signed
 * logits is a mispredicted branch, so the loops choose with exact 0/1 weights
 * (`max(x, 0) = 0.5 (x + |x|)`, `sigmoid(x) = (s + (1 - s) e) / (1 + e)` with `s = [x >= 0]`)
 * and redo a row whose sum is not finite with the plain conditionals. These tests compare the
 * kernels with the plain formulas written here in float64 (finite values: to the dtype's
 * accuracy; Infinity and NaN: exactly where they appear), and the gradients with float64
 * central differences.
 */
import { describe, expect, it } from "vitest";
import { BinaryCrossentropy, BinaryFocalCrossentropy, Tensor, type Loss } from "../src/index";
import { expectGradMatches, rng } from "./helpers";

type DType = "float32" | "float64";

/** sigmoid from e = exp(-|x|), as Keras's TensorFlow backend computes it (never overflows). */
function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** TensorFlow's sigmoid_cross_entropy_with_logits, elementwise, with its conditionals. */
function bceLogits(z: number, x: number): number {
  return (x > 0 ? x : 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Keras's binary focal crossentropy from logits, elementwise. */
function binaryFocal(z: number, x: number, gamma: number, alpha: number, balance: boolean): number {
  const p = sigmoid(x);
  const b = z * (1 - p) + (1 - z) * p;
  const w = balance ? z * alpha + (1 - z) * (1 - alpha) : 1;
  return w * (gamma === 0 ? 1 : b ** gamma) * bceLogits(z, x);
}

/** `rows` rows of `n` logits ~ N(0, sigma²) (some huge), labels 0/1 (or soft), as typed arrays of `dtype`. */
function batch(dtype: DType, rows: number, n: number, seed: number, soft = false) {
  const random = rng(seed);
  const Ctor = dtype === "float32" ? Float32Array : Float64Array;
  const z = new Ctor(rows * n), x = new Ctor(rows * n);
  for (let i = 0; i < z.length; i++) {
    z[i] = soft ? random() : +(random() < 0.5);
    const u = Math.max(random(), 1e-12), v = random();
    x[i] = (i % 17 === 0 ? 40 : 3) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return { yTrue: new Tensor(z, [rows, n]), yPred: new Tensor(x, [rows, n]), z, x };
}

/** Per-row means of `term` in float64, from the stored (dtype-rounded) inputs. */
function rowMeans(z: ArrayLike<number>, x: ArrayLike<number>, rows: number, n: number, term: (z: number, x: number) => number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += term(z[r * n + k]!, x[r * n + k]!);
    out.push(s / n);
  }
  return out;
}

/** Same value where either is not finite (Object.is, NaN = NaN), else within rtol. */
function expectSame(actual: number, expected: number, rtol: number, what: string): void {
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
    expect(Number.isNaN(actual) ? "NaN" : actual, what).toEqual(Number.isNaN(expected) ? "NaN" : expected);
    return;
  }
  // (plus half of float32's smallest subnormal: a float32 result rounds there)
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rtol * Math.abs(expected) + 2 ** -150);
}

const RTOL: Record<DType, number> = { float32: 2e-6, float64: 1e-13 };

describe("BinaryCrossentropy(fromLogits): branch-free loop = the plain formula", () => {
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: values and gradients of random rows (some logits of ±100), with and without label smoothing`, () => {
      for (const labelSmoothing of [0, 0.2]) {
        const rows = 7, n = 33;
        const { yTrue, yPred, z, x } = batch(dtype, rows, n, 11, labelSmoothing > 0);
        const keep = 1 - labelSmoothing, shift = 0.5 * labelSmoothing;
        const loss = new BinaryCrossentropy({ fromLogits: true, labelSmoothing, reduction: "none", dtype });
        const expected = rowMeans(z, x, rows, n, (t, v) => bceLogits(t * keep + shift, v));
        const { value, grad } = loss.valueAndGrad(yTrue, yPred);
        const plain = loss(yTrue, yPred) as Tensor;
        for (let r = 0; r < rows; r++) {
          expectSame((value as Tensor).data[r]!, expected[r]!, RTOL[dtype], `row ${r}`);
          expect(Object.is((value as Tensor).data[r], plain.data[r]), "valueAndGrad value = call").toBe(true);
        }
        for (let i = 0; i < rows * n; i++) expectSame(grad.data[i]!, (sigmoid(x[i]!) - (z[i]! * keep + shift)) / n, RTOL[dtype] * 4, `grad ${i}`);
      }
    });

    it(`${dtype}: rows with ±Infinity or NaN logits come out as the plain formula gives them; other rows are unaffected`, () => {
      const rows = 6, n = 5;
      const { z, x } = batch(dtype, rows, n, 3);
      // row 0: +Inf with z = 1 (Inf - Inf: NaN); row 1: -Inf with z = 1 (Inf); row 2: -Inf with z = 0 (NaN);
      // row 3: +Inf with z = 0 (Inf · 0: NaN); row 4: NaN; row 5: finite
      const cells: [number, number, number][] = [[0, 1, Infinity], [1, 1, -Infinity], [2, 0, -Infinity], [3, 0, Infinity], [4, 1, NaN]];
      for (const [r, label, logit] of cells) [z[r * n + 2], x[r * n + 2]] = [label, logit];
      const yTrue = new Tensor(z, [rows, n]), yPred = new Tensor(x, [rows, n]);
      const loss = new BinaryCrossentropy({ fromLogits: true, reduction: "none", dtype });
      const expected = rowMeans(z, x, rows, n, bceLogits);
      expect(expected.slice(0, 5).map((v) => (Number.isNaN(v) ? "NaN" : v))).toEqual(["NaN", Infinity, "NaN", "NaN", "NaN"]);
      const { value, grad } = loss.valueAndGrad(yTrue, yPred);
      const call = loss(yTrue, yPred) as Tensor;
      for (let r = 0; r < rows; r++) {
        expectSame((value as Tensor).data[r]!, expected[r]!, RTOL[dtype], `valueAndGrad row ${r}`);
        expectSame(call.data[r]!, expected[r]!, RTOL[dtype], `call row ${r}`);
      }
      for (let i = 0; i < rows * n; i++) expectSame(grad.data[i]!, (sigmoid(x[i]!) - z[i]!) / n, RTOL[dtype] * 4, `grad ${i}`);
    });
  }

  it("gradients match float64 central differences (moderate logits)", () => {
    const random = rng(5);
    const x = Array.from({ length: 24 }, () => 8 * random() - 4), z = Array.from({ length: 24 }, () => +(random() < 0.5));
    const yPred = new Tensor(Float64Array.from(x), [4, 6]), yTrue = new Tensor(Float64Array.from(z), [4, 6]);
    expectGradMatches(new BinaryCrossentropy({ fromLogits: true, dtype: "float64" }) as unknown as Loss, yTrue, yPred, [1, 2, 0.5, 3], { rtol: 1e-6, atol: 1e-9 });
  });
});

describe("BinaryFocalCrossentropy(fromLogits): branch-free loops = Keras's formula", () => {
  const settings: { gamma: number; alpha: number; balance: boolean }[] = [
    { gamma: 2, alpha: 0.25, balance: true },
    { gamma: 2, alpha: 0.25, balance: false },
    { gamma: 0, alpha: 0.4, balance: true },
    { gamma: 1, alpha: 0.25, balance: false },
    { gamma: 3.5, alpha: 0.7, balance: true },
  ];
  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: values of random rows (some logits of ±100) for gamma 0, 1, 2, 3.5, with and without class balancing`, () => {
      for (const { gamma, alpha, balance } of settings) {
        const rows = 5, n = 29;
        const { yTrue, yPred, z, x } = batch(dtype, rows, n, 17);
        const loss = new BinaryFocalCrossentropy({ fromLogits: true, gamma, alpha, applyClassBalancing: balance, reduction: "none", dtype });
        const expected = rowMeans(z, x, rows, n, (t, v) => binaryFocal(t, v, gamma, alpha, balance));
        const { value } = loss.valueAndGrad(yTrue, yPred);
        const call = loss(yTrue, yPred) as Tensor;
        for (let r = 0; r < rows; r++) {
          expectSame(call.data[r]!, expected[r]!, RTOL[dtype] * 2, `gamma ${gamma} row ${r}`);
          expect(Object.is((value as Tensor).data[r], call.data[r]), `gamma ${gamma}: valueAndGrad value = call, row ${r}`).toBe(true);
        }
      }
    });

    it(`${dtype}: rows with ±Infinity or NaN logits give what the plain terms give (value and gradient)`, () => {
      const rows = 4, n = 6;
      const { z, x } = batch(dtype, rows, n, 23);
      const cells: [number, number, number][] = [[0, 1, -Infinity], [1, 0, Infinity], [2, 1, NaN]];
      for (const [r, label, logit] of cells) [z[r * n + 1], x[r * n + 1]] = [label, logit];
      const yTrue = new Tensor(z, [rows, n]), yPred = new Tensor(x, [rows, n]);
      const loss = new BinaryFocalCrossentropy({ fromLogits: true, applyClassBalancing: true, reduction: "none", dtype });
      const expected = rowMeans(z, x, rows, n, (t, v) => binaryFocal(t, v, 2, 0.25, true));
      const { value, grad } = loss.valueAndGrad(yTrue, yPred);
      for (let r = 0; r < rows; r++) expectSame((value as Tensor).data[r]!, expected[r]!, RTOL[dtype] * 2, `row ${r}`);
      expect(Number.isFinite((value as Tensor).data[3])).toBe(true);
      // Rows 0-2 go through the plain terms: an infinite logit saturates the sigmoid, so its focal
      // factor's derivative is 0 and 0 · bce(Inf) is NaN there (as before); a NaN logit gives NaN.
      for (const r of [0, 1, 2]) expect(Number.isNaN(grad.data[r * n + 1])).toBe(true);
      for (let i = 0; i < rows * n; i++) if (i % n !== 1 || i >= 3 * n) expect(Number.isFinite(grad.data[i]), `grad ${i}`).toBe(true);
    });
  }

  it("gradients match float64 central differences for gamma 0, 1, 2, 3.5", () => {
    const random = rng(9);
    const x = Array.from({ length: 24 }, () => 10 * random() - 5), z = Array.from({ length: 24 }, () => +(random() < 0.5));
    const yPred = new Tensor(Float64Array.from(x), [4, 6]), yTrue = new Tensor(Float64Array.from(z), [4, 6]);
    for (const { gamma, alpha, balance } of settings) {
      const loss = new BinaryFocalCrossentropy({ fromLogits: true, gamma, alpha, applyClassBalancing: balance, dtype: "float64" });
      expectGradMatches(loss as unknown as Loss, yTrue, yPred, [1, 2, 0.5, 3], { rtol: 1e-6, atol: 1e-9 });
    }
  });

  it("float32 gradients agree with the float64 kernel", () => {
    const { yTrue, yPred, z, x } = batch("float32", 6, 40, 31);
    const g32 = new BinaryFocalCrossentropy({ fromLogits: true, applyClassBalancing: true }).grad(yTrue, yPred);
    const g64 = new BinaryFocalCrossentropy({ fromLogits: true, applyClassBalancing: true, dtype: "float64" }).grad(new Tensor(Float64Array.from(z), [6, 40]), new Tensor(Float64Array.from(x), [6, 40]));
    let scale = 0;
    for (const v of g64.data) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < g64.size; i++) expect(Math.abs(g32.data[i]! - g64.data[i]!), `grad ${i}`).toBeLessThanOrEqual(1e-6 * Math.abs(g64.data[i]!) + 1e-7 * scale);
  });
});
