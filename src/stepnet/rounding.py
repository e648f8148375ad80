"""Rounding as people do it by hand: half away from zero, on the decimal a calculator shows.

Used twice: for display (``format_number``: numbers are only rounded when shown) and for
hand mode (``make_rounder``: every intermediate value rounded before it is used again).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

import numpy as np

Rounder = Callable[[np.ndarray], np.ndarray]


def round_half_away(x: float, places: int) -> Decimal:
    """``x`` rounded to ``places`` decimals, ties away from zero, via its shortest repr."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def make_rounder(places: int) -> Rounder:
    """A function rounding scalars or arrays elementwise to ``places`` decimals.

    Rounding goes through the shortest decimal form of each float, so 0.0190491185 becomes
    0.019049119 even though its binary value lies a hair below the tie.
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


def format_number(x: float, places: int = 9, sig: int | None = None) -> str:
    """The number as stepnet shows it.

    ``places`` decimals (or ``sig`` significant digits), rounded half away from zero.
    A value that is exact with fewer digits (0.3775, a config's 0.15) is shown without
    padding zeros; any other value shows every digit, trailing zeros included
    (0.741365070), so the precision of a shown number is visible.  Never shows -0.
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if sig is not None:
        places = _places_for_sig(x, sig)
    d = round_half_away(x, places)
    if abs(float(d) - x) <= 1e-12 * max(1.0, abs(x)):
        d = d.normalize() if d != 0 else Decimal(0)
    text = format(d, "f")
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return text


def _places_for_sig(x: float, sig: int) -> int:
    if x == 0:
        return sig - 1
    return max(0, sig - 1 - math.floor(math.log10(abs(x))))
