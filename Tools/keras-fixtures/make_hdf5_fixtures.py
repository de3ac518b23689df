#!/usr/bin/env python3
"""Writes the HDF5 fixtures that Tests/CNNCDataTests/HDF5 read, and the values they must contain.

Rerun from the repository root with the Keras environment (keras 3, h5py, numpy;
Tools/keras-fixtures/run.sh makes .venv-keras):

    KERAS_BACKEND=jax .venv-keras/bin/python Tools/keras-fixtures/make_hdf5_fixtures.py

It rewrites everything in Tests/Fixtures/hdf5. Values are seeded, so a rerun
with the same library versions gives the same values (HDF5 may still move bytes around;
the tests check values, never offsets).
"""

import json
import os
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "Fixtures", "hdf5")


def path(name):
    return os.path.join(OUT, name)


def write_json(name, value):
    with open(path(name), "w") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write("\n")


def float_list(array):
    """Exact decimal for float32/float64 values: Python floats round-trip through JSON."""
    return [float(v) for v in np.asarray(array).reshape(-1)]


def dump_h5_values(file_name):
    """Every dataset's shape, dtype and values, and every string attribute, as h5py reads them."""
    datasets, attributes = {}, {}
    with h5py.File(path(file_name), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                datasets[name] = {
                    "shape": list(obj.shape),
                    "dtype": obj.dtype.str,
                    "values": float_list(obj[()]),
                }
            for key, value in obj.attrs.items():
                if isinstance(value, (bytes, str)):
                    attributes.setdefault(name, {})[key] = value.decode() if isinstance(value, bytes) else value
        f.visititems(visit)
    return datasets, attributes


def keras3_functional():
    """A Keras 3 Functional model with Conv2D, BatchNormalization and Dense, saved both with
    save_weights and inside a .keras archive (whose model.weights.h5 is extracted)."""
    import keras

    keras.utils.set_random_seed(7)
    inputs = keras.Input((5, 5, 2), name="image")
    x = keras.layers.Conv2D(3, 3, name="conv2d")(inputs)
    x = keras.layers.BatchNormalization(name="batch_normalization")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(2, name="dense")(x)
    model = keras.Model(inputs, outputs, name="tiny_functional")
    # Distinct values everywhere, BatchNormalization's moving statistics included.
    rng = np.random.default_rng(7)
    model.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in model.get_weights()])
    model.save_weights(path("keras3_functional.weights.h5"))

    keras_archive = path("keras3_functional.keras")
    model.save(keras_archive)
    with zipfile.ZipFile(keras_archive) as archive:
        with open(path("keras3_functional.model.weights.h5"), "wb") as f:
            f.write(archive.read("model.weights.h5"))
    os.remove(keras_archive)

    datasets, attributes = dump_h5_values("keras3_functional.weights.h5")
    # The file must hold exactly the model's weights: check against Keras, not just h5py.
    layer_weights = {
        layer.name: [np.asarray(v) for v in layer.weights] for layer in model.layers if layer.weights
    }
    for layer_name, weights in layer_weights.items():
        for index, weight in enumerate(weights):
            stored = datasets[f"layers/{layer_name}/vars/{index}"]
            assert stored["values"] == float_list(weight), (layer_name, index)
    write_json("keras3_functional.expected.json", {"datasets": datasets, "attributes": attributes})


def many_members():
    """A group with 300 members: more than a 32-child B-tree leaf indexes, so the group's
    B-tree gets a second level (HDF5's default group K values: leaf 4, internal 16)."""
    with h5py.File(path("many_members.h5"), "w") as f:
        group = f.create_group("many")
        for i in range(300):
            group.create_dataset(f"d{i:03d}", data=np.int16(i), track_times=False)


def keras2_files():
    """The tf.keras / Keras 2 layouts, written with h5py directly (tf-keras is not installed):
    a whole-model file (attributes at the root, weights under model_weights) and a
    weights-only file (weights at the root)."""
    rng = np.random.default_rng(2)
    kernel = rng.standard_normal((3, 3, 1, 2)).astype(np.float32)
    bias = rng.standard_normal((2,)).astype(np.float32)
    dense_kernel = rng.standard_normal((8, 3)).astype(np.float32)
    dense_bias = rng.standard_normal((3,)).astype(np.float32)
    layers = [
        ("input_1", []),
        ("conv2d", [("conv2d/kernel:0", kernel), ("conv2d/bias:0", bias)]),
        ("flatten", []),
        ("dense", [("dense/kernel:0", dense_kernel), ("dense/bias:0", dense_bias)]),
    ]
    model_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": []}}

    def write_weights(group):
        group.attrs["layer_names"] = np.array([name.encode() for name, _ in layers])
        group.attrs["backend"] = b"tensorflow"
        group.attrs["keras_version"] = b"2.15.0"
        for layer_name, weights in layers:
            layer_group = group.create_group(layer_name)
            # Keras 2 writes an empty float array for layers without weights.
            names = [name.encode() for name, _ in weights]
            layer_group.attrs["weight_names"] = np.array(names) if names else np.array([])
            for name, value in weights:
                layer_group.create_dataset(name, data=value)

    with h5py.File(path("keras2_model.h5"), "w") as f:
        f.attrs["keras_version"] = b"2.15.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode()
        write_weights(f.create_group("model_weights"))
    with h5py.File(path("keras2_weights_only.h5"), "w") as f:
        write_weights(f)

    values = {}
    for _, weights in layers:
        for name, value in weights:
            values[name] = {"shape": list(value.shape), "values": float_list(value)}
    write_json("keras2.expected.json", {"weights": values, "model_config": model_config})


