/**
 * The one table of built-in losses. The registry (`getLoss`, `serializeLoss`) reads it
 * lazily, on first use, so that a bundle importing one loss class does not pull in every
 * family. Adding a loss: see CONTRIBUTING.md.
 */
import type { Loss } from "../loss";
import type { LossFunction } from "./define";
import { MeanSquaredError, meanSquaredError, MeanAbsoluteError, meanAbsoluteError, MeanAbsolutePercentageError, meanAbsolutePercentageError,
  MeanSquaredLogarithmicError, meanSquaredLogarithmicError, Huber, huber, LogCosh, logCosh } from "./regression";
import { CosineSimilarity, cosineSimilarity } from "./cosine";
import { Hinge, hinge, SquaredHinge, squaredHinge, CategoricalHinge, categoricalHinge } from "./hinge";
import { BinaryCrossentropy, binaryCrossentropy } from "./crossentropy/binary";
import { BinaryFocalCrossentropy, binaryFocalCrossentropy } from "./crossentropy/binary-focal";
import { CategoricalCrossentropy, categoricalCrossentropy } from "./crossentropy/categorical";
import { CategoricalFocalCrossentropy, categoricalFocalCrossentropy } from "./crossentropy/categorical-focal";
import { SparseCategoricalCrossentropy, sparseCategoricalCrossentropy } from "./crossentropy/sparse";
import { Poisson, poisson, KLDivergence, klDivergence, CategoricalGeneralizedCrossEntropy, categoricalGeneralizedCrossEntropy } from "./probabilistic";
import { Dice, dice, Tversky, tversky } from "./segmentation";
import { Circle, circle } from "./similarity";
import { CTC, ctc } from "./sequence";
import { TripletSemiHardLoss, tripletSemihardLoss, TripletHardLoss, tripletHardLoss } from "./metric-learning/triplet";
import { LiftedStructLoss, liftedStructLoss } from "./metric-learning/lifted";
import { NpairsLoss, npairsLoss, NpairsMultilabelLoss, npairsMultilabelLoss } from "./metric-learning/npairs";
import { TripletMarginLoss, tripletMarginLoss, QuadrupletLoss, quadrupletLoss } from "./metric-learning/margin";
import { SigmoidFocalCrossEntropy, sigmoidFocalCrossentropy } from "./crossentropy/sigmoid-focal";
import { PinballLoss, pinballLoss } from "./quantile";
import { ContrastiveLoss, contrastiveLoss } from "./contrastive";
import { WeightedKappaLoss } from "./kappa";
import { SparsemaxLoss, sparsemaxLoss } from "./sparsemax";
import { GIoULoss, giouLoss, DIoULoss, diouLoss, CIoULoss, ciouLoss } from "./boxes";
import { Jaccard, jaccard, FBeta, fBeta } from "./overlap";

/** A loss class as the registry sees it. */
export type LossClass = new (config?: any) => Loss;

/** Where a loss's names, options and numbers come from. */
export type LossOrigin = "keras" | "tensorflow-addons" | "torchvision" | "pytorch" | "losskit";

/** One built-in loss: its class, its function handle, the extra names it is known by, and its origin. */
export interface LossEntry {
  /** The class name (Keras's, or TensorFlow Addons'). */
  className: string;
  cls: LossClass;
  /** The function handle; its snake_case and camelCase names are registered too. */
  fn?: LossFunction<any>;
  /** More names `getLoss` accepts (Keras's aliases: `mse`, `kld`, …). */
  aliases?: readonly string[];
  origin: LossOrigin;
}

