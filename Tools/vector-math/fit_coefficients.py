#!/usr/bin/env python3
"""Fits the coefficients of CNNCRuntime's VectorMath (exp, sigmoid and tanh
on SIMD vectors) and measures their float32 error, so the constants in
Sources/CNNCRuntime/VectorMath.swift can be checked and remade:

    python3 Tools/vector-math/fit_coefficients.py

- exp(y) for y clamped to [-87.3, 88] (beyond, float32's exp underflows or
  overflows anyway); exp(r) on [-ln2/2, ln2/2] (after exp(y) = 2^n * exp(r)): a degree-7
  polynomial, least squares in relative error on Chebyshev nodes, with
  c0 = c1 = 1 kept exact so exp stays exact at 0 and smooth there.
- The e^y that sigmoid and silu divide by and erfc multiplies (`shortExp`): a degree-6
  polynomial fitted the same way, evaluated as 1 + (r + r^2 (low + high r^2)),
  2^n added to the exponent bits (the same as multiplying, in its range).
- tanh(x) = x * P(x^2) / Q(x^2) for |x| capped at 9, P and Q of degree 4
  with P(0) = Q(0) = 1, nearly minimax in relative error: linearized least
  squares reweighted by the last Q (Sanathanan and Koerner), then by the last
  error (Lawson); the result is capped at +-1.
- sigmoid(x) = 1 / (1 + e^-x).

It prints the coefficients as Swift Float literals and the largest error
of the float32 evaluation (with fused multiply-adds where the Swift code
has them: Estrin's scheme for exp's polynomial, Horner's rule for tanh's)
against float64 numpy over a dense grid.
"""
import numpy as np

f32 = np.float32


def chebyshev_nodes(a, b, n):
    k = np.arange(n)
    return (a + b) / 2 + (b - a) / 2 * np.cos((2 * k + 1) * np.pi / (2 * n))


def fit_exp(degree=7):
    half = np.log(2) / 2
    r = chebyshev_nodes(-half, half, 4000)
    # exp(r) - 1 - r = r^2 * (c2 + c3 r + ... + c_degree r^(degree-2)), fitted in relative error of exp.
    target = (np.exp(r) - 1 - r) / r**2
    weights = r**2 / np.exp(r)
    design = np.stack([r**k for k in range(degree - 1)], axis=1)
    coefficients, *_ = np.linalg.lstsq(design * weights[:, None], target * weights, rcond=None)
    return [1.0, 1.0] + list(coefficients)


TANH_CAP = 9.0


def fit_tanh(degree=4, iterations=60):
    """tanh(x)/x ~ P(t)/Q(t), t = x^2, on [0, TANH_CAP]; returns (P, Q) lowest term first."""
    x = chebyshev_nodes(1e-3, TANH_CAP, 6000)
    t, f = x * x, np.tanh(x) / x
    powers = np.stack([t**k for k in range(1, degree + 1)], axis=1)
    # P - f Q = 0 is linear in the coefficients; dividing by f times the last Q
    # makes each row the relative error, and Lawson's weights then level the peaks.
    design = np.concatenate([powers, -f[:, None] * powers], axis=1)
    last_q, lawson, best = np.ones_like(x), np.ones_like(x), None
    for iteration in range(iterations):
        scale = lawson / (f * last_q)
        solution, *_ = np.linalg.lstsq(design * scale[:, None], (f - 1) * scale, rcond=None)
        p, q = np.concatenate([[1], solution[:degree]]), np.concatenate([[1], solution[degree:]])
        last_q = np.polyval(q[::-1], t)
        error = np.polyval(p[::-1], t) / last_q / f - 1
        if iteration > 10:
            lawson = np.maximum(lawson * np.abs(error), 1e-12)
            lawson *= len(lawson) / lawson.sum()
        if best is None or np.abs(error).max() < best[0]:
            best = (np.abs(error).max(), list(p), list(q))
    return best[1], best[2]


def fma32(a, b, c):
    """a * b + c rounded once to float32, as Swift's addingProduct: the float64
    product of two floats is exact, so only the sum rounds twice (to float64,
    then float32), which can differ from one rounding in rare halfway cases."""
    return f32(np.float64(a) * np.float64(b) + np.float64(c))


def horner(coefficients, t):
    """Horner's rule in float32 with a fused multiply-add per step, as the Swift code evaluates it."""
    acc = f32(coefficients[-1])
    for c in reversed(coefficients[:-1]):
        acc = fma32(acc, t, f32(c))
    return acc


