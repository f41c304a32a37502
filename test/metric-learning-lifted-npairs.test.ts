/**
 * Lifted structured and n-pairs losses: TensorFlow Addons' test values (lifted_test.py's
 * NumPy reference ported to test/metric-learning-reference.ts; npairs_test.py's literal
 * values), hand computations and float64 central differences.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  InputError,
  LiftedStructLoss,
  NpairsLoss,
  NpairsMultilabelLoss,
  ShapeError,
  Tensor,
  deserializeLoss,
  getLoss,
  liftedStructLoss,
  moveAxis,
  npairsLoss,
  npairsMultilabelLoss,
  serializeLoss,
  type Loss,
} from "../src/index";
import { expectClose, expectGradMatches, flat, rng, snapshot } from "./helpers";
import { liftedStructLossNp, randomEmbedding, randomLabels } from "./metric-learning-reference";

const TFA = { rtol: 1e-6, atol: 1e-6 };

function embeddings(n: number, dim: number, seed: number, scale = 1): Tensor {
  const random = rng(seed);
  return new Tensor(new Float64Array(n * dim).map(() => scale * (2 * random() - 1)), [n, dim]);
}

describe("liftedStructLoss: TFA values", () => {
  it("test_lifted_struct: NumPy reference, 10 × 6 embeddings, 4 classes (float32 labels), 10 seeds, float32 and float64", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const embedding = randomEmbedding(10, 6, seed);
      const labels = randomLabels(10, 4, 200 + seed);
      const expected = liftedStructLossNp(labels, embedding, 1.0);
      expectClose(new LiftedStructLoss()(new Float32Array(labels), embedding), expected, TFA);
      expectClose(new LiftedStructLoss({ dtype: "float64" })(labels, embedding), expected, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("margins 0.5 and 3 against the NumPy reference; labels [B, 1]", () => {
    const embedding = randomEmbedding(12, 3, 41);
    const labels = randomLabels(12, 3, 42);
    for (const margin of [0.5, 3]) {
      expectClose(liftedStructLoss(labels.map((l) => [l]), embedding, { margin, dtype: "float64" }), liftedStructLossNp(labels, embedding, margin), { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("the TSDoc example by hand: both pairs of (0, 1 | 3) have J = log(e^-2 + e^-1) + 1, the loss is J²/2", () => {
    const j = Math.log(Math.exp(-2) + Math.exp(-1)) + 1;
    expectClose(liftedStructLoss([0, 0, 1], [[0], [1], [3]], { dtype: "float64" }), (j * j) / 2, { rtol: 1e-15, atol: 0 });
    expectClose(new LiftedStructLoss()([0, 0, 1], [[0], [1], [3]]), 0.04906644, { rtol: 0, atol: 1e-8 });
  });

  it("large distances do not overflow (the log-sum-exp is shifted, as TFA's)", () => {
    const x = embeddings(8, 4, 43, 500);
    const labels = [0, 0, 1, 1, 2, 2, 3, 3];
    const rows = Array.from({ length: 8 }, (_, i) => Array.from(x.data.subarray(4 * i, 4 * i + 4)));
    const value = liftedStructLoss(labels, x, { margin: 1, dtype: "float64" }).item();
    expect(Number.isFinite(value)).toBe(true);
    expectClose(value, liftedStructLossNp(labels, rows, 1), { rtol: 1e-12, atol: 1e-12 });
  });

  it("NaN as in TFA: a batch without a positive pair (0/0), a one-class batch (log(0) · 0), non-finite embeddings", () => {
    expect(liftedStructLoss([0, 1, 2], [[0], [1], [2]]).item()).toBeNaN();
    expect(liftedStructLoss([3, 3, 3], [[0], [1], [2]]).item()).toBeNaN();
    expect(liftedStructLoss([0, 0, 1], [[0], [NaN], [2]]).item()).toBeNaN();
    expect(flat(new LiftedStructLoss().grad([3, 3, 3], [[0], [1], [2]])).every(Number.isNaN)).toBe(true);
  });
});

describe("liftedStructLoss gradients match float64 central differences", () => {
  const bound = { rtol: 1e-6, atol: 1e-9 };
  const LABELS = [0, 1, 0, 2, 1, 2, 0, 1, 2, 0];

  it("margins 1, 0.2 and 4 (more pairs active), dims 2 and 5", () => {
    for (const [dim, seed] of [[2, 1], [5, 2]] as const) {
      const x = embeddings(10, dim, seed);
      for (const margin of [1, 0.2, 4]) expectGradMatches(new LiftedStructLoss({ margin, dtype: "float64" }), LABELS, x, null, bound);
    }
  });

  it("sampleWeight (scalar, per sample), the handle's vjp, float32", () => {
    const x = embeddings(10, 3, 3);
    const loss = new LiftedStructLoss({ dtype: "float64" });
    expectGradMatches(loss, LABELS, x, 1.5, bound);
    expectGradMatches(loss, LABELS, x, [1, 2, 0, 1, 1, 3, 1, 0.5, 1, 1], bound);
    expectClose(liftedStructLoss.vjp(LABELS, x, 3, { dtype: "float64" }), flat(loss.grad(LABELS, x, 3)), { rtol: 1e-14, atol: 1e-16 });
    expectGradMatches(new LiftedStructLoss(), LABELS, x, null, { rtol: 1e-4, atol: 1e-6, step: 1e-4 });
  });

  it("a strided view gives the same gradient; inputs are not mutated", () => {
    const x = embeddings(10, 3, 4);
    const transposed = new Tensor(new Float64Array(flat(moveAxis(x, 0, 1))), [3, 10]);
    const view = moveAxis(transposed, 0, 1);
    const before = snapshot(transposed);
    expectClose(liftedStructLoss.vjp(LABELS, view, 1, { dtype: "float64" }), flat(liftedStructLoss.vjp(LABELS, x, 1, { dtype: "float64" })), { rtol: 1e-14, atol: 1e-16 });
    expect(snapshot(transposed)).toEqual(before);
  });
});

// npairs_test.py: f = fp = [[1, 1], [1, -1], [-1, 1], [-1, -1]], y_pred = f fpᵀ
const F = [[1, 1], [1, -1], [-1, 1], [-1, -1]];
const SIMILARITY = F.map((a) => F.map((b) => a[0]! * b[0]! + a[1]! * b[1]!));

/** The n-pairs loss as its definition reads, in float64: mean_i Σ_j -t_ij log softmax(s_i)_j. */
function npairsReference(target: number[][], s: number[][]): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const z = s[i]!.reduce((acc, v) => acc + Math.exp(v), 0);
    for (let j = 0; j < s.length; j++) total -= target[i]![j]! * Math.log(Math.exp(s[i]![j]!) / z);
  }
  return total / s.length;
}

