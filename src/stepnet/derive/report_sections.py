"""The sections of one worked iteration: forward pass, error, backward pass, updates.

Each layer's blocks and tables carry the layer's name, so a renderer can place a table
beside the derivation it sums up without reading titles.  What a wide layer shows is one
:class:`~stepnet.derive.limits.Cut`, read by every section, so a line never uses a value
the report does not show.
"""

from __future__ import annotations

from ..engine.rounding import carry_text
from ..engine.trace import IterationTrace
from .derivation import mark_carried
from .deriver import Deriver
from .limits import Cut, omitted
from .report_model import Cell, Phrase, ReportBlock, Section, Table
from .unicode import UnicodePrinter

_LISTED = 8  # a batch phrase names at most this many samples


def batch_phrase(samples, total: int) -> str:
    """Which samples an update used, in words: ``sample data[1]``, ``samples data[0]–data[3], data[7]``.

    ``all 4 samples`` for a batch of the whole data set (in any order); "" when the data
    is a single sample, which needs no saying.  Runs of three or more consecutive samples
    are written as a range; past eight items, the rest are counted.
    """
    samples = [int(s) for s in samples]
    if total == 1 and len(samples) == 1:
        return ""
    if len(samples) == 1:
        return f"sample data[{samples[0]}]"
    if len(samples) == total and sorted(samples) == list(range(total)):
        return f"all {total} samples"
    runs: list[list[int]] = []
    for s in samples:
        if runs and s == runs[-1][-1] + 1:
            runs[-1].append(s)
        else:
            runs.append([s])
    items = []
    for run in runs:
        if len(run) >= 3:
            items.append(f"data[{run[0]}]–data[{run[-1]}]")
        else:
            items += [f"data[{s}]" for s in run]
    if len(items) > _LISTED:
        items = items[:_LISTED] + [f"… ({len(samples)} samples in all)"]
    return "samples " + ", ".join(items)


def heading(it: IterationTrace, total: int | None = None) -> Phrase:
    """The iteration's heading: its number, the samples of its batch, and the loss it starts from."""
    phrase = batch_phrase(it.samples, len(it.samples) if total is None else total)
    head = f"Iteration {it.iteration}" + (f" ({phrase})" if phrase else "")
    return (head + ", loss before the update ", it.loss)


def cut_deriver(d: Deriver, cut: Cut) -> Deriver:
    """``d`` with every phase writing its sums over the neurons ``cut`` shows."""
    for phase in (d.forward, d.errors, d.backward, d.gradients):
        phase.cut = cut
    return d


def once_per_section(sec: Section, carry: int | None = None) -> Section:
    """Each explanatory note on its first line of the section only: the lines after it share it.

    In hand mode (``carry``) every line also says that its value is computed from the carried numbers.
    """
    seen: set = set()
    for block in sec.blocks:
        mark_carried(block.lines, carry)
        for ln in [*block.lines, *getattr(block, "equations", [])]:
            if not ln.note:
                continue
            key = _note_key(ln.note)
            if key in seen:
                ln.note = ""
            seen.add(key)
    return sec


def _note_key(note) -> tuple:
    """A note as comparable text: its words, and its formulas as printed."""
    pieces = (note,) if isinstance(note, str) else note
    printer = UnicodePrinter()

    def text(p) -> object:
        if isinstance(p, (str, float, int)):
            return p
        try:
            return printer.doprint(p)
        except TypeError:  # a piece no plain printer reads: never taken for another
            return id(p)

    return tuple(text(p) for p in pieces)


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


def _neurons_left_out(cut: Cut, li: int, hint: bool = True) -> str:
    hidden = cut.hidden(li)
    if not hidden:
        return ""
    layer = cut.names.config.layers[li].name
    return omitted(hidden, "neurons", layer, cut.neuron_hint(li) if hint else "")


def forward(d: Deriver, cfg, samples, cut: Cut) -> Section:
    sec = Section("Forward pass")
    for li in range(1, len(cfg.layers)):
        layer = cfg.layers[li]
        chosen = cut.neurons(li)
        for s in samples:
            block = ReportBlock(_titled(d.it, s, f"Layer {layer.name} ({layer.activation})"), layer=layer.name)
            for j in chosen:
                block.lines += [d.net_line(li, j, s), d.out_line(li, j, s)]
            block.omitted = _neurons_left_out(cut, li)
            sec.blocks.append(block)
        lt = d.it.layer(li)
        rows = [_row(d.it, d.names.neuron_name(li, j), s, [lt.net[s, j], lt.out[s, j]])
                for j in chosen for s in samples]
        sec.tables.append(Table(f"Layer {layer.name}", _columns(d.it, ["net", "out"]), rows,
                                _neurons_left_out(cut, li, hint=False), layer=layer.name))
    return once_per_section(sec, d.it.carry)


