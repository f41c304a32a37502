// Types for compare.mjs.
export declare function medianWithInterval(values: readonly number[], resamples?: number, seed?: number): { median: number; lo: number; hi: number };
export declare function verdict(interval: { median: number; lo: number; hi: number }, threshold: number): "SLOWER" | "faster" | "slower?" | "faster?" | "same";
