"""Each optimizer's update rule against its formula written out, and the state a trace shows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from stepnet.api import load
from stepnet.config.model import OPTIMIZERS, Optimizer
from stepnet.engine.optimizers import UPDATE_RULES, Moments, Velocity
from stepnet.engine.rounding import make_rounder
from stepnet.engine.training import train

P = np.array([[0.5, -0.25], [1.0, 0.0]])
G = np.array([[0.1, -0.2], [0.0, 0.3]])


def _rule(name: str, lr: float = 0.5, **settings):
    return UPDATE_RULES[name](Optimizer(name=name, **settings), lr, [P], [np.zeros(2)])


def test_every_optimizer_a_config_may_name_has_a_rule():
    assert set(UPDATE_RULES) == set(OPTIMIZERS)
    assert all(rule.name == name for name, rule in UPDATE_RULES.items())


def test_sgd_steps_against_the_gradient_and_keeps_no_state():
    rule = _rule("sgd")
    assert rule.of_weights == [None] and rule.state_of(0) == {}
    assert np.array_equal(rule.update(P, G, None, 1), P - 0.5 * G)


def test_momentum_keeps_a_share_of_the_last_step():
    rule = _rule("momentum", momentum=0.9)
    state = rule.of_weights[0]
    assert isinstance(state, Velocity)
    once = rule.update(P, G, state, 1)
    assert np.array_equal(state.v, -0.5 * G) and np.array_equal(once, P - 0.5 * G)
    twice = rule.update(once, G, state, 2)
    assert np.array_equal(state.v, 0.9 * (-0.5 * G) - 0.5 * G) and np.array_equal(twice, once + state.v)


def test_adam_corrects_its_moments_for_their_start_at_zero():
    rule = _rule("adam", lr=0.01)
    state = rule.of_weights[0]
    assert isinstance(state, Moments)
    new = rule.update(P, G, state, 1)
    assert np.allclose(state.m, 0.1 * G) and np.allclose(state.v, 0.001 * G * G)
    # at t = 1 the corrected moments are g and g², so each step is η·g / (|g| + ε): about η in size
    assert np.allclose(new, P - 0.01 * G / (np.abs(G) + 1e-8))


def test_hand_mode_rounds_every_value_the_rule_computes():
    R = make_rounder(4)
    rule = _rule("momentum", lr=0.3, momentum=0.9)
    state = rule.of_weights[0]
    new = rule.update(P, G / 7, state, 1, R)
    assert np.array_equal(state.v, R(-0.3 * (G / 7))) and np.array_equal(new, R(P + state.v))
    assert not np.array_equal(state.v, -0.3 * (G / 7))  # the rounding did something


@pytest.mark.parametrize(("name", "keys"), [("sgd", set()), ("momentum", {"v"}), ("adam", {"m", "v"})])
def test_a_trace_shows_each_layers_state_before_and_after_under_its_names(name, keys):
    config = dataclasses.replace(load("adam"), optimizer=Optimizer(name=name))
    run = train(config, iterations=2, trace="all")
    first, second = run.iterations
    for a, b in zip(first.layers, second.layers, strict=True):
        assert set(a.state_before) == set(a.state_after) == keys
        for key in keys:
            assert all(x.shape == y.shape for x, y in zip(a.state_before[key], (a.W, a.b), strict=True))
            assert all(np.array_equal(x, y) for x, y in zip(a.state_after[key], b.state_before[key], strict=True))
