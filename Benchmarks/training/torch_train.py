#!/usr/bin/env python3
"""Train a cnnc spec with PyTorch on the CPU, the second peer that `cnnc train`
is compared with (Benchmarks/training/run.sh, compare.py), on the data
keras_train.py reads: a folder of MNIST's IDX files, or an .npz.

    python torch_train.py SPEC DATA --epochs 3 --batch-size 32 --optimizer adam \\
        --seed 1 [--learning-rate 0.001] [--threads 1] [--compile]
    python torch_train.py SPEC DATA --check      # Keras and torch agree?

The model is not written again by hand: the Keras model is built exactly as
keras_train.py builds it (same code, same seed, so the same initial weights),
then translated layer by layer, following Keras's own graph (Sequential or
Functional), into a torch.nn.Module whose weights are copied from Keras
(kernels transposed). Tensors inside are NCHW, torch's native layout; Flatten
permutes to NHWC first, so that a Dense after it sees Keras's order and takes
Keras's kernel unchanged. "same" padding is Keras's: the extra row or column
of an odd total goes after (bottom, right), as TensorFlow does.

Training: the loss is categorical cross-entropy on the integer labels,
computed the stable way, log_softmax + nll on the logits (the model's final
softmax is skipped for the loss; Keras computes it from the probabilities).
Optimizers take Keras's defaults: SGD lr 0.01; Adam lr 0.001, betas 0.9 and
0.999, eps 1e-7; RMSprop lr 0.001, rho (torch's alpha) 0.9, eps 1e-7. Every
epoch shuffles (torch.randperm, seeded). An epoch's wall-clock time includes
the shuffling and batching (indexing the in-memory tensors), as Keras's and
cnnc's do. torch.set_num_threads(--threads), set_num_interop_threads(1).

Data: an .npz as keras_train.py reads it (compare.py writes one, MNIST or
random images of the spec's input shape, so that all three tools train on the
same images), or a folder of MNIST's IDX files, scaled to [0, 1].

Prints one line per epoch and, last, a JSON object: seconds of every epoch,
test loss and accuracy, torch's version, whether torch.compile was used. With
--compile the first epoch includes the compilation; the comparison uses the
median of the later epochs.

--check trains nothing: it compares the translated model with Keras on one
batch (inference outputs with perturbed BatchNormalization statistics, the
loss, the moving statistics after a training-mode call, and the weights after
one step of --optimizer) and prints the largest differences.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

import keras_train  # noqa: E402  (also puts Tools/keras-fixtures on sys.path)

MNIST_SHAPE = (28, 28, 1)
KERAS_LEARNING_RATES = {"sgd": 0.01, "adam": 0.001, "rmsprop": 0.001}
CHECK_BATCH = 16


# --------------------------------------------------------------------------
# Keras model -> torch.nn.Module
# --------------------------------------------------------------------------

def import_torch(threads):
    """torch with `threads` intra-op threads and one inter-op thread (set before any work)."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, str(threads))
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    return torch


