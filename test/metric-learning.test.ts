/**
 * Metric learning: TensorFlow Addons' `pairwise_distance`/`angular_distance` and triplet
 * losses. Expected values come from TFA's docstrings and metric_test.py, from hand
 * computations, and from ports of TFA's NumPy references (test/metric-learning-reference.ts)
 * run on seeded random inputs, with TFA's tolerances (`assert_allclose_according_to_type`:
 * rtol = atol = 1e-6 for float32).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ConfigError,
  GradientNotImplementedError,
  InputError,
  LossFunctionWrapper,
  ShapeError,
  Tensor,
  TripletHardLoss,
  TripletSemiHardLoss,
  angularDistance,
  deserializeLoss,
  getLoss,
  moveAxis,
  ops,
  pairwiseDistance,
  serializeLoss,
  tripletHardLoss,
  tripletSemihardLoss,
  type DistanceFunction,
  type Loss,
} from "../src/index";
import { expectClose, expectGradMatches, flat, rng, snapshot } from "./helpers";
import {
  angularDistanceNp,
  matrix64,
  pairwiseDistanceNp,
  randomEmbedding,
  randomLabels,
  tripletHardLossNp,
  tripletSemihardLossNp,
  type Matrix,
} from "./metric-learning-reference";
import { BUILTIN_LOSSES } from "../src/losses/index";

const TFA = { rtol: 1e-6, atol: 1e-6 };
const METRICS = [
  ["angular", angularDistanceNp],
  ["squared-L2", (x: Matrix) => pairwiseDistanceNp(x, true)],
  ["L2", (x: Matrix) => pairwiseDistanceNp(x, false)],
] as const;

/** x xᵀ, TFA's docstring's callable distance_metric. */
const gram: DistanceFunction = (x) => ops.sum(ops.multiply(ops.expandDims(x, 1), ops.expandDims(x, 0)), -1);

describe("pairwiseDistance (TFA metric_test.py)", () => {
  it("test_zero_distance: equal embeddings are at distance 0", () => {
    const d = pairwiseDistance([[1.0, 0.5], [1.0, 0.5]]);
    expectClose(flat(d).reduce((a, b) => a + b, 0), 0, TFA);
    expect(flat(d)).toEqual([0, 0, 0, 0]);
  });
  it("test_positive_distances: 1 + 2e-7·U[0,1) rows (cancellation bait) give distances >= 0, zero diagonal", () => {
    const random = rng(7);
    const e = new Float32Array(64 * 6).map(() => 1 + 2e-7 * random());
    const d = pairwiseDistance(new Tensor(e, [64, 6]));
    expect(d.shape).toEqual([64, 64]);
    for (const v of flat(d)) expect(v).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 64; i++) expect(d.get(i, i)).toBe(0);
  });
  it("test_correct_distance and test_correct_distance_squared (also the TSDoc examples)", () => {
    expectClose(pairwiseDistance([[0.5, 0.5], [1.0, 1.0]]), [[0, Math.SQRT2 / 2], [Math.SQRT2 / 2, 0]], TFA);
    expectClose(pairwiseDistance([[0.5, 0.5], [1.0, 1.0]], { squared: true }), [[0, 0.5], [0.5, 0]], TFA);
    expect(pairwiseDistance([[0.5, 0.5], [1.0, 1.0]]).toArray()).toEqual([[0, Math.fround(Math.SQRT1_2)], [Math.fround(Math.SQRT1_2), 0]]);
  });
  it("matches the NumPy reference in float64; dtype follows the input or the option", () => {
    const x = randomEmbedding(9, 5, 3);
    expectClose(pairwiseDistance(matrix64(x)), pairwiseDistanceNp(x), { rtol: 1e-14, atol: 1e-15 });
    expectClose(pairwiseDistance(x, { squared: true, dtype: "float64" }), pairwiseDistanceNp(x, true), { rtol: 1e-14, atol: 1e-15 });
    expect(pairwiseDistance(x).data).toBeInstanceOf(Float32Array);
    expect(pairwiseDistance(matrix64(x)).data).toBeInstanceOf(Float64Array);
  });
  it("a strided view gives the same matrix; the input is not mutated", () => {
    const base = matrix64(randomEmbedding(4, 6, 5)); // read as [6 samples, 4 dims] through a transpose
    const view = moveAxis(base, 0, 1);
    const before = snapshot(base);
    expectClose(pairwiseDistance(view), flat(pairwiseDistance(new Tensor(view.toTypedArray(), view.shape))), { rtol: 0, atol: 0 });
    expect(snapshot(base)).toEqual(before);
  });
  it("errors name the argument", () => {
    expect(() => pairwiseDistance([1, 2, 3])).toThrow("embeddings must hold embeddings of shape [batch, dim], received shape [3]");
    expect(() => pairwiseDistance([[1, 2]], { squared: 1 as never })).toThrow("pairwiseDistance: squared must be a boolean, received 1");
    expect(() => pairwiseDistance([[1, 2]], { square: true } as never)).toThrow("square is not an option of pairwiseDistance");
    expect(() => pairwiseDistance([[1, 2]], { dtype: "int32" as never })).toThrow(ConfigError);
  });
});

