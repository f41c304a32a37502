import { describe, expect, it } from "vitest";
import {
  ConfigError,
  GradientNotImplementedError,
  Loss,
  LossFunctionWrapper,
  MeanAbsoluteError,
  MeanSquaredError,
  ShapeError,
  Tensor,
  getLoss,
  meanSquaredError,
  squeezeOrExpandToSameRank,
  tensor,
  reshape,
} from "../src/index";
import { expectClose, expectGradMatches, rng, randomTensor } from "./helpers";

/** Keras's loss_test.py ExampleLoss: (y_true - y_pred) ** 2, elementwise. */
class ExampleLoss extends Loss {
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const a = yTrue.toTypedArray("float64");
    const b = yPred.toTypedArray("float64");
    const out = new Float64Array(b.length);
    for (let i = 0; i < out.length; i++) out[i] = (a[i]! - b[i]!) ** 2;
    return new Tensor(out, yPred.shape);
  }
  backward(yTrue: Tensor, yPred: Tensor, upstream: Tensor): Tensor {
    const a = yTrue.toTypedArray("float64");
    const b = yPred.toTypedArray("float64");
    const u = upstream.toTypedArray("float64");
    const out = new Float64Array(b.length);
    for (let i = 0; i < out.length; i++) out[i] = 2 * (b[i]! - a[i]!) * u[i]!;
    return new Tensor(out, yPred.shape);
  }
}

const yTrue = [1.0, 0.0, 1.0, 0.0];
const yPred = [0.1, 0.2, 0.3, 0.4];
const squared = yTrue.map((t, i) => (t - yPred[i]!) ** 2);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("squeezeOrExpandToSameRank (loss_test.py test_squeeze_or_expand)", () => {
  const ones = (shape: number[]) => new Tensor(new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(1), shape);
  it("expands rank 1 against [n,1] and squeezes [n,m,1] against [n,m]", () => {
    let [a, b] = squeezeOrExpandToSameRank(ones([3]), ones([3, 1]));
    expect([a.shape, b.shape]).toEqual([[3, 1], [3, 1]]);
    [a, b] = squeezeOrExpandToSameRank(ones([3, 2]), ones([3, 2, 1]));
    expect([a.shape, b.shape]).toEqual([[3, 2], [3, 2]]);
    [b, a] = squeezeOrExpandToSameRank(ones([3, 1]), ones([3]));
    expect([a.shape, b.shape]).toEqual([[3, 1], [3, 1]]);
    [b, a] = squeezeOrExpandToSameRank(ones([3, 2, 1]), ones([3, 2]));
    expect([a.shape, b.shape]).toEqual([[3, 2], [3, 2]]);
  });
});

describe("reductions (loss_test.py test_reduction)", () => {
  it("none, sum, sum_over_batch_size, mean", () => {
    const none = new ExampleLoss({ reduction: null })(yTrue, yPred) as Tensor;
    expect(none).toBeInstanceOf(Tensor);
    expect(none.dtype).toBe("float32");
    expectClose(none, squared);
    expectClose(new ExampleLoss({ reduction: "none" })(yTrue, yPred) as Tensor, squared);
    expectClose(new ExampleLoss({ reduction: "sum" })(yTrue, yPred) as number, sum(squared));
    expectClose(new ExampleLoss({ reduction: "sum_over_batch_size" })(yTrue, yPred) as number, sum(squared) / 4);
    expectClose(new ExampleLoss()(yTrue, yPred) as number, sum(squared) / 4);
    expectClose(new ExampleLoss({ reduction: "mean" })(yTrue, yPred) as number, sum(squared) / 4);
  });

  it("refuses an unknown reduction at construction, listing the allowed values", () => {
    expect(() => new ExampleLoss({ reduction: "abc" as never })).toThrow(ConfigError);
    expect(() => new ExampleLoss({ reduction: "abc" as never })).toThrow(
      'Invalid value for argument reduction. Expected one of "sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none" or null. Received: reduction="abc"',
    );
  });

  it("mean_with_sample_weight divides by the sum of the weights", () => {
    const w = [0.4, 0.3, 0.2, 0.1];
    const weighted = squared.map((v, i) => v * w[i]!);
    expectClose(new ExampleLoss({ reduction: "mean_with_sample_weight" })(yTrue, yPred, w) as number, sum(weighted) / sum(w));
    // Without a sample weight it divides by the number of elements.
    expectClose(new ExampleLoss({ reduction: "mean_with_sample_weight" })(yTrue, yPred) as number, sum(squared) / 4);
    expect(new ExampleLoss({ reduction: "mean_with_sample_weight" })(yTrue, yPred, [0, 0, 0, 0])).toBe(0);
  });
});

