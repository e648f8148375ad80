"""Markdown with LaTeX math and Mermaid diagrams: the same report the terminal shows.

Three flavors differ in their math delimiters (and so in how text is escaped):

``github``   inline ``$`…`$``, display in a ```` ```math ```` fence;
``jekyll``   kramdown: ``$$…$$`` inline, a ``$$…$$`` block alone in its paragraph for display;
``jupyter``  ``$…$`` inline, ``$$…$$`` display.

Every derivation line is display math printed by :class:`~stepnet.derive.latex.LatexPrinter`
through the run's Formatter, so its numbers are the terminal's digits.  Numbers in tables
and prose are plain text with the terminal's minus sign.  All other text goes through
:meth:`MarkdownRenderer.escape` (the rules of each flavor are in :mod:`.md_text`), so a
name or description cannot inject HTML, emphasis, math or table cells.  Each layer's
table follows that layer's derivation, matched by the layer both carry.  The network
diagram is drawn from the report's :class:`~stepnet.derive.diagram.Diagram`: every weight
with its value before the first update; its labels and the loss chart are written by
:mod:`.mermaid`.
"""

from __future__ import annotations

import re

from ..derive.derivation import Block, Derivation, Formatter, Line
from ..derive.diagram import Diagram
from ..derive.expr import Expr, Sym
from ..derive.matrix_expr import MatrixLatexPrinter, MatrixUnicodePrinter
from ..derive.report_model import IterationReport, MatrixLine, Phrase, Report, Section, Table
from ..formats import MARKDOWN_FLAVORS
from . import md_text, mermaid
from .layout import diagram_note
from .prose import as_sentence

LONG = 90  # a derivation line longer than this (as plain text) breaks at its = signs


def report_markdown(report: Report, fmt: Formatter, flavor: str = "github") -> str:
    return MarkdownRenderer(fmt, flavor).report(report)


def derivation_markdown(derivation: Derivation, fmt: Formatter, flavor: str = "github") -> str:
    return MarkdownRenderer(fmt, flavor).derivation(derivation)


