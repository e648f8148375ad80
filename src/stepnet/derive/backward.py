"""The backward pass's lines: for each neuron ∂E/∂out, ∂out/∂net and their product δ."""

from __future__ import annotations

from ..engine.functions import ACTIVATIONS
from .derivation import Line, long_sum
from .expr import Expr, Mul, Paren, Partial, Sub, Sum, Sym, Valued
from .limits import Cut, cut_sum, shown_of
from .phase import Phase


class Backward(Phase):
    """δ of one neuron for one sample, from the loss or from every path to the outputs."""

    cut: Cut | None = None  # what a report shows of a wide layer; None for every neuron

    def neuron_backward_lines(self, li: int, j: int, s: int) -> list[Line]:
        lines = self.dE_dout_lines(li, j, s) if not (li == self.top and self.it.fused) else []
        lines.append(self.dout_dnet_line(li, j, s))
        lines.append(self.delta_line(li, j, s))
        return lines

    def dE_dout_lines(self, li: int, j: int, s: int) -> list[Line]:
        """∂E_total/∂out of a neuron: from the loss (output layer) or the sum over paths."""
        lhs = self.partial(self.E(s), self.names.out(li, j), None)
        value = self.it.layer(li).dE_dout[s, j]
        if li == self.top:
            form = self.loss.derivative_formula(self.target(j, s), self.out(li, j, s), self.config.layers[-1].size)
            note = ("from ", self.E(s), " = ", self._loss_formula())
            return [self.line(lhs, [form], value, note)]
        return self.path_lines(li, j, s) + [self.path_sum_line(li, j, s)]

    def _loss_formula(self) -> Expr:
        """E_total in symbols, the sum of every output's loss."""
        n = self.config.layers[-1].size

        def term(j: int) -> Expr:
            return self.loss.term_formula(self.names.target(j), self.names.out(self.top, j), n)

        return cut_sum(self.cut, self.top, term) or long_sum([term(j) for j in range(n)])

    def _per_output_error(self, li: int) -> bool:
        """Paths from the last hidden layer can be named ∂E_o1/∂out_h1 (the tutorial's form)."""
        top = self.config.layers[-1]
        return li + 1 == self.top and top.activation != "softmax"

    def output_error(self, k: int, s: int | None) -> Sym:
        """E_o1, or within a batch that sample's own, E⁽¹⁾_o1: the error a path term belongs to."""
        return self.names.error(k, s if s is not None and self.it.batch_size > 1 else None)

    def path_term_lhs(self, li: int, j: int, k: int, s: int | None = None) -> Expr:
        if self._per_output_error(li):
            return Partial(self.output_error(k, s), self.names.out(li, j))
        return Mul(Partial(self.E(s), self.names.net(li + 1, k)),
                   Partial(self.names.net(li + 1, k), self.names.out(li, j)))

    def path_lines(self, li: int, j: int, s: int) -> list[Line]:
        terms = self.it.path_terms(li, j, s)
        updated = self.config.hidden_deltas_use == "updated_weights"
        lines = []
        for k in shown_of(self.cut, self.config, li + 1):
            value = terms[k]
            w = self.names.weight(li + 1, k, j)
            wsym = self.param(w, updated=updated, backprop=True)
            forms: list[Expr] = [Mul(self.delta(li + 1, k, s), wsym)]
            if self._per_output_error(li):  # ∂E_o1/∂out_h1: spell out the path through o1
                forms.insert(0, self._path_through(li, j, k, s))
            lines.append(self.line(self.path_term_lhs(li, j, k, s), forms, value))
        return lines

    def _path_through(self, li: int, j: int, k: int, s: int | None = None) -> Expr:
        """∂E_k/∂out_j as the chain through output k: its error, activation and net input."""
        last = Partial(self.names.net(li + 1, k), self.names.out(li, j))
        error = self.output_error(k, s)
        if self.it.fused:
            return Mul(Partial(error, self.names.net(li + 1, k)), last)
        return Mul(Partial(error, self.names.out(li + 1, k)),
                   Partial(self.names.out(li + 1, k), self.names.net(li + 1, k)), last)

    def path_sum_line(self, li: int, j: int, s: int) -> Line:
        lhs = self.partial(self.E(s), self.names.out(li, j), None)
        terms = self.it.path_terms(li, j, s)
        def part(k: int) -> Expr:
            return _valued(self.path_term_lhs(li, j, k, s), terms[k])

        paths = cut_sum(self.cut, li + 1, part) or long_sum([part(k) for k in range(len(terms))])
        above = self.config.layers[li + 1].name
        n = self.names.neuron_name(li, j)
        k = Sym(("index", li + 1), above, above, above if len(above) == 1 else f"\\mathrm{{{above}}}")
        delta_k = Sym(("delta_k", li + 1), f"δ_{above}", f"delta_{above}", f"\\delta_{{{k.latex}}}")
        w_kj = Sym(("w_k", li, j), f"w_{above},{n}", f"w_{above},{n}",
                   f"w_{{{k.latex}, {self.names.neuron_latex(li, j)}}}")
        general = Sum(k, Mul(delta_k, w_kj))
        return self.line(lhs, [general, paths], self.it.layer(li).dE_dout[s, j],
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
            def term(k: int) -> Expr:
                return Mul(self.dE_dout(li, k, s), self.out(li, k, s))

            inner = cut_sum(self.cut, li, term) or long_sum([term(k) for k in range(size)])
            form = Mul(self.out(li, j, s), Paren(Sub(self.dE_dout(li, j, s), Paren(inner))))
            note = "softmax Jacobian: δ_k = out_k·(∂E/∂out_k − Σ_j ∂E/∂out_j·out_j)"
            return self.line(lhs, [self.dE_dnet(li, j, s), form], lt.delta[s, j], note)
        chain = Mul(self.dE_dout(li, j, s), self.dout_dnet(li, j, s))
        return self.line(lhs, [self.dE_dnet(li, j, s), chain], lt.delta[s, j])


def _valued(e: Expr, value: float) -> Expr:
    """Give a derivative-like left-hand side a value so it prints as a number when substituted."""
    if isinstance(e, Partial):
        return Partial(e.num, e.den, float(value))
    return Valued(e, float(value))
