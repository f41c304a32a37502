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
import { BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, Tensor, moveAxis, type Loss } from "../src/index";
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
function expectSame(actual: number, expected: number, rtol: number, what: string, atol = 0): void {
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
    expect(Number.isNaN(actual) ? "NaN" : actual, what).toEqual(Number.isNaN(expected) ? "NaN" : expected);
    return;
  }
  // (plus half of float32's smallest subnormal: a float32 result rounds there)
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rtol * Math.abs(expected) + atol + 2 ** -150);
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

/** Softmax of a row in float64 (max-shifted). */
function softmax(x: ArrayLike<number>, o: number, n: number): number[] {
  let m = -Infinity;
  for (let k = 0; k < n; k++) m = Math.max(m, x[o + k]!);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(x[o + k]! - m);
  return Array.from({ length: n }, (_, k) => Math.exp(x[o + k]! - m) / s);
}

/** Logits ~ N(0, 3²) as `dtype`, [rows, n]. */
function logits(dtype: DType, rows: number, n: number, seed: number) {
  const random = rng(seed);
  const x = dtype === "float32" ? new Float32Array(rows * n) : new Float64Array(rows * n);
  for (let i = 0; i < x.length; i++) x[i] = 3 * Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  return x;
}

/** The same [rows, n] data stored transposed ([n, rows]) and viewed back as [rows, n]: every row strided. */
function stridedView(data: Float32Array | Float64Array, rows: number, n: number): Tensor {
  const store = new (data.constructor as Float64ArrayConstructor)(rows * n);
  for (let r = 0; r < rows; r++) for (let k = 0; k < n; k++) store[k * rows + r] = data[r * n + k]!;
  return moveAxis(new Tensor(store, [n, rows]), 0, 1);
}

