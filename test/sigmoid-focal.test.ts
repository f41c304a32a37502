import { describe, expect, it } from "vitest";
import {
  ConfigError,
  ShapeError,
  SigmoidFocalCrossEntropy,
  Tensor,
  binaryCrossentropy,
  sigmoidFocalCrossentropy,
  type Loss,
} from "../src/index";
import { expectClose, expectGradMatches, flat, snapshot } from "./helpers";
import { expectGradsEverywhere, expectRegistered, expectRoundTrip, filled } from "./beyond-helpers";

const f32 = Math.fround;
const vec = (xs: number[]) => new Tensor(Float64Array.from(xs), [xs.length]);

/**
 * An independent float64 reference of TFA's `sigmoid_focal_crossentropy` on top of tf.keras 2's
 * `backend.binary_crossentropy`, for one row: clip to [eps, hi], +eps inside both logs, p_t from
 * the unclipped probability, summed over the row. `eps`/`hi` are the clip constants of the dtype.
 */
function referenceRow(t: number[], p: number[], { alpha = 0.25 as number | null, gamma = 2 as number | null, fromLogits = false, eps = 1e-7, hi = 1 - 1e-7 } = {}): number {
  let sum = 0;
  for (let i = 0; i < t.length; i++) {
    const z = t[i]!, x = p[i]!;
    let ce: number, prob: number;
    if (fromLogits) {
      prob = 1 / (1 + Math.exp(-x));
      ce = Math.max(x, 0) - x * z + Math.log(1 + Math.exp(-Math.abs(x)));
    } else {
      prob = x;
      const c = Math.min(Math.max(x, eps), hi);
      ce = -(z * Math.log(c + eps) + (1 - z) * Math.log(1 - c + eps));
    }
    const pt = z * prob + (1 - z) * (1 - prob);
    const a = alpha ? z * alpha + (1 - z) * (1 - alpha) : 1;
    const m = gamma ? Math.pow(1 - pt, gamma) : 1;
    sum += a * m * ce;
  }
  return sum;
}

