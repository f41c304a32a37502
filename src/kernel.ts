/**
 * The kernel contract: what every loss computes, built-in or custom.
 *
 * A kernel is one function `(yTrue, yPred, options, upstream?) => KernelResult`. Without an
 * upstream it computes the per-sample values (the value-only fast path); with one it also
 * computes the gradient in the same pass. Everything else — the function handle, its
 * `vjp`, a class's `grad` and `valueAndGrad`, weighting, masking and reduction — is derived
 * from it in one place (`defineLossFunction`, `Loss`).
 *
 * How to write a fast kernel: src/losses/README.md.
 */
import { ShapeError, formatShape } from "./errors";
import { sameShape } from "./math/constants";
import type { DType, FloatArray, Tensor } from "./tensor/tensor";

/** Options every built-in kernel receives: the loss's validated options plus the output dtype. */
export type KernelOptions<O> = O & { readonly dtype: DType };

/**
 * What a loss adds to the caller's weighting: its own mask (positions that do not count, e.g. `ignoreClass`,
 * combined with the caller's mask with `&`, as Keras's `_keras_mask`), and its own
 * per-sample weights (multiplied into the caller's `sampleWeight`; with the
 * `"mean_with_sample_weight"` reduction the mean then divides by their sum, as PyTorch's
 * `NLLLoss(weight=…)` does).
 */
export interface OwnWeighting {
  mask?: Tensor;
  weights?: Tensor;
}

/**
 * The upstream of a backward pass: `d result / d values`, C-order contiguous over the
 * per-sample shape. A kernel calls it once, as soon as it knows the shape of its values
 * and its own weighting, and uses it in the same pass that computes the values. (The
 * weighting usually follows from shapes and labels alone, so the upstream is known before
 * the pass; where it depends on the values — Circle masks the samples whose loss is 0 — the
 * kernel asks after computing them.)
 */
export type Upstream = ((valuesShape: readonly number[], own?: OwnWeighting) => FloatArray) & {
  /**
   * A caller-owned buffer for the gradient (`valueAndGrad(…, { out })`), of yPred's size and
   * the loss's dtype. Kernels get their gradient buffer from `gradientBuffer` (losses/layout.ts),
   * which hands this out zeroed, or a new array.
   */
  readonly out?: FloatArray;
  /**
   * Present only when the caller gave no sample weights and no mask and reduces the values
   * to a number: the upstream is then one number for every value (the reduction's scale),
   * which this returns instead of an array of copies. A kernel without weighting of its own
   * may call it in place of the upstream (once, as it would call the upstream), and may then
   * return `total` instead of the values.
   */
  readonly uniform?: (valuesShape: readonly number[]) => number;
};

/**
 * `Σ values` of a call without its values: what a reducing call without sample weights or a
 * mask needs. `shape` is the shape the values would have; `sum` must equal `plainSum` of
 * them (src/reduction/reduce.ts) to the last bit, float32 values rounded first. `undefined`
 * when the kernel has no such path for these inputs.
 */
export type KernelTotal<O> = (yTrue: Tensor, yPred: Tensor, options: KernelOptions<O>) => { sum: number; shape: number[] } | undefined;

/** What a kernel returns. */
export interface KernelResult extends OwnWeighting {
  /** Per-sample values (no weighting, no reduction). */
  values: Tensor;
  /** `d(Σ upstream ⊙ values) / d yPred`, shaped like `yPred`: present exactly when an upstream was given. */
  grad?: Tensor;
  /**
   * `Σ values` in the reductions' order (see {@link KernelTotal}), only after the kernel called
   * `upstream.uniform`; `values` may then be a shape-only tensor (`SHAPE_ONLY` data).
   */
  total?: number;
}

/** A loss kernel (see the module comment). */
export type Kernel<O> = (yTrue: Tensor, yPred: Tensor, options: KernelOptions<O>, upstream?: Upstream) => KernelResult;

/** An `Upstream` that hands out a given tensor, after checking it has the per-sample shape. */
export function fixedUpstream(upstream: Tensor): Upstream {
  return (valuesShape) => {
    if (!sameShape(upstream.shape, valuesShape)) {
      throw new ShapeError(`upstream has shape ${formatShape(upstream.shape)}, expected the per-sample shape ${formatShape(valuesShape)}`);
    }
    return upstream.isContiguous && upstream.offset === 0 ? upstream.data : upstream.toTypedArray();
  };
}

