// The examples of the Keras losses guide and docstrings, computed with losskit and
// printed beside the value Keras documents. Exits non-zero if any differs.
// Run: npm run example   (builds dist/ first when needed)
import * as lk from "../dist/index.js";

const t2 = [[0, 1], [0, 0]];
const p2 = [[0.6, 0.4], [0.4, 0.6]];
const logits2 = [[-18.6, 0.51], [2.94, -12.8]];
const onehot = [[0, 1, 0], [0, 0, 1]];
const probs = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]];
const segTrue = [[[[1], [1]], [[0], [0]]], [[[1], [1]], [[0], [0]]]];
const segPred = [[[[0], [1]], [[0], [1]]], [[[0.4], [0]], [[0], [0.9]]]];
// Keras losses_test.py CTC: logits[b][t][c] = (12 b + 3 t + c - 12) / 100, shape [2, 4, 3]
const ctcLogits = [0, 1].map((b) => [0, 1, 2, 3].map((t) => [0, 1, 2].map((c) => (12 * b + 3 * t + c - 12) / 100)));
// Keras losses_test.py CircleTest embeddings (L2-normalized, as Circle expects)
const circleEmbeddings = [
  [0.70014004, -0.42008403, 0.14002801, 0.56011203],
  [0.17609018, 0.70436073, -0.52827054, 0.44022545],
  [-0.34050261, 0.25537696, -0.68100522, 0.59587957],
  [0.32163376, -0.75047877, 0.53605627, -0.21442251],
  [0.51261459, -0.34174306, 0.17087153, 0.76892189],
];