describe("masks and sample weights (loss_test.py)", () => {
  const mask = [true, false, true, true];
  const maskedTrue = [1.0, 1.0, 0.0];
  const maskedPred = [0.1, 0.3, 0.4];
  const maskedSquared = maskedTrue.map((t, i) => (t - maskedPred[i]!) ** 2);

  it("test_mask: masked positions do not count, the mean is over the valid ones", () => {
    expectClose(new ExampleLoss()(yTrue, yPred, null, { mask }) as number, sum(maskedSquared) / 3);
    expect(new ExampleLoss()(yTrue, yPred, null, { mask: [false, false, false, false] })).toBe(0);
  });

  it("test_sample_weight, and all-zero weights give 0, not NaN", () => {
    const w = [0.4, 0.3, 0.2, 0.1];
    expectClose(new ExampleLoss()(yTrue, yPred, w) as number, sum(squared.map((v, i) => v * w[i]!)) / 4);
    expect(new ExampleLoss()(yTrue, yPred, [0, 0, 0, 0])).toBe(0);
  });

  it("test_mask_and_sample_weight", () => {
    const w = [0.4, 0.3, 0.2, 0.1];
    const maskedW = [0.4, 0.2, 0.1];
    expectClose(new ExampleLoss()(yTrue, yPred, w, { mask }) as number, sum(maskedSquared.map((v, i) => v * maskedW[i]!)) / 3);
  });

  it("test_mask_and_sample_weight_rank2: duplicated rows give the same loss", () => {
    const w = [0.4, 0.3, 0.2, 0.1];
    const rank1 = new ExampleLoss()(yTrue, yPred, w, { mask }) as number;
    const rank2 = new ExampleLoss()([yTrue, yTrue], [yPred, yPred], [w, w], { mask: [mask, mask] }) as number;
    expectClose(rank2, rank1);
  });

  it("test_rank_adjustment: mask, sample weight or ys with a trailing 1", () => {
    const w = [0.4, 0.3, 0.2, 0.1];
    const expected = sum(maskedSquared.map((v, i) => v * [0.4, 0.2, 0.1][i]!)) / 3;
    const col = (xs: unknown[]) => xs.map((x) => [x]);
    expectClose(new ExampleLoss()(yTrue, yPred, w, { mask: col(mask) as never }) as number, expected);
    expectClose(new ExampleLoss()(yTrue, yPred, col(w) as never, { mask }) as number, expected);
    expectClose(new ExampleLoss()(col(yTrue) as never, col(yPred) as never, w, { mask }) as number, expected);
  });

  it("test_mixed_dtypes: integer labels, float64 weights", () => {
    const w = new Float64Array([0.4, 0.3, 0.2, 0.1]);
    const loss = new ExampleLoss()(new Int32Array([1, 0, 1, 0]), new Float32Array(yPred), w) as number;
    expectClose(loss, sum(yTrue.map((t, i) => w[i]! * (t - Math.fround(yPred[i]!)) ** 2)) / 4);
  });

  it("dtype float64 returns float64 tensors", () => {
    const out = new ExampleLoss({ reduction: "none", dtype: "float64" })(yTrue, yPred) as Tensor;
    expect(out.dtype).toBe("float64");
    expectClose(out, squared, { rtol: 1e-15, atol: 0 });
    expect(() => new ExampleLoss({ dtype: "float16" as never })).toThrow('Expected "float32" or "float64". Received: dtype="float16"');
  });

  it("broadcasts a [batch] weight over per-sample values of shape [batch, time]", () => {
    const values = new ExampleLoss({ reduction: "none" })([[1, 2, 3], [4, 5, 6]], [[0, 0, 0], [0, 0, 0]], [1, 0]) as Tensor;
    expect(values.toArray()).toEqual([[1, 4, 9], [0, 0, 0]]);
    // Also when batch == time: a [batch] weight stays per sample (Keras 3's right-aligned
    // `values * sample_weight` would weight time steps here and fail for batch != time).
    const square = new ExampleLoss({ reduction: "none" })([[1, 2], [3, 4]], [[0, 0], [0, 0]], [1, 0]) as Tensor;
    expect(square.toArray()).toEqual([[1, 4], [0, 0]]);
    expect(() => new ExampleLoss()([[1, 2], [3, 4]], [[0, 0], [0, 0]], [1, 2, 3])).toThrow(ShapeError);
    expect(() => new ExampleLoss()([[1, 2], [3, 4]], [[0, 0], [0, 0]], [1, 2, 3])).toThrow(
      "sampleWeight has shape [3] but the per-sample losses have shape [2,2]",
    );
  });

  it("never mutates its inputs", () => {
    const t = new Float32Array([1, 0, 1, 0]);
    const p = new Float32Array([0.1, 0.2, 0.3, 0.4]);
    const w = new Float32Array([1, 2, 3, 4]);
    const m = new Float32Array([1, 0, 1, 1]);
    new ExampleLoss()(t, p, w, { mask: m });
    new ExampleLoss().grad(t, p, w, { mask: m });
    expect(Array.from(t)).toEqual([1, 0, 1, 0]);
    expect(Array.from(p)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3, 0.4])));
    expect(Array.from(w)).toEqual([1, 2, 3, 4]);
    expect(Array.from(m)).toEqual([1, 0, 1, 1]);
  });
});

