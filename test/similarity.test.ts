import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  Circle,
  ConfigError,
  InputError,
  LossFunctionWrapper,
  ShapeError,
  Tensor,
  circle,
  deserializeLoss,
  getLoss,
  moveAxis,
  serializeLoss,
  type Loss,
  type Reduction,
} from "../src/index";
import { allClose, almostEqual, expectClose, expectGradMatches, flat, rng, snapshot } from "./helpers";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

// losses_test.py CircleTest inputs.
const Y_TRUE = [1, 1, 2, 2, 3];
const Y_PRED = [
  [0.70014004, -0.42008403, 0.14002801, 0.56011203],
  [0.17609018, 0.70436073, -0.52827054, 0.44022545],
  [-0.34050261, 0.25537696, -0.68100522, 0.59587957],
  [0.32163376, -0.75047877, 0.53605627, -0.21442251],
  [0.51261459, -0.34174306, 0.17087153, 0.76892189],
];
const REF_LABELS = [1, 1, 2, 2, 3, 4];
const REF_EMBEDDINGS = [
  [0.40824829, -0.54433105, 0.27216553, 0.68041382],
  [0.76376261, 0.10910895, -0.54554473, 0.32732684],
  [-0.74420841, 0.24806947, 0.49613894, -0.3721042],
  [0.52981294, -0.13245324, 0.79471941, -0.26490647],
  [0.54554473, -0.32732684, 0.10910895, 0.76376261],
  [-0.27216553, 0.68041382, 0.40824829, -0.54433105],
];

describe("Circle (Keras values)", () => {
  it("test_config: serialization round trip", () => {
    const loss = new Circle({ name: "mycircle", gamma: 80.0, margin: 0.4 });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(back).toBeInstanceOf(Circle);
    expect(back.getConfig()).toEqual(loss.getConfig());
    expect(loss.getConfig()).toEqual({ name: "mycircle", reduction: "sum_over_batch_size", dtype: "float32", gamma: 80, margin: 0.4, removeDiagonal: true });
  });
  it("test_correctness", () => {
    almostEqual(new Circle({ gamma: 80.0, margin: 0.4 })(Y_TRUE, Y_PRED), 188.3883);
    almostEqual(new Circle({ gamma: 256, margin: 0.25 })(Y_TRUE, Y_PRED), 652.7617);
    const values = circle(Y_TRUE, Y_PRED, { refLabels: REF_LABELS, refEmbeddings: REF_EMBEDDINGS, gamma: 80.0, margin: 0.4, removeDiagonal: false });
    allClose(values, [61.5844, 94.3465, 276.9344, 90.9873, 48.8963]);
  });
  it("test_correctness_weighted", () => {
    almostEqual(new Circle({ gamma: 80.0, margin: 0.4 })(Y_TRUE, Y_PRED, [2.0, 2.0, 1.0, 1.0, 0.5]), 244.91918);
  });
  it("test_no_reduction: samples without positives give 0", () => {
    allClose(new Circle({ gamma: 80.0, margin: 0.4, reduction: null })(REF_LABELS, REF_EMBEDDINGS), [82.9116, 36.7942, 92.459, 52.6798, 0.0, 0.0]);
  });
  it("test_sum_reduction", () => {
    almostEqual(new Circle({ gamma: 80.0, margin: 0.4, reduction: "sum" })(REF_LABELS, REF_EMBEDDINGS), 264.845);
  });
  it("test_mean_with_sample_weight_reduction", () => {
    almostEqual(new Circle({ gamma: 80.0, margin: 0.4, reduction: "mean_with_sample_weight" })(Y_TRUE, Y_PRED, [2.0, 2.0, 1.0, 1.0, 0.5]), 163.27948);
  });
  it("test_dtype_arg", () => {
    expect((new Circle({ dtype: "float64", reduction: null })(Y_TRUE, Y_PRED) as Tensor).data).toBeInstanceOf(Float64Array);
    expect((new Circle({ reduction: null })(Y_TRUE, Y_PRED) as Tensor).data).toBeInstanceOf(Float32Array);
  });
  it("the result carries Keras's mask (loss > 0), so the default reduction averages the nonzero losses", () => {
    const { mask } = circle.evaluate(REF_LABELS, REF_EMBEDDINGS);
    expect(flat(mask!)).toEqual([1, 1, 1, 1, 0, 0]);
    almostEqual(new Circle()(REF_LABELS, REF_EMBEDDINGS), 264.845 / 4);
  });
  it("labels of shape [batch, 1] and refLabels of shape [numRef, 1]", () => {
    const column = circle(Y_TRUE.map((l) => [l]), Y_PRED, { refLabels: REF_LABELS.map((l) => [l]), refEmbeddings: REF_EMBEDDINGS, removeDiagonal: false });
    allClose(column, [61.5844, 94.3465, 276.9344, 90.9873, 48.8963]);
  });
});

