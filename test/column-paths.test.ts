/**
 * The column paths (last axis of length 1, a Dense(1) output) of MSE, MAE and Huber
 * (src/losses/contiguous-column.ts), the total path of reducing calls without weights
 * (`KernelTotal`, `upstream.uniform`) and the reductions' one summation order
 * (`plainSum`). Every path must give the same bits as the general (strided) path and the
 * weighted path, in both dtypes, NaN and Infinity included.
 */
import { describe, expect, it } from "vitest";
import { Hinge, Huber, MeanAbsoluteError, MeanSquaredError, SquaredHinge, Tensor, reduceWeightedValues, type DType, type Loss } from "../src/index";
import { rng } from "./helpers";

const LOSSES: [string, (o: { reduction?: "sum" | "sum_over_batch_size" | "mean_with_sample_weight" | "none"; dtype: DType }) => Loss][] = [
  ["MeanSquaredError", (o) => new MeanSquaredError(o)],
  ["MeanAbsoluteError", (o) => new MeanAbsoluteError(o)],
  ["Huber(delta=0.7)", (o) => new Huber({ ...o, delta: 0.7 })],
];

function column(values: number[], dtype: DType): Tensor {
  return new Tensor(dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values), [values.length, 1]);
}

/** The same numbers as a strided [n, 1] view (every other element of a buffer). */
function stridedColumn(values: number[], dtype: DType): Tensor {
  const data = dtype === "float32" ? new Float32Array(2 * values.length) : new Float64Array(2 * values.length);
  values.forEach((v, i) => (data[2 * i] = v));
  return new Tensor(data, [values.length, 1], [2, 1]);
}

function randomColumn(n: number, seed: number, special = false): number[] {
  const r = rng(seed);
  const out = Array.from({ length: n }, () => 3 * (r() - 0.5));
  if (special) {
    out[3] = Infinity;
    out[8] = -Infinity;
    out[n - 2] = 0;
  }
  return out;
}

function bits(x: number | Tensor): number[] {
  return typeof x === "number" ? [x] : Array.from(x.toArray() as number[]).flat(3) as number[];
}

describe("column paths agree bit for bit with the strided path", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const [name, make] of LOSSES) {
      for (const n of [1, 2, 3, 4, 5, 7, 13, 64]) {
        it(`${name} ${dtype} [${n},1]`, () => {
          const t = randomColumn(n, 7 + n), p = randomColumn(n, 100 + n, n >= 13);
          const none = make({ reduction: "none", dtype });
          expect(bits(none(column(t, dtype), column(p, dtype)))).toEqual(bits(none(stridedColumn(t, dtype), stridedColumn(p, dtype))));
          for (const reduction of ["sum", "sum_over_batch_size", "mean_with_sample_weight"] as const) {
            const loss = make({ reduction, dtype });
            const fast = loss.valueAndGrad(column(t, dtype), column(p, dtype));
            const general = loss.valueAndGrad(stridedColumn(t, dtype), stridedColumn(p, dtype));
            // The value path (total), the valueAndGrad path (gradient and total) and the
            // general path (values, then the reduction) give the same bits.
            expect(loss(column(t, dtype), column(p, dtype))).toBe(general.value);
            expect(fast.value).toBe(general.value);
            expect(bits(fast.grad)).toEqual(bits(general.grad));
            // Weights of 1 go through the weighted path (values written, per-row upstream).
            const ones = new Array(n).fill(1);
            expect(loss(column(t, dtype), column(p, dtype), ones)).toBe(general.value);
            const weighted = loss.valueAndGrad(column(t, dtype), column(p, dtype), ones);
            expect(weighted.value).toBe(general.value);
            expect(bits(weighted.grad)).toEqual(bits(general.grad));
          }
        });
      }
    }
  }
});

