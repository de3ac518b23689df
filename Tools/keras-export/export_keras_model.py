#!/usr/bin/env python3
"""Export a Keras Sequential or Functional CNN's architecture and weights for cnnc.

    python export_keras_model.py MODEL.keras OUTDIR     (or MODEL.h5)
    python export_keras_model.py model.json --weights model.weights.h5 OUTDIR
    python export_keras_model.py --spec SPEC.yaml OUTDIR
    ... [--reference [--inputs X.npy | --samples N --seed S]]

writes

    OUTDIR/model.json            model.to_json(), indented by 2, final newline
    OUTDIR/weights.safetensors   every weight as float32 little-endian

--spec builds the model a cnnc spec describes (keras.Sequential of
keras.Input(input_shape) and the listed layers, in a fresh session) with
Keras's default initialisation, for testing.

and with --reference also

    OUTDIR/reference.safetensors  every layer's output for a few inputs, for
                                  `cnnc verify` (see write_reference)

Tensor names are "<layer name>.<weight>", in Keras's own layouts:

    Conv1D              kernel (k, cin, cout), bias (cout,)
    Conv2D              kernel (kh, kw, cin, cout), bias (cout,)
    DepthwiseConv2D     kernel (kh, kw, cin, depth_multiplier), bias (cin*m,)
                        (Keras 2 names the kernel depthwise_kernel)
    SeparableConv2D     depthwise_kernel (kh, kw, cin, m), pointwise_kernel
                        (1, 1, cin*m, filters), bias (filters,)
    Conv2DTranspose     kernel (kh, kw, filters, cin): output channels first, bias (filters,)
    Dense               kernel (in, out), bias (out,)
    BatchNormalization  gamma, beta, moving_mean, moving_variance, each (C,)
                        (no gamma when scale=False, no beta when center=False)
    LayerNormalization  gamma, beta, each (C,) (the same when scale/center are False)
    PReLU               alpha: the input's shape without the batch, 1 along shared_axes
    Normalization       mean, variance, each (C,), and count () (the samples
                        adapt() saw, an int in Keras, written as float32);
                        none when its config gives mean and variance

Weightless layers cnnc knows (pooling, padding, cropping, upsampling, Flatten, Reshape,
Permute, RepeatVector, Rescaling, Dropout, activations)
write nothing.  The header metadata is
{"format": "cnnc-weights-1", "keras_version": ..., "source": ...}.

A model that is not a keras.Sequential or Functional model, or that holds layer
classes this script does not know how to name (all of them are listed), is
refused with exit status 1. Requirements: requirements.txt beside this file.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

FORMAT = "cnnc-weights-1"

# Layer class -> the weights it may own, in Keras's variable order.
WEIGHTED = {
    "Conv1D": ("kernel", "bias"),
    "Conv2D": ("kernel", "bias"),
    "DepthwiseConv2D": ("kernel", "bias"),
    "SeparableConv2D": ("depthwise_kernel", "pointwise_kernel", "bias"),
    "Conv2DTranspose": ("kernel", "bias"),
    "Dense": ("kernel", "bias"),
    "BatchNormalization": ("gamma", "beta", "moving_mean", "moving_variance"),
    "LayerNormalization": ("gamma", "beta"),
    # alpha has the input's shape (without the batch), 1 along shared_axes.
    "PReLU": ("alpha",),
    # Without mean and variance in its config; count (a scalar int) only for adapt().
    "Normalization": ("mean", "variance", "count"),
    # ConvNeXt's y = x * gamma (keras.src.applications.convnext); Keras names the variable
    # `variable`, cnnc (and this exporter) `gamma`.
    "LayerScale": ("gamma",),
}
WEIGHTLESS = {
    "InputLayer",
    "ZeroPadding1D",
    "Cropping1D",
    "UpSampling1D",
    "Permute",
    "RepeatVector",
    "MaxPooling1D",
    "AveragePooling1D",
    "GlobalMaxPooling1D",
    "GlobalAveragePooling1D",
    "ZeroPadding2D",
    "Cropping2D",
    "UpSampling2D",
    "Reshape",
    "Rescaling",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalMaxPooling2D",
    "GlobalAveragePooling2D",
    "Flatten",
    "Dropout",
    "GaussianNoise",
    "GaussianDropout",
    "SpatialDropout1D",
    "Resizing",
    "CenterCrop",
    "SpatialDropout2D",
    "ActivityRegularization",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    # InceptionResNetV2's shortcut + branch * scale (keras.src.applications.inception_resnet_v2).
    "CustomScaleLayer",
    "Identity",
    # Image augmentation: identity at inference (their seed generators' state is no weight).
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
}
KERNEL_RANK = {"Conv1D": 3, "Conv2D": 4, "DepthwiseConv2D": 4, "Conv2DTranspose": 4, "Dense": 2}
# Weights other than `kernel` that are kernels, with their rank.
OTHER_KERNELS = {"depthwise_kernel": 4, "pointwise_kernel": 4}


class ExportError(Exception):
    """The model cannot be exported; the message says why."""


def expected_weights(layer):
    """The weight names a known layer must own, in Keras's order."""
    cls = type(layer).__name__
    if cls in WEIGHTLESS:
        return ()
    if cls not in WEIGHTED:
        known = ", ".join(sorted(set(WEIGHTED) | WEIGHTLESS - {"InputLayer"}))
        raise ExportError(
            f"layer {layer.name!r} is a {cls}, which this exporter does not know "
            f"how to name (it knows {known})"
        )
    if cls == "BatchNormalization":
        names = []
        if layer.scale:
            names.append("gamma")
        if layer.center:
            names.append("beta")
        return tuple(names + ["moving_mean", "moving_variance"])
    if cls == "LayerNormalization":
        return tuple(name for name, kept in (("gamma", layer.scale), ("beta", layer.center)) if kept)
    if cls in ("PReLU", "LayerScale"):
        return WEIGHTED[cls]
    if cls == "SeparableConv2D":
        return WEIGHTED[cls] if layer.use_bias else WEIGHTED[cls][:2]
    if cls == "Normalization":
        return () if layer.input_mean is not None else WEIGHTED[cls]
    return ("kernel", "bias") if layer.use_bias else ("kernel",)