describe("SigmoidFocalCrossEntropy (TensorFlow Addons values)", () => {
  it("TFA docstring example (reduction none by default) and the TSDoc examples", () => {
    const yTrue = [[1.0], [1.0], [0.0]];
    const yPred = [[0.97], [0.91], [0.03]];
    // TFA prints float32 values to 8 digits; TFA computes in float32, losskit in doubles rounded to float32.
    const tfa = [6.8532745e-6, 1.909787e-4, 2.0559824e-5];
    const loss = new SigmoidFocalCrossEntropy()(yTrue, yPred);
    expect(loss).toBeInstanceOf(Tensor);
    expectClose(loss, tfa, { rtol: 1e-5, atol: 0 });
    expectClose(sigmoidFocalCrossentropy(yTrue, yPred), tfa, { rtol: 1e-5, atol: 0 });
    // The float64 reference agrees to the last float32 digit.
    expectClose(sigmoidFocalCrossentropy(yTrue, yPred, { dtype: "float64" }), yTrue.map((t, i) => referenceRow(t, yPred[i]!)), { rtol: 1e-14, atol: 0 });
  });

  it("focal_loss_test.py test_config", () => {
    const loss = new SigmoidFocalCrossEntropy({ reduction: "none", name: "sigmoid_focal_crossentropy" });
    expect(loss.name).toBe("sigmoid_focal_crossentropy");
    expect(loss.reduction).toBe("none");
    expect(new SigmoidFocalCrossEntropy().reduction).toBe("none");
    expect(new SigmoidFocalCrossEntropy({ reduction: undefined }).reduction).toBe("none");
    expect(new SigmoidFocalCrossEntropy().name).toBe("sigmoid_focal_crossentropy");
  });

  // focal_loss_test.py test_without_logits, for float32 and float64 predictions, float32 and
  // uint8 labels, with and without logits (float16 has no counterpart here).
  for (const dtype of ["float32", "float64"] as const) {
    for (const labels of ["float32", "uint8"] as const) {
      for (const fromLogits of [true, false]) {
        it(`focal_loss_test.py test_without_logits (${dtype} yPred, ${labels} yTrue, fromLogits ${fromLogits})`, () => {
          const probabilities = [0.97, 0.91, 0.73, 0.27, 0.09, 0.03];
          const cast = (x: number) => (dtype === "float32" ? f32(x) : x);
          const raw = probabilities.map(cast);
          const values = fromLogits ? raw.map((p) => cast(Math.log(p / (1 - p)))) : raw;
          const yPred = new Tensor(dtype === "float32" ? new Float32Array(values) : new Float64Array(values), [6, 1]);
          const labelData = labels === "uint8" ? new Uint8Array([1, 1, 1, 0, 0, 0]) : new Float32Array([1, 1, 1, 0, 0, 0]);
          const yTrue = { data: labelData, shape: [6, 1] } as never;
          // alpha = gamma = null: binary crossentropy (tf.keras 2's, +eps inside the logs).
          const fl = flat(sigmoidFocalCrossentropy(yTrue, yPred, { alpha: null, gamma: null, fromLogits, dtype }));
          const eps = dtype === "float32" ? f32(1e-7) : 1e-7;
          const hi = dtype === "float32" ? f32(1 - 1e-7) : 1 - 1e-7;
          const bce = values.map((v, i) => referenceRow([i < 3 ? 1 : 0], [v], { alpha: null, gamma: null, fromLogits, eps, hi }));
          expectClose(vec(fl), bce, { rtol: dtype === "float32" ? 1e-6 : 1e-12, atol: 0 });
          // and Keras 3's binary crossentropy, which has no +eps in its logs: they differ by about eps / p.
          expectClose(vec(fl), flat(binaryCrossentropy(yTrue, yPred, { fromLogits, dtype })), { rtol: 1e-6, atol: 2e-7 });
          // gamma = 2: the ratio bce / fl has TFA's orders of magnitude.
          const focal = flat(sigmoidFocalCrossentropy(yTrue, yPred, { alpha: null, gamma: 2, fromLogits, dtype }));
          const order = bce.map((b, i) => 10 ** Math.floor(Math.log10(b / focal[i]!)));
          expect(order).toEqual([1000, 100, 10, 10, 100, 1000]);
        });
      }
    }
  }

  it("quirk: clip to [eps, 1 - eps] (float32 0.99999988), then +eps again inside both logs", () => {
    const off = { alpha: null, gamma: null };
    // y = 1, p = 0: -log(eps + eps), not Keras 3's -log(eps) = 16.118.
    expectClose(sigmoidFocalCrossentropy([[1]], [[0]], { ...off, dtype: "float64" }), [-Math.log(2e-7)], { rtol: 1e-14, atol: 0 });
    expectClose(sigmoidFocalCrossentropy([[1]], [[0]], off), [-Math.log(2 * f32(1e-7))], { rtol: 1e-7, atol: 0 });
    // y = 0, p = 1: 1 - 0.99999988 = 1.1920929e-7 in float32, plus eps.
    expectClose(sigmoidFocalCrossentropy([[0]], [[1]], off), [-Math.log(1 - f32(1 - 1e-7) + f32(1e-7))], { rtol: 1e-7, atol: 0 });
    expectClose(sigmoidFocalCrossentropy([[0]], [[1]], { ...off, dtype: "float64" }), [-Math.log(1 - (1 - 1e-7) + 1e-7)], { rtol: 1e-9, atol: 0 });
    // A prediction of 1 for label 1 still costs -log(1 - eps + eps) in the crossentropy ...
    expectClose(sigmoidFocalCrossentropy([[1]], [[1]], { ...off, dtype: "float64" }), [-Math.log(1 - 1e-7 + 1e-7)], { rtol: 0, atol: 1e-16 });
    // ... but p_t is computed from the unclipped probability: (1 - p_t)^gamma = 0 exactly.
    expect(flat(sigmoidFocalCrossentropy([[1, 0]], [[1, 0]]))).toEqual([0]);
  });

  it("quirk: per-sample value is the sum over the last axis, not the mean", () => {
    const t = [[1, 0, 1], [0, 0, 1]];
    const p = [[0.6, 0.3, 0.8], [0.2, 0.55, 0.4]];
    expectClose(sigmoidFocalCrossentropy(t, p, { dtype: "float64" }), t.map((row, i) => referenceRow(row, p[i]!)), { rtol: 1e-14, atol: 0 });
    const single = t.map((row, i) => row.map((z, j) => referenceRow([z], [p[i]![j]!])));
    expectClose(sigmoidFocalCrossentropy(t, p, { dtype: "float64" }), single.map((r) => r[0]! + r[1]! + r[2]!), { rtol: 1e-14, atol: 0 });
    // rank 3: one value per [batch, time], summed over the features.
    const t3 = [[[1, 0], [0, 1]], [[1, 1], [0, 0]]];
    const p3 = [[[0.7, 0.2], [0.4, 0.9]], [[0.3, 0.6], [0.1, 0.8]]];
    expectClose(sigmoidFocalCrossentropy(t3, p3, { dtype: "float64" }), t3.map((b, i) => b.map((row, j) => referenceRow(row, p3[i]![j]!))), { rtol: 1e-14, atol: 0 });
  });

  it("quirk: alpha or gamma of 0 or null switch their factor off (TFA's `if alpha:`)", () => {
    const t = [[1, 0, 1, 0]];
    const p = [[0.6, 0.3, 0.8, 0.9]];
    const d = { dtype: "float64" as const };
    const alphaOff = flat(sigmoidFocalCrossentropy(t, p, { ...d, alpha: null }));
    expect(flat(sigmoidFocalCrossentropy(t, p, { ...d, alpha: 0 }))).toEqual(alphaOff);
    expectClose(vec(alphaOff), [referenceRow(t[0]!, p[0]!, { alpha: null })], { rtol: 1e-14, atol: 0 });
    // alpha = 0 is not "weight 0 for positives": the factor is gone.
    expect(alphaOff[0]).toBeGreaterThan(flat(sigmoidFocalCrossentropy(t, p, d))[0]!);
    const gammaOff = flat(sigmoidFocalCrossentropy(t, p, { ...d, gamma: null }));
    expect(flat(sigmoidFocalCrossentropy(t, p, { ...d, gamma: 0 }))).toEqual(gammaOff);
    expectClose(vec(gammaOff), [referenceRow(t[0]!, p[0]!, { gamma: null })], { rtol: 1e-14, atol: 0 });
    // alpha = 1: positives weigh 1, negatives 0.
    expectClose(sigmoidFocalCrossentropy(t, p, { ...d, alpha: 1 }), [referenceRow([1, 1], [0.6, 0.8], { alpha: null })], { rtol: 1e-14, atol: 0 });
    expectClose(sigmoidFocalCrossentropy(t, p, { ...d, alpha: 0.58, gamma: 0.5 }), [referenceRow(t[0]!, p[0]!, { alpha: 0.58, gamma: 0.5 })], { rtol: 1e-14, atol: 0 });
  });

  it("fromLogits: the stable logits formula with sigmoid(x) in p_t", () => {
    const t = [[1, 0, 1], [0, 1, 0]];
    const x = [[2.5, -1.2, -30], [40, 0.3, -0.7]];
    expectClose(sigmoidFocalCrossentropy(t, x, { fromLogits: true, dtype: "float64" }), t.map((row, i) => referenceRow(row, x[i]!, { fromLogits: true })), { rtol: 1e-12, atol: 0 });
  });

  it("weighting and reductions", () => {
    const t = [[1, 0], [0, 1], [1, 1]];
    const p = [[0.9, 0.2], [0.4, 0.3], [0.7, 0.1]];
    const per = t.map((row, i) => referenceRow(row, p[i]!));
    const sum = per.reduce((a, b) => a + b, 0);
    expectClose(new SigmoidFocalCrossEntropy({ reduction: "sum_over_batch_size", dtype: "float64" })(t, p), sum / 3, { rtol: 1e-14, atol: 0 });
    expectClose(new SigmoidFocalCrossEntropy({ reduction: "sum", dtype: "float64" })(t, p, [1, 2, 0.5]), per[0]! + 2 * per[1]! + 0.5 * per[2]!, { rtol: 1e-14, atol: 0 });
    expectClose(new SigmoidFocalCrossEntropy({ dtype: "float64" })(t, p, 2), per.map((v) => 2 * v), { rtol: 1e-14, atol: 0 });
  });
});

