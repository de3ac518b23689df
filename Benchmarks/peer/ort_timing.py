"""ONNX Runtime as the peer: one session per thread count, configured as the
issue asks, timed the way `cnnc bench` times cnnc (warm-up, then whole
batches until the seconds are up, at least five; numpy's percentiles)."""
import time

import numpy as np
import onnxruntime as ort


def session(model_bytes, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def predict(sess, inputs):
    return sess.run(["output"], {"input": inputs})[0]


def median_seconds(sess, inputs, seconds, minimum_samples=5):
    """Median seconds per batch. Inputs and outputs are bound once (IOBinding),
    so each timed call is one run with as little Python around it as ORT allows."""
    binding = sess.io_binding()
    binding.bind_cpu_input("input", inputs)
    binding.bind_output("output", "cpu")
    sess.run_with_iobinding(binding)  # let ORT allocate the output once
    output = binding.get_outputs()[0]
    binding.bind_ortvalue_output("output", output)
    warm_up_end = time.perf_counter() + min(seconds / 4, 0.5)
    runs = 0
    while runs < 2 or time.perf_counter() < warm_up_end:
        sess.run_with_iobinding(binding)
        runs += 1
    samples = []
    end = time.perf_counter() + seconds
    while len(samples) < minimum_samples or time.perf_counter() < end:
        start = time.perf_counter()
        sess.run_with_iobinding(binding)
        samples.append(time.perf_counter() - start)
    return float(np.percentile(samples, 50))
