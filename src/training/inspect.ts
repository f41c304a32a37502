/**
 * The checks behind `diagnose` and `checkNumerics`: what each built-in loss expects of its
 * inputs, one-pass scans of the inputs and outputs, and the findings with their messages.
 *
 * No runtime or type import of src/loss.ts: it imports this module (through numerics.ts).
 *
 * @internal
 * @module
 */
import { ConfigError, describeValue } from "../errors";
import { Tensor, type DType, type FloatArray } from "../tensor/tensor";
import { LossCollector } from "./collector";
import { flatValues, formatNumber, formatPosition, positionOf, snakeCase } from "./internal";

/** What the checks read from a loss (structural, so that src/loss.ts can import this module). */
export interface LossLike {
  readonly name: string;
  readonly dtype: DType;
  getConfig(): Record<string, unknown>;
}
// ---------------------------------------------------------------------------------------
// Report types

/** A cause, in the terms of the Keras guides' "why is my loss NaN" advice. */
export type NumericsCause =
  /** NaN or ±Infinity in yTrue, yPred or sampleWeight. */
  | "nan-in-data"
  /** yPred outside [0, 1] while the loss reads probabilities (`fromLogits: false`). */
  | "probabilities-out-of-range"
  /** yPred outside the range a loss reads that is not a probability (Poisson rates below 0). */
  | "predictions-out-of-range"
  /** `fromLogits: true` but every row of yPred is already a probability distribution. */
  | "probabilities-as-logits"
  /** Labels outside what the loss expects (BCE labels in {-1, 1} or 0..255, class indices ≥ C). */
  | "labels-out-of-range"
  /** A sample weight below 0. */
  | "negative-sample-weight"
  /** Values with |x| > 1e4: features or targets that were not normalized. */
  | "unscaled-inputs"
  /** NaN/Infinity in the result or gradient although every input is finite (log(0), 0/0, overflow). */
  | "non-finite-result"
  /** A penalty term (regularizer) that is NaN or infinite: very large regularizers or exploded weights. */
  | "non-finite-penalty"
  /** A penalty term much larger than the data loss. */
  | "regularizer-dominates"
  /** The loss refused the inputs (its error message says why). */
  | "loss-error";

/** One finding of {@link diagnose}. */
export interface NumericsFinding {
  cause: NumericsCause;
  /** `"error"`: the loss or its gradient is wrong or NaN; `"warning"`: likely to cause trouble. */
  severity: "error" | "warning";
  /** `"yTrue"`, `"yPred"`, `"sampleWeight"`, `"result"`, `"grad"`, `"penalty <name>"` or `"loss"`. */
  argument: string;
  /** Flat (C-order) index of the first offending element. */
  index?: number;
  /** Its multi-index (`[row, column]`). */
  position?: number[];
  /** Its value. */
  value?: number;
  /** How many elements have the problem. */
  count?: number;
  /** What was found, the likely cause, and what to do. */
  message: string;
}

// ---------------------------------------------------------------------------------------
// What each built-in loss expects

type LabelRange = "unit" | "classes" | "signed-unit" | "non-negative";
type PredictionRange = "probabilities-unless-logits" | "probabilities" | "non-negative";

interface Expectations {
  labels?: LabelRange;
  predictions?: PredictionRange;
  /** Rows along `axis` are class scores (for the probabilities-as-logits check). */
  categorical?: boolean;
  /** Human name for messages. */
  title: string;
}

const EXPECTATIONS: Record<string, Expectations> = {
  binary_crossentropy: { labels: "unit", predictions: "probabilities-unless-logits", title: "binary crossentropy" },
  binary_focal_crossentropy: { labels: "unit", predictions: "probabilities-unless-logits", title: "binary focal crossentropy" },
  sigmoid_focal_crossentropy: { labels: "unit", predictions: "probabilities-unless-logits", title: "sigmoid focal crossentropy" },
  categorical_crossentropy: { labels: "unit", predictions: "probabilities-unless-logits", categorical: true, title: "categorical crossentropy" },
  categorical_focal_crossentropy: { labels: "unit", predictions: "probabilities-unless-logits", categorical: true, title: "categorical focal crossentropy" },
  sparse_categorical_crossentropy: { labels: "classes", predictions: "probabilities-unless-logits", categorical: true, title: "sparse categorical crossentropy" },
  categorical_generalized_cross_entropy: { labels: "classes", predictions: "probabilities", title: "generalized cross entropy" },
  kl_divergence: { labels: "unit", predictions: "probabilities", title: "KL divergence" },
  poisson: { labels: "non-negative", predictions: "non-negative", title: "Poisson" },
  hinge: { labels: "signed-unit", title: "hinge" },
  squared_hinge: { labels: "signed-unit", title: "squared hinge" },
  categorical_hinge: { labels: "unit", title: "categorical hinge" },
};

