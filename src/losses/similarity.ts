/**
 * Similarity (metric learning) losses: Circle.
 */
import { LossFunctionWrapper, withDefaultName, type LossConfig, type LossOptions } from "../loss";
import type { ReductionOption } from "../reduction/reduce";
import { ConfigError, InputError, ShapeError, formatShape } from "../errors";
import { toTensor, type TensorLike } from "../tensor/convert";
import { Tensor, allocate, type FloatArray } from "../tensor/tensor";
import { checkBoolean, checkNumber, defineLossFunction, type KernelOptions } from "./define";
import type { KernelResult, Upstream } from "../kernel";
import { checkSize } from "../tensor/limits";
import { gradientBuffer } from "./layout";
import {
  P_DELTA_NEG, P_DELTA_POS, P_F32, P_GAMMA, P_OPTIM_NEG, P_OPTIM_POS, P_REMOVE_DIAGONAL, STATS, TILE,
  gemmNT, packPadded, rowExact, rowsLoss, rowsLse, rowsOuter, tileGrad, tileStats, transposeInto, unpad,
} from "./circle-kernels";

/** Options of the {@link circle} function. */
export interface CircleConfig {
  /** Labels of the reference embeddings; default: yTrue. */
  refLabels: TensorLike | null;
  /** Reference embeddings `[numRef, dim]`; default: yPred itself. */
  refEmbeddings: TensorLike | null;
  removeDiagonal: boolean;
  gamma: number;
  margin: number;
}

/** Integer labels of shape `[n]` or `[n, 1]`, read into doubles (Keras casts them to int32). */
function readLabels(labels: Tensor, n: number, name: string, against: string, againstShape: readonly number[]): Float64Array {
  const ok = (labels.rank === 1 && labels.shape[0] === n) || (labels.rank === 2 && labels.shape[0] === n && labels.shape[1] === 1);
  if (!ok) {
    throw new ShapeError(`${name} has shape ${formatShape(labels.shape)} but ${against} has shape ${formatShape(againstShape)}; expected integer labels of shape [${n}] or [${n},1]`);
  }
  const out = new Float64Array(n);
  const stride = labels.strides[0]!;
  for (let i = 0; i < n; i++) {
    const v = labels.data[labels.offset + i * stride]!;
    if (!Number.isInteger(v)) throw new InputError(`${name} must hold integer labels, received ${v} at index ${i}`);
    out[i] = v;
  }
  return out;
}

/** The inputs of one Circle evaluation, checked and laid out. */
interface CircleInputs {
  batch: number;
  numRef: number;
  dim: number;
  labels: Float64Array;
  refLabels: Float64Array;
  /** Query embeddings (yPred): element (i, k) at `q[qo + i * qs0 + k * qs1]`. */
  q: FloatArray;
  qo: number;
  qs0: number;
  qs1: number;
  /** Reference embeddings: yPred itself unless `refEmbeddings` was given. */
  r: FloatArray;
  ro: number;
  rs0: number;
  rs1: number;
  /** The reference embeddings are yPred, so the gradient flows through both sides of the similarity. */
  self: boolean;
}

