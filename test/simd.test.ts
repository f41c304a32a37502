import { beforeAll, describe, expect, it } from "vitest";
import {
  disableSimd,
  enableSimd,
  simdBinaryCrossentropy,
  simdBinaryCrossentropyFromLogits,
  simdBinaryFocalCrossentropy,
  simdBinaryFocalCrossentropyFromLogits,
  simdCategoricalCrossentropy,
  simdCategoricalCrossentropyFromLogits,
  simdCategoricalFocalCrossentropy,
  simdCategoricalFocalCrossentropyFromLogits,
  simdExportsForTesting,
  simdKLDivergence,
  simdLogCosh,
  simdPoisson,
  simdSparseCategoricalCrossentropyFromLogits,
  simdStatus,
} from "../src/simd/index";
import {
  ConfigError,
  InputError,
  ShapeError,
  binaryCrossentropy,
  binaryFocalCrossentropy,
  categoricalCrossentropy,
  categoricalFocalCrossentropy,
  klDivergence,
  logCosh,
  poisson,
  sparseCategoricalCrossentropy,
  tensor,
} from "../src/index";

// The SIMD kernels against the JavaScript kernels (the reference), on random and extreme
// inputs.
//
// The bound. A SIMD kernel computes each element's terms in float32 (exp/log within 2 float32
// ulps) and sums rows in float64; the JS kernels compute the terms in float64 and store float32.
// So the two differ by a few float32 roundings of every quantity the computation goes through.
// For each kernel the test computes, in float64 from the inputs, the magnitude M of those
// quantities (the sum of the absolute values of the terms, and of what each rounding scales:
// e.g. for a softmax, |x - max| times the probability, because x - max is rounded before exp)
// and requires
//
//     |simd - js| <= 16 * 2^-24 * M          (values per row, and every gradient element)
//
// plus 2^-125 absolute (see FLOOR); NaN where the JS kernel gives NaN, the same infinity where
// it gives one, and exact zeros where it gives an exact zero gradient (clipped probabilities,
// ignored rows). The largest observed |simd - js| / (2^-24 M) is 2.1 (BCE's gradient); the last
// test of the comparisons asserts it stays under 4, so that the margin does not erode unnoticed.

const ULP = 2 ** -24;
const K = 16;
/**
 * An absolute floor of 2^-125 (2.4e-38): the kernels' exp flushes results below 2^-126 to 0 where
 * the JS kernels keep subnormals (an e^(x - max) of 1e-40 in a softmax gradient, a sigmoid
 * gradient of 1e-39 for a logit of 90).
 */
const FLOOR = 2 ** -125;

// ---------------------------------------------------------------------------------------------
// Data

/** A fixed-seed generator of uniforms in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function normal(random: () => number, sigma = 1): number {
  const u1 = 1 - random(), u2 = random();
  return sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

const EPS32 = Math.fround(1e-7);
const ONE_MINUS_EPS32 = Math.fround(1 - 1e-7);
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
/** The float32 next to x in direction dir. */
function next32(x: number, dir: 1 | -1): number {
  f32buf[0] = x;
  if (x === 0) {
    u32buf[0] = 1;
    return dir * f32buf[0]!;
  }
  u32buf[0] = u32buf[0]! + ((x > 0) === (dir > 0) ? 1 : -1);
  return f32buf[0]!;
}

interface Case {
  label: string;
  rows: number;
  n: number;
  yTrue: Float32Array;
  yPred: Float32Array;
  upstream: Float64Array;
}

function makeCase(label: string, rows: number, n: number, seed: number, fill: (random: () => number, t: Float32Array, p: Float32Array, rows: number, n: number) => void): Case {
  const random = rng(seed);
  const yTrue = new Float32Array(rows * n), yPred = new Float32Array(rows * n);
  fill(random, yTrue, yPred, rows, n);
  const upstream = new Float64Array(rows);
  for (let r = 0; r < rows; r++) upstream[r] = r % 7 === 3 ? 0 : (0.5 + random()) * (r % 2 ? -1 : 1);
  return { label, rows, n, yTrue, yPred, upstream };
}

/** Row shapes: tails of 1-3 lanes, single elements, wide rows, blocks of rows. */
const SHAPES: [number, number][] = [[64, 1], [33, 3], [40, 5], [16, 8], [21, 33], [12, 1000], [300, 130]];

/** Sprinkle special values over p: one in `every` elements taken from `specials`. */
function sprinkle(random: () => number, p: Float32Array, specials: number[], every: number): void {
  for (let i = 0; i < p.length; i++) if (random() * every < 1) p[i] = specials[Math.floor(random() * specials.length)]!;
}

const LOGIT_SPECIALS = [0, -0, 1e-30, -1e-30, 20, -20, 88, -88, 89, -89, 104, -104, 1e4, -1e4, 3e38, -3e38];
const PROBABILITY_SPECIALS = [0, 1, EPS32, ONE_MINUS_EPS32, next32(EPS32, -1), next32(EPS32, 1), next32(ONE_MINUS_EPS32, 1), next32(ONE_MINUS_EPS32, -1), 1e-30, 0.5, 1e-4, 1 - 2 ** -20];

function binaryLabels(random: () => number, t: Float32Array, soft: boolean): void {
  for (let i = 0; i < t.length; i++) t[i] = soft ? random() : random() < 0.5 ? 0 : 1;
}

function oneHot(random: () => number, t: Float32Array, rows: number, n: number, soft: boolean): void {
  for (let r = 0; r < rows; r++) {
    if (soft) {
      let s = 0;
      for (let k = 0; k < n; k++) s += t[r * n + k] = random();
      for (let k = 0; k < n; k++) t[r * n + k] = t[r * n + k]! / s;
    } else {
      t[r * n + Math.floor(random() * n)] = 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

interface Worst {
  value: number;
  grad: number;
}
const worst: Record<string, Worst> = {};

function note(kernel: string, kind: keyof Worst, ratio: number): void {
  const w = (worst[kernel] ??= { value: 0, grad: 0 });
  if (ratio > w[kind]) w[kind] = ratio;
}

/** Every element of `actual` against `expected` within `K ULP bound[i]`, with NaN/infinity/zero rules. */
function expectAgree(kernel: string, kind: keyof Worst, where: string, actual: ArrayLike<number>, expected: ArrayLike<number>, bound: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const at = `${kernel} ${kind} ${where}[${i}]: simd ${a}, js ${e}`;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`${at}: expected NaN`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) throw new Error(`${at}: expected ${e}`);
      continue;
    }
    const b = bound[i]!;
    if (!Number.isFinite(a)) throw new Error(`${at}: not finite (bound ${b})`);
    const d = Math.abs(a - e);
    if (d === 0) continue;
    if (!(d <= K * ULP * b + FLOOR)) throw new Error(`${at}: differ by ${d}, more than ${K} * 2^-24 * ${b} + 2^-125 = ${K * ULP * b + FLOOR}`);
    if (d > FLOOR) note(kernel, kind, (d - FLOOR) / (ULP * b));
  }
}

