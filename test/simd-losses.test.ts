// The SIMD route of the loss classes (src/losses/simd-route.ts): with `await enableSimd()`,
// float32 contiguous same-shape inputs reduced over the last axis go through the WebAssembly
// kernels; everything else, and everything while SIMD is off, through the JavaScript kernels.
//
// The bound. test/simd.test.ts checks each kernel against the JS kernel within
// 16 * 2^-24 * M (M the magnitude of the quantities each kernel rounds, computed per row).
// Through the public API the same differences come out scaled by the reduction and the
// sample weights; here every per-sample value and every gradient element must satisfy
//
//     |simd - js| <= 64 * 2^-24 * (|js| + mean |js| over the tensor)
//
// (the mean term stands in for M where a gradient element is far smaller than its row's
// terms, e.g. a softmax probability of 1e-4). The inputs are moderate (logits in [-6, 6],
// probabilities in [0.02, 0.98]), where the kernels' terms are all of the size of the results.
// Observed worst |simd - js| / (2^-24 (|js| + mean)): 6.3 (binary focal from logits, gamma 3),
// 1.2-2.9 for the others; a test asserts it stays under 16.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalFocalCrossentropy,
  KLDivergence,
  LogCosh,
  Poisson,
  SparseCategoricalCrossentropy,
  Tensor,
  disableSimd,
  enableSimd,
  moveAxis,
  simdStatus,
} from "../src/index";
import { rng } from "./helpers";

const BOUND = 64 * 2 ** -24;
const B = 37; // rows: not a multiple of the kernels' blocks or lanes
const N = 13; // elements per row: a 4-lane body and a tail of 1

interface Loss {
  (yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null): unknown;
  valueAndGrad(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor | null, options?: { out?: Float32Array }): { value: unknown; grad: Tensor };
}

interface Case {
  label: string;
  /** The loss function's name, as simdStatus().lastRun reports it. */
  loss: string;
  make(reduction?: "none"): Loss;
  yTrue(random: () => number, n: number): Tensor;
  yPred(random: () => number, n: number): Tensor;
}

function f32(shape: number[], random: () => number, f: (u: number) => number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = f(random());
  return new Tensor(data, shape);
}

function oneHot(random: () => number, n: number): Tensor {
  const data = new Float32Array(B * n);
  for (let r = 0; r < B; r++) data[r * n + Math.floor(random() * n)] = 1;
  return new Tensor(data, [B, n]);
}

const bits = (random: () => number, n: number) => f32([B, n], random, (u) => (u < 0.5 ? 0 : 1));
const probs = (random: () => number, n: number) => f32([B, n], random, (u) => 0.02 + 0.96 * u);
const logits = (random: () => number, n: number) => f32([B, n], random, (u) => 12 * u - 6);

