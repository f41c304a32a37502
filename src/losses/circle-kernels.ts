/**
 * The hot loops of the Circle loss (src/losses/similarity.ts): a blocked, symmetric
 * similarity matrix and the per-row log-sum-exps, computed tile by tile.
 *
 * Every function here takes typed arrays and numbers only (src/losses/README.md, rule 1):
 * geometry in an `Int32Array`, the loss's constants in a `Float64Array`.
 *
 * How the work is laid out (B queries, N references, E dimensions):
 *
 * - The embeddings are copied once into zero-padded `Float64Array`s (rows to a multiple of
 *   4, dimensions to a multiple of 2): every tile is whole, any input stride gives the same
 *   copy (so a strided view sums exactly as its contiguous copy), and the loops read doubles.
 * - Similarities come in tiles of `TILE × TILE` from a 4 × 2 register-blocked product
 *   (`gemmNT`: 6 loads per 8 multiply-adds instead of 2 per 1 in a plain dot product, about
 *   2.5x faster in V8). When the references are the queries (Circle's default), the matrix
 *   is symmetric and only the tiles on and above the diagonal are computed; each one feeds
 *   the rows of both its row block and its column block.
 * - A row's two log-sum-exps (positives, negatives) are accumulated over its tiles online:
 *   one shift per row (the largest logit seen so far, shared by both sets) and a rescale
 *   when a tile raises it. A set whose sum comes out below `TINY` (its terms underflowed
 *   against the other set's shift, e.g. `gamma` in the thousands) is recomputed exactly
 *   (`rowExact`: one shift per set, as Keras's `logsumexp`).
 * - The gradient `dL/dE = (C + Cᵀ) E` (`C_ij = dL_i/ds_ij`) is a second product of the same
 *   size as the full similarity matrix: per tile, `M = C + Cᵀ` goes through `gemmNT` against
 *   the transposed embeddings.
 */
import { expf } from "../math/fastmath";

/** Side of a similarity tile (a multiple of 4). */
export const TILE = 64;

/** A set's sum of `exp(logit - shift)` below this may have lost terms to underflow: recompute the row exactly. */
const TINY = 1e-250;

/** Indices of the constants in the params array. */
export const P_GAMMA = 0, P_OPTIM_POS = 1, P_OPTIM_NEG = 2, P_DELTA_POS = 3, P_DELTA_NEG = 4, P_REMOVE_DIAGONAL = 5, P_F32 = 6;

/** Per-row statistics: shift, Σ exp over positives, Σ exp over negatives, #positives, #negatives. */
export const STATS = 5;

/**
 * `rows × dim` of a strided block, copied into a zero-filled `Float64Array` of
 * `paddedRows × paddedDim`, row-major. Returns whether every value is finite and at most
 * 1e100 in magnitude, so that no similarity can overflow (NaN, infinities and overflow go
 * to the plain path).
 */
export function packPadded(
  x: Float32Array | Float64Array,
  offset: number,
  s0: number,
  s1: number,
  rows: number,
  dim: number,
  out: Float64Array,
  paddedDim: number,
): boolean {
  let check = 0, largest = 0;
  for (let i = 0; i < rows; i++) {
    const from = offset + i * s0, to = i * paddedDim;
    for (let k = 0; k < dim; k++) {
      const v = x[from + k * s1]!;
      out[to + k] = v;
      // v - v is 0 for a finite v and NaN for NaN or ±Infinity.
      check += v - v;
      largest = Math.max(largest, Math.abs(v));
    }
  }
  return check === 0 && largest <= 1e100;
}

/** `out[k * rows + j] = x[j * dim + k]`: the transpose of a `rows × dim` row-major block. */
export function transposeInto(x: Float64Array, rows: number, dim: number, out: Float64Array): void {
  for (let j = 0; j < rows; j++) {
    for (let k = 0, a = j * dim, b = j; k < dim; k++, a++, b += rows) out[b] = x[a]!;
  }
}

/**
 * `c[co + i cs + j] (+)= Σ_k a[ao + i as + k] b[bo + j bs + k]` for `i < m` (a multiple of 4),
 * `j < n` (a multiple of 2), `k < len`: the product `A Bᵀ` of two row-major blocks, 4 rows of
 * A against 2 rows of B at a time (8 running sums, 6 loads per 8 multiply-adds). Each sum
 * runs over `k` in order, so `c_ij` is the same number as `c_ji` of the swapped product.
 *
 * geo: `[ao, as, bo, bs, co, cs, m, n, len, accumulate (0/1)]`.
 */
