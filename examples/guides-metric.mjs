// The metric-learning losses the guides reach for, computed with losskit and printed
// beside the number TensorFlow Addons or the guide gives. Exits non-zero if any differs.
// Run: node examples/guides-metric.mjs   (after npm run build)
//
// Where TFA's tests compute their expected value with a NumPy reference (triplet_test.py,
// lifted_test.py), the `reference` column is that reference, ported below in float64.
// The split triplet losses are the Keras guide's formula ("Image similarity estimation
// using a Siamese Network with a triplet loss": max(‖a−p‖² − ‖a−n‖² + 0.5, 0), averaged
// by its loss tracker) and the FaceNet triplet_loss(alpha=0.2) of the Coursera
// face-recognition assignment (the same with reduce_sum), evaluated here in float64.
import * as lk from "../dist/index.js";

// ---- TFA's NumPy references (triplet_test.py, lifted_test.py), in float64 ----
function pairwiseDistanceNp(x) {
  return x.map((a) => x.map((b) => Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0))));
}
function tripletSemihardNp(labels, x, margin) {
  const d = pairwiseDistanceNp(x);
  let loss = 0, pairs = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      if (i === j || labels[i] !== labels[j]) continue;
      pairs++;
      const negs = x.map((_, k) => k).filter((k) => labels[k] !== labels[i]).map((k) => d[i][k]).sort((a, b) => a - b);
      let chosen = negs[0];
      for (const v of negs) {
        chosen = v;
        if (v > d[i][j]) break;
      }
      loss += Math.max(0, margin - chosen + d[i][j]);
    }
  }
  return loss / pairs;
}
function tripletHardNp(labels, x, margin) {
  const d = pairwiseDistanceNp(x);
  let loss = 0;
  for (let i = 0; i < x.length; i++) {
    const pos = [0, ...x.map((_, j) => j).filter((j) => j !== i && labels[j] === labels[i]).map((j) => d[i][j])];
    const neg = x.map((_, j) => j).filter((j) => labels[j] !== labels[i]).map((j) => d[i][j]);
    loss += Math.max(0, Math.max(...pos) - Math.min(...neg) + margin);
  }
  return loss / x.length;
}
function liftedNp(labels, x, margin) {
  const d = pairwiseDistanceNp(x);
  let loss = 0, pairs = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      if (i === j || labels[i] !== labels[j]) continue;
      const negs = [];
      for (let k = 0; k < x.length; k++) if (labels[k] !== labels[i]) negs.push(margin - d[i][k]);
      for (let k = 0; k < x.length; k++) if (labels[k] !== labels[j]) negs.push(margin - d[j][k]);
      const m = Math.max(...negs);
      const j2 = Math.max(Math.log(negs.reduce((s, v) => s + Math.exp(v - m), 0)) + m + d[i][j], 0);
      loss += j2 * j2;
      pairs++;
    }
  }
  return loss / pairs / 2;
}

// ---- The guides' split triplet losses, in float64 ----
const sq = (a, b) => a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0);
const guideTriplet = (a, p, n, margin) => a.map((ai, i) => Math.max(sq(ai, p[i]) - sq(ai, n[i]) + margin, 0));
const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;
const sum = (v) => v.reduce((s, x) => s + x, 0);
const side = (...blocks) => blocks[0].map((_, i) => blocks.flatMap((b) => b[i]));

// Labelled embeddings: 12 points on the unit circle in 4 classes of 3, each class around its own angle.
const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
const embeddings = labels.map((l, i) => {
  const angle = (l * Math.PI) / 2 + 0.45 * Math.sin(3.7 * i + 1);
  return [Math.cos(angle), Math.sin(angle)];
});
// Anchors, positives, negatives of 4 triplets (8-d embeddings) for the split losses.
const anchors = Array.from({ length: 4 }, (_, i) => Array.from({ length: 8 }, (_, k) => 0.5 * Math.sin(1.3 * i + 0.7 * k)));
const positives = anchors.map((row, i) => row.map((v, k) => v + 0.2 * Math.cos(i + k)));
const negatives = anchors.map((row, i) => row.map((v, k) => v + 0.3 * Math.sin(2 * i + k + 1)));
const f = [[1, 1], [1, -1], [-1, 1], [-1, -1]];
const similarity = f.map((a) => f.map((b) => a[0] * b[0] + a[1] * b[1]));
const gram = (x) => lk.ops.sum(lk.ops.multiply(lk.ops.expandDims(x, 1), lk.ops.expandDims(x, 0)), -1);

