import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ConfigError,
  Dice,
  ShapeError,
  Tensor,
  Tversky,
  deserializeLoss,
  dice,
  getLoss,
  moveAxis,
  numericalGrad,
  serializeLoss,
  tversky,
  type Loss,
  type Reduction,
} from "../src/index";
import { expectClose, expectGradMatches, flat, randomTensor, rng, snapshot } from "./helpers";

/** Keras's `assertAllClose` defaults: atol = rtol = 1e-6. */
function allClose(actual: unknown, desired: number | unknown[]): void {
  expectClose(actual as number | Tensor, desired, { rtol: 1e-6, atol: 1e-6 });
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Per-sample values as a rank-1 tensor, so rank-0 results (axis=null) compare with flat arrays. */
const asVector = (t: Tensor) => new Tensor(new Float64Array(flat(t)), [t.size]);
const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

// The inputs of Keras's docstrings and losses_test.py.
const SEG_TRUE = [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]];
const SEG_PRED = [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]];
const SMALL_TRUE = [[1, 2], [1, 2]];
const SMALL_PRED = [[4, 1], [6, 1]];
const BINARY_TRUE = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]];
const BINARY_PRED = [[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]];

describe("Dice (Keras values)", () => {
  it("docstring examples: axis (1, 2, 3) per image, and the default axis=None over everything", () => {
    const perImage = dice(SEG_TRUE, SEG_PRED, { axis: [1, 2, 3] });
    expect(perImage.shape).toEqual([2]);
    allClose(perImage, [0.5, 0.75757575]);
    const whole = dice(SEG_TRUE, SEG_PRED);
    expect(whole.shape).toEqual([]);
    allClose(whole, 0.6164384);
    const none = new Dice({ axis: [1, 2, 3], reduction: null })(SEG_TRUE, SEG_PRED) as Tensor;
    expect(none.shape).toEqual([2]);
    allClose(none, [0.5, 0.75757575]);
    allClose(new Dice()(SEG_TRUE, SEG_PRED), 0.6164384);
    const asTensors = new Dice({ axis: [1, 2, 3], reduction: null })(
      new Tensor(new Float64Array(flat(SEG_TRUE)), [2, 2, 2, 1]),
      new Tensor(new Float64Array(flat(SEG_PRED)), [2, 2, 2, 1]),
    );
    allClose(asTensors, [0.5, 0.75757575]);
  });
  it("test_correctness", () => {
    allClose(new Dice()(SMALL_TRUE, SMALL_PRED), -0.55555546);
  });
  it("test_binary_segmentation", () => {
    allClose(new Dice()(BINARY_TRUE, BINARY_PRED), 0.77777773);
  });
  it("test_binary_segmentation_with_axis", () => {
    allClose(new Dice({ axis: [1, 2, 3], reduction: null })(SEG_TRUE, SEG_PRED), [0.5, 0.75757575]);
  });
  it("test_dtype_arg", () => {
    expect((new Dice({ dtype: "float64", reduction: null })(SMALL_TRUE, SMALL_PRED) as Tensor).data).toBeInstanceOf(Float64Array);
    expect((new Dice({ reduction: null })(SMALL_TRUE, SMALL_PRED) as Tensor).data).toBeInstanceOf(Float32Array);
  });
  it("test_config: serialization round trip", () => {
    const loss = new Dice({ name: "mydice" });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(back).toBeInstanceOf(Dice);
    expect(back.getConfig()).toEqual(loss.getConfig());
    expect(loss.getConfig()).toEqual({ name: "mydice", reduction: "sum_over_batch_size", dtype: "float32", axis: null });
  });
  it("sums yTrue and yPred each over its own shape, as Keras's ops.sum does", () => {
    // t = [[1, 0]] broadcast against two rows: I = 0.5 + 1 = 1.5, sum(t) = 1 (not 2), sum(p) = 2 -> 1 - 3 / 3 = 0.
    allClose(dice([[1, 0]], [[0.5, 0.5], [1, 0]], { dtype: "float64" }), 0);
    // yTrue of rank 1 against yPred of rank 2 along axis -1: one sum(t) per row of yPred.
    allClose(dice([1, 0, 1], [[1, 1, 0], [0, 0, 1]], { axis: -1 }), [0.5, 1 / 3]);
  });
});

