"""The LaTeX printer, for the math of Markdown output, and :func:`latex_text` for words set
inside a formula."""

from __future__ import annotations

from .expr import P_MUL, Div, Exp, Expr, Func, Paren, Partial, Piecewise, Sum, Sym, Text
from .printer import Printer


class LatexPrinter(Printer):
    """LaTeX math: \\frac for ∂ and division, \\left( \\right) for parentheses, braces for powers."""

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

    def _power(self, base: str, exponent: Expr) -> str:
        return f"{{{base}}}^{{{self._print(exponent, False)}}}"

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
