"""The untraced training loop computes exactly what the recording step computes, bit for bit.

``Network.run_untraced`` is the fast loop every untraced iteration goes through; the
recording ``Network.step(record=True)`` is the reference.  Losses, parameters and optimizer
state must be equal as floats, not merely close, so a traced iteration late in a run shows
the same numbers whichever iterations before it were traced.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from stepnet.api import example_names, load
from stepnet.config.load import load_config
from stepnet.engine.network import Network
from stepnet.engine.training import train

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
OUTPUTS = [("sigmoid", "half_sse"), ("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"),
           ("identity", "mse"), ("tanh", "sse"), ("softmax", "half_sse")]


def _variant(seed: int):
    rng = random.Random(seed)
    out_act, loss = OUTPUTS[seed % len(OUTPUTS)]
    n_in, n_out = rng.choice([1, 2, 3]), 3 if out_act == "softmax" else rng.choice([1, 2])
    samples = rng.choice([1, 3])
    data = []
    for _ in range(samples):
        targets = [0.0] * n_out
        if out_act == "softmax":
            targets[rng.randrange(n_out)] = 1.0
        else:
            targets = [rng.choice([0.0, 1.0, 0.25]) for _ in range(n_out)]
        data.append({"inputs": [round(rng.uniform(-1, 1), 3) for _ in range(n_in)], "targets": targets})
    bias = ["per_neuron", "shared", "none"]
    layers = [{"name": "i", "size": n_in}]
    for name in ("h", "g")[: rng.choice([1, 2])]:
        layers.append({"name": name, "size": rng.choice([1, 2, 3]), "activation": rng.choice(ACTIVATIONS),
                       "bias": rng.choice(bias)})
    layers.append({"name": "o", "size": n_out, "activation": out_act, "bias": bias[seed % 3]})
    doc = {
        "name": f"variant {seed}", "layers": layers, "init": {"method": "xavier", "seed": seed}, "loss": loss,
        "learning_rate": rng.choice([0.1, 0.9]), "data": data, "train_biases": seed % 4 != 0,
        "optimizer": {"name": ("sgd", "momentum", "adam")[seed % 3]},
    }
    if seed % 5 == 0:
        doc["hidden_deltas_use"] = "updated_weights"
    return load_config(doc)


CONFIGS = [pytest.param(load(name), id=name) for name in example_names()]
CONFIGS += [pytest.param(_variant(seed), id=f"variant{seed}") for seed in range(18)]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()  # equal bits: -0.0 and nan included


@pytest.mark.parametrize("config", CONFIGS)
def test_untraced_loop_equals_the_recording_step(config):
    X = np.array([s.inputs for s in config.data], dtype=float)
    T = np.array([s.targets for s in config.data], dtype=float)
    slow, fast = Network(config), Network(config)
    n = 60
    expected, losses = np.empty(n), np.empty(n)
    with np.errstate(all="ignore"):
        done = n
        for k in range(n):  # as the training loop does: stop after a loss that is not finite
            expected[k] = slow.step(X, T, record=True)[0]
            if not np.isfinite(expected[k]):
                done = k + 1
                break
        assert fast.run_untraced(X, T, losses, 0, n) == done
    assert _same(losses[:done], expected[:done])
    assert all(_same(a, b) for a, b in zip(fast.W + fast.b, slow.W + slow.b, strict=True))
    for key, layers in slow.optimizer.state.items():
        for (w, b), (fw, fb) in zip(layers, fast.optimizer.state[key], strict=True):
            assert _same(w, fw) and _same(b, fb)
    assert fast.t == slow.t == done


def test_a_single_untraced_step_equals_the_recording_step():
    config = load("mazur")
    X = np.array([s.inputs for s in config.data])
    T = np.array([s.targets for s in config.data])
    a, b = Network(config), Network(config)
    before = a.W[0]
    assert a.step(X, T)[0] == b.step(X, T, record=True)[0]
    assert all(_same(x, y) for x, y in zip(a.W, b.W, strict=True))
    assert a.W[0] is not before and _same(before, Network(config).W[0])  # a new array; the old one unchanged


def test_untraced_loop_stops_at_the_first_loss_that_is_not_finite():
    config = dataclasses.replace(_variant(3), learning_rate=1e6)
    X = np.array([s.inputs for s in config.data])
    T = np.array([s.targets for s in config.data])
    slow, fast = Network(config), Network(config)
    losses = np.empty(500)
    with np.errstate(all="ignore"):
        stop = fast.run_untraced(X, T, losses, 0, 500)
        for k in range(500):  # noqa: B007 - k is read after the loop
            loss = slow.step(X, T, record=True)[0]
            if not np.isfinite(loss):
                break
    assert stop == k + 1 < 500
    assert _same(losses[stop - 1 : stop], np.array([loss]))


@pytest.mark.parametrize("trace", ["first,last", "all", "1,7,8,30"])
def test_traced_iterations_do_not_depend_on_which_others_are_traced(trace):
    config = load("mazur")
    every = train(config, iterations=30, trace="all")
    some = train(config, iterations=30, trace=trace)
    assert _same(some.losses, every.losses)
    for it in some.iterations:
        ref = every.traced(it.iteration)
        for a, b in zip(it.layers, ref.layers, strict=True):
            assert _same(a.W, b.W) and _same(a.gW, b.gW) and _same(a.W_after, b.W_after) and _same(a.delta, b.delta)
    assert all(_same(a, b) for a, b in zip(some.final_params[0], every.final_params[0], strict=True))


def test_progress_is_reported_as_before():
    config = load("mazur")
    seen = []
    train(config, iterations=1000, trace="first,last", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 1000) for k in range(5, 1001, 5)]


def test_the_loss_of_a_single_sample_is_its_mean_bit_for_bit():
    """For a batch of one the loop takes ``add.reduce(terms) + 0.0`` for ``terms.sum(axis=1).mean()``."""
    rng = np.random.default_rng(0)
    for n in [*range(1, 40), 127, 128, 129, 8191, 8192, 8193]:
        for trial in range(12):
            terms = rng.standard_normal((1, n)) * rng.choice([1e-300, 1.0, 1e300])
            if trial % 3 == 0:
                terms = np.abs(terms) * -0.0  # every term -0.0: the mean is +0.0
            expected = float(terms.sum(axis=1).mean())
            fast = float(np.add.reduce(terms, axis=None)) + 0.0
            assert np.float64(fast).tobytes() == np.float64(expected).tobytes()
