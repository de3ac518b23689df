#!/usr/bin/env python3
"""Make the Keras model files cnnc reads directly: .keras, .weights.h5, .h5.

Run from the repository root, once per Keras (Tools/keras-fixtures/run.sh
--keras-files-only does both):

    KERAS_BACKEND=jax .venv-keras/bin/python Tools/keras-fixtures/make_keras_file_fixtures.py
    TF_USE_LEGACY_KERAS=1 .venv-tfkeras/bin/python Tools/keras-fixtures/make_keras_file_fixtures.py --keras2

Each model is read from its committed Keras JSON fixture (json3/ or json2/)
and given the committed seeded weights of its outputs/ fixture, so the files
hold exactly the numbers of weights.safetensors beside output.npy: reading
them must give those tensors bit for bit, and the model's outputs. Written
under Tests/Fixtures/keras/files/:

  Keras 3:  <stem>.keras           model.save (config.json, metadata.json, model.weights.h5)
            <stem>.weights.h5      model.save_weights
            residual_block.trained.keras  compiled with Adam and trained one seeded
                                   batch, so it keeps the optimizer's state too, and
            residual_block.trained.summary.txt  keras.models.load_model of it, .summary()
                                   (printed by a child process to a file, as every
                                   summary fixture: Optimizer params included)
            residual_block.<optimizer>.keras  with `shortcut` frozen, compiled with
                                   adam (amsgrad), rmsprop (centered, momentum) or
                                   sgd (nesterov momentum) and trained two seeded
                                   batches, and residual_block.<optimizer>.slots.safetensors:
                                   each slot of each trainable weight by Keras's own
                                   pairing (`optimizer._momentums[i]` with
                                   `model.trainable_variables[i]`), as `<slot>/<layer>.<weight>`,
                                   and `iterations` and `learning_rate`
  Keras 2:  <stem>.keras2.h5       tf.keras model.save(h5): model_config and model_weights/
            (a name ending in .weights.h5 would make tf.keras 2.16+ write Keras 3's layout)
            <stem>.keras2-weights.h5  tf.keras model.save_weights(h5): layer groups at the root
            slash_names.keras2.h5, .keras2-weights.h5, .keras2.json and
            slash_names/weights.safetensors: a graph built in tf.keras whose layer
            names have '/' as MobileNetV3's do (Keras 3 cannot build it), so its
            weights sit in nested HDF5 groups; seeded weights, written as drawn
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FIXTURES = Path("Tests/Fixtures/keras")
OUT = FIXTURES / "files"
# stem -> (Keras JSON fixture, weights fixture). batchnorm_inference has
# BatchNormalization without gamma and without beta; residual_block is a graph;
# reshape_rescale has Normalization's weights.
KERAS3 = {
    "batchnorm_inference": (FIXTURES / "json3/batchnorm_inference.json", FIXTURES / "outputs/batchnorm_inference"),
    "residual_block": (FIXTURES / "functional/json3/residual_block.json", FIXTURES / "functional/outputs/residual_block"),
    # Normalization's mean, variance and count (a scalar int32 in the file).
    "reshape_rescale": (FIXTURES / "json3/reshape_rescale.json", FIXTURES / "outputs/reshape_rescale"),
    # Conv1D's (k, cin, filters) kernel and the weightless 1D layers.
    "conv1d": (FIXTURES / "json3/conv1d.json", FIXTURES / "outputs/conv1d"),
    # A frozen Functional base inside a Sequential model: its layers' places nest (layers/functional/layers/...).
    "nested_sequential": (FIXTURES / "functional/json3/nested_sequential.json", FIXTURES / "functional/outputs/nested_sequential"),
}
KERAS2 = {
    "every_layer": (FIXTURES / "json2/every_layer.json", FIXTURES / "outputs/every_layer"),
    # Keras 2 names DepthwiseConv2D's kernel depthwise_kernel (Keras 3: kernel).
    "depthwise": (FIXTURES / "json2/depthwise.json", FIXTURES / "outputs/depthwise"),
    "separable": (FIXTURES / "json2/separable.json", FIXTURES / "outputs/separable"),
    # Conv2DTranspose's kernel (kh, kw, filters, cin), as in Keras 3.
    "transposed": (FIXTURES / "json2/transposed.json", FIXTURES / "outputs/transposed"),
    "residual_block": (FIXTURES / "functional/json2/residual_block.json", FIXTURES / "functional/outputs/residual_block"),
    # Normalization's count is an int64 scalar in tf.keras's files.
    "reshape_rescale": (FIXTURES / "json2/reshape_rescale.json", FIXTURES / "outputs/reshape_rescale"),
    "conv1d": (FIXTURES / "json2/conv1d.json", FIXTURES / "outputs/conv1d"),
    # A model nested in a model: its weights sit in one group under the nested
    # model's name, each named `<inner layer>/<weight>:0`.
    "nested_sequential": (FIXTURES / "functional/json2/nested_sequential.json", FIXTURES / "functional/outputs/nested_sequential"),
    # Shared layers: one group per layer, however many times it is called.
    "shared_layers": (FIXTURES / "functional/json2/shared_layers.json", FIXTURES / "functional/outputs/shared_layers"),
}


def flat_layers(model):
    """model.layers with each nested model replaced by its own layers, as cnnc flattens it."""
    out = []
    for layer in model.layers:
        out += flat_layers(layer) if type(layer).__name__ in ("Functional", "Sequential", "Model") else [layer]
    return out


def set_weights(model, tensors):
    """Every layer's weights from {"<layer>.<weight>": array}; all must be used."""
    unused = set(tensors)
    for layer in flat_layers(model):
        values = []
        for variable in layer.weights:
            base = variable.name.split("/")[-1].split(":")[0]
            name = f"{layer.name}.{base}"
            if name not in tensors and base == "depthwise_kernel":
                name = f"{layer.name}.kernel"  # a Keras 2 DepthwiseConv2D
            values.append(tensors[name])
            unused.discard(name)
        if values:
            layer.set_weights(values)
            # What loading a file does: Normalization divides by statistics it
            # takes from its weights in finalize_state, which set_weights skips.
            if type(layer).__name__ == "Normalization":
                layer.finalize_state()
    if unused:
        raise SystemExit(f"tensors no layer took: {sorted(unused)}")


