"""One parameter's or neuron's whole derivation, step by step, in the tutorials' order.

For a parameter: where it sits; the chain rule in symbols; each factor with where it
comes from; for hidden layers every path to the outputs and the δ of each layer above;
the product with numbers; the δ shorthand; the update; and a check of the value against
sympy's derivative of the whole loss and a central finite difference.
"""

from __future__ import annotations

import math

from ..engine.trace import IterationTrace
from ..verify.oracles import FD_RELATIVE, SYMPY_RELATIVE, finite_difference_estimate, sympy_check
from .derivation import Block, Derivation, Formatter, Line, long_sum, long_sum_of
from .deriver import Deriver
from .expr import Mul, Num, Partial
from .index import Neuron, Param
from .names import Names


def explain(it: IterationTrace, names: Names, name: str, fmt: Formatter | None = None,
            check: bool = True) -> Derivation:
    target = names.lookup(name)
    d = Deriver(it, names, fmt)
    if isinstance(target, Neuron):
        return explain_neuron(d, target)
    return explain_param(d, target, check=check)


def _samples(d: Deriver) -> range:
    return range(d.it.batch_size)


def _sample_title(d: Deriver, s: int) -> str:
    return "" if d.it.batch_size == 1 else f" (sample {s + 1} of the batch, data[{d.it.samples[s]}])"


def where_it_sits(d: Deriver, p: Param) -> str:
    names, cfg = d.names, d.config
    layer = cfg.layers[p.layer]
    value = d.fmt(d.param(p).value)
    when = f"at iteration {d.it.iteration}, before its update"
    if p.kind == "weight":
        return (f"{p.unicode} is the weight from {names.neuron_name(p.layer - 1, p.source)} to "
                f"{names.neuron_name(p.layer, p.to)} (into layer {layer.name}). Its value {when}: {value}.")
    if p.to is None:
        fed = ", ".join(names.neuron_name(p.layer, j) for j in range(layer.size))
        return f"{p.unicode} is the shared bias of layer {layer.name}: it feeds {fed}. Its value {when}: {value}."
    return f"{p.unicode} is the bias of {names.neuron_name(p.layer, p.to)}. Its value {when}: {value}."


def explain_param(d: Deriver, p: Param, check: bool = True) -> Derivation:
    names = d.names
    blocks = [Block("Where it sits", text=[where_it_sits(d, p)])]
    feeds = [p.to] if p.to is not None else list(range(d.config.layers[p.layer].size))
    chain = [d.gradients.gradient_chain(p, j, None) for j in feeds]
    lhs = Partial(names.error(), names.param(p))
    blocks.append(Block("The chain rule", [Line(lhs, [long_sum(chain)])]))
    for s in _samples(d):
        blocks.append(Block("Each factor" + _sample_title(d, s), _factor_lines(d, p, feeds, s)))
        prod = Block("Put together" + _sample_title(d, s), d.gradient_lines(p, s))
        if p.to is None:
            prod.text.append("A shared bias adds to every neuron of its layer, so its gradient is the sum of "
                             "their δ, each times 1.")
        else:
            n = names.neuron_name(p.layer, p.to)
            prod.text.append(f"δ_{n} = ∂E_total/∂net_{n} collects every factor but the last, so the gradient "
                             "is δ times what the parameter multiplies.")
        blocks.append(prod)
    mean = d.batch_gradient_line(p)
    if mean is not None:
        blocks.append(Block("Over the batch", [mean]))
    blocks.append(Block("The update", d.update_lines(p)))
    deriv = Derivation(f"∂E_total/∂{p.unicode} at iteration {d.it.iteration}", blocks)
    if check:
        blocks.append(check_block(d, p))
    return deriv


def _factor_lines(d: Deriver, p: Param, feeds: list[int], s: int) -> list[Line]:
    """Every factor of the chain, from the output layer down to the parameter's layer."""
    lines: list[Line] = []
    top = len(d.config.layers) - 1
    # δ of every layer above first, from the outputs down: no unexplained jump
    for li in range(top, p.layer, -1):
        for j in range(d.config.layers[li].size):
            lines += d.neuron_backward_lines(li, j, s)
    for j in feeds:
        lines += d.neuron_backward_lines(p.layer, j, s)
        lines.append(_dnet_dparam_line(d, p, j, s))
    return lines


def _dnet_dparam_line(d: Deriver, p: Param, j: int, s: int) -> Line:
    """∂net/∂p: the input the parameter multiplies (1 for a bias)."""
    lhs = Partial(d.names.net(p.layer, j), d.names.param(p))
    form = d.gradients.input_of(p, s)
    forms = [] if isinstance(form, Num) else [form]
    return d.gradients.line(lhs, forms, form.evaluate(), _symbolic_note(d, p, j))


def _symbolic_note(d: Deriver, p: Param, j: int) -> tuple:
    """'from net_o1 = w5·out_h1 + …: only the w5 term depends on w5', in symbols."""
    li = p.layer
    below = d.config.layers[li - 1]
    bias = d.names.bias(li, j)

    def term(i: int):
        if i == below.size:
            return Mul(d.names.param(bias), Num(1))
        return Mul(d.names.param(d.names.weight(li, j, i)), d.names.out(li - 1, i))

    total = long_sum_of(below.size + (bias is not None), term)
    return ("from ", d.names.net(li, j), " = ", total, f": only the {p.unicode} term depends on {p.unicode}")


