import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ConfigError,
  CosineSimilarity,
  Huber,
  LogCosh,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  ShapeError,
  Tensor,
  cosineSimilarity,
  deserializeLoss,
  getLoss,
  huber,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  moveAxis,
  serializeLoss,
  type Loss,
  type LossFunction,
  type Reduction,
} from "../src/index";
import { almostEqual, expectClose, expectGradMatches, flat, randomTensor, rng, snapshot } from "./helpers";

/** tf.keras doctests compare floats with `np.allclose(want, got, rtol=1e-3, atol=1e-3)` (TF's doctest checker). */
function docEqual(actual: unknown, printed: number | unknown[]): void {
  expectClose(actual as number | Tensor, printed, { rtol: 1e-3, atol: 1e-3 });
}

// The inputs most of Keras's losses_test.py uses.
const Y_TRUE = [[1, 9, 2], [-5, -2, 6]];
const Y_PRED = new Tensor(new Float32Array([4, 8, 12, 8, 1, 3]), [2, 3]);
const Y_TRUE_3D = new Tensor(new Float32Array([1, 9, 2, -5, -2, 6]), [2, 3, 1]);
const Y_PRED_3D = new Tensor(new Float32Array([4, 8, 12, 8, 1, 3]), [2, 3, 1]);
const TIMESTEP_WEIGHTS = [[3, 6, 5], [0, 4, 2]];

describe("MeanSquaredError (Keras values)", () => {
  it("docstring example", () => {
    expectClose(new MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8]), 0.02, { rtol: 1e-6, atol: 0 });
  });
  it("tf.keras docstring examples", () => {
    const yTrue = [[0, 1], [0, 0]];
    const yPred = [[1, 1], [1, 0]];
    docEqual(new MeanSquaredError()(yTrue, yPred), 0.5);
    docEqual(new MeanSquaredError()(yTrue, yPred, [0.7, 0.3]), 0.25);
    docEqual(new MeanSquaredError({ reduction: "sum" })(yTrue, yPred), 1.0);
    docEqual(new MeanSquaredError({ reduction: "none" })(yTrue, yPred), [0.5, 0.5]);
  });
  it("base function reduction gives per-sample values", () => {
    expect(meanSquaredError([4, 8, 12], [[3], [0], [1]]).shape).toEqual([3]);
  });
  it("losses_test.py values", () => {
    const mse = new MeanSquaredError();
    almostEqual(mse([[4, 8, 12], [8, 1, 3]], [[4, 8, 12], [8, 1, 3]]), 0);
    almostEqual(mse(Y_TRUE, Y_PRED), 49.5);
    almostEqual(mse(Y_TRUE, Y_PRED, 2.3), 113.85);
    almostEqual(mse(Y_TRUE, Y_PRED, [[1.2], [3.4]]), 767.8 / 6);
    almostEqual(mse(Y_TRUE_3D, Y_PRED_3D, TIMESTEP_WEIGHTS), 97.833336);
    almostEqual(mse(Y_TRUE, Y_PRED, 0), 0);
    almostEqual(new MeanSquaredError({ reduction: null })(Y_TRUE, Y_PRED, 2.3), [84.3333, 143.3666]);
    almostEqual(new MeanSquaredError({ reduction: "sum" })(Y_TRUE, Y_PRED, 2.3), 227.69998);
    almostEqual(
      new MeanSquaredError({ reduction: "mean_with_sample_weight" })(Y_TRUE, Y_PRED, [[1.2], [3.4]]),
      ((110 / 3) * 1.2 + (187 / 3) * 3.4) / (1.2 + 3.4),
    );
  });
  it("dtype argument", () => {
    const out = new MeanSquaredError({ dtype: "float64", reduction: "none" })(Y_TRUE, Y_PRED) as Tensor;
    expect(out.data).toBeInstanceOf(Float64Array);
  });
});

describe("MeanAbsoluteError (Keras values)", () => {
  it("docstring example", () => {
    expectClose(new MeanAbsoluteError()([1.0, 0.3, 1.0], [1.9, 0.3, 1.8]), 0.5666667, { rtol: 1e-6, atol: 0 });
  });
  it("tf.keras docstring examples", () => {
    const yTrue = [[0, 1], [0, 0]];
    const yPred = [[1, 1], [1, 0]];
    docEqual(new MeanAbsoluteError()(yTrue, yPred), 0.5);
    docEqual(new MeanAbsoluteError()(yTrue, yPred, [0.7, 0.3]), 0.25);
    docEqual(new MeanAbsoluteError({ reduction: "sum" })(yTrue, yPred), 1.0);
    docEqual(new MeanAbsoluteError({ reduction: "none" })(yTrue, yPred), [0.5, 0.5]);
  });
  it("losses_test.py values", () => {
    const mae = new MeanAbsoluteError();
    almostEqual(mae([[4, 8, 12], [8, 1, 3]], [[4, 8, 12], [8, 1, 3]]), 0);
    almostEqual(mae(Y_TRUE, Y_PRED), 5.5);
    almostEqual(mae(Y_TRUE, Y_PRED, 2.3), 12.65);
    almostEqual(mae(Y_TRUE, Y_PRED, [[1.2], [3.4]]), 81.4 / 6);
    almostEqual(mae(Y_TRUE_3D, Y_PRED_3D, TIMESTEP_WEIGHTS), 13.833333);
    almostEqual(mae(Y_TRUE, Y_PRED, 0), 0);
    almostEqual(new MeanAbsoluteError({ reduction: null })(Y_TRUE, Y_PRED, 2.3), [10.7333, 14.5666]);
    almostEqual(new MeanAbsoluteError({ reduction: "sum" })(Y_TRUE, Y_PRED, 2.3), 25.29999);
    almostEqual(
      new MeanAbsoluteError({ reduction: "mean_with_sample_weight" })(Y_TRUE, Y_PRED, [[1.2], [3.4]]),
      ((14 / 3) * 1.2 + (19 / 3) * 3.4) / (1.2 + 3.4),
    );
  });
});

