"""The sections of one worked iteration: forward pass, error, backward pass, updates.

Each layer's blocks and tables carry the layer's name, so a renderer can place a table
beside the derivation it sums up without reading titles.
"""

from __future__ import annotations

from ..engine.trace import IterationTrace
from .deriver import Deriver
from .limits import Limits, omitted, params_hint, pick, pick_params
from .report_model import Cell, Phrase, ReportBlock, Section, Table


def heading(it: IterationTrace) -> Phrase:
    """The iteration's heading: its number, its batch when there is one, and the loss it starts from."""
    head = f"Iteration {it.iteration}"
    if len(it.samples) > 1:
        shown = ", ".join(str(i) for i in it.samples[:8]) + (", …" if len(it.samples) > 8 else "")
        head += f": batch of {len(it.samples)} samples (data[{shown}])"
    return (head + ", loss before the update ", it.loss)


def _titled(it: IterationTrace, s: int, title: str) -> str:
    """A block's title, naming the sample when the batch has more than one."""
    if it.batch_size == 1:
        return title
    return f"{title}, sample {s + 1} of the batch (data[{it.samples[s]}])"


def _columns(it: IterationTrace, values: list[str]) -> list[str]:
    return ["neuron"] + (["sample"] if it.batch_size > 1 else []) + values


def _row(it: IterationTrace, neuron: str, s: int, values: list[float]) -> list[Cell]:
    """One table row: a neuron (and, in a batch, the sample) and its values."""
    head: list[Cell] = [neuron] + ([str(s + 1)] if it.batch_size > 1 else [])
    return head + [float(v) for v in values]


def forward(d: Deriver, cfg, samples, limits: Limits) -> Section:
    sec = Section("Forward pass")
    for li in range(1, len(cfg.layers)):
        layer = cfg.layers[li]
        neuron_names = [d.names.neuron_name(li, j) for j in range(layer.size)]
        chosen, hidden = pick(layer.size, limits.neurons, neuron_names, limits.only)
        for s in samples:
            block = ReportBlock(_titled(d.it, s, f"Layer {layer.name} ({layer.activation})"), layer=layer.name)
            for j in chosen:
                block.lines += [d.net_line(li, j, s), d.out_line(li, j, s)]
            if hidden:
                block.omitted = omitted(hidden, "neurons", layer.name, "--only " + ",".join(neuron_names[-2:]))
            sec.blocks.append(block)
        lt = d.it.layer(li)
        rows = [_row(d.it, neuron_names[j], s, [lt.net[s, j], lt.out[s, j]]) for j in chosen for s in samples]
        sec.tables.append(Table(f"Layer {layer.name}", _columns(d.it, ["net", "out"]), rows,
                                omitted(hidden, "neurons", layer.name, "") if hidden else "", layer=layer.name))
    return sec


def errors(d: Deriver, samples) -> Section:
    sec = Section("Error")
    for s in samples:
        sec.blocks.append(ReportBlock(_titled(d.it, s, "Error of every output and the total"), d.error_lines(s)))
    if d.it.batch_size > 1:
        sec.text.append(f"Loss of the batch (the mean over its {d.it.batch_size} samples): {d.fmt(d.it.loss)}")
    return sec


def backward(d: Deriver, cfg, samples, limits: Limits) -> Section:
    sec = Section("Backward pass")
    for li in range(len(cfg.layers) - 1, 0, -1):
        layer = cfg.layers[li]
        neuron_names = [d.names.neuron_name(li, j) for j in range(layer.size)]
        chosen, hidden = pick(layer.size, limits.neurons, neuron_names, limits.only)
        lt = d.it.layer(li)
        for s in samples:
            block = ReportBlock(_titled(d.it, s, f"Layer {layer.name}: δ of every neuron"), layer=layer.name)
            for j in chosen:
                block.lines += d.neuron_backward_lines(li, j, s)
            if hidden:
                block.omitted = omitted(hidden, "neurons", layer.name, "--only " + ",".join(neuron_names[-2:]))
            sec.blocks.append(block)
        rows = [_row(d.it, neuron_names[j], s, [lt.dE_dout[s, j], lt.dout_dnet[s, j], lt.delta[s, j]])
                for j in chosen for s in samples]
        sec.tables.append(Table(f"Layer {layer.name}", _columns(d.it, ["∂E/∂out", "∂out/∂net", "δ"]), rows,
                                layer=layer.name))
        sec.blocks.append(_gradients(d, li, samples, limits))
    return sec


def _gradients(d: Deriver, li: int, samples, limits: Limits) -> ReportBlock:
    """The gradient of every parameter of layer ``li`` shown in full, each sample's and the batch's."""
    name = d.names.config.layers[li].name
    params = d.names.layer_params(li)
    chosen, hidden = pick_params(d.names, params, limits.params, limits.only)
    block = ReportBlock(f"Layer {name}: gradient of every parameter", layer=name)
    for pi in chosen:
        p = params[pi]
        for s in samples:
            block.lines += d.gradient_lines(p, s)
        mean = d.batch_gradient_line(p)
        if mean is not None:
            block.lines.append(mean)
    if hidden:
        block.omitted = omitted(hidden, "parameters", name, params_hint(params, chosen))
    return block


def updates(d: Deriver, cfg, limits: Limits) -> Section:
    sec = Section("Updates")
    rows = []
    block = ReportBlock("New value of every parameter")
    hidden = 0
    for li in range(1, len(cfg.layers)):
        params = d.names.layer_params(li)
        chosen, left = pick_params(d.names, params, limits.params, limits.only)
        hidden += left
        for pi in chosen:
            p = params[pi]
            block.lines += d.update_lines(p)
            old, new = d.param(p).value, d.param(p, updated=True).value
            rows.append([d.names.param(p), old, d.gradient_value(p), new - old, new])
    if hidden:
        block.omitted = (f"{hidden} more parameters are updated the same way "
                         "(shown with --only NAME, all in --format json).")
    sec.blocks.append(block)
    sec.tables.append(Table("Updates", ["parameter", "value", "gradient", "step", "new value"], rows, block.omitted))
    if d.it.loss_after is not None:
        sec.text.append(f"E_total after the update{' (same batch)' if d.it.batch_size > 1 else ''}: "
                        f"{d.fmt(d.it.loss_after)} (before: {d.fmt(d.it.loss)})")
    return sec
