/**
 * Custom losses as the Keras guides write them, built from `ops`: `Loss` subclasses with
 * and without `backward`, functions wrapped by `LossFunctionWrapper` (with extra options
 * and a `backward`), their own masks, registration and serialization. Expected values
 * are Keras's (losses_test.py) or computed by hand in the comments next to them.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ConfigError,
  GradientNotImplementedError,
  InputError,
  Loss,
  LossFunctionWrapper,
  MeanSquaredError,
  ShapeError,
  Tensor,
  deserializeLoss,
  getLoss,
  numericalGrad,
  ops,
  registerLoss,
  serializeLoss,
  tensor,
  type LossConfig,
  type LossFunctionWrapperOptions,
  type LossOptions,
  type Reduction,
  type TensorLike,
} from "../src/index";
import { expectClose, expectGradMatches, randomTensor, rng, snapshot } from "./helpers";

const REDUCTIONS: Reduction[] = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

// ---------------------------------------------------------------------------------------
// The custom losses under test

/** The Keras `Loss` docstring's subclass: `ops.mean(ops.square(y_pred - y_true), axis=-1)`. */
class OpsMeanSquaredError extends Loss {
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return ops.mean(ops.square(ops.subtract(yPred, yTrue)), -1);
  }
}

/** The losses guide's `my_loss_fn`: a plain function, wrapped by getLoss / LossFunctionWrapper. */
function myLossFn(yTrue: Tensor, yPred: Tensor): Tensor {
  const squaredDifference = ops.square(ops.subtract(yTrue, yPred));
  return ops.mean(squaredDifference, -1); // note the axis=-1
}

interface CustomMSEOptions extends LossOptions {
  regularizationFactor?: number;
}

/**
 * The training guide's `CustomMSE`: MSE plus a term that pulls predictions towards 0.5,
 * `mean((yTrue - yPred)^2) + regularizationFactor * mean((0.5 - yPred)^2)` over the last axis.
 */
class CustomMSE extends Loss {
  readonly regularizationFactor: number;

  constructor({ regularizationFactor = 0.1, ...options }: CustomMSEOptions = {}) {
    super(options);
    this.regularizationFactor = regularizationFactor;
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const mse = ops.mean(ops.square(ops.subtract(yTrue, yPred)), -1);
    const reg = ops.mean(ops.square(ops.subtract(0.5, yPred)), -1);
    return ops.add(mse, ops.multiply(reg, this.regularizationFactor));
  }

  getConfig(): LossConfig {
    return { ...super.getConfig(), regularizationFactor: this.regularizationFactor };
  }
}

