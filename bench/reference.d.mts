// Types for reference.mjs.
type Arr = Float32Array | Float64Array;
export declare class Sum {
  add(x: number): this;
  readonly value: number;
}
export declare const reference: {
  meanSquaredError(t: Arr, p: Arr, B: number, D: number): number;
  meanAbsoluteError(t: Arr, p: Arr, B: number, D: number): number;
  huber(t: Arr, p: Arr, B: number, D: number, delta?: number): number;
  logCosh(t: Arr, p: Arr, B: number, D: number): number;
  binaryCrossentropyFromLogits(z: Arr, x: Arr, B: number, D: number): number;
  binaryCrossentropy(z: Arr, p: Arr, B: number, D: number): number;
  categoricalCrossentropyFromLogits(y: Arr, x: Arr, B: number, C: number): number;
  sparseCategoricalCrossentropyFromLogits(labels: Arr | Int32Array, x: Arr, B: number, C: number): number;
  klDivergence(t: Arr, p: Arr, B: number, C: number): number;
  cosineSimilarity(t: Arr, p: Arr, B: number, D: number): number;
  hinge(y: Arr, p: Arr, B: number, D: number): number;
  meanSquaredErrorGrad(t: Arr, p: Arr): Float64Array;
  categoricalCrossentropyFromLogitsGrad(y: Arr, x: Arr, B: number, C: number): Float64Array;
  binaryFocalCrossentropyFromLogits(z: Arr, x: Arr, B: number, D: number, options?: { gamma?: number; alpha?: number; applyClassBalancing?: boolean }): number;
  categoricalFocalCrossentropyFromLogits(y: Arr, x: Arr, B: number, C: number, options?: { gamma?: number; alpha?: number }): number;
  dice(t: Arr, p: Arr, B: number, D: number): number;
  jaccard(t: Arr, p: Arr, B: number, D: number): number;
  fBeta(t: Arr, p: Arr, B: number, D: number, beta?: number): number;
  meanAbsolutePercentageError(t: Arr, p: Arr, B: number, D: number): number;
  meanSquaredLogarithmicError(t: Arr, p: Arr, B: number, D: number): number;
  categoricalHinge(y: Arr, x: Arr, B: number, C: number): number;
  ctc(labels: Arr, x: Arr, B: number, T: number, C: number, L: number): number;
  circle(labels: Arr, e: Arr, B: number, E: number, options?: { gamma?: number; margin?: number }): number;
};
