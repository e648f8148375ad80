"""Activations and losses: value, derivative, display formula and sympy form side by side.

Each entry keeps the four forms of one function together so they cannot drift apart;
``tests/test_functions.py`` checks every display formula and derivative against sympy's
own differentiation of the sympy form, and every numeric derivative against a central
finite difference.

Numeric forms take numpy arrays of shape (batch, neurons) and are written to be stable
for large |x|: callers run them under ``np.errstate(over="ignore", under="ignore")``,
where ``exp`` overflowing to inf gives the right limit (sigmoid → 0), and losses that
meet ln 0 are computed from the net input instead (see :func:`loss_from_net`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..derive.expr import Add, Div, Exp, Expr, Func, Mul, Neg, Num, Paren, Piecewise, Pow, Sub

# ---------------------------------------------------------------- activations


@dataclass(frozen=True)
class Activation:
    name: str
    description: str  # for help texts and derivation notes ("the sigmoid's derivative")
    value: Callable[[np.ndarray, float], np.ndarray]  # out = f(net)
    # f'(net) elementwise, from net and out; None for softmax (a Jacobian, see softmax_delta)
    derivative: Callable[[np.ndarray, np.ndarray, float], np.ndarray] | None
    formula: Callable[[Expr, float], Expr]  # out in terms of the net symbol
    derivative_formula: Callable[[Expr, Expr, float], Expr]  # ∂out/∂net in terms of net, out
    sympy: Callable  # (sp, x, slope) -> sympy expression


def _sigmoid(x, slope):
    return 1.0 / (1.0 + np.exp(-x))


def _relu(x, slope):
    return np.maximum(x, 0.0)


def _leaky(x, slope):
    return np.where(x > 0, x, slope * x)


def _softmax(x, slope):
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid",
        "the sigmoid (logistic) function",
        _sigmoid,
        lambda net, out, s: out * (1.0 - out),
        lambda net, s: Div(Num(1), Add(Num(1), Exp(Neg(net)))),
        lambda net, out, s: Mul(out, Paren(Sub(Num(1), out))),
        lambda sp, x, s: 1 / (1 + sp.exp(-x)),
    ),
    "tanh": Activation(
        "tanh",
        "the hyperbolic tangent",
        lambda x, s: np.tanh(x),
        lambda net, out, s: 1.0 - out * out,
        lambda net, s: Func("tanh", net),
        lambda net, out, s: Sub(Num(1), Pow(out, Num(2))),
        lambda sp, x, s: sp.tanh(x),
    ),
    "relu": Activation(
        "relu",
        "the rectified linear unit (its derivative at 0 is taken as 0)",
        _relu,
        lambda net, out, s: (net > 0).astype(float),
        lambda net, s: Func("max", Num(0), net),
        lambda net, out, s: Piecewise(net, Num(1), Num(0)),
        lambda sp, x, s: sp.Piecewise((x, x > 0), (0, True)),
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        "the leaky rectified linear unit",
        _leaky,
        lambda net, out, s: np.where(net > 0, 1.0, s),
        lambda net, s: Piecewise(net, net, Mul(Num(s), net)),
        lambda net, out, s: Piecewise(net, Num(1), Num(s)),
        lambda sp, x, s: sp.Piecewise((x, x > 0), (sp.Float(s) * x, True)),
    ),
    "identity": Activation(
        "identity",
        "the identity function",
        lambda x, s: x.copy(),
        lambda net, out, s: np.ones_like(net),
        lambda net, s: net,
        lambda net, out, s: Num(1),
        lambda sp, x, s: x,
    ),
    "softmax": Activation(
        "softmax",
        "the softmax function (each output depends on every net input of the layer)",
        _softmax,
        None,
        lambda net, s: net,  # display handled by the derivation: e^{net_k} / Σ_j e^{net_j}
        lambda net, out, s: Mul(out, Paren(Sub(Num(1), out))),  # the diagonal of its Jacobian
        None,
    ),
}


def softmax_delta(out: np.ndarray, dE_dout: np.ndarray) -> np.ndarray:
    """δ_k = Σ_j ∂E/∂out_j · ∂out_j/∂net_k with ∂out_j/∂net_k = out_j(1[j=k] − out_k)."""
    return out * (dE_dout - (dE_dout * out).sum(axis=-1, keepdims=True))


# ---------------------------------------------------------------- losses


@dataclass(frozen=True)
class Loss:
    name: str
    description: str
    # per output term E_k (batch, n) and its derivative ∂E/∂out_k (batch, n)
    terms: Callable[[np.ndarray, np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    term_formula: Callable[[Expr, Expr, int], Expr]  # E_k in terms of target, out, n outputs
    derivative_formula: Callable[[Expr, Expr, int], Expr]  # ∂E_total/∂out_k
    sympy_term: Callable  # (sp, t, o, n) -> E_k
    fused_with: str | None = None  # activation for which δ = out − target


def _xlogy(t: np.ndarray, o: np.ndarray) -> np.ndarray:
    """t·ln o with 0·ln 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t == 0, 0.0, t * np.log(o))


