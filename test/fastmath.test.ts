import { describe, expect, it } from "vitest";
import { expf, expm1f, log1pUnitf, log1pf, logf } from "../src/math/fastmath";

// The float32 paths of the kernels use expf/logf/log1pf in place of Math.exp/log/log1p. The
// contract: within 2 float32 ulps of the true value for every float32 input (Math.* is within
// one double ulp of it, 2^-29 float32 ulps, so it serves as the truth), and close to Math.*
// for any double (the kernels feed them doubles: x - max, label / prediction, ...).

const f64 = new Float64Array(1);
const hi32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const f32 = new Float32Array(1);
const bits32 = new Uint32Array(f32.buffer);

/** One float32 ulp at |v|: 2^(exponent - 23), and 2^-149 below the normal range. */
function ulp32(v: number): number {
  f64[0] = Math.abs(v);
  const exponent = (hi32[HI]! >>> 20) - 1023;
  return 2 ** (Math.max(exponent, -126) - 23);
}

/** Error of `actual` in float32 ulps of `expected`; non-finite results must match exactly. */
function ulpError(actual: number, expected: number): number {
  if (Number.isNaN(expected)) return Number.isNaN(actual) ? 0 : Infinity;
  if (!Number.isFinite(expected)) return actual === expected ? 0 : Infinity;
  return Math.abs(actual - expected) / ulp32(expected);
}

type Unary = (x: number) => number;
const FUNCTIONS: [string, Unary, Unary][] = [
  ["expf", expf, Math.exp],
  ["logf", logf, Math.log],
  ["log1pf", log1pf, Math.log1p],
];

/** Largest ulp error over every `step`-th float32 bit pattern (both signs, NaNs and infinities included). */
function sweepFloat32(f: Unary, g: Unary, step: number): { worst: number; at: number; samples: number } {
  let worst = 0, at = 0, samples = 0;
  for (let i = 0; i < 2 ** 32; i += step) {
    bits32[0] = i;
    const x = f32[0]!;
    const e = ulpError(f(x), g(x));
    samples++;
    if (!(e <= worst)) {
      worst = e;
      at = x;
    }
  }
  return { worst, at, samples };
}

describe("fastmath: every 97th float32 input", () => {
  for (const [name, f, g] of FUNCTIONS) {
    it(`${name} is within 2 float32 ulps of Math.* (measured: under 0.001)`, () => {
      const { worst, at, samples } = sweepFloat32(f, g, 97);
      expect(samples).toBeGreaterThan(44_000_000);
      // The contract is 2 ulps; the functions are far better (about 1e-4 ulp), which the
      // second bound keeps from eroding unnoticed.
      expect(worst, `${name}(${at}) = ${f(at)}, Math: ${g(at)}`).toBeLessThanOrEqual(2);
      expect(worst, `${name}(${at}) = ${f(at)}, Math: ${g(at)}`).toBeLessThan(1e-3);
    });
  }
});

describe("fastmath: log1pUnitf on [0, 1]", () => {
  it("is within 2 float32 ulps of Math.log1p for every 29th float32 in [0, 1] (measured: under 0.001)", () => {
    let worst = 0, at = 0, samples = 0;
    for (let i = 0; i <= 0x3f800000; i += 29) {
      bits32[0] = i;
      const x = f32[0]!;
      const e = ulpError(log1pUnitf(x), Math.log1p(x));
      samples++;
      if (!(e <= worst)) {
        worst = e;
        at = x;
      }
    }
    expect(samples).toBeGreaterThan(36_000_000);
    expect(worst, `log1pUnitf(${at}) = ${log1pUnitf(at)}, Math: ${Math.log1p(at)}`).toBeLessThan(1e-3);
  });

  it("edges: 0, -0, 1, the slice boundaries, subnormals, NaN; doubles within 1e-10", () => {
    for (const x of [0, 1, 2 ** -149, 2 ** -126, 1e-30, 1 / 64, 1 / 64 - 2 ** -60, 63 / 64, 0.5, 1 - 2 ** -53, 5e-324]) {
      expect(ulpError(log1pUnitf(x), Math.log1p(x)), `log1pUnitf(${x})`).toBeLessThan(1e-3);
    }
    expect(log1pUnitf(0)).toBe(0);
    expect(log1pUnitf(-0)).toBe(0);
    expect(log1pUnitf(1e-300)).toBe(1e-300);
    expect(log1pUnitf(NaN)).toBeNaN();
    let failure = "";
    for (let i = 0; i <= 1_000_000; i++) {
      const x = i / 1_000_000 + (i % 7) * 1e-13;
      const x1 = Math.min(x, 1);
      if (!(Math.abs(log1pUnitf(x1) - Math.log1p(x1)) <= 1e-10 * Math.log1p(x1)) && !failure) failure = `log1pUnitf(${x1})`;
    }
    expect(failure).toBe("");
  });
});

