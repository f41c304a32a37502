/**
 * Crossentropy family: Keras's docstring examples and losses_test.py values (with Keras's
 * tolerances), property tests, gradient checks, errors, registry and config round trips.
 *
 * Keras's `assertAlmostEqual(x, y, decimal)` is `|x - y| < 1.5 * 10^-decimal` (default
 * decimal=3); `assertAllClose` is atol = rtol = 1e-6. Docstring outputs are printed to a
 * few digits: they are checked to one unit of their last printed digit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalFocalCrossentropy,
  ConfigError,
  InputError,
  type Loss,
  ShapeError,
  SparseCategoricalCrossentropy,
  Tensor,
  binaryCrossentropy,
  binaryFocalCrossentropy,
  categoricalCrossentropy,
  categoricalFocalCrossentropy,
  deserializeLoss,
  getLoss,
  moveAxis,
  serializeLoss,
  sparseCategoricalCrossentropy,
  tensor,
} from "../src/index";
import { allClose, almostEqual, expectClose, expectGradMatches, flat, randomTensor, rng, snapshot } from "./helpers";

/** A docstring output printed with `decimals` digits after the point: within one unit of the last digit. */
function printed(actual: unknown, desired: number | unknown[], decimals: number): void {
  expectClose(actual as number | Tensor, desired, { rtol: 0, atol: 10 ** -decimals });
}

const ln = Math.log;

describe("BinaryCrossentropy: Keras docstrings", () => {
  const yTrue = [[0, 1], [0, 0]];
  const logits = [[-18.6, 0.51], [2.94, -12.8]];

  it("Example 1 (batch 1, 4 samples) and Example 2 (batch 2) from logits", () => {
    printed(new BinaryCrossentropy({ fromLogits: true })([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.8654, 4);
    const bce = new BinaryCrossentropy({ fromLogits: true });
    printed(bce(yTrue, logits), 0.8654, 4);
    printed(bce(yTrue, logits, [0.8, 0.2]), 0.243, 3);
    printed(new BinaryCrossentropy({ fromLogits: true, reduction: "sum" })(yTrue, logits), 1.73, 3);
    printed(new BinaryCrossentropy({ fromLogits: true, reduction: null })(yTrue, logits), [0.235, 1.496], 3);
  });

  it("binary_crossentropy function example", () => {
    const loss = binaryCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]);
    expect(loss.shape).toEqual([2]);
    printed(loss, [0.916, 0.714], 3);
  });

  it("the losses guide example with reduction none", () => {
    // Keras prints float32 values; 1e-6 relative is one or two float32 ulps.
    const loss = new BinaryCrossentropy({ reduction: "none" })(
      [[0, 1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]],
      [[0.6, 0.4], [0.4, 0.6], [0.6, 0.4], [0.8, 0.2]],
    );
    expectClose(loss as Tensor, [0.9162905, 0.5919184, 0.79465103, 1.0549198], { rtol: 1e-6, atol: 0 });
  });
});

describe("BinaryCrossentropy: losses_test.py", () => {
  const yTrue3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  it("test_all_correct_unweighted", () => {
    almostEqual(new BinaryCrossentropy()(yTrue3, yTrue3), 0);
    const logits = [[10, -10, -10], [-10, 10, -10], [-10, -10, 10]];
    almostEqual(new BinaryCrossentropy({ fromLogits: true })(yTrue3, logits), 0);
  });

  it("test_unweighted", () => {
    allClose(new BinaryCrossentropy()(yTrue3, [[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]]), 0.20046903);
    almostEqual(new BinaryCrossentropy()([[1, 0], [1, 0]], [[1, 1], [1, 0]]), 3.98559);
    almostEqual(new BinaryCrossentropy({ fromLogits: true })([[1, 0, 1], [0, 1, 1]], [[10, -10, 10], [10, 10, -10]]), 3.3333);
  });

  it("test_scalar_weighted", () => {
    almostEqual(new BinaryCrossentropy()([[1, 0], [1, 0]], [[1, 1], [1, 0]], 2.3), 9.1668);
    almostEqual(new BinaryCrossentropy({ fromLogits: true })([[1, 0, 1], [0, 1, 1]], [[10, -10, 10], [10, 10, -10]], 2.3), 7.666);
  });

  it("test_sample_weighted", () => {
    almostEqual(new BinaryCrossentropy()([[1, 0], [1, 0]], [[1, 1], [1, 0]], [[1.2], [3.4]]), 4.7827);
    almostEqual(new BinaryCrossentropy({ fromLogits: true })([[1, 0, 1], [0, 1, 1]], [[10, -10, 10], [10, 10, -10]], [4, 3]), 10.0);
  });

  it("test_no_reduction", () => {
    const loss = new BinaryCrossentropy({ fromLogits: true, reduction: null })([[1, 0, 1], [0, 1, 1]], [[10, -10, 10], [10, 10, -10]]);
    allClose(loss, [0.0, 6.666], { atol: 1e-3 });
  });

  it("test_label_smoothing", () => {
    const loss = new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 })([[1, 0, 1]], [[10, -10, -10]]);
    almostEqual(loss, (10.0 + 5.0 * 0.1) / 3.0);
  });

  it("test_shape_mismatch", () => {
    const call = () => new BinaryCrossentropy()([[0], [1], [2]], [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]]);
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("yTrue has shape [3,1] but yPred has shape [3,3]");
  });

  it("test_dtype_arg: the result has the loss's dtype", () => {
    const loss = new BinaryCrossentropy({ dtype: "float64", reduction: "none" })(yTrue3, [[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]]);
    expect((loss as Tensor).dtype).toBe("float64");
  });
});

describe("BinaryFocalCrossentropy: Keras docstrings", () => {
  const yTrue = [[0, 1], [0, 0]];
  const logits = [[-18.6, 0.51], [2.94, -12.8]];

  it("Example 1 (batch 1, 4 samples)", () => {
    printed(new BinaryFocalCrossentropy({ gamma: 2, fromLogits: true })([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.691, 3);
    printed(new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 2, fromLogits: true })([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]), 0.51, 2);
  });

  it("Example 2 (batch 2) with every reduction and sample weights", () => {
    printed(new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(yTrue, logits), 0.647, 3);
    printed(new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 3, fromLogits: true })(yTrue, logits), 0.482, 3);
    printed(new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(yTrue, logits, [0.8, 0.2]), 0.133, 3);
    printed(new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 3, fromLogits: true })(yTrue, logits, [0.8, 0.2]), 0.097, 3);
    printed(new BinaryFocalCrossentropy({ gamma: 4, fromLogits: true, reduction: "sum" })(yTrue, logits), 1.222, 3);
    printed(new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 4, fromLogits: true, reduction: "sum" })(yTrue, logits), 0.914, 3);
    printed(new BinaryFocalCrossentropy({ gamma: 5, fromLogits: true, reduction: null })(yTrue, logits), [0.0017, 1.1561], 4);
    printed(new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 5, fromLogits: true, reduction: null })(yTrue, logits), [0.0004, 0.867], 4);
  });

  it("binary_focal_crossentropy function example", () => {
    const focal = binaryFocalCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], { gamma: 2 });
    expect(focal.shape).toEqual([2]);
    printed(focal, [0.33, 0.206], 3);
    // The docstring compares with binary crossentropy (it calls the focal function with its
    // default gamma there, which does not give the printed numbers; gamma 0 is BCE).
    const bce = binaryFocalCrossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], { gamma: 0 });
    printed(bce, [0.916, 0.714], 3);
    printed(flat(focal).map((v, i) => v / flat(bce)[i]!), [0.36, 0.289], 3);
  });
});

