#!/usr/bin/env python3
"""Train a cnnc spec with real Keras 3 (JAX backend) on a folder of MNIST's
IDX files or on an .npz of uint8 images (compare.py writes one for all three
tools), the peer that `cnnc train` is compared with (Benchmarks/training/run.sh).

    KERAS_BACKEND=jax python keras_train.py SPEC DATA --epochs 3 --batch-size 32 \
        --optimizer adam --learning-rate 0.001 --seed 1

The model is built from the spec exactly as the Keras fixtures build it
(Tools/keras-fixtures/make_fixtures.py); pixels are scaled to [0, 1] as cnnc
does; the loss is sparse categorical cross-entropy (cnnc's default after a
softmax); fit shuffles every epoch, as cnnc does. Prints one line per epoch and,
last, a JSON object: seconds of every epoch, final test loss and accuracy.
The first epoch includes JAX's compilation; the comparison uses the median of
the later epochs.
"""

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tools" / "keras-fixtures"))

import numpy as np  # noqa: E402


def read_idx(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, stem):
    for name in (stem + ".gz", stem):
        if (directory / name).exists():
            return directory / name
    raise SystemExit(f"no {stem}(.gz) in {directory}")


def load_mnist(directory, train_limit=0):
    """MNIST's IDX files in `directory` (gzipped or not) as cnnc reads them:
    images NHWC float32 scaled to [0, 1], labels int32; `train_limit` keeps
    only the first N training images."""
    directory = Path(directory)
    x_train = read_idx(find(directory, "train-images-idx3-ubyte")).astype("float32")[..., None] / 255.0
    y_train = read_idx(find(directory, "train-labels-idx1-ubyte")).astype("int32")
    x_test = read_idx(find(directory, "t10k-images-idx3-ubyte")).astype("float32")[..., None] / 255.0
    y_test = read_idx(find(directory, "t10k-labels-idx1-ubyte")).astype("int32")
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    return x_train, y_train, x_test, y_test


def load_npz(path, train_limit=0):
    """An .npz of x_train, y_train, x_test, y_test as `cnnc train --data npz:`
    reads it: uint8 images scaled by 1/255 (float images kept), a channel axis
    added to (N, H, W), labels int32."""
    arrays = np.load(path)

    def images(name):
        x = arrays[name]
        x = x.astype("float32") / 255.0 if x.dtype == np.uint8 else x.astype("float32")
        return x[..., None] if x.ndim == 3 else x

    x_train, y_train = images("x_train"), arrays["y_train"].astype("int32").reshape(-1)
    x_test, y_test = images("x_test"), arrays["y_test"].astype("int32").reshape(-1)
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    return x_train, y_train, x_test, y_test


def is_npz(path):
    return str(path).endswith(".npz")


def load_data(path, train_limit=0):
    """`path` an .npz (see load_npz) or a folder of MNIST's IDX files."""
    return load_npz(path, train_limit) if is_npz(path) else load_mnist(path, train_limit)


def data_name(path):
    """What the JSON line says was trained on: the .npz's name, or "mnist"."""
    return Path(path).name if is_npz(path) else "mnist"


def build_model(spec_path, seed):
    """The spec's Keras model, built as the Keras fixtures build it, with the
    initial weights that `seed` gives (torch_train.py copies them)."""
    import keras
    import make_fixtures

    keras.utils.set_random_seed(seed)
    return make_fixtures.build_model(make_fixtures.load_spec(spec_path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec")
    parser.add_argument("data", help="a folder of MNIST's IDX files, or an .npz of x_train, y_train, x_test, y_test")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optimizer", default="adam", choices=["sgd", "adam", "rmsprop"])
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-limit", type=int, default=0, help="use only the first N training images")
    args = parser.parse_args()

    import keras

    x_train, y_train, x_test, y_test = load_data(args.data, args.train_limit)
    model = build_model(args.spec, args.seed)
    optimizer = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}[args.optimizer]
    kwargs = {} if args.learning_rate is None else {"learning_rate": args.learning_rate}
    model.compile(optimizer=optimizer(**kwargs), loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    timer = EpochTimer()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, shuffle=True, verbose=2, callbacks=[timer])
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0, batch_size=512)
    backend = keras.backend.backend()
    print(json.dumps({
        "tool": "keras", "keras": keras.__version__, "backend": f"{backend} {__import__(backend).__version__}",
        "epoch_seconds": timer.seconds, "test_loss": float(loss), "test_accuracy": float(accuracy),
        "data": data_name(args.data), "train_images": int(len(x_train)), "batch_size": args.batch_size,
        "optimizer": args.optimizer,
    }))


if __name__ == "__main__":
    main()
