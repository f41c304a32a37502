/**
 * Pairwise distances of a batch of embeddings, as TensorFlow Addons' `metric_learning.py`
 * computes them, and their backward passes: what the pairwise metric-learning losses
 * (triplet, lifted) share. Every loss here computes one `[B, B]` distance matrix in one
 * O(B²·D) pass, mines on it, and sends `d loss / d distances` back through the same
 * geometry into the embeddings.
 */
import { ConfigError, GradientNotImplementedError, InputError, ShapeError, describeValue, formatShape } from "../../errors";
import { closestNames } from "../../suggest";
import { toTensor, type TensorLike } from "../../tensor/convert";
import { Tensor, allocate, type DType, type FloatArray } from "../../tensor/tensor";

/**
 * A user distance: `(embeddings [B, D]) => distances [B, B]` (TFA's callable
 * `distance_metric`). For gradients, give it a `backward(embeddings, upstream)` returning
 * `d(Σ upstream ⊙ distances) / d embeddings` (shape `[B, D]`); without one, `grad()`
 * throws a `GradientNotImplementedError`. A loss holding a function cannot be serialized.
 */
export interface DistanceFunction {
  (embeddings: Tensor): TensorLike;
  backward?: (embeddings: Tensor, upstream: Tensor) => TensorLike;
}

/** TFA's `distance_metric`: `"L2"`, `"squared-L2"`, `"angular"` (case-sensitive, as TFA) or a function. */
export type DistanceMetric = "L2" | "squared-L2" | "angular" | DistanceFunction;

const METRIC_NAMES: readonly string[] = ["L2", "squared-L2", "angular"];

/** Throw a `ConfigError` unless `value` is a distance metric. */
export function checkDistanceMetric(lossName: string, value: unknown): void {
  if (typeof value === "function") return;
  if (typeof value === "string" && METRIC_NAMES.includes(value)) return;
  const hint = typeof value === "string" ? closestNames(value, METRIC_NAMES, 1) : [];
  throw new ConfigError(
    `${lossName}: distanceMetric must be "L2", "squared-L2", "angular" or a function (embeddings) => [batch, batch] distances, received ${describeValue(value)}` +
      (hint.length ? ` (did you mean "${hint[0]}"?)` : ""),
  );
}

/** Integer labels of shape `[n]` or `[n, 1]` read into doubles (TFA reshapes them to `[n, 1]`). */
export function readLabels(labels: Tensor, n: number, againstShape: readonly number[]): Float64Array {
  const ok = (labels.rank === 1 && labels.shape[0] === n) || (labels.rank === 2 && labels.shape[0] === n && labels.shape[1] === 1);
  if (!ok) {
    throw new ShapeError(`yTrue has shape ${formatShape(labels.shape)} but yPred has shape ${formatShape(againstShape)}; expected integer labels of shape [${n}] or [${n},1]`);
  }
  const out = new Float64Array(n);
  const stride = labels.strides[0]!;
  for (let i = 0; i < n; i++) {
    const v = labels.data[labels.offset + i * stride]!;
    if (!Number.isInteger(v)) throw new InputError(`yTrue must hold integer labels, received ${v} at index ${i}`);
    out[i] = v;
  }
  return out;
}

/** A `[batch, dim]` block of embeddings as one contiguous float64 array (one loop type for both dtypes). */
export interface Embeddings {
  x: Float64Array;
  batch: number;
  dim: number;
  /** False when an element is NaN or ±Infinity: the losses are then NaN, and so are their gradients. */
  finite: boolean;
}

/** Check that `t` is `[batch, dim]` and read it; `what` names it in errors. */
export function readEmbeddings(t: Tensor, what = "yPred"): Embeddings {
  if (t.rank !== 2) throw new ShapeError(`${what} must hold embeddings of shape [batch, dim], received shape ${formatShape(t.shape)}`);
  const [batch, dim] = t.shape as [number, number];
  const x = t.dtype === "float64" && t.isContiguous && t.offset === 0 ? (t.data as Float64Array) : (t.toTypedArray("float64") as Float64Array);
  return { x, batch, dim, finite: allFinite(x, batch * dim) };
}

function allFinite(x: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (x[i]! - x[i]! !== 0) return false;
  return true;
}

