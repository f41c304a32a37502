/**
 * Class weights, as `model.fit(…, class_weight=…)` in Keras and
 * `sklearn.utils.class_weight.compute_class_weight` in scikit-learn.
 *
 * @module
 */
import { ConfigError, InputError, ShapeError, describeValue, formatShape } from "../errors";
import { toTensor, type TensorLike } from "../tensor/convert";
import { Tensor, allocate, type DType, type FloatArray } from "../tensor/tensor";
import { checkOptionKeys, checkOptionsObject } from "../options";
import { flatValues, isPlainObject, listWords, roundHalfEven } from "./internal";

/**
 * A weight per class: an object keyed by class index (`{ 0: 1, 1: 5 }`, what Keras's
 * `class_weight` dict is), an array indexed by class (`[1, 5]`), or a `Map`.
 */
export type ClassWeight = Readonly<Record<number | string, number>> | ReadonlyArray<number | null | undefined> | ReadonlyMap<number, number>;

/** Options of {@link classWeightToSampleWeight}. */
export interface ClassWeightToSampleWeightOptions {
  /**
   * Weight of a class that `classWeight` does not list. Default: none, such a class is an
   * `InputError` naming it. Keras's `fit` silently gives it `1`; pass `defaultWeight: 1`
   * for that behaviour.
   */
  defaultWeight?: number;
  /** Element type of the returned weights. Default `"float32"` (Keras's floatx). */
  dtype?: DType;
}

/**
 * The class of each sample, as Keras's `class_weight_to_sample_weights` reads labels:
 * `[B]` and `[B, 1]` are class indices (rounded half to even, as `np.round`); `[B, C]`
 * with `C > 1` are one-hot or probability rows whose class is the argmax (the first
 * maximum on ties, as `np.argmax`).
 */
export function labelsToClasses(yTrue: TensorLike, name = "yTrue"): Int32Array {
  const t = toTensor(yTrue, { name, dtype: "float64" });
  if (t.rank === 0 || t.rank > 2) {
    throw new ShapeError(
      `${name} has shape ${formatShape(t.shape)}; class weights need labels of shape [batch] or [batch, 1] (class indices) or [batch, classes] (one-hot or probability rows), as Keras's class_weight`,
    );
  }
  const values = flatValues(t);
  const batch = t.shape[0]!;
  const classes = new Int32Array(batch);
  if (t.rank === 2 && t.shape[1]! > 1) {
    const bad = argmaxRows(values, batch, t.shape[1]!, classes);
    if (bad >= 0) {
      throw new InputError(`${name}[${Math.floor(bad / t.shape[1]!)}][${bad % t.shape[1]!}] is NaN; one-hot or probability rows must hold numbers`);
    }
    return classes;
  }
  for (let i = 0; i < batch; i++) {
    const v = values[i]!;
    const c = roundHalfEven(v);
    if (!Number.isFinite(v) || c < 0 || c > 0x7fffffff) {
      throw new InputError(`${name}[${i}] is ${v}, expected a class index (an integer >= 0)`);
    }
    classes[i] = c;
  }
  return classes;
}

/** Row argmax into `out`; returns the flat index of the first NaN, or -1. */
function argmaxRows(values: FloatArray, rows: number, length: number, out: Int32Array): number {
  for (let r = 0, base = 0; r < rows; r++, base += length) {
    let best = 0;
    let bestValue = values[base]!;
    if (bestValue !== bestValue) return base;
    for (let k = 1; k < length; k++) {
      const v = values[base + k]!;
      if (v !== v) return base + k;
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    out[r] = best;
  }
  return -1;
}

/** A class index key: `0`, `"3"`, `"2.0"` (Keras accepts float keys); anything else is refused. */
function classKey(key: unknown): number {
  const n = typeof key === "number" ? key : typeof key === "string" && /^\s*\d+(\.0*)?\s*$/.test(key) ? Number(key) : NaN;
  if (!Number.isInteger(n) || n < 0) {
    throw new ConfigError(`classWeight must map class indices (integers >= 0) to weights; received the key ${describeValue(key)}`);
  }
  return n;
}

function checkWeight(value: unknown, key: number | string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`classWeight[${key}] must be a finite number >= 0, received ${describeValue(value)}`);
  }
  return value;
}

