"""Reading the worked lines stepnet prints, and redoing their arithmetic exactly.

A worked line ends ``… = <numbers put in> = <result>``.  :func:`parse` reads the numeric
expression (× · / + −, parentheses, ², ^, e^(…), tanh, ln, max, √, σ and
``(a if x > 0 else b)``) with a small recursive-descent parser, and :func:`evaluate` computes
it with fractions: sums, products and quotients exactly, e^x, ln, tanh and √ to 60 digits
with Python's own decimal module.  Nothing here uses stepnet's arithmetic, so it is an
independent check of every number a line shows.  :func:`networks` draws the small random
configs these checks run on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Context, Decimal
from fractions import Fraction

from hypothesis import strategies as st

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?(?:e[+-]?\d+)?)|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)"
    r"|(?P<word>tanh|ln|max|if|else|exp|e(?=\^))|(?P<op>[-−+×·/^(),>√σ]))")
NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?(?:e[+-]?\d+)?")
_NOTE = re.compile(r"^\s+† the rounded numbers shown give ([-−]?\d+(?:\.\d+)?)")
_DIGITS = Context(prec=60)


class Unparsable(ValueError):
    """The text is not a numeric expression in stepnet's notation."""


class Undefined(ArithmeticError):
    """The expression divides by 0 or takes ln, √ where they are undefined."""


def tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise Unparsable(f"cannot read {text[pos:]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


@dataclass
class _Parser:
    toks: list[tuple[str, str]]
    i: int = 0

    def peek(self, value: str | None = None) -> bool:
        if self.i >= len(self.toks):
            return False
        return value is None or self.toks[self.i][1] == value

    def take(self, value: str | None = None) -> tuple[str, str]:
        if not self.peek(value):
            raise Unparsable(f"expected {value or 'more'} at token {self.i}")
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expr(self):
        node = self.term()
        while self.peek("+") or self.peek("−") or self.peek("-"):
            op = self.take()[1]
            node = ("+" if op == "+" else "-", node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek("×") or self.peek("·") or self.peek("/"):
            op = self.take()[1]
            node = ("/" if op == "/" else "*", node, self.unary())
        return node

    def unary(self):
        if self.peek("−") or self.peek("-"):
            self.take()
            return ("neg", self.unary())
        return self.power()

    def power(self):
        node = self.atom()
        if self.i < len(self.toks) and self.toks[self.i][0] == "sup":
            node = ("pow", node, ("num", Fraction(int(self.take()[1].translate(SUPERSCRIPTS)))))
        elif self.peek("^"):
            self.take("^")
            node = ("pow", node, self.atom())
        return node

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return ("num", Fraction(Decimal(value)))
        if value == "e":
            self.take("^")
            return ("exp", self.atom())
        if value in ("tanh", "ln", "exp", "√", "σ"):
            return (value, self.atom())
        if value == "max":
            self.take("(")
            a = self.expr()
            self.take(",")
            b = self.expr()
            self.take(")")
            return ("max", a, b)
        if value == "(":
            inner = self.expr()
            if self.peek("if"):  # (a if x > 0 else b)
                self.take("if")
                cond = self.expr()
                self.take(">")
                bound = self.expr()
                self.take("else")
                other = self.expr()
                inner = ("if", inner, cond, bound, other)
            self.take(")")
            return inner
        raise Unparsable(f"unexpected {value!r}")


def parse(text: str):
    p = _Parser(tokens(text))
    node = p.expr()
    if p.i != len(p.toks):
        raise Unparsable(f"left over after token {p.i} in {text!r}")
    return node


def _decimal_function(name: str, x: Fraction) -> Fraction:
    d = _DIGITS.divide(Decimal(x.numerator), Decimal(x.denominator))
    if name in ("exp",):
        if d > 10_000:
            raise Undefined("overflow")
        return Fraction(_DIGITS.exp(d)) if d > -10_000 else Fraction(0)
    if name == "σ":
        return 1 / (1 + _decimal_function("exp", -x))
    if name == "tanh":
        if abs(d) > 100:
            return Fraction(1 if d > 0 else -1)
        e2 = Fraction(_DIGITS.exp(_DIGITS.multiply(2, d)))
        return (e2 - 1) / (e2 + 1)
    if name == "ln":
        if x <= 0:
            raise Undefined("ln of a number that is not positive")
        return Fraction(_DIGITS.ln(d))
    if x < 0:
        raise Undefined("square root of a negative number")
    return Fraction(_DIGITS.sqrt(d))


def evaluate(node) -> Fraction:
    op = node[0]
    if op == "num":
        return node[1]
    if op == "neg":
        return -evaluate(node[1])
    if op in ("exp", "tanh", "ln", "√", "σ"):
        return _decimal_function(op, evaluate(node[1]))
    if op == "max":
        return max(evaluate(node[1]), evaluate(node[2]))
    if op == "if":
        _, then, cond, bound, other = node
        return evaluate(then) if evaluate(cond) > evaluate(bound) else evaluate(other)
    a, b = evaluate(node[1]), evaluate(node[2])
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise Undefined("division by 0")
        return a / b
    if b.denominator == 1:  # pow
        if a == 0 and b < 0:
            raise Undefined("division by 0")
        return a ** int(b)
    if a <= 0:
        raise Undefined("a power of a number that is not positive")
    return _decimal_function("exp", b * _decimal_function("ln", a))


def round_half_away(x: Fraction, places: int | None = None, sig: int | None = None) -> Fraction:
    """x rounded half away from zero to ``places`` decimals or ``sig`` significant digits, exactly."""
    if sig is not None:
        if x == 0:
            return Fraction(0)
        places = sig - 1 - _leading_exponent(x)
    scaled = abs(x) * Fraction(10) ** places
    n = (scaled * 2 + 1) // 2  # floor(scaled + 1/2)
    return (n if x > 0 else -n) / Fraction(10) ** places


def _leading_exponent(x: Fraction) -> int:
    x = abs(x)
    e = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def number(text: str) -> Fraction:
    return Fraction(Decimal(text.replace("−", "-")))


def beyond_display(result: str, note: str, numbers: str = "") -> bool:
    """Whether a result and its note differ only past the 15 significant digits a display keeps
    (78164082041020.5 against 78164082041020.51), or a number of the line is shown with an exponent
    (10 significant digits of a value past 10^15)."""
    shown, given = number(result), number(note)
    return "e" in result or "e+" in numbers or abs(shown - given) <= abs(given) * Fraction(1, 10**14)


# ---------------------------------------------------------------- whole outputs


_SYMBOLIC = re.compile(r"[A-Za-zα-ωΑ-Ωμ∂Σ_̂⁺]")
_FUNCTION_WORDS = re.compile(r"tanh|ln|max|if|else|exp|e\^|(?<=\d)e[+-]\d+")  # and 2.0e+24's exponent


def looks_numeric(text: str) -> bool:
    """Whether a part of a line is made of numbers alone (no symbol left unsubstituted)."""
    return bool(re.search(r"\d", text)) and not _SYMBOLIC.search(_FUNCTION_WORDS.sub("", text))


@dataclass
class Worked:
    """One line's numeric expression, shown result, and its † note's number if any."""

    text: str
    expression: str
    result: str
    note: str | None


@dataclass
class Tally:
    checked: int = 0
    noted: int = 0
    noted_results: list[tuple[str, str, str]] = field(default_factory=list)  # (result, note, numbers) of each
    undefined: int = 0
    truncated: int = 0
    failures: list[str] = field(default_factory=list)


def worked_lines(output: str) -> list[Worked]:
    """Every printed line ending ``= <numbers> = <number>``, with the † note that follows it."""
    lines = output.splitlines()
    found = []
    for n, line in enumerate(lines):
        if "│" in line or line.startswith((" ", "\t")) or " = " not in line:
            continue
        parts = line.split(" = ")
        if len(parts) < 3 or not NUMBER.fullmatch(parts[-1].strip()):
            continue
        expression = parts[-2]
        if "…" not in expression and not looks_numeric(expression):
            continue
        note = None
        for follow in lines[n + 1:n + 4]:
            if not follow.startswith(" "):
                break
            m = _NOTE.match(follow)
            if m:
                note = m.group(1)
        found.append(Worked(line, expression, parts[-1].strip(), note))
    return found


def check_output(output: str, places: int = 9, sig: int | None = None, carry: int | None = None,
                 carry_sig: int | None = None, tally: Tally | None = None) -> Tally:
    """Redo every worked line of ``output`` exactly and record each line whose result (or note) is wrong.

    The exact value of the shown numbers is rounded as the run rounds: to the carry first
    in hand mode, then to the display's ``places`` (or ``sig`` digits).  It must equal the
    shown result, or, where they differ, the number of the line's † note; a line whose
    shown numbers do give its result must carry no note.
    """
    tally = tally or Tally()
    for w in worked_lines(output):
        if "…" in w.expression:
            tally.truncated += 1
            continue
        try:
            exact = evaluate(parse(w.expression))
        except Undefined:
            tally.undefined += 1
            continue
        except Unparsable as e:
            tally.failures.append(f"unparsable ({e}): {w.text}")
            continue
        if carry is not None or carry_sig is not None:
            exact = round_half_away(exact, carry, carry_sig)
        expected = round_half_away(exact, None if sig is not None else places, sig)
        shown = number(w.result)
        tally.checked += 1
        if w.note is not None:
            tally.noted += 1
            tally.noted_results.append((w.result, w.note, w.expression))
            if number(w.note) != expected or expected == shown:
                tally.failures.append(f"note {w.note} where the exact value is {expected}: {w.text}")
        elif expected != shown:
            tally.failures.append(f"shows {w.result} where its numbers give {float(expected)!r} "
                                  f"({exact}): {w.text}")
    return tally


# ---------------------------------------------------------------- random small networks


_HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
_TWO_DECIMALS = st.integers(-100, 100).map(lambda n: n / 100)


@st.composite
def networks(draw) -> dict:
    """A config: 1–2 hidden layers of 1–4 neurons, any activation, loss, bias mode and optimizer, 1–3 samples;
    every weight, bias and input has 2 decimals, so the numbers shown are the numbers used."""
    sizes = [draw(st.integers(1, 3))] + [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 2)))]
    loss = draw(st.sampled_from(["half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy"]))
    out_act = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss) or draw(
        st.sampled_from(_HIDDEN + ["softmax"]))
    n_out = draw(st.integers(2 if out_act == "softmax" else 1, 3))
    sizes.append(n_out)
    layers = [{"name": "i", "size": sizes[0]}]
    for k, size in enumerate(sizes[1:]):
        name = "o" if k == len(sizes) - 2 else "hg"[k]
        activation = out_act if name == "o" else draw(st.sampled_from(_HIDDEN))
        layers.append({"name": name, "size": size, "activation": activation,
                       "bias": draw(st.sampled_from(["per_neuron", "shared", "none"]))})
    weights = {lay["name"]: [[draw(_TWO_DECIMALS) for _ in range(prev)] for _ in range(lay["size"])]
               for prev, lay in zip(sizes, layers[1:], strict=False)}
    biases = {lay["name"]: (draw(_TWO_DECIMALS) if lay["bias"] == "shared" else
                            [draw(_TWO_DECIMALS) for _ in range(lay["size"])])
              for lay in layers[1:] if lay["bias"] != "none"}
    data = [{"inputs": [draw(_TWO_DECIMALS) for _ in range(sizes[0])], "targets": _targets(draw, loss, n_out)}
            for _ in range(draw(st.integers(1, 3)))]
    optimizer = draw(st.sampled_from(["sgd", "momentum", "adam"]))
    return {"layers": layers, "loss": loss, "weights": weights, "biases": biases, "data": data,
            "optimizer": {"name": optimizer}, "learning_rate": draw(st.sampled_from([0.05, 0.1, 0.5]))}


def _targets(draw, loss: str, n: int) -> list[float]:
    if loss == "cross_entropy":
        hot = draw(st.integers(0, n - 1))
        return [1.0 if k == hot else 0.0 for k in range(n)]
    return [draw(st.integers(0, 100)) / 100 for _ in range(n)]