/** `n` random vectors of dimension `dim` with norm `norm`. */
function embeddings(n: number, dim: number, random: () => number, norm = 1): Tensor {
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const v = 2 * random() - 1;
      data[i * dim + k] = v;
      s += v * v;
    }
    const scale = norm / Math.sqrt(s);
    for (let k = 0; k < dim; k++) data[i * dim + k]! *= scale;
  }
  return new Tensor(data, [n, dim]);
}

describe("Circle properties (fast-check)", () => {
  it("per-sample shape [batch], values >= 0, 0 and masked without positives, class = masked mean of handle, inputs unchanged, permutation equivariance", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (batch, dim, classes, removeDiagonal, seed) => {
          const random = rng(seed);
          const labels = new Tensor(new Float64Array(Array.from({ length: batch }, () => Math.floor(random() * classes))), [batch]);
          const yPred = embeddings(batch, dim, random);
          const before = [snapshot(labels), snapshot(yPred)];
          const options = { removeDiagonal, gamma: 1 + 100 * random(), margin: 0.5 * random(), dtype: "float64" as const };
          const { values, mask } = circle.evaluate(labels, yPred, options);
          expect(values.shape).toEqual([batch]);
          const v = flat(values);
          const l = flat(labels);
          v.forEach((x, i) => {
            expect(Number.isFinite(x)).toBe(true);
            expect(x).toBeGreaterThanOrEqual(0);
            const hasPositive = l.some((m, j) => m === l[i] && (!removeDiagonal || j !== i));
            const hasNegative = l.some((m) => m !== l[i]);
            if (!hasPositive) expect(x).toBe(0);
            if (hasPositive && hasNegative) expect(x).toBeGreaterThan(0);
          });
          expect(flat(mask!)).toEqual(v.map((x) => (x > 0 ? 1 : 0)));
          const { dtype: _dtype, ...classOptions } = options;
          const loss = new Circle({ ...classOptions, dtype: "float64" });
          const valid = v.filter((x) => x > 0);
          const expected = valid.length ? sum(valid) / valid.length : 0;
          expectClose(loss(labels, yPred) as number, expected, { rtol: 1e-12, atol: 1e-12 });
          loss.valueAndGrad(labels, yPred);
          expect([snapshot(labels), snapshot(yPred)]).toEqual(before);
          // Reversing the batch reverses the per-sample values.
          const reversedLabels = new Tensor(new Float64Array(l.slice().reverse()), [batch]);
          const reversedPred = new Tensor(new Float64Array(yPred.size), [batch, dim]);
          for (let i = 0; i < batch; i++) for (let k = 0; k < dim; k++) reversedPred.data[i * dim + k] = yPred.data[(batch - 1 - i) * dim + k]!;
          expectClose(circle(reversedLabels, reversedPred, options), v.slice().reverse(), { rtol: 1e-12, atol: 1e-12 });
        },
      ),
      { numRuns: 80 },
    );
  });

  it("a strided yPred gives the same values and gradients as a contiguous copy", () => {
    const random = rng(31);
    const transposed = embeddings(4, 6, random); // [4 dims, 6 samples] before the transpose
    const view = moveAxis(transposed, 0, 1); // [6, 4], strided
    const copy = new Tensor(view.toTypedArray(), view.shape);
    const labels = [0, 1, 0, 1, 2, 2];
    expectClose(circle(labels, view, { dtype: "float64" }), flat(circle(labels, copy, { dtype: "float64" })), { rtol: 1e-12, atol: 0 });
    const upstream = new Tensor(new Float64Array([1, 0.5, 2, 1, 0, 3]), [6]);
    expectClose(circle.vjp(labels, view, upstream, { dtype: "float64" }), flat(circle.vjp(labels, copy, upstream, { dtype: "float64" })), { rtol: 1e-12, atol: 1e-15 });
  });

  it("is stable for large gamma: finite values and gradients", () => {
    const random = rng(41);
    const yPred = embeddings(6, 3, random);
    const loss = new Circle({ gamma: 1e4, dtype: "float64" });
    const { value, grad } = loss.valueAndGrad([0, 0, 1, 1, 2, 2], yPred);
    expect(Number.isFinite(value as number)).toBe(true);
    for (const g of flat(grad)) expect(Number.isFinite(g)).toBe(true);
  });
});

