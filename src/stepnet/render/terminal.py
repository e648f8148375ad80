"""The terminal: rich tables where the tutorials list values, chain-rule lines where they derive.

Renderers only read: every number comes from the trace through a report or derivation,
and is only formatted here.  User text (names, titles) enters rich as Text, never markup.
In ASCII mode every piece of text goes through :func:`~stepnet.derive.unicode.to_ascii`.
"""

from __future__ import annotations

import math

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from ..derive.derivation import Block, Derivation, Formatter, Line
from ..derive.expr import Expr
from ..derive.matrix_expr import MatrixAsciiPrinter, MatrixUnicodePrinter
from ..derive.printer import Printer
from ..derive.report_model import IterationReport, MatrixBlock, MatrixLine, Phrase, Report, Section, Table
from ..derive.unicode import to_ascii
from .matrix_text import Glyphs, MatrixEquation

INDENT = "    "


class Equation:
    """``lhs = a = b = value`` on one line, or broken before each ``=`` when it doesn't fit."""

    def __init__(self, parts: list[str], value: str | None) -> None:
        self.parts, self.value = parts, value

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lhs, rest = self.parts[0], self.parts[1:] + ([self.value] if self.value is not None else [])
        if len(" = ".join([lhs, *rest])) <= options.max_width or len(rest) < 2:
            rows = [[lhs, *rest]]
        else:
            rows = [[lhs, rest[0]]] + [[r] for r in rest[1:]]
        for n, pieces in enumerate(rows):
            text = Text("" if n == 0 else INDENT + "= ")
            for k, piece in enumerate(pieces):
                if k:
                    text.append(" = ")
                is_value = self.value is not None and n == len(rows) - 1 and k == len(pieces) - 1
                text.append(piece, style="bold" if is_value else "")
            yield text


