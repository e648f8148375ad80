"""How a derivation line is laid out on a page: one row, or rows aligned at their = signs.

A page cannot scroll sideways when printed, so a chain too long for one row breaks
before each ``=``, as the terminal and the Markdown break it, and a sum too long for a
row of its own continues on the next rows, a few terms each, after a ``+``.  Lengths are
measured on the Unicode text of the line, the same measure for every format; each
renderer prints the pieces in its own notation.  A matrix equation of the matrix view is
laid out the same way, its matrices measured as the terminal draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..derive.derivation import Line
from ..derive.expr import Add, Expr, Mul, Sub
from ..derive.matrix_expr import Hadamard, MatMul
from ..derive.printer import Printer
from ..derive.report_model import MatrixLine
from .matrix_text import Glyphs, layout

LONG = 90  # as the Markdown: a chain longer than this (in Unicode text) breaks at its = signs


@dataclass
class Piece:
    """One right-hand side of a chain, or some terms of a sum that is too long for one row."""

    part: Expr | float  # a float is the value the line computes
    terms: range | None = None  # which terms of ``part`` (an Add) this row holds

    @property
    def is_value(self) -> bool:
        return isinstance(self.part, float)


@dataclass
class Row:
    """``lhs = a = b``: the left side (first row only), what leads the rest (= or +), the pieces."""

    lhs: Expr | None
    lead: str  # "=" or "+" (a sum continued)
    pieces: list[Piece]


def parts(ln: Line) -> list[Expr | float]:
    """The right-hand sides of a line in order: the symbolic forms, the numbers put in, the value."""
    out: list[Expr | float] = list(ln.forms)
    if ln.numeric is not None:
        out.append(ln.numeric)
    if ln.value is not None:
        out.append(float(ln.value))
    return out


def rows(ln: Line, plain: Printer, long: int = LONG) -> list[Row]:
    """The rows of ``ln``: one when it fits in ``long`` characters, else one per = and sums broken."""
    rhs = parts(ln)
    texts = [_text(plain, p) for p in [ln.lhs, *rhs]]
    if len(" = ".join(texts)) <= long:
        return [Row(ln.lhs, "=", [Piece(p) for p in rhs])]
    out: list[Row] = []
    for k, part in enumerate(rhs):
        lhs = ln.lhs if k == 0 else None
        for n, terms in enumerate(_term_groups(plain, part, long)):
            lead = "=" if n == 0 else "+"
            out.append(Row(lhs if n == 0 else None, lead, [Piece(part, terms)]))
    return out


def _text(plain: Printer, part: Expr | float) -> str:
    return plain._number(part) if isinstance(part, float) else plain.doprint(part)


def _term_groups(plain: Printer, part: Expr | float, long: int) -> list[range | None]:
    """A sum longer than a row split into groups of consecutive terms; anything else whole."""
    if not isinstance(part, Add) or len(plain.doprint(part)) <= long:
        return [None]
    widths = [len(plain._term(a, first=(k == 0))) + 3 for k, a in enumerate(part.args)]
    groups, start, used = [], 0, 0
    for k, width in enumerate(widths):
        if k > start and used + width > long:
            groups.append(range(start, k))
            start, used = k, 0
        used += width
    groups.append(range(start, len(widths)))
    return groups


def print_terms(printer: Printer, part: Add, terms: range, plus: str) -> str:
    """Some terms of a sum in ``printer``'s notation; ``plus`` joins them (the row's lead comes first)."""
    return plus.join(printer._term(part.args[k], first=(k == 0)) for k in terms)


# ---------------------------------------------------------------- the matrix view


@dataclass
class MatrixRow:
    """One row of a matrix equation: ``lhs = a = b``, ``= a = b``, or an operand ``⊙ b`` of a step
    set one under another; ``lead`` is ``=`` or the operation's node (a MatMul, a Hadamard, ...)."""

    lhs: Expr | None
    lead: str | type
    parts: list[Expr]


def matrix_rows(eq: MatrixLine, measure: Callable[[Expr], int], long: int = LONG) -> list[MatrixRow]:
    """The rows of a layer's equation: ``lhs = form`` first, then the numbers.

    The steps with numbers share a row when they fit in ``long`` characters (``measure``
    gives an expression's width as the terminal draws it); else each has a row of its own,
    and a step too wide alone is set operand by operand, as the terminal sets it.
    """
    steps = eq.steps + ([eq.value] if eq.value is not None else [])
    head = MatrixRow(eq.lhs, "=", list(eq.forms))
    widths = [measure(s) for s in steps]
    if sum(widths) + 3 * len(steps) <= long:
        rest = [MatrixRow(None, "=", steps)] if steps else []
    else:
        rest = [row for step, width in zip(steps, widths, strict=True)
                for row in _step_rows(step, width, measure, long)]
    if not head.parts and rest and rest[0].lead == "=":  # ∇C = [numbers]: the first numbers beside the symbol
        rest[0].lhs = eq.lhs
        return rest
    return [head] + rest


def _step_rows(step: Expr, width: int, measure: Callable[[Expr], int], long: int,
               lead: str | type = "=") -> list[MatrixRow]:
    """One step, or, too wide for a row, its operands one under another (each split again if need be)."""
    operands = split_operands(step) if width > long else None
    if operands is None:
        return [MatrixRow(None, lead, [step])]
    rows: list[MatrixRow] = []
    for k, operand in enumerate(operands):
        op = lead if k == 0 else type(step)
        if _reads_the_same(operand, step):
            rows += _step_rows(operand, measure(operand), measure, long, op)
        else:
            rows.append(MatrixRow(None, op, [operand]))
    return rows


def _reads_the_same(operand: Expr, whole: Expr) -> bool:
    """True when ``operand`` split in its turn reads as before: it binds tighter than ``whole``'s operation,
    or is the same operation, one that may be regrouped (a + b + c, A B C)."""
    return operand.prec > whole.prec or (type(operand) is type(whole) and type(whole) is not Sub)


def split_operands(e: Expr) -> list[Expr] | None:
    """The operands of a product, a sum or a difference, to set one under another; None for anything else."""
    if type(e) in (MatMul, Hadamard, Add, Sub, Mul) and len(e.args) > 1:
        return list(e.args)
    return None


def measure_with(printer: Printer) -> Callable[[Expr], int]:
    """An expression's width in characters, its matrices drawn as the terminal draws them."""
    glyphs = Glyphs(False)

    def measure(e: Expr) -> int:
        try:
            return layout(e, printer, glyphs).width
        except TypeError:
            return len(printer.doprint(e))

    return measure
