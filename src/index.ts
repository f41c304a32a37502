/**
 * losskit: every Keras 3 loss in zero-dependency TypeScript, with analytic gradients.
 */
export { LossError, ShapeError, ConfigError, InputError, GradientNotImplementedError } from "./errors";
export {
  Tensor,
  tensor,
  toTensor,
  reshape,
  squeeze,
  expandDims,
  moveAxis,
  broadcastTo,
} from "./tensor/index";
export type { DType, FloatArray, NestedArray, TensorLike, NestedNumbers, NdarrayLike, ToTensorOptions } from "./tensor/index";
export { Loss, LossFunctionWrapper } from "./loss";
export type { Kernel, KernelOptions, KernelResult, KernelTotal, OwnWeighting, Upstream } from "./kernel";
export type {
  LossOptions,
  CallOptions,
  LossResult,
  ValueAndGrad,
  LossConfig,
  PerSampleFunction,
  BackwardFunction,
  LossFunctionWrapperOptions,
  LossResultFor,
  GradOptions,
  CallResult,
} from "./loss";
export { reduceWeightedValues, squeezeOrExpandToSameRank, standardizeReduction, REDUCTIONS } from "./reduction/index";
export type { Reduction, ReductionOption } from "./reduction/index";
export type { LossFunction, HandleOptions } from "./losses/define";
export { getLoss, registerLoss, serializeLoss, deserializeLoss, listLosses } from "./registry";
export type { LossIdentifier, SerializedLoss, LossClass, LossEntry, LossOrigin } from "./registry";
export type { LossName } from "./losses/names";
export { numericalGrad } from "./gradcheck";
export type { NumericalGradOptions } from "./gradcheck";
export { meanSquaredError, meanAbsoluteError, MeanSquaredError, MeanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError, huber, logCosh, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh } from "./losses/regression";
export type { MeanSquaredErrorOptions, MeanAbsoluteErrorOptions, HuberConfig, MeanAbsolutePercentageErrorOptions, MeanSquaredLogarithmicErrorOptions, HuberOptions, LogCoshOptions } from "./losses/regression";
export { cosineSimilarity, CosineSimilarity } from "./losses/cosine";
export type { CosineSimilarityConfig, CosineSimilarityOptions } from "./losses/cosine";
export { hinge, squaredHinge, categoricalHinge, Hinge, SquaredHinge, CategoricalHinge } from "./losses/hinge";
export type { HingeOptions, SquaredHingeOptions, CategoricalHingeOptions } from "./losses/hinge";
export { binaryCrossentropy, BinaryCrossentropy } from "./losses/crossentropy/binary";
export type { BinaryCrossentropyConfig, BinaryCrossentropyOptions } from "./losses/crossentropy/binary";
export { binaryFocalCrossentropy, BinaryFocalCrossentropy } from "./losses/crossentropy/binary-focal";
export type { BinaryFocalCrossentropyConfig, BinaryFocalCrossentropyOptions } from "./losses/crossentropy/binary-focal";
export { categoricalCrossentropy, CategoricalCrossentropy } from "./losses/crossentropy/categorical";
export type { CategoricalCrossentropyConfig, CategoricalCrossentropyOptions } from "./losses/crossentropy/categorical";
export { categoricalFocalCrossentropy, CategoricalFocalCrossentropy } from "./losses/crossentropy/categorical-focal";
export type { CategoricalFocalCrossentropyConfig, CategoricalFocalCrossentropyOptions } from "./losses/crossentropy/categorical-focal";
export { sparseCategoricalCrossentropy, SparseCategoricalCrossentropy } from "./losses/crossentropy/sparse";
export type { SparseCategoricalCrossentropyConfig, SparseCategoricalCrossentropyOptions } from "./losses/crossentropy/sparse";
export { poisson, klDivergence, categoricalGeneralizedCrossEntropy, Poisson, KLDivergence, CategoricalGeneralizedCrossEntropy } from "./losses/probabilistic";
export type { CategoricalGeneralizedCrossEntropyConfig, PoissonOptions, KLDivergenceOptions, CategoricalGeneralizedCrossEntropyOptions } from "./losses/probabilistic";
export { dice, tversky, Dice, Tversky } from "./losses/segmentation";
export type { SegmentationAxis, DiceConfig, TverskyConfig, DiceOptions, TverskyOptions } from "./losses/segmentation";
export { circle, Circle } from "./losses/similarity";
export type { CircleConfig, CircleOptions } from "./losses/similarity";
export { ctc, CTC } from "./losses/sequence";
export type { CTCOptions } from "./losses/sequence";
export * as ops from "./ops";
// Metric learning (TensorFlow Addons' losses and helpers, and the split-embedding triplet/quadruplet losses)
export { pairwiseDistance, angularDistance } from "./losses/metric-learning/distance";
export type { DistanceFunction, DistanceMetric, PairwiseDistanceOptions, AngularDistanceOptions } from "./losses/metric-learning/distance";
export type { BatchLossOptions } from "./losses/metric-learning/batch";
export { tripletSemihardLoss, tripletHardLoss, TripletSemiHardLoss, TripletHardLoss } from "./losses/metric-learning/triplet";
export type { TripletSemihardConfig, TripletHardConfig, TripletSemiHardLossOptions, TripletHardLossOptions } from "./losses/metric-learning/triplet";
export { liftedStructLoss, LiftedStructLoss } from "./losses/metric-learning/lifted";
export type { LiftedStructConfig, LiftedStructLossOptions } from "./losses/metric-learning/lifted";
export { npairsLoss, npairsMultilabelLoss, NpairsLoss, NpairsMultilabelLoss } from "./losses/metric-learning/npairs";
export { tripletMarginLoss, quadrupletLoss, TripletMarginLoss, QuadrupletLoss } from "./losses/metric-learning/margin";
export type { TripletMarginConfig, QuadrupletConfig, TripletMarginLossOptions, QuadrupletLossOptions } from "./losses/metric-learning/margin";
// Beyond keras.losses: TensorFlow Addons, torchvision and losskit losses
export { sigmoidFocalCrossentropy, SigmoidFocalCrossEntropy } from "./losses/crossentropy/sigmoid-focal";
export type { SigmoidFocalCrossentropyConfig, SigmoidFocalCrossEntropyOptions } from "./losses/crossentropy/sigmoid-focal";
export { pinballLoss, PinballLoss } from "./losses/quantile";
export type { PinballLossConfig, PinballLossOptions } from "./losses/quantile";
export { contrastiveLoss, ContrastiveLoss } from "./losses/contrastive";
export type { ContrastiveLossConfig, ContrastiveLossOptions } from "./losses/contrastive";
export { WeightedKappaLoss } from "./losses/kappa";
export type { KappaWeightage, WeightedKappaLossConfig, WeightedKappaLossOptions } from "./losses/kappa";
export { sparsemaxLoss, SparsemaxLoss } from "./losses/sparsemax";
export type { SparsemaxLossConfig, SparsemaxLossOptions } from "./losses/sparsemax";
export { giouLoss, diouLoss, ciouLoss, GIoULoss, DIoULoss, CIoULoss } from "./losses/boxes";
export type { GIoUMode, GIoULossConfig, GIoULossOptions, DIoULossOptions, CIoULossOptions } from "./losses/boxes";
export { jaccard, fBeta, Jaccard, FBeta } from "./losses/overlap";
export type { JaccardConfig, JaccardOptions, FBetaConfig, FBetaOptions } from "./losses/overlap";