/**
 * `out[i, j] = Σ_k (x_ik - x_jk)²`, symmetric, one pass over the pairs `i <= j`. The
 * diagonal is `Σ (x_ik - x_ik)²`: 0, or NaN for a row holding NaN or ±Infinity (TFA's
 * zeroing multiply gives NaN there too). Differences, not `|x_i|² + |x_j|² - 2 x_i·x_j`:
 * no cancellation, so the result is never negative and TFA's clamp of tiny negatives
 * never has to act. Four rows `i` at a time against each row `j`: every `x_j` element
 * loaded once serves four pairs (1.4x faster than pair by pair at B = 512, D = 128).
 */
function squaredDistanceMatrix(x: Float64Array, batch: number, dim: number, out: Float64Array): void {
  let i = 0;
  for (; i + 3 < batch; i += 4) {
    const a0 = i * dim, a1 = a0 + dim, a2 = a1 + dim, a3 = a2 + dim;
    for (let j = i + 4; j < batch; j++) {
      const b = j * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < dim; k++) {
        const v = x[b + k]!;
        const e0 = x[a0 + k]! - v, e1 = x[a1 + k]! - v, e2 = x[a2 + k]! - v, e3 = x[a3 + k]! - v;
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
      }
      out[i * batch + j] = out[j * batch + i] = s0;
      out[(i + 1) * batch + j] = out[j * batch + i + 1] = s1;
      out[(i + 2) * batch + j] = out[j * batch + i + 2] = s2;
      out[(i + 3) * batch + j] = out[j * batch + i + 3] = s3;
    }
    squaredDistanceBlock(x, i, i + 4, batch, dim, out);
  }
  squaredDistanceBlock(x, i, batch, batch, dim, out);
}

/** The pairs `lo <= p <= q < hi` of `squaredDistanceMatrix`, one at a time. */
function squaredDistanceBlock(x: Float64Array, lo: number, hi: number, batch: number, dim: number, out: Float64Array): void {
  for (let p = lo; p < hi; p++) {
    for (let q = p; q < hi; q++) {
      let s = 0;
      for (let k = 0, a = p * dim, b = q * dim; k < dim; k++) {
        const e = x[a + k]! - x[b + k]!;
        s += e * e;
      }
      out[p * batch + q] = out[q * batch + p] = s;
    }
  }
}

function sqrtInPlace(d: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) d[i] = Math.sqrt(d[i]!);
}

/**
 * TFA's `angular_distance`: rows normalized as `tf.math.l2_normalize` does
 * (`x / sqrt(max(Σx², ε))`, ε = 1e-12), then `max(1 - n_i·n_j, 0)` for every pair, the
 * diagonal included (not forced to 0). Leaves the normalized rows in `normalized` and
 * the squared norms `Σx²` in `squaredNorm` for the backward pass.
 */
function angularDistanceMatrix(x: Float64Array, batch: number, dim: number, epsilon: number, normalized: Float64Array, squaredNorm: Float64Array, out: Float64Array): void {
  for (let i = 0; i < batch; i++) {
    const xi = i * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[xi + k]! * x[xi + k]!;
    squaredNorm[i] = s;
    const r = inverseNorm(s, epsilon);
    for (let k = 0; k < dim; k++) normalized[xi + k] = x[xi + k]! * r;
  }
  for (let i = 0; i < batch; i++) {
    for (let j = i; j < batch; j++) {
      const d = Math.max(1 - dot(normalized, i * dim, j * dim, dim), 0);
      out[i * batch + j] = d;
      out[j * batch + i] = d;
    }
  }
}

/**
 * `1 / sqrt(max(Σx², ε))`, the factor of `tf.math.l2_normalize`; the forward and backward
 * passes both compute it here, so they agree to the bit. Math.max keeps a NaN, as
 * tf.maximum does; an infinite row gives Infinity · 0 = NaN, as in TF.
 */
function inverseNorm(squaredNorm: number, epsilon: number): number {
  return 1 / Math.sqrt(Math.max(squaredNorm, epsilon));
}

/** `Σ_k v[a + k] · v[b + k]`, summed the same way in the forward and backward passes. */
function dot(v: Float64Array, a: number, b: number, dim: number): number {
  let s0 = 0, s1 = 0, k = 0;
  for (; k + 1 < dim; k += 2) {
    s0 += v[a + k]! * v[b + k]!;
    s1 += v[a + k + 1]! * v[b + k + 1]!;
  }
  if (k < dim) s0 += v[a + k]! * v[b + k]!;
  return s0 + s1;
}

