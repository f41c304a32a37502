// The fuzz generator, shared by test/fuzz.test.ts (a seeded CI-sized run against src/) and
// scripts/fuzz/run.mjs (`npm run fuzz`, a long run against dist/ in worker threads).
//
// A case is plain data (fast-check shrinks and prints it): which loss, which method, the
// shapes, the input forms and layouts, pools of values, options as indices into pools.
// `runCase(lib, targets, spec)` turns it into real arguments (fresh objects every time),
// makes the call, and checks the contract: a result of the documented shape or a
// LossError, no input changed, no call over 1 s, no prototype polluted.
//
// Nothing here knows the list of losses: `fuzzTargets(lib)` finds every loss class, every
// function handle and every getLoss name in whatever library it is given.
import fc from "fast-check";
import { lossByName, requiredOptions } from "../support/required-options.mjs";

export { lossByName, requiredOptions };

// ---------------------------------------------------------------------------------------
// Pools of values

/** Hostile numbers: non-finite, huge, tiny, signed zero, denormal, label-like. */
export const SPECIAL_VALUES = [NaN, Infinity, -Infinity, 1e30, -1e30, -0, 0, 1e-30, -1e-30, 5e-324, 1, -1, 0.5, 2, 255, 1e7];

const weighted = (pairs) => fc.oneof(...pairs.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));

const cleanValue = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 3, arbitrary: fc.integer({ min: -1, max: 4 }) },
);
const hostileValue = fc.oneof({ weight: 2, arbitrary: cleanValue }, { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_VALUES) });

/** The values an input cycles through: mostly clean, often class indices, sometimes hostile. */
const poolArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(cleanValue, { minLength: 1, maxLength: 24 }) },
  { weight: 2, arbitrary: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.array(hostileValue, { minLength: 1, maxLength: 24 }) },
);

/** Ranks 0-4, dimensions 0-4 (0 now and then). */
const dimArb = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 12, arbitrary: fc.integer({ min: 1, max: 4 }) });
const shapeArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 3, arbitrary: fc.array(dimArb, { minLength: 1, maxLength: 1 }) },
  { weight: 6, arbitrary: fc.array(dimArb, { minLength: 2, maxLength: 2 }) },
  { weight: 4, arbitrary: fc.array(dimArb, { minLength: 3, maxLength: 3 }) },
  { weight: 2, arbitrary: fc.array(dimArb, { minLength: 4, maxLength: 4 }) },
);

export const TYPED_ARRAYS = [
  "Float32Array", "Float64Array", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array",
];
export const LAYOUTS = ["contiguous", "offset", "transposed", "reversed", "strided", "broadcast"];

/** Values that are not tensors at all (made fresh for every call). */
export const JUNK = [
  () => "a",
  () => Symbol("s"),
  () => null,
  () => undefined,
  () => ({}),
  () => () => 1,
  () => new Map(),
  () => new DataView(new ArrayBuffer(8)),
  () => ({ data: 5, shape: [1] }),
  () => ({ data: [1, 2], shape: [3] }),
  () => ({ dataSync: () => [1], data: () => [1], shape: [1] }),
  () => new Date(0),
  () => true,
  () => [["a"]],
  () => [1, [2]],
  () => [[1, 2], [3]],
  () => Object.create(null),
  () => [Symbol("x")],
  () => ({ data: [1], shape: [1], stride: [Symbol("s")] }),
  () => ({ data: new Float32Array(2), shape: [2], stride: [5] }),
  () => ({ data: [1, 2], shape: [2], offset: -1 }),
  () => ({ data: [1, 2], shape: [2, Symbol("d")] }),
  () => ({ data: new Float32Array(0), shape: [2 ** 32, 0] }),
  () => ({ data: [], shape: new Array(70).fill(1) }),
  () => 2n,
  () => NaN,
  () => new Float32Array(3).buffer,
  () => [[[]], []],
  () => JSON.parse('{"__proto__": {"polluted": 1}, "data": [1], "shape": [1]}'),
  () => {
    const cyclic = [];
    cyclic.push(cyclic);
    return cyclic;
  },
  () => {
    let deep = [1];
    for (let i = 0; i < 200; i++) deep = [deep];
    return deep;
  },
];

