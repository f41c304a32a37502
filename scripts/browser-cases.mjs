// Fixed inputs for every loss class, run by scripts/browser-test.mjs in Node, in a
// Chromium page and in a Web Worker; the three must agree. No Node or DOM APIs here:
// this module is served to the browser as it is.

const REG_TRUE = [[0.5, 1.5, -0.3, 2.0], [2.0, 0.1, 1.0, 0.4]];
const REG_PRED = [[0.7, 1.1, 0.2, 2.6], [1.4, 0.3, 1.6, -0.2]];
const BIN_TRUE = [[0, 1, 1], [1, 0, 0]];
const PROBS = [[0.2, 0.7, 0.9], [0.6, 0.4, 0.05]];
const LOGITS = [[-1.2, 0.8, 2.5], [0.3, -0.4, -3.0]];
const ONE_HOT = [[0, 1, 0], [0, 0, 1]];
const ROWS = [[0.1, 0.7, 0.2], [0.25, 0.25, 0.5]];
const SCORES = [[0.3, -0.8, 1.4], [-1.1, 0.6, 0.2]];
const MASK_TRUE = [[[[1], [0]], [[1], [1]]], [[[0], [0]], [[1], [0]]]];
const MASK_PRED = [[[[0.9], [0.2]], [[0.6], [0.8]]], [[[0.1], [0.3]], [[0.7], [0.4]]]];
// Keras losses_test.py CircleTest: L2-normalized embeddings.
const EMBEDDINGS = [
  [0.70014004, -0.42008403, 0.14002801, 0.56011203],
  [0.17609018, 0.70436073, -0.52827054, 0.44022545],
  [-0.34050261, 0.25537696, -0.68100522, 0.59587957],
  [0.32163376, -0.75047877, 0.53605627, -0.21442251],
  [0.51261459, -0.34174306, 0.17087153, 0.76892189],
];
const CTC_LOGITS = [0, 1].map((b) => [0, 1, 2, 3].map((t) => [0, 1, 2].map((c) => (12 * b + 3 * t + c - 12) / 100)));

