// The workloads of issues 5 and 10: for each, its data, the float64 reference, the best
// hand-written loop (best.mjs), the plain loop (loops.mjs), the losskit call and the
// TensorFlow.js version (tfjs-core's own loss where it has one, otherwise the Keras formula
// composed from tfjs ops, as tfjs-layers does).
//
// Every implementation returns the Keras default reduction ("sum_over_batch_size"), a
// number; a valueAndGrad workload (id ending in "g": W1g, W2g, ...) also gives
// grad = d value / d yPred. Each value workload has its valueAndGrad twin.

import { dataset } from "./data.mjs";
import * as loops from "./loops.mjs";
import { reference } from "./reference.mjs";

const EPS = 1e-7;

// ---- implementations shared by every workload ---------------------------------------------

/** The best loop of workload `w` from one instance of best.mjs (`lib`): a call returning the value. */
export function bestValue(w, lib, d) {
  const { yTrue, yPred } = w.arrays(d);
  return call(lib[w.best], [yTrue, yPred, ...(w.bestArgs ? w.bestArgs(d) : [])]);
}

/** The best valueAndGrad loop, writing into the caller-owned `g`; null when the workload has none. */
export function bestValueAndGrad(w, lib, d, g) {
  const f = lib[`${w.best}ValueAndGrad`];
  if (typeof f !== "function") return null;
  const { yTrue, yPred } = w.arrays(d);
  return call(f, [yTrue, yPred, g, ...(w.bestArgs ? w.bestArgs(d) : [])]);
}

/** `() => f(...args)` without a spread call per call (it costs more than a batch-1 loop). */
function call(f, a) {
  switch (a.length) {
    case 2:
      return () => f(a[0], a[1]);
    case 3:
      return () => f(a[0], a[1], a[2]);
    case 4:
      return () => f(a[0], a[1], a[2], a[3]);
    case 5:
      return () => f(a[0], a[1], a[2], a[3], a[4]);
    case 6:
      return () => f(a[0], a[1], a[2], a[3], a[4], a[5]);
    default:
      return () => f(...a);
  }
}

/** A losskit loss instance for workload `w` (float32 unless `dtype` says otherwise). */
export function losskitLoss(w, lk, dtype = "float32") {
  return new lk[w.className]({ ...w.options, dtype });
}

/** Zero-copy losskit tensors over the workload's arrays. */
export function losskitInputs(w, lk, d) {
  const { yTrue, trueShape, yPred, predShape } = w.arrays(d);
  return { t: lk.tensor(yTrue, trueShape), p: lk.tensor(yPred, predShape) };
}

/** losskit value call. */
export function losskitValue(w, lk, d, dtype) {
  const loss = losskitLoss(w, lk, dtype);
  const { t, p } = losskitInputs(w, lk, d);
  return () => loss(t, p);
}

/**
 * losskit valueAndGrad call. When `loss.valueAndGrad(yTrue, yPred, sampleWeight, { out })`
 * writes the gradient into a caller-owned buffer (issue 10), the bench uses it: tried with
 * a Tensor, then with a bare typed array; otherwise each call allocates its gradient.
 * Returns { run, mode, gradOf } where gradOf(result) is the gradient's typed array.
 */
export function losskitValueAndGrad(w, lk, d, dtype = "float32") {
  const loss = losskitLoss(w, lk, dtype);
  const { t, p } = losskitInputs(w, lk, d);
  const n = p.size;
  const buffer = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  const attempts = [
    { mode: "out: Tensor", options: { out: lk.tensor(buffer, p.shape) } },
    { mode: "out: typed array", options: { out: buffer } },
  ];
  for (const { mode, options } of attempts) {
    try {
      buffer.fill(NaN);
      const r = loss.valueAndGrad(t, p, undefined, options);
      if (r && r.grad && r.grad.data === buffer && !Number.isNaN(buffer[0])) {
        return { mode, run: () => loss.valueAndGrad(t, p, undefined, options), gradOf: (res) => res.grad.data };
      }
    } catch {
      // not supported (yet): try the next form, then fall back
    }
  }
  return { mode: "allocates", run: () => loss.valueAndGrad(t, p), gradOf: (res) => res.grad.data };
}

