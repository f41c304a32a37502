// Types for workloads.mjs.
export interface Workload {
  id: string;
  title: string;
  className: string;
  options?: Record<string, unknown>;
  kind: "value" | "valueAndGrad";
  valueOf?: string;
  sweep?: boolean;
  tfjsNote: string;
  data(B: number, options?: { sweepSize?: number }): any;
  shapeOf(d: any): string;
  elements(d: any): number;
  reference(d: any): { value: number; grad?: Float64Array };
  loop(d: any): () => number | { value: number; grad: Float32Array };
  losskit(lk: any, d: any): () => unknown;
  tfjsBuiltin?: { note: string; run(tf: any, d: any): number };
  tfjs: ((tf: any, d: any) => { run: () => unknown; dispose: () => void }) | null;
}
export declare const WORKLOADS: Workload[];
export declare function selectWorkloads(only?: string[]): Workload[];
