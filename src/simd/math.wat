;; Float32x4 elementary functions for the SIMD loss kernels (src/simd/losses.wat).
;;
;; This file and losses.wat are the fields of one module: scripts/build-wasm.mjs wraps them in
;; `(module (memory (export "memory") 1) …)`, compiles the text with wabt and embeds the bytes
;; in src/simd/modules.ts. The functions here take and return f32x4 vectors; every lane is
;; independent. Accuracy, measured by test/simd.test.ts over every 97th (29th for the log1p
;; forms) float32 bit pattern against Math.* in float64:
;;
;;   $exp    exp(x) for every float32, subnormal results included: 0.96 ulp. exp(NaN) = NaN,
;;           exp(-Infinity) = 0, exp(x > 88.73) = Infinity.
;;   $expn   exp(x) for x <= 0 (what the kernels take: e^-|x|, e^(x - max)): 0.96 ulp for results
;;           >= 2^-126; below (x < -87.34) 0, where $exp would give a subnormal.
;;   $log    log(x) for every float32: 0.88 ulp. log(±0) = -Infinity, log(x < 0) = NaN,
;;           log(Infinity) = Infinity, log(NaN) = NaN.
;;   $log_pos, $log0: log(x) for x in [2^-125, 2^126) without the special cases ($log0 passes a
;;           NaN on): a clipped probability, a Poisson rate.
;;   $logc   log(x + err) for x in [2^-125, 2^126) and a correction |err| <= ulp(x), the rounding
;;           error of an x computed as 1 - c or 1 + e: what keeps log(1 - c) accurate for c near
;;           0 ($log1m: 0.91 ulp over (0, 1)). NaN gives NaN.
;;   $log1p_unit log(1 + e) for e in [0, 1], no range reduction: 1.21 ulp.
;;   $tanh_small, $logcosh_small: polynomials for |a| < 0.75, where the exp-based formulas cancel
;;           (LogCosh's value and gradient: within 4 ulps over [0, 100], tested).
;;
;; Methods (the standard float32 reductions, as in Cephes and musl):
;;   exp: n = round(x / ln2) (the 1.5 * 2^23 shifter), r = x - n ln2 with ln2 in two parts
;;        (Cody-Waite), exp(r) = 1 + r + r^2 P(r) on |r| <= ln2/2, times 2^h 2^(n-h) with h = n/2
;;        so that both factors stay normal and subnormal results are rounded once ($expn: 2^n once).
;;   log: x = 2^k m with m in [sqrt(1/2), sqrt(2)) (integer arithmetic on the bits), f = m - 1
;;        (exact), log(1 + f) = 2 atanh(f / (2 + f)) as a correction to f, plus k ln2 in two parts.
;;   The polynomial coefficients are fits made for this file (least squares on Chebyshev nodes,
;;   reweighted towards the largest relative error, then rounded to float32); each function says
;;   its interval and the relative error before the float32 evaluation.
;;   min/max: pmin/pmax (one instruction each, where min/max are about eight on x64), with the
;;   value as first operand so that a NaN passes through as Math.min/max pass it.

;; exp(x), lane by lane.
(func $exp (param $x v128) (result v128)
  (local $n v128) (local $i v128) (local $r v128) (local $h v128) (local $p v128)
  ;; Below -104 the result rounds to 0, above 88.8 it overflows.
  (local.set $x (f32x4.pmax (f32x4.pmin (local.get $x) (v128.const f32x4 88.8 88.8 88.8 88.8))
                           (v128.const f32x4 -104 -104 -104 -104)))
  ;; n = round(x log2(e)): adding 1.5 * 2^23 leaves the integer in the low mantissa bits.
  (local.set $n (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
                           (v128.const f32x4 12582912 12582912 12582912 12582912)))
  (local.set $i (i32x4.sub (local.get $n) (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)))
  (local.set $n (f32x4.sub (local.get $n) (v128.const f32x4 12582912 12582912 12582912 12582912)))
  ;; r = x - n ln2, ln2 = 0.693359375 (exact times n) - 2.12194440e-4
  (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                           (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
  ;; exp(r) = 1 + r + r^2 P(r), P a degree-4 fit (relative error of exp 3.8e-9 on |r| <= ln2/2)
  (local.set $p (f32x4.add (v128.const f32x4 0.4999999403953552 0.4999999403953552 0.4999999403953552 0.4999999403953552)
    (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 0.1666652113199234 0.1666652113199234 0.1666652113199234 0.1666652113199234)
    (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 0.04166838899254799 0.04166838899254799 0.04166838899254799 0.04166838899254799)
    (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 0.008368710055947304 0.008368710055947304 0.008368710055947304 0.008368710055947304)
    (f32x4.mul (local.get $r) (v128.const f32x4 0.001381461275741458 0.001381461275741458 0.001381461275741458 0.001381461275741458))))))))))
  (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1)
    (f32x4.add (local.get $r) (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (local.get $p)))))
  ;; times 2^h 2^(n-h), h = n >> 1: both factors are normal floats for n in [-150, 128]
  (local.set $h (i32x4.shr_s (local.get $i) (i32.const 1)))
  (f32x4.mul
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $h) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
    (i32x4.shl (i32x4.add (i32x4.sub (local.get $i) (local.get $h)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

;; exp(x) for x <= 0 (or NaN), what every kernel needs (e^-|x|, e^-2|e|, e^(x - max)): as $exp,
;; within 2 ulps, for results >= 2^-126, but one multiplication by 2^n instead of two; results
;; below 2^-126 (x < -87.34) are 0 where the JS kernels keep a subnormal (a difference under
;; 1.2e-38). exp(-Infinity) = 0, exp(NaN) = NaN.
(func $expn (param $x v128) (result v128)
  (local $n v128) (local $i v128) (local $r v128) (local $p v128) (local $small v128)
  (local.set $small (f32x4.lt (local.get $x) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
  ;; from -87.5 on, n >= -126 and 2^n is a normal float (pmax passes NaN on)
  (local.set $x (f32x4.pmax (local.get $x) (v128.const f32x4 -87.5 -87.5 -87.5 -87.5)))
  (local.set $n (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
                           (v128.const f32x4 12582912 12582912 12582912 12582912)))
  (local.set $i (i32x4.sub (local.get $n) (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000)))
  (local.set $n (f32x4.sub (local.get $n) (v128.const f32x4 12582912 12582912 12582912 12582912)))
  (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                           (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
  (local.set $p (f32x4.add (v128.const f32x4 0.4999999403953552 0.4999999403953552 0.4999999403953552 0.4999999403953552)
    (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 0.1666652113199234 0.1666652113199234 0.1666652113199234 0.1666652113199234)
    (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 0.04166838899254799 0.04166838899254799 0.04166838899254799 0.04166838899254799)
    (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 0.008368710055947304 0.008368710055947304 0.008368710055947304 0.008368710055947304)
    (f32x4.mul (local.get $r) (v128.const f32x4 0.001381461275741458 0.001381461275741458 0.001381461275741458 0.001381461275741458))))))))))
  (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1)
    (f32x4.add (local.get $r) (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (local.get $p)))))
  (v128.andnot
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $i) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
    (local.get $small)))

