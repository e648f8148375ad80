"""The whole worked run as sections of tables and derivation lines, for every renderer.

A :class:`Report` is what ``stepnet run`` prints and what the Markdown export writes:
the same sections, tables and :class:`~stepnet.derivation.Line` objects, so notation and
numbers are identical in every format.  Table cells are text, numbers (formatted by the
renderer) or expressions (printed in the renderer's notation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .derivation import Block, Deriver, Formatter, Line
from .expr import Expr
from .names import Names
from ..engine.trace import IterationTrace, Run

Cell = str | float | Expr


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    omitted: str = ""


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


@dataclass
class IterationReport:
    iteration: int
    samples: tuple[int, ...]
    loss: float
    loss_after: float | None
    sections: list[Section]


@dataclass
class Diagram:
    """What a drawing of the network needs: layers, and the drawn parameters with their values."""

    layers: list[tuple[str, int, str]]  # (name, size, bias mode); the input layer's mode is "none"
    shown: list[int]  # neurons drawn per layer (all, unless some layer is wider than WIDE)
    weights: dict[tuple[int, int, int], Expr]  # (layer, to, source) -> the weight's symbol with its value
    biases: dict[tuple[int, int], Expr]  # (layer, to) -> the bias symbol feeding that neuron
    summarised: list[str]  # names of the layers drawn in part


WIDE, SHOWN = 8, 3  # a layer wider than WIDE is drawn as its first SHOWN neurons and one "more" node


@dataclass
class Report:
    title: str
    description: str
    setup: Table
    notes: list[str]
    iterations: list[IterationReport]
    history: Table | None
    losses: list[tuple[int, float]]  # (iteration, loss) points for a chart
    final: Table
    final_loss: float
    changes: Table
    diagram: Diagram | None = None
    stopped: str = ""


@dataclass
class Limits:
    """How much of a wide layer a report shows in full."""

    neurons: int = 8
    params: int = 16
    samples: int = 4
    only: frozenset[str] = frozenset()  # names to show in full, whatever the limits


def build_report(run: Run, names: Names, fmt: Formatter | None = None, limits: Limits | None = None) -> Report:
    fmt = fmt or Formatter()
    limits = limits or Limits()
    cfg = run.config
    its = [_iteration(it, names, fmt, limits) for it in run.iterations]
    return Report(
        title=cfg.name,
        description=cfg.description,
        setup=setup_table(cfg, run),
        notes=run_notes(run),
        iterations=its,
        history=_history(run) if run.done > 1 else None,
        losses=_chart_points(run),
        final=_final_table(run, names),
        final_loss=run.final_loss,
        changes=_changes_table(run, names, limits),
        diagram=_diagram(run, names),
        stopped=stop_reason(run, names),
    )


def _diagram(run: Run, names: Names) -> Diagram:
    """The network as it starts the run: every weight drawn, or the first few of wide layers."""
    cfg = run.config
    layers = [(l.name, l.size, l.bias if l.activation else "none") for l in cfg.layers]
    wide = [name for name, size, _ in layers if size > WIDE]
    shown = [min(size, SHOWN) if wide else size for _, size, _ in layers]
    W, b = run.initial
    weights, biases = {}, {}
    for li in range(1, len(layers)):
        for j in range(shown[li]):
            for i in range(shown[li - 1]):
                weights[(li, j, i)] = names.param(names.weight(li, j, i)).with_value(W[li - 1][j, i])
            p = names.bias(li, j)
            if p is not None:
                biases[(li, j)] = names.param(p).with_value(p.read(W[li - 1], b[li - 1]))
    return Diagram(layers, shown, weights, biases, wide)


# ---------------------------------------------------------------- the set-up


def setup_table(cfg, run: Run) -> Table:
    layers = " → ".join(
        f"{l.name} ({l.size}{', ' + l.activation if l.activation else ''}{', bias ' + l.bias if l.activation and l.bias != 'none' else ''})"
        for l in cfg.layers
    )
    opt = cfg.optimizer
    opt_text = {"sgd": "sgd (plain gradient descent)",
                "momentum": f"momentum (μ = {opt.momentum})",
                "adam": f"adam (β₁ = {opt.beta1}, β₂ = {opt.beta2}, ε = {opt.epsilon})"}[opt.name]
    batch = cfg.effective_batch_size
    rows: list[list[Cell]] = [
        ["layers", layers],
        ["loss", cfg.loss],
        ["learning rate η", repr(cfg.learning_rate)],
        ["optimizer", opt_text],
        ["data", f"{len(cfg.data)} sample{'s' if len(cfg.data) != 1 else ''}, batch size {batch}"
                 + (f", shuffled (seed {cfg.shuffle_seed})" if cfg.shuffle_seed is not None else ", in file order")],
        ["biases", "trained" if cfg.train_biases else "not trained (train_biases: false)"],
        ["iterations", f"{run.done} of {run.planned}" if run.done != run.planned else str(run.planned)],
    ]
    if cfg.init is not None:
        extra = f", range [{cfg.init.low}, {cfg.init.high}]" if cfg.init.method == "uniform" else ""
        given = ", ".join(cfg.weights) or "none"
        rows.append(["initial weights", f"{cfg.init.method}, seed {cfg.init.seed}{extra} (given in the file: {given})"])
    return Table("Set-up", ["", ""], rows)


def run_notes(run: Run) -> list[str]:
    cfg = run.config
    notes = []
    if run.carry is not None:
        notes.append(f"Hand mode: every intermediate value is rounded to {run.carry} decimal places "
                     "(half away from zero) before it is used again, as with a calculator.")
    if cfg.hidden_deltas_use == "updated_weights":
        notes.append("Variant, not the standard algorithm: each layer's δ is sent back through weights "
                     "already updated in the same iteration (hidden_deltas_use: updated_weights).")
    if cfg.effective_batch_size > 1:
        notes.append("The loss and the gradient of an iteration are the mean over the samples of its batch.")
    if run.done > 1:
        notes.append("The loss of iteration k is the forward pass before its update (k − 1 updates done); "
                     "the final loss is measured after the last update.")
    return notes


def stop_reason(run: Run, names: Names) -> str:
    if run.interrupted:
        return f"Interrupted after {run.done} of {run.planned} iterations; the results so far are shown."
    d = run.divergence
    if d is None:
        return ""
    return divergence_message(d, names)


def divergence_message(d, names: Names) -> str:
    if d.kind == "weight":
        what = names.weight(d.layer, d.neuron, d.source).name
    elif d.kind == "bias":
        what = names.bias(d.layer, d.neuron).name
    elif d.kind == "loss":
        what = f"E_{names.neuron_name(d.layer, d.neuron)}"
    else:
        what = f"{d.kind}_{names.neuron_name(d.layer, d.neuron)}"
    sample = f" (sample {d.sample + 1} of the batch)" if d.sample is not None and d.kind != "weight" else ""
    return (f"Training diverged at iteration {d.iteration}: {what} became {d.value}{sample}. "
            "Try a smaller learning_rate.")


# ---------------------------------------------------------------- one iteration


def _iteration(it: IterationTrace, names: Names, fmt: Formatter, limits: Limits) -> IterationReport:
    d = Deriver(it, names, fmt)
    cfg = names.config
    samples = range(min(it.batch_size, limits.samples))
    sections = [
        _forward(d, cfg, samples, limits),
        _errors(d, samples),
        _backward(d, cfg, samples, limits),
        _updates(d, cfg, limits),
    ]
    if it.batch_size > len(samples):
        sections[0].text.append(
            f"Samples {len(samples) + 1} to {it.batch_size} of the batch are computed the same way; "
            "their values are in the JSON output (--format json).")
    return IterationReport(it.iteration, it.samples, it.loss, it.loss_after, sections)


def _titled(it: IterationTrace, s: int, title: str) -> str:
    """A block's title, naming the sample when the batch has more than one."""
    if it.batch_size == 1:
        return title
    return f"{title}, sample {s + 1} of the batch (data[{it.samples[s]}])"


