"""A LaTeX document of the report: a standalone article for pdfLaTeX, or its body to ``\\input``.

The lines, notes and numbers are the terminal's; math is set by
:class:`~stepnet.derive.latex.LatexPrinter` through the run's Formatter, every derivation
line in its own ``align*`` (broken at its = signs as the other formats break it), tables
in ``longtable`` with ``booktabs`` rules, and the network drawn in TikZ
(:mod:`.latex_tikz`).  Every text from the config passes through
:func:`~stepnet.render.tex_text.tex_escape`.  The packages are all in a standard TeX Live
(amsmath, amssymb, booktabs, longtable, geometry, hyperref, xcolor, tikz); the body
needs all but geometry, and defines what else it uses with ``\\providecommand``.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from ..derive.derivation import Block, Derivation, Formatter, Line
from ..derive.diagram_views import GradientView
from ..derive.expr import Add, Expr, Mul, Num, Sub
from ..derive.matrix_expr import Apply, Grid, Hadamard, MatMul, MatrixLatexPrinter, MatrixUnicodePrinter, Transpose
from ..derive.report_model import IterationReport, MatrixBlock, MatrixLine, Phrase, Report, Section, Table
from .anchors import Anchors, gradient_anchor, neuron_anchor, param_name, section_id
from .equations import MatrixRow, Piece, Row, matrix_rows, measure_with, print_terms, rows
from .latex_tikz import STYLES, chart_tikz, network_tikz
from .layout import diagram_layout, diagram_note, layout_chart
from .prose import as_sentence
from .tex_text import pdf_text, tex_escape

if TYPE_CHECKING:
    from ..api import Run

LONG = 74  # a chain longer than this (in Unicode text) breaks at its = signs: the width of an A4 page

PREAMBLE = r"""\documentclass[11pt,a4paper,fleqn]{article}
\usepackage[T1]{fontenc}
\IfFileExists{lmodern.sty}{\usepackage{lmodern}}{}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{booktabs,longtable}
\usepackage{xcolor}
\usepackage{tikz}
\usepackage[hidelinks]{hyperref}
\setlength{\parindent}{0pt}
\setlength{\parskip}{3pt plus 2pt}
\allowdisplaybreaks
\makeatletter
\g@addto@macro\normalsize{\setlength\abovedisplayskip{5pt plus 2pt minus 1pt}%
  \setlength\belowdisplayskip{5pt plus 2pt minus 1pt}%
  \setlength\abovedisplayshortskip{3pt plus 2pt}\setlength\belowdisplayshortskip{3pt plus 2pt}}
