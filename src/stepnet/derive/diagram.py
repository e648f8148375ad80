"""The network as it starts the run, as a drawing needs it: layers, edges and their values."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.trace import RunTrace
from .expr import Expr
from .names import Names

WIDE, SHOWN = 8, 3  # a layer wider than WIDE is drawn as its first SHOWN neurons and one "more" node


@dataclass
class Diagram:
    """What a drawing of the network needs: layers, and the drawn parameters with their values."""

    layers: list[tuple[str, int, str]]  # (name, size, bias mode); the input layer's mode is "none"
    shown: list[int]  # neurons drawn per layer (all, unless some layer is wider than WIDE)
    weights: dict[tuple[int, int, int], Expr]  # (layer, to, source) -> the weight's symbol with its value
    biases: dict[tuple[int, int], Expr]  # (layer, to) -> the bias symbol feeding that neuron
    summarised: list[str]  # names of the layers drawn in part

    def __repr__(self) -> str:
        sizes = "-".join(str(size) for _, size, _ in self.layers)
        return f"Diagram({sizes}, weights={len(self.weights)}, biases={len(self.biases)})"


def build_diagram(run: RunTrace, names: Names) -> Diagram:
    """Every weight drawn, or the first few neurons of every layer when one is wide."""
    cfg = run.config
    layers = [(layer.name, layer.size, layer.bias if layer.activation else "none") for layer in cfg.layers]
    wide = [name for name, size, _ in layers if size > WIDE]
    shown = [min(size, SHOWN) if wide else size for _, size, _ in layers]
    W, b = run.initial
    weights, biases = {}, {}
    for li in range(1, len(layers)):
        for j in range(shown[li]):
            for i in range(shown[li - 1]):
                weights[(li, j, i)] = names.param(names.weight(li, j, i)).with_value(W[li - 1][j, i])
            p = names.bias(li, j)
            if p is not None:
                biases[(li, j)] = names.param(p).with_value(p.read(W[li - 1], b[li - 1]))
    return Diagram(layers, shown, weights, biases, wide)
