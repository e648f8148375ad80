"""Quantity names as tutorials write them, read back: out_o1, dE_total/dw5, ∂E_o2/∂out_h1, w(2)_11+.

Each pattern tries one shape of name; the first that names a quantity of this network
wins, and a name none of them reads gets the closest real names as suggestions.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable
from dataclasses import replace

from ..errors import UsageError
from .index import Neuron, Param
from .names import Names
from .quantities import PER_SAMPLE, Quantity, QuantityError, all_quantities
from .quantity_names import in_tutorial_words, quantity_name


def parse(text: str, names: Names) -> Quantity:
    """The quantity ``text`` names; :class:`QuantityError` (with suggestions) if none."""
    body, sample = _split_sample(_normalize(text))
    q = _parse_body(in_tutorial_words(body, names), names)
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
    if n is not None and n.layer > 0:
        net, out = (quantity_name(Quantity(kind, n.layer, n.index, sample=0), names) for kind in ("net", "out"))
        return f"'{text}' is a neuron: name one of its numbers, such as {net} or {out}"
    if n is not None:
        return f"'{text}' is a neuron: name one of its numbers, such as net_{n.name} or out_{n.name}"
    candidates = [quantity_name(q, names) for q in itertools.islice(all_quantities(names, 1), 20_000)]
    close = difflib.get_close_matches(body, candidates, n=3, cutoff=0.6)
    guess = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"unknown quantity '{text}'{guess}"