def translate(keras_model):
    """The torch.nn.Module computing what `keras_model` computes, with its weights."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    def numpy(variable):
        return np.array(variable.numpy() if hasattr(variable, "numpy") else variable, dtype=np.float32)

    def tensor(variable, *permutation):
        array = numpy(variable)
        if permutation:
            array = array.transpose(permutation)
        return torch.from_numpy(np.ascontiguousarray(array))

    def spatial(value):
        return tuple(value) if isinstance(value, (list, tuple)) else (value, value)

    def same_padding(size, kernel, stride, dilation=1):
        """Keras's (TensorFlow's) "same": (before, after), the odd one after."""
        out = -(-size // stride)
        total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
        return total // 2, total - total // 2

    def pads_for(config, in_shape, kernel, stride, dilation=(1, 1)):
        """F.pad's (left, right, top, bottom) for a 2-D window over NHWC `in_shape`."""
        if config["padding"] == "valid":
            return (0, 0, 0, 0)
        if config["padding"] != "same":
            raise NotImplementedError(f"padding {config['padding']!r}")
        top, bottom = same_padding(in_shape[1], kernel[0], stride[0], dilation[0])
        left, right = same_padding(in_shape[2], kernel[1], stride[1], dilation[1])
        return (left, right, top, bottom)

    def channels_last(config):
        if config.get("data_format", "channels_last") != "channels_last":
            raise NotImplementedError("only data_format channels_last")

    def activation_function(name):
        if isinstance(name, dict):
            name = name.get("config", {}).get("name", name.get("class_name"))
        functions = {
            "linear": None, None: None,
            "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            # axis -1 of NHWC is dim 1 of NCHW, and of (N, C)
            "softmax": lambda x: F.softmax(x, dim=1),
            "elu": F.elu, "selu": F.selu, "gelu": F.gelu, "silu": F.silu, "swish": F.silu,
            "softplus": F.softplus, "relu6": F.relu6,
        }
        if name not in functions:
            raise NotImplementedError(f"activation {name!r}")
        return functions[name]

    class Layer(nn.Module):
        """One Keras layer: `body`, then its activation (`softmax` names the
        final softmax the loss skips)."""

        def __init__(self, activation=None):
            super().__init__()
            self.activation_name = activation if isinstance(activation, str) else None
            self.activation = activation_function(activation)

        def body(self, *inputs):
            return inputs[0]

        def forward(self, *inputs, logits=False):
            y = self.body(*inputs)
            if self.activation is None or (logits and self.activation_name == "softmax"):
                return y
            return self.activation(y)

    class Conv2D(Layer):
        def __init__(self, layer, in_shape):
            config = layer.get_config()
            channels_last(config)
            super().__init__(config["activation"])
            kernel = spatial(config["kernel_size"])
            stride = spatial(config["strides"])
            dilation = spatial(config["dilation_rate"])
            left, right, top, bottom = pads_for(config, in_shape, kernel, stride, dilation)
            symmetric = left == right and top == bottom
            self.pads = None if symmetric else (left, right, top, bottom)
            self.conv = nn.Conv2d(in_shape[-1], config["filters"], kernel, stride=stride,
                                  padding=(top, left) if symmetric else 0, dilation=dilation,
                                  groups=config.get("groups", 1), bias=config["use_bias"])
            with torch.no_grad():
                self.conv.weight.copy_(tensor(layer.kernel, 3, 2, 0, 1))  # (kh, kw, in, out) -> (out, in, kh, kw)
                if config["use_bias"]:
                    self.conv.bias.copy_(tensor(layer.bias))

        def body(self, x):
            return self.conv(x if self.pads is None else F.pad(x, self.pads))

    class Dense(Layer):
        def __init__(self, layer, in_shape):
            config = layer.get_config()
            super().__init__(config["activation"])
            self.linear = nn.Linear(in_shape[-1], config["units"], bias=config["use_bias"])
            with torch.no_grad():
                self.linear.weight.copy_(tensor(layer.kernel, 1, 0))  # (in, out) -> (out, in)
                if config["use_bias"]:
                    self.linear.bias.copy_(tensor(layer.bias))

        def body(self, x):
            if x.dim() == 4:  # Keras applies it to the last (channel) axis
                return self.linear(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
            return self.linear(x)

    class Pooling2D(Layer):
        def __init__(self, layer, in_shape, kind):
            config = layer.get_config()
            channels_last(config)
            super().__init__()
            self.kind = kind
            self.kernel = spatial(config["pool_size"])
            self.stride = spatial(config["strides"] or config["pool_size"])
            pads = pads_for(config, in_shape, self.kernel, self.stride)
            self.pads = pads if any(pads) else None
            if self.pads is not None and kind == "average":
                # Keras averages over the pixels inside the image only.
                ones = F.pad(torch.ones(1, 1, in_shape[1], in_shape[2]), self.pads)
                self.register_buffer("inside", F.avg_pool2d(ones, self.kernel, self.stride))

        def body(self, x):
            if self.kind == "max":
                if self.pads is not None:
                    x = F.pad(x, self.pads, value=float("-inf"))
                return F.max_pool2d(x, self.kernel, self.stride)
            if self.pads is None:
                return F.avg_pool2d(x, self.kernel, self.stride)
            return F.avg_pool2d(F.pad(x, self.pads), self.kernel, self.stride) / self.inside

    class GlobalPooling2D(Layer):
        def __init__(self, layer, kind):
            config = layer.get_config()
            channels_last(config)
            super().__init__()
            self.kind, self.keepdims = kind, config.get("keepdims", False)

        def body(self, x):
            if self.kind == "max":
                return x.amax(dim=(2, 3), keepdim=self.keepdims)
            return x.mean(dim=(2, 3), keepdim=self.keepdims)

    class Flatten(Layer):
        def body(self, x):
            if x.dim() == 4:  # Keras flattens H, W, C
                x = x.permute(0, 2, 3, 1)
            return x.flatten(1)

    class Dropout(Layer):
        def __init__(self, layer):
            config = layer.get_config()
            if config.get("noise_shape") is not None:
                raise NotImplementedError("Dropout with noise_shape")
            super().__init__()
            self.dropout = nn.Dropout(config["rate"])

        def body(self, x):
            return self.dropout(x)

    class BatchNormalization(Layer):
        def __init__(self, layer, in_shape):
            config = layer.get_config()
            if config["axis"] not in (-1, len(in_shape) - 1):
                raise NotImplementedError("BatchNormalization on an axis other than the last")
            if config.get("renorm") or config.get("synchronized"):
                raise NotImplementedError("BatchNormalization with renorm or synchronized")
            super().__init__()
            self.eps = config["epsilon"]
            self.momentum = 1.0 - config["momentum"]  # Keras 0.99 keeps 99% of the old statistics: torch 0.01
            self.weight = nn.Parameter(tensor(layer.gamma)) if config["scale"] else None
            self.bias = nn.Parameter(tensor(layer.beta)) if config["center"] else None
            self.register_buffer("running_mean", tensor(layer.moving_mean))
            self.register_buffer("running_var", tensor(layer.moving_variance))

        def body(self, x):
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                self.training, self.momentum, self.eps)

    class Activation(Layer):
        def __init__(self, name):
            super().__init__(name)

    class ReLU(Layer):
        def __init__(self, layer):
            config = layer.get_config()
            super().__init__()
            self.max_value = config.get("max_value")
            self.slope = config.get("negative_slope", 0.0) or 0.0
            self.threshold = config.get("threshold", 0.0) or 0.0
            if self.threshold:
                raise NotImplementedError("ReLU with a threshold")

        def body(self, x):
            y = F.leaky_relu(x, self.slope) if self.slope else F.relu(x)
            return y if self.max_value is None else y.clamp(max=self.max_value)

    class LeakyReLU(Layer):
        def __init__(self, layer):
            super().__init__()
            self.slope = layer.get_config()["negative_slope"]

        def body(self, x):
            return F.leaky_relu(x, self.slope)

    class ZeroPadding2D(Layer):
        def __init__(self, layer):
            config = layer.get_config()
            channels_last(config)
            super().__init__()
            (top, bottom), (left, right) = config["padding"]
            self.pads = (left, right, top, bottom)

        def body(self, x):
            return F.pad(x, self.pads)

    class Merge(Layer):
        def __init__(self, kind, axis=None, rank=None):
            super().__init__()
            self.kind = kind
            if kind == "concatenate" and axis not in (-1, rank - 1):
                raise NotImplementedError("Concatenate on an axis other than the last")

        def body(self, *inputs):
            if self.kind == "add":
                y = inputs[0]
                for other in inputs[1:]:
                    y = y + other
                return y
            if self.kind == "subtract":
                return inputs[0] - inputs[1]
            if self.kind == "multiply":
                y = inputs[0]
                for other in inputs[1:]:
                    y = y * other
                return y
            if self.kind == "average":
                return sum(inputs) / len(inputs)
            if self.kind == "maximum":
                return torch.stack(inputs).amax(0)
            if self.kind == "minimum":
                return torch.stack(inputs).amin(0)
            return torch.cat(inputs, dim=1)  # the channel axis, last in Keras

    def module_for(layer, in_shapes):
        name = type(layer).__name__
        in_shape = tuple(in_shapes[0])
        if len(in_shape) not in (2, 4) and name not in ("Flatten",):
            raise NotImplementedError(f"{name} on a rank-{len(in_shape)} tensor: only images (N, H, W, C) and vectors")
        if name == "Conv2D":
            return Conv2D(layer, in_shape)
        if name == "Dense":
            return Dense(layer, in_shape)
        if name in ("MaxPooling2D", "AveragePooling2D"):
            return Pooling2D(layer, in_shape, "max" if name.startswith("Max") else "average")
        if name in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
            return GlobalPooling2D(layer, "max" if "Max" in name else "average")
        if name == "Flatten":
            return Flatten()
        if name == "Dropout":
            return Dropout(layer)
        if name == "BatchNormalization":
            return BatchNormalization(layer, in_shape)
        if name == "Activation":
            return Activation(layer.get_config()["activation"])
        if name == "Softmax":
            if layer.get_config().get("axis", -1) not in (-1, len(in_shape) - 1):
                raise NotImplementedError("Softmax on an axis other than the last")
            return Activation("softmax")
        if name == "ReLU":
            return ReLU(layer)
        if name == "LeakyReLU":
            return LeakyReLU(layer)
        if name == "ZeroPadding2D":
            return ZeroPadding2D(layer)
        if name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"):
            return Merge(name.lower(), layer.get_config().get("axis"), len(in_shape))
        raise NotImplementedError(f"no torch translation for Keras {name}")

    class Graph(nn.Module):
        """Keras's graph, run in topological order; `logits=True` skips the
        final softmax."""

        def __init__(self, keras_model):
            super().__init__()
            if len(keras_model.inputs) != 1 or len(keras_model.outputs) != 1:
                raise NotImplementedError("models with one input and one output only")
            self.layers = nn.ModuleDict()
            keys = {id(keras_model.inputs[0]): "input"}
            pending = []
            for layer in keras_model.layers:
                if type(layer).__name__ == "InputLayer":
                    continue
                if getattr(layer, "layers", None):
                    raise NotImplementedError(f"nested model {layer.name}")
                for node in layer._inbound_nodes:
                    pending.append((layer, node))
            self.steps = []
            while pending:
                ready = [(layer, node) for layer, node in pending if all(id(t) in keys for t in node.input_tensors)]
                if not ready:
                    break  # what is left does not belong to this model's graph
                for layer, node in ready:
                    pending.remove((layer, node))
                    if layer.name not in self.layers:
                        self.layers[layer.name] = module_for(layer, [t.shape for t in node.input_tensors])
                    if len(node.output_tensors) != 1:
                        raise NotImplementedError(f"{layer.name}: a layer with several outputs")
                    key = f"{layer.name}:{len(self.steps)}"
                    keys[id(node.output_tensors[0])] = key
                    self.steps.append((layer.name, [keys[id(t)] for t in node.input_tensors], key))
            if id(keras_model.outputs[0]) not in keys:
                raise NotImplementedError("could not follow the Keras graph to its output")
            self.output_key = keys[id(keras_model.outputs[0])]
            final = self.layers[next(name for name, _, key in self.steps if key == self.output_key)]
            self.ends_with_softmax = final.activation_name == "softmax"

        def forward(self, x, logits=False):
            values = {"input": x}
            for name, inputs, key in self.steps:
                values[key] = self.layers[name](*(values[k] for k in inputs),
                                                logits=logits and key == self.output_key)
            return values[self.output_key]

    return Graph(keras_model)


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

