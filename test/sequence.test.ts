import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CTC,
  ConfigError,
  InputError,
  ShapeError,
  Tensor,
  ctc,
  deserializeLoss,
  getLoss,
  moveAxis,
  serializeLoss,
  tensor,
} from "../src/index";
import { expectClose, expectGradMatches, flat, rng, randomTensor, snapshot } from "./helpers";

/** TensorFlow's dense CTC "log 0": float32(log(1e-307)) (tensorflow/python/ops/ctc_ops.py, ctc_state_log_probs). */
const TF_LOG_ZERO = Math.fround(Math.log(1e-307));

/** Keras losses_test.py CTCTest: (np.arange(24).reshape((2, 4, 3)).astype("float32") - 12) / 100. */
function kerasLogits(): Tensor {
  const data = new Float32Array(24);
  for (let i = 0; i < 24; i++) data[i] = Math.fround(i - 12) / 100;
  return tensor(data, [2, 4, 3]);
}
const KERAS_LABELS = [
  [1, 2, 1, 0],
  [1, 2, 0, 2],
];

/** log-softmax of one frame, in doubles. */
function logSoftmax(frame: number[]): number[] {
  const max = Math.max(...frame);
  const lse = max + Math.log(frame.reduce((s, v) => s + Math.exp(v - max), 0));
  return frame.map((v) => v - lse);
}

/** Collapse a frame-wise path as CTC reads it: merge repeats, then drop blanks (0). */
function collapse(path: number[]): number[] {
  const out: number[] = [];
  for (let t = 0; t < path.length; t++) {
    if (t > 0 && path[t] === path[t - 1]) continue;
    if (path[t] !== 0) out.push(path[t]!);
  }
  return out;
}

/**
 * -log P(labels | logits) by enumerating every frame-wise path (C^T of them): the
 * definition of CTC, independent of any recursion. Infinity when no path fits.
 */
function bruteForceCtc(labels: number[], logits: number[][]): number {
  const T = logits.length;
  const C = logits[0]!.length;
  const lp = logits.map(logSoftmax);
  const path = new Array<number>(T).fill(0);
  let total = 0;
  for (let code = 0; code < C ** T; code++) {
    let rest = code;
    for (let t = 0; t < T; t++) {
      path[t] = rest % C;
      rest = Math.floor(rest / C);
    }
    const collapsed = collapse(path);
    if (collapsed.length !== labels.length || collapsed.some((v, i) => v !== labels[i])) continue;
    let logp = 0;
    for (let t = 0; t < T; t++) logp += lp[t]![path[t]!]!;
    total += Math.exp(logp);
  }
  return -Math.log(total);
}

/** Logits as a float64 tensor, so that exact comparisons are not blurred by float32 rounding. */
function f64(x: unknown[]): Tensor {
  return tensor(x as number[], undefined, "float64");
}

function randomLogits(T: number, C: number, random: () => number, scale = 3): number[][] {
  return Array.from({ length: T }, () => Array.from({ length: C }, () => (2 * random() - 1) * scale));
}

