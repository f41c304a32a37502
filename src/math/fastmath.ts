/**
 * Float32-accurate `exp`, `log` and `log1p` in plain arithmetic, for the float32 paths of the
 * hot kernels (src/losses/crossentropy.ts, probabilistic.ts, regression.ts).
 *
 * `Math.exp`/`log`/`log1p` are calls into C in V8 (about 8 ns each on a server core, eight
 * times an add), and a float32 loss does not need their double-precision results. These
 * functions are small enough for TurboFan to inline into a kernel's loop and cost 3-4 ns:
 *
 * - `expf`: `x = (64 k + j) ln2/64 + r`, `exp(x) = 2^k 2^(j/64) p(r)`, `|r| <= ln2/128`, `p` a
 *   degree-3 minimax polynomial. Relative error < 1e-11.
 * - `logf`: `x = 2^k m`, `m = c_j (1 + r)` with `c_j` the centre of one of 64 slices of
 *   `[0.992, 1.984)` (the two slices next to 1 use `c = 1`, so `r = m - 1` exactly),
 *   `log x = k ln2 + log c_j + log1p(r)`, `|r| <= 1/64`, a degree-5 polynomial. Relative
 *   error < 1e-11 (a few double ulps near 1).
 * - `log1pf`: the same with `u = 1 + y`, adding the rounding error of `1 + y` to `r` so that
 *   tiny `y` stay exact.
 * - `log1pUnitf`: `log1p(e)` for `e` in [0, 1] only (softplus's `log1p(exp(-|x|))`): the
 *   slice comes from `e * 64`, no bit access.
 * - `expm1f`: `exp(x) - 1` from `expf`'s reduction, as `(s - 1) + s (p(r) - 1)` with
 *   `s = 2^k 2^(j/64)`: relative accuracy down to tiny results (LogCosh's `tanh = -m / (2 + m)`,
 *   `m = expm1(-2|e|)`). Largest error 0.03 float32 ulp (2e-9 relative, near |x| = ln2/128,
 *   where the degree-3 polynomial's error next to the small result shows).
 *
 * They are float32-accurate everywhere: against `Math.*` (within one double ulp of the truth),
 * the largest error is 1.0e-4 float32 ulp for `expf` and 5.0e-5 for `logf`, `log1pf` (every 7th
 * float32 bit pattern, both signs) and `log1pUnitf` (every float32 in [0, 1]), with subnormal
 * results, ±Infinity, NaN, ±0 and the overflow/underflow edges exact or as close
 * (test/fastmath.test.ts). For any double they agree with `Math.*` within 1e-10 relative
 * (measured ~1e-11), so a float32 loss built on them stays far inside the float32 rounding of
 * its result. Float64 losses keep `Math.*`. bench/fastmath.mjs times them against `Math.*` in
 * a loop: 2.5-4.5x faster.
 *
 * How the code is written matters to V8 (Node 20):
 * - Everything lives in a closure. Bundlers (esbuild, so tsup) turn top-level `const` into
 *   `var`, and V8 reloads and rechecks a mutable module binding on every use; a `const` of a
 *   closure is a constant once the function is inlined (the tables' addresses go into the
 *   machine code).
 * - Some constants come from one off-heap `Float64Array` (`C[i]`, a memory operand: one
 *   instruction) instead of literals (two instructions each: an immediate into a general
 *   register, then into an XMM register): expf's `64/ln2`, its split `ln2/64`, 1 and its
 *   polynomial (all-literal expf ran 20% slower). The others are literals: once any
 *   ArrayBuffer in the process has been detached (a `WebAssembly.Memory` growing, as
 *   tfjs-wasm's does, or a buffer transferred to a worker), V8 drops its "no detached buffers"
 *   assumption and checks the buffer of every typed-array access, and each `C[i]` read costs
 *   that check too. Measured (compare.mjs, the exp/log workloads): literals for expf's range
 *   check and shifter and for the whole log family are 5% faster after a detach (1.00x
 *   before); expf with every constant a literal is 13% faster after a detach but 20% slower
 *   before. Typed arrays of 64 bytes or less live on the JS heap and cost a bounds check per
 *   access, so every table here is longer than that.
 * - The rare paths (NaN, infinities, huge arguments, subnormal doubles) compute their result
 *   with arithmetic and number literals, never with a call: a call that has not run yet when
 *   the kernel is optimized returns a tagged value, which makes V8 box every result of the
 *   hot path into a HeapNumber.
 * - Bits are read through a shared `Float64Array`/`Int32Array` pair (a 64-bit store then a
 *   32-bit load, which the CPU forwards); never write part of a double and read it back
 *   (a failed store-forward costs ~20 ns).
 * - Callers call them directly: one loop per dtype, or `f32 ? expf(x) : Math.exp(x)`. A
 *   function taken into a local or a parameter (`const exp = f32 ? expf : Math.exp`) is
 *   inlined too, but the on-stack-replaced code of such a loop (what a long first call runs)
 *   is ~2x slower, and bench/fastmath.mjs shows the steady state can lose the inlining.
 */

