"""The matrix view on an HTML page: each layer's equation in MathML, its matrices as tables in brackets.

An equation is set as the terminal sets it: ``lhs = form`` on the first row, then the
numbers, the steps side by side when they fit and one under another when they do not,
a step too wide alone set operand by operand.  The lines under it say which scalar
quantity each entry is, and they carry the ids of those quantities, so a weight in the
diagram links to the gradient matrix it is an entry of.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..derive.expr import Add, Expr, Mul, Sub
from ..derive.mathml import aligned, escape, math
from ..derive.matrix_expr import Hadamard, MatMul
from ..derive.report_model import MatrixLine
from .equations import MatrixRow, matrix_rows

if TYPE_CHECKING:
    from .html import HtmlRenderer

LONG = 90  # as a scalar line: a matrix equation wider than this (as the terminal draws it) breaks

_VALUE = ' class="value"'  # the row holding the value the equation computes
_OPERATORS = {MatMul: "⋅", Hadamard: "⊙", Add: "+", Sub: "−", Mul: "×"}


def _right(r: HtmlRenderer, row: MatrixRow, value: Expr | None) -> str:
    """What follows the left side in one row: = and the parts, or an operator and one operand."""
    if row.lead == "=":
        lead = "<mo>=</mo>"
    else:
        lead = f'<mspace width="1em"></mspace><mo>{escape(_OPERATORS.get(row.lead, "⋅"))}</mo>'
    parts = [f"<mrow{_VALUE if p is value else ''}>{r.mathml.doprint(p)}</mrow>" for p in row.parts]
    return lead + "<mo>=</mo>".join(parts)


def matrix_equation(r: HtmlRenderer, eq: MatrixLine) -> str:
    """The equation as one ``<math>``: a row, or rows aligned at their = signs."""
    laid = matrix_rows(eq, r.measure, LONG)
    left = [r.mathml.doprint(row.lhs) if row.lhs is not None else "" for row in laid]
    if len(laid) == 1:
        return math(left[0] + _right(r, laid[0], eq.value), displaystyle=True)
    cells = [(lhs, _right(r, row, eq.value)) for lhs, row in zip(left, laid, strict=True)]
    return math(aligned(cells), displaystyle=True)


def matrix_line(r: HtmlRenderer, eq: MatrixLine) -> str:
    """The equation, then which scalar each entry is and its note, each a line of its own."""
    ids = []
    for link in eq.links:
        for piece in link:
            anchor = r.anchors.place(r.prefix, piece) if isinstance(piece, Expr) else None
            if anchor:
                ids.append(anchor)
    r.section_anchors.update(ids)
    targets = "".join(f'<span id="{a}"></span>' for a in ids)
    out = [f'<div class="eq matrix">{targets}{matrix_equation(r, eq)}</div>']
    out += [f'<p class="eq-note"><i>{r.note(note)}</i></p>' for note in [*eq.links, eq.note] if note]
    return "\n".join(out)
