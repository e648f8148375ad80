"""One verdict per blank: right, right by error carried forward (ECF), wrong with its likely cause, or blank.

An answer is right when the true value (the hand-mode value for a sheet with ``carry``),
rounded half away from zero to the answer's own decimals, is the answer, and it is
written with at least the decimals asked.

An answer that is not right is right *by error carried forward* when it is the student's
own earlier numbers, at least one of them wrong, correctly worked on: its last step
redone from the student's answers for its inputs (the givens as given, and any number in
between that the sheet does not answer worked out from those: see :mod:`.ecf`) gives it,
within the rounding of the numbers involved.  That rounding is
the redone value's spread when each of the student's inputs moves by half a unit of its
last written decimal, plus half a unit of the answer's last decimal.  In hand mode the
redone value may also be rounded as hand mode rounds.

Any other answer is wrong, and :class:`~stepnet.verify.judge.Judge` names its likely
cause, as ``stepnet check --claims`` does for a text's numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from ..config.model import Claim
from ..derive.quantities import Quantity
from ..exercise.ask import answer_name
from ..verify.digits import decimals, rounds_to
from ..verify.judge import Judge
from ..verify.variants import Runs, Variant
from .causes import category
from .ecf import World, carried_forward
from .sheet import Answer, Sheet

RIGHT, ECF, WRONG, BLANK = "right", "ECF", "wrong", "blank"


@dataclass(frozen=True)
class Mark:
    """The verdict on one blank."""

    number: int  # 1-based, in the order the iteration computes the blanks
    name: str  # the answer name (the key of answers files)
    q: Quantity
    text: str | None  # the answer as written; None for a blank
    verdict: str  # RIGHT, ECF, WRONG or BLANK
    true: float
    detail: str | None = None  # for a wrong answer its likely cause, for ECF what it was worked from
    cause: str | None = None  # a wrong answer's cause in a few words, for the class summary
    places: int = 0  # decimals the answer is written with


class SheetRuns(Runs):
    """The sheet's config run once per variant, its own hand mode (``carry``) taking the place of full precision."""

    def __init__(self, sheet: Sheet) -> None:
        super().__init__(sheet.config, 1, [1])
        self.carry = sheet.carry

    def _run(self, variant: Variant):
        if variant.carry is None and self.carry is not None:
            variant = replace(variant, carry=self.carry)
        return super()._run(variant)


class Marker:
    """Grades one sheet, blank by blank in the order of computation (so an input's verdict is known first)."""

    def __init__(self, sheet: Sheet, min_decimals: int = 3) -> None:
        self.sheet, self.min_decimals = sheet, min_decimals
        self.names = sheet.names
        self.runs = SheetRuns(sheet)
        it = self.runs.iteration(1)
        self.batch = it.batch_size if it is not None else sheet.config.effective_batch_size
        self.given = {a.q: a for a in sheet.answers if a.text is not None}
        self.verdicts: dict[Quantity, str] = {}
        self.answer_name = answer_name
        self.claims = {(1, a.q): Claim(a.key, a.text, float(a.text), 1, a.line) for a in self.given.values()}

    def marks(self) -> list[Mark]:
        result = []
        for number, a in enumerate(self.sheet.answers, 1):
            m = self.mark(number, a)
            self.verdicts[a.q] = m.verdict
            result.append(m)
        return result

    def true(self, q: Quantity) -> float:
        x = self.runs.value(q, 1)
        return math.nan if x is None else x

    def mark(self, number: int, a: Answer) -> Mark:
        true = self.true(a.q)
        mark = Mark(number, self.answer_name(a.q, self.names), a.q, a.text, BLANK, true)
        if a.text is None:
            return mark
        places = decimals(a.text)
        mark = replace(mark, places=places)
        if not math.isfinite(true):
            return replace(mark, verdict=WRONG, detail=f"the true value is {true}: training diverged",
                           cause="training diverged")
        if places < self.min_decimals and not _exact(a.text, true):
            why = f"too few decimals ({places}; at least {self.min_decimals} asked)"
            return replace(mark, verdict=WRONG, detail=why, cause="too few decimals")
        if rounds_to(true, a.text, places):
            return replace(mark, verdict=RIGHT)
        carried = self.carried(a)
        if carried:
            return replace(mark, verdict=ECF, detail=carried)
        detail = Judge(self.claims[(1, a.q)], a.q, self.names, self.runs, self.claims).cause()
        return replace(mark, verdict=WRONG, detail=detail.removeprefix("likely cause: "), cause=category(detail))

    def carried(self, a: Answer) -> str | None:
        """What the answer was correctly worked on from, if it carries the student's own wrong numbers forward."""
        answers = {q: x.text for q, x in self.given.items()}
        world = World(self.names, self.batch, answers, self.true, self.sheet.carry)
        wrong = {q for q, v in self.verdicts.items() if v in (WRONG, ECF)}
        return carried_forward(a.q, a.text, world, wrong, lambda q: self.answer_name(q, self.names))


def _exact(text: str, true: float) -> bool:
    """Whether the answer is the true value exactly (0.35 for a value that is 0.35): no decimals are missing."""
    return abs(Decimal(text) - Decimal(repr(true))) <= Decimal(repr(1e-12 * max(1.0, abs(true))))


def grade_sheet(sheet: Sheet, min_decimals: int = 3) -> list[Mark]:
    """The verdict on every blank of ``sheet``."""
    return Marker(sheet, min_decimals).marks()