/** CustomMSE with its gradient: d/dp = (2/n) ((p - t) + f (p - 0.5)), scaled by the upstream of its row. */
class CustomMSEWithGrad extends CustomMSE {
  backward(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor {
    const n = yPred.shape[yPred.rank - 1]!;
    const perElement = ops.add(ops.subtract(yPred, yTrue), ops.multiply(ops.subtract(yPred, 0.5), this.regularizationFactor));
    return ops.multiply(ops.multiply(perElement, 2 / n), ops.expandDims(upstream, -1));
  }
}

/**
 * MSE that ignores rows whose labels hold a negative value: it returns its own mask with
 * the per-sample values (`{ values, mask }`), as Keras's `_keras_mask` (the mechanism `ignoreClass` uses).
 */
class MaskedMSE extends Loss {
  call(yTrue: Tensor, yPred: Tensor) {
    const values = ops.mean(ops.square(ops.subtract(yPred, yTrue)), -1);
    return { values, mask: ops.greater(ops.min(yTrue, -1), -1e-12) };
  }
  backward(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor {
    const n = yPred.shape[yPred.rank - 1]!;
    return ops.multiply(ops.multiply(ops.subtract(yPred, yTrue), 2 / n), ops.expandDims(upstream, -1));
  }
}

const EPSILON = 1e-7;

/**
 * A focal-like binary loss with extra options, for `LossFunctionWrapper`:
 * `mean(-w (1 - pt)^gamma log(pt))` over the last axis, with `p = clip(yPred, eps, 1 - eps)`,
 * `pt = y p + (1 - y)(1 - p)` and `w = alpha y + (1 - alpha)(1 - y)`.
 */
function binaryFocalLike(yTrue: Tensor, yPred: Tensor, options: Record<string, unknown> = {}): Tensor {
  const { gamma = 2, alpha = 0.25 } = options as { gamma?: number; alpha?: number };
  const p = ops.clip(yPred, EPSILON, 1 - EPSILON);
  const pt = ops.add(ops.multiply(yTrue, p), ops.multiply(ops.subtract(1, yTrue), ops.subtract(1, p)));
  const w = ops.add(ops.multiply(yTrue, alpha), ops.multiply(ops.subtract(1, yTrue), 1 - alpha));
  const modulator = ops.pow(ops.subtract(1, pt), gamma);
  return ops.mean(ops.negative(ops.multiply(ops.multiply(w, modulator), ops.log(pt))), -1);
}

/**
 * Its gradient. `dpt/dp = 2y - 1`; `d/dpt[-(1-pt)^g log pt] = g (1-pt)^(g-1) log pt - (1-pt)^g / pt`;
 * zero where the clip is active (TensorFlow's clip passes gradient only inside [min, max]).
 */
function binaryFocalLikeBackward(yTrue: Tensor, yPred: Tensor, upstream: Tensor, options: Record<string, unknown> = {}): Tensor {
  const { gamma = 2, alpha = 0.25 } = options as { gamma?: number; alpha?: number };
  const n = yPred.shape[yPred.rank - 1]!;
  const inside = ops.multiply(ops.equal(ops.less(yPred, EPSILON), 0), ops.equal(ops.greater(yPred, 1 - EPSILON), 0));
  const p = ops.clip(yPred, EPSILON, 1 - EPSILON);
  const pt = ops.add(ops.multiply(yTrue, p), ops.multiply(ops.subtract(1, yTrue), ops.subtract(1, p)));
  const w = ops.add(ops.multiply(yTrue, alpha), ops.multiply(ops.subtract(1, yTrue), 1 - alpha));
  const q = ops.subtract(1, pt);
  const logTerm = gamma === 0 ? 0 : ops.multiply(ops.multiply(ops.pow(q, gamma - 1), gamma), ops.log(pt));
  const dPt = ops.subtract(logTerm, ops.divide(ops.pow(q, gamma), pt));
  const dP = ops.multiply(ops.multiply(dPt, ops.subtract(ops.multiply(yTrue, 2), 1)), ops.multiply(w, inside));
  return ops.multiply(ops.multiply(dP, 1 / n), ops.expandDims(upstream, -1));
}

/** The focal-like function as a class, as the built-in losses are made (keeps its backward through serialization). */
class BinaryFocalLike extends LossFunctionWrapper {
  constructor(options: LossFunctionWrapperOptions = {}) {
    super(binaryFocalLike, { name: "binary_focal_like", backward: binaryFocalLikeBackward, ...options });
  }
}

/** Softmax crossentropy from logits with ops: `logsumexp(z) - Σ y z`, stable for any logits. */
function softmaxCrossentropyFromLogits(yTrue: Tensor, logits: Tensor): Tensor {
  return ops.subtract(ops.logsumexp(logits, -1), ops.sum(ops.multiply(yTrue, logits), -1));
}

/** Its gradient: `softmax(z) Σ y - y`. */
function softmaxCrossentropyBackward(yTrue: Tensor, logits: Tensor, upstream: Tensor): Tensor {
  const softmax = ops.exp(ops.subtract(logits, ops.logsumexp(logits, -1, true)));
  const grad = ops.subtract(ops.multiply(softmax, ops.sum(yTrue, -1, true)), yTrue);
  return ops.multiply(grad, ops.expandDims(upstream, -1));
}

// ---------------------------------------------------------------------------------------

describe("Keras guide custom losses, with Keras's numbers (losses_test.py MeanSquaredErrorTest)", () => {
  // Keras's assertAlmostEqual: 3 decimals (|a - b| < 1.5e-3).
  const keras = { rtol: 0, atol: 1.5e-3 };
  const yTrue = [[1, 9, 2], [-5, -2, 6]];
  const yPred = new Float32Array([4, 8, 12, 8, 1, 3]);
  const pred = tensor(yPred, [2, 3]);
  const subclass = () => new OpsMeanSquaredError();
  const wrapped = () => getLoss(myLossFn);

  for (const [label, make] of [["Loss subclass (Loss docstring)", subclass], ["wrapped function (my_loss_fn)", wrapped]] as const) {
    describe(label, () => {
      it("test_all_correct_unweighted / test_unweighted: 0 and 49.5", () => {
        expectClose(make()(yTrue, yTrue) as number, 0, keras);
        expectClose(make()(yTrue, pred) as number, 49.5, keras);
      });
      it("test_scalar_weighted: 113.85; test_zero_weighted: 0", () => {
        expectClose(make()(yTrue, pred, 2.3) as number, 113.85, keras);
        expectClose(make()(yTrue, pred, 0) as number, 0, keras);
      });
      it("test_sample_weighted: 767.8 / 6", () => {
        expectClose(make()(yTrue, pred, [[1.2], [3.4]]) as number, 767.8 / 6, keras);
      });
      it("test_timestep_weighted: 97.833336", () => {
        const t = tensor([1, 9, 2, -5, -2, 6], [2, 3, 1]);
        const p = tensor([4, 8, 12, 8, 1, 3], [2, 3, 1]);
        expectClose(make()(t, p, tensor([3, 6, 5, 0, 4, 2], [2, 3])) as number, 97.833336, keras);
      });
    });
  }

  it("test_no_reduction / test_sum_reduction / test_mean_with_sample_weight_reduction", () => {
    expectClose(new OpsMeanSquaredError({ reduction: null })(yTrue, pred, 2.3) as Tensor, [84.3333, 143.3666], keras);
    expectClose(new LossFunctionWrapper(myLossFn, { reduction: "none" })(yTrue, pred, 2.3) as Tensor, [84.3333, 143.3666], keras);
    expectClose(new OpsMeanSquaredError({ reduction: "sum" })(yTrue, pred, 2.3) as number, 227.69998, keras);
    expectClose(
      new OpsMeanSquaredError({ reduction: "mean_with_sample_weight" })(yTrue, pred, [[1.2], [3.4]]) as number,
      ((110 / 3) * 1.2 + (187 / 3) * 3.4) / (1.2 + 3.4),
      keras,
    );
  });

  it("the training guide's CustomMSE: per-sample 0.5 + 0.1 * 0.25 = 0.525", () => {
    // rows: mse = 0.5 each; reg = mean((0.5 - [1,1])^2) = mean((0.5 - [1,0])^2) = 0.25
    const loss = new CustomMSE();
    expect(loss.name).toBe("custom_mse");
    expectClose(loss([[0, 1], [0, 0]], [[1, 1], [1, 0]]) as number, 0.525, { rtol: 1e-6, atol: 0 });
    expectClose(new CustomMSE({ regularizationFactor: 1, reduction: "none" })([[0, 1], [0, 0]], [[1, 1], [1, 0]]) as Tensor, [0.75, 0.75]);
  });

  it("returns float32 like Keras's floatx, float64 with dtype: 'float64'", () => {
    const none = new CustomMSE({ reduction: "none" })([[0, 1]], [[0.1, 0.7]]) as Tensor;
    expect(none.dtype).toBe("float32");
    const none64 = new CustomMSE({ reduction: "none", dtype: "float64" })([[0, 1]], [[0.1, 0.7]]) as Tensor;
    expect(none64.dtype).toBe("float64");
    // (0.01 + 0.09)/2 + 0.1 * (0.16 + 0.04)/2 = 0.05 + 0.01
    expectClose(none64, [0.06], { rtol: 1e-15, atol: 1e-16 });
  });
});

describe("sampleWeight, mask and every reduction on a custom loss (hand-computed)", () => {
  // Per-sample values of OpsMeanSquaredError: rows (1+1)/2, (4+0)/2, 0, (9+1)/2 = [1, 2, 0, 5].
  const yTrue = [[0, 0], [0, 0], [0, 0], [0, 0]];
  const yPred = [[1, 1], [2, 0], [0, 0], [3, 1]];
  const w = [1, 0.5, 2, 0.2];
  const mask = [1, 0, 1, 1];
  const expected: Record<string, Record<Reduction, number | number[]>> = {
    // Σ = 8 over 4 values
    none: { none: [1, 2, 0, 5], sum: 8, sum_over_batch_size: 2, mean: 2, mean_with_sample_weight: 2 },
    // × 2; Keras divides mean_with_sample_weight by Σ sample_weight = 2 (the scalar itself)
    scalar: { none: [2, 4, 0, 10], sum: 16, sum_over_batch_size: 4, mean: 4, mean_with_sample_weight: 8 },
    // × w = [1, 1, 0, 1]: Σ = 3, Σw = 3.7
    perSample: { none: [1, 1, 0, 1], sum: 3, sum_over_batch_size: 0.75, mean: 0.75, mean_with_sample_weight: 3 / 3.7 },
    // mask drops the 2: Σ = 6 over 3 valid values
    mask: { none: [1, 0, 0, 5], sum: 6, sum_over_batch_size: 2, mean: 2, mean_with_sample_weight: 2 },
    // w·mask = [1, 0, 2, 0.2]: weighted values [1, 0, 0, 1], Σ = 2; 3 valid; Σ w·mask = 3.2
    maskAndWeight: { none: [1, 0, 0, 1], sum: 2, sum_over_batch_size: 2 / 3, mean: 2 / 3, mean_with_sample_weight: 2 / 3.2 },
  };
  const calls: Record<string, [TensorLike | null, TensorLike | null]> = {
    none: [null, null],
    scalar: [2, null],
    perSample: [w, null],
    mask: [null, mask],
    maskAndWeight: [w, mask],
  };

  for (const reduction of REDUCTIONS) {
    it(`reduction "${reduction}": no weight, scalar, per-sample, mask, mask and weight`, () => {
      for (const [key, [sampleWeight, m]] of Object.entries(calls)) {
        for (const loss of [new OpsMeanSquaredError({ reduction }), new LossFunctionWrapper(myLossFn, { reduction })]) {
          const got = loss(yTrue, yPred, sampleWeight, m === null ? undefined : { mask: m });
          const want = expected[key]![reduction];
          if (Array.isArray(want)) expectClose(got as Tensor, want, { rtol: 1e-6, atol: 0 });
          else expectClose(got as number, want, { rtol: 1e-6, atol: 0 });
        }
      }
    });
  }

  it("per-element weights over per-sample values of shape [batch, time]", () => {
    // values [[9, 1, 100], [169, 9, 9]] × [[1, 0, 2], [0.5, 1, 0]] = [[9, 0, 200], [84.5, 9, 0]]; Σ = 302.5
    const t = tensor([1, 9, 2, -5, -2, 6], [2, 3, 1]);
    const p = tensor([4, 8, 12, 8, 1, 3], [2, 3, 1]);
    const sw = [[1, 0, 2], [0.5, 1, 0]];
    expectClose(new OpsMeanSquaredError({ reduction: "sum" })(t, p, sw) as number, 302.5, { rtol: 1e-6, atol: 0 });
    expectClose(new OpsMeanSquaredError()(t, p, sw) as number, 302.5 / 6, { rtol: 1e-6, atol: 0 });
    expectClose(new OpsMeanSquaredError({ reduction: "mean_with_sample_weight" })(t, p, sw) as number, 302.5 / 4.5, { rtol: 1e-6, atol: 0 });
  });

  it("an all-false mask gives 0, not NaN", () => {
    expect(new OpsMeanSquaredError()(yTrue, yPred, null, { mask: [0, 0, 0, 0] })).toBe(0);
  });

  it("a custom loss's own mask (Keras's _keras_mask), combined with the caller's mask by AND", () => {
    // Row 1 has negative labels, so the loss masks it: values [1, 5, 0, 5] with mask [1, 0, 1, 1]
    const t = [[0, 0], [-1, -1], [0, 0], [0, 0]];
    const loss = new MaskedMSE();
    expectClose(loss(t, yPred) as number, (1 + 0 + 5) / 3, { rtol: 1e-6, atol: 0 });
    // Caller's mask [1, 1, 0, 1] AND own [1, 0, 1, 1] = [1, 0, 0, 1]: (1 + 5) / 2
    expectClose(loss(t, yPred, null, { mask: [1, 1, 0, 1] }) as number, 3, { rtol: 1e-6, atol: 0 });
    expectClose(new MaskedMSE({ reduction: "sum" })(t, yPred, [1, 1, 1, 2]) as number, 1 + 0 + 10, { rtol: 1e-6, atol: 0 });
  });
});

describe("a focal-like custom loss via LossFunctionWrapper with extra options", () => {
  it("values (hand-computed), defaults gamma=2 alpha=0.25 and explicit options", () => {
    // Row [y=1, p=.5], [y=0, p=.5]: (.25·.25·ln2 + .75·.25·ln2)/2 = .125 ln2
    // Row [y=0, p=.9], [y=1, p=.8]: (.75·.81·ln10 + .25·.04·(-ln .8))/2
    const yTrue = [[1, 0], [0, 1]];
    const yPred = [[0.5, 0.5], [0.9, 0.8]];
    const row1 = 0.125 * Math.LN2;
    const row2 = (0.75 * 0.81 * Math.log(10) + 0.25 * 0.04 * -Math.log(0.8)) / 2;
    const loss = new LossFunctionWrapper(binaryFocalLike, { reduction: "none", name: "focal_like" });
    expectClose(loss(yTrue, yPred) as Tensor, [row1, row2], { rtol: 1e-6, atol: 0 });
    expectClose(new LossFunctionWrapper(binaryFocalLike)(yTrue, yPred) as number, (row1 + row2) / 2, { rtol: 1e-6, atol: 0 });
    // gamma = 0, alpha = 0.5 is half the binary crossentropy: row 2 = (ln 10 - ln .8) / 4
    const halfBce = new LossFunctionWrapper(binaryFocalLike, { gamma: 0, alpha: 0.5, reduction: "none" });
    expectClose(halfBce(yTrue, yPred) as Tensor, [Math.LN2 / 2, (Math.log(10) - Math.log(0.8)) / 4], { rtol: 1e-6, atol: 0 });
    expect(halfBce.getConfig()).toEqual({ name: "binary_focal_like", reduction: "none", dtype: "float32", gamma: 0, alpha: 0.5 });
  });

  it("clips like Keras, in float32: p = 0 or 1 gives a finite loss, and zero gradient there", () => {
    const loss = new BinaryFocalLike({ gamma: 0, alpha: 0.5, reduction: "none" });
    // p = 0 with y = 1: pt = float32(1e-7); p = 1 with y = 0: pt = 1 - float32(1 - 1e-7) = 2^-23
    const f32 = Math.fround;
    const expected = (0.5 * -Math.log(f32(1e-7)) + 0.5 * -Math.log(1 - f32(1 - 1e-7))) / 2;
    expect(1 - f32(1 - 1e-7)).toBe(2 ** -23);
    expectClose(loss([[1, 0]], [[0, 1]]) as Tensor, [expected], { rtol: 1e-6, atol: 0 });
    const zero = (t: Tensor) => Array.from(t.data).every((v) => v === 0);
    expect(zero(loss.grad([[1, 0]], [[0, 1]]))).toBe(true);
    expect(zero(loss.grad([[1, 0]], [[-0.5, 1.5]]))).toBe(true);
    expect(zero(loss.grad([[1, 0]], [[0.5, 0.5]]))).toBe(false);
  });
});

describe("custom gradients: backward checked by numericalGrad", () => {
  const random = rng(20240521);
  // Predictions in (0.05, 0.95): away from the focal loss's clip; quadratic losses have no kinks.
  const t = randomTensor([4, 3], random, (u) => (u < 0.5 ? 0 : 1));
  const p = randomTensor([4, 3], random, (u) => 0.05 + 0.9 * u);
  const softTrue = randomTensor([4, 3], random);
  const t3 = randomTensor([2, 3, 2], random);
  const p3 = randomTensor([2, 3, 2], random, (u) => 2 * u - 1);

  it("numericalGrad agrees with CustomMSE's backward (bound 1e-9 absolute; the loss is quadratic)", () => {
    const loss = new CustomMSEWithGrad({ regularizationFactor: 0.3 });
    const analytic = loss.grad(softTrue, p);
    const numeric = numericalGrad(loss, softTrue, p);
    expectClose(analytic, Array.from(numeric.data), { rtol: 0, atol: 1e-9 });
  });

  for (const reduction of REDUCTIONS) {
    it(`CustomMSE backward, reduction "${reduction}": unweighted, scalar, per-sample, per-element, mask (rtol 1e-6)`, () => {
      const loss = new CustomMSEWithGrad({ reduction, regularizationFactor: 0.2 });
      expectGradMatches(loss, softTrue, p, undefined, { rtol: 1e-6 });
      expectGradMatches(loss, softTrue, p, 1.7, { rtol: 1e-6 });
      expectGradMatches(loss, softTrue, p, [0.3, 1, 0, 2.5], { rtol: 1e-6 });
      expectGradMatches(loss, t3, p3, [[1, 0.5, 0], [2, 1, 0.25]], { rtol: 1e-6 });
      expectGradMatches(loss, softTrue, p, [0.3, 1, 0.7, 2.5], { rtol: 1e-6, mask: [1, 0, 1, 1] });
    });
  }

  it("a loss with its own mask: the upstream already carries it", () => {
    const tMasked = new Tensor(Float64Array.from(softTrue.data), [4, 3]);
    (tMasked.data as Float64Array)[3] = -1; // row 1 is ignored by MaskedMSE
    for (const reduction of REDUCTIONS) {
      const loss = new MaskedMSE({ reduction });
      expectGradMatches(loss, tMasked, p, [1, 2, 3, 4], { rtol: 1e-6, mask: [1, 1, 0, 1] });
      const g = loss.grad(tMasked, p);
      expect([g.get(1, 0), g.get(1, 1), g.get(1, 2)].every((v) => v === 0)).toBe(true);
    }
  });

  it("the focal-like wrapper's backward, for gamma/alpha combinations and every reduction (rtol 1e-5)", () => {
    for (const [gamma, alpha] of [[2, 0.25], [0, 0.5], [1.5, 0.8], [3, 0.1]] as const) {
      for (const reduction of REDUCTIONS) {
        const loss = new BinaryFocalLike({ gamma, alpha, reduction });
        expectGradMatches(loss, t, p, [0.5, 1, 2, 0], { rtol: 1e-5 });
        expectGradMatches(new LossFunctionWrapper(binaryFocalLike, { gamma, alpha, reduction, backward: binaryFocalLikeBackward }), softTrue, p, undefined, {
          rtol: 1e-5,
          mask: [1, 1, 0, 1],
        });
      }
    }
  });

  it("a softmax crossentropy from logits with ops: stable at ±1e4 and its gradient (rtol 1e-6)", () => {
    const loss = new LossFunctionWrapper(softmaxCrossentropyFromLogits, { reduction: "none", backward: softmaxCrossentropyBackward });
    // logsumexp([1e4, -1e4]) - (-1e4) = 2e4; logsumexp([0, ln 3]) - 0 = ln 4
    expectClose(loss([[0, 1], [1, 0]], [[1e4, -1e4], [0, Math.log(3)]]) as Tensor, [2e4, Math.log(4)], { rtol: 1e-6, atol: 0 });
    const g = loss.grad([[0, 1]], [[1e4, -1e4]]);
    expect(Array.from(g.data)).toEqual([1, -1]);
    const logits = randomTensor([4, 3], random, (u) => 6 * u - 3);
    const soft = ops.divide(softTrue, ops.sum(softTrue, -1, true));
    for (const reduction of REDUCTIONS) {
      const l = new LossFunctionWrapper(softmaxCrossentropyFromLogits, { reduction, backward: softmaxCrossentropyBackward });
      expectGradMatches(l, soft, logits, [1, 0.5, 2, 0.1], { rtol: 1e-6 });
    }
  });
});

describe("custom losses without backward", () => {
  it("grad() and valueAndGrad() throw a GradientNotImplementedError that says how to add one", () => {
    const subclass = new CustomMSE();
    expect(() => subclass.grad([[0, 1]], [[1, 1]])).toThrow(GradientNotImplementedError);
    expect(() => subclass.grad([[0, 1]], [[1, 1]])).toThrow("CustomMSE (custom_mse) has no backward(): implement backward(yTrue, yPred, upstream)");
    expect(() => subclass.valueAndGrad([[0, 1]], [[1, 1]])).toThrow("numericalGrad(loss, yTrue, yPred) checks it");
    const wrapped = getLoss(myLossFn);
    expect(() => wrapped.grad([[0, 1]], [[1, 1]])).toThrow(GradientNotImplementedError);
    expect(() => wrapped.grad([[0, 1]], [[1, 1]])).toThrow("my_loss_fn has no gradient: pass { backward: (yTrue, yPred, upstream) => grad } to LossFunctionWrapper");
  });

  it("numericalGrad still works on them: it is how a backward is checked", () => {
    // d/dp of mean over 2 elements of (p - t)^2, sum over batch size 1: p - t
    const g = numericalGrad(new OpsMeanSquaredError(), [[0, 1]], [[1, 3]]);
    expectClose(g, [[1, 2]], { rtol: 1e-6, atol: 1e-8 });
  });
});

describe("registerLoss, getLoss, serializeLoss / deserializeLoss, getConfig / fromConfig", () => {
  registerLoss("CustomMSE", CustomMSE);
  registerLoss("BinaryFocalLike", BinaryFocalLike);
  registerLoss("my_loss_fn", myLossFn);
  registerLoss("binary_focal_like_fn", binaryFocalLike);
  const yTrue = [[0, 1], [1, 0]];
  const yPred = [[0.2, 0.6], [0.7, 0.1]];

  it("getLoss finds a registered class by its name, snake_case, any case, or { className, config }", () => {
    for (const name of ["CustomMSE", "custom_mse", "customMse", "CUSTOM_MSE"]) {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(CustomMSE);
      expectClose(loss(yTrue, yPred) as number, new CustomMSE()(yTrue, yPred) as number, { rtol: 0, atol: 0 });
    }
    const fromObject = getLoss({ className: "CustomMSE", config: { regularizationFactor: 0.5, reduction: "sum" } });
    expect(fromObject).toBeInstanceOf(CustomMSE);
    expect((fromObject as CustomMSE).regularizationFactor).toBe(0.5);
    expect(fromObject.reduction).toBe("sum");
  });

  it("a registered class round-trips through JSON with its own options, and keeps its value", () => {
    const loss = new CustomMSE({ regularizationFactor: 0.3, reduction: "sum", name: "my_mse" });
    const serialized = serializeLoss(loss);
    expect(serialized).toEqual({ className: "CustomMSE", config: { name: "my_mse", reduction: "sum", dtype: "float32", regularizationFactor: 0.3 } });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serialized)));
    expect(back).toBeInstanceOf(CustomMSE);
    expect(back.getConfig()).toEqual(loss.getConfig());
    expect(back(yTrue, yPred)).toBe(loss(yTrue, yPred));
    // Keras's JSON spelling: class_name and snake_case option names
    const keras = deserializeLoss({ class_name: "CustomMSE", config: { name: "k", reduction: "mean", regularization_factor: 0.7 } });
    expect((keras as CustomMSE).regularizationFactor).toBe(0.7);
  });

