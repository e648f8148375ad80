"""``explain`` in the run's notation and view: the general formula of a parameter's layer.

Tutorial 002 ends with the formula for any weight: the weighted input and activation of
neuron j of layer l, the chain rule through them, and its bias counterpart.  In the matrix
view an explanation shows that formula for the parameter's layer, in symbols, before the
numbers, with the matrix form it is one entry of.
"""

from __future__ import annotations

from ..engine.trace import IterationTrace
from ..formats import VIEWS
from .derivation import Block, Derivation, Formatter, Line
from .explain import explain
from .expr import Add, Expr, Mul, Partial, Sub, Sum, Sym
from .index import Param
from .matrix_expr import Apply, Hadamard, MatMul, Transpose
from .matrix_symbols import ONES, activation, biases, gradient, output_gradient, targets, vector, weights
from .names import Names
from .respell import respell_derivation


def explain_in_view(it: IterationTrace, names: Names, name: str, fmt: Formatter | None = None, check: bool = True,
                    view: str = "scalar") -> Derivation:
    """:func:`~stepnet.derive.explain.explain`, in the run's notation; in the matrix view with the
    general formula of the parameter's layer after where it sits."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    derivation = respell_derivation(explain(it, names, name, fmt, check), names)
    target = names.lookup(name)
    if view == "matrix" and isinstance(target, Param):
        derivation.blocks.insert(1, general_formula(names, target, fused=it.fused))
    return derivation


def general_formula(names: Names, p: Param, fused: bool = False) -> Block:
    """The formula for any parameter of ``p``'s layer, then the matrix equation it is an entry of."""
    li, top = p.layer, len(names.layers) - 1
    layer = names.layers[li]
    f = activation(layer.activation)
    k = Sym(("index", "k"), "k", "k", "k")
    z, a = names.generic("net", li, "j"), names.generic("out", li, "j")
    w, below = names.generic_weight(li, "j", "k"), names.generic("out", li - 1, "k")
    delta = names.generic("delta", li, "j")
    bias = names.generic_bias(li, "j")
    weighted: Expr = Sum(k, Mul(w, below))
    lines = [Line(z, [Add(weighted, bias) if bias is not None else weighted]), Line(a, [Apply(f, z)])]
    error = names.error()
    chain = Mul(Partial(error, a), Partial(a, z), Partial(z, w if p.kind == "weight" else bias))
    if p.kind == "weight":
        lines.append(Line(Partial(error, w), [chain, Mul(delta, below)]))
        here = f"here j = {p.to + 1} and k = {p.source + 1}."
    elif p.to is None:  # a shared bias: every neuron of the layer adds it
        j = Sym(("index", "j"), "j", "j", "j")
        lines.append(Line(Partial(error, bias), [Sum(j, chain), Sum(j, delta)]))
        here = "the shared bias adds to every neuron j of the layer."
    else:
        lines.append(Line(Partial(error, bias), [chain, delta]))
        here = f"here j = {p.to + 1}."
    lines += _matrix_form(names, p, li, top, fused)
    text = [f"For any parameter of layer {layer.name}, with j a neuron of this layer and k a neuron of the "
            f"layer below; {here} The last lines are the same for the whole layer at once, of which this "
            "parameter's gradient is one entry."]
    return Block(f"The general formula for layer {layer.name}", lines, text)


def _matrix_form(names: Names, p: Param, li: int, top: int, fused: bool) -> list[Line]:
    """The same for the whole layer: its δ, and the gradient matrix whose entry p's gradient is."""
    layer = names.layers[li]
    d, z = vector(names, "delta", li), vector(names, "net", li)
    slope = Apply(activation(layer.activation, derivative=True), z)
    if li == top:
        back = Sub(vector(names, "out", li), targets(names)) if fused else Hadamard(output_gradient(names, li), slope)
    else:
        back = Hadamard(MatMul(Transpose(weights(names, li + 1)), vector(names, "delta", li + 1)), slope)
    lines = [Line(d, [back])]
    if p.kind == "weight":
        lines.append(Line(gradient(names, weights(names, li)), [MatMul(d, Transpose(vector(names, "out", li - 1)))]))
    else:
        if p.to is None:  # the shared bias: the sum of the layer's δ
            lines.append(Line(gradient(names, names.param(p)), [MatMul(Transpose(ONES), d)]))
        else:
            lines.append(Line(gradient(names, biases(names, li)), [d]))
    return lines
