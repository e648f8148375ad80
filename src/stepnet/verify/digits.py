"""A claimed number as written: its decimals, whether a value rounds to it, slips of the pen.

A claim is only as precise as it is written: "0.75136507" says 8 decimals, and holds for
any value that rounds, half away from zero, to it.  A claim that does not hold may still
be the true value with one digit miswritten; :func:`digit_slip` names such a slip.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from ..engine.rounding import decimal_text, fixed, round_half_away


def decimals(text: str) -> int:
    """The decimals a number is written with: 0.75136507 → 8, 5e-1 → 1, 12 → 0."""
    exponent = as_decimal(text).as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def as_decimal(text: str) -> Decimal:
    """The number a text writes, exactly as written (digit separators allowed)."""
    try:
        return Decimal(text.replace("_", "").strip())
    except InvalidOperation:
        return Decimal(repr(float(text)))


def rounds_to(x: float | None, text: str, places: int | None = None) -> bool:
    """Whether ``x`` rounded half away from zero at the decimals of ``text`` is ``text``.

    A value within float noise of a tie (0.3925 computed as 0.39249999999999996) is
    taken to round either way: the float cannot say which side the exact value is on.
    """
    if x is None or not math.isfinite(x):
        return False
    places = decimals(text) if places is None else places
    want, noise = as_decimal(text), 16 * math.ulp(x)
    return any(round_half_away(y, places) == want for y in (x, x - noise, x + noise))


def digit_slip(text: str, true: float, places: int) -> str | None:
    """One digit wrong, two adjacent swapped, one inserted or one dropped, as a phrase."""
    claim = decimal_text(as_decimal(text))
    same = fixed(true, places)
    for find in (_one_digit, _swapped):
        found = find(claim, same)
        if found:
            return f"{found} ({claim} vs {same})"
    if places >= 1:
        shorter = fixed(true, places - 1)
        if _removes_to(claim, shorter):
            return f"a digit inserted ({claim} vs {shorter})"
    longer = fixed(true, places + 1)
    if _removes_to(longer, claim):
        return f"a digit dropped ({claim} vs {longer})"
    return None


def _one_digit(a: str, b: str) -> str | None:
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    if len(a) != len(b) or len(diff) != 1 or not a[diff[0]].isdigit():
        return None
    i = diff[0]
    if i == len(a) - 1 and abs(int(a[i]) - int(b[i])) == 1:
        return "the last digit is off by one"
    return f"one digit wrong: {a[i]} where {b[i]} belongs"


def _swapped(a: str, b: str) -> str | None:
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    if len(a) == len(b) and len(diff) == 2 and diff[1] == diff[0] + 1:
        i = diff[0]
        if a[i] == b[i + 1] and a[i + 1] == b[i] and "." not in (a[i], a[i + 1]):
            return f"two digits swapped: {a[i]}{a[i + 1]} for {b[i]}{b[i + 1]}"
    return None


def _removes_to(longer: str, shorter: str) -> bool:
    """Whether deleting one decimal digit of ``longer``, not its last, gives ``shorter``."""
    if len(longer) != len(shorter) + 1 or "." not in longer:
        return False
    point = longer.index(".")
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(point + 1, len(longer) - 1))
