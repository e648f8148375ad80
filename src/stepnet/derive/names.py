"""Names and symbols: the one place that knows what "w5", "h1" or "δ_o1" means.

Neurons are the layer's name plus a 1-based index (i1, h2, o1).  Parameters are named
flat (w1, w2, ... and b1, b2, numbered layer by layer, by target neuron then source
neuron, or by source neuron first) or indexed (w^(l)_jk, l counting the layers after
the input, the two indices in to-from or from-to order).  Every name can be looked up
in either style, or as ``h1->o1``.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import index

from ..config.model import NetworkConfig
from ..errors import UsageError
from .expr import Sym

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789()+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺")


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


class Names:
    """All names of one network, in its configured notation.

    Nothing is made per parameter up front: a network of 100,000 weights costs a few
    offsets.  ``params`` is a sequence that makes each :class:`Param` when it is read, and
    :meth:`lookup` parses a name instead of searching a table of every alias.
    """

    def __init__(self, config: NetworkConfig) -> None:
        self.config = config
        self.layers = config.layers
        self.style = config.notation.style
        self.numbering = config.notation.numbering
        self.order = config.notation.index_order
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

    # -------------------------------------------------------------- numbering

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

    def _position(self, p: Param) -> int | None:
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

    def _indices(self, li: int, j: int, i: int) -> tuple[int, int]:
        return (j + 1, i + 1) if self.order == "to_from" else (i + 1, j + 1)

    def _weight(self, li: int, j: int, i: int, n: int) -> Param:
        if self.style == "flat":
            return Param("weight", li, j, i, f"w{n}", f"w{n}", f"w_{{{n}}}", n)
        a, b = self._indices(li, j, i)
        sep = "," if max(a, b) > 9 else ""
        sub = f"{a}{sep}{b}"
        return Param(
            "weight", li, j, i, f"w({li})_{sub}",
            f"w{_sup(f'({li})')}{sub.translate(_SUB)}", f"w^{{({li})}}_{{{sub}}}", n,
        )

    def _bias(self, li: int, j: int | None, n: int) -> Param:
        if self.style == "flat":
            return Param("bias", li, j, None, f"b{n}", f"b{n}", f"b_{{{n}}}", n)
        if j is None:
            return Param("bias", li, None, None, f"b({li})", f"b{_sup(f'({li})')}", f"b^{{({li})}}", n)
        return Param(
            "bias", li, j, None, f"b({li})_{j + 1}",
            f"b{_sup(f'({li})')}{str(j + 1).translate(_SUB)}", f"b^{{({li})}}_{{{j + 1}}}", n,
        )

    # Every name a parameter answers to (each layer L and index pair A, B written as the
    # notation's index order has them; J a neuron of a layer with one bias per neuron):
    #   weights: its name, w<flat>, w<lay>_<sub> with <lay> one of (L) ^(L) ^{(L)} ^L ^{L}
    #            and <sub> one of AB A,B {AB} {A,B}, and <neuron below>-><neuron>
    #   biases:  its name, b<flat>; a shared bias b(L) b^(L) b^{(L)}; a per-neuron bias
    #            b<lay>_J or b<lay>_{J} with <lay> one of (L) ^(L) ^{(L)}
    # Where two parameters answer to the same name (w(1)_111 as 1,11 and as 11,1) the later
    # one in ``params`` has it; a neuron's name (h1) wins over any parameter's.

    def _find(self, key: str) -> Param | Neuron | None:
        """What ``key`` (no spaces, lower case, ``->`` arrows) names, or None."""
        m = _NEURON.fullmatch(key)
        if m:
            neuron = self._neuron_named(m[1], m[2])
            if neuron is not None:
                return neuron
        found = self._param_candidates(key)
        if not found:
            return None
        return max(found, key=self._position)

    def _neuron_named(self, letters: str, digits: str) -> Neuron | None:
        if len(digits) > 9:
            return None
        j = int(digits) - 1
        for li in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[li]
            if layer.name.lower() == letters and j < layer.size:
                return Neuron(li, j, f"{layer.name}{j + 1}")
        return None

    def _param_candidates(self, key: str) -> list[Param]:
        m = _FLAT.fullmatch(key)
        if m:
            p = self._flat_param(m[1], m[2])
            return [p] if p is not None else []
        m = _WEIGHT.fullmatch(key)
        if m:
            return self._indexed_weights(_first(m, 1, 6), m[6])
        m = _BIAS.fullmatch(key)
        if m:
            p = self._indexed_bias(_first(m, 1, 4), m[4])
            return [p] if p is not None else []
        m = _ARROW.fullmatch(key)
        if m:
            return self._arrow_weights(m[1], m[2], m[3], m[4])
        return []

    def _flat_param(self, letter: str, digits: str) -> Param | None:
        if len(digits) > 9:
            return None
        n = int(digits)
        if letter == "w":
            if not 1 <= n <= self.weight_count:
                return None
            li = bisect.bisect_left(self._woff, n, 1, len(self.layers)) - 1
            return self._param_at(self._poff[li] + n - self._woff[li] - 1)
        if not 1 <= n <= self.bias_count:
            return None
        li = bisect.bisect_left(self._boff, n, 1, len(self.layers)) - 1
        layer = self.layers[li]
        return self._param_at(self._poff[li] + layer.size * self.layers[li - 1].size + n - self._boff[li] - 1)

    def _layer_number(self, digits: str | None) -> int | None:
        if digits is None or not _CANONICAL.fullmatch(digits) or len(digits) > 9:
            return None
        li = int(digits)
        return li if 1 <= li < len(self.layers) else None

    def _indexed_weights(self, layer_digits: str, sub: str) -> list[Param]:
        li = self._layer_number(layer_digits)
        if li is None:
            return []
        if sub.startswith("{") and sub.endswith("}"):
            sub = sub[1:-1]
        m = _INDEX_PAIR.fullmatch(sub)
        if not m:
            return []
        if m[2] is not None:  # A,B
            splits = [(m[1], m[2])]
        else:  # AB: every way of cutting the digits in two
            splits = [(m[1][:c], m[1][c:]) for c in range(1, len(m[1]))]
        layer, below = self.layers[li], self.layers[li - 1]
        found = []
        for a, b in splits:
            if not (_CANONICAL.fullmatch(a) and _CANONICAL.fullmatch(b)) or len(a) > 9 or len(b) > 9:
                continue
            j, i = (int(a) - 1, int(b) - 1) if self.order == "to_from" else (int(b) - 1, int(a) - 1)
            if j < layer.size and i < below.size:
                found.append(self.weight(li, j, i))
        return found

    def _indexed_bias(self, layer_digits: str, sub: str | None) -> Param | None:
        li = self._layer_number(layer_digits)
        if li is None:
            return None
        layer = self.layers[li]
        if sub is None:
            return self.bias(li, None) if layer.bias == "shared" else None
        if layer.bias != "per_neuron":
            return None
        digits = sub[1:-1] if sub.startswith("{") else sub
        if not _CANONICAL.fullmatch(digits) or len(digits) > 9 or int(digits) > layer.size:
            return None
        return self.bias(li, int(digits) - 1)

    def _arrow_weights(self, src: str, src_digits: str, dst: str, dst_digits: str) -> list[Param]:
        if len(src_digits) > 9 or len(dst_digits) > 9:
            return []
        i, j = int(src_digits) - 1, int(dst_digits) - 1
        found = []
        for li in range(1, len(self.layers)):
            layer, below = self.layers[li], self.layers[li - 1]
            if below.name.lower() == src and layer.name.lower() == dst and i < below.size and j < layer.size:
                found.append(self.weight(li, j, i))
        return found

    def canonical(self, name: str) -> Param | None:
        """The parameter whose own name (``p.name``, not an alias) is ``name``, in any case."""
        key = name.lower()
        for p in self._param_candidates(key):
            if p.name.lower() == key:
                return p
        return None

    # -------------------------------------------------------------- lookups

    def neuron_name(self, li: int, j: int) -> str:
        return f"{self.layers[li].name}{j + 1}"

    def weight(self, li: int, j: int, i: int) -> Param:
        """The weight into neuron ``j`` of layer ``li`` from neuron ``i`` below; KeyError if none."""
        try:
            li, j, i = index(li), index(j), index(i)
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
            if not 1 <= index(li) < len(self.layers):
                raise KeyError(("bias", li, None, None))
            return self._bias(index(li), None, self._boff[index(li)] + 1)
        if layer.bias != "per_neuron" or j is None or not 1 <= index(li) < len(self.layers):
            return None
        try:
            j = index(j)
        except TypeError:
            return None
        if not 0 <= j < layer.size:
            return None
        return self._bias(index(li), j, self._boff[index(li)] + j + 1)

    def layer_params(self, li: int) -> ParamSequence:
        """The weights then the biases of layer ``li``, made as they are read."""
        try:
            li = index(li)
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
        if self.style == "flat":
            woff, boff = self._woff[li], self._boff[li]
            return [f"w{n}" for n in range(woff + 1, woff + len(pairs) + 1)] + [f"b{n}" for n in range(boff + 1, boff + nb + 1)]
        to_from = self.order == "to_from"
        names = []
        for j, i in pairs:
            a, b = (j + 1, i + 1) if to_from else (i + 1, j + 1)
            names.append(f"w({li})_{a},{b}" if a > 9 or b > 9 else f"w({li})_{a}{b}")
        if layer.bias == "shared":
            names.append(f"b({li})")
        elif layer.bias == "per_neuron":
            names += [f"b({li})_{j + 1}" for j in range(layer.size)]
        return names

    def lookup(self, text: str) -> Param | Neuron:
        """A parameter or neuron by any of its names; UsageError listing valid names if none."""
        key = re.sub(r"\s+", "", text).lower().replace("→", "->")
        found = self._find(key)
        if found is not None:
            return found
        valid = self.valid_names()
        close = difflib.get_close_matches(text, valid, n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise UsageError(
            f"no parameter or neuron named '{text}' in this network",
            hint=f"{hint}valid names: {self.summary_of_names()}",
        )

    def _iter_names(self) -> Iterator[str]:
        for p in self.params:
            yield p.name
        for layer in self.layers:
            for j in range(layer.size):
                yield f"{layer.name}{j + 1}"

    def valid_names(self) -> list[str]:
        return list(self._iter_names())

    def summary_of_names(self, limit: int = 24) -> str:
        total = len(self.params) + sum(layer.size for layer in self.layers)
        if total <= limit:
            return ", ".join(self._iter_names())
        return ", ".join(itertools.islice(self._iter_names(), limit)) + f", … ({total - limit} more)"

    # -------------------------------------------------------------- symbols

    def neuron_latex(self, li: int, j: int) -> str:
        name = self.layers[li].name
        base = name if len(name) == 1 else f"\\mathrm{{{name}}}"
        return f"{base}_{{{j + 1}}}"

    def net(self, li: int, j: int) -> Sym:
        n = self.neuron_name(li, j)
        return Sym(("net", li, j), f"net_{n}", f"net_{n}", f"\\mathrm{{net}}_{{{self.neuron_latex(li, j)}}}")

    def out(self, li: int, j: int) -> Sym:
        """out_h1; for an input neuron just its name (i1), as the tutorials write it."""
        n = self.neuron_name(li, j)
        if li == 0:
            return Sym(("out", 0, j), n, n, self.neuron_latex(0, j))
        return Sym(("out", li, j), f"out_{n}", f"out_{n}", f"\\mathrm{{out}}_{{{self.neuron_latex(li, j)}}}")

    def target(self, j: int) -> Sym:
        n = self.neuron_name(len(self.layers) - 1, j)
        return Sym(("target", j), f"target_{n}", f"target_{n}", f"\\mathrm{{target}}_{{{self.neuron_latex(len(self.layers) - 1, j)}}}")

    def error(self, j: int | None = None) -> Sym:
        if j is None:
            return Sym(("E",), "E_total", "E_total", "E_{\\mathrm{total}}")
        n = self.neuron_name(len(self.layers) - 1, j)
        return Sym(("E", j), f"E_{n}", f"E_{n}", f"E_{{{self.neuron_latex(len(self.layers) - 1, j)}}}")

    @staticmethod
    def sample_error(s: int) -> Sym:
        """E⁽ˢ⁾: the error of sample s (0-based) of a batch; E_total is their mean."""
        k = str(s + 1)
        return Sym(("E_sample", s), f"E{_sup(f'({k})')}", f"E({k})", f"E^{{({k})}}")

    def delta(self, li: int, j: int) -> Sym:
        n = self.neuron_name(li, j)
        return Sym(("delta", li, j), f"δ_{n}", f"delta_{n}", f"\\delta_{{{self.neuron_latex(li, j)}}}")

    def param(self, p: Param, updated: bool = False) -> Sym:
        if not updated:
            return Sym(("param", p.name), p.unicode, p.name, p.latex)
        latex = p.latex + "^{+}" if "^" not in p.latex else p.latex.replace(")}", ")+}", 1)
        return Sym(("param+", p.name), p.unicode + "⁺", p.name + "+", latex)

    def state(self, key: str, p: Param, updated: bool = False, hat: bool = False) -> Sym:
        """Optimizer state of a parameter: v (momentum), m and v (adam), with ⁺ or a hat."""
        mark_u = ("̂" if hat else "") + ("⁺" if updated else "")
        mark_a = ("_hat" if hat else "") + ("+" if updated else "")
        base = f"\\hat{{{key}}}" if hat else key
        latex = f"{base}_{{{p.latex}}}" + ("^{+}" if updated else "")
        return Sym((key, p.name, hat, updated), f"{key}{mark_u}_{p.unicode}", f"{key}{mark_a}_{p.name}", latex)

    @staticmethod
    def constant(key: str) -> Sym:
        table = {
            "eta": ("η", "eta", "\\eta"),
            "mu": ("μ", "mu", "\\mu"),
            "beta1": ("β₁", "beta1", "\\beta_{1}"),
            "beta2": ("β₂", "beta2", "\\beta_{2}"),
            "epsilon": ("ε", "epsilon", "\\epsilon"),
            "t": ("t", "t", "t"),
            "k": ("k", "k", "k"),
        }
        u, a, l = table[key]
        return Sym((key,), u, a, l)


def _sup(s: str) -> str:
    return s.translate(_SUP)


def _first(m: re.Match, start: int, stop: int) -> str | None:
    """The first of groups start..stop-1 that matched."""
    return next((g for g in m.groups()[start - 1 : stop - 1] if g is not None), None)


# The name forms lookup understands (see Names._find); digits are ASCII only.
_CANONICAL = re.compile(r"[1-9][0-9]*")
_NEURON = re.compile(r"([a-z]+)([1-9][0-9]*)")
_FLAT = re.compile(r"([wb])([1-9][0-9]*)")
_WEIGHT = re.compile(r"w(?:\(([0-9]+)\)|\^\(([0-9]+)\)|\^\{\(([0-9]+)\)\}|\^([0-9]+)|\^\{([0-9]+)\})_(.+)")
_BIAS = re.compile(r"b(?:\(([0-9]+)\)|\^\(([0-9]+)\)|\^\{\(([0-9]+)\)\})(?:_([0-9]+|\{[0-9]+\}))?")
_ARROW = re.compile(r"([a-z]+)([1-9][0-9]*)->([a-z]+)([1-9][0-9]*)")
_INDEX_PAIR = re.compile(r"([0-9]+)(?:,([0-9]+))?")


class ParamSequence(Sequence):
    """Parameters at positions [start, stop) of a network's order, each made when read.

    Behaves as the list it replaces (len, indexing, slicing, iteration, ``in``, ``index``,
    ``==`` and ``+`` with lists) without holding one object per parameter.
    """

    __slots__ = ("_names", "_start", "_stop")

    def __init__(self, names: Names, start: int, stop: int) -> None:
        self._names, self._start, self._stop = names, start, stop

    def __len__(self) -> int:
        return self._stop - self._start

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._names._param_at(self._start + i) for i in range(len(self))[k]]
        k = index(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError("parameter index out of range")
        return self._names._param_at(self._start + k)

    def __iter__(self) -> Iterator[Param]:
        return self._names._iter_params(self._start, self._stop)

    def __contains__(self, p) -> bool:
        pos = self._names._position(p) if isinstance(p, Param) else None
        return pos is not None and self._start <= pos < self._stop and self._names._param_at(pos) == p

    def index(self, p, start: int = 0, stop: int | None = None) -> int:
        if p in self:
            k = self._names._position(p) - self._start
            if start <= k < (len(self) if stop is None else stop):
                return k
        raise ValueError(f"{p!r} is not in the parameters")

    def count(self, p) -> int:
        return int(p in self)

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple, ParamSequence)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a list

    def __add__(self, other):
        return list(self) + list(other)

    def __radd__(self, other):
        return list(other) + list(self)

    def __repr__(self) -> str:
        return f"<{len(self)} parameters>"
