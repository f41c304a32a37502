/**
 * The fast paths of MeanAbsolutePercentageError, MeanSquaredLogarithmicError
 * (src/losses/contiguous-regression2.ts) and CategoricalHinge
 * (src/losses/contiguous-categorical-hinge.ts): contiguous inputs and a padded (strided) view
 * of the same numbers give the same bits, values match float64 formulas written here, rows
 * with NaN or infinities behave as the plain expressions, gradients match central
 * differences, and a dirty caller-owned gradient buffer is overwritten.
 */
import { describe, expect, it } from "vitest";
import { CategoricalHinge, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Tensor, type DType, type Loss } from "../src/index";
import { expectClose, expectGradMatches, flat, rng } from "./helpers";

const EPS32 = Math.fround(1e-7);
type Case = { name: string; make: (o: Record<string, unknown>) => Loss; row: (t: number[], p: number[], dtype: DType) => number; labels: (n: number, r: () => number) => number[] };
const CASES: Case[] = [
  {
    name: "MAPE",
    make: (o) => new MeanAbsolutePercentageError(o as never),
    row: (t, p, dtype) => (100 * t.reduce((s, v, k) => s + Math.abs(v - p[k]!) / Math.max(Math.abs(v), dtype === "float32" ? EPS32 : 1e-7), 0)) / t.length,
    labels: (n, r) => Array.from({ length: n }, () => 2 * r() - 1),
  },
  {
    name: "MSLE",
    make: (o) => new MeanSquaredLogarithmicError(o as never),
    row: (t, p) => t.reduce((s, v, k) => s + Math.log((Math.max(p[k]!, EPS32) + 1) / (Math.max(v, EPS32) + 1)) ** 2, 0) / t.length,
    labels: (n, r) => Array.from({ length: n }, () => 2 * r() - 1),
  },
  {
    name: "CategoricalHinge",
    make: (o) => new CategoricalHinge(o as never),
    row: (t, p) => Math.max(Math.max(...t.map((v, k) => (1 - v) * p[k]!)) - t.reduce((s, v, k) => s + v * p[k]!, 0) + 1, 0),
    labels: (n, r) => Array.from({ length: n }, () => r()),
  },
];

const typed = (dtype: DType, v: readonly number[]) => (dtype === "float32" ? Float32Array.from(v) : Float64Array.from(v));
const contiguous = (v: number[], shape: number[], dtype: DType, lead = 0) => new Tensor(typed(dtype, [...new Array<number>(lead).fill(9), ...v]), shape, undefined, lead);
function padded(v: number[], shape: number[], dtype: DType): Tensor {
  const data: number[] = [7];
  for (const x of v) data.push(x, -5);
  return new Tensor(typed(dtype, data), shape, shape.map((_, a) => 2 * shape.slice(a + 1).reduce((p, d) => p * d, 1)), 1);
}
function sameBits(a: Tensor | number, e: Tensor | number, what: string): void {
  const x = flat(a), y = flat(e);
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) throw new Error(`${what}: element ${i} is ${x[i]}, expected ${y[i]}`);
}
const rows = (v: number[], n: number) => Array.from({ length: v.length / n }, (_, i) => v.slice(i * n, i * n + n));

