import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ConfigError, InputError, ShapeError, Tensor, moveAxis, ops, tensor, broadcastTo } from "../src/index";
import { expectClose, rng, randomTensor, snapshot } from "./helpers";

const f32 = Math.fround;

/** Plain C-order values of a tensor, as doubles. */
const values = (t: Tensor): number[] => Array.from(t.toTypedArray("float64"));

/** Elementwise closeness of a tensor of any rank (rank 0 included) to flat expected values. */
function expectValues(t: Tensor, expected: number[], tolerance: { rtol: number; atol: number }): void {
  expectClose(new Tensor(new Float64Array(values(t)), [t.size]), expected, tolerance);
}

// ---------------------------------------------------------------------------------------
// Independent references: multi-index arithmetic, no offsets tricks.

function multiIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = flat % shape[axis]!;
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

/** Element of `t` read at an output index under NumPy broadcasting. */
function readBroadcast(t: Tensor, outIndex: number[]): number {
  const lead = outIndex.length - t.rank;
  const index = t.shape.map((d, k) => (d === 1 ? 0 : outIndex[lead + k]!));
  return t.rank === 0 ? t.item() : t.get(...index);
}

function referenceBroadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, k) => {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    return da === 1 ? db : da;
  });
}

function referenceBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): { shape: number[]; data: number[] } {
  const shape = referenceBroadcastShape(a.shape, b.shape);
  const size = shape.reduce((p, d) => p * d, 1);
  const data: number[] = [];
  for (let i = 0; i < size; i++) {
    const index = multiIndex(i, shape);
    data.push(f(readBroadcast(a, index), readBroadcast(b, index)));
  }
  return { shape, data };
}

/** Groups of the values of `t` by their position after dropping `axes`. */
function referenceGroups(t: Tensor, axes: number[]): { shape: number[]; groups: number[][] } {
  const kept = t.shape.map((_, k) => k).filter((k) => !axes.includes(k));
  const shape = kept.map((k) => t.shape[k]!);
  const size = shape.reduce((p, d) => p * d, 1);
  const groups: number[][] = Array.from({ length: size }, () => []);
  for (let i = 0; i < t.size; i++) {
    const index = multiIndex(i, t.shape);
    const outIndex = kept.map((k) => index[k]!);
    let flat = 0;
    for (let k = 0; k < shape.length; k++) flat = flat * shape[k]! + outIndex[k]!;
    groups[flat]!.push(t.rank === 0 ? t.item() : t.get(...index));
  }
  return { shape, groups };
}

// ---------------------------------------------------------------------------------------

describe("Keras docstring examples", () => {
  it("add: [1, 4] + [5, 6] and row broadcasting", () => {
    expect(ops.add([1, 4], [5, 6]).toArray()).toEqual([6, 10]);
    expect(ops.add([[5, 4], [5, 6]], [5, 6]).toArray()).toEqual([[10, 10], [10, 12]]);
  });

  it("absolute / abs: [-1.2, 1.2] -> [1.2, 1.2]", () => {
    expectClose(ops.absolute([-1.2, 1.2]), [1.2, 1.2]);
    expect(ops.abs).toBe(ops.absolute);
  });

  it("logsumexp([1, 2, 3]) = 3.407606", () => {
    expectClose(ops.logsumexp([1, 2, 3]).item(), 3.407606, { rtol: 1e-6 });
  });

  it("sigmoid([-6, 1, 0, 1, 6])", () => {
    expectClose(ops.sigmoid([-6.0, 1.0, 0.0, 1.0, 6.0]), [0.00247262, 0.7310586, 0.5, 0.7310586, 0.9975274], { rtol: 1e-6 });
  });

  it("softplus([-0.555, 0, 0.555])", () => {
    expectClose(ops.softplus([-0.555, 0.0, 0.555]), [0.45366603, 0.6931472, 1.008666], { rtol: 1e-6 });
  });

  it("the Keras guide's custom MSE: mean(square(yTrue - yPred), axis=-1)", () => {
    const yTrue = [[0, 1], [0, 0]];
    const yPred = [[1, 1], [1, 0]];
    expect(ops.mean(ops.square(ops.subtract(yTrue, yPred)), -1).toArray()).toEqual([0.5, 0.5]);
  });
});

