import { describe, expect, it } from "vitest";
import { ConfigError, Dice, FBeta, Jaccard, ShapeError, Tensor, fBeta, jaccard, moveAxis, type Loss } from "../src/index";
import { expectClose, expectGradMatches, flat, snapshot } from "./helpers";
import { expectGradsEverywhere, expectRegistered, expectRoundTrip, filled } from "./beyond-helpers";

/** Independent float64 references over flat lists of (t, p) pairs. */
function referenceJaccard(t: number[], p: number[], smooth = 0, eps = 1e-7): number {
  let i = 0, st = 0, sp = 0;
  t.forEach((v, k) => ((i += v * p[k]!), (st += v), (sp += p[k]!)));
  return 1 - (i + smooth) / (st + sp - i + smooth + eps);
}
function referenceFBeta(t: number[], p: number[], beta = 1, eps = 1e-7): number {
  let tp = 0, fp = 0, fn = 0;
  t.forEach((v, k) => ((tp += v * p[k]!), (fp += (1 - v) * p[k]!), (fn += v * (1 - p[k]!))));
  const precision = tp / (tp + fp + eps), recall = tp / (tp + fn + eps);
  return 1 - ((1 + beta * beta) * precision * recall) / (beta * beta * precision + recall + eps);
}

// Keras's Dice docstring inputs ([2, 2, 2, 1]).
const SEG_TRUE = [[[[1], [1]], [[0], [0]]], [[[1], [1]], [[0], [0]]]];
const SEG_PRED = [[[[0], [1]], [[0], [1]]], [[[0.4], [0]], [[0], [0.9]]]];

describe("Jaccard", () => {
  it("TSDoc examples", () => {
    expectClose(jaccard([[1, 1, 0, 0]], [[0.5, 1, 0.5, 0]]).item(), 0.4, { rtol: 1e-6, atol: 0 });
    expectClose(jaccard([[1, 1, 0, 0], [0, 1, 1, 0]], [[1, 1, 0, 0], [1, 0, 0, 0]], { axis: -1 }), [5e-8, 1], { rtol: 1e-6, atol: 1e-8 });
    expectClose(new Jaccard({ axis: -1 })([[1, 1, 0, 0], [0, 1, 1, 0]], [[1, 1, 0, 0], [1, 0, 0, 0]]), 0.5, { rtol: 1e-6, atol: 0 });
  });
  it("agrees with Keras's documented Dice through J = d / (2 - d) on binary masks", () => {
    // Keras: Dice()(SEG_TRUE, SEG_PRED) = 0.6164384; for binary yTrue, I/(S - I) = d / (2 - d) with d = 2I/S.
    // SEG_PRED is not binary, but the identity holds for any yPred: J = I / (St + Sp - I), d = 2I / (St + Sp).
    const d = 1 - 0.6164384;
    expectClose(new Jaccard()(SEG_TRUE, SEG_PRED), 1 - d / (2 - d), { rtol: 1e-6, atol: 0 });
    expectClose(new Dice()(SEG_TRUE, SEG_PRED), 0.6164384, { rtol: 1e-6, atol: 0 });
    // per image (Keras's axis [1, 2, 3] example: Dice [0.5, 0.75757575])
    const perImage = [0.5, 0.75757575].map((loss) => 1 - (1 - loss) / (2 - (1 - loss)));
    expectClose(new Jaccard({ axis: [1, 2, 3], reduction: "none" })(SEG_TRUE, SEG_PRED), perImage, { rtol: 1e-6, atol: 0 });
  });
  it("default axis null sums every axis (one value), axis picks the summed axes, smooth", () => {
    const t = filled([3, 4, 5], 1, (u) => (u() < 0.4 ? 1 : 0));
    const p = filled([3, 4, 5], 2, (u) => u());
    const all = jaccard(t, p, { dtype: "float64" });
    expect(all.shape).toEqual([]);
    expectClose(all.item(), referenceJaccard(flat(t), flat(p)), { rtol: 1e-14, atol: 0 });
    const perSample = jaccard(t, p, { axis: [1, 2], smooth: 1, dtype: "float64" });
    expect(perSample.shape).toEqual([3]);
    expectClose(perSample, [0, 1, 2].map((b) => referenceJaccard(flat(t).slice(20 * b, 20 * b + 20), flat(p).slice(20 * b, 20 * b + 20), 1)), { rtol: 1e-14, atol: 0 });
    // channels axis 1 of a [3, 4, 5] input: sums over axis 1 only -> [3, 5]
    const along1 = jaccard(t, p, { axis: 1, dtype: "float64" });
    expect(along1.shape).toEqual([3, 5]);
    const pick = (x: Tensor, b: number, c: number) => [0, 1, 2, 3].map((k) => x.data[b * 20 + k * 5 + c]!);
    expectClose(along1, [0, 1, 2].map((b) => [0, 1, 2, 3, 4].map((c) => referenceJaccard(pick(t, b, c), pick(p, b, c)))), { rtol: 1e-14, atol: 0 });
    // empty masks with smooth 1: 1 - 1 / (1 + eps) = ~0
    expectClose(jaccard([[0, 0]], [[0, 0]], { smooth: 1, dtype: "float64" }).item(), 1 - 1 / (1 + 1e-7), { rtol: 1e-9, atol: 0 });
  });
  it("broadcasting: the sums run over the aligned pairs", () => {
    const t = [[1, 0, 1]];
    const p = [[0.2, 0.6, 0.9], [0.8, 0.1, 0.3]];
    expectClose(jaccard(t, p, { dtype: "float64" }).item(), referenceJaccard([1, 0, 1, 1, 0, 1], flat(p)), { rtol: 1e-14, atol: 0 });
  });
});

