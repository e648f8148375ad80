"""Every number of a worked iteration, by name: net_h1, δ_o1, ∂E_total/∂w5, w5⁺ ...

A :class:`Quantity` names one number of one traced iteration; :func:`value` reads it from
an :class:`~stepnet.engine.trace.IterationTrace`, and :func:`all_quantities` lists every
one an iteration has.  :func:`name` writes its name in the tutorial's words (net_h1,
dE_total/dw5); what a user reads names it in the run's notation, which is
:func:`~stepnet.derive.quantity_names.quantity_name`'s job (z^2_1, dC/dw^3_11 in
Nielsen's).  Reading a name back is :mod:`.quantity_parser`'s job; redoing a quantity's
last step is :mod:`.recompute`'s.

Per-sample quantities (net, out, δ, ...) are those of the batch's first sample unless the
name ends in ``@N`` (sample N of the batch, 1-based).  Batch quantities (E_total, the
gradients, the parameters) are the batch's; with ``@N`` E_total is that sample's loss and
a gradient that sample's share of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..engine.trace import IterationTrace
from .index import Param
from .names import Names

PER_SAMPLE = frozenset({"out", "net", "target", "E", "dE_dout", "dout_dnet", "delta", "path", "dnet_dparam"})


@dataclass(frozen=True)
class Quantity:
    """One number of an iteration.  ``out`` of layer 0 is an input value (i1)."""

    kind: str  # out net target E E_total E_after dE_dout dout_dnet delta path dnet_dparam dnet_dout grad param param+
    layer: int = 0  # the neuron's layer (config index)
    index: int = 0  # the neuron, 0-based
    other: int | None = None  # path: neuron of the layer above; dnet_dout: neuron of the layer below
    param: Param | None = None
    sample: int | None = None  # 0-based; per-sample kinds always have one


class QuantityError(ValueError):
    """A name that is not a quantity of this network; the message says why."""


# ---------------------------------------------------------------- names


def name(q: Quantity, names: Names, unicode: bool = False) -> str:
    """The quantity's name in the tutorial's words, ASCII (as claims are written) or with ∂, δ and ⁺.

    The parser reads these words in every notation; to show a name to a user, write it in the
    run's notation with :func:`~stepnet.derive.quantity_names.quantity_name`.
    """
    d, plus = ("∂", "⁺") if unicode else ("d", "+")
    n = names.neuron_name(q.layer, q.index)
    p = (q.param.unicode if unicode else q.param.name) if q.param else ""
    above = names.neuron_name(q.layer + 1, q.other) if q.kind == "path" else ""
    below = names.neuron_name(q.layer - 1, q.other) if q.kind == "dnet_dout" else ""
    forms = {
        "out": n if q.layer == 0 else f"out_{n}", "net": f"net_{n}", "target": f"target_{n}", "E": f"E_{n}",
        "E_total": "E_total", "E_after": f"E_total{plus}", "dE_dout": f"{d}E_total/{d}out_{n}",
        "dout_dnet": f"{d}out_{n}/{d}net_{n}", "delta": f"δ_{n}" if unicode else f"delta_{n}",
        "path": f"{d}E_{above}/{d}out_{n}", "dnet_dparam": f"{d}net_{n}/{d}{p}",
        "dnet_dout": f"{d}net_{n}/{d}out_{below}", "grad": f"{d}E_total/{d}{p}", "param": p, "param+": p + plus,
    }
    return forms[q.kind] + _sample_suffix(q)


def _sample_suffix(q: Quantity) -> str:
    if q.sample is None or (q.kind in PER_SAMPLE and q.sample == 0):
        return ""
    return f"@{q.sample + 1}"


def forms_hint(names: Names) -> str:
    """The quantity names in the tutorial's words, with this network's own neurons and parameters.

    This is the hint of a network in the tutorial's notation; for any notation use
    :func:`~stepnet.derive.quantity_names.notation_forms_hint`, which falls back on it.
    """
    last = len(names.layers) - 1
    o = names.neuron_name(last, 0)
    h = names.neuron_name(last - 1, 0) if last > 1 else None
    w = names.layer_params(last)[0].name
    forms = ["net_" + o, "out_" + o, "target_" + o, "E_" + o, "E_total", "E_total+ (after the update)",
             f"dE_total/dout_{o}", f"dout_{o}/dnet_{o}", f"delta_{o} (δ_{o}, dE_total/dnet_{o})"]
    if h:
        forms += [f"dE_{o}/dout_{h} (one path)", f"dE_total/dout_{h}", f"dnet_{o}/dout_{h}"]
    forms += [f"dnet_{o}/d{w}", f"dE_total/d{w}", f"{w} (before the update)", f"{w}+ (after)"]
    return ("quantity names: " + ", ".join(forms) + "; ∂ may replace d, parameters may be named in any "
            "notation stepnet reads (w5, w(2)_11, h1->o1), and '@2' picks sample 2 of the batch")


# ---------------------------------------------------------------- the quantities of an iteration


def given_quantities(names: Names, batch: int) -> Iterator[Quantity]:
    """Inputs, targets and the parameters before the update."""
    last = len(names.layers) - 1
    for s in range(batch):
        yield from (Quantity("out", 0, i, sample=s) for i in range(names.layers[0].size))
        yield from (Quantity("target", last, j, sample=s) for j in range(names.layers[last].size))
    yield from (Quantity("param", p.layer, param=p) for p in names.params)


def computed_quantities(names: Names, batch: int) -> Iterator[Quantity]:
    """Everything an iteration computes, in the order a worked example shows it."""
    last = len(names.layers) - 1
    for s in range(batch):
        for li in range(1, last + 1):
            for j in range(names.layers[li].size):
                yield Quantity("net", li, j, sample=s)
                yield Quantity("out", li, j, sample=s)
    for s in range(batch):
        yield from (Quantity("E", last, j, sample=s) for j in range(names.layers[last].size))
    yield Quantity("E_total")
    for li in range(last, 0, -1):
        yield from _backward(names, li, batch)
        yield from (Quantity("grad", li, param=p) for p in names.layer_params(li))
    yield from (Quantity("param+", p.layer, param=p) for p in names.params)
    yield Quantity("E_after")


def _backward(names: Names, li: int, batch: int) -> Iterator[Quantity]:
    above = names.layers[li + 1].size if li + 1 < len(names.layers) else 0
    for s in range(batch):
        for j in range(names.layers[li].size):
            yield from (Quantity("path", li, j, other=k, sample=s) for k in range(above))
            for kind in ("dE_dout", "dout_dnet", "delta"):
                yield Quantity(kind, li, j, sample=s)


def all_quantities(names: Names, batch: int) -> Iterator[Quantity]:
    yield from given_quantities(names, batch)
    yield from computed_quantities(names, batch)

# ---------------------------------------------------------------- values


def value(q: Quantity, it: IterationTrace) -> float:
    """The quantity's value in a traced iteration (IndexError if that run lacks it)."""
    return float(_VALUES[q.kind](q, it))


