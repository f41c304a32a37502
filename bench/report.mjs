// Formatting: numbers, console tables and the Markdown of bench/results.md.

export const IMPLS = ["best", "naive", "losskit", "losskit-simd", "tfjs-cpu", "tfjs-wasm"];
export const LABELS = { best: "best loop", naive: "plain loop", losskit: "losskit", "losskit-simd": "losskit+simd", "tfjs-cpu": "tfjs-cpu", "tfjs-wasm": "tfjs-wasm" };

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  if (ms >= 0.01) return ms.toFixed(3);
  return ms.toPrecision(2);
}

export function fmtUs(ms) {
  return Number.isFinite(ms) ? (ms * 1000).toFixed(ms * 1000 >= 100 ? 0 : 2) : "–";
}

export function fmtRatio(x) {
  if (!Number.isFinite(x)) return "–";
  return x >= 100 ? `${x.toFixed(0)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`;
}

export function fmtErr(e) {
  if (e === undefined || e === null || Number.isNaN(e)) return "–";
  if (e === 0) return "0";
  return e.toExponential(1);
}

export function fmtBytes(b) {
  if (!Number.isFinite(b)) return "–";
  const a = Math.abs(b);
  if (a >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  if (a >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} KiB`;
  return `${b} B`;
}

export function fmtCount(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n % 1e6 ? 2 : 0)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n % 1e3 ? 1 : 0)}k`;
  return String(n);
}

/** A plain-text table for the console: rows of cells, the first row is the header. */
export function textTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? "").length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 || c === 1 ? String(cell ?? "").padEnd(widths[c]) : String(cell ?? "").padStart(widths[c]))).join("  ");
      return i === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

/** A Markdown table: the first row is the header; `align` is a string of l/r per column. */
export function markdownTable(rows, align) {
  const esc = (s) => String(s ?? "").replace(/\|/g, "\\|");
  const head = `| ${rows[0].map(esc).join(" | ")} |`;
  const sep = `|${rows[0].map((_, c) => (align?.[c] === "l" ? ":---" : "---:")).join("|")}|`;
  return [head, sep, ...rows.slice(1).map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

/** "median / p90" in ms. */
export function fmtTiming(t) {
  if (!t) return "–";
  if (t.error) return "error";
  if (t.missing) return t.missing;
  return `${fmtMs(t.median)} / ${fmtMs(t.p90)}`;
}
