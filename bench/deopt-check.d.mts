// Types for deopt-check.mjs.
export interface TraceEvent {
  type: "deopt" | "discarded" | "compile";
  name: string;
  reason?: string;
  kind?: string;
  file?: string;
  sfi: string;
  tier?: string;
  osr?: boolean;
  phase: string;
  call: string | null;
  position?: { file: string; line: number; column: number };
}
export declare function parseTrace(text: string): TraceEvent[];
