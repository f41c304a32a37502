/**
 * The hot loops of the CTC loss (src/losses/sequence.ts): per-frame log-normalizers, the
 * forward (α) and backward (β) recursions and the gradient, for one sample at a time.
 *
 * Every function takes typed arrays and numbers only (src/losses/README.md, rule 1): the
 * sample's layout in an `Int32Array` (`G_*` indices), the extended label sequence and its
 * skip flags in one `Int32Array` (`ext` at `[0, S)`, `skip` at `[S, 2S + 2)`, two trailing
 * zeros), scratch rows in one `Float64Array` (`W_*` offsets).
 *
 * The recursions stay in log space (so nothing is lost however small a state's probability
 * gets: peaked or long inputs leave states 1e-300 and less below the frame's best), but each
 * frame costs one `exp` and one `log` per state instead of a two- or three-term
 * log-sum-exp (two `exp`, one `log1p`, branches to find the maximum): with `m` the largest
 * log value of the previous frame, `p(s) = exp(α(s) - m)`, and
 * `α'(s) = m + log(p(s) + p(s-1) + skip·p(s-2)) + lp(ext_s)`. The sum is exact unless all of
 * its terms sit more than ~667 nats below `m` (sum below 1e-290, where `exp` starts to lose
 * digits to underflow): that state is then computed with the plain three-term log-sum-exp.
 * float32 losses use the float32-accurate `expf`/`logf` (src/math/fastmath.ts), float64
 * `Math.*` (rule 2).
 */
import { expf, log1pf, log1pUnitf, logf } from "../math/fastmath";

/** Indices of the sample layout (`geo`). */
export const G_BASE = 0, G_STRIDE_T = 1, G_STRIDE_C = 2, G_FRAMES = 3, G_CLASSES = 4, G_STATES = 5, G_LABEL_LENGTH = 6, G_F32 = 7, G_STORE = 8, G_GRAD = 9;
/** Length of the layout array. */
export const G_SIZE = 10;

/** Below this, a state's sum of `exp(α - m)` may have lost terms to underflow: use the plain log-sum-exp. */
const TINY = 1e-290;

/**
 * TensorFlow's "log of zero" for the start and end state weights of its dense CTC:
 * `float32(log(1e-307))` ≈ -706.89 (see sequence.ts).
 */
export const CTC_LOG_ZERO = /*#__PURE__*/ Math.fround(/*#__PURE__*/ Math.log(1e-307));

/** Length of the scratch array for `states` label states and `classes` classes. */
export function workSize(states: number, classes: number): number {
  // upstream, two β rows, next (+2), p (+2), frame gradient
  return 1 + 4 * states + 4 + classes;
}

/** `log(e^a + e^b)`: one `exp` and one `log1p` (float32-accurate ones with `f32`); NaN propagates. */
function logSumExp2(a: number, b: number, f32: boolean): number {
  let max = a, rest = b;
  if (b > a) {
    max = b;
    rest = a;
  }
  if (rest === -Infinity) return max;
  return max + (f32 ? log1pUnitf(expf(rest - max)) : Math.log1p(Math.exp(rest - max)));
}

/** `log(e^a + e^b + e^c)`: two `exp` and one `log1p` (float32-accurate ones with `f32`); NaN propagates. */
function logSumExp3(a: number, b: number, c: number, f32: boolean): number {
  let max: number, r1: number, r2: number;
  if (a >= b) {
    if (a >= c) (max = a), (r1 = b), (r2 = c);
    else (max = c), (r1 = a), (r2 = b);
  } else if (b >= c) (max = b), (r1 = a), (r2 = c);
  else (max = c), (r1 = a), (r2 = b);
  if (max === -Infinity) return max;
  return max + (f32 ? log1pf(expf(r1 - max) + expf(r2 - max)) : Math.log1p(Math.exp(r1 - max) + Math.exp(r2 - max)));
}

/** Weight (log) of ending in state `s`: 0 for the two final states, `CTC_LOG_ZERO` otherwise. */
function finalWeight(s: number, labelLength: number): number {
  return s === 2 * labelLength || s === 2 * labelLength - 1 ? 0 : CTC_LOG_ZERO;
}

