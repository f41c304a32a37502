/**
 * Contrastive loss of pairs (`tfa.losses.ContrastiveLoss`): yPred holds distances between
 * the two embeddings of each pair, yTrue says whether the pair is similar.
 */
import { LossFunctionWrapper, withDefaultName, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import type { KernelResult, Upstream } from "../kernel";
import { rowsOf } from "../tensor/rows";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { expandDims } from "../tensor/views";
import { checkNumber, defineLossFunction, type KernelOptions } from "./define";
import { LAYOUT_HEADER, alignPair, packRows } from "./layout";

const NAME = "contrastive_loss";

/** Options of {@link contrastiveLoss} and {@link ContrastiveLoss}. */
export interface ContrastiveLossConfig {
  /** Distance below which dissimilar pairs are penalized. Default `1`. */
  margin: number;
}

export interface ContrastiveLossOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R>, Partial<ContrastiveLossConfig> {}

function contrastiveKernel(yTrue: Tensor, yPred: Tensor, o: KernelOptions<ContrastiveLossConfig>, upstream?: Upstream): KernelResult {
  const aligned = alignPair(yTrue, yPred);
  const shape = aligned.shape;
  // Elementwise: the values have the aligned shape. Rows along the last axis (a scalar pair is one row of one).
  const asRows = (x: Tensor) => rowsOf(shape.length === 0 ? expandDims(x, 0) : x, -1);
  const t = asRows(aligned.yTrue), p = asRows(aligned.yPred);
  const u = upstream ? upstream(shape) : null;
  let grad: Tensor | undefined;
  let g = null;
  if (u) {
    grad = new Tensor(allocate(o.dtype, yPred.size), yPred.shape);
    g = asRows(aligned.alignLikePred(grad));
  }
  const out = allocate(o.dtype, p.rows * p.length);
  const margin = o.dtype === "float32" ? Math.fround(o.margin) : o.margin;
  contrastiveRows(out, g ? g.data : null, u, t.data, p.data, packRows(o.dtype === "float32", t, p, g), margin);
  return { values: new Tensor(out, shape), grad };
}

/**
 * `y d² + (1 - y) max(m - d, 0)²` per element (written to `out` in C order), and its
 * derivative `2 y d - 2 (1 - y) max(m - d, 0)` times the upstream of that element. The
 * layout comes from `packRows` (loops take only typed arrays and numbers, see ./README.md).
 */
function contrastiveRows(out: FloatArray, gd: FloatArray | null, u: FloatArray | null, td: FloatArray, pd: FloatArray, layout: Int32Array, margin: number): void {
  margin = +margin;
  const n = layout[0]!, ts = layout[1]!, ps = layout[2]!, gs = layout[3]!;
  const rows = (layout.length - LAYOUT_HEADER) / 3;
  const T = LAYOUT_HEADER, P = T + rows, G = P + rows;
  let i = 0;
  for (let r = 0; r < rows; r++) {
    let to = layout[T + r]!, po = layout[P + r]!, go = layout[G + r]!;
    for (let k = 0; k < n; k++, to += ts, po += ps, go += gs, i++) {
      const y = td[to]!, d = pd[po]!;
      // max(m - d, 0) as 0.5 (x + |x|): no data-dependent branch; NaN stays NaN.
      const x = margin - d, hinge = 0.5 * (x + Math.abs(x));
      out[i] = y * d * d + (1 - y) * hinge * hinge;
      if (gd) gd[go] += u![i]! * 2 * (y * d - (1 - y) * hinge);
    }
  }
}

/**
 * Contrastive loss of pairs, elementwise, as TensorFlow Addons computes it.
 *
 * `loss = yTrue · yPred² + (1 - yTrue) · max(margin - yPred, 0)²`
 *
 * `yPred` holds the distances between the two embeddings of each pair (e.g. the Euclidean
 * norm of their difference) and `yTrue` is 1 for a similar pair and 0 for a dissimilar one:
 * similar pairs are pulled together, dissimilar ones pushed at least `margin` apart. Nothing
 * is reduced: a `[4, 2]` input gives `[4, 2]` values (TFA's function is elementwise too).
 *
 * Gradient: `2 yTrue yPred - 2 (1 - yTrue) max(margin - yPred, 0)`.
 *
 * Options: `margin` (default `1`).
 *
 * Shapes: `yTrue` and `yPred` any equal (Keras-alignable, broadcastable) shapes, typically
 * `[batch]`; result: that shape. (Keras's rank alignment comes first: TFA only broadcasts, so
 * there a `[B]` against `[B, 1]` pair would become `[B, B]`.)
 *
 * Reference: R. Hadsell, S. Chopra and Y. LeCun, "Dimensionality Reduction by Learning an
 * Invariant Mapping", CVPR 2006; TensorFlow Addons `tfa.losses.contrastive_loss`.
 *
 * @example
 * contrastiveLoss([0, 0, 1, 1, 0, 1], [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]).toArray() // [0.81, 0.49, 1.69, 0.49, 0, 0.25]
 */
export const contrastiveLoss = /*#__PURE__*/ defineLossFunction<ContrastiveLossConfig>({
  name: NAME,
  defaults: { margin: 1 },
  validate(o) {
    checkNumber(NAME, "margin", o.margin);
  },
  kernel: contrastiveKernel,
});

/**
 * Computes the contrastive loss between `yTrue` (1 for similar pairs, 0 for dissimilar ones)
 * and `yPred` (distances between the embeddings of each pair), `tfa.losses.ContrastiveLoss`:
 * `y d² + (1 - y) max(margin - d, 0)²`, elementwise; see {@link contrastiveLoss}.
 *
 * Options: `margin` (default `1`), `reduction` (default `"sum_over_batch_size"`), `name`
 * (default `"contrastive_loss"`), `dtype`.
 *
 * Reference: Hadsell, Chopra and LeCun, CVPR 2006, http://yann.lecun.com/exdb/publis/pdf/hadsell-chopra-lecun-06.pdf
 *
 * @example
 * new ContrastiveLoss()([0, 0, 1, 1, 0, 1], [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]) // 0.6216666 (TFA's docstring prints 0.621666)
 */
export class ContrastiveLoss<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: ContrastiveLossOptions<R> = {}) {
    super(contrastiveLoss, withDefaultName(options, NAME));
  }
}
