"""Error carried forward: is a wrong answer the student's own earlier numbers, correctly worked on?

The student's *world* is the iteration as the student worked it: the student's own answer
for every quantity the sheet answers, the true value for every given (inputs, targets,
weights before the update), and for a quantity in between that the sheet does not answer
(asked or not) its step redone from the student's world, when any of its inputs comes from
the student's answers (else its true value).  In hand mode such a redone value is rounded
to the sheet's decimals, as hand mode rounds every intermediate value.

An answer is carried forward when its own step, redone in the student's world, gives it
within the rounding of the numbers involved, and at least one of the student's answers it
rests on is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

from ..derive.names import Names
from ..derive.quantities import Quantity
from ..derive.recompute import recompute
from ..engine.rounding import round_half_away
from ..verify.digits import decimals

SLACK = Decimal("1e-12")  # float noise in a redone value, far below any written decimal
MAX_LISTED = 3  # the student's wrong numbers named in a verdict


class World:
    """The iteration as the student worked it; ``nudge`` moves one of the student's numbers by a little."""

    def __init__(self, names: Names, batch: int, answers: dict[Quantity, str], true: Callable[[Quantity], float],
                 carry: int | None, nudge: tuple[Quantity, float] | None = None) -> None:
        self.names, self.batch, self.answers, self.true, self.carry = names, batch, answers, true, carry
        self.nudge = nudge
        self.memo: dict[Quantity, tuple[float, frozenset[Quantity]]] = {}

    def get(self, q: Quantity) -> float:
        return self.resolve(q)[0]

    def resolve(self, q: Quantity) -> tuple[float, frozenset[Quantity]]:
        """``q``'s value in the student's world, and the student's answers it rests on."""
        if q not in self.memo:
            self.memo[q] = self._resolve(q)
        return self.memo[q]

    def _resolve(self, q: Quantity) -> tuple[float, frozenset[Quantity]]:
        if q in self.answers:
            shift = self.nudge[1] if self.nudge and self.nudge[0] == q else 0.0
            return float(self.answers[q]) + shift, frozenset((q,))
        done = self.redo(q)
        if done is None or not done[1]:
            return self.true(q), frozenset()
        value, rests_on = done
        if self.carry is not None and math.isfinite(value):
            value = float(round_half_away(value, self.carry))
        return value, rests_on

    def redo(self, q: Quantity) -> tuple[float, frozenset[Quantity]] | None:
        """``q``'s own step redone from this world, and the student's answers its inputs rest on."""
        done = recompute(q, self.names, self.batch, self.get)
        if done is None:
            return None
        value, used = done
        return value, frozenset().union(*(self.resolve(u)[1] for u in used))


def carried_forward(q: Quantity, text: str, world: World, wrong: set[Quantity],
                    label: Callable[[Quantity], str]) -> str | None:
    """How the answer ``text`` for ``q`` was correctly worked on from wrong numbers, or None if it was not.

    ``wrong`` holds the student's answers already judged wrong (or themselves carried forward).
    """
    done = world.redo(q)
    if done is None or not math.isfinite(done[0]):
        return None
    value, rests_on = done
    bad = [x for x in world.answers if x in rests_on and x in wrong]
    if not bad:
        return None  # nothing wrong to carry: a slip of its own, or right numbers rounded too early
    places = decimals(text)
    allowed = spread(q, value, rests_on, world) + Decimal(5).scaleb(-places - 1) + SLACK
    candidates = [value] + ([float(round_half_away(value, world.carry))] if world.carry is not None else [])
    if not any(abs(Decimal(text) - Decimal(repr(c))) <= allowed for c in candidates):
        return None
    listed = ", ".join(f"{label(x)} = {world.answers[x]}" for x in bad[:MAX_LISTED])
    more = f" and {len(bad) - MAX_LISTED} more" if len(bad) > MAX_LISTED else ""
    return f"worked on correctly from your own {listed}{more}: your numbers give {_shown(value, places)}"


def spread(q: Quantity, value: float, rests_on: frozenset[Quantity], world: World) -> Decimal:
    """How far ``q``'s redone value moves when each answer it rests on moves by half a unit of its last decimal."""
    total = Decimal(0)
    for x in rests_on:
        h = float(Decimal(5).scaleb(-decimals(world.answers[x]) - 1))
        moved = [0.0]
        for step in (h, -h):
            nudged = World(world.names, world.batch, world.answers, world.true, world.carry, (x, step))
            done = nudged.redo(q)
            if done is not None and math.isfinite(done[0]):
                moved.append(abs(done[0] - value))
        total += Decimal(repr(max(moved)))
    return total


def _shown(value: float, places: int) -> str:
    from ..engine.rounding import format_number

    return format_number(value, max(places + 2, 9))
