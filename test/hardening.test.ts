/**
 * Regression tests for issue 9 (hardening): hostile shapes, ranks, configs, sizes,
 * option arrays kept by reference, options of the wrong kind, and numerics edge cases.
 * Each block names the defect of the issue it guards.
 */
import { describe, expect, it } from "vitest";
import * as lib from "../src/index";
import {
  CTC,
  ConfigError,
  Dice,
  Tversky,
  serializeLoss,
  InputError,
  Loss,
  LossError,
  LossFunctionWrapper,
  LogCosh,
  logCosh,
  MeanSquaredError,
  BinaryCrossentropy,
  SparseCategoricalCrossentropy,
  binaryCrossentropy,
  sparseCategoricalCrossentropy,
  broadcastTo,
  listLosses,
  moveAxis,
  numericalGrad,
  reduceWeightedValues,
  registerLoss,
  squeeze,
  squeezeOrExpandToSameRank,
  type LossFunction,
  ShapeError,
  Tensor,
  deserializeLoss,
  expandDims,
  getLoss,
  meanAbsoluteError,
  meanSquaredError,
  ops,
  reshape,
  tensor,
  toTensor,
} from "../src/index";
import { MAX_RANK, MAX_SIZE } from "../src/tensor/limits";
import { describeValue, formatShape } from "../src/errors";
import { lossByName, requiredOptions } from "./support/required-options.mjs";

describe("1: a non-number in a shape is a ShapeError, not a TypeError", () => {
  it("a Symbol in an ndarray-like shape, a shape argument or a Tensor shape", () => {
    expect(() => meanSquaredError({ data: [1, 2, 3], shape: [3, Symbol()] } as never, [1, 2, 3])).toThrow(ShapeError);
    expect(() => tensor([1, 2], [Symbol()] as never)).toThrow(ShapeError);
    expect(() => new Tensor(new Float32Array(2), [Symbol()] as never)).toThrow(ShapeError);
    expect(() => toTensor(new Float32Array(2), { shape: [Symbol("s")] as never, name: "yPred" })).toThrow(/yPred shape must hold non-negative integers, received a symbol/);
  });

  it("other non-numbers in a shape: strings, objects, null, bigints, NaN, fractions, negatives", () => {
    const hostile = { valueOf: () => { throw new Error("valueOf called"); } };
    for (const dim of ["2", hostile, null, undefined, 2n, NaN, 1.5, -1, Infinity, [2], true]) {
      expect(() => tensor([1, 2], [dim] as never), `dim ${String(dim)}`).toThrow(ShapeError);
      expect(() => tensor({ data: [1, 2], shape: [dim] } as never), `ndarray dim ${String(dim)}`).toThrow(ShapeError);
      expect(() => new Tensor(new Float32Array(2), [dim] as never), `Tensor dim ${String(dim)}`).toThrow(ShapeError);
    }
  });

  it("a Symbol or a non-number in strides or offset is a LossError", () => {
    expect(() => tensor({ data: [1, 2], shape: [2], stride: [Symbol()] } as never)).toThrow(ShapeError);
    expect(() => tensor({ data: [1, 2], shape: [2], offset: Symbol() } as never)).toThrow(ShapeError);
    expect(() => new Tensor(new Float32Array(2), [2], [Symbol()] as never)).toThrow(LossError);
    expect(() => new Tensor(new Float32Array(2), [2], undefined, Symbol() as never)).toThrow(LossError);
    expect(() => new Tensor(new Float32Array(2), "ab" as never)).toThrow(ShapeError);
    expect(() => new Tensor(new Float32Array(2), null as never)).toThrow(ShapeError);
  });

  it("messages render any value without throwing", () => {
    expect(describeValue(Symbol("s"))).toBe("a symbol");
    expect(formatShape([2, Symbol()] as never)).toBe("[2,a symbol]");
    expect(describeValue(Object.create(null))).toBe("an object");
  });
});

