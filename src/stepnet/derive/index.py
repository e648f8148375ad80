"""The index of one network: where every parameter sits and what it is called.

Neurons are the layer's name plus a 1-based index (i1, h2, o1).  Parameters are named
flat (w1, w2, ... and b1, b2, numbered layer by layer, by target neuron then source
neuron, or by source neuron first), indexed (w^(l)_jk, l counting the layers after
the input, the two indices in to-from or from-to order) or as Nielsen writes them
(w^l_jk, l counting the input layer as 1).  The letters are the notation's (w and b
unless the config gives others).
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..config.model import NetworkConfig
from .notation import Spelling, layer_sup, sub

_SUP = str.maketrans("0123456789()+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺")


def superscript(s: str) -> str:
    """``s`` in Unicode superscript digits and brackets, as names write a layer: w⁽¹⁾."""
    return s.translate(_SUP)


@dataclass(frozen=True)
class Param:
    """A weight or bias. ``layer`` is its layer's index in config.layers (≥ 1)."""

    kind: str  # weight | bias
    layer: int
    to: int | None  # 0-based neuron of `layer`; None for a shared bias
    source: int | None  # 0-based neuron of the layer below (weights only)
    name: str  # flat or indexed ASCII name, as the config's notation has it
    unicode: str
    latex: str
    flat: int  # position in flat numbering (1-based, within its kind)

    @property
    def index(self) -> tuple[int, ...]:
        """Where it sits in its layer's arrays: ``(to, source)`` in W, ``(k,)`` in b (k 0 for a shared bias)."""
        if self.kind == "weight":
            return (self.to, self.source)
        return (0 if self.to is None else self.to,)

    def read(self, weights, biases) -> float:
        """Its value in one layer's weight matrix or bias vector (whichever is its kind)."""
        return float((weights if self.kind == "weight" else biases)[self.index])

    def of(self, layer_trace, which: str = "value") -> float:
        """Its value, gradient or updated value in a :class:`~stepnet.engine.trace.LayerTrace`."""
        weights, biases = _TRACE_ARRAYS[which]
        return self.read(getattr(layer_trace, weights), getattr(layer_trace, biases))


_TRACE_ARRAYS = {"value": ("W", "b"), "gradient": ("gW", "gb"), "updated": ("W_after", "b_after")}


@dataclass(frozen=True)
class Neuron:
    layer: int
    index: int  # 0-based
    name: str


