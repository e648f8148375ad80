"""Points: what each blank is worth (``--points forward=1,backward=2,w5+=3``), and a sheet's score.

By default every blank is worth one point.  A weight can be given to a group (``forward``,
``backward``, ``update``, or ``all``) or to one blank by name; a name's weight wins over its
group's.  A blank scores its weight when it is right, or right by error carried forward
unless ECF points are withheld (``--no-ecf``: the verdict still says ECF).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..derive.quantities import Quantity, QuantityError
from ..errors import UsageError
from .marking import ECF, RIGHT, Mark
from .sheet import Sheet

ALL = "all"
EXAMPLE = "forward=1,backward=2,w5+=3"


@dataclass(frozen=True)
class Points:
    """Weights by group and by blank name, as ``--points`` gives them."""

    groups: dict[str, Decimal] = field(default_factory=dict)
    names: dict[str, Decimal] = field(default_factory=dict)  # as written on the command line

    def weights(self, sheet: Sheet) -> dict[Quantity, Decimal]:
        """The weight of every blank of ``sheet``."""
        from ..exercise.ask import group_of

        named = self.named(sheet)
        result = {}
        for a in sheet.answers:
            weight = self.groups.get(group_of(a.q), self.groups.get(ALL, Decimal(1)))
            result[a.q] = named.get(a.q, weight)
        return result

    def named(self, sheet: Sheet) -> dict[Quantity, Decimal]:
        """The blanks of ``sheet`` that the named weights name."""
        from ..derive.quantity_parser import parse

        asked = {a.q for a in sheet.answers}
        names = sheet.names
        found = {}
        for key, weight in self.names.items():
            try:
                q = parse(key, names)
            except (QuantityError, UsageError):
                continue
            if q in asked:
                found[q] = weight
        return found


def parse_points(spec: str | None) -> Points:
    """``forward=1,backward=2,w5+=3`` read; a :class:`UsageError` saying how to write it otherwise."""
    from ..exercise.ask import GROUPS

    if spec is None:
        return Points()
    groups: dict[str, Decimal] = {}
    names: dict[str, Decimal] = {}
    for item in re.split(r",(?![0-9])", spec):
        key, sep, amount = item.strip().rpartition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--points: {item.strip()!r} gives no weight", hint=f"write KEY=POINTS, e.g. {EXAMPLE}")
        weight = _weight(amount.strip(), key)
        if key.lower() in (*GROUPS, ALL):
            groups[key.lower()] = weight
        else:
            names[key] = weight
    return Points(groups, names)


def _weight(text: str, key: str) -> Decimal:
    try:
        weight = Decimal(text)
    except InvalidOperation:
        weight = None
    if weight is None or not weight.is_finite() or weight < 0 or not re.fullmatch(r"[0-9]*\.?[0-9]+", text):
        raise UsageError(f"--points: {key} = {text!r} is not a number of points",
                         hint=f"give 0 or more points, such as 2 or 0.5: {EXAMPLE}")
    return weight


def check_points(points: Points, sheets: list[Sheet]) -> None:
    """A :class:`UsageError` for a named weight that names no blank of any sheet, listing the valid keys."""
    from ..exercise.ask import GROUPS, answer_name

    for key in points.names:
        if not any(Points(names={key: Decimal(1)}).named(sheet) for sheet in sheets):
            blanks = list(dict.fromkeys(answer_name(a.q, s.names) for s in sheets for a in s.answers))
            shown = ", ".join(blanks[:20]) + (", ..." if len(blanks) > 20 else "")
            close = difflib.get_close_matches(key, [*GROUPS, ALL, *blanks], n=1, cutoff=0.6)
            guess = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"--points: {key!r} is neither a group nor a blank of the answers files{guess}",
                             hint=f"valid keys: {', '.join((*GROUPS, ALL))}" + (f", or a blank: {shown}" if blanks
                                                                               else ""))


@dataclass(frozen=True)
class Score:
    """The marks of one sheet with their points."""

    marks: list[Mark]
    weights: list[Decimal]
    earned: list[Decimal]

    @property
    def score(self) -> Decimal:
        return sum(self.earned, Decimal(0))

    @property
    def total(self) -> Decimal:
        return sum(self.weights, Decimal(0))


def score(sheet: Sheet, marks: list[Mark], points: Points, ecf_points: bool = True) -> Score:
    weights = points.weights(sheet)
    scoring = (RIGHT, ECF) if ecf_points else (RIGHT,)
    w = [weights[m.q] for m in marks]
    return Score(marks, w, [x if m.verdict in scoring else Decimal(0) for m, x in zip(marks, w, strict=True)])


def points_text(x: Decimal) -> str:
    """2, 2.5, 0: no exponent, no trailing zeros."""
    text = format(x.normalize(), "f")
    return "0" if x == 0 else text
