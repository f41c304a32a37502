/**
 * The hot loops of the CTC loss (src/losses/sequence.ts): per-frame softmax, the forward (α)
 * and backward (β) recursions and the gradient, for one sample at a time.
 *
 * Every function takes typed arrays and numbers only (src/losses/README.md, rule 1): the
 * sample's layout in an `Int32Array` (`G_*`), the label states in one `Int32Array` (`lab`,
 * {@link labSize}), the frames' softmax and log-normalizers in one `Float64Array`
 * (`frames`, {@link framesSize}), the α rows in another (`alpha`, {@link alphaSize}), scratch
 * in `work` ({@link workSize}).
 *
 * How the recursions are computed. A frame's row is kept in one of two forms:
 *
 * - linear: `α_t(s) = L_t + log a_t(s)`, the `a_t(s)` plain doubles. A step is
 *   `a_t(s) = (a_{t-1}(s) + a_{t-1}(s-1) + skip_s a_{t-1}(s-2)) · softmax_t(ext_s) / σ_{t-1}`
 *   with `σ_{t-1} = Σ_s a_{t-1}(s)` and `L_t = L_{t-1} + log σ_{t-1}`: multiply-adds, one
 *   `log` per frame (Rabiner's scaling). It is exact (to rounding) as long as every reachable
 *   state stays a normal double: a step that leaves one below `TINY` = 1e-290 (peaked or long
 *   inputs leave states e^-700 and further behind the frame's best) is not kept;
 * - log: `α_t(s)` itself, the step computed with one `exp` and one `log` per state: with `m`
 *   the previous row's largest value, `α_t(s) = m + log(Σ exp(α_{t-1}(s') - m)) + lp_t(ext_s)`,
 *   and the plain three-term log-sum-exp for a state whose sum falls below `TINY`. Nothing is
 *   lost however far behind a state falls. A row whose reachable states all lie within 600
 *   nats of its best goes back to the linear form.
 *
 * Which states are reachable is known from the labels alone: state `s` from frame `minT(s)`
 * on (a prefix of the states at any frame), and it can still reach a final state at frame `t`
 * when `toEnd(s) <= T - 1 - t` (a range `[lo_t, 2 · labelLength]`); elsewhere 0 (or -Infinity)
 * is exact, not an underflow.
 *
 * The backward pass runs the same two forms without TensorFlow's end-state floor (its
 * `log(1e-307)` weight on the non-final end states) when the forward pass shows the floor is
 * negligible (the final states outweigh the floored ones by e^40): then the occupancy of a frame
 * where both rows are linear is `a_t(s) b_t(s)` normalized, no `exp` at all. Otherwise (an
 * alignment that barely fits or does not) the backward pass runs in log form with the floor,
 * exactly as TensorFlow's recursion.
 *
 * float32 losses use the float32-accurate `expf`/`logf` (src/math/fastmath.ts), float64
 * `Math.*` (rule 2); the rare paths use `Math.*` (small to inline).
 */
import { expf, logf } from "../math/fastmath";

/** Indices of the sample layout (`geo`). */
export const G_BASE = 0, G_STRIDE_T = 1, G_STRIDE_C = 2, G_FRAMES = 3, G_CLASSES = 4, G_STATES = 5, G_LABEL_LENGTH = 6, G_F32 = 7, G_STORE = 8, G_GRAD = 9;
/** Length of the layout array. */
export const G_SIZE = 10;

/** Below this, a state's value (linear form) or sum of `exp(α - m)` (log form) may have lost digits to underflow. */
export const TINY = 1e-290;
/** A log row whose reachable states lie within this many nats of its best goes back to the linear form. */
export const SPREAD = 600;
/** The end-state floor counts when the final states do not outweigh the floored ones by e^FLOOR_MARGIN. */
const FLOOR_MARGIN = 40;
/** Row forms, in a row's scale slot. */
export const LINEAR = 0, LOG = 1;
/** `toEnd` of a state that cannot reach a final state. */
const NEVER = 1 << 30;

