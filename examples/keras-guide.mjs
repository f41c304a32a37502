// The examples of the Keras losses guide and docstrings, computed with losskit and
// printed beside the value Keras documents. Exits non-zero if any differs.
// Run: npm run example   (builds dist/ first when needed)
import * as lk from "../dist/index.js";

const examples = [
  {
    title: "MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55])",
    run: () => new lk.MeanSquaredError()([12, 20, 29, 60], [14, 18, 27, 55]),
    keras: 9.25,
  },
  {
    title: 'getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55])',
    run: () => lk.getLoss("mse")([12, 20, 29, 60], [14, 18, 27, 55]),
    keras: 9.25,
  },
  {
    title: 'MeanSquaredError({ reduction: "none" })([[0, 1], [0, 0]], [[1, 1], [1, 0]])',
    run: () => new lk.MeanSquaredError({ reduction: "none" })([[0, 1], [0, 0]], [[1, 1], [1, 0]]),
    keras: [0.5, 0.5],
  },
  {
    title: "MeanAbsoluteError()([[0, 1], [0, 0]], [[1, 1], [1, 0]])",
    run: () => new lk.MeanAbsoluteError()([[0, 1], [0, 0]], [[1, 1], [1, 0]]),
    keras: 0.5,
  },
];

const flatten = (x) => (typeof x === "number" ? [x] : x instanceof lk.Tensor ? Array.from(x.toTypedArray("float64")) : x.flat(Infinity));
const show = (x) => (typeof x === "number" ? String(Number(x.toPrecision(8))) : `[${flatten(x).map((v) => Number(v.toPrecision(8))).join(", ")}]`);

let failures = 0;
for (const { title, run, keras, rtol = 1e-5 } of examples) {
  const value = run();
  const got = flatten(value);
  const want = flatten(keras);
  const ok = got.length === want.length && got.every((v, i) => Math.abs(v - want[i]) <= 1e-6 + rtol * Math.abs(want[i]));
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${title}\n     losskit ${show(value)}   keras ${show(keras)}`);
}
console.log(`\n${examples.length - failures} of ${examples.length} examples match Keras`);
if (failures > 0) process.exit(1);
