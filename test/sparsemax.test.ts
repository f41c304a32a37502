import { describe, expect, it } from "vitest";
import { ConfigError, ShapeError, SparsemaxLoss, Tensor, sparsemaxLoss, type Loss } from "../src/index";
import { expectClose, expectGradMatches, flat, rng, snapshot } from "./helpers";
import { expectGradsEverywhere, expectRegistered, expectRoundTrip } from "./beyond-helpers";

const TEST_OBS = 17;

/** sparsemax_loss_test.py `_np_sparsemax`, ported (mean-centred, argmax over the flipped check). */
function npSparsemax(z: number[][]): number[][] {
  return z.map((row0) => {
    const mean = row0.reduce((a, b) => a + b, 0) / row0.length;
    const row = row0.map((v) => v - mean);
    const sorted = [...row].sort((a, b) => b - a);
    const cumsum: number[] = [];
    sorted.reduce((s, v, i) => ((cumsum[i] = s + v), s + v), 0);
    const check = sorted.map((v, i) => 1 + (i + 1) * v > cumsum[i]!);
    // k(z): the last index where the check holds, plus one
    const kz = check.lastIndexOf(true) + 1;
    const tau = (cumsum[kz - 1]! - 1) / kz;
    return row.map((v) => Math.max(0, v - tau));
  });
}

/** sparsemax_loss_test.py `_np_sparsemax_loss`, ported. */
function npSparsemaxLoss(z0: number[][], q: number[][]): number[] {
  const z = z0.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    return row.map((v) => v - mean);
  });
  const p = npSparsemax(z);
  return z.map((row, i) => {
    const zk = row.reduce((s, v, j) => s + q[i]![j]! * v, 0);
    const sSum = row.reduce((s, v, j) => s + (p[i]![j]! > 0 ? p[i]![j]! * (2 * v - p[i]![j]!) : 0), 0);
    const qNorm = q[i]!.reduce((a, b) => a + b, 0);
    return 0.5 * sSum + 0.5 * qNorm - zk;
  });
}

/** random.uniform(-3, 3, (17, 10)) logits and one-hot labels, from a seeded generator. */
function logitsAndLabels(seed: number, obs = TEST_OBS, classes = 10): { z: number[][]; q: number[][] } {
  const random = rng(seed);
  const z = Array.from({ length: obs }, () => Array.from({ length: classes }, () => 6 * random() - 3));
  const q = Array.from({ length: obs }, () => {
    const k = Math.floor(random() * classes);
    return Array.from({ length: classes }, (_, j) => (j === k ? 1 : 0));
  });
  return { z, q };
}

const asTensor = (x: number[][], dtype: "float32" | "float64") =>
  new Tensor(dtype === "float32" ? Float32Array.from(x.flat()) : Float64Array.from(x.flat()), [x.length, x[0]!.length]);

describe("SparsemaxLoss (TensorFlow Addons values)", () => {
  for (const dtype of ["float32", "float64"] as const) {
    // assert_allclose_according_to_type: rtol = atol = 1e-6 for float32 and float64
    const tol = { rtol: 1e-6, atol: 1e-6 };
    it(`sparsemax_loss_test.py test_sparsemax_loss_constructor_aginst_numpy (${dtype})`, () => {
      const { z, q } = logitsAndLabels(1);
      const loss = new SparsemaxLoss({ dtype })(q, asTensor(z, dtype));
      const np = npSparsemaxLoss(asTensor(z, dtype).toArray() as number[][], q);
      expectClose(loss, np.reduce((a, b) => a + b, 0) / np.length, tol);
    });
    it(`sparsemax_loss_test.py test_sparsemax_loss_against_numpy and test_sparsemax_loss_positive (${dtype})`, () => {
      const { z, q } = logitsAndLabels(1);
      const values = sparsemaxLoss(q, asTensor(z, dtype));
      expect(values.shape).toEqual([TEST_OBS]);
      expectClose(values, npSparsemaxLoss(asTensor(z, dtype).toArray() as number[][], q), tol);
      const positive = logitsAndLabels(5);
      const v = flat(sparsemaxLoss(positive.q, asTensor(positive.z, dtype)));
      expectClose(new Tensor(Float64Array.from(v.map(Math.abs)), [TEST_OBS]), v, tol);
    });
    it(`sparsemax_loss_test.py test_sparsemax_loss_of_nan (${dtype})`, () => {
      const q = [[0, 0, 1], [0, 0, 1], [0, 0, 1]];
      const z = [[0, NaN, 0], [0, NaN, NaN], [NaN, NaN, NaN]];
      expect(flat(sparsemaxLoss(q, asTensor(z, dtype)))).toEqual([NaN, NaN, NaN]);
    });
    it(`sparsemax_loss_test.py test_sparsemax_loss_of_inf (${dtype})`, () => {
      const q = [[0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 0, 1]];
      const inf = Infinity;
      const zNeg = [[0, -inf, 0], [0, -inf, -inf], [-inf, -inf, 0], [-inf, -inf, -inf]];
      const zPos = [[0, inf, 0], [0, inf, inf], [inf, inf, 0], [inf, inf, inf]];
      const zMix = [[0, inf, 0], [0, inf, -inf], [-inf, inf, 0], [-inf, inf, -inf]];
      expect(flat(sparsemaxLoss(q, asTensor(zNeg, dtype)))).toEqual([0.25, inf, 0, NaN]);
      expect(flat(sparsemaxLoss(q, asTensor(zPos, dtype)))).toEqual([NaN, NaN, NaN, NaN]);
      expect(flat(sparsemaxLoss(q, asTensor(zMix, dtype)))).toEqual([NaN, NaN, NaN, NaN]);
    });
    it(`sparsemax_loss_test.py test_constant_add (proposition 3; float_atol = float_rtol = 5e-6) (${dtype})`, () => {
      const { z, q } = logitsAndLabels(4);
      const random = rng(40);
      const shifted = z.map((row) => {
        const c = 6 * random() - 3;
        return row.map((v) => v + c);
      });
      expectClose(sparsemaxLoss(q, asTensor(shifted, dtype)), flat(sparsemaxLoss(q, asTensor(z, dtype))), { rtol: 5e-6, atol: 5e-6 });
    });
    it(`sparsemax_loss_test.py test_sparsemax_loss_zero (proposition 5) (${dtype})`, () => {
      const { z } = logitsAndLabels(6);
      for (const row of z) row[0] = Math.max(...row) + 1.05;
      const q = z.map((row) => row.map((_, j) => (j === 0 ? 1 : 0)));
      expectClose(sparsemaxLoss(q, asTensor(z, dtype)), new Array(TEST_OBS).fill(0), tol);
      // and sparsemax(z) = q: the gradient p - q is 0
      expectClose(new SparsemaxLoss({ reduction: "sum", dtype }).grad(q, asTensor(z, dtype)), new Array(TEST_OBS * 10).fill(0), tol);
    });
  }
  it("sparsemax_loss_test.py test_sparsemax_loss_constructor_not_from_logits", () => {
    expect(() => new SparsemaxLoss({ fromLogits: false })).toThrow(ConfigError);
    expect(() => new SparsemaxLoss({ fromLogits: false })).toThrow("sparsemax_loss: fromLogits must be true (the sparsemax loss needs the logits), received false");
  });
  it("TSDoc examples", () => {
    expect(flat(sparsemaxLoss([[0, 0, 1], [0, 0, 1]], [[0, -Infinity, 0], [-1, 0, 1]]))).toEqual([0.25, 0]);
    expect(new SparsemaxLoss()([[0, 0, 1], [0, 0, 1]], [[0, -Infinity, 0], [-1, 0, 1]])).toBe(0.125);
  });
  it("activation docstring: sparsemax([[-1, 0, 1], [-5, 1, 2]]) = [[0, 0, 1], [0, 0, 1]] (seen through the gradient p - q)", () => {
    const zero = [[0, 0, 0], [0, 0, 0]];
    expect(flat(new SparsemaxLoss({ reduction: "sum" }).grad(zero, [[-1, 0, 1], [-5, 1, 2]]))).toEqual([0, 0, 1, 0, 0, 1]);
  });
});

