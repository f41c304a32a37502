// Renders TrainingHistory's loss-curve SVG in headless Chromium (as the browser test does:
// Debian's chromium through playwright-core, nothing downloaded) and checks what a person
// would see: the SVG parses as an image of its declared size, both curves are drawn with a
// real length, the best-epoch marker is on the page, and the screenshot is not blank.
// `npm run test:svg` (CI); writes the PNG to $TMPDIR/losskit-svg/curves.png to look at.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromiumPath } from "./chromium.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
await import("./ensure-built.mjs");
const executablePath = chromiumPath();

const { TrainingHistory } = await import(pathToFileURL(join(root, "dist", "index.js")).href);
const history = new TrainingHistory();
const train = [2.3, 1.4, 0.9, 0.62, 0.45, 0.37, 0.31, 0.28];
const val = [2.4, 1.5, 1.05, 0.8, 0.71, 0.69, 0.72, 0.78];
train.forEach((loss, i) => history.recordEpoch({ loss, valLoss: val[i] }));
const svg = history.toSVG({ logScale: true });

const { chromium } = await import("playwright-core");
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
  const facts = await page.evaluate(() => {
    const el = document.querySelector("svg");
    if (!el) return null;
    const box = el.getBoundingClientRect();
    const lengths = [...el.querySelectorAll("path, polyline")].map((p) => (typeof p.getTotalLength === "function" ? p.getTotalLength() : 0));
    return { width: box.width, height: box.height, lengths, text: el.textContent ?? "" };
  });
  if (!facts) failures.push("no <svg> element on the page");
  else {
    if (!(facts.width > 100 && facts.height > 100)) failures.push(`the SVG renders at ${facts.width}x${facts.height}`);
    const drawn = facts.lengths.filter((l) => l > 50);
    if (drawn.length < 2) failures.push(`expected two drawn curves, found path lengths ${JSON.stringify(facts.lengths)}`);
    if (!/best/i.test(facts.text)) failures.push("no best-epoch label in the SVG text");
  }
  const png = await page.locator("svg").screenshot();
  const dir = join(tmpdir(), "losskit-svg");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "curves.png"), png);
  if (png.length < 5000) failures.push(`the screenshot is ${png.length} bytes: blank?`);
  console.log(`SVG rendered by ${executablePath}: ${facts?.width}x${facts?.height}, curve lengths ${facts?.lengths.map((l) => l.toFixed(0)).join(", ")}, PNG ${png.length} bytes at ${join(dir, "curves.png")}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
