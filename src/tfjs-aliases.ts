/**
 * TensorFlow.js loss names, for code moving from `tf.losses.*` (tfjs-core) and tfjs-layers'
 * `cosineProximity`: `getLoss("softmaxCrossEntropy")` gives the losskit loss with the same
 * per-element math. What each tfjs function computes: tfjs-core `src/ops/losses/*.ts` and
 * tfjs-layers `src/losses.ts` (v4.22.0).
 *
 * The reduction differs in form, not in value: tfjs's default, `SUM_BY_NONZERO_WEIGHTS`,
 * divides the weighted sum of the elementwise losses by the number of non-zero weights
 * (of all elements when unweighted); losskit (as Keras) averages each sample's elements,
 * then divides by the number of samples. Unweighted, both are the mean over all elements.
 * With one weight per sample (`[batch]` or `[batch, 1]`), tfjs's value is losskit's with the
 * weights also given as the mask: `loss(yTrue, yPred, w, { mask: w })`.
 */

/** A tfjs loss name and the losskit loss with the same math. */
export interface TfjsAlias {
  /** The losskit (Keras) class name. */
  readonly className: string;
  /** Options that give tfjs's math (e.g. `fromLogits: true` for the `*CrossEntropy` functions, which take logits). */
  readonly config: Readonly<Record<string, unknown>>;
  /** How tfjs's definition compares. */
  readonly note: string;
}

/**
 * tfjs name → the losskit loss with the same math, with the differences spelled out.
 * `getLoss(tfjsName)` builds it (a user registration of the same name wins).
 *
 * @example
 * // TFJS_ALIASES.softmaxCrossEntropy.className is "CategoricalCrossentropy", with fromLogits: true
 * getLoss("softmaxCrossEntropy")([[0, 1]], [[0, 0]]); // 0.6931 (log 2: two equal logits)
 */
export const TFJS_ALIASES: Readonly<Record<string, TfjsAlias>> = {
  // Plain data (no calls), so that bundles which never use the registry drop it.
  absoluteDifference: {
    className: "MeanAbsoluteError",
    config: {},
    note: "tf.losses.absoluteDifference: |y - ŷ| per element; the same mean.",
  },
  meanSquaredError: {
    className: "MeanSquaredError",
    config: {},
    note: "tf.losses.meanSquaredError: (y - ŷ)² per element; the same mean.",
  },
  huberLoss: {
    className: "Huber",
    config: {},
    note: "tf.losses.huberLoss: 0.5·min(|e|, δ)² + δ·(|e| - min(|e|, δ)), the same formula; tfjs's 4th argument delta is the delta option.",
  },
  hingeLoss: {
    className: "Hinge",
    config: {},
    note:
      "tf.losses.hingeLoss: max(0, 1 - (2y - 1)·ŷ), always mapping labels to 2y - 1 (0/1 labels expected); " +
      "losskit (as Keras) maps labels only when all are 0 or 1 and keeps -1/1 labels. The same for 0/1 labels.",
  },
  logLoss: {
    className: "BinaryCrossentropy",
    config: {},
    note:
      "tf.losses.logLoss: -y·log(p + ε) - (1 - y)·log(1 - p + ε), adding ε = 1e-7; losskit (as Keras) clips p to [ε, 1 - ε] instead. " +
      "The two differ by about ε/p (ε/(1 - p)): at most 1e-6 for p in [0.1, 0.9].",
  },
  sigmoidCrossEntropy: {
    className: "BinaryCrossentropy",
    config: { fromLogits: true },
    note: "tf.losses.sigmoidCrossEntropy: from logits, max(x, 0) - x·z + log1p(e^-|x|), label smoothing z·(1 - ls) + ls/2: the same as fromLogits: true.",
  },
  softmaxCrossEntropy: {
    className: "CategoricalCrossentropy",
    config: { fromLogits: true },
    note: "tf.losses.softmaxCrossEntropy: from logits, logsumexp(x) - Σ z·x along the last axis, label smoothing z·(1 - ls) + ls/C: the same as fromLogits: true.",
  },
  cosineDistance: {
    className: "CosineSimilarity",
    config: {},
    note:
      "tf.losses.cosineDistance: 1 - Σ y·ŷ along axis, WITHOUT normalizing (it expects unit vectors); losskit (as Keras) computes -Σ ŷ·y " +
      "after L2-normalizing both. On unit vectors tfjs's value is 1 + losskit's, and the gradients agree up to the normalization.",
  },
  cosineProximity: {
    className: "CosineSimilarity",
    config: {},
    note:
      "tfjs-layers cosineProximity: -Σ l2normalize(y)·l2normalize(ŷ), the same; tfjs-layers floors the squared norm at 1e-7, " +
      "losskit (as Keras) at 1e-14, which matters only for vectors of norm below 3e-4.",
  },
};

/** `{ className, config }` of the losskit loss for a tfjs loss name, or `undefined`. */
export function tfjsAlias(name: string): { className: string; config: Record<string, unknown> } | undefined {
  if (!Object.prototype.hasOwnProperty.call(TFJS_ALIASES, name)) return undefined;
  const entry = TFJS_ALIASES[name]!;
  return { className: entry.className, config: { ...entry.config } };
}
