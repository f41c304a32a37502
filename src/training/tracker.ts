/**
 * Loss tracking: a running weighted mean (`keras.metrics.Mean`) and a training history
 * (Keras's `History` and `CSVLogger`) with CSV/JSON export, an SVG plot of the loss
 * curves and a text sparkline.
 *
 * @module
 */
import { ConfigError, InputError, ShapeError, describeValue, formatShape } from "../errors";
import { checkOptionsObject } from "../options";
import { squeezeOrExpandToSameRank } from "../reduction/rank";
import { toTensor, type TensorLike } from "../tensor/convert";
import { broadcastTo, tryBroadcastShapes } from "../tensor/views";
import { Tensor, shapeSize, type FloatArray } from "../tensor/tensor";
import { flatValues, snakeCase } from "./internal";
import { drawLossCurves, type LossCurveOptions } from "./plot";

// ---------------------------------------------------------------------------------------
// LossTracker

/**
 * A running weighted mean with `keras.metrics.Mean`'s semantics, for tracking a loss over
 * the batches of an epoch.
 *
 * `update(values, sampleWeight?)` adds `Σ values·weights` to `total` and `Σ weights` to
 * `count`, after Keras's `reduce_to_samplewise_values`: values and weights are lined up
 * (`squeeze_or_expand_to_same_rank`), values with more axes than the weights are averaged
 * over the extra axes, weights broadcast to the values, and values (and weights) with more
 * than one axis are averaged over all but the first. Without weights `count` grows by the
 * batch size (`values.shape[0]`, or 1 for a scalar). `result()` is `total / count` (0 when
 * `count` is 0, as `divide_no_nan`). Sums are kept in doubles (Keras: float32 variables).
 *
 * Keras's `fit` tracks the loss with `update(batchLoss, batchSize)`: the epoch's loss is
 * then the mean over samples, not over batches (a short last batch counts less).
 *
 * @example
 * const m = new LossTracker();
 * m.update([1, 3, 5, 7]);
 * m.result();                          // 4
 * m.reset();
 * m.update([1, 3, 5, 7], [1, 1, 0, 0]);
 * m.result();                          // 2 (Keras's Mean docstring)
 */
export class LossTracker {
  /** Name for logs (default `"loss"`). */
  readonly name: string;
  private sum = 0;
  private weight = 0;

  constructor(name = "loss") {
    if (typeof name !== "string" || name.length === 0) throw new ConfigError(`LossTracker name must be a non-empty string, received ${describeValue(name)}`);
    this.name = name;
  }

  /** The weighted sum so far (Keras's `total`). */
  get total(): number {
    return this.sum;
  }

  /** The sum of weights so far (Keras's `count`). */
  get count(): number {
    return this.weight;
  }

  /** Add values (a number, per-sample losses, …) with optional weights; returns `this`. */
  update(values: TensorLike, sampleWeight?: TensorLike | null): this {
    let v = toTensor(values, { name: "values", dtype: "float64" });
    if (sampleWeight === undefined || sampleWeight === null) {
      const rows = v.rank === 0 ? 1 : v.shape[0]!;
      this.sum += sumOfRowMeans(v);
      this.weight += rows;
      return this;
    }
    let w = toTensor(sampleWeight, { name: "sampleWeight", dtype: "float64" });
    [v, w] = squeezeOrExpandToSameRank(v, w);
    // Values with more axes than the weights: mean over the extra (trailing) axes.
    if (v.rank > w.rank) v = meanTrailing(v, w.rank);
    const shape = tryBroadcastShapes(w.shape, v.shape);
    if (!shape || shape.length !== v.rank || shape.some((d, i) => d !== v.shape[i])) {
      throw new ShapeError(`sampleWeight has shape ${formatShape(w.shape)} but values have shape ${formatShape(v.shape)}; expected weights that broadcast to the values`);
    }
    const weights = new Tensor(broadcastTo(w, v.shape).toTypedArray("float64"), v.shape);
    const weighted = multiplyFlat(flatValues(v), flatValues(weights));
    this.sum += sumOfRowMeans(new Tensor(weighted, v.shape));
    this.weight += sumOfRowMeans(weights);
    return this;
  }