;; log(1 + f) + k ln2, the shared tail of the logs: f in [sqrt(1/2) - 1, sqrt(2) - 1], k the
;; exponent (integers). log(1 + f) = 2 atanh(s), s = f / (2 + f) in [-0.172, 0.172]; with t = 2s,
;; 2 atanh(s) = t G(t^2), G = 1 + w H(w) a degree-3 fit of atanh(x)/x in x^2 on [0, 0.0295]
;; (relative error 1.6e-9 before the float32 evaluation), written f - s (f - 2 w H(w)) (as
;; 2s = f - s f) so that f, exact, carries the result and the rounded part is a correction.
;; k ln2 in two parts, the small one added first.
(func $log_poly (param $f v128) (param $k v128) (result v128)
  (local $s v128) (local $w v128) (local $kf v128)
  (local.set $s (f32x4.div (local.get $f) (f32x4.add (v128.const f32x4 2 2 2 2) (local.get $f))))
  (local.set $w (f32x4.mul (f32x4.add (local.get $s) (local.get $s)) (f32x4.add (local.get $s) (local.get $s))))
  (local.set $kf (f32x4.convert_i32x4_s (local.get $k)))
  (f32x4.add
    (f32x4.add
      (f32x4.sub (local.get $f)
        (f32x4.mul (local.get $s)
          (f32x4.sub (local.get $f)
            (f32x4.mul (local.get $w)
              (f32x4.add (v128.const f32x4 0.16666704416275024 0.16666704416275024 0.16666704416275024 0.16666704416275024) (f32x4.mul (local.get $w) (f32x4.add (v128.const f32x4 0.024984244257211685 0.024984244257211685 0.024984244257211685 0.024984244257211685) (f32x4.mul (local.get $w) (v128.const f32x4 0.004675903357565403 0.004675903357565403 0.004675903357565403 0.004675903357565403)))))))))
      (f32x4.mul (local.get $kf) (v128.const f32x4 9.0580006145e-06 9.0580006145e-06 9.0580006145e-06 9.0580006145e-06)))
    (f32x4.mul (local.get $kf) (v128.const f32x4 6.9313812256e-01 6.9313812256e-01 6.9313812256e-01 6.9313812256e-01))))

