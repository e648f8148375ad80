"""stepnet grade: answers files marked right, right by error carried forward, wrong with a cause, or blank.

The answers are made from real runs (the true values from stepnet.api.run, rounded here
with Decimal) and from an independent worker that does the classic iteration by hand
with Decimal arithmetic, rounding every number it writes down, as a student would.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from stepnet.api import example, load, run
from stepnet.cli import main
from stepnet.derive.names import Names
from stepnet.derive.quantities import value
from stepnet.exercise.ask import answer_name, parse_ask
from stepnet.grade.csvtext import marks_csv, safe_cell
from stepnet.grade.marking import BLANK, ECF, RIGHT, WRONG, grade_sheet
from stepnet.grade.points import parse_points, score
from stepnet.grade.sheet import read_sheet
from stepnet.grade.summary import summarize

MAZUR = {k: v for k, v in yaml.safe_load(Path(example("mazur")).read_text(encoding="utf-8")).items() if k != "claims"}
SLIP = "0.5393"  # out_h1 = 0.5933 with two digits swapped


def rounded(x: float | Decimal, places: int) -> str:
    return str(Decimal(repr(x) if isinstance(x, float) else x).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def true_values(carry: int | None = None) -> dict[str, float]:
    """Every asked number of the classic example's first iteration, by answer name."""
    cfg = load(MAZUR)
    names = Names(cfg)
    it = run(cfg, iterations=1, carry=carry).traced(1)
    return {answer_name(q, names): value(q, it) for q in parse_ask(None, names, 1)}


TRUE = true_values()


def hand_worked(slips: dict[str, str] | None = None, places: int = 4) -> dict[str, str]:
    """The classic 2-2-2 iteration worked by hand: every number written to ``places`` decimals, then used.

    ``slips`` replaces the numbers the student got wrong; everything after is worked from them.
    """
    slips = slips or {}
    got: dict[str, Decimal] = {}

    def put(key: str, x: Decimal) -> Decimal:
        got[key] = Decimal(slips[key]) if key in slips else Decimal(rounded(x, places))
        return got[key]

    def sig(x: Decimal) -> Decimal:
        return 1 / (1 + (-x).exp())

    i1, i2, t1, t2, b1, b2, eta = (Decimal(t) for t in ("0.05", "0.10", "0.01", "0.99", "0.35", "0.60", "0.5"))
    w = dict(zip(range(1, 9), map(Decimal, "0.15 0.20 0.25 0.30 0.40 0.45 0.50 0.55".split()), strict=True))
    oh1 = put("out_h1", sig(put("net_h1", w[1] * i1 + w[2] * i2 + b1)))
    oh2 = put("out_h2", sig(put("net_h2", w[3] * i1 + w[4] * i2 + b1)))
    oo1 = put("out_o1", sig(put("net_o1", w[5] * oh1 + w[6] * oh2 + b2)))
    oo2 = put("out_o2", sig(put("net_o2", w[7] * oh1 + w[8] * oh2 + b2)))
    put("E_total", put("E_o1", (t1 - oo1) ** 2 / 2) + put("E_o2", (t2 - oo2) ** 2 / 2))
    d1 = put("delta_o1", (oo1 - t1) * oo1 * (1 - oo1))
    d2 = put("delta_o2", (oo2 - t2) * oo2 * (1 - oo2))
    g = {5: put("dE_total/dw5", d1 * oh1), 6: put("dE_total/dw6", d1 * oh2),
         7: put("dE_total/dw7", d2 * oh1), 8: put("dE_total/dw8", d2 * oh2)}
    put("dE_total/db2", d1 + d2)
    dh1 = put("delta_h1", (d1 * w[5] + d2 * w[7]) * oh1 * (1 - oh1))
    dh2 = put("delta_h2", (d1 * w[6] + d2 * w[8]) * oh2 * (1 - oh2))
    g.update({1: put("dE_total/dw1", dh1 * i1), 2: put("dE_total/dw2", dh1 * i2),
              3: put("dE_total/dw3", dh2 * i1), 4: put("dE_total/dw4", dh2 * i2)})
    put("dE_total/db1", dh1 + dh2)
    for k in range(1, 9):
        put(f"w{k}+", w[k] - eta * g[k])
    return {key: str(got[key]) for key in TRUE}


