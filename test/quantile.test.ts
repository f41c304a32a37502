import { describe, expect, it } from "vitest";
import { ConfigError, PinballLoss, ShapeError, Tensor, pinballLoss, type Loss } from "../src/index";
import { almostEqual, expectClose, expectGradMatches, flat, snapshot } from "./helpers";
import { expectGradsEverywhere, expectRegistered, expectRoundTrip, filled } from "./beyond-helpers";

// The inputs of quantiles_test.py.
const Y_TRUE = [[1, 9, 2], [-5, -2, 6]];
const Y_PRED = new Tensor(new Float32Array([4, 8, 12, 8, 1, 3]), [2, 3]);

/** Independent float64 reference: mean over the row of max(tau e, (tau - 1) e). */
function reference(t: number[], p: number[], tau: number | number[]): number {
  let sum = 0;
  for (let i = 0; i < t.length; i++) {
    const q = typeof tau === "number" ? tau : tau[i]!;
    const e = t[i]! - p[i]!;
    sum += e >= 0 ? q * e : (q - 1) * e;
  }
  return sum / t.length;
}

describe("PinballLoss (TensorFlow Addons values)", () => {
  it("docstring examples (class and function) and the TSDoc examples", () => {
    // TFA doctests compare with np.allclose(rtol=1e-3, atol=1e-3) (TF's doctest checker); 0.475 is exact here.
    expectClose(new PinballLoss({ tau: 0.1 })([0, 0, 1, 1], [1, 1, 1, 0]), 0.475, { rtol: 1e-6, atol: 0 });
    const v = pinballLoss([0, 0, 1, 1], [1, 1, 1, 0], { tau: 0.1 });
    expect(v.shape).toEqual([]);
    expectClose(v.item(), 0.475, { rtol: 1e-6, atol: 0 });
  });
  it("quantiles_test.py test_config", () => {
    const loss = new PinballLoss({ reduction: "sum", name: "pin_1" });
    expect(loss.name).toBe("pin_1");
    expect(loss.reduction).toBe("sum");
    expect(new PinballLoss().name).toBe("pinball_loss");
    expect(new PinballLoss().reduction).toBe("sum_over_batch_size");
  });
  it("quantiles_test.py values (assert_almost_equal, 3 decimals)", () => {
    const pin = new PinballLoss();
    expect(pin([[4, 8, 12], [8, 1, 3]], [[4, 8, 12], [8, 1, 3]])).toBe(0);
    almostEqual(pin(Y_TRUE, Y_PRED), 2.75, 3);
    almostEqual(pin(Y_TRUE, Y_PRED, 2.3), 6.325, 3);
    almostEqual(pin(Y_TRUE, Y_PRED, [[1.2], [3.4]]), 40.7 / 6, 3);
    almostEqual(pin(Y_TRUE, Y_PRED, 0), 0, 3);
    almostEqual(new PinballLoss({ tau: 0.0 })(Y_TRUE, Y_PRED), 4.8333, 3);
    almostEqual(new PinballLoss({ tau: 0.1 })(Y_TRUE, Y_PRED), 4.4166, 3);
    almostEqual(new PinballLoss({ tau: 0.9 })(Y_TRUE, Y_PRED), 1.0833, 3);
    almostEqual(new PinballLoss({ tau: 1.0 })(Y_TRUE, Y_PRED), 0.6666, 3);
    almostEqual(new PinballLoss({ reduction: "sum" })(Y_TRUE, Y_PRED, 2.3), 12.65, 3);
    // TFA checks this one with decimal=1e-3 (i.e. |error| < 1.5); 3 decimals here.
    almostEqual(new PinballLoss({ reduction: "none" })(Y_TRUE, Y_PRED, 2.3), [5.3666, 7.28333], 3);
  });
  it("quantiles_test.py test_timestep_weighted and test_invalid_sample_weight", () => {
    const t = new Tensor(new Float32Array([1, 9, 2, -5, -2, 6]), [2, 3, 1]);
    const p = new Tensor(new Float32Array([4, 8, 12, 8, 1, 3]), [2, 3, 1]);
    almostEqual(new PinballLoss()(t, p, [[3, 6, 5], [0, 4, 2]]), 41.5 / 6, 3);
    expect(() => new PinballLoss()(t, p, [[3, 6], [5, 0]])).toThrow(ShapeError);
  });
  it("float64 values against the reference formula", () => {
    for (const tau of [0, 0.1, 0.5, 0.9, 1]) {
      expectClose(pinballLoss(Y_TRUE, Y_PRED, { tau, dtype: "float64" }), Y_TRUE.map((row, i) => reference(row, flat(Y_PRED).slice(3 * i, 3 * i + 3), tau)), { rtol: 1e-15, atol: 0 });
    }
  });
  it("tau per output: a nested array of shape [d0, …, dN] broadcasts against each sample", () => {
    const tau = [0.1, 0.5, 0.9];
    const p = flat(Y_PRED);
    expectClose(pinballLoss(Y_TRUE, Y_PRED, { tau, dtype: "float64" }), Y_TRUE.map((row, i) => reference(row, p.slice(3 * i, 3 * i + 3), tau)), { rtol: 1e-15, atol: 0 });
    // rank 3 with tau [3, 1]: one level per time step.
    const t3 = [[[1, 2], [3, 4], [5, 6]], [[0, 1], [1, 0], [2, 2]]];
    const p3 = [[[2, 2], [1, 5], [5, 5]], [[1, 1], [0, 0], [3, 1]]];
    const levels = [0.2, 0.6, 0.95];
    const expected = t3.map((b, i) => b.map((row, j) => reference(row, p3[i]![j]!, levels[j]!)));
    expectClose(pinballLoss(t3, p3, { tau: [[0.2], [0.6], [0.95]], dtype: "float64" }), expected, { rtol: 1e-15, atol: 0 });
    // a tau that would enlarge the result is refused
    expect(() => pinballLoss(Y_TRUE, Y_PRED, { tau: [0.1, 0.5] })).toThrow(ShapeError);
    expect(() => pinballLoss(Y_TRUE, Y_PRED, { tau: [[0.1], [0.5]] })).toThrow(/tau has shape \[2,1\] and does not broadcast against one sample of yPred \[3\]/);
  });
});