describe("BinaryFocalCrossentropy: losses_test.py", () => {
  const y22 = [[1, 0], [1, 0]];
  const p22 = [[0.9, 0.8], [0.7, 0.2]];
  const y23 = [[1, 1, 0], [0, 1, 0]];
  const x23 = [[1.5, -2.7, 2.9], [-3.8, 1.2, -4.5]];

  it("test_all_correct_unweighted", () => {
    const y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    almostEqual(new BinaryFocalCrossentropy({ gamma: 1.5 })(y, y), 0);
    const logits = [[100, -100, -100], [-100, 100, -100], [-100, -100, 100]];
    almostEqual(new BinaryFocalCrossentropy({ gamma: 2, fromLogits: true })(y, logits), 0);
  });

  it("test_unweighted", () => {
    almostEqual(new BinaryFocalCrossentropy({ gamma: 2 })(y22, p22), 0.268);
    almostEqual(new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(y23, x23), 0.799);
  });

  it("test_scalar_weighted", () => {
    almostEqual(new BinaryFocalCrossentropy({ gamma: 2 })(y22, p22, 1.23), 0.3296);
    almostEqual(new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(y23, x23, 3.21), 2.565);
  });

  it("test_sample_weighted", () => {
    almostEqual(new BinaryFocalCrossentropy({ gamma: 2 })(y22, p22, [[1.2], [3.4]]), 0.34415);
    almostEqual(new BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(y23, x23, [[1.2], [3.4]]), 0.95977);
  });

  it("test_no_reduction", () => {
    allClose(new BinaryFocalCrossentropy({ gamma: 2, reduction: null })(y22, p22), [0.515547, 0.020513]);
  });
});

describe("CategoricalCrossentropy: Keras docstrings", () => {
  const yTrue = [[0, 1, 0], [0, 0, 1]];
  const yPred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];

  it("class example with every reduction and sample weights", () => {
    const cce = new CategoricalCrossentropy();
    printed(cce(yTrue, yPred), 1.177, 3);
    printed(cce(yTrue, yPred, [0.3, 0.7]), 0.814, 3);
    printed(new CategoricalCrossentropy({ reduction: "sum" })(yTrue, yPred), 2.354, 3);
    printed(new CategoricalCrossentropy({ reduction: null })(yTrue, yPred), [0.0513, 2.303], 3);
  });

  it("categorical_crossentropy function example", () => {
    const loss = categoricalCrossentropy(yTrue, yPred);
    expect(loss.shape).toEqual([2]);
    printed(loss, [0.0513, 2.303], 3);
  });

  it("the TensorFlow backend's categorical_crossentropy example (printed rounded to 5 decimals)", () => {
    const a = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const b = [[0.9, 0.05, 0.05], [0.05, 0.89, 0.06], [0.05, 0.01, 0.94]];
    expectClose(categoricalCrossentropy(a, b), [0.10536, 0.11653, 0.06188], { rtol: 0, atol: 5e-6 });
    expectClose(categoricalCrossentropy(a, a), [0, 0, 0], { rtol: 0, atol: 5e-6 });
  });
});

describe("CategoricalCrossentropy: losses_test.py", () => {
  const y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const p = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]];
  const logits = [[8, 1, 1], [0, 9, 1], [2, 3, 5]];

  it("test_all_correct_unweighted", () => {
    almostEqual(new CategoricalCrossentropy()(tensor(new Int32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3]), y), 0);
    almostEqual(new CategoricalCrossentropy()(y, y), 0);
    almostEqual(new CategoricalCrossentropy({ fromLogits: true })(y, [[10, 0, 0], [0, 10, 0], [0, 0, 10]]), 0);
  });

  it("test_unweighted", () => {
    almostEqual(new CategoricalCrossentropy()(y, p), 0.3239);
    almostEqual(new CategoricalCrossentropy({ fromLogits: true })(y, logits), 0.0573);
  });

  it("test_scalar_weighted", () => {
    almostEqual(new CategoricalCrossentropy()(y, p, 2.3), 0.7449);
    almostEqual(new CategoricalCrossentropy({ fromLogits: true })(y, logits, 2.3), 0.1317);
  });

  it("test_sample_weighted", () => {
    const w = [[1.2], [3.4], [5.6]];
    almostEqual(new CategoricalCrossentropy()(y, p, w), 1.0696);
    almostEqual(new CategoricalCrossentropy({ fromLogits: true })(y, logits, w), 0.31829);
  });

  it("test_no_reduction", () => {
    allClose(new CategoricalCrossentropy({ fromLogits: true, reduction: null })(y, logits), [0.001822, 0.000459, 0.169846]);
  });

  it("test_label_smoothing (and _ndarray)", () => {
    const loss = new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 });
    almostEqual(loss([[1, 0, 0]], [[100, -100, -100]]), (400 * 0.1) / 3);
    almostEqual(loss(tensor(new Float32Array([1, 0, 0]), [1, 3]), tensor(new Float32Array([100, -100, -100]), [1, 3])), (400 * 0.1) / 3);
  });

  it("test_label_smoothing_with_axis (batch, classes, spatial)", () => {
    const yTrue = [[[1, 0], [0, 1], [0, 0]], [[0, 1], [1, 0], [0, 0]]];
    const yPred = [[[0.8, 0.1], [0.1, 0.8], [0.1, 0.1]], [[0.1, 0.8], [0.8, 0.1], [0.1, 0.1]]];
    const loss = new CategoricalCrossentropy({ labelSmoothing: 0.1, axis: 1 })(yTrue, yPred);
    // Keras's expected value: mean over (batch, spatial) of -Σ_classes smoothed * log(yPred).
    let expected = 0;
    for (let b = 0; b < 2; b++) {
      for (let s = 0; s < 2; s++) {
        for (let c = 0; c < 3; c++) expected -= (yTrue[b]![c]![s]! * 0.9 + 0.1 / 3) * ln(yPred[b]![c]![s]!);
      }
    }
    almostEqual(loss, expected / 4, 5);
  });

  it("test_shape_mismatch", () => {
    const call = () => new CategoricalCrossentropy()([[0], [1], [2]], p);
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("yTrue has shape [3,1] but yPred has shape [3,3]");
  });
});

describe("CategoricalFocalCrossentropy: Keras docstrings", () => {
  const yTrue = [[0, 1, 0], [0, 0, 1]];
  const yPred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];

  it("class example with every reduction and sample weights", () => {
    const cfce = new CategoricalFocalCrossentropy();
    allClose(cfce(yTrue, yPred), 0.23315276);
    printed(cfce(yTrue, yPred, [0.3, 0.7]), 0.1632, 4);
    printed(new CategoricalFocalCrossentropy({ reduction: "sum" })(yTrue, yPred), 0.46631, 5);
    allClose(new CategoricalFocalCrossentropy({ reduction: null })(yTrue, yPred), [3.2058331e-5, 4.6627346e-1]);
  });

  it("categorical_focal_crossentropy function example", () => {
    const loss = categoricalFocalCrossentropy(yTrue, [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]);
    expect(loss.shape).toEqual([2]);
    allClose(loss, [2.63401289e-4, 6.75912094e-1]);
  });
});