/** A tfjs loss call that returns a number and frees everything it made. */
function tfScalar(tf, f) {
  return () => {
    const v = tf.tidy(f);
    const x = v.dataSync()[0];
    v.dispose();
    return x;
  };
}

/** The tfjs implementation of workload `w`: { run, dispose } (valueAndGrad: tf.valueAndGrads with respect to yPred). */
export function tfjsImplementation(w, tf, d, kind) {
  const specs = w.tf.inputs(d);
  const made = specs.map(([data, shape, dtype]) => tf.tensor(data, shape, dtype));
  const dispose = () => tf.dispose(made);
  const [t, p] = made;
  if (kind === "value") return { run: tfScalar(tf, () => w.tf.loss(tf, t, p, d)), dispose };
  const vg = tf.valueAndGrads((x) => w.tf.loss(tf, t, x, d));
  return {
    run: () => {
      const { value, grads } = vg([p]);
      const v = value.dataSync()[0];
      const g = grads[0].dataSync();
      tf.dispose([value, grads[0]]);
      return { value: v, grad: g };
    },
    dispose,
  };
}

// ---- workload families -----------------------------------------------------------------

const pairArrays = (d) => ({ yTrue: d.yTrue, trueShape: d.shape, yPred: d.yPred, predShape: d.shape });
const pairInputs = (d) => [[d.yTrue, d.shape], [d.yPred, d.shape]];

/** An elementwise loss over [B, D], reduced over the last axis, then the batch. */
function elementwise({ id, title, className, options, datasetName, best, bestArgs, naive, ref, refGrad, naiveGrad, tfLoss, tfNote, sweep, tfjsBuiltin, rows = (b) => b, width = 1024 }) {
  return {
    id,
    title,
    className,
    options,
    sweep,
    data: (batch, { sweepSize } = {}) => dataset(datasetName, { B: rows(batch), D: sweepSize ?? width }),
    shapeOf: (d) => `[${d.B},${d.D}]`,
    elements: (d) => d.yPred.length,
    arrays: pairArrays,
    best,
    bestArgs,
    naive: naive && ((d) => () => naive(d.yTrue, d.yPred, d.B, d.D)),
    naiveGrad: naiveGrad && ((d) => () => naiveGrad(d.yTrue, d.yPred)),
    reference: (d) => ref(d.yTrue, d.yPred, d.B, d.D),
    referenceGrad: refGrad && ((d) => refGrad(d.yTrue, d.yPred)),
    tfNote,
    tf: tfLoss && { inputs: pairInputs, loss: (tf, t, p) => tfLoss(tf, t, p) },
    tfjsBuiltin,
  };
}

/** A loss over class rows [B, C]. */
function classRows({ id, title, className, options, datasetName = "classes", pick, best, bestArgs, naive, ref, refGrad, naiveGrad, tfInputs, tfLoss, tfNote, rows = (b) => b, classes = 1000 }) {
  return {
    id,
    title,
    className,
    options,
    data: (batch) => dataset(datasetName, { B: rows(batch), C: classes }),
    shapeOf: (d) => `[${d.B},${d.C}]`,
    elements: (d) => d.B * d.C,
    arrays: (d) => {
      const [a, b] = pick(d);
      return { yTrue: a, trueShape: a.length === d.B ? [d.B] : d.shape, yPred: b, predShape: d.shape };
    },
    best,
    bestArgs: bestArgs ?? ((d) => [d.B, d.C]),
    naive: naive && ((d) => {
      const [a, b] = pick(d);
      return () => naive(a, b, d.B, d.C);
    }),
    naiveGrad: naiveGrad && ((d) => {
      const [a, b] = pick(d);
      return () => naiveGrad(a, b, d.B, d.C);
    }),
    reference: (d) => ref(...pick(d), d.B, d.C),
    referenceGrad: refGrad && ((d) => refGrad(...pick(d), d.B, d.C)),
    tfNote,
    tf: tfLoss && { inputs: tfInputs ?? ((d) => [[pick(d)[0], d.shape], [pick(d)[1], d.shape]]), loss: tfLoss },
  };
}

