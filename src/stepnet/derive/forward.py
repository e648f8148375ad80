"""The forward pass's lines: each neuron's net input and output, then the error they give."""

from __future__ import annotations

from ..engine.functions import ACTIVATIONS
from .derivation import Line, long_sum, long_sum_of
from .expr import Div, Exp, Expr, Mul, Num, Paren, Sym
from .limits import Cut, cut_sum, shown_of
from .phase import Phase


class Forward(Phase):
    """net = Σ w·out + b, then out = f(net), for one neuron and one sample."""

    cut: Cut | None = None  # what a report shows of a wide layer; None for every neuron

    def net_line(self, li: int, j: int, s: int) -> Line:
        below = self.config.layers[li - 1]
        bias = self.names.bias(li, j)

        def term(i: int) -> Expr:
            if i == below.size:
                return Mul(self.param(bias), Num(1))
            return Mul(self.param(self.names.weight(li, j, i)), self.out(li - 1, i, s))

        total = cut_sum(self.cut, li - 1, term, [term(below.size)] if bias is not None else [])
        if total is None:
            total = long_sum_of(below.size + (bias is not None), term)
        return self.line(self.names.net(li, j), [total], self.it.layer(li).net[s, j])

    def out_line(self, li: int, j: int, s: int) -> Line:
        layer = self.config.layers[li]
        act = ACTIVATIONS[layer.activation]
        net = self.net(li, j, s)
        if layer.activation == "softmax":
            denom = (cut_sum(self.cut, li, lambda k: Exp(self.net(li, k, s)))
                     or long_sum([Exp(self.net(li, k, s)) for k in range(layer.size)]))
            form = Div(Exp(net), Paren(denom) if layer.size > 1 else denom)
            note = "softmax: each output depends on every net input of the layer"
        else:
            form = act.formula(net, layer.slope)
            note = act.description
        return self.line(self.names.out(li, j), [form], self.it.layer(li).out[s, j], note)


class Errors(Phase):
    """The loss of every output for one sample, and their sum."""

    cut: Cut | None = None

    def error_lines(self, s: int) -> list[Line]:
        n = self.config.layers[-1].size
        lines = []
        for j in shown_of(self.cut, self.config, self.top):
            form = self.loss.term_formula(self.target(j, s), self.out(self.top, j, s), n)
            lines.append(self.line(self._error(j, s), [form], self.it.loss_terms[s, j]))

        def term(j: int) -> Expr:
            return self._error(j, s).with_value(self.it.loss_terms[s, j])

        total = cut_sum(self.cut, self.top, term) or long_sum([term(j) for j in range(n)])
        lines.append(self.line(self.E(s), [total], self.it.sample_losses[s], self.loss.description))
        return lines

    def _error(self, j: int, s: int) -> Sym:
        """E_o1, or within a batch that sample's own, E⁽¹⁾_o1, as the total E⁽¹⁾ beside it."""
        return self.names.error(j, s if self.it.batch_size > 1 else None)

