import type { Loss, PerSampleFunction } from "./loss";
import { normalizeName } from "./suggest";

/**
 * User registrations (`registerLoss`), kept on `globalThis` under
 * `Symbol.for("losskit.registry")` so that every copy of losskit loaded in one process
 * shares them: the ESM and the CJS build of the package (`import` and `require` in the same
 * program load both), or two bundles of it. Built-in losses are not shared: each copy
 * resolves built-in names to its own classes, so `getLoss("mse") instanceof MeanSquaredError`
 * holds for whichever copy the caller imported.
 */
export interface UserRegistry {
  readonly version: number;
  /** Loss subclasses by registered name. */
  readonly classes: Map<string, LossClass>;
  /** The registered name of each class (for `serializeLoss`). */
  readonly classNames: Map<LossClass, string>;
  /** Per-sample functions by registered name. */
  readonly functions: Map<string, PerSampleFunction>;
}

/** A loss class as the registry sees it (the same type as src/losses/index.ts's, kept here to import nothing of the table). */
type LossClass = new (config?: any) => Loss;

const STORE_KEY = /*#__PURE__*/ Symbol.for("losskit.registry");
/** Bump when the store's layout changes: a copy of another layout then keeps a store of its own. */
const STORE_VERSION = 1;

function createStore(): UserRegistry {
  return { version: STORE_VERSION, classes: new Map(), classNames: new Map(), functions: new Map() };
}

/** The process-wide store of user registrations (created by the first copy of losskit that asks). */
export function userRegistry(): UserRegistry {
  const holder = globalThis as Record<symbol, unknown>;
  const existing = holder[STORE_KEY] as UserRegistry | undefined;
  if (existing && typeof existing === "object" && existing.version === STORE_VERSION) return existing;
  const store = createStore();
  if (existing === undefined) {
    Object.defineProperty(globalThis, STORE_KEY, { value: store, configurable: true, enumerable: false, writable: false });
  }
  return store;
}

/** A registered class whose name equals `name` after normalization (`"doubled_error"` finds `"DoubledError"`). */
export function findUserClassNormalized(store: UserRegistry, name: string): LossClass | undefined {
  if (store.classes.size === 0) return undefined;
  const wanted = normalizeName(name);
  let found: LossClass | undefined;
  // The latest registration wins, as it did when names went into one map.
  for (const [registered, cls] of store.classes) if (normalizeName(registered) === wanted) found = cls;
  return found;
}
