#!/usr/bin/env python3
"""Every model of keras.applications against cnnc's summary, byte for byte.

    KERAS_BACKEND=jax .venv-keras/bin/python Benchmarks/applications/check_summaries.py [--cnnc PATH] [NAME ...]

For each constructor of keras.applications (or the NAMEs given), at the
smallest input it accepts from SIZES (weights=None, 10 classes), it writes
the model's `to_json()` to a temporary folder, has Keras print `summary()`
in a child process whose stdout is a file (as the committed golden files
were made: make_fixtures.child_env), runs `cnnc summary` on the JSON, and
prints one line a model: `same`, `differs` (the first differing line), or
`refused` (cnnc's first error). Exits non-zero unless every model is `same`
or named in EXPECTED_REFUSALS, which lists what cnnc does not compile yet.
Nothing is written into the repository; the large models (NASNetLarge,
EfficientNetB7, ResNet152) take a minute each to build in Keras.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tools" / "keras-fixtures"))
from make_fixtures import child_env  # noqa: E402

# Input sizes: the fixtures' (64x64 for most, 75x75 where Keras asks that
# much, 96x96 for the MobileNets' stride of 32 with their weights' sizes,
# and NASNetLarge's own 331x331, which its architecture fixes).
SIZES = {"InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71, "NASNetLarge": 331, "NASNetMobile": 96,
         "MobileNet": 96, "MobileNetV2": 96, "MobileNetV3Small": 96, "MobileNetV3Large": 96}
# What cnnc refuses, with the reason its message gives (none since ConvNeXt's
# grouped convolutions, LayerScale and `inputs + x` compile).
EXPECTED_REFUSALS = {}


def child(name, size, mode, path):
    import keras

    model = getattr(keras.applications, name)(weights=None, input_shape=(size, size, 3), classes=10)
    if mode == "json":
        Path(path).write_text(model.to_json())
    else:
        model.summary()
        sys.stdout.flush()


def check(name, cnnc, folder):
    size = SIZES.get(name, 64)
    script = os.path.abspath(__file__)
    json_path = folder / f"{name}.json"
    golden = folder / f"{name}.keras.txt"
    subprocess.run([sys.executable, script, "--child", name, str(size), "json", str(json_path)],
                   stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(), check=True)
    with open(golden, "wb") as out:
        subprocess.run([sys.executable, script, "--child", name, str(size), "summary", "-"],
                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL, env=child_env(), check=True)
    ours = subprocess.run([cnnc, "summary", str(json_path)], stdin=subprocess.DEVNULL, capture_output=True, env=child_env())
    if ours.returncode != 0:
        first = ours.stderr.decode("utf-8", "replace").splitlines()[:1]
        return "refused", first[0] if first else "(no message)"
    expected = golden.read_bytes()
    if ours.stdout == expected:
        return "same", f"{size}x{size}"
    for number, (a, b) in enumerate(zip(ours.stdout.splitlines(), expected.splitlines()), start=1):
        if a != b:
            return "differs", f"line {number}: cnnc {a.decode()!r}, Keras {b.decode()!r}"
    return "differs", "in length"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=4, metavar=("NAME", "SIZE", "MODE", "PATH"))
    parser.add_argument("--cnnc", default=str(ROOT / ".build" / "debug" / "cnnc"))
    parser.add_argument("names", nargs="*")
    arguments = parser.parse_args()
    if arguments.child:
        name, size, mode, path = arguments.child
        return child(name, int(size), mode, path)
    import keras

    names = arguments.names or sorted(n for n in dir(keras.applications) if n[:1].isupper())
    failed = []
    with tempfile.TemporaryDirectory() as temporary:
        for name in names:
            verdict, detail = check(name, arguments.cnnc, Path(temporary))
            expected = name in EXPECTED_REFUSALS
            if verdict == "refused" and expected:
                detail = f"expected: {EXPECTED_REFUSALS[name]}"
            elif verdict != "same" or expected:
                failed.append(name)
            print(f"{name:20} {verdict:8} {detail}", flush=True)
    print(f"{len(names) - len(failed)} of {len(names)} as expected" + (f"; not: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
