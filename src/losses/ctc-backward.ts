/**
 * The backward pass of the CTC loss and its gradient (the forward pass and the layouts:
 * ctc-kernels.ts, whose module comment explains the linear and log forms of a row).
 */
import { expf, logf } from "../math/fastmath";
import {
  G_BASE, G_CLASSES, G_F32, G_FRAMES, G_GRAD, G_LABEL_LENGTH, G_STATES, G_STRIDE_C, G_STRIDE_T,
  LINEAR, LOG, SPREAD, TINY, finalWeight, logSumExp2, logSumExp3, rowOf, rowToLog, scaleOf, workLayout,
} from "./ctc-kernels";

/** Offset of the β row kept for frame `t` in `work` (state s at `+ 2 + s`), and of its `[form, K, σ]`. */
function betaRowOf(t: number, states: number): number {
  return 2 + (t & 1) * (states + 2);
}
function betaScaleOf(t: number, states: number): number {
  return 2 + 2 * (states + 2) + 3 * (t & 1);
}

/**
 * Backward (β) recursion of one sample after {@link ctcForward} (with `G_STORE`), writing
 * `u · d(-log Z)/dx` into its gradient rows (`grad[G_GRAD + t C + c]`, contiguous), `u = work[0]`:
 *
 * `β_{T-1}(s) = final_s`,
 * `β_t(s) = logsumexp over s' ∈ {s, s+1, s+2 if skip_{s+2}} of (β_{t+1}(s') + lp_{t+1}(ext_{s'}))`,
 * `γ_t(s) = exp(α_t(s) + β_t(s)) / Σ_s' exp(α_t(s') + β_t(s'))` (the state occupancy),
 * `d(-log Z)/dx[t, c] = softmax(x_t)[c] - Σ_{s: ext_s = c} γ_t(s)`.
 */
export function ctcBackward(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, alpha: Float64Array, work: Float64Array, grad: Float32Array | Float64Array, geo: Int32Array): void {
  const states = geo[G_STATES]!, fg = workLayout(states) + 3 * (states + 2);
  for (let c = 0; c < geo[G_CLASSES]!; c++) work[fg + c] = 0;
  if (work[1] === 1) backwardFloorFree(x, lab, frames, alpha, work, grad, geo);
  else backwardFloored(x, lab, frames, alpha, work, grad, geo);
}

/**
 * The backward pass where TensorFlow's end-state floor is negligible: `β_{T-1}` is 0 on the
 * final states and -Infinity elsewhere, so only the states `[lo_t, 2 · labelLength]` that can
 * still reach a final state carry a value; linear rows where they stay normal doubles.
 */
function backwardFloorFree(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, alpha: Float64Array, work: Float64Array, grad: Float32Array | Float64Array, geo: Int32Array): void {
  const count = geo[G_FRAMES]!, states = geo[G_STATES]!, labelLength = geo[G_LABEL_LENGTH]!;
  const end = 2 * labelLength, toEnd = 3 * states + 2;
  const last = count - 1, r = betaRowOf(last, states) + 2, sc = betaScaleOf(last, states);
  work[r - 2] = 0;
  work[r - 1] = 0;
  for (let s = 0; s < states; s++) work[r + s] = 0;
  work[r + end] = 1;
  if (labelLength > 0) work[r + end - 1] = 1;
  work[sc] = LINEAR;
  work[sc + 1] = 0;
  work[sc + 2] = labelLength > 0 ? 2 : 1;
  let lo = labelLength > 0 ? end - 1 : end;
  frameOccupancy(lab, frames, alpha, work, grad, geo, last);
  for (let t = last - 1; t >= 0; t--) {
    const loNext = lo;
    while (lo > 0 && lab[toEnd + lo - 1]! <= last - t) lo--;
    if (work[betaScaleOf(t + 1, states)] === LINEAR) {
      const done = backwardLinear(lab, frames, alpha, work, geo, t, lo, loNext);
      if (done === OCCUPANCY_DONE) {
        frameGradient(frames, work, grad, geo, t, work[workLayout(states) + 2 * (states + 2)]!);
        continue;
      }
      if (done === FAILED) {
        betaRowToLog(work, t + 1, loNext, end, states, geo[G_F32] !== 0);
        backwardLog(x, lab, frames, work, geo, t, lo, loNext);
      }
    } else {
      backwardLog(x, lab, frames, work, geo, t, lo, loNext);
    }
    frameOccupancy(lab, frames, alpha, work, grad, geo, t);
  }
}

