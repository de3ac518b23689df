#!/usr/bin/env python3
"""The Keras half of the scale-out round trip (Tools/scale-out/round-trip.sh):
loads the .keras file cnnc exported, trains it for a few steps with
keras.distribution.DataParallel over every CPU device JAX sees, saves the
result as a .keras file, and writes Keras's per-layer reference for
`cnnc verify` on a few samples.

    XLA_FLAGS=--xla_force_host_platform_device_count=2 KERAS_BACKEND=jax \
      .venv-keras/bin/python Tools/scale-out/train_data_parallel.py MODEL.keras OUTDIR [STEPS]

Writes OUTDIR/trained.keras and OUTDIR/reference.safetensors. The training
data are seeded random images and labels (the round trip checks that the
weights come back exactly, not what they learn). Exits 1 when there are
fewer than two devices, so the run really was data-parallel, or when training
left the weights unchanged.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "keras-export"))

import numpy as np  # noqa: E402

import export_keras_model as exporter  # noqa: E402


def main():
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    import keras

    devices = keras.distribution.list_devices("cpu")
    if len(devices) < 2:
        sys.exit(f"only {len(devices)} device(s): set XLA_FLAGS=--xla_force_host_platform_device_count=2")
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))

    model = keras.saving.load_model(source, compile=False)
    before = [np.array(w) for w in model.get_weights()]
    rng = np.random.default_rng(7)
    batch = 16 * len(devices)
    shape = model.inputs[0].shape[1:]
    classes = model.outputs[0].shape[-1]
    x = rng.uniform(0.0, 1.0, (steps * batch, *shape)).astype("float32")
    y = rng.integers(0, classes, steps * batch)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    changed = max(float(np.max(np.abs(a - np.array(b)))) for a, b in zip(before, model.get_weights()))
    print(f"keras: trained {steps} steps of {batch} samples, data-parallel over {len(devices)} devices "
          f"({', '.join(str(d) for d in devices)}); the largest weight change is {changed:.3g}")
    if changed == 0:
        sys.exit("training left every weight as it was")

    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "trained.keras")
    # The reference comes from the saved file as a user reopens it, on one
    # device: the trained model object also carries the nodes fit traced.
    keras.distribution.set_distribution(None)
    saved = keras.saving.load_model(out / "trained.keras", compile=False)
    samples = rng.uniform(0.0, 1.0, (3, *shape)).astype("float32")
    exporter.write_reference(saved, samples, out / "reference.safetensors",
                             f"{source.name} trained data-parallel over {len(devices)} devices")


if __name__ == "__main__":
    main()
