"""Numbers written as Python literals: exact (repr), wrapped to a readable width, with comments."""

from __future__ import annotations

import textwrap

WIDTH = 100  # characters per line of a generated script


def num(x: float) -> str:
    """A float as Python writes it back exactly: ``float(num(x)) == x``."""
    return repr(float(x))


def vector(values) -> str:
    return "[" + ", ".join(num(v) for v in values) + "]"


def packed(items: list[str], indent: str, width: int = WIDTH) -> list[str]:
    """Items separated by commas, as many to a line as fit (each line ends with a comma)."""
    lines, line = [], ""
    for item in items:
        piece = f"{item},"
        if line and len(indent) + len(line) + 1 + len(piece) > width:
            lines.append(indent + line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    if line:
        lines.append(indent + line)
    return lines


def comment(code: str, text: str) -> str:
    """``code  # text``; a comment too long for the line goes on lines of its own above the code."""
    if not text:
        return code
    line = f"{code}  # {text}"
    if len(line) <= WIDTH:
        return line
    indent = code[: len(code) - len(code.lstrip())]
    notes = textwrap.wrap(text, WIDTH - len(indent) - 2, break_on_hyphens=False)
    return "\n".join(f"{indent}# {note}" for note in notes) + "\n" + code


def note(indent: str, text: str) -> list[str]:
    """A comment on lines of its own, wrapped."""
    return [f"{indent}# {line}" for line in textwrap.wrap(text, WIDTH - len(indent) - 2, break_on_hyphens=False)]


def matrix(rows, indent: str, notes: list[str] | None = None, width: int = WIDTH) -> list[str]:
    """A list of rows, one row to a line (wrapped if long), each with its comment from ``notes``.

    The first line is the opening bracket's line without indent; the last ends with ``]``.
    """
    inner = indent + "    "
    one_line = "[" + ", ".join(vector(r) for r in rows) + "]"
    if not notes and len(inner) + len(one_line) <= width:
        return [one_line]
    lines = ["["]
    for k, row in enumerate(rows):
        text = vector(row) + ","
        note = notes[k] if notes else ""
        if len(inner) + len(text) <= width:
            lines.append(comment(inner + text, note))
            continue
        if note:
            lines.append(f"{inner}# {note}")
        lines.append(inner + "[")
        lines += packed([num(v) for v in row], inner + "    ", width)
        lines.append(inner + "],")
    lines.append(indent + "]")
    return lines


def names_table(names: dict[str, list], indent: str = "    ") -> list[str]:
    """``"W_h": [["w1", "w2"], ...],`` for each parameter key, wrapped."""
    lines = []
    for key, layout in names.items():
        nested = bool(layout) and isinstance(layout[0], list)
        rows = layout if nested else [layout]
        text = ", ".join("[" + ", ".join(f'"{n}"' for n in row) + "]" for row in rows)
        text = f"[{text}]" if nested else text
        line = f'{indent}"{key}": {text},'
        if len(line) <= WIDTH:
            lines.append(line)
            continue
        lines.append(f'{indent}"{key}": [')
        for row in rows:
            items = [f'"{n}"' for n in row]
            if nested:
                lines.append(indent + "    [")
                lines += packed(items, indent + "        ")
                lines.append(indent + "    ],")
            else:
                lines += packed(items, indent + "    ")
        lines.append(indent + "],")
    return lines


def optimizer_constants(opt) -> list[str]:
    """The optimizer's settings as the constants both scripts define (none for plain SGD)."""
    if opt.name == "momentum":
        return [comment(f"MOMENTUM = {num(opt.momentum)}", "mu")]
    if opt.name == "adam":
        return [f"BETA1 = {num(opt.beta1)}", f"BETA2 = {num(opt.beta2)}", f"EPSILON = {num(opt.epsilon)}"]
    return []
