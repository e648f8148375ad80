"""The symbols of the matrix view: a whole layer's vector or matrix, in the run's notation.

Nielsen writes z⁽ˡ⁾, a⁽ˡ⁾, W⁽ˡ⁾, b⁽ˡ⁾ and δ⁽ˡ⁾ with the layer's number; the tutorial's notation
has no layer numbers, so a layer's vector is named after the layer (net_o, out_h, W_o, b_o),
and the indexed notation numbers its weight matrices as it numbers its weights (W⁽²⁾).
"""

from __future__ import annotations

from dataclasses import dataclass

from .expr import Partial, Sym
from .index import superscript
from .matrix_expr import Grid, MatSym
from .names import Names
from .notation import Letter, layer_sup

ACTIVATION_SPELLINGS = {
    "sigmoid": ("σ", "sigma", "\\sigma"),
    "tanh": ("tanh", "tanh", "\\tanh"),
    "relu": ("ReLU", "ReLU", "\\mathrm{ReLU}"),
    "leaky_relu": ("LReLU", "LReLU", "\\mathrm{LReLU}"),
    "identity": ("id", "id", "\\mathrm{id}"),
    "softmax": ("softmax", "softmax", "\\mathrm{softmax}"),
}


def activation(name: str, derivative: bool = False) -> tuple[str, str, str]:
    """The function a layer applies entry by entry, or its derivative: σ, σ′."""
    u, a, tex = ACTIVATION_SPELLINGS[name]
    return (u + "′", a + "'", tex + "'") if derivative else (u, a, tex)


@dataclass(frozen=True, eq=False)
class MatPartial(Partial):
    """∂C/∂W⁽ˡ⁾: a matrix of derivatives, printed as one, substituted by its grid."""

    grid: Grid | None = None

    def numeric(self):
        return self if self.grid is None else self.grid


def _layer_latex(name: str) -> str:
    return name if len(name) == 1 else f"\\mathrm{{{name}}}"


def _by_layer(names: Names, letter: Letter, li: int, key: tuple, grid: Grid | None, numbered: bool) -> MatSym:
    """``letter`` for layer ``li``: with its number (W⁽³⁾) or, in the tutorial's notation, its name (W_o)."""
    if numbered:
        lay = names.spelling.layer_number(li)
        if names.spelling.layered:
            return MatSym(key, f"{letter.unicode}{layer_sup(str(lay))}", f"{letter.ascii}^({lay})",
                          f"{letter.latex}^{{{lay}}}", grid=grid)
        return MatSym(key, f"{letter.unicode}{superscript(f'({lay})')}", f"{letter.ascii}({lay})",
                      f"{letter.latex}^{{({lay})}}", grid=grid)
    name = names.layers[li].name
    return MatSym(key, f"{letter.unicode}_{name}", f"{letter.ascii}_{name}",
                  f"{letter.latex}_{{{_layer_latex(name)}}}", grid=grid)


def vector(names: Names, role: str, li: int, grid: Grid | None = None) -> MatSym:
    """A layer's net inputs, activations or δ as one vector: z⁽²⁾, out_h, δ⁽³⁾ (the inputs: a⁽¹⁾, i, x)."""
    key = ("vector", role, li)
    spelling = names.spelling
    if role == "out" and li == 0:
        inp = spelling.letter("input")
        if spelling.layered and spelling.separate_input:
            return MatSym(key, inp.unicode, inp.ascii, inp.latex, grid=grid)
        if not spelling.layered:
            if inp is None:
                name = names.layers[0].name
                return MatSym(key, name, name, _layer_latex(name), grid=grid)
            return _by_layer(names, inp, 0, key, grid, False)
    return _by_layer(names, spelling.letters[role], li, key, grid, spelling.layered)


def weights(names: Names, li: int, grid: Grid | None = None) -> MatSym:
    """The weight matrix into layer ``li``: one row per neuron of the layer, one column per neuron below."""
    letter = names.spelling.letters["weight"].capital()
    return _by_layer(names, letter, li, ("W", li), grid, not names.flat_names)


def biases(names: Names, li: int, grid: Grid | None = None) -> MatSym:
    return _by_layer(names, names.spelling.letters["bias"], li, ("b", li), grid, not names.flat_names)


def targets(names: Names, grid: Grid | None = None) -> MatSym:
    t = names.spelling.letters["target"]
    return MatSym(("vector", "target"), t.unicode, t.ascii, t.latex, grid=grid)


def output_gradient(names: Names, li: int, grid: Grid | None = None):
    """∂C/∂a of a layer as one vector: ∇ₐC for Nielsen's output layer, else ∂C/∂a⁽ˡ⁾ or ∂E_total/∂out_o."""
    if names.spelling.layered and li == len(names.layers) - 1:
        out, loss = names.spelling.letters["out"], names.spelling.letters["loss"]
        return MatSym(("grad_out", li), f"∇{_sub_letter(out.unicode)}{loss.unicode}", f"grad_{out.ascii} {loss.ascii}",
                      f"\\nabla_{{{out.latex}}} {loss.latex}", grid=grid)
    return MatPartial(names.error(), vector(names, "out", li), None, grid)


def gradient(names: Names, of: MatSym, grid: Grid | None = None) -> MatPartial:
    """∂C/∂W⁽ˡ⁾ or ∂C/∂b⁽ˡ⁾."""
    return MatPartial(names.error(), of, None, grid)


def state(names: Names, key: str, of: MatSym, updated: bool = False, hat: bool = False,
          grid: Grid | None = None) -> MatSym:
    """An optimizer's state of a whole matrix: v_W, m̂_W, v_W⁺."""
    mark_u = ("̂" if hat else "") + ("⁺" if updated else "")
    mark_a = ("_hat" if hat else "") + ("+" if updated else "")
    base = f"\\hat{{{key}}}" if hat else key
    latex = f"{base}_{{{of.latex}}}" + ("^{+}" if updated else "")
    return MatSym((key, of.key, hat, updated), f"{key}{mark_u}_{of.unicode}", f"{key}{mark_a}_{of.ascii}", latex,
                  grid=grid)


def updated(of: MatSym, grid: Grid | None = None) -> MatSym:
    """W⁽ˡ⁾⁺: the matrix after the update."""
    return MatSym(("updated", of.key), of.unicode + "⁺", of.ascii + "+", f"{{{of.latex}}}^{{+}}", grid=grid)


ONES = Sym(("ones",), "𝟏", "1", "\\mathbf{1}")


def ones(rows: list[int], size: int) -> MatSym:
    """𝟏, a column of ones, with the rows shown of its ``size``."""
    return MatSym(ONES.key, ONES.unicode, ONES.ascii, ONES.latex, grid=Grid([[1.0]] * size, rows, [0]))


def _sub_letter(u: str) -> str:
    return {"a": "ₐ", "o": "ₒ", "x": "ₓ", "e": "ₑ", "h": "ₕ", "k": "ₖ", "l": "ₗ", "m": "ₘ", "n": "ₙ", "p": "ₚ",
            "s": "ₛ", "t": "ₜ"}.get(u, "_" + u)