/** A loss over the [B, H, W, 1] masks of W16, summed over axes 1-3 (W22, W23). */
function segmentationWorkload({ id, title, className, best, ref, tfNote, tfLoss }) {
  return {
    id,
    title,
    className,
    options: { axis: [1, 2, 3] },
    data: (batch) => dataset("segmentation", { B: batch, D: 1024 }),
    shapeOf: (d) => `[${d.shape.join(",")}]`,
    elements: (d) => d.yPred.length,
    arrays: pairArrays,
    best,
    bestArgs: (d) => [d.B, d.D],
    reference: (d) => ref(d.yTrue, d.yPred, d.B, d.D),
    tfNote,
    tf: { inputs: pairInputs, loss: tfLoss },
  };
}

const mseTf = (tf, t, p) => tf.losses.meanSquaredError(t, p);
const cceTf = (tf, y, x) => tf.losses.softmaxCrossEntropy(y, x);

/** The value workloads, in order. Each has a valueAndGrad twin (`valueAndGradWorkload`). */
export const VALUE_WORKLOADS = [
  elementwise({
    id: "W1",
    title: "MeanSquaredError",
    className: "MeanSquaredError",
    datasetName: "regression",
    sweep: true,
    best: "meanSquaredError",
    naive: loops.meanSquaredError,
    naiveGrad: loops.meanSquaredErrorValueAndGrad,
    ref: reference.meanSquaredError,
    refGrad: reference.meanSquaredErrorGrad,
    tfNote: "tf.losses.meanSquaredError",
    tfLoss: mseTf,
  }),
  elementwise({
    id: "W2",
    title: "MeanAbsoluteError",
    className: "MeanAbsoluteError",
    datasetName: "regression",
    best: "meanAbsoluteError",
    naive: loops.meanAbsoluteError,
    ref: reference.meanAbsoluteError,
    tfNote: "tf.losses.absoluteDifference",
    tfLoss: (tf, t, p) => tf.losses.absoluteDifference(t, p),
  }),
  elementwise({
    id: "W3",
    title: "Huber(delta=1)",
    className: "Huber",
    options: { delta: 1 },
    datasetName: "regression",
    best: "huber",
    bestArgs: () => [1],
    naive: (t, p) => loops.huber(t, p, 1),
    ref: (t, p, B, D) => reference.huber(t, p, B, D, 1),
    tfNote: "tf.losses.huberLoss(delta=1)",
    tfLoss: (tf, t, p) => tf.losses.huberLoss(t, p, undefined, 1),
  }),
  elementwise({
    id: "W4",
    title: "LogCosh",
    className: "LogCosh",
    datasetName: "regression",
    best: "logCosh",
    naive: loops.logCosh,
    ref: reference.logCosh,
    tfNote: "composed as tfjs-layers' logcosh: x + softplus(-2x) - log 2",
    tfLoss: (tf, t, p) => {
      const x = tf.sub(p, t);
      return tf.mean(tf.mean(tf.sub(tf.add(x, tf.softplus(tf.mul(x, -2))), Math.log(2)), -1));
    },
  }),
  elementwise({
    id: "W5",
    title: "BinaryCrossentropy(fromLogits)",
    className: "BinaryCrossentropy",
    options: { fromLogits: true },
    datasetName: "binary",
    sweep: true,
    best: "binaryCrossentropyFromLogits",
    naive: loops.binaryCrossentropyFromLogits,
    ref: reference.binaryCrossentropyFromLogits,
    tfNote: "tf.losses.sigmoidCrossEntropy",
    tfLoss: (tf, t, p) => tf.losses.sigmoidCrossEntropy(t, p),
  }),
  elementwise({
    id: "W6",
    title: "BinaryCrossentropy(probabilities)",
    className: "BinaryCrossentropy",
    datasetName: "probabilities",
    best: "binaryCrossentropy",
    naive: loops.binaryCrossentropy,
    ref: reference.binaryCrossentropy,
    tfNote: "tf.losses.logLoss (adds epsilon inside the log where Keras clips)",
    tfLoss: (tf, t, p) => tf.losses.logLoss(t, p, undefined, EPS),
  }),
  classRows({
    id: "W7",
    title: "CategoricalCrossentropy(fromLogits)",
    className: "CategoricalCrossentropy",
    options: { fromLogits: true },
    pick: (d) => [d.oneHot, d.logits],
    best: "categoricalCrossentropyFromLogits",
    naive: loops.categoricalCrossentropyFromLogits,
    naiveGrad: loops.categoricalCrossentropyFromLogitsValueAndGrad,
    ref: reference.categoricalCrossentropyFromLogits,
    refGrad: reference.categoricalCrossentropyFromLogitsGrad,
    tfNote: "tf.losses.softmaxCrossEntropy",
    tfLoss: cceTf,
  }),
  classRows({
    id: "W8",
    title: "SparseCategoricalCrossentropy(fromLogits)",
    className: "SparseCategoricalCrossentropy",
    options: { fromLogits: true },
    pick: (d) => [d.labels, d.logits],
    best: "sparseCategoricalCrossentropyFromLogits",
    naive: loops.sparseCategoricalCrossentropyFromLogits,
    ref: reference.sparseCategoricalCrossentropyFromLogits,
    tfNote: "tf.oneHot + tf.losses.softmaxCrossEntropy (tfjs-core has no sparse crossentropy)",
    tfInputs: (d) => [[d.labelsInt, [d.B], "int32"], [d.logits, d.shape]],
    tfLoss: (tf, labels, x, d) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, d.C), x),
  }),
  classRows({
    id: "W9",
    title: "KLDivergence",
    className: "KLDivergence",
    datasetName: "distributions",
    pick: (d) => [d.yTrue, d.yPred],
    best: "klDivergence",
    bestArgs: (d) => [d.B],
    naive: (t, p, B) => loops.klDivergence(t, p, B),
    ref: reference.klDivergence,
    tfNote: "composed: sum(clip(t) * log(clip(t) / clip(p)), -1), clip to [1e-7, 1]",
    tfLoss: (tf, t, p) => {
      const a = tf.clipByValue(t, EPS, 1), b = tf.clipByValue(p, EPS, 1);
      return tf.mean(tf.sum(tf.mul(a, tf.log(tf.div(a, b))), -1));
    },
  }),
  elementwise({
    id: "W10",
    title: "CosineSimilarity",
    className: "CosineSimilarity",
    datasetName: "regression",
    best: "cosineSimilarity",
    bestArgs: (d) => [d.B, d.D],
    naive: loops.cosineSimilarity,
    ref: reference.cosineSimilarity,
    tfNote: "composed: -sum(l2norm(t) * l2norm(p), -1), Keras's x * min(rsqrt(sum x^2), 1e7)",
    tfLoss: (tf, t, p) => {
      const norm = (x) => tf.mul(x, tf.minimum(tf.rsqrt(tf.sum(tf.square(x), -1, true)), 1e7));
      return tf.mean(tf.neg(tf.sum(tf.mul(norm(t), norm(p)), -1)));
    },
  }),
  elementwise({
    id: "W11",
    title: "Hinge (labels ±1)",
    className: "Hinge",
    datasetName: "hinge",
    best: "hinge",
    naive: loops.hinge,
    ref: reference.hinge,
    tfNote: "composed: mean(max(1 - y p, 0)) (tf.losses.hingeLoss assumes {0,1} labels: wrong here)",
    tfLoss: (tf, t, p) => tf.mean(tf.maximum(tf.sub(1, tf.mul(t, p)), 0)),
    tfjsBuiltin: { note: "tf.losses.hingeLoss on ±1 labels (it maps labels with 2y - 1)", fn: (tf, t, p) => tf.losses.hingeLoss(t, p) },
  }),
  elementwise({
    id: "W14",
    title: "BinaryFocalCrossentropy(fromLogits, classBalancing)",
    className: "BinaryFocalCrossentropy",
    options: { fromLogits: true, applyClassBalancing: true, alpha: 0.25, gamma: 2 },
    datasetName: "binary",
    best: "binaryFocalCrossentropyFromLogits",
    bestArgs: () => [{ gamma: 2, alpha: 0.25, applyClassBalancing: true }],
    naive: (z, x) => loops.binaryFocalCrossentropyFromLogits(z, x),
    ref: (z, x, B, D) => reference.binaryFocalCrossentropyFromLogits(z, x, B, D),
    tfNote: "composed as Keras: sigmoid, clipped BCE, (1 - p_t)^2, alpha weights",
    tfLoss: (tf, z, x) => {
      const p = tf.sigmoid(x);
      const q = tf.clipByValue(p, EPS, 1 - EPS);
      const notZ = tf.sub(1, z);
      const bce = tf.neg(tf.add(tf.mul(z, tf.log(q)), tf.mul(notZ, tf.log(tf.sub(1, q)))));
      const pt = tf.add(tf.mul(z, p), tf.mul(notZ, tf.sub(1, p)));
      const focal = tf.square(tf.sub(1, pt));
      const weight = tf.add(tf.mul(z, 0.25), tf.mul(notZ, 0.75));
      return tf.mean(tf.mean(tf.mul(weight, tf.mul(focal, bce)), -1));
    },
  }),
  classRows({
    id: "W15",
    title: "CategoricalFocalCrossentropy(fromLogits)",
    className: "CategoricalFocalCrossentropy",
    options: { fromLogits: true },
    pick: (d) => [d.oneHot, d.logits],
    best: "categoricalFocalCrossentropyFromLogits",
    naive: (y, x, B, C) => loops.categoricalFocalCrossentropyFromLogits(y, x, B, C),
    ref: (y, x, B, C) => reference.categoricalFocalCrossentropyFromLogits(y, x, B, C),
    tfNote: "composed as Keras: softmax, renormalize, clip, -0.25 (1 - o)^2 y log o",
    tfLoss: (tf, y, x) => {
      const sm = tf.softmax(x);
      const o = tf.clipByValue(tf.div(sm, tf.sum(sm, -1, true)), EPS, 1 - EPS);
      const cce = tf.neg(tf.mul(y, tf.log(o)));
      const w = tf.mul(tf.square(tf.sub(1, o)), 0.25);
      return tf.mean(tf.sum(tf.mul(w, cce), -1));
    },
  }),
  {
    id: "W16",
    title: "Dice(axis=[1,2,3])",
    className: "Dice",
    options: { axis: [1, 2, 3] },
    data: (batch) => dataset("segmentation", { B: batch, D: 1024 }),
    shapeOf: (d) => `[${d.shape.join(",")}]`,
    elements: (d) => d.yPred.length,
    arrays: pairArrays,
    best: "dice",
    bestArgs: (d) => [d.B, d.D],
    naive: (d) => () => loops.dice(d.yTrue, d.yPred, d.B, d.D),
    reference: (d) => reference.dice(d.yTrue, d.yPred, d.B, d.D),
    tfNote: "composed as Keras: 1 - 2 sum(t p) / (sum t + sum p + eps) over axes 1-3",
    tf: {
      inputs: pairInputs,
      loss: (tf, t, p) => {
        const axes = [1, 2, 3];
        const inter = tf.sum(tf.mul(t, p), axes);
        const denom = tf.add(tf.add(tf.sum(t, axes), tf.sum(p, axes)), EPS);
        return tf.mean(tf.sub(1, tf.div(tf.mul(inter, 2), denom)));
      },
    },
  },
  {
    id: "W17",
    title: "CTC",
    className: "CTC",
    data: (batch) => dataset("ctc", { B: Math.max(1, batch >> 4), T: 100, C: 32, L: 20 }),
    shapeOf: (d) => `[${d.B},${d.T},${d.C}] L=${d.L}`,
    elements: (d) => d.logits.length,
    arrays: (d) => ({ yTrue: d.labels, trueShape: [d.B, d.L], yPred: d.logits, predShape: [d.B, d.T, d.C] }),
    best: "ctc",
    bestArgs: (d) => [d.B, d.T, d.C, d.L],
    naive: (d) => () => loops.ctc(d.labels, d.logits, d.B, d.T, d.C, d.L),
    reference: (d) => reference.ctc(d.labels, d.logits, d.B, d.T, d.C, d.L),
    tfNote: "none: TensorFlow.js has no CTC loss",
    tf: null,
  },
  {
    id: "W18",
    title: "Circle(gamma=80, margin=0.4)",
    className: "Circle",
    data: (batch) => dataset("circle", { B: Math.max(2, batch >> 2), E: 128, K: 32 }),
    shapeOf: (d) => `[${d.B},${d.E}] K=${d.K}`,
    elements: (d) => d.B * d.B,
    elementsNote: "pairs (B²)",
    arrays: (d) => ({ yTrue: d.labels, trueShape: [d.B], yPred: d.embeddings, predShape: [d.B, d.E] }),
    best: "circle",
    bestArgs: (d) => [d.B, d.E],
    naive: (d) => () => loops.circle(d.labels, d.embeddings, d.B, d.E),
    reference: (d) => reference.circle(d.labels, d.embeddings, d.B, d.E),
    tfNote: "composed as Keras: matMul, masks, logSumExp, softplus, mean over loss > 0",
    tf: {
      inputs: (d) => [[d.labelsInt, [d.B], "int32"], [d.embeddings, [d.B, d.E]]],
      loss: (tf, labels, e, d) => {
        const B = d.B, gamma = 80, margin = 0.4;
        const dist = tf.maximum(tf.sub(1, tf.matMul(e, e, false, true)), 0);
        const same = tf.equal(tf.reshape(labels, [B, 1]), tf.reshape(labels, [1, B]));
        const pos = tf.logicalAnd(same, tf.logicalNot(tf.cast(tf.eye(B), "bool")));
        const neg = tf.logicalNot(same);
        const posW = tf.maximum(tf.mul(tf.add(dist, margin), tf.cast(pos, "float32")), 0);
        const negW = tf.maximum(tf.mul(tf.sub(1 + margin, dist), tf.cast(neg, "float32")), 0);
        const posD = tf.mul(tf.mul(posW, -gamma), tf.sub(margin, dist));
        const negD = tf.mul(tf.mul(negW, gamma), tf.sub(1 - margin, dist));
        const minusInf = tf.fill([B, B], -Infinity);
        const loss = tf.softplus(tf.add(tf.logSumExp(tf.where(pos, posD, minusInf), 1), tf.logSumExp(tf.where(neg, negD, minusInf), 1)));
        // Keras's mask of the samples with loss > 0; tfjs has no gradient for `greater`, and the mask has none: a zero one.
        const mask = tf.customGrad((l) => ({ value: tf.cast(tf.greater(l, 0), "float32"), gradFunc: () => [tf.zerosLike(l)] }))(loss);
        return tf.div(tf.sum(tf.mul(loss, mask)), tf.sum(mask));
      },
    },
  },
  // Issue 10's narrow shapes: the per-row work that a [B, 1024] row hides.
  elementwise({
    id: "W19",
    title: "MeanSquaredError, Dense(1) column",
    className: "MeanSquaredError",
    datasetName: "regression",
    rows: (batch) => batch * 256,
    width: 1,
    best: "meanSquaredError",
    naive: loops.meanSquaredError,
    naiveGrad: loops.meanSquaredErrorValueAndGrad,
    ref: reference.meanSquaredError,
    refGrad: reference.meanSquaredErrorGrad,
    tfNote: "tf.losses.meanSquaredError",
    tfLoss: mseTf,
  }),
  elementwise({
    id: "W20",
    title: "MeanSquaredError, 16 outputs",
    className: "MeanSquaredError",
    datasetName: "regression",
    rows: (batch) => batch * 16,
    width: 16,
    best: "meanSquaredError",
    naive: loops.meanSquaredError,
    naiveGrad: loops.meanSquaredErrorValueAndGrad,
    ref: reference.meanSquaredError,
    refGrad: reference.meanSquaredErrorGrad,
    tfNote: "tf.losses.meanSquaredError",
    tfLoss: mseTf,
  }),
  classRows({
    id: "W21",
    title: "CategoricalCrossentropy(fromLogits), 16 classes",
    className: "CategoricalCrossentropy",
    options: { fromLogits: true },
    rows: (batch) => batch * 16,
    classes: 16,
    pick: (d) => [d.oneHot, d.logits],
    best: "categoricalCrossentropyFromLogits",
    naive: loops.categoricalCrossentropyFromLogits,
    naiveGrad: loops.categoricalCrossentropyFromLogitsValueAndGrad,
    ref: reference.categoricalCrossentropyFromLogits,
    refGrad: reference.categoricalCrossentropyFromLogitsGrad,
    tfNote: "tf.losses.softmaxCrossEntropy",
    tfLoss: cceTf,
  }),
  // W22-W26: the remaining losses of issue 10 (Jaccard and F-beta on W16's data).
  segmentationWorkload({
    id: "W22",
    title: "Jaccard(axis=[1,2,3])",
    className: "Jaccard",
    best: "jaccard",
    ref: reference.jaccard,
    tfNote: "composed: 1 - I / (sum t + sum p - I + eps) over axes 1-3",
    tfLoss: (tf, t, p) => {
      const axes = [1, 2, 3];
      const inter = tf.sum(tf.mul(t, p), axes);
      const den = tf.add(tf.sub(tf.add(tf.sum(t, axes), tf.sum(p, axes)), inter), EPS);
      return tf.mean(tf.sub(1, tf.div(inter, den)));
    },
  }),
  segmentationWorkload({
    id: "W23",
    title: "FBeta(beta=1, axis=[1,2,3])",
    className: "FBeta",
    best: "fBeta",
    ref: reference.fBeta,
    tfNote: "composed: P = I / (sum p + eps), R = I / (sum t + eps), 1 - 2 P R / (P + R + eps) over axes 1-3",
    tfLoss: (tf, t, p) => {
      const axes = [1, 2, 3];
      const inter = tf.sum(tf.mul(t, p), axes);
      const precision = tf.div(inter, tf.add(tf.sum(p, axes), EPS));
      const recall = tf.div(inter, tf.add(tf.sum(t, axes), EPS));
      return tf.mean(tf.sub(1, tf.div(tf.mul(tf.mul(precision, recall), 2), tf.add(tf.add(precision, recall), EPS))));
    },
  }),
  elementwise({
    id: "W24",
    title: "MeanAbsolutePercentageError",
    className: "MeanAbsolutePercentageError",
    datasetName: "regression",
    best: "meanAbsolutePercentageError",
    ref: reference.meanAbsolutePercentageError,
    tfNote: "composed as Keras: 100 mean(|t - p| / maximum(|t|, eps))",
    tfLoss: (tf, t, p) => tf.mean(tf.div(tf.mul(tf.abs(tf.sub(t, p)), 100), tf.maximum(tf.abs(t), EPS))),
  }),
  elementwise({
    id: "W25",
    title: "MeanSquaredLogarithmicError",
    className: "MeanSquaredLogarithmicError",
    datasetName: "regression",
    best: "meanSquaredLogarithmicError",
    ref: reference.meanSquaredLogarithmicError,
    tfNote: "composed as Keras: mean((log1p(maximum(p, eps)) - log1p(maximum(t, eps)))^2)",
    tfLoss: (tf, t, p) => tf.mean(tf.square(tf.sub(tf.log1p(tf.maximum(p, EPS)), tf.log1p(tf.maximum(t, EPS))))),
  }),
  classRows({
    id: "W26",
    title: "CategoricalHinge",
    className: "CategoricalHinge",
    pick: (d) => [d.oneHot, d.logits],
    best: "categoricalHinge",
    ref: reference.categoricalHinge,
    tfNote: "composed as Keras: maximum(max((1 - y) x) - sum(y x) + 1, 0)",
    tfLoss: (tf, y, x) => tf.mean(tf.maximum(tf.add(tf.sub(tf.max(tf.mul(tf.sub(1, y), x), -1), tf.sum(tf.mul(y, x), -1)), 1), 0)),
  }),
];

