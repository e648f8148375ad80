"""How far a float64 evaluation of the loss can be from its exact value: a forward pass that
carries, beside every value, a bound on the rounding error it has picked up.

The bound is a first-order running error analysis, term by term:

    net = A·Wᵀ + b      |error| ≤ γ_n·(|A|·|W|ᵀ + |b|) + err(A)·|W|ᵀ      γ_n = n·u/(1 − n·u)
    out = f(net)        |error| ≤ |f'(net)|·err(net) + 4u·|out|
    loss term ℓ(t, y)   |error| ≤ |∂ℓ/∂y|·(err(y) + u·(|y| + |t|)) + 4u·|ℓ|

with u the unit roundoff.  The inputs, targets and parameters are exact: they are the
numbers the calculation starts from.  Two quantities come out of it:

* ``loss_error``: how much one evaluation of the batch loss may be off.  A central
  difference divides the difference of two such evaluations by 2h, so its rounding error
  is at most ``loss_error / h``.
* ``slope_error``: per sample and output, how much the loss's own slope ∂ℓ/∂z (z the
  output layer's net input for the fused losses, else its outputs) may be off because z
  was rounded.  Where the loss is tiny, t − y is a small difference of large numbers, and
  every float64 evaluation of a gradient (the chain rule's and the finite difference's
  alike) inherits that error times |∂z/∂p|.
"""

from __future__ import annotations

import numpy as np

from ..engine.functions import ACTIVATIONS, LOSSES, loss_terms_from_net

UNIT = float(np.finfo(float).eps) / 2  # u: the largest relative error of one rounding


def gamma(n: int) -> float:
    """γ_n: the relative error bound of a sum of n products evaluated in any order."""
    return n * UNIT / (1 - n * UNIT)


def layer_output(spec, net: np.ndarray) -> np.ndarray:
    """f(net) for one layer's activation (any leading shape; softmax over the last axis)."""
    return ACTIVATIONS[spec.activation].value(net, spec.slope)


def spread(spec, out: np.ndarray, v: np.ndarray) -> np.ndarray:
    """|∂out/∂net| applied to v ≥ 0: how far out can move when each net input moves by up to v."""
    name = spec.activation
    if name == "softmax":  # d out_k = out_k·(d net_k − Σ_j out_j d net_j)
        return out * (v + (out * v).sum(axis=-1, keepdims=True))
    if name == "sigmoid":
        return out * (1 - out) * v
    if name == "tanh":
        return (1 - out * out) * v
    if name == "leaky_relu":
        return max(1.0, abs(spec.slope)) * v
    return v  # relu (at the kink, either side), identity


def _out_error(spec, out: np.ndarray, err: np.ndarray) -> np.ndarray:
    """The bound on f(net)'s error, from the bound on net's and f's own rounding."""
    return spread(spec, out, err) + 4 * UNIT * np.abs(out)


# |∂ℓ/∂y| and |∂²ℓ/∂y²| of each loss term on its own (not fused with the output layer)
_SLOPES = {
    "half_sse": lambda t, y, n: (np.abs(y - t), np.ones_like(y)),
    "sse": lambda t, y, n: (2 * np.abs(y - t), np.full_like(y, 2.0)),
    "mse": lambda t, y, n: (2 * np.abs(y - t) / n, np.full_like(y, 2.0 / n)),
    "cross_entropy": lambda t, y, n: (np.abs(t / y), np.abs(t) / y**2),
    "binary_cross_entropy": lambda t, y, n: (np.abs(t / y) + np.abs((1 - t) / (1 - y)),
                                             np.abs(t) / y**2 + np.abs(1 - t) / (1 - y) ** 2),
}


