"""The base of every expression printer: dispatch on the node's type, and the rules all share.

A printer has one ``_print_<Node>`` method per node class.  :meth:`Printer._print` walks
the node's class hierarchy (its MRO) to the nearest class with a method, so a subclass of
a node prints as its parent does until a printer gives it a method of its own; the
method found for a class is remembered, as a report prints the same few classes many times.  The rules
for signs, parentheses and products are the same in every output; a printer changes its
glyphs (class attributes) and the methods for what it writes differently.
"""

from __future__ import annotations

from typing import Callable

from .expr import (
    P_ADD,
    P_ATOM,
    P_MUL,
    P_POW,
    Add,
    Expr,
    Mul,
    Neg,
    Num,
    Paren,
    Partial,
    Pow,
    Sub,
    Sym,
    Valued,
    has_symbols,
    is_negative_number,
)


class Printer:
    """Base printer: ``doprint(expr)``; subclasses define the glyphs and ``_print_<Node>``."""

    minus = "−"
    times = " × "
    tight_times = "×"
    dot = " · "
    tight_dot = "·"

    def __init__(self, fmt: Callable[[float], str] = repr) -> None:
        self.fmt = fmt

    def doprint(self, e: Expr) -> str:
        return self._print(e, nested=False)

    def _print(self, e: Expr, nested: bool = True) -> str:
        try:
            method = self._methods[type(e)]
        except AttributeError:  # the first node this printer prints
            self._methods = {}
            method = self._method(type(e))
        except KeyError:
            method = self._method(type(e))
        return method(e, nested)

    def _method(self, kind: type) -> Callable[[Expr, bool], str]:
        """The method printing nodes of class ``kind``, found once per class and remembered."""
        for cls in kind.__mro__:
            method = getattr(self, "_print_" + cls.__name__, None)
            if method is not None:
                self._methods[kind] = method
                return method
        node = kind.__name__
        raise TypeError(f"{type(self).__name__} cannot print {node} nodes: it has no _print_{node} method, "
                        f"nor one for any class {node} derives from")

    def paren(self, s: str) -> str:
        return f"({s})"

    def _wrap(self, e: Expr, min_prec: int, strict: bool = False) -> str:
        s = self._print(e)
        if e.prec < min_prec or (strict and e.prec == min_prec):
            return self.paren(s)
        return s

    def _number(self, value: float) -> str:
        s = self.fmt(value)
        return s.replace("-", self.minus, 1) if s.startswith("-") else s

    def _print_Num(self, e: Num, nested: bool) -> str:
        return self._number(e.value)

    def _print_Valued(self, e: Valued, nested: bool) -> str:
        return self._print(e.inner, nested)

    def _print_Paren(self, e: Paren, nested: bool) -> str:
        return self.paren(self._print(e.args[0], nested=False))

    def _print_Add(self, e: Add, nested: bool) -> str:
        parts = [self._term(e.args[0], first=True)]
        for a in e.args[1:]:
            parts.append(" + " + self._term(a, first=False))
        return "".join(parts)

    def _term(self, a: Expr, first: bool) -> str:
        s = self._wrap(a, P_ADD)
        if not first and s.startswith(self.minus):
            return self.paren(s)
        return s

    def _print_Sub(self, e: Sub, nested: bool) -> str:
        a, b = e.args
        right = self._print(b)
        if b.prec <= P_ADD or is_negative_number(b) or isinstance(b, Neg):
            right = self.paren(right)
        return f"{self._wrap(a, P_ADD)} {self.minus} {right}"

    def _print_Neg(self, e: Neg, nested: bool) -> str:
        inner = e.args[0]
        s = self._print(inner)
        if inner.prec < P_POW or is_negative_number(inner):
            s = self.paren(s)
        return self.minus + s

    def _factor(self, a: Expr, index: int) -> str:
        s = self._wrap(a, P_MUL)
        if index > 0 and s.startswith(self.minus):  # 0.5 × (−0.02), never 0.5 × −0.02
            return self.paren(s)
        return s

    def _print_Mul(self, e: Mul, nested: bool) -> str:
        nested = nested and all(isinstance(a, (Sym, Num)) for a in e.args)
        if has_symbols(e):
            sep = self.tight_dot if nested else self.dot
        else:
            sep = self.tight_times if nested else self.times
        return sep.join([self._factor(a, i) for i, a in enumerate(e.args)])

    def _print_Pow(self, e: Pow, nested: bool) -> str:
        a, b = e.args
        base = self._wrap(a, P_POW, strict=True)
        if is_negative_number(a) or isinstance(a, Partial):  # (−0.5)², (∂E/∂w)²
            base = self.paren(self._print(a))
        return self._power(base, b)

    def _power(self, base: str, exponent: Expr) -> str:
        """``base`` (already printed) raised to ``exponent``, in this printer's notation."""
        return f"{base}^{self._wrap(exponent, P_ATOM)}"