class TerminalRenderer:
    def __init__(self, fmt: Formatter | None = None, ascii_only: bool = False) -> None:
        self.fmt = fmt or Formatter()
        # the scalar printers, able to print the matrix view's nodes too
        self.printer: Printer = (MatrixAsciiPrinter if ascii_only else MatrixUnicodePrinter)(self.fmt)
        self.ascii_only = ascii_only

    # ------------------------------------------------------------ pieces

    def text(self, s: str, style: str = "") -> Text:
        return Text(to_ascii(s) if self.ascii_only else s, style=style)

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

    def line(self, ln: Line) -> RenderableType:
        parts = [self.expr(ln.lhs)] + [self.expr(f) for f in ln.forms]
        if ln.numeric is not None:
            parts.append(self.expr(ln.numeric))
        value = self.number(ln.value) if ln.value is not None else None
        extra = []
        if ln.shown_result is not None:
            extra.append(f"† the rounded numbers shown give {ln.shown_result.replace('-', self.printer.minus)}; "
                         "the value is computed at full precision")
        if ln.note:
            extra.append(self.note(ln.note))
        eq = Equation(parts, value)
        if not extra:
            return eq
        return Group(eq, *(self.text(INDENT + e, "dim") for e in extra))

    def matrix_line(self, eq: MatrixLine) -> RenderableType:
        """A layer's equation: symbols on one line, then the matrices drawn over several."""
        printer = self.printer
        head = " = ".join(printer.doprint(e) for e in [eq.lhs, *eq.forms])
        steps = eq.steps + ([eq.value] if eq.value is not None else [])
        extra = [self.note(link) for link in eq.links] + ([self.note(eq.note)] if eq.note else [])
        equation = MatrixEquation(head, steps, printer, Glyphs(self.ascii_only), INDENT)
        return Group(equation, *(self.text(INDENT + e, "dim") for e in extra))

    def cell(self, c) -> Text:
        if isinstance(c, Expr):
            return Text(self.expr(c))
        if isinstance(c, float):
            return Text(self.number(c))
        return self.text(str(c))

    def table(self, t: Table, title: bool = True) -> RenderableType:
        rt = RichTable(box=box.ASCII if self.ascii_only else box.HEAVY_HEAD, show_header=any(t.columns))
        for i, col in enumerate(t.columns):
            numeric = any(isinstance(r[i], float) for r in t.rows if i < len(r))
            rt.add_column(self.text(col), justify="right" if numeric else "left")
        for row in t.rows:
            rt.add_row(*(self.cell(c) for c in row))
        items: list[RenderableType] = [self.text(t.title, "bold")] if title and t.title else []
        items.append(rt)
        if t.omitted:
            items.append(self.text(t.omitted, "dim italic"))
        return Group(*items)

    def block(self, b: Block) -> RenderableType:
        items: list[RenderableType] = [self.text(b.title, "bold")] if b.title else []
        items += [self.text(t) for t in b.text]
        items += [self.line(ln) for ln in b.lines]
        if isinstance(b, MatrixBlock):
            items += [self.matrix_line(eq) for eq in b.equations]
        if b.omitted:
            items.append(self.text(b.omitted, "dim italic"))
        return Group(*items, Text(""))

    def rule(self, title: str, heavy: bool = False) -> Rule:
        chars = ("=" if heavy else "-") if self.ascii_only else ("═" if heavy else "─")
        align = "center" if heavy else "left"
        return Rule(self.text(title, "bold" if heavy else ""), align=align, characters=chars)

    def section(self, s: Section) -> RenderableType:
        items: list[RenderableType] = [self.rule(s.title)]
        items += [self.block(b) for b in s.blocks]
        items += [Group(self.table(t), Text("")) for t in s.tables]
        items += [self.text(t) for t in s.text]
        if s.text:
            items.append(Text(""))
        return Group(*items)

    # ------------------------------------------------------------ wholes

    def iteration(self, r: IterationReport) -> RenderableType:
        return Group(self.rule(self.phrase(r.heading), heavy=True), *(self.section(s) for s in r.sections))

    def report(self, rep: Report) -> list[RenderableType]:
        out: list[RenderableType] = [self.text(rep.title, "bold underline")]
        if rep.description:
            out.append(self.text(rep.description))
        out.append(self.table(rep.setup, title=False))
        out += [self.text(n, "italic") for n in rep.notes]
        out.append(Text(""))
        out += [self.iteration(it) for it in rep.iterations]
        if rep.history is not None:
            out.append(self.rule("The whole run", heavy=True))
            out.append(self.table(rep.history))
            out.append(self.chart(rep.losses))
        out.append(self.table(rep.final))
        out.append(self.text(f"Final loss (all data, after the last update): {self.number(rep.final_loss)}", "bold"))
        if rep.history is not None:
            out.append(self.table(rep.changes))
        if rep.stopped:
            out.append(self.text(rep.stopped, "bold red"))
        return out

    def chart(self, points: list[tuple[int, float]], height: int = 8) -> RenderableType:
        """A small text chart of the loss: one column per point, scaled between min and max."""
        points = [(k, v) for k, v in points if math.isfinite(v)]  # a diverged run ends in inf/nan
        if len(points) < 2:
            return Text("")
        values = [v for _, v in points]
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        levels = [round((v - lo) / span * (height - 1)) for v in values]
        mark, bar, corner, dash = ("*", "|", "+", "-") if self.ascii_only else ("●", "│", "└", "─")
        rows = []
        for h in range(height - 1, -1, -1):
            label = self.number(lo + span * h / (height - 1)) if h in (0, height - 1) else ""
            rows.append(f"{label:>14} {bar}" + "".join(mark if lv == h else " " for lv in levels).rstrip())
        axis = " " * 15 + corner + dash * len(levels)
        foot = " " * 16 + f"iteration {points[0][0]} … {points[-1][0]}"
        return Group(self.text("Loss by iteration", "bold"), self.text("\n".join(rows + [axis, foot])), Text(""))

    def derivation(self, d: Derivation) -> list[RenderableType]:
        out: list[RenderableType] = [self.text(d.title, "bold underline")]
        out += [self.block(b) for b in d.blocks]
        out += [self.text(n, "italic") for n in d.notes]
        return out
