// Types for workloads.mjs.
export interface Workload {
  id: string;
  title: string;
  className: string;
  options?: Record<string, unknown>;
  kind: "value" | "valueAndGrad";
  valueOf?: string;
  sweep?: boolean;
  tfNote: string;
  data(batch: number, options?: { sweepSize?: number }): any;
  shapeOf(d: any): string;
  elements(d: any): number;
  arrays(d: any): { yTrue: Float32Array | Float64Array; trueShape: number[]; yPred: Float32Array | Float64Array; predShape: number[] };
  best: string;
  bestArgs?: (d: any) => unknown[];
  naive?: (d: any) => () => number | { value: number; grad: Float32Array };
  reference(d: any): number;
  referenceGrad?: (d: any) => Float64Array;
  tfjsBuiltin?: { note: string; fn(tf: any, t: any, p: any): any };
  tf: { inputs(d: any): [ArrayLike<number>, number[], string?][]; loss(tf: any, t: any, p: any, d: any): any } | null;
}
export declare const VALUE_WORKLOADS: Workload[];
export declare const WORKLOADS: Workload[];
export declare const BATCH1_WORKLOADS: Workload[];
export declare function selectWorkloads(only?: string[]): Workload[];
export declare function toFloat64(d: any): any;
export declare function bestValue(w: Workload, lib: any, d: any): () => number;
export declare function bestValueAndGrad(w: Workload, lib: any, d: any, g: Float32Array | Float64Array): (() => number) | null;
export declare function losskitLoss(w: Workload, lk: any, dtype?: "float32" | "float64"): any;
export declare function losskitInputs(w: Workload, lk: any, d: any): { t: any; p: any };
export declare function losskitValue(w: Workload, lk: any, d: any, dtype?: "float32" | "float64"): () => unknown;
export declare function losskitValueAndGrad(w: Workload, lk: any, d: any, dtype?: "float32" | "float64"): { run: () => any; mode: string; gradOf(result: any): ArrayLike<number> };
export declare function tfjsImplementation(w: Workload, tf: any, d: any, kind: "value" | "valueAndGrad"): { run: () => unknown; dispose: () => void };