/** [name, make(lib), yTrue, yPred, sampleWeight?]: one case or more per loss class. Default weights: one per sample, 0.3 to 0.7. */
export const CASES = [
  ["MeanSquaredError", (l) => new l.MeanSquaredError(), REG_TRUE, REG_PRED],
  ["MeanAbsoluteError", (l) => new l.MeanAbsoluteError(), REG_TRUE, REG_PRED],
  ["MeanAbsolutePercentageError", (l) => new l.MeanAbsolutePercentageError(), REG_TRUE, REG_PRED],
  ["MeanSquaredLogarithmicError", (l) => new l.MeanSquaredLogarithmicError(), REG_TRUE, REG_PRED],
  ["CosineSimilarity", (l) => new l.CosineSimilarity(), REG_TRUE, REG_PRED],
  ["Huber", (l) => new l.Huber({ delta: 0.5 }), REG_TRUE, REG_PRED],
  ["LogCosh", (l) => new l.LogCosh(), REG_TRUE, REG_PRED],
  ["BinaryCrossentropy", (l) => new l.BinaryCrossentropy(), BIN_TRUE, PROBS],
  ["BinaryCrossentropy fromLogits labelSmoothing", (l) => new l.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), BIN_TRUE, LOGITS],
  ["BinaryFocalCrossentropy", (l) => new l.BinaryFocalCrossentropy({ gamma: 2 }), BIN_TRUE, PROBS],
  ["BinaryFocalCrossentropy fromLogits balanced", (l) => new l.BinaryFocalCrossentropy({ fromLogits: true, applyClassBalancing: true }), BIN_TRUE, LOGITS],
  ["CategoricalCrossentropy", (l) => new l.CategoricalCrossentropy(), ONE_HOT, ROWS],
  ["CategoricalCrossentropy fromLogits", (l) => new l.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }), ONE_HOT, LOGITS],
  ["CategoricalFocalCrossentropy", (l) => new l.CategoricalFocalCrossentropy(), ONE_HOT, ROWS],
  ["SparseCategoricalCrossentropy", (l) => new l.SparseCategoricalCrossentropy(), [1, 2], ROWS],
  ["SparseCategoricalCrossentropy fromLogits ignoreClass", (l) => new l.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 0 }), [[1, 0], [2, 2]], [[LOGITS[0], LOGITS[1]], [LOGITS[1], LOGITS[0]]]],
  ["Poisson", (l) => new l.Poisson(), [[0, 1, 3], [2, 0, 1]], [[0.5, 1.2, 2.5], [1.5, 0.2, 0.9]]],
  ["KLDivergence", (l) => new l.KLDivergence(), ROWS, [[0.2, 0.5, 0.3], [0.3, 0.3, 0.4]]],
  ["CategoricalGeneralizedCrossEntropy", (l) => new l.CategoricalGeneralizedCrossEntropy({ q: 0.7 }), [1, 2], ROWS],
  ["Hinge", (l) => new l.Hinge(), BIN_TRUE, SCORES],
  ["SquaredHinge", (l) => new l.SquaredHinge(), [[-1, 1, 1], [1, -1, -1]], SCORES],
  ["CategoricalHinge", (l) => new l.CategoricalHinge(), ONE_HOT, SCORES],
  ["Dice", (l) => new l.Dice(), MASK_TRUE, MASK_PRED, 0.5],
  ["Dice axis", (l) => new l.Dice({ axis: [1, 2, 3] }), MASK_TRUE, MASK_PRED],
  ["Tversky", (l) => new l.Tversky({ alpha: 0.7, beta: 0.3 }), MASK_TRUE, MASK_PRED],
  ["Circle", (l) => new l.Circle(), [1, 1, 2, 2, 3], EMBEDDINGS],
  ["CTC", (l) => new l.CTC(), [[1, 2, 1, 0], [1, 2, 0, 2]], CTC_LOGITS],
  ["SigmoidFocalCrossEntropy", (l) => new l.SigmoidFocalCrossEntropy({ reduction: "sum_over_batch_size" }), BIN_TRUE, PROBS],
  ["SigmoidFocalCrossEntropy fromLogits", (l) => new l.SigmoidFocalCrossEntropy({ fromLogits: true }), BIN_TRUE, LOGITS],
  ["PinballLoss", (l) => new l.PinballLoss({ tau: 0.3 }), REG_TRUE, REG_PRED],
  ["ContrastiveLoss", (l) => new l.ContrastiveLoss(), [1, 0, 1, 0], [0.2, 0.5, 1.3, 0.7]],
  ["WeightedKappaLoss", (l) => new l.WeightedKappaLoss({ numClasses: 3 }), ONE_HOT, ROWS, [1]],
  ["SparsemaxLoss", (l) => new l.SparsemaxLoss(), ONE_HOT, LOGITS],
  ["GIoULoss", (l) => new l.GIoULoss(), [[0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]], [[0.1, 0.05, 1.2, 0.9], [0.2, 0.13, 0.7, 0.95]]],
  ["DIoULoss", (l) => new l.DIoULoss(), [[0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]], [[0.1, 0.05, 1.2, 0.9], [0.2, 0.13, 0.7, 0.95]]],
  ["CIoULoss", (l) => new l.CIoULoss(), [[0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]], [[0.1, 0.05, 1.2, 0.9], [0.2, 0.13, 0.7, 0.95]]],
  ["Jaccard", (l) => new l.Jaccard({ axis: [1] }), BIN_TRUE, PROBS],
  ["FBeta", (l) => new l.FBeta({ axis: 1, beta: 2 }), BIN_TRUE, PROBS],
  ["TripletSemiHardLoss", (l) => new l.TripletSemiHardLoss(), [1, 1, 2, 2, 3], EMBEDDINGS],
  ["TripletHardLoss soft", (l) => new l.TripletHardLoss({ soft: true }), [1, 1, 2, 2, 3], EMBEDDINGS],
  ["LiftedStructLoss", (l) => new l.LiftedStructLoss(), [1, 1, 2, 2, 3], EMBEDDINGS],
  ["NpairsLoss", (l) => new l.NpairsLoss(), [0, 1, 2], [[2, 0.5, -1], [0.3, 1.5, 0], [-0.5, 0.2, 1]]],
  ["NpairsMultilabelLoss", (l) => new l.NpairsMultilabelLoss(), [[1, 1, 0], [0, 1, 0], [0, 0, 1]], [[2, 0.5, -1], [0.3, 1.5, 0], [-0.5, 0.2, 1]]],
  ["TripletMarginLoss", (l) => new l.TripletMarginLoss({ margin: 0.5 }), [0, 0], [[0.1, 0.4, 0.3, 0.2, 0.9, -0.5], [1.0, -0.2, 0.8, 0.1, 0.2, 0.3]]],
  ["QuadrupletLoss", (l) => new l.QuadrupletLoss(), [0, 0], [[0.1, 0.4, 0.3, 0.2, 0.9, -0.5, 0.2, 0.2], [1.0, -0.2, 0.8, 0.1, 0.2, 0.3, -1, 0.5]]],
  ["BlendedLoss", (l) => l.blendLosses([[0.7, "mse"], [0.3, "mae"]]), REG_TRUE, REG_PRED],
];

const plain = (x) => (typeof x === "number" ? x : Array.from(x.toTypedArray("float64")));

/**
 * Every case's value (class default reduction), gradient, weighted value and weighted
 * gradient, as plain numbers; plus the loss classes `lib` exports, so the caller can check
 * that every one has a case.
 */
export function runCases(lib) {
  const results = {};
  for (const [name, make, yTrue, yPred, sampleWeight] of CASES) {
    const loss = make(lib);
    const batch = yPred.length;
    const weights = sampleWeight ?? Array.from({ length: batch }, (_, i) => 0.3 + (0.4 * i) / Math.max(1, batch - 1));
    const { value, grad } = loss.valueAndGrad(yTrue, yPred);
    const weighted = loss.valueAndGrad(yTrue, yPred, weights);
    results[name] = {
      className: loss.constructor.name,
      value: plain(loss(yTrue, yPred)),
      valueFromValueAndGrad: plain(value),
      grad: plain(grad),
      gradShape: grad.shape.slice(),
      weightedValue: plain(weighted.value),
      weightedGrad: plain(weighted.grad),
    };
  }
  const lossClasses = Object.keys(lib).filter((key) => typeof lib[key] === "function" && lib[key].prototype instanceof lib.Loss && key !== "LossFunctionWrapper");
  return { results, lossClasses, userAgent: typeof navigator === "object" ? navigator.userAgent : `Node ${globalThis.process?.version}` };
}