export function gemmNT(a: Float64Array, b: Float64Array, c: Float64Array, geo: Int32Array): void {
  const ao = geo[0]!, as = geo[1]!, bo = geo[2]!, bs = geo[3]!, co = geo[4]!, cs = geo[5]!;
  const m = geo[6]!, n = geo[7]!, len = geo[8]!, acc = geo[9]!;
  for (let i = 0; i < m; i += 4) {
    const a0 = ao + i * as, a1 = a0 + as, a2 = a1 + as, a3 = a2 + as;
    const c0 = co + i * cs;
    for (let j = 0; j < n; j += 2) {
      const b0 = bo + j * bs, b1 = b0 + bs;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let k = 0; k < len; k++) {
        const y0 = b[b0 + k]!, y1 = b[b1 + k]!;
        const x0 = a[a0 + k]!, x1 = a[a1 + k]!, x2 = a[a2 + k]!, x3 = a[a3 + k]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      const r = c0 + j;
      if (acc !== 0) {
        c[r] += s00;
        c[r + 1] += s01;
        c[r + cs] += s10;
        c[r + cs + 1] += s11;
        c[r + 2 * cs] += s20;
        c[r + 2 * cs + 1] += s21;
        c[r + 3 * cs] += s30;
        c[r + 3 * cs + 1] += s31;
      } else {
        c[r] = s00;
        c[r + 1] = s01;
        c[r + cs] = s10;
        c[r + cs + 1] = s11;
        c[r + 2 * cs] = s20;
        c[r + 2 * cs + 1] = s21;
        c[r + 3 * cs] = s30;
        c[r + 3 * cs + 1] = s31;
      }
    }
  }
}

/**
 * Column of query `i`'s removed diagonal pair within the columns `[j0, j0 + nc)`, or -1:
 * with `removeDiagonal`, the pair (i, i) is left out when it is a positive (same label).
 */
function diagonalColumn(i: number, j0: number, nc: number, li: number, colLabels: Float64Array, rd: number): number {
  return rd !== 0 && i >= j0 && i < j0 + nc && colLabels[i] === li ? i - j0 : -1;
}

/**
 * Adds one tile of similarities to the running log-sum-exps of its rows. Tile element
 * (r, c) is `s` of query `i0 + r` and reference `j0 + c`, at `tile[to + r rs + c cs]`.
 *
 * Per pair, branch-free: `d = max(1 - s, 0)`; positive (same label): `a = -gamma
 * max(optimPos + d, 0) (deltaPos - d)`; negative (other label): `b = gamma max(optimNeg - d, 0)
 * (deltaNeg - d)`; the pair's logit `v = [pos] a + [neg] b`. The removed diagonal pair is
 * skipped (a branch taken once per row). `stats` (per row, {@link STATS}) keeps the shared
 * shift (the largest logit so far: a new one rescales both sums, a branch that is rarely
 * taken) and the two sums.
 *
 * geo: `[to, rs, cs, i0, j0, nr, nc]`.
 */
export function tileStats(
  tile: Float64Array,
  rowLabels: Float64Array,
  colLabels: Float64Array,
  stats: Float64Array,
  params: Float64Array,
  geo: Int32Array,
): void {
  const to = geo[0]!, rs = geo[1]!, cs = geo[2]!, i0 = geo[3]!, j0 = geo[4]!, nr = geo[5]!, nc = geo[6]!;
  const gamma = params[P_GAMMA]!, optimPos = params[P_OPTIM_POS]!, optimNeg = params[P_OPTIM_NEG]!;
  const deltaPos = params[P_DELTA_POS]!, deltaNeg = params[P_DELTA_NEG]!, rd = params[P_REMOVE_DIAGONAL]!;
  const f32 = params[P_F32] !== 0;
  for (let r = 0; r < nr; r++) {
    const i = i0 + r, li = rowLabels[i]!;
    const skip = diagonalColumn(i, j0, nc, li, colLabels, rd);
    const o = i * STATS;
    let shift = stats[o]!, sumPos = stats[o + 1]!, sumNeg = stats[o + 2]!, countPos = 0;
    for (let c = 0, t = to + r * rs; c < nc; c++, t += cs) {
      if (c === skip) continue;
      const raw = 1 - tile[t]!;
      const d = 0.5 * (raw + Math.abs(raw));
      const same = +(li === colLabels[j0 + c]!);
      const wp = optimPos + d, wn = optimNeg - d;
      const a = -gamma * (0.5 * (wp + Math.abs(wp))) * (deltaPos - d);
      const b = gamma * (0.5 * (wn + Math.abs(wn))) * (deltaNeg - d);
      const x = same * a + (1 - same) * b;
      if (x > shift) {
        // A new largest logit (at a row's first pair: shift -Infinity, sums 0, factor 0).
        const f = f32 ? expf(shift - x) : Math.exp(shift - x);
        sumPos *= f;
        sumNeg *= f;
        shift = x;
      }
      const e = f32 ? expf(x - shift) : Math.exp(x - shift);
      const ePos = same * e;
      sumPos += ePos;
      sumNeg += e - ePos;
      countPos += same;
    }
    stats[o] = shift;
    stats[o + 1] = sumPos;
    stats[o + 2] = sumNeg;
    stats[o + 3] += countPos;
    stats[o + 4] += nc - (skip >= 0 ? 1 : 0) - countPos;
  }
}

