"""Iteration.value: every number of a worked iteration by name, equal to the engine's own arrays."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import stepnet
from stepnet.api import Iteration
from stepnet.derive.quantities import Quantity, computed_quantities, given_quantities, name
from stepnet.derive.quantity_names import quantity_name
from stepnet.errors import StepnetError, UsageError


def _from_arrays(q: Quantity, it) -> float:
    """The quantity read straight from the trace's arrays, without the quantities module."""
    s = 0 if q.sample is None else q.sample
    if q.kind == "out":
        return it.X[s, q.index] if q.layer == 0 else it.layer(q.layer).out[s, q.index]
    if q.kind in ("net", "dE_dout", "dout_dnet", "delta"):
        return getattr(it.layer(q.layer), q.kind)[s, q.index]
    if q.kind == "target":
        return it.T[s, q.index]
    if q.kind == "E":
        return it.loss_terms[s, q.index]
    if q.kind == "E_total":
        return it.loss
    if q.kind == "E_after":
        return it.loss_after
    if q.kind == "path":  # one path of the error back to this neuron: δ above × the weight between
        above = it.layer(q.layer + 1)
        return above.delta[s, q.other] * above.W_backprop[q.other, q.index]
    lt = it.layer(q.layer)
    p = q.param
    array = {"grad": lt.gW, "param": lt.W, "param+": lt.W_after}[q.kind] if p.kind == "weight" else \
        {"grad": lt.gb, "param": lt.b, "param+": lt.b_after}[q.kind]
    if p.kind == "weight":
        return array[p.to, p.source]
    return array[0] if p.to is None else array[p.to]


@pytest.mark.parametrize("example", stepnet.example_names())
def test_every_quantity_of_every_example_equals_the_trace(example):
    run = stepnet.run(example)
    it = run.iterations[0]
    batch = it.trace.batch_size
    checked = 0
    for q in [*given_quantities(run.names, batch), *computed_quantities(run.names, batch)]:
        expected = float(_from_arrays(q, it.trace))
        for text in {name(q, run.names), name(q, run.names, unicode=True), quantity_name(q, run.names)}:
            got = it.value(text)
            assert isinstance(got, float)
            assert got == expected or math.isclose(got, expected, rel_tol=1e-15, abs_tol=1e-300), (text, got, expected)
            checked += 1
    assert checked > 20


def test_the_path_terms_add_up_to_the_hidden_error_gradient():
    it = stepnet.run("mazur").iterations[0]
    total = it.value("dE_o1/dout_h1") + it.value("dE_o2/dout_h1")
    assert math.isclose(it.value("dE_total/dout_h1"), total, rel_tol=1e-15)


def test_a_sample_of_the_batch_is_picked_with_at():
    run = stepnet.run("xor")
    it, trace = run.iterations[0], run.iterations[0].trace
    for s in range(trace.batch_size):
        assert it.value(f"out_o1@{s + 1}") == trace.layer(2).out[s, 0]
        assert it.value(f"E_total@{s + 1}") == trace.sample_losses[s]
    assert it.value("out_o1") == it.value("out_o1@1")
    # the batch's loss is the mean of its samples' losses, and so its gradient the mean of theirs
    losses = [it.value(f"E_total@{s + 1}") for s in range(trace.batch_size)]
    assert math.isclose(it.value("E_total"), sum(losses) / len(losses), rel_tol=1e-15)
    shares = [it.value(f"dE_total/dw1@{s + 1}") for s in range(trace.batch_size)]
    assert math.isclose(it.value("dE_total/dw1"), sum(shares) / len(shares), rel_tol=1e-12)


def test_mazur_values_match_the_published_tutorial():
    it = stepnet.run("mazur").iterations[0]
    published = {"net_h1": 0.3775, "out_h1": 0.593269992, "out_o1": 0.75136507, "E_total": 0.298371109,
                 "dE_total/dw5": 0.082167041, "w5+": 0.35891648, "dE_total/dw1": 0.000438568, "w1+": 0.149780716}
    for text, number in published.items():
        places = len(str(number).split(".")[1])
        assert round(it.value(text), places) == number, text
    # net_h1 = w1·i1 + w2·i2 + b1 exactly as the tutorial adds it up
    assert it.value("net_h1") == pytest.approx(0.15 * 0.05 + 0.2 * 0.1 + 0.35, rel=1e-15)


def test_any_notation_names_the_same_number():
    mazur, nielsen = stepnet.run("mazur").iterations[0], stepnet.run("nielsen").iterations[0]
    assert mazur.value("dE_total/dw5") == mazur.value("dE_total/dh1->o1") == mazur.value("∂E_total/∂w5")
    assert nielsen.value("dE_total/dw5") == mazur.value("dE_total/dw5")


@pytest.mark.parametrize("text, words", [
    ("delta_o3", "did you mean 'delta_o2'"),
    ("zzz", "the closest is"),
    ("h1", "is a neuron"),
    ("out_o1@2", "names sample 2, but this iteration's batch has 1 sample"),
    ("out_o1@0", "numbered from 1"),
    ("w5+@1", "one number per iteration"),
])
def test_a_name_that_is_no_quantity_is_a_usage_error_naming_a_valid_one(text, words):
    it = stepnet.run("mazur").iterations[0]
    with pytest.raises(UsageError) as info:
        it.value(text)
    assert words in info.value.message
    assert info.value.hint


def test_a_name_that_is_not_a_string_is_a_usage_error():
    it = stepnet.run("mazur").iterations[0]
    with pytest.raises(StepnetError, match="named by a string"):
        it.value(5)


def test_the_examples_in_the_docstring_hold():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(Iteration.value, "Iteration.value", globs={}):
        runner.run(test)
    assert runner.summarize(verbose=False).attempted >= 4
    assert runner.summarize(verbose=False).failed == 0


def test_values_are_full_precision_floats():
    it = stepnet.run("mazur").iterations[0]
    assert it.value("out_o1") == float(np.float64(it.trace.layer(2).out[0, 0]))
    assert it.value("out_o1") != round(it.value("out_o1"), 9)


def test_a_gradient_is_the_slope_of_the_loss():
    """dE_total/dw5 against a central finite difference of E_total in w5 (o's weight from h1)."""
    import yaml

    raw = yaml.safe_load(stepnet.example("mazur").read_text(encoding="utf-8"))

    def loss(shift: float) -> float:
        weights = {k: [list(row) for row in v] for k, v in raw["weights"].items()}
        weights["o"][0][0] += shift
        return stepnet.run({**raw, "weights": weights}).iterations[0].value("E_total")

    h = 1e-6
    slope = (loss(h) - loss(-h)) / (2 * h)
    assert stepnet.run("mazur").iterations[0].value("dE_total/dw5") == pytest.approx(slope, abs=1e-9)
