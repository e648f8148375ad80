"""Hand mode across the report: the step column of the Updates table, Adam's corrections in
the matrix view, the wording of the † note, explain --carry-sig and the --compare-carry
table at any width.  Numbers are checked with exact decimals, independently of stepnet's
own rounding code."""

from __future__ import annotations

import random
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from click.testing import CliRunner

import stepnet
from stepnet.cli import main
from stepnet.derive.deriver import Deriver
from stepnet.derive.limits import Limits
from stepnet.derive.matrix import MatrixLines
from stepnet.derive.matrix_updates import update_lines

MINUS = "\u2212"


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), prog_name="stepnet")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def dec(text: str) -> Decimal:
    return Decimal(text.replace(MINUS, "-"))


def rounded(x: Decimal, places: int | None = None, sig: int | None = None) -> Decimal:
    """x rounded half away from zero, to decimal places or to significant digits."""
    if x == 0:
        return Decimal(0)
    exponent = -places if sig is None else x.adjusted() - sig + 1
    with localcontext() as ctx:
        ctx.prec = 100
        return x.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def exact(x: float) -> Decimal:
    """The decimal a float is written as (the numbers hand mode carries are such decimals)."""
    return Decimal(repr(float(x)))


def network(seed: int, optimizer: str) -> dict:
    """A small random network, trained with ``optimizer``; two samples, so a batch has a mean."""
    rnd = random.Random(seed)
    sizes = [rnd.randint(1, 3), rnd.randint(2, 3), rnd.randint(1, 2)]
    opt = {"name": optimizer}
    if optimizer == "momentum":
        opt["momentum"] = rnd.choice([0.5, 0.9])
    if optimizer == "adam":
        opt.update(beta1=rnd.choice([0.9, 0.8]), beta2=rnd.choice([0.999, 0.99]), epsilon=1e-8)
    return {
        "name": f"random {seed}",
        "layers": [{"name": "i", "size": sizes[0]},
                   {"name": "h", "size": sizes[1], "activation": rnd.choice(["sigmoid", "tanh"]),
                    "bias": rnd.choice(["per_neuron", "shared"])},
                   {"name": "o", "size": sizes[2], "activation": "sigmoid", "bias": "per_neuron"}],
        "init": {"method": "uniform", "seed": seed, "low": -1, "high": 1},
        "loss": "half_sse", "learning_rate": rnd.choice([0.1, 0.5, 0.05]), "optimizer": opt,
        "data": [{"inputs": [round(rnd.uniform(-1, 1), 2) for _ in range(sizes[0])],
                  "targets": [round(rnd.uniform(0, 1), 2) for _ in range(sizes[2])]} for _ in range(2)],
    }


def updates_table(report, iteration: int = 0):
    section = next(s for s in report.iterations[iteration].sections if s.title == "Updates")
    return section.tables[0]


# ---------------------------------------------------------------- the step column


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_full_precision_step_column_shows_what_new_minus_old_showed(optimizer):
    for seed in range(6):
        run = stepnet.run(network(seed, optimizer), iterations=3)
        report = run.report()
        for k in range(3):
            table = updates_table(report, k)
            assert table.columns[3] == "step" and "The step is" not in table.omitted
            for row in table.rows:
                assert run.fmt(row[3]) == run.fmt(row[4] - row[1]), (seed, k, row[0])


def printed_updates(text: str) -> dict[str, list[str]]:
    """The rows of the last Updates table a text report prints: parameter -> its four numbers."""
    body = text[text.rindex("┃ parameter"):]
    rows = {}
    for line in body.splitlines()[2:]:
        if not line.startswith("│"):
            break
        cells = [c.strip() for c in line.strip("│").split("│")]
        rows[cells[0]] = cells[1:]
    return rows


def test_hand_mode_step_column_is_minus_eta_g_rounded_at_a_tie():
    text = cli("run", "mazur", "--carry", "4", "--width", "200")
    rows = printed_updates(text)
    assert len(rows) == 10
    eta = Decimal("0.5")  # mazur's learning rate
    ties = []
    for name, (value, gradient, step, new) in rows.items():
        if name.startswith("b"):  # train_biases: false
            assert dec(step) == 0 and dec(new) == dec(value)
            continue
        assert dec(step) == rounded(-eta * dec(gradient), 4), name
        assert dec(new) == rounded(dec(value) - eta * dec(gradient), 4), name
        if dec(step) != dec(new) - dec(value):
            ties.append(name)
    assert "w2" in ties  # 0.2 − 0.5 × 0.0009: the step −0.00045 rounds to −0.0005, w2 to 0.1996
    assert "The step is −η·∂E/∂w rounded to 4 decimal places, so in hand mode it need not equal new value" in \
        " ".join(text.split())
    assert "The step is" not in cli("run", "mazur", "--width", "200")


