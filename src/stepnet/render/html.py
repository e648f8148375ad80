"""One self-contained HTML page: the report the terminal shows, with MathML math and SVG pictures.

Nothing is fetched: the style sheet and a small script are inline (:mod:`.html_assets`),
the math is MathML that browsers draw themselves (:mod:`~stepnet.derive.mathml`), the
network and the loss are inline SVG (:mod:`.html_svg`).  The lines, notes and numbers
are the terminal's, printed through the run's Formatter; every text from the config
(title, description, layer names) is escaped.  Each parameter's gradient line and each
neuron's lines carry an id (:mod:`.anchors`), which the diagram's edges and the tables'
rows link to.  The page is whole without the script: the script only adds stepping
through iterations, row clicks and opening what a link jumps into.
"""

from __future__ import annotations

import re
from math import isfinite
from typing import TYPE_CHECKING

from ..derive.derivation import FULL_PRECISION, Block, Derivation, Formatter, Line, computed_from
from ..derive.diagram_views import GradientView
from ..derive.expr import Add, Expr, Num
from ..derive.mathml import MatrixMathMLPrinter, aligned, escape, math
from ..derive.matrix_expr import MatrixUnicodePrinter
from ..derive.report_model import IterationReport, MatrixBlock, Phrase, Report, Section, Table
from .anchors import Anchors, gradient_anchor, neuron_anchor, param_name, section_id
from .equations import Piece, Row, measure_with, print_terms, rows
from .html_matrix import matrix_line
from .html_page import page
from .html_svg import chart_svg, network_svg
from .layout import diagram_layout, diagram_note, layout_chart
from .prose import as_sentence

WIDE_PAGE = 1100  # a diagram wider than this (in CSS pixels) is printed on a landscape page

if TYPE_CHECKING:
    from ..api import Run


def run_html(result: Run, limits=None, view: str = "scalar") -> str:
    """The page of a run (:class:`stepnet.api.Run`), with the gradient view of every traced iteration.

    ``view`` is the report's: ``scalar`` (a line per neuron and parameter) or ``matrix``.
    """
    from ..derive.diagram_views import gradient_views

    report = result.report(limits, view)
    renderer = HtmlRenderer(result.fmt, result.names.legend("unicode"))
    renderer.computed = computed_from(result.trace.carry)  # the footer says how hand mode computed the values
    return renderer.report(report, gradient_views(result.trace, result.names, report.diagram))


def report_html(report: Report, fmt: Formatter, views: list[GradientView] | None = None) -> str:
    return HtmlRenderer(fmt).report(report, views or [])


def derivation_html(derivation: Derivation, fmt: Formatter) -> str:
    return HtmlRenderer(fmt).derivation(derivation)


