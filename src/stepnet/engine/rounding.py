"""Rounding as people do it by hand: half away from zero, on the decimal a calculator shows.

Used for display (``format_number``: numbers are only rounded when shown; ``fixed``: exactly
N decimals), for hand mode (``make_rounder``: every intermediate value rounded before it is
used again), and for telling a rounded number from a cut-off one (``round_toward_zero``).
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
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
    if d.adjusted() + places + 2 <= _WIDE.prec and d.is_finite():  # the common case, without a new context
        return d.quantize(_STEPS.get(places) or Decimal(1).scaleb(-places), rounding=rounding, context=_WIDE)
    with localcontext() as ctx:  # enough digits for any finite float (up to ~1.8e308) at ``places``
        ctx.prec = max(ctx.prec, d.adjusted() + places + 2)
        return d.quantize(Decimal(1).scaleb(-places), rounding=rounding)


class SignificantDigits(int):
    """A hand-mode carry counted in significant digits (``--carry-sig N``), not decimal places.

    Wherever a carry is kept (``IterationTrace.carry``, ``RunTrace.carry``) a plain int is
    decimal places; this subclass says the same number counts significant digits, so every
    rounder made from the carry rounds the right way.
    """

    def __repr__(self) -> str:
        return f"SignificantDigits({int(self)})"


def hand_carry(carry: int | None, carry_sig: int | None) -> int | None:
    """The one carry of a run given decimals (``carry``) or significant digits (``carry_sig``)."""
    if carry_sig is None:
        return carry
    from ..errors import UsageError

    if carry is not None:
        raise UsageError("give carry (decimal places) or carry_sig (significant digits), not both",
                         hint="stepnet run mazur --carry 4, or stepnet run mazur --carry-sig 4")
    if isinstance(carry_sig, bool) or not isinstance(carry_sig, int) or not 1 <= carry_sig <= 15:
        raise UsageError(f"carry_sig (significant digits kept at every step) must be a whole number from 1 to 15, "
                         f"not {carry_sig!r}")
    return SignificantDigits(carry_sig)


def carry_places(carry: int | None) -> int | None:
    """The decimal places of a carry, or None (full precision, or significant digits)."""
    return None if carry is None or isinstance(carry, SignificantDigits) else int(carry)


def carry_sig(carry: int | None) -> int | None:
    """The significant digits of a carry, or None (full precision, or decimal places)."""
    return int(carry) if isinstance(carry, SignificantDigits) else None


def carry_text(carry: int) -> str:
    """What a carry rounds to, in words: ``4 decimal places`` or ``4 significant digits``."""
    n = int(carry)
    if isinstance(carry, SignificantDigits):
        return f"{n} significant digit{'s' if n != 1 else ''}"
    return f"{n} decimal place{'s' if n != 1 else ''}"


def round_exact(x: Decimal | Fraction | int, places: int | None = None, sig: int | None = None) -> Decimal:
    """The exact number ``x`` rounded half away from zero to ``places`` decimals or ``sig`` digits.

    No float is involved: 0.0001409625 gives 0.000140963 at 9 decimals, and a fraction
    (1/3, a ratio of decimals) is rounded from its exact value.  Never returns -0.
    """
    if isinstance(x, Decimal) and not x.is_finite():
        return x
    if sig is not None:
        if x == 0:
            return Decimal(0)
        places = sig - 1 - _adjusted(x)
    q = Fraction(x) * Fraction(10) ** places
    n = (abs(q.numerator) * 2 + q.denominator) // (2 * q.denominator)  # half away from zero
    return Decimal(-n if q < 0 else n).scaleb(-places, _WIDE) if n else Decimal(0).scaleb(-max(places, 0))


def _adjusted(x: Decimal | Fraction | int) -> int:
    """The exponent of ``x``'s leading digit: 2 for 123.4, −4 for 0.00015."""
    f = abs(Fraction(x))
    e = len(str(f.numerator)) - len(str(f.denominator))
    return e if f >= Fraction(10) ** e else e - 1


_WIDE = Context(prec=1000, rounding=ROUND_HALF_EVEN)