class ParamIndex:
    """Every parameter of one network, numbered in its configured notation.

    Nothing is made per parameter up front: a network of 100,000 weights costs a few
    offsets, and ``params`` is a sequence that makes each :class:`Param` when it is read.
    """

    def __init__(self, config: NetworkConfig) -> None:
        self.config = config
        self.layers = config.layers
        self.style = config.notation.style
        self.numbering = config.notation.numbering
        self.order = config.notation.index_order
        self.spelling = Spelling(config.notation)
        self.flat_names = self.style in ("flat", "mazur")
        # per layer index: weights and biases numbered before it, and its first position in params
        count = len(self.layers)
        self._woff, self._boff, self._poff = [0] * (count + 1), [0] * (count + 1), [0] * (count + 1)
        wcount = bcount = 0
        for li in range(1, count):
            layer, below = self.layers[li], self.layers[li - 1]
            self._woff[li], self._boff[li], self._poff[li] = wcount, bcount, wcount + bcount
            wcount += layer.size * below.size
            bcount += layer.bias_count
        self._woff[count], self._boff[count], self._poff[count] = wcount, bcount, wcount + bcount
        self.weight_count, self.bias_count = wcount, bcount
        self.params: ParamSequence = ParamSequence(self, 0, wcount + bcount)

    # -------------------------------------------------------------- positions

    def _param_at(self, pos: int) -> Param:
        """The parameter at position ``pos`` of ``params``: layer by layer, weights then biases."""
        li = bisect.bisect_right(self._poff, pos, 1, len(self.layers)) - 1
        layer, below = self.layers[li], self.layers[li - 1]
        k = pos - self._poff[li]
        nw = layer.size * below.size
        if k < nw:
            j, i = divmod(k, below.size) if self.numbering != "by_source" else divmod(k, layer.size)[::-1]
            return self._weight(li, j, i, self._woff[li] + k + 1)
        k -= nw
        return self._bias(li, None if layer.bias == "shared" else k, self._boff[li] + k + 1)

    def _iter_params(self, start: int, stop: int) -> Iterator[Param]:
        pos = start
        while pos < stop:
            li = bisect.bisect_right(self._poff, pos, 1, len(self.layers)) - 1
            layer, below = self.layers[li], self.layers[li - 1]
            end = min(stop, self._poff[li + 1])
            nw = layer.size * below.size
            base, woff, boff = self._poff[li], self._woff[li], self._boff[li]
            for k in range(pos - base, end - base):
                if k < nw:
                    j, i = divmod(k, below.size) if self.numbering != "by_source" else divmod(k, layer.size)[::-1]
                    yield self._weight(li, j, i, woff + k + 1)
                else:
                    yield self._bias(li, None if layer.bias == "shared" else k - nw, boff + k - nw + 1)
            pos = end

    def position(self, p: Param) -> int | None:
        """Where ``p`` is in ``params``, or None if it is not one of this network's."""
        li = p.layer
        if not isinstance(li, int) or not 1 <= li < len(self.layers):
            return None
        layer, below = self.layers[li], self.layers[li - 1]
        if p.kind == "weight":
            if not (isinstance(p.to, int) and isinstance(p.source, int)
                    and 0 <= p.to < layer.size and 0 <= p.source < below.size):
                return None
            k = p.source * layer.size + p.to if self.numbering == "by_source" else p.to * below.size + p.source
            return self._poff[li] + k
        if p.kind != "bias" or p.source is not None:
            return None
        if layer.bias == "shared" and p.to is None:
            return self._poff[li] + layer.size * below.size
        if layer.bias == "per_neuron" and isinstance(p.to, int) and 0 <= p.to < layer.size:
            return self._poff[li] + layer.size * below.size + p.to
        return None

    # -------------------------------------------------------------- names

    def _indices(self, li: int, j: int, i: int) -> tuple[int, int]:
        return (j + 1, i + 1) if self.order == "to_from" else (i + 1, j + 1)

    def _weight(self, li: int, j: int, i: int, n: int) -> Param:
        w = self.spelling.letters["weight"]
        if self.flat_names:
            return Param("weight", li, j, i, f"{w.ascii}{n}", f"{w.unicode}{n}", f"{w.latex}_{{{n}}}", n)
        a, b = self._indices(li, j, i)
        sep = "," if max(a, b) > 9 else ""
        pair = f"{a}{sep}{b}"
        name, unicode, latex = self._layered(w, li, pair)
        return Param("weight", li, j, i, name, unicode, latex, n)

    def _layered(self, letter, li: int, index: str | None) -> tuple[str, str, str]:
        """(name, unicode, latex) of a parameter of layer ``li`` with ``index`` (None: a shared bias)."""
        lay = self.spelling.layer_number(li)
        if self.spelling.layered:  # nielsen: w^3_11, w⁽³⁾₁₁, w^{3}_{11}
            name, mark, latex = f"{letter.ascii}^{lay}", layer_sup(str(lay)), f"{letter.latex}^{{{lay}}}"
        else:  # indexed: w(2)_11, w⁽²⁾₁₁, w^{(2)}_{11}
            name, mark, latex = f"{letter.ascii}({lay})", superscript(f"({lay})"), f"{letter.latex}^{{({lay})}}"
        unicode = letter.unicode + mark
        if index is None:
            return name, unicode, latex
        return f"{name}_{index}", unicode + sub(index), f"{latex}_{{{index}}}"

    def _bias(self, li: int, j: int | None, n: int) -> Param:
        b = self.spelling.letters["bias"]
        if self.flat_names:
            return Param("bias", li, j, None, f"{b.ascii}{n}", f"{b.unicode}{n}", f"{b.latex}_{{{n}}}", n)
        name, unicode, latex = self._layered(b, li, None if j is None else str(j + 1))
        return Param("bias", li, j, None, name, unicode, latex, n)

    # -------------------------------------------------------------- lookups

    def neuron_name(self, li: int, j: int) -> str:
        return f"{self.layers[li].name}{j + 1}"

    def weight(self, li: int, j: int, i: int) -> Param:
        """The weight into neuron ``j`` of layer ``li`` from neuron ``i`` below; KeyError if none."""
        try:
            li, j, i = operator.index(li), operator.index(j), operator.index(i)
        except TypeError:
            raise KeyError(("weight", li, j, i)) from None
        if 1 <= li < len(self.layers):
            size, below = self.layers[li].size, self.layers[li - 1].size
            if 0 <= j < size and 0 <= i < below:
                k = i * size + j if self.numbering == "by_source" else j * below + i
                return self._weight(li, j, i, self._woff[li] + k + 1)
        raise KeyError(("weight", li, j, i))

    def bias(self, li: int, j: int | None) -> Param | None:
        layer = self.layers[li]
        if layer.bias == "shared":
            if not 1 <= operator.index(li) < len(self.layers):
                raise KeyError(("bias", li, None, None))
            return self._bias(operator.index(li), None, self._boff[operator.index(li)] + 1)
        if layer.bias != "per_neuron" or j is None or not 1 <= operator.index(li) < len(self.layers):
            return None
        try:
            j = operator.index(j)
        except TypeError:
            return None
        if not 0 <= j < layer.size:
            return None
        return self._bias(operator.index(li), j, self._boff[operator.index(li)] + j + 1)

    def flat(self, kind: str, n: int) -> Param | None:
        """The ``n``-th weight or bias (``kind``) in flat numbering, counting from 1; None past the end."""
        if kind == "weight":
            if not 1 <= n <= self.weight_count:
                return None
            li = bisect.bisect_left(self._woff, n, 1, len(self.layers)) - 1
            return self._param_at(self._poff[li] + n - self._woff[li] - 1)
        if not 1 <= n <= self.bias_count:
            return None
        li = bisect.bisect_left(self._boff, n, 1, len(self.layers)) - 1
        layer = self.layers[li]
        return self._param_at(self._poff[li] + layer.size * self.layers[li - 1].size + n - self._boff[li] - 1)

    def layer_params(self, li: int) -> ParamSequence:
        """The weights then the biases of layer ``li``, made as they are read."""
        try:
            li = operator.index(li)
        except TypeError:
            li = 0
        if not 1 <= li < len(self.layers):
            return ParamSequence(self, 0, 0)
        return ParamSequence(self, self._poff[li], self._poff[li + 1])

    def param_names(self, li: int) -> list[str]:
        """The names of layer ``li``'s parameters in ``params`` order: weights, then biases.

        The same as ``[p.name for p in self.layer_params(li)]``, made in bulk for wide layers.
        """
        layer, below = self.layers[li], self.layers[li - 1]
        if self.numbering == "by_source":
            pairs = [(j, i) for i in range(below.size) for j in range(layer.size)]
        else:
            pairs = [(j, i) for j in range(layer.size) for i in range(below.size)]
        nb = layer.bias_count
        w, b = self.spelling.letters["weight"].ascii, self.spelling.letters["bias"].ascii
        if self.flat_names:
            woff, boff = self._woff[li], self._boff[li]
            weights = [f"{w}{n}" for n in range(woff + 1, woff + len(pairs) + 1)]
            return weights + [f"{b}{n}" for n in range(boff + 1, boff + nb + 1)]
        to_from = self.order == "to_from"
        lay = self.spelling.layer_number(li)
        wl, bl = (f"{w}^{lay}", f"{b}^{lay}") if self.spelling.layered else (f"{w}({lay})", f"{b}({lay})")
        names = []
        for j, i in pairs:
            a, c = (j + 1, i + 1) if to_from else (i + 1, j + 1)
            names.append(f"{wl}_{a},{c}" if a > 9 or c > 9 else f"{wl}_{a}{c}")
        if layer.bias == "shared":
            names.append(bl)
        elif layer.bias == "per_neuron":
            names += [f"{bl}_{j + 1}" for j in range(layer.size)]
        return names


