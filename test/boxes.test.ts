import { describe, expect, it } from "vitest";
import {
  CIoULoss,
  ConfigError,
  DIoULoss,
  GIoULoss,
  InputError,
  ShapeError,
  Tensor,
  ciouLoss,
  diouLoss,
  giouLoss,
  deserializeLoss,
  moveAxis,
  numericalGrad,
  type Loss,
} from "../src/index";
import { expectClose, expectGradMatches, flat, snapshot } from "./helpers";
import { expectGradsEverywhere, expectRegistered, expectRoundTrip, filled } from "./beyond-helpers";

type Box = number[];

/** Independent float64 reference of TFA's `_calculate_giou(b1 = yPred, b2 = yTrue)`, boxes [ymin, xmin, ymax, xmax]. */
function referenceGiou(t: Box, p: Box, mode = "giou"): number {
  const [y1, x1, y2, x2] = p as [number, number, number, number];
  const [Y1, X1, Y2, X2] = t as [number, number, number, number];
  const area = (a: number, b: number, c: number, d: number) => Math.max(0, d - b) * Math.max(0, c - a);
  const inter = Math.max(0, Math.min(x2, X2) - Math.max(x1, X1)) * Math.max(0, Math.min(y2, Y2) - Math.max(y1, Y1));
  const union = area(y1, x1, y2, x2) + area(Y1, X1, Y2, X2) - inter;
  const iou = union === 0 ? 0 : inter / union;
  if (mode === "iou") return 1 - iou;
  const enclose = Math.max(0, Math.max(x2, X2) - Math.min(x1, X1)) * Math.max(0, Math.max(y2, Y2) - Math.min(y1, Y1));
  return 1 - (iou - (enclose === 0 ? 0 : (enclose - union) / enclose));
}

/** Independent float64 reference of torchvision's `distance_box_iou_loss` / `complete_box_iou_loss` (order-free: symmetric in x and y). */
function referenceDistance(t: Box, p: Box, complete: boolean, eps = 1e-7): number {
  const [y1, x1, y2, x2] = p as [number, number, number, number];
  const [Y1, X1, Y2, X2] = t as [number, number, number, number];
  const iw = Math.min(x2, X2) - Math.max(x1, X1), ih = Math.min(y2, Y2) - Math.max(y1, Y1);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = (x2 - x1) * (y2 - y1) + (X2 - X1) * (Y2 - Y1) - inter;
  const iou = inter / (union + eps);
  const diag = (Math.max(x2, X2) - Math.min(x1, X1)) ** 2 + (Math.max(y2, Y2) - Math.min(y1, Y1)) ** 2 + eps;
  const dist = ((x1 + x2) / 2 - (X1 + X2) / 2) ** 2 + ((y1 + y2) / 2 - (Y1 + Y2) / 2) ** 2;
  let loss = 1 - iou + dist / diag;
  if (complete) {
    const v = (4 / Math.PI ** 2) * (Math.atan((X2 - X1) / (Y2 - Y1)) - Math.atan((x2 - x1) / (y2 - y1))) ** 2;
    loss += (v / (1 - iou + v + eps)) * v;
  }
  return loss;
}

// giou_loss_test.py
const BOXES1 = [[4.0, 3.0, 7.0, 5.0], [5.0, 6.0, 10.0, 7.0]];
const BOXES2 = [[3.0, 4.0, 6.0, 8.0], [14.0, 14.0, 15.0, 15.0]];
// assert_allclose_according_to_type: rtol = atol = 1e-6 for float32 and float64
const TFA_TOL = { rtol: 1e-6, atol: 1e-6 };

/**
 * `rows` random boxes [ymin, xmin, ymax, xmax] in [0, 9]², sides in [0.3, 3.3]; a fraction
 * `inverted` of them with ymax < ymin. Continuous coordinates: no ties between boxes.
 */
function randomBoxes(seed: number, rows: number, inverted = 0): Tensor {
  const u = filled([rows, 4], seed, (random) => random()).data;
  const out = new Float64Array(4 * rows);
  for (let r = 0; r < rows; r++) {
    const y1 = 6 * u[4 * r]!, x1 = 6 * u[4 * r + 1]!;
    const h = (0.3 + 3 * u[4 * r + 2]!) * (r < rows * inverted ? -1 : 1), w = 0.3 + 3 * u[4 * r + 3]!;
    out.set([y1, x1, y1 + h, x1 + w], 4 * r);
  }
  return new Tensor(out, [rows, 4]);
}

