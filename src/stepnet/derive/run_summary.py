"""The parts of a report about the whole run: set-up, notes, loss history, results, why it stopped."""

from __future__ import annotations

import numpy as np

from ..engine.rounding import carry_text
from ..engine.trace import RunTrace
from .limits import Cut
from .names import Names
from .report_model import Cell, IterationReport, Table


def setup_table(cfg, run: RunTrace) -> Table:
    layers = " → ".join(_layer_text(layer) for layer in cfg.layers)
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


def _layer_text(layer) -> str:
    """A layer as the set-up lists it: ``h (2, sigmoid, bias shared)``."""
    activation = f", {layer.activation}" if layer.activation else ""
    bias = f", bias {layer.bias}" if layer.activation and layer.bias != "none" else ""
    return f"{layer.name} ({layer.size}{activation}{bias})"


def run_notes(run: RunTrace) -> list[str]:
    cfg = run.config
    notes = []
    if run.carry is not None:
        notes.append(f"Hand mode: every intermediate value is rounded to {carry_text(run.carry)} "
                     "(half away from zero) before it is used again, as with a calculator.")
        notes.extend(getattr(run, "warnings", ()))  # known after the run only: a streamed report's head has none
    if cfg.hidden_deltas_use == "updated_weights":
        notes.append("Variant, not the standard algorithm: each layer's δ is sent back through weights "
                     "already updated in the same iteration (hidden_deltas_use: updated_weights).")
    if cfg.effective_batch_size > 1:
        notes.append("The loss and the gradient of an iteration are the mean over the samples of its batch.")
    if run.done > 1:
        notes.append("The loss of iteration k is the forward pass before its update (k − 1 updates done); "
                     "the final loss is measured after the last update.")
    return notes


def stop_reason(run: RunTrace, names: Names) -> str:
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


def _history_rows(n: int, rows: int = 12) -> list[int]:
    if n <= rows:
        return list(range(1, n + 1))
    picks = set(np.unique(np.geomspace(1, n, rows - 1).round().astype(int)).tolist())
    picks.add(n)
    return sorted(picks)


def history_table(run: RunTrace) -> Table:
    picks = _history_rows(run.done)
    rows = [[str(k), float(run.losses[k - 1])] for k in picks]
    rows.append(["final (after the last update, all data)", run.final_loss])
    return Table("Loss history", ["iteration", "loss"], rows, history_rule(len(picks), run.done))


def history_rule(rows: int, done: int) -> str:
    """How the loss history chose its rows, said under the table."""
    if rows == done:
        return ""
    return (f"{rows} of the {done:,} iterations: spaced evenly on a log scale from the first to the last, "
            "so the early ones are closer together; every loss is in --format json")


def untraced(run: RunTrace, its: list[IterationReport]) -> list[str]:
    """Say where iterations are not shown in full: after each traced one, and before the first.

    A gap after a traced iteration goes at the end of its last section, where the reader
    meets it; the iterations before the first traced one are returned as a note.
    """
    traced = [it.iteration for it in its]
    gaps = [(a + 1, b - 1) for a, b in zip([0, *traced], [*traced, run.done + 1], strict=True) if b - a > 1]
    notes = []
    for first, last in gaps:
        text = untraced_text(first, last)
        before = [k for k, n in enumerate(traced) if n < first]
        if before and its[before[-1]].sections:
            its[before[-1]].sections[-1].text.append(text)
        else:
            notes.append(text)
    return notes


def untraced_text(first: int, last: int) -> str:
    """``Iterations 2–4,999 are not shown in full; --trace picks the iterations shown.``"""
    which = f"Iteration {first:,} is" if first == last else f"Iterations {first:,}–{last:,} are"
    return f"{which} not shown in full; --trace picks the iterations shown."


def chart_points(run: RunTrace, points: int = 60) -> list[tuple[int, float]]:
    n = run.done
    if n == 0:
        return []
    idx = sorted(set(np.linspace(1, n, min(points, n)).round().astype(int).tolist()))
    return [(k, float(run.losses[k - 1])) for k in idx]


def final_table(run: RunTrace, names: Names) -> Table:
    cfg = run.config
    top = len(cfg.layers) - 1
    rows = []
    for s, sample in enumerate(cfg.data[:16]):
        for j, target in enumerate(sample.targets):
            rows.append([f"data[{s}]", names.out(top, j), float(run.final_outputs[s, j]), float(target)])
    omitted = f"{len(cfg.data) - 16} more samples in --format json" if len(cfg.data) > 16 else ""
    return Table("Outputs after training", ["sample", "output", "out", "target"], rows, omitted)


def changes_table(run: RunTrace, names: Names, cut: Cut) -> Table:
    """The initial and final value of every parameter the report shows (the cut's, layer by layer)."""
    (w0, b0), (w1, b1) = run.initial, run.final_params
    rows = []
    for li in range(1, len(names.layers)):
        for p in cut.params(li):
            a, b = p.read(w0[p.layer - 1], b0[p.layer - 1]), p.read(w1[p.layer - 1], b1[p.layer - 1])
            rows.append([names.param(p), a, b, b - a])
    hidden = len(names.params) - len(rows)
    return Table("Change of every parameter over the run", ["parameter", "initial", "final", "change"], rows,
                 f"{hidden} more parameters in --format json" if hidden else "")