describe("Circle gradients match float64 central differences", () => {
  // Bound for every float64 check: |analytic - numeric| <= 1e-7 + 1e-5 * max|numeric|
  // (gamma = 80 makes the loss steep: second derivatives of order gamma^2 limit the differences).
  const bound = { rtol: 1e-5, atol: 1e-7 };
  const LABELS = [0, 1, 0, 2, 1, 2, 0];

  it("default options (references = yPred, so rows couple): every reduction", () => {
    const yPred = embeddings(7, 4, rng(51));
    for (const reduction of REDUCTIONS) expectGradMatches(new Circle({ reduction, dtype: "float64" }), LABELS, yPred, null, bound);
  });

  it("gamma and margin: (2, 0.25), (256, 0.25), (30, 0.1)", () => {
    const yPred = embeddings(7, 3, rng(52));
    for (const [gamma, margin] of [[2, 0.25], [256, 0.25], [30, 0.1]] as const) {
      expectGradMatches(new Circle({ gamma, margin, dtype: "float64" }), LABELS, yPred, null, bound);
    }
  });

  it("sampleWeight scalar and per-sample, and a mask", () => {
    const yPred = embeddings(7, 4, rng(53));
    const loss = new Circle({ dtype: "float64" });
    expectGradMatches(loss, LABELS, yPred, 2.3, bound);
    expectGradMatches(loss, LABELS, yPred, [0.5, 2, 1, 0, 3, 1.5, 1], bound);
    expectGradMatches(new Circle({ dtype: "float64", reduction: "mean_with_sample_weight" }), LABELS, yPred, [0.5, 2, 1, 0, 3, 1.5, 1], bound);
    expectGradMatches(loss, LABELS, yPred, [0.5, 2, 1, 1, 3, 1.5, 1], { ...bound, mask: [1, 0, 1, 1, 0, 1, 1] });
    expectGradMatches(new Circle({ dtype: "float64", reduction: "sum" }), LABELS, yPred, null, { ...bound, mask: [1, 1, 0, 1, 1, 1, 0] });
  });

  it("removeDiagonal false (norms 0.9 keep the self-similarity away from the d = 0 kink)", () => {
    const yPred = embeddings(7, 4, rng(54), 0.9);
    for (const reduction of ["sum_over_batch_size", "sum", "none"] as const) {
      expectGradMatches(new Circle({ removeDiagonal: false, reduction, dtype: "float64" }), LABELS, yPred, null, bound);
    }
  });

  it("a sample with a unique label: its own loss is 0 and masked, yet gradient reaches it through the others", () => {
    const yPred = embeddings(5, 3, rng(55));
    const labels = [0, 0, 1, 1, 7];
    const loss = new Circle({ dtype: "float64" });
    expectGradMatches(loss, labels, yPred, null, bound);
    const grad = flat(loss.grad(labels, yPred));
    expect(grad.slice(12).some((g) => g !== 0)).toBe(true);
  });

  it("refLabels and refEmbeddings (a constant reference set), through LossFunctionWrapper and the handle's vjp", () => {
    const random = rng(56);
    const yPred = embeddings(5, 4, random);
    const refEmbeddings = embeddings(6, 4, random);
    const refLabels = [1, 1, 2, 2, 3, 4];
    for (const removeDiagonal of [true, false]) {
      const loss = new LossFunctionWrapper(circle, { refLabels, refEmbeddings, removeDiagonal, dtype: "float64" });
      expectGradMatches(loss, Y_TRUE, yPred, null, bound);
      expectGradMatches(new LossFunctionWrapper(circle, { refLabels, refEmbeddings, removeDiagonal, dtype: "float64", reduction: "sum" }), Y_TRUE, yPred, [1, 2, 0.5, 1, 3], bound);
    }
    // vjp with an upstream of ones is the gradient of the sum of the per-sample values.
    const loss = new LossFunctionWrapper(circle, { refLabels, refEmbeddings, dtype: "float64", reduction: "none" });
    const ones = new Tensor(new Float64Array(5).fill(1), [5]);
    expectClose(circle.vjp(Y_TRUE, yPred, ones, { refLabels, refEmbeddings, dtype: "float64" }), flat(loss.grad(Y_TRUE, yPred)), { rtol: 1e-14, atol: 0 });
  });

  it("Keras's test inputs, where negatives with d > 1 + margin hit the weight clamp max(1 + margin - d, 0)", () => {
    const yPred = new Tensor(new Float64Array(flat(REF_EMBEDDINGS)), [6, 4]);
    // Pairs (0, 2) and (1, 2) have cosine -0.56 and -0.93: d = 1.56 and 1.93 > 1.4.
    const dot = (i: number, j: number) => sum(REF_EMBEDDINGS[i]!.map((x, k) => x * REF_EMBEDDINGS[j]![k]!));
    expect(1 - dot(0, 2)).toBeGreaterThan(1.4);
    expect(1 - dot(1, 2)).toBeGreaterThan(1.4);
    expectGradMatches(new Circle({ dtype: "float64" }), REF_LABELS, yPred, null, bound);
    expectGradMatches(new Circle({ dtype: "float64", gamma: 256, margin: 0.25 }), [1, 1, 2, 2, 3, 3], yPred, null, bound);
    // With a small gamma the clamped pairs keep a visible share of the log-sum-exp, so a wrong
    // gradient through the clamp would show.
    expectGradMatches(new Circle({ dtype: "float64", gamma: 1 }), REF_LABELS, yPred, null, bound);
  });

  it("float32 loss (bound 1e-3 relative: float32 values against float64 differences)", () => {
    expectGradMatches(new Circle({ gamma: 4 }), LABELS, embeddings(7, 4, rng(57)), null, { rtol: 1e-3, atol: 1e-5 });
  });
});