/**
 * TensorFlow's "log of zero" for the start and end state weights of its dense CTC:
 * `float32(log(1e-307))` ≈ -706.89 (see sequence.ts).
 */
export const CTC_LOG_ZERO = /*#__PURE__*/ Math.fround(/*#__PURE__*/ Math.log(1e-307));

/**
 * Length of `lab` for `S` states: `ext` (class of each state) at `[0, S)`, `skip` (1 where
 * state s may be entered from s - 2) at `[S, 2S + 2)` with two trailing zeros, `minT` at
 * `[2S + 2, 3S + 2)`, `toEnd` at `[3S + 2, 4S + 2)`.
 */
export function labSize(states: number): number {
  return 4 * states + 2;
}

/**
 * Length of `frames`: `exp(x[t, c] - max_t)` for `[T, C]`, then each frame's log-normalizer
 * `log Σ_c exp(x[t, c])`, then each frame's `1 / Σ_c exp(x[t, c] - max_t)` (so that
 * `softmax_t[c] = frames[t C + c] · frames[T C + T + t]`).
 */
export function framesSize(frames: number, classes: number): number {
  return frames * classes + 2 * frames;
}

/**
 * Length of `alpha`: rows of `S + 2` (two leading pads) for every frame (`store`) or two,
 * then `[form, L, σ]` per row, then `S + 2` of scratch for the log step.
 */
export function alphaSize(frames: number, states: number, store: boolean): number {
  const rows = store ? Math.max(frames, 1) : 2;
  return rows * (states + 2) + 3 * rows + states + 2;
}

/** Offset of the log step's scratch in `alpha`. */
function scratchOf(geo: Int32Array): number {
  const rows = geo[G_STORE] !== 0 ? Math.max(geo[G_FRAMES]!, 1) : 2;
  return rows * (geo[G_STATES]! + 5);
}

/** Offsets in `work` (S states, C classes): upstream, floor flag, two β rows with their scales, next, p, occupancy, frame gradient. */
export function workLayout(states: number): number {
  // returns the offset of `next`; p, occupancy and the frame gradient follow
  return 2 + 2 * (states + 2) + 6;
}

/** Length of `work`. */
export function workSize(states: number, classes: number): number {
  return workLayout(states) + 3 * (states + 2) + classes;
}

/** `log(e^a + e^b)`: one `exp` and one `log1p`; NaN propagates. */
export function logSumExp2(a: number, b: number): number {
  let max = a, rest = b;
  if (b > a) {
    max = b;
    rest = a;
  }
  if (rest === -Infinity) return max;
  return max + Math.log1p(Math.exp(rest - max));
}

/** `log(e^a + e^b + e^c)`: two `exp` and one `log1p`; NaN propagates. */
export function logSumExp3(a: number, b: number, c: number): number {
  let max: number, r1: number, r2: number;
  if (a >= b) {
    if (a >= c) (max = a), (r1 = b), (r2 = c);
    else (max = c), (r1 = a), (r2 = b);
  } else if (b >= c) (max = b), (r1 = a), (r2 = c);
  else (max = c), (r1 = a), (r2 = b);
  if (max === -Infinity) return max;
  return max + Math.log1p(Math.exp(r1 - max) + Math.exp(r2 - max));
}

/** Weight (log) of ending in state `s`: 0 for the two final states, `CTC_LOG_ZERO` otherwise. */
export function finalWeight(s: number, labelLength: number): number {
  return s === 2 * labelLength || s === 2 * labelLength - 1 ? 0 : CTC_LOG_ZERO;
}

