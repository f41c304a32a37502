import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CategoricalGeneralizedCrossEntropy,
  ConfigError,
  InputError,
  KLDivergence,
  Poisson,
  ShapeError,
  Tensor,
  categoricalGeneralizedCrossEntropy,
  deserializeLoss,
  getLoss,
  klDivergence,
  moveAxis,
  poisson,
  serializeLoss,
  type Loss,
  type Reduction,
} from "../src/index";
import { allClose, almostEqual, expectClose, expectGradMatches, flat, randomTensor, rng, snapshot } from "./helpers";

/** tf.keras doctests compare to the printed precision: `atol = 10^-decimals`. */
function docEqual(actual: unknown, printed: number | unknown[], decimals: number): void {
  expectClose(actual as number | Tensor, printed, { rtol: 0, atol: 10 ** -decimals });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

describe("Poisson (Keras values)", () => {
  // losses_test.py PoissonTest: expected = y_pred - y_true * log(y_pred), float32 inputs.
  const yPredFlat = [1, 9, 2, 5, 2, 6];
  const yTrueFlat = [4, 8, 12, 8, 1, 3];
  const yPred = new Tensor(new Float32Array(yPredFlat), [2, 3]);
  const yTrue = new Tensor(new Float32Array(yTrueFlat), [2, 3]);
  const expected = yPredFlat.map((p, i) => p - yTrueFlat[i]! * Math.log(p));
  const batchSize = 6;

  it("test_config", () => {
    const p = new Poisson({ reduction: "sum", name: "poisson" });
    expect(p.name).toBe("poisson");
    expect(p.reduction).toBe("sum");
  });
  it("unweighted, scalar, per-sample, timestep and zero weights", () => {
    const p = new Poisson();
    almostEqual(p(yTrue, yPred), sum(expected) / batchSize);
    almostEqual(p(yTrue, yPred, 2.3), (2.3 * sum(expected)) / batchSize);
    almostEqual(p(yTrue, yPred, 2.3), p(yTrue, yPred, 2.3) as number);
    const weights = [1.2, 1.2, 1.2, 3.4, 3.4, 3.4];
    almostEqual(p(yTrue, yPred, [[1.2], [3.4]]), sum(expected.map((e, i) => e * weights[i]!)) / batchSize);
    const timestep = [3, 6, 5, 0, 4, 2];
    const loss = p(new Tensor(yTrue.data, [2, 3, 1]), new Tensor(yPred.data, [2, 3, 1]), [[3, 6, 5], [0, 4, 2]]);
    almostEqual(loss, sum(expected.map((e, i) => e * timestep[i]!)) / batchSize);
    almostEqual(p(yTrue, yPred, 0), 0);
  });
  it("dtype argument", () => {
    const out = new Poisson({ dtype: "float64", reduction: "none" })(yTrue, yPred) as Tensor;
    expect(out.data).toBeInstanceOf(Float64Array);
    expect((new Poisson({ reduction: "none" })(yTrue, yPred) as Tensor).data).toBeInstanceOf(Float32Array);
  });
  it("function docstring: shape [2] and mean(y_pred + 1e-7 - y_true * log(y_pred + 1e-7)) within 1e-5", () => {
    const random = rng(3);
    const t = randomTensor([2, 3], random, (u) => Math.floor(2 * u));
    const p = randomTensor([2, 3], random);
    const loss = poisson(t, p);
    expect(loss.shape).toEqual([2]);
    const tt = flat(t), pp = flat(p).map((x) => x + 1e-7);
    const reference = [0, 1].map((r) => sum([0, 1, 2].map((k) => pp[3 * r + k]! - tt[3 * r + k]! * Math.log(pp[3 * r + k]!))) / 3);
    expectClose(loss, reference, { rtol: 0, atol: 1e-5 });
  });
  it("tf.keras docstring examples", () => {
    const t = [[0, 1], [0, 0]];
    const p = [[1, 1], [0, 0]];
    docEqual(new Poisson()(t, p), 0.5, 1);
    docEqual(new Poisson()(t, p, [0.8, 0.2]), 0.4, 1);
    docEqual(new Poisson({ reduction: "sum" })(t, p), 0.999, 3);
    docEqual(new Poisson({ reduction: "none" })(t, p), [0.999, 0], 3);
  });
});

describe("KLDivergence (Keras values)", () => {
  // losses_test.py KLDivergenceTest: expected = y_true * log(y_true / y_pred), float32 inputs.
  const yPredFlat = [0.4, 0.9, 0.12, 0.36, 0.3, 0.4];
  const yTrueFlat = [0.5, 0.8, 0.12, 0.7, 0.43, 0.8];
  const yPred = new Tensor(new Float32Array(yPredFlat), [2, 3]);
  const yTrue = new Tensor(new Float32Array(yTrueFlat), [2, 3]);
  const expected = yTrueFlat.map((t, i) => t * Math.log(t / yPredFlat[i]!));
  const batchSize = 2;

  it("test_config", () => {
    const k = new KLDivergence({ reduction: "sum", name: "kld" });
    expect(k.name).toBe("kld");
    expect(k.reduction).toBe("sum");
  });
  it("unweighted, scalar, per-sample, timestep and zero weights", () => {
    const k = new KLDivergence();
    almostEqual(k(yTrue, yPred), sum(expected) / batchSize);
    almostEqual(k(yTrue, yPred, 2.3), (2.3 * sum(expected)) / batchSize);
    const weights = [1.2, 1.2, 1.2, 3.4, 3.4, 3.4];
    almostEqual(k(yTrue, yPred, [[1.2], [3.4]]), sum(expected.map((e, i) => e * weights[i]!)) / batchSize);
    const timestep = [3, 6, 5, 0, 4, 2];
    const loss = k(new Tensor(yTrue.data, [2, 3, 1]), new Tensor(yPred.data, [2, 3, 1]), [[3, 6, 5], [0, 4, 2]]);
    almostEqual(loss, sum(expected.map((e, i) => e * timestep[i]!)) / (batchSize * 3));
    almostEqual(k(yTrue, yPred, 0), 0);
  });
  it("dtype argument", () => {
    expect((new KLDivergence({ dtype: "float64", reduction: "none" })(yTrue, yPred) as Tensor).data).toBeInstanceOf(Float64Array);
  });
  it("function docstring: equals sum(t * log(t / p)) of the inputs clipped to [1e-7, 1]", () => {
    const random = rng(5);
    const t = randomTensor([2, 3], random, (u) => Math.floor(2 * u));
    const p = randomTensor([2, 3], random);
    const loss = klDivergence(t, p, { dtype: "float64" });
    expect(loss.shape).toEqual([2]);
    const clip = (x: number) => Math.min(Math.max(x, 1e-7), 1);
    const tt = flat(t).map(clip), pp = flat(p).map(clip);
    const reference = [0, 1].map((r) => sum([0, 1, 2].map((k) => tt[3 * r + k]! * Math.log(tt[3 * r + k]! / pp[3 * r + k]!))));
    expectClose(loss, reference, { rtol: 1e-12, atol: 0 });
  });
  it("tf.keras docstring examples (the zero row gives -3.08e-06 through the epsilon clip)", () => {
    const t = [[0, 1], [0, 0]];
    const p = [[0.6, 0.4], [0.4, 0.6]];
    docEqual(new KLDivergence()(t, p), 0.458, 3);
    docEqual(new KLDivergence()(t, p, [0.8, 0.2]), 0.366, 3);
    docEqual(new KLDivergence({ reduction: "sum" })(t, p), 0.916, 3);
    const none = new KLDivergence({ reduction: "none" })(t, p) as Tensor;
    docEqual(none, [0.916, -3.08e-6], 3);
    expectClose(none.get(1), -3.08e-6, { rtol: 2e-3, atol: 0 });
  });
  it("float32 epsilon: 1 - 1e-7 style constants are the float32 ones", () => {
    // clip(0, eps, 1) with eps = float32(1e-7) = 1.0000000116860974e-7.
    const eps = Math.fround(1e-7);
    const value = klDivergence([[0]], [[0.5]], { dtype: "float64" }).item();
    const value32 = klDivergence([[0]], new Tensor(new Float32Array([0.5]), [1, 1])).item();
    expectClose(value, 1e-7 * Math.log(1e-7 / 0.5), { rtol: 1e-12, atol: 0 });
    expectClose(value32, eps * Math.log(eps / 0.5), { rtol: 1e-6, atol: 0 });
  });
});

describe("CategoricalGeneralizedCrossEntropy (Keras values)", () => {
  const gce = (p: number, q: number) => (1 - p ** q) / q;

  it("test_config: serialization round trips", () => {
    for (const loss of [new CategoricalGeneralizedCrossEntropy({ name: "gce" }), new CategoricalGeneralizedCrossEntropy({ q: 0.1, name: "gce" })]) {
      const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
      expect(back).toBeInstanceOf(CategoricalGeneralizedCrossEntropy);
      expect(back.getConfig()).toEqual(loss.getConfig());
    }
    expect(new CategoricalGeneralizedCrossEntropy({ q: 0.1, name: "gce" }).getConfig()).toEqual({ name: "gce", reduction: "sum_over_batch_size", dtype: "float32", q: 0.1 });
  });
  it("test_basic_correctness_for_binary", () => {
    const yTrue = [0, 1, 0, 1];
    const yPred = [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]];
    allClose(new CategoricalGeneralizedCrossEntropy()(yTrue, yPred), sum([0.7, 0.8, 0.6, 0.6].map((p) => gce(p, 0.5))) / 4);
    allClose(new CategoricalGeneralizedCrossEntropy({ q: 0.8 })(yTrue, yPred), sum([0.7, 0.8, 0.6, 0.6].map((p) => gce(p, 0.8))) / 4);
  });
  it("test_basic_correctness_for_multi_class", () => {
    const yTrue = [0, 1, 0, 1];
    const yPred = [[0.7, 0.3, 0.0], [0.2, 0.2, 0.6], [0.6, 0.4, 0.0], [0.2, 0.2, 0.6]];
    allClose(new CategoricalGeneralizedCrossEntropy()(yTrue, yPred), sum([0.7, 0.2, 0.6, 0.2].map((p) => gce(p, 0.5))) / 4);
    allClose(new CategoricalGeneralizedCrossEntropy({ q: 0.8 })(yTrue, yPred), sum([0.7, 0.2, 0.6, 0.2].map((p) => gce(p, 0.8))) / 4);
  });
  it("test_binary_segmentation", () => {
    const yTrue = [[0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]];
    const perfect = [
      [[1, 0], [0, 1], [0, 1], [1, 0]],
      [[0, 1], [1, 0], [0, 1], [1, 0]],
      [[1, 0], [1, 0], [0, 1], [0, 1]],
      [[0, 1], [0, 1], [1, 0], [0, 1]],
    ];
    allClose(new CategoricalGeneralizedCrossEntropy({ q: 0.5 })(yTrue, perfect), 0);
    const yPred = [
      [[1, 0], [0, 1], [0, 1], [0.2, 0.8]],
      [[0, 1], [1, 0], [0, 1], [1, 0]],
      [[1, 0], [1, 0], [0, 1], [0, 1]],
      [[0, 1], [0, 1], [1, 0], [0.6, 0.4]],
    ];
    allClose(new CategoricalGeneralizedCrossEntropy({ q: 0.5 })(yTrue, yPred), (gce(0.2, 0.5) + gce(0.4, 0.5)) / 16);
  });
  it("test_multi_class_segmentation", () => {
    const yTrue = [[0, 1, 2, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]];
    const perfect = [
      [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]],
      [[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
      [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]],
      [[0, 1, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0]],
    ];
    allClose(new CategoricalGeneralizedCrossEntropy({ q: 0.5 })(yTrue, perfect), 0);
    const yPred = [
      [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0, 0.8]],
      [[1, 0, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
      [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]],
      [[0, 1, 0], [0, 1, 0], [0.5, 0.5, 0], [0, 1, 0]],
    ];
    allClose(new CategoricalGeneralizedCrossEntropy({ q: 0.5 })(yTrue, yPred), (gce(0.2, 0.5) + gce(0, 0.5) + gce(0.5, 0.5)) / 16);
  });
  it("dtype argument and labels of shape [batch, 1]", () => {
    const yPred = [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]];
    expect((new CategoricalGeneralizedCrossEntropy({ dtype: "float64", reduction: "none" })([0, 1, 0, 1], yPred) as Tensor).data).toBeInstanceOf(Float64Array);
    const column = categoricalGeneralizedCrossEntropy([[0], [1], [0], [1]], yPred, { dtype: "float64" });
    expect(column.shape).toEqual([4]);
    // With dtype float64 the nested arrays become float64 tensors: 0.7 stays the double 0.7.
    expectClose(column, [0.7, 0.8, 0.6, 0.6].map((p) => gce(p, 0.5)), { rtol: 1e-12, atol: 0 });
  });
  it("the function's q option", () => {
    expectClose(categoricalGeneralizedCrossEntropy([1], [[0.25, 0.75]], { q: 0.3, dtype: "float64" }), [gce(0.75, 0.3)], { rtol: 1e-12, atol: 0 });
    // float32: q is cast to float32 as Keras casts it.
    expectClose(categoricalGeneralizedCrossEntropy([1], [[0.25, 0.75]], { q: 0.3 }), [gce(0.75, Math.fround(0.3))], { rtol: 1e-7, atol: 0 });
  });
});