describe("fastmath: edges", () => {
  const F32_MAX = 3.4028234663852886e38;
  const F32_MIN_NORMAL = 2 ** -126;
  const F32_MIN_SUBNORMAL = 2 ** -149;
  const fround = Math.fround;
  const next32 = (x: number, dir: 1 | -1) => {
    f32[0] = x;
    bits32[0] = bits32[0]! + (x >= 0 === dir > 0 ? 1 : -1);
    return f32[0]!;
  };

  /** Float32 inputs near the edges of each function: compare in float32 ulps. */
  const edgeInputs: Record<string, number[]> = {
    expf: [
      0, -0, Infinity, -Infinity, NaN, 1, -1, F32_MIN_SUBNORMAL, -F32_MIN_SUBNORMAL, F32_MAX, -F32_MAX,
      // float32 overflow: exp(88.7228394) is the last finite float32
      fround(88.72283935546875), next32(fround(88.72283935546875), 1), next32(fround(88.72283935546875), -1),
      // smallest normal float32 result, smallest subnormal, rounding to 0
      fround(-87.33654475055310898), fround(-103.27892990343184), fround(-103.97207708399179), fround(-104),
      // the fast path's bounds in double (±708) and double overflow/underflow
      708, -708, next32(708, 1), next32(-708, -1), fround(709.782712893384), fround(709.79), fround(-745.1332191019412), fround(-746),
      // round-half cases of the reduction: x = (n + 1/2) ln2 / 64
      fround((0.5 * Math.LN2) / 64), fround((-0.5 * Math.LN2) / 64), fround((64.5 * Math.LN2) / 64), fround((-127.5 * Math.LN2) / 64),
    ],
    logf: [
      0, -0, Infinity, -Infinity, NaN, -1, -F32_MIN_SUBNORMAL, 1, next32(1, 1), next32(1, -1), 2, 0.5,
      F32_MIN_SUBNORMAL, 2 * F32_MIN_SUBNORMAL, F32_MIN_NORMAL, next32(F32_MIN_NORMAL, -1), F32_MAX, fround(1e-7), fround(1 - 1e-7),
      // slice boundaries of the table: 1 - 1/128, 1 + 1/64, 2 - 1/64
      1 - 1 / 128, next32(1 - 1 / 128, -1), 1 + 1 / 64, next32(1 + 1 / 64, -1), 2 - 1 / 64, next32(2 - 1 / 64, -1), next32(2, -1),
      Math.SQRT2, fround(Math.SQRT1_2),
    ],
    log1pf: [
      0, -0, Infinity, -Infinity, NaN, -1, next32(-1, 1), next32(-1, -1), -2, 1, -0.5, 0.5,
      F32_MIN_SUBNORMAL, -F32_MIN_SUBNORMAL, F32_MIN_NORMAL, -F32_MIN_NORMAL, fround(1e-30), fround(-1e-30), fround(2 ** -24), fround(-(2 ** -25)),
      F32_MAX, fround(1e-7), fround(-1e-7), fround(Math.SQRT2 - 1), fround(Math.SQRT1_2 - 1), 1 / 64, -1 / 128, next32(1 / 64, -1),
    ],
  };

  for (const [name, f, g] of FUNCTIONS) {
    it(`${name}: ±0, ±Infinity, NaN, subnormals and the overflow/underflow bounds`, () => {
      for (const x of edgeInputs[name]!) {
        const e = ulpError(f(x), g(x));
        expect(e, `${name}(${x}) = ${f(x)}, Math: ${g(x)}`).toBeLessThan(1e-3);
        // and the same value once rounded to float32, where the float32 kernels store it
        if (Number.isFinite(g(x)) || Number.isNaN(g(x))) expect(Object.is(fround(f(x)), fround(g(x))) || Math.abs(fround(f(x)) - fround(g(x))) <= ulp32(g(x)), `${name}(${x})`).toBe(true);
      }
    });
  }

  it("special values are exact", () => {
    expect(expf(0)).toBe(1);
    expect(expf(-0)).toBe(1);
    expect(expf(Infinity)).toBe(Infinity);
    expect(expf(-Infinity)).toBe(0);
    expect(expf(NaN)).toBeNaN();
    expect(expf(1000)).toBe(Infinity);
    expect(expf(-1000)).toBe(0);
    expect(Math.abs(expf(709.782712893384) / Math.exp(709.782712893384) - 1)).toBeLessThan(1e-10); // the largest finite double
    expect(expf(709.7827128933841)).toBe(Infinity);
    expect(logf(1)).toBe(0);
    expect(logf(0)).toBe(-Infinity);
    expect(logf(-0)).toBe(-Infinity);
    expect(logf(-1)).toBeNaN();
    expect(logf(-Infinity)).toBeNaN();
    expect(logf(Infinity)).toBe(Infinity);
    expect(logf(NaN)).toBeNaN();
    expect(log1pf(0)).toBe(0);
    expect(log1pf(-0)).toBe(0); // +0: the sign of a zero result is not kept
    expect(log1pf(-1)).toBe(-Infinity);
    expect(log1pf(-1.5)).toBeNaN();
    expect(log1pf(-Infinity)).toBeNaN();
    expect(log1pf(Infinity)).toBe(Infinity);
    expect(log1pf(NaN)).toBeNaN();
    expect(log1pf(1e-300)).toBe(1e-300);
    expect(log1pf(-5e-324)).toBe(-5e-324);
  });
});