def check_block(d: Deriver, p: Param) -> Block:
    """The chain-rule value beside sympy's derivative and a central finite difference."""
    chain = d.gradient_value(p)
    if not math.isfinite(chain):  # a diverging iteration: no oracle can be compared with it
        return Block("Check", text=[f"not checked: the chain-rule value is {d.fmt(chain)}, "
                                    "because training diverged in this iteration"])
    fd = finite_difference_estimate(d.config, d.it, p)
    sym = sympy_check(d.config, d.it, p)
    text = []
    if sym.value is not None:
        text.append(f"sympy, differentiating the whole loss as a function of {p.unicode}: {d.fmt(sym.value)} "
                    f"({difference(sym.value, chain)})")
    else:
        text.append(f"sympy check skipped: {sym.skipped}; the finite difference stands")
    text.append(f"{_fd_formula(p, fd)}: {d.fmt(fd.value)} ({difference(fd.value, chain)})")
    why = _not_the_gradient(d, p)
    if why:
        text += [why, _oracles_verdict(fd, sym)]
        return Block("Check", text=text)
    ok = fd.agrees(chain, FD_RELATIVE) and sym.agrees(chain)
    if ok:
        text.append("✓ both agree with the chain rule" if sym.value is not None
                    else "✓ the finite difference agrees with the chain rule")
    else:
        text.append(_allowed(fd, sym, chain))
        text.append("✗ the checks disagree with the chain rule: please report this")
    return Block("Check", text=text)


def _fd_formula(p: Param, fd) -> str:
    """How the finite difference was formed, with the step it used."""
    central = f"(E({p.unicode} + h) − E({p.unicode} − h))/2h"
    if not fd.richardson:
        return f"central finite difference, {central} with h = {_step(fd.step)}"
    return (f"central finite difference, Richardson-extrapolated: (4·D(h) − D(2h))/3 with D(h) = {central} "
            f"and h = {_step(fd.step)}")


def _step(h: float) -> str:
    """1e-6, 4.1e-3: a step as a short power of ten."""
    mantissa, exponent = f"{h:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def _allowed(fd, sym, chain: float) -> str:
    """What each check allowed, for a value that is outside one of them."""
    parts = [f"the finite difference allows {_step(FD_RELATIVE * max(abs(chain), abs(fd.value)) + fd.tolerance)} "
             f"(relative {_step(FD_RELATIVE)} plus its error bound {_step(fd.tolerance)}) and is "
             f"{_step(abs(fd.value - chain))} away"]
    if sym.value is not None:
        parts.append(f"sympy allows {_step(SYMPY_RELATIVE * abs(sym.value) + sym.tolerance)} and is "
                     f"{_step(abs(sym.value - chain))} away")
    return "; ".join(parts)


def _not_the_gradient(d: Deriver, p: Param) -> str:
    """Why the chain-rule value is, on purpose, not the loss's exact gradient ("" when it is)."""
    if d.it.carry is not None:
        return "In hand mode the chain-rule value carries rounded intermediates; the checks use full precision."
    if d.config.hidden_deltas_use == "updated_weights" and p.layer < len(d.config.layers) - 1:
        return ("With hidden_deltas_use: updated_weights the δ of this layer come back through weights already "
                "updated, so the value is not the loss's gradient; the checks give the gradient itself.")
    return ""


def _oracles_verdict(fd, sym) -> str:
    """The oracles compared with each other, where the chain-rule value differs from them on purpose."""
    if sym.value is None or fd.agrees(sym.value, FD_RELATIVE):
        return "✓ the checks agree with each other; the chain-rule value differs from them for the reason above"
    return "✗ the checks disagree with each other: please report this"


def difference(a: float, b: float) -> str:
    """How far apart two values are, as a power of ten: the same on every machine."""
    diff = abs(a - b)
    if diff == 0:
        return "identical to the chain-rule value"
    if not math.isfinite(diff):
        return "not comparable with the chain-rule value"
    return f"differs from the chain-rule value by less than 1e{math.ceil(math.log10(diff))}"


def explain_neuron(d: Deriver, n: Neuron) -> Derivation:
    if n.layer == 0:
        blocks = []
        for s in _samples(d):
            blocks.append(Block("Input" + _sample_title(d, s),
                                text=[f"{n.name} is input {n.index + 1}: its value is {d.fmt(d.it.X[s, n.index])}."]))
        return Derivation(f"{n.name} at iteration {d.it.iteration}", blocks)
    blocks = []
    for s in _samples(d):
        blocks.append(Block("Net input and activation" + _sample_title(d, s),
                            [d.net_line(n.layer, n.index, s), d.out_line(n.layer, n.index, s)]))
        blocks.append(Block("δ, its share of the error" + _sample_title(d, s),
                            d.neuron_backward_lines(n.layer, n.index, s)))
    return Derivation(f"{n.name} at iteration {d.it.iteration}", blocks)
