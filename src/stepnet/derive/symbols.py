"""The symbols a derivation is written in: net_h1, out_o1, δ_o1, w5⁺, η, or z⁽²⁾₁, a⁽³⁾₁, C.

Each is a :class:`~stepnet.derive.expr.Sym` with its Unicode, ASCII and LaTeX forms, keyed
so that the same quantity is the same symbol wherever it appears, whatever the notation.
The letters are the notation's (:mod:`.notation`); a notation that writes neurons by
layer (nielsen) gives each symbol the layer's number and the neuron's index, z⁽²⁾₁, where
the others give the neuron's name, net_h1.
"""

from __future__ import annotations

import re

from .expr import Sym
from .index import Param, ParamIndex
from .notation import Letter, layer_sup, sub

_CONSTANTS = {
    "mu": ("μ", "mu", "\\mu"),
    "beta1": ("β₁", "beta1", "\\beta_{1}"),
    "beta2": ("β₂", "beta2", "\\beta_{2}"),
    "epsilon": ("ε", "epsilon", "\\epsilon"),
    "t": ("t", "t", "t"),
    "k": ("k", "k", "k"),
}


class Symbols(ParamIndex):
    """The index of a network, written as expression atoms for its neurons and parameters."""

    def neuron_latex(self, li: int, j: int | str) -> str:
        """h_{1}: a neuron's name in LaTeX (``j`` may be an index letter, h_{k})."""
        name = self.layers[li].name
        base = name if len(name) == 1 else f"\\mathrm{{{name}}}"
        return f"{base}_{{{j + 1 if isinstance(j, int) else j}}}"

    def _neuron(self, role: str, key: tuple, li: int, j: int | str) -> Sym:
        """A neuron's quantity: net_h1 by its name, or z⁽²⁾₁ by its layer and index."""
        letter = self.spelling.letters[role]
        k = str(j + 1) if isinstance(j, int) else j
        if self.spelling.layered:
            lay = self.spelling.layer_number(li)
            return Sym(key, f"{letter.unicode}{layer_sup(str(lay))}{sub(k)}", f"{letter.ascii}^({lay})_{k}",
                       f"{letter.latex}^{{{lay}}}_{{{k}}}")
        n = f"{self.layers[li].name}{k}"
        latex = f"{letter.latex}_{{{self.neuron_latex(li, j)}}}"
        return Sym(key, f"{letter.unicode}_{n}", f"{letter.ascii}_{n}", latex)

    @staticmethod
    def _indexed(key: tuple, letter: Letter, k: str, base: bool = False) -> Sym:
        """A letter with one index and no layer: y₁, C₁, x₂."""
        u, a, tex = (letter.base_unicode, letter.base_ascii, letter.base_latex) if base else (
            letter.unicode, letter.ascii, letter.latex)
        return Sym(key, u + sub(k), f"{a}_{k}", f"{tex}_{{{k}}}")

    def net(self, li: int, j: int) -> Sym:
        return self._neuron("net", ("net", li, j), li, j)

    def out(self, li: int, j: int) -> Sym:
        """out_h1; for an input neuron its name (i1) as the tutorials write it, or the input symbol."""
        if li != 0:
            return self._neuron("out", ("out", li, j), li, j)
        n = self.neuron_name(0, j)
        inp = self.spelling.letter("input")
        if self.spelling.layered:
            if self.spelling.separate_input:
                return self._indexed(("out", 0, j), inp, str(j + 1))
            return self._neuron("out", ("out", 0, j), 0, j)
        if inp is None:
            return Sym(("out", 0, j), n, n, self.neuron_latex(0, j))
        return self._neuron("input", ("out", 0, j), 0, j)

    def target(self, j: int) -> Sym:
        if self.spelling.layered:
            return self._indexed(("target", j), self.spelling.letters["target"], str(j + 1))
        return self._neuron("target", ("target", j), len(self.layers) - 1, j)

    def error(self, j: int | None = None, s: int | None = None) -> Sym:
        """E_total; E_o1, one output's error; with ``s``, that error for sample s (0-based) of a batch, E⁽¹⁾_o1."""
        loss = self.spelling.letters["loss"]
        if j is None:
            return Sym(("E",), loss.unicode, loss.ascii, loss.latex)
        mu, ma, mtex = self.spelling.sample_mark(str(s + 1)) if s is not None else ("", "", "")
        key = ("E", j) if s is None else ("E", j, s)
        if self.spelling.layered:
            k = str(j + 1)
            return Sym(key, f"{loss.base_unicode}{mu}{sub(k)}", f"{loss.base_ascii}{ma}_{k}",
                       f"{loss.base_latex}{mtex}_{{{k}}}")
        top = len(self.layers) - 1
        n = self.neuron_name(top, j)
        return Sym(key, f"{loss.base_unicode}{mu}_{n}", f"{loss.base_ascii}{ma}_{n}",
                   f"{loss.base_latex}{mtex}_{{{self.neuron_latex(top, j)}}}")

    def sample_error(self, s: int) -> Sym:
        """E⁽ˢ⁾: the error of sample s (0-based) of a batch; E_total is their mean (E⟨ˢ⟩ where layers are ⁽ˡ⁾)."""
        loss = self.spelling.letters["loss"]
        u, a, tex = self.spelling.sample_mark(str(s + 1))
        return Sym(("E_sample", s), f"{loss.base_unicode}{u}", f"{loss.base_ascii}{a}", f"{loss.base_latex}{tex}")

    def delta(self, li: int, j: int) -> Sym:
        return self._neuron("delta", ("delta", li, j), li, j)

    def param_ascii(self, p: Param) -> str:
        """How ASCII output writes a parameter: its name, with nielsen's layer in brackets (w^(3)_11)."""
        return re.sub(r"\^([0-9]+)", r"^(\1)", p.name, count=1) if self.spelling.layered else p.name

    def param(self, p: Param, updated: bool = False) -> Sym:
        if not updated:
            return Sym(("param", p.name), p.unicode, self.param_ascii(p), p.latex)
        if self.spelling.layered:
            latex = f"{{{p.latex}}}^{{+}}"
        else:
            latex = p.latex + "^{+}" if "^" not in p.latex else p.latex.replace(")}", ")+}", 1)
        return Sym(("param+", p.name), p.unicode + "⁺", self.param_ascii(p) + "+", latex)

    def state(self, key: str, p: Param, updated: bool = False, hat: bool = False) -> Sym:
        """Optimizer state of a parameter: v (momentum), m and v (adam), with ⁺ or a hat."""
        mark_u = ("̂" if hat else "") + ("⁺" if updated else "")
        mark_a = ("_hat" if hat else "") + ("+" if updated else "")
        base = f"\\hat{{{key}}}" if hat else key
        latex = f"{base}_{{{p.latex}}}" + ("^{+}" if updated else "")
        ascii_ = f"{key}{mark_a}_{self.param_ascii(p)}"
        return Sym((key, p.name, hat, updated), f"{key}{mark_u}_{p.unicode}", ascii_, latex)

    def constant(self, key: str) -> Sym:
        if key == "eta":
            rate = self.spelling.letters["rate"]
            return Sym(("eta",), rate.unicode, rate.ascii, rate.latex)
        u, a, tex = _CONSTANTS[key]
        return Sym((key,), u, a, tex)

    # ------------------------------------------------------------------ general forms

    def generic(self, role: str, li: int, index: str) -> Sym:
        """A neuron's quantity with an index letter for the neuron: net_hk, z⁽²⁾ₖ, δ⁽³⁾ⱼ."""
        key = ("generic", role, li, index)
        if role == "out" and li == 0:
            inp = self.spelling.letter("input")
            if self.spelling.layered and self.spelling.separate_input:
                return self._indexed(key, inp, index)
            if not self.spelling.layered and inp is None:
                name = f"{self.layers[0].name}{index}"
                return Sym(key, name, name, self.neuron_latex(0, index))
            role = "input" if not self.spelling.layered else "out"
        return self._neuron(role, key, li, index)

    def generic_weight(self, li: int, to: str, source: str) -> Sym:
        """The weight into neuron ``to`` of layer ``li`` from neuron ``source`` below: w_oj,hk or w⁽³⁾ⱼₖ."""
        w = self.spelling.letters["weight"]
        if self.flat_names:
            a, b = f"{self.layers[li].name}{to}", f"{self.layers[li - 1].name}{source}"
            return Sym(("generic", "weight", li), f"{w.unicode}_{a},{b}", f"{w.ascii}_{a},{b}",
                       f"{w.latex}_{{{self.neuron_latex(li, to)}, {self.neuron_latex(li - 1, source)}}}")
        pair = to + source if self.order == "to_from" else source + to
        _, unicode, latex = self._layered(w, li, pair)
        lay = self.spelling.layer_number(li)
        ascii_ = f"{w.ascii}^({lay})_{pair}" if self.spelling.layered else f"{w.ascii}({lay})_{pair}"
        return Sym(("generic", "weight", li), unicode, ascii_, latex)

    def generic_bias(self, li: int, to: str) -> Sym | None:
        """The bias of neuron ``to`` of layer ``li`` (the shared bias where there is one)."""
        layer = self.layers[li]
        if layer.bias == "none":
            return None
        if layer.bias == "shared":
            return self.param(self.bias(li, None))
        b = self.spelling.letters["bias"]
        if self.flat_names:
            a = f"{layer.name}{to}"
            latex = f"{b.latex}_{{{self.neuron_latex(li, to)}}}"
            return Sym(("generic", "bias", li), f"{b.unicode}_{a}", f"{b.ascii}_{a}", latex)
        _, unicode, latex = self._layered(b, li, to)
        return Sym(("generic", "bias", li), unicode, f"{b.ascii}_{to}", latex)