def _pick(count: int, limit: int, names: list[str], only: frozenset[str]) -> tuple[list[int], int]:
    """Indices to show in full: the first `limit`, plus any asked for by name."""
    chosen = [i for i in range(count) if i < limit or names[i].lower() in only]
    return chosen, count - len(chosen)


def _named(names: Names, params, only: frozenset[str]) -> list[int]:
    """Indices in ``params`` of the parameters whose own name, in lower case, is in ``only``."""
    found = []
    for name in only:
        p = names.canonical(name) if name == name.lower() else None
        if p is not None and p in params:
            found.append(params.index(p))
    return found


def _pick_params(names: Names, params, limit: int, only: frozenset[str]) -> tuple[list[int], int]:
    """As :func:`_pick` for a layer's parameters, without making the ones not shown."""
    chosen = sorted(set(range(min(len(params), limit))).union(_named(names, params, only)))
    return chosen, len(params) - len(chosen)


def _forward(d: Deriver, cfg, samples, limits: Limits) -> Section:
    sec = Section("Forward pass")
    for li in range(1, len(cfg.layers)):
        layer = cfg.layers[li]
        neuron_names = [d.names.neuron_name(li, j) for j in range(layer.size)]
        chosen, hidden = _pick(layer.size, limits.neurons, neuron_names, limits.only)
        for s in samples:
            block = Block(_titled(d.it, s, f"Layer {layer.name} ({layer.activation})"))
            for j in chosen:
                block.lines += [d.net_line(li, j, s), d.out_line(li, j, s)]
            if hidden:
                block.omitted = _omitted(hidden, "neurons", layer.name, "--only " + ",".join(neuron_names[-2:]))
            sec.blocks.append(block)
        lt = d.it.layer(li)
        rows = [_row(d.it, neuron_names[j], s, [lt.net[s, j], lt.out[s, j]]) for j in chosen for s in samples]
        sec.tables.append(Table(f"Layer {layer.name}", _columns(d.it, ["net", "out"]), rows,
                                _omitted(hidden, "neurons", layer.name, "") if hidden else ""))
    return sec