class Forward:
    """A float64 forward pass of one batch, every value with a bound on its rounding error.

    ``weights`` and ``biases`` are per non-input layer, as the engine keeps them.
    """

    def __init__(self, config, weights, biases, X: np.ndarray, T: np.ndarray) -> None:
        self.specs = config.layers[1:]
        self.loss_name = config.loss
        self.loss_function = LOSSES[config.loss]
        self.fused = self.loss_function.fused_with == self.specs[-1].activation
        self.W, self.b, self.X, self.T = weights, biases, X, T
        with np.errstate(all="ignore"):
            self._run()

    def _run(self) -> None:
        A, err = self.X, np.zeros_like(self.X)
        self.nets, self.outs, self.net_errors, self.out_errors = [], [A], [], [err]
        for li, (spec, W, b) in enumerate(zip(self.specs, self.W, self.b, strict=True), start=1):
            net = A @ W.T + (b if b.size else 0.0)
            self.nets.append(net)
            net_err = self._sum_error(li) + err @ np.abs(W).T
            A = layer_output(spec, net)
            err = _out_error(spec, A, net_err)
            self.outs.append(A)
            self.net_errors.append(net_err)
            self.out_errors.append(err)
        self.terms_now = self.terms(self.nets[-1], A)
        self.loss = float(self.terms_now.sum(axis=-1).mean())
        self.loss_error, self.slope_error = self._loss_error(self.net_errors[-1], self.out_errors[-1])
        self._fresh: dict[tuple[int, bool], float] = {}

    def _sum_error(self, li: int) -> np.ndarray:
        """The rounding of layer ``li``'s sums A·Wᵀ + b themselves: γ_n times their terms in absolute value."""
        A, W, b = self.outs[li - 1], self.W[li - 1], self.b[li - 1]
        gross = np.abs(A) @ np.abs(W).T + (np.abs(b) if b.size else 0.0)
        return gamma(A.shape[1] + 1) * gross

    def fresh_loss_error(self, li: int, rank_one: bool) -> float:
        """The loss's error bound when the layers below ``li`` are reused as they are and only what
        a nudge of one of its parameters changes is computed again: its net inputs (one rounding
        each), the layer above as a rank-one update where ``rank_one`` (two roundings), every
        higher layer in full.  What is reused is the same in E(p + h) and E(p − h), and cancels."""
        key = (li, rank_one)
        if key not in self._fresh:
            with np.errstate(all="ignore"):
                net_err = 2 * UNIT * np.abs(self.nets[li - 1])
                err = _out_error(self.specs[li - 1], self.outs[li], net_err)
                for lj in range(li + 1, len(self.specs) + 1):
                    own = 2 * UNIT * np.abs(self.nets[lj - 1]) if rank_one and lj == li + 1 else self._sum_error(lj)
                    net_err = own + err @ np.abs(self.W[lj - 1]).T
                    err = _out_error(self.specs[lj - 1], self.outs[lj], net_err)
                self._fresh[key] = self._loss_error(net_err, err)[0]
        return self._fresh[key]

    def _loss_error(self, e_net: np.ndarray, e_out: np.ndarray) -> tuple[float, np.ndarray]:
        """The batch loss's error bound, from the output layer's; and ∂ℓ/∂z's error bounds."""
        terms = self.terms_now
        term_err, slope_err = self._term_errors(terms, e_net, e_out)
        n, batch = terms.shape[1], terms.shape[0]
        summed = term_err.sum(axis=-1) + gamma(n) * np.abs(terms).sum(axis=-1)
        bound = float(summed.mean() + gamma(batch) * np.abs(terms.sum(axis=-1)).mean())
        return (bound if np.isfinite(bound) else float("inf")), slope_err

    def terms(self, net: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The loss terms ℓ_k per sample (any leading shape), as the engine computes them."""
        if self.fused:
            return loss_terms_from_net(self.loss_function, self.T, net, out)
        return self.loss_function.terms(self.T, out)

    def _term_errors(self, terms: np.ndarray, e_net: np.ndarray, e_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each term's error bound, and each ∂ℓ/∂z's error bound from z's rounding."""
        T, net, out = self.T, self.nets[-1], self.outs[-1]
        own = 4 * UNIT * np.abs(terms)
        if self.fused and self.loss_name == "cross_entropy":  # ℓ = −Σ t·(net − logsumexp(net))
            total = T.sum(axis=-1, keepdims=True)
            lse = np.abs(net).max(axis=-1, keepdims=True) + np.log(net.shape[-1])
            term_err = np.abs(out * total - T) * e_net + 4 * UNIT * np.abs(T) * (np.abs(net) + lse) + own
            slope_err = np.abs(total) * out * (e_net + (out * e_net).sum(axis=-1, keepdims=True))
            return term_err, slope_err
        if self.fused:  # binary cross-entropy from the net input: max(x, 0) − t·x + ln(1 + e^(−|x|))
            term_err = np.abs(out - T) * e_net + 4 * UNIT * (np.abs(net) * (1 + np.abs(T)) + 1) + own
            return term_err, out * (1 - out) * e_net
        slope, curvature = _SLOPES[self.loss_name](T, out, T.shape[-1])
        term_err = slope * (e_out + UNIT * (np.abs(out) + np.abs(T))) + own
        return term_err, curvature * e_out

    def output_of(self, net: np.ndarray, out: np.ndarray) -> np.ndarray:
        """z, the output-layer quantity the loss's slope error is measured against."""
        return net if self.fused else out

    def loss_sensitivity(self) -> np.ndarray:
        """|∂ℓ/∂z| per sample and output, z as in :meth:`output_of`."""
        T, out = self.T, self.outs[-1]
        if self.fused and self.loss_name == "cross_entropy":
            return np.abs(out * T.sum(axis=-1, keepdims=True) - T)
        if self.fused:
            return np.abs(out - T)
        return _SLOPES[self.loss_name](T, out, T.shape[-1])[0]

    def gross_slope(self, p) -> float:
        """dE/dp with every factor and term taken by its absolute value: what rounding scales with."""
        li = p.layer
        moved = np.zeros_like(self.nets[li - 1])
        if p.kind == "weight":
            moved[:, p.to] = np.abs(self.outs[li - 1][:, p.source])
        elif p.to is None:
            moved[:] = 1.0
        else:
            moved[:, p.to] = 1.0
        with np.errstate(all="ignore"):
            for lj in range(li, len(self.specs) + 1):
                if lj > li:
                    moved = spread(self.specs[lj - 2], self.outs[lj - 1], moved) @ np.abs(self.W[lj - 1]).T
            z = moved if self.fused else spread(self.specs[-1], self.outs[-1], moved)
            total = float((self.loss_sensitivity() * z).sum(axis=-1).mean())
        return total if np.isfinite(total) else float("inf")

    def chain_rule_rounding(self, p, gross: float | None = None) -> float:
        """How far any float64 evaluation of dE/dp may be off through the products and sums it
        forms: each path's factors and each layer's sum, and f' taken at rounded net inputs.
        ``gross`` is :meth:`gross_slope`, when already known."""
        sizes = sum(spec.size for spec in self.specs)
        relative = 4 * (len(self.specs) + sizes) * UNIT + 2 * max(float(e.max()) for e in self.net_errors)
        return relative * (self.gross_slope(p) if gross is None else gross)
