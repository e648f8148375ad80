"""What every phase's lines are made of: the trace's values as symbols, and the line itself.

Each phase of a derivation (forward, backward, gradients, updates) extends
:class:`Phase`, so all of them write a quantity with the same symbol and the same
recorded value, and all of them check their lines against the rounded numbers shown.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction

from ..engine.functions import LOSSES
from ..engine.rounding import carry_places, carry_sig, decimal_text, format_exact, make_rounder, round_exact
from ..engine.trace import IterationTrace
from .derivation import Formatter, Line, computed_from
from .expr import Add, Div, Exp, Expr, Func, Mul, Neg, Num, Paren, Partial, Pow, Sub, Sym
from .index import Param
from .names import Names


class Phase:
    """One traced iteration's values, named, for the lines of one phase of the derivation."""

    def __init__(self, it: IterationTrace, names: Names, fmt: Formatter | None = None) -> None:
        self.it = it
        self.names = names
        self.config = names.config
        self.fmt = fmt or Formatter()
        self.loss = LOSSES[self.config.loss]
        self.top = len(self.config.layers) - 1
        self._rounder = make_rounder(it.carry) if it.carry is not None else None
        if _NAMED[0] is not names:  # the symbols of the run's names, kept while its iterations are derived
            _NAMED[:] = [names, {}]
        self._named = _NAMED[1]

    def _symbol(self, kind: str, *args) -> Sym:
        """``names.<kind>(*args)``, the valueless symbol, made once per run."""
        key = (kind, *args)
        sym = self._named.get(key)
        if sym is None:
            sym = self._named[key] = getattr(self.names, kind)(*args)
        return sym

    # -------------------------------------------------------------- line making

    def line(self, lhs: Expr, forms: list[Expr], value: float | None, note: str | tuple = "") -> Line:
        if forms and isinstance(forms[-1], Num) and value is not None:  # ∂out/∂net = 1: the value says it
            forms = forms[:-1]
        numeric = forms[-1].numeric() if forms else None
        if isinstance(numeric, Num):  # a bare number: the value says it
            numeric = None
        ln = Line(lhs, forms, None if value is None else float(value), numeric, note)
        ln.shown_result = self._result_of_shown_numbers(ln)
        if ln.shown_result is not None and self.it.carry is not None:  # every line says how hand mode computed it
            ln.computed = computed_from(self.it.carry)
        return ln

    def _result_of_shown_numbers(self, ln: Line) -> str | None:
        """What the rounded numbers on the line give, where that differs from the shown value.

        The shown numbers are taken as the decimals displayed and computed with exactly
        (functions to 40 digits), then rounded half away from zero: in hand mode to the
        carry first, then to the displayed precision.  Most lines are decided quickly, in
        floats with a proven error bound (:meth:`_far_from_a_tie`); the others exactly, in
        decimals where only sums and products are involved, else in fractions.
        """
        if ln.numeric is None or ln.value is None:
            return None
        try:
            value_text = self.fmt(ln.value)
            shown = self._far_from_a_tie(ln.numeric, value_text)
            if shown == "":  # the quick check found the value's own rounding
                return None
            shown_value = Decimal(value_text)
            exact = None
            if shown is None:
                exact = _exact_decimal(ln.numeric, self._shown_decimal)
                if exact is None:
                    exact = ln.numeric.evaluate_exact(self._shown_number)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, ArithmeticError):
            return None
        if not shown_value.is_finite():
            return None
        if shown is None:
            carry = self.it.carry
            if carry is not None:
                exact = round_exact(exact, carry_places(carry), carry_sig(carry))
            shown = format_exact(exact, self.fmt.places, self.fmt.sig)
        return shown if Decimal(shown) != shown_value else None

    def _far_from_a_tie(self, numeric: Expr, value_text: str) -> str | None:
        """The shown numbers' result as the line would show it, found in floats where that is provably
        what the exact result gives.

        :func:`_bounded` gives the float result ``f`` and a bound ``e`` on its distance from the
        exact result ``r``.  Where no rounding boundary (a half unit of the carry in hand mode,
        else of the display) lies within ``e`` of ``f``, ``r`` and the exact ``Decimal(f)`` round
        to the same number, so that rounding stands for ``r``'s.  None (compute exactly) near a
        boundary, for significant digits, and for any tree the bound does not cover; "" where
        that rounding is the line's value as shown (``value_text``), so the line needs no note.
        """
        carry = self.it.carry
        places = self.fmt.places if carry is None else carry_places(carry)
        if self.fmt.sig is not None or places is None or places > 17:
            return None
        try:
            f, e = _bounded(numeric, self._shown_float)
        except (_Unbounded, ValueError, TypeError, OverflowError, ZeroDivisionError, InvalidOperation):
            return None
        scaled = f * 10.0 ** places  # 10^p is exact for p <= 22; |scaled - f·10^p| <= u·|scaled|
        if not abs(scaled) < 2.0 ** 52:
            return None
        # scaled - floor(scaled) is exact below 2^52, so ``gap`` is the exact distance from
        # ``scaled`` to the nearest half-integer (the boundaries of half-away rounding); the
        # exact result is as far or farther than gap - u·|scaled| - e·10^p, kept positive with
        # everything doubled for the rounding of this very test.
        gap = abs(scaled - math.floor(scaled) - 0.5)
        if not gap > 2.0 * (_U * abs(scaled) + e * 10.0 ** places) + 1e-300:
            return None
        if carry is None and Decimal(value_text).scaleb(places) == round(scaled):
            return ""  # as many units of the last place as the value shows (round() is exact: no tie here)
        # Decimal(f) is f exactly; rounded in a context wide enough to be exact but for the rounding
        rounded = Decimal(f).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_ROOMY)
        if carry is not None:
            return format_exact(rounded, self.fmt.places, None)
        return decimal_text(rounded)  # as format_exact shows it: every place, never −0

    def _shown_decimal(self, value: float) -> Decimal:
        """A number of a line as the line displays it, as that decimal."""
        d = Decimal(self.fmt(value))
        if not d.is_finite():
            raise ValueError("not a finite number")
        return d

    def _shown_float(self, value: float) -> float:
        """A number of a line as the line displays it, as the nearest float."""
        x = float(self.fmt(value))
        if not math.isfinite(x) or (x != 0 and abs(x) < _TINY):
            raise _Unbounded
        return x

    def _shown_number(self, value: float) -> Fraction:
        """A number of a line as the line displays it, exactly."""
        try:
            d = Decimal(self.fmt(value))
        except InvalidOperation as e:
            raise ValueError("not a number") from e
        if not d.is_finite():
            raise ValueError("not a finite number")
        return Fraction(d)

    # -------------------------------------------------------------- symbols with values

    def out(self, li: int, j: int, s: int) -> Sym:
        return self._symbol("out", li, j).with_value(self.it.outputs_of(li)[s, j])

    def net(self, li: int, j: int, s: int) -> Sym:
        return self._symbol("net", li, j).with_value(self.it.layer(li).net[s, j])

    def target(self, j: int, s: int) -> Sym:
        return self._symbol("target", j).with_value(self.it.T[s, j])

    def delta(self, li: int, j: int, s: int) -> Sym:
        return self._symbol("delta", li, j).with_value(self.it.layer(li).delta[s, j])

    def param(self, p: Param, updated: bool = False, backprop: bool = False) -> Sym:
        """A parameter before its update, after it, or as the backward pass used it."""
        lt = self.it.layer(p.layer)
        if updated:
            v = p.of(lt, "updated")
        else:
            v = p.read(lt.W_backprop if backprop else lt.W, lt.b)
        return self._symbol("param", p, updated).with_value(v)

    def gradient_value(self, p: Param) -> float:
        """∂E_total/∂p over the whole batch, the gradient the update uses."""
        return p.of(self.it.layer(p.layer), "gradient")

    def E(self, s: int | None) -> Sym:
        """The error a per-sample quantity belongs to: E_total, or E⁽ˢ⁾ within a batch."""
        if s is None or self.it.batch_size == 1:
            return self._symbol("error")
        return self._symbol("sample_error", s)

    def partial(self, num: Sym, den: Sym, value: float | None) -> Partial:
        return Partial(num, den, None if value is None else float(value))

    def dE_dout(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.E(s), self._symbol("out", li, j), self.it.layer(li).dE_dout[s, j])

    def dout_dnet(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self._symbol("out", li, j), self._symbol("net", li, j), self.it.layer(li).dout_dnet[s, j])

    def dE_dnet(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.E(s), self._symbol("net", li, j), self.it.layer(li).delta[s, j])