describe("CategoricalFocalCrossentropy: losses_test.py", () => {
  const y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const p = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]];
  const logits = [[8, 1, 1], [0, 9, 1], [2, 3, 5]];

  it("test_all_correct_unweighted", () => {
    almostEqual(new CategoricalFocalCrossentropy({ alpha: 0.25, gamma: 2 })(y, y), 0);
    almostEqual(new CategoricalFocalCrossentropy({ fromLogits: true })(y, [[10, 0, 0], [0, 10, 0], [0, 0, 10]]), 0);
  });

  it("test_unweighted", () => {
    almostEqual(new CategoricalFocalCrossentropy()(y, p), 0.02059);
    almostEqual(new CategoricalFocalCrossentropy({ fromLogits: true })(y, logits), 0.000345);
  });

  it("test_scalar_weighted", () => {
    almostEqual(new CategoricalFocalCrossentropy()(y, p, 2.3), 0.047368);
    almostEqual(new CategoricalFocalCrossentropy({ fromLogits: true })(y, logits, 2.3), 0.000794, 4);
  });

  it("test_sample_weighted", () => {
    const w = [[1.2], [3.4], [5.6]];
    almostEqual(new CategoricalFocalCrossentropy()(y, p, w), 0.06987);
    almostEqual(new CategoricalFocalCrossentropy({ fromLogits: true })(y, logits, w), 0.001933);
  });

  it("test_no_reduction", () => {
    allClose(new CategoricalFocalCrossentropy({ fromLogits: true, reduction: null })(y, logits), [1.5096224e-9, 2.4136547e-11, 1.0360638e-3]);
  });

  it("test_label_smoothing", () => {
    almostEqual(new CategoricalFocalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 })([[1, 0, 0]], [[4.9, -0.5, 2.05]]), 0.06685);
  });

  it("test_label_smoothing_with_axis (batch, classes, spatial)", () => {
    const yTrue = [[[1, 0], [0, 1], [0, 0]], [[0, 1], [1, 0], [0, 0]]];
    const yPred = [[[0.8, 0.1], [0.1, 0.8], [0.1, 0.1]], [[0.1, 0.8], [0.8, 0.1], [0.1, 0.1]]];
    const loss = new CategoricalFocalCrossentropy({ labelSmoothing: 0.1, axis: 1 })(yTrue, yPred);
    // Keras's expected value: alpha (1 - p)^gamma (-smoothed log p), summed over classes, averaged.
    let expected = 0;
    for (let b = 0; b < 2; b++) {
      for (let s = 0; s < 2; s++) {
        for (let c = 0; c < 3; c++) {
          const q = yPred[b]![c]![s]!;
          expected += 0.25 * (1 - q) ** 2 * -(yTrue[b]![c]![s]! * 0.9 + 0.1 / 3) * ln(q);
        }
      }
    }
    almostEqual(loss, expected / 4, 5);
  });
});

describe("SparseCategoricalCrossentropy: Keras docstrings", () => {
  const yPred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
  it("class example with every reduction and sample weights", () => {
    const scce = new SparseCategoricalCrossentropy();
    printed(scce([1, 2], yPred), 1.177, 3);
    printed(scce([1, 2], yPred, [0.3, 0.7]), 0.814, 3);
    printed(new SparseCategoricalCrossentropy({ reduction: "sum" })([1, 2], yPred), 2.354, 3);
    printed(new SparseCategoricalCrossentropy({ reduction: null })([1, 2], yPred), [0.0513, 2.303], 3);
  });

  it("sparse_categorical_crossentropy function example", () => {
    const loss = sparseCategoricalCrossentropy([1, 2], yPred);
    expect(loss.shape).toEqual([2]);
    printed(loss, [0.0513, 2.303], 3);
  });
});

describe("SparseCategoricalCrossentropy: losses_test.py", () => {
  const p = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]];
  const logits = [[8, 1, 1], [0, 9, 1], [2, 3, 5]];

  it("test_all_correct_unweighted", () => {
    const eye = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    almostEqual(new SparseCategoricalCrossentropy()(new Int32Array([0, 1, 2]), eye), 0, 3);
    almostEqual(new SparseCategoricalCrossentropy()([[0], [1], [2]], eye), 0, 3);
    almostEqual(new SparseCategoricalCrossentropy({ fromLogits: true })([[0], [1], [2]], [[10, 0, 0], [0, 10, 0], [0, 0, 10]]), 0, 3);
  });

  it("test_unweighted", () => {
    almostEqual(new SparseCategoricalCrossentropy()([0, 1, 2], p), 0.3239, 3);
    almostEqual(new SparseCategoricalCrossentropy({ fromLogits: true })([0, 1, 2], logits), 0.0573, 3);
  });

  it("test_scalar_weighted", () => {
    almostEqual(new SparseCategoricalCrossentropy()([[0], [1], [2]], p, 2.3), 0.7449, 3);
    almostEqual(new SparseCategoricalCrossentropy({ fromLogits: true })([[0], [1], [2]], logits, 2.3), 0.1317, 3);
  });

  it("test_sample_weighted", () => {
    const w = [[1.2], [3.4], [5.6]];
    almostEqual(new SparseCategoricalCrossentropy()([[0], [1], [2]], p, w), 1.0696, 3);
    almostEqual(new SparseCategoricalCrossentropy({ fromLogits: true })([[0], [1], [2]], logits, w), 0.31829, 3);
  });

  it("test_no_reduction", () => {
    allClose(new SparseCategoricalCrossentropy({ fromLogits: true, reduction: null })([[0], [1], [2]], logits), [0.001822, 0.000459, 0.169846]);
  });

  it("test_ignore_class: labels [B, T] or [B, T, 1]", () => {
    const x = [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]];
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1, reduction: null });
    allClose(loss([[-1, 2]], x), [[0.0, 1.480129]]);
    allClose(loss([[[-1], [2]]], x), [[0.0, 1.480129]]);
  });

  const labels = [[0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]];
  const oneHot2 = (l: number[][]) => l.map((row) => row.map((c) => (c === 0 ? [1, 0] : [0, 1])));
  const fuzzy2 = () => {
    const y = oneHot2(labels);
    y[0]![3] = [0.2, 0.8];
    y[3]![3] = [0.6, 0.4];
    return y;
  };

  it("test_binary_segmentation", () => {
    allClose(new SparseCategoricalCrossentropy()(labels, oneHot2(labels)), 0);
    allClose(new SparseCategoricalCrossentropy()(labels, fuzzy2()), (-ln(0.2) - ln(0.4)) / 16);
  });

  it("test_binary_segmentation_different_axis (channels first, as the torch backend)", () => {
    const moved = moveAxis(tensor(oneHot2(labels)), 2, 0);
    allClose(new SparseCategoricalCrossentropy({ axis: 0 })(labels, moved), 0);
    const fuzzyMoved = moveAxis(tensor(fuzzy2()), 2, 0);
    const expected = (-ln(0.2) - ln(0.4)) / 16;
    allClose(new SparseCategoricalCrossentropy({ axis: 0 })(labels, fuzzyMoved), expected);
    const stackedLabels = [labels, labels, labels];
    const stackedPred = tensor([fuzzyMoved.toArray(), fuzzyMoved.toArray(), fuzzyMoved.toArray()] as number[][][][]);
    allClose(new SparseCategoricalCrossentropy({ axis: 1 })(stackedLabels, stackedPred), expected);
  });

  it("test_squeezes_singleton_class_dim_on_user_axis", () => {
    const random = rng(7);
    const yTrue = randomTensor([2, 1, 4, 4], random, (u) => (u < 0.5 ? 0 : 1));
    const yPred = randomTensor([2, 2, 4, 4], random);
    expect(sparseCategoricalCrossentropy(yTrue, yPred, { axis: 1 }).shape).toEqual([2, 4, 4]);
  });

  const labels3 = [[0, 1, 2, 0], [1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 1]];
  const oneHot3 = (l: number[][]): number[][][] => l.map((row) => row.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))));
  const fuzzy3 = () => {
    const y = oneHot3(labels3);
    y[0]![3] = [0.2, 0.0, 0.8];
    y[1]![0] = [0.7, 0.3, 0.0];
    y[3]![2] = [0.5, 0.5, 0.0];
    return y;
  };
  const expected3 = (-ln(0.2) - ln(0.3) - ln(0.5)) / 16;

  it("test_multi_class_segmentation", () => {
    allClose(new SparseCategoricalCrossentropy()(labels3, oneHot3(labels3)), 0);
    allClose(new SparseCategoricalCrossentropy()(labels3, fuzzy3()), expected3);
  });

  it("test_multi_class_segmentation_different_axis (channels first, as the torch backend)", () => {
    allClose(new SparseCategoricalCrossentropy({ axis: 0 })(labels3, moveAxis(tensor(oneHot3(labels3)), 2, 0)), 0);
    const moved = moveAxis(tensor(fuzzy3()), 2, 0);
    allClose(new SparseCategoricalCrossentropy({ axis: 0 })(labels3, moved), expected3);
    const stacked = tensor([moved.toArray(), moved.toArray(), moved.toArray()] as number[][][][]);
    allClose(new SparseCategoricalCrossentropy({ axis: 1 })([labels3, labels3, labels3], stacked), expected3);
  });
});

