#!/usr/bin/env python3
"""Make golden fixtures for cnnc's Functional (graph) models from real Keras 3.

Run from the repository root (Tools/keras-fixtures/run.sh --functional-only):

    KERAS_BACKEND=jax python Tools/keras-fixtures/make_functional_fixtures.py

Models:
  - every spec in Tests/Fixtures/graphs/*.yaml, built from cnnc's graph form
    (`inputs:` name -> shape at the top, a layer's `inputs:` naming what it
    reads, `outputs:`) as `keras.Model(inputs, outputs, name=...)`;
  - keras.applications at small input sizes with weights=None and 10
    classes (APPLICATIONS below).

For each it writes, under Tests/Fixtures/keras/functional/:
  summary/<stem>.txt      `model.summary()` printed to a non-terminal stdout
                          (the same child-process capture as make_fixtures.py);
  summary-ll120/<stem>.txt  (graph specs) `model.summary(line_length=120)` with
                          COLUMNS=200, uncut;
  json3/<stem>.json       `model.to_json()`, indented by 2.
Each model is built in a fresh session, so default names are a fresh
session's. The script checks that keras.models.model_from_json gives the same
config back.

It also writes outputs/<stem>/ (alone, with --outputs-only) for the graph specs
cnnc compiles (OUTPUT_GRAPHS), as make_output_fixtures.py does
for Sequential specs: weights.safetensors drawn from
numpy.random.default_rng(zlib.crc32(stem)) layer by layer, input.npy (3
samples, U(0, 1) from the same generator), output.npy (model.predict) and
reference.safetensors (every layer's output, for cnnc verify).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import child_env, versions_text  # noqa: E402

GRAPHS = Path("Tests/Fixtures/graphs")
OUT = Path("Tests/Fixtures/keras/functional")
MERGE_CLASSES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "CustomScaleLayer"}
# name -> (constructor, input shape[, keyword arguments]). Small inputs keep the JSON and the tests light.
APPLICATIONS = {
    "vgg16": ("VGG16", (64, 64, 3)),
    "resnet50": ("ResNet50", (64, 64, 3)),
    "resnet50v2": ("ResNet50V2", (64, 64, 3)),
    "densenet121": ("DenseNet121", (64, 64, 3)),
    "inceptionv3": ("InceptionV3", (75, 75, 3)),
    "mobilenetv2": ("MobileNetV2", (96, 96, 3)),
    # The width the performance issue names for the peer table (alpha 0.35).
    "mobilenetv2_035": ("MobileNetV2", (96, 96, 3), {"alpha": 0.35}),
    "xception": ("Xception", (71, 71, 3)),
    "mobilenet": ("MobileNet", (96, 96, 3)),
    "efficientnetb0": ("EfficientNetB0", (64, 64, 3)),
    "nasnetmobile": ("NASNetMobile", (96, 96, 3)),
    "mobilenetv3small": ("MobileNetV3Small", (96, 96, 3)),
    "efficientnetv2b0": ("EfficientNetV2B0", (64, 64, 3)),
    "inceptionresnetv2": ("InceptionResNetV2", (75, 75, 3)),
    "convnexttiny": ("ConvNeXtTiny", (64, 64, 3)),
}


# Graphs Keras 2 cannot build: tf.keras has no CustomScaleLayer (its
# InceptionResNetV2 scales the branch in a Lambda, Python bytecode cnnc does
# not read) and no ConvNeXt LayerScale, so make_keras2_functional_json.py
# writes no json2/ for these.
KERAS3_ONLY_GRAPHS = {"scaled_residual", "convnext_block"}


def layer_class(keras, class_name):
    """A layer class by its name: keras.layers', or InceptionResNetV2's
    CustomScaleLayer or ConvNeXt's LayerScale, which Keras defines in their
    applications' modules."""
    if class_name == "CustomScaleLayer":
        from keras.src.applications.inception_resnet_v2 import CustomScaleLayer
        return CustomScaleLayer
    if class_name == "LayerScale":
        from keras.src.applications.convnext import LayerScale
        return LayerScale
    return getattr(keras.layers, class_name)


