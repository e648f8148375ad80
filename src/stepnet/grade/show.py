"""What ``stepnet grade`` shows: a block per student (a table of the blanks), then the class summary.

It formats verdicts made elsewhere and computes none.  Everything a student wrote
enters rich as :class:`~rich.text.Text` with its control and bidirectional characters
escaped, never as markup, so ``[bold]`` in a name stays those seven characters.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..derive.unicode import to_ascii
from ..engine.rounding import format_number
from ..errors import printable
from .marking import BLANK, ECF, RIGHT, Mark
from .points import Score, points_text
from .sheet import Sheet
from .summary import ClassSummary

MAX_NAME = 80  # characters of a student's name shown
_VERDICTS = {RIGHT: ("✓", "green"), ECF: ("✓ ECF", "yellow"), BLANK: ("·", "dim")}
_WRONG = ("✗", "bold red")
_TENTH = Decimal("0.1")
_MINUS = re.compile(r"(?<![\w)\]>.-])-(?=[0-9.])")  # a minus sign before a number, not a hyphen or an arrow


class Style:
    """Unicode (U+2212 minus, ✓ ✗ ·) or plain ASCII."""

    def __init__(self, ascii_only: bool) -> None:
        self.ascii_only = ascii_only

    def text(self, s: str) -> str:
        return to_ascii(s) if self.ascii_only else _MINUS.sub("\u2212", s)

    def user(self, s: str | None, empty: str = "") -> Text:
        """A student's text, inert: escaped, and cut at MAX_NAME characters."""
        s = printable(s or empty)
        s = s if len(s) <= MAX_NAME else s[: MAX_NAME - 1] + "…"
        return Text(to_ascii(s) if self.ascii_only else s)


def student_block(sheet: Sheet, score: Score, style: Style) -> Group:
    """One student's heading and table."""
    head = Text.assemble(style.user(sheet.student, "(no name)"), ("  ", ""), style.user(sheet.path), "  ",
                         (f"{points_text(score.score)}/{points_text(score.total)}", "bold"))
    notes = []
    if sheet.variant is not None:
        notes.append(f"variant {sheet.variant}")
    if sheet.carry is not None:
        notes.append(f"hand mode, every intermediate rounded to {sheet.carry} decimals")
    if notes:
        head.append(Text("  (" + ", ".join(notes) + ")", style="italic"))
    return Group(head, marks_table(score, style))


def marks_table(score: Score, style: Style) -> Table:
    table = Table(box=box.ASCII2 if style.ascii_only else box.SIMPLE_HEAD, header_style="bold")
    for name, justify in (("#", "right"), ("blank", "left"), ("answer", "right"), ("verdict", "left"),
                          ("points", "right"), ("true value", "right"), ("likely cause", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for m, weight, earned in zip(score.marks, score.weights, score.earned, strict=True):
        table.add_row(str(m.number), Text(style.text(m.name)), _answer(m, style), _verdict(m, style),
                      f"{points_text(earned)}/{points_text(weight)}", _true(m, style), Text(style.text(m.detail or "")))
    return table


def _answer(m: Mark, style: Style) -> Text:
    return Text("" if m.text is None else style.text(m.text))


def _verdict(m: Mark, style: Style) -> Text:
    mark, colour = _VERDICTS.get(m.verdict, _WRONG)
    return Text(style.text(mark), style=colour)


def _true(m: Mark, style: Style) -> Text:
    if m.verdict in (RIGHT, BLANK):
        return Text("")
    return Text(style.text(format_number(m.true, max(9, m.places))))


def summary_block(summary: ClassSummary, style: Style) -> Group:
    """The class's average and the blanks most often wrong, with their causes."""
    average = f"{summary.average_percent.quantize(_TENTH, ROUND_HALF_UP)}%"
    if summary.average_score is not None:
        mean = points_text(summary.average_score.quantize(_TENTH, ROUND_HALF_UP))
        average = f"{mean}/{points_text(summary.total)} ({average})"
    lines = [Text(f"Class summary: {summary.students} students, average score {average}", style="bold")]
    if summary.missed:
        lines.append(Text("Most often wrong:"))
        lines += [Text(style.text("  " + t.line())) for t in summary.missed]
    else:
        lines.append(Text("No blank was wrong on any sheet."))
    return Group(*lines)


def unreadable_line(count: int, total: int) -> Text:
    return Text(f"{count} of {total} answers files could not be read (see the messages above); "
                "the others are graded.", style="bold")

