"""The network configuration: validated, frozen, with the position of every value.

A YAML file is read into these dataclasses by :func:`load_config`; nothing else in
stepnet reads YAML.  Every value keeps the line and column it came from
(``NetworkConfig.positions``), so that later checks (claims, the CLI) can point at it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")
LOSSES = ("half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "adam")
BIAS_MODES = ("per_neuron", "shared", "none")
INIT_METHODS = ("uniform", "xavier", "he")
NOTATION_STYLES = ("flat", "indexed")
FLAT_NUMBERING = ("by_target", "by_source")
INDEX_ORDERS = ("to_from", "from_to")
HIDDEN_DELTAS = ("current_weights", "updated_weights")


@dataclass(frozen=True)
class Layer:
    """One layer. The first layer is the input layer: no activation, no bias."""

    name: str
    size: int
    activation: str | None = None  # None only for the input layer
    bias: str = "none"  # per_neuron | shared | none
    slope: float = 0.01  # leaky_relu's slope for negative net input


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
    style: str = "flat"  # flat | indexed
    numbering: str = "by_target"  # flat: by_target | by_source
    index_order: str = "to_from"  # indexed: to_from (w_jk: to j from k) | from_to


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


# -- loading ------------------------------------------------------------------------
# The YAML reader and the checks are imported only when a config is loaded, so that
# ``import stepnet.config`` stays light (no yaml, numpy, sympy or rich).

MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MiB


def load_config(
    source: str | os.PathLike[str] | Mapping[str, Any], *, name: str | None = None
) -> NetworkConfig:
    """Read and validate a config from a YAML file or from an already parsed mapping.

    ``name`` labels the source in error messages and in ``NetworkConfig.source``; it
    defaults to the path exactly as given, or to None ("<config>" in messages) for a
    mapping.  The network's default name is the stem of that label, else "network".
    A mapping has no positions, but its errors still name the key path.  Every problem
    with the config is a :class:`~stepnet.errors.ConfigError`; a ``source`` that is
    neither a mapping nor a path is a TypeError.
    """
    from .configcheck import check_document
    from .yamlread import from_python

    if isinstance(source, Mapping):
        return check_document(from_python(source, name), name, _default_name(name))
    path = os.fsdecode(os.fspath(source))
    label = path if name is None else name
    return parse_config_text(_read_text(path, label), label)


def parse_config_text(text: str, source: str = "<string>") -> NetworkConfig:
    """Parse and validate YAML ``text``; ``source`` names it in error messages."""
    from .configcheck import check_document
    from .yamlread import read_yaml

    text = text.removeprefix("\ufeff")  # a byte order mark
    return check_document(read_yaml(text, source), source, _default_name(source))


def schema_text() -> str:
    """The JSON Schema of the config format (``stepnet/examples/config.schema.json``)."""
    from importlib.resources import files

    return files("stepnet.examples").joinpath("config.schema.json").read_text(encoding="utf-8")


def _default_name(label: str | None) -> str:
    if not label or label.startswith("<"):
        return "network"
    return os.path.splitext(os.path.basename(label))[0] or "network"


def _read_text(path: str, label: str) -> str:
    """The file's text, refusing what is missing, a directory, too large or not UTF-8."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError("this is a directory, not a config file", file=label)
        if info.st_size > MAX_FILE_BYTES:
            raise _too_large(info.st_size, label)
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(
            "no such file", file=label, hint="check the path; `stepnet init` writes a starter config"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", file=label) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data), label)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = f"byte 0x{data[exc.start]:02x} at byte offset {exc.start}"
        message = f"the file is not UTF-8 text: {byte} cannot be decoded"
        raise ConfigError(message, file=label, line=line, column=column, hint="save the file as UTF-8") from None


def _too_large(size: int, label: str) -> ConfigError:
    limit = f"{MAX_FILE_BYTES // (1024 * 1024)} MiB ({MAX_FILE_BYTES:,} bytes)"
    return ConfigError(
        f"the file is {size:,} bytes; stepnet reads config files of at most {limit}", file=label
    )
