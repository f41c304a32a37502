/**
 * diagnose: one test per cause the Keras guides give for a NaN or wrong loss, each
 * checking the argument, the first offending index/position and value that the finding
 * names; and the losses' values that make the cause visible, worked out by hand.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  ConfigError,
  Hinge,
  KLDivergence,
  LossCollector,
  LossError,
  LossFunctionWrapper,
  MeanSquaredError,
  NumericsError,
  Poisson,
  SigmoidFocalCrossEntropy,
  SparseCategoricalCrossentropy,
  Tensor,
  deserializeLoss,
  diagnose,
  getCheckNumerics,
  l2,
  numericalGrad,
  ops,
  serializeLoss,
  setCheckNumerics,
  tensor,
} from "../src/index";

const causes = (report: ReturnType<typeof diagnose>) => report.findings.map((f) => f.cause);

describe("diagnose: a clean call", () => {
  it("reports no finding, ok, and the value and gradient of the call", () => {
    const loss = new BinaryCrossentropy();
    const report = diagnose(loss, [[0], [1]], [[0.2], [0.9]]);
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.value).toBeCloseTo(loss([[0], [1]], [[0.2], [0.9]]) as number, 7);
    expect(report.grad?.shape).toEqual([2, 1]);
    expect(String(report)).toBe("binary_crossentropy: no numerical problem found");
  });
});

describe("diagnose: NaN or infinite values in the data", () => {
  it("names yPred, the first non-finite index, its position and value, and counts them", () => {
    const report = diagnose(new MeanSquaredError(), [[1, 2], [3, 4]], [[1, 2], [NaN, Infinity]]);
    expect(report.ok).toBe(false);
    const f = report.findings.find((x) => x.argument === "yPred")!;
    expect(f).toMatchObject({ cause: "nan-in-data", severity: "error", index: 2, position: [1, 0], count: 2 });
    expect(f.value).toBeNaN();
    expect(f.message).toMatch(/^yPred\[1\]\[0\] is NaN \(2 non-finite values in yPred\): NaN or infinite predictions/);
    // the result and the gradient are NaN too, traced back to the data
    const result = report.findings.find((x) => x.argument === "result")!;
    expect(result.cause).toBe("nan-in-data");
    expect(result.message).toMatch(/the result is NaN, from the NaN\/Infinity in yPred above/);
    const grad = report.findings.find((x) => x.argument === "grad")!;
    expect(grad).toMatchObject({ index: 2, position: [1, 0] });
  });
  it("names yTrue and sampleWeight too", () => {
    const report = diagnose(new MeanSquaredError(), [[1], [-Infinity]], [[1], [2]], [1, NaN]);
    const byArg = Object.fromEntries(report.findings.filter((f) => f.cause === "nan-in-data").map((f) => [f.argument, f]));
    expect(byArg.yTrue).toMatchObject({ index: 1, position: [1, 0], value: -Infinity });
    expect(byArg.yTrue!.message).toMatch(/NaN or infinite values in the data/);
    expect(byArg.sampleWeight).toMatchObject({ index: 1, position: [1] });
  });
});

describe("diagnose: logits passed as probabilities (fromLogits: false)", () => {
  it("BinaryCrossentropy on a logit 3.5: clipped, gradient 0 (the TSDoc example)", () => {
    const loss = new BinaryCrossentropy();
    const report = diagnose(loss, [[0], [1]], [[0.2], [3.5]]);
    expect(report.ok).toBe(false);
    expect(report.findings[0]!.cause).toBe("probabilities-out-of-range");
    expect(report.findings[0]!.position).toEqual([1, 0]);
    expect(report.findings[0]).toMatchObject({ argument: "yPred", index: 1, value: 3.5, count: 1 });
    expect(report.findings[0]!.message).toMatch(/yPred\[1\]\[0\] is 3\.5, outside \[0, 1\].*fromLogits: false\): logits passed as probabilities\?.*pass fromLogits: true/);
    // Why it matters: the clipped probability has gradient 0, so that sample stops learning.
    expect(report.grad!.get(1, 0)).toBe(0);
  });
  it("TensorFlow Addons' SigmoidFocalCrossEntropy reads probabilities unless fromLogits, as BCE", () => {
    expect(diagnose(new SigmoidFocalCrossEntropy(), [[1, 0]], [[0.5, -2]]).findings[0]).toMatchObject({ cause: "probabilities-out-of-range", index: 1, value: -2 });
    expect(diagnose(new SigmoidFocalCrossEntropy({ fromLogits: true }), [[1, 0]], [[0.5, -2]]).ok).toBe(true);
  });
  it("no finding with fromLogits: true; KLDivergence always reads probabilities", () => {
    expect(diagnose(new BinaryCrossentropy({ fromLogits: true }), [[0], [1]], [[0.2], [3.5]]).ok).toBe(true);
    const kld = diagnose(new KLDivergence(), [[0.5, 0.5]], [[-1.5, 2.5]]);
    expect(kld.findings[0]).toMatchObject({ cause: "probabilities-out-of-range", index: 0, value: -1.5, count: 2 });
  });
  it("the reverse: softmax rows with fromLogits: true (a warning)", () => {
    const report = diagnose(new CategoricalCrossentropy({ fromLogits: true }), [[0, 1, 0]], [[0.1, 0.8, 0.1]]);
    expect(report.ok).toBe(true);
    expect(causes(report)).toEqual(["probabilities-as-logits"]);
    expect(report.findings[0]!.severity).toBe("warning");
  });
});

describe("diagnose: labels outside the loss's range", () => {
  it("BCE labels in {-1, 1}: a negative loss, silently; the finding says so and how to fix it", () => {
    // By hand: y = -1, p = 0.2 → -(y log p + (1 - y) log(1 - p)) = -(-1·log 0.2 + 2·log 0.8) = log 0.2 - 2 log 0.8 = -1.1632
    const loss = new BinaryCrossentropy({ dtype: "float64" });
    expect(loss([[-1]], [[0.2]])).toBeCloseTo(Math.log(0.2) - 2 * Math.log(0.8), 6);
    const report = diagnose(loss, [[1], [-1]], [[0.9], [0.2]]);
    expect(report.ok).toBe(false);
    const f = report.findings[0]!;
    expect(f).toMatchObject({ cause: "labels-out-of-range", argument: "yTrue", index: 1, position: [1, 0], value: -1, count: 1 });
    expect(f.message).toMatch(/labels in \{-1, 1\} need \(y \+ 1\) \/ 2; this call gives a negative loss \(-0\.52\d*\) without any error/);
  });
  it("BCE labels 0..255 (pixel values): y / 255", () => {
    const report = diagnose(new BinaryCrossentropy(), [[0, 255, 128]], [[0.1, 0.9, 0.5]]);
    expect(report.findings[0]).toMatchObject({ cause: "labels-out-of-range", index: 1, value: 255, count: 2 });
    expect(report.findings[0]!.message).toMatch(/labels 0\.\.255 \(pixel values\) need y \/ 255/);
  });
  it("sparse class indices >= the number of classes: named, and the loss's own refusal reported", () => {
    const report = diagnose(new SparseCategoricalCrossentropy({ fromLogits: true }), [0, 5, 1], [[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    expect(causes(report)).toEqual(["labels-out-of-range", "loss-error"]);
    expect(report.findings[0]).toMatchObject({ argument: "yTrue", index: 1, value: 5 });
    expect(report.findings[0]!.message).toMatch(/not a class index in \[0, 2\]/);
    expect(report.value).toBeUndefined();
    // ignoreClass labels are allowed
    expect(diagnose(new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 }), [0, -1], [[1, 2], [1, 2]]).ok).toBe(true);
  });
  it("hinge labels outside [-1, 1], negative Poisson counts and rates", () => {
    expect(diagnose(new Hinge(), [[0, 2]], [[0.5, 0.5]]).findings[0]).toMatchObject({ cause: "labels-out-of-range", index: 1, value: 2 });
    // y log(ŷ + ε) at ŷ = -0.5 is NaN: the result is NaN and traced back to the rate.
    const poisson = diagnose(new Poisson(), [[-1, 2]], [[1, -0.5]]);
    expect(causes(poisson)).toEqual(["labels-out-of-range", "predictions-out-of-range", "non-finite-result"]);
    expect(poisson.findings[1]).toMatchObject({ argument: "yPred", index: 1, value: -0.5 });
    expect(poisson.findings[2]!.argument).toBe("result");
    expect(poisson.findings[2]!.message).toMatch(/^the result is NaN, from the yTrue and yPred values named above$/);
  });
});

describe("diagnose: negative sample weights", () => {
  it("names the first negative weight", () => {
    const report = diagnose(new MeanSquaredError(), [[1], [2], [3]], [[1], [2], [4]], [1, 0.5, -2]);
    expect(report.ok).toBe(false);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ cause: "negative-sample-weight", argument: "sampleWeight", index: 2, position: [2], value: -2, count: 1 });
    // By hand: the weighted MSE is (0 + 0 + (-2)·1) / 3 < 0
    expect(report.value).toBeCloseTo(-2 / 3, 7);
  });
});

describe("diagnose: unscaled inputs (|x| > 1e4)", () => {
  it("a warning naming the largest value; the call itself is fine", () => {
    const report = diagnose(new MeanSquaredError(), [[250000], [180000]], [[1.2], [0.8]]);
    expect(report.ok).toBe(true);
    expect(report.findings[0]).toMatchObject({ cause: "unscaled-inputs", severity: "warning", argument: "yTrue", index: 0, value: 250000 });
    expect(report.findings[0]!.message).toMatch(/yTrue\[0\]\[0\] is 2\.5e\+5 \(\|x\| > 10000\): unscaled inputs; normalize the targets/);
    expect(diagnose(new MeanSquaredError(), [[5]], [[3]], null, { unscaledThreshold: 4 }).findings[0]!.cause).toBe("unscaled-inputs");
  });
});

describe("diagnose: NaN or Infinity from inside the loss (log(0))", () => {
  it("a custom -log(p) loss at p = 0 gives Infinity with finite inputs", () => {
    const nll = new LossFunctionWrapper((t: Tensor, p: Tensor) => ops.mean(ops.negative(ops.multiply(t, ops.log(p))), -1), {
      backward: (t, p, upstream) => ops.multiply(ops.divide(ops.negative(t), p), ops.divide(ops.expandDims(upstream, -1), p.shape[p.rank - 1]!)),
    });
    const report = diagnose(nll, [[1, 0], [0, 1]], [[0.5, 0.5], [1, 0]]);
    expect(report.ok).toBe(false);
    const result = report.findings.find((f) => f.argument === "result")!;
    expect(result).toMatchObject({ cause: "non-finite-result", value: Infinity });
    expect(result.message).toMatch(/although every input is finite: a log\(0\)/);
    const grad = report.findings.find((f) => f.argument === "grad")!;
    expect(grad).toMatchObject({ cause: "non-finite-result", index: 3, position: [1, 1], value: -Infinity });
  });
});

describe("diagnose: regularizers (a LossCollector)", () => {
  it("a penalty dominating the total is a warning naming the term", () => {
    const collector = new LossCollector();
    collector.addRegularization(l2(10), [[1, 2], [3, 4]], "kernel"); // 10 · 30 = 300
    collector.addLoss(0.2, "bias");
    collector.collect(0.5);
    const report = diagnose(collector);
    expect(report.ok).toBe(true);
    expect(report.findings[0]).toMatchObject({ cause: "regularizer-dominates", severity: "warning", argument: "penalty kernel", value: 300 });
    expect(report.findings[0]!.message).toMatch(/penalties sum to 300\.2, 100% of the total 300\.7 \(the data loss is 0\.5\), "kernel" the largest/);
    // below the ratio: no finding
    collector.addLoss(1, "small");
    collector.collect(0.5);
    expect(diagnose(collector).findings).toEqual([]);
    expect(diagnose(collector, { dominanceRatio: 1.5 }).findings[0]!.cause).toBe("regularizer-dominates");
  });
  it("a non-finite penalty (very large regularizers) is an error; checked alongside a loss call with { collector }", () => {
    const collector = new LossCollector();
    collector.addRegularization(l2(1e308), [[1e10]], "kernel");
    collector.collect(0.5);
    const report = diagnose(new MeanSquaredError(), [[1]], [[1]], null, { collector });
    expect(report.ok).toBe(false);
    expect(report.findings[0]).toMatchObject({ cause: "non-finite-penalty", argument: "penalty kernel", value: Infinity });
    expect(report.findings[0]!.message).toMatch(/very large regularizers/);
  });
  it("an empty collector has nothing to report; bad arguments are ConfigErrors", () => {
    expect(diagnose(new LossCollector()).ok).toBe(true);
    expect(() => diagnose({} as never, [1], [1])).toThrow(ConfigError);
    expect(() => diagnose(new MeanSquaredError(), [1], [1], null, { collector: {} as never })).toThrow(ConfigError);
  });
});

describe("NumericsError", () => {
  it("is a LossError carrying findings", () => {
    const e = new NumericsError("x", [{ cause: "nan-in-data", severity: "error", argument: "yPred", message: "m" }]);
    expect(e).toBeInstanceOf(LossError);
    expect(e.name).toBe("NumericsError");
    expect(e.findings[0]!.cause).toBe("nan-in-data");
  });
  it("diagnose never throws it and leaves inputs alone", () => {
    const p = tensor(new Float32Array([NaN, 0.5]), [2, 1]);
    const report = diagnose(new BinaryCrossentropy(), [[0], [1]], p);
    expect(report.ok).toBe(false);
    expect(Array.from(p.data)).toEqual([NaN, 0.5]);
  });
});

describe("checkNumerics: the Loss option and the global switch", () => {
  afterEach(() => setCheckNumerics(false));

  it("off by default: a NaN input gives NaN, silently (as Keras)", () => {
    expect(getCheckNumerics()).toBe(false);
    expect(new MeanSquaredError()([[1], [2]], [[1], [NaN]])).toBeNaN();
  });
  it("checkNumerics: true throws a NumericsError naming the argument, position, value and cause", () => {
    const mse = new MeanSquaredError({ checkNumerics: true });
    expect(() => mse([[1], [2]], [[1], [NaN]])).toThrow(NumericsError);
    expect(() => mse([[1], [2]], [[1], [NaN]])).toThrow(/^mean_squared_error \(checkNumerics\): yPred\[1\]\[0\] is NaN \(1 non-finite value in yPred\): NaN or infinite predictions/);
    try {
      mse.valueAndGrad([[1], [2]], [[1], [NaN]]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NumericsError);
      expect((error as NumericsError).findings.map((f) => f.argument)).toEqual(["yPred", "result", "grad"]);
    }
    // clean inputs pass; warnings (unscaled inputs) do not throw
    expect(mse([[1], [2]], [[1], [3]])).toBe(0.5);
    expect(mse([[2e5]], [[0]])).toBe(4e10);
  });
  it("throws for the guides' silent causes too: logits as probabilities, BCE labels in {-1, 1}, negative weights", () => {
    const bce = new BinaryCrossentropy({ checkNumerics: true });
    expect(() => bce([[1]], [[3.5]])).toThrow(/logits passed as probabilities/);
    expect(() => bce([[-1]], [[0.2]])).toThrow(/labels in \{-1, 1\} need \(y \+ 1\) \/ 2/);
    expect(() => bce.grad([[1], [0]], [[0.9], [0.2]], [1, -1])).toThrow(/negative sample weight/);
  });
  it("setCheckNumerics(true) turns it on for every loss without its own setting; checkNumerics: false opts out", () => {
    setCheckNumerics(true);
    expect(getCheckNumerics()).toBe(true);
    expect(() => new MeanSquaredError()([[1]], [[Infinity]])).toThrow(NumericsError);
    expect(() => new SparseCategoricalCrossentropy()([0], [[2, -1]])).toThrow(/logits passed as probabilities/);
    expect(new MeanSquaredError({ checkNumerics: false })([[1]], [[Infinity]])).toBe(Infinity);
    setCheckNumerics(false);
    expect(new MeanSquaredError()([[1]], [[Infinity]])).toBe(Infinity);
    expect(() => setCheckNumerics("on" as never)).toThrow(ConfigError);
  });
  it("diagnose and numericalGrad still work on a loss that checks", () => {
    const mse = new MeanSquaredError({ checkNumerics: true });
    expect(diagnose(mse, [[1]], [[NaN]]).ok).toBe(false);
    expect(Array.from(numericalGrad(mse, [[1, 2]], [[2, 2]]).data)[0]).toBeCloseTo(1, 6);
  });
  it("the option is validated, kept in the config only when set, and survives serialization", () => {
    expect(() => new MeanSquaredError({ checkNumerics: "yes" as never })).toThrow(/checkNumerics must be a boolean, received "yes"/);
    expect(new MeanSquaredError().getConfig()).not.toHaveProperty("checkNumerics");
    const loss = new BinaryCrossentropy({ checkNumerics: true, fromLogits: true });
    expect(loss.getConfig()).toMatchObject({ checkNumerics: true, fromLogits: true });
    const again = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(again.checkNumerics).toBe(true);
    expect(() => again([[1]], [[NaN]])).toThrow(NumericsError);
  });
});
