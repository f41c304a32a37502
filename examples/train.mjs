// Training a softmax classifier with losskit's gradients, the way the Keras guides train
// one with `fit`: class weights for an imbalanced data set, an L2 penalty (add_loss), a
// loss tracker per epoch, a validation split, the loss curves as an SVG, and a broken
// batch caught by `diagnose`. Seeded, so every run prints the same numbers. Exits
// non-zero if the held-out balanced accuracy is below what it asserts or if `diagnose`
// misses the broken input.
// Run: npm run build && node examples/train.mjs [path/to/loss.svg]
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  LossCollector,
  LossTracker,
  NumericsError,
  SparseCategoricalCrossentropy,
  TrainingHistory,
  classWeightToSampleWeight,
  computeClassWeightDict,
  diagnose,
  l2,
  tensor,
} from "../dist/index.js";

// ---------------------------------------------------------------------------------------
// Data: three Gaussian blobs in 2-D, 80% / 15% / 5% of the samples.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(2024);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const FEATURES = 2, CLASSES = 3, N = 3000;
const centers = [[0, 0], [3, 1.5], [1, 3.2]];
const shares = [0.8, 0.15, 0.05];
const x = new Float64Array(N * FEATURES);
const y = new Float64Array(N);
for (let i = 0; i < N; i++) {
  const u = random();
  const c = u < shares[0] ? 0 : u < shares[0] + shares[1] ? 1 : 2;
  y[i] = c;
  for (let f = 0; f < FEATURES; f++) x[i * FEATURES + f] = centers[c][f] + gaussian();
}
// Shuffle, then split 60% train / 20% validation / 20% test (held out until the end).
const order = Array.from({ length: N }, (_, i) => i);
for (let i = N - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const take = (indices) => ({
  x: Float64Array.from(indices.flatMap((i) => [x[i * FEATURES], x[i * FEATURES + 1]])),
  y: Float64Array.from(indices.map((i) => y[i])),
  n: indices.length,
});
const train = take(order.slice(0, 0.6 * N));
const val = take(order.slice(0.6 * N, 0.8 * N));
const test = take(order.slice(0.8 * N));

// ---------------------------------------------------------------------------------------
// The model: logits = x W + b, W [2, 3], b [3].

function logitsOf(model, xs, n) {
  const z = new Float64Array(n * CLASSES);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < CLASSES; c++) {
      let s = model.b[c];
      for (let f = 0; f < FEATURES; f++) s += xs[i * FEATURES + f] * model.W[f * CLASSES + c];
      z[i * CLASSES + c] = s;
    }
  }
  return tensor(z, [n, CLASSES]);
}

function predict(model, xs, n) {
  const z = logitsOf(model, xs, n).data;
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (z[i * CLASSES + c] > z[i * CLASSES + best]) best = c;
    return best;
  });
}

/** Per-class recall and their mean (balanced accuracy), plus plain accuracy. */
function scores(model, set) {
  const predicted = predict(model, set.x, set.n);
  const hits = new Array(CLASSES).fill(0), counts = new Array(CLASSES).fill(0);
  predicted.forEach((p, i) => {
    counts[set.y[i]]++;
    if (p === set.y[i]) hits[set.y[i]]++;
  });
  const recall = hits.map((h, c) => h / counts[c]);
  return { accuracy: hits.reduce((a, b) => a + b) / set.n, recall, balanced: recall.reduce((a, b) => a + b) / CLASSES };
}

const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
const kernelRegularizer = l2(1e-3);

/**
 * Mini-batch SGD with momentum, as `model.fit(x, y, batch_size, epochs, validation_data,
 * class_weight)` would run it. Keras's logged loss includes the penalties (model.losses).
 */
function fit({ classWeight, epochs = 40, batchSize = 64, learningRate = 0.02, momentum = 0.9 }) {
  const model = { W: new Float64Array(FEATURES * CLASSES), b: new Float64Array(CLASSES) };
  const velocity = { W: new Float64Array(model.W.length), b: new Float64Array(CLASSES) };
  const history = new TrainingHistory();
  const tracker = new LossTracker("loss");
  const collector = new LossCollector();
  const shuffle = mulberry32(7);
  const indices = Array.from({ length: train.n }, (_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    tracker.reset();
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [indices[i], indices[j]] = [indices[j], indices[i]];
    }
    for (let start = 0; start < train.n; start += batchSize) {
      const batch = take(indices.slice(start, start + batchSize).map((i) => order[i]));
      const labels = tensor(batch.y, [batch.n]);
      const sampleWeight = classWeight ? classWeightToSampleWeight(labels, classWeight) : undefined;
      // The data loss and d loss / d logits from losskit, then the chain rule through x W + b by hand.
      const { value, grad } = loss.valueAndGrad(labels, logitsOf(model, batch.x, batch.n), sampleWeight);
      collector.addRegularization(kernelRegularizer, tensor(model.W, [FEATURES, CLASSES]), "kernel");
      const { total } = collector.collect(value);
      // d total / d W = x^T (d loss / d logits) + d penalty / d W;  d total / d b = Σ_rows d loss / d logits
      const gW = Float64Array.from(kernelRegularizer.grad(tensor(model.W, [FEATURES, CLASSES])).data);
      const gb = new Float64Array(CLASSES);
      for (let i = 0; i < batch.n; i++) {
        for (let c = 0; c < CLASSES; c++) {
          const g = grad.data[i * CLASSES + c];
          gb[c] += g;
          for (let f = 0; f < FEATURES; f++) gW[f * CLASSES + c] += batch.x[i * FEATURES + f] * g;
        }
      }
      for (let k = 0; k < model.W.length; k++) model.W[k] += (velocity.W[k] = momentum * velocity.W[k] - learningRate * gW[k]);
      for (let c = 0; c < CLASSES; c++) model.b[c] += (velocity.b[c] = momentum * velocity.b[c] - learningRate * gb[c]);
      tracker.update(total, batch.n); // Keras's fit: the epoch loss is a mean over samples
      history.recordBatch(total);
    }
    // Validation: no class weights (Keras applies class_weight to the training data only).
    const valLoss = loss(tensor(val.y, [val.n]), logitsOf(model, val.x, val.n)) + kernelRegularizer(model.W);
    history.recordEpoch({ loss: tracker.result(), valLoss, valBalancedAccuracy: scores(model, val).balanced });
  }
  return { model, history, collector };
}