def errors(d: Deriver, samples, cut: Cut | None = None) -> Section:
    sec = Section("Error")
    top = len(d.config.layers) - 1
    for s in samples:
        block = ReportBlock(_titled(d.it, s, "Error of every output and the total"), d.error_lines(s))
        if cut is not None and cut.hidden(top):
            block.omitted = omitted(cut.hidden(top), "outputs", d.config.layers[top].name, cut.neuron_hint(top))
        sec.blocks.append(block)
    if d.it.batch_size > 1:
        sec.text.append(f"Loss of the batch (the mean over its {d.it.batch_size} samples): {d.fmt(d.it.loss)}")
    return once_per_section(sec, d.it.carry)


def backward(d: Deriver, cfg, samples, cut: Cut) -> Section:
    sec = Section("Backward pass")
    for li in range(len(cfg.layers) - 1, 0, -1):
        layer = cfg.layers[li]
        chosen = cut.neurons(li)
        lt = d.it.layer(li)
        for s in samples:
            block = ReportBlock(_titled(d.it, s, f"Layer {layer.name}: δ of every neuron"), layer=layer.name)
            for j in chosen:
                block.lines += d.neuron_backward_lines(li, j, s)
            block.omitted = _neurons_left_out(cut, li)
            sec.blocks.append(block)
        rows = [_row(d.it, d.names.neuron_name(li, j), s, [lt.dE_dout[s, j], lt.dout_dnet[s, j], lt.delta[s, j]])
                for j in chosen for s in samples]
        sec.tables.append(Table(f"Layer {layer.name}", _columns(d.it, ["∂E/∂out", "∂out/∂net", "δ"]), rows,
                                _neurons_left_out(cut, li, hint=False), layer=layer.name))
        sec.blocks.append(_gradients(d, li, samples, cut))
    return once_per_section(sec, d.it.carry)


def _gradients(d: Deriver, li: int, samples, cut: Cut) -> ReportBlock:
    """The gradient of every parameter of layer ``li`` shown, each sample's and the batch's."""
    name = d.names.config.layers[li].name
    block = ReportBlock(f"Layer {name}: gradient of every parameter", layer=name)
    for p in cut.params(li):
        for s in samples:
            block.lines += d.gradient_lines(p, s)
        mean = d.batch_gradient_line(p)
        if mean is not None:
            block.lines.append(mean)
    hidden = cut.hidden_params(li)
    if hidden:
        block.omitted = omitted(hidden, "parameters", name, cut.params_hint(li))
    return block


def updates(d: Deriver, cfg, cut: Cut) -> Section:
    sec = Section("Updates")
    rows = []
    block = ReportBlock("New value of every parameter")
    hidden, hints = 0, []
    for li in range(1, len(cfg.layers)):
        for p in cut.params(li):
            block.lines += d.update_lines(p)
            old, new = d.param(p).value, d.param(p, updated=True).value
            rows.append([d.names.param(p), old, d.gradient_value(p), d.updates.step_value(p), new])
        if cut.hidden_params(li):
            hidden += cut.hidden_params(li)
            hints.append(cut.params_hint(li).removeprefix("--params "))
    if hidden:
        block.omitted = (f"{hidden} more parameters are updated the same way: name them to see them "
                         f"(--params {','.join(hints)}); all are in --format json")
    sec.blocks.append(block)
    note, step = block.omitted, _step_note(d)
    if step:
        note = f"{note.rstrip('.')}. {step}" if note else step
    sec.tables.append(Table("Updates", ["parameter", "value", "gradient", "step", "new value"], rows, note))
    if d.it.loss_after is not None:
        sec.text.append(f"E_total after the update{' (same batch)' if d.it.batch_size > 1 else ''}: "
                        f"{d.fmt(d.it.loss_after)} (before: {d.fmt(d.it.loss)})")
    return once_per_section(sec, d.it.carry)


_STEPS = {"sgd": "−η·∂E/∂w", "momentum": "the velocity v⁺ = μ·v − η·∂E/∂w", "adam": "−η·m̂/(√(v̂) + ε)"}


def _step_note(d: Deriver) -> str:
    """In hand mode, what the step column holds: the optimizer's step rounded, not new value − value."""
    if d.it.carry is None:
        return ""
    return (f"The step is {_STEPS[d.config.optimizer.name]} rounded to {carry_text(d.it.carry)}, "
            "so in hand mode it need not equal new value − value.")
