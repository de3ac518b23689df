#!/usr/bin/env python3
"""Make numeric output fixtures for cnnc from real Keras 3 (JAX backend, CPU).

Run from the repository root (Tools/keras-fixtures/run.sh --outputs does this):

    KERAS_BACKEND=jax python Tools/keras-fixtures/make_output_fixtures.py

For every spec in Specs/*.yaml and Tests/Fixtures/specs/*.yaml except
long_names.yaml (stem = file name without .yaml) the model is built exactly as
make_fixtures.py builds it, given weights, run in inference mode, and written
to Tests/Fixtures/keras/outputs/<stem>/:

  weights.safetensors  the weights, written by Tools/keras-export's exporter
                       (tensor "<layer>.<weight>", float32, Keras layouts).
  input.npy            float32 (N, *input_shape), N = 3, uniform [0, 1).
  output.npy           float32, model.predict(input, verbose=0).
  reference.safetensors  every layer's output for the same input (the first
                       sample only above REFERENCE_BYTES_FOR_ALL_SAMPLES; tensor =
                       Keras layer name, float32 (N, ...), plus "__input__"),
                       inference mode, written by the exporter's --reference
                       code (what `cnnc verify` reads).

Weights and input come from numpy.random.default_rng(zlib.crc32(stem)),
drawn in this order: for each layer in model order, for each weight in
layer.weights order, rng.uniform(lo, hi, shape) (float64, then cast to
float32), with

  kernel           (-L, L), L = sqrt(6 / (fan_in + fan_out)); Conv2D
                   fan_in = kh*kw*cin, fan_out = kh*kw*cout; Dense in, out
  bias             (-0.5, 0.5)
  gamma            (0.5, 1.5)
  beta             (-0.5, 0.5)
  moving_mean      (-0.5, 0.5)
  moving_variance  (0.5, 2.0)
  mean             (-0.5, 0.5)   Normalization
  variance         (0.5, 2.0)    Normalization
  alpha            (0.05, 0.5)   PReLU
  count            1000, not drawn (only adapt() reads it)

and then the input, rng.uniform(0, 1, (N, *input_shape)) cast to float32.

cats_vs_dogs (5.6M parameters) is the exception: no weights.safetensors; N = 1 (the input still from its seeded rng, drawn first); its
weights follow the integer formula in cats_vs_dogs/weights.formula.txt (see
formula_weights below), so a test can recompute them.

Checks, all fatal: every weights.safetensors read back with
safetensors.numpy.load_file into a freshly built model gives bit-identical
predictions; the last layer of reference.safetensors matches output.npy; and a few
numpy re-implementations (BatchNormalization in inference, ReLU with
max_value/negative_slope/threshold, 'same' pooling) agree with Keras, with
the fixtures chosen so that the wrong alternatives would visibly differ.
"""

import datetime
import math
import os
import platform
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "keras-export"))

import numpy as np  # noqa: E402

import export_keras_model as exporter  # noqa: E402
import make_fixtures  # noqa: E402

OUT = Path("Tests/Fixtures/keras/outputs")
SKIP = {"long_names"}
BIG = {"cats_vs_dogs", "zero_padded_valid", "weights_in_panels"}  # formula weights, N = 1, no weights.safetensors
BATCH = 3
# Above this many bytes of layer outputs per sample, reference.safetensors
# keeps the first sample only, so deep zoo models (resnet20_cifar, 2.7 MB per
# sample) do not triple the repository's size; input.npy and output.npy keep N.
REFERENCE_BYTES_FOR_ALL_SAMPLES = 2 << 20

UNIFORM = {
    "bias": (-0.5, 0.5),
    "gamma": (0.5, 1.5),
    "beta": (-0.5, 0.5),
    "moving_mean": (-0.5, 0.5),
    "moving_variance": (0.5, 2.0),
    "mean": (-0.5, 0.5),
    "variance": (0.5, 2.0),
    # PReLU's slopes below 0: away from 0 (a dead slope) and from 1 (no kink).
    "alpha": (0.05, 0.5),
}
# Normalization's count only matters to adapt(): a fixed number, no draw.
NORMALIZATION_COUNT = 1000

