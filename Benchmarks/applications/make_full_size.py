#!/usr/bin/env python3
"""A keras.applications model at its full size, as a user has it (default
224x224x3 and the 1000-class top, weights=None then seeded), saved by Keras
with its per-layer reference, for `cnnc verify` on the large-file path.

    KERAS_BACKEND=jax .venv-keras/bin/python Benchmarks/applications/make_full_size.py OUTDIR NAME CONSTRUCTOR [HxWxC]
    cnnc verify OUTDIR/NAME/model.keras --reference OUTDIR/NAME/reference.safetensors --atol 1e-4 --rtol 1e-3

e.g. `… /tmp/full vgg16 VGG16` (a 553 MB file) or `… /tmp/full nasnetlarge
NASNetLarge 331x331x3`. Writes OUTDIR/NAME/: model.keras, input.npy (one
sample, U(0, 1)), output.npy (model.predict) and reference.safetensors (every
layer's output; 1.2 GB for NASNetLarge). Weights are drawn as
make_output_fixtures.py draws them (numpy.random.default_rng(zlib.crc32(NAME))).
Nothing is written into the repository.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "Tools" / "keras-fixtures"))
sys.path.insert(0, str(HERE.parents[1] / "Tools" / "keras-export"))

import numpy as np  # noqa: E402

import export_keras_model as exporter  # noqa: E402
import make_output_fixtures as numeric  # noqa: E402


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    import keras

    out, name, constructor = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    shape = tuple(int(size) for size in sys.argv[4].split("x")) if len(sys.argv) == 5 else (224, 224, 3)
    model = getattr(keras.applications, constructor)(weights=None, input_shape=shape)
    rng = np.random.default_rng(numeric.stem_seed(name))
    numeric.random_weights(model, rng)
    x = rng.uniform(0.0, 1.0, (1, *shape)).astype("<f4")
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    np.save(folder / "input.npy", x)
    np.save(folder / "output.npy", np.asarray(model.predict(x, verbose=0), dtype="<f4"))
    exporter.write_reference(model, x, folder / "reference.safetensors", f"keras.applications {constructor} {shape}, seeded weights")
    print(f"{name}: {model.count_params():,} parameters, {len(model.layers)} layers in {folder}")


if __name__ == "__main__":
    main()
