/**
 * Types that follow the reduction. The `expectTypeOf` assertions are checked by the compiler
 * (`npm run typecheck` covers test/), and the `// @ts-expect-error` lines fail the typecheck
 * if what they mark ever compiles. The runtime assertions check the same facts on values.
 */
import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  BinaryCrossentropy,
  MeanSquaredError,
  SparseCategoricalCrossentropy,
  Tensor,
  getLoss,
  listLosses,
  meanSquaredError,
  type Loss,
  type LossName,
  type Reduction,
} from "../src/index";

describe("result types follow the reduction", () => {
  it("a reducing class call is a number, reduction none a Tensor, with no cast", () => {
    const mse = new MeanSquaredError();
    const v: number = mse([1, 2], [1, 3]);
    expectTypeOf(mse([1], [1])).toEqualTypeOf<number>();
    expectTypeOf(new MeanSquaredError({ reduction: "sum" })([1], [1])).toEqualTypeOf<number>();
    const none = new MeanSquaredError({ reduction: "none" });
    const t: Tensor = none([[1, 2]], [[1, 3]]);
    expectTypeOf(new MeanSquaredError({ reduction: null })([1], [1])).toEqualTypeOf<Tensor>();
    expect(typeof v).toBe("number");
    expect(t).toBeInstanceOf(Tensor);
    // @ts-expect-error a reduction "none" loss returns a Tensor, not a number
    const wrong: number = none([[1, 2]], [[1, 3]]);
    expect(wrong).toBeInstanceOf(Tensor);
  });

  it("valueAndGrad().value follows it too", () => {
    const bce = new BinaryCrossentropy({ fromLogits: true });
    const { value, grad } = bce.valueAndGrad([[0, 1]], [[0.3, -0.2]]);
    expect(value.toFixed(3)).toMatch(/^\d\.\d{3}$/);
    expectTypeOf(value).toEqualTypeOf<number>();
    expectTypeOf(grad).toEqualTypeOf<Tensor>();
    expectTypeOf(new SparseCategoricalCrossentropy({ reduction: "none" }).valueAndGrad([0], [[1, 2]]).value).toEqualTypeOf<Tensor>();
  });

  it("a reduction known only at run time gives number | Tensor", () => {
    const reduction = "sum" as Reduction;
    expectTypeOf(new MeanSquaredError({ reduction })([1], [1])).toEqualTypeOf<number | Tensor>();
    const anyLoss: Loss = new MeanSquaredError({ reduction: "none" });
    expectTypeOf(anyLoss([1], [1])).toEqualTypeOf<number | Tensor>();
  });

  it("getLoss by name is a reducing loss typed number; a handle returns a Tensor", () => {
    const value: number = getLoss("mse")([1, 2], [1, 3]);
    expect(value).toBeCloseTo(0.5, 6);
    expectTypeOf(getLoss("SparseCategoricalCrossentropy")([0], [[0.2, 0.8]])).toEqualTypeOf<number>();
    expectTypeOf(meanSquaredError([[1]], [[2]])).toEqualTypeOf<Tensor>();
  });
});

describe("LossName", () => {
  it("lists exactly the names the registry knows for the built-in losses (regenerate: scripts/gen-loss-names.mjs)", () => {
    const source = readFileSync(new URL("../src/losses/names.ts", import.meta.url), "utf8");
    const declared = [...source.matchAll(/\| "([^"]+)"/g)].map((m) => m[1]).sort();
    expect(declared).toEqual(listLosses().sort());
  });
});
