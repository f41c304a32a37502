import { describe, expect, it } from "vitest";
import { ConfigError, ShapeError, Tensor, WeightedKappaLoss, getLoss, tensor, type Loss } from "../src/index";
import { expectClose, expectGradMatches, rng, snapshot } from "./helpers";
import { expectGradsEverywhere, expectRegistered, expectRoundTrip, filled } from "./beyond-helpers";

/**
 * kappa_loss_test.py's numpy reference (`weighted_kappa_loss_np`), ported: argmax labels,
 * tiled weight matrices, nan_to_num of the ratio. For one-hot labels it is TFA's loss.
 */
function weightedKappaLossNp(yTrue: number[][], yPred: number[][], weightage = "quadratic", eps = 1e-6): number {
  const n = yTrue.length, c = yTrue[0]!.length;
  const labels = yTrue.map((row) => row.indexOf(Math.max(...row)));
  const w = (a: number, b: number) => (weightage === "linear" ? Math.abs(a - b) : (a - b) ** 2);
  let numerator = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) numerator += yPred[i]![j]! * w(labels[i]!, j);
  const labelDist = Array.from({ length: c }, (_, k) => yTrue.reduce((s, row) => s + row[k]!, 0));
  const predDist = Array.from({ length: c }, (_, k) => yPred.reduce((s, row) => s + row[k]!, 0));
  let denominator = 0;
  for (let k = 0; k < c; k++) for (let j = 0; j < c; j++) denominator += labelDist[k]! * w(k, j) * predDist[j]!;
  denominator /= n;
  const ratio = numerator / denominator;
  return Math.log((Number.isFinite(ratio) ? ratio : 0) + eps);
}

/** The expected-index form of TFA's TensorFlow code, for soft label rows (float64). */
function softReference(yTrue: number[][], yPred: number[][], weightage = "quadratic", eps = 1e-6): number {
  const n = yTrue.length, c = yTrue[0]!.length;
  const w = (a: number, b: number) => (weightage === "linear" ? Math.abs(a - b) : (a - b) ** 2);
  const index = yTrue.map((row) => row.reduce((s, y, k) => s + y * k, 0));
  let numerator = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) numerator += yPred[i]![j]! * w(index[i]!, j);
  let denominator = 0;
  for (let k = 0; k < c; k++) for (let j = 0; j < c; j++) denominator += yTrue.reduce((s, r) => s + r[k]!, 0) * w(k, j) * yPred.reduce((s, r) => s + r[j]!, 0);
  denominator /= n;
  return Math.log((denominator === 0 ? 0 : numerator / denominator) + eps);
}

/** kappa_loss_test.py gen_labels_and_preds, with a seeded generator in place of numpy's. */
function genLabelsAndPreds(samples: number, classes: number, seed: number): { yTrue: number[][]; yPred: number[][] } {
  const random = rng(seed);
  const yTrue: number[][] = [], yPred: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const rands = Array.from({ length: classes }, () => random());
    const label = rands.indexOf(Math.max(...rands));
    yTrue.push(Array.from({ length: classes }, (_, k) => (k === label ? 1 : 0)));
    const p = Array.from({ length: classes }, () => random());
    const s = p.reduce((a, b) => a + b, 0);
    // y_pred.astype(np.float32), as the test does
    yPred.push(p.map((v) => Math.fround(v / s)));
  }
  return { yTrue, yPred };
}

const DOC_TRUE = [[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]];
const DOC_PRED = [[0.1, 0.2, 0.6, 0.1], [0.1, 0.5, 0.3, 0.1], [0.8, 0.05, 0.05, 0.1], [0.01, 0.09, 0.1, 0.8]];

