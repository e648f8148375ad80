"""Matrices in an expression: the numbers of a whole layer, and the operations on them.

A :class:`Grid` holds a layer's numbers (the entries shown, with the places left out of a
wide matrix); a :class:`MatSym` is a matrix symbol (W⁽³⁾, δ⁽²⁾) that carries its grid, so a
matrix equation prints with symbols as it is and with the numbers written out after
:meth:`~stepnet.derive.expr.Expr.numeric`, as a scalar line does.  :class:`MatMul` is a
product written side by side (W a), :class:`Hadamard` the product entry by entry (⊙),
:class:`Transpose` a transpose (its numeric form is the transposed grid, written out),
:class:`Apply` a function applied entry by entry (σ(z), σ′(z)) whose values are known.

The printers of this module extend the scalar ones with a method for each of these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .expr import P_MUL, P_POW, Expr, Sym, _NAry
from .latex import LatexPrinter
from .unicode import AsciiPrinter, UnicodePrinter


class Grid(Expr):
    """Numbers in rows and columns; ``rows`` and ``cols`` are the indices shown (a gap where they jump)."""

    def __init__(self, values, rows: list[int] | None = None, cols: list[int] | None = None) -> None:
        a = np.asarray(values, dtype=float)
        self.values = a.reshape(a.shape[0], -1) if a.ndim != 2 else a
        self.rows = list(range(self.values.shape[0])) if rows is None else list(rows)
        self.cols = list(range(self.values.shape[1])) if cols is None else list(cols)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    @property
    def transposed(self) -> Grid:
        return Grid(self.values.T, self.cols, self.rows)

    def layout(self) -> tuple[list[int | None], list[int | None]]:
        """The rows and the columns shown, with None where some are left out."""
        return _gaps(self.rows, self.shape[0]), _gaps(self.cols, self.shape[1])

    def cells(self) -> list[list[float | str]]:
        """The rows shown: numbers, ``"h"`` where columns are left out, ``"v"`` (and ``"d"`` where both
        are) in a row standing for rows left out."""
        rows, cols = self.layout()
        return [[("d" if c is None else "v") if r is None else ("h" if c is None else float(self.values[r, c]))
                 for c in cols] for r in rows]

    def evaluate(self) -> float:
        raise ValueError("a matrix is not one number")

    def __repr__(self) -> str:
        return f"Grid({self.shape[0]}×{self.shape[1]}, shown {len(self.rows)}×{len(self.cols)})"


def _gaps(shown: list[int], size: int) -> list[int | None]:
    """The indices shown, with None wherever some are left out (between them or after the last)."""
    out: list[int | None] = []
    for k, i in enumerate(shown):
        if (k == 0 and i > 0) or (k > 0 and i != shown[k - 1] + 1):
            out.append(None)
        out.append(i)
    if shown and shown[-1] < size - 1:
        out.append(None)
    return out


@dataclass(frozen=True, eq=False)
class MatSym(Sym):
    """A matrix or vector symbol with its numbers: prints as W⁽³⁾, substitutes to its grid."""

    grid: Grid | None = None

    def numeric(self) -> Expr:
        return self if self.grid is None else self.grid


class MatMul(_NAry):
    """A matrix product, written side by side: W⁽³⁾a⁽²⁾."""

    prec = P_MUL


class Hadamard(_NAry):
    """The product entry by entry: x ⊙ y."""

    prec = P_MUL


class Transpose(Expr):
    """Xᵀ; its numbers are the transposed grid, written out."""

    prec = P_POW

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Transpose(*children)

    def numeric(self) -> Expr:
        inner = self.arg.numeric()
        return inner.transposed if isinstance(inner, Grid) else Transpose(inner)


class Apply(Expr):
    """A function applied entry by entry, σ(z⁽²⁾), standing for the grid of its values."""

    def __init__(self, spelling: tuple[str, str, str], arg: Expr, grid: Grid | None = None) -> None:
        self.spelling, self.arg, self.grid = spelling, arg, grid

    def numeric(self) -> Expr:
        return self if self.grid is None else self.grid


# ---------------------------------------------------------------- printers


class _PlainMatrices:
    """The Unicode and ASCII forms of the matrix nodes (a grid inline, for text without layout)."""

    hadamard = " ⊙ "
    transpose = "ᵀ"
    vdots, hdots = "⋮", "⋯"

    def _print_MatMul(self, e: MatMul, nested: bool) -> str:
        return " ".join(self._wrap(a, P_MUL, strict=True) for a in e.args)

    def _print_Hadamard(self, e: Hadamard, nested: bool) -> str:
        return self.hadamard.join(self._wrap(a, P_MUL, strict=True) for a in e.args)

    def _print_Transpose(self, e: Transpose, nested: bool) -> str:
        inner = self._print(e.arg, False)
        return (inner if len(inner) == 1 else self.paren(inner)) + self.transpose

    def _print_Apply(self, e: Apply, nested: bool) -> str:
        return self._spelled(e.spelling) + self.paren(self._print(e.arg, False))

    def _print_Grid(self, e: Grid, nested: bool) -> str:
        marks = {"h": self.hdots, "v": self.vdots, "d": self.hdots}
        rows = ["[" + "  ".join(marks[v] if isinstance(v, str) else self._number(v) for v in row) + "]"
                for row in e.cells()]
        return "[" + " ".join(rows) + "]"


class MatrixUnicodePrinter(_PlainMatrices, UnicodePrinter):
    @staticmethod
    def _spelled(spelling: tuple[str, str, str]) -> str:
        return spelling[0]


class MatrixAsciiPrinter(_PlainMatrices, AsciiPrinter):
    hadamard = " .* "
    transpose = "^T"
    vdots, hdots = ":", "..."

    @staticmethod
    def _spelled(spelling: tuple[str, str, str]) -> str:
        return spelling[1]


def _one(e: Expr) -> Expr | None:
    """``e`` when it is a symbol of one letter (𝟏, x), which a transpose needs no brackets around."""
    return e if isinstance(e, Sym) and len(e.unicode) == 1 else None


class MatrixLatexPrinter(LatexPrinter):
    """Matrices as bmatrix, with \\vdots and \\cdots where a wide one is cut."""

    def _print_MatMul(self, e: MatMul, nested: bool) -> str:
        return " ".join(self._wrap(a, P_MUL, strict=True) for a in e.args)

    def _print_Hadamard(self, e: Hadamard, nested: bool) -> str:
        return " \\odot ".join(self._wrap(a, P_MUL, strict=True) for a in e.args)

    def _print_Transpose(self, e: Transpose, nested: bool) -> str:
        inner = self._print(e.arg, False)
        base = inner if isinstance(e.arg, Grid) or e.arg is _one(e.arg) else self.paren(inner)
        return f"{{{base}}}^{{\\mathsf{{T}}}}"

    def _print_Apply(self, e: Apply, nested: bool) -> str:
        return e.spelling[2] + self.paren(self._print(e.arg, False))

    def _print_Grid(self, e: Grid, nested: bool) -> str:
        marks = {"h": "\\cdots", "v": "\\vdots", "d": "\\ddots"}
        rows = [" & ".join(marks[v] if isinstance(v, str) else self._number(v) for v in row) for row in e.cells()]
        return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"
