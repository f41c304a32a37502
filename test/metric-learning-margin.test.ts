/**
 * TripletMarginLoss and QuadrupletLoss over side-by-side embeddings: the guides' triplet
 * losses (the Keras Siamese-network guide's formula, the FaceNet assignment's checks),
 * float64 references written from the formulas, and central-difference gradients.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  QuadrupletLoss,
  ShapeError,
  Tensor,
  TripletMarginLoss,
  deserializeLoss,
  getLoss,
  moveAxis,
  quadrupletLoss,
  serializeLoss,
  tripletMarginLoss,
  type Loss,
  type Reduction,
} from "../src/index";
import { expectClose, expectGradMatches, flat, rng, snapshot } from "./helpers";

const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

/** Rows [a | p | n] (or [a | p | n | n2]) from separate blocks. */
const side = (...blocks: number[][][]) => blocks[0]!.map((_, i) => blocks.flatMap((b) => b[i]!));

function dist(x: number[], y: number[], squared: boolean): number {
  const s = x.reduce((acc, v, k) => acc + (v - y[k]!) ** 2, 0);
  return squared ? s : Math.sqrt(s);
}

/** The guide's / PyTorch's formula in float64, from separate a, p, n blocks. */
function tripletReference(a: number[][], p: number[][], n: number[][], margin: number, squared: boolean, swap = false): number[] {
  return a.map((ai, i) => {
    let dn = dist(ai, n[i]!, squared);
    if (swap) dn = Math.min(dn, dist(p[i]!, n[i]!, squared));
    return Math.max(dist(ai, p[i]!, squared) - dn + margin, 0);
  });
}

function quadrupletReference(a: number[][], p: number[][], n: number[][], n2: number[][], margin: number, second: number, squared: boolean): number[] {
  return a.map((ai, i) => {
    const dap = dist(ai, p[i]!, squared);
    return Math.max(dap - dist(ai, n[i]!, squared) + margin, 0) + Math.max(dap - dist(n[i]!, n2[i]!, squared) + second, 0);
  });
}

function block(rows: number, dim: number, random: () => number, scale = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: dim }, () => scale * (2 * random() - 1)));
}