type Entry = (
  yTrue: Float32Array, yPred: Float32Array, rows: number, n: number, out: Float32Array | Float64Array,
  grad?: Float32Array | null, upstream?: Float64Array | Float32Array | null, options?: never,
) => boolean;

interface Handle {
  (yTrue: unknown, yPred: unknown, options?: object): { data: ArrayLike<number> };
  vjp(yTrue: unknown, yPred: unknown, upstream: unknown, options?: object): { data: ArrayLike<number> };
}

/** The JS kernel's per-row values and vjp gradient, through its public function handle. */
function viaHandle(handle: unknown, c: Case, options: object, yTrue: unknown = tensor(c.yTrue, [c.rows, c.n])) {
  const h = handle as Handle;
  const P = tensor(c.yPred, [c.rows, c.n]);
  return {
    values: h(yTrue, P, options).data as Float32Array,
    grad: h.vjp(yTrue, P, tensor(c.upstream, [c.rows]), options).data as Float32Array,
  };
}

type Bounds = (c: Case, value: Float32Array, grad: Float32Array) => { value: Float64Array; grad: Float64Array };

/** Runs the SIMD entry point (values only, then fused) and compares it with the JS kernel's results. */
function compare(
  kernel: string, c: Case, simd: Entry, simdOptions: object | undefined, js: { values: Float32Array; grad: Float32Array }, bounds: Bounds,
  yTrue: Float32Array | Int32Array = c.yTrue,
): { values: Float64Array; grad: Float32Array } {
  const { rows, n, yPred, upstream } = c;
  const t0 = yTrue.slice(), p0 = yPred.slice();
  const valuesOnly = new Float64Array(rows).fill(-1);
  expect(simd(yTrue as Float32Array, yPred, rows, n, valuesOnly, null, null, simdOptions as never)).toBe(true);
  const values = new Float64Array(rows).fill(-1);
  const grad = new Float32Array(rows * n).fill(-1);
  expect(simd(yTrue as Float32Array, yPred, rows, n, values, grad, upstream, simdOptions as never)).toBe(true);
  // inputs untouched; the fused call gives the same values as the values-only call, bit for bit
  for (let i = 0; i < t0.length; i++) if (!Object.is(yTrue[i], t0[i])) throw new Error(`${kernel} ${c.label}: yTrue[${i}] was modified`);
  for (let i = 0; i < p0.length; i++) if (!Object.is(yPred[i], p0[i])) throw new Error(`${kernel} ${c.label}: yPred[${i}] was modified`);
  for (let r = 0; r < rows; r++) if (!Object.is(values[r], valuesOnly[r])) throw new Error(`${kernel} ${c.label}: fused value ${values[r]} != value-only ${valuesOnly[r]} at row ${r}`);
  const b = bounds(c, js.values, js.grad);
  expectAgree(kernel, "value", c.label, values, js.values, b.value);
  expectAgree(kernel, "grad", c.label, grad, js.grad, b.grad);
  return { values, grad };
}

// ---------------------------------------------------------------------------------------------

describe("simd: lifecycle", () => {
  it("reports inactive, returns false without writing, then enables asynchronously, disables and re-enables", async () => {
    disableSimd();
    expect(simdStatus()).toMatchObject({ active: false, state: "disabled" });
    const out = new Float64Array(2).fill(7);
    expect(simdLogCosh(new Float32Array([0, 1, 0, 0]), new Float32Array([1, 1, 0, 0]), 2, 2, out)).toBe(false);
    expect(Array.from(out)).toEqual([7, 7]);
    // invalid arguments throw whether or not SIMD is active
    expect(() => simdLogCosh(new Float32Array(3), new Float32Array(4), 2, 2, out)).toThrow(ShapeError);
    const first = enableSimd(), second = enableSimd();
    expect(simdStatus()).toMatchObject({ active: false, state: "pending" });
    expect(second).toBe(first);
    expect(await first).toBe(true);
    expect(simdStatus()).toEqual({ active: true, state: "active", reason: "enableSimd() succeeded: the WebAssembly SIMD kernels run", lastRun: null });
    expect(simdLogCosh(new Float32Array([0, 1, 0, 0]), new Float32Array([1, 1, 0, 0]), 2, 2, out)).toBe(true);
    expect(out[1]).toBe(0);
    disableSimd();
    expect(simdStatus().reason).toBe("disableSimd() was called: the JavaScript kernels run");
    expect(await enableSimd()).toBe(true);
    expect(await enableSimd()).toBe(true);
  });

  it("disableSimd() during compilation wins; enableSimd() after it wins again", async () => {
    disableSimd();
    const pending = enableSimd();
    disableSimd();
    expect(await pending).toBe(false);
    expect(simdStatus().state).toBe("disabled");
    const first = enableSimd();
    disableSimd();
    const second = enableSimd();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(simdStatus().state).toBe("active");
  });
});

