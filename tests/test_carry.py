"""Hand mode (--carry N, --carry-sig N), exact in decimals, and against full precision: run --compare-carry N."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stepnet
from shown_lines import networks, round_half_away
from stepnet.api import load
from stepnet.cli import main
from stepnet.derive.names import Names
from stepnet.derive.quantities import computed_quantities, value
from stepnet.engine.rounding import fixed
from stepnet.engine.training import train
from stepnet.errors import UsageError
from stepnet.verify.handmode import compare_carry


def row(comparison, ascii_name):
    return next(r for r in comparison.rows if r.ascii == ascii_name)


def test_compare_carry_9_names_the_first_difference():
    result = CliRunner().invoke(main, ["run", "mazur", "--compare-carry", "9"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = "Hand mode with 9 decimals first differs from full precision at E_o1: 0.274811084 against 0.274811083"
    assert first in " ".join(result.output.split())  # the summary wraps between words at the terminal's width
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
    out = row(comparison, "out_o1")  # shown as run shows them: an exact 9-decimal value without padding
    assert (out.full_text, out.hand_text, out.differs, out.difference) == ("0.751365070", "0.75136507", False, 0)


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
    assert both.exit_code == 2 and "--carry (or --carry-sig) or --compare-carry" in both.output
    markdown = runner.invoke(main, ["run", "mazur", "--compare-carry", "9", "--format", "markdown"])
    assert markdown.exit_code == 2
    out = tmp_path / "compare.txt"
    written = runner.invoke(main, ["run", "mazur", "--compare-carry", "6", "-o", str(out), "--ascii"])
    assert written.exit_code == 0, written.output
    text = out.read_text(encoding="utf-8")
    assert "hand mode (6 decimals)" in text and "first differs" in text and "dE_total/dout_o1" in text
    later = runner.invoke(main, ["run", "mazur", "-n", "3", "--trace", "2,3", "--compare-carry", "9"])
    assert later.exit_code == 0 and "iteration 2, full precision vs hand mode" in later.output


# ---------------------------------------------------------------- exact hand mode


def test_compare_carry_prints_minus_signs_and_exact_differences():
    unicode = CliRunner().invoke(main, ["run", "mazur", "--compare-carry", "4"])
    ascii_only = CliRunner().invoke(main, ["run", "mazur", "--compare-carry", "4", "--ascii"])
    assert unicode.exit_code == ascii_only.exit_code == 0
    path = next(line for line in unicode.output.splitlines() if "∂E_o2/∂out_h1" in line)
    assert [c.strip() for c in path.split("│")[2:5]] == ["−0.0190", "−0.0191", "−0.0001"]
    assert "-" not in path and "e-" not in unicode.output and "e+" not in unicode.output
    path = next(line for line in ascii_only.output.splitlines() if "dE_o2/dout_h1" in line)
    assert [c.strip() for c in path.split("|")[2:5]] == ["-0.0190", "-0.0191", "-0.0001"]
    assert "−" not in ascii_only.output
    net_h2 = row(compare_carry(load("mazur"), 4), "net_h2")  # 0.3925 both ways: float noise never shows
    assert net_h2.full != net_h2.hand and net_h2.difference == 0 and not net_h2.differs


def test_carry_sig_rounds_to_significant_digits():
    result = CliRunner().invoke(main, ["run", "mazur", "--carry-sig", "3"])
    assert result.exit_code == 0, result.output
    assert "rounded to 3 significant digits" in " ".join(result.output.split())
    it = stepnet.run("mazur", carry_sig=3).traced(1)
    # 0.4×0.593 + 0.45×0.597 + 0.6×1 = 1.10905 and 0.5×0.593 + 0.55×0.597 + 0.6×1 = 1.22485: 3 digits
    assert it.layer(2).net.tolist() == [[1.11, 1.22]]
    assert it.layer(1).delta.tolist() == [[0.00868, 0.00988]]  # 3 significant digits, where --carry 3 keeps 1


def test_carry_sig_in_json_and_refused_beside_carry():
    doc = json.loads(stepnet.run("mazur", carry_sig=4).to_json())
    assert (doc["network"]["carry"], doc["network"]["carry_sig"]) == (None, 4)
    doc = json.loads(stepnet.run("mazur", carry=4).to_json())
    assert (doc["network"]["carry"], doc["network"]["carry_sig"]) == (4, None)
    both = CliRunner().invoke(main, ["run", "mazur", "--carry", "4", "--carry-sig", "4"])
    assert both.exit_code == 2 and "--carry (decimal places) or --carry-sig" in both.output
    assert CliRunner().invoke(main, ["run", "mazur", "--carry-sig", "0"]).exit_code == 2
    with pytest.raises(UsageError, match="not both"):
        stepnet.run("mazur", carry=4, carry_sig=4)
    with pytest.raises(UsageError, match="from 1 to 15"):
        stepnet.run("mazur", carry_sig=0)


def test_adam_warns_once_when_a_rounded_second_moment_vanishes():
    run = stepnet.run("adam", 3, carry=3)
    assert len(run.trace.warnings) == 1
    warning = run.trace.warnings[0]
    assert warning.startswith("Hand mode, iteration 1: v̂ of the weight ") and "--carry-sig" in warning
    assert "times in this run" in warning
    text = run.to_text(width=1000)
    assert text.count("v̂ of the weight") == 1
    assert stepnet.run("adam", 3, carry_sig=3).trace.warnings == []
    assert stepnet.run("adam", 3).trace.warnings == []


def test_an_output_rounded_to_0_keeps_the_loss_finite_and_delta_out_minus_target():
    config = {"layers": [{"name": "i", "size": 1}, {"name": "o", "size": 1, "activation": "sigmoid"}],
              "loss": "binary_cross_entropy", "learning_rate": 0.1, "weights": {"o": [[-9.0]]},
              "data": [{"inputs": [1.0], "targets": [1.0]}]}
    run = stepnet.run(config, carry=2)
    it = run.trace.iterations[0]
    assert it.layer(1).out[0, 0] == 0.0  # σ(−9) = 0.000123 rounds to 0.00
    assert it.loss_terms[0, 0] == 9.0  # −ln σ(−9) = 9.000123, from the net input where ln 0 would be needed
    assert it.layer(1).delta[0, 0] == -1.0  # δ = out − target: nothing divides by the rounded 0
    assert run.trace.warnings == []


def test_hand_mode_loss_after_the_update_is_rounded():
    run = stepnet.run("mazur", 2, carry=4)
    first, second = run.trace.iterations
    assert first.loss_after == second.loss  # the next iteration's loss, the same batch, the same rounding
    assert round(first.loss_after, 4) == first.loss_after
    assert round(run.trace.final_loss, 4) == run.trace.final_loss


def test_the_step_is_minus_eta_times_the_gradient_rounded():
    from stepnet.derive.derivation import Formatter
    from stepnet.derive.updates import UPDATE_LINES

    run = stepnet.run("mazur", carry=4)
    it = run.trace.iterations[0]
    lines = UPDATE_LINES["sgd"](it, run.names, Formatter())
    w2 = run.names.lookup("w2")
    assert lines.gradient_value(w2) == 0.0009
    assert lines.step_value(w2) == -0.0005  # −0.5 × 0.0009 = −0.00045 → −0.0005, half away from zero
    assert lines.step_value(run.names.lookup("b1")) == 0.0  # not trained
    full = stepnet.run("mazur")
    lines = UPDATE_LINES["sgd"](full.trace.iterations[0], full.names, Formatter())
    assert lines.step_value(w2) == -0.5 * lines.gradient_value(w2)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_the_step_of_momentum_and_adam(optimizer):
    from stepnet.derive.derivation import Formatter
    from stepnet.derive.updates import UPDATE_LINES

    config = load("mazur")
    config = dataclasses.replace(config, optimizer=dataclasses.replace(config.optimizer, name=optimizer))
    for carry in (None, 6):
        run = stepnet.run(config, 2, carry_sig=carry)
        it = run.trace.iterations[1]
        lines = UPDATE_LINES[optimizer](it, run.names, Formatter())
        for name in ("w1", "w5", "w8"):
            p = run.names.lookup(name)
            before, after = lines.param(p).value, lines.param(p, updated=True).value
            assert lines.step_value(p) == pytest.approx(after - before, rel=2e-3, abs=1e-12), (carry, name)


# ---------------------------------------------------------------- oracles on random networks


def _exact(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def _rounded(x, carry=None, carry_sig=None) -> float:
    """x (a Decimal or an mpmath number) rounded half away from zero, by an independent route."""
    q = Fraction(Decimal(mpmath.nstr(x, 60, min_fixed=-1000, max_fixed=1000)) if not isinstance(x, Decimal) else x)
    return float(round_half_away(q, carry, carry_sig))


def _activation(name: str, net: Decimal):
    x = mpmath.mpf(str(net))
    return {"sigmoid": lambda: 1 / (1 + mpmath.exp(-x)), "tanh": lambda: mpmath.tanh(x),
            "relu": lambda: max(x, 0), "leaky_relu": lambda: x if x > 0 else mpmath.mpf("0.01") * x,
            "identity": lambda: x}[name]()


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.sampled_from([(2, None), (3, None), (4, None), (6, None), (None, 3), (None, 5)]))
def test_every_rounded_value_is_the_exact_value_of_the_rounded_inputs(config, carry):
    places, sig = carry
    it = stepnet.run(config, 1, carry=places, carry_sig=sig).traced(1)
    cfg = load(config)
    with mpmath.workdps(60):
        for lt in it.layers:
            spec, below = cfg.layers[lt.index], it.outputs_of(lt.index - 1)
            for s_, j in np.ndindex(lt.net.shape):
                bias = lt.b[0 if spec.bias == "shared" else j] if lt.b.size else 0.0
                total = sum((_exact(w) * _exact(a) for w, a in zip(lt.W[j], below[s_], strict=True)), _exact(bias))
                assert lt.net[s_, j] == _rounded(total, places, sig)
                if spec.activation != "softmax":
                    out = _activation(spec.activation, _exact(lt.net[s_, j]))
                    assert lt.out[s_, j] == _rounded(out, places, sig)
                if not lt.softmax and not (lt.index == len(cfg.layers) - 1 and it.fused):
                    product = _exact(lt.dE_dout[s_, j]) * _exact(lt.dout_dnet[s_, j])
                    assert lt.delta[s_, j] == _rounded(product, places, sig)
            for j, i in np.ndindex(lt.gW.shape):
                each = [_rounded(_exact(lt.delta[s_, j]) * _exact(below[s_, i]), places, sig)
                        for s_ in range(it.batch_size)]
                mean = sum((Fraction(_exact(e)) for e in each), Fraction(0)) / it.batch_size
                assert lt.gW[j, i] == float(round_half_away(mean, places, sig))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_hand_mode_at_15_decimals_is_full_precision_on_random_networks(config):
    """Rounding to 15 places changes a value by 5e-16 at most.  Not with Adam: it divides by √v̂, which
    turns a float's 1e-17 left from an exact cancellation into a step of ε's size (see the examples' test)."""
    if config["optimizer"]["name"] == "adam":
        config["optimizer"] = {"name": "momentum"}
    config = load(config)
    full = train(config, 2, trace="all")
    hand = train(config, 2, trace="all", carry=15)
    for a, b in zip(full.iterations, hand.iterations, strict=True):
        for q in computed_quantities(Names(config), a.batch_size):
            assert value(q, b) == pytest.approx(value(q, a), abs=1e-12, rel=1e-12), q
