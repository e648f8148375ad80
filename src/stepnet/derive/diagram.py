"""The network as it starts the run, as a drawing needs it: layers, edges and their values."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.trace import RunTrace
from .expr import Expr
from .limits import Cut, Limits
from .names import Names

# a layer wider than WIDE is drawn as its first SHOWN neurons and one "more" node: the neurons
# the text shows (limits.Cut), so a drawing and the worked lines cut a layer at the same place
WIDE = SHOWN = Limits.neurons


@dataclass
class Diagram:
    """What a drawing of the network needs: layers, and the drawn parameters with their values."""

    layers: list[tuple[str, int, str]]  # (name, size, bias mode); the input layer's mode is "none"
    shown: list[int]  # neurons drawn per layer, from the first: all but in a wide layer
    weights: dict[tuple[int, int, int], Expr]  # (layer, to, source) -> the weight's symbol with its value
    biases: dict[tuple[int, int], Expr]  # (layer, to) -> the bias symbol feeding that neuron
    summarised: list[str]  # names of the layers drawn in part

    def __repr__(self) -> str:
        sizes = "-".join(str(size) for _, size, _ in self.layers)
        return f"Diagram({sizes}, weights={len(self.weights)}, biases={len(self.biases)})"


def build_diagram(run: RunTrace, names: Names, cut: Cut | None = None) -> Diagram:
    """Every weight drawn, or in a wide layer the neurons the report shows (those from the first on)."""
    cfg = run.config
    cut = cut or Cut(names, Limits())
    layers = [(layer.name, layer.size, layer.bias if layer.activation else "none") for layer in cfg.layers]
    shown = [cut.drawn(li) for li in range(len(layers))]
    wide = [name for (name, size, _), n in zip(layers, shown, strict=True) if n < size]
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