;; log(x), lane by lane, every float32 input.
(func $log (param $x v128) (result v128)
  (local $b v128) (local $tiny v128) (local $k v128) (local $r v128)
  ;; Subnormal (and non-positive) inputs: scale by 2^24 and take 24 off the exponent.
  (local.set $tiny (f32x4.lt (local.get $x) (v128.const f32x4 1.17549435e-38 1.17549435e-38 1.17549435e-38 1.17549435e-38)))
  (local.set $b (v128.bitselect (f32x4.mul (local.get $x) (v128.const f32x4 16777216 16777216 16777216 16777216)) (local.get $x) (local.get $tiny)))
  ;; k = exponent of b relative to [sqrt(1/2), sqrt(2)); m = b 2^-k, f = m - 1 (exact)
  (local.set $k (i32x4.shr_s (i32x4.sub (local.get $b) (v128.const i32x4 0x3f3504f3 0x3f3504f3 0x3f3504f3 0x3f3504f3)) (i32.const 23)))
  (local.set $r (call $log_poly
    (f32x4.sub (i32x4.sub (local.get $b) (i32x4.shl (local.get $k) (i32.const 23))) (v128.const f32x4 1 1 1 1))
    (i32x4.sub (local.get $k) (v128.and (local.get $tiny) (v128.const i32x4 24 24 24 24)))))
  ;; x > 0 and finite: r; else 0 -> -Infinity, x < 0 -> NaN, +Infinity and NaN -> x
  (v128.bitselect
    (local.get $r)
    (v128.bitselect
      (v128.const f32x4 -inf -inf -inf -inf)
      (v128.bitselect (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.get $x) (f32x4.lt (local.get $x) (v128.const f32x4 0 0 0 0)))
      (f32x4.eq (local.get $x) (v128.const f32x4 0 0 0 0)))
    (v128.and (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0)) (f32x4.lt (local.get $x) (v128.const f32x4 inf inf inf inf)))))

;; log(x) for x in [2^-125, 2^126): no special values, no NaN (the caller checked).
(func $log_pos (param $x v128) (result v128)
  (local $k v128)
  (local.set $k (i32x4.shr_s (i32x4.sub (local.get $x) (v128.const i32x4 0x3f3504f3 0x3f3504f3 0x3f3504f3 0x3f3504f3)) (i32.const 23)))
  (call $log_poly
    (f32x4.sub (i32x4.sub (local.get $x) (i32x4.shl (local.get $k) (i32.const 23))) (v128.const f32x4 1 1 1 1))
    (local.get $k)))

;; log(x) for x in [2^-125, 2^126) or NaN (NaN stays NaN): a clipped probability.
(func $log0 (param $x v128) (result v128)
  (f32x4.add (call $log_pos (local.get $x)) (f32x4.sub (local.get $x) (local.get $x))))

;; log(x + err) for x in [2^-125, 2^126) (or NaN) and |err| <= ulp(x): f = m - 1 + err 2^-k.
(func $logc (param $x v128) (param $err v128) (result v128)
  (local $k v128)
  (local.set $k (i32x4.shr_s (i32x4.sub (local.get $x) (v128.const i32x4 0x3f3504f3 0x3f3504f3 0x3f3504f3 0x3f3504f3)) (i32.const 23)))
  (f32x4.add
    (call $log_poly
      (f32x4.add
        (f32x4.sub (i32x4.sub (local.get $x) (i32x4.shl (local.get $k) (i32.const 23))) (v128.const f32x4 1 1 1 1))
        ;; err 2^-k: 2^-k built from its bits
        (f32x4.mul (local.get $err) (i32x4.shl (i32x4.sub (v128.const i32x4 127 127 127 127) (local.get $k)) (i32.const 23))))
      (local.get $k))
    ;; x - x: 0, or NaN for a NaN x (whose bits would otherwise give a finite result)
    (f32x4.sub (local.get $x) (local.get $x))))

