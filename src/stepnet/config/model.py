"""The network configuration: validated, frozen, with the position of every value.

A YAML file is read into these dataclasses by :func:`load_config`; nothing else in
stepnet reads YAML.  Every value keeps the line and column it came from
(``NetworkConfig.positions``), so that later checks (claims, the CLI) can point at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .choices import (  # noqa: F401 - the choices belong to the model; most readers import them from here
    ACTIVATION_NAMES,
    BIAS_MODES,
    FLAT_NUMBERING,
    HIDDEN_DELTAS,
    INDEX_ORDERS,
    INIT_METHODS,
    LOSS_NAMES,
    NOTATION_STYLES,
    OPTIMIZERS,
)


@dataclass(frozen=True)
class Layer:
    """One layer. The first layer is the input layer: no activation, no bias."""

    name: str
    size: int
    activation: str | None = None  # None only for the input layer
    bias: str = "none"  # per_neuron | shared | none
    slope: float = 0.01  # leaky_relu's slope for negative net input

    @property
    def bias_count(self) -> int:
        """How many biases the layer has: one per neuron, one shared, or none."""
        return {"shared": 1, "per_neuron": self.size}.get(self.bias, 0)


@dataclass(frozen=True)
class Sample:
    inputs: tuple[float, ...]
    targets: tuple[float, ...]


@dataclass(frozen=True)
class Init:
    """Seeded initialisation of the weights (and biases) not given in the file."""

    method: str  # uniform | xavier | he
    seed: int
    low: float = -0.5  # uniform only
    high: float = 0.5  # uniform only


@dataclass(frozen=True)
class Optimizer:
    name: str = "sgd"
    momentum: float = 0.9  # momentum only
    beta1: float = 0.9  # adam only
    beta2: float = 0.999  # adam only
    epsilon: float = 1e-8  # adam only


@dataclass(frozen=True)
class Notation:
    """How a run writes its quantities: a style (preset) and the symbols it replaces.

    ``mazur`` and ``flat`` are the same style (net_h1, out_h1, E_total, w1 … w8);
    ``indexed`` writes the parameters w⁽ˡ⁾_jk with l counting the layers after the input;
    ``nielsen`` writes z, a, C and δ with a layer index counted from 1 at the input.
    """

    style: str = "flat"  # flat (= mazur) | mazur | indexed | nielsen
    numbering: str = "by_target"  # flat: by_target | by_source
    index_order: str = "to_from"  # indexed and nielsen: to_from (w_jk: to j from k) | from_to
    symbols: tuple[tuple[str, str], ...] = ()  # (role, symbol) overrides, in the order written

    @property
    def overrides(self) -> dict[str, str]:
        """The symbols the config replaces, role -> symbol as written (``{"loss": "L"}``)."""
        return dict(self.symbols)


@dataclass(frozen=True)
class Claim:
    """A number a document states, as written there."""

    quantity: str  # e.g. "out_o1", "dE_total/dw5", "w5+"
    text: str  # the number exactly as written in the YAML (its decimals give the precision)
    value: float
    iteration: int = 1
    line: int | None = None


@dataclass(frozen=True)
class NetworkConfig:
    name: str
    layers: tuple[Layer, ...]
    data: tuple[Sample, ...]
    learning_rate: float
    loss: str = "half_sse"
    # layer name -> matrix, one row per neuron of that layer, one column per neuron of the layer before
    weights: Mapping[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)
    # layer name -> values: one value for a shared bias, one per neuron for per_neuron
    biases: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    init: Init | None = None
    train_biases: bool = True
    optimizer: Optimizer = field(default_factory=Optimizer)
    batch_size: int | None = None  # None: the whole data set (full batch)
    shuffle_seed: int | None = None  # None: samples in file order
    iterations: int | None = None  # default number of updates for `stepnet run`
    hidden_deltas_use: str = "current_weights"
    notation: Notation = field(default_factory=Notation)
    claims: tuple[Claim, ...] = ()
    description: str = ""
    source: str | None = None  # the file it was read from, for messages
    # key path ("layers[1].activation") -> (line, column), both 1-based
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def input_layer(self) -> Layer:
        return self.layers[0]

    @property
    def output_layer(self) -> Layer:
        return self.layers[-1]

    @property
    def effective_batch_size(self) -> int:
        return self.batch_size or len(self.data)
