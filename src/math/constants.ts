/**
 * One home for the constants and scalar numerics every loss shares.
 *
 * Keras computes in float32 with `backend.epsilon() = 1e-7`, and casts Python constants to
 * the tensor's dtype: where that changes a result visibly (`1 - 1e-7` is 0.99999988 in
 * float32), the float32 value is used for float32 inputs.
 */
import type { DType } from "../tensor/tensor";

/** Keras's `backend.epsilon()`. */
export const EPSILON = 1e-7;
/** `EPSILON` as a float32 tensor holds it: 1.0000000116860974e-7. */
export const EPSILON_FLOAT32 = Math.fround(EPSILON);
/** `1 - EPSILON` in float32: 0.9999998807907104 (the upper clip bound of probabilities). */
export const ONE_MINUS_EPSILON_FLOAT32 = Math.fround(1 - EPSILON);

/** Keras's epsilon in the tensor's dtype. */
export function epsilon(dtype: DType): number {
  return dtype === "float32" ? EPSILON_FLOAT32 : EPSILON;
}

/** The upper clip bound `1 - epsilon` of probabilities in the tensor's dtype. */
export function oneMinusEpsilon(dtype: DType): number {
  return dtype === "float32" ? ONE_MINUS_EPSILON_FLOAT32 : 1 - EPSILON;
}

/** Keys that could reach a prototype; refused in options, configs and registry names. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `1 / (1 + e^-x)` without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** `log(1 + e^x)` (softplus) without overflow: `max(x, 0) + log1p(e^-|x|)`. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}
