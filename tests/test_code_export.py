"""--format python: a run written out as a numpy program that recomputes it and checks itself.

Every bundled example is written out and run as its own process; hypothesis draws small
networks over every activation, loss, bias mode, optimizer and batch setting, whose scripts
run in this interpreter to keep the suite fast.  A script whose embedded numbers are tampered
with must fail, naming the quantity.  The scripts never import stepnet.  ``to_yaml`` is tested
here too, since it needs no torch.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import yaml
from hypothesis import assume, given

from exported import imported_modules, networks, run_in_process, run_subprocesses, tamper
from stepnet.api import example, example_names
from stepnet.api import run as stepnet_run
from stepnet.bridge import to_yaml
from stepnet.config.load import load_config, parse_config_text
from stepnet.engine.training import train
from stepnet.errors import UsageError
from stepnet.render.code.numpy_script import python_script


def _final_line(out: str) -> float:
    last = out.strip().splitlines()[-1]
    assert last.startswith("final loss: "), last
    return float(last.removeprefix("final loss: "))


@pytest.fixture(scope="module")
def example_runs():
    return {name: train(load_config(example(name))) for name in example_names()}


def test_every_bundled_example_runs_and_agrees(example_runs, tmp_path):
    paths = []
    for name, run in example_runs.items():
        path = tmp_path / f"{name}.py"
        path.write_text(python_script(run), encoding="utf-8")
        paths.append(path)
    for (name, run), (code, out, err) in zip(example_runs.items(), run_subprocesses(paths), strict=True):
        assert code == 0, f"{name}: {err}"
        lines = out.strip().splitlines()
        assert [line.split(":")[0] for line in lines[: run.done]] == [f"iteration {t}" for t in range(1, run.done + 1)]
        assert _final_line(out) == pytest.approx(run.final_loss, rel=1e-9)


def test_the_api_run_writes_the_same_script(example_runs):
    assert python_script(stepnet_run(example("minibatch"))) == python_script(example_runs["minibatch"])


def test_scripts_import_only_numpy_and_the_standard_library(example_runs):
    for name, run in example_runs.items():
        assert imported_modules(python_script(run)) == {"sys", "numpy"}, name


TAMPERED = [  # (example, the number changed, how the script names it)
    ("mazur", "w5", "dE_total/dw5 at iteration 1"),
    ("mazur", "b1", "dE_total/db1 at iteration 1"),
    ("mazur", "final loss", "final loss"),
    ("minibatch", "loss 2", "E_total at iteration 2"),
    ("softmax", "w3", "dE_total/dw3 at iteration 1"),
]


def test_a_tampered_expectation_fails_naming_the_quantity(example_runs, tmp_path):
    paths = []
    for k, (name, quantity, _) in enumerate(TAMPERED):
        source = python_script(example_runs[name])
        changed = tamper(source, quantity)
        assert changed != source
        paths.append(tmp_path / f"tampered{k}.py")
        paths[-1].write_text(changed, encoding="utf-8")
    for (name, quantity, named), (code, out, err) in zip(TAMPERED, run_subprocesses(paths), strict=True):
        assert code == 1, (name, quantity)
        assert err.startswith(f"differs from stepnet: {named}: "), err
        assert len(err.strip().splitlines()) == 1  # only the tampered number
        assert out.strip().splitlines()[-1].startswith("final loss: ")


def test_the_classic_example_reads_in_the_run_notation(example_runs):
    source = python_script(example_runs["mazur"])
    for line in (
        'net_h = X @ P["W_h"].T + P["b_h"]  # net_h1 = w1*i1 + w2*i2 + b1',
        "delta_o = dE_dout_o * dout_dnet_o  # delta_o1 = dE_total/dout_o1 * dout_o1/dnet_o1",
        'dE_dout_h = delta_o @ P["W_o"]  # dE_total/dout_h1 = delta_o1 * w5 + delta_o2 * w7',
        'TRAINED = ["W_h", "W_o"]  # the biases are not trained (train_biases: false)',
    ):
        assert line in source
    # the output layer's gradients come before the hidden layer's, as in the worked lines
    assert source.index('G["W_o"] =') < source.index('G["W_h"] =')


@given(networks())
def test_drawn_networks_reproduce_stepnet(tmp_path_factory, config):
    run = train(load_config(config))
    assume(run.divergence is None and np.isfinite(run.final_loss))
    source = python_script(run)
    assert imported_modules(source) == {"sys", "numpy"}
    code, out, err = run_in_process(source, tmp_path_factory.mktemp("drawn") / "run.py")
    assert code == 0, err
    assert _final_line(out) == pytest.approx(run.final_loss, rel=1e-9)


# ------------------------------------------------------------------ refusals


def test_hand_mode_is_refused():
    run = train(load_config(example("mazur")), carry=4)
    with pytest.raises(UsageError, match="hand mode"):
        python_script(run)


def test_a_diverged_run_is_refused():
    config = load_config(example("chain"))
    run = train(dataclasses.replace(config, learning_rate=50.0), iterations=200)
    assert run.divergence is not None
    with pytest.raises(UsageError, match="diverged at iteration"):
        python_script(run)


def test_a_run_too_long_to_list_is_refused():
    run = train(load_config(example("chain")))
    longer = dataclasses.replace(run, losses=np.full(10_001, 0.5))
    with pytest.raises(UsageError, match="10,001 iterations") as caught:
        python_script(longer)
    assert "--iterations 10000" in caught.value.hint


def test_a_network_too_large_to_list_is_refused():
    config = {"name": "wide",
              "layers": [{"name": "i", "size": 100}, {"name": "o", "size": 101, "activation": "sigmoid"}],
              "init": {"method": "xavier", "seed": 0}, "learning_rate": 0.1,
              "data": [{"inputs": [0.0] * 100, "targets": [0.5] * 101}]}
    with pytest.raises(UsageError, match="10,201 parameters"):
        python_script(train(load_config(config)))


# ------------------------------------------------------------------ to_yaml


@pytest.mark.parametrize("name", example_names())
def test_to_yaml_reads_back_to_the_same_run(name):
    document = yaml.safe_load(example(name).read_text(encoding="utf-8"))
    text = to_yaml(document)
    again, first = train(parse_config_text(text, "again.yaml")), train(load_config(example(name)))
    assert again.losses.tolist() == first.losses.tolist()
    assert again.final_loss == first.final_loss


def test_to_yaml_writes_short_lists_and_layers_on_one_line():
    text = to_yaml({"name": "n",
                    "layers": [{"name": "i", "size": 1}, {"name": "o", "size": 1, "activation": "identity"}],
                    "weights": {"o": [[0.1]]}, "learning_rate": 1e-8, "optimizer": {"name": "sgd"},
                    "data": [{"inputs": np.array([0.5]), "targets": (1.0,)}]})
    assert "  - {name: o, size: 1, activation: identity}\n" in text
    assert "  o:\n    - [0.1]\n" in text
    assert "  - {inputs: [0.5], targets: [1.0]}\n" in text
    assert "optimizer: {name: sgd}\n" in text
    assert parse_config_text(text).learning_rate == 1e-8


def test_the_command_line_writes_a_script_that_checks_itself(tmp_path):
    from click.testing import CliRunner

    from stepnet.cli import main

    script = tmp_path / "mazur.py"
    result = CliRunner().invoke(main, ["run", "mazur", "-o", str(script)])  # .py picks --format python
    assert result.exit_code == 0, result.output
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "final loss: 0.29102777369359933"


def test_explain_refuses_a_script_format():
    from click.testing import CliRunner

    from stepnet.cli import main

    result = CliRunner().invoke(main, ["explain", "w5", "--format", "python"])
    assert result.exit_code == 2
    assert "explain writes text, markdown, html, latex, json, not python" in result.output