// ---------------------------------------------------------------------------------------
// Train with and without class weights.

const classWeight = computeClassWeightDict("balanced", tensor(train.y, [train.n]));
console.log(`training samples per class: ${[0, 1, 2].map((c) => train.y.filter((v) => v === c).length).join(" / ")}`);
console.log(`class weights ("balanced", n / (k · count)): ${Object.entries(classWeight).map(([c, w]) => `${c}: ${w.toFixed(3)}`).join(", ")}`);

const started = performance.now();
const weighted = fit({ classWeight });
const plain = fit({ classWeight: undefined });
const seconds = (performance.now() - started) / 1000;

const { history } = weighted;
for (const r of history.epochs) {
  if (r.epoch % 5 === 4 || r.epoch === 0) {
    console.log(`epoch ${String(r.epoch + 1).padStart(2)}: loss ${r.loss.toFixed(4)}  val_loss ${r.valLoss.toFixed(4)}  val balanced accuracy ${r.valBalancedAccuracy.toFixed(3)}`);
  }
}
console.log(`loss      ${history.sparkline("loss")}\nval_loss  ${history.sparkline("valLoss")}`);
const best = history.best();
console.log(`best epoch: ${best.epoch + 1} (val_loss ${best.value.toFixed(4)}); both runs took ${seconds.toFixed(2)} s`);

const svgPath = process.argv[2] ?? join(tmpdir(), "losskit-train", "loss.svg");
mkdirSync(dirname(svgPath), { recursive: true });
writeFileSync(svgPath, history.toSVG({ title: "Softmax classifier, class-weighted (losskit)" }));
console.log(`loss curves written to ${svgPath}`);

const withWeights = scores(weighted.model, test);
const without = scores(plain.model, test);
const fmt = (s) => `accuracy ${s.accuracy.toFixed(3)}, recall per class ${s.recall.map((r) => r.toFixed(3)).join(" / ")}, balanced accuracy ${s.balanced.toFixed(3)}`;
console.log(`\nheld-out test set (${test.n} samples):`);
console.log(`  with class weights:    ${fmt(withWeights)}`);
console.log(`  without class weights: ${fmt(without)}`);

// ---------------------------------------------------------------------------------------
// A broken batch: one feature is NaN (a missing value in the data), and one label is 3
// in a 3-class problem. diagnose names both, with the position and the value.

const broken = take(order.slice(0, 8));
broken.x[5 * FEATURES + 1] = NaN;
broken.y[2] = 3;
const report = diagnose(loss, tensor(broken.y, [broken.n]), logitsOf(weighted.model, broken.x, broken.n));
console.log(`\ndiagnose on a broken batch:\n${String(report).replace(/^/gm, "  ")}`);

// The same checks on every call, as an exception: the checkNumerics option (or setCheckNumerics(true)).
const checked = new SparseCategoricalCrossentropy({ fromLogits: true, checkNumerics: true });
let thrown = null;
try {
  checked.valueAndGrad(tensor(broken.y.map((c) => Math.min(c, 2)), [broken.n]), logitsOf(weighted.model, broken.x, broken.n));
} catch (error) {
  thrown = error;
  console.log(`\ncheckNumerics: ${error.name}: ${error.message.split("\n")[0].slice(0, 110)}…`);
}

// ---------------------------------------------------------------------------------------
// What this example asserts.

const failures = [];
const MIN_BALANCED = 0.85;
if (!(withWeights.balanced >= MIN_BALANCED)) failures.push(`held-out balanced accuracy ${withWeights.balanced.toFixed(3)} < ${MIN_BALANCED}`);
if (!(withWeights.recall[2] > without.recall[2])) failures.push("class weights did not raise the rarest class's recall");
if (!(history.epochs.at(-1).loss < history.epochs[0].loss)) failures.push("the training loss did not fall");
const nan = report.findings.find((f) => f.cause === "nan-in-data" && f.argument === "yPred");
if (!nan || nan.position[0] !== 5) failures.push("diagnose missed the NaN in row 5");
const label = report.findings.find((f) => f.cause === "labels-out-of-range");
if (!label || label.index !== 2 || label.value !== 3) failures.push("diagnose missed the label 3 at index 2");
if (report.ok) failures.push("diagnose called the broken batch ok");
if (!(thrown instanceof NumericsError) || thrown.findings[0].position[0] !== 5) failures.push("checkNumerics did not throw a NumericsError at row 5");
if (!diagnose(weighted.collector).ok) failures.push("the L2 penalty was reported as a problem");

if (failures.length > 0) {
  console.error(`\nFAIL: ${failures.join("; ")}`);
  process.exit(1);
}
console.log(`\nok: held-out balanced accuracy ${withWeights.balanced.toFixed(3)} >= ${MIN_BALANCED}; diagnose and checkNumerics caught the broken batch`);