class MarkdownRenderer:
    def __init__(self, fmt: Formatter | None = None, flavor: str = "github") -> None:
        if flavor not in MARKDOWN_FLAVORS:
            raise ValueError(f"unknown Markdown flavor {flavor!r}; expected one of {', '.join(MARKDOWN_FLAVORS)}")
        self.fmt = fmt or Formatter()
        self.flavor = flavor
        self.latex = MatrixLatexPrinter(self.fmt)  # the LaTeX printer, able to print matrices too
        self.plain = MatrixUnicodePrinter(self.fmt)

    # ------------------------------------------------------------ text and math

    def escape(self, text: str) -> str:
        """User or report text as literal Markdown: no HTML, emphasis, math, links or cells."""
        return md_text.escape(text, self.flavor)

    def paragraph(self, text: str) -> str:
        """Escaped text that starts a block: it cannot become a list item, a definition or a fence."""
        return md_text.block(text, self.flavor)

    sentence = staticmethod(as_sentence)

    def italic(self, text: str) -> str:
        return f"*{self.sentence(text)}*"

    def heading(self, level: int, text: str) -> str:
        return "#" * level + " " + self.escape(text).strip()

    def number(self, x: float) -> str:
        return self.plain._number(float(x))

    def phrase(self, parts: Phrase) -> str:
        return "".join(p if isinstance(p, str) else self.number(p) for p in parts)

    def tex(self, e: Expr) -> str:
        return self.latex.doprint(e)

    def inline(self, tex: str) -> str:
        return {"github": f"$`{tex}`$", "jekyll": f"$${tex}$$", "jupyter": f"${tex}$"}[self.flavor]

    def display(self, tex: str) -> str:
        return f"```math\n{tex}\n```" if self.flavor == "github" else f"$$\n{tex}\n$$"

    # ------------------------------------------------------------ derivation lines

    def equation(self, ln: Line) -> str:
        parts = [ln.lhs, *ln.forms] + ([ln.numeric] if ln.numeric is not None else [])
        tex = [self.tex(p) for p in parts]
        plain = [self.plain.doprint(p) for p in parts]
        if ln.value is not None:
            tex.append(self.latex._number(ln.value))
            plain.append(self.number(ln.value))
        if len(" = ".join(plain)) <= LONG or len(tex) < 3:
            return " = ".join(tex)
        rows = [f"{tex[0]} &= {tex[1]}"] + [f"&= {t}" for t in tex[2:]]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def note(self, note: str | tuple) -> str:
        pieces = [note] if isinstance(note, str) else list(note)
        text = "".join(self.escape(p) if isinstance(p, str) else self.inline(self.tex(p)) for p in pieces)
        return self.italic(text)

    def line(self, ln: Line) -> list[str]:
        out = [self.display(self.equation(ln))]
        if ln.shown_result is not None:
            shown = self.escape(ln.shown_result.replace("-", "−"))
            out.append(f"† The rounded numbers shown give {shown}; {self.escape(ln.computed)}.")
        if ln.note:
            out.append(self.note(ln.note))
        return out

    def matrix_line(self, eq: MatrixLine) -> list[str]:
        """A layer's equation as display math, its matrices as bmatrix, then which scalar each entry is."""
        tex = [self.latex.doprint(e) for e in [eq.lhs, *eq.forms, *eq.steps]]
        if eq.value is not None:
            tex.append(self.latex.doprint(eq.value))
        if len(tex) < 3:
            body = " = ".join(tex)
        else:
            rows = [f"{tex[0]} &= {tex[1]}"] + [f"&= {t}" for t in tex[2:]]
            body = "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
        out = [self.display(body)]
        out += [self.note(link) for link in eq.links]
        if eq.note:
            out.append(self.note(eq.note))
        return out

    def block(self, b: Block, level: int) -> list[str]:
        out = [self.heading(level, b.title)] if b.title else []
        out += [self.paragraph(t) for t in b.text]
        for ln in b.lines:
            out += self.line(ln)
        for eq in getattr(b, "equations", ()):
            out += self.matrix_line(eq)
        if b.omitted:
            out.append(self.italic(self.escape(b.omitted)))
        return out

    # ------------------------------------------------------------ tables

    def cell(self, c) -> str:
        if isinstance(c, Expr):
            return self.inline(self.tex(c))
        if isinstance(c, float):
            return self.number(c)
        return self.escape(c).strip()

    def table(self, t: Table, title: bool = True) -> list[str]:
        out = [f"**{self.escape(t.title)}**"] if title and t.title else []
        right = [any(isinstance(r[i], float) for r in t.rows if i < len(r)) for i in range(len(t.columns))]
        rows = [[self.escape(c).strip() for c in t.columns], ["---:" if r else "---" for r in right]]
        rows += [[self.cell(c) for c in row] for row in t.rows]
        out.append("\n".join("| " + " | ".join(r) + " |" for r in rows))
        if t.omitted:
            out.append(self.italic(self.escape(t.omitted)))
        return out

    # ------------------------------------------------------------ the report

    def section(self, s: Section) -> list[str]:
        """Blocks in order, each layer's table after that layer's last block, then the text."""
        after = s.tables_after()
        out = [self.heading(3, s.title)]
        for i in range(-1, len(s.blocks)):
            out += self.block(s.blocks[i], 4) if i >= 0 else []
            for t in after.get(i, []):
                out += self.table(t)
        return out + [self.paragraph(x) for x in s.text]

    def iteration(self, r: IterationReport) -> list[str]:
        out = [self.heading(2, self.phrase(r.heading))]
        for s in r.sections:
            out += self.section(s)
        return out

    def report(self, rep: Report) -> str:
        out = [self.heading(1, rep.title or "stepnet")]
        out += [self.paragraph(p) for p in re.split(r"\n\s*\n", rep.description) if p.strip()]
        out += [self.heading(2, rep.setup.title)] + self.table(rep.setup, title=False)
        out += [self.italic(self.escape(n)) for n in rep.notes]
        out += self.network(rep)
        for it in rep.iterations:
            out += self.iteration(it)
        out += self.whole_run(rep)
        if rep.stopped:
            out.append(f"**⚠ {self.escape(rep.stopped).strip()}**")
        return "\n\n".join(out) + "\n"

    def whole_run(self, rep: Report) -> list[str]:
        several = rep.history is not None
        out = [self.heading(2, "The whole run" if several else "Result")]
        if several:
            out += self.table(rep.history) + self.chart(rep.losses)
        out += self.table(rep.final)
        out.append(f"**Final loss (all data, after the last update): {self.number(rep.final_loss)}**")
        return out + (self.table(rep.changes) if several else [])

    def chart(self, points: list[tuple[int, float]]) -> list[str]:
        """The loss as a Mermaid chart, and under it what its axis shows when that is not the loss itself."""
        body, notes = mermaid.loss_chart(points, self.fmt, self.number)
        return [f"```mermaid\n{body}\n```", *(self.italic(self.escape(n)) for n in notes)] if body else []

    def derivation(self, d: Derivation) -> str:
        out = [self.heading(1, d.title)]
        for b in d.blocks:
            out += self.block(b, 2)
        out += [self.italic(self.escape(n)) for n in d.notes]
        return "\n\n".join(out) + "\n"

    # ------------------------------------------------------------ the network diagram

    def network(self, rep: Report) -> list[str]:
        dg = rep.diagram
        if dg is None:
            return []
        body = ["flowchart LR"]
        for (name, size, _), n in zip(dg.layers, dg.shown, strict=True):
            body += [f'  {_node(name, j)}(("{mermaid.label(name + str(j + 1))}"))' for j in range(n)]
            body += [f'  more_{name}["{mermaid.label(f"… {size - n} more")}"]'] if n < size else []
        for li in range(1, len(dg.layers)):
            body += self._edges(dg, li)
        body += self._bias_edges(dg)
        say = diagram_note(dg)
        return [self.heading(2, "The network"), self.paragraph(say), "```mermaid\n" + "\n".join(body) + "\n```"]

    def _edges(self, dg: Diagram, li: int) -> list[str]:
        def nodes(k):
            name, size, _ = dg.layers[k]
            more = [(None, f"more_{name}")] if dg.shown[k] < size else []
            return [(j, _node(name, j)) for j in range(dg.shown[k])] + more

        out = []
        for j, dst in nodes(li):
            for i, src in nodes(li - 1):
                if i is None or j is None:
                    out.append(f"  {src} -.-> {dst}")
                else:
                    out.append(f'  {src} -- "{mermaid.label(self._valued(dg.weights[(li, j, i)]))}" --> {dst}')
        return out

    def _bias_edges(self, dg: Diagram) -> list[str]:
        out, declared = [], set()
        for (li, j), p in sorted(dg.biases.items()):
            name, _, kind = dg.layers[li]
            node = f"bias_{name}" if kind == "shared" else f"bias_{name}{j + 1}"
            if node not in declared:
                out.append(f'  {node}["{mermaid.label(self._valued(p))}"]')
                declared.add(node)
            out.append(f"  {node} --> {_node(name, j)}")
        return out

    def _valued(self, p: Sym) -> str:
        return p.unicode if p.value is None else f"{p.unicode} = {self.number(p.value)}"


# ---------------------------------------------------------------- helpers


def _node(layer: str, j: int) -> str:
    return f"n_{layer}{j + 1}"