describe("2: a rank limit of 64 (NumPy's), checked before any recursion; shapes abbreviated in messages", () => {
  const nested = (depth: number): unknown => {
    let x: unknown = 1;
    for (let i = 0; i < depth; i++) x = [x];
    return x;
  };

  it("a nested array 10,000 levels deep is a short ShapeError, fast", () => {
    const deep = nested(10_000);
    const start = performance.now();
    let error: unknown;
    try {
      meanSquaredError(deep as never, deep as never);
    } catch (e) {
      error = e;
    }
    expect(performance.now() - start).toBeLessThan(100);
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toMatch(/yPred is nested more than 64 levels deep/);
    expect((error as Error).message.length).toBeLessThan(300);
  });

  it("64 levels work, 65 do not", () => {
    const ok = meanSquaredError(nested(64) as never, nested(64) as never);
    expect(ok.rank).toBe(63);
    expect(ok.size).toBe(1);
    expect(() => tensor(nested(65) as never)).toThrow(ShapeError);
  });

  it("a cyclic nested array is a ShapeError, not an endless loop", () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => tensor(cyclic as never)).toThrow(ShapeError);
  });

  it("shapes with more than 64 dimensions: tensor(), ndarray-like, new Tensor, views", () => {
    const long = new Array(100_000).fill(1);
    for (const make of [
      () => tensor(new Float32Array(1), long),
      () => tensor({ data: [1], shape: long } as never),
      () => new Tensor(new Float32Array(1), long),
      () => reshape(tensor([1]), new Array(65).fill(1)),
      () => expandDims(tensor(new Float32Array(1), new Array(64).fill(1)), 0),
    ]) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ShapeError);
      expect((error as Error).message).toMatch(/at most 64/);
      expect((error as Error).message.length).toBeLessThan(300);
    }
  });

  it("formatShape abbreviates long shapes and keeps short ones as they are", () => {
    expect(formatShape([2, 3])).toBe("[2,3]");
    expect(formatShape(new Array(16).fill(2))).toBe(`[${new Array(16).fill(2).join(",")}]`);
    expect(formatShape(Array.from({ length: 40_000 }, (_, i) => i))).toBe("[0,1,2,3,4,5,6,7,…39988 more…,39996,39997,39998,39999]");
  });
});