describe("gradients through the shared reduction", () => {
  const random = rng(7);
  const t = randomTensor([3, 4], random);
  const p = randomTensor([3, 4], random);
  const reductions = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"] as const;
  // Bound: |analytic - numeric| <= 1e-7 + 1e-6 * max|numeric| (float64 central differences).
  for (const reduction of reductions) {
    it(`grad matches finite differences with reduction ${reduction}`, () => {
      const loss = new ExampleLoss({ reduction });
      expectGradMatches(loss, t, p, undefined, { rtol: 1e-6 });
      expectGradMatches(loss, t, p, 0.7, { rtol: 1e-6 });
      expectGradMatches(loss, t, p, [0.4, 0.3, 0.2], { rtol: 1e-6 });
      expectGradMatches(loss, t, p, randomTensor([3, 4], random), { rtol: 1e-6 });
      expectGradMatches(loss, t, p, [0.4, 0.3, 0.2], { rtol: 1e-6, mask: [[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]] });
      expectGradMatches(new MeanSquaredError({ reduction }), t, p, [[1], [2], [0.5]], { rtol: 1e-6, mask: [1, 0, 1] });
    });
  }

  it("a custom loss without backward says how to add one", () => {
    class NoGrad extends Loss {
      call(a: Tensor) {
        return a;
      }
    }
    expect(() => new NoGrad().grad([1], [2])).toThrow(GradientNotImplementedError);
    expect(() => new NoGrad().grad([1], [2])).toThrow("implement backward(yTrue, yPred, upstream)");
    const wrapped = new LossFunctionWrapper((a) => a);
    expect(() => wrapped.grad([1], [2])).toThrow("pass { backward: (yTrue, yPred, upstream) => grad }");
  });
});

describe("MeanSquaredError / MeanAbsoluteError end to end", () => {
  it("the issue's example: 9.25 from the class, getLoss and the handle", () => {
    expect(new MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55])).toBe(9.25);
    expect(getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55])).toBe(9.25);
    expect(meanSquaredError([12, 20, 29, 60], [14, 18, 27, 55]).item()).toBe(9.25);
  });

  it('reduction "none" on 2-D input returns a per-sample Tensor', () => {
    const out = new MeanSquaredError({ reduction: "none" })([[0, 1], [0, 0]], [[1, 1], [1, 0]]);
    expect(out).toBeInstanceOf(Tensor);
    expect((out as Tensor).toArray()).toEqual([0.5, 0.5]);
    expect(new MeanAbsoluteError({ reduction: "none" })([[0, 1], [0, 0]], [[1, 1], [1, 0]]) as Tensor).toBeInstanceOf(Tensor);
  });

  it("a Loss instance is a function with the Keras attributes", () => {
    const mse = new MeanSquaredError({ name: "my_mse" });
    expect(typeof mse).toBe("function");
    expect(mse).toBeInstanceOf(MeanSquaredError);
    expect(mse).toBeInstanceOf(Loss);
    expect(mse.name).toBe("my_mse");
    expect(mse.reduction).toBe("sum_over_batch_size");
    expect(mse.dtype).toBe("float32");
    expect(mse.getConfig()).toEqual({ name: "my_mse", reduction: "sum_over_batch_size", dtype: "float32" });
    const copy = MeanSquaredError.fromConfig(mse.getConfig());
    expect(copy).toBeInstanceOf(MeanSquaredError);
    expect(copy.getConfig()).toEqual(mse.getConfig());
    expect(new MeanSquaredError().name).toBe("mean_squared_error");
  });

  it("refuses shapes that do not fit, naming both", () => {
    expect(() => new MeanSquaredError()([[1, 2, 3], [4, 5, 6]], [[1, 2, 3, 4], [5, 6, 7, 8]])).toThrow(ShapeError);
    expect(() => new MeanSquaredError()([[1, 2, 3], [4, 5, 6]], [[1, 2, 3, 4], [5, 6, 7, 8]])).toThrow(
      "yTrue has shape [2,3] but yPred has shape [2,4]",
    );
    expect(() => new MeanSquaredError()([[1, 2], [3]], [[1, 2], [3, 4]])).toThrow("yTrue[1] has length 1");
    expect(() => new MeanSquaredError()([1], [2], null, { musk: [1] } as never)).toThrow('unknown call option "musk"');
  });

  it("options that a loss does not take are refused with a hint", () => {
    expect(() => new LossFunctionWrapper(meanSquaredError, { from_logits: true })).toThrow(ConfigError);
    expect(() => meanSquaredError([1], [2], { fromLogits: true } as never)).toThrow("fromLogits is not an option of mean_squared_error");
  });

  it("float64 data stays float64 through the handle; tensors are not copied", () => {
    const t = tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
    const p = tensor(new Float64Array([1, 2, 3, 5]), [2, 2]);
    const out = meanSquaredError(t, p);
    expect(out.dtype).toBe("float64");
    expect(out.toArray()).toEqual([0, 0.5]);
  });

  it("an empty batch reduces to 0", () => {
    expect(new MeanSquaredError()(tensor(new Float32Array(0), [0, 3]), tensor(new Float32Array(0), [0, 3]))).toBe(0);
  });

  it("works on channels-first views and broadcast labels", () => {
    const p = tensor([[1, 2], [3, 4]]);
    // yTrue [1,2] broadcasts over the batch
    expectClose(meanSquaredError([[1, 1]], p), [0.5, (4 + 9) / 2]);
    expectGradMatches(new MeanSquaredError(), [[1, 1]], [[1.5, 2], [3, 4]], undefined, { rtol: 1e-6 });
    // yPred broadcast over the batch: its gradient sums over the rows
    expectGradMatches(new MeanSquaredError(), [[1, 1], [0, 2]], [[1.5, 2]], undefined, { rtol: 1e-6 });
  });
});