// Every value in the `keras` column is the number Keras documents (guide, docstring or
// losses_test.py); the README's loss table is this list.
const examples = [
  { title: "MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55])", run: () => new lk.MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55]), keras: 9.25 },
  { title: 'getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55])', run: () => lk.getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55]), keras: 9.25 },
  { title: 'MeanSquaredError({ reduction: "none" })([[0, 1], [0, 0]], [[1, 1], [1, 0]])', run: () => new lk.MeanSquaredError({ reduction: "none" })([[0, 1], [0, 0]], [[1, 1], [1, 0]]), keras: [0.5, 0.5] },
  { title: "MeanSquaredError()([1, 0, 1], [0.9, 0.1, 0.8])", run: () => new lk.MeanSquaredError()([1, 0, 1], [0.9, 0.1, 0.8]), keras: 0.02 },
  { title: "MeanAbsoluteError()([1, 0.3, 1], [1.9, 0.3, 1.8])", run: () => new lk.MeanAbsoluteError()([1, 0.3, 1], [1.9, 0.3, 1.8]), keras: 0.5666667 },
  { title: "MeanAbsolutePercentageError()([100, 200, 300], [90, 210, 310])", run: () => new lk.MeanAbsolutePercentageError()([100, 200, 300], [90, 210, 310]), keras: 6.111111 },
  { title: "MeanSquaredLogarithmicError()([[0, 1], [0, 0]], [[1, 1], [1, 0]])", run: () => new lk.MeanSquaredLogarithmicError()([[0, 1], [0, 0]], [[1, 1], [1, 0]]), keras: 0.240, rtol: 2e-3 },
  { title: 'CosineSimilarity({ reduction: "none" })([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]])', run: () => new lk.CosineSimilarity({ reduction: "none" })([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]]), keras: [-0, -0.99999994, 0.99999994] },
  { title: "Huber()(yTrue, yPred)", run: () => new lk.Huber()(t2, p2), keras: 0.155, rtol: 1e-3 },
  { title: "LogCosh()([[0, 1], [0, 0]], [[1, 1], [0, 0]])", run: () => new lk.LogCosh()([[0, 1], [0, 0]], [[1, 1], [0, 0]]), keras: 0.108, atol: 1e-3 },
  {
    title: 'BinaryCrossentropy({ reduction: "none" }) (the Keras losses guide)',
    run: () => new lk.BinaryCrossentropy({ reduction: "none" })([[0, 1], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]], [[0.6, 0.4], [0.4, 0.6], [0.6, 0.4], [0.8, 0.2]]),
    keras: [0.9162905, 0.5919184, 0.79465103, 1.0549198],
  },
  { title: "BinaryCrossentropy({ fromLogits: true })(yTrue, logits)", run: () => new lk.BinaryCrossentropy({ fromLogits: true })(t2, logits2), keras: 0.8654, rtol: 1e-4 },
  { title: "BinaryCrossentropy({ fromLogits: true })(yTrue, logits, [0.8, 0.2])", run: () => new lk.BinaryCrossentropy({ fromLogits: true })(t2, logits2, [0.8, 0.2]), keras: 0.243, atol: 1e-3 },
  { title: "BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(yTrue, logits)", run: () => new lk.BinaryFocalCrossentropy({ gamma: 3, fromLogits: true })(t2, logits2), keras: 0.647, rtol: 1e-3 },
  {
    title: "BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 3, fromLogits: true })",
    run: () => new lk.BinaryFocalCrossentropy({ applyClassBalancing: true, gamma: 3, fromLogits: true })(t2, logits2),
    keras: 0.482,
    rtol: 1e-3,
  },
  { title: "CategoricalCrossentropy()(onehot, probs)", run: () => new lk.CategoricalCrossentropy()(onehot, probs), keras: 1.177, rtol: 1e-3 },
  { title: "CategoricalCrossentropy()(onehot, probs, [0.3, 0.7])", run: () => new lk.CategoricalCrossentropy()(onehot, probs, [0.3, 0.7]), keras: 0.814, rtol: 1e-3 },
  { title: "CategoricalFocalCrossentropy()(onehot, probs)", run: () => new lk.CategoricalFocalCrossentropy()(onehot, probs), keras: 0.23315276 },
  { title: "SparseCategoricalCrossentropy()([1, 2], probs)", run: () => new lk.SparseCategoricalCrossentropy()([1, 2], probs), keras: 1.177, rtol: 1e-3 },
  { title: "Poisson()([[0, 1], [0, 0]], [[1, 1], [0, 0]])", run: () => new lk.Poisson()([[0, 1], [0, 0]], [[1, 1], [0, 0]]), keras: 0.5 },
  { title: "KLDivergence()(yTrue, yPred)", run: () => new lk.KLDivergence()(t2, p2), keras: 0.458, rtol: 1e-3 },
  {
    title: "CategoricalGeneralizedCrossEntropy()([0, 1, 0, 1], probs)",
    run: () => new lk.CategoricalGeneralizedCrossEntropy()([0, 1, 0, 1], [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]]),
    keras: 0.35986,
    rtol: 1e-4,
  },
  { title: "Hinge()(yTrue, yPred)", run: () => new lk.Hinge()(t2, p2), keras: 1.3 },
  { title: "SquaredHinge()(yTrue, yPred)", run: () => new lk.SquaredHinge()(t2, p2), keras: 1.86 },
  { title: "CategoricalHinge()(yTrue, yPred)", run: () => new lk.CategoricalHinge()(t2, p2), keras: 1.4 },
  { title: "Dice()(segTrue, segPred)", run: () => new lk.Dice()(segTrue, segPred), keras: 0.6164384 },
  { title: 'Dice({ axis: [1, 2, 3], reduction: "none" })(segTrue, segPred)', run: () => new lk.Dice({ axis: [1, 2, 3], reduction: "none" })(segTrue, segPred), keras: [0.5, 0.75757575] },
  {
    title: "Tversky({ alpha: 0.2, beta: 0.8 })(yTrue, yPred)",
    run: () => new lk.Tversky({ alpha: 0.2, beta: 0.8 })([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]], [[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]]),
    keras: 0.76190472,
  },
  { title: "Circle()([1, 1, 2, 2, 3], embeddings)", run: () => new lk.Circle()([1, 1, 2, 2, 3], circleEmbeddings), keras: 188.3883, rtol: 1e-4 },
  { title: "CTC()([[1, 2, 1, 0], [1, 2, 0, 2]], logits)", run: () => new lk.CTC()([[1, 2, 1, 0], [1, 2, 0, 2]], ctcLogits), keras: 2.448645, rtol: 1e-5 },
];

const flatten = (x) => (typeof x === "number" ? [x] : x instanceof lk.Tensor ? Array.from(x.toTypedArray("float64")) : x.flat(Infinity));
const show = (x) => (typeof x === "number" ? String(Number(x.toPrecision(8))) : `[${flatten(x).map((v) => Number(v.toPrecision(8))).join(", ")}]`);

let failures = 0;
// Tolerance: rtol relative (default 1e-5), or atol = one unit of the last digit Keras printed.
for (const { title, run, keras, rtol = 1e-5, atol = 1e-6 } of examples) {
  const value = run();
  const got = flatten(value);
  const want = flatten(keras);
  const ok = got.length === want.length && got.every((v, i) => Math.abs(v - want[i]) <= atol + rtol * Math.abs(want[i]));
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${title}\n     losskit ${show(value)}   keras ${show(keras)}`);
}
console.log(`\n${examples.length - failures} of ${examples.length} examples match Keras`);
if (failures > 0) process.exit(1);
