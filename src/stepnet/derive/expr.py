"""A small expression tree for worked calculations, and its printers.

Why not sympy expressions directly: a worked example must print its terms in the
order they were written, with numbers substituted in place, and must print a few
hundred lines in milliseconds.  sympy re-orders and simplifies unless told not to,
and printing through it is slow.  So derivations are built from these nodes; every
node can also turn itself into a sympy expression (:meth:`Expr.to_sympy`), which is
how the tests and the check line compare them with sympy's own calculus.

A :class:`Sym` carries its value, so one tree prints both ways:
``print(e)`` shows symbols, ``print(e.numeric())`` shows the numbers in their place.
Printers dispatch on the node type (``_print_Add`` ...), one printer per output style.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

# precedence: higher binds tighter
P_ADD, P_MUL, P_NEG, P_POW, P_ATOM = 10, 20, 25, 30, 100


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

    def to_sympy(self, sp):
        return sp.Add(*(a.to_sympy(sp) for a in self.args), evaluate=False)


class Mul(_NAry):
    prec = P_MUL

    def evaluate(self) -> float:
        result = 1.0
        for a in self.args:
            result *= a.evaluate()
        return result

    def to_sympy(self, sp):
        return sp.Mul(*(a.to_sympy(sp) for a in self.args), evaluate=False)


class Sub(_NAry):
    prec = P_ADD

    def evaluate(self) -> float:
        a, b = self.args
        return a.evaluate() - b.evaluate()

    def to_sympy(self, sp):
        a, b = (x.to_sympy(sp) for x in self.args)
        return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


class Div(_NAry):
    prec = P_MUL

    def evaluate(self) -> float:
        a, b = self.args
        return a.evaluate() / b.evaluate()

    def to_sympy(self, sp):
        a, b = (x.to_sympy(sp) for x in self.args)
        return sp.Mul(a, sp.Pow(b, -1, evaluate=False), evaluate=False)


class Neg(_NAry):
    prec = P_NEG

    def evaluate(self) -> float:
        return -self.args[0].evaluate()

    def to_sympy(self, sp):
        return sp.Mul(-1, self.args[0].to_sympy(sp), evaluate=False)


class Pow(_NAry):
    prec = P_POW

    def evaluate(self) -> float:
        a, b = self.args
        return a.evaluate() ** b.evaluate()

    def to_sympy(self, sp):
        a, b = (x.to_sympy(sp) for x in self.args)
        return sp.Pow(a, b, evaluate=False)


class Exp(_NAry):
    """e raised to the argument."""

    prec = P_POW

    def evaluate(self) -> float:
        x = self.args[0].evaluate()
        return math.exp(x) if x < 709 else math.inf

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

    def to_sympy(self, sp):
        fn = {"tanh": sp.tanh, "ln": sp.log, "max": sp.Max, "sqrt": sp.sqrt}[self.name]
        return fn(*(a.to_sympy(sp) for a in self.args), evaluate=False)


class Paren(_NAry):
    """Explicit grouping, kept even where precedence would not need it."""

    def evaluate(self) -> float:
        return self.args[0].evaluate()

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

    def to_sympy(self, sp):
        lhs = self.lhs.to_sympy(sp)
        return sp.Piecewise((self.then.to_sympy(sp), lhs > 0), (self.other.to_sympy(sp), True))


def is_negative_number(e: Expr) -> bool:
    return isinstance(e, Num) and (e.value < 0 or (e.value == 0 and math.copysign(1, e.value) < 0))


# ----------------------------------------------------------------------------- printers


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
        method = getattr(self, "_print_" + type(e).__name__)
        return method(e, nested)

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
        return sep.join(self._factor(a, i) for i, a in enumerate(e.args))


def has_symbols(e: Expr) -> bool:
    """True while any symbol or derivative is left unsubstituted."""
    if isinstance(e, (Sym, Partial, Sum, Valued)):
        return True
    return any(has_symbols(c) for c in e.children())


class UnicodePrinter(Printer):
    def _print_Sym(self, e: Sym, nested: bool) -> str:
        return e.unicode

    def _print_Partial(self, e: Partial, nested: bool) -> str:
        return f"∂{e.num.unicode}/∂{e.den.unicode}"

    def _print_Div(self, e: Div, nested: bool) -> str:
        a, b = e.args
        return f"{self._wrap(a, P_MUL)}/{self._wrap(b, P_MUL, strict=True)}"

    def _print_Pow(self, e: Pow, nested: bool) -> str:
        a, b = e.args
        sup = _superscript(self._print(b)) if isinstance(b, Num) else None
        base = self._wrap(a, P_POW, strict=True)
        if is_negative_number(a) or isinstance(a, Partial):
            base = self.paren(self._print(a))
        return base + sup if sup else f"{base}^{self._wrap(b, P_ATOM)}"

    def _print_Exp(self, e: Exp, nested: bool) -> str:
        return f"e^{self.paren(self._print(e.args[0], nested=False))}"

    def _print_Func(self, e: Func, nested: bool) -> str:
        name = "√" if e.name == "sqrt" else e.name
        return name + self.paren(", ".join(self._print(a, nested=False) for a in e.args))

    def _print_Sum(self, e: Sum, nested: bool) -> str:
        return f"Σ_{self._print(e.index)} {self._wrap(e.body, P_MUL)}"

    def _print_Text(self, e: Text, nested: bool) -> str:
        return e.text

    def _print_Piecewise(self, e: Piecewise, nested: bool) -> str:
        return self.paren(f"{self._print(e.then, False)} if {self._print(e.lhs, False)} > 0 else {self._print(e.other, False)}")


class AsciiPrinter(UnicodePrinter):
    minus = "-"
    times = " * "
    tight_times = "*"
    dot = " * "
    tight_dot = "*"

    def _print_Sym(self, e: Sym, nested: bool) -> str:
        return e.ascii

    def _print_Partial(self, e: Partial, nested: bool) -> str:
        return f"d{e.num.ascii}/d{e.den.ascii}"

    def _print_Pow(self, e: Pow, nested: bool) -> str:
        a, b = e.args
        base = self._wrap(a, P_POW, strict=True)
        if is_negative_number(a) or isinstance(a, Partial):
            base = self.paren(self._print(a))
        return f"{base}^{self._wrap(b, P_POW, strict=True)}"

    def _print_Func(self, e: Func, nested: bool) -> str:
        return e.name + self.paren(", ".join(self._print(a, nested=False) for a in e.args))

    def _print_Sum(self, e: Sum, nested: bool) -> str:
        return f"sum_{self._print(e.index)} {self._wrap(e.body, P_MUL)}"

    def _print_Text(self, e: Text, nested: bool) -> str:
        return to_ascii(e.text)


_SUP = str.maketrans("0123456789−-+()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻⁺⁽⁾")

_ASCII = {
    "∂": "d", "δ": "delta", "η": "eta", "μ": "mu", "β": "beta", "ε": "epsilon", "Σ": "sum", "σ": "sigma",
    "−": "-", "×": "*", "·": "*", "…": "...", "→": "->", "⁺": "+", "√": "sqrt", "½": "1/2", "≠": "!=",
    "✓": "ok", "✗": "X", "†": "+", "—": "--", "–": "-", "═": "=", "─": "-", "₀": "0", "₁": "1", "₂": "2",
    "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9", "⁰": "0", "¹": "1", "²": "^2",
    "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁽": "(", "⁾": ")", "⁻": "-",
    "ˡ": "l", "ⱼ": "j", "ₖ": "k", "̂": "_hat", "≤": "<=", "≥": ">=", "≈": "~",
}


def to_ascii(text: str) -> str:
    """Plain ASCII for terminals that cannot show the tutorials' symbols."""
    out = "".join(_ASCII.get(ch, ch) for ch in text)
    return out.encode("ascii", "replace").decode("ascii")