describe("angularDistance", () => {
  it("the TSDoc example: 1 - cosine similarity", () => {
    expect(angularDistance([[1, 0], [0, 2], [-3, 0]]).toArray()).toEqual([[0, 1, 2], [1, 0, 1], [2, 1, 0]]);
  });
  it("matches TFA's NumPy reference (clamped at 0: the reference's -1e-16 diagonal becomes 0)", () => {
    const x = randomEmbedding(8, 6, 11);
    const expected = angularDistanceNp(x).map((row) => row.map((v) => Math.max(v, 0)));
    expectClose(angularDistance(matrix64(x)), expected, { rtol: 1e-12, atol: 1e-15 });
  });
  it("an all-zero row is at distance 1 from everything, itself included (l2_normalize's epsilon)", () => {
    expect(angularDistance([[0, 0], [1, 0]]).toArray()).toEqual([[1, 1], [1, 0]]);
  });
});

describe("tripletSemihardLoss: TFA values", () => {
  it("docstring: L2 gives 2.4142137; the callable x xᵀ gives 1.0 (also the TSDoc examples)", () => {
    expectClose(tripletSemihardLoss([0, 0], [[0.0, 1.0], [1.0, 0.0]], { distanceMetric: "L2" }), 2.4142137, TFA);
    expect(tripletSemihardLoss([0, 0], [[0, 1], [1, 0]]).item()).toBe(Math.fround(1 + Math.SQRT2));
    expect(tripletSemihardLoss([0, 0], [[0, 1], [1, 0]]).shape).toEqual([]);
    expectClose(tripletSemihardLoss([0, 0], [[0.0, 1.0], [1.0, 0.0]], { distanceMetric: gram }), 1.0, TFA);
    expect(new TripletSemiHardLoss()([0, 0], [[0, 1], [1, 0]])).toBe(Math.fround(1 + Math.SQRT2));
  });

  for (const [metric, distFunc] of METRICS) {
    it(`test_semihard_tripled_loss_angular[${metric}]: NumPy reference, 10 × 6 embeddings, 4 classes, 8 seeds, float32 and float64`, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const embedding = randomEmbedding(10, 6, seed);
        const labels = randomLabels(10, 4, 100 + seed);
        const expected = tripletSemihardLossNp(labels, embedding, 1.0, distFunc);
        expectClose(new TripletSemiHardLoss({ distanceMetric: metric })(labels, embedding), expected, TFA);
        expectClose(new TripletSemiHardLoss({ distanceMetric: metric, dtype: "float64" })(labels, embedding), expected, { rtol: 1e-12, atol: 1e-12 });
      }
    });
  }

  it("margins 0.2, 0 and -0.5 against the NumPy reference", () => {
    const embedding = randomEmbedding(12, 4, 21);
    const labels = randomLabels(12, 3, 22);
    for (const margin of [0.2, 0, -0.5]) {
      expectClose(tripletSemihardLoss(labels, embedding, { margin, dtype: "float64" }), tripletSemihardLossNp(labels, embedding, margin, pairwiseDistanceNp), { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("TFA's mining rule by hand: the nearest negative strictly farther than the positive, the margin takes no part; else the farthest", () => {
    // 1-D points: A (label 0) at 0, P (0) at 1, N1 (1) at 0.5, N2 (1) at 2.5.
    // (A,P): d 1, negatives 0.5, 2.5 -> 2.5 (not the harder 0.5, and although 2.5 > d + margin): hinge -0.5 -> 0
    // (P,A): d 1, negatives 0.5, 1.5 -> 1.5: 0.5;  (N1,N2): d 2, negatives 0.5, 0.5 -> none farther, farthest 0.5: 2.5
    // (N2,N1): d 2, negatives 2.5, 1.5 -> 2.5: 0.5;  mean over the 4 ordered pairs: 3.5 / 4
    const labels = [0, 0, 1, 1];
    const x = [[0], [1], [0.5], [2.5]];
    expect(tripletSemihardLoss(labels, x, { dtype: "float64" }).item()).toBe(0.875);
    // margin 0.2: only (N1,N2) is active: 1.7 / 4
    expectClose(tripletSemihardLoss(labels, x, { margin: 0.2, dtype: "float64" }), 0.425, { rtol: 1e-15, atol: 0 });
  });

  it("labels of shape [B, 1] and any integers (negative ones too)", () => {
    const embedding = randomEmbedding(10, 6, 31);
    const labels = randomLabels(10, 4, 32);
    const expected = tripletSemihardLossNp(labels, embedding, 1, pairwiseDistanceNp);
    expectClose(tripletSemihardLoss(labels.map((l) => [l]), embedding), expected, TFA);
    expectClose(tripletSemihardLoss(labels.map((l) => -7 * l - 3), embedding), expected, TFA);
  });

  it("a one-class batch has no negative: each pair uses the row minimum (0 for L2): margin + mean d_ap", () => {
    const x = [[0, 0], [3, 4], [6, 8]];
    // ordered pairs: d = 5, 10, 5, 5, 10, 5 -> mean 20/3
    expectClose(tripletSemihardLoss([2, 2, 2], x, { dtype: "float64" }), 1 + 20 / 3, { rtol: 1e-15, atol: 0 });
  });

  it("a batch without a positive pair gives NaN (TFA divides 0 by 0), and a NaN gradient", () => {
    expect(tripletSemihardLoss([0, 1, 2], [[0, 1], [1, 0], [1, 1]]).item()).toBeNaN();
    expect(tripletSemihardLoss([0], [[0, 1]]).item()).toBeNaN();
    const { value, grad } = new TripletSemiHardLoss().valueAndGrad([0, 1, 2], [[0, 1], [1, 0], [1, 1]]);
    expect(value).toBeNaN();
    expect(flat(grad).every(Number.isNaN)).toBe(true);
  });

  it("a NaN or infinite embedding gives NaN, and a NaN gradient", () => {
    expect(tripletSemihardLoss([0, 0, 1], [[0, 1], [NaN, 0], [1, 1]]).item()).toBeNaN();
    expect(tripletSemihardLoss([0, 0, 1], [[0, 1], [Infinity, 0], [1, 1]], { distanceMetric: "angular" }).item()).toBeNaN();
    expect(flat(new TripletSemiHardLoss().grad([0, 0, 1], [[0, 1], [NaN, 0], [1, 1]])).every(Number.isNaN)).toBe(true);
    expect(tripletSemihardLoss([0, 0, 1], [[0, 1], [1, 0], [1, 1]], { distanceMetric: () => [[0, NaN, 1], [1, 0, 1], [1, 1, 0]] }).item()).toBeNaN();
  });

  it("ties: random small-integer embeddings (many equal distances) agree with the NumPy reference (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 14 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, dim, classes, seed) => {
        const random = rng(seed);
        const x = Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.floor(random() * 3)));
        const labels = randomLabels(n, classes, seed + 1);
        const hasPair = labels.some((l, i) => labels.some((m, j) => i !== j && l === m));
        if (!hasPair) return;
        for (const [metric, distFunc] of [["squared-L2", (m: Matrix) => pairwiseDistanceNp(m, true)], ["L2", pairwiseDistanceNp]] as const) {
          const got = tripletSemihardLoss(labels, x, { distanceMetric: metric, dtype: "float64" }).item();
          expectClose(got, tripletSemihardLossNp(labels, x, 1, distFunc), { rtol: 1e-12, atol: 1e-12 });
        }
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * TF's gradient of the semi-hard loss for L2 distances, written from TFA's graph: per
 * active ordered pair +1 on d_ap and -1 shared equally by the negatives tied at the chosen
 * distance (tf.reduce_min / reduce_max split ties), / #pairs; then through
 * d_ij = ‖x_i − x_j‖ (zero distances: no gradient).
 */
function semihardGradientReference(labels: number[], x: Matrix, margin: number): number[] {
  const n = x.length, dim = x[0]!.length;
  const d = pairwiseDistanceNp(x);
  const g = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let pairs = 0;
  for (let a = 0; a < n; a++) for (let p = 0; p < n; p++) if (p !== a && labels[p] === labels[a]) pairs++;
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const negs = [...Array(n).keys()].filter((k) => labels[k] !== labels[a]);
      const farther = negs.filter((k) => d[a]![k]! > d[a]![p]!);
      const pool = farther.length ? farther : negs;
      const target = farther.length ? Math.min(...pool.map((k) => d[a]![k]!)) : Math.max(...pool.map((k) => d[a]![k]!));
      if (margin + d[a]![p]! - target < 0) continue;
      const tied = pool.filter((k) => d[a]![k] === target);
      g[a]![p]! += 1 / pairs;
      for (const k of tied) g[a]![k]! -= 1 / pairs / tied.length;
    }
  }
  const out = new Array<number>(n * dim).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j || !(d[i]![j]! > 0)) continue;
      for (let k = 0; k < dim; k++) {
        const e = (g[i]![j]! * (x[i]![k]! - x[j]![k]!)) / d[i]![j]!;
        out[i * dim + k]! += e;
        out[j * dim + k]! -= e;
      }
    }
  }
  return out;
}

