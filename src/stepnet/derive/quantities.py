"""Every number of a worked iteration, by name: net_h1, δ_o1, ∂E_total/∂w5, w5⁺ ...

A :class:`Quantity` names one number of one traced iteration; :func:`parse` reads the
names tutorials write (``out_o1``, ``dE_total/dw5``, ``∂E_o2/∂out_h1``, ``w(2)_11+``),
:func:`name` writes them back, :func:`value` reads one from an
:class:`~stepnet.trace.IterationTrace`, and :func:`recompute` redoes the last step of its
calculation from other quantities (to test a text's numbers against its own inputs).

Per-sample quantities (net, out, δ, ...) are those of the batch's first sample unless the
name ends in ``@N`` (sample N of the batch, 1-based).  Batch quantities (E_total, the
gradients, the parameters) are the batch's; with ``@N`` E_total is that sample's loss and
a gradient that sample's share of it.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterator

import numpy as np

from ..errors import UsageError
from ..engine.functions import ACTIVATIONS, LOSSES
from .names import Names, Neuron, Param
from ..engine.trace import IterationTrace

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
    """The quantity's name, ASCII (as claims are written) or with ∂, δ and ⁺."""
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
    """The quantity names, shown with this network's own neurons and parameters."""
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


# ---------------------------------------------------------------- parsing


def parse(text: str, names: Names) -> Quantity:
    """The quantity ``text`` names; :class:`QuantityError` (with suggestions) if none."""
    body, sample = _split_sample(_normalize(text))
    q = _parse_body(body, names)
    if q is None:
        raise QuantityError(_unknown_message(text, body, names))
    return _with_sample(q, sample, text)


def _normalize(text: str) -> str:
    t = re.sub(r"\s+after\s*$", "+", text.strip())
    replacements = (("\\partial", "d"), ("∂", "d"), ("\\delta", "delta_"), ("δ", "delta_"), ("⁺", "+"),
                    ("{", ""), ("}", ""))
    for old, new in replacements:
        t = t.replace(old, new)
    t = re.sub(r"\s+", "", t)
    return re.sub(r"delta__+", "delta_", t)


def _split_sample(text: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"(.*?)@(\d+)", text)
    if not match:
        return text, None
    return match.group(1), int(match.group(2)) - 1


def _with_sample(q: Quantity, sample: int | None, text: str) -> Quantity:
    if sample is not None and sample < 0:
        raise QuantityError(f"'{text}': samples are numbered from 1 (@1 is the batch's first)")
    if sample is not None and q.kind in ("E_after", "dnet_dout", "param", "param+"):
        raise QuantityError(f"'{text}': {q.kind.replace('_', ' ')} is one number per iteration, not per sample")
    if q.kind in PER_SAMPLE and sample is None:
        sample = 0
    return replace(q, sample=sample)


_PATTERNS: list[tuple[str, Callable]] = []


def _pattern(regex: str):
    def register(fn):
        _PATTERNS.append((regex, fn))
        return fn

    return register


def _parse_body(body: str, names: Names) -> Quantity | None:
    for regex, build in _PATTERNS:
        match = re.fullmatch(regex, body, flags=re.IGNORECASE)
        if match:
            q = build(names, *match.groups())
            if q is not None:
                return q
    return None


def _neuron(names: Names, text: str) -> Neuron | None:
    try:
        found = names.lookup(text)
    except UsageError:
        return None
    return found if isinstance(found, Neuron) else None


def _param(names: Names, text: str) -> Param | None:
    try:
        found = names.lookup(text)
    except UsageError:
        return None
    return found if isinstance(found, Param) else None


def _is_total(err: str) -> bool:
    return err.lower() in ("", "_total", "total")


@_pattern(r"dE(_?\w*)/d(net|out)_(\w+)")
def _error_over_neuron(names, err, what, text):
    n = _neuron(names, text)
    if n is None or n.layer == 0:
        return None
    if _is_total(err):
        return Quantity("delta" if what.lower() == "net" else "dE_dout", n.layer, n.index)
    e = _neuron(names, err.lstrip("_"))
    if e is None:
        return None
    if e == n and n.layer == len(names.layers) - 1:  # ∂E_o1/∂out_o1: the one output's own term
        return Quantity("delta" if what.lower() == "net" else "dE_dout", n.layer, n.index)
    if what.lower() == "out" and e.layer == n.layer + 1:
        return Quantity("path", n.layer, n.index, other=e.index)
    return None


@_pattern(r"dE(_?\w*)/d(.+)")
def _gradient(names, err, text):
    p = _param(names, text)
    return Quantity("grad", p.layer, param=p) if p and _is_total(err) else None


@_pattern(r"dout_(\w+)/dnet_(\w+)")
def _activation_slope(names, a, b):
    n, m = _neuron(names, a), _neuron(names, b)
    return Quantity("dout_dnet", n.layer, n.index) if n and n == m and n.layer > 0 else None


@_pattern(r"dnet_(\w+)/dout_(\w+)")
def _net_over_out(names, a, b):
    n, m = _neuron(names, a), _neuron(names, b)
    if n and m and n.layer == m.layer + 1:
        return Quantity("dnet_dout", n.layer, n.index, other=m.index)
    return None


@_pattern(r"dnet_(\w+)/d(.+)")
def _net_over_param(names, a, text):
    n, p = _neuron(names, a), _param(names, text)
    return Quantity("dnet_dparam", n.layer, n.index, param=p) if n and p and n.layer > 0 else None


@_pattern(r"(net|out|target|delta)_(\w+)")
def _of_neuron(names, what, text):
    n = _neuron(names, text)
    what = what.lower()
    if n is None or (n.layer == 0 and what != "out") or (what == "target" and n.layer != len(names.layers) - 1):
        return None
    return Quantity(what, n.layer, n.index)


@_pattern(r"E(_?total)?(\+)?")
def _total_error(names, total, plus):
    return Quantity("E_after" if plus else "E_total")


@_pattern(r"E_(\w+)")
def _error_term(names, text):
    n = _neuron(names, text)
    return Quantity("E", n.layer, n.index) if n and n.layer == len(names.layers) - 1 else None


@_pattern(r"(.+?)(\+)?")
def _parameter_or_input(names, text, plus):
    p = _param(names, text)
    if p is not None:
        return Quantity("param+" if plus else "param", p.layer, param=p)
    n = _neuron(names, text)
    return Quantity("out", 0, n.index) if n and n.layer == 0 and not plus else None


def _unknown_message(text: str, body: str, names: Names) -> str:
    n = _neuron(names, body)
    if n is not None:
        return f"'{text}' is a neuron: name one of its numbers, such as net_{n.name} or out_{n.name}"
    candidates = [name(q, names) for q in itertools.islice(all_quantities(names, 1), 20_000)]
    close = difflib.get_close_matches(body, candidates, n=3, cutoff=0.6)
    guess = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"unknown quantity '{text}'{guess}"


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


# ---------------------------------------------------------------- one step again

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
