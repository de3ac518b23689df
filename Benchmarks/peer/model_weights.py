"""Weights for a checked model, named and shaped as cnnc reads them.

Kernels are Glorot-uniform as Keras initialises them. Biases and
BatchNormalization's parameters are small random values instead of Keras's
zeros and ones: the timing does not care, but with zeros the equality check
between cnnc and ONNX Runtime could not see a bias or a statistic applied
wrongly.
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
            size = config["kernel_size"]
            shapes[f"{name}.kernel"] = (size["height"], size["width"], channels, config["filters"])
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
        elif kind in ("gamma", "moving_variance"):
            values = rng.uniform(0.5, 1.5, shape)
        else:  # bias, beta, moving_mean
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
