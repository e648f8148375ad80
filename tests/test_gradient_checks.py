"""The gradient checks at every scale: no false alarm on large or tiny losses, a wrong gradient
still caught, a symbolic check that stays bounded on deep and wide networks, and
``stepnet check`` choosing, streaming and stating its tolerances.

Networks come from the generator in test_oracles, then are made hostile: targets far from
the outputs (losses up to about 10⁸), or targets set to the outputs themselves plus a
tiny offset (losses down to about 10⁻²⁰).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import stepnet
from stepnet.cli import main
from stepnet.derive.derivation import Formatter
from stepnet.derive.explain import explain
from stepnet.derive.names import Names
from stepnet.engine.training import train
from stepnet.verify import oracles, symbolic
from stepnet.verify.finite import Perturbed, estimates
from stepnet.verify.gradients import check_gradients, draw
from test_oracles import away_from_kinks, networks, param_count, traced_gradient

SQUARED = ("half_sse", "sse", "mse")
WRONG = 1e-3  # a gradient off by this much, relative, must be caught


def _first_iteration(config: dict):
    cfg = stepnet.load(config)
    with np.errstate(all="ignore"):
        run = train(cfg, iterations=1, trace="all")
    return cfg, run.iterations[0]


@st.composite
def far_targets(draw):
    """A network whose targets are 10² to 10⁴ times further out than it can reach: a large loss."""
    config = draw(networks(loss=draw(st.sampled_from(SQUARED))))
    scale = 10.0 ** draw(st.integers(2, 4))
    for sample in config["data"]:
        sample["targets"] = [t * scale + math.copysign(scale, t) for t in sample["targets"]]
    return config


@st.composite
def near_targets(draw):
    """A network whose targets are its own outputs moved by 10⁻⁴ to 10⁻¹⁰: a tiny loss."""
    config = draw(networks(loss=draw(st.sampled_from(SQUARED))))
    config.pop("batch_size", None)
    config.pop("shuffle", None)
    _, it = _first_iteration(config)
    offset = 10.0 ** -draw(st.integers(4, 10))
    for sample, out in zip(config["data"], it.layers[-1].out.tolist(), strict=True):
        sample["targets"] = [o + offset * draw(st.sampled_from([-1.0, 1.0])) for o in out]
    return config


def _usable(cfg, it) -> bool:
    """A finite loss, and no relu kink within reach of the steps the finite difference may take."""
    return math.isfinite(it.loss) and away_from_kinks(cfg, it, margin=1e-2)


def _assert_checks_hold(cfg, it) -> tuple[int, int]:
    """No false alarm; and how many of the parameters a wrong gradient was caught for, of all."""
    names = Names(cfg)
    perturbed = Perturbed(cfg, it)
    found = estimates(perturbed, list(names.params), oracles.FD_RELATIVE)
    # a wrong value must show where the slope stands out of the loss's own rounding (10⁶ times it)
    # and float64 can resolve it at all (where out − target cancels, a float64 gradient of any
    # method is only good to the rounding of the outputs, fd.rounding)
    visible = 1e6 * perturbed.base.loss_error
    caught = 0
    for p, fd in zip(names.params, found, strict=True):
        g = traced_gradient(it, p)
        assert fd.agrees(g, oracles.FD_RELATIVE), (p.name, g, fd, it.loss)
        if abs(g) > visible and fd.rounding < 1e-5 * abs(g):
            assert not fd.agrees(g * (1 + WRONG), oracles.FD_RELATIVE), (p.name, g, fd, it.loss)
            caught += 1
    return caught, len(found)


def _tally(caught: int, count: int) -> None:
    event(f"wrong gradients caught: {'none' if not caught else 'some' if caught < count else 'all'}")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(far_targets())
def test_large_losses_raise_no_false_alarm(config):
    cfg, it = _first_iteration(config)
    assume(_usable(cfg, it))
    assert it.loss > 10  # the strategy's point
    _tally(*_assert_checks_hold(cfg, it))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(near_targets())
def test_tiny_losses_raise_no_false_alarm(config):
    cfg, it = _first_iteration(config)
    assume(_usable(cfg, it))
    _tally(*_assert_checks_hold(cfg, it))


# each example runs sympy for every parameter: a fifth of the profile's examples
@settings(max_examples=max(1, settings.default.max_examples // 5), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(far_targets(), near_targets()))
def test_sympy_check_on_large_and_tiny_losses(config):
    assume(param_count(config) <= 30)
    cfg, it = _first_iteration(config)
    assume(_usable(cfg, it))
    for p in Names(cfg).params:
        g = traced_gradient(it, p)
        found = oracles.sympy_check(cfg, it, p)
        assert found.value is not None, found.skipped
        assert found.agrees(g), (p.name, g, found, it.loss)
        if abs(g) > 1e-6:
            assert not found.agrees(g * (1 + WRONG)), (p.name, g, found)
        fd = oracles.finite_difference_estimate(cfg, it, p)  # its bound holds against the exact slope
        assert abs(fd.value - found.value) <= fd.error + fd.rounding, (p.name, fd, found, it.loss)


def _big_example() -> dict:
    """The issue's network: identity layers, targets of 1000 and 2000, a loss of about 2.5·10⁶."""
    return {"name": "big", "layers": [{"name": "i", "size": 2}, {"name": "h", "size": 2, "activation": "identity"},
                                      {"name": "o", "size": 2, "activation": "identity"}],
            "weights": {"h": [[0.15, 0.2], [0.25, 0.3]], "o": [[0.4, 0.45], [0.5, 0.55]]},
            "biases": {"h": [0.35, 0.35], "o": [0.6, 0.6]}, "loss": "half_sse", "learning_rate": 0.5,
            "data": [{"inputs": [0.05, 0.1], "targets": [1000, 2000]}]}