describe("Circle propagates NaN (tf.maximum propagates it)", () => {
  const isNaNs = (x: number | Tensor) => flat(x).map(Number.isNaN);
  const yPred = [[NaN, 0], [0, 1], [1, 0]];

  it("a NaN embedding makes the loss NaN (Keras: NaN, although the mask loss > 0 leaves those samples out)", () => {
    expect(new Circle()([1, 1, 2], yPred)).toBeNaN();
    expect(new Circle({ reduction: "sum" })([1, 1, 2], yPred)).toBeNaN();
    // Every query is compared with the NaN row 0 (as a positive or a negative).
    expect(isNaNs(circle([1, 1, 2], yPred))).toEqual([true, true, true]);
    expect(isNaNs(circle([1, 2, 1], [[0.6, 0.8], [1, 0], [NaN, 0.8]], { refLabels: [1, 1, 2, 2], refEmbeddings: [[0.6, 0.8], [0.8, 0.6], [1, 0], [0, 1]] }))).toEqual([false, false, true]);
  });

  it("and its gradient NaN, also where the upstream is 0 (0 * NaN), but not for queries that never meet the NaN", () => {
    expect(isNaNs(new Circle().grad([1, 1, 2], yPred))).toEqual([true, true, true, true, true, true]);
    expect(isNaNs(new Circle({ reduction: "none" }).valueAndGrad([1, 1, 2], yPred).grad)).toEqual([true, true, true, true, true, true]);
    // A NaN reference (ref 1, label 1): query 0 (label 1, its own diagonal removed) and query 1 (label 2) meet it.
    const options = { refLabels: [1, 1, 2, 2], refEmbeddings: [[0.6, 0.8], [NaN, 0.6], [1, 0], [0, 1]] };
    const q = [[0.6, 0.8], [1, 0], [0.8, 0.6]];
    expect(isNaNs(circle([1, 2, 2], q, options))).toEqual([true, true, true]);
    // Ref 0 (label 1) is NaN: query 0 leaves it out (removeDiagonal); query 1 compares with it.
    const options0 = { refLabels: [1, 1, 2, 2], refEmbeddings: [[NaN, 0.8], [0.8, 0.6], [1, 0], [0, 1]] };
    expect(isNaNs(circle([1, 2], [[0.6, 0.8], [1, 0]], options0))).toEqual([false, true]);
    expect(isNaNs(circle.vjp([1, 2], [[0.6, 0.8], [1, 0]], [1, 1], options0))).toEqual([false, false, true, true]);
    expect(isNaNs(circle.vjp([1, 2], [[0.6, 0.8], [1, 0]], [1, 0], options0))).toEqual([false, false, true, true]);
    expect(isNaNs(circle.vjp([1, 2], [[0.6, 0.8], [1, 0]], [0, 1], options0))).toEqual([false, false, true, true]);
  });
});