def load_tensors(folder):
    """weights.safetensors read with numpy alone (.venv-tfkeras has no safetensors):
    an 8-byte little-endian header length, the JSON header, then the data."""
    import numpy as np

    raw = (folder / "weights.safetensors").read_bytes()
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + length])
    data = raw[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{name}: {entry['dtype']}"
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(entry["shape"]).copy()
    return tensors


def keras3():
    import keras
    import numpy as np

    for stem, (config, weights) in KERAS3.items():
        keras.backend.clear_session()
        model = keras.models.model_from_json(config.read_text())
        set_weights(model, load_tensors(weights))
        expected = np.load(weights / "output.npy")
        got = model.predict(np.load(weights / "input.npy"), verbose=0)
        # Not bit for bit: output.npy may come from another CPU's kernels.
        assert np.allclose(got, expected, rtol=1e-5, atol=1e-6), f"{stem}: the weights do not give output.npy"
        OUT.mkdir(parents=True, exist_ok=True)
        model.save(OUT / f"{stem}.keras")
        model.save_weights(OUT / f"{stem}.weights.h5")
        print(f"{OUT}/{stem}.keras, .weights.h5 (Keras {keras.__version__})", file=sys.stderr)


def trained_keras3():
    """residual_block after one Adam step on seeded data, and its loaded summary."""
    import subprocess

    import keras
    import numpy as np
    from make_fixtures import child_env

    config, weights = KERAS3["residual_block"]
    keras.backend.clear_session()
    keras.utils.set_random_seed(7)
    model = keras.models.model_from_json(config.read_text())
    set_weights(model, load_tensors(weights))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(7)
    model.train_on_batch(rng.uniform(0, 1, (4, *model.inputs[0].shape[1:])).astype("float32"), np.array([0, 1, 2, 3]))
    path = OUT / "residual_block.trained.keras"
    model.save(path)
    with open(OUT / "residual_block.trained.summary.txt", "wb") as out:
        subprocess.run([sys.executable, os.path.abspath(__file__), "--summary-of", str(path)],
                       stdin=subprocess.DEVNULL, stdout=out, env=child_env(), check=True)
    print(f"{path}, its summary", file=sys.stderr)


def summary_of(path):
    import keras

    keras.models.load_model(path).summary()
    sys.stdout.flush()


def keras2():
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tensorflow as tf

    keras = tf.keras
    if not keras.__name__.startswith("tf_keras"):
        raise SystemExit(f"tf.keras is {keras.__name__}, not Keras 2 (tf_keras)")
    for stem, (config, weights) in KERAS2.items():
        keras.backend.clear_session()
        model = keras.models.model_from_json(config.read_text())
        set_weights(model, load_tensors(weights))
        OUT.mkdir(parents=True, exist_ok=True)
        model.save(OUT / f"{stem}.keras2.h5", save_format="h5")
        model.save_weights(OUT / f"{stem}.keras2-weights.h5", save_format="h5")
        print(f"{OUT}/{stem}.keras2.h5, .keras2-weights.h5 (tf.keras of TensorFlow {tf.__version__})", file=sys.stderr)
    slash_names(keras)


def slash_names(keras):
    """tf.keras allowed '/' in layer names and MobileNetV3 uses it: `Conv/BatchNorm`,
    `expanded_conv/depthwise`. h5py nests such a name's weights one group per part."""
    import zlib

    import numpy as np
    from safetensors.numpy import save_file

    keras.backend.clear_session()
    layers = keras.layers
    x = inputs = keras.Input((8, 8, 3), name="input_1")
    x = layers.Conv2D(8, 3, padding="same", use_bias=False, name="Conv")(x)
    x = layers.BatchNormalization(name="Conv/BatchNorm")(x)
    x = layers.ReLU(name="re_lu")(x)
    x = layers.DepthwiseConv2D(3, padding="same", name="expanded_conv/depthwise")(x)
    x = layers.BatchNormalization(name="expanded_conv/depthwise/BatchNorm")(x)
    x = layers.GlobalAveragePooling2D(name="expanded_conv/squeeze_excite/AvgPool")(x)
    outputs = layers.Dense(4, activation="softmax", name="Logits/dense")(x)
    model = keras.Model(inputs, outputs, name="slash_names")
    rng = np.random.default_rng(zlib.crc32(b"slash_names"))
    tensors = {}
    for layer in model.layers:
        values = []
        for variable in layer.weights:
            base = variable.name.split("/")[-1].split(":")[0]
            low, high = (0.5, 2.0) if base in ("moving_variance", "gamma") else (-0.5, 0.5)
            values.append(rng.uniform(low, high, tuple(variable.shape)).astype("<f4"))
            tensors[f"{layer.name}.{'kernel' if base == 'depthwise_kernel' else base}"] = values[-1]
        if values:
            layer.set_weights(values)
    folder = OUT / "slash_names"
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "weights.safetensors"))
    (OUT / "slash_names.keras2.json").write_text(json.dumps(json.loads(model.to_json()), indent=2) + "\n")
    model.save(OUT / "slash_names.keras2.h5", save_format="h5")
    model.save_weights(OUT / "slash_names.keras2-weights.h5", save_format="h5")
    print(f"{OUT}/slash_names.keras2.h5, .keras2-weights.h5, .keras2.json, slash_names/", file=sys.stderr)


