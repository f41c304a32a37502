// Names after minification (issue 12, item 5): bundle the library with esbuild --minify, as
// a user's production build does, and check that error and loss classes keep their names.
// scripts/check-package.mjs does the same against the built dist/index.js.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "esbuild";
import { BUILTIN_LOSSES } from "../src/losses/index";
import { builtinClassName } from "../src/names";
import { lossByName, requiredOptions } from "./support/required-options.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "losskit-minified-"));

let code = "";
let lk: Record<string, any>;

beforeAll(async () => {
  const result = await build({
    stdin: { contents: 'export * from "./src/index";', resolveDir: root, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  code = result.outputFiles[0]!.text;
  const file = join(dir, "losskit.min.mjs");
  writeFileSync(file, code);
  lk = await import(pathToFileURL(file).href);
}, 30_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("minified bundle", () => {
  it("is really minified (class declarations renamed)", () => {
    expect(code).not.toMatch(/class MeanSquaredError\b/);
    expect(code).not.toMatch(/class ConfigError\b/);
    expect(code).not.toMatch(/\bfunction sparseLayout\b/);
  });

  it("error classes keep their names", () => {
    for (const name of ["LossError", "ShapeError", "ConfigError", "InputError", "GradientNotImplementedError"]) {
      expect(lk[name].name).toBe(name);
    }
    let caught: any;
    try {
      new lk.MeanSquaredError({ reduction: "bogus" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(lk.ConfigError);
    expect(caught.name).toBe("ConfigError");
    expect(String(caught)).toMatch(/^ConfigError: Invalid value for argument reduction/);
    expect(caught.stack).toMatch(/^ConfigError: /);
    try {
      lk.meanSquaredError([[1, 2]], [[1, 2, 3]]);
    } catch (error) {
      caught = error;
    }
    expect(caught.name).toBe("ShapeError");
  });

  it("every built-in loss class keeps its class name and default loss name, before the registry is ever used", () => {
    const expected: Record<string, string> = {
      MeanSquaredError: "mean_squared_error",
      MeanAbsoluteError: "mean_absolute_error",
      Huber: "huber_loss",
      LogCosh: "log_cosh",
      BinaryCrossentropy: "binary_crossentropy",
      BinaryFocalCrossentropy: "binary_focal_crossentropy",
      CategoricalCrossentropy: "categorical_crossentropy",
      SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
      KLDivergence: "kl_divergence",
      CategoricalGeneralizedCrossEntropy: "categorical_generalized_cross_entropy",
      CosineSimilarity: "cosine_similarity",
      Dice: "dice",
      Circle: "circle",
      CTC: "ctc",
    };
    for (const [className, lossName] of Object.entries(expected)) {
      const loss = new lk[className]();
      expect(loss.constructor.name).toBe(className);
      expect(loss.name).toBe(lossName);
      expect(String(loss)).toMatch(new RegExp(`^${className}\\(`));
    }
    // Every class the registry knows, by the registry's own reading.
    for (const name of lk.listLosses()) {
      const loss = lossByName(lk, name);
      expect(lk.serializeLoss(loss).className).toBe(loss.constructor.name);
    }
    expect(lk.LossFunctionWrapper.name).toBe("LossFunctionWrapper");
  });

  it("a user's LossError subclass is still named after its class", () => {
    class MyError extends lk.LossError {}
    expect(new (MyError as any)("x").name).toBe("MyError");
  });

  it("a user's subclass of a built-in loss, or of LossFunctionWrapper around a built-in handle, keeps its own name", () => {
    class MyMSE extends lk.MeanSquaredError {}
    const mine = new MyMSE();
    expect(mine.constructor.name).toBe("MyMSE");
    expect(lk.MeanSquaredError.name).toBe("MeanSquaredError");
    class Wrapped extends lk.LossFunctionWrapper {
      constructor() {
        super(lk.meanSquaredError, { name: "wrapped" });
      }
    }
    expect(new Wrapped().constructor.name).toBe("Wrapped");
  });
});

describe("the name table", () => {
  it("gives every built-in loss (src/losses/index.ts) its class name, by its handle's Keras name", () => {
    for (const entry of BUILTIN_LOSSES) {
      // A class-only loss (WeightedKappaLoss) is named by its internal handle's name.
      const lossName = entry.fn ? entry.fn.lossName : (new entry.cls(requiredOptions(entry.cls)) as unknown as { fn: { lossName: string } }).fn.lossName;
      expect(builtinClassName(lossName), lossName).toBe(entry.className);
    }
  });
});