export const BUILTIN_LOSSES: readonly LossEntry[] = [
  // keras.losses
  { className: "MeanSquaredError", cls: MeanSquaredError, fn: meanSquaredError, aliases: ["mse", "MSE"], origin: "keras" },
  { className: "MeanAbsoluteError", cls: MeanAbsoluteError, fn: meanAbsoluteError, aliases: ["mae", "MAE"], origin: "keras" },
  { className: "MeanAbsolutePercentageError", cls: MeanAbsolutePercentageError, fn: meanAbsolutePercentageError, aliases: ["mape", "MAPE"], origin: "keras" },
  { className: "MeanSquaredLogarithmicError", cls: MeanSquaredLogarithmicError, fn: meanSquaredLogarithmicError, aliases: ["msle", "MSLE"], origin: "keras" },
  { className: "CosineSimilarity", cls: CosineSimilarity, fn: cosineSimilarity, origin: "keras" },
  { className: "Huber", cls: Huber, fn: huber, aliases: ["huber_loss"], origin: "keras" },
  { className: "LogCosh", cls: LogCosh, fn: logCosh, aliases: ["logcosh"], origin: "keras" },
  { className: "Hinge", cls: Hinge, fn: hinge, origin: "keras" },
  { className: "SquaredHinge", cls: SquaredHinge, fn: squaredHinge, origin: "keras" },
  { className: "CategoricalHinge", cls: CategoricalHinge, fn: categoricalHinge, origin: "keras" },
  { className: "BinaryCrossentropy", cls: BinaryCrossentropy, fn: binaryCrossentropy, aliases: ["bce", "BCE"], origin: "keras" },
  { className: "BinaryFocalCrossentropy", cls: BinaryFocalCrossentropy, fn: binaryFocalCrossentropy, origin: "keras" },
  { className: "CategoricalCrossentropy", cls: CategoricalCrossentropy, fn: categoricalCrossentropy, origin: "keras" },
  { className: "CategoricalFocalCrossentropy", cls: CategoricalFocalCrossentropy, fn: categoricalFocalCrossentropy, origin: "keras" },
  { className: "SparseCategoricalCrossentropy", cls: SparseCategoricalCrossentropy, fn: sparseCategoricalCrossentropy, origin: "keras" },
  { className: "Poisson", cls: Poisson, fn: poisson, origin: "keras" },
  { className: "KLDivergence", cls: KLDivergence, fn: klDivergence, aliases: ["kld", "KLD", "kullback_leibler_divergence"], origin: "keras" },
  { className: "CategoricalGeneralizedCrossEntropy", cls: CategoricalGeneralizedCrossEntropy, fn: categoricalGeneralizedCrossEntropy, origin: "keras" },
  { className: "Dice", cls: Dice, fn: dice, origin: "keras" },
  { className: "Tversky", cls: Tversky, fn: tversky, origin: "keras" },
  { className: "Circle", cls: Circle, fn: circle, origin: "keras" },
  { className: "CTC", cls: CTC, fn: ctc, origin: "keras" },
  // metric learning (TensorFlow Addons' names; "Addons>…" is how TFA registered them with Keras)
  { className: "TripletSemiHardLoss", cls: TripletSemiHardLoss, fn: tripletSemihardLoss, aliases: ["Addons>TripletSemiHardLoss", "Addons>triplet_semihard_loss"], origin: "tensorflow-addons" },
  { className: "TripletHardLoss", cls: TripletHardLoss, fn: tripletHardLoss, aliases: ["Addons>TripletHardLoss", "Addons>triplet_hard_loss"], origin: "tensorflow-addons" },
  { className: "LiftedStructLoss", cls: LiftedStructLoss, fn: liftedStructLoss, aliases: ["Addons>LiftedStructLoss", "Addons>lifted_struct_loss"], origin: "tensorflow-addons" },
  { className: "NpairsLoss", cls: NpairsLoss, fn: npairsLoss, aliases: ["Addons>NpairsLoss", "Addons>npairs_loss"], origin: "tensorflow-addons" },
  { className: "NpairsMultilabelLoss", cls: NpairsMultilabelLoss, fn: npairsMultilabelLoss, aliases: ["Addons>NpairsMultilabelLoss", "Addons>npairs_multilabel_loss"], origin: "tensorflow-addons" },
  { className: "TripletMarginLoss", cls: TripletMarginLoss, fn: tripletMarginLoss, origin: "losskit" },
  { className: "QuadrupletLoss", cls: QuadrupletLoss, fn: quadrupletLoss, origin: "losskit" },
  // Beyond keras.losses: TensorFlow Addons (also under its Keras registration names, "Addons>…"), torchvision, and losskit's own
  { className: "SigmoidFocalCrossEntropy", cls: SigmoidFocalCrossEntropy, fn: sigmoidFocalCrossentropy, aliases: ["Addons>SigmoidFocalCrossEntropy", "Addons>sigmoid_focal_crossentropy"], origin: "tensorflow-addons" },
  { className: "PinballLoss", cls: PinballLoss, fn: pinballLoss, aliases: ["Addons>PinballLoss", "Addons>pinball_loss"], origin: "tensorflow-addons" },
  { className: "ContrastiveLoss", cls: ContrastiveLoss, fn: contrastiveLoss, aliases: ["Addons>ContrastiveLoss", "Addons>contrastive_loss"], origin: "tensorflow-addons" },
  { className: "WeightedKappaLoss", cls: WeightedKappaLoss, aliases: ["Addons>WeightedKappaLoss"], origin: "tensorflow-addons" },
  { className: "SparsemaxLoss", cls: SparsemaxLoss, fn: sparsemaxLoss, aliases: ["sparsemax_loss_from_logits", "Addons>SparsemaxLoss", "Addons>sparsemax_loss", "Addons>sparsemax_loss_from_logits"], origin: "tensorflow-addons" },
  { className: "GIoULoss", cls: GIoULoss, fn: giouLoss, aliases: ["Addons>GIoULoss", "Addons>giou_loss"], origin: "tensorflow-addons" },
  { className: "DIoULoss", cls: DIoULoss, fn: diouLoss, aliases: ["distance_box_iou_loss"], origin: "torchvision" },
  { className: "CIoULoss", cls: CIoULoss, fn: ciouLoss, aliases: ["complete_box_iou_loss"], origin: "torchvision" },
  { className: "Jaccard", cls: Jaccard, fn: jaccard, origin: "losskit" },
  { className: "FBeta", cls: FBeta, fn: fBeta, origin: "losskit" },
];