describe("FBeta", () => {
  it("the guide's soft F1: y [1, 0, 1, 0], p [0.8, 0.3, 0.4, 0.7] gives tp 1.2, fp 1.0, fn 0.8", () => {
    // stats.stackexchange.com/questions/554907: tp = 1.2, fp = 1.0, fn = 0.8 -> F1 = 2 tp / (2 tp + fp + fn)
    expectClose(fBeta([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.7]).item(), 1 - (2 * 1.2) / (2 * 1.2 + 1.0 + 0.8), { rtol: 1e-6, atol: 0 });
  });
  it("0/1 predictions: Keras's F1Score and FBetaScore docstrings (threshold 0.5, per class = axis 0)", () => {
    const yTrue = [[1, 1, 1], [1, 0, 0], [1, 1, 0]];
    const yPred = [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]];
    const thresholded = yPred.map((row) => row.map((v) => (v > 0.5 ? 1 : 0)));
    // keras.metrics.F1Score(threshold=0.5): [0.5, 0.8, 0.6666667]
    expectClose(fBeta(yTrue, thresholded, { axis: 0 }), [0.5, 0.8, 0.6666667].map((f) => 1 - f), { rtol: 1e-6, atol: 1e-7 });
    // keras.metrics.FBetaScore(beta=2.0, threshold=0.5): [0.3846154, 0.90909094, 0.8333332] (also the TSDoc examples)
    expectClose(fBeta(yTrue, thresholded, { beta: 2, axis: 0 }), [0.3846154, 0.90909094, 0.8333332].map((f) => 1 - f), { rtol: 1e-6, atol: 2e-7 });
    expectClose(new FBeta({ beta: 2, axis: 0, reduction: "none" })(yTrue, thresholded), [0.6153846, 0.0909092, 0.1666668], { rtol: 1e-6, atol: 0 });
  });
  it("float64 values against the reference: betas, axes", () => {
    const t = filled([4, 6], 3, (u) => (u() < 0.5 ? 1 : 0));
    const p = filled([4, 6], 4, (u) => u());
    for (const beta of [0.5, 1, 2, 3]) {
      expectClose(fBeta(t, p, { beta, dtype: "float64" }).item(), referenceFBeta(flat(t), flat(p), beta), { rtol: 1e-14, atol: 0 });
      expectClose(fBeta(t, p, { beta, axis: -1, dtype: "float64" }), [0, 1, 2, 3].map((r) => referenceFBeta(flat(t).slice(6 * r, 6 * r + 6), flat(p).slice(6 * r, 6 * r + 6), beta)), { rtol: 1e-14, atol: 0 });
    }
    // a row without positives and without predictions: 0 / eps = 0 -> loss 1
    expect(flat(fBeta([[0, 0]], [[0, 0]], { axis: -1, dtype: "float64" }))).toEqual([1]);
  });
});