// -------------------------------------------------------------------------------------------
// Semantics that the Keras values above do not pin down

describe("crossentropy semantics", () => {
  it("BCE from probabilities clips to [1e-7, 1 - 1e-7] in float32 (log(1 - 0.99999988) = log(1.1920929e-7))", () => {
    const loss = binaryCrossentropy([[0]], [[1]]);
    expectClose(loss, [-Math.log(1.1920929e-7)], { rtol: 1e-6, atol: 0 });
    expectClose(binaryCrossentropy([[1]], [[0]]), [-Math.log(Math.fround(1e-7))], { rtol: 1e-6, atol: 0 });
    // In float64 the bounds are 1e-7 and 1 - 1e-7, as Keras with floatx float64.
    expectClose(binaryCrossentropy([[0]], tensor(new Float64Array([1]), [1, 1])), [-Math.log(1e-7)], { rtol: 1e-9, atol: 0 });
  });

  it("BCE label smoothing squeezes labels towards 0.5, CCE towards 1/numClasses", () => {
    const z = 1 * 0.8 + 0.5 * 0.2;
    expectClose(binaryCrossentropy([[1]], [[0.7]], { labelSmoothing: 0.2 }), [-(z * ln(0.7) + (1 - z) * ln(0.3))], { rtol: 1e-6 });
    const zc = [0 * 0.7 + 0.3 / 3, 1 * 0.7 + 0.3 / 3, 0.3 / 3];
    const p = [0.2, 0.5, 0.3];
    expectClose(categoricalCrossentropy([[0, 1, 0]], [p], { labelSmoothing: 0.3 }), [-zc.reduce((s, v, i) => s + v * ln(p[i]!), 0)], { rtol: 1e-6 });
  });

  it("CCE from probabilities renormalizes each row before clipping", () => {
    expectClose(categoricalCrossentropy([[0, 1]], [[2, 6]]), [-ln(0.75)], { rtol: 1e-6 });
  });

  it("SCCE from probabilities is log Σ clip(p) - log clip(p_y) (TensorFlow's logits = log(clip(p)))", () => {
    expectClose(sparseCategoricalCrossentropy([0], [[0.5, 0.3]]), [ln(0.8) - ln(0.5)], { rtol: 1e-6 });
  });

  it("BinaryFocalCrossentropy from logits uses the logits crossentropy (TensorFlow's sigmoid keeps its logits), not clip(sigmoid)", () => {
    // gamma 0 leaves the crossentropy term alone: softplus(20) rather than -log(1e-7) = 16.1.
    expectClose(binaryFocalCrossentropy([[0]], [[20]], { gamma: 0, fromLogits: true }), [20 + Math.log1p(Math.exp(-20))], { rtol: 1e-6 });
    expectClose(binaryFocalCrossentropy([[1]], [[-30]], { gamma: 0, fromLogits: true }), [30 + Math.log1p(Math.exp(-30))], { rtol: 1e-6 });
  });

  it("CategoricalFocalCrossentropy takes one alpha per class", () => {
    const p = [0.2, 0.5, 0.3];
    const alpha = [0.5, 2, 1];
    const expected = alpha[1]! * (1 - p[1]!) ** 2 * -ln(p[1]!);
    expectClose(categoricalFocalCrossentropy([[0, 1, 0]], [p], { alpha }), [expected], { rtol: 1e-6 });
  });

  it("ignoreClass gives 0 with a mask, so the mean divides by the kept positions", () => {
    const logits = [[1, 2, 3], [3, 1, 0], [0.5, 0.5, 2]];
    const { values, mask } = sparseCategoricalCrossentropy.evaluate([2, 255, 0], logits, { fromLogits: true, ignoreClass: 255 });
    expect(mask?.toArray()).toEqual([1, 0, 1]);
    const v = flat(values);
    expect(v[1]).toBe(0);
    const mean = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 255 })([2, 255, 0], logits) as number;
    expectClose(mean, (v[0]! + v[2]!) / 2, { rtol: 1e-6 });
    const grad = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 255 }).grad([2, 255, 0], logits);
    expect(flat(grad).slice(3, 6)).toEqual([0, 0, 0]);
    // Without ignoreClass no mask is attached.
    expect(sparseCategoricalCrossentropy.evaluate([2, 1, 0], logits, { fromLogits: true }).mask).toBeUndefined();
  });

  it("the gradient through clipped probabilities is 0 (TensorFlow's clip_by_value)", () => {
    const bce = new BinaryCrossentropy({ reduction: "sum" });
    const g = flat(bce.grad([[0, 1, 1, 0]], [[0, 1, 1e-9, 0.5]]));
    expect(g.slice(0, 3)).toEqual([0, 0, 0]);
    expect(g[3]).not.toBe(0);
    const scce = new SparseCategoricalCrossentropy({ reduction: "sum" });
    const gs = flat(scce.grad([0, 1], [[0.6, 0, 0.4], [0, 1, 0]]));
    expect(gs[1]).toBe(0); // clipped non-target entry
    expect(gs[4]).toBe(0); // clipped target entry (p = 1 > 1 - 1e-7)
    expect(gs[3]).toBe(0);
    expect(gs[5]).toBe(0);
  });

  it("fromLogits values and gradients stay finite for logits of ±1e4", () => {
    const x = [[1e4, -1e4, 0], [-1e4, 1e4, 3]];
    const losses: [Loss, number[] | number[][]][] = [
      [new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), [[1, 0, 1], [1, 0, 0]]],
      [new BinaryFocalCrossentropy({ fromLogits: true }), [[1, 0, 1], [1, 0, 0]]],
      [new BinaryFocalCrossentropy({ fromLogits: true, gamma: 0.5, applyClassBalancing: true }), [[1, 0, 1], [1, 0, 0]]],
      [new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), [[0, 1, 0], [1, 0, 0]]],
      [new CategoricalFocalCrossentropy({ fromLogits: true }), [[0, 1, 0], [1, 0, 0]]],
      [new SparseCategoricalCrossentropy({ fromLogits: true }), [1, 0]],
    ];
    for (const [loss, yTrue] of losses) {
      const { value, grad } = loss.valueAndGrad(yTrue, x);
      expect(Number.isFinite(value as number), loss.name).toBe(true);
      expect(flat(grad).every(Number.isFinite), loss.name).toBe(true);
    }
    // The wrong-class logit of 1e4 costs 2e4 / 3 per row mean, exactly.
    expectClose(binaryCrossentropy([[0, 1, 1]], [[1e4, -1e4, 1e4]], { fromLogits: true }), [2e4 / 3], { rtol: 1e-6 });
    expectClose(sparseCategoricalCrossentropy([0], [[-1e4, 1e4, 0]], { fromLogits: true }), [2e4], { rtol: 1e-6 });
  });

  it("handles float64 inputs and returns the requested dtype", () => {
    const p = tensor(new Float64Array([0.3, 0.7]), [1, 2]);
    expect(categoricalCrossentropy([[0, 1]], p).dtype).toBe("float64");
    expect(categoricalCrossentropy([[0, 1]], p, { dtype: "float32" }).dtype).toBe("float32");
  });
});

// -------------------------------------------------------------------------------------------
// Axis and strided views