/** `classWeight` as a `Map` from class index to weight, validated. */
export function classWeightTable(classWeight: ClassWeight): Map<number, number> {
  const table = new Map<number, number>();
  if (classWeight instanceof Map) {
    for (const [key, value] of classWeight) table.set(classKey(key), checkWeight(value, key));
  } else if (Array.isArray(classWeight)) {
    for (let c = 0; c < classWeight.length; c++) {
      const value = classWeight[c];
      if (value === undefined || value === null) continue;
      table.set(c, checkWeight(value, c));
    }
  } else if (isPlainObject(classWeight)) {
    for (const [key, value] of Object.entries(classWeight)) table.set(classKey(key), checkWeight(value, key));
  } else {
    throw new ConfigError(`classWeight must be an object { classIndex: weight }, an array indexed by class or a Map; received ${describeValue(classWeight)}`);
  }
  return table;
}

/**
 * Turn a class weight into a sample weight per sample, as Keras's `fit(class_weight=…)`
 * does before calling the loss: `sampleWeight[i] = classWeight[class of sample i]`.
 *
 * Labels (`yTrue`): class indices of shape `[batch]` or `[batch, 1]` (rounded half to
 * even, as `np.round`), or one-hot / probability rows `[batch, classes]`, whose class is
 * the row's argmax (first maximum on ties), as Keras's `class_weight_to_sample_weights`.
 * `classWeight`: an object keyed by class index, an array indexed by class, or a `Map`;
 * weights must be finite and >= 0.
 *
 * Options: `defaultWeight` (default: none; a class missing from `classWeight` is an
 * `InputError` naming every missing class; Keras silently uses `1`), `dtype`
 * (`"float32"` default).
 *
 * Returns a `Tensor` of shape `[batch]`: pass it as the loss's `sampleWeight`. To combine
 * it with a sample weight you already have, multiply them (Keras refuses both at once).
 *
 * Reference: Keras `keras/src/trainers/data_adapters/data_adapter_utils.py`.
 *
 * @example
 * classWeightToSampleWeight([0, 1, 0, 2], { 0: 1, 1: 2, 2: 3 }).toArray();            // [1, 2, 1, 3]
 * classWeightToSampleWeight([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0.5, 2, 4]).toArray(); // [0.5, 2, 4]
 */
export function classWeightToSampleWeight(yTrue: TensorLike, classWeight: ClassWeight, options: ClassWeightToSampleWeightOptions = {}): Tensor {
  const { defaultWeight, dtype = "float32" } = checkOptionsObject(options, "classWeightToSampleWeight options") as ClassWeightToSampleWeightOptions;
  checkOptionKeys((options ?? {}) as Record<string, unknown>, ["defaultWeight", "dtype"], "classWeightToSampleWeight");
  if (defaultWeight !== undefined) checkWeight(defaultWeight, "defaultWeight (classWeightToSampleWeight option)");
  if (dtype !== "float32" && dtype !== "float64") throw new ConfigError(`Invalid value for argument dtype. Expected "float32" or "float64". Received: dtype=${describeValue(dtype)}`);
  const table = classWeightTable(classWeight);
  const classes = labelsToClasses(yTrue);
  const out = allocate(dtype, classes.length);
  const missing = new Set<number>();
  for (let i = 0; i < classes.length; i++) {
    const w = table.get(classes[i]!);
    if (w === undefined) {
      if (defaultWeight === undefined) missing.add(classes[i]!);
      else out[i] = defaultWeight;
    } else out[i] = w;
  }
  if (missing.size > 0) {
    const list = [...missing].sort((a, b) => a - b);
    const known = [...table.keys()].sort((a, b) => a - b);
    throw new InputError(
      `yTrue holds class${list.length > 1 ? "es" : ""} ${listWords(list)}, which classWeight has no weight for (it has ${known.length ? listWords(known) : "none"}); ` +
        `add ${list.length > 1 ? "them" : "it"}, or pass { defaultWeight: 1 } to weigh unlisted classes 1 as Keras does`,
    );
  }
  return new Tensor(out, [classes.length]);
}

/**
 * How to weigh classes in {@link computeClassWeight}: `"balanced"`, a `{ class: weight }`
 * object (listed classes get their weight, the others 1), or `null` (all 1).
 */
export type ClassWeightMode = "balanced" | Readonly<Record<number | string, number>> | null | undefined;

