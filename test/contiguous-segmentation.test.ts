/**
 * The Dice and Tversky loops (src/losses/contiguous-segmentation.ts): the contiguous fast
 * path (C-contiguous yTrue and yPred of one shape and the loss's dtype, each sample a run of
 * consecutive elements) and the strided path (views, several blocks per sample, another
 * dtype) must give the same bits; both are checked against a float64 reference written
 * here (Keras's formulas, Tversky's false positives and negatives summed directly), against
 * central differences, with NaN and infinite samples, and with a dirty caller-owned buffer.
 */
import { describe, expect, it } from "vitest";
import { Dice, FBeta, Jaccard, Tversky, Tensor, dice, moveAxis, tversky, type DType, type Loss } from "../src/index";
import { expectClose, expectGradMatches, flat, rng } from "./helpers";

type Case = { name: string; make: (options: Record<string, unknown>) => Loss; reference: (t: number[], p: number[]) => number };

const EPS = 1e-7;
const CASES: Case[] = [
  {
    name: "Dice",
    make: (o) => new Dice(o as never),
    reference: (t, p) => {
      let inter = 0, sum = 0;
      t.forEach((a, k) => ((inter += a * p[k]!), (sum += a + p[k]!)));
      return 1 - (2 * inter) / (sum + EPS);
    },
  },
  {
    name: "Tversky(0.3, 0.7)",
    make: (o) => new Tversky({ alpha: 0.3, beta: 0.7, ...o } as never),
    reference: (t, p) => {
      let inter = 0, fp = 0, fn = 0;
      t.forEach((a, k) => {
        const b = p[k]!;
        inter += a * b;
        fp += (1 - a) * b;
        fn += a * (1 - b);
      });
      return 1 - inter / (inter + 0.3 * fp + 0.7 * fn + EPS);
    },
  },
  // ./overlap.ts's losses run the same loops (Jaccard the Dice ones, F-beta the Tversky ones).
  {
    name: "Jaccard(smooth 0.5)",
    make: (o) => new Jaccard({ smooth: 0.5, ...o } as never),
    reference: (t, p) => {
      let inter = 0, st = 0, sp = 0;
      t.forEach((a, k) => ((inter += a * p[k]!), (st += a), (sp += p[k]!)));
      return 1 - (inter + 0.5) / (st + sp - inter + 0.5 + EPS);
    },
  },
  {
    name: "FBeta(2)",
    make: (o) => new FBeta({ beta: 2, ...o } as never),
    reference: (t, p) => {
      let tp = 0, fp = 0, fn = 0;
      t.forEach((a, k) => {
        const b = p[k]!;
        tp += a * b;
        fp += (1 - a) * b;
        fn += a * (1 - b);
      });
      const precision = tp / (tp + fp + EPS), recall = tp / (tp + fn + EPS);
      return 1 - (5 * precision * recall) / (4 * precision + recall + EPS);
    },
  },
];

function typed(dtype: DType, values: readonly number[]): Float32Array | Float64Array {
  return dtype === "float32" ? Float32Array.from(values) : Float64Array.from(values);
}

/** Per-sample values (`samples` rows of `m`) as a contiguous tensor of `shape`, after `lead` junk elements. */
function contiguous(values: number[], shape: number[], dtype: DType, lead = 0): Tensor {
  return new Tensor(typed(dtype, [...new Array<number>(lead).fill(99), ...values]), shape, undefined, lead);
}

/** The same values stored channels-first ([B, C, H, W]) and seen as [B, H, W, C]: a strided view. */
function channelsFirst(values: number[], shape: number[], dtype: DType): Tensor {
  const [b, h, w, c] = shape as [number, number, number, number];
  const data = new Array<number>(values.length);
  for (let i = 0; i < b; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let z = 0; z < c; z++) {
    data[((i * c + z) * h + y) * w + x] = values[((i * h + y) * w + x) * c + z]!;
  }
  return moveAxis(new Tensor(typed(dtype, data), [b, c, h, w]), 1, 3);
}

/** Every other element of a padded buffer: one stride of 2. */
function padded(values: number[], shape: number[], dtype: DType): Tensor {
  const data: number[] = [7];
  for (const v of values) data.push(v, -5);
  const strides = shape.map((_, a) => 2 * shape.slice(a + 1).reduce((p, d) => p * d, 1));
  return new Tensor(typed(dtype, data), shape, strides, 1);
}

