// Checks the built package the way a user gets it: publint (package.json/exports
// hygiene), @arethetypeswrong/cli (types resolve for import and require under every
// moduleResolution), and a real import through ESM and CJS in fresh Node processes.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (cmd, args, input) =>
  execFileSync(cmd, args, { cwd: root, encoding: "utf8", input, stdio: ["pipe", "pipe", "inherit"] });

console.log(run("npx", ["--no-install", "publint", "--strict"]));
console.log(run("npx", ["--no-install", "attw", "--pack", ".", "--format", "ascii"]));

const esm = run("node", ["--input-type=module", "-"], `
  import { MeanSquaredError, getLoss } from "losskit";
  const v = new MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55]);
  if (v !== 9.25 || getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55]) !== 9.25) throw new Error("ESM import gave " + v);
  console.log("ESM import ok: " + v);
`);
const cjs = run("node", ["-"], `
  const { MeanSquaredError, getLoss } = require("losskit");
  const v = new MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55]);
  if (v !== 9.25 || getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55]) !== 9.25) throw new Error("CJS require gave " + v);
  console.log("CJS require ok: " + v);
`);
process.stdout.write(esm + cjs);

// One registry across the two builds (issue 12, item 4): a program that both requires and
// imports losskit loads dist/index.cjs and dist/index.js side by side; a loss registered
// through one is found through the other (the store is on globalThis, Symbol.for("losskit.registry")).
const shared = run("node", ["--input-type=module", "-"], `
  import { createRequire } from "node:module";
  const require = createRequire(process.cwd() + "/package.json");
  const cjs = require("losskit");
  const esm = await import("losskit");
  if (cjs.getLoss === esm.getLoss) throw new Error("expected two builds, got one module");
  class TwiceError extends cjs.Loss {
    call(yTrue, yPred) { return [2 * Math.abs(yTrue.item() - yPred.item())]; }
  }
  cjs.registerLoss("TwiceError", TwiceError);
  const viaEsm = esm.getLoss("TwiceError");
  if (!(viaEsm instanceof TwiceError) || viaEsm(3, 1) !== 4) throw new Error("a class registered through require is not found through import");
  const back = esm.deserializeLoss({ className: "TwiceError", config: { reduction: "sum" } });
  if (!(back instanceof TwiceError) || back.reduction !== "sum") throw new Error("deserializeLoss through import missed the CJS registration");
  const cube = (yTrue, yPred) => [(yTrue.item() - yPred.item()) ** 3];
  esm.registerLoss("cube_error", cube);
  if (cjs.getLoss("cube_error")(3, 1) !== 8) throw new Error("a function registered through import is not found through require");
  if (!cjs.listLosses().includes("cube_error") || !esm.listLosses().includes("TwiceError")) throw new Error("listLosses misses a registration");
  if (!(esm.getLoss("mse") instanceof esm.MeanSquaredError) || !(cjs.getLoss("mse") instanceof cjs.MeanSquaredError)) throw new Error("built-ins must stay per build");
  console.log("one registry across ESM and CJS ok");
`);
process.stdout.write(shared);

// Names after minification (issue 12, item 5): a user's production bundle (esbuild --minify)
// that imports only two names from the built package keeps error and loss class names.
const { build } = await import("esbuild");
const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const { pathToFileURL } = await import("node:url");
const bundled = await build({
  stdin: {
    contents: `
      import { MeanSquaredError, SparseCategoricalCrossentropy, ConfigError } from "losskit";
      export function check() {
        const mse = new MeanSquaredError();
        const scce = new SparseCategoricalCrossentropy();
        let error;
        try { new MeanSquaredError({ reduction: "bogus" }); } catch (e) { error = e; }
        return { mse: [mse.constructor.name, mse.name], scce: [scce.constructor.name, scce.name], error: [error.name, error instanceof ConfigError, String(error).split(":")[0]] };
      }`,
    resolveDir: root,
    loader: "js",
  },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "neutral",
  write: false,
  logLevel: "error",
});
const code = bundled.outputFiles[0].text;
if (/class MeanSquaredError\b/.test(code)) throw new Error("the bundle was not minified");
const dir = mkdtempSync(join(tmpdir(), "losskit-min-"));
try {
  const file = join(dir, "bundle.mjs");
  writeFileSync(file, code);
  const result = (await import(pathToFileURL(file).href)).check();
  const expected = {
    mse: ["MeanSquaredError", "mean_squared_error"],
    scce: ["SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"],
    error: ["ConfigError", true, "ConfigError"],
  };
  if (JSON.stringify(result) !== JSON.stringify(expected)) {
    throw new Error(`names after esbuild --minify: ${JSON.stringify(result)}, expected ${JSON.stringify(expected)}`);
  }
  console.log(`names kept after esbuild --minify (${code.length} bytes): ${JSON.stringify(result)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