describe("MeanAbsolutePercentageError (Keras values)", () => {
  it("docstring example", () => {
    expectClose(new MeanAbsolutePercentageError()([100.0, 200.0, 300.0], [90.0, 210.0, 310.0]), 6.111111, { rtol: 1e-6, atol: 0 });
  });
  it("tf.keras docstring examples", () => {
    const yTrue = [[2, 1], [2, 3]];
    const yPred = [[1, 1], [1, 0]];
    docEqual(new MeanAbsolutePercentageError()(yTrue, yPred), 50);
    docEqual(new MeanAbsolutePercentageError()(yTrue, yPred, [0.7, 0.3]), 20);
    docEqual(new MeanAbsolutePercentageError({ reduction: "sum" })(yTrue, yPred), 100);
    docEqual(new MeanAbsolutePercentageError({ reduction: "none" })(yTrue, yPred), [25, 75]);
  });
  it("losses_test.py values", () => {
    const mape = new MeanAbsolutePercentageError();
    almostEqual(mape([[4, 8, 12], [8, 1, 3]], [[4, 8, 12], [8, 1, 3]]), 0);
    almostEqual(mape(Y_TRUE, Y_PRED), 211.8518, 3);
    almostEqual(mape(Y_TRUE, Y_PRED, 2.3), 487.259, 3);
    almostEqual(mape(Y_TRUE, Y_PRED, [[1.2], [3.4]]), 422.8888, 3);
    almostEqual(mape(Y_TRUE_3D, Y_PRED_3D, TIMESTEP_WEIGHTS), 694.4444);
    almostEqual(mape(Y_TRUE, Y_PRED, 0), 0, 3);
    almostEqual(new MeanAbsolutePercentageError({ reduction: null })(Y_TRUE, Y_PRED, 2.3), [621.8518, 352.6666]);
    almostEqual(new MeanAbsolutePercentageError({ reduction: "mean_with_sample_weight" })(Y_TRUE, Y_PRED, [[1.2], [3.4]]), 183.865);
  });
  it("divides by epsilon where the label is 0", () => {
    // |0 - 1| / max(0, 1e-7) * 100.
    expectClose(meanAbsolutePercentageError([[0]], [[1]]), [100 / Math.fround(1e-7)], { rtol: 1e-6, atol: 0 });
    expectClose(meanAbsolutePercentageError([[0]], [[1]], { dtype: "float64" }), [100 / 1e-7], { rtol: 1e-12, atol: 0 });
  });
});

describe("MeanSquaredLogarithmicError (Keras values)", () => {
  it("tf.keras docstring examples", () => {
    const yTrue = [[0, 1], [0, 0]];
    const yPred = [[1, 1], [1, 0]];
    docEqual(new MeanSquaredLogarithmicError()(yTrue, yPred), 0.24);
    docEqual(new MeanSquaredLogarithmicError()(yTrue, yPred, [0.7, 0.3]), 0.12);
    docEqual(new MeanSquaredLogarithmicError({ reduction: "sum" })(yTrue, yPred), 0.48);
    docEqual(new MeanSquaredLogarithmicError({ reduction: "none" })(yTrue, yPred), [0.24, 0.24]);
  });
  it("losses_test.py values", () => {
    const msle = new MeanSquaredLogarithmicError();
    almostEqual(msle(Y_TRUE, Y_PRED), 1.437, 3);
    almostEqual(msle(Y_TRUE, Y_PRED, 2.3), 3.3051, 3);
    almostEqual(msle(Y_TRUE, Y_PRED, [[1.2], [3.4]]), 3.7856, 3);
    almostEqual(msle(Y_TRUE_3D, Y_PRED_3D, TIMESTEP_WEIGHTS), 2.647374);
    almostEqual(msle(Y_TRUE, Y_PRED, 0), 0, 3);
    almostEqual(new MeanSquaredLogarithmicError({ reduction: "mean_with_sample_weight" })(Y_TRUE, Y_PRED, [[1.2], [3.4]]), 1.646);
  });
});

/** Keras's test reference: `x / sqrt(max(sum(x^2, axis), 1e-12))` in float64. */
function referenceCosine(yTrue: number[][], yPred: number[][], axis: 0 | 1): number[] {
  const rows = axis === 1 ? yTrue.length : yTrue[0]!.length;
  const cols = axis === 1 ? yTrue[0]!.length : yTrue.length;
  const at = (x: number[][], r: number, c: number) => (axis === 1 ? x[r]![c]! : x[c]![r]!);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let tt = 0, pp = 0, dot = 0;
    for (let c = 0; c < cols; c++) {
      tt += at(yTrue, r, c) ** 2;
      pp += at(yPred, r, c) ** 2;
      dot += at(yTrue, r, c) * at(yPred, r, c);
    }
    out.push(dot / (Math.sqrt(Math.max(tt, 1e-12)) * Math.sqrt(Math.max(pp, 1e-12))));
  }
  return out;
}

describe("CosineSimilarity (Keras values)", () => {
  const yTrue = [[1, 9, 2], [-5, -2, 6]];
  const yPred = [[4, 8, 12], [8, 1, 3]];
  const expected = referenceCosine(yTrue, yPred, 1);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it("function docstring example", () => {
    expectClose(cosineSimilarity([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]], { axis: -1 }), [-0, -0.99999994, 0.99999994]);
  });
  it("tf.keras docstring examples (axis=1)", () => {
    const t = [[0, 1], [1, 1]];
    const p = [[1, 0], [1, 1]];
    docEqual(new CosineSimilarity({ axis: 1 })(t, p), -0.5);
    docEqual(new CosineSimilarity({ axis: 1 })(t, p, [0.8, 0.2]), -0.0999);
    docEqual(new CosineSimilarity({ axis: 1, reduction: "sum" })(t, p), -0.999);
    docEqual(new CosineSimilarity({ axis: 1, reduction: "none" })(t, p), [-0, -0.999]);
  });
  it("losses_test.py values", () => {
    const cosine = new CosineSimilarity();
    almostEqual(cosine(yTrue, yPred), -mean(expected), 3);
    almostEqual(cosine(yTrue, yPred, 2.3), -mean(expected.map((v) => v * 2.3)), 3);
    almostEqual(cosine(yTrue, yPred, [1.2, 3.4]), -mean([expected[0]! * 1.2, expected[1]! * 3.4]), 3);
    almostEqual(cosine(yTrue, yPred, 0), 0, 3);
    almostEqual(new CosineSimilarity({ axis: 1 })(yTrue, yPred), -mean(expected), 3);
  });
  it("losses_test.py timestep-weighted", () => {
    // Each element is its own vector along the trailing axis of size 1: l2_norm gives sign(x).
    const weights = [3, 6, 5, 0, 4, 2];
    const t = flat(yTrue);
    const p = flat(yPred);
    const perElement = t.map((v, i) => (v / Math.sqrt(Math.max(v * v, 1e-12))) * (p[i]! / Math.sqrt(Math.max(p[i]! ** 2, 1e-12))));
    const expectedLoss = -mean(perElement.map((v, i) => v * weights[i]!));
    almostEqual(new CosineSimilarity()(Y_TRUE_3D, Y_PRED_3D, TIMESTEP_WEIGHTS), expectedLoss, 3);
  });
  it("axis=0 normalizes columns", () => {
    expectClose(new CosineSimilarity({ axis: 0, reduction: "none" })(yTrue, yPred) as Tensor, referenceCosine(yTrue, yPred, 0).map((v) => -v), { rtol: 1e-6, atol: 1e-6 });
  });
  it("getConfig as in Keras", () => {
    const cosine = new CosineSimilarity({ axis: 2, reduction: "sum", name: "cosine_loss" });
    expect(cosine.name).toBe("cosine_loss");
    expect(cosine.reduction).toBe("sum");
    expect(cosine.getConfig()).toEqual({ name: "cosine_loss", reduction: "sum", axis: 2, dtype: "float32" });
  });
  it("a zero vector gives 0", () => {
    expectClose(cosineSimilarity([[0, 0], [1, 2]], [[3, 4], [0, 0]]), [0, 0]);
  });
  it("normalizes a tensor of size 1 along the axis before it broadcasts (as Keras does)", () => {
    // yTrue [2,1] normalized along the last axis is sign(yTrue); then the product broadcasts.
    const p = [[3, 4, 0], [1, 2, 2]];
    expectClose(cosineSimilarity([[2], [-0.5]], p), [-(3 + 4) / 5, (1 + 2 + 2) / 3], { rtol: 1e-6, atol: 1e-6 });
  });
});

