/**
 * Loss curves as a standalone SVG document, what the Keras guides draw with matplotlib:
 * training vs validation loss per epoch, per-batch values faintly, the best epoch marked.
 * No dependency; the output opens in any browser.
 *
 * @module
 */
import { ConfigError, describeValue } from "../errors";
import { checkOptionsObject } from "../options";
import { formatNumber, snakeCase } from "./internal";

/** Options of `TrainingHistory.toSVG()`. */
export interface LossCurveOptions {
  /** Width in pixels. Default `640`. */
  width?: number;
  /** Height in pixels. Default `400`. */
  height?: number;
  /** Logarithmic y axis (non-positive values leave gaps). Default `false`. */
  logScale?: boolean;
  /** Title. Default `"Training and validation loss"`. */
  title?: string;
  /** The training series (an epoch log name). Default `"loss"`. */
  train?: string;
  /** The validation series. Default `"valLoss"` (not drawn when never recorded). */
  validation?: string;
  /** The series whose minimum is marked as the best epoch. Default: validation when recorded, else training. */
  monitor?: string;
  /** Draw per-batch training values (when recorded). Default `true`. */
  batches?: boolean;
}

interface Point {
  x: number;
  y: number;
}

interface Record_ {
  readonly [key: string]: number | undefined;
}

const COLORS = { train: "#1f77b4", validation: "#ff7f0e", best: "#2ca02c", axis: "#333", grid: "#e5e5e5", text: "#222" };

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function checkSize(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 120) throw new ConfigError(`toSVG ${name} must be a number >= 120 (pixels), received ${describeValue(value)}`);
  return value;
}

/** 1, 2 or 5 times a power of ten, close to `span / count`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

function fmt(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

/** The `q` and `1 - q` quantiles of `values` (empty for no values). */
function robustRange(values: number[], q: number): number[] {
  if (values.length === 0) return [];
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]!;
  return [at(q), at(1 - q)];
}

