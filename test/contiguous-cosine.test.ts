/**
 * CosineSimilarity's contiguous fast path (src/losses/contiguous-cosine.ts): C-contiguous
 * yTrue and yPred of one shape and the loss's dtype, along the last axis. The strided path
 * (transposed or padded views, another dtype) must give the same bits; both are checked
 * against a float64 reference written here, against central differences, with NaN and
 * infinite rows, and with a dirty caller-owned gradient buffer.
 */
import { describe, expect, it } from "vitest";
import { CosineSimilarity, Tensor, cosineSimilarity, type DType } from "../src/index";
import { expectClose, expectGradMatches, flat, rng } from "./helpers";

type Data = number[][];

function typed(dtype: DType, values: number[]): Float32Array | Float64Array {
  return dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
}

/** The fast path's input: contiguous, after `lead` junk elements (an offset). */
function contiguous(x: Data, dtype: DType, lead = 0): Tensor {
  return new Tensor(typed(dtype, [...new Array<number>(lead).fill(99), ...x.flat()]), [x.length, x[0]!.length], undefined, lead);
}

/** The strided path's inputs, each with the same values: stored transposed, or every other element of a padded buffer. */
function transposed(x: Data, dtype: DType): Tensor {
  const rows = x.length, n = x[0]!.length;
  const data = new Array<number>(rows * n);
  for (let r = 0; r < rows; r++) for (let k = 0; k < n; k++) data[k * rows + r] = x[r]![k]!;
  return new Tensor(typed(dtype, data), [rows, n], [1, rows], 0);
}
function padded(x: Data, dtype: DType): Tensor {
  const data: number[] = [7];
  for (const v of x.flat()) data.push(v, -5);
  return new Tensor(typed(dtype, data), [x.length, x[0]!.length], [2 * x[0]!.length, 2], 1);
}

/** Keras's cosine similarity in float64, summed plainly: -Σ t p / (sqrt(max(Σ t², ε²)) sqrt(max(Σ p², ε²))). */
function reference(t: Data, p: Data): number[] {
  return t.map((row, r) => {
    let tt = 0, pp = 0, dot = 0;
    row.forEach((a, k) => {
      const b = p[r]![k]!;
      tt += a * a;
      pp += b * b;
      dot += a * b;
    });
    return -dot / (Math.sqrt(Math.max(tt, 1e-14)) * Math.sqrt(Math.max(pp, 1e-14)));
  });
}

function randomData(rows: number, n: number, random: () => number, dtype: DType): Data {
  const round = dtype === "float32" ? Math.fround : (v: number) => v;
  return Array.from({ length: rows }, () => Array.from({ length: n }, () => round(3.7 * random() - 1.9)));
}