def check_model(model):
    """A keras.Sequential or Functional model (of any number of inputs and outputs)."""
    import keras

    if isinstance(model, keras.Sequential):
        return
    if type(model).__name__ != "Functional":
        raise ExportError(
            f"model {model.name!r} is a {type(model).__name__}, not a keras.Sequential or Functional model"
        )


def flat_layers(model):
    """model.layers with each nested model (a Sequential or Functional model
    used as a layer) replaced by its own layers, depth first: the layers cnnc
    flattens it into, under the same names. Nested InputLayers are left out."""
    import keras

    out = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out += [inner for inner in flat_layers(layer) if type(inner).__name__ != "InputLayer"]
        else:
            out.append(layer)
    return out


def input_names(model):
    """The model's inputs by their InputLayer names, in order."""
    return [tensor._keras_history[0].name for tensor in model.inputs]


def output_names(model):
    """The model's outputs by the names of the layers that make them, in order."""
    return [tensor._keras_history[0].name for tensor in model.outputs]


def input_list(model, x):
    """x as one float32 array per model input: a list in the model's order,
    a dict (or .npz) keyed by input name, or one array for a one-input model."""
    import numpy as np

    names = input_names(model)
    if hasattr(x, "keys"):
        missing = [name for name in names if name not in x]
        if missing:
            raise ExportError(f"no array for the inputs {missing}; the model's inputs are {names}")
        x = [x[name] for name in names]
    elif not isinstance(x, (list, tuple)):
        x = [x]
    if len(x) != len(names):
        raise ExportError(f"{len(x)} input arrays for the model's {len(names)} inputs {names}")
    arrays = []
    for name, tensor, array in zip(names, model.inputs, x):
        array = np.ascontiguousarray(array, dtype="<f4")
        want = tuple(tensor.shape[1:])
        if array.shape[1:] != want:
            raise ExportError(f"input {name!r} has shape {array.shape}; the model takes (N, {', '.join(map(str, want))})")
        arrays.append(array)
    if len({array.shape[0] for array in arrays}) != 1:
        raise ExportError(f"the inputs hold different numbers of samples: {[array.shape[0] for array in arrays]}")
    return arrays


def packed(arrays):
    """cnnc's packed samples: one array as it is; several, each sample's
    arrays flattened and placed one after another, (N, total)."""
    import numpy as np

    if len(arrays) == 1:
        return arrays[0]
    return np.ascontiguousarray(np.concatenate([a.reshape(a.shape[0], -1) for a in arrays], axis=1), dtype="<f4")