describe("SparsemaxLoss gradients", () => {
  it("sparsemax_loss_test.py test_gradient_against_estimate (float64), plus every reduction and float32", () => {
    const { z, q } = logitsAndLabels(7);
    expectGradsEverywhere((o) => new SparsemaxLoss(o) as Loss, asTensor(q, "float64"), asTensor(z, "float64"), [TEST_OBS]);
  });
  it("the gradient is sparsemax(z) - q per row, soft labels too", () => {
    const { z } = logitsAndLabels(8);
    const random = rng(9);
    const q = z.map((row) => {
      const w = row.map(() => random());
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((v) => v / s);
    });
    const p = npSparsemax(z);
    const g = new SparsemaxLoss({ reduction: "sum", dtype: "float64" }).grad(q, z);
    expectClose(g, p.map((row, i) => row.map((v, j) => v - q[i]![j]!)), { rtol: 1e-12, atol: 1e-12 });
    expectGradMatches(new SparsemaxLoss({ dtype: "float64" }), q, z, null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("non-finite logits: -inf positions get p - q, invalid rows a NaN gradient", () => {
    const g = flat(new SparsemaxLoss({ reduction: "sum", dtype: "float64" }).grad([[0, 0, 1], [0, 0, 1]], [[0, -Infinity, 0], [0, Infinity, 0]]));
    expect(g.slice(0, 3)).toEqual([0.5, 0, -0.5]);
    expect(g.slice(3).every(Number.isNaN)).toBe(true);
  });
  it("inputs are not mutated", () => {
    const { z, q } = logitsAndLabels(10);
    const zt = asTensor(z, "float32"), qt = asTensor(q, "float32");
    const before = [snapshot(qt), snapshot(zt)];
    new SparsemaxLoss().valueAndGrad(qt, zt);
    expect([snapshot(qt), snapshot(zt)]).toEqual(before);
  });
});

describe("SparsemaxLoss registry, config and errors", () => {
  it("getLoss by class name, TFA function names, camelCase (sparsemax_test.py test_serialization)", () => {
    expectRegistered(SparsemaxLoss, ["SparsemaxLoss", "sparsemax_loss", "sparsemaxLoss", "sparsemax_loss_from_logits", "Addons>SparsemaxLoss", "Addons>sparsemax_loss"]);
  });
  it("config round trip", () => {
    const loss = new SparsemaxLoss({ reduction: "sum", name: "s" });
    expect(loss.getConfig()).toEqual({ name: "s", reduction: "sum", dtype: "float32", fromLogits: true });
    expectRoundTrip(loss, "SparsemaxLoss", [[0, 1, 0]], [[0.3, 1.2, -0.5]]);
  });
  it("shapes that do not fit", () => {
    expect(() => sparsemaxLoss([1, 0], [0.5, 0.2])).toThrow("sparsemax_loss: yPred (logits) must have shape [batch, numClasses], received shape [2]");
    expect(() => sparsemaxLoss([[1, 0, 0]], [[0.5, 0.2]])).toThrow(ShapeError);
    expect(() => sparsemaxLoss([1, 0], [[0.5, 0.2]])).toThrow(/yTrue has shape \[2\] but yPred has shape \[1,2\]/);
  });
});
