"""Chain-rule derivations built from a trace: symbols, factors, numbers, values, notes.

Every worked line is a :class:`Line`: a left-hand side, one or more symbolic forms, the
same tree with the numbers put in, and the value the engine computed.  The terminal,
Markdown and explain outputs all print these same lines, so they cannot disagree.
The numbers in a line are the recorded ones; this module only multiplies them back
together to notice where the rounded numbers shown do not reproduce the rounded result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .expr import Add, Div, Exp, Expr, Func, Mul, Num, Paren, Partial, Pow, Sub, Sum, Sym, Text, Valued
from ..engine.functions import ACTIVATIONS, LOSSES
from .names import Names, Param
from ..engine.rounding import format_number, make_rounder
from ..engine.trace import IterationTrace

MAX_TERMS = 10  # longer sums show their first and last terms around an ellipsis


@dataclass
class Formatter:
    places: int = 9
    sig: int | None = None

    def __call__(self, x: float) -> str:
        return format_number(x, self.places, self.sig)

    def padded(self, x: float) -> str:
        """Every place shown, trailing zeros included: for a rounded result, 0.018725610."""
        return format_number(x, self.places, self.sig, pad=True)


@dataclass
class Line:
    lhs: Expr
    forms: list[Expr]  # symbolic right-hand sides, in order
    value: float | None = None
    numeric: Expr | None = None  # the last form with numbers put in
    note: str | tuple = ""  # where the line comes from: text, or (text, Expr, text, ...) pieces
    # where the rounded numbers shown do not give the rounded value: what they give instead
    shown_result: str | None = None


@dataclass
class Block:
    title: str
    lines: list[Line] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    omitted: str = ""  # what a long block left out, and how to see it


@dataclass
class Derivation:
    title: str
    blocks: list[Block]
    notes: list[str] = field(default_factory=list)


class Deriver:
    """Builds lines for one traced iteration and one sample of its batch."""

    def __init__(self, it: IterationTrace, names: Names, fmt: Formatter | None = None) -> None:
        self.it = it
        self.names = names
        self.config = names.config
        self.fmt = fmt or Formatter()
        self.loss = LOSSES[self.config.loss]
        self.top = len(self.config.layers) - 1
        self._rounder = make_rounder(it.carry) if it.carry is not None else None

    # -------------------------------------------------------------- line making

    def line(self, lhs: Expr, forms: list[Expr], value: float | None, note: str = "") -> Line:
        if forms and isinstance(forms[-1], Num) and value is not None:  # ∂out/∂net = 1: the value says it
            forms = forms[:-1]
        numeric = forms[-1].numeric() if forms else None
        if isinstance(numeric, Num):  # a bare number: the value says it
            numeric = None
        ln = Line(lhs, forms, None if value is None else float(value), numeric, note)
        ln.shown_result = self._result_of_shown_numbers(ln)
        return ln

    def _result_of_shown_numbers(self, ln: Line) -> str | None:
        """What the rounded numbers on the line give, where that differs from the shown value."""
        if ln.numeric is None or ln.value is None:
            return None
        try:
            recomputed = _with_shown_numbers(ln.numeric, self.fmt).evaluate()
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return None
        if self._rounder is not None:
            recomputed = self._rounder(recomputed)
        shown = self.fmt.padded(recomputed)
        return shown if float(shown) != float(self.fmt(ln.value)) else None

    # -------------------------------------------------------------- symbols with values

    def out(self, li: int, j: int, s: int) -> Sym:
        return self.names.out(li, j).with_value(self.it.outputs_of(li)[s, j])

    def net(self, li: int, j: int, s: int) -> Sym:
        return self.names.net(li, j).with_value(self.it.layer(li).net[s, j])

    def target(self, j: int, s: int) -> Sym:
        return self.names.target(j).with_value(self.it.T[s, j])

    def delta(self, li: int, j: int, s: int) -> Sym:
        return self.names.delta(li, j).with_value(self.it.layer(li).delta[s, j])

    def param(self, p: Param, updated: bool = False, backprop: bool = False) -> Sym:
        lt = self.it.layer(p.layer)
        if updated:
            v = p.of(lt, "updated")
        else:
            v = p.read(lt.W_backprop if backprop else lt.W, lt.b)
        return self.names.param(p, updated=updated).with_value(v)

    def partial(self, num: Sym, den: Sym, value: float | None) -> Partial:
        return Partial(num, den, None if value is None else float(value))

    def dE_dout(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.E(s), self.names.out(li, j), self.it.layer(li).dE_dout[s, j])

    def dout_dnet(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.names.out(li, j), self.names.net(li, j), self.it.layer(li).dout_dnet[s, j])

    def dE_dnet(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.E(s), self.names.net(li, j), self.it.layer(li).delta[s, j])

    # -------------------------------------------------------------- forward

    def net_line(self, li: int, j: int, s: int) -> Line:
        below = self.config.layers[li - 1]
        bias = self.names.bias(li, j)

        def term(i: int) -> Expr:
            if i == below.size:
                return Mul(self.param(bias), Num(1))
            return Mul(self.param(self.names.weight(li, j, i)), self.out(li - 1, i, s))

        total = long_sum_of(below.size + (bias is not None), term)
        return self.line(self.names.net(li, j), [total], self.it.layer(li).net[s, j])

    def out_line(self, li: int, j: int, s: int) -> Line:
        layer = self.config.layers[li]
        act = ACTIVATIONS[layer.activation]
        net = self.net(li, j, s)
        if layer.activation == "softmax":
            denom = long_sum([Exp(self.net(li, k, s)) for k in range(layer.size)])
            form = Div(Exp(net), Paren(denom) if layer.size > 1 else denom)
            note = "softmax: each output depends on every net input of the layer"
        else:
            form = act.formula(net, layer.slope)
            note = act.description
        return self.line(self.names.out(li, j), [form], self.it.layer(li).out[s, j], note)

    # -------------------------------------------------------------- error

    def error_lines(self, s: int) -> list[Line]:
        n = self.config.layers[-1].size
        lines = []
        for j in range(n):
            form = self.loss.term_formula(self.target(j, s), self.out(self.top, j, s), n)
            lines.append(self.line(self.names.error(j), [form], self.it.loss_terms[s, j]))
        total = long_sum([self.names.error(j).with_value(self.it.loss_terms[s, j]) for j in range(n)])
        lines.append(self.line(self.E(s), [total], self.it.sample_losses[s], self.loss.description))
        return lines

    def loss_formula(self, s: int) -> Expr:
        n = self.config.layers[-1].size
        return long_sum([self.loss.term_formula(self.names.target(j), self.names.out(self.top, j), n) for j in range(n)])

    # -------------------------------------------------------------- backward: neurons

    def dE_dout_lines(self, li: int, j: int, s: int) -> list[Line]:
        """∂E_total/∂out of a neuron: from the loss (output layer) or the sum over paths."""
        lhs = self.partial(self.E(s), self.names.out(li, j), None)
        value = self.it.layer(li).dE_dout[s, j]
        if li == self.top:
            form = self.loss.derivative_formula(self.target(j, s), self.out(li, j, s), self.config.layers[-1].size)
            note = ("from ", self.E(s), " = ", self.loss_formula(s))
            return [self.line(lhs, [form], value, note)]
        return self.path_lines(li, j, s) + [self.path_sum_line(li, j, s)]

    def _per_output_error(self, li: int) -> bool:
        """Paths from the last hidden layer can be named ∂E_o1/∂out_h1 (the tutorial's form)."""
        top = self.config.layers[-1]
        return li + 1 == self.top and top.activation != "softmax"

    def path_term_lhs(self, li: int, j: int, k: int, s: int | None = None) -> Expr:
        if self._per_output_error(li):
            return Partial(self.names.error(k), self.names.out(li, j))
        return Mul(Partial(self.E(s), self.names.net(li + 1, k)), Partial(self.names.net(li + 1, k), self.names.out(li, j)))

    def path_lines(self, li: int, j: int, s: int) -> list[Line]:
        terms = self.it.path_terms(li, j, s)
        updated = self.config.hidden_deltas_use == "updated_weights"
        lines = []
        for k, value in enumerate(terms):
            w = self.names.weight(li + 1, k, j)
            wsym = self.param(w, updated=updated, backprop=True)
            forms: list[Expr] = [Mul(self.delta(li + 1, k, s), wsym)]
            if self._per_output_error(li):  # ∂E_o1/∂out_h1: spell out the path through o1
                last = Partial(self.names.net(li + 1, k), self.names.out(li, j))
                if self.it.fused:
                    chain = Mul(Partial(self.names.error(k), self.names.net(li + 1, k)), last)
                else:
                    chain = Mul(Partial(self.names.error(k), self.names.out(li + 1, k)),
                                Partial(self.names.out(li + 1, k), self.names.net(li + 1, k)), last)
                forms.insert(0, chain)
            lines.append(self.line(self.path_term_lhs(li, j, k, s), forms, value))
        return lines

    def path_sum_line(self, li: int, j: int, s: int) -> Line:
        lhs = self.partial(self.E(s), self.names.out(li, j), None)
        terms = self.it.path_terms(li, j, s)
        parts = [_valued(self.path_term_lhs(li, j, k, s), v) for k, v in enumerate(terms)]
        above = self.config.layers[li + 1].name
        n = self.names.neuron_name(li, j)
        k = Sym(("index", li + 1), above, above, above if len(above) == 1 else f"\\mathrm{{{above}}}")
        delta_k = Sym(("delta_k", li + 1), f"δ_{above}", f"delta_{above}", f"\\delta_{{{k.latex}}}")
        w_kj = Sym(("w_k", li, j), f"w_{above},{n}", f"w_{above},{n}", f"w_{{{k.latex}, {self.names.neuron_latex(li, j)}}}")
        general = Sum(k, Mul(delta_k, w_kj))
        return self.line(lhs, [general, long_sum(parts)], self.it.layer(li).dE_dout[s, j],
                         f"sum over every path from {self.names.neuron_name(li, j)} to the outputs")

    def dout_dnet_line(self, li: int, j: int, s: int) -> Line:
        layer = self.config.layers[li]
        act = ACTIVATIONS[layer.activation]
        form = act.derivative_formula(self.net(li, j, s), self.out(li, j, s), layer.slope)
        note = f"the derivative of {act.description}"
        if layer.activation == "softmax":
            note = "the diagonal of the softmax Jacobian; ∂out_j/∂net_k = −out_j·out_k for j ≠ k"
        lhs = self.partial(self.names.out(li, j), self.names.net(li, j), None)
        return self.line(lhs, [form], self.it.layer(li).dout_dnet[s, j], note)

    def delta_line(self, li: int, j: int, s: int) -> Line:
        lt = self.it.layer(li)
        lhs = self.names.delta(li, j)
        if li == self.top and self.it.fused:
            form = Sub(self.out(li, j, s), self.target(j, s))
            act = self.config.layers[li].activation
            note = (f"{act} with {self.config.loss}: ∂E_total/∂net = ∂E_total/∂out · ∂out/∂net "
                    "simplifies to out − target")
            return self.line(lhs, [self.dE_dnet(li, j, s), form], lt.delta[s, j], note)
        if lt.softmax:
            size = self.config.layers[li].size
            inner = long_sum([Mul(self.dE_dout(li, k, s), self.out(li, k, s)) for k in range(size)])
            form = Mul(self.out(li, j, s), Paren(Sub(self.dE_dout(li, j, s), Paren(inner))))
            note = "softmax Jacobian: δ_k = out_k·(∂E/∂out_k − Σ_j ∂E/∂out_j·out_j)"
            return self.line(lhs, [self.dE_dnet(li, j, s), form], lt.delta[s, j], note)
        chain = Mul(self.dE_dout(li, j, s), self.dout_dnet(li, j, s))
        return self.line(lhs, [self.dE_dnet(li, j, s), chain], lt.delta[s, j])

    def neuron_backward_lines(self, li: int, j: int, s: int) -> list[Line]:
        lines = self.dE_dout_lines(li, j, s) if not (li == self.top and self.it.fused) else []
        lines.append(self.dout_dnet_line(li, j, s))
        lines.append(self.delta_line(li, j, s))
        return lines

    # -------------------------------------------------------------- gradients

    def input_of(self, p: Param, s: int) -> Expr:
        return Num(1) if p.kind == "bias" else self.out(p.layer - 1, p.source, s)

    def gradient_chain(self, p: Param, j: int, s: int | None) -> Expr:
        """∂E/∂out · ∂out/∂net · ∂net/∂p for the neuron j that p feeds (δ · ∂net/∂p where they don't separate)."""
        li = p.layer
        psym = self.names.param(p)
        dnet = Partial(self.names.net(li, j), psym, None if s is None else (1.0 if p.kind == "bias" else self.it.outputs_of(li - 1)[s, p.source]))
        lt = self.it.layer(li)
        if (li == self.top and self.it.fused) or lt.softmax:
            return Mul(self.dE_dnet(li, j, s) if s is not None else Partial(self.names.error(), self.names.net(li, j)), dnet)
        if s is None:
            return Mul(Partial(self.names.error(), self.names.out(li, j)), Partial(self.names.out(li, j), self.names.net(li, j)), dnet)
        return Mul(self.dE_dout(li, j, s), self.dout_dnet(li, j, s), dnet)

    def grad_lhs(self, p: Param, s: int | None = None) -> Partial:
        """∂E_total/∂p; for one sample of a batch, ∂E⁽ˢ⁾/∂p, that sample's error."""
        return Partial(self.E(s), self.names.param(p))

    def E(self, s: int | None) -> Sym:
        """The error a per-sample quantity belongs to: E_total, or E⁽ˢ⁾ within a batch."""
        if s is None or self.it.batch_size == 1:
            return self.names.error()
        return self.names.sample_error(s)

    def gradient_lines(self, p: Param, s: int) -> list[Line]:
        """The gradient for one sample: the chain rule, then the δ shorthand."""
        value = self._sample_gradient(p)[s]
        if p.to is None:  # shared bias: it feeds every neuron of its layer
            size = self.config.layers[p.layer].size
            chains = long_sum_of(size, lambda j: self.gradient_chain(p, j, s))
            deltas = long_sum_of(size, lambda j: Mul(self.delta(p.layer, j, s), Num(1)))
            return [self.line(self.grad_lhs(p, s), [chains, deltas], value, "a shared bias feeds every neuron of its layer")]
        chain = self.gradient_chain(p, p.to, s)
        shorthand = Mul(self.delta(p.layer, p.to, s), self.input_of(p, s))
        return [self.line(self.grad_lhs(p, s), [chain, shorthand], value)]

    def _sample_gradient(self, p: Param):
        if p.kind == "weight":
            return self.it.weight_gradient_terms(p.layer, p.to, p.source)
        return self.it.bias_gradient_terms(p.layer, p.to)

    def gradient_value(self, p: Param) -> float:
        return p.of(self.it.layer(p.layer), "gradient")

    def batch_gradient_line(self, p: Param) -> Line | None:
        """For a batch: the mean of the per-sample gradients."""
        B = self.it.batch_size
        if B == 1:
            return None
        per = self._sample_gradient(p)
        terms = [Partial(self.names.sample_error(s), self.names.param(p), float(v)) for s, v in enumerate(per)]
        form = Mul(Div(Num(1), Num(B)), Paren(long_sum(terms)))
        return self.line(self.grad_lhs(p), [form], self.gradient_value(p),
                         f"the mean over the batch's {B} samples")

    # -------------------------------------------------------------- updates

    def frozen(self, p: Param) -> bool:
        return p.kind == "bias" and not self.config.train_biases

    def update_lines(self, p: Param) -> list[Line]:
        new = self.param(p, updated=True)
        old = self.param(p)
        if self.frozen(p):
            return [self.line(self.names.param(p, updated=True), [old], new.value,
                              "not trained (train_biases: false): the gradient is computed but not applied")]
        g = self.grad_lhs(p)
        g = Partial(g.num, g.den, self.gradient_value(p))
        eta = self.names.constant("eta").with_value(self.config.learning_rate)
        opt = self.config.optimizer
        if opt.name == "sgd":
            return [self.line(self.names.param(p, updated=True), [Sub(old, Mul(eta, g))], new.value)]
        slot = 0 if p.kind == "weight" else 1
        key = p.index
        lt = self.it.layer(p.layer)

        def st(name, when, **kw):
            arr = (lt.state_before if when == "before" else lt.state_after)[name][slot]
            return self.names.state(name, p, updated=(when == "after"), **kw).with_value(float(arr[key]))

        if opt.name == "momentum":
            mu = self.names.constant("mu").with_value(opt.momentum)
            v_new = st("v", "after")
            return [
                self.line(self.names.state("v", p, updated=True), [Sub(Mul(mu, st("v", "before")), Mul(eta, g))], v_new.value,
                          "momentum: the velocity keeps a share μ of the last step"),
                self.line(self.names.param(p, updated=True), [Add(old, v_new)], new.value),
            ]
        return self._adam_lines(p, old, new, g, eta, st)

    def _adam_lines(self, p, old, new, g, eta, st) -> list[Line]:
        opt = self.config.optimizer
        t = self.it.t
        b1 = self.names.constant("beta1").with_value(opt.beta1)
        b2 = self.names.constant("beta2").with_value(opt.beta2)
        eps = self.names.constant("epsilon").with_value(opt.epsilon)
        tsym = self.names.constant("t").with_value(t)
        m_new, v_new = st("m", "after"), st("v", "after")
        m_hat_v = m_new.value / (1 - opt.beta1**t)
        v_hat_v = v_new.value / (1 - opt.beta2**t)
        if self._rounder:
            m_hat_v, v_hat_v = self._rounder(m_hat_v), self._rounder(v_hat_v)
        m_hat = self.names.state("m", p, hat=True).with_value(m_hat_v)
        v_hat = self.names.state("v", p, hat=True).with_value(v_hat_v)
        return [
            self.line(self.names.state("m", p, updated=True),
                      [Add(Mul(b1, st("m", "before")), Mul(Paren(Sub(Num(1), b1)), g))], m_new.value,
                      "adam: first moment, a running mean of the gradient"),
            self.line(self.names.state("v", p, updated=True),
                      [Add(Mul(b2, st("v", "before")), Mul(Paren(Sub(Num(1), b2)), Pow(g, Num(2))))], v_new.value,
                      "second moment, a running mean of the squared gradient"),
            self.line(self.names.state("m", p, hat=True), [Div(m_new, Paren(Sub(Num(1), Pow(b1, tsym))))], m_hat_v,
                      f"bias correction at step t = {t}"),
            self.line(self.names.state("v", p, hat=True), [Div(v_new, Paren(Sub(Num(1), Pow(b2, tsym))))], v_hat_v),
            self.line(self.names.param(p, updated=True),
                      [Sub(old, Mul(eta, Div(m_hat, Paren(Add(Func("sqrt", v_hat), eps)))))], new.value,
                      "ε is added after the square root"),
        ]


# ------------------------------------------------------------------ helpers


def long_sum(terms: list[Expr]) -> Expr:
    if len(terms) == 1:
        return terms[0]
    if len(terms) > MAX_TERMS:
        hidden = len(terms) - 6
        terms = terms[:4] + [Text(f"… {hidden} more terms …")] + terms[-2:]
    return Add(*terms)


def long_sum_of(count: int, term: Callable[[int], Expr]) -> Expr:
    """``long_sum([term(k) for k in range(count)])``, making only the terms it shows.

    A neuron of a 784-input layer shows 6 of its 785 terms: the other 779 are never built.
    """
    if count <= MAX_TERMS:
        return long_sum([term(k) for k in range(count)])
    # placeholders where long_sum leaves terms out, so the elision is long_sum's own
    return long_sum([term(k) for k in range(4)] + [None] * (count - 6) + [term(count - 2), term(count - 1)])


def _valued(e: Expr, value: float) -> Expr:
    """Give a derivative-like left-hand side a value so it prints as a number when substituted."""
    if isinstance(e, Partial):
        return Partial(e.num, e.den, float(value))
    return Valued(e, float(value))


def _with_shown_numbers(e: Expr, fmt: Formatter) -> Expr:
    """The numeric tree with every number replaced by the rounded number displayed."""
    if isinstance(e, Num):
        text = fmt(e.value)
        try:
            return Num(float(text))
        except ValueError:
            return e
    if isinstance(e, Text):
        raise ValueError("truncated")
    kids = e.children()
    return e.rebuild(tuple(_with_shown_numbers(c, fmt) for c in kids)) if kids else e