describe("WeightedKappaLoss (TensorFlow Addons values)", () => {
  it("docstring example and TSDoc example: -1.1611925", () => {
    const kappa = new WeightedKappaLoss({ numClasses: 4 });
    const value = kappa(DOC_TRUE, DOC_PRED);
    expect(value).toBeInstanceOf(Tensor);
    expect(value.shape).toEqual([]);
    expectClose(value.item(), -1.1611925, { rtol: 1e-6, atol: 0 });
  });
  for (const seed of [0, 1, 2, 3]) {
    it(`kappa_loss_test.py test_linear_weighted_kappa_loss (seed ${seed}; 50 x 4; rtol = atol = 1e-5)`, () => {
      const { yTrue, yPred } = genLabelsAndPreds(50, 4, seed);
      const loss = new WeightedKappaLoss({ numClasses: 4, weightage: "linear" })(yTrue, yPred);
      expectClose(loss.item(), weightedKappaLossNp(yTrue, yPred, "linear"), { rtol: 1e-5, atol: 1e-5 });
    });
    it(`kappa_loss_test.py test_quadratic_weighted_kappa_loss (seed ${seed}; 100 x 3; rtol = atol = 1e-5)`, () => {
      const { yTrue, yPred } = genLabelsAndPreds(100, 3, seed);
      const loss = new WeightedKappaLoss({ numClasses: 3 })(yTrue, yPred);
      expectClose(loss.item(), weightedKappaLossNp(yTrue, yPred), { rtol: 1e-5, atol: 1e-5 });
      // float64: the reference to rounding error
      expectClose(new WeightedKappaLoss({ numClasses: 3, dtype: "float64" })(yTrue, yPred).item(), weightedKappaLossNp(yTrue, yPred), { rtol: 1e-13, atol: 1e-13 });
    });
  }
  it("kappa_loss_test.py test_config", () => {
    const loss = new WeightedKappaLoss({ numClasses: 4, weightage: "linear", name: "kappa_loss", epsilon: 0.001 });
    const config = loss.getConfig();
    expect(config.numClasses).toBe(4);
    expect(config.weightage).toBe("linear");
    expect(loss.name).toBe("kappa_loss");
    expectClose(config.epsilon as number, 0.001, { rtol: 1e-6, atol: 0 });
    expect(new WeightedKappaLoss({ numClasses: 2 }).name).toBe("cohen_kappa_loss");
    expect(new WeightedKappaLoss({ numClasses: 2 }).reduction).toBe("none");
  });
  it("quirk: epsilon of 0 or null means 1e-7 (epsilon or keras.epsilon()), in the numbers and the config", () => {
    for (const epsilon of [0, null]) {
      const loss = new WeightedKappaLoss({ numClasses: 4, epsilon, dtype: "float64" });
      expect(loss.getConfig().epsilon).toBe(1e-7);
      expectClose(loss(DOC_TRUE, DOC_PRED).item(), weightedKappaLossNp(DOC_TRUE, DOC_PRED, "quadratic", 1e-7), { rtol: 1e-14, atol: 0 });
    }
    // a perfect prediction: log(0 + eps)
    expectClose(new WeightedKappaLoss({ numClasses: 4, epsilon: 0, dtype: "float64" })(DOC_TRUE, DOC_TRUE).item(), Math.log(1e-7), { rtol: 1e-14, atol: 0 });
  });
  it("quirk: soft label rows act through their expected class index", () => {
    const yTrue = [[0.5, 0.5, 0], [0, 0.2, 0.8], [1, 0, 0], [0.1, 0.1, 0.8]];
    const yPred = [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.7, 0.2, 0.1], [0.3, 0.3, 0.4]];
    for (const weightage of ["quadratic", "linear"] as const) {
      const value = new WeightedKappaLoss({ numClasses: 3, weightage, dtype: "float64" })(yTrue, yPred).item();
      expectClose(value, softReference(yTrue, yPred, weightage), { rtol: 1e-14, atol: 0 });
      // not the argmax of the row (the numpy test's shortcut for one-hot rows)
      expect(Math.abs(value - weightedKappaLossNp(yTrue, yPred, weightage))).toBeGreaterThan(1e-3);
    }
    // [0.5, 0.5, 0] has index 0.5: linear weights |0.5 - j| = [0.5, 0.5, 1.5]
    expectClose(new WeightedKappaLoss({ numClasses: 3, weightage: "linear", dtype: "float64" })([[0.5, 0.5, 0]], [[0, 0, 1]]).item(), Math.log(1.5 / ((0.5 * 2 + 0.5 * 1) / 1) + 1e-6), { rtol: 1e-14, atol: 0 });
  });
  it("divide_no_nan: a zero denominator gives log(eps), and a zero gradient", () => {
    // all labels class 0 and all predictions class 0: D = 0 (w(0, 0) = 0)
    const loss = new WeightedKappaLoss({ numClasses: 3, dtype: "float64" });
    expectClose(loss([[1, 0, 0], [1, 0, 0]], [[1, 0, 0], [1, 0, 0]]).item(), Math.log(1e-6), { rtol: 1e-14, atol: 0 });
    expect(Array.from(loss.grad([[1, 0, 0], [1, 0, 0]], [[1, 0, 0], [1, 0, 0]]).data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it("sample weights scale the one value (tf.keras broadcasts it against [batch])", () => {
    const loss = new WeightedKappaLoss({ numClasses: 4, dtype: "float64" });
    const v = loss(DOC_TRUE, DOC_PRED).item();
    expectClose(loss(DOC_TRUE, DOC_PRED, [1, 2, 3, 4]), [v, 2 * v, 3 * v, 4 * v], { rtol: 1e-15, atol: 0 });
    expectClose(new WeightedKappaLoss({ numClasses: 4, reduction: "sum", dtype: "float64" })(DOC_TRUE, DOC_PRED, 0.5), 0.5 * v, { rtol: 1e-15, atol: 0 });
  });
});

describe("WeightedKappaLoss gradients (float64 central differences)", () => {
  const { yTrue, yPred } = genLabelsAndPreds(12, 4, 7);
  const t = new Tensor(Float64Array.from(yTrue.flat()), [12, 4]);
  const p = new Tensor(Float64Array.from(yPred.flat()), [12, 4]);
  it("quadratic and linear, every reduction, scalar weight, float32", () => {
    expectGradsEverywhere((o) => new WeightedKappaLoss({ numClasses: 4, ...o }) as Loss, t, p, []);
    expectGradsEverywhere((o) => new WeightedKappaLoss({ numClasses: 4, weightage: "linear", epsilon: 0, ...o }) as Loss, t, p, []);
  });
  it("soft labels, strided views, [batch] weights", () => {
    const soft = filled([12, 4], 8, (u) => u());
    expectGradMatches(new WeightedKappaLoss({ numClasses: 4, dtype: "float64", reduction: "sum" }), soft, p, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { rtol: 1e-6, atol: 1e-8 });
    const transposed = new Tensor(Float64Array.from({ length: 48 }, (_, i) => p.data[(i % 12) * 4 + Math.floor(i / 12)]!), [4, 12]);
    const view = new Tensor(transposed.data, [12, 4], [1, 12]);
    expectGradMatches(new WeightedKappaLoss({ numClasses: 4, dtype: "float64" }), t, view, null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("inputs are not mutated", () => {
    const before = [snapshot(t), snapshot(p)];
    new WeightedKappaLoss({ numClasses: 4 }).valueAndGrad(t, p);
    expect([snapshot(t), snapshot(p)]).toEqual(before);
  });
});

describe("WeightedKappaLoss registry, config and errors", () => {
  it("getLoss by class name ({ className, config }); no function form, as in TFA", () => {
    expectRegistered(WeightedKappaLoss, ["WeightedKappaLoss", "Addons>WeightedKappaLoss"], { numClasses: 3 });
    // by name alone it is found (snake_case and camelCase too), and asks for its required option
    for (const name of ["WeightedKappaLoss", "weighted_kappa_loss", "weightedKappaLoss"]) {
      expect(() => getLoss(name)).toThrow("WeightedKappaLoss: numClasses is required");
    }
  });
  it("config round trip (kappa_loss_test.py test_serialization)", () => {
    expectRoundTrip(new WeightedKappaLoss({ numClasses: 4 }), "WeightedKappaLoss", DOC_TRUE, DOC_PRED);
    const loss = new WeightedKappaLoss({ numClasses: 4, weightage: "linear", epsilon: 0, reduction: "sum", name: "k" });
    expect(loss.getConfig()).toEqual({ name: "k", reduction: "sum", dtype: "float32", numClasses: 4, weightage: "linear", epsilon: 1e-7 });
    expectRoundTrip(loss, "WeightedKappaLoss", DOC_TRUE, DOC_PRED);
  });
  it("bad options", () => {
    expect(() => new WeightedKappaLoss()).toThrow(ConfigError);
    expect(() => new WeightedKappaLoss({ numClasses: 2.5 })).toThrow("WeightedKappaLoss: numClasses must be an integer, received 2.5");
    expect(() => new WeightedKappaLoss({ numClasses: 0 })).toThrow(/numClasses must be >= 1/);
    expect(() => new WeightedKappaLoss({ numClasses: 3, weightage: "cubic" as never })).toThrow(/Unknown kappa weighting type. weightage must be "linear" or "quadratic", received "cubic"/);
    expect(() => new WeightedKappaLoss({ numClasses: 3, epsilon: "x" as never })).toThrow(/epsilon must be a finite number/);
  });
  it("bad labels and predictions", () => {
    const kappa = new WeightedKappaLoss({ numClasses: 4 });
    // integer labels instead of one-hot rows
    expect(() => kappa([2, 1, 0, 3], DOC_PRED)).toThrow(ShapeError);
    expect(() => kappa([2, 1, 0, 3], DOC_PRED)).toThrow("weighted_kappa_loss: yTrue must have shape [batch, 4] (numClasses = 4, one-hot or soft label rows), received shape [4]");
    expect(() => kappa(DOC_TRUE, DOC_PRED.map((r) => r.slice(0, 3)))).toThrow(/yPred must have shape \[batch, 4\]/);
    expect(() => kappa(DOC_TRUE, DOC_PRED.slice(0, 3))).toThrow(/expected the same batch size/);
  });
});

describe("WeightedKappaLoss on an empty batch", () => {
  it("is 0 with a zero gradient, as every loss reduces an empty batch (not TFA's 0/0 = NaN)", () => {
    const loss = new WeightedKappaLoss({ numClasses: 3 });
    const empty = tensor(new Float32Array(0), [0, 3]);
    expect((loss(empty, empty) as Tensor).item()).toBe(0); // default reduction "none", as TFA
    expect(loss.grad(empty, empty).shape).toEqual([0, 3]);
  });
});
