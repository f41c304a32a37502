import { Tensor } from "../tensor/tensor";
import { expandDims, squeeze } from "../tensor/views";
import { checkTensor } from "../options";

/**
 * Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by exactly one and the
 * longer one ends in a dimension of size 1, squeeze it away, or (when the shorter one is
 * rank 1 and `expandRank1`) give the shorter one a trailing dimension of size 1.
 */
export function squeezeOrExpandToSameRank(x1: Tensor, x2: Tensor, expandRank1 = true): [Tensor, Tensor] {
  checkTensor(x1, "squeezeOrExpandToSameRank: x1");
  checkTensor(x2, "squeezeOrExpandToSameRank: x2");
  const r1 = x1.rank;
  const r2 = x2.rank;
  if (r1 === r2) return [x1, x2];
  if (r1 === r2 + 1 && x1.shape[r1 - 1] === 1) {
    if (r2 === 1 && expandRank1) x2 = expandDims(x2, -1);
    else x1 = squeeze(x1, -1);
  }
  if (r2 === r1 + 1 && x2.shape[r2 - 1] === 1) {
    if (r1 === 1 && expandRank1) x1 = expandDims(x1, -1);
    else x2 = squeeze(x2, -1);
  }
  return [x1, x2];
}
