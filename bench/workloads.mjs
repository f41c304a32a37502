// The workloads of issue 5: for each, its data, the float64 reference, the hand-written
// loop, the losskit call and the TensorFlow.js version (tfjs-core's own loss where it has
// one, otherwise the Keras formula composed from tfjs ops, as tfjs-layers does).
//
// Every implementation returns the Keras default reduction ("sum_over_batch_size"), a
// number; valueAndGrad workloads return { value, grad } with grad = d value / d yPred.

import { dataset } from "./data.mjs";
import * as loops from "./loops.mjs";
import { reference } from "./reference.mjs";

const EPS = 1e-7;

/** A tfjs loss call that returns a number and frees everything it made. */
function tfScalar(tf, f) {
  return () => {
    const v = tf.tidy(f);
    const x = v.dataSync()[0];
    v.dispose();
    return x;
  };
}

/** tfjs value and gradient with respect to `x` (tf.valueAndGrads), read back to JS. */
function tfValueAndGrad(tf, f, x) {
  const vg = tf.valueAndGrads(f);
  return () => {
    const { value, grads } = vg([x]);
    const v = value.dataSync()[0];
    const g = grads[0].dataSync();
    tf.dispose([value, grads[0]]);
    return { value: v, grad: g };
  };
}

function tensors(tf, list) {
  const made = list.map(([data, shape, dtype]) => tf.tensor(data, shape, dtype));
  return { made, dispose: () => tf.dispose(made) };
}

/** losskit: a loss instance called on zero-copy tensors over the same typed arrays. */
function lkValue(lk, loss, yTrue, trueShape, yPred, predShape) {
  const t = lk.tensor(yTrue, trueShape);
  const p = lk.tensor(yPred, predShape);
  return () => loss(t, p);
}

function lkValueAndGrad(lk, loss, yTrue, shape, yPred) {
  const t = lk.tensor(yTrue, shape);
  const p = lk.tensor(yPred, shape);
  return () => {
    const { value, grad } = loss.valueAndGrad(t, p);
    return { value, grad: grad.data };
  };
}

// --- workload families -----------------------------------------------------------

/** An elementwise loss over [B, D] reduced over the last axis. */
function elementwise({ id, title, className, options, datasetName, loop, ref, tfjs, tfNote, sweep, tfjsBuiltin }) {
  return {
    tfjsBuiltin: tfjsBuiltin && {
      note: tfjsBuiltin.note,
      run: (tf, d) => {
        const { made, dispose } = tensors(tf, [[d.yTrue, d.shape], [d.yPred, d.shape]]);
        try {
          return tfScalar(tf, () => tfjsBuiltin.fn(tf, ...made))();
        } finally {
          dispose();
        }
      },
    },
    id,
    title,
    className,
    options,
    kind: "value",
    sweep,
    data: (B, { sweepSize } = {}) => dataset(datasetName, { B, D: sweepSize ?? 1024 }),
    shapeOf: (d) => `[${d.B},${d.D}]`,
    elements: (d) => d.yPred.length,
    reference: (d) => ({ value: ref(d.yTrue, d.yPred, d.B, d.D) }),
    loop: (d) => () => loop(d.yTrue, d.yPred, d.B, d.D),
    losskit: (lk, d) => lkValue(lk, new lk[className](options), d.yTrue, d.shape, d.yPred, d.shape),
    tfjsNote: tfNote,
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.yTrue, d.shape], [d.yPred, d.shape]]);
      const [t, p] = made;
      return { run: tfScalar(tf, () => tfjs(tf, t, p)), dispose };
    },
  };
}

/** A loss over class rows [B, C]. */
function classRows({ id, title, className, options, datasetName = "classes", inputs, loop, ref, tfjs, tfNote }) {
  return {
    id,
    title,
    className,
    options,
    kind: "value",
    data: (B) => dataset(datasetName, { B, C: 1000 }),
    shapeOf: (d) => `[${d.B},${d.C}]`,
    elements: (d) => d.B * d.C,
    reference: (d) => ({ value: ref(...inputs(d), d.B, d.C) }),
    loop: (d) => {
      const [a, b] = inputs(d);
      return () => loop(a, b, d.B, d.C);
    },
    losskit: (lk, d) => {
      const [a, b] = inputs(d);
      return lkValue(lk, new lk[className](options), a, a.length === d.B ? [d.B] : d.shape, b, d.shape);
    },
    tfjsNote: tfNote,
    tfjs: (tf, d) => tfjs(tf, d),
  };
}

