;; Float32x4 loss kernels: per-row values and the fused gradient, over contiguous row-major
;; float32 data. Part of one module with math.wat (see its header); src/simd/index.ts calls
;; these with pointers into the module's memory and documents each kernel's contract.
;;
;; Every kernel takes
;;   $t     yTrue, rows x n float32 (scce: one int32 label per row)
;;   $p     yPred, rows x n float32
;;   $g     the gradient, rows x n float32, written (not accumulated); 0: values only
;;   $u     the upstream weight of each row, float64 (read only when $g is not 0)
;;   $o     the per-row values, float64
;;   $rows, $n
;; and the loss's constants (float32 unless said otherwise). Every buffer is followed by 16
;; bytes the kernel may read and write: a row is processed four lanes at a time, and the last
;; vector of a row reaches into the next row (or the padding). Lanes past the row end are
;; masked out of every sum (the mask is all ones but on the last, partial vector of a row);
;; the gradient they write into the next row is overwritten when that row is processed (rows
;; go in order), or lands in the padding.
;;
;; Sums are accumulated in float64 (two f64x2 accumulators per sum), as the JavaScript
;; kernels accumulate in doubles; the per-element terms are float32. Formulas, clipping and
;; special values follow the JavaScript kernels in src/losses/*.ts, which stay the reference;
;; where float32 would cancel badly (log(1 - c) near c = 0, log(cosh a) and tanh(a) near 0,
;; log(t / p) near t = p, sigmoid(x) - z near saturation) the kernels use an equivalent form
;; that keeps float32 relative accuracy.

;; ---------------------------------------------------------------------------------------------
;; -(z log c + (1 - z) log(1 - c)) for c in [eps, 1 - eps] (or NaN). When every lane of the row
;; ($mask) has z = 0 or 1 it is one log, of c or of 1 - c (with the rounding of 1 - c carried,
;; see $log1m), instead of two: the same value, as 0 times a finite log is 0.
(func $bce_term (param $z v128) (param $c v128) (param $mask v128) (result v128)
  (local $one v128) (local $u v128)
  (local.set $one (f32x4.eq (local.get $z) (v128.const f32x4 1 1 1 1)))
  (if (i32x4.all_true (v128.or (v128.or (local.get $one) (f32x4.eq (local.get $z) (v128.const f32x4 0 0 0 0)))
                               (v128.not (local.get $mask))))
    (then
      (local.set $u (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $c)))
      (return (f32x4.neg (call $logc
        (v128.bitselect (local.get $c) (local.get $u) (local.get $one))
        (v128.andnot (f32x4.sub (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $u)) (local.get $c)) (local.get $one)))))))
  (f32x4.neg (f32x4.add
    (f32x4.mul (local.get $z) (call $log0 (local.get $c)))
    (f32x4.mul (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (call $log1m (local.get $c))))))

;; ---------------------------------------------------------------------------------------------
;; q = p / total for a row of probabilities: p times the float32 inverse of the row's total, or,
;; when that inverse is not a normal float32 (a total below 3e-39 or above 9e37, 0, NaN), the
;; float64 division rounded to float32, as the JS kernels divide.
(func $ratio (param $p v128) (param $inv v128) (param $exact i32) (param $total f64) (result v128)
  (local $d v128)
  (if (i32.eqz (local.get $exact)) (then (return (f32x4.mul (local.get $p) (local.get $inv)))))
  (local.set $d (f64x2.splat (local.get $total)))
  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
    (f32x4.demote_f64x2_zero (f64x2.div (f64x2.promote_low_f32x4 (local.get $p)) (local.get $d)))
    (f32x4.demote_f64x2_zero (f64x2.div (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p))) (local.get $d)))))

;; v times a row's gradient scale: in float32, or (when the row's total made $exact) in float64,
;; where u / total may be beyond float32 while v is 0 (0, not 0 * Infinity = NaN, as in JS).
(func $scaled (param $v v128) (param $scale v128) (param $exact i32) (param $scale64 f64) (result v128)
  (local $d v128)
  (if (i32.eqz (local.get $exact)) (then (return (f32x4.mul (local.get $scale) (local.get $v)))))
  (local.set $d (f64x2.splat (local.get $scale64)))
  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
    (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $d)))
    (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $d)))))

;; Whether a row's float32 inverse is not a normal float (then $ratio divides in float64).
(func $inexact_inverse (param $inv f32) (result i32)
  (i32.eqz (i32.and (f32.ge (local.get $inv) (f32.const 1.17549435e-38)) (f32.lt (local.get $inv) (f32.const inf)))))

;; ---------------------------------------------------------------------------------------------
;; LogCosh: mean(log(cosh(p - t))) per row; gradient scale tanh(p - t), scale = u / n.
(func (export "logCosh")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $acc0 v128) (local $acc1 v128) (local $scale v128)
  (local $e v128) (local $a v128) (local $small v128) (local $ex v128) (local $v v128) (local $th v128)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0))
    (local.set $acc1 (v128.const i64x2 0 0))
    (if (local.get $g) (then
      (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.load (local.get $u)) (f64.convert_i32_s (local.get $n))))))))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $e (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $off))) (v128.load (i32.add (local.get $t) (local.get $off)))))
      (local.set $a (f32x4.abs (local.get $e)))
      (local.set $small (f32x4.lt (local.get $a) (v128.const f32x4 0.75 0.75 0.75 0.75)))
      (local.set $ex (call $expn (f32x4.mul (local.get $a) (v128.const f32x4 -2 -2 -2 -2))))
      ;; |e| < 0.75: a^2 R(a^2); else (a - log 2) + log1p(e^-2a) (a - log 2 is exact near log 2)
      (local.set $v (v128.bitselect
        (call $logcosh_small (local.get $a))
        (f32x4.add (f32x4.sub (local.get $a) (v128.const f32x4 0.6931471805599453 0.6931471805599453 0.6931471805599453 0.6931471805599453))
                   (call $log1p_unit (local.get $ex)))
        (local.get $small)))
      (local.set $v (v128.and (local.get $v) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        ;; tanh|e| = a S(a^2) or (1 - e^-2a) / (1 + e^-2a), with the sign of e
        (local.set $th (v128.bitselect
          (call $tanh_small (local.get $a))
          (f32x4.div (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $ex)) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $ex)))
          (local.get $small)))
        (local.set $th (v128.or (local.get $th) (v128.and (local.get $e) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
        (v128.store (i32.add (local.get $g) (local.get $off)) (f32x4.mul (local.get $scale) (local.get $th)))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (f64.store (local.get $o) (f64.div (call $hsum (local.get $acc0) (local.get $acc1)) (f64.convert_i32_s (local.get $n))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Binary crossentropy from logits: mean(max(x, 0) - x z + log1p(e^-|x|)), z = t keep + shift;
;; gradient scale (sigmoid(x) - z), written (1 - z) - s or s - z with s = e^-|x| / (1 + e^-|x|)
;; so that it keeps its relative accuracy as sigmoid(x) approaches z.
(func (export "bceLogits")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $keep f32) (param $shift f32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $acc0 v128) (local $acc1 v128) (local $scale v128) (local $keepv v128) (local $shiftv v128)
  (local $x v128) (local $z v128) (local $ex v128) (local $v v128) (local $s v128) (local $pos v128)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $keepv (f32x4.splat (local.get $keep)))
  (local.set $shiftv (f32x4.splat (local.get $shift)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0))
    (local.set $acc1 (v128.const i64x2 0 0))
    (if (local.get $g) (then
      (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.load (local.get $u)) (f64.convert_i32_s (local.get $n))))))))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $x (v128.load (i32.add (local.get $p) (local.get $off))))
      (local.set $z (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)))
      (local.set $ex (call $expn (f32x4.neg (f32x4.abs (local.get $x)))))
      (local.set $v (f32x4.add
        (f32x4.sub (f32x4.pmax (local.get $x) (v128.const f32x4 0 0 0 0)) (f32x4.mul (local.get $x) (local.get $z)))
        (call $log1p_unit (local.get $ex))))
      (local.set $v (v128.and (local.get $v) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        (local.set $s (f32x4.div (local.get $ex) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $ex))))
        (local.set $pos (f32x4.ge (local.get $x) (v128.const f32x4 0 0 0 0)))
        ;; x >= 0: (1 - z) - s; else s - z
        (v128.store (i32.add (local.get $g) (local.get $off))
          (f32x4.mul (local.get $scale)
            (f32x4.add
              (v128.bitselect (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (f32x4.neg (local.get $z)) (local.get $pos))
              (v128.xor (local.get $s) (v128.and (local.get $pos) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (f64.store (local.get $o) (f64.div (call $hsum (local.get $acc0) (local.get $acc1)) (f64.convert_i32_s (local.get $n))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Binary crossentropy on probabilities: mean(-(z log c + (1 - z) log(1 - c))), c = clip(p, lo, hi);
;; gradient scale (c - z) / (c (1 - c)) (= (1 - z)/(1 - c) - z/c) where c = p, 0 where clipped
;; or NaN.
(func (export "bce")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $keep f32) (param $shift f32) (param $lo f32) (param $hi f32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $acc0 v128) (local $acc1 v128) (local $scale v128) (local $keepv v128) (local $shiftv v128) (local $lov v128) (local $hiv v128)
  (local $x v128) (local $z v128) (local $c v128) (local $v v128)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $keepv (f32x4.splat (local.get $keep)))
  (local.set $shiftv (f32x4.splat (local.get $shift)))
  (local.set $lov (f32x4.splat (local.get $lo)))
  (local.set $hiv (f32x4.splat (local.get $hi)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0))
    (local.set $acc1 (v128.const i64x2 0 0))
    (if (local.get $g) (then
      (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.load (local.get $u)) (f64.convert_i32_s (local.get $n))))))))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $x (v128.load (i32.add (local.get $p) (local.get $off))))
      (local.set $z (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)))
      (local.set $c (f32x4.pmin (f32x4.pmax (local.get $x) (local.get $lov)) (local.get $hiv)))
      (local.set $v (call $bce_term (local.get $z) (local.get $c) (local.get $mask)))
      (local.set $v (v128.and (local.get $v) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        (v128.store (i32.add (local.get $g) (local.get $off))
          (v128.and
            (f32x4.mul (local.get $scale)
              (f32x4.div (f32x4.sub (local.get $c) (local.get $z))
                         (f32x4.mul (local.get $c) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $c)))))
            (f32x4.eq (local.get $c) (local.get $x))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (f64.store (local.get $o) (f64.div (call $hsum (local.get $acc0) (local.get $acc1)) (f64.convert_i32_s (local.get $n))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Binary focal crossentropy: mean(w (1 - p_t)^gamma bce), 1 - p_t = b = z (1 - prob) + (1 - z) prob,
;; w = z alpha + (1 - z) alpha0 when $balance (else 1); with $logits, prob = sigmoid(x) and bce
;; the logits formula, else prob = p and bce on clip(p, lo, hi). Gradient
;; scale w (dFocal bce + focal dBce), dFocal = gamma b^(gamma-1) (1 - 2z) dProb (0 when gamma = 0
;; or dProb = 0), dProb = prob (1 - prob) from logits, 1 from probabilities. b^gamma and
;; b^(gamma-1) go through $pow with the modes and signs given.
(func (export "binaryFocal")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $keep f32) (param $shift f32) (param $lo f32) (param $hi f32) (param $logits i32)
  (param $gamma f32) (param $gmode i32) (param $gsign f32) (param $gm1 f32) (param $gm1mode i32) (param $gm1sign f32)
  (param $balance i32) (param $alpha f32) (param $alpha0 f32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $acc0 v128) (local $acc1 v128) (local $scale v128) (local $keepv v128) (local $shiftv v128) (local $lov v128) (local $hiv v128)
  (local $x v128) (local $z v128) (local $c v128) (local $v v128) (local $ex v128) (local $s1 v128) (local $s2 v128) (local $pos v128)
  (local $prob v128) (local $om v128) (local $bce v128) (local $dbce v128) (local $dprob v128) (local $b v128) (local $focal v128)
  (local $w v128) (local $dfocal v128)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $keepv (f32x4.splat (local.get $keep)))
  (local.set $shiftv (f32x4.splat (local.get $shift)))
  (local.set $lov (f32x4.splat (local.get $lo)))
  (local.set $hiv (f32x4.splat (local.get $hi)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0))
    (local.set $acc1 (v128.const i64x2 0 0))
    (if (local.get $g) (then
      (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.load (local.get $u)) (f64.convert_i32_s (local.get $n))))))))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $x (v128.load (i32.add (local.get $p) (local.get $off))))
      (local.set $z (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)))
      (if (local.get $logits)
        (then
          ;; prob = sigmoid(x) and 1 - prob, both from e = e^-|x| without cancellation
          (local.set $ex (call $expn (f32x4.neg (f32x4.abs (local.get $x)))))
          (local.set $s1 (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $ex))))
          (local.set $s2 (f32x4.mul (local.get $ex) (local.get $s1)))
          (local.set $pos (f32x4.ge (local.get $x) (v128.const f32x4 0 0 0 0)))
          (local.set $prob (v128.bitselect (local.get $s1) (local.get $s2) (local.get $pos)))
          (local.set $om (v128.bitselect (local.get $s2) (local.get $s1) (local.get $pos)))
          (local.set $bce (f32x4.add
            (f32x4.sub (f32x4.pmax (local.get $x) (v128.const f32x4 0 0 0 0)) (f32x4.mul (local.get $x) (local.get $z)))
            (call $log1p_unit (local.get $ex))))
          ;; d bce / dx = sigmoid(x) - z
          (local.set $dbce (f32x4.add
            (v128.bitselect (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (f32x4.neg (local.get $z)) (local.get $pos))
            (v128.xor (local.get $s2) (v128.and (local.get $pos) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))))
          (local.set $dprob (f32x4.mul (local.get $prob) (local.get $om))))
        (else
          (local.set $prob (local.get $x))
          (local.set $om (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $x)))
          (local.set $c (f32x4.pmin (f32x4.pmax (local.get $x) (local.get $lov)) (local.get $hiv)))
          (local.set $bce (call $bce_term (local.get $z) (local.get $c) (local.get $mask)))
          (local.set $dbce (v128.and
            (f32x4.div (f32x4.sub (local.get $c) (local.get $z))
                       (f32x4.mul (local.get $c) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $c))))
            (f32x4.eq (local.get $c) (local.get $x))))
          (local.set $dprob (v128.const f32x4 1 1 1 1))))
      (local.set $b (f32x4.add (f32x4.mul (local.get $z) (local.get $om))
                               (f32x4.mul (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (local.get $prob))))
      (local.set $focal (call $pow (local.get $b) (local.get $gamma) (local.get $gmode) (local.get $gsign)))
      (local.set $w (v128.const f32x4 1 1 1 1))
      (if (local.get $balance) (then
        (local.set $w (f32x4.add (f32x4.mul (local.get $z) (f32x4.splat (local.get $alpha)))
                                 (f32x4.mul (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (f32x4.splat (local.get $alpha0)))))))
      (local.set $v (f32x4.mul (f32x4.mul (local.get $w) (local.get $focal)) (local.get $bce)))
      (local.set $v (v128.and (local.get $v) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        (local.set $dfocal (v128.const i64x2 0 0))
        (if (local.get $gmode) (then
          (local.set $dfocal (v128.andnot
            (f32x4.mul (f32x4.mul (f32x4.mul (f32x4.splat (local.get $gamma))
                                             (call $pow (local.get $b) (local.get $gm1) (local.get $gm1mode) (local.get $gm1sign)))
                                  (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.add (local.get $z) (local.get $z))))
                       (local.get $dprob))
            (f32x4.eq (local.get $dprob) (v128.const f32x4 0 0 0 0))))))
        (v128.store (i32.add (local.get $g) (local.get $off))
          (f32x4.mul (f32x4.mul (local.get $scale) (local.get $w))
            (f32x4.add (f32x4.mul (local.get $dfocal) (local.get $bce)) (f32x4.mul (local.get $focal) (local.get $dbce)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (f64.store (local.get $o) (f64.div (call $hsum (local.get $acc0) (local.get $acc1)) (f64.convert_i32_s (local.get $n))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Categorical crossentropy from logits: (Σz) log Σ e^(x - max) - Σ z (x - max) per row;
;; gradient scale (e^(x - max) Σz / Σe - z), scale = u. The exponentials wait in the gradient
;; row between the two passes.
(func (export "cceLogits")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $keep f32) (param $shift f32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $keepv v128) (local $shiftv v128) (local $mx v128) (local $max f32)
  (local $se0 v128) (local $se1 v128) (local $sz0 v128) (local $sz1 v128) (local $szx0 v128) (local $szx1 v128)
  (local $x v128) (local $z v128) (local $e v128) (local $zx v128)
  (local $sumExp f64) (local $sumZ f64) (local $a v128) (local $scale v128)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $keepv (f32x4.splat (local.get $keep)))
  (local.set $shiftv (f32x4.splat (local.get $shift)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    ;; max over the row (lanes past its end count as -Infinity)
    (local.set $mx (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $mx (f32x4.pmax (local.get $mx)
        (v128.bitselect (v128.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2)))) (v128.const f32x4 -inf -inf -inf -inf) (local.get $mask))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (local.set $max (call $hmax (local.get $mx)))
    (local.set $mx (f32x4.splat (local.get $max)))
    (local.set $se0 (v128.const i64x2 0 0)) (local.set $se1 (v128.const i64x2 0 0))
    (local.set $sz0 (v128.const i64x2 0 0)) (local.set $sz1 (v128.const i64x2 0 0))
    (local.set $szx0 (v128.const i64x2 0 0)) (local.set $szx1 (v128.const i64x2 0 0))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $x (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $off))) (local.get $mx)))
      (local.set $z (v128.and (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv))
                              (local.get $mask)))
      (local.set $e (v128.and (call $expn (local.get $x)) (local.get $mask)))
      (local.set $zx (v128.and (f32x4.mul (local.get $z) (local.get $x)) (local.get $mask)))
      (if (local.get $g) (then (v128.store (i32.add (local.get $g) (local.get $off)) (local.get $e))))
      (local.set $se0 (f64x2.add (local.get $se0) (f64x2.promote_low_f32x4 (local.get $e))))
      (local.set $se1 (f64x2.add (local.get $se1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e)))))
      (local.set $sz0 (f64x2.add (local.get $sz0) (f64x2.promote_low_f32x4 (local.get $z))))
      (local.set $sz1 (f64x2.add (local.get $sz1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $z) (local.get $z)))))
      (local.set $szx0 (f64x2.add (local.get $szx0) (f64x2.promote_low_f32x4 (local.get $zx))))
      (local.set $szx1 (f64x2.add (local.get $szx1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $zx) (local.get $zx)))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (local.set $sumExp (call $hsum (local.get $se0) (local.get $se1)))
    (local.set $sumZ (call $hsum (local.get $sz0) (local.get $sz1)))
    (f64.store (local.get $o) (f64.sub (f64.mul (local.get $sumZ) (call $log1 (local.get $sumExp))) (call $hsum (local.get $szx0) (local.get $szx1))))
    (if (local.get $g) (then
      (local.set $a (f32x4.splat (f32.demote_f64 (f64.div (local.get $sumZ) (local.get $sumExp)))))
      (local.set $scale (f32x4.splat (f32.demote_f64 (f64.load (local.get $u)))))
      (local.set $k (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $off (i32.shl (local.get $k) (i32.const 2)))
        (v128.store (i32.add (local.get $g) (local.get $off))
          (f32x4.mul (local.get $scale)
            (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $off))) (local.get $a))
                       (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Categorical crossentropy on probabilities: q = p / Σp, c = clip(q, lo, hi), -Σ z log c per row;
;; gradient (u / Σp) (h - Σh q) with h = -z / q where c = q (0 where clipped), Σ h q = -Σ z over
;; the unclipped entries.
(func (export "cce")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $keep f32) (param $shift f32) (param $lo f32) (param $hi f32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $keepv v128) (local $shiftv v128) (local $lov v128) (local $hiv v128)
  (local $acc0 v128) (local $acc1 v128) (local $hq0 v128) (local $hq1 v128) (local $v v128)
  (local $total f64) (local $inv v128) (local $q v128) (local $z v128) (local $c v128) (local $hq v128) (local $scale v128)
  (local $exact i32) (local $finite i32) (local $scale64 f64)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $keepv (f32x4.splat (local.get $keep)))
  (local.set $shiftv (f32x4.splat (local.get $shift)))
  (local.set $lov (f32x4.splat (local.get $lo)))
  (local.set $hiv (f32x4.splat (local.get $hi)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0)) (local.set $acc1 (v128.const i64x2 0 0))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $v (v128.and (v128.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2)))) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (local.set $total (call $hsum (local.get $acc0) (local.get $acc1)))
    (local.set $inv (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (local.get $total)))))
    (local.set $exact (call $inexact_inverse (f32x4.extract_lane 0 (local.get $inv))))
    ;; a finite, non-zero total: every q is a number, and a class with z = 0 adds exactly 0
    (local.set $finite (i32.and (f64.lt (f64.abs (local.get $total)) (f64.const inf)) (f64.ne (local.get $total) (f64.const 0))))
    (local.set $acc0 (v128.const i64x2 0 0)) (local.set $acc1 (v128.const i64x2 0 0))
    (local.set $hq0 (v128.const i64x2 0 0)) (local.set $hq1 (v128.const i64x2 0 0))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $z (v128.and (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv))
                              (local.get $mask)))
      ;; four classes with z = 0 (most vectors of one-hot rows): nothing to add, no log
      (if (i32.and (local.get $finite) (i32.eqz (v128.any_true (f32x4.ne (local.get $z) (v128.const f32x4 0 0 0 0))))) (then
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))
      (local.set $q (call $ratio (v128.load (i32.add (local.get $p) (local.get $off))) (local.get $inv) (local.get $exact) (local.get $total)))
      (local.set $c (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $lov)) (local.get $hiv)))
      (local.set $v (v128.and (f32x4.mul (local.get $z) (call $log0 (local.get $c))) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        (local.set $v (v128.and (local.get $z) (f32x4.eq (local.get $c) (local.get $q))))
        (local.set $hq0 (f64x2.add (local.get $hq0) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $hq1 (f64x2.add (local.get $hq1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (f64.store (local.get $o) (f64.neg (call $hsum (local.get $acc0) (local.get $acc1))))
    (if (local.get $g) (then
      ;; Σ h q = -Σ z over the unclipped entries
      (local.set $hq (f32x4.splat (f32.demote_f64 (f64.neg (call $hsum (local.get $hq0) (local.get $hq1))))))
      (local.set $scale64 (f64.div (f64.load (local.get $u)) (local.get $total))) (local.set $scale (f32x4.splat (f32.demote_f64 (local.get $scale64))))
      (local.set $k (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $off (i32.shl (local.get $k) (i32.const 2)))
        (local.set $q (call $ratio (v128.load (i32.add (local.get $p) (local.get $off))) (local.get $inv) (local.get $exact) (local.get $total)))
        (local.set $c (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $lov)) (local.get $hiv)))
        (local.set $z (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)))
        (v128.store (i32.add (local.get $g) (local.get $off))
          (call $scaled
            (f32x4.sub (v128.and (f32x4.div (f32x4.neg (local.get $z)) (local.get $q)) (f32x4.eq (local.get $c) (local.get $q)))
                       (local.get $hq))
            (local.get $scale) (local.get $exact) (local.get $scale64)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Categorical focal crossentropy: q = p / Σp (softmax with $logits), c = clip(q, lo, hi),
;; Σ -a (1 - c)^gamma z log c per row over the classes with z != 0 (a = alpha, or $alphas[k]
;; when $alphas is not 0). Gradient: h = a z (gamma (1-c)^(gamma-1) log c - (1-c)^gamma / c)
;; where c = q (else 0), then (dq - Σ h q) u / Σp, or through the softmax p (dq - Σ h q) u / Σp.
;; $scratch (n + 4 floats) holds the row's exponentials, $list (n / 4 + 1 int32) the offsets of the
;; vectors with a class of z != 0; the gradient row holds dq in between.
(func (export "categoricalFocal")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $keep f32) (param $shift f32) (param $lo f32) (param $hi f32) (param $logits i32)
  (param $gamma f32) (param $gmode i32) (param $gm1 f32) (param $gm1mode i32)
  (param $alphas i32) (param $alpha f32) (param $scratch i32) (param $list i32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $keepv v128) (local $shiftv v128) (local $lov v128) (local $hiv v128)
  (local $acc0 v128) (local $acc1 v128) (local $hq0 v128) (local $hq1 v128) (local $v v128) (local $mx v128)
  (local $total f64) (local $inv v128) (local $q v128) (local $z v128) (local $c v128) (local $a v128) (local $pr i32)
  (local $om v128) (local $logC v128) (local $focal v128) (local $h v128) (local $hq v128) (local $scale v128) (local $keepz v128)
  (local $exact i32) (local $scale64 f64) (local $count i32) (local $li i32)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $keepv (f32x4.splat (local.get $keep)))
  (local.set $shiftv (f32x4.splat (local.get $shift)))
  (local.set $lov (f32x4.splat (local.get $lo)))
  (local.set $hiv (f32x4.splat (local.get $hi)))
  (local.set $a (f32x4.splat (local.get $alpha)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0)) (local.set $acc1 (v128.const i64x2 0 0))
    (local.set $count (i32.const 0))
    (if (local.get $logits)
      (then
        ;; the row's e^(x - max) into $scratch, and their sum
        (local.set $mx (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $k (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
          (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
          (local.set $mx (f32x4.pmax (local.get $mx)
            (v128.bitselect (v128.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2)))) (v128.const f32x4 -inf -inf -inf -inf) (local.get $mask))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $next)))
        (local.set $mx (f32x4.splat (call $hmax (local.get $mx))))
        (local.set $k (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
          (local.set $off (i32.shl (local.get $k) (i32.const 2)))
          (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
          (local.set $v (v128.and (call $expn (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $off))) (local.get $mx))) (local.get $mask)))
          (v128.store (i32.add (local.get $scratch) (local.get $off)) (local.get $v))
          ;; the vectors with a class of z != 0, listed for the pass below
          (if (v128.any_true (v128.andnot (local.get $mask)
                (f32x4.eq (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)) (v128.const f32x4 0 0 0 0))))
            (then
              (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $k))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $next)))
        (local.set $pr (local.get $scratch)))
      (else
        (local.set $k (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
          (local.set $off (i32.shl (local.get $k) (i32.const 2)))
          (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
          (local.set $v (v128.and (v128.load (i32.add (local.get $p) (local.get $off))) (local.get $mask)))
          ;; the vectors with a class of z != 0, listed for the pass below
          (if (v128.any_true (v128.andnot (local.get $mask)
                (f32x4.eq (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)) (v128.const f32x4 0 0 0 0))))
            (then
              (i32.store (i32.add (local.get $list) (i32.shl (local.get $count) (i32.const 2))) (local.get $k))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $next)))
        (local.set $pr (local.get $p))))
    (local.set $total (call $hsum (local.get $acc0) (local.get $acc1)))
    (local.set $inv (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (local.get $total)))))
    (local.set $exact (call $inexact_inverse (f32x4.extract_lane 0 (local.get $inv))))
    (local.set $acc0 (v128.const i64x2 0 0)) (local.set $acc1 (v128.const i64x2 0 0))
    (local.set $hq0 (v128.const i64x2 0 0)) (local.set $hq1 (v128.const i64x2 0 0))
    ;; dq is 0 for the classes with z = 0 (they add exactly 0, even where q is NaN, as in the
    ;; JavaScript kernel); the listed vectors (one per row with one-hot labels) get the rest
    (if (local.get $g) (then (memory.fill (local.get $g) (i32.const 0) (i32.shl (local.get $n) (i32.const 2)))))
    (local.set $li (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $li) (local.get $count)))
      (local.set $k (i32.load (i32.add (local.get $list) (i32.shl (local.get $li) (i32.const 2)))))
      (local.set $li (i32.add (local.get $li) (i32.const 1)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $z (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $keepv)) (local.get $shiftv)))
      (local.set $keepz (v128.andnot (local.get $mask) (f32x4.eq (local.get $z) (v128.const f32x4 0 0 0 0))))
      (if (local.get $alphas) (then (local.set $a (v128.load (i32.add (local.get $alphas) (local.get $off))))))
      (local.set $q (call $ratio (v128.load (i32.add (local.get $pr) (local.get $off))) (local.get $inv) (local.get $exact) (local.get $total)))
      (local.set $c (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $lov)) (local.get $hiv)))
      (local.set $logC (call $log0 (local.get $c)))
      (local.set $om (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $c)))
      (local.set $focal (call $pow (local.get $om) (local.get $gamma) (local.get $gmode) (f32.const 1)))
      (local.set $v (v128.and (f32x4.mul (f32x4.mul (f32x4.mul (local.get $a) (local.get $focal)) (local.get $z)) (local.get $logC)) (local.get $keepz)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        (local.set $h (f32x4.neg (f32x4.div (local.get $focal) (local.get $c))))
        (if (local.get $gmode) (then
          (local.set $h (f32x4.add (local.get $h)
            (f32x4.mul (f32x4.mul (f32x4.splat (local.get $gamma)) (call $pow (local.get $om) (local.get $gm1) (local.get $gm1mode) (f32.const 1)))
                       (local.get $logC))))))
        (local.set $h (v128.and (f32x4.mul (f32x4.mul (local.get $a) (local.get $z)) (local.get $h))
                                (v128.and (local.get $keepz) (f32x4.eq (local.get $c) (local.get $q)))))
        (v128.store (i32.add (local.get $g) (local.get $off)) (local.get $h))
        (local.set $v (v128.and (f32x4.mul (local.get $h) (local.get $q)) (local.get $keepz)))
        (local.set $hq0 (f64x2.add (local.get $hq0) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $hq1 (f64x2.add (local.get $hq1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))))
      (br $next)))
    (f64.store (local.get $o) (f64.neg (call $hsum (local.get $acc0) (local.get $acc1))))
    (if (local.get $g) (then
      (local.set $hq (f32x4.splat (f32.demote_f64 (call $hsum (local.get $hq0) (local.get $hq1)))))
      (if (local.get $logits)
        (then (local.set $scale (f32x4.mul (f32x4.splat (f32.demote_f64 (f64.load (local.get $u)))) (local.get $inv))))
        (else (local.set $scale64 (f64.div (f64.load (local.get $u)) (local.get $total))) (local.set $scale (f32x4.splat (f32.demote_f64 (local.get $scale64))))))
      (local.set $k (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $off (i32.shl (local.get $k) (i32.const 2)))
        (local.set $v (f32x4.sub (v128.load (i32.add (local.get $g) (local.get $off))) (local.get $hq)))
        (if (local.get $logits)
          (then (local.set $v (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $scratch) (local.get $off))) (local.get $scale)) (local.get $v))))
          (else (local.set $v (call $scaled (local.get $v) (local.get $scale) (local.get $exact) (local.get $scale64)))))
        (v128.store (i32.add (local.get $g) (local.get $off)) (local.get $v))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $next)))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Sparse categorical crossentropy from logits: log Σ e^(x - max) - (x_y - max) per row, $t one
;; int32 label per row (-1: ignored row, value 0 and gradient 0); gradient u (softmax - onehot(y)).
(func (export "scceLogits")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128) (local $y i32)
  (local $mx v128) (local $max f32) (local $se0 v128) (local $se1 v128) (local $e v128)
  (local $sumExp f64) (local $a v128) (local $scale f32) (local $gy i32)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $y (i32.load (local.get $t)))
    (if (i32.lt_s (local.get $y) (i32.const 0))
      (then
        (f64.store (local.get $o) (f64.const 0))
        (if (local.get $g) (then (memory.fill (local.get $g) (i32.const 0) (i32.shl (local.get $n) (i32.const 2))))))
      (else
        (local.set $mx (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $k (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
          (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
          (local.set $mx (f32x4.pmax (local.get $mx)
            (v128.bitselect (v128.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 2)))) (v128.const f32x4 -inf -inf -inf -inf) (local.get $mask))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $next)))
        (local.set $max (call $hmax (local.get $mx)))
        (local.set $mx (f32x4.splat (local.get $max)))
        (local.set $se0 (v128.const i64x2 0 0)) (local.set $se1 (v128.const i64x2 0 0))
        (local.set $k (i32.const 0))
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
          (local.set $off (i32.shl (local.get $k) (i32.const 2)))
          (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
          (local.set $e (v128.and (call $expn (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $off))) (local.get $mx))) (local.get $mask)))
          (if (local.get $g) (then (v128.store (i32.add (local.get $g) (local.get $off)) (local.get $e))))
          (local.set $se0 (f64x2.add (local.get $se0) (f64x2.promote_low_f32x4 (local.get $e))))
          (local.set $se1 (f64x2.add (local.get $se1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e)))))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $next)))
        (local.set $sumExp (call $hsum (local.get $se0) (local.get $se1)))
        (f64.store (local.get $o)
          (f64.sub (call $log1 (local.get $sumExp))
                   (f64.promote_f32 (f32.sub (f32.load (i32.add (local.get $p) (i32.shl (local.get $y) (i32.const 2)))) (local.get $max)))))
        (if (local.get $g) (then
          (local.set $scale (f32.demote_f64 (f64.load (local.get $u))))
          (local.set $a (f32x4.splat (f32.demote_f64 (f64.div (f64.load (local.get $u)) (local.get $sumExp)))))
          (local.set $k (i32.const 0))
          (block $done (loop $next
            (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
            (local.set $off (i32.add (local.get $g) (i32.shl (local.get $k) (i32.const 2))))
            (v128.store (local.get $off) (f32x4.mul (v128.load (local.get $off)) (local.get $a)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $next)))
          (local.set $gy (i32.add (local.get $g) (i32.shl (local.get $y) (i32.const 2))))
          (f32.store (local.get $gy) (f32.sub (f32.load (local.get $gy)) (local.get $scale)))))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (i32.const 4)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; KL divergence: Σ t log(t / p) per row, t and p clipped to [eps, 1]; gradient -u t / p where
;; eps <= p <= 1 (0 elsewhere and for NaN). log(t / p) is log1p((t - p) / p) when t / p is in
;; [0.5, 1.5] (t - p exact there), else log of the rounded ratio.
(func (export "kld")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $eps f32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $acc0 v128) (local $acc1 v128) (local $scale v128) (local $epsv v128)
  (local $b v128) (local $lab v128) (local $pred v128) (local $rp v128) (local $y v128) (local $ratio v128)
  (local $near v128) (local $w v128) (local $v v128)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $epsv (f32x4.splat (local.get $eps)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0))
    (local.set $acc1 (v128.const i64x2 0 0))
    (if (local.get $g) (then (local.set $scale (f32x4.splat (f32.demote_f64 (f64.load (local.get $u)))))))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $b (v128.load (i32.add (local.get $p) (local.get $off))))
      (local.set $lab (f32x4.pmin (f32x4.pmax (v128.load (i32.add (local.get $t) (local.get $off))) (local.get $epsv)) (v128.const f32x4 1 1 1 1)))
      (local.set $pred (f32x4.pmin (f32x4.pmax (local.get $b) (local.get $epsv)) (v128.const f32x4 1 1 1 1)))
      (local.set $rp (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $pred)))
      (local.set $y (f32x4.mul (f32x4.sub (local.get $lab) (local.get $pred)) (local.get $rp)))
      (local.set $ratio (f32x4.mul (local.get $lab) (local.get $rp)))
      (local.set $near (f32x4.le (f32x4.abs (local.get $y)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
      ;; near: log(w + (y - (w - 1))) with w = 1 + y; else log(ratio)
      (local.set $w (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $y)))
      (local.set $v (f32x4.mul (local.get $lab)
        (call $logc
          (v128.bitselect (local.get $w) (local.get $ratio) (local.get $near))
          (v128.and (f32x4.sub (local.get $y) (f32x4.sub (local.get $w) (v128.const f32x4 1 1 1 1))) (local.get $near)))))
      (local.set $v (v128.and (local.get $v) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        (v128.store (i32.add (local.get $g) (local.get $off))
          (v128.and (f32x4.neg (f32x4.mul (local.get $scale) (local.get $ratio)))
                    (v128.and (f32x4.ge (local.get $b) (local.get $epsv)) (f32x4.le (local.get $b) (v128.const f32x4 1 1 1 1)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (f64.store (local.get $o) (call $hsum (local.get $acc0) (local.get $acc1)))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))

;; ---------------------------------------------------------------------------------------------
;; Poisson: mean(p - t log(p + eps)) per row; gradient scale (1 - t / (p + eps)), scale = u / n.
(func (export "poisson")
  (param $t i32) (param $p i32) (param $g i32) (param $u i32) (param $o i32) (param $rows i32) (param $n i32)
  (param $eps f32)
  (local $r i32) (local $k i32) (local $off i32) (local $tail v128) (local $mask v128)
  (local $acc0 v128) (local $acc1 v128) (local $scale v128) (local $epsv v128)
  (local $x v128) (local $lab v128) (local $s v128) (local $v v128)
  (local.set $tail (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.and (local.get $n) (i32.const 3)))))
  (local.set $epsv (f32x4.splat (local.get $eps)))
  (block $rowsDone (loop $row
    (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
    (local.set $acc0 (v128.const i64x2 0 0))
    (local.set $acc1 (v128.const i64x2 0 0))
    (if (local.get $g) (then
      (local.set $scale (f32x4.splat (f32.demote_f64 (f64.div (f64.load (local.get $u)) (f64.convert_i32_s (local.get $n))))))))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $off (i32.shl (local.get $k) (i32.const 2)))
      (local.set $mask (select (v128.const i32x4 -1 -1 -1 -1) (local.get $tail) (i32.le_s (i32.add (local.get $k) (i32.const 4)) (local.get $n))))
      (local.set $x (v128.load (i32.add (local.get $p) (local.get $off))))
      (local.set $lab (v128.load (i32.add (local.get $t) (local.get $off))))
      (local.set $s (f32x4.add (local.get $x) (local.get $epsv)))
      ;; every lane a positive normal float (the usual case): $logc, without $log's special cases
      (local.set $v (f32x4.sub (local.get $x) (f32x4.mul (local.get $lab)
        (if (result v128) (i32x4.all_true (v128.and (f32x4.ge (local.get $s) (v128.const f32x4 2.35098870e-38 2.35098870e-38 2.35098870e-38 2.35098870e-38))
                                                    (f32x4.lt (local.get $s) (v128.const f32x4 8.50705917e37 8.50705917e37 8.50705917e37 8.50705917e37))))
          (then (call $log_pos (local.get $s)))
          (else (call $log (local.get $s)))))))
      (local.set $v (v128.and (local.get $v) (local.get $mask)))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (if (local.get $g) (then
        (v128.store (i32.add (local.get $g) (local.get $off))
          (f32x4.mul (local.get $scale) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.div (local.get $lab) (local.get $s)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 4)))
      (br $next)))
    (f64.store (local.get $o) (f64.div (call $hsum (local.get $acc0) (local.get $acc1)) (f64.convert_i32_s (local.get $n))))
    (local.set $off (i32.shl (local.get $n) (i32.const 2)))
    (local.set $t (i32.add (local.get $t) (local.get $off)))
    (local.set $p (i32.add (local.get $p) (local.get $off)))
    (if (local.get $g) (then (local.set $g (i32.add (local.get $g) (local.get $off)))))
    (local.set $u (i32.add (local.get $u) (i32.const 8)))
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $row))))