const CASES: Case[] = [
  { label: "LogCosh", loss: "log_cosh", make: (reduction) => new LogCosh({ reduction }) as unknown as Loss, yTrue: (r, n) => f32([B, n], r, (u) => 6 * u - 3), yPred: (r, n) => f32([B, n], r, (u) => 6 * u - 3) },
  { label: "BinaryCrossentropy", loss: "binary_crossentropy", make: (reduction) => new BinaryCrossentropy({ reduction }) as unknown as Loss, yTrue: bits, yPred: probs },
  { label: "BinaryCrossentropy labelSmoothing 0.1", loss: "binary_crossentropy", make: (reduction) => new BinaryCrossentropy({ reduction, labelSmoothing: 0.1 }) as unknown as Loss, yTrue: bits, yPred: probs },
  { label: "BinaryCrossentropy fromLogits", loss: "binary_crossentropy", make: (reduction) => new BinaryCrossentropy({ reduction, fromLogits: true }) as unknown as Loss, yTrue: bits, yPred: logits },
  { label: "BinaryFocalCrossentropy", loss: "binary_focal_crossentropy", make: (reduction) => new BinaryFocalCrossentropy({ reduction }) as unknown as Loss, yTrue: bits, yPred: probs },
  {
    label: "BinaryFocalCrossentropy fromLogits, class balancing, gamma 3, labelSmoothing 0.2",
    loss: "binary_focal_crossentropy",
    make: (reduction) => new BinaryFocalCrossentropy({ reduction, fromLogits: true, applyClassBalancing: true, gamma: 3, alpha: 0.4, labelSmoothing: 0.2 }) as unknown as Loss,
    yTrue: bits,
    yPred: logits,
  },
  { label: "CategoricalCrossentropy", loss: "categorical_crossentropy", make: (reduction) => new CategoricalCrossentropy({ reduction }) as unknown as Loss, yTrue: oneHot, yPred: probs },
  {
    label: "CategoricalCrossentropy fromLogits labelSmoothing 0.1",
    loss: "categorical_crossentropy",
    make: (reduction) => new CategoricalCrossentropy({ reduction, fromLogits: true, labelSmoothing: 0.1 }) as unknown as Loss,
    yTrue: oneHot,
    yPred: logits,
  },
  { label: "CategoricalFocalCrossentropy", loss: "categorical_focal_crossentropy", make: (reduction) => new CategoricalFocalCrossentropy({ reduction }) as unknown as Loss, yTrue: oneHot, yPred: probs },
  {
    label: "CategoricalFocalCrossentropy fromLogits, per-class alpha, gamma 1.5",
    loss: "categorical_focal_crossentropy",
    make: (reduction) =>
      new CategoricalFocalCrossentropy({ reduction, fromLogits: true, gamma: 1.5, alpha: Array.from({ length: N }, (_, k) => 0.1 + k / N) }) as unknown as Loss,
    yTrue: oneHot,
    yPred: logits,
  },
  {
    label: "SparseCategoricalCrossentropy fromLogits, ignoreClass -1",
    loss: "sparse_categorical_crossentropy",
    make: (reduction) => new SparseCategoricalCrossentropy({ reduction, fromLogits: true, ignoreClass: -1 }) as unknown as Loss,
    yTrue: (r, n) => f32([B], r, (u) => (u < 0.15 ? -1 : Math.floor(u * n))),
    yPred: logits,
  },
  { label: "KLDivergence", loss: "kl_divergence", make: (reduction) => new KLDivergence({ reduction }) as unknown as Loss, yTrue: probs, yPred: probs },
  { label: "Poisson", loss: "poisson", make: (reduction) => new Poisson({ reduction }) as unknown as Loss, yTrue: (r, n) => f32([B, n], r, (u) => Math.floor(6 * u)), yPred: (r, n) => f32([B, n], r, (u) => 0.1 + 5 * u) },
];

function values(x: unknown): Float64Array {
  if (x instanceof Tensor) return Float64Array.from(x.toTypedArray());
  if (typeof x === "number") return Float64Array.of(x);
  throw new Error(`not a tensor or number: ${String(x)}`);
}

/** Every element of `simd` within the bound of `js`; returns the worst |simd - js| / (2^-24 (|js| + mean)). */
function expectWithinBound(where: string, simd: ArrayLike<number>, js: ArrayLike<number>): number {
  expect(simd.length, where).toBe(js.length);
  let mean = 0;
  for (let i = 0; i < js.length; i++) mean += Math.abs(js[i]!);
  mean /= Math.max(1, js.length);
  let worst = 0;
  for (let i = 0; i < js.length; i++) {
    const a = simd[i]!, b = js[i]!;
    if (b === 0) {
      // exact zeros (ignored rows, their gradient) stay exact
      expect(a, `${where}[${i}]`).toBe(0);
      continue;
    }
    const scale = Math.abs(b) + mean;
    const ratio = Math.abs(a - b) / (2 ** -24 * scale);
    worst = Math.max(worst, ratio);
    if (!(Math.abs(a - b) <= BOUND * scale)) throw new Error(`${where}[${i}]: simd ${a} vs js ${b}: |diff| = ${Math.abs(a - b)} > ${BOUND * scale}`);
  }
  return worst;
}