describe("Jaccard and FBeta gradients (float64 central differences)", () => {
  const t = filled([3, 4, 5], 5, (u, i) => (i % 5 === 0 ? u() : u() < 0.5 ? 0 : 1));
  const p = filled([3, 4, 5], 6, (u) => 0.05 + 0.9 * u());
  const cases: [string, (o: Record<string, unknown>) => Loss, number[]][] = [
    ["Jaccard (axis null)", (o) => new Jaccard(o), []],
    ["Jaccard (axis [1, 2], smooth 1)", (o) => new Jaccard({ ...o, axis: [1, 2], smooth: 1 }), [3]],
    ["Jaccard (axis -1)", (o) => new Jaccard({ ...o, axis: -1 }), [3, 4]],
    ["FBeta (axis null)", (o) => new FBeta(o), []],
    ["FBeta (beta 2, axis 1)", (o) => new FBeta({ ...o, beta: 2, axis: 1 }), [3, 5]],
    ["FBeta (beta 0.5, axis -1)", (o) => new FBeta({ ...o, beta: 0.5, axis: -1 }), [3, 4]],
  ];
  for (const [name, make, shape] of cases) {
    it(`${name}: every reduction, sample weights, mask, float32`, () => {
      expectGradsEverywhere(make, t, p, shape);
    });
  }
  it("strided views and broadcasting", () => {
    const view = moveAxis(p, 2, 1); // [3, 5, 4], non-contiguous
    const tv = moveAxis(t, 2, 1);
    expectGradMatches(new Jaccard({ axis: 1, dtype: "float64" }), tv, view, null, { rtol: 1e-6, atol: 1e-8 });
    expectGradMatches(new FBeta({ axis: [1, 2], beta: 2, dtype: "float64" }), tv, view, null, { rtol: 1e-6, atol: 1e-8 });
    const row = filled([5], 7, (u) => 0.1 + 0.8 * u());
    expectGradMatches(new Jaccard({ dtype: "float64", axis: -1 }), t, row, null, { rtol: 1e-6, atol: 1e-8 });
    expectGradMatches(new FBeta({ dtype: "float64", axis: -1 }), t, row, null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("inputs are not mutated", () => {
    const before = [snapshot(t), snapshot(p)];
    new Jaccard().valueAndGrad(t, p);
    new FBeta().valueAndGrad(t, p);
    expect([snapshot(t), snapshot(p)]).toEqual(before);
  });
});

describe("Jaccard and FBeta registry, config and errors", () => {
  it("getLoss by class name, function name (snake_case and camelCase)", () => {
    expectRegistered(Jaccard, ["Jaccard", "jaccard"]);
    expectRegistered(FBeta, ["FBeta", "f_beta", "fBeta"]);
  });
  it("config round trips", () => {
    const j = new Jaccard({ axis: [1, 2], smooth: 1, reduction: "sum", name: "iou" });
    expect(j.getConfig()).toEqual({ name: "iou", reduction: "sum", dtype: "float32", axis: [1, 2], smooth: 1 });
    expectRoundTrip(j, "Jaccard", SEG_TRUE, SEG_PRED);
    const f = new FBeta({ beta: 2, axis: 0 });
    expect(f.getConfig()).toEqual({ name: "f_beta", reduction: "sum_over_batch_size", dtype: "float32", beta: 2, axis: 0 });
    expectRoundTrip(f, "FBeta", [[1, 0], [0, 1]], [[0.7, 0.2], [0.4, 0.9]]);
    expectRoundTrip(new Jaccard(), "Jaccard", SEG_TRUE, SEG_PRED);
  });
  it("bad options and shapes", () => {
    expect(() => new Jaccard({ smooth: -1 })).toThrow("jaccard: smooth must be >= 0, received -1");
    expect(() => new Jaccard({ axis: 0.5 })).toThrow(/axis must be an integer/);
    expect(() => new Jaccard({ axis: "all" as never })).toThrow(ConfigError);
    expect(() => new FBeta({ beta: 0 })).toThrow("f_beta: beta must be > 0, received 0");
    expect(() => new FBeta({ beta: Number.NaN })).toThrow(ConfigError);
    expect(() => jaccard([[1, 2, 3]], [[1, 2]])).toThrow(ShapeError);
    expect(() => fBeta([[1, 0]], [[0.5, 0.5]], { axis: 2 })).toThrow(ShapeError);
    expect(() => fBeta([[1, 0]], [[0.5, 0.5]], { axis: [1, -1] })).toThrow(/names axis 1 twice/);
  });
});
