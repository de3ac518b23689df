"""The same network as an ONNX graph, built from `cnnc summary --format json`.

The graph takes and returns Keras's channels-last tensors (N, H, W, C), or
(N, W, C) for a sequence, as cnnc does. Convolutions and pooling run in
ONNX's NCHW (NCW for a sequence: the 1D layers are ONNX's operators over one
spatial axis), so the builder tracks the current layout and inserts a
Transpose only where an operator needs the other one: before the first
convolution, and back to channels-last before Flatten and Reshape (Keras
reads the values in NHWC order), before a Dense on an image, before
LayerNormalization (ONNX's normalizes from an axis to the last) and at the
end. Permute is one Transpose from whatever layout the tensor is in. Layers
acting per channel (Rescaling, Normalization, PReLU) take their constants
shaped for the current layout instead of moving the tensor. 'same' padding is
written out as the explicit amounts the checked model resolved (TensorFlow's
rule: the odd extra row or column at the bottom/right), never as ONNX's
auto_pad.

Graphs (Functional models) are built tensor by tensor: each layer reads the
tensors the summary's `reads` names, in whatever layout each was left. A
merge of images or sequences runs channels-first; one involving a vector
runs in Keras's layout, where ONNX broadcasts exactly as Keras does.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # what onnxruntime 1.32 and onnx 1.23 agree on without warnings

TO_NCHW, TO_NHWC, SWAP_LAST_TWO = [0, 3, 1, 2], [0, 2, 3, 1], [0, 2, 1]
# The layouts of images and sequences, Keras's channels-last ones and ONNX's
# channels-first ones: each one's counterpart, and the Transpose to it.
LAYOUTS = {"NHWC": ("NCHW", TO_NCHW), "NCHW": ("NHWC", TO_NHWC), "NWC": ("NCW", SWAP_LAST_TWO), "NCW": ("NWC", SWAP_LAST_TWO)}
CHANNELS_FIRST = {"NCHW", "NCW"}
# Keras's layout of an input by the rank of one sample; any other is "flat" (a vector).
KERAS_LAYOUTS = {3: "NHWC", 2: "NWC"}
# Layers that compute nothing at inference (cnnc compiles them as identity).
IDENTITY_LAYERS = {"Dropout", "GaussianNoise", "GaussianDropout", "SpatialDropout2D", "ActivityRegularization"}

# Keras's activations that are one ONNX operator with Keras's constants: HardSigmoid with alpha 1/6 and
# beta 1/2 is Keras 3's relu6(x + 3)/6 (not Keras 2's 0.2x + 0.5), leaky_relu has the function's slope
# 0.2 (the LeakyReLU layer's 0.3 is its own config), selu JAX's alpha and scale.
ACTIVATIONS = {
    "relu": ("Relu", {}), "sigmoid": ("Sigmoid", {}), "tanh": ("Tanh", {}), "exponential": ("Exp", {}),
    "elu": ("Elu", {"alpha": 1.0}), "softplus": ("Softplus", {}), "softsign": ("Softsign", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": 0.2}), "hard_sigmoid": ("HardSigmoid", {"alpha": 1 / 6, "beta": 0.5}),
    "hard_silu": ("HardSwish", {}), "hard_swish": ("HardSwish", {}),
    "selu": ("Selu", {"alpha": 1.6732632423543772, "gamma": 1.0507009873554805}),
}


class UnsupportedLayer(Exception):
    pass


class GraphBuilder:
    def __init__(self, summary, weights):
        self.weights = weights
        self.nodes, self.initializers = [], []
        self.tensor = "input"
        self.layout = KERAS_LAYOUTS.get(len(summary["input_shape"]), "flat")
        self.count = 0
        # Every tensor of the model by its Keras name: (ONNX name, layout).
        self.tensors = {summary["inputs"][0]["name"]: (self.tensor, self.layout)}

    def read(self, name):
        """Makes the tensor called `name` the current one."""
        self.tensor, self.layout = self.tensors[name]

    def arranged(self, tensor, layout, channels_first):
        """`tensor` (in `layout`) with its channels first or last, transposed if needed, and its layout then.
        A vector ("flat") has no channel axis to move."""
        if layout not in LAYOUTS or (layout in CHANNELS_FIRST) == channels_first:
            return tensor, layout
        target, perm = LAYOUTS[layout]
        return self.node("Transpose", [tensor], f"to_{target.lower()}", perm=perm), target

    def in_layout(self, name, channels_first):
        """The ONNX name of tensor `name` with its channels first or last (not made current)."""
        return self.arranged(*self.tensors[name], channels_first)[0]

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

    def channels_first(self):
        """The current tensor in ONNX's layout (NCHW or NCW), where its convolutions and pooling run."""
        self.tensor, self.layout = self.arranged(self.tensor, self.layout, True)

    def channels_last(self):
        """The current tensor in Keras's layout (NHWC or NWC)."""
        self.tensor, self.layout = self.arranged(self.tensor, self.layout, False)

    def channel_axis(self):
        return 1 if self.layout in CHANNELS_FIRST else -1

    def activation(self, name, hint):
        """Keras's activation `name` on the current tensor, in any layout (softmax and log_softmax
        run over the channel axis, Keras's last)."""
        x = self.tensor
        if name in (None, "linear"):
            return
        if name in ("softmax", "log_softmax"):
            self.add("Softmax" if name == "softmax" else "LogSoftmax", [], hint, axis=self.channel_axis())
        elif name in ("silu", "swish"):  # x * sigmoid(x); ONNX has no Swish operator before opset 24
            self.add("Mul", [self.node("Sigmoid", [x], f"{hint}_sigmoid")], hint)
        elif name == "gelu":  # the exact x/2 * (1 + erf(x/sqrt(2))), as Keras's default; ONNX's Gelu is opset 20
            scaled = self.node("Mul", [x, self.constant(f"{hint}.rsqrt2", np.float32(np.sqrt(0.5)))], f"{hint}_scaled")
            erf = self.node("Erf", [scaled], f"{hint}_erf")
            erf_plus_one = self.node("Add", [erf, self.constant(f"{hint}.one", np.float32(1))], f"{hint}_erf_plus_one")
            half = self.node("Mul", [x, self.constant(f"{hint}.half", np.float32(0.5))], f"{hint}_half")
            self.tensor = self.node("Mul", [half, erf_plus_one], hint)
        elif name == "mish":  # x * tanh(softplus(x)); ONNX's Mish is opset 18
            self.add("Mul", [self.node("Tanh", [self.node("Softplus", [x], f"{hint}_softplus")], f"{hint}_tanh")], hint)
        elif name == "relu6":
            self.add("Clip", [self.constant(f"{hint}.min", np.float32(0)), self.constant(f"{hint}.max", np.float32(6))], hint)
        elif name in ACTIVATIONS:
            op, attributes = ACTIVATIONS[name]
            self.add(op, [], hint, **attributes)
        else:
            raise UnsupportedLayer(f"activation '{name}'")


