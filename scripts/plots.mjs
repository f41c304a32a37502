// Draws the curves of docs/plots/*.svg from the built library itself (dist/), no
// plotting dependency: each loss (solid) and its gradient d loss / d yPred (dashed,
// from loss.grad) against the error, the logit or the margin.
//
// Usage: node scripts/plots.mjs [outDir]   (npm run plots; default docs/plots)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
await import("./ensure-built.mjs");
const lib = await import(new URL("../dist/index.js", import.meta.url).href);
const outDir = process.argv[2] ?? join(root, "docs", "plots");

// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

/** `n` evenly spaced points from `a` to `b` (odd `n` keeps the midpoint). */
function grid(a, b, n = 241) {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/**
 * The loss and its gradient at every x, in one call each: one sample per x, reduction
 * "none", float64. With "none" the gradient is that of the sum of the per-sample values,
 * so each sample's entry is its own derivative.
 */
function curve(makeLoss, xs, toInputs) {
  const loss = makeLoss({ reduction: "none", dtype: "float64" });
  const { yTrue, yPred } = toInputs(xs);
  const { value, grad } = loss.valueAndGrad(yTrue, yPred);
  const values = Array.from(value.toTypedArray ? value.toTypedArray("float64") : value.data);
  const grads = Array.from(grad.toTypedArray("float64"));
  return { values, grads };
}

/** Inputs for "yTrue = t, yPred = t + x": the error is x. */
const errorInputs = (t) => (xs) => ({ yTrue: xs.map(() => [t]), yPred: xs.map((x) => [t + x]) });
/** Inputs for "label 1, prediction x" (a logit, or a score whose margin y·x is x). */
const labelOneInputs = (xs) => ({ yTrue: xs.map(() => [1]), yPred: xs.map((x) => [x]) });

const fmt = (v) => (Math.abs(v) < 5e-3 ? "0" : v.toFixed(2).replace(/\.?0+$/, ""));

function ticks(lo, hi, step) {
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
  return out;
}

/**
 * An SVG line chart: axes with ticks and a light grid, solid loss curves, dashed
 * gradient curves in the same colour, a legend, everything clipped to the plot area.
 */
function svgPlot({ title, subtitle, xLabel, yLabel, x, y, series }) {
  const W = 720, H = 440;
  const m = { left: 58, right: 190, top: 58, bottom: 52 };
  const pw = W - m.left - m.right, ph = H - m.top - m.bottom;
  const sx = (v) => m.left + ((v - x.min) / (x.max - x.min)) * pw;
  const sy = (v) => m.top + ph - ((v - y.min) / (y.max - y.min)) * ph;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${title}</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="plot-area"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<text x="${m.left}" y="24" font-size="16" font-weight="bold" fill="#222">${title}</text>`);
  if (subtitle) out.push(`<text x="${m.left}" y="42" fill="#555">${subtitle}</text>`);
  // grid and ticks
  for (const v of ticks(x.min, x.max, x.step)) {
    out.push(`<line x1="${sx(v).toFixed(1)}" y1="${m.top}" x2="${sx(v).toFixed(1)}" y2="${m.top + ph}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${sx(v).toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle" fill="#444">${fmt(v)}</text>`);
  }
  for (const v of ticks(y.min, y.max, y.step)) {
    out.push(`<line x1="${m.left}" y1="${sy(v).toFixed(1)}" x2="${m.left + pw}" y2="${sy(v).toFixed(1)}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${m.left - 8}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${fmt(v)}</text>`);
  }
  // zero axes, darker
  if (y.min < 0 && y.max > 0) out.push(`<line x1="${m.left}" y1="${sy(0).toFixed(1)}" x2="${m.left + pw}" y2="${sy(0).toFixed(1)}" stroke="#999"/>`);
  if (x.min < 0 && x.max > 0) out.push(`<line x1="${sx(0).toFixed(1)}" y1="${m.top}" x2="${sx(0).toFixed(1)}" y2="${m.top + ph}" stroke="#999"/>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#666"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle" fill="#222">${xLabel}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">${yLabel}</text>`);
  // curves
  out.push(`<g clip-path="url(#plot-area)" fill="none" stroke-width="2" stroke-linejoin="round">`);
  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const path = (ys) => ys.map((v, k) => `${k === 0 ? "M" : "L"}${sx(s.xs[k]).toFixed(1)},${sy(Math.max(y.min - 1e3, Math.min(y.max + 1e3, v))).toFixed(1)}`).join("");
    out.push(`<path d="${path(s.values)}" stroke="${color}"/>`);
    if (s.grads) out.push(`<path d="${path(s.grads)}" stroke="${color}" stroke-dasharray="6 4" stroke-width="1.6" opacity="0.9"/>`);
  });
  out.push(`</g>`);
  // legend
  const lx = m.left + pw + 16;
  let ly = m.top + 8;
  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2.5"/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}" fill="#222">${s.name}</text>`);
    ly += 20;
  });
  ly += 8;
  out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#444" stroke-width="2"/>`);
  out.push(`<text x="${lx + 30}" y="${ly + 4}" fill="#444">loss</text>`);
  ly += 20;
  out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#444" stroke-width="1.6" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${lx + 30}" y="${ly + 4}" fill="#444">gradient d loss / d yPred</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function series(name, makeLoss, xs, toInputs) {
  return { name, xs, ...curve(makeLoss, xs, toInputs) };
}