/** Draw the curves; see {@link LossCurveOptions}. */
export function drawLossCurves(epochs: readonly Record_[], batches: readonly Record_[], options: LossCurveOptions = {}): string {
  checkOptionsObject(options, "toSVG options");
  const width = checkSize(options.width, "width", 640);
  const height = checkSize(options.height, "height", 400);
  const logScale = options.logScale ?? false;
  const trainKey = options.train ?? "loss";
  const valKey = options.validation ?? "valLoss";
  const title = options.title ?? "Training and validation loss";
  const hasVal = epochs.some((r) => r[valKey] !== undefined);
  const monitor = options.monitor ?? (hasVal ? valKey : trainKey);
  const drawBatches = (options.batches ?? true) && batches.some((b) => b[trainKey] !== undefined);

  // Series in epoch units: the value of epoch e (0-based) sits at x = e + 1; batch b of
  // n in epoch e at x = e + (b + 1) / n, so an epoch's batches lead up to its point.
  const series = (key: string): (Point | null)[] => epochs.map((r) => ({ x: (r.epoch ?? 0) + 1, y: r[key] ?? NaN }));
  const train = series(trainKey);
  const val = hasVal ? series(valKey) : [];
  const batchesPerEpoch = new Map<number, number>();
  for (const b of batches) batchesPerEpoch.set(b.epoch ?? 0, (batchesPerEpoch.get(b.epoch ?? 0) ?? 0) + 1);
  const batchPoints: Point[] = drawBatches ? batches.map((b) => ({ x: (b.epoch ?? 0) + ((b.batch ?? 0) + 1) / batchesPerEpoch.get(b.epoch ?? 0)!, y: b[trainKey] ?? NaN })) : [];

  const usable = (y: number) => Number.isFinite(y) && (!logScale || y > 0);
  const toAxis = (y: number) => (logScale ? Math.log10(y) : y);
  // The y range covers the epoch values and the middle 96% of the batch values: a few
  // noisy batches (a short last batch) must not flatten the curves. Batches outside are clipped.
  const batchRange = robustRange(batchPoints.map((p) => p.y).filter(usable), 0.02);
  const all = [...train, ...val, ...batchRange.map((y) => ({ x: 0, y }))].filter((p): p is Point => p !== null && usable(p.y));
  const skipped = [...train, ...val].filter((p) => p !== null && !usable(p.y)).length;

  // Domains.
  const xMin = drawBatches ? 0 : 1;
  const xMax = Math.max(epochs.length, ...batchPoints.map((p) => Math.ceil(p.x)), xMin + 1);
  let yLo = Infinity, yHi = -Infinity;
  for (const p of all) {
    const v = toAxis(p.y);
    if (v < yLo) yLo = v;
    if (v > yHi) yHi = v;
  }
  if (all.length === 0) {
    yLo = 0;
    yHi = 1;
  }
  let yTicks: number[];
  if (logScale) {
    yLo = Math.floor(yLo);
    yHi = Math.ceil(yHi);
    if (yHi === yLo) yHi = yLo + 1;
    yTicks = [];
    for (let k = yLo; k <= yHi; k++) yTicks.push(k);
    if (yHi - yLo <= 2) {
      for (let k = yLo; k < yHi; k++) yTicks.push(k + Math.log10(2), k + Math.log10(5));
      yTicks.sort((a, b) => a - b);
    }
  } else {
    if (yHi === yLo) {
      const pad = yLo === 0 ? 1 : Math.abs(yLo) * 0.1;
      yLo -= pad;
      yHi += pad;
    }
    const step = niceStep(yHi - yLo, 5);
    yLo = Math.floor(yLo / step + 1e-9) * step;
    yHi = Math.ceil(yHi / step - 1e-9) * step;
    yTicks = [];
    for (let k = 0, v = yLo; v <= yHi + step * 1e-6; k++, v = yLo + k * step) yTicks.push(Number(v.toPrecision(12)));
  }

  const left = 72, right = 20, top = 44, bottom = 52;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const sx = (x: number) => left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number) => top + (1 - (toAxis(y) - yLo) / (yHi - yLo)) * plotH;
  const syAxis = (v: number) => top + (1 - (v - yLo) / (yHi - yLo)) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${fmt(left + plotW / 2)}" y="24" text-anchor="middle" font-size="15" fill="${COLORS.text}">${escapeXml(title)}</text>`,
  );

  // Grid and y ticks.
  out.push(`<g stroke="${COLORS.grid}" stroke-width="1">`);
  for (const v of yTicks) out.push(`<line x1="${left}" x2="${fmt(left + plotW)}" y1="${fmt(syAxis(v))}" y2="${fmt(syAxis(v))}"/>`);
  out.push("</g>");
  out.push(`<g fill="${COLORS.text}" text-anchor="end">`);
  for (const v of yTicks) {
    const label = logScale ? formatNumber(Number((10 ** v).toPrecision(6))) : formatNumber(v);
    out.push(`<text x="${left - 8}" y="${fmt(syAxis(v) + 4)}">${escapeXml(label)}</text>`);
  }
  out.push("</g>");

  // x ticks: whole epochs.
  const xStep = Math.max(1, Math.round(niceStep(xMax - xMin, 10)));
  const xTicks: number[] = [];
  for (let e = Math.ceil(xMin / xStep) * xStep; e <= xMax; e += xStep) if (e >= xMin) xTicks.push(e);
  if (xMin === 1 && !xTicks.includes(1)) xTicks.unshift(1);
  out.push(`<g fill="${COLORS.text}" text-anchor="middle">`);
  for (const e of xTicks) {
    out.push(`<line x1="${fmt(sx(e))}" x2="${fmt(sx(e))}" y1="${fmt(top + plotH)}" y2="${fmt(top + plotH + 5)}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${fmt(sx(e))}" y="${fmt(top + plotH + 19)}">${e}</text>`);
  }
  out.push("</g>");

  // Axes and their labels.
  out.push(
    `<path d="M${left} ${top}V${fmt(top + plotH)}H${fmt(left + plotW)}" fill="none" stroke="${COLORS.axis}" stroke-width="1"/>`,
    `<text x="${fmt(left + plotW / 2)}" y="${height - 12}" text-anchor="middle" fill="${COLORS.text}">epoch</text>`,
    `<text transform="translate(16 ${fmt(top + plotH / 2)}) rotate(-90)" text-anchor="middle" fill="${COLORS.text}">${escapeXml(snakeCase(trainKey))}${logScale ? " (log scale)" : ""}</text>`,
  );

  // Curves: a path per run of usable points (NaN/Infinity, and values <= 0 on a log axis, leave gaps).
  const pathOf = (points: readonly (Point | null)[]): string => {
    let d = "";
    let open = false;
    for (const p of points) {
      if (p === null || !usable(p.y)) {
        open = false;
        continue;
      }
      d += `${open ? "L" : "M"}${fmt(sx(p.x))} ${fmt(sy(p.y))}`;
      open = true;
    }
    return d;
  };
  const markers = (points: readonly (Point | null)[], color: string): string =>
    points
      .filter((p): p is Point => p !== null && usable(p.y))
      .map((p) => `<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.y))}" r="3" fill="${color}"/>`)
      .join("");
  if (batchPoints.length > 0) {
    out.push(`<clipPath id="losskit-plot-area"><rect x="${left}" y="${top}" width="${fmt(plotW)}" height="${fmt(plotH)}"/></clipPath>`);
    out.push(`<path d="${pathOf(batchPoints)}" fill="none" stroke="${COLORS.train}" stroke-opacity="0.3" stroke-width="1" clip-path="url(#losskit-plot-area)"/>`);
  }
  out.push(`<g class="train"><path d="${pathOf(train)}" fill="none" stroke="${COLORS.train}" stroke-width="2"/>${markers(train, COLORS.train)}</g>`);
  if (hasVal) {
    out.push(`<g class="validation"><path d="${pathOf(val)}" fill="none" stroke="${COLORS.validation}" stroke-width="2" stroke-dasharray="6 4"/>${markers(val, COLORS.validation)}</g>`);
  }

  // The best epoch.
  let bestIndex = -1;
  for (let i = 0; i < epochs.length; i++) {
    const v = epochs[i]![monitor];
    if (v !== undefined && usable(v) && (bestIndex < 0 || v < epochs[bestIndex]![monitor]!)) bestIndex = i;
  }
  if (bestIndex >= 0) {
    const r = epochs[bestIndex]!;
    const x = sx((r.epoch ?? bestIndex) + 1);
    const y = sy(r[monitor]!);
    const label = `best: epoch ${(r.epoch ?? bestIndex) + 1}, ${snakeCase(monitor)} ${formatNumber(Number(r[monitor]!.toPrecision(4)))}`;
    const anchor = x > left + plotW * 0.6 ? "end" : "start";
    const dx = anchor === "end" ? -8 : 8;
    out.push(
      `<g class="best"><line x1="${fmt(x)}" x2="${fmt(x)}" y1="${top}" y2="${fmt(top + plotH)}" stroke="${COLORS.best}" stroke-dasharray="3 3"/>`,
      `<circle cx="${fmt(x)}" cy="${fmt(y)}" r="6" fill="none" stroke="${COLORS.best}" stroke-width="2"/>`,
      `<text x="${fmt(x + dx)}" y="${fmt(Math.max(top + 12, y - 10))}" text-anchor="${anchor}" fill="${COLORS.best}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeXml(label)}</text></g>`,
    );
  }

  // Legend (top right, inside the plot).
  const legend: [string, string, string][] = [[`training ${snakeCase(trainKey)}`, COLORS.train, ' stroke-width="2"']];
  if (hasVal) legend.push([`validation ${snakeCase(trainKey)}`, COLORS.validation, ' stroke-width="2" stroke-dasharray="6 4"']);
  if (batchPoints.length > 0) legend.push(["training, per batch", COLORS.train, ' stroke-width="1" stroke-opacity="0.3"']);
  const legendX = left + plotW - 170;
  out.push(`<g class="legend"><rect x="${fmt(legendX - 8)}" y="${top + 6}" width="170" height="${legend.length * 18 + 8}" fill="#fff" fill-opacity="0.85" stroke="${COLORS.grid}"/>`);
  legend.forEach(([label, color, extra], i) => {
    const y = top + 20 + i * 18;
    out.push(`<line x1="${fmt(legendX)}" x2="${fmt(legendX + 24)}" y1="${y - 4}" y2="${y - 4}" stroke="${color}"${extra}/>`);
    out.push(`<text x="${fmt(legendX + 32)}" y="${y}" fill="${COLORS.text}">${escapeXml(label)}</text>`);
  });
  out.push("</g>");
  if (skipped > 0) {
    out.push(`<text x="${left + 6}" y="${fmt(top + plotH - 8)}" fill="#d62728">${escapeXml(`${skipped} epoch value${skipped > 1 ? "s" : ""} not drawn (NaN, infinite${logScale ? " or <= 0" : ""})`)}</text>`);
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