/** What {@link backwardLinear} did: nothing that counts, the β row, or the β row and the frame's occupancy. */
const FAILED = 0, ROW_DONE = 1, OCCUPANCY_DONE = 2;

/**
 * One linear backward step from frame `t + 1`'s β row (states `[loNext, end]`) to frame `t`'s
 * (states `[lo, end]`), walking the states from the last one down in blank/label pairs. When
 * frame `t`'s α row is linear too, the same pass gathers the occupancy `a_t(s) b_t(s)` per class
 * (the blanks' in a register) and leaves `1 / Σ` in the occupancy scratch for
 * {@link frameGradient}. Returns {@link FAILED} (frame `t + 1`'s row as it was, the frame
 * gradient scratch zeroed) when a state comes out below `TINY` or not finite.
 */
function backwardLinear(lab: Int32Array, frames: Float64Array, alpha: Float64Array, work: Float64Array, geo: Int32Array, t: number, lo: number, loNext: number): number {
  const states = geo[G_STATES]!, classes = geo[G_CLASSES]!, count = geo[G_FRAMES]!, end = 2 * geo[G_LABEL_LENGTH]!;
  const from = betaRowOf(t + 1, states) + 2, fs = betaScaleOf(t + 1, states);
  const to = betaRowOf(t, states) + 2, ts = betaScaleOf(t, states);
  const fr = rowOf(t, geo) + 2, gather = alpha[scaleOf(t, geo)] === LINEAR ? 1 : 0;
  const fg = workLayout(states) + 3 * (states + 2);
  const y = (t + 1) * classes;
  // n(s) = b_{t+1}(s) / σ_{t+1} · softmax_{t+1}(ext_s) ((b · scale) first, a normal double),
  // 0 outside [loNext, end]; b_t(s) = n(s) + n(s+1) + skip_{s+2} n(s+2), from the last state down.
  const scale = frames[count * classes + count + t + 1]! / work[fs + 2]!;
  let sum = 0, low = Infinity, n1 = 0, n2 = 0, blanks = 0, labels = 0;
  let s = end;
  // end = 2 · labelLength is a blank; pairs (blank s, label s - 1) while both are in range.
  for (; s > lo; s -= 2) {
    let n0 = s >= loNext ? work[from + s]! * scale * frames[y + lab[s]!]! : 0;
    let v = n0 + n1 + lab[states + s + 2]! * n2;
    work[to + s] = v;
    sum += v;
    low = Math.min(low, v);
    blanks += gather * alpha[fr + s]! * v;
    n2 = n1;
    n1 = n0;
    n0 = s - 1 >= loNext ? work[from + s - 1]! * scale * frames[y + lab[s - 1]!]! : 0;
    v = n0 + n1 + lab[states + s + 1]! * n2;
    work[to + s - 1] = v;
    sum += v;
    low = Math.min(low, v);
    const w = gather * alpha[fr + s - 1]! * v;
    labels += w;
    work[fg + lab[s - 1]!] += w;
    n2 = n1;
    n1 = n0;
  }
  if (s === lo) {
    const n0 = s >= loNext ? work[from + s]! * scale * frames[y + lab[s]!]! : 0;
    const v = n0 + n1 + lab[states + s + 2]! * n2;
    work[to + s] = v;
    sum += v;
    low = Math.min(low, v);
    blanks += gather * alpha[fr + s]! * v;
  }
  work[fg] += blanks;
  if (!(low >= TINY && sum < Infinity)) {
    for (let c = 0; c < classes; c++) work[fg + c] = 0;
    return FAILED;
  }
  for (let q = 0; q < lo; q++) work[to + q] = 0;
  for (let q = end + 1; q < states; q++) work[to + q] = 0;
  work[ts] = LINEAR;
  work[ts + 1] = work[fs + 1]! + (geo[G_F32] !== 0 ? logf(work[fs + 2]!) : Math.log(work[fs + 2]!));
  work[ts + 2] = sum;
  const total = blanks + labels;
  if (gather === 1 && total >= TINY && total < Infinity) {
    work[workLayout(states) + 2 * (states + 2)] = 1 / total;
    return OCCUPANCY_DONE;
  }
  for (let c = 0; c < classes; c++) work[fg + c] = 0;
  return ROW_DONE;
}