const boxRows = (x: Tensor) => Array.from({ length: x.size / 4 }, (_, r) => Array.from(x.data.slice(4 * r, 4 * r + 4)));

describe("GIoULoss (TensorFlow Addons values)", () => {
  it("docstring example and TSDoc examples", () => {
    expectClose(new GIoULoss()(BOXES1, BOXES2), 1.5041667, { rtol: 1e-7, atol: 0 });
    expectClose(giouLoss(BOXES1, BOXES2), [1.075, 1.9333333], { rtol: 1e-7, atol: 0 });
  });
  it("giou_loss_test.py test_config", () => {
    const loss = new GIoULoss({ reduction: "none", name: "giou_loss" });
    expect(loss.name).toBe("giou_loss");
    expect(loss.reduction).toBe("none");
    expect(new GIoULoss().reduction).toBe("sum_over_batch_size");
  });
  for (const dtype of ["float32", "float64"] as const) {
    const boxes = (x: number[][]) => new Tensor(dtype === "float32" ? Float32Array.from(x.flat()) : Float64Array.from(x.flat()), [x.length, 4]);
    it(`giou_loss_test.py test_iou, test_giou_loss, test_keras_model (${dtype})`, () => {
      expectClose(giouLoss(boxes(BOXES1), boxes(BOXES2), { mode: "iou" }), [0.875, 1.0], TFA_TOL);
      expectClose(giouLoss(boxes(BOXES1), boxes(BOXES2)), [1.07500000298023224, 1.9333333373069763], TFA_TOL);
      expectClose(new GIoULoss({ reduction: "sum_over_batch_size", dtype })(boxes(BOXES1), boxes(BOXES2)), 1.5041667222976685, TFA_TOL);
    });
    it(`giou_loss_test.py test_different_shapes and test_one_bbox (${dtype})`, () => {
      const expand1 = new Tensor(boxes(BOXES1).data, [2, 1, 4]);
      const expand2 = new Tensor(boxes([BOXES2[0]!]).data, [1, 1, 4]);
      const loss = giouLoss(expand1, expand2);
      expect(loss.shape).toEqual([2]);
      expectClose(loss, [1.07500000298023224, 1.366071], TFA_TOL);
      const one = giouLoss(boxes([BOXES1[0]!]).data, boxes([BOXES2[0]!]).data);
      expect(one.shape).toEqual([]);
      expectClose(one.item(), 1.07500000298023224, TFA_TOL);
    });
  }
  it("giou_loss_test.py test_with_integer", () => {
    const b1 = { data: Int32Array.from(BOXES1.flat()), shape: [2, 4] } as never;
    const b2 = { data: Int32Array.from(BOXES2.flat()), shape: [2, 4] } as never;
    const loss = giouLoss(b1, b2);
    expect(loss.data).toBeInstanceOf(Float32Array);
    expectClose(loss, [1.07500000298023224, 1.9333333373069763], TFA_TOL);
  });
  it("quirk: tf.squeeze drops every axis of size 1", () => {
    expect(giouLoss([[BOXES1[0]!]], [[BOXES2[0]!]]).shape).toEqual([]);
    expect(giouLoss([BOXES1[0]!], [BOXES2[0]!]).shape).toEqual([]);
    expect(giouLoss([[BOXES1[0]!], [BOXES1[1]!]], [BOXES2[0]!]).shape).toEqual([2]);
    expect(giouLoss([[[BOXES1[0]!, BOXES1[1]!]]], [[[BOXES2[0]!, BOXES2[1]!]]]).shape).toEqual([2]);
    // the class reduces the squeezed values the same way; "none" keeps the squeezed shape
    const none = new GIoULoss({ reduction: "none" })([[[BOXES1[0]!]], [[BOXES1[1]!]]], [[[BOXES2[0]!]], [[BOXES2[1]!]]]);
    expect(none.shape).toEqual([2]);
    expectGradMatches(new GIoULoss({ dtype: "float64" }), [[[BOXES1[0]!]], [[BOXES1[1]!]]], [[[3.5, 4.2, 6.1, 8.3]], [[13.1, 14.2, 15.3, 15.9]]], [2, 0.5], { rtol: 1e-6, atol: 1e-8 });
  });
  it("quirk: degenerate boxes give a finite loss through divide_no_nan", () => {
    // two identical points: U = 0 and E = 0, so IoU = 0 and GIoU = 0
    expect(flat(giouLoss([[1, 1, 1, 1]], [[1, 1, 1, 1]]))).toEqual([1]);
    // an inverted box is clamped to zero width: IoU = 0
    expectClose(giouLoss([[0, 0, 2, 2]], [[2, 2, 1, 1]], { dtype: "float64" }), [referenceGiou([0, 0, 2, 2], [2, 2, 1, 1])], { rtol: 1e-15, atol: 0 });
    const { value, grad } = new GIoULoss({ reduction: "sum" }).valueAndGrad([[1, 1, 1, 1]], [[1, 1, 1, 1]]);
    expect(value).toBe(1);
    expect(flat(grad).every(Number.isFinite)).toBe(true);
  });
  it("a NaN coordinate gives a NaN loss for its pair only", () => {
    const v = flat(giouLoss([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, NaN, 1, 1], [0, 0, 1, 2]], { dtype: "float64" }));
    expect(Number.isNaN(v[0])).toBe(true);
    expectClose(v[1]!, referenceGiou([0, 0, 1, 1], [0, 0, 1, 2]), { rtol: 1e-15, atol: 0 });
    expect(Number.isNaN(flat(diouLoss([0, 0, 1, 1], [0, NaN, 1, 1]))[0])).toBe(true);
  });
  it("quirk: the mode check is case-sensitive", () => {
    expect(() => new GIoULoss({ mode: "GIoU" as never })).toThrow(ConfigError);
    expect(() => giouLoss(BOXES1, BOXES2, { mode: "IOU" as never })).toThrow("giou_loss: Value of mode should be 'iou' or 'giou' (case-sensitive), received \"IOU\"");
  });
  it("random pairs against the float64 reference, both modes (overlapping, apart, and inverted boxes)", () => {
    const t = randomBoxes(1, 40, 0.25), p = randomBoxes(2, 40, 0.25);
    for (const mode of ["giou", "iou"] as const) {
      expectClose(giouLoss(t, p, { mode, dtype: "float64" }), boxRows(t).map((b, i) => referenceGiou(b, boxRows(p)[i]!, mode)), { rtol: 1e-14, atol: 1e-15 });
    }
  });
});