_NAMED: list = [None, {}]  # the last run's names, and its valueless symbols by how they were asked for

# ---------------------------------------------------------------------- the float pre-check

_U = 2.0 ** -52  # twice the unit roundoff of a float: a generous bound on one operation's relative error
_FUNCTION_SLACK = 4 * _U + 1e-36  # math.exp/tanh/log (within a few ulps) and the 40 digits of the exact ones
_TINY = 1e-290  # below this, floats lose relative precision (subnormals): compute exactly


_EXACT = Context(prec=2000, traps=[Inexact, InvalidOperation])  # exact, or an exception saying it is not
_ROOMY = Context(prec=2000)  # digits enough for any rounding of a float below 2^52 to 17 places


class _Unbounded(Exception):
    """The float evaluation cannot bound its error here: the exact evaluation decides."""


def _checked(z: float, e: float, nonzero: bool = False) -> tuple[float, float]:
    """``(z, e)`` if ``z`` is a finite float of full relative precision; ``nonzero``: a result
    that cannot be 0 exactly (a product or quotient of nonzero numbers, e^x), so 0 is an underflow."""
    if not (math.isfinite(z) and math.isfinite(e)) or (abs(z) < _TINY and (z != 0 or nonzero)):
        raise _Unbounded
    return z, e


def _bounded(node: Expr, read) -> tuple[float, float]:
    """``(f, e)``: the tree computed in floats from the shown numbers (``read``), and a bound
    ``e`` on ``|f - r|``, ``r`` being the exact result :meth:`Expr.evaluate_exact` gives.

    A leaf is the float nearest its decimal: within u·|x|.  Each operation adds its own
    rounding, at most u·|z| (u = 2^-52 is double the unit roundoff, covering |z| vs the exact
    result), to the propagated error: for ``a ± b`` ``ea + eb``; for ``a·b``
    ``|a|·eb + |b|·ea + ea·eb``; for ``a/b`` (``|b| > eb``) ``(ea·|b| + |a|·eb) / (|b|·(|b| − eb))``;
    for ``e^a`` ``e^a·(e^ea − 1)``; for ``tanh a`` ``ea`` (its slope is at most 1); for
    ``ln a`` (``a > ea``) ``−ln(1 − ea/a)``.  A function's result may also be off by a few
    ulps in floats and by 1e-39 relative in the exact evaluation (40 digits): both are in
    :data:`_FUNCTION_SLACK` (tanh, made from a 40-digit e^2a, adds 1e-38 absolute), so the
    interval ``f ± e`` holds the exact evaluation's result.
    Anything else raises :class:`_Unbounded`.
    """
    kind = type(node)
    if kind is Num:  # ``read`` gives finite floats, 0 or at least 1e-17 (places, never significant digits)
        x = read(node.value)
        return x, _U * abs(x)
    if kind is Paren:
        return _bounded(node.args[0], read)
    if kind is Neg:
        z, e = _bounded(node.args[0], read)
        return -z, e
    if kind is Add or kind is Sub:
        parts = [_bounded(a, read) for a in node.args]
        z = parts[0][0]
        for x, _ in parts[1:]:
            z = z + x if kind is Add else z - x
        # each of the n − 1 additions rounds by at most u times a partial sum, each at most
        # the sum of the magnitudes
        e = sum(e for _, e in parts) + (len(parts) - 1) * _U * sum(abs(x) for x, _ in parts)
        return _checked(z, e)
    if kind is Mul:
        z, e = _bounded(node.args[0], read)
        for a in node.args[1:]:
            z, e = _times(z, e, *_bounded(a, read))
        return z, e
    if kind is Div:
        (a, ea), (b, eb) = (_bounded(x, read) for x in node.args)
        if not abs(b) > 2 * eb:
            raise _Unbounded
        z = a / b
        return _checked(z, (ea * abs(b) + abs(a) * eb) / (abs(b) * (abs(b) - eb)) + _U * abs(z), a != 0)
    if kind is Pow:
        return _power(node, read)
    return _function(node, read)