describe("CTC: Keras values", () => {
  it("losses_test.py CTCTest.test_correctness: CTC()(y_true, logits) = 2.448645", () => {
    expectClose(new CTC()(KERAS_LABELS, kerasLogits()) as number, 2.448645, { rtol: 1e-6, atol: 1e-6 });
  });

  it("the per-sample values average to the Keras value (the TSDoc example)", () => {
    const values = ctc(KERAS_LABELS, kerasLogits());
    expect(values.shape).toEqual([2]);
    const [a, b] = flat(values);
    expectClose((a! + b!) / 2, 2.448645, { rtol: 1e-6, atol: 1e-6 });
    // The second row has a 0 inside its first three labels ([1, 2, 0, 2] has length 3).
    expect(new CTC({ reduction: "sum" })(KERAS_LABELS, kerasLogits())).toBeCloseTo(2 * 2.448645, 5);
  });

  it("ops/nn_test.py test_ctc_loss: [3.4411672, 1.91680186] (output lengths 3 and 2 as the frame count)", () => {
    // Keras: labels [[1,2,1],[1,2,2]], label_length [3,2], output_length [3,2]; the loss
    // uses every frame and counts non-zero labels, so each row is its own call here.
    const outputs = [
      [
        [0.4, 0.8, 0.4],
        [0.2, 0.8, 0.3],
        [0.9, 0.4, 0.5],
      ],
      [
        [0.4, 0.8, 0.4],
        [0.2, 0.3, 0.3],
        [0.4, 0.3, 0.2],
      ],
    ];
    expectClose(ctc([[1, 2, 1]], [outputs[0]!]), [3.4411672], { rtol: 1e-6, atol: 1e-6 });
    expectClose(ctc([[1, 2]], [outputs[1]!.slice(0, 2)]), [1.91680186], { rtol: 1e-6, atol: 1e-6 });
    // [1, 2, 1] in 3 frames has exactly one alignment: -Σ log softmax along it.
    const lp = outputs[0]!.map(logSoftmax);
    expectClose(ctc([[1, 2, 1]], f64([outputs[0]!])), [-(lp[0]![1]! + lp[1]![2]! + lp[2]![1]!)], { rtol: 1e-12, atol: 0 });
  });

  it("losses_test.py CTCTest.test_config: serialization round trip of CTC(name='myctc')", () => {
    const loss = new CTC({ name: "myctc" });
    expect(loss.getConfig()).toEqual({ name: "myctc", reduction: "sum_over_batch_size", dtype: "float32" });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(back).toBeInstanceOf(CTC);
    expect(back.getConfig()).toEqual(loss.getConfig());
    expect(CTC.fromConfig(loss.getConfig()).getConfig()).toEqual(loss.getConfig());
    expect(new CTC().name).toBe("ctc");
  });

  it("losses_test.py CTCTest.test_dtype_arg (float64 here; losskit has no bfloat16)", () => {
    const loss = new CTC({ dtype: "float64", reduction: "none" });
    const values = loss(KERAS_LABELS, kerasLogits()) as Tensor;
    expect(values.dtype).toBe("float64");
    expect(ctc(KERAS_LABELS, kerasLogits()).dtype).toBe("float32");
    const [a, b] = flat(values);
    expectClose((a! + b!) / 2, 2.448645, { rtol: 1e-6, atol: 1e-6 });
  });
});

