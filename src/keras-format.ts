/**
 * Keras-format loss configs: what Python Keras 3 writes for a loss with
 * `keras.saving.serialize_keras_object(loss)` (= `keras.losses.serialize(loss)`), and reads
 * with `keras.losses.deserialize` / `keras.saving.deserialize_keras_object`:
 *
 * ```json
 * {"module": "keras.losses", "class_name": "Huber",
 *  "config": {"name": "huber_loss", "reduction": "sum_over_batch_size", "delta": 1.0},
 *  "registered_name": null}
 * ```
 *
 * Reference: keras/src/saving/serialization_lib.py (`serialize_keras_object`,
 * `serialize_with_public_class`: a public class gives `module` = its `keras.*` namespace and
 * `registered_name: None`; a registered custom class gives its Python module and
 * `"package>Name"`), keras/src/losses/loss.py (`Loss.get_config` is `{name, reduction}`:
 * Keras writes no `dtype` for a loss) and keras/src/losses/losses.py (each class's
 * `get_config`, whose keys and order {@link KERAS_LOSS_CONFIG_KEYS} copies).
 */
import { ConfigError, describeValue } from "./errors";
import type { Loss, LossConfig } from "./loss";

/** Options of `serializeLoss`. */
export interface SerializeLossOptions {
  /**
   * `"losskit"` (default): `{ className, config }` with losskit's camelCase option names.
   * `"keras"`: Keras 3's `{ module, class_name, config, registered_name }` with snake_case
   * options, which Python Keras reads back.
   */
  format?: "losskit" | "keras";
}

/** A loss as Keras 3's `serialize_keras_object` writes it. */
export interface KerasSerializedLoss {
  /** `"keras.losses"` for Keras's own losses; `null` for other classes (Python must register them). */
  module: string | null;
  class_name: string;
  /** `get_config()` in Keras's form: snake_case keys, `name` and `reduction` first. */
  config: Record<string, unknown>;
  /** `null` for Keras's own losses; `"package>Name"` for registered classes (Keras's default package is `"Custom"`). */
  registered_name: string | null;
}

/**
 * The `get_config()` keys of each Keras 3 loss class after `name` and `reduction`, in
 * Keras's order (keras/src/losses/losses.py). The config of a class listed here holds
 * exactly these keys, so Python's `cls(**config)` accepts it.
 *
 * @example
 * // KERAS_LOSS_CONFIG_KEYS.BinaryCrossentropy is ["from_logits", "label_smoothing", "axis"]
 * serializeLoss(new BinaryCrossentropy({ labelSmoothing: 0.1 }), { format: "keras" }).config.label_smoothing; // 0.1
 */
export const KERAS_LOSS_CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = /*#__PURE__*/ Object.freeze({
  MeanSquaredError: [],
  MeanAbsoluteError: [],
  MeanAbsolutePercentageError: [],
  MeanSquaredLogarithmicError: [],
  CosineSimilarity: ["axis"],
  Huber: ["delta"],
  LogCosh: [],
  Hinge: [],
  SquaredHinge: [],
  CategoricalHinge: [],
  KLDivergence: [],
  Poisson: [],
  BinaryCrossentropy: ["from_logits", "label_smoothing", "axis"],
  BinaryFocalCrossentropy: ["from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma"],
  CategoricalCrossentropy: ["from_logits", "label_smoothing", "axis"],
  CategoricalFocalCrossentropy: ["from_logits", "label_smoothing", "axis", "alpha", "gamma"],
  SparseCategoricalCrossentropy: ["from_logits", "ignore_class", "axis"],
  CTC: [],
  Dice: ["axis"],
  Tversky: ["alpha", "beta", "axis"],
  Circle: ["gamma", "margin", "remove_diagonal"],
  CategoricalGeneralizedCrossEntropy: ["q"],
});

/** The options every loss has; written by Keras first (`name`, `reduction`) or not at all (`dtype`). */
const BASE_KEYS = new Set(["name", "reduction", "dtype"]);

const has = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

/** `fromLogits` → `from_logits`, `removeDiagonal` → `remove_diagonal`. */
export function snakeCaseKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase();
}

function camelCaseKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `"json"` equality of two config values (numbers, strings, booleans, null, arrays of them). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `serializeLoss(loss)` output in Keras's form (see {@link KerasSerializedLoss}). */
export function toKerasFormat(serialized: { className: string; config: LossConfig }, loss: Loss): KerasSerializedLoss {
  const { className, config } = serialized;
  const out: Record<string, unknown> = { name: config.name, reduction: config.reduction };
  const kerasKeys = has(KERAS_LOSS_CONFIG_KEYS, className) ? KERAS_LOSS_CONFIG_KEYS[className]! : undefined;
  if (kerasKeys) {
    for (const key of kerasKeys) {
      const value = config[camelCaseKey(key)];
      if (value !== undefined) out[key] = value;
    }
    // An option Keras does not have is written only if Keras could read it: never. At its
    // default it changes nothing and is left out; otherwise the config would not mean the same.
    const extra = Object.keys(config).filter((key) => !BASE_KEYS.has(key) && !kerasKeys.includes(snakeCaseKey(key)));
    if (extra.length) {
      const defaults = (new (loss.constructor as new () => Loss)()).getConfig();
      for (const key of extra) {
        if (!sameValue(config[key], defaults[key])) {
          throw new ConfigError(
            `serializeLoss(…, { format: "keras" }): ${className} option ${key}=${describeValue(config[key])} has no Keras equivalent, ` +
              `so Keras could not read the config back; use the default format`,
          );
        }
      }
    }
  } else {
    // Keras's LossFunctionWrapper.get_config: name, reduction, fn, then the function's options.
    if (className === "LossFunctionWrapper") out.fn = kerasFunction(String(config.fn));
    for (const [key, value] of Object.entries(config)) {
      if (BASE_KEYS.has(key) || (key === "fn" && className === "LossFunctionWrapper")) continue;
      out[snakeCaseKey(key)] = value;
    }
  }
  // Keras's Loss.get_config has no dtype (its losses compute in floatx); Keras's constructors
  // take `dtype`, so a non-default one is written and read back.
  if (config.dtype !== undefined && config.dtype !== "float32") out.dtype = config.dtype;
  if (kerasKeys) return { module: "keras.losses", class_name: className, config: out, registered_name: null };
  if (className === "LossFunctionWrapper") {
    // Not a public Keras symbol: Keras writes its source module and its class name.
    return { module: "keras.src.losses.losses", class_name: className, config: out, registered_name: className };
  }
  const separator = className.lastIndexOf(">");
  return {
    module: null,
    class_name: separator >= 0 ? className.slice(separator + 1) : className,
    config: out,
    registered_name: separator >= 0 ? className : `Custom>${className}`,
  };
}

/** A registered function as Keras writes a function object (`class_name: "function"`). */
function kerasFunction(name: string): Record<string, unknown> {
  return { module: null, class_name: "function", config: name, registered_name: name };
}

/**
 * Keras's form, read into losskit's `{ className, config }` (snake_case keys stay; the
 * registry turns them into camelCase): `registered_name` is used when losskit knows that
 * name (`"my_package>ModifiedMeanSquaredError"`, as registered with `registerLoss`), a
 * `DTypePolicy` becomes its name, a serialized function (`class_name: "function"`) its name,
 * and a `LossFunctionWrapper` around a Keras function the loss of that function. Anything
 * else (losskit's own form) is returned as it is.
 */
export function fromKerasFormat(record: Record<string, unknown>, isRegistered: (name: string) => boolean): Record<string, unknown> {
  if (!has(record, "class_name") || has(record, "className")) return record;
  const className = record.class_name;
  const registered = record.registered_name;
  const rawConfig = record.config;
  // keras.losses.serialize(keras.losses.mean_squared_error): a function, named by its config.
  if (className === "function") {
    const fn = typeof rawConfig === "string" ? rawConfig : registered;
    return { className: fn, config: {} };
  }
  if (rawConfig === null || typeof rawConfig !== "object" || Array.isArray(rawConfig)) {
    return { className: pickName(className, registered, isRegistered), config: rawConfig ?? {} };
  }
  const config: Record<string, unknown> = { ...(rawConfig as Record<string, unknown>) };
  const dtype = config.dtype;
  if (dtype !== null && typeof dtype === "object" && !Array.isArray(dtype)) {
    // A serialized keras.DTypePolicy: {"class_name": "DTypePolicy", "config": {"name": "float64"}}.
    const policy = (dtype as Record<string, unknown>).config as Record<string, unknown> | undefined;
    config.dtype = policy && typeof policy === "object" ? policy.name : undefined;
  } else if (dtype === null) {
    delete config.dtype; // Keras's None: floatx
  }
  if (className === "LossFunctionWrapper" && config.fn !== undefined) {
    const fn = config.fn;
    const fnName = fn !== null && typeof fn === "object" ? ((fn as Record<string, unknown>).config ?? (fn as Record<string, unknown>).registered_name) : fn;
    if (typeof fnName !== "string" || isRegistered(fnName)) return { className, config: { ...config, fn: fnName } };
    // LossFunctionWrapper(keras.losses.huber, delta=2) is the Huber loss with those options.
    const { fn: _fn, ...rest } = config;
    return { className: fnName, config: rest };
  }
  return { className: pickName(className, registered, isRegistered), config };
}

function pickName(className: unknown, registered: unknown, isRegistered: (name: string) => boolean): unknown {
  return typeof registered === "string" && isRegistered(registered) ? registered : className;
}

/** Check `serializeLoss`'s options; returns the format. */
export function serializeFormat(options: SerializeLossOptions | undefined): "losskit" | "keras" {
  if (options === undefined) return "losskit";
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new ConfigError(`serializeLoss options must be an object like { format: "keras" }, received ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "format") throw new ConfigError(`${key} is not an option of serializeLoss; its only option is format ("losskit" or "keras")`);
  }
  const format = options.format ?? "losskit";
  if (format !== "losskit" && format !== "keras") {
    throw new ConfigError(`Invalid value for argument format. Expected "losskit" or "keras". Received: format=${describeValue(format)}`);
  }
  return format;
}