describe("3: deserializeLoss refuses cyclic, deep and huge configs with a ConfigError", () => {
  it("a cyclic config", () => {
    const serialized: Record<string, unknown> = { className: "MeanSquaredError", config: {} };
    (serialized.config as Record<string, unknown>).self = serialized;
    expect(() => deserializeLoss(serialized)).toThrow(ConfigError);
    expect(() => deserializeLoss(serialized)).toThrow(/cycle/);
    expect(() => getLoss(serialized as never)).toThrow(ConfigError);
    const list: unknown[] = [];
    list.push(list);
    expect(() => deserializeLoss({ className: "Dice", config: { axis: list } })).toThrow(/cycle/);
  });

  it("50 KB of JSON nested 10,000 deep, in a config or in the serialized object", () => {
    const deepJson = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
    const config = JSON.parse(deepJson);
    const start = performance.now();
    expect(() => deserializeLoss({ className: "MeanSquaredError", config })).toThrow(ConfigError);
    expect(() => deserializeLoss({ className: "MeanSquaredError", config: {}, extra: config })).toThrow(/nested more than 64 levels/);
    const arrays = JSON.parse("[".repeat(10_000) + "]".repeat(10_000));
    expect(() => deserializeLoss({ className: "Dice", config: { axis: arrays } })).toThrow(ConfigError);
    expect(performance.now() - start).toBeLessThan(100);
  });

  it("shared (non-cyclic) references are fine, but a tree that expands exponentially is refused", () => {
    const axis = [1];
    expect(deserializeLoss({ className: "Dice", config: { axis, name: "d" } }).getConfig().axis).toEqual([1]);
    let node: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) node = { left: node, right: node };
    const start = performance.now();
    expect(() => deserializeLoss({ className: "MeanSquaredError", config: { name: "m", extra: node } })).toThrow(/more than 100000 entries/);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it("ordinary configs still round-trip", () => {
    expect(deserializeLoss({ class_name: "Huber", config: { delta: 2, reduction: "sum" } }).getConfig()).toMatchObject({ delta: 2, reduction: "sum" });
  });
});

describe("5: dimensions and sizes beyond what a typed array can hold are a ShapeError, before allocating", () => {
  const expectFastShapeError = (run: () => unknown, pattern: RegExp = /elements/) => {
    const start = performance.now();
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(performance.now() - start).toBeLessThan(200);
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toMatch(pattern);
  };

  it("zero-element tensors with absurd dimensions", () => {
    const huge = tensor(new Float32Array(0), [0]);
    expectFastShapeError(() => meanSquaredError(tensor(new Float32Array(0), [1e308, 0]), tensor(new Float32Array(0), [1e308, 0])));
    expectFastShapeError(() => tensor(new Float32Array(0), [2 ** 32, 0]));
    expectFastShapeError(() => new MeanSquaredError()(tensor(new Float32Array(0), [0, 2 ** 32]), huge));
    expectFastShapeError(() => tensor({ data: [], shape: [2 ** 31, 0] } as never));
    // Each dimension fits, but the result of reducing the last axis would not.
    expectFastShapeError(() => tensor(new Float32Array(0), [2 ** 20, 2 ** 20, 0]));
    expectFastShapeError(() => new Tensor(new Float32Array(0), [2 ** 16, 2 ** 16, 0]));
  });

  it("shapes that fit one by one but broadcast to too many elements", () => {
    const a = tensor(new Float32Array(0), [2 ** 16, 1, 0]);
    const b = tensor(new Float32Array(0), [1, 2 ** 16, 0]);
    expectFastShapeError(() => meanSquaredError(a, b));
    expectFastShapeError(() => new MeanSquaredError().valueAndGrad(a, b));
    const column = tensor(new Float32Array(2 ** 16), [2 ** 16, 1]);
    const row = tensor(new Float32Array(2 ** 16), [1, 2 ** 16]);
    expectFastShapeError(() => ops.add(column, row));
    expectFastShapeError(() => meanAbsoluteError(column, row));
  });

  it("a sparse nested array of length 2^32 - 1", () => {
    const sparse: number[] = [];
    sparse.length = 2 ** 32 - 1;
    expectFastShapeError(() => meanSquaredError(sparse, sparse));
  });

  it("CTC scratch of frames × label states beyond the limit", () => {
    const labels = tensor(new Float32Array(2 ** 20).fill(1), [1, 2 ** 20]);
    const logits = tensor(new Float32Array(2 ** 11 * 2), [1, 2 ** 11, 2]);
    expectFastShapeError(() => new CTC().grad(labels, logits), /CTC/);
  });

  it("the limits are exported as numbers", () => {
    expect(MAX_RANK).toBe(64);
    expect(MAX_SIZE).toBe(2 ** 31 - 1);
  });
});

describe("6: Dice and Tversky copy and freeze their axis arrays", () => {
  const yTrue = [[[1, 0], [0, 1]], [[1, 1], [0, 0]]];
  const yPred = [[[0.9, 0.2], [0.1, 0.7]], [[0.3, 0.8], [0.6, 0.1]]];
  for (const [name, make] of [
    ["Dice", (axis: number[]) => new Dice({ axis, reduction: "none" })],
    ["Tversky", (axis: number[]) => new Tversky({ axis, alpha: 0.3, beta: 0.7, reduction: "none" })],
  ] as const) {
    it(`${name}: changing the caller's array afterwards changes nothing`, () => {
      const axis = [1, 2];
      const loss = make(axis);
      const before = (loss(yTrue, yPred) as Tensor).toArray();
      axis[0] = 0;
      axis.push(0);
      expect((loss(yTrue, yPred) as Tensor).toArray()).toEqual(before);
      expect(loss.getConfig().axis).toEqual([1, 2]);
    });

    it(`${name}: the config's axis cannot be changed either`, () => {
      const loss = make([1, 2]);
      const before = (loss(yTrue, yPred) as Tensor).toArray();
      const config = loss.getConfig();
      expect(Object.isFrozen(config.axis)).toBe(true);
      expect(() => (config.axis as number[]).push(0)).toThrow(TypeError);
      expect(loss.getConfig().axis).toEqual([1, 2]);
      expect((loss(yTrue, yPred) as Tensor).toArray()).toEqual(before);
      // A config with a frozen axis still builds an equal loss.
      expect((deserializeLoss(serializeLoss(loss))(yTrue, yPred) as Tensor).toArray()).toEqual(before);
    });
  }
});

describe("7: one rule for options (undefined or a plain object), and exported helpers refuse bad arguments with LossErrors", () => {
  const notOptions: unknown[] = [5, null, true, [], "fromLogits", Symbol("s"), new Map(), () => 1, tensor([1]), new Float32Array(1), new Date(0)];
  const exported = Object.entries(lib as Record<string, unknown>);
  const classes = exported.filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Loss && v !== LossFunctionWrapper) as [
    string,
    new (options?: unknown) => Loss,
  ][];
  const handles = exported.filter(([, v]) => typeof v === "function" && typeof (v as { lossName?: unknown }).lossName === "string") as [string, LossFunction][];

  it("finds the loss classes and handles to check", () => {
    expect(classes.length).toBeGreaterThanOrEqual(22);
    expect(handles.length).toBeGreaterThanOrEqual(21);
    for (const name of listLosses()) {
      const loss = lossByName(lib, name);
      expect(classes.map(([, c]) => c)).toContain(loss.constructor);
    }
  });

  it("every loss class refuses options that are not undefined or a plain object, naming the class", () => {
    for (const [name, Class] of classes) {
      for (const options of notOptions) {
        expect(() => new Class(options), `new ${name}(${describeValue(options)})`).toThrow(ConfigError);
        expect(() => new Class(options), `new ${name}(${describeValue(options)})`).toThrow(new RegExp(`${name} options must be`));
      }
      if (name === "WeightedKappaLoss") {
        // numClasses has no default: undefined and {} are refused for that, naming it.
        expect(() => new Class(undefined)).toThrow("numClasses is required");
        expect(new Class({ numClasses: 2 })).toBeInstanceOf(Class);
        expect(new Class(Object.assign(Object.create(null), { numClasses: 2 }))).toBeInstanceOf(Class);
        continue;
      }
      expect(new Class(undefined)).toBeInstanceOf(Class);
      expect(new Class({})).toBeInstanceOf(Class);
      expect(new Class(Object.create(null))).toBeInstanceOf(Class);
    }
  });

  it("every handle and vjp refuses options that are not undefined or a plain object, naming the loss", () => {
    for (const [name, fn] of handles) {
      for (const options of notOptions) {
        expect(() => fn([[0.5, 0.5]], [[0.5, 0.5]], options as never), `${name}(…, ${describeValue(options)})`).toThrow(new RegExp(`${fn.lossName} options must be`));
        expect(() => fn.vjp([[0.5, 0.5]], [[0.5, 0.5]], [1], options as never), `${name}.vjp(…, ${describeValue(options)})`).toThrow(ConfigError);
      }
    }
    expect(() => binaryCrossentropy([1], [0.5], 5 as never)).toThrow(/binary_crossentropy options must be/);
    expect(() => binaryCrossentropy([1], [0.5], "fromLogits" as never)).toThrow(/binary_crossentropy options must be/);
  });

  it("dtype: null means the default in classes and handles alike (Keras's dtype=None)", () => {
    expect(new MeanSquaredError({ dtype: null as never }).dtype).toBe("float32");
    expect(meanSquaredError([1, 2], [2, 4], { dtype: null as never }).dtype).toBe("float32");
    expect(meanSquaredError(new Float64Array([1, 2]), new Float64Array([2, 4]), { dtype: null as never }).dtype).toBe("float64");
    expect(meanSquaredError([1, 2], [2, 4], { dtype: null as never }).item()).toBe(2.5);
    expect(() => meanSquaredError([1], [1], { dtype: "int32" as never })).toThrow(ConfigError);
  });

  it("LossFunctionWrapper options and call options follow the same rule", () => {
    const fn = (t: Tensor, p: Tensor) => ops.square(ops.subtract(t, p));
    for (const options of notOptions) {
      expect(() => new LossFunctionWrapper(fn, options as never)).toThrow(/LossFunctionWrapper options must be/);
      expect(() => new MeanSquaredError()([1], [2], undefined, options as never)).toThrow(/call options must be/);
    }
  });

  it("reduceWeightedValues validates its values, options and reduction", () => {
    const values = tensor([1, 3]);
    expect(() => reduceWeightedValues(values, { reduction: "bogus" as never })).toThrow(/Invalid value for argument reduction/);
    expect(() => reduceWeightedValues(values, { reduction: "sum", weights: [1] } as never)).toThrow(/weights is not an option of reduceWeightedValues/);
    expect(() => reduceWeightedValues(values, 5 as never)).toThrow(/reduceWeightedValues options must be/);
    expect(() => reduceWeightedValues(null as never, { reduction: "sum" })).toThrow(InputError);
    expect(() => reduceWeightedValues(values, { reduction: "sum", sampleWeight: "x" as never })).toThrow(InputError);
    expect(() => reduceWeightedValues(values, { reduction: "sum" }, "int32" as never)).toThrow(ConfigError);
    expect(reduceWeightedValues(values, { reduction: "sum" })).toBe(4);
    expect(reduceWeightedValues(values, undefined as never)).toBe(2);
    expect(reduceWeightedValues([1, 3] as never, { reduction: "sum", sampleWeight: [2, 0] as never })).toBe(2);
  });

  it("tensor() and toTensor() refuse an unknown dtype and bad options", () => {
    expect(() => tensor([1], undefined, "int32" as never)).toThrow(/dtype/);
    expect(() => tensor([1], undefined, "int32" as never)).toThrow(ConfigError);
    expect(() => toTensor([1], 5 as never)).toThrow(/toTensor options must be/);
    expect(() => toTensor([1], { name: 5 } as never)).toThrow(ConfigError);
    expect(tensor([1], undefined, "float64").dtype).toBe("float64");
    expect(() => tensor([1, 2]).toTypedArray("int32" as never)).toThrow(ConfigError);
  });

  it("view helpers refuse non-Tensors and bad axes or shapes", () => {
    const t = tensor([[1, 2]]);
    expect(() => reshape(null as never, [1])).toThrow(/reshape: x must be a Tensor/);
    expect(() => reshape([1] as never, [1])).toThrow(InputError);
    expect(() => squeeze({} as never, 0)).toThrow(InputError);
    expect(() => expandDims(undefined as never, 0)).toThrow(InputError);
    expect(() => moveAxis(5 as never, 0, 1)).toThrow(InputError);
    expect(() => broadcastTo("x" as never, [1])).toThrow(InputError);
    expect(() => squeezeOrExpandToSameRank(null as never, t)).toThrow(InputError);
    expect(() => reshape(t, "ab" as never)).toThrow(ShapeError);
    expect(() => reshape(t, [Symbol()] as never)).toThrow(ShapeError);
    expect(() => reshape(t, null as never)).toThrow(ShapeError);
    expect(() => squeeze(t, Symbol() as never)).toThrow(ShapeError);
    expect(() => expandDims(t, "0" as never)).toThrow(ShapeError);
    expect(() => moveAxis(t, 0, Symbol() as never)).toThrow(ShapeError);
    expect(() => broadcastTo(t, null as never)).toThrow(ShapeError);
    expect(() => broadcastTo(t, [3, Symbol()] as never)).toThrow(ShapeError);
    expect(() => t.get(Symbol() as never, 0)).toThrow(InputError);
  });

  it("numericalGrad refuses a non-Loss, bad options and a bad step", () => {
    const mse = new MeanSquaredError();
    expect(() => numericalGrad(null as never, [1], [1])).toThrow(/numericalGrad needs a Loss/);
    expect(() => numericalGrad(meanSquaredError as never, [1], [1])).toThrow(ConfigError);
    expect(() => numericalGrad(mse, [1], [1], null, 5 as never)).toThrow(/numericalGrad options must be/);
    for (const step of [0, -1, NaN, Infinity, "1e-6"]) expect(() => numericalGrad(mse, [1], [1], null, { step } as never)).toThrow(ConfigError);
    expect(numericalGrad(mse, [1], [3]).item()).toBeCloseTo(4, 6);
  });

  it("every exported function and ops.* called with junk throws only LossErrors", () => {
    const junk: unknown[] = [undefined, null, 5, -1, 0.5, "a", true, [], {}, Symbol("s"), () => 1, NaN, [1, "x"], { data: 1, shape: 2 }, new Map(), 2n, [[1], [2, 3]]];
    const t = tensor([[1, 2], [3, 4]]);
    const functions: [string, (...args: unknown[]) => unknown][] = [
      ...(exported.filter(([name, v]) => typeof v === "function" && !/^[A-Z]/.test(name) && name !== "registerLoss" && name !== "setCheckNumerics") as [string, (...args: unknown[]) => unknown][]),
      ...(Object.entries(ops).filter(([, v]) => typeof v === "function") as [string, (...args: unknown[]) => unknown][]).map(([n, f]) => [`ops.${n}`, f] as [string, (...args: unknown[]) => unknown]),
    ];
    // registerLoss and setCheckNumerics change global state (setCheckNumerics(true) would turn
    // the checks on for the rest of this file); setCheckNumerics refuses anything but a boolean.
    expect(() => lib.setCheckNumerics("on" as never)).toThrow(ConfigError);
    const escaped: string[] = [];
    for (const [name, fn] of functions) {
      for (const j of junk) {
        for (const args of [[j], [t, j], [j, t], [t, t, j], [t, [1, 2], j], [t, 0, j], [j, t, t], [t, t, t, j]]) {
          try {
            fn(...args);
          } catch (e) {
            if (!(e instanceof LossError)) escaped.push(`${name}(${args.map((a) => describeValue(a)).join(", ")}): ${(e as Error).constructor.name}: ${(e as Error).message}`);
          }
        }
      }
    }
    expect(escaped.slice(0, 10)).toEqual([]);
  });
});