  it("fromConfig(getConfig()) rebuilds an equal loss", () => {
    const loss = new CustomMSE({ regularizationFactor: 0.9, reduction: "mean_with_sample_weight", dtype: "float64" });
    const copy = CustomMSE.fromConfig(loss.getConfig());
    expect(copy).toBeInstanceOf(CustomMSE);
    expect(copy.getConfig()).toEqual(loss.getConfig());
    expect(copy(yTrue, yPred, [1, 2])).toBe(loss(yTrue, yPred, [1, 2]));
    const focal = new BinaryFocalLike({ gamma: 1, alpha: 0.6, reduction: "sum" });
    const focalCopy = BinaryFocalLike.fromConfig(focal.getConfig());
    expect(focalCopy.getConfig()).toEqual({ name: "binary_focal_like", reduction: "sum", dtype: "float32", gamma: 1, alpha: 0.6 });
    expect(focalCopy(yTrue, yPred)).toBe(focal(yTrue, yPred));
  });

  it("a registered LossFunctionWrapper subclass keeps its options and its backward through serialization", () => {
    const loss = new BinaryFocalLike({ gamma: 1.5, alpha: 0.4, reduction: "sum" });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(back).toBeInstanceOf(BinaryFocalLike);
    expect(back(yTrue, yPred)).toBe(loss(yTrue, yPred));
    expect(Array.from(back.grad(yTrue, yPred).data)).toEqual(Array.from(loss.grad(yTrue, yPred).data));
    expect(getLoss("binary_focal_like")).toBeInstanceOf(BinaryFocalLike);
  });

