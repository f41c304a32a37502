// TensorFlow.js (tfjs-core with its gradients, the CPU backend, tfjs-layers) for tests in
// Node, loaded the way bench/tfjs.mjs loads it: tfjs-core's Node entry leaves out the
// gradient registrations, so the published ES modules are bundled once with esbuild into
// one CommonJS file (cached in node_modules/.cache/losskit-test/). One bundle also means one
// tfjs-core instance for tfjs-layers and the test. The code that runs is tfjs's own.
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfLayers from "@tensorflow/tfjs-layers";

const root = fileURLToPath(new URL("../..", import.meta.url));
const require = createRequire(join(root, "package.json"));

/** tfjs-core + tfjs-layers, plus tfjs-layers' internal loss functions (not part of its public API). */
export type Tfjs = typeof TfCore &
  typeof TfLayers & {
    /** tfjs-layers src/losses.ts `sparseCategoricalCrossentropy(target, output, fromLogits = false)`. */
    layersSparseCategoricalCrossentropy(target: TfCore.Tensor, output: TfCore.Tensor, fromLogits?: boolean): TfCore.Tensor;
    /** tfjs-layers src/losses.ts `categoricalCrossentropy(target, output, fromLogits = false)`. */
    layersCategoricalCrossentropy(target: TfCore.Tensor, output: TfCore.Tensor, fromLogits?: boolean): TfCore.Tensor;
  };

const PACKAGES = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-layers"];

async function bundle(): Promise<string> {
  const versions = PACKAGES.map((pkg) => require(`${pkg}/package.json`).version as string);
  const dir = join(root, "node_modules", ".cache", "losskit-test");
  const file = join(dir, `tfjs-layers-${versions.join("-")}.cjs`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const result = await build({
    stdin: {
      contents: [
        'export * from "@tensorflow/tfjs-core";',
        'import "@tensorflow/tfjs-core/dist/register_all_gradients";',
        'import "@tensorflow/tfjs-backend-cpu";',
        'export * from "@tensorflow/tfjs-layers";',
        'export { sparseCategoricalCrossentropy as layersSparseCategoricalCrossentropy, categoricalCrossentropy as layersCategoricalCrossentropy } from "@tensorflow/tfjs-layers/dist/losses";',
      ].join("\n"),
      resolveDir: root,
      loader: "js",
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "error",
  });
  // Written under a temporary name and renamed: a concurrent run never reads half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, result.outputFiles[0]!.contents);
  renameSync(partial, file);
  return file;
}

let loaded: Promise<Tfjs> | undefined;

/** tfjs with the CPU backend initialized (once per test file). */
export function loadTfjs(): Promise<Tfjs> {
  loaded ??= (async () => {
    const tf = require(await bundle()) as Tfjs;
    tf.enableProdMode(); // only silences tfjs's console advice (e.g. to install tfjs-node)
    if (!(await tf.setBackend("cpu"))) throw new Error("tfjs cpu backend failed to initialize");
    await tf.ready();
    return tf;
  })();
  return loaded;
}
