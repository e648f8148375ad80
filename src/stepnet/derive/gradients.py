"""The gradients' lines: ∂E/∂p by the chain rule and as δ times the input, then over a batch."""

from __future__ import annotations

import numpy as np

from .derivation import Line, long_sum, long_sum_of
from .expr import Div, Expr, Mul, Num, Paren, Partial
from .index import Param
from .limits import Cut, cut_sum
from .phase import Phase


class Gradients(Phase):
    """The gradient of one parameter: per sample, and the batch's mean of them."""

    cut: Cut | None = None  # what a report shows of a wide layer; None for every neuron

    def input_of(self, p: Param, s: int) -> Expr:
        """∂net/∂p: what the parameter multiplies, the input below for a weight, 1 for a bias."""
        return Num(1) if p.kind == "bias" else self.out(p.layer - 1, p.source, s)

    def gradient_chain(self, p: Param, j: int, s: int | None) -> Expr:
        """∂E/∂out · ∂out/∂net · ∂net/∂p for the neuron j that p feeds (δ · ∂net/∂p where they don't separate)."""
        li = p.layer
        psym = self.names.param(p)
        dnet = Partial(self.names.net(li, j), psym,
                       None if s is None else (1.0 if p.kind == "bias" else self.it.outputs_of(li - 1)[s, p.source]))
        lt = self.it.layer(li)
        if (li == self.top and self.it.fused) or lt.softmax:
            return Mul(self.dE_dnet(li, j, s) if s is not None
                       else Partial(self.names.error(), self.names.net(li, j)), dnet)
        if s is None:
            return Mul(Partial(self.names.error(), self.names.out(li, j)),
                       Partial(self.names.out(li, j), self.names.net(li, j)), dnet)
        return Mul(self.dE_dout(li, j, s), self.dout_dnet(li, j, s), dnet)

    def grad_lhs(self, p: Param, s: int | None = None) -> Partial:
        """∂E_total/∂p; for one sample of a batch, ∂E⁽ˢ⁾/∂p, that sample's error."""
        return Partial(self.E(s), self.names.param(p))

    def gradient_lines(self, p: Param, s: int) -> list[Line]:
        """The gradient for one sample: the chain rule, then the δ shorthand."""
        value = self._sample_gradient(p)[s]
        if p.to is None:  # shared bias: it feeds every neuron of its layer
            size = self.config.layers[p.layer].size
            def chain(j: int) -> Expr:
                return self.gradient_chain(p, j, s)

            def delta(j: int) -> Expr:
                return Mul(self.delta(p.layer, j, s), Num(1))

            chains = cut_sum(self.cut, p.layer, chain) or long_sum_of(size, chain)
            deltas = cut_sum(self.cut, p.layer, delta) or long_sum_of(size, delta)
            return [self.line(self.grad_lhs(p, s), [chains, deltas], value,
                              "a shared bias feeds every neuron of its layer")]
        chain = self.gradient_chain(p, p.to, s)
        shorthand = Mul(self.delta(p.layer, p.to, s), self.input_of(p, s))
        return [self.line(self.grad_lhs(p, s), [chain, shorthand], value)]

    def _sample_gradient(self, p: Param) -> np.ndarray:
        if p.kind == "weight":
            return self.it.weight_gradient_terms(p.layer, p.to, p.source)
        return self.it.bias_gradient_terms(p.layer, p.to)

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
