"""Every activation and loss: display formula, numeric value, numeric derivative and sympy form agree.

For each entry of ``functions.ACTIVATIONS`` and ``functions.LOSSES``:
  * the display formulas (``formula``/``derivative_formula``, ``term_formula``/
    ``derivative_formula``), turned into sympy with ``Expr.to_sympy``, equal sympy's own
    differentiation of the entry's sympy form;
  * the numeric derivative equals a central finite difference of the numeric value;
  * the numeric forms stay finite, without RuntimeWarnings, at saturation.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sympy as sp

from stepnet.derive.expr import Sym
from stepnet.engine.functions import ACTIVATIONS, LOSSES, loss_terms_from_net, softmax_delta

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.derivative is not None]
SLOPE = 0.01
# points away from the kink of relu and leaky relu at 0
POINTS = [-3.0, -1.7, -0.6, -0.05, 0.05, 0.3, 0.9, 2.2, 4.0]

NET = Sym(("net",), "net", "net", "net")
OUT = Sym(("out",), "out", "out", "out")
TARGET = Sym(("target",), "target", "target", "target")


def test_every_function_is_covered():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"}
    assert set(LOSSES) == {"half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy"}


def _numeric_equal(a, b, x, points, tol=1e-12):
    for p in points:
        va = complex(a.subs(x, p).evalf(30))
        vb = complex(b.subs(x, p).evalf(30))
        assert abs(va - vb) <= tol * max(1.0, abs(vb)), (p, va, vb)


def _same(a, b, x, points) -> None:
    """a == b as functions of x: symbolically where sympy can show it, and at the points always."""
    if not (a.has(sp.Piecewise) or b.has(sp.Piecewise) or a.has(sp.Max)):
        assert sp.simplify(a - b) == 0, (a, b)
    _numeric_equal(a, b, x, points)


# -- activations -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_display_formula_is_the_function(name):
    act = ACTIVATIONS[name]
    x = sp.Symbol("x", real=True)
    shown = act.formula(NET, SLOPE).to_sympy(sp).subs(sp.Symbol("net"), x)
    _same(shown, act.sympy(sp, x, SLOPE), x, POINTS)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_derivative_formula_matches_sympy(name):
    act = ACTIVATIONS[name]
    x = sp.Symbol("x", real=True)
    f = act.sympy(sp, x, SLOPE)
    shown = act.derivative_formula(NET, OUT, SLOPE).to_sympy(sp)
    # the display formula may use out = f(net) (sigmoid: out·(1 − out)); put f(x) in for out
    shown = shown.subs({sp.Symbol("out"): f, sp.Symbol("net"): x})
    _same(shown, sp.diff(f, x), x, POINTS)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_numeric_value_matches_sympy(name):
    act = ACTIVATIONS[name]
    x = sp.Symbol("x", real=True)
    f = act.sympy(sp, x, SLOPE)
    xs = np.array([POINTS])
    values = act.value(xs, SLOPE)
    for p, v in zip(POINTS, values[0], strict=True):
        assert v == pytest.approx(float(f.subs(x, p)), rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_numeric_derivative_is_a_finite_difference(name):
    act = ACTIVATIONS[name]
    xs = np.array([POINTS])
    out = act.value(xs, SLOPE)
    h = 1e-6
    fd = (act.value(xs + h, SLOPE) - act.value(xs - h, SLOPE)) / (2 * h)
    np.testing.assert_allclose(act.derivative(xs, out, SLOPE), fd, rtol=1e-7, atol=1e-9)


def test_relu_derivative_at_zero_is_zero_as_documented():
    xs = np.array([[0.0]])
    assert ACTIVATIONS["relu"].derivative(xs, ACTIVATIONS["relu"].value(xs, 0.0), 0.0)[0, 0] == 0.0
    assert "0 is taken as 0" in ACTIVATIONS["relu"].description
    # leaky relu uses its slope at 0 (net > 0 is false)
    assert ACTIVATIONS["leaky_relu"].derivative(xs, xs, 0.2)[0, 0] == 0.2


def test_leaky_relu_uses_the_layer_slope():
    act = ACTIVATIONS["leaky_relu"]
    xs = np.array([[-2.0, 3.0]])
    np.testing.assert_array_equal(act.value(xs, 0.25), [[-0.5, 3.0]])
    np.testing.assert_array_equal(act.derivative(xs, act.value(xs, 0.25), 0.25), [[0.25, 1.0]])


# -- softmax ---------------------------------------------------------------------------------

def _softmax_sympy(n):
    xs = sp.symbols(f"x0:{n}", real=True)
    exps = [sp.exp(v) for v in xs]
    return xs, [e / sp.Add(*exps) for e in exps]


def test_softmax_value_matches_sympy():
    xs, outs = _softmax_sympy(3)
    point = {xs[0]: 0.3, xs[1]: -1.2, xs[2]: 2.0}
    got = ACTIVATIONS["softmax"].value(np.array([[0.3, -1.2, 2.0]]), SLOPE)[0]
    for g, o in zip(got, outs, strict=True):
        assert g == pytest.approx(float(o.subs(point)), rel=1e-14)
    assert got.sum() == pytest.approx(1.0, abs=1e-15)


def test_softmax_diagonal_formula_matches_sympy():
    xs, outs = _softmax_sympy(3)
    for k in range(3):
        shown = ACTIVATIONS["softmax"].derivative_formula(NET, OUT, SLOPE).to_sympy(sp).subs(sp.Symbol("out"), outs[k])
        assert sp.simplify(shown - sp.diff(outs[k], xs[k])) == 0


def test_softmax_delta_is_the_jacobian_product():
    """δ_k = Σ_j ∂E/∂out_j · ∂out_j/∂net_k, against sympy's Jacobian."""
    xs, outs = _softmax_sympy(3)
    net = np.array([[0.4, -0.7, 1.1]])
    g = np.array([[0.25, -1.5, 0.8]])
    point = dict(zip(xs, net[0], strict=True))
    jac = sp.Matrix(outs).jacobian(sp.Matrix(xs))
    expected = [float(sum(g[0, j] * jac[j, k] for j in range(3)).subs(point)) for k in range(3)]
    out = ACTIVATIONS["softmax"].value(net, SLOPE)
    np.testing.assert_allclose(softmax_delta(out, g)[0], expected, rtol=1e-13)


