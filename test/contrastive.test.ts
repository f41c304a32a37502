import { describe, expect, it } from "vitest";
import { ConfigError, ContrastiveLoss, ShapeError, Tensor, contrastiveLoss, type Loss } from "../src/index";
import { expectClose, expectGradMatches, snapshot } from "./helpers";
import { expectGradsEverywhere, expectRegistered, expectRoundTrip, filled } from "./beyond-helpers";

// The inputs of contrastive_test.py.
const Y_TRUE = new Tensor(new Float64Array([0, 0, 1, 1, 0, 1]), [6]); // int64 in TFA; cast to yPred's dtype
const Y_PRED = new Tensor(new Float32Array([0.1, 0.3, 1.3, 0.7, 1.1, 0.5]), [6]);

/** Independent float64 reference. */
const reference = (y: number, d: number, margin = 1) => y * d * d + (1 - y) * Math.max(margin - d, 0) ** 2;

describe("ContrastiveLoss (TensorFlow Addons values)", () => {
  it("contrastive_test.py test_config", () => {
    const loss = new ContrastiveLoss({ reduction: "sum", name: "cl" });
    expect(loss.name).toBe("cl");
    expect(loss.reduction).toBe("sum");
    expect(new ContrastiveLoss().name).toBe("contrastive_loss");
  });
  it("contrastive_test.py values (assert_allclose, rtol/atol as in TFA)", () => {
    const cl = new ContrastiveLoss();
    expectClose(cl([0, 0, 1, 1, 0, 1], new Float32Array([1, 1, 0, 0, 1, 0]) as never), 0, { rtol: 1e-7, atol: 0 });
    expectClose(cl(Y_TRUE, Y_PRED), 0.621666, { rtol: 1e-6, atol: 1e-6 });
    expectClose(cl(Y_TRUE, Y_PRED, [1.2, 0.8, 0.5, 0.4, 1.5, 1.0]), 0.4425, { rtol: 1e-7, atol: 0 });
    expectClose(new ContrastiveLoss({ margin: 2 })(Y_TRUE, Y_PRED), 1.623333, { rtol: 1e-6, atol: 1e-6 });
    expectClose(cl(Y_TRUE, Y_PRED, 6), 3.73, { rtol: 1e-6, atol: 1e-6 });
    expect(cl(Y_TRUE, Y_PRED, 0)).toBe(0);
    expectClose(new ContrastiveLoss({ reduction: "none" })(Y_TRUE, Y_PRED), [0.81, 0.49, 1.69, 0.49, 0, 0.25], { rtol: 1e-5, atol: 0 });
    expectClose(new ContrastiveLoss({ reduction: "sum" })(Y_TRUE, Y_PRED), 3.73, { rtol: 1e-7, atol: 0 });
  });
  it("TSDoc examples", () => {
    expectClose(contrastiveLoss([0, 0, 1, 1, 0, 1], [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]), [0.81, 0.49, 1.69, 0.49, 0, 0.25], { rtol: 1e-6, atol: 1e-7 });
    expectClose(new ContrastiveLoss()([0, 0, 1, 1, 0, 1], [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]), 0.621666, { rtol: 1e-6, atol: 1e-6 });
  });
  it("docstring: distances as tf.linalg.norm(a - b, axis=1) gives [8.06, 2, 4.473]", () => {
    const a = [[1, 2], [3, 4], [5, 6]], b = [[5, 9], [3, 6], [1, 8]];
    const d = a.map((row, i) => Math.hypot(row[0]! - b[i]![0]!, row[1]! - b[i]![1]!));
    // float16 in the docstring: 3 significant digits.
    expectClose(new Tensor(Float64Array.from(d), [3]), [8.06, 2, 4.473], { rtol: 1e-3, atol: 0 });
    expectClose(contrastiveLoss([1, 0, 0], d, { dtype: "float64", margin: 5 }), [reference(1, d[0]!, 5), reference(0, d[1]!, 5), reference(0, d[2]!, 5)], { rtol: 1e-15, atol: 0 });
  });
  it("quirk: elementwise, a [4, 2] input gives [4, 2] values", () => {
    const y = [[1, 0], [0, 1], [1, 1], [0, 0]];
    const d = [[0.5, 0.2], [1.5, 0.9], [0.1, 2], [0.99, 3]];
    const values = contrastiveLoss(y, d, { dtype: "float64" });
    expect(values.shape).toEqual([4, 2]);
    expectClose(values, y.map((row, i) => row.map((v, j) => reference(v, d[i]![j]!))), { rtol: 1e-15, atol: 0 });
    // the class averages every element (sum_over_batch_size over 8 values)
    const all = y.flatMap((row, i) => row.map((v, j) => reference(v, d[i]![j]!)));
    expectClose(new ContrastiveLoss({ dtype: "float64" })(y, d), all.reduce((s, v) => s + v, 0) / 8, { rtol: 1e-15, atol: 0 });
    // a scalar pair gives a scalar
    expect(contrastiveLoss(0, 0.25).shape).toEqual([]);
    expectClose(contrastiveLoss(0, 0.25, { dtype: "float64" }).item(), 0.5625, { rtol: 1e-15, atol: 0 });
  });
});

