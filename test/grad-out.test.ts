/** `valueAndGrad(…, { out })`: the gradient written into a caller-owned buffer (NumPy's `out=`). */
import { describe, expect, it } from "vitest";
import {
  CTC,
  ConfigError,
  Loss,
  MeanSquaredError,
  ShapeError,
  SparseCategoricalCrossentropy,
  Tensor,
  ops,
  tensor,
} from "../src/index";
import { flat } from "./helpers";

const yTrue = [[0, 1, 2], [1, 1, 1]];
const yPred = [[0.5, 1.5, 1], [2, 0, 1]];

describe("valueAndGrad into a caller-owned buffer", () => {
  it("writes MSE's gradient into a Float32Array and returns a view of it; values as without out", () => {
    const mse = new MeanSquaredError();
    const out = new Float32Array(6);
    const plain = mse.valueAndGrad(yTrue, yPred);
    const { value, grad } = mse.valueAndGrad(yTrue, yPred, null, { out });
    expect(grad.data).toBe(out);
    expect(grad.shape).toEqual([2, 3]);
    expect(value).toBe(plain.value);
    // d/dp mean over 2 rows of mean((p - t)^2) over 3 = 2 (p - t) / 6
    expect(flat(grad)).toEqual([0.5, 0.5, -1, 1, -1, 0].map((e) => Math.fround((2 * e) / 6)));
  });

  it("reuses a dirty buffer correctly, also for a kernel that accumulates (yPred broadcast)", () => {
    const mse = new MeanSquaredError({ reduction: "sum" });
    const out = new Float32Array(3).fill(123);
    // yPred [3] broadcast against yTrue [2, 3]: each gradient position sums two rows.
    const { grad } = mse.valueAndGrad([[0, 0, 0], [1, 1, 1]], [[1, 2, 3]], null, { out: out });
    expect(flat(grad)).toEqual([2 * (1 + 0) / 3, 2 * (2 + 1) / 3, 2 * (3 + 2) / 3].map(Math.fround));
    const again = mse.valueAndGrad([[0, 0, 0], [1, 1, 1]], [[1, 2, 3]], null, { out: out });
    expect(flat(again.grad)).toEqual(flat(grad));
  });

  it("returns the very Tensor given as out, and works for a float64 loss", () => {
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true, dtype: "float64" });
    const out = tensor(new Float64Array(6), [2, 3]);
    const { grad } = loss.valueAndGrad([2, 0], yPred, null, { out });
    expect(grad).toBe(out);
    expect(flat(out)).toEqual(flat(loss.grad([2, 0], yPred)));
  });

  it("copies into out when the kernel or a custom backward allocates its own gradient", () => {
    class Custom extends Loss {
      call(t: Tensor, p: Tensor) {
        return ops.mean(ops.square(ops.subtract(p, t)), -1);
      }
      backward(t: Tensor, p: Tensor, upstream: Tensor) {
        return ops.multiply(ops.subtract(p, t), ops.multiply(ops.expandDims(upstream, -1), 2 / 3));
      }
    }
    const out = new Float32Array(6);
    const { grad } = new Custom().valueAndGrad(yTrue, yPred, null, { out });
    expect(grad.data).toBe(out);
    expect(flat(grad)).toEqual(flat(new MeanSquaredError().grad(yTrue, yPred)));
    const logits = tensor(new Float32Array(2 * 4 * 3).map((_, i) => Math.sin(i)), [2, 4, 3]);
    const ctcOut = new Float32Array(24);
    expect(new CTC().valueAndGrad([[1, 2], [2, 0]], logits, null, { out: ctcOut }).grad.data).toBe(ctcOut);
    expect(Array.from(ctcOut)).toEqual(flat(new CTC().grad([[1, 2], [2, 0]], logits)));
  });

  it("refuses a wrong dtype, size, layout or kind, and a buffer shared with an input, naming what it expected", () => {
    const mse = new MeanSquaredError();
    expect(() => mse.valueAndGrad(yTrue, yPred, null, { out: new Float64Array(6) })).toThrow(ConfigError);
    expect(() => mse.valueAndGrad(yTrue, yPred, null, { out: new Float64Array(6) })).toThrow("a contiguous float32 Tensor of shape [2,3] or a Float32Array of length 6");
    expect(() => mse.valueAndGrad(yTrue, yPred, null, { out: new Float32Array(5) })).toThrow(ShapeError);
    const strided = new Tensor(new Float32Array(12), [2, 3], [6, 2]);
    expect(() => mse.valueAndGrad(yTrue, yPred, null, { out: strided })).toThrow("a strided view");
    expect(() => mse.valueAndGrad(yTrue, yPred, null, { out: [0, 0, 0, 0, 0, 0] as never })).toThrow("received an array of length 6");
    const p = tensor(new Float32Array([0.5, 1.5, 1, 2, 0, 1]), [2, 3]);
    expect(() => mse.valueAndGrad(yTrue, p, null, { out: p })).toThrow("must not share memory with yPred");
    expect(() => mse(yTrue, yPred, null, { out: new Float32Array(6) } as never)).toThrow('unknown call option "out"');
  });
});