describe("elementwise ops: values", () => {
  it("arithmetic with NumPy broadcasting ([2,1] with [3], scalars both sides)", () => {
    expect(ops.add([[1], [2]], [10, 20, 30]).toArray()).toEqual([[11, 21, 31], [12, 22, 32]]);
    expect(ops.subtract(10, [1, 2, 3]).toArray()).toEqual([9, 8, 7]);
    expect(ops.subtract([1, 2, 3], 10).toArray()).toEqual([-9, -8, -7]);
    expect(ops.multiply([[1, 2], [3, 4]], [[2], [-1]]).toArray()).toEqual([[2, 4], [-3, -4]]);
    expect(ops.divide([1, -1, 0, 6], [0, 0, 0, 4]).toArray()).toEqual([Infinity, -Infinity, NaN, 1.5]);
    expect(ops.negative([1, -2, 0]).toArray()).toEqual([-1, 2, -0]);
    expect(ops.square([-3, 0.5]).toArray()).toEqual([9, 0.25]);
    expect(ops.add(2, 3).shape).toEqual([]);
    expect(ops.add(2, 3).item()).toBe(5);
    expect(ops.add([[1, 2, 3]], [[10], [20]]).shape).toEqual([2, 3]);
  });

  it("sqrt, abs, log, exp, log1p: NumPy's special values", () => {
    expect(ops.sqrt([4, 0, -1]).toArray()).toEqual([2, 0, NaN]);
    expect(ops.abs([-2, 0, 3]).toArray()).toEqual([2, 0, 3]);
    expect(ops.log([1, 0, -1]).toArray()).toEqual([0, -Infinity, NaN]);
    expectClose(ops.log([Math.E]), [1]);
    expect(ops.exp([0, -Infinity]).toArray()).toEqual([1, 0]);
    expect(ops.exp([1000]).toArray()).toEqual([Infinity]);
    // log1p keeps the digits that log(1 + x) loses
    expect(ops.log1p(tensor(new Float64Array([1e-10]))).item()).toBeCloseTo(1e-10, 20);
    expect(ops.log1p([-1]).item()).toBe(-Infinity);
  });

  it("pow: C semantics where JavaScript's Math.pow differs", () => {
    expect(ops.pow([2, 4, -8, 0], [3, 0.5, 1 / 3, 0]).toArray()).toEqual([8, 2, NaN, 1]);
    expect(ops.pow(1, [NaN, Infinity, -Infinity]).toArray()).toEqual([1, 1, 1]);
    expect(ops.pow([NaN], 0).toArray()).toEqual([1]);
    expect(ops.power).toBe(ops.pow);
  });

  it("maximum / minimum propagate NaN", () => {
    expect(ops.maximum([1, 5, NaN], [3, 2, 0]).toArray()).toEqual([3, 5, NaN]);
    expect(ops.minimum([1, 5, 0], [3, 2, NaN]).toArray()).toEqual([1, 2, NaN]);
    expect(ops.maximum([[1, 4]], [[2], [3]]).toArray()).toEqual([[2, 4], [3, 4]]);
  });

  it("greater / less / equal give 0/1, and 0 for NaN", () => {
    expect(ops.greater([1, 2, 3, NaN], 2).toArray()).toEqual([0, 0, 1, 0]);
    expect(ops.less([1, 2, 3, NaN], 2).toArray()).toEqual([1, 0, 0, 0]);
    expect(ops.equal([1, 2, 3, NaN], [1, 0, 3, NaN]).toArray()).toEqual([1, 0, 1, 0]);
    expect(ops.greater([1, 2], 1).dtype).toBe("float32");
  });

  it("softplus and sigmoid are stable for logits of ±1e4 and at ±Infinity", () => {
    expect(ops.softplus([1e4, -1e4, 0]).toArray()).toEqual([1e4, 0, f32(Math.LN2)]);
    expect(ops.softplus(tensor(new Float64Array([-Infinity, Infinity]))).toArray()).toEqual([0, Infinity]);
    expect(ops.sigmoid([1e4, -1e4, 0]).toArray()).toEqual([1, 0, 0.5]);
    expect(ops.sigmoid(tensor(new Float64Array([-Infinity, Infinity, NaN]))).toArray()).toEqual([0, 1, NaN]);
    // Keras/TF: softplus(x) = log(exp(x) + 1); for moderate x the two agree
    expectClose(ops.softplus(tensor(new Float64Array([-3, 2.5]))), [Math.log(Math.exp(-3) + 1), Math.log(Math.exp(2.5) + 1)], { rtol: 1e-14, atol: 0 });
  });

  it("clip: scalar and tensor bounds, xMax wins when xMin > xMax, NaN stays", () => {
    expect(ops.clip([-2, 0.5, 3, NaN], 0, 1).toArray()).toEqual([0, 0.5, 1, NaN]);
    expect(ops.clip([[-2, 0.5, 3]], [[0], [1]], 2).toArray()).toEqual([[0, 0.5, 2], [1, 1, 2]]);
    expect(ops.clip([0, 5], 3, 1).toArray()).toEqual([1, 1]);
    // Keras's epsilon clip, in float32 as Keras computes it
    const eps = 1e-7;
    expect(ops.clip([0, 1, 0.5], eps, 1 - eps).toArray()).toEqual([f32(1e-7), f32(1 - 1e-7), 0.5]);
    expect(ops.clip([0, 1, 0.5], eps, 1 - eps).get(1)).toBe(0.9999998807907104);
  });

  it("where: three-way broadcasting; non-zero (and NaN) is true", () => {
    expect(ops.where([1, 0, NaN, -2], [10, 20, 30, 40], 0).toArray()).toEqual([10, 0, 30, 40]);
    expect(ops.where([[1], [0]], [1, 2, 3], [[-1, -2, -3]]).toArray()).toEqual([[1, 2, 3], [-1, -2, -3]]);
    expect(ops.where(ops.greater([0.2, 0.7], 0.5), 1, 0).toArray()).toEqual([0, 1]);
  });

  it("expandDims is a view over the same data for tensors", () => {
    const x = tensor(new Float32Array([1, 2, 3]));
    const y = ops.expandDims(x, -1);
    expect(y.shape).toEqual([3, 1]);
    expect(y.data).toBe(x.data);
    expect(ops.expandDims([1, 2], 0).shape).toEqual([1, 2]);
    expect(ops.expandDims(5, 0).toArray()).toEqual([5]);
  });
});