def _param_array(q: Quantity, lt, which: str):
    return q.param.of(lt, {"W": "value", "gW": "gradient", "W_after": "updated"}[which])


def _grad(q: Quantity, it: IterationTrace):
    p, lt = q.param, it.layer(q.layer)
    if q.sample is None:
        return _param_array(q, lt, "gW")
    if p.kind == "weight":
        return it.weight_gradient_terms(p.layer, p.to, p.source)[q.sample]
    return it.bias_gradient_terms(p.layer, p.to)[q.sample]


def _dnet_dparam(q: Quantity, it: IterationTrace):
    p = q.param
    if p.layer != q.layer or (p.to is not None and p.to != q.index):
        return 0.0
    return it.outputs_of(q.layer - 1)[q.sample, p.source] if p.kind == "weight" else 1.0


_VALUES: dict[str, Callable[[Quantity, IterationTrace], float]] = {
    "out": lambda q, it: it.outputs_of(q.layer)[q.sample, q.index],
    "net": lambda q, it: it.layer(q.layer).net[q.sample, q.index],
    "target": lambda q, it: it.T[q.sample, q.index],
    "E": lambda q, it: it.loss_terms[q.sample, q.index],
    "E_total": lambda q, it: it.loss if q.sample is None else it.sample_losses[q.sample],
    "E_after": lambda q, it: np.nan if it.loss_after is None else it.loss_after,
    "dE_dout": lambda q, it: it.layer(q.layer).dE_dout[q.sample, q.index],
    "dout_dnet": lambda q, it: it.layer(q.layer).dout_dnet[q.sample, q.index],
    "delta": lambda q, it: it.layer(q.layer).delta[q.sample, q.index],
    "path": lambda q, it: it.path_terms(q.layer, q.index, q.sample)[q.other],
    "dnet_dparam": _dnet_dparam,
    "dnet_dout": lambda q, it: it.layer(q.layer).W[q.index, q.other],
    "grad": _grad,
    "param": lambda q, it: _param_array(q, it.layer(q.layer), "W"),
    "param+": lambda q, it: _param_array(q, it.layer(q.layer), "W_after"),
}