FORMULA_TEXT = """\
{stem} weights (no weights.safetensors: {parameters} parameters, {megabytes} MB).

Tensors in model order, t = 0, 1, 2, ...; each layer's kernel then its bias:
{table}(Conv2D kernel layout (kh, kw, cin, cout), Dense kernel (in, out).)

For element i = the flat index in that Keras layout, C order (last axis fastest):
  h = (i * 2654435761 + (t + 1) * 97531) mod 4294967296   exact integers
  u = h / 4294967296.0                                     float64, exact
  value = float32((u - 0.5) * 2.0 * s)                     float64 arithmetic,
                                                           one rounding to float32
  s = sqrt(6.0 / (fan_in + fan_out))   (float64) for kernels:
        Conv2D fan_in = kh*kw*cin, fan_out = kh*kw*cout; Dense fan_in = in, fan_out = out;
        DepthwiseConv2D (kh, kw, cin, m) and SeparableConv2D's two kernels as
        Keras counts any 4-D kernel: kh*kw*cin, kh*kw*m; Conv2DTranspose
        (kh, kw, filters, cin) likewise: kh*kw*filters, kh*kw*cin
  s = 0.1 for biases.

input.npy (N = 1), output.npy and reference.safetensors are as for the other fixtures.
"""


def stem_seed(stem):
    return zlib.crc32(stem.encode("utf-8"))


def fans(layer, shape):
    cls = type(layer).__name__
    if cls in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"):
        kh, kw, cin, cout = shape
        return kh * kw * cin, kh * kw * cout
    if cls == "Conv1D":
        k, cin, cout = shape
        return k * cin, k * cout
    if cls == "Dense":
        return shape[0], shape[1]
    raise ValueError(f"no fans for {cls}")


def random_weights(model, rng):
    """Set every layer's weights from rng (the order the module docstring gives)."""
    for layer in exporter.flat_layers(model):
        pairs = exporter.layer_weight_names(layer)
        if not pairs:
            continue
        values = []
        for name, v in pairs:
            short = name.rsplit(".", 1)[1]
            shape = tuple(v.shape)
            if short == "count":
                values.append(np.array(NORMALIZATION_COUNT, dtype=v.dtype))
                continue
            if short in ("kernel", "depthwise_kernel", "pointwise_kernel"):
                fan_in, fan_out = fans(layer, shape)
                lim = np.sqrt(6.0 / (fan_in + fan_out))
                lo, hi = -lim, lim
            else:
                lo, hi = UNIFORM[short]
            values.append(rng.uniform(lo, hi, shape).astype(np.float32))
        exporter.set_layer_weights(layer, values)


def formula_tensor(t, shape, scale):
    i = np.arange(int(np.prod(shape)), dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64((t + 1) * 97531)) % np.uint64(4294967296)
    u = h.astype(np.float64) / 4294967296.0
    return ((u - 0.5) * 2.0 * scale).astype(np.float32).reshape(shape)


def formula_weights(model):
    """Set weights from the integer formula of FORMULA_TEXT; returns them in order."""
    t = 0
    out = []
    for layer in model.layers:
        pairs = exporter.layer_weight_names(layer)
        if not pairs:
            continue
        if type(layer).__name__ not in ("Conv2D", "Dense"):
            raise ValueError(f"formula weights: unexpected layer {layer.name}")
        values = []
        for name, v in pairs:
            shape = tuple(v.shape)
            if name.endswith(".kernel"):
                fan_in, fan_out = fans(layer, shape)
                s = float(np.sqrt(6.0 / (fan_in + fan_out)))
            else:
                s = 0.1
            values.append(formula_tensor(t, shape, s))
            out.append((name, values[-1]))
            t += 1
        layer.set_weights(values)
    return out


def safetensors_content(path):
    from safetensors import safe_open
    from safetensors.numpy import load_file

    with safe_open(str(path), "np") as f:
        meta = f.metadata()
    return meta, load_file(str(path))


def keep_or_replace(new, old):
    """Move new over old unless old holds the same tensors and metadata: the
    safetensors writer orders the metadata keys at random (a Rust HashMap), so
    rewriting an unchanged file would change its bytes."""
    if old.is_file():
        (m1, t1), (m2, t2) = safetensors_content(new), safetensors_content(old)
        if m1 == m2 and t1.keys() == t2.keys() and all(bits_equal(t1[k], t2[k]) for k in t1):
            return
    shutil.copyfile(new, old)


