#!/usr/bin/env python3
"""Make Keras 2 (tf.keras / tf-keras) JSON fixtures for cnnc.

Run from the repository root with TF_USE_LEGACY_KERAS=1 (run.sh --keras2
does this) so that tf.keras is Keras 2 (the tf-keras package):

    TF_USE_LEGACY_KERAS=1 python Tools/keras-fixtures/make_keras2_json.py

Writes Tests/Fixtures/keras/json2/<stem>.json for the specs in KERAS2_SPECS:
`model.to_json()` of `tf.keras.Sequential([InputLayer(input_shape=...),
*layers], name=...)`, re-serialised with indent=2 plus a final newline, so the
JSON carries `batch_input_shape`.  Each model is built after
tf.keras.backend.clear_session().  Also checks that
tf.keras.models.model_from_json round-trips to the same JSON, and appends the
versions used to Tests/Fixtures/keras/json2/VERSIONS.txt.
"""

import datetime
import json
import os
import platform
import sys
from pathlib import Path

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

KERAS2_SPECS = [
    "Specs/toy_convnet.cnn.yaml",
    "Specs/mnist_convnet.cnn.yaml",
    "Specs/cats_vs_dogs.cnn.yaml",
    "Tests/Fixtures/specs/every_layer.yaml",
    "Tests/Fixtures/specs/depthwise.yaml",
    "Tests/Fixtures/specs/separable.yaml",
    "Tests/Fixtures/specs/reshape_rescale.yaml",
    "Tests/Fixtures/specs/conv1d.yaml",
    "Tests/Fixtures/specs/upsampling.yaml",
    "Tests/Fixtures/specs/layernorm_prelu.yaml",
    "Tests/Fixtures/specs/permute_repeat.yaml",
    "Tests/Fixtures/specs/transposed.yaml",
]
OUT = Path("Tests/Fixtures/keras/json2")


def build_model(tf, spec):
    keras = tf.keras
    keras.backend.clear_session()
    layers = [keras.layers.InputLayer(input_shape=tuple(spec["input_shape"]))]
    for item in spec["layers"]:
        (cls_name, kwargs), = item.items()
        layers.append(getattr(keras.layers, cls_name)(**(kwargs or {})))
    return keras.Sequential(layers, name=spec.get("name", "sequential"))


def main():
    import yaml
    import tensorflow as tf
    import importlib.metadata as md

    if not tf.keras.__name__.startswith("tf_keras"):
        raise SystemExit(f"tf.keras is {tf.keras.__name__}, not Keras 2 (tf_keras)")
    if not Path("Specs").is_dir():
        raise SystemExit("run from the repository root (no Specs/ here)")

    OUT.mkdir(parents=True, exist_ok=True)
    for rel in KERAS2_SPECS:
        stem = Path(rel).name.split(".")[0]
        print(rel, file=sys.stderr)
        with open(rel) as f:
            spec = yaml.safe_load(f)
        model = build_model(tf, spec)
        raw = model.to_json()
        config = json.loads(raw)
        (OUT / f"{stem}.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

        tf.keras.backend.clear_session()
        restored = tf.keras.models.model_from_json(raw)
        assert json.loads(restored.to_json()) == config, f"{stem}: round trip differs"

    def v(name):
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "not installed"

    (OUT / "VERSIONS.txt").write_text(
        "\n".join(
            [
                f"python {platform.python_version()}",
                f"tensorflow {v('tensorflow')}",
                f"tf-keras {v('tf-keras')}",
                f"pyyaml {v('PyYAML')}",
                "TF_USE_LEGACY_KERAS=1 (tf.keras = tf_keras, Keras 2)",
                f"date {datetime.date.today().isoformat()}",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(KERAS2_SPECS)} Keras 2 JSON fixtures under {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