describe("tripletSemihardLoss: both mining paths (few positives: scans; many: sorted negatives)", () => {
  it("large classes (the sorted path) against the NumPy reference, random and tied embeddings", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const labels = randomLabels(48, 2, 300 + seed);
      const x = randomEmbedding(48, 5, 310 + seed);
      const tied = x.map((row) => row.map((v) => Math.floor(3 * v)));
      for (const [metric, distFunc] of METRICS) {
        expectClose(tripletSemihardLoss(labels, x, { distanceMetric: metric, dtype: "float64" }), tripletSemihardLossNp(labels, x, 1, distFunc), { rtol: 1e-12, atol: 1e-12 });
      }
      expectClose(tripletSemihardLoss(labels, tied, { dtype: "float64" }), tripletSemihardLossNp(labels, tied, 1, pairwiseDistanceNp), { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("the gradient follows TF's rule (ties share equally), small and large classes, tied integer embeddings (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 44 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, dim, classes, seed) => {
        const random = rng(seed);
        const x = Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.floor(random() * 4)));
        const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
        if (new Set(labels).size < 2 || !labels.some((l, i) => labels.some((m, j) => i !== j && l === m))) return;
        const margin = [1, 0.5, 2][seed % 3]!;
        const grad = tripletSemihardLoss.vjp(labels, x, 1, { margin, dtype: "float64" });
        expectClose(grad, semihardGradientReference(labels, x, margin), { rtol: 1e-12, atol: 1e-14 });
      }),
      { numRuns: 150 },
    );
    // Large classes of 1-D integer points: the sorted path with many ties.
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 50 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
        const random = rng(seed);
        const x = Array.from({ length: n }, () => [Math.floor(random() * 6)]);
        const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : Math.floor(random() * 2)));
        const grad = tripletSemihardLoss.vjp(labels, x, 1, { dtype: "float64" });
        expectClose(grad, semihardGradientReference(labels, x, 1), { rtol: 1e-12, atol: 1e-14 });
      }),
      { numRuns: 40 },
    );
  });

  it("central differences on the sorted path (30 samples, 2 classes)", () => {
    const x = embeddings(30, 3, 77);
    const labels = randomLabels(30, 2, 78);
    for (const distanceMetric of ["L2", "squared-L2", "angular"] as const) {
      expectGradMatches(new TripletSemiHardLoss({ distanceMetric, dtype: "float64" }), labels, x, null, { rtol: 1e-6, atol: 1e-8 });
    }
  });
});

