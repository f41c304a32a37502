// The calls the Keras guides and TensorFlow Addons docs make beyond keras.losses, computed
// with losskit and printed beside the number TFA, torchvision or the guide documents.
// Exits non-zero if any differs.
// Run: node scripts/ensure-built.mjs && node examples/guides.mjs
import * as lk from "../dist/index.js";

// ---------------------------------------------------------------------------------------
// Focal loss on an imbalanced toy set (tfa.losses.SigmoidFocalCrossEntropy)
// ---------------------------------------------------------------------------------------
// TFA's docstring: two positives and one negative, each predicted well; reduction "none".
const focalTrue = [[1.0], [1.0], [0.0]];
const focalPred = [[0.97], [0.91], [0.03]];
// TFA's focal_loss_test.py: the focal factor shrinks the crossentropy of easy examples by
// orders of magnitude (bce / focal ~ 1000 for p = 0.97, 10 for p = 0.73).
const ratioTrue = [[1], [1], [1], [0], [0], [0]];
const ratioPred = [[0.97], [0.91], [0.73], [0.27], [0.09], [0.03]];
const orderOfRatio = () => {
  const bce = lk.sigmoidFocalCrossentropy(ratioTrue, ratioPred, { alpha: null, gamma: null }).toArray().flat();
  const focal = lk.sigmoidFocalCrossentropy(ratioTrue, ratioPred, { alpha: null, gamma: 2 }).toArray().flat();
  return bce.map((b, i) => 10 ** Math.floor(Math.log10(b / focal[i])));
};

const focalExamples = [
  {
    title: "new SigmoidFocalCrossEntropy()([[1], [1], [0]], [[0.97], [0.91], [0.03]])   (TFA docstring)",
    run: () => new lk.SigmoidFocalCrossEntropy()(focalTrue, focalPred),
    reference: [6.8532745e-6, 1.909787e-4, 2.0559824e-5],
    rtol: 1e-5,
    atol: 0,
  },
  {
    title: "new SigmoidFocalCrossEntropy({ reduction: \"sum_over_batch_size\" }): the mean of those values",
    run: () => new lk.SigmoidFocalCrossEntropy({ reduction: "sum_over_batch_size" })(focalTrue, focalPred),
    reference: (6.8532745e-6 + 1.909787e-4 + 2.0559824e-5) / 3,
    rtol: 1e-5,
    atol: 0,
  },
  { title: "order of bce / focal on TFA's six-sample set   (focal_loss_test.py)", run: orderOfRatio, reference: [1000, 100, 10, 10, 100, 1000], rtol: 0, atol: 0 },
];

// ---------------------------------------------------------------------------------------
// GIoU on two boxes (tfa.losses.GIoULoss), and torchvision's DIoU / CIoU
// ---------------------------------------------------------------------------------------
const boxes1 = [[4.0, 3.0, 7.0, 5.0], [5.0, 6.0, 10.0, 7.0]];
const boxes2 = [[3.0, 4.0, 6.0, 8.0], [14.0, 14.0, 15.0, 15.0]];

const boxExamples = [
  { title: "giouLoss([4, 3, 7, 5], [3, 4, 6, 8])   (two boxes; giou_loss_test.py test_one_bbox)", run: () => lk.giouLoss([4, 3, 7, 5], [3, 4, 6, 8]), reference: 1.075, rtol: 1e-6 },
  { title: "new GIoULoss()(boxes1, boxes2)   (TFA docstring)", run: () => new lk.GIoULoss()(boxes1, boxes2), reference: 1.5041667, rtol: 1e-6 },
  { title: "giouLoss(boxes1, boxes2, { mode: \"iou\" })   (giou_loss_test.py test_iou)", run: () => lk.giouLoss(boxes1, boxes2, { mode: "iou" }), reference: [0.875, 1.0], rtol: 1e-6 },
  { title: "diouLoss([-1, -1, 1, 1], [0, 1, 1, 2])   (torchvision test_ops.py)", run: () => lk.diouLoss([-1, -1, 1, 1], [0, 1, 1, 2]), reference: 1.1923, rtol: 0, atol: 1e-4 },
  { title: "new CIoULoss()([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, 1, 1, 2], [1, 1, 2, 2]])   (torchvision test_ops.py, mean)", run: () => new lk.CIoULoss()([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, 1, 1, 2], [1, 1, 2, 2]]), reference: 1.225, rtol: 1e-6 },
];

// ---------------------------------------------------------------------------------------
// Triplet and other metric-learning losses (TripletSemiHardLoss on labelled embeddings, the
// guide's split triplet_loss, …) are in ./guides-metric.mjs, run at the end of this file.

