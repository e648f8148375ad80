"""One parameter's, neuron's or quantity's whole derivation, step by step, in the tutorials' order.

For a parameter: where it sits; the chain rule in symbols; each factor with where it
comes from; for hidden layers every path to the outputs and the δ of each layer above;
the product with numbers; the δ shorthand; the update; and a check of the value against
sympy's derivative of the whole loss and a central finite difference.  Any other quantity
a claim can name (net_h1, E_o1, δ_o1, ∂E_o1/∂out_h1, …) is explained by :mod:`.views`
from the lines made here.

Where the loss is fused with the output activation (softmax with cross-entropy, sigmoid
with binary cross-entropy) the output δ is derived in full before the out − target
shortcut is stated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..config.sections import sums_to_one
from ..engine.rounding import make_rounder
from ..engine.trace import IterationTrace
from ..errors import UsageError
from ..verify.oracles import OracleResult, oracle_results
from .derivation import Block, Derivation, Formatter, Line, long_sum, long_sum_of
from .deriver import Deriver
from .expr import Add, Mul, Neg, Num, Paren, Partial, Sub, Sum, Sym
from .index import Neuron, Param
from .names import Names
from .quantities import Quantity


@dataclass
class CheckBlock(Block):
    """The check of a gradient: its text, and the oracles' results it was written from."""

    chain_rule: float | None = None
    oracles: tuple[OracleResult, ...] = ()
    verdict: str = ""  # agree | disagree | differs on purpose | not checked


def minus(text: str) -> str:
    """A number's text with the minus sign of every other number shown (U+2212)."""
    return "−" + text[1:] if text.startswith("-") else text


def power_of_ten(x: float) -> str:
    """1e−6, 4.1e−3: a step or a tolerance as a short power of ten, with the true minus sign."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return minus(str(x))
    exact = Decimal(x)  # the float's exact value, rounded once, half away from zero
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if abs(mantissa) >= 10:
        mantissa, exponent = (mantissa / 10).quantize(Decimal("0.1")), exponent + 1
    return minus(f"{mantissa:f}".removesuffix(".0")) + "e" + minus(str(exponent))


def resolve(names: Names, name: str) -> Param | Neuron | Quantity:
    """A parameter or neuron by any of its names, else any quantity a claim can name; else a UsageError."""
    from .quantities import QuantityError
    from .quantity_parser import parse

    try:
        return names.lookup(name)
    except UsageError as exc:
        try:
            return parse(name, names)
        except QuantityError as qexc:
            message = str(qexc) if "@" in name or "is a neuron" in str(qexc) else \
                f"no parameter or neuron named '{name}' in this network, nor any quantity"
            raise UsageError(message, hint=exc.hint) from None


def explain(it: IterationTrace, names: Names, name: str, fmt: Formatter | None = None,
            check: bool = True) -> Derivation:
    """A parameter's or neuron's derivation (``w5``, ``h1``, ``w5+``, ``dE_total/dw5``); every other
    quantity is :func:`~stepnet.derive.views.explain_in_view`'s."""
    target = resolve(names, name)
    if isinstance(target, Quantity):
        if target.param is None or target.kind not in ("param", "param+", "grad"):
            raise UsageError(f"'{name}' is a quantity, not a parameter or neuron: explain_in_view explains it")
        target = target.param
    d = Deriver(it, names, fmt)
    if isinstance(target, Neuron):
        return explain_neuron(d, target)
    return explain_param(d, target, check=check)


def heading(d: Deriver, what: str) -> str:
    """'∂E_total/∂w1 at iteration 2 (samples data[1], data[4])': the samples its update used, as the report says."""
    from .report_sections import batch_phrase

    phrase = batch_phrase(d.it.samples, len(d.config.data))
    return f"{what} at iteration {d.it.iteration}" + (f" ({phrase})" if phrase else "")


def sample_title(d: Deriver, s: int) -> str:
    return "" if d.it.batch_size == 1 else f" (sample {s + 1} of the batch, data[{d.it.samples[s]}])"


def where_it_sits(d: Deriver, p: Param) -> str:
    names, cfg = d.names, d.config
    layer = cfg.layers[p.layer]
    value = minus(d.fmt(d.param(p).value))
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
    for s in range(d.it.batch_size):
        blocks.append(Block("Each factor" + sample_title(d, s), _factor_lines(d, p, feeds, s)))
        prod = Block("Put together" + sample_title(d, s), d.gradient_lines(p, s))
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
    deriv = Derivation(heading(d, f"∂E_total/∂{p.unicode}"), blocks)
    if check:
        blocks.append(check_block(d, p))
    return deriv