describe("probabilistic properties (fast-check)", () => {
  it("Poisson: per-sample shape, minimum at yPred = yTrue, class = mean of handle, inputs unchanged", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (shape, seed) => {
        const random = rng(seed);
        const yTrue = randomTensor(shape, random, (u) => 5 * u);
        const yPred = randomTensor(shape, random, (u) => 0.01 + 5 * u);
        const before = [snapshot(yTrue), snapshot(yPred)];
        const values = poisson(yTrue, yPred, { dtype: "float64" });
        expect(values.shape).toEqual(shape.slice(0, -1));
        const best = flat(poisson(yTrue, yTrue, { dtype: "float64" }));
        flat(values).forEach((v, i) => expect(best[i]!).toBeLessThanOrEqual(v + 1e-9));
        const loss = new Poisson({ dtype: "float64" });
        const v = flat(values);
        expectClose(loss(yTrue, yPred) as number, sum(v) / v.length, { rtol: 1e-12, atol: 1e-12 });
        loss.valueAndGrad(yTrue, yPred);
        expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  it("KLDivergence: per-sample shape, >= 0 for distributions, 0 at yPred = yTrue, class = mean of handle, inputs unchanged", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (shape, seed) => {
        const random = rng(seed);
        const n = shape[shape.length - 1]!;
        // Rows that are probability distributions with entries >= 0.01 (inside the clip).
        const distribution = () => {
          const t = randomTensor(shape, random, (u) => 0.05 + u);
          const d = t.data;
          for (let r = 0; r < d.length; r += n) {
            let s = 0;
            for (let k = 0; k < n; k++) s += d[r + k]!;
            for (let k = 0; k < n; k++) d[r + k] = d[r + k]! / s;
          }
          return t;
        };
        const yTrue = distribution();
        const yPred = distribution();
        const before = [snapshot(yTrue), snapshot(yPred)];
        const values = klDivergence(yTrue, yPred, { dtype: "float64" });
        expect(values.shape).toEqual(shape.slice(0, -1));
        for (const v of flat(values)) expect(v).toBeGreaterThanOrEqual(-1e-12);
        for (const v of flat(klDivergence(yTrue, yTrue, { dtype: "float64" }))) expect(Math.abs(v)).toBeLessThan(1e-12);
        const loss = new KLDivergence({ dtype: "float64" });
        const v = flat(values);
        expectClose(loss(yTrue, yPred) as number, sum(v) / v.length, { rtol: 1e-12, atol: 1e-12 });
        loss.valueAndGrad(yTrue, yPred);
        expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  it("CategoricalGeneralizedCrossEntropy: per-sample shape, values in [0, 1/q], 0 for a one-hot prediction, class = mean of handle, inputs unchanged", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (outer, classes, q, seed) => {
          const random = rng(seed);
          const yTrue = randomTensor(outer, random, (u) => Math.floor(u * classes));
          const yPred = randomTensor([...outer, classes], random);
          const before = [snapshot(yTrue), snapshot(yPred)];
          const values = categoricalGeneralizedCrossEntropy(yTrue, yPred, { q, dtype: "float64" });
          expect(values.shape).toEqual(outer);
          for (const v of flat(values)) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1 / q + 1e-12);
          }
          const oneHot = new Tensor(new Float64Array(yPred.size), yPred.shape);
          flat(yTrue).forEach((label, r) => (oneHot.data[r * classes + label] = 1));
          for (const v of flat(categoricalGeneralizedCrossEntropy(yTrue, oneHot, { q, dtype: "float64" }))) expect(v).toBe(0);
          const loss = new CategoricalGeneralizedCrossEntropy({ q, dtype: "float64" });
          const v = flat(values);
          expectClose(loss(yTrue, yPred) as number, sum(v) / v.length, { rtol: 1e-12, atol: 1e-12 });
          loss.valueAndGrad(yTrue, yPred);
          expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("strided views give the same values and gradients as contiguous copies", () => {
    const random = rng(17);
    const pView = moveAxis(randomTensor([2, 4, 3], random, (u) => 0.05 + 0.9 * u), 1, 2); // [2, 3, 4], non-contiguous
    const pCopy = new Tensor(pView.toTypedArray(), pView.shape);
    const t = randomTensor([2, 3, 4], random, (u) => 0.05 + 0.9 * u);
    const labels = randomTensor([2, 3], random, (u) => Math.floor(4 * u));
    const labelsView = moveAxis(new Tensor(labels.toTypedArray(), [2, 3]), 0, 1); // [3, 2], strided
    const upstream = randomTensor([2, 3], random);
    for (const fn of [poisson, klDivergence]) {
      expectClose(fn(t, pView, { dtype: "float64" }), flat(fn(t, pCopy, { dtype: "float64" })), { rtol: 1e-12, atol: 0 });
      expectClose(fn.vjp(t, pView, upstream, { dtype: "float64" }), flat(fn.vjp(t, pCopy, upstream, { dtype: "float64" })), { rtol: 1e-12, atol: 0 });
    }
    const g = categoricalGeneralizedCrossEntropy;
    expectClose(g(labels, pView, { dtype: "float64" }), flat(g(labels, pCopy, { dtype: "float64" })), { rtol: 1e-12, atol: 0 });
    expectClose(g.vjp(labels, pView, upstream, { dtype: "float64" }), flat(g.vjp(labels, pCopy, upstream, { dtype: "float64" })), { rtol: 1e-12, atol: 0 });
    const pT = moveAxis(pCopy, 0, 1); // [3, 2, 4]
    expectClose(g(labelsView, pT, { dtype: "float64" }), flat(g(new Tensor(labelsView.toTypedArray(), [3, 2]), new Tensor(pT.toTypedArray(), [3, 2, 4]), { dtype: "float64" })), { rtol: 1e-12, atol: 0 });
  });
});

describe("probabilistic gradients match float64 central differences", () => {
  // Bound for every float64 check: |analytic - numeric| <= 1e-8 + 1e-6 * max|numeric|.
  const bound = { rtol: 1e-6, atol: 1e-8 };
  const random = rng(101);
  const positive = (shape: number[]) => randomTensor(shape, random, (u) => 0.1 + 3 * u);
  // KL inputs inside (eps, 1), away from both clip edges.
  const unit = (shape: number[]) => randomTensor(shape, random, (u) => 0.05 + 0.9 * u);
  const labels = (shape: number[], classes: number) => randomTensor(shape, random, (u) => Math.floor(u * classes));

  const CASES: { name: string; make: (o: Record<string, unknown>) => Loss; inputs: (shape: number[]) => [Tensor, Tensor] }[] = [
    { name: "Poisson", make: (o) => new Poisson(o), inputs: (s) => [positive(s), positive(s)] },
    { name: "KLDivergence", make: (o) => new KLDivergence(o), inputs: (s) => [unit(s), unit(s)] },
    { name: "CategoricalGeneralizedCrossEntropy", make: (o) => new CategoricalGeneralizedCrossEntropy(o), inputs: (s) => [labels(s.slice(0, -1), s[s.length - 1]!), unit(s)] },
    { name: "CategoricalGeneralizedCrossEntropy q=0.1", make: (o) => new CategoricalGeneralizedCrossEntropy({ q: 0.1, ...o }), inputs: (s) => [labels(s.slice(0, -1), s[s.length - 1]!), unit(s)] },
    { name: "CategoricalGeneralizedCrossEntropy q=0.9", make: (o) => new CategoricalGeneralizedCrossEntropy({ q: 0.9, ...o }), inputs: (s) => [labels(s.slice(0, -1), s[s.length - 1]!), unit(s)] },
  ];

  for (const c of CASES) {
    it(`${c.name}: every reduction`, () => {
      const [yTrue, yPred] = c.inputs([3, 4]);
      for (const reduction of REDUCTIONS) expectGradMatches(c.make({ reduction, dtype: "float64" }), yTrue, yPred, null, bound);
    });
    it(`${c.name}: sampleWeight scalar, per-sample, per-element, and a mask`, () => {
      const [yTrue, yPred] = c.inputs([2, 3, 4]);
      const loss = c.make({ dtype: "float64" });
      expectGradMatches(loss, yTrue, yPred, 2.3, bound);
      expectGradMatches(loss, yTrue, yPred, [0.5, 2], bound);
      expectGradMatches(loss, yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(c.make({ dtype: "float64", reduction: "mean_with_sample_weight" }), yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(loss, yTrue, yPred, [0.5, 2], { ...bound, mask: [[1, 0, 1], [1, 1, 0]] });
      expectGradMatches(c.make({ dtype: "float64", reduction: "sum" }), yTrue, yPred, null, { ...bound, mask: [[1, 0, 1], [0, 1, 1]] });
    });
    it(`${c.name}: float32 loss (bound 1e-3 relative: float32 values against float64 differences)`, () => {
      const [yTrue, yPred] = c.inputs([3, 5]);
      expectGradMatches(c.make({}), yTrue, yPred, [1, 2, 3], { rtol: 1e-3, atol: 1e-6 });
    });
  }

  it("KLDivergence: no gradient where yPred is clipped (below epsilon or above 1), both sides away from the edges", () => {
    const yTrue = unit([3, 4]);
    const yPred = randomTensor([3, 4], random, (u) => (u < 0.3 ? -0.5 * u - 0.01 : u < 0.6 ? 0.05 + u : 1.05 + u));
    expectGradMatches(new KLDivergence({ dtype: "float64" }), yTrue, yPred, null, bound);
    expect(flat(new KLDivergence({ reduction: "sum" }).grad([[0.5, 0.5, 0.5]], [[-1, 2, 0.5]]))).toEqual([0, 0, -1]);
    // Labels outside [0, 1] are clipped too: t = 1 for a label of 3.
    expectClose(new KLDivergence({ reduction: "sum", dtype: "float64" }).grad([[3]], [[0.25]]), [[-4]], { rtol: 1e-12, atol: 0 });
  });

  it("Poisson and KLDivergence when yPred broadcasts against yTrue (gradients accumulate), and [batch] against [batch, 1]", () => {
    const yTrue = unit([3, 6]);
    const row = unit([6]);
    const column = unit([3, 1]);
    for (const make of [(o: Record<string, unknown>) => new Poisson(o), (o: Record<string, unknown>) => new KLDivergence(o)]) {
      expectGradMatches(make({ dtype: "float64" }), yTrue, row, null, bound);
      expectGradMatches(make({ dtype: "float64", reduction: "sum" }), yTrue, column, null, bound);
      expectGradMatches(make({ dtype: "float64" }), unit([5]), unit([5, 1]), [1, 2, 3, 4, 5], bound);
    }
  });

  it("CategoricalGeneralizedCrossEntropy: gradient only at the true class, -p^(q-1)", () => {
    const grad = new CategoricalGeneralizedCrossEntropy({ reduction: "sum", dtype: "float64" }).grad([1, 0], [[0.2, 0.25, 0.55], [0.64, 0.3, 0.06]]);
    expectClose(grad, [[0, -(0.25 ** -0.5), 0], [-(0.64 ** -0.5), 0, 0]], { rtol: 1e-12, atol: 0 });
    const zero = new CategoricalGeneralizedCrossEntropy({ reduction: "sum" }).grad([0], [[0, 1]]);
    expect(flat(zero)).toEqual([-Infinity, 0]);
    // A masked (zero-weight) sample at p = 0 contributes 0, not NaN.
    const masked = new CategoricalGeneralizedCrossEntropy({ reduction: "sum" }).grad([0, 1], [[0, 1], [0.36, 0.64]], [0, 1]);
    expectClose(masked, [[0, 0], [0, -(Math.fround(0.64) ** -0.5)]], { rtol: 1e-6, atol: 0 });
  });

  it("fused valueAndGrad equals the separate forward and vjp", () => {
    const [t, p] = [unit([4, 5]), unit([4, 5])];
    const labelsT = labels([4], 5);
    const upstream = new Tensor(new Float64Array([0.25, 0.25, 0.25, 0.25]), [4]);
    for (const [loss, fn, yTrue] of [
      [new Poisson({ dtype: "float64" }), poisson, t],
      [new KLDivergence({ dtype: "float64" }), klDivergence, t],
      [new CategoricalGeneralizedCrossEntropy({ dtype: "float64" }), categoricalGeneralizedCrossEntropy, labelsT],
    ] as const) {
      const both = loss.valueAndGrad(yTrue, p);
      expectClose(both.value as number, sum(flat(fn(yTrue, p, { dtype: "float64" }))) / 4, { rtol: 1e-14, atol: 0 });
      expectClose(both.grad, flat(fn.vjp(yTrue, p, upstream, { dtype: "float64" })), { rtol: 1e-14, atol: 0 });
    }
  });
});

describe("probabilistic errors", () => {
  it("shapes that do not fit name both shapes", () => {
    expect(() => poisson([[1, 2, 3]], [[1, 2]])).toThrow(ShapeError);
    expect(() => klDivergence([[1, 2, 3]], [[1, 2]])).toThrow("yTrue has shape [1,3] but yPred has shape [1,2]");
    expect(() => new Poisson()([1, 2], [1, 2, 3])).toThrow(ShapeError);
    expect(() => categoricalGeneralizedCrossEntropy([0, 1, 0], [[0.5, 0.5], [0.5, 0.5]])).toThrow("yTrue has shape [3] but yPred has shape [2,2]");
    expect(() => categoricalGeneralizedCrossEntropy([0, 1], 0.5)).toThrow(ShapeError);
  });
  it("labels out of range or not integers are an InputError", () => {
    expect(() => categoricalGeneralizedCrossEntropy([0, 2], [[0.5, 0.5], [0.5, 0.5]])).toThrow(InputError);
    expect(() => categoricalGeneralizedCrossEntropy([0, 2], [[0.5, 0.5], [0.5, 0.5]])).toThrow("yTrue must hold integer class indices in [0, 1], received 2 at flat index 1");
    expect(() => new CategoricalGeneralizedCrossEntropy()([0.5, 1], [[0.5, 0.5], [0.5, 0.5]])).toThrow(InputError);
    expect(() => categoricalGeneralizedCrossEntropy([-1, 0], [[0.5, 0.5], [0.5, 0.5]])).toThrow(InputError);
    expect(() => categoricalGeneralizedCrossEntropy([NaN, 0], [[0.5, 0.5], [0.5, 0.5]])).toThrow(InputError);
  });
  it("q outside (0, 1) and unknown options are a ConfigError", () => {
    for (const q of [0, 1, -0.5, 1.5, NaN]) expect(() => new CategoricalGeneralizedCrossEntropy({ q })).toThrow(ConfigError);
    expect(() => new CategoricalGeneralizedCrossEntropy({ q: "0.5" as never })).toThrow("q must be a finite number");
    expect(() => categoricalGeneralizedCrossEntropy([0], [[1, 0]], { q: 1 })).toThrow(ConfigError);
    expect(() => new Poisson({ fromLogits: true } as never)).toThrow(ConfigError);
    expect(() => klDivergence([1], [1], { axis: 0 } as never)).toThrow("axis is not an option of kl_divergence");
  });
  it("an upstream of the wrong shape", () => {
    expect(() => poisson.vjp([[1, 2]], [[1, 2]], [1, 2])).toThrow("upstream has shape [2], expected the per-sample shape [1]");
  });
});

describe("probabilistic registry and config", () => {
  const NAMES: [string, new (o?: never) => Loss][] = [
    ["Poisson", Poisson],
    ["poisson", Poisson],
    ["KLDivergence", KLDivergence],
    ["kl_divergence", KLDivergence],
    ["klDivergence", KLDivergence],
    ["kld", KLDivergence],
    ["KLD", KLDivergence],
    ["kullback_leibler_divergence", KLDivergence],
    ["CategoricalGeneralizedCrossEntropy", CategoricalGeneralizedCrossEntropy],
    ["categorical_generalized_cross_entropy", CategoricalGeneralizedCrossEntropy],
    ["categoricalGeneralizedCrossEntropy", CategoricalGeneralizedCrossEntropy],
  ];
  for (const [name, cls] of NAMES) {
    it(`getLoss("${name}") gives a reducing ${cls.name}`, () => {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(cls);
      expect(loss.reduction).toBe("sum_over_batch_size");
    });
  }
  it("getConfig / fromConfig / serialize round trips with Keras's default names", () => {
    expect(new Poisson().getConfig()).toEqual({ name: "poisson", reduction: "sum_over_batch_size", dtype: "float32" });
    expect(new KLDivergence().getConfig()).toEqual({ name: "kl_divergence", reduction: "sum_over_batch_size", dtype: "float32" });
    expect(new CategoricalGeneralizedCrossEntropy().getConfig()).toEqual({ name: "categorical_generalized_cross_entropy", reduction: "sum_over_batch_size", dtype: "float32", q: 0.5 });
    for (const loss of [new Poisson({ reduction: "sum", name: "p" }), new KLDivergence({ reduction: null, dtype: "float64" }), new CategoricalGeneralizedCrossEntropy({ q: 0.3, reduction: "mean" })]) {
      const cls = loss.constructor as typeof Poisson;
      const rebuilt = cls.fromConfig(loss.getConfig());
      expect(rebuilt).toBeInstanceOf(cls);
      expect(rebuilt.getConfig()).toEqual(loss.getConfig());
      expect(deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss)))).getConfig()).toEqual(loss.getConfig());
    }
  });
  it("accepts Keras's { class_name, config } JSON", () => {
    const loss = getLoss({ class_name: "CategoricalGeneralizedCrossEntropy", config: { name: "gce", reduction: "sum", q: 0.2 } } as never);
    expect(loss).toBeInstanceOf(CategoricalGeneralizedCrossEntropy);
    expect(loss.getConfig()).toMatchObject({ name: "gce", reduction: "sum", q: 0.2 });
  });
});

describe("KLDivergence: the two-at-a-time float32 and float64 loops", () => {
  const EPS32 = Math.fround(1e-7);
  /** Σ t log(t / p) with both clipped to [eps, 1], in float64, and its gradient -t/p inside the clip. */
  function reference(t: ArrayLike<number>, p: ArrayLike<number>, o: number, n: number, eps: number) {
    let value = 0;
    const grad: number[] = [];
    for (let k = 0; k < n; k++) {
      const a = Math.min(Math.max(t[o + k]!, eps), 1), b = Math.min(Math.max(p[o + k]!, eps), 1);
      value += a * Math.log(a / b);
      grad.push(p[o + k]! >= eps && p[o + k]! <= 1 ? -a / b : 0);
    }
    return { value, grad };
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: odd and even rows, clipped entries (0, negative, above 1, NaN): values and gradients against float64; strided = contiguous`, () => {
      const random = rng(2024);
      const eps = dtype === "float32" ? EPS32 : 1e-7;
      const Ctor = dtype === "float32" ? Float32Array : Float64Array;
      for (const n of [1, 2, 5, 64, 101]) {
        const rows = 4;
        const t = new Ctor(rows * n), p = new Ctor(rows * n);
        for (let i = 0; i < t.length; i++) [t[i], p[i]] = [random(), random()];
        // row 1: a zero label, a zero prediction, a prediction above 1 and a negative one
        const special = [0, -0.5, 1.5, 0];
        for (let k = 0; k < Math.min(n, 4); k++) [t[n + k], p[n + k]] = k === 0 ? [0, 0.3] : [random(), special[k]!];
        // row 2: NaN in yPred at its last position
        p[3 * n - 1] = NaN;
        const weights = [1, 2, 0.5, 3];
        const loss = new KLDivergence({ reduction: "none", dtype });
        const a = loss.valueAndGrad(new Tensor(t, [rows, n]), new Tensor(p, [rows, n]), weights);
        const tView = moveAxis(new Tensor(new Ctor(Array.from({ length: rows * n }, (_, i) => t[(i % rows) * n + Math.floor(i / rows)]!)), [n, rows]), 0, 1);
        const pView = moveAxis(new Tensor(new Ctor(Array.from({ length: rows * n }, (_, i) => p[(i % rows) * n + Math.floor(i / rows)]!)), [n, rows]), 0, 1);
        const b = loss.valueAndGrad(tView, pView, weights);
        const call = loss(new Tensor(t, [rows, n]), new Tensor(p, [rows, n])) as Tensor;
        expect(Array.from((b.value as Tensor).data)).toEqual(Array.from((a.value as Tensor).data));
        expect(Array.from(b.grad.data)).toEqual(Array.from(a.grad.data));
        expect(Array.from((loss(new Tensor(t, [rows, n]), new Tensor(p, [rows, n]), weights) as Tensor).data)).toEqual(Array.from((a.value as Tensor).data));
        for (let r = 0; r < rows; r++) {
          const ref = reference(t, p, r * n, n, eps);
          const v = call.data[r]!;
          if (Number.isNaN(ref.value)) expect(v, `n ${n} row ${r}`).toBeNaN();
          else expect(Math.abs(v - ref.value), `n ${n} row ${r}: ${v} vs ${ref.value}`).toBeLessThanOrEqual((dtype === "float32" ? 1e-6 : 1e-13) * (Math.abs(ref.value) + 1e-3));
          for (let k = 0; k < n; k++) {
            const got = a.grad.data[r * n + k]!, want = weights[r]! * ref.grad[k]!;
            // zero where the clip holds (a +0, as the accumulating loop gives), NaN nowhere
            if (want === 0) expect(Object.is(got, 0), `grad [${r}, ${k}] = ${got}`).toBe(true);
            else expect(Math.abs(got - want), `grad [${r}, ${k}]`).toBeLessThanOrEqual((dtype === "float32" ? 2e-7 : 1e-15) * Math.abs(want));
          }
        }
      }
    });
  }

  it("a broadcast yPred (the accumulating loop) gives the sum of the rows' gradients", () => {
    const random = rng(8);
    const t = randomTensor([3, 5], random, (u) => 0.05 + 0.9 * u), p = randomTensor([1, 5], random, (u) => 0.05 + 0.9 * u);
    const g = new KLDivergence({ reduction: "sum", dtype: "float64" }).grad(t, p);
    const td = t.toTypedArray("float64"), pd = p.toTypedArray("float64");
    for (let k = 0; k < 5; k++) expect(g.data[k]).toBeCloseTo(-(td[k]! + td[5 + k]! + td[10 + k]!) / pd[k]!, 12);
  });
});
