"""The expression printers and number formatting, as exact strings.

In the style of sympy's printer tests: build a node, print it with each printer, compare
the whole string.  Numbers go through ``rounding.format_number`` (9 decimals by default),
so these tests also pin down how stepnet writes a number.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import stepnet
from stepnet.derive.derivation import Formatter, long_sum
from stepnet.derive.deriver import Deriver
from stepnet.derive.expr import (
    Add,
    Div,
    Exp,
    Expr,
    Func,
    Mul,
    Neg,
    Num,
    Paren,
    Partial,
    Piecewise,
    Pow,
    Sub,
    Sum,
    Sym,
    Valued,
)
from stepnet.derive.latex import LatexPrinter
from stepnet.derive.names import Names
from stepnet.derive.unicode import AsciiPrinter, UnicodePrinter
from stepnet.engine.rounding import format_number, make_rounder, round_half_away

FMT = Formatter()
U, A, L = UnicodePrinter(FMT), AsciiPrinter(FMT), LatexPrinter(FMT)

# out_o1 of the classic example at full precision: shown as 0.751365070 (9 places, trailing zero kept)
OUT_O1 = 0.7513650695523157


def show(e):
    return U.doprint(e), A.doprint(e), L.doprint(e)


@pytest.fixture(scope="module")
def names():
    return Names(stepnet.load("mazur"))


@pytest.fixture(scope="module")
def deriver():
    run = stepnet.run("mazur", 1)
    return Deriver(run.trace.iterations[0], run.names, FMT)


# -- numbers in sums, differences and products --------------------------------------------

def test_negative_term_in_a_sum_gets_parentheses():
    assert show(Add(Num(0.055399425), Num(-0.019049118))) == (
        "0.055399425 + (−0.019049118)",
        "0.055399425 + (-0.019049118)",
        r"0.055399425 + \left( -0.019049118 \right)",
    )


def test_negative_first_term_needs_no_parentheses():
    assert U.doprint(Add(Num(-0.5), Num(0.25))) == "−0.5 + 0.25"


def test_negated_difference():
    assert show(Neg(Paren(Sub(Num(0.01), Num(OUT_O1))))) == (
        "−(0.01 − 0.751365070)",
        "-(0.01 - 0.751365070)",
        r"-\left( 0.01 - 0.751365070 \right)",
    )


def test_subtracting_a_negative_number():
    assert show(Sub(Num(1), Num(-0.5))) == ("1 − (−0.5)", "1 - (-0.5)", r"1 - \left( -0.5 \right)")


def test_subtracting_a_sum_keeps_its_parentheses():
    assert U.doprint(Sub(Num(1), Add(Num(0.25), Num(0.5)))) == "1 − (0.25 + 0.5)"


def test_negative_factor_after_the_first():
    assert show(Mul(Num(0.5), Num(-0.038098237))) == (
        "0.5 × (−0.038098237)",
        "0.5 * (-0.038098237)",
        r"0.5 \times \left( -0.038098237 \right)",
    )
    assert U.doprint(Mul(Num(-0.038098237), Num(0.5))) == "−0.038098237 × 0.5"


def test_update_line_numbers():
    """w7⁺ = w7 − η·∂E/∂w7 with a negative gradient, nested: the product is tight."""
    e = Sub(Num(0.5), Mul(Num(0.5), Num(-0.02260254)))
    assert show(e) == ("0.5 − 0.5×(−0.02260254)", "0.5 - 0.5*(-0.02260254)",
                       r"0.5 - 0.5 \times \left( -0.02260254 \right)")


def test_double_negative():
    assert show(Neg(Num(-2.0))) == ("−(−2)", "-(-2)", r"-\left( -2 \right)")


def test_negative_quotient_as_a_factor_gets_parentheses():
    """adam's update: η × m̂/(√v̂ + ε) with m̂ < 0 must not print as '0.01 × −0.74/(…)'."""
    e = Mul(Num(0.01), Div(Num(-0.742595208), Paren(Add(Func("sqrt", Num(0.55)), Num(1e-8)))))
    u, a, _ = show(e)
    assert "×−" not in u.replace(" ", "") and "*-" not in a.replace(" ", "")
    assert u == "0.01 × (−0.742595208/(√(0.55) + 0.00000001))"