def build_graph(spec, keras=None):
    """The keras.Model a cnnc graph spec describes, in a fresh session
    (`keras`: the module to build with; tf.keras for the Keras 2 JSON)."""
    if keras is None:
        import keras
    keras.backend.clear_session()
    tensors = {}
    if "inputs" in spec:
        for name, shape in spec["inputs"].items():
            tensors[name] = keras.Input(shape=tuple(shape), name=name)
    else:
        # Keras 3's default name, given explicitly so tf.keras uses it too.
        tensors["input_layer"] = keras.Input(shape=tuple(spec["input_shape"]), name="input_layer")
    model_inputs = list(tensors.values())
    previous = model_inputs[0]
    layers_by_name, calls = {}, {}
    last_name = None
    for item in spec["layers"]:
        if isinstance(item, str):
            item = {item: {}}
        (class_name, kwargs), = item.items()
        kwargs = dict(kwargs or {})
        reads = kwargs.pop("inputs", None)
        if class_name == "Call":
            # cnnc's `Call: {layer: encoder}`: the layer called again, its output `encoder[k]`.
            layer = layers_by_name[kwargs["layer"]]
            class_name = type(layer).__name__
            calls[layer.name] = calls.get(layer.name, 0) + 1
            key = f"{layer.name}[{calls[layer.name]}]"
        else:
            layer = layer_class(keras, class_name)(**kwargs)
            layers_by_name[layer.name] = layer
            key = layer.name
        if reads is None:
            arguments = [previous]
        else:
            arguments = [tensors[name] for name in (reads if isinstance(reads, list) else [reads])]
        output = layer(arguments if class_name in MERGE_CLASSES else arguments[0])
        tensors[key] = output
        previous = output
        last_name = key
    output_names = spec.get("outputs", [last_name])
    if isinstance(output_names, str):
        output_names = [output_names]
    outputs = [tensors[name] for name in output_names]
    return keras.Model(
        model_inputs if len(model_inputs) > 1 else model_inputs[0],
        outputs if len(outputs) > 1 else outputs[0],
        name=spec.get("name", "functional"),
    )


def build_application(stem):
    import keras

    keras.backend.clear_session()
    constructor, shape, *options = APPLICATIONS[stem]
    return getattr(keras.applications, constructor)(weights=None, input_shape=shape, classes=10, **(options[0] if options else {}))


def build_arithmetic_ops():
    """Keras 3 operations on a tensor and a number, as MobileNetV3's hard
    sigmoid writes them (`x + 3.0`, `* (1.0 / 6.0)`): every form cnnc reads,
    the number on either side."""
    import keras

    keras.backend.clear_session()
    x = keras.Input(shape=(2, 2, 3), name="input_layer")
    y = x + 3.0
    y = 2 - y
    y = y * (1.0 / 6.0)
    y = y / 4.0
    y = -y
    y = y - 1
    y = 0.5 * y
    y = keras.ops.divide(y, 0.25)
    return keras.Model(x, y, name="arithmetic_ops")


# Models built in Python, as no spec can write them: Keras 3 operations.
OPERATION_MODELS = {"arithmetic_ops": build_arithmetic_ops}


def build_tensor_arithmetic(keras=None):
    """Keras 3 operations on two tensors, as ConvNeXt's residual writes them
    (`inputs + x`): a sum, a difference with a broadcast (1, 1, C) tensor,
    and a product, each recorded as keras.src.ops.numpy's Add, Subtract and
    Multiply rather than as a layer."""
    if keras is None:
        import keras
    keras.backend.clear_session()
    x = keras.Input(shape=(6, 6, 3), name="image")
    a = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_a")(x)
    b = keras.layers.Conv2D(4, 1, name="conv_b")(x)
    total = a + b
    mean = keras.layers.GlobalAveragePooling2D(keepdims=True, name="mean")(total)
    centred = total - mean
    y = centred * b
    y = keras.layers.GlobalAveragePooling2D(name="pool")(y)
    y = keras.layers.Dense(3, activation="softmax", name="predictions")(y)
    return keras.Model(x, y, name="tensor_arithmetic")


# Models built in code whose operations read tensors only (compiled and
# trained as graphs: outputs and training steps against Keras's).
TENSOR_OPERATION_MODELS = {"tensor_arithmetic": build_tensor_arithmetic}


