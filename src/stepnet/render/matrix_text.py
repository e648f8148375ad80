"""Matrices in the terminal: numbers in columns between brackets drawn over several lines.

:func:`layout` turns an expression holding grids into a :class:`Box`, lines of equal width
with a middle row that operators and = signs line up on; :class:`MatrixEquation` lays the
steps of an equation side by side, or one under the other when they do not fit.  Every
number is printed whole, and every line fits the width it is laid out at.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from ..derive.expr import Add, Expr, Func, Mul, Neg, Paren, Sub
from ..derive.matrix_expr import Apply, Grid, Hadamard, MatMul, Transpose
from ..derive.printer import Printer


@dataclass
class Box:
    """Lines of text of one width; ``mid`` is the row operators are written on."""

    lines: list[str]
    mid: int = 0

    @classmethod
    def text(cls, s: str) -> Box:
        return cls([s], 0)

    @property
    def width(self) -> int:
        return max((len(s) for s in self.lines), default=0)


def join(parts: list[Box | str]) -> Box:
    """Boxes and operator strings side by side, their middle rows on one line."""
    boxes = [Box.text(p) if isinstance(p, str) else p for p in parts]
    above = max(b.mid for b in boxes)
    below = max(len(b.lines) - b.mid - 1 for b in boxes)
    rows = [""] * (above + below + 1)
    for b in boxes:
        w = b.width
        top = above - b.mid
        for r in range(len(rows)):
            k = r - top
            rows[r] += (b.lines[k] if 0 <= k < len(b.lines) else "").ljust(w)
    return Box(rows, above)


class Glyphs:
    """The bracket pieces: Unicode, or ASCII where Unicode cannot be shown."""

    def __init__(self, ascii_only: bool) -> None:
        self.by = "x" if ascii_only else "×"
        if ascii_only:
            self.left, self.right = ("[", "[", "["), ("]", "]", "]")
            self.lparen, self.rparen = ("(", "(", "("), (")", ")", ")")
            self.marks = {"h": "...", "v": ":", "d": "."}
            self.hadamard, self.transpose = " .* ", "^T"
            self.functions = {}
        else:
            self.left, self.right = ("⎡", "⎢", "⎣"), ("⎤", "⎥", "⎦")
            self.lparen, self.rparen = ("⎛", "⎜", "⎝"), ("⎞", "⎟", "⎠")
            self.marks = {"h": "⋯", "v": "⋮", "d": "⋱"}
            self.hadamard, self.transpose = " ⊙ ", "ᵀ"
            self.functions = {"sqrt": "√"}


def _bracketed(box: Box, left: tuple[str, str, str], right: tuple[str, str, str], single: tuple[str, str]) -> Box:
    n = len(box.lines)
    if n == 1:
        return Box([single[0] + box.lines[0].ljust(box.width) + single[1]], 0)
    lines = []
    for r, line in enumerate(box.lines):
        k = 0 if r == 0 else 2 if r == n - 1 else 1
        lines.append(left[k] + line.ljust(box.width) + right[k])
    return Box(lines, box.mid)


def grid_box(g: Grid, printer: Printer, glyphs: Glyphs) -> Box:
    """The numbers in right-aligned columns, the marks of what is left out centred."""
    cells = [[(glyphs.marks[v], True) if isinstance(v, str) else (printer._number(v), False) for v in row]
             for row in g.cells()]
    widths = [max(len(row[c][0]) for row in cells) for c in range(len(cells[0]))]
    lines = ["  ".join(s.center(w) if mark else s.rjust(w) for (s, mark), w in zip(row, widths, strict=True))
             for row in cells]
    return _bracketed(Box(lines, (len(lines) - 1) // 2), glyphs.left, glyphs.right, ("[", "]"))


def has_grid(e: Expr) -> bool:
    if isinstance(e, Grid):
        return True
    kids = (e.arg,) if isinstance(e, (Transpose, Apply)) else e.children()
    return any(has_grid(c) for c in kids)


def layout(e: Expr, printer: Printer, glyphs: Glyphs) -> Box:
    """``e`` drawn in lines: grids as bracketed columns, the rest as the printer writes it."""
    if not has_grid(e):
        return Box.text(printer.doprint(e))
    if isinstance(e, Grid):
        return grid_box(e, printer, glyphs)
    seps = {MatMul: " ", Hadamard: glyphs.hadamard, Add: " + ", Sub: f" {printer.minus} ", Mul: printer.times}
    for cls, sep in seps.items():
        if type(e) is cls:
            parts: list[Box | str] = []
            for k, a in enumerate(e.args):
                parts += ([sep] if k else []) + [layout(a, printer, glyphs)]
            return join(parts)
    if isinstance(e, Paren):
        return _bracketed(layout(e.args[0], printer, glyphs), glyphs.lparen, glyphs.rparen, ("(", ")"))
    if isinstance(e, Neg):
        return join([printer.minus, layout(e.args[0], printer, glyphs)])
    if isinstance(e, (Apply, Func)):
        name = printer._spelled(e.spelling) if isinstance(e, Apply) else glyphs.functions.get(e.name, e.name)
        inner = layout(e.arg if isinstance(e, Apply) else e.args[0], printer, glyphs)
        return join([name, _bracketed(inner, glyphs.lparen, glyphs.rparen, ("(", ")"))])
    if isinstance(e, Transpose):
        return join([layout(e.arg, printer, glyphs), glyphs.transpose])
    raise TypeError(f"cannot lay out {type(e).__name__} holding a matrix")


def operands(e: Expr, glyphs: Glyphs, printer: Printer) -> list[tuple[str, Expr]] | None:
    """The top-level operands of ``e`` with the operator before each, to set one under another."""
    seps = {MatMul: printer.tight_dot, Hadamard: glyphs.hadamard.strip(), Add: "+", Sub: printer.minus,
            Mul: printer.times.strip()}
    sep = seps.get(type(e))
    if sep is None or not has_grid(e):
        return None
    return [("" if k == 0 else sep, a) for k, a in enumerate(e.args)]


class MatrixEquation:
    """``lhs = form`` on one line, then ``= step = … = value`` with the matrices drawn out.

    Steps that do not fit side by side go one under the other; a step too wide alone is set
    operand by operand; a matrix too wide alone is written row by row, wrapping between numbers.
    """

    def __init__(self, head: str, steps: list[Expr], printer: Printer, glyphs: Glyphs, indent: str = "    ") -> None:
        self.head, self.steps, self.printer, self.glyphs, self.indent = head, steps, printer, glyphs, indent

    def box(self, e: Expr) -> Box:
        return layout(e, self.printer, self.glyphs)

    def lines(self, width: int) -> list[str]:
        """The equation's lines at ``width``; only a matrix row of numbers wider than it all is wrapped."""
        out = self._broken(self.head, "", width)
        if not self.steps:
            return out
        parts: list[Box | str] = [self.indent]
        for k, step in enumerate(self.steps):
            parts += [" = " if k else "= ", self.box(step)]
        together = join(parts)
        if together.width <= width:
            return out + self._lines(together)
        for step in self.steps:
            out += self._fitted(step, self.indent + "= ", width)
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield Text(line, no_wrap=True, overflow="ignore")

    def _broken(self, text: str, lead: str, width: int) -> list[str]:
        """A line of symbols, broken before an operator when too long, continued further in."""
        from .term_layout import break_expression

        text = lead + text
        cont = self.indent * 2
        return [(cont if k else "") + text[a:b] for k, (a, b) in enumerate(break_expression(text, width, cont))]

    def _fitted(self, e: Expr, lead: str, width: int) -> list[str]:
        box = join([lead, self.box(e)])
        if box.width <= width:
            return self._lines(box)
        if isinstance(e, Paren):  # the brackets on lines of their own, the product between them
            return self._fitted(e.args[0], lead + "( ", width) + [" " * len(lead) + ")"]
        pieces = operands(e, self.glyphs, self.printer)
        if pieces is None:
            return self._folded(e, lead, width)
        out: list[str] = []
        for k, (sep, operand) in enumerate(pieces):
            if k == 0:
                sub = lead
            else:  # each operand under the first, its operator before it
                sub = " " * (len(lead) - len(sep) - 1) + sep + " " if sep else " " * len(lead)
            out += self._fitted(operand, sub, width)
        return out

    def _folded(self, e: Expr, lead: str, width: int) -> list[str]:
        """A matrix too wide for the terminal: one line per row, wrapping between its numbers."""
        from .term_layout import wrap_text

        if not isinstance(e, Grid):
            return self._broken(self.printer.doprint(e), lead, width)
        out = wrap_text(lead.rstrip() + f" the {e.shape[0]}{self.glyphs.by}{e.shape[1]} matrix, row by row:", width)
        for r, row in zip(e.layout()[0], e.cells(), strict=True):
            if r is None:
                out.append(f"{self.indent}  {self.glyphs.marks['v']}")
                continue
            numbers = "  ".join(self.glyphs.marks[v] if isinstance(v, str) else self.printer._number(v) for v in row)
            out += wrap_text(f"{self.indent}  row {r + 1}: {numbers}", width, self.indent * 2)
        return out

    @staticmethod
    def _lines(box: Box) -> list[str]:
        return [line.rstrip() for line in box.lines]
