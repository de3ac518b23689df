#!/usr/bin/env python3
"""Checks files written by HDF5Builder with h5py (the HDF5 C library underneath).

    python check_with_h5py.py MANIFEST.json

MANIFEST.json (written by H5pyTests.swift) lists files and everything each should hold:
    [{"file": "x.h5",
      "nodeK": [4, 16],
      "groups": {"/": {"attr": "value"}, "layers": {}, ...},
      "datasets": {"layers/conv2d/vars/0": {"dtype": "float32", "shape": [3, 3, 1, 2],
                                            "data": "<base64, little-endian>", "attrs": {}}}}]

For each file:
  1. h5py lists exactly those groups and datasets, with those shapes, dtypes, values (bit
     for bit) and attributes, each attribute a scalar variable-length UTF-8 string, as
     h5py writes a Python str;
  2. every object is found by its path (HDF5 searches the group B-trees by key);
  3. the file has h5py's default format: superblock version 0, 8-byte addresses and
     lengths, group node K 4 and 16 (or the "nodeK" the manifest gives: tests make
     nodes small to build deep B-trees from few members);
  4. HDF5 can change the file: opened "r+", the largest group gets 300 new members and
     loses 10 (HDF5 splits and edits the B-tree nodes the writer made), attributes are
     added; reopened, it holds exactly what it should.
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import base64
import json
import os
import shutil
import sys
import tempfile

import h5py
import numpy as np

DTYPES = {"float32": "<f4", "int32": "<i4", "int64": "<i8"}


def listing(f):
    """{path: ("group", attrs) or ("dataset", attrs, dtype, shape, raw bytes)}."""
    result = {}

    def attributes(obj):
        attrs = {}
        for name in obj.attrs:
            attr_id = h5py.h5a.open(obj.id, name.encode())
            info = h5py.check_string_dtype(attr_id.dtype)
            if info is None or info.length is not None or info.encoding != "utf-8" or attr_id.shape != ():
                raise AssertionError(f"{obj.name}: attribute {name} is {attr_id.dtype} {attr_id.shape}, "
                                     "not a scalar variable-length UTF-8 string")
            value = obj.attrs[name]
            attrs[name] = value.decode() if isinstance(value, bytes) else value
        return attrs

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            data = obj[()]
            result[name] = ("dataset", attributes(obj), str(obj.dtype), list(obj.shape),
                            np.ascontiguousarray(data, dtype=obj.dtype.newbyteorder("<")).tobytes())
        else:
            result[name] = ("group", attributes(obj))

    result["/"] = ("group", attributes(f))
    f.visititems(visit)
    return result


def expected_listing(entry):
    result = {}
    for path, attrs in entry["groups"].items():
        result[path] = ("group", attrs)
    for path, d in entry["datasets"].items():
        raw = base64.b64decode(d["data"])
        result[path] = ("dataset", d.get("attrs", {}), d["dtype"], d["shape"], raw)
    return result


def differences(found, expected):
    problems = []
    for path in sorted(set(found) | set(expected)):
        if path not in found:
            problems.append(f"missing {path}")
        elif path not in expected:
            problems.append(f"unexpected {path}")
        elif found[path] != expected[path]:
            problems.append(f"{path}: found {found[path][:4]}, expected {expected[path][:4]}"
                            + (" (values differ)" if found[path][:4] == expected[path][:4] else ""))
    return problems


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, label, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {label}: " + "; ".join(problems[:8]))
        else:
            self.passed += 1
            print(f"ok   {label}")


def check_file(checks, entry, workdir):
    path = entry["file"]
    label = os.path.basename(path)
    expected = expected_listing(entry)
    with h5py.File(path, "r") as f:
        try:
            found = listing(f)
            checks.check(f"{label}: h5py lists the same {len(expected)} objects, values and attributes",
                         differences(found, expected))
        except AssertionError as error:
            checks.check(f"{label}: attributes are variable-length UTF-8 strings", [str(error)])
        missing = [p for p in expected if p != "/" and p not in f]
        wrong = [p for p in expected if p != "/" and p in f
                 and isinstance(f[p], h5py.Dataset) != (expected[p][0] == "dataset")]
        checks.check(f"{label}: every object found by path", missing + wrong)
        plist = f.id.get_create_plist()
        version = plist.get_version()
        with open(path, "rb") as raw:
            superblock = raw.read(24)
        sym_k = (int.from_bytes(superblock[16:18], "little"), int.from_bytes(superblock[18:20], "little"))
        checks.check(f"{label}: h5py's default format (superblock {version[0]}, group node K {sym_k})",
                     [] if version[0] == 0 and sym_k == tuple(entry.get("nodeK", (4, 16)))
                     and plist.get_sizes() == (8, 8)
                     else [f"version {version}, K {sym_k}, sizes {plist.get_sizes()}"])

    # HDF5 edits the structures the writer made.
    copy = os.path.join(workdir, "edited-" + label)
    shutil.copyfile(path, copy)
    members = {p: [] for p, v in expected.items() if v[0] == "group"}
    for p in expected:
        if p != "/":
            members[os.path.dirname(p) or "/"].append(p)
    largest = max(sorted(members), key=lambda g: len(members[g]))
    members[largest].sort()
    prefix = "" if largest == "/" else largest + "/"
    added = [f"{prefix}added {i:03d}" for i in range(300)]
    removed = members[largest][::max(1, len(members[largest]) // 10)][:10]
    with h5py.File(copy, "r+") as f:
        for name in added:
            f.create_dataset(name, data=np.float32(len(name)))
        for name in removed:
            del f[name]
        f[prefix + "added 000"].attrs["edited"] = "yes"
        f.attrs["edited"] = "root"
    for name in added:
        expected[name] = ("dataset", {}, "float32", [], np.float32(len(name)).tobytes())
    expected[prefix + "added 000"][1]["edited"] = "yes"
    expected["/"][1]["edited"] = "root"
    for name in removed:
        for p in [p for p in expected if p == name or p.startswith(name + "/")]:
            del expected[p]
    # (listing the removed names' descendants scans every path: fine for ten names)
    with h5py.File(copy, "r") as f:
        found = listing(f)
        missing = [p for p in expected if p != "/" and p not in f]
    checks.check(f"{label}: HDF5 adds 300 members to '{largest}' ({len(members[largest])} members), "
                 f"removes {len(removed)}, and reads the result back", differences(found, expected) + missing)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    print(f"h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}")
    checks = Checks()
    with tempfile.TemporaryDirectory() as workdir:
        for entry in manifest:
            check_file(checks, entry, workdir)
    print(f"{checks.passed} passed, {checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
