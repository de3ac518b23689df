"""This machine's single-core FP32 peak as the benchmarks quote it: numpy's
SGEMM (OpenBLAS) on 4096x4096 matrices with one thread, median of 5 runs.

    OPENBLAS_NUM_THREADS=1 python3 Benchmarks/sgemm_peak.py
"""
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402  (after the thread settings)

n = 4096
rng = np.random.default_rng(0)
a = rng.random((n, n), dtype=np.float32)
b = rng.random((n, n), dtype=np.float32)
a @ b
times = []
for _ in range(5):
    start = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - start)
median = sorted(times)[len(times) // 2]
print(f"SGEMM {n}x{n}, threads={os.environ['OPENBLAS_NUM_THREADS']}: {2 * n**3 / median / 1e9:.1f} GFLOP/s (median {median * 1e3:.0f} ms)")