describe("fastmath: double inputs", () => {
  // A fixed-seed generator of double bit patterns (xorshift).
  function* doubles(count: number, seed: number): Generator<number> {
    let a = seed | 0, b = 0x9e3779b9 | 0;
    for (let i = 0; i < count; i++) {
      a ^= a << 13; a ^= a >>> 17; a ^= a << 5;
      b ^= b << 13; b ^= b >>> 17; b ^= b << 5;
      hi32[HI] = a;
      hi32[1 - HI] = b;
      yield f64[0]!;
    }
  }

  /** Relative error against Math.*, and for subnormal double results the same plus 2 subnormal ulps. */
  function check(name: string, f: Unary, g: Unary, xs: Iterable<number>): void {
    let failure = "";
    for (const x of xs) {
      const a = f(x), b = g(x);
      const ok = !Number.isFinite(b)
        ? Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))
        : Math.abs(a - b) <= 1e-10 * Math.abs(b) + (Math.abs(b) < 2.2250738585072014e-308 ? 1e-323 : 0);
      if (!ok && !failure) failure = `${name}(${x}) = ${a}, Math: ${b}`;
    }
    expect(failure).toBe("");
  }

  it("expf over [-760, 760] and random doubles", () => {
    const grid = Array.from({ length: 400_001 }, (_, i) => -760 + i * 0.0038);
    check("expf", expf, Math.exp, grid);
    check("expf", expf, Math.exp, doubles(200_000, 1));
  });

  it("logf over random doubles of every magnitude, subnormals included", () => {
    check("logf", logf, Math.log, doubles(400_000, 2));
    check("logf", logf, Math.log, Array.from({ length: 100_000 }, (_, i) => 5e-324 * (i + 1)));
    check("logf", logf, Math.log, Array.from({ length: 100_001 }, (_, i) => 1 + (i - 50_000) * 1e-12));
  });

  it("log1pf over random doubles, near 0 and near -1", () => {
    check("log1pf", log1pf, Math.log1p, doubles(400_000, 3));
    check("log1pf", log1pf, Math.log1p, Array.from({ length: 100_001 }, (_, i) => (i - 50_000) * 1e-9));
    check("log1pf", log1pf, Math.log1p, Array.from({ length: 100_000 }, (_, i) => -1 + (i + 1) * 2 ** -60));
    check("log1pf", log1pf, Math.log1p, Array.from({ length: 100_000 }, (_, i) => -1 + (i + 1) * 1e-6));
  });
});

