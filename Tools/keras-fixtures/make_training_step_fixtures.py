#!/usr/bin/env python3
"""One training step in real Keras 3 (JAX backend), for cnnc's training tests.

Run from the repository root (Tools/keras-fixtures/run.sh --training-step does this):

    KERAS_BACKEND=jax .venv-keras/bin/python Tools/keras-fixtures/make_training_step_fixtures.py

For every model in Tests/Fixtures/keras/outputs/<stem>/ that has a
weights.safetensors, a vector output ending in softmax (or one sigmoid unit),
and no layer that is random in training (Dropout and the other noise layers:
Keras's masks cannot be reproduced), it writes
Tests/Fixtures/keras/training_step/<stem>/:

  x.npy, y.npy          the batch: float32 (8, *input) uniform [0, 1), labels (whole numbers as float32),
                        from numpy.random.default_rng(zlib.crc32(stem) + 1)
  <optimizer>.safetensors  the weights after ONE model.train_on_batch(x, y) from
                        outputs/<stem>/weights.safetensors, with the loss Keras
                        reported (before the update) in the metadata "loss";
                        BatchNormalization's moving_mean and moving_variance
                        are those after the step too (batch statistics, momentum)

The same for the graphs of Tests/Fixtures/graphs/ that have
functional/outputs/<stem>/weights.safetensors (make_functional_fixtures.py),
into Tests/Fixtures/keras/functional/training_step/<stem>/.

Optimizers (Keras defaults for everything not named):
  sgd            SGD(learning_rate=0.1)
  sgd_nesterov   SGD(learning_rate=0.05, momentum=0.9, nesterov=True)
  adam           Adam(learning_rate=0.01)
  rmsprop        RMSprop(learning_rate=0.01)
The loss is sparse_categorical_crossentropy after softmax and
binary_crossentropy after a single sigmoid, each the mean over the batch.

A model of several inputs or outputs gets one array per tensor instead,
named after it: x_<input>.npy (uniform [0, 1)) and y_<output>.npy (class
labels as float32 for a softmax or sigmoid head, uniform [0, 1) targets of
mean_squared_error for any other), a loss per output as a dict, and in the
metadata "output_losses", Keras's per-output losses (a JSON list, in the
model's order of outputs) beside the total "loss".
"""

import json
import os
import sys
import zlib
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "keras-export"))

import numpy as np  # noqa: E402

import export_keras_model as exporter  # noqa: E402
import make_fixtures  # noqa: E402

OUTPUTS = Path("Tests/Fixtures/keras/outputs")
OUT = Path("Tests/Fixtures/keras/training_step")
GRAPH_OUTPUTS = Path("Tests/Fixtures/keras/functional/outputs")
GRAPH_OUT = Path("Tests/Fixtures/keras/functional/training_step")
BATCH = 8
RANDOM_IN_TRAINING = {"Dropout", "GaussianNoise", "GaussianDropout", "SpatialDropout1D", "SpatialDropout2D", "RandomFlip", "RandomRotation",
                      "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness"}


def optimizers():
    import keras

    return {
        "sgd": keras.optimizers.SGD(learning_rate=0.1),
        "sgd_nesterov": keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
        "adam": keras.optimizers.Adam(learning_rate=0.01),
        "rmsprop": keras.optimizers.RMSprop(learning_rate=0.01),
    }


def spec_paths():
    return sorted(Path("Specs").glob("*.yaml")) + sorted(Path("Tests/Fixtures/specs").glob("*.yaml"))


def loss_for(model):
    """The loss Keras users pair with the output, or None when the model is not a classifier."""
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    if type(last).__name__ == "Softmax":
        activation = "softmax"
    shape = tuple(model.outputs[0].shape[1:])
    if len(shape) != 1:
        return None, 0
    if activation == "softmax" and shape[0] > 1:
        return "sparse_categorical_crossentropy", shape[0]
    if activation == "sigmoid" and shape[0] == 1:
        return "binary_crossentropy", 2
    return None, 0


def head_loss(model, tensor):
    """The loss for one output of a model of several: cross-entropy after a
    softmax (or one sigmoid), mean squared error after anything else."""
    layer = tensor._keras_history[0]
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if type(layer).__name__ == "Softmax":
        activation = "softmax"
    shape = tuple(tensor.shape[1:])
    if len(shape) == 1 and activation == "softmax" and shape[0] > 1:
        return "sparse_categorical_crossentropy", shape[0]
    if len(shape) == 1 and activation == "sigmoid" and shape[0] == 1:
        return "binary_crossentropy", 2
    return "mean_squared_error", 0


