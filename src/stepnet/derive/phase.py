"""What every phase's lines are made of: the trace's values as symbols, and the line itself.

Each phase of a derivation (forward, backward, gradients, updates) extends
:class:`Phase`, so all of them write a quantity with the same symbol and the same
recorded value, and all of them check their lines against the rounded numbers shown.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ..engine.functions import LOSSES
from ..engine.rounding import carry_places, carry_sig, format_exact, make_rounder, round_exact
from ..engine.trace import IterationTrace
from .derivation import Formatter, Line
from .expr import Expr, Num, Partial, Sym
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

    # -------------------------------------------------------------- line making

    def line(self, lhs: Expr, forms: list[Expr], value: float | None, note: str | tuple = "") -> Line:
        if forms and isinstance(forms[-1], Num) and value is not None:  # ∂out/∂net = 1: the value says it
            forms = forms[:-1]
        numeric = forms[-1].numeric() if forms else None
        if isinstance(numeric, Num):  # a bare number: the value says it
            numeric = None
        ln = Line(lhs, forms, None if value is None else float(value), numeric, note)
        ln.shown_result = self._result_of_shown_numbers(ln)
        return ln

    def _result_of_shown_numbers(self, ln: Line) -> str | None:
        """What the rounded numbers on the line give, where that differs from the shown value.

        The shown numbers are taken as the decimals displayed and computed with exactly
        (functions to 40 digits), then rounded half away from zero: in hand mode to the
        carry first, then to the displayed precision.
        """
        if ln.numeric is None or ln.value is None:
            return None
        try:
            shown_value = Decimal(self.fmt(ln.value))
            exact = ln.numeric.evaluate_exact(self._shown_number)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, ArithmeticError):
            return None
        if not shown_value.is_finite():
            return None
        carry = self.it.carry
        if carry is not None:
            exact = round_exact(exact, carry_places(carry), carry_sig(carry))
        shown = format_exact(exact, self.fmt.places, self.fmt.sig)
        return shown if Decimal(shown) != shown_value else None

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
        return self.names.out(li, j).with_value(self.it.outputs_of(li)[s, j])

    def net(self, li: int, j: int, s: int) -> Sym:
        return self.names.net(li, j).with_value(self.it.layer(li).net[s, j])

    def target(self, j: int, s: int) -> Sym:
        return self.names.target(j).with_value(self.it.T[s, j])

    def delta(self, li: int, j: int, s: int) -> Sym:
        return self.names.delta(li, j).with_value(self.it.layer(li).delta[s, j])

    def param(self, p: Param, updated: bool = False, backprop: bool = False) -> Sym:
        """A parameter before its update, after it, or as the backward pass used it."""
        lt = self.it.layer(p.layer)
        if updated:
            v = p.of(lt, "updated")
        else:
            v = p.read(lt.W_backprop if backprop else lt.W, lt.b)
        return self.names.param(p, updated=updated).with_value(v)

    def gradient_value(self, p: Param) -> float:
        """∂E_total/∂p over the whole batch, the gradient the update uses."""
        return p.of(self.it.layer(p.layer), "gradient")

    def E(self, s: int | None) -> Sym:
        """The error a per-sample quantity belongs to: E_total, or E⁽ˢ⁾ within a batch."""
        if s is None or self.it.batch_size == 1:
            return self.names.error()
        return self.names.sample_error(s)

    def partial(self, num: Sym, den: Sym, value: float | None) -> Partial:
        return Partial(num, den, None if value is None else float(value))

    def dE_dout(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.E(s), self.names.out(li, j), self.it.layer(li).dE_dout[s, j])

    def dout_dnet(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.names.out(li, j), self.names.net(li, j), self.it.layer(li).dout_dnet[s, j])

    def dE_dnet(self, li: int, j: int, s: int) -> Partial:
        return self.partial(self.E(s), self.names.net(li, j), self.it.layer(li).delta[s, j])

