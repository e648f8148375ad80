"""The starter config that ``stepnet init`` writes: a network that runs, every key explained.

Small networks get their weights and biases written out (made-up numbers, drawn from a
fixed seed so the file is the same every time); larger ones get a seeded ``init`` instead,
so the file stays readable.  The data are two made-up samples of the right shape.
"""

from __future__ import annotations

import random
from itertools import product
from string import ascii_lowercase

from ..errors import ConfigError, UsageError
from .choices import ACTIVATION_NAMES, LOSS_NAMES

HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATION_NAMES if a != "softmax")
INLINE_WEIGHTS = 64  # up to this many weights the file lists them; beyond, a seeded init
SAMPLES = 2
MAX_LAYERS = 64  # more than anyone reads through; layer_names has far more names than this
SCHEMA_FILE = "stepnet.schema.json"
_HIDDEN_NAMES = "hgfkmnpqrstuvxyz"  # i is the input layer, o the output; w, b, E are reserved


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"2,3,1"`` -> ``(2, 3, 1)``; ValueError with a message for anything else."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected at least two layer sizes separated by commas, like 2,3,1; found '{text}'")
    sizes = tuple(int(p) for p in parts)
    if min(sizes) < 1:
        raise ValueError(f"every layer needs at least 1 neuron; found '{text}'")
    if len(sizes) > MAX_LAYERS:
        raise ValueError(f"a starter config has at most {MAX_LAYERS} layers; found {len(sizes)}")
    return sizes


def layer_names(count: int) -> list[str]:
    """i, then the hidden layers (h, g, f, ...), then o."""
    hidden = count - 2
    singles = list(_HIDDEN_NAMES)
    pairs = ["h" + a + b for a, b in product(ascii_lowercase, repeat=2)]
    return ["i", *(singles + pairs)[:hidden], "o"]


def output_activation(loss: str) -> str:
    return "softmax" if loss == "cross_entropy" else "sigmoid"


def check_options(sizes: tuple[int, ...], activation: str, loss: str) -> None:
    """UsageError for a combination no valid config has."""
    if activation not in HIDDEN_ACTIVATIONS:
        raise UsageError(f"unknown hidden activation '{activation}'",
                         hint="use one of: " + ", ".join(HIDDEN_ACTIVATIONS))
    if loss not in LOSS_NAMES:
        raise UsageError(f"unknown loss '{loss}'", hint="use one of: " + ", ".join(LOSS_NAMES))
    if loss == "cross_entropy" and sizes[-1] < 2:
        raise UsageError("cross_entropy needs a softmax output layer of at least 2 neurons; --layers ends in 1",
                         hint="give 2 or more outputs (--layers 2,3,2), or use --loss binary_cross_entropy")


def starter_config(sizes=(2, 2, 2), activation: str = "sigmoid", loss: str = "half_sse", filename: str = "FILE") -> str:
    """The text of a commented starter config for layers of ``sizes``; ``filename`` appears in its comments."""
    sizes = tuple(sizes)
    check_options(sizes, activation, loss)
    names = layer_names(len(sizes))
    rng = random.Random(1)
    inline = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False)) <= INLINE_WEIGHTS
    parts = [
        _header(filename),
        _layers(names, sizes, activation, loss),
        _weights(names, sizes, rng, activation) if inline else _init(names, sizes, activation),
        _biases(names, sizes, rng) if inline else _biases_default(),
        _training(loss),
        _data(names, sizes, loss, rng),
        _optional(names),
    ]
    text = "\n".join(parts)
    _validate(text)
    return text


def _validate(text: str) -> None:
    """The config's own checks (layer size and parameter limits) as a usage error."""
    from .load import parse_config_text

    try:
        parse_config_text(text, "<starter>")
    except ConfigError as exc:
        hint = "stepnet prints every calculation: use a small network"
        raise UsageError(f"--layers: {exc.message}", hint=hint) from None


# -- sections -------------------------------------------------------------------------