LOG2E, LN2_HI, LN2_LO = f32(1.44269504088896341), f32(0.693359375), f32(-2.12194440e-4)
MAGIC = f32(12582912)


def reduced(y):
    """y = n ln2 + r as VectorMath.reduced computes it: n by adding 1.5 * 2^23."""
    n = f32(fma32(y, LOG2E, MAGIC) - MAGIC)
    return fma32(n, f32(-LN2_LO), fma32(n, -LN2_HI, y)), n


def estrin_exp(c, r):
    """exp's polynomial as the Swift code evaluates it: the terms of degree 2
    to 7 by Estrin's scheme (pairs, then pairs of pairs), added to r and then
    to 1, with fused multiply-adds where the Swift code has them."""
    c = [f32(v) for v in c]
    r2 = f32(r * r)
    r4 = f32(r2 * r2)
    low = f32(fma32(c[3], r, c[2]) * r2)
    high = fma32(fma32(c[7], r, c[6]), r2, fma32(c[5], r, c[4]))
    return f32(c[0] + f32(r + fma32(high, r4, low)))


def exp32(y, c):
    y = np.clip(f32(y), f32(-87.3), f32(88))
    r, n = reduced(y)
    p = estrin_exp(c, r)
    return f32(p * np.ldexp(f32(1), n.astype(np.int32)))


def exp_before_division32(y, c):
    """shortExp: y already in [-87.3, 87.3]; the degree-6 polynomial."""
    c = [f32(v) for v in c]
    r, n = reduced(f32(y))
    r2 = f32(r * r)
    low = fma32(c[3], r, c[2])
    high = fma32(c[6], r2, fma32(c[5], r, c[4]))
    p = f32(c[0] + fma32(r2, fma32(high, r2, low), r))
    return np.ldexp(p, n.astype(np.int32)).astype(np.float32)


def sigmoid32(x, cd):
    x = f32(x)
    e = exp_before_division32(np.clip(f32(-x), f32(-87.3), f32(87.3)), cd)
    return np.where(x < f32(-87.3), f32(0), f32(f32(1) / f32(f32(1) + e)))


def tanh32(x, cp, cq):
    x = np.clip(f32(x), f32(-TANH_CAP), f32(TANH_CAP))
    t = f32(x * x)
    return np.clip(f32(f32(x * horner(cp, t)) / horner(cq, t)), f32(-1), f32(1))


def main():
    ce, cd, ct = fit_exp(), fit_exp(degree=6), fit_tanh()
    print("exp coefficients (r^0 ... r^7):")
    print(", ".join(np.format_float_positional(f32(c)) for c in ce))
    print("shortExp coefficients (r^0 ... r^6):")
    print(", ".join(np.format_float_positional(f32(c)) for c in cd))
    print("tanh coefficients (x^0, x^2, ... x^8 of P, then of Q):")
    print(", ".join(np.format_float_positional(f32(c)) for c in ct[0]))
    print(", ".join(np.format_float_positional(f32(c)) for c in ct[1]))
    grid = np.linspace(-87, 88, 2_000_001).astype(np.float32)
    exact = np.exp(grid.astype(np.float64))
    ulp = np.spacing(np.float32(exact).astype(np.float32))
    error = np.abs(exp32(grid, ce).astype(np.float64) - exact) / ulp
    print(f"exp: largest error {error.max():.2f} ulp over [-87, 88]")
    # Every float in [4, 9.5] (where tanh nears 1 and the error peaks), and a grid over [-10, 10].
    near_one = np.arange(f32(4).view(np.int32), f32(9.5).view(np.int32), dtype=np.int32).view(np.float32)
    grid = np.concatenate([np.linspace(-10, 10, 2_000_001).astype(np.float32), near_one])
    exact = np.tanh(grid.astype(np.float64))
    got = tanh32(grid, *ct).astype(np.float64)
    ulp = np.spacing(np.abs(np.float32(exact))).astype(np.float64)
    ulp = np.maximum(ulp, np.float64(np.spacing(np.float32(1e-30))))
    print(f"tanh: largest error {(np.abs(got - exact) / ulp).max():.2f} ulp, {np.abs(got - exact).max():.3g} absolute over [-10, 10]")

    grid = np.linspace(-87.2, 87.2, 2_000_001).astype(np.float32)
    exact = 1 / (1 + np.exp(-grid.astype(np.float64)))
    ulp = np.spacing(np.float32(exact)).astype(np.float64)
    print(f"sigmoid: largest error {(np.abs(sigmoid32(grid, cd).astype(np.float64) - exact) / ulp).max():.2f} ulp over [-87.2, 87.2]")


if __name__ == "__main__":
    main()