for (const w of VALUE_WORKLOADS) w.kind = "value";

/** The valueAndGrad twin of a value workload: id + "g", the same data, gradient with respect to yPred. */
function valueAndGradWorkload(w) {
  return {
    ...w,
    id: `${w.id}g`,
    title: `${w.title} valueAndGrad`,
    kind: "valueAndGrad",
    valueOf: w.id,
    sweep: false,
    tfNote: w.tf ? `tf.valueAndGrads of: ${w.tfNote}` : w.tfNote,
    tfjsBuiltin: undefined,
    naive: w.naiveGrad,
  };
}

/** Every workload, each valueAndGrad right after its value (they share their data). */
export const WORKLOADS = VALUE_WORKLOADS.flatMap((w) => [w, valueAndGradWorkload(w)]);

/** Issue 5's ids of two valueAndGrad workloads, still accepted by --only. */
const ALIASES = { W12: "W1g", W13: "W7g" };

/** Workloads selected by `--only W1,W5g` (all when the list is empty; W12 and W13 mean W1g and W7g). */
export function selectWorkloads(only) {
  if (!only || only.length === 0) return WORKLOADS;
  const wanted = new Set(only.map((s) => s.trim().toUpperCase()).map((s) => ALIASES[s] ?? s).map((s) => s.replace(/G$/, "g")));
  const unknown = [...wanted].filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknown.length) throw new Error(`unknown workload ${unknown.join(", ")}; known: ${WORKLOADS.map((w) => w.id).join(", ")}`);
  return WORKLOADS.filter((w) => wanted.has(w.id));
}

