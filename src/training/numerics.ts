/**
 * Why is my loss NaN? `diagnose(loss, yTrue, yPred, sampleWeight?)` reports NaN/Infinity
 * in the inputs, result or gradient, and the causes the Keras guides name (NaN in the
 * data, logits passed as probabilities, labels outside the loss's range, negative sample
 * weights, unscaled inputs, a dominating or exploding regularizer), each with the argument,
 * the first offending index and its value. `checkNumerics` (a Loss option, or
 * `setCheckNumerics(true)` for every loss) runs the same checks after every call and
 * throws a `NumericsError`.
 *
 * This module must not import src/loss.ts, not even its types (`npm run check:cycles`):
 * src/loss.ts imports it for `checkNumerics`. Losses are read structurally (`DiagnosableLoss`).
 *
 * @module
 */
import { GradientNotImplementedError, LossError, describeValue, ConfigError } from "../errors";
import { keepErrorName } from "../names";
import { checkOptionsObject } from "../options";
import { toTensor, type TensorLike } from "../tensor/convert";
import type { Tensor } from "../tensor/tensor";
import { LossCollector } from "./collector";
import { collectorFindings, inspect, type LossLike, type NumericsFinding } from "./inspect";

/** A loss as `diagnose` uses it: every `Loss` is one (structural: src/loss.ts imports this module). */
export interface DiagnosableLoss extends LossLike {
  compute(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: { mask?: TensorLike | null }): number | Tensor;
  valueAndGrad(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: { mask?: TensorLike | null }): { value: number | Tensor; grad: Tensor };
}

export type { NumericsCause, NumericsFinding } from "./inspect";

// ---------------------------------------------------------------------------------------
// Report types

/** What {@link diagnose} returns. */
export interface NumericsReport {
  /** True when no finding is an error (warnings may remain). */
  ok: boolean;
  /** The loss's name. */
  loss: string;
  findings: NumericsFinding[];
  /** The loss's value for these inputs (absent if the loss threw). */
  value?: number | Tensor;
  /** Its gradient with respect to yPred (absent without a gradient or if the loss threw). */
  grad?: Tensor;
  /** One line per finding, or `"<loss>: no numerical problem found"`. */
  toString(): string;
}

/**
 * A `LossError` thrown by `checkNumerics`: the inputs, result or gradient of a loss call
 * hold NaN/Infinity, or one of {@link diagnose}'s error-level causes. `findings` holds the
 * details (argument, index, value, cause); the message starts with the first one.
 */
export class NumericsError extends LossError {
  readonly findings: readonly NumericsFinding[];

  constructor(message: string, findings: readonly NumericsFinding[] = []) {
    super(message);
    this.findings = findings;
  }
}
keepErrorName(NumericsError, "NumericsError"); // minifiers rename classes (src/names.ts)

// ---------------------------------------------------------------------------------------
// The global switch and the hook used by Loss

/** @internal The global `checkNumerics` switch, read by every Loss call. */
export const numericsSwitch = { enabled: false };

/**
 * Turn `checkNumerics` on (or off) for every loss that does not set its own
 * `checkNumerics` option. Off by default; when off a loss call pays one property read
 * and a branch (`bench/check-numerics-overhead.mjs`: within noise of a build without it).
 *
 * @example
 * setCheckNumerics(true);  // from here on, new MeanSquaredError()([[1]], [[Infinity]]) throws a NumericsError
 * new MeanSquaredError({ checkNumerics: false })([[1]], [[Infinity]]); // Infinity (a loss may opt out)
 * setCheckNumerics(false);
 */
export function setCheckNumerics(enabled: boolean): void {
  if (typeof enabled !== "boolean") throw new ConfigError(`setCheckNumerics needs true or false, received ${describeValue(enabled)}`);
  numericsSwitch.enabled = enabled;
}

/** Whether `setCheckNumerics(true)` is in effect. */
export function getCheckNumerics(): boolean {
  return numericsSwitch.enabled;
}

/** @internal Validate the `checkNumerics` Loss option. */
export function checkNumericsOption(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new ConfigError(`checkNumerics must be a boolean, received ${describeValue(value)}`);
  return value;
}

/**
 * @internal Called by `Loss.compute` / `Loss.valueAndGrad` when `checkNumerics` is on:
 * throws a {@link NumericsError} if the call's inputs, result or gradient have an
 * error-level finding.
 */
export function verifyLossCall(loss: LossLike, yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor | undefined, value: number | Tensor, grad?: Tensor): void {
  const findings = inspect({ loss, yTrue, yPred, sampleWeight, value, grad, options: {} });
  const errors = findings.filter((f) => f.severity === "error");
  if (errors.length === 0) return;
  const more = errors.length > 1 ? `\n  also: ${errors.slice(1).map((f) => f.message).join("\n  also: ")}` : "";
  throw new NumericsError(`${loss.name} (checkNumerics): ${errors[0]!.message}${more}`, findings);
}

// ---------------------------------------------------------------------------------------
// diagnose

/** Options of {@link diagnose}. */
export interface DiagnoseOptions {
  /** A mask for the call, as the loss's `{ mask }` call option. */
  mask?: TensorLike | null;
  /** A collector whose last `collect()` result is checked too (dominating or non-finite penalties). */
  collector?: LossCollector;
  /** `|x|` above this counts as unscaled. Default `1e4`. */
  unscaledThreshold?: number;
  /** A penalty total above this multiple of the data loss counts as dominating. Default `10`. */
  dominanceRatio?: number;
}