describe("Tversky (Keras values)", () => {
  it("test_correctness", () => {
    allClose(new Tversky()(SMALL_TRUE, SMALL_PRED), -0.55555558);
  });
  it("test_correctness_custom_coefficients", () => {
    allClose(new Tversky({ alpha: 0.2, beta: 0.8 })(SMALL_TRUE, SMALL_PRED), -0.94444442);
  });
  it("test_binary_segmentation", () => {
    allClose(new Tversky()(BINARY_TRUE, BINARY_PRED), 0.77777779);
  });
  it("test_binary_segmentation_with_axis", () => {
    allClose(new Tversky({ axis: [1, 2, 3], reduction: null })(SEG_TRUE, SEG_PRED), [0.5, 0.75757575]);
  });
  it("test_binary_segmentation_custom_coefficients", () => {
    allClose(new Tversky({ alpha: 0.2, beta: 0.8 })(BINARY_TRUE, BINARY_PRED), 0.76190472);
  });
  it("test_binary_segmentation_custom_coefficients_with_axis", () => {
    allClose(new Tversky({ alpha: 0.2, beta: 0.8, axis: [1, 2, 3], reduction: null })(SEG_TRUE, SEG_PRED), [0.5, 0.78494626]);
    allClose(tversky(SEG_TRUE, SEG_PRED, { alpha: 0.2, beta: 0.8, axis: [1, 2, 3] }), [0.5, 0.78494626]);
  });
  it("test_dtype_arg", () => {
    expect((new Tversky({ dtype: "float64", reduction: null })(SMALL_TRUE, SMALL_PRED) as Tensor).data).toBeInstanceOf(Float64Array);
  });
  it("test_config: serialization round trip", () => {
    const loss = new Tversky({ name: "mytversky" });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(back).toBeInstanceOf(Tversky);
    expect(back.getConfig()).toEqual(loss.getConfig());
    expect(loss.getConfig()).toEqual({ name: "mytversky", reduction: "sum_over_batch_size", dtype: "float32", alpha: 0.5, beta: 0.5, axis: null });
  });
});

/** A random subset of the axes of a rank, as null, one axis or an array, mixing negative and positive forms. */
function randomAxis(rank: number, random: () => number): number | number[] | null {
  const pick = random();
  if (pick < 0.25) return null;
  const axes = Array.from({ length: rank }, (_, a) => a).filter(() => random() < 0.5);
  const signed = axes.map((a) => (random() < 0.5 ? a - rank : a));
  if (pick < 0.5 && signed.length > 0) return signed[0]!;
  return signed;
}

function shapeWithout(shape: number[], axis: number | number[] | null): number[] {
  if (axis === null) return [];
  const axes = (typeof axis === "number" ? [axis] : axis).map((a) => (a < 0 ? a + shape.length : a));
  return shape.filter((_, a) => !axes.includes(a));
}

