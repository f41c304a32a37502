// TensorFlow.js bridge (issue 12, item 3): toTfjsLoss, tfjs tensors as inputs, tf.losses
// names. tfjs runs in Node through test/support/tfjs.ts (tfjs-core + cpu backend + tfjs-layers).
import { beforeAll, describe, expect, it } from "vitest";
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  ConfigError,
  CosineSimilarity,
  InputError,
  MeanSquaredError,
  SparseCategoricalCrossentropy,
  TFJS_ALIASES,
  getLoss,
  listLosses,
  meanSquaredError,
  sparseCategoricalCrossentropy,
  toTfjsLoss,
} from "../src/index";
import { loadTfjs, type Tfjs } from "./support/tfjs";
import type * as TfCore from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTfjs();
}, 120_000);

/** Independent float64 reference: mean over rows of logsumexp(x) - x[label]. */
function referenceScce(labels: number[], logits: number[][]): { value: number; grad: number[][] } {
  let total = 0;
  const grad = logits.map((row, r) => {
    const max = Math.max(...row);
    const sumExp = row.reduce((s, x) => s + Math.exp(x - max), 0);
    total += max + Math.log(sumExp) - row[labels[r]!]!;
    return row.map((x, k) => (Math.exp(x - max) / sumExp - (k === labels[r] ? 1 : 0)) / logits.length);
  });
  return { value: total / logits.length, grad };
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    if (!(error <= tolerance * Math.max(1, Math.abs(expected[i]!)))) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]} (error ${error})`);
    }
  }
}

const LABELS = [0, 2, 1];
const LOGITS = [
  [2, 1, 0.1],
  [0.5, -1, 3],
  [-20, 20, 0],
];

describe("toTfjsLoss", () => {
  it("value and gradient (through tf.grad) are losskit's, equal to an independent float64 softmax", () => {
    const lossFn = toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true }), tf);
    const labels = tf.tensor1d(LABELS);
    const logits = tf.tensor2d(LOGITS);
    const reference = referenceScce(LABELS, LOGITS);
    const value = lossFn(labels, logits);
    expect(value.shape).toEqual([]);
    expect(value.dtype).toBe("float32");
    expect(value.dataSync()[0]).toBeCloseTo(reference.value, 6);
    const grad = tf.grad((p: TfCore.Tensor) => lossFn(labels, p))(logits);
    expectAllClose(grad.dataSync(), reference.grad.flat(), 1e-6);
    // The gradient with respect to the labels is zero (labels are data).
    const gradLabels = tf.grads((t: TfCore.Tensor, p: TfCore.Tensor) => lossFn(t, p))([labels, logits])[0]!;
    expect(Array.from(gradLabels.dataSync())).toEqual([0, 0, 0]);
  });

  it("the @example value: 0.4076", () => {
    const lossFn = toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true }), tf);
    const value = lossFn(tf.tensor1d([0, 2]), tf.tensor2d([[2, 1, 0], [0, 1, 2]])).dataSync()[0]!;
    expect(value).toBeCloseTo(referenceScce([0, 2], [[2, 1, 0], [0, 1, 2]]).value, 6);
    expect(value.toFixed(4)).toBe("0.4076");
  });

  it("upstream gradients scale through (tf.grad of 3·loss)", () => {
    const lossFn = toTfjsLoss(new MeanSquaredError(), tf);
    const yTrue = tf.tensor2d([[0, 1], [2, 3]]);
    const yPred = tf.tensor2d([[1, 1], [2, 5]]);
    const grad = tf.grad((p: TfCore.Tensor) => tf.mul(lossFn(yTrue, p), 3) as TfCore.Scalar)(yPred);
    // d/dp 3 · mean((p - y)²) over 4 elements = 3 · 2 (p - y) / 4
    expectAllClose(grad.dataSync(), [1.5, 0, 0, 3], 1e-7);
  });

  it('reduction "none": per-sample values and the vector-Jacobian product with the upstream', () => {
    const lossFn = toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true, reduction: "none" }), tf);
    const labels = tf.tensor1d(LABELS);
    const logits = tf.tensor2d(LOGITS);
    const values = lossFn(labels, logits);
    expect(values.shape).toEqual([3]);
    const upstream = [1, -2, 0.5];
    const grad = tf.grad((p: TfCore.Tensor) => tf.sum(tf.mul(lossFn(labels, p), tf.tensor1d(upstream))) as TfCore.Scalar)(logits);
    const reference = referenceScce(LABELS, LOGITS).grad.map((row, r) => row.map((g) => g * LOGITS.length * upstream[r]!));
    expectAllClose(grad.dataSync(), reference.flat(), 1e-6);
  });

  it("accepts loss names and refuses what is not a loss or not tf", () => {
    const lossFn = toTfjsLoss("mse", tf);
    expect(lossFn(tf.tensor1d([12, 20, 29, 60]), tf.tensor1d([14, 18, 27, 55])).dataSync()[0]).toBe(9.25);
    expect(lossFn.name).toBe("mean_squared_error");
    expect(() => toTfjsLoss(42 as never, tf)).toThrow(ConfigError);
    expect(() => toTfjsLoss(new MeanSquaredError(), undefined as never)).toThrow("toTfjsLoss needs the TensorFlow.js namespace");
    expect(() => toTfjsLoss(new MeanSquaredError(), { tensor() {} } as never)).toThrow("tf.customGrad is not a function");
    expect(() => lossFn([1, 2] as never, tf.tensor1d([1, 2]))).toThrow(InputError);
  });
});

describe("a tfjs-layers model trains through toTfjsLoss", () => {
  // A 3-class problem a linear model separates: class = argmax of the first three features.
  const X = [
    [3, 0, 0, 1], [2, 0.5, 0, -1], [2.5, 1, 0.2, 0], [0, 3, 0, 1], [0.5, 2, 0, 0], [1, 2.5, 0.5, -1],
    [0, 0, 3, 1], [0.2, 0.5, 2, 0], [1, 0, 2.5, -1], [4, 1, 1, 0.5], [1, 4, 1, 0.5], [1, 1, 4, 0.5],
  ];
  const Y = [0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 1, 2];
  const W0 = [
    [0.1, -0.2, 0.05],
    [-0.1, 0.15, 0.2],
    [0.3, -0.05, -0.1],
    [0.05, 0.1, -0.2],
  ];

  function makeModel(): LayersModel {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
    model.setWeights([tf.tensor2d(W0), tf.zeros([3])]);
    return model;
  }

  /** losskit's SCCE of the model's current logits. */
  function losskitLoss(model: LayersModel): number {
    const logits = model.predict(tf.tensor2d(X)) as TfCore.Tensor;
    return new SparseCategoricalCrossentropy({ fromLogits: true })(Y, logits) as number;
  }

  /** A tf.data-like dataset (fitDataset only calls iterator().next()): the full batch, forever. */
  const fullBatch = {
    async iterator() {
      return { async next() { return { value: { xs: tf.tensor2d(X), ys: tf.tensor1d(Y) }, done: false }; } };
    },
  };

  it("model.compile({ loss: toTfjsLoss(SCCE fromLogits) }) + fitDataset: each epoch's loss equals losskit's, and it falls", async () => {
    const model = makeModel();
    model.compile({ optimizer: tf.train.sgd(0.5), loss: toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true }), tf) });
    const first = losskitLoss(model);
    expect(first).toBeCloseTo(referenceScce(Y, (model.predict(tf.tensor2d(X)) as TfCore.Tensor).arraySync() as number[][]).value, 6);
    const history: number[] = [];
    const expected: number[] = [];
    for (let epoch = 0; epoch < 25; epoch++) {
      expected.push(losskitLoss(model));
      const h = await model.fitDataset(fullBatch as never, { epochs: 1, batchesPerEpoch: 1, verbose: 0 });
      history.push(h.history.loss![0] as number);
    }
    expectAllClose(history, expected, 1e-6);
    expect(history[24]!).toBeLessThan(0.25 * history[0]!);
    const predicted = (tf.argMax(model.predict(tf.tensor2d(X)) as TfCore.Tensor, -1).arraySync() as number[]);
    expect(predicted).toEqual(Y);
  });

  it("a custom loop: optimizer.minimize(() => lossFn(labels, model.apply(x))) returns losskit's loss", () => {
    const model = makeModel();
    const lossFn = toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true }), tf);
    const optimizer = tf.train.sgd(0.5);
    const x = tf.tensor2d(X);
    const labels = tf.tensor1d(Y, "int32");
    let last = Infinity;
    for (let step = 0; step < 10; step++) {
      const before = losskitLoss(model);
      const cost = optimizer.minimize(() => lossFn(labels, model.apply(x) as TfCore.Tensor), true)!;
      expect(cost.dataSync()[0]).toBeCloseTo(before, 6);
      expect(before).toBeLessThan(last);
      last = before;
    }
  });

  it("model.fit works with labels shaped like the output (one-hot + CategoricalCrossentropy)", async () => {
    const model = makeModel();
    const lossFn = toTfjsLoss(new CategoricalCrossentropy({ fromLogits: true }), tf);
    model.compile({ optimizer: tf.train.sgd(0.5), loss: lossFn });
    const oneHot = tf.oneHot(tf.tensor1d(Y, "int32"), 3);
    const before = new CategoricalCrossentropy({ fromLogits: true })(oneHot, model.predict(tf.tensor2d(X)) as TfCore.Tensor) as number;
    const h = await model.fit(tf.tensor2d(X), oneHot, { epochs: 1, batchSize: X.length, shuffle: false, verbose: 0 });
    expect(h.history.loss![0] as number).toBeCloseTo(before, 6);
  });

  it('classWeight: with reduction "none", tfjs-layers weights each sample, as losskit\'s sampleWeight does', async () => {
    const model = makeModel();
    model.compile({ optimizer: tf.train.sgd(0.5), loss: toTfjsLoss(new CategoricalCrossentropy({ fromLogits: true, reduction: "none" }), tf) });
    const oneHot = tf.oneHot(tf.tensor1d(Y, "int32"), 3);
    const classWeight = { 0: 1, 1: 3, 2: 0.5 };
    const perSample = Y.map((label) => classWeight[label as 0 | 1 | 2]);
    const before = new CategoricalCrossentropy({ fromLogits: true })(oneHot, model.predict(tf.tensor2d(X)) as TfCore.Tensor, perSample) as number;
    const h = await model.fit(tf.tensor2d(X), oneHot, { epochs: 1, batchSize: X.length, shuffle: false, verbose: 0, classWeight });
    expect(h.history.loss![0] as number).toBeCloseTo(before, 6);
  });

  it("model.fit with sparse labels and any custom loss is refused by tfjs-layers itself (its target-shape check), hence fitDataset or a custom loop", async () => {
    const model = makeModel();
    model.compile({ optimizer: "sgd", loss: toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true }), tf) });
    await expect(model.fit(tf.tensor2d(X), tf.tensor2d(Y, [Y.length, 1]), { epochs: 1, verbose: 0 })).rejects.toThrow(/target expected a batch of elements where each example has shape \[3\]/);
  });
});

describe("where tfjs-layers' sparse categorical crossentropy from logits is wrong", () => {
  // tfjs-layers src/losses.ts (v4.22.0):
  //   export function sparseCategoricalCrossentropy(target, output, fromLogits = false) {
  //     ...
  //     output = tfc.clipByValue(output, epsilon(), 1 - epsilon());   // <- also when output holds logits
  //     ...
  //     return categoricalCrossentropy(oneHotTarget, output, fromLogits);   // softmax of the clipped logits
  // The logits are squashed into [1e-7, 1 - 1e-7] before the softmax.
  const labels = [0];
  const logits = [[2, 1, 0.1]];

  it("value: 0.8782 where the loss is 0.4170 (losskit, tf.losses.softmaxCrossEntropy, float64)", () => {
    const reference = referenceScce(labels, logits).value;
    expect(reference.toFixed(4)).toBe("0.4170");
    const layers = tf.layersSparseCategoricalCrossentropy(tf.tensor1d(labels), tf.tensor2d(logits), true).dataSync()[0]!;
    // What the clip makes of it: softmax of [1 - 1e-7, 1 - 1e-7, 0.1], label 0.
    const clipped = [1 - 1e-7, 1 - 1e-7, 0.1];
    const expectedWrong = Math.log(clipped.reduce((s, x) => s + Math.exp(x), 0)) - clipped[0]!;
    expect(layers).toBeCloseTo(expectedWrong, 5);
    expect(layers.toFixed(4)).toBe("0.8782");
    const losskit = sparseCategoricalCrossentropy(labels, logits, { fromLogits: true }).item();
    expect(losskit).toBeCloseTo(reference, 6);
    const core = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(labels, "int32"), 3), tf.tensor2d(logits)).dataSync()[0]!;
    expect(core).toBeCloseTo(reference, 6);
  });

  it("gradient: zero for every logit outside [1e-7, 1 - 1e-7], so a model cannot learn from it", () => {
    const x = tf.tensor2d(logits);
    const layersGrad = tf.grad((p: TfCore.Tensor) => tf.mean(tf.layersSparseCategoricalCrossentropy(tf.tensor1d(labels), p, true)) as TfCore.Scalar)(x);
    const g = Array.from(layersGrad.dataSync());
    expect(g[0]).toBe(0);
    expect(g[1]).toBe(0);
    const bridged = tf.grad((p: TfCore.Tensor) => toTfjsLoss(new SparseCategoricalCrossentropy({ fromLogits: true }), tf)(tf.tensor1d(labels), p))(x);
    const reference = referenceScce(labels, logits).grad[0]!;
    expectAllClose(bridged.dataSync(), reference, 1e-6);
    expect(reference[0]).toBeLessThan(-0.3); // softmax(x)_0 - 1 = -0.341: the logit the label needs raised
  });
});

describe("tfjs tensors as inputs anywhere", () => {
  it("classes, handles and gradients read tf.Tensors through dataSync(), shape and dtype", () => {
    const yTrue = tf.tensor1d([12, 20, 29, 60]);
    const yPred = tf.tensor1d([14, 18, 27, 55]);
    expect(new MeanSquaredError()(yTrue, yPred)).toBe(9.25);
    expect(meanSquaredError(tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 1]])).toArray()).toEqual([0.5]);
    const { grad } = new MeanSquaredError().valueAndGrad(yTrue, yPred);
    expect(Array.from(grad.data)).toEqual([1, -1, -1, -2.5]); // 2 (p - y) / 4
    // int32 labels and bool labels
    const scce = new SparseCategoricalCrossentropy({ fromLogits: true });
    expect(scce(tf.tensor1d(LABELS, "int32"), tf.tensor2d(LOGITS))).toBeCloseTo(referenceScce(LABELS, LOGITS).value, 6);
    expect(new BinaryCrossentropy()(tf.tensor1d([true, false], "bool"), tf.tensor1d([0.9, 0.2]))).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 6);
  });

  it("a float32 tensor on the CPU backend is read without a copy and never written", () => {
    const yPred = tf.tensor2d([[0.2, 0.8], [0.6, 0.4]]);
    const before = Array.from(yPred.dataSync());
    new BinaryCrossentropy().valueAndGrad(tf.tensor2d([[0, 1], [1, 0]]), yPred);
    expect(Array.from(yPred.dataSync())).toEqual(before);
  });

  it("refuses disposed tensors, string tensors and lying shapes with LossErrors", () => {
    const disposed = tf.tensor1d([1, 2]);
    disposed.dispose();
    expect(() => meanSquaredError(disposed, [1, 2])).toThrow("yTrue is a disposed TensorFlow.js tensor");
    expect(() => meanSquaredError([1], tf.tensor1d(["a"] as never, "string"))).toThrow('yPred is a TensorFlow.js tensor of dtype "string"');
    const liar = { shape: [3], dtype: "float32", dataSync: () => new Float32Array(2) };
    expect(() => meanSquaredError([1, 2, 3], liar)).toThrow("yPred has shape [3] (3 elements) but its dataSync() returned 2 values");
    const failing = { shape: [1], dtype: "float32", dataSync: () => { throw new Error("GPU lost"); } };
    expect(() => meanSquaredError([1], failing)).toThrow(InputError);
  });
});

describe("tf.losses names in getLoss (TFJS_ALIASES): the same math as tfjs", () => {
  const labels01 = [[0, 1, 1], [1, 0, 1]];
  const preds = [[0.2, 0.7, 0.9], [0.6, 0.3, 0.55]];
  const logits = [[-1.5, 0.3, 2.2], [0.8, -0.4, 1.1]];
  const yTrue = [[1.5, -2, 0.5], [3, 0.25, -1]];
  const yPred = [[1, -0.5, 2.5], [2.2, 0.2, 0.4]];
  const t2 = (x: number[][]) => tf.tensor2d(x);
  const value = (t: TfCore.Tensor) => t.dataSync()[0]!;

  it("absoluteDifference, meanSquaredError, huberLoss, hingeLoss, sigmoidCrossEntropy, softmaxCrossEntropy: equal values", () => {
    const oneHot = [[0, 0, 1], [1, 0, 0]];
    const cases: [string, number, number][] = [
      ["absoluteDifference", value(tf.losses.absoluteDifference(t2(yTrue), t2(yPred))), getLoss("absoluteDifference")(yTrue, yPred) as number],
      ["meanSquaredError", value(tf.losses.meanSquaredError(t2(yTrue), t2(yPred))), getLoss("meanSquaredError")(yTrue, yPred) as number],
      ["huberLoss", value(tf.losses.huberLoss(t2(yTrue), t2(yPred))), getLoss("huberLoss")(yTrue, yPred) as number],
      ["hingeLoss", value(tf.losses.hingeLoss(t2(labels01), t2(logits))), getLoss("hingeLoss")(labels01, logits) as number],
      ["sigmoidCrossEntropy", value(tf.losses.sigmoidCrossEntropy(t2(labels01), t2(logits))), getLoss("sigmoidCrossEntropy")(labels01, logits) as number],
      ["softmaxCrossEntropy", value(tf.losses.softmaxCrossEntropy(t2(oneHot), t2(logits))), getLoss("softmaxCrossEntropy")(oneHot, logits) as number],
    ];
    for (const [name, tfjs, losskit] of cases) expect(losskit, name).toBeCloseTo(tfjs, 5);
    expect(getLoss("sigmoidCrossEntropy")).toBeInstanceOf(BinaryCrossentropy);
    expect(getLoss("sigmoidCrossEntropy").getConfig().fromLogits).toBe(true);
  });

  it("label smoothing means the same in sigmoidCrossEntropy and softmaxCrossEntropy", () => {
    const oneHot = [[0, 0, 1], [1, 0, 0]];
    const sigmoid = value(tf.losses.sigmoidCrossEntropy(t2(labels01), t2(logits), undefined, 0.2));
    expect(new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 })(labels01, logits)).toBeCloseTo(sigmoid, 5);
    const softmax = value(tf.losses.softmaxCrossEntropy(t2(oneHot), t2(logits), undefined, 0.2));
    expect(new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 })(oneHot, logits)).toBeCloseTo(softmax, 5);
  });

  it("logLoss: ε added vs ε clip, at most ~1e-6 apart for p in [0.1, 0.9]", () => {
    const tfjs = value(tf.losses.logLoss(t2(labels01), t2(preds)));
    const losskit = getLoss("logLoss")(labels01, preds) as number;
    expect(Math.abs(losskit - tfjs)).toBeLessThan(1.5e-6);
    expect(losskit).not.toBe(tfjs);
  });

  it("cosineDistance is 1 + CosineSimilarity on unit vectors (tfjs does not normalize); cosineProximity is CosineSimilarity", () => {
    const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
    const a = [unit([1, 2, 2]), unit([0.3, -1, 0.5])];
    const b = [unit([2, 1, -1]), unit([0.1, -0.8, 0.9])];
    const tfjs = value(tf.losses.cosineDistance(t2(a), t2(b), 1));
    expect(getLoss("cosineDistance")).toBeInstanceOf(CosineSimilarity);
    expect(1 + (getLoss("cosineDistance")(a, b) as number)).toBeCloseTo(tfjs, 6);
    const proximity = tf.mean(tf.metrics.cosineProximity(t2(yTrue), t2(yPred))).dataSync()[0]!;
    expect(getLoss("cosineProximity")(yTrue, yPred) as number).toBeCloseTo(proximity, 6);
  });

  it("SUM_BY_NONZERO_WEIGHTS with per-sample weights = losskit with the weights as sampleWeight and mask", () => {
    const weights = [[2], [0]];
    const tfjs = value(tf.losses.meanSquaredError(t2(yTrue), t2(yPred), t2(weights)));
    const w = [2, 0];
    expect(new MeanSquaredError()(yTrue, yPred, w, { mask: w })).toBeCloseTo(tfjs, 5);
    // Without the mask, Keras's sum_over_batch_size divides by both samples.
    expect(new MeanSquaredError()(yTrue, yPred, w)).toBeCloseTo(tfjs / 2, 5);
  });

  it("the TFJS_ALIASES TSDoc example", () => {
    expect(TFJS_ALIASES.softmaxCrossEntropy!.className).toBe("CategoricalCrossentropy");
    expect(getLoss("softmaxCrossEntropy").getConfig().fromLogits).toBe(true);
  });

  it("Reduction.SUM sums elements, losskit's \"sum\" sums per-sample means: a factor of the last axis for elementwise losses", () => {
    const tfjs = value(tf.losses.meanSquaredError(t2(yTrue), t2(yPred), undefined, tf.Reduction.SUM));
    expect(3 * (new MeanSquaredError({ reduction: "sum" })(yTrue, yPred) as number)).toBeCloseTo(tfjs, 5);
    const oneHot = [[0, 0, 1], [1, 0, 0]];
    const softmax = value(tf.losses.softmaxCrossEntropy(t2(oneHot), t2(logits), undefined, undefined, tf.Reduction.SUM));
    expect(new CategoricalCrossentropy({ fromLogits: true, reduction: "sum" })(oneHot, logits)).toBeCloseTo(softmax, 5);
  });

  it("every alias resolves, is listed, and suggestions know the tfjs names", () => {
    for (const [name, alias] of Object.entries(TFJS_ALIASES)) {
      expect(getLoss(name).constructor.name, name).toBe(alias.className);
      expect(alias.note.length).toBeGreaterThan(20);
    }
    expect(Object.keys(TFJS_ALIASES).sort()).toEqual(
      ["absoluteDifference", "cosineDistance", "cosineProximity", "hingeLoss", "huberLoss", "logLoss", "meanSquaredError", "sigmoidCrossEntropy", "softmaxCrossEntropy"].sort(),
    );
    expect(listLosses()).toEqual(expect.arrayContaining(Object.keys(TFJS_ALIASES)));
    expect(() => getLoss("softmaxCrossEntropyy")).toThrow('Did you mean "softmaxCrossEntropy"');
  });
});