function circleInputs(yTrue: Tensor, yPred: Tensor, options: KernelOptions<CircleConfig>): CircleInputs {
  if (yPred.rank !== 2) throw new ShapeError(`yPred must hold embeddings of shape [batch, dim], received shape ${formatShape(yPred.shape)}`);
  const [batch, dim] = yPred.shape as [number, number];
  const labels = readLabels(yTrue, batch, "yTrue", "yPred", yPred.shape);
  let ref = yPred;
  const self = options.refEmbeddings === null || options.refEmbeddings === undefined;
  if (!self) {
    ref = toTensor(options.refEmbeddings as TensorLike, { name: "refEmbeddings", dtype: yPred.dtype });
    if (ref.rank !== 2 || ref.shape[1] !== dim) {
      throw new ShapeError(`refEmbeddings has shape ${formatShape(ref.shape)} but yPred has shape ${formatShape(yPred.shape)}; expected [numRef, ${dim}]`);
    }
  }
  const numRef = ref.shape[0]!;
  let refLabels = labels;
  if (options.refLabels !== null && options.refLabels !== undefined) {
    const given = toTensor(options.refLabels, { name: "refLabels", dtype: "float64" });
    refLabels = readLabels(given, numRef, "refLabels", self ? "yPred" : "refEmbeddings", ref.shape);
  } else if (numRef !== batch) {
    throw new ShapeError(`refEmbeddings has shape ${formatShape(ref.shape)} but refLabels defaults to yTrue, which has ${batch} labels; pass refLabels`);
  }
  return {
    batch, numRef, dim, labels, refLabels,
    q: yPred.data, qo: yPred.offset, qs0: yPred.strides[0]!, qs1: yPred.strides[1]!,
    r: ref.data, ro: ref.offset, rs0: ref.strides[0]!, rs1: ref.strides[1]!,
    self,
  };
}

/** Constants as Keras has them: Python floats cast to the loss dtype. */
function circleConstants(options: KernelOptions<CircleConfig>) {
  const cast = options.dtype === "float32" ? Math.fround : (x: number) => x;
  const margin = options.margin;
  return {
    gamma: cast(options.gamma),
    optimPos: cast(margin),
    optimNeg: cast(1 + margin),
    deltaPos: cast(margin),
    deltaNeg: cast(1 - margin),
  };
}

/** Scratch rows of length numRef for one query at a time (the plain path). */
interface CircleScratch {
  similarity: Float64Array;
  logit: Float64Array;
  /** 1: positive pair, -1: negative pair, 0: neither (the removed diagonal). */
  kind: Int8Array;
  /** The two log-sum-exps of the last row: positives, negatives. */
  lse: Float64Array;
}

/**
 * Loss of query `i` the plain way (Keras's `softplus(logsumexp(positives) +
 * logsumexp(negatives))`), leaving the similarities and logits of its row in `scratch` and
 * its two log-sum-exps in `scratch.lse` (−Infinity for an empty set, as
 * `tf.reduce_logsumexp`). Used where an input is NaN or infinite: NaN goes exactly where
 * Keras puts it.
 */
function circleRow(x: CircleInputs, i: number, options: KernelOptions<CircleConfig>, c: ReturnType<typeof circleConstants>, scratch: CircleScratch): number {
  const { numRef, dim, q, qo, qs0, qs1, r, ro, rs0, rs1, labels, refLabels } = x;
  const { similarity, logit, kind } = scratch;
  const label = labels[i]!;
  const qi = qo + i * qs0;
  let maxPos = -Infinity, maxNeg = -Infinity;
  for (let j = 0; j < numRef; j++) {
    let s = 0;
    const rj = ro + j * rs0;
    for (let k = 0, a = qi, b = rj; k < dim; k++, a += qs1, b += rs1) s += q[a]! * r[b]!;
    similarity[j] = s;
    // Cosine distance, floored at 0 (Math.max keeps a NaN, as tf.maximum does).
    const distance = Math.max(1 - s, 0);
    if (label === refLabels[j]) {
      if (options.removeDiagonal && i === j) {
        kind[j] = 0;
        continue;
      }
      const weight = Math.max(c.optimPos + distance, 0);
      const v = -c.gamma * weight * (c.deltaPos - distance);
      logit[j] = v;
      kind[j] = 1;
      if (v > maxPos) maxPos = v;
    } else {
      const weight = Math.max(c.optimNeg - distance, 0);
      const v = c.gamma * weight * (c.deltaNeg - distance);
      logit[j] = v;
      kind[j] = -1;
      if (v > maxNeg) maxNeg = v;
    }
  }
  let sumPos = 0, sumNeg = 0;
  for (let j = 0; j < numRef; j++) {
    if (kind[j] === 1) sumPos += Math.exp(logit[j]! - maxPos);
    else if (kind[j] === -1) sumNeg += Math.exp(logit[j]! - maxNeg);
  }
  // An empty set sums to 0; a NaN logit makes the sum (so the log-sum-exp) NaN.
  const lsePos = sumPos === 0 ? -Infinity : maxPos + Math.log(sumPos);
  const lseNeg = sumNeg === 0 ? -Infinity : maxNeg + Math.log(sumNeg);
  scratch.lse[0] = lsePos;
  scratch.lse[1] = lseNeg;
  return softplusOrZero(lsePos + lseNeg);
}