\makeatother
\setlength{\mathindent}{1em}
"""

BODY_HEAD = r"""% stepnet body: needs \usepackage{amsmath,amssymb,booktabs,longtable,xcolor,tikz,hyperref}
\providecolor{stepmuted}{rgb}{0.36,0.39,0.45}
\providecolor{stepvalue}{rgb}{0.05,0.25,0.53}
\providecolor{steprounded}{rgb}{0.48,0.32,0.0}
\providecolor{steppos}{rgb}{0.72,0.20,0.16}
\providecolor{stepneg}{rgb}{0.14,0.38,0.77}
\providecolor{stepaccent}{rgb}{0.12,0.37,0.68}
\providecolor{stepinput}{rgb}{0.92,0.95,0.98}
\providecolor{stepbias}{rgb}{0.71,0.54,0.09}
\providecolor{stepbiasfill}{rgb}{1.0,0.97,0.86}
\providecommand{\stepnote}[1]{\par{\small\color{stepmuted}\leftskip=2em\sloppy\itshape #1\par}}
\providecommand{\steprounded}[1]{\par{\small\color{steprounded}\leftskip=2em #1\par}}
"""


def run_latex(result: Run, limits=None, body_only: bool = False, view: str = "scalar") -> str:
    """The document of a run (:class:`stepnet.api.Run`), with the gradients drawn after each backward pass.

    ``view`` is the report's: ``scalar`` (a line per neuron and parameter) or ``matrix``.
    """
    from ..derive.diagram_views import gradient_views

    report = result.report(limits, view)
    views = gradient_views(result.trace, result.names, report.diagram)
    return LatexDocument(result.fmt, result.names.legend("latex")).report(report, views, body_only)


def report_latex(report: Report, fmt: Formatter, body_only: bool = False,
                 views: list[GradientView] | None = None) -> str:
    return LatexDocument(fmt).report(report, views or [], body_only)


def derivation_latex(derivation: Derivation, fmt: Formatter, body_only: bool = False) -> str:
    return LatexDocument(fmt).derivation(derivation, body_only)


class LatexDocument:
    def __init__(self, fmt: Formatter | None = None,
                 symbols: tuple[str, str, str] = ("E_{\\mathrm{total}}", "w", "b")) -> None:
        self.fmt = fmt or Formatter()
        self.symbols = symbols  # the loss, a weight and a bias in LaTeX, as the legend of the gradients names them
        self.latex = MatrixLatexPrinter(self.fmt)  # the matrix view's nodes too, matrices as bmatrix
        self.plain = MatrixUnicodePrinter(self.fmt)
        self.measure = measure_with(self.plain)
        self.columns = 0  # the most columns of any matrix set, for amsmath's MaxMatrixCols
        self.anchors = Anchors()
        self.prefix = ""
        self.first_prefix = ""
        self.section_anchors: set[str | None] = set()

    # ------------------------------------------------------------ text and math

    def text(self, s: str) -> str:
        return tex_escape(str(s).strip())

    sentence = staticmethod(as_sentence)

    def number(self, x: float) -> str:
        return f"${self.latex._number(float(x))}$"

    def phrase(self, parts: Phrase) -> str:
        return "".join(tex_escape(p) if isinstance(p, str) else self.number(p) for p in parts)

    def heading(self, command: str, latex: str, plain: str) -> str:
        return rf"\{command}{{\texorpdfstring{{{latex}}}{{{pdf_text(plain)}}}}}"

    # ------------------------------------------------------------ derivation lines

    def _piece(self, piece: Piece) -> str:
        if piece.is_value:
            return rf"{{\color{{stepvalue}}{self.latex.doprint(Num(piece.part))}}}"
        if piece.terms is not None and isinstance(piece.part, Add):
            return print_terms(self.latex, piece.part, piece.terms, " + ")
        return self.latex.doprint(piece.part)

    def _row(self, row: Row, aligned: bool) -> str:
        left = self.latex.doprint(row.lhs) + " " if row.lhs is not None else ""
        lead = r"&\quad + " if row.lead == "+" else ("&= " if aligned else "= ")
        return left + lead + " = ".join(self._piece(p) for p in row.pieces)

    def line(self, ln: Line) -> str:
        anchor = self.anchors.place(self.prefix, ln.lhs)
        self.section_anchors.add(anchor)
        laid = rows(ln, self.plain, LONG)
        body = " \\\\\n".join(self._row(r, len(laid) > 1) for r in laid)
        target = rf"\hypertarget{{{anchor}}}{{}}" if anchor else ""
        out = [f"{target}\\begin{{align*}}\n{body}\n\\end{{align*}}"]
        if ln.shown_result is not None:
            shown = f"${ln.shown_result}$" if _NUMBER.fullmatch(ln.shown_result) else self.text(ln.shown_result)
            out.append(rf"\steprounded{{\dag\ The rounded numbers shown give {shown}; "
                       rf"{self.text(ln.computed)}.}}")
        if ln.note:
            out.append(rf"\stepnote{{{self.note(ln.note)}}}")
        return "\n".join(out)

    def note(self, note: str | tuple) -> str:
        pieces = [note] if isinstance(note, str) else list(note)
        if isinstance(pieces[0], str):
            pieces[0] = self.sentence(pieces[0]) if len(pieces) == 1 else pieces[0][:1].upper() + pieces[0][1:]
        if isinstance(pieces[-1], str) and len(pieces) > 1 and not pieces[-1].rstrip().endswith("."):
            pieces[-1] = pieces[-1].rstrip() + "."
        return "".join(tex_escape(p) if isinstance(p, str) else f"${self.latex.doprint(p)}$" for p in pieces)

    def block(self, b: Block, command: str = "subsubsection*") -> str:
        out = [self.heading(command, self.text(b.title), b.title)] if b.title else []
        out += [self.text(t) + "\n" for t in b.text]
        out += [self.line(ln) for ln in b.lines]
        if isinstance(b, MatrixBlock):
            out += [self.matrix_line(eq) for eq in b.equations]
        if b.omitted:
            out.append(rf"\stepnote{{{self.text(self.sentence(b.omitted))}}}")
        return "\n".join(out)

    # ------------------------------------------------------------ the matrix view

    def _matrix_row(self, row: MatrixRow, value, aligned: bool) -> str:
        left = self.latex.doprint(row.lhs) + " " if row.lhs is not None else ""
        if row.lead == "=":
            lead = "&= " if aligned else "= "
        else:
            lead = "&\\quad {}" + _OPERATORS.get(row.lead, "\\cdot") + " "
        parts = [rf"{{\color{{stepvalue}}{self.latex.doprint(p)}}}" if p is value else self.latex.doprint(p)
                 for p in row.parts]
        return left + lead + " = ".join(parts)

    def _width(self, rows: list[MatrixRow]) -> int:
        """The rows' width in characters, as the terminal would draw them: the left side, then the widest."""
        left = self.measure(rows[0].lhs) if rows[0].lhs is not None else 0
        return left + max(sum(self.measure(p) + 3 for p in row.parts) for row in rows)

    def matrix_line(self, eq: MatrixLine) -> str:
        """A layer's equation in an ``align*``, its matrices as bmatrix; the entries' quantities below it.

        A wide equation is set smaller, and one too wide even in the smallest size is scaled to the line.
        """
        targets = [self.anchors.place(self.prefix, p) for link in eq.links for p in link if isinstance(p, Expr)]
        self.section_anchors.update(a for a in targets if a)
        laid = matrix_rows(eq, self.measure, LONG)
        self.columns = max([self.columns] + [_columns(p) for row in laid for p in row.parts])
        body = " \\\\\n".join(self._matrix_row(r, eq.value, len(laid) > 1) for r in laid)
        width = self._width(laid)
        size = next((size for most, size in _SIZES if width <= most), None)
        if size is None:
            shown = ("\\par\\noindent\\resizebox{\\linewidth}{!}{\\(\\displaystyle\\begin{aligned}\n"
                     f"{body}\n\\end{{aligned}}\\)}}\\par")
        else:
            shown = f"\\begin{{align*}}\n{body}\n\\end{{align*}}"
            shown = f"\\begingroup{size}\\setlength{{\\arraycolsep}}{{.45em}}{shown}\\endgroup" if size else shown
        out = ["".join(rf"\hypertarget{{{a}}}{{}}" for a in targets if a) + shown]
        out += [rf"\stepnote{{{self.note(note)}}}" for note in [*eq.links, eq.note] if note]
        return "\n".join(out)

    # ------------------------------------------------------------ tables

    def cell(self, c) -> str:
        if isinstance(c, Expr):
            return f"${self.latex.doprint(c)}$"
        if isinstance(c, float):
            return self.number(c)
        return self.text(c)

    def row_link(self, first) -> str | None:
        if isinstance(first, Expr):
            name = param_name(first)
            return self.anchors.target(self.prefix or self.first_prefix, gradient_anchor(name)) if name else None
        for kind in ("delta", "net"):
            if self.prefix + neuron_anchor(kind, str(first)) in self.section_anchors:
                return self.prefix + neuron_anchor(kind, str(first))
        return None

    def table(self, t: Table, title: bool = True) -> str:
        numeric = [any(isinstance(r[i], float) for r in t.rows if i < len(r)) for i in range(len(t.columns))]
        headless = not any(t.columns)
        spec = "lp{0.68\\linewidth}" if headless else "".join("r" if n else "l" for n in numeric)
        out = []
        if title and t.title:
            out.append(rf"\par\medskip\noindent\textbf{{{self.text(t.title)}}}\nopagebreak")
        out.append(rf"\begin{{longtable}}[l]{{@{{}}{spec}@{{}}}}")
        if not headless:
            out += [r"\toprule", " & ".join(self.text(c) for c in t.columns) + r" \\", r"\midrule", r"\endhead"]
        for row in t.rows:
            cells = [self.cell(c) for c in row]
            target = self.row_link(row[0]) if row else None
            if target:
                cells[0] = rf"\hyperlink{{{target}}}{{{cells[0]}}}"
            if headless:
                cells[0] = rf"\textcolor{{stepmuted}}{{{cells[0]}}}"
            out.append(" & ".join(cells) + r" \\")
        out += ([] if headless else [r"\bottomrule"]) + [r"\end{longtable}"]
        if t.omitted:
            out.append(rf"\stepnote{{{self.text(self.sentence(t.omitted))}}}")
        return "\n".join(out)

    # ------------------------------------------------------------ sections and iterations

    def section(self, s: Section, figure=None) -> str:
        self.section_anchors = set()
        after = s.tables_after()
        out = [self.heading("subsection", self.text(s.title), s.title),
               rf"\hypertarget{{{self.prefix}{section_id(s.title)}}}{{}}"]
        for i in range(-1, len(s.blocks)):
            if i >= 0:
                out.append(self.block(s.blocks[i]))
            out += [self.table(t) for t in after.get(i, [])]
        out += [self.text(x) + "\n" for x in s.text]
        if figure is not None and any(a and a.startswith(self.prefix + "grad-") for a in self.section_anchors):
            out.append(figure())
            self._drawn = True
        return "\n\n".join(out)

    def iteration(self, r: IterationReport, figure) -> str:
        self.prefix = f"it{r.iteration}-"
        heading = self.phrase(r.heading)
        plain = "".join(p if isinstance(p, str) else self.plain._number(p) for p in r.heading)
        out = [r"\clearpage", self.heading("section", heading, plain)]
        self._drawn = False
        for s in r.sections:
            out.append(self.section(s, None if self._drawn else figure))
        if not self._drawn:
            out.append(figure())
        self.prefix = ""
        return "\n\n".join(out)

    def _link(self, prefix: str):
        return lambda name: self.anchors.target(prefix, gradient_anchor(name))

    def network(self, rep: Report, lay, view: GradientView | None = None) -> str:
        dg = rep.diagram
        if view is not None:
            drawn = network_tikz(dg, lay, self.latex, self._link(f"it{view.iteration}-"), view)
            legend = rf"\stepnote{{{_legend(*self.symbols)}}}"
            return r"\subsubsection*{The gradients on the network}" + "\n" + drawn + "\n" + legend
        say = diagram_note(dg)
        drawn = network_tikz(dg, lay, self.latex, self._link(self.first_prefix))
        return "\n".join([r"\section{The network}", drawn, rf"\stepnote{{{self.text(say)}}}"])

    # ------------------------------------------------------------ wholes

    def report(self, rep: Report, views: list[GradientView], body_only: bool) -> str:
        by_iteration = {v.iteration: v for v in views}
        self.first_prefix = f"it{rep.iterations[0].iteration}-" if rep.iterations else ""
        lay = diagram_layout(rep.diagram, self.plain._number, views) if rep.diagram else None
        iterations = []
        for r in rep.iterations:
            view = by_iteration.get(r.iteration)
            draw = (lambda v=view: self.network(rep, lay, v)) if view and lay else (lambda: "")
            iterations.append(self.iteration(r, draw))
        head = [rf"{{\LARGE\bfseries {self.text(rep.title or 'stepnet')}\par}}", r"\medskip"]
        head += [self.text(p) + "\n" for p in re.split(r"\n\s*\n", rep.description) if p.strip()]
        head += [self.heading("section", self.text(rep.setup.title), rep.setup.title), self.table(rep.setup, False)]
        head += [rf"\stepnote{{{self.text(self.sentence(n))}}}" for n in rep.notes]
        network = [self.network(rep, lay)] if lay else []
        body = "\n\n".join(head + network + iterations + [self.whole_run(rep)])
        if self.columns > 10:  # amsmath sets at most 10 columns in a matrix unless told more
            body = rf"\setcounter{{MaxMatrixCols}}{{{self.columns}}}" + "\n" + body
        return self.document(BODY_HEAD + "\n" + STYLES + "\n\n" + body, rep.title or "stepnet", body_only)

    def whole_run(self, rep: Report) -> str:
        several = rep.history is not None
        out = [r"\clearpage" if several else "", self.heading("section", "The whole run" if several else "Result",
                                                               "The whole run" if several else "Result")]
        if several:
            out.append(self.table(rep.history))
            points = [(k, v) for k, v in rep.losses if math.isfinite(v)]
            if len(points) >= 2:
                out.append(r"\noindent\textbf{Loss by iteration}" + "\n" + chart_tikz(layout_chart(points), self.latex))
        out.append(self.table(rep.final))
        out.append(rf"\textbf{{Final loss (all data, after the last update): {self.number(rep.final_loss)}}}")
        if several:
            out.append(self.table(rep.changes))
        if rep.stopped:
            out.append(rf"\par\medskip\textcolor{{steppos}}{{\textbf{{{self.text(rep.stopped)}}}}}")
        return "\n\n".join(out)

    def derivation(self, d: Derivation, body_only: bool) -> str:
        out = [rf"{{\LARGE\bfseries {self.text(d.title)}\par}}"]
        for b in d.blocks:
            out.append(self.block(b, "section*"))
        out += [rf"\stepnote{{{self.text(self.sentence(n))}}}" for n in d.notes]
        return self.document(BODY_HEAD + "\n\n" + "\n\n".join(out), d.title, body_only)

    def document(self, body: str, title: str, body_only: bool) -> str:
        if body_only:
            return body + "\n"
        meta = rf"\hypersetup{{pdftitle={{{pdf_text(title)}}}, pdfcreator={{stepnet}}}}"
        return PREAMBLE + meta + "\n\\begin{document}\n" + body + "\n\\end{document}\n"


_OPERATORS = {MatMul: "\\cdot", Hadamard: "\\odot", Add: "+", Sub: "-", Mul: "\\times"}
# the widest matrix equation (in characters, as the terminal draws it) each font size sets on an A4 line
_SIZES = ((LONG, ""), (84, "\\small"), (92, "\\footnotesize"), (104, "\\scriptsize"), (120, "\\tiny"))


def _columns(e: Expr) -> int:
    """The most columns of any matrix in ``e``, as it is set (the marks of a cut included)."""
    if isinstance(e, Grid):
        return len(e.layout()[1])
    kids = (e.arg,) if isinstance(e, (Apply, Transpose)) else e.children()
    return max([0] + [_columns(k) for k in kids])


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?")


def _legend(loss: str, weight: str, bias: str) -> str:
    """The key to the gradient view, with the run's symbols (in LaTeX) for the loss, a weight and a bias."""
    return (rf"Each edge is labelled with its gradient $\partial {loss}/\partial {weight}$, each bias with "
            rf"$\partial {loss}/\partial {bias}$. \textcolor{{steppos}}{{Red}}: the gradient is positive and the "
            r"update lowers the weight; \textcolor{stepneg}{blue}: negative, the update raises it. The width of a "
            r"line is the size of its gradient, against the largest drawn.")