/**
 * Diagnose a loss call without throwing: runs `loss.valueAndGrad(yTrue, yPred,
 * sampleWeight)` (or the call alone when the loss has no gradient) and reports, in the
 * Keras guides' terms, what makes it NaN or wrong:
 *
 * - NaN or infinite values in `yTrue`, `yPred` or `sampleWeight` (NaN in the data, or a
 *   model that already diverged);
 * - `yPred` outside [0, 1] with `fromLogits: false` (logits passed as probabilities: Keras
 *   clips them and the gradient there is 0), or probability rows with `fromLogits: true`;
 * - labels outside the loss's range: binary/categorical crossentropy and KLD labels
 *   outside [0, 1] (labels in {-1, 1} or 0..255 give a negative loss, silently), class
 *   indices outside [0, C), hinge labels outside [-1, 1], negative Poisson counts;
 * - a negative sample weight;
 * - unscaled inputs: `|x| > 1e4` in `yTrue` or `yPred` (a warning);
 * - NaN/Infinity in the result or gradient although the inputs are finite (log(0), 0/0,
 *   overflow inside the loss);
 * - with `{ collector }` (or `diagnose(collector)`): a penalty term that is NaN/infinite
 *   (very large regularizers) or that dominates the total (a warning).
 *
 * Each finding names the argument, the first offending index (flat and as a position)
 * and its value. `report.ok` is false when any finding is an error. The loss runs with
 * `checkNumerics` off. Options: `mask`, `collector`, `unscaledThreshold` (`1e4`),
 * `dominanceRatio` (`10`).
 *
 * @example
 * const report = diagnose(new BinaryCrossentropy(), [[0], [1]], [[0.2], [3.5]]);
 * report.ok;                   // false
 * report.findings[0].cause;    // "probabilities-out-of-range"
 * report.findings[0].position; // [1, 0]
 */
export function diagnose(loss: DiagnosableLoss, yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null, options?: DiagnoseOptions): NumericsReport;
export function diagnose(collector: LossCollector, options?: Pick<DiagnoseOptions, "dominanceRatio">): NumericsReport;
export function diagnose(
  subject: DiagnosableLoss | LossCollector,
  yTrueOrOptions?: TensorLike | DiagnoseOptions,
  yPred?: TensorLike,
  sampleWeight?: TensorLike | null,
  options: DiagnoseOptions = {},
): NumericsReport {
  if (subject instanceof LossCollector) {
    const opts = (yTrueOrOptions ?? {}) as DiagnoseOptions;
    const findings = collectorFindings(subject, opts.dominanceRatio ?? 10);
    return makeReport("LossCollector", findings);
  }
  const candidate = subject as unknown as Partial<DiagnosableLoss> | null;
  if (candidate === null || (typeof candidate !== "function" && typeof candidate !== "object") || typeof candidate.compute !== "function") {
    throw new ConfigError(`diagnose needs a Loss instance (or a LossCollector), received ${describeValue(subject)}`);
  }
  const loss = subject;
  const { collector, unscaledThreshold, dominanceRatio, ...callOptions } = checkOptionsObject(options, "diagnose options") as DiagnoseOptions;
  const t = toTensor(yTrueOrOptions as TensorLike, { name: "yTrue", dtype: loss.dtype });
  const p = toTensor(yPred as TensorLike, { name: "yPred", dtype: loss.dtype });
  const sw = sampleWeight === undefined || sampleWeight === null ? undefined : toTensor(sampleWeight, { name: "sampleWeight", dtype: "float64" });
  // Run the loss with checkNumerics off (a view, as numericalGrad does for its dtype).
  const quiet = Object.create(loss, { checkNumerics: { value: false } }) as DiagnosableLoss;
  let value: number | Tensor | undefined;
  let grad: Tensor | undefined;
  let callError: LossError | undefined;
  try {
    const both = quiet.valueAndGrad(t, p, sw, callOptions);
    value = both.value;
    grad = both.grad;
  } catch (error) {
    if (error instanceof GradientNotImplementedError) {
      try {
        value = quiet.compute(t, p, sw, callOptions);
      } catch (inner) {
        if (!(inner instanceof LossError)) throw inner;
        callError = inner;
      }
    } else if (error instanceof LossError) callError = error;
    else throw error;
  }
  const findings = inspect({ loss, yTrue: t, yPred: p, sampleWeight: sw, value, grad, callError, options: { unscaledThreshold } });
  if (collector !== undefined) {
    if (!(collector instanceof LossCollector)) throw new ConfigError(`diagnose option collector must be a LossCollector, received ${describeValue(collector)}`);
    findings.push(...collectorFindings(collector, dominanceRatio ?? 10));
  }
  return makeReport(loss.name, findings, value, grad);
}

function makeReport(name: string, findings: NumericsFinding[], value?: number | Tensor, grad?: Tensor): NumericsReport {
  const report: NumericsReport = {
    ok: findings.every((f) => f.severity !== "error"),
    loss: name,
    findings,
    toString() {
      if (findings.length === 0) return `${name}: no numerical problem found`;
      return findings.map((f) => `${f.severity} ${f.argument}: ${f.message}`).join("\n");
    },
  };
  if (value !== undefined) report.value = value;
  if (grad !== undefined) report.grad = grad;
  return report;
}
