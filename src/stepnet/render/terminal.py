"""The terminal: tables where the tutorials list values, chain-rule lines where they derive.

Renderers only read: every number comes from the trace through a report or derivation,
and is only formatted here.  In ASCII mode every piece of text goes through
:func:`~stepnet.derive.unicode.to_ascii`.

Everything is laid out by :mod:`.term_layout` and :mod:`.table_text` at the console's
width when it is printed, so no number is ever cut: prose wraps between words, a chain
breaks before an operator, a table folds or splits its columns.  Each layer's tables come
right after that layer's blocks, as in the Markdown.

A whole report is :meth:`TerminalRenderer.report`: ``[head(report), iteration(it) for each
iteration, tail(report)]``, one renderable each, so printing the head, then each iteration
as it is computed, then the tail, prints exactly the same bytes.
"""

from __future__ import annotations

import math

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from ..derive.derivation import Block, Derivation, Formatter, Line
from ..derive.expr import Expr
from ..derive.matrix_expr import MatrixAsciiPrinter, MatrixUnicodePrinter
from ..derive.printer import Printer
from ..derive.report_model import IterationReport, MatrixBlock, MatrixLine, Phrase, Report, Section, Table
from ..derive.unicode import to_ascii
from .matrix_text import Glyphs, MatrixEquation
from .table_text import TextTable
from .term_layout import (
    Layout,
    Lines,
    Out,
    break_expression,
    lines_of,
    rule_lines,
    styled_slices,
    text_layout,
    width_of,
)

INDENT = "    "
BLANK = lines_of([""])


class Equation:
    """``lhs = a = b = value`` on one line, or broken before each ``=`` when it doesn't fit;
    a row still too long breaks before an operator, its continuation indented further."""

    def __init__(self, parts: list[str], value: str | None) -> None:
        self.parts, self.value = parts, value

    def lines(self, width: int) -> list[Out]:
        lhs, rest = self.parts[0], self.parts[1:] + ([self.value] if self.value is not None else [])
        whole = " = ".join([lhs, *rest])
        if width_of(whole) <= width:  # the common case, quickly
            if self.value is None:
                return [whole]
            return [[(whole[: len(whole) - len(self.value)], ""), (self.value, "bold")]]
        rows = [[lhs, *rest]] if len(rest) < 2 else [[lhs, rest[0]]] + [[r] for r in rest[1:]]
        out: list[Out] = []
        for n, pieces in enumerate(rows):
            text = ("" if n == 0 else INDENT + "= ") + " = ".join(pieces)
            last = self.value is not None and n == len(rows) - 1
            bold_from = len(text) - len(pieces[-1]) if last else None
            out += styled_slices(text, break_expression(text, width, INDENT * 2), INDENT * 2, bold_from)
        return out

    __call__ = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield Text(line) if isinstance(line, str) else Text.assemble(*line)


class _Shown:
    """The run's Formatter, remembering what it gave: a number is shown many times over."""

    def __init__(self, fmt: Formatter) -> None:
        self.fmt, self.cache = fmt, {}

    def __call__(self, x: float) -> str:
        if not x:  # 0.0 and −0.0 are equal keys, and may not be shown alike
            return self.fmt(x)
        text = self.cache.get(x)
        if text is None:
            text = self.cache[x] = self.fmt(x)
        return text


WARNING_START = "Hand mode, iteration "  # how each of hand mode's warnings (RunTrace.warnings) begins


def is_run_warning(note: str) -> bool:
    """Whether a report note is one of hand mode's warnings, which are known only once the run is done."""
    return note.startswith(WARNING_START)