  /** `total / count`, or 0 before any weight was added. */
  result(): number {
    return this.weight === 0 ? 0 : this.sum / this.weight;
  }

  /** Start over (Keras's `reset_state`). */
  reset(): void {
    this.sum = 0;
    this.weight = 0;
  }
}

/** Mean over the axes from `keep` on: shape `t.shape.slice(0, keep)`. */
function meanTrailing(t: Tensor, keep: number): Tensor {
  const outer = shapeSize(t.shape.slice(0, keep));
  const inner = shapeSize(t.shape.slice(keep));
  const out = new Float64Array(outer);
  rowMeans(flatValues(t), outer, inner, out);
  return new Tensor(out, t.shape.slice(0, keep));
}

/** Σ over rows of each row's mean (rank <= 1: the plain sum). */
function sumOfRowMeans(t: Tensor): number {
  const values = flatValues(t);
  if (t.rank <= 1) return sumAll(values);
  const rows = t.shape[0]!;
  const length = rows === 0 ? 0 : t.size / rows;
  const means = new Float64Array(rows);
  rowMeans(values, rows, length, means);
  return sumAll(means);
}

function rowMeans(values: FloatArray, rows: number, length: number, out: Float64Array): void {
  for (let r = 0, base = 0; r < rows; r++, base += length) {
    let s = 0;
    for (let k = 0; k < length; k++) s += values[base + k]!;
    out[r] = length === 0 ? NaN : s / length;
  }
}

function sumAll(values: FloatArray): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function multiplyFlat(a: FloatArray, b: FloatArray): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  return out;
}

// ---------------------------------------------------------------------------------------
// TrainingHistory

/** Values recorded at the end of an epoch: `loss`, `valLoss` and any metric. */
export interface EpochLogs {
  loss?: number;
  valLoss?: number;
  [metric: string]: number | undefined;
}

/** One epoch of a {@link TrainingHistory}. */
export interface EpochRecord extends EpochLogs {
  /** 0-based, as Keras's callbacks and `CSVLogger` count (Keras prints it + 1). */
  epoch: number;
}

/** One batch of a {@link TrainingHistory}. */
export interface BatchRecord {
  /** The epoch the batch belongs to (0-based). */
  epoch: number;
  /** 0-based index within its epoch. */
  batch: number;
  loss?: number;
  [metric: string]: number | undefined;
}

/** `toJSON()` output; `TrainingHistory.fromJSON` reads it back. */
export interface TrainingHistoryJSON {
  epochs: EpochRecord[];
  batches: BatchRecord[];
}

/** The best epoch for a monitored value (the minimum, as Keras's `mode="min"` for losses). */
export interface BestEpoch {
  epoch: number;
  monitor: string;
  value: number;
}

function checkLogs(logs: unknown, what: string): Record<string, number> {
  if (typeof logs === "number") return { loss: logs };
  if (logs === null || typeof logs !== "object" || Array.isArray(logs)) {
    throw new ConfigError(`${what} needs a number (the loss) or an object like { loss, valLoss }, received ${describeValue(logs)}`);
  }
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs)) {
    if (key === "epoch" || key === "batch") throw new ConfigError(`${what}: "${key}" is set by the history, not a logged value`);
    if (value === undefined) continue;
    if (typeof value !== "number") throw new ConfigError(`${what}: ${key} must be a number, received ${describeValue(value)}`);
    out[key] = value;
  }
  return out;
}

/**
 * The per-batch and per-epoch values of a training run (Keras's `History` callback plus
 * `CSVLogger`), and their plots.
 *
 * `recordBatch(loss | logs)` records a batch of the current epoch; `recordEpoch({ loss,
 * valLoss, …metrics })` closes the epoch. Values may be NaN or infinite (a diverged run is
 * worth seeing); they are written as `NaN`/`Infinity` in CSV, `null` in JSON, and leave
 * gaps in the plots. Names are camelCase as recorded; `history` and `toCSV()` use Keras's
 * snake_case names (`val_loss`).
 *
 * @example
 * const h = new TrainingHistory();
 * h.recordEpoch({ loss: 0.9, valLoss: 1.0 });
 * h.recordEpoch({ loss: 0.5, valLoss: 0.7 });
 * h.recordEpoch({ loss: 0.3, valLoss: 0.8 });
 * h.best();    // { epoch: 1, monitor: "valLoss", value: 0.7 }
 * h.best().epoch; // 1 (0-based, as Keras's callbacks count)
 * h.toCSV();   // "epoch,loss,val_loss\n0,0.9,1\n1,0.5,0.7\n2,0.3,0.8\n"
 * h.history;   // { loss: [0.9, 0.5, 0.3], val_loss: [1, 0.7, 0.8] }
 */