def load_data(path, input_shape, train_limit=0):
    """keras_train.load_data's NHWC float32 images and int labels, stopping
    with a message, not a torch shape error deep in the model, when the
    images are not the spec's input shape."""
    x_train, y_train, x_test, y_test = keras_train.load_data(path, train_limit)
    if x_train.shape[1:] != input_shape:
        sys.exit(f"torch_train.py: {path} holds {x_train.shape[1:]} images, the spec takes {input_shape} "
                 "(compare.py writes an .npz of random images of the spec's shape)")
    return x_train, y_train, x_test, y_test


def nchw(torch, x):
    x = torch.from_numpy(np.ascontiguousarray(x))
    return x.permute(0, 3, 1, 2).contiguous() if x.dim() == 4 else x


def make_loss(torch, ends_with_softmax):
    """Cross-entropy of the model's output on integer labels: on the logits
    (the final softmax skipped) when there is a final softmax."""
    import torch.nn.functional as F

    if ends_with_softmax:
        return lambda output, labels: F.cross_entropy(output, labels)
    # No softmax to skip: the output is taken as probabilities, as Keras does.
    return lambda output, labels: F.nll_loss(torch.log(output.clamp(1e-7, 1 - 1e-7)), labels)


def make_optimizer(torch, name, parameters, learning_rate):
    learning_rate = KERAS_LEARNING_RATES[name] if learning_rate is None else learning_rate
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=learning_rate, momentum=0.0)
    if name == "adam":
        return torch.optim.Adam(parameters, lr=learning_rate, betas=(0.9, 0.999), eps=1e-7)
    return torch.optim.RMSprop(parameters, lr=learning_rate, alpha=0.9, eps=1e-7, momentum=0.0)