describe("tripletMarginLoss: the guides' triplet losses", () => {
  // The checks of the deeplearning.ai face-recognition assignment's triplet_loss(y_true, y_pred, alpha):
  // squared distances, reduce_sum over the batch = { squared: true, reduction: "sum" }.
  const facenet = (alpha: number) => new TripletMarginLoss({ margin: alpha, squared: true, reduction: "sum", dtype: "float64" });
  it("FaceNet assignment: perfect triplets, margins 5, 3, 0, -2, batch sums, axis -1 (also the class TSDoc example)", () => {
    expect(facenet(5)(0, side([[1, 1]], [[1, 1]], [[1, 1]]))).toBe(5);
    expect(facenet(3)(0, side([[1, 1]], [[1, 1]], [[0, 0]]))).toBe(1);
    expect(facenet(0)(0, side([[1, 1]], [[0, 0]], [[1, 1]]))).toBe(2);
    expect(facenet(-2)(0, side([[0, 0]], [[0, 0]], [[0, 0]]))).toBe(0);
    expect(facenet(3)(0, side([[1, 0], [1, 0]], [[1, 0], [1, 0]], [[0, 1], [0, 1]]))).toBe(2);
    expect(facenet(1)(0, side([[1, 1], [2, 0]], [[0, 3], [1, 1]], [[1, 0], [0, 1]]))).toBe(5);
    expect(new TripletMarginLoss({ margin: 1, squared: true, reduction: "sum" })(0, [[1, 1, 0, 3, 1, 0], [2, 0, 1, 1, 0, 1]])).toBe(5);
  });

  it("the Keras Siamese-network guide: max(‖a−p‖² − ‖a−n‖² + 0.5, 0), reported as the batch mean", () => {
    const random = rng(1);
    const [a, p, n] = [block(16, 8, random), block(16, 8, random), block(16, 8, random)];
    const expected = tripletReference(a, p, n, 0.5, true);
    expect(expected.some((v) => v > 0) && expected.some((v) => v === 0)).toBe(true);
    expectClose(tripletMarginLoss(0, side(a, p, n), { margin: 0.5, squared: true, dtype: "float64" }), expected, { rtol: 1e-14, atol: 1e-15 });
    expectClose(new TripletMarginLoss({ margin: 0.5, squared: true })(0, side(a, p, n)), expected.reduce((s, v) => s + v) / 16, { rtol: 1e-6, atol: 1e-7 });
  });

  it("defaults (margin 1, Euclidean) and swap, against the formula; the TSDoc example", () => {
    const random = rng(2);
    const [a, p, n] = [block(12, 5, random), block(12, 5, random), block(12, 5, random)];
    expectClose(tripletMarginLoss(0, side(a, p, n), { dtype: "float64" }), tripletReference(a, p, n, 1, false), { rtol: 1e-14, atol: 1e-15 });
    expectClose(tripletMarginLoss(0, side(a, p, n), { swap: true, margin: 0.3, dtype: "float64" }), tripletReference(a, p, n, 0.3, false, true), { rtol: 1e-14, atol: 1e-15 });
    expect(tripletReference(a, p, n, 0.3, false, true)).not.toEqual(tripletReference(a, p, n, 0.3, false, false));
    expect(tripletMarginLoss(0, [[1, 1, 2, 0, 1, 0], [0, 0, 0, 1, 3, 4]], { margin: 1, squared: true }).toArray()).toEqual([2, 0]);
  });

  it("per-sample shape yPred.shape[:-1]; yTrue is not used; a rank-1 yPred is one sample", () => {
    const x = new Tensor(new Float64Array(2 * 3 * 6).map((_, i) => Math.sin(i)), [2, 3, 6]);
    expect(tripletMarginLoss([[1, 2, 3], [4, 5, 6]], x).shape).toEqual([2, 3]);
    expect(flat(tripletMarginLoss(7, x))).toEqual(flat(tripletMarginLoss(0, x)));
    expect(tripletMarginLoss(0, [0, 0, 3, 4, 0, 1]).shape).toEqual([]);
    expect(tripletMarginLoss(0, [0, 0, 3, 4, 0, 1]).item()).toBe(5);
  });
});

describe("quadrupletLoss", () => {
  it("the TSDoc examples by hand", () => {
    expect(quadrupletLoss(0, [[0, 0, 1, 0, 0, 1, 0, 2]]).toArray()).toEqual([1.5]);
    expect(new QuadrupletLoss()(0, [[0, 0, 1, 0, 0, 1, 0, 2], [0, 0, 0, 1, 3, 0, 3, 4]])).toBe(0.75);
  });
  it("against the formula, squared and Euclidean, several margins", () => {
    const random = rng(3);
    const [a, p, n, n2] = [block(20, 4, random), block(20, 4, random), block(20, 4, random), block(20, 4, random)];
    for (const [margin, second, squared] of [[1, 0.5, true], [0.2, 0.1, false], [2, -0.5, true]] as const) {
      const expected = quadrupletReference(a, p, n, n2, margin, second, squared);
      expectClose(quadrupletLoss(0, side(a, p, n, n2), { margin, secondMargin: second, squared, dtype: "float64" }), expected, { rtol: 1e-14, atol: 1e-15 });
      expectClose(quadrupletLoss(0, side(a, p, n, n2), { margin, secondMargin: second, squared }), expected, { rtol: 1e-6, atol: 1e-6 });
    }
  });
});

