"""The same network as an ONNX graph, built from `cnnc summary --format json`.

The graph takes and returns Keras's channels-last tensors (N, H, W, C), as
cnnc does. Convolutions and pooling run in ONNX's NCHW, so the builder tracks
the current layout and inserts a Transpose only where an operator needs the
other one: before the first convolution, and back to NHWC before Flatten
(Keras flattens in NHWC order), before a Dense on an image and at the end.
'same' padding is written out as the explicit amounts the checked model
resolved (TensorFlow's rule: the odd extra row or column at the bottom/right),
never as ONNX's auto_pad.

Graphs (Functional models) are built tensor by tensor: each layer reads the
tensors the summary's `reads` names, in whatever layout each was left. A
merge of images runs in NCHW; a merge involving a vector runs in Keras's
layout, where ONNX broadcasts exactly as Keras does.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # what onnxruntime 1.32 and onnx 1.23 agree on without warnings

TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]
# Layers that compute nothing at inference (cnnc compiles them as identity).
IDENTITY_LAYERS = {"Dropout", "GaussianNoise", "GaussianDropout", "SpatialDropout2D", "ActivityRegularization"}


class UnsupportedLayer(Exception):
    pass


class GraphBuilder:
    def __init__(self, summary, weights):
        self.weights = weights
        self.nodes, self.initializers = [], []
        self.tensor = "input"
        self.layout = "NHWC" if len(summary["input_shape"]) == 3 else "flat"
        self.count = 0
        # Every tensor of the model by its Keras name: (ONNX name, layout).
        self.tensors = {summary["inputs"][0]["name"]: (self.tensor, self.layout)}

    def read(self, name):
        """Makes the tensor called `name` the current one."""
        self.tensor, self.layout = self.tensors[name]

    def in_layout(self, name, layout):
        """The ONNX name of tensor `name` in `layout`, transposing it if needed (not made current)."""
        tensor, current = self.tensors[name]
        if current in ("NHWC", "NCHW") and current != layout:
            tensor = self.node("Transpose", [tensor], f"to_{layout.lower()}", perm=TO_NCHW if layout == "NCHW" else TO_NHWC)
        return tensor

    def fresh(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def constant(self, hint, array):
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, hint, **attributes):
        """Appends one node over `inputs`; returns its output's name."""
        output = self.fresh(hint)
        self.nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    def add(self, op, inputs, hint, **attributes):
        """Appends one node reading the current tensor (and `inputs`); its output becomes current."""
        self.tensor = self.node(op, [self.tensor, *inputs], hint, **attributes)
        return self.tensor

    def to_layout(self, layout):
        if self.layout in ("NHWC", "NCHW") and self.layout != layout:
            self.add("Transpose", [], f"to_{layout.lower()}", perm=TO_NCHW if layout == "NCHW" else TO_NHWC)
            self.layout = layout

    def channel_axis(self):
        return 1 if self.layout == "NCHW" else -1

    def activation(self, name, hint):
        ops = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}
        if name in (None, "linear"):
            return
        if name == "softmax":
            self.add("Softmax", [], hint, axis=self.channel_axis())
        elif name in ops:
            self.add(ops[name], [], hint)
        else:
            raise UnsupportedLayer(f"activation '{name}'")


def spatial(pair):
    return [pair["height"], pair["width"]]


def onnx_pads(padding):
    """ONNX's [top, left, bottom, right] from the checked model's amounts."""
    return [padding["top"], padding["left"], padding["bottom"], padding["right"]]