// ---------------------------------------------------------------------------------------
// Case specs

/** How an input is given. */
const formArb = weighted([
  ["nested", 6],
  ["tensor", 4],
  ["ndarray", 3],
  ["typed", 2],
  ["nestedTyped", 1],
  ["booleans", 1],
  ["bigints", 1],
  ["ragged", 1],
  ["junk", 1],
]);

const inputArb = fc.record({
  form: formArb,
  layout: fc.constantFrom(...LAYOUTS),
  ctor: fc.constantFrom(...TYPED_ARRAYS),
  dtype: fc.constantFrom("float32", "float64"),
  stridesKey: fc.constantFrom("stride", "strides"),
  junk: fc.nat(JUNK.length - 1),
  pool: poolArb,
  pick: fc.nat(1000),
});

/** yTrue's shape from yPred's: the same, sparse labels, broadcasts, rank changes, or its own. */
const trueModeArb = weighted([
  ["same", 8],
  ["labels", 4],
  ["labels1", 1],
  ["broadcast", 1],
  ["dropLeading", 1],
  ["addTrailing1", 1],
  ["own", 1],
]);
const weightModeArb = weighted([
  ["none", 6],
  ["scalar", 1],
  ["batch", 2],
  ["perSample", 2],
  ["same", 1],
  ["own", 1],
]);
const maskModeArb = weighted([
  ["none", 8],
  ["batch", 1],
  ["perSample", 2],
  ["same", 1],
  ["own", 1],
]);
const upstreamModeArb = weighted([
  ["perSample", 6],
  ["batch", 1],
  ["same", 1],
  ["scalar", 1],
  ["own", 1],
]);

const optionsArb = fc.record({
  kind: weighted([
    ["object", 8],
    ["undefined", 3],
    ["junk", 1],
  ]),
  // [key index, value index, valid?]: a valid value (the default's kind) four times in five.
  entries: fc.array(fc.tuple(fc.nat(), fc.nat(), weighted([[true, 4], [false, 1]])), { maxLength: 4 }),
  unknownKey: weighted([
    [false, 12],
    [true, 1],
  ]),
  junk: fc.nat(JUNK.length - 1),
});

/** One fuzz case: plain data. */
export const caseArb = fc.record({
  target: fc.nat(),
  method: fc.nat(),
  // "sequence": yPred [batch, frames, classes] and yTrue [batch, labels] (CTC's layout),
  // which free shapes rarely give.
  structure: weighted([
    ["free", 8],
    ["sequence", 1],
  ]),
  yPredShape: shapeArb,
  ownShape: shapeArb,
  yPred: inputArb,
  yTrue: inputArb,
  trueMode: trueModeArb,
  sampleWeight: inputArb,
  weightMode: weightModeArb,
  mask: inputArb,
  maskMode: maskModeArb,
  upstream: inputArb,
  upstreamMode: upstreamModeArb,
  options: optionsArb,
});

// ---------------------------------------------------------------------------------------
// Targets

/**
 * Every loss the library offers: its classes (exported `Loss` subclasses, and whatever
 * `getLoss` builds for each name of `listLosses()`), its function handles (exported
 * functions with `lossName` and `vjp`), and the names themselves.
 */
function isPlainOptions(x) {
  return x === undefined || (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype);
}