describe("CategoricalCrossentropy / SparseCategoricalCrossentropy from logits: float32 and float64 loops", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of [1, 2, 7, 64, 203]) {
      it(`${dtype}, ${n} classes: values and gradients against float64 softmax, contiguous and strided rows agree`, () => {
        const rows = 5;
        const x = logits(dtype, rows, n, 100 + n);
        const random = rng(n);
        const labels = Array.from({ length: rows }, () => Math.floor(random() * n));
        const weights = [1, 0.5, 2, 3, 0.25];
        const Ctor = dtype === "float32" ? Float32Array : Float64Array;
        // one-hot rows, a soft row (row 3), label smoothing 0.1 in a second pass
        for (const labelSmoothing of [0, 0.1]) {
          const t = new Ctor(rows * n);
          labels.forEach((y, r) => (t[r * n + y] = 1));
          if (n > 1) for (let k = 0; k < n; k++) t[3 * n + k] = 1 / n;
          const keep = 1 - labelSmoothing, shift = labelSmoothing / n;
          const cce = new CategoricalCrossentropy({ fromLogits: true, labelSmoothing, reduction: "sum", dtype });
          const a = cce.valueAndGrad(new Tensor(t, [rows, n]), new Tensor(x, [rows, n]), weights);
          const b = cce.valueAndGrad(stridedView(t, rows, n), stridedView(x, rows, n), weights);
          expect(Object.is(a.value, b.value)).toBe(true);
          expect(Array.from(b.grad.data)).toEqual(Array.from(a.grad.data));
          expect(Object.is(a.value, cce(new Tensor(t, [rows, n]), new Tensor(x, [rows, n]), weights))).toBe(true);
          let total = 0;
          for (let r = 0; r < rows; r++) {
            const q = softmax(x, r * n, n);
            let sz = 0;
            for (let k = 0; k < n; k++) {
              const z = t[r * n + k]! * keep + shift;
              sz += z;
              total -= weights[r]! * z * Math.log(q[k]!);
            }
            for (let k = 0; k < n; k++) {
              const expected = weights[r]! * (q[k]! * sz - (t[r * n + k]! * keep + shift));
              expectSame(a.grad.data[r * n + k]!, expected, 0, `grad [${r}, ${k}]`, dtype === "float32" ? 3e-7 * weights[r]! : 1e-15 * weights[r]!);
            }
          }
          expectSame(a.value as number, total, dtype === "float32" ? 1e-6 : 1e-13, `value, labelSmoothing ${labelSmoothing}`);
        }
        // integer labels: the same value and gradient as one-hot without smoothing
        const t = new Ctor(rows * n);
        labels.forEach((y, r) => (t[r * n + y] = 1));
        const scce = new SparseCategoricalCrossentropy({ fromLogits: true, reduction: "sum", dtype });
        const s1 = scce.valueAndGrad(Float32Array.from(labels), new Tensor(x, [rows, n]), weights);
        const s2 = scce.valueAndGrad(Float32Array.from(labels), stridedView(x, rows, n), weights);
        expect(Object.is(s1.value, s2.value)).toBe(true);
        expect(Array.from(s2.grad.data)).toEqual(Array.from(s1.grad.data));
        expect(Object.is(s1.value, scce(Float32Array.from(labels), new Tensor(x, [rows, n]), weights))).toBe(true);
        let total = 0;
        for (let r = 0; r < rows; r++) {
          const q = softmax(x, r * n, n);
          total -= weights[r]! * Math.log(q[labels[r]!]!);
          for (let k = 0; k < n; k++) {
            const expected = weights[r]! * (q[k]! - +(k === labels[r]));
            expectSame(s1.grad.data[r * n + k]!, expected, 0, `sparse grad [${r}, ${k}]`, dtype === "float32" ? 3e-7 * weights[r]! : 1e-15 * weights[r]!);
          }
        }
        expectSame(s1.value as number, total, dtype === "float32" ? 1e-6 : 1e-13, "sparse value");
      });
    }
  }

  it("ignored rows (ignoreClass) give 0 and no gradient, on the float32 and float64 loops", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = logits(dtype, 3, 9, 5);
      const scce = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1, reduction: "none", dtype });
      const { value, grad } = scce.valueAndGrad([2, -1, 8], new Tensor(x, [3, 9]));
      expect((value as Tensor).data[1]).toBe(0);
      expect(Array.from(grad.data.subarray(9, 18))).toEqual(new Array(9).fill(0));
      expect(Number.isFinite((value as Tensor).data[0]) && (value as Tensor).data[0]! > 0).toBe(true);
    }
  });
});