/** Frame `t`'s linear β row rewritten in log form over `[lo, end]`: `K + log b(s)`, -Infinity elsewhere. */
function betaRowToLog(work: Float64Array, t: number, lo: number, end: number, states: number, f32: boolean): void {
  const o = betaRowOf(t, states) + 2, sc = betaScaleOf(t, states);
  const shift = work[sc + 1]!;
  for (let s = 0; s < states; s++) {
    const b = work[o + s]!;
    work[o + s] = s >= lo && s <= end ? shift + (f32 ? logf(b) : Math.log(b)) : -Infinity;
  }
  work[sc] = LOG;
}

/**
 * One log backward step from frame `t + 1`'s β row (log, states `[loNext, end]`) to frame
 * `t`'s (states `[lo, end]`), then back to the linear form where the states lie within `SPREAD`.
 */
function backwardLog(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, work: Float64Array, geo: Int32Array, t: number, lo: number, loNext: number): void {
  const states = geo[G_STATES]!, strideC = geo[G_STRIDE_C]!, f32 = geo[G_F32] !== 0, end = 2 * geo[G_LABEL_LENGTH]!;
  const from = betaRowOf(t + 1, states) + 2, to = betaRowOf(t, states) + 2, ts = betaScaleOf(t, states);
  const next = workLayout(states), p = next + states + 2;
  const xn = geo[G_BASE]! + (t + 1) * geo[G_STRIDE_T]!, norm = frames[geo[G_FRAMES]! * geo[G_CLASSES]! + t + 1]!;
  let m = -Infinity;
  for (let s = lo; s < loNext; s++) work[next + s] = -Infinity;
  for (let s = loNext; s <= end; s++) {
    const v = work[from + s]! + x[xn + lab[s]! * strideC]! - norm;
    work[next + s] = v;
    m = Math.max(m, v);
  }
  work[next + end + 1] = -Infinity;
  work[next + end + 2] = -Infinity;
  let top = -Infinity, low = Infinity;
  const finite = m > -Infinity && m < Infinity;
  if (finite) for (let s = lo; s <= end + 2; s++) work[p + s] = f32 ? expf(work[next + s]! - m) : Math.exp(work[next + s]! - m);
  for (let s = lo; s <= end; s++) {
    let v: number;
    if (finite) {
      const q = work[p + s]! + work[p + s + 1]! + lab[states + s + 2]! * work[p + s + 2]!;
      v = q >= TINY && q < Infinity ? m + (f32 ? logf(q) : Math.log(q)) : backwardState(work, next, s, lab[states + s + 2]!);
    } else {
      v = backwardState(work, next, s, lab[states + s + 2]!);
    }
    work[to + s] = v;
    top = Math.max(top, v);
    low = Math.min(low, v);
  }
  for (let s = 0; s < lo; s++) work[to + s] = -Infinity;
  for (let s = end + 1; s < states; s++) work[to + s] = -Infinity;
  work[ts] = LOG;
  if (top < Infinity && top - low <= SPREAD) {
    let sum = 0;
    for (let s = 0; s < states; s++) {
      const b = s >= lo && s <= end ? (f32 ? expf(work[to + s]! - top) : Math.exp(work[to + s]! - top)) : 0;
      work[to + s] = b;
      sum += b;
    }
    work[to - 2] = 0;
    work[to - 1] = 0;
    work[ts] = LINEAR;
    work[ts + 1] = top;
    work[ts + 2] = sum;
  }
}

