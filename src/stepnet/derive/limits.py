"""How much of a wide layer a report shows in full, and how it says what it left out.

Names to show in full are the parameters' and neurons' own names, in lower case, or
ranges of two parameter names of one kind (``theta17-theta40``, ``w^3_21-w^3_88``): every
weight (or bias) of the network from the one to the other, in the network's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .index import Param
from .names import Names

_RANGE = re.compile(r"(.+?)-(?!>)(.+)")  # a-b, but not the arrow of h1->o1


@dataclass
class Limits:
    """How much of a wide layer a report shows in full."""

    neurons: int = 8
    params: int = 16
    samples: int = 4
    only: frozenset[str] = frozenset()  # names and ranges to show in full, whatever the limits


def pick(count: int, limit: int, names: list[str], only: frozenset[str]) -> tuple[list[int], int]:
    """Indices to show in full: the first `limit`, plus any asked for by name."""
    chosen = [i for i in range(count) if i < limit or names[i].lower() in only]
    return chosen, count - len(chosen)


def param_range(names: Names, text: str) -> tuple[str, int, int] | None:
    """``text`` as a range of parameters: (kind, first position, last position) in ``names.params``.

    Both ends are the own names of two of the network's weights (or of two biases), in any
    case; None for text that is no such range.  ValueError for a range that runs backwards.
    """
    m = _RANGE.fullmatch(text.strip())
    if not m:
        return None
    ends = [names.canonical(m[1]), names.canonical(m[2])]
    if not all(isinstance(p, Param) for p in ends) or ends[0].kind != ends[1].kind:
        return None
    lo, hi = (names.position(p) for p in ends)
    if hi < lo:
        raise ValueError(f"'{text}' runs backwards: {ends[1].name} comes before {ends[0].name}")
    return ends[0].kind, lo, hi


def range_names(names: Names, text: str) -> list[str] | None:
    """The names of the parameters a range (see :func:`param_range`) takes in, in order; None if no range."""
    found = param_range(names, text)
    if found is None:
        return None
    kind, lo, hi = found
    return [p.name for p in names.params[lo : hi + 1] if p.kind == kind]


def named(names: Names, params, only: frozenset[str]) -> list[int]:
    """Indices in ``params`` of the parameters ``only`` names: by their own name in lower case, or in a range."""
    found = []
    for name in only:
        p = names.canonical(name) if name == name.lower() else None
        if p is not None and p in params:
            found.append(params.index(p))
        elif p is None and "-" in name and len(params):
            found += _in_range(names, params, name)
    return found


def _in_range(names: Names, params, text: str) -> list[int]:
    """Indices in ``params`` (one layer's parameters) that the range ``text`` takes in."""
    try:
        found = param_range(names, text)
    except ValueError:
        return []
    if found is None:
        return []
    kind, lo, hi = found
    start = names.position(params[0])
    first, last = max(lo, start), min(hi, start + len(params) - 1)
    return [pos - start for pos in range(first, last + 1) if params[pos - start].kind == kind]


def pick_params(names: Names, params, limit: int, only: frozenset[str]) -> tuple[list[int], int]:
    """As :func:`pick` for a layer's parameters, without making the ones not shown."""
    chosen = sorted(set(range(min(len(params), limit))).union(named(names, params, only)))
    return chosen, len(params) - len(chosen)


def params_hint(params, chosen: list[int]) -> str:
    """How to see a layer's hidden parameters: a range of each kind, in the run's notation.

    ``--params w17-w40,b3-b12`` (flat names), ``--params theta^3_21-theta^3_88`` (layered ones):
    from the first hidden weight to the last, and the same for the biases.
    """
    shown = set(chosen)
    weights = _weight_count(params)
    ranges = []
    for start, stop in ((0, weights), (weights, len(params))):
        hidden = _first_last_hidden(start, stop, shown)
        if hidden is not None:
            first, last = (params[k].name for k in hidden)
            ranges.append(first if first == last else f"{first}-{last}")
    return "--params " + ",".join(ranges)


def _weight_count(params) -> int:
    """How many of a layer's parameters are weights: they come first, the biases after them."""
    lo, hi = 0, len(params)
    while lo < hi:
        mid = (lo + hi) // 2
        if params[mid].kind == "weight":
            lo = mid + 1
        else:
            hi = mid
    return lo


def _first_last_hidden(start: int, stop: int, shown: set[int]) -> tuple[int, int] | None:
    """The first and the last index in [start, stop) that is not shown; None if all are."""
    first = next((k for k in range(start, stop) if k not in shown), None)
    if first is None:
        return None
    return first, next(k for k in range(stop - 1, start - 1, -1) if k not in shown)


def omitted(count: int, what: str, layer: str, how: str) -> str:
    """The note under a cut block or table: what it left out and, given ``how``, how to see it."""
    text = f"{count} more {what} of layer {layer} not shown"
    return text + (f": name them to see them ({how})" if how else "")
