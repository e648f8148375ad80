"""``explain`` of any name, in the run's notation and view: the general formula of a parameter's layer.

Every quantity a claim can name is explained here: a parameter or neuron by
:mod:`.explain`, a forward quantity (net_h1, out_o1, E_o1, E_total) by the lines that
compute it, a backward one (∂E_total/∂out_h1, δ_o1, ∂E_o1/∂out_h1) by the chain from the
outputs down to it.  Tutorial 002 ends with the formula for any weight: the weighted input
and activation of neuron j of layer l, the chain rule through them, and its bias
counterpart.  In the matrix view an explanation shows that formula for the parameter's
layer, in symbols, before the numbers, with the matrix form it is one entry of.
"""

from __future__ import annotations

from ..engine.trace import IterationTrace
from ..errors import UsageError
from ..formats import VIEWS
from . import explain as ex
from .derivation import Block, Derivation, Formatter, Line
from .deriver import Deriver
from .expr import Add, Expr, Mul, Partial, Sub, Sum, Sym
from .index import Param
from .matrix_expr import Apply, Hadamard, MatMul, Transpose
from .matrix_symbols import ONES, activation, biases, gradient, output_gradient, targets, vector, weights
from .names import Names
from .quantities import Quantity
from .respell import respell_derivation


def explain_in_view(it: IterationTrace, names: Names, name: str, fmt: Formatter | None = None, check: bool = True,
                    view: str = "scalar") -> Derivation:
    """:func:`~stepnet.derive.explain.explain`, in the run's notation; in the matrix view with the
    general formula of the parameter's layer after where it sits."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    target = ex.resolve(names, name)
    if isinstance(target, Quantity) and target.kind in ("param", "param+", "grad"):
        target = target.param
    if isinstance(target, Quantity):
        derivation = explain_quantity(Deriver(it, names, fmt), target)
    else:
        derivation = ex.explain(it, names, name, fmt, check)
    derivation = respell_derivation(derivation, names)
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


def explain_quantity(d: Deriver, q: Quantity) -> Derivation:
    """A quantity that is not a parameter or neuron: the lines that compute it, for its sample."""
    from .quantity_names import quantity_name

    s = q.sample or 0
    if s >= d.it.batch_size:
        raise UsageError(f"{quantity_name(q, d.names)} names sample {s + 1}, but the batch has {d.it.batch_size}")
    title = ex.heading(d, quantity_name(q, d.names, unicode=True))
    li, j = q.layer, q.index
    if q.kind in ("net", "out", "E") and li > 0:
        blocks = [Block("Net input and activation", _forward_lines(d, li if q.kind != "E" else d.backward.top,
                                                                   j, s, q.kind == "net"))]
        if q.kind == "E":
            blocks.append(Block("Its share of the error", [d.error_lines(s)[j]]))
    elif q.kind in ("E_total", "E_after", "target") or (q.kind == "out" and li == 0):
        blocks = _given_or_total(d, q, s)
    elif q.kind == "dnet_dout":
        w = d.names.weight(li, j, q.other)
        line = d.gradients.line(Partial(d.names.net(li, j), d.names.out(li - 1, q.other)),
                                [d.forward.param(w)], d.forward.param(w).value,
                                f"only the {w.unicode} term of the net input depends on it")
        blocks = [Block("The weight on that path", [line])]
    elif q.kind == "dnet_dparam":
        blocks = [_dnet_dparam_block(d, q, s)]
    else:  # dE_dout, dout_dnet, delta, path: the chain from the outputs down to it
        head = "Its net input and slope" if q.kind == "dout_dnet" else "From the outputs down"
        blocks = [Block(head, _backward_to(d, q, s))]
    if q.kind != "E_total":  # the error's blocks name their samples themselves
        for b in blocks:
            b.title += ex.sample_title(d, s)
    return Derivation(title, blocks)


def _forward_lines(d: Deriver, li: int, j: int, s: int, net_only: bool) -> list[Line]:
    """net and out of neuron j; a softmax output needs every net input of its layer."""
    if net_only:
        return [d.net_line(li, j, s)]
    if d.config.layers[li].activation == "softmax":
        nets = [d.net_line(li, k, s) for k in range(d.config.layers[li].size)]
    else:
        nets = [d.net_line(li, j, s)]
    return nets + [d.out_line(li, j, s)]


def _given_or_total(d: Deriver, q: Quantity, s: int) -> list[Block]:
    if q.kind == "E_total":
        picked = range(d.it.batch_size) if q.sample is None else [s]
        blocks = [Block("The error" + ex.sample_title(d, k), d.error_lines(k)) for k in picked]
        if q.sample is None and d.it.batch_size > 1:
            blocks.append(Block("Over the batch", text=[
                f"E_total is the mean over the batch's {d.it.batch_size} samples: {ex.minus(d.fmt(d.it.loss))}"]))
        return blocks
    if q.kind == "E_after":
        after = d.it.loss_after
        shown = "not computed (the run stopped)" if after is None else ex.minus(d.fmt(after))
        return [Block("After the update", text=[
            f"E_total⁺ is the loss of the same batch after iteration {d.it.iteration}'s update: {shown}"])]
    value, what = ((d.it.T[s, q.index], f"target {q.index + 1} of the sample") if q.kind == "target"
                   else (d.it.X[s, q.index], f"input {q.index + 1} of the sample"))
    return [Block("Given", text=[f"{what}, data[{d.it.samples[s]}]: {ex.minus(d.fmt(value))}"])]


def _dnet_dparam_block(d: Deriver, q: Quantity, s: int) -> Block:
    p = q.param
    if p.layer == q.layer and (p.to is None or p.to == q.index):
        return Block("What the parameter multiplies", [ex.dnet_dparam_line(d, p, q.index, s)])
    net = d.names.net(q.layer, q.index).unicode
    return Block("What the parameter multiplies", text=[f"{p.unicode} is not a term of {net}: ∂{net}/∂{p.unicode} = 0"])


def _backward_to(d: Deriver, q: Quantity, s: int) -> list[Line]:
    """Every backward line above q's layer, then q's neuron's lines up to and including q's own."""
    li, j = q.layer, q.index
    if q.kind == "path":  # through one neuron of the layer above: its δ, then the path
        return (ex.above_lines(d, li + 1, s) + ex.neuron_lines(d, li + 1, q.other, s)
                + [d.backward.path_lines(li, j, s)[q.other]])
    if q.kind == "dout_dnet":  # a local slope: it needs the neuron's forward values only
        return _forward_lines(d, li, j, s, False) + [d.backward.dout_dnet_line(li, j, s)]
    lines = ex.above_lines(d, li, s) + ex.neuron_lines(d, li, j, s)
    if q.kind != "dE_dout":
        return lines
    wanted = Partial(d.names.error(), d.names.out(li, j))
    for k in range(len(lines) - 1, -1, -1):  # the neuron's own line: the last one of that shape
        lhs = lines[k].lhs
        if isinstance(lhs, Partial) and lhs.num.key[0][0] == wanted.num.key[0][0] and lhs.den.key == wanted.den.key:
            return lines[:k + 1]
    return lines
