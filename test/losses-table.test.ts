/**
 * Table-driven checks over every built-in loss (BUILTIN_LOSSES): what every loss must do the
 * same way — registry names, config round trips, option errors, dtype, reductions that agree
 * with each other, inputs left alone, and the analytic gradient against finite differences.
 * Loss-specific numbers (Keras's and TFA's test values) live in the family test files.
 *
 * Each loss needs a sample below: a table entry without one fails the first test, so a new
 * loss cannot skip these checks.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_LOSSES, type LossEntry } from "../src/losses/index";
import { ConfigError, LossError, Tensor, deserializeLoss, getLoss, numericalGrad, serializeLoss, tensor } from "../src/index";
import { camelCase } from "../src/losses/define";
import { flat, rng, snapshot } from "./helpers";

interface Sample {
  yTrue: Tensor;
  yPred: Tensor;
  /** Options that make the sample meaningful (non-default where it exercises more code). */
  options?: Record<string, unknown>;
  /** A valid per-sample weight for the sample's per-sample shape, if the loss takes one. */
  sampleWeight?: number[];
  /** Gradient-check tolerance (relative), looser for kinked or clipped losses. */
  rtol?: number;
  /** One value per batch whatever the reduction (TensorFlow Addons' triplet, lifted and npairs losses). */
  batch?: boolean;
  /**
   * The analytic gradient is deliberately not the derivative of the value (CIoU holds its
   * aspect-ratio weight α constant, as torchvision does); test/boxes.test.ts checks it against
   * the derivative with α frozen instead.
   */
  notTheDerivative?: boolean;
  /** The loss has an option without a default (WeightedKappaLoss's numClasses): getLoss by name alone must say so. */
  requiredOption?: string;
}

/** Boxes [ymin, xmin, ymax, xmax], well apart from ties between coordinates. */
const BOXES_TRUE = [[0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], [0.3, 0.1, 0.6, 0.7], [0, 0.5, 0.4, 1]];
const BOXES_PRED = [[0.1, 0.05, 1.2, 0.9], [0.2, 0.13, 0.7, 0.95], [0.25, 0.2, 0.7, 0.6], [0.12, 0.4, 0.5, 1.1]];

/** Deterministic inputs away from kinks, ties and clip bounds. */
function values(n: number, seed: number, lo: number, hi: number): Float64Array {
  const random = rng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * random());
}
const t64 = (data: ArrayLike<number>, shape: number[]) => tensor(Float64Array.from(data), shape);

function oneHot(labels: number[], classes: number): Tensor {
  const out = new Float64Array(labels.length * classes);
  labels.forEach((c, i) => (out[i * classes + c] = 1));
  return t64(out, [labels.length, classes]);
}

function probabilities(rows: number, classes: number, seed: number): Tensor {
  const raw = values(rows * classes, seed, 0.1, 1);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < classes; k++) s += raw[r * classes + k]!;
    for (let k = 0; k < classes; k++) raw[r * classes + k]! /= s;
  }
  return t64(raw, [rows, classes]);
}