// torchvision test_ops.py get_boxes: (x1, y1, x2, y2) there; the losses are symmetric in x and y.
const box1 = [-1, -1, 1, 1], box2 = [0, 0, 1, 1], box3 = [0, 1, 1, 2], box4 = [1, 1, 2, 2];
const box1s = [box2, box2], box2s = [box3, box4];
// torch.testing.assert_close for float32: rtol 1.3e-6, atol 1e-5
const TORCH_TOL = { rtol: 1.3e-6, atol: 1e-5 };
const INT_BOXES = [[0, 0, 100, 100], [0, 0, 50, 50], [200, 200, 300, 300], [0, 0, 25, 25]];
const INT_BOXES2 = [[0, 0, 100, 100], [0, 0, 50, 50], [200, 200, 300, 300]];
const INT_EXPECTED = [[1.0, 0.1875, -0.4444], [0.1875, 1.0, -0.5625], [-0.4444, -0.5625, 1.0], [-0.0781, 0.1875, -0.6267]];
const FLOAT_BOXES = [[285.3538, 185.5758, 1193.511, 851.4551], [285.1472, 188.7374, 1192.4984, 851.0669], [279.244, 197.9812, 1189.4746, 849.2019]];
const FLOAT_EXPECTED = [[1.0, 0.9933, 0.9673], [0.9933, 1.0, 0.9737], [0.9673, 0.9737, 1.0]];