describe("column paths: values and gradients by hand", () => {
  // yTrue 0, yPred = e: MSE e², MAE |e|, Huber(δ=1) ½e² inside, |e| − ½ beyond.
  const e = [0.5, -2, Infinity, -Infinity, 0, 1];
  it("MeanSquaredError", () => {
    const loss = new MeanSquaredError({ reduction: "sum", dtype: "float64" });
    const { value, grad } = loss.valueAndGrad(column([0, 0, 0, 0, 0, 0], "float64"), column(e, "float64"));
    expect(value).toBe(Infinity);
    expect(bits(grad)).toEqual([1, -4, Infinity, -Infinity, 0, 2]);
  });
  it("MeanAbsoluteError (sign(0) = 0, as TensorFlow)", () => {
    const loss = new MeanAbsoluteError({ reduction: "sum_over_batch_size", dtype: "float64" });
    const { grad } = loss.valueAndGrad(column([0, 0, 0, 0, 0, 0], "float64"), column(e, "float64"));
    expect(bits(grad)).toEqual([1, -1, 1, -1, 0, 1].map((g) => g / 6));
    expect(loss(column([0, 0], "float64"), column([0.5, -2], "float64"))).toBe(1.25);
  });
  it("Huber: an infinite error has an infinite value and gradient ±δ; a NaN error is NaN in both", () => {
    const loss = new Huber({ reduction: "sum", dtype: "float64" });
    const { value, grad } = loss.valueAndGrad(column([0, 0, 0, 0, 0, 0], "float64"), column(e, "float64"));
    expect(value).toBe(Infinity);
    expect(bits(grad)).toEqual([0.5, -1, 1, -1, 0, 1]);
    expect(loss(column([0, 0, 0], "float64"), column([0.5, -2, 1], "float64"))).toBe(0.125 + 1.5 + 0.5);
    const nan = loss.valueAndGrad(column([0, 0], "float64"), column([NaN, 3], "float64"));
    expect(nan.value).toBeNaN();
    expect(bits(nan.grad)[0]).toBeNaN();
    expect(bits(nan.grad)[1]).toBe(1);
  });
  it("a NaN error in MeanAbsoluteError has a NaN gradient (the branch-free sign would say 0)", () => {
    const g = bits(new MeanAbsoluteError({ reduction: "sum" }).grad([[0], [0]], [[NaN], [2]]));
    expect(g[0]).toBeNaN();
    expect(g[1]).toBe(1);
  });
});

describe("the total path respects what it must", () => {
  it("a subclass that overrides evaluate() is called, not the kernel's total", () => {
    class Doubled extends MeanSquaredError<"sum"> {
      override evaluate(yTrue: Tensor, yPred: Tensor) {
        const r = super.evaluate(yTrue, yPred);
        return { values: new Tensor((r.values.toTypedArray() as Float32Array).map((v) => 2 * v), r.values.shape) };
      }
    }
    expect(new Doubled({ reduction: "sum" })([[0], [0]], [[1], [2]])).toBe(10);
  });
  it("a mask, sample weights and reduction none still weigh the values", () => {
    const loss = new MeanSquaredError();
    expect(loss([[0], [0], [0]], [[1], [2], [3]], null, { mask: [1, 0, 1] })).toBe(5);
    expect(loss([[0], [0], [0]], [[1], [2], [3]], [1, 0, 2])).toBe((1 + 18) / 3);
    expect((new MeanSquaredError({ reduction: "none" })([[0], [0]], [[1], [2]]) as Tensor).toArray()).toEqual([1, 4]);
    const vg = new MeanSquaredError({ reduction: "none" }).valueAndGrad([[0], [0]], [[1], [2]]);
    expect((vg.value as Tensor).toArray()).toEqual([1, 4]);
    expect(bits(vg.grad)).toEqual([2, 4]);
  });
});

describe("the reductions sum in one order", () => {
  // plainSum: element i into accumulator i % 4, then (s0 + s1) + (s2 + s3). With values whose
  // sum depends on the order, the weighted (all-ones) and unweighted paths still agree.
  it("weights of 1 and no weights give the same bits for every length", () => {
    const r = rng(5);
    for (let n = 1; n <= 40; n++) {
      const v = new Tensor(Float64Array.from({ length: n }, () => (r() - 0.5) * 10 ** Math.floor(r() * 16)), [n]);
      const plain = reduceWeightedValues(v, { reduction: "sum" });
      expect(reduceWeightedValues(v, { reduction: "sum", sampleWeight: new Tensor(new Float64Array(n).fill(1), [n]) })).toBe(plain);
      // The order itself, written out here.
      const s = [0, 0, 0, 0];
      const d = v.toTypedArray();
      for (let i = 0; i < n - (n & 3); i++) s[i % 4]! += d[i]!;
      for (let i = n - (n & 3); i < n; i++) s[0]! += d[i]!;
      expect(plain).toBe(s[0]! + s[1]! + (s[2]! + s[3]!));
    }
  });
});