/**
 * scikit-learn's `compute_class_weight`: one weight per class, for imbalanced data.
 *
 * `"balanced"`: `w_c = nSamples / (nClasses · count_c)`, so every class contributes the
 * same total weight (`w_c · count_c = nSamples / nClasses`); a class seen in half the
 * samples of a 2-class set gets 1. A `{ class: weight }` object gives its classes their
 * weight and the others 1; `null` gives 1 to every class.
 *
 * `labels`: class indices `[n]` / `[n, 1]`, or one-hot / probability rows `[n, classes]`
 * (argmax), read as {@link classWeightToSampleWeight} reads them. `classes`: the classes
 * to weigh, in the order of the result (default: the sorted distinct labels, scikit-learn's
 * `np.unique(y)`). A label outside `classes` is an `InputError`; with `"balanced"`, a class
 * without samples is an `InputError` too (its weight would be infinite).
 *
 * Returns the weights as an array aligned with `classes`; see
 * {@link computeClassWeightDict} for Keras's `{ class: weight }` form.
 *
 * Reference: scikit-learn `sklearn/utils/class_weight.py`; King and Zeng, "Logistic
 * Regression in Rare Events Data", Political Analysis 9, 2001.
 *
 * @example
 * computeClassWeight("balanced", [1, 1, 1, 1, 0, 0]); // [1.5, 0.75] (scikit-learn's docstring)
 */
export function computeClassWeight(mode: ClassWeightMode, labels: TensorLike, classes?: readonly number[]): number[] {
  const y = labelsToClasses(labels, "labels");
  const classList = classes === undefined ? distinctSorted(y) : checkClasses(classes);
  const indexOf = new Map<number, number>();
  classList.forEach((c, i) => indexOf.set(c, i));
  const counts = new Float64Array(classList.length);
  const unknown = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    const k = indexOf.get(y[i]!);
    if (k === undefined) unknown.add(y[i]!);
    else counts[k]!++;
  }
  if (unknown.size > 0) {
    throw new InputError(`labels hold ${listWords([...unknown].sort((a, b) => a - b))}, which classes (${listWords(classList)}) does not include; classes must include every label`);
  }
  if (mode === null || mode === undefined) return classList.map(() => 1);
  if (mode === "balanced") {
    const empty = classList.filter((_, i) => counts[i] === 0);
    if (empty.length > 0) {
      throw new InputError(`class${empty.length > 1 ? "es" : ""} ${listWords(empty)} of classes ha${empty.length > 1 ? "ve" : "s"} no sample in labels; "balanced" would give ${empty.length > 1 ? "them" : "it"} an infinite weight`);
    }
    const n = y.length;
    const k = classList.length;
    return classList.map((_, i) => n / (k * counts[i]!));
  }
  if (isPlainObject(mode) || (mode as unknown) instanceof Map) {
    const weights = classList.map(() => 1);
    for (const [c, w] of classWeightTable(mode as ClassWeight)) {
      const i = indexOf.get(c);
      if (i === undefined) throw new ConfigError(`class weight given for class ${c}, which is not in classes (${listWords(classList)})`);
      weights[i] = w;
    }
    return weights;
  }
  throw new ConfigError(`computeClassWeight mode must be "balanced", a { class: weight } object or null, received ${describeValue(mode)}`);
}

/**
 * {@link computeClassWeight} as a `{ class: weight }` object: the `class_weight` dict that
 * Keras users build with `dict(enumerate(weights))`, ready for
 * {@link classWeightToSampleWeight}.
 *
 * @example
 * computeClassWeightDict("balanced", [0, 0, 0, 1]);    // { 0: 0.6666666666666666, 1: 2 }
 * computeClassWeightDict("balanced", [0, 0, 0, 1])[1]; // 2 (4 samples / (2 classes · 1))
 */
export function computeClassWeightDict(mode: ClassWeightMode, labels: TensorLike, classes?: readonly number[]): Record<number, number> {
  const y = classes ?? distinctSorted(labelsToClasses(labels, "labels"));
  const weights = computeClassWeight(mode, labels, y);
  const out: Record<number, number> = {};
  y.forEach((c, i) => (out[c] = weights[i]!));
  return out;
}

function distinctSorted(y: Int32Array): number[] {
  return [...new Set(y)].sort((a, b) => a - b);
}

function checkClasses(classes: readonly number[]): number[] {
  if (!Array.isArray(classes) && !ArrayBuffer.isView(classes)) {
    throw new ConfigError(`classes must be an array of class indices, received ${describeValue(classes)}`);
  }
  const list = Array.from(classes as ArrayLike<number>);
  const seen = new Set<number>();
  for (const c of list) {
    if (!Number.isInteger(c) || c < 0) throw new ConfigError(`classes must hold class indices (integers >= 0), received ${describeValue(c)}`);
    if (seen.has(c)) throw new ConfigError(`classes lists class ${c} twice`);
    seen.add(c);
  }
  return list;
}