/**
 * `logNorm[t] = log Σ_c exp(x[t, c])` for every frame of the sample (max-shifted, stable for
 * ±1e4). With a non-empty `probs`, also `probs[t C + c] = softmax(x_t)[c]`.
 */
export function ctcFrameNorms(x: Float32Array | Float64Array, logNorm: Float64Array, probs: Float64Array, geo: Int32Array): void {
  const base = geo[G_BASE]!, strideT = geo[G_STRIDE_T]!, strideC = geo[G_STRIDE_C]!, frames = geo[G_FRAMES]!, classes = geo[G_CLASSES]!;
  const f32 = geo[G_F32] !== 0, keep = probs.length !== 0;
  for (let t = 0, xt = base; t < frames; t++, xt += strideT) {
    let max = -Infinity;
    for (let c = 0, xo = xt; c < classes; c++, xo += strideC) {
      const v = x[xo]!;
      if (v > max || v !== v) max = v;
    }
    if (max === -Infinity || max !== max || max === Infinity) {
      logNorm[t] = max === Infinity ? NaN : max;
      if (keep) for (let c = 0; c < classes; c++) probs[t * classes + c] = NaN;
      continue;
    }
    let sum = 0;
    if (keep) {
      for (let c = 0, xo = xt, o = t * classes; c < classes; c++, xo += strideC, o++) {
        const e = f32 ? expf(x[xo]! - max) : Math.exp(x[xo]! - max);
        probs[o] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let c = 0, o = t * classes; c < classes; c++, o++) probs[o] *= inv;
    } else {
      for (let c = 0, xo = xt; c < classes; c++, xo += strideC) sum += f32 ? expf(x[xo]! - max) : Math.exp(x[xo]! - max);
    }
    logNorm[t] = max + (f32 ? logf(sum) : Math.log(sum));
  }
}

/**
 * Forward (α) recursion of one sample; returns `log Z`, the log of the (final-weighted)
 * probability of all alignments:
 *
 * `α_0(0) = lp_0(blank)`, `α_0(1) = lp_0(l_1)`,
 * `α_t(s) = lp_t(ext_s) + logsumexp(α_{t-1}(s), α_{t-1}(s-1), α_{t-1}(s-2) if skip_s)`,
 * `log Z = logsumexp_s(α_{T-1}(s) + final_s)`, with `lp = log_softmax(x)`.
 *
 * With `G_STORE` = 1 (for the gradient), `alpha` holds every frame's row at `t S`, and from
 * `T S` on, per frame `t >= 1`, a row of `S + 1`: each state's sum `q_t(s)` (so that
 * `α_t(s) = m_{t-1} + log q_t(s) + lp_t(ext_s)`, `m_{t-1}` the previous frame's largest α)
 * and a last entry 1 when every `q` of the frame is valid (0 where the frame held NaN or
 * infinities). Otherwise `alpha` holds two rolling rows. Needs at least one frame.
 */