;; log(1 + e) for e in [0, 1] (or NaN), no range reduction: musl's form with f = e,
;; log1p(e) = e - (e^2/2 - s (e^2/2 + R)), s = e / (2 + e) in [0, 1/3], R = 2 (atanh(s) - s) / s
;; = z (r1 + z (r2 + z (r3 + z r4))) in z = s^2, a fit on [0, 1/9] (2 (atanh(x)/x - 1) / x^2 with
;; relative error 7.8e-9 before the float32 evaluation).
(func $log1p_unit (param $e v128) (result v128)
  (local $s v128) (local $z v128) (local $r v128) (local $hfsq v128)
  (local.set $s (f32x4.div (local.get $e) (f32x4.add (v128.const f32x4 2 2 2 2) (local.get $e))))
  (local.set $z (f32x4.mul (local.get $s) (local.get $s)))
  (local.set $r (f32x4.mul (local.get $z)
    (f32x4.add (v128.const f32x4 0.6666631698608398 0.6666631698608398 0.6666631698608398 0.6666631698608398) (f32x4.mul (local.get $z)
    (f32x4.add (v128.const f32x4 0.40024909377098083 0.40024909377098083 0.40024909377098083 0.40024909377098083) (f32x4.mul (local.get $z)
    (f32x4.add (v128.const f32x4 0.27960601449012756 0.27960601449012756 0.27960601449012756 0.27960601449012756) (f32x4.mul (local.get $z) (v128.const f32x4 0.2817833423614502 0.2817833423614502 0.2817833423614502 0.2817833423614502)))))))))
  (local.set $hfsq (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (local.get $e) (local.get $e))))
  (f32x4.sub (local.get $e)
    (f32x4.sub (local.get $hfsq) (f32x4.mul (local.get $s) (f32x4.add (local.get $hfsq) (local.get $r))))))

;; log(1 - c) for c in [2^-125, 1 - 2^-24] (or NaN): 1 - c rounded, and what the rounding lost.
(func $log1m (param $c v128) (result v128)
  (local $u v128)
  (local.set $u (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $c)))
  (call $logc (local.get $u) (f32x4.sub (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $u)) (local.get $c))))

;; tanh(a) for 0 <= a < 0.75: a S(a^2), S a degree-6 fit of tanh(a)/a in a^2 on [0, 0.5625]
;; (relative error 3.4e-9 before the float32 evaluation).
(func $tanh_small (param $a v128) (result v128)
  (local $x v128)
  (local.set $x (f32x4.mul (local.get $a) (local.get $a)))
  (f32x4.mul (local.get $a)
    (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 -0.3333330750465393 -0.3333330750465393 -0.3333330750465393 -0.3333330750465393) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 0.13332578539848328 0.13332578539848328 0.13332578539848328 0.13332578539848328) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 -0.05388563126325607 -0.05388563126325607 -0.05388563126325607 -0.05388563126325607) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 0.02143087238073349 0.02143087238073349 0.02143087238073349 0.02143087238073349) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 -0.007627028971910477 -0.007627028971910477 -0.007627028971910477 -0.007627028971910477) (f32x4.mul (local.get $x)
      (v128.const f32x4 0.0017203539609909058 0.0017203539609909058 0.0017203539609909058 0.0017203539609909058)))))))))))))))

;; log(cosh(a)) for 0 <= a < 0.75: a^2 R(a^2) (a + log1p(e^-2a) - log 2 would cancel to a^2/2), R a
;; degree-6 fit of log(cosh(a))/a^2 in a^2 on [0, 0.5625] (relative error 3.3e-9 before the
;; float32 evaluation).
(func $logcosh_small (param $a v128) (result v128)
  (local $x v128)
  (local.set $x (f32x4.mul (local.get $a) (local.get $a)))
  (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 -0.08333331346511841 -0.08333331346511841 -0.08333331346511841 -0.08333331346511841) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 0.022221719846129417 0.022221719846129417 0.022221719846129417 0.022221719846129417) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 -0.006740521639585495 -0.006740521639585495 -0.006740521639585495 -0.006740521639585495) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 0.0021577358711510897 0.0021577358711510897 0.0021577358711510897 0.0021577358711510897) (f32x4.mul (local.get $x)
    (f32x4.add (v128.const f32x4 -0.0006567654781974852 -0.0006567654781974852 -0.0006567654781974852 -0.0006567654781974852) (f32x4.mul (local.get $x)
      (v128.const f32x4 0.00013460037007462233 0.00013460037007462233 0.00013460037007462233 0.00013460037007462233)))))))))))))))