describe("simd: elementary functions (every 97th float32 bit pattern)", () => {
  beforeAll(async () => {
    expect(await enableSimd()).toBe(true);
  });

  const f64 = new Float64Array(1);
  const hi32 = new Uint32Array(f64.buffer);
  const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
  function ulp32(v: number): number {
    f64[0] = Math.abs(v);
    return 2 ** (Math.max((hi32[HI]! >>> 20) - 1023, -126) - 23);
  }
  /** ulps of a float32 result against the float64 truth; a truth that overflows float32 must give that infinity. */
  function ulpError(actual: number, truth: number): number {
    if (Number.isNaN(truth)) return Number.isNaN(actual) ? 0 : Infinity;
    if (!Number.isFinite(Math.fround(truth))) return actual === Math.fround(truth) ? 0 : Infinity;
    return Math.abs(actual - truth) / ulp32(truth);
  }

  /** Runs `kernel` (an array export) over bit patterns first, first+step, ... below `end`; returns the worst ulp error. */
  function sweep(kernel: "expArray" | "expnArray" | "logArray" | "log1pUnitArray" | "log1mArray", truth: (x: number) => number, first: number, end: number, step: number) {
    const ex = simdExportsForTesting()!;
    const N = 1 << 16;
    if (ex.memory.buffer.byteLength < 8 * N + 64) ex.memory.grow(Math.ceil((8 * N + 64) / 65536));
    let worstError = 0, at = 0, samples = 0;
    for (let base = first; base < end; base += N * step) {
      const count = Math.min(N, Math.ceil((end - base) / step));
      const u = new Uint32Array(ex.memory.buffer, 0, N);
      for (let i = 0; i < N; i++) u[i] = i < count ? base + i * step : 0;
      ex[kernel](0, 4 * N, N);
      const x = new Float32Array(ex.memory.buffer, 0, N), y = new Float32Array(ex.memory.buffer, 4 * N, N);
      for (let i = 0; i < count; i++) {
        const expected = truth(x[i]!);
        // equal to the float32 rounding of the truth: within half an ulp
        if (y[i] === Math.fround(expected) || (expected !== expected && y[i] !== y[i])) {
          samples++;
          continue;
        }
        const e = ulpError(y[i]!, expected);
        samples++;
        if (!(e <= worstError)) {
          worstError = e;
          at = x[i]!;
        }
      }
    }
    return { worst: worstError, at, samples };
  }

  it("exp: within 2 ulps (measured 0.96), subnormal results, overflow and underflow included", () => {
    const { worst: w, at, samples } = sweep("expArray", Math.exp, 0, 2 ** 32, 97);
    expect(samples).toBeGreaterThan(44_000_000);
    expect(w, `exp(${at})`).toBeLessThanOrEqual(2);
  });

  it("the kernels' exp of x <= 0: within 2 ulps (measured 0.96) down to 2^-126, 0 below (x < -87.33654), NaN and -Infinity exact", () => {
    const threshold = Math.fround(-87.33654);
    // every 97th non-positive float32: 0x80000000 (-0) up to 0xff800000 (-Infinity), and NaNs past it
    const { worst: w, at, samples } = sweep("expnArray", (x) => (x < threshold ? 0 : Math.exp(x)), 0x80000000, 2 ** 32, 97);
    expect(samples).toBeGreaterThan(22_000_000);
    expect(w, `expn(${at})`).toBeLessThanOrEqual(2);
    const ex = simdExportsForTesting()!;
    const xs = [0, -0, -Infinity, NaN, threshold, next32(threshold, 1), next32(threshold, -1), -87.5, -88, -104, -1e30];
    const x = new Float32Array(ex.memory.buffer, 0, 12);
    x.set(xs);
    ex.expnArray(0, 48, 12);
    const y = Array.from(new Float32Array(ex.memory.buffer, 48, 11));
    expect(y.slice(0, 4)).toEqual([1, 1, 0, NaN]);
    expect(y.slice(6)).toEqual([0, 0, 0, 0, 0]);
    expect(y[4]).toBeGreaterThanOrEqual(2 ** -126);
  });

  it("log: within 2 ulps (measured 0.78) for every float32, special values exact", () => {
    const { worst: w, at, samples } = sweep("logArray", Math.log, 0, 2 ** 32, 97);
    expect(samples).toBeGreaterThan(44_000_000);
    expect(w, `log(${at})`).toBeLessThanOrEqual(2);
  });

  it("exp and log edges: ±0, ±Infinity, NaN, the overflow and underflow thresholds", () => {
    const ex = simdExportsForTesting()!;
    const xs = [0, -0, Infinity, -Infinity, NaN, 88.72283935546875, next32(88.72283935546875, 1), -87.33654475055310898, -103.27892990343184, -103.97207708399179, -104, -150, 1, -1,
      1.17549435e-38, 2 ** -149, 3.4028234663852886e38, -1, -(2 ** -149), Math.fround(1 - 1e-7), Math.fround(1e-7), next32(1, 1), next32(1, -1)];
    const padded = xs.length + (4 - (xs.length % 4)) % 4;
    const x = new Float32Array(ex.memory.buffer, 0, padded);
    x.set(xs);
    ex.expArray(0, 4 * padded, padded);
    const ye = Array.from(new Float32Array(ex.memory.buffer, 4 * padded, padded));
    x.set(xs);
    ex.logArray(0, 4 * padded, padded);
    const yl = Array.from(new Float32Array(ex.memory.buffer, 4 * padded, padded));
    xs.forEach((v, i) => {
      const v32 = Math.fround(v);
      expect(ulpError(ye[i]!, Math.exp(v32)), `exp(${v32}) = ${ye[i]}`).toBeLessThanOrEqual(2);
      expect(ulpError(yl[i]!, Math.log(v32)), `log(${v32}) = ${yl[i]}`).toBeLessThanOrEqual(2);
    });
    expect(ye.slice(0, 5)).toEqual([1, 1, Infinity, 0, NaN]);
    expect(yl.slice(0, 5)).toEqual([-Infinity, -Infinity, Infinity, NaN, NaN]);
    expect(yl[xs.indexOf(-1)]).toBeNaN();
  });

  it("log1p(e) on [0, 1] and log(1 - c) on (0, 1) keep float32 relative accuracy: within 2 ulps (every 29th float32)", () => {
    const a = sweep("log1pUnitArray", Math.log1p, 0, 0x3f800001, 29);
    expect(a.worst, `log1p(${a.at})`).toBeLessThanOrEqual(2);
    // c from 2^-125 to 1 - 2^-24 (log(1 - c) is what 1 - c rounded in float32 would lose near c = 0)
    const b = sweep("log1mArray", (c) => Math.log1p(-c), 0x01000000, 0x3f7fffff, 29);
    expect(b.worst, `log(1 - ${b.at})`).toBeLessThanOrEqual(2);
  });

  it("log(cosh e) and tanh e (LogCosh with rows of one element) within 4 ulps for every 193rd float32 in [0, 100]", () => {
    const N = 0x42c80000 / 193;
    const e = new Float32Array(Math.floor(N));
    const u = new Uint32Array(e.buffer);
    for (let i = 0; i < e.length; i++) u[i] = i * 193;
    const zeros = new Float32Array(e.length);
    const out = new Float32Array(e.length), grad = new Float32Array(e.length);
    expect(simdLogCosh(zeros, e, e.length, 1, out, grad)).toBe(true);
    let wv = 0, wg = 0, atv = 0, atg = 0;
    for (let i = 0; i < e.length; i++) {
      const x = e[i]!;
      // log(cosh x) = log1p(2 sinh(x/2)^2), accurate in float64 for every x (no cancellation)
      const lc = x < 20 ? Math.log1p(2 * Math.sinh(x / 2) ** 2) : x + Math.log1p(Math.exp(-2 * x)) - Math.LN2;
      const ev = ulpError(out[i]!, lc), eg = ulpError(grad[i]!, Math.tanh(x));
      if (ev > wv) [wv, atv] = [ev, x];
      if (eg > wg) [wg, atg] = [eg, x];
    }
    expect(wv, `logcosh(${atv})`).toBeLessThanOrEqual(4);
    expect(wg, `tanh(${atg})`).toBeLessThanOrEqual(4);
  });
});