def evaluate(torch, run, loss_fn, x, y, batch_size=512):
    total, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            output = run(x[start:start + batch_size], logits=True)
            labels = y[start:start + batch_size]
            total += float(loss_fn(output, labels)) * len(labels)
            correct += int((output.argmax(1) == labels).sum())
    return total / len(x), correct / len(x)


def train(args):
    torch = import_torch(args.threads)
    keras_model = keras_train.build_model(args.spec, args.seed)
    x_train, y_train, x_test, y_test = load_data(args.data, tuple(keras_model.inputs[0].shape[1:]), args.train_limit)

    torch.manual_seed(args.seed)
    model = translate(keras_model)
    del keras_model
    loss_fn = make_loss(torch, model.ends_with_softmax)
    optimizer = make_optimizer(torch, args.optimizer, model.parameters(), args.learning_rate)
    run = torch.compile(model) if args.compile else model

    x_train, x_test = nchw(torch, x_train), nchw(torch, x_test)
    y_train, y_test = torch.from_numpy(y_train.astype("int64")), torch.from_numpy(y_test.astype("int64"))
    generator = torch.Generator().manual_seed(args.seed)
    seconds = []
    for epoch in range(args.epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(x_train), generator=generator)
        total_loss = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for first in range(0, len(order), args.batch_size):
            batch = order[first:first + args.batch_size]
            images, labels = x_train[batch], y_train[batch]
            output = run(images, logits=True)
            loss = loss_fn(output, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total_loss += loss.detach() * len(batch)
            correct += (output.detach().argmax(1) == labels).sum()
        seconds.append(time.perf_counter() - start)
        print(f"Epoch {epoch + 1}/{args.epochs} - {seconds[-1]:.2f}s - loss: {float(total_loss) / len(order):.4f}"
              f" - accuracy: {int(correct) / len(order):.4f}", flush=True)

    model.eval()
    test_loss, test_accuracy = evaluate(torch, run, loss_fn, x_test, y_test)
    print(f"Test: loss {test_loss:.4f}, accuracy {test_accuracy:.4f}", flush=True)
    print(json.dumps({
        "tool": "torch", "torch": torch.__version__, "compiled": bool(args.compile),
        "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
        "epoch_seconds": seconds, "test_loss": test_loss, "test_accuracy": test_accuracy,
        "data": keras_train.data_name(args.data), "train_images": int(len(x_train)), "batch_size": args.batch_size,
        "optimizer": args.optimizer,
        "learning_rate": KERAS_LEARNING_RATES[args.optimizer] if args.learning_rate is None else args.learning_rate,
    }))


# --------------------------------------------------------------------------
# --check: the translation against Keras
# --------------------------------------------------------------------------

def check(args):
    torch = import_torch(args.threads)
    import keras

    keras_model = keras_train.build_model(args.spec, args.seed)
    input_shape = tuple(keras_model.inputs[0].shape[1:])
    classes = int(keras_model.outputs[0].shape[-1])
    rng = np.random.default_rng(args.seed)
    # The data's test images when they fit the spec (an MNIST folder for a
    # 32x32x3 spec does not), random ones otherwise: the check needs no data.
    if keras_train.is_npz(args.data) or (input_shape == MNIST_SHAPE and Path(args.data).exists()):
        x, y = load_data(args.data, input_shape)[2:]
        x, y, source = x[:CHECK_BATCH], y[:CHECK_BATCH], f"test images of {keras_train.data_name(args.data)}"
    else:
        x = rng.random((CHECK_BATCH, *input_shape), dtype=np.float32)
        y = rng.integers(0, classes, CHECK_BATCH).astype("int32")
        source = "random images"
    # Statistics that are not 0 and 1, so that inference exercises them.
    bn = [layer for layer in keras_model.layers if type(layer).__name__ == "BatchNormalization"]
    for layer in bn:
        size = layer.moving_mean.shape
        layer.moving_mean.assign(rng.normal(0, 0.1, size).astype("float32"))
        layer.moving_variance.assign(rng.uniform(0.5, 1.5, size).astype("float32"))
        layer.gamma.assign(rng.uniform(0.8, 1.2, size).astype("float32"))
        layer.beta.assign(rng.normal(0, 0.1, size).astype("float32"))
    model = translate(keras_model)
    loss_fn = make_loss(torch, model.ends_with_softmax)
    xt, yt = nchw(torch, x), torch.from_numpy(y.astype("int64"))
    print(f"{args.spec}: {len(model.steps)} layers, {sum(p.numel() for p in model.parameters())} parameters"
          f" (Keras counts {keras_model.count_params()}, non-trainable ones included), {CHECK_BATCH} {source}")

    model.eval()
    with torch.no_grad():
        torch_out = model(xt).numpy()
        torch_loss = float(loss_fn(model(xt, logits=True), yt))
    keras_out = np.asarray(keras_model(x, training=False))
    keras_loss = float(np.mean(keras.losses.sparse_categorical_crossentropy(y, keras_out)))
    print(f"inference output: max |keras - torch| = {np.abs(keras_out - torch_out).max():.3g}"
          f" (outputs up to {np.abs(keras_out).max():.3g})")
    print(f"loss: keras {keras_loss:.7f}, torch {torch_loss:.7f}, difference {abs(keras_loss - torch_loss):.3g}")

    # One step of the optimizer, dropout off in both (its random masks differ).
    for layer in keras_model.layers:
        if type(layer).__name__ == "Dropout":
            layer.rate = 0.0
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    if bn:
        model.train()
        with torch.no_grad():
            train_out = model(xt).numpy()
        keras_train_out = np.asarray(keras_model(x, training=True))
        print(f"training-mode output (batch statistics): max |keras - torch| = {np.abs(keras_train_out - train_out).max():.3g}")
        after = translate(keras_model).state_dict()
        for kind in ("running_mean", "running_var"):
            difference = max(float((after[k] - v).abs().max()) for k, v in model.state_dict().items() if k.endswith(kind))
            print(f"  moving {kind[8:]} after it: max difference {difference:.3g}")

    optimizer_class = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
    kwargs = {} if args.learning_rate is None else {"learning_rate": args.learning_rate}
    keras_model.compile(optimizer=optimizer_class[args.optimizer](**kwargs), loss="sparse_categorical_crossentropy")
    model = translate(keras_model)  # the same starting point for both
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = make_optimizer(torch, args.optimizer, model.parameters(), args.learning_rate)
    model.train()
    loss = loss_fn(model(xt, logits=True), yt)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    keras_model.train_on_batch(x, y)
    keras_after = translate(keras_model).state_dict()
    parameter_names = {name for name, _ in model.named_parameters()}
    moved = max(float((keras_after[k] - before[k]).abs().max()) for k in parameter_names)
    difference = max(float((keras_after[k] - v).abs().max()) for k, v in model.state_dict().items() if k in parameter_names)
    print(f"weights after one {args.optimizer} step: max |keras - torch| = {difference:.3g}"
          f" (the step moved weights by up to {moved:.3g})")
    # The same first step by Keras's formulas from torch's gradients: what is
    # left of the difference above once torch's own update rule is set aside
    # (Adam and RMSprop place epsilon differently, see the README).
    lr = KERAS_LEARNING_RATES[args.optimizer] if args.learning_rate is None else args.learning_rate
    worst = 0.0
    for name, parameter in model.named_parameters():
        g = parameter.grad.double()
        if args.optimizer == "sgd":
            step = lr * g
        elif args.optimizer == "adam":
            step = lr * (1 - 0.999) ** 0.5 / (1 - 0.9) * (0.1 * g) / ((0.001 * g * g).sqrt() + 1e-7)
        else:
            step = lr * g / (0.1 * g * g + 1e-7).sqrt()
        worst = max(worst, float((keras_after[name].double() - (before[name].double() - step)).abs().max()))
    print(f"  the same step by Keras's {args.optimizer} formula from torch's gradients: max |keras - that| = {worst:.3g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec")
    parser.add_argument("data", help="a folder of MNIST's IDX files, or an .npz of x_train, y_train, x_test, y_test (see keras_train.load_npz)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optimizer", default="adam", choices=["sgd", "adam", "rmsprop"])
    parser.add_argument("--learning-rate", type=float, default=None, help="default: Keras's for the optimizer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (inter-op threads: 1)")
    parser.add_argument("--compile", action="store_true", help="train the torch.compile'd model")
    parser.add_argument("--train-limit", type=int, default=0, help="use only the first N training images")
    parser.add_argument("--check", action="store_true", help="compare the translation with Keras on one batch, then stop")
    args = parser.parse_args()
    (check if args.check else train)(args)


if __name__ == "__main__":
    main()
