"""One step of a quantity's calculation redone from other quantities' values.

A text's numbers can be tested against its own inputs this way: a slip in one step shows
there, even when the text's inputs differ from stepnet's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..engine.functions import ACTIVATIONS, LOSSES
from .index import Param
from .names import Names
from .quantities import Quantity

Getter = Callable[[Quantity], float]


def recompute(q: Quantity, names: Names, batch: int, get: Getter) -> tuple[float, list[Quantity]] | None:
    """The last step of ``q``'s calculation redone from ``get``'s values of its inputs.

    Returns the value and the inputs it used, or None where the step is not one stepnet
    can redo alone (given numbers, softmax, optimizers other than sgd).
    """
    step = _STEPS.get(q.kind)
    if step is None:
        return None
    used: list[Quantity] = []

    def fetch(x: Quantity) -> float:
        used.append(x)
        return get(x)

    result = step(q, names, batch, fetch)
    return None if result is None else (float(result), list(dict.fromkeys(used)))


def _activation(names: Names, li: int):
    spec = names.layers[li]
    return ACTIVATIONS[spec.activation], spec.slope


def _samples(q: Quantity, batch: int) -> range:
    return range(batch) if q.sample is None else range(q.sample, q.sample + 1)


def _net_step(q, names, batch, get):
    li, j, s = q.layer, q.index, q.sample
    total = sum(get(Quantity("out", li - 1, i, sample=s)) * get(Quantity("param", li, param=names.weight(li, j, i)))
                for i in range(names.layers[li - 1].size))
    bias = names.bias(li, j)
    return total + (get(Quantity("param", li, param=bias)) if bias else 0.0)


def _out_step(q, names, batch, get):
    act, slope = _activation(names, q.layer)
    if act.derivative is None:  # softmax: every net input of the layer
        nets = [get(Quantity("net", q.layer, k, sample=q.sample)) for k in range(names.layers[q.layer].size)]
        return act.value(np.array([nets]), slope)[0, q.index]
    return act.value(np.array([[get(replace(q, kind="net"))]]), slope)[0, 0]


def _loss_row(q, names, get, fn_name: str):
    loss = LOSSES[names.config.loss]
    size = names.layers[q.layer].size
    t, o = np.zeros((1, size)), np.full((1, size), 0.5)
    t[0, q.index] = get(replace(q, kind="target"))
    o[0, q.index] = get(replace(q, kind="out"))
    return getattr(loss, fn_name)(t, o)[0, q.index]


def _error_total(q, names, batch, get):
    last = len(names.layers) - 1
    sums = [sum(get(Quantity("E", last, j, sample=s)) for j in range(names.layers[last].size))
            for s in _samples(q, batch)]
    return sum(sums) / len(sums)


def _dE_dout_step(q, names, batch, get):
    if q.layer == len(names.layers) - 1:
        return _loss_row(q, names, get, "derivative")
    above = names.layers[q.layer + 1].size
    return sum(get(Quantity("path", q.layer, q.index, other=k, sample=q.sample)) for k in range(above))


def _path_step(q, names, batch, get):
    w = names.weight(q.layer + 1, q.other, q.index)
    kind = "param+" if names.config.hidden_deltas_use == "updated_weights" else "param"
    return get(Quantity("delta", q.layer + 1, q.other, sample=q.sample)) * get(Quantity(kind, w.layer, param=w))


def _slope_step(q, names, batch, get):
    act, slope = _activation(names, q.layer)
    if act.derivative is None:
        return None
    if act.name in ("sigmoid", "tanh"):  # written in terms of out alone
        return act.derivative(np.nan, np.array([[get(replace(q, kind="out"))]]), slope)[0, 0]
    net = np.array([[get(replace(q, kind="net"))]])
    return act.derivative(net, net, slope)[0, 0]


def _delta_step(q, names, batch, get):
    act, _ = _activation(names, q.layer)
    top = q.layer == len(names.layers) - 1
    if top and LOSSES[names.config.loss].fused_with == act.name:
        return get(replace(q, kind="out")) - get(replace(q, kind="target"))
    if act.derivative is None:
        return None
    return get(replace(q, kind="dE_dout")) * get(replace(q, kind="dout_dnet"))


def _grad_step(q, names, batch, get):
    p = q.param
    terms = [_grad_term(p, names, s, get) for s in _samples(q, batch)]
    return sum(terms) / len(terms)


def _grad_term(p: Param, names: Names, s: int, get: Getter) -> float:
    if p.kind == "weight":
        return get(Quantity("delta", p.layer, p.to, sample=s)) * get(Quantity("out", p.layer - 1, p.source, sample=s))
    feeds = range(names.layers[p.layer].size) if p.to is None else (p.to,)
    return sum(get(Quantity("delta", p.layer, j, sample=s)) for j in feeds)


def _update_step(q, names, batch, get):
    config = names.config
    if config.optimizer.name != "sgd":
        return None
    before = get(replace(q, kind="param"))
    if q.param.kind == "bias" and not config.train_biases:
        return before
    return before - config.learning_rate * get(replace(q, kind="grad"))


_STEPS = {
    "net": _net_step,
    "out": lambda q, names, batch, get: None if q.layer == 0 else _out_step(q, names, batch, get),
    "E": lambda q, names, batch, get: _loss_row(q, names, get, "terms"),
    "E_total": _error_total,
    "dE_dout": _dE_dout_step,
    "path": _path_step,
    "dout_dnet": _slope_step,
    "delta": _delta_step,
    "grad": _grad_step,
    "param+": _update_step,
}