const errors = grid(-3, 3);
const logits = grid(-5, 5);
const plots = {
  "regression.svg": {
    title: "Regression losses against the error",
    subtitle: "one sample, one feature: yTrue = 0, yPred = error (MSLE: yTrue = 1, yPred = 1 + error)",
    xLabel: "error  yPred − yTrue",
    yLabel: "loss (solid), gradient (dashed)",
    x: { min: -3, max: 3, step: 1 },
    y: { min: -3, max: 5, step: 1 },
    series: [
      series("MeanSquaredError", (o) => new lib.MeanSquaredError(o), errors, errorInputs(0)),
      series("MeanAbsoluteError", (o) => new lib.MeanAbsoluteError(o), errors, errorInputs(0)),
      series("Huber (delta 1)", (o) => new lib.Huber(o), errors, errorInputs(0)),
      series("LogCosh", (o) => new lib.LogCosh(o), errors, errorInputs(0)),
      series("MSLE (yTrue 1)", (o) => new lib.MeanSquaredLogarithmicError(o), grid(-0.99, 3), errorInputs(1)),
    ],
  },
  "classification.svg": {
    title: "Classification losses against the logit or margin",
    subtitle: "label 1: BCE and focal from logits (fromLogits: true), hinge on the score",
    xLabel: "logit x  (hinge: margin y·x)",
    yLabel: "loss (solid), gradient (dashed)",
    x: { min: -5, max: 5, step: 1 },
    y: { min: -2, max: 6, step: 1 },
    series: [
      series("BinaryCrossentropy", (o) => new lib.BinaryCrossentropy({ ...o, fromLogits: true }), logits, labelOneInputs),
      series("BinaryFocal (gamma 2)", (o) => new lib.BinaryFocalCrossentropy({ ...o, fromLogits: true, gamma: 2 }), logits, labelOneInputs),
      series("Hinge", (o) => new lib.Hinge(o), logits, labelOneInputs),
      series("SquaredHinge", (o) => new lib.SquaredHinge(o), logits, labelOneInputs),
    ],
  },
  "huber-deltas.svg": {
    title: "Huber for several deltas",
    subtitle: "quadratic for |error| ≤ delta, linear beyond; the gradient is clipped at ±delta",
    xLabel: "error  yPred − yTrue",
    yLabel: "loss (solid), gradient (dashed)",
    x: { min: -4, max: 4, step: 1 },
    y: { min: -3.5, max: 5, step: 1 },
    series: [0.5, 1, 2, 3].map((delta) => series(`Huber (delta ${delta})`, (o) => new lib.Huber({ ...o, delta }), grid(-4, 4), errorInputs(0))),
  },
  "focal-gammas.svg": {
    title: "Binary focal crossentropy for several gammas",
    subtitle: "label 1, from logits; gamma 0 is BCE; larger gammas down-weight easy (confident) samples",
    xLabel: "logit x",
    yLabel: "loss (solid), gradient (dashed)",
    x: { min: -5, max: 5, step: 1 },
    y: { min: -1.5, max: 5, step: 0.5 },
    series: [0, 0.5, 1, 2, 5].map((gamma) =>
      series(`gamma ${gamma}`, (o) => new lib.BinaryFocalCrossentropy({ ...o, fromLogits: true, gamma }), logits, labelOneInputs),
    ),
  },
};

mkdirSync(outDir, { recursive: true });
for (const [file, spec] of Object.entries(plots)) {
  writeFileSync(join(outDir, file), svgPlot(spec));
  console.log(`wrote ${join(outDir, file)}`);
}