def layer_lines(d: Deriver, li: int, s: int) -> list[Line]:
    """Every backward line of layer ``li`` for sample ``s``: each neuron's ∂E/∂out, ∂out/∂net and δ."""
    if li == len(d.config.layers) - 1 and d.it.fused:
        lines = output_error_lines(d, s) if d.config.layers[li].activation == "softmax" else []
        for j in range(d.config.layers[li].size):
            lines += fused_delta_lines(d, j, s, with_error=False)
        return lines
    return [ln for j in range(d.config.layers[li].size) for ln in d.neuron_backward_lines(li, j, s)]


def neuron_lines(d: Deriver, li: int, j: int, s: int) -> list[Line]:
    """The backward lines of one neuron: through the fused output chain where there is one."""
    if li == len(d.config.layers) - 1 and d.it.fused:
        return fused_delta_lines(d, j, s, with_error=True)
    return d.neuron_backward_lines(li, j, s)


def above_lines(d: Deriver, li: int, s: int) -> list[Line]:
    """The backward lines of every layer above ``li``, from the outputs down: no unexplained jump."""
    return [ln for lj in range(len(d.config.layers) - 1, li, -1) for ln in layer_lines(d, lj, s)]


def _factor_lines(d: Deriver, p: Param, feeds: list[int], s: int) -> list[Line]:
    """Every factor of the chain, from the output layer down to the parameter's layer."""
    lines = above_lines(d, p.layer, s)
    top = p.layer == len(d.config.layers) - 1
    if top and d.it.fused and d.config.layers[p.layer].activation == "softmax":
        lines += output_error_lines(d, s)
    for j in feeds:
        lines += fused_delta_lines(d, j, s, with_error=False) if top and d.it.fused else neuron_lines(d, p.layer, j, s)
        lines.append(dnet_dparam_line(d, p, j, s))
    return lines


# ------------------------------------------------------------ the fused output chain


def output_error_lines(d: Deriver, s: int) -> list[Line]:
    """∂E/∂out_k of every output, from the loss: the first factor of each output's δ."""
    return [_dE_dout_line(d, k, s, k == 0) for k in range(d.config.layers[-1].size)]


def _dE_dout_line(d: Deriver, k: int, s: int, noted: bool) -> Line:
    b = d.backward
    n = d.config.layers[-1].size
    lhs = b.partial(b.E(s), d.names.out(b.top, k), None)
    form = b.loss.derivative_formula(b.target(k, s), b.out(b.top, k, s), n)
    note = ("from ", b.E(s), " = ", b._loss_formula()) if noted else ""
    return b.line(lhs, [form], d.it.layer(b.top).dE_dout[s, k], note)


def fused_delta_lines(d: Deriver, j: int, s: int, with_error: bool) -> list[Line]:
    """δ of output j where the loss is fused with the activation, derived before the shortcut."""
    if d.config.layers[-1].activation == "softmax":
        return (output_error_lines(d, s) if with_error else []) + softmax_delta_lines(d, j, s)
    return sigmoid_delta_lines(d, j, s)


def _carried(d: Deriver, x: float) -> float:
    """A value computed here as the engine computes every value: rounded in hand mode."""
    return float(make_rounder(d.it.carry)(x)) if d.it.carry is not None else float(x)


def _jacobian(d: Deriver, k: int, j: int, s: int) -> float:
    out = d.it.layer(d.backward.top).out[s]
    return _carried(d, out[k] * ((1.0 if k == j else 0.0) - out[j]))


def softmax_delta_lines(d: Deriver, j: int, s: int) -> list[Line]:
    """Σ_k ∂E/∂out_k · ∂out_k/∂net_j over the softmax Jacobian, then why it is out_j − target_j."""
    b, names, top = d.backward, d.names, d.backward.top
    n = d.config.layers[-1].size
    lt = d.it.layer(top)
    lines = []
    for k in range(n):
        form = (Mul(b.out(top, k, s), Paren(Sub(Num(1), b.out(top, j, s)))) if k == j
                else Neg(Mul(b.out(top, k, s), b.out(top, j, s))))
        note = ("the softmax Jacobian: ∂out_k/∂net_j = out_k·(δ_kj − out_j), with δ_kj = 1 when k = j "
                "and 0 otherwise") if k == 0 else ""
        lines.append(b.line(Partial(names.out(top, k), names.net(top, j)), [form], _jacobian(d, k, j, s), note))
    k_ = Sym(("index", "k"), "k", "k", "k")
    generic = Sum(k_, Mul(Partial(b.E(s), names.generic("out", top, "k")),
                          Partial(names.generic("out", top, "k"), names.net(top, j))))
    terms = [Mul(Partial(b.E(s), names.out(top, k), float(lt.dE_dout[s, k])),
                 Partial(names.out(top, k), names.net(top, j), _jacobian(d, k, j, s))) for k in range(n)]
    full = _carried(d, math.fsum(float(lt.dE_dout[s, k]) * _jacobian(d, k, j, s) for k in range(n)))
    lines.append(b.line(names.delta(top, j), [b.dE_dnet(top, j, s), generic, long_sum(terms)], full,
                        f"every output depends on {names.net(top, j).unicode}, so δ sums over all of them"))
    return lines + _softmax_shortcut(d, j, s)