export function ctcForward(x: Float32Array | Float64Array, lab: Int32Array, logNorm: Float64Array, alpha: Float64Array, work: Float64Array, geo: Int32Array): number {
  const base = geo[G_BASE]!, strideT = geo[G_STRIDE_T]!, strideC = geo[G_STRIDE_C]!, frames = geo[G_FRAMES]!, states = geo[G_STATES]!;
  const labelLength = geo[G_LABEL_LENGTH]!, f32 = geo[G_F32] !== 0, store = geo[G_STORE] !== 0;
  // p(s) at work[p + 2 + s]; work[p], work[p + 1] are the zeros of p(-2), p(-1).
  const p = 1 + 2 * states + 2;
  const sums = frames * states, rowQ = states + 1;
  work[p] = 0;
  work[p + 1] = 0;
  let cur = 0;
  for (let s = 0; s < states; s++) alpha[s] = -Infinity;
  alpha[0] = x[base]! - logNorm[0]!;
  if (states > 1) alpha[1] = x[base + lab[1]! * strideC]! - logNorm[0]!;
  for (let t = 1, xt = base + strideT; t < frames; t++, xt += strideT) {
    const prev = cur;
    cur = store ? t * states : (t & 1) * states;
    const qRow = sums + t * rowQ;
    const norm = logNorm[t]!;
    // States past 2t + 1 cannot be reached yet.
    const top = Math.min(states - 1, 2 * t + 1), prevTop = Math.min(states - 1, 2 * t - 1);
    let m = -Infinity;
    for (let s = 0; s <= prevTop; s++) m = Math.max(m, alpha[prev + s]!);
    if (m > -Infinity && m < Infinity) {
      for (let s = 0; s <= prevTop; s++) work[p + 2 + s] = f32 ? expf(alpha[prev + s]! - m) : Math.exp(alpha[prev + s]! - m);
      for (let s = prevTop + 1; s <= top; s++) work[p + 2 + s] = 0;
      for (let s = 0; s <= top; s++) {
        const q = work[p + 2 + s]! + work[p + 1 + s]! + lab[states + s]! * work[p + s]!;
        const lp = x[xt + lab[s]! * strideC]! - norm;
        if (q >= TINY) alpha[cur + s] = m + (f32 ? logf(q) : Math.log(q)) + lp;
        else alpha[cur + s] = forwardState(alpha, prev, s, prevTop, lab[states + s]!, f32) + lp;
        if (store) alpha[qRow + s] = q;
      }
      if (store) {
        for (let s = top + 1; s < states; s++) alpha[qRow + s] = 0;
        alpha[qRow + states] = 1;
      }
    } else {
      // NaN or infinite log-probabilities: the plain recursion says where they go.
      for (let s = 0; s <= top; s++) alpha[cur + s] = forwardState(alpha, prev, s, prevTop, lab[states + s]!, f32) + x[xt + lab[s]! * strideC]! - norm;
      if (store) alpha[qRow + states] = 0;
    }
    for (let s = top + 1; s < states; s++) alpha[cur + s] = -Infinity;
  }
  let max = -Infinity;
  for (let s = 0; s < states; s++) {
    const v = alpha[cur + s]! + finalWeight(s, labelLength);
    if (v > max || v !== v) max = v;
  }
  if (max === -Infinity || max !== max) return max;
  let sum = 0;
  for (let s = 0; s < states; s++) sum += Math.exp(alpha[cur + s]! + finalWeight(s, labelLength) - max);
  return max + Math.log(sum);
}

/** Length of `alpha` for {@link ctcForward}: every frame's row and sums (`G_STORE`), or two rows. */
export function alphaSize(frames: number, states: number, store: boolean): number {
  return store ? frames * states + frames * (states + 1) : 2 * states;
}

/** The plain log-sum-exp of state `s`'s predecessors in row `prev` (those up to `prevTop` exist). */
function forwardState(alpha: Float64Array, prev: number, s: number, prevTop: number, skip: number, f32: boolean): number {
  const stay = s <= prevTop ? alpha[prev + s]! : -Infinity;
  if (s === 0) return stay;
  const step = s - 1 <= prevTop ? alpha[prev + s - 1]! : -Infinity;
  if (skip === 0 || s < 2) return logSumExp2(stay, step, f32);
  return logSumExp3(stay, step, s - 2 <= prevTop ? alpha[prev + s - 2]! : -Infinity, f32);
}

/**
 * Backward (β) recursion of one sample, writing `u · d(-log Z)/dx` into its gradient rows
 * (`grad[G_GRAD + t C + c]`, contiguous), `u = work[0]`:
 *
 * `β_{T-1}(s) = final_s`,
 * `β_t(s) = logsumexp over s' ∈ {s, s+1, s+2 if skip_{s+2}} of (β_{t+1}(s') + lp_{t+1}(ext_{s'}))`,
 * `γ_t(s) = exp(α_t(s) + β_t(s)) / Σ_s' exp(α_t(s') + β_t(s'))` (the state occupancy),
 * `d(-log Z)/dx[t, c] = softmax(x_t)[c] - Σ_{s: ext_s = c} γ_t(s)`.
 *
 * The step from `β_{t+1}` to `β_t` computes `p(s) = exp(β_{t+1}(s) + lp_{t+1}(ext_s) - m')`;
 * with the forward's `q_{t+1}(s)`, `exp(α_{t+1}(s) + β_{t+1}(s)) ∝ q_{t+1}(s) p(s)`, so frame
 * `t + 1`'s occupancy costs no `exp` (frame 0's, and a frame whose products underflow or
 * whose sums are not valid, take `exp(α + β - max)`).
 *
 * `alpha` as {@link ctcForward} leaves it with `G_STORE`; `probs` the frames' softmax
 * ({@link ctcFrameNorms}).
 */