/**
 * A set's log-sum-exp from its row statistics: `-Infinity` for an empty set, NaN when the
 * sum cannot be trusted (underflowed below `TINY`, or not finite): the caller then
 * recomputes the row with {@link rowExact}.
 */
export function setLse(shift: number, sum: number, count: number): number {
  if (count === 0) return -Infinity;
  if (!(sum >= TINY && sum < Infinity && shift > -Infinity && shift < Infinity)) return NaN;
  return shift + Math.log(sum);
}

/**
 * Query `i`'s two log-sum-exps the plain way, one shift per set (Keras's `logsumexp`):
 * `out[0]` over the positives, `out[1]` over the negatives (`-Infinity` for an empty set).
 * `q`/`r` are the padded copies (row length `pd`); `v` scratch of `numRef` entries.
 *
 * geo: `[i, dim, pd, numRef]`.
 */
export function rowExact(
  q: Float64Array,
  r: Float64Array,
  rowLabels: Float64Array,
  colLabels: Float64Array,
  v: Float64Array,
  params: Float64Array,
  geo: Int32Array,
  out: Float64Array,
): void {
  const i = geo[0]!, dim = geo[1]!, pd = geo[2]!, numRef = geo[3]!;
  const gamma = params[P_GAMMA]!, optimPos = params[P_OPTIM_POS]!, optimNeg = params[P_OPTIM_NEG]!;
  const deltaPos = params[P_DELTA_POS]!, deltaNeg = params[P_DELTA_NEG]!, rd = params[P_REMOVE_DIAGONAL]!;
  const li = rowLabels[i]!;
  let maxPos = -Infinity, maxNeg = -Infinity;
  for (let j = 0; j < numRef; j++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += q[i * pd + k]! * r[j * pd + k]!;
    const d = Math.max(1 - s, 0);
    if (li === colLabels[j]) {
      if (rd !== 0 && i === j) continue;
      const x = -gamma * Math.max(optimPos + d, 0) * (deltaPos - d);
      v[j] = x;
      if (x > maxPos) maxPos = x;
    } else {
      const x = gamma * Math.max(optimNeg - d, 0) * (deltaNeg - d);
      v[j] = x;
      if (x > maxNeg) maxNeg = x;
    }
  }
  let sumPos = 0, sumNeg = 0, countPos = 0, countNeg = 0;
  for (let j = 0; j < numRef; j++) {
    if (li === colLabels[j]) {
      if (rd !== 0 && i === j) continue;
      sumPos += Math.exp(v[j]! - maxPos);
      countPos++;
    } else {
      sumNeg += Math.exp(v[j]! - maxNeg);
      countNeg++;
    }
  }
  out[0] = countPos === 0 ? -Infinity : maxPos + Math.log(sumPos);
  out[1] = countNeg === 0 ? -Infinity : maxNeg + Math.log(sumNeg);
}

/**
 * `C_ij = dL_i/ds_ij` for one tile, written (or, with `accumulate`, added) into
 * `m[mo + r mrs + c mcs]`; rows and columns of the tile as in {@link tileStats}.
 *
 * `rows` holds per query `[lsePos, lseNeg, outer]`, `outer = u_i sigmoid(z_i)` (0 for a
 * query without positives or negatives, whose log-sum-exps are then 0 placeholders):
 * `C_ij = -outer softmax_ij dv/dd [1 - s >= 0]`, `softmax_ij = exp(v_ij - lse of its set)`,
 * `da/dd = -gamma (deltaPos - d - w)` where `w = optimPos + d >= 0` (else 0),
 * `db/dd = gamma (d - deltaNeg - w)` where `w = optimNeg - d >= 0` (else 0): `max(·, 0)` and
 * the distance floor pass gradient at a tie, as TensorFlow's `maximum` does.
 *
 * geo: `[to, rs, cs, i0, j0, nr, nc, mo, mrs, mcs, accumulate (0/1)]`.
 */