describe("LossFunctionWrapper and masks, as Keras", () => {
  const mseFn = (t: Tensor, p: Tensor) => {
    const a = t.toTypedArray("float64");
    const b = p.toTypedArray("float64");
    // per-sample mean over the last axis, for rank-2 inputs
    const rows = p.shape[0]!;
    const cols = p.size / rows;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[r] += (a[r * cols + k]! - b[r * cols + k]!) ** 2 / cols;
    return new Tensor(out, [rows]);
  };

  it("lines ranks up before calling the function (Keras: 62, not 56.67)", () => {
    // yTrue [3] against yPred [3,1]: Keras expands yTrue to [3,1]; errors 1, 8, 11.
    const loss = new LossFunctionWrapper(mseFn);
    expectClose(loss([4, 8, 12], [[3], [0], [1]]) as number, (1 + 64 + 121) / 3);
  });

  it("gives the gradient of a rank-adjusted function yPred's shape", () => {
    const backward = (t: Tensor, p: Tensor, u: Tensor) => {
      const a = t.toTypedArray("float64");
      const b = p.toTypedArray("float64");
      const w = u.toTypedArray("float64");
      const cols = p.size / p.shape[0]!;
      const g = new Float64Array(p.size);
      for (let i = 0; i < p.size; i++) g[i] = (2 * (b[i]! - a[i]!) * w[Math.floor(i / cols)]!) / cols;
      return new Tensor(g, p.shape);
    };
    const loss = new LossFunctionWrapper(mseFn, { backward });
    // yTrue [2,2] against yPred [2,2,1]: Keras squeezes yPred to [2,2].
    const grad = loss.grad([[1, 2], [3, 4]], [[[0.5], [1]], [[2], [5]]]);
    expect(grad.shape).toEqual([2, 2, 1]);
    expectGradMatches(loss, [[1, 2], [3, 4]], [[[0.5], [1]], [[2], [5]]], undefined, { rtol: 1e-6 });
    // A function may carry its backward, so registering it keeps the gradient.
    const carried = Object.assign((t: Tensor, p: Tensor) => mseFn(t, p), { backward });
    expectGradMatches(new LossFunctionWrapper(carried), [[1, 2]], [[0.5, 3]], undefined, { rtol: 1e-6 });
  });

  it("treats a mask as boolean: any non-zero entry is a kept position", () => {
    const loss = new ExampleLoss();
    // Keras casts a boolean mask; 0.5 and 1 are both "true".
    expectClose(loss([0, 0], [1, 2], null, { mask: [0.5, 1] }) as number, (1 + 4) / 2);
    expectClose(loss([0, 0, 0], [1, 2, 3], null, { mask: [0, 2, 1] }) as number, (4 + 9) / 2);
  });

  it("LossFunctionWrapper.fromConfig points to deserializeLoss", () => {
    expect(() => (LossFunctionWrapper as unknown as typeof MeanSquaredError).fromConfig({ name: "x" })).toThrow("use deserializeLoss");
    expect(MeanSquaredError.fromConfig({ reduction: "sum" }).reduction).toBe("sum");
  });
});

