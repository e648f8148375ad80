"""The command line: every command and its main options, through click's CliRunner.

The golden files hold the full terminal output at width 100; regenerate them with
``pytest --update-goldens`` and review the diff line by line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import stepnet
from stepnet.api import example, example_names
from stepnet.cli import main
from stepnet.config.load import load_config
from stepnet.config.model import ACTIVATION_NAMES as ACTIVATIONS
from stepnet.config.model import LOSS_NAMES as LOSSES
from stepnet.config.starter import HIDDEN_ACTIVATIONS

ANSI = re.compile(r"\x1b\[")
MAZUR = str(example("mazur"))


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, prog_name="stepnet")


def ok(*args: str, env: dict | None = None):
    result = invoke(*args, env=env)
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result


# ---------------------------------------------------------------- run


def test_run_default_example_is_the_classic_network():
    out = ok("run").stdout
    assert "A step by step backpropagation example" in out
    assert "Iteration 1, loss before the update 0.298371109" in out
    for number in ("0.3775", "0.593269992", "0.751365070", "0.138498562", "0.008771355", "0.082167041",
                   "0.000438568", "0.358916480"):
        assert number in out
    assert "E_total after the update: 0.291027774 (before: 0.298371109)" in out


def test_run_by_name_and_by_path_give_the_same_output(tmp_path):
    default = ok("run").stdout
    assert ok("run", "mazur").stdout == default
    assert ok("run", MAZUR).stdout == default
    copy = tmp_path / "copy.yaml"
    copy.write_text(Path(MAZUR).read_text(encoding="utf-8"), encoding="utf-8")
    assert ok("run", str(copy)).stdout == default


def _json(*args: str) -> dict:
    return json.loads(ok("run", *args, "--format", "json").stdout)


def test_run_iterations():
    data = _json("mazur", "--iterations", "3")
    assert [it["iteration"] for it in data["iterations"]] == [1, 2, 3]
    assert len(data["losses"]) == 3
    assert data["losses"] == sorted(data["losses"], reverse=True)
    assert "Iteration 3" in ok("run", "-n", "3").stdout


def test_run_epochs_counts_batches():
    cfg = load_config(example("minibatch"))
    per_epoch = -(-len(cfg.data) // cfg.effective_batch_size)
    data = _json("minibatch", "--epochs", "2")
    assert len(data["losses"]) == 2 * per_epoch


def test_run_trace_picks_iterations():
    data = _json("mazur", "-n", "6", "--trace", "2,4-5")
    assert [it["iteration"] for it in data["iterations"]] == [2, 4, 5]
    out = ok("run", "-n", "6", "--trace", "last").stdout
    assert "Iteration 6" in out and "Iteration 1," not in out


def test_run_json_contract():
    data = _json()
    assert {"iterations", "losses", "final"} <= set(data)
    it = data["iterations"][0]
    assert {"iteration", "loss", "samples", "parameters"} <= set(it)
    assert it["iteration"] == 1
    sample = it["samples"][0]
    assert {"inputs", "targets", "loss", "nodes"} <= set(sample)
    assert sample["inputs"] == [0.05, 0.1] and sample["targets"] == [0.01, 0.99]
    for node in sample["nodes"]:
        assert {"name", "layer", "net", "out", "delta"} <= set(node)
    nodes = {n["name"]: n for n in sample["nodes"]}
    assert nodes["h1"]["layer"] == "h" and nodes["h1"]["net"] == pytest.approx(0.3775, abs=1e-15)
    for p in it["parameters"]:
        assert {"name", "kind", "layer", "to", "value", "gradient", "updated"} <= set(p)
        if p["kind"] == "weight":
            assert "from" in p
    w5 = next(p for p in it["parameters"] if p["name"] == "w5")
    assert (w5["kind"], w5["layer"], w5["from"]) == ("weight", "o", "h1")
    assert w5["to"] in ("o1", ["o1"])
    final = data["final"]
    assert {"loss", "samples"} <= set(final)
    assert {"inputs", "targets", "outputs"} <= set(final["samples"][0])


def test_run_json_floats_are_full_precision():
    data = _json()
    run = stepnet.run("mazur")
    assert data["iterations"][0]["loss"] == run.losses[0]  # exactly: repr round-trips
    assert data["final"]["loss"] == run.final_loss
    w5 = next(p for p in data["iterations"][0]["parameters"] if p["name"] == "w5")
    assert w5["gradient"] == run.iterations[0].parameter("w5").gradient
    assert len(repr(w5["gradient"])) > 12  # more digits than the 9 places shown


def test_run_markdown():
    pytest.importorskip("stepnet.render.markdown")
    out = ok("run", "--format", "markdown").stdout
    assert "0.082167041" in out
    assert "$" in out or "```math" in out


def test_run_output_file(tmp_path):
    target = tmp_path / "report.txt"
    result = ok("run", "-o", str(target))
    assert result.stdout == ""
    assert f"Wrote {target}" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert "0.358916480" in text
    assert not ANSI.search(text)
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_run_output_file_json(tmp_path):
    target = tmp_path / "trace.json"
    ok("run", "--format", "json", "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["iterations"][0]["iteration"] == 1


def test_run_precision_and_sig():
    assert "0.593270" in ok("run", "--precision", "6").stdout
    assert "0.5933" in ok("run", "--sig", "4").stdout


def test_run_every_bundled_example():
    for name in example_names():
        ok("run", name, "-n", "2")


# ---------------------------------------------------------------- explain


@pytest.mark.parametrize("name, title, value", [
    ("w5", "∂E_total/∂w5 at iteration 1", "0.082167041"),
    ("w1", "∂E_total/∂w1 at iteration 1", "0.000438568"),
    ("b1", "∂E_total/∂b1 at iteration 1", "0.018725609"),
    ("h1", "h1 at iteration 1", "0.008771355"),
])
def test_explain(name, title, value):
    out = ok("explain", name).stdout
    assert out.splitlines()[0].strip() == title
    assert value in out


@pytest.mark.parametrize("alias", ["w(2)_11", "h1->o1", "W5", "h1 → o1"])
def test_explain_other_names_of_w5(alias):
    assert ok("explain", alias).stdout == ok("explain", "w5").stdout


def test_explain_with_config_and_iteration():
    out = ok("explain", "w5", "-c", MAZUR, "--iteration", "2").stdout
    assert "∂E_total/∂w5 at iteration 2" in out
    assert "0.358916480" in out  # w5 after the first update is where iteration 2 starts


def test_explain_json_and_file(tmp_path):
    data = json.loads(ok("explain", "w5", "--format", "json").stdout)
    assert data["explain"] == "w5" and data["iteration"]["iteration"] == 1
    target = tmp_path / "w5.txt"
    ok("explain", "w5", "-o", str(target))
    assert "0.082167041" in target.read_text(encoding="utf-8")


def test_explain_no_check_skips_the_check():
    assert "Check" in ok("explain", "w5").stdout
    assert "sympy" not in ok("explain", "w5", "--no-check").stdout


# ---------------------------------------------------------------- the other commands


def test_check():
    out = ok("check").stdout
    assert "All 10 gradients agree with central finite differences" in out
    assert "DIFFERS" not in out


def test_check_another_example_and_iteration():
    assert "gradients at iteration 3" in ok("check", "xor", "--iteration", "3").stdout


def test_examples_lists_every_bundled_config():
    lines = ok("examples").stdout.splitlines()
    assert [line.split()[0] for line in lines] == example_names()
    assert any(line.startswith("mazur") and "2-2-2" in line for line in lines)


def test_examples_name_prints_the_file():
    """The bundled file, its schema line pointing at a file `stepnet schema -o` writes beside the copy."""
    printed = ok("examples", "mazur").stdout.splitlines(keepends=True)
    original = Path(MAZUR).read_text(encoding="utf-8").splitlines(keepends=True)
    assert printed[0] == "# yaml-language-server: $schema=stepnet.schema.json\n"
    assert "stepnet schema -o stepnet.schema.json" in printed[1]
    assert printed[2:] == original[1:]


def test_validate_good_and_bad(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(MAZUR).read_text(encoding="utf-8").replace("learning_rate: 0.5", "learning_rate: -1"),
                   encoding="utf-8")
    good = ok("validate", MAZUR)
    assert good.stdout == f"✓ {MAZUR}: A step by step backpropagation example (2-2-2)\n"
    result = invoke("validate", MAZUR, str(bad), str(tmp_path / "missing.yaml"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # one line per file, hints included
    assert lines[0].startswith("✓ ")
    assert lines[1].startswith(f"✗ {bad}:") and "learning_rate: expected a number greater than 0" in lines[1]
    assert lines[2].startswith("✗ ") and "no such file" in lines[2] and "stepnet init" in lines[2]


def test_schema_is_valid_json():
    schema = json.loads(ok("schema").stdout)
    assert schema["type"] == "object"
    assert {"layers", "learning_rate", "data"} <= set(schema["properties"])


def test_version():
    assert ok("--version").stdout.strip() == f"stepnet, version {stepnet.__version__}"
    assert ok("-V").stdout == ok("--version").stdout


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help_has_an_example(command):
    args = ["--help"] if command is None else [command, "--help"]
    out = ok(*args).stdout
    assert "Example" in out
    assert ok(*args[:-1], "-h").stdout == out


def test_output_options_reach_a_command_as_one_object():
    import click

    from stepnet.cli.options import OutputOptions, output_options

    seen = []

    @click.command()
    @click.option("--name")
    @output_options
    def command(name, out):
        seen.append((name, out))

    result = CliRunner().invoke(command, ["--name", "x", "--format", "json", "--sig", "4", "--ascii", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert seen == [("x", OutputOptions(format="json", sig=4, ascii_only=True))]


# ---------------------------------------------------------------- init


def test_init_writes_stepnet_yaml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = ok("init")
    assert "Wrote stepnet.yaml" in result.stderr and "stepnet run stepnet.yaml" in result.stderr
    text = (tmp_path / "stepnet.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=stepnet.schema.json\n")
    assert "stepnet schema > stepnet.schema.json" in text
    assert "made-up" in text
    cfg = load_config(tmp_path / "stepnet.yaml")
    assert [layer.size for layer in cfg.layers] == [2, 2, 2]
    ok("run", "stepnet.yaml")


def test_init_explains_every_key():
    text = ok("init", "-").stdout
    for key in ("layers", "activation", "bias", "weights", "init", "biases", "train_biases", "loss",
                "learning_rate", "optimizer", "data", "batch_size", "shuffle", "iterations", "notation", "claims"):
        assert re.search(rf"^#? ?\s*{key}:|{key}:", text, re.M), key
    for word in (*ACTIVATIONS, *LOSSES, "per_neuron", "shared", "none", "sgd", "momentum", "adam"):
        assert word in text, word
    for optional in ("optimizer", "batch_size", "shuffle", "iterations", "notation", "claims"):
        assert re.search(rf"^# {optional}:", text, re.M), f"{optional} should be shown commented out"


def test_init_refuses_to_overwrite(tmp_path):
    target = tmp_path / "mine.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    result = invoke("init", str(target))
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"
    ok("init", str(target), "--force")
    load_config(target)


def test_init_to_stdout_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = ok("init", "-", "--layers", "2,3,1").stdout
    assert list(tmp_path.iterdir()) == []
    assert "size: 3" in out


def test_init_choices_match_the_config_format():
    assert set(HIDDEN_ACTIVATIONS) == set(ACTIVATIONS) - {"softmax"}


SHAPES = ["2,2,2", "2,3,1", "3,4,3,2", "1,1", "10,12,4"]  # the last is too large to list: a seeded init


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_init_every_combination_loads_and_runs(tmp_path, activation, loss):
    for shape in SHAPES:
        target = tmp_path / f"{shape.replace(',', '-')}.yaml"
        sizes = [int(s) for s in shape.split(",")]
        result = invoke("init", str(target), "--layers", shape, "--activation", activation, "--loss", loss)
        if loss == "cross_entropy" and sizes[-1] < 2:
            assert result.exit_code == 2 and "binary_cross_entropy" in result.stderr
            assert not target.exists()
            continue
        assert result.exit_code == 0, result.stderr
        cfg = load_config(target)
        assert [layer.size for layer in cfg.layers] == sizes
        assert all(layer.activation == activation for layer in cfg.layers[1:-1])
        assert cfg.output_layer.activation == ("softmax" if loss == "cross_entropy" else "sigmoid")
        assert cfg.loss == loss and len(cfg.data) == 2
        assert (cfg.init is None) == (shape != "10,12,4")
        # `stepnet run FILE -n 2` succeeding, through the API: rendering is covered by the goldens
        run = stepnet.run(cfg, 2)
        assert run.trace.done == 2 and run.trace.divergence is None and not run.trace.interrupted
        assert len(run.report().iterations) == 2


@pytest.mark.parametrize("layers", ["2", "2,x", "2,0,1", "", "2,,1"])
def test_init_bad_layers(layers):
    result = invoke("init", "-", "--layers", layers)
    assert result.exit_code == 2
    assert "--layers" in result.stderr and result.stdout == ""


# ---------------------------------------------------------------- colour and width


def test_piped_output_has_no_ansi_codes():
    for args in (["run"], ["explain", "w5"], ["check"], ["run", "--no-color"]):
        assert not ANSI.search(ok(*args).output)


def _in_a_terminal(args: list[str], **env: str) -> str:
    """Run stepnet with a pseudo-terminal as stdout and stderr, as a user at a terminal would."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS")}
    environ.update(TERM="xterm-256color", **env)
    proc = subprocess.Popen([sys.executable, "-m", "stepnet.cli", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=environ, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_in_a_terminal_and_its_switches():
    assert ANSI.search(_in_a_terminal(["run", "--width", "100"]))  # the control: a terminal gets colour
    assert not ANSI.search(_in_a_terminal(["run", "--width", "100"], NO_COLOR="1"))
    assert not ANSI.search(_in_a_terminal(["run", "--width", "100", "--no-color"]))
    assert not ANSI.search(_in_a_terminal(["explain", "w5", "--width", "100", "--no-color"]))


@pytest.mark.parametrize("width", [60, 100, 140])
def test_width(width):
    lines = ok("run", "--width", str(width)).stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    rules = [line for line in lines if line.startswith("═")]
    assert rules and all(len(line) == width for line in rules)


def test_width_of_a_text_file(tmp_path):
    target = tmp_path / "narrow.txt"
    ok("run", "--width", "60", "-o", str(target))
    assert max(len(line) for line in target.read_text(encoding="utf-8").splitlines()) <= 60


# ---------------------------------------------------------------- golden files


def test_golden_run_mazur(golden):
    golden("run_mazur.txt", ok("run", "--width", "100").stdout)


@pytest.mark.parametrize("name", ["w5", "w1", "b1"])
def test_golden_explain(golden, name):
    golden(f"explain_{name}.txt", ok("explain", name, "--width", "100").stdout)


# ---------------------------------------------------------------- shell completion


def _complete(words: str) -> list[str]:
    env = {"_STEPNET_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    return ok(env=env).stdout.split()


def test_completion_of_commands_examples_and_names():
    assert "plain,init" in _complete("stepnet i")
    assert _complete("stepnet run x") == ["plain,xor"]
    assert _complete("stepnet run ./my") == ["file,./my"]  # not a bundled example: the shell completes file names
    assert _complete("stepnet explain w") == [f"plain,w{k}" for k in range(1, 9)]
    assert _complete("stepnet explain -c xor b") == [f"plain,b{k}" for k in range(1, 5)]


@pytest.mark.parametrize("command", [["run"], ["explain", "w5"]])
def test_width_and_ascii_apply_to_files_too(tmp_path, command):
    target = tmp_path / "out.txt"
    ok(*command, "--width", "60", "--ascii", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "dE_total/dw5" in text  # the ASCII printer was used (tables still draw boxes: see the report)
