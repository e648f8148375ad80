"""stepnet exercise: worksheets without answers, answers files for grading, keys with the worked iteration.

The oracles: an independent pure-Python forward and backward pass of the 2-2-2 sigmoid network
(checked itself against central finite differences), exact Decimal rounding, and the library's own
run of each answers file's config, read back the way a grader reads it.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import stepnet.api as api
from stepnet.cli.group import main
from stepnet.derive.names import Names
from stepnet.derive.quantities import value
from stepnet.errors import UsageError
from stepnet.exercise import variants as V
from stepnet.exercise.answers import answers_yaml
from stepnet.exercise.ask import GROUPS, answer_name, group_of, parse_ask
from stepnet.exercise.key import key
from stepnet.exercise.worksheet import worksheet

MINUS = "\u2212"


def invoke(*args: str):
    return CliRunner().invoke(main, ["exercise", *args], prog_name="stepnet")


def draws(config: str, n: int, seed: int = 0, ask: str | None = None, carry: int | None = None):
    return V.exercises(api.load(config), ask, n, seed, carry)


def rounded(x: float, places: int) -> str:
    return str(Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- --ask


def test_ask_groups_and_names_come_in_the_order_of_computation():
    names = Names(api.load("mazur"))
    asked = parse_ask("w5+,dE_total/dw1,delta_h1,out_o1,net_h1,E_total,forward", names, 1)
    got = [answer_name(q, names) for q in asked]
    assert got[:11] == ["net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1", "net_o2", "out_o2",
                        "E_o1", "E_o2", "E_total"]
    assert got[11:] == ["delta_h1", "dE_total/dw1", "w5+"]
    assert {group_of(q) for q in parse_ask("all", names, 1)} == set(GROUPS)


def test_ask_default_is_all_for_small_networks_and_the_output_layer_for_larger_ones():
    small = Names(api.load("mazur"))
    assert parse_ask(None, small, 1) == parse_ask("all", small, 1)
    deep = Names(api.load("deep"))
    last = len(deep.layers) - 1
    asked = parse_ask(None, deep, 1)
    assert {group_of(q) for q in asked} == {"forward", "update"}
    assert all(q.layer == last or q.kind == "E_total" for q in asked)


def test_untrained_biases_are_never_asked():
    names = Names(api.load("mazur"))  # train_biases: false
    assert "b1+" not in [answer_name(q, names) for q in parse_ask("update", names, 1)]
    with pytest.raises(UsageError, match="not updated"):
        parse_ask("b1+", names, 1)


@pytest.mark.parametrize(("spec", "words"), [
    ("forwrd", "did you mean the group 'forward'"), ("out_o9", "did you mean"), ("w5", "given on the worksheet"),
    ("i1", "given on the worksheet"), ("", "empty"), ("forward,,update", "empty item"),
])
def test_bad_ask_is_a_usage_error_naming_the_closest(spec, words):
    with pytest.raises(UsageError, match=re.escape(words)):
        parse_ask(spec, Names(api.load("mazur")), 1)


def test_answer_names_of_later_samples_end_in_their_number():
    cfg = api.load("minibatch")
    names = [answer_name(q, Names(cfg)) for q in parse_ask("forward", Names(cfg), cfg.effective_batch_size)]
    assert "out_o1" in names and "out_o1@2" in names and "E_total" in names


# ---------------------------------------------------------------- drawing variants


def two_decimals(x: float) -> bool:
    return Decimal(str(x)) == Decimal(str(x)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("config", ["mazur", "softmax", "xor", "tutorial002"])
def test_variants_keep_the_structure_and_draw_nice_numbers(config):
    cfg = api.load(config)
    for ex in draws(config, 4, seed=3):
        got = api.load(ex.mapping)
        assert [(la.name, la.size, la.activation, la.bias) for la in got.layers] == \
               [(la.name, la.size, la.activation, la.bias) for la in cfg.layers]
        assert (got.loss, got.learning_rate, got.optimizer, got.train_biases) == \
               (cfg.loss, cfg.learning_rate, cfg.optimizer, cfg.train_biases)
        assert len(got.data) == len(cfg.data)
        numbers = [x for rows in ex.mapping["weights"].values() for row in rows for x in row]
        numbers += [x for b in ex.mapping["biases"].values() for x in (b if isinstance(b, list) else [b])]
        numbers += [x for s in ex.mapping["data"] for x in s["inputs"]]
        assert all(two_decimals(x) and -1 <= x <= 1 and x != 0 for x in numbers)
        targets = [s["targets"] for s in ex.mapping["data"]]
        if cfg.loss == "cross_entropy":
            assert all(sorted(t) == [0] * (len(t) - 1) + [1] for t in targets)
        elif cfg.loss == "binary_cross_entropy":
            assert all(x in (0, 1) for t in targets for x in t)
        else:
            assert all(two_decimals(x) and 0.01 <= x <= 0.99 for t in targets for x in t)


def test_the_same_seed_draws_the_same_variants_and_another_seed_others():
    first, again, other = draws("mazur", 3, 5), draws("mazur", 3, 5), draws("mazur", 3, 6)
    assert [e.mapping for e in first] == [e.mapping for e in again]
    assert all(a.mapping["weights"] != b.mapping["weights"] for a, b in zip(first, other, strict=True))
    weights = [str(e.mapping["weights"]) for e in first]
    assert len(set(weights)) == len(weights)
    assert draws("mazur", 1, 5)[0].mapping == first[0].mapping  # variant K does not depend on how many


def test_every_variant_obeys_the_rejection_rules():
    for ex in draws("mazur", 12, seed=1) + draws("softmax", 3, seed=1, carry=4):
        it = ex.run.traced(1)
        for li, layer in enumerate(ex.run.config.layers[1:], 1):
            outs = it.layer(li).out.ravel().tolist()
            if layer.activation == "tanh":
                assert all(abs(o) <= 0.99 for o in outs), (layer.name, outs)
            else:
                assert all(0.01 <= o <= 0.99 for o in outs), (layer.name, outs)
        for q in ex.asked:
            v = value(q, it)
            if q.kind in ("grad", "delta"):
                assert Decimal(rounded(v, ex.decimals)) != 0
            scaled = abs(v) * 1e6
            assert abs(scaled - math.floor(scaled) - 0.5) > 1e-6 * 0.99, (answer_name(q, ex.run.names), v)


def test_ties_and_saturation_are_recognised():
    assert V.on_tie(0.0000005, 6) and V.on_tie(-0.1234565, 6) and V.on_tie(0.12345, 4)
    assert not V.on_tie(0.0000004, 6) and not V.on_tie(0.1234564, 6) and not V.on_tie(0.3775, 4)
    assert V.rounded(-0.00005, 4) == Decimal("-0.0001") and V.rounded(0.3775, 3) == Decimal("0.378")
    mapping = V.config_mapping(api.load("mazur"), api.run("mazur"))
    mapping["weights"]["o"] = [[9.0, 9.0], [0.5, 0.55]]
    ex = V._exercise(1, mapping, None, None)
    assert V.flaw(ex) == "a saturated unit"


def test_a_config_no_draw_fits_is_a_config_error(monkeypatch):
    monkeypatch.setattr(V, "ATTEMPTS", 3)
    monkeypatch.setattr(V, "flaw", lambda ex: "a saturated unit")
    result = invoke("mazur", "--variants", "1", "-o", "never")
    assert result.exit_code == 1
    assert "no usable variant 1 in 3 draws" in result.output and "a saturated unit" in result.output
    assert not Path("never").exists()


# ---------------------------------------------------------------- the numbers, against an oracle


def mazur_by_hand(m: dict) -> dict[str, float]:
    """The 2-2-2 sigmoid, shared-bias, half-SSE iteration written out in plain Python: every asked value."""
    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    (wh, wo), (bh, bo) = (m["weights"]["h"], m["weights"]["o"]), (m["biases"]["h"], m["biases"]["o"])
    x, t = m["data"][0]["inputs"], m["data"][0]["targets"]
    v = {}
    for j in range(2):
        v[f"net_h{j + 1}"] = wh[j][0] * x[0] + wh[j][1] * x[1] + bh
        v[f"out_h{j + 1}"] = sig(v[f"net_h{j + 1}"])
    h = [v["out_h1"], v["out_h2"]]
    for k in range(2):
        v[f"net_o{k + 1}"] = wo[k][0] * h[0] + wo[k][1] * h[1] + bo
        v[f"out_o{k + 1}"] = o = sig(v[f"net_o{k + 1}"])
        v[f"E_o{k + 1}"] = 0.5 * (t[k] - o) ** 2
        v[f"delta_o{k + 1}"] = (o - t[k]) * o * (1 - o)
    v["E_total"] = v["E_o1"] + v["E_o2"]
    for j in range(2):
        back = sum(v[f"delta_o{k + 1}"] * wo[k][j] for k in range(2))
        v[f"delta_h{j + 1}"] = back * h[j] * (1 - h[j])
    grads = {}
    for j in range(2):
        for i in range(2):
            grads[f"w{2 * j + i + 1}"] = v[f"delta_h{j + 1}"] * x[i]
            grads[f"w{4 + 2 * j + i + 1}"] = v[f"delta_o{j + 1}"] * h[i]
    grads["b1"] = v["delta_h1"] + v["delta_h2"]
    grads["b2"] = v["delta_o1"] + v["delta_o2"]
    flat = [*wh[0], *wh[1], *wo[0], *wo[1]]
    for p, g in grads.items():
        v[f"dE_total/d{p}"] = g
        if p.startswith("w"):
            v[f"{p}+"] = flat[int(p[1:]) - 1] - m["learning_rate"] * g
    return v


def loss_of(m: dict) -> float:
    return mazur_by_hand(m)["E_total"]


def test_the_oracle_agrees_with_finite_differences():
    m = draws("mazur", 1, seed=2)[0].mapping
    got = mazur_by_hand(m)
    h = 1e-6
    for layer, j, i, flat in (("h", 0, 1, 2), ("o", 1, 0, 7)):
        up, down = yaml.safe_load(yaml.safe_dump(m)), yaml.safe_load(yaml.safe_dump(m))
        up["weights"][layer][j][i] += h
        down["weights"][layer][j][i] -= h
        assert abs((loss_of(up) - loss_of(down)) / (2 * h) - got[f"dE_total/dw{flat}"]) < 1e-8


def key_table(text: str) -> dict[str, str]:
    """The answer table of a Markdown key: answers key -> the value as shown."""
    rows = re.findall(r"^\| (\d+) \| .*? \| (\S+?) \| (\S+) \| (\S+) \|$", text, flags=re.M)
    return {k.replace("\\_", "_"): shown for _, k, shown, _ in rows}


def test_the_key_gives_the_oracle_s_numbers_at_the_shown_places():
    for ex in draws("mazur", 4, seed=9):
        table = key_table(key(ex, "markdown"))
        oracle = mazur_by_hand(ex.mapping)
        assert list(table) == [answer_name(q, ex.run.names) for q in ex.asked]
        for name, shown in table.items():
            assert abs(float(shown.replace(MINUS, "-")) - oracle[name]) <= 0.5e-9 + 1e-12, name


def test_the_answers_file_has_its_keys_in_order_and_a_config_that_gives_the_key_s_numbers():
    ex = draws("mazur", 1, seed=4, ask="forward,backward,w5+", carry=None)[0]
    text = answers_yaml(ex, seed=4)
    assert text.startswith("#") and "plain decimal" in text and "-0.0217" in text
    data = yaml.safe_load(text)
    assert list(data) == ["student", "variant", "config", "answers"]
    assert data["student"] is None and data["variant"] == 1
    assert list(data["answers"]) == [answer_name(q, ex.run.names) for q in ex.asked]
    assert all(v is None for v in data["answers"].values())
    assert "claims" not in data["config"]
    again = api.run(api.load(data["config"]), iterations=1)
    table = key_table(key(ex, "markdown"))
    for q in ex.asked:
        assert again.fmt(value(q, again.traced(1))).replace("-", MINUS) == table[answer_name(q, ex.run.names)]


def test_hand_mode_key_is_the_carried_calculation():
    ex = draws("mazur", 1, seed=8, carry=4)[0]
    data = yaml.safe_load(answers_yaml(ex))
    assert data["carry"] == 4 and list(data) == ["student", "variant", "config", "carry", "answers"]
    by_hand = api.run(api.load(data["config"]), iterations=1, carry=4)
    table = key_table(key(ex, "markdown"))
    for q in ex.asked:
        v = value(q, by_hand.traced(1))
        assert Decimal(table[answer_name(q, ex.run.names)].replace(MINUS, "-")) == Decimal(rounded(v, 4))
    assert by_hand.traced(1).carry == 4


# ---------------------------------------------------------------- what a worksheet shows


def forms(v: float, fmt) -> set[str]:
    shown = {rounded(v, p) for p in range(4, 10)} | {fmt(v)}
    return shown | {s.replace("-", MINUS) for s in shown}


@pytest.mark.parametrize(("config", "ask", "form"), [
    ("mazur", None, "markdown"), ("mazur", None, "html"), ("softmax", None, "latex"), ("minibatch", "all", "markdown"),
])
def test_no_worksheet_shows_any_of_its_answers(config, ask, form):
    for ex in draws(config, 2, seed=11, ask=ask):
        sheet = worksheet(ex, form)
        for q in ex.asked:
            v = ex.value(q)
            if v == 0:  # E_o of a 0 target under cross-entropy: 0 is no secret
                continue
            leaked = [s for s in forms(v, ex.run.fmt) if s in sheet]
            assert not leaked, (answer_name(q, ex.run.names), leaked)
        assert all(f"`{answer_name(q, ex.run.names)}`" in sheet or form != "markdown" for q in ex.asked)


def test_every_asked_line_of_the_key_is_marked():
    ex = draws("mazur", 1, seed=2)[0]
    text = key(ex, "markdown")
    for k, q in enumerate(ex.asked, 1):
        shown = ex.run.fmt(ex.value(q)).replace("-", MINUS)
        assert f"**▶ Blank {k}** (`{answer_name(q, ex.run.names)}`) = **{shown}**" in text


def test_a_batch_key_marks_each_sample_s_line():
    ex = draws("softmax", 1, seed=2, ask="all")[0]  # three samples, many E_o equal to 0
    marked = [int(k) for k in re.findall(r"▶ Blank (\d+)", key(ex, "markdown"))]
    unmarked = [answer_name(q, ex.run.names) for k, q in enumerate(ex.asked, 1) if k not in marked]
    assert len(marked) == len(set(marked)) and unmarked == ["E_total"]  # a batch's mean loss has no line of its own


# ---------------------------------------------------------------- the command


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_command_writes_every_file_reproducibly(workdir):
    for folder in ("a", "b"):
        result = invoke("mazur", "--variants", "3", "--seed", "7", "-o", folder)
        assert result.exit_code == 0, result.output
        assert "Wrote 3 variants to" in result.output and "Seed 7" in result.output
    names = sorted(p.name for p in (workdir / "a").iterdir())
    assert names == sorted(f"{kind}-{k}.{ext}" for k in (1, 2, 3)
                           for kind, ext in (("worksheet", "md"), ("answers", "yaml"), ("key", "md")))
    assert all((workdir / "a" / n).read_bytes() == (workdir / "b" / n).read_bytes() for n in names)
    assert invoke("mazur", "--variants", "3", "--seed", "8", "-o", "c").exit_code == 0
    assert (workdir / "c" / "answers-1.yaml").read_text() != (workdir / "a" / "answers-1.yaml").read_text()


def test_existing_files_are_refused_without_force(workdir):
    assert invoke("-o", "out").exit_code == 0
    before = (workdir / "out" / "key-1.md").read_text()
    refused = invoke("--variants", "1", "-o", "out")
    assert refused.exit_code == 2 and "already exist" in refused.output and "--force" in refused.output
    assert (workdir / "out" / "key-1.md").read_text() == before
    assert invoke("--variants", "1", "-o", "out", "--force").exit_code == 0
    assert (workdir / "out" / "key-1.md").read_text() != before
    assert not [p for p in (workdir / "out").iterdir() if p.name.startswith(".stepnet-")]


def test_own_numbers_without_variants(workdir):
    result = invoke("mazur", "--ask", "forward", "-o", "own")
    assert result.exit_code == 0 and "own numbers" in result.output
    data = yaml.safe_load((workdir / "own" / "answers-1.yaml").read_text())
    assert data["config"]["weights"]["h"] == [[0.15, 0.2], [0.25, 0.3]]
    assert list(data["answers"])[-1] == "E_total"


def test_html_and_latex_are_complete_documents(workdir):
    assert invoke("xor", "--ask", "forward", "--format", "html", "-o", "h").exit_code == 0
    assert invoke("mazur", "--variants", "1", "--format", "latex", "--carry", "4", "-o", "t").exit_code == 0
    for name in ("worksheet-1.tex", "key-1.tex"):
        tex = (workdir / "t" / name).read_text()
        assert tex.startswith("\\documentclass") and tex.count("\\begin{document}") == 1
        assert tex.rstrip().endswith("\\end{document}")
    html5lib = pytest.importorskip("html5lib", reason="html5lib is not installed: the pages are not parsed")
    for name in ("worksheet-1.html", "key-1.html"):
        page = (workdir / "h" / name).read_text()
        html5lib.HTMLParser(strict=True).parse(page)
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


@pytest.mark.parametrize(("args", "words"), [
    (["--ask", "forwrd"], "did you mean the group 'forward'"),
    (["--variants", "0"], "0 is not in the range"),
    (["--variants", "100000"], "100000 is not in the range"),
    (["--carry", "0"], "--carry"),
    (["-o", "afile/sub"], "is a file"),
    (["-o", "afile"], "is a file"),
])
def test_bad_command_lines_exit_2_with_a_message(workdir, args, words):
    (workdir / "afile").write_text("x")
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in workdir.iterdir()) == ["afile"]
