// Custom losses, the way the Keras guides write them, with losskit's `ops`.
// Each gets sample weighting, masks, reductions, registration and serialization from
// losskit; a `backward` adds gradients. Prints each value beside the one expected (from
// Keras's losses_test.py, or worked out by hand in the comments) and exits non-zero if
// any differs.
// Run: node scripts/ensure-built.mjs && node examples/custom-loss.mjs
import {
  Loss,
  LossFunctionWrapper,
  MeanSquaredError,
  deserializeLoss,
  getLoss,
  numericalGrad,
  ops,
  registerLoss,
  serializeLoss,
  tensor,
  Tensor,
} from "../dist/index.js";

// 1. A function, as the Keras losses guide's `my_loss_fn`: per-sample values over the last axis.
function myLossFn(yTrue, yPred) {
  const squaredDifference = ops.square(ops.subtract(yTrue, yPred));
  return ops.mean(squaredDifference, -1); // note the axis=-1
}

// 2. A Loss subclass with an option, as the training guide's CustomMSE, plus its gradient.
class CustomMSE extends Loss {
  constructor({ regularizationFactor = 0.1, ...options } = {}) {
    super(options);
    this.regularizationFactor = regularizationFactor;
  }
  call(yTrue, yPred) {
    const mse = ops.mean(ops.square(ops.subtract(yTrue, yPred)), -1);
    const reg = ops.mean(ops.square(ops.subtract(0.5, yPred)), -1);
    return ops.add(mse, ops.multiply(reg, this.regularizationFactor));
  }
  // d(Σ upstream · values)/d yPred = upstream · (2/n) ((p - t) + f (p - 0.5))
  backward(yTrue, yPred, upstream) {
    const n = yPred.shape[yPred.rank - 1];
    const perElement = ops.add(ops.subtract(yPred, yTrue), ops.multiply(ops.subtract(yPred, 0.5), this.regularizationFactor));
    return ops.multiply(ops.multiply(perElement, 2 / n), ops.expandDims(upstream, -1));
  }
  getConfig() {
    return { ...super.getConfig(), regularizationFactor: this.regularizationFactor };
  }
}

// 3. A function with extra options, wrapped: a focal-like binary loss.
function binaryFocalLike(yTrue, yPred, { gamma = 2, alpha = 0.25 } = {}) {
  const p = ops.clip(yPred, 1e-7, 1 - 1e-7);
  const pt = ops.add(ops.multiply(yTrue, p), ops.multiply(ops.subtract(1, yTrue), ops.subtract(1, p)));
  const w = ops.add(ops.multiply(yTrue, alpha), ops.multiply(ops.subtract(1, yTrue), 1 - alpha));
  return ops.mean(ops.negative(ops.multiply(ops.multiply(w, ops.pow(ops.subtract(1, pt), gamma)), ops.log(pt))), -1);
}

const yTrue = [[1, 9, 2], [-5, -2, 6]];
const yPred = [[4, 8, 12], [8, 1, 3]];
const maxAbsDiff = (a, b) => Math.max(...Array.from(a.data).map((v, i) => Math.abs(v - b.data[i])));

