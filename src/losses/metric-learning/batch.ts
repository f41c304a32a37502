/**
 * What TensorFlow Addons' batch losses (triplet, lifted, npairs) share as classes: they
 * compute one value per batch, and TFA builds them with `reduction=NONE` whatever the
 * caller passes (`reduction` lands in `**kwargs` and is dropped).
 */
import { ConfigError } from "../../errors";
import { withDefaultName, type LossConfig, type LossFunctionWrapperOptions } from "../../loss";
import type { ReductionOption } from "../../reduction/reduce";
import type { DType } from "../../tensor/tensor";
import { markBuiltinOptions } from "../../names";

/**
 * Options every TFA batch-loss class takes: `name`, `dtype`, and `reduction`, which is
 * accepted and ignored as in TFA (the loss is one value per batch).
 */
export interface BatchLossOptions {
  /** Defaults to TFA's function name (`"triplet_semihard_loss"`, …). */
  name?: string;
  /** Element type of returned tensors and of the computation's inputs (`"float32"` default). */
  dtype?: DType;
  /**
   * Ignored, as TensorFlow Addons ignores it: the call always returns the batch's one
   * value (a `sampleWeight` scales it by its mean; see the class).
   */
  reduction?: ReductionOption;
}

/**
 * The wrapper options of a batch loss: its default name, and the reduction fixed to
 * `"sum_over_batch_size"`, which is the identity on the one value (so the call returns a
 * number) and turns a per-sample `sampleWeight` into a factor `mean(sampleWeight)`: the
 * mean of TFA's `value * sample_weight` vector, which is what Keras reports for it.
 */
export function batchLossOptions(options: BatchLossOptions | undefined, defaultName: string): LossFunctionWrapperOptions<"sum_over_batch_size"> {
  const { reduction: _ignored, ...rest } = withDefaultName(options, defaultName);
  return markBuiltinOptions({ ...rest, reduction: "sum_over_batch_size" }); // a built-in class: it keeps its name when minified
}

/**
 * The JSON-safe config of a batch loss: no `reduction` (it is not an option), and a
 * `ConfigError` for a function `distanceMetric`, which no JSON can hold.
 */
export function batchLossConfig(className: string, config: LossConfig): LossConfig {
  const { reduction: _fixed, ...rest } = config;
  if (typeof rest.distanceMetric === "function") {
    throw new ConfigError(
      `cannot serialize ${className} "${String(rest.name)}": its distanceMetric is a function; a config holds only "L2", "squared-L2" or "angular" (rebuild the loss with the function instead)`,
    );
  }
  return rest;
}

/** `toString()` of a batch loss, which works with a function `distanceMetric` too. */
export function describeBatchLoss(className: string, config: LossConfig): string {
  const { reduction: _fixed, ...rest } = config;
  const shown = typeof rest.distanceMetric === "function" ? { ...rest, distanceMetric: `[function ${(rest.distanceMetric as { name?: string }).name || "anonymous"}]` } : rest;
  return `${className}(${JSON.stringify(shown)})`;
}
