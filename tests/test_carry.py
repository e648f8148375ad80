"""Hand mode (--carry N) against full precision: run --compare-carry N."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stepnet.api import load
from stepnet.cli import main
from stepnet.derive.names import Names
from stepnet.derive.quantities import computed_quantities, value
from stepnet.engine.rounding import fixed
from stepnet.engine.training import train
from stepnet.verify.handmode import compare_carry


def row(comparison, ascii_name):
    return next(r for r in comparison.rows if r.ascii == ascii_name)


def test_compare_carry_9_names_the_first_difference():
    result = CliRunner().invoke(main, ["run", "mazur", "--compare-carry", "9"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = "Hand mode with 9 decimals first differs from full precision at E_o1: 0.274811084 against 0.274811083"
    assert first in result.output
    marked = [line for line in lines if "← first difference" in line]
    assert len(marked) == 1 and "E_o1" in marked[0]
    assert "9 of 48 quantities differ." in result.output
    later = [line.split("│")[1].strip() for line in lines if line.rstrip("│ ").endswith("differs")]
    assert later == ["E_total", "∂E_total/∂w7", "∂E_o2/∂out_h1", "∂E_total/∂w2", "∂E_total/∂w4", "∂E_total/∂b1",
                     "w7⁺", "E_total⁺"]


def test_compare_carry_rows_in_computation_order():
    comparison = compare_carry(load("mazur"), 9)
    names = [r.ascii for r in comparison.rows]
    assert names[:3] == ["net_h1", "out_h1", "net_h2"]
    assert names.index("E_total") < names.index("delta_o1") < names.index("dE_o2/dout_h1") < names.index("w1+")
    assert names[-1] == "E_total+"
    assert comparison.rows[comparison.first].ascii == "E_o1"


def test_hand_mode_at_9_decimals_rounds_the_path_term_again():
    comparison = compare_carry(load("mazur"), 9)
    path = row(comparison, "dE_o2/dout_h1")
    assert path.hand_text == "-0.019049119"  # −0.038098237 × 0.5 = −0.0190491185, rounded half away
    assert path.full_text == "-0.019049118"  # the exact value lies below the tie
    assert path.differs
    assert row(comparison, "out_o1").full_text == row(comparison, "out_o1").hand_text == "0.751365070"


@pytest.mark.parametrize("example", ["mazur", "softmax", "minibatch"])
def test_hand_mode_with_many_decimals_is_full_precision(example):
    config = load(example)
    full = train(config, 1, trace="1").traced(1)
    hand = train(config, 1, trace="1", carry=15).traced(1)
    for q in computed_quantities(Names(config), full.batch_size):
        assert value(q, hand) == pytest.approx(value(q, full), abs=1e-12), q


def test_fixed_shows_exactly_n_decimals():
    assert fixed(0.75136507, 9) == "0.751365070"
    assert fixed(0.3775, 9) == "0.377500000"
    assert fixed(-1e-12, 3) == "0.000"


def test_compare_carry_options(tmp_path):
    runner = CliRunner()
    both = runner.invoke(main, ["run", "mazur", "--carry", "9", "--compare-carry", "9"])
    assert both.exit_code == 2 and "--carry or --compare-carry" in both.output
    markdown = runner.invoke(main, ["run", "mazur", "--compare-carry", "9", "--format", "markdown"])
    assert markdown.exit_code == 2
    out = tmp_path / "compare.txt"
    written = runner.invoke(main, ["run", "mazur", "--compare-carry", "6", "-o", str(out), "--ascii"])
    assert written.exit_code == 0, written.output
    text = out.read_text(encoding="utf-8")
    assert "hand mode (6 decimals)" in text and "first differs" in text and "dE_total/dout_o1" in text
    later = runner.invoke(main, ["run", "mazur", "-n", "3", "--trace", "2,3", "--compare-carry", "9"])
    assert later.exit_code == 0 and "iteration 2, full precision vs hand mode" in later.output
