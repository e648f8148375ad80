"""The symbols a derivation is written in: net_h1, out_o1, δ_o1, w5⁺, η.

Each is a :class:`~stepnet.derive.expr.Sym` with its Unicode, ASCII and LaTeX forms, keyed
so that the same quantity is the same symbol wherever it appears.
"""

from __future__ import annotations

from .expr import Sym
from .index import Param, ParamIndex, superscript

_CONSTANTS = {
    "eta": ("η", "eta", "\\eta"),
    "mu": ("μ", "mu", "\\mu"),
    "beta1": ("β₁", "beta1", "\\beta_{1}"),
    "beta2": ("β₂", "beta2", "\\beta_{2}"),
    "epsilon": ("ε", "epsilon", "\\epsilon"),
    "t": ("t", "t", "t"),
    "k": ("k", "k", "k"),
}


class Symbols(ParamIndex):
    """The index of a network, written as expression atoms for its neurons and parameters."""

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
        return Sym(("E_sample", s), f"E{superscript(f'({k})')}", f"E({k})", f"E^{{({k})}}")

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
        u, a, l = _CONSTANTS[key]
        return Sym((key,), u, a, l)
