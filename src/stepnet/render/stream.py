"""The terminal report printed as the run goes: the set-up, each traced iteration as soon as
it is computed, then the summary.

The pieces are the ones :meth:`TerminalRenderer.report` prints for a whole report, in the
same order, so a run that completes prints the same bytes either way.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.console import Console

from ..derive.derivation import Formatter
from ..derive.limits import Limits
from ..derive.names import Names
from ..derive.report import build_report, iteration_report
from ..derive.report_model import Report
from ..derive.respell import respell_table, respell_text
from ..derive.run_summary import run_notes, setup_table, untraced, untraced_text
from .terminal import TerminalRenderer

if TYPE_CHECKING:
    from ..engine.trace import IterationTrace, RunTrace


class TextStream:
    """The terminal report of a run, printed in three parts as the run produces them.

    ``chosen`` are the iterations the run traces: each streamed iteration says, as the whole
    report does, which iterations after it up to the next traced one are not shown.
    """

    def __init__(self, console: Console, names: Names, fmt: Formatter, ascii_only: bool = False,
                 limits: Limits | None = None, view: str = "scalar", chosen: list[int] | None = None) -> None:
        self.console = console
        self.renderer = TerminalRenderer(fmt, ascii_only=ascii_only)
        self.names, self.fmt, self.limits, self.view = names, fmt, limits or Limits(), view
        self.chosen = sorted(chosen or [])
        self.planned = 0

    def head(self, cfg, planned: int, carry) -> None:
        """The title, the set-up and the notes, as a run of ``planned`` iterations that completes shows them."""
        self.planned = planned
        planned_run = _Planned(cfg, planned, carry)
        notes = run_notes(planned_run)
        if self.chosen and self.chosen[0] > 1:
            notes.append(untraced_text(1, self.chosen[0] - 1))
        head = Report(title=cfg.name, description=cfg.description, setup=setup_table(cfg, planned_run), notes=notes,
                      iterations=[], history=None, losses=[], final=None, final_loss=math.nan, changes=None)
        if not self.names.spelling.plain:
            respell_table(head.setup, self.names)
            head.notes = [respell_text(n, self.names) for n in head.notes]
        self._print(self.renderer.head(head))

    def iteration(self, it: IterationTrace) -> None:
        report = iteration_report(it, self.names, self.fmt, self.limits, self.view)
        later = bisect.bisect_right(self.chosen, it.iteration)
        following = self.chosen[later] if later < len(self.chosen) else self.planned + 1
        last = report.sections[-1].text if report.sections else []
        before = len(last)
        untraced(_Planned(self.names.config, self.planned, None, done=following - 1), [report])
        if not self.names.spelling.plain:
            last[before:] = [respell_text(t, self.names) for t in last[before:]]
        self._print(self.renderer.iteration(report))

    def tail(self, run: RunTrace) -> None:
        """The whole run's loss history, final values and changes, and why it stopped, if it did."""
        rep = build_report(replace(run, iterations=[]), self.names, self.fmt, self.limits, self.view)
        self._print(self.renderer.tail(rep))

    def _print(self, item) -> None:
        """``console.print(item, crop=False)`` as the whole report is printed; without colour, the
        laid-out lines are written directly, which is what rich would write, only faster."""
        console = self.console
        if console.color_system is not None or not hasattr(item, "lines"):
            console.print(item, crop=False)
            return
        lines = [line if isinstance(line, str) else "".join(text for text, _ in line)
                 for line in item.lines(console.width)]
        try:
            console.file.write("".join(line + "\n" for line in lines))
        except BrokenPipeError:
            console.on_broken_pipe()


class _Planned:
    """What the set-up and the notes read of a run, before it runs: all ``planned`` iterations done."""

    def __init__(self, config, planned: int, carry, done: int | None = None) -> None:
        self.config, self.planned, self.carry = config, planned, carry
        self.done = planned if done is None else done