def optimizer_states_keras3():
    """residual_block trained two batches by each optimizer cnnc continues, and
    each optimizer slot by the weight Keras itself pairs it with."""
    import keras
    import numpy as np
    from safetensors.numpy import save_file

    config, weights = KERAS3["residual_block"]
    optimizers = {
        "adam": (lambda: keras.optimizers.Adam(learning_rate=0.005, amsgrad=True),
                 {"momentum": "_momentums", "velocity": "_velocities", "velocity_hat": "_velocity_hats"}),
        "rmsprop": (lambda: keras.optimizers.RMSprop(learning_rate=0.002, momentum=0.5, centered=True),
                    {"velocity": "_velocities", "momentum": "_momentums", "average_gradient": "_average_gradients"}),
        "sgd": (lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True), {"momentum": "momentums"}),
    }
    for name, (make, slots) in optimizers.items():
        keras.backend.clear_session()
        keras.utils.set_random_seed(11)
        model = keras.models.model_from_json(config.read_text())
        set_weights(model, load_tensors(weights))
        model.get_layer("shortcut").trainable = False
        model.compile(optimizer=make(), loss="sparse_categorical_crossentropy")
        rng = np.random.default_rng(11)
        for _ in range(2):
            model.train_on_batch(rng.uniform(0, 1, (4, *model.inputs[0].shape[1:])).astype("float32"), np.array([0, 1, 2, 3]))
        optimizer = model.optimizer
        tensors = {"iterations": np.array([optimizer.iterations.numpy()], np.float32),
                   "learning_rate": np.array([optimizer.learning_rate.numpy()], np.float32)}
        for slot, attribute in slots.items():
            for variable, value in zip(model.trainable_variables, getattr(optimizer, attribute)):
                layer, weight = variable.path.rsplit("/", 1)
                tensors[f"{slot}/{layer}.{weight}"] = np.asarray(value.numpy(), np.float32)
        path = OUT / f"residual_block.{name}.keras"
        model.save(path)
        save_file(tensors, str(OUT / f"residual_block.{name}.slots.safetensors"))
        print(f"{path}, its slots", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras2", action="store_true", help="write the tf.keras files (run with .venv-tfkeras)")
    parser.add_argument("--summary-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.summary_of:
        summary_of(args.summary_of)
    elif args.keras2:
        keras2()
    else:
        keras3()
        trained_keras3()
        optimizer_states_keras3()


if __name__ == "__main__":
    main()