/** Keras's test reference for Huber. */
function referenceHuber(yTrue: number[][], yPred: number[][], delta: number): number[][] {
  return yTrue.map((row, i) =>
    row.map((t, j) => {
      const a = Math.abs(yPred[i]![j]! - t);
      const quadratic = Math.min(a, delta);
      return 0.5 * quadratic * quadratic + delta * (a - quadratic);
    }),
  );
}

describe("Huber (Keras values)", () => {
  const yPred = [[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]];
  const yTrue = [[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]];
  const total = (x: number[][], w: number[][] = [[1, 1, 1], [1, 1, 1]]) => x.flat().reduce((s, v, i) => s + v * w.flat()[i]!, 0);

  it("function docstring / tf.keras docstring examples", () => {
    const t = [[0, 1], [0, 0]];
    const p = [[0.6, 0.4], [0.4, 0.6]];
    docEqual(new Huber()(t, p), 0.155);
    docEqual(new Huber()(t, p, [1, 0]), 0.09);
    docEqual(new Huber({ reduction: "sum" })(t, p), 0.31);
    docEqual(new Huber({ reduction: "none" })(t, p), [0.18, 0.13]);
    docEqual(huber(t, p), [0.18, 0.13]);
  });
  it("losses_test.py values", () => {
    const expected = referenceHuber(yTrue, yPred, 1.0);
    const h = new Huber();
    almostEqual(h(yTrue, yTrue), 0, 3);
    almostEqual(h(yTrue, yPred), total(expected) / 6, 3);
    almostEqual(h(yTrue, yPred, 2.3), (2.3 * total(expected)) / 6, 3);
    almostEqual(h(yTrue, yPred, [[1.2], [3.4]]), total(expected, [[1.2, 1.2, 1.2], [3.4, 3.4, 3.4]]) / 6, 3);
    almostEqual(h(yTrue, yPred, 0), 0, 3);
    const delta08 = referenceHuber(yTrue, yPred, 0.8);
    almostEqual(new Huber({ delta: 0.8 })(yTrue, yPred, 2.3), (2.3 * total(delta08)) / 6, 3);
  });
  it("losses_test.py timestep-weighted", () => {
    const expected = referenceHuber(yTrue, yPred, 1.0);
    const t3 = yTrue.map((r) => r.map((v) => [v]));
    const p3 = yPred.map((r) => r.map((v) => [v]));
    const weights = [[[3], [6], [5]], [[0], [4], [2]]];
    almostEqual(new Huber()(t3, p3, weights), total(expected, [[3, 6, 5], [0, 4, 2]]) / 6, 3);
  });
  it("getConfig as in Keras", () => {
    const h = new Huber({ delta: 2.0, reduction: "sum", name: "huber" });
    expect(h.name).toBe("huber");
    expect(h.getConfig()).toEqual({ name: "huber", reduction: "sum", delta: 2.0, dtype: "float32" });
    expect(new Huber().name).toBe("huber_loss");
  });
});

describe("LogCosh (Keras values)", () => {
  const yTrue = [[1, 9, 2], [-5, -2, 6]];
  const yPred = [[4, 8, 12], [8, 1, 3]];
  // Keras's test reference: log((exp(e) + exp(-e)) / 2), float64.
  const expected = yTrue.map((row, i) => row.map((t, j) => {
    const e = yPred[i]![j]! - t;
    return Math.log((Math.exp(e) + Math.exp(-e)) / 2);
  }));
  const total = (w: number[][] = [[1, 1, 1], [1, 1, 1]]) => expected.flat().reduce((s, v, i) => s + v * w.flat()[i]!, 0);

  it("function docstring / tf.keras docstring examples", () => {
    const t = [[0, 1], [0, 0]];
    const p = [[1, 1], [0, 0]];
    docEqual(logCosh(t, p), [0.217, 0]);
    docEqual(new LogCosh()(t, p), 0.108);
    docEqual(new LogCosh()(t, p, [0.8, 0.2]), 0.087);
    docEqual(new LogCosh({ reduction: "sum" })(t, p), 0.217);
    docEqual(new LogCosh({ reduction: "none" })(t, p), [0.217, 0]);
  });
  it("losses_test.py values", () => {
    const l = new LogCosh();
    almostEqual(l(yTrue, yPred), total() / 6, 3);
    almostEqual(l(yTrue, yPred, 2.3), (2.3 * total()) / 6, 3);
    almostEqual(l(yTrue, yPred, [1.2, 3.4]), total([[1.2, 1.2, 1.2], [3.4, 3.4, 3.4]]) / 6, 3);
    almostEqual(l(Y_TRUE_3D, Y_PRED_3D, [[[3], [6], [5]], [[0], [4], [2]]]), total([[3, 6, 5], [0, 4, 2]]) / 6, 3);
    almostEqual(l(yTrue, yPred, 0), 0, 3);
  });
  it("getConfig as in Keras", () => {
    const l = new LogCosh({ reduction: "sum", name: "logcosh_loss" });
    expect(l.getConfig()).toEqual({ name: "logcosh_loss", reduction: "sum", dtype: "float32" });
  });
  it("is stable for errors of ±1e4", () => {
    const value = logCosh([[0, 0]], [[1e4, -1e4]], { dtype: "float64" });
    expectClose(value, [1e4 - Math.LN2], { rtol: 1e-15, atol: 0 });
    const grad = new LogCosh({ reduction: "sum" }).grad([[0, 0]], [[1e4, -1e4]]);
    expectClose(grad, [[0.5, -0.5]], { rtol: 0, atol: 0 });
  });
});