describe("CTC: hand-computable cases", () => {
  it("T = 1, one label: loss = -log softmax(x)[label]", () => {
    const x = [0.3, -1.2, 2.0, 0.5];
    for (const label of [1, 2, 3]) {
      expectClose(ctc([[label]], f64([[x]])), [-logSoftmax(x)[label]!], { rtol: 1e-12, atol: 0 });
      // Padding does not change it.
      expectClose(ctc([[label, 0, 0]], f64([[x]])), [-logSoftmax(x)[label]!], { rtol: 1e-12, atol: 0 });
    }
  });

  it("an all-padding label row: loss = -Σ_t log softmax(x_t)[blank]", () => {
    const x = [
      [0.1, 0.7, -0.3],
      [1.1, -0.2, 0.4],
      [-0.5, 0.0, 0.9],
    ];
    const expected = -x.map(logSoftmax).reduce((s, lp) => s + lp[0]!, 0);
    expectClose(ctc([[0, 0]], f64([x])), [expected], { rtol: 1e-12, atol: 0 });
    expectClose(ctc(new Tensor(new Float64Array(0), [1, 0]), f64([x])), [expected], { rtol: 1e-6, atol: 1e-6 });
  });

  it("T = 2: every label sequence against the enumeration of all 9 paths (C = 3)", () => {
    const random = rng(7);
    const labelSets = [[], [1], [2], [1, 2], [2, 1], [1, 1], [2, 2]];
    for (const labels of labelSets) {
      const x = randomLogits(2, 3, random);
      const expected = bruteForceCtc(labels, x);
      if (!Number.isFinite(expected)) continue; // [1,1] needs 3 frames: checked below
      const padded = [...labels, 0, 0].slice(0, 2);
      expectClose(ctc([padded], f64([x])), [expected], { rtol: 1e-12, atol: 1e-14 });
    }
  });

  it("T = 3..5 with repeats and blanks against the enumeration of all paths", () => {
    const random = rng(11);
    const cases: Array<[number[], number, number]> = [
      [[1, 1], 3, 3],
      [[1, 2, 1], 4, 3],
      [[2, 2, 2], 5, 3],
      [[1, 3, 3], 5, 4],
      [[3], 4, 4],
    ];
    for (const [labels, T, C] of cases) {
      const x = randomLogits(T, C, random);
      expectClose(ctc([[...labels, 0]], f64([x])), [bruteForceCtc(labels, x)], { rtol: 1e-12, atol: 1e-14 });
    }
  });

  it("a batch gives each row its own label length", () => {
    const random = rng(3);
    const x = [randomLogits(4, 3, random), randomLogits(4, 3, random), randomLogits(4, 3, random)];
    const labels = [
      [1, 2, 0],
      [2, 0, 0],
      [1, 1, 2],
    ];
    const expected = [bruteForceCtc([1, 2], x[0]!), bruteForceCtc([2], x[1]!), bruteForceCtc([1, 1, 2], x[2]!)];
    expectClose(ctc(labels, f64(x)), expected, { rtol: 1e-12, atol: 1e-14 });
  });

  it("a label sequence too long for the frames gives TensorFlow's finite value, not Infinity", () => {
    // TF's dense CTC weights non-final end states by exp(log_0), log_0 = float32(log(1e-307)).
    // T = 1, labels [1, 2]: the one-frame paths end in "blank" or "label 1", neither final.
    const x = [0.2, -0.4, 1.0];
    const p = logSoftmax(x).map(Math.exp);
    expectClose(ctc([[1, 2]], f64([[x]])), [-TF_LOG_ZERO - Math.log(p[0]! + p[1]!)], { rtol: 1e-12, atol: 0 });
    // T = 2, labels [1, 1] need 3 frames: all 2-frame paths staying in blank / label 1.
    const y = [
      [0.5, 0.1, -0.2],
      [-0.3, 0.8, 0.0],
    ];
    const [q0, q1] = y.map((f) => logSoftmax(f).map(Math.exp)) as [number[], number[]];
    const ghost = q0[0]! * q1[0]! + q0[0]! * q1[1]! + q0[1]! * q1[1]! + q0[1]! * q1[0]!;
    expectClose(ctc([[1, 1]], f64([y])), [-TF_LOG_ZERO - Math.log(ghost)], { rtol: 1e-12, atol: 0 });
  });

  it("no frames (T = 0): 0 for an empty label row, -log_0 ≈ 706.89 otherwise (TF's start-state final weight)", () => {
    const values = ctc(
      [
        [0, 0],
        [1, 0],
      ],
      new Tensor(new Float64Array(0), [2, 0, 3]),
    );
    expectClose(values, [0, -TF_LOG_ZERO], { rtol: 1e-12, atol: 0 });
    const { value, grad } = new CTC().valueAndGrad([[1]], new Tensor(new Float32Array(0), [1, 0, 3]));
    expectClose(value as number, -TF_LOG_ZERO, { rtol: 1e-6, atol: 0 });
    expect(grad.shape).toEqual([1, 0, 3]);
  });

  it("is stable for logits of ±1e4: 0 for a confident right answer, TF's ~706.89 cap for a confident wrong one", () => {
    const big = 1e4;
    // Frames predicting [1, blank, 2] confidently; labels [1, 2] are right.
    const right = [
      [-big, big, -big],
      [big, -big, -big],
      [-big, -big, big],
    ];
    const loss = new CTC({ reduction: "none" });
    const good = loss([[1, 2]], [right]) as Tensor;
    expect(flat(good)[0]).toBeGreaterThanOrEqual(0);
    expect(flat(good)[0]).toBeLessThan(1e-6);
    // All-blank frames with label [1]: the true path costs ~2e4 nats, the floor caps it.
    const blank = [
      [big, -big, -big],
      [big, -big, -big],
    ];
    const bad = loss([[1]], [blank]) as Tensor;
    expectClose(bad, [-TF_LOG_ZERO], { rtol: 1e-6, atol: 0 });
    expect(flat(new CTC().grad([[1, 2]], [right])).every(Number.isFinite)).toBe(true);
    expect(flat(new CTC().grad([[1]], [blank])).every(Number.isFinite)).toBe(true);
    const mixed = [
      [big, -big, 3],
      [-big, 0, big],
    ];
    expect(flat(ctc([[2]], [mixed])).every(Number.isFinite)).toBe(true);
  });

  it("reads strided views (channels-first logits moved to [B, T, C] without a copy)", () => {
    const random = rng(5);
    const x = [randomLogits(4, 3, random), randomLogits(4, 3, random)];
    const channelsFirst = tensor(
      x.map((s) => [0, 1, 2].map((c) => s.map((frame) => frame[c]!))),
      undefined,
      "float64",
    );
    const view = moveAxis(channelsFirst, 1, 2);
    expect(view.isContiguous).toBe(false);
    const labels = [
      [1, 2],
      [1, 0],
    ];
    expectClose(ctc(labels, view), flat(ctc(labels, f64(x))), { rtol: 1e-12, atol: 0 });
    // Labels may be a strided view too: [L, B] transposed to [B, L].
    const labelsTransposed = moveAxis(f64([[1, 1], [2, 0]]), 0, 1);
    expect(labelsTransposed.toArray()).toEqual(labels);
    expectClose(ctc(labelsTransposed, view), flat(ctc(labels, f64(x))), { rtol: 1e-12, atol: 0 });
  });
});

