// Types for generators.mjs.
import type { Arbitrary } from "fast-check";

export type Library = typeof import("../../src/index");

export interface InputSpec {
  form: string;
  layout: string;
  ctor: string;
  dtype: "float32" | "float64";
  stridesKey: "stride" | "strides";
  junk: number;
  pool: number[];
  pick: number;
}

export interface CaseSpec {
  target: number;
  method: number;
  structure: "free" | "sequence";
  yPredShape: number[];
  ownShape: number[];
  yPred: InputSpec;
  yTrue: InputSpec;
  trueMode: string;
  sampleWeight: InputSpec;
  weightMode: string;
  mask: InputSpec;
  maskMode: string;
  upstream: InputSpec;
  upstreamMode: string;
  options: { kind: string; entries: [number, number, boolean][]; unknownKey: boolean; junk: number };
}

export interface FuzzTarget {
  name: string;
  kind: "class" | "handle" | "name";
  cls?: new (options?: any) => import("../../src/index").Loss;
  fn?: import("../../src/index").LossFunction<any>;
  names?: string[];
  defaults: Record<string, unknown>;
  optionKeys: string[];
}

export interface Outcome {
  target: string;
  kind: FuzzTarget["kind"];
  method: string;
  outcome: string;
  violations: string[];
  ms: number;
}

export interface OutcomeRow {
  calls: number;
  ok: number;
  ShapeError: number;
  ConfigError: number;
  InputError: number;
  otherLossError: number;
  nonLossError: number;
  slow: number;
  mutated: number;
  violations: number;
}

export declare const SPECIAL_VALUES: number[];
export declare const TYPED_ARRAYS: string[];
export declare const LAYOUTS: string[];
export declare const JUNK: (() => unknown)[];
export declare const CALL_LIMIT_MS: number;
export declare const caseArb: Arbitrary<CaseSpec>;
export declare function fuzzTargets(lib: Library): FuzzTarget[];
export declare function materializeInput(lib: Library, spec: InputSpec, shape: number[]): unknown;
export declare function materializeOptions(spec: CaseSpec["options"], target: FuzzTarget): unknown;
export declare function materializeCase(
  lib: Library,
  targets: FuzzTarget[],
  spec: CaseSpec,
): { target: FuzzTarget; method: string; name: string | undefined; args: Record<"yTrue" | "yPred" | "sampleWeight" | "mask" | "upstream" | "options", unknown> };
export declare function snapshot(lib: Library, x: unknown): unknown;
export declare function sameSnapshot(a: unknown, b: unknown): boolean;
export declare function runCase(lib: Library, targets: FuzzTarget[], spec: CaseSpec): Outcome;
export declare function tally(table: Record<string, OutcomeRow>, outcome: Outcome): Record<string, OutcomeRow>;

export { requiredOptions, lossByName } from "../support/required-options.mjs";