describe("dtype: float32 unless an input tensor is float64", () => {
  const x64 = tensor(new Float64Array([0.1, 0.2]));
  const x32 = tensor(new Float32Array([0.1, 0.2]));

  it("nested arrays and numbers give float32; a float64 tensor or typed array gives float64", () => {
    expect(ops.add([1, 2], 1).dtype).toBe("float32");
    expect(ops.add(x32, 1).dtype).toBe("float32");
    expect(ops.add(x32, x64).dtype).toBe("float64");
    expect(ops.add(new Float64Array([1, 2]), [1, 2]).dtype).toBe("float64");
    expect(ops.add({ data: new Float64Array([1, 2]), shape: [2] }, 1).dtype).toBe("float64");
    expect(ops.add(new Int32Array([1, 2]), 1).dtype).toBe("float32");
    expect(ops.sum(x64).dtype).toBe("float64");
    expect(ops.where([1, 0], x64, 0).dtype).toBe("float64");
    expect(ops.where(x64, [1, 2], 0).dtype).toBe("float32");
    expect(ops.clip(x32, 0, new Float64Array([1])).dtype).toBe("float64");
  });

  it("numbers are not rounded to float32 before a float64 op", () => {
    expect(ops.add(x64, 0.1).toArray()).toEqual([0.1 + 0.1, 0.2 + 0.1]);
    expect(ops.multiply([0.1], tensor(new Float64Array([3]))).item()).toBe(0.1 * 3);
  });

  it("float32 arithmetic is the correctly rounded float32 result Keras computes", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), fc.float({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
        const x = tensor(new Float32Array([a]));
        const y = tensor(new Float32Array([b]));
        expect(ops.add(x, y).item()).toBe(f32(a + b));
        expect(ops.subtract(x, y).item()).toBe(f32(a - b));
        expect(ops.multiply(x, y).item()).toBe(f32(a * b));
        expect(Object.is(ops.divide(x, y).item(), f32(a / b))).toBe(true);
        expect(Object.is(ops.sqrt(x).item(), f32(Math.sqrt(a)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("reductions", () => {
  const x = [
    [
      [1, 2],
      [3, 4],
    ],
    [
      [5, 6],
      [7, 8],
    ],
  ];

  it("sum over every axis, one axis, negative axes, a list of axes, keepdims", () => {
    expect(ops.sum(x).shape).toEqual([]);
    expect(ops.sum(x).item()).toBe(36);
    expect(ops.sum(x, null).item()).toBe(36);
    expect(ops.sum(x, 0).toArray()).toEqual([[6, 8], [10, 12]]);
    expect(ops.sum(x, -1).toArray()).toEqual([[3, 7], [11, 15]]);
    expect(ops.sum(x, 1).toArray()).toEqual([[4, 6], [12, 14]]);
    expect(ops.sum(x, [0, 2]).toArray()).toEqual([14, 22]);
    expect(ops.sum(x, [-1, 0]).toArray()).toEqual([14, 22]);
    expect(ops.sum(x, [0, 2], true).toArray()).toEqual([[[14], [22]]]);
    expect(ops.sum(x, undefined, true).toArray()).toEqual([[[36]]]);
    expect(ops.sum(x, [0, 1, 2]).item()).toBe(36);
  });

  it("an empty axis list reduces nothing (NumPy's axis=())", () => {
    expect(ops.sum(x, []).toArray()).toEqual(x);
    expect(ops.max(x, [], true).toArray()).toEqual(x);
  });

  it("mean, max, min", () => {
    expect(ops.mean(x).item()).toBe(4.5);
    expect(ops.mean(x, -1).toArray()).toEqual([[1.5, 3.5], [5.5, 7.5]]);
    expect(ops.mean(x, [1, 2], true).toArray()).toEqual([[[2.5]], [[6.5]]]);
    expect(ops.max(x, 0).toArray()).toEqual([[5, 6], [7, 8]]);
    expect(ops.max([[-1, -5], [-3, -2]], -1).toArray()).toEqual([-1, -2]);
    expect(ops.min(x, [0, 1]).toArray()).toEqual([1, 2]);
    expect(ops.max(x).item()).toBe(8);
    expect(ops.min(x).item()).toBe(1);
  });

  it("max / min propagate NaN; -Infinity and Infinity are ordinary", () => {
    expect(ops.max([[1, NaN, 3], [1, 2, 3]], -1).toArray()).toEqual([NaN, 3]);
    expect(ops.min([[NaN, 1], [1, 2]], -1).toArray()).toEqual([NaN, 1]);
    expect(ops.max([-Infinity, -Infinity]).item()).toBe(-Infinity);
    expect(ops.min([Infinity]).item()).toBe(Infinity);
  });

  it("logsumexp is shifted by the maximum: no overflow, no underflow", () => {
    expectClose(ops.logsumexp([1000, 1000]), f32(1000 + Math.LN2), { rtol: 0, atol: 0 });
    expectClose(ops.logsumexp([-1000, -1000]), f32(-1000 + Math.LN2), { rtol: 0, atol: 0 });
    expectClose(ops.logsumexp([[0, Math.log(3)], [1e4, -1e4]], -1), [Math.log(4), 1e4], { rtol: 1e-7 });
    expect(ops.logsumexp([-Infinity, 0]).item()).toBe(0);
    expect(ops.logsumexp([-Infinity, -Infinity]).item()).toBe(-Infinity);
    expect(ops.logsumexp([Infinity, 1]).item()).toBe(Infinity);
    expect(ops.logsumexp([NaN, 1]).item()).toBeNaN();
    expect(ops.logsumexp([[1, 2], [3, 4]], 0, true).shape).toEqual([1, 2]);
  });

  it("empty inputs: sum 0, mean NaN, logsumexp -Infinity, max/min refuse", () => {
    const empty = tensor(new Float32Array(0), [2, 0]);
    expect(ops.sum(empty, -1).toArray()).toEqual([0, 0]);
    expect(ops.mean(empty, -1).toArray()).toEqual([NaN, NaN]);
    expect(ops.logsumexp(empty, -1).toArray()).toEqual([-Infinity, -Infinity]);
    expect(ops.sum(empty, 0).toArray()).toEqual([]);
    expect(ops.max(empty, 0).shape).toEqual([0]);
    expect(() => ops.max(empty, -1)).toThrow(ShapeError);
    expect(() => ops.min(empty)).toThrow("cannot reduce over an empty axis");
  });

  it("rank-0 input: every-axis reductions return it", () => {
    expect(ops.sum(3).item()).toBe(3);
    expect(ops.mean(3, [], true).item()).toBe(3);
    expect(() => ops.sum(3, 0)).toThrow(ShapeError);
  });

  it("strided views: a transposed tensor, a broadcast view, an ndarray-like with offset", () => {
    const base = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const transposed = moveAxis(base, 0, 1); // [[1,4],[2,5],[3,6]]
    expect(ops.sum(transposed, -1).toArray()).toEqual([5, 7, 9]);
    expect(ops.max(transposed, 0).toArray()).toEqual([3, 6]);
    expect(ops.add(transposed, [10, 20]).toArray()).toEqual([[11, 24], [12, 25], [13, 26]]);
    expect(ops.square(transposed).toArray()).toEqual([[1, 16], [4, 25], [9, 36]]);
    const repeated = broadcastTo(tensor(new Float32Array([1, 2])), [3, 2]);
    expect(ops.sum(repeated, 0).toArray()).toEqual([3, 6]);
    expect(ops.multiply(repeated, [[1], [2], [3]]).toArray()).toEqual([[1, 2], [2, 4], [3, 6]]);
    // ndarray-like view of the second column of a 3x2 row-major array, read backwards
    const column = { data: new Float32Array([0, 1, 0, 2, 0, 3]), shape: [3], stride: [-2], offset: 5 };
    expect(ops.negative(column).toArray()).toEqual([-3, -2, -1]);
    expect(ops.logsumexp(column).item()).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), 5);
  });
});

describe("property tests (fast-check): ops agree with a multi-index reference", () => {
  const dims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

  /** Two shapes that broadcast: b is a's trailing part with some dimensions set to 1. */
  const broadcastPair = dims.chain((a) =>
    fc.tuple(fc.constant(a), fc.integer({ min: 0, max: a.length }), fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }), fc.boolean()),
  );

  it("binary ops broadcast as NumPy and never touch their inputs", () => {
    fc.assert(
      fc.property(broadcastPair, fc.integer(), ([shapeA, drop, ones, swap], seed) => {
        const shapeB = shapeA.slice(drop).map((d, k) => (ones[k + drop] ? 1 : d));
        const random = rng(seed);
        let a = randomTensor(shapeA, random, (u) => 4 * u - 2);
        let b = randomTensor(shapeB, random, (u) => 4 * u - 2);
        if (swap) [a, b] = [b, a];
        const before = [snapshot(a), snapshot(b)];
        const cases: [(x: Tensor, y: Tensor) => Tensor, (x: number, y: number) => number][] = [
          [ops.add, (x, y) => x + y],
          [ops.subtract, (x, y) => x - y],
          [ops.multiply, (x, y) => x * y],
          [ops.divide, (x, y) => x / y],
          [ops.maximum, Math.max],
          [ops.minimum, Math.min],
          [ops.greater, (x, y) => (x > y ? 1 : 0)],
          [ops.less, (x, y) => (x < y ? 1 : 0)],
          [ops.pow, (x, y) => Math.pow(Math.abs(x), y)],
        ];
        for (const [op, f] of cases) {
          const left = op === ops.pow ? ops.abs(a) : a;
          const got = op(left, b);
          const want = referenceBinary(a, b, f);
          expect(got.shape).toEqual(want.shape);
          expect(got.dtype).toBe("float64");
          expectValues(got, want.data, { rtol: 1e-12, atol: 1e-12 });
        }
        expect([snapshot(a), snapshot(b)]).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it("reductions over random axis lists match grouped values; keepdims keeps rank", () => {
    fc.assert(
      fc.property(dims, fc.integer(), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.boolean(), (shape, seed, pick, keepdims) => {
        const random = rng(seed);
        const x = randomTensor(shape, random, (u) => 10 * u - 5);
        const before = snapshot(x);
        const axes = shape.map((_, k) => k).filter((k) => pick[k]);
        // Use negative axes half of the time.
        const axisArg = seed % 2 === 0 ? axes : axes.map((k) => k - shape.length);
        const { shape: outShape, groups } = referenceGroups(x, axes);
        const keptShape = keepdims ? shape.map((d, k) => (axes.includes(k) ? 1 : d)) : outShape;
        const sums = groups.map((g) => g.reduce((p, v) => p + v, 0));
        const got = ops.sum(x, axisArg, keepdims);
        expect(got.shape).toEqual(keptShape);
        expectValues(got, sums, { rtol: 1e-12, atol: 1e-12 });
        expectValues(ops.mean(x, axisArg, keepdims), groups.map((g, i) => sums[i]! / g.length), { rtol: 1e-12, atol: 1e-12 });
        expect(values(ops.max(x, axisArg, keepdims))).toEqual(groups.map((g) => Math.max(...g)));
        expect(values(ops.min(x, axisArg, keepdims))).toEqual(groups.map((g) => Math.min(...g)));
        const lse = values(ops.logsumexp(x, axisArg, keepdims));
        groups.forEach((g, i) => {
          expect(lse[i]).toBeCloseTo(Math.log(g.reduce((p, v) => p + Math.exp(v), 0)), 10);
        });
        expect(snapshot(x)).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it("unary ops are elementwise and keep the shape", () => {
    fc.assert(
      fc.property(dims, fc.integer(), (shape, seed) => {
        const x = randomTensor(shape, rng(seed), (u) => 6 * u - 3);
        const xs = values(x);
        const cases: [(t: Tensor) => Tensor, (v: number) => number][] = [
          [ops.negative, (v) => -v],
          [ops.square, (v) => v * v],
          [ops.abs, Math.abs],
          [ops.exp, Math.exp],
          [(t) => ops.log1p(ops.abs(t)), (v) => Math.log1p(Math.abs(v))],
          [(t) => ops.sqrt(ops.abs(t)), (v) => Math.sqrt(Math.abs(v))],
          [(t) => ops.log(ops.abs(t)), (v) => Math.log(Math.abs(v))],
          [ops.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
          [ops.softplus, (v) => Math.log(1 + Math.exp(v))],
          [(t) => ops.clip(t, -1, 0.5), (v) => Math.min(Math.max(v, -1), 0.5)],
          [(t) => ops.where(ops.greater(t, 0), t, ops.negative(t)), Math.abs],
        ];
        for (const [op, f] of cases) {
          const got = op(x);
          expect(got.shape).toEqual(shape);
          expectValues(got, xs.map(f), { rtol: 1e-12, atol: 1e-12 });
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("errors name the op, the argument, what was expected and what came", () => {
  it("shapes that do not broadcast: ShapeError with both shapes", () => {
    expect(() => ops.add([[1, 2, 3]], [1, 2])).toThrow(ShapeError);
    expect(() => ops.add([[1, 2, 3]], [1, 2])).toThrow("ops.add: x1 has shape [1,3] but x2 has shape [2], and they do not broadcast together");
    expect(() => ops.where([1, 0], [1, 2, 3], 0)).toThrow("ops.where: condition has shape [2], x1 has shape [3] and x2 has shape []");
    expect(() => ops.clip([1, 2], [0, 0, 0], 1)).toThrow("ops.clip: x has shape [2], xMin has shape [3] and xMax has shape []");
  });

  it("bad values: InputError with the op and the position", () => {
    expect(() => ops.log([[1, "a"]] as never)).toThrow(InputError);
    expect(() => ops.log([[1, "a"]] as never)).toThrow('ops.log: x[0][1] is a string, expected a number');
    expect(() => ops.add([1], {} as never)).toThrow("ops.add: x2 must be a number");
    expect(() => ops.sum([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => ops.sum([[1, 2], [3]])).toThrow("ops.sum: x[1] has length 1 but x[0] has length 2");
  });

  it("axes: out of range, repeated, wrong type; keepdims must be a boolean", () => {
    expect(() => ops.sum([1, 2], 1)).toThrow(ShapeError);
    expect(() => ops.sum([1, 2], 1)).toThrow("ops.sum: axis=1 is out of range for a tensor of rank 1 (expected an integer in [-1, 0])");
    expect(() => ops.mean([[1, 2]], [0, -2])).toThrow("ops.mean: axis [0,-2] names axis 0 twice");
    expect(() => ops.max([[1, 2]], 0.5)).toThrow(ShapeError);
    expect(() => ops.max([[1, 2]], "0" as never)).toThrow(ConfigError);
    expect(() => ops.max([[1, 2]], "0" as never)).toThrow('ops.max: axis must be an integer, a list of integers or null, received "0"');
    expect(() => ops.min([[1, 2]], [0, "1"] as never)).toThrow('ops.min: axis must be an integer, received "1"');
    expect(() => ops.logsumexp([[1, 2]], { axis: 0 } as never)).toThrow("ops.logsumexp: axis must be an integer, a list of integers or null, received an object");
    expect(() => ops.sum([1, 2], 0, 1 as never)).toThrow("ops.sum: keepdims must be a boolean, received 1");
    expect(() => ops.expandDims([1, 2], 3)).toThrow("ops.expandDims: axis=3 is out of range for a tensor of rank 2");
  });

  it("where needs three arguments", () => {
    expect(() => (ops.where as (c: unknown) => Tensor)([1, 0])).toThrow(ConfigError);
    expect(() => (ops.where as (c: unknown) => Tensor)([1, 0])).toThrow("ops.where needs three arguments (condition, x1, x2)");
  });
});