@pytest.mark.parametrize("carry", [{"carry": 4}, {"carry_sig": 3}])
def test_hand_mode_adam_step_column_is_the_rounded_adam_step(carry):
    run = stepnet.run("adam", iterations=2, **carry)
    report = run.report()
    opt = run.trace.config.optimizer
    places, sig = carry.get("carry"), carry.get("carry_sig")
    for k in range(2):
        section = next(s for s in report.iterations[k].sections if s.title == "Updates")
        lines = section.blocks[0].lines
        table = section.tables[0]
        assert len(lines) == 5 * len(table.rows)  # m, v, m̂, v̂ and the new value of each parameter
        for r, row in enumerate(table.rows):
            m_hat, v_hat = exact(lines[5 * r + 2].value), exact(lines[5 * r + 3].value)
            with localcontext() as ctx:
                ctx.prec = 60
                step = -exact(run.trace.config.learning_rate) * m_hat / (v_hat.sqrt() + exact(opt.epsilon))
            assert exact(row[3]) == rounded(step, places, sig), (k, r)
        assert "The step is −η·m̂/(√(v̂) + ε) rounded to" in table.omitted


# ---------------------------------------------------------------- the matrix view's Adam


def _scalar_and_matrix(run, k: int):
    """Per layer, kind and parameter: the scalar update lines' values and the matrix lines' entries."""
    it = run.trace.traced(run.trace.iterations[k].iteration)
    d = Deriver(it, run.names, run.fmt)
    m = MatrixLines(d, Limits())
    cfg = run.trace.config
    for li in range(1, len(cfg.layers)):
        matrix = update_lines(m, li)
        weights, biases = matrix[:len(matrix) // 2], matrix[len(matrix) // 2:]
        size, below = cfg.layers[li].size, cfg.layers[li - 1].size
        for j in range(size):
            for i in range(below):
                yield d.update_lines(run.names.weight(li, j, i)), [eq.value.values[j, i] for eq in weights]
        if cfg.layers[li].bias == "shared":
            yield d.update_lines(run.names.bias(li, None)), [eq.value.values[0, 0] for eq in biases]
        else:
            for j in range(size):
                yield d.update_lines(run.names.bias(li, j)), [eq.value.values[j, 0] for eq in biases]


HAND = [{"carry": n} for n in range(3, 7)] + [{"carry_sig": n} for n in range(3, 6)]


@pytest.mark.parametrize("carry", HAND, ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_matrix_view_shows_the_scalar_views_numbers_in_hand_mode(optimizer, carry):
    places, sig = carry.get("carry"), carry.get("carry_sig")
    for seed in (1, 2, 3):
        cfg = network(seed, optimizer)
        run = stepnet.run(cfg, iterations=2, **carry)
        t_beta = (cfg["optimizer"].get("beta1"), cfg["optimizer"].get("beta2"))
        for k in range(2):
            for scalar, entries in _scalar_and_matrix(run, k):
                assert len(scalar) == len(entries) == (5 if optimizer == "adam" else 2)
                for ln, entry in zip(scalar, entries, strict=True):
                    assert run.fmt(entry) == run.fmt(ln.value) and entry == ln.value, (seed, k)
                if optimizer == "adam":  # m̂ and v̂: the moments over 1 − βᵗ, exactly, then rounded
                    t = k + 1
                    for moment, hat, beta in ((scalar[0], scalar[2], t_beta[0]), (scalar[1], scalar[3], t_beta[1])):
                        with localcontext() as ctx:
                            ctx.prec = 60
                            want = rounded(exact(moment.value) / (1 - exact(beta) ** t), places, sig)
                        assert exact(hat.value) == want, (seed, k)


# ---------------------------------------------------------------- the † note


def test_the_dagger_note_says_how_the_value_is_computed_in_each_mode():
    hand = cli("run", "mazur", "--carry", "12", "--width", "250")
    notes = [ln for ln in hand.splitlines() if "†" in ln]
    assert notes and all(ln.endswith("the value is computed from the numbers carried to 12 decimal places")
                         for ln in notes)
    sig = cli("run", "mazur", "--carry-sig", "12", "--width", "250")
    notes = [ln for ln in sig.splitlines() if "†" in ln]
    assert notes and all(ln.endswith("the value is computed from the numbers carried to 12 significant digits")
                         for ln in notes)
    full = [ln for ln in cli("run", "mazur", "--width", "250").splitlines() if "†" in ln]
    assert full and all(ln.endswith("the value is computed at full precision") for ln in full)


def test_the_dagger_note_is_right_about_what_the_shown_numbers_give():
    text = cli("run", "mazur", "--carry", "12", "--width", "250").splitlines()
    k = next(i for i, ln in enumerate(text) if ln.startswith("E_o1 = "))
    target, out = re.search(r"= 1/2 × \((\S+) − (\S+)\)² = (\S+)$", text[k]).groups()[:2]
    given = re.search(r"shown give (\S+);", text[k + 1]).group(1)
    assert dec(given) == rounded(Decimal(1) / 2 * (dec(target) - dec(out)) ** 2, 9)
    assert dec(given) != dec(text[k].rsplit("= ", 1)[1])


@pytest.mark.parametrize("fmt, ending", [
    ("markdown", "the value is computed from the numbers carried to 12 decimal places."),
    ("html", "the value is computed from the numbers carried to 12 decimal places.</p>"),
    ("latex", "the value is computed from the numbers carried to 12 decimal places.}"),
])
def test_every_format_words_the_dagger_note_for_hand_mode(fmt, ending):
    text = cli("run", "mazur", "--carry", "12", "--format", fmt)
    notes = [ln for ln in text.splitlines() if "The rounded numbers shown give" in ln]
    assert len(notes) >= 2 and all(ln.endswith(ending) for ln in notes)
    assert "computed at full precision." not in "\n".join(notes)
    full = [ln for ln in cli("run", "mazur", "--format", fmt).splitlines() if "The rounded numbers shown give" in ln]
    assert full and all(ln.endswith(ending.replace("from the numbers carried to 12 decimal places",
                                                   "at full precision")) for ln in full)


def test_explain_words_the_dagger_note_for_hand_mode():
    hand = cli("explain", "w7", "--carry", "12", "--width", "250")
    notes = [ln for ln in hand.splitlines() if "†" in ln]
    assert notes and all(ln.endswith("carried to 12 decimal places") for ln in notes)
    md = cli("explain", "w7", "--carry-sig", "12", "--format", "markdown")
    assert "† The rounded numbers shown give −0.022602541; the value is computed from the numbers carried to " \
           "12 significant digits." in md


# ---------------------------------------------------------------- explain --carry-sig


def test_explain_carry_sig_works_like_run():
    text = cli("explain", "w5", "--carry-sig", "3", "--width", "250")
    line = next(ln for ln in text.splitlines() if ln.startswith("∂E_total/∂w5 = ") and "δ_o1 · out_h1 =" in ln)
    delta, out, gradient = re.search(r"= (\S+) × (\S+) = (\S+)$", line).groups()
    assert dec(gradient) == rounded(dec(delta) * dec(out), sig=3)
    run = stepnet.run("mazur", carry_sig=3)
    assert dec(gradient) == exact(run.iterations[0].parameter("w5").gradient)
    worked = [ln for ln in text.splitlines() if ln.startswith(("∂", "δ"))]
    numbers = [dec(n) for ln in worked for n in re.findall(r"(?<![\w.])−?\d+\.\d+", ln)]
    assert len(numbers) > 10 and all(n == rounded(n, sig=3) for n in numbers)  # none carries a 4th digit
    update = next(ln for ln in text.splitlines() if ln.startswith("w5⁺ = "))
    assert dec(update.rsplit("= ", 1)[1]) == exact(run.iterations[0].parameter("w5").updated)


def test_explain_carry_and_carry_sig_together_is_a_usage_error():
    result = CliRunner().invoke(main, ["explain", "w5", "--carry", "3", "--carry-sig", "3"])
    assert result.exit_code == 2
    assert "give --carry (decimal places) or --carry-sig (significant digits), not both" in result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(main, ["explain", "w5", "--carry-sig", "0"]).exit_code == 2
    assert "--carry-sig N" in CliRunner().invoke(main, ["explain", "--help"]).output


# ---------------------------------------------------------------- the --compare-carry table


def test_compare_carry_differences_are_exact_and_whole_at_40_columns():
    from stepnet.verify.handmode import compare_carry, summary

    wide = cli("run", "mazur", "--compare-carry", "6", "--width", "200")
    rows = [[c.strip() for c in ln.strip("│").split("│")] for ln in wide.splitlines() if ln.startswith("│")]
    assert len(rows) == 48
    for _name, full, hand, diff, _mark in rows:
        assert dec(hand) - dec(full) == (0 if diff == "0" else dec(diff)), _name
    narrow = cli("run", "mazur", "--compare-carry", "6", "--width", "40")
    assert max(len(ln) for ln in narrow.splitlines()) <= 40
    for _name, full, hand, diff, _mark in rows:
        assert full in narrow and hand in narrow and diff in narrow
    said = summary(compare_carry(stepnet.load("mazur"), 6))
    assert said in " ".join(narrow.split()) and said not in narrow  # wrapped between words, not cut
    ascii_text = cli("run", "mazur", "--compare-carry", "6", "--width", "40", "--ascii")
    assert ascii_text.isascii() and "dE_total/dw7" in ascii_text
