"""The rule for each top-level key of a config (``SECTIONS``).

Each rule ``(ck, path, value, ctx)`` validates one top-level key and returns its part
of the :class:`~stepnet.config.NetworkConfig`.  ``ctx`` (a
:class:`Context`, in practice :class:`~stepnet.config.validate.TopLevel`) holds what other keys are checked against:
``ctx.layers`` (weights against layer sizes), ``ctx.loss`` (targets against the loss)
and ``ctx.samples`` (``batch_size`` against the number of samples); each is None
when its own key is invalid, and the checks that need it are then skipped.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import Any, Protocol

from ..limits import MAX_INIT_BOUND, MAX_ITERATIONS, MAX_LAYER_SIZE, MAX_PARAMETERS
from .claims import check_claims
from .document import join_path
from .model import (
    ACTIVATION_NAMES,
    BIAS_MODES,
    HIDDEN_DELTAS,
    INIT_METHODS,
    LOSS_NAMES,
    OPTIMIZERS,
    Init,
    Layer,
    Optimizer,
    Sample,
)
from .notation import check_notation
from .reader import FRACTION, POSITIVE, REQUIRED, Checker, Collector, plural, quote


class Context(Protocol):
    """What the rules read of the other top-level keys (each None when that key is invalid)."""

    layers: tuple[Layer, ...] | None
    loss: str | None
    samples: tuple[Sample, ...] | None


RESERVED_NAMES = {
    "w": "w names the weights (w1, w2, ...)",
    "b": "b names the biases (b1, b2, ...)",
    "E": "E names the error (E_total)",
}

_PROBABILITY_LOSSES = ("cross_entropy", "binary_cross_entropy")
_OPTIMIZER_SETTINGS = {"sgd": (), "momentum": ("momentum",), "adam": ("beta1", "beta2", "epsilon")}
_INIT_BOUND = (lambda x: abs(x) <= MAX_INIT_BOUND, f"from {-MAX_INIT_BOUND:,.0f} to {MAX_INIT_BOUND:,.0f}")
_ITERATIONS_HINT = f"{MAX_ITERATIONS:,} updates is stepnet's limit for one run"


# -- layers ---------------------------------------------------------------------------


def check_layers(ck: Checker, path: str, value: Any, ctx: Context) -> tuple[Layer, ...]:
    items = ck.sequence(path, value, "a list of layers")
    if len(items) < 2:
        found = f"found {plural(len(items), 'layer')}"
        raise ck.error(path, f"expected at least 2 layers (input first, output last), {found}")
    layers: list[Layer] = []
    first_use: dict[str, str] = {}
    found = Collector()  # each layer is checked, whatever is wrong with the others
    for index, item in enumerate(items):
        sub = join_path(path, index)
        layer = found.attempt(_check_layer, ck, sub, item, index, index == len(items) - 1)
        if layer is None:
            continue
        if layer.name in first_use:
            message = f"layer name '{layer.name}' is already used by {first_use[layer.name]}"
            found.add(ck.error(join_path(sub, "name"), message, "give every layer its own name"))
            continue
        first_use[layer.name] = sub
        layers.append(layer)
    found.done()
    count = sum(_parameter_count(prev, layer) for prev, layer in itertools.pairwise(layers))
    if count > MAX_PARAMETERS:
        message = f"the network has {count:,} parameters (weights and biases)"
        limit = f"the limit is {MAX_PARAMETERS:,}"
        raise ck.error(path, f"{message}; {limit}", "stepnet prints every calculation: use a small network")
    return tuple(layers)


def _parameter_count(prev: Layer, layer: Layer) -> int:
    biases = {"per_neuron": layer.size, "shared": 1}.get(layer.bias, 0)
    return prev.size * layer.size + biases


def _check_layer(ck: Checker, path: str, value: Any, index: int, last: bool) -> Layer:
    size_hint = f"{MAX_LAYER_SIZE:,} neurons per layer is stepnet's limit"
    handlers = {
        "name": lambda p, v: _layer_name(ck, p, v),
        "size": lambda p, v: ck.integer(p, v, 1, MAX_LAYER_SIZE, size_hint),
        "activation": lambda p, v: ck.choice(p, v, ACTIVATION_NAMES, "activation"),
        "bias": lambda p, v: ck.choice(p, v, BIAS_MODES, "bias mode"),
        "slope": lambda p, v: ck.number(p, v, POSITIVE),
    }
    if index == 0:
        for key in ("activation", "bias", "slope"):
            handlers[key] = _not_on_input(ck, key)
    got = ck.fields(path, value, handlers, ("name", "size"), "a layer {name: ..., size: ...}")
    name, size = got["name"], got["size"]
    if index == 0:
        return Layer(name, size)
    activation = got.get("activation", "sigmoid")
    if "slope" in got and activation != "leaky_relu":
        message = f"slope only applies to activation leaky_relu; layer '{name}' uses {activation}"
        raise ck.error(join_path(path, "slope"), message, "remove slope", key=True)
    if activation == "softmax":
        where = join_path(path, "activation")
        if not last:
            message = f"softmax is only supported on the output layer; layer '{name}' is hidden"
            raise ck.error(where, message)
        if size < 2:
            hint = "for a single output use sigmoid"
            raise ck.error(where, f"softmax needs at least 2 neurons; layer '{name}' has 1", hint)
    return Layer(name, size, activation, got.get("bias", "per_neuron"), got.get("slope", 0.01))


def _not_on_input(ck: Checker, key: str):
    def refuse(path: str, value: Any):
        message = f"the input layer has no {key}: it passes the inputs on unchanged"
        hint = f"remove {key} from the first layer, or add an input layer before it"
        raise ck.error(path, message, hint, key=True)

    return refuse


def _layer_name(ck: Checker, path: str, value: Any) -> str:
    name = ck.string(path, value, "a layer name (1 to 8 letters)")
    if not re.fullmatch(r"[A-Za-z]+", name):
        message = f"expected a layer name of letters only (A-Z, a-z), found {quote(name)}"
        raise ck.error(path, message, "stepnet numbers the neurons itself: layer 'h' has neurons h1, h2, ...")
    if len(name) > 8:
        message = f"expected a layer name of 1 to 8 letters, found {quote(name)} ({len(name)} letters)"
        raise ck.error(path, message, "short names keep the formulas readable: i, h, o")
    if name in RESERVED_NAMES:
        message = f"the layer name '{name}' is reserved: {RESERVED_NAMES[name]}"
        raise ck.error(path, message, "choose another name, such as i, h or o")
    return name


def _layer_index(ck: Checker, path: str, name: str, layers, section: str) -> int | None:
    """The index of the layer that ``weights.<name>`` or ``biases.<name>`` is for."""
    if layers is None:
        return None
    names = [layer.name for layer in layers]
    if name not in names:
        raise ck.unknown(path, name, names[1:], "layer", key=True)
    if names.index(name) == 0:
        what = "incoming weights" if section == "weights" else "bias"
        hint = f"{section} are given for the layers after the input layer: {', '.join(names[1:])}"
        raise ck.error(path, f"layer '{name}' is the input layer: it has no {what}", hint, key=True)
    return names.index(name)


# -- parameters -------------------------------------------------------------------------


def check_weights(ck: Checker, path: str, value: Any, ctx: Context) -> dict[str, tuple]:
    table = ck.mapping(path, value, "a mapping from layer name to weight matrix")
    result, found = {}, Collector()
    for name, matrix in table.items():
        result[name] = found.attempt(_layer_weights, ck, join_path(path, name), name, matrix, ctx.layers)
    found.done()
    return result


def _layer_weights(ck: Checker, path: str, name: str, matrix: Any, layers) -> tuple:
    index = _layer_index(ck, path, name, layers, "weights")
    return _matrix(ck, path, matrix, (layers[index], layers[index - 1]) if index else None)


def _matrix(ck: Checker, path: str, value: Any, pair: tuple[Layer, Layer] | None) -> tuple:
    """One row per neuron of ``layer``, one column per neuron of ``prev``."""
    layer, prev = pair or (None, None)
    rows = f"one per neuron of layer '{layer.name}'" if layer else "one per neuron"
    if not isinstance(value, list) or not value:
        hint = "write one row per neuron, e.g. [[0.15, 0.20], [0.25, 0.30]]"
        raise ck.expected(path, f"a matrix: a list of rows ({rows})", value, hint)
    if layer and len(value) != layer.size:
        raise ck.error(path, f"expected {plural(layer.size, 'row')} ({rows}), found {len(value):,}")
    per = f"one per neuron of layer '{prev.name}'" if prev else ""
    result, found = [], Collector()  # every row is checked
    for index, row in enumerate(value):
        sub = join_path(path, index)
        if not isinstance(row, list):
            columns = f" of {plural(prev.size, 'number')}" if prev else ""
            found.add(ck.expected(sub, f"a row{columns} ({per or 'a list of numbers'})", row))
            continue
        result.append(found.attempt(ck.numbers, sub, row, prev.size if prev else None, per))
    found.done()
    return tuple(result)


def check_biases(ck: Checker, path: str, value: Any, ctx: Context) -> dict[str, tuple]:
    table = ck.mapping(path, value, "a mapping from layer name to bias")
    result, found = {}, Collector()
    for name, item in table.items():
        result[name] = found.attempt(_layer_bias, ck, join_path(path, name), name, item, ctx.layers)
    found.done()
    return result


def _layer_bias(ck: Checker, path: str, name: str, item: Any, layers) -> tuple[float, ...]:
    index = _layer_index(ck, path, name, layers, "biases")
    if index is None:
        return ck.numbers(path, item) if isinstance(item, list) else (ck.number(path, item),)
    return _bias(ck, path, item, layers[index])


def _bias(ck: Checker, path: str, value: Any, layer: Layer) -> tuple[float, ...]:
    name = layer.name
    if layer.bias == "none":
        hint = f"remove {path}, or set bias: shared or per_neuron on layer '{name}'"
        raise ck.error(path, f"layer '{name}' has bias: none, so it takes no bias", hint, key=True)
    if layer.bias == "shared":
        if isinstance(value, list):
            hint = f"write {path}: 0.35, or set bias: per_neuron on layer '{name}'"
            raise ck.expected(path, f"a single number (layer '{name}' has one shared bias)", value, hint)
        return (ck.number(path, value),)
    if not isinstance(value, list):
        hint = f"write a list like [0.35, 0.35], or set bias: shared on layer '{name}'"
        count = plural(layer.size, "number")
        raise ck.expected(path, f"a list of {count} (layer '{name}' has one bias per neuron)", value, hint)
    return ck.numbers(path, value, layer.size, f"one per neuron of layer '{name}'")


def check_init(ck: Checker, path: str, value: Any, ctx: Context) -> Init:
    handlers = {
        "method": lambda p, v: ck.choice(p, v, INIT_METHODS, "init method"),
        "seed": lambda p, v: ck.integer(p, v, 0),
        "low": lambda p, v: ck.number(p, v, _INIT_BOUND),
        "high": lambda p, v: ck.number(p, v, _INIT_BOUND),
    }
    got = ck.fields(path, value, handlers, ("method", "seed"), "a mapping {method: ..., seed: ...}")
    method = got["method"]
    for key in ("low", "high"):
        if key in got and method != "uniform":
            message = f"{key} only applies to method uniform, not {method}"
            raise ck.error(join_path(path, key), message, "remove it, or use method: uniform", key=True)
    low, high = got.get("low", -0.5), got.get("high", 0.5)
    if not low < high:
        where = join_path(path, "high" if "high" in got else "low")
        raise ck.error(where, f"expected low < high, found low {low:g} and high {high:g}")
    return Init(method, got["seed"], low, high)


# -- training ---------------------------------------------------------------------------


def check_loss(ck: Checker, path: str, value: Any, ctx: Context) -> str:
    loss = ck.choice(path, value, LOSS_NAMES, "loss")
    output = ctx.layers[-1] if ctx.layers else None
    if output is None:
        return loss
    name, activation = output.name, output.activation
    if loss == "cross_entropy" and activation != "softmax":
        message = "cross_entropy expects probabilities that sum to 1"
        fix = f"use activation softmax on output layer '{name}'"
        raise ck.error(path, f"{message}: {fix}", "or, with sigmoid outputs, use binary_cross_entropy")
    if loss == "binary_cross_entropy" and activation != "sigmoid":
        message = "binary_cross_entropy expects outputs between 0 and 1"
        fix = f"use activation sigmoid on output layer '{name}'"
        hint = "with softmax outputs use cross_entropy" if activation == "softmax" else None
        raise ck.error(path, f"{message}: {fix}", hint)
    return loss


def check_data(ck: Checker, path: str, value: Any, ctx: Context) -> tuple[Sample, ...]:
    items = ck.sequence(path, value, "a list of samples {inputs: [...], targets: [...]}")
    if not items:
        raise ck.error(path, "expected at least one sample, found an empty list", REQUIRED["data"])
    ends = (ctx.layers[0], ctx.layers[-1]) if ctx.layers else (None, None)
    found = Collector()  # every sample is checked
    samples = tuple(found.attempt(_sample, ck, join_path(path, i), item, ends, ctx.loss)
                    for i, item in enumerate(items))
    found.done()
    return samples


def _sample(ck: Checker, path: str, value: Any, ends, loss: str | None) -> Sample:
    def vector(layer: Layer | None, role: str):
        per = f"one per neuron of {role} layer '{layer.name}'" if layer else ""
        return lambda p, v: ck.numbers(p, v, layer.size if layer else None, per)

    handlers = {"inputs": vector(ends[0], "input"), "targets": vector(ends[1], "output")}
    what = "a sample {inputs: [...], targets: [...]}"
    got = ck.fields(path, value, handlers, ("inputs", "targets"), what)
    if loss in _PROBABILITY_LOSSES:
        _check_probabilities(ck, join_path(path, "targets"), got["targets"], loss)
    return Sample(got["inputs"], got["targets"])


def sums_to_one(targets) -> bool:
    """Whether targets add up to 1 as written, or up to the float noise of computing them (1/3 + 2/3).

    The output δ of softmax with cross-entropy is out − target only then: a sum off by even 1e-7
    would change δ in the digits a worked line shows, while float noise (n × 1e-15) stays below them.
    """
    total = sum((Decimal(repr(float(t))) for t in targets), Decimal(0))
    return abs(total - 1) <= Decimal(len(targets)) * Decimal("1e-15")


def _check_probabilities(ck: Checker, path: str, targets: tuple[float, ...], loss: str) -> None:
    found = Collector()
    for index, target in enumerate(targets):
        if not 0 <= target <= 1:
            sub = join_path(path, index)
            message = f"{loss} needs targets from 0 to 1, found {ck.shown(sub, target)}"
            found.add(ck.error(sub, message, "with this loss a target is a probability"))
    found.done()
    total = sum((Decimal(repr(float(t))) for t in targets), Decimal(0))
    if loss == "cross_entropy" and not sums_to_one(targets):
        message = "cross_entropy needs targets that add up to exactly 1 (one probability per class)"
        raise ck.error(
            path, f"{message}, found a sum of {total}",
            "use one-hot targets such as [0, 1, 0], or make the last one 1 minus the others (0.333, 0.333, 0.334)"
        )


def check_optimizer(ck: Checker, path: str, value: Any, ctx: Context) -> Optimizer:
    if isinstance(value, str):
        return Optimizer(ck.choice(path, value, OPTIMIZERS, "optimizer"))
    handlers = {
        "name": lambda p, v: ck.choice(p, v, OPTIMIZERS, "optimizer"),
        "momentum": lambda p, v: ck.number(p, v, FRACTION),
        "beta1": lambda p, v: ck.number(p, v, FRACTION),
        "beta2": lambda p, v: ck.number(p, v, FRACTION),
        "epsilon": lambda p, v: ck.number(p, v, POSITIVE),
    }
    if not isinstance(value, dict):
        what = f"an optimizer name ({', '.join(OPTIMIZERS)}) or a mapping {{name: ...}}"
        raise ck.expected(path, what, value)
    got = ck.fields(path, value, handlers, ("name",))
    name, found = got["name"], Collector()
    for key in got:
        if key != "name" and key not in _OPTIMIZER_SETTINGS[name]:
            owner = "momentum" if key == "momentum" else "adam"
            message = f"{key} is a setting of optimizer {owner}, not of {name}"
            found.add(ck.error(join_path(path, key), message, f"remove it, or use name: {owner}", key=True))
    found.done()
    return Optimizer(**got)


# -- the rest ---------------------------------------------------------------------------


def _simple(read):
    """A section that is a single value read by ``read(ck, path, value)``."""
    return lambda ck, path, value, ctx: read(ck, path, value)


def _batch_size(ck: Checker, path: str, value: Any, ctx: Context) -> int:
    size = ck.integer(path, value, 1)
    if ctx.samples is not None and size > len(ctx.samples):
        found = f"found {size:,} but data has {plural(len(ctx.samples), 'sample')}"
        raise ck.error(path, f"expected a batch size of at most the number of samples: {found}")
    return size


def _shuffle(ck: Checker, path: str, value: Any, ctx: Context) -> int:
    handlers = {"seed": lambda p, v: ck.integer(p, v, 0)}
    return ck.fields(path, value, handlers, ("seed",), "a mapping {seed: ...}")["seed"]


def _name(ck: Checker, path: str, value: Any) -> str:
    text = ck.plain_text(path, value, "a name")
    if not text.strip():
        raise ck.error(path, "expected a name, found an empty string")
    return text


SECTIONS = {
    "name": _simple(_name),
    "description": _simple(lambda ck, p, v: ck.plain_text(p, v, "a description", lines=True)),
    "notation": check_notation,
    "layers": check_layers,
    "weights": check_weights,
    "biases": check_biases,
    "init": check_init,
    "train_biases": _simple(Checker.boolean),
    "loss": check_loss,
    "learning_rate": _simple(lambda ck, p, v: ck.number(p, v, POSITIVE)),
    "optimizer": check_optimizer,
    "data": check_data,
    "batch_size": _batch_size,
    "shuffle": _shuffle,
    "iterations": _simple(lambda ck, p, v: ck.integer(p, v, 1, MAX_ITERATIONS, _ITERATIONS_HINT)),
    "hidden_deltas_use": _simple(lambda ck, p, v: ck.choice(p, v, HIDDEN_DELTAS, "hidden_deltas_use")),
    "claims": check_claims,
}