export class TrainingHistory {
  private readonly epochRecords: EpochRecord[] = [];
  private readonly batchRecords: BatchRecord[] = [];

  /** The epochs recorded so far. */
  get epochs(): readonly EpochRecord[] {
    return this.epochRecords;
  }

  /** The batches recorded so far. */
  get batches(): readonly BatchRecord[] {
    return this.batchRecords;
  }

  /** Record a batch of the current epoch (the one `recordEpoch` closes next). */
  recordBatch(logs: number | Omit<BatchRecord, "epoch" | "batch">): BatchRecord {
    const values = checkLogs(logs, "recordBatch");
    const epoch = this.epochRecords.length;
    let batch = 0;
    for (let i = this.batchRecords.length - 1; i >= 0 && this.batchRecords[i]!.epoch === epoch; i--) batch++;
    const record: BatchRecord = { epoch, batch, ...values };
    this.batchRecords.push(record);
    return record;
  }

  /** Close the current epoch with its logs (`{ loss, valLoss, … }` or the loss alone). */
  recordEpoch(logs: number | EpochLogs): EpochRecord {
    const values = checkLogs(logs, "recordEpoch");
    const record: EpochRecord = { epoch: this.epochRecords.length, ...values };
    this.epochRecords.push(record);
    return record;
  }

  /** Keras's `History.history`: each logged name (snake_case) → its per-epoch values. */
  get history(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const key of this.keys()) out[snakeCase(key)] = this.epochRecords.map((r) => (r[key] === undefined ? NaN : r[key]!));
    return out;
  }

  /** Per-epoch values of one logged name (camelCase as recorded; NaN where missing). */
  values(key = "loss"): number[] {
    return this.epochRecords.map((r) => (r[key] === undefined ? NaN : r[key]!));
  }

  /**
   * The epoch with the lowest finite value of `monitor` (default `"valLoss"` when
   * recorded, else `"loss"`); the first one on ties, as Keras's `EarlyStopping`.
   */
  best(monitor?: string): BestEpoch | undefined {
    const key = monitor ?? (this.epochRecords.some((r) => r.valLoss !== undefined) ? "valLoss" : "loss");
    let best: BestEpoch | undefined;
    for (const r of this.epochRecords) {
      const v = r[key];
      if (v !== undefined && Number.isFinite(v) && (best === undefined || v < best.value)) best = { epoch: r.epoch, monitor: key, value: v };
    }
    return best;
  }

  /**
   * CSV in Keras's `CSVLogger` layout: `epoch` then the logged names sorted, in snake_case
   * (`epoch,loss,val_loss`); `NA` where an epoch lacks a value. `{ batches: true }` writes
   * the batches instead (`epoch,batch,loss,…`).
   */
  toCSV(options: { batches?: boolean } = {}): string {
    checkOptionsObject(options, "toCSV options");
    const records: readonly Record<string, number | undefined>[] = options.batches ? this.batchRecords : this.epochRecords;
    const fixed = options.batches ? ["epoch", "batch"] : ["epoch"];
    const keys = [...new Set(records.flatMap((r) => Object.keys(r)))].filter((k) => !fixed.includes(k)).sort((a, b) => (snakeCase(a) < snakeCase(b) ? -1 : 1));
    const lines = [[...fixed, ...keys.map(snakeCase)].join(",")];
    for (const r of records) lines.push([...fixed, ...keys].map((k) => (r[k] === undefined ? "NA" : String(r[k]))).join(","));
    return lines.join("\n") + "\n";
  }

  /** `{ epochs, batches }` (JSON.stringify turns NaN and Infinity into null). */
  toJSON(): TrainingHistoryJSON {
    return { epochs: this.epochRecords.map((r) => ({ ...r })), batches: this.batchRecords.map((r) => ({ ...r })) };
  }

  /** A history from `toJSON()` output (values that JSON turned into `null` come back as NaN). */
  static fromJSON(json: TrainingHistoryJSON | string): TrainingHistory {
    const data = typeof json === "string" ? (JSON.parse(json) as TrainingHistoryJSON) : json;
    if (data === null || typeof data !== "object" || !Array.isArray(data.epochs)) {
      throw new ConfigError(`TrainingHistory.fromJSON needs { epochs: [...], batches: [...] }, received ${describeValue(data)}`);
    }
    const h = new TrainingHistory();
    const revive = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? NaN : v])) as Record<string, number>;
    for (const r of data.epochs) h.epochRecords.push(revive(r as unknown as Record<string, unknown>) as EpochRecord);
    for (const r of data.batches ?? []) h.batchRecords.push(revive(r as unknown as Record<string, unknown>) as BatchRecord);
    return h;
  }

  /**
   * The loss curves as a standalone SVG document (no dependency): training vs validation
   * per epoch (epochs on x, counted from 1 as Keras prints them), the per-batch training
   * values faintly behind, the best epoch marked. See {@link LossCurveOptions}.
   */
  toSVG(options: LossCurveOptions = {}): string {
    return drawLossCurves(this.epochRecords, this.batchRecords, options);
  }

  /** A one-line sparkline of a per-epoch value (default `"loss"`); see {@link sparkline}. */
  sparkline(key = "loss", options: SparklineOptions = {}): string {
    return sparkline(this.values(key), options);
  }

  private keys(): string[] {
    return [...new Set(this.epochRecords.flatMap((r) => Object.keys(r)))].filter((k) => k !== "epoch");
  }
}

