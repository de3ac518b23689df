"""This machine's single-core FP32 peak as the benchmarks quote it: numpy's
SGEMM (OpenBLAS) on 4096x4096 matrices with one thread, median of 5 runs.

    OPENBLAS_NUM_THREADS=1 python3 Benchmarks/sgemm_peak.py

OpenBLAS picks its kernel from the CPU it recognises, and one it does not
know gets an older kernel: on an AMD Zen 5 (family 26) numpy's OpenBLAS
0.3.x chose its AVX2 Haswell kernel and measured 123 GFLOP/s, while its
AVX-512 SkylakeX kernel, forced with OPENBLAS_CORETYPE, measured 238. So on a
machine with AVX-512 each kernel is measured in a process of its own (the
core type is read when numpy loads) and the faster is this machine's peak;
the line names the kernel. An OPENBLAS_CORETYPE already set (some machines
set OPENBLAS_CORETYPE=Haswell for every process) is measured as one of them.
"""
import os
import subprocess
import sys
import time

N = 4096


def measure():
    """One process's SGEMM rate, in GFLOP/s, with the core type its environment names."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import numpy as np  # after the thread settings

    rng = np.random.default_rng(0)
    a = rng.random((N, N), dtype=np.float32)
    b = rng.random((N, N), dtype=np.float32)
    a @ b
    times = []
    for _ in range(5):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    median = sorted(times)[len(times) // 2]
    return 2 * N**3 / median / 1e9, median


def has_avx512():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return any(line.startswith("flags") and " avx512f" in line for line in cpuinfo)
    except OSError:
        return False


def main():
    if "--one" in sys.argv:
        print(*measure())
        return
    inherited = os.environ.get("OPENBLAS_CORETYPE") or None
    kernels = [inherited] + (["SkylakeX"] if has_avx512() and inherited != "SkylakeX" else [])
    results = []
    for kernel in kernels:
        environment = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"))
        environment.pop("OPENBLAS_CORETYPE", None)
        if kernel:
            environment["OPENBLAS_CORETYPE"] = kernel
        run = subprocess.run([sys.executable, __file__, "--one"], capture_output=True, text=True, env=environment, check=True)
        rate, median = map(float, run.stdout.split())
        results.append((rate, median, kernel or "its own choice"))
    rate, median, kernel = max(results)
    others = ", ".join(f"{name} {r:.1f}" for r, _, name in results if name != kernel)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "1")
    print(f"SGEMM {N}x{N}, threads={threads}, OpenBLAS kernel {kernel}: {rate:.1f} GFLOP/s (median {median * 1e3:.0f} ms)"
          + (f"; kernel {others} GFLOP/s" if others else ""))


if __name__ == "__main__":
    main()
