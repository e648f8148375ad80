"""The MathML printer, for the math of HTML pages: presentation MathML that browsers draw natively.

Every method returns MathML markup as a string: a run of elements that a ``<math>`` or
``<mrow>`` holds.  Signs, parentheses and products follow the rules of the base
:class:`~stepnet.derive.printer.Printer`, as in every other output; this module writes
the same structure as :mod:`.latex` (fractions for ∂ and division, stretchy brackets,
superscripts and subscripts) in MathML elements.

A symbol's MathML is made from its LaTeX spelling (``\\mathrm{out}_{o_{1}}``,
``w^{(2)}_{11}``, ``\\hat{m}_{w_{1}}``), read by a small reader of the few commands symbols
are written with; any other spelling is shown as its Unicode name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .expr import P_MUL, Add, Div, Exp, Expr, Func, Num, Paren, Partial, Piecewise, Sum, Sym, Text
from .matrix_expr import Apply, Grid, Hadamard, MatMul, Transpose
from .printer import Printer

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def escape(text: str) -> str:
    """Text for an element's content or a quoted attribute: no tag, entity or quote can form."""
    return "".join(_ESCAPES.get(ch, ch) for ch in str(text))


def mo(op: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
    return f"<mo{extra}>{escape(op)}</mo>"


class MathMLPrinter(Printer):
    """Presentation MathML: mfrac for ∂ and division, msup for powers, mrow-grouped brackets."""

    minus = "<mo>−</mo>"
    times = "<mo>×</mo>"
    tight_times = "<mo>×</mo>"
    dot = "<mo>⋅</mo>"
    tight_dot = "<mo>⋅</mo>"

    def paren(self, s: str) -> str:
        return f"<mrow><mo>(</mo>{group(s)}<mo>)</mo></mrow>"  # inside its own row, −x is a sign

    def _print_Num(self, e: Num, nested: bool) -> str:
        text = self.fmt(e.value)
        if text.startswith("-"):
            return self.minus + f"<mn>{escape(text[1:])}</mn>"
        return f"<mn>{escape(text)}</mn>"

    def _print_Sym(self, e: Sym, nested: bool) -> str:
        return symbol_mathml(e.latex, e.unicode)

    def _print_Partial(self, e: Partial, nested: bool) -> str:
        num, den = (symbol_mathml(s.latex, s.unicode) for s in (e.num, e.den))
        return f"<mfrac><mrow><mi>∂</mi>{num}</mrow><mrow><mi>∂</mi>{den}</mrow></mfrac>"

    def _print_Add(self, e: Add, nested: bool) -> str:
        parts = [self._term(e.args[0], first=True)]
        parts += ["<mo>+</mo>" + self._term(a, first=False) for a in e.args[1:]]
        return "".join(parts)

    def _print_Div(self, e: Div, nested: bool) -> str:
        a, b = (x.args[0] if isinstance(x, Paren) else x for x in e.args)
        return f"<mfrac>{group(self._print(a, False))}{group(self._print(b, False))}</mfrac>"

    def _power(self, base: str, exponent: Expr) -> str:
        return f"<msup>{group(base)}{group(self._print(exponent, False))}</msup>"

    def _print_Exp(self, e: Exp, nested: bool) -> str:
        return f"<msup><mi>e</mi>{group(self._print(e.args[0], False))}</msup>"

    def _print_Func(self, e: Func, nested: bool) -> str:
        if e.name == "sqrt":
            return f"<msqrt>{self._print(e.args[0], False)}</msqrt>"
        args = "<mo>,</mo>".join(self._print(a, False) for a in e.args)
        return f"<mi>{escape(e.name)}</mi><mo>&#x2061;</mo>{self.paren(args)}"

    def _print_Sum(self, e: Sum, nested: bool) -> str:
        return f"<munder><mo>∑</mo>{group(self._print(e.index))}</munder>{self._wrap(e.body, P_MUL)}"

    def _print_Text(self, e: Text, nested: bool) -> str:
        return f"<mtext>{escape(e.text)}</mtext>"

    def _print_Piecewise(self, e: Piecewise, nested: bool) -> str:
        then, lhs, other = (self._print(x, False) for x in (e.then, e.lhs, e.other))
        rows = (f"<mtr><mtd>{then}</mtd><mtd><mtext>if&#xA0;</mtext>{lhs}<mo>&gt;</mo><mn>0</mn></mtd></mtr>"
                f"<mtr><mtd>{other}</mtd><mtd><mtext>otherwise</mtext></mtd></mtr>")
        return f'<mrow><mo>{{</mo><mtable columnalign="left left">{rows}</mtable></mrow>'


class MatrixMathMLPrinter(MathMLPrinter):
    """The matrix view's nodes too: a grid is an ``<mtable>`` between square brackets.

    A matrix product is written side by side (with an invisible times), the product entry
    by entry with ⊙, a transpose as a sans-serif T, and a function applied entry by entry
    as a function applied to its argument.  A wide grid shows ⋯, ⋮ and ⋱ where it is cut.
    """

    marks = {"h": "⋯", "v": "⋮", "d": "⋱"}

    def _print_MatMul(self, e: MatMul, nested: bool) -> str:
        return "<mo>&#x2062;</mo>".join(self._wrap(a, P_MUL, strict=True) for a in e.args)

    def _print_Hadamard(self, e: Hadamard, nested: bool) -> str:
        return "<mo>⊙</mo>".join(self._wrap(a, P_MUL, strict=True) for a in e.args)

    def _print_Transpose(self, e: Transpose, nested: bool) -> str:
        inner = self._print(e.arg, False)
        one = isinstance(e.arg, Grid) or (isinstance(e.arg, Sym) and len(e.arg.unicode) == 1)
        return f'<msup>{group(inner) if one else self.paren(inner)}<mi mathvariant="normal">T</mi></msup>'

    def _print_Apply(self, e: Apply, nested: bool) -> str:
        name = symbol_mathml(e.spelling[2], e.spelling[0])
        return f"{name}<mo>&#x2061;</mo>{self.paren(self._print(e.arg, False))}"

    def _print_Grid(self, e: Grid, nested: bool) -> str:
        rows = "".join("<mtr>" + "".join(self._cell(v) for v in row) + "</mtr>" for row in e.cells())
        return f'<mrow><mo>[</mo><mtable class="grid">{rows}</mtable><mo>]</mo></mrow>'

    def _cell(self, v: float | str) -> str:
        """One entry as an ``<mtd>``: its number, or the mark of what is left out there."""
        if isinstance(v, str):
            return f'<mtd class="mark"><mo>{self.marks[v]}</mo></mtd>'
        return f"<mtd>{self._print_Num(Num(v), False)}</mtd>"


def math(body: str, display: bool = False, displaystyle: bool = False) -> str:
    """``body`` as one ``<math>`` element: inline, or ``display`` as a block of its own.

    ``displaystyle`` sets inline math in display style (full-size fractions, limits under
    a sum), for a formula that stands on its own line but keeps to the left margin.
    """
    mode = ' display="block"' if display else ' displaystyle="true"' if displaystyle else ""
    return f'<math xmlns="{MATHML_NS}"{mode}>{body}</math>'


def aligned(rows: list[tuple[str, str]]) -> str:
    """Rows of a chain aligned at their = signs, as LaTeX's ``aligned``: left side right-aligned."""
    cells = "".join(f'<mtr><mtd class="l">{left}</mtd><mtd class="r">{right}</mtd></mtr>' for left, right in rows)
    return f'<mtable class="chain" columnalign="right left" displaystyle="true">{cells}</mtable>'


_TAG = re.compile(r"<(/?)([a-z]+)\b[^>]*?(/?)>")


def group(s: str) -> str:
    """``s`` as one element: a run of several elements (or none) is wrapped in an ``<mrow>``."""
    return s if _single_element(s) else f"<mrow>{s}</mrow>"


def _single_element(s: str) -> bool:
    """True when ``s`` is exactly one element, from its opening tag to its closing tag."""
    if not s.startswith("<"):
        return False
    depth = 0
    for m in _TAG.finditer(s):
        if not m[3]:
            depth += -1 if m[1] else 1
        if depth == 0:
            return m.end() == len(s)
    return False


# ---------------------------------------------------------------- symbols from their LaTeX spelling

_LETTERS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
            "upsilon phi chi psi omega").split()