describe("Circle errors", () => {
  it("shapes that do not fit", () => {
    expect(() => circle([0, 1], [0.5, 0.5])).toThrow("yPred must hold embeddings of shape [batch, dim], received shape [2]");
    expect(() => circle([0, 1, 1], [[1, 0], [0, 1]])).toThrow("yTrue has shape [3] but yPred has shape [2,2]; expected integer labels of shape [2] or [2,1]");
    expect(() => new Circle()([[0, 1]], [[1, 0], [0, 1]])).toThrow(ShapeError);
    expect(() => circle([0, 1], [[1, 0], [0, 1]], { refEmbeddings: [[1, 0, 0]], refLabels: [0] })).toThrow("refEmbeddings has shape [1,3] but yPred has shape [2,2]; expected [numRef, 2]");
    expect(() => circle([0, 1], [[1, 0], [0, 1]], { refEmbeddings: [[1, 0]], refLabels: [0, 1] })).toThrow("refLabels has shape [2] but refEmbeddings has shape [1,2]");
    expect(() => circle([0, 1], [[1, 0], [0, 1]], { refEmbeddings: [[1, 0]] })).toThrow("refLabels defaults to yTrue, which has 2 labels; pass refLabels");
    expect(() => circle([0, 1], [[1, 0], [0, 1]], { refLabels: [0, 1, 1] })).toThrow("refLabels has shape [3] but yPred has shape [2,2]");
  });
  it("labels that are not integers are an InputError", () => {
    expect(() => circle([0, 1.5], [[1, 0], [0, 1]])).toThrow(InputError);
    expect(() => circle([0, 1.5], [[1, 0], [0, 1]])).toThrow("yTrue must hold integer labels, received 1.5 at index 1");
    expect(() => circle([0, 1], [[1, 0], [0, 1]], { refLabels: [0, NaN] })).toThrow(InputError);
    // Any integer is a label (Keras only compares them): negative ones too.
    expect(circle([-3, -3], [[1, 0], [0.6, 0.8]], { dtype: "float64" }).shape).toEqual([2]);
  });
  it("bad options are a ConfigError; the class takes no reference set, as Keras's Circle", () => {
    expect(() => new Circle({ gamma: "80" as never })).toThrow("circle: gamma must be a finite number");
    expect(() => new Circle({ margin: NaN })).toThrow(ConfigError);
    expect(() => new Circle({ removeDiagonal: 1 as never })).toThrow("circle: removeDiagonal must be a boolean");
    expect(() => new Circle({ refLabels: [0] } as never)).toThrow("refLabels is not an option of Circle");
    expect(() => new Circle({ refEmbeddings: null } as never)).toThrow(ConfigError);
    expect(() => circle([0], [[1]], { axis: 0 } as never)).toThrow("axis is not an option of circle");
  });
});