def format_exact(x: Decimal | Fraction, places: int = 9, sig: int | None = None) -> str:
    """The exact ``x`` as :func:`format_number` shows a rounded result with ``pad``: every place kept."""
    if sig is not None and x == 0:
        return decimal_text(Decimal(0).scaleb(1 - sig))
    d = round_exact(x, places=None if sig is not None else places, sig=sig)
    if sig is not None and x != 0 and _adjusted(d) > _adjusted(x):  # 9.9996 → 10.00, not 10.000
        d = round_exact(x, sig - 1 - _adjusted(d))
    return decimal_text(d)


def decimal_rounder(carry: int) -> Callable[[Decimal], Decimal]:
    """Hand mode's rounding of one exact number: to the carry's decimals or significant digits."""
    if isinstance(carry, SignificantDigits):
        return lambda d: round_exact(d, sig=int(carry))
    places = int(carry)
    step = Decimal(1).scaleb(-places)

    def rounded(d: Decimal) -> Decimal:
        if not d.is_finite():
            return d
        if d.adjusted() + places + 2 < 60:  # the common case: quantize in a wide enough context
            r = d.quantize(step, rounding=ROUND_HALF_UP, context=_WIDE)
            return r if r else Decimal(0).scaleb(-places)
        return round_exact(d, places)

    return rounded


def hand_products(a: np.ndarray, b: np.ndarray, carry: int) -> np.ndarray:
    """a·b elementwise as hand mode computes it: the exact product of the two decimals, rounded.

    Each float is read as its shortest decimal (what hand mode stored it from), so the
    product is that of the numbers a worked line shows, never of their binary neighbours.
    """
    rounded = decimal_rounder(carry)
    pairs = np.broadcast(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    out = np.fromiter((float(rounded(_WIDE.multiply(Decimal(repr(float(x))), Decimal(repr(float(y)))))) + 0.0
                       for x, y in pairs), dtype=float, count=pairs.size)
    return out.reshape(pairs.shape)


def make_rounder(places: int) -> Rounder:
    """A function rounding scalars or arrays elementwise to ``places`` decimals.

    Rounding goes through the decimal a calculator shows for each float, so 0.0190491185
    becomes 0.019049119 even though its binary value lies a hair below the tie.  A
    :class:`SignificantDigits` carry rounds to that many significant digits instead.
    """
    by_sig = isinstance(places, SignificantDigits)

    def one(x: float) -> float:
        if not math.isfinite(x):
            return x
        if by_sig:
            return float(round_exact(_CALCULATOR.plus(Decimal(repr(float(x)))), sig=int(places))) + 0.0
        return float(round_half_away(x, places)) + 0.0  # + 0.0 turns -0.0 into 0.0

    vector = np.vectorize(one, otypes=[float])

    def rounder(a):
        if np.isscalar(a) or getattr(a, "ndim", 1) == 0:
            return one(float(a))
        return vector(a) if a.size else a

    return rounder


_STEPS = {p: Decimal(1).scaleb(-p) for p in range(-20, 40)}
_SHOWN: dict[tuple, str] = {}  # format_number's answers: a run shows the same values many times over
_SHOWN_MAX = 20_000


def format_number(x: float, places: int = 9, sig: int | None = None, pad: bool = False) -> str:
    """The number as stepnet shows it.

    ``places`` decimals (or ``sig`` significant digits), rounded half away from zero.
    A value that is exact with fewer digits (0.3775, a config's 0.15) is shown without
    padding zeros; any other value shows every digit, trailing zeros included
    (0.741365070), so the precision of a shown number is visible.  Never shows -0.
    ``pad`` keeps every place even then.  Magnitudes of 10^15 and more (a diverging run) are
    shown in scientific notation.
    """
    if not isinstance(x, float):  # remembered for floats only: equal numbers of other types may differ
        return _format_number(x, places, sig, pad)
    key = (x, places, sig, pad)  # 0.0 and −0.0 share a key: both are shown as 0
    text = _SHOWN.get(key)
    if text is None:
        if len(_SHOWN) >= _SHOWN_MAX:
            _SHOWN.clear()
        text = _SHOWN[key] = _format_number(x, places, sig, pad)
    return text


def _format_number(x: float, places: int, sig: int | None, pad: bool) -> str:
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
