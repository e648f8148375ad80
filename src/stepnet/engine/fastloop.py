"""The untraced loop: what the recording step computes, bit for bit, with nothing recorded.

Training spends nearly all its time here, thousands of iterations on tiny arrays where each
numpy call costs more than its arithmetic.  So what a layer needs is looked up once into a
:class:`LayerPlan`, the loop skips what only a trace shows (∂out/∂net where δ does not use
it, bias gradients that are not applied), and it makes the ``np.add.reduce`` calls that
``sum`` and ``mean`` make inside.  Hand mode never comes here: it rounds every value, and
the recording step does that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .functions import loss_terms_from_net, softmax_delta

if TYPE_CHECKING:
    from .network import DenseLayer, Network

_add_reduce = np.add.reduce


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """What the untraced loop needs of one layer, looked up once instead of every iteration."""

    index: int  # position in Network.layers (0: the first layer after the input)
    value: Callable[[np.ndarray, float], np.ndarray]  # out = f(net)
    derivative: Callable[[np.ndarray, np.ndarray, float], np.ndarray] | None  # f'(net); None: softmax
    slope: float
    has_bias: bool
    bias_gradient: str | None  # the bias mode where the biases are trained; None: no gradient needed
    delta_is_error: bool  # the output layer whose loss fits its activation: δ = out − target


def plan_layers(layers: list[DenseLayer], fused: bool, train_biases: bool) -> list[LayerPlan]:
    """A plan per layer, input side first; ``fused``: the loss fits the output layer's activation."""
    top = len(layers) - 1
    return [
        LayerPlan(
            index=li, value=layer.activation.value, derivative=layer.activation.derivative, slope=layer.slope,
            has_bias=layer.bias_mode != "none",
            bias_gradient=layer.bias_mode if train_biases and layer.bias_mode != "none" else None,
            delta_is_error=fused and li == top,
        )
        for li, layer in enumerate(layers)
    ]


def run_untraced(net: Network, X: np.ndarray, T: np.ndarray, losses: np.ndarray, start: int, stop: int) -> int:
    """Iterations ``start`` to ``stop − 1`` of ``net`` on one batch (see :meth:`Network.run_untraced`)."""
    plans = net.plans
    W, b = net.W, net.b
    loss_fn, fused = net.loss, net.fused
    terms_of, derivative_of = loss_fn.terms, loss_fn.derivative
    B = X.shape[0]
    isfinite = math.isfinite
    backward = _backward_pass(net, T)
    for k in range(start, stop):
        nets, outs = [], [X]
        A = X
        for plan, Wl, bl in zip(plans, W, b, strict=True):
            net_in = A @ Wl.T
            if plan.has_bias:
                net_in += bl
            A = plan.value(net_in, plan.slope)
            nets.append(net_in)
            outs.append(A)
        terms = loss_terms_from_net(loss_fn, T, nets[-1], A) if fused else terms_of(T, A)
        if B == 1:  # the mean of one per-sample sum: numpy's reduce adds it to 0.0
            loss = float(_add_reduce(terms, axis=None)) + 0.0
        else:  # terms.sum(axis=1).mean()
            loss = float(_add_reduce(_add_reduce(terms, axis=1), axis=None)) / B
        losses[k] = loss
        if not isfinite(loss):  # what this forward pass used, so that the cause can be found afterwards
            net.keep_parameters_before_update()
        backward(nets, outs, None if fused else derivative_of(T, A), net.t + 1)
        net.t += 1
        if not isfinite(loss):
            return k + 1
    return stop


def _backward_pass(net: Network, T: np.ndarray) -> Callable[[list, list, np.ndarray | None, int], None]:
    """The backward pass and the updates of one iteration on the batch with targets ``T``.

    A closure over what stays the same from one iteration to the next, so that each call
    finds it in local cells rather than looking it up again.
    """
    backwards = net.plans[::-1]
    W, b, rule = net.W, net.b, net.optimizer
    update, of_weights, of_biases = rule.update, rule.of_weights, rule.of_biases
    B = T.shape[0]
    updated_first = net.updated_first

    def backward(nets: list[np.ndarray], outs: list[np.ndarray], dE_dout: np.ndarray | None, t: int) -> None:
        pending = []  # standard order: every update after the whole backward pass, at the lowest layer
        for plan in backwards:
            li = plan.index
            out = outs[li + 1]
            if plan.delta_is_error:
                delta = out - T
            elif plan.derivative is None:
                delta = softmax_delta(out, dE_dout)
            else:
                delta = dE_dout * plan.derivative(nets[li], out, plan.slope)
            gW = delta.T @ outs[li]
            if B != 1:  # x / 1 is x exactly
                gW /= B
            if plan.bias_gradient is None:
                gb = None
            elif plan.bias_gradient == "per_neuron":  # delta.mean(axis=0)
                gb = _add_reduce(delta, axis=0)
                if B != 1:
                    gb /= B
            else:  # shared: one bias fed by every neuron
                gb = np.array([_add_reduce(delta, axis=None) / B])
            pending.append((li, gW, gb))
            if updated_first or li == 0:  # the variant: δ goes down through the updated weights
                for lj, gWj, gbj in pending:
                    W[lj] = update(W[lj], gWj, of_weights[lj], t)
                    if gbj is not None:
                        b[lj] = update(b[lj], gbj, of_biases[lj], t)
                pending.clear()
            if li:
                dE_dout = delta @ W[li]

    return backward