describe("CategoricalFocalCrossentropy from logits (one alpha): the labelled-class loops", () => {
  const EPS32 = Math.fround(1e-7), ONE_MINUS_EPS32 = Math.fround(1 - 1e-7);
  /** Keras: -Σ alpha (1 - q)^gamma z log q, q = clip(softmax(x), eps, 1 - eps), in float64. */
  function focalRow(z: number[], x: ArrayLike<number>, o: number, n: number, gamma: number, alpha: number, dtype: DType): number {
    const q = softmax(x, o, n);
    const lo = dtype === "float32" ? EPS32 : 1e-7, hi = dtype === "float32" ? ONE_MINUS_EPS32 : 1 - 1e-7;
    let s = 0;
    for (let k = 0; k < n; k++) {
      const c = Math.min(Math.max(q[k]!, lo), hi);
      s -= alpha * (1 - c) ** gamma * z[k]! * Math.log(c);
    }
    return s;
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: one-hot, soft and smoothed labels, gamma 0, 1, 2, 3.5, odd class counts: values against float64, strided = contiguous`, () => {
      for (const n of [1, 3, 10, 101]) {
        const rows = 4;
        const x = logits(dtype, rows, n, 300 + n);
        x[0] = 60; // a confident row 0: its softmax is clipped at 1 - eps, so h is 0 there
        const Ctor = dtype === "float32" ? Float32Array : Float64Array;
        const t = new Ctor(rows * n);
        t[0] = 1;
        t[n + (n > 1 ? 1 : 0)] = 1;
        for (let k = 0; k < n; k++) t[2 * n + k] = 1 / n;
        // row 3 without labels: value 0, gradient 0
        for (const gamma of [0, 1, 2, 3.5]) {
          for (const labelSmoothing of [0, 0.1]) {
            const keep = 1 - labelSmoothing, shift = labelSmoothing / n;
            const loss = new CategoricalFocalCrossentropy({ fromLogits: true, gamma, alpha: 0.3, labelSmoothing, reduction: "none", dtype });
            const a = loss.valueAndGrad(new Tensor(t, [rows, n]), new Tensor(x, [rows, n]));
            const b = loss.valueAndGrad(stridedView(t, rows, n), stridedView(x, rows, n));
            const call = loss(new Tensor(t, [rows, n]), new Tensor(x, [rows, n])) as Tensor;
            expect(Array.from((b.value as Tensor).data)).toEqual(Array.from((a.value as Tensor).data));
            expect(Array.from(b.grad.data)).toEqual(Array.from(a.grad.data));
            expect(Array.from(call.data)).toEqual(Array.from((a.value as Tensor).data));
            for (let r = 0; r < rows; r++) {
              const z = Array.from({ length: n }, (_, k) => t[r * n + k]! * keep + shift);
              expectSame(call.data[r]!, focalRow(z, x, r * n, n, gamma, 0.3, dtype), dtype === "float32" ? 2e-6 : 1e-12, `n ${n} gamma ${gamma} ls ${labelSmoothing} row ${r}`, 1e-12);
            }
            if (labelSmoothing === 0) {
              expect((a.value as Tensor).data[3]).toBe(0);
              expect(Array.from(a.grad.data.subarray(3 * n, 4 * n)).every((v) => v === 0)).toBe(true);
            }
          }
        }
      }
    });
  }

  it("float64 gradients match central differences (gamma 0, 1, 2, 3.5; soft labels and smoothing)", () => {
    const rows = 3, n = 6;
    const x = Array.from(logits("float64", rows, n, 77));
    const t = [0, 0, 1, 0, 0, 0, 0.2, 0.3, 0, 0.5, 0, 0, 1, 0, 0, 0, 0, 0];
    for (const gamma of [0, 1, 2, 3.5]) {
      for (const labelSmoothing of [0, 0.2]) {
        const loss = new CategoricalFocalCrossentropy({ fromLogits: true, gamma, alpha: 0.4, labelSmoothing, dtype: "float64" });
        expectGradMatches(loss as unknown as Loss, new Tensor(Float64Array.from(t), [rows, n]), new Tensor(Float64Array.from(x), [rows, n]), [1, 2, 0.5], { rtol: 1e-6, atol: 1e-10 });
      }
    }
  });

  it("float32 gradients agree with the float64 kernel, and with the per-class-alpha loop given equal alphas", () => {
    const rows = 8, n = 50;
    const x = logits("float32", rows, n, 91);
    const t = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) t[r * n + ((r * 13) % n)] = 1;
    const g32 = new CategoricalFocalCrossentropy({ fromLogits: true }).grad(new Tensor(t, [rows, n]), new Tensor(x, [rows, n]));
    const g64 = new CategoricalFocalCrossentropy({ fromLogits: true, dtype: "float64" }).grad(new Tensor(Float64Array.from(t), [rows, n]), new Tensor(Float64Array.from(x), [rows, n]));
    const gAlphas = new CategoricalFocalCrossentropy({ fromLogits: true, alpha: new Array(n).fill(0.25) }).grad(new Tensor(t, [rows, n]), new Tensor(x, [rows, n]));
    let scale = 0;
    for (const v of g64.data) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < g64.size; i++) {
      expect(Math.abs(g32.data[i]! - g64.data[i]!), `grad ${i}`).toBeLessThanOrEqual(1e-6 * Math.abs(g64.data[i]!) + 1e-7 * scale);
      expect(Math.abs(g32.data[i]! - gAlphas.data[i]!), `grad ${i} (alphas)`).toBeLessThanOrEqual(2e-7 * Math.abs(g32.data[i]!) + 1e-12 * scale);
    }
  });
});