class TerminalRenderer:
    """Reads a report (or a derivation) and gives renderables for a rich Console.

    Every public method returns a :class:`~.term_layout.Lines` (a rich renderable, laid
    out at the console's width) unless it says otherwise.
    """

    def __init__(self, fmt: Formatter | None = None, ascii_only: bool = False) -> None:
        self.fmt = fmt or Formatter()
        # the scalar printers, able to print the matrix view's nodes too
        self.shown = _Shown(self.fmt)
        self.printer: Printer = (MatrixAsciiPrinter if ascii_only else MatrixUnicodePrinter)(self.shown)
        self.ascii_only = ascii_only

    # ------------------------------------------------------------ pieces

    def text(self, s: str, style: str = "") -> Text:
        """A rich Text (for callers printing text of their own); the report's text is :meth:`prose`."""
        return Text(to_ascii(s) if self.ascii_only else s, style=style)

    def prose(self, s: str, style: str = "") -> Lines:
        return Lines([text_layout(to_ascii(s) if self.ascii_only else s, style)])

    def number(self, x: float) -> str:
        return self.printer._number(float(x))

    def expr(self, e: Expr) -> str:
        return self.printer.doprint(e)

    def phrase(self, parts: Phrase) -> str:
        return "".join(p if isinstance(p, str) else self.number(p) for p in parts)

    def note(self, note) -> str:
        if isinstance(note, str):
            return note
        return "".join(p if isinstance(p, str) else self.expr(p) for p in note)

    def _notes(self, notes: list[str]) -> list[Layout]:
        return [text_layout(to_ascii(INDENT + e) if self.ascii_only else INDENT + e, "dim") for e in notes]

    def line(self, ln: Line) -> Layout:
        parts = [self.expr(ln.lhs)] + [self.expr(f) for f in ln.forms]
        if ln.numeric is not None:
            parts.append(self.expr(ln.numeric))
        value = self.number(ln.value) if ln.value is not None else None
        extra = []
        if ln.shown_result is not None:
            extra.append(ln.rounded_note(self.printer.minus))
        if ln.note:
            extra.append(self.note(ln.note))
        eq = Equation(parts, value)
        return Lines([eq, *self._notes(extra)]) if extra else eq

    def matrix_line(self, eq: MatrixLine) -> Lines:
        """A layer's equation: symbols on one line, then the matrices drawn over several."""
        printer = self.printer
        head = " = ".join(printer.doprint(e) for e in [eq.lhs, *eq.forms])
        steps = eq.steps + ([eq.value] if eq.value is not None else [])
        extra = [self.note(link) for link in eq.links] + ([self.note(eq.note)] if eq.note else [])
        equation = MatrixEquation(head, steps, printer, Glyphs(self.ascii_only), INDENT)
        return Lines([equation.lines, *self._notes(extra)])

    def cell(self, c) -> str:
        if isinstance(c, Expr):
            return self.expr(c)
        if isinstance(c, float):
            return self.number(c)
        return to_ascii(str(c)) if self.ascii_only else str(c)

    def table(self, t: Table, title: bool = True) -> Lines:
        """A table under its title (bold), then what it leaves out; too wide, it folds or splits."""
        right = [any(isinstance(r[i], float) for r in t.rows if i < len(r)) for i in range(len(t.columns))]
        columns = [to_ascii(c) if self.ascii_only else c for c in t.columns]
        rows = [[self.cell(c) for c in row] for row in t.rows]
        heading = (to_ascii(t.title) if self.ascii_only else t.title) if title else ""
        drawn = TextTable(columns, rows, right, self.ascii_only, title=heading, title_style="bold")
        items: list[Layout] = [drawn.lines]
        if t.omitted:
            items.append(self.prose(t.omitted, "dim italic"))
        return Lines(items)

    def block(self, b: Block) -> Lines:
        items: list[Layout] = [self.prose(b.title, "bold")] if b.title else []
        items += [self.prose(t) for t in b.text]
        items += [self.line(ln) for ln in b.lines]
        if isinstance(b, MatrixBlock):
            items += [self.matrix_line(eq) for eq in b.equations]
        if b.omitted:
            items.append(self.prose(b.omitted, "dim italic"))
        return Lines([*items, BLANK])

    def rule(self, title: str, heavy: bool = False) -> Lines:
        """A heading across the width: centred between heavy lines, or at the left of a light one."""
        char = ("=" if heavy else "-") if self.ascii_only else ("═" if heavy else "─")
        title = to_ascii(title) if self.ascii_only else title
        return Lines([lambda width: rule_lines(title, width, char, heavy, "bold" if heavy else "")])

    def section(self, s: Section) -> Lines:
        """The blocks in order, each layer's tables right after that layer's last block, then the text."""
        after = s.tables_after()
        items: list[Layout] = [self.rule(s.title)]
        for i in range(-1, len(s.blocks)):
            if i >= 0:
                items.append(self.block(s.blocks[i]))
            for t in after.get(i, []):
                items += [self.table(t), BLANK]
        items += [self.prose(t) for t in s.text]
        if s.text:
            items.append(BLANK)
        return Lines(items)

    # ------------------------------------------------------------ wholes

    def head(self, rep: Report) -> Lines:
        """What comes before the first iteration: the title, the description, the set-up, the notes.

        Reads only ``title``, ``description``, ``setup`` and ``notes`` of ``rep``; hand mode's
        warnings among the notes are left to :meth:`tail`, as a streamed report knows them only then.
        """
        items: list[Layout] = [self.prose(rep.title, "bold underline")]
        if rep.description:
            items.append(self.prose(rep.description))
        items.append(self.table(rep.setup, title=False))
        items += [self.prose(n, "italic") for n in rep.notes if not is_run_warning(n)]
        return Lines([*items, BLANK])

    def iteration(self, r: IterationReport) -> Lines:
        """One traced iteration: its heading, then its sections."""
        self.shown.cache.clear()  # an iteration's numbers recur in its own lines and tables, rarely later
        return Lines([self.rule(self.phrase(r.heading), heavy=True), *(self.section(s) for s in r.sections)])

    def tail(self, rep: Report) -> Lines:
        """What follows the last iteration: the loss history and chart, the final values, why it stopped.

        Reads only ``history``, ``losses``, ``final``, ``final_loss``, ``changes``, ``stopped`` and,
        of ``notes``, hand mode's warnings (:func:`is_run_warning`), which come last.
        """
        items: list[Layout] = []
        if rep.history is not None:
            items += [self.rule("The whole run", heavy=True), self.table(rep.history), self.chart(rep.losses)]
        items.append(self.table(rep.final))
        items.append(self.prose(f"Final loss (all data, after the last update): {self.number(rep.final_loss)}", "bold"))
        if rep.history is not None:
            items.append(self.table(rep.changes))
        if rep.stopped:
            items.append(self.prose(rep.stopped, "bold red"))
        items += [self.prose(n, "bold") for n in rep.notes if is_run_warning(n)]
        return Lines(items)

    def report(self, rep: Report) -> list[Lines]:
        """The whole report: ``head``, each iteration, ``tail``; print each in turn."""
        return [self.head(rep), *(self.iteration(it) for it in rep.iterations), self.tail(rep)]

    def chart(self, points: list[tuple[int, float]], height: int = 8) -> Lines:
        """A small text chart of the loss: one column per point (evenly picked when they outnumber
        the columns), scaled between the lowest and the highest loss."""
        points = [(k, v) for k, v in points if math.isfinite(v)]  # a diverged run ends in inf/nan
        if len(points) < 2:
            return Lines([BLANK])
        values = [v for _, v in points]
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        labels = {0: self.number(lo), height - 1: self.number(lo + span)}
        mark, bar, corner, dash = ("*", "|", "+", "-") if self.ascii_only else ("●", "│", "└", "─")
        foot = f"iteration {points[0][0]} … {points[-1][0]}"
        foot = to_ascii(foot) if self.ascii_only else foot

        def layout(width: int) -> list[Out]:
            margin = max([14] + [len(s) for s in labels.values()]) + 1
            room = max(width - margin - 1, 2)
            shown = values if len(values) <= room else [values[round(k * (len(values) - 1) / (room - 1))]
                                                        for k in range(room)]
            levels = [round((v - lo) / span * (height - 1)) for v in shown]
            rows = [f"{labels.get(h, ''):>{margin - 1}} {bar}" + "".join(mark if lv == h else " " for lv in levels)
                    .rstrip() for h in range(height - 1, -1, -1)]
            return [[("Loss by iteration", "bold")], *rows, " " * margin + corner + dash * len(levels),
                    " " * (margin + 1) + foot, ""]

        return Lines([layout])

    def derivation(self, d: Derivation) -> list[Lines]:
        items: list[Layout] = [self.prose(d.title, "bold underline")]
        items += [self.block(b) for b in d.blocks]
        items += [self.prose(n, "italic") for n in d.notes]
        return [Lines(items)]