function expectationsOf(loss: LossLike): [Expectations | undefined, Record<string, unknown>] {
  let config: Record<string, unknown> = {};
  try {
    config = loss.getConfig();
  } catch {
    // A custom loss whose config cannot be built: no option-specific checks.
  }
  const fnName = (loss as unknown as { fn?: { lossName?: unknown } }).fn?.lossName;
  for (const candidate of [fnName, snakeCase(loss.constructor.name), loss.name]) {
    if (typeof candidate === "string" && Object.prototype.hasOwnProperty.call(EXPECTATIONS, candidate)) return [EXPECTATIONS[candidate], config];
  }
  return [undefined, config];
}

// ---------------------------------------------------------------------------------------
// Scanning

/** Stats of one pass: [firstNonFinite, nonFiniteCount, min, argmin, max, argmax, maxAbs, argMaxAbs]. */
function scan(values: FloatArray, out: Float64Array): void {
  let first = -1, count = 0;
  let min = Infinity, argmin = -1, max = -Infinity, argmax = -1, maxAbs = 0, argMaxAbs = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      // NaN or ±Infinity
      if (first < 0) first = i;
      count++;
      continue;
    }
    if (v < min) {
      min = v;
      argmin = i;
    }
    if (v > max) {
      max = v;
      argmax = i;
    }
    const a = v < 0 ? -v : v;
    if (a > maxAbs) {
      maxAbs = a;
      argMaxAbs = i;
    }
  }
  out[0] = first;
  out[1] = count;
  out[2] = min;
  out[3] = argmin;
  out[4] = max;
  out[5] = argmax;
  out[6] = maxAbs;
  out[7] = argMaxAbs;
}

/** First finite index with v < lo or v > hi (or not an integer when `integer`), and how many; -1 if none. */
function firstOutside(values: FloatArray, lo: number, hi: number, integer: boolean, allowed: number, out: Float64Array): void {
  let first = -1, count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0 || v === allowed) continue;
    if (v < lo || v > hi || (integer && Math.floor(v) !== v)) {
      if (first < 0) first = i;
      count++;
    }
  }
  out[0] = first;
  out[1] = count;
}

interface Scanned {
  tensor: Tensor;
  values: FloatArray;
  stats: Float64Array;
}

function scanned(t: Tensor): Scanned {
  const values = flatValues(t);
  const stats = new Float64Array(8);
  scan(values, stats);
  return { tensor: t, values, stats };
}