  it("a registered function: getLoss wraps it, serializeLoss names it, options survive", () => {
    const plain = getLoss("my_loss_fn");
    expect(plain).toBeInstanceOf(LossFunctionWrapper);
    expect(plain.name).toBe("my_loss_fn");
    expectClose(plain(yTrue, yPred) as number, (0.04 + 0.16 + 0.09 + 0.01) / 4, { rtol: 1e-6, atol: 0 });
    expect(serializeLoss(plain)).toEqual({ className: "LossFunctionWrapper", config: { name: "my_loss_fn", reduction: "sum_over_batch_size", dtype: "float32", fn: "my_loss_fn" } });

    const focal = new LossFunctionWrapper(binaryFocalLike, { gamma: 1, alpha: 0.7, reduction: "none", name: "focal" });
    const serialized = serializeLoss(focal);
    expect(serialized).toEqual({
      className: "LossFunctionWrapper",
      config: { name: "focal", reduction: "none", dtype: "float32", gamma: 1, alpha: 0.7, fn: "binary_focal_like_fn" },
    });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serialized)));
    expect(back.getConfig()).toEqual(focal.getConfig());
    expect(Array.from((back(yTrue, yPred) as Tensor).data)).toEqual(Array.from((focal(yTrue, yPred) as Tensor).data));
  });

  it("refuses what it cannot register or serialize, and says what to do", () => {
    class Unregistered extends OpsMeanSquaredError {}
    expect(() => serializeLoss(new Unregistered())).toThrow(ConfigError);
    expect(() => serializeLoss(new Unregistered())).toThrow('register it with registerLoss("Unregistered", Unregistered) first');
    expect(() => serializeLoss(new LossFunctionWrapper((a: Tensor, b: Tensor) => ops.abs(ops.subtract(a, b))))).toThrow(
      "its function is not registered; call registerLoss(name, fn) first",
    );
    expect(() => registerLoss("bad", { call: myLossFn } as never)).toThrow("needs a Loss subclass or a function");
    expect(() => deserializeLoss({ className: "LossFunctionWrapper", config: { fn: "never_registered" } })).toThrow('config.fn "never_registered" is not a registered function');
  });
});

