/**
 * Regression tests for issue 9 (hardening): hostile shapes, ranks, configs, sizes,
 * option arrays kept by reference, options of the wrong kind, and numerics edge cases.
 * Each block names the defect of the issue it guards.
 */
import { describe, expect, it } from "vitest";
import { LossError, ShapeError, Tensor, meanSquaredError, tensor, toTensor } from "../src/index";
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