def bits_equal(a, b):
    a = np.ascontiguousarray(a, dtype="<f4")
    b = np.ascontiguousarray(b, dtype="<f4")
    return a.shape == b.shape and np.array_equal(a.view("<u4"), b.view("<u4"))


# --------------------------------------------------------------------------
# numpy re-implementations, to check that the fixtures show what they claim.
# --------------------------------------------------------------------------


def same_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2


def np_pool(x, pool, strides, padding, kind, *, count_pads=False, pad_value=None):
    """2-D pooling of x (N, H, W, C).  'same' pads as TensorFlow (extra on the
    bottom/right).  Keras: average divides by the cells inside the image and max
    ignores padding; count_pads=True / pad_value=0.0 give the wrong variants."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        oh, top, bottom = same_pads(h, ph, sh)
        ow, left, right = same_pads(w, pw, sw)
    else:
        oh, ow, top, bottom, left, right = (h - ph) // sh + 1, (w - pw) // sw + 1, 0, 0, 0, 0
    fill = np.nan if pad_value is None else pad_value
    xp = np.full((n, h + top + bottom, w + left + right, c), fill, dtype=np.float64)
    xp[:, top : top + h, left : left + w] = x
    out = np.empty((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, i * sh : i * sh + ph, j * sw : j * sw + pw]
            if kind == "max":
                out[:, i, j] = np.nanmax(win, axis=(1, 2))
            elif count_pads:
                out[:, i, j] = np.nansum(win, axis=(1, 2)) / (ph * pw)
            else:
                out[:, i, j] = np.nanmean(win, axis=(1, 2))
    return out


def np_relu(x, max_value, negative_slope, threshold):
    """Keras 3's ReLU.static_call, element by element."""
    x = x.astype(np.float64)
    y = np.where(x > threshold, x, 0.0) if threshold != 0 else np.maximum(x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    if negative_slope != 0:
        y = y - negative_slope * np.maximum(threshold - x, 0.0)
    return y


# Keras 3's activations as the README of cnnc's Activation enum writes them
# (jax.nn's formulas), checked against what Keras computes.
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
NP_ACTIVATIONS = {
    "silu": lambda x: x / (1 + np.exp(-x)),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "relu6": lambda x: np.clip(x, 0, 6),
    "gelu": lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))),
    "softplus": lambda x: np.logaddexp(x, 0),
    "softsign": lambda x: x / (np.abs(x) + 1),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "mish": lambda x: x * np.tanh(np.logaddexp(x, 0)),
    "exponential": np.exp,
}

# activations_more: the piecewise activations must see every piece, in an Activation layer.
PIECES = {"hard_sigmoid": (-3, 3), "hard_silu": (-3, 3), "relu6": (0, 6)}


def check_activation_pieces(model, acts, x):
    """Fatal unless each of PIECES sees inputs below, between and above its corners."""
    seen = {name: [False, False, False] for name in PIECES}
    prev = x
    for layer in model.layers:
        name = getattr(getattr(layer, "activation", None), "__name__", None)
        if type(layer).__name__ == "Activation" and name in PIECES:
            low, high = PIECES[name]
            for i, mask in enumerate([prev < low, (prev > low) & (prev < high), prev > high]):
                seen[name][i] |= bool(mask.any())
        prev = acts[layer.name]
    assert all(all(v) for v in seen.values()), f"activations_more: a piece is never reached {seen}"