function labelTargets(labels: number[]): number[][] {
  return labels.map((l) => {
    const count = labels.filter((m) => m === l).length;
    return labels.map((m) => (m === l ? 1 / count : 0));
  });
}

function overlapTargets(y: number[][]): number[][] {
  return y.map((a) => {
    const row = y.map((b) => a.reduce((s, v, c) => s + v * b[c]!, 0));
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => v / total);
  });
}

function randomMatrix(rows: number, cols: number, seed: number, scale = 3): number[][] {
  const random = rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * (2 * random() - 1)));
}

describe("npairsLoss and npairsMultilabelLoss: TFA values", () => {
  it("test_config: name and the ignored reduction", () => {
    const loss = new NpairsLoss({ name: "nl" });
    expect(loss.name).toBe("nl");
    expect(new NpairsMultilabelLoss({ name: "nml" }).name).toBe("nml");
    expect(new NpairsLoss().name).toBe("npairs_loss");
    expect(new NpairsMultilabelLoss().name).toBe("npairs_multilabel_loss");
  });

  it("test_unweighted: 0.253856 (also the TSDoc examples)", () => {
    expectClose(new NpairsLoss()([0, 1, 2, 3], SIMILARITY), 0.253856, TFA);
    expectClose(npairsLoss([0, 1, 2, 3], [[2, 0, 0, -2], [0, 2, -2, 0], [0, -2, 2, 0], [-2, 0, 0, 2]]), 0.253856, TFA);
    expect(npairsLoss([0, 1, 2, 3], SIMILARITY).shape).toEqual([]);
    // the comment's formula: log(1 + 2 e^-2 + e^-4)
    expectClose(npairsLoss([0, 1, 2, 3], SIMILARITY, { dtype: "float64" }), Math.log(1 + 2 * Math.exp(-2) + Math.exp(-4)), { rtol: 1e-15, atol: 0 });
  });

  it("test_single_label: one-hot multilabel equals npairs (0.253856)", () => {
    const onehot = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    expectClose(new NpairsMultilabelLoss()(onehot, SIMILARITY), 0.253856, TFA);
  });

  it("test_multilabel: 1.420522 (also the TSDoc example)", () => {
    const y = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]];
    expectClose(new NpairsMultilabelLoss()(y, SIMILARITY), 1.420522, TFA);
    expectClose(npairsMultilabelLoss(y, SIMILARITY), 1.420522, TFA);
  });

  it("random logits and labels against the definition in float64 (repeated labels: several targets per row)", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const s = randomMatrix(9, 9, seed);
      const labels = randomLabels(9, 3, 50 + seed);
      expectClose(npairsLoss(labels, s, { dtype: "float64" }), npairsReference(labelTargets(labels), s), { rtol: 1e-13, atol: 1e-13 });
      expectClose(npairsLoss(labels.map((l) => [l]), s), npairsReference(labelTargets(labels), s), TFA);
      const random = rng(seed);
      const y = Array.from({ length: 9 }, (_, i) => Array.from({ length: 5 }, (_, c) => (c === i % 5 || random() < 0.3 ? 1 : 0)));
      expectClose(npairsMultilabelLoss(y, s, { dtype: "float64" }), npairsReference(overlapTargets(y), s), { rtol: 1e-13, atol: 1e-13 });
      // one-hot rows of the labels: the multilabel loss is the n-pairs loss
      const onehot = labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));
      expectClose(npairsMultilabelLoss(onehot, s, { dtype: "float64" }), npairsLoss(labels, s, { dtype: "float64" }).item(), { rtol: 1e-14, atol: 1e-15 });
    }
  });

  it("large logits stay finite (log-sum-exp with the row maximum)", () => {
    expectClose(npairsLoss([0, 1], [[1000, 0], [0, 1000]], { dtype: "float64" }), 0, { rtol: 0, atol: 1e-300 });
    expectClose(npairsLoss([0, 1], [[0, 1000], [1000, 0]], { dtype: "float64" }), 1000, { rtol: 1e-15, atol: 0 });
  });

  it("NaN as in TFA: a sample without any label (0/0 targets), a NaN similarity, an empty batch", () => {
    expect(npairsMultilabelLoss([[1, 0], [0, 0]], [[1, 0], [0, 1]]).item()).toBeNaN();
    expect(npairsLoss([0, 1], [[1, NaN], [0, 1]]).item()).toBeNaN();
    expect(npairsLoss([], new Tensor(new Float32Array(0), [0, 0])).item()).toBeNaN();
  });
});