function expectSameBits(actual: Tensor | number, expected: Tensor | number, what: string): void {
  const a = flat(actual), e = flat(expected);
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], e[i])) throw new Error(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (bit-identical)`);
}

describe("CosineSimilarity contiguous fast path", () => {
  const random = rng(1010);

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: contiguous, offset, transposed and padded inputs give the same bits, close to the float64 reference`, () => {
      // Row lengths around the groups of four (1, 3, 4, 5, 7, 8) and one long row.
      for (const [rows, n] of [[3, 1], [4, 3], [2, 4], [5, 5], [3, 7], [2, 8], [2, 1029]] as const) {
        const t = randomData(rows, n, random, dtype), p = randomData(rows, n, random, dtype);
        const weights = Array.from({ length: rows }, () => random());
        const none = new CosineSimilarity({ dtype, reduction: "none" });
        const fast = none(contiguous(t, dtype), contiguous(p, dtype)) as Tensor;
        expectClose(fast, reference(t, p), { rtol: dtype === "float32" ? 2e-6 : 1e-12, atol: dtype === "float32" ? 2e-6 : 1e-13 });
        const loss = new CosineSimilarity({ dtype });
        const fused = loss.valueAndGrad(contiguous(t, dtype), contiguous(p, dtype), weights);
        expect(fused.value).toBe(loss(contiguous(t, dtype), contiguous(p, dtype), weights));
        for (const [name, tv, pv] of [
          ["offset", contiguous(t, dtype, 3), contiguous(p, dtype, 5)],
          ["transposed", transposed(t, dtype), transposed(p, dtype)],
          ["padded", padded(t, dtype), padded(p, dtype)],
          ["float64 data in a float32 loss", contiguous(t, "float64"), contiguous(p, "float64")],
        ] as const) {
          if (name.startsWith("float64 data") && dtype === "float64") continue;
          const what = `${dtype} [${rows}, ${n}] ${name}`;
          expectSameBits(none(tv, pv) as Tensor, fast, `${what} values`);
          const other = loss.valueAndGrad(tv, pv, weights);
          expectSameBits(other.value, fused.value, `${what} valueAndGrad value`);
          expectSameBits(other.grad, fused.grad, `${what} gradient`);
        }
      }
    });
  }

  it("gradients match float64 central differences (rows of 9 and 6, weights, each reduction)", () => {
    const bound = { rtol: 1e-6, atol: 1e-9 };
    for (const [rows, n] of [[4, 9], [3, 6]] as const) {
      const t = contiguous(randomData(rows, n, random, "float64"), "float64");
      const p = contiguous(randomData(rows, n, random, "float64"), "float64");
      const weights = Array.from({ length: rows }, () => 0.5 + random());
      for (const reduction of ["sum_over_batch_size", "sum", "none"] as const) {
        expectGradMatches(new CosineSimilarity({ dtype: "float64", reduction }), t, p, weights, bound);
      }
    }
  });

  it("below the epsilon clamp (0 < |yPred| < ε) the gradient is -u · yTrue / (|yTrue| ε), on the fast path", () => {
    // |yPred|² = 5e-18 < ε² = 1e-14: the norm is the constant ε, so only the linear term is left.
    const t = contiguous([[3, 4, 0, 0, 12], [1, 2, 3, 4, 5]], "float64");
    const p = contiguous([[1e-9, 2e-9, 0, 0, 0], [1, 1, 1, 1, 1]], "float64");
    const { value, grad } = new CosineSimilarity({ dtype: "float64", reduction: "none" }).valueAndGrad(t, p);
    expectClose(flat(value as Tensor)[0]!, -(3e-9 + 8e-9) / (13 * Math.sqrt(1e-14)), { rtol: 1e-12, atol: 0 });
    expectClose(new Tensor(Float64Array.from(flat(grad).slice(0, 5)), [5]), [3, 4, 0, 0, 12].map((v) => -v / 13 / Math.sqrt(1e-14)), { rtol: 1e-12, atol: 0 });
    // A zero row: value -0 (Keras: -0 / ε), the same linear gradient.
    const zero = new CosineSimilarity({ dtype: "float64", reduction: "none" }).valueAndGrad(t, contiguous([[0, 0, 0, 0, 0], [1, 1, 1, 1, 1]], "float64"));
    expect(flat(zero.value as Tensor)[0]).toBe(-0);
    expectClose(new Tensor(Float64Array.from(flat(zero.grad).slice(0, 5)), [5]), [3, 4, 0, 0, 12].map((v) => -v / 13 / Math.sqrt(1e-14)), { rtol: 1e-12, atol: 0 });
  });

  it("NaN and infinite rows give NaN values and NaN gradient rows on both paths; other rows are unaffected", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const t: Data = [[1, 2, 3, 4, 5], [1, NaN, 3, 4, 5], [1, 2, 3, 4, 5], [Infinity, 2, 3, 4, 5], [0, 0, 0, 0, 0], [1, -2, 3, -4, 5]];
      const p: Data = [[2, 1, 0, 1, 2], [2, 1, 0, 1, 2], [2, 1, -Infinity, 1, 2], [2, 1, 0, 1, 2], [Infinity, 1, 0, 1, 2], [0.5, 1, 1, 1, 1]];
      const expected = reference(t, p);
      const loss = new CosineSimilarity({ dtype, reduction: "sum" });
      const fast = loss.valueAndGrad(contiguous(t, dtype), contiguous(p, dtype));
      const values = flat(cosineSimilarity(contiguous(t, dtype), contiguous(p, dtype), { dtype }));
      const g = flat(fast.grad);
      expect(Number.isNaN(fast.value)).toBe(true);
      for (let r = 0; r < t.length; r++) {
        const rowGrad = g.slice(5 * r, 5 * r + 5);
        if (Number.isNaN(expected[r]!)) {
          expect(values[r], `row ${r}`).toBeNaN();
          rowGrad.forEach((v) => expect(v, `row ${r} gradient`).toBeNaN());
        } else {
          expectClose(values[r]!, expected[r]!, { rtol: 1e-6, atol: 1e-6 });
          rowGrad.forEach((v) => expect(Number.isFinite(v), `row ${r} gradient`).toBe(true));
        }
      }
      // Rows 1-4 are NaN in the reference (NaN, ∞·finite / ∞, 0·∞).
      expect(expected.map(Number.isNaN)).toEqual([false, true, true, true, true, false]);
      const strided = loss.valueAndGrad(transposed(t, dtype), transposed(p, dtype));
      expectSameBits(strided.grad, fast.grad, `${dtype} non-finite rows, strided gradient`);
      expectSameBits(cosineSimilarity(padded(t, dtype), padded(p, dtype), { dtype }), cosineSimilarity(contiguous(t, dtype), contiguous(p, dtype), { dtype }), `${dtype} non-finite rows, values`);
    }
  });

  it("overwrites every element of a dirty caller-owned gradient buffer", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const t = contiguous(randomData(3, 6, random, dtype), dtype), p = contiguous(randomData(3, 6, random, dtype), dtype);
      const loss = new CosineSimilarity({ dtype });
      const out = typed(dtype, new Array<number>(18).fill(NaN));
      const { grad } = loss.valueAndGrad(t, p, null, { out });
      expect(grad.data).toBe(out);
      expectSameBits(grad, loss.grad(t, p), `${dtype} out`);
    }
  });
});
