"""Config files stepnet writes: `init`'s starter data, and the `$schema` line of `examples NAME` copies."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

import stepnet
from stepnet.cli import main
from stepnet.config.load import load_config, parse_config_text, schema_text
from stepnet.config.starter import SAMPLES, starter_config

SCHEMA_LINE = "# yaml-language-server: $schema="


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="stepnet")


# -- init: targets that differ from sample to sample -------------------------------------------------


@pytest.mark.parametrize("sizes", [(2, 2), (2, 3, 2), (4, 5, 3), (3, 4), (2, 2, 6)])
def test_cross_entropy_starter_samples_are_of_different_classes(sizes):
    cfg = parse_config_text(starter_config(sizes, loss="cross_entropy"), "starter.yaml")
    classes = [sample.targets.index(1.0) for sample in cfg.data]
    for sample in cfg.data:
        assert sorted(sample.targets) == [0.0] * (sizes[-1] - 1) + [1.0]  # one-hot
    assert len(set(classes)) == min(len(cfg.data), sizes[-1])  # as many classes as the samples can cover
    run = stepnet.run(cfg)
    assert run.final_loss > 0 and run.iterations[0].value("E_total") > 0


@pytest.mark.parametrize("sizes", [(2, 1), (2, 3, 1), (3, 2, 4)])
def test_binary_cross_entropy_starter_targets_mix_zeros_and_ones(sizes):
    cfg = parse_config_text(starter_config(sizes, loss="binary_cross_entropy"), "starter.yaml")
    assert len(cfg.data) == SAMPLES
    for output in range(sizes[-1]):
        column = {sample.targets[output] for sample in cfg.data}
        assert column == {0.0, 1.0}, output  # each output sees both labels
    assert all(set(sample.targets) <= {0.0, 1.0} for sample in cfg.data)
    stepnet.run(cfg)


def test_other_losses_keep_made_up_targets_between_0_and_1():
    cfg = parse_config_text(starter_config((2, 2, 2)), "starter.yaml")
    targets = [t for sample in cfg.data for t in sample.targets]
    assert all(0 < t < 1 for t in targets) and len(set(targets)) == len(targets)


def test_init_cross_entropy_file_loads_and_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _invoke("init", "my.yaml", "--layers", "2,3,3", "--loss", "cross_entropy")
    assert result.exit_code == 0, result.stderr
    cfg = load_config("my.yaml")
    assert [s.targets for s in cfg.data] == [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0)]
    assert _invoke("run", "my.yaml").exit_code == 0


# -- the $schema line of a copy names a file that exists -----------------------------------------


def test_init_writes_the_schema_its_first_line_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _invoke("init", "my.yaml")
    assert result.exit_code == 0, result.stderr
    first = (tmp_path / "my.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == SCHEMA_LINE + "stepnet.schema.json"
    assert (tmp_path / "stepnet.schema.json").read_text(encoding="utf-8") == schema_text()
    assert "Wrote stepnet.schema.json" in result.stderr


def test_an_existing_schema_file_is_left_as_it_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stepnet.schema.json").write_text("{}\n", encoding="utf-8")
    assert _invoke("examples", "mazur", "-o", "my.yaml").exit_code == 0
    assert (tmp_path / "stepnet.schema.json").read_text(encoding="utf-8") == "{}\n"


@pytest.mark.parametrize("name", stepnet.example_names())
def test_an_example_written_with_o_names_a_schema_beside_it(tmp_path, name):
    copy = tmp_path / "sub" / f"{name}-copy.yaml"
    copy.parent.mkdir()
    result = _invoke("examples", name, "-o", str(copy))
    assert result.exit_code == 0, result.stderr
    text = copy.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith(SCHEMA_LINE)
    schema = copy.parent / first.removeprefix(SCHEMA_LINE)  # resolved as the language server does: beside the file
    assert schema.is_file()
    assert json.loads(schema.read_text(encoding="utf-8")) == json.loads(schema_text())
    # the copy is the example: the same config, the same numbers
    original = stepnet.example(name)
    assert yaml.safe_load(text) == yaml.safe_load(original.read_text(encoding="utf-8"))
    assert load_config(copy).weights == load_config(original).weights


def test_an_example_on_standard_output_says_how_to_make_the_schema_it_names():
    result = _invoke("examples", "mazur")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == SCHEMA_LINE + "stepnet.schema.json"
    assert "`stepnet schema -o stepnet.schema.json`" in lines[1]
    original = stepnet.example("mazur").read_text(encoding="utf-8").splitlines()
    assert lines[2:] == original[1:]


def test_examples_o_without_a_name_is_a_usage_error(tmp_path):
    result = _invoke("examples", "-o", str(tmp_path / "x.yaml"))
    assert result.exit_code == 2
    assert "name it" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_schema_o_writes_the_schema(tmp_path):
    target = tmp_path / "stepnet.schema.json"
    result = _invoke("schema", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == schema_text()
    assert json.loads(target.read_text(encoding="utf-8"))["type"] == "object"
