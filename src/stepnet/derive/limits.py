"""How much of a wide layer a report shows in full, and how it says what it left out.

Names to show in full are the parameters' and neurons' own names, in lower case, or
ranges of two parameter names of one kind (``theta17-theta40``, ``w^3_21-w^3_88``): every
weight (or bias) of the network from the one to the other, in the network's order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .derivation import MAX_TERMS
from .expr import Add, Expr, Text
from .index import Param
from .names import Names

_RANGE = re.compile(r"(.+?)-(?!>)(.+)")  # a-b, but not the arrow of h1->o1


@dataclass
class Limits:
    """How much of a wide layer a report shows in full.

    ``neurons``: the first neurons of every layer shown (with any named in ``only``); the
    parameters shown are those between shown neurons (:class:`Cut`).  ``params`` is kept
    for callers that set it; the report no longer cuts parameter lists on their own.
    """

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


def resolve(names: Names, limits: Limits) -> Limits:
    """``limits`` with the neurons every named parameter needs added to ``only``.

    A parameter's line uses the δ of the neuron it feeds and the output of the neuron it
    comes from: naming the parameter shows both neurons, so nothing the line uses is unseen.
    """
    extra = set()
    for name in limits.only:
        for p in _named_params(names, name):
            if p.to is not None:
                extra.add(names.neuron_name(p.layer, p.to).lower())
            if p.kind == "weight":
                extra.add(names.neuron_name(p.layer - 1, p.source).lower())
    return replace(limits, only=limits.only | extra) if extra - limits.only else limits


def _named_params(names: Names, name: str) -> list[Param]:
    """The parameters ``name`` stands for: one by its own name (lower case), or a range's."""
    p = names.canonical(name) if name == name.lower() else None
    if p is not None:
        return [p]
    if "-" not in name:
        return []
    try:
        found = param_range(names, name)
    except ValueError:
        return []
    if found is None:
        return []
    kind, lo, hi = found
    return [q for q in names.params[lo : hi + 1] if q.kind == kind]


@dataclass
class Cut:
    """What a report shows of every layer: the one decision the text, the tables and the diagram read.

    A layer shows the neurons :func:`pick` chooses (the first ``limits.neurons`` and any named,
    the neurons of named parameters included once the limits are :func:`resolve`-d), and
    exactly the parameters between shown neurons: every value a shown line uses is shown.
    """

    names: Names
    limits: Limits
    _neurons: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def neurons(self, li: int) -> list[int]:
        """The neurons of layer ``li`` shown, in order."""
        if li not in self._neurons:
            size = self.names.config.layers[li].size
            names = [self.names.neuron_name(li, j) for j in range(size)]
            self._neurons[li] = pick(size, self.limits.neurons, names, self.limits.only)[0]
        return self._neurons[li]

    def hidden(self, li: int) -> int:
        return self.names.config.layers[li].size - len(self.neurons(li))

    def whole(self, li: int) -> bool:
        return self.hidden(li) == 0

    def drawn(self, li: int) -> int:
        """How many neurons of layer ``li`` a drawing shows: the shown ones from the first without a gap."""
        shown = self.neurons(li)
        return next((k for k, j in enumerate(shown) if j != k), len(shown))

    def params(self, li: int) -> list[Param]:
        """The parameters of layer ``li`` shown: each between a shown neuron and a shown one below."""
        to, below = self.neurons(li), self.neurons(li - 1)
        found = [self.names.weight(li, j, i) for j in to for i in below]
        biases = {self.names.bias(li, j) for j in to}
        found += [b for b in biases if b is not None]
        return sorted(found, key=self.names.position)

    def hidden_params(self, li: int) -> int:
        return len(self.names.layer_params(li)) - len(self.params(li))

    def neuron_hint(self, li: int) -> str:
        """The option that shows the hidden neurons of layer ``li``: ``--only h9-h64``."""
        shown = set(self.neurons(li))
        hidden = [j for j in range(self.names.config.layers[li].size) if j not in shown]
        first, last = (self.names.neuron_name(li, j) for j in (hidden[0], hidden[-1]))
        return f"--only {first}" if first == last else f"--only {first}-{last}"

    def params_hint(self, li: int) -> str:
        """The option that shows the hidden parameters of layer ``li``: ``--params w25-w192,b9-b64``."""
        params = self.names.layer_params(li)
        start = self.names.position(params[0])
        return params_hint(params, [self.names.position(p) - start for p in self.params(li)])


def shown_of(cut: Cut | None, config, li: int):
    """The neurons of layer ``li`` a derivation goes through: the cut's, or all of them."""
    return range(config.layers[li].size) if cut is None else cut.neurons(li)


def cut_sum(cut: Cut | None, li: int, term: Callable[[int], Expr], extra: list[Expr] | None = None) -> Expr | None:
    """The terms of the shown neurons of layer ``li``, a count where some are left out, then ``extra``.

    None where the whole layer is shown (or there is no cut): the caller's own sum applies.
    """
    if cut is None or cut.whole(li):
        return None
    items: list[tuple[int, Expr | None]] = []  # (terms it stands for, the term; None for a gap)
    prev = -1
    for j in cut.neurons(li):
        if j - prev > 1:
            items.append((j - prev - 1, None))
        items.append((1, term(j)))
        prev = j
    if cut.names.config.layers[li].size - 1 > prev:
        items.append((cut.names.config.layers[li].size - 1 - prev, None))
    items += [(1, e) for e in extra or []]
    if len(items) > MAX_TERMS:  # as long_sum: the first four and the last two, around a count
        items = items[:4] + [(sum(n for n, _ in items[4:-2]), None)] + items[-2:]
    merged: list[tuple[int, Expr | None]] = []
    for n, e in items:
        if e is None and merged and merged[-1][1] is None:
            merged[-1] = (merged[-1][0] + n, None)
        else:
            merged.append((n, e))
    parts = [e if e is not None else _more(n) for n, e in merged]
    return parts[0] if len(parts) == 1 else Add(*parts)


def _more(count: int) -> Text:
    return Text(f"… {count} more term{'s' if count != 1 else ''} …")


def omitted(count: int, what: str, layer: str, how: str) -> str:
    """The note under a cut block or table: what it left out and, given ``how``, how to see it."""
    text = f"{count} more {what} of layer {layer} not shown"
    return text + (f": name them to see them ({how})" if how else "")