def right_answers(places: int = 4, carry: int | None = None) -> dict[str, str]:
    return {key: rounded(x, places) for key, x in (true_values(carry) if carry else TRUE).items()}


def sheet_text(answers: dict[str, str | None], student: str | None = "Ada", carry: int | None = None,
               config: dict | None = None) -> str:
    """An answers file as the exercise writes it, each answer written exactly as given."""
    lines = ["# Write plain decimals such as 0.5933 or -0.0217; leave null for a blank.",
             f"student: {'null' if student is None else json.dumps(student)}", "variant: 1", "config:"]
    lines += ["  " + line for line in yaml.safe_dump(config or MAZUR, sort_keys=False).splitlines()]
    if carry is not None:
        lines.append(f"carry: {carry}")
    lines.append("answers:")
    lines += [f"  {key}: {'null' if text is None else text}" for key, text in answers.items()]
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, name: str, answers: dict[str, str | None], **kw) -> str:
    path = tmp_path / name
    path.write_text(sheet_text(answers, **kw), encoding="utf-8")
    return str(path)


def verdicts(path: str, min_decimals: int = 3) -> dict[str, object]:
    return {m.name: m for m in grade_sheet(read_sheet(path), min_decimals)}


def invoke(*args: str):
    return CliRunner().invoke(main, ["grade", *args, "--width", "200"])


# -- verdicts ---------------------------------------------------------------------------


def test_right_answers_get_full_marks(tmp_path):
    path = write(tmp_path, "a.yaml", right_answers())
    marks = verdicts(path)
    assert set(marks) == set(TRUE) and all(m.verdict == RIGHT for m in marks.values())
    result = invoke(path)
    assert result.exit_code == 0, result.output
    assert f"{len(TRUE)}/{len(TRUE)}" in result.output


def test_blanks_score_nothing(tmp_path):
    answers = right_answers()
    answers["delta_h1"] = None
    answers["w5+"] = None
    sheet = read_sheet(write(tmp_path, "a.yaml", answers))
    s = score(sheet, grade_sheet(sheet), parse_points(None))
    assert [m.name for m in s.marks if m.verdict == BLANK] == ["delta_h1", "w5+"]
    assert s.score == len(TRUE) - 2 and s.total == len(TRUE)


def test_the_hand_worker_is_right_at_nine_decimals():
    worked = hand_worked(places=9)
    assert {k: rounded(Decimal(v), 7) for k, v in worked.items()} == right_answers(7)


def test_a_slip_carried_forward_costs_one_mark(tmp_path):
    answers = hand_worked({"out_h1": SLIP})
    assert rounded(TRUE["out_h1"], 4) == "0.5933"
    sheet = read_sheet(write(tmp_path, "a.yaml", answers))
    marks = grade_sheet(sheet)
    by_name = {m.name: m for m in marks}
    slip = by_name["out_h1"]
    assert slip.verdict == WRONG and slip.cause == "digits swapped" and "digits swapped" in slip.detail
    assert all(m.verdict in (RIGHT, ECF) for m in marks if m.name != "out_h1")
    assert {by_name[k].verdict for k in ("net_h1", "net_h2", "out_h2")} == {RIGHT}
    carried = [m.name for m in marks if m.verdict == ECF]
    assert {"net_o1", "out_o1", "E_total", "delta_o1", "dE_total/dw5", "w5+"} <= set(carried)
    assert "out_h1 = 0.5393" in by_name["net_o1"].detail
    with_ecf = score(sheet, marks, parse_points(None))
    assert (with_ecf.score, with_ecf.total) == (len(TRUE) - 1, len(TRUE))
    without = score(sheet, marks, parse_points(None), ecf_points=False)
    assert without.score == sum(m.verdict == RIGHT for m in marks) == len(TRUE) - 1 - len(carried)


