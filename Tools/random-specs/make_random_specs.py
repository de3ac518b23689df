#!/usr/bin/env python3
"""Writes small random cnnc specs for the generator's equivalence test.

Each spec is a random stack of the layers cnnc supports, with kernel sizes,
strides, paddings, dilations and channel counts that are and are not
multiples of the SIMD widths, on odd and even sizes. Shapes are tracked here
with Keras's rules so every spec is valid. Deterministic for a seed.

    python3 Tools/random-specs/make_random_specs.py --count 100 --seed 1 --out Tests/Fixtures/random
"""
import argparse
import math
import os
import random

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax"]


def window(n, k, s, d, padding):
    if padding == "same":
        return (n - 1) // s + 1
    span = d * (k - 1) + 1
    return (n - span) // s + 1 if span <= n else 0


def conv(rng, shape):
    h, w, c = shape
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    if rng.random() < 0.5:
        kw = kh
    dilated = rng.random() < 0.2
    sh, sw = (1, 1) if dilated else (rng.randint(1, 3), rng.randint(1, 3))
    d = 2 if dilated else 1
    padding = rng.choice(["valid", "same"])
    oh, ow = window(h, kh, sh, d, padding), window(w, kw, sw, d, padding)
    if oh <= 0 or ow <= 0:
        return None
    filters = rng.choice([1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 24, 33])
    args = {"filters": filters, "kernel_size": [kh, kw] if kh != kw else kh, "padding": padding}
    if (sh, sw) != (1, 1):
        args["strides"] = [sh, sw] if sh != sw else sh
    if dilated:
        args["dilation_rate"] = 2
    if rng.random() < 0.3:
        args["use_bias"] = False
    args["activation"] = rng.choice(ACTIVATIONS)
    return {"Conv2D": args}, (oh, ow, filters)


def pool(rng, shape):
    h, w, c = shape
    ph, pw = rng.randint(1, 3), rng.randint(1, 3)
    s = rng.randint(1, 3)
    padding = rng.choice(["valid", "same"])
    oh, ow = window(h, ph, s, 1, padding), window(w, pw, s, 1, padding)
    if oh <= 0 or ow <= 0:
        return None
    name = rng.choice(["MaxPooling2D", "AveragePooling2D"])
    return {name: {"pool_size": [ph, pw], "strides": s, "padding": padding}}, (oh, ow, c)


def image_layer(rng, shape):
    h, w, c = shape
    choice = rng.random()
    if choice < 0.4:
        return conv(rng, shape)
    if choice < 0.6:
        return pool(rng, shape)
    if choice < 0.67:
        pads = [[rng.randint(0, 2), rng.randint(0, 2)], [rng.randint(0, 2), rng.randint(0, 2)]]
        return {"ZeroPadding2D": {"padding": pads}}, (h + sum(pads[0]), w + sum(pads[1]), c)
    if choice < 0.74:
        kind = rng.choice(["GlobalAveragePooling2D", "GlobalMaxPooling2D"])
        return {kind: {}}, (c,)
    if choice < 0.8:
        return {"Flatten": {}}, (h * w * c,)
    if choice < 0.86:
        units = rng.randint(1, 20)
        return {"Dense": {"units": units, "activation": rng.choice(ACTIVATIONS)}}, (h, w, units)
    return shape_preserving(rng, shape)


def shape_preserving(rng, shape):
    choice = rng.random()
    if choice < 0.3:
        args = {}
        if rng.random() < 0.3:
            args["center"] = False
        if rng.random() < 0.3:
            args["scale"] = False
        if rng.random() < 0.3:
            args["epsilon"] = 0.01
        return {"BatchNormalization": args}, shape
    if choice < 0.5:
        args = rng.choice([{}, {"max_value": 0.5}, {"negative_slope": 0.1}, {"threshold": 0.2, "negative_slope": 0.05}])
        return {"ReLU": args}, shape
    if choice < 0.7:
        return {"Activation": {"activation": rng.choice(ACTIVATIONS)}}, shape
    if choice < 0.85:
        return {"Softmax": {}}, shape
    return {"Dropout": {"rate": 0.25}}, shape


def vector_layer(rng, shape):
    if rng.random() < 0.6:
        units = rng.choice([1, 2, 3, 5, 8, 10, 13, 16, 17, 31, 32, 40, 65])
        args = {"units": units, "activation": rng.choice(ACTIVATIONS)}
        if rng.random() < 0.2:
            args["use_bias"] = False
        return {"Dense": args}, (units,)
    return shape_preserving(rng, shape)


def flow(value):
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def random_spec(rng):
    if rng.random() < 0.15:
        shape = (rng.randint(1, 40),)
    else:
        shape = (rng.randint(1, 12), rng.randint(1, 12), rng.choice([1, 2, 3, 4, 5, 8, 16]))
    input_shape = list(shape)
    layers = []
    while len(layers) < rng.randint(1, 6) or not layers:
        made = image_layer(rng, shape) if len(shape) == 3 else vector_layer(rng, shape)
        if made is None:
            continue
        layer, shape = made
        layers.append(layer)
    return input_shape, layers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="Tests/Fixtures/random")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    os.makedirs(options.out, exist_ok=True)
    for index in range(options.count):
        input_shape, layers = random_spec(rng)
        lines = [f"# Random spec {index} (Tools/random-specs/make_random_specs.py --seed {options.seed}).",
                 f"name: random_{index:03d}", f"input_shape: {flow(input_shape)}", "layers:"]
        lines += [f"  - {flow(layer)[1:-1]}" for layer in layers]
        with open(os.path.join(options.out, f"random_{index:03d}.yaml"), "w") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