describe("LogCosh fast paths (contiguous rows, one exp per element)", () => {
  // float64 references without cancellation: log(cosh e) = log1p(2 sinh(e/2)^2) (below 20),
  // |e| + log1p(e^{-2|e|}) - log 2 beyond; the gradient of the mean is tanh(e) / n.
  const logCoshRef = (e: number) => {
    const a = Math.abs(e);
    return a < 20 ? Math.log1p(2 * Math.sinh(a / 2) ** 2) : a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
  };
  const f64 = new Float64Array(1);
  const hi32 = new Uint32Array(f64.buffer);
  const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
  const ulp32 = (v: number) => {
    f64[0] = Math.abs(v);
    return 2 ** (Math.max((hi32[HI]! >>> 20) - 1023, -126) - 23);
  };

  it("float32: the gradient is tanh(e) within 1 float32 ulp, for every 193rd float32 in [0, 100] and its negative", () => {
    const bits = new Uint32Array(Math.floor(0x42c80000 / 193));
    for (let i = 0; i < bits.length; i++) bits[i] = i * 193;
    const e = new Float32Array(bits.buffer);
    const n = e.length;
    // One row of n elements: grad = tanh(e) / n with reduction "sum"; yTrue = -e/2, yPred = e/2 would round, so yTrue = 0.
    const yTrue = new Tensor(new Float32Array(2 * n), [1, 2 * n]);
    const both = new Float32Array(2 * n);
    both.set(e);
    for (let i = 0; i < n; i++) both[n + i] = -e[i]!;
    const { value, grad } = new LogCosh({ reduction: "sum" }).valueAndGrad(yTrue, new Tensor(both, [1, 2 * n]));
    const g = grad.data;
    let worst = 0, at = 0;
    for (let i = 0; i < 2 * n; i++) {
      const expected = Math.tanh(both[i]!) / (2 * n);
      const err = Math.abs(g[i]! - expected) / ulp32(expected || 1e-45);
      if (!(err <= worst)) [worst, at] = [err, both[i]!];
    }
    expect(worst, `tanh(${at})`).toBeLessThanOrEqual(1);
    let mean = 0;
    for (let i = 0; i < 2 * n; i++) mean += logCoshRef(both[i]!);
    expect(Math.abs((value as number) - mean / (2 * n))).toBeLessThanOrEqual(1e-6 * (mean / (2 * n)));
  });

  it("float64: values and gradients of random rows agree with the float64 references (tiny, moderate and huge errors)", () => {
    const random = rng(41);
    const rows = 6, n = 37;
    const t = new Float64Array(rows * n), p = new Float64Array(rows * n);
    const scales = [1e-9, 1e-4, 0.1, 1, 30, 1e5];
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < n; k++) {
        t[r * n + k] = 4 * random() - 2;
        p[r * n + k] = t[r * n + k]! + scales[r]! * (2 * random() - 1);
      }
    }
    const loss = new LogCosh({ reduction: "none", dtype: "float64" });
    const upstream = [0.5, 1, 2, 3, -1, 0.25];
    const { value, grad } = new LogCosh({ reduction: "sum", dtype: "float64" }).valueAndGrad(new Tensor(t, [rows, n]), new Tensor(p, [rows, n]), upstream);
    const values = flat(loss(new Tensor(t, [rows, n]), new Tensor(p, [rows, n])) as Tensor);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let m = 0;
      for (let k = 0; k < n; k++) {
        const e = p[r * n + k]! - t[r * n + k]!;
        m += logCoshRef(e) / n;
        // tanh to a few double ulps, also for errors of 1e-9 (1 - exp(-2|e|) would keep 7 digits)
        const expected = (upstream[r]! * Math.tanh(e)) / n;
        expect(Math.abs(grad.data[r * n + k]! - expected), `grad [${r}, ${k}], e = ${e}`).toBeLessThanOrEqual(4e-16 * Math.abs(expected));
      }
      // the value computes a + log1p(e^{-2a}) - log 2 and cancels near 0: 1e-16 absolute per element
      expect(Math.abs(values[r]! - m), `row ${r}`).toBeLessThanOrEqual(2e-15 * m + 1e-15);
      total += upstream[r]! * values[r]!;
    }
    expect(value as number).toBeCloseTo(total, 12);
  });

  it("infinite errors give |e| - log 2 and a gradient of ±1/n, NaN errors NaN, on the contiguous and the strided path", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const yTrue = [[0, 0, 0, 1], [0, 0, 0, 0]];
      const yPred = [[Infinity, -Infinity, 0.5, 1], [NaN, 1, -1, 0]];
      const loss = new LogCosh({ reduction: "none", dtype });
      const contiguous = loss.valueAndGrad(yTrue, yPred);
      expect(flat(contiguous.value as Tensor)).toEqual([Infinity, NaN]);
      const g = flat(contiguous.grad);
      expect(g.slice(0, 2)).toEqual([0.25, -0.25]);
      expect(g[2]).toBeCloseTo(Math.tanh(0.5) / 4, 7);
      expect(g[3] === 0).toBe(true); // (-0 in float64: the sign of expm1(-0))
      expect(g[4]).toBeNaN();
      expect(g.slice(5)).toEqual(dtype === "float32" ? [Math.fround(Math.tanh(1) / 4), -Math.fround(Math.tanh(1) / 4), 0] : [Math.tanh(1) / 4, -Math.tanh(1) / 4, 0].map((v) => expect.closeTo(v, 15)));
      // the same through transposed views (the general, strided loop)
      const tT = moveAxis(new Tensor(dtype === "float32" ? new Float32Array(flat(yTrue)) : new Float64Array(flat(yTrue)), [2, 4]), 0, 1);
      const pT = moveAxis(new Tensor(dtype === "float32" ? new Float32Array(flat(yPred)) : new Float64Array(flat(yPred)), [2, 4]), 0, 1);
      const strided = loss.valueAndGrad(moveAxis(tT, 1, 0), moveAxis(pT, 1, 0));
      expect(Object.is(flat(strided.value as Tensor)[0], Infinity)).toBe(true);
      expect(flat(strided.grad).map((v) => (Number.isNaN(v) ? "NaN" : v))).toEqual(g.map((v) => (Number.isNaN(v) ? "NaN" : v)));
    }
  });

  it("a strided view, a broadcast yPred and the contiguous copy: the same bits (values) and gradients", () => {
    const random = rng(7);
    for (const dtype of ["float32", "float64"] as const) {
      const Ctor = dtype === "float32" ? Float32Array : Float64Array;
      const rows = 5, n = 11;
      const tData = new Ctor(Array.from({ length: rows * n }, () => 3 * random() - 1.5));
      const pData = new Ctor(Array.from({ length: rows * n }, () => 3 * random() - 1.5));
      // [n, rows] storage viewed as [rows, n]: every row strided
      const tStore = new Ctor(rows * n), pStore = new Ctor(rows * n);
      for (let r = 0; r < rows; r++) for (let k = 0; k < n; k++) [tStore[k * rows + r], pStore[k * rows + r]] = [tData[r * n + k]!, pData[r * n + k]!];
      const tView = moveAxis(new Tensor(tStore, [n, rows]), 0, 1), pView = moveAxis(new Tensor(pStore, [n, rows]), 0, 1);
      const loss = new LogCosh({ reduction: "none", dtype });
      const a = loss.valueAndGrad(new Tensor(tData, [rows, n]), new Tensor(pData, [rows, n]), [1, 2, 3, 4, 5]);
      const b = loss.valueAndGrad(tView, pView, [1, 2, 3, 4, 5]);
      expect(Array.from((b.value as Tensor).data)).toEqual(Array.from((a.value as Tensor).data));
      expect(flat(b.grad)).toEqual(flat(a.grad));
      // yPred [1, n] broadcast against yTrue [rows, n]: the gradient sums the rows' terms
      const p1 = new Tensor(pData.slice(0, n), [1, n]);
      const { grad } = new LogCosh({ reduction: "sum", dtype }).valueAndGrad(new Tensor(tData, [rows, n]), p1);
      for (let k = 0; k < n; k++) {
        let expected = 0;
        for (let r = 0; r < rows; r++) expected += Math.tanh(pData[k]! - tData[r * n + k]!) / n;
        expect(grad.data[k]).toBeCloseTo(expected, dtype === "float32" ? 6 : 14);
      }
    }
  });
});

