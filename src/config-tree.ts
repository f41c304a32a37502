import { ConfigError, describeValue } from "./errors";
import { MAX_RANK } from "./tensor/limits";

/** Most levels of nesting a configuration may have (the same bound as a tensor's rank). */
export const MAX_CONFIG_DEPTH = MAX_RANK;

/** Most entries (object keys and array elements, counted along every path) a configuration may have. */
export const MAX_CONFIG_ENTRIES = 100_000;

/**
 * Refuse a configuration that would make a recursive walk overflow the stack or never end:
 * a cycle, more than {@link MAX_CONFIG_DEPTH} levels, or more than {@link MAX_CONFIG_ENTRIES}
 * entries (a shared object is counted each time it is reached, so a small object graph
 * that expands into an exponential tree is refused too). JSON from `serializeLoss` is a few
 * levels and a few dozen entries. Typed arrays are leaves. Throws a `ConfigError` naming
 * `what`.
 */
export function checkConfigTree(value: unknown, what: string): void {
  const onPath = new Set<object>();
  let entries = 0;
  const visit = (node: unknown, depth: number, key: string): void => {
    if (node === null || typeof node !== "object" || ArrayBuffer.isView(node)) return;
    if (onPath.has(node)) {
      throw new ConfigError(`${what} contains a cycle: ${describeKey(key)} on level ${depth} refers back to an object that contains it; a config must be a tree (JSON)`);
    }
    if (depth >= MAX_CONFIG_DEPTH) {
      throw new ConfigError(`${what} is nested more than ${MAX_CONFIG_DEPTH} levels deep (at ${describeKey(key)}); a loss config has a few levels`);
    }
    const keys = Object.keys(node);
    entries += keys.length;
    if (entries > MAX_CONFIG_ENTRIES) {
      throw new ConfigError(`${what} has more than ${MAX_CONFIG_ENTRIES} entries (counting shared objects each time they are reached); a loss config has a few dozen`);
    }
    onPath.add(node);
    for (const k of keys) visit((node as Record<string, unknown>)[k], depth + 1, k);
    onPath.delete(node);
  };
  visit(value, 0, "");
}

function describeKey(key: string): string {
  return key === "" ? "the top level" : `key ${describeValue(key)}`;
}

/**
 * A JSON-safe copy of a configuration (`JSON.parse(JSON.stringify(config))`), after
 * {@link checkConfigTree}; a value JSON cannot hold (a BigInt, a `toJSON` that throws) is a
 * `ConfigError` naming `what`.
 */
export function toJsonConfig<T>(config: T, what: string): T {
  checkConfigTree(config, what);
  try {
    return JSON.parse(JSON.stringify(config)) as T;
  } catch (error) {
    throw new ConfigError(`${what} is not JSON: ${error instanceof Error ? error.message.slice(0, 200) : describeValue(error)}`);
  }
}
