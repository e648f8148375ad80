"""The whole worked run as sections of tables and derivation lines, for every renderer.

A :class:`~stepnet.derive.report_model.Report` is what ``stepnet run`` prints and what the
Markdown export writes: the same sections, tables and
:class:`~stepnet.derive.derivation.Line` objects, so notation and numbers are identical
in every format.
"""

from __future__ import annotations

from ..engine.trace import IterationTrace, RunTrace
from ..formats import VIEWS
from .derivation import Formatter, Line
from .deriver import Deriver
from .diagram import build_diagram
from .limits import Cut, Limits, resolve
from .matrix_report import matrix_sections
from .names import Names
from .report_model import IterationReport, Report
from .report_sections import backward, cut_deriver, errors, forward, heading, once_per_section, updates
from .respell import respell_section, respell_table, respell_text
from .run_summary import (
    changes_table,
    chart_points,
    final_table,
    history_table,
    run_notes,
    setup_table,
    stop_reason,
    untraced,
)


def build_report(run: RunTrace, names: Names, fmt: Formatter | None = None, limits: Limits | None = None,
                 view: str = "scalar") -> Report:
    """The report of a run: a line per neuron (``view="scalar"``) or a matrix equation per layer ("matrix")."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    fmt = fmt or Formatter()
    limits = resolve(names, limits or Limits())
    cfg = run.config
    its = [_iteration(it, names, fmt, limits, view) for it in run.iterations]
    notes = run_notes(run) + untraced(run, its)
    report = Report(
        title=cfg.name,
        description=cfg.description,
        setup=setup_table(cfg, run),
        notes=notes,
        iterations=its,
        history=history_table(run) if run.done > 1 else None,
        losses=chart_points(run),
        final=final_table(run, names),
        final_loss=run.final_loss,
        changes=changes_table(run, names, Cut(names, limits)),
        diagram=build_diagram(run, names, Cut(names, limits)),
        stopped=stop_reason(run, names),
    )
    if not names.spelling.plain:
        _respell(report, names)
    return report


def _respell(report: Report, names: Names) -> None:
    """Every word of the report written in the tutorial's notation, put in the run's."""
    for table in (report.setup, report.final, report.changes, report.history):
        if table is not None:
            respell_table(table, names)
    report.notes = [respell_text(n, names) for n in report.notes]
    report.stopped = respell_text(report.stopped, names)
    for it in report.iterations:
        for sec in it.sections:
            respell_section(sec, names)


def _iteration(it: IterationTrace, names: Names, fmt: Formatter, limits: Limits, view: str) -> IterationReport:
    limits = resolve(names, limits)
    cut = Cut(names, limits)
    d = cut_deriver(Deriver(it, names, fmt), cut)
    cfg = names.config
    samples = range(min(it.batch_size, limits.samples))
    if view == "matrix":
        sections = matrix_sections(d, cfg, samples, limits)
        return IterationReport(it.iteration, it.samples, it.loss, it.loss_after, heading(it, len(cfg.data)),
                               [once_per_section(sec) for sec in sections])
    sections = [
        forward(d, cfg, samples, cut),
        errors(d, samples, cut),
        backward(d, cfg, samples, cut),
        updates(d, cfg, cut),
    ]
    if it.batch_size > len(samples):
        sections[0].text.append(
            f"Samples {len(samples) + 1} to {it.batch_size} of the batch are computed the same way; "
            "their values are in the JSON output (--format json).")
    return IterationReport(it.iteration, it.samples, it.loss, it.loss_after, heading(it, len(cfg.data)), sections)


def iteration_report(it: IterationTrace, names: Names, fmt: Formatter | None = None, limits: Limits | None = None,
                     view: str = "scalar") -> IterationReport:
    """One traced iteration's sections, in the run's notation: what a report streamed as the run goes prints."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    report = _iteration(it, names, fmt or Formatter(), limits or Limits(), view)
    if not names.spelling.plain:
        for sec in report.sections:
            respell_section(sec, names)
    return report


def iteration_lines(report: IterationReport) -> list[Line]:
    return [ln for sec in report.sections for b in sec.blocks for ln in b.lines]