describe("Circle registry and config", () => {
  it("name: undefined keeps the default name", () => {
    expect(new Circle({ name: undefined }).name).toBe("circle");
  });
  for (const name of ["Circle", "circle"]) {
    it(`getLoss("${name}") gives a reducing Circle`, () => {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(Circle);
      expect(loss.reduction).toBe("sum_over_batch_size");
      almostEqual(loss(Y_TRUE, Y_PRED), 188.3883);
    });
  }
  it("getConfig / fromConfig / serialize round trips; Keras's snake_case config", () => {
    const loss = new Circle({ gamma: 256, margin: 0.25, removeDiagonal: false, reduction: "sum", dtype: "float64" });
    expect(loss.getConfig()).toEqual({ name: "circle", reduction: "sum", dtype: "float64", gamma: 256, margin: 0.25, removeDiagonal: false });
    const rebuilt = Circle.fromConfig(loss.getConfig()) as Loss;
    expect(rebuilt).toBeInstanceOf(Circle);
    expect(rebuilt.getConfig()).toEqual(loss.getConfig());
    expect(deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss)))).getConfig()).toEqual(loss.getConfig());
    const keras = getLoss({ class_name: "Circle", config: { name: "circle", reduction: "sum_over_batch_size", gamma: 80.0, margin: 0.4, remove_diagonal: true } } as never);
    expect(keras.getConfig()).toMatchObject({ gamma: 80, margin: 0.4, removeDiagonal: true });
  });
});

/**
 * Circle's per-sample values by the formula, in float64, one pair at a time: a plain dot
 * product, a log-sum-exp per set with its own maximum (independent of the kernels' tiles,
 * shared shift and padding). `float32` casts the constants as Keras does.
 */
function circleFormula(
  labels: number[],
  q: Tensor,
  refLabels: number[],
  r: Tensor,
  { gamma = 80, margin = 0.4, removeDiagonal = true, float32 = false } = {},
): number[] {
  const cast = float32 ? Math.fround : (v: number) => v;
  const g = cast(gamma), m = cast(margin), optimNeg = cast(1 + margin), deltaNeg = cast(1 - margin);
  const [n, dim] = q.shape as [number, number];
  const rows = q.toArray() as number[][], refs = r.toArray() as number[][];
  const lse = (xs: number[]) => {
    if (xs.length === 0) return -Infinity;
    const top = Math.max(...xs);
    return top + Math.log(xs.reduce((s, x) => s + Math.exp(x - top), 0));
  };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const pos: number[] = [], neg: number[] = [];
    refs.forEach((ref, j) => {
      let s = 0;
      for (let k = 0; k < dim; k++) s += rows[i]![k]! * ref[k]!;
      const d = Math.max(1 - s, 0);
      if (labels[i] === refLabels[j]) {
        if (!(removeDiagonal && i === j)) pos.push(-g * Math.max(m + d, 0) * (m - d));
      } else neg.push(g * Math.max(optimNeg - d, 0) * (deltaNeg - d));
    });
    const z = lse(pos) + lse(neg);
    out.push(z === -Infinity ? 0 : Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))));
  }
  return out;
}

