"""The engine: parameters as per-layer arrays, and one training step that can record itself.

Shapes: a batch of B samples; layer l has n_l neurons.  ``W[l]`` is (n_l, n_{l-1}), one
row per neuron of layer l as in the config file; ``b[l]`` is (n_l,) for per-neuron biases,
(1,) for a shared bias and (0,) for none.  Every per-sample quantity is (B, n_l).

The step computes, for every non-input layer:
    net = A_prev · Wᵀ + b          out = f(net)
and backwards, from the output layer down:
    δ = ∂E/∂out ⊙ f'(net)         (softmax: the Jacobian product; with its fitting loss: out − target)
    ∂E/∂out of the layer below = δ · W
    ∂E/∂W = δᵀ · A_prev / B       ∂E/∂b = mean over the batch of δ (summed over the layer if shared)
The engine knows nothing of names or notation; it records arrays into a LayerTrace.
"""

from __future__ import annotations

import math

import numpy as np

from ..config.model import NetworkConfig
from .exact import HandMode
from .fastloop import plan_layers, run_untraced
from .functions import ACTIVATIONS, LOSSES, loss_terms_from_net, softmax_delta
from .optimizers import UPDATE_RULES, exact
from .rounding import Rounder, make_rounder
from .trace import Divergence, IterationTrace, LayerTrace


class DenseLayer:
    """The fixed facts of one fully connected, non-input layer, its activation looked up."""

    __slots__ = ("index", "name", "size", "activation", "slope", "bias_mode")

    def __init__(self, index: int, spec) -> None:
        self.index = index
        self.name = spec.name
        self.size = spec.size
        self.activation = ACTIVATIONS[spec.activation]
        self.slope = spec.slope
        self.bias_mode = spec.bias


def initial_parameters(config: NetworkConfig) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights and biases as the config gives them, drawn from the seeded init where it doesn't."""
    rng = np.random.default_rng(config.init.seed) if config.init else None
    weights, biases = [], []
    for prev, spec in zip(config.layers, config.layers[1:], strict=False):
        shape = (spec.size, prev.size)
        if spec.name in config.weights:
            w = np.array(config.weights[spec.name], dtype=float).reshape(shape)
        else:
            w = _draw(config.init, rng, shape)
        nb = {"per_neuron": spec.size, "shared": 1, "none": 0}[spec.bias]
        if spec.name in config.biases:
            b = np.array(config.biases[spec.name], dtype=float).reshape(nb)
        else:
            b = np.zeros(nb)
        weights.append(w)
        biases.append(b)
    return weights, biases


def _draw(init, rng, shape):
    fan_out, fan_in = shape
    if init.method == "uniform":
        return rng.uniform(init.low, init.high, size=shape)
    if init.method == "xavier":
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)  # he