def _header(filename: str) -> str:
    from ..__about__ import __version__

    return f"""\
# yaml-language-server: $schema={SCHEMA_FILE}
# A stepnet starter config, written by `stepnet init` (stepnet {__version__}).
#
#   stepnet run {filename}
#       the whole worked calculation of one iteration
#   stepnet explain w1 -c {filename}
#       one parameter's gradient, step by step
#   stepnet validate {filename}
#       check the file without running it
#
# Editors: run `stepnet schema > {SCHEMA_FILE}` in this folder. Editors with the YAML
# language server (VS Code's YAML extension, for one) then complete and check every key:
# the first line of this file points them there.
#
# Lines starting with `# key:` are optional keys, shown with an example value: remove the
# `# ` to use one. The weights, biases and data below are made-up numbers: put your own.

name: My network                 # the title of the report
# description: what it shows     # a line under the title
"""


def _layers(names, sizes, activation, loss) -> str:
    lines = [
        "# The layers, input first. Each has a name (1 to 8 letters; its neurons are numbered, so",
        "# layer h has h1, h2, ...) and a size (its number of neurons). The input layer has nothing",
        "# else. Every later layer also has",
        "#   activation: sigmoid | tanh | relu | leaky_relu | identity | softmax (softmax: output",
        "#               layer only, with loss cross_entropy); the default is sigmoid",
        "#   bias:       per_neuron (one bias per neuron, the default) | shared (one bias for the",
        "#               whole layer, as in the classic tutorials) | none (no bias)",
        "#   slope:      leaky_relu only: the slope for negative net input (default 0.01)",
        "layers:",
        f"  - {{name: {names[0]}, size: {sizes[0]}}}",
    ]
    for index, (name, size) in enumerate(zip(names[1:], sizes[1:], strict=False), start=1):
        act = output_activation(loss) if index == len(sizes) - 1 else activation
        lines.append(f"  - {{name: {name}, size: {size}, activation: {act}, bias: per_neuron}}")
    return "\n".join(lines) + "\n"


def _number(rng: random.Random, low: float, high: float) -> str:
    value = 0.0
    while value == 0.0:
        value = round(rng.uniform(low, high), 2)
    return f"{value:.2f}"


def _weights(names, sizes, rng, activation) -> str:
    lines = [
        "# The starting weights of every layer after the input: one row per neuron of that layer,",
        "# one number per neuron of the layer before (the weight from that neuron).",
        "weights:",
    ]
    for (before, prev), (name, size) in zip(zip(names, sizes, strict=False), zip(names[1:], sizes[1:], strict=False),
                                            strict=False):
        sources = _neurons(before, prev)
        lines.append(f"  {name}:")
        rows = ["[" + ", ".join(_number(rng, -0.9, 0.9) for _ in range(prev)) + "]" for _ in range(size)]
        width = max(len(row) for row in rows)
        for j, row in enumerate(rows):
            lines.append(f"    - {row.ljust(width)}   # into {name}{j + 1}, from {sources}")
    lines += [
        "# Or leave weights out and draw them at random, the same numbers every run:",
        "#   method: uniform (between low and high, default -0.5 and 0.5) | xavier | he (for relu)",
        f"# init: {{method: {_init_method(activation)}, seed: 1}}",
    ]
    return "\n".join(lines) + "\n"


def _init(names, sizes, activation) -> str:
    shown = names[1]
    return f"""\
# The starting weights are drawn at random, the same numbers every run (seed):
#   method: uniform (between low and high, default -0.5 and 0.5) | xavier | he (for relu)
init: {{method: {_init_method(activation)}, seed: 1}}
# Or give them: for every layer after the input, one row per neuron of that layer and one
# number per neuron of the layer before, e.g. for layer {shown} ({sizes[1]} rows of {sizes[0]} numbers):
# weights:
#   {shown}:
#     - [0.15, 0.20, ...]    # into {shown}1
"""


def _init_method(activation: str) -> str:
    return "he" if activation in ("relu", "leaky_relu") else "xavier"


def _neurons(layer: str, size: int) -> str:
    if size <= 4:
        return ", ".join(f"{layer}{k}" for k in range(1, size + 1))
    return f"{layer}1 ... {layer}{size}"