export function fuzzTargets(lib) {
  const classes = new Map();
  const handles = new Map();
  for (const [name, value] of Object.entries(lib)) {
    if (typeof value !== "function") continue;
    if (value.prototype instanceof lib.Loss && value !== lib.LossFunctionWrapper) classes.set(name, value);
    else if (typeof value.lossName === "string" && typeof value.vjp === "function") handles.set(name, value);
  }
  for (const name of lib.listLosses()) {
    const cls = lossByName(lib, name).constructor;
    if (cls !== lib.LossFunctionWrapper && ![...classes.values()].includes(cls)) classes.set(cls.name, cls);
  }
  const targets = [];
  for (const [name, cls] of [...classes].sort(([a], [b]) => a.localeCompare(b))) {
    const defaults = new cls(requiredOptions(cls)).getConfig();
    targets.push({ name, kind: "class", cls, defaults, optionKeys: Object.keys(defaults) });
  }
  for (const [name, fn] of [...handles].sort(([a], [b]) => a.localeCompare(b))) {
    targets.push({ name, kind: "handle", fn, defaults: { ...fn.defaults }, optionKeys: [...Object.keys(fn.defaults), "dtype"] });
  }
  const names = lib.listLosses();
  targets.push({ name: "getLoss(name)", kind: "name", names, defaults: {}, optionKeys: [] });
  return targets;
}

/** The methods a target is called through. */
const METHODS = { class: ["call", "call", "valueAndGrad", "grad"], handle: ["handle", "handle", "vjp"], name: ["call", "valueAndGrad"] };

// ---------------------------------------------------------------------------------------
// Materializing a spec

const SENTINEL = 12345.5;

function size(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function contiguousStrides(shape) {
  const strides = new Array(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i];
  }
  return strides;
}

function valuesFor(pool, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = pool[i % pool.length];
  return out;
}

function derivedShape(mode, yPredShape, ownShape, pick) {
  const p = yPredShape;
  switch (mode) {
    case "same":
    case "perSample1":
      return p.slice();
    case "labels":
    case "perSample":
      return p.slice(0, -1);
    case "labels1":
      return p.length ? [...p.slice(0, -1), 1] : [1];
    case "broadcast":
      return p.map((d, i) => ((pick >> i) & 1 ? 1 : d));
    case "dropLeading":
      return p.slice(1);
    case "addTrailing1":
      return [...p, 1];
    case "batch":
      return p.length ? [p[0]] : [];
    case "scalar":
      return [];
    default:
      return ownShape.slice();
  }
}

/** A flat store of `logical` (C order) under a layout: `{ store, strides, offset, shape }`. */
function layoutOf(layout, shape, logical) {
  const n = logical.length;
  const rank = shape.length;
  const c = contiguousStrides(shape);
  switch (layout) {
    case "offset": {
      return { store: [SENTINEL, SENTINEL, SENTINEL, ...logical, SENTINEL, SENTINEL], strides: c, offset: 3 };
    }
    case "transposed": {
      if (rank < 2) break;
      const f = new Array(rank);
      let step = 1;
      for (let i = 0; i < rank; i++) {
        f[i] = step;
        step *= shape[i];
      }
      const store = new Array(n).fill(SENTINEL);
      forEachIndex(shape, (index, k) => {
        let position = 0;
        for (let i = 0; i < rank; i++) position += index[i] * f[i];
        store[position] = logical[k];
      });
      return { store, strides: f, offset: 0 };
    }
    case "reversed": {
      if (rank < 1 || shape[0] === 0) break;
      const store = new Array(n).fill(SENTINEL);
      const strides = c.slice();
      strides[0] = -c[0];
      const offset = (shape[0] - 1) * c[0];
      forEachIndex(shape, (index, k) => {
        let position = offset;
        for (let i = 0; i < rank; i++) position += index[i] * strides[i];
        store[position] = logical[k];
      });
      return { store, strides, offset };
    }
    case "strided": {
      if (n === 0) break;
      const strides = c.map((s) => 2 * s);
      const store = new Array(2 * n + 1).fill(SENTINEL);
      forEachIndex(shape, (index, k) => {
        let position = 1;
        for (let i = 0; i < rank; i++) position += index[i] * strides[i];
        store[position] = logical[k];
      });
      return { store, strides, offset: 1 };
    }
    case "broadcast": {
      const axis = shape.findIndex((d) => d > 1);
      if (axis < 0) break;
      // The values at index 0 along `axis`, repeated through a stride of 0.
      const reduced = shape.slice();
      reduced[axis] = 1;
      const rc = contiguousStrides(reduced);
      const store = new Array(size(reduced)).fill(SENTINEL);
      forEachIndex(shape, (index, k) => {
        if (index[axis] !== 0) return;
        let position = 0;
        for (let i = 0; i < rank; i++) position += index[i] * rc[i];
        store[position] = logical[k];
      });
      const strides = rc.slice();
      strides[axis] = 0;
      return { store, strides, offset: 0 };
    }
    default:
      break;
  }
  return { store: logical.slice(), strides: c, offset: 0 };
}

