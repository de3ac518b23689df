#!/usr/bin/env python3
"""`cnnc train` against Keras 3 on JAX and against PyTorch: the same spec,
data, optimizer, batch size, epochs, seed and thread count, on the same cores
(taskset), one after the other; prints seconds per epoch (median of the
epochs after the first, which includes JAX's compile, and torch.compile's
with --torch-compile), the final test accuracy of each and how many times
faster cnnc is than each. All three read one .npz this script writes:
MNIST, or random images of the spec's input shape (ResNet-20's 32x32x3).
Run through run.sh, which makes the Python environments: this script runs in
.venv-keras and starts torch_train.py with --torch-python (.venv-torch).
See README.md beside it.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import keras_train  # noqa: E402  (for its IDX reader: it imports Keras only to build a model)

ROOT = HERE.parents[1]
TORCH_PYTHON = ROOT / ".venv-torch" / "bin" / "python"
MNIST_SHAPE = (28, 28, 1)
TEST_IMAGES = 10000


def cores(threads):
    return ",".join(str(c) for c in range(threads))


def input_shape_and_classes(cnnc, spec):
    """The spec's input shape and class count as cnnc itself reads the spec:
    `cnnc summary --format json` answers in milliseconds, where building the
    Keras model would first import JAX."""
    summary = json.loads(subprocess.run([cnnc, "summary", spec, "--format", "json"],
                                        check=True, capture_output=True, text=True, cwd=ROOT).stdout)
    return tuple(summary["input_shape"]), summary["output_shape"][-1]


def random_arrays(shape, classes, train, seed):
    """Seeded random uint8 images of `shape` and labels in [0, classes): `train`
    to train, TEST_IMAGES to test."""
    rng = np.random.default_rng(seed)
    return {"x_train": rng.integers(0, 256, (train, *shape), dtype=np.uint8),
            "y_train": rng.integers(0, classes, train).astype(np.uint8),
            "x_test": rng.integers(0, 256, (TEST_IMAGES, *shape), dtype=np.uint8),
            "y_test": rng.integers(0, classes, TEST_IMAGES).astype(np.uint8)}


def mnist_arrays(folder, train_limit):
    """MNIST's uint8 IDX arrays from `folder`, the first `train_limit` training
    images only when it is not 0 (cnnc train has no option for that, so the
    limit is applied here, once, for all three tools)."""
    stems = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    x_train, y_train, x_test, y_test = (keras_train.read_idx(keras_train.find(Path(folder), stem)) for stem in stems)
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def write_data(args, folder):
    """The one .npz all three tools train on, in `folder`, and what it holds
    (for the table's heading): MNIST, or with --random-data (or an input that
    is not MNIST's) random images of the spec's shape, --train-limit of them or
    60,000, as many as MNIST has. uint8 either way: each tool scales by 1/255
    as it reads, so all three see the same floats."""
    shape, classes = input_shape_and_classes(args.cnnc, args.spec)
    if args.random_data or shape != MNIST_SHAPE:
        arrays = random_arrays(shape, classes, args.train_limit or 60000, args.seed)
        what = f"random {'x'.join(map(str, shape))} uint8 images and labels (accuracy is chance)"
    else:
        arrays = mnist_arrays(args.data, args.train_limit)
        what = "MNIST"
    path = Path(folder) / "data.npz"
    np.savez(path, **arrays)
    return path, f"{what}, {len(arrays['x_train']):,} to train and {len(arrays['x_test']):,} to test"


def run_cnnc(args, history, data):
    """`history` is where cnnc writes the CSV for weights saved as cnnc.safetensors beside it."""
    command = ["taskset", "-c", cores(args.threads), str(args.cnnc), "train", args.spec,
               "--data", f"npz:{data}", "--epochs", str(args.epochs), "--batch-size", str(args.batch_size),
               "--optimizer", args.optimizer, "--threads", str(args.threads), "--seed", str(args.seed),
               "--save", str(history.parent / "cnnc.safetensors")]
    if args.learning_rate is not None:
        command += ["--learning-rate", str(args.learning_rate)]
    print("$", " ".join(command), flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    print(output, flush=True)
    rows = history.read_text().strip().split("\n")
    header = rows[0].split(",")
    seconds = [float(r.split(",")[header.index("seconds")]) for r in rows[1:]]
    test = next(line for line in output.splitlines() if line.startswith("Test: "))
    accuracy = float(test.split("accuracy: ")[1].split(" ")[0])
    return seconds, accuracy


def run_keras(args, data):
    env = dict(os.environ, KERAS_BACKEND="jax")
    if args.threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    command = ["taskset", "-c", cores(args.threads), sys.executable, str(HERE / "keras_train.py"), args.spec, str(data),
               "--epochs", str(args.epochs), "--batch-size", str(args.batch_size), "--optimizer", args.optimizer,
               "--seed", str(args.seed)]
    if args.learning_rate is not None:
        command += ["--learning-rate", str(args.learning_rate)]
    print("$", " ".join(command), flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
    print(output, flush=True)
    result = json.loads(output.strip().splitlines()[-1])
    return result["epoch_seconds"], result["test_accuracy"], result


def run_torch(args, data):
    """torch_train.py, started as keras_train.py is (it builds the Keras model, on JAX, for its initial weights)."""
    env = dict(os.environ, KERAS_BACKEND="jax")
    if args.threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    command = ["taskset", "-c", cores(args.threads), args.torch_python, str(HERE / "torch_train.py"), args.spec, str(data),
               "--epochs", str(args.epochs), "--batch-size", str(args.batch_size), "--optimizer", args.optimizer,
               "--seed", str(args.seed), "--threads", str(args.threads)]
    if args.learning_rate is not None:
        command += ["--learning-rate", str(args.learning_rate)]
    if args.torch_compile:
        command.append("--compile")
    print("$", " ".join(command), flush=True)
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
    print(output, flush=True)
    result = json.loads(output.strip().splitlines()[-1])
    return result["epoch_seconds"], result["test_accuracy"], result


def steady(seconds):
    return statistics.median(seconds[1:]) if len(seconds) > 1 else seconds[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", default="Specs/lenet5.cnn.yaml")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mnist"), help="the folder of MNIST's IDX files (not read with random data)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optimizer", default="adam")
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-limit", type=int, default=0, help="train on the first N images (random data: N of them)")
    parser.add_argument("--random-data", action="store_true",
                        help="random images of the spec's input shape (automatic when it is not MNIST's 28x28x1)")
    parser.add_argument("--cnnc", default=str(ROOT / ".build" / "release" / "cnnc"))
    parser.add_argument("--skip-keras", action="store_true")
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--torch-compile", action="store_true", help="train the torch.compile'd model")
    parser.add_argument("--torch-python", default=str(TORCH_PYTHON if TORCH_PYTHON.exists() else sys.executable),
                        help="the Python with torch (and Keras) that runs torch_train.py; default: .venv-torch's")
    args = parser.parse_args()
    # Fail before minutes of training, not after: the PyTorch side needs torch in --torch-python.
    if not args.skip_torch and subprocess.run([args.torch_python, "-c", "import torch"], capture_output=True).returncode != 0:
        sys.exit(f"compare.py: {args.torch_python} cannot import torch; run through run.sh (it makes .venv-torch), "
                 "pass --torch-python, or --skip-torch")

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        data, what = write_data(args, folder)
        cnnc_seconds, cnnc_accuracy = run_cnnc(args, Path(folder) / "cnnc.history.csv", data)
        keras_seconds, keras_accuracy, keras_info = (None, None, {}) if args.skip_keras else run_keras(args, data)
        torch_seconds, torch_accuracy, torch_info = (None, None, {}) if args.skip_torch else run_torch(args, data)
    load_after = os.getloadavg()[0]

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    print(f"\n{time.strftime('%Y-%m-%d')}, {cpu}, {args.threads} thread(s) (taskset), load {load_before:.2f} -> {load_after:.2f}")
    print(f"{args.spec} on {what}; {args.epochs} epochs, batch {args.batch_size}, {args.optimizer}, seed {args.seed}")
    print(f"| tool | s/epoch (median after the first) | first epoch s | test accuracy |")
    print(f"|---|---|---|---|")
    print(f"| cnnc | {steady(cnnc_seconds):.2f} | {cnnc_seconds[0]:.2f} | {cnnc_accuracy:.4f} |")
    if keras_seconds:
        print(f"| Keras {keras_info.get('keras')} ({keras_info.get('backend')}) | {steady(keras_seconds):.2f} | {keras_seconds[0]:.2f} | {keras_accuracy:.4f} |")
    if torch_seconds:
        name = f"PyTorch {torch_info.get('torch')}" + (" (torch.compile)" if torch_info.get("compiled") else " (eager)")
        print(f"| {name} | {steady(torch_seconds):.2f} | {torch_seconds[0]:.2f} | {torch_accuracy:.4f} |")
    for name, seconds in (("Keras", keras_seconds), ("PyTorch", torch_seconds)):
        if seconds:
            print(f"speed-up of cnnc over {name} ({name} s/epoch / cnnc s/epoch): {steady(seconds) / steady(cnnc_seconds):.2f}x")


if __name__ == "__main__":
    main()