def misc():
    """Element types, scalar and empty shapes, attributes of every supported kind, links,
    a track_order group (new-style, version 2 object header) and the refusals."""
    with h5py.File(path("misc.h5"), "w") as f:
        f["scalar"] = np.float32(3.5)
        f["f16"] = np.array([0.5, -2.0, 65504.0, 6.1035156e-05, 5.9604645e-08], dtype="<f2")
        f["f64"] = np.array([[1.0, -2.5, 1e-300], [3.141592653589793, 1e10, -0.0]], dtype="<f8")
        f["i8"] = np.array([-128, -1, 0, 127], dtype="<i1")
        f["u8"] = np.array([0, 200, 255], dtype="<u1")
        f["i16"] = np.array([-32768, 32767], dtype="<i2")
        f["u16"] = np.array([65535, 1], dtype="<u2")
        f["i32"] = np.array([-2147483648, -7, 0, 2147483647], dtype="<i4")
        f["u32"] = np.array([4294967295, 3], dtype="<u4")
        f["i64"] = np.array([-(2**63), 2**40 + 1, 16777217], dtype="<i8")
        f["u64"] = np.array([2**64 - 1, 5], dtype="<u8")
        f["empty"] = np.zeros((0, 3), dtype="<f4")
        f["strings"] = np.array([b"abc", b"de"])
        _compact_dataset(f, "compact_layout", np.array([9.25, -1.0], dtype="<f4"))
        f.create_dataset("chunked_gzip", data=np.arange(100, dtype="<f4").reshape(10, 10),
                         chunks=(5, 5), compression="gzip")
        f.create_dataset("chunked_plain", data=np.arange(6, dtype="<f4"), chunks=(3,))
        f["big_endian"] = np.array([1.0, 2.0], dtype=">f4")
        f.create_dataset("never_written", shape=(3,), dtype="<f4")
        f["boolean"] = np.array([True, False])
        # An external link turns an old-style group into a new-style one (symbol tables
        # cannot hold it), so the links get a small group of their own.
        links = f.create_group("links")
        links["soft"] = h5py.SoftLink("/f64")
        links["external"] = h5py.ExternalLink("other.h5", "/x")
        links["hard"] = f["i8"]
        f["soft_in_old_style_group"] = h5py.SoftLink("/i8")

        f.attrs["int_scalar"] = np.int64(-42)
        f.attrs["float_scalar"] = np.float64(0.25)
        f.attrs["int_array"] = np.array([[1, 2, 3], [4, 5, 6]], dtype="<i4")
        f.attrs["float_array"] = np.array([1.5, -0.5], dtype="<f4")
        f.attrs["fixed_string"] = np.bytes_(b"keras")
        f.attrs["fixed_strings"] = np.array([b"conv2d", b"bn", b"dense"])
        f.attrs["vlen_string"] = "tiny_functional"
        f.attrs["vlen_strings"] = np.array(["a", "b\u00e9ta", ""], dtype=h5py.string_dtype())
        f.attrs["empty_float_array"] = np.array([])
        f.attrs["bool_scalar"] = np.bool_(True)
        f.attrs["big_uint"] = np.uint64(2**64 - 1)
        f.attrs["empty_value"] = h5py.Empty("f4")

        # A committed (named) datatype: a dataset and an attribute that use it refer to it
        # through shared messages (the attribute message becomes version 2).
        f["committed_type"] = np.dtype("<f4")
        f.create_dataset("committed", data=np.array([1.0, 2.0], dtype="<f4"), dtype=f["committed_type"])
        f.attrs.create("committed_attr", np.float32(1.5), dtype=f["committed_type"])

        sub = f.create_group("sub")
        sub.attrs["name"] = "sub group"
        sub.create_group("inner").create_dataset("x", data=np.array([7], dtype="<i4"))

        ordered = f.create_group("ordered", track_order=True)
        for name in ["zeta", "alpha", "mid"]:
            ordered[name] = np.array([len(name)], dtype="<i4")
        ordered.attrs["second"] = 2
        ordered.attrs["first"] = 1


def _compact_dcpl():
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    return dcpl


def _compact_dataset(f, name, values):
    """Compact layout: the values live in the object header (layout class 0)."""
    space = h5py.h5s.create_simple(values.shape)
    dataset = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, space, _compact_dcpl())
    dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, values)


def latest():
    """libver='latest': superblock version 3, version 2 object headers, link messages,
    attribute messages version 3; and a group too big for compact link storage."""
    with h5py.File(path("latest.h5"), "w", libver="latest") as f:
        f.attrs["name"] = "latest"
        f.attrs["count"] = np.int32(3)
        group = f.create_group("layers")
        group.attrs["layer_names"] = np.array([b"dense"])
        group["dense/kernel"] = np.arange(6, dtype="<f4").reshape(2, 3)
        group["dense/bias"] = np.array([0.5, -0.5, 1.0], dtype="<f4")
    # More than 8 links: HDF5 moves them to a fractal heap ("dense" storage), refused by name.
    with h5py.File(path("latest_dense.h5"), "w", libver="latest") as f:
        crowded = f.create_group("crowded")
        for i in range(9):
            crowded[f"m{i}"] = np.int8(i)


def userblock():
    """A 512-byte user block in front of the superblock: addresses are relative to byte 512.
    (Superblock version 1 needs a non-default indexed-storage K, which h5py cannot set;
    the tests build one by hand instead.)"""
    with h5py.File(path("userblock.h5"), "w", userblock_size=512) as f:
        f["x"] = np.array([3.0, 4.0], dtype="<f4")
        f.attrs["name"] = "after a user block"


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    keras3_functional()
    many_members()
    keras2_files()
    misc()
    latest()
    userblock()
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(path(name)):8d}  {name}")