describe("CTC properties (fast-check)", () => {
  /** A random problem: labels in 1..C-1 padded with trailing zeros, logits in [-3, 3]. */
  function problem(B: number, T: number, C: number, L: number, seed: number) {
    const random = rng(seed);
    const labelRows = Array.from({ length: B }, () => {
      const length = Math.floor(random() * (L + 1));
      return Array.from({ length: L }, (_, k) => (k < length ? 1 + Math.floor(random() * (C - 1)) : 0));
    });
    const logits = randomTensor([B, T, C], random, (u) => (2 * u - 1) * 3);
    return { labels: tensor(labelRows.length ? labelRows : [], [B, L], "float64"), labelRows, logits };
  }
  const sizes = [
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 2, max: 4 }),
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  ] as const;

  it("matches the enumeration of all paths where an alignment exists, and TF's floor (> 700) where none does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (T, C, L, seed) => {
        const { labels, labelRows, logits } = problem(1, T, C, L, seed);
        const x = logits.toArray() as number[][][];
        const row = labelRows[0]!.filter((v) => v !== 0);
        const expected = bruteForceCtc(row, x[0]!);
        const value = flat(ctc(labels, logits))[0]!;
        if (Number.isFinite(expected)) expectClose(value, expected, { rtol: 1e-10, atol: 1e-12 });
        else expect(value).toBeGreaterThan(700);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it("per-sample shape, non-negative, invariant to a constant added to a frame, class = mean of the handle, inputs unchanged", () => {
    fc.assert(
      fc.property(...sizes, (B, T, C, L, seed) => {
        const { labels, logits } = problem(B, T, C, L, seed);
        const before = [snapshot(labels), snapshot(logits)];
        const values = ctc(labels, logits);
        expect(values.shape).toEqual([B]);
        const v = flat(values);
        for (const value of v) expect(value).toBeGreaterThanOrEqual(0);
        // log_softmax makes every frame shift-invariant.
        const random = rng(seed ^ 0x5bd1e995);
        const shifted = new Float64Array(logits.data);
        for (let f = 0; f < B * T; f++) {
          const shift = (random() - 0.5) * 40;
          for (let c = 0; c < C; c++) shifted[f * C + c]! += shift;
        }
        expectClose(ctc(labels, new Tensor(shifted, [B, T, C])), v, { rtol: 1e-9, atol: 1e-9 });
        const loss = new CTC({ dtype: "float64" });
        expectClose(loss(labels, logits) as number, v.reduce((s, x) => s + x, 0) / B, { rtol: 1e-12, atol: 1e-12 });
        // The gradient is softmax - occupancy: it sums to 0 over the classes of every frame.
        const g = flat(new CTC({ dtype: "float64", reduction: "sum" }).grad(labels, logits));
        for (let f = 0; f < B * T; f++) {
          let s = 0;
          for (let c = 0; c < C; c++) s += g[f * C + c]!;
          expect(Math.abs(s)).toBeLessThan(1e-9);
        }
        expect([snapshot(labels), snapshot(logits)]).toEqual(before);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it("tends to 0 at a perfect prediction (a confident valid alignment)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (C, L, seed) => {
        const random = rng(seed);
        const labels = Array.from({ length: L }, () => 1 + Math.floor(random() * (C - 1)));
        // One alignment: a blank before every label (so repeats stay apart) and after the last.
        const path = labels.flatMap((l) => [0, l]).concat([0]);
        const x = path.map((cls) => Array.from({ length: C }, (_, c) => (c === cls ? 40 : 0)));
        const value = flat(ctc([labels.length ? labels : [0]], f64([x])))[0]!;
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(1e-10 * path.length * C);
      }),
      { numRuns: 100, seed: 3 },
    );
  });
});