function forEachIndex(shape, visit) {
  const n = size(shape);
  const rank = shape.length;
  const index = new Array(rank).fill(0);
  for (let k = 0; k < n; k++) {
    visit(index, k);
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i] < shape[i]) break;
      index[i] = 0;
    }
  }
}

function fillTyped(ctorName, values) {
  const Ctor = globalThis[ctorName];
  const big = ctorName.startsWith("Big");
  const out = new Ctor(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = big ? BigInt(Number.isFinite(v) ? Math.max(-(2 ** 53), Math.min(2 ** 53, Math.trunc(v))) : 0) : v;
  }
  if (ctorName === "BigUint64Array") for (let i = 0; i < out.length; i++) if (out[i] < 0n) out[i] = 0n;
  return out;
}

function nest(shape, leaves, depth = 0, start = 0) {
  if (shape.length === 0) return leaves[0];
  if (depth === shape.length - 1) return leaves.slice(start, start + shape[depth]);
  const inner = size(shape.slice(depth + 1));
  const out = new Array(shape[depth]);
  for (let i = 0; i < shape[depth]; i++) out[i] = nest(shape, leaves, depth + 1, start + i * inner);
  return out;
}

/** Make the argument an input spec describes, with `shape` (fresh objects every call). */
export function materializeInput(lib, spec, shape) {
  const logical = valuesFor(spec.pool, size(shape));
  switch (spec.form) {
    case "junk":
      return JUNK[spec.junk % JUNK.length]();
    case "typed": {
      if (shape.length === 1) return fillTyped(spec.ctor, logical);
      return { data: fillTyped(spec.ctor, logical), shape: shape.slice() };
    }
    case "tensor": {
      const { store, strides, offset } = layoutOf(spec.layout, shape, logical);
      const data = spec.dtype === "float64" ? Float64Array.from(store) : Float32Array.from(store);
      return new lib.Tensor(data, shape.slice(), strides, offset);
    }
    case "ndarray": {
      const { store, strides, offset } = layoutOf(spec.layout, shape, logical);
      const plain = spec.pick % 3 === 0;
      const data = plain ? store : fillTyped(spec.ctor, store);
      const out = { data, shape: shape.slice(), offset };
      out[spec.stridesKey] = strides;
      return out;
    }
    case "booleans":
      return shape.length === 0 ? logical[0] > 0.5 : nest(shape, logical.map((v) => v > 0.5));
    case "bigints":
      return shape.length === 0 ? 1n : nest(shape, logical.map((v) => (Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n)));
    case "nestedTyped": {
      if (shape.length < 2) return nest(shape, logical);
      const rows = nest(shape.slice(0, -1), new Array(size(shape.slice(0, -1))).fill(0).map((_, r) => fillTyped(spec.dtype === "float64" ? "Float64Array" : "Float32Array", logical.slice(r * shape[shape.length - 1], (r + 1) * shape[shape.length - 1]))));
      return rows;
    }
    case "ragged": {
      const nested = nest(shape, logical);
      if (!Array.isArray(nested)) return [nested, [nested]];
      // Change one list somewhere: one element more or less, or an element that is an array where numbers are.
      let list = nested;
      let depth = 0;
      while (depth < shape.length - 1 && list.length > 0 && Array.isArray(list[spec.pick % list.length])) {
        list = list[spec.pick % list.length];
        depth++;
      }
      const change = spec.pick % 3;
      if (change === 0 && list.length > 0) list.pop();
      else if (change === 1) list.push(list.length > 0 ? list[0] : 1);
      else list.push([1]);
      return nested;
    }
    case "nested":
    default:
      return shape.length === 0 ? logical[0] : nest(shape, logical);
  }
}

