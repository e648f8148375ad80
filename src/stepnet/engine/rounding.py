"""Rounding as people do it by hand: half away from zero, on the decimal a calculator shows.

Used for display (``format_number``: numbers are only rounded when shown; ``fixed``: exactly
N decimals), for hand mode (``make_rounder``: every intermediate value rounded before it is
used again), and for telling a rounded number from a cut-off one (``round_toward_zero``).
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Callable

import numpy as np

Rounder = Callable[[np.ndarray], np.ndarray]


_CALCULATOR = Context(prec=15, rounding=ROUND_HALF_EVEN)


def round_half_away(x: float, places: int) -> Decimal:
    """``x`` rounded to ``places`` decimals, ties away from zero, as a calculator would.

    The float is first read as the 15 significant digits a calculator keeps, so binary
    noise does not decide a tie: 0.25×0.05 + 0.3×0.1 + 0.35 is 0.39249999999999996 in
    binary and 0.3925 on paper, which rounds to 0.393.
    """
    return _quantize(_CALCULATOR.plus(Decimal(repr(float(x)))), places, ROUND_HALF_UP)


def round_toward_zero(x: float, places: int) -> Decimal:
    """Finite ``x`` cut off after ``places`` decimals: the digits copied, the rest dropped."""
    return _quantize(Decimal(repr(float(x))), places, ROUND_DOWN)


def _quantize(d: Decimal, places: int, rounding: str) -> Decimal:
    with localcontext() as ctx:  # enough digits for any finite float (up to ~1.8e308) at ``places``
        ctx.prec = max(ctx.prec, d.adjusted() + places + 2)
        return d.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def make_rounder(places: int) -> Rounder:
    """A function rounding scalars or arrays elementwise to ``places`` decimals.

    Rounding goes through the decimal a calculator shows for each float, so 0.0190491185
    becomes 0.019049119 even though its binary value lies a hair below the tie.
    """

    def one(x: float) -> float:
        if not math.isfinite(x):
            return x
        return float(round_half_away(x, places)) + 0.0  # + 0.0 turns -0.0 into 0.0

    vector = np.vectorize(one, otypes=[float])

    def rounder(a):
        if np.isscalar(a) or getattr(a, "ndim", 1) == 0:
            return one(float(a))
        return vector(a) if a.size else a

    return rounder


def format_number(x: float, places: int = 9, sig: int | None = None, pad: bool = False) -> str:
    """The number as stepnet shows it.

    ``places`` decimals (or ``sig`` significant digits), rounded half away from zero.
    A value that is exact with fewer digits (0.3775, a config's 0.15) is shown without
    padding zeros; any other value shows every digit, trailing zeros included
    (0.741365070), so the precision of a shown number is visible.  Never shows -0.
    ``pad`` keeps every place even then.  Magnitudes of 10^15 and more (a diverging run) are
    shown in scientific notation.
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if abs(x) >= 1e15:  # a diverging run: scientific notation, not 200 digits
        return format(x, f".{(sig or 10) - 1}e")
    if sig is not None:
        places = _places_for_sig(x, sig)
        if _places_for_sig(float(round_half_away(x, places)), sig) < places:  # 9.9996 → 10.00, not 10.000
            places -= 1
    d = round_half_away(x, places)
    if not pad and abs(float(d) - x) <= 1e-12 * max(1.0, abs(x)):
        d = d.normalize() if d != 0 else Decimal(0)
    return decimal_text(d)


def fixed(x: float, places: int) -> str:
    """``x`` rounded half away from zero, with exactly ``places`` decimals (never -0)."""
    if not math.isfinite(x):
        return str(x)
    return decimal_text(round_half_away(x, places))


def decimal_text(d: Decimal) -> str:
    """``d`` written out in plain digits, no exponent, every decimal it has; never -0."""
    text = format(d, "f")
    return text[1:] if text.startswith("-") and d == 0 else text


def _places_for_sig(x: float, sig: int) -> int:
    if x == 0:
        return sig - 1
    return sig - 1 - math.floor(math.log10(abs(x)))  # negative: round to tens, hundreds, …
