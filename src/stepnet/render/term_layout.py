"""Laying text out for the terminal at a given width, without ever cutting a number.

Every function here returns plain lines (a line is a string, or a list of ``(text, style)``
spans) no wider than the width asked for.  Prose wraps between words; an expression breaks
before an operator, its continuation indented; a rule's title wraps rather than shrinks; a
table too wide for the width folds its text cells, then splits its columns over several
tables.  Only a single word wider than the whole width is ever folded, and then never
between two digits of a number when any other place will do.

:class:`Lines` is the rich renderable over such lines: it lays out at the console's width
and yields the segments directly, with none of rich's own measuring and wrapping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Union

Span = tuple[str, str]  # text and a rich style ("" for none)
Out = Union[str, list[Span]]  # one output line
Layout = Callable[[int], list[Out]]  # lays something out at a width

_NUMBER_CHAR = re.compile(r"[0-9.]")
# every character that may take two cells (CJK, emoji and their neighbours); none of stepnet's own glyphs
_MAYBE_WIDE = re.compile("[\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ff\u25fd\u25fe\u2600-\u27bf"
                         "\u2b00-\u2bff\u2e80-\U0010ffff]")


def width_of(s: str) -> int:
    """Cells ``s`` takes on a terminal: one a character, but two for a wide (East Asian, emoji) one."""
    if s.isascii() or not _MAYBE_WIDE.search(s):
        return len(s)
    from rich.cells import cell_len

    return cell_len(s)


def _fold(word: str, width: int) -> list[str]:
    """A word wider than ``width`` in pieces, each cut where it does not split a number if possible."""
    out = []
    while len(word) > width:
        cut = width
        while cut > 1 and _NUMBER_CHAR.match(word[cut - 1]) and _NUMBER_CHAR.match(word[cut]):
            cut -= 1
        if cut <= 1:
            cut = width
        out.append(word[:cut])
        word = word[cut:]
    return out + [word]


def wrap_text(text: str, width: int, indent: str | None = None) -> list[str]:
    """Prose between words in lines of at most ``width``; continuations get ``indent``
    (by default the text's own leading spaces)."""
    text = text.expandtabs(8)  # a tab is as wide as the spaces a terminal shows for it, never a raw tab
    if width_of(text) <= width:
        return [text]
    lead = text[: len(text) - len(text.lstrip(" "))]
    indent = lead if indent is None else indent
    if len(indent) * 2 > width:
        indent = ""
    lines: list[str] = []
    line, used, empty = lead, len(lead), True
    for word in text[len(lead):].split(" "):
        w = width_of(word)
        if used + w + (0 if empty else 1) <= width:
            line, used, empty = line + (word if empty else " " + word), used + w + (0 if empty else 1), False
            continue
        if not empty:
            lines.append(line)
            line, used = indent, len(indent)
        room = max(width - used, 1)
        pieces = _fold(word, room) if w > room else [word]
        for piece in pieces[:-1]:
            lines.append(line + piece)
            line, used = indent, len(indent)
        line, used, empty = line + pieces[-1], used + width_of(pieces[-1]), False
    lines.append(line)
    return lines


# ---------------------------------------------------------------- expressions

_SPACED = {"=": 0, "+": 1, "−": 1, "-": 1, "×": 2, "·": 2, "*": 2, "⊙": 2}  # operators between spaces
_TIGHT = "×·*"  # operators written without spaces (0.5×0.08), a second choice


@lru_cache(maxsize=4096)
def _breaks(text: str) -> tuple[tuple[int, int], ...]:
    """Where ``text`` may break, as (position, rank): before an operator, lower ranks first.

    The rank grows with the depth of parentheses; = comes before + and −, those before
    products; an operator without spaces, or a bare space, only when nothing else fits.
    """
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch in "([{⎛⎡":
            depth += 1
        elif ch in ")]}⎞⎤":
            depth -= 1
        elif i and text[i - 1] == " ":
            spaced = ch in _SPACED and (i + 1 == len(text) or text[i + 1] == " ")
            if spaced:
                out.append((i, depth * 3 + _SPACED[ch]))
            elif text.startswith(".* ", i):
                out.append((i, depth * 3 + 2))
            elif ch != " ":
                out.append((i, 2000 + depth))
        elif ch in _TIGHT and i and text[i - 1] != " ":
            out.append((i, 1000 + depth))
    return tuple(out)


def break_expression(text: str, width: int, indent: str) -> list[tuple[int, int]]:
    """``text`` (an equation, its lead included) as ``(start, end)`` slices, one a line: the first
    at column 0, every other after ``indent``, each broken just before an operator."""
    if width_of(text) <= width:
        return [(0, len(text))]
    breaks = _breaks(text)
    out, start, avail = [], 0, width
    while width_of(text[start:]) > avail:
        fits = [(p, r) for p, r in breaks
                if start < p and text[start:p].strip() and width_of(text[start:p].rstrip()) <= avail]
        good = [(p, r) for p, r in fits if r < 1000 and width_of(text[start:p]) * 2 >= avail] or fits
        if good:
            best = min(r for _, r in good)
            cut = max(p for p, r in good if r == best)
        else:  # one word wider than the line: fold it, if possible not inside a number
            cut = start + len(_fold(text[start:], avail)[0])
        out.append((start, len(text[:cut].rstrip())))
        start, avail = cut, max(width - len(indent), 1)
    out.append((start, len(text)))
    return out


def styled_slices(text: str, slices: list[tuple[int, int]], indent: str, bold_from: int | None) -> list[Out]:
    """The lines of :func:`break_expression`, the part from ``bold_from`` on in bold."""
    lines: list[Out] = []
    for k, (a, b) in enumerate(slices):
        lead = indent if k else ""
        if bold_from is None or b <= bold_from:
            lines.append(lead + text[a:b])
        else:
            m = max(a, bold_from)
            lines.append([(lead + text[a:m], ""), (text[m:b], "bold")])
    return lines


# ---------------------------------------------------------------- rules


def rule_lines(title: str, width: int, char: str, center: bool, style: str) -> list[Out]:
    """A rule across the width, its title in it: centred, or at the left; a long title wraps."""
    room = width - (4 if center else 2)
    if not title or room <= 0:
        return [char * width]
    out: list[Out] = []
    for piece in wrap_text(title, room, ""):
        n = width_of(piece)
        if center:
            left = (width - n) // 2 - 1
            out.append([(char * left + " ", ""), (piece, style), (" " + char * (width - left - n - 2), "")])
        else:
            out.append([(piece, style), (" " + char * (width - n - 1), "")])
    return out


# ---------------------------------------------------------------- the renderable


class Lines:
    """A rich renderable of layouts: each is called with the console's width and gives lines."""

    def __init__(self, layouts: Iterable[Layout]) -> None:
        self.layouts = list(layouts)

    def lines(self, width: int) -> list[Out]:
        return [line for layout in self.layouts for line in layout(width)]

    __call__ = lines  # a Lines is a layout too, to go inside another

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        newline = Segment.line()
        styles = _styles()
        for line in self.lines(options.max_width):
            if isinstance(line, str):
                yield Segment(line)
            else:
                for text, style in line:
                    if text:
                        yield Segment(text, (styles.get(style) or _style(style)) if style else None)
            yield newline


@lru_cache(maxsize=1)
def _styles() -> dict:
    return {"": None}


def _style(name: str):
    from rich.style import Style

    style = _styles()[name] = Style.parse(name)
    return style


def text_layout(text: str, style: str = "") -> Layout:
    """Prose, each of its lines wrapped between words (continuations keep its indent)."""
    def layout(width: int) -> list[Out]:
        out: list[Out] = []
        for part in text.split("\n"):
            lines = wrap_text(part, width)
            out += [[(s, style)] for s in lines] if style else lines
        return out

    return layout


def lines_of(items: Sequence[Out]) -> Layout:
    """Lines fixed in advance (a blank line, a chart)."""
    return lambda width: list(items)