def layer_weight_names(layer):
    """[(tensor name, keras variable)] for one layer, in layer.weights order
    (the order set_weights takes), checked against its class."""
    cls = type(layer).__name__
    want = expected_weights(layer)
    variables = list(layer.weights)
    have = tuple(v.name.split("/")[-1].split(":")[0] for v in variables)
    if cls == "DepthwiseConv2D":
        # Keras 2 (tf.keras) names it depthwise_kernel; cnnc uses Keras 3's name.
        have = tuple("kernel" if name == "depthwise_kernel" else name for name in have)
    if cls == "LayerScale":
        # ConvNeXt's add_weight gives no name: Keras calls it `variable` (`variable_1`, … in a model).
        have = tuple("gamma" if name == "variable" or name.startswith("variable_") else name for name in have)
    if sorted(have) != sorted(want):
        if want and not variables:
            raise ExportError(f"layer {layer.name!r} ({cls}) is not built: it has no weights yet")
        raise ExportError(
            f"layer {layer.name!r} ({cls}) has weights {list(have)}, expected {list(want)}"
        )
    out = []
    for short, v in zip(have, variables):
        rank = len(v.shape)
        need = KERNEL_RANK[cls] if short == "kernel" else (0 if short == "count" else OTHER_KERNELS.get(short, 1))
        if short == "alpha":
            need = len(layer.input.shape) - 1  # PReLU's alpha: one axis per input axis
        if rank != need:
            raise ExportError(
                f"{layer.name}.{short} has shape {tuple(v.shape)}, expected rank {need}"
            )
        out.append((f"{layer.name}.{short}", v))
    return out


def check_layers_known(model):
    """Every layer class this exporter (and cnnc) knows, or one error that
    lists every layer that is not, so a user learns all of them at once."""
    known = set(WEIGHTED) | WEIGHTLESS
    unknown = [f"{layer.name!r} ({type(layer).__name__})" for layer in flat_layers(model) if type(layer).__name__ not in known]
    if unknown:
        names = ", ".join(sorted(known - {"InputLayer"}))
        raise ExportError(
            f"{len(unknown)} layer{'s' if len(unknown) > 1 else ''} of a class this exporter does not know how to name: "
            f"{', '.join(unknown)} (it knows {names})"
        )


def collect_weights(model):
    """{tensor name: float32 C-contiguous little-endian array}, in model order."""
    import numpy as np

    check_model(model)
    check_layers_known(model)
    tensors = {}
    for layer in flat_layers(model):
        for name, v in layer_weight_names(layer):
            if name in tensors:
                raise ExportError(f"two weights are named {name!r}")
            a = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
            # astype keeps a scalar (Normalization's count) 0-d; ascontiguousarray would make it (1,).
            tensors[name] = a.astype("<f4", order="C")
    return tensors


def apply_weights(model, tensors):
    """Set a model's weights from {tensor name: array} (the inverse of collect_weights).

    Every tensor must be used and every weight set, with the exact shape."""
    check_model(model)
    unused = set(tensors)
    for layer in flat_layers(model):
        pairs = layer_weight_names(layer)
        if not pairs:
            continue
        values = []
        for name, v in pairs:
            if name not in tensors:
                raise ExportError(f"no tensor {name!r} for layer {layer.name!r}")
            t = tensors[name]
            if tuple(t.shape) != tuple(v.shape):
                raise ExportError(f"{name}: shape {tuple(t.shape)}, the model wants {tuple(v.shape)}")
            values.append(t)
            unused.discard(name)
        set_layer_weights(layer, values)
    if unused:
        raise ExportError(f"tensors the model has no weight for: {sorted(unused)}")


def set_layer_weights(layer, values):
    """layer.set_weights, then what loading a file does after it: Normalization
    computes the mean and variance it divides by from its weights only in
    finalize_state, which load_weights calls and set_weights does not."""
    layer.set_weights(values)
    if type(layer).__name__ == "Normalization":
        layer.finalize_state()


def metadata(source):
    import keras

    return {"format": FORMAT, "keras_version": keras.__version__, "source": str(source)}


def write_weights(model, path, source):
    """Write model's weights to a .safetensors file; returns the tensors written."""
    from safetensors.numpy import save_file

    tensors = collect_weights(model)
    save_file(tensors, str(path), metadata=metadata(source))
    return tensors


def model_json_text(model):
    return json.dumps(json.loads(model.to_json()), indent=2) + "\n"


def export(model, outdir, source):
    """Write OUTDIR/model.json and OUTDIR/weights.safetensors."""
    check_model(model)
    collect_weights(model)  # refuse before writing anything
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "model.json").write_text(model_json_text(model), encoding="utf-8")
    return write_weights(model, outdir / "weights.safetensors", source)


REFERENCE_FORMAT = "cnnc-layers-1"
REFERENCE_INPUT = "__input__"


