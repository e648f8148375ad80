"""Independent oracles for a gradient: central finite differences, and sympy's calculus.

Neither uses the chain rule the engine uses: the finite difference re-runs the forward
pass with the parameter nudged both ways; sympy differentiates the whole loss, written out
as one expression with every parameter a symbol.  Both start from the parameters of a
traced iteration.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from ..derive.index import Param
from ..engine.functions import ACTIVATIONS, LOSSES
from ..engine.network import Network
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


@dataclasses.dataclass(frozen=True)
class SymbolicLoss:
    """The batch loss of one iteration, every weight and bias a symbol."""

    expr: object  # a sympy expression
    symbols: dict[tuple, object]  # (layer, kind, index in its array) -> its sympy Symbol
    values: dict  # Symbol -> the iteration's value of that parameter, as a 30-digit Float

    def symbol(self, p: Param):
        return self.symbols[(p.layer, p.kind, p.index)]


@dataclasses.dataclass(frozen=True)
class _Problem:
    """An iteration as its loss sees it, hashed by content so each loss is built once."""

    key: tuple
    config: object = dataclasses.field(compare=False)
    it: IterationTrace = dataclasses.field(compare=False)


def sympy_loss(config, it: IterationTrace) -> SymbolicLoss:
    """The iteration's batch loss as one sympy expression (built once, then reused)."""
    arrays = tuple(a.tobytes() for lt in it.layers for a in (lt.W, lt.b))
    key = (config.loss, config.layers, it.X.shape, it.X.tobytes(), it.T.tobytes(), arrays)
    return _build_loss(_Problem(key, config, it))


@functools.lru_cache(maxsize=4)
def _build_loss(problem: _Problem) -> SymbolicLoss:
    import sympy as sp

    config, it = problem.config, problem.it
    symbols, values = {}, {}
    for li, lt in enumerate(it.layers, start=1):
        for kind, array in (("weight", lt.W), ("bias", lt.b)):
            for index, v in np.ndenumerate(array):
                symbol = sp.Symbol(f"{kind}_{li}_" + "_".join(map(str, index)))
                symbols[(li, kind, index)] = symbol
                values[symbol] = sp.Float(float(v), 30)
    loss = LOSSES[config.loss]
    total = 0
    for sample in range(it.batch_size):
        a = [sp.Float(v, 30) for v in it.X[sample].tolist()]
        for li in range(1, len(config.layers)):
            a = _layer_outputs(sp, config.layers[li], li, a, symbols)
        targets = it.T[sample].tolist()
        total += sp.Add(*(loss.sympy_term(sp, sp.Float(t, 30), o, len(a)) for t, o in zip(targets, a)))
    return SymbolicLoss(total / it.batch_size, symbols, values)


def _layer_outputs(sp, layer, li: int, inputs: list, symbols: dict) -> list:
    """One layer's activations as expressions of the layer below's and of its own parameters."""
    nets = []
    for j in range(layer.size):
        terms = [symbols[(li, "weight", (j, i))] * x for i, x in enumerate(inputs)]
        if layer.bias != "none":
            terms.append(symbols[(li, "bias", (0 if layer.bias == "shared" else j,))])
        nets.append(sp.Add(*terms))
    if layer.activation == "softmax":
        exps = [sp.exp(n) for n in nets]
        return [e / sp.Add(*exps) for e in exps]
    act = ACTIVATIONS[layer.activation]
    return [act.sympy(sp, n, layer.slope) for n in nets]


def sympy_gradient(config, it: IterationTrace, p: Param) -> float | None:
    """d(loss)/dp by sympy at the iteration's parameters, or None for networks too large."""
    n_params = sum(lt.W.size + lt.b.size for lt in it.layers)
    if n_params > SYMPY_LIMIT:
        return None
    import sympy as sp

    loss = sympy_loss(config, it)
    slope = sp.diff(loss.expr, loss.symbol(p))
    return float(slope.xreplace(loss.values).evalf(30))


def agrees(a: float, b: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)
