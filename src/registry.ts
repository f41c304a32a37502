import { ConfigError, describeValue } from "./errors";
import { Loss, LossFunctionWrapper, type LossConfig, type PerSampleFunction } from "./loss";
import { camelCase, type LossFunction } from "./losses/define";
import { closestNames } from "./suggest";
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
const userFunctions = new Map<string, PerSampleFunction>();

function normalize(name: string): string {
  return name.replace(/[_\s-]/g, "").toLowerCase();
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
  return [...byName.keys(), ...userFunctions.keys()].sort();
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
    classNames.set(cls, name);
    byName.set(name, cls);
    byNormalizedName.set(normalize(name), cls);
  } else {
    userFunctions.set(name, lossClassOrFunction as PerSampleFunction);
  }
}

function unknownName(name: string): ConfigError {
  const hints = closestNames(name, listLosses(), 3);
  return new ConfigError(`Could not interpret loss identifier: "${name}". Did you mean ${hints.map((h) => `"${h}"`).join(", ")}? (listLosses() gives every name)`);
}

function lookupClass(name: string): LossClass | undefined {
  ensureBuiltins();
  return byName.get(name) ?? byNormalizedName.get(normalize(name));
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
    const fn = userFunctions.get(identifier);
    if (fn) return new LossFunctionWrapper(fn, { name: identifier });
    const cls = lookupClass(identifier);
    if (!cls) throw unknownName(identifier);
    return new cls();
  }
  if (identifier !== null && typeof identifier === "object") return deserializeLoss(identifier);
  throw new ConfigError(`Could not interpret loss identifier: expected a string, a { className, config } object, a Loss or a function, received ${describeValue(identifier)}`);
}

/** `{ className, config }` for a loss; JSON-safe, and `deserializeLoss` rebuilds it. */
export function serializeLoss(loss: Loss): SerializedLoss {
  ensureBuiltins();
  if (!(loss instanceof Loss)) throw new ConfigError(`serializeLoss needs a Loss instance, received ${describeValue(loss)}`);
  const config = loss.getConfig();
  if (loss instanceof LossFunctionWrapper && loss.constructor === LossFunctionWrapper) {
    const fnName = [...userFunctions].find(([, f]) => f === loss.fn)?.[0];
    if (!fnName) {
      throw new ConfigError(`cannot serialize LossFunctionWrapper "${loss.name}": its function is not registered; call registerLoss(name, fn) first`);
    }
    return { className: "LossFunctionWrapper", config: JSON.parse(JSON.stringify({ ...config, fn: fnName })) };
  }
  const className = classNames.get(loss.constructor as LossClass);
  if (!className) throw new ConfigError(`cannot serialize ${loss.constructor.name}: register it with registerLoss("${loss.constructor.name}", ${loss.constructor.name}) first`);
  return { className, config: JSON.parse(JSON.stringify(config)) };
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
  rejectForbiddenKeys(serialized, "serialized loss");
  const record = serialized as Record<string, unknown>;
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
    const fn = userFunctions.get(fnName);
    if (!fn) throw new ConfigError(`LossFunctionWrapper config.fn "${fnName}" is not a registered function; call registerLoss("${fnName}", fn) first`);
    return new LossFunctionWrapper(fn, rest);
  }
  ensureBuiltins();
  const cls = byName.get(className);
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