describe("npairs gradients match float64 central differences", () => {
  const bound = { rtol: 1e-7, atol: 1e-9 };
  it("npairs and multilabel: every sampleWeight form, float32", () => {
    const s = randomMatrix(7, 7, 9);
    const labels = [0, 1, 0, 2, 1, 2, 0];
    expectGradMatches(new NpairsLoss({ dtype: "float64" }), labels, s, null, bound);
    expectGradMatches(new NpairsLoss({ dtype: "float64" }), labels, s, 0.5, bound);
    expectGradMatches(new NpairsLoss({ dtype: "float64" }), labels, s, [1, 2, 0, 1, 1, 3, 1], bound);
    const y = [[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 1], [1, 1, 1]];
    expectGradMatches(new NpairsMultilabelLoss({ dtype: "float64" }), y, s, null, bound);
    expectGradMatches(new NpairsMultilabelLoss({ dtype: "float64" }), y, s, [1, 2, 0, 1, 1, 3, 1], bound);
    expectGradMatches(new NpairsLoss(), labels, s, null, { rtol: 1e-4, atol: 1e-6, step: 1e-4 });
  });
  it("the gradient is (softmax - targets) / B, as TF's crossentropy gradient", () => {
    const grad = npairsLoss.vjp([0, 1, 2, 3], SIMILARITY, 1, { dtype: "float64" });
    const expected = SIMILARITY.map((row, i) => {
      const z = row.reduce((acc, v) => acc + Math.exp(v), 0);
      return row.map((v, j) => (Math.exp(v) / z - (i === j ? 1 : 0)) / 4);
    });
    expectClose(grad, expected, { rtol: 1e-14, atol: 1e-16 });
  });
  it("a strided yPred gives the same gradient; inputs are not mutated", () => {
    const s = new Tensor(new Float64Array(randomMatrix(5, 5, 10).flat()), [5, 5]);
    const view = moveAxis(s, 0, 1);
    const copy = new Tensor(view.toTypedArray(), [5, 5]);
    const before = snapshot(s);
    expectClose(npairsLoss.vjp([0, 1, 0, 1, 2], view, 1), flat(npairsLoss.vjp([0, 1, 0, 1, 2], copy, 1)), { rtol: 0, atol: 0 });
    expect(snapshot(s)).toEqual(before);
  });
});