describe("contiguous inputs at different offsets (one running index over aligned views)", () => {
  // yTrue and yPred as contiguous views starting at different offsets of their buffers: the
  // loops see both from one offset. Compared bit for bit with zero-offset copies.
  const cases: [string, (dtype: DType) => Loss][] = [
    ["MeanSquaredError", (dtype) => new MeanSquaredError({ reduction: "sum", dtype })],
    ["MeanAbsoluteError", (dtype) => new MeanAbsoluteError({ reduction: "sum", dtype })],
    ["Huber", (dtype) => new Huber({ reduction: "sum", dtype })],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    for (const [name, make] of cases) {
      for (const [tOff, pOff] of [[0, 5], [7, 2], [3, 3]] as const) {
        for (const shape of [[6, 5], [9, 1], [2, 3, 4]]) {
          it(`${name} ${dtype} ${JSON.stringify(shape)} offsets ${tOff}/${pOff}`, () => {
            const size = shape.reduce((a, b) => a * b, 1);
            const r = rng(tOff * 31 + pOff + size);
            const t = Array.from({ length: size }, () => 2 * r() - 1), p = Array.from({ length: size }, () => 2 * r() - 1);
            const A = dtype === "float32" ? Float32Array : Float64Array;
            const tBuf = new A(size + tOff + 3).fill(99), pBuf = new A(size + pOff + 3).fill(-99);
            tBuf.set(t, tOff);
            pBuf.set(p, pOff);
            const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
            const tView = new Tensor(tBuf, shape, strides, tOff), pView = new Tensor(pBuf, shape, strides, pOff);
            const tCopy = new Tensor(A.from(t), shape), pCopy = new Tensor(A.from(p), shape);
            const loss = make(dtype);
            const a = loss.valueAndGrad(tView, pView), b = loss.valueAndGrad(tCopy, pCopy);
            expect(a.value).toBe(b.value);
            expect(loss(tView, pView)).toBe(b.value);
            expect(bits(a.grad)).toEqual(bits(b.grad));
            // And against a plain float64 formula written here (MSE only: the others are covered above).
            if (name === "MeanSquaredError") {
              const n = shape[shape.length - 1]!;
              let total = 0;
              for (let row = 0; row < size / n; row++) {
                let s = 0;
                for (let k = 0; k < n; k++) s += (A.from([p[row * n + k]!])[0]! - A.from([t[row * n + k]!])[0]!) ** 2;
                total += s / n;
              }
              expect(Math.abs((b.value as number) - total)).toBeLessThan(1e-5 * Math.max(1, total));
            }
          });
        }
      }
    }
  }
});

describe("the total path of row losses (values into a reused scratch, then the reductions' sum)", () => {
  const makers: [string, (o: { reduction: "sum" | "sum_over_batch_size"; dtype: DType }) => Loss][] = [
    ["MeanSquaredError", (o) => new MeanSquaredError(o)],
    ["MeanAbsoluteError", (o) => new MeanAbsoluteError(o)],
    ["Huber", (o) => new Huber(o)],
    ["Hinge", (o) => new Hinge(o)],
    ["SquaredHinge", (o) => new SquaredHinge(o)],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    for (const [name, make] of makers) {
      for (const shape of [[7, 5], [131, 3], [2, 3, 4]]) {
        it(`${name} ${dtype} ${JSON.stringify(shape)}`, () => {
          const size = shape.reduce((a, b) => a * b, 1);
          const r = rng(size + name.length);
          const make32 = dtype === "float32";
          const t = make32 ? new Float32Array(size) : new Float64Array(size);
          const p = make32 ? new Float32Array(size) : new Float64Array(size);
          for (let i = 0; i < size; i++) t[i] = name.includes("Hinge") ? (r() < 0.5 ? -1 : 1) : 4 * r() - 2;
          for (let i = 0; i < size; i++) p[i] = 4 * r() - 2;
          const loss = make({ reduction: "sum_over_batch_size", dtype });
          const yt = new Tensor(t, shape), yp = new Tensor(p, shape);
          const total = loss(yt, yp);
          // The weighted path (values, then the weighted sum) with weights of 1.
          const ones = new Tensor(new Float64Array(size / shape[shape.length - 1]!).fill(1), shape.slice(0, -1));
          expect(total).toBe(loss(yt, yp, ones));
          const fused = loss.valueAndGrad(yt, yp), weighted = loss.valueAndGrad(yt, yp, ones);
          expect(fused.value).toBe(total);
          expect(weighted.value).toBe(total);
          expect(bits(fused.grad)).toEqual(bits(weighted.grad));
          // A second call with a smaller batch reuses the scratch: still its own values.
          const half = new Tensor(t.subarray(0, size / 2 - ((size / 2) % shape[shape.length - 1]!)), [Math.floor(size / 2 / shape[shape.length - 1]!), shape[shape.length - 1]!]);
          const halfP = new Tensor(p.subarray(0, half.size), half.shape);
          const halfOnes = new Tensor(new Float64Array(half.shape[0]!).fill(1), [half.shape[0]!]);
          expect(loss(half, halfP)).toBe(loss(half, halfP, halfOnes));
        });
      }
    }
  }
});
