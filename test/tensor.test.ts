import { describe, expect, it } from "vitest";
import { InputError, ShapeError, Tensor, broadcastTo, expandDims, moveAxis, reshape, squeeze, tensor, toTensor } from "../src/index";
import { rowsOf } from "../src/tensor/rows";

describe("tensor()", () => {
  it("converts numbers, nested arrays and typed arrays", () => {
    const scalar = tensor(3.5);
    expect(scalar.shape).toEqual([]);
    expect(scalar.rank).toBe(0);
    expect(scalar.item()).toBe(3.5);
    expect(scalar.toArray()).toBe(3.5);

    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(m.shape).toEqual([2, 3]);
    expect(m.size).toBe(6);
    expect(m.dtype).toBe("float32");
    expect(m.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(m.get(1, 2)).toBe(6);

    expect(tensor([[true, false]]).toArray()).toEqual([[1, 0]]);
    expect(tensor([[1, 2]], undefined, "float64").dtype).toBe("float64");
    expect(tensor([new Float32Array([1, 2]), new Float32Array([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it("wraps Float32Array and Float64Array without copying", () => {
    const data = new Float32Array(4096 * 10);
    const t = tensor(data, [4096, 10]);
    expect(t.data).toBe(data);
    expect(t.shape).toEqual([4096, 10]);
    const d64 = new Float64Array([1, 2, 3, 4]);
    const t64 = toTensor(d64, { shape: [2, 2] });
    expect(t64.data).toBe(d64);
    expect(t64.dtype).toBe("float64");
  });

  it("copies integer typed arrays into floats", () => {
    const labels = new Int32Array([0, 2, 1]);
    const t = tensor(labels);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([0, 2, 1]);
    expect(tensor(new BigInt64Array([3n, 4n])).toArray()).toEqual([3, 4]);
  });

  it("returns a Tensor as it is", () => {
    const t = tensor([1, 2]);
    expect(toTensor(t)).toBe(t);
  });

  it("reads ndarray-like objects (scijs stride, stdlib strides) as zero-copy views", () => {
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    // scijs ndarray of shape [3,2] transposed to [2,3]: stride [1,2]
    const transposed = toTensor({ data, shape: [2, 3], stride: [1, 2], offset: 0 });
    expect(transposed.data).toBe(data);
    expect(transposed.toArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
    const stdlib = toTensor({ data, shape: [2], strides: [-2], offset: 4 });
    expect(stdlib.toArray()).toEqual([5, 3]);
    const plain = toTensor({ data: [1, 2, 3, 4], shape: [2, 2], stride: [2, 1], offset: 0 });
    expect(plain.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it("refuses ragged arrays, non-numbers and bad shapes with the path", () => {
    expect(() => toTensor([[1, 2], [3]], { name: "yTrue" })).toThrow(ShapeError);
    expect(() => toTensor([[1, 2], [3]], { name: "yTrue" })).toThrow("yTrue[1] has length 1 but yTrue[0] has length 2");
    expect(() => toTensor([[1, 2], [3, [4]]] as never, { name: "yPred" })).toThrow("yPred[1][1] is an array");
    expect(() => toTensor([[1, 2], [3, "a"]] as never, { name: "yPred" })).toThrow(InputError);
    expect(() => toTensor([[1, 2], [3, "a"]] as never, { name: "yPred" })).toThrow("yPred[1][1] is a string");
    expect(() => toTensor([[1, 2], 3] as never, { name: "yPred" })).toThrow("yPred[1] is 3 but yPred[0] is an array");
    expect(() => toTensor([null] as never, { name: "w" })).toThrow("w[0] is null, expected a number");
    expect(() => tensor(new Float32Array(6), [4, 2])).toThrow("has 6 elements, which does not fit shape [4,2]");
    expect(() => tensor(new Float32Array(6), [-2, -3])).toThrow(ShapeError);
    expect(() => tensor(new Float32Array(6), [1.5, 4])).toThrow("non-negative integers");
    expect(() => toTensor({ data: new Float32Array(4), shape: [3, 2], stride: [2, 1], offset: 0 }, { name: "x" })).toThrow("reaches outside its data");
    expect(() => toTensor("abc" as never, { name: "yTrue" })).toThrow(InputError);
    expect(() => toTensor({} as never, { name: "yTrue" })).toThrow("yTrue must be");
  });

  it("keeps the empty shapes it is given", () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });
});

describe("views", () => {
  const base = tensor([[1, 2, 3], [4, 5, 6]]);

  it("reshape of contiguous data shares the buffer", () => {
    const r = reshape(base, [3, 2]);
    expect(r.data).toBe(base.data);
    expect(r.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(reshape(base, [-1]).shape).toEqual([6]);
    expect(() => reshape(base, [4, 2])).toThrow(ShapeError);
  });

  it("moveAxis, squeeze, expandDims and broadcastTo are views", () => {
    const t = moveAxis(base, 0, 1);
    expect(t.data).toBe(base.data);
    expect(t.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(t.isContiguous).toBe(false);
    expect(reshape(t, [6]).toArray()).toEqual([1, 4, 2, 5, 3, 6]);
    const e = expandDims(base, -1);
    expect(e.shape).toEqual([2, 3, 1]);
    expect(squeeze(e, -1).toArray()).toEqual(base.toArray());
    expect(() => squeeze(base, 0)).toThrow("its size is 2, not 1");
    const b = broadcastTo(tensor([1, 2, 3]), [2, 3]);
    expect(b.strides).toEqual([0, 1]);
    expect(b.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(() => broadcastTo(tensor([1, 2]), [2, 3])).toThrow(ShapeError);
  });

  it("rowsOf lays out rows along any axis", () => {
    const rows = rowsOf(base, 0);
    expect(rows.rows).toBe(3);
    expect(rows.length).toBe(2);
    expect(rows.stride).toBe(3);
    expect(Array.from(rows.offsets)).toEqual([0, 1, 2]);
    expect(rows.outerShape).toEqual([3]);
  });

  it("toTypedArray copies in C order", () => {
    const t = moveAxis(base, 0, 1);
    expect(Array.from(t.toTypedArray())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(t.toTypedArray("float64")).toBeInstanceOf(Float64Array);
    expect(new Tensor(new Float32Array([7]), []).toString()).toBe("Tensor(float32, shape=[])");
  });
});
