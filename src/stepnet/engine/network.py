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
from .functions import ACTIVATIONS, LOSSES, loss_terms_from_net, softmax_delta
from .rounding import Rounder, make_rounder
from .trace import Divergence, IterationTrace, LayerTrace

_add_reduce = np.add.reduce


class Layer:
    """The fixed facts of one non-input layer."""

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
    for prev, spec in zip(config.layers, config.layers[1:]):
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
        self.config = config
        self.layers = [Layer(i, spec) for i, spec in enumerate(config.layers) if i > 0]
        self.loss = LOSSES[config.loss]
        self.fused = self.loss.fused_with == self.layers[-1].activation.name
        self.W, self.b = initial_parameters(config)
        self.lr = config.learning_rate
        self.opt = config.optimizer
        self.train_biases = config.train_biases
        self.updated_first = config.hidden_deltas_use == "updated_weights"
        self.round: Rounder | None = make_rounder(carry) if carry is not None else None
        self.carry = carry
        self.t = 0  # updates done
        self.state: dict[str, list[list[np.ndarray]]] = {}
        names = {"momentum": ("v",), "adam": ("m", "v")}.get(self.opt.name, ())
        for key in names:
            self.state[key] = [[np.zeros_like(w), np.zeros_like(b)] for w, b in zip(self.W, self.b)]
        # what the untraced step needs of each layer, looked up once instead of every iteration
        self._plan = [
            (layer.activation.value, layer.activation.derivative, layer.slope, layer.bias_mode,
             layer.bias_mode != "none", self.train_biases and layer.bias_mode != "none")
            for layer in self.layers
        ]

    # ------------------------------------------------------------------ forward

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Net inputs and outputs of every non-input layer (outs[0] is the input)."""
        R = self.round
        nets, outs = [], [X]
        A = X
        for layer, W, b in zip(self.layers, self.W, self.b):
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
        """The mean loss over these samples and the outputs, without changing anything."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            nets, outs = self.forward(X)
            _, per_sample = self.sample_losses(T, nets[-1], outs[-1])
        return float(per_sample.mean()), outs[-1]

    # ------------------------------------------------------------------ one step

    def step(self, X: np.ndarray, T: np.ndarray, record: bool = False):
        """One iteration on one batch: forward, backward, update.

        Returns the batch loss, and the list of LayerTrace (output layer last) if recording.
        """
        if not record and self.round is None:
            loss = np.empty(1)
            self.run_untraced(X, T, loss, 0, 1)
            return float(loss[0]), None
        R = self.round
        B = X.shape[0]
        nets, outs = self.forward(X)
        terms, per_sample = self.sample_losses(T, nets[-1], outs[-1])
        loss = float(per_sample.mean())
        if R:
            loss = R(loss)
        traces: list[LayerTrace | None] = [None] * len(self.layers)
        pending = []  # standard order: every update after the whole backward pass
        top = len(self.layers) - 1
        dE_dout = self.loss.derivative(T, outs[-1])
        if R:
            dE_dout = R(dE_dout)
        for li in range(top, -1, -1):
            layer = self.layers[li]
            net, out, A = nets[li], outs[li + 1], outs[li]
            dout_dnet, delta = self._delta(layer, li == top, net, out, dE_dout, T)
            gW, gb = self._gradients(layer, A, delta, B)
            W_before, b_before = self.W[li], self.b[li]
            state_before = self._state_of(li) if record else None
            if self.updated_first:
                self._update(li, gW, gb)
                W_back = self.W[li]
            else:
                W_back = W_before
            if record:
                traces[li] = LayerTrace(
                    index=layer.index, net=net, out=out, dE_dout=dE_dout, dout_dnet=dout_dnet, delta=delta,
                    W=W_before, b=b_before, gW=gW, gb=gb, W_backprop=W_back, state_before=state_before,
                    softmax=layer.activation.derivative is None,
                )
            if li > 0:
                dE_dout = self._backprop(delta, W_back)
            if not self.updated_first:
                pending.append((li, gW, gb))
        for li, gW, gb in pending:
            self._update(li, gW, gb)
        self.t += 1
        if record:
            for li, tr in enumerate(traces):
                tr.W_after, tr.b_after = self.W[li], self.b[li]
                tr.state_after = self._state_of(li)
            return loss, IterationTrace(
                X=X, T=T, loss_terms=terms, sample_losses=per_sample, loss=loss, layers=traces,
                fused=self.fused, carry=self.carry, t=self.t,
            )
        return loss, None

    def run_untraced(self, X: np.ndarray, T: np.ndarray, losses: np.ndarray, start: int, stop: int) -> int:
        """Iterations ``start`` to ``stop − 1`` on one batch, recording nothing.

        Each is what :meth:`step` computes, bit for bit; its loss goes to ``losses[k]``.
        Stops after the first iteration whose loss is not finite, and returns the index
        after the last one run (``stop`` unless it stopped early).

        The training loop spends nearly all its time here, thousands of iterations on tiny
        arrays where each numpy call costs more than its arithmetic.  So the loop is one
        function with everything it needs in local names, it skips what only a trace shows
        (∂out/∂net where δ does not use it, bias gradients that are not applied), and it
        makes the ``np.add.reduce`` calls that ``sum`` and ``mean`` make inside.
        """
        if self.round is not None:  # hand mode rounds every value: the recording path does that
            for k in range(start, stop):
                losses[k] = loss = self.step(X, T)[0]
                if not math.isfinite(loss):
                    return k + 1
            return stop
        W, b, plan = self.W, self.b, self._plan
        B = X.shape[0]
        fused, loss_fn = self.fused, self.loss
        terms_of, derivative_of = loss_fn.terms, loss_fn.derivative
        top = len(plan) - 1
        backwards = list(enumerate(plan))[::-1]
        updated_first = self.updated_first
        sgd, lr = self.opt.name == "sgd", self.lr
        isfinite = math.isfinite
        for k in range(start, stop):
            nets, outs = [], [X]
            A = X
            for (value, _, slope, _, has_bias, _), Wl, bl in zip(plan, W, b):
                net = A @ Wl.T
                if has_bias:
                    net += bl
                A = value(net, slope)
                nets.append(net)
                outs.append(A)
            terms = loss_terms_from_net(loss_fn, T, nets[-1], A) if fused else terms_of(T, A)
            if B == 1:  # the mean of one per-sample sum: numpy's reduce adds it to 0.0
                loss = float(_add_reduce(terms, axis=None)) + 0.0
            else:  # terms.sum(axis=1).mean()
                loss = float(_add_reduce(_add_reduce(terms, axis=1), axis=None)) / B
            losses[k] = loss
            dE_dout = None if fused else derivative_of(T, A)
            pending = []  # standard order: every update after the whole backward pass
            for li, (_, derivative, slope, mode, _, train_bias) in backwards:
                out = outs[li + 1]
                if li == top and fused:
                    delta = out - T
                elif derivative is None:
                    delta = softmax_delta(out, dE_dout)
                else:
                    delta = dE_dout * derivative(nets[li], out, slope)
                gW = delta.T @ outs[li]
                if B != 1:  # x / 1 is x exactly
                    gW /= B
                gb = None
                if train_bias:
                    if mode == "per_neuron":  # delta.mean(axis=0)
                        gb = _add_reduce(delta, axis=0)
                        if B != 1:
                            gb /= B
                    else:  # shared: one bias fed by every neuron
                        gb = np.array([_add_reduce(delta, axis=None) / B])
                if updated_first:  # the variant: δ goes down through the updated weights
                    self._apply(((li, gW, gb),), sgd, lr)
                else:
                    pending.append((li, gW, gb))
                if li:
                    dE_dout = delta @ W[li]
            if pending:
                self._apply(pending, sgd, lr)
            self.t += 1
            if not isfinite(loss):
                return k + 1
        return stop

    def _apply(self, updates, sgd: bool, lr: float) -> None:
        """:meth:`_update` without rounding, for (layer, ∂E/∂W, ∂E/∂b or None if not trained)."""
        W, b = self.W, self.b
        for li, gW, gb in updates:
            if sgd:
                W[li] = W[li] - lr * gW
                if gb is not None:
                    b[li] = b[li] - lr * gb
            else:
                W[li] = self._new_value(li, 0, W[li], gW)
                if gb is not None:
                    b[li] = self._new_value(li, 1, b[li], gb)

    def _delta(self, layer: Layer, is_top: bool, net, out, dE_dout, T):
        R = self.round
        act = layer.activation
        if act.derivative is None:  # softmax: report the Jacobian's diagonal for display
            dout_dnet = out * (1.0 - out)
        else:
            dout_dnet = act.derivative(net, out, layer.slope)
        if R:
            dout_dnet = R(dout_dnet)
        if is_top and self.fused:
            delta = out - T
        elif act.derivative is None:
            delta = softmax_delta(out, dE_dout)
        else:
            delta = dE_dout * dout_dnet
        return dout_dnet, (R(delta) if R else delta)

    def _gradients(self, layer: Layer, A, delta, B: int):
        R = self.round
        if R is None:
            gW = delta.T @ A
            gW /= B
            if layer.bias_mode == "per_neuron":
                gb = delta.mean(axis=0)
            elif layer.bias_mode == "shared":
                gb = np.array([delta.sum() / B])
            else:
                gb = np.zeros(0)
            return gW, gb
        # hand mode: each sample's δ · input rounded, then the batch mean rounded
        gW = R(R(delta[:, :, None] * A[:, None, :]).mean(axis=0))
        if layer.bias_mode == "per_neuron":
            gb = R(delta.mean(axis=0))
        elif layer.bias_mode == "shared":
            gb = np.array([R(R(delta.sum(axis=1)).mean())])
        else:
            gb = np.zeros(0)
        return gW, gb

    def _backprop(self, delta: np.ndarray, W: np.ndarray) -> np.ndarray:
        """∂E/∂out of the layer below: Σ_k δ_k · w_kj (each term rounded in hand mode)."""
        R = self.round
        if R is None:
            return delta @ W
        terms = R(delta[:, :, None] * W[None, :, :])
        return R(terms.sum(axis=1))

    # ------------------------------------------------------------------ updates

    def _state_of(self, li: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {k: (v[li][0].copy(), v[li][1].copy()) for k, v in self.state.items()}

    def _update(self, li: int, gW: np.ndarray, gb: np.ndarray) -> None:
        self.W[li] = self._new_value(li, 0, self.W[li], gW)
        if self.train_biases and gb.size:
            self.b[li] = self._new_value(li, 1, self.b[li], gb)

    def _new_value(self, li: int, slot: int, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        R = self.round or (lambda a: a)
        lr, opt = self.lr, self.opt
        if opt.name == "sgd":
            return R(p - lr * g)
        if opt.name == "momentum":
            v = R(opt.momentum * self.state["v"][li][slot] - lr * g)
            self.state["v"][li][slot] = v
            return R(p + v)
        t = self.t + 1
        m = R(opt.beta1 * self.state["m"][li][slot] + (1 - opt.beta1) * g)
        v = R(opt.beta2 * self.state["v"][li][slot] + (1 - opt.beta2) * g * g)
        self.state["m"][li][slot], self.state["v"][li][slot] = m, v
        m_hat = R(m / (1 - opt.beta1**t))
        v_hat = R(v / (1 - opt.beta2**t))
        return R(p - lr * m_hat / (np.sqrt(v_hat) + opt.epsilon))

    # ------------------------------------------------------------------ diagnosis

    def find_divergence(self, X: np.ndarray, T: np.ndarray) -> Divergence:
        """Where the first non-finite value appears, for a batch whose loss was not finite."""
        for li, (W, b) in enumerate(zip(self.W, self.b)):
            bad = np.argwhere(~np.isfinite(W))
            if bad.size:
                return Divergence("weight", li + 1, int(bad[0][0]), int(bad[0][1]), None, float(W[tuple(bad[0])]))
            bad = np.argwhere(~np.isfinite(b))
            if bad.size:
                return Divergence("bias", li + 1, int(bad[0][0]), None, None, float(b[bad[0][0]]))
        with np.errstate(all="ignore"):
            nets, outs = self.forward(X)
            for li, (net, out) in enumerate(zip(nets, outs[1:])):
                for kind, arr in (("net", net), ("out", out)):
                    bad = np.argwhere(~np.isfinite(arr))
                    if bad.size:
                        s, j = (int(v) for v in bad[0])
                        return Divergence(kind, li + 1, j, None, s, float(arr[s, j]))
            terms, _ = self.sample_losses(T, nets[-1], outs[-1])
        bad = np.argwhere(~np.isfinite(terms))
        s, j = (int(v) for v in bad[0]) if bad.size else (0, 0)
        return Divergence("loss", len(self.layers), j, None, s, float(terms[s, j]) if bad.size else math.nan)
