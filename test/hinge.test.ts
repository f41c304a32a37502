import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CategoricalHinge,
  ConfigError,
  Hinge,
  ShapeError,
  SquaredHinge,
  Tensor,
  categoricalHinge,
  deserializeLoss,
  getLoss,
  hinge,
  moveAxis,
  serializeLoss,
  squaredHinge,
  type Loss,
  type LossFunction,
  type Reduction,
} from "../src/index";
import { allClose, almostEqual, expectClose, expectGradMatches, flat, rng, snapshot } from "./helpers";

// losses_test.py (and the tf.keras docstrings) use these for all three hinge losses.
const Y_TRUE = [[0.0, 1.0], [0.0, 0.0]];
const Y_PRED = [[0.6, 0.4], [0.4, 0.6]];

const KERAS_CASES: {
  name: string;
  cls: new (options?: any) => Loss;
  fn: LossFunction<any>;
  unweighted: { mean: number; sum: number; none: number[] };
  weighted: { mean: number; sum: number; none: number[] };
}[] = [
  { name: "Hinge", cls: Hinge, fn: hinge, unweighted: { mean: 1.3, sum: 2.6, none: [1.1, 1.5] }, weighted: { mean: 0.55, sum: 1.1, none: [1.1, 0] } },
  { name: "SquaredHinge", cls: SquaredHinge, fn: squaredHinge, unweighted: { mean: 1.86, sum: 3.72, none: [1.46, 2.26] }, weighted: { mean: 0.73, sum: 1.46, none: [1.46, 0] } },
  { name: "CategoricalHinge", cls: CategoricalHinge, fn: categoricalHinge, unweighted: { mean: 1.4, sum: 2.8, none: [1.2, 1.6] }, weighted: { mean: 0.6, sum: 1.2, none: [1.2, 0] } },
];

describe("hinge losses (Keras values)", () => {
  for (const c of KERAS_CASES) {
    describe(c.name, () => {
      it("losses_test.py test_unweighted (also the tf.keras docstring)", () => {
        almostEqual(new c.cls({ reduction: "sum_over_batch_size" })(Y_TRUE, Y_PRED), c.unweighted.mean, 3);
        almostEqual(new c.cls({ reduction: "sum" })(Y_TRUE, Y_PRED), c.unweighted.sum, 3);
        allClose(new c.cls({ reduction: null })(Y_TRUE, Y_PRED), c.unweighted.none);
        allClose(c.fn(Y_TRUE, Y_PRED), c.unweighted.none);
        expect(() => new c.cls({ reduction: "abc" })).toThrow(/Invalid value for argument/);
      });
      it("losses_test.py test_weighted", () => {
        const sampleWeight = [1, 0];
        almostEqual(new c.cls({ reduction: "sum_over_batch_size" })(Y_TRUE, Y_PRED, sampleWeight), c.weighted.mean, 3);
        almostEqual(new c.cls({ reduction: "sum" })(Y_TRUE, Y_PRED, sampleWeight), c.weighted.sum, 3);
        almostEqual(new c.cls({ reduction: null })(Y_TRUE, Y_PRED, sampleWeight), c.weighted.none);
      });
      it("losses_test.py test_zero_weighted", () => {
        expect(new c.cls()(Y_TRUE, Y_PRED, 0.0)).toBe(0);
      });
      it("dtype argument", () => {
        const out = new c.cls({ dtype: "float64", reduction: "none" })(Y_TRUE, Y_PRED) as Tensor;
        expect(out.data).toBeInstanceOf(Float64Array);
        expect(c.fn(Y_TRUE, Y_PRED).data).toBeInstanceOf(Float32Array);
      });
    });
  }
});