def _target_sum(d: Deriver, s: int) -> Decimal:
    return sum((Decimal(repr(float(t))) for t in d.it.T[s]), Decimal(0))


def _softmax_shortcut(d: Deriver, j: int, s: int) -> list[Line]:
    """−t_k/out_k · out_k(δ_kj − out_j) summed is −t_j + out_j·Σ_k t_k: out_j − t_j when Σ t = 1."""
    b, names, top = d.backward, d.names, d.backward.top
    n = d.config.layers[-1].size
    lt = d.it.layer(top)
    out_j, t = b.out(top, j, s), [b.target(k, s) for k in range(n)]
    total = _target_sum(d, s)
    reduced = Sub(Mul(out_j, Paren(long_sum(t)) if n > 1 else t[0]), t[j])
    value = _carried(d, float(lt.out[s, j]) * float(total) - float(d.it.T[s, j]))
    lines = [b.line(names.delta(top, j), [reduced], value,
                    "the same sum in symbols: Σ_k (−t_k/out_k)·out_k·(δ_kj − out_j) = out_j·Σ_k t_k − t_j")]
    if sums_to_one(d.it.T[s]):
        lines.append(b.line(names.delta(top, j), [Sub(out_j, t[j])], lt.delta[s, j],
                            f"the targets sum to 1, so δ = out − target: the softmax with {d.config.loss} shortcut"))
    else:
        off = minus(d.fmt(float(lt.out[s, j]) * (float(total) - 1.0)))
        lines[-1].note = (f"the targets sum to {minus(str(total))}, not 1: the out − target shortcut does not hold "
                          f"(it is off by out_j·(Σ t − 1) = {off}); the full sum is the δ of the loss")
    return lines


def sigmoid_delta_lines(d: Deriver, j: int, s: int) -> list[Line]:
    """∂E/∂out · ∂out/∂net for a sigmoid output with binary cross-entropy, then why it is out − target."""
    b, names, top = d.backward, d.names, d.backward.top
    lt = d.it.layer(top)
    lines = [_dE_dout_line(d, j, s, True), b.dout_dnet_line(top, j, s)]
    chain = Mul(b.dE_dout(top, j, s), b.dout_dnet(top, j, s))
    product = _carried(d, float(lt.dE_dout[s, j]) * float(lt.dout_dnet[s, j]))
    lines.append(b.line(names.delta(top, j), [b.dE_dnet(top, j, s), chain], product))
    out_j, t_j = b.out(top, j, s), b.target(j, s)
    expanded = Add(Neg(Mul(t_j, Paren(Sub(Num(1), out_j)))), Mul(Paren(Sub(Num(1), t_j)), out_j))
    lines.append(b.line(names.delta(top, j), [expanded, Sub(out_j, t_j)], lt.delta[s, j],
                        "(−t/out + (1 − t)/(1 − out))·out·(1 − out): the t·out terms cancel, for any target, "
                        "so δ = out − target"))
    return lines


# ------------------------------------------------------------ the last factor


def dnet_dparam_line(d: Deriver, p: Param, j: int, s: int) -> Line:
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


# ------------------------------------------------------------ the check