function expectSameBits(actual: Tensor | number, expected: Tensor | number, what: string): void {
  const a = flat(actual), e = flat(expected);
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], e[i])) throw new Error(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (bit-identical)`);
}

function samples(values: number[], count: number): number[][] {
  const m = values.length / count;
  return Array.from({ length: count }, (_, i) => values.slice(i * m, (i + 1) * m));
}

describe("Dice and Tversky: contiguous fast path and strided path", () => {
  const random = rng(2020);
  // 0.05 + 0.9 u: full-width mantissas (the generator's 32-bit uniforms would sum exactly in any order).
  const soft = (size: number, dtype: DType) => Array.from({ length: size }, () => (dtype === "float32" ? Math.fround(0.05 + 0.9 * random()) : 0.05 + 0.9 * random()));
  const mask = (size: number, _dtype?: DType) => Array.from({ length: size }, () => +(random() < 0.3));

  for (const dtype of ["float32", "float64"] as const) {
    for (const c of CASES) {
      it(`${c.name} ${dtype}: contiguous, offset, channels-first and padded inputs give the same bits, close to the float64 reference`, () => {
        // Samples of 15, 1, 12, 21 and 1029 elements (and many samples of 15): groups of four that run across the blocks of a channels-first view.
        // Binary masks (sums of yTrue exact in any order) and soft labels (not).
        for (const [shape, labels] of [[[2, 3, 5, 1], mask], [[2, 3, 5, 1], soft], [[3, 1, 1, 1], soft], [[2, 2, 2, 3], mask], [[2, 3, 7, 1], soft], [[2, 21, 49, 1], mask], [[2, 21, 49, 1], soft], [[40, 3, 5, 1], soft]] as [number[], (size: number, dtype: DType) => number[]][]) {
          const size = shape.reduce((p, d) => p * d, 1), batch = shape[0]!;
          const t = labels(size, dtype), p = soft(size, dtype);
          const weights = Array.from({ length: batch }, () => random());
          const options = { dtype, axis: [1, 2, 3] };
          const none = c.make({ ...options, reduction: "none" });
          const fast = none(contiguous(t, shape, dtype), contiguous(p, shape, dtype)) as Tensor;
          const tRows = samples(t, batch), pRows = samples(p, batch);
          expectClose(fast, tRows.map((row, i) => c.reference(row, pRows[i]!)), { rtol: dtype === "float32" ? 2e-6 : 1e-12, atol: dtype === "float32" ? 2e-6 : 1e-13 });
          // The fused pass gives each sample the bits of the value-only pass.
          expectSameBits(none.valueAndGrad(contiguous(t, shape, dtype), contiguous(p, shape, dtype)).value as Tensor, fast, `${c.name} ${dtype} [${shape}] fused values`);
          const loss = c.make(options);
          const fused = loss.valueAndGrad(contiguous(t, shape, dtype), contiguous(p, shape, dtype), weights);
          expect(fused.value).toBe(loss(contiguous(t, shape, dtype), contiguous(p, shape, dtype), weights));
          const views: [string, Tensor, Tensor][] = [
            ["offset", contiguous(t, shape, dtype, 3), contiguous(p, shape, dtype, 5)],
            ["channels-first", channelsFirst(t, shape, dtype), channelsFirst(p, shape, dtype)],
            ["padded", padded(t, shape, dtype), padded(p, shape, dtype)],
          ];
          if (dtype === "float32") views.push(["float64 data", contiguous(t, shape, "float64"), contiguous(p, shape, "float64")]);
          for (const [name, tv, pv] of views) {
            const what = `${c.name} ${dtype} [${shape}] ${name}`;
            expectSameBits(none(tv, pv) as Tensor, fast, `${what} values`);
            const other = loss.valueAndGrad(tv, pv, weights);
            expectSameBits(other.value, fused.value, `${what} valueAndGrad value`);
            expectSameBits(other.grad, fused.grad, `${what} gradient`);
          }
        }
      });
    }
  }

  it("other axes that keep samples contiguous: a trailing kept axis of size 1, axis null, axis -1", () => {
    const shape = [3, 4, 5, 1], size = 60;
    for (const c of CASES) {
      const t = soft(size, "float64"), p = soft(size, "float64");
      for (const [axis, outShape, count] of [[[1, 2], [3, 1], 3], [null, [], 1], [-1, [3, 4, 5], 60], [[2, 3], [3, 4], 12]] as const) {
        const none = c.make({ dtype: "float64", axis, reduction: "none" });
        const fast = none(contiguous(t, shape, "float64"), contiguous(p, shape, "float64")) as Tensor;
        expect(fast.shape).toEqual(outShape);
        const tRows = samples(t, count), pRows = samples(p, count);
        expectClose(new Tensor(Float64Array.from(flat(fast)), [count]), tRows.map((row, i) => c.reference(row, pRows[i]!)), { rtol: 1e-12, atol: 1e-13 });
        expectSameBits(none(padded(t, shape, "float64"), padded(p, shape, "float64")) as Tensor, fast, `${c.name} axis ${axis} padded`);
        const sum = c.make({ dtype: "float64", axis, reduction: "sum" });
        expectSameBits(sum.grad(channelsFirst(t, shape, "float64"), channelsFirst(p, shape, "float64")), sum.grad(contiguous(t, shape, "float64"), contiguous(p, shape, "float64")), `${c.name} axis ${axis} gradient`);
      }
    }
  });

  it("gradients on the fast path match float64 central differences (samples of 15 and 13 elements, weights, each reduction)", () => {
    const bound = { rtol: 1e-6, atol: 1e-9 };
    for (const shape of [[3, 3, 5, 1], [2, 13, 1, 1]]) {
      const size = shape.reduce((p, d) => p * d, 1);
      const t = contiguous(Array.from({ length: size }, () => 0.05 + 0.9 * random()), shape, "float64");
      const p = contiguous(Array.from({ length: size }, () => 0.05 + 0.9 * random()), shape, "float64");
      const weights = Array.from({ length: shape[0]! }, () => 0.5 + random());
      for (const c of CASES) {
        for (const reduction of ["sum_over_batch_size", "sum", "none"] as const) {
          expectGradMatches(c.make({ dtype: "float64", axis: [1, 2, 3], reduction }), t, p, weights, bound);
        }
        expectGradMatches(c.make({ dtype: "float64", axis: null }), t, p, null, bound);
      }
    }
  });

  it("NaN and infinite samples give NaN values and NaN gradients on both paths; other samples are unaffected", () => {
    const shape = [5, 2, 3, 1];
    const t = [1, 0, 1, 1, 0, 0, /**/ 1, NaN, 1, 0, 0, 1, /**/ 1, 0, 1, 0, 1, 0, /**/ Infinity, 0, 1, 0, 1, 1, /**/ 0, 1, 1, 0, 1, 0];
    const p = [0.9, 0.1, 0.8, 0.7, 0.2, 0.1, /**/ 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, /**/ 0.5, Infinity, 0.5, 0.5, 0.5, 0.5, /**/ 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, /**/ 0.3, 0.6, 0.9, 0.1, 0.4, 0.2];
    const tRows = samples(t, 5), pRows = samples(p, 5);
    for (const dtype of ["float32", "float64"] as const) {
      for (const c of CASES) {
        const expected = tRows.map((row, i) => c.reference(row, pRows[i]!));
        expect(expected.map(Number.isNaN), c.name).toEqual([false, true, true, true, false]);
        const values = flat(c.make({ dtype, axis: [1, 2, 3], reduction: "none" })(contiguous(t, shape, dtype), contiguous(p, shape, dtype)) as Tensor);
        const loss = c.make({ dtype, axis: [1, 2, 3], reduction: "sum" });
        const fast = loss.valueAndGrad(contiguous(t, shape, dtype), contiguous(p, shape, dtype));
        const g = flat(fast.grad);
        for (let r = 0; r < 5; r++) {
          const rowGrad = g.slice(6 * r, 6 * r + 6);
          if (Number.isNaN(expected[r]!)) {
            expect(values[r], `${c.name} ${dtype} sample ${r}`).toBeNaN();
            rowGrad.forEach((v) => expect(v, `${c.name} ${dtype} sample ${r} gradient`).toBeNaN());
          } else {
            expectClose(values[r]!, expected[r]!, { rtol: 1e-6, atol: 1e-6 });
            rowGrad.forEach((v) => expect(Number.isFinite(v), `${c.name} ${dtype} sample ${r} gradient`).toBe(true));
          }
        }
        const strided = loss.valueAndGrad(channelsFirst(t, shape, dtype), channelsFirst(p, shape, dtype));
        expectSameBits(strided.grad, fast.grad, `${c.name} ${dtype} non-finite samples, strided gradient`);
      }
    }
  });

  it("overwrites every element of a dirty caller-owned gradient buffer", () => {
    const shape = [3, 2, 5, 1];
    for (const dtype of ["float32", "float64"] as const) {
      for (const c of CASES) {
        const t = contiguous(mask(30), shape, dtype), p = contiguous(soft(30, dtype), shape, dtype);
        const loss = c.make({ dtype, axis: [1, 2, 3] });
        const out = typed(dtype, new Array<number>(30).fill(NaN));
        const { grad } = loss.valueAndGrad(t, p, null, { out });
        expect(grad.data).toBe(out);
        expectSameBits(grad, loss.grad(t, p), `${c.name} ${dtype} out`);
      }
    }
  });

  it("the function handles take the fast path too (same bits as a padded view)", () => {
    const shape = [2, 3, 3, 1];
    const t = mask(18), p = soft(18, "float32");
    expectSameBits(dice(contiguous(t, shape, "float32"), contiguous(p, shape, "float32"), { axis: [1, 2, 3] }), dice(padded(t, shape, "float32"), padded(p, shape, "float32"), { axis: [1, 2, 3] }), "dice handle");
    expectSameBits(tversky(contiguous(t, shape, "float32"), contiguous(p, shape, "float32")), tversky(padded(t, shape, "float32"), padded(p, shape, "float32")), "tversky handle");
  });
});
