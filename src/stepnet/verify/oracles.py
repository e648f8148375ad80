"""Independent oracles for a gradient: central finite differences, and sympy's calculus.

Neither uses the chain rule the engine uses: the finite difference re-runs the forward
pass with the parameter nudged both ways; sympy differentiates the whole loss, written out
as one expression of that parameter.  Both start from the parameters of a traced iteration.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..engine.functions import ACTIVATIONS, LOSSES
from ..engine.network import Network
from ..derive.names import Param
from ..engine.trace import IterationTrace

SYMPY_LIMIT = 2_000  # parameters; beyond this the symbolic loss is too large to be useful


def _network_at(config, it: IterationTrace) -> Network:
    """A full-precision network holding the parameters the iteration started from."""
    net = Network(dataclasses.replace(config, hidden_deltas_use="current_weights"))
    net.W = [lt.W.copy() for lt in it.layers]
    net.b = [lt.b.copy() for lt in it.layers]
    return net


def _set(net: Network, p: Param, value: float) -> None:
    (net.W if p.kind == "weight" else net.b)[p.layer - 1][p.index] = value


def _get(net: Network, p: Param) -> float:
    return p.read(net.W[p.layer - 1], net.b[p.layer - 1])


def finite_difference(config, it: IterationTrace, p: Param, h: float = 1e-6) -> float:
    """(E(p + h) − E(p − h)) / 2h on the iteration's batch."""
    net = _network_at(config, it)
    x0 = _get(net, p)
    step = h * max(1.0, abs(x0))
    _set(net, p, x0 + step)
    up = net.evaluate(it.X, it.T)[0]
    _set(net, p, x0 - step)
    down = net.evaluate(it.X, it.T)[0]
    return (up - down) / (2 * step)


def all_finite_differences(config, it: IterationTrace, params: list[Param], h: float = 1e-6) -> np.ndarray:
    return np.array([finite_difference(config, it, p, h) for p in params])


def sympy_loss(config, it: IterationTrace, p: Param):
    """The batch loss as a sympy expression of the one parameter ``p``; returns (expr, symbol)."""
    import sympy as sp

    x = sp.Symbol("x")
    loss = LOSSES[config.loss]
    total = 0
    for s in range(it.batch_size):
        a = [sp.Float(v, 30) for v in it.X[s].tolist()]
        for li in range(1, len(config.layers)):
            layer, lt = config.layers[li], it.layer(li)
            W, b = lt.W.tolist(), lt.b.tolist()
            nets = []
            for j in range(layer.size):
                terms = [(x if (p.kind == "weight" and p.layer == li and p.to == j and p.source == i) else sp.Float(W[j][i], 30)) * a[i]
                         for i in range(len(a))]
                if b:
                    k = 0 if layer.bias == "shared" else j
                    is_p = p.kind == "bias" and p.layer == li and (p.to is None or p.to == j)
                    terms.append(x if is_p else sp.Float(b[k], 30))
                nets.append(sp.Add(*terms))
            if layer.activation == "softmax":
                exps = [sp.exp(n) for n in nets]
                a = [e / sp.Add(*exps) for e in exps]
            else:
                act = ACTIVATIONS[layer.activation]
                a = [act.sympy(sp, n, layer.slope) for n in nets]
        n = len(a)
        total += sp.Add(*(loss.sympy_term(sp, sp.Float(t, 30), o, n) for t, o in zip(it.T[s].tolist(), a)))
    return total / it.batch_size, x


def sympy_gradient(config, it: IterationTrace, p: Param) -> float | None:
    """d(loss)/dp by sympy at the iteration's value of p, or None for networks too large."""
    n_params = sum(lt.W.size + lt.b.size for lt in it.layers)
    if n_params > SYMPY_LIMIT:
        return None
    import sympy as sp

    expr, x = sympy_loss(config, it, p)
    value = p.of(it.layer(p.layer))
    return float(sp.diff(expr, x).subs(x, sp.Float(value, 30)).evalf(30))


def agrees(a: float, b: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)