LOSSES: dict[str, Loss] = {
    "half_sse": Loss(
        "half_sse",
        "half the sum of squared errors, E = Σ ½(target − out)²",
        lambda t, o: 0.5 * (t - o) ** 2,
        lambda t, o: -(t - o),
        lambda t, o, n: Mul(Div(Num(1), Num(2)), Pow(Paren(Sub(t, o)), Num(2))),
        lambda t, o, n: Neg(Paren(Sub(t, o))),
        lambda sp, t, o, n: sp.Rational(1, 2) * (t - o) ** 2,
    ),
    "sse": Loss(
        "sse",
        "the sum of squared errors, E = Σ (target − out)²",
        lambda t, o: (t - o) ** 2,
        lambda t, o: -2.0 * (t - o),
        lambda t, o, n: Pow(Paren(Sub(t, o)), Num(2)),
        lambda t, o, n: Mul(Num(-2), Paren(Sub(t, o))),
        lambda sp, t, o, n: (t - o) ** 2,
    ),
    "mse": Loss(
        "mse",
        "the mean over the outputs of the squared errors, E = (1/n) Σ (target − out)²",
        lambda t, o: (t - o) ** 2 / t.shape[-1],
        lambda t, o: -2.0 * (t - o) / t.shape[-1],
        lambda t, o, n: (Mul(Div(Num(1), Num(n)), Pow(Paren(Sub(t, o)), Num(2))) if n > 1
                         else Pow(Paren(Sub(t, o)), Num(2))),
        lambda t, o, n: Mul(Neg(Div(Num(2), Num(n))), Paren(Sub(t, o))) if n > 1 else Mul(Num(-2), Paren(Sub(t, o))),
        lambda sp, t, o, n: (t - o) ** 2 / n,
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        "the cross-entropy of softmax outputs, E = −Σ target·ln(out)",
        lambda t, o: -_xlogy(t, o),
        lambda t, o: np.where(t == 0, 0.0, -t / np.where(o == 0, np.finfo(float).tiny, o)),
        lambda t, o, n: Neg(Mul(t, Func("ln", o))),
        lambda t, o, n: Neg(Div(t, o)),
        lambda sp, t, o, n: -t * sp.log(o),
        fused_with="softmax",
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        "the binary cross-entropy of sigmoid outputs, E = −Σ [target·ln(out) + (1 − target)·ln(1 − out)]",
        lambda t, o: -(_xlogy(t, o) + _xlogy(1.0 - t, 1.0 - o)),
        lambda t, o: (o - t) / np.maximum(o * (1.0 - o), np.finfo(float).tiny),
        lambda t, o, n: Neg(Paren(Add(Mul(t, Func("ln", o)), Mul(Paren(Sub(Num(1), t)), Func("ln", Sub(Num(1), o)))))),
        lambda t, o, n: Add(Neg(Div(t, o)), Div(Paren(Sub(Num(1), t)), Paren(Sub(Num(1), o)))),
        lambda sp, t, o, n: -(t * sp.log(o) + (1 - t) * sp.log(1 - o)),
        fused_with="sigmoid",
    ),
}


def loss_terms_from_net(loss: Loss, t: np.ndarray, net: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Per-output loss terms, computed from the net input where that is the stable way.

    cross_entropy with softmax: ln out_k = net_k − logsumexp(net).
    binary_cross_entropy with sigmoid: −[t ln σ(x) + (1−t) ln(1−σ(x))] = max(x, 0) − t·x + ln(1 + e^{−|x|}).
    """
    if loss.name == "cross_entropy":
        m = net.max(axis=-1, keepdims=True)
        log_out = net - m - np.log(np.exp(net - m).sum(axis=-1, keepdims=True))
        return np.where(t == 0, 0.0, -t * log_out)
    if loss.name == "binary_cross_entropy":
        return np.maximum(net, 0.0) - t * net + np.log1p(np.exp(-np.abs(net)))
    return loss.terms(t, out)
