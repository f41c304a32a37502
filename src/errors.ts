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

/**
 * `[2,3]` for use in messages; anything that is not a number is described, never
 * converted. Shapes of more than 16 dimensions show their first 8 and last 4:
 * `[1,1,1,1,1,1,1,1,…9988 more…,1,1,1,1]`.
 */
export function formatShape(shape: ArrayLike<number>): string {
  const n = shape.length;
  const part = (i: number) => {
    const dim: unknown = shape[i];
    return typeof dim === "number" ? String(dim) : describeValue(dim);
  };
  const parts: string[] = [];
  if (n <= 16) {
    for (let i = 0; i < n; i++) parts.push(part(i));
  } else {
    for (let i = 0; i < 8; i++) parts.push(part(i));
    parts.push(`…${n - 12} more…`);
    for (let i = n - 4; i < n; i++) parts.push(part(i));
  }
  return `[${parts.join(",")}]`;
}

/**
 * A short, safe rendering of any received value for error messages: never calls user code
 * (`toString`, `valueOf`) and never quotes more than 40 characters.
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return `a function${shortName(value.name) ? ` (${shortName(value.name)})` : ""}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${shortName(value.constructor?.name) || "typed array"} of length ${(value as unknown as ArrayLike<number>).length}`;
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  const name = shortName(ctor?.name);
  return name && name !== "Object" ? `a ${name}` : "an object";
}

function shortName(name: unknown): string {
  if (typeof name !== "string") return "";
  return name.length > 40 ? name.slice(0, 40) + "…" : name;
}