def _columns(it: IterationTrace, values: list[str]) -> list[str]:
    return ["neuron"] + (["sample"] if it.batch_size > 1 else []) + values


def _row(it: IterationTrace, neuron: str, s: int, values: list[float]) -> list[Cell]:
    """One table row: a neuron (and, in a batch, the sample) and its values."""
    head: list[Cell] = [neuron] + ([str(s + 1)] if it.batch_size > 1 else [])
    return head + [float(v) for v in values]


def _errors(d: Deriver, samples) -> Section:
    sec = Section("Error")
    for s in samples:
        sec.blocks.append(Block(_titled(d.it, s, "Error of every output and the total"), d.error_lines(s)))
    if d.it.batch_size > 1:
        sec.text.append(f"Loss of the batch (the mean over its {d.it.batch_size} samples): {d.fmt(d.it.loss)}")
    return sec


def _backward(d: Deriver, cfg, samples, limits: Limits) -> Section:
    sec = Section("Backward pass")
    for li in range(len(cfg.layers) - 1, 0, -1):
        layer = cfg.layers[li]
        neuron_names = [d.names.neuron_name(li, j) for j in range(layer.size)]
        chosen, hidden = _pick(layer.size, limits.neurons, neuron_names, limits.only)
        lt = d.it.layer(li)
        for s in samples:
            block = Block(_titled(d.it, s, f"Layer {layer.name}: δ of every neuron"))
            for j in chosen:
                block.lines += d.neuron_backward_lines(li, j, s)
            if hidden:
                block.omitted = _omitted(hidden, "neurons", layer.name, "--only " + ",".join(neuron_names[-2:]))
            sec.blocks.append(block)
        rows = [_row(d.it, neuron_names[j], s, [lt.dE_dout[s, j], lt.dout_dnet[s, j], lt.delta[s, j]])
                for j in chosen for s in samples]
        sec.tables.append(Table(f"Layer {layer.name}", _columns(d.it, ["∂E/∂out", "∂out/∂net", "δ"]), rows))
        params = d.names.layer_params(li)
        pchosen, phidden = _pick_params(d.names, params, limits.params, limits.only)
        block = Block(f"Layer {layer.name}: gradient of every parameter")
        for pi in pchosen:
            p = params[pi]
            for s in samples:
                block.lines += d.gradient_lines(p, s)
            mean = d.batch_gradient_line(p)
            if mean is not None:
                block.lines.append(mean)
        if phidden:
            block.omitted = _omitted(phidden, "parameters", layer.name, _params_hint(params, pchosen))
        sec.blocks.append(block)
    return sec