def check_block(d: Deriver, p: Param) -> CheckBlock:
    """The chain-rule value beside sympy's derivative and a central finite difference."""
    chain = d.gradient_value(p)
    if not math.isfinite(chain):  # a diverging iteration: no oracle can be compared with it
        return CheckBlock("Check", text=[f"not checked: the chain-rule value is {minus(d.fmt(chain))}, "
                                         "because training diverged in this iteration"],
                          chain_rule=chain, verdict="not checked")
    sym, fd = oracle_results(d.config, d.it, p, chain)
    text = []
    if sym.value is not None:
        text.append(f"sympy, differentiating the whole loss as a function of {p.unicode}: {minus(d.fmt(sym.value))} "
                    f"({difference(sym.difference)}; allowed {power_of_ten(sym.allowed)}, a relative tolerance of "
                    f"{power_of_ten(sym.relative)} plus {power_of_ten(sym.absolute)} absolute)")
    else:
        text.append(f"sympy check skipped: {sym.skipped}; the finite difference stands")
    text.append(f"{_fd_formula(p, fd)}: {minus(d.fmt(fd.value))} ({difference(fd.difference)}; allowed "
                f"{power_of_ten(fd.allowed)}, a relative tolerance of {power_of_ten(fd.relative)} plus its error "
                f"bound {power_of_ten(fd.absolute)} absolute)")
    block = CheckBlock("Check", text=text, chain_rule=chain, oracles=(sym, fd))
    why = _not_the_gradient(d, p)
    if why:
        agree = _oracles_agree(sym, fd)
        block.verdict = "differs on purpose" if agree else "oracles disagree"
        text += [why, "✓ the checks agree with each other; the chain-rule value differs from them for the reason "
                      "above" if agree else "✗ the checks disagree with each other: please report this"]
        return block
    if fd.agrees and sym.agrees is not False:
        block.verdict = "agree"
        text.append("✓ both agree with the chain rule" if sym.value is not None
                    else "✓ the finite difference agrees with the chain rule")
    else:
        block.verdict = "disagree"
        text.append(_allowed(sym, fd))
        text.append("✗ the checks disagree with the chain rule: please report this")
    return block


def _fd_formula(p: Param, fd: OracleResult) -> str:
    """How the finite difference was formed, with the step it used."""
    central = f"(E({p.unicode} + h) − E({p.unicode} − h))/2h"
    if not fd.richardson:
        return f"central finite difference, {central} with h = {power_of_ten(fd.step)}"
    return (f"central finite difference, Richardson-extrapolated: (4·D(h) − D(2h))/3 with D(h) = {central} "
            f"and h = {power_of_ten(fd.step)}")


def _allowed(sym: OracleResult, fd: OracleResult) -> str:
    """What each check allowed, and how far it is, for a value outside one of them."""
    parts = [f"the finite difference allows {power_of_ten(fd.allowed)} and is {power_of_ten(abs(fd.difference))} away"]
    if sym.value is not None:
        parts.append(f"sympy allows {power_of_ten(sym.allowed)} and is {power_of_ten(abs(sym.difference))} away")
    return "; ".join(parts)


def _not_the_gradient(d: Deriver, p: Param) -> str:
    """Why the chain-rule value is, on purpose, not the loss's exact gradient ("" when it is)."""
    if d.it.carry is not None:
        return "In hand mode the chain-rule value carries rounded intermediates; the checks use full precision."
    if d.config.hidden_deltas_use == "updated_weights" and p.layer < len(d.config.layers) - 1:
        return ("With hidden_deltas_use: updated_weights the δ of this layer come back through weights already "
                "updated, so the value is not the loss's gradient; the checks give the gradient itself.")
    return ""


def _oracles_agree(sym: OracleResult, fd: OracleResult) -> bool:
    """The oracles compared with each other, where the chain-rule value differs from them on purpose."""
    if sym.value is None:
        return True
    return abs(fd.value - sym.value) <= fd.relative * max(abs(fd.value), abs(sym.value)) + fd.absolute


def difference(diff: float | None) -> str:
    """How far an oracle is from the chain-rule value, as a power of ten: the same on every machine."""
    if diff == 0:
        return "identical to the chain-rule value"
    if diff is None or not math.isfinite(diff):
        return "not comparable with the chain-rule value"
    return f"differs from the chain-rule value by less than 1e{minus(str(math.ceil(math.log10(abs(diff)))))}"


def explain_neuron(d: Deriver, n: Neuron) -> Derivation:
    if n.layer == 0:
        blocks = [Block("Input" + sample_title(d, s),
                        text=[f"{n.name} is input {n.index + 1}: its value is {minus(d.fmt(d.it.X[s, n.index]))}."])
                  for s in range(d.it.batch_size)]
        return Derivation(heading(d, n.name), blocks)
    blocks = []
    for s in range(d.it.batch_size):
        blocks.append(Block("Net input and activation" + sample_title(d, s),
                            [d.net_line(n.layer, n.index, s), d.out_line(n.layer, n.index, s)]))
        blocks.append(Block("δ, its share of the error" + sample_title(d, s), neuron_lines(d, n.layer, n.index, s)))
    return Derivation(heading(d, n.name), blocks)
