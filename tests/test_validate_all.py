"""``stepnet validate`` lists every independent error of a file; ``run`` names the first and says how many more.

The oracle for a file with several mistakes is the same file with each mistake alone:
every one of those single errors, and nothing else, must be listed.
"""

from __future__ import annotations

import itertools

import pytest
from click.testing import CliRunner

from invalid_configs import CLASSIC
from stepnet.cli import main
from stepnet.config.load import load_config, parse_config_text
from stepnet.errors import ConfigError, ConfigErrors, each_error

# Independent mistakes in the classic config: (what is written, what replaces it); none changes a line count.
MISTAKES = {
    "learning_rate": ("learning_rate: 0.5", "learning_rate: -1"),
    "loss": ("loss: half_sse ", "loss: half_ss  "),
    "train_biases": ("train_biases: false", "train_biases: yes"),
    "weight_o": ("  o: [[0.40, 0.45], [0.50, 0.55]]", "  o: [[0.40, 'x'], [0.50, 0.55]]"),
    "weight_h": ("  h: [[0.15, 0.20], [0.25, 0.30]]", "  h: [[0.15, 0.20], [0.25]]"),
    "biases": ("biases: {h: 0.35, o: 0.60}", "biases: {h: [0.35], o: 0.60}"),
    "targets": ("    targets: [0.01, 0.99]", "    targets: [0.01, 0.99, 0.5]"),
    "layer_activation": ("{name: h, size: 2, activation: sigmoid,", "{name: h, size: 2, activation: sigmod, "),
    "unknown_key": ("", "colour: red\n"),  # added at the end
}


def _with(*names: str) -> str:
    text = CLASSIC
    for name in names:
        old, new = MISTAKES[name]
        if not old:
            text += new
            continue
        assert text.count(old) == 1, name
        text = text.replace(old, new)
    return text


def _alone(name: str) -> ConfigError:
    """The one error the mistake gives on its own."""
    with pytest.raises(ConfigError) as info:
        parse_config_text(_with(name), "bad.yaml")
    assert not isinstance(info.value, ConfigErrors), name
    return info.value


def _one_line(error: ConfigError) -> str:
    text = f"{error.location()}: {error.key}: {error.message}"
    return text + (f" (hint: {error.hint})" if error.hint else "")


def _validate(tmp_path, text: str):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)], prog_name="stepnet")
    return path, result


def test_each_mistake_alone_is_one_error():
    for name in MISTAKES:
        assert _alone(name).line is not None


def test_the_config_without_mistakes_loads(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(CLASSIC, encoding="utf-8")
    assert load_config(path).name


SETS = [
    ("learning_rate", "loss"),
    ("weight_o", "weight_h"),  # two errors under one key
    ("train_biases", "targets", "unknown_key"),
    ("layer_activation", "weight_o", "learning_rate"),
    ("learning_rate", "loss", "weight_o", "targets", "unknown_key"),
    ("train_biases", "weight_h", "weight_o", "biases", "learning_rate"),
]


@pytest.mark.parametrize("names", SETS, ids=["+".join(s) for s in SETS])
def test_validate_lists_exactly_the_errors_of_each_mistake(tmp_path, names):
    path, result = _validate(tmp_path, _with(*names).replace("bad.yaml", str(tmp_path / "bad.yaml")))
    assert result.exit_code == 1
    expected = sorted((_alone(n) for n in names), key=lambda e: (e.line, e.column))
    lines = result.stdout.splitlines()
    assert lines[:-1] == [f"✗ {_one_line(e).replace('bad.yaml', str(path), 1)}" for e in expected]
    assert lines[-1] == f"  {len(names)} errors in {path}"


@pytest.mark.parametrize("names", SETS, ids=["+".join(s) for s in SETS])
def test_the_api_raises_every_error_and_reads_as_the_first(names):
    with pytest.raises(ConfigErrors) as info:
        parse_config_text(_with(*names), "bad.yaml")
    singles = [_alone(n) for n in names]
    got = {(e.line, e.column, e.key, e.message) for e in info.value.errors}
    assert got == {(e.line, e.column, e.key, e.message) for e in singles}
    assert len(info.value.errors) == len(names)
    first = min(singles, key=lambda e: (e.line, e.column))
    assert (info.value.line, info.value.key, info.value.message) == (first.line, first.key, first.message)
    assert each_error(info.value) == info.value.errors


def test_run_names_the_first_error_and_how_many_more(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(_with("learning_rate", "loss", "unknown_key"), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path)], prog_name="stepnet")
    assert result.exit_code == 1
    first = _alone("loss")  # before the learning rate and the key at the end
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: {path}:{first.line}:{first.column}: {first.key}: {first.message}"
    assert lines[-1] == f"  note: 2 more errors in this file; `stepnet validate {path}` lists them all"
    assert result.stdout == ""


