"""Rounding as people do it by hand: half away from zero, on the decimal a calculator shows.

Used twice: for display (``format_number``: numbers are only rounded when shown) and for
hand mode (``make_rounder``: every intermediate value rounded before it is used again).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
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
    shown = _CALCULATOR.plus(Decimal(repr(float(x))))
    with localcontext() as ctx:  # enough digits for any finite float (up to ~1.8e308) at ``places``
        ctx.prec = max(ctx.prec, shown.adjusted() + places + 2)
        return shown.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


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
    ``pad`` keeps every place even then.  Magnitudes of 10^15 and more (a diverging run) are shown in scientific notation.
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
    text = format(d, "f")
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return text


def _places_for_sig(x: float, sig: int) -> int:
    if x == 0:
        return sig - 1
    return sig - 1 - math.floor(math.log10(abs(x)))  # negative: round to tens, hundreds, …
