/**
 * Names that survive minification. Minifiers (esbuild, terser) rename classes, so
 * `constructor.name` and `new.target.name` would print `t` or `Xe` in a user's production
 * bundle; a name set from a string literal stays. Error classes carry theirs on the
 * prototype (`err.name === "ConfigError"`); a built-in loss class gets its own the first time
 * it is constructed (`loss.constructor.name === "MeanSquaredError"`), which keeps this
 * tree-shakable: no import-time work, no class referenced from here.
 */

/** Set `cls.name` to `name` (a static, non-enumerable property, as a class's own name is). */
export function keepClassName(cls: abstract new (...args: never[]) => unknown, name: string): void {
  if (cls.name !== name) Object.defineProperty(cls, "name", { value: name, configurable: true });
}

/** `keepClassName`, plus `name` on the prototype, where `Error.prototype.name` lives, so `err.name` is `name`. */
export function keepErrorName(cls: abstract new (...args: never[]) => Error, name: string): void {
  keepClassName(cls, name);
  Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true, enumerable: false });
}

/**
 * The class name of each built-in loss, by its function handle's Keras name (`lossName`).
 * test/minified-names.test.ts checks it against the loss table (src/losses/index.ts).
 */
const BUILTIN_CLASS_NAMES: Readonly<Record<string, string>> = {
  mean_squared_error: "MeanSquaredError",
  mean_absolute_error: "MeanAbsoluteError",
  mean_absolute_percentage_error: "MeanAbsolutePercentageError",
  mean_squared_logarithmic_error: "MeanSquaredLogarithmicError",
  cosine_similarity: "CosineSimilarity",
  huber: "Huber",
  log_cosh: "LogCosh",
  hinge: "Hinge",
  squared_hinge: "SquaredHinge",
  categorical_hinge: "CategoricalHinge",
  binary_crossentropy: "BinaryCrossentropy",
  binary_focal_crossentropy: "BinaryFocalCrossentropy",
  categorical_crossentropy: "CategoricalCrossentropy",
  categorical_focal_crossentropy: "CategoricalFocalCrossentropy",
  sparse_categorical_crossentropy: "SparseCategoricalCrossentropy",
  poisson: "Poisson",
  kl_divergence: "KLDivergence",
  categorical_generalized_cross_entropy: "CategoricalGeneralizedCrossEntropy",
  dice: "Dice",
  tversky: "Tversky",
  circle: "Circle",
  ctc: "CTC",
  triplet_semihard_loss: "TripletSemiHardLoss",
  triplet_hard_loss: "TripletHardLoss",
  lifted_struct_loss: "LiftedStructLoss",
  npairs_loss: "NpairsLoss",
  npairs_multilabel_loss: "NpairsMultilabelLoss",
  triplet_margin_loss: "TripletMarginLoss",
  quadruplet_loss: "QuadrupletLoss",
  sigmoid_focal_crossentropy: "SigmoidFocalCrossEntropy",
  pinball_loss: "PinballLoss",
  contrastive_loss: "ContrastiveLoss",
  weighted_kappa_loss: "WeightedKappaLoss",
  sparsemax_loss: "SparsemaxLoss",
  giou_loss: "GIoULoss",
  diou_loss: "DIoULoss",
  ciou_loss: "CIoULoss",
  jaccard: "Jaccard",
  f_beta: "FBeta",
  // Default instance names that differ from the handle's name (Keras's and TFA's choices).
  huber_loss: "Huber",
  cohen_kappa_loss: "WeightedKappaLoss",
};

/** The class name for a built-in handle's `lossName` (undefined for others). */
export function builtinClassName(lossName: string | undefined): string | undefined {
  return lossName !== undefined && Object.prototype.hasOwnProperty.call(BUILTIN_CLASS_NAMES, lossName) ? BUILTIN_CLASS_NAMES[lossName] : undefined;
}

/** Options objects made by `withDefaultName`, which only built-in loss classes call. */
const builtinOptions = new WeakSet<object>();

/** Mark the options a built-in loss class passes to `LossFunctionWrapper` (see {@link nameBuiltinClass}). */
export function markBuiltinOptions<T extends object>(options: T): T {
  builtinOptions.add(options);
  return options;
}

/**
 * Called by `LossFunctionWrapper`'s constructor: when the options come from a built-in class
 * (`markBuiltinOptions`), name that class, i.e. the one in `target`'s chain that extends
 * `base` directly (a user's `class MyMSE extends MeanSquaredError` keeps its own name), after
 * its handle. `base` and its parent get their names too.
 */
export function nameBuiltinClass(target: Function, base: Function, options: object, lossName: string | undefined): void {
  if (!builtinOptions.has(options)) return;
  const className = builtinClassName(lossName);
  if (className === undefined) return;
  let cls = target;
  for (let parent = Object.getPrototypeOf(cls); parent !== base; parent = Object.getPrototypeOf(cls)) {
    if (parent === null || parent === Function.prototype) return;
    cls = parent;
  }
  if (cls === base) return;
  keepClassName(cls as abstract new () => unknown, className);
  keepClassName(base as abstract new () => unknown, "LossFunctionWrapper");
  keepClassName(Object.getPrototypeOf(base) as abstract new () => unknown, "Loss");
}
