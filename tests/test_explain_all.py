"""explain works for every weight, bias and neuron of every bundled example, and its numbers hold.

Each derivation line's substituted expression is evaluated again and must give the value
the line shows; the check block must agree with the chain rule.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest

import stepnet
from stepnet.derive.derivation import Formatter
from stepnet.derive.explain import explain

EXAMPLES = stepnet.example_names()


def _evaluates(line) -> bool:
    if line.numeric is None or line.value is None:
        return True
    try:
        value = line.numeric.evaluate()
    except ValueError:  # a long sum shown with an ellipsis
        return True
    return math.isclose(value, line.value, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_name_explains(name):
    run = stepnet.run(stepnet.example(name), 2, trace="all")
    it = run.trace.iterations[-1]
    for target in run.names.valid_names()[:60]:
        d = explain(it, run.names, target, Formatter(), check=False)
        lines = [ln for b in d.blocks for ln in b.lines]
        assert all(_evaluates(ln) for ln in lines), target
        assert d.blocks, target


@pytest.mark.parametrize("name", EXAMPLES)
def test_check_block_agrees(name):
    run = stepnet.run(stepnet.example(name), 1)
    first = run.names.params[0].name
    text = str(run.explain(first))
    assert "✓ both agree with the chain rule" in text


def test_explain_in_markdown_for_a_hidden_weight():
    run = stepnet.run(stepnet.example("mazur"))
    md = run.explain("w1").to_markdown("github")
    assert "```math" in md and r"\frac{\partial E_{\mathrm{total}}}{\partial w_{1}}" in md


# ---------------------------------------------------------------- fused output chains, derived in full

def _shown(fmt, x: float) -> Decimal:
    """A number exactly as the line prints it."""
    return Decimal(fmt(x))


def _rounded(x: Decimal, places: int = 9) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _printed_result(fmt, line) -> Decimal:
    """What the line says its shown numbers give: its value, or the † result when that differs."""
    return Decimal(line.shown_result) if line.shown_result else _shown(fmt, line.value)


def _lines(run, name):
    d = run.explain(name, check=False).derivation
    return [ln for b in d.blocks for ln in b.lines]


def _products(numeric) -> list[tuple[float, ...]]:
    """The factors of each term of a sum of products, as the numeric tree holds them."""
    from stepnet.derive.expr import Add, Mul, Num, Paren

    def factors(e):
        e = e.args[0] if isinstance(e, Paren) else e
        return tuple(a.value for a in e.args) if isinstance(e, Mul) else (e.value,) if isinstance(e, Num) else None

    terms = numeric.args if isinstance(numeric, Add) else (numeric,)
    return [factors(t) for t in terms]


@pytest.mark.parametrize("j", [0, 1, 2])
def test_softmax_cross_entropy_delta_is_derived_before_the_shortcut(j):
    """∂E/∂out_k = −t_k/out_k and the Jacobian sum come first; each step's shown numbers give its shown result."""
    run = stepnet.run(stepnet.example("softmax"), 1)
    it, fmt = run.trace.iterations[0], run.fmt
    top = it.layer(2)
    lines = _lines(run, f"o{j + 1}")
    deltas = [ln for ln in lines if getattr(ln.lhs, "key", None) == ("delta", 2, j)]
    assert len(deltas) == 3 * 3  # per sample: the Jacobian sum, the sum reduced, the shortcut
    for s in range(3):
        full, reduced, shortcut = deltas[3 * s: 3 * s + 3]
        out, t = top.out[s], it.T[s]
        # the sum over the Jacobian: each term ∂E/∂out_k · out_k(δ_kj − out_j), from the engine's own values
        terms = _products(full.numeric)
        for k, (dE, jac) in enumerate(terms):
            assert dE == top.dE_dout[s, k] and dE == (-t[k] / out[k] if t[k] else 0.0)
            assert jac == pytest.approx(out[k] * ((k == j) - out[j]), rel=1e-15, abs=1e-18)
        assert full.value == pytest.approx(top.delta[s, j], rel=1e-12, abs=1e-15)
        assert _rounded(sum(_shown(fmt, a) * _shown(fmt, b) for a, b in terms)) == _printed_result(fmt, full)
        # out_j·Σt − t_j, then out_j − t_j: exact in the printed numbers
        t_sum = sum(_shown(fmt, x) for x in t)
        assert t_sum == 1
        assert _rounded(_shown(fmt, out[j]) * t_sum - _shown(fmt, t[j])) == _printed_result(fmt, reduced)
        assert _shown(fmt, out[j]) - _shown(fmt, t[j]) == _shown(fmt, shortcut.value) == _shown(fmt, top.delta[s, j])
        assert "the targets sum to 1" in shortcut.note