def test_one_error_is_still_one_line(tmp_path):
    path, result = _validate(tmp_path, _with("loss"))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"✗ {_one_line(_alone('loss')).replace('bad.yaml', str(path), 1)}"]


def test_a_yaml_syntax_error_stops_everything_after_it(tmp_path):
    text = _with("learning_rate", "loss") + "data: [unclosed\n"
    _, result = _validate(tmp_path, text)
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1


def test_layers_that_cannot_be_read_skip_only_the_checks_that_need_them():
    text = (_with("layer_activation", "weight_o", "biases", "targets", "learning_rate")
            .replace("[[0.40, 'x'], [0.50, 0.55]]", "[[0.40, 'x', 1.5], [0.50, 0.55]]"))
    with pytest.raises(ConfigErrors) as info:
        parse_config_text(text, "bad.yaml")
    keys = [e.key for e in info.value.errors]
    # the layer, the non-number and the learning rate; not the row of 3 numbers, the bias list or
    # the 3 targets, which are wrong only for sizes and bias modes the broken layer list would give
    assert keys == ["layers[1].activation", "weights.o[0][1]", "learning_rate"]


def test_every_error_under_one_key_is_found():
    text = CLASSIC.replace("  - {name: o, size: 2, activation: sigmoid, bias: shared}",
                           "  - {name: o, size: -2, activation: sigmod, bias: shard}")
    with pytest.raises(ConfigErrors) as info:
        parse_config_text(text, "bad.yaml")
    assert [e.key for e in info.value.errors] == ["layers[2].size", "layers[2].activation", "layers[2].bias"]
    assert all(e.line == 6 for e in info.value.errors)


def test_every_sample_is_checked():
    samples = "".join(f"  - {{inputs: [0.05, {'x' if k % 2 else 0.1}], targets: [0.01, 0.99]}}\n" for k in range(6))
    text = CLASSIC.split("data:\n")[0] + "data:\n" + samples
    with pytest.raises(ConfigErrors) as info:
        parse_config_text(text, "bad.yaml")
    assert [e.key for e in info.value.errors] == [f"data[{k}].inputs[1]" for k in (1, 3, 5)]


def test_every_claim_is_resolved(tmp_path):
    text = CLASSIC + "claims:\n  out_o9: 0.5\n  out_o1: 0.75136507\n  dE_total/dw99: 0.1\n"
    first = CLASSIC.count("\n") + 2
    path, result = _validate(tmp_path, text)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[-1] == f"  2 errors in {path}"
    assert "claims.out_o9: unknown quantity 'out_o9'" in lines[0] and f"{path}:{first}:" in lines[0]
    assert "claims.dE_total/dw99: unknown quantity" in lines[1] and f"{path}:{first + 2}:" in lines[1]


def test_a_long_list_of_errors_is_cut_with_a_count(tmp_path):
    samples = "".join("  - {inputs: [x, 0.1], targets: [0.01, 0.99]}\n" for _ in range(130))
    path, result = _validate(tmp_path, CLASSIC.split("data:\n")[0] + "data:\n" + samples)
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert len(lines) == 102
    assert lines[-2:] == ["  and 30 more", f"  130 errors in {path}"]


def test_files_are_reported_one_after_another(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(CLASSIC, encoding="utf-8")
    bad.write_text(_with("learning_rate", "loss"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad), str(good)], prog_name="stepnet")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line[:2] for line in lines] == ["✗ ", "✗ ", "  ", "✓ "]


SIZED = {"weight_h", "biases", "targets"}  # wrong only against the layers, which layer_activation breaks


@pytest.mark.parametrize("pair", [p for p in itertools.combinations(MISTAKES, 2)
                                  if not ("layer_activation" in p and SIZED & set(p))])
def test_any_two_independent_mistakes_give_two_errors(pair):
    with pytest.raises(ConfigErrors) as info:
        parse_config_text(_with(*pair), "bad.yaml")
    assert len(info.value.errors) == 2


def test_checking_stops_after_a_thousand_errors_and_says_so(tmp_path):
    samples = "  - {inputs: [x, y], targets: [a, b]}\n" * 400  # 1,600 bad numbers
    text = CLASSIC.split("data:\n")[0] + "data:\n" + samples
    with pytest.raises(ConfigErrors) as info:
        parse_config_text(text, "bad.yaml")
    assert not info.value.complete and len(info.value.errors) == 1000
    assert "note: at least 999 more errors in this file; `stepnet validate bad.yaml` lists them\n" in \
        info.value.format() + "\n"
    path, result = _validate(tmp_path, text)
    assert result.stdout.splitlines()[-1] == f"  1,000 errors in {path} (checking stopped there: fix these first)"