describe("segmentation properties (fast-check)", () => {
  for (const [name, fn, cls] of [
    ["dice", dice, Dice],
    ["tversky", tversky, Tversky],
  ] as const) {
    it(`${name}: per-sample shape, values in [0, 1], ~0 at a perfect binary prediction, class = mean of handle, inputs unchanged`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          (shape, alpha, beta, seed) => {
            const random = rng(seed);
            const axis = randomAxis(shape.length, random);
            const options = name === "dice" ? { axis } : { axis, alpha, beta };
            const yTrue = randomTensor(shape, random, (u) => (u < 0.5 ? 0 : 1));
            const yPred = randomTensor(shape, random);
            const before = [snapshot(yTrue), snapshot(yPred)];
            const values = fn(yTrue, yPred, { ...options, dtype: "float64" });
            expect(values.shape).toEqual(shapeWithout(shape, axis));
            const v = flat(values);
            for (const x of v) {
              expect(x).toBeGreaterThanOrEqual(0);
              expect(x).toBeLessThanOrEqual(1);
            }
            // Perfect prediction: 1 - S / (S + eps) ~ 0 where the row has a positive label; exactly 1
            // (0 / eps) where it has none. sum(yTrue) per row tells them apart.
            const perfect = flat(fn(yTrue, yTrue, { ...options, dtype: "float64" }));
            const ones = new Tensor(new Float64Array(yTrue.size).fill(1), yTrue.shape);
            const positives = flat(tversky(yTrue, ones, { axis, alpha: 0, beta: 0, dtype: "float64" })); // 1 - I/(I+eps): 1 iff sum(yTrue) = 0
            perfect.forEach((x, i) => {
              if (positives[i] === 1) expect(x).toBe(1);
              else expect(x).toBeLessThan(1e-6);
            });
            const loss = new cls({ ...options, dtype: "float64" });
            expectClose(loss(yTrue, yPred) as number, sum(v) / v.length, { rtol: 1e-12, atol: 1e-12 });
            loss.valueAndGrad(yTrue, yPred);
            expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
          },
        ),
        { numRuns: 80 },
      );
    });
  }

  it("Tversky with alpha = beta = 0.5 is the Dice loss (up to the epsilon term)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (shape, seed) => {
        const random = rng(seed);
        const axis = randomAxis(shape.length, random);
        const yTrue = randomTensor(shape, random, (u) => 0.1 + u);
        const yPred = randomTensor(shape, random, (u) => 0.1 + u);
        expectClose(asVector(tversky(yTrue, yPred, { axis, dtype: "float64" })), flat(dice(yTrue, yPred, { axis, dtype: "float64" })), { rtol: 0, atol: 1e-6 });
      }),
      { numRuns: 50 },
    );
  });

  it("channels-first strided views give the same values and gradients as contiguous copies", () => {
    const random = rng(9);
    const tLast = randomTensor([2, 3, 4, 5], random);
    const pLast = randomTensor([2, 3, 4, 5], random);
    const t = moveAxis(tLast, 3, 1); // [2, 5, 3, 4], strided
    const p = moveAxis(pLast, 3, 1);
    const tCopy = new Tensor(t.toTypedArray(), t.shape);
    const pCopy = new Tensor(p.toTypedArray(), p.shape);
    for (const [fn, options] of [
      [dice, { axis: [2, 3] }],
      [dice, { axis: 1 }],
      [dice, { axis: null }],
      [tversky, { axis: [1, 2, 3], alpha: 0.3, beta: 0.7 }],
      [tversky, { axis: [-1, 1] }],
    ] as const) {
      const a = fn(t, p, { ...options, dtype: "float64" } as never);
      const b = fn(tCopy, pCopy, { ...options, dtype: "float64" } as never);
      expect(a.shape).toEqual(b.shape);
      expectClose(asVector(a), flat(b), { rtol: 1e-12, atol: 1e-14 });
      const upstream = randomTensor(a.shape.slice(), random);
      const ga = fn.vjp(t, p, upstream, { ...options, dtype: "float64" } as never);
      const gb = fn.vjp(tCopy, pCopy, upstream, { ...options, dtype: "float64" } as never);
      expectClose(ga, flat(gb), { rtol: 1e-12, atol: 1e-14 });
    }
  });
});

/**
 * expectGradMatches for a loss whose "none" result is a rank-0 tensor (axis=null), which
 * the shared helper's shape comparison does not take: the same bound, and valueAndGrad
 * agreeing with the call and with grad.
 */
function expectRank0GradMatches(loss: Loss, yTrue: Tensor, yPred: Tensor, { rtol, atol }: { rtol: number; atol: number }): void {
  const analytic = flat(loss.grad(yTrue, yPred));
  const numeric = flat(numericalGrad(loss, yTrue, yPred));
  const scale = Math.max(...numeric.map(Math.abs));
  numeric.forEach((n, i) => expect(Math.abs(analytic[i]! - n)).toBeLessThanOrEqual(atol + rtol * scale));
  const both = loss.valueAndGrad(yTrue, yPred);
  const value = loss(yTrue, yPred) as Tensor;
  expect(value.shape).toEqual([]);
  expect((both.value as Tensor).item()).toBe(value.item());
  expect(flat(both.grad)).toEqual(analytic);
}

