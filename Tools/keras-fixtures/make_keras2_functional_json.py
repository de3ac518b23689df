#!/usr/bin/env python3
"""Make Keras 2 (tf.keras / tf-keras) JSON fixtures of Functional models.

Run from the repository root (Tools/keras-fixtures/run.sh --keras2 does this):

    TF_USE_LEGACY_KERAS=1 python Tools/keras-fixtures/make_keras2_functional_json.py

Writes Tests/Fixtures/keras/functional/json2/<stem>.json, `model.to_json()`
indented by 2, for every graph spec in Tests/Fixtures/graphs/ but
KERAS3_ONLY_GRAPHS (built by
make_functional_fixtures.build_graph with tf.keras) and for
tf.keras.applications.ResNet50 and InceptionV3 at the input sizes
make_functional_fixtures.py uses, and the nested models of NESTED_MODELS (and SHARED_MODELS)
(a model as a layer of another) built with tf.keras. Each is checked to round-trip through
tf.keras.models.model_from_json.

Also Tests/Fixtures/keras/functional/keras2_operations/arithmetic_ops/: the
TFOpLambda layers tf.keras records for arithmetic on a tensor and a number
(model.json), 3 inputs (input.npy) and what tf.keras computes (output.npy).
"""

import json
import os
import sys
from pathlib import Path

os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

OUT = Path("Tests/Fixtures/keras/functional/json2")
OPERATIONS_OUT = Path("Tests/Fixtures/keras/functional/keras2_operations/arithmetic_ops")
KERAS2_APPLICATIONS = ["resnet50", "inceptionv3", "mobilenetv2"]


def main():
    import yaml
    import tensorflow as tf
    from make_functional_fixtures import APPLICATIONS, GRAPHS, KERAS3_ONLY_GRAPHS, NESTED_MODELS, SHARED_MODELS, build_graph

    keras = tf.keras
    if not keras.__name__.startswith("tf_keras"):
        raise SystemExit(f"tf.keras is {keras.__name__}, not Keras 2 (tf_keras)")
    OUT.mkdir(parents=True, exist_ok=True)
    models = {p.name.split(".")[0]: (lambda p=p: build_graph(yaml.safe_load(p.read_text()), keras)) for p in sorted(GRAPHS.glob("*.yaml"))
              if p.name.split(".")[0] not in KERAS3_ONLY_GRAPHS}
    for stem in KERAS2_APPLICATIONS:
        constructor, shape = APPLICATIONS[stem]
        models[stem] = lambda c=constructor, s=shape: (keras.backend.clear_session(),
                                                       getattr(keras.applications, c)(weights=None, input_shape=s, classes=10))[1]
    for stem, builder in {**NESTED_MODELS, **SHARED_MODELS}.items():
        models[stem] = lambda b=builder: b(keras)
    for stem, build in models.items():
        print(stem, file=sys.stderr)
        model = build()
        text = json.dumps(json.loads(model.to_json()), indent=2) + "\n"
        keras.backend.clear_session()
        # tf.keras's model_from_json forgets a nested model's `trainable: false`
        # (the file keeps it, and cnnc reads it), so those are not compared.
        if stem not in NESTED_MODELS and json.loads(keras.models.model_from_json(text).to_json()) != json.loads(text):
            raise SystemExit(f"{stem}: model_from_json(to_json()) changed the JSON")
        (OUT / f"{stem}.json").write_text(text)
    write_arithmetic_ops(tf)
    import importlib.metadata as md
    (OUT / "VERSIONS.txt").write_text(f"tensorflow {md.version('tensorflow')}\ntf-keras {md.version('tf-keras')}\n")


def write_arithmetic_ops(tf):
    """The forms tf.keras writes: the tensor first with the number as `y`, the
    number first (`_CONSTANT_VALUE`) with the tensor as `y`, and negation."""
    import zlib
    import numpy as np

    keras = tf.keras
    keras.backend.clear_session()
    x = keras.Input(shape=(2, 2, 3), name="input_layer")
    y = x + 3.0
    y = 2 - y
    y = y * (1.0 / 6.0)
    y = y / 4.0
    y = -y
    y = y - 1
    y = 0.5 * y
    y = tf.math.divide(y, 0.25)
    y = tf.math.add(y, 1.0)
    model = keras.Model(x, y, name="arithmetic_ops")
    OPERATIONS_OUT.mkdir(parents=True, exist_ok=True)
    (OPERATIONS_OUT / "model.json").write_text(json.dumps(json.loads(model.to_json()), indent=2) + "\n")
    rng = np.random.default_rng(zlib.crc32(b"arithmetic_ops"))
    inputs = rng.uniform(-4.0, 4.0, (3, 2, 2, 3)).astype("<f4")
    np.save(OPERATIONS_OUT / "input.npy", inputs)
    np.save(OPERATIONS_OUT / "output.npy", np.asarray(model.predict(inputs, verbose=0), dtype="<f4"))


if __name__ == "__main__":
    main()