def test_an_unrelated_error_is_not_carried_forward(tmp_path):
    answers = hand_worked({"out_h1": SLIP})
    answers["net_o1"] = rounded(Decimal(answers["net_o1"]) + Decimal("0.0100"), 4)  # a slip of its own
    marks = verdicts(write(tmp_path, "a.yaml", answers))
    assert marks["net_o1"].verdict == WRONG


def test_carried_forward_means_within_the_rounding_of_the_numbers_used(tmp_path):
    answers = hand_worked({"out_h1": SLIP})
    # net_o1 = 0.40·out_h1 + 0.45·out_h2 + 0.60: half a unit in each input moves it by 0.0000425, and the
    # answer's own rounding allows 0.00005 more; 0.0002 away from the worked-on value is more than both
    worked = Decimal("0.40") * Decimal(SLIP) + Decimal("0.45") * Decimal(answers["out_h2"]) + Decimal("0.60")
    assert answers["net_o1"] == rounded(worked, 4)
    answers["net_o1"] = str(Decimal(answers["net_o1"]) + Decimal("0.0002"))
    marks = verdicts(write(tmp_path, "a.yaml", answers))
    assert marks["net_o1"].verdict == WRONG
    assert marks["out_o1"].verdict == ECF  # worked on from the student's own (wrong) net_o1


def test_a_slip_carried_forward_in_hand_mode(tmp_path):
    sheet = read_sheet(write(tmp_path, "a.yaml", hand_worked({"out_h1": SLIP}), carry=4))
    marks = grade_sheet(sheet)
    assert [m.name for m in marks if m.verdict == WRONG] == ["out_h1"]
    assert score(sheet, marks, parse_points(None)).score == len(TRUE) - 1


def test_no_ecf_flag_withholds_the_points_but_keeps_the_verdict(tmp_path):
    path = write(tmp_path, "a.yaml", hand_worked({"out_h1": SLIP}))
    marks = verdicts(path)
    right = sum(m.verdict == RIGHT for m in marks.values())
    result = invoke(path, "--no-ecf")
    assert result.exit_code == 0, result.output
    assert f"{right}/{len(TRUE)}" in result.output and "✓ ECF" in result.output


def test_too_few_decimals_is_wrong_and_trailing_zeros_count(tmp_path):
    answers = right_answers()
    answers["out_h1"] = "0.59"
    answers["net_h1"] = "0.3775"  # the true value exactly
    answers["out_h2"] = "0.5969"
    marks = verdicts(write(tmp_path, "a.yaml", answers))
    assert marks["out_h1"].verdict == WRONG
    assert marks["out_h1"].detail == "too few decimals (2; at least 3 asked)"
    answers = {"out_h1": "0.5930", "net_h1": "0.3775"}
    strict = verdicts(write(tmp_path, "b.yaml", answers), min_decimals=4)
    assert strict["out_h1"].places == 4  # read as written, not as the float 0.593
    assert strict["out_h1"].cause != "too few decimals"
    assert verdicts(write(tmp_path, "c.yaml", {"out_h1": "0.593"}), 4)["out_h1"].cause == "too few decimals"
    assert verdicts(write(tmp_path, "d.yaml", {"out_h1": '"0.5933"'}), 4)["out_h1"].verdict == RIGHT


def test_hand_mode_sheets_are_graded_against_hand_mode_values(tmp_path):
    hand, full = right_answers(4, carry=4), right_answers(4)
    differ = [k for k in hand if hand[k] != full[k]]
    assert differ  # hand mode changes some 4-decimal answers: the test means something
    marks = verdicts(write(tmp_path, "hand.yaml", hand, carry=4))
    assert all(m.verdict == RIGHT for m in marks.values())
    as_full = verdicts(write(tmp_path, "full.yaml", hand))
    wrong = [k for k, m in as_full.items() if m.verdict == WRONG]
    assert wrong and set(wrong) <= set(differ)
    assert {as_full[k].cause for k in wrong} == {"carried rounding"}