def build_nested_sequential(keras=None):
    """Transfer learning's shape: a frozen Functional base (a graph: a
    residual join) as the first layer of a Sequential model with a new head."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    x = keras.Input((8, 8, 3), name="image")
    y = layers.Conv2D(8, 3, padding="same", name="stem")(x)
    y = layers.BatchNormalization(name="stem_bn")(y)
    z = layers.ReLU(name="stem_relu")(y)
    r = layers.Conv2D(8, 3, padding="same", name="branch")(z)
    y = layers.Add(name="join")([z, r])
    base = keras.Model(x, y, name="backbone")
    base.trainable = False
    return keras.Sequential([keras.Input((8, 8, 3)), base, layers.GlobalAveragePooling2D(name="pool"),
                             layers.Dense(4, activation="softmax", name="head")], name="nested_sequential")


def build_nested_functional(keras=None):
    """A Sequential block called inside a Functional model whose graph
    branches around it, so the summary's Connected to names the block."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    block = keras.Sequential([keras.Input((6, 6, 4)), layers.Conv2D(4, 3, padding="same", name="inner_conv"),
                              layers.ReLU(name="inner_relu")], name="inner_block")
    x = keras.Input((6, 6, 4), name="features")
    y = layers.Add(name="skip")([x, block(x)])
    y = layers.Flatten(name="flat")(y)
    y = layers.Dense(3, activation="softmax", name="logits")(y)
    return keras.Model(x, y, name="nested_functional")


def build_shared_layers(keras=None):
    """Layers called more than once, sharing their weights: a convolution
    on two crops of the image (a siamese pair), and a Dense layer applied to
    its own output."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    x = keras.Input((6, 6, 3), name="image")
    left = layers.Cropping2D(((0, 2), (0, 2)), name="top_left")(x)
    right = layers.Cropping2D(((2, 0), (2, 0)), name="bottom_right")(x)
    conv = layers.Conv2D(4, 3, padding="same", activation="relu", name="shared_conv")
    y = layers.Subtract(name="difference")([conv(left), conv(right)])
    y = layers.GlobalAveragePooling2D(name="pool")(y)
    dense = layers.Dense(4, activation="tanh", name="shared_dense")
    y = dense(dense(y))
    y = layers.Dense(3, activation="softmax", name="head")(y)
    return keras.Model(x, y, name="shared_layers")


def build_nested_shared(keras=None):
    """A layer shared inside a nested model, after a layer of the outer one:
    its calls keep pointing at each other once flattened."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    x = keras.Input((4,), name="vector")
    twice = layers.Dense(4, activation="tanh", name="twice")
    block = keras.Model(x, twice(twice(x)), name="block")
    y = keras.Input((6,), name="features")
    z = layers.Dense(4, name="lead")(y)
    z = layers.Dense(3, activation="softmax", name="out")(block(z))
    return keras.Model(y, z, name="nested_shared")


# Models whose layers are called more than once (Keras's shared layers).
def build_shared_cycle(keras=None):
    """A shared layer whose second call reads what its first call led to,
    `act(d(act(x)))`: Keras orders the rows node by node, the input first."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    x = keras.Input((4,), name="x")
    act = layers.ReLU(name="act")
    return keras.Model(x, act(layers.Dense(4, name="d")(act(x))), name="shared_cycle")


def build_shared_order(keras=None):
    """A shared Dense on the input and on a branch, beside a chain of three:
    a row's place comes from the first of its calls the walk meets."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    x = keras.Input((4,), name="x")
    p = layers.ELU(name="p")(x)
    s = layers.Dense(4, name="s")
    u, v = s(x), s(p)
    q = layers.ReLU(name="q3")(layers.ReLU(name="q2")(layers.ReLU(name="q1")(x)))
    y = layers.Concatenate(name="cat")([layers.Dense(2, name="d1")(u), q, layers.Dense(2, name="d2")(v)])
    return keras.Model(x, y, name="shared_order")


