"""Reading a name the user typed: "w5", "W(1)_21", "h1 -> o1" or "h1" in any case.

A name is parsed against the network's index rather than looked up in a table of every
alias, so a network of millions of parameters answers as quickly as a small one.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import UsageError
from .index import Neuron, Param, ParamIndex

# The name forms the parser understands (see NameParser._find); digits are ASCII only.
_CANONICAL = re.compile(r"[1-9][0-9]*")
_NEURON = re.compile(r"([a-z]+)([1-9][0-9]*)")
_ARROW = re.compile(r"([a-z]+)([1-9][0-9]*)->([a-z]+)([1-9][0-9]*)")
_INDEX_PAIR = re.compile(r"([0-9]+)(?:,([0-9]+))?")
_LAYER = r"\(([0-9]+)\)|\^\(([0-9]+)\)|\^\{\(([0-9]+)\)\}|\^([0-9]+)|\^\{([0-9]+)\}"


@dataclass(frozen=True)
class _Forms:
    """The patterns of one notation's parameter names, for its weight and bias letters."""

    flat_weight: re.Pattern
    flat_bias: re.Pattern
    weight: re.Pattern
    bias: re.Pattern


@functools.lru_cache(maxsize=32)
def _forms(weights: tuple[str, ...], biases: tuple[str, ...], layered: bool) -> _Forms:
    w = "(?:" + "|".join(re.escape(x) for x in sorted(weights, key=len, reverse=True)) + ")"
    b = "(?:" + "|".join(re.escape(x) for x in sorted(biases, key=len, reverse=True)) + ")"
    # a bias's layer is written with brackets, except in nielsen, whose names are b^2_1
    bias_layer = _LAYER if layered else _LAYER.rsplit("|", 2)[0]
    return _Forms(
        re.compile(f"{w}([1-9][0-9]*)"),
        re.compile(f"{b}([1-9][0-9]*)"),
        re.compile(f"{w}(?:{_LAYER})_(.+)"),
        re.compile(f"{b}(?:{bias_layer})(?:_([0-9]+|\\{{[0-9]+\\}}))?"),
    )


_TYPED_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾", "0123456789()")
_TYPED_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_GREEK_WORDS = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
                "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
                "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
                "χ": "chi", "ψ": "psi", "ω": "omega"}


def plain_typed(text: str) -> str:
    """A name copied from Unicode output, in the ASCII the parser reads: w⁽³⁾₁₁ → w^(3)_11, θ5 → theta5."""
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾]+", lambda m: "^" + m[0].translate(_TYPED_SUP), text)
    text = re.sub(r"[₀₁₂₃₄₅₆₇₈₉]+", lambda m: "_" + m[0].translate(_TYPED_SUB), text)
    return "".join(_GREEK_WORDS.get(c.lower(), c) for c in text)


class NameParser(ParamIndex):
    """The index of a network, read from text: every name a parameter or neuron answers to.

    Every name a parameter answers to (each layer L and index pair A, B written as the
    notation's index order has them; J a neuron of a layer with one bias per neuron):
      weights: its name, w<flat>, w<lay>_<sub> with <lay> one of (L) ^(L) ^{(L)} ^L ^{L}
               and <sub> one of AB A,B {AB} {A,B}, and <neuron below>-><neuron>
      biases:  its name, b<flat>; a shared bias b(L) b^(L) b^{(L)}; a per-neuron bias
               b<lay>_J or b<lay>_{J} with <lay> one of (L) ^(L) ^{(L)}
    Where two parameters answer to the same name (w(1)_111 as 1,11 and as 11,1) the later
    one in ``params`` has it; a neuron's name (h1) wins over any parameter's.
    """

    def lookup(self, text: str) -> Param | Neuron:
        """A parameter or neuron by any of its names; UsageError listing valid names if none."""
        key = plain_typed(re.sub(r"\s+", "", text)).lower().replace("→", "->")
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

    def canonical(self, name: str) -> Param | None:
        """The parameter whose own name (``p.name``, not an alias) is ``name``, in any case."""
        key = name.lower()
        for p in self._param_candidates(key):
            if p.name.lower() == key:
                return p
        return None

    def valid_names(self) -> list[str]:
        return list(self._iter_names())

    def summary_of_names(self, limit: int = 24) -> str:
        total = len(self.params) + sum(layer.size for layer in self.layers)
        if total <= limit:
            return ", ".join(self._iter_names())
        return ", ".join(itertools.islice(self._iter_names(), limit)) + f", … ({total - limit} more)"

    def _iter_names(self) -> Iterator[str]:
        for p in self.params:
            yield p.name
        for layer in self.layers:
            for j in range(layer.size):
                yield f"{layer.name}{j + 1}"

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
        return max(found, key=self.position)

    def _neuron_named(self, letters: str, digits: str) -> Neuron | None:
        if len(digits) > 9:
            return None
        j = int(digits) - 1
        for li in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[li]
            if layer.name.lower() == letters and j < layer.size:
                return Neuron(li, j, f"{layer.name}{j + 1}")
        return None

    @functools.cached_property
    def _forms(self) -> _Forms:
        w, b = self.spelling.letters["weight"].ascii.lower(), self.spelling.letters["bias"].ascii.lower()
        weights = (w,) + (("w",) if "w" not in (w, b) else ())
        biases = (b,) + (("b",) if "b" not in (w, b) else ())
        return _forms(weights, biases, self.spelling.layered)

    def _param_candidates(self, key: str) -> list[Param]:
        forms = self._forms
        for pattern, kind in ((forms.flat_weight, "weight"), (forms.flat_bias, "bias")):
            m = pattern.fullmatch(key)
            if m:
                if len(m[1]) > 9:
                    return []
                p = self.flat(kind, int(m[1]))
                return [p] if p is not None else []
        m = forms.weight.fullmatch(key)
        if m:
            return self._indexed_weights(_first(m, 1, 6), m[6])
        m = forms.bias.fullmatch(key)
        if m:
            p = self._indexed_bias(_first(m, 1, m.re.groups), m[m.re.groups])
            return [p] if p is not None else []
        m = _ARROW.fullmatch(key)
        if m:
            return self._arrow_weights(m[1], m[2], m[3], m[4])
        return []

    def _layer_number(self, digits: str | None) -> int | None:
        if digits is None or not _CANONICAL.fullmatch(digits) or len(digits) > 9:
            return None
        li = self.spelling.layer_index(int(digits))
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


def _first(m: re.Match, start: int, stop: int) -> str | None:
    """The first of groups start..stop-1 that matched."""
    return next((g for g in m.groups()[start - 1 : stop - 1] if g is not None), None)