/** A computed distance matrix and what its backward pass needs. */
export interface DistanceMatrix {
  /** `[batch, batch]`, row-major. */
  d: Float64Array;
  metric: DistanceMetric;
  /** Angular: the rows divided by their norm, `[batch, dim]`. */
  normalized?: Float64Array;
  /** Angular: `Σx²` of each row, `[batch]`. */
  squaredNorm?: Float64Array;
}

/** `tf.math.l2_normalize`'s ε in the loss dtype. */
function normalizeEpsilon(dtype: DType): number {
  return dtype === "float32" ? Math.fround(1e-12) : 1e-12;
}

/**
 * The distance matrix of `emb` under `metric`. `embeddings` is the tensor a user function
 * receives (yPred as the loss converted it).
 */
export function computeDistances(emb: Embeddings, embeddings: Tensor, metric: DistanceMetric, dtype: DType): DistanceMatrix {
  const { x, batch, dim } = emb;
  const d = new Float64Array(batch * batch);
  if (metric === "L2" || metric === "squared-L2") {
    squaredDistanceMatrix(x, batch, dim, d);
    if (metric === "L2") sqrtInPlace(d, batch * batch);
    return { d, metric };
  }
  if (metric === "angular") {
    const normalized = new Float64Array(batch * dim);
    const squaredNorm = new Float64Array(batch);
    angularDistanceMatrix(x, batch, dim, normalizeEpsilon(dtype), normalized, squaredNorm, d);
    return { d, metric, normalized, squaredNorm };
  }
  const result = toTensor(metric(embeddings), { name: "distanceMetric(embeddings)", dtype: "float64" });
  if (result.rank !== 2 || result.shape[0] !== batch || result.shape[1] !== batch) {
    throw new ShapeError(`distanceMetric(embeddings) returned shape ${formatShape(result.shape)}, expected [${batch},${batch}] for embeddings of shape ${formatShape(embeddings.shape)}`);
  }
  d.set(result.toTypedArray("float64"));
  return { d, metric };
}

/** True when the matrix holds a NaN (a user function may return one from finite embeddings). */
export function hasNaN(d: Float64Array): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] !== d[i]) return true;
  return false;
}

/**
 * `grad += d(Σ g ⊙ D) / d x` for Euclidean distances: each pair `i < j` with
 * `D_ij > 0` moves `x_i` by `c (x_i - x_j)` and `x_j` by the opposite, with
 * `c = (g_ij + g_ji) / D_ij` (L2) or `2 (g_ij + g_ji)` (squared). Pairs at distance 0 and
 * the diagonal get no gradient: TFA multiplies them by a zero mask. Pairs with
 * `g_ij + g_ji = 0` are skipped, so a sparse `g` (hard mining) costs O(nonzeros · D).
 */
function euclideanBackward(x: Float64Array, batch: number, dim: number, d: Float64Array, g: Float64Array, squared: boolean, out: Float64Array): void {
  for (let i = 0; i < batch; i++) {
    const xi = i * dim;
    for (let j = i + 1; j < batch; j++) {
      const h = g[i * batch + j]! + g[j * batch + i]!;
      if (h === 0) continue;
      const dij = d[i * batch + j]!;
      if (!(dij > 0)) continue;
      const c = squared ? 2 * h : h / dij;
      const xj = j * dim;
      for (let k = 0; k < dim; k++) {
        const e = c * (x[xi + k]! - x[xj + k]!);
        out[xi + k] += e;
        out[xj + k] -= e;
      }
    }
  }
}

/**
 * `grad += d(Σ g ⊙ D) / d x` for angular distances `D = max(1 - n_i·n_j, 0)`:
 * `∂/∂c_ij = -g_ij` where `1 - c_ij >= 0` (tf.maximum passes the gradient at a tie), then
 * `∂/∂n_i = Σ_j (∂/∂c_ij + ∂/∂c_ji) n_j`, then through the normalization:
 * `r (∂n - n (n·∂n))` for a row with `Σx² >= ε`, `r ∂n` below it (r = 1/sqrt(ε) is a constant there).
 * `normalized` and `squaredNorm` are what {@link angularDistanceMatrix} left.
 */
