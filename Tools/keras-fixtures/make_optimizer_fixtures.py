#!/usr/bin/env python3
"""Make optimizer fixtures for cnnc from real Keras 3 (JAX backend).

Rerun from the repository root (Tools/keras-fixtures/run.sh --optimizers-only does this):

    KERAS_BACKEND=jax .venv-keras/bin/python Tools/keras-fixtures/make_optimizer_fixtures.py

For every configuration below, a float32 keras.Variable of 37 values (off
every SIMD width) is updated five times by `optimizer.apply(gradients,
[variable])`, eagerly, one op at a time, as Keras's own update_step does.
The gradients mix magnitudes from 1e-9 to 3e4 with random signs, and a few
exact zeros, so that epsilon and the large-value paths both matter.

Writes Tests/Fixtures/keras/optimizers/:

  <case>.json   {"name", "optimizer" (sgd|adam|rmsprop), "config" (the keyword
                 arguments given to Keras), "full_config" (every hyperparameter
                 cnnc models, Keras's values), "description" (cnnc's expected
                 OptimizerConfiguration.description), "initial" (37 values),
                 "gradients" (5 x 37), "steps" (5 x 37: the parameters after
                 each step), "slots" (Keras's optimizer variables after the
                 last step, by cnnc's state name), "iterations" (5)}
  VERSIONS.txt  the versions of keras, jax and numpy that made them.

Every float is a float32 value written as the shortest double that reads
back to it exactly. The script also runs the same steps the way `fit` does
(stateless_apply inside jax.jit) and checks they agree with the eager ones
within 1e-6, and checks the update rules written out in numpy the same way;
VERSIONS.txt records both largest differences.

cnnc's optimizers must reproduce every step within 1e-6 absolute + 1e-6
relative (Tests/CNNCRuntimeTests/OptimizerKerasTests.swift).
"""
import inspect
import json
import os
import re
import sys

import jax
import numpy as np
import keras

OUT = os.path.join("Tests", "Fixtures", "keras", "optimizers")
COUNT = 37
STEPS = 5