interface Run {
  perSample: Float64Array;
  value: Float64Array;
  grad: Float64Array;
}

function run(c: Case, yTrue: Tensor, yPred: Tensor, weights: Tensor): Run {
  const perSample = values(c.make("none")(yTrue, yPred));
  const { value, grad } = c.make().valueAndGrad(yTrue, yPred, weights);
  return { perSample, value: values(value), grad: Float64Array.from(grad.toTypedArray()) };
}

function inputs(c: Case, seed: number, n = N) {
  const random = rng(seed);
  const yTrue = c.yTrue(random, n), yPred = c.yPred(random, n);
  const weights = f32([B], random, (u) => 0.25 + u);
  return { yTrue, yPred, weights };
}

const identical = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe("the SIMD route of the loss classes", () => {
  // Results before SIMD was ever enabled in this process: the JavaScript kernels as they were.
  const before = new Map<string, Run>();
  beforeAll(async () => {
    expect(simdStatus().state).toBe("inactive");
    CASES.forEach((c, i) => {
      const { yTrue, yPred, weights } = inputs(c, 100 + i);
      before.set(c.label, run(c, yTrue, yPred, weights));
      expect(simdStatus().lastRun, c.label).toEqual({ loss: c.loss, path: "javascript", reason: "SIMD is not active" });
    });
    expect(await enableSimd()).toBe(true);
  });
  afterAll(() => disableSimd());

  const worst: Record<string, number> = {};
  CASES.forEach((c, i) => {
    it(`${c.label}: value, per-sample values and gradient agree with the JavaScript kernel, and the SIMD path ran`, async () => {
      expect(await enableSimd()).toBe(true);
      const { yTrue, yPred, weights } = inputs(c, 100 + i);
      const simd = run(c, yTrue, yPred, weights);
      expect(simdStatus().lastRun, c.label).toEqual({ loss: c.loss, path: "simd", reason: "SIMD kernel" });
      const js = before.get(c.label)!;
      worst[c.label] = Math.max(
        expectWithinBound(`${c.label} per-sample`, simd.perSample, js.perSample),
        expectWithinBound(`${c.label} value`, simd.value, js.value),
        expectWithinBound(`${c.label} grad`, simd.grad, js.grad),
      );
      // rows of a single element (the kernels' tail path only)
      const one = inputs(c, 200 + i, 1);
      if (c.loss !== "sparse_categorical_crossentropy" && !c.label.includes("per-class alpha")) {
        const s1 = run(c, one.yTrue, one.yPred, one.weights);
        expect(simdStatus().lastRun?.path).toBe("simd");
        disableSimd();
        const j1 = run(c, one.yTrue, one.yPred, one.weights);
        expect(simdStatus().lastRun?.path).toBe("javascript");
        expectWithinBound(`${c.label} n=1 per-sample`, s1.perSample, j1.perSample);
        expectWithinBound(`${c.label} n=1 grad`, s1.grad, j1.grad);
      }
    });

    it(`${c.label}: with SIMD disabled again, bit-identical to the results before SIMD was enabled`, async () => {
      expect(await enableSimd()).toBe(true);
      disableSimd();
      const { yTrue, yPred, weights } = inputs(c, 100 + i);
      const again = run(c, yTrue, yPred, weights);
      expect(simdStatus().lastRun).toEqual({ loss: c.loss, path: "javascript", reason: "SIMD is not active" });
      const js = before.get(c.label)!;
      expect(identical(again.perSample, js.perSample), "per-sample values").toBe(true);
      expect(identical(again.value, js.value), "value").toBe(true);
      expect(identical(again.grad, js.grad), "gradient").toBe(true);
    });
  });

  it("the worst observed |simd - js| / (2^-24 (|js| + mean)) stays under 16 (the bound is 64)", () => {
    const entries = Object.entries(worst);
    expect(entries.length).toBe(CASES.length);
    for (const [label, w] of entries) expect(w, label).toBeLessThan(16);
  });

  it("the SIMD route writes into a caller's gradient buffer (valueAndGrad's out)", async () => {
    expect(await enableSimd()).toBe(true);
    const c = CASES.find((x) => x.label === "BinaryCrossentropy fromLogits")!;
    const { yTrue, yPred, weights } = inputs(c, 7);
    const out = new Float32Array(B * N).fill(123);
    const { grad } = c.make().valueAndGrad(yTrue, yPred, weights, { out });
    expect(simdStatus().lastRun?.path).toBe("simd");
    expect(grad.toTypedArray()).toEqual(out);
    const fresh = c.make().valueAndGrad(yTrue, yPred, weights).grad.toTypedArray();
    expect(Array.from(out)).toEqual(Array.from(fresh));
  });

  describe("falls back to the JavaScript kernel, and says why", () => {
    beforeAll(async () => {
      expect(await enableSimd()).toBe(true);
    });
    const random = rng(9);
    const yTrue = f32([B, N], random, (u) => 0.02 + 0.96 * u);
    const yPred = f32([B, N], random, (u) => 0.02 + 0.96 * u);

    it("float64", () => {
      new KLDivergence({ dtype: "float64" })(yTrue, yPred);
      expect(simdStatus().lastRun).toEqual({ loss: "kl_divergence", path: "javascript", reason: "dtype is float64" });
    });

    it("a reduction axis other than the last", () => {
      new BinaryCrossentropy({ axis: 0 })(yTrue, yPred);
      expect(simdStatus().lastRun).toEqual({ loss: "binary_crossentropy", path: "javascript", reason: "the reduction axis is not the last one" });
    });

    it("broadcast or non-contiguous inputs", () => {
      const row = f32([1, N], random, (u) => u);
      new Poisson()(row, yPred);
      expect(simdStatus().lastRun).toEqual({ loss: "poisson", path: "javascript", reason: "yTrue and yPred are not contiguous float32 tensors of one shape" });
      const loss = new LogCosh();
      const simdValue = loss(yTrue, yPred) as number;
      expect(simdStatus().lastRun?.path).toBe("simd");
      // the same numbers as a transposed (non-contiguous) view
      const src = yPred.toTypedArray();
      const transposed = new Float32Array(B * N);
      for (let r = 0; r < B; r++) for (let k = 0; k < N; k++) transposed[k * B + r] = src[r * N + k]!;
      const view = moveAxis(new Tensor(transposed, [N, B]), 0, 1);
      expect(view.isContiguous).toBe(false);
      const jsValue = loss(yTrue, view) as number;
      expect(simdStatus().lastRun).toEqual({ loss: "log_cosh", path: "javascript", reason: "yTrue and yPred are not contiguous float32 tensors of one shape" });
      expect(Math.abs(jsValue - simdValue)).toBeLessThanOrEqual(BOUND * Math.abs(jsValue));
    });

    it("sparse categorical crossentropy on probabilities (the SIMD kernel takes logits)", () => {
      const labels = f32([B], random, (u) => Math.floor(u * N));
      new SparseCategoricalCrossentropy()(labels, yPred);
      expect(simdStatus().lastRun).toEqual({ loss: "sparse_categorical_crossentropy", path: "javascript", reason: "the SIMD kernel takes logits only" });
    });

    it("bad labels still throw the loss's own InputError", () => {
      const labels = f32([B], random, () => N + 1);
      expect(() => new SparseCategoricalCrossentropy({ fromLogits: true })(labels, yPred)).toThrow(/sparse_categorical_crossentropy: yTrue must hold integer class indices/);
    });
  });
});