function angularBackward(normalized: Float64Array, squaredNorm: Float64Array, batch: number, dim: number, epsilon: number, d: Float64Array, g: Float64Array, out: Float64Array): void {
  const gn = new Float64Array(batch * dim);
  for (let i = 0; i < batch; i++) {
    const ni = i * dim;
    for (let j = i; j < batch; j++) {
      const h = i === j ? 2 * g[i * batch + i]! : g[i * batch + j]! + g[j * batch + i]!;
      if (h === 0) continue;
      const nj = j * dim;
      if (d[i * batch + j] === 0) {
        // Clamped (1 - c < 0: no gradient) or exactly 0 (gradient passes): recompute c.
        if (1 - dot(normalized, ni, nj, dim) < 0) continue;
      }
      if (i === j) {
        for (let k = 0; k < dim; k++) gn[ni + k] -= h * normalized[ni + k]!;
        continue;
      }
      for (let k = 0; k < dim; k++) {
        gn[ni + k] -= h * normalized[nj + k]!;
        gn[nj + k] -= h * normalized[ni + k]!;
      }
    }
  }
  for (let i = 0; i < batch; i++) {
    const ni = i * dim;
    const s = squaredNorm[i]!;
    const r = inverseNorm(s, epsilon);
    if (s >= epsilon) {
      let projection = 0;
      for (let k = 0; k < dim; k++) projection += normalized[ni + k]! * gn[ni + k]!;
      for (let k = 0; k < dim; k++) out[ni + k] += r * (gn[ni + k]! - normalized[ni + k]! * projection);
    } else {
      for (let k = 0; k < dim; k++) out[ni + k] += r * gn[ni + k]!;
    }
  }
}

/**
 * The gradient of `Σ g ⊙ D` with respect to the embeddings, as a contiguous `[batch, dim]`
 * tensor of `dtype`. Non-finite embeddings (or a NaN from a user metric) give NaN
 * everywhere, as autodiff through the NaN loss does.
 */
export function distanceBackward(dm: DistanceMatrix, emb: Embeddings, embeddings: Tensor, g: Float64Array, dtype: DType, nan: boolean, lossName: string): Tensor {
  const { x, batch, dim } = emb;
  const out = new Float64Array(batch * dim);
  if (nan) {
    out.fill(NaN);
  } else if (dm.metric === "L2" || dm.metric === "squared-L2") {
    euclideanBackward(x, batch, dim, dm.d, g, dm.metric === "squared-L2", out);
  } else if (dm.metric === "angular") {
    angularBackward(dm.normalized!, dm.squaredNorm!, batch, dim, normalizeEpsilon(dtype), dm.d, g, out);
  } else {
    const backward = dm.metric.backward;
    if (typeof backward !== "function") {
      throw new GradientNotImplementedError(
        `${lossName}: the distanceMetric function${dm.metric.name ? ` (${dm.metric.name})` : ""} has no backward; give it a backward(embeddings, upstream) returning d(Σ upstream·distances)/d embeddings of shape [${batch},${dim}], or use "L2", "squared-L2" or "angular"`,
      );
    }
    const given = toTensor(backward(embeddings, new Tensor(g, [batch, batch])), { name: "distanceMetric.backward(embeddings, upstream)", dtype: "float64" });
    if (given.rank !== 2 || given.shape[0] !== batch || given.shape[1] !== dim) {
      throw new ShapeError(`distanceMetric.backward(embeddings, upstream) returned shape ${formatShape(given.shape)}, expected the embeddings' shape [${batch},${dim}]`);
    }
    out.set(given.toTypedArray("float64"));
  }
  return new Tensor(dtype === "float64" ? out : Float32Array.from(out), [batch, dim]);
}

/** A rank-0 tensor of `dtype` holding `value`. */
export function scalar(value: number, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}

/** Options of {@link pairwiseDistance}. */
export interface PairwiseDistanceOptions {
  /** Return squared distances. Default false. */
  squared?: boolean;
  /** Element type of the result; default: the embeddings' (float32 for nested arrays). */
  dtype?: DType;
}

