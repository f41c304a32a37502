// TensorFlow.js in Node without tfjs-node: tfjs-core with its gradients, the CPU backend
// and the WASM backend (SIMD; in Node the WASM backend runs one thread).
//
// tfjs-core's Node entry point (dist/tf-core.node.js) leaves out the gradient
// registrations that `tf.grad` needs (the `@tensorflow/tfjs` umbrella package imports
// them from `@tensorflow/tfjs-core/dist/register_all_gradients`, an ES module with
// extensionless imports that Node cannot load as is). So the first run bundles the
// published ES modules of the three packages into one CommonJS file with esbuild (which
// the repository already has through tsup) and caches it in
// node_modules/.cache/losskit-bench/. The code that runs is tfjs's own, unchanged.

import { createRequire } from "node:module";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(join(root, "package.json"));

function versionOf(pkg) {
  return require(`${pkg}/package.json`).version;
}

async function bundle() {
  const versions = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm"].map(versionOf);
  const dir = join(root, "node_modules", ".cache", "losskit-bench");
  const file = join(dir, `tfjs-${versions.join("-")}.cjs`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const { build } = await import(require.resolve("esbuild"));
  await build({
    stdin: {
      contents: [
        'export * from "@tensorflow/tfjs-core";',
        'import "@tensorflow/tfjs-core/dist/register_all_gradients";',
        'import "@tensorflow/tfjs-backend-cpu";',
        'export { setWasmPaths, setThreadsCount, getThreadsCount } from "@tensorflow/tfjs-backend-wasm";',
      ].join("\n"),
      resolveDir: root,
      loader: "js",
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    mainFields: ["module", "main"],
    outfile: file,
    logLevel: "error",
  });
  return file;
}

/**
 * Load tfjs and initialize both backends. Returns `{ tf, backends, info }` where
 * `backends` lists the backends that initialized ("cpu", "wasm"), or `{ error }`.
 */
export async function loadTfjs() {
  try {
    const tf = require(await bundle());
    // Production mode only silences tfjs's console warnings (e.g. its tfjs-node suggestion).
    tf.enableProdMode();
    tf.setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
    const backends = [];
    for (const name of ["cpu", "wasm"]) {
      if (await tf.setBackend(name)) {
        await tf.ready();
        backends.push(name);
      }
    }
    const info = {
      version: tf.version_core,
      wasmSimd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
      wasmThreads: backends.includes("wasm") ? tf.getThreadsCount() : 0,
    };
    return { tf, backends, info };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Switch backends (both are initialized already, so this is cheap and outside any timing). */
export async function useBackend(tf, name) {
  if (tf.getBackend() !== name) {
    if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialize`);
  }
}
