"""How a derivation line is laid out on a page: one row, or rows aligned at their = signs.

A page cannot scroll sideways when printed, so a chain too long for one row breaks
before each ``=``, as the terminal and the Markdown break it, and a sum too long for a
row of its own continues on the next rows, a few terms each, after a ``+``.  Lengths are
measured on the Unicode text of the line, the same measure for every format; each
renderer prints the pieces in its own notation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..derive.derivation import Line
from ..derive.expr import Add, Expr
from ..derive.printer import Printer

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