describe("simd kernels agree with the JavaScript kernels", () => {
  beforeAll(async () => {
    expect(await enableSimd()).toBe(true);
  });

  // -------------------------------------------------------------------------------------------
  it("LogCosh", () => {
    const cases: Case[] = [];
    SHAPES.forEach(([rows, n], i) => {
      for (const sigma of [1e-3, 1, 30]) {
        cases.push(makeCase(`sigma ${sigma} [${rows},${n}]`, rows, n, 100 + i, (random, t, p) => {
          for (let k = 0; k < t.length; k++) {
            t[k] = normal(random);
            p[k] = t[k]! + normal(random, sigma);
          }
          sprinkle(random, p, [0, 1e30, -1e30, Infinity, -Infinity, NaN, 0.75, next32(0.75, -1)], 50);
        }));
      }
    });
    for (const c of cases) {
      const { values } = compare("LogCosh", c, simdLogCosh as Entry, undefined, viaHandle(logCosh, c, {}), ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
        const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
        for (let r = 0; r < rows; r++) {
          let m = 0, js = 0;
          for (let k = 0; k < n; k++) {
            const i = r * n + k, e = yPred[i]! - yTrue[i]!, a = Math.abs(e), th = Math.tanh(e);
            m += Math.log1p(2 * Math.sinh(a / 2) ** 2) + a * Math.abs(th);
            // The JS kernel's own error: a + log1p(e^-2a) - log 2 cancels to a^2/2 near 0, and its
            // float64 pieces are accurate to 1e-10 relative (src/math/fastmath.ts): 2600 float32 ulps
            // at |e| = 1e-5. The comparison with an exact reference below has no such term.
            js += 1e-10 * (a + 2 * Math.LN2);
            gb[i] = (Math.abs(upstream[r]!) / n) * (Math.abs(th) + a * (1 - th * th)) + Math.abs(grad[i]!);
          }
          vb[r] = m / n + Math.abs(value[r]!) + js / (K * ULP * n);
        }
        return { value: vb, grad: gb };
      });
      // and against log(cosh e) computed without cancellation, log1p(2 sinh(e/2)^2), in float64
      const exact = new Float64Array(c.rows), bound = new Float64Array(c.rows);
      for (let r = 0; r < c.rows; r++) {
        for (let k = 0; k < c.n; k++) {
          const e = c.yPred[r * c.n + k]! - c.yTrue[r * c.n + k]!, a = Math.abs(e);
          exact[r] += (a < 20 ? Math.log1p(2 * Math.sinh(a / 2) ** 2) : a + Math.log1p(Math.exp(-2 * a)) - Math.LN2) / c.n;
          bound[r] += (Math.log1p(2 * Math.sinh(a / 2) ** 2) + a * Math.abs(Math.tanh(e))) / c.n;
        }
      }
      expectAgree("LogCosh (exact)", "value", c.label, values, exact, bound);
    }
  });

  // -------------------------------------------------------------------------------------------
  function binaryCases(kind: "logits" | "probabilities"): Case[] {
    const cases: Case[] = [];
    SHAPES.forEach(([rows, n], i) => {
      for (const soft of [false, true]) {
        cases.push(makeCase(`${kind} ${soft ? "soft" : "hard"} [${rows},${n}]`, rows, n, 200 + i, (random, t, p) => {
          binaryLabels(random, t, soft);
          for (let k = 0; k < p.length; k++) p[k] = kind === "logits" ? normal(random, 3) : random();
          sprinkle(random, p, kind === "logits" ? LOGIT_SPECIALS : PROBABILITY_SPECIALS, 8);
          sprinkle(random, p, kind === "logits" ? [NaN, Infinity, -Infinity] : [NaN, 1.5, -0.5, Infinity], 300);
        }));
      }
    });
    return cases;
  }

  /** The magnitude of one crossentropy term and of its derivative (see the header), in float64. */
  function bceMagnitudes(logits: boolean, x: number, z: number): { bce: number; B: number; dbce: number; D: number; prob: number; om: number; clipped: boolean } {
    if (logits) {
      const e = Math.exp(-Math.abs(x)), s2 = e / (1 + e);
      const prob = x >= 0 ? 1 / (1 + e) : s2, om = x >= 0 ? s2 : 1 / (1 + e);
      const bce = Math.max(x, 0) - x * z + Math.log1p(e);
      // sigmoid(x) - z is (1 - z) - s or s - z: the magnitude of 1 - z is 1 + |z| (z is rounded)
      return { bce, B: Math.abs(Math.max(x, 0)) + Math.abs(x * z) + Math.log1p(e), dbce: prob - z, D: (x >= 0 ? 1 : 0) + Math.abs(z) + s2, prob, om, clipped: false };
    }
    const c = Math.min(Math.max(x, EPS32), ONE_MINUS_EPS32);
    const lc = Math.log(c), l1 = Math.log1p(-c);
    const clipped = c !== x;
    return {
      bce: -(z * lc + (1 - z) * l1),
      B: Math.abs(z) * (Math.abs(lc) + Math.abs(l1)) + (Math.abs(1 - z) + Math.abs(z)) * Math.abs(l1),
      dbce: clipped ? 0 : (1 - z) / (1 - c) - z / c,
      D: clipped ? 0 : (Math.abs(c) + Math.abs(z)) / (c * (1 - c)),
      prob: x,
      om: 1 - x,
      clipped,
    };
  }

  for (const [kernel, logits, simd] of [
    ["BinaryCrossentropy", false, simdBinaryCrossentropy],
    ["BinaryCrossentropy fromLogits", true, simdBinaryCrossentropyFromLogits],
  ] as const) {
    it(kernel, () => {
      for (const c of binaryCases(logits ? "logits" : "probabilities")) {
        for (const labelSmoothing of [0, 0.1]) {
          compare(kernel, c, simd as Entry, { labelSmoothing }, viaHandle(binaryCrossentropy, c, { fromLogits: logits, labelSmoothing }),
            ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
              const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
              for (let r = 0; r < rows; r++) {
                let m = 0;
                for (let k = 0; k < n; k++) {
                  const i = r * n + k, z = yTrue[i]! * (1 - labelSmoothing) + 0.5 * labelSmoothing;
                  const t = bceMagnitudes(logits, yPred[i]!, z);
                  m += t.B;
                  // + the JS kernel's own rounding of sigmoid(x) - z in float64 (it gives 0 for x > 37, z = 1)
                  gb[i] = (Math.abs(upstream[r]!) / n) * (t.D + (logits ? 2 ** -52 * (1 + Math.abs(z)) / (K * ULP) : 0)) + Math.abs(grad[i]!) * (t.clipped ? 0 : 1);
                }
                vb[r] = m / n + Math.abs(value[r]!);
              }
              return { value: vb, grad: gb };
            });
        }
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  for (const [kernel, logits, simd] of [
    ["BinaryFocalCrossentropy", false, simdBinaryFocalCrossentropy],
    ["BinaryFocalCrossentropy fromLogits", true, simdBinaryFocalCrossentropyFromLogits],
  ] as const) {
    it(`${kernel} (gamma 2, 0, 1, 0.5, 3; class balancing; label smoothing)`, () => {
      const settings = [
        {},
        { applyClassBalancing: true, alpha: 0.4 },
        { gamma: 0 },
        { gamma: 1, labelSmoothing: 0.2 },
        { gamma: 0.5, applyClassBalancing: true },
        { gamma: 3 },
      ];
      for (const c of binaryCases(logits ? "logits" : "probabilities")) {
        for (const s of settings) {
          const o = { gamma: 2, alpha: 0.25, applyClassBalancing: false, labelSmoothing: 0, ...s };
          compare(kernel, c, simd as Entry, s, viaHandle(binaryFocalCrossentropy, c, { ...s, fromLogits: logits }),
            ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
              const vb = new Float64Array(rows), gb = new Float64Array(rows * n), g = o.gamma;
              for (let r = 0; r < rows; r++) {
                let m = 0;
                for (let k = 0; k < n; k++) {
                  const i = r * n + k, z = yTrue[i]! * (1 - o.labelSmoothing) + 0.5 * o.labelSmoothing;
                  const t = bceMagnitudes(logits, yPred[i]!, z);
                  const b = Math.abs(z * t.om) + Math.abs((1 - z) * t.prob);
                  const w = Math.abs(o.applyClassBalancing ? z * o.alpha + (1 - z) * (1 - o.alpha) : 1);
                  const logb = b > 0 ? Math.abs(Math.log(b)) : 0;
                  const F = g === 0 ? 1 : b ** g, relF = 1 + (g === 0 ? 0 : g * (1 + logb));
                  const dProb = logits ? Math.abs(t.prob * t.om) : 1;
                  // (1 - 2z) cancels near z = 1/2: its magnitude is 1 + 2|z|
                  const dF = g === 0 || dProb === 0 ? 0 : g * b ** (g - 1) * (1 + 2 * Math.abs(z)) * dProb, relDF = 1 + (g === 1 ? 0 : Math.abs(g - 1) * (1 + logb));
                  m += w * F * (t.B + Math.abs(t.bce) * relF);
                  // + the JS kernel's float64 rounding of 1 - sigmoid(x) and sigmoid(x) - z
                  const jsD = logits ? 2 ** -52 * (1 + Math.abs(z)) / (K * ULP) : 0;
                  gb[i] = (Math.abs(upstream[r]!) / n) * w * (dF * (t.B + Math.abs(t.bce) * relDF) + F * (t.D + jsD + Math.abs(t.dbce) * relF) + jsD * Math.abs(t.bce) * (g === 0 ? 0 : g * (b + jsD * K * ULP) ** Math.max(g - 1, 0))) + Math.abs(grad[i]!);
                }
                vb[r] = m / n + Math.abs(value[r]!);
              }
              return { value: vb, grad: gb };
            });
        }
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  function categoricalCases(kind: "logits" | "probabilities"): Case[] {
    const cases: Case[] = [];
    SHAPES.forEach(([rows, n], i) => {
      for (const soft of [false, true]) {
        cases.push(makeCase(`${kind} ${soft ? "soft" : "one-hot"} [${rows},${n}]`, rows, n, 300 + i, (random, t, p) => {
          oneHot(random, t, rows, n, soft);
          for (let r = 0; r < rows; r++) {
            const special = r % 11;
            for (let k = 0; k < n; k++) {
              const j = r * n + k;
              if (kind === "logits") {
                p[j] = special === 5 ? normal(random, 1e4) : special === 6 ? 7 : normal(random, 3);
              } else {
                // tiny rows (a total under 3e-39, subnormal probabilities), huge rows (a total over 9e37)
                p[j] = special === 5 ? (random() < 0.3 ? 0 : random() * 1e-9) : special === 6 ? random() * 1e-40 : special === 7 ? random() * 3e37 : random();
              }
            }
            // extreme rows: an infinity, a NaN, the largest floats, a one-hot prediction, zeros
            const j0 = r * n + Math.floor(random() * n);
            if (kind === "logits") {
              if (special === 1) p[j0] = -Infinity;
              if (special === 2) p[j0] = NaN;
              if (special === 3) p[j0] = Infinity;
              if (special === 4) p[j0] = 3e38;
            } else {
              if (special === 1) for (let k = 0; k < n; k++) p[r * n + k] = t[r * n + k]! > 0 ? 1 : 0;
              if (special === 2) p[j0] = NaN;
              if (special === 3) for (let k = 0; k < n; k++) p[r * n + k] = 0;
              if (special === 4) p[j0] = 1e30;
            }
          }
        }));
      }
    });
    return cases;
  }

  /** Softmax pieces in float64: x - max, the probabilities, Σ e^(x - max) and Σ_j p_j |x_j - max|. */
  function softmaxRow(yPred: Float32Array, r: number, n: number) {
    let max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, yPred[r * n + k]!);
    const shifted = new Float64Array(n), sm = new Float64Array(n);
    let s = 0;
    for (let k = 0; k < n; k++) {
      shifted[k] = yPred[r * n + k]! - max;
      s += sm[k] = Math.exp(shifted[k]!);
    }
    let spread = 0;
    for (let k = 0; k < n; k++) {
      sm[k] = sm[k]! / s;
      if (sm[k] !== 0) spread += sm[k]! * Math.abs(shifted[k]!);
    }
    return { shifted, sm, s, spread };
  }

  it("CategoricalCrossentropy fromLogits", () => {
    for (const c of categoricalCases("logits")) {
      for (const labelSmoothing of [0, 0.1]) {
        compare("CCE fromLogits", c, simdCategoricalCrossentropyFromLogits as Entry, { labelSmoothing }, viaHandle(categoricalCrossentropy, c, { fromLogits: true, labelSmoothing }),
          ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
            const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
            for (let r = 0; r < rows; r++) {
              const { shifted, sm, s, spread } = softmaxRow(yPred, r, n);
              let Z = 0, zx = 0;
              for (let k = 0; k < n; k++) {
                const z = yTrue[r * n + k]! * (1 - labelSmoothing) + labelSmoothing / n;
                Z += Math.abs(z);
                zx += Math.abs(z * shifted[k]!);
              }
              vb[r] = Z * (Math.abs(Math.log(s)) + 1 + spread) + zx + Math.abs(value[r]!);
              for (let k = 0; k < n; k++) {
                const i = r * n + k, z = yTrue[i]! * (1 - labelSmoothing) + labelSmoothing / n;
                gb[i] = Math.abs(upstream[r]!) * ((sm[k] === 0 ? 0 : sm[k]! * Z * (1 + Math.abs(shifted[k]!) + spread)) + Math.abs(z)) + Math.abs(grad[i]!);
              }
            }
            return { value: vb, grad: gb };
          });
      }
    }
  });

  it("CategoricalCrossentropy on probabilities", () => {
    for (const c of categoricalCases("probabilities")) {
      for (const labelSmoothing of [0, 0.1]) {
        compare("CCE", c, simdCategoricalCrossentropy as Entry, { labelSmoothing }, viaHandle(categoricalCrossentropy, c, { labelSmoothing }),
          ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
            const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
            for (let r = 0; r < rows; r++) {
              let total = 0;
              for (let k = 0; k < n; k++) total += yPred[r * n + k]!;
              let m = 0, hq = 0;
              const h = new Float64Array(n);
              for (let k = 0; k < n; k++) {
                const i = r * n + k, z = yTrue[i]! * (1 - labelSmoothing) + labelSmoothing / n;
                const q = yPred[i]! / total, cl = Math.min(Math.max(q, EPS32), ONE_MINUS_EPS32);
                m += Math.abs(z) * (Math.abs(Math.log(cl)) + 2);
                if (cl === q) {
                  h[k] = Math.abs(z / q);
                  hq += Math.abs(z);
                }
              }
              vb[r] = m + Math.abs(value[r]!);
              for (let k = 0; k < n; k++) gb[r * n + k] = Math.abs(upstream[r]! / total) * (3 * h[k]! + hq) + Math.abs(grad[r * n + k]!);
            }
            return { value: vb, grad: gb };
          });
      }
    }
  });

  // -------------------------------------------------------------------------------------------
  for (const [kernel, logits, simd] of [
    ["CategoricalFocalCrossentropy", false, simdCategoricalFocalCrossentropy],
    ["CategoricalFocalCrossentropy fromLogits", true, simdCategoricalFocalCrossentropyFromLogits],
  ] as const) {
    it(`${kernel} (gamma 2, 0, 1, 0.5, 3; alpha per class; label smoothing)`, () => {
      for (const c of categoricalCases(logits ? "logits" : "probabilities")) {
        const perClass = Array.from({ length: c.n }, (_, k) => 0.1 + (k % 5) * 0.2);
        const settings: { gamma?: number; alpha?: number | number[]; labelSmoothing?: number }[] = [
          {},
          { gamma: 0 },
          { gamma: 1, labelSmoothing: 0.1 },
          { gamma: 0.5, alpha: perClass },
          { gamma: 3, alpha: 0.6 },
        ];
        for (const s of settings) {
          const g = s.gamma ?? 2, ls = s.labelSmoothing ?? 0;
          const alphaOf = (k: number) => (Array.isArray(s.alpha) ? s.alpha[k]! : s.alpha ?? 0.25);
          compare(kernel, c, simd as Entry, s, viaHandle(categoricalFocalCrossentropy, c, { ...s, fromLogits: logits }),
            ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
              const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
              for (let r = 0; r < rows; r++) {
                const probs = new Float64Array(n), R = new Float64Array(n);
                let total = 0;
                if (logits) {
                  const { shifted, sm, spread } = softmaxRow(yPred, r, n);
                  for (let k = 0; k < n; k++) {
                    probs[k] = sm[k]!;
                    R[k] = 2 + Math.abs(shifted[k]!) + spread;
                  }
                  total = 1;
                } else {
                  for (let k = 0; k < n; k++) total += probs[k] = yPred[r * n + k]!;
                  R.fill(2);
                }
                let m = 0, hqm = 0;
                const hm = new Float64Array(n);
                for (let k = 0; k < n; k++) {
                  const i = r * n + k, z = yTrue[i]! * (1 - ls) + ls / n;
                  if (z === 0) continue;
                  const q = probs[k]! / total, cl = Math.min(Math.max(q, EPS32), ONE_MINUS_EPS32), om = 1 - cl;
                  const L = Math.abs(Math.log(cl)), lom = Math.abs(Math.log(om)), F = om ** g, az = Math.abs(alphaOf(k) * z);
                  const relPow = 1 + g * (1 + lom);
                  m += az * (F * L * relPow + (g * om ** (g - 1) * cl * L + F) * R[k]!);
                  if (cl === q) {
                    hm[k] = az * ((g * om ** (g - 1) * L + F / cl) * relPow + (g * Math.abs(g - 1) * om ** Math.max(g - 2, 0) * L + g * om ** (g - 1) / cl + F / (cl * cl)) * cl * R[k]!);
                    hqm += hm[k]! * q;
                  }
                }
                vb[r] = m + Math.abs(value[r]!);
                for (let k = 0; k < n; k++) {
                  const i = r * n + k;
                  gb[i] = (logits ? probs[k]! * R[k]! : 1) * Math.abs(upstream[r]! / total) * (hm[k]! + hqm) * 2 + Math.abs(grad[i]!);
                }
              }
              return { value: vb, grad: gb };
            });
        }
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  it("SparseCategoricalCrossentropy fromLogits (Int32 and Float32 labels, ignoreClass)", () => {
    for (const c of categoricalCases("logits")) {
      const random = rng(c.rows * 31 + c.n);
      const labels = new Int32Array(c.rows);
      for (let r = 0; r < c.rows; r++) labels[r] = r % 9 === 4 ? -1 : Math.floor(random() * c.n);
      for (const [ignoreClass, asFloat] of [[-1, false], [-1, true], [null, false]] as const) {
        const lab = ignoreClass === null ? labels.map((v) => (v < 0 ? 0 : v)) : labels;
        const given = asFloat ? Float32Array.from(lab) : lab;
        const js = viaHandle(sparseCategoricalCrossentropy, c, { fromLogits: true, ignoreClass }, tensor(lab, [c.rows]));
        compare("SCCE fromLogits", c, simdSparseCategoricalCrossentropyFromLogits as unknown as Entry, { ignoreClass }, js, ({ rows, n, yPred, upstream }, value, grad) => {
          const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
          for (let r = 0; r < rows; r++) {
            const y = lab[r]!;
            if (y === ignoreClass) continue; // exact zeros
            const { shifted, sm, s, spread } = softmaxRow(yPred, r, n);
            vb[r] = Math.abs(Math.log(s)) + 1 + spread + Math.abs(shifted[y]!) + Math.abs(value[r]!);
            for (let k = 0; k < n; k++) {
              gb[r * n + k] = Math.abs(upstream[r]!) * ((sm[k] === 0 ? 0 : sm[k]! * (1 + Math.abs(shifted[k]!) + spread)) + (k === y ? 1 : 0)) + Math.abs(grad[r * n + k]!);
            }
          }
          return { value: vb, grad: gb };
        }, given);
      }
    }
  });

  // -------------------------------------------------------------------------------------------
  it("KLDivergence", () => {
    const cases: Case[] = [];
    SHAPES.forEach(([rows, n], i) => {
      for (const kind of ["distributions", "near-equal", "extremes"]) {
        cases.push(makeCase(`${kind} [${rows},${n}]`, rows, n, 400 + i, (random, t, p) => {
          for (let r = 0; r < rows; r++) {
            let st = 0, sp = 0;
            for (let k = 0; k < n; k++) {
              st += t[r * n + k] = random();
              sp += p[r * n + k] = kind === "near-equal" ? t[r * n + k]! * (1 + 1e-4 * normal(random)) : random();
            }
            for (let k = 0; k < n; k++) {
              t[r * n + k] = t[r * n + k]! / st;
              p[r * n + k] = p[r * n + k]! / sp;
            }
          }
          if (kind === "extremes") {
            sprinkle(random, t, [0, 1, 1e-30, 2, -1, EPS32], 5);
            sprinkle(random, p, [0, 1, 1e-30, 2, -1, EPS32, next32(EPS32, -1), next32(1, 1), NaN], 5);
          }
        }));
      }
    });
    for (const c of cases) {
      compare("KLD", c, simdKLDivergence as Entry, undefined, viaHandle(klDivergence, c, {}), ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
        const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
        for (let r = 0; r < rows; r++) {
          let m = 0;
          for (let k = 0; k < n; k++) {
            const i = r * n + k;
            const t = Math.min(Math.max(yTrue[i]!, EPS32), 1), p = Math.min(Math.max(yPred[i]!, EPS32), 1);
            m += Math.abs(t * Math.log(t / p)) + 2 * t;
            gb[i] = Math.abs(upstream[r]!) * 3 * (t / p) + Math.abs(grad[i]!);
          }
          vb[r] = m + Math.abs(value[r]!);
        }
        return { value: vb, grad: gb };
      });
    }
  });

  // -------------------------------------------------------------------------------------------
  it("Poisson", () => {
    const cases: Case[] = [];
    SHAPES.forEach(([rows, n], i) => {
      cases.push(makeCase(`counts [${rows},${n}]`, rows, n, 500 + i, (random, t, p) => {
        for (let k = 0; k < t.length; k++) {
          t[k] = Math.floor(random() * 6);
          p[k] = random() * 5;
        }
        sprinkle(random, p, [0, 1e-30, EPS32, 1e30, 1, 2.718281828], 10);
        sprinkle(random, p, [NaN, -1, Infinity, -EPS32], 300);
      }));
    });
    for (const c of cases) {
      compare("Poisson", c, simdPoisson as Entry, undefined, viaHandle(poisson, c, {}), ({ rows, n, yTrue, yPred, upstream }, value, grad) => {
        const vb = new Float64Array(rows), gb = new Float64Array(rows * n);
        for (let r = 0; r < rows; r++) {
          let m = 0;
          for (let k = 0; k < n; k++) {
            const i = r * n + k, t = yTrue[i]!, p = yPred[i]!, s = p + EPS32;
            m += Math.abs(p) + Math.abs(t) * (Math.abs(Math.log(s)) + 1);
            gb[i] = (Math.abs(upstream[r]!) / n) * (1 + 2 * Math.abs(t / s)) + Math.abs(grad[i]!);
          }
          vb[r] = m / n + Math.abs(value[r]!);
        }
        return { value: vb, grad: gb };
      });
    }
  });

  it("worst observed |simd - js| / (2^-24 M) per kernel stays under 4 (the assertion bound is 16)", () => {
    expect(Object.keys(worst).length).toBeGreaterThanOrEqual(11);
    for (const [kernel, w] of Object.entries(worst)) {
      expect(w.value, `${kernel} value`).toBeLessThan(4);
      expect(w.grad, `${kernel} grad`).toBeLessThan(4);
    }
  });
});

describe("simd: the documented examples", () => {
  beforeAll(async () => {
    expect(await enableSimd()).toBe(true);
  });

  const close = (actual: ArrayLike<number>, expected: number[], tolerance: number) => {
    expect(actual.length).toBe(expected.length);
    expected.forEach((e, i) => expect(Math.abs(actual[i]! - e), `[${i}] ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e))));
  };
  const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  const f32 = (a: number[]) => new Float32Array(a);

  it("simdStatus, enableSimd, disableSimd", async () => {
    disableSimd();
    expect(simdStatus().state).toBe("disabled");
    expect(await enableSimd()).toBe(true);
    expect(simdStatus().state).toBe("active");
  });

  it("LogCosh, BCE, BCE from logits, binary focal (both) against the Keras docs and float64 formulas", () => {
    const out32 = new Float32Array(2), out = new Float64Array(2), one = new Float64Array(1);
    simdLogCosh(f32([0, 1, 0, 0]), f32([1, 1, 0, 0]), 2, 2, out32);
    close(out32, [Math.log(Math.cosh(1)) / 2, 0], 1e-7);
    close(out32, [0.217, 0], 5e-4); // Keras
    simdBinaryCrossentropy(f32([0, 1, 0, 0]), f32([0.6, 0.4, 0.4, 0.6]), 2, 2, out);
    close(out, [0.916, 0.714], 5e-4); // Keras
    simdBinaryCrossentropyFromLogits(f32([0, 1]), f32([-18.6, 0.51]), 1, 2, one);
    close(one, [(softplus(Math.fround(-18.6)) + softplus(Math.fround(0.51)) - Math.fround(0.51)) / 2], 1e-6);
    simdBinaryFocalCrossentropy(f32([0, 1, 0, 0]), f32([0.6, 0.4, 0.4, 0.6]), 2, 2, out);
    close(out, [0.330, 0.206], 5e-4); // Keras
    simdBinaryFocalCrossentropyFromLogits(f32([0, 1, 0, 0]), f32([-18.6, 0.51, 2.94, -12.8]), 2, 2, out, null, null, { gamma: 3 });
    close([(out[0]! + out[1]!) / 2], [0.647], 5e-4); // Keras
  });

  it("CCE, CCE from logits, categorical focal (both), SCCE against the Keras docs and float64 formulas", () => {
    const out = new Float64Array(2), one = new Float64Array(1);
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    simdCategoricalCrossentropy(f32([0, 1, 0, 0, 0, 1]), f32([0.05, 0.95, 0, 0.1, 0.8, 0.1]), 2, 3, out);
    close(out, [0.0513, 2.303], 5e-4); // Keras
    simdCategoricalCrossentropyFromLogits(f32([0, 1, 0]), f32([1, 2, 3]), 1, 3, one);
    close(one, [lse - 2], 1e-6);
    simdCategoricalFocalCrossentropy(f32([0, 1, 0, 0, 0, 1]), f32([0.05, 0.9, 0.05, 0.1, 0.85, 0.05]), 2, 3, out);
    close(out, [2.63401289e-4, 6.75912094e-1], 2e-6); // Keras
    simdCategoricalFocalCrossentropyFromLogits(f32([0, 1, 0]), f32([1, 2, 3]), 1, 3, one);
    const q = Math.exp(2 - lse);
    close(one, [0.25 * (1 - q) ** 2 * -Math.log(q)], 1e-6);
    simdSparseCategoricalCrossentropyFromLogits(new Int32Array([1, -1]), f32([1, 2, 3, 0, 0, 0]), 2, 3, out, null, null, { ignoreClass: -1 });
    close(out, [lse - 2, 0], 1e-6);
  });

  it("KLDivergence and Poisson against the Keras docs", () => {
    const out = new Float64Array(2), out32 = new Float32Array(2);
    simdKLDivergence(f32([0, 1, 0, 0]), f32([0.6, 0.4, 0.4, 0.6]), 2, 2, out);
    close(out, [0.91629, -3.08e-6], 1e-5); // Keras
    simdPoisson(f32([0, 1, 0, 0]), f32([1, 1, 0, 0]), 2, 2, out32);
    expect(Array.from(out32)).toEqual([Math.fround(0.99999994), 0]); // Keras
  });
});

describe("simd: argument checks", () => {
  beforeAll(async () => {
    expect(await enableSimd()).toBe(true);
  });
  const t = new Float32Array(6), p = new Float32Array(6), out = new Float64Array(2);

  it("names the argument, what was expected and what came", () => {
    expect(() => simdLogCosh(t, p, 2, 3, new Float64Array(3))).toThrow(new ShapeError("simdLogCosh: out must have rows = 2 elements, received a Float64Array of length 3"));
    expect(() => simdLogCosh(t, p, 2, 3, [0, 0] as never)).toThrow(InputError);
    expect(() => simdLogCosh(Array.from(t) as never, p, 2, 3, out)).toThrow(/yTrue must be a Float32Array, received an array of length 6/);
    expect(() => simdLogCosh(t, new Float32Array(5), 2, 3, out)).toThrow(/yPred must have rows \* n = 6 elements, received a Float32Array of length 5/);
    expect(() => simdLogCosh(t, p, 2, 3, out, new Float32Array(5))).toThrow(/grad must have rows \* n = 6/);
    expect(() => simdLogCosh(t, p, 2, 3, out, new Float32Array(6), new Float64Array(3))).toThrow(/upstream must have rows = 2 elements/);
    expect(() => simdLogCosh(t, p, 2.5, 3, out)).toThrow(/rows must be an integer >= 0, received 2.5/);
    expect(() => simdLogCosh(new Float32Array(0), new Float32Array(0), 0, 0, new Float64Array(0))).toThrow(/n must be an integer >= 1/);
    expect(() => simdBinaryCrossentropy(t, p, 2, 3, out, null, null, { labelSmoothing: 2 })).toThrow(ConfigError);
    expect(() => simdBinaryCrossentropy(t, p, 2, 3, out, null, null, { smoothing: 0.1 } as never)).toThrow(/unknown option "smoothing"; expected one of labelSmoothing/);
    expect(() => simdBinaryFocalCrossentropy(t, p, 2, 3, out, null, null, { gamma: -1 })).toThrow(/gamma must be a finite number >= 0, received -1/);
    expect(() => simdCategoricalFocalCrossentropy(t, p, 2, 3, out, null, null, { alpha: [1, 2] })).toThrow(new ShapeError("simdCategoricalFocalCrossentropy: alpha has 2 values but the rows have n = 3 classes"));
  });

  it("sparse labels: integers in [0, n) or ignoreClass, checked before anything is written", () => {
    const o = new Float64Array(2).fill(7);
    expect(() => simdSparseCategoricalCrossentropyFromLogits(new Int32Array([1, 3]), p, 2, 3, o)).toThrow(
      new InputError("simdSparseCategoricalCrossentropyFromLogits: labels must hold integer class indices in [0, 2], received 3 at index 1"),
    );
    expect(() => simdSparseCategoricalCrossentropyFromLogits(new Float32Array([1, 0.5]), p, 2, 3, o)).toThrow(/received 0.5 at index 1/);
    expect(() => simdSparseCategoricalCrossentropyFromLogits(new Int32Array([1, -1]), p, 2, 3, o)).toThrow(/received -1 at index 1/);
    expect(Array.from(o)).toEqual([7, 7]);
    expect(simdSparseCategoricalCrossentropyFromLogits(new Int32Array([1, 255]), p, 2, 3, o, null, null, { ignoreClass: 255 })).toBe(true);
    expect(o[1]).toBe(0);
  });

  it("Float32 outputs and upstream, default upstream of ones, and rows = 0", () => {
    const random = rng(9);
    const rows = 5, n = 7, yt = new Float32Array(rows * n), yp = new Float32Array(rows * n);
    for (let i = 0; i < yt.length; i++) {
      yt[i] = random() < 0.5 ? 0 : 1;
      yp[i] = normal(random, 2);
    }
    const a = new Float64Array(rows), b = new Float32Array(rows), ga = new Float32Array(rows * n), gb = new Float32Array(rows * n);
    expect(simdBinaryCrossentropyFromLogits(yt, yp, rows, n, a, ga)).toBe(true);
    expect(simdBinaryCrossentropyFromLogits(yt, yp, rows, n, b, gb, new Float32Array(rows).fill(1))).toBe(true);
    expect(Array.from(b)).toEqual(Array.from(a).map(Math.fround));
    expect(gb).toEqual(ga);
    expect(simdBinaryCrossentropyFromLogits(new Float32Array(0), new Float32Array(0), 0, 3, new Float64Array(0))).toBe(true);
  });

  it("rows wider than a block, many blocks, and memory growth", () => {
    const random = rng(11);
    for (const [rows, n] of [[3, 70_000], [5000, 9]]) {
      const yt = new Float32Array(rows * n), yp = new Float32Array(rows * n);
      for (let r = 0; r < rows; r++) yt[r * n + Math.floor(random() * n)] = 1;
      for (let i = 0; i < yp.length; i++) yp[i] = normal(random, 3);
      const out = new Float64Array(rows), grad = new Float32Array(rows * n);
      expect(simdCategoricalCrossentropyFromLogits(yt, yp, rows, n, out, grad)).toBe(true);
      const js = categoricalCrossentropy(tensor(yt, [rows, n]), tensor(yp, [rows, n]), { fromLogits: true }).data;
      const jsGrad = categoricalCrossentropy.vjp(tensor(yt, [rows, n]), tensor(yp, [rows, n]), tensor(new Float64Array(rows).fill(1), [rows]), { fromLogits: true }).data;
      for (let r = 0; r < rows; r++) expect(Math.abs(out[r]! - js[r]!)).toBeLessThan(1e-5 * (1 + Math.abs(js[r]!)) * Math.log(n));
      let worstGrad = 0;
      for (let i = 0; i < grad.length; i++) worstGrad = Math.max(worstGrad, Math.abs(grad[i]! - jsGrad[i]!));
      expect(worstGrad).toBeLessThan(1e-6);
    }
  });
});
