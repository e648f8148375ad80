"""The optimizers: one update rule each, with the state it keeps for every parameter array.

A parameter array is one layer's weights or one layer's biases; momentum and Adam keep
arrays of the same shape beside each.  Every rule takes ``R``, applied to each value it
computes: the identity, or hand mode's rounding.  So the recording step, hand mode and the
untraced loop share one formula per optimizer and agree bit for bit.

A trace records the state of layer l as ``{name: (array for W[l], array for b[l])}``,
the names being the fields of the optimizer's state class ("v"; "m" and "v").
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .rounding import Rounder

if TYPE_CHECKING:
    from ..config.model import Optimizer as OptimizerSettings


def exact(a: np.ndarray) -> np.ndarray:
    """No rounding: every value as the floats give it."""
    return a


@dataclass(slots=True)
class Velocity:
    """Momentum's state for one parameter array: the step it took last."""

    v: np.ndarray


@dataclass(slots=True)
class Moments:
    """Adam's state for one parameter array: running means of the gradient and of its square."""

    m: np.ndarray
    v: np.ndarray


class UpdateRule:
    """An optimizer: how one step changes a parameter array, and its state for every layer."""

    name: ClassVar[str]
    state_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: OptimizerSettings, learning_rate: float,
                 weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        self.settings = settings
        self.lr = learning_rate
        self.of_weights = [self.new_state(w) for w in weights]
        self.of_biases = [self.new_state(b) for b in biases]

    def new_state(self, p: np.ndarray) -> Velocity | Moments | None:
        """The state kept beside ``p`` before the first step (none for plain gradient descent)."""
        return None

    def update(self, p: np.ndarray, g: np.ndarray, state: Velocity | Moments | None, t: int,
               R: Rounder = exact) -> np.ndarray:
        """``p`` after one step against its gradient ``g``; ``t`` counts the updates, this one included.

        Returns a new array (the old one may be on record in a trace) and replaces ``state``'s fields.
        """
        raise NotImplementedError

    @property
    def state(self) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
        """Each state name with, layer by layer, its arrays for the weights and for the biases."""
        pairs = list(zip(self.of_weights, self.of_biases, strict=True))
        return {name: [(getattr(w, name), getattr(b, name)) for w, b in pairs] for name in self.state_names}

    def state_of(self, li: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Copies of layer ``li``'s state as a trace records it, so later steps cannot change them."""
        w, b = self.of_weights[li], self.of_biases[li]
        return {name: (getattr(w, name).copy(), getattr(b, name).copy()) for name in self.state_names}


class SGD(UpdateRule):
    """Plain gradient descent: p ← p − η·g."""

    name = "sgd"

    def update(self, p: np.ndarray, g: np.ndarray, state: None, t: int, R: Rounder = exact) -> np.ndarray:
        return R(p - self.lr * g)


class Momentum(UpdateRule):
    """Momentum: v ← μ·v − η·g, then p ← p + v; the velocity keeps a share μ of the last step."""

    name = "momentum"
    state_names = tuple(f.name for f in fields(Velocity))

    def new_state(self, p: np.ndarray) -> Velocity:
        return Velocity(np.zeros_like(p))

    def update(self, p: np.ndarray, g: np.ndarray, state: Velocity, t: int, R: Rounder = exact) -> np.ndarray:
        state.v = v = R(self.settings.momentum * state.v - self.lr * g)
        return R(p + v)


class Adam(UpdateRule):
    """Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ),
    then p ← p − η·m̂/(√v̂ + ε)."""

    name = "adam"
    state_names = tuple(f.name for f in fields(Moments))

    def new_state(self, p: np.ndarray) -> Moments:
        return Moments(np.zeros_like(p), np.zeros_like(p))

    def update(self, p: np.ndarray, g: np.ndarray, state: Moments, t: int, R: Rounder = exact) -> np.ndarray:
        s = self.settings
        state.m = m = R(s.beta1 * state.m + (1 - s.beta1) * g)
        state.v = v = R(s.beta2 * state.v + (1 - s.beta2) * g * g)
        m_hat = R(m / (1 - s.beta1**t))
        v_hat = R(v / (1 - s.beta2**t))
        return R(p - self.lr * m_hat / (np.sqrt(v_hat) + s.epsilon))


UPDATE_RULES: dict[str, type[UpdateRule]] = {rule.name: rule for rule in (SGD, Momentum, Adam)}
"""The update rule for each name a config's ``optimizer.name`` may give."""
