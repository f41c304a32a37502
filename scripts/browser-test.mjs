// Loads the built ESM bundle (dist/index.js) in headless Chromium, on a page and in a
// module Web Worker, computes every loss class's value (class default reduction),
// gradient and sample-weighted value and gradient on the fixed inputs of
// scripts/browser-cases.mjs, and compares them with the same computation in Node.
//
// The page is served from 127.0.0.1 by a small HTTP server that this script starts and
// stops. Chromium is the system one (Debian's `chromium`, see .ci/install-browser.sh),
// driven by playwright-core through `executablePath`; no browser is downloaded.
//
// Usage: node scripts/browser-test.mjs   (npm run test:browser)
//   CHROMIUM_PATH=/path/to/chrome overrides the browser.
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromiumPath } from "./chromium.mjs";

const started = performance.now();
const root = fileURLToPath(new URL("..", import.meta.url));
await import("./ensure-built.mjs");

const executablePath = chromiumPath();

const lib = await import(pathToFileURL(join(root, "dist", "index.js")).href);
const { CASES, runCases } = await import("./browser-cases.mjs");
const node = runCases(lib);

const failures = [];
const covered = new Set(Object.values(node.results).map((r) => r.className));
for (const name of node.lossClasses) {
  if (!covered.has(name)) failures.push(`${name} is a loss class of the package but scripts/browser-cases.mjs has no case for it`);
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>losskit in the browser</title>
<script type="module">
  window.__errors = [];
  try {
    const lib = await import("/dist/index.js");
    const { runCases } = await import("/cases.mjs");
    window.__page = runCases(lib);
  } catch (e) {
    window.__page = { error: String((e && e.stack) || e) };
  }
  const worker = new Worker("/worker.mjs", { type: "module" });
  worker.onmessage = (event) => { window.__worker = event.data; };
  worker.onerror = (event) => { window.__worker = { error: "worker error: " + (event.message || "failed to load /worker.mjs") }; };
</script>
`;
const WORKER = `
  try {
    const lib = await import("/dist/index.js");
    const { runCases } = await import("/cases.mjs");
    postMessage({ ...runCases(lib), scope: self.constructor.name });
  } catch (e) {
    postMessage({ error: String((e && e.stack) || e) });
  }
`;
const ROUTES = {
  "/": { type: "text/html; charset=utf-8", body: () => PAGE },
  "/worker.mjs": { type: "text/javascript; charset=utf-8", body: () => WORKER },
  "/cases.mjs": { type: "text/javascript; charset=utf-8", body: () => readFileSync(join(root, "scripts", "browser-cases.mjs")) },
  "/dist/index.js": { type: "text/javascript; charset=utf-8", body: () => readFileSync(join(root, "dist", "index.js")) },
  "/dist/index.js.map": { type: "application/json", body: () => readFileSync(join(root, "dist", "index.js.map")) },
};
const server = createServer((req, res) => {
  const route = ROUTES[new URL(req.url ?? "/", "http://127.0.0.1").pathname];
  if (!route) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": route.type, "cache-control": "no-store" }).end(route.body());
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

/** Compare two results objects of runCases; returns [numbers compared, bit-identical, worst relative difference]. */
function compare(where, got, want) {
  let count = 0, identical = 0, worst = 0;
  for (const [name, expected] of Object.entries(want.results)) {
    const actual = got.results?.[name];
    if (!actual) {
      failures.push(`${where}: no result for ${name}`);
      continue;
    }
    for (const field of ["value", "valueFromValueAndGrad", "grad", "weightedValue", "weightedGrad", "gradShape"]) {
      const a = [actual[field]].flat(), b = [expected[field]].flat();
      if (a.length !== b.length) {
        failures.push(`${where}: ${name} ${field} has ${a.length} numbers, Node has ${b.length}`);
        continue;
      }
      for (let k = 0; k < b.length; k++) {
        count++;
        if (Object.is(a[k], b[k])) {
          identical++;
          continue;
        }
        const diff = Math.abs(a[k] - b[k]);
        const rel = diff / Math.max(1e-30, Math.abs(b[k]));
        worst = Math.max(worst, Number.isNaN(rel) ? Infinity : rel);
        // A few float32 ulps: the engines may round a libm result differently.
        if (!(diff <= 1e-6 * Math.max(1, Math.abs(b[k])))) failures.push(`${where}: ${name} ${field}[${k}] = ${a[k]}, Node gives ${b[k]}`);
      }
    }
  }
  return { count, identical, worst };
}

let browser;
const log = [];
try {
  const { chromium } = await import("playwright-core");
  const args = typeof process.getuid === "function" && process.getuid() === 0 ? ["--no-sandbox"] : [];
  browser = await chromium.launch({ executablePath, headless: true, args });
  const page = await browser.newPage();
  page.on("console", (message) => log.push(`console.${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => log.push(`page error: ${error.message}`));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__page !== undefined && window.__worker !== undefined, null, { timeout: 30000 });
  const onPage = await page.evaluate(() => window.__page);
  const inWorker = await page.evaluate(() => window.__worker);
  const version = browser.version();
  for (const [where, got] of [["page", onPage], ["worker", inWorker]]) {
    if (got.error) {
      failures.push(`${where}: ${got.error}`);
      continue;
    }
    const { count, identical, worst } = compare(where, got, node);
    const scope = where === "worker" ? ` (${got.scope})` : "";
    console.log(`${where}${scope}: ${Object.keys(got.results).length} cases, ${count} numbers, ${identical} bit-identical to Node's, worst relative difference ${worst.toExponential(1)}`);
  }
  if (inWorker.scope && inWorker.scope !== "DedicatedWorkerGlobalScope") failures.push(`worker ran in ${inWorker.scope}, not a DedicatedWorkerGlobalScope`);
  console.log(`Chromium ${version} (${executablePath}) against ${node.userAgent}; ${CASES.length} cases over ${node.lossClasses.length} loss classes`);
} catch (error) {
  failures.push(`browser run failed: ${error && error.stack ? error.stack : error}`);
} finally {
  await browser?.close();
  await new Promise((resolve) => server.close(resolve));
}

if (failures.length) {
  console.error(`browser test FAILED:\n  ${failures.join("\n  ")}`);
  if (log.length) console.error(`browser log:\n  ${log.join("\n  ")}`);
  process.exit(1);
}
console.log(`browser test passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