def _biases(names, sizes, rng) -> str:
    lines = [
        "# The starting biases: per layer, one number per neuron (bias: per_neuron), or a single",
        "# number (bias: shared). A layer left out starts at 0.",
        "biases:",
    ]
    for name, size in zip(names[1:], sizes[1:], strict=False):
        values = ", ".join(_number(rng, 0.1, 0.6) for _ in range(size))
        lines.append(f"  {name}: [{values}]")
    return "\n".join(lines) + "\n" + _TRAIN_BIASES


def _biases_default() -> str:
    return """\
# The biases start at 0. To give them: per layer, one number per neuron (bias: per_neuron)
# or a single number (bias: shared), e.g.
# biases: {h: [0.35, 0.35, ...], o: [0.60, ...]}
""" + _TRAIN_BIASES


_TRAIN_BIASES = """\
# train_biases: false    # true (default): the biases are updated like the weights; false: kept fixed
"""

_LOSS_TEXT = """\
# The error to minimise:
#   half_sse             E = Σ ½(target − out)², the classic tutorials' choice (the default)
#   sse                  E = Σ (target − out)²
#   mse                  E = (1/n) Σ (target − out)², the mean over the n outputs
#   cross_entropy        E = −Σ target·ln(out): softmax output layer, one-hot targets
#   binary_cross_entropy for sigmoid outputs, targets from 0 to 1
"""


def _training(loss: str) -> str:
    return _LOSS_TEXT + f"""\
loss: {loss}

learning_rate: 0.5       # η, the step of every update: w⁺ = w − η·∂E/∂w (greater than 0)

# How the gradients change the parameters: sgd (the default: plain gradient descent),
# momentum or adam, by name or with settings:
#   {{name: momentum, momentum: 0.9}}   {{name: adam, beta1: 0.9, beta2: 0.999, epsilon: 1e-8}}
# optimizer: sgd
"""


def _data(names, sizes, loss, rng) -> str:
    lines = [
        "# The training samples: inputs, one per neuron of the input layer, and targets, one per",
        "# neuron of the output layer. These two samples are made-up numbers: put your own.",
        "data:",
    ]
    for sample in range(SAMPLES):
        inputs = ", ".join(_number(rng, 0.05, 0.95) for _ in range(sizes[0]))
        lines += [f"  - inputs: [{inputs}]", f"    targets: [{_targets(sizes[-1], loss, rng, sample)}]"]
    return "\n".join(lines) + "\n"


def _targets(size: int, loss: str, rng: random.Random, sample: int) -> str:
    """Sample ``sample``'s targets: made-up numbers, or labels that differ from sample to sample.

    With cross_entropy sample k is of class k (one-hot), so the samples cover as many classes
    as there are samples; with binary_cross_entropy each output is 0 for one sample and 1 for
    the next, and the outputs of one sample alternate.
    """
    if loss == "cross_entropy":
        return ", ".join("1" if k == sample % size else "0" for k in range(size))
    if loss == "binary_cross_entropy":
        return ", ".join(str((sample + k) % 2) for k in range(size))
    return ", ".join(_number(rng, 0.01, 0.99) for _ in range(size))


def _optional(names) -> str:
    out = f"{names[-1]}1"
    return f"""\
# batch_size: 1          # samples per update (default: all of them, full batch)
# shuffle: {{seed: 1}}     # shuffle the samples before every pass, reproducibly (default: file order)
# iterations: 100        # updates `stepnet run` makes (default 1); --iterations and --epochs override it

# How the parameters are named in the output:
#   flat (the default): w1, w2, ... and b1, b2, ..., layer by layer; numbering: by_target
#     (the weights into neuron 1 first, the default) | by_source (the weights out of neuron 1 first)
#   indexed: w(1)_21 is the weight into neuron 2 of layer 1 (the first after the input) from
#     neuron 1 of the layer before; index_order: to_from (the default) | from_to
# notation: {{style: flat, numbering: by_target}}
# notation: {{style: indexed, index_order: to_from}}

# hidden_deltas_use: current_weights   # or updated_weights, as some tutorials do

# Numbers a text states, checked against the true values; the decimals written set the
# precision checked. Quantities: out_{out}, net_{out}, E_total, dE_total/dw1, w1+ (after the
# update), ...; later iterations go under a key "iteration N". For example:
# claims:
#   out_{out}: 0.75
#   dE_total/dw1: 0.0004
#   iteration 2:
#     E_total: 0.29
"""