describe("segmentation gradients match float64 central differences", () => {
  // Bound for every float64 check: |analytic - numeric| <= 1e-8 + 1e-6 * max|numeric|.
  const bound = { rtol: 1e-6, atol: 1e-8 };
  const random = rng(202);
  const soft = (shape: number[]) => randomTensor(shape, random, (u) => 0.05 + 0.9 * u);
  const binary = (shape: number[]) => randomTensor(shape, random, (u) => (u < 0.5 ? 0 : 1));

  const CASES: { name: string; make: (o: Record<string, unknown>) => Loss }[] = [
    { name: "Dice", make: (o) => new Dice(o) },
    { name: "Tversky", make: (o) => new Tversky(o) },
    { name: "Tversky alpha=0.2 beta=0.8", make: (o) => new Tversky({ alpha: 0.2, beta: 0.8, ...o }) },
    { name: "Tversky alpha=0.9 beta=0.1", make: (o) => new Tversky({ alpha: 0.9, beta: 0.1, ...o }) },
  ];

  for (const c of CASES) {
    it(`${c.name}: every reduction, for axis null, [1, 2], 1 and -1`, () => {
      const yTrue = binary([2, 3, 4]);
      const yPred = soft([2, 3, 4]);
      for (const axis of [null, [1, 2], 1, -1]) {
        for (const reduction of REDUCTIONS) {
          const loss = c.make({ axis, reduction, dtype: "float64" });
          if (axis === null && reduction === "none") expectRank0GradMatches(loss, yTrue, yPred, bound);
          else expectGradMatches(loss, yTrue, yPred, null, bound);
        }
      }
    });
    it(`${c.name}: sampleWeight scalar, per-sample, per-element, and a mask`, () => {
      const yTrue = soft([2, 3, 4]);
      const yPred = soft([2, 3, 4]);
      const perImage = c.make({ axis: [1, 2], dtype: "float64" });
      expectGradMatches(perImage, yTrue, yPred, 2.3, bound);
      expectGradMatches(perImage, yTrue, yPred, [0.5, 2], bound);
      expectGradMatches(perImage, yTrue, yPred, [0.5, 2], { ...bound, mask: [1, 0] });
      const perRow = c.make({ axis: -1, dtype: "float64" });
      expectGradMatches(perRow, yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(c.make({ axis: -1, dtype: "float64", reduction: "mean_with_sample_weight" }), yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(c.make({ axis: -1, dtype: "float64", reduction: "sum" }), yTrue, yPred, null, { ...bound, mask: [[1, 0, 1], [0, 1, 1]] });
      // axis=null: one value for the batch, which a per-sample weight broadcasts over (Keras's reduce_weighted_values).
      expectGradMatches(c.make({ dtype: "float64" }), yTrue, yPred, [0.5, 2], bound);
    });
    it(`${c.name}: float32 loss (bound 1e-3 relative: float32 values against float64 differences)`, () => {
      expectGradMatches(c.make({ axis: [1, 2] }), binary([3, 4, 2]), soft([3, 4, 2]), [1, 2, 3], { rtol: 1e-3, atol: 1e-6 });
    });
    it(`${c.name}: yTrue or yPred broadcast (gradients accumulate), channels-first view`, () => {
      expectGradMatches(c.make({ dtype: "float64" }), soft([1, 5]), soft([3, 5]), null, bound);
      expectGradMatches(c.make({ dtype: "float64" }), soft([3, 5]), soft([1, 5]), null, bound);
      expectGradMatches(c.make({ dtype: "float64", axis: -1 }), soft([3, 5]), soft([3, 1]), null, bound);
      expectGradMatches(c.make({ dtype: "float64", axis: 0, reduction: "sum" }), soft([3, 5]), soft([3, 1]), null, bound);
      expectGradMatches(c.make({ dtype: "float64", axis: -1 }), soft([5]), soft([3, 5]), null, bound);
      const channelsFirst = moveAxis(soft([2, 3, 3, 4]), 3, 1);
      expectGradMatches(c.make({ dtype: "float64", axis: [2, 3] }), moveAxis(binary([2, 3, 3, 4]), 3, 1), channelsFirst, [[1, 2, 0.5, 1], [0, 1, 3, 2]], bound);
    });
  }

  it("Dice keeps Keras's own-shape sums when yPred broadcasts along a summed axis", () => {
    // yPred [1, 2] against yTrue [2, 2], axis=null: sum(yPred) counts each element once.
    // L(p) = 1 - 2 (t00 p0 + t01 p1 + t10 p0 + t11 p1) / (sum(t) + p0 + p1): derivative by hand at p = (0.5, 0.25).
    const t = [[1, 0], [0.5, 0.5]];
    const p = [0.5, 0.25];
    const I = 1 * p[0]! + 0 * p[1]! + 0.5 * p[0]! + 0.5 * p[1]!;
    const D = 2 + p[0]! + p[1]! + 1e-7;
    const expected = [-2 * (1.5 / D - I / (D * D)), -2 * (0.5 / D - I / (D * D))];
    expectClose(new Dice({ dtype: "float64" }).grad(t, new Tensor(new Float64Array(p), [1, 2])), [expected], { rtol: 1e-12, atol: 0 });
  });

  it("fused valueAndGrad equals the separate forward and vjp", () => {
    const yTrue = soft([3, 4]);
    const yPred = soft([3, 4]);
    const upstream = new Tensor(new Float64Array([1 / 3, 1 / 3, 1 / 3]), [3]);
    for (const fn of [dice, tversky]) {
      const loss = fn === dice ? new Dice({ axis: 1, dtype: "float64" }) : new Tversky({ axis: 1, dtype: "float64" });
      const both = loss.valueAndGrad(yTrue, yPred);
      expectClose(both.value as number, sum(flat(fn(yTrue, yPred, { axis: 1, dtype: "float64" }))) / 3, { rtol: 1e-14, atol: 0 });
      expectClose(both.grad, flat(fn.vjp(yTrue, yPred, upstream, { axis: 1, dtype: "float64" })), { rtol: 1e-14, atol: 0 });
    }
  });
});

describe("segmentation errors", () => {
  it("shapes that do not fit name both shapes", () => {
    expect(() => dice([[1, 2, 3]], [[1, 2]])).toThrow("yTrue has shape [1,3] but yPred has shape [1,2]");
    expect(() => new Tversky()([[1, 2, 3]], [[1, 2]])).toThrow(ShapeError);
  });
  it("axes out of range, repeated, or ambiguous across ranks are a ShapeError", () => {
    expect(() => dice([[1, 2]], [[1, 2]], { axis: 2 })).toThrow("axis=2 is out of range for a tensor of rank 2");
    expect(() => tversky([[1, 2]], [[1, 2]], { axis: [-3] })).toThrow(ShapeError);
    expect(() => dice([[1, 2]], [[1, 2]], { axis: [1, -1] })).toThrow("dice: axis [1,-1] names axis 1 twice");
    expect(() => dice([1, 0, 1], [[1, 1, 0], [0, 0, 1]], { axis: 1 })).toThrow("dice with axis=1 needs yTrue and yPred of the same rank");
    expect(() => dice([1, 0, 1], [[1, 1, 0], [0, 0, 1]], { axis: -2 })).toThrow("out of range for yTrue of shape [3]");
  });
  it("bad option values and unknown options are a ConfigError", () => {
    expect(() => new Dice({ axis: 1.5 })).toThrow(ConfigError);
    expect(() => new Dice({ axis: "1" as never })).toThrow("dice: axis must be null, an integer or an array of integers");
    expect(() => new Tversky({ axis: [0, 0.5] })).toThrow("tversky: axis[1] must be an integer");
    expect(() => new Tversky({ alpha: Infinity })).toThrow("tversky: alpha must be a finite number");
    expect(() => tversky([1], [1], { beta: "x" as never })).toThrow(ConfigError);
    expect(() => new Dice({ smooth: 1 } as never)).toThrow("smooth is not an option of dice");
  });
});

describe("segmentation registry and config", () => {
  for (const [name, cls] of [
    ["Dice", Dice],
    ["dice", Dice],
    ["Tversky", Tversky],
    ["tversky", Tversky],
  ] as const) {
    it(`getLoss("${name}") gives a reducing ${cls.name}`, () => {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(cls);
      expect(loss.reduction).toBe("sum_over_batch_size");
    });
  }
  it("getConfig / fromConfig / serialize round trips", () => {
    for (const loss of [new Dice({ axis: [1, 2, 3], reduction: null }), new Tversky({ alpha: 0.2, beta: 0.8, axis: -1, dtype: "float64", name: "t" })]) {
      const cls = loss.constructor as typeof Dice;
      const rebuilt = cls.fromConfig(loss.getConfig());
      expect(rebuilt).toBeInstanceOf(cls);
      expect(rebuilt.getConfig()).toEqual(loss.getConfig());
      expect(deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss)))).getConfig()).toEqual(loss.getConfig());
    }
    expect(new Dice({ axis: [1, 2, 3] }).getConfig()).toEqual({ name: "dice", reduction: "sum_over_batch_size", dtype: "float32", axis: [1, 2, 3] });
  });
  it("accepts Keras's { class_name, config } JSON", () => {
    const loss = getLoss({ class_name: "Tversky", config: { name: "tversky", reduction: "sum", alpha: 0.2, beta: 0.8, axis: [1, 2, 3] } } as never);
    expect(loss).toBeInstanceOf(Tversky);
    allClose(loss(SEG_TRUE, SEG_PRED), 0.5 + 0.78494626);
  });
});