/** The plain log-sum-exp of state `s`'s successors in `work[next + …]` (-Infinity past the last). */
function backwardState(work: Float64Array, next: number, s: number, skip: number): number {
  if (skip !== 0) return logSumExp3(work[next + s]!, work[next + s + 1]!, work[next + s + 2]!);
  return logSumExp2(work[next + s]!, work[next + s + 1]!);
}

/**
 * Frame `t`'s occupancy and gradient row. Both rows linear: `γ(s) ∝ a_t(s) b_t(s)` (no
 * `exp`), unless that sum underflows; otherwise `γ(s) ∝ exp(α_t(s) + β_t(s) - max)` with the
 * linear rows read as `L + log a`. The occupancy is gathered per class in the frame-gradient
 * scratch, which is all zeros between frames.
 */
function frameOccupancy(lab: Int32Array, frames: Float64Array, alpha: Float64Array, work: Float64Array, grad: Float32Array | Float64Array, geo: Int32Array, t: number): void {
  const states = geo[G_STATES]!, f32 = geo[G_F32] !== 0;
  const fr = rowOf(t, geo) + 2, fs = scaleOf(t, geo), br = betaRowOf(t, states) + 2, bs = betaScaleOf(t, states);
  const occ = workLayout(states) + 2 * (states + 2), fg = occ + states + 2;
  const forwardLinear = alpha[fs] === LINEAR, backLinear = work[bs] === LINEAR;
  if (forwardLinear && backLinear) {
    // Even states are blanks (class 0): their sum in a register, not added through memory.
    let blanks = 0, labels = 0;
    for (let s = 0; s + 1 < states; s += 2) {
      const w0 = alpha[fr + s]! * work[br + s]!, w1 = alpha[fr + s + 1]! * work[br + s + 1]!;
      blanks += w0;
      labels += w1;
      work[fg + lab[s + 1]!] += w1;
    }
    blanks += alpha[fr + states - 1]! * work[br + states - 1]!;
    work[fg] += blanks;
    const total = blanks + labels;
    if (total >= TINY && total < Infinity) {
      frameGradient(frames, work, grad, geo, t, 1 / total);
      return;
    }
    for (let s = 0; s < states; s++) work[fg + lab[s]!] = 0;
  }
  const fShift = forwardLinear ? alpha[fs + 1]! : 0, bShift = backLinear ? work[bs + 1]! : 0;
  let max = -Infinity;
  for (let s = 0; s < states; s++) {
    const a = forwardLinear ? fShift + (f32 ? logf(alpha[fr + s]!) : Math.log(alpha[fr + s]!)) : alpha[fr + s]!;
    const b = backLinear ? bShift + (f32 ? logf(work[br + s]!) : Math.log(work[br + s]!)) : work[br + s]!;
    const w = a + b;
    work[occ + s] = w;
    if (w > max || w !== w) max = w;
  }
  let total = 0;
  for (let s = 0; s < states; s++) {
    const e = f32 ? expf(work[occ + s]! - max) : Math.exp(work[occ + s]! - max);
    total += e;
    work[fg + lab[s]!] += e;
  }
  frameGradient(frames, work, grad, geo, t, 1 / total);
}

/**
 * Frame `t`'s gradient row, `u (softmax_t[c] - occupancy[c] · scale)` with the occupancy per
 * class in the frame-gradient scratch, which it leaves zeroed.
 */
function frameGradient(frames: Float64Array, work: Float64Array, grad: Float32Array | Float64Array, geo: Int32Array, t: number, scale: number): void {
  const classes = geo[G_CLASSES]!, states = geo[G_STATES]!, count = geo[G_FRAMES]!;
  const fg = workLayout(states) + 3 * (states + 2);
  const upstream = work[0]!, iz = frames[count * classes + count + t]!;
  for (let c = 0, o = t * classes, g = geo[G_GRAD]! + t * classes; c < classes; c++, o++, g++) {
    grad[g] = upstream * (frames[o]! * iz - work[fg + c]! * scale);
    work[fg + c] = 0;
  }
}

