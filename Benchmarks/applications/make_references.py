#!/usr/bin/env python3
"""Seeded keras.applications models and their Keras references, for
checking cnnc on real architectures (too large to commit as fixtures).

    KERAS_BACKEND=jax .venv-keras/bin/python Benchmarks/applications/make_references.py OUTDIR [NAME ...]

For each model (default: every one of make_functional_fixtures.APPLICATIONS,
at the same input sizes) writes OUTDIR/<name>/:
  model.json              model.to_json()
  model.keras             model.save: the file a Keras user has (config.json and model.weights.h5)
  weights.safetensors     weights drawn as make_output_fixtures.py draws them
                          (numpy.random.default_rng(zlib.crc32(name)), layer by layer)
  input.npy, output.npy   2 samples U(0, 1) from the same generator, model.predict
  reference.safetensors   every layer's output, for `cnnc verify`
Benchmarks/applications/run.sh runs it, then verify, compile times and the peer benchmark.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "Tools" / "keras-fixtures"))
sys.path.insert(0, str(HERE.parents[1] / "Tools" / "keras-export"))

import numpy as np  # noqa: E402

import export_keras_model as exporter  # noqa: E402
import make_functional_fixtures as functional  # noqa: E402
import make_output_fixtures as numeric  # noqa: E402


def main():
    out = Path(sys.argv[1])
    names = sys.argv[2:] or list(functional.APPLICATIONS)
    for name in names:
        print(name, file=sys.stderr)
        model = functional.build_application(name)
        rng = np.random.default_rng(numeric.stem_seed(name))
        numeric.random_weights(model, rng)
        x = rng.uniform(0.0, 1.0, (2, *model.inputs[0].shape[1:])).astype("<f4")
        y = np.asarray(model.predict(x, verbose=0), dtype="<f4")
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.json").write_text(model.to_json())
        model.save(folder / "model.keras")
        np.save(folder / "input.npy", x)
        np.save(folder / "output.npy", y)
        source = f"keras.applications {name}, seeded uniform weights (rng seed crc32({name!r}))"
        exporter.write_weights(model, folder / "weights.safetensors", source)
        exporter.write_reference(model, x, folder / "reference.safetensors", source)


if __name__ == "__main__":
    main()
