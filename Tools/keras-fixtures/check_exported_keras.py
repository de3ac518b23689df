#!/usr/bin/env python3
"""Check that Keras opens the .keras files `cnnc export` writes.

    KERAS_BACKEND=jax .venv-keras/bin/python Tools/keras-fixtures/check_exported_keras.py [CNNC]

For each model with committed Keras outputs (a Sequential model with
BatchNormalization without gamma and beta, a graph, a two-input two-output
graph, LayerNormalization and PReLU in a Sequential model and in a graph), runs `cnnc export JSON --weights weights.safetensors --output DIR`,
then in Keras: `keras.saving.load_model(DIR/model.keras)` with no warning, every
weight equal bit for bit to weights.safetensors, and `predict` on input.npy equal
to the committed output.npy (to 1e-5: output.npy may come from another CPU).
CNNC is the cnnc executable (default .build/debug/cnnc). Exits 1 on any failure.
"""

import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests/Fixtures/keras"
MODELS = {
    "batchnorm_inference": (FIXTURES / "json3/batchnorm_inference.json", FIXTURES / "outputs/batchnorm_inference"),
    "residual_block": (FIXTURES / "functional/json3/residual_block.json", FIXTURES / "functional/outputs/residual_block"),
    "two_inputs_two_outputs": (FIXTURES / "functional/json3/two_inputs_two_outputs.json", FIXTURES / "functional/outputs/two_inputs_two_outputs"),
    "reshape_rescale": (FIXTURES / "json3/reshape_rescale.json", FIXTURES / "outputs/reshape_rescale"),
    "layernorm_prelu": (FIXTURES / "json3/layernorm_prelu.json", FIXTURES / "outputs/layernorm_prelu"),
    "norm_prelu_residual": (FIXTURES / "functional/json3/norm_prelu_residual.json", FIXTURES / "functional/outputs/norm_prelu_residual"),
}


def safetensors(path):
    raw = Path(path).read_bytes()
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + length])
    data = raw[8 + length:]
    return {name: np.frombuffer(data[e["data_offsets"][0]:e["data_offsets"][1]], dtype="<f4").reshape(e["shape"])
            for name, e in header.items() if name != "__metadata__"}


def main():
    import keras

    cnnc = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/debug/cnnc")
    failures = 0
    for stem, (config, folder) in MODELS.items():
        out = Path(tempfile.mkdtemp(prefix=f"cnnc-export-{stem}-"))
        subprocess.run([cnnc, "export", str(config), "--weights", str(folder / "weights.safetensors"), "--output", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = keras.saving.load_model(out / "model.keras")
        problems = [str(w.message) for w in caught]
        expected = safetensors(folder / "weights.safetensors")
        for layer in model.layers:
            for variable in layer.weights:
                name = f"{layer.name}.{variable.name.split('/')[-1]}"
                value = np.asarray(variable.numpy(), dtype="<f4")
                if name not in expected or not np.array_equal(value.view("<u4"), expected[name].view("<u4")):
                    problems.append(f"weight {name} differs")
        inputs = [np.load(folder / "inputs.npz")[n] for n in [t.name for t in model.inputs]] if len(model.inputs) > 1 else np.load(folder / "input.npy")
        got = model.predict(inputs, verbose=0)
        got = got if isinstance(got, (list, tuple)) else [got]
        if len(got) > 1:
            outputs = np.load(folder / "outputs.npz")
            want = [outputs[n] for n in model.output_names]
        else:
            want = [np.load(folder / "output.npy")]
        if not all(np.allclose(g, w, rtol=1e-5, atol=1e-6) for g, w in zip(got, want)):
            problems.append("predict differs from output.npy")
        print(f"{stem}: " + ("ok" if not problems else "FAILED: " + "; ".join(problems)))
        failures += bool(problems)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