def _superscript(s: str) -> str | None:
    return s.translate(_SUP) if all(ch in "0123456789−-+()" for ch in s) else None


class LatexPrinter(Printer):
    minus = "-"
    times = " \\times "
    tight_times = " \\times "
    dot = " \\cdot "
    tight_dot = " \\cdot "

    def paren(self, s: str) -> str:
        return f"\\left( {s} \\right)"

    def _print_Sym(self, e: Sym, nested: bool) -> str:
        return e.latex

    def _print_Partial(self, e: Partial, nested: bool) -> str:
        return f"\\frac{{\\partial {e.num.latex}}}{{\\partial {e.den.latex}}}"

    def _print_Div(self, e: Div, nested: bool) -> str:
        a, b = (x.args[0] if isinstance(x, Paren) else x for x in e.args)
        return f"\\frac{{{self._print(a, False)}}}{{{self._print(b, False)}}}"

    def _print_Pow(self, e: Pow, nested: bool) -> str:
        a, b = e.args
        base = self._wrap(a, P_POW, strict=True)
        if is_negative_number(a) or isinstance(a, Partial):
            base = self.paren(self._print(a))
        return f"{{{base}}}^{{{self._print(b, False)}}}"

    def _print_Exp(self, e: Exp, nested: bool) -> str:
        return f"e^{{{self._print(e.args[0], False)}}}"

    def _print_Func(self, e: Func, nested: bool) -> str:
        if e.name == "sqrt":
            return f"\\sqrt{{{self._print(e.args[0], False)}}}"
        args = ", ".join(self._print(a, False) for a in e.args)
        return f"\\{e.name}{self.paren(args)}"

    def _print_Sum(self, e: Sum, nested: bool) -> str:
        return f"\\sum_{{{self._print(e.index)}}} {self._wrap(e.body, P_MUL)}"

    def _print_Text(self, e: Text, nested: bool) -> str:
        return f"\\text{{{latex_text(e.text)}}}"

    def _print_Piecewise(self, e: Piecewise, nested: bool) -> str:
        then, lhs, other = (self._print(x, False) for x in (e.then, e.lhs, e.other))
        return f"\\begin{{cases}} {then} & \\text{{if }} {lhs} > 0 \\\\ {other} & \\text{{otherwise}} \\end{{cases}}"


_LATEX_TEXT = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\~{}",
    "|": r"\vert{}",
}


def latex_text(s: str) -> str:
    """Escape arbitrary text for use inside \\text{...}."""
    return "".join(_LATEX_TEXT.get(ch, ch) for ch in s)