def test_the_issue_network_passes_and_explains_without_alarm():
    cfg, it = _first_iteration(_big_example())
    assert 2e6 < it.loss < 3e6
    assert _assert_checks_hold(cfg, it) == (12, 12)
    text = "\n".join(explain(it, Names(cfg), "w2", Formatter()).blocks[-1].text)
    assert "✓ both agree with the chain rule" in text and "✗" not in text


def test_a_wrong_gradient_shows_in_the_explain_check(monkeypatch):
    """A chain-rule value off by 10⁻⁴ is reported, with what each check allowed."""
    from stepnet.derive.deriver import Deriver

    cfg, it = _first_iteration(_big_example())
    right = Deriver.gradient_value
    monkeypatch.setattr(Deriver, "gradient_value", lambda self, p: right(self, p) * (1 + 1e-4))
    text = "\n".join(explain(it, Names(cfg), "w2", Formatter()).blocks[-1].text)
    assert "✗ the checks disagree with the chain rule: please report this" in text
    assert "the finite difference allows" in text and "sympy allows" in text


# ---------------------------------------------------------------- the symbolic check at scale

def _chain_config(depth: int, width: int = 1, activation: str = "tanh") -> dict:
    names = ["h" + chr(97 + k // 26 // 26) + chr(97 + k // 26 % 26) + chr(97 + k % 26) for k in range(depth)]
    layers = [{"name": "i", "size": width}]
    layers += [{"name": n, "size": width, "activation": activation, "bias": "per_neuron"} for n in names]
    layers.append({"name": "o", "size": 2, "activation": "sigmoid", "bias": "per_neuron"})
    return {"name": "deep", "layers": layers, "init": {"method": "xavier", "seed": 3}, "loss": "half_sse",
            "learning_rate": 0.1, "data": [{"inputs": [0.3] * width, "targets": [0.2, 0.7]}]}


@pytest.mark.parametrize("depth, width", [(6, 2), (12, 1), (3, 25), (300, 1)])
def test_sympy_check_runs_on_deep_and_wide_networks(depth, width):
    cfg, it = _first_iteration(_chain_config(depth, width))
    p = Names(cfg).lookup("w1")
    found = oracles.sympy_check(cfg, it, p)
    assert found.value is not None, found.skipped
    assert found.agrees(traced_gradient(it, p))


def test_sympy_check_says_when_it_is_skipped():
    config = _chain_config(1, 400)
    config["data"] *= 2
    cfg, it = _first_iteration(config)
    assert symbolic.work(cfg, it, Names(cfg).lookup("w1")) > symbolic.BUDGET
    text = "\n".join(explain(it, Names(cfg), "w1", Formatter()).blocks[-1].text)
    assert "sympy check skipped: one pass would take" in text and "the finite difference stands" in text
    assert "✓ the finite difference agrees with the chain rule" in text


def test_sympy_settles_a_saturated_sigmoid():
    """1 − σ(60) is 9·10⁻²⁷: at 30 digits it cancels, so more digits are taken."""
    config = {"layers": [{"name": "i", "size": 1}, {"name": "o", "size": 1, "activation": "sigmoid"}],
              "weights": {"o": [[60.0]]}, "loss": "binary_cross_entropy", "learning_rate": 0.1,
              "data": [{"inputs": [1.0], "targets": [0.3]}]}
    cfg, it = _first_iteration(config)
    p = Names(cfg).lookup("w1")
    found = oracles.sympy_check(cfg, it, p)
    assert found.value == pytest.approx(1 - 0.3, rel=1e-12)  # dE/dw = (σ − t)·x
    assert found.agrees(traced_gradient(it, p))


# ---------------------------------------------------------------- stepnet check

def _wide_config(tmp_path, inputs: int = 40, hidden: int = 20) -> str:
    rng = np.random.default_rng(5)
    lines = ["name: wide", "layers:", f"  - {{name: i, size: {inputs}}}",
             f"  - {{name: h, size: {hidden}, activation: sigmoid, bias: per_neuron}}",
             "  - {name: o, size: 3, activation: sigmoid, bias: per_neuron}",
             "init: {method: xavier, seed: 1}", "loss: half_sse", "learning_rate: 0.5", "data:"]
    for _ in range(2):
        lines.append("  - inputs: [" + ", ".join(f"{v:.3f}" for v in rng.random(inputs)) + "]")
        lines.append("    targets: [0.0, 1.0, 0.5]")
    path = tmp_path / "wide.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _check(*args: str):
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_check_states_both_tolerances_and_uses_the_true_minus():
    out = _check()
    assert "All 10 gradients agree with central finite differences" in out
    assert "relative tolerance 1e−6" in out and "absolute tolerance" in out
    assert "−0.0226025404775" in out  # w7, with U+2212
    ascii_out = _check("--ascii")
    assert "-0.0226025404775" in ascii_out and "−" not in ascii_out


def test_check_draws_a_sample_of_a_large_network(tmp_path):
    config = _wide_config(tmp_path)  # 40·20 + 20 + 20·3 + 3 = 883 parameters
    out = _check(config)
    assert "Checking 500 of 883 parameters, drawn at random with seed 0" in out
    assert "All 500 gradients agree" in out
    assert len([line for line in out.splitlines() if line.endswith(" ok")]) == 500
    again = _check(config, "--sample", "20", "--seed", "4")
    assert "Checking 20 of 883 parameters, drawn at random with seed 4." in again
    assert again != _check(config, "--sample", "20", "--seed", "5")


def test_check_takes_names_and_ranges(tmp_path):
    out = _check(_wide_config(tmp_path), "--params", "b2,w1-w3,w2")
    assert "Checking 4 of 883 parameters, as --params names them." in out
    names = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert names == ["w1", "w2", "w3", "b2"]


def test_check_params_must_name_parameters():
    result = CliRunner().invoke(main, ["check", "--params", "h1"])
    assert result.exit_code == 2 and "is a neuron" in result.stderr
    result = CliRunner().invoke(main, ["check", "--params", "w99"])
    assert result.exit_code == 2 and "w99" in result.stderr


def test_check_streams_rows_in_network_order(tmp_path):
    out = _check(_wide_config(tmp_path), "--sample", "250")
    lines = out.splitlines()
    header = next(k for k, line in enumerate(lines) if line.startswith("parameter"))
    rows = [line for line in lines[header + 1:] if line.endswith((" ok", "DIFFERS"))]
    assert len(rows) == 250
    cfg = stepnet.load(_wide_config(tmp_path))
    order = {p.name: k for k, p in enumerate(Names(cfg).params)}
    positions = [order[row.split()[0]] for row in rows]
    assert positions == sorted(positions)


def test_check_gradients_comes_in_chunks():
    cfg, it = _first_iteration(_chain_config(2, 6))
    params = list(Names(cfg).params)
    chunks = list(check_gradients(cfg, it, params, 1e-6, chunk=10))
    assert [len(c) for c in chunks] == [10] * (len(params) // 10) + ([len(params) % 10] if len(params) % 10 else [])
    assert all(c.ok for chunk in chunks for c in chunk)


def test_draw_is_seeded_sorted_and_without_repeats():
    first = draw(5_000_000, 500, 0)
    assert first == draw(5_000_000, 500, 0) and first == sorted(set(first)) and len(first) == 500
    assert draw(10, 500, 0) == list(range(10))