def layer_outputs(model, x):
    """{layer name: float32 array (N, ...)}: every layer's (and operation's) output in inference mode."""
    import keras
    import numpy as np

    # A Functional model lists its InputLayer among its layers; the input is kept as __input__.
    # Keras 3's operations (`x + 3.0`) are not layers but nodes cnnc checks too:
    # `operations` lists both, in the order of `layers` (tf.keras has only `layers`).
    layers = [layer for layer in getattr(model, "operations", model.layers) if type(layer).__name__ != "InputLayer"]
    # A model nested in this one (cnnc flattens it) has no output of its own
    # in cnnc: its layers are probed inside it, on the tensors it was called on.
    nested = [layer for layer in layers if isinstance(layer, keras.Model)]
    layers = [layer for layer in layers if not isinstance(layer, keras.Model)]
    # A layer's calls in this model's graph. A Sequential model reopened from
    # a file was rebuilt once per layer added, and each rebuild left a call
    # on every layer before it: only the calls its current graph (Keras 3's
    # `_functional`) holds are the model's (tf.keras keeps no such set).
    graph = getattr(model, "_functional", None) or model
    graph_nodes = getattr(graph, "_nodes", None)

    def calls(layer):
        nodes = list(getattr(layer, "_inbound_nodes", []))
        if graph_nodes is None:
            return nodes
        # Keras 3 keeps a graph's nodes as keys, "<id of the operation>_ib-<call>":
        # compared as nodes, no call of a Functional model's shared layer was found.
        return [node for index, node in enumerate(nodes) if node in graph_nodes or f"{id(layer)}_ib-{index}" in graph_nodes]

    names = [layer.name for layer in layers]
    tensors = [calls(layer)[0].output_tensors[0] if calls(layer) else layer.output for layer in layers]
    # A shared layer (called more than once): its first call's output, then
    # each later call k kept as "name[k]", as cnnc names that call.
    for layer in layers:
        nodes = calls(layer)
        for k in range(1, len(nodes)):
            names.append(f"{layer.name}[{k}]")
            tensors.append(nodes[k].output_tensors[0])
    # Each call of a nested model (a Siamese tower is called twice).
    called_on = [[list(node.input_tensors) for node in calls(inner) or inner._inbound_nodes[:1]] for inner in nested]
    probe = keras.Model(inputs=model.inputs, outputs=tensors + [t for each in called_on for ts in each for t in ts])
    outputs = probe.predict(x, verbose=0)
    if not isinstance(outputs, (list, tuple)):  # a one-layer model returns the array itself
        outputs = [outputs]
    result = {name: np.ascontiguousarray(out, dtype="<f4") for name, out in zip(names, outputs)}
    values = list(outputs[len(names):])
    for inner, each in zip(nested, called_on):
        for call, inputs in enumerate(each):
            given = [values.pop(0) for _ in inputs]
            result.update(nested_call_names(layer_outputs(inner, given if len(given) > 1 else given[0]), call))
    return result


def nested_call_names(outputs, call):
    """The layer outputs of call `call` of a nested model, named as cnnc numbers
    the flattened calls: a layer called c times inside the model (`twice`,
    `twice[1]`) is called c·call to c·call + c − 1 in all."""
    if call == 0:
        return outputs

    def split(name):
        return (name[:name.index("[")], int(name[name.index("[") + 1:-1])) if name.endswith("]") else (name, 0)

    counts = {}
    for name in outputs:
        counts[split(name)[0]] = counts.get(split(name)[0], 0) + 1
    return {f"{split(name)[0]}[{call * counts[split(name)[0]] + split(name)[1]}]": value for name, value in outputs.items()}


