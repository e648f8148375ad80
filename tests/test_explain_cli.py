"""``stepnet explain`` and ``stepnet check`` from the command line: every quantity name, the
config as a second argument, the derivation as JSON, one minus sign, exact differences."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner

import stepnet
from stepnet.cli import main
from stepnet.derive.quantities import all_quantities, value
from stepnet.derive.quantity_names import quantity_name

MAZUR = str(stepnet.example("mazur"))
ASCII_MINUS = re.compile(r"(?<![\w)\]>])-(?=\.?\d)|(?<=\de)-(?=\d)")  # a number's minus written as a hyphen


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


# ---------------------------------------------------------------- every name a claim can use


def _claim_names(example: str, batch: int = 1, limit: int = 400) -> list[str]:
    """Every quantity name of the example, or ``limit`` of them spread evenly from the first to the last."""
    names = stepnet.run(stepnet.example(example)).names
    every = [quantity_name(q, names) for q in all_quantities(names, batch)]
    step = max(1, math.ceil(len(every) / limit))
    return every[::step] + every[-1:]


@pytest.mark.parametrize("example, batch, limit", [("mazur", 1, 400), ("softmax", 3, 160), ("deep", 1, 80),
                                                   ("minibatch", 2, 400)])
def test_every_claim_name_explains_and_shows_its_value(example, batch, limit):
    """Each quantity `check --claims` reads is explained, and some line or sentence gives its value."""
    from stepnet.derive.quantity_parser import parse

    run = stepnet.run(stepnet.example(example), 1)
    it = run.trace.iterations[0]
    for name in _claim_names(example, batch, limit):
        q = parse(name, run.names)
        expected = value(q, it)
        d = run.explain(name, check=False).derivation
        values = [ln.value for b in d.blocks for ln in b.lines if ln.value is not None]
        text = " ".join(t for b in d.blocks for t in b.text)
        shown = run.fmt(expected).replace("-", "−")
        assert any(math.isclose(v, expected, rel_tol=1e-12, abs_tol=1e-15) for v in values) or shown in text, name


@pytest.mark.parametrize("name, needle", [
    ("delta_o1", "δ_o1 = ∂E_total/∂net_o1 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1 = 0.741365070 × 0.186815602 = "
                 "0.138498562"),
    ("E_total", "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109"),
    ("net_h1", "net_h1 = w1·i1 + w2·i2 + b1·1 = 0.15×0.05 + 0.2×0.1 + 0.35×1 = 0.3775"),
    ("out_h1", "out_h1 = 1/(1 + e^(−net_h1)) = 1/(1 + e^(−0.3775)) = 0.593269992"),
    ("E_o1", "E_o1 = 1/2 · (target_o1 − out_o1)² = 1/2 × (0.01 − 0.751365070)² = 0.274811083"),
    ("dE_total/dout_o1", "∂E_total/∂out_o1 = −(target_o1 − out_o1) = −(0.01 − 0.751365070) = 0.741365070"),
    ("w5+", "w5⁺ = w5 − η · ∂E_total/∂w5 = 0.4 − 0.5×0.082167041 = 0.358916480"),
    ("∂E_o1/∂out_h1", "= δ_o1 · w5 = 0.138498562 × 0.4 = 0.055399425"),
    ("dnet_o1/dout_h1", "∂net_o1/∂out_h1 = w5 = 0.4"),
    ("E_total+", "0.291027774"),
])
def test_a_quantity_name_derives_that_quantity(name, needle):
    out = ok("explain", name, "--no-check", "--width", "200")
    assert needle in out, out


def test_a_later_sample_is_named_with_at():
    out = ok("explain", "out_o1@2", "softmax", "--no-check", "--width", "200")
    assert out.splitlines()[0] == "out_o1@2 at iteration 1 (all 3 samples)"
    assert "Net input and activation (sample 2 of the batch, data[1])" in out
    assert "= 0.554696232" in out  # out_o1 of the second sample, as `stepnet run softmax` shows it


@pytest.mark.parametrize("name, closest", [("delta_o9", "delta_o1"), ("w55", "w5"), ("out_o", "out_o1"),
                                           ("dE_total/dw55", "dE_total/dw5"), ("zzz", None)])
def test_an_unknown_name_exits_2_naming_the_closest(name, closest):
    result = invoke("explain", name)
    assert result.exit_code == 2
    assert f"no parameter or neuron named '{name}' in this network, nor any quantity" in result.output
    assert "valid names: w1, w2" in result.output and "dE_total/dout_o1" in result.output
    if closest:
        assert f"did you mean '{closest}'?" in result.output
    assert "Traceback" not in result.output


def test_a_sample_beyond_the_batch_exits_2():
    result = invoke("explain", "out_o1@2")
    assert result.exit_code == 2 and "each batch has 1 sample" in result.output


# ---------------------------------------------------------------- CONFIG as a second argument


def test_config_after_the_name_is_the_same_as_dash_c(tmp_path):
    by_option = ok("explain", "w5", "-c", MAZUR, "--no-check")
    assert ok("explain", "w5", MAZUR, "--no-check") == by_option
    assert ok("explain", "w5", "mazur", "--no-check") == by_option  # a bundled example by name
    assert "w5 is the weight from i1 to h3" in ok("explain", "w5", "softmax", "--no-check")


def test_a_config_in_the_place_of_the_name_says_which_comes_first():
    result = invoke("explain", "softmax", "w5")
    assert result.exit_code == 2 and "NAME comes first, then CONFIG: stepnet explain w5 softmax" in result.output


def test_config_given_twice_is_a_usage_error():
    result = invoke("explain", "w5", "mazur", "-c", "softmax")
    assert result.exit_code == 2
    assert "give the config once" in result.output and "'mazur'" in result.output and "'softmax'" in result.output


def test_a_missing_config_is_a_data_error(tmp_path):
    result = invoke("explain", "w5", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and "nope.yaml" in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------- the heading names the batch


def test_the_heading_names_the_samples_of_the_update():
    assert ok("explain", "w5", "--no-check").splitlines()[0] == "∂E_total/∂w5 at iteration 1"  # one sample in all
    run = stepnet.run("minibatch", 2)
    first, second = run.trace.iterations[1].samples
    head = ok("explain", "w1", "minibatch", "--iteration", "2", "--no-check").splitlines()[0]
    assert head == f"∂E_total/∂w1 at iteration 2 (samples data[{first}], data[{second}])"
    assert ok("explain", "w1", "softmax", "--no-check").splitlines()[0] == "∂E_total/∂w1 at iteration 1 (all 3 samples)"


# ---------------------------------------------------------------- JSON


def _engine_value(ln_obj, line, it, s):
    """The engine's own number for a line whose left-hand side is a neuron's quantity, else None."""
    key = getattr(line.lhs, "key", None)
    if key and key[0] in ("net", "out", "delta") and key[1] > 0:
        lt = it.layer(key[1])
        return float({"net": lt.net, "out": lt.out, "delta": lt.delta}[key[0]][s, key[2]])
    return None


@pytest.mark.parametrize("example, name", [("mazur", "w5"), ("mazur", "w1"), ("softmax", "w2"), ("softmax", "b5"),
                                           ("minibatch", "w1"), ("mazur", "dE_total/dout_h1")])
def test_json_carries_the_whole_derivation(example, name):
    data = json.loads(ok("explain", name, example, "--format", "json"))
    run = stepnet.run(stepnet.example(example), 1)
    explanation = run.explain(name)
    assert data["explain"] == name and data["iteration"]["iteration"] == 1
    assert data["derivation"] == json.loads(json.dumps(explanation.to_dict()))
    it = run.trace.iterations[0]
    blocks = explanation.derivation.blocks
    assert len(data["derivation"]["blocks"]) == len(blocks)
    for b_obj, block in zip(data["derivation"]["blocks"], blocks, strict=True):
        assert b_obj["title"] == block.title and b_obj["text"] == block.text
        sample = re.search(r"sample (\d+) of the batch", block.title)
        s = int(sample.group(1)) - 1 if sample else 0
        for ln_obj, line in zip(b_obj["lines"], block.lines, strict=True):
            assert ln_obj["lhs"]["unicode"] and ln_obj["lhs"]["latex"]
            assert len(ln_obj["forms"]) == len(line.forms)
            if line.value is None:
                continue
            assert ln_obj["value"] == line.value and ln_obj["shown"] == run.fmt(line.value).replace("-", "−")
            engine = _engine_value(ln_obj, line, it, s)
            if engine is not None:
                assert abs(ln_obj["value"] - engine) <= 1e-12 * max(1.0, abs(engine)), ln_obj["lhs"]["unicode"]
            if line.numeric is not None and "…" not in ln_obj["numeric"]["unicode"]:
                assert math.isclose(line.numeric.evaluate(), line.value, rel_tol=1e-12, abs_tol=1e-15)


def test_json_check_has_both_oracles_with_tolerances_and_verdict():
    data = json.loads(ok("explain", "w5", "--format", "json"))
    check = data["derivation"]["blocks"][-1]["check"]
    assert check["verdict"] == "agree"
    gradient = stepnet.run("mazur").iterations[0].parameter("w5").gradient
    assert check["chain_rule"] == gradient
    sympy, fd = check["oracles"]
    assert sympy["oracle"] == "sympy" and fd["oracle"] == "finite difference"
    for o in (sympy, fd):
        assert o["agrees"] is True
        assert float(Decimal(o["value"]) - Decimal(gradient)) == o["difference"]  # exact, rounded once
        tol = o["tolerance"]
        assert tol["allowed"] == pytest.approx(tol["relative"] * max(abs(gradient), abs(o["value"]))
                                               + tol["absolute"], rel=1e-12)
        assert abs(o["difference"]) <= tol["allowed"]
    assert fd["step"] == 1e-6 and fd["richardson"] is False


def test_json_says_why_sympy_was_skipped(monkeypatch):
    import stepnet.verify.oracles as oracles

    monkeypatch.setattr(oracles, "sympy_check", lambda *a: oracles.SympyCheck(None, skipped="too large here"))
    data = json.loads(ok("explain", "w5", "--format", "json"))
    sympy = data["derivation"]["blocks"][-1]["check"]["oracles"][0]
    assert sympy == {"oracle": "sympy", "value": None, "skipped": "too large here"}


# ---------------------------------------------------------------- one minus sign, ASCII on request


@pytest.mark.parametrize("args", [("explain", "w7"), ("explain", "w1", "softmax"), ("explain", "h3", "softmax"),
                                  ("explain", "delta_o2"), ("explain", "w5", "--carry", "4"),
                                  ("explain", "i1", "softmax"), ("check", "softmax"), ("check", "mazur", "--claims")])
def test_every_number_uses_the_true_minus_and_ascii_only_with_ascii(args):
    result = invoke(*args, "--width", "200") if args[0] == "explain" else invoke(*args)
    text = result.stdout
    assert result.exit_code in (0, 1), result.output
    assert "−" in text or args[1] == "i1"
    assert not ASCII_MINUS.findall(text), [ln for ln in text.splitlines() if ASCII_MINUS.search(ln)][:3]
    ascii_result = invoke(*args, "--ascii")
    assert ascii_result.exit_code == result.exit_code
    assert ascii_result.stdout.isascii(), [ln for ln in ascii_result.stdout.splitlines() if not ln.isascii()][:3]


def test_a_negative_value_in_a_sentence_uses_the_true_minus():
    out = ok("explain", "w12", "softmax", "--no-check", "--width", "200")
    assert "before its update: −0.045692952." in out


# ---------------------------------------------------------------- differences exactly


def _sci(x: Decimal) -> str:
    """Two significant digits, rounded half away from zero, with the true minus: the check's style."""
    if x == 0:
        return "0"
    exponent = x.adjusted()
    digits = (x.scaleb(-exponent)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
    if abs(digits) >= 10:
        digits, exponent = digits / 10, exponent + 1
    mantissa = f"{digits:f}".removesuffix(".0")
    return f"{'+' if x > 0 else ''}{mantissa}e{exponent}".replace("-", "−")


@pytest.mark.parametrize("example", ["chain", "mazur", "tutorial002"])
def test_check_differences_are_the_exact_differences(example):
    """The difference column is chain rule − finite difference from the exact values of both floats."""
    from stepnet.verify.gradients import check_gradients

    run = stepnet.run(stepnet.example(example), 1)
    it = run.trace.iterations[0]
    checks = next(check_gradients(run.config, it, run.names.params, 1e-6))
    out = ok("check", example)
    for c in checks:
        row = next(ln for ln in out.splitlines() if re.match(rf"[│|] {re.escape(c.name)}\s", ln))
        cells = [cell.strip() for cell in re.split(r"[│|]", row) if cell.strip()]
        exact = Decimal(c.chain_rule) - Decimal(c.finite_difference)
        assert cells[3] == _sci(exact), (c.name, cells)


def test_identical_values_say_identical_not_a_tiny_difference():
    out = ok("explain", "w5", "--width", "300")
    assert "0.082167041 (identical to the chain-rule value;" in out
    assert not re.search(r"e−1[6-9]|e−[2-9]\d", out.split("sympy")[1].split(";")[0])


def test_check_states_both_tolerances_in_ascii_too():
    out = ok("check", "--ascii", "--width", "200")
    assert "relative tolerance 1e-6" in out and "absolute tolerance each finite difference's error bound" in out
    assert out.isascii()


# ---------------------------------------------------------------- check as JSON


def test_check_json_has_every_gradient_with_its_exact_difference_and_tolerances():
    from stepnet.verify.gradients import check_gradients

    data = json.loads(ok("check", "mazur", "--format", "json"))
    grads = data["gradients"]
    assert grads["iteration"] == 1 and grads["ok"] is True and grads["tolerance"]["relative"] == 1e-6
    run = stepnet.run("mazur")
    expected = next(check_gradients(run.config, run.trace.iterations[0], run.names.params, 1e-6))
    assert [c["name"] for c in grads["checks"]] == [c.name for c in expected]
    for row, c in zip(grads["checks"], expected, strict=True):
        assert row["chain_rule"] == c.chain_rule == run.iterations[0].parameter(c.name).gradient
        assert row["finite_difference"] == c.finite_difference
        assert row["difference"] == float(Decimal(c.chain_rule) - Decimal(c.finite_difference))
        assert row["allowed"] == pytest.approx(1e-6 * max(abs(c.chain_rule), abs(c.finite_difference))
                                               + row["absolute"], rel=1e-12)
        assert abs(row["difference"]) <= row["allowed"] and row["ok"] is True


def test_check_json_with_claims_is_one_object_and_keeps_the_exit_status():
    result = invoke("check", "mazur", "--claims", "--gradients", "--format", "json")
    assert result.exit_code == 1  # the tutorial's slips
    data = json.loads(result.stdout)
    assert set(data) == {"config", "gradients", "claims"}
    wrong = [c for c in data["claims"] if not c["ok"]]
    assert len(wrong) == 14 and all(c["cause"] for c in wrong)
    first = data["claims"][0]
    assert first == {"quantity": "net_h1", "iteration": 1, "claimed": "0.3775", "true": 0.3775, "ok": True,
                     "difference": 0.0, "cause": None, "line": first["line"]}