interface Family {
  name: string;
  fn: LossFunction<any>;
  cls: new (options?: any) => Loss;
  nonNegative: boolean;
  /** Values of yTrue the loss accepts in the property test. */
  labels: (u: number) => number;
}

const FAMILY: Family[] = [
  { name: "mse", fn: meanSquaredError, cls: MeanSquaredError, nonNegative: true, labels: (u) => 4 * u - 2 },
  { name: "mae", fn: meanAbsoluteError, cls: MeanAbsoluteError, nonNegative: true, labels: (u) => 4 * u - 2 },
  { name: "mape", fn: meanAbsolutePercentageError, cls: MeanAbsolutePercentageError, nonNegative: true, labels: (u) => 4 * u - 2 },
  { name: "msle", fn: meanSquaredLogarithmicError, cls: MeanSquaredLogarithmicError, nonNegative: true, labels: (u) => 4 * u - 1 },
  { name: "cosine", fn: cosineSimilarity, cls: CosineSimilarity, nonNegative: false, labels: (u) => 4 * u - 2 },
  { name: "huber", fn: huber, cls: Huber, nonNegative: true, labels: (u) => 4 * u - 2 },
  { name: "logcosh", fn: logCosh, cls: LogCosh, nonNegative: true, labels: (u) => 4 * u - 2 },
];