describe("CTC gradients (central differences, |analytic - numeric| <= atol + rtol * max|numeric|)", () => {
  const random = rng(2024);
  const B = 3, T = 5, C = 4;
  const logits = randomTensor([B, T, C], random, (u) => (2 * u - 1) * 2);
  const labels = [
    [1, 3, 3],
    [2, 0, 0],
    [3, 1, 0],
  ];
  const bound = { rtol: 1e-5, atol: 1e-8 };

  for (const reduction of ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"] as const) {
    it(`reduction ${reduction} (float64, rtol 1e-5, atol 1e-8)`, () => {
      expectGradMatches(new CTC({ reduction, dtype: "float64" }), labels, logits, undefined, bound);
    });
  }

  it("sample weights: scalar, per sample [B], [B, 1] (float64, rtol 1e-5, atol 1e-8)", () => {
    for (const reduction of ["sum_over_batch_size", "mean_with_sample_weight", "none"] as const) {
      const loss = new CTC({ reduction, dtype: "float64" });
      expectGradMatches(loss, labels, logits, 0.7, bound);
      expectGradMatches(loss, labels, logits, [0.5, 2, 0], bound);
      expectGradMatches(loss, labels, logits, [[1.5], [0.25], [1]], bound);
    }
  });

  it("a mask, with and without sample weights (float64, rtol 1e-5, atol 1e-8)", () => {
    const loss = new CTC({ dtype: "float64" });
    expectGradMatches(loss, labels, logits, undefined, { ...bound, mask: [1, 0, 1] });
    expectGradMatches(loss, labels, logits, [2, 1, 0.5], { ...bound, mask: [true, true, false] });
  });

  it("float32 losses (default dtype; rtol 1e-4, atol 1e-6 for float32 inputs)", () => {
    expectGradMatches(new CTC(), labels, logits, undefined, { rtol: 1e-4, atol: 1e-6 });
    expectGradMatches(new CTC(), KERAS_LABELS, kerasLogits(), [1, 3], { rtol: 1e-4, atol: 1e-6 });
  });

  it("strided yPred, empty labels, repeats, a 0 inside the label length, and an infeasible row (float64, rtol 1e-5, atol 1e-8)", () => {
    const channelsFirst = randomTensor([2, C, T], random, (u) => (2 * u - 1) * 2);
    const view = moveAxis(channelsFirst, 1, 2);
    const loss = new CTC({ dtype: "float64", reduction: "sum" });
    expectGradMatches(loss, [[2, 2, 1], [0, 0, 0]], view, undefined, bound);
    // Keras's [1, 2, 0, 2] row: label length 3, labels [1, 2, 0].
    expectGradMatches(loss, [[1, 2, 0, 2]], randomTensor([1, T, 3], random, (u) => (2 * u - 1) * 2), undefined, bound);
    // [1, 1, 1] needs 5 frames; 3 frames reach only TF's floored end states.
    expectGradMatches(loss, [[1, 1, 1]], randomTensor([1, 3, 3], random, (u) => (2 * u - 1) * 2), undefined, bound);
  });

  it("vjp and the fused valueAndGrad agree with the handle", () => {
    const upstream = [0.3, -1, 2];
    const g = ctc.vjp(labels, logits, upstream);
    expect(g.shape).toEqual([B, T, C]);
    expect(g.dtype).toBe("float64");
    const none = new CTC({ reduction: "none", dtype: "float64" });
    const expected = flat(none.grad(labels, logits, upstream));
    expectClose(g, expected, { rtol: 1e-12, atol: 1e-15 });
    const { value, grad } = new CTC({ dtype: "float64" }).valueAndGrad(labels, logits);
    expectClose(value as number, flat(ctc(labels, logits)).reduce((s, v) => s + v, 0) / B, { rtol: 1e-12, atol: 0 });
    expectClose(grad, expected.map((v, i) => v / upstream[Math.floor(i / (T * C))]! / B), { rtol: 1e-9, atol: 1e-12 });
  });
});

