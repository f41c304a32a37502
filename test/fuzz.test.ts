/**
 * The fuzz suite (issue 9), CI-sized and seeded: every loss class, every function handle,
 * getLoss names, valueAndGrad, grad and vjp, over random ranks 0-4 (size-0 and broadcast
 * shapes included), every input kind (nested and ragged arrays, each typed array,
 * ndarray-like objects, Tensor views with strides and offsets, junk), hostile values
 * (NaN, ±Infinity, ±1e30, -0), random sample weights and masks, valid and invalid options.
 * Every call must return a result of the documented kind and shape or throw a LossError,
 * change none of its inputs, and take under 1 s. `npm run fuzz` runs the same generator
 * for as long as you like (scripts/fuzz/run.mjs).
 *
 * Then property tests over every loss class, on inputs each loss accepts: sum = Σ none,
 * sum_over_batch_size = Σ none / N, weights of ones = no weights, handle = class with
 * "none", valueAndGrad().value = call, serialize → JSON → deserialize gives bit-identical
 * values, and a strided view gives what its contiguous copy gives.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as lib from "../src/index";
import { Loss, LossFunctionWrapper, Tensor, deserializeLoss, serializeLoss, type LossResult } from "../src/index";
import { caseArb, fuzzTargets, lossByName, requiredOptions, materializeInput, runCase, sameSnapshot, snapshot, tally, type FuzzTarget, type OutcomeRow } from "./fuzz/generators.mjs";

const SEED = 20240609;
const FUZZ_RUNS = 12_000;

/** Targets whose inputs random shapes seldom fit (see test/losses-table.test.ts for their checks). */
const STRUCTURED_INPUTS = /^(npairs|NpairsLoss|NpairsMultilabelLoss|triplet|Triplet|quadruplet|Quadruplet|lifted|Lifted|giou|diou|ciou|GIoU|DIoU|CIoU|WeightedKappa)/;

