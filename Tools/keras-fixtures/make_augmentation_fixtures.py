#!/usr/bin/env python3
"""Make augmentation fixtures for cnnc from real Keras 3 (legacy ImageDataGenerator).

Rerun from the repository root (Tools/keras-fixtures/run.sh --augmentation does this):

    KERAS_BACKEND=jax .venv-keras/bin/python Tools/keras-fixtures/make_augmentation_fixtures.py

It needs scipy in the venv (pinned in requirements.txt): Keras's
`apply_transform` resamples with scipy.ndimage.affine_transform(order=1).

Writes Tests/Fixtures/keras/augmentation/:

  input.npy     float32 (7, 9, 2): a small non-square, two-channel image whose
                every value differs, x[r, c, k] = (18 r + 2 c + k + 1) / 128.
  <case>.npy    float32 (7, 9, 2): ImageDataGenerator(fill_mode=..., cval=...)
                .apply_transform(input, parameters) for each case below.
  cases.json    [{"name", "fill_mode", "cval", "theta", "tx", "ty", "shear",
                  "zx", "zy", "flip_horizontal", "flip_vertical"}], the explicit
                parameters of every case, in Keras's names and units.
  VERSIONS.txt  the versions of keras, scipy and numpy that made them.

cnnc's ImageTransform must give the same images within 1e-5
(Tests/CNNCRuntimeTests/AugmentationKerasTests.swift). The random drawing of
parameters is not fixed here: it cannot match numpy's generator.
"""
import json
import os
import sys

import numpy as np
import scipy
import keras
from keras.src.legacy.preprocessing.image import ImageDataGenerator

OUT = os.path.join("Tests", "Fixtures", "keras", "augmentation")

FILL_MODES = [("nearest", 0.0), ("constant", 0.0), ("constant", 0.25), ("reflect", 0.0), ("wrap", 0.0)]

# Parameter sets that exercise each part of the transform alone, then together,
# including shifts and zooms that reach far past the edge (where fill modes differ).
PARAMETER_SETS = {
    "identity": {},
    "rotate30": {"theta": 30.0},
    "rotate90": {"theta": 90.0},
    "rotate_minus115": {"theta": -115.0},
    "shift": {"tx": 1.5, "ty": -2.25},
    "shift_far": {"tx": 10.0, "ty": -13.0},
    "shear20": {"shear": 20.0},
    "zoom": {"zx": 0.8, "zy": 1.3},
    "zoom_out": {"zx": 2.5, "zy": 1.75},
    "combined": {"theta": -17.0, "tx": 0.7, "ty": 1.2, "shear": 8.0, "zx": 1.1, "zy": 0.9},
    "combined_flips": {"theta": 12.0, "tx": -1.3, "ty": 0.4, "shear": -5.0, "zx": 0.95, "zy": 1.2,
                       "flip_horizontal": True, "flip_vertical": True},
    "flip_horizontal": {"flip_horizontal": True},
    "flip_vertical": {"flip_vertical": True},
}


def main():
    os.makedirs(OUT, exist_ok=True)
    r, c, k = np.meshgrid(np.arange(7), np.arange(9), np.arange(2), indexing="ij")
    image = ((18 * r + 2 * c + k + 1) / 128.0).astype(np.float32)
    np.save(os.path.join(OUT, "input.npy"), image)
    cases = []
    for set_name, parameters in PARAMETER_SETS.items():
        modes = FILL_MODES if set_name not in ("identity", "flip_horizontal", "flip_vertical") else FILL_MODES[:1]
        for fill_mode, cval in modes:
            name = f"{set_name}_{fill_mode}" + (f"_{cval:g}" if fill_mode == "constant" else "")
            generator = ImageDataGenerator(fill_mode=fill_mode, cval=cval)
            full = {"theta": 0.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0,
                    "flip_horizontal": False, "flip_vertical": False, **parameters}
            output = np.asarray(generator.apply_transform(image.copy(), full), dtype=np.float32)
            assert output.shape == image.shape, (name, output.shape)
            np.save(os.path.join(OUT, f"{name}.npy"), output)
            cases.append({"name": name, "fill_mode": fill_mode, "cval": cval, **full})
    with open(os.path.join(OUT, "cases.json"), "w") as handle:
        json.dump(cases, handle, indent=2)
        handle.write("\n")
    with open(os.path.join(OUT, "VERSIONS.txt"), "w") as handle:
        handle.write(f"keras {keras.__version__}\nscipy {scipy.__version__}\nnumpy {np.__version__}\n"
                     f"python {sys.version.split()[0]}\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