function at(name: string, s: Scanned, index: number): { index: number; position: number[]; value: number; where: string } {
  const position = positionOf(index, s.tensor.shape);
  return { index, position, value: s.values[index]!, where: formatPosition(name, position) };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export interface InspectInput {
  loss: LossLike;
  yTrue: Tensor;
  yPred: Tensor;
  sampleWeight: Tensor | undefined;
  value: number | Tensor | undefined;
  grad: Tensor | undefined;
  callError?: Error;
  options: { unscaledThreshold?: number };
}

/** Every finding for one call's inputs and outputs (the loss is not called here). */
export function inspect(input: InspectInput): NumericsFinding[] {
  const { loss, yTrue, yPred, sampleWeight, value, grad, callError } = input;
  const unscaled = input.options.unscaledThreshold ?? 1e4;
  const findings: NumericsFinding[] = [];
  const [expect, config] = expectationsOf(loss);
  const fromLogits = config.fromLogits === true;
  const args: [string, Scanned][] = [
    ["yTrue", scanned(yTrue)],
    ["yPred", scanned(yPred)],
  ];
  if (sampleWeight) args.push(["sampleWeight", scanned(sampleWeight)]);
  const scratch = new Float64Array(2);

  // NaN / Infinity in the data.
  let dataNonFinite = "";
  for (const [name, s] of args) {
    const count = s.stats[1]!;
    if (count === 0) continue;
    const a = at(name, s, s.stats[0]!);
    const advice =
      name === "yPred"
        ? "NaN or infinite predictions: the model has already diverged (a learning rate too high, exploding gradients, an earlier NaN) or its input data holds NaN/Infinity; check the features and the previous steps"
        : name === "sampleWeight"
          ? "NaN or infinite sample weights: check how the weights were computed (a division by a zero class count?)"
          : "NaN or infinite values in the data: clean or impute the labels before training";
    findings.push({ cause: "nan-in-data", severity: "error", argument: name, ...pick(a), count, message: `${a.where} is ${formatNumber(a.value)} (${plural(count, "non-finite value")} in ${name}): ${advice}` });
    if (!dataNonFinite) dataNonFinite = name;
  }

  const [, trueScan] = args[0]!;
  const [, predScan] = args[1]!;
  const isNegativeValue = typeof value === "number" && value < 0;
  const negativeNote = isNegativeValue ? `; this call gives a negative loss (${formatNumber(value as number)}) without any error` : "";

  // Labels outside the loss's range.
  if (expect?.labels) {
    const title = expect.title;
    if (expect.labels === "classes") {
      const axis = typeof config.axis === "number" ? config.axis : -1;
      const classes = yPred.rank > 0 ? yPred.shape[(axis + yPred.rank) % yPred.rank]! : 0;
      const ignore = typeof config.ignoreClass === "number" ? config.ignoreClass : NaN;
      firstOutside(trueScan.values, 0, classes - 1, true, ignore, scratch);
      if (scratch[0]! >= 0) {
        const a = at("yTrue", trueScan, scratch[0]!);
        findings.push({
          cause: "labels-out-of-range",
          severity: "error",
          argument: "yTrue",
          ...pick(a),
          count: scratch[1]!,
          message: `${a.where} is ${formatNumber(a.value)}, not a class index in [0, ${classes - 1}] (${plural(scratch[1]!, "label")} out of range): labels outside the loss's range; ${title} takes integer class indices below the number of classes (yPred has ${classes} along axis ${axis})${Number.isNaN(ignore) ? "" : ` or ignoreClass ${ignore}`}`,
        });
      }
    } else {
      const [lo, hi, range] = expect.labels === "unit" ? [0, 1, "[0, 1]"] : expect.labels === "signed-unit" ? [-1, 1, "{-1, 1} (or {0, 1})"] : [0, Infinity, "[0, ∞) (counts)"];
      firstOutside(trueScan.values, lo, hi, false, NaN, scratch);
      if (scratch[0]! >= 0) {
        const a = at("yTrue", trueScan, scratch[0]!);
        const min = trueScan.stats[2]!, max = trueScan.stats[4]!;
        let hint = "";
        if (expect.labels === "unit" && min >= -1 && max <= 1 && min < 0) hint = "; labels in {-1, 1} need (y + 1) / 2";
        else if (expect.labels === "unit" && max > 1 && max <= 255 && min >= 0) hint = "; labels 0..255 (pixel values) need y / 255";
        else if (expect.labels === "unit" && max > 1 && expect.predictions === "probabilities-unless-logits" && title.startsWith("categorical")) hint = "; class indices need SparseCategoricalCrossentropy (or one-hot rows)";
        findings.push({
          cause: "labels-out-of-range",
          severity: "error",
          argument: "yTrue",
          ...pick(a),
          count: scratch[1]!,
          message: `${a.where} is ${formatNumber(a.value)}, outside ${range} (${plural(scratch[1]!, "label")} out of range; labels span [${formatNumber(min)}, ${formatNumber(max)}]): labels outside the loss's range; ${title} expects labels in ${range}${hint}${negativeNote}`,
        });
      }
    }
  }

  // Probabilities outside [0, 1] (logits passed as probabilities), or probability rows passed as logits.
  if (expect?.predictions) {
    const readsProbabilities = expect.predictions === "probabilities" || (expect.predictions === "probabilities-unless-logits" && !fromLogits);
    if (readsProbabilities) {
      firstOutside(predScan.values, 0, 1, false, NaN, scratch);
      if (scratch[0]! >= 0) {
        const a = at("yPred", predScan, scratch[0]!);
        const fix = expect.predictions === "probabilities" ? "apply a softmax (or sigmoid) to the model's outputs first" : "pass fromLogits: true, or apply a sigmoid/softmax to the model's outputs first";
        findings.push({
          cause: "probabilities-out-of-range",
          severity: "error",
          argument: "yPred",
          ...pick(a),
          count: scratch[1]!,
          message: `${a.where} is ${formatNumber(a.value)}, outside [0, 1] (${plural(scratch[1]!, "value")}), but ${expect.title} reads yPred as probabilities${expect.predictions === "probabilities-unless-logits" ? " (fromLogits: false)" : ""}: logits passed as probabilities? They are clipped to [1e-7, 1 - 1e-7], where the gradient is 0; ${fix}`,
        });
      }
    } else if (expect.predictions === "non-negative") {
      firstOutside(predScan.values, 0, Infinity, false, NaN, scratch);
      if (scratch[0]! >= 0) {
        const a = at("yPred", predScan, scratch[0]!);
        findings.push({
          cause: "predictions-out-of-range",
          severity: "error",
          argument: "yPred",
          ...pick(a),
          count: scratch[1]!,
          message: `${a.where} is ${formatNumber(a.value)}, below 0 (${plural(scratch[1]!, "value")}), but ${expect.title} reads yPred as a rate (>= 0): log of a negative rate is NaN; apply an exp or softplus to the model's outputs first`,
        });
      }
    } else if (fromLogits && expect.categorical && yPred.rank > 0 && predScan.stats[1] === 0 && predScan.values.length > 0) {
      const axis = typeof config.axis === "number" ? config.axis : -1;
      if ((axis === -1 || axis === yPred.rank - 1) && rowsAreDistributions(predScan.values, yPred.shape[yPred.rank - 1]!)) {
        findings.push({
          cause: "probabilities-as-logits",
          severity: "warning",
          argument: "yPred",
          message: `every row of yPred is in [0, 1] and sums to 1, but ${expect.title} has fromLogits: true: probabilities passed as logits? Pass the scores before the softmax, or use fromLogits: false`,
        });
      }
    }
  }

  // Negative sample weights.
  if (sampleWeight) {
    const s = args[2]![1];
    firstOutside(s.values, 0, Infinity, false, NaN, scratch);
    if (scratch[0]! >= 0) {
      const a = at("sampleWeight", s, scratch[0]!);
      findings.push({
        cause: "negative-sample-weight",
        severity: "error",
        argument: "sampleWeight",
        ...pick(a),
        count: scratch[1]!,
        message: `${a.where} is ${formatNumber(a.value)} (${plural(scratch[1]!, "negative weight")}): a negative sample weight makes the optimizer increase that sample's loss; weights must be >= 0`,
      });
    }
  }

  // Unscaled inputs.
  for (const [name, s] of args.slice(0, 2)) {
    if (name === "yTrue" && expect?.labels === "classes") continue;
    if (s.stats[6]! > unscaled) {
      const a = at(name, s, s.stats[7]!);
      findings.push({
        cause: "unscaled-inputs",
        severity: "warning",
        argument: name,
        ...pick(a),
        message: `${a.where} is ${formatNumber(a.value)} (|x| > ${formatNumber(unscaled)}): unscaled inputs; normalize ${name === "yTrue" ? "the targets" : "the features (or the model's outputs)"} (e.g. to zero mean and unit variance), or losses and gradients become huge and training diverges`,
      });
    }
  }

  if (callError) {
    findings.push({ cause: "loss-error", severity: "error", argument: "loss", message: `${loss.name} refused the inputs: ${callError.message}` });
  }

  // The result and the gradient.
  const domain = [...new Set(findings.filter((f) => f.severity === "error" && f.cause !== "nan-in-data").map((f) => f.argument))];
  const explained = dataNonFinite ? `, from the NaN/Infinity in ${dataNonFinite} above` : domain.length ? `, from the ${domain.join(" and ")} values named above` : "";
  for (const [name, out] of [
    ["result", value],
    ["grad", grad],
  ] as const) {
    if (out === undefined) continue;
    let index = -1, count = 0, bad = NaN, position: number[] = [];
    if (typeof out === "number") {
      if (!Number.isFinite(out)) {
        index = 0;
        count = 1;
        bad = out;
      }
    } else {
      const s = scanned(out);
      if (s.stats[1]! > 0) {
        index = s.stats[0]!;
        count = s.stats[1]!;
        bad = s.values[index]!;
        position = positionOf(index, out.shape);
      }
    }
    if (index < 0) continue;
    const where = typeof out === "number" ? `the ${name}` : `${formatPosition(name, position)}`;
    const message = explained
      ? `${where} is ${formatNumber(bad)}${count > 1 ? ` (${plural(count, "non-finite value")})` : ""}${explained}`
      : `${where} is ${formatNumber(bad)}${count > 1 ? ` (${plural(count, "non-finite value")})` : ""} although every input is finite: a log(0), 0/0 or overflow inside the loss (probabilities of exactly 0 or 1 in a custom loss, huge logits); clip, use fromLogits: true, or scale the inputs`;
    findings.push({
      cause: dataNonFinite ? "nan-in-data" : "non-finite-result",
      severity: "error",
      argument: name,
      ...(typeof out === "number" ? { value: bad } : { index, position, value: bad }),
      count,
      message,
    });
  }
  return findings;
}

function pick(a: { index: number; position: number[]; value: number }): { index: number; position: number[]; value: number } {
  return { index: a.index, position: a.position, value: a.value };
}

/** Every row (of length `length`) in [0, 1] and summing to 1 within 1e-3. */
function rowsAreDistributions(values: FloatArray, length: number): boolean {
  if (length < 2) return false;
  for (let base = 0; base < values.length; base += length) {
    let s = 0;
    for (let k = 0; k < length; k++) {
      const v = values[base + k]!;
      if (v < 0 || v > 1) return false;
      s += v;
    }
    if (Math.abs(s - 1) > 1e-3) return false;
  }
  return true;
}

export function collectorFindings(collector: LossCollector, dominanceRatio: number): NumericsFinding[] {
  if (typeof dominanceRatio !== "number" || !(dominanceRatio > 0)) throw new ConfigError(`dominanceRatio must be a number > 0, received ${describeValue(dominanceRatio)}`);
  const last = collector.last;
  if (!last) return [];
  const findings: NumericsFinding[] = [];
  let sum = 0;
  let largest: [string, number] | undefined;
  for (const [name, v] of Object.entries(last.penalties)) {
    if (!Number.isFinite(v)) {
      findings.push({
        cause: "non-finite-penalty",
        severity: "error",
        argument: `penalty ${name}`,
        value: v,
        message: `penalty "${name}" is ${formatNumber(v)}: very large regularizers (or weights that have exploded) make the loss NaN; lower its factor or the learning rate`,
      });
      continue;
    }
    sum += v;
    if (!largest || Math.abs(v) > Math.abs(largest[1])) largest = [name, v];
  }
  if (!Number.isFinite(last.loss)) {
    findings.push({ cause: "non-finite-result", severity: "error", argument: "loss", value: last.loss, message: `the main loss is ${formatNumber(last.loss)}; diagnose(loss, yTrue, yPred) on that step's inputs says why` });
  } else if (largest && sum > dominanceRatio * Math.abs(last.loss)) {
    const share = last.total !== 0 ? Math.round((sum / last.total) * 100) : 100;
    findings.push({
      cause: "regularizer-dominates",
      severity: "warning",
      argument: `penalty ${largest[0]}`,
      value: largest[1],
      message: `penalties sum to ${formatNumber(sum)}, ${share}% of the total ${formatNumber(last.total)} (the data loss is ${formatNumber(last.loss)}), "${largest[0]}" the largest at ${formatNumber(largest[1])}: a regularizer dominating the total, so training mostly shrinks the weights; lower its factor`,
    });
  }
  return findings;
}