describe("margin losses: gradients match float64 central differences", () => {
  const bound = { rtol: 1e-6, atol: 1e-9 };
  const random = rng(4);
  const x3 = new Tensor(new Float64Array(block(9, 12, random).flat()), [9, 12]);
  const x4 = new Tensor(new Float64Array(block(9, 16, random).flat()), [9, 16]);
  const weights = [1, 2, 0.5, 0, 3, 1, 1, 2, 1];

  it("triplet: every reduction, squared or not, swap or not", () => {
    for (const reduction of REDUCTIONS) {
      for (const squared of [false, true]) {
        for (const swap of [false, true]) expectGradMatches(new TripletMarginLoss({ reduction, squared, swap, margin: 0.8, dtype: "float64" }), 0, x3, null, bound);
      }
    }
  });

  it("quadruplet: every reduction, squared or not", () => {
    for (const reduction of REDUCTIONS) {
      for (const squared of [true, false]) expectGradMatches(new QuadrupletLoss({ reduction, squared, margin: 0.7, secondMargin: 0.3, dtype: "float64" }), 0, x4, null, bound);
    }
  });

  it("sampleWeight (scalar, per sample), a mask, a rank-3 yPred with per-sample weights [batch]", () => {
    for (const loss of [new TripletMarginLoss({ dtype: "float64" }), new TripletMarginLoss({ dtype: "float64", reduction: "mean_with_sample_weight" })] as Loss[]) {
      expectGradMatches(loss, 0, x3, 2.5, bound);
      expectGradMatches(loss, 0, x3, weights, bound);
      expectGradMatches(loss, 0, x3, weights, { ...bound, mask: [1, 1, 0, 1, 1, 1, 0, 1, 1] });
    }
    expectGradMatches(new QuadrupletLoss({ dtype: "float64" }), 0, x4, weights, bound);
    const x = new Tensor(new Float64Array(block(6, 9, random).flat()), [2, 3, 9]);
    expectGradMatches(new TripletMarginLoss({ dtype: "float64", reduction: "sum" }), 0, x, [2, 0.5], bound);
    expectGradMatches(new TripletMarginLoss({ dtype: "float64" }), 0, x, [[1, 2, 3], [0, 1, 1]], bound);
  });

  it("float32 (bound 1e-4 relative)", () => {
    expectGradMatches(new TripletMarginLoss({ swap: true }), 0, x3, null, { rtol: 1e-4, atol: 1e-6, step: 1e-4 });
    expectGradMatches(new QuadrupletLoss(), 0, x4, null, { rtol: 1e-4, atol: 1e-6, step: 1e-4 });
  });

  it("kinks by hand: a zero Euclidean distance contributes 0; a hinge of exactly 0 passes; a swap tie splits in half", () => {
    // a = p: d(a,p) = 0 (no derivative: 0); d(a,n) = 1; hinge = 0 - 1 + 1 = 0: passes, -d(a,n) gives a: -(a-n)/1, n: +(a-n)
    const g = new TripletMarginLoss({ reduction: "sum", dtype: "float64" }).grad(0, [[0, 0, 0, 0, 1, 0]]);
    expect(flat(g)).toEqual([1, 0, 0, 0, -1, 0]);
    // swap tie: a = [0,0], p = [2,0], n = [1,0]: d(a,n) = d(p,n) = 1; d(a,p) = 2; hinge 2 - 1 + 1 = 2
    // d(a,p): a -1, p +1; -½ d(a,n): a +½, n -½; -½ d(p,n): p -½, n +½
    const gs = new TripletMarginLoss({ swap: true, reduction: "sum", dtype: "float64" }).grad(0, [[0, 0, 2, 0, 1, 0]]);
    expect(flat(gs)).toEqual([-0.5, 0, 0.5, 0, 0, 0]);
  });

  it("a NaN sample: NaN value and gradient for that sample only", () => {
    const loss = new TripletMarginLoss({ reduction: "none", dtype: "float64" });
    const x = [[0, 0, 1, 0, 0, 1], [0, NaN, 1, 0, 0, 1]];
    expect(flat(loss(0, x) as Tensor).map(Number.isNaN)).toEqual([false, true]);
    expect(flat(loss.grad(0, x)).map(Number.isNaN)).toEqual([false, false, false, false, false, false, true, true, true, true, true, true]);
    expect(Number.isNaN(flat(new QuadrupletLoss({ reduction: "none" }).grad(0, [[0, NaN, 1, 0, 0, 1, 0, 2]]))[0]!)).toBe(true);
  });

  it("a strided yPred gives the same values and gradients; inputs are not mutated", () => {
    const base = new Tensor(new Float64Array(flat(moveAxis(x3, 0, 1))), [12, 9]);
    const view = moveAxis(base, 0, 1);
    const before = snapshot(base);
    expectClose(tripletMarginLoss(0, view, { swap: true }), flat(tripletMarginLoss(0, x3, { swap: true })), { rtol: 0, atol: 0 });
    expectClose(tripletMarginLoss.vjp(0, view, new Tensor(new Float64Array(weights), [9]), { swap: true }), flat(tripletMarginLoss.vjp(0, x3, new Tensor(new Float64Array(weights), [9]), { swap: true })), { rtol: 0, atol: 0 });
    const ones = new Tensor(new Float64Array(9).fill(1), [9]);
    expectClose(quadrupletLoss.vjp(0, moveAxis(new Tensor(new Float64Array(flat(moveAxis(x4, 0, 1))), [16, 9]), 0, 1), ones), flat(quadrupletLoss.vjp(0, x4, ones)), { rtol: 0, atol: 0 });
    expect(snapshot(base)).toEqual(before);
  });
});