describe("function handles", () => {
  it("honour dtype float64 for nested-array inputs", () => {
    const out = meanSquaredError([[0.1, 0.2]], [[0.3, 0.7]], { dtype: "float64" });
    expect(out.dtype).toBe("float64");
    expect(out.item()).toBe(((0.1 - 0.3) ** 2 + (0.2 - 0.7) ** 2) / 2);
  });
});

describe("weights, masks, layouts and messages at the edges", () => {
  it("a [batch] weight is per sample even when batch equals time", () => {
    const none = new MeanSquaredError({ reduction: "none" });
    // values [2,3] and [2,2]: the weight [1, 0] keeps sample 0 in both
    expect((none([[[0], [0], [0]], [[0], [0], [0]]], [[[1], [2], [3]], [[4], [5], [6]]], [1, 0]) as Tensor).toArray()).toEqual([[1, 4, 9], [0, 0, 0]]);
    expect((none([[[0], [0]], [[0], [0]]], [[[1], [2]], [[4], [5]]], [1, 0]) as Tensor).toArray()).toEqual([[1, 4], [0, 0]]);
  });

  it("names the mask, not sampleWeight, when the mask does not fit", () => {
    expect(() => new MeanSquaredError()([[1, 2, 3], [1, 2, 3]], [[1, 2, 3], [1, 2, 3]], null, { mask: [1, 0, 1] })).toThrow(
      "mask has shape [3] but the per-sample losses have shape [2]",
    );
  });

  it("a [batch] caller mask combines with a loss's own [batch, time] mask", () => {
    class OwnMask extends Loss {
      call(yTrue: Tensor, yPred: Tensor) {
        const values = new Tensor(yPred.toTypedArray("float64"), yPred.shape);
        return { values, mask: new Tensor(new Float64Array([1, 1, 0, 1, 0, 1]), [2, 3]) };
      }
    }
    // kept: sample 0, positions 0 and 1 → mean of 1 and 2
    expectClose(new OwnMask()([[0, 0, 0], [0, 0, 0]], [[1, 2, 3], [4, 5, 6]], null, { mask: [1, 0] }) as number, 1.5);
  });

  it("checks Tensor layouts against their data", () => {
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow("reaches outside its data of length 3");
    expect(() => new Tensor([1, 2] as never, [2])).toThrow("Float32Array or Float64Array");
    expect(() => new Tensor(new Float32Array(4), [2, 2], [2])).toThrow("2 dimensions (shape [2,2]) but 1 strides");
  });

  it("refuses loose ndarray-likes and tfjs tensors with a useful message", () => {
    expect(() => tensor({ data: new Float32Array([7, 8, 9]), shape: 3 } as never)).toThrow("input.shape must be an array of dimensions");
    expect(() => new MeanSquaredError()([1], { data: () => 1, shape: [1], dataSync: () => [1] } as never)).toThrow("looks like a TensorFlow.js tensor");
  });

  it("a custom backward that returns no Tensor gets a LossError", () => {
    class Bad extends Loss {
      call(a: Tensor) {
        return a;
      }
      backward() {
        return [[1, 2]] as unknown as Tensor;
      }
    }
    expect(() => new Bad().grad([[1, 2]], [[0, 0]])).toThrow("Bad.backward must return a Tensor shaped like yPred [1,2]");
  });

  it("scalar inputs to a reducing loss name the problem", () => {
    expect(() => new MeanSquaredError()(1, 2)).toThrow("yTrue and yPred are scalars");
  });

  it("an anonymous subclass gets a name", () => {
    const Anonymous = (() => class extends Loss {
      call(a: Tensor) {
        return a;
      }
    })();
    expect(new Anonymous().name.length).toBeGreaterThan(0);
  });

  it("nested bigints convert; reshape reports what was asked", () => {
    expect(tensor([[1n, 2n]] as never).toArray()).toEqual([[1, 2]]);
    expect(() => reshape(tensor([1, 2, 3, 4]), [-1, -1])).toThrow("at most one -1");
    expect(() => reshape(tensor([1, 2, 3, 4]), [-1, 3])).toThrow("to [-1,3]");
  });
});