describe("8: numerics — LogCosh never below 0; a mean over no elements is 0, not NaN", () => {
  it("LogCosh of a perfect prediction is 0 in float32 and float64, never negative for tiny errors", () => {
    expect(new LogCosh()([[0, 0]], [[0, 0]])).toBe(0);
    expect(new LogCosh({ dtype: "float64" })([[0, 0]], [[0, 0]])).toBe(0);
    expect(logCosh([[0, 0]], [[0, 0]]).item()).toBe(0);
    for (const e of [0, 1e-30, 1e-12, 1e-9, 3e-8, 1e-7, 1e-6]) {
      const yTrue = new Float32Array([0.3, -2, 5, 1e-3]);
      const yPred = yTrue.map((v) => v + e);
      for (const loss of [new LogCosh(), new LogCosh({ reduction: "none" }), new LogCosh({ dtype: "float64", reduction: "sum" })]) {
        const value = loss(yTrue, yPred);
        for (const v of typeof value === "number" ? [value] : Array.from(value.data)) expect(v, `e = ${e}`).toBeGreaterThanOrEqual(0);
      }
      const { value } = new LogCosh().valueAndGrad(yTrue, yPred);
      expect(value as number).toBeGreaterThanOrEqual(0);
    }
    // NaN still propagates.
    expect(new LogCosh()([[0, 0]], [[NaN, 0]])).toBeNaN();
  });

  it("meanSquaredError([], []) is 0, as a [0, 3] batch is, for the handle, the class and valueAndGrad", () => {
    expect(meanSquaredError([], []).item()).toBe(0);
    expect(new MeanSquaredError()([], [])).toBe(0);
    expect(new MeanSquaredError()(tensor(new Float32Array(0), [0, 3]), tensor(new Float32Array(0), [0, 3]))).toBe(0);
    const { value, grad } = new MeanSquaredError().valueAndGrad([], []);
    expect(value).toBe(0);
    expect(grad.shape).toEqual([0]);
    expect(Array.from((new MeanSquaredError({ reduction: "none" })(tensor(new Float32Array(0), [2, 0]), tensor(new Float32Array(0), [2, 0])) as Tensor).data)).toEqual([0, 0]);
  });

  it("no loss class gives NaN for inputs without elements (a value or a LossError)", () => {
    const classes = Object.values(lib).filter((v) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Loss && v !== LossFunctionWrapper) as (new (o?: object) => Loss)[];
    const empty = (shape: number[]) => tensor(new Float32Array(0), shape);
    const nanResults: string[] = [];
    for (const Class of classes) {
      for (const shape of [[0], [2, 0], [0, 3], [3, 2, 0]]) {
        for (const reduction of ["sum_over_batch_size", "none"] as const) {
          const loss = new Class({ ...requiredOptions(Class), reduction });
          for (const run of [() => loss(empty(shape), empty(shape)), () => loss.valueAndGrad(empty(shape), empty(shape)).value]) {
            let result: number | Tensor;
            try {
              result = run();
            } catch (error) {
              expect(error).toBeInstanceOf(LossError);
              continue;
            }
            const values = typeof result === "number" ? [result] : Array.from(result.data);
            if (values.some(Number.isNaN)) nanResults.push(`${Class.name} ${reduction} [${shape}]`);
          }
        }
      }
    }
    expect(nanResults).toEqual([]);
  });
});

