/**
 * Training helpers: class weights (Keras's class_weight_to_sample_weights tests,
 * scikit-learn's formula on a worked example), combined losses (Keras's CompileLoss tests),
 * blends, regularizers (Keras's regularizer docstrings and tests; gradients against
 * numericalGrad) and the LossCollector. Expected values are Keras's / scikit-learn's, or
 * worked out by hand in the comments next to them.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ConfigError,
  GradientNotImplementedError,
  InputError,
  Loss,
  LossCollector,
  LossFunctionWrapper,
  MeanAbsoluteError,
  MeanSquaredError,
  Regularizer,
  ShapeError,
  SparseCategoricalCrossentropy,
  Tensor,
  activityRegularization,
  blendLosses,
  classWeightToSampleWeight,
  combineLosses,
  computeClassWeight,
  computeClassWeightDict,
  l1,
  l1l2,
  l2,
  meanAbsoluteError,
  meanSquaredError,
  moveAxis,
  numericalGrad,
  ops,
  tensor,
  type TensorLike,
} from "../src/index";
import { BlendedLoss } from "../src/training/combine";
import { expectClose, expectGradMatches, randomTensor, rng, snapshot } from "./helpers";

// ---------------------------------------------------------------------------------------
// Class weights

describe("classWeightToSampleWeight: Keras's data_adapter_utils_test cases", () => {
  const cw = { 0: 1.0, 1: 2.0, 2: 3.0 };
  it("simple class labels [0, 1, 0, 2] → [1, 2, 1, 3]", () => {
    expectClose(classWeightToSampleWeight([0, 1, 0, 2], cw), [1, 2, 1, 3]);
  });
  it("one-hot labels (argmax) → [1, 2, 1, 3]", () => {
    expectClose(classWeightToSampleWeight([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]], cw), [1, 2, 1, 3]);
  });
  it("labels of shape [batch, 1] → [1, 2, 1, 3]", () => {
    expectClose(classWeightToSampleWeight([[0], [1], [0], [2]], cw), [1, 2, 1, 3]);
  });
  it("string and float-like keys ({ '0': 1, '1': 2, '2': 3 }, '2.0') → [1, 2, 1, 3]", () => {
    expectClose(classWeightToSampleWeight([0, 1, 0, 2], { "0": 1, "1": 2, "2": 3 }), [1, 2, 1, 3]);
    expectClose(classWeightToSampleWeight([0, 1, 0, 2], { "0.0": 1, "1.0": 2, "2.0": 3 }), [1, 2, 1, 3]);
  });
  it("an unmapped class: Keras's [1, 1, 1, 3] with defaultWeight 1; an InputError naming it by default", () => {
    expectClose(classWeightToSampleWeight([0, 3, 0, 2], cw, { defaultWeight: 1 }), [1, 1, 1, 3]);
    expect(() => classWeightToSampleWeight([0, 3, 0, 2], cw)).toThrow(InputError);
    expect(() => classWeightToSampleWeight([0, 3, 0, 2], cw)).toThrow(/class 3, which classWeight has no weight for \(it has 0, 1 and 2\)/);
    expect(() => classWeightToSampleWeight([7, 3, 0, 2], cw)).toThrow(/classes 3 and 7/);
    expectClose(classWeightToSampleWeight([0, 1, 0, 2], {}, { defaultWeight: 1 }), [1, 1, 1, 1]);
  });
  it("invalid keys and non-mappings are ConfigErrors (Keras: 'integer keys', 'dict-like mapping')", () => {
    expect(() => classWeightToSampleWeight([0, 1], { invalid: 0.5 } as never)).toThrow(ConfigError);
    expect(() => classWeightToSampleWeight([0, 1], { invalid: 0.5 } as never)).toThrow(/key "invalid"/);
    expect(() => classWeightToSampleWeight([0, 1], "not_a_dict" as never)).toThrow(ConfigError);
    expect(() => classWeightToSampleWeight([0, 1], { 0: -1, 1: 1 })).toThrow(/classWeight\[0\] must be a finite number >= 0, received -1/);
    expect(() => classWeightToSampleWeight([0, 1], { 0: NaN, 1: 1 })).toThrow(ConfigError);
  });
});

describe("classWeightToSampleWeight: label formats", () => {
  it("arrays indexed by class and Maps work like objects", () => {
    expectClose(classWeightToSampleWeight([2, 0, 1], [0.5, 2, 4]), [4, 0.5, 2]);
    expectClose(classWeightToSampleWeight([2, 0, 1], new Map([[0, 0.5], [1, 2], [2, 4]])), [4, 0.5, 2]);
    expect(() => classWeightToSampleWeight([2, 0, 1], [0.5, undefined, 4])).toThrow(/class 1/);
  });
  it("probability rows take the argmax, the first maximum on ties (np.argmax)", () => {
    expectClose(classWeightToSampleWeight([[0.2, 0.7, 0.1], [0.4, 0.4, 0.2], [0.1, 0.1, 0.8]], [1, 10, 100]), [10, 1, 100]);
  });
  it("sparse float labels are rounded half to even, as np.round ([0.4, 1.6, 2.5, 3.5] → 0, 2, 2, 4)", () => {
    expectClose(classWeightToSampleWeight([0.4, 1.6, 2.5, 3.5], [1, 10, 100, 1000, 10000]), [1, 100, 100, 10000]);
  });
  it("integer typed arrays, Tensors, ndarray-like inputs; the TSDoc examples", () => {
    expectClose(classWeightToSampleWeight(new Int32Array([1, 0]), [3, 5]), [5, 3]);
    expectClose(classWeightToSampleWeight({ data: [0, 1, 1, 0], shape: [2, 2] }, [3, 5]), [5, 3]);
    expect(classWeightToSampleWeight([0, 1, 0, 2], { 0: 1, 1: 2, 2: 3 }).toArray()).toEqual([1, 2, 1, 3]);
    expect(classWeightToSampleWeight([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0.5, 2, 4]).toArray()).toEqual([0.5, 2, 4]);
  });
  it("shape [batch], dtype float32 by default, float64 on request; inputs untouched", () => {
    const y = tensor(new Float64Array([0, 1, 2]), [3]);
    const before = snapshot(y);
    const w = classWeightToSampleWeight(y, [0.1, 0.2, 0.3]);
    expect(w.shape).toEqual([3]);
    expect(w.dtype).toBe("float32");
    expect(classWeightToSampleWeight(y, [0.1, 0.2, 0.3], { dtype: "float64" }).toArray()).toEqual([0.1, 0.2, 0.3]);
    expect(snapshot(y)).toEqual(before);
  });
  it("bad labels: scalars, rank 3, NaN, negative, non-integer rows", () => {
    expect(() => classWeightToSampleWeight(1, [1])).toThrow(ShapeError);
    expect(() => classWeightToSampleWeight([[[0]]], [1])).toThrow(/shape \[1,1,1\]/);
    expect(() => classWeightToSampleWeight([0, NaN], [1])).toThrow(/yTrue\[1\] is NaN/);
    expect(() => classWeightToSampleWeight([0, -1], [1])).toThrow(InputError);
    expect(() => classWeightToSampleWeight([[0.5, NaN]], [1, 1])).toThrow(/yTrue\[0\]\[1\] is NaN/);
  });
  it("the weighted loss equals the loss with per-sample weights written out by hand", () => {
    const labels = [0, 1, 1, 2];
    const logits = [[2, 1, 0], [0.5, 1.5, -1], [1, 1, 1], [0, -2, 3]];
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
    const viaClassWeight = loss(labels, logits, classWeightToSampleWeight(labels, { 0: 1, 1: 2, 2: 5 }));
    expectClose(viaClassWeight as number, loss(labels, logits, [1, 2, 2, 5]) as number, { rtol: 1e-7 });
  });
});

describe("computeClassWeight: scikit-learn's 'balanced' = n_samples / (n_classes · count_c)", () => {
  it("scikit-learn's docstring: y = [1, 1, 1, 1, 0, 0] → [1.5, 0.75]", () => {
    expect(computeClassWeight("balanced", [1, 1, 1, 1, 0, 0])).toEqual([1.5, 0.75]);
  });
  it("worked example: 6 × class 0, 3 × class 1, 1 × class 2 → 10/18, 10/9, 10/3", () => {
    // n = 10 samples, k = 3 classes: w0 = 10 / (3 · 6), w1 = 10 / (3 · 3), w2 = 10 / (3 · 1).
    const labels = [0, 1, 0, 0, 2, 1, 0, 0, 1, 0];
    expectClose(tensor(computeClassWeight("balanced", labels), undefined, "float64"), [10 / 18, 10 / 9, 10 / 3], { rtol: 1e-15, atol: 0 });
    expectClose(tensor(computeClassWeight("balanced", labels.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)))), undefined, "float64"), [10 / 18, 10 / 9, 10 / 3], { rtol: 1e-15, atol: 0 });
    const dict = computeClassWeightDict("balanced", labels);
    expect(Object.keys(dict)).toEqual(["0", "1", "2"]);
    expectClose(classWeightToSampleWeight(labels, dict, { dtype: "float64" }), labels.map((c) => [10 / 18, 10 / 9, 10 / 3][c]!), { rtol: 1e-15, atol: 0 });
  });
  it("the TSDoc example of computeClassWeightDict", () => {
    expect(computeClassWeightDict("balanced", [0, 0, 0, 1])).toEqual({ 0: 0.6666666666666666, 1: 2 });
  });
  it("property: every class gets the same total weight n / k, and the sample weights sum to n", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 60 }), (labels) => {
        const classes = [...new Set(labels)].sort((a, b) => a - b);
        const weights = computeClassWeight("balanced", labels);
        const n = labels.length, k = classes.length;
        classes.forEach((c, i) => {
          const count = labels.filter((y) => y === c).length;
          expect(Math.abs(weights[i]! * count - n / k)).toBeLessThan(1e-9 * n);
        });
        const sw = classWeightToSampleWeight(labels, computeClassWeightDict("balanced", labels), { dtype: "float64" });
        expect(Math.abs(Array.from(sw.data).reduce((a, b) => a + b, 0) - n)).toBeLessThan(1e-9 * n);
      }),
    );
  });
  it("classes: order of the result; labels outside classes and balanced classes without samples are errors", () => {
    expect(computeClassWeight("balanced", [1, 1, 1, 1, 0, 0], [1, 0])).toEqual([0.75, 1.5]);
    expect(() => computeClassWeight("balanced", [0, 1, 2], [0, 1])).toThrow(/labels hold 2, which classes \(0 and 1\) does not include/);
    expect(() => computeClassWeight("balanced", [0, 1], [0, 1, 2])).toThrow(/class 2 of classes has no sample in labels/);
    expect(() => computeClassWeight("balanced", [0, 1], [0, 0, 1])).toThrow(/class 0 twice/);
  });
  it("null gives ones; a dictionary gives its classes their weight and the others 1 (scikit-learn)", () => {
    expect(computeClassWeight(null, [0, 1, 2])).toEqual([1, 1, 1]);
    expect(computeClassWeight({ 1: 5 }, [0, 1, 2])).toEqual([1, 5, 1]);
    expect(() => computeClassWeight({ 7: 5 }, [0, 1, 2])).toThrow(/class 7, which is not in classes/);
    expect(() => computeClassWeight("balancd" as never, [0, 1])).toThrow(ConfigError);
  });
});

// ---------------------------------------------------------------------------------------
// combineLosses: Keras's compile_utils_test.py TestCompileLoss

describe("combineLosses: Keras's CompileLoss tests", () => {
  const yTrueA = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]];
  const yTrueB = [[0.7, 0.8], [0.9, 1.0], [1.1, 1.2]];
  const yPredA = [[1.2, 1.1], [1.0, 0.9], [0.8, 0.7]];
  const yPredB = [[0.6, 0.5], [0.4, 0.3], [0.2, 0.1]];
  // By hand: every |error| is one of 1.1, 0.9, 0.7, 0.5, 0.3, 0.1 in both outputs, so
  // mse = (1.21 + 0.81 + 0.49 + 0.25 + 0.09 + 0.01) / 6 = 2.86 / 6 and mae = 3.6 / 6.
  const mse = 2.86 / 6, mae = 3.6 / 6;

  it("test_list_output_case: ['mse', 'mse'] → 0.953333", () => {
    const combined = combineLosses(["mse", "mse"]);
    const { total, parts } = combined([yTrueA, yTrueB], [yPredA, yPredB]);
    expectClose(total, 0.953333, { atol: 1e-5, rtol: 0 });
    expectClose(tensor(parts), [mse, mse], { rtol: 1e-6 });
  });
  it("test_dict_output_case with per-output sample weights → 1.266666", () => {
    const combined = combineLosses({ a: "mse", b: "mse" });
    const { total } = combined({ a: yTrueA, b: yTrueB }, { a: yPredA, b: yPredB }, { a: [1, 2, 3], b: [3, 2, 1] });
    expectClose(total, 1.266666, { atol: 1e-5, rtol: 0 });
  });
  it("test_list_loss_dict_data: b → mse, a → mae gives 1.07666", () => {
    const combined = combineLosses({ b: "mse", a: "mae" });
    const { total, parts } = combined({ a: yTrueA, b: yTrueB }, { a: yPredA, b: yPredB });
    expectClose(total, 1.07666, { atol: 1e-5, rtol: 0 });
    expectClose(parts.a, mae, { rtol: 1e-6 });
    expectClose(parts.b, mse, { rtol: 1e-6 });
  });
  it("test_struct_loss_valid_weights: weights a=1, b=0 → total 4, parts still unweighted (4 and 4)", () => {
    const combined = combineLosses({ a: "mse", b: "mse" }, { lossWeights: { a: 1, b: 0 } });
    const { total, parts } = combined({ a: [1, 2], b: [1, 2] }, { a: [3, 4], b: [3, 4] });
    expect(total).toBe(4);
    expect(parts).toEqual({ a: 4, b: 4 });
  });
  it("loss weights: total = Σ wₖ · lossₖ (0.5 · mse + 2 · mae), as objects and arrays; unnamed outputs weigh 1", () => {
    const byName = combineLosses({ a: "mse", b: "mae" }, { lossWeights: { a: 0.5, b: 2 } });
    expectClose(byName({ a: yTrueA, b: yTrueA }, { a: yPredA, b: yPredA }).total, 0.5 * mse + 2 * mae, { rtol: 1e-6 });
    const byIndex = combineLosses([new MeanSquaredError(), new MeanAbsoluteError()], { lossWeights: [0.5, 2] });
    expectClose(byIndex([yTrueA, yTrueA], [yPredA, yPredA]).total, 0.5 * mse + 2 * mae, { rtol: 1e-6 });
    const partial = combineLosses({ a: "mse", b: "mae" }, { lossWeights: { b: 2 } });
    expectClose(partial({ a: yTrueA, b: yTrueA }, { a: yPredA, b: yPredA }).total, mse + 2 * mae, { rtol: 1e-6 });
  });
  it("the TSDoc example", () => {
    const combined = combineLosses({ a: "mse", b: "mae" }, { lossWeights: { a: 0.5, b: 2 } });
    expect(combined({ a: [[0, 1]], b: [[1, 1]] }, { a: [[1, 1]], b: [[0, 1]] })).toEqual({ total: 1.25, parts: { a: 0.5, b: 0.5 } });
  });
  it("one sample weight (a Tensor or typed array) is shared by every output, as Keras's non-nested sample_weight", () => {
    const combined = combineLosses({ a: "mse", b: "mse" });
    const shared = combined({ a: yTrueA, b: yTrueB }, { a: yPredA, b: yPredB }, new Float32Array([1, 2, 3]));
    const perOutput = combined({ a: yTrueA, b: yTrueB }, { a: yPredA, b: yPredB }, { a: [1, 2, 3], b: [1, 2, 3] });
    expectClose(shared.total, perOutput.total, { rtol: 1e-7 });
    // per-sample mse a = [1.01, 0.37, 0.05], b = [0.05, 0.37, 1.01]; weighted by [1, 2, 3]: (1.01 + 0.74 + 0.15 + 0.05 + 0.74 + 3.03) / 3
    expectClose(shared.total, (1.01 + 0.74 + 0.15 + 0.05 + 0.74 + 3.03) / 3, { rtol: 1e-6 });
    // a missing or null entry leaves that output unweighted
    const onlyA = combined({ a: yTrueA, b: yTrueB }, { a: yPredA, b: yPredB }, { a: [0, 0, 0] });
    expectClose(onlyA.parts.a, 0);
    expectClose(onlyA.parts.b, mse, { rtol: 1e-6 });
  });
  it("valueAndGrad: d total / d yPred[k] = wₖ · ∇lossₖ, checked by central differences of the total", () => {
    // float64 losses, so that the central differences are not lost to float32 rounding
    const combined = combineLosses({ a: new MeanSquaredError({ dtype: "float64" }), b: new MeanAbsoluteError({ dtype: "float64" }) }, { lossWeights: { a: 0.5, b: 2 } });
    const yTrue = { a: yTrueA, b: yTrueB };
    const pred = { a: tensor(new Float64Array(yPredA.flat()), [3, 2]), b: tensor(new Float64Array(yPredB.flat()), [3, 2]) };
    const sw = { a: [1, 2, 3], b: [0.5, 1, 1] };
    const { total, grads, parts } = combined.valueAndGrad(yTrue, pred, sw);
    expect(total).toBeCloseTo(combined(yTrue, pred, sw).total, 12);
    expect(parts).toEqual(combined(yTrue, pred, sw).parts);
    for (const key of ["a", "b"] as const) {
      const x = pred[key].data as Float64Array;
      expect(grads[key].shape).toEqual([3, 2]);
      for (let i = 0; i < x.length; i++) {
        const h = 1e-6, keep = x[i]!;
        x[i] = keep + h;
        const up = combined(yTrue, pred, sw).total;
        x[i] = keep - h;
        const down = combined(yTrue, pred, sw).total;
        x[i] = keep;
        expect(Math.abs(grads[key].data[i]! - (up - down) / (2 * h))).toBeLessThan(1e-6);
      }
    }
  });
  it("errors: missing outputs, structures, weights, unknown sample weight keys, non-reducing losses", () => {
    const combined = combineLosses({ a: "mse", b: "mse" });
    expect(() => combined({ a: [1] } as never, { a: [1], b: [1] })).toThrow(InputError);
    expect(() => combined({ a: [1] } as never, { a: [1], b: [1] })).toThrow(/yTrue has no output "b"; expected "a" and "b", received "a"/);
    expect(() => combined([1] as never, { a: [1], b: [1] })).toThrow(/yTrue must be an object keyed by output name/);
    expect(() => combined({ a: [1], b: [1] }, { a: [1], b: [1] }, { c: [1] } as never)).toThrow(/sampleWeight has "c", which is not an output/);
    expect(() => combineLosses(["mse", "mse"], { lossWeights: [1] })).toThrow(/lossWeights must match the number of losses, got 2 losses and 1 weights/);
    expect(() => combineLosses({ a: "mse" }, { lossWeights: { z: 1 } as never })).toThrow(/lossWeights has "z", which is not an output/);
    expect(() => combineLosses({ a: "mse" }, { lossWeights: { a: NaN } })).toThrow(/lossWeights.a must be a finite number/);
    expect(() => combineLosses({ a: "msee" })).toThrow(/loss of output "a": Could not interpret loss identifier/);
    expect(() => combineLosses({ a: "mse" }, { weights: 1 } as never)).toThrow(/weights is not an option of combineLosses/);
    expect(() => combineLosses(["mse"])([[1]], [[1]], [[1], [2]])).toThrow(/sampleWeight is an array of 2 entries but there are 1 outputs/);
    const none = combineLosses({ a: new MeanSquaredError({ reduction: "none" }) });
    expect(() => none({ a: [[1]] }, { a: [[2]] })).toThrow(/returned a Tensor \(reduction "none"\)/);
    expect(() => combineLosses({})).toThrow(ConfigError);
  });
  it("outputs without a loss are ignored (Keras allows losses over part of the outputs)", () => {
    const combined = combineLosses({ a: "mse" });
    expect(combined({ a: [1], extra: [5] } as never, { a: [3], extra: [0] } as never).total).toBe(4);
    expect(combined.outputNames).toEqual(["a"]);
    expect(combined.lossWeights).toEqual([1]);
  });
});

// ---------------------------------------------------------------------------------------
// blendLosses

describe("blendLosses: Σ wᵢ · lossᵢ per sample, as one Loss", () => {
  const yTrue = [[0, 1], [0, 0]];
  const yPred = [[2, 1], [1, 0]];
  // By hand: per-sample mse = [(4 + 0)/2, (1 + 0)/2] = [2, 0.5]; mae = [1, 0.5];
  // blend = [0.7·2 + 0.3·1, 0.7·0.5 + 0.3·0.5] = [1.7, 0.5]; mean 1.1.
  it("0.7 · mse + 0.3 · mae with handles, instances and names", () => {
    expectClose(blendLosses([[0.7, meanSquaredError], [0.3, meanAbsoluteError]])(yTrue, yPred) as number, 1.1, { rtol: 1e-6 });
    expectClose(blendLosses([[0.7, new MeanSquaredError()], [0.3, "mae"]])(yTrue, yPred) as number, 1.1, { rtol: 1e-6 });
    expectClose(blendLosses([[0.7, "mse"], [0.3, "mae"]], { reduction: "none" })(yTrue, yPred) as Tensor, [1.7, 0.5], { rtol: 1e-6 });
  });
  it("the blend's own reduction and sample weight apply (sum with weights [1, 0] → 1.7)", () => {
    expectClose(blendLosses([[0.7, "mse"], [0.3, "mae"]], { reduction: "sum" })(yTrue, yPred, [1, 0]) as number, 1.7, { rtol: 1e-6 });
  });
  it("the TSDoc example; a subclass of Loss with name blended_loss", () => {
    const blend = blendLosses([[0.7, "mse"], [0.3, "mae"]]);
    expectClose(blend([[0, 1], [0, 0]], [[1, 1], [1, 0]]) as number, 0.5);
    expect(blend).toBeInstanceOf(Loss);
    expect(blend).toBeInstanceOf(BlendedLoss);
    expect(blend.name).toBe("blended_loss");
  });
  it("gradient against numericalGrad, with weights and every reduction", () => {
    const random = rng(3);
    const t = randomTensor([4, 3], random);
    const p = randomTensor([4, 3], random, (u) => 2 * u - 0.5);
    for (const reduction of ["sum_over_batch_size", "sum", "mean_with_sample_weight", "none"] as const) {
      expectGradMatches(blendLosses([[0.7, "mse"], [0.3, "mae"], [-0.2, "huber"]], { reduction }), t, p, [1, 0.5, 2, 0]);
    }
  });
  it("a term's own mask (ignoreClass) masks the blend: blending SCCE alone equals SCCE", () => {
    const scce = new SparseCategoricalCrossentropy({ ignoreClass: -1 });
    const labels = [0, -1, 2];
    const probs = [[0.7, 0.2, 0.1], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]];
    expectClose(blendLosses([[1, scce]])(labels, probs) as number, scce(labels, probs) as number, { rtol: 1e-6 });
    expectClose(blendLosses([[1, scce]]).grad(labels, probs), Array.from(scce.grad(labels, probs).data), { rtol: 1e-6 });
  });
  it("getConfig / fromConfig round trip through JSON", () => {
    const blend = blendLosses([[0.7, "mse"], [0.3, "mae"]], { reduction: "sum" });
    const again = blendLosses(JSON.parse(JSON.stringify(blend.getConfig())));
    expect(BlendedLoss.fromConfig(blend.getConfig()).getConfig()).toEqual(blend.getConfig());
    expect(again.getConfig()).toEqual(blend.getConfig());
    expect(again(yTrue, yPred)).toBe(blend(yTrue, yPred));
  });
  it("errors: empty, bad terms, mismatched per-sample shapes, terms without gradients", () => {
    expect(() => blendLosses([])).toThrow(ConfigError);
    expect(() => blendLosses([[NaN, "mse"]])).toThrow(/weight must be a finite number/);
    expect(() => blendLosses([["mse", 0.5] as never])).toThrow(ConfigError);
    expect(() => blendLosses([[1, "mse"], [1, "dice"]])([[0, 1]], [[1, 1]])).toThrow(ShapeError);
    const noGrad = new LossFunctionWrapper((a: Tensor, b: Tensor) => ops.mean(ops.abs(ops.subtract(a, b)), -1));
    const blend = blendLosses([[1, "mse"], [1, noGrad]]);
    expect(blend(yTrue, yPred)).toBeCloseTo(1.25 + 0.75, 6);
    expect(() => blend.grad(yTrue, yPred)).toThrow(GradientNotImplementedError);
  });
});

// ---------------------------------------------------------------------------------------
// Regularizers

/** A regularizer as a Loss of yPred (reduction "sum" of one value), so that numericalGrad can differentiate it. */
class PenaltyAsLoss extends Loss {
  constructor(private readonly reg: Regularizer) {
    super({ reduction: "sum", dtype: "float64" });
  }
  call(_yTrue: Tensor, yPred: Tensor): TensorLike {
    return [this.reg(yPred)];
  }
}

