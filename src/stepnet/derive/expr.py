"""A small expression tree for worked calculations.

Why not sympy expressions directly: a worked example must print its terms in the
order they were written, with numbers substituted in place, and must print a few
hundred lines in milliseconds.  sympy re-orders and simplifies unless told not to,
and printing through it is slow.  So derivations are built from these nodes; every
node can also turn itself into a sympy expression (:meth:`Expr.to_sympy`), which is
how the tests compare the formulas shown with sympy's own calculus.

A :class:`Sym` carries its value, so one tree prints both ways: printed as it is, it
shows symbols; printed after :meth:`Expr.numeric`, the numbers in their place.  The
printers live beside this module, one per output (:mod:`.unicode`, :mod:`.latex`), each
with a ``_print_<Node>`` method per node type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Iterable

from ..engine.decimal_math import exact_function

# precedence: higher binds tighter
P_ADD, P_MUL, P_NEG, P_POW, P_ATOM = 10, 20, 25, 30, 100

Reader = Callable[[float], Fraction]
"""How :meth:`Expr.evaluate_exact` reads a number of the tree: as the decimal it is shown as."""



class Expr:
    prec = P_ATOM

    def children(self) -> tuple["Expr", ...]:
        return ()

    def rebuild(self, children: tuple["Expr", ...]) -> "Expr":
        return self

    def numeric(self) -> "Expr":
        """The same tree with every symbol that has a value replaced by that number."""
        return self.rebuild(tuple(c.numeric() for c in self.children()))

    def evaluate(self) -> float:
        raise NotImplementedError

    def evaluate_exact(self, read: Reader) -> Fraction:
        """The value computed exactly from the numbers as ``read`` gives them (the decimals shown).

        Sums, products and quotients are exact fractions; e^x, ln, tanh and √ are taken to
        40 significant digits.  Raises ValueError where a number is missing or a function
        is undefined there, ZeroDivisionError on a division by 0.
        """
        return read(self.evaluate())

    def to_sympy(self, sp):
        raise NotImplementedError

    def symbols(self) -> Iterable["Sym"]:
        for c in self.children():
            yield from c.symbols()


@dataclass(frozen=True, eq=False)
class Sym(Expr):
    """A named quantity: ``key`` identifies it, the three spellings print it."""

    key: tuple
    unicode: str
    ascii: str
    latex: str
    value: float | None = None

    def with_value(self, value: float) -> "Sym":
        return Sym(self.key, self.unicode, self.ascii, self.latex, float(value))

    def numeric(self) -> Expr:
        return self if self.value is None else Num(self.value)

    def evaluate(self) -> float:
        if self.value is None:
            raise ValueError(f"{self.ascii} has no value")
        return self.value

    def to_sympy(self, sp):
        return sp.Symbol(self.ascii)

    def symbols(self):
        yield self


@dataclass(frozen=True, eq=False)
class Num(Expr):
    value: float

    def evaluate(self) -> float:
        return self.value

    def to_sympy(self, sp):
        v = self.value
        return sp.Integer(int(v)) if float(v).is_integer() else sp.Float(v, 17)


@dataclass(frozen=True, eq=False)
class Partial(Expr):
    """∂num/∂den as one atom (prints better than sympy's Derivative)."""

    num: Sym
    den: Sym
    value: float | None = None

    def numeric(self) -> Expr:
        return self if self.value is None else Num(self.value)

    def evaluate(self) -> float:
        if self.value is None:
            raise ValueError("derivative without a value")
        return self.value

    def to_sympy(self, sp):
        return sp.Symbol(f"d{self.num.ascii}/d{self.den.ascii}")


class _NAry(Expr):
    def __init__(self, *args: Expr) -> None:
        self.args = tuple(args)

    def children(self):
        return self.args

    def rebuild(self, children):
        return type(self)(*children)


class Add(_NAry):
    prec = P_ADD

    def evaluate(self) -> float:
        return math.fsum(a.evaluate() for a in self.args)

    def evaluate_exact(self, read: Reader) -> Fraction:
        return sum((a.evaluate_exact(read) for a in self.args), Fraction(0))

    def to_sympy(self, sp):
        return sp.Add(*(a.to_sympy(sp) for a in self.args), evaluate=False)


class Mul(_NAry):
    prec = P_MUL

    def evaluate(self) -> float:
        result = 1.0
        for a in self.args:
            result *= a.evaluate()
        return result

    def evaluate_exact(self, read: Reader) -> Fraction:
        result = Fraction(1)
        for a in self.args:
            result *= a.evaluate_exact(read)
        return result

    def to_sympy(self, sp):
        return sp.Mul(*(a.to_sympy(sp) for a in self.args), evaluate=False)


class Sub(_NAry):
    prec = P_ADD

    def evaluate(self) -> float:
        a, b = self.args
        return a.evaluate() - b.evaluate()

    def evaluate_exact(self, read: Reader) -> Fraction:
        a, b = self.args
        return a.evaluate_exact(read) - b.evaluate_exact(read)

    def to_sympy(self, sp):
        a, b = (x.to_sympy(sp) for x in self.args)
        return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


class Div(_NAry):
    prec = P_MUL

    def evaluate(self) -> float:
        a, b = self.args
        return a.evaluate() / b.evaluate()

    def evaluate_exact(self, read: Reader) -> Fraction:
        a, b = self.args
        return a.evaluate_exact(read) / b.evaluate_exact(read)

    def to_sympy(self, sp):
        a, b = (x.to_sympy(sp) for x in self.args)
        return sp.Mul(a, sp.Pow(b, -1, evaluate=False), evaluate=False)


class Neg(_NAry):
    prec = P_NEG

    def evaluate(self) -> float:
        return -self.args[0].evaluate()

    def evaluate_exact(self, read: Reader) -> Fraction:
        return -self.args[0].evaluate_exact(read)

    def to_sympy(self, sp):
        return sp.Mul(-1, self.args[0].to_sympy(sp), evaluate=False)


class Pow(_NAry):
    prec = P_POW

    def evaluate(self) -> float:
        a, b = self.args
        return a.evaluate() ** b.evaluate()

    def evaluate_exact(self, read: Reader) -> Fraction:
        a, b = (x.evaluate_exact(read) for x in self.args)
        if b.denominator == 1 and abs(b) <= 100_000:
            return a ** int(b)
        if a <= 0:
            raise ValueError("a power of a number that is not positive")
        return exact_function("exp", b * exact_function("ln", a))

    def to_sympy(self, sp):
        a, b = (x.to_sympy(sp) for x in self.args)
        return sp.Pow(a, b, evaluate=False)


class Exp(_NAry):
    """e raised to the argument."""

    prec = P_POW

    def evaluate(self) -> float:
        x = self.args[0].evaluate()
        return math.exp(x) if x < 709 else math.inf

    def evaluate_exact(self, read: Reader) -> Fraction:
        return exact_function("exp", self.args[0].evaluate_exact(read))

    def to_sympy(self, sp):
        return sp.exp(self.args[0].to_sympy(sp), evaluate=False)


_FUNCS: dict[str, Callable[..., float]] = {
    "tanh": math.tanh,
    "ln": math.log,
    "max": max,
    "sqrt": math.sqrt,
}


class Func(Expr):
    """A named function applied to arguments: tanh(x), ln(x), max(0, x), sqrt(x)."""

    def __init__(self, name: str, *args: Expr) -> None:
        self.name = name
        self.args = tuple(args)

    def children(self):
        return self.args

    def rebuild(self, children):
        return Func(self.name, *children)

    def evaluate(self) -> float:
        return _FUNCS[self.name](*(a.evaluate() for a in self.args))

    def evaluate_exact(self, read: Reader) -> Fraction:
        return exact_function(self.name, *(a.evaluate_exact(read) for a in self.args))

    def to_sympy(self, sp):
        fn = {"tanh": sp.tanh, "ln": sp.log, "max": sp.Max, "sqrt": sp.sqrt}[self.name]
        return fn(*(a.to_sympy(sp) for a in self.args), evaluate=False)


class Paren(_NAry):
    """Explicit grouping, kept even where precedence would not need it."""

    def evaluate(self) -> float:
        return self.args[0].evaluate()

    def evaluate_exact(self, read: Reader) -> Fraction:
        return self.args[0].evaluate_exact(read)

    def to_sympy(self, sp):
        return self.args[0].to_sympy(sp)


class Sum(Expr):
    """Σ over a named index, shown but not expanded: Σ_k δ_k · w_kh."""

    prec = P_MUL

    def __init__(self, index: Sym, body: Expr, value: float | None = None) -> None:
        self.index = index
        self.body = body
        self.value = value

    def numeric(self) -> Expr:
        return self if self.value is None else Num(self.value)

    def evaluate(self) -> float:
        if self.value is None:
            raise ValueError("sum without a value")
        return self.value

    def to_sympy(self, sp):
        return sp.Symbol("sum")


class Valued(Expr):
    """A symbolic expression standing for a known number: prints as itself, substitutes to the number."""

    def __init__(self, inner: Expr, value: float) -> None:
        self.inner, self.value = inner, value
        self.prec = inner.prec

    def numeric(self) -> Expr:
        return Num(self.value)

    def evaluate(self) -> float:
        return self.value

    def to_sympy(self, sp):
        return self.inner.to_sympy(sp)

    def symbols(self):
        yield from self.inner.symbols()


class Text(Expr):
    """A word inside a formula (\\text{...} in LaTeX)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def evaluate(self) -> float:
        raise ValueError("text has no value")


class Piecewise(Expr):
    """``then if lhs > 0 else other``: the derivative of relu and leaky relu."""

    prec = P_ATOM

    def __init__(self, lhs: Expr, then: Expr, other: Expr) -> None:
        self.lhs, self.then, self.other = lhs, then, other

    def children(self):
        return (self.lhs, self.then, self.other)

    def rebuild(self, children):
        return Piecewise(*children)

    def evaluate(self) -> float:
        return self.then.evaluate() if self.lhs.evaluate() > 0 else self.other.evaluate()

    def evaluate_exact(self, read: Reader) -> Fraction:
        return (self.then if self.lhs.evaluate_exact(read) > 0 else self.other).evaluate_exact(read)

    def to_sympy(self, sp):
        lhs = self.lhs.to_sympy(sp)
        return sp.Piecewise((self.then.to_sympy(sp), lhs > 0), (self.other.to_sympy(sp), True))


def is_negative_number(e: Expr) -> bool:
    return isinstance(e, Num) and (e.value < 0 or (e.value == 0 and math.copysign(1, e.value) < 0))


def has_symbols(e: Expr) -> bool:
    """True while any symbol or derivative is left unsubstituted."""
    if isinstance(e, (Sym, Partial, Sum, Valued)):
        return True
    if isinstance(e, Num):
        return False
    if isinstance(e, _NAry):  # remembered: a printer asks at every product, and trees are never changed
        known = e.__dict__.get("_has_symbols")
        if known is None:
            known = e.__dict__["_has_symbols"] = any(has_symbols(c) for c in e.children())
        return known
    return any(has_symbols(c) for c in e.children())
