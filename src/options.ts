/**
 * Checks for the arguments of exported functions, so that a wrong kind of argument is a
 * `LossError` that names it rather than a `TypeError` from deep inside, or silently
 * ignored. One rule for options: an options argument is `undefined` or a plain object
 * (`{ … }`, `Object.create(null)`); anything else (a number, `null`, `true`, an array, a
 * string, a Tensor, a Map) is a `ConfigError`.
 */
import { ConfigError, InputError, describeValue } from "./errors";
import { Tensor, type DType } from "./tensor/tensor";

/** A `{ … }` object: its prototype is `Object.prototype` (of any realm) or `null`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * An options argument: `undefined` gives `{}`, a plain object is returned as it is,
 * anything else is a `ConfigError` that names `what` (`"MeanSquaredError options"`).
 */
export function checkOptionsObject(value: unknown, what: string): Readonly<Record<string, unknown>> {
  if (value === undefined) return NO_OPTIONS;
  if (!isPlainObject(value)) {
    throw new ConfigError(`${what} must be an object of options ({ … }) or undefined, received ${describeValue(value)}`);
  }
  return value;
}

/** Refuse keys outside `known` (a `ConfigError` naming `what` and listing the options). */
export function checkOptionKeys(options: Record<string, unknown>, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ConfigError(`${key.length > 40 ? key.slice(0, 40) + "…" : key} is not an option of ${what}; its options are ${known.join(", ")}`);
  }
}

/** `undefined`/`null` (the default) or `"float32"`/`"float64"`; anything else is a `ConfigError`. */
export function checkDtype(dtype: unknown, what = "dtype"): DType | undefined {
  if (dtype === undefined || dtype === null) return undefined;
  if (dtype !== "float32" && dtype !== "float64") {
    throw new ConfigError(`Invalid value for argument ${what}. Expected "float32" or "float64". Received: ${what}=${describeValue(dtype)}`);
  }
  return dtype;
}

/** An argument that must already be a `Tensor` (views share its data, so nothing is converted). */
export function checkTensor(value: unknown, what: string): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new InputError(`${what} must be a Tensor (use tensor(x) to convert other inputs), received ${describeValue(value)}`);
  }
}
