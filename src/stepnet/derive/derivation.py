"""The worked lines of a derivation, and the data types every output prints them from.

Every worked line is a :class:`Line`: a left-hand side, one or more symbolic forms, the
same tree with the numbers put in, and the value the engine computed.  The terminal,
Markdown and explain outputs all print these same lines, so they cannot disagree.
Lines are grouped in a :class:`Block`, blocks in a :class:`Derivation`.  The phases that
build the lines (:mod:`.forward`, :mod:`.backward`, :mod:`.gradients`, :mod:`.updates`)
all write sums with :func:`long_sum`, which keeps a sum of many terms short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..engine.rounding import carry_text, format_number
from .expr import Add, Expr, Text

MAX_TERMS = 10  # longer sums show their first and last terms around an ellipsis
FULL_PRECISION = "the value is computed at full precision"


def computed_from(carry: int | None) -> str:
    """How a line's value is computed: at full precision, or (hand mode) from the numbers carried."""
    if carry is None:
        return FULL_PRECISION
    return f"the value is computed from the numbers carried to {carry_text(carry)}"


def mark_carried(lines: Iterable, carry: int | None) -> None:
    """Say on each of ``lines`` how its value is computed: needed in hand mode only."""
    if carry is None:
        return
    clause = computed_from(carry)
    for ln in lines:
        if isinstance(ln, Line):
            ln.computed = clause


@dataclass
class Formatter:
    places: int = 9
    sig: int | None = None

    def __call__(self, x: float) -> str:
        return format_number(x, self.places, self.sig)

    def padded(self, x: float) -> str:
        """Every place shown, trailing zeros included: for a rounded result, 0.018725610."""
        return format_number(x, self.places, self.sig, pad=True)


@dataclass
class Line:
    lhs: Expr
    forms: list[Expr]  # symbolic right-hand sides, in order
    value: float | None = None
    numeric: Expr | None = None  # the last form with numbers put in
    note: str | tuple = ""  # where the line comes from: text, or (text, Expr, text, ...) pieces
    # where the rounded numbers shown do not give the rounded value: what they give instead
    shown_result: str | None = None
    computed: str = FULL_PRECISION  # how the value itself is computed, said beside shown_result

    def rounded_note(self, minus: str = "−") -> str:
        """The † note of a line whose rounded numbers do not give its shown value: what they give,
        and how the value is computed instead; "" for a line whose numbers give its value."""
        if self.shown_result is None:
            return ""
        return f"† the rounded numbers shown give {self.shown_result.replace('-', minus)}; {self.computed}"


@dataclass
class Block:
    title: str
    lines: list[Line] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    omitted: str = ""  # what a long block left out, and how to see it


@dataclass
class Derivation:
    title: str
    blocks: list[Block]
    notes: list[str] = field(default_factory=list)


def long_sum(terms: list[Expr]) -> Expr:
    """The terms added up; past MAX_TERMS only the first four and the last two, around a count."""
    if len(terms) == 1:
        return terms[0]
    if len(terms) > MAX_TERMS:
        hidden = len(terms) - 6
        terms = terms[:4] + [Text(f"… {hidden} more terms …")] + terms[-2:]
    return Add(*terms)


def long_sum_of(count: int, term: Callable[[int], Expr]) -> Expr:
    """``long_sum([term(k) for k in range(count)])``, making only the terms it shows.

    A neuron of a 784-input layer shows 6 of its 785 terms: the other 779 are never built.
    """
    if count <= MAX_TERMS:
        return long_sum([term(k) for k in range(count)])
    # placeholders where long_sum leaves terms out, so the elision is long_sum's own
    return long_sum([term(k) for k in range(4)] + [None] * (count - 6) + [term(count - 2), term(count - 1)])