def test_points_weigh_groups_and_names(tmp_path):
    answers = right_answers()
    answers["delta_o1"] = None
    sheet = read_sheet(write(tmp_path, "a.yaml", answers))
    s = score(sheet, grade_sheet(sheet), parse_points("forward=1,backward=2,w5+=3"))
    forward = sum(k.startswith(("net_", "out_", "E_")) for k in TRUE)
    backward = sum(k.startswith(("delta_", "dE_total/")) for k in TRUE)
    update = sum(k.endswith("+") for k in TRUE)
    assert s.total == forward + 2 * backward + (update - 1) + 3
    assert s.score == s.total - 2


@pytest.mark.parametrize("spec", ["forward", "forward=x", "w5+=-1", "=2"])
def test_points_syntax_errors_are_usage_errors(tmp_path, spec):
    path = write(tmp_path, "a.yaml", right_answers())
    result = invoke(path, "--points", spec)
    assert result.exit_code == 2 and "--points" in result.output


def test_unknown_points_key_names_the_valid_ones(tmp_path):
    path = write(tmp_path, "a.yaml", right_answers())
    result = invoke(path, "--points", "forwrd=2")
    assert result.exit_code == 2
    assert "'forwrd'" in result.output and "did you mean 'forward'" in result.output
    assert "forward, backward, update" in result.output and "net_h1" in result.output


# -- several files ----------------------------------------------------------------------


def test_class_summary_names_the_most_missed_blank_and_cause(tmp_path):
    hand = right_answers(4, carry=4)
    paths = [write(tmp_path, f"s{k}.yaml", hand, student=f"student {k}") for k in range(3)]
    paths.append(write(tmp_path, "s3.yaml", right_answers(), student="careful"))
    sheets = [read_sheet(p) for p in paths]
    scores = [score(s, grade_sheet(s), parse_points(None)) for s in sheets]
    summary = summarize(scores)
    top = summary.missed[0]
    assert (top.wrong, top.students) == (3, 4) and top.causes.most_common(1)[0] == ("carried rounding", 3)
    assert top.line().startswith(f"{top.name}: 3 of 4 wrong, 3 of them carried rounding")
    result = invoke(*paths)
    assert result.exit_code == 0, result.output
    assert "Class summary: 4 students" in result.output
    assert f"{top.name}: 3 of 4 wrong, 3 of them carried rounding" in result.output


def test_csv_has_a_row_per_file_and_the_union_of_blanks(tmp_path):
    one = write(tmp_path, "one.yaml", {"net_h1": "0.3775", "out_h1": SLIP})
    two = write(tmp_path, "two.yaml", {"out_h1": "0.5933", "w5+": None}, student=None)
    out = tmp_path / "marks.csv"
    result = invoke(one, two, "--csv", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == ["file", "student", "score", "total", "net_h1", "out_h1", "w5+"]
    assert rows[1] == [one, "Ada", "1", "2", "right", "wrong: digits swapped", ""]
    assert rows[2] == [two, "", "1", "2", "", "right", "blank"]


@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tTab", "\rCR"])
def test_csv_cells_never_start_a_formula(tmp_path, name):
    path = write(tmp_path, "a.yaml", {"net_h1": "0.3775"}, student=name)
    out = tmp_path / "marks.csv"
    assert invoke(path, "--csv", str(out)).exit_code == 0
    row = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))[1]
    assert row[1].startswith("'") and row[1][1:] == safe_cell(name)[1:]
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert '"\'=HYPERLINK(""x"")"' in marks_csv([("f", '=HYPERLINK("x")', _one_score(tmp_path), None)])


def _one_score(tmp_path):
    sheet = read_sheet(write(tmp_path, "one.yaml", {"net_h1": "0.3775"}))
    return score(sheet, grade_sheet(sheet), parse_points(None))


def test_csv_to_standard_output_replaces_the_tables(tmp_path):
    path = write(tmp_path, "a.yaml", {"net_h1": "0.3775", "out_h1": None})
    result = invoke(path, "--csv", "-")
    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.stdout, newline=""))) == [
        ["file", "student", "score", "total", "net_h1", "out_h1"], [path, "Ada", "1", "2", "right", "blank"]]