class ParamSequence(Sequence):
    """Parameters at positions [start, stop) of a network's order, each made when read.

    Behaves as the list it replaces (len, indexing, slicing, iteration, ``in``, ``index``,
    ``==`` and ``+`` with lists) without holding one object per parameter.
    """

    __slots__ = ("_index", "_start", "_stop")

    def __init__(self, index: ParamIndex, start: int, stop: int) -> None:
        self._index, self._start, self._stop = index, start, stop

    def __len__(self) -> int:
        return self._stop - self._start

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._index._param_at(self._start + i) for i in range(len(self))[k]]
        k = operator.index(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError("parameter index out of range")
        return self._index._param_at(self._start + k)

    def __iter__(self) -> Iterator[Param]:
        return self._index._iter_params(self._start, self._stop)

    def __contains__(self, p) -> bool:
        pos = self._index.position(p) if isinstance(p, Param) else None
        return pos is not None and self._start <= pos < self._stop and self._index._param_at(pos) == p

    def index(self, p, start: int = 0, stop: int | None = None) -> int:
        if p in self:
            k = self._index.position(p) - self._start
            if start <= k < (len(self) if stop is None else stop):
                return k
        raise ValueError(f"{p!r} is not in the parameters")

    def count(self, p) -> int:
        return int(p in self)

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple, ParamSequence)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a list

    def __add__(self, other):
        return list(self) + list(other)

    def __radd__(self, other):
        return list(other) + list(self)

    def __repr__(self) -> str:
        return f"<{len(self)} parameters>"
