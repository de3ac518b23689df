#!/usr/bin/env python3
"""tf.keras (Keras 2) applications as a Keras 2 user has them, and their
per-layer references: for checking that cnnc reads tf.keras's files of real
architectures (names with '/', as MobileNetV3's `expanded_conv/depthwise`,
nest HDF5 groups). Too large to commit as fixtures.

    .venv-tfkeras/bin/python Benchmarks/applications/make_keras2_references.py OUTDIR [NAME ...]

NAME is a tf.keras.applications constructor's lower-case name at the input
size make_functional_fixtures.APPLICATIONS gives it (default: mobilenetv3small).
For each, writes OUTDIR/<name>/:
  model.h5                model.save(): the legacy HDF5 file (config and weights)
  model.json              model.to_json()
  reference.safetensors   __input__ (2 samples U(0, 1)) and every layer's output
Weights are drawn from numpy.random.default_rng(zlib.crc32(name)), layer by
layer, in the ranges make_output_fixtures.py uses (kernels Glorot-uniform by
their fans, BatchNormalization's variance in [0.5, 2)), so no layer is trivial.
Then: cnnc verify OUTDIR/<name>/model.json --weights OUTDIR/<name>/model.h5
--reference OUTDIR/<name>/reference.safetensors --atol 1e-4 --rtol 1e-3
"""

import os
import sys
import zlib
from pathlib import Path

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "Tools" / "keras-fixtures"))

import numpy as np  # noqa: E402

RANGES = {"bias": (-0.5, 0.5), "gamma": (0.5, 1.5), "beta": (-0.5, 0.5),
          "moving_mean": (-0.5, 0.5), "moving_variance": (0.5, 2.0)}


def draw(layer, weight, rng):
    short = weight.name.split("/")[-1].split(":")[0]
    shape = tuple(weight.shape)
    if short in ("kernel", "depthwise_kernel", "pointwise_kernel"):
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in, fan_out = receptive * shape[-2], receptive * shape[-1]
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape).astype(np.float32)
    low, high = RANGES[short]
    return rng.uniform(low, high, shape).astype(np.float32)


def main():
    import tensorflow as tf
    from importlib.metadata import version

    from safetensors.numpy import save_file

    from make_functional_fixtures import APPLICATIONS

    keras = tf.keras
    if not keras.__name__.startswith("tf_keras"):
        raise SystemExit(f"tf.keras is {keras.__name__}, not Keras 2 (tf_keras)")
    out = Path(sys.argv[1])
    for name in sys.argv[2:] or ["mobilenetv3small"]:
        constructor, shape = APPLICATIONS[name]
        keras.backend.clear_session()
        model = getattr(keras.applications, constructor)(weights=None, input_shape=shape, classes=10)
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        for layer in model.layers:
            if layer.weights:
                layer.set_weights([draw(layer, w, rng) for w in layer.weights])
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        model.save(folder / "model.h5")
        (folder / "model.json").write_text(model.to_json())
        x = rng.uniform(0.0, 1.0, (2, *shape)).astype("<f4")
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        probe = keras.Model(model.inputs, [layer.output for layer in layers])
        outputs = probe.predict(x, verbose=0)
        tensors = {"__input__": x, **{layer.name: np.ascontiguousarray(o, dtype="<f4") for layer, o in zip(layers, outputs)}}
        metadata = {"format": "cnnc-layers-1", "keras_version": version("tf-keras"), "backend": "tensorflow",
                    "backend_version": tf.__version__, "model": model.name, "source": f"tf.keras.applications.{constructor}"}
        save_file(tensors, str(folder / "reference.safetensors"), metadata=metadata)
        print(f"{name}: {len(layers)} layers -> {folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