describe("ContrastiveLoss gradients (float64 central differences)", () => {
  // distances with |margin - d| >= 0.05 (away from the hinge's kink)
  const yTrue = filled([4, 6], 1, (u) => (u() < 0.5 ? 0 : 1));
  const yPred = filled([4, 6], 2, (u) => (u() < 0.5 ? 0.95 * u() : 1.05 + u()));
  it("every reduction, sample weights, mask, float32", () => {
    expectGradsEverywhere((o) => new ContrastiveLoss(o) as Loss, yTrue, yPred, [4, 6]);
    expectGradsEverywhere((o) => new ContrastiveLoss({ ...o, margin: 0.5 }) as Loss, yTrue, filled([4, 6], 3, (u) => (u() < 0.5 ? 0.45 * u() : 0.55 + u())), [4, 6]);
  });
  it("rank 1 (TFA's [batch] shapes), a scalar pair, broadcasting", () => {
    expectGradsEverywhere((o) => new ContrastiveLoss(o) as Loss, filled([6], 4, (u) => (u() < 0.5 ? 0 : 1)), filled([6], 5, (u) => (u() < 0.5 ? 0.9 * u() : 1.1 + u())), [6]);
    expectGradMatches(new ContrastiveLoss({ dtype: "float64" }), 0, 0.4, null, { rtol: 1e-6, atol: 1e-8 });
    // one distance per row broadcast over the labels
    expectGradMatches(new ContrastiveLoss({ dtype: "float64", reduction: "sum" }), yTrue, filled([4, 1], 6, (u) => 0.2 + 0.5 * u()), null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("inputs are not mutated", () => {
    const before = [snapshot(yTrue), snapshot(yPred)];
    new ContrastiveLoss().valueAndGrad(yTrue, yPred, [1, 2, 3, 4]);
    expect([snapshot(yTrue), snapshot(yPred)]).toEqual(before);
  });
});

describe("ContrastiveLoss registry, config and errors", () => {
  it("getLoss by class name, TFA function name, camelCase", () => {
    expectRegistered(ContrastiveLoss, ["ContrastiveLoss", "contrastive_loss", "contrastiveLoss", "Addons>ContrastiveLoss", "Addons>contrastive_loss"]);
  });
  it("config round trip", () => {
    const loss = new ContrastiveLoss({ margin: 2, reduction: "sum", name: "cl" });
    expect(loss.getConfig()).toEqual({ name: "cl", reduction: "sum", dtype: "float32", margin: 2 });
    expectRoundTrip(loss, "ContrastiveLoss", Y_TRUE, Y_PRED);
  });
  it("bad options and shapes", () => {
    expect(() => new ContrastiveLoss({ margin: Number.POSITIVE_INFINITY })).toThrow(ConfigError);
    expect(() => new ContrastiveLoss({ margin: "1" as never })).toThrow("contrastive_loss: margin must be a finite number, received \"1\"");
    expect(() => contrastiveLoss([1, 0, 1], [0.5, 0.2])).toThrow(ShapeError);
  });
});
