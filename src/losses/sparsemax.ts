/**
 * Sparsemax loss (`tfa.losses.SparsemaxLoss`): the loss of the sparsemax activation for
 * multi-label classification, from logits.
 */
import { ConfigError, ShapeError, describeValue, formatShape } from "../errors";
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { rowsOf } from "../tensor/rows";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { defineLossFunction, type KernelOptions } from "./define";
import { LAYOUT_HEADER, packRows } from "./layout";

const NAME = "sparsemax_loss";

/** Options of {@link sparsemaxLoss} and {@link SparsemaxLoss}. */
export interface SparsemaxLossConfig {
  /** Must be `true`: the loss needs the logits (TFA refuses anything else). Default `true`. */
  fromLogits: boolean;
}

export interface SparsemaxLossOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<SparsemaxLossConfig> {}

function sparsemaxKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<SparsemaxLossConfig>, upstream?: Upstream): KernelResult {
  if (yPred.rank !== 2) {
    throw new ShapeError(`${NAME}: yPred (logits) must have shape [batch, numClasses], received shape ${formatShape(yPred.shape)}`);
  }
  if (yTrue.rank !== 2 || yTrue.shape[0] !== yPred.shape[0] || yTrue.shape[1] !== yPred.shape[1]) {
    throw new ShapeError(`${NAME}: yTrue has shape ${formatShape(yTrue.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected the same shape [batch, numClasses]`);
  }
  const t = rowsOf(yTrue, -1), p = rowsOf(yPred, -1), n = p.length;
  const outShape = [p.rows];
  const u = upstream ? upstream(outShape) : null;
  const grad = u ? new Tensor(allocate(o.dtype, yPred.size), yPred.shape) : undefined;
  const out = allocate(o.dtype, p.rows);
  // Per-call scratch of one row (not per element): the sorted logits and the sparsemax probabilities.
  sparsemaxRows(out, grad ? grad.data : null, u, t.data, p.data, packRows(o.dtype === "float32", t, p), new Float64Array(n), new Float64Array(n));
  return { values: new Tensor(out, outShape), grad };
}

/**
 * Per row, TFA's `_compute_2d_sparsemax` and `sparsemax_loss`:
 *
 * ```
 * z_(1) >= … >= z_(n) sorted, S_k = Σ_{i<=k} z_(i),  k(z) = #{k : 1 + k z_(k) > S_k}
 * τ = (S_{k(z)} - 1) / k(z),   p = max(z - τ, 0)      (all NaN when k(z) = 0 or S_n is NaN)
 * loss = Σ_{p_j > 0 or NaN} p_j (z_j - p_j / 2) + Σ_j q_j (q_j / 2 - z_j)   (the second term 0 where q_j = 0 and z_j = ±∞)
 * ```
 * and the gradient `p - q` per row. `gd` is contiguous `[rows, n]`; the layout comes from
 * `packRows` (loops take only typed arrays and numbers, see ./README.md).
 */
function sparsemaxRows(
  out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, sorted: Float64Array, prob: Float64Array,
): void {
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!;
  const rows = out.length;
  const T = LAYOUT_HEADER, P = T + rows;
  for (let r = 0; r < rows; r++) {
    let po = layout[P + r]!;
    for (let j = 0; j < n; j++, po += ps) sorted[j] = pd[po]!;
    sorted.sort(); // ascending, NaN last; walked from the end for the descending order
    // prob[] holds the running sums S_k until it receives the probabilities.
    let cumsum = 0, support = 0;
    for (let k = 1; k <= n; k++) {
      cumsum += sorted[n - k]!;
      prob[k - 1] = cumsum;
      // TFA counts every k that passes (for finite logits they form a prefix).
      if (1 + k * sorted[n - k]! > cumsum) support++;
    }
    const supportSum = support > 0 ? prob[support - 1]! : 0;
    const invalid = support === 0 || cumsum !== cumsum;
    const tau = invalid ? NaN : (supportSum - 1) / support;
    po = layout[P + r]!;
    let to = layout[T + r]!, loss = 0;
    for (let j = 0; j < n; j++, po += ps, to += ts) {
      const z = pd[po]!, q = td[to]!;
      const x = z - tau;
      const pj = invalid ? NaN : x > 0 ? x : 0;
      prob[j] = pj;
      // Σ over the support (NaN counts, as TFA's `where(p > 0 or isnan(p))`)
      if (pj > 0 || pj !== pj) loss += pj * (z - 0.5 * pj);
      // TFA drops q (q/2 - z) where q = 0 and z = ±∞ (0 · ∞ would be NaN)
      if (!(q === 0 && (z === Infinity || z === -Infinity))) loss += q * (0.5 * q - z);
    }
    out[r] = loss;
    if (gd) {
      const scale = u![r]!, g = r * n;
      to = layout[T + r]!;
      for (let j = 0; j < n; j++, to += ts) gd[g + j] = scale * (prob[j]! - td[to]!);
    }
  }
}

