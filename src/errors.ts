import { keepErrorName } from "./names";

/**
 * Errors thrown by losskit. Every message names the argument, what was expected and
 * what was received, the way Keras's `ValueError`s do:
 * `yTrue has shape [2,3] but yPred has shape [2,4]`.
 */
export class LossError extends Error {
  constructor(message: string) {
    super(message);
    // losskit's classes name themselves (keepErrorName, below: minifiers rename classes);
    // a user subclass without its own prototype `name` is named after its constructor.
    if (!Object.prototype.hasOwnProperty.call(new.target.prototype, "name")) this.name = new.target.name;
  }
}

/** Shapes that do not fit together, ragged nested arrays, bad dimensions, bad axes. */
export class ShapeError extends LossError {}

/** Invalid options: an unknown reduction, an unknown option key, an out-of-range value. */
export class ConfigError extends LossError {}

/** Values of the wrong kind: a string inside a nested array, a label out of range, NaN where a label is due. */
export class InputError extends LossError {}

/** A loss that has no analytic gradient (custom losses without `backward`). */
export class GradientNotImplementedError extends LossError {}

keepErrorName(LossError, "LossError");
keepErrorName(ShapeError, "ShapeError");
keepErrorName(ConfigError, "ConfigError");
keepErrorName(InputError, "InputError");
keepErrorName(GradientNotImplementedError, "GradientNotImplementedError");

/** `[2,3]` for use in messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** A short, safe rendering of any received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  const ctor = (value as object).constructor;
  return ctor && ctor.name && ctor.name !== "Object" ? `a ${ctor.name}` : "an object";
}