describe("CTC errors", () => {
  const x = [
    [
      [0.1, 0.2, 0.3],
      [0.3, 0.2, 0.1],
    ],
  ];

  it("refuses shapes that are not [B, L] and [B, T, C], naming both", () => {
    expect(() => ctc([1, 2], x)).toThrow(ShapeError);
    expect(() => ctc([1, 2], x)).toThrow("yTrue must have shape [batch, maxLabelLength]");
    expect(() => ctc([[[1]]], x)).toThrow("received shape [1,1,1]");
    expect(() => ctc([[1]], [[0.1, 0.2]])).toThrow("yPred must have shape [batch, frames, classes] (logits), received shape [1,2]");
    expect(() => ctc([[1], [2]], x)).toThrow("yTrue has shape [2,1] but yPred has shape [1,2,3]; expected the same batch size");
    expect(() => ctc([[0]], new Tensor(new Float32Array(0), [1, 2, 0]))).toThrow("expected at least one class");
  });

  it("refuses labels that are not integers in [0, C-1]", () => {
    expect(() => ctc([[3]], x)).toThrow(InputError);
    expect(() => ctc([[3]], x)).toThrow("yTrue must hold integer labels in [0, 2] (1..2 are classes, 0 is the blank/padding), received 3 at [0, 0]");
    expect(() => ctc([[1, -1]], x)).toThrow("received -1 at [0, 1]");
    expect(() => ctc([[1.5]], x)).toThrow(InputError);
    expect(() => ctc([[NaN]], x)).toThrow(InputError);
    expect(() => new CTC().grad([[2, 7]], x)).toThrow(InputError);
  });

  it("has no options (Keras's ctc takes none) and checks the upstream shape", () => {
    expect(() => ctc([[1]], x, { fromLogits: true } as never)).toThrow(ConfigError);
    expect(() => ctc([[1]], x, { fromLogits: true } as never)).toThrow("fromLogits is not an option of ctc");
    expect(() => new CTC({ fromLogits: false } as never)).toThrow(ConfigError);
    expect(() => new CTC({ reduction: "avg" as never })).toThrow("Invalid value for argument reduction");
    expect(() => ctc.vjp([[1]], x, [1, 2])).toThrow("upstream has shape [2], expected the per-sample shape [1]");
  });
});