describe("label conversion (Keras's convert_binary_labels_to_hinge)", () => {
  it("converts {0, 1} labels to {-1, 1}", () => {
    // y = [-1, 1]: max(1 + 0.5, 0) = 1.5, max(1 - 0.5, 0) = 0.5.
    allClose(hinge([[0, 1]], [[0.5, 0.5]]), [1.0]);
    allClose(squaredHinge([[0, 1]], [[0.5, 0.5]]), [(1.5 ** 2 + 0.5 ** 2) / 2]);
  });
  it("leaves -1/1 labels alone", () => {
    // 1 - (-1)(0.3) = 1.3 and 1 - (1)(-0.2) = 1.2.
    allClose(hinge([[-1, 1]], [[0.3, -0.2]]), [1.25]);
    allClose(squaredHinge([[-1, 1]], [[0.3, -0.2]]), [(1.3 ** 2 + 1.2 ** 2) / 2]);
  });
  it("decides for the whole tensor at once", () => {
    // One -1 anywhere: no conversion, so the 0 label in row 0 gives max(1 - 0, 0) = 1.
    allClose(hinge([[0, 1], [-1, 1]], [[0.5, 0.5], [0.5, 0.5]]), [(1 + 0.5) / 2, (1.5 + 0.5) / 2]);
    allClose(new Hinge({ reduction: "none" })([[0, 1], [-1, 1]], [[0.5, 0.5], [0.5, 0.5]]), [0.75, 1.0]);
  });
  it("categorical hinge does not convert labels", () => {
    // pos = 0.5, neg = max(1 * 0.2, 0 * 0.5) = 0.2: max(0.2 - 0.5 + 1, 0) = 0.7.
    allClose(categoricalHinge([[0, 1]], [[0.2, 0.5]]), [0.7]);
    // {-1, 1} labels: pos = -0.2 + 0.5 = 0.3, neg = max(2 * 0.2, 0 * 0.5) = 0.4: 1.1.
    allClose(categoricalHinge([[-1, 1]], [[0.2, 0.5]]), [1.1]);
  });
});

interface Family {
  name: string;
  fn: LossFunction<any>;
  cls: new (options?: any) => Loss;
}

const FAMILY: Family[] = [
  { name: "hinge", fn: hinge, cls: Hinge },
  { name: "squared_hinge", fn: squaredHinge, cls: SquaredHinge },
  { name: "categorical_hinge", fn: categoricalHinge, cls: CategoricalHinge },
];

/** Labels in {-1, 1} (hinge, squared hinge) or one-hot rows (categorical hinge). */
function randomLabels(name: string, shape: number[], random: () => number, binary: boolean): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const n = shape[shape.length - 1]!;
  const data = new Float64Array(size);
  if (name === "categorical_hinge") {
    for (let r = 0; r < size / n; r++) data[r * n + Math.floor(random() * n)] = 1;
  } else {
    for (let i = 0; i < size; i++) data[i] = random() < 0.5 ? (binary ? 0 : -1) : 1;
  }
  return new Tensor(data, shape);
}

