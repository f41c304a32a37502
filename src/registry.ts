import { ConfigError, describeValue } from "./errors";
import { checkConfigTree, toJsonConfig } from "./config-tree";
import { Loss, LossFunctionWrapper, type LossConfig, type PerSampleFunction } from "./loss";
import { camelCase, type LossFunction } from "./losses/define";
import { normalizeName, quoteName, unknownLossMessage } from "./suggest";
import { findUserClassNormalized, userRegistry } from "./registry-store";
import { fromKerasFormat, serializeFormat, toKerasFormat, type KerasSerializedLoss, type SerializeLossOptions } from "./keras-format";
import { TFJS_ALIASES, tfjsAlias } from "./tfjs-aliases";
import { BUILTIN_LOSSES, type LossClass, type LossEntry } from "./losses/index";
import { FORBIDDEN_KEYS } from "./math/constants";
import type { LossName } from "./losses/names";
import type { ReductionOption } from "./reduction/reduce";

export type { LossClass, LossEntry, LossOrigin } from "./losses/index";

/** What `getLoss` accepts. */
export type LossIdentifier = string | SerializedLoss | Loss | PerSampleFunction;

/** `serializeLoss` output: JSON-safe. */
export interface SerializedLoss {
  className: string;
  config: LossConfig;
}

const byName = new Map<string, LossClass>();
const byNormalizedName = new Map<string, LossClass>();
const classNames = new Map<LossClass, string>();
// User registrations live in one store per process, shared by the ESM and CJS builds
// (src/registry-store.ts); read only inside functions, so bundles without the registry drop it.
const users = /*#__PURE__*/ userRegistry();

function normalize(name: string): string {
  return normalizeName(name);
}

function addName(name: string, cls: LossClass): void {
  byName.set(name, cls);
  if (!byNormalizedName.has(normalize(name))) byNormalizedName.set(normalize(name), cls);
}

function addEntry(entry: LossEntry): void {
  classNames.set(entry.cls, entry.className);
  addName(entry.className, entry.cls);
  if (entry.fn) {
    addName(entry.fn.lossName, entry.cls);
    addName(camelCase(entry.fn.lossName), entry.cls);
  }
  for (const alias of entry.aliases ?? []) addName(alias, entry.cls);
}

let builtinsAdded = false;

/**
 * The registry is filled from the loss table on first use, not at import time: a bundle
 * that never calls the registry then leaves the table (and every family) out.
 */
function ensureBuiltins(): void {
  if (builtinsAdded) return;
  builtinsAdded = true;
  for (const entry of BUILTIN_LOSSES) addEntry(entry);
}

/** Every name `getLoss` knows (class names, function names, aliases, user registrations). */
export function listLosses(): string[] {
  ensureBuiltins();
  return [...new Set([...byName.keys(), ...users.classes.keys(), ...users.functions.keys(), ...Object.keys(TFJS_ALIASES)])].sort();
}

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== "string" || name.length === 0) throw new ConfigError(`${what} must be a non-empty string, received ${describeValue(name)}`);
  if (FORBIDDEN_KEYS.has(name)) throw new ConfigError(`${what} "${name}" is not allowed`);
}

/**
 * Register a user loss under `name`: a `Loss` subclass, or a per-sample function
 * `(yTrue, yPred) => values` (which `getLoss(name)` wraps in a `LossFunctionWrapper`).
 */
export function registerLoss(name: string, lossClassOrFunction: LossClass | PerSampleFunction): void {
  ensureBuiltins();
  checkName(name, "registerLoss name");
  if (typeof lossClassOrFunction !== "function") {
    throw new ConfigError(`registerLoss("${name}", …) needs a Loss subclass or a function (yTrue, yPred) => values, received ${describeValue(lossClassOrFunction)}`);
  }
  if (lossClassOrFunction.prototype instanceof Loss) {
    const cls = lossClassOrFunction as LossClass;
    users.classes.set(name, cls);
    users.classNames.set(cls, name);
  } else {
    users.functions.set(name, lossClassOrFunction as PerSampleFunction);
  }
}

function unknownName(name: string): ConfigError {
  ensureBuiltins();
  const tfjsNames = Object.keys(TFJS_ALIASES).map((alias) => [alias, byName.get(TFJS_ALIASES[alias]!.className)] as const);
  return new ConfigError(unknownLossMessage(name, [...byName, ...users.classes, ...users.functions, ...tfjsNames]));
}

function lookupClass(name: string): LossClass | undefined {
  ensureBuiltins();
  return users.classes.get(name) ?? byName.get(name) ?? findUserClassNormalized(users, name) ?? byNormalizedName.get(normalize(name));
}

/**
 * A reducing Loss instance from any identifier: a Keras class name, a Keras function
 * name, an alias (`"mse"`, `"BCE"`, `"kld"`, …), a camelCase handle name, a
 * `{ className, config }` object, a Loss instance (returned as is) or a per-sample
 * function (wrapped).
 */
