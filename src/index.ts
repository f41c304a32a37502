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
export type {
  LossOptions,
  CallOptions,
  LossResult,
  ValueAndGrad,
  LossConfig,
  PerSampleFunction,
  BackwardFunction,
  LossFunctionWrapperOptions,
  UpstreamFor,
  ForwardBackward,
} from "./loss";
export { reduceWeightedValues, squeezeOrExpandToSameRank, standardizeReduction, REDUCTIONS } from "./reduction/index";
export type { Reduction, ReductionOption } from "./reduction/index";
export type { LossFunction } from "./losses/define";
export { getLoss, registerLoss, serializeLoss, deserializeLoss, listLosses } from "./registry";
export type { LossIdentifier, SerializedLoss, LossClass } from "./registry";
export { numericalGrad } from "./gradcheck";
export type { NumericalGradOptions } from "./gradcheck";
export * from "./losses/regression";
export * from "./losses/hinge";
export * from "./losses/crossentropy";
export * from "./losses/probabilistic";
export * from "./losses/segmentation";
export * from "./losses/similarity";
export * from "./losses/sequence";
export * as ops from "./ops";
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
export type { SimdState, SimdStatus, SimdLabelSmoothingOptions, SimdBinaryFocalOptions, SimdCategoricalFocalOptions, SimdSparseOptions } from "./simd/index";