def write_graph_steps(stem, source, model, build, tensors, folder):
    """write_steps for a model of several inputs or outputs: arrays by name, a loss per output."""
    from safetensors.numpy import save_file

    rng = np.random.default_rng(zlib.crc32(stem.encode()) + 1)
    x = {tensor.name: rng.uniform(0.0, 1.0, (BATCH, *tensor.shape[1:])).astype("<f4") for tensor in model.inputs}
    losses, y = {}, {}
    for name, tensor in zip(model.output_names, model.outputs):
        loss, classes = head_loss(model, tensor)
        losses[name] = loss
        y[name] = (rng.integers(0, classes, BATCH) if classes else rng.uniform(0.0, 1.0, (BATCH, *tensor.shape[1:]))).astype("<f4")
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in x.items():
        np.save(folder / f"x_{name}.npy", array)
    for name, array in y.items():
        np.save(folder / f"y_{name}.npy", array)
    for name, optimizer in optimizers().items():
        model = build()
        exporter.apply_weights(model, tensors)
        # One output (a Siamese pair's head) takes its loss and targets alone: Keras 3 reads a dict as a structure of outputs.
        single = len(model.outputs) == 1
        model.compile(optimizer=optimizer, loss=next(iter(losses.values())) if single else losses)
        values = [float(v) for v in np.atleast_1d(model.train_on_batch(x, next(iter(y.values())) if single else y))]
        after = exporter.collect_weights(model)
        meta = exporter.metadata(source)
        meta.update({"loss": repr(values[0]), "output_losses": json.dumps(values[1:]), "loss_function": json.dumps(losses),
                     "optimizer": json.dumps(optimizer.get_config(), default=str)})
        save_file(after, str(folder / f"{name}.safetensors"), metadata=meta)
    return True


def write_steps(stem, source, build, weights, folder):
    """x.npy, y.npy and one <optimizer>.safetensors per optimizer in `folder`,
    for the model `build()` makes; False when it is not a deterministic classifier."""
    from safetensors.numpy import load_file, save_file

    model = build()
    # A nested model's layers too (an augmentation Sequential at the input).
    if any(type(layer).__name__ in RANDOM_IN_TRAINING for layer in model._flatten_layers()):
        return False
    tensors = load_file(str(weights))
    if len(model.inputs) > 1 or len(model.outputs) > 1:
        return write_graph_steps(stem, source, model, build, tensors, folder)
    loss, classes = loss_for(model)
    if loss is None:
        return False
    rng = np.random.default_rng(zlib.crc32(stem.encode()) + 1)
    x = rng.uniform(0.0, 1.0, (BATCH, *model.inputs[0].shape[1:])).astype("<f4")
    y = rng.integers(0, classes, BATCH).astype("<i4")
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "x.npy", x)
    np.save(folder / "y.npy", y.astype("<f4"))  # float32: what the runtime's .npy reader reads
    for name, optimizer in optimizers().items():
        model = build()
        exporter.apply_weights(model, tensors)
        model.compile(optimizer=optimizer, loss=loss)
        value = float(model.train_on_batch(x, y))
        after = exporter.collect_weights(model)
        meta = exporter.metadata(source)
        meta.update({"loss": repr(value), "loss_function": loss, "optimizer": json.dumps(optimizer.get_config(), default=str)})
        save_file(after, str(folder / f"{name}.safetensors"), metadata=meta)
    return True


def main():
    import argparse

    import keras
    import yaml

    import make_functional_fixtures as functional

    ap = argparse.ArgumentParser()
    ap.add_argument("--only", action="append", metavar="STEM", help="refresh only this spec or graph (repeatable); VERSIONS.txt stays")
    only = ap.parse_args().only

    if not Path("Specs").is_dir():
        raise SystemExit("run from the repository root (no Specs/ here)")
    made = []
    for path in spec_paths():
        stem = make_fixtures.spec_stem(path)
        weights = OUTPUTS / stem / "weights.safetensors"
        if not weights.exists() or (only and stem not in only):
            continue
        spec = make_fixtures.load_spec(path)
        if write_steps(stem, path, lambda: make_fixtures.build_model(spec), weights, OUT / stem):
            made.append(stem)
    for path in sorted(functional.GRAPHS.glob("*.yaml")):
        stem = path.stem
        weights = GRAPH_OUTPUTS / stem / "weights.safetensors"
        if not weights.exists() or (only and stem not in only):
            continue
        spec = yaml.safe_load(path.read_text())
        if write_steps(stem, path, lambda: functional.build_graph(spec), weights, GRAPH_OUT / stem):
            made.append(f"graphs/{stem}")
    for stem, build in {**functional.NESTED_MODELS, **functional.SHARED_MODELS, **functional.TENSOR_OPERATION_MODELS}.items():
        weights = GRAPH_OUTPUTS / stem / "weights.safetensors"
        if not weights.exists() or (only and stem not in only):
            continue
        if write_steps(stem, Path("Tools/keras-fixtures/make_functional_fixtures.py"), build, weights, GRAPH_OUT / stem):
            made.append(f"nested/{stem}")
    if only:
        print(f"training-step fixtures for {', '.join(made)}")
        return
    (OUT / "VERSIONS.txt").write_text(
        f"keras {keras.__version__}, {keras.backend.backend()} {__import__(keras.backend.backend()).__version__}\n"
        f"models: {', '.join(made)}\n", encoding="utf-8")
    print(f"training-step fixtures for {len(made)} models: {', '.join(made)}")


if __name__ == "__main__":
    main()
