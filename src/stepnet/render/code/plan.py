"""What a generated script needs to know of a run, gathered once for both script writers.

A script is checked against the numbers stepnet computed, so this module also decides
which runs can be written out at all: a run that diverged, was interrupted or was done
in hand mode has no numbers a script could honestly reproduce, and a very long run or a
very large network would make a script nobody reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...derive.names import Names
from ...errors import UsageError

MAX_ITERATIONS = 10_000  # every iteration's loss is embedded in the script
MAX_PARAMETERS = 10_000  # every starting value and two iterations' gradients are embedded


@dataclass(frozen=True)
class LayerPlan:
    """One non-input layer, as the scripts name and compute it."""

    index: int  # position in config.layers (1: the first after the input)
    name: str
    size: int
    below: str  # the layer below's name
    below_size: int
    activation: str
    slope: float
    bias: str  # per_neuron | shared | none
    weight_names: list[list[str]]  # laid out as W: one row per neuron, one column per neuron below
    bias_names: list[str]  # laid out as b: one per neuron, one shared, or none

    @property
    def W(self) -> str:
        return f"W_{self.name}"

    @property
    def b(self) -> str | None:
        return f"b_{self.name}" if self.bias != "none" else None

    @property
    def keys(self) -> list[str]:
        return [self.W] + ([self.b] if self.b else [])

    @property
    def net(self) -> str:
        return f"net_{self.name}"

    @property
    def out(self) -> str:
        return f"out_{self.name}"


@dataclass(frozen=True)
class Plan:
    """A run, ready to be written out."""

    config: object  # NetworkConfig
    names: Names
    layers: list[LayerPlan]
    start: dict[str, list]  # parameter key -> its values before the first update (nested lists)
    inputs: list[list[float]]
    targets: list[list[float]]
    iterations: int
    losses: list[float]
    gradients: dict[int, dict[str, float]]  # iteration -> parameter name -> dE_total/d(name)
    final_loss: float
    orders: list[list[int]]  # the shuffled order of every epoch the run used ([] without shuffling)

    @property
    def fused(self) -> bool:
        """The output δ is out − target: softmax with cross-entropy, sigmoid with binary cross-entropy."""
        return self.config.loss in ("cross_entropy", "binary_cross_entropy")

    @property
    def full_batch(self) -> bool:
        """Every iteration uses the whole data set in file order, as stepnet then does."""
        return self.config.effective_batch_size >= len(self.inputs) and self.config.shuffle_seed is None

    @property
    def trained(self) -> list[str]:
        """The parameter keys the optimizer updates (the biases only if train_biases)."""
        keys = []
        for layer in self.layers:
            keys.append(layer.W)
            if layer.b and self.config.train_biases:
                keys.append(layer.b)
        return keys

    @property
    def updated_first(self) -> bool:
        return self.config.hidden_deltas_use == "updated_weights"


def plan_of(run) -> Plan:
    """The plan of a run (the engine's Run record, or the API's Run around one), or a UsageError."""
    run = getattr(run, "trace", run)
    _refuse_unwritable(run)
    config = run.config
    names = Names(config)
    layers = [_layer_plan(config, names, li) for li in range(1, len(config.layers))]
    weights, biases = run.initial
    start = {}
    for layer, W, b in zip(layers, weights, biases, strict=True):
        start[layer.W] = W.tolist()
        if layer.b:
            start[layer.b] = b.tolist()
    traced = [run.iterations[0], run.iterations[-1]] if run.iterations else []
    return Plan(
        config=config, names=names, layers=layers, start=start,
        inputs=[[float(v) for v in s.inputs] for s in config.data],
        targets=[[float(v) for v in s.targets] for s in config.data],
        iterations=run.done,
        losses=[float(v) for v in run.losses],
        gradients={it.iteration: _gradients(it, layers) for it in traced},
        final_loss=float(run.final_loss),
        orders=_orders(config, run.done),
    )


def _refuse_unwritable(run) -> None:
    if run.carry is not None:
        raise UsageError(
            "hand mode (--carry) rounds every value as it goes; a script computes at full precision",
            hint="write the script without --carry",
        )
    if run.divergence is not None:
        raise UsageError(
            f"the run diverged at iteration {run.divergence.iteration}: there are no finite numbers "
            "for a script to check", hint="lower learning_rate, or write out fewer iterations")
    if not math.isfinite(run.final_loss):
        raise UsageError(f"the final loss is {run.final_loss}: a script could not check it against a number",
                         hint="lower learning_rate, or write out fewer iterations")
    if run.interrupted:
        raise UsageError("the run was interrupted: a script needs the whole run", hint="run it again to the end")
    if run.done > MAX_ITERATIONS:
        raise UsageError(
            f"the run has {run.done:,} iterations; a script checks every iteration's loss and is written "
            f"for at most {MAX_ITERATIONS:,}",
            hint=f"write out fewer iterations: --iterations {MAX_ITERATIONS}",
        )
    count = sum(w.size + b.size for w, b in zip(*run.initial, strict=True))
    if count > MAX_PARAMETERS:
        raise UsageError(
            f"the network has {count:,} parameters; a script lists every one and is written for at most "
            f"{MAX_PARAMETERS:,}",
            hint="write out a smaller network",
        )


def _layer_plan(config, names: Names, li: int) -> LayerPlan:
    spec, below = config.layers[li], config.layers[li - 1]
    weight_names = [[""] * below.size for _ in range(spec.size)]
    bias_names = [""] * spec.bias_count
    for p in names.layer_params(li):
        if p.kind == "weight":
            weight_names[p.to][p.source] = p.name
        else:
            bias_names[p.index[0]] = p.name
    return LayerPlan(li, spec.name, spec.size, below.name, below.size, spec.activation, float(spec.slope),
                     spec.bias, weight_names, bias_names)


def _gradients(it, layers: list[LayerPlan]) -> dict[str, float]:
    """Every dE_total/dw and dE_total/db of one traced iteration, by parameter name."""
    found = {}
    for layer in layers:
        lt = it.layer(layer.index)
        for row_names, row in zip(layer.weight_names, lt.gW.tolist(), strict=True):
            found.update(zip(row_names, row, strict=True))
        found.update(zip(layer.bias_names, lt.gb.tolist(), strict=True))
    return found


def _orders(config, iterations: int) -> list[list[int]]:
    """The order of the samples in each epoch, as stepnet's seeded shuffle gives it."""
    if config.shuffle_seed is None:
        return []
    from ...engine.training import batch_order, batches_per_epoch

    per_epoch = batches_per_epoch(config)
    order = batch_order(len(config.data), config.effective_batch_size, config.shuffle_seed)
    epochs = -(-iterations // per_epoch)
    return [[int(i) for _ in range(per_epoch) for i in next(order)] for _ in range(epochs)]