describe("3 (serializeLoss side): a user loss whose getConfig is not JSON is a ConfigError", () => {
  it("a cyclic config or a BigInt in a config", () => {
    class CyclicConfig extends Loss {
      call(yTrue: Tensor): Tensor {
        return yTrue;
      }
      getConfig() {
        const config: Record<string, unknown> = super.getConfig();
        config.self = config;
        return config;
      }
    }
    class BigIntConfig extends Loss {
      call(yTrue: Tensor): Tensor {
        return yTrue;
      }
      getConfig() {
        return { ...super.getConfig(), big: 1n };
      }
    }
    registerLoss("HardeningCyclicConfig", CyclicConfig);
    registerLoss("HardeningBigIntConfig", BigIntConfig);
    expect(() => serializeLoss(new CyclicConfig())).toThrow(/HardeningCyclicConfig config contains a cycle/);
    expect(() => serializeLoss(new BigIntConfig())).toThrow(ConfigError);
    expect(() => serializeLoss(new BigIntConfig())).toThrow(/HardeningBigIntConfig config is not JSON/);
  });
});

describe("handles convert yTrue as their class does (found by the fuzz run)", () => {
  it("with dtype float64 and a float32 yPred Tensor, yTrue is read in float64 by the handle and by the class", () => {
    const yPred = tensor(new Float32Array([0.5, 0.5]), [1, 2]);
    // 1e-60 is 0 in float32 but not an integer class index in float64.
    expect(() => new SparseCategoricalCrossentropy({ dtype: "float64", reduction: "none" })([1e-60], yPred)).toThrow(InputError);
    expect(() => sparseCategoricalCrossentropy([1e-60], yPred, { dtype: "float64" })).toThrow(InputError);
    // 0.1 keeps its float64 value in both.
    const handle = binaryCrossentropy([[0.1, 0.7]], yPred, { dtype: "float64" });
    const none = new BinaryCrossentropy({ dtype: "float64", reduction: "none" })([[0.1, 0.7]], yPred) as Tensor;
    expect(handle.dtype).toBe("float64");
    expect(Array.from(handle.data)).toEqual(Array.from(none.data));
    expect(binaryCrossentropy.vjp([[0.1, 0.7]], yPred, [1], { dtype: "float64" }).toArray()).toEqual(
      new BinaryCrossentropy({ dtype: "float64", reduction: "sum" }).grad([[0.1, 0.7]], yPred).toArray(),
    );
  });
});

describe("handles convert yTrue as their class does, float32 side", () => {
  it("with dtype float32 and a float64 yPred Tensor, yTrue is read in float32 by both", () => {
    const yPred = tensor(new Float64Array([0.5, 0.5]), [1, 2]);
    // 1 + 1e-10 is the class index 1 in float32, and no integer in float64.
    const none = new SparseCategoricalCrossentropy({ dtype: "float32", reduction: "none" })([1 + 1e-10], yPred) as Tensor;
    const handle = sparseCategoricalCrossentropy([1 + 1e-10], yPred, { dtype: "float32" });
    expect(Array.from(handle.data)).toEqual(Array.from(none.data));
    expect(handle.dtype).toBe("float32");
  });
});