type Unary = (x: number) => number;

/** The functions, made in one closure (see the header). */
const fast: { expf: Unary; expm1f: Unary; logf: Unary; log1pf: Unary; log1pUnitf: Unary } = /* @__PURE__ */ (() => {
  // --- bit access ------------------------------------------------------------------------------

  const F64 = new Float64Array(1);
  const I32 = new Int32Array(F64.buffer);
  /** Index of the high (sign, exponent) word of `F64[0]` in `I32`. */
  const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

  // --- tables ----------------------------------------------------------------------------------

  /** `POW2[i] = 2^(i - 1074)`, from the smallest subnormal to 2^1023 (exact by construction). */
  const POW2 = new Float64Array(2098);
  POW2[1074] = 1;
  for (let i = 1075; i < 2098; i++) POW2[i] = POW2[i - 1]! * 2;
  for (let i = 1073; i >= 0; i--) POW2[i] = POW2[i + 1]! * 0.5;

  /** `EXP2J[j] = 2^(j/64)`. */
  const EXP2J = new Float64Array(64);
  for (let j = 0; j < 64; j++) EXP2J[j] = Math.pow(2, j / 64);

  /**
   * Slice `j` of the mantissa range `[1 - 1/128, 2 - 1/64)`: `j = 0` is `[1 - 1/128, 1)`, `j >= 1`
   * is `[1 + (j-1)/64, 1 + j/64)`. `INVC[j] = 1 / c_j` (rounded), `LOGC[j] = -log(INVC[j])`, so
   * that `log m = LOGC[j] + log1p(m INVC[j] - 1)` holds for the stored values.
   */
  const INVC = new Float64Array(64);
  const LOGC = new Float64Array(64);
  for (let j = 0; j < 64; j++) {
    const c = j <= 1 ? 1 : 1 + (j - 0.5) / 64;
    INVC[j] = 1 / c;
    LOGC[j] = j <= 1 ? 0 : -Math.log(INVC[j]!);
  }

  /**
   * For `log1pUnitf`: slice `j` of [0, 1] is `[j/64, (j+1)/64)` (and `j = 64` holds 1), centred
   * on `UCM1[j] = (j + 1/2)/64`, except slice 0, centred on 0 so that `r = e` exactly there.
   * `UINVC[j] = 1 / (1 + UCM1[j])`, `ULOGC[j] = log(1 + UCM1[j])`. 128 entries (those past 64
   * repeat 64) so that `j & 127` needs no bounds check.
   */
  const UCM1 = new Float64Array(128);
  const UINVC = new Float64Array(128);
  const ULOGC = new Float64Array(128);
  for (let j = 0; j < 128; j++) {
    const cm1 = j === 0 ? 0 : (Math.min(j, 64) + 0.5) / 64;
    UCM1[j] = cm1;
    UINVC[j] = 1 / (1 + cm1);
    ULOGC[j] = Math.log1p(cm1);
  }

  /**
   * Constants, read as `C[i]` (see the header). Longer than 8 entries, so stored off-heap.
   * Entries 1 and 7-15 are written as literals in the functions (see the header); they stay
   * here as the record of the values: the round-to-integer shifter 1.5 * 2^52, expf's fast range
   * |x| < 708, ln2, and the log polynomial.
   */
  const C = new Float64Array([
    // 0-3 exp: 64/ln2, the round-to-integer shifter 1.5 * 2^52, ln2/64 split in a high part
    // (exact when multiplied by any |n| < 2^21) and a low part
    92.33248261689366, 6755399441055744, 0.6931471803691238 / 64, 1.9082149292705877e-10 / 64,
    // 4-6 exp: 1 and the minimax coefficients of (e^r - 1 - r) / r^2 on |r| <= ln2/128
    1, 0.5000010122097535, 0.16666676717240506,
    // 7-8 exp: the fast range (-708, 708)
    -708, 708,
    // 9 ln2; 10-13 log: -1/2 and the minimax coefficients of (log1p(r) - r + r^2/2) / r^3 on [-1/128, 1/64]
    0.6931471805599453, -0.5, 0.3333335126956807, -0.2500042248089504, 0.19701631213948775,
    // 14 two; 15 64 (slices per unit, log1pUnitf)
    2, 64,
  ]);

  // --- functions ----------------------------------------------------------------------------

  /** `exp(x)` to ~1e-11 relative (float32-exact after rounding), for any double. */
  function expf(x: number): number {
    let scale = 1;
    if (!(Math.abs(x) < 708)) {
      // |x| >= 708, ±Infinity or NaN. exp(x) = exp(x ∓ 64 ln2) 2^(±64) keeps the table index in
      // range and lets the final product overflow to Infinity or round into the subnormals;
      // beyond ±752 the result is Infinity or 0 anyway. NaN falls through and stays NaN.
      if (x > 0) {
        x = (x < 752 ? x : 752) - 44.3614195558365;
        scale = 18446744073709551616;
      } else if (x < 0) {
        x = (x > -752 ? x : -752) + 44.3614195558365;
        scale = 5.421010862427522e-20;
      }
    }
    const n = x * C[0]! + 6755399441055744 - 6755399441055744; // round(x 64 / ln2)
    const r = x - n * C[2]! - n * C[3]!;
    const i = n | 0;
    return EXP2J[i & 63]! * (C[4]! + r + r * r * (C[5]! + r * C[6]!)) * POW2[(i >> 6) + 1074]! * scale;
  }

  /**
   * `exp(x) - 1`, for any double: with `s = 2^k 2^(j/64)` as in `expf`, `s - 1` is exact
   * (`s` in [1/2, 2]) or far from 0, and `s p(r) - 1 = (s - 1) + s (r + r^2 q(r))` keeps the
   * relative accuracy of tiny results (`expm1f(1e-30)` is 1e-30), where `expf(x) - 1` loses it
   * all. The same polynomial as `expf`, so `1 + expm1f(x)` and `expf(x)` agree to a few double
   * ulps.
   */
  function expm1f(x: number): number {
    let scale = 1, one = 1;
    if (!(Math.abs(x) < 708)) {
      // x <= -708: exp(x) - 1 is -1 in double. x >= 708 (or +Infinity): exp(x) - 1 is exp(x),
      // computed as expf does, with the 2^64 applied last so that the result overflows to
      // Infinity (not Infinity - Infinity). NaN falls through and stays NaN.
      if (x < 0) return -1;
      if (x > 0) {
        x = (x < 752 ? x : 752) - 44.3614195558365;
        scale = 18446744073709551616;
        one = 0;
      }
    }
    const n = x * C[0]! + 6755399441055744 - 6755399441055744; // round(x 64 / ln2)
    const r = x - n * C[2]! - n * C[3]!;
    const i = n | 0;
    const s = EXP2J[i & 63]! * POW2[(i >> 6) + 1074]!;
    return (s - one + s * (r + r * r * (C[5]! + r * C[6]!))) * scale;
  }

  /** `log(x)` to ~1e-11 relative (float32-exact after rounding), for any double. */
  function logf(x: number): number {
    F64[0] = x;
    let hi = I32[HI]!;
    let k = 0;
    if (!(hi >= 0x00100000 && hi < 0x7ff00000)) {
      // Not a positive normal finite double.
      if (!(x > 0 && x < 1 / 0)) return x === 0 ? -1 / 0 : x > 0 ? x : 0 / 0;
      // Subnormal double: scale by 2^54.
      x *= 18014398509481984;
      F64[0] = x;
      hi = I32[HI]!;
      k = -54;
    }
    const t = (hi - 0x3fefc000) | 0; // 0x3fefc000: the high word of 1 - 1/128
    const e = t >> 20;
    const j = (t >> 14) & 63;
    const r = x * POW2[1074 - e]! * INVC[j]! - 1;
    return (e + k) * 0.6931471805599453 + LOGC[j]! + (r + r * r * (-0.5 + r * (0.3333335126956807 + r * (-0.2500042248089504 + r * 0.19701631213948775))));
  }

  /** `log(1 + y)` to ~1e-11 relative (float32-exact after rounding), for any double. */
  function log1pf(y: number): number {
    const u = 1 + y;
    F64[0] = u;
    const hi = I32[HI]!;
    // u is 0 (y = -1), negative, NaN, +Infinity (1 + y >= 2^-53 otherwise, never subnormal).
    if (!(hi >= 0x00100000 && hi < 0x7ff00000)) return u === 0 ? -1 / 0 : u > 0 ? u : 0 / 0;
    const t = (hi - 0x3fefc000) | 0;
    const e = t >> 20;
    const j = (t >> 14) & 63;
    const s = POW2[1074 - e]! * INVC[j]!;
    // u = 1 + y rounded; y - (u - 1) is what the rounding lost (exact for |y| <= 1, negligible
    // beyond), added back to r so that log1p(1e-30) is 1e-30.
    const r = u * s - 1 + (y - (u - 1)) * s;
    // (log1pf(-0) is +0: making it -0 costs a select, ~1 ns.)
    return e * 0.6931471805599453 + LOGC[j]! + (r + r * r * (-0.5 + r * (0.3333335126956807 + r * (-0.2500042248089504 + r * 0.19701631213948775))));
  }

  /**
   * `log(1 + e)` for `e` in [0, 1] (NaN gives NaN), ~1e-11 relative: the `log1p(exp(-|x|))`
   * of softplus and log-cosh. No bit access: the slice comes from `e * 64`, and `r` from
   * `e - (j + 1/2)/64`, exact. Outside [0, 1] the result is wrong (not checked: callers pass
   * `exp` of a non-positive number).
   */
  function log1pUnitf(e: number): number {
    const j = (e * 64) & 127;
    const r = (e - UCM1[j]!) * UINVC[j]!;
    return ULOGC[j]! + (r + r * r * (-0.5 + r * (0.3333335126956807 + r * (-0.2500042248089504 + r * 0.19701631213948775))));
  }

  return { expf, expm1f, logf, log1pf, log1pUnitf };
})();

/** `exp(x)` to ~1e-11 relative (float32-exact after rounding), for any double. */
export const expf: Unary = fast.expf;
/** `exp(x) - 1`, float32-accurate (relative) for any double, tiny results included. */
export const expm1f: Unary = fast.expm1f;
/** `log(x)` to ~1e-11 relative (float32-exact after rounding), for any double. */
export const logf: Unary = fast.logf;
/** `log(1 + y)` to ~1e-11 relative (float32-exact after rounding), for any double. */
export const log1pf: Unary = fast.log1pf;
/** `log(1 + e)` for `e` in [0, 1] only (`log1p(exp(-|x|))`), ~1e-11 relative, faster than {@link log1pf}. */
export const log1pUnitf: Unary = fast.log1pUnitf;