def reference_inputs(model, samples, seed):
    """Seeded inputs uniform in [0, 1), the range of images scaled as Keras
    examples scale them: one array per model input, drawn in order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [rng.uniform(0.0, 1.0, (samples, *tuple(tensor.shape[1:]))).astype("<f4") for tensor in model.inputs]


def write_reference(model, x, path, source):
    """Writes reference.safetensors: "__input__" (the inputs, float32 (N, ...);
    for several inputs cnnc's packed samples, see `packed`) and one tensor per
    layer under its Keras name, with the Keras and backend versions in the
    metadata. `x` is what `input_list` takes. Returns the layer outputs."""
    import keras
    from safetensors.numpy import save_file

    check_model(model)
    arrays = input_list(model, x)
    outputs = layer_outputs(model, arrays if len(arrays) > 1 else arrays[0])
    if REFERENCE_INPUT in outputs:
        raise ExportError(f"a layer is named {REFERENCE_INPUT!r}, the name reference files keep for the inputs")
    backend = keras.backend.backend()
    backend_version = getattr(__import__(backend), "__version__", "unknown")
    metadata = {"format": REFERENCE_FORMAT, "keras_version": keras.__version__, "backend": backend,
                "backend_version": backend_version, "model": model.name, "source": source}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_file({REFERENCE_INPUT: packed(arrays), **outputs}, str(path), metadata=metadata)
    return outputs


def build_model_from_spec(path):
    """The keras.Sequential a cnnc spec (YAML) describes, default initialisation."""
    import keras
    import yaml

    with open(path) as f:
        spec = yaml.safe_load(f)
    keras.backend.clear_session()
    layers = []
    for item in spec["layers"]:
        if isinstance(item, str):  # a bare layer name, e.g. "- Flatten"
            item = {item: {}}
        if not isinstance(item, dict) or len(item) != 1:
            raise ExportError(f"layer item must be a one-key mapping: {item!r}")
        ((cls_name, kwargs),) = item.items()
        cls = getattr(keras.layers, cls_name, None)
        if cls is None:
            raise ExportError(f"keras.layers has no {cls_name}")
        layers.append(cls(**(kwargs or {})))
    return keras.Sequential(
        [keras.Input(shape=tuple(spec["input_shape"])), *layers],
        name=spec.get("name", "sequential"),
    )


def load_model_file(path, weights=None):
    """A whole model (.keras, or a Keras 2 .h5), or an architecture
    (model.to_json()) whose weights come from `weights` (.weights.h5)."""
    import keras

    suffix = Path(path).suffix.lower()
    if suffix not in (".keras", ".h5", ".hdf5", ".json"):
        raise ExportError(f"{path}: expected a .keras or .h5 file, or a model.json with --weights")
    for file in [path] + ([weights] if weights else []):
        if not Path(file).is_file():
            raise ExportError(f"{file}: no such file")
    if suffix == ".json":
        if not weights:
            raise ExportError(f"{path} holds an architecture only; give its weights with --weights MODEL.weights.h5")
        model = keras.models.model_from_json(Path(path).read_text())
        model.load_weights(weights)
        return model
    if weights:
        raise ExportError(f"{path} holds its own weights; --weights goes with a model.json")
    return keras.models.load_model(path, compile=False)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Export a Keras Sequential or Functional model's architecture (model.json) "
        "and weights (weights.safetensors) for cnnc."
    )
    ap.add_argument("model", nargs="?", help="MODEL.keras or MODEL.h5, or a model.json with --weights")
    ap.add_argument("--weights", help="with a model.json: its weights, a .weights.h5 (model.save_weights)")
    ap.add_argument("outdir", help="directory to write model.json and weights.safetensors")
    ap.add_argument("--spec", help="build the model from a cnnc spec (YAML) instead, Keras-default weights")
    ap.add_argument("--reference", action="store_true",
                    help="also write OUTDIR/reference.safetensors: every layer's output for a few inputs (for cnnc verify)")
    ap.add_argument("--inputs", help="with --reference: the inputs, a .npy of shape (N, *input_shape), or an .npz with one array per input name")
    ap.add_argument("--samples", type=int, default=3, help="with --reference and no --inputs: how many seeded random inputs (default 3)")
    ap.add_argument("--seed", type=int, default=0, help="with --reference and no --inputs: the inputs' seed (default 0)")
    args = ap.parse_intermixed_args(argv)  # OUTDIR may follow --weights W
    if (args.model is None) == (args.spec is None):
        ap.error("give either MODEL (a .keras or .h5 file) or --spec SPEC.yaml, not both")
    try:
        if args.spec:
            model = build_model_from_spec(args.spec)
            source = f"spec {Path(args.spec).name}, Keras default initialisation"
        else:
            model = load_model_file(args.model, args.weights)
            source = Path(args.model).name
        tensors = export(model, args.outdir, source)
        if args.reference:
            import numpy as np

            if args.inputs:
                x = np.load(args.inputs)  # an .npz loads as a mapping by input name
            else:
                if args.samples < 1:
                    raise ExportError("--samples must be at least 1")
                x = reference_inputs(model, args.samples, args.seed)
            write_reference(model, x, Path(args.outdir) / "reference.safetensors", source)
    except ExportError as e:
        print(f"export_keras_model: error: {e}", file=sys.stderr)
        return 1
    n = sum(t.size for t in tensors.values())
    print(f"wrote {args.outdir}/model.json and {args.outdir}/weights.safetensors "
          f"({len(tensors)} tensors, {n:,} parameters)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
