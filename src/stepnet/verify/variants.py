"""The config run as given and as a text may have run it: in hand mode, in the other
ordering of the hidden deltas, without some biases.  Each variant is trained once."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..config.model import NetworkConfig
from ..derive.quantities import Quantity, value
from ..engine.training import train


@dataclass(frozen=True)
class Variant:
    carry: int | None = None
    ordering: str | None = None  # hidden_deltas_use, when not the config's
    no_bias: tuple[int, ...] = ()  # layers run without their bias


BASE = Variant()


class Runs:
    """The config run as given and as varied (hand mode, ordering, biases), each run once."""

    def __init__(self, config: NetworkConfig, iterations: int, traced: list[int]) -> None:
        self.config = config
        self.iterations = iterations
        self.trace = ",".join(str(i) for i in traced)
        self._runs: dict[Variant, object] = {}

    def value(self, q: Quantity, iteration: int, variant: Variant = BASE) -> float | None:
        it = self._run(variant).traced(iteration)
        if it is None:
            return None
        try:
            return value(q, it)
        except IndexError:  # e.g. a bias in a run without biases
            return None

    def iteration(self, iteration: int, variant: Variant = BASE):
        return self._run(variant).traced(iteration)

    def _run(self, variant: Variant):
        if variant not in self._runs:
            cfg = vary(self.config, variant)
            self._runs[variant] = train(cfg, self.iterations, trace=self.trace, carry=variant.carry)
        return self._runs[variant]


def vary(config: NetworkConfig, variant: Variant) -> NetworkConfig:
    if variant.ordering:
        config = replace(config, hidden_deltas_use=variant.ordering)
    if variant.no_bias:
        dropped = {config.layers[i].name for i in variant.no_bias}
        layers = tuple(replace(layer, bias="none") if i in variant.no_bias else layer
                       for i, layer in enumerate(config.layers))
        biases = {k: v for k, v in config.biases.items() if k not in dropped}
        config = replace(config, layers=layers, biases=biases)
    return config