def test_the_softmax_reduction_holds_in_symbols():
    """Σ_k (−t_k/o_k)·o_k(δ_kj − o_j) = o_j·Σ t − t_j, by sympy, for three classes."""
    import sympy as sp

    o, t = sp.symbols("o1:4", positive=True), sp.symbols("t1:4")
    for j in range(3):
        total = sum(-t[k] / o[k] * o[k] * (int(k == j) - o[j]) for k in range(3))
        assert sp.simplify(total - (o[j] * sum(t) - t[j])) == 0


def test_softmax_explain_lists_only_factors_in_the_chain():
    """No lone ∂out_j/∂net_j factor of a diagonal: the Jacobian row of every output is there instead."""
    run = stepnet.run(stepnet.example("softmax"), 1)
    text = str(run.explain("w8", check=False))
    assert "the diagonal of the softmax Jacobian" not in text
    assert "∂E⁽¹⁾/∂out_o2 = −(target_o2/out_o2)" in text
    assert "∂out_o3/∂net_o1 = −(out_o3·out_o1)" in text
    assert text.index("∂out_o3/∂net_o1") < text.index("δ_o1 = out_o1 − target_o1")


def _bce_config(targets=(0.25, 1.0)) -> dict:
    return {"name": "bce", "layers": [{"name": "i", "size": 2}, {"name": "h", "size": 2, "activation": "tanh"},
                                      {"name": "o", "size": 2, "activation": "sigmoid"}],
            "init": {"method": "xavier", "seed": 1}, "loss": "binary_cross_entropy", "learning_rate": 0.5,
            "data": [{"inputs": [0.05, 0.1], "targets": list(targets)}]}


@pytest.mark.parametrize("j", [0, 1])
def test_sigmoid_binary_cross_entropy_delta_is_derived_before_the_shortcut(j):
    run = stepnet.run(_bce_config(), 1)
    it, fmt = run.trace.iterations[0], run.fmt
    top = it.layer(2)
    lines = _lines(run, f"o{j + 1}")
    chain, expanded = [ln for ln in lines if getattr(ln.lhs, "key", None) == ("delta", 2, j)]
    (dE, slope), = _products(chain.numeric)
    out, t = top.out[0, j], it.T[0, j]
    assert dE == top.dE_dout[0, j] == pytest.approx(-t / out + (1 - t) / (1 - out), rel=1e-14)
    assert slope == top.dout_dnet[0, j] == pytest.approx(out * (1 - out), rel=1e-15)
    assert chain.value == pytest.approx(top.delta[0, j], rel=1e-12, abs=1e-15)
    assert _rounded(_shown(fmt, dE) * _shown(fmt, slope)) == _printed_result(fmt, chain)
    o_, t_ = _shown(fmt, out), _shown(fmt, t)
    assert -t_ * (1 - o_) + (1 - t_) * o_ == o_ - t_ == _shown(fmt, expanded.value)  # exact: the t·out terms cancel
    assert "for any target" in expanded.note


def test_targets_must_add_up_to_exactly_one_for_the_shortcut():
    """δ = out − target holds only when the targets add up to 1, so a config whose sum is off is refused;
    soft targets that add up to 1 as written get the shortcut, derived from the full sum."""
    cfg = {"name": "third", "layers": [{"name": "i", "size": 1}, {"name": "o", "size": 3, "activation": "softmax"}],
           "weights": {"o": [[0.1], [0.2], [0.3]]}, "biases": {"o": [0, 0, 0]}, "loss": "cross_entropy",
           "learning_rate": 0.5, "data": [{"inputs": [1.0], "targets": [0.3333333, 0.3333333, 0.3333333]}]}
    with pytest.raises(stepnet.ConfigError, match="add up to exactly 1"):
        stepnet.run(cfg, 1)
    cfg["data"][0]["targets"] = [0.3333333, 0.3333333, 0.3333334]
    run = stepnet.run(cfg, 1)
    it = run.trace.iterations[0]
    lines = _lines(run, "o1")
    deltas = [ln for ln in lines if getattr(ln.lhs, "key", None) == ("delta", 1, 0)]
    out = it.layer(1).out[0, 0]
    assert deltas[-1].value == pytest.approx(out - 0.3333333, rel=1e-12) == it.layer(1).delta[0, 0]
    assert "the targets sum to 1" in deltas[-1].note


@pytest.mark.parametrize("config", ["softmax", "bce"])
def test_every_fused_gradient_agrees_with_both_oracles(config):
    run = stepnet.run(stepnet.example(config) if config != "bce" else _bce_config(), 1)
    for p in run.names.params:
        check = run.explain(p.name).derivation.blocks[-1]
        assert check.verdict == "agree", (p.name, check.text)
        assert all(o.agrees for o in check.oracles if o.value is not None)