def conv2d(graph, layer, config):
    graph.to_layout("NCHW")
    name = layer["name"]
    kernel = graph.constant(f"{name}.kernel", graph.weights[f"{name}.kernel"].transpose(3, 2, 0, 1))
    inputs = [kernel] + ([graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else [])
    graph.add("Conv", inputs, name, kernel_shape=spatial(config["kernel_size"]), strides=spatial(config["strides"]),
              dilations=spatial(config["dilation_rate"]), pads=onnx_pads(layer["padding"]))
    graph.activation(config["activation"], f"{name}_activation")


def depthwise_conv2d(graph, layer, config):
    """A grouped Conv, one group per input channel: Keras's (kh, kw, cin, m)
    kernel becomes ONNX's (cin*m, 1, kh, kw), output channel c*m + j."""
    graph.to_layout("NCHW")
    name, channels = layer["name"], layer["input_shape"][-1]
    kernel = graph.weights[f"{name}.kernel"]
    kh, kw, _, multiplier = kernel.shape
    weights = graph.constant(f"{name}.kernel", kernel.reshape(kh, kw, channels * multiplier).transpose(2, 0, 1)[:, None])
    inputs = [weights] + ([graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else [])
    graph.add("Conv", inputs, name, kernel_shape=spatial(config["kernel_size"]), strides=spatial(config["strides"]),
              dilations=spatial(config["dilation_rate"]), pads=onnx_pads(layer["padding"]), group=channels)
    graph.activation(config["activation"], f"{name}_activation")


def separable_conv2d(graph, layer, config):
    """The depthwise Conv without bias, then a 1x1 Conv with the bias."""
    graph.to_layout("NCHW")
    name, channels = layer["name"], layer["input_shape"][-1]
    kernel = graph.weights[f"{name}.depthwise_kernel"]
    kh, kw, _, multiplier = kernel.shape
    depthwise = graph.constant(f"{name}.depthwise_kernel", kernel.reshape(kh, kw, channels * multiplier).transpose(2, 0, 1)[:, None])
    graph.add("Conv", [depthwise], f"{name}_depthwise", kernel_shape=spatial(config["kernel_size"]), strides=spatial(config["strides"]),
              dilations=spatial(config["dilation_rate"]), pads=onnx_pads(layer["padding"]), group=channels)
    pointwise = graph.constant(f"{name}.pointwise_kernel", graph.weights[f"{name}.pointwise_kernel"].transpose(3, 2, 0, 1))
    bias = [graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else []
    graph.add("Conv", [pointwise] + bias, name, kernel_shape=[1, 1])
    graph.activation(config["activation"], f"{name}_activation")


def pooling(graph, layer, config):
    graph.to_layout("NCHW")
    attributes = dict(kernel_shape=spatial(config["pool_size"]), strides=spatial(config["strides"]),
                      pads=onnx_pads(layer["padding"]))
    if layer["class_name"] == "AveragePooling2D":
        # Keras averages over the cells inside the image only.
        graph.add("AveragePool", [], layer["name"], count_include_pad=0, **attributes)
    else:
        graph.add("MaxPool", [], layer["name"], **attributes)


def global_pooling(graph, layer, config):
    graph.to_layout("NCHW")
    op = "GlobalAveragePool" if layer["class_name"] == "GlobalAveragePooling2D" else "GlobalMaxPool"
    graph.add(op, [], layer["name"])
    if not config["keepdims"]:
        graph.add("Flatten", [], f"{layer['name']}_flatten", axis=1)
        graph.layout = "flat"


def zero_padding(graph, layer, config):
    graph.to_layout("NCHW")
    p = layer["padding"]
    pads = graph.constant(f"{layer['name']}.pads", np.array([0, 0, p["top"], p["left"], 0, 0, p["bottom"], p["right"]], np.int64))
    graph.add("Pad", [pads], layer["name"])


def flatten(graph, layer, config):
    graph.to_layout("NHWC")
    graph.add("Flatten", [], layer["name"], axis=1)
    graph.layout = "flat"


def dense(graph, layer, config):
    name = layer["name"]
    kernel = graph.constant(f"{name}.kernel", graph.weights[f"{name}.kernel"])
    bias = [graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else []
    if graph.layout == "flat":
        graph.add("Gemm", [kernel, *bias], name)
    else:  # On an image Keras's Dense acts on the channel axis, the last in NHWC.
        graph.to_layout("NHWC")
        graph.add("MatMul", [kernel], name)
        if bias:
            graph.add("Add", bias, f"{name}_bias")
    graph.activation(config["activation"], f"{name}_activation")


def batch_normalization(graph, layer, config):
    graph.to_layout("NCHW")
    name, channels = layer["name"], layer["input_shape"][-1]
    defaults = {"gamma": np.ones(channels, np.float32), "beta": np.zeros(channels, np.float32)}
    inputs = [graph.constant(f"{name}.{tensor}", graph.weights.get(f"{name}.{tensor}", defaults.get(tensor)))
              for tensor in ("gamma", "beta", "moving_mean", "moving_variance")]
    graph.add("BatchNormalization", inputs, name, epsilon=config["epsilon"])


def relu_layer(graph, layer, config):
    """Keras's ReLU: slope * (x - threshold) below the threshold, x above, capped at max_value."""
    name, slope, threshold = layer["name"], config.get("negative_slope", 0), config.get("threshold", 0)
    if threshold == 0 and slope == 0:
        graph.add("Relu", [], name)
    elif threshold == 0:
        graph.add("LeakyRelu", [], name, alpha=float(slope))
    else:
        x, limit = graph.tensor, graph.constant(f"{name}.threshold", np.float32(threshold))
        above = graph.node("GreaterOrEqual", [x, limit], f"{name}_above")
        shifted = graph.node("Sub", [x, limit], f"{name}_shifted")
        scaled = graph.node("Mul", [shifted, graph.constant(f"{name}.slope", np.float32(slope))], f"{name}_scaled")
        graph.tensor = graph.node("Where", [above, x, scaled], name)
    if config.get("max_value") is not None:
        graph.add("Min", [graph.constant(f"{name}.max_value", np.float32(config["max_value"]))], f"{name}_cap")


def merge(graph, layer, config):
    """Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate."""
    reads, kind = layer["reads"], layer["class_name"]
    images = all(graph.tensors[name][1] in ("NHWC", "NCHW") for name in reads)
    layout = "NCHW" if images else "NHWC"
    tensors = [graph.in_layout(name, layout) for name in reads]
    if not images:
        # Keras gives a tensor of lower rank axes of size 1 after the batch axis.
        ranks = [len(shape) for shape in layer["input_shapes"]]
        for position, rank in enumerate(ranks):
            missing = max(ranks) - rank
            if missing:
                axes = graph.constant(f"{layer['name']}.axes", np.arange(1, 1 + missing, dtype=np.int64))
                tensors[position] = graph.node("Unsqueeze", [tensors[position], axes], f"{layer['name']}_unsqueeze")
    if kind == "Concatenate":
        rank = len(layer["output_shape"])
        axis = config["axis"] % (rank + 1)  # Keras's axis of the batched tensor
        if images:
            axis = {1: 2, 2: 3, 3: 1}[axis]  # height, width, channels in NCHW
        graph.tensor = graph.node("Concat", tensors, layer["name"], axis=axis)
    elif kind in ("Subtract", "Multiply"):
        op = "Sub" if kind == "Subtract" else "Mul"
        result = tensors[0]
        for other in tensors[1:]:
            result = graph.node(op, [result, other], layer["name"])
        graph.tensor = result
    else:
        op = {"Add": "Sum", "Average": "Mean", "Maximum": "Max", "Minimum": "Min"}[kind]
        graph.tensor = graph.node(op, tensors, layer["name"])
    graph.layout = layout if images or len(layer["output_shape"]) == 3 else "flat"


BUILDERS = {
    "Conv2D": conv2d,
    "DepthwiseConv2D": depthwise_conv2d,
    "SeparableConv2D": separable_conv2d,
    "MaxPooling2D": pooling,
    "AveragePooling2D": pooling,
    "GlobalAveragePooling2D": global_pooling,
    "GlobalMaxPooling2D": global_pooling,
    "ZeroPadding2D": zero_padding,
    "Flatten": flatten,
    "Dense": dense,
    "BatchNormalization": batch_normalization,
    "ReLU": relu_layer,
    "Activation": lambda graph, layer, config: graph.activation(config["activation"], layer["name"]),
    "Softmax": lambda graph, layer, config: graph.activation("softmax", layer["name"]),
    **{kind: merge for kind in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")},
}


def build_model(summary, weights):
    """An onnx.ModelProto computing the checked model with these weights."""
    if len(summary["inputs"]) != 1 or len(summary["outputs"]) != 1:
        raise UnsupportedLayer("a model of several inputs or outputs")
    graph = GraphBuilder(summary, weights)
    for layer in summary["layers"]:
        kind = layer["class_name"]
        graph.read(layer["reads"][0])
        if kind not in IDENTITY_LAYERS:
            if kind not in BUILDERS:
                raise UnsupportedLayer(f"{layer['name']} ({kind}) has no ONNX translation in Benchmarks/peer/onnx_graph.py")
            BUILDERS[kind](graph, layer, layer["config"])
        graph.tensors[layer["name"]] = (graph.tensor, graph.layout)
    graph.read(summary["outputs"][0])
    graph.to_layout("NHWC")
    graph.nodes.append(helper.make_node("Identity", [graph.tensor], ["output"]))
    input_info = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *summary["input_shape"]])
    output_info = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", *summary["output_shape"]])
    body = helper.make_graph(graph.nodes, summary["name"], [input_info], [output_info], graph.initializers)
    model = helper.make_model(body, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="cnnc-peer-benchmark")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model