describe("Circle on batches of several tiles (the blocked kernels: 64 x 64 tiles, padding, a shared shift per row)", () => {
  const random = rng(71);
  // 70 queries: one full tile and a partial one (padded to 72); dim 5 is padded to 6.
  const labels = Array.from({ length: 70 }, () => Math.floor(random() * 5));
  const yPred = embeddings(70, 5, random);
  const refLabels = Array.from({ length: 67 }, () => Math.floor(random() * 5));
  const refEmbeddings = embeddings(67, 5, random);

  it("values match the float64 formula (default options, removeDiagonal false, gamma/margin variants)", () => {
    for (const options of [{}, { removeDiagonal: false }, { gamma: 2, margin: 0.25 }, { gamma: 256, margin: 0.25 }, { gamma: 30, margin: 0.1, removeDiagonal: false }]) {
      expectClose(circle(labels, yPred, { ...options, dtype: "float64" }), circleFormula(labels, yPred, labels, yPred, options), { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("float32 (Keras's float32 constants) matches the formula within float32 rounding", () => {
    expectClose(circle(labels, yPred), circleFormula(labels, yPred, labels, yPred, { float32: true }), { rtol: 1e-6, atol: 1e-6 });
    expectClose(circle(labels, yPred, { gamma: 256, margin: 0.25 }), circleFormula(labels, yPred, labels, yPred, { gamma: 256, margin: 0.25, float32: true }), { rtol: 1e-6, atol: 1e-6 });
  });

  it("a separate reference set (67 references: no symmetry) matches the formula", () => {
    for (const removeDiagonal of [true, false]) {
      expectClose(
        circle(labels, yPred, { refLabels, refEmbeddings, removeDiagonal, dtype: "float64" }),
        circleFormula(labels, yPred, refLabels, new Tensor(new Float64Array(flat(refEmbeddings)), [67, 5]), { removeDiagonal }),
        { rtol: 1e-12, atol: 1e-12 },
      );
    }
  });

  it("huge gamma: sets whose terms underflow against the shared shift are recomputed exactly", () => {
    // gamma 5000: positives near d = 2 reach ~2e4 while negatives stay below ~4e3, so the
    // negatives' sum underflows against a shift taken from the positives.
    const far = embeddings(70, 5, rng(72));
    for (let i = 1; i < 70; i += 2) for (let k = 0; k < 5; k++) far.data[i * 5 + k] = -far.data[(i - 1) * 5 + k]!;
    const pairs = Array.from({ length: 70 }, (_, i) => i >> 1);
    const expected = circleFormula(pairs, far, pairs, far, { gamma: 5000 });
    expect(expected.every(Number.isFinite)).toBe(true);
    expectClose(circle(pairs, far, { gamma: 5000, dtype: "float64" }), expected, { rtol: 1e-12, atol: 1e-9 });
    expectGradMatches(new Circle({ gamma: 50, dtype: "float64" }), pairs, far, null, { rtol: 1e-5, atol: 1e-7 });
  });

  it("gradients match central differences: default options, a reference set, sample weights", () => {
    const bound = { rtol: 1e-5, atol: 1e-7 };
    const small = embeddings(70, 3, rng(73));
    expectGradMatches(new Circle({ dtype: "float64" }), labels, small, null, bound);
    expectGradMatches(new Circle({ dtype: "float64", gamma: 30, margin: 0.1, removeDiagonal: false, reduction: "sum" }), labels, small, null, bound);
    const weights = Array.from({ length: 70 }, (_, i) => (i % 7 === 0 ? 0 : 1 + (i % 3)));
    expectGradMatches(new Circle({ dtype: "float64" }), labels, small, weights, bound);
    const refs = embeddings(67, 3, rng(74));
    expectGradMatches(new LossFunctionWrapper(circle, { refLabels, refEmbeddings: refs, dtype: "float64" }), labels, small, null, bound);
  });

  it("a strided view gives exactly the values and gradient of its contiguous copy", () => {
    const transposed = embeddings(5, 70, rng(75)); // [5, 70]: moved to [70, 5], strided
    const view = moveAxis(transposed, 0, 1);
    const copy = new Tensor(view.toTypedArray(), view.shape);
    const loss = new Circle({ reduction: "none" });
    expect(flat(loss(labels, view) as Tensor)).toEqual(flat(loss(labels, copy) as Tensor));
    expect(flat(loss.grad(labels, view))).toEqual(flat(loss.grad(labels, copy)));
  });

  it("valueAndGrad with { out } writes the caller's buffer (float32 and float64)", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const loss = new Circle({ dtype });
      const out = new Tensor(dtype === "float32" ? new Float32Array(350).fill(NaN) : new Float64Array(350).fill(NaN), [70, 5]);
      const { value, grad } = loss.valueAndGrad(labels, yPred, null, { out });
      expect(grad.data).toBe(out.data);
      expectClose(value as number, loss(labels, yPred) as number, { rtol: 1e-12, atol: 0 });
      expectClose(grad, flat(loss.grad(labels, yPred)), { rtol: 1e-12, atol: 0 });
    }
  });

  it("NaN and huge embeddings in a large batch take the plain path (NaN where Keras puts it, no overflow)", () => {
    const withNaN = new Tensor(Float64Array.from(flat(yPred)), [70, 5]);
    withNaN.data[3 * 5 + 1] = NaN;
    const values = flat(circle(labels, withNaN, { dtype: "float64" }));
    // Every query meets row 3 (as a positive or a negative): all NaN.
    expect(values.every(Number.isNaN)).toBe(true);
    // Similarities of ±1e120 (logits up to 1e242, finite), of ±1e240 (logits overflow) and
    // similarities that overflow themselves: the same numbers, NaN and Infinity as the formula.
    for (const [scale, overflows] of [[1e60, false], [1e120, true], [1e160, true]] as const) {
      const huge = new Tensor(Float64Array.from(flat(yPred), (v) => v * scale), [70, 5]);
      const got = flat(circle(labels, huge, { dtype: "float64" }));
      const want = circleFormula(labels, huge, labels, huge);
      expect(want.some((v) => !Number.isFinite(v))).toBe(overflows);
      got.forEach((v, i) => {
        if (Number.isFinite(want[i]!)) expectClose(v, want[i]!, { rtol: 1e-12, atol: 0 });
        else expect(v).toBe(want[i]);
      });
    }
  });
});

describe("Circle gradient of a batch too large to keep its similarity tiles (2950 queries: recomputed in the second pass)", () => {
  it("matches the gradient formula summed pair by pair in float64", () => {
    const n = 2950, dim = 3, random = rng(91);
    const labels = Array.from({ length: n }, () => Math.floor(random() * 40));
    const yPred = embeddings(n, dim, random);
    const x = yPred.data;
    const grad = new Circle({ dtype: "float64", reduction: "sum" }).grad(labels, yPred);
    // d(Σ_i loss_i)/d e: for each pair, c_ij = sigmoid(z_i) softmax_ij dv/dd dd/ds, added to rows i (c e_j) and j (c e_i).
    const g = 80, m = 0.4;
    const expected = new Float64Array(n * dim);
    const v = new Float64Array(n), dv = new Float64Array(n), set = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      let maxPos = -Infinity, maxNeg = -Infinity;
      for (let j = 0; j < n; j++) {
        set[j] = 0;
        if (i === j) continue;
        let s = 0;
        for (let k = 0; k < dim; k++) s += x[i * dim + k]! * x[j * dim + k]!;
        const raw = 1 - s, d = Math.max(raw, 0), slope = raw >= 0 ? -1 : 0;
        if (labels[i] === labels[j]) {
          v[j] = -g * Math.max(m + d, 0) * (m - d);
          dv[j] = (m + d >= 0 ? -g * (m - d - (m + d)) : 0) * slope;
          set[j] = 1;
          maxPos = Math.max(maxPos, v[j]!);
        } else {
          v[j] = g * Math.max(1 + m - d, 0) * (1 - m - d);
          dv[j] = (1 + m - d >= 0 ? g * (d - (1 - m) - (1 + m - d)) : 0) * slope;
          set[j] = -1;
          maxNeg = Math.max(maxNeg, v[j]!);
        }
      }
      let sumPos = 0, sumNeg = 0;
      for (let j = 0; j < n; j++) {
        if (set[j] === 1) sumPos += Math.exp(v[j]! - maxPos);
        else if (set[j] === -1) sumNeg += Math.exp(v[j]! - maxNeg);
      }
      if (sumPos === 0 || sumNeg === 0) continue;
      const lsePos = maxPos + Math.log(sumPos), lseNeg = maxNeg + Math.log(sumNeg);
      const sigmoid = 1 / (1 + Math.exp(-(lsePos + lseNeg)));
      for (let j = 0; j < n; j++) {
        if (set[j] === 0) continue;
        const c = sigmoid * Math.exp(v[j]! - (set[j] === 1 ? lsePos : lseNeg)) * dv[j]!;
        for (let k = 0; k < dim; k++) {
          expected[i * dim + k] += c * x[j * dim + k]!;
          expected[j * dim + k] += c * x[i * dim + k]!;
        }
      }
    }
    const scale = Math.max(...Array.from(expected, Math.abs));
    expectClose(grad, Array.from(expected), { rtol: 0, atol: 1e-9 * scale });
  });
});