describe("property test (fast-check): custom losses written with ops", () => {
  const shapes = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1 }));

  it("per-sample shape, non-negative, zero at a perfect prediction, mean of per-sample values, equal to the built-in MSE, inputs unchanged", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.constantFrom(...REDUCTIONS), ([batch, n, extra], seed, reduction) => {
        const shape = extra ? [batch, 2, n] : [batch, n];
        const random = rng(seed);
        const t = randomTensor(shape, random, (u) => 4 * u - 2);
        const p = randomTensor(shape, random, (u) => 4 * u - 2);
        const sw = randomTensor(shape.slice(0, -1), random);
        const before = [snapshot(t), snapshot(p), snapshot(sw)];

        const perSample = new CustomMSE({ reduction: "none" })(t, p) as Tensor;
        expect(perSample.shape).toEqual(shape.slice(0, -1));
        for (const v of perSample.data) expect(v).toBeGreaterThanOrEqual(0);
        // CustomMSE at a perfect prediction of 0.5 everywhere is 0 (both terms vanish).
        const half = new Tensor(new Float64Array(t.size).fill(0.5), shape);
        for (const v of (new CustomMSE({ reduction: "none" })(half, half) as Tensor).data) expect(v).toBe(0);
        expect(new OpsMeanSquaredError()(t, t)).toBe(0);

        const mean = Array.from(perSample.data).reduce((a, b) => a + b, 0) / perSample.size;
        expectClose(new CustomMSE()(t, p) as number, mean, { rtol: 1e-6, atol: 1e-7 });

        // The ops version equals the built-in kernel for every reduction and weighting.
        const builtin = new MeanSquaredError({ reduction })(t, p, sw);
        const custom = new OpsMeanSquaredError({ reduction })(t, p, sw);
        const wrapped = new LossFunctionWrapper(myLossFn, { reduction })(t, p, sw);
        for (const got of [custom, wrapped]) {
          if (typeof builtin === "number") expectClose(got as number, builtin, { rtol: 1e-6, atol: 1e-7 });
          else expectClose(got as Tensor, Array.from(builtin.data), { rtol: 1e-6, atol: 1e-7 });
        }
        expect([snapshot(t), snapshot(p), snapshot(sw)]).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });
});

