"""What one training run recorded: per layer arrays, per traced iteration.

The engine fills these in; derivations and renderers only read them.  Values are kept
as numpy arrays per layer (never one Python object per number), so a 100,000-parameter
network costs a few arrays per traced iteration.  The few numbers a worked example shows
that the engine never needed as a whole (one path term δ_k·w_kj, one sample's share of a
gradient) are computed here, by the same rules as the engine, hand-mode rounding included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .rounding import hand_products, make_rounder


@dataclass
class LayerTrace:
    """One non-input layer in one iteration. Per-sample arrays are (batch, neurons)."""

    index: int  # position in config.layers (1 = first layer after the input)
    net: np.ndarray
    out: np.ndarray
    dE_dout: np.ndarray
    dout_dnet: np.ndarray  # f'(net); for softmax the diagonal of its Jacobian
    delta: np.ndarray  # ∂E/∂net
    W: np.ndarray  # before the update, (neurons, neurons of the layer below)
    b: np.ndarray
    gW: np.ndarray  # the gradient used for the update (mean over the batch)
    gb: np.ndarray
    W_backprop: np.ndarray  # the weights δ was sent back through (W, or W after its update)
    softmax: bool = False  # δ came through the softmax Jacobian, not an elementwise f'
    state_before: dict | None = None
    W_after: np.ndarray | None = None
    b_after: np.ndarray | None = None
    state_after: dict | None = None

    def __repr__(self) -> str:
        batch, neurons = self.net.shape
        return f"LayerTrace(index={self.index}, neurons={neurons}, inputs={self.W.shape[1]}, batch={batch})"


@dataclass
class IterationTrace:
    """Everything computed in one iteration (one update on one batch)."""

    X: np.ndarray  # the batch's inputs (batch, inputs)
    T: np.ndarray  # its targets (batch, outputs)
    loss_terms: np.ndarray  # E_k per sample and output (batch, outputs)
    sample_losses: np.ndarray  # (batch,)
    loss: float  # mean over the batch, before the update
    layers: list[LayerTrace]
    fused: bool  # δ of the output layer is out − target (softmax/cross-entropy, sigmoid/BCE)
    carry: int | None  # hand mode: decimals every intermediate value was rounded to (SignificantDigits: digits)
    t: int  # updates done after this iteration (= iteration number)
    iteration: int = 0
    samples: tuple[int, ...] = ()  # indices into config.data
    loss_after: float | None = None  # the same batch after the update

    def __repr__(self) -> str:
        return (f"IterationTrace(iteration={self.iteration}, batch={self.batch_size}, loss={self.loss!r}, "
                f"layers={len(self.layers)})")

    @property
    def batch_size(self) -> int:
        return self.X.shape[0]

    def layer(self, index: int) -> LayerTrace:
        return self.layers[index - 1]

    def outputs_of(self, index: int) -> np.ndarray:
        """The outputs of layer ``index`` (0: the inputs)."""
        return self.X if index == 0 else self.layers[index - 1].out

    def _round(self, a):
        return make_rounder(self.carry)(a) if self.carry is not None else a

    def _products(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """a·b elementwise; in hand mode the exact product of the two decimals, rounded."""
        return a * b if self.carry is None else hand_products(a, b, self.carry)

    def path_terms(self, index: int, j: int, sample: int) -> np.ndarray:
        """δ_k · w_kj for every neuron k of the layer above: the paths from neuron j upwards."""
        above = self.layers[index]  # layer index + 1
        return self._products(above.delta[sample], above.W_backprop[:, j])

    def weight_gradient_terms(self, index: int, j: int, i: int) -> np.ndarray:
        """Each sample's ∂E/∂w = δ_j · out_i for the weight from neuron i below to neuron j: (batch,)."""
        below = self.outputs_of(index - 1)[:, i]
        return self._products(self.layer(index).delta[:, j], below)

    def bias_gradient_terms(self, index: int, j: int | None) -> np.ndarray:
        """Each sample's ∂E/∂b: δ_j, or for the layer's shared bias Σ_j δ_j (j None)."""
        delta = self.layer(index).delta
        return delta[:, j] if j is not None else self._round(delta.sum(axis=1))


@dataclass
class Divergence:
    """Where training first produced NaN or infinity."""

    kind: str  # weight | bias | net | out | loss
    layer: int  # config layer index
    neuron: int  # 0-based: the neuron (for weights: the one the weight feeds)
    source: int | None  # weights: the neuron below
    sample: int | None  # index within the batch
    value: float
    iteration: int = 0


@dataclass
class RunTrace:
    """A whole run: the traced iterations in full, and every iteration's loss."""

    config: object  # NetworkConfig
    iterations: list[IterationTrace]
    losses: np.ndarray  # the loss of every iteration run, before its update
    planned: int  # iterations asked for
    initial: tuple[list[np.ndarray], list[np.ndarray]]  # (weights, biases) before the first update
    final_params: tuple[list[np.ndarray], list[np.ndarray]]
    final_loss: float  # all the data, after the last update
    final_outputs: np.ndarray  # (samples, outputs) after the last update
    carry: int | None = None
    batches_per_epoch: int = 1
    divergence: Divergence | None = None
    interrupted: bool = False
    trace_spec: str | None = None  # the --trace asked for; None: the default (all up to 20, else first,last)
    streamed: int = 0  # traced iterations handed to train()'s on_traced as they came, not kept in ``iterations``
    warnings: list[str] = field(default_factory=list)  # hand mode: where a value rounded to 0 was divided by

    def __repr__(self) -> str:
        return (f"RunTrace({self.config.name!r}, iterations={self.done}, planned={self.planned}, "
                f"traced={len(self.iterations)}, final_loss={self.final_loss!r})")

    @property
    def done(self) -> int:
        return len(self.losses)

    def traced(self, iteration: int) -> IterationTrace | None:
        for it in self.iterations:
            if it.iteration == iteration:
                return it
        return None
