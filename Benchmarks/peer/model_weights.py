"""Weights for a checked model, named and shaped as cnnc reads them.

Kernels are Glorot-uniform as Keras initialises them. Biases, the
normalizations' parameters and PReLU's alpha are small random values instead
of Keras's zeros and ones: the timing does not care, but with zeros the
equality check between cnnc and ONNX Runtime could not see a bias, a
statistic or a slope applied wrongly.
"""
import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file


class WeightsMismatch(Exception):
    pass


def tensor_shapes(summary):
    """Every tensor cnnc expects, in model order: {"conv2d.kernel": (3, 3, 1, 32), ...}."""
    shapes = {}
    for layer in summary["layers"]:
        name, config, channels = layer["name"], layer["config"], layer["input_shape"][-1]
        kind = layer["class_name"]
        if kind == "Conv2D":
            # A grouped Conv2D's filters each read their group's channels.
            size = config["kernel_size"]
            shapes[f"{name}.kernel"] = (size["height"], size["width"], channels // config.get("groups", 1), config["filters"])
            if config["use_bias"]:
                shapes[f"{name}.bias"] = (config["filters"],)
        elif kind == "Conv1D":
            shapes[f"{name}.kernel"] = (config["kernel_size"], channels, config["filters"])
            if config["use_bias"]:
                shapes[f"{name}.bias"] = (config["filters"],)
        elif kind == "Conv2DTranspose":
            # The kernel of the Conv2D it transposes, which maps the filters back to this layer's input channels.
            size = config["kernel_size"]
            shapes[f"{name}.kernel"] = (size["height"], size["width"], config["filters"], channels)
            if config["use_bias"]:
                shapes[f"{name}.bias"] = (config["filters"],)
        elif kind == "DepthwiseConv2D":
            size, multiplier = config["kernel_size"], config["depth_multiplier"]
            shapes[f"{name}.kernel"] = (size["height"], size["width"], channels, multiplier)
            if config["use_bias"]:
                shapes[f"{name}.bias"] = (channels * multiplier,)
        elif kind == "SeparableConv2D":
            size, multiplier = config["kernel_size"], config["depth_multiplier"]
            shapes[f"{name}.depthwise_kernel"] = (size["height"], size["width"], channels, multiplier)
            shapes[f"{name}.pointwise_kernel"] = (1, 1, channels * multiplier, config["filters"])
            if config["use_bias"]:
                shapes[f"{name}.bias"] = (config["filters"],)
        elif kind == "Dense":
            shapes[f"{name}.kernel"] = (channels, config["units"])
            if config["use_bias"]:
                shapes[f"{name}.bias"] = (config["units"],)
        elif kind == "BatchNormalization":
            for tensor, present in [("gamma", config["scale"]), ("beta", config["center"]),
                                    ("moving_mean", True), ("moving_variance", True)]:
                if present:
                    shapes[f"{name}.{tensor}"] = (channels,)
        elif kind == "LayerNormalization":  # over the last axis only, as cnnc reads it
            for tensor, present in [("gamma", config["scale"]), ("beta", config["center"])]:
                if present:
                    shapes[f"{name}.{tensor}"] = (channels,)
        elif kind == "LayerScale":  # ConvNeXt's x * gamma
            shapes[f"{name}.gamma"] = (channels,)
        elif kind == "PReLU":
            # One alpha per value of a sample, shared (size 1) along shared_axes, which count from 1 past the batch.
            shapes[f"{name}.alpha"] = tuple(1 if axis + 1 in config["shared_axes"] else size
                                            for axis, size in enumerate(layer["input_shape"]))
        elif kind == "Normalization" and config.get("constants") is None:
            # Without constants in the spec Keras keeps the statistics as weights; count only matters to adapt().
            shapes[f"{name}.mean"] = (channels,)
            shapes[f"{name}.variance"] = (channels,)
            shapes[f"{name}.count"] = ()
    return shapes


def glorot_limit(shape):
    """Keras's fans: (kh, kw, cin, cout) has fan_in kh*kw*cin and fan_out kh*kw*cout;
    (k, cin, cout) of Conv1D and (kh, kw, cout, cin) of Conv2DTranspose alike."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.sqrt(6.0 / (receptive * shape[-2] + receptive * shape[-1]))


def make_weights(summary, seed):
    """{name: float32 array} for every tensor of the model."""
    rng = np.random.default_rng(seed)
    weights = {}
    for name, shape in tensor_shapes(summary).items():
        kind = name.rsplit(".", 1)[1]
        if kind.endswith("kernel"):
            limit = glorot_limit(shape)
            values = rng.uniform(-limit, limit, shape)
        elif kind in ("gamma", "moving_variance", "variance"):
            values = rng.uniform(0.5, 1.5, shape)
        elif kind == "alpha":  # PReLU's slope below 0: positive, and far enough from 0 to be seen
            values = rng.uniform(0.1, 0.5, shape)
        elif kind == "count":  # the samples adapt() saw; an integer, as Keras keeps it
            values = np.array(1000.0)
        else:  # bias, beta, moving_mean, mean
            values = rng.uniform(-0.1, 0.1, shape)
        weights[name] = values.astype(np.float32)
    return weights


def save_weights(weights, path):
    save_file(weights, path)


def load_weights(summary, path):
    """A user's weights, refused with every problem named unless they are exactly the model's tensors."""
    try:
        weights = load_file(path)
    except (SafetensorError, OSError) as error:
        raise WeightsMismatch(f"{path}: not a readable safetensors file ({error})")
    expected = tensor_shapes(summary)
    problems = [f"missing {name} {shape}" for name, shape in expected.items() if name not in weights]
    problems += [f"{name} has shape {weights[name].shape}, the model needs {shape}"
                 for name, shape in expected.items() if name in weights and weights[name].shape != shape]
    problems += [f"unexpected tensor {name}" for name in weights if name not in expected]
    if problems:
        raise WeightsMismatch(f"{path}: " + "; ".join(problems))
    return {name: values.astype(np.float32) for name, values in weights.items()}