def _times(a: float, ea: float, b: float, eb: float) -> tuple[float, float]:
    z = a * b
    return _checked(z, abs(a) * eb + abs(b) * ea + ea * eb + _U * abs(z), a != 0 and b != 0)


def _power(node: Pow, read) -> tuple[float, float]:
    base, exponent = node.args
    if type(exponent) is not Num:
        raise _Unbounded
    n = read(exponent.value)
    if not (n == int(n) and 1 <= n <= 8):  # a small whole power: repeated products, bounded as they are
        raise _Unbounded
    a, ea = _bounded(base, read)
    z, e = a, ea
    for _ in range(int(n) - 1):
        z, e = _times(z, e, a, ea)
    return z, e


def _function(node: Expr, read) -> tuple[float, float]:
    kind = type(node)
    if kind is Exp:
        a, ea = _bounded(node.args[0], read)
        if a > 700 or ea > 1:
            raise _Unbounded
        z = math.exp(a)
        return _checked(z, z * math.expm1(ea) * (1 + 4 * _U) + _FUNCTION_SLACK * z, True)
    if kind is Func and node.name == "tanh":
        a, ea = _bounded(node.args[0], read)
        z = math.tanh(a)  # the exact one is (e^2a − 1)/(e^2a + 1) from a 40-digit e^2a: 1e-39 off, absolutely
        return _checked(z, ea + _FUNCTION_SLACK * abs(z) + 1e-38)
    if kind is Func and node.name == "ln":
        a, ea = _bounded(node.args[0], read)
        if not a > 2 * ea:
            raise _Unbounded
        z = math.log(a)
        return _checked(z, -math.log1p(-ea / a) * (1 + 4 * _U) + _FUNCTION_SLACK * abs(z) + _U)
    raise _Unbounded