class Network:
    """Parameters, optimizer state, and the training step."""

    def __init__(self, config: NetworkConfig, carry: int | None = None) -> None:
        """``carry``: hand mode, rounding every value to that many decimals (a
        :class:`~.rounding.SignificantDigits`: significant digits), computed in exact decimals."""
        self.config = config
        self.layers = [DenseLayer(i, spec) for i, spec in enumerate(config.layers) if i > 0]
        self.loss = LOSSES[config.loss]
        self.fused = self.loss.fused_with == self.layers[-1].activation.name
        self.W, self.b = initial_parameters(config)
        self.optimizer = UPDATE_RULES[config.optimizer.name](config.optimizer, config.learning_rate, self.W, self.b)
        self.train_biases = config.train_biases
        self.updated_first = config.hidden_deltas_use == "updated_weights"
        # hand mode's rounding in floats, for the diagnosis of a divergence only: the step is HandMode's
        self.round: Rounder | None = make_rounder(carry) if carry is not None else None
        self.carry = carry
        self.t = 0  # updates done
        self.before_update: tuple[list[np.ndarray], list[np.ndarray]] | None = None  # see find_divergence
        self.plans = plan_layers(self.layers, self.fused, self.train_biases)
        self.hand = HandMode(self, carry) if carry is not None else None

    @property
    def warnings(self) -> list[str]:
        """Hand mode's warnings so far: where a value rounded to 0 was divided by."""
        return self.hand.warnings if self.hand is not None else []

    # ------------------------------------------------------------------ forward

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Net inputs and outputs of every non-input layer (outs[0] is the input)."""
        R = self.round
        nets, outs = [], [X]
        A = X
        for layer, W, b in zip(self.layers, self.W, self.b, strict=True):
            net = A @ W.T
            if b.size:
                net += b
            if R:
                net = R(net)
            A = layer.activation.value(net, layer.slope)
            if R:
                A = R(A)
            nets.append(net)
            outs.append(A)
        return nets, outs

    def sample_losses(self, T: np.ndarray, net: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-output terms E_k (B, n) and per-sample losses (B,)."""
        terms = loss_terms_from_net(self.loss, T, net, out) if self.fused else self.loss.terms(T, out)
        R = self.round
        if R:
            terms = R(terms)
            return terms, R(terms.sum(axis=1))
        return terms, terms.sum(axis=1)

    def evaluate(self, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
        """The mean loss over these samples and the outputs, without changing anything (rounded in hand mode)."""
        if self.hand is not None:
            return self.hand.evaluate(X, T)
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            nets, outs = self.forward(X)
            _, per_sample = self.sample_losses(T, nets[-1], outs[-1])
        return float(per_sample.mean()), outs[-1]

    # ------------------------------------------------------------------ one step

    def step(self, X: np.ndarray, T: np.ndarray, record: bool = False) -> tuple[float, IterationTrace | None]:
        """One iteration on one batch: forward, backward, update.

        Returns the batch loss, and what the iteration computed if recording.
        """
        if not record and self.hand is None:
            loss = np.empty(1)
            run_untraced(self, X, T, loss, 0, 1)
            return float(loss[0]), None
        if self.hand is not None:
            return self.hand.step(X, T, record)
        nets, outs = self.forward(X)
        terms, per_sample = self.sample_losses(T, nets[-1], outs[-1])
        loss = float(per_sample.mean())
        if not math.isfinite(loss):
            self.keep_parameters_before_update()
        traces = self._backward(T, nets, outs, record)
        return self.finish_step(X, T, terms, per_sample, loss, traces, record)

    def finish_step(self, X: np.ndarray, T: np.ndarray, terms: np.ndarray, per_sample: np.ndarray, loss: float,
                    traces: list[LayerTrace], record: bool) -> tuple[float, IterationTrace | None]:
        """Count the update made, and (if recording) the iteration's trace with the values after it."""
        self.t += 1
        if not record:
            return loss, None
        for li, tr in enumerate(traces):
            tr.W_after, tr.b_after = self.W[li], self.b[li]
            tr.state_after = self.optimizer.state_of(li)
        return loss, IterationTrace(
            X=X, T=T, loss_terms=terms, sample_losses=per_sample, loss=loss, layers=traces,
            fused=self.fused, carry=self.carry, t=self.t,
        )

    def run_untraced(self, X: np.ndarray, T: np.ndarray, losses: np.ndarray, start: int, stop: int) -> int:
        """Iterations ``start`` to ``stop − 1`` on one batch, recording nothing.

        Each is what :meth:`step` computes, bit for bit; its loss goes to ``losses[k]``.
        Stops after the first iteration whose loss is not finite, and returns the index
        after the last one run (``stop`` unless it stopped early).
        """
        if self.hand is None:
            return run_untraced(self, X, T, losses, start, stop)
        for k in range(start, stop):  # hand mode computes in exact decimals: its own step
            losses[k] = loss = self.step(X, T)[0]
            if not math.isfinite(loss):
                return k + 1
        return stop

    def _backward(self, T: np.ndarray, nets: list[np.ndarray], outs: list[np.ndarray],
                  record: bool) -> list[LayerTrace]:
        """δ from the output layer down, the gradients and the updates; each layer's trace if recording."""
        B = T.shape[0]
        traces: list[LayerTrace] = []
        pending = []  # standard order: every update after the whole backward pass
        top = len(self.layers) - 1
        dE_dout = self.loss.derivative(T, outs[-1])
        for li in range(top, -1, -1):
            layer = self.layers[li]
            net, out, A = nets[li], outs[li + 1], outs[li]
            dout_dnet, delta = self._delta(layer, li == top, net, out, dE_dout, T)
            gW, gb = self._gradients(layer, A, delta, B)
            W_before, b_before = self.W[li], self.b[li]
            state_before = self.optimizer.state_of(li) if record else None
            if self.updated_first:
                self._update(li, gW, gb)
            W_back = self.W[li]  # the updated weights in the variant, else those before
            if record:
                traces.append(LayerTrace(
                    index=layer.index, net=net, out=out, dE_dout=dE_dout, dout_dnet=dout_dnet, delta=delta,
                    W=W_before, b=b_before, gW=gW, gb=gb, W_backprop=W_back, state_before=state_before,
                    softmax=layer.activation.derivative is None,
                ))
            if li > 0:
                dE_dout = self._backprop(delta, W_back)
            if not self.updated_first:
                pending.append((li, gW, gb))
        for li, gW, gb in pending:
            self._update(li, gW, gb)
        return traces[::-1]

    def _delta(self, layer: DenseLayer, is_top: bool, net, out, dE_dout, T):
        act = layer.activation
        if act.derivative is None:  # softmax: report the Jacobian's diagonal for display
            dout_dnet = out * (1.0 - out)
        else:
            dout_dnet = act.derivative(net, out, layer.slope)
        if is_top and self.fused:
            delta = out - T
        elif act.derivative is None:
            delta = softmax_delta(out, dE_dout)
        else:
            delta = dE_dout * dout_dnet
        return dout_dnet, delta

    def _gradients(self, layer: DenseLayer, A, delta, B: int):
        gW = delta.T @ A
        gW /= B
        if layer.bias_mode == "per_neuron":
            gb = delta.mean(axis=0)
        elif layer.bias_mode == "shared":
            gb = np.array([delta.sum() / B])
        else:
            gb = np.zeros(0)
        return gW, gb

    def _backprop(self, delta: np.ndarray, W: np.ndarray) -> np.ndarray:
        """∂E/∂out of the layer below: Σ_k δ_k · w_kj."""
        return delta @ W

    def _update(self, li: int, gW: np.ndarray, gb: np.ndarray) -> None:
        """The optimizer's step for layer ``li``; biases only where trained."""
        rule, t = self.optimizer, self.t + 1
        self.W[li] = rule.update(self.W[li], gW, rule.of_weights[li], t, exact)
        if self.train_biases and gb.size:
            self.b[li] = rule.update(self.b[li], gb, rule.of_biases[li], t, exact)

    # ------------------------------------------------------------------ diagnosis

    def find_divergence(self, X: np.ndarray, T: np.ndarray, trace: IterationTrace | None = None) -> Divergence:
        """Where the first non-finite value appears, in the order the iteration computed them.

        With the iteration's ``trace``, its forward pass (before its update) is searched
        first: an overflowing net input is the cause, not the weight the update then broke.
        Without one, the parameters are those the batch's forward pass used.
        """
        if trace is not None:
            found = _first_in_trace(trace)
            if found is not None:
                return found
        if self.before_update is not None:  # the parameters the failing forward pass used
            (self.W, self.b), after = self.before_update, (self.W, self.b)
            try:
                return self._first_non_finite(X, T)
            finally:
                self.W, self.b = after
        return self._first_non_finite(X, T)

    def keep_parameters_before_update(self) -> None:
        """Keep a copy of the parameters before an update made from a loss that is not finite."""
        self.before_update = ([w.copy() for w in self.W], [b.copy() for b in self.b])

    def _first_non_finite(self, X: np.ndarray, T: np.ndarray) -> Divergence:
        for li, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            bad = np.argwhere(~np.isfinite(W))
            if bad.size:
                return Divergence("weight", li + 1, int(bad[0][0]), int(bad[0][1]), None, float(W[tuple(bad[0])]))
            bad = np.argwhere(~np.isfinite(b))
            if bad.size:
                return Divergence("bias", li + 1, int(bad[0][0]), None, None, float(b[bad[0][0]]))
        with np.errstate(all="ignore"):
            nets, outs = self.forward(X)
            for li, (net, out) in enumerate(zip(nets, outs[1:], strict=True)):
                for kind, arr in (("net", net), ("out", out)):
                    bad = np.argwhere(~np.isfinite(arr))
                    if bad.size:
                        s, j = (int(v) for v in bad[0])
                        return Divergence(kind, li + 1, j, None, s, float(arr[s, j]))
            terms, _ = self.sample_losses(T, nets[-1], outs[-1])
        bad = np.argwhere(~np.isfinite(terms))
        s, j = (int(v) for v in bad[0]) if bad.size else (0, 0)
        return Divergence("loss", len(self.layers), j, None, s, float(terms[s, j]) if bad.size else math.nan)


def _first_in_trace(trace: IterationTrace) -> Divergence | None:
    """The first non-finite net input, output or loss term an iteration recorded, if any."""
    for lt in trace.layers:
        for kind, arr in (("net", lt.net), ("out", lt.out)):
            bad = np.argwhere(~np.isfinite(arr))
            if bad.size:
                s, j = (int(v) for v in bad[0])
                return Divergence(kind, lt.index, j, None, s, float(arr[s, j]))
    bad = np.argwhere(~np.isfinite(trace.loss_terms))
    if bad.size:
        s, j = (int(v) for v in bad[0])
        return Divergence("loss", len(trace.layers), j, None, s, float(trace.loss_terms[s, j]))
    return None