/** Float64 copies of a data set's float32 arrays (integer arrays and numbers unchanged). */
export function toFloat64(d) {
  const out = {};
  for (const [k, v] of Object.entries(d)) out[k] = v instanceof Float32Array ? Float64Array.from(v) : v;
  return out;
}

/**
 * Batch-1 calls (issue 10: ≤ 0.5 µs per call): the per-call overhead with almost no data.
 * Each reuses a table workload's implementations on one-row data.
 */
export const BATCH1_WORKLOADS = [
  { base: "W1", id: "B1", title: "MeanSquaredError [1,1]", kind: "value", data: () => dataset("regression", { B: 1, D: 1 }) },
  { base: "W1", id: "B1g", title: "MeanSquaredError [1,1] valueAndGrad", kind: "valueAndGrad", data: () => dataset("regression", { B: 1, D: 1 }) },
  { base: "W1", id: "B2", title: "MeanSquaredError [1,128]", kind: "value", data: () => dataset("regression", { B: 1, D: 128 }) },
  { base: "W5", id: "B3", title: "BinaryCrossentropy(fromLogits) [1,128]", kind: "value", data: () => dataset("binary", { B: 1, D: 128 }) },
  { base: "W7", id: "B4", title: "CategoricalCrossentropy(fromLogits) [1,10]", kind: "value", data: () => dataset("classes", { B: 1, C: 10 }) },
  { base: "W7", id: "B4g", title: "CategoricalCrossentropy(fromLogits) [1,10] valueAndGrad", kind: "valueAndGrad", data: () => dataset("classes", { B: 1, C: 10 }) },
].map(({ base, ...rest }) => {
  const w = VALUE_WORKLOADS.find((x) => x.id === base);
  return { ...w, ...rest, valueOf: rest.kind === "valueAndGrad" ? rest.id.slice(0, -1) : undefined, sweep: false, tfjsBuiltin: undefined, naive: rest.kind === "valueAndGrad" ? w.naiveGrad : w.naive };
});
