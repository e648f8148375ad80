"""The plain-text printers: Unicode for terminals and Markdown prose, ASCII where Unicode
cannot be shown (``--ascii``), and :func:`to_ascii` for any other text printed beside them."""

from __future__ import annotations

from .expr import P_MUL, Div, Exp, Expr, Func, Num, Partial, Piecewise, Sum, Sym, Text
from .printer import Printer


class UnicodePrinter(Printer):
    """Unicode notation: ∂, Σ, √ and superscript powers (x²)."""

    superscripts = True  # a number exponent as superscript digits

    def _print_Sym(self, e: Sym, nested: bool) -> str:
        return e.unicode

    def _print_Partial(self, e: Partial, nested: bool) -> str:
        return f"∂{e.num.unicode}/∂{e.den.unicode}"

    def _print_Div(self, e: Div, nested: bool) -> str:
        a, b = e.args
        return f"{self._wrap(a, P_MUL)}/{self._wrap(b, P_MUL, strict=True)}"

    def _power(self, base: str, exponent: Expr) -> str:
        sup = _superscript(self._print(exponent)) if self.superscripts and isinstance(exponent, Num) else None
        return base + sup if sup else super()._power(base, exponent)

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
        then, lhs, other = (self._print(x, False) for x in (e.then, e.lhs, e.other))
        return self.paren(f"{then} if {lhs} > 0 else {other}")


class AsciiPrinter(UnicodePrinter):
    """For terminals without Unicode: d for ∂, sum for Σ, * for × and ·, x^2."""

    superscripts = False
    minus = "-"
    times = " * "
    tight_times = "*"
    dot = " * "
    tight_dot = "*"

    def _print_Sym(self, e: Sym, nested: bool) -> str:
        return e.ascii

    def _print_Partial(self, e: Partial, nested: bool) -> str:
        return f"d{e.num.ascii}/d{e.den.ascii}"

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
    "⟨": "<", "⟩": ">",
    "ˡ": "l", "ⱼ": "j", "ₖ": "k", "̂": "_hat", "≤": "<=", "≥": ">=", "≈": "~",
}


def to_ascii(text: str) -> str:
    """Plain ASCII for terminals that cannot show the tutorials' symbols."""
    out = "".join(_ASCII.get(ch, ch) for ch in text)
    return out.encode("ascii", "replace").decode("ascii")


def _superscript(s: str) -> str | None:
    return s.translate(_SUP) if all(ch in "0123456789−-+()" for ch in s) else None
