#!/usr/bin/env python3
"""Where the polynomial coefficients of src/simd/math.wat come from (not part of the build).

Each fit minimizes the largest relative error on Chebyshev nodes by iteratively reweighted
least squares (Lawson's algorithm), in float64 against mpmath at 40 digits, then rounds the
coefficients to float32 and reports the relative error before and after that rounding.
test/simd.test.ts checks the resulting functions against Math.* over the float32 range.

    pip install numpy mpmath && python3 scripts/fit-simd-polynomials.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def fit(target, lo, hi, powers, weight, name, nodes=600, iterations=400):
    """Coefficients c of sum(c_j x^powers[j]) ~ target(x) on [lo, hi], relative to weight(x)."""
    xs = [lo + (hi - lo) * (1 - mp.cos(mp.pi * (i + 0.5) / nodes)) / 2 for i in range(nodes)]
    a = np.array([[float(x ** p) for p in powers] for x in xs])
    b = np.array([float(target(x)) for x in xs])
    w = np.array([1 / abs(float(weight(x))) for x in xs])
    lawson = np.ones(nodes)
    for _ in range(iterations):
        c, *_ = np.linalg.lstsq(a * (w * np.sqrt(lawson))[:, None], b * w * np.sqrt(lawson), rcond=None)
        error = np.abs((a @ c - b) * w)
        lawson = lawson * error
        lawson /= lawson.sum()
    c32 = np.float32(c)
    print(f"{name}: relative error {np.max(np.abs((a @ c - b) * w)):.2e}, "
          f"with float32 coefficients {np.max(np.abs((a @ c32.astype(np.float64) - b) * w)):.2e}")
    print("   ", [repr(float(v)) for v in c32])
    return c32


def atanh_ratio(w):
    """atanh(sqrt(w)) / sqrt(w), 1 at w = 0."""
    return mp.atanh(mp.sqrt(w)) / mp.sqrt(w) if w > 0 else mp.mpf(1)


half_ln2 = mp.log(2) / 2
# $exp, $expn: e^r = 1 + r + r^2 P(r) on |r| <= ln2/2, P of degree 4 (relative to e^r).
fit(lambda r: mp.exp(r) - 1 - r, -half_ln2, half_ln2, [2, 3, 4, 5, 6], mp.exp, "exp P (r^2 .. r^6)")
# $log_poly: atanh(x)/x = G(x^2) on x^2 in [0, 0.0295] (|s| <= 3 - 2 sqrt(2)); the code uses
# H = (G - 1) / w in w = t^2 = 4 s^2, so coefficient j is divided by 4^j and doubled.
g = fit(atanh_ratio, mp.mpf(0), mp.mpf("0.02944"), [0, 1, 2, 3], atanh_ratio, "log G(s^2), degree 3", nodes=400, iterations=300)
print("    H coefficients for t = 2s, times 2:", [repr(float(np.float32(2 * v / 4 ** j))) for j, v in enumerate(g) if j > 0])
# $log1p_unit: atanh(x)/x on x^2 in [0, 1/9] (s = e / (2 + e) <= 1/3); R = 2 (G - 1) / z.
g = fit(atanh_ratio, mp.mpf(0), mp.mpf(1) / 9, [0, 1, 2, 3, 4], atanh_ratio, "log1p G(s^2), degree 4", nodes=400, iterations=300)
print("    R coefficients (2 g_j, j >= 1):", [repr(float(np.float32(2 * v))) for v in g[1:]])
# $tanh_small, $logcosh_small: in x = a^2 on [0, 0.75^2].
x_hi = mp.mpf("0.5625")
tanh_ratio = lambda x: mp.tanh(mp.sqrt(x)) / mp.sqrt(x) if x > 0 else mp.mpf(1)
logcosh_ratio = lambda x: mp.log(mp.cosh(mp.sqrt(x))) / x if x > 0 else mp.mpf("0.5")
fit(tanh_ratio, mp.mpf(0), x_hi, list(range(7)), tanh_ratio, "tanh(a)/a in a^2, degree 6", nodes=400, iterations=200)
fit(logcosh_ratio, mp.mpf(0), x_hi, list(range(7)), logcosh_ratio, "log(cosh(a))/a^2 in a^2, degree 6", nodes=400, iterations=200)