/**
 * Sparsemax loss from logits (TensorFlow Addons' `sparsemax_loss_from_logits`): the
 * multi-label classification loss of the sparsemax activation, one value per row.
 *
 * ```
 * p    = sparsemax(z)  = max(z - τ(z), 0), τ(z) such that Σ p = 1
 * loss = Σ_{j ∈ S(z)} p_j (z_j - p_j / 2) + Σ_j q_j (q_j / 2 - z_j)
 *      = ½ Σ_{j ∈ S(z)} (z_j² - τ²) + ½ ‖q‖² - qᵀz                  (S(z) the support of p)
 * ```
 * with `z = yPred` (logits) and `q = yTrue` (labels, e.g. one-hot or a distribution). The
 * loss is 0 when `z_k >= 1 + max_{j≠k} z_j` for the one-hot class `k`, never negative for
 * distributions `q`, and unchanged by adding a constant to a row of logits.
 *
 * Non-finite logits follow TFA: `-∞` logits simply leave the support (a `q_j = 0` entry
 * adds nothing, a `q_j > 0` one makes the loss `+∞`); a row with a `+∞` logit, with NaN,
 * or with only `-∞` has no valid `τ`: its sparsemax is all NaN, and so are its loss and
 * its gradient.
 *
 * Gradient: `d loss / d z = sparsemax(z) - q` per row (Martins & Astudillo, Proposition 2).
 *
 * TFA's three-argument `sparsemax_loss(logits, sparsemax, labels)` is this function as
 * `sparsemaxLoss(labels, logits)` (the sparsemax is computed inside).
 *
 * Options: `fromLogits` (must be `true`; the default).
 *
 * Shapes: `yTrue` and `yPred` `[batch, numClasses]`; result `[batch]`.
 *
 * Reference: A. F. T. Martins and R. F. Astudillo, "From Softmax to Sparsemax: A Sparse
 * Model of Attention and Multi-Label Classification", ICML 2016, https://arxiv.org/abs/1602.02068
 *
 * @example
 * sparsemaxLoss([[0, 0, 1], [0, 0, 1]], [[0, -Infinity, 0], [-1, 0, 1]]).toArray() // [0.25, 0]
 */
export const sparsemaxLoss = /*#__PURE__*/ defineLossFunction<SparsemaxLossConfig>({
  name: NAME,
  defaults: { fromLogits: true },
  validate(o) {
    if (o.fromLogits !== true) throw new ConfigError(`${NAME}: fromLogits must be true (the sparsemax loss needs the logits), received ${describeValue(o.fromLogits)}`);
  },
  kernel: sparsemaxKernel,
});

/**
 * Sparsemax loss function (`tfa.losses.SparsemaxLoss`): the generalized multi-label
 * classification loss of the sparsemax activation, computed from logits; see
 * {@link sparsemaxLoss} for the formula and the handling of non-finite logits.
 *
 * Options: `fromLogits` (must be `true`, the default; anything else is a `ConfigError`, as
 * TFA's `ValueError`), `reduction` (default `"sum_over_batch_size"`), `name` (default
 * `"sparsemax_loss"`), `dtype`.
 *
 * Reference: Martins & Astudillo, ICML 2016, https://arxiv.org/abs/1602.02068
 *
 * @example
 * new SparsemaxLoss()([[0, 0, 1], [0, 0, 1]], [[0, -Infinity, 0], [-1, 0, 1]]) // 0.125
 */
export class SparsemaxLoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: SparsemaxLossOptions<R> = {}) {
    super(sparsemaxLoss, withDefaultName(options, NAME));
  }
}