describe("fastmath: expm1f", () => {
  it("is within 2 float32 ulps of Math.expm1 for every 97th float32 input (measured: under 0.03)", () => {
    const { worst, at, samples } = sweepFloat32(expm1f, Math.expm1, 97);
    expect(samples).toBeGreaterThan(44_000_000);
    // Relative to tiny results: the expf polynomial's error, r^2 · 1e-6 next to r, is at most
    // 2e-9 relative (0.03 float32 ulp) near |x| = ln2/128.
    expect(worst, `expm1f(${at}) = ${expm1f(at)}, Math: ${Math.expm1(at)}`).toBeLessThan(0.05);
  });

  it("edges: tiny arguments keep their digits, -1 below -708, overflow to Infinity, NaN", () => {
    for (const x of [1e-30, -1e-30, 5e-324, 2 ** -149, -(2 ** -149), 1e-10, -1e-10]) {
      expect(Math.abs(expm1f(x) - Math.expm1(x)), `expm1f(${x})`).toBeLessThanOrEqual(2 ** -51 * Math.abs(x));
    }
    for (const x of [1e-6, -1e-6]) expect(Math.abs(expm1f(x) / Math.expm1(x) - 1), `expm1f(${x})`).toBeLessThan(1e-11);
    expect(expm1f(0)).toBe(0);
    expect(expm1f(-Infinity)).toBe(-1);
    expect(expm1f(-708)).toBe(-1);
    expect(expm1f(-1e300)).toBe(-1);
    expect(expm1f(Infinity)).toBe(Infinity);
    expect(expm1f(710)).toBe(Infinity);
    expect(expm1f(1e300)).toBe(Infinity);
    expect(expm1f(NaN)).toBeNaN();
    // the largest finite result (x near log(Number.MAX_VALUE)) and the rare path's lower end
    expect(Math.abs(expm1f(709.78) / Math.expm1(709.78) - 1)).toBeLessThan(1e-10);
    expect(Math.abs(expm1f(708.5) / Math.expm1(708.5) - 1)).toBeLessThan(1e-10);
    // 1 + expm1f(x) is expf(x) to a few double ulps (LogCosh takes both from one call)
    for (let i = 0; i <= 2000; i++) {
      const x = -i / 100;
      expect(Math.abs(1 + expm1f(x) - expf(x)), `x = ${x}`).toBeLessThanOrEqual(4 * 2 ** -53);
    }
  });

  it("random doubles: within 5e-9 relative of Math.expm1", () => {
    let failure = "";
    let state = 12345;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
    for (let i = 0; i < 400_000; i++) {
      const x = (random() - 0.5) * 2 * 10 ** (8 * random() - 6);
      const a = expm1f(x), b = Math.expm1(x);
      const tol = 5e-9 * Math.abs(b);
      if (!(Math.abs(a - b) <= tol) && !failure) failure = `expm1f(${x}) = ${a}, Math: ${b}`;
    }
    expect(failure).toBe("");
  });
});