describe("tripletHardLoss: TFA values", () => {
  it("docstring: L2 gives 1.0; the callable x xᵀ gives 0.0 (also the TSDoc example)", () => {
    expectClose(tripletHardLoss([0, 0], [[0.0, 1.0], [1.0, 0.0]], { distanceMetric: "L2" }), 1.0, TFA);
    expect(tripletHardLoss([0, 0], [[0, 1], [1, 0]]).item()).toBe(1);
    expectClose(tripletHardLoss([0, 0], [[0.0, 1.0], [1.0, 0.0]], { distanceMetric: gram }), 0.0, TFA);
    expect(new TripletHardLoss()([0, 0], [[0, 1], [1, 0]])).toBe(1);
  });

  for (const soft of [false, true]) {
    for (const [metric, distFunc] of METRICS) {
      it(`test_hard_tripled_loss_angular[soft=${soft}, ${metric}]: NumPy reference, 20 × 6 embeddings, 4 classes, 8 seeds`, () => {
        for (let seed = 1; seed <= 8; seed++) {
          const embedding = randomEmbedding(20, 6, 40 + seed);
          const labels = randomLabels(20, 4, 140 + seed);
          const expected = tripletHardLossNp(labels, embedding, 1.0, distFunc, soft);
          expectClose(new TripletHardLoss({ soft, distanceMetric: metric })(labels, embedding), expected, TFA);
          expectClose(new TripletHardLoss({ soft, distanceMetric: metric, dtype: "float64" })(labels, embedding), expected, { rtol: 1e-12, atol: 1e-12 });
        }
      });
    }
  }

  it("an anchor without a positive uses 0 and still counts in the mean over all anchors", () => {
    // 1-D: A (0) at 0, B (0) at 1, C (1) at 3 (C has no positive, its nearest negative is B at 2).
    // A: hp 1, hn 3 -> max(1 - 3 + 1, 0) = 0; B: hp 1, hn 2 -> 0; C: hp 0, hn 2 -> max(0 - 2 + 1, 0) = 0
    expect(tripletHardLoss([0, 0, 1], [[0], [1], [3]], { dtype: "float64" }).item()).toBe(0);
    // margin 3: A 1, B 2, C 1 -> 4/3
    expectClose(tripletHardLoss([0, 0, 1], [[0], [1], [3]], { margin: 3, dtype: "float64" }), 4 / 3, { rtol: 1e-15, atol: 0 });
    expectClose(tripletHardLoss([0, 0, 1], [[0], [1], [3]], { margin: 3 }), tripletHardLossNp([0, 0, 1], [[0], [1], [3]], 3, pairwiseDistanceNp), TFA);
  });

  it("soft is stable where TFA's log1p(exp(x)) overflows float32; a one-anchor batch uses 0 and the row maximum", () => {
    // Anchor 0's hp - hn is 199.5: exp(199.5) is Infinity in float32, not here.
    expect(Math.fround(Math.exp(199.5))).toBe(Infinity);
    const far = tripletHardLoss([0, 0, 1], [[0], [200], [0.5]], { soft: true }).item();
    expectClose(far, tripletHardLossNp([0, 0, 1], [[0], [200], [0.5]], 1, pairwiseDistanceNp, true), TFA);
    // one sample: no positive (row minimum 0), no negative (row maximum 0): max(0 - 0 + 1, 0)
    expect(tripletHardLoss([5], [[1, 2]]).item()).toBe(1);
    expect(tripletHardLoss([], new Tensor(new Float32Array(0), [0, 3])).item()).toBeNaN();
  });
});