class HtmlRenderer:
    def __init__(self, fmt: Formatter | None = None, symbols: tuple[str, str, str] = ("E_total", "w", "b")) -> None:
        self.fmt = fmt or Formatter()
        self.symbols = symbols  # the loss, a weight and a bias, as the legend of the gradients names them
        self.computed = FULL_PRECISION  # how the values were computed, as the footer says it
        self.mathml = MatrixMathMLPrinter(self.fmt)  # the matrix view's nodes too
        self.plain = MatrixUnicodePrinter(self.fmt)
        self.measure = measure_with(self.plain)
        self.anchors = Anchors()
        self.prefix = ""  # the current iteration's prefix for ids: "it1-"
        self.first_prefix = ""  # the first traced iteration's: links from outside any iteration go there
        self.section_anchors: set[str | None] = set()  # ids placed in the section being written
        self.matrices = False  # whether a matrix equation has been written (the page then styles matrices)
        self._layout = None

    # ------------------------------------------------------------ text and math

    def text(self, s: str) -> str:
        return escape(re.sub(r"\s+", " ", str(s)).strip())

    sentence = staticmethod(as_sentence)

    def number(self, x: float) -> str:
        return self.plain._number(float(x))

    def phrase(self, parts: Phrase) -> str:
        return "".join(p if isinstance(p, str) else self.number(p) for p in parts)

    def inline(self, e: Expr) -> str:
        return math(self.mathml.doprint(e))

    # ------------------------------------------------------------ derivation lines

    def _piece(self, piece: Piece) -> str:
        """One side of an = as its own row, so a leading minus is a sign (−0.2), not a subtraction."""
        if piece.is_value:
            return f'<mrow class="value">{self.mathml.doprint(Num(piece.part))}</mrow>'
        if piece.terms is not None and isinstance(piece.part, Add):
            return f"<mrow>{print_terms(self.mathml, piece.part, piece.terms, '<mo>+</mo>')}</mrow>"
        return f"<mrow>{self.mathml.doprint(piece.part)}</mrow>"

    def _row_right(self, row: Row) -> str:
        lead = "<mspace width=\"1em\"></mspace><mo>+</mo>" if row.lead == "+" else "<mo>=</mo>"
        return lead + "<mo>=</mo>".join(self._piece(p) for p in row.pieces)

    def equation(self, ln: Line) -> str:
        laid = rows(ln, self.plain)
        if len(laid) == 1:
            return math(self.mathml.doprint(ln.lhs) + self._row_right(laid[0]), displaystyle=True)
        cells = [(self.mathml.doprint(r.lhs) if r.lhs is not None else "", self._row_right(r)) for r in laid]
        return math(aligned(cells), displaystyle=True)

    def note(self, note: str | tuple) -> str:
        pieces = [note] if isinstance(note, str) else list(note)
        if isinstance(pieces[0], str):
            pieces[0] = self.sentence(pieces[0]) if len(pieces) == 1 else pieces[0][:1].upper() + pieces[0][1:]
        if isinstance(pieces[-1], str) and len(pieces) > 1:
            pieces[-1] = pieces[-1].rstrip() + ("" if pieces[-1].rstrip().endswith(".") else ".")
        return "".join(escape(p) if isinstance(p, str) else self.inline(p) for p in pieces)

    def line(self, ln: Line) -> str:
        anchor = self.anchors.place(self.prefix, ln.lhs)
        self.section_anchors.add(anchor)
        ident = f' id="{anchor}"' if anchor else ""
        out = [f'<div class="eq"{ident}>{self.equation(ln)}</div>']
        if ln.shown_result is not None:
            shown = escape(ln.shown_result.replace("-", "−"))
            out.append(f'<p class="eq-note rounded">† The rounded numbers shown give {shown}; '
                       f"{escape(ln.computed)}.</p>")
        if ln.note:
            out.append(f'<p class="eq-note"><i>{self.note(ln.note)}</i></p>')
        return "\n".join(out)

    def block(self, b: Block, level: int) -> str:
        out = [f"<h{level}>{self.text(b.title)}</h{level}>"] if b.title else []
        out += [f'<p class="block-text">{self.text(t)}</p>' for t in b.text]
        out += [self.line(ln) for ln in b.lines]
        if isinstance(b, MatrixBlock):
            out += [matrix_line(self, eq) for eq in b.equations]
            self.matrices = self.matrices or bool(b.equations)
        if b.omitted:
            out.append(f'<p class="omitted">{escape(self.sentence(b.omitted))}</p>')
        return "\n".join(out)

    # ------------------------------------------------------------ tables

    def cell(self, c) -> str:
        if isinstance(c, Expr):
            return self.inline(c)
        if isinstance(c, float):
            return self.number(c)
        return self.text(c)

    def row_target(self, first) -> tuple[str | None, str | None]:
        """Where a row links (an id on this page), and the anchor to follow the chosen iteration by."""
        if isinstance(first, Expr):
            name = param_name(first)
            if name is None:
                return None, None
            anchor = gradient_anchor(name)
            prefix = self.prefix if self.prefix else self.first_prefix
            return self.anchors.target(prefix, anchor), (anchor if not self.prefix else None)
        for kind in ("delta", "net"):
            anchor = neuron_anchor(kind, str(first))
            if self.prefix + anchor in self.section_anchors:
                return self.prefix + anchor, None
        return None, None

    def table(self, t: Table, title: bool = True, cls: str = "data") -> str:
        numeric = [any(isinstance(r[i], float) for r in t.rows if i < len(r)) for i in range(len(t.columns))]
        out = [f'<div class="table-wrap"><table class="{cls}">']
        if title and t.title:
            out.append(f"<caption>{self.text(t.title)}</caption>")
        if any(t.columns):
            heads = "".join(f'<th scope="col"{" class=num" if n else ""}>{self.text(c)}</th>'
                            for c, n in zip(t.columns, numeric, strict=True))
            out.append(f"<thead><tr>{heads}</tr></thead>")
        out.append("<tbody>")
        for row in t.rows:
            out.append(self._table_row(row, numeric, header_column=not any(t.columns)))
        out.append("</tbody></table></div>")
        if t.omitted:
            out.append(f'<p class="omitted">{escape(self.sentence(t.omitted))}</p>')
        return "\n".join(out)

    def _table_row(self, row: list, numeric: list[bool], header_column: bool) -> str:
        target, follow = self.row_target(row[0]) if row else (None, None)
        cells = []
        for i, c in enumerate(row):
            body = self.cell(c)
            if i == 0 and target:
                body = f'<a href="#{target}">{body}</a>'
            if i == 0 and header_column:
                cells.append(f'<th scope="row">{body}</th>')
            else:
                cells.append(f'<td{" class=num" if i < len(numeric) and numeric[i] else ""}>{body}</td>')
        attrs = f' data-href="#{target}"' if target else ""
        attrs += f' data-anchor="{follow}"' if follow and target else ""
        return f"<tr{attrs}>{''.join(cells)}</tr>"

    # ------------------------------------------------------------ sections and iterations

    def section(self, s: Section, figure=None) -> str:
        """A foldable section: blocks in order, each layer's table after that layer's last block."""
        self.section_anchors = set()
        after = s.tables_after()
        body = []
        for i in range(-1, len(s.blocks)):
            if i >= 0:
                body.append(self.block(s.blocks[i], 4))
            body += [self.table(t) for t in after.get(i, [])]
        body += [f'<p class="block-text">{self.text(x)}</p>' for x in s.text]
        if figure is not None and any(a and a.startswith(self.prefix + "grad-") for a in self.section_anchors):
            body.append(figure())  # after the gradients it draws
            self._drawn = True
        sid = self.prefix + section_id(s.title)
        return (f'<details class="section" id="{sid}" open><summary><h3>{self.text(s.title)}</h3></summary>\n'
                + "\n".join(body) + "\n</details>")

    def iteration(self, r: IterationReport, figure) -> str:
        self.prefix = f"it{r.iteration}-"
        out = [f'<section class="iteration" id="iteration-{r.iteration}" data-prefix="{self.prefix}">',
               f"<h2>{self.text(self.phrase(r.heading))}</h2>"]
        self._drawn = False
        for s in r.sections:
            out.append(self.section(s, None if self._drawn else figure))
        if not self._drawn:
            out.append(figure())
        out.append("</section>")
        self.prefix = ""
        return "\n".join(out)

    # ------------------------------------------------------------ the pictures

    def layout(self, rep: Report, views: list[GradientView]):
        if self._layout is None:
            self._layout = diagram_layout(rep.diagram, self.number, views)
        return self._layout

    def _link(self, prefix: str):
        """A parameter's name -> the href of its gradient line under ``prefix``, if the page has it."""
        def link(name: str) -> str | None:
            target = self.anchors.target(prefix, gradient_anchor(name))
            return f"#{target}" if target else None
        return link

    def network(self, rep: Report, views: list[GradientView]) -> str:
        """The network with its values before the first update; its edges link to the first iteration."""
        dg = rep.diagram
        if dg is None:
            return ""
        say = escape(diagram_note(dg))
        if self.first_prefix:
            say += ' <span class="screen-only">Select a weight or a bias to see its gradient worked out.</span>'
        svg = network_svg(dg, self.layout(rep, views), self.number, self._link(self.first_prefix), title="The network")
        wide = ' class="wide"' if self.layout(rep, views).width > WIDE_PAGE else ""
        return (f'<section id="network"{wide}><h2>The network</h2><figure class="diagram">'
                f'<div class="scroll">{svg}</div><figcaption>{say}</figcaption></figure></section>')

    def gradients(self, rep: Report, views: list[GradientView], view: GradientView) -> str:
        """The same drawing after an iteration's backward pass: each edge's gradient, by colour and width."""
        svg = network_svg(rep.diagram, self.layout(rep, views), self.number, self._link(f"it{view.iteration}-"),
                          view, title=f"Gradients of iteration {view.iteration}", loss=self.symbols[0])
        wide = " wide" if self.layout(rep, views).width > WIDE_PAGE else ""
        return (f'<figure class="diagram gradients{wide}"><h4>The gradients on the network</h4>'
                f'<div class="scroll">{svg}</div>{_legend(*self.symbols)}</figure>')

    def chart(self, points: list[tuple[int, float]]) -> str:
        points = [(k, v) for k, v in points if isfinite(v)]
        if len(points) < 2:
            return ""
        svg = chart_svg(layout_chart(points), self.number)
        return (f'<figure class="chart"><div class="scroll">{svg}</div>'
                "<figcaption>Loss by iteration.</figcaption></figure>")

    # ------------------------------------------------------------ wholes

    def report(self, rep: Report, views: list[GradientView]) -> str:
        by_iteration = {v.iteration: v for v in views}
        self.first_prefix = f"it{rep.iterations[0].iteration}-" if rep.iterations else ""
        iterations = []
        for r in rep.iterations:
            view = by_iteration.get(r.iteration)
            draw = (lambda v=view: self.gradients(rep, views, v)) if view and rep.diagram else (lambda: "")
            iterations.append(self.iteration(r, draw))
        top = self.network(rep, views)  # drawn after the iterations, so that its links find their lines
        whole = self.whole_run(rep)
        head = [f"<header><h1>{self.text(rep.title or 'stepnet')}</h1>"]
        head += [f'<p class="description">{self.text(p)}</p>' for p in re.split(r"\n\s*\n", rep.description)
                 if p.strip()]
        head.append("</header>")
        setup = [f'<section id="setup"><h2>{self.text(rep.setup.title)}</h2>',
                 self.table(rep.setup, title=False, cls="data setup")]
        setup += [f'<p class="note">{escape(self.sentence(n))}</p>' for n in rep.notes]
        setup.append("</section>")
        body = "\n".join(head + setup + [top] + iterations + [whole])
        return page(rep.title or "stepnet", body, rep.iterations, self.fmt, whole_run=rep.history is not None,
                    matrices=self.matrices, computed=self.computed)

    def whole_run(self, rep: Report) -> str:
        several = rep.history is not None
        out = [f'<section class="whole-run" id="whole-run"><h2>{"The whole run" if several else "Result"}</h2>']
        if several:
            out += [self.table(rep.history), self.chart(rep.losses)]
        out.append(self.table(rep.final))
        out.append(f'<p class="final-loss">Final loss (all data, after the last update): '
                   f"{self.number(rep.final_loss)}</p>")
        if several:
            out.append(self.table(rep.changes))
        if rep.stopped:
            out.append(f'<p class="stopped">⚠ {self.text(rep.stopped)}</p>')
        return "\n".join(out + ["</section>"])

    def derivation(self, d: Derivation) -> str:
        self.section_anchors = set()
        out = [f"<header><h1>{self.text(d.title)}</h1></header>"]
        used: set[str] = set()
        for b in d.blocks:
            ident = section_id(b.title)
            while ident in used:
                ident += "-more"
            used.add(ident)
            out.append(f'<section class="block" id="{ident}">{self.block(b, 2)}</section>')
        out += [f'<p class="note">{escape(self.sentence(n))}</p>' for n in d.notes]
        computed = next((ln.computed for b in d.blocks for ln in b.lines
                         if getattr(ln, "computed", FULL_PRECISION) != FULL_PRECISION), FULL_PRECISION)
        return page(d.title, "\n".join(out), None, self.fmt, computed=computed)


def _legend(loss: str, weight: str, bias: str) -> str:
    """The key to the gradient view, with the run's symbols for the loss, a weight and a bias."""
    dw, db = escape(f"∂{loss}/∂{weight}"), escape(f"∂{loss}/∂{bias}")
    return (f'<ul class="legend"><li><span class="swatch pos"></span>{dw} &gt; 0: the update lowers the weight</li>'
            f'<li><span class="swatch neg"></span>{dw} &lt; 0: the update raises it</li>'
            '<li><span class="swatch thin"></span><span class="swatch thick"></span>line width: the size of the '
            f"gradient, against the largest drawn</li><li>Each edge is labelled with its gradient {dw}, "
            f"each bias with {db}.</li></ul>")
