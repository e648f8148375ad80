"""Every gradient, update and worked line against oracles that do not share the engine's chain rule.

* Gradients: for generated networks (1–3 hidden layers, widths 1–4, every activation,
  every loss with a fitting output layer, every bias mode, batches of 1–3 samples), each
  parameter's gradient in the trace is compared with ``oracles.finite_difference`` (central
  differences of the forward pass) and, for the smaller networks, ``oracles.sympy_gradient``
  (sympy differentiating the whole loss, written with every parameter a symbol).
* Updates: sgd against value − η·gradient; momentum and adam over several iterations
  against the small numpy implementation below, written from the formulas, not the engine.
* Worked lines: every Line a Deriver builds evaluates, numbers substituted, to the value it
  states.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import stepnet
from stepnet.derive.derivation import Formatter, Line
from stepnet.derive.deriver import Deriver
from stepnet.derive.expr import Expr, Text, has_symbols
from stepnet.derive.names import Names
from stepnet.derive.report import build_report
from stepnet.engine.training import train
from stepnet.verify import oracles

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
ALL_ACTIVATIONS = HIDDEN_ACTIVATIONS + ["softmax"]
LOSS_NAMES = ["half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy"]
BIAS_MODES = ["per_neuron", "shared", "none"]
LAYER_NAMES = "hgf"  # hidden layers; i is the input, o the output
KINKED = ("relu", "leaky_relu")

FD_REL, FD_ABS = 1e-5, 1e-8
SYMPY_REL, SYMPY_ABS = 1e-9, 1e-12


# ---------------------------------------------------------------- generated networks

def small(lo: int, hi: int):
    """Numbers with two decimals, as a person would write them in a config."""
    return st.integers(lo, hi).map(lambda k: k / 100)


@st.composite
def networks(draw, max_hidden=3, max_width=4, max_inputs=3, max_samples=3, optimizers=("sgd",), loss=None,
             output_activation=None):
    """A config dict with every weight and bias given."""
    loss = loss or draw(st.sampled_from(LOSS_NAMES))
    if loss == "cross_entropy":
        out_act = "softmax"
    elif loss == "binary_cross_entropy":
        out_act = "sigmoid"
    else:
        out_act = output_activation or draw(st.sampled_from(ALL_ACTIVATIONS))
    n_out = draw(st.integers(2 if out_act == "softmax" else 1, 3))
    n_in = draw(st.integers(1, max_inputs))
    hidden = draw(st.integers(1, max_hidden))
    layers = [{"name": "i", "size": n_in}]
    for k in range(hidden):
        layers.append({"name": LAYER_NAMES[k], "size": draw(st.integers(1, max_width)),
                       "activation": draw(st.sampled_from(HIDDEN_ACTIVATIONS))})
    layers.append({"name": "o", "size": n_out, "activation": out_act})
    weights, biases = {}, {}
    for prev, layer in zip(layers, layers[1:], strict=False):
        mode = draw(st.sampled_from(BIAS_MODES))
        layer["bias"] = mode
        if layer["activation"] == "leaky_relu":
            layer["slope"] = draw(st.sampled_from([0.01, 0.1, 0.3]))
        weights[layer["name"]] = [[draw(small(-120, 120)) for _ in range(prev["size"])] for _ in range(layer["size"])]
        if mode == "shared":
            biases[layer["name"]] = draw(small(-100, 100))
        elif mode == "per_neuron":
            biases[layer["name"]] = [draw(small(-100, 100)) for _ in range(layer["size"])]
    data = []
    for _ in range(draw(st.integers(1, max_samples))):
        inputs = [draw(small(-100, 100)) for _ in range(n_in)]
        if loss == "cross_entropy":
            raw = [draw(st.integers(0, 10)) for _ in range(n_out)]
            if sum(raw) == 0:
                raw[draw(st.integers(0, n_out - 1))] = 1
            targets = [r / sum(raw) for r in raw]
        elif loss == "binary_cross_entropy":
            targets = [draw(small(0, 100)) for _ in range(n_out)]
        else:
            targets = [draw(small(-100, 100)) for _ in range(n_out)]
        data.append({"inputs": inputs, "targets": targets})
    config = {
        "name": "generated",
        "layers": layers,
        "weights": weights,
        "biases": biases,
        "loss": loss,
        "learning_rate": draw(st.sampled_from([0.05, 0.1, 0.5, 1.0])),
        "train_biases": draw(st.booleans()),
        "data": data,
    }
    batch = draw(st.integers(1, len(data)))
    if batch < len(data):
        config["batch_size"] = batch
    if draw(st.booleans()):
        config["shuffle"] = {"seed": draw(st.integers(0, 1000))}
    name = draw(st.sampled_from(optimizers))
    if name == "momentum":
        config["optimizer"] = {"name": "momentum", "momentum": draw(st.sampled_from([0.5, 0.9]))}
    elif name == "adam":
        config["optimizer"] = {"name": "adam", "beta1": draw(st.sampled_from([0.9, 0.8])),
                               "beta2": draw(st.sampled_from([0.999, 0.99]))}
    return config


def param_count(config: dict) -> int:
    return sum(len(w) * len(w[0]) for w in config["weights"].values()) + sum(
        1 if isinstance(b, float) else len(b) for b in config["biases"].values())


def traced_gradient(it, p) -> float:
    lt = it.layer(p.layer)
    return float(lt.gW[p.to, p.source] if p.kind == "weight" else lt.gb[0 if p.to is None else p.to])


def away_from_kinks(cfg, it, margin: float = 1e-3) -> bool:
    """No relu or leaky relu net input within ``margin`` of its kink at 0."""
    for li, layer in enumerate(cfg.layers[1:], start=1):
        if layer.activation in KINKED and np.any(np.abs(it.layer(li).net) < margin):
            return False
    return True


def traced_run(config: dict, iterations: int = 2):
    cfg = stepnet.load(config)
    run = train(cfg, iterations=iterations, trace="all")
    assert run.divergence is None
    return cfg, run


def check_against_finite_differences(cfg, it) -> int:
    names = Names(cfg)
    n = 0
    for p in names.params:
        g = traced_gradient(it, p)
        fd = oracles.finite_difference(cfg, it, p)
        assert math.isclose(g, fd, rel_tol=FD_REL, abs_tol=FD_ABS), (p.name, g, fd)
        n += 1
    assert n == sum(lt.W.size + lt.b.size for lt in it.layers)
    return n


def check_against_sympy(cfg, it) -> int:
    names = Names(cfg)
    n = 0
    for p in names.params:
        g = traced_gradient(it, p)
        exact = oracles.sympy_gradient(cfg, it, p)
        assert exact is not None
        assert math.isclose(g, exact, rel_tol=SYMPY_REL, abs_tol=SYMPY_ABS), (p.name, g, exact)
        n += 1
    return n


# ---------------------------------------------------------------- gradients

@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(networks())
def test_gradients_match_finite_differences(config):
    cfg, run = traced_run(config)
    for it in run.iterations:
        assume(away_from_kinks(cfg, it))
        # central differences lose digits when the loss is large; keep to where they are accurate
        assume(it.loss < 20)
        check_against_finite_differences(cfg, it)


# each example checks every gradient against sympy: a twentieth of the profile's examples
@settings(max_examples=max(1, settings.default.max_examples // 20), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(networks(max_hidden=2, max_width=2, max_inputs=2, max_samples=2))
def test_gradients_match_sympy(config):
    assume(param_count(config) <= 12)
    cfg, run = traced_run(config, iterations=1)
    it = run.iterations[0]
    assume(away_from_kinks(cfg, it))
    check_against_sympy(cfg, it)


def _coverage_configs():
    """One small network for each (loss, output activation) pair, hidden activations and bias modes cycled."""
    combos = [(loss, act) for loss in ("half_sse", "sse", "mse") for act in ALL_ACTIVATIONS]
    combos += [("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid")]
    configs = []
    for k, (loss, out_act) in enumerate(combos):
        hidden = HIDDEN_ACTIVATIONS[k % len(HIDDEN_ACTIVATIONS)]
        n_out = 2
        targets = {"cross_entropy": [[0.0, 1.0], [0.7, 0.3]], "binary_cross_entropy": [[0.0, 1.0], [0.8, 0.3]]}.get(
            loss, [[0.01, 0.99], [-0.4, 0.6]])
        layers = [
            {"name": "i", "size": 2},
            {"name": "h", "size": 2, "activation": hidden, "bias": BIAS_MODES[k % 3]},
            {"name": "o", "size": n_out, "activation": out_act, "bias": BIAS_MODES[(k + 1) % 3]},
        ]
        if hidden == "leaky_relu":
            layers[1]["slope"] = 0.1
        if out_act == "leaky_relu":
            layers[2]["slope"] = 0.2
        biases = {}
        for layer, values in ((layers[1], [0.35, -0.2]), (layers[2], [0.6, -0.1])):
            if layer["bias"] == "shared":
                biases[layer["name"]] = values[0]
            elif layer["bias"] == "per_neuron":
                biases[layer["name"]] = values
        configs.append(pytest.param({
            "layers": layers,
            "weights": {"h": [[0.15, -0.2], [0.25, 0.3]], "o": [[0.4, -0.45], [-0.5, 0.55]]},
            "biases": biases,
            "loss": loss,
            "learning_rate": 0.5,
            "data": [{"inputs": [0.05, 0.1], "targets": targets[0]}, {"inputs": [-0.3, 0.8], "targets": targets[1]}],
        }, id=f"{hidden}-{out_act}-{loss}"))
    return configs


@pytest.mark.parametrize("config", _coverage_configs())
def test_every_loss_and_activation_against_both_oracles(config):
    cfg, run = traced_run(config, iterations=1)
    it = run.iterations[0]
    assert away_from_kinks(cfg, it)
    assert check_against_finite_differences(cfg, it) == check_against_sympy(cfg, it) > 0


@pytest.mark.parametrize("name", ["mazur", "chain", "softmax", "minibatch", "adam"])
def test_bundled_examples_against_sympy(name):
    cfg = stepnet.load(name)
    run = train(cfg, iterations=2, trace="all")
    for it in run.iterations:
        check_against_finite_differences(cfg, it)
    check_against_sympy(cfg, run.iterations[-1])


def test_deep_example_against_both_oracles():
    cfg = stepnet.load("deep")
    it = train(cfg, iterations=1, trace="all").iterations[0]
    assert check_against_finite_differences(cfg, it) == 41
    # sympy for a few parameters from the first layer (the longest chain) to the last
    names = Names(cfg)
    for p in (names.lookup(n) for n in ("w1", "w6", "b1", "w12", "w20", "b8", "w25", "b11")):
        assert math.isclose(traced_gradient(it, p), oracles.sympy_gradient(cfg, it, p), rel_tol=SYMPY_REL,
                            abs_tol=SYMPY_ABS)


def test_the_oracles_catch_a_wrong_gradient():
    """Sanity check of the checks themselves: a perturbed gradient is rejected by both."""
    cfg = stepnet.load("mazur")
    it = train(cfg, iterations=1, trace="all").iterations[0]
    p = Names(cfg).lookup("w1")
    g = traced_gradient(it, p)
    wrong = g * (1 + 1e-4)
    assert not math.isclose(wrong, oracles.finite_difference(cfg, it, p), rel_tol=FD_REL, abs_tol=FD_ABS)
    assert not math.isclose(wrong, oracles.sympy_gradient(cfg, it, p), rel_tol=SYMPY_REL, abs_tol=SYMPY_ABS)


# ---------------------------------------------------------------- updates

# each example trains a network for two iterations: a fifth of the profile's examples
@settings(max_examples=settings.default.max_examples // 5, deadline=None)
@given(networks())
def test_sgd_update_is_value_minus_rate_times_gradient(config):
    cfg, run = traced_run(config, iterations=2)
    for it in run.iterations:
        for lt in it.layers:
            np.testing.assert_allclose(lt.W_after, lt.W - cfg.learning_rate * lt.gW, rtol=1e-15, atol=0)
            if cfg.train_biases:
                np.testing.assert_allclose(lt.b_after, lt.b - cfg.learning_rate * lt.gb, rtol=1e-15, atol=0)
            else:
                np.testing.assert_array_equal(lt.b_after, lt.b)


# -- an independent numpy network, written from the formulas --------------------------------

def _act(name, x, slope):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.where(x > 0, x, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, slope * x)
    if name == "identity":
        return x
    e = np.exp(x - x.max(axis=1, keepdims=True))  # softmax
    return e / e.sum(axis=1, keepdims=True)


def _act_prime(name, x, y, slope):
    return {"sigmoid": lambda: y * (1 - y), "tanh": lambda: 1 - y**2, "relu": lambda: (x > 0) * 1.0,
            "leaky_relu": lambda: np.where(x > 0, 1.0, slope), "identity": lambda: np.ones_like(x)}[name]()


def _loss(name, t, y, net):
    """Per-sample loss (B,) and ∂loss/∂y (B, n).

    The logarithms of sigmoid and softmax outputs are taken from the net input
    (ln σ(x) = −ln(1 + e^(−x)), ln softmax_k = x_k − ln Σ e^x): from the outputs they lose
    digits as soon as an output is within 1e-8 of 1.
    """
    n = t.shape[1]
    if name == "cross_entropy":
        log_y = net - np.logaddexp.reduce(net, axis=1, keepdims=True)
        return -(t * log_y).sum(1), -t / y
    if name == "binary_cross_entropy":
        log_y, log_1my = -np.logaddexp(0, -net), -np.logaddexp(0, net)
        return -(t * log_y + (1 - t) * log_1my).sum(1), (y - t) / (y * (1 - y))
    if name == "half_sse":
        return 0.5 * ((t - y) ** 2).sum(1), y - t
    if name == "sse":
        return ((t - y) ** 2).sum(1), 2 * (y - t)
    return ((t - y) ** 2).sum(1) / n, 2 * (y - t) / n  # mse


class Reference:
    def __init__(self, config: dict):
        self.c = config
        self.layers = config["layers"]
        self.W = [np.array(config["weights"][layer["name"]], dtype=float) for layer in self.layers[1:]]
        self.b = []
        for layer in self.layers[1:]:
            given_b = config["biases"].get(layer["name"])
            self.b.append(None if layer["bias"] == "none" else np.array(given_b, dtype=float).reshape(-1))
        opt = config.get("optimizer", {"name": "sgd"})
        self.opt = opt if isinstance(opt, dict) else {"name": opt}
        self.state = {}
        self.t = 0

    def forward(self, X):
        A, nets = [X], []
        for layer, W, b in zip(self.layers[1:], self.W, self.b, strict=True):
            net = A[-1] @ W.T + (b if b is not None else 0.0)
            nets.append(net)
            A.append(_act(layer["activation"], net, layer.get("slope", 0.01)))
        return nets, A

    def loss(self, X, T):
        nets, A = self.forward(X)
        return _loss(self.c["loss"], T, A[-1], nets[-1])[0].mean()

    def step(self, X, T):
        B = X.shape[0]
        nets, A = self.forward(X)
        per, dy = _loss(self.c["loss"], T, A[-1], nets[-1])
        grads = [None] * len(self.W)
        for li in range(len(self.W) - 1, -1, -1):
            layer, y = self.layers[li + 1], A[li + 1]
            if layer["activation"] == "softmax":  # δ_k = Σ_j dy_j · y_j (1[j=k] − y_k)
                delta = y * (dy - (dy * y).sum(1, keepdims=True))
            else:
                delta = dy * _act_prime(layer["activation"], nets[li], y, layer.get("slope", 0.01))
            gW = delta.T @ A[li] / B
            gb = None if self.b[li] is None else (delta.mean(0) if layer["bias"] == "per_neuron"
                                                  else delta.sum(1).mean(keepdims=True))
            grads[li] = (gW, gb)
            dy = delta @ self.W[li]
        self.t += 1
        for li, (gW, gb) in enumerate(grads):
            self.W[li] = self._apply(("W", li), self.W[li], gW)
            if gb is not None and self.c.get("train_biases", True):
                self.b[li] = self._apply(("b", li), self.b[li], gb)
        return per.mean()

    def _apply(self, key, p, g):
        lr, o = self.c["learning_rate"], self.opt
        if o["name"] == "sgd":
            return p - lr * g
        if o["name"] == "momentum":
            v = o.get("momentum", 0.9) * self.state.get(key, 0.0) - lr * g
            self.state[key] = v
            return p + v
        b1, b2, eps = o.get("beta1", 0.9), o.get("beta2", 0.999), o.get("epsilon", 1e-8)
        m, v = self.state.get(key, (0.0, 0.0))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        self.state[key] = (m, v)
        m_hat, v_hat = m / (1 - b1**self.t), v / (1 - b2**self.t)
        return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def reference_run(config: dict, iterations: int):
    ref = Reference(config)
    X = np.array([s["inputs"] for s in config["data"]], dtype=float)
    T = np.array([s["targets"] for s in config["data"]], dtype=float)
    n, B = len(X), config.get("batch_size", len(X))
    seed = config.get("shuffle", {}).get("seed")
    rng = np.random.default_rng(seed) if seed is not None else None
    batches = []
    while len(batches) < iterations:  # every epoch a fresh permutation (or file order), cut into batches
        order = rng.permutation(n) if rng is not None else np.arange(n)
        batches += [order[k:k + B] for k in range(0, n, B)]
    losses = [ref.step(X[idx], T[idx]) for idx in batches[:iterations]]
    return ref, losses, ref.loss(X, T)


def assert_matches_reference(config: dict, iterations: int, rtol: float = 1e-10):
    run = stepnet.run(config, iterations, trace="first")
    ref, losses, final = reference_run(config, iterations)
    np.testing.assert_allclose(run.losses, losses, rtol=rtol, atol=1e-13)
    W, b = run.trace.final_params
    for li in range(len(W)):
        np.testing.assert_allclose(W[li], ref.W[li], rtol=rtol, atol=1e-12)
        if ref.b[li] is not None:
            np.testing.assert_allclose(b[li], ref.b[li], rtol=rtol, atol=1e-12)
        else:
            assert b[li].size == 0
    assert run.final_loss == pytest.approx(final, rel=rtol, abs=1e-13)


# each example trains two implementations: a fifth of the profile's examples
@settings(max_examples=settings.default.max_examples // 5, deadline=None)
@given(networks(optimizers=("sgd", "momentum", "adam")), st.integers(3, 6))
def test_training_matches_an_independent_implementation(config, iterations):
    out = config["layers"][-1]
    if out["activation"] == "softmax" and out["bias"] == "shared" and config.get("optimizer", {}).get("name") == "adam":
        # softmax is shift-invariant, so a shared bias on it has gradient exactly 0; both implementations
        # compute rounding noise (~1e-17), which adam divides by ε and turns into different steps of ~1e-10
        assume(False)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        ref_losses = reference_run(config, iterations)[1]
    assume(all(math.isfinite(v) and v < 1e3 for v in ref_losses))
    if any(layer["activation"] in KINKED for layer in config["layers"][1:]):
        # a net input within rounding of 0 may take the other branch in either implementation
        cfg, run = traced_run(config, iterations)
        assume(all(away_from_kinks(cfg, it, margin=1e-9) for it in run.iterations))
    assert_matches_reference(config, iterations)


@pytest.mark.parametrize("name", ["minibatch", "adam", "mazur", "xor"])
def test_bundled_examples_match_the_reference(name):
    import yaml

    config = yaml.safe_load(stepnet.example(name).read_text(encoding="utf-8"))
    cfg = stepnet.load(name)
    if "weights" not in config:  # seeded: take the drawn initial weights from the engine
        W, b = train(cfg, iterations=1, trace="first").initial
        config["weights"] = {layer.name: w.tolist() for layer, w in zip(cfg.layers[1:], W, strict=True)}
        config["biases"] = {layer.name: bb.tolist() for layer, bb in zip(cfg.layers[1:], b, strict=True) if bb.size}
    for layer in config["layers"][1:]:
        layer.setdefault("bias", "per_neuron")
        layer.setdefault("activation", "sigmoid")
    assert_matches_reference(config, 6 if name != "xor" else 200)


def test_momentum_by_hand():
    """Two momentum steps on a single weight, written out."""
    config = {"layers": [{"name": "i", "size": 1}, {"name": "o", "size": 1, "activation": "identity", "bias": "none"}],
              "weights": {"o": [[0.5]]}, "loss": "half_sse", "learning_rate": 0.1,
              "optimizer": {"name": "momentum", "momentum": 0.9}, "data": [{"inputs": [2.0], "targets": [3.0]}]}
    run = stepnet.run(config, 2)
    # E = ½(3 − 2w)², dE/dw = −2(3 − 2w)
    w, v = 0.5, 0.0
    for _ in range(2):
        g = -2 * (3 - 2 * w)
        v = 0.9 * v - 0.1 * g
        w = w + v
    assert run.trace.final_params[0][0][0, 0] == pytest.approx(w, rel=1e-15)
    assert w == pytest.approx(0.5 + 0.4 + (0.9 * 0.4 + 0.1 * 2 * (3 - 1.8)), rel=1e-15)


def test_adam_first_step_moves_by_the_learning_rate():
    """With m̂ = g and v̂ = g² at t = 1, every parameter moves by η·g/(|g| + ε) ≈ ±η."""
    run = stepnet.run("adam", 1)
    it = run.trace.iterations[0]
    eps = run.config.optimizer.epsilon
    lr = run.config.learning_rate
    for lt in it.layers:
        expected = lt.W - lr * lt.gW / (np.abs(lt.gW) + eps)
        np.testing.assert_allclose(lt.W_after, expected, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- worked lines

def _all_lines(it, names: Names) -> list[Line]:
    d = Deriver(it, names, Formatter())
    cfg = names.config
    top = len(cfg.layers) - 1
    lines: list[Line] = []
    for s in range(it.batch_size):
        for li in range(1, top + 1):
            for j in range(cfg.layers[li].size):
                lines += [d.net_line(li, j, s), d.out_line(li, j, s)]
        lines += d.error_lines(s)
        for li in range(top, 0, -1):
            for j in range(cfg.layers[li].size):
                lines += d.neuron_backward_lines(li, j, s)
        for p in names.params:
            lines += d.gradient_lines(p, s)
    for p in names.params:
        batch = d.batch_gradient_line(p)
        if batch is not None:
            lines.append(batch)
        lines += d.update_lines(p)
    return lines


def _report_lines(run, names) -> list[Line]:
    report = build_report(run, names, Formatter())
    return [ln for ir in report.iterations for sec in ir.sections for blk in sec.blocks for ln in blk.lines]


def _contains_text(e: Expr) -> bool:
    return isinstance(e, Text) or any(_contains_text(c) for c in e.children())


def check_lines(lines: list[Line]) -> int:
    checked = 0
    for ln in lines:
        if ln.value is None:
            continue
        expr = ln.numeric if ln.numeric is not None else (ln.forms[-1].numeric() if ln.forms else None)
        if expr is None or _contains_text(expr):
            continue
        assert not has_symbols(expr), ln
        got = expr.evaluate()
        assert math.isclose(got, ln.value, rel_tol=1e-12, abs_tol=1e-15), (ln.lhs, got, ln.value)
        checked += 1
    return checked


def _config_with(name, **changes):
    return dataclasses.replace(stepnet.load(name), **changes)


@pytest.mark.parametrize(
    "config, iterations",
    [
        pytest.param("mazur", 1, id="mazur"),
        pytest.param(lambda: _config_with("mazur", hidden_deltas_use="updated_weights"), 1, id="mazur-updated"),
        pytest.param("deep", 1, id="deep"),
        pytest.param("softmax", 2, id="softmax"),
        pytest.param("chain", 2, id="chain"),
        pytest.param("minibatch", 3, id="minibatch-momentum"),
        pytest.param("adam", 2, id="adam"),
        pytest.param("xor", 2, id="xor"),
    ],
)
def test_every_worked_line_evaluates_to_its_value(config, iterations):
    cfg = stepnet.load(config() if callable(config) else config)
    run = train(cfg, iterations=iterations, trace="all")
    names = Names(cfg)
    total = 0
    for it in run.iterations:
        lines = _all_lines(it, names)
        assert len(lines) > 0
        total += check_lines(lines)
    printed = _report_lines(run, names)
    assert check_lines(printed) > 0
    # every parameter has at least a gradient and an update line checked
    assert total >= 2 * len(names.params) * len(run.iterations)


def test_classic_lines_count():
    """The classic example: 4 forward lines per layer, 3 error lines, and the rest, all checked."""
    cfg = stepnet.load("mazur")
    it = train(cfg, iterations=1, trace="all").iterations[0]
    lines = _all_lines(it, Names(cfg))
    # numeric forms exist for everything but bare numbers, e.g. the frozen biases "b1⁺ = b1"
    assert check_lines(lines) == len(lines)


# each example derives and checks every worked line: a fifth of the profile's examples
@settings(max_examples=settings.default.max_examples // 5, deadline=None)
@given(networks(optimizers=("sgd", "momentum", "adam")))
def test_worked_lines_of_generated_networks(config):
    cfg, run = traced_run(config, iterations=2)
    names = Names(cfg)
    for it in run.iterations:
        assert check_lines(_all_lines(it, names)) > 0


# ---------------------------------------------------------------- the oracles' own error bounds

@pytest.mark.parametrize("config", _coverage_configs() + [pytest.param(n, id=n) for n in ("mazur", "deep", "softmax")])
def test_finite_difference_bounds_hold_against_sympy(config):
    """Each central difference is within its stated bound of sympy's exact slope.

    The bound covers truncation and the loss's rounding; ``rounding`` adds what the rounded
    outputs shift the slope of the float64 loss by.
    """
    cfg = stepnet.load(config)
    it = train(cfg, iterations=1, trace="all").iterations[0]
    for p in Names(cfg).params:
        fd = oracles.finite_difference_estimate(cfg, it, p)
        exact = oracles.sympy_gradient(cfg, it, p)
        assert abs(fd.value - exact) <= fd.error + fd.rounding, (p.name, fd, exact)
        assert fd.error <= 11 * oracles.FD_RELATIVE * abs(fd.value) or fd.error < 1e-12, (p.name, fd)


def test_symbolic_slope_is_forward_mode_not_the_engine():
    """sympy's slope does not read the trace's δ or gradients: scrambling them changes nothing."""
    cfg = stepnet.load("mazur")
    it = train(cfg, iterations=1, trace="all").iterations[0]
    p = Names(cfg).lookup("w1")
    before = oracles.sympy_gradient(cfg, it, p), oracles.finite_difference(cfg, it, p)
    scrambled = dataclasses.replace(it, layers=[dataclasses.replace(lt, delta=lt.delta * 7, gW=lt.gW * 3, gb=lt.gb + 1,
                                                                    dE_dout=lt.dE_dout - 2) for lt in it.layers])
    assert (oracles.sympy_gradient(cfg, scrambled, p), oracles.finite_difference(cfg, scrambled, p)) == before