;; b^g as the focal losses take it (JavaScript's Math.pow semantics for the cases they meet):
;; mode 0: 1; mode 1: b; mode 2: b b; mode 3: exp(g log|b|), times negSign where b < 0 (1 for an
;; even integer g, -1 for an odd one, NaN otherwise: what Math.pow gives for a negative base).
(func $pow (param $b v128) (param $g f32) (param $mode i32) (param $negSign f32) (result v128)
  (local $r v128)
  (if (i32.eq (local.get $mode) (i32.const 2)) (then (return (f32x4.mul (local.get $b) (local.get $b)))))
  (if (i32.eq (local.get $mode) (i32.const 1)) (then (return (local.get $b))))
  (if (i32.eqz (local.get $mode)) (then (return (v128.const f32x4 1 1 1 1))))
  (local.set $r (call $exp (f32x4.mul (f32x4.splat (local.get $g)) (call $log (f32x4.abs (local.get $b))))))
  (v128.bitselect (f32x4.mul (local.get $r) (f32x4.splat (local.get $negSign))) (local.get $r)
                  (f32x4.lt (local.get $b) (v128.const f32x4 0 0 0 0))))

;; Horizontal helpers.

;; The sum of the two f64x2 accumulators' four lanes.
(func $hsum (param $a v128) (param $b v128) (result f64)
  (local.set $a (f64x2.add (local.get $a) (local.get $b)))
  (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))

;; The largest of four lanes; NaN lanes are skipped (pmax), as the JS kernels' `x > max` skips them.
(func $hmax (param $v v128) (result f32)
  (local.set $v (f32x4.pmax (local.get $v) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
  (local.set $v (f32x4.pmax (local.get $v) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $v) (local.get $v))))
  (f32x4.extract_lane 0 (local.get $v)))

;; log of one f64 (a row's sum of exponentials) through $log: float32-accurate.
(func $log1 (param $s f64) (result f64)
  (f64.promote_f32 (f32x4.extract_lane 0 (call $log (f32x4.splat (f32.demote_f64 (local.get $s)))))))

;; Array versions for the accuracy tests: dst[i] = f(src[i]) for i < count (count a multiple of 4).
(func (export "expArray") (param $src i32) (param $dst i32) (param $count i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
    (v128.store (local.get $dst) (call $exp (v128.load (local.get $src))))
    (local.set $src (i32.add (local.get $src) (i32.const 16)))
    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
    (br $next))))

(func (export "expnArray") (param $src i32) (param $dst i32) (param $count i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
    (v128.store (local.get $dst) (call $expn (v128.load (local.get $src))))
    (local.set $src (i32.add (local.get $src) (i32.const 16)))
    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
    (br $next))))

(func (export "logArray") (param $src i32) (param $dst i32) (param $count i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
    (v128.store (local.get $dst) (call $log (v128.load (local.get $src))))
    (local.set $src (i32.add (local.get $src) (i32.const 16)))
    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
    (br $next))))

;; log1p(e) for e in [0, 1]; log(1 - c); tanh(a) and log(cosh(a)) for a >= 0 as the kernels compute them.
(func (export "log1pUnitArray") (param $src i32) (param $dst i32) (param $count i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
    (v128.store (local.get $dst) (call $log1p_unit (v128.load (local.get $src))))
    (local.set $src (i32.add (local.get $src) (i32.const 16)))
    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
    (br $next))))

(func (export "log1mArray") (param $src i32) (param $dst i32) (param $count i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
  (block $done (loop $next
    (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
    (v128.store (local.get $dst) (call $log1m (v128.load (local.get $src))))
    (local.set $src (i32.add (local.get $src) (i32.const 16)))
    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
    (br $next))))
