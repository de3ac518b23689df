"""The timing loop every peer shares, timed the way `cnnc bench` times cnnc:
warm-up, then whole batches until the seconds are up, at least five; the
median by numpy's percentiles."""
import time

import numpy as np


def median_seconds(run, seconds, minimum_samples=5):
    """Median seconds of one call of `run` (one batch, inputs already bound)."""
    warm_up_end = time.perf_counter() + min(seconds / 4, 0.5)
    runs = 0
    while runs < 2 or time.perf_counter() < warm_up_end:
        run()
        runs += 1
    samples = []
    end = time.perf_counter() + seconds
    while len(samples) < minimum_samples or time.perf_counter() < end:
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return float(np.percentile(samples, 50))