# -- fractions, powers, functions ----------------------------------------------------------

def test_fraction_and_square():
    e = Mul(Div(Num(1), Num(2)), Pow(Paren(Sub(Num(0.01), Num(OUT_O1))), Num(2)))
    assert show(e) == (
        "1/2 × (0.01 − 0.751365070)²",
        "1/2 * (0.01 - 0.751365070)^2",
        r"\frac{1}{2} \times {\left( 0.01 - 0.751365070 \right)}^{2}",
    )


def test_nested_fraction():
    assert show(Div(Num(1), Div(Num(2), Num(3)))) == ("1/(2/3)", "1/(2/3)", r"\frac{1}{\frac{2}{3}}")


def test_sigmoid_with_numbers():
    e = Div(Num(1), Add(Num(1), Exp(Neg(Num(0.3775)))))
    assert show(e) == ("1/(1 + e^(−0.3775))", "1/(1 + e^(-0.3775))", r"\frac{1}{1 + e^{-0.3775}}")


def test_exponent_of_a_negative_number():
    assert show(Exp(Num(-0.569050089))) == ("e^(−0.569050089)", "e^(-0.569050089)", "e^{-0.569050089}")


def test_power_of_a_negative_number():
    assert show(Pow(Num(-0.5), Num(2))) == ("(−0.5)²", "(-0.5)^2", r"{\left( -0.5 \right)}^{2}")


def test_power_with_a_symbolic_exponent():
    t = Sym(("t",), "t", "t", "t")
    beta = Sym(("beta1",), "β₁", "beta1", r"\beta_{1}")
    assert show(Pow(beta, t)) == ("β₁^t", "beta1^t", r"{\beta_{1}}^{t}")


def test_square_of_a_derivative_is_parenthesised(names):
    """adam's second moment: (∂E/∂w)², not ∂E/∂w² (which reads as a derivative by w²)."""
    e = Pow(Partial(names.error(), names.param(names.lookup("w5"))), Num(2))
    assert U.doprint(e) == "(∂E_total/∂w5)²"
    assert A.doprint(e) == "(dE_total/dw5)^2"
    assert L.doprint(e) == r"{\left( \frac{\partial E_{\mathrm{total}}}{\partial w_{5}} \right)}^{2}"


@pytest.mark.parametrize(
    "node, expected",
    [
        (Func("tanh", Num(-0.27)), ("tanh(−0.27)", "tanh(-0.27)", r"\tanh\left( -0.27 \right)")),
        (Func("ln", Num(0.230763444)), ("ln(0.230763444)", "ln(0.230763444)", r"\ln\left( 0.230763444 \right)")),
        (Func("max", Num(0), Num(-0.2)), ("max(0, −0.2)", "max(0, -0.2)", r"\max\left( 0, -0.2 \right)")),
        (Func("sqrt", Num(0.551447643)), ("√(0.551447643)", "sqrt(0.551447643)", r"\sqrt{0.551447643}")),
    ],
)
def test_functions(node, expected):
    assert show(node) == expected


def test_piecewise():
    net = Sym(("net", 1, 0), "net_h1", "net_h1", r"\mathrm{net}_{h_{1}}")
    assert show(Piecewise(net, Num(1), Num(0.01))) == (
        "(1 if net_h1 > 0 else 0.01)",
        "(1 if net_h1 > 0 else 0.01)",
        r"\begin{cases} 1 & \text{if } \mathrm{net}_{h_{1}} > 0 \\ 0.01 & \text{otherwise} \end{cases}",
    )
    assert U.doprint(Piecewise(net.with_value(-0.3), Num(1), Num(0)).numeric()) == "(1 if −0.3 > 0 else 0)"


