// Types for data.mjs.
export declare function rng(seed: number): () => number;
export declare function fillNormal<T extends Float32Array | Float64Array>(out: T, random: () => number, sigma?: number, mean?: number): T;
export declare function fillOpenUniform<T extends Float32Array | Float64Array>(out: T, random: () => number): T;
export declare function randomInt(random: () => number, lo: number, hi: number): number;
export interface PairData { yTrue: Float32Array; yPred: Float32Array; shape: number[]; B: number; D: number }
export interface ClassData { labels: Float32Array; labelsInt: Int32Array; oneHot: Float32Array; logits: Float32Array; shape: number[]; B: number; C: number }
export interface DistributionData { yTrue: Float32Array; yPred: Float32Array; shape: number[]; B: number; C: number }
export interface CtcData { labels: Float32Array; labelsInt: Int32Array; lengths: Int32Array; logits: Float32Array; B: number; T: number; C: number; L: number }
export interface CircleData { labels: Float32Array; labelsInt: Int32Array; embeddings: Float32Array; B: number; E: number; K: number }
export declare const DATASETS: {
  regression(sizes: { B: number; D: number }): PairData;
  binary(sizes: { B: number; D: number }): PairData;
  probabilities(sizes: { B: number; D: number }): PairData;
  classes(sizes: { B: number; C: number }): ClassData;
  distributions(sizes: { B: number; C: number }): DistributionData;
  hinge(sizes: { B: number; D: number }): PairData;
  segmentation(sizes: { B: number; D: number }): PairData;
  ctc(sizes: { B: number; T: number; C: number; L: number }): CtcData;
  circle(sizes: { B: number; E: number; K: number }): CircleData;
};
export declare function dataset(name: keyof typeof DATASETS, sizes: Record<string, number>): unknown;
export declare function clearDatasets(): void;