def _updates(d: Deriver, cfg, limits: Limits) -> Section:
    sec = Section("Updates")
    rows = []
    block = Block("New value of every parameter")
    omitted = 0
    for li in range(1, len(cfg.layers)):
        params = d.names.layer_params(li)
        pchosen, phidden = _pick_params(d.names, params, limits.params, limits.only)
        omitted += phidden
        for pi in pchosen:
            p = params[pi]
            block.lines += d.update_lines(p)
            old, new = d.param(p).value, d.param(p, updated=True).value
            rows.append([d.names.param(p), old, d.gradient_value(p), new - old, new])
    if omitted:
        block.omitted = f"{omitted} more parameters are updated the same way (shown with --only NAME, all in --format json)."
    sec.blocks.append(block)
    sec.tables.append(Table("Updates", ["parameter", "value", "gradient", "step", "new value"], rows, block.omitted))
    if d.it.loss_after is not None:
        sec.text.append(f"E_total after the update{' (same batch)' if d.it.batch_size > 1 else ''}: "
                        f"{d.fmt(d.it.loss_after)} (before: {d.fmt(d.it.loss)})")
    return sec


def _params_hint(params, chosen: list[int]) -> str:
    """How to see the hidden parameters: flat ranges (--params w17-w40,b3-b12), or names."""
    shown = set(chosen)
    hidden = [params[i].name for i in range(len(params)) if i not in shown]
    if not all(n[0] in "wb" and n[1:].isdigit() for n in hidden):  # indexed names
        return f"--only {hidden[-1]}"
    ranges = []
    for letter in "wb":
        numbers = [int(n[1:]) for n in hidden if n[0] == letter]
        if numbers:
            ranges.append(f"{letter}{numbers[0]}" + (f"-{letter}{numbers[-1]}" if len(numbers) > 1 else ""))
    return "--params " + ",".join(ranges)


def _omitted(count: int, what: str, layer: str, how: str) -> str:
    text = f"{count} more {what} of layer {layer} not shown"
    return text + (f": name them to see them ({how})" if how else "")


# ---------------------------------------------------------------- the whole run


def _history_rows(n: int, rows: int = 12) -> list[int]:
    if n <= rows:
        return list(range(1, n + 1))
    picks = set(np.unique(np.geomspace(1, n, rows - 1).round().astype(int)).tolist())
    picks.add(n)
    return sorted(picks)


def _history(run: Run) -> Table:
    rows = [[str(k), float(run.losses[k - 1])] for k in _history_rows(run.done)]
    rows.append(["final (after the last update, all data)", run.final_loss])
    return Table("Loss history", ["iteration", "loss"], rows)


def _chart_points(run: Run, points: int = 60) -> list[tuple[int, float]]:
    n = run.done
    if n == 0:
        return []
    idx = sorted(set(np.linspace(1, n, min(points, n)).round().astype(int).tolist()))
    return [(k, float(run.losses[k - 1])) for k in idx]


def _final_table(run: Run, names: Names) -> Table:
    cfg = run.config
    top = len(cfg.layers) - 1
    rows = []
    for s, sample in enumerate(cfg.data[:16]):
        for j, target in enumerate(sample.targets):
            rows.append([f"data[{s}]", names.out(top, j), float(run.final_outputs[s, j]), float(target)])
    omitted = f"{len(cfg.data) - 16} more samples in --format json" if len(cfg.data) > 16 else ""
    return Table("Outputs after training", ["sample", "output", "out", "target"], rows, omitted)


def _changes_table(run: Run, names: Names, limits: Limits) -> Table:
    (w0, b0), (w1, b1) = run.initial, run.final_params
    rows = []
    # the first limits.params * 4 parameters, and any named in --only (without making the rest)
    chosen = sorted(set(range(min(len(names.params), limits.params * 4))).union(_named(names, names.params, limits.only)))
    for pos in chosen:
        p = names.params[pos]
        a, b = p.read(w0[p.layer - 1], b0[p.layer - 1]), p.read(w1[p.layer - 1], b1[p.layer - 1])
        rows.append([names.param(p), a, b, b - a])
    hidden = len(names.params) - len(rows)
    return Table("Change of every parameter over the run", ["parameter", "initial", "final", "change"], rows,
                 f"{hidden} more parameters in --format json" if hidden else "")


def iteration_lines(report: IterationReport) -> list[Line]:
    return [ln for sec in report.sections for b in sec.blocks for ln in b.lines]
