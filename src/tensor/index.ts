export { Tensor, contiguousStrides, shapeSize, allocate, forEachOffset } from "./tensor";
export type { DType, FloatArray, NestedArray } from "./tensor";
export { toTensor, tensor, validateShape } from "./convert";
export type { TensorLike, NestedNumbers, NdarrayLike, ToTensorOptions } from "./convert";
export { reshape, squeeze, expandDims, moveAxis, broadcastTo, broadcastShapes, tryBroadcastShapes, normalizeAxis } from "./views";
export { rowsOf, elementOffsets, fillOuterOffsets } from "./rows";
export type { Rows } from "./rows";
