// Batch-1 calls of one or more losskit builds, interleaved in one process (per-call overhead):
//
//   node bench/batch1-compare.mjs <buildA>/dist/index.js [<buildB>/dist/index.js …]
//
// The same six calls as the batch-1 section of npm run bench (B1 … B4g), each run 200,000
// times in a row per round (a call is far below the timer's resolution), builds alternating
// round by round, 7 rounds; prints the median µs per call of each build and B/A.
// Numbers here are for comparing builds on a busy machine; npm run bench reports the target.
const libs = [];
for (const f of process.argv.slice(2)) libs.push(await import(new URL(f, `file://${process.cwd()}/`).href));
if (libs.length === 0) throw new Error("usage: node bench/batch1-compare.mjs <build>/dist/index.js [<other build>/dist/index.js]");
const mk = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random(); return a; };
function casesFor(lk) {
  const t2 = new lk.Tensor(mk(128), [1, 128]), p2 = new lk.Tensor(mk(128), [1, 128]);
  const t1 = new lk.Tensor(mk(1), [1, 1]), p1 = new lk.Tensor(mk(1), [1, 1]);
  const t4 = new lk.Tensor(Float32Array.of(0,0,1,0,0,0,0,0,0,0), [1, 10]), p4 = new lk.Tensor(mk(10), [1, 10]);
  const t3 = new lk.Tensor(Float32Array.from(mk(128), (x) => +(x > 0.5)), [1, 128]);
  const mse = new lk.MeanSquaredError(), cce = new lk.CategoricalCrossentropy({ fromLogits: true }), bce = new lk.BinaryCrossentropy({ fromLogits: true });
  const g1 = new Float32Array(1), g4 = new Float32Array(10);
  return { B1: () => mse(t1, p1), B1g: () => mse.valueAndGrad(t1, p1, null, { out: g1 }), B2: () => mse(t2, p2), B3: () => bce(t3, p2), B4: () => cce(t4, p4), B4g: () => cce.valueAndGrad(t4, p4, null, { out: g4 }) };
}
const all = libs.map(casesFor);
const res = all.map(() => ({}));
for (let round = 0; round < 7; round++) {
  for (let l = 0; l < all.length; l++) {
    for (const [k, f] of Object.entries(all[l])) {
      const N = 2e5; for (let i = 0; i < 2e4; i++) f();
      const s = performance.now(); for (let i = 0; i < N; i++) f();
      (res[l][k] ??= []).push((performance.now() - s) / N * 1000);
    }
  }
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const k of Object.keys(res[0])) console.log(k, res.map((r) => med(r[k]).toFixed(3)).join(' / '), 'µs', res.length > 1 ? (med(res[1][k]) / med(res[0][k])).toFixed(2) : '');