def test_sum_over_an_index():
    k = Sym(("k",), "k", "k", "k")
    body = Mul(Sym(("d",), "δ_k", "delta_k", r"\delta_{k}"), Sym(("w",), "w_kh1", "w_kh1", "w_{kh1}"))
    assert show(Sum(k, body)) == ("Σ_k δ_k·w_kh1", "sum_k delta_k*w_kh1", r"\sum_{k} \delta_{k} \cdot w_{kh1}")


# -- symbols and partial derivatives ----------------------------------------------------------

def test_partial_derivative(names):
    e = Partial(names.error(), names.param(names.lookup("w5")))
    assert show(e) == ("∂E_total/∂w5", "dE_total/dw5", r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}}")


def test_partial_of_a_neuron(names):
    e = Partial(names.out(2, 0), names.net(2, 0))
    assert show(e) == (
        "∂out_o1/∂net_o1",
        "dout_o1/dnet_o1",
        r"\frac{\partial \mathrm{out}_{o_{1}}}{\partial \mathrm{net}_{o_{1}}}",
    )


def test_symbols_of_the_classic_network(names):
    assert show(names.delta(2, 1)) == ("δ_o2", "delta_o2", r"\delta_{o_{2}}")
    assert show(names.out(0, 0)) == ("i1", "i1", "i_{1}")
    assert show(names.target(0)) == ("target_o1", "target_o1", r"\mathrm{target}_{o_{1}}")
    assert show(names.error(1)) == ("E_o2", "E_o2", "E_{o_{2}}")
    assert show(names.param(names.lookup("w5"), updated=True)) == ("w5⁺", "w5+", "w_{5}^{+}")


def test_symbols_and_numbers_use_different_multiplication_signs(names):
    delta = names.delta(2, 0).with_value(0.1384985616)
    out = names.out(1, 0).with_value(0.5932699921)
    e = Mul(delta, out)
    assert show(e) == ("δ_o1 · out_h1", "delta_o1 * out_h1", r"\delta_{o_{1}} \cdot \mathrm{out}_{h_{1}}")
    assert show(e.numeric()) == ("0.138498562 × 0.593269992", "0.138498562 * 0.593269992",
                                 r"0.138498562 \times 0.593269992")


def test_valued_prints_as_itself_and_substitutes_its_number(names):
    v = Valued(Partial(names.error(0), names.out(1, 0)), 0.0553994246514)
    assert U.doprint(Add(v, Num(-0.019049118))) == "∂E_o1/∂out_h1 + (−0.019049118)"
    assert U.doprint(Add(v, Num(-0.019049118)).numeric()) == "0.055399425 + (−0.019049118)"


def test_long_sums_are_shortened():
    e = long_sum([Num(float(k)) for k in range(1, 13)])
    assert U.doprint(e) == "1 + 2 + 3 + 4 + … 6 more terms … + 11 + 12"
    assert L.doprint(e) == r"1 + 2 + 3 + 4 + \text{… 6 more terms …} + 11 + 12"
    with pytest.raises(ValueError):
        e.evaluate()


def test_ascii_printer_prints_only_ascii():
    """--ascii: the '… 6 more terms …' of a long sum too."""
    e = long_sum([Num(float(k)) for k in range(1, 13)])
    assert A.doprint(e).isascii()
    assert A.doprint(e) == "1 + 2 + 3 + 4 + ... 6 more terms ... + 11 + 12"


# -- the lines of the classic example, whole ---------------------------------------------------

def _line_text(printer, ln):
    parts = [printer.doprint(ln.lhs)] + [printer.doprint(f) for f in ln.forms]
    if ln.numeric is not None:
        parts.append(printer.doprint(ln.numeric))
    return " = ".join(parts + [printer._number(ln.value)])


def test_classic_error_line(deriver):
    ln = deriver.error_lines(0)[0]
    assert _line_text(U, ln) == "E_o1 = 1/2 · (target_o1 − out_o1)² = 1/2 × (0.01 − 0.751365070)² = 0.274811083"
    assert _line_text(A, ln) == "E_o1 = 1/2 * (target_o1 - out_o1)^2 = 1/2 * (0.01 - 0.751365070)^2 = 0.274811083"
    # 0.751365070 rounded shows 0.274811084 when squared: the line says so
    assert ln.shown_result == "0.274811084"


