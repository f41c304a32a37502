/**
 * Small helpers shared by the training modules (not exported from the package).
 * @internal
 */
import { Tensor, type FloatArray } from "../tensor/tensor";

/** The elements of `t` in C order: a view when `t` is contiguous, a copy otherwise. */
export function flatValues(t: Tensor): FloatArray {
  if (t.isContiguous) return t.data.subarray(t.offset, t.offset + t.size);
  return t.toTypedArray();
}

/** A plain `{ key: value }` object: the project's one rule (src/options.ts). */
export { isPlainObject } from "../options";

/** The multi-index of flat C-order index `index` in `shape`. */
export function positionOf(index: number, shape: readonly number[]): number[] {
  const position = new Array<number>(shape.length).fill(0);
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const dim = shape[axis]!;
    position[axis] = dim === 0 ? 0 : rest % dim;
    rest = dim === 0 ? 0 : Math.floor(rest / dim);
  }
  return position;
}

/** `yPred[1][2]` (or `yPred` for a scalar). */
export function formatPosition(name: string, position: readonly number[]): string {
  return name + position.map((i) => `[${i}]`).join("");
}

/** `valLoss` → `val_loss`, as Keras names its logs. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** NumPy's `np.round`: halves go to the even neighbour (`2.5 → 2`, `3.5 → 4`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends halves up; NumPy sends them to the even integer.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A short rendering of a number for messages: `NaN`, `-Infinity`, `3.2`, `1.5e+5`. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4)) return v.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(6)));
}

/** `a, b and c` */
export function listWords(items: readonly (string | number)[], limit = 8): string {
  const shown = items.slice(0, limit).map(String);
  const more = items.length > limit ? ` and ${items.length - limit} more` : "";
  if (shown.length <= 1) return shown.join("") + more;
  if (more) return shown.join(", ") + more;
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

/**
 * Make `instance` callable: returns a function that runs `call` and has `instance`'s
 * prototype (so `instanceof` and methods work), the way `Loss` instances are callable.
 */
export function callableInstance<T extends object, F extends (...args: never[]) => unknown>(proto: object, call: (self: T) => F): T & F {
  let self: T & F;
  const fn = ((...args: never[]) => call(self)(...args)) as unknown as T & F;
  Object.setPrototypeOf(fn, proto);
  self = fn;
  return self;
}