const examples = [
  // TensorFlow Addons docstrings and tests
  { title: "tripletSemihardLoss([0, 0], [[0, 1], [1, 0]])  (TFA docstring)", run: () => lk.tripletSemihardLoss([0, 0], [[0, 1], [1, 0]]), reference: 2.4142137 },
  { title: "tripletSemihardLoss(…, { distanceMetric: x ↦ x xᵀ })  (TFA docstring)", run: () => lk.tripletSemihardLoss([0, 0], [[0, 1], [1, 0]], { distanceMetric: gram }), reference: 1.0 },
  { title: "tripletHardLoss([0, 0], [[0, 1], [1, 0]])  (TFA docstring)", run: () => lk.tripletHardLoss([0, 0], [[0, 1], [1, 0]]), reference: 1.0 },
  { title: "tripletHardLoss(…, { distanceMetric: x ↦ x xᵀ })  (TFA docstring)", run: () => lk.tripletHardLoss([0, 0], [[0, 1], [1, 0]], { distanceMetric: gram }), reference: 0.0 },
  { title: "TripletSemiHardLoss() on 12 labelled unit embeddings  (TFA's NumPy reference)", run: () => new lk.TripletSemiHardLoss()(labels, embeddings), reference: tripletSemihardNp(labels, embeddings, 1) },
  { title: "TripletSemiHardLoss({ margin: 0.2 }) on the same  (TFA's NumPy reference)", run: () => new lk.TripletSemiHardLoss({ margin: 0.2 })(labels, embeddings), reference: tripletSemihardNp(labels, embeddings, 0.2) },
  { title: "TripletHardLoss() on the same  (TFA's NumPy reference)", run: () => new lk.TripletHardLoss()(labels, embeddings), reference: tripletHardNp(labels, embeddings, 1) },
  { title: "LiftedStructLoss() on the same  (TFA's NumPy reference)", run: () => new lk.LiftedStructLoss()(labels, embeddings), reference: liftedNp(labels, embeddings, 1) },
  { title: "NpairsLoss()([0, 1, 2, 3], f fᵀ)  (TFA npairs_test.py)", run: () => new lk.NpairsLoss()([0, 1, 2, 3], similarity), reference: 0.253856 },
  {
    title: "NpairsMultilabelLoss()(multi-hot, f fᵀ)  (TFA npairs_test.py)",
    run: () => new lk.NpairsMultilabelLoss()([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]], similarity),
    reference: 1.420522,
  },
  { title: "pairwiseDistance([[0.5, 0.5], [1, 1]])  (TFA metric_test.py)", run: () => lk.pairwiseDistance([[0.5, 0.5], [1, 1]]), reference: [0, Math.SQRT2 / 2, Math.SQRT2 / 2, 0] },
  // The guides' split triplet losses over [anchor | positive | negative]
  {
    title: 'TripletMarginLoss({ margin: 0.5, squared: true })  (Keras Siamese guide: mean of max(‖a−p‖² − ‖a−n‖² + 0.5, 0))',
    run: () => new lk.TripletMarginLoss({ margin: 0.5, squared: true })(0, side(anchors, positives, negatives)),
    reference: mean(guideTriplet(anchors, positives, negatives, 0.5)),
  },
  {
    title: 'TripletMarginLoss({ margin: 0.5, squared: true, reduction: "none" })  (the guide\'s per-triplet losses)',
    run: () => new lk.TripletMarginLoss({ margin: 0.5, squared: true, reduction: "none" })(0, side(anchors, positives, negatives)),
    reference: guideTriplet(anchors, positives, negatives, 0.5),
  },
  {
    title: 'TripletMarginLoss({ margin: 0.2, squared: true, reduction: "sum" })  (FaceNet triplet_loss, alpha = 0.2)',
    run: () => new lk.TripletMarginLoss({ margin: 0.2, squared: true, reduction: "sum" })(0, side(anchors, positives, negatives)),
    reference: sum(guideTriplet(anchors, positives, negatives, 0.2)),
  },
  {
    title: "FaceNet assignment check: anchors [[1,1],[2,0]], positives [[0,3],[1,1]], negatives [[1,0],[0,1]], alpha 1",
    run: () => new lk.TripletMarginLoss({ margin: 1, squared: true, reduction: "sum" })(0, side([[1, 1], [2, 0]], [[0, 3], [1, 1]], [[1, 0], [0, 1]])),
    reference: 5,
  },
];

const flatten = (x) => (typeof x === "number" ? [x] : x instanceof lk.Tensor ? Array.from(x.toTypedArray("float64")) : x.flat(Infinity));
const show = (x) => (typeof x === "number" ? String(Number(x.toPrecision(8))) : flatten(x).length === 1 ? String(Number(flatten(x)[0].toPrecision(8))) : `[${flatten(x).map((v) => Number(v.toPrecision(8))).join(", ")}]`);

let failures = 0;
// Tolerance: TFA's assert_allclose_according_to_type for float32, rtol = atol = 1e-6.
for (const { title, run, reference } of examples) {
  const value = run();
  const got = flatten(value);
  const want = flatten(reference);
  const ok = got.length === want.length && got.every((v, i) => Math.abs(v - want[i]) <= 1e-6 + 1e-6 * Math.abs(want[i]));
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${title}\n     losskit ${show(value)}   reference ${show(reference)}`);
}
console.log(`\n${examples.length - failures} of ${examples.length} examples match`);
if (failures > 0) process.exit(1);