describe("CTC in the registry", () => {
  it("getLoss by every Keras name", () => {
    for (const name of ["CTC", "ctc"]) {
      const loss = getLoss(name);
      expect(loss).toBeInstanceOf(CTC);
      expectClose(loss(KERAS_LABELS, kerasLogits()) as number, 2.448645, { rtol: 1e-6, atol: 1e-6 });
    }
    expect(ctc.name).toBe("ctc");
    expect(ctc.lossName).toBe("ctc");
    expect(ctc.defaults).toEqual({});
  });

  it("getConfig / fromConfig / serialize round trips keep every option", () => {
    const loss = new CTC({ reduction: null, name: "seq", dtype: "float64" });
    expect(loss.getConfig()).toEqual({ name: "seq", reduction: "none", dtype: "float64" });
    const back = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
    expect(back).toBeInstanceOf(CTC);
    expect(back.getConfig()).toEqual(loss.getConfig());
    const keras = getLoss({ class_name: "CTC", config: { name: "ctc", reduction: "sum" } } as never);
    expect(keras).toBeInstanceOf(CTC);
    expect(keras.reduction).toBe("sum");
  });
});

/**
 * TensorFlow's dense CTC loss of one sample, the plain way: log-space forward recursion
 * over the whole padded label row, a three-term log-sum-exp per state, final weights 0 on
 * the two final states and TF's log(1e-307) elsewhere. Independent of the kernels' shifted
 * one-exp-per-state recursion.
 */
function denseCtcReference(labelRow: number[], logits: number[][]): number {
  const L = labelRow.length, T = logits.length;
  const length = labelRow.filter((v) => v !== 0).length;
  const ext = [0];
  for (const label of labelRow) ext.push(label, 0);
  const S = ext.length;
  const lse = (xs: number[]) => {
    const top = Math.max(...xs);
    return top === -Infinity ? top : top + Math.log(xs.reduce((s, v) => s + Math.exp(v - top), 0));
  };
  const lp = logits.map(logSoftmax);
  let alpha = ext.map((c, s) => (s < 2 ? lp[0]![c]! : -Infinity));
  for (let t = 1; t < T; t++) {
    alpha = ext.map((c, s) => {
      const terms = [alpha[s]!];
      if (s > 0) terms.push(alpha[s - 1]!);
      // label -> label skip, allowed unless the two labels are equal (TF: the whole padded row)
      if (s > 1 && s % 2 === 1 && ext[s] !== ext[s - 2]) terms.push(alpha[s - 2]!);
      return lse(terms) + lp[t]![c]!;
    });
  }
  expect(S).toBe(2 * L + 1);
  return -lse(alpha.map((a, s) => a + (s === 2 * length || s === 2 * length - 1 ? 0 : TF_LOG_ZERO)));
}