export function getLoss(identifier: LossName | (string & {})): Loss<"sum_over_batch_size">;
export function getLoss<R extends ReductionOption>(identifier: Loss<R>): Loss<R>;
export function getLoss(identifier: LossIdentifier): Loss;
export function getLoss(identifier: LossIdentifier): Loss {
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === "function") return new LossFunctionWrapper(identifier as PerSampleFunction);
  if (typeof identifier === "string") {
    checkName(identifier, "loss identifier");
    const fn = users.functions.get(identifier);
    if (fn) return new LossFunctionWrapper(fn, { name: identifier });
    const cls = lookupClass(identifier);
    if (!cls && tfjsAlias(identifier)) return deserializeLoss(tfjsAlias(identifier)!); // tf.losses names (src/tfjs-aliases.ts)
    if (!cls) throw unknownName(identifier);
    return new cls();
  }
  if (identifier !== null && typeof identifier === "object") return deserializeLoss(identifier);
  throw new ConfigError(`Could not interpret loss identifier: expected a string, a { className, config } object, a Loss or a function, received ${describeValue(identifier)}`);
}

/**
 * `{ className, config }` for a loss; JSON-safe, and `deserializeLoss` rebuilds it. With
 * `{ format: "keras" }`, Keras 3's `{ module, class_name, config, registered_name }` with
 * snake_case options, as `keras.saving.serialize_keras_object` writes it (src/keras-format.ts).
 *
 * @example
 * // { module: "keras.losses", class_name: "Huber", config: { name: "huber_loss", reduction: "sum_over_batch_size", delta: 2 }, registered_name: null }
 * const keras = serializeLoss(new Huber({ delta: 2 }), { format: "keras" });
 * keras.config.delta; // 2
 * deserializeLoss(keras)([0, 0], [1, 3]); // 2.25 (mean of ½·1² and 2·3 - ½·2²)
 */
export function serializeLoss(loss: Loss, options?: { format?: "losskit" }): SerializedLoss;
export function serializeLoss(loss: Loss, options: { format: "keras" }): KerasSerializedLoss;
export function serializeLoss(loss: Loss, options?: SerializeLossOptions): SerializedLoss | KerasSerializedLoss;
export function serializeLoss(loss: Loss, options?: SerializeLossOptions): SerializedLoss | KerasSerializedLoss {
  if (serializeFormat(options) === "keras") return toKerasFormat(serializeLoss(loss), loss);
  ensureBuiltins();
  if (!(loss instanceof Loss)) throw new ConfigError(`serializeLoss needs a Loss instance, received ${describeValue(loss)}`);
  const config = loss.getConfig();
  if (loss instanceof LossFunctionWrapper && loss.constructor === LossFunctionWrapper) {
    const fnName = [...users.functions].find(([, f]) => f === loss.fn)?.[0];
    if (!fnName) {
      throw new ConfigError(`cannot serialize LossFunctionWrapper "${loss.name}": its function is not registered; call registerLoss(name, fn) first`);
    }
    return { className: "LossFunctionWrapper", config: toJsonConfig({ ...config, fn: fnName }, `LossFunctionWrapper "${fnName}" config`) };
  }
  const className = users.classNames.get(loss.constructor as LossClass) ?? classNames.get(loss.constructor as LossClass);
  if (!className) throw new ConfigError(`cannot serialize ${loss.constructor.name}: register it with registerLoss("${loss.constructor.name}", ${loss.constructor.name}) first`);
  return { className, config: toJsonConfig(config, `${className} config`) };
}

/**
 * Rebuild a loss from `serializeLoss` output (or Keras's `{ class_name, config }` JSON,
 * whose snake_case option names are accepted). Keys that could reach a prototype
 * (`__proto__`, `constructor`, `prototype`) are refused; nothing is evaluated.
 */
export function deserializeLoss(serialized: SerializedLoss | Record<string, unknown>): Loss {
  if (serialized === null || typeof serialized !== "object" || Array.isArray(serialized)) {
    throw new ConfigError(`deserializeLoss needs a { className, config } object, received ${describeValue(serialized)}`);
  }
  checkConfigTree(serialized, "serialized loss");
  rejectForbiddenKeys(serialized, "serialized loss");
  const record = fromKerasFormat(serialized as Record<string, unknown>, (name) => users.classes.has(name) || users.functions.has(name));
  const className = record.className ?? record.class_name;
  checkName(className, "className");
  const rawConfig = record.config ?? {};
  if (rawConfig === null || typeof rawConfig !== "object" || Array.isArray(rawConfig)) {
    throw new ConfigError(`config must be an object, received ${describeValue(rawConfig)}`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rawConfig as Record<string, unknown>)) {
    config[key.includes("_") ? camelCase(key) : key] = value;
  }
  if (className === "LossFunctionWrapper") {
    const { fn: fnName, ...rest } = config;
    checkName(fnName, "LossFunctionWrapper config.fn");
    const fn = users.functions.get(fnName);
    if (!fn) throw new ConfigError(`LossFunctionWrapper config.fn ${quoteName(fnName)} is not a registered function; call registerLoss(name, fn) first`);
    return new LossFunctionWrapper(fn, rest);
  }
  ensureBuiltins();
  const cls = users.classes.get(className) ?? byName.get(className);
  if (!cls) throw unknownName(className);
  return new cls(config);
}

function rejectForbiddenKeys(value: unknown, path: string): void {
  if (value === null || typeof value !== "object") return;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw new ConfigError(`${path} contains the key "${key}", which is refused (prototype pollution guard)`);
    rejectForbiddenKeys((value as Record<string, unknown>)[key], `${path}.${key}`);
  }
}