export const WORKLOADS = [
  elementwise({
    id: "W1",
    title: "MeanSquaredError",
    className: "MeanSquaredError",
    datasetName: "regression",
    sweep: true,
    loop: loops.meanSquaredError,
    ref: reference.meanSquaredError,
    tfNote: "tf.losses.meanSquaredError",
    tfjs: (tf, t, p) => tf.losses.meanSquaredError(t, p),
  }),
  elementwise({
    id: "W2",
    title: "MeanAbsoluteError",
    className: "MeanAbsoluteError",
    datasetName: "regression",
    loop: loops.meanAbsoluteError,
    ref: reference.meanAbsoluteError,
    tfNote: "tf.losses.absoluteDifference",
    tfjs: (tf, t, p) => tf.losses.absoluteDifference(t, p),
  }),
  elementwise({
    id: "W3",
    title: "Huber(delta=1)",
    className: "Huber",
    options: { delta: 1 },
    datasetName: "regression",
    loop: (t, p) => loops.huber(t, p, 1),
    ref: (t, p, B, D) => reference.huber(t, p, B, D, 1),
    tfNote: "tf.losses.huberLoss(delta=1)",
    tfjs: (tf, t, p) => tf.losses.huberLoss(t, p, undefined, 1),
  }),
  elementwise({
    id: "W4",
    title: "LogCosh",
    className: "LogCosh",
    datasetName: "regression",
    loop: loops.logCosh,
    ref: reference.logCosh,
    tfNote: "composed as tfjs-layers' logcosh: x + softplus(-2x) - log 2",
    tfjs: (tf, t, p) => {
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
    loop: loops.binaryCrossentropyFromLogits,
    ref: reference.binaryCrossentropyFromLogits,
    tfNote: "tf.losses.sigmoidCrossEntropy",
    tfjs: (tf, t, p) => tf.losses.sigmoidCrossEntropy(t, p),
  }),
  elementwise({
    id: "W6",
    title: "BinaryCrossentropy(probabilities)",
    className: "BinaryCrossentropy",
    datasetName: "probabilities",
    loop: loops.binaryCrossentropy,
    ref: reference.binaryCrossentropy,
    tfNote: "tf.losses.logLoss (adds epsilon inside the log where Keras clips)",
    tfjs: (tf, t, p) => tf.losses.logLoss(t, p, undefined, EPS),
  }),
  classRows({
    id: "W7",
    title: "CategoricalCrossentropy(fromLogits)",
    className: "CategoricalCrossentropy",
    options: { fromLogits: true },
    inputs: (d) => [d.oneHot, d.logits],
    loop: loops.categoricalCrossentropyFromLogits,
    ref: reference.categoricalCrossentropyFromLogits,
    tfNote: "tf.losses.softmaxCrossEntropy",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.oneHot, d.shape], [d.logits, d.shape]]);
      const [y, x] = made;
      return { run: tfScalar(tf, () => tf.losses.softmaxCrossEntropy(y, x)), dispose };
    },
  }),
  classRows({
    id: "W8",
    title: "SparseCategoricalCrossentropy(fromLogits)",
    className: "SparseCategoricalCrossentropy",
    options: { fromLogits: true },
    inputs: (d) => [d.labels, d.logits],
    loop: loops.sparseCategoricalCrossentropyFromLogits,
    ref: reference.sparseCategoricalCrossentropyFromLogits,
    tfNote: "tf.oneHot + tf.losses.softmaxCrossEntropy (tfjs-core has no sparse crossentropy)",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.labelsInt, [d.B], "int32"], [d.logits, d.shape]]);
      const [labels, x] = made;
      return { run: tfScalar(tf, () => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, d.C), x)), dispose };
    },
  }),
  classRows({
    id: "W9",
    title: "KLDivergence",
    className: "KLDivergence",
    datasetName: "distributions",
    inputs: (d) => [d.yTrue, d.yPred],
    loop: (t, p, B) => loops.klDivergence(t, p, B),
    ref: reference.klDivergence,
    tfNote: "composed: sum(clip(t) * log(clip(t) / clip(p)), -1), clip to [1e-7, 1]",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.yTrue, d.shape], [d.yPred, d.shape]]);
      const [t, p] = made;
      return {
        run: tfScalar(tf, () => {
          const a = tf.clipByValue(t, EPS, 1), b = tf.clipByValue(p, EPS, 1);
          return tf.mean(tf.sum(tf.mul(a, tf.log(tf.div(a, b))), -1));
        }),
        dispose,
      };
    },
  }),
  elementwise({
    id: "W10",
    title: "CosineSimilarity",
    className: "CosineSimilarity",
    datasetName: "regression",
    loop: loops.cosineSimilarity,
    ref: reference.cosineSimilarity,
    tfNote: "composed: -sum(l2norm(t) * l2norm(p), -1), Keras's x * min(rsqrt(sum x^2), 1e7)",
    tfjs: (tf, t, p) => {
      const norm = (x) => tf.mul(x, tf.minimum(tf.rsqrt(tf.sum(tf.square(x), -1, true)), 1e7));
      return tf.mean(tf.neg(tf.sum(tf.mul(norm(t), norm(p)), -1)));
    },
  }),
  elementwise({
    id: "W11",
    title: "Hinge (labels ±1)",
    className: "Hinge",
    datasetName: "hinge",
    loop: loops.hinge,
    ref: reference.hinge,
    tfNote: "composed: mean(max(1 - y p, 0)) (tf.losses.hingeLoss assumes {0,1} labels: wrong here)",
    tfjs: (tf, t, p) => tf.mean(tf.maximum(tf.sub(1, tf.mul(t, p)), 0)),
    tfjsBuiltin: { note: "tf.losses.hingeLoss on ±1 labels (it maps labels with 2y - 1)", fn: (tf, t, p) => tf.losses.hingeLoss(t, p) },
  }),
  {
    id: "W12",
    title: "MeanSquaredError valueAndGrad",
    className: "MeanSquaredError",
    kind: "valueAndGrad",
    valueOf: "W1",
    data: (B) => dataset("regression", { B, D: 1024 }),
    shapeOf: (d) => `[${d.B},${d.D}]`,
    elements: (d) => d.yPred.length,
    reference: (d) => ({ value: reference.meanSquaredError(d.yTrue, d.yPred, d.B, d.D), grad: reference.meanSquaredErrorGrad(d.yTrue, d.yPred) }),
    loop: (d) => () => loops.meanSquaredErrorValueAndGrad(d.yTrue, d.yPred),
    losskit: (lk, d) => lkValueAndGrad(lk, new lk.MeanSquaredError(), d.yTrue, d.shape, d.yPred),
    tfjsNote: "tf.valueAndGrads(tf.losses.meanSquaredError)",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.yTrue, d.shape], [d.yPred, d.shape]]);
      const [t, p] = made;
      return { run: tfValueAndGrad(tf, (x) => tf.losses.meanSquaredError(t, x), p), dispose };
    },
  },
  {
    id: "W13",
    title: "CategoricalCrossentropy(fromLogits) valueAndGrad",
    className: "CategoricalCrossentropy",
    options: { fromLogits: true },
    kind: "valueAndGrad",
    valueOf: "W7",
    data: (B) => dataset("classes", { B, C: 1000 }),
    shapeOf: (d) => `[${d.B},${d.C}]`,
    elements: (d) => d.B * d.C,
    reference: (d) => ({
      value: reference.categoricalCrossentropyFromLogits(d.oneHot, d.logits, d.B, d.C),
      grad: reference.categoricalCrossentropyFromLogitsGrad(d.oneHot, d.logits, d.B, d.C),
    }),
    loop: (d) => () => loops.categoricalCrossentropyFromLogitsValueAndGrad(d.oneHot, d.logits, d.B, d.C),
    losskit: (lk, d) => lkValueAndGrad(lk, new lk.CategoricalCrossentropy({ fromLogits: true }), d.oneHot, d.shape, d.logits),
    tfjsNote: "tf.valueAndGrads(tf.losses.softmaxCrossEntropy)",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.oneHot, d.shape], [d.logits, d.shape]]);
      const [y, x] = made;
      return { run: tfValueAndGrad(tf, (z) => tf.losses.softmaxCrossEntropy(y, z), x), dispose };
    },
  },
  elementwise({
    id: "W14",
    title: "BinaryFocalCrossentropy(fromLogits, classBalancing)",
    className: "BinaryFocalCrossentropy",
    options: { fromLogits: true, applyClassBalancing: true, alpha: 0.25, gamma: 2 },
    datasetName: "binary",
    loop: (z, x) => loops.binaryFocalCrossentropyFromLogits(z, x),
    ref: (z, x, B, D) => reference.binaryFocalCrossentropyFromLogits(z, x, B, D),
    tfNote: "composed as Keras: sigmoid, clipped BCE, (1 - p_t)^2, alpha weights",
    tfjs: (tf, z, x) => {
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
    inputs: (d) => [d.oneHot, d.logits],
    loop: (y, x, B, C) => loops.categoricalFocalCrossentropyFromLogits(y, x, B, C),
    ref: (y, x, B, C) => reference.categoricalFocalCrossentropyFromLogits(y, x, B, C),
    tfNote: "composed as Keras: softmax, renormalize, clip, -0.25 (1 - o)^2 y log o",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.oneHot, d.shape], [d.logits, d.shape]]);
      const [y, x] = made;
      return {
        run: tfScalar(tf, () => {
          const sm = tf.softmax(x);
          const o = tf.clipByValue(tf.div(sm, tf.sum(sm, -1, true)), EPS, 1 - EPS);
          const cce = tf.neg(tf.mul(y, tf.log(o)));
          const w = tf.mul(tf.square(tf.sub(1, o)), 0.25);
          return tf.mean(tf.sum(tf.mul(w, cce), -1));
        }),
        dispose,
      };
    },
  }),
  {
    id: "W16",
    title: "Dice(axis=[1,2,3])",
    className: "Dice",
    options: { axis: [1, 2, 3] },
    kind: "value",
    data: (B) => dataset("segmentation", { B, D: 1024 }),
    shapeOf: (d) => `[${d.shape.join(",")}]`,
    elements: (d) => d.yPred.length,
    reference: (d) => ({ value: reference.dice(d.yTrue, d.yPred, d.B, d.D) }),
    loop: (d) => () => loops.dice(d.yTrue, d.yPred, d.B, d.D),
    losskit: (lk, d) => lkValue(lk, new lk.Dice({ axis: [1, 2, 3] }), d.yTrue, d.shape, d.yPred, d.shape),
    tfjsNote: "composed as Keras: 1 - 2 sum(t p) / (sum t + sum p + eps) over axes 1-3",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.yTrue, d.shape], [d.yPred, d.shape]]);
      const [t, p] = made;
      const axes = [1, 2, 3];
      return {
        run: tfScalar(tf, () => {
          const inter = tf.sum(tf.mul(t, p), axes);
          const denom = tf.add(tf.add(tf.sum(t, axes), tf.sum(p, axes)), EPS);
          return tf.mean(tf.sub(1, tf.div(tf.mul(inter, 2), denom)));
        }),
        dispose,
      };
    },
  },
  {
    id: "W17",
    title: "CTC",
    className: "CTC",
    kind: "value",
    data: (B) => dataset("ctc", { B: Math.max(1, B >> 4), T: 100, C: 32, L: 20 }),
    shapeOf: (d) => `[${d.B},${d.T},${d.C}] L=${d.L}`,
    elements: (d) => d.logits.length,
    reference: (d) => ({ value: reference.ctc(d.labels, d.logits, d.B, d.T, d.C, d.L) }),
    loop: (d) => () => loops.ctc(d.labels, d.logits, d.B, d.T, d.C, d.L),
    losskit: (lk, d) => lkValue(lk, new lk.CTC(), d.labels, [d.B, d.L], d.logits, [d.B, d.T, d.C]),
    tfjsNote: "none: TensorFlow.js has no CTC loss",
    tfjs: null,
  },
  {
    id: "W18",
    title: "Circle(gamma=80, margin=0.4)",
    className: "Circle",
    kind: "value",
    data: (B) => dataset("circle", { B: Math.max(2, B >> 2), E: 128, K: 32 }),
    shapeOf: (d) => `[${d.B},${d.E}] K=${d.K}`,
    elements: (d) => d.B * d.B,
    elementsNote: "pairs (B²)",
    reference: (d) => ({ value: reference.circle(d.labels, d.embeddings, d.B, d.E) }),
    loop: (d) => () => loops.circle(d.labels, d.embeddings, d.B, d.E),
    losskit: (lk, d) => lkValue(lk, new lk.Circle(), d.labels, [d.B], d.embeddings, [d.B, d.E]),
    tfjsNote: "composed as Keras: matMul, masks, logSumExp, softplus, mean over loss > 0",
    tfjs: (tf, d) => {
      const { made, dispose } = tensors(tf, [[d.labelsInt, [d.B], "int32"], [d.embeddings, [d.B, d.E]]]);
      const [labels, e] = made;
      const B = d.B, gamma = 80, margin = 0.4;
      return {
        run: tfScalar(tf, () => {
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
          const mask = tf.cast(tf.greater(loss, 0), "float32");
          return tf.div(tf.sum(tf.mul(loss, mask)), tf.sum(mask));
        }),
        dispose,
      };
    },
  },
];

/** Workloads selected by `--only W1,W5` (all when the list is empty). */
export function selectWorkloads(only) {
  if (!only || only.length === 0) return WORKLOADS;
  const wanted = new Set(only.map((s) => s.trim().toUpperCase()));
  const unknown = [...wanted].filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknown.length) throw new Error(`unknown workload ${unknown.join(", ")}; known: ${WORKLOADS.map((w) => w.id).join(", ")}`);
  return WORKLOADS.filter((w) => wanted.has(w.id));
}