describe("fuzz: every call gives a documented result or a LossError, changes no input, takes under 1 s", () => {
  const targets = fuzzTargets(lib);

  it("finds every loss class, handle and getLoss name", () => {
    const classes = targets.filter((t) => t.kind === "class").map((t) => t.name);
    const handles = targets.filter((t) => t.kind === "handle").map((t) => t.name);
    expect(classes).toEqual(expect.arrayContaining(["MeanSquaredError", "BinaryCrossentropy", "CTC", "Circle", "Dice", "Tversky", "SparseCategoricalCrossentropy"]));
    expect(handles).toEqual(expect.arrayContaining(["meanSquaredError", "binaryCrossentropy", "ctc", "circle", "dice", "tversky", "sparseCategoricalCrossentropy"]));
    // Every class getLoss can build is a target.
    for (const name of lib.listLosses()) expect(targets.some((t) => t.kind === "class" && t.cls === lossByName(lib, name).constructor)).toBe(true);
  });

  it("the checks can fail: a changed input, a TypeError, a result of the wrong kind", () => {
    const view = new Tensor(new Float32Array([9, 1, 2, 3]), [3], [1], 1);
    const nested = [[1, 2], [3, 4]];
    const options = { axis: [1, 2] };
    const before = [view, nested, options].map((x) => snapshot(lib, x));
    view.data[0] = 8; // outside the view, in its buffer
    nested[1]![0] = -0;
    options.axis.push(3);
    [view, nested, options].forEach((x, i) => expect(sameSnapshot(before[i], snapshot(lib, x))).toBe(false));
    expect(sameSnapshot(snapshot(lib, [NaN, -0]), snapshot(lib, [NaN, -0]))).toBe(true);
    expect(sameSnapshot(snapshot(lib, [0]), snapshot(lib, [-0]))).toBe(false);

    const broken: FuzzTarget[] = [
      { name: "Throws", kind: "class" as const, cls: class extends Loss { call(): never { throw new TypeError("boom"); } }, defaults: {}, optionKeys: [] },
      { name: "Mutates", kind: "class" as const, cls: class extends Loss { call(t: Tensor): Tensor { (t.data as Float32Array)[t.offset] += 1; return t; } }, defaults: {}, optionKeys: [] },
    ];
    const spec = fc.sample(caseArb, { seed: 1, numRuns: 1 })[0]!;
    const plain = { ...spec, method: 0, weightMode: "none", maskMode: "none", options: { ...spec.options, kind: "undefined" }, yPredShape: [2], trueMode: "same", yPred: { ...spec.yPred, form: "nested" }, yTrue: { ...spec.yTrue, form: "tensor", layout: "offset" } };
    expect(runCase(lib, broken, { ...plain, target: 0 }).violations.join()).toMatch(/threw TypeError: boom/);
    expect(runCase(lib, broken, { ...plain, target: 1 }).violations.join()).toMatch(/yTrue was changed/);
  });

  it(`${FUZZ_RUNS} seeded cases (seed ${SEED})`, () => {
    const table: Record<string, OutcomeRow> = {};
    fc.assert(
      fc.property(caseArb, (spec) => {
        const outcome = runCase(lib, targets, spec);
        tally(table, outcome);
        if (outcome.violations.length > 0) throw new Error(`${outcome.target} ${outcome.method}: ${outcome.violations.join("; ")}`);
      }),
      { seed: SEED, numRuns: FUZZ_RUNS },
    );
    // The run reached every target, and the kernels of each (not only its argument checks).
    for (const target of targets) {
      expect(table[target.name]?.calls ?? 0, target.name).toBeGreaterThan(50);
      // Losses over structured inputs (square similarity matrices, [B, k·D] triplets, boxes)
      // are seldom reached by random shapes; the table-driven suite runs their kernels.
      if (STRUCTURED_INPUTS.test(target.name)) continue;
      expect(table[target.name]?.ok ?? 0, `${target.name} never got past its checks`).toBeGreaterThan(0);
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------
// Properties over every loss class

type Inputs = { yTrue: number[] | number[][] | number[][][]; yPred: number[][] | number[][][]; batch: number };
type Structure = "pair" | "sparse" | "sequence";

const eighths = fc.integer({ min: 0, max: 8 }).map((k) => k / 8);
const probability = fc.integer({ min: 1, max: 19 }).map((k) => k / 20);
const logit = fc.integer({ min: -16, max: 16 }).map((k) => k / 8);

/** Inputs of one of the three layouts losses take: elementwise pairs, sparse labels, sequences. */
function inputsArb(structure: Structure): fc.Arbitrary<Inputs> {
  if (structure === "sequence") {
    return fc
      .record({ batch: fc.integer({ min: 1, max: 3 }), frames: fc.integer({ min: 2, max: 5 }), classes: fc.integer({ min: 2, max: 4 }), labels: fc.integer({ min: 1, max: 2 }) })
      .chain(({ batch, frames, classes, labels }) =>
        fc.record({
          yTrue: fc.array(fc.array(fc.integer({ min: 1, max: classes - 1 }), { minLength: labels, maxLength: labels }), { minLength: batch, maxLength: batch }),
          yPred: fc.array(fc.array(fc.array(logit, { minLength: classes, maxLength: classes }), { minLength: frames, maxLength: frames }), { minLength: batch, maxLength: batch }),
          batch: fc.constant(batch),
        }),
      );
  }
  return fc.record({ batch: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 2, max: 4 }) }).chain(({ batch, classes }) =>
    fc.record({
      yTrue:
        structure === "sparse"
          ? fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: batch, maxLength: batch })
          : fc.array(fc.array(eighths, { minLength: classes, maxLength: classes }), { minLength: batch, maxLength: batch }),
      yPred: fc.array(fc.array(probability, { minLength: classes, maxLength: classes }), { minLength: batch, maxLength: batch }),
      batch: fc.constant(batch),
    }),
  );
}

const PROBES: Record<Structure, Inputs> = {
  pair: { yTrue: [[0, 1, 0.5], [1, 0, 0.25]], yPred: [[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]], batch: 2 },
  sparse: { yTrue: [2, 0], yPred: [[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]], batch: 2 },
  sequence: { yTrue: [[1, 2], [2, 2]], yPred: [[[0.1, 0.5, -0.2], [0.3, -0.1, 0.2], [0, 0.4, 0.1]], [[0.2, 0.1, 0], [-0.3, 0.5, 0.1], [0.1, 0.1, 0.2]]], batch: 2 },
};

/** The first layout a loss accepts with a finite value. */
function structureOf(Class: new (o?: object) => Loss): Structure | undefined {
  for (const structure of ["pair", "sparse", "sequence"] as const) {
    try {
      const value = new Class({ ...requiredOptions(Class), reduction: "sum_over_batch_size" })(PROBES[structure].yTrue, PROBES[structure].yPred);
      if (typeof value === "number" && Number.isFinite(value)) return structure;
    } catch {
      // not this layout
    }
  }
  return undefined;
}

function flatValues(x: LossResult): number[] {
  return typeof x === "number" ? [x] : Array.from(x.toTypedArray("float64"));
}

function expectBitIdentical(actual: LossResult, expected: LossResult, what: string): void {
  const a = flatValues(actual);
  const e = flatValues(expected);
  if (typeof actual !== typeof expected) throw new Error(`${what}: ${typeof actual} vs ${typeof expected}`);
  if (actual instanceof Tensor && expected instanceof Tensor) expect(actual.shape, what).toEqual(expected.shape);
  expect(a.length, what).toBe(e.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], e[i])) throw new Error(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (bit-identical)`);
}

function expectCloseToSum(actual: number, terms: number[], divisor: number, what: string): void {
  let sum = 0;
  let magnitude = 0;
  for (const v of terms) {
    sum += v;
    magnitude += Math.abs(v);
  }
  const expected = divisor === 0 ? 0 : sum / divisor;
  const tolerance = (1e-6 * magnitude) / Math.max(divisor, 1) + 1e-12;
  if (!(Math.abs(actual - expected) <= tolerance)) throw new Error(`${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

describe("properties over every loss class (fast-check)", () => {
  const classes = Object.entries(lib).filter(
    ([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof Loss && v !== LossFunctionWrapper,
  ) as [string, new (o?: object) => LossFunctionWrapper][];

  // Losses whose inputs are none of the probed layouts (embeddings with labels, [B, k·D]
  // triplets, boxes, a batch kappa): test/losses-table.test.ts checks the same properties on
  // a sample of each. A new loss must be probed here or named in this list.
  const TABLE_ONLY = [
    "CIoULoss", "DIoULoss", "GIoULoss", "LiftedStructLoss", "NpairsLoss", "NpairsMultilabelLoss",
    "QuadrupletLoss", "TripletHardLoss", "TripletMarginLoss", "TripletSemiHardLoss", "WeightedKappaLoss",
  ];
  it("every loss class accepts one of the probed layouts, or is checked by the table-driven suite", () => {
    expect(classes.length).toBeGreaterThanOrEqual(22);
    const unprobed = classes.filter(([name, Class]) => !TABLE_ONLY.includes(name) && structureOf(Class) === undefined).map(([name]) => name);
    expect(unprobed).toEqual([]);
    for (const name of TABLE_ONLY) expect(classes.map(([n]) => n)).toContain(name);
  });

  for (const [name, Class] of classes.filter(([n]) => !TABLE_ONLY.includes(n))) {
    it(`${name}: sum = Σ none, sum_over_batch_size = Σ none / N, ones = no weights, handle = class "none", valueAndGrad = call, config round trip, views = copies`, () => {
      const structure = structureOf(Class)!;
      const handle = new Class(requiredOptions(Class)).fn as lib.LossFunction;
      fc.assert(
        fc.property(
          inputsArb(structure),
          fc.array(fc.integer({ min: 1, max: 16 }).map((k) => k / 4), { minLength: 4, maxLength: 4 }),
          fc.constantFrom("float32", "float64"),
          fc.constantFrom("transposed", "reversed", "offset", "strided"),
          ({ yTrue, yPred, batch }, weightPool, dtype, layout) => {
            const weights = weightPool.slice(0, batch);
            const make = (reduction: lib.ReductionOption) => new Class({ ...requiredOptions(Class), reduction, dtype });
            const none = make("none")(yTrue, yPred, weights) as Tensor;
            const terms = flatValues(none);
            fc.pre(terms.every(Number.isFinite));

            // sum = Σ none; sum_over_batch_size = Σ none / N, N the number of weighted values
            // that count: all of them, or those the loss's own mask keeps (Circle's anchors
            // without pairs, as Keras's masks divide by the valid count).
            const ownMask = handle.evaluate(yTrue, yPred, { dtype }).mask;
            const counted = ownMask ? flatValues(ownMask).filter((m) => m !== 0).length : none.size;
            expectCloseToSum(make("sum")(yTrue, yPred, weights) as number, terms, 1, `${name} sum`);
            expectCloseToSum(make("sum_over_batch_size")(yTrue, yPred, weights) as number, terms, counted, `${name} sum_over_batch_size`);

            for (const reduction of ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"] as const) {
              const loss = make(reduction);
              const plain = loss(yTrue, yPred);
              // Weights of ones shaped like the per-sample values change nothing.
              const perSample = make("none")(yTrue, yPred) as Tensor;
              const ones = new Tensor(new Float64Array(perSample.size).fill(1), perSample.shape);
              expectBitIdentical(loss(yTrue, yPred, ones), plain, `${name} ${reduction} ones`);
              // valueAndGrad's value is the call's, to the bit (fused and plain kernels agree).
              expectBitIdentical(loss.valueAndGrad(yTrue, yPred, weights).value, loss(yTrue, yPred, weights), `${name} ${reduction} valueAndGrad`);
              // serialize → JSON → deserialize rebuilds the same loss.
              const rebuilt = deserializeLoss(JSON.parse(JSON.stringify(serializeLoss(loss))));
              expect(rebuilt.constructor).toBe(Class);
              expectBitIdentical(rebuilt(yTrue, yPred, weights), loss(yTrue, yPred, weights), `${name} ${reduction} round trip`);
            }

            // The handle gives what the class gives with reduction "none".
            const t = lib.tensor(yTrue as unknown as number[], undefined, dtype);
            const p = lib.tensor(yPred as unknown as number[], undefined, dtype);
            expectBitIdentical(handle(t, p), make("none")(t, p), `${name} handle vs class "none"`);

            // A strided view of yPred (and yTrue) gives what its contiguous copy gives.
            const view = (x: Tensor) =>
              materializeInput(lib, { form: "tensor", layout, dtype, ctor: "Float32Array", stridesKey: "stride", junk: 0, pool: Array.from(x.toTypedArray("float64")), pick: 0 }, x.shape.slice()) as Tensor;
            expectBitIdentical(make("none")(view(t), view(p), weights), make("none")(t, p, weights), `${name} ${layout} view`);
            expectBitIdentical(make("sum")(view(t), view(p)), make("sum")(t, p), `${name} ${layout} view, sum`);
            const g = make("sum").grad(view(t), view(p));
            expectBitIdentical(g, make("sum").grad(t, p), `${name} ${layout} view, grad`);
          },
        ),
        { seed: SEED, numRuns: 25 },
      );
    });
  }
});
