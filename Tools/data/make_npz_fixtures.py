#!/usr/bin/env python3
"""Make the tiny .npz fixtures for CNNCData's npz reader (Tests/CNNCDataTests/NPZTests.swift).

Rerun from the repository root with numpy installed:

    python3 Tools/data/make_npz_fixtures.py

Writes Tests/Fixtures/data/npz/ (each file a few hundred bytes). The values follow
formulas the tests recompute: x_train[i] = (7 i mod 256) over the flattened array,
float images (i / 7 - 1) in float64, then cast. VERSIONS.txt records numpy's version.
"""
import os

import numpy as np

OUT = os.path.join("Tests", "Fixtures", "data", "npz")


def sevens(shape):
    return (np.arange(np.prod(shape)) * 7 % 256).astype(np.uint8).reshape(shape)


def sevenths(shape, dtype):
    return (np.arange(np.prod(shape)) / 7 - 1).astype(dtype).reshape(shape)


def one_hot(labels, classes, dtype=np.float32):
    return np.eye(classes, dtype=dtype)[labels]


def main():
    os.makedirs(OUT, exist_ok=True)
    path = lambda name: os.path.join(OUT, name)

    # Readable files, one per supported layout.
    np.savez(path("uint8.npz"),  # Keras's mnist.npz layout: (N, H, W) uint8, labels uint8 and int64
             x_train=sevens((6, 5, 4)), y_train=np.array([0, 1, 2, 3, 4, 2], np.uint8),
             x_test=sevens((3, 5, 4)), y_test=np.array([4, 0, 1], np.int64))
    np.savez_compressed(path("float32_onehot.npz"),  # deflated; channels; one-hot float labels
                        x_train=sevenths((4, 3, 3, 2), np.float32), y_train=one_hot([2, 0, 1, 2], 3),
                        x_test=sevenths((2, 3, 3, 2), np.float32), y_test=one_hot([1, 1], 3))
    np.savez(path("float64_xy.npz"),  # x and y only: a training set without a test part
             x=sevenths((5, 4, 4, 1), np.float64), y=np.array([[1], [0], [1], [1], [0]], np.int32))

    # Broken files, one per error.
    np.savez(path("missing_labels.npz"), x_train=sevens((2, 3, 3)), labels=np.array([0, 1]))
    np.savez(path("missing_test_labels.npz"), x_train=sevens((2, 3, 3)), y_train=np.array([0, 1]),
             x_test=sevens((1, 3, 3)))
    np.savez(path("int64_images.npz"), x_train=sevens((2, 3, 3)).astype(np.int64), y_train=np.array([0, 1]))
    np.savez(path("complex_images.npz"), x_train=np.zeros((2, 3, 3), np.complex64), y_train=np.array([0, 1]))
    np.savez(path("fortran_order.npz"), x_train=np.asfortranarray(sevens((2, 3, 3))), y_train=np.array([0, 1]))
    np.savez(path("big_endian.npz"), x_train=sevenths((2, 3, 3), ">f4"), y_train=np.array([0, 1]))
    np.savez(path("negative_label.npz"), x_train=sevens((3, 3, 3)), y_train=np.array([0, -1, 1]))
    np.savez(path("fractional_label.npz"), x_train=sevens((2, 3, 3)), y_train=np.array([0.0, 1.5]))
    np.savez(path("smoothed_rows.npz"),  # label smoothing 0.3 in training, one-hot test rows
             x_train=sevens((2, 3, 3)), y_train=one_hot([2, 0], 3) * 0.7 + 0.1,
             x_test=sevens((1, 3, 3)), y_test=one_hot([1], 3))
    np.savez(path("negative_row.npz"), x_train=sevens((2, 3, 3)), y_train=np.array([[0.5, 0.5], [1.2, -0.2]], np.float32))
    np.savez(path("empty_one_hot_row.npz"), x_train=sevens((2, 3, 3)), y_train=np.array([[0, 1], [0, 0]], np.float32))
    np.savez(path("count_mismatch.npz"), x_train=sevens((4, 3, 3)), y_train=np.array([0, 1, 2]))
    np.savez(path("flat_images.npz"), x_train=sevens((4, 9)), y_train=np.array([0, 1, 2, 3]))
    np.savez(path("test_size_mismatch.npz"), x_train=sevens((2, 3, 3)), y_train=np.array([0, 1]),
             x_test=sevens((1, 4, 4)), y_test=np.array([1]))
    np.savez(path("one_hot_width_mismatch.npz"), x_train=sevens((2, 3, 3)), y_train=one_hot([0, 1], 2),
             x_test=sevens((1, 3, 3)), y_test=one_hot([2], 3))
    np.savez(path("nan_pixel.npz"), x_train=np.array([[[0.5, np.nan]]], np.float32), y_train=np.array([0]))
    with open(path("not_a_zip.npz"), "w") as f:
        f.write("x_train,y_train\n")

    with open(os.path.join(OUT, "VERSIONS.txt"), "w") as f:
        f.write(f"numpy {np.__version__}\n")
    print(f"wrote {len(os.listdir(OUT))} files to {OUT}")


if __name__ == "__main__":
    main()
