/**
 * The benchmark's yardsticks: the hand-written loops (bench/loops.mjs) and the float64
 * references (bench/reference.mjs) give Keras's documented numbers, agree with each
 * other on the benchmark's data, and the gradient loops match finite differences.
 */
import { describe, expect, it } from "vitest";
import * as loops from "../bench/loops.mjs";
import * as best from "../bench/best.mjs";
import { reference, Sum } from "../bench/reference.mjs";
import { DATASETS, rng } from "../bench/data.mjs";
import { geometricMean, median } from "../bench/measure.mjs";
import { WORKLOADS, bestValue, bestValueAndGrad, losskitValueAndGrad, selectWorkloads, toFloat64 } from "../bench/workloads.mjs";
import * as lk from "../src/index";

const f32 = (a: unknown[]): Float32Array => Float32Array.from(a.flat(Infinity as 1) as number[]);

/** NumPy allclose: |a - e| <= atol + rtol |e|. */
function close(actual: number, expected: number, rtol: number, atol = 0): void {
  const tolerance = atol + rtol * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tolerance)) throw new Error(`${actual} differs from ${expected} by ${Math.abs(actual - expected)} (> ${tolerance})`);
}

describe("loops give Keras's documented values (losses_test.py, docstrings)", () => {
  const regT = f32([[1, 9, 2], [-5, -2, 6]]);
  const regP = f32([[4, 8, 12], [8, 1, 3]]);
  const logits3 = f32([[8, 1, 1], [0, 9, 1], [2, 3, 5]]);
  const oneHot3 = f32([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);

  it("MeanSquaredError 49.5, MeanAbsoluteError 5.5 (MeanSquaredErrorTest/MeanAbsoluteErrorTest.test_unweighted)", () => {
    close(loops.meanSquaredError(regT, regP), 49.5, 1e-7);
    close(loops.meanAbsoluteError(regT, regP), 5.5, 1e-7);
  });
  it("huber 0.155 and log_cosh 0.108 (docstrings, 3 decimals)", () => {
    close(loops.huber(f32([[0, 1], [0, 0]]), f32([[0.6, 0.4], [0.4, 0.6]])), 0.155, 0, 5e-4);
    close(loops.logCosh(f32([[0, 1], [0, 0]]), f32([[1, 1], [0, 0]])), 0.108, 0, 5e-4);
  });
  it("BinaryCrossentropy 0.20046903, 3.98559 and from logits 3.3333 (BinaryCrossentropyTest.test_unweighted)", () => {
    close(loops.binaryCrossentropy(oneHot3, f32([[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]])), 0.20046903, 1e-6, 1e-6);
    close(loops.binaryCrossentropy(f32([1, 0, 1, 0]), f32([1, 1, 1, 0])), 3.98559, 0, 1e-5);
    close(loops.binaryCrossentropyFromLogits(f32([[1, 0, 1], [0, 1, 1]]), f32([[10, -10, 10], [10, 10, -10]])), 3.3333, 0, 1e-3);
  });
  it("Categorical and SparseCategorical crossentropy from logits 0.0573; per sample (0.001822, 0.000459, 0.169846)", () => {
    close(loops.categoricalCrossentropyFromLogits(oneHot3, logits3, 3, 3), 0.0573, 0, 1e-4);
    close(loops.sparseCategoricalCrossentropyFromLogits(f32([0, 1, 2]), logits3, 3, 3), 0.0573, 0, 1e-4);
    close(loops.sparseCategoricalCrossentropyFromLogits(f32([0, 1, 2]), logits3, 3, 3), (0.001822 + 0.000459 + 0.169846) / 3, 0, 1e-6);
  });
  it("KLDivergence: sum(y log(y/p)) / batch (KLDivergenceTest.test_unweighted data)", () => {
    const t = [0.5, 0.8, 0.12, 0.7, 0.43, 0.8], p = [0.4, 0.9, 0.12, 0.36, 0.3, 0.4];
    const expected = t.reduce((s, v, i) => s + Math.fround(v) * Math.log(Math.fround(v) / Math.fround(p[i]!)), 0) / 2;
    close(loops.klDivergence(f32(t), f32(p), 2), expected, 1e-12);
  });
  it("cosine_similarity [-0, -0.99999994, 0.99999994] (docstring): mean 0", () => {
    close(loops.cosineSimilarity(f32([[0, 1], [1, 1], [1, 1]]), f32([[1, 0], [1, 1], [-1, -1]]), 3, 2), 0, 0, 1e-7);
    close(loops.cosineSimilarity(f32([[1, 1]]), f32([[1, 1]]), 1, 2), -0.99999994, 0, 1e-7);
  });
  it("Hinge 1.3 with {0,1} labels converted to ±1 (HingeTest.test_unweighted)", () => {
    close(loops.hinge(f32([[0, 1], [0, 0]]), f32([[0.6, 0.4], [0.4, 0.6]])), 1.3, 0, 1e-3);
    // ±1 labels are used as they are: mean(max(1 - y p, 0))
    close(loops.hinge(f32([-1, 1]), f32([0.5, 0.5])), (1.5 + 0.5) / 2, 1e-12);
  });
  it("binary_focal_crossentropy [0.330, 0.206] (docstring, gamma 2, probabilities given as their logits)", () => {
    const logit = (p: number): number => Math.log(p / (1 - p));
    const x = Float64Array.from([0.6, 0.4, 0.4, 0.6].map(logit));
    close(loops.binaryFocalCrossentropyFromLogits(f32([[0, 1], [0, 0]]), x, { applyClassBalancing: false }), (0.33 + 0.206) / 2, 0, 1e-3);
  });
  it("categorical_focal_crossentropy [2.63401289e-04, 6.75912094e-01] (docstring, probabilities given as log-probabilities)", () => {
    const x = Float64Array.from([0.05, 0.9, 0.05, 0.1, 0.85, 0.05].map(Math.log));
    close(loops.categoricalFocalCrossentropyFromLogits(f32([[0, 1, 0], [0, 0, 1]]), x, 2, 3), (2.63401289e-4 + 6.75912094e-1) / 2, 1e-6);
  });
  it("dice [0.5, 0.75757575] over axes (1, 2, 3) (Dice docstring)", () => {
    const t = f32([[[[1], [1]], [[0], [0]]], [[[1], [1]], [[0], [0]]]]);
    const p = f32([[[[0], [1]], [[0], [1]]], [[[0.4], [0]], [[0], [0.9]]]]);
    close(loops.dice(t, p, 2, 4), (0.5 + 0.75757575) / 2, 1e-6);
  });
  it("ctc 3.4411672 (ops/nn_test.py: labels [1, 2, 1] over 3 frames)", () => {
    const x = f32([[[0.4, 0.8, 0.4], [0.2, 0.8, 0.3], [0.9, 0.4, 0.5]]]);
    close(loops.ctc(f32([1, 2, 1]), x, 1, 3, 3, 3), 3.4411672, 1e-6);
    close(reference.ctc(f32([1, 2, 1]), x, 1, 3, 3, 3), 3.4411672, 1e-6);
  });
  it("Circle 188.3883 (gamma 80, margin 0.4) and 652.7617 (gamma 256, margin 0.25) (CircleTest.test_correctness)", () => {
    const labels = f32([1, 1, 2, 2, 3]);
    const e = Float64Array.from(
      [
        [0.70014004, -0.42008403, 0.14002801, 0.56011203],
        [0.17609018, 0.70436073, -0.52827054, 0.44022545],
        [-0.34050261, 0.25537696, -0.68100522, 0.59587957],
        [0.32163376, -0.75047877, 0.53605627, -0.21442251],
        [0.51261459, -0.34174306, 0.17087153, 0.76892189],
      ].flat(),
    );
    close(loops.circle(labels, e, 5, 4), 188.3883, 1e-6);
    close(reference.circle(labels, e, 5, 4), 188.3883, 1e-6);
    close(loops.circle(labels, e, 5, 4, { gamma: 256, margin: 0.25 }), 652.7617, 1e-6);
  });
});

describe("loops and float64 references agree on the benchmark's data", () => {
  const B = 64;
  const reg = DATASETS.regression({ B, D: 96 });
  const bin = DATASETS.binary({ B, D: 96 });
  const prob = DATASETS.probabilities({ B, D: 96 });
  const cls = DATASETS.classes({ B, C: 50 });
  const dist = DATASETS.distributions({ B, C: 50 });
  const hin = DATASETS.hinge({ B, D: 96 });
  const seg = DATASETS.segmentation({ B, D: 64 });
  const seq = DATASETS.ctc({ B: 8, T: 30, C: 10, L: 8 });
  const cir = DATASETS.circle({ B: 40, E: 16, K: 4 });
  const cases: [string, number, number, number][] = [
    ["MSE", loops.meanSquaredError(reg.yTrue, reg.yPred), reference.meanSquaredError(reg.yTrue, reg.yPred, B, 96), 1e-12],
    ["MAE", loops.meanAbsoluteError(reg.yTrue, reg.yPred), reference.meanAbsoluteError(reg.yTrue, reg.yPred, B, 96), 1e-12],
    ["Huber", loops.huber(reg.yTrue, reg.yPred, 1), reference.huber(reg.yTrue, reg.yPred, B, 96, 1), 1e-12],
    ["LogCosh", loops.logCosh(reg.yTrue, reg.yPred), reference.logCosh(reg.yTrue, reg.yPred, B, 96), 1e-12],
    ["BCE logits", loops.binaryCrossentropyFromLogits(bin.yTrue, bin.yPred), reference.binaryCrossentropyFromLogits(bin.yTrue, bin.yPred, B, 96), 1e-12],
    ["BCE", loops.binaryCrossentropy(prob.yTrue, prob.yPred), reference.binaryCrossentropy(prob.yTrue, prob.yPred, B, 96), 1e-12],
    ["CCE logits", loops.categoricalCrossentropyFromLogits(cls.oneHot, cls.logits, B, 50), reference.categoricalCrossentropyFromLogits(cls.oneHot, cls.logits, B, 50), 1e-12],
    ["SCCE logits", loops.sparseCategoricalCrossentropyFromLogits(cls.labels, cls.logits, B, 50), reference.sparseCategoricalCrossentropyFromLogits(cls.labels, cls.logits, B, 50), 1e-12],
    ["KLD", loops.klDivergence(dist.yTrue, dist.yPred, B), reference.klDivergence(dist.yTrue, dist.yPred, B, 50), 1e-10],
    ["Cosine", loops.cosineSimilarity(reg.yTrue, reg.yPred, B, 96), reference.cosineSimilarity(reg.yTrue, reg.yPred, B, 96), 1e-12],
    ["Hinge", loops.hinge(hin.yTrue, hin.yPred), reference.hinge(hin.yTrue, hin.yPred, B, 96), 1e-12],
    ["Binary focal", loops.binaryFocalCrossentropyFromLogits(bin.yTrue, bin.yPred), reference.binaryFocalCrossentropyFromLogits(bin.yTrue, bin.yPred, B, 96), 1e-10],
    ["Categorical focal", loops.categoricalFocalCrossentropyFromLogits(cls.oneHot, cls.logits, B, 50), reference.categoricalFocalCrossentropyFromLogits(cls.oneHot, cls.logits, B, 50), 1e-10],
    ["Dice", loops.dice(seg.yTrue, seg.yPred, B, seg.D), reference.dice(seg.yTrue, seg.yPred, B, seg.D), 1e-12],
    ["CTC", loops.ctc(seq.labels, seq.logits, 8, 30, 10, 8), reference.ctc(seq.labels, seq.logits, 8, 30, 10, 8), 1e-10],
    ["Circle", loops.circle(cir.labels, cir.embeddings, 40, 16), reference.circle(cir.labels, cir.embeddings, 40, 16), 1e-10],
  ];
  it.each(cases)("%s: |loop - reference| <= rtol |reference|", (_name, loop, ref, rtol) => {
    expect(Number.isFinite(ref)).toBe(true);
    close(loop, ref, rtol);
  });

  it("every workload's best loop (float32 and float64 instances) and plain loop match its reference at a small batch", async () => {
    // As run.mjs loads them: two module instances, so float32 and float64 get separate functions.
    const path = "../bench/best.mjs";
    const best32: typeof best = await import(`${path}?float32`);
    const best64: typeof best = await import(`${path}?float64`);
    expect(best32.meanSquaredError).not.toBe(best64.meanSquaredError);
    for (const w of WORKLOADS) {
      const d = w.data(32, w.sweep ? { sweepSize: 16 } : undefined);
      const ref = w.reference(d);
      const d64 = toFloat64(d);
      if (w.kind === "value") {
        close(bestValue(w, best32, d)(), ref, 1e-9);
        close(bestValue(w, best64, d64)(), ref, 1e-9);
      } else {
        const g = new Float32Array(w.arrays(d).yPred.length);
        const run = bestValueAndGrad(w, best32, d, g);
        if (run) close(run(), ref, 1e-9);
        else expect(["W17g", "W18g"]).toContain(w.id);
      }
      if (w.naive) {
        const out = w.naive(d)();
        close(typeof out === "number" ? out : out.value, ref, 1e-9);
      }
    }
  });

  it("selectWorkloads picks by id (W12/W13 are W1g/W7g) and refuses unknown ids", () => {
    expect(selectWorkloads(["w1", "W13", "w5G"]).map((w) => w.id)).toEqual(["W1", "W5g", "W7g"]);
    expect(selectWorkloads([]).length).toBe(WORKLOADS.length);
    expect(WORKLOADS.filter((w) => w.kind === "valueAndGrad").length).toBe(WORKLOADS.length / 2);
    expect(() => selectWorkloads(["W99"])).toThrow(/unknown workload W99/);
  });
});

describe("gradient loops", () => {
  /** Central differences of a value loop, in float64. */
  function numeric(value: (p: Float64Array) => number, p: Float64Array, h = 1e-6): Float64Array {
    const g = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const keep = p[i]!;
      p[i] = keep + h;
      const up = value(p);
      p[i] = keep - h;
      const down = value(p);
      p[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }
  function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let num = 0, den = 0;
    for (let i = 0; i < b.length; i++) {
      num = Math.max(num, Math.abs(a[i]! - b[i]!));
      den = Math.max(den, Math.abs(b[i]!));
    }
    return num / den;
  }

  it("W12 MSE valueAndGrad: value = MSE, grad = 2 (p - t) / N within float32 rounding, and matches central differences (1e-6)", () => {
    const d = DATASETS.regression({ B: 8, D: 12 });
    const { value, grad } = loops.meanSquaredErrorValueAndGrad(d.yTrue, d.yPred);
    close(value, loops.meanSquaredError(d.yTrue, d.yPred), 1e-15);
    expect(maxRelativeDiff(grad, reference.meanSquaredErrorGrad(d.yTrue, d.yPred))).toBeLessThan(1e-7);
    const p = Float64Array.from(d.yPred);
    expect(maxRelativeDiff(grad, numeric((q) => loops.meanSquaredError(d.yTrue, q), p))).toBeLessThan(1e-6);
  });

  it("W13 CCE valueAndGrad: grad = (Σy softmax - y) / B, and matches central differences (1e-6)", () => {
    const d = DATASETS.classes({ B: 6, C: 7 });
    const { value, grad } = loops.categoricalCrossentropyFromLogitsValueAndGrad(d.oneHot, d.logits, 6, 7);
    close(value, loops.categoricalCrossentropyFromLogits(d.oneHot, d.logits, 6, 7), 1e-15);
    expect(maxRelativeDiff(grad, reference.categoricalCrossentropyFromLogitsGrad(d.oneHot, d.logits, 6, 7))).toBeLessThan(1e-7);
    const p = Float64Array.from(d.logits);
    expect(maxRelativeDiff(grad, numeric((q) => loops.categoricalCrossentropyFromLogits(d.oneHot, q, 6, 7), p))).toBeLessThan(1e-6);
  });
});

describe("numerical care in the loops", () => {
  it("logit losses stay finite for logits of ±1e4", () => {
    const x = f32([1e4, -1e4, 1e4, -1e4]);
    const z = f32([1, 0, 0, 1]);
    close(loops.binaryCrossentropyFromLogits(z, x), (1e4 + 1e4) / 4, 1e-12);
    close(loops.categoricalCrossentropyFromLogits(f32([[1, 0], [0, 1]]), f32([[1e4, -1e4], [1e4, -1e4]]), 2, 2), 2e4 / 2, 1e-12);
    close(loops.sparseCategoricalCrossentropyFromLogits(f32([1, 0]), f32([[1e4, -1e4], [1e4, -1e4]]), 2, 2), 2e4 / 2, 1e-12);
    expect(Number.isFinite(loops.binaryFocalCrossentropyFromLogits(z, x))).toBe(true);
    expect(Number.isFinite(loops.categoricalFocalCrossentropyFromLogits(f32([[1, 0]]), f32([[-1e4, 1e4]]), 1, 2))).toBe(true);
  });
  it("probabilities are clipped to float32 [1e-7, 1 - 1e-7] as Keras clips them", () => {
    expect(loops.ONE_MINUS_EPS32).toBe(0.9999998807907104);
    // p = 1 with label 0: -log(1 - (1 - eps)) = -log(1.1920929e-7)
    close(loops.binaryCrossentropy(f32([0]), f32([1])), -Math.log(1 - 0.9999998807907104), 1e-12);
  });
  it("Neumaier summation keeps what a naive sum loses", () => {
    const s = new Sum();
    s.add(1e16).add(1).add(-1e16);
    expect(s.value).toBe(1);
  });
});

describe("data generators", () => {
  it("are deterministic and shaped as documented", () => {
    const a = DATASETS.classes({ B: 10, C: 7 });
    const b = DATASETS.classes({ B: 10, C: 7 });
    expect(Array.from(a.logits)).toEqual(Array.from(b.logits));
    for (let r = 0; r < 10; r++) {
      let sum = 0;
      for (let k = 0; k < 7; k++) sum += a.oneHot[r * 7 + k]!;
      expect(sum).toBe(1);
      expect(a.oneHot[r * 7 + a.labelsInt[r]!]).toBe(1);
    }
    const dist = DATASETS.distributions({ B: 5, C: 9 });
    for (let r = 0; r < 5; r++) {
      let sum = 0;
      for (let k = 0; k < 9; k++) sum += dist.yTrue[r * 9 + k]!;
      close(sum, 1, 1e-6);
    }
    const p = DATASETS.probabilities({ B: 20, D: 50 });
    expect(p.yPred.every((v) => v > 0 && v < 1)).toBe(true);
    const h = DATASETS.hinge({ B: 4, D: 8 });
    expect(h.yTrue.every((v) => v === 1 || v === -1)).toBe(true);
  });
  it("CTC labels: 1..C-1 up to each row's length, then 0 padding", () => {
    const d = DATASETS.ctc({ B: 6, T: 40, C: 9, L: 10 });
    for (let b = 0; b < 6; b++) {
      const len = d.lengths[b]!;
      expect(len).toBeGreaterThanOrEqual(5);
      for (let j = 0; j < 10; j++) {
        const v = d.labels[b * 10 + j]!;
        if (j < len) expect(v >= 1 && v <= 8).toBe(true);
        else expect(v).toBe(0);
      }
    }
  });
  it("normals have the requested spread", () => {
    const x = new Float64Array(20000);
    const random = rng(42);
    for (let i = 0; i < x.length; i++) x[i] = random();
    const n = DATASETS.binary({ B: 100, D: 200 }).yPred;
    let s = 0, ss = 0;
    for (const v of n) {
      s += v;
      ss += v * v;
    }
    const mean = s / n.length;
    close(Math.sqrt(ss / n.length - mean * mean), 3, 0.05);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(x.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe("statistics", () => {
  it("median and geometric mean", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    close(geometricMean([1, 4, 16]), 4, 1e-12);
    expect(geometricMean([2, NaN, 8])).toBeCloseTo(4, 12);
  });
});

describe("losskit agrees with the loops (the bench's losskit column computes the same numbers)", () => {
  const B = 16;
  const reg = DATASETS.regression({ B, D: 24 });
  const cls = DATASETS.classes({ B, C: 11 });
  const shape = [B, 24];
  it("MSE, MAE and the MSE valueAndGrad", () => {
    const t = lk.tensor(reg.yTrue, shape), p = lk.tensor(reg.yPred, shape);
    close(new lk.MeanSquaredError()(t, p) as number, loops.meanSquaredError(reg.yTrue, reg.yPred), 1e-6);
    close(new lk.MeanAbsoluteError()(t, p) as number, loops.meanAbsoluteError(reg.yTrue, reg.yPred), 1e-6);
    const { grad } = new lk.MeanSquaredError().valueAndGrad(t, p);
    const expected = loops.meanSquaredErrorValueAndGrad(reg.yTrue, reg.yPred).grad;
    for (let i = 0; i < expected.length; i++) close(grad.data[i]!, expected[i]!, 1e-6, 1e-12);
  });
  it("CCE from logits", () => {
    const y = lk.tensor(cls.oneHot, [B, 11]), x = lk.tensor(cls.logits, [B, 11]);
    close(new lk.CategoricalCrossentropy({ fromLogits: true })(y, x) as number, loops.categoricalCrossentropyFromLogits(cls.oneHot, cls.logits, B, 11), 1e-6);
  });
});

describe("best loops (issue 10's yardstick): float32 and float64 inputs against the float64 references", () => {
  type A = Float32Array | Float64Array;
  const to64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a);
  // Sizes that are not multiples of 4 exercise the tail of every unrolled loop.
  const B = 7, D = 13, C = 11;
  const reg = DATASETS.regression({ B, D });
  const bin = DATASETS.binary({ B, D });
  const prob = DATASETS.probabilities({ B, D });
  const hin = DATASETS.hinge({ B, D });
  const hin01 = { yTrue: f32([0, 1, 1, 0, 1, 0, 0, 1, 1]), yPred: f32([0.6, 0.4, -1.2, 2, 0.1, -0.3, 0.9, 1.5, -2]) };
  const cls = DATASETS.classes({ B, C });
  const dist = DATASETS.distributions({ B, C });
  const seg = DATASETS.segmentation({ B, D: 16 });
  // Soft labels: every loop must be right for any valid input, not only one-hot rows.
  const soft = new Float32Array(B * C);
  for (let r = 0; r < B; r++) for (let k = 0; k < C; k++) soft[r * C + k] = ((r * 7 + k * 3) % 5) / 10;
  const softBin = new Float32Array(B * D).map((_, i) => ((i * 37) % 11) / 10);

  interface Case {
    name: string;
    yTrue: A;
    yPred: A;
    value: (t: A, p: A) => number;
    valueAndGrad: (t: A, p: A, g: A) => number;
    reference: (t: A, p: A) => number;
    /** Finite-difference step for element value v (default 1e-6). */
    step?: (v: number) => number;
  }
  const segD = seg.D;
  const cases: Case[] = [
    { name: "MSE", yTrue: reg.yTrue, yPred: reg.yPred, value: best.meanSquaredError, valueAndGrad: best.meanSquaredErrorValueAndGrad, reference: (t, p) => reference.meanSquaredError(t, p, B, D) },
    { name: "MAE", yTrue: reg.yTrue, yPred: reg.yPred, value: best.meanAbsoluteError, valueAndGrad: best.meanAbsoluteErrorValueAndGrad, reference: (t, p) => reference.meanAbsoluteError(t, p, B, D) },
    { name: "Huber δ=1", yTrue: reg.yTrue, yPred: reg.yPred, value: (t, p) => best.huber(t, p, 1), valueAndGrad: (t, p, g) => best.huberValueAndGrad(t, p, g, 1), reference: (t, p) => reference.huber(t, p, B, D, 1) },
    { name: "Huber δ=0.3", yTrue: reg.yTrue, yPred: reg.yPred, value: (t, p) => best.huber(t, p, 0.3), valueAndGrad: (t, p, g) => best.huberValueAndGrad(t, p, g, 0.3), reference: (t, p) => reference.huber(t, p, B, D, 0.3) },
    { name: "LogCosh", yTrue: reg.yTrue, yPred: reg.yPred, value: best.logCosh, valueAndGrad: best.logCoshValueAndGrad, reference: (t, p) => reference.logCosh(t, p, B, D) },
    { name: "BCE logits", yTrue: bin.yTrue, yPred: bin.yPred, value: best.binaryCrossentropyFromLogits, valueAndGrad: best.binaryCrossentropyFromLogitsValueAndGrad, reference: (t, p) => reference.binaryCrossentropyFromLogits(t, p, B, D) },
    { name: "BCE logits, soft labels", yTrue: softBin, yPred: bin.yPred, value: best.binaryCrossentropyFromLogits, valueAndGrad: best.binaryCrossentropyFromLogitsValueAndGrad, reference: (t, p) => reference.binaryCrossentropyFromLogits(t, p, B, D) },
    // Probabilities near 0 or 1: 1/q changes fast, so the step shrinks with min(q, 1 - q).
    { name: "BCE", yTrue: prob.yTrue, yPred: prob.yPred, value: best.binaryCrossentropy, valueAndGrad: best.binaryCrossentropyValueAndGrad, reference: (t, p) => reference.binaryCrossentropy(t, p, B, D), step: (v) => 1e-4 * Math.min(v, 1 - v) },
    { name: "BCE, soft labels", yTrue: softBin, yPred: prob.yPred, value: best.binaryCrossentropy, valueAndGrad: best.binaryCrossentropyValueAndGrad, reference: (t, p) => reference.binaryCrossentropy(t, p, B, D), step: (v) => 1e-4 * Math.min(v, 1 - v) },
    { name: "Hinge ±1", yTrue: hin.yTrue, yPred: hin.yPred, value: best.hinge, valueAndGrad: best.hingeValueAndGrad, reference: (t, p) => reference.hinge(t, p, B, D) },
    { name: "Hinge {0,1}", yTrue: hin01.yTrue, yPred: hin01.yPred, value: best.hinge, valueAndGrad: best.hingeValueAndGrad, reference: (t, p) => reference.hinge(t, p, 1, 9) },
    { name: "Binary focal", yTrue: bin.yTrue, yPred: bin.yPred, value: (z, x) => best.binaryFocalCrossentropyFromLogits(z, x), valueAndGrad: (z, x, g) => best.binaryFocalCrossentropyFromLogitsValueAndGrad(z, x, g), reference: (z, x) => reference.binaryFocalCrossentropyFromLogits(z, x, B, D) },
    {
      name: "Binary focal γ=3, no balancing, soft labels",
      yTrue: softBin,
      yPred: bin.yPred,
      value: (z, x) => best.binaryFocalCrossentropyFromLogits(z, x, { gamma: 3, applyClassBalancing: false }),
      valueAndGrad: (z, x, g) => best.binaryFocalCrossentropyFromLogitsValueAndGrad(z, x, g, { gamma: 3, applyClassBalancing: false }),
      reference: (z, x) => reference.binaryFocalCrossentropyFromLogits(z, x, B, D, { gamma: 3, applyClassBalancing: false }),
    },
    { name: "CCE logits", yTrue: cls.oneHot, yPred: cls.logits, value: (y, x) => best.categoricalCrossentropyFromLogits(y, x, B, C), valueAndGrad: (y, x, g) => best.categoricalCrossentropyFromLogitsValueAndGrad(y, x, g, B, C), reference: (y, x) => reference.categoricalCrossentropyFromLogits(y, x, B, C) },
    { name: "CCE logits, soft labels", yTrue: soft, yPred: cls.logits, value: (y, x) => best.categoricalCrossentropyFromLogits(y, x, B, C), valueAndGrad: (y, x, g) => best.categoricalCrossentropyFromLogitsValueAndGrad(y, x, g, B, C), reference: (y, x) => reference.categoricalCrossentropyFromLogits(y, x, B, C) },
    { name: "SCCE logits", yTrue: cls.labels, yPred: cls.logits, value: (l, x) => best.sparseCategoricalCrossentropyFromLogits(l, x, B, C), valueAndGrad: (l, x, g) => best.sparseCategoricalCrossentropyFromLogitsValueAndGrad(l, x, g, B, C), reference: (l, x) => reference.sparseCategoricalCrossentropyFromLogits(l, x, B, C) },
    { name: "KLD", yTrue: dist.yTrue, yPred: dist.yPred, value: (t, p) => best.klDivergence(t, p, B), valueAndGrad: (t, p, g) => best.klDivergenceValueAndGrad(t, p, g, B), reference: (t, p) => reference.klDivergence(t, p, B, C) },
    { name: "Cosine", yTrue: reg.yTrue, yPred: reg.yPred, value: (t, p) => best.cosineSimilarity(t, p, B, D), valueAndGrad: (t, p, g) => best.cosineSimilarityValueAndGrad(t, p, g, B, D), reference: (t, p) => reference.cosineSimilarity(t, p, B, D) },
    { name: "Categorical focal", yTrue: cls.oneHot, yPred: cls.logits, value: (y, x) => best.categoricalFocalCrossentropyFromLogits(y, x, B, C), valueAndGrad: (y, x, g) => best.categoricalFocalCrossentropyFromLogitsValueAndGrad(y, x, g, B, C), reference: (y, x) => reference.categoricalFocalCrossentropyFromLogits(y, x, B, C) },
    {
      name: "Categorical focal γ=1.5, soft labels",
      yTrue: soft,
      yPred: cls.logits,
      value: (y, x) => best.categoricalFocalCrossentropyFromLogits(y, x, B, C, { gamma: 1.5 }),
      valueAndGrad: (y, x, g) => best.categoricalFocalCrossentropyFromLogitsValueAndGrad(y, x, g, B, C, { gamma: 1.5 }),
      reference: (y, x) => reference.categoricalFocalCrossentropyFromLogits(y, x, B, C, { gamma: 1.5 }),
    },
    { name: "Dice", yTrue: seg.yTrue, yPred: seg.yPred, value: (t, p) => best.dice(t, p, B, segD), valueAndGrad: (t, p, g) => best.diceValueAndGrad(t, p, g, B, segD), reference: (t, p) => reference.dice(t, p, B, segD) },
    // W22-W26.
    { name: "Jaccard", yTrue: seg.yTrue, yPred: seg.yPred, value: (t, p) => best.jaccard(t, p, B, segD), valueAndGrad: (t, p, g) => best.jaccardValueAndGrad(t, p, g, B, segD), reference: (t, p) => reference.jaccard(t, p, B, segD) },
    { name: "FBeta", yTrue: seg.yTrue, yPred: seg.yPred, value: (t, p) => best.fBeta(t, p, B, segD), valueAndGrad: (t, p, g) => best.fBetaValueAndGrad(t, p, g, B, segD), reference: (t, p) => reference.fBeta(t, p, B, segD) },
    { name: "FBeta β=2", yTrue: seg.yTrue, yPred: seg.yPred, value: (t, p) => best.fBeta(t, p, B, segD, 2), valueAndGrad: (t, p, g) => best.fBetaValueAndGrad(t, p, g, B, segD, 2), reference: (t, p) => reference.fBeta(t, p, B, segD, 2) },
    { name: "MAPE", yTrue: reg.yTrue, yPred: reg.yPred, value: best.meanAbsolutePercentageError, valueAndGrad: best.meanAbsolutePercentageErrorValueAndGrad, reference: (t, p) => reference.meanAbsolutePercentageError(t, p, B, D) },
    // Half the values are negative (clipped to eps): the step stays off the clip's kink at eps.
    { name: "MSLE", yTrue: reg.yTrue, yPred: reg.yPred, value: best.meanSquaredLogarithmicError, valueAndGrad: best.meanSquaredLogarithmicErrorValueAndGrad, reference: (t, p) => reference.meanSquaredLogarithmicError(t, p, B, D), step: (v) => Math.min(1e-6, Math.abs(v) / 4) },
    { name: "CategoricalHinge", yTrue: cls.oneHot, yPred: cls.logits, value: (y, x) => best.categoricalHinge(y, x, B, C), valueAndGrad: (y, x, g) => best.categoricalHingeValueAndGrad(y, x, g, B, C), reference: (y, x) => reference.categoricalHinge(y, x, B, C) },
    { name: "CategoricalHinge, soft labels", yTrue: soft, yPred: cls.logits, value: (y, x) => best.categoricalHinge(y, x, B, C), valueAndGrad: (y, x, g) => best.categoricalHingeValueAndGrad(y, x, g, B, C), reference: (y, x) => reference.categoricalHinge(y, x, B, C) },
  ];

  /** Central differences of the float64 reference with respect to yPred. */
  function numericGrad(ref: (t: A, p: A) => number, t: A, p: Float64Array, step: (v: number) => number = () => 1e-6): Float64Array {
    const g = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const keep = p[i]!;
      const h = step(keep);
      p[i] = keep + h;
      const up = ref(t, p);
      p[i] = keep - h;
      const down = ref(t, p);
      p[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }
  function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let num = 0, den = 0;
    for (let i = 0; i < b.length; i++) {
      num = Math.max(num, Math.abs(a[i]! - b[i]!));
      den = Math.max(den, Math.abs(b[i]!));
    }
    return num / den;
  }

  it.each(cases.map((c) => [c.name, c] as const))("%s: value (float32 and float64 inputs) within 1e-10 of the reference", (_name, c) => {
    const ref = c.reference(c.yTrue, c.yPred);
    expect(Number.isFinite(ref)).toBe(true);
    close(c.value(c.yTrue, c.yPred), ref, 1e-10, 1e-14);
    close(c.value(to64(c.yTrue), to64(c.yPred)), ref, 1e-10, 1e-14);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s: valueAndGrad gives the value and a gradient matching central differences of the reference (1e-6)", (_name, c) => {
    const t64 = to64(c.yTrue), p64 = to64(c.yPred);
    const numeric = numericGrad(c.reference, t64, Float64Array.from(p64), c.step);
    // float64 in, float64 out: the gradient's math, to finite-difference accuracy.
    const g64 = new Float64Array(p64.length).fill(NaN);
    close(c.valueAndGrad(t64, p64, g64), c.reference(t64, p64), 1e-10, 1e-14);
    expect(maxRelativeDiff(g64, numeric)).toBeLessThan(1e-6);
    // float32 in, float32 out: the same within float32 rounding of the stored gradient.
    const g32 = new Float32Array(p64.length).fill(NaN);
    close(c.valueAndGrad(c.yTrue, c.yPred, g32), c.reference(c.yTrue, c.yPred), 1e-10, 1e-14);
    expect(maxRelativeDiff(g32, g64)).toBeLessThan(1e-6);
  });

  it("valueAndGrad writes every element of the caller's buffer and allocates no gradient", () => {
    for (const c of cases) {
      const g = new Float32Array(c.yPred.length).fill(NaN);
      const value = c.valueAndGrad(c.yTrue, c.yPred, g);
      expect(typeof value).toBe("number");
      expect(g.every((v) => Number.isFinite(v)), c.name).toBe(true);
    }
  });

  it("Huber and hinge at their kinks take the documented side; MAE's sign(0) is 0", () => {
    const g = new Float64Array(3);
    // e = p - t = [1 (= δ), -1 (= -δ), 0.5]: the gradient is clip(e, -δ, δ) / N.
    best.huberValueAndGrad(to64([0, 0, 0]), to64([1, -1, 0.5]), g, 1);
    expect(Array.from(g)).toEqual([1 / 3, -1 / 3, 0.5 / 3]);
    best.meanAbsoluteErrorValueAndGrad(to64([1, 2, 3]), to64([1, 3, 2]), g);
    expect(Array.from(g)).toEqual([0, 1 / 3, -1 / 3]);
    // 1 - y p = 0 exactly: max(·, 0) is flat on that side, gradient 0 (as TensorFlow's relu).
    best.hingeValueAndGrad(to64([1, -1, 1]), to64([1, -1, 0]), g);
    expect(Array.from(g)).toEqual([-0, 0, -1 / 3]);
  });

  it("CTC and Circle best loops match their references (value only)", () => {
    const seq = DATASETS.ctc({ B: 5, T: 21, C: 7, L: 6 });
    close(best.ctc(seq.labels, seq.logits, 5, 21, 7, 6), reference.ctc(seq.labels, seq.logits, 5, 21, 7, 6), 1e-10);
    close(best.ctc(f32([1, 2, 1]), f32([[[0.4, 0.8, 0.4], [0.2, 0.8, 0.3], [0.9, 0.4, 0.5]]]), 1, 3, 3, 3), 3.4411672, 1e-6);
    const cir = DATASETS.circle({ B: 30, E: 13, K: 4 });
    close(best.circle(cir.labels, cir.embeddings, 30, 13), reference.circle(cir.labels, cir.embeddings, 30, 13), 1e-10);
    close(best.circle(to64(cir.labels), to64(cir.embeddings), 30, 13), reference.circle(cir.labels, cir.embeddings, 30, 13), 1e-10);
  });
});

describe("CTC and Circle valueAndGrad best loops (W17g, W18g): the value of the reference, the gradient of its central differences", () => {
  const to64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a);
  /** max |a - b| / max |b| */
  function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let num = 0, den = 0;
    for (let i = 0; i < b.length; i++) {
      num = Math.max(num, Math.abs(a[i]! - b[i]!));
      den = Math.max(den, Math.abs(b[i]!));
    }
    return num / den;
  }
  /** Central differences of `f` (a float64 reference) with respect to every element of `p`. */
  function numericGrad(f: (p: Float64Array) => number, p: Float64Array, h: number): Float64Array {
    const g = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const keep = p[i]!;
      p[i] = keep + h;
      const up = f(p);
      p[i] = keep - h;
      const down = f(p);
      p[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }
  function check(
    valueAndGrad: (t: Float32Array | Float64Array, p: Float32Array | Float64Array, g: Float32Array | Float64Array) => number,
    ref: (t: Float32Array | Float64Array, p: Float32Array | Float64Array) => number,
    t: Float32Array,
    p: Float32Array,
    h: number,
  ): void {
    const t64 = to64(t), p64 = to64(p);
    const expected = ref(t64, p64);
    const numeric = numericGrad((q) => ref(t64, q), Float64Array.from(p64), h);
    const g64 = new Float64Array(p.length).fill(NaN);
    close(valueAndGrad(t64, p64, g64), expected, 1e-10, 1e-14);
    expect(maxRelativeDiff(g64, numeric)).toBeLessThan(1e-6);
    const g32 = new Float32Array(p.length).fill(NaN);
    close(valueAndGrad(t, p, g32), expected, 1e-10, 1e-14);
    expect(maxRelativeDiff(g32, g64)).toBeLessThan(1e-6);
  }

  it("CTC: random labels of 3..6 of 6 classes over 21 frames (repeats included), and Keras's [1, 2, 1] over 3 frames", () => {
    const seq = DATASETS.ctc({ B: 5, T: 21, C: 7, L: 6 });
    check((t, p, g) => best.ctcValueAndGrad(t, p, g, 5, 21, 7, 6), (t, p) => reference.ctc(t, p, 5, 21, 7, 6), seq.labels, seq.logits, 1e-6);
    const keras = f32([[[0.4, 0.8, 0.4], [0.2, 0.8, 0.3], [0.9, 0.4, 0.5]]]);
    close(best.ctcValueAndGrad(f32([1, 2, 1]), keras, new Float32Array(9), 1, 3, 3, 3), 3.4411672, 1e-6);
    check((t, p, g) => best.ctcValueAndGrad(t, p, g, 1, 3, 3, 3), (t, p) => reference.ctc(t, p, 1, 3, 3, 3), f32([1, 2, 1]), keras, 1e-6);
    // Repeated labels (no skip between them) and an all-padding row.
    const labels = f32([[2, 2, 3, 0], [0, 0, 0, 0]]);
    const logits = new Float32Array(2 * 9 * 4).map((_, i) => Math.sin(i * 1.7) * 2);
    check((t, p, g) => best.ctcValueAndGrad(t, p, g, 2, 9, 4, 4), (t, p) => reference.ctc(t, p, 2, 9, 4, 4), labels, logits, 1e-6);
  });

  it("Circle: the mean over queries with loss > 0, gradient through both sides of each similarity", () => {
    const cir = DATASETS.circle({ B: 30, E: 13, K: 4 });
    check((t, p, g) => best.circleValueAndGrad(t, p, g, 30, 13), (t, p) => reference.circle(t, p, 30, 13), cir.labels, cir.embeddings, 1e-7);
    // gamma and margin of Keras's second test; a label seen once (its loss 0 leaves the mean).
    const labels = Float32Array.from(cir.labels, (l, i) => (i === 7 ? 99 : l));
    check(
      (t, p, g) => best.circleValueAndGrad(t, p, g, 30, 13, { gamma: 256, margin: 0.25 }),
      (t, p) => reference.circle(t, p, 30, 13, { gamma: 256, margin: 0.25 }),
      labels,
      cir.embeddings,
      1e-8,
    );
  });
});

describe("compare.mjs statistics and deopt-check.mjs trace parsing", () => {
  it("median of round ratios with a bootstrap interval, and the verdict against a threshold", async () => {
    const { medianWithInterval, verdict } = await import("../bench/compare.mjs");
    const flat = medianWithInterval([1.02, 1.02, 1.02, 1.02]);
    expect(flat).toEqual({ median: 1.02, lo: 1.02, hi: 1.02 });
    const spread = medianWithInterval([0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]);
    expect(spread.median).toBe(1.2);
    expect(spread.lo).toBeLessThanOrEqual(1.2);
    expect(spread.hi).toBeGreaterThanOrEqual(1.2);
    expect(spread.lo).toBeGreaterThanOrEqual(0.9);
    expect(spread.hi).toBeLessThanOrEqual(1.5);
    expect(verdict({ median: 1.1, lo: 1.06, hi: 1.2 }, 0.05)).toBe("SLOWER");
    expect(verdict({ median: 1.1, lo: 0.98, hi: 1.2 }, 0.05)).toBe("slower?");
    expect(verdict({ median: 1.01, lo: 0.9, hi: 1.1 }, 0.05)).toBe("same");
    expect(verdict({ median: 0.8, lo: 0.7, hi: 0.9 }, 0.05)).toBe("faster");
  });

  it("parses V8's trace lines (Node 20 formats) and attributes them to the marker's phase and call", async () => {
    const { parseTrace } = await import("../bench/deopt-check.mjs");
    const lib = "file:///x/dist/index.js";
    const text = [
      "DebugPrint: 0x354405a2b1d9: [String] in OldSpace: #@@phase warmup",
      `[compiling method 0x1e1f644d9589 <JSFunction forwardBackward <${lib}> (sfi = 0x23b8eac15f39)> (target TURBOFAN) OSR, mode: ConcurrencyMode::kConcurrent]`,
      'DebugPrint: 0x152bc73faa19: [String]: c"@@phase gc 0"',
      // The same SharedFunctionInfo address, zero-padded here (as V8 prints it in these lines).
      "[marking dependent code 0x30ab769bba01 <Code TURBOFAN> (0x023b8eac15f39 <SharedFunctionInfo forwardBackward>) (opt id 142) for deoptimization, reason: weak objects]",
      'DebugPrint: 0x3d7b72201149: [String]: "@@phase after-gc 0"',
      'DebugPrint: 0x1f61271: [String]: c"@@call W1g float32"',
      `[bailout (kind: deopt-eager, reason: wrong map): begin. deoptimizing 0x1244ad90be29 <JSFunction get isContiguous <${lib}> (sfi = 0x31d394655e99)>, 0x1244 <Code TURBOFAN>, opt id 20, bytecode offset 131]`,
      `            ;;; deoptimize at <${lib}:1059:22>`,
      "  reading input frame forward => bytecode_offset=131, args=4",
    ].join("\n");
    const events = parseTrace(text);
    expect(events.map((e) => [e.type, e.name, e.phase, e.call])).toEqual([
      ["compile", "forwardBackward", "warmup", null],
      ["discarded", "forwardBackward", "gc 0", null],
      ["deopt", "get isContiguous", "after-gc 0", "W1g float32"],
    ]);
    expect(events[1]!.reason).toBe("weak objects");
    expect(events[1]!.file).toBe(lib); // from the sfi of the compile line
    expect(events[2]!.reason).toBe("wrong map");
    expect(events[2]!.position).toEqual({ file: lib, line: 1059, column: 22 });
  });
});

describe("the bench's losskit valueAndGrad call uses { out } when the build accepts it", () => {
  const w = WORKLOADS.find((x) => x.id === "W1g")!;
  const d = DATASETS.regression({ B: 3, D: 5 });
  /** A stand-in build whose MeanSquaredError writes the gradient into `out` (a Tensor or a typed array) when `accepts` says so. */
  function fakeBuild(accepts: "tensor" | "array" | "none") {
    class Tensor {
      constructor(
        public data: Float32Array | Float64Array,
        public shape: number[],
      ) {}
      get size(): number {
        return this.data.length;
      }
    }
    class MeanSquaredError {
      constructor(public options: unknown) {}
      valueAndGrad(t: Tensor, p: Tensor, _w?: unknown, opts?: { out?: unknown }): { value: number; grad: Tensor } {
        if (opts && Object.keys(opts).some((k) => k !== "mask")) {
          const out = opts.out;
          const ok = (accepts === "tensor" && out instanceof Tensor) || (accepts === "array" && out instanceof Float32Array);
          if (!ok) throw new Error('unknown call option "out"');
        }
        const target = opts?.out instanceof Tensor ? opts.out.data : opts?.out instanceof Float32Array ? opts.out : new Float32Array(p.size);
        const value = best.meanSquaredErrorValueAndGrad(t.data, p.data, target);
        return { value, grad: opts?.out instanceof Tensor ? opts.out : new Tensor(target, p.shape) };
      }
    }
    return { Tensor, MeanSquaredError, tensor: (data: Float32Array | Float64Array, shape: number[]) => new Tensor(data, shape) };
  }
  it.each([
    ["tensor", "out: Tensor"],
    ["array", "out: typed array"],
    ["none", "allocates"],
  ] as const)("build accepting %s: mode %s, and the same gradient", (accepts, mode) => {
    const h = losskitValueAndGrad(w, fakeBuild(accepts), d);
    expect(h.mode).toBe(mode);
    const r1 = h.run();
    const g1 = Array.from(h.gradOf(r1));
    const expected = new Float32Array(15);
    best.meanSquaredErrorValueAndGrad(d.yTrue, d.yPred, expected);
    expect(g1).toEqual(Array.from(expected));
    const r2 = h.run();
    expect(h.gradOf(r2) === h.gradOf(r1)).toBe(mode !== "allocates"); // the caller's buffer is reused
  });
  it("the current build: every losskit valueAndGrad works through the bench's call", () => {
    const h = losskitValueAndGrad(w, lk, d);
    expect(["out: Tensor", "out: typed array", "allocates"]).toContain(h.mode);
    close(h.run().value as number, reference.meanSquaredError(d.yTrue, d.yPred, 3, 5), 1e-6);
  });
});