export function ctcBackward(
  x: Float32Array | Float64Array,
  lab: Int32Array,
  logNorm: Float64Array,
  alpha: Float64Array,
  work: Float64Array,
  probs: Float64Array,
  grad: Float32Array | Float64Array,
  geo: Int32Array,
): void {
  const frames = geo[G_FRAMES]!, states = geo[G_STATES]!, labelLength = geo[G_LABEL_LENGTH]!;
  // Offsets in work: two β rows, next (two -Infinity pads), p (two 0 pads), occupancy, frame gradient.
  let beta = 1, older = beta + states;
  const next = older + states;
  work[next + states] = -Infinity;
  work[next + states + 1] = -Infinity;
  const p = next + states + 2;
  work[p + states] = 0;
  work[p + states + 1] = 0;
  for (let s = 0; s < states; s++) work[beta + s] = finalWeight(s, labelLength);
  const sums = frames * states, rowQ = states + 1;
  for (let t = frames - 2; t >= 0; t--) {
    // β_t into the other row; p(s) of frame t + 1 left in work[p + s] (0 when not valid).
    const valid = betaStep(x, lab, logNorm, work, geo, t, beta, older);
    // Frame t + 1's occupancy: q_{t+1}(s) p(s), or exp(α + β - max).
    const qRow = sums + (t + 1) * rowQ;
    let total = 0;
    if (valid && alpha[qRow + states] === 1) {
      for (let s = 0; s < states; s++) {
        const w = alpha[qRow + s]! * work[p + s]!;
        work[p + s] = w;
        total += w;
      }
    }
    if (total >= TINY && total < Infinity) frameGradient(lab, work, p, 1 / total, probs, grad, geo, t + 1);
    else occupancyByExp(lab, alpha, work, beta, probs, grad, geo, t + 1);
    const swap = beta;
    beta = older;
    older = swap;
  }
  occupancyByExp(lab, alpha, work, beta, probs, grad, geo, 0);
}

/**
 * One backward step: `β_t` (into `work[to + s]`) from `β_{t+1}` (`work[from + s]`). Leaves
 * `p(s) = exp(β_{t+1}(s) + lp_{t+1}(ext_s) - m')` in the p row and returns true, or returns
 * false where the frame held NaN or infinities (then β comes from the plain log-sum-exps).
 *
 * The states past the last label's blank (`s > 2 · labelLength`, the padding of the label
 * row, which TensorFlow's dense recursion keeps) can never reach a final state: their β is
 * TensorFlow's floor, ~707 below the others, too far for one shift. They only lead to each
 * other, so they get their own shift `m2`, and their `p` is then rescaled by `exp(m2 - m')`
 * (a product that underflows where it is negligible, and goes infinite or NaN, sending the
 * states that use it to the plain log-sum-exp, where it is not).
 */