def test_csv_refuses_to_overwrite_an_answers_file(tmp_path):
    path = write(tmp_path, "a.yaml", {"net_h1": "0.3775"})
    before = Path(path).read_text(encoding="utf-8")
    result = invoke(path, "--csv", path)
    assert result.exit_code == 2 and "one of the answers files" in result.output
    assert Path(path).read_text(encoding="utf-8") == before


# -- files that cannot be read ----------------------------------------------------------

BAD = {
    "missing": (None, ":", "no such file"),
    "syntax": ("student: [Ada\nvariant: 1\n", ":", "could not parse YAML"),
    "no_answers": (sheet_text({"net_h1": "0.3775"}).split("answers:")[0], ":2:1: answers: missing", ""),
    "not_a_number": (sheet_text({"net_h1": '"abc"'}), "answers.net_h1: expected a plain decimal number",
                     "found 'abc'"),
    "unknown_name": (sheet_text({"net_h9": "0.1"}), "answers.net_h9: unknown quantity 'net_h9'", ""),
    "a_comma": (sheet_text({"net_h1": "0,3775"}), "answers.net_h1: expected a plain decimal number",
                "write the decimal point as '.': 0.3775"),
    "a_list": (sheet_text({"net_h1": "[1, 2]"}), "answers.net_h1: expected a number", ""),
    "exponent": (sheet_text({"net_h1": "3.775e-1"}), "answers.net_h1: expected a plain decimal number", ""),
    "bad_config": (sheet_text({"net_h1": "0.3775"}).replace("learning_rate: 0.5", "learning_rate: -1"),
                   "config.learning_rate", ""),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_unreadable_file_is_reported_and_the_others_graded(tmp_path, case):
    text, where, words = BAD[case]
    bad = tmp_path / "bad.yaml"
    if text is not None:
        bad.write_text(text, encoding="utf-8")
    good = write(tmp_path, "good.yaml", right_answers())
    result = CliRunner().invoke(main, ["grade", str(bad), good, "--width", "200"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = next(line for line in result.stderr.splitlines() if line.startswith("Error:"))
    assert message.startswith(f"Error: {bad}")
    assert where in message and words in message
    if case != "missing":
        assert f"{bad}:" in message and message.split(":")[2].strip().isdigit()  # file:line:
    assert f"{len(TRUE)}/{len(TRUE)}" in result.stdout


def test_an_unreadable_file_gets_a_csv_row_with_the_reason(tmp_path):
    bad = write(tmp_path, "bad.yaml", {"net_h1": '"abc"'})
    good = write(tmp_path, "good.yaml", {"net_h1": "0.3775"})
    out = tmp_path / "marks.csv"
    result = invoke(bad, good, "--csv", str(out))
    assert result.exit_code == 1
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == ["file", "student", "score", "total", "net_h1", "error"]
    assert rows[2] == [good, "Ada", "1", "1", "right", ""]
    assert rows[1][:5] == [bad, "", "", "", ""] and "answers.net_h1: expected a plain decimal number" in rows[1][5]


def test_a_syntax_error_gives_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("student: Ada\nvariant: 1\nanswers:\n  net_h1: [0.3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["grade", str(bad)])
    assert result.exit_code == 1 and f"Error: {bad}:5:" in result.stderr


def test_hostile_student_names_are_shown_inert(tmp_path):
    name = "[bold]Eve[/bold]\x1b[31m\u202e" + "x" * 500
    path = write(tmp_path, "a.yaml", right_answers(), student=name)
    result = CliRunner().invoke(main, ["grade", path, "--width", "200"])
    assert result.exit_code == 0
    assert "[bold]Eve[/bold]\\x1b[31m\\u202e" in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "x" * 500 not in result.stdout


def test_ascii_output_is_ascii(tmp_path):
    path = write(tmp_path, "a.yaml", hand_worked({"out_h1": SLIP}), student="Zoë")
    result = invoke(path, "--ascii")
    assert result.exit_code == 0 and result.stdout.isascii()
    assert "ok ECF" in result.stdout and "-0.0226" in result.stdout
    unicode = invoke(path)
    assert "\u22120.0226" in unicode.stdout and "-0.0226" not in unicode.stdout