function helperInput(name: string, embeddings: TensorLike, options: unknown, known: readonly string[]): { t: Tensor; emb: Embeddings; dtype: DType } {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new ConfigError(`${name} options must be an object like { ${known[0]}: … }, received ${describeValue(options)}`);
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) throw new ConfigError(`${key} is not an option of ${name}; its options are ${known.join(", ")}`);
  }
  const dtype = record.dtype;
  if (dtype !== undefined && dtype !== "float32" && dtype !== "float64") {
    throw new ConfigError(`Invalid value for argument dtype. Expected "float32" or "float64". Received: dtype=${describeValue(dtype)}`);
  }
  const t = toTensor(embeddings, { name: "embeddings", dtype: dtype as DType | undefined });
  return { t, emb: readEmbeddings(t, "embeddings"), dtype: (dtype as DType | undefined) ?? t.dtype };
}

function toDtype(d: Float64Array, shape: number[], dtype: DType): Tensor {
  const out: FloatArray = dtype === "float64" ? d : Float32Array.from(d);
  return new Tensor(out, shape);
}

/**
 * The matrix of Euclidean distances between the rows of `embeddings` (TensorFlow Addons'
 * `pairwise_distance`).
 *
 * `out[i, j] = ‖e_i − e_j‖₂` (or its square with `squared: true`). As in TFA, the result is
 * never negative and the diagonal is exactly 0; losskit sums the squared differences
 * directly in double precision, so near-duplicate rows give their true tiny distance
 * instead of the clamped cancellation error of TFA's `‖e_i‖² + ‖e_j‖² − 2 e_i·e_j` in
 * float32. A row holding NaN or ±Infinity gives non-finite distances.
 *
 * Options: `squared` (default false), `dtype` (default: the embeddings').
 * Shapes: `embeddings` `[B, D]` → `[B, B]`.
 *
 * Reference: TensorFlow Addons, `tfa.losses.metric_learning.pairwise_distance`.
 *
 * @example
 * pairwiseDistance([[0.5, 0.5], [1.0, 1.0]]).toArray()
 * // [[0, 0.70710677], [0.70710677, 0]]
 * pairwiseDistance([[0.5, 0.5], [1.0, 1.0]], { squared: true }).toArray()
 * // [[0, 0.5], [0.5, 0]]
 */
export function pairwiseDistance(embeddings: TensorLike, options: PairwiseDistanceOptions = {}): Tensor {
  const { emb, dtype } = helperInput("pairwiseDistance", embeddings, options, ["squared", "dtype"]);
  const squared = options.squared ?? false;
  if (typeof squared !== "boolean") throw new ConfigError(`pairwiseDistance: squared must be a boolean, received ${describeValue(squared)}`);
  const { x, batch, dim } = emb;
  const d = new Float64Array(batch * batch);
  squaredDistanceMatrix(x, batch, dim, d);
  if (!squared) sqrtInPlace(d, batch * batch);
  return toDtype(d, [batch, batch], dtype);
}

/** Options of {@link angularDistance}. */
export interface AngularDistanceOptions {
  /** Element type of the result; default: the embeddings' (float32 for nested arrays). */
  dtype?: DType;
}

/**
 * The matrix of angular (cosine) distances between the rows of `embeddings` (TensorFlow
 * Addons' `angular_distance`).
 *
 * `out[i, j] = max(1 − n_i·n_j, 0)` with `n_i = e_i / sqrt(max(‖e_i‖², 1e-12))`
 * (`tf.math.l2_normalize`). As in TFA the diagonal is computed, not set: it is 0 up to
 * rounding, and 1 for an all-zero row.
 *
 * Options: `dtype` (default: the embeddings'). Shapes: `embeddings` `[B, D]` → `[B, B]`.
 *
 * Reference: TensorFlow Addons, `tfa.losses.metric_learning.angular_distance`.
 *
 * @example
 * angularDistance([[1, 0], [0, 2], [-3, 0]]).toArray()
 * // [[0, 1, 2], [1, 0, 1], [2, 1, 0]]
 */
export function angularDistance(embeddings: TensorLike, options: AngularDistanceOptions = {}): Tensor {
  const { emb, dtype } = helperInput("angularDistance", embeddings, options, ["dtype"]);
  const { x, batch, dim } = emb;
  const d = new Float64Array(batch * batch);
  angularDistanceMatrix(x, batch, dim, normalizeEpsilon(dtype), new Float64Array(batch * dim), new Float64Array(batch), d);
  return toDtype(d, [batch, batch], dtype);
}
