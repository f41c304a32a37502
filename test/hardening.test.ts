/**
 * Regression tests for issue 9 (hardening): hostile shapes, ranks, configs, sizes,
 * option arrays kept by reference, options of the wrong kind, and numerics edge cases.
 * Each block names the defect of the issue it guards.
 */
import { describe, expect, it } from "vitest";
import {
  CTC,
  ConfigError,
  Dice,
  Tversky,
  serializeLoss,
  LossError,
  MeanSquaredError,
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