describe("regularizers: Keras's definitions", () => {
  it("Keras's Regularizer docstring: L2(2.) on ones(5, 5) is 50; L2Regularizer(0.5) on ones is 12.5", () => {
    const ones = new Array(5).fill(new Array(5).fill(1));
    expect(l2(2)(ones)).toBe(50);
    expect(l2(0.5)(ones)).toBe(12.5);
  });
  it("Keras's Regularizer docstring: kernel L1(0.01) + activity L2(0.01) on a Dense layer → 5.25", () => {
    // kernel = ones(5, 5): L1 term 0.01 · 25 = 0.25; outputs = 2·ones(5,5) @ kernel = 10
    // everywhere: L2 term 0.01 · 25 · 100 = 25, divided by the batch size 5 → 5.
    const kernel = new Array(5).fill(new Array(5).fill(1));
    const outputs = new Array(5).fill(new Array(5).fill(10));
    const collector = new LossCollector();
    collector.addRegularization(l1(0.01), kernel, "kernel");
    collector.addRegularization(activityRegularization(l2(0.01)), outputs, "activity");
    expectClose(collector.losses.reduce((a, b) => a + b, 0), 5.25, { rtol: 1e-12 });
  });
  it("test_l1 / test_l2 / test_l1_l2: factor · Σ|x|, factor · Σx², both (float64 formulas)", () => {
    const random = rng(11);
    const x = randomTensor([4, 4], random);
    const v = Array.from(x.data);
    const sumAbs = v.reduce((s, a) => s + Math.abs(a), 0);
    const sumSq = v.reduce((s, a) => s + a * a, 0);
    expectClose(l1(0.1)(x), 0.1 * sumAbs, { rtol: 1e-12 });
    expectClose(l2(0.1)(x), 0.1 * sumSq, { rtol: 1e-12 });
    expectClose(l1l2({ l1: 0.1, l2: 0.2 })(x), 0.1 * sumAbs + 0.2 * sumSq, { rtol: 1e-12 });
  });
  it("defaults: l1() and l2() use 0.01; l1l2 factors default to 0 (Keras 3's L1L2)", () => {
    expect(l1().l1).toBe(0.01);
    expect(l2().l2).toBe(0.01);
    expect(l1l2({ l2: 0.1 })([3])).toBeCloseTo(0.9, 12);
    expect(l1l2()([3])).toBe(0);
  });
  it("the TSDoc examples", () => {
    expect(l1(0.1)([[1, -2], [3, 0]])).toBe(0.6000000000000001);
    expect(l1(0.1).grad([1, -2, 0]).toArray()).toEqual([0.1, -0.1, 0]); // nested arrays are read in float64
    expect(l2(0.5).grad([1, -2]).toArray()).toEqual([1, -2]);
    expect(l1l2({ l1: 0.1, l2: 0.2 })([1, -2])).toBe(1.3);
    expect(activityRegularization({ l2: 0.01 })(new Array(5).fill(new Array(5).fill(10)))).toBe(5);
  });
  it("gradients against numericalGrad: l1 · sign(x) + 2 · l2 · x (activity: divided by the batch)", () => {
    const random = rng(5);
    const x = randomTensor([3, 4], random, (u) => 4 * u - 2);
    for (const reg of [l1(0.3), l2(0.7), l1l2({ l1: 0.2, l2: 0.05 }), activityRegularization({ l1: 0.1, l2: 0.4 })]) {
      const analytic = reg.grad(x);
      const numeric = numericalGrad(new PenaltyAsLoss(reg), x, x);
      expectClose(analytic, Array.from(numeric.data), { rtol: 1e-6, atol: 1e-8 });
    }
    // By hand at x = [0, -3]: l1(0.5) → [0, -0.5] (sign(0) = 0, TensorFlow's abs gradient); l2(0.5) → [0, -3].
    expect(l1(0.5).grad(new Float64Array([0, -3])).toArray()).toEqual([0, -0.5]);
    expect(l2(0.5).grad(new Float64Array([0, -3])).toArray()).toEqual([0, -3]);
  });
  it("a list of tensors: the penalties add up and grad returns one gradient per tensor", () => {
    const a = tensor(new Float64Array([1, 2]), [2]);
    const b = tensor(new Float64Array([3, 4, 5, 6]), [2, 2]);
    expect(l2(0.1)([a, b])).toBeCloseTo(0.1 * (1 + 4 + 9 + 16 + 25 + 36), 12);
    const grads = l2(0.1).grad([a, b]);
    expect(grads).toHaveLength(2);
    expectClose(grads[0]!, [0.2, 0.4], { rtol: 1e-12 });
    expectClose(grads[1]!, [[0.6, 0.8], [1.0, 1.2]], { rtol: 1e-12 });
    const { value, grad } = l1(1).valueAndGrad([a, b]);
    expect(value).toBe(21);
    expect(grad.map((g) => g.shape)).toEqual([[2], [2, 2]]);
  });
  it("strided views and float32 data: same value, gradient in the input's layout order and dtype", () => {
    const x = tensor(new Float32Array([1, -2, 3, -4, 5, -6]), [2, 3]);
    const xt = moveAxis(x, 0, 1); // [3, 2] view, not contiguous
    expect(l1l2({ l1: 1, l2: 1 })(xt)).toBe(l1l2({ l1: 1, l2: 1 })(x));
    const g = l2(1).grad(xt);
    expect(g.dtype).toBe("float32");
    expect(g.toArray()).toEqual([[2, -8], [-4, 10], [6, -12]]);
  });
  it("activity penalties divide each tensor by its own batch size (divide_no_nan for an empty batch)", () => {
    const act = activityRegularization({ l1: 1 });
    expect(act([tensor([[1, 1], [1, 1]]), tensor([[3, 3, 3]])])).toBe(2 + 9);
    expect(act(tensor(new Float32Array(0), [0, 3]))).toBe(0);
    expect(act.activity).toBe(true);
  });
  it("config round trip (Keras's test_l1l2_get_config) and validation", () => {
    expect(l1l2({ l1: 0.01, l2: 0.02 }).getConfig()).toEqual({ l1: 0.01, l2: 0.02 });
    expect(l1(0.3).getConfig()).toEqual({ l1: 0.3 });
    expect(l2(0.3).getConfig()).toEqual({ l2: 0.3 });
    for (const reg of [l1(0.3), l2(0.2), l1l2({ l1: 0.01, l2: 0.02 }), activityRegularization({ l2: 0.5 })]) {
      const again = Regularizer.fromConfig(JSON.parse(JSON.stringify(reg.getConfig())));
      expect(again.getConfig()).toEqual(reg.getConfig());
      expect(again([1, -2, 3])).toBe(reg([1, -2, 3]));
    }
    expect(() => l2(-1)).toThrow(/Invalid value for argument l2: expected a non-negative finite number. Received: l2=-1/);
    expect(() => l1(NaN)).toThrow(ConfigError);
    expect(() => new Regularizer({ l3: 1 } as never)).toThrow(/l3 is not an option/);
    expect(() => l2(0.1)(["a"] as never)).toThrow(/regularizer: /);
    expect(String(l2(0.1))).toBe('l2({"l2":0.1})');
  });
  it("inputs are never mutated", () => {
    const x = tensor(new Float64Array([1, -2, 3]), [3]);
    const before = snapshot(x);
    l1l2({ l1: 0.1, l2: 0.1 }).valueAndGrad(x);
    expect(snapshot(x)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------
// LossCollector

describe("LossCollector: add_loss and model.losses", () => {
  it("the TSDoc example", () => {
    const collector = new LossCollector();
    expect(collector.addRegularization(l2(0.01), [[1, 2], [3, 4]], "kernel")).toBeCloseTo(0.3, 12);
    collector.addLoss(0.05, "activity");
    expect(collector.collect(0.5)).toEqual({ total: 0.8500000000000001, loss: 0.5, penalties: { kernel: 0.3, activity: 0.05 } });
  });
  it("collect() starts a new step; last keeps the result; valueAndGrad results are accepted", () => {
    const collector = new LossCollector();
    collector.addLoss(1);
    collector.addLoss(tensor([2]));
    expect(collector.losses).toEqual([1, 2]);
    expect(collector.penalties).toEqual({ loss_0: 1, loss_1: 2 });
    const first = collector.collect({ value: 3 });
    expect(first).toEqual({ total: 6, loss: 3, penalties: { loss_0: 1, loss_1: 2 } });
    expect(collector.losses).toEqual([]);
    expect(collector.collect(1)).toEqual({ total: 1, loss: 1, penalties: {} });
    expect(collector.last).toEqual({ total: 1, loss: 1, penalties: {} });
    collector.addLoss(5, "x");
    collector.clear();
    expect(collector.losses).toEqual([]);
  });
  it("errors: duplicate names in a step, reserved names, non-numbers, non-reduced main loss", () => {
    const collector = new LossCollector();
    collector.addLoss(1, "kernel");
    expect(() => collector.addLoss(2, "kernel")).toThrow(/a term named "kernel" was already added in this step/);
    expect(() => collector.addLoss(2, "total")).toThrow(/reserved/);
    expect(() => collector.addLoss("1" as never)).toThrow(ConfigError);
    expect(() => collector.collect({ value: tensor([1, 2]) })).toThrow(/collect needs the main loss as a number/);
    expect(() => collector.addRegularization((() => 1) as never, [1])).toThrow(/needs a regularizer/);
  });
});