describe("axis on strided views (channels first without copies)", () => {
  const random = rng(11);
  // [B, H, W, C] contiguous, seen as [B, C, H, W] through moveAxis.
  const shape = [2, 3, 2, 4];
  const probs = randomTensor(shape, random, (u) => 0.05 + 0.9 * u);
  const logits = randomTensor(shape, random, (u) => 6 * u - 3);
  const soft = randomTensor(shape, random);
  const hard = randomTensor(shape, random, (u) => (u < 0.5 ? 0 : 1));
  const first = (t: Tensor) => moveAxis(t, -1, 1);
  const cases: [string, (axis: number) => Loss, Tensor, Tensor][] = [
    ["BinaryCrossentropy", (axis) => new BinaryCrossentropy({ axis, labelSmoothing: 0.1 }), soft, probs],
    ["BinaryCrossentropy logits", (axis) => new BinaryCrossentropy({ axis, fromLogits: true }), hard, logits],
    ["BinaryFocalCrossentropy", (axis) => new BinaryFocalCrossentropy({ axis, applyClassBalancing: true }), hard, probs],
    ["CategoricalCrossentropy", (axis) => new CategoricalCrossentropy({ axis, labelSmoothing: 0.2 }), soft, probs],
    ["CategoricalCrossentropy logits", (axis) => new CategoricalCrossentropy({ axis, fromLogits: true }), soft, logits],
    ["CategoricalFocalCrossentropy logits", (axis) => new CategoricalFocalCrossentropy({ axis, fromLogits: true, alpha: [0.1, 0.2, 0.3, 0.4] }), soft, logits],
  ];
  for (const [name, make, yTrue, yPred] of cases) {
    it(`${name}: axis 1 on a [B, C, H, W] view equals axis -1 on the [B, H, W, C] data`, () => {
      const last = make(-1);
      const chFirst = make(1);
      expect(first(yPred).isContiguous).toBe(false);
      const a = last.valueAndGrad(yTrue, yPred);
      const b = chFirst.valueAndGrad(first(yTrue), first(yPred));
      expectClose(b.value as number, a.value as number, { rtol: 1e-6, atol: 1e-7 });
      expectClose(b.grad, first(a.grad).toArray() as unknown[], { rtol: 1e-5, atol: 1e-7 });
      expectGradMatches(chFirst, first(yTrue), first(yPred), null, { rtol: 1e-4, atol: 1e-7 });
    });
  }

  it("SparseCategoricalCrossentropy: axis 1 with labels [B, H, W] or [B, 1, H, W]", () => {
    const labels = randomTensor([2, 3, 2], random, (u) => Math.floor(u * 4));
    for (const fromLogits of [false, true]) {
      const pred = fromLogits ? logits : probs;
      const a = new SparseCategoricalCrossentropy({ fromLogits }).valueAndGrad(labels, pred);
      const loss = new SparseCategoricalCrossentropy({ fromLogits, axis: 1 });
      const b = loss.valueAndGrad(labels, first(pred));
      const c = loss.valueAndGrad(new Tensor(labels.data, [2, 1, 3, 2]), first(pred));
      expectClose(b.value as number, a.value as number, { rtol: 1e-6, atol: 1e-7 });
      expectClose(c.value as number, a.value as number, { rtol: 1e-6, atol: 1e-7 });
      expectClose(b.grad, first(a.grad).toArray() as unknown[], { rtol: 1e-5, atol: 1e-7 });
      expectGradMatches(loss, labels, first(pred), null, { rtol: 1e-4, atol: 1e-7 });
    }
  });
});

// -------------------------------------------------------------------------------------------
// Property tests