# -- losses ------------------------------------------------------------------------------------

T_SYM, O_SYM = sp.Symbol("target"), sp.Symbol("out")


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("n", [1, 3])
def test_loss_term_formula_is_the_sympy_term(name, n):
    loss = LOSSES[name]
    shown = loss.term_formula(TARGET, OUT, n).to_sympy(sp)
    assert sp.simplify(shown - loss.sympy_term(sp, T_SYM, O_SYM, n)) == 0


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("n", [1, 3])
def test_loss_derivative_formula_matches_sympy(name, n):
    loss = LOSSES[name]
    shown = loss.derivative_formula(TARGET, OUT, n).to_sympy(sp)
    expected = sp.diff(loss.sympy_term(sp, T_SYM, O_SYM, n), O_SYM)
    assert sp.simplify(shown - expected) == 0, (shown, expected)
    for t, o in ((0.0, 0.3), (1.0, 0.8), (0.25, 0.6)):
        a = float(shown.subs({T_SYM: t, O_SYM: o}))
        b = float(expected.subs({T_SYM: t, O_SYM: o}))
        assert a == pytest.approx(b, rel=1e-14)


def _targets_outputs(name):
    """(targets, outputs) of shape (2, 3) that suit the loss."""
    if name == "cross_entropy":
        t = np.array([[0.0, 1.0, 0.0], [0.2, 0.5, 0.3]])
        o = np.array([[0.2, 0.7, 0.1], [0.1, 0.6, 0.3]])
    elif name == "binary_cross_entropy":
        t = np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 0.5]])
        o = np.array([[0.2, 0.7, 0.4], [0.9, 0.35, 0.5]])
    else:
        t = np.array([[0.01, 0.99, -0.5], [1.5, 0.0, 2.0]])
        o = np.array([[0.75, 0.77, 0.3], [-0.2, 0.4, 2.5]])
    return t, o


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_numeric_terms_match_sympy(name):
    loss = LOSSES[name]
    t, o = _targets_outputs(name)
    terms = loss.terms(t, o)
    n = t.shape[1]
    for (s, k), value in np.ndenumerate(terms):
        expected = float(loss.sympy_term(sp, sp.Float(t[s, k], 30), sp.Float(o[s, k], 30), n))
        assert value == pytest.approx(expected, rel=1e-14, abs=1e-16)


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_numeric_derivative_is_a_finite_difference(name):
    loss = LOSSES[name]
    t, o = _targets_outputs(name)
    h = 1e-7
    got = loss.derivative(t, o)
    for (s, k), value in np.ndenumerate(got):
        up, down = o.copy(), o.copy()
        up[s, k] += h
        down[s, k] -= h
        fd = (loss.terms(t, up)[s].sum() - loss.terms(t, down)[s].sum()) / (2 * h)
        assert value == pytest.approx(fd, rel=1e-6, abs=1e-8), (s, k)