/** Values for an option: `[likely valid, anything]` by the option's name and default. */
function optionValuePools(key, defaultValue) {
  if (key === "reduction") return [["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", null], ["bogus", 5, "", "None"]];
  if (key === "name") return [["custom", "a_b"], ["", 5, null, "x".repeat(50)]];
  if (key === "dtype") return [["float32", "float64", null], ["int32", 64, ""]];
  if (key === "axis") return [[-1, -1, 0, 1, null, [1], [1, 2], [-1]], [2, -2, 3, [0, 0], 1.5, "a", [], -100]];
  if (typeof defaultValue === "boolean") return [[true, false], [0, "yes", null]];
  if (typeof defaultValue === "number") return [[defaultValue, 0, 0.1, 0.5, 1, 2], [-1, -0.5, 1e-7, 1e30, NaN, Infinity, 1.5, 100, "1", null]];
  if (defaultValue === null) return [[null, -1, 0, 1, 255], [[1, 2], 0.5, "x", NaN]];
  if (Array.isArray(defaultValue)) return [[defaultValue, [0.25, 0.75], [1]], [[], [NaN], "x"]];
  return [[defaultValue], [null, 0, "x"]];
}

/** The options argument a spec describes, for a target. */
export function materializeOptions(spec, target) {
  if (spec.kind === "undefined") return undefined;
  if (spec.kind === "junk") return JUNK[spec.junk % JUNK.length]();
  const out = {};
  const keys = target.optionKeys;
  if (keys.length > 0) {
    for (const [k, v, valid] of spec.entries) {
      const key = keys[k % keys.length];
      const [likely, any] = optionValuePools(key, target.defaults[key]);
      const pool = valid ? likely : [...likely, ...any];
      const value = pool[v % pool.length];
      out[key] = Array.isArray(value) ? value.slice() : value;
    }
  }
  // An unknown key, or an own "__proto__" key as JSON.parse makes them.
  if (spec.unknownKey) Object.defineProperty(out, spec.entries.length % 2 ? "fromLogit" : "__proto__", { value: { polluted: 1 }, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Everything a case calls with, as real values. */
export function materializeCase(lib, targets, spec) {
  const target = targets[spec.target % targets.length];
  const methods = METHODS[target.kind];
  const method = methods[spec.method % methods.length];
  const sequence = spec.structure === "sequence";
  const p = sequence ? [0, 1, 2].map((i) => spec.yPredShape[i] ?? 2) : spec.yPredShape;
  const shapeOf = (mode) => derivedShape(mode, p, spec.ownShape, spec.yTrue.pick);
  const trueShape = sequence ? [p[0], Math.min(p[1], spec.ownShape[0] ?? 1)] : shapeOf(spec.trueMode);
  const args = {
    yPred: materializeInput(lib, spec.yPred, p),
    yTrue: materializeInput(lib, spec.yTrue, trueShape),
    sampleWeight: spec.weightMode === "none" ? undefined : materializeInput(lib, spec.sampleWeight, shapeOf(spec.weightMode)),
    mask: spec.maskMode === "none" ? undefined : materializeInput(lib, spec.mask, shapeOf(spec.maskMode)),
    upstream: method === "vjp" ? materializeInput(lib, spec.upstream, shapeOf(spec.upstreamMode)) : undefined,
    options: materializeOptions(spec.options, target),
  };
  const name = target.kind === "name" ? target.names[spec.options.junk % target.names.length] : undefined;
  return { target, method, name, args };
}

// ---------------------------------------------------------------------------------------
// Snapshots: did a call change any of its inputs?

/**
 * A deep copy of everything reachable from `x` that a call could change: plain arrays,
 * plain objects and primitives; objects compared by identity sit under a `ref` key.
 */
export function snapshot(lib, x, depth = 0) {
  if (depth > 80) return { deep: true };
  if (x === null || (typeof x !== "object" && typeof x !== "function")) return { v: x };
  if (typeof x === "function") return { ref: x };
  if (x instanceof lib.Tensor) {
    return { tensor: snapshot(lib, x.data, depth + 1), shape: x.shape.slice(), strides: x.strides.slice(), offset: x.offset };
  }
  if (ArrayBuffer.isView(x)) return { bytes: Array.from(new Uint8Array(x.buffer.slice(0))), at: x.byteOffset, length: x.byteLength };
  if (x instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(x.slice(0))) };
  if (Array.isArray(x)) return { array: x.map((item) => snapshot(lib, item, depth + 1)), length: x.length };
  if (x instanceof Map || x instanceof Date) return { ref: x, size: x instanceof Map ? x.size : x.getTime() };
  return { proto: { ref: Object.getPrototypeOf(x) }, entries: Object.keys(x).map((key) => [key, snapshot(lib, x[key], depth + 1)]) };
}

/** Equal snapshots (numbers by `Object.is`: NaN equals NaN, -0 differs from 0). */
export function sameSnapshot(a, b) {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (key === "ref" ? !Object.is(a[key], b[key]) : !sameSnapshot(a[key], b[key])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Running a case

/** Milliseconds a single call may take. */
export const CALL_LIMIT_MS = 1000;

function sameShape(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function shapeOfArgument(lib, x) {
  if (x instanceof lib.Tensor) return x.shape;
  return lib.toTensor(x, { dtype: "float64" }).shape;
}

/**
 * Run one case; returns `{ target, method, outcome, violations, ms }`. `outcome` is `"ok"`
 * or the name of the LossError subclass thrown; `violations` lists broken promises
 * (anything but a LossError thrown, a result of the wrong kind or shape, a changed input,
 * a call over `CALL_LIMIT_MS`, a polluted prototype).
 */
export function runCase(lib, targets, spec) {
  const { target, method, name, args } = materializeCase(lib, targets, spec);
  const roles = ["yTrue", "yPred", "sampleWeight", "mask", "upstream", "options"];
  const before = roles.map((role) => snapshot(lib, args[role]));
  const violations = [];
  let outcome = "ok";
  let result;
  let loss;
  const start = performance.now();
  try {
    const callOptions = args.mask === undefined ? undefined : { mask: args.mask };
    if (target.kind === "handle") {
      result = method === "vjp" ? target.fn.vjp(args.yTrue, args.yPred, args.upstream, args.options) : target.fn(args.yTrue, args.yPred, args.options);
    } else {
      // A loss with a required option (requiredOptions) gets it, unless the case's options are junk.
      const options = isPlainOptions(args.options) ? { ...requiredOptions(target.cls ?? Object), ...args.options } : args.options;
      loss = target.kind === "name" ? lossByName(lib, name) : new target.cls(options);
      if (method === "call") result = loss(args.yTrue, args.yPred, args.sampleWeight, callOptions);
      else if (method === "valueAndGrad") result = loss.valueAndGrad(args.yTrue, args.yPred, args.sampleWeight, callOptions);
      else result = loss.grad(args.yTrue, args.yPred, args.sampleWeight, callOptions);
    }
  } catch (error) {
    if (error instanceof lib.LossError) outcome = error.constructor.name;
    else {
      outcome = "non-LossError";
      violations.push(`threw ${error?.constructor?.name ?? typeof error}: ${String(error?.message ?? error).slice(0, 300)}`);
    }
  }
  const ms = performance.now() - start;
  if (ms > CALL_LIMIT_MS) violations.push(`took ${ms.toFixed(0)} ms (limit ${CALL_LIMIT_MS})`);
  if (outcome === "ok") {
    try {
      checkResult(lib, target, method, loss, args, result, violations);
    } catch (error) {
      violations.push(`checking the result threw ${error?.constructor?.name}: ${String(error?.message ?? error).slice(0, 200)}`);
    }
  }
  roles.forEach((role, i) => {
    if (!sameSnapshot(before[i], snapshot(lib, args[role]))) violations.push(`${role} was changed by the call`);
  });
  if (Object.prototype.polluted !== undefined || {}.polluted !== undefined) {
    violations.push("Object.prototype was polluted");
    delete Object.prototype.polluted;
  }
  return { target: target.name, kind: target.kind, method, outcome, violations, ms };
}

/** The documented result: a number or a Tensor per reduction; gradients shaped like yPred. */
function checkResult(lib, target, method, loss, args, result, violations) {
  const isTensor = (x) => x instanceof lib.Tensor && (x.dtype === "float32" || x.dtype === "float64");
  const checkValue = (value, what) => {
    if (loss.reduction === "none") {
      if (!isTensor(value)) violations.push(`${what} with reduction "none" is not a Tensor`);
    } else if (typeof value !== "number") {
      violations.push(`${what} with reduction "${loss.reduction}" is not a number`);
    }
  };
  const checkGrad = (grad, what) => {
    if (!isTensor(grad)) return violations.push(`${what} is not a Tensor`);
    const expected = shapeOfArgument(lib, args.yPred);
    if (!sameShape(grad.shape, expected)) violations.push(`${what} has shape [${grad.shape}], yPred has [${expected}]`);
  };
  if (target.kind === "handle") {
    if (method === "vjp") return checkGrad(result, "vjp result");
    if (!isTensor(result)) return violations.push("handle result is not a Tensor");
    // Per-sample values: the shape the loss's class gives with reduction "none".
    const Class = lib.getLoss(target.fn.lossName).constructor;
    let none;
    try {
      none = new Class({ ...args.options, reduction: "none" });
    } catch (error) {
      if (error instanceof lib.ConfigError) return; // an option only the handle takes (Circle's refLabels)
      throw error;
    }
    let classResult;
    try {
      classResult = none(args.yTrue, args.yPred);
    } catch (error) {
      return violations.push(`the handle accepted the inputs but ${Class.name}({ reduction: "none" }) threw ${error?.constructor?.name}: ${String(error?.message).slice(0, 200)}`);
    }
    if (typeof classResult === "number") {
      // TensorFlow Addons' batch losses ignore the reduction: one value per batch.
      if (result.size !== 1) violations.push(`handle result has shape [${result.shape}], ${Class.name} gives one value per batch`);
      return;
    }
    if (!sameShape(result.shape, classResult.shape)) violations.push(`handle result has shape [${result.shape}], ${Class.name}({ reduction: "none" }) gives [${classResult.shape}]`);
    return;
  }
  if (method === "call") checkValue(result, "call result");
  else if (method === "valueAndGrad") {
    if (result === null || typeof result !== "object") return violations.push("valueAndGrad did not return { value, grad }");
    checkValue(result.value, "valueAndGrad().value");
    checkGrad(result.grad, "valueAndGrad().grad");
  } else checkGrad(result, "grad result");
}

// ---------------------------------------------------------------------------------------
// Tallies for reports

/** Add an outcome to a per-target table `{ [target]: { calls, ok, ShapeError, …, violations } }`. */
export function tally(table, outcome) {
  const row = (table[outcome.target] ??= { calls: 0, ok: 0, ShapeError: 0, ConfigError: 0, InputError: 0, otherLossError: 0, nonLossError: 0, slow: 0, mutated: 0, violations: 0 });
  row.calls++;
  if (outcome.outcome === "ok") row.ok++;
  else if (outcome.outcome === "non-LossError") row.nonLossError++;
  else if (outcome.outcome in row) row[outcome.outcome]++;
  else row.otherLossError++;
  if (outcome.violations.some((v) => v.startsWith("took"))) row.slow++;
  if (outcome.violations.some((v) => v.includes("was changed"))) row.mutated++;
  if (outcome.violations.length > 0) row.violations++;
  return table;
}