// ---------------------------------------------------------------------------------------
// The soft F-beta loss
// ---------------------------------------------------------------------------------------
// The hand-written soft F1 (stats.stackexchange.com/questions/554907): for y = [1, 0, 1, 0]
// and p = [0.8, 0.3, 0.4, 0.7] the guide computes tp = 1.2, fp = 1.0, fn = 0.8, so
// soft F1 = 2 tp / (2 tp + fp + fn) and the loss is one minus that.
const guideTp = 1.2, guideFp = 1.0, guideFn = 0.8;
const fbetaTrue = [[1, 1, 1], [1, 0, 0], [1, 1, 0]];
const fbetaPred = [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]].map((row) => row.map((v) => (v > 0.5 ? 1 : 0)));

const fbetaExamples = [
  { title: "fBeta([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.7])   (the guide's soft F1 from tp, fp, fn)", run: () => lk.fBeta([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.7]), reference: 1 - (2 * guideTp) / (2 * guideTp + guideFp + guideFn), rtol: 1e-6 },
  {
    title: "1 - FBeta({ beta: 2, axis: 0, reduction: \"none\" }) on thresholded predictions   (keras.metrics.FBetaScore docstring)",
    run: () => new lk.FBeta({ beta: 2, axis: 0, reduction: "none" })(fbetaTrue, fbetaPred).toArray().map((v) => 1 - v),
    reference: [0.3846154, 0.90909094, 0.8333332],
    rtol: 1e-6,
    atol: 2e-7,
  },
];

// ---------------------------------------------------------------------------------------
// The other TensorFlow Addons docstrings
// ---------------------------------------------------------------------------------------
const kappaTrue = [[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]];
const kappaPred = [[0.1, 0.2, 0.6, 0.1], [0.1, 0.5, 0.3, 0.1], [0.8, 0.05, 0.05, 0.1], [0.01, 0.09, 0.1, 0.8]];
const tfaExamples = [
  { title: "new PinballLoss({ tau: 0.1 })([0, 0, 1, 1], [1, 1, 1, 0])   (TFA docstring)", run: () => new lk.PinballLoss({ tau: 0.1 })([0, 0, 1, 1], [1, 1, 1, 0]), reference: 0.475, rtol: 1e-6 },
  { title: "new ContrastiveLoss()(y, distances)   (contrastive_test.py)", run: () => new lk.ContrastiveLoss()([0, 0, 1, 1, 0, 1], [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]), reference: 0.621666, rtol: 1e-6 },
  { title: "new WeightedKappaLoss({ numClasses: 4 })(yTrue, yPred)   (TFA docstring)", run: () => new lk.WeightedKappaLoss({ numClasses: 4 })(kappaTrue, kappaPred), reference: -1.1611925, rtol: 1e-6 },
  {
    title: "sparsemaxLoss(q, [[0, -inf, 0], [0, -inf, -inf], [-inf, -inf, 0], [-inf, -inf, -inf]])   (sparsemax_loss_test.py)",
    run: () => lk.sparsemaxLoss([[0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 0, 1]], [[0, -Infinity, 0], [0, -Infinity, -Infinity], [-Infinity, -Infinity, 0], [-Infinity, -Infinity, -Infinity]]),
    reference: [0.25, Infinity, 0, NaN],
    rtol: 0,
    atol: 0,
  },
];

const sections = [
  ["Focal loss on an imbalanced toy set", focalExamples],
  ["GIoU on two boxes; DIoU and CIoU", boxExamples],
  ["The soft F-beta loss", fbetaExamples],
  ["TensorFlow Addons docstrings", tfaExamples],
];

const flatten = (x) => (typeof x === "number" ? [x] : x instanceof lk.Tensor ? Array.from(x.toTypedArray("float64")) : x.flat(Infinity));
const show = (x) => (typeof x === "number" ? String(Number(x.toPrecision(8))) : `[${flatten(x).map((v) => Number(v.toPrecision(8))).join(", ")}]`);
// Equal within atol + rtol |reference|; infinities and NaN must match exactly.
const close = (v, w, rtol, atol) => (Number.isFinite(w) ? Math.abs(v - w) <= atol + rtol * Math.abs(w) : Object.is(v, w) || (Number.isNaN(v) && Number.isNaN(w)));

let failures = 0, total = 0;
for (const [heading, examples] of sections) {
  console.log(`\n## ${heading}`);
  if (examples.length === 0) console.log("   (none yet)");
  for (const { title, run, reference, rtol = 1e-5, atol = 1e-6 } of examples) {
    total++;
    const value = run();
    const got = flatten(value);
    const want = flatten(reference);
    const ok = got.length === want.length && got.every((v, i) => close(v, want[i], rtol, atol));
    if (!ok) failures++;
    console.log(`${ok ? "ok  " : "FAIL"} ${title}\n     losskit ${show(value)}   reference ${show(reference)}`);
  }
}
console.log(`\n${total - failures} of ${total} examples match their reference`);
if (failures > 0) process.exit(1);

// The metric-learning guides (exits non-zero on a mismatch too).
console.log("\n# Metric learning");
await import("./guides-metric.mjs");