describe("regression properties (fast-check)", () => {
  for (const family of FAMILY) {
    it(`${family.name}: per-sample shape, sign, perfect prediction, class = mean of handle, inputs unchanged`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          (shape, seed) => {
            const random = rng(seed);
            const yTrue = randomTensor(shape, random, family.labels);
            const yPred = randomTensor(shape, random, (u) => 6 * u - 3);
            const before = [snapshot(yTrue), snapshot(yPred)];
            const values = family.fn(yTrue, yPred, { dtype: "float64" });
            expect(values.shape).toEqual(shape.slice(0, -1));
            const v = flat(values);
            for (const x of v) {
              expect(Number.isFinite(x)).toBe(true);
              if (family.nonNegative) expect(x).toBeGreaterThanOrEqual(0);
              else {
                expect(x).toBeGreaterThanOrEqual(-1 - 1e-12);
                expect(x).toBeLessThanOrEqual(1 + 1e-12);
              }
            }
            // Perfect prediction: 0, or -1 for cosine similarity of a nonzero vector with itself.
            const perfect = flat(family.fn(yTrue, yTrue, { dtype: "float64" }));
            for (const x of perfect) {
              if (family.name === "cosine") expect(x).toBeCloseTo(-1, 12);
              else expect(Math.abs(x)).toBeLessThan(1e-12);
            }
            const loss = new family.cls({ dtype: "float64" });
            const reduced = loss(yTrue, yPred) as number;
            const mean = v.reduce((a, b) => a + b, 0) / v.length;
            expect(Math.abs(reduced - mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(mean)));
            loss.valueAndGrad(yTrue, yPred);
            expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it("strided views give the same values as contiguous copies", () => {
    const p = randomTensor([3, 4, 2], rng(7), (u) => 2 * u + 0.1);
    const tView = moveAxis(randomTensor([3, 2, 4], rng(1)), 1, 2); // shape [3,4,2], non-contiguous
    const tCopy = new Tensor(tView.toTypedArray(), tView.shape);
    for (const family of FAMILY) {
      const a = family.fn(tView, p, { dtype: "float64" });
      const b = family.fn(tCopy, p, { dtype: "float64" });
      expectClose(a, flat(b), { rtol: 1e-12, atol: 1e-12 });
      expectClose(family.fn.vjp(tView, p, new Tensor(new Float64Array(12).fill(1), [3, 4])), flat(family.fn.vjp(tCopy, p, new Tensor(new Float64Array(12).fill(1), [3, 4]))), { rtol: 1e-12, atol: 1e-12 });
    }
  });
});

const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

/** Random inputs away from every kink of a loss: pairs (t, p) built from an error e. */
function pairsAwayFromKinks(shape: number[], seed: number, make: (u: () => number) => [number, number]): { yTrue: Tensor; yPred: Tensor } {
  const random = rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const t = new Float64Array(size);
  const p = new Float64Array(size);
  for (let i = 0; i < size; i++) [t[i], p[i]] = make(random);
  return { yTrue: new Tensor(t, shape), yPred: new Tensor(p, shape) };
}

const sign = (random: () => number) => (random() < 0.5 ? -1 : 1);

const GRAD_CASES: { name: string; make: (options: Record<string, unknown>) => Loss; pair: (u: () => number) => [number, number] }[] = [
  { name: "MeanSquaredError", make: (o) => new MeanSquaredError(o), pair: (u) => [4 * u() - 2, 4 * u() - 2] },
  // |e| >= 0.1 keeps away from the kink of |e| at 0.
  { name: "MeanAbsoluteError", make: (o) => new MeanAbsoluteError(o), pair: (u) => { const t = 4 * u() - 2; return [t, t + sign(u) * (0.1 + u())]; } },
  // |yTrue| >= 0.5 (denominator away from the epsilon clamp) and |e| >= 0.1.
  { name: "MeanAbsolutePercentageError", make: (o) => new MeanAbsolutePercentageError(o), pair: (u) => { const t = sign(u) * (0.5 + 1.5 * u()); return [t, t + sign(u) * (0.1 + u())]; } },
  // yPred >= 0.05 (away from the clip at epsilon); yTrue may be clipped (no gradient flows there).
  { name: "MeanSquaredLogarithmicError", make: (o) => new MeanSquaredLogarithmicError(o), pair: (u) => [3 * u() - 0.5, 0.05 + 3 * u()] },
  { name: "CosineSimilarity", make: (o) => new CosineSimilarity(o), pair: (u) => [4 * u() - 2, 4 * u() - 2] },
  // |e| differs from delta = 1 by at least 0.1.
  { name: "Huber", make: (o) => new Huber(o), pair: (u) => { const t = 2 * u() - 1; const a = u() < 0.5 ? 0.9 * u() : 1.1 + u(); return [t, t + sign(u) * a]; } },
  { name: "LogCosh", make: (o) => new LogCosh(o), pair: (u) => [4 * u() - 2, 8 * u() - 4] },
];

describe("regression gradients match float64 central differences", () => {
  // Bound for every check here: |analytic - numeric| <= 1e-8 + 1e-6 * max|numeric| (float64 losses).
  const bound = { rtol: 1e-6, atol: 1e-8 };
  for (const c of GRAD_CASES) {
    it(`${c.name}: every reduction`, () => {
      const { yTrue, yPred } = pairsAwayFromKinks([3, 4], 11, c.pair);
      for (const reduction of REDUCTIONS) expectGradMatches(c.make({ reduction, dtype: "float64" }), yTrue, yPred, null, bound);
    });
    it(`${c.name}: sampleWeight scalar, per-sample, per-element, and a mask`, () => {
      const { yTrue, yPred } = pairsAwayFromKinks([2, 3, 4], 12, c.pair);
      const loss = c.make({ dtype: "float64" });
      expectGradMatches(loss, yTrue, yPred, 2.3, bound);
      expectGradMatches(loss, yTrue, yPred, [0.5, 2], bound);
      expectGradMatches(loss, yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(c.make({ dtype: "float64", reduction: "mean_with_sample_weight" }), yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(loss, yTrue, yPred, [0.5, 2], { ...bound, mask: [[1, 0, 1], [1, 1, 0]] });
      expectGradMatches(c.make({ dtype: "float64", reduction: "sum" }), yTrue, yPred, null, { ...bound, mask: [[1, 0, 1], [0, 1, 1]] });
    });
    it(`${c.name}: float32 loss (bound 1e-3 relative: float32 inputs against float64 differences)`, () => {
      const { yTrue, yPred } = pairsAwayFromKinks([3, 5], 13, c.pair);
      expectGradMatches(c.make({}), yTrue, yPred, [1, 2, 3], { rtol: 1e-3, atol: 1e-6 });
    });
  }

  it("Huber with delta 0.5 and 2.5 (both branches, away from |e| = delta)", () => {
    for (const delta of [0.5, 2.5]) {
      const { yTrue, yPred } = pairsAwayFromKinks([4, 3], 21, (u) => {
        const t = 2 * u() - 1;
        const a = u() < 0.5 ? (delta - 0.1) * u() : delta + 0.1 + u();
        return [t, t + sign(u) * a];
      });
      expectGradMatches(new Huber({ delta, dtype: "float64" }), yTrue, yPred, [1, 2, 0.5, 3], bound);
    }
  });

  it("MeanSquaredLogarithmicError: no gradient where yPred is clipped to epsilon", () => {
    const { yTrue, yPred } = pairsAwayFromKinks([3, 4], 22, (u) => [3 * u(), u() < 0.5 ? -2 * u() - 0.05 : 0.05 + 3 * u()]);
    expectGradMatches(new MeanSquaredLogarithmicError({ dtype: "float64" }), yTrue, yPred, null, bound);
    const grad = new MeanSquaredLogarithmicError({ reduction: "sum" }).grad([[1, 1]], [[-0.5, 0]]);
    expect(flat(grad)).toEqual([0, 0]);
  });

  it("MeanAbsolutePercentageError with zero labels (epsilon denominators)", () => {
    const { yTrue, yPred } = pairsAwayFromKinks([2, 3], 23, (u) => { const t = u() < 0.5 ? 0 : 1 + u(); return [t, t + sign(u) * (0.1 + u())]; });
    expectGradMatches(new MeanAbsolutePercentageError({ dtype: "float64" }), yTrue, yPred, null, bound);
  });

  it("CosineSimilarity along axis 0 and along axis 1 of a channels-first view", () => {
    const { yTrue, yPred } = pairsAwayFromKinks([3, 4], 24, (u) => [4 * u() - 2, 4 * u() - 2]);
    expectGradMatches(new CosineSimilarity({ axis: 0, dtype: "float64" }), yTrue, yPred, [1, 2, 3, 4], bound);
    const channelsLast = pairsAwayFromKinks([2, 5, 3], 25, (u) => [4 * u() - 2, 4 * u() - 2]);
    const t = moveAxis(channelsLast.yTrue, 2, 1); // [2, 3, 5], strided
    const p = moveAxis(channelsLast.yPred, 2, 1);
    expectGradMatches(new CosineSimilarity({ axis: 1, dtype: "float64" }), t, p, [[1, 0.5, 2, 1, 3], [2, 1, 1, 0, 1]], bound);
    expectGradMatches(new CosineSimilarity({ axis: -2, dtype: "float64", reduction: "none" }), t, p, null, bound);
  });

  it("CosineSimilarity when yTrue or yPred broadcasts along the axis", () => {
    const t = new Tensor(new Float64Array([0.7, -1.2, 0.4]), [3, 1]);
    const p = pairsAwayFromKinks([3, 4], 26, (u) => [0, 4 * u() - 2]).yPred;
    expectGradMatches(new CosineSimilarity({ dtype: "float64" }), t, p, null, bound);
    // yPred of size 1 along the axis: sign(yPred) * sum(yTrue)/|yTrue| is flat in yPred.
    expectGradMatches(new CosineSimilarity({ dtype: "float64" }), p, t, null, bound);
  });

  it("CosineSimilarity below the epsilon clamp: gradient of Keras's clamped norm", () => {
    // yPred = 0: invNorm(yPred) = 1/sqrt(1e-14) = 1e7 is a constant, so d/dyPred = -yTrue / |yTrue| * 1e7.
    const grad = new CosineSimilarity({ reduction: "sum", dtype: "float64" }).grad([[3, 4]], [[0, 0]]);
    expectClose(grad, [[-0.6 / Math.sqrt(1e-14), -0.8 / Math.sqrt(1e-14)]], { rtol: 1e-9, atol: 0 });
  });

  it("kinks take TensorFlow's branch", () => {
    // |e|' = 0 at e = 0 (MAE, MAPE). (Huber's derivative is continuous at |e| = delta: both branches give e.)
    expect(flat(new MeanAbsoluteError({ reduction: "sum" }).grad([[1, 2]], [[1, 3]]))).toEqual([0, 0.5]);
    expect(flat(new MeanAbsolutePercentageError({ reduction: "sum" }).grad([[1, 2]], [[1, 3]]))).toEqual([0, 25]);
    expect(flat(new Huber({ reduction: "sum", dtype: "float64" }).grad([[0, 0]], [[1, -3]]))).toEqual([0.5, -0.5]);
  });

  it("every loss when yPred broadcasts against yTrue (gradients accumulate)", () => {
    const { yTrue } = pairsAwayFromKinks([3, 6], 28, (u) => [4 * u() - 2, 0]);
    const rowPred = new Tensor(new Float64Array([0.3, -1.1, 2.5, 0.7, -0.2, 1.4]), [6]);
    const columnPred = new Tensor(new Float64Array([0.35, -1.05, 2.55]), [3, 1]);
    for (const c of GRAD_CASES) {
      if (c.name === "MeanSquaredLogarithmicError" || c.name === "MeanAbsolutePercentageError") continue;
      expectGradMatches(c.make({ dtype: "float64" }), yTrue, rowPred, null, bound);
      expectGradMatches(c.make({ dtype: "float64", reduction: "sum" }), yTrue, columnPred, null, bound);
    }
    const positive = new Tensor(new Float64Array([0.3, 1.1, 2.5, 0.7, 0.2, 1.4]), [6]);
    expectGradMatches(new MeanSquaredLogarithmicError({ dtype: "float64" }), yTrue, positive, null, bound);
    expectGradMatches(new MeanAbsolutePercentageError({ dtype: "float64" }), yTrue, columnPred, null, bound);
  });

  it("MeanSquaredError: fused valueAndGrad equals the separate forward and vjp", () => {
    const { yTrue, yPred } = pairsAwayFromKinks([5, 7], 27, (u) => [u(), u()]);
    const mse = new MeanSquaredError({ dtype: "float64" });
    const { value, grad } = mse.valueAndGrad(yTrue, yPred, [1, 2, 3, 4, 5]);
    // The fused pass sums in the same order as the forward kernel: identical values.
    expect(value).toBe(mse(yTrue, yPred, [1, 2, 3, 4, 5]));
    const upstream = new Tensor(new Float64Array([1, 2, 3, 4, 5].map((w) => w / 5)), [5]);
    expectClose(grad, flat(meanSquaredError.vjp(yTrue, yPred, upstream)), { rtol: 1e-14, atol: 1e-15 });
  });
});

describe("regression losses propagate NaN (tf.maximum propagates it)", () => {
  const isNaNs = (x: number | Tensor) => flat(x).map(Number.isNaN);

  it("NaN in yPred or yTrue gives a NaN loss", () => {
    expect(new MeanSquaredLogarithmicError()([[1, 2]], [[NaN, 2]])).toBeNaN();
    expect(new MeanSquaredLogarithmicError()([[NaN, 2]], [[1, 2]])).toBeNaN();
    expect(isNaNs(meanSquaredLogarithmicError([[1, 2], [1, 2]], [[1, 2], [2, NaN]]))).toEqual([false, true]);
    const losses: Loss[] = [new MeanSquaredError(), new MeanAbsoluteError(), new MeanAbsolutePercentageError(), new MeanSquaredLogarithmicError(), new CosineSimilarity(), new Huber(), new LogCosh()];
    for (const loss of losses) {
      expect(loss([[1, 2, -1]], [[NaN, 2, 0.5]])).toBeNaN();
      expect(loss([[1, 2, -1]], [[0.5, 2, NaN]])).toBeNaN();
      expect(loss([[NaN, 2, -1]], [[0.5, 2, 0.5]])).toBeNaN();
      expect(loss([[0, 2, -1]], [[0.5, 2, NaN]])).toBeNaN();
    }
  });

  it("NaN reaches the gradient where the value is NaN (elementwise losses: that element only)", () => {
    // Keras: the gradient of 0.5 e^2 / delta |e| at e = NaN, of |e| / max(|y|, eps), of log(max(p, eps) + 1).
    expect(flat(new Huber().grad([[0]], [[NaN]]))).toEqual([NaN]);
    expect(flat(new Huber({ reduction: "sum" }).grad([[0, 0]], [[NaN, 3]]))).toEqual([NaN, 0.5]);
    expect(flat(new Huber({ reduction: "sum" }).grad([[NaN, 0]], [[0, 0.5]]))).toEqual([NaN, 0.25]);
    expect(flat(new MeanAbsolutePercentageError({ reduction: "sum" }).grad([[1, 2]], [[NaN, 3]]))).toEqual([NaN, 25]);
    expect(flat(new MeanAbsolutePercentageError({ reduction: "sum" }).grad([[NaN, 2]], [[1, 3]]))).toEqual([NaN, 25]);
    expect(flat(new MeanAbsoluteError({ reduction: "sum" }).grad([[1, 2, 3]], [[NaN, 3, 3]]))).toEqual([NaN, Math.fround(1 / 3), 0]);
    expect(flat(new MeanAbsoluteError({ reduction: "sum" }).grad([[NaN, 2]], [[1, 3]]))).toEqual([NaN, 0.5]);
    const msle = new MeanSquaredLogarithmicError({ reduction: "sum", dtype: "float64" });
    const finite = (Math.log1p(3) - Math.log1p(2)) / 4; // 2 * d / (n * (p + 1)), n = 2
    expect(isNaNs(msle.grad([[1, 2]], [[NaN, 3]]))).toEqual([true, false]);
    expect(flat(msle.grad([[1, 2]], [[NaN, 3]]))[1]).toBeCloseTo(finite, 12);
    expect(isNaNs(msle.grad([[NaN, 2]], [[1, 3]]))).toEqual([true, false]);
    expect(isNaNs(msle.grad([[1, 2]], [[-1, NaN]]))).toEqual([false, true]);
    expect(isNaNs(new MeanSquaredError().grad([[1, 2]], [[NaN, 3]]))).toEqual([true, false]);
    expect(isNaNs(new LogCosh().grad([[1, 2]], [[NaN, 3]]))).toEqual([true, false]);
    for (const loss of [new Huber(), new MeanAbsolutePercentageError(), new MeanAbsoluteError(), new MeanSquaredLogarithmicError()]) {
      const { value, grad } = loss.valueAndGrad([[1, 2]], [[NaN, 3]]);
      expect(value).toBeNaN();
      expect(isNaNs(grad)).toEqual([true, false]);
    }
  });

  it("CosineSimilarity: a NaN makes its row's norm NaN, so the whole row's gradient is NaN", () => {
    const cosine = new CosineSimilarity({ reduction: "sum" });
    expect(isNaNs(cosine.grad([[1, 2], [1, 0]], [[NaN, 1], [0, 1]]))).toEqual([true, true, false, false]);
    expect(isNaNs(cosine.grad([[NaN, 2], [1, 0]], [[1, 1], [0, 1]]))).toEqual([true, true, false, false]);
    // yPred below the clamp except for the NaN: still NaN (max(NaN, eps^2) is NaN).
    expect(isNaNs(cosine.grad([[1, 2]], [[NaN, 0]]))).toEqual([true, true]);
  });
});

describe("regression errors", () => {
  it("shapes that do not fit", () => {
    expect(() => new MeanSquaredLogarithmicError()([[1, 2, 3]], [[1, 2]])).toThrow(ShapeError);
    expect(() => huber([[1, 2, 3]], [[1, 2]])).toThrow(/yTrue has shape \[1,3\] but yPred has shape \[1,2\]/);
    expect(() => new LogCosh().grad([[1, 2, 3], [1, 2, 3]], [[1, 2], [3, 4]])).toThrow(ShapeError);
    expect(() => meanAbsolutePercentageError.vjp([[1, 2]], [[1, 2]], [1, 2])).toThrow(/upstream has shape \[2\], expected the per-sample shape \[1\]/);
  });
  it("bad options", () => {
    expect(() => new Huber({ delta: -1 })).toThrow(ConfigError);
    expect(() => new Huber({ delta: -1 })).toThrow(/delta must be >= 0, received -1/);
    expect(() => new Huber({ delta: "1" as unknown as number })).toThrow(/delta must be a finite number/);
    expect(() => new CosineSimilarity({ axis: 0.5 })).toThrow(/axis must be an integer/);
    expect(() => new LogCosh({ delta: 1 } as never)).toThrow(/delta is not an option of log_cosh/);
    expect(() => new MeanAbsolutePercentageError({ reduction: "abc" as Reduction })).toThrow(/Invalid value for argument reduction/);
    expect(() => huber([1], [1], { delta: Number.NaN })).toThrow(ConfigError);
  });
  it("cosine axis out of range or ambiguous", () => {
    expect(() => new CosineSimilarity({ axis: 2 })([[1, 2]], [[1, 2]])).toThrow(ShapeError);
    expect(() => new CosineSimilarity({ axis: 0 })([1, 2, 3], [[[1, 2, 3]], [[1, 2, 3]]])).toThrow(/needs yTrue and yPred of the same rank/);
    expect(() => cosineSimilarity([1, 2, 3], [[[1, 2, 3]], [[1, 2, 3]]], { axis: -2 })).toThrow(/axis=-2 is out of range for yTrue of shape \[3\]/);
  });
});

describe("regression registry", () => {
  const NAMES: [string, Function][] = [
    ["MeanAbsolutePercentageError", MeanAbsolutePercentageError],
    ["mean_absolute_percentage_error", MeanAbsolutePercentageError],
    ["meanAbsolutePercentageError", MeanAbsolutePercentageError],
    ["mape", MeanAbsolutePercentageError],
    ["MAPE", MeanAbsolutePercentageError],
    ["MeanSquaredLogarithmicError", MeanSquaredLogarithmicError],
    ["mean_squared_logarithmic_error", MeanSquaredLogarithmicError],
    ["meanSquaredLogarithmicError", MeanSquaredLogarithmicError],
    ["msle", MeanSquaredLogarithmicError],
    ["MSLE", MeanSquaredLogarithmicError],
    ["CosineSimilarity", CosineSimilarity],
    ["cosine_similarity", CosineSimilarity],
    ["cosineSimilarity", CosineSimilarity],
    ["Huber", Huber],
    ["huber", Huber],
    ["huber_loss", Huber],
    ["LogCosh", LogCosh],
    ["log_cosh", LogCosh],
    ["logCosh", LogCosh],
    ["logcosh", LogCosh],
    ["MeanSquaredError", MeanSquaredError],
    ["mean_squared_error", MeanSquaredError],
    ["meanSquaredError", MeanSquaredError],
    ["mse", MeanSquaredError],
    ["MSE", MeanSquaredError],
    ["MeanAbsoluteError", MeanAbsoluteError],
    ["mean_absolute_error", MeanAbsoluteError],
    ["meanAbsoluteError", MeanAbsoluteError],
    ["mae", MeanAbsoluteError],
    ["MAE", MeanAbsoluteError],
  ];
  for (const [name, cls] of NAMES) {
    it(`getLoss("${name}")`, () => {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(cls);
      expect(typeof loss([[1, 2]], [[1.5, 2.5]])).toBe("number");
    });
  }

  it("getConfig / fromConfig and serialize / deserialize round trips", () => {
    const losses: Loss[] = [
      new MeanAbsolutePercentageError({ name: "mymape", reduction: "sum" }),
      new MeanSquaredLogarithmicError({ name: "mysloge" }),
      new CosineSimilarity({ axis: 0, reduction: "none", name: "cos" }),
      new Huber({ delta: 2.0, reduction: "sum", name: "huber", dtype: "float64" }),
      new LogCosh({ reduction: "mean" }),
      new MeanSquaredError({ name: "mymse" }),
      new MeanAbsoluteError({ name: "myname" }),
    ];
    const t = [[1, 2, 3], [4, 5, 6]];
    const p = [[1.5, 2, 2], [4, 6, 5.5]];
    for (const loss of losses) {
      const cls = loss.constructor as typeof MeanSquaredError;
      const rebuilt = cls.fromConfig(loss.getConfig());
      expect(rebuilt).toBeInstanceOf(cls);
      expect(rebuilt.getConfig()).toEqual(loss.getConfig());
      expect(flat(rebuilt(t, p) as number | Tensor)).toEqual(flat(loss(t, p) as number | Tensor));
      const restored = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
      expect(restored.getConfig()).toEqual(loss.getConfig());
    }
  });

  it("name: undefined keeps each class's default name (Huber: huber_loss, not the function's huber)", () => {
    expect(new Huber({ name: undefined }).name).toBe("huber_loss");
    expect(new Huber({ name: undefined, delta: 2 }).getConfig()).toEqual({ name: "huber_loss", reduction: "sum_over_batch_size", delta: 2, dtype: "float32" });
    expect(new MeanSquaredError({ name: undefined }).name).toBe("mean_squared_error");
    expect(new MeanAbsoluteError({ name: undefined }).name).toBe("mean_absolute_error");
    expect(new MeanAbsolutePercentageError({ name: undefined }).name).toBe("mean_absolute_percentage_error");
    expect(new MeanSquaredLogarithmicError({ name: undefined }).name).toBe("mean_squared_logarithmic_error");
    expect(new CosineSimilarity({ name: undefined }).name).toBe("cosine_similarity");
    expect(new LogCosh({ name: undefined }).name).toBe("log_cosh");
  });

  it("deserializes Keras's snake_case JSON", () => {
    const loss = deserializeLoss({ class_name: "Huber", config: { name: "huber", reduction: "sum", delta: 2.0 } });
    expect(loss).toBeInstanceOf(Huber);
    expect(loss.getConfig()).toMatchObject({ delta: 2.0, reduction: "sum", name: "huber" });
    const cosine = getLoss({ className: "CosineSimilarity", config: { axis: 2, reduction: "sum", name: "cosine_loss" } });
    expect(cosine.getConfig()).toMatchObject({ name: "cosine_loss", reduction: "sum", axis: 2 });
  });
});

describe("Huber at infinite and NaN errors (branch-free contiguous loops and the strided path agree)", () => {
  // Keras: |e| > delta takes the linear branch, so an infinite error gives an infinite loss and
  // the gradient delta · sign(e); a NaN error gives NaN for both. Values by hand (delta = 1, n = 5).
  const yTrue = [[0, 0, 0, 0, 0]];
  const yPred = [[Infinity, 0.5, 2, -3, 0.1]];
  const expectedGrad = [1, 0.5, 1, -1, 0.1].map((g) => Math.fround(g / 5));
  it("contiguous inputs", () => {
    expect((new Huber({ reduction: "none" })(yTrue, yPred) as Tensor).toArray()).toEqual([Infinity]);
    expect(flat(new Huber({ reduction: "sum" }).grad(yTrue, yPred))).toEqual(expectedGrad);
  });
  it("a strided view of the same numbers", () => {
    const data = new Float32Array(10);
    [Infinity, 0.5, 2, -3, 0.1].forEach((v, i) => (data[2 * i] = v));
    const view = new Tensor(data, [1, 5], [10, 2]);
    expect((new Huber({ reduction: "none" })(yTrue, view) as Tensor).toArray()).toEqual([Infinity]);
    expect(flat(new Huber({ reduction: "sum" }).grad(yTrue, view))).toEqual(expectedGrad);
  });
  it("a NaN error makes the row's value and that element's gradient NaN", () => {
    const p = [[NaN, 0.5, 2, -3, 0.1]];
    expect(Number.isNaN((new Huber({ reduction: "none" })(yTrue, p) as Tensor).item())).toBe(true);
    const g = flat(new Huber({ reduction: "sum" }).grad(yTrue, p));
    expect(Number.isNaN(g[0]!)).toBe(true);
    expect(g.slice(1)).toEqual(expectedGrad.slice(1));
  });
});