describe("hinge properties (fast-check)", () => {
  for (const family of FAMILY) {
    it(`${family.name}: per-sample shape, non-negative, zero at a perfect margin, class = mean of handle, inputs unchanged`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.boolean(),
          (shape, seed, binary) => {
            const random = rng(seed);
            const yTrue = randomLabels(family.name, shape, random, binary);
            const size = yTrue.size;
            const yPred = new Tensor(Float64Array.from({ length: size }, () => 6 * random() - 3), shape);
            const before = [snapshot(yTrue), snapshot(yPred)];
            const values = family.fn(yTrue, yPred, { dtype: "float64" });
            expect(values.shape).toEqual(shape.slice(0, -1));
            const v = flat(values);
            for (const x of v) {
              expect(Number.isFinite(x)).toBe(true);
              expect(x).toBeGreaterThanOrEqual(0);
            }
            // A prediction equal to the ±1 label (or the one-hot row) has margin exactly 1: loss 0.
            const signed = family.name === "categorical_hinge" ? yTrue : new Tensor(yTrue.data.map((y) => (binary ? 2 * y - 1 : y)), shape);
            for (const x of flat(family.fn(yTrue, signed, { dtype: "float64" }))) expect(x).toBe(0);
            const loss = new family.cls({ dtype: "float64" });
            const reduced = loss(yTrue, yPred) as number;
            const mean = v.reduce((a, b) => a + b, 0) / v.length;
            expect(Math.abs(reduced - mean)).toBeLessThanOrEqual(1e-12 * Math.max(1, mean));
            loss.valueAndGrad(yTrue, yPred, null);
            expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it("strided views give the same values and gradients as contiguous copies", () => {
    const random = rng(5);
    const base = new Tensor(Float64Array.from({ length: 24 }, () => 4 * random() - 2), [3, 2, 4]);
    const view = moveAxis(base, 1, 2); // [3, 4, 2], non-contiguous
    const copy = new Tensor(view.toTypedArray(), view.shape);
    const labels = randomLabels("categorical_hinge", [3, 4, 2], random, true);
    const upstream = new Tensor(Float64Array.from({ length: 12 }, (_, i) => 1 + i), [3, 4]);
    for (const family of FAMILY) {
      expectClose(family.fn(labels, view, { dtype: "float64" }), flat(family.fn(labels, copy, { dtype: "float64" })), { rtol: 1e-12, atol: 1e-12 });
      expectClose(family.fn.vjp(labels, view, upstream), flat(family.fn.vjp(labels, copy, upstream)), { rtol: 1e-12, atol: 1e-12 });
    }
  });
});

const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

/**
 * Labels and predictions whose margins `1 - y * p` (hinge, squared hinge) stay at least
 * 0.1 away from 0: `p = y * (1 - m)` with |m| in [0.1, 1.1].
 */
function hingeInputs(shape: number[], seed: number, binary: boolean): { yTrue: Tensor; yPred: Tensor } {
  const random = rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const t = new Float64Array(size);
  const p = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const y = random() < 0.5 ? -1 : 1;
    t[i] = binary ? (y + 1) / 2 : y;
    const m = (random() < 0.5 ? -1 : 1) * (0.1 + random());
    p[i] = y * (1 - m);
  }
  if (binary) {
    // Binary conversion needs both 0 and 1 present for a meaningful test; keep at least one of each.
    t[0] = 0;
    p[0] = -(1 - 0.5);
    t[1] = 1;
    p[1] = 1 - 0.5;
  }
  return { yTrue: new Tensor(t, shape), yPred: new Tensor(p, shape) };
}

/** One-hot labels and predictions whose categorical margin stays 0.1 away from 0 and whose max has no near tie. */
function categoricalInputs(shape: number[], seed: number): { yTrue: Tensor; yPred: Tensor } {
  const random = rng(seed);
  const n = shape[shape.length - 1]!;
  const rows = shape.reduce((a, b) => a * b, 1) / n;
  const t = new Float64Array(rows * n);
  const p = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (;;) {
      const k = Math.floor(random() * n);
      for (let j = 0; j < n; j++) {
        t[r * n + j] = j === k ? 1 : 0;
        p[r * n + j] = 4 * random() - 2;
      }
      // Reference in the test: neg over the other classes (and the true class's 0), pos = p_k.
      const others = [0, ...Array.from({ length: n }, (_, j) => j).filter((j) => j !== k).map((j) => p[r * n + j]!)].sort((a, b) => b - a);
      const margin = others[0]! - p[r * n + k]! + 1;
      const gap = others.length > 1 ? others[0]! - others[1]! : 1;
      if (Math.abs(margin) > 0.1 && gap > 0.05) break;
    }
  }
  return { yTrue: new Tensor(t, shape), yPred: new Tensor(p, shape) };
}

describe("hinge gradients match float64 central differences", () => {
  // Bound for every check here: |analytic - numeric| <= 1e-8 + 1e-6 * max|numeric| (float64 losses).
  const bound = { rtol: 1e-6, atol: 1e-8 };
  const CASES: { name: string; make: (options: Record<string, unknown>) => Loss; inputs: (shape: number[], seed: number) => { yTrue: Tensor; yPred: Tensor } }[] = [
    { name: "Hinge (-1/1 labels)", make: (o) => new Hinge(o), inputs: (s, seed) => hingeInputs(s, seed, false) },
    { name: "Hinge (0/1 labels)", make: (o) => new Hinge(o), inputs: (s, seed) => hingeInputs(s, seed, true) },
    { name: "SquaredHinge (-1/1 labels)", make: (o) => new SquaredHinge(o), inputs: (s, seed) => hingeInputs(s, seed, false) },
    { name: "SquaredHinge (0/1 labels)", make: (o) => new SquaredHinge(o), inputs: (s, seed) => hingeInputs(s, seed, true) },
    { name: "CategoricalHinge", make: (o) => new CategoricalHinge(o), inputs: categoricalInputs },
  ];
  for (const c of CASES) {
    it(`${c.name}: every reduction`, () => {
      const { yTrue, yPred } = c.inputs([4, 3], 31);
      for (const reduction of REDUCTIONS) expectGradMatches(c.make({ reduction, dtype: "float64" }), yTrue, yPred, null, bound);
    });
    it(`${c.name}: sampleWeight scalar, per-sample, per-element, and a mask`, () => {
      const { yTrue, yPred } = c.inputs([2, 3, 4], 32);
      const loss = c.make({ dtype: "float64" });
      expectGradMatches(loss, yTrue, yPred, 2.3, bound);
      expectGradMatches(loss, yTrue, yPred, [0.5, 2], bound);
      expectGradMatches(loss, yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(c.make({ dtype: "float64", reduction: "mean_with_sample_weight" }), yTrue, yPred, [[0.5, 1, 2], [3, 0, 1.5]], bound);
      expectGradMatches(loss, yTrue, yPred, [0.5, 2], { ...bound, mask: [[1, 0, 1], [1, 1, 0]] });
    });
    it(`${c.name}: float32 loss (bound 1e-3 relative: float32 inputs against float64 differences)`, () => {
      const { yTrue, yPred } = c.inputs([3, 5], 33);
      expectGradMatches(c.make({}), yTrue, yPred, [1, 2, 3], { rtol: 1e-3, atol: 1e-6 });
    });
  }

  it("at the kink, TensorFlow's maximum passes the gradient to its first argument", () => {
    // Hinge: 1 - y p = 0 at y = 1, p = 1: gradient -y / n (n = 2); the other element has margin 2.
    expect(flat(new Hinge({ reduction: "sum" }).grad([[1, -1]], [[1, 1]]))).toEqual([-0.5, 0.5]);
    // Squared hinge: 2 * max(margin, 0) = 0 there.
    expect(flat(new SquaredHinge({ reduction: "sum" }).grad([[1, 1]], [[1, 3]]))).toEqual([0, 0]);
    // Categorical hinge with neg - pos + 1 = 0: pos = 1.5, neg = 0.5 → gradient flows.
    expect(flat(new CategoricalHinge({ reduction: "sum" }).grad([[0, 1]], [[0.5, 1.5]]))).toEqual([1, -1]);
  });

  it("categorical hinge: on a tie of the max, the gradient is split evenly among the tied elements (TF's reduce_max rule)", () => {
    const loss = new CategoricalHinge({ reduction: "sum" });
    // (1 - y) * p = [0.5, 0, 0.5]: elements 0 and 2 tie; pos = 0.2; margin 1.3.
    expect(flat(loss.grad([[0, 1, 0]], [[0.5, 0.2, 0.5]]))).toEqual([0.5, -1, 0.5]);
    // (1 - y) * p = [0.2, 0, 0.2]: pos = 0.5, margin 0.7.
    expect(flat(loss.grad([[0, 1, 0]], [[0.2, 0.5, 0.2]]))).toEqual([0.5, -1, 0.5]);
    // (1 - y) * p = [0, 0, 0, 0]: all four tie, the true class's 0 included (its share is (1 - 1) / 4 = 0).
    expect(flat(loss.grad([[0, 1, 0, 0]], [[0, 0.5, 0, 0]]))).toEqual([0.25, -1, 0.25, 0.25]);
    // {-1, 1} labels: (1 - y) * p = [2 * 0.25, 0.5, 0] ties elements 0 and 1; each gets (1 - y_k) / 2.
    // pos = -0.25 + 0.1 = -0.15, margin 1.65: d/dp = [2 / 2 + 1, 1 / 2, -1].
    expect(flat(loss.grad([[-1, 0, 1]], [[0.25, 0.5, 0.1]]))).toEqual([2, 0.5, -1]);
    // Two rows, only the first tied, with per-sample weights.
    expect(flat(loss.grad([[0, 1, 0], [0, 1, 0]], [[0.5, 0.2, 0.5], [0.5, 0.2, 0.4]], [2, 3]))).toEqual([1, -2, 1, 3, -3, 0]);
  });

  it("categorical hinge when the true class's 0 is the max (every other score negative)", () => {
    // (1 - y) * p = [0, -1, -2]: neg = 0 at the true class, pos = 0.5, margin 0.5; d/dp_0 = (1 - 1) - 1 = -1.
    expect(flat(new CategoricalHinge({ reduction: "sum" }).grad([[1, 0, 0]], [[0.5, -1, -2]]))).toEqual([-1, 0, 0]);
    expectGradMatches(new CategoricalHinge({ dtype: "float64" }), [[1, 0, 0], [0, 0, 1]], [[0.5, -1, -2], [-0.7, -1.5, 0.3]], null, { rtol: 1e-6, atol: 1e-8 });
  });

  it("no gradient past the margin", () => {
    expect(flat(new Hinge({ reduction: "sum" }).grad([[1, -1]], [[2, -3]]))).toEqual([0, 0]);
    expect(flat(new CategoricalHinge({ reduction: "sum" }).grad([[0, 1]], [[-1, 2]]))).toEqual([0, 0]);
  });
});

describe("hinge losses propagate NaN (tf.maximum / reduce_max propagate it)", () => {
  const isNaNs = (x: number | Tensor) => flat(x).map(Number.isNaN);

  it("NaN in yPred or yTrue gives a NaN loss", () => {
    expect(new Hinge()([[1, 1]], [[NaN, 0.5]])).toBeNaN();
    expect(new SquaredHinge()([[1, 1]], [[NaN, 0.5]])).toBeNaN();
    expect(new CategoricalHinge()([[0, 1, 0]], [[0.2, NaN, 0.3]])).toBeNaN();
    for (const family of FAMILY) {
      const loss = new family.cls();
      // NaN first, in the middle, last; in yPred and in yTrue; margins of either sign around it.
      expect(loss([[0, 1, 0]], [[NaN, 0.2, 0.3]])).toBeNaN();
      expect(loss([[0, 1, 0]], [[0.2, 5, NaN]])).toBeNaN();
      expect(loss([[0, 1, 0]], [[-3, NaN, -3]])).toBeNaN();
      expect(loss([[0, NaN, 0]], [[0.2, 0.5, 0.3]])).toBeNaN();
      expect(loss([[-1, 1, NaN]], [[-5, 5, 0.3]])).toBeNaN();
      // Only the row holding the NaN.
      expect(isNaNs(family.fn([[0, 1, 0], [0, 1, 0]], [[0.2, NaN, 0.3], [0.2, 0.5, 0.3]]))).toEqual([true, false]);
    }
  });

  it("NaN reaches the gradient where the value is NaN, and only there", () => {
    // Hinge and squared hinge are elementwise: the NaN element's gradient is NaN, its neighbour's is as before.
    expect(flat(new Hinge({ reduction: "sum" }).grad([[1, 1]], [[NaN, 0.5]]))).toEqual([NaN, -0.5]);
    expect(flat(new SquaredHinge({ reduction: "sum" }).grad([[1, 1]], [[NaN, 0.5]]))).toEqual([NaN, -0.5]);
    expect(flat(new Hinge({ reduction: "sum" }).grad([[1, NaN]], [[0.5, 0.5]]))).toEqual([-0.5, NaN]);
    expect(flat(new Hinge({ reduction: "sum" }).grad([[-1, 1]], [[-3, NaN]]))).toEqual([0, NaN]);
    expect(flat(new SquaredHinge({ reduction: "sum" }).grad([[-1, 1]], [[-3, NaN]]))).toEqual([0, NaN]);
    // Categorical hinge: the margin is a row quantity, so its whole row is NaN; the other row is as before.
    const grad = new CategoricalHinge({ reduction: "sum" }).grad([[0, 1, 0], [0, 1, 0]], [[0.2, NaN, 0.3], [0.2, 0.5, 0.3]]);
    expect(flat(grad)).toEqual([NaN, NaN, NaN, 0, -1, 1]);
    expect(isNaNs(new CategoricalHinge().grad([[0, 1, 0]], [[-4, 9, NaN]]))).toEqual([true, true, true]);
    expect(isNaNs(new CategoricalHinge().grad([[NaN, 1, 0]], [[0.2, 0.5, 0.3]]))).toEqual([true, true, true]);
    for (const family of FAMILY) {
      const { value, grad: g } = new family.cls().valueAndGrad([[0, 1, 0]], [[0.2, NaN, 0.3]]);
      expect(value).toBeNaN();
      expect(isNaNs(g)[1]).toBe(true);
    }
  });
});

describe("hinge errors", () => {
  it("shapes that do not fit", () => {
    for (const family of FAMILY) {
      expect(() => family.fn([[1, 0, 1]], [[1, 0]])).toThrow(ShapeError);
      expect(() => new family.cls()([[1, 0, 1]], [[1, 0]])).toThrow(/yTrue has shape \[1,3\] but yPred has shape \[1,2\]/);
      expect(() => new family.cls().grad([[1, 0, 1]], [[1, 0]])).toThrow(ShapeError);
      expect(() => family.fn.vjp([[1, 0]], [[1, 0]], [1, 1])).toThrow(/upstream has shape \[2\]/);
    }
  });
  it("options", () => {
    expect(() => new Hinge({ delta: 1 } as never)).toThrow(ConfigError);
    expect(() => hinge([1], [1], { margin: 1 } as never)).toThrow(/margin is not an option of hinge/);
    expect(() => new CategoricalHinge({ dtype: "float16" as never })).toThrow(/dtype/);
  });
});

describe("hinge registry", () => {
  const NAMES: [string, Function][] = [
    ["Hinge", Hinge],
    ["hinge", Hinge],
    ["SquaredHinge", SquaredHinge],
    ["squared_hinge", SquaredHinge],
    ["squaredHinge", SquaredHinge],
    ["CategoricalHinge", CategoricalHinge],
    ["categorical_hinge", CategoricalHinge],
    ["categoricalHinge", CategoricalHinge],
  ];
  for (const [name, cls] of NAMES) {
    it(`getLoss("${name}")`, () => {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(cls);
      almostEqual(loss(Y_TRUE, Y_PRED), KERAS_CASES.find((c) => c.cls === cls)!.unweighted.mean);
    });
  }

  it("getConfig / fromConfig and serialize / deserialize round trips", () => {
    for (const loss of [new Hinge({ name: "h", reduction: "sum" }), new SquaredHinge({ dtype: "float64" }), new CategoricalHinge({ reduction: "none" })]) {
      const cls = loss.constructor as typeof Hinge;
      expect(loss.getConfig()).toEqual({ name: loss.name, reduction: loss.reduction, dtype: loss.dtype });
      const rebuilt = cls.fromConfig(loss.getConfig());
      expect(rebuilt).toBeInstanceOf(cls);
      expect(rebuilt.getConfig()).toEqual(loss.getConfig());
      expect(flat(rebuilt(Y_TRUE, Y_PRED) as number | Tensor)).toEqual(flat(loss(Y_TRUE, Y_PRED) as number | Tensor));
      const restored = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
      expect(restored.getConfig()).toEqual(loss.getConfig());
    }
    expect(new Hinge().name).toBe("hinge");
    expect(new SquaredHinge().name).toBe("squared_hinge");
    expect(new CategoricalHinge().name).toBe("categorical_hinge");
  });

  it("name: undefined keeps the default name", () => {
    expect(new Hinge({ name: undefined }).name).toBe("hinge");
    expect(new SquaredHinge({ name: undefined }).name).toBe("squared_hinge");
    expect(new CategoricalHinge({ name: undefined }).name).toBe("categorical_hinge");
  });
});
