// Types for measure.mjs.
export declare const sink: { last: unknown };
export declare const gc: (() => void) | null;
export declare function median(values: readonly number[]): number;
export declare function quantile(values: readonly number[], q: number): number;
export declare function geometricMean(values: readonly number[]): number;
export declare function warm(run: () => unknown, options?: { calls?: number; maxMs?: number }): number;
export interface Timing { median: number; p90: number; min: number; max: number; mean: number; afterGc: number; samples: number; times: number[] }
export declare function timeCalls(
  impls: { name: string; run: () => unknown; before?: () => unknown; samples: number }[],
  options?: { perGroup?: number; overhead?: number },
): Promise<Record<string, Timing>>;
export declare function timerOverhead(samples?: number): number;