/** `minT` and `toEnd` of the sample's states (see {@link labSize}), from `ext` and `skip`. */
export function ctcReach(lab: Int32Array, geo: Int32Array): void {
  const states = geo[G_STATES]!, end = 2 * geo[G_LABEL_LENGTH]!;
  const skip = states, minT = 2 * states + 2, toEnd = 3 * states + 2;
  lab[minT] = 0;
  if (states > 1) lab[minT + 1] = 0;
  for (let s = 2; s < states; s++) {
    const step = lab[minT + s - 1]! + 1;
    lab[minT + s] = lab[skip + s] !== 0 ? Math.min(step, lab[minT + s - 2]! + 1) : step;
  }
  for (let s = end + 1; s < states; s++) lab[toEnd + s] = NEVER;
  lab[toEnd + end] = 0;
  if (end >= 1) lab[toEnd + end - 1] = 0;
  for (let s = end - 2; s >= 0; s--) {
    const step = lab[toEnd + s + 1]! + 1;
    lab[toEnd + s] = lab[skip + s + 2] !== 0 ? Math.min(step, lab[toEnd + s + 2]! + 1) : step;
  }
}

/**
 * Every frame's `exp(x[t, c] - max_t)` (`frames[t C + c]`), log-normalizer
 * `log Σ_c exp(x[t, c])` (`frames[T C + t]`) and `1 / Σ_c exp(x[t, c] - max_t)`
 * (`frames[T C + T + t]`), max-shifted (stable for ±1e4). A frame holding NaN or +Infinity
 * has NaN for all; a frame of -Infinity a log-normalizer of -Infinity.
 */
export function ctcFrameNorms(x: Float32Array | Float64Array, frames: Float64Array, geo: Int32Array): void {
  const base = geo[G_BASE]!, strideT = geo[G_STRIDE_T]!, strideC = geo[G_STRIDE_C]!, count = geo[G_FRAMES]!, classes = geo[G_CLASSES]!;
  const f32 = geo[G_F32] !== 0, ln = count * classes, even = classes - (classes & 1);
  for (let t = 0, xt = base; t < count; t++, xt += strideT) {
    let m0 = -Infinity, m1 = -Infinity;
    for (let c = 0, xo = xt; c < even; c += 2, xo += 2 * strideC) {
      m0 = Math.max(m0, x[xo]!);
      m1 = Math.max(m1, x[xo + strideC]!);
    }
    if (even < classes) m0 = Math.max(m0, x[xt + even * strideC]!);
    const max = Math.max(m0, m1);
    const o = t * classes;
    if (!(max > -Infinity && max < Infinity)) {
      frames[ln + t] = max === -Infinity ? max : NaN;
      frames[ln + count + t] = NaN;
      for (let c = 0; c < classes; c++) frames[o + c] = NaN;
      continue;
    }
    let s0 = 0, s1 = 0;
    for (let c = 0, xo = xt; c < even; c += 2, xo += 2 * strideC) {
      const e0 = f32 ? expf(x[xo]! - max) : Math.exp(x[xo]! - max);
      const e1 = f32 ? expf(x[xo + strideC]! - max) : Math.exp(x[xo + strideC]! - max);
      frames[o + c] = e0;
      frames[o + c + 1] = e1;
      s0 += e0;
      s1 += e1;
    }
    if (even < classes) {
      const e = f32 ? expf(x[xt + even * strideC]! - max) : Math.exp(x[xt + even * strideC]! - max);
      frames[o + even] = e;
      s0 += e;
    }
    const sum = s0 + s1;
    frames[ln + count + t] = 1 / sum;
    frames[ln + t] = max + (f32 ? logf(sum) : Math.log(sum));
  }
}

/** Offset of frame `t`'s α row (its state s at `+ 2 + s`) and of its scale slot. */
export function rowOf(t: number, geo: Int32Array): number {
  return (geo[G_STORE] !== 0 ? t : t & 1) * (geo[G_STATES]! + 2);
}
export function scaleOf(t: number, geo: Int32Array): number {
  const rows = geo[G_STORE] !== 0 ? Math.max(geo[G_FRAMES]!, 1) : 2;
  return rows * (geo[G_STATES]! + 2) + 3 * (geo[G_STORE] !== 0 ? t : t & 1);
}