def _exact_decimal(node: Expr, read) -> Decimal | None:
    """The tree's exact result from the shown decimals (``read``), where it has only sums,
    differences, products and small whole powers: decimal arithmetic, every digit kept (any
    rounding would raise :class:`~decimal.Inexact`).  None for other trees."""
    try:
        return _sums_and_products(node, read)
    except (_Unbounded, Inexact):
        return None


def _sums_and_products(node: Expr, read) -> Decimal:
    kind = type(node)
    if kind is Num:
        return read(node.value)
    if kind is Paren:
        return _sums_and_products(node.args[0], read)
    if kind is Neg:
        return _EXACT.minus(_sums_and_products(node.args[0], read))
    if kind is Add or kind is Mul:
        parts = [_sums_and_products(a, read) for a in node.args]
        step = _EXACT.add if kind is Add else _EXACT.multiply
        result = parts[0]
        for x in parts[1:]:
            result = step(result, x)
        return result
    if kind is Sub:
        a, b = (_sums_and_products(x, read) for x in node.args)
        return _EXACT.subtract(a, b)
    if kind is Pow and type(node.args[1]) is Num:
        n = read(node.args[1].value)
        if n == n.to_integral_value() and 1 <= n <= 64:
            return _EXACT.power(_sums_and_products(node.args[0], read), int(n))
    raise _Unbounded