const SAMPLES: Record<string, () => Sample> = {
  MeanSquaredError: () => ({ yTrue: t64(values(12, 1, -1, 1), [4, 3]), yPred: t64(values(12, 2, -1, 1), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  MeanAbsoluteError: () => ({ yTrue: t64(values(12, 3, -1, 1), [4, 3]), yPred: t64(values(12, 4, 1.5, 2), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  MeanAbsolutePercentageError: () => ({ yTrue: t64(values(12, 5, 1, 2), [4, 3]), yPred: t64(values(12, 6, 2.5, 3), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  MeanSquaredLogarithmicError: () => ({ yTrue: t64(values(12, 7, 0.5, 2), [4, 3]), yPred: t64(values(12, 8, 0.5, 2), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  CosineSimilarity: () => ({ yTrue: t64(values(12, 9, -1, 1), [4, 3]), yPred: t64(values(12, 10, -1, 1), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  Huber: () => ({ yTrue: t64(values(12, 11, -1, 1), [4, 3]), yPred: t64(values(12, 12, -3, 3), [4, 3]), options: { delta: 0.7 }, sampleWeight: [1, 2, 0.5, 3] }),
  LogCosh: () => ({ yTrue: t64(values(12, 13, -1, 1), [4, 3]), yPred: t64(values(12, 14, -3, 3), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  Hinge: () => ({ yTrue: t64([1, -1, 1, -1, 1, 1, -1, -1, 1, -1, 1, -1], [4, 3]), yPred: t64(values(12, 15, -0.4, 0.4), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  SquaredHinge: () => ({ yTrue: t64([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]), yPred: t64(values(12, 16, -0.4, 0.4), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  CategoricalHinge: () => ({ yTrue: oneHot([0, 2, 1, 2], 3), yPred: t64(values(12, 17, -1, 1), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  BinaryCrossentropy: () => ({ yTrue: t64(values(12, 18, 0, 1), [4, 3]), yPred: t64(values(12, 19, 0.1, 0.9), [4, 3]), options: { labelSmoothing: 0.1 }, sampleWeight: [1, 2, 0.5, 3] }),
  BinaryFocalCrossentropy: () => ({ yTrue: t64([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]), yPred: t64(values(12, 20, -2, 2), [4, 3]), options: { fromLogits: true, applyClassBalancing: true }, sampleWeight: [1, 2, 0.5, 3] }),
  CategoricalCrossentropy: () => ({ yTrue: oneHot([0, 2, 1, 2], 3), yPred: t64(values(12, 21, -2, 2), [4, 3]), options: { fromLogits: true, labelSmoothing: 0.2 }, sampleWeight: [1, 2, 0.5, 3] }),
  CategoricalFocalCrossentropy: () => ({ yTrue: oneHot([0, 2, 1, 2], 3), yPred: probabilities(4, 3, 22), sampleWeight: [1, 2, 0.5, 3] }),
  SparseCategoricalCrossentropy: () => ({ yTrue: t64([0, 2, 1, 2], [4]), yPred: t64(values(12, 23, -2, 2), [4, 3]), options: { fromLogits: true }, sampleWeight: [1, 2, 0.5, 3] }),
  Poisson: () => ({ yTrue: t64(values(12, 24, 0, 3), [4, 3]), yPred: t64(values(12, 25, 0.5, 3), [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  KLDivergence: () => ({ yTrue: probabilities(4, 3, 26), yPred: probabilities(4, 3, 27), sampleWeight: [1, 2, 0.5, 3] }),
  CategoricalGeneralizedCrossEntropy: () => ({ yTrue: t64([0, 2, 1, 2], [4]), yPred: probabilities(4, 3, 28), options: { q: 0.7 }, sampleWeight: [1, 2, 0.5, 3] }),
  Dice: () => ({ yTrue: t64([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]), yPred: t64(values(12, 29, 0.1, 0.9), [4, 3]), options: { axis: [1] }, sampleWeight: [1, 2, 0.5, 3] }),
  Tversky: () => ({ yTrue: t64([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]), yPred: t64(values(12, 30, 0.1, 0.9), [4, 3]), options: { alpha: 0.3, beta: 0.7, axis: [1] }, sampleWeight: [1, 2, 0.5, 3] }),
  Circle: () => ({ yTrue: t64([0, 0, 1, 1, 2], [5]), yPred: t64(values(15, 31, -1, 1), [5, 3]), options: { gamma: 2, margin: 0.3 }, rtol: 1e-4 }),
  TripletSemiHardLoss: () => ({ yTrue: t64([0, 0, 1, 1, 2, 2], [6]), yPred: t64(values(24, 33, -1, 1), [6, 4]), options: { margin: 0.5 }, batch: true, rtol: 1e-4 }),
  TripletHardLoss: () => ({ yTrue: t64([0, 0, 1, 1, 2, 2], [6]), yPred: t64(values(24, 34, -1, 1), [6, 4]), options: { soft: true }, batch: true, rtol: 1e-4 }),
  LiftedStructLoss: () => ({ yTrue: t64([0, 0, 1, 1, 2, 2], [6]), yPred: t64(values(24, 35, -1, 1), [6, 4]), batch: true, rtol: 1e-4 }),
  NpairsLoss: () => ({ yTrue: t64([0, 1, 2, 3], [4]), yPred: t64(values(16, 36, -2, 2), [4, 4]), batch: true }),
  NpairsMultilabelLoss: () => ({ yTrue: t64([1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1], [4, 4]), yPred: t64(values(16, 37, -2, 2), [4, 4]), batch: true }),
  TripletMarginLoss: () => ({ yTrue: t64([0, 0, 0, 0], [4]), yPred: t64(values(24, 38, -1, 1), [4, 6]), options: { margin: 2 }, sampleWeight: [1, 2, 0.5, 3] }),
  QuadrupletLoss: () => ({ yTrue: t64([0, 0, 0, 0], [4]), yPred: t64(values(32, 39, -1, 1), [4, 8]), options: { margin: 2, secondMargin: 1.5 }, sampleWeight: [1, 2, 0.5, 3] }),
  SigmoidFocalCrossEntropy: () => ({ yTrue: t64([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]), yPred: t64(values(12, 40, -2, 2), [4, 3]), options: { fromLogits: true, alpha: 0.3, gamma: 1.5 }, sampleWeight: [1, 2, 0.5, 3] }),
  PinballLoss: () => ({ yTrue: t64(values(12, 41, -1, 1), [4, 3]), yPred: t64(values(12, 42, -1, 1), [4, 3]), options: { tau: 0.3 }, sampleWeight: [1, 2, 0.5, 3] }),
  ContrastiveLoss: () => ({ yTrue: t64([1, 0, 1, 0, 1, 0], [6]), yPred: t64([0.2, 0.5, 1.3, 0.7, 0.9, 1.6], [6]), options: { margin: 1.2 }, sampleWeight: [1, 2, 0.5, 3, 1, 1] }),
  WeightedKappaLoss: () => ({ yTrue: oneHot([0, 1, 2, 1], 3), yPred: probabilities(4, 3, 43), options: { numClasses: 3, weightage: "linear" }, requiredOption: "numClasses" }),
  SparsemaxLoss: () => ({ yTrue: oneHot([0, 2, 1, 2], 3), yPred: t64([0.5, -1, 2, 1, 0.3, -0.7, 0.2, 0.9, -2, -1, 0.4, 1.1], [4, 3]), sampleWeight: [1, 2, 0.5, 3] }),
  GIoULoss: () => ({ yTrue: t64(BOXES_TRUE.flat(), [4, 4]), yPred: t64(BOXES_PRED.flat(), [4, 4]), sampleWeight: [1, 2, 0.5, 3] }),
  DIoULoss: () => ({ yTrue: t64(BOXES_TRUE.flat(), [4, 4]), yPred: t64(BOXES_PRED.flat(), [4, 4]), sampleWeight: [1, 2, 0.5, 3] }),
  CIoULoss: () => ({ yTrue: t64(BOXES_TRUE.flat(), [4, 4]), yPred: t64(BOXES_PRED.flat(), [4, 4]), sampleWeight: [1, 2, 0.5, 3], notTheDerivative: true }),
  Jaccard: () => ({ yTrue: t64([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]), yPred: t64(values(12, 44, 0.1, 0.9), [4, 3]), options: { axis: [1], smooth: 0.5 }, sampleWeight: [1, 2, 0.5, 3] }),
  FBeta: () => ({ yTrue: t64([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], [4, 3]), yPred: t64(values(12, 45, 0.1, 0.9), [4, 3]), options: { axis: 1, beta: 2 }, sampleWeight: [1, 2, 0.5, 3] }),
  CTC: () => ({ yTrue: t64([1, 2, 0, 2, 1, 1], [2, 3]), yPred: t64(values(2 * 5 * 4, 32, -1, 1), [2, 5, 4]), sampleWeight: [0.5, 2] }),
};

function classOptions(entry: LossEntry, sample: Sample): Record<string, unknown> {
  // The Circle class takes no refLabels (the handle does); every sample option here is a class option.
  return { ...(sample.options ?? {}) };
}

function same(a: number | Tensor, b: number | Tensor): void {
  if (typeof a === "number") expect(Object.is(a, b) || a === b).toBe(true);
  else expect(flat(a)).toEqual(flat(b as Tensor));
}

describe.each(BUILTIN_LOSSES.map((entry) => [entry.className, entry] as const))("%s (table-driven)", (className, entry) => {
  const sampleOf = SAMPLES[className];

  it("has a sample in this table-driven suite", () => {
    expect(sampleOf, `add a sample for ${className} to test/losses-table.test.ts`).toBeTypeOf("function");
  });
  if (!sampleOf) return;

  it("is found by getLoss under its class name, Keras function names and aliases", () => {
    const names = [className, ...(entry.aliases ?? [])];
    if (entry.fn) names.push(entry.fn.lossName, camelCase(entry.fn.lossName));
    const s = sampleOf();
    for (const name of names) {
      if (s.requiredOption) {
        expect(() => getLoss(name), name).toThrow(new RegExp(`${s.requiredOption} is required`));
        expect(getLoss({ className: name, config: s.options ?? {} }), name).toBeInstanceOf(entry.cls);
      } else {
        expect(getLoss(name), name).toBeInstanceOf(entry.cls);
      }
    }
  });

  it("round-trips its config bit for bit, through JSON", () => {
    const s = sampleOf();
    const loss = new entry.cls({ ...classOptions(entry, s), reduction: "sum" });
    const rebuilt = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(rebuilt).toBeInstanceOf(entry.cls);
    expect(rebuilt.getConfig()).toEqual(loss.getConfig());
    same(rebuilt(s.yTrue, s.yPred), loss(s.yTrue, s.yPred));
  });

  it("refuses an unknown option and options that are not an object, naming them", () => {
    expect(() => new entry.cls({ notAnOption: 1 })).toThrow(ConfigError);
    expect(() => new entry.cls({ notAnOption: 1 })).toThrow(/notAnOption/);
    for (const bad of [5, "x", true, [1]]) expect(() => new entry.cls(bad), String(bad)).toThrow(ConfigError);
  });

  it("returns float32 by default and float64 when asked", () => {
    const s = sampleOf();
    if (s.batch) {
      const v32 = new entry.cls(classOptions(entry, s))(s.yTrue, s.yPred) as number;
      const v64 = new entry.cls({ ...classOptions(entry, s), dtype: "float64" })(s.yTrue, s.yPred) as number;
      expect(typeof v32).toBe("number");
      expect(v32).toBeCloseTo(v64, 4);
      expect(Math.fround(v32)).toBe(v32);
      return;
    }
    const f32 = new entry.cls({ ...classOptions(entry, s), reduction: "none" })(s.yTrue, s.yPred) as Tensor;
    const f64 = new entry.cls({ ...classOptions(entry, s), reduction: "none", dtype: "float64" })(s.yTrue, s.yPred) as Tensor;
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(f64.data).toBeInstanceOf(Float64Array);
    flat(f32).forEach((v, i) => expect(v).toBeCloseTo(flat(f64)[i]!, 4));
  });

  it("sum = Σ none, sum_over_batch_size = Σ none / N, weights of ones = no weights, handle = class with none", () => {
    const s = sampleOf();
    if (s.batch) {
      // TensorFlow Addons' batch losses ignore the reduction: every one gives the handle's value.
      const value = entry.fn!(s.yTrue, s.yPred, { ...s.options, dtype: "float64" }).item();
      for (const reduction of ["none", "sum", "sum_over_batch_size"] as const) {
        expect(new entry.cls({ ...classOptions(entry, s), reduction, dtype: "float64" })(s.yTrue, s.yPred) as number).toBeCloseTo(value, 12);
      }
      return;
    }
    const opts = { ...classOptions(entry, s), dtype: "float64" as const };
    const none = flat(new entry.cls({ ...opts, reduction: "none" })(s.yTrue, s.yPred) as Tensor);
    const total = none.reduce((a, b) => a + b, 0);
    expect(new entry.cls({ ...opts, reduction: "sum" })(s.yTrue, s.yPred) as number).toBeCloseTo(total, 10);
    const sobs = new entry.cls({ ...opts, reduction: "sum_over_batch_size" })(s.yTrue, s.yPred) as number;
    if (entry.className !== "Circle") expect(sobs).toBeCloseTo(total / none.length, 10); // Circle masks its zero losses
    if (s.sampleWeight) {
      const ones = s.sampleWeight.map(() => 1);
      expect(new entry.cls({ ...opts, reduction: "sum" })(s.yTrue, s.yPred, ones) as number).toBeCloseTo(total, 10);
      const weighted = new entry.cls({ ...opts, reduction: "sum" })(s.yTrue, s.yPred, s.sampleWeight) as number;
      expect(weighted).toBeCloseTo(none.reduce((a, v, i) => a + v * s.sampleWeight![i]!, 0), 10);
    }
    if (entry.fn) expect(flat(entry.fn(s.yTrue, s.yPred, opts))).toEqual(none);
  });

  it("leaves its inputs unchanged (call, valueAndGrad, handle, vjp)", () => {
    const s = sampleOf();
    const before = [snapshot(s.yTrue), snapshot(s.yPred)];
    const loss = new entry.cls(classOptions(entry, s));
    loss(s.yTrue, s.yPred);
    loss.valueAndGrad(s.yTrue, s.yPred, s.sampleWeight);
    if (entry.fn) {
      const values = entry.fn(s.yTrue, s.yPred, s.options);
      entry.fn.vjp(s.yTrue, s.yPred, new Tensor(new Float64Array(values.size).fill(1), values.shape), s.options);
    }
    expect([snapshot(s.yTrue), snapshot(s.yPred)]).toEqual(before);
  });

  it("valueAndGrad().value equals the call, and its gradient matches float64 central differences", () => {
    const s = sampleOf();
    for (const reduction of ["sum_over_batch_size", "sum", "none"] as const) {
      const loss = new entry.cls({ ...classOptions(entry, s), reduction, dtype: "float64" });
      const { value, grad } = loss.valueAndGrad(s.yTrue, s.yPred, s.sampleWeight);
      same(value, loss(s.yTrue, s.yPred, s.sampleWeight));
      if (s.notTheDerivative) continue;
      const numeric = flat(numericalGrad(loss, s.yTrue, s.yPred, s.sampleWeight));
      const analytic = flat(grad);
      const scale = Math.max(1e-3, ...numeric.map(Math.abs));
      analytic.forEach((g, i) => expect(Math.abs(g - numeric[i]!) / scale, `${reduction}[${i}]`).toBeLessThan(s.rtol ?? 1e-5));
    }
  });

  it("refuses yPred of an incompatible shape with a LossError", () => {
    const s = sampleOf();
    const loss = new entry.cls(classOptions(entry, s));
    expect(() => loss(s.yTrue, t64([1, 2, 3, 4, 5, 6, 7], [7]))).toThrow(LossError);
  });
});
