"""Judging one claim: does it hold, and if not, what most likely made the text's number.

For a claim that does not hold, :class:`Judge` looks for the likely cause, in this
order, and names the first that explains the number exactly:

(a) rounded (or wrong) numbers carried forward: the step redone from the text's own
    numbers for its inputs (other claims of the same iteration), its result rounded or cut
    off; hand mode (``--carry N``) for N = the claim's decimals and N±1..3; the true value
    cut off instead of rounded; the step redone from its inputs rounded, then cut off, to
    N decimals;
(b) a slip of the pen: the sign; in a number of 4 or more significant digits, one digit
    wrong, two adjacent digits swapped, a digit inserted or dropped;
(c) the value of another quantity of the same iteration (out_h1 written for net_h1, ...),
    or the step redone with a net input where the activation belongs;
(d) the other ordering of the hidden deltas (``hidden_deltas_use: updated_weights``);
(e) a bias left out;
and otherwise says how many decimals agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

from ..config.model import Claim
from ..derive.names import Names
from ..derive.quantities import Quantity, all_quantities, value
from ..derive.quantity_names import quantity_name
from ..derive.recompute import recompute
from ..engine.rounding import format_number, round_half_away, round_toward_zero
from .digits import as_decimal, decimals, digit_slip, rounds_to
from .variants import Runs, Variant

MAX_SEARCHED = 200_000  # quantities compared in cause (c)
MIN_SLIP_DIGITS = 4  # significant digits a claim needs before a digit slip is a likely cause


@dataclass(frozen=True)
class ClaimResult:
    quantity: str  # as the claim writes it
    iteration: int
    text: str  # the number as written
    true: float | None  # None: the iteration was not reached (training diverged)
    ok: bool
    difference: float | None  # claimed − true
    cause: str | None  # for a claim that does not hold: the likely cause, or what is known
    name: str = ""  # stepnet's name for the quantity, in the run's notation
    places: int = 0  # decimals the claim is written with
    line: int | None = None


def show(x: float, places: int) -> str:
    """A true value beside a claim: at least 9 decimals, and as many as the claim has."""
    return format_number(x, max(9, places))


class Judge:
    """One claim: its true value, and for a wrong one the likely cause."""

    def __init__(self, claim: Claim, q: Quantity, names: Names, runs: Runs, stated: dict) -> None:
        self.claim, self.q, self.names, self.runs, self.stated = claim, q, names, runs, stated
        self.places = decimals(claim.text)
        self.true = runs.value(q, claim.iteration)

    def result(self) -> ClaimResult:
        c = self.claim
        if self.true is None:
            return self._result(False, None, f"not computed: training did not reach iteration {c.iteration}")
        if not math.isfinite(self.true):
            return self._result(False, None, f"the true value is {self.true}: training diverged")
        if rounds_to(self.true, c.text, self.places):
            return self._result(True, c.value - self.true, None)
        return self._result(False, c.value - self.true, self.cause())

    def _result(self, ok: bool, difference: float | None, cause: str | None) -> ClaimResult:
        c = self.claim
        return ClaimResult(c.quantity, c.iteration, c.text, self.true, ok, difference, cause,
                           self.label(self.q), self.places, c.line)

    def cause(self) -> str:
        for finder in (self.own_numbers, self.carried, self.truncated, self.rounded_inputs, self.slip,
                       self.other_quantity, self.ordering, self.forgotten_bias):
            found = finder()
            if found:
                return "likely cause: " + found
        return self.agreement()

    # -- helpers ----------------------------------------------------------------------

    def matches(self, x: float | None) -> bool:
        return rounds_to(x, self.claim.text, self.places)

    def carries(self) -> list[int]:
        p = self.places
        order = [p, p - 1, p + 1, p - 2, p + 2, p - 3, p + 3]
        return [n for n in order if 0 <= n <= 15]

    def label(self, q: Quantity) -> str:
        """A quantity as a cause names it: in the run's notation (dC/dw^3_11 in nielsen's, dE_total/dw5)."""
        return quantity_name(q, self.names)

    def redo(self, get: Callable[[Quantity], float]):
        it = self.runs.iteration(self.claim.iteration)
        return recompute(self.q, self.names, it.batch_size, get)

    def true_of(self, q: Quantity) -> float:
        return self.runs.value(q, self.claim.iteration)

    def own(self, q: Quantity) -> Claim | None:
        """The text's own claim for ``q`` in this iteration, if it makes one."""
        return self.stated.get((self.claim.iteration, q))

    def own_or_true(self, q: Quantity) -> float:
        """The number the text gives for ``q``, else its true value."""
        own = self.own(q)
        return own.value if own else self.true_of(q)

    # -- (a) rounded numbers carried forward ------------------------------------------

    def carried(self) -> str | None:
        for n in self.carries():
            hand = self.runs.value(self.q, self.claim.iteration, Variant(carry=n))
            if self.matches(hand):
                return (f"rounded intermediates carried forward: with every intermediate value rounded to {n} "
                        f"decimals (stepnet run --carry {n}) it is {format_number(hand, max(n, self.places))}")
        return None

    def own_numbers(self) -> str | None:
        done = self.redo(self.own_or_true)
        used = [q for q in done[1] if self.own(q)] if done else []
        if not used or not (self.matches(done[0]) or self.cut_to_claim(done[0])):
            return None
        wrong = [q for q in used if not rounds_to(self.true_of(q), self.own(q).text)]
        listed = ", ".join(f"{self.label(q)} = {self.own(q).text}" for q in used)
        verb = "give" if len(used) > 1 else "gives"
        result = self.claim.text
        if not self.matches(done[0]):
            result = f"{format_number(done[0], self.places + 3)}, cut off (not rounded) after {self.places} decimals"
        if not wrong:
            return (f"rounded numbers carried forward: the text's own {listed} {verb} {result}; "
                    f"the exact values give {show(self.true, self.places)}")
        bad = ", ".join(self.label(q) for q in wrong)
        return (f"an earlier wrong number carried forward: the text's own {listed} {verb} {result}, "
                f"but {bad} {'is itself' if len(wrong) == 1 else 'are themselves'} wrong")

    def cut_to_claim(self, x: float) -> bool:
        return math.isfinite(x) and round_toward_zero(x, self.places) == as_decimal(self.claim.text)

    def rounded_inputs(self) -> str | None:
        for how, n in [(how, n) for how in ("rounded", "truncated") for n in self.carries()]:
            get = self._rounder(n, how == "truncated")
            done = self.redo(get)
            if done and self.matches(done[0]) and any(get(q) != self.true_of(q) for q in done[1]):
                shown = ", ".join(f"{self.label(q)} = {format_number(get(q), n)}" for q in done[1][:3])
                more = ", ..." if len(done[1]) > 3 else ""
                return f"inputs {how} to {n} decimals: from {shown}{more} this step gives {self.claim.text}"
        return None

    def _rounder(self, n: int, truncate: bool = False) -> Callable[[Quantity], float]:
        def get(q: Quantity) -> float:
            x = self.true_of(q)
            given = q.kind == "target" or (q.kind == "out" and q.layer == 0)
            if given or (q.kind == "param" and self.claim.iteration == 1) or not math.isfinite(x):
                return x  # numbers the config gives are used as given
            return float(round_toward_zero(x, n) if truncate else round_half_away(x, n))

        return get

    def truncated(self) -> str | None:
        if not self.cut_to_claim(self.true):
            return None
        return f"truncated, not rounded: {format_number(self.true, self.places + 3)} cut after {self.places} decimals"

    # -- (b) a slip of the pen ------------------------------------------------------

    def slip(self) -> str | None:
        if self.matches(-self.true) and round_half_away(self.true, self.places) != 0:
            return f"the sign is wrong ({self.claim.text} vs {format_number(self.true, self.places)})"
        if len(as_decimal(self.claim.text).as_tuple().digits) < MIN_SLIP_DIGITS:
            return None  # in a short number almost any digit change is a coincidence
        return digit_slip(self.claim.text, self.true, self.places)

    # -- (c) another quantity's value -----------------------------------------------

    def other_quantity(self) -> str | None:
        return self.other_value() or self.net_for_out()

    def net_for_out(self) -> str | None:
        """The step redone with a net input where the activation belongs (the text's own, else the true one)."""
        done = self.redo(lambda q: self.own_or_true(_net_for(q)))
        swapped = [q for q in (done[1] if done else []) if _net_for(q) != q]
        if not swapped or not self.matches(done[0]):
            return None
        shown = ", ".join(f"{self.label(_net_for(q))} = {self._written(_net_for(q))} for {self.label(q)}"
                          for q in swapped)
        return f"the net input used where the activation belongs: with {shown} this step gives {self.claim.text}"

    def _written(self, q: Quantity) -> str:
        """``q`` as the text writes it, else its true value."""
        own = self.own(q)
        return own.text if own else format_number(self.true_of(q), 9)

    def other_value(self) -> str | None:
        it = self.runs.iteration(self.claim.iteration)
        sample = self.q.sample or 0
        hits = []
        for i, q in enumerate(all_quantities(self.names, it.batch_size)):
            if i >= MAX_SEARCHED or len(hits) == 3:
                break
            if q == self.q or (q.sample is not None and q.sample != sample) or q.kind == "dnet_dparam":
                continue
            x = value(q, it)
            if x != self.true and self.matches(x):
                hits.append(f"{self.label(q)} = {show(x, self.places)}")
        if not hits:
            return None
        return f"the value of another quantity of iteration {self.claim.iteration}: {' or '.join(hits)}"

    # -- (d) the other ordering -------------------------------------------------------

    def ordering(self) -> str | None:
        if len(self.names.layers) < 3:
            return None
        other = "updated_weights" if self.runs.config.hidden_deltas_use == "current_weights" else "current_weights"
        what = ("the output deltas sent back through the already updated weights" if other == "updated_weights"
                else "the deltas sent back through the weights before their update")
        for carry in [None] + self.carries():
            x = self.runs.value(self.q, self.claim.iteration, Variant(carry=carry, ordering=other))
            if self.matches(x):
                rounded = f", every intermediate rounded to {carry} decimals" if carry is not None else ""
                return f"the other ordering: {what} (hidden_deltas_use: {other}{rounded}) give {show(x, self.places)}"
        return None

    # -- (e) a bias left out ----------------------------------------------------------

    def forgotten_bias(self) -> str | None:
        with_bias = [li for li, layer in enumerate(self.names.layers) if layer.bias != "none" and self._bias_used(li)]
        options = [tuple(with_bias)] + ([(li,) for li in with_bias] if len(with_bias) > 1 else [])
        for layers in options if with_bias else []:
            x = self.runs.value(self.q, self.claim.iteration, Variant(no_bias=layers))
            if self.matches(x):
                which = ", ".join(p.name for p in self.names.params if p.kind == "bias" and p.layer in layers)
                return f"a bias left out: without {which} the value is {show(x, self.places)}"
        return None

    def _bias_used(self, li: int) -> bool:
        biases = self.runs.iteration(self.claim.iteration).layer(li).b
        return bool(biases.size) and bool((biases != 0).any())

    # -- otherwise --------------------------------------------------------------------

    def agreement(self) -> str:
        for k in range(self.places - 1, 0, -1):
            agreed = round_half_away(self.true, k)
            if round_half_away(self.claim.value, k) == agreed and len(agreed.as_tuple().digits) >= 2:
                return (f"no single slip found; it agrees with the true value to {k} decimals "
                        f"({format_number(self.true, k)}), not to {self.places}")
        return "no likely cause found (not rounding, a digit slip, another quantity, the ordering or a bias)"


def _net_for(q: Quantity) -> Quantity:
    """The net input of a neuron whose activation ``q`` is; any other quantity as it is."""
    return replace(q, kind="net") if q.kind == "out" and q.layer > 0 else q