/**
 * Forward (α) recursion of one sample; returns `log Z`, the log of the (final-weighted)
 * probability of all alignments:
 *
 * `α_0(0) = lp_0(blank)`, `α_0(1) = lp_0(l_1)`,
 * `α_t(s) = lp_t(ext_s) + logsumexp(α_{t-1}(s), α_{t-1}(s-1), α_{t-1}(s-2) if skip_s)`,
 * `log Z = logsumexp_s(α_{T-1}(s) + final_s)`, with `lp = log_softmax(x)`.
 *
 * With `G_STORE` every frame's row is kept (for the gradient), else two rolling rows. Sets
 * `work[1]` to 1 when TensorFlow's end-state floor is negligible (see the module comment).
 * Needs at least one frame.
 */
export function ctcForward(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, alpha: Float64Array, work: Float64Array, geo: Int32Array): number {
  const count = geo[G_FRAMES]!, states = geo[G_STATES]!, labelLength = geo[G_LABEL_LENGTH]!;
  const minT = 2 * states + 2;
  const r0 = rowOf(0, geo), sc0 = scaleOf(0, geo);
  let k = states > 1 ? 1 : 0;
  // Frame 0: states 0 and 1, linear if their probabilities are normal doubles.
  const iz = frames[count * geo[G_CLASSES]! + count]!;
  const y0 = frames[0]! * iz, y1 = states > 1 ? frames[lab[1]!]! * iz : 1;
  alpha[r0] = 0;
  alpha[r0 + 1] = 0;
  for (let s = 0; s < states; s++) alpha[r0 + 2 + s] = 0;
  if (Math.min(y0, y1) >= TINY) {
    alpha[r0 + 2] = y0;
    if (states > 1) alpha[r0 + 3] = y1;
    alpha[sc0] = LINEAR;
    alpha[sc0 + 1] = 0;
    alpha[sc0 + 2] = y0 + (states > 1 ? y1 : 0);
  } else {
    forwardFirstLog(x, lab, frames, alpha, geo);
  }
  for (let t = 1; t < count; t++) {
    const kPrev = k;
    while (k + 1 < states && lab[minT + k + 1]! <= t) k++;
    const prevScale = scaleOf(t - 1, geo);
    if (alpha[prevScale] === LINEAR) {
      if (forwardLinear(lab, frames, alpha, geo, t, k)) continue;
      // A state fell below TINY: redo the step from the previous row in log form.
      rowToLog(alpha, rowOf(t - 1, geo), prevScale, kPrev, states, geo[G_F32] !== 0);
    }
    forwardLog(x, lab, frames, alpha, geo, t, k, kPrev);
  }
  // log Z = L + log(A_final + e^CTC_LOG_ZERO A_other), or the same from the log row.
  const r = rowOf(count - 1, geo), sc = scaleOf(count - 1, geo);
  let lseFinal: number, lseOther: number;
  if (alpha[sc] === LINEAR) {
    let final = 0, other = 0;
    for (let s = 0; s < states; s++) {
      const a = alpha[r + 2 + s]!;
      if (finalWeight(s, labelLength) === 0) final += a;
      else other += a;
    }
    lseFinal = alpha[sc + 1]! + Math.log(final);
    lseOther = alpha[sc + 1]! + Math.log(other);
  } else {
    lseFinal = logSumOver(alpha, r + 2, states, labelLength, true);
    lseOther = logSumOver(alpha, r + 2, states, labelLength, false);
  }
  const floored = lseOther + CTC_LOG_ZERO;
  work[1] = lseFinal > -Infinity && (floored === -Infinity || lseFinal >= floored + FLOOR_MARGIN) ? 1 : 0;
  // max + log(1 + e), not log1p: as Σ exp(α + final - max) rounds, so that a certain alignment gives exactly 0.
  const max = Math.max(lseFinal, floored), rest = Math.min(lseFinal, floored);
  return rest === -Infinity || max !== max ? max : max + Math.log(1 + Math.exp(rest - max));
}

