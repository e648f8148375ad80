"""A class's results at a glance: the average score, and the blanks most students got wrong, and why.

"dE_total/dw1: 14 of 30 wrong, 9 of them carried rounding" is the line a teacher wants:
which step to go over again, and what went wrong in it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .marking import BLANK, ECF, WRONG
from .points import Score

MOST_MISSED = 5  # blanks listed
CAUSES_LISTED = 2  # causes named per blank


@dataclass
class BlankTally:
    """How one blank went across the class."""

    name: str
    students: int = 0
    wrong: int = 0
    carried: int = 0  # ECF
    blank: int = 0
    causes: Counter = field(default_factory=Counter)

    def line(self) -> str:
        """``dE_total/dw1: 14 of 30 wrong, 9 of them carried rounding, 3 digits swapped; 2 left blank``."""
        text = f"{self.name}: {self.wrong} of {self.students} wrong"
        named = [(cause, n) for cause, n in self.causes.most_common(CAUSES_LISTED) if cause]
        if named:
            first, rest = named[0], named[1:]
            text += f", {first[1]} of them {first[0]}" + "".join(f", {n} {cause}" for cause, n in rest)
        extra = []
        if self.carried:
            extra.append(f"{self.carried} right by error carried forward")
        if self.blank:
            extra.append(f"{self.blank} left blank")
        return text + ("; " + ", ".join(extra) if extra else "")


@dataclass(frozen=True)
class ClassSummary:
    students: int
    average_percent: Decimal
    average_score: Decimal | None  # when every sheet has the same total
    total: Decimal | None
    missed: list[BlankTally]


def summarize(scores: list[Score]) -> ClassSummary:
    """The class summary of several graded sheets."""
    tallies: dict[str, BlankTally] = {}
    for s in scores:
        for m in s.marks:
            t = tallies.setdefault(m.name, BlankTally(m.name))
            t.students += 1
            if m.verdict == WRONG:
                t.wrong += 1
                t.causes[m.cause] += 1
            elif m.verdict == ECF:
                t.carried += 1
            elif m.verdict == BLANK:
                t.blank += 1
    percents = [s.score / s.total * 100 if s.total else Decimal(0) for s in scores]
    average = sum(percents, Decimal(0)) / len(percents) if percents else Decimal(0)
    totals = {s.total for s in scores}
    same = len(totals) == 1 and scores
    mean = sum((s.score for s in scores), Decimal(0)) / len(scores) if same else None
    order = {name: i for i, name in enumerate(tallies)}
    missed = sorted((t for t in tallies.values() if t.wrong), key=lambda t: (-t.wrong, order[t.name]))
    return ClassSummary(len(scores), average, mean, totals.pop() if same else None, missed[:MOST_MISSED])