/** softplus(z) = max(z, 0) + log1p(exp(-|z|)), and 0 at z = -Infinity (a query without positives or negatives). */
function softplusOrZero(z: number): number {
  return z === -Infinity ? 0 : Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** d softplus(z) / dz = sigmoid(z), written to avoid overflow. */
function sigmoidOf(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** Whether a [rows, dim] strided block holds a NaN or an infinity (the sources of NaN losses). */
function hasNonFinite(x: FloatArray, offset: number, s0: number, s1: number, rows: number, dim: number): boolean {
  for (let i = 0, a = offset; i < rows; i++, a += s0) {
    for (let k = 0, b = a; k < dim; k++, b += s1) if (x[b]! - x[b]! !== 0) return true;
  }
  return false;
}

function scratchFor(numRef: number): CircleScratch {
  return { similarity: new Float64Array(numRef), logit: new Float64Array(numRef), kind: new Int8Array(numRef), lse: new Float64Array(2) };
}

/** The plain computation (one query at a time, strided reads), for inputs holding NaN or infinities. */
function circlePlain(x: CircleInputs, options: KernelOptions<CircleConfig>, upstream: Upstream | undefined): KernelResult {
  const c = circleConstants(options);
  const scratch = scratchFor(x.numRef);
  const out = allocate(options.dtype, x.batch);
  const mask = new Float64Array(x.batch);
  for (let i = 0; i < x.batch; i++) {
    out[i] = circleRow(x, i, options, c, scratch);
    // Keras masks the samples whose (rounded) loss is not > 0.
    mask[i] = out[i]! > 0 ? 1 : 0;
  }
  const values = new Tensor(out, [x.batch]);
  const ownMask = new Tensor(mask, [x.batch]);
  // Keras's mask depends on the values, so the upstream is asked for after them.
  if (!upstream) return { values, mask: ownMask };
  const u = upstream([x.batch], { mask: ownMask });

  const { similarity, logit, kind } = scratch;
  const { batch, numRef, dim, q, qo, qs0, qs1, r, ro, rs0, rs1, self } = x;
  // The gradient is contiguous [batch, dim]; yPred may be any strided view.
  const gd = gradientBuffer(upstream, options.dtype, batch * dim);
  // A query with upstream 0 contributes nothing, unless its loss is NaN: then, as in
  // autodiff, 0 * NaN puts NaN in the gradient (the reduced value is NaN too).
  const nanInputs = hasNonFinite(q, qo, qs0, qs1, batch, dim) || (!self && hasNonFinite(r, ro, rs0, rs1, numRef, dim));
  for (let i = 0; i < batch; i++) {
    if (u[i] === 0 && !nanInputs) continue;
    circleRow(x, i, options, c, scratch);
    const lsePos = scratch.lse[0]!, lseNeg = scratch.lse[1]!;
    const z = lsePos + lseNeg;
    if (z === -Infinity) continue;
    const outer = u[i]! * sigmoidOf(z);
    const qi = qo + i * qs0;
    for (let j = 0; j < numRef; j++) {
      const k0 = kind[j]!;
      if (k0 === 0) continue;
      const distance = 1 - similarity[j]!;
      // d = max(1 - s, 0): dd/ds = -1 where 1 - s >= 0, else 0 (a NaN goes on, to a NaN gradient).
      if (distance < 0) continue;
      let dLogit: number, softmax: number;
      if (k0 === 1) {
        // a = -gamma * w * (deltaPos - d), w = max(optimPos + d, 0)
        const w = c.optimPos + distance;
        dLogit = w < 0 ? 0 : -c.gamma * (c.deltaPos - distance - w);
        softmax = Math.exp(logit[j]! - lsePos);
      } else {
        // b = gamma * w * (deltaNeg - d), w = max(optimNeg - d, 0)
        const w = c.optimNeg - distance;
        dLogit = w < 0 ? 0 : c.gamma * (-(c.deltaNeg - distance) - w);
        softmax = Math.exp(logit[j]! - lseNeg);
      }
      // dL/ds_ij = outer * softmax * dLogit/dd * dd/ds
      const g = -outer * softmax * dLogit;
      if (g === 0) continue;
      const rj = ro + j * rs0;
      for (let k = 0, b = rj, go = i * dim; k < dim; k++, b += rs1, go++) gd[go] += g * r[b]!;
      if (self) for (let k = 0, a = qi, go = j * dim; k < dim; k++, a += qs1, go++) gd[go] += g * q[a]!;
    }
  }
  return { values, mask: ownMask, grad: new Tensor(gd, [batch, dim]) };
}

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;
const tilesAlong = (n: number): number => Math.ceil(n / TILE);

/** Most doubles of similarity tiles kept between the two passes of a gradient (32 MB: a batch of ~2900 queries). */
const STORED_TILES_LIMIT = 1 << 22;

/**
 * The blocked computation (circle-kernels.ts): padded double copies of the embeddings,
 * the similarity matrix in tiles (only the upper triangle when the references are the
 * queries), the log-sum-exps accumulated per row, and for the gradient a second sweep over
 * the tiles that forms `M = C + Cᵀ` and multiplies it into the embeddings. Returns null when
 * an input is not finite or a row's loss overflows: the plain path then computes everything,
 * NaN and Infinity going where Keras puts them.
 */
function circleBlocked(x: CircleInputs, options: KernelOptions<CircleConfig>, upstream: Upstream | undefined): KernelResult | null {
  const { batch, numRef, dim, self, labels, refLabels } = x;
  const bq = roundUp(batch, 4), br = self ? bq : roundUp(numRef, 4), pd = roundUp(dim, 2);
  checkSize(bq * pd + br * pd, "Circle's padded copy of the embeddings");
  const qp = new Float64Array(bq * pd);
  if (!packPadded(x.q, x.qo, x.qs0, x.qs1, batch, dim, qp, pd)) return null;
  let rp = qp;
  if (!self) {
    rp = new Float64Array(br * pd);
    if (!packPadded(x.r, x.ro, x.rs0, x.rs1, numRef, dim, rp, pd)) return null;
  }
  const c = circleConstants(options);
  const params = new Float64Array(7);
  params[P_GAMMA] = c.gamma;
  params[P_OPTIM_POS] = c.optimPos;
  params[P_OPTIM_NEG] = c.optimNeg;
  params[P_DELTA_POS] = c.deltaPos;
  params[P_DELTA_NEG] = c.deltaNeg;
  params[P_REMOVE_DIAGONAL] = options.removeDiagonal ? 1 : 0;
  params[P_F32] = options.dtype === "float32" ? 1 : 0;

  // For the gradient, the similarity tiles are kept from the first pass to the second (tile after
  // tile, in the order both passes visit them) when they fit STORED_TILES_LIMIT doubles; otherwise
  // the second pass computes them again.
  const tileCount = self ? (tilesAlong(bq) * (tilesAlong(bq) + 1)) / 2 : tilesAlong(bq) * tilesAlong(br);
  const stored = upstream !== undefined && tileCount * TILE * TILE <= STORED_TILES_LIMIT;
  const tiles = new Float64Array(stored ? tileCount * TILE * TILE : TILE * TILE);
  const product = new Int32Array(10);
  const part = new Int32Array(11);
  /** Similarities of query block [i0, i0 + mi) against reference block [j0, j0 + mj) into `tiles` at `at`. */
  const similarities = (i0: number, mi: number, j0: number, mj: number, at: number): void => {
    product[0] = i0 * pd; product[1] = pd; product[2] = j0 * pd; product[3] = pd;
    product[4] = at; product[5] = TILE; product[6] = mi; product[7] = mj; product[8] = pd; product[9] = 0;
    gemmNT(qp, rp, tiles, product);
  };
  /** Geometry of the tile's rows [r0, r0 + nr) × columns [c0, c0 + nc), read along `rs`/`cs`. */
  const tilePart = (at: number, rs: number, cs: number, r0: number, c0: number, nr: number, nc: number): Int32Array => {
    part[0] = at; part[1] = rs; part[2] = cs; part[3] = r0; part[4] = c0; part[5] = nr; part[6] = nc;
    return part;
  };

  // Pass 1: every row's shared shift and its two sums.
  const stats = new Float64Array(batch * STATS);
  for (let i = 0; i < batch; i++) stats[i * STATS] = -Infinity;
  for (let i0 = 0, at = 0; i0 < bq; i0 += TILE) {
    const mi = Math.min(TILE, bq - i0), ni = Math.min(mi, batch - i0);
    for (let j0 = self ? i0 : 0; j0 < br; j0 += TILE, at += stored ? TILE * TILE : 0) {
      const mj = Math.min(TILE, br - j0), nj = Math.min(mj, numRef - j0);
      similarities(i0, mi, j0, mj, at);
      tileStats(tiles, labels, refLabels, stats, params, tilePart(at, TILE, 1, i0, j0, ni, nj));
      // The same tile, transposed, holds the similarities of queries j0.. against references i0..
      if (self && j0 !== i0) tileStats(tiles, labels, refLabels, stats, params, tilePart(at, 1, TILE, j0, i0, Math.min(mj, batch - j0), Math.min(mi, numRef - i0)));
    }
  }

  // Per row: the log-sum-exps (recomputed exactly where a set underflowed), the loss, the mask.
  const lse = new Float64Array(2 * batch);
  if (rowsLse(stats, lse, batch) > 0) {
    const v = new Float64Array(numRef), geo = new Int32Array(4), both = new Float64Array(2);
    geo[1] = dim; geo[2] = pd; geo[3] = numRef;
    for (let i = 0; i < batch; i++) {
      if (lse[2 * i] === lse[2 * i] && lse[2 * i + 1] === lse[2 * i + 1]) continue;
      geo[0] = i;
      rowExact(qp, rp, labels, refLabels, v, params, geo, both);
      lse[2 * i] = both[0]!;
      lse[2 * i + 1] = both[1]!;
    }
  }
  const out = allocate(options.dtype, batch);
  const mask = new Float64Array(batch);
  // Overflow (similarities or logits beyond the double range): the plain path says where NaN goes.
  if (!rowsLoss(lse, out, mask, batch)) return null;
  const values = new Tensor(out, [batch]);
  const ownMask = new Tensor(mask, [batch]);
  // Keras's mask depends on the values, so the upstream is asked for after them.
  if (!upstream) return { values, mask: ownMask };
  const u = upstream([batch], { mask: ownMask });

  // Per row: [lsePos, lseNeg, u sigmoid(z)], with 0 in place of an empty set's -Infinity.
  const rows = new Float64Array(3 * batch);
  rowsOuter(lse, u, rows, batch);
  // Pass 2: per tile, M = C + Cᵀ, then G_I += M_IJ E_J and G_J += M_IJᵀ E_I.
  const refT = new Float64Array(pd * br);
  transposeInto(rp, br, pd, refT);
  const g = new Float64Array(bq * pd);
  const m = new Float64Array(TILE * TILE);
  const mt = self ? new Float64Array(TILE * TILE) : m;
  const gradPart = (at: number, r0: number, c0: number, nr: number, nc: number, transposed: boolean): Int32Array => {
    part[0] = at; part[1] = transposed ? 1 : TILE; part[2] = transposed ? TILE : 1; part[3] = r0; part[4] = c0; part[5] = nr; part[6] = nc;
    // C_ij into m[r TILE + c]; the transposed tile's C_ji added into m[c TILE + r], i.e. M_ij.
    part[7] = 0; part[8] = transposed ? 1 : TILE; part[9] = transposed ? TILE : 1; part[10] = transposed ? 1 : 0;
    return part;
  };
  const multiply = (a: Float64Array, rows0: number, mrows: number, cols0: number, mcols: number): void => {
    product[0] = 0; product[1] = TILE; product[2] = cols0; product[3] = br;
    product[4] = rows0 * pd; product[5] = pd; product[6] = mrows; product[7] = pd; product[8] = mcols; product[9] = 1;
    gemmNT(a, refT, g, product);
  };
  for (let i0 = 0, at = 0; i0 < bq; i0 += TILE) {
    const mi = Math.min(TILE, bq - i0), ni = Math.min(mi, batch - i0);
    for (let j0 = self ? i0 : 0; j0 < br; j0 += TILE, at += stored ? TILE * TILE : 0) {
      const mj = Math.min(TILE, br - j0), nj = Math.min(mj, numRef - j0);
      if (!stored) similarities(i0, mi, j0, mj, 0);
      // Entries past the real rows and columns stay 0 (the padding rows of the products).
      if (ni < mi || nj < mj) m.fill(0);
      tileGrad(tiles, labels, refLabels, rows, m, params, gradPart(at, i0, j0, ni, nj, false));
      if (self) tileGrad(tiles, labels, refLabels, rows, m, params, gradPart(at, j0, i0, Math.min(mj, batch - j0), Math.min(mi, numRef - i0), true));
      multiply(m, i0, mi, j0, mj);
      if (self && j0 !== i0) {
        transposeInto(m, TILE, TILE, mt);
        multiply(mt, j0, mj, i0, mi);
      }
    }
  }
  const gd = gradientBuffer(upstream, options.dtype, batch * dim);
  unpad(g, pd, gd, batch, dim);
  return { values, mask: ownMask, grad: new Tensor(gd, [batch, dim]) };
}

/**
 * Circle loss for integer labels and L2-normalized embeddings.
 *
 * For each query `i` (a row of `yPred`) against every reference `j` (the rows of
 * `refEmbeddings`, by default `yPred` itself), with `d_ij = max(1 - <yPred_i, ref_j>, 0)`:
 * ```
 * positives (same label, j != i when removeDiagonal):
 *   a_ij = -gamma * max(margin + d_ij, 0) * (margin - d_ij)
 * negatives (other label):
 *   b_ij =  gamma * max(1 + margin - d_ij, 0) * (1 - margin - d_ij)
 * loss_i = softplus(logsumexp_j a_ij + logsumexp_j b_ij)
 * ```
 * As in Keras, the embeddings are expected to be L2-normalized already (e.g. by a
 * `UnitNormalization` layer): the loss uses the plain dot product as cosine similarity and
 * normalizes nothing. A query without positives (or without negatives) gets loss 0, and
 * the result carries the mask `loss > 0`, so the default reduction averages over the
 * queries with a nonzero loss only (Keras's `_keras_mask`).
 *
 * The gradient couples rows: with the default references, `<yPred_i, yPred_j>` moves both
 * rows `i` and `j`. Given `refEmbeddings` are constants. `max(·, 0)` passes gradient at a
 * tie (TensorFlow's rule). NaN propagates as through `tf.maximum`: a NaN embedding makes the
 * loss of every query compared with it NaN (the mask `loss > 0` leaves such queries out,
 * but their NaN still reaches the reduced value, as in Keras), and their gradient NaN.
 *
 * Options: `gamma` (default 80), the scale; `margin` (default 0.4), the relaxation;
 * `removeDiagonal` (default true), leave out each query's pair with itself; `refLabels`
 * and `refEmbeddings` (default null: yTrue and yPred), a reference set to compare against.
 *
 * Shapes: `yTrue` integer labels `[batch]` (or `[batch, 1]`), `yPred` embeddings
 * `[batch, dim]`, `refLabels` `[numRef]`, `refEmbeddings` `[numRef, dim]`; result `[batch]`.
 *
 * Reference: Y. Sun, C. Cheng, Y. Zhang, C. Zhang, L. Zheng, Z. Wang and Y. Wei, "Circle
 * Loss: A Unified Perspective of Pair Similarity Optimization", CVPR 2020
 * (arXiv:2002.10857).
 *
 * @example
 * circle([1, 1, 2, 2, 3], yPred, { refLabels: [1, 1, 2, 2, 3, 4], refEmbeddings, removeDiagonal: false }).toArray()
 * // [61.5844, 94.3465, 276.9344, 90.9873, 48.8963]  (the inputs of Keras's losses_test.py CircleTest)
 */
export const circle = /*#__PURE__*/ defineLossFunction<CircleConfig>({
  name: "circle",
  defaults: { refLabels: null, refEmbeddings: null, removeDiagonal: true, gamma: 80, margin: 0.4 },
  validate(options) {
    checkBoolean("circle", "removeDiagonal", options.removeDiagonal);
    checkNumber("circle", "gamma", options.gamma);
    checkNumber("circle", "margin", options.margin);
  },
  kernel(yTrue, yPred, options, upstream) {
    const x = circleInputs(yTrue, yPred, options);
    if (x.batch === 0 || x.numRef === 0) return circlePlain(x, options, upstream);
    return circleBlocked(x, options, upstream) ?? circlePlain(x, options, upstream);
  },
});

/** Options of {@link Circle}. */
export interface CircleOptions<R extends ReductionOption = ReductionOption> extends LossOptions<R> {
  /** Scale of the similarity scores. Default 80. */
  gamma?: number;
  /** Relaxation margin. Default 0.4. */
  margin?: number;
  /** Leave out each sample's similarity with itself from its positives. Default true. */
  removeDiagonal?: boolean;
}

/**
 * Computes the Circle loss between integer labels and L2-normalized embeddings.
 *
 * A metric-learning loss that pulls same-label embeddings together and pushes others
 * apart, weighting each pair by how far it is from its optimum; see {@link circle} for the
 * formula. The model should end in L2-normalized embeddings (e.g. a `Dense` layer without
 * activation followed by `UnitNormalization`). Samples whose loss is 0 (no positive or no
 * negative pair) are masked out of the reduction, as in Keras.
 *
 * Options: `gamma` (default 80), `margin` (default 0.4), `removeDiagonal` (default true),
 * `reduction`, `name` (default `"circle"`), `dtype`. A reference set (`refLabels`,
 * `refEmbeddings`) is an option of the {@link circle} function only, as in Keras.
 *
 * Reference: Sun et al., "Circle Loss: A Unified Perspective of Pair Similarity
 * Optimization", CVPR 2020.
 *
 * @example
 * // yPred: the 5 normalized 4-d embeddings of Keras's losses_test.py CircleTest
 * new Circle()([1, 1, 2, 2, 3], yPred) // 188.3883
 * new Circle({ gamma: 256, margin: 0.25 })([1, 1, 2, 2, 3], yPred) // 652.7617
 */
export class Circle<R extends ReductionOption = "sum_over_batch_size"> extends LossFunctionWrapper<R> {
  constructor(options: CircleOptions<R> = {}) {
    for (const key of ["refLabels", "refEmbeddings"]) {
      if (options !== null && typeof options === "object" && key in options) {
        throw new ConfigError(`${key} is not an option of Circle (its options are gamma, margin, removeDiagonal, reduction, name, dtype); pass it to the circle function`);
      }
    }
    super(circle, withDefaultName(options, "circle"));
  }

  getConfig(): LossConfig {
    const { refLabels: _labels, refEmbeddings: _embeddings, ...config } = super.getConfig();
    return config;
  }
}