def check_semantics(stem, model, acts, x):
    """Fatal asserts that Keras computes what the README says, on this fixture
    (for chains: each layer reads the one before)."""
    prev = x
    for layer in model.layers:
        cls = type(layer).__name__
        y = acts[layer.name]
        if cls == "BatchNormalization":
            w = {n.rsplit(".", 1)[1]: v.numpy() for n, v in exporter.layer_weight_names(layer)}
            g = w.get("gamma", 1.0)
            b = w.get("beta", 0.0)
            ref = g * (prev - w["moving_mean"]) / np.sqrt(w["moving_variance"] + layer.epsilon) + b
            assert np.allclose(y, ref, rtol=1e-5, atol=1e-5), f"{stem}/{layer.name}: BN formula"
        elif cls == "Normalization":
            if layer.input_mean is None:
                w = {n.rsplit(".", 1)[1]: v.numpy() for n, v in exporter.layer_weight_names(layer)}
                mean, var = w["mean"], w["variance"]
            else:
                mean, var = np.asarray(layer.input_mean), np.asarray(layer.input_variance)
            d = np.maximum(np.sqrt(var), 1e-7)
            ref = mean + prev * d if layer.invert else (prev - mean) / d
            assert np.allclose(y, ref, rtol=1e-5, atol=1e-5), f"{stem}/{layer.name}: Normalization formula"
        elif cls == "Rescaling":
            ref = prev * np.asarray(layer.scale) + np.asarray(layer.offset)
            assert np.allclose(y, ref, rtol=1e-6, atol=1e-6), f"{stem}/{layer.name}: Rescaling formula"
        elif cls == "ReLU":
            ref = np_relu(prev, layer.max_value, layer.negative_slope, layer.threshold)
            assert np.allclose(y, ref, rtol=1e-6, atol=1e-6), f"{stem}/{layer.name}: ReLU formula"
            if stem == "activations":
                t = layer.threshold
                regimes = [prev < 0, prev > t]
                if t != 0:
                    regimes.append((prev >= 0) & (prev <= t))
                if layer.max_value is not None:
                    regimes += [(prev > t) & (prev < layer.max_value), prev > layer.max_value]
                counts = [int(r.sum()) for r in regimes]
                assert all(counts), f"{stem}/{layer.name}: an input regime is empty {counts}"
        elif cls == "Activation" and layer.activation.__name__ in NP_ACTIVATIONS:
            ref = NP_ACTIVATIONS[layer.activation.__name__](prev.astype(np.float64))
            assert np.allclose(y, ref, rtol=2e-6, atol=1e-7), f"{stem}/{layer.name}: {layer.activation.__name__} formula"
        elif cls == "LeakyReLU":
            ref = np.where(prev >= 0, prev, layer.negative_slope * prev)
            assert np.allclose(y, ref, rtol=1e-6, atol=1e-7), f"{stem}/{layer.name}: LeakyReLU formula"
        elif cls == "ELU":
            ref = np.where(prev > 0, prev, layer.alpha * np.expm1(np.minimum(prev, 0).astype(np.float64)))
            assert np.allclose(y, ref, rtol=2e-6, atol=1e-7), f"{stem}/{layer.name}: ELU formula"
        elif cls in ("MaxPooling2D", "AveragePooling2D"):
            kind = "max" if cls == "MaxPooling2D" else "avg"
            args = (prev, layer.pool_size, layer.strides, layer.padding, kind)
            ref = np_pool(*args)
            assert np.allclose(y, ref, rtol=1e-5, atol=1e-6), f"{stem}/{layer.name}: pooling"
            if stem == "pooling_same_odd" and layer.padding == "same":
                wrong = np_pool(*args, count_pads=True) if kind == "avg" else np_pool(*args, pad_value=0.0)
                diff = float(np.max(np.abs(wrong - y)))
                assert diff > 1e-3, f"{stem}/{layer.name}: zero-padding variant not distinguished"
        prev = y
    if stem == "activations_more":
        check_activation_pieces(model, acts, x)


# --------------------------------------------------------------------------


def versions_text():
    import importlib.metadata as md

    v = md.version
    return "".join(
        f"{line}\n"
        for line in [
            f"python {platform.python_version()}",
            f"keras {v('keras')}",
            f"jax {v('jax')}",
            f"jaxlib {v('jaxlib')}",
            f"numpy {v('numpy')}",
            f"safetensors {v('safetensors')}",
            f"pyyaml {v('PyYAML')}",
            "backend jax (KERAS_BACKEND=jax), CPU, float32, inference mode (model.predict)",
            f"date {datetime.date.today().isoformat()}",
            "seed numpy.random.default_rng(zlib.crc32(stem)); weights then input",
            "made by Tools/keras-fixtures/make_output_fixtures.py",
        ]
    )