const examples = [
  // Keras losses_test.py MeanSquaredErrorTest, with the function wrapped by getLoss
  { title: "getLoss(myLossFn)(yTrue, yPred)", run: () => getLoss(myLossFn)(yTrue, yPred), expected: 49.5 },
  { title: "getLoss(myLossFn)(yTrue, yPred, 2.3)", run: () => getLoss(myLossFn)(yTrue, yPred, 2.3), expected: 113.85 },
  { title: "getLoss(myLossFn)(yTrue, yPred, [[1.2], [3.4]])", run: () => getLoss(myLossFn)(yTrue, yPred, [[1.2], [3.4]]), expected: 767.8 / 6 },
  {
    title: 'new LossFunctionWrapper(myLossFn, { reduction: "none" })(yTrue, yPred, 2.3)',
    run: () => new LossFunctionWrapper(myLossFn, { reduction: "none" })(yTrue, yPred, 2.3),
    expected: [84.3333, 143.3666],
    atol: 1.5e-3,
  },
  // per-sample [0.5 + 0.1·0.25, 0.5 + 0.1·0.25]
  { title: "new CustomMSE()([[0, 1], [0, 0]], [[1, 1], [1, 0]])", run: () => new CustomMSE()([[0, 1], [0, 0]], [[1, 1], [1, 0]]), expected: 0.525 },
  // the mask keeps row 0 only: the mean over the one valid row is 0.525
  {
    title: "new CustomMSE()([[0, 1], [0, 0]], [[1, 1], [1, 0]], null, { mask: [1, 0] })",
    run: () => new CustomMSE()([[0, 1], [0, 0]], [[1, 1], [1, 0]], null, { mask: [1, 0] }),
    expected: 0.525,
  },
  // (.25·.25·ln2 + .75·.25·ln2) / 2 = .125·ln2
  {
    title: "new LossFunctionWrapper(binaryFocalLike, { gamma: 2, alpha: 0.25 })([[1, 0]], [[0.5, 0.5]])",
    run: () => new LossFunctionWrapper(binaryFocalLike, { gamma: 2, alpha: 0.25 })([[1, 0]], [[0.5, 0.5]]),
    expected: 0.125 * Math.LN2,
  },
  {
    title: "ops-based myLossFn equals the built-in MeanSquaredError (|difference|)",
    run: () => Math.abs(getLoss(myLossFn)(yTrue, yPred, [[1.2], [3.4]]) - new MeanSquaredError()(yTrue, yPred, [[1.2], [3.4]])),
    expected: 0,
  },
  {
    title: "CustomMSE backward vs numericalGrad (max |difference|)",
    run: () => {
      const loss = new CustomMSE({ regularizationFactor: 0.3 });
      const t = tensor(new Float64Array([0, 1, 0.2, 0.9, 0.5, 0.1]), [2, 3]);
      const p = tensor(new Float64Array([0.3, 0.6, 0.1, 0.7, 0.4, 0.8]), [2, 3]);
      return maxAbsDiff(loss.grad(t, p, [1, 2]), numericalGrad(loss, t, p, [1, 2]));
    },
    expected: 0,
    atol: 1e-8,
  },
  {
    title: "serializeLoss / deserializeLoss of a registered CustomMSE",
    run: () => {
      registerLoss("CustomMSE", CustomMSE);
      const json = JSON.stringify(serializeLoss(new CustomMSE({ regularizationFactor: 0.3, reduction: "sum" })));
      console.log(`     ${json}`);
      return deserializeLoss(JSON.parse(json))([[0, 1], [0, 0]], [[1, 1], [1, 0]]);
    },
    // sum of per-sample 0.5 + 0.3·0.25 over 2 rows
    expected: 1.15,
  },
];

const flatten = (x) => (typeof x === "number" ? [x] : x instanceof Tensor ? Array.from(x.toTypedArray("float64")) : x.flat(Infinity));
const show = (x) => (typeof x === "number" ? String(Number(x.toPrecision(8))) : `[${flatten(x).map((v) => Number(v.toPrecision(8))).join(", ")}]`);

let failures = 0;
for (const { title, run, expected, atol = 1e-6, rtol = 1e-5 } of examples) {
  const value = run();
  const got = flatten(value);
  const want = flatten(expected);
  const ok = got.length === want.length && got.every((v, i) => Math.abs(v - want[i]) <= atol + rtol * Math.abs(want[i]));
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${title}\n     losskit ${show(value)}   expected ${show(expected)}`);
}

try {
  new LossFunctionWrapper(binaryFocalLike).grad([[1, 0]], [[0.5, 0.5]]);
} catch (error) {
  console.log(`\nwithout a backward, grad() says how to add one:\n  ${error.name}: ${error.message}`);
}

console.log(`\n${examples.length - failures} of ${examples.length} examples match`);
if (failures > 0) process.exit(1);
