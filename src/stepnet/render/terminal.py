"""The terminal: rich tables where the tutorials list values, chain-rule lines where they derive.

Renderers only read: every number comes from the trace through a report or derivation,
and is only formatted here.  User text (names, titles) enters rich as Text, never markup.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from ..derivation import Block, Derivation, Formatter, Line
from ..expr import AsciiPrinter, Expr, Printer, UnicodePrinter
from ..report import IterationReport, Report, Section, Table


class TerminalRenderer:
    def __init__(self, fmt: Formatter | None = None, ascii_only: bool = False) -> None:
        self.fmt = fmt or Formatter()
        self.printer: Printer = (AsciiPrinter if ascii_only else UnicodePrinter)(self.fmt)
        self.ascii_only = ascii_only

    # ------------------------------------------------------------ pieces

    def number(self, x: float) -> str:
        return self.printer._number(float(x))

    def expr(self, e: Expr) -> str:
        return self.printer.doprint(e)

    def note(self, note) -> str:
        if isinstance(note, str):
            return note
        return "".join(p if isinstance(p, str) else self.expr(p) for p in note)

    def line(self, ln: Line) -> RenderableType:
        parts = [self.expr(ln.lhs)] + [self.expr(f) for f in ln.forms]
        if ln.numeric is not None:
            parts.append(self.expr(ln.numeric))
        text = Text(" = ".join(parts))
        if ln.value is not None:
            text.append(" = ")
            text.append(self.number(ln.value), style="bold")
        extra = []
        if ln.shown_result is not None:
            extra.append(f"† the rounded numbers shown give {ln.shown_result.replace('-', self.printer.minus)}; "
                         "the value is computed at full precision")
        if ln.note:
            extra.append(self.note(ln.note))
        if not extra:
            return text
        return Group(text, *(Padding(Text(e, style="dim"), (0, 0, 0, 4)) for e in extra))

    def cell(self, c) -> Text:
        if isinstance(c, Expr):
            return Text(self.expr(c))
        if isinstance(c, float):
            return Text(self.number(c))
        return Text(str(c))

    def table(self, t: Table) -> RenderableType:
        rt = RichTable(title=Text(t.title), title_justify="left", show_header=any(t.columns))
        for i, col in enumerate(t.columns):
            numeric = any(isinstance(r[i], float) for r in t.rows if i < len(r))
            rt.add_column(Text(col), justify="right" if numeric else "left")
        for row in t.rows:
            rt.add_row(*(self.cell(c) for c in row))
        if t.omitted:
            return Group(rt, Text(t.omitted, style="dim italic"))
        return rt

    def block(self, b: Block) -> RenderableType:
        items: list[RenderableType] = [Text(b.title, style="bold")] if b.title else []
        items += [Text(t) for t in b.text]
        items += [self.line(ln) for ln in b.lines]
        if b.omitted:
            items.append(Text(b.omitted, style="dim italic"))
        return Group(*items, Text(""))

    def section(self, s: Section) -> RenderableType:
        items: list[RenderableType] = [Rule(Text(s.title), align="left", characters="-" if self.ascii_only else "─")]
        for b in s.blocks:
            items.append(self.block(b))
        for t in s.tables:
            items.append(self.table(t))
        items += [Text(t) for t in s.text]
        items.append(Text(""))
        return Group(*items)

    # ------------------------------------------------------------ wholes

    def iteration(self, r: IterationReport) -> RenderableType:
        head = f"Iteration {r.iteration}"
        if len(r.samples) > 1:
            head += f": batch of {len(r.samples)} samples (data[{', '.join(str(i) for i in r.samples[:8])}{', …' if len(r.samples) > 8 else ''}])"
        head += f", loss before the update {self.number(r.loss)}"
        rule = Rule(Text(head, style="bold"), characters="=" if self.ascii_only else "═")
        return Group(rule, *(self.section(s) for s in r.sections))

    def report(self, rep: Report) -> list[RenderableType]:
        out: list[RenderableType] = [Text(rep.title, style="bold underline")]
        if rep.description:
            out.append(Text(rep.description))
        out.append(self.table(rep.setup))
        for n in rep.notes:
            out.append(Text(n, style="italic"))
        out.append(Text(""))
        for it in rep.iterations:
            out.append(self.iteration(it))
        if rep.history is not None:
            out.append(Rule(Text("The whole run"), characters="=" if self.ascii_only else "═"))
            out.append(self.table(rep.history))
            out.append(self.chart(rep.losses))
        out.append(self.table(rep.final))
        out.append(Text(f"Final loss (all data, after the last update): {self.number(rep.final_loss)}", style="bold"))
        if rep.history is not None:
            out.append(self.table(rep.changes))
        if rep.stopped:
            out.append(Text(rep.stopped, style="bold red"))
        return out

    def chart(self, points: list[tuple[int, float]], height: int = 8) -> RenderableType:
        """A small text chart of the loss: one column per point, scaled between min and max."""
        if len(points) < 2:
            return Text("")
        values = [v for _, v in points]
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        levels = [round((v - lo) / span * (height - 1)) for v in values]
        mark = "*" if self.ascii_only else "●"
        rows = []
        for h in range(height - 1, -1, -1):
            label = self.number(lo + span * h / (height - 1)) if h in (0, height - 1) else ""
            rows.append(f"{label:>14} │" .replace("│", "|" if self.ascii_only else "│")
                        + "".join(mark if lv == h else " " for lv in levels))
        axis = " " * 15 + ("+" if self.ascii_only else "└") + ("-" if self.ascii_only else "─") * len(levels)
        foot = " " * 16 + f"iteration {points[0][0]} … {points[-1][0]}"
        return Group(Text("Loss by iteration", style="bold"), Text("\n".join(rows + [axis, foot])), Text(""))

    def derivation(self, d: Derivation) -> list[RenderableType]:
        out: list[RenderableType] = [Text(d.title, style="bold underline")]
        for b in d.blocks:
            out.append(self.block(b))
        for n in d.notes:
            out.append(Text(n, style="italic"))
        return out