/** `n` rows of `dim` values in [-1, 1) (not normalized: the L2 losses do not need it). */
function embeddings(n: number, dim: number, seed: number): Tensor {
  const random = rng(seed);
  return new Tensor(new Float64Array(n * dim).map(() => 2 * random() - 1), [n, dim]);
}

describe("triplet gradients match float64 central differences", () => {
  const bound = { rtol: 1e-6, atol: 1e-8 };
  const LABELS = [0, 1, 0, 2, 1, 2, 0, 1, 2, 0];

  it("semi-hard, every distance metric, margins 1 and 0.3", () => {
    const x = embeddings(10, 4, 1);
    for (const distanceMetric of ["L2", "squared-L2", "angular"] as const) {
      for (const margin of [1, 0.3]) expectGradMatches(new TripletSemiHardLoss({ distanceMetric, margin, dtype: "float64" }), LABELS, x, null, bound);
    }
  });

  it("hard and soft-hard, every distance metric", () => {
    const x = embeddings(10, 3, 2);
    for (const distanceMetric of ["L2", "squared-L2", "angular"] as const) {
      for (const soft of [false, true]) expectGradMatches(new TripletHardLoss({ distanceMetric, soft, margin: 0.5, dtype: "float64" }), LABELS, x, null, bound);
    }
  });

  it("one-class batches (the row-minimum rule) and anchors without positives", () => {
    const x = embeddings(5, 3, 3);
    expectGradMatches(new TripletSemiHardLoss({ dtype: "float64" }), [4, 4, 4, 4, 4], x, null, bound);
    expectGradMatches(new TripletSemiHardLoss({ dtype: "float64", distanceMetric: "angular" }), [4, 4, 4, 4, 4], x, null, bound);
    expectGradMatches(new TripletHardLoss({ dtype: "float64", margin: 3 }), [0, 0, 1, 2, 3], x, null, bound);
    expectGradMatches(new TripletHardLoss({ dtype: "float64", margin: 3, distanceMetric: "angular" }), [0, 0, 1, 2, 3], x, null, bound);
  });

  it("an embedding of norm below l2_normalize's sqrt(epsilon) = 1e-6 under the angular metric (scaled by 1e6, not normalized)", () => {
    const x = embeddings(6, 3, 4);
    x.data.set([2e-7, -3e-7, 1e-7], 6);
    expectGradMatches(new TripletSemiHardLoss({ dtype: "float64", distanceMetric: "angular" }), [0, 1, 0, 1, 2, 2], x, null, { ...bound, step: 1e-10 });
    expectGradMatches(new TripletHardLoss({ dtype: "float64", distanceMetric: "angular" }), [0, 1, 0, 1, 2, 2], x, null, { ...bound, step: 1e-10 });
  });

  it("sampleWeight: a scalar scales, a per-sample weight scales by its mean (reduction is fixed)", () => {
    const x = embeddings(10, 4, 5);
    const loss = new TripletSemiHardLoss({ dtype: "float64" });
    const value = loss(LABELS, x);
    const w = [0.5, 2, 1, 0, 3, 1.5, 1, 1, 2, 1];
    expectClose(loss(LABELS, x, 2.5), 2.5 * value, { rtol: 1e-15, atol: 0 });
    expectClose(loss(LABELS, x, w), (value * w.reduce((a, b) => a + b)) / w.length, { rtol: 1e-15, atol: 0 });
    expectGradMatches(loss, LABELS, x, 2.5, bound);
    expectGradMatches(loss, LABELS, x, w, bound);
    expectGradMatches(new TripletHardLoss({ dtype: "float64" }), LABELS, x, w, bound);
  });

  it("the tie rule by hand: negatives tied at the chosen distance share its gradient (tf.reduce_max/min)", () => {
    // The 1-D example above: N1's two negatives A and P are both at 0.5. Active pairs:
    // (P,A): d_PA - d_PN2, (N1,N2): d_N1N2 - (d_N1A + d_N1P)/2, (N2,N1): d_N2N1 - d_N2A, each / 4.
    const grad = new TripletSemiHardLoss({ dtype: "float64" }).grad([0, 0, 1, 1], [[0], [1], [0.5], [2.5]]);
    expect(flat(grad)).toEqual([0.125, 0.375, -0.5, 0]);
  });

  it("float32 losses (bound 1e-4: float32 values against float64 differences)", () => {
    const x = embeddings(10, 4, 6);
    expectGradMatches(new TripletSemiHardLoss(), LABELS, x, null, { rtol: 1e-4, atol: 1e-6, step: 1e-4 });
    expectGradMatches(new TripletHardLoss({ soft: true }), LABELS, x, null, { rtol: 1e-4, atol: 1e-6, step: 1e-4 });
  });

  it("a distance function with backward: gradients through it; without one: GradientNotImplementedError", () => {
    // squared distances written by hand, with their gradient: d(Σ u_ij |x_i - x_j|²)/dx_i = 2 Σ_j (u_ij + u_ji)(x_i - x_j)
    const squared: DistanceFunction = (e) => pairwiseDistance(e, { squared: true });
    squared.backward = (e, u) => {
      const [n, d] = e.shape as [number, number];
      const out = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const c = 2 * (u.get(i, j) + u.get(j, i));
          for (let k = 0; k < d; k++) out[i * d + k] += c * (e.get(i, k) - e.get(j, k));
        }
      }
      return new Tensor(out, [n, d]);
    };
    const x = embeddings(10, 4, 7);
    const custom = new TripletSemiHardLoss({ distanceMetric: squared, dtype: "float64" });
    expectGradMatches(custom, LABELS, x, null, bound);
    expectClose(custom.grad(LABELS, x), flat(new TripletSemiHardLoss({ distanceMetric: "squared-L2", dtype: "float64" }).grad(LABELS, x)), { rtol: 1e-12, atol: 1e-14 });
    expect(() => new TripletHardLoss({ distanceMetric: gram }).grad([0, 0], [[0, 1], [1, 0]])).toThrow(GradientNotImplementedError);
    expect(() => new TripletHardLoss({ distanceMetric: gram }).grad([0, 0], [[0, 1], [1, 0]])).toThrow("triplet_hard_loss: the distanceMetric function (gram) has no backward");
  });

  it("vjp of the handle equals the class gradient; a strided yPred gives the same values and gradients", () => {
    const x = embeddings(10, 4, 8);
    const view = moveAxis(new Tensor(new Float64Array(flat(moveAxis(x, 0, 1).toArray() as number[][])), [4, 10]), 0, 1);
    expectClose(tripletSemihardLoss.vjp(LABELS, x, 1, { dtype: "float64" }), flat(new TripletSemiHardLoss({ dtype: "float64" }).grad(LABELS, x)), { rtol: 0, atol: 0 });
    expectClose(tripletHardLoss(LABELS, view, { dtype: "float64" }), tripletHardLoss(LABELS, x, { dtype: "float64" }).item(), { rtol: 1e-15, atol: 0 });
    expectClose(tripletHardLoss.vjp(LABELS, view, 2, { dtype: "float64" }), flat(tripletHardLoss.vjp(LABELS, x, 2, { dtype: "float64" })), { rtol: 1e-14, atol: 1e-16 });
    const before = snapshot(x);
    new TripletSemiHardLoss({ distanceMetric: "angular" }).valueAndGrad(LABELS, x);
    expect(snapshot(x)).toEqual(before);
  });
});

