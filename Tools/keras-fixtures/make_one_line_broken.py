"""Writes Tests/Fixtures/broken/one_line_to_json.json: a real model.to_json()
(one line, as Keras writes it) with a nested Sequential model, and two
mistakes put in by hand: a kernel larger than its input and an unknown
activation. cnnc's messages must name the layer each falls in.

Run from the repository root:
    KERAS_BACKEND=jax .venv-keras/bin/python Tools/keras-fixtures/make_one_line_broken.py
then refresh its expectation:
    cnnc check Tests/Fixtures/broken/one_line_to_json.json 2>&1 | sed 's|Tests/Fixtures/broken/||' > Tests/Fixtures/broken/one_line_to_json.json.expected
"""
import json

import keras

head = keras.Sequential([keras.Input((6, 6, 4)), keras.layers.Flatten(name="flat"), keras.layers.Dense(10, name="scores")], name="head")
model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, name="features"), head], name="digits")
config = json.loads(model.to_json())
config["config"]["layers"][1]["config"]["kernel_size"] = [9, 9]
config["config"]["layers"][2]["config"]["layers"][2]["config"]["activation"] = "relux"
with open("Tests/Fixtures/broken/one_line_to_json.json", "w") as handle:
    handle.write(json.dumps(config))
