"""The gradients a drawing of the network shows after a traced iteration's backward pass.

For every edge and bias a :class:`~stepnet.derive.diagram.Diagram` draws, the gradient
∂E_total/∂p that the iteration's update used: the same value its derivation line ends in.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.trace import RunTrace
from .diagram import Diagram
from .names import Names


@dataclass
class GradientView:
    """One traced iteration's gradients, keyed as the diagram keys its weights and biases."""

    iteration: int
    weights: dict[tuple[int, int, int], float]  # (layer, to, source) -> ∂E_total/∂w
    biases: dict[tuple[int, int], float]  # (layer, to) -> ∂E_total/∂b of the bias feeding that neuron

    def __repr__(self) -> str:
        return f"GradientView(iteration={self.iteration}, weights={len(self.weights)}, biases={len(self.biases)})"


def gradient_views(run: RunTrace, names: Names, diagram: Diagram | None) -> list[GradientView]:
    """A view per traced iteration, in the order the run traced them; none without a diagram."""
    if diagram is None:
        return []
    views = []
    for it in run.iterations:
        weights = {key: names.weight(*key).of(it.layer(key[0]), "gradient") for key in diagram.weights}
        biases = {key: names.bias(*key).of(it.layer(key[0]), "gradient") for key in diagram.biases}
        views.append(GradientView(it.iteration, weights, biases))
    return views
