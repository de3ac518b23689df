#!/usr/bin/env python3
"""Train digits.cnn.yaml in real Keras on MNIST and write this example's data.

    ../../.venv-keras/bin/python train_digits.py MNIST_DIR

(MNIST_DIR holds the four original IDX .gz files; the venv is the one
Tools/keras-fixtures/run.sh makes.)  Writes, next to this script:

    digits.safetensors   the trained weights, in cnnc's layout (via the exporter)
    samples.npy          (10, 28, 28) float32: the first test image of each digit 0..9
    samples-keras.npy    (10, 10) float32: Keras's probabilities for samples.npy

Seeded (keras.utils.set_random_seed(1)); 3 epochs, batch 128, Adam, as in
Keras's "Simple MNIST convnet" example.  It prints the test accuracy.
"""

import gzip
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "Tools" / "keras-export"))
import export_keras_model  # noqa: E402


def read_idx(path):
    with gzip.open(path, "rb") as stream:
        data = stream.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    import keras

    mnist = Path(sys.argv[1])
    x_train = read_idx(mnist / "train-images-idx3-ubyte.gz").astype("float32")[..., None] / 255
    y_train = read_idx(mnist / "train-labels-idx1-ubyte.gz")
    x_test = read_idx(mnist / "t10k-images-idx3-ubyte.gz").astype("float32")[..., None] / 255
    y_test = read_idx(mnist / "t10k-labels-idx1-ubyte.gz")

    keras.utils.set_random_seed(1)
    model = export_keras_model.build_model_from_spec(HERE / "Sources" / "Classifier" / "digits.cnn.yaml")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=3, verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy {accuracy:.4f}, loss {loss:.4f}")

    first_of_each = [int(np.argmax(y_test == digit)) for digit in range(10)]
    samples = x_test[first_of_each, :, :, 0]
    np.save(HERE / "samples.npy", samples)
    np.save(HERE / "samples-keras.npy", model.predict(samples[..., None], verbose=0).astype("float32"))
    export_keras_model.write_weights(model, HERE / "digits.safetensors", "Examples/Classifier/train_digits.py")


if __name__ == "__main__":
    main()