describe("errors inside custom losses", () => {
  it("ops errors surface with both shapes", () => {
    expect(() => new OpsMeanSquaredError()([[1, 2, 3]], [[1, 2, 3, 4]])).toThrow(ShapeError);
    expect(() => new OpsMeanSquaredError()([[1, 2, 3]], [[1, 2, 3, 4]])).toThrow("ops.subtract: x1 has shape [1,4] but x2 has shape [1,3]");
  });

  it("a call() result that is not a tensor, and a backward of the wrong shape", () => {
    class BadCall extends Loss {
      call(): TensorLike {
        return "oops" as never;
      }
    }
    expect(() => new BadCall()([1], [1])).toThrow(InputError);
    expect(() => new BadCall()([1], [1])).toThrow("BadCall.call() result must be a number");
    class BadBackward extends OpsMeanSquaredError {
      backward(_t: Tensor, _p: Tensor, upstream: Tensor): Tensor {
        return upstream;
      }
    }
    expect(() => new BadBackward().grad([[0, 1]], [[1, 1]])).toThrow("BadBackward.backward returned shape [1], expected yPred's shape [1,2]");
  });

  it("sample weights that do not fit the per-sample values", () => {
    expect(() => new CustomMSE()([[0, 1], [1, 0]], [[0, 1], [1, 0]], [1, 2, 3])).toThrow(ShapeError);
    expect(() => new CustomMSE()([[0, 1], [1, 0]], [[0, 1], [1, 0]], [1, 2, 3])).toThrow("sampleWeight has shape [3] but the per-sample losses have shape [2]");
  });

  it("LossFunctionWrapper refuses a non-function fn or backward", () => {
    expect(() => new LossFunctionWrapper(3 as never)).toThrow("LossFunctionWrapper needs a function (yTrue, yPred) => per-sample values, received 3");
    expect(() => new LossFunctionWrapper(myLossFn, { backward: "grad" as never })).toThrow('backward must be a function, received "grad"');
  });
});