/** log Σ exp(row[s]) over the final states (`final`) or the others. */
function logSumOver(alpha: Float64Array, o: number, states: number, labelLength: number, final: boolean): number {
  let max = -Infinity;
  for (let s = 0; s < states; s++) {
    if ((finalWeight(s, labelLength) === 0) !== final) continue;
    const v = alpha[o + s]!;
    if (v > max || v !== v) max = v;
  }
  if (max === -Infinity || max !== max || max === Infinity) return max;
  let sum = 0;
  for (let s = 0; s < states; s++) if ((finalWeight(s, labelLength) === 0) === final) sum += Math.exp(alpha[o + s]! - max);
  return max + Math.log(sum);
}

/** Frame 0 in log form. */
function forwardFirstLog(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, alpha: Float64Array, geo: Int32Array): void {
  const states = geo[G_STATES]!, base = geo[G_BASE]!, norm = frames[geo[G_FRAMES]! * geo[G_CLASSES]!]!;
  const r = rowOf(0, geo), sc = scaleOf(0, geo);
  alpha[r] = -Infinity;
  alpha[r + 1] = -Infinity;
  for (let s = 0; s < states; s++) alpha[r + 2 + s] = -Infinity;
  alpha[r + 2] = x[base]! - norm;
  if (states > 1) alpha[r + 3] = x[base + lab[1]! * geo[G_STRIDE_C]!]! - norm;
  alpha[sc] = LOG;
}

/**
 * One linear forward step into frame `t`'s row (reachable states `[0, k]`). Returns false,
 * writing nothing that counts, when a reachable state comes out below `TINY` or not finite.
 */
function forwardLinear(lab: Int32Array, frames: Float64Array, alpha: Float64Array, geo: Int32Array, t: number, k: number): boolean {
  const states = geo[G_STATES]!, classes = geo[G_CLASSES]!, count = geo[G_FRAMES]!;
  const prev = rowOf(t - 1, geo) + 2, cur = rowOf(t, geo) + 2, ps = scaleOf(t - 1, geo);
  const y = t * classes;
  // softmax_t = e · 1/Z_t; with 1/σ_{t-1}: one factor. (sum · scale) first: a normal double,
  // so that the product with a tiny exp loses no digits before the TINY check.
  const scale = frames[count * classes + count + t]! / alpha[ps + 2]!;
  let sum = 0, low = Infinity, a1 = 0, a2 = 0;
  for (let s = 0; s <= k; s++) {
    const a0 = alpha[prev + s]!;
    const v = (a0 + a1 + lab[states + s]! * a2) * scale * frames[y + lab[s]!]!;
    alpha[cur + s] = v;
    sum += v;
    low = Math.min(low, v);
    a2 = a1;
    a1 = a0;
  }
  if (!(low >= TINY && sum < Infinity)) return false;
  alpha[cur - 2] = 0;
  alpha[cur - 1] = 0;
  for (let s = k + 1; s < states; s++) alpha[cur + s] = 0;
  const sc = scaleOf(t, geo);
  alpha[sc] = LINEAR;
  alpha[sc + 1] = alpha[ps + 1]! + (geo[G_F32] !== 0 ? logf(alpha[ps + 2]!) : Math.log(alpha[ps + 2]!));
  alpha[sc + 2] = sum;
  return true;
}

/** A linear row (reachable states `[0, k]`) rewritten in log form: `L + log a(s)`, -Infinity elsewhere. */
export function rowToLog(row: Float64Array, o: number, sc: number, k: number, states: number, f32: boolean): void {
  const shift = row[sc + 1]!;
  for (let s = 0; s <= k; s++) row[o + 2 + s] = shift + (f32 ? logf(row[o + 2 + s]!) : Math.log(row[o + 2 + s]!));
  for (let s = k + 1; s < states; s++) row[o + 2 + s] = -Infinity;
  row[o] = -Infinity;
  row[o + 1] = -Infinity;
  row[sc] = LOG;
}