def make_one(path, stem):
    import keras

    spec = make_fixtures.load_spec(path)
    model = make_fixtures.build_model(spec)
    rng = np.random.default_rng(stem_seed(stem))
    folder = OUT / stem
    folder.mkdir(parents=True, exist_ok=True)
    source = f"{path.as_posix()}, seeded uniform weights (rng seed crc32({stem!r}) = {stem_seed(stem)})"

    big = stem in BIG
    if big:
        source = f"{path.as_posix()}, weights by formula (weights.formula.txt)"
        formula_weights(model)
    else:
        random_weights(model, rng)
    n = 1 if big else BATCH
    # A model of several inputs or outputs: packed as cnnc's compiled models take and return them.
    xs = [rng.uniform(0.0, 1.0, (n, *tensor.shape[1:])).astype("<f4") for tensor in model.inputs]
    several = len(model.inputs) > 1 or len(model.outputs) > 1
    x = xs if several else xs[0]

    def predict(m):
        ys = m.predict(x, verbose=0)
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        return [np.asarray(y, dtype="<f4") for y in ys]

    ys = predict(model)
    y = exporter.packed(ys) if several else ys[0]
    np.save(folder / "input.npy", exporter.packed(xs) if several else x)
    np.save(folder / "output.npy", y)
    if several:
        np.savez(folder / "inputs.npz", **dict(zip(exporter.input_names(model), xs)))
        np.savez(folder / "outputs.npz", **dict(zip(exporter.output_names(model), ys)))

    # The exporter's code path, and its round trip into a fresh model.
    from safetensors.numpy import load_file

    with tempfile.TemporaryDirectory() as tmp:
        st = Path(tmp) / "weights.safetensors"
        exporter.write_weights(model, st, source)
        tensors = load_file(str(st))
        if not big:
            keep_or_replace(st, folder / "weights.safetensors")
    fresh = make_fixtures.build_model(spec)
    exporter.apply_weights(fresh, tensors)
    again = predict(fresh)
    assert all(bits_equal(a, b) for a, b in zip(again, ys)), f"{stem}: safetensors round trip changes the output"
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        assert bits_equal(a, b), f"{stem}: safetensors round trip changes a weight"

    if big:
        rows = [f"  t={t} {name} {tuple(v.shape)}\n" for t, (name, v) in enumerate(formula_weights(model))]
        parameters = model.count_params()
        text = (FORMULA_TEXT.replace("{stem}", stem).replace("{parameters}", f"{parameters:,}")
                .replace("{megabytes}", f"{parameters * 4 / 1e6:.0f}").replace("{table}", "".join(rows)))
        (folder / "weights.formula.txt").write_text(text, encoding="utf-8")
        (folder / "weights.safetensors").unlink(missing_ok=True)
        keras.backend.clear_session()
        check = make_fixtures.build_model(spec)
        formula_weights(check)
        for a, b in zip(model.get_weights(), check.get_weights()):
            assert bits_equal(a, b)
    # Every layer's output, through the exporter's --reference path.
    per_sample = sum(int(np.prod(layer.output.shape[1:])) for layer in model.layers) * 4
    samples = n if per_sample <= REFERENCE_BYTES_FOR_ALL_SAMPLES else 1
    acts = exporter.write_reference(model, [part[:samples] for part in xs] if several else x[:samples], folder / "reference.safetensors", source)
    (folder / "layers.npz").unlink(missing_ok=True)
    for name, output in zip(exporter.output_names(model), ys):
        assert np.allclose(acts[name], output[:samples], rtol=1e-6, atol=1e-7), f"{stem}: reference layer {name} != its output"
    if not big and not make_fixtures.is_graph(spec):
        check_semantics(stem, model, acts, x[:samples])
    return (exporter.packed(xs).shape if several else x.shape), y.shape


def main():
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--only", action="append", metavar="STEM", help="refresh only this spec (repeatable); VERSIONS.txt stays")
    only = ap.parse_args().only
    root = Path.cwd()
    if not (root / "Specs").is_dir():
        raise SystemExit("run from the repository root (no Specs/ here)")
    specs = sorted(p.relative_to(root) for d in make_fixtures.SPEC_DIRS for p in (root / d).glob("*.yaml"))
    for path in specs:
        stem = make_fixtures.spec_stem(path)
        if stem in SKIP or (only and stem not in only):
            continue
        xs, ys = make_one(path, stem)
        print(f"{path}: input {xs} -> output {ys}", file=sys.stderr)
    if not only:
        (OUT / "VERSIONS.txt").write_text(versions_text(), encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