export function tileGrad(
  tile: Float64Array,
  rowLabels: Float64Array,
  colLabels: Float64Array,
  rows: Float64Array,
  m: Float64Array,
  params: Float64Array,
  geo: Int32Array,
): void {
  const to = geo[0]!, rs = geo[1]!, cs = geo[2]!, i0 = geo[3]!, j0 = geo[4]!, nr = geo[5]!, nc = geo[6]!;
  const mo = geo[7]!, mrs = geo[8]!, mcs = geo[9]!, acc = geo[10]!;
  const gamma = params[P_GAMMA]!, optimPos = params[P_OPTIM_POS]!, optimNeg = params[P_OPTIM_NEG]!;
  const deltaPos = params[P_DELTA_POS]!, deltaNeg = params[P_DELTA_NEG]!, rd = params[P_REMOVE_DIAGONAL]!;
  const f32 = params[P_F32] !== 0;
  for (let r = 0; r < nr; r++) {
    const i = i0 + r, li = rowLabels[i]!;
    const lsePos = rows[3 * i]!, lseNeg = rows[3 * i + 1]!, outer = rows[3 * i + 2]!;
    const skip = diagonalColumn(i, j0, nc, li, colLabels, rd);
    for (let c = 0, t = to + r * rs, w = mo + r * mrs; c < nc; c++, t += cs, w += mcs) {
      if (c === skip) {
        if (acc === 0) m[w] = 0;
        continue;
      }
      const raw = 1 - tile[t]!;
      const d = 0.5 * (raw + Math.abs(raw));
      const slope = +(raw >= 0);
      const same = +(li === colLabels[j0 + c]!), other = 1 - same;
      const wp = optimPos + d, wn = optimNeg - d;
      const a = -gamma * (0.5 * (wp + Math.abs(wp))) * (deltaPos - d);
      const b = gamma * (0.5 * (wn + Math.abs(wn))) * (deltaNeg - d);
      const da = +(wp >= 0) * -gamma * (deltaPos - d - wp);
      const db = +(wn >= 0) * gamma * (d - deltaNeg - wn);
      const x = same * (a - lsePos) + other * (b - lseNeg);
      const e = f32 ? expf(x) : Math.exp(x);
      const g = -outer * e * (same * da + other * db) * slope;
      if (acc !== 0) m[w] += g;
      else m[w] = g;
    }
  }
}

/**
 * Every query's two log-sum-exps from its statistics (`lse[2i]` positives, `lse[2i + 1]`
 * negatives; NaN where the row must be recomputed with {@link rowExact}). Returns how many
 * rows need it.
 */
export function rowsLse(stats: Float64Array, lse: Float64Array, batch: number): number {
  let exact = 0;
  for (let i = 0, o = 0; i < batch; i++, o += STATS) {
    const pos = setLse(stats[o]!, stats[o + 1]!, stats[o + 3]!), neg = setLse(stats[o]!, stats[o + 2]!, stats[o + 4]!);
    lse[2 * i] = pos;
    lse[2 * i + 1] = neg;
    exact += +(pos !== pos || neg !== neg);
  }
  return exact;
}

/**
 * Every query's loss `softplus(lsePos + lseNeg)` (0 without positives or negatives) and
 * Keras's mask `loss > 0`. Returns false when a loss overflows (the caller then computes
 * everything the plain way).
 */
export function rowsLoss(lse: Float64Array, out: Float32Array | Float64Array, mask: Float64Array, batch: number): boolean {
  for (let i = 0; i < batch; i++) {
    const pos = lse[2 * i]!, neg = lse[2 * i + 1]!, z = pos + neg;
    const loss = z === -Infinity ? 0 : Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    if (!(loss < Infinity) || pos === Infinity || neg === Infinity) return false;
    out[i] = loss;
    // Keras masks the samples whose (rounded) loss is not > 0.
    mask[i] = out[i]! > 0 ? 1 : 0;
  }
  return true;
}

/**
 * Per query `[lsePos, lseNeg, u sigmoid(z)]` for {@link tileGrad}, all 0 for a query
 * without positives or negatives (z = -Infinity).
 */
export function rowsOuter(lse: Float64Array, upstream: Float32Array | Float64Array, rows: Float64Array, batch: number): void {
  for (let i = 0; i < batch; i++) {
    const pos = lse[2 * i]!, neg = lse[2 * i + 1]!, z = pos + neg;
    if (z === -Infinity) continue;
    // d softplus(z) / dz = sigmoid(z), written to avoid overflow.
    const e = Math.exp(-Math.abs(z));
    rows[3 * i] = pos;
    rows[3 * i + 1] = neg;
    rows[3 * i + 2] = upstream[i]! * (z >= 0 ? 1 / (1 + e) : e / (1 + e));
  }
}

/** `out[i dim + k] = g[i pd + k]`: the first `dim` of each padded row. */
export function unpad(g: Float64Array, pd: number, out: Float32Array | Float64Array, batch: number, dim: number): void {
  for (let i = 0; i < batch; i++) for (let k = 0, a = i * pd, b = i * dim; k < dim; k++) out[b + k] = g[a + k]!;
}