# (case name, Keras class, keyword arguments)
CASES = [
    ("sgd", "SGD", {}),
    ("sgd_momentum", "SGD", {"momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"momentum": 0.9, "nesterov": True}),
    ("adam", "Adam", {}),
    ("adam_lr0.01_betas", "Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95}),
    ("adam_amsgrad", "Adam", {"amsgrad": True}),
    ("rmsprop", "RMSprop", {}),
    ("rmsprop_momentum", "RMSprop", {"momentum": 0.5}),
    ("rmsprop_centered", "RMSprop", {"centered": True}),
    ("rmsprop_centered_momentum", "RMSprop",
     {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.3, "epsilon": 1e-5, "centered": True}),
    # Last, so the cases before keep their random draws: a learning rate of 0
    # leaves the weights but moves the slots and the iterations.
    ("adam_learning_rate_0", "Adam", {"learning_rate": 0.0}),
]

# The hyperparameters cnnc models, in Keras's order (which the description follows).
HYPERPARAMETERS = {
    "SGD": ["learning_rate", "momentum", "nesterov"],
    "Adam": ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"],
    "RMSprop": ["learning_rate", "rho", "momentum", "epsilon", "centered"],
}

# Keras names its slot variables "<variable path>_<slot>"; cnnc's state uses the slot name.
SLOTS = ["momentum", "velocity", "velocity_hat", "average_gradient"]


def floats(array):
    return [float(x) for x in np.asarray(array, dtype=np.float32).reshape(-1)]


def gradient_sequence(rng):
    """STEPS gradients: random signs, magnitudes 10^U(-9, 4), some zeros."""
    sign = rng.choice([-1.0, 1.0], size=(STEPS, COUNT))
    magnitude = 10.0 ** rng.uniform(-9.0, 4.0, size=(STEPS, COUNT))
    gradients = sign * magnitude
    gradients[rng.random((STEPS, COUNT)) < 0.05] = 0.0
    # One element that is always tiny and one always huge, to exercise epsilon and overflow-free squares.
    gradients[:, 3] = [1e-9, -3e-9, 2e-8, -1e-8, 5e-9]
    gradients[:, 11] = [1e4, -2e4, 3e4, 1.5e4, -1e4]
    return gradients.astype(np.float32)


def relative_difference(actual, expected):
    return float((np.abs(actual - expected) / (1.0 + np.abs(expected))).max())


def compact_json(value):
    """Indented JSON with each list of numbers on one line."""
    text = json.dumps(value, indent=1)
    return re.sub(r"\[\s+([^\[\]{}\"]*?)\s+\]", lambda match: "[" + ", ".join(
        item.strip() for item in match.group(1).split(",")) + "]", text)


def description(kind, full):
    def text(value):
        return repr(value)  # Python's float repr (0.001, 1e-07) and True/False
    arguments = ", ".join(f"{key}={text(full[key])}" for key in HYPERPARAMETERS[kind])
    return f"{kind.lower()}({arguments})"


def default_learning_rate(kind):
    return inspect.signature(getattr(keras.optimizers, kind).__init__).parameters["learning_rate"].default


def eager_trajectory(kind, config, initial, gradients):
    optimizer = getattr(keras.optimizers, kind)(**config)
    variable = keras.Variable(initial, dtype="float32", name="w")
    steps = []
    for gradient in gradients:
        optimizer.apply([keras.ops.convert_to_tensor(gradient)], [variable])
        steps.append(np.asarray(variable.numpy(), dtype=np.float32))
    slots = {}
    for slot_variable in optimizer.variables:
        for slot in SLOTS:
            if slot_variable.path.endswith("_" + slot):
                slots[slot] = floats(slot_variable.numpy())
    return optimizer, np.stack(steps), slots


def facts_trajectory(kind, full, initial, gradients):
    """The update rules cnnc implements, written out in float32 numpy (SGD
    m = mu*m - lr*g; Adam from t = 1 with epsilon added to the uncorrected
    sqrt(v); RMSprop with epsilon inside the square root; momentum, Nesterov,
    AMSGrad and centered as Keras's update_step does them): a check that the
    rules are Keras's, independent of Keras's code."""
    f32 = np.float32
    w = initial.copy()
    m, v, v_hat, average = (np.zeros_like(w) for _ in range(4))
    lr = f32(full["learning_rate"])
    steps = []
    for t, g in enumerate(gradients, start=1):
        if kind == "SGD":
            mu = f32(full["momentum"])
            if full["momentum"] == 0:
                w = w - g * lr
            else:
                m = m * mu - g * lr
                w = w + (m * mu - g * lr if full["nesterov"] else m)
        elif kind == "Adam":
            # Step t starts at 1; epsilon is added to the uncorrected sqrt(v).
            alpha = lr * np.sqrt(f32(1) - f32(full["beta_2"]) ** f32(t)) / (f32(1) - f32(full["beta_1"]) ** f32(t))
            m = m + (g - m) * f32(1 - full["beta_1"])
            v = v + (g * g - v) * f32(1 - full["beta_2"])
            if full["amsgrad"]:
                v_hat = np.maximum(v_hat, v)
            w = w - (m * alpha) / (np.sqrt(v_hat if full["amsgrad"] else v) + f32(full["epsilon"]))
        else:
            # Epsilon inside the square root.
            rho, epsilon = f32(full["rho"]), f32(full["epsilon"])
            v = rho * v + f32(1 - full["rho"]) * (g * g)
            if full["centered"]:
                average = rho * average + f32(1 - full["rho"]) * g
                denominator = v - average * average + epsilon
            else:
                denominator = v + epsilon
            increment = (lr * g) / np.sqrt(denominator)
            if full["momentum"] > 0:
                m = f32(full["momentum"]) * m + increment
                w = w - m
            else:
                w = w - increment
        steps.append(w.astype(np.float32))
    return np.stack(steps)


def jitted_trajectory(kind, config, initial, gradients):
    """The same steps as `fit` runs them: stateless_apply inside jax.jit."""
    optimizer = getattr(keras.optimizers, kind)(**config)
    variable = keras.Variable(initial, dtype="float32", name="w")
    optimizer.build([variable])
    optimizer_values = [v.value for v in optimizer.variables]

    @jax.jit
    def step(optimizer_values, parameters, gradient):
        parameters, optimizer_values = optimizer.stateless_apply(optimizer_values, [gradient], parameters)
        return optimizer_values, parameters

    parameters = [variable.value]
    steps = []
    for gradient in gradients:
        optimizer_values, parameters = step(optimizer_values, parameters, gradient)
        steps.append(np.asarray(parameters[0], dtype=np.float32))
    return np.stack(steps)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261125)
    worst_jit = worst_facts = 0.0
    for name, kind, config in CASES:
        initial = rng.normal(size=COUNT).astype(np.float32)
        gradients = gradient_sequence(rng)
        optimizer, steps, slots = eager_trajectory(kind, config, initial, gradients)
        assert int(optimizer.iterations.numpy()) == STEPS
        assert np.all(np.isfinite(steps)), name
        keras_config = optimizer.get_config()
        full = {key: keras_config[key] for key in HYPERPARAMETERS[kind]}
        # get_config reads the learning rate back from its float32 variable
        # (0.0010000000474974513); cnnc, like Keras's constructor, keeps the number given.
        full["learning_rate"] = config.get("learning_rate", default_learning_rate(kind))
        jit_difference = relative_difference(jitted_trajectory(kind, config, initial, gradients), steps)
        facts_difference = relative_difference(facts_trajectory(kind, full, initial, gradients), steps)
        assert jit_difference <= 1e-6, (name, "fit's jitted steps differ from eager ones", jit_difference)
        assert facts_difference <= 1e-6, (name, "the written-out rules differ from Keras", facts_difference)
        worst_jit, worst_facts = max(worst_jit, jit_difference), max(worst_facts, facts_difference)
        case = {
            "name": name,
            "optimizer": kind.lower(),
            "config": config,
            "full_config": full,
            "description": description(kind, full),
            "initial": floats(initial),
            "gradients": [floats(g) for g in gradients],
            "steps": [floats(s) for s in steps],
            "slots": slots,
            "iterations": STEPS,
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as handle:
            handle.write(compact_json(case) + "\n")
        print(f"{name}: {description(kind, full)}; slots {sorted(slots)}; "
              f"jit vs eager {jit_difference:.2e}; rules vs eager {facts_difference:.2e}")
    with open(os.path.join(OUT, "VERSIONS.txt"), "w") as handle:
        handle.write(f"keras {keras.__version__}\njax {jax.__version__}\nnumpy {np.__version__}\n"
                     f"python {sys.version.split()[0]}\nbackend {keras.backend.backend()}\n"
                     f"largest |jit - eager| / (1 + |eager|): {worst_jit:.3e}\n"
                     f"largest |written-out rules in numpy - eager| / (1 + |eager|): {worst_facts:.3e}\n")
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
