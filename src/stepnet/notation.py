"""Names and symbols: the one place that knows what "w5", "h1" or "δ_o1" means.

Neurons are the layer's name plus a 1-based index (i1, h2, o1).  Parameters are named
flat (w1, w2, ... and b1, b2, numbered layer by layer, by target neuron then source
neuron, or by source neuron first) or indexed (w^(l)_jk, l counting the layers after
the input, the two indices in to-from or from-to order).  Every name can be looked up
in either style, or as ``h1->o1``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .config import NetworkConfig
from .errors import UsageError
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


@dataclass(frozen=True)
class Neuron:
    layer: int
    index: int  # 0-based
    name: str


class Names:
    """All names of one network, in its configured notation."""

    def __init__(self, config: NetworkConfig) -> None:
        self.config = config
        self.layers = config.layers
        self.style = config.notation.style
        self.numbering = config.notation.numbering
        self.order = config.notation.index_order
        self.params: list[Param] = []
        self._build()
        self._by_key = {(p.kind, p.layer, p.to, p.source): p for p in self.params}
        self._lookup: dict[str, Param | Neuron] = {}
        for p in self.params:
            for alias in self._aliases(p):
                self._lookup[alias] = p
        for li, layer in enumerate(self.layers):
            for j in range(layer.size):
                n = Neuron(li, j, f"{layer.name}{j + 1}")
                self._lookup[n.name.lower()] = n

    # -------------------------------------------------------------- numbering

    def _build(self) -> None:
        wcount = bcount = 0
        for li in range(1, len(self.layers)):
            layer, below = self.layers[li], self.layers[li - 1]
            if self.numbering == "by_source":
                pairs = [(j, i) for i in range(below.size) for j in range(layer.size)]
            else:
                pairs = [(j, i) for j in range(layer.size) for i in range(below.size)]
            for j, i in pairs:
                wcount += 1
                self.params.append(self._weight(li, j, i, wcount))
            if layer.bias == "shared":
                bcount += 1
                self.params.append(self._bias(li, None, bcount))
            elif layer.bias == "per_neuron":
                for j in range(layer.size):
                    bcount += 1
                    self.params.append(self._bias(li, j, bcount))

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

    def _aliases(self, p: Param) -> list[str]:
        letter = "w" if p.kind == "weight" else "b"
        out = [p.name.lower(), f"{letter}{p.flat}"]
        if p.kind == "weight":
            a, b = self._indices(p.layer, p.to, p.source)
            for sub in {f"{a}{b}", f"{a},{b}", f"{{{a}{b}}}", f"{{{a},{b}}}"}:
                for lay in (f"({p.layer})", f"^({p.layer})", f"^{{({p.layer})}}", f"^{p.layer}", f"^{{{p.layer}}}"):
                    out.append(f"w{lay}_{sub}")
            out.append(f"{self.neuron_name(p.layer - 1, p.source)}->{self.neuron_name(p.layer, p.to)}".lower())
        elif p.to is None:
            out += [f"b({p.layer})", f"b^({p.layer})", f"b^{{({p.layer})}}"]
        else:
            for lay in (f"({p.layer})", f"^({p.layer})", f"^{{({p.layer})}}"):
                out += [f"b{lay}_{p.to + 1}", f"b{lay}_{{{p.to + 1}}}"]
        return out

    # -------------------------------------------------------------- lookups

    def neuron_name(self, li: int, j: int) -> str:
        return f"{self.layers[li].name}{j + 1}"

    def weight(self, li: int, j: int, i: int) -> Param:
        return self._by_key[("weight", li, j, i)]

    def bias(self, li: int, j: int | None) -> Param | None:
        if self.layers[li].bias == "shared":
            return self._by_key[("bias", li, None, None)]
        return self._by_key.get(("bias", li, j, None))

    def layer_params(self, li: int) -> list[Param]:
        return [p for p in self.params if p.layer == li]

    def lookup(self, text: str) -> Param | Neuron:
        """A parameter or neuron by any of its names; UsageError listing valid names if none."""
        key = re.sub(r"\s+", "", text).lower().replace("→", "->")
        found = self._lookup.get(key)
        if found is not None:
            return found
        valid = self.valid_names()
        close = difflib.get_close_matches(text, valid, n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise UsageError(
            f"no parameter or neuron named '{text}' in this network",
            hint=f"{hint}valid names: {self.summary_of_names()}",
        )

    def valid_names(self) -> list[str]:
        names = [p.name for p in self.params]
        for li, layer in enumerate(self.layers):
            names += [f"{layer.name}{j + 1}" for j in range(layer.size)]
        return names

    def summary_of_names(self, limit: int = 24) -> str:
        names = self.valid_names()
        if len(names) <= limit:
            return ", ".join(names)
        return ", ".join(names[:limit]) + f", … ({len(names) - limit} more)"

    # -------------------------------------------------------------- symbols

    def _neuron_latex(self, li: int, j: int) -> str:
        name = self.layers[li].name
        base = name if len(name) == 1 else f"\\mathrm{{{name}}}"
        return f"{base}_{{{j + 1}}}"

    def net(self, li: int, j: int) -> Sym:
        n = self.neuron_name(li, j)
        return Sym(("net", li, j), f"net_{n}", f"net_{n}", f"\\mathrm{{net}}_{{{self._neuron_latex(li, j)}}}")

    def out(self, li: int, j: int) -> Sym:
        """out_h1; for an input neuron just its name (i1), as the tutorials write it."""
        n = self.neuron_name(li, j)
        if li == 0:
            return Sym(("out", 0, j), n, n, self._neuron_latex(0, j))
        return Sym(("out", li, j), f"out_{n}", f"out_{n}", f"\\mathrm{{out}}_{{{self._neuron_latex(li, j)}}}")

    def target(self, j: int) -> Sym:
        n = self.neuron_name(len(self.layers) - 1, j)
        return Sym(("target", j), f"target_{n}", f"target_{n}", f"\\mathrm{{target}}_{{{self._neuron_latex(len(self.layers) - 1, j)}}}")

    def error(self, j: int | None = None) -> Sym:
        if j is None:
            return Sym(("E",), "E_total", "E_total", "E_{\\mathrm{total}}")
        n = self.neuron_name(len(self.layers) - 1, j)
        return Sym(("E", j), f"E_{n}", f"E_{n}", f"E_{{{self._neuron_latex(len(self.layers) - 1, j)}}}")

    def delta(self, li: int, j: int) -> Sym:
        n = self.neuron_name(li, j)
        return Sym(("delta", li, j), f"δ_{n}", f"delta_{n}", f"\\delta_{{{self._neuron_latex(li, j)}}}")

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