def spatial(value):
    """ONNX's per-axis list: [height, width] from a 2D layer's pair, [steps] from a 1D layer's one number."""
    return [value["height"], value["width"]] if isinstance(value, dict) else [value]


def is_sequence(layer):
    return len(layer["input_shape"]) == 2


def onnx_pads(layer):
    """ONNX's [top, left, bottom, right] (or [left, right] over a sequence's steps) from the checked model's amounts."""
    padding = layer["padding"]
    if is_sequence(layer):
        return [padding["left"], padding["right"]]
    return [padding["top"], padding["left"], padding["bottom"], padding["right"]]


def conv(graph, layer, config):
    """Conv2D, and Conv1D as the same Conv over NCW (causal padding is already all on the left); a Conv2D of
    several groups (ConvNeXt's depthwise one) as ONNX's grouped Conv, output channels in the same order."""
    graph.channels_first()
    name = layer["name"]
    # Keras's (kh, kw, cin/groups, cout) or (k, cin, cout) is ONNX's (cout, cin/groups, kh, kw) or (cout, cin, k).
    kernel = graph.constant(f"{name}.kernel", np.moveaxis(graph.weights[f"{name}.kernel"], [-1, -2], [0, 1]))
    inputs = [kernel] + ([graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else [])
    graph.add("Conv", inputs, name, kernel_shape=spatial(config["kernel_size"]), strides=spatial(config["strides"]),
              dilations=spatial(config["dilation_rate"]), pads=onnx_pads(layer), group=config.get("groups", 1))
    graph.activation(config["activation"], f"{name}_activation")


def transposed_pads(layer, config):
    """ONNX's pads and output_padding of a Conv2DTranspose, per axis. ONNX's output is the full scatter,
    (in - 1) * stride + dilated kernel, less the pads at each end; Keras's is its output size, so the pads
    are what it crops. 'valid' crops nothing at the start. 'same' crops half of the excess at the start,
    the odd one at the end, as TensorFlow's gradient of a 'same' Conv2D does (and Keras's JAX padding
    comes to the same). Where Keras's output_padding makes the output longer than the full scatter, the
    excess is ONNX's output_padding (cells no tap reaches: the bias alone)."""
    begins, ends, extra = [], [], []
    for axis, key in enumerate(("height", "width")):
        stride, dilated = config["strides"][key], (config["kernel_size"][key] - 1) * config["dilation_rate"][key] + 1
        full, wanted = (layer["input_shape"][axis] - 1) * stride + dilated, layer["output_shape"][axis]
        begin = max(full - wanted, 0) // 2 if config["padding"] == "same" else 0
        end = full - begin - wanted
        begins.append(begin)
        ends.append(max(end, 0))
        extra.append(max(-end, 0))
    return begins + ends, extra


def conv2d_transpose(graph, layer, config):
    """ConvTranspose; Keras's kernel (kh, kw, cout, cin) is ONNX's (cin, cout, kh, kw), not flipped: both
    scatter input cell i to outputs i * stride + tap * dilation."""
    graph.channels_first()
    name = layer["name"]
    kernel = graph.constant(f"{name}.kernel", graph.weights[f"{name}.kernel"].transpose(3, 2, 0, 1))
    inputs = [kernel] + ([graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else [])
    pads, output_padding = transposed_pads(layer, config)
    graph.add("ConvTranspose", inputs, name, kernel_shape=spatial(config["kernel_size"]), strides=spatial(config["strides"]),
              dilations=spatial(config["dilation_rate"]), pads=pads, output_padding=output_padding)
    graph.activation(config["activation"], f"{name}_activation")


def depthwise_conv2d(graph, layer, config):
    """A grouped Conv, one group per input channel: Keras's (kh, kw, cin, m)
    kernel becomes ONNX's (cin*m, 1, kh, kw), output channel c*m + j."""
    graph.channels_first()
    name, channels = layer["name"], layer["input_shape"][-1]
    kernel = graph.weights[f"{name}.kernel"]
    kh, kw, _, multiplier = kernel.shape
    weights = graph.constant(f"{name}.kernel", kernel.reshape(kh, kw, channels * multiplier).transpose(2, 0, 1)[:, None])
    inputs = [weights] + ([graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else [])
    graph.add("Conv", inputs, name, kernel_shape=spatial(config["kernel_size"]), strides=spatial(config["strides"]),
              dilations=spatial(config["dilation_rate"]), pads=onnx_pads(layer), group=channels)
    graph.activation(config["activation"], f"{name}_activation")


def separable_conv2d(graph, layer, config):
    """The depthwise Conv without bias, then a 1x1 Conv with the bias."""
    graph.channels_first()
    name, channels = layer["name"], layer["input_shape"][-1]
    kernel = graph.weights[f"{name}.depthwise_kernel"]
    kh, kw, _, multiplier = kernel.shape
    depthwise = graph.constant(f"{name}.depthwise_kernel", kernel.reshape(kh, kw, channels * multiplier).transpose(2, 0, 1)[:, None])
    graph.add("Conv", [depthwise], f"{name}_depthwise", kernel_shape=spatial(config["kernel_size"]), strides=spatial(config["strides"]),
              dilations=spatial(config["dilation_rate"]), pads=onnx_pads(layer), group=channels)
    pointwise = graph.constant(f"{name}.pointwise_kernel", graph.weights[f"{name}.pointwise_kernel"].transpose(3, 2, 0, 1))
    bias = [graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else []
    graph.add("Conv", [pointwise] + bias, name, kernel_shape=[1, 1])
    graph.activation(config["activation"], f"{name}_activation")


def pooling(graph, layer, config):
    """MaxPooling and AveragePooling, 2D over NCHW and 1D over NCW."""
    graph.channels_first()
    attributes = dict(kernel_shape=spatial(config["pool_size"]), strides=spatial(config["strides"]),
                      pads=onnx_pads(layer))
    if layer["class_name"].startswith("AveragePooling"):
        # Keras averages over the cells inside the image only.
        graph.add("AveragePool", [], layer["name"], count_include_pad=0, **attributes)
    else:
        graph.add("MaxPool", [], layer["name"], **attributes)


def global_pooling(graph, layer, config):
    graph.channels_first()
    op = "GlobalAveragePool" if layer["class_name"].startswith("GlobalAverage") else "GlobalMaxPool"
    graph.add(op, [], layer["name"])
    if not config["keepdims"]:
        graph.add("Flatten", [], f"{layer['name']}_flatten", axis=1)
        graph.layout = "flat"


def zero_padding(graph, layer, config):
    """ZeroPadding2D over NCHW, ZeroPadding1D over NCW: nothing added to the batch and channel axes."""
    graph.channels_first()
    amounts = onnx_pads(layer)
    begins, ends = amounts[:len(amounts) // 2], amounts[len(amounts) // 2:]
    pads = graph.constant(f"{layer['name']}.pads", np.array([0, 0, *begins, 0, 0, *ends], np.int64))
    graph.add("Pad", [pads], layer["name"])


def cropping(graph, layer, config):
    """Cropping2D and Cropping1D as a Slice of the spatial axes where they are in the current layout:
    cropping needs no particular one, so it adds no Transpose."""
    shape = layer["input_shape"]
    sizes = dict(zip("HW"[3 - len(shape):], shape[:-1]))  # {"H": height, "W": width}, or {"W": steps}
    cuts = {"H": (config.get("top", 0), config.get("bottom", 0)), "W": (config["left"], config["right"])}
    starts = [cuts[axis][0] for axis in sizes]
    ends = [sizes[axis] - cuts[axis][1] for axis in sizes]
    axes = [graph.layout.index(axis) for axis in sizes]
    graph.add("Slice", [graph.constant(f"{layer['name']}.starts", np.array(starts, np.int64)),
                        graph.constant(f"{layer['name']}.ends", np.array(ends, np.int64)),
                        graph.constant(f"{layer['name']}.axes", np.array(axes, np.int64))], layer["name"])


def upsampling(graph, layer, config):
    """UpSampling2D and UpSampling1D as a Resize over NCHW or NCW by the integer factors. Nearest reads
    input cell floor(i / factor) for output i ('asymmetric' coordinates, 'floor'): Keras's repeat. Keras's
    bilinear (tf.image.resize, jax.image.resize) takes output i from input position (i + 0.5) / factor - 0.5,
    clamped to the image at the edges: ONNX's 'linear' with 'half_pixel'."""
    graph.channels_first()
    factors = spatial(config["size"])
    scales = graph.constant(f"{layer['name']}.scales", np.array([1, 1, *factors], np.float32))
    if config.get("interpolation", "nearest") == "bilinear":
        graph.add("Resize", ["", scales], layer["name"], mode="linear", coordinate_transformation_mode="half_pixel")
    else:
        graph.add("Resize", ["", scales], layer["name"], mode="nearest", coordinate_transformation_mode="asymmetric",
                  nearest_mode="floor")


def flatten(graph, layer, config):
    graph.channels_last()
    graph.add("Flatten", [], layer["name"], axis=1)
    graph.layout = "flat"


def dense(graph, layer, config):
    name = layer["name"]
    kernel = graph.constant(f"{name}.kernel", graph.weights[f"{name}.kernel"])
    bias = [graph.constant(f"{name}.bias", graph.weights[f"{name}.bias"])] if config["use_bias"] else []
    if graph.layout == "flat":
        graph.add("Gemm", [kernel, *bias], name)
    else:  # On an image or a sequence Keras's Dense acts on the channel axis, the last in NHWC or NWC.
        graph.channels_last()
        graph.add("MatMul", [kernel], name)
        if bias:
            graph.add("Add", bias, f"{name}_bias")
    graph.activation(config["activation"], f"{name}_activation")


def batch_normalization(graph, layer, config):
    graph.channels_first()
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


def elu_layer(graph, layer, config):
    """The ELU layer, whose alpha (unlike the activation's) need not be 1."""
    graph.add("Elu", [], layer["name"], alpha=float(config["alpha"]))


def along_channels(graph, hint, values, per_channel):
    """A constant that broadcasts over the current tensor as Keras's (C,) or single value does over its
    last axis: (C,) when channels are last, (C, 1, 1) or (C, 1) when they come first; a single value
    is a scalar in any layout."""
    values = np.asarray(values, np.float32)
    if not per_channel:
        return graph.constant(hint, values.reshape(()))
    if graph.layout in CHANNELS_FIRST:
        values = values.reshape(-1, *[1] * (len(graph.layout) - 2))
    return graph.constant(hint, values)


def rescaling(graph, layer, config):
    """x * scale + offset, in Keras's order, each one value or one per channel."""
    name = layer["name"]
    graph.add("Mul", [along_channels(graph, f"{name}.scale", config["scale"], config["scale_is_list"])], f"{name}_scale")
    graph.add("Add", [along_channels(graph, f"{name}.offset", config["offset"], config["offset_is_list"])], name)


def layer_scale(graph, layer, config):
    """ConvNeXt's LayerScale: x * gamma, one factor a channel."""
    name = layer["name"]
    graph.add("Mul", [along_channels(graph, f"{name}.gamma", graph.weights[f"{name}.gamma"], True)], name)


def normalization(graph, layer, config):
    """Keras's Normalization layer: (x - mean) / d, or inverted mean + x * d, with d = max(sqrt(variance),
    1e-7) (Keras's epsilon() guards the division, it is not added to the variance). The statistics are the
    layer's weights, or the spec's constants (one per channel or one for all)."""
    name, constants = layer["name"], config.get("constants")
    if constants is None:
        mean, variance, per_channel = graph.weights[f"{name}.mean"], graph.weights[f"{name}.variance"], True
    else:
        mean, variance, per_channel = constants["mean"], constants["variance"], constants["is_list"]
    divisor = np.maximum(np.sqrt(np.asarray(variance, np.float32)), np.float32(1e-7))
    mean = along_channels(graph, f"{name}.mean", mean, per_channel)
    divisor = along_channels(graph, f"{name}.divisor", divisor, per_channel)
    if config["invert"]:
        graph.add("Mul", [divisor], f"{name}_scaled")
        graph.add("Add", [mean], name)
    else:
        graph.add("Sub", [mean], f"{name}_centred")
        graph.add("Div", [divisor], name)


def layer_normalization(graph, layer, config):
    """ONNX's LayerNormalization over the last axis, which is Keras's only with the channels last: a
    channels-first image is transposed back, since normalizing from axis 1 would take its rows and columns
    too. Keras adds epsilon to the variance, as ONNX does; a missing gamma is ones, a missing beta none."""
    graph.channels_last()
    name, channels = layer["name"], layer["input_shape"][-1]
    gamma = graph.weights.get(f"{name}.gamma", np.ones(channels, np.float32))
    beta = [graph.constant(f"{name}.beta", graph.weights[f"{name}.beta"])] if config["center"] else []
    graph.add("LayerNormalization", [graph.constant(f"{name}.gamma", gamma), *beta], name, axis=-1, epsilon=config["epsilon"])


def prelu(graph, layer, config):
    """ONNX's PRelu, whose slope broadcasts over the input from the right as Keras's alpha (the sample's
    shape, 1 along shared axes) does: over a channels-first tensor, alpha's channel axis moves first too."""
    name = layer["name"]
    alpha = graph.weights[f"{name}.alpha"]
    if graph.layout in CHANNELS_FIRST:
        alpha = np.moveaxis(alpha, -1, 0)
    graph.add("PRelu", [graph.constant(f"{name}.alpha", alpha)], name)


def keras_layout(rank):
    """The layout of a Keras tensor whose samples have `rank` axes, refused where the builder has none."""
    if rank == 1:
        return "flat"
    if rank not in KERAS_LAYOUTS:
        raise UnsupportedLayer(f"a tensor of rank {rank} per sample")
    return KERAS_LAYOUTS[rank]


def reshape(graph, layer, config):
    """Keras reshapes its channels-last values in order, so the tensor goes back to channels-last first.
    The shape is the checked model's output shape (its -1 resolved); ONNX's 0 keeps the batch size."""
    graph.channels_last()
    shape = graph.constant(f"{layer['name']}.shape", np.array([0, *layer["output_shape"]], np.int64))
    graph.add("Reshape", [shape], layer["name"])
    graph.layout = keras_layout(len(layer["output_shape"]))


def permute(graph, layer, config):
    """Keras's dims (sample axes, from 1) over the channels-last tensor, as one Transpose from whatever
    layout the tensor is in: composed with the Transpose that would first bring it back to channels-last."""
    to_keras = list(range(len(layer["input_shape"]) + 1))
    if graph.layout in CHANNELS_FIRST:
        to_keras = LAYOUTS[graph.layout][1]
    perm = [to_keras[axis] for axis in [0, *config["dims"]]]
    graph.add("Transpose", [], layer["name"], perm=perm)
    graph.layout = keras_layout(len(layer["output_shape"]))


def repeat_vector(graph, layer, config):
    """(N, F) to (N, n, F): an axis of 1 after the batch, broadcast n times by Expand."""
    name, features = layer["name"], layer["input_shape"][-1]
    graph.add("Unsqueeze", [graph.constant(f"{name}.axes", np.array([1], np.int64))], f"{name}_unsqueeze")
    graph.add("Expand", [graph.constant(f"{name}.shape", np.array([1, config["n"], features], np.int64))], name)
    graph.layout = "NWC"


def merge(graph, layer, config):
    """Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, CustomScaleLayer (InceptionResNetV2's
    x0 + x1 * scale). Arithmetic on a tensor and a number (Keras 3's `x + 3.0`, `x * (1 / 6)` in MobileNetV3's
    hard sigmoid) reads one tensor, and cnnc's summary gives it as x * scale + offset, as a Rescaling."""
    if "scale" in config and layer["class_name"] != "CustomScaleLayer":
        return rescaling(graph, layer, config)
    reads, kind, rank = layer["reads"], layer["class_name"], len(layer["output_shape"])
    images = all(graph.tensors[name][1] in LAYOUTS for name in reads)  # images or sequences
    tensors = [graph.in_layout(name, channels_first=images) for name in reads]
    if not images:
        # Keras gives a tensor of lower rank axes of size 1 after the batch axis.
        ranks = [len(shape) for shape in layer["input_shapes"]]
        for position, rank in enumerate(ranks):
            missing = max(ranks) - rank
            if missing:
                axes = graph.constant(f"{layer['name']}.axes", np.arange(1, 1 + missing, dtype=np.int64))
                tensors[position] = graph.node("Unsqueeze", [tensors[position], axes], f"{layer['name']}_unsqueeze")
    if kind == "Concatenate":
        axis = config["axis"] % (rank + 1)  # Keras's axis of the batched tensor
        if images:  # channels move to axis 1, the spatial axes one further: NCHW or NCW
            axis = 1 if axis == rank else axis + 1
        graph.tensor = graph.node("Concat", tensors, layer["name"], axis=axis)
    elif kind == "CustomScaleLayer":
        factor = graph.constant(f"{layer['name']}.scale", np.float32(config["scale"]))
        scaled = graph.node("Mul", [tensors[1], factor], f"{layer['name']}_scaled")
        graph.tensor = graph.node("Add", [tensors[0], scaled], layer["name"])
    elif kind in ("Subtract", "Multiply"):
        op = "Sub" if kind == "Subtract" else "Mul"
        result = tensors[0]
        for other in tensors[1:]:
            result = graph.node(op, [result, other], layer["name"])
        graph.tensor = result
    else:
        op = {"Add": "Sum", "Average": "Mean", "Maximum": "Max", "Minimum": "Min"}[kind]
        graph.tensor = graph.node(op, tensors, layer["name"])
    keras_layout = KERAS_LAYOUTS.get(rank, "flat")
    graph.layout = LAYOUTS[keras_layout][0] if images else keras_layout


BUILDERS = {
    "Conv2D": conv,
    "Conv1D": conv,
    "Conv2DTranspose": conv2d_transpose,
    "DepthwiseConv2D": depthwise_conv2d,
    "SeparableConv2D": separable_conv2d,
    **{kind: pooling for kind in ("MaxPooling2D", "AveragePooling2D", "MaxPooling1D", "AveragePooling1D")},
    **{kind: global_pooling for kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling1D")},
    "ZeroPadding2D": zero_padding,
    "ZeroPadding1D": zero_padding,
    "Cropping2D": cropping,
    "Cropping1D": cropping,
    "UpSampling2D": upsampling,
    "UpSampling1D": upsampling,
    "Flatten": flatten,
    "Dense": dense,
    "BatchNormalization": batch_normalization,
    "ReLU": relu_layer,
    "LeakyReLU": relu_layer,
    "ELU": elu_layer,
    "PReLU": prelu,
    "LayerNormalization": layer_normalization,
    "Normalization": normalization,
    "Rescaling": rescaling,
    "LayerScale": layer_scale,
    "Reshape": reshape,
    "Permute": permute,
    "RepeatVector": repeat_vector,
    "Activation": lambda graph, layer, config: graph.activation(config["activation"], layer["name"]),
    "Softmax": lambda graph, layer, config: graph.activation("softmax", layer["name"]),
    **{kind: merge for kind in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "CustomScaleLayer")},
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
    graph.channels_last()
    graph.nodes.append(helper.make_node("Identity", [graph.tensor], ["output"]))
    input_info = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *summary["input_shape"]])
    output_info = helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", *summary["output_shape"]])
    body = helper.make_graph(graph.nodes, summary["name"], [input_info], [output_info], graph.initializers)
    model = helper.make_model(body, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="cnnc-peer-benchmark")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model