describe("CTC on long and peaked inputs (shifted one-exp-per-state recursions, plain log-sum-exp where a state underflows)", () => {
  /** Logits of [T, C]: noise of ±1 plus `peak` on one class per frame, following `path` (a class per frame). */
  function peaked(path: number[], C: number, peak: number, random: () => number): number[][] {
    return path.map((k) => Array.from({ length: C }, (_, c) => (2 * random() - 1) + (c === k ? peak : 0)));
  }
  /** A frame-wise path that spells `labels` over T frames: blanks, each label held for a few frames. */
  function spell(labels: number[], T: number): number[] {
    const path = new Array<number>(T).fill(0);
    labels.forEach((label, k) => {
      const start = Math.floor(((k + 0.25) * T) / labels.length);
      for (let t = start; t < start + Math.max(1, Math.floor(T / (3 * labels.length))); t++) path[t] = label;
    });
    return path;
  }
  const random = rng(808);
  const T = 60, C = 6;
  const rows = [
    [1, 2, 3, 2, 4, 5, 0, 0], // spelled right by the path below
    [3, 3, 1, 0, 0, 0, 0, 0], // a repeat, spelled right
    [5, 4, 1, 2, 2, 3, 0, 0], // the path spells another sequence
    [1, 2, 3, 4, 5, 1, 2, 3], // full row, wrong path
  ];
  const paths = [spell([1, 2, 3, 2, 4, 5], T), spell([3, 3, 1], T), spell([2, 1, 4, 5], T), spell([4, 4, 2], T)];

  it("peaks of 8, 25 and 60 (softmax ratios to e^-60 per frame): values match the plain recursion (float64)", () => {
    for (const peak of [8, 25, 60]) {
      const logits = paths.map((path) => peaked(path, C, peak, random));
      const expected = rows.map((row, b) => denseCtcReference(row, logits[b]!));
      expect(expected.every(Number.isFinite)).toBe(true);
      expectClose(ctc(rows, f64(logits)), expected, { rtol: 1e-10, atol: 1e-9 });
      // float32: the float32-accurate exp/log, within float32 rounding of the result.
      const f32 = ctc(rows, tensor(logits.flat(2) as number[], [4, T, C], "float32"));
      const expected32 = rows.map((row, b) => denseCtcReference(row, logits[b]!.map((frame) => frame.map(Math.fround))));
      expectClose(f32, expected32, { rtol: 2e-7, atol: 1e-6 });
    }
  });

  it("400 frames, 30 labels of 40 (relative state probabilities far below 1e-300): values match the plain recursion", () => {
    const labelRow = Array.from({ length: 40 }, (_, k) => (k < 30 ? 1 + ((k * 7) % 19) : 0));
    const logits = randomTensor([2, 400, 20], random, (u) => (2 * u - 1) * 4);
    const frames = logits.toArray() as number[][][];
    const rows2 = [labelRow, labelRow.map((v, k) => (k < 12 ? v : 0))];
    expectClose(ctc(rows2, logits), rows2.map((row, b) => denseCtcReference(row, frames[b]!)), { rtol: 1e-10, atol: 1e-9 });
  });

  it("gradients of peaked inputs match central differences (float64, rtol 1e-5)", () => {
    const T2 = 24;
    const pathRows = [
      [1, 2, 3, 0],
      [2, 2, 0, 0],
      [4, 1, 3, 2],
    ];
    const p2 = [spell([1, 2, 3], T2), spell([2, 2], T2), spell([1, 4], T2)];
    for (const peak of [8, 30]) {
      const logits = f64(p2.map((path) => peaked(path, 5, peak, random)));
      expectGradMatches(new CTC({ dtype: "float64", reduction: "sum" }), pathRows, logits, undefined, { rtol: 1e-5, atol: 1e-8 });
    }
  });
});

describe("CTC with logits spread over thousands of nats (state probabilities that underflow any shared shift)", () => {
  it("values and the reduced value's gradient match the plain recursion / central differences (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(300, 800, 3000),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (T, C, L, scale, seed) => {
          const random = rng(seed);
          const row = Array.from({ length: L }, () => Math.floor(random() * C));
          // Mostly moderate logits with a few huge ones, so that some states fall far behind.
          const logits = Array.from({ length: T }, () => Array.from({ length: C }, () => (random() < 0.3 ? (2 * random() - 1) * scale : 2 * random() - 1)));
          const expected = denseCtcReference(row, logits);
          expectClose(ctc([row], f64([logits])), [expected], { rtol: 1e-10, atol: 1e-9 });
          // The gradient against central differences of the plain recursion.
          const numeric: number[] = [];
          for (let t = 0; t < T; t++) {
            for (let c = 0; c < C; c++) {
              const keep = logits[t]![c]!;
              // An absolute step: logits of hundreds would make a relative one too coarse for the curvature.
              const h = 1e-5;
              logits[t]![c] = keep + h;
              const up = denseCtcReference(row, logits);
              logits[t]![c] = keep - h;
              const down = denseCtcReference(row, logits);
              logits[t]![c] = keep;
              numeric.push((up - down) / (2 * h));
            }
          }
          const scaleOf = Math.max(...numeric.map(Math.abs));
          expectClose(ctc.vjp([row], f64([logits]), [1]), numeric, { rtol: 0, atol: 1e-6 * Math.max(1, scaleOf) });
        },
      ),
      { numRuns: 400 },
    );
  });
});