for (const [name, fn, cls, complete] of [["DIoULoss", diouLoss, DIoULoss, false], ["CIoULoss", ciouLoss, CIoULoss, true]] as const) {
  describe(`${name} (torchvision values)`, () => {
    it("test_ops.py TestDistanceBoxIouLoss / TestCompleteBoxIouLoss", () => {
      expectClose(fn(box1, box1), [0], TORCH_TOL);
      expect(fn(box1, box1).shape).toEqual([]);
      expectClose(fn(box1, box2).item(), 0.8125, TORCH_TOL);
      expectClose(fn(box1, box3).item(), 1.1923, TORCH_TOL);
      expectClose(fn(box1, box4).item(), 1.25, TORCH_TOL);
      expectClose(new cls()(box1s, box2s), 1.225, TORCH_TOL);
      expectClose(new cls({ reduction: "sum" })(box1s, box2s), 2.45, TORCH_TOL);
    });
    it("TSDoc examples", () => {
      expectClose(new cls()([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, 1, 1, 2], [1, 1, 2, 2]]), 1.225, { rtol: 1e-6, atol: 0 });
      if (complete) expectClose(ciouLoss([[-1, -1, 1, 1], [-1, -1, 1, 1]], [[0, 0, 1, 1], [0, 1, 1, 2]]), [0.8125, 1.1923077], { rtol: 1e-6, atol: 0 });
      else expectClose(diouLoss([[-1, -1, 1, 1], [0, 0, 1, 1]], [[0, 0, 1, 1], [1, 1, 2, 2]]), [0.8125, 1.25], { rtol: 1e-6, atol: 0 });
    });
    it(`test_ops.py ${complete ? "TestCompleteBoxIou" : "TestDistanceBoxIoU"}: pairwise 1 - loss over broadcast boxes (atol 1e-4 / 1e-3)`, () => {
      const a = new Tensor(Float32Array.from(INT_BOXES.flat()), [4, 1, 4]);
      const b = new Tensor(Float32Array.from(INT_BOXES2.flat()), [1, 3, 4]);
      const loss = fn(b, a);
      expect(loss.shape).toEqual([4, 3]);
      expectClose(new Tensor(Float64Array.from(flat(loss).map((v) => 1 - v)), [4, 3]), INT_EXPECTED, { rtol: 0, atol: 1e-4 });
      const f = new Tensor(Float32Array.from(FLOAT_BOXES.flat()), [3, 1, 4]);
      const g = new Tensor(Float32Array.from(FLOAT_BOXES.flat()), [1, 3, 4]);
      expectClose(new Tensor(Float64Array.from(flat(fn(g, f)).map((v) => 1 - v)), [3, 3]), FLOAT_EXPECTED, { rtol: 0, atol: 1e-3 });
    });
    it("random pairs against the float64 reference; x/y order does not matter", () => {
      const t = randomBoxes(3, 30), p = randomBoxes(4, 30);
      const rows = boxRows;
      const expected = rows(t).map((b, i) => referenceDistance(b, rows(p)[i]!, complete));
      expectClose(fn(t, p, { dtype: "float64" }), expected, { rtol: 1e-13, atol: 1e-15 });
      // swapping x and y in both boxes ([xmin, ymin, xmax, ymax]) gives the same values
      const swap = (x: Tensor) => new Tensor(Float64Array.from(rows(x).flatMap(([a, b, c, d]) => [b!, a!, d!, c!])), [30, 4]);
      expectClose(fn(swap(t), swap(p), { dtype: "float64" }), expected, { rtol: 1e-13, atol: 1e-15 });
    });
    it("quirks: no width clamp, only a strictly positive overlap counts, eps in the union and the diagonal", () => {
      // touching boxes: overlap 0 (the mask is strict), union 2 + eps
      expectClose(fn([0, 0, 1, 1], [0, 1, 1, 2], { dtype: "float64" }), [referenceDistance([0, 0, 1, 1], [0, 1, 1, 2], complete)], { rtol: 1e-15, atol: 0 });
      // identical points: I = 0, union eps, diagonal eps: loss 1 (0 / eps) + 0 / eps
      if (!complete) expect(flat(diouLoss([2, 2, 2, 2], [2, 2, 2, 2], { dtype: "float64" }))).toEqual([1]);
      // identical boxes: IoU = 1 / (1 + eps), so the loss is eps / (1 + eps), not 0
      expectClose(fn([0, 0, 1, 1], [0, 0, 1, 1], { dtype: "float64" }), [1 - 1 / (1 + 1e-7)], { rtol: 1e-9, atol: 0 });
      // diagonally apart: both overlap extents are negative, their product positive; the mask keeps I = 0
      expectClose(fn([0, 0, 1, 1], [2, 2, 3, 3], { dtype: "float64" }), [1 + 8 / (18 + 1e-7)], { rtol: 1e-15, atol: 0 });
      // zero-area boxes at a distance: eps in the diagonal
      expectClose(fn([0, 0, 0, 1], [0, 3, 0, 4], { dtype: "float64" }), [1 + 9 / (16 + 1e-7)], { rtol: 1e-15, atol: 0 });
    });
  });
}