describe("the loss table", () => {
  it("lists the metric-learning losses with their origin", () => {
    const origins = Object.fromEntries(BUILTIN_LOSSES.map((e) => [e.className, e.origin]));
    for (const name of ["TripletSemiHardLoss", "TripletHardLoss", "LiftedStructLoss", "NpairsLoss", "NpairsMultilabelLoss"]) expect(origins[name]).toBe("tensorflow-addons");
    for (const name of ["TripletMarginLoss", "QuadrupletLoss"]) expect(origins[name]).toBe("losskit");
  });
});

describe("triplet losses: options, registry and config", () => {
  it("reduction is ignored, as in TFA: the call returns the batch's one value", () => {
    const x = randomEmbedding(10, 6, 9);
    const labels = randomLabels(10, 4, 10);
    const value = new TripletSemiHardLoss()(labels, x);
    for (const reduction of ["none", "sum", "mean_with_sample_weight", null] as const) {
      expect(new TripletSemiHardLoss({ reduction })(labels, x)).toBe(value);
      expect(typeof new TripletHardLoss({ reduction })(labels, x)).toBe("number");
    }
  });

  for (const [name, cls] of [
    ["TripletSemiHardLoss", TripletSemiHardLoss],
    ["triplet_semihard_loss", TripletSemiHardLoss],
    ["tripletSemihardLoss", TripletSemiHardLoss],
    ["Addons>TripletSemiHardLoss", TripletSemiHardLoss],
    ["Addons>triplet_semihard_loss", TripletSemiHardLoss],
    ["TripletHardLoss", TripletHardLoss],
    ["triplet_hard_loss", TripletHardLoss],
    ["tripletHardLoss", TripletHardLoss],
    ["Addons>triplet_hard_loss", TripletHardLoss],
  ] as const) {
    it(`getLoss("${name}")`, () => expect(getLoss(name)).toBeInstanceOf(cls));
  }

  it("getConfig / fromConfig / serializeLoss round trips (TFA's test_serialization), TFA's snake_case JSON", () => {
    const semi = new TripletSemiHardLoss({ margin: 0.5, distanceMetric: "angular", name: "semi", dtype: "float64" });
    expect(semi.getConfig()).toEqual({ name: "semi", dtype: "float64", margin: 0.5, distanceMetric: "angular" });
    expect((TripletSemiHardLoss.fromConfig(semi.getConfig()) as Loss).getConfig()).toEqual(semi.getConfig());
    expect(deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(semi)))).getConfig()).toEqual(semi.getConfig());
    const hard = new TripletHardLoss({ soft: true, distanceMetric: "squared-L2" });
    expect(hard.getConfig()).toEqual({ name: "triplet_hard_loss", dtype: "float32", margin: 1, soft: true, distanceMetric: "squared-L2" });
    expect(deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(hard)))).getConfig()).toEqual(hard.getConfig());
    // A config as TFA's Keras wrote it: reduction "none" is ignored, distance_metric becomes distanceMetric.
    const keras = deserializeLoss({ class_name: "Addons>TripletSemiHardLoss", config: { name: "triplet_semihard_loss", reduction: "none", margin: 1.0, distance_metric: "L2" } });
    expect(keras).toBeInstanceOf(TripletSemiHardLoss);
    expect(keras.getConfig()).toEqual({ name: "triplet_semihard_loss", dtype: "float32", margin: 1, distanceMetric: "L2" });
  });

  it("a function distanceMetric cannot be serialized: ConfigError; toString still works", () => {
    const loss = new TripletSemiHardLoss({ distanceMetric: gram });
    expect(() => loss.getConfig()).toThrow(ConfigError);
    expect(() => serializeLoss(loss)).toThrow('cannot serialize TripletSemiHardLoss "triplet_semihard_loss": its distanceMetric is a function');
    expect(String(loss)).toBe('TripletSemiHardLoss({"name":"triplet_semihard_loss","dtype":"float32","margin":1,"distanceMetric":"[function gram]"})');
    expect(() => new TripletHardLoss({ distanceMetric: gram }).getConfig()).toThrow(ConfigError);
  });

  it("bad options are ConfigErrors naming the option", () => {
    expect(() => new TripletSemiHardLoss({ distanceMetric: "l2" as never })).toThrow('triplet_semihard_loss: distanceMetric must be "L2", "squared-L2", "angular" or a function (embeddings) => [batch, batch] distances, received "l2" (did you mean "L2"?)');
    expect(() => new TripletSemiHardLoss({ distanceMetric: "cosine" as never })).toThrow(ConfigError);
    expect(() => new TripletSemiHardLoss({ margin: NaN })).toThrow("triplet_semihard_loss: margin must be a finite number, received NaN");
    expect(() => new TripletHardLoss({ soft: "yes" as never })).toThrow("triplet_hard_loss: soft must be a boolean");
    expect(() => tripletHardLoss([0], [[1]], { squared: true } as never)).toThrow("squared is not an option of triplet_hard_loss");
    expect(() => new TripletSemiHardLoss("L2" as never)).toThrow(ConfigError);
  });

  it("bad labels and shapes are ShapeErrors / InputErrors", () => {
    expect(() => tripletSemihardLoss([0, 1], [0.5, 0.5])).toThrow("yPred must hold embeddings of shape [batch, dim], received shape [2]");
    expect(() => tripletSemihardLoss([0, 1, 1], [[1, 0], [0, 1]])).toThrow("yTrue has shape [3] but yPred has shape [2,2]; expected integer labels of shape [2] or [2,1]");
    expect(() => new TripletHardLoss()([[0, 1]], [[1, 0], [0, 1]])).toThrow(ShapeError);
    expect(() => tripletSemihardLoss([0, 0.5], [[1, 0], [0, 1]])).toThrow(InputError);
    expect(() => tripletSemihardLoss([0, NaN], [[1, 0], [0, 1]])).toThrow("yTrue must hold integer labels, received NaN at index 1");
    expect(() => tripletSemihardLoss([0, 0], [[1, 0], [0, 1]], { distanceMetric: () => [[0, 1]] })).toThrow("distanceMetric(embeddings) returned shape [1,2], expected [2,2]");
  });

  it("LossFunctionWrapper over the handle uses the ordinary reductions (the handle's value is a scalar)", () => {
    const loss = new LossFunctionWrapper(tripletSemihardLoss, { margin: 0.5, reduction: "sum" });
    expectClose(loss([0, 0, 1], [[0, 1], [1, 0], [1, 1]]), tripletSemihardLoss([0, 0, 1], [[0, 1], [1, 0], [1, 1]], { margin: 0.5 }).item(), { rtol: 0, atol: 0 });
  });
});