// ---------------------------------------------------------------------------------------
// sparkline

/** Options of {@link sparkline}. */
export interface SparklineOptions {
  /** At most this many characters; longer series are averaged into buckets. Default: one per value. */
  width?: number;
  /** Scale values logarithmically (non-positive values become gaps). Default `false`. */
  logScale?: boolean;
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A one-line text plot of a series for terminal logs: `▁` is the minimum, `█` the maximum;
 * non-finite values print as `×` (a diverged loss stays visible), a constant series as `▄`.
 *
 * @example
 * sparkline([4, 3, 2, 1, 0]);        // "█▆▅▃▁"
 * sparkline([4, 3, 2, 1, 0]).length; // 5 (one character per value)
 */
export function sparkline(values: readonly number[] | ArrayLike<number> | Tensor, options: SparklineOptions = {}): string {
  const { width, logScale = false } = checkOptionsObject(options, "sparkline options") as SparklineOptions;
  if (values instanceof Tensor) values = values.toTypedArray("float64");
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView))) {
    throw new InputError(`sparkline needs an array of numbers (or a typed array, or a Tensor), received ${describeValue(values)}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== "number") throw new InputError(`sparkline values[${i}] is ${describeValue(values[i])}, expected a number`);
  }
  if (width !== undefined && (!Number.isInteger(width) || width < 1)) throw new ConfigError(`sparkline width must be an integer >= 1, received ${describeValue(width)}`);
  let series = Array.from(values as ArrayLike<number>, (v) => (logScale ? (v > 0 ? Math.log10(v) : NaN) : v));
  if (width !== undefined && series.length > width) {
    const buckets: number[] = [];
    for (let b = 0; b < width; b++) {
      const from = Math.floor((b * series.length) / width);
      const to = Math.floor(((b + 1) * series.length) / width);
      let s = 0;
      for (let i = from; i < to; i++) s += series[i]!;
      buckets.push(s / (to - from));
    }
    series = buckets;
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of series) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return series
    .map((v) => {
      if (!Number.isFinite(v)) return "×";
      if (hi === lo) return BARS[3];
      return BARS[Math.min(BARS.length - 1, Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1)))];
    })
    .join("");
}