def build_shared_self(keras=None):
    """A layer called on its own output, `Dense(r(r(x)))`: a chain, but its two
    calls make Keras print the graph's four columns."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    x = keras.Input((4,), name="a")
    r = layers.ReLU(name="r")
    return keras.Model(x, layers.Dense(2, name="d")(r(r(x))), name="shared_self")


SHARED_MODELS = {"shared_layers": build_shared_layers, "nested_shared": build_nested_shared,
                 "shared_cycle": build_shared_cycle, "shared_order": build_shared_order, "shared_self": build_shared_self}


# Models with a model among their layers (cnnc flattens them).
def build_nested_output(keras=None):
    """A nested model's call as one of the model's outputs: Keras names that
    output after the nested model (`inner_block`), not the layer inside it."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    block = keras.Sequential([keras.Input((6, 6, 4)), layers.Conv2D(2, 3, padding="same", name="inner_conv"),
                              layers.ReLU(name="inner_relu")], name="inner_block")
    x = keras.Input((6, 6, 4), name="features")
    y = layers.Dense(3, activation="softmax", name="logits")(layers.Flatten(name="flat")(x))
    return keras.Model(x, [block(x), y], name="nested_output")


def build_siamese_tower(keras=None):
    """A Siamese network: one tower model (convolution, BatchNormalization,
    pooling, an embedding) called on two images, sharing its weights; the
    head compares the embeddings. In training the tower's BatchNormalization
    runs once a call."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    crop = keras.Input((8, 8, 3), name="crop")
    y = layers.Conv2D(4, 3, name="tower_conv")(crop)
    y = layers.BatchNormalization(name="tower_bn")(y)
    y = layers.ReLU(name="tower_relu")(y)
    y = layers.GlobalAveragePooling2D(name="tower_pool")(y)
    tower = keras.Model(crop, layers.Dense(5, name="embed")(y), name="tower")
    left, right = keras.Input((8, 8, 3), name="left"), keras.Input((8, 8, 3), name="right")
    a, b = tower(left), tower(right)
    y = layers.Concatenate(name="pair")([layers.Subtract(name="diff")([a, b]), layers.Multiply(name="product")([a, b])])
    return keras.Model([left, right], layers.Dense(2, activation="softmax", name="same")(y), name="siamese_tower")


def build_siamese_blocks(keras=None):
    """Nested models called more than once: a Functional block with a layer
    shared inside it (two calls a call, so its third call is the block's
    second call's first) on two branches, and a Sequential one on a chain of
    itself."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    v = keras.Input((4,), name="vector")
    twice = layers.Dense(4, activation="tanh", name="twice")
    block = keras.Model(v, twice(twice(v)), name="block")
    step = keras.Sequential([keras.Input((4,)), layers.Dense(4, name="step_dense"), layers.ELU(name="step_elu")], name="step")
    x = keras.Input((6,), name="features")
    u = block(layers.Dense(4, name="lead")(x))
    w = block(layers.Dense(4, activation="relu", name="other")(x))
    y = layers.Add(name="join")([step(step(u)), w])
    return keras.Model(x, layers.Dense(3, activation="softmax", name="out")(y), name="siamese_blocks")


def build_augmented_transfer(keras=None):
    """Keras's transfer-learning guide's model: image augmentation layers in a
    nested Sequential at the input (identity at inference), Rescaling to
    [-1, 1], an Identity, then a small classifier."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    augmentation = keras.Sequential([
        layers.RandomFlip("horizontal", name="flip"), layers.RandomRotation(0.1, name="rotate"),
        layers.RandomZoom((-0.2, 0.1), fill_mode="nearest", name="zoom"), layers.RandomTranslation(0.1, 0.2, name="shift"),
        layers.RandomContrast(0.2, name="contrast"), layers.RandomBrightness(0.1, value_range=(0, 1), name="brightness"),
    ], name="data_augmentation")
    x = keras.Input((12, 12, 3), name="image")
    y = layers.Rescaling(1 / 127.5, offset=-1, name="scale")(augmentation(x))
    y = layers.Conv2D(4, 3, activation="relu", name="conv")(layers.Identity(name="same")(y))
    y = layers.Dropout(0.2, name="drop")(layers.GlobalAveragePooling2D(name="pool")(y))
    return keras.Model(x, layers.Dense(3, activation="softmax", name="head")(y), name="augmented_transfer")


def build_siamese_outputs(keras=None):
    """A tower's two calls among the model's outputs: Keras 3's `output_layers`
    counts a nested Functional model's calls from node 1 (its inbound args
    from 0), and names both outputs after the tower."""
    if keras is None:
        import keras
    layers = keras.layers
    keras.backend.clear_session()
    crop = keras.Input((6, 6, 2), name="crop")
    y = layers.GlobalAveragePooling2D(name="tw_pool")(layers.Conv2D(3, 3, name="tw_conv")(crop))
    tower = keras.Model(crop, y, name="tw")
    a, b = keras.Input((6, 6, 2), name="a"), keras.Input((6, 6, 2), name="b")
    ta, tb = tower(a), tower(b)
    return keras.Model([a, b], [tb, layers.Add(name="add")([ta, tb]), ta], name="siamese_outputs")


NESTED_MODELS = {"augmented_transfer": build_augmented_transfer, "siamese_outputs": build_siamese_outputs, "nested_sequential": build_nested_sequential, "nested_functional": build_nested_functional,
                 "nested_output": build_nested_output, "siamese_tower": build_siamese_tower, "siamese_blocks": build_siamese_blocks}


def make_operation_outputs(stem):
    """outputs/<stem>/input.npy and output.npy: 3 samples and what Keras computes for them."""
    import numpy as np
    import make_output_fixtures as numeric

    model = build(stem)
    rng = np.random.default_rng(numeric.stem_seed(stem))
    x = rng.uniform(-4.0, 4.0, (numeric.BATCH, *model.inputs[0].shape[1:])).astype("<f4")
    folder = OUT / "outputs" / stem
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "input.npy", x)
    np.save(folder / "output.npy", np.asarray(model.predict(x, verbose=0), dtype="<f4"))


def build(stem):
    import yaml

    if stem in APPLICATIONS:
        return build_application(stem)
    if stem in OPERATION_MODELS:
        return OPERATION_MODELS[stem]()
    if stem in NESTED_MODELS:
        return NESTED_MODELS[stem]()
    if stem in SHARED_MODELS:
        return SHARED_MODELS[stem]()
    if stem in TENSOR_OPERATION_MODELS:
        return TENSOR_OPERATION_MODELS[stem]()
    return build_graph(yaml.safe_load((GRAPHS / f"{stem}.yaml").read_text()))


OUTPUT_GRAPHS = ["residual_block", "inception_block", "squeeze_excite", "functional_chain", "merges_one_input", "training_paths",
                 "two_inputs_two_outputs", "every_merge", "squeeze_excite_reshape", "nested_sequential", "nested_functional",
                 "norm_prelu_residual", "sequence_branches", "frozen_layers", "shared_layers", "siamese_crops", "nested_shared",
                 "shared_batch_norm", "inverted_residual", "small_outputs", "scaled_residual", "tensor_arithmetic", "convnext_block",
                 "narrow_filters", "shared_sizes", "shared_norm_order",
                 "confident_softmax", "confident_sigmoid", "confident_heads", "large_second_input", "nested_output", "shared_penalty",
                 "siamese_tower", "siamese_blocks", "augmented_transfer", "siamese_outputs"]


def make_outputs(stem):
    """outputs/<stem>/: seeded weights, inputs, Keras's outputs and every layer's output.
    A model of several inputs or outputs keeps them packed as cnnc's compiled
    models take and return them (input.npy, output.npy: each sample's tensors
    flattened one after another), and by name in inputs.npz and outputs.npz
    (what `cnnc predict --input inputs.npz --output outputs.npz` reads and writes)."""
    import numpy as np
    import make_output_fixtures as numeric
    import export_keras_model as exporter
    from safetensors.numpy import load_file

    model = build(stem)
    rng = np.random.default_rng(numeric.stem_seed(stem))
    numeric.random_weights(model, rng)
    xs = [rng.uniform(0.0, 1.0, (numeric.BATCH, *tensor.shape[1:])).astype("<f4") for tensor in model.inputs]
    several = len(model.inputs) > 1 or len(model.outputs) > 1

    def predict(m):
        ys = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        return [np.asarray(y, dtype="<f4") for y in ys]

    ys = predict(model)
    folder = OUT / "outputs" / stem
    folder.mkdir(parents=True, exist_ok=True)
    source = f"Tests/Fixtures/graphs/{stem}.yaml, seeded uniform weights (rng seed crc32({stem!r}) = {numeric.stem_seed(stem)})"
    np.save(folder / "input.npy", exporter.packed(xs))
    np.save(folder / "output.npy", exporter.packed(ys))
    if several:
        np.savez(folder / "inputs.npz", **dict(zip(exporter.input_names(model), xs)))
        np.savez(folder / "outputs.npz", **dict(zip(exporter.output_names(model), ys)))
    exporter.write_weights(model, folder / "weights.safetensors", source)
    fresh = build(stem)
    exporter.apply_weights(fresh, load_file(str(folder / "weights.safetensors")))
    again = predict(fresh)
    assert all(numeric.bits_equal(a, y) for a, y in zip(again, ys)), f"{stem}: the safetensors round trip changes the output"
    acts = exporter.write_reference(model, xs, folder / "reference.safetensors", source)
    for name, y in zip(exporter.output_names(model), ys):
        # An output a nested model makes is named after it; the reference probes the layer inside,
        # under `layer[k]` for the model's later calls.
        last = name if name in acts else model.get_layer(name).layers[-1].name
        probes = [key for key in acts if key == last or key.startswith(last + "[")]
        assert any(np.allclose(acts[key], y, rtol=1e-6, atol=1e-7) for key in probes), f"{stem}: no call of {last} gives output {name}"


def child_main(args):
    build(args.child).summary(line_length=args.line_length)
    sys.stdout.flush()


def summary(stem, path, line_length=None, extra_env=None):
    command = [sys.executable, os.path.abspath(__file__), "--child", stem]
    if line_length:
        command += ["--line-length", str(line_length)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        process = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
                                 env=child_env(extra_env))
    if process.returncode != 0:
        sys.stderr.write(process.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"summary child failed for {stem}")
    if b"\x1b" in path.read_bytes():
        raise SystemExit(f"ANSI escape found in {path}")


def parent_main(outputs_only, only=None):
    import keras

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "keras-export"))
    for stem in OUTPUT_GRAPHS:
        if only and stem not in only:
            continue
        print(f"outputs/{stem}", file=sys.stderr)
        make_outputs(stem)
    for stem in OPERATION_MODELS:
        if only and stem not in only:
            continue
        print(f"outputs/{stem}", file=sys.stderr)
        make_operation_outputs(stem)
    if outputs_only:
        return

    stems = sorted(p.name.split(".")[0] for p in GRAPHS.glob("*.yaml")) + list(OPERATION_MODELS) + list(NESTED_MODELS) + list(SHARED_MODELS) + list(TENSOR_OPERATION_MODELS) + list(APPLICATIONS)
    for stem in stems:
        if only and stem not in only:
            continue
        print(stem, file=sys.stderr)
        model = build(stem)
        text = json.dumps(json.loads(model.to_json()), indent=2) + "\n"
        (OUT / "json3").mkdir(parents=True, exist_ok=True)
        (OUT / "json3" / f"{stem}.json").write_text(text)
        keras.backend.clear_session()
        restored = keras.models.model_from_json(text)
        if json.loads(restored.to_json()) != json.loads(text):
            raise SystemExit(f"{stem}: model_from_json(to_json()) changed the config")
        summary(stem, OUT / "summary" / f"{stem}.txt")
        if (stem not in APPLICATIONS and stem not in OPERATION_MODELS and stem not in NESTED_MODELS and stem not in SHARED_MODELS
                and stem not in TENSOR_OPERATION_MODELS):
            summary(stem, OUT / "summary-ll120" / f"{stem}.txt", line_length=120, extra_env={"COLUMNS": "200"})
    if not only:
        (OUT / "VERSIONS.txt").write_text(versions_text())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--line-length", type=int)
    parser.add_argument("--outputs-only", action="store_true")
    parser.add_argument("--only", action="append", metavar="STEM",
                        help="refresh only this graph or application (repeatable); VERSIONS.txt stays")
    arguments = parser.parse_args()
    if arguments.child:
        child_main(arguments)
    else:
        parent_main(arguments.outputs_only, arguments.only)
