#!/usr/bin/env python3
"""Keras 3's image augmentation layers in training, for fixed parameters.

Run from the repository root (in the Keras 3 environment of run.sh):

    KERAS_BACKEND=jax python Tools/keras-fixtures/make_random_image_fixtures.py

For each case below it builds the layer, draws one transformation for a batch
of 2 images of 7x9x2 (rows and columns differ, so a transposed index shows),
applies it with the layer's own `transform_images` (training=True), and writes
Tests/Fixtures/keras/random_image/<case>.npz: `x`, `y` (Keras's output) and
`parameters` (per image: the flip as 0 or 1, set to flip the first image only; the angle in degrees; the
height and width zoom; the translation in rows and columns; the contrast
factor; the brightness delta), which RandomImageOperationsTests turns into
cnnc's transform and compares. cases.json lists each case's layer and
arguments. The draws come from Keras's seeded generator; the comparison does
not depend on them.
"""

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path("Tests/Fixtures/keras/random_image")
L = keras.layers
CASES = {
    "flip_horizontal": (L.RandomFlip, {"mode": "horizontal"}),
    "flip_vertical": (L.RandomFlip, {"mode": "vertical"}),
    "flip_both": (L.RandomFlip, {"mode": "horizontal_and_vertical"}),
    "rotation_bilinear_reflect": (L.RandomRotation, {"factor": 0.2}),
    "rotation_nearest_constant": (L.RandomRotation, {"factor": (-0.3, 0.1), "interpolation": "nearest", "fill_mode": "constant", "fill_value": 0.5}),
    "rotation_bilinear_wrap": (L.RandomRotation, {"factor": 0.25, "fill_mode": "wrap"}),
    "rotation_bilinear_nearest": (L.RandomRotation, {"factor": 0.15, "fill_mode": "nearest"}),
    "zoom_bilinear_reflect": (L.RandomZoom, {"height_factor": (-0.3, 0.4)}),
    "zoom_nearest_constant": (L.RandomZoom, {"height_factor": 0.3, "width_factor": (-0.5, -0.2), "interpolation": "nearest", "fill_mode": "constant"}),
    "translation_bilinear_reflect": (L.RandomTranslation, {"height_factor": 0.3, "width_factor": (-0.4, 0.2)}),
    "translation_nearest_wrap": (L.RandomTranslation, {"height_factor": 0.5, "width_factor": 0.5, "interpolation": "nearest", "fill_mode": "wrap"}),
    "contrast": (L.RandomContrast, {"factor": (0.4, 0.6), "value_range": (0, 1)}),
    "brightness": (L.RandomBrightness, {"factor": 0.3, "value_range": (0, 1)}),
}


def parameters(layer, transformation, batch):
    """What cnnc keeps per image of the transformation Keras drew."""
    name = type(layer).__name__
    if name == "RandomFlip":
        return np.asarray(transformation["flips"], dtype="float32").reshape(batch, 1)
    if name == "RandomRotation":
        return np.asarray(transformation["angle"], dtype="float32").reshape(batch, 1)
    if name == "RandomZoom":
        return np.concatenate([np.asarray(transformation["height_zoom"]), np.asarray(transformation["width_zoom"])], axis=1).astype("float32")
    if name == "RandomTranslation":
        t = np.asarray(transformation["translations"], dtype="float32")  # [columns, rows]
        return t[:, ::-1].copy()
    if name == "RandomContrast":
        return np.asarray(transformation["contrast_factor"], dtype="float32").reshape(batch, 1)
    return np.asarray(transformation["rgb_delta"], dtype="float32").reshape(batch, 1)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261208)
    index = {}
    for number, (case, (cls, arguments)) in enumerate(CASES.items()):
        layer = cls(seed=number, **arguments)
        x = rng.uniform(0.0, 1.0, (2, 7, 9, 2)).astype("float32")
        transformation = layer.get_random_transformation(x, training=True)
        if cls is L.RandomFlip:
            # One image flipped and one not, whatever the draw.
            transformation["flips"] = np.array([True, False]).reshape(2, 1, 1, 1)
        y = np.asarray(layer.transform_images(x, transformation, training=True), dtype="float32")
        np.savez(OUT / f"{case}.npz", x=x, y=y, parameters=parameters(layer, transformation, 2))
        config = {key: (list(value) if isinstance(value, tuple) else value) for key, value in layer.get_config().items()
                  if key not in ("name", "trainable", "dtype", "seed", "data_format")}
        index[case] = {"class_name": cls.__name__, "config": config}
    (OUT / "cases.json").write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    (OUT / "VERSIONS.txt").write_text(f"keras {keras.__version__}, {keras.backend.backend()}\n")


if __name__ == "__main__":
    main()