describe("margin losses: registry, config, errors", () => {
  for (const [name, cls] of [
    ["TripletMarginLoss", TripletMarginLoss],
    ["triplet_margin_loss", TripletMarginLoss],
    ["tripletMarginLoss", TripletMarginLoss],
    ["QuadrupletLoss", QuadrupletLoss],
    ["quadruplet_loss", QuadrupletLoss],
    ["quadrupletLoss", QuadrupletLoss],
  ] as const) {
    it(`getLoss("${name}") gives a reducing instance`, () => {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(cls);
      expect(loss.reduction).toBe("sum_over_batch_size");
    });
  }

  it("config round trips, snake_case JSON", () => {
    const triplet = new TripletMarginLoss({ margin: 0.2, squared: true, swap: true, reduction: "sum", dtype: "float64" });
    expect(triplet.getConfig()).toEqual({ name: "triplet_margin_loss", reduction: "sum", dtype: "float64", margin: 0.2, squared: true, swap: true });
    const quad = new QuadrupletLoss({ secondMargin: 0.1, name: "q" });
    expect(quad.getConfig()).toEqual({ name: "q", reduction: "sum_over_batch_size", dtype: "float32", margin: 1, secondMargin: 0.1, squared: true });
    for (const loss of [triplet, quad] as Loss[]) {
      expect(deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss)))).getConfig()).toEqual(loss.getConfig());
      expect((loss.constructor as typeof TripletMarginLoss).fromConfig(loss.getConfig()).getConfig()).toEqual(loss.getConfig());
    }
    expect(deserializeLoss({ class_name: "QuadrupletLoss", config: { second_margin: 0.25 } }).getConfig()).toMatchObject({ secondMargin: 0.25 });
  });

  it("errors", () => {
    expect(() => tripletMarginLoss(0, [[1, 2, 3, 4]])).toThrow("triplet_margin_loss: yPred must hold [anchor | positive | negative] embeddings on its last axis (a positive multiple of 3), received shape [1,4]");
    expect(() => tripletMarginLoss(0, 5)).toThrow(ShapeError);
    expect(() => tripletMarginLoss(0, new Tensor(new Float32Array(0), [2, 0]))).toThrow(ShapeError);
    expect(() => quadrupletLoss(0, [[1, 2, 3, 4, 5, 6]])).toThrow("quadruplet_loss: yPred must hold [anchor | positive | negative | negative2] embeddings on its last axis (a positive multiple of 4), received shape [1,6]");
    expect(() => new TripletMarginLoss({ margin: "1" as never })).toThrow("triplet_margin_loss: margin must be a finite number");
    expect(() => new TripletMarginLoss({ swap: 1 as never })).toThrow("triplet_margin_loss: swap must be a boolean");
    expect(() => new QuadrupletLoss({ secondMargin: NaN })).toThrow("quadruplet_loss: secondMargin must be a finite number, received NaN");
    expect(() => new QuadrupletLoss({ second_margin: 1 } as never)).toThrow(ConfigError);
    expect(() => new TripletMarginLoss({ reduction: "avg" as never })).toThrow("Invalid value for argument reduction");
  });
});