describe("MAPE, MSLE, CategoricalHinge: contiguous fast path and strided path", () => {
  const random = rng(77);
  for (const dtype of ["float32", "float64"] as const) {
    for (const c of CASES) {
      it(`${c.name} ${dtype}: contiguous, offset and padded views give the same bits, close to the float64 formula`, () => {
        for (const shape of [[3, 13], [5, 4], [2, 1], [4, 3, 7]]) {
          const size = shape.reduce((a, b) => a * b, 1), n = shape[shape.length - 1]!;
          const round = (x: number) => (dtype === "float32" ? Math.fround(x) : x);
          const t = c.labels(size, random).map(round), p = Array.from({ length: size }, () => round(3 * random() - 1));
          const none = c.make({ dtype, reduction: "none" });
          const fast = none(contiguous(t, shape, dtype), contiguous(p, shape, dtype)) as Tensor;
          const pr = rows(p, n);
          expectClose(new Tensor(Float64Array.from(flat(fast)), [size / n]), rows(t, n).map((r, i) => c.row(r, pr[i]!, dtype)), { rtol: dtype === "float32" ? 1e-5 : 1e-12, atol: 1e-12 });
          const weights = Array.from({ length: shape[0]! }, () => random());
          const loss = c.make({ dtype });
          const fused = loss.valueAndGrad(contiguous(t, shape, dtype), contiguous(p, shape, dtype), weights);
          sameBits(none.valueAndGrad(contiguous(t, shape, dtype), contiguous(p, shape, dtype)).value as Tensor, fast, `${c.name} fused values`);
          for (const [name, tv, pv] of [["offset", contiguous(t, shape, dtype, 3), contiguous(p, shape, dtype, 1)], ["padded", padded(t, shape, dtype), padded(p, shape, dtype)]] as const) {
            sameBits(none(tv, pv) as Tensor, fast, `${c.name} ${dtype} [${shape}] ${name} values`);
            const other = loss.valueAndGrad(tv, pv, weights);
            sameBits(other.value, fused.value, `${c.name} ${dtype} [${shape}] ${name} value`);
            sameBits(other.grad, fused.grad, `${c.name} ${dtype} [${shape}] ${name} gradient`);
          }
        }
      });
    }
  }

  it("gradients match float64 central differences (each reduction, weights)", () => {
    for (const c of CASES) {
      const shape = [3, 9], size = 27;
      // Away from the kinks: |p - t| and p - eps not near 0, one clear maximum per row.
      const t = c.labels(size, random).map((v) => (c.name === "CategoricalHinge" ? v : v + Math.sign(v) * 0.2));
      const p = t.map((v, k) => v + (k % 2 ? 0.35 : -0.3) + 0.05 * random());
      const weights = [0.5, 1.5, 1];
      for (const reduction of ["sum_over_batch_size", "sum", "none"] as const) {
        expectGradMatches(c.make({ dtype: "float64", reduction }), new Tensor(Float64Array.from(t), shape), new Tensor(Float64Array.from(p), shape), weights, { rtol: 1e-6, atol: 1e-9 });
      }
    }
  });

  it("rows with NaN or infinities: as the plain expressions, on both paths", () => {
    const shape = [5, 6];
    const t = [0.5, 2, 1, 0.3, 0.2, 1, /**/ NaN, 1, 2, 1, 1, 1, /**/ 1, 2, 1, 0.5, 1, 1, /**/ 1, 1, 1, 1, 1, 1, /**/ Infinity, 1, 2, 1, 1, 1];
    const p = [1, 1, 0.5, 2, 0.1, 0.7, /**/ 1, 1, 1, 1, 1, 1, /**/ 1, -Infinity, 1, 1, 1, 1, /**/ 0.5, NaN, 1, 1, 1, 1, /**/ 1, 1, 1, 1, 1, 1];
    for (const dtype of ["float32", "float64"] as const) {
      for (const c of CASES) {
        const values = flat(c.make({ dtype, reduction: "none" })(contiguous(t, shape, dtype), contiguous(p, shape, dtype)) as Tensor);
        const expected = rows(t, 6).map((r, i) => c.row(r, rows(p, 6)[i]!, dtype));
        values.forEach((v, i) => (Number.isFinite(expected[i]!) ? expectClose(v, expected[i]!, { rtol: 1e-5, atol: 1e-6 }) : expect(v, `${c.name} row ${i}`).toBe(expected[i]!)));
        const loss = c.make({ dtype, reduction: "sum" });
        const fast = loss.valueAndGrad(contiguous(t, shape, dtype), contiguous(p, shape, dtype));
        sameBits(loss.valueAndGrad(padded(t, shape, dtype), padded(p, shape, dtype)).grad, fast.grad, `${c.name} ${dtype} non-finite rows, strided gradient`);
        const g = flat(fast.grad);
        // Row 1: a NaN label makes the value NaN and (MAPE, MSLE: at that element; CategoricalHinge: the whole row) the gradient NaN.
        expect(g[6], `${c.name} ${dtype} NaN label gradient`).toBeNaN();
        if (c.name === "MSLE") {
          // Row 2: yPred = -Infinity is clipped to eps (finite value, gradient 0 there); row 3: a NaN prediction has a NaN gradient.
          expect(Number.isFinite(values[2]!)).toBe(true);
          expect(g[13]).toBe(0);
          expect(g[19]).toBeNaN();
        }
        if (c.name === "MAPE") expect(g[19], "NaN prediction").toBeNaN();
      }
    }
  });

  it("overwrites every element of a dirty caller-owned gradient buffer", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const c of CASES) {
        const t = c.labels(24, random), p = Array.from({ length: 24 }, () => 2 * random() - 0.5);
        const loss = c.make({ dtype });
        const out = typed(dtype, new Array<number>(24).fill(NaN));
        const { grad } = loss.valueAndGrad(contiguous(t, [4, 6], dtype), contiguous(p, [4, 6], dtype), null, { out });
        expect(grad.data).toBe(out);
        sameBits(grad, loss.grad(contiguous(t, [4, 6], dtype), contiguous(p, [4, 6], dtype)), `${c.name} ${dtype} out`);
      }
    }
  });
});