/**
 * One log forward step into frame `t`'s row (reachable states `[0, k]`, `[0, kPrev]` at
 * `t - 1`), then back to the linear form if the row's reachable states lie within `SPREAD`.
 */
function forwardLog(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, alpha: Float64Array, geo: Int32Array, t: number, k: number, kPrev: number): void {
  const states = geo[G_STATES]!, strideC = geo[G_STRIDE_C]!, f32 = geo[G_F32] !== 0;
  const prev = rowOf(t - 1, geo) + 2, cur = rowOf(t, geo) + 2, sc = scaleOf(t, geo);
  const xt = geo[G_BASE]! + t * geo[G_STRIDE_T]!, norm = frames[geo[G_FRAMES]! * geo[G_CLASSES]! + t]!;
  // p(s) = exp(α_{t-1}(s) - m) at p + 2 + s, with zeros at p(-2), p(-1) and past kPrev.
  const p = scratchOf(geo);
  let m = -Infinity;
  for (let s = 0; s <= kPrev; s++) m = Math.max(m, alpha[prev + s]!);
  let top = -Infinity, low = Infinity;
  if (m > -Infinity && m < Infinity) {
    alpha[p] = 0;
    alpha[p + 1] = 0;
    for (let s = 0; s <= kPrev; s++) alpha[p + 2 + s] = f32 ? expf(alpha[prev + s]! - m) : Math.exp(alpha[prev + s]! - m);
    for (let s = kPrev + 1; s <= k; s++) alpha[p + 2 + s] = 0;
    for (let s = 0; s <= k; s++) {
      const q = alpha[p + 2 + s]! + alpha[p + 1 + s]! + lab[states + s]! * alpha[p + s]!;
      const lp = x[xt + lab[s]! * strideC]! - norm;
      const v = q >= TINY ? m + (f32 ? logf(q) : Math.log(q)) + lp : forwardState(alpha, prev, s, lab[states + s]!) + lp;
      alpha[cur + s] = v;
      top = Math.max(top, v);
      low = Math.min(low, v);
    }
  } else {
    // NaN or infinite log-probabilities: the plain recursion says where they go.
    for (let s = 0; s <= k; s++) {
      const v = forwardState(alpha, prev, s, lab[states + s]!) + x[xt + lab[s]! * strideC]! - norm;
      alpha[cur + s] = v;
      top = Math.max(top, v);
      low = Math.min(low, v);
    }
  }
  for (let s = k + 1; s < states; s++) alpha[cur + s] = -Infinity;
  alpha[cur - 2] = -Infinity;
  alpha[cur - 1] = -Infinity;
  alpha[sc] = LOG;
  if (top < Infinity && top - low <= SPREAD) rowToLinear(alpha, cur - 2, sc, k, states, top, f32);
}

/** The plain log-sum-exp of state `s`'s predecessors in the log row at `prev` (pads -Infinity). */
function forwardState(alpha: Float64Array, prev: number, s: number, skip: number): number {
  if (skip !== 0) return logSumExp3(alpha[prev + s]!, alpha[prev + s - 1]!, alpha[prev + s - 2]!);
  return logSumExp2(alpha[prev + s]!, alpha[prev + s - 1]!);
}

/**
 * A log row (states `[0, k]` finite, within `SPREAD` of `top`) rewritten in linear form:
 * `a(s) = exp(α(s) - top)`, `L = top`, `σ = Σ a`; zeros elsewhere.
 */
function rowToLinear(row: Float64Array, o: number, sc: number, k: number, states: number, top: number, f32: boolean): void {
  let sum = 0;
  for (let s = 0; s <= k; s++) {
    const a = f32 ? expf(row[o + 2 + s]! - top) : Math.exp(row[o + 2 + s]! - top);
    row[o + 2 + s] = a;
    sum += a;
  }
  for (let s = k + 1; s < states; s++) row[o + 2 + s] = 0;
  row[o] = 0;
  row[o + 1] = 0;
  row[sc] = LINEAR;
  row[sc + 1] = top;
  row[sc + 2] = sum;
}