function betaStep(x: Float32Array | Float64Array, lab: Int32Array, logNorm: Float64Array, work: Float64Array, geo: Int32Array, t: number, from: number, to: number): boolean {
  const strideC = geo[G_STRIDE_C]!, states = geo[G_STATES]!, f32 = geo[G_F32] !== 0;
  const next = 1 + 2 * states, p = next + states + 2;
  const xn = geo[G_BASE]! + (t + 1) * geo[G_STRIDE_T]!;
  const norm = logNorm[t + 1]!;
  // The last state that may reach a final state.
  const end = Math.min(states - 1, 2 * geo[G_LABEL_LENGTH]!);
  let m = -Infinity, m2 = -Infinity;
  for (let s = 0; s <= end; s++) {
    const v = work[from + s]! + x[xn + lab[s]! * strideC]! - norm;
    work[next + s] = v;
    m = Math.max(m, v);
  }
  for (let s = end + 1; s < states; s++) {
    const v = work[from + s]! + x[xn + lab[s]! * strideC]! - norm;
    work[next + s] = v;
    m2 = Math.max(m2, v);
  }
  if (!(m > -Infinity && m < Infinity)) {
    for (let s = 0; s < states; s++) work[to + s] = backwardState(work, next, s, lab[states + s + 2]!, f32);
    return false;
  }
  if (end + 1 < states) {
    if (m2 > -Infinity && m2 < Infinity) {
      for (let s = end + 1; s < states; s++) work[p + s] = f32 ? expf(work[next + s]! - m2) : Math.exp(work[next + s]! - m2);
      for (let s = end + 1; s < states; s++) {
        const q = work[p + s]! + work[p + s + 1]! + lab[states + s + 2]! * work[p + s + 2]!;
        if (q >= TINY) work[to + s] = m2 + (f32 ? logf(q) : Math.log(q));
        else work[to + s] = backwardState(work, next, s, lab[states + s + 2]!, f32);
      }
      const f = f32 ? expf(m2 - m) : Math.exp(m2 - m);
      for (let s = end + 1; s < states; s++) work[p + s] *= f;
    } else {
      for (let s = end + 1; s < states; s++) {
        work[to + s] = backwardState(work, next, s, lab[states + s + 2]!, f32);
        work[p + s] = m2 === -Infinity ? 0 : NaN;
      }
    }
  }
  for (let s = 0; s <= end; s++) work[p + s] = f32 ? expf(work[next + s]! - m) : Math.exp(work[next + s]! - m);
  for (let s = 0; s <= end; s++) {
    // skip_{s+2} at lab[states + s + 2] (0 past the last state).
    const q = work[p + s]! + work[p + s + 1]! + lab[states + s + 2]! * work[p + s + 2]!;
    if (q >= TINY && q < Infinity) work[to + s] = m + (f32 ? logf(q) : Math.log(q));
    else work[to + s] = backwardState(work, next, s, lab[states + s + 2]!, f32);
  }
  return true;
}

/** The plain log-sum-exp of state `s`'s successors in `work[next + …]` (two -Infinity pads past the end). */
function backwardState(work: Float64Array, next: number, s: number, skip: number, f32: boolean): number {
  if (skip !== 0) return logSumExp3(work[next + s]!, work[next + s + 1]!, work[next + s + 2]!, f32);
  return logSumExp2(work[next + s]!, work[next + s + 1]!, f32);
}

/** Frame `t`'s occupancy from `exp(α_t(s) + β_t(s) - max)` (β_t in `work[beta + s]`), into the p row, then its gradient. */
function occupancyByExp(lab: Int32Array, alpha: Float64Array, work: Float64Array, beta: number, probs: Float64Array, grad: Float32Array | Float64Array, geo: Int32Array, t: number): void {
  const states = geo[G_STATES]!, f32 = geo[G_F32] !== 0;
  const w = 1 + 3 * states + 2;
  const row = t * states;
  let max = -Infinity;
  for (let s = 0; s < states; s++) {
    const v = alpha[row + s]! + work[beta + s]!;
    work[w + s] = v;
    if (v > max || v !== v) max = v;
  }
  let total = 0;
  for (let s = 0; s < states; s++) {
    const e = f32 ? expf(work[w + s]! - max) : Math.exp(work[w + s]! - max);
    work[w + s] = e;
    total += e;
  }
  frameGradient(lab, work, w, 1 / total, probs, grad, geo, t);
}

/** Frame `t`'s gradient row: `u (softmax(x_t)[c] - Σ_{s: ext_s = c} work[w + s] · scale)`. */
function frameGradient(lab: Int32Array, work: Float64Array, w: number, scale: number, probs: Float64Array, grad: Float32Array | Float64Array, geo: Int32Array, t: number): void {
  const classes = geo[G_CLASSES]!, states = geo[G_STATES]!;
  const fg = 1 + 4 * states + 4;
  const upstream = work[0]!;
  for (let c = 0, o = t * classes; c < classes; c++, o++) work[fg + c] = probs[o]!;
  for (let s = 0; s < states; s++) work[fg + lab[s]!] -= work[w + s]! * scale;
  for (let c = 0, o = geo[G_GRAD]! + t * classes; c < classes; c++, o++) grad[o] = upstream * work[fg + c]!;
}