def test_classic_path_lines(deriver):
    ln = deriver.backward.path_lines(1, 0, 0)[1]
    assert _line_text(U, ln) == (
        "∂E_o2/∂out_h1 = ∂E_o2/∂out_o2 · ∂out_o2/∂net_o2 · ∂net_o2/∂out_h1 = δ_o2 · w7 = "
        "−0.038098237 × 0.5 = −0.019049118"
    )
    assert ln.shown_result == "-0.019049119"
    total = deriver.backward.path_sum_line(1, 0, 0)
    assert _line_text(U, total) == (
        "∂E_total/∂out_h1 = Σ_o δ_o·w_o,h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1 = 0.055399425 + (−0.019049118) = 0.036350306"
    )


def test_classic_update_line(deriver, names):
    ln = deriver.update_lines(names.lookup("w7"))[0]
    assert _line_text(U, ln) == "w7⁺ = w7 − η · ∂E_total/∂w7 = 0.5 − 0.5×(−0.022602540) = 0.511301270"
    assert _line_text(L, ln) == (
        r"w_{7}^{+} = w_{7} - \eta \cdot \frac{\partial E_{\mathrm{total}}}{\partial w_{7}} = "
        r"0.5 - 0.5 \times \left( -0.022602540 \right) = 0.511301270"
    )


def test_classic_sigmoid_line(deriver):
    ln = deriver.out_line(1, 0, 0)
    assert _line_text(U, ln) == "out_h1 = 1/(1 + e^(−net_h1)) = 1/(1 + e^(−0.3775)) = 0.593269992"
    assert _line_text(L, ln) == (
        r"\mathrm{out}_{h_{1}} = \frac{1}{1 + e^{-\mathrm{net}_{h_{1}}}} = \frac{1}{1 + e^{-0.3775}} = 0.593269992"
    )


# -- format_number ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "x, places, expected",
    [
        (0.0000000005, 9, "0.000000001"),
        (-0.0000000005, 9, "-0.000000001"),
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (3.5, 0, "4"),  # not banker's rounding (which gives 4 here but 2 for 2.5)
        (0.125, 2, "0.13"),
        (-0.125, 2, "-0.13"),
        (1.005, 2, "1.01"),  # as written, though the binary double is 1.00499999999999989...
        (0.0190491185, 9, "0.019049119"),
        (-0.0190491185, 9, "-0.019049119"),
    ],
)
def test_rounding_is_half_away_from_zero(x, places, expected):
    assert format_number(x, places) == expected


def test_python_round_differs_where_stepnet_must_not():
    # the reason for round_half_away: Python rounds ties to even and works on the binary value
    assert round(2.5) == 2 and round(1.005, 2) == 1.0
    assert format_number(2.5, 0) == "3" and format_number(1.005, 2) == "1.01"


@pytest.mark.parametrize("x", [-0.0, -1e-300, -4e-10, -1e-12, -0.4])
def test_never_negative_zero(x):
    text = format_number(x, 9 if x != -0.4 else 0)
    assert not text.startswith("-")
    assert float(text) == 0


def test_exact_values_are_not_padded():
    assert format_number(0.3775) == "0.3775"
    assert format_number(0.15) == "0.15"
    assert format_number(0.05 * 0.15 + 0.1 * 0.2 + 0.35) == "0.3775"  # binary noise 0.37750000000000006
    assert format_number(2.0) == "2"
    assert format_number(-1.0) == "-1"
    assert format_number(0.0) == "0"
    assert format_number(0.74136507) == "0.74136507"  # a value that is exactly this decimal


def test_computed_values_show_every_digit():
    # ∂E/∂out_o1 = −(0.01 − out_o1) = 0.741365069552...: 9 places, trailing zero kept
    assert format_number(OUT_O1 - 0.01) == "0.741365070"
    assert format_number(OUT_O1) == "0.751365070"
    assert format_number(0.0219999999) == "0.022000000"
    assert format_number(-0.0380982365165562) == "-0.038098237"