describe("CIoULoss aspect-ratio term", () => {
  it("alpha v against the reference, and alpha is a constant in the gradient (torch.no_grad)", () => {
    const t = [[0, 0, 2, 1], [1, 1, 4, 3], ...boxRows(randomBoxes(17, 6))];
    const p = [[0.5, 0.2, 1.7, 2.1], [0.7, 1.5, 3.1, 2.2], ...boxRows(randomBoxes(18, 6))];
    expectClose(ciouLoss(t, p, { dtype: "float64" }), t.map((b, i) => referenceDistance(b, p[i]!, true)), { rtol: 1e-14, atol: 0 });
    // The analytic gradient differs from the numerical one of the whole expression (alpha moves
    // with yPred there), and matches the gradient of the expression with alpha frozen.
    const loss = new CIoULoss({ reduction: "sum", dtype: "float64" });
    const analytic = flat(loss.grad(t, p));
    const h = 1e-6;
    const frozen = (pp: number[][], alphas: number[]) =>
      pp.reduce((s, b, i) => {
        const [y1, x1, y2, x2] = b as [number, number, number, number];
        const [Y1, X1, Y2, X2] = t[i] as [number, number, number, number];
        const v = (4 / Math.PI ** 2) * (Math.atan((X2 - X1) / (Y2 - Y1)) - Math.atan((x2 - x1) / (y2 - y1))) ** 2;
        return s + referenceDistance(t[i]!, b, false) + alphas[i]! * v;
      }, 0);
    const alphas = p.map((b, i) => {
      const full = referenceDistance(t[i]!, b, true), d = referenceDistance(t[i]!, b, false);
      // alpha v = full - d and alpha = v / (1 - iou + v + eps): solve for alpha from v
      const [y1, x1, y2, x2] = b as [number, number, number, number];
      const [Y1, X1, Y2, X2] = t[i] as [number, number, number, number];
      const v = (4 / Math.PI ** 2) * (Math.atan((X2 - X1) / (Y2 - Y1)) - Math.atan((x2 - x1) / (y2 - y1))) ** 2;
      return (full - d) / v;
    });
    const numericFrozen: number[] = [];
    for (let i = 0; i < t.length; i++) for (let j = 0; j < 4; j++) {
      const up = p.map((b) => [...b]), down = p.map((b) => [...b]);
      up[i]![j]! += h;
      down[i]![j]! -= h;
      numericFrozen.push((frozen(up, alphas) - frozen(down, alphas)) / (2 * h));
    }
    expectClose(new Tensor(Float64Array.from(analytic), [4 * t.length]), numericFrozen, { rtol: 1e-6, atol: 1e-8 });
    // the derivative with alpha moving is another function: it differs visibly
    const numericFull = flat(numericalGrad(loss, t, p));
    expect(Math.max(...numericFull.map((v, i) => Math.abs(v - analytic[i]!)))).toBeGreaterThan(1e-4);
  });
});

