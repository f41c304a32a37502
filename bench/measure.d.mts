// Types for measure.mjs.
export declare const sink: { last: unknown };
export declare const gc: (() => void) | null;
export declare function median(values: readonly number[]): number;
export declare function geometricMean(values: readonly number[]): number;
export interface Timing { median: number; min: number; max: number; samples: number; reps: number; times: number[] }
export declare function timeImplementations(
  impls: { name: string; run: () => unknown; before?: () => unknown; samples: number; firstCallMs?: number }[],
  options?: { warmup?: number; minSampleMs?: number; maxReps?: number },
): Promise<Record<string, Timing>>;