def test_other_precisions():
    assert format_number(OUT_O1, 4) == "0.7514"
    assert format_number(OUT_O1, 12) == "0.751365069552"
    assert format_number(OUT_O1, 0) == "1"


@pytest.mark.parametrize(
    "x, sig, expected",
    [
        (0.000438567734474347, 3, "0.000439"),
        (0.298371108760003, 4, "0.2984"),
        (-0.0380982365165562, 2, "-0.038"),
        (3.510854812251261e-05, 6, "0.0000351085"),
        (1.105905967059770, 3, "1.11"),
        (0.3775, 6, "0.3775"),  # exact: not padded to 0.377500
        (0.0, 3, "0"),
    ],
)
def test_significant_digits(x, sig, expected):
    assert format_number(x, sig=sig) == expected


def test_not_finite():
    assert format_number(math.nan) == "nan"
    assert format_number(math.inf) == "inf"
    assert format_number(-math.inf) == "-inf"


def test_large_numbers():
    assert format_number(123456789.123456789, 3) == "123456789.123"
    assert format_number(-98765432109.87654, 2) == "-98765432109.88"
    # a diverging run's huge values: any readable form, but the right number and no crash
    for x in (1e20, -3.5e200, 1.2345678901234e300):
        assert float(format_number(x)) == pytest.approx(x, rel=1e-9)


def test_printers_use_a_real_minus_sign_but_ascii_does_not():
    assert U.doprint(Num(-0.5)) == "−0.5"
    assert A.doprint(Num(-0.5)) == "-0.5"
    assert L.doprint(Num(-0.5)) == "-0.5"


def test_printer_precision_follows_the_formatter():
    assert UnicodePrinter(Formatter(4)).doprint(Mul(Num(OUT_O1), Num(-0.0190491182))) == "0.7514 × (−0.0190)"
    assert UnicodePrinter(Formatter(9, sig=3)).doprint(Num(-0.0190491182)) == "−0.0190"


# -- dispatch on the node's type -----------------------------------------------------------------

class Grouped(Paren):
    """A node no printer has a method for, derived from one they all print."""


class Unknown(Expr):
    """A node no printer can print."""


def test_a_node_subclass_prints_through_its_parents_method():
    e = Mul(Num(2), Grouped(Add(Num(1), Num(0.5))))
    assert show(e) == ("2 × (1 + 0.5)", "2 * (1 + 0.5)", r"2 \times \left( 1 + 0.5 \right)")


def test_the_nearest_method_wins():
    class Brackets(UnicodePrinter):
        def _print_Grouped(self, e, nested):
            return f"[{self._print(e.args[0], nested=False)}]"

    assert Brackets(FMT).doprint(Mul(Num(2), Grouped(Num(1)), Paren(Num(3)))) == "2 × [1] × (3)"


@pytest.mark.parametrize("printer", [U, A, L], ids=["unicode", "ascii", "latex"])
def test_a_node_no_printer_knows_raises_a_clear_error(printer):
    name = type(printer).__name__
    with pytest.raises(TypeError, match=f"^{name} cannot print Unknown nodes: it has no _print_Unknown method"):
        printer.doprint(Add(Num(1), Unknown()))


# -- hand-mode rounding --------------------------------------------------------------------------

def test_rounder_scalars_and_arrays():
    r = make_rounder(9)
    assert r(0.0190491185) == 0.019049119
    assert r(-0.0190491185) == -0.019049119
    assert r(0.3775) == 0.3775
    z = r(-1e-12)
    assert z == 0 and math.copysign(1.0, z) == 1.0  # no −0.0
    np.testing.assert_array_equal(r(np.array([[0.0190491185, -0.0000000005], [1.0, math.inf]])),
                                  [[0.019049119, -0.000000001], [1.0, math.inf]])
    assert r(np.zeros((0, 3))).shape == (0, 3)


def test_round_half_away_returns_the_exact_decimal():
    from decimal import Decimal

    assert round_half_away(0.0190491185, 9) == Decimal("0.019049119")
    assert round_half_away(-2.5, 0) == Decimal("-3")