describe("lifted and npairs: registry, config, errors", () => {
  for (const [name, cls] of [
    ["LiftedStructLoss", LiftedStructLoss],
    ["lifted_struct_loss", LiftedStructLoss],
    ["liftedStructLoss", LiftedStructLoss],
    ["Addons>lifted_struct_loss", LiftedStructLoss],
    ["NpairsLoss", NpairsLoss],
    ["npairs_loss", NpairsLoss],
    ["npairsLoss", NpairsLoss],
    ["Addons>NpairsLoss", NpairsLoss],
    ["NpairsMultilabelLoss", NpairsMultilabelLoss],
    ["npairs_multilabel_loss", NpairsMultilabelLoss],
    ["npairsMultilabelLoss", NpairsMultilabelLoss],
  ] as const) {
    it(`getLoss("${name}")`, () => expect(getLoss(name)).toBeInstanceOf(cls));
  }

  it("config round trips (TFA's test_serialization); reduction ignored", () => {
    for (const loss of [new LiftedStructLoss({ margin: 0.5, dtype: "float64" }), new NpairsLoss({ name: "nl" }), new NpairsMultilabelLoss({ reduction: "sum" })] as Loss[]) {
      const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
      expect(back.constructor).toBe(loss.constructor);
      expect(back.getConfig()).toEqual(loss.getConfig());
      expect((loss.constructor as typeof LiftedStructLoss).fromConfig(loss.getConfig()).getConfig()).toEqual(loss.getConfig());
    }
    expect(new LiftedStructLoss().getConfig()).toEqual({ name: "lifted_struct_loss", dtype: "float32", margin: 1 });
    expect(new NpairsLoss().getConfig()).toEqual({ name: "npairs_loss", dtype: "float32" });
    expect(new NpairsLoss({ reduction: "none" })([0, 1, 2, 3], SIMILARITY)).toBe(new NpairsLoss()([0, 1, 2, 3], SIMILARITY));
  });

  it("bad options, shapes and labels", () => {
    expect(() => new LiftedStructLoss({ margin: Infinity })).toThrow("lifted_struct_loss: margin must be a finite number, received Infinity");
    expect(() => new LiftedStructLoss({ distanceMetric: "angular" } as never)).toThrow("distanceMetric is not an option of lifted_struct_loss");
    expect(() => new NpairsLoss({ margin: 1 } as never)).toThrow("margin is not an option of npairs_loss");
    expect(() => liftedStructLoss([0, 1], [1, 2])).toThrow("yPred must hold embeddings of shape [batch, dim], received shape [2]");
    expect(() => liftedStructLoss([0.5, 1], [[1], [2]])).toThrow(InputError);
    expect(() => npairsLoss([0, 1], [[1, 2, 3], [4, 5, 6]])).toThrow("yPred must be a [batch, batch] similarity matrix, received shape [2,3]");
    expect(() => npairsLoss([0, 1, 2], [[1, 2], [3, 4]])).toThrow("yTrue has shape [3] but yPred has shape [2,2]; expected integer labels of shape [2] or [2,1]");
    expect(() => npairsMultilabelLoss([0, 1], [[1, 2], [3, 4]])).toThrow("yTrue has shape [2] but yPred has shape [2,2]; expected label indicators of shape [2, numClasses]");
    expect(() => npairsMultilabelLoss([[1, 0], [0, -1]], [[1, 2], [3, 4]])).toThrow("yTrue must hold label indicators (0 or 1; non-negative counts), received -1 at [1, 1]");
    expect(() => npairsMultilabelLoss([[1, 0], [0, NaN]], [[1, 2], [3, 4]])).toThrow(InputError);
    expect(() => new NpairsMultilabelLoss()([[1, 0, 0]], [[1, 2], [3, 4]])).toThrow(ShapeError);
    expect(() => new NpairsLoss(5 as never)).toThrow(ConfigError);
  });
});
