/**
 * The training side of the Keras guides: class weights, several outputs and blends,
 * regularization terms, loss tracking and curves, NaN diagnosis.
 *
 * @module
 */
export { classWeightToSampleWeight, computeClassWeight, computeClassWeightDict } from "./classWeight";
export type { ClassWeight, ClassWeightMode, ClassWeightToSampleWeightOptions } from "./classWeight";
export { combineLosses, CombinedLoss, blendLosses } from "./combine";
// BlendedLoss is a type here: a combinator like LossFunctionWrapper, made by blendLosses, not
// a loss class constructible from options alone (the suites over every loss class assume that).
export type { BlendedLoss } from "./combine";
export type { CombineLossesOptions, CombinedValue, CombinedValueAndGrad, SampleWeightByOutput, BlendTerm, BlendedLossOptions } from "./combine";
export { Regularizer, l1, l2, l1l2, activityRegularization } from "./regularizers";
export type { RegularizerConfig, RegularizerInput } from "./regularizers";
export { LossCollector } from "./collector";
export type { CollectedLoss } from "./collector";
export { LossTracker, TrainingHistory, sparkline } from "./tracker";
export type { EpochLogs, EpochRecord, BatchRecord, TrainingHistoryJSON, BestEpoch, SparklineOptions } from "./tracker";
export type { LossCurveOptions } from "./plot";
export { NumericsError, diagnose, setCheckNumerics, getCheckNumerics } from "./numerics";
export type { NumericsCause, NumericsFinding, NumericsReport, DiagnoseOptions, DiagnosableLoss } from "./numerics";
