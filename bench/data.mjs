// Fixed-seed data generators. Every implementation of a workload reads the same arrays.
//
// The generator is xoshiro128** seeded through splitmix32, normals come from the
// Box-Muller transform; everything is stored as float32, as a Keras model would hand
// its losses float32 tensors.

/** A seeded generator of uniforms in [0, 1) (32 random bits). */
export function rng(seed) {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  return function next() {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

function rotl(x, k) {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Standard normals scaled by `sigma` (Box-Muller, both outputs used). */
export function fillNormal(out, random, sigma = 1, mean = 0) {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - random(); // (0, 1]
    const u2 = random();
    const r = Math.sqrt(-2 * Math.log(u1)) * sigma;
    out[i] = mean + r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = mean + r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Uniforms in the open interval (0, 1) as float32 (0 and 1 are never produced). */
export function fillOpenUniform(out, random) {
  for (let i = 0; i < out.length; i++) {
    let v;
    do v = Math.fround(random()); while (v <= 0 || v >= 1);
    out[i] = v;
  }
  return out;
}

/** Integers in [lo, hi]. */
export function randomInt(random, lo, hi) {
  return lo + Math.floor(random() * (hi - lo + 1));
}

const SEEDS = { regression: 1, binary: 2, probabilities: 3, classes: 4, distributions: 5, hinge: 6, segmentation: 7, ctc: 8, circle: 9 };

/**
 * Datasets, keyed by name. Each takes its sizes and returns plain typed arrays plus
 * their shapes. Sizes: `B` (batch) and the feature size (`D`, `C`, ...).
 */
export const DATASETS = {
  /** yTrue ~ N(0,1), yPred = yTrue + N(0,1), both [B, D]. */
  regression({ B, D }) {
    const random = rng(SEEDS.regression);
    const yTrue = fillNormal(new Float32Array(B * D), random);
    const noise = fillNormal(new Float32Array(B * D), random);
    const yPred = new Float32Array(B * D);
    for (let i = 0; i < yPred.length; i++) yPred[i] = yTrue[i] + noise[i];
    return { yTrue, yPred, shape: [B, D], B, D };
  },
  /** Labels in {0, 1}, logits ~ N(0, 3^2), both [B, D]. */
  binary({ B, D }) {
    const random = rng(SEEDS.binary);
    const yTrue = new Float32Array(B * D);
    for (let i = 0; i < yTrue.length; i++) yTrue[i] = random() < 0.5 ? 0 : 1;
    const yPred = fillNormal(new Float32Array(B * D), random, 3);
    return { yTrue, yPred, shape: [B, D], B, D };
  },
  /** Labels in {0, 1}, probabilities uniform in the open interval (0, 1), both [B, D]. */
  probabilities({ B, D }) {
    const random = rng(SEEDS.probabilities);
    const yTrue = new Float32Array(B * D);
    for (let i = 0; i < yTrue.length; i++) yTrue[i] = random() < 0.5 ? 0 : 1;
    const yPred = fillOpenUniform(new Float32Array(B * D), random);
    return { yTrue, yPred, shape: [B, D], B, D };
  },
  /** Class indices [B] (as float32 and int32), their one-hot rows [B, C], logits ~ N(0, 3^2) [B, C]. */
  classes({ B, C }) {
    const random = rng(SEEDS.classes);
    const labels = new Float32Array(B);
    const labelsInt = new Int32Array(B);
    const oneHot = new Float32Array(B * C);
    for (let r = 0; r < B; r++) {
      const k = Math.min(C - 1, Math.floor(random() * C));
      labels[r] = k;
      labelsInt[r] = k;
      oneHot[r * C + k] = 1;
    }
    const logits = fillNormal(new Float32Array(B * C), random, 3);
    return { labels, labelsInt, oneHot, logits, shape: [B, C], B, C };
  },
  /** Two sets of probability rows [B, C]: uniforms normalized to sum to 1 per row. */
  distributions({ B, C }) {
    const random = rng(SEEDS.distributions);
    const rows = () => {
      const out = fillOpenUniform(new Float32Array(B * C), random);
      for (let r = 0; r < B; r++) {
        let sum = 0;
        for (let k = 0; k < C; k++) sum += out[r * C + k];
        for (let k = 0; k < C; k++) out[r * C + k] /= sum;
      }
      return out;
    };
    const yTrue = rows();
    const yPred = rows();
    return { yTrue, yPred, shape: [B, C], B, C };
  },
  /** Labels in {-1, +1}, predictions ~ N(0, 1), both [B, D]. */
  hinge({ B, D }) {
    const random = rng(SEEDS.hinge);
    const yTrue = new Float32Array(B * D);
    for (let i = 0; i < yTrue.length; i++) yTrue[i] = random() < 0.5 ? -1 : 1;
    const yPred = fillNormal(new Float32Array(B * D), random);
    return { yTrue, yPred, shape: [B, D], B, D };
  },
  /** Binary masks and sigmoid probabilities, [B, H, W, 1] with H*W = D. */
  segmentation({ B, D }) {
    const random = rng(SEEDS.segmentation);
    const side = Math.max(1, Math.round(Math.sqrt(D)));
    const n = B * side * side;
    const yTrue = new Float32Array(n);
    const yPred = new Float32Array(n);
    const logits = fillNormal(new Float32Array(n), random, 2);
    for (let i = 0; i < n; i++) {
      yTrue[i] = random() < 0.3 ? 1 : 0;
      // Predictions correlated with the mask, as a half-trained model's.
      yPred[i] = 1 / (1 + Math.exp(-(logits[i] + (yTrue[i] ? 1.5 : -1.5))));
    }
    return { yTrue, yPred, shape: [B, side, side, 1], B, D: side * side };
  },
  /**
   * CTC: labels [B, L] in 1..C-1 (0 is the blank), each row a random length in
   * [L/2, L] padded with 0 at the end; logits ~ N(0, 1) [B, T, C].
   */
  ctc({ B, T, C, L }) {
    const random = rng(SEEDS.ctc);
    const labels = new Float32Array(B * L);
    const labelsInt = new Int32Array(B * L);
    const lengths = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const len = randomInt(random, Math.ceil(L / 2), L);
      lengths[b] = len;
      for (let j = 0; j < len; j++) {
        const k = randomInt(random, 1, C - 1);
        labels[b * L + j] = k;
        labelsInt[b * L + j] = k;
      }
    }
    const logits = fillNormal(new Float32Array(B * T * C), random);
    return { labels, labelsInt, lengths, logits, B, T, C, L };
  },
  /** Circle: integer labels [B] over `K` classes, L2-normalized embeddings [B, E]. */
  circle({ B, E, K }) {
    const random = rng(SEEDS.circle);
    const labels = new Float32Array(B);
    const labelsInt = new Int32Array(B);
    for (let i = 0; i < B; i++) labelsInt[i] = labels[i] = Math.floor(random() * K);
    // Class centers plus noise, normalized: positives are closer than negatives.
    const centers = fillNormal(new Float32Array(K * E), random);
    const embeddings = fillNormal(new Float32Array(B * E), random, 0.8);
    for (let i = 0; i < B; i++) {
      let ss = 0;
      for (let k = 0; k < E; k++) {
        const v = embeddings[i * E + k] + centers[labelsInt[i] * E + k];
        embeddings[i * E + k] = v;
        ss += embeddings[i * E + k] * embeddings[i * E + k];
      }
      const inv = 1 / Math.sqrt(ss);
      for (let k = 0; k < E; k++) embeddings[i * E + k] *= inv;
    }
    return { labels, labelsInt, embeddings, B, E, K };
  },
};

/** Generated datasets, kept while the workloads that share them run. */
const cache = new Map();

export function dataset(name, sizes) {
  const key = `${name}:${JSON.stringify(sizes)}`;
  let data = cache.get(key);
  if (!data) {
    if (cache.size >= 2) cache.delete(cache.keys().next().value);
    data = DATASETS[name](sizes);
    cache.set(key, data);
  }
  return data;
}

export function clearDatasets() {
  cache.clear();
}
