/**
 * Independent float64 references for the metric-learning tests: ports of the NumPy
 * reference implementations in TensorFlow Addons' tests (`triplet_test.py`,
 * `lifted_test.py`) and of the formulas the other losses are defined by. Written as
 * plainly as TFA wrote them (loops, sorts, no shared code with src/).
 */
import { Tensor } from "../src/index";
import { rng } from "./helpers";

export type Matrix = number[][];

/** triplet_test.py `pairwise_distance_np`: norms of row differences, symmetric, zero diagonal. */
export function pairwiseDistanceNp(feature: Matrix, squared = false): Matrix {
  const n = feature.length;
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < feature[i]!.length; k++) s += (feature[j]![k]! - feature[i]![k]!) ** 2;
      let d = Math.sqrt(s);
      if (squared) d = d ** 2;
      out[i]![j] = d;
      out[j]![i] = d;
    }
  }
  return out;
}

/** triplet_test.py `angular_distance_np`: 1 - cosine similarity (no clamp, no epsilon). */
export function angularDistanceNp(feature: Matrix): Matrix {
  const normed = feature.map((row) => {
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / norm);
  });
  return normed.map((a) => normed.map((b) => 1 - a.reduce((s, v, k) => s + v * b[k]!, 0)));
}

/** triplet_test.py `triplet_semihard_loss_np`. */
export function tripletSemihardLossNp(labels: number[], embedding: Matrix, margin: number, distFunc: (x: Matrix) => Matrix): number {
  const n = embedding.length;
  const pdist = distFunc(embedding);
  let loss = 0;
  let numPositives = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (labels[i] === labels[j] && i !== j) {
        numPositives += 1;
        const pos = pdist[i]![j]!;
        const negs: number[] = [];
        for (let k = 0; k < n; k++) if (labels[i] !== labels[k]) negs.push(pdist[i]![k]!);
        negs.sort((a, b) => a - b);
        let chosen = negs[0]!;
        for (let m = 0; m < negs.length; m++) {
          chosen = negs[m]!;
          if (chosen > pos) break;
        }
        loss += Math.max(0, margin - chosen + pos);
      }
    }
  }
  return loss / numPositives;
}

/** triplet_test.py `triplet_hard_loss_np`. */
export function tripletHardLossNp(labels: number[], embedding: Matrix, margin: number, distFunc: (x: Matrix) => Matrix, soft = false): number {
  const n = embedding.length;
  const pdist = distFunc(embedding);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let j = 0; j < n; j++) {
      if (labels[i] !== labels[j]) neg.push(pdist[i]![j]!);
      if (labels[i] === labels[j] && i !== j) pos.push(pdist[i]![j]!);
    }
    // "if there are no positive pairs, distance is 0"
    if (pos.length === 0) pos.push(0);
    neg.sort((a, b) => a - b);
    pos.sort((a, b) => b - a);
    const x = pos[0]! - neg[0]!;
    loss += soft ? Math.log1p(Math.exp(x)) : Math.max(0, x + margin);
  }
  return loss / n;
}

/** lifted_test.py `lifted_struct_loss_np`. */
export function liftedStructLossNp(labels: number[], embedding: Matrix, margin: number): number {
  const n = embedding.length;
  const pdist = pairwiseDistanceNp(embedding);
  let loss = 0;
  let numConstraints = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (labels[i] === labels[j] && i !== j) {
        const dPos = pdist[i]![j]!;
        const negs: number[] = [];
        for (let k = 0; k < n; k++) if (labels[i] !== labels[k]) negs.push(margin - pdist[i]![k]!);
        for (let m = 0; m < n; m++) if (labels[j] !== labels[m]) negs.push(margin - pdist[j]![m]!);
        const maxElem = Math.max(...negs);
        const softMaximum = Math.log(negs.reduce((s, v) => s + Math.exp(v - maxElem), 0)) + maxElem;
        numConstraints += 1;
        const thisLoss = Math.max(softMaximum + dPos, 0);
        loss += thisLoss * thisLoss;
      }
    }
  }
  return loss / numConstraints / 2;
}

/** `np.random.rand(n, d).astype(np.float32)` from a seeded generator. */
export function randomEmbedding(n: number, d: number, seed: number): Matrix {
  const random = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => Math.fround(random())));
}

/** `np.random.randint(0, classes, size=n)` from a seeded generator, with at least two classes present. */
export function randomLabels(n: number, classes: number, seed: number): number[] {
  const random = rng(seed);
  for (;;) {
    const labels = Array.from({ length: n }, () => Math.floor(random() * classes));
    if (new Set(labels).size >= 2) return labels;
  }
}

/** A float64 `Tensor` of a matrix. */
export function matrix64(m: Matrix): Tensor {
  return new Tensor(new Float64Array(m.flat()), [m.length, m[0]?.length ?? 0]);
}
