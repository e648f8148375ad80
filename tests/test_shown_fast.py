"""The † decision made quickly: the float pre-check with its error bound, and the decimal evaluation
of sums and products, against the exact evaluation in fractions they stand in for."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import stepnet
from stepnet.derive import phase as phase_module
from stepnet.derive.derivation import Formatter
from stepnet.derive.expr import Add, Div, Exp, Func, Mul, Neg, Num, Paren, Pow, Sub
from stepnet.derive.names import Names
from stepnet.derive.phase import Phase, _bounded, _exact_decimal
from stepnet.engine.rounding import carry_places, format_exact, round_exact


def phase_of(carry=None, places=9) -> Phase:
    run = stepnet.run("mazur", carry=carry)
    return Phase(run.trace.iterations[0], Names(run.trace.config), Formatter(places))


def exact_text(ph: Phase, tree) -> str:
    """What the exact evaluation in fractions makes of the tree's shown numbers, as the line would show it."""
    exact = tree.evaluate_exact(ph._shown_number)
    if ph.it.carry is not None:
        exact = round_exact(exact, carry_places(ph.it.carry))
    return format_exact(exact, ph.fmt.places, ph.fmt.sig)


numbers = st.one_of(st.floats(-3, 3, allow_nan=False), st.integers(-5, 5).map(float),
                    st.decimals("-2", "2", places=4).map(float), st.floats(-1e-6, 1e-6, allow_nan=False))
leaves = numbers.map(Num)


def _trees(children):
    two = st.tuples(children, children)
    return st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda a: Add(*a)),
        st.lists(children, min_size=2, max_size=3).map(lambda a: Mul(*a)),
        two.map(lambda a: Sub(*a)), two.map(lambda a: Div(*a)), children.map(Neg), children.map(Paren),
        children.map(lambda a: Pow(a, Num(2.0))), children.map(lambda a: Exp(Neg(a))),
        children.map(lambda a: Func("tanh", a)), children.map(lambda a: Func("ln", a)),
    )


trees = st.recursive(leaves, _trees, max_leaves=8)
PHASES = {"full precision": phase_of(), "carry 4": phase_of(4), "3 places": phase_of(None, 3)}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees, which=st.sampled_from(sorted(PHASES)))
@example(tree=Func("tanh", Pow(Mul(Num(0.125), Num(6.33e-07), Num(6.33e-07)), Num(2.0))), which="carry 4")  # tiny tanh
def test_the_float_bound_holds_the_exact_result_and_the_quick_text_is_the_exact_one(tree, which):
    ph = PHASES[which]
    try:
        f, e = _bounded(tree, ph._shown_float)
    except (phase_module._Unbounded, ValueError, OverflowError, ZeroDivisionError):
        return
    try:
        exact = tree.evaluate_exact(ph._shown_number)
    except (ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
        pytest.fail(f"the float bound covered a tree the exact evaluation cannot compute: {f} ± {e}")
    assert abs(Fraction(f) - exact) <= Fraction(e), (f, e, float(exact))
    quick = ph._far_from_a_tie(tree, "nan")  # a value shown as no number: the quick check gives its text
    if quick is not None:
        expected = exact_text(ph, tree)
        assert quick == expected
        if ph.it.carry is None:  # the value shown as the numbers give it: no note, said without the text
            assert ph._far_from_a_tie(tree, expected) == ""
            assert ph._far_from_a_tie(tree, str(Decimal(expected) + Decimal(1).scaleb(-ph.fmt.places))) == expected


@settings(max_examples=300, deadline=None)
@given(tree=st.recursive(leaves, lambda c: st.one_of(
    st.lists(c, min_size=2, max_size=4).map(lambda a: Add(*a)), st.lists(c, min_size=2, max_size=3).map(
        lambda a: Mul(*a)), st.tuples(c, c).map(lambda a: Sub(*a)), c.map(Neg), c.map(lambda a: Pow(a, Num(3.0)))),
    max_leaves=8))
def test_sums_and_products_in_decimals_are_the_exact_fractions(tree):
    ph = PHASES["full precision"]
    assert Fraction(_exact_decimal(tree, ph._shown_decimal)) == tree.evaluate_exact(ph._shown_number)


@pytest.mark.parametrize("which", sorted(PHASES))
def test_a_result_exactly_on_a_tie_is_left_to_the_exact_evaluation(which):
    ph = PHASES[which]
    places = ph.fmt.places if ph.it.carry is None else carry_places(ph.it.carry)
    tie = 10.0 ** -places  # shown numbers whose exact product ends in 5 just past the rounded place
    tree = Mul(Num(tie * 3), Num(0.5))  # 1.5 units: on the boundary between 1 and 2
    assert ph._far_from_a_tie(tree, "0") is None
    ln = ph.line(phase_module.Sym(("x",), "x", "x", "x"), [tree], 0.0)  # shown as 0: the line needs its note
    assert ln.shown_result == exact_text(ph, tree)
    assert Decimal(ln.shown_result) == 2 * Decimal(10) ** -places  # 1.5 units round away from zero, to 2


def test_most_lines_of_a_run_are_decided_quickly(monkeypatch):
    decided = []
    quick = Phase._far_from_a_tie
    monkeypatch.setattr(Phase, "_far_from_a_tie",
                        lambda self, tree, text: decided.append(quick(self, tree, text)) or decided[-1])
    stepnet.run("softmax", 2).report()
    assert len(decided) > 100 and sum(d is not None for d in decided) > 0.8 * len(decided)


def test_a_value_below_the_subnormal_range_or_an_infinite_one_is_computed_exactly():
    ph = PHASES["full precision"]
    for tree in (Exp(Num(-700.0)), Exp(Num(800.0)), Div(Num(1.0), Sub(Num(0.3), Num(0.3)))):
        with pytest.raises(phase_module._Unbounded):
            _bounded(tree, ph._shown_float)
    assert math.isfinite(_bounded(Exp(Num(-3.0)), ph._shown_float)[0])
    for tree in (Exp(Num(-750.0)), Mul(Exp(Num(-600.0)), Exp(Num(-600.0))), Div(Exp(Num(-600.0)), Exp(Num(600.0)))):
        with pytest.raises(phase_module._Unbounded):  # an underflow to 0 is no exact 0
            _bounded(tree, ph._shown_float)
    assert _bounded(Mul(Num(0.0), Exp(Num(-600.0))), ph._shown_float) == (0.0, 0.0)
