"""Tables for the terminal, drawn as rich draws them, and never with a number cut short.

A table that fits is drawn with each column as wide as its widest cell.  One that does not
first wraps its text cells between words (numbers are never wrapped); if it still does
not fit, its columns are split over several tables one under the other, each repeating
the first column when that names the rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from .term_layout import Lines, Out, Span, width_of, wrap_text

Cell = str | Span  # text, or text with a style

# the box pieces: top (left, line, cross, right), header row, header rule, body row, bottom
_HEAVY_HEAD = (("┏", "━", "┳", "┓"), ("┃", "┃", "┃"), ("┡", "━", "╇", "┩"), ("│", "│", "│"), ("└", "─", "┴", "┘"))
_SQUARE_TOP = ("┌", "─", "┬", "┐")
_ASCII = (("+", "-", "-", "+"), ("|", "|", "|"), ("|", "-", "+", "|"), ("|", "|", "|"), ("+", "-", "-", "+"))


class TextTable:
    """Columns of cells between box lines; ``right`` says which columns are right-aligned (numbers)."""

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[Cell]], right: Sequence[bool],
                 ascii_only: bool = False, show_header: bool = True, title: str = "", title_style: str = "") -> None:
        self.columns = list(columns)
        n = len(self.columns)
        self.rows = [[_cell(r[i]) if i < len(r) else ("", "") for i in range(n)] for r in rows]
        self.right = list(right)
        self.ascii_only, self.show_header = ascii_only, show_header and any(self.columns)
        self.title, self.title_style = title, title_style

    # ------------------------------------------------------------ widths

    def _natural(self, i: int) -> int:
        heads = [width_of(self.columns[i])] if self.show_header else []
        return max(heads + [width_of(r[i][0]) for r in self.rows] + [1])

    def _least(self, i: int) -> int:
        """The narrowest column ``i`` can be: its longest number, or its longest word."""
        words = self.columns[i].split(" ") if self.show_header else []
        if self.right[i]:
            return max([width_of(w) for w in words] + [width_of(r[i][0]) for r in self.rows] + [1])
        return max([width_of(w) for w in words] + [width_of(w) for r in self.rows for w in r[i][0].split(" ")] + [1])

    @staticmethod
    def _frame(count: int) -> int:
        return 3 * count + 1

    def _groups(self, width: int, least: list[int]) -> list[list[int]]:
        """The columns of each table the rows are split over."""
        n = len(self.columns)
        if sum(least) + self._frame(n) <= width or n < 2:
            return [list(range(n))]
        key = [0] if n > 2 and not self.right[0] else []
        groups: list[list[int]] = []
        current = list(key)
        for i in range(len(key), n):
            trial = current + [i]
            if len(current) > len(key) and sum(least[k] for k in trial) + self._frame(len(trial)) > width:
                groups.append(current)
                current = key + [i]
            else:
                current = trial
        groups.append(current)
        return groups

    @staticmethod
    def _shrink(widths: list[int], least: list[int], room: int) -> list[int]:
        """Narrow the widest text columns first until the contents fit in ``room``."""
        widths = list(widths)
        while sum(widths) > room:
            wide = [k for k in range(len(widths)) if widths[k] > least[k]]
            if not wide:
                break
            k = max(wide, key=lambda j: widths[j])
            widths[k] -= 1
        return widths

    # ------------------------------------------------------------ drawing

    def lines(self, width: int) -> list[Out]:
        out: list[Out] = []
        if self.title:
            out += [[(s, self.title_style)] for s in wrap_text(self.title, width)]
        natural = [self._natural(i) for i in range(len(self.columns))]
        if sum(natural) + self._frame(len(natural)) <= width:
            return out + self._draw(list(range(len(natural))), natural)
        least = [min(a, b) for a, b in zip(self._least_all(), natural, strict=True)]
        for g, cols in enumerate(self._groups(width, least)):
            room = width - self._frame(len(cols))
            widths = self._shrink([natural[i] for i in cols], [least[i] for i in cols], room)
            if sum(widths) > room:  # a word wider than any column can be: the text columns share what is left
                texts = [k for k, i in enumerate(cols) if not self.right[i]]
                left = room - sum(w for k, w in enumerate(widths) if k not in texts)
                for k in texts:
                    widths[k] = max(1, left // len(texts))
            out += ([""] if g else []) + self._draw(cols, widths)
        return out

    def _least_all(self) -> list[int]:
        return [self._least(i) for i in range(len(self.columns))]

    def _draw(self, cols: list[int], widths: list[int]) -> list[Out]:
        top, head, rule, body, bottom = _ASCII if self.ascii_only else _HEAVY_HEAD
        if not self.show_header and not self.ascii_only:
            top = _SQUARE_TOP
        out: list[Out] = [_edge(top, widths)]
        if self.show_header:
            out += self._row([(self.columns[i], "bold") for i in cols], cols, widths, head)
            out.append(_edge(rule, widths))
        for r in self.rows:
            out += self._row([r[i] for i in cols], cols, widths, body)
        out.append(_edge(bottom, widths))
        return out

    def _row(self, cells: list[Span], cols: list[int], widths: list[int], bars: tuple[str, str, str]) -> list[Out]:
        sizes = [width_of(text) for text, _ in cells]
        wrapped = [wrap_text(text, w, "") if size > w else [text]
                   for (text, _), w, size in zip(cells, widths, sizes, strict=True)]
        height = max(len(c) for c in wrapped)
        out: list[Out] = []
        for h in range(height):
            spans: list[Span] = [(bars[0], "")]
            for k, (lines, i, w) in enumerate(zip(wrapped, cols, widths, strict=True)):
                text = lines[h] if h < len(lines) else ""
                size = sizes[k] if height == 1 else width_of(text)
                pad = " " * max(w - size, 0)
                spans.append((" " + pad if self.right[i] else " ", ""))
                spans.append((text, cells[k][1]))
                spans.append(((" " if self.right[i] else pad + " ") + (bars[1] if k < len(cols) - 1 else bars[2]), ""))
            out.append(_merge(spans))
        return out

    def __rich_console__(self, console, options):
        yield Lines([self.lines])


def _cell(c) -> Span:
    if isinstance(c, tuple):
        return c
    return (str(c), "")


def _edge(pieces: tuple[str, str, str, str], widths: list[int]) -> str:
    left, line, cross, right = pieces
    return left + cross.join(line * (w + 2) for w in widths) + right


def _merge(spans: list[Span]) -> Out:
    """Neighbouring spans of one style as one; a line of no style as a plain string."""
    out: list[Span] = []
    for text, style in spans:
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        elif text:
            out.append((text, style))
    if not out:
        return ""
    return out[0][0] if len(out) == 1 and not out[0][1] else out