// Ecosystem (issue 12): TensorFlow.js bridge and tf.losses names, Keras-format configs.
export { toTfjsLoss } from "./tfjs";
export type { TfjsNamespace, TfjsLossFunction, TfjsTensorOf } from "./tfjs";
export type { TfjsTensorLike } from "./tensor/foreign";
export { TFJS_ALIASES } from "./tfjs-aliases";
export type { TfjsAlias } from "./tfjs-aliases";
export { KERAS_LOSS_CONFIG_KEYS } from "./keras-format";
export type { KerasSerializedLoss, SerializeLossOptions } from "./keras-format";
// Training helpers (issue 11): class weights, combined and blended losses, regularizers,
// loss tracking and curves, NaN diagnosis.
export {
  classWeightToSampleWeight,
  computeClassWeight,
  computeClassWeightDict,
  combineLosses,
  CombinedLoss,
  blendLosses,
  Regularizer,
  l1,
  l2,
  l1l2,
  activityRegularization,
  LossCollector,
  LossTracker,
  TrainingHistory,
  sparkline,
  NumericsError,
  diagnose,
  setCheckNumerics,
  getCheckNumerics,
} from "./training/index";
export type {
  ClassWeight,
  ClassWeightMode,
  ClassWeightToSampleWeightOptions,
  CombineLossesOptions,
  CombinedValue,
  CombinedValueAndGrad,
  SampleWeightByOutput,
  BlendTerm,
  BlendedLossOptions,
  BlendedLoss,
  RegularizerConfig,
  RegularizerInput,
  CollectedLoss,
  EpochLogs,
  EpochRecord,
  BatchRecord,
  TrainingHistoryJSON,
  BestEpoch,
  SparklineOptions,
  LossCurveOptions,
  NumericsCause,
  NumericsFinding,
  NumericsReport,
  DiagnoseOptions,
  DiagnosableLoss,
} from "./training/index";
// WebAssembly SIMD kernels for the exp/log losses (opt-in: await enableSimd()).
export {
  enableSimd,
  disableSimd,
  simdStatus,
  simdLogCosh,
  simdBinaryCrossentropy,
  simdBinaryCrossentropyFromLogits,
  simdBinaryFocalCrossentropy,
  simdBinaryFocalCrossentropyFromLogits,
  simdCategoricalCrossentropy,
  simdCategoricalCrossentropyFromLogits,
  simdCategoricalFocalCrossentropy,
  simdCategoricalFocalCrossentropyFromLogits,
  simdSparseCategoricalCrossentropyFromLogits,
  simdKLDivergence,
  simdPoisson,
} from "./simd/index";
export type { SimdRun, SimdState, SimdStatus, SimdLabelSmoothingOptions, SimdBinaryFocalOptions, SimdCategoricalFocalOptions, SimdSparseOptions } from "./simd/index";
