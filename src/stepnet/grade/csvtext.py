"""The marks as CSV, one row per answers file, safe to open in a spreadsheet.

Columns: file, student, score, total, then one per blank by name (the union of every
file's blanks, so sheets of different exercises still get a row each), with the verdict:
``right``, ``ECF``, ``wrong: <cause>``, ``blank``, or nothing where the sheet has no such
blank.  A file that could not be read gets a row too, with the reason in a last ``error``
column.

A cell that a spreadsheet would read as a formula (one starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading ``'``, which spreadsheets show
as text; control and bidirectional characters are written as their escapes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..errors import printable
from .marking import BLANK, ECF, RIGHT, WRONG, Mark
from .points import Score, points_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEAD = ("file", "student", "score", "total")


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it, never run as a formula."""
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return printable(text)


def verdict_cell(m: Mark) -> str:
    return {RIGHT: "right", ECF: "ECF", BLANK: "blank"}.get(m.verdict) or f"{WRONG}: {m.cause}"


def marks_csv(rows: Sequence[tuple[str, str | None, Score | None, str | None]]) -> str:
    """The CSV text of one row per answers file: (file, student, score, None) for a graded sheet,
    (file, None, None, why) for a file that could not be read, in the order given."""
    blanks = list(dict.fromkeys(m.name for _, _, s, _ in rows if s for m in s.marks))
    failed = any(why is not None for *_, why in rows)
    table = [[*HEAD, *blanks] + (["error"] if failed else [])]
    for path, student, s, why in rows:
        if s is None:
            row = [path, "", "", "", *("" for _ in blanks)]
        else:
            cells = {m.name: verdict_cell(m) for m in s.marks}
            row = [path, student or "", points_text(s.score), points_text(s.total), *(cells.get(b, "") for b in blanks)]
        table.append(row + ([why or ""] if failed else []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows([safe_cell(c) for c in row] for row in table)
    return buffer.getvalue()