/** Random inputs of rank 2 or 3 with `classes` along the last axis. */
const shapeArb = fc.record({
  batch: fc.integer({ min: 1, max: 4 }),
  inner: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  classes: fc.integer({ min: 2, max: 5 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

type Family = {
  name: string;
  make: () => Loss;
  handle: (yTrue: Tensor, yPred: Tensor) => Tensor;
  inputs: (shape: number[], random: () => number) => { yTrue: Tensor; yPred: Tensor; perfect: Tensor };
  sparse?: boolean;
};

const oneHot = (shape: number[], random: () => number) => {
  const t = randomTensor(shape, random, () => 0);
  const classes = shape[shape.length - 1]!;
  for (let r = 0; r < t.size / classes; r++) t.data[r * classes + Math.floor(random() * classes)] = 1;
  return t;
};
const binaryLabels = (shape: number[], random: () => number) => randomTensor(shape, random, (u) => (u < 0.5 ? 0 : 1));
const probabilities = (shape: number[], random: () => number) => randomTensor(shape, random, (u) => 0.01 + 0.98 * u);
const someLogits = (shape: number[], random: () => number) => randomTensor(shape, random, (u) => 10 * u - 5);
const asLogits = (labels: Tensor) => new Tensor(labels.toTypedArray("float64").map((v) => (v ? 40 : -40)), labels.shape);

const families: Family[] = [
  {
    name: "BinaryCrossentropy",
    make: () => new BinaryCrossentropy({ labelSmoothing: 0 }),
    handle: (t, p) => binaryCrossentropy(t, p),
    inputs: (s, r) => {
      const yTrue = binaryLabels(s, r);
      return { yTrue, yPred: probabilities(s, r), perfect: yTrue };
    },
  },
  {
    name: "BinaryCrossentropy (logits)",
    make: () => new BinaryCrossentropy({ fromLogits: true }),
    handle: (t, p) => binaryCrossentropy(t, p, { fromLogits: true }),
    inputs: (s, r) => {
      const yTrue = binaryLabels(s, r);
      return { yTrue, yPred: someLogits(s, r), perfect: asLogits(yTrue) };
    },
  },
  {
    name: "BinaryFocalCrossentropy",
    make: () => new BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 1.5 }),
    handle: (t, p) => binaryFocalCrossentropy(t, p, { applyClassBalancing: true, gamma: 1.5 }),
    inputs: (s, r) => {
      const yTrue = binaryLabels(s, r);
      return { yTrue, yPred: probabilities(s, r), perfect: yTrue };
    },
  },
  {
    name: "CategoricalCrossentropy (logits)",
    make: () => new CategoricalCrossentropy({ fromLogits: true }),
    handle: (t, p) => categoricalCrossentropy(t, p, { fromLogits: true }),
    inputs: (s, r) => {
      const yTrue = oneHot(s, r);
      return { yTrue, yPred: someLogits(s, r), perfect: asLogits(yTrue) };
    },
  },
  {
    name: "CategoricalCrossentropy",
    make: () => new CategoricalCrossentropy(),
    handle: (t, p) => categoricalCrossentropy(t, p),
    inputs: (s, r) => {
      const yTrue = oneHot(s, r);
      return { yTrue, yPred: probabilities(s, r), perfect: yTrue };
    },
  },
  {
    name: "CategoricalFocalCrossentropy",
    make: () => new CategoricalFocalCrossentropy({ gamma: 3 }),
    handle: (t, p) => categoricalFocalCrossentropy(t, p, { gamma: 3 }),
    inputs: (s, r) => {
      const yTrue = oneHot(s, r);
      return { yTrue, yPred: probabilities(s, r), perfect: yTrue };
    },
  },
  {
    name: "SparseCategoricalCrossentropy (logits)",
    sparse: true,
    make: () => new SparseCategoricalCrossentropy({ fromLogits: true }),
    handle: (t, p) => sparseCategoricalCrossentropy(t, p, { fromLogits: true }),
    inputs: (s, r) => {
      const classes = s[s.length - 1]!;
      const yTrue = randomTensor(s.slice(0, -1), r, (u) => Math.floor(u * classes));
      const hot = new Tensor(new Float64Array(yTrue.size * classes), s);
      for (let i = 0; i < yTrue.size; i++) hot.data[i * classes + yTrue.data[i]!] = 1;
      return { yTrue, yPred: someLogits(s, r), perfect: asLogits(hot) };
    },
  },
  {
    name: "SparseCategoricalCrossentropy",
    sparse: true,
    make: () => new SparseCategoricalCrossentropy(),
    handle: (t, p) => sparseCategoricalCrossentropy(t, p),
    inputs: (s, r) => {
      const classes = s[s.length - 1]!;
      const yTrue = randomTensor(s.slice(0, -1), r, (u) => Math.floor(u * classes));
      const hot = new Tensor(new Float64Array(yTrue.size * classes), s);
      for (let i = 0; i < yTrue.size; i++) hot.data[i * classes + yTrue.data[i]!] = 1;
      return { yTrue, yPred: probabilities(s, r), perfect: hot };
    },
  },
];

describe("properties (fast-check)", () => {
  for (const family of families) {
    it(`${family.name}: per-sample shape, >= 0, ~0 at a perfect prediction, class = mean of the handle, inputs unchanged`, () => {
      fc.assert(
        fc.property(shapeArb, ({ batch, inner, classes, seed }) => {
          const random = rng(seed);
          const shape = inner === undefined ? [batch, classes] : [batch, inner, classes];
          const { yTrue, yPred, perfect } = family.inputs(shape, random);
          const before = [snapshot(yTrue), snapshot(yPred)];
          const values = family.handle(yTrue, yPred);
          expect(values.shape).toEqual(shape.slice(0, -1));
          const v = flat(values);
          expect(v.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
          const loss = family.make();
          const mean = v.reduce((a, b) => a + b, 0) / v.length;
          expectClose(loss(yTrue, yPred) as number, mean, { rtol: 1e-6, atol: 1e-7 });
          const { value, grad } = loss.valueAndGrad(yTrue, yPred);
          expectClose(value as number, mean, { rtol: 1e-6, atol: 1e-7 });
          expect(grad.shape).toEqual(shape);
          expect(flat(grad).every(Number.isFinite)).toBe(true);
          // Clipping at 1e-7 leaves about -log(1 - 1e-7) per class at a perfect prediction.
          const atPerfect = flat(family.handle(yTrue, perfect));
          expect(Math.max(...atPerfect)).toBeLessThan(1e-5);
          expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
        }),
        { numRuns: 60, seed: 42 },
      );
    });
  }
});

// -------------------------------------------------------------------------------------------
// Gradient checks: loss.grad against float64 central differences (step 1e-6 relative).
// Bound: |analytic - numeric| <= 1e-7 + 1e-4 * max|numeric|. Inputs stay away from the clip
// bounds (probabilities in [0.05, 0.95], unnormalized CCE rows of entries in [0.1, 1]) and,
// for the focal losses, from 1 - p_t = 0.

const REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"] as const;
const GRAD_BOUND = { rtol: 1e-4, atol: 1e-7 };

interface GradInputs {
  yTrue: Tensor;
  yPred: Tensor;
  /** Shape of the per-sample values. */
  outShape: number[];
}

function denseInputs(seed: number, fromLogits: boolean, labels: "binary" | "soft" | "onehot", shape = [3, 2, 4]): GradInputs {
  const random = rng(seed);
  const yPred = fromLogits ? randomTensor(shape, random, (u) => 6 * u - 3) : randomTensor(shape, random, (u) => 0.05 + 0.9 * u);
  const yTrue = labels === "onehot" ? oneHot(shape, random) : labels === "binary" ? binaryLabels(shape, random) : randomTensor(shape, random);
  return { yTrue, yPred, outShape: shape.slice(0, -1) };
}

/** Every reduction, then each kind of sample weight and a mask, for one configured loss. */
function checkWeightings(make: (reduction: (typeof REDUCTIONS)[number]) => Loss, { yTrue, yPred, outShape }: GradInputs, seed: number): void {
  for (const reduction of REDUCTIONS) expectGradMatches(make(reduction), yTrue, yPred, null, GRAD_BOUND);
  const random = rng(seed);
  const perSample = randomTensor([outShape[0]!], random, (u) => 0.2 + u);
  const perElement = randomTensor(outShape, random, (u) => 0.2 + u);
  const mask = randomTensor(outShape, random, (u) => (u < 0.3 ? 0 : 1));
  mask.data[0] = 1;
  expectGradMatches(make("sum_over_batch_size"), yTrue, yPred, 2.3, GRAD_BOUND);
  expectGradMatches(make("mean_with_sample_weight"), yTrue, yPred, perSample, GRAD_BOUND);
  expectGradMatches(make("sum"), yTrue, yPred, perElement, GRAD_BOUND);
  expectGradMatches(make("none"), yTrue, yPred, perElement, GRAD_BOUND);
  expectGradMatches(make("sum_over_batch_size"), yTrue, yPred, perSample, { ...GRAD_BOUND, mask });
  expectGradMatches(make("mean"), yTrue, yPred, null, { ...GRAD_BOUND, mask });
}

describe("gradients: BinaryCrossentropy", () => {
  it("every reduction, sample weights (scalar, per sample, per element) and a mask", () => {
    checkWeightings((reduction) => new BinaryCrossentropy({ reduction }), denseInputs(1, false, "soft"), 101);
    checkWeightings((reduction) => new BinaryCrossentropy({ reduction, fromLogits: true }), denseInputs(2, true, "binary"), 102);
  });
  for (const fromLogits of [false, true]) {
    for (const labelSmoothing of [0, 0.2]) {
      for (const axis of [-1, 1, 0]) {
        it(`fromLogits=${fromLogits} labelSmoothing=${labelSmoothing} axis=${axis}`, () => {
          const { yTrue, yPred } = denseInputs(10 + axis, fromLogits, "soft");
          expectGradMatches(new BinaryCrossentropy({ fromLogits, labelSmoothing, axis }), yTrue, yPred, null, GRAD_BOUND);
        });
      }
    }
  }
  it("rank 1 inputs and [B] labels against [B, 1] predictions", () => {
    const random = rng(5);
    const p = randomTensor([6], random, (u) => 0.05 + 0.9 * u);
    expectGradMatches(new BinaryCrossentropy(), binaryLabels([6], random), p, null, GRAD_BOUND);
    const p2 = randomTensor([6, 1], random, (u) => 6 * u - 3);
    expectGradMatches(new BinaryCrossentropy({ fromLogits: true }), binaryLabels([6], random), p2, [1, 2, 3, 4, 5, 6], GRAD_BOUND);
  });
});

describe("gradients: BinaryFocalCrossentropy", () => {
  it("every reduction, sample weights and a mask", () => {
    checkWeightings((reduction) => new BinaryFocalCrossentropy({ reduction }), denseInputs(3, false, "binary"), 103);
    checkWeightings((reduction) => new BinaryFocalCrossentropy({ reduction, fromLogits: true, applyClassBalancing: true }), denseInputs(4, true, "soft"), 104);
  });
  for (const fromLogits of [false, true]) {
    for (const applyClassBalancing of [false, true]) {
      for (const gamma of [0, 0.5, 2, 3.5]) {
        it(`fromLogits=${fromLogits} applyClassBalancing=${applyClassBalancing} gamma=${gamma}, with labelSmoothing 0 and 0.3`, () => {
          const { yTrue, yPred } = denseInputs(20 + gamma * 2, fromLogits, "binary");
          expectGradMatches(new BinaryFocalCrossentropy({ fromLogits, applyClassBalancing, gamma, alpha: 0.4 }), yTrue, yPred, null, GRAD_BOUND);
          expectGradMatches(new BinaryFocalCrossentropy({ fromLogits, applyClassBalancing, gamma, labelSmoothing: 0.3, axis: 1 }), yTrue, yPred, null, GRAD_BOUND);
        });
      }
    }
  }
});

describe("gradients: CategoricalCrossentropy", () => {
  it("every reduction, sample weights and a mask", () => {
    const probs = denseInputs(5, false, "onehot");
    // Unnormalized rows: the gradient goes through the renormalization.
    const unnormalized = { ...probs, yPred: randomTensor(probs.yPred.shape.slice(), rng(55), (u) => 0.1 + 0.9 * u) };
    checkWeightings((reduction) => new CategoricalCrossentropy({ reduction }), unnormalized, 105);
    checkWeightings((reduction) => new CategoricalCrossentropy({ reduction, fromLogits: true }), denseInputs(6, true, "onehot"), 106);
  });
  for (const fromLogits of [false, true]) {
    for (const labelSmoothing of [0, 0.1]) {
      for (const axis of [-1, 1]) {
        it(`fromLogits=${fromLogits} labelSmoothing=${labelSmoothing} axis=${axis}, one-hot and soft labels`, () => {
          const { yTrue, yPred } = denseInputs(30 + axis, fromLogits, "onehot");
          const pred = fromLogits ? yPred : randomTensor(yPred.shape.slice(), rng(31), (u) => 0.1 + 0.9 * u);
          expectGradMatches(new CategoricalCrossentropy({ fromLogits, labelSmoothing, axis }), yTrue, pred, null, GRAD_BOUND);
          // Soft labels that do not sum to 1: the logits gradient is softmax Σz - z.
          const soft = randomTensor(yTrue.shape.slice(), rng(32));
          expectGradMatches(new CategoricalCrossentropy({ fromLogits, labelSmoothing, axis }), soft, pred, null, GRAD_BOUND);
        });
      }
    }
  }
});

describe("gradients: CategoricalFocalCrossentropy", () => {
  it("every reduction, sample weights and a mask", () => {
    const probs = denseInputs(7, false, "onehot");
    const unnormalized = { ...probs, yPred: randomTensor(probs.yPred.shape.slice(), rng(77), (u) => 0.1 + 0.9 * u) };
    checkWeightings((reduction) => new CategoricalFocalCrossentropy({ reduction }), unnormalized, 107);
    checkWeightings((reduction) => new CategoricalFocalCrossentropy({ reduction, fromLogits: true }), denseInputs(8, true, "onehot"), 108);
  });
  for (const fromLogits of [false, true]) {
    for (const gamma of [0, 0.5, 2]) {
      for (const alpha of [0.25, [0.1, 0.5, 1, 2]]) {
        it(`fromLogits=${fromLogits} gamma=${gamma} alpha=${JSON.stringify(alpha)}, labelSmoothing 0 and 0.2, axis -1 and 1`, () => {
          const { yTrue, yPred } = denseInputs(40 + gamma * 2, fromLogits, "onehot");
          const pred = fromLogits ? yPred : randomTensor(yPred.shape.slice(), rng(41), (u) => 0.1 + 0.9 * u);
          expectGradMatches(new CategoricalFocalCrossentropy({ fromLogits, gamma, alpha }), yTrue, pred, null, GRAD_BOUND);
          expectGradMatches(new CategoricalFocalCrossentropy({ fromLogits, gamma, alpha: 0.7, labelSmoothing: 0.2 }), yTrue, pred, null, GRAD_BOUND);
          // Class axis 1 of a [3, 2, 4] tensor has 2 classes.
          expectGradMatches(new CategoricalFocalCrossentropy({ fromLogits, gamma, alpha: typeof alpha === "number" ? alpha : [0.3, 1.2], axis: 1 }), yTrue, pred, null, GRAD_BOUND);
        });
      }
    }
  }
  it("yTrue broadcast along the batch", () => {
    const { yPred } = denseInputs(9, true, "onehot");
    expectGradMatches(new CategoricalFocalCrossentropy({ fromLogits: true }), [[0, 0, 1, 0]], yPred, null, GRAD_BOUND);
  });
});

describe("gradients: SparseCategoricalCrossentropy", () => {
  const labelsFor = (seed: number, shape: number[], classes: number) => randomTensor(shape, rng(seed), (u) => Math.floor(u * classes));
  it("every reduction, sample weights and a mask", () => {
    for (const fromLogits of [false, true]) {
      const { yPred } = denseInputs(50, fromLogits, "onehot");
      checkWeightings((reduction) => new SparseCategoricalCrossentropy({ reduction, fromLogits }), { yTrue: labelsFor(51, [3, 2], 4), yPred, outShape: [3, 2] }, 109);
    }
  });
  for (const fromLogits of [false, true]) {
    it(`fromLogits=${fromLogits}: labels [B] and [B, 1], axis -1 and 0`, () => {
      const random = rng(60);
      const pred = fromLogits ? randomTensor([5, 3], random, (u) => 6 * u - 3) : randomTensor([5, 3], random, (u) => 0.05 + 0.9 * u);
      const labels = labelsFor(61, [5], 3);
      expectGradMatches(new SparseCategoricalCrossentropy({ fromLogits }), labels, pred, null, GRAD_BOUND);
      expectGradMatches(new SparseCategoricalCrossentropy({ fromLogits }), new Tensor(labels.data, [5, 1]), pred, [1, 2, 3, 4, 5], GRAD_BOUND);
      expectGradMatches(new SparseCategoricalCrossentropy({ fromLogits, axis: 0 }), labelsFor(62, [3], 5), pred, null, GRAD_BOUND);
    });
    it(`fromLogits=${fromLogits}: ignoreClass with each reduction, a sample weight and a caller mask`, () => {
      const { yPred } = denseInputs(70, fromLogits, "onehot");
      const labels = labelsFor(71, [3, 2], 4);
      labels.data[1] = -1;
      labels.data[4] = -1;
      for (const reduction of REDUCTIONS) {
        expectGradMatches(new SparseCategoricalCrossentropy({ fromLogits, ignoreClass: -1, reduction }), labels, yPred, null, GRAD_BOUND);
      }
      const loss = new SparseCategoricalCrossentropy({ fromLogits, ignoreClass: -1 });
      expectGradMatches(loss, labels, yPred, [0.5, 1, 2], GRAD_BOUND);
      expectGradMatches(loss, labels, yPred, null, { ...GRAD_BOUND, mask: [[1, 1], [0, 1], [1, 1]] });
      // An ignored class inside [0, numClasses) works the same.
      expectGradMatches(new SparseCategoricalCrossentropy({ fromLogits, ignoreClass: 0 }), labelsFor(72, [3, 2], 4), yPred, null, GRAD_BOUND);
    });
  }
});

describe("vjp: the handle's gradient of Σ upstream ⊙ values", () => {
  it("matches loss.grad with reduction none and the upstream as a per-element weight", () => {
    const { yTrue, yPred } = denseInputs(80, true, "onehot");
    const upstream = randomTensor([3, 2], rng(81), (u) => u - 0.5);
    const viaHandle = categoricalCrossentropy.vjp(yTrue, yPred, upstream, { fromLogits: true, labelSmoothing: 0.1 });
    const viaClass = new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1, reduction: "none" }).grad(yTrue, yPred, upstream);
    expectClose(viaHandle, flat(viaClass), { rtol: 1e-6, atol: 1e-9 });
    expect(() => categoricalCrossentropy.vjp(yTrue, yPred, [1, 2, 3])).toThrow(ShapeError);
  });
});

// -------------------------------------------------------------------------------------------
// Errors

describe("errors", () => {
  const p = [[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]];

  it("sparse labels out of range, negative, non-integer or NaN: InputError naming yTrue", () => {
    const scce = new SparseCategoricalCrossentropy();
    expect(() => scce([1, 3], p)).toThrow(InputError);
    expect(() => scce([1, 3], p)).toThrow("yTrue must hold integer class indices in [0, 2], received 3 at flat index 1");
    expect(() => scce([-1, 0], p)).toThrow(InputError);
    expect(() => scce([0.5, 0], p)).toThrow("received 0.5 at flat index 0");
    expect(() => scce([NaN, 0], p)).toThrow(InputError);
    expect(() => new SparseCategoricalCrossentropy({ ignoreClass: 255 })([254, 0], p)).toThrow("[0, 2] or ignoreClass=255, received 254");
    // The fused kernel checks too, and grad reports the same error.
    expect(() => scce.grad([1, 3], p)).toThrow(InputError);
    expect(() => sparseCategoricalCrossentropy.vjp([1, 3], p, [1, 1])).toThrow(InputError);
  });

  it("sparse label shapes that do not fit: ShapeError with both shapes", () => {
    const call = () => sparseCategoricalCrossentropy([[0, 1], [1, 0]], [[0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]]);
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("yTrue has shape [2,2] but yPred has shape [3,3]; expected yTrue of shape [3]");
    expect(() => sparseCategoricalCrossentropy([0, 1, 2], p)).toThrow("yTrue has shape [3] but yPred has shape [2,3]");
  });

  it("dense shapes that do not fit: ShapeError with both shapes", () => {
    expect(() => binaryCrossentropy([[0, 1]], p)).toThrow("binary_crossentropy: yTrue has shape [1,2] but yPred has shape [2,3]");
    expect(() => binaryFocalCrossentropy([1, 0, 1], p)).toThrow(ShapeError);
    expect(() => categoricalCrossentropy([[0, 1], [1, 0]], p)).toThrow("yTrue has shape [2,2] but yPred has shape [2,3]");
    expect(() => categoricalFocalCrossentropy([[0, 1], [1, 0]], p)).toThrow("yTrue has shape [2,2] but yPred has shape [2,3]");
    // The focal loss broadcasts outside the class axis, never along it.
    expect(() => categoricalFocalCrossentropy([[0], [1]], p)).toThrow(ShapeError);
    expect(() => categoricalFocalCrossentropy([[0, 0, 1]], p)).not.toThrow();
  });

  it("an axis out of range: ShapeError naming axis", () => {
    expect(() => binaryCrossentropy([[0, 1]], [[0.5, 0.5]], { axis: 2 })).toThrow(ShapeError);
    expect(() => categoricalCrossentropy([[0, 1]], [[0.5, 0.5]], { axis: -3 })).toThrow("axis=-3 is out of range");
    expect(() => sparseCategoricalCrossentropy([1], [[0.5, 0.5]], { axis: 5 })).toThrow(ShapeError);
  });

  it("alpha with the wrong number of classes: ShapeError", () => {
    expect(() => categoricalFocalCrossentropy([[0, 0, 1]], [[0.2, 0.3, 0.5]], { alpha: [1, 2] })).toThrow("alpha has 2 values but yPred has 3 classes");
  });

  it("invalid options: ConfigError naming the option", () => {
    expect(() => new BinaryCrossentropy({ fromLogits: "yes" as never })).toThrow("binary_crossentropy: fromLogits must be a boolean, received \"yes\"");
    expect(() => new BinaryCrossentropy({ labelSmoothing: 1.5 })).toThrow("labelSmoothing must be <= 1, received 1.5");
    expect(() => new CategoricalCrossentropy({ labelSmoothing: -0.1 })).toThrow(ConfigError);
    expect(() => new CategoricalCrossentropy({ axis: 1.5 })).toThrow("axis must be an integer");
    expect(() => new CategoricalCrossentropy({ axis: true as never })).toThrow(ConfigError);
    expect(() => new BinaryFocalCrossentropy({ gamma: -1 })).toThrow("gamma must be >= 0");
    expect(() => new BinaryFocalCrossentropy({ alpha: NaN })).toThrow(ConfigError);
    expect(() => new BinaryFocalCrossentropy({ applyClassBalancing: 1 as never })).toThrow("applyClassBalancing must be a boolean");
    expect(() => new CategoricalFocalCrossentropy({ alpha: [] })).toThrow(ConfigError);
    expect(() => new CategoricalFocalCrossentropy({ alpha: [0.5, "a" as never] })).toThrow("alpha[1] must be a finite number");
    expect(() => new SparseCategoricalCrossentropy({ ignoreClass: 1.5 })).toThrow("ignoreClass must be an integer");
    expect(() => new SparseCategoricalCrossentropy({ fromLogit: true } as never)).toThrow("fromLogit is not an option of sparse_categorical_crossentropy");
    expect(() => binaryCrossentropy([0], [0.5], { from_logits: true } as never)).toThrow(ConfigError);
  });
});

// -------------------------------------------------------------------------------------------
// Registry and configuration

describe("registry and config", () => {
  const entries: [new (o?: never) => Loss, string[]][] = [
    [BinaryCrossentropy, ["BinaryCrossentropy", "binary_crossentropy", "binaryCrossentropy", "bce", "BCE"]],
    [BinaryFocalCrossentropy, ["BinaryFocalCrossentropy", "binary_focal_crossentropy", "binaryFocalCrossentropy"]],
    [CategoricalCrossentropy, ["CategoricalCrossentropy", "categorical_crossentropy", "categoricalCrossentropy"]],
    [CategoricalFocalCrossentropy, ["CategoricalFocalCrossentropy", "categorical_focal_crossentropy", "categoricalFocalCrossentropy"]],
    [SparseCategoricalCrossentropy, ["SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", "sparseCategoricalCrossentropy"]],
  ];
  for (const [cls, names] of entries) {
    it(`getLoss knows ${names.join(", ")}`, () => {
      for (const name of names) {
        const loss = getLoss(name);
        expect(loss, name).toBeInstanceOf(cls);
        expect(loss.reduction).toBe("sum_over_batch_size");
      }
    });
  }

  it("the default names are Keras's", () => {
    expect(new BinaryCrossentropy().name).toBe("binary_crossentropy");
    expect(new BinaryFocalCrossentropy().name).toBe("binary_focal_crossentropy");
    expect(new CategoricalCrossentropy().name).toBe("categorical_crossentropy");
    expect(new CategoricalFocalCrossentropy().name).toBe("categorical_focal_crossentropy");
    expect(new SparseCategoricalCrossentropy().name).toBe("sparse_categorical_crossentropy");
    expect(binaryCrossentropy.name).toBe("binaryCrossentropy");
    expect(sparseCategoricalCrossentropy.lossName).toBe("sparse_categorical_crossentropy");
  });

  it("getConfig holds every option; fromConfig and serialize/deserialize rebuild an equal loss", () => {
    const losses: Loss[] = [
      new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1, axis: 1, name: "bce", reduction: "sum" }),
      new BinaryFocalCrossentropy({ applyClassBalancing: true, alpha: 0.4, gamma: 3, fromLogits: true, labelSmoothing: 0.2, axis: -1, reduction: null }),
      new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.3, axis: 1, dtype: "float64" }),
      new CategoricalFocalCrossentropy({ alpha: [0.2, 0.3, 0.5], gamma: 1, fromLogits: false, labelSmoothing: 0.1, name: "cfce" }),
      new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 3, axis: 0, name: "scce", reduction: "mean_with_sample_weight" }),
    ];
    for (const loss of losses) {
      const config = loss.getConfig();
      const rebuilt = (loss.constructor as unknown as { fromConfig(c: unknown): Loss }).fromConfig(config);
      expect(rebuilt.constructor).toBe(loss.constructor);
      expect(rebuilt.getConfig()).toEqual(config);
      const serialized = JSON.parse(JSON.stringify(serializeLoss(loss)));
      expect(deserializeLoss(serialized).getConfig()).toEqual(config);
    }
    expect(losses[4]!.getConfig()).toEqual({
      name: "scce",
      reduction: "mean_with_sample_weight",
      dtype: "float32",
      fromLogits: true,
      ignoreClass: 3,
      axis: 0,
    });
    expect(new BinaryFocalCrossentropy().getConfig()).toEqual({
      name: "binary_focal_crossentropy",
      reduction: "sum_over_batch_size",
      dtype: "float32",
      applyClassBalancing: false,
      alpha: 0.25,
      gamma: 2,
      fromLogits: false,
      labelSmoothing: 0,
      axis: -1,
    });
  });

  it("Keras's snake_case JSON deserializes", () => {
    const loss = deserializeLoss({
      class_name: "SparseCategoricalCrossentropy",
      config: { name: "scce", reduction: "sum", from_logits: true, ignore_class: 3, axis: -1 },
    });
    expect(loss).toBeInstanceOf(SparseCategoricalCrossentropy);
    expect(loss.getConfig()).toMatchObject({ fromLogits: true, ignoreClass: 3, reduction: "sum" });
    const focal = deserializeLoss({ class_name: "BinaryFocalCrossentropy", config: { apply_class_balancing: true, label_smoothing: 0.1 } });
    expect(focal.getConfig()).toMatchObject({ applyClassBalancing: true, labelSmoothing: 0.1 });
  });

  it("a loss keeps its own copy of an alpha array", () => {
    const alpha = [0.2, 0.3, 0.5];
    const loss = new CategoricalFocalCrossentropy({ alpha, reduction: "none" });
    const before = flat(loss([[0, 1, 0]], [[0.2, 0.5, 0.3]]) as Tensor);
    alpha[1] = 100;
    expect(flat(loss([[0, 1, 0]], [[0.2, 0.5, 0.3]]) as Tensor)).toEqual(before);
  });
});