describe("box losses: gradients (float64 central differences)", () => {
  const t = new Tensor(randomBoxes(11, 24).data, [4, 6, 4]);
  const p = new Tensor(randomBoxes(12, 24).data, [4, 6, 4]);
  const cases: [string, (o: Record<string, unknown>) => Loss][] = [
    ["GIoULoss", (o) => new GIoULoss(o)],
    ["GIoULoss (mode iou)", (o) => new GIoULoss({ ...o, mode: "iou" })],
    ["DIoULoss", (o) => new DIoULoss(o)],
  ];
  for (const [name, make] of cases) {
    it(`${name}: every reduction, sample weights, mask, float32`, () => {
      expectGradsEverywhere(make, t, p, [4, 6], { f32rtol: 2e-3 });
    });
  }
  it("GIoULoss with inverted (clamped) boxes", () => {
    expectGradsEverywhere((o) => new GIoULoss(o), new Tensor(randomBoxes(16, 24, 0.3).data, [4, 6, 4]), p, [4, 6]);
  });
  it("CIoULoss: boxes of equal aspect ratio (v = 0, alpha v has no gradient) match central differences", () => {
    // squares: v = 0 for every pair
    const sq = (seed: number) => {
      const x = filled([4, 6, 4], seed, (u) => u());
      for (let r = 0; r < 24; r++) {
        const y1 = 6 * x.data[4 * r]!, x1 = 6 * x.data[4 * r + 1]!, s = 0.3 + 3 * x.data[4 * r + 2]!;
        x.data.set([y1, x1, y1 + s, x1 + s], 4 * r);
      }
      return x;
    };
    expectGradsEverywhere((o) => new CIoULoss(o) as Loss, sq(13), sq(14), [4, 6]);
  });
  it("GIoU: TensorFlow's tie rules (gradient to yPred on equal coordinates), with broadcasting", () => {
    // equal xmin: maximum/minimum give the whole gradient to yPred (TFA passes yPred first)
    const g = flat(new GIoULoss({ reduction: "sum", dtype: "float64", mode: "iou" }).grad([[0, 0, 2, 2]], [[0, 0, 1, 3]]));
    // By hand: pred y 0..1, x 0..3; true y 0..2, x 0..2. I = 1 · 2 = 2, U = 3 + 4 - 2 = 5;
    // d(1 - I/U)/d pred = -(dI U - I dU) / U² with dU = dA_pred - dI.
    const U = 5, I = 2;
    const dI = { y1: -2, x1: -1, y2: 2, x2: 0 }; // ymin/xmin ties: gradient to yPred; x2 = 3 > X2 = 2: min gives X2
    const dA = { y1: -3, x1: -1, y2: 3, x2: 1 };
    const expected = (["y1", "x1", "y2", "x2"] as const).map((k) => -(dI[k] * U - I * (dA[k] - dI[k])) / (U * U));
    expectClose(new Tensor(Float64Array.from(g), [4]), expected, { rtol: 1e-14, atol: 1e-15 });
    expectGradMatches(new GIoULoss({ reduction: "sum", dtype: "float64" }), t, new Tensor(randomBoxes(15, 6).data, [6, 4]), null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("DIoU: PyTorch's tie rule (half the gradient on equal coordinates)", () => {
    // pred [0, 0, 1, 3] vs true [0, 0, 2, 2] (y, x): ties at ymin and xmin
    const g = flat(new DIoULoss({ reduction: "sum", dtype: "float64" }).grad([[0, 0, 2, 2]], [[0, 0, 1, 3]]));
    // the average of the one-sided derivatives at the tie is PyTorch's half rule for these terms
    const f = (p: number[]) => referenceDistance([0, 0, 2, 2], p, false);
    const h = 1e-7;
    for (const j of [0, 1]) {
      const up = [0, 0, 1, 3], down = [0, 0, 1, 3];
      up[j]! += h;
      down[j]! -= h;
      expectClose(g[j]!, (f(up) - f(down)) / (2 * h), { rtol: 1e-5, atol: 1e-8 });
    }
  });
  it("strided views (coordinates stored as planes [4, N]) give the values and gradients of contiguous copies", () => {
    const planes = (x: Tensor) => new Tensor(Float64Array.from({ length: 96 }, (_, i) => x.data[(i % 24) * 4 + Math.floor(i / 24)]!), [4, 24]);
    const tv = moveAxis(planes(new Tensor(t.data, [24, 4])), 0, 1), pv = moveAxis(planes(new Tensor(p.data, [24, 4])), 0, 1);
    const tc = new Tensor(t.data, [24, 4]), pc = new Tensor(p.data, [24, 4]);
    for (const fn of [giouLoss, diouLoss, ciouLoss]) {
      expect(flat(fn(tv, pv, { dtype: "float64" }))).toEqual(flat(fn(tc, pc, { dtype: "float64" })));
      const u = new Tensor(new Float64Array(24).fill(1), [24]);
      expect(flat(fn.vjp(tv, pv, u))).toEqual(flat(fn.vjp(tc, pc, u)));
    }
    expectGradMatches(new DIoULoss({ dtype: "float64" }), tv, pv, null, { rtol: 1e-6, atol: 1e-8 });
  });
  it("yPred broadcast: gradients accumulate; inputs not mutated", () => {
    const one = new Tensor(Float64Array.from([1, 1, 3.2, 2.7]), [4]);
    for (const loss of [new GIoULoss({ reduction: "sum", dtype: "float64" }), new DIoULoss({ reduction: "sum", dtype: "float64" })] as Loss[]) {
      expectGradMatches(loss, t, one, null, { rtol: 1e-6, atol: 1e-8 });
    }
    const before = [snapshot(t), snapshot(p)];
    for (const loss of [new GIoULoss(), new DIoULoss(), new CIoULoss()] as Loss[]) loss.valueAndGrad(t, p);
    expect([snapshot(t), snapshot(p)]).toEqual(before);
  });
});

describe("box losses: registry, config and errors", () => {
  it("getLoss by class name, function name, camelCase", () => {
    expectRegistered(GIoULoss, ["GIoULoss", "giou_loss", "giouLoss", "Addons>GIoULoss", "Addons>giou_loss"]);
    // TFA's Keras JSON (snake_case keys) deserializes
    const restored = deserializeLoss({ class_name: "Addons>GIoULoss", config: { mode: "iou", name: "giou_loss", reduction: "sum" } });
    expect(restored).toBeInstanceOf(GIoULoss);
    expect(restored.getConfig()).toEqual({ name: "giou_loss", reduction: "sum", dtype: "float32", mode: "iou" });
    expectRegistered(DIoULoss, ["DIoULoss", "diou_loss", "diouLoss", "distance_box_iou_loss"]);
    expectRegistered(CIoULoss, ["CIoULoss", "ciou_loss", "ciouLoss", "complete_box_iou_loss"]);
  });
  it("config round trips", () => {
    const g = new GIoULoss({ mode: "iou", reduction: "sum", name: "g" });
    expect(g.getConfig()).toEqual({ name: "g", reduction: "sum", dtype: "float32", mode: "iou" });
    expectRoundTrip(g, "GIoULoss", BOXES1, BOXES2);
    expectRoundTrip(new DIoULoss({ reduction: "none" }), "DIoULoss", BOXES1, BOXES2);
    expectRoundTrip(new CIoULoss({ name: "c" }), "CIoULoss", BOXES1, BOXES2);
    expect(new DIoULoss().getConfig()).toEqual({ name: "diou_loss", reduction: "sum_over_batch_size", dtype: "float32" });
    expect(new CIoULoss().name).toBe("ciou_loss");
  });
  it("bad boxes and shapes", () => {
    for (const fn of [giouLoss, diouLoss, ciouLoss]) {
      expect(() => fn([[1, 2, 3]], [[1, 2, 3]])).toThrow(ShapeError);
      expect(() => fn(3, 3)).toThrow(ShapeError);
      expect(() => fn([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]], [[1, 2, 3, 4], [1, 2, 3, 4]])).toThrow(/expected shapes that broadcast together/);
    }
    expect(() => giouLoss([[1, 2, 3]], [[1, 2, 3, 4]])).toThrow("giou_loss: yTrue must hold boxes [ymin, xmin, ymax, xmax] on its last axis (shape [..., 4]), received shape [1,3]");
    // DIoU/CIoU refuse inverted boxes (torchvision requires ymin <= ymax, xmin <= xmax)
    expect(() => diouLoss([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, 0, 1, 1], [0, 2, 1, 1]])).toThrow(InputError);
    expect(() => diouLoss([[0, 0, 1, 1], [0, 0, 1, 1]], [[0, 0, 1, 1], [0, 2, 1, 1]])).toThrow("diou_loss: yPred has an inverted box at pair 1");
    expect(() => new CIoULoss()([[2, 0, 1, 1]], [[0, 0, 1, 1]])).toThrow("ciou_loss: yTrue has an inverted box at pair 0");
    expect(() => new DIoULoss({ eps: 1 } as never)).toThrow(/eps is not an option of diou_loss/);
  });
});