_GREEK = {name: letter for name, letter in zip(_LETTERS, "αβγδϵζηθικλμνξοπρστυφχψω", strict=True)}
_GREEK |= {name.capitalize(): letter.upper() for name, letter in _GREEK.items()}  # \Theta: Θ
_GREEK |= {"varepsilon": "ε", "partial": "∂", "sum": "∑", "nabla": "∇"}
_FUNCTIONS = frozenset({"tanh", "exp", "ln", "log"})  # written upright, as one identifier


class _Unreadable(ValueError):
    pass


@lru_cache(maxsize=4096)
def symbol_mathml(latex: str, fallback: str) -> str:
    """A symbol's MathML from its LaTeX spelling; its Unicode spelling as one identifier if unreadable."""
    try:
        reader = _SymbolReader(latex)
        out = reader.sequence(closing=None)
        return out if len(out) > 0 else f"<mi>{escape(fallback)}</mi>"
    except _Unreadable:
        return f"<mi>{escape(fallback)}</mi>"


class _SymbolReader:
    """Reads the LaTeX subset symbols are spelled in: letters, digits, groups, _ and ^, a few commands."""

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def sequence(self, closing: str | None) -> str:
        out = []
        while True:
            ch = self.peek()
            if ch == "" or ch == "}":
                if (ch == "}") != (closing == "}"):
                    raise _Unreadable(self.text)
                self.pos += ch == "}"
                return "".join(out)
            if ch == " ":
                self.pos += 1
                continue
            out.append(self.scripted())

    def scripted(self) -> str:
        """One atom with any subscript and superscript that follow it."""
        base = self.atom()
        sub = sup = None
        while self.peek() in ("_", "^"):
            mark = self.peek()
            self.pos += 1
            arg = self.argument()
            if mark == "_" and sub is None:
                sub = arg
            elif mark == "^" and sup is None:
                sup = arg
            else:
                raise _Unreadable(self.text)
        if sub is not None and sup is not None:
            return f"<msubsup>{group(base)}{group(sub)}{group(sup)}</msubsup>"
        if sub is not None:
            return f"<msub>{group(base)}{group(sub)}</msub>"
        if sup is not None:
            return f"<msup>{group(base)}{group(sup)}</msup>"
        return base

    def argument(self) -> str:
        if self.peek() == "{":
            self.pos += 1
            return self.sequence(closing="}")
        return self.atom()

    def atom(self) -> str:
        ch = self.peek()
        if ch == "{":
            self.pos += 1
            return group(self.sequence(closing="}"))
        if ch == "\\":
            return self.command()
        if ch.isdigit():
            start = self.pos
            while self.peek().isdigit():
                self.pos += 1
            return f"<mn>{self.text[start:self.pos]}</mn>"
        if ch.isalpha():
            self.pos += 1
            return f"<mi>{escape(ch)}</mi>"
        if ch in "(),+-'":
            self.pos += 1
            op = {"-": "−", "'": "′"}.get(ch, ch)
            return mo(op, stretchy="false") if ch in "()" else mo(op)
        raise _Unreadable(self.text)

    def command(self) -> str:
        m = re.compile(r"\\([A-Za-z]+)").match(self.text, self.pos)
        if m is None:
            raise _Unreadable(self.text)
        self.pos = m.end()
        name = m[1]
        if name in _GREEK:
            return f"<mi>{_GREEK[name]}</mi>"
        if name in _FUNCTIONS:
            return f"<mi>{name}</mi>"
        if name in ("mathrm", "text"):
            word = self._braced_text()
            if name == "text":
                return f"<mtext>{escape(word)}</mtext>"
            variant = ' mathvariant="normal"' if len(word) == 1 else ""
            return f"<mi{variant}>{escape(word)}</mi>"
        if name == "hat":
            return f'<mover accent="true">{group(self.argument())}<mo>^</mo></mover>'
        if name in ("langle", "rangle"):  # a sample's marker, E^{\langle 1\rangle}
            return mo("⟨" if name == "langle" else "⟩", stretchy="false")
        raise _Unreadable(self.text)

    def _braced_text(self) -> str:
        m = re.compile(r"\{([^{}\\]*)\}").match(self.text, self.pos)
        if m is None:
            raise _Unreadable(self.text)
        self.pos = m.end()
        return m[1]
