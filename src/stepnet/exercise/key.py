"""The key of a worksheet: a table of the answers, then the worked iteration with every asked value marked.

The worked iteration is the report ``stepnet run`` writes for the exercise's config (in hand
mode with ``--carry``).  Each report renderer is extended here, not changed: its ``line`` is
wrapped so that a line deriving an asked quantity is marked with the blank's number, and the
answer table goes in front of the report.  A line is matched to its quantity by its name (read
back with the quantity parser) and, among the samples of a batch, by its value, which comes
from the same trace as the answer.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from ..derive.report_model import Table
from ..render.html import HtmlRenderer
from ..render.latex_doc import LatexDocument
from ..render.markdown import MarkdownRenderer
from . import sheet
from .variants import rounded

if TYPE_CHECKING:
    from ..derive.derivation import Line
    from .variants import Exercise

MINUS = "\u2212"


class Marks:
    """Which blank, if any, a derivation line works out."""

    def __init__(self, ex: Exercise) -> None:
        from ..derive.matrix_expr import MatrixAsciiPrinter

        self.names = ex.run.names
        self.ascii = MatrixAsciiPrinter(ex.run.fmt)
        self.asked: dict[tuple, list[tuple[int, str, float, int | None]]] = {}
        for k, q, _, key in sheet.blanks(ex):
            self.asked.setdefault(_identity(q), []).append((k, key, ex.value(q), q.sample))

    def of(self, ln: Line) -> tuple[int, str] | None:
        """The blank (number, answers key) ``ln`` derives, or None."""
        from ..derive.quantities import QuantityError
        from ..derive.quantity_parser import parse

        if ln.value is None:
            return None
        text = self.ascii.doprint(ln.lhs)
        sample = re.match(r"d?[A-Za-z]+\((\d+)\)", text)  # E(2)_o1: sample 2's E_o1
        if sample:
            text = text[:sample.end(1) - len(sample.group(1)) - 1] + text[sample.end():]
        try:
            q = parse(text, self.names)
        except (QuantityError, ValueError):
            return None
        for k, key, v, s in self.asked.get(_identity(q), []):
            if sample and s is not None and s != int(sample.group(1)) - 1:
                continue
            if math.isclose(v, ln.value, rel_tol=1e-12, abs_tol=1e-15):
                return k, key
        return None


def _identity(q) -> tuple:
    """A quantity without its sample: lines of a batch name the sample in their block, not their name."""
    return (q.kind, q.layer, q.index, q.other, q.param)


def answer_table(ex: Exercise) -> Table:
    """Every blank: its number, quantity, answers key, value as the report shows it, and rounded as asked."""
    rows = []
    for k, q, sym, key in sheet.blanks(ex):
        v = ex.value(q)
        which = sheet.sample_note(q, ex.run.traced(1).batch_size)
        rows.append([str(k), sym, key + (f" ({which})" if which else ""), v, _rounded(v, ex.decimals)])
    return Table("Answers", ["blank", "quantity", "answers key", "value", f"to {ex.decimals} decimals"], rows)


def _rounded(x: float, places: int) -> str:
    text = str(rounded(x, places))
    if text.startswith("-"):
        text = text[1:] if rounded(x, places) == 0 else MINUS + text[1:]
    return text


def key(ex: Exercise, form: str) -> str:
    """The key of ``ex`` in ``form``: markdown, html or latex."""
    return {"markdown": markdown, "html": html, "latex": latex}[form](ex)


def _intro(ex: Exercise) -> str:
    how = (f"hand mode, every intermediate rounded to {ex.carry} decimals" if ex.carry is not None
           else "full precision")
    return (f"The key of {sheet.answers_file(ex)[:-5].replace('answers', 'worksheet')}: each blank's value ({how}), "
            f"then the worked iteration, where each asked value is marked with its blank's number.")


# ---------------------------------------------------------------- Markdown


class _MarkedMarkdown(MarkdownRenderer):
    def __init__(self, ex: Exercise) -> None:
        super().__init__(ex.run.fmt)
        self.marks = Marks(ex)

    def line(self, ln: Line) -> list[str]:
        out = super().line(ln)
        mark = self.marks.of(ln)
        if mark:
            out.insert(0, f"**▶ Blank {mark[0]}** (`{mark[1]}`) = **{self.number(ln.value)}**")
        return out


def markdown(ex: Exercise) -> str:
    r = _MarkedMarkdown(ex)
    head = [r.heading(1, f"Key: {sheet.title(ex)}"), r.paragraph(_intro(ex))] + r.table(answer_table(ex))
    return "\n\n".join(head) + "\n\n" + r.report(ex.run.report())


# ---------------------------------------------------------------- HTML

_HTML_STYLE = ("<style>.asked{border-left:4px solid #d9a400;background:#fff8dc;padding-left:.5em}"
               ".asked .blank{font-weight:bold}</style>")


class _MarkedHtml(HtmlRenderer):
    def __init__(self, ex: Exercise) -> None:
        super().__init__(ex.run.fmt, ex.run.names.legend("unicode"))
        self.marks = Marks(ex)

    def line(self, ln: Line) -> str:
        from ..derive.mathml import escape

        out = super().line(ln)
        mark = self.marks.of(ln)
        if not mark:
            return out
        return (f'<div class="asked"><p class="blank">▶ Blank {mark[0]} ({escape(mark[1])}) = '
                f"<strong>{escape(self.number(ln.value))}</strong></p>\n{out}</div>")


def html(ex: Exercise) -> str:
    from ..derive.diagram_views import gradient_views
    from ..derive.mathml import escape

    r = _MarkedHtml(ex)
    report = ex.run.report()
    page = r.report(report, gradient_views(ex.run.trace, ex.run.names, report.diagram))
    table = (f'{_HTML_STYLE}<section id="answers"><h2>Answers</h2><p>{escape(_intro(ex))}</p>'
             f"{r.table(answer_table(ex), title=False)}</section>")
    return _insert_after(page, "</header>", "\n" + table)


# ---------------------------------------------------------------- LaTeX


class _MarkedLatex(LatexDocument):
    def __init__(self, ex: Exercise) -> None:
        super().__init__(ex.run.fmt, ex.run.names.legend("latex"))
        self.marks = Marks(ex)

    def line(self, ln: Line) -> str:
        out = super().line(ln)
        mark = self.marks.of(ln)
        if not mark:
            return out
        return (rf"\par\noindent\colorbox{{stepbiasfill}}{{\textbf{{$\blacktriangleright$ Blank {mark[0]}}} "
                rf"(\texttt{{{self.text(mark[1])}}}) $=$ \textbf{{{self.number(ln.value)}}}}}" + "\n" + out)


def latex(ex: Exercise) -> str:
    from ..derive.diagram_views import gradient_views

    r = _MarkedLatex(ex)
    report = ex.run.report()
    doc = r.report(report, gradient_views(ex.run.trace, ex.run.names, report.diagram), body_only=False)
    table = "\n".join([r"\section*{Answers}", r.text(_intro(ex)) + "\n", r.table(answer_table(ex), False), ""])
    return _insert_after(doc, r"\medskip", "\n" + table)


def _insert_after(document: str, marker: str, text: str) -> str:
    at = document.find(marker)
    if at < 0:
        raise ValueError(f"the report has no {marker!r} to put the answers after")
    at += len(marker)
    return document[:at] + text + document[at:]
