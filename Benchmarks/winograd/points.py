"""How accurate Winograd's F(2x2, 3x3) and F(4x4, 3x3) are in float32, for
the points cnnc uses (WinogradTile in Sources/CNNCCore/Generate/Emitters),
and the 1-D F(m, r) a Conv1D runs by (WinogradLine there).

Run:  python3 Benchmarks/winograd/points.py     (numpy only; about 20 s)

Builds F(4x4, 3x3) by Toom-Cook from a set of points (the last one infinity),
checks that Aᵀ[(G g) ⊙ (Bᵀ d)] is the 1-D correlation exactly (in rationals),
then convolves random 34x34 inputs of 16, 32 and 64 channels (normal, and
after a ReLU) with He-scaled 3x3 kernels in float32, tile by tile as the
generated code does (transforms and products rounded to float32), and prints
the largest and root-mean-square error against a float64 direct convolution,
relative to the output's standard deviation. The direct float32 sum is
printed too, for scale. Then the same for the 1-D algorithms on sequences
of 130 steps, with the points in WinogradLine's order (0, 1, −1, 2, −½, −2, ½).
"""
from fractions import Fraction

import numpy as np


def toom_cook(points, m=4, r=3):
    """Bᵀ (n x n), G (n x r), Aᵀ (m x n) of F(m, r) for finite `points` and infinity."""
    n = m + r - 1
    points = [Fraction(p) for p in points]
    assert len(points) == n - 1
    at = [[Fraction(0)] * n for _ in range(m)]
    g = [[Fraction(0)] * r for _ in range(n)]
    for j, p in enumerate(points):
        for i in range(m):
            at[i][j] = p ** i
        norm = Fraction(1)
        for q in points:
            if q != p:
                norm *= p - q
        for k in range(r):
            g[j][k] = p ** k / norm
    at[m - 1][n - 1] = Fraction(1)
    g[n - 1][r - 1] = Fraction(1)
    # Bᵀ's rows: the coefficients of Π(x − q) over the other points, and of Π(x − q) over all.
    def poly(roots):
        coefficients = [Fraction(1)]
        for q in roots:
            coefficients = [Fraction(0)] + coefficients
            for i in range(len(coefficients) - 1):
                coefficients[i] -= q * coefficients[i + 1]
        return coefficients + [Fraction(0)] * (n - len(coefficients))
    bt = [poly([q for q in points if q != p]) for p in points] + [poly(points)]
    for i in range(m):
        for k in range(r):
            for t in range(n):
                value = sum(at[i][x] * g[x][k] * bt[x][t] for x in range(n))
                assert value == (1 if t == i + k else 0), "not a correlation"
    return [np.array(a, dtype=np.float64) for a in (bt, g, at)]


F2 = (np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], np.float64),
      np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]], np.float64),
      np.array([[1, 1, 1, 0], [0, 1, -1, -1]], np.float64))


def winograd(x, w, bt, g, at):
    f = np.float32
    m, n = at.shape
    height, width, _ = x.shape
    u = np.einsum("ia,abck,jb->ijck", g, w.astype(np.float64), g).astype(f)
    out = np.zeros((height - 2, width - 2, w.shape[3]), f)
    btf, atf = bt.astype(f), at.astype(f)
    for ty in range(0, height - 2, m):
        for tx in range(0, width - 2, m):
            d = x[ty:ty + n, tx:tx + n, :]
            v = np.einsum("ia,abc,jb->ijc", btf, d, btf).astype(f)
            product = np.einsum("ijc,ijck->ijk", v, u).astype(f)
            out[ty:ty + m, tx:tx + m] = np.einsum("ai,ijk,bj->abk", atf, product, atf).astype(f)
    return out


def direct(x, w, dtype):
    height, width, _ = x.shape
    out = np.zeros((height - 2, width - 2, w.shape[3]), dtype)
    for a in range(3):
        for b in range(3):
            out += np.einsum("hwc,ck->hwk", x[a:a + height - 2, b:b + width - 2].astype(dtype), w[a, b].astype(dtype)).astype(dtype)
    return out


def main():
    algorithms = {
        "F(2x2)": F2,
        "F(4x4) 0,1,-1,2,-2": toom_cook([0, 1, -1, 2, -2]),
        "F(4x4) 0,1,-1,2,-1/2 (cnnc)": toom_cook([0, 1, -1, 2, Fraction(-1, 2)]),
    }
    rng = np.random.default_rng(0)
    for inputs in ("normal", "after ReLU"):
        for channels in (16, 32, 64):
            x = rng.standard_normal((34, 34, channels))
            if inputs == "after ReLU":
                x = np.maximum(x, 0)
            x = x.astype(np.float32)
            w = (rng.standard_normal((3, 3, channels, channels)) * np.sqrt(2 / (9 * channels))).astype(np.float32)
            reference = direct(x, w, np.float64)
            scale = reference.std()
            results = {name: winograd(x, w, *matrices) for name, matrices in algorithms.items()}
            results["direct float32"] = direct(x, w, np.float32)
            for name, y in results.items():
                error = np.abs(y - reference)
                print(f"{inputs:10} {channels:3} channels  {name:28} max {error.max() / scale:.2e}  rms {np.sqrt((error ** 2).mean()) / scale:.2e}")


LINE_POINTS = [0, 1, -1, 2, Fraction(-1, 2), -2, Fraction(1, 2)]


def line_winograd(x, w, bt, g, at):
    f = np.float32
    m, n = at.shape
    taps = w.shape[0]
    u = np.einsum("ia,ack->ick", g, w.astype(np.float64)).astype(f)
    length = x.shape[0] - taps + 1
    out = np.zeros((length, w.shape[2]), f)
    btf, atf = bt.astype(f), at.astype(f)
    padded = np.concatenate([x, np.zeros((n, x.shape[1]), f)])
    for t in range(0, length, m):
        v = np.einsum("ia,ac->ic", btf, padded[t:t + n]).astype(f)
        product = np.einsum("ic,ick->ik", v, u).astype(f)
        y = np.einsum("ai,ik->ak", atf, product).astype(f)
        out[t:t + m] = y[:min(m, length - t)]
    return out


def line_direct(x, w, dtype):
    taps = w.shape[0]
    length = x.shape[0] - taps + 1
    out = np.zeros((length, w.shape[2]), dtype)
    for k in range(taps):
        out += (x[k:k + length].astype(dtype) @ w[k].astype(dtype)).astype(dtype)
    return out


def line_main():
    rng = np.random.default_rng(1)
    for m, r in ((4, 5), (3, 5), (2, 5), (6, 3), (4, 3), (4, 4), (2, 7)):
        matrices = toom_cook(LINE_POINTS[:m + r - 2], m, r)
        for channels in (16, 32, 64):
            x = np.maximum(rng.standard_normal((130, channels)), 0).astype(np.float32)
            w = (rng.standard_normal((r, channels, channels)) * np.sqrt(2 / (r * channels))).astype(np.float32)
            reference = line_direct(x, w, np.float64)
            scale = reference.std()
            for name, y in ((f"F({m}, {r})", line_winograd(x, w, *matrices)), ("direct float32", line_direct(x, w, np.float32))):
                error = np.abs(y - reference)
                print(f"after ReLU {channels:3} channels  {name:28} max {error.max() / scale:.2e}  rms {np.sqrt((error ** 2).mean()) / scale:.2e}")


if __name__ == "__main__":
    main()
    line_main()