@pytest.mark.parametrize("name, activation", [("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid")])
def test_loss_from_net_equals_loss_of_outputs(name, activation):
    loss = LOSSES[name]
    assert loss.fused_with == activation
    t, _ = _targets_outputs(name)
    net = np.array([[0.5, -1.25, 2.0], [-0.3, 0.0, 1.7]])
    out = ACTIVATIONS[activation].value(net, SLOPE)
    np.testing.assert_allclose(loss_terms_from_net(loss, t, net, out), loss.terms(t, out), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("name, activation", [("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid")])
def test_fused_delta_is_out_minus_target(name, activation):
    """What the engine short-cuts: ∂E/∂out · ∂out/∂net = out − target."""
    loss, act = LOSSES[name], ACTIVATIONS[activation]
    t, _ = _targets_outputs(name)
    net = np.array([[0.5, -1.25, 2.0], [-0.3, 0.0, 1.7]])
    out = act.value(net, SLOPE)
    dE = loss.derivative(t, out)
    chained = softmax_delta(out, dE) if act.derivative is None else dE * act.derivative(net, out, SLOPE)
    np.testing.assert_allclose(chained, out - t, rtol=1e-12, atol=1e-15)


def test_unfused_losses_have_no_shortcut():
    assert {name for name, loss in LOSSES.items() if loss.fused_with is None} == {"half_sse", "sse", "mse"}


# -- stability ---------------------------------------------------------------------------------
# functions.py documents that callers run the numeric forms under
# np.errstate(over="ignore", under="ignore") (the engine does, in train() and evaluate());
# inside that, nothing may warn and every value must be finite.

@pytest.fixture
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore", under="ignore"):
            yield


def test_sigmoid_saturates(strict):
    act = ACTIVATIONS["sigmoid"]
    x = np.array([[-1000.0, -40.0, 0.0, 40.0, 1000.0]])
    out = act.value(x, SLOPE)
    assert np.isfinite(out).all()
    assert out[0, 0] == 0.0 and out[0, -1] == 1.0 and out[0, 2] == 0.5
    d = act.derivative(x, out, SLOPE)
    assert np.isfinite(d).all() and d[0, 0] == 0.0 and d[0, -1] == 0.0


def test_tanh_saturates(strict):
    act = ACTIVATIONS["tanh"]
    x = np.array([[-1000.0, 1000.0]])
    out = act.value(x, SLOPE)
    np.testing.assert_array_equal(out, [[-1.0, 1.0]])
    np.testing.assert_array_equal(act.derivative(x, out, SLOPE), [[0.0, 0.0]])


def test_softmax_is_stable(strict):
    out = ACTIVATIONS["softmax"].value(np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]), SLOPE)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(out[1], [1 / 3] * 3, rtol=1e-15)


def test_cross_entropy_on_saturated_softmax(strict):
    loss = LOSSES["cross_entropy"]
    net = np.array([[1000.0, 0.0, -1000.0]] * 3)
    t = np.eye(3)
    out = ACTIVATIONS["softmax"].value(net, SLOPE)
    terms = loss_terms_from_net(loss, t, net, out)
    assert np.isfinite(terms).all()
    # −ln softmax_k = logsumexp(net) − net_k, with logsumexp = 1000 here
    np.testing.assert_allclose(terms.sum(axis=1), [0.0, 1000.0, 2000.0], rtol=1e-15, atol=0)
    assert np.isfinite(loss.derivative(t, out)).all()


def test_binary_cross_entropy_on_saturated_sigmoid(strict):
    loss = LOSSES["binary_cross_entropy"]
    net = np.array([[1000.0, 1000.0, -1000.0, -1000.0, 0.0]])
    t = np.array([[1.0, 0.0, 1.0, 0.0, 1.0]])
    out = ACTIVATIONS["sigmoid"].value(net, SLOPE)
    terms = loss_terms_from_net(loss, t, net, out)
    np.testing.assert_allclose(terms, [[0.0, 1000.0, 1000.0, 0.0, math.log(2)]], rtol=1e-15, atol=0)
    assert np.isfinite(loss.derivative(t, out)).all()


@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_where_outputs_meet_targets_exactly(strict, name):
    """0·ln 0 = 0: outputs of exactly 0 and 1 that equal their targets cost nothing."""
    loss = LOSSES[name]
    t = np.array([[0.0, 1.0, 0.0]]) if name == "cross_entropy" else np.array([[0.0, 1.0, 1.0]])
    terms = loss.terms(t, t.copy())
    np.testing.assert_array_equal(terms, np.zeros_like(t))
    assert np.isfinite(loss.derivative(t, t.copy())).all()


def test_a_saturated_network_runs_and_prints_without_warnings():
    """End to end: weights that drive every sigmoid to 0 or 1, through training, checks and the text report."""
    import stepnet

    cfg = {
        "layers": [{"name": "i", "size": 2}, {"name": "h", "size": 2, "activation": "sigmoid"},
                   {"name": "o", "size": 2, "activation": "sigmoid"}],
        "weights": {"h": [[900.0, -900.0], [-800.0, 700.0]], "o": [[1000.0, -1000.0], [-1000.0, 1000.0]]},
        "loss": "binary_cross_entropy",
        "learning_rate": 0.5,
        "data": [{"inputs": [1.0, 0.5], "targets": [0.0, 1.0]}],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = stepnet.run(cfg, 2)
        text = run.to_text()
    assert all(math.isfinite(v) for v in run.losses)
    assert math.isfinite(run.final_loss)
    assert "nan" not in text