describe("PinballLoss gradients (float64 central differences)", () => {
  // |yTrue - yPred| >= 0.1: away from the kink at 0.
  const yTrue = filled([3, 4, 5], 1, (u) => 4 * u() - 2);
  const yPred = filled([3, 4, 5], 2, (u, i) => yTrue.data[i]! + (u() < 0.5 ? -1 : 1) * (0.1 + u()));
  it("every reduction, sample weights, mask, float32; tau scalar and per output", () => {
    expectGradsEverywhere((o) => new PinballLoss(o) as Loss, yTrue, yPred, [3, 4]);
    expectGradsEverywhere((o) => new PinballLoss({ ...o, tau: 0.1 }) as Loss, yTrue, yPred, [3, 4]);
    expectGradsEverywhere((o) => new PinballLoss({ ...o, tau: [[0.1, 0.2, 0.3, 0.8, 1], [0, 0.5, 0.5, 0.7, 0.9], [1, 1, 0, 0, 0.25], [0.3, 0.3, 0.3, 0.3, 0.3]] }) as Loss, yTrue, yPred, [3, 4]);
  });
  it("at yTrue = yPred the gradient is TensorFlow's: -tau / n (maximum sends it to its first argument)", () => {
    expectClose(new PinballLoss({ tau: 0.3, reduction: "sum", dtype: "float64" }).grad([[1, 2]], [[1, 3]]), [[-0.3 / 2, 0.7 / 2]], { rtol: 1e-15, atol: 0 });
  });
  it("yPred broadcast: gradients accumulate; inputs not mutated", () => {
    const row = filled([5], 3, (u) => 10 + u());
    expectGradMatches(new PinballLoss({ tau: 0.8, reduction: "sum", dtype: "float64" }), yTrue, row, null, { rtol: 1e-6, atol: 1e-8 });
    const before = [snapshot(yTrue), snapshot(yPred)];
    new PinballLoss().valueAndGrad(yTrue, yPred);
    expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
  });
});

describe("PinballLoss registry, config and errors", () => {
  it("getLoss by class name, TFA function name, camelCase", () => {
    expectRegistered(PinballLoss, ["PinballLoss", "pinball_loss", "pinballLoss", "Addons>PinballLoss", "Addons>pinball_loss"]);
  });
  it("config round trip, with a scalar and a nested tau", () => {
    const loss = new PinballLoss({ tau: 0.1, reduction: "sum", name: "pin" });
    expect(loss.getConfig()).toEqual({ name: "pin", reduction: "sum", dtype: "float32", tau: 0.1 });
    expectRoundTrip(loss, "PinballLoss", Y_TRUE, Y_PRED);
    expectRoundTrip(new PinballLoss({ tau: [0.2, 0.5, 0.7] }), "PinballLoss", Y_TRUE, Y_PRED);
  });
  it("bad tau", () => {
    expect(() => new PinballLoss({ tau: 1.5 })).toThrow(ConfigError);
    expect(() => new PinballLoss({ tau: -0.1 })).toThrow("pinball_loss: tau must be in [0, 1], received -0.1");
    expect(() => new PinballLoss({ tau: Number.NaN })).toThrow(ConfigError);
    expect(() => new PinballLoss({ tau: [0.1, 2] })).toThrow("pinball_loss: tau must hold values in [0, 1], received 2 at flat index 1");
    expect(() => new PinballLoss({ tau: [[0.1], [0.2, 0.3]] })).toThrow(/pinball_loss: tau is not a valid nested array/);
    expect(() => new PinballLoss({ tau: "0.5" as never })).toThrow(/tau must be a number in \[0, 1\] or a nested array of them, received "0.5"/);
    expect(() => new PinballLoss({ tau: new Float32Array([0.5]) as never })).toThrow(/pass tensor.toArray\(\)/);
  });
  it("shapes that do not fit", () => {
    expect(() => pinballLoss([[1, 2, 3]], [[1, 2]])).toThrow(ShapeError);
  });
});
