import { describe, expect, it } from "vitest";
import {
  BinaryFocalCrossentropy,
  CategoricalFocalCrossentropy,
  CategoricalHinge,
  ConfigError,
  Hinge,
  InputError,
  LossFunctionWrapper,
  MeanSquaredError,
  SparseCategoricalCrossentropy,
  SquaredHinge,
  binaryCrossentropy,
  deserializeLoss,
  getLoss,
  SigmoidFocalCrossEntropy,
  listLosses,
  sparseCategoricalCrossentropy,
} from "../src/index";
import { editDistance, nameWords, quoteName, suggestNames } from "../src/suggest";
import * as lib from "../src/index";
import { lossByName as lossByNameWithOptions } from "./support/required-options.mjs";

/** The names a getLoss error suggests, in order. */
function hintsFor(identifier: string): string[] {
  try {
    getLoss(identifier);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const match = /Did you mean (.*)\? \(listLosses/.exec((error as Error).message);
    return match ? JSON.parse(`[${match[1]}]`) : [];
  }
  throw new Error(`getLoss(${JSON.stringify(identifier)}) did not throw`);
}

/** The class a name leads to. */
const lossByName = (name: string) => lossByNameWithOptions(lib, name);
const classOf = (name: string) => lossByName(name).constructor;

describe("did you mean: one suggestion per loss", () => {
  it('"binary_focal" suggests binary focal crossentropy only (not circle, Circle, bce)', () => {
    expect(hintsFor("binary_focal")).toEqual(["binary_focal_crossentropy"]);
  });

  it('"sparse_crossentropy" suggests sparse categorical crossentropy once', () => {
    expect(hintsFor("sparse_crossentropy")).toEqual(["sparse_categorical_crossentropy"]);
  });

  it('"focal" (a word of the name) finds the three focal losses', () => {
    const hints = hintsFor("focal");
    expect(hints.map(classOf)).toEqual([BinaryFocalCrossentropy, SigmoidFocalCrossEntropy, CategoricalFocalCrossentropy]);
  });

  it('"hinge_loss" finds the hinge losses ("loss" is not a telling word)', () => {
    expect(hintsFor("hinge_loss").map(classOf).sort((a, b) => a.name.localeCompare(b.name))).toEqual([CategoricalHinge, Hinge, SquaredHinge]);
  });

  it("a typo gives the intended name first, spelled as the query was", () => {
    expect(hintsFor("mean_sqared_error")[0]).toBe("mean_squared_error");
    expect(hintsFor("MeanSqaredError")[0]).toBe("MeanSquaredError");
    expect(hintsFor("meanSqaredError")[0]).toBe("meanSquaredError");
    expect(hintsFor("huberr")).toEqual(["huber"]);
    expect(hintsFor("focl").map(classOf)).toEqual([BinaryFocalCrossentropy, SigmoidFocalCrossEntropy, CategoricalFocalCrossentropy]);
  });

  it("unrelated names get no suggestion rather than the shortest names", () => {
    expect(hintsFor("typo")).toEqual([]);
    expect(() => getLoss("typo")).toThrow('Could not interpret loss identifier: "typo". (listLosses() gives every name)');
  });

  it("every name with one character dropped suggests its own loss first, and never one loss twice", () => {
    let checked = 0;
    for (const name of listLosses()) {
      // Built-in names only (user functions registered elsewhere in the process are all LossFunctionWrappers).
      if (name.length < 6 || lossByName(name).constructor === LossFunctionWrapper) continue;
      const typo = name.slice(0, 3) + name.slice(4);
      let known = true;
      try {
        getLoss(typo);
      } catch {
        known = false;
      }
      if (known) continue;
      const hints = hintsFor(typo);
      expect(hints.length, typo).toBeGreaterThan(0);
      expect(classOf(hints[0]!), `${typo} → ${hints[0]}`).toBe(classOf(name));
      const classes = hints.map(classOf);
      expect(new Set(classes).size, `${typo} → ${hints.join(", ")}`).toBe(classes.length);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("suggestNames groups candidates by target and keeps the best-spelled one", () => {
    const target = {};
    const other = {};
    const pairs: [string, unknown][] = [
      ["kl_divergence", target],
      ["KLDivergence", target],
      ["klDivergence", target],
      ["kld", target],
      ["poisson", other],
    ];
    expect(suggestNames("kl_divergenc", pairs)).toEqual(["kl_divergence"]);
    expect(suggestNames("KLDivergenc", pairs)).toEqual(["KLDivergence"]);
    expect(suggestNames("divergence", pairs)).toHaveLength(1);
  });

  it("nameWords splits snake, camel, Pascal and acronyms", () => {
    expect(nameWords("binary_focal")).toEqual(["binary", "focal"]);
    expect(nameWords("BinaryFocalCrossentropy")).toEqual(["binary", "focal", "crossentropy"]);
    expect(nameWords("KLDivergence")).toEqual(["kl", "divergence"]);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("option names still get their hint", () => {
    expect(() => binaryCrossentropy([1], [0.5], { fromLogit: true } as never)).toThrow("(did you mean fromLogits?)");
  });
});

describe("ignoreClass hint for sparse labels of -1", () => {
  const yPred = [[0.2, 0.8], [0.5, 0.5]];

  it("says to pass ignoreClass: -1 when labels hold -1", () => {
    const scce = new SparseCategoricalCrossentropy();
    expect(() => scce([1, -1], yPred)).toThrow(InputError);
    expect(() => scce([1, -1], yPred)).toThrow("received -1 at flat index 1; to leave positions labelled -1 out of the loss, pass ignoreClass: -1");
    expect(() => sparseCategoricalCrossentropy([[-1], [0]], yPred)).toThrow("pass ignoreClass: -1");
  });

  it("and the hint is right: with ignoreClass: -1 the position is left out", () => {
    // Only row 0 counts: -log(0.8), divided by the one kept position.
    expect(new SparseCategoricalCrossentropy({ ignoreClass: -1 })([1, -1], yPred)).toBeCloseTo(-Math.log(0.8), 6);
  });

  it("gives no hint for labels that are too large or not integers, or when ignoreClass is set", () => {
    const scce = new SparseCategoricalCrossentropy();
    for (const labels of [[1, 2], [1, 0.5]]) {
      expect(() => scce(labels, yPred)).toThrow(InputError);
      expect(() => scce(labels, yPred)).not.toThrow("ignoreClass");
    }
    expect(() => new SparseCategoricalCrossentropy({ ignoreClass: 255 })([1, -1], yPred)).toThrow(/or ignoreClass=255, received -1 at flat index 1$/);
  });
});

describe("bounded work on hostile names (issue 9, defect 4)", () => {
  function bestOf(runs: number, f: () => void): number {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      f();
      best = Math.min(best, performance.now() - start);
    }
    return best;
  }

  function messageOf(f: () => unknown): string {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("did not throw");
  }

  const huge = "a".repeat(1e6);
  const hugeWithSeparators = "a_b-".repeat(250_000);

  for (const [label, name] of [["1e6 × a", huge], ["1 MB of a_b-", hugeWithSeparators]] as const) {
    it(`getLoss(${label}) answers in < 10 ms with the name abbreviated`, () => {
      const message = messageOf(() => getLoss(name));
      expect(message.length).toBeLessThan(200);
      expect(message).toContain(`${JSON.stringify(name.slice(0, 48) + "…")} (1000000 characters)`);
      expect(bestOf(3, () => messageOf(() => getLoss(name)))).toBeLessThan(10);
    });

    it(`deserializeLoss with a className of ${label} answers in < 10 ms with the name abbreviated`, () => {
      const message = messageOf(() => deserializeLoss({ className: name, config: {} }));
      expect(message.length).toBeLessThan(200);
      expect(message).toContain("(1000000 characters)");
      expect(bestOf(3, () => messageOf(() => deserializeLoss({ className: name, config: {} })))).toBeLessThan(10);
    });
  }

  it("a 1 MB LossFunctionWrapper fn name is quoted abbreviated", () => {
    const message = messageOf(() => deserializeLoss({ className: "LossFunctionWrapper", config: { fn: huge } }));
    expect(message).toBe(`LossFunctionWrapper config.fn ${JSON.stringify("a".repeat(48) + "…")} (1000000 characters) is not a registered function; call registerLoss(name, fn) first`);
  });

  it("a long name that is one typo away is still found", () => {
    // Only the first 64 characters are compared; a real loss name is shorter than that.
    expect(hintsFor("mean_squared_errorr")[0]).toBe("mean_squared_error");
    expect(getLoss("mean_squared_error")).toBeInstanceOf(MeanSquaredError);
  });

  it("quoteName leaves short names whole", () => {
    expect(quoteName("mse")).toBe('"mse"');
    expect(quoteName("x".repeat(49))).toBe(`"${"x".repeat(48)}…" (49 characters)`);
  });
});
