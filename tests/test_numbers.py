"""The classic worked example's numbers, to the last of nine decimals.

Every expected value below is the true value of the classic 2-2-2 sigmoid network
(inputs 0.05, 0.10; targets 0.01, 0.99; w1..w8 = 0.15 .. 0.55; shared biases 0.35 and
0.60, not trained; learning rate 0.5), rounded to nine decimals.  Each was checked
against a 40-digit mpmath evaluation of the same formulas and agrees with the published
tutorial where the tutorial is right.  Values are compared after rounding to nine
decimals, i.e. |x − value| ≤ 5e-10 (plus a hair for the binary representation).

The few values that depend on stepnet's own conventions (the 10,000-iteration loss,
the updated-weights variant) are recomputed here by short independent numpy loops.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import stepnet
from stepnet.engine.training import train

HALF_ULP_9 = 5e-10 + 1e-12  # "equal when rounded to 9 decimals"


def close9(x: float, value: float) -> bool:
    return abs(float(x) - value) <= HALF_ULP_9


@pytest.fixture(scope="module")
def classic():
    return stepnet.run("mazur", 1)


@pytest.fixture(scope="module")
def it1(classic):
    return classic.iterations[0]


# -- forward pass ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "neuron, field, value",
    [
        ("h1", "net", 0.3775),
        ("h1", "out", 0.593269992),
        ("h2", "out", 0.596884378),
        ("o1", "net", 1.105905967),
        ("o1", "out", 0.751365070),
        ("o2", "net", 1.224921404),
        ("o2", "out", 0.772928465),
    ],
)
def test_forward_pass(it1, neuron, field, value):
    got = getattr(it1.neuron(neuron), field)
    assert len(got) == 1
    assert close9(got[0], value), (neuron, field, got[0])


def test_net_h1_is_exactly_0_3775(it1):
    # 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775: exact up to binary rounding
    assert it1.neuron("h1").net[0] == pytest.approx(0.3775, abs=1e-15)


def test_total_error(it1):
    assert close9(it1.loss, 0.298371109)
    assert close9(it1.trace.sample_losses[0], 0.298371109)
    assert close9(it1.trace.loss_terms.sum(), 0.298371109)


# -- backward pass ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "neuron, value",
    [("o1", 0.138498562), ("o2", -0.038098237), ("h1", 0.008771355), ("h2", 0.009954255)],
)
def test_deltas(it1, neuron, value):
    assert close9(it1.neuron(neuron).delta[0], value)


@pytest.mark.parametrize("name, value", [("w5", 0.082167041), ("w1", 0.000438568)])
def test_gradients(it1, name, value):
    assert close9(it1.parameter(name).gradient, value)


def test_gradient_by_any_name(it1):
    # the same weight by its flat name, its indexed alias and its arrow name
    assert it1.parameter("w5").gradient == it1.parameter("h1->o1").gradient


@pytest.mark.parametrize(
    "name, value",
    [
        ("w1", 0.149780716), ("w2", 0.199561432), ("w3", 0.249751144), ("w4", 0.299502287),
        ("w5", 0.358916480), ("w6", 0.408666186), ("w7", 0.511301270), ("w8", 0.561370121),
    ],
)
def test_updated_weights(it1, name, value):
    assert close9(it1.parameter(name).updated, value)


def test_biases_not_trained(it1):
    for name, value in (("b1", 0.35), ("b2", 0.60)):
        p = it1.parameter(name)
        assert p.updated == p.value == value
        assert p.gradient != 0  # computed, just not applied


def test_error_after_the_update(classic, it1):
    assert close9(it1.loss_after, 0.291027774)
    assert close9(classic.final_loss, 0.291027774)


# -- many iterations --------------------------------------------------------------------

def _classic_numpy_losses(n: int) -> list[float]:
    """An independent full-batch loop for the classic network: the loss before each update."""
    x = np.array([0.05, 0.10])
    t = np.array([0.01, 0.99])
    W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
    W2 = np.array([[0.40, 0.45], [0.50, 0.55]])
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    losses = []
    for _ in range(n):
        h = sig(W1 @ x + 0.35)
        o = sig(W2 @ h + 0.60)
        losses.append(0.5 * float(np.sum((t - o) ** 2)))
        d_o = (o - t) * o * (1 - o)
        d_h = (W2.T @ d_o) * h * (1 - h)
        W2 = W2 - 0.5 * np.outer(d_o, h)
        W1 = W1 - 0.5 * np.outer(d_h, x)
    return losses


def test_ten_thousand_iterations():
    run = stepnet.run("mazur", 10_000)
    assert len(run.losses) == 10_000
    # the tutorial: "after 10,000 iterations ... the error plummets to 0.0000351085"
    assert round(run.losses[-1], 10) == 0.0000351085
    assert abs(run.losses[-1] - 3.5108548e-05) <= 5e-13  # 3.5108548e-05 to 8 significant digits
    reference = _classic_numpy_losses(10_000)
    assert run.losses[-1] == pytest.approx(reference[-1], rel=1e-10)
    assert run.losses[0] == pytest.approx(reference[0], rel=1e-12)
    assert run.losses[4999] == pytest.approx(reference[4999], rel=1e-10)
    # the loss falls every single iteration on this problem
    assert all(b < a for a, b in zip(run.losses, run.losses[1:], strict=False))
    assert run.final_loss < run.losses[-1]


# -- hand mode --------------------------------------------------------------------------

def test_hand_mode_path_term():
    """δ_o2·w7: hand mode rounds δ_o2 to −0.038098237 first, so the product is −0.0190491185 → −0.019049119."""
    full = stepnet.run("mazur", 1).traced(1)
    hand = stepnet.run("mazur", 1, carry=9).traced(1)
    # path_terms(layer h, neuron h1, sample 0): [δ_o1·w5, δ_o2·w7]
    assert hand.path_terms(1, 0, 0)[1] == -0.019049119
    assert round(float(full.path_terms(1, 0, 0)[1]), 9) == -0.019049118
    assert hand.layer(2).delta[0, 1] == -0.038098237
    assert hand.carry == 9 and full.carry is None


def test_hand_mode_rounds_every_value():
    hand = stepnet.run("mazur", 1, carry=9).traced(1)
    for lt in hand.layers:
        for arr in (lt.net, lt.out, lt.delta, lt.dE_dout, lt.dout_dnet, lt.gW, lt.W_after):
            assert np.array_equal(np.round(arr, 9), arr) or np.allclose(np.round(arr, 9), arr, rtol=0, atol=1e-15)


def _arrays(it):
    out = [it.loss_terms, it.sample_losses, np.array([it.loss])]
    for lt in it.layers:
        out += [lt.net, lt.out, lt.dE_dout, lt.dout_dnet, lt.delta, lt.gW, lt.gb, lt.W_after, lt.b_after]
    return out


@pytest.mark.parametrize("config", ["mazur", "softmax", "deep"])
def test_large_carry_equals_full_precision(config):
    full = stepnet.run(config, 3, trace="all")
    hand = stepnet.run(config, 3, trace="all", carry=15)
    for a, b in zip(full.trace.iterations, hand.trace.iterations, strict=True):
        for x, y in zip(_arrays(a), _arrays(b), strict=True):
            np.testing.assert_allclose(y, x, rtol=0, atol=1e-12)
    assert hand.final_loss == pytest.approx(full.final_loss, abs=1e-12)


# -- hidden deltas from the updated weights ----------------------------------------------

def _classic_one_step_loss(updated_first: bool) -> float:
    """One update of the classic network by hand, then its loss.

    updated_first: the hidden δ are sent back through w5..w8 *after* their update,
    the order some tutorials' numbers were computed in.
    """
    x = np.array([0.05, 0.10])
    t = np.array([0.01, 0.99])
    W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
    W2 = np.array([[0.40, 0.45], [0.50, 0.55]])
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    h = sig(W1 @ x + 0.35)
    o = sig(W2 @ h + 0.60)
    d_o = (o - t) * o * (1 - o)
    W2_new = W2 - 0.5 * np.outer(d_o, h)
    d_h = ((W2_new if updated_first else W2).T @ d_o) * h * (1 - h)
    W1_new = W1 - 0.5 * np.outer(d_h, x)
    o = sig(W2_new @ sig(W1_new @ x + 0.35) + 0.60)
    return 0.5 * float(np.sum((t - o) ** 2))


def test_updated_weights_variant():
    cfg = stepnet.load("mazur")
    standard = stepnet.run(cfg, 1)
    variant = stepnet.run(dataclasses.replace(cfg, hidden_deltas_use="updated_weights"), 1)
    # forward pass and output layer are identical; only the hidden δ (and so w1..w4) differ
    assert variant.iterations[0].loss == standard.iterations[0].loss
    for name in ("w5", "w6", "w7", "w8"):
        assert variant.iterations[0].parameter(name).updated == standard.iterations[0].parameter(name).updated
    for name in ("w1", "w2", "w3", "w4"):
        assert variant.iterations[0].parameter(name).updated != standard.iterations[0].parameter(name).updated
    # the loss after the update differs in the seventh decimal
    assert close9(standard.final_loss, 0.291027774)
    assert close9(variant.final_loss, 0.291027924)  # the figure the tutorial printed
    assert variant.final_loss == pytest.approx(_classic_one_step_loss(True), rel=1e-12)
    assert standard.final_loss == pytest.approx(_classic_one_step_loss(False), rel=1e-12)
    diff = variant.final_loss - standard.final_loss
    assert 1e-7 < diff < 2e-7


def test_updated_weights_variant_traces_the_weights_used():
    cfg = dataclasses.replace(stepnet.load("mazur"), hidden_deltas_use="updated_weights")
    run = train(cfg, iterations=1, trace="all")
    top = run.iterations[0].layer(2)
    np.testing.assert_array_equal(top.W_backprop, top.W_after)
    assert not np.array_equal(top.W_backprop, top.W)
    # δ_h1 = (δ_o1·w5⁺ + δ_o2·w7⁺)·out_h1(1 − out_h1)
    it = run.iterations[0]
    h = it.layer(1).out[0]
    expected = (top.delta[0] @ top.W_after) * h * (1 - h)
    np.testing.assert_allclose(it.layer(1).delta[0], expected, rtol=1e-15)


# -- the other bundled examples' headline numbers ------------------------------------------------

def test_chain_example_by_hand():
    """out_h = 0.5·2 + 0.5 = 1.5, out_o = 2·1.5 − 1 = 2, E = ½(1 − 2)² = 0.5; δ_o = 1, δ_h = δ_o·w2 = 2."""
    run = stepnet.run("chain", 2)
    it = run.iterations[0]
    assert it.loss == 0.5
    assert [it.parameter(n).gradient for n in ("w1", "b1", "w2", "b2")] == [4.0, 2.0, 1.5, 1.0]
    assert [it.parameter(n).updated for n in ("w1", "b1", "w2", "b2")] == pytest.approx([0.3, 0.4, 1.925, -1.05],
                                                                                         abs=1e-15)
    # after one update: out_h = 0.3·2 + 0.4 = 1, out_o = 1.925 − 1.05 = 0.875, E = ½·0.125²
    assert run.losses[1] == pytest.approx(0.0078125, abs=1e-15)
    assert it.loss_after == pytest.approx(0.0078125, abs=1e-15)


def test_xor_example_learns_xor():
    run = stepnet.run("xor")
    assert run.trace.done == 2000
    out = run.trace.final_outputs[:, 0]
    targets = np.array([s.targets[0] for s in run.config.data])
    np.testing.assert_array_equal(targets, [0, 1, 1, 0])
    assert np.all((out > 0.5) == (targets == 1)), out
    # and clearly so, as the file's comment says
    assert np.all(out[targets == 0] < 0.1) and np.all(out[targets == 1] > 0.9), out
    assert run.final_loss < 0.01 < run.losses[0]
