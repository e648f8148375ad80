"""Hand mode's training step, in exact decimals.

With ``--carry N`` (or ``--carry-sig N``) every intermediate value is rounded, half away
from zero, before it is used again, and each value is computed exactly from the rounded
numbers it uses (see :mod:`.decimal_math`), the way a careful student with a calculator
would.  The rounding points are those the worked lines show: a net input once after its
whole weighted sum; each sample's δ·input, then the batch mean; each path term δ_k·w_kj,
then their sum; each value an optimizer writes (m, v, m̂, v̂, the velocity, the new value).

:class:`HandMode` keeps the parameters and the optimizer's state as decimals, the numbers
of record, and after every step hands the network (and its trace) float copies of them.
Where a rounded value became 0 and is then divided by, it records a warning, once per kind
and run, naming the quantity and the iteration.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

import numpy as np

from . import decimal_math as dm
from .rounding import SignificantDigits, decimal_rounder
from .trace import IterationTrace, LayerTrace

if TYPE_CHECKING:
    from .network import Network


class HandMode:
    """The exact-decimal state and step of a network in hand mode."""

    def __init__(self, net: Network, carry: int) -> None:
        self.net = net
        self.carry = carry
        self.R = dm.elementwise(decimal_rounder(carry))
        cfg = net.config
        self.W = [dm.dec_array(w) for w in net.W]
        self.b = [dm.dec_array(b) for b in net.b]
        self.slopes = [dm.dec(layer.slope) for layer in net.layers]
        self.lr = dm.dec(cfg.learning_rate)
        self.opt = cfg.optimizer
        self.state = [[{name: np.full(p.shape, dm.ZERO, dtype=object) for name in net.optimizer.state_names}
                       for p in (w, b)] for w, b in zip(self.W, self.b, strict=True)]
        self._warned: dict[str, list] = {}  # kind -> [first warning's text, occurrences]

    # ------------------------------------------------------------------ warnings

    @property
    def warnings(self) -> list[str]:
        """Each kind of division by a value rounded to 0, once: where it first happened, and how often."""
        out = []
        for text, count in self._warned.values():
            more = f" It happened {count} times in this run." if count > 1 else ""
            out.append(text + more)
        return out

    def _warn(self, kind: str, text: str, times: int) -> None:
        """Keep the first warning of a kind; count every value (in every iteration) it applies to."""
        if kind in self._warned:
            self._warned[kind][1] += times
        else:
            self._warned[kind] = [text, times]

    def _advice(self) -> str:
        return ("Keep more significant digits." if isinstance(self.carry, SignificantDigits) else
                "Round to significant digits instead (--carry-sig N), or keep more decimals.")

    def _neuron(self, li: int, j: int) -> str:
        return f"{self.net.config.layers[li + 1].name}{j + 1}"

    # ------------------------------------------------------------------ forward

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Net inputs and outputs of every non-input layer, each rounded (outs[0] is the input)."""
        R = self.R
        nets, outs, A = [], [X], X
        for layer, W, b, slope in zip(self.net.layers, self.W, self.b, self.slopes, strict=True):
            net = A @ W.T
            if b.size:
                net = net + b
            net = R(net)
            A = R(dm.activation_value(layer.activation.name, net, slope))
            nets.append(net)
            outs.append(A)
        return nets, outs

    def losses(self, T: np.ndarray, net: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray, Decimal]:
        """Each output's rounded loss term, each sample's rounded sum of them, and their rounded mean."""
        terms = self.R(dm.loss_terms(self.net.loss.name, T, out, net, self.net.fused))
        per_sample = self.R(terms.sum(axis=1))
        return terms, per_sample, self.R(dm.mean(per_sample))[()]

    def evaluate(self, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
        """The hand-mode loss over these samples, rounded, and the outputs, changing nothing."""
        with localcontext(dm.CONTEXT):
            Xd, Td = dm.dec_array(X), dm.dec_array(T)
            nets, outs = self.forward(Xd)
            _, _, loss = self.losses(Td, nets[-1], outs[-1])
        return float(loss), dm.floats(outs[-1])

    # ------------------------------------------------------------------ one step

    def step(self, X: np.ndarray, T: np.ndarray, record: bool) -> tuple[float, IterationTrace | None]:
        """One iteration, exactly as a hand calculation rounding every value; the trace if recording."""
        with localcontext(dm.CONTEXT):
            Xd, Td = dm.dec_array(X), dm.dec_array(T)
            nets, outs = self.forward(Xd)
            terms, per_sample, loss_d = self.losses(Td, nets[-1], outs[-1])
            loss = float(loss_d)
            if not np.isfinite(loss):
                self.net.keep_parameters_before_update()
            traces = self._backward(Td, nets, outs, record)
        if record:  # a trace holds floats: the rounded decimals, which the display gives back exactly
            terms, per_sample = dm.floats(terms), dm.floats(per_sample)
        return self.net.finish_step(X, T, terms, per_sample, loss, traces, record)

    def _backward(self, T, nets, outs, record: bool) -> list[LayerTrace]:
        """δ from the output layer down, the gradients, the updates; each layer's trace if recording."""
        net, R = self.net, self.R
        B = T.shape[0]
        traces: list[LayerTrace] = []
        pending = []
        top = len(net.layers) - 1
        dE_dout, zero = dm.loss_derivative(net.loss.name, T, outs[-1])
        if zero.any() and not net.fused:
            self._warn_output(zero, outs[-1], top)
        dE_dout = R(dE_dout)
        for li in range(top, -1, -1):
            layer = net.layers[li]
            dout_dnet, delta = self._delta(layer, li == top, nets[li], outs[li + 1], dE_dout, T)
            gW, gb = self._gradients(layer, outs[li], delta, B)
            W_before, b_before = net.W[li], net.b[li]
            state_before = net.optimizer.state_of(li) if record else None
            if net.updated_first:
                self._update(li, gW, gb)
            W_back = self.W[li]
            if record:
                traces.append(LayerTrace(
                    index=layer.index, net=dm.floats(nets[li]), out=dm.floats(outs[li + 1]),
                    dE_dout=dm.floats(dE_dout), dout_dnet=dm.floats(dout_dnet), delta=dm.floats(delta),
                    W=W_before, b=b_before, gW=dm.floats(gW), gb=dm.floats(gb), W_backprop=net.W[li],
                    state_before=state_before, softmax=layer.activation.derivative is None,
                ))
            if li > 0:
                dE_dout = R(R(delta[:, :, None] * W_back[None, :, :]).sum(axis=1))
            if not net.updated_first:
                pending.append((li, gW, gb))
        for li, gW, gb in pending:
            self._update(li, gW, gb)
        return traces[::-1]

    def _warn_output(self, zero: np.ndarray, out: np.ndarray, top: int) -> None:
        s, j = (int(v) for v in np.argwhere(zero)[0])
        value = "0" if out[s, j] == 0 else "1"
        self._warn("loss_derivative", (
            f"Hand mode, iteration {self.net.t + 1}: the output {self._neuron(top, j)} was rounded to {value}, "
            f"and ∂E/∂out of {self.net.loss.name} divides by it; the smallest float stands in for the 0, so that "
            f"value is enormous. {self._advice()}"), int(zero.sum()))

    def _delta(self, layer, is_top: bool, net, out, dE_dout, T):
        name = layer.activation.name
        dout_dnet = self.R(dm.activation_derivative(name, net, out, self.slopes[layer.index - 1]))
        if is_top and self.net.fused:
            delta = out - T
        elif layer.activation.derivative is None:
            delta = dm.softmax_delta(out, dE_dout)
        else:
            delta = dE_dout * dout_dnet
        return dout_dnet, self.R(delta)

    def _gradients(self, layer, A, delta, B: int):
        """Each sample's δ · input rounded, then the batch mean rounded; a shared bias: Σ δ per sample first."""
        R = self.R
        gW = R(dm.mean(R(delta[:, :, None] * A[:, None, :]), axis=0))
        if layer.bias_mode == "per_neuron":
            gb = R(dm.mean(delta, axis=0))
        elif layer.bias_mode == "shared":
            gb = R(np.array([dm.mean(R(delta.sum(axis=1)))], dtype=object))
        else:
            gb = np.zeros(0, dtype=object)
        return gW, gb

    # ------------------------------------------------------------------ updates

    def _update(self, li: int, gW: np.ndarray, gb: np.ndarray) -> None:
        """The optimizer's step for layer ``li`` in decimals; the network gets float copies."""
        net = self.net
        self.W[li] = self._rule(li, 0, self.W[li], gW)
        net.W[li] = dm.floats(self.W[li])
        if net.train_biases and gb.size:
            self.b[li] = self._rule(li, 1, self.b[li], gb)
            net.b[li] = dm.floats(self.b[li])
        for which, holder in ((0, net.optimizer.of_weights[li]), (1, net.optimizer.of_biases[li])):
            for name, arr in self.state[li][which].items():
                setattr(holder, name, dm.floats(arr))

    def _rule(self, li: int, which: int, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        R, lr, opt, state = self.R, self.lr, self.opt, self.state[li][which]
        if opt.name == "sgd":
            return R(p - lr * g)
        if opt.name == "momentum":
            state["v"] = v = R(dm.dec(opt.momentum) * state["v"] - lr * g)
            return R(p + v)
        return self._adam(li, which, p, g, state)

    def _adam(self, li: int, which: int, p: np.ndarray, g: np.ndarray, state: dict) -> np.ndarray:
        R, opt, t = self.R, self.opt, self.net.t + 1
        b1, b2, eps = dm.dec(opt.beta1), dm.dec(opt.beta2), dm.dec(opt.epsilon)
        state["m"] = m = R(b1 * state["m"] + (dm.ONE - b1) * g)
        state["v"] = v = R(b2 * state["v"] + (dm.ONE - b2) * (g * g))
        m_hat = R(m / adam_correction(opt.beta1, t))
        v_hat = R(v / adam_correction(opt.beta2, t))
        vanished = np.argwhere((v_hat == 0) & (m_hat != 0))
        if vanished.size:
            self._warn_adam(li, which, tuple(int(i) for i in vanished[0]), t, len(vanished))
        return R(p - self.lr * m_hat / (dm.elementwise(dm.sqrt)(v_hat) + eps))

    def _warn_adam(self, li: int, which: int, index: tuple[int, ...], t: int, times: int) -> None:
        j = index[0]
        if which == 0:
            what = f"the weight {self.net.config.layers[li].name}{index[1] + 1}→{self._neuron(li, j)}"
        elif self.net.layers[li].bias_mode == "shared":
            what = f"the shared bias of layer {self.net.config.layers[li + 1].name}"
        else:
            what = f"the bias of {self._neuron(li, j)}"
        self._warn("adam", (
            f"Hand mode, iteration {t}: v̂ of {what} was rounded to 0 while m̂ was not, so Adam divided m̂ by "
            f"√(v̂) + ε = ε and the step is far larger than at full precision. {self._advice()}"), times)


def adam_correction(beta: float, t: int) -> Decimal:
    """1 − βᵗ, Adam's bias correction at step t, in hand mode's exact decimals (run inside its context)."""
    return dm.ONE - dm.dec(beta) ** t
