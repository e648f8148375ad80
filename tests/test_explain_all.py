"""explain works for every weight, bias and neuron of every bundled example, and its numbers hold.

Each derivation line's substituted expression is evaluated again and must give the value
the line shows; the check block must agree with the chain rule.
"""

from __future__ import annotations

import math

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