describe("SigmoidFocalCrossEntropy gradients (float64 central differences)", () => {
  // Probabilities in [0.05, 0.95] (away from the clip), soft and hard labels.
  const yTrue = filled([3, 4, 5], 1, (u, i) => (i % 3 === 0 ? u() : u() < 0.5 ? 0 : 1));
  const yPred = filled([3, 4, 5], 2, (u) => 0.05 + 0.9 * u());
  const logits = filled([3, 4, 5], 3, (u) => 8 * u() - 4);
  const make = (extra: Record<string, unknown>) => (o: Record<string, unknown>) => new SigmoidFocalCrossEntropy({ ...extra, ...o }) as Loss;

  it("probabilities: every reduction, sample weights, mask, float32", () => {
    expectGradsEverywhere(make({}), yTrue, yPred, [3, 4]);
  });
  it("logits", () => {
    expectGradsEverywhere(make({ fromLogits: true }), yTrue, logits, [3, 4]);
  });
  it("alpha/gamma switched off, other gammas", () => {
    for (const extra of [{ alpha: null }, { gamma: null }, { alpha: 0, gamma: 0 }, { gamma: 3.5, alpha: 0.7 }, { gamma: 1 }, { gamma: 0.5 }]) {
      expectGradMatches(new SigmoidFocalCrossEntropy({ ...extra, reduction: "sum", dtype: "float64" }), yTrue, yPred, null, { rtol: 1e-6, atol: 1e-8 });
      expectGradMatches(new SigmoidFocalCrossEntropy({ ...extra, fromLogits: true, reduction: "sum", dtype: "float64" }), yTrue, logits, null, { rtol: 1e-6, atol: 1e-8 });
    }
  });
  it("through the clip only the modulating factor has a gradient", () => {
    // p = 1.5 > 1 - eps: ce is the constant -log(1 - c + eps) (y = 0); d(1 - p_t)^2/dp = 2 p.
    const g = new SigmoidFocalCrossEntropy({ reduction: "sum", dtype: "float64" }).grad([[0]], [[1.5]]);
    const ce = -Math.log(1 - (1 - 1e-7) + 1e-7);
    expectClose(g, [[0.75 * 2 * 1.5 * ce]], { rtol: 1e-12, atol: 0 });
    expectGradMatches(new SigmoidFocalCrossEntropy({ reduction: "sum", dtype: "float64" }), [[0, 1, 1]], [[1.5, -0.2, 1.3]], null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("yPred broadcast against yTrue: gradients accumulate", () => {
    const row = filled([5], 4, (u) => 0.1 + 0.8 * u());
    expectGradMatches(new SigmoidFocalCrossEntropy({ reduction: "sum", dtype: "float64" }), yTrue, row, null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("inputs are not mutated; valueAndGrad agrees with the call", () => {
    const t = filled([4, 3], 5, (u) => (u() < 0.5 ? 0 : 1));
    const p = filled([4, 3], 6, (u) => u());
    const before = [snapshot(t), snapshot(p)];
    const loss = new SigmoidFocalCrossEntropy({ reduction: "sum" });
    const { value } = loss.valueAndGrad(t, p);
    expect(value).toBe(loss(t, p));
    expect([snapshot(t), snapshot(p)]).toEqual(before);
  });
});

describe("SigmoidFocalCrossEntropy registry, config and errors", () => {
  it("getLoss by class name, TFA function name, camelCase", () => {
    expectRegistered(SigmoidFocalCrossEntropy, ["SigmoidFocalCrossEntropy", "sigmoid_focal_crossentropy", "sigmoidFocalCrossentropy", "sigmoid_focal_cross_entropy", "Addons>sigmoid_focal_crossentropy", "Addons>SigmoidFocalCrossEntropy"]);
    expectRegistered(SigmoidFocalCrossEntropy, ["SigmoidFocalCrossEntropy"], { alpha: null, gamma: 3 });
  });
  it("config round trip (null factors survive JSON)", () => {
    const loss = new SigmoidFocalCrossEntropy({ alpha: null, gamma: 3, fromLogits: true, reduction: "sum", name: "fl" });
    expect(loss.getConfig()).toEqual({ name: "fl", reduction: "sum", dtype: "float32", fromLogits: true, alpha: null, gamma: 3 });
    expectRoundTrip(loss, "SigmoidFocalCrossEntropy", [[1, 0]], [[0.3, -2]]);
    expectRoundTrip(new SigmoidFocalCrossEntropy(), "SigmoidFocalCrossEntropy", [[1, 0]], [[0.3, 0.6]]);
    expect(new SigmoidFocalCrossEntropy().getConfig()).toEqual({ name: "sigmoid_focal_crossentropy", reduction: "none", dtype: "float32", fromLogits: false, alpha: 0.25, gamma: 2 });
  });
  it("bad options", () => {
    expect(() => new SigmoidFocalCrossEntropy({ gamma: -1 })).toThrow(ConfigError);
    expect(() => new SigmoidFocalCrossEntropy({ gamma: -1 })).toThrow("sigmoid_focal_crossentropy: gamma must be >= 0, received -1");
    expect(() => sigmoidFocalCrossentropy([1], [0.5], { gamma: -0.5 })).toThrow(ConfigError);
    expect(() => new SigmoidFocalCrossEntropy({ alpha: "0.25" as never })).toThrow("alpha must be a finite number or null, received \"0.25\"");
    expect(() => new SigmoidFocalCrossEntropy({ fromLogits: 1 as never })).toThrow(/fromLogits must be a boolean/);
    expect(() => new SigmoidFocalCrossEntropy({ labelSmoothing: 0.1 } as never)).toThrow(/labelSmoothing is not an option of sigmoid_focal_crossentropy/);
  });
  it("shapes that do not fit", () => {
    expect(() => sigmoidFocalCrossentropy([[1, 0, 1]], [[0.5, 0.5]])).toThrow(ShapeError);
    expect(() => new SigmoidFocalCrossEntropy()([[1, 0, 1]], [[0.5, 0.5]])).toThrow(/yTrue has shape \[1,3\] but yPred has shape \[1,2\]/);
  });
});