/**
 * The backward pass with TensorFlow's end-state floor (an alignment that barely fits or does
 * not): every row in log form, `β_{T-1}(s) = final_s`, every state of the padded row.
 */
function backwardFloored(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, alpha: Float64Array, work: Float64Array, grad: Float32Array | Float64Array, geo: Int32Array): void {
  const count = geo[G_FRAMES]!, states = geo[G_STATES]!, labelLength = geo[G_LABEL_LENGTH]!, f32 = geo[G_F32] !== 0;
  const minT = 2 * states + 2;
  for (let t = 0, k = states > 1 ? 1 : 0; t < count; t++) {
    while (k + 1 < states && lab[minT + k + 1]! <= t) k++;
    if (alpha[scaleOf(t, geo)] === LINEAR) rowToLog(alpha, rowOf(t, geo), scaleOf(t, geo), k, states, f32);
  }
  const last = count - 1, r = betaRowOf(last, states) + 2;
  for (let s = 0; s < states; s++) work[r + s] = finalWeight(s, labelLength);
  work[betaScaleOf(last, states)] = LOG;
  frameOccupancy(lab, frames, alpha, work, grad, geo, last);
  for (let t = last - 1; t >= 0; t--) {
    betaStep(x, lab, frames, work, geo, t, betaRowOf(t + 1, states) + 2, betaRowOf(t, states) + 2);
    work[betaScaleOf(t, states)] = LOG;
    frameOccupancy(lab, frames, alpha, work, grad, geo, t);
  }
}

/**
 * One floored backward step: `β_t` (into `work[to + s]`) from `β_{t+1}` (`work[from + s]`).
 *
 * The states past the last label's blank (`s > 2 · labelLength`, the padding of the label
 * row, which TensorFlow's dense recursion keeps) can never reach a final state: their β is
 * TensorFlow's floor, ~707 below the others, too far for one shift. They only lead to each
 * other, so they get their own shift `m2`; the last real states read the first two of them
 * rescaled by `exp(m2 - m)` (a product that underflows where it is negligible, and goes
 * infinite or NaN, sending the states that use it to the plain log-sum-exp, where it is not).
 */
function betaStep(x: Float32Array | Float64Array, lab: Int32Array, frames: Float64Array, work: Float64Array, geo: Int32Array, t: number, from: number, to: number): void {
  const strideC = geo[G_STRIDE_C]!, states = geo[G_STATES]!, f32 = geo[G_F32] !== 0;
  const next = workLayout(states), p = next + states + 2;
  const xn = geo[G_BASE]! + (t + 1) * geo[G_STRIDE_T]!;
  const norm = frames[geo[G_FRAMES]! * geo[G_CLASSES]! + t + 1]!;
  const end = Math.min(states - 1, 2 * geo[G_LABEL_LENGTH]!);
  work[next + states] = -Infinity;
  work[next + states + 1] = -Infinity;
  work[p + states] = 0;
  work[p + states + 1] = 0;
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
    for (let s = 0; s < states; s++) work[to + s] = backwardState(work, next, s, lab[states + s + 2]!);
    return;
  }
  // The padding states' shift; m when they hold no finite value (their sums then go to the plain path).
  const shift2 = m2 > -Infinity && m2 < Infinity ? m2 : m;
  for (let s = 0; s < states; s++) {
    const shift = s <= end ? m : shift2;
    work[p + s] = f32 ? expf(work[next + s]! - shift) : Math.exp(work[next + s]! - shift);
  }
  const f = shift2 === m ? 1 : Math.exp(shift2 - m);
  for (let s = states - 1; s >= 0; s--) {
    if (s === end) {
      // The last real states read the first two padding states' p, on the scale of m.
      if (end + 1 < states) work[p + end + 1] *= f;
      if (end + 2 < states) work[p + end + 2] *= f;
    }
    const q = work[p + s]! + work[p + s + 1]! + lab[states + s + 2]! * work[p + s + 2]!;
    if (q >= TINY && q < Infinity) work[to + s] = (s <= end ? m : shift2) + (f32 ? logf(q) : Math.log(q));
    else work[to + s] = backwardState(work, next, s, lab[states + s + 2]!);
  }
}
