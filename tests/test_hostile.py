"""Hostile inputs and environments: FIFOs, devices, links, pipes, huge counts, escape sequences.

Each case must end in a clear message and the documented exit status (1 a bad config, 2
a bad command line), never an internal error (3), a hang, or a file destroyed.  These
run the installed command in a real process, since pipes, signals and devices behave
differently under click's test runner.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepnet.api import example
from stepnet.cli import main

STEPNET = [str(Path(sys.executable).parent / "stepnet")]
if not Path(STEPNET[0]).exists():  # pragma: no cover - an install without scripts
    STEPNET = [sys.executable, "-m", "stepnet"]

SMALL = """\
name: small
layers: [{name: i, size: 2}, {name: o, size: 1, activation: sigmoid}]
weights: {o: [[0.1, 0.2]]}
learning_rate: 0.5
data: [{inputs: [0.1, 0.2], targets: [0.5]}]
"""
ESC = "\x1b]0;PWNED\x07"


def stepnet(*args: str, cwd: Path | None = None, timeout: float = 30, stdin: str | None = None):
    return subprocess.run(
        STEPNET + list(args), capture_output=True, text=True, timeout=timeout, cwd=cwd,
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"},
    )


def assert_clear(done: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert done.returncode == code, (done.returncode, done.stdout[-500:], done.stderr)
    assert "Traceback" not in done.stderr
    said = done.stderr + done.stdout  # validate reports on standard output, one line per file
    for word in words:
        assert word in said, (word, said)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


# -- files that are not regular files ------------------------------------------------------


@pytest.mark.parametrize("command", [["run", "{}"], ["validate", "{}"], ["explain", "w1", "-c", "{}"]])
def test_a_fifo_as_the_config_is_refused_at_once(fifo, command):
    done = stepnet(*[str(fifo) if a == "{}" else a for a in command], timeout=20)
    assert_clear(done, 1, "named pipe (FIFO), not a regular file", "standard input")


def test_a_fifo_as_the_claims_file_is_refused_at_once(fifo, tmp_path):
    config = tmp_path / "small.yaml"
    config.write_text(SMALL, encoding="utf-8")
    done = stepnet("check", str(config), "--claims-file", str(fifo), timeout=20)
    assert_clear(done, 1, "named pipe (FIFO)")


def test_a_device_as_the_config_is_refused_not_read():
    done = stepnet("run", "/dev/zero", timeout=20)
    assert_clear(done, 1, "character device, not a regular file")
    assert "10,485,761" not in done.stderr


def test_the_config_from_standard_input():
    done = stepnet("run", "-", stdin=SMALL)
    assert done.returncode == 0, done.stderr
    assert "net_o1" in done.stdout


# -- where output goes ------------------------------------------------------------------------


def test_output_to_dev_null_writes_to_the_device(tmp_path):
    before = os.stat("/dev/null")
    done = stepnet("run", "mazur", "-o", "/dev/null")
    assert done.returncode == 0, done.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert done.stdout == ""


def test_output_to_a_fifo_writes_into_it(tmp_path, fifo):
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    done = stepnet("run", "mazur", "--format", "json", "-o", str(fifo))
    out, _ = reader.communicate(timeout=30)
    assert done.returncode == 0, done.stderr
    assert out.lstrip().startswith("{")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real.md"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target.name)
    done = stepnet("run", "mazur", "-o", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text(encoding="utf-8").startswith("#")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md"]


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "relative"])
def test_output_over_the_config_itself_is_refused(tmp_path, how):
    config = tmp_path / "my.yaml"
    config.write_text(SMALL, encoding="utf-8")
    out = {"same": config, "symlink": tmp_path / "alias.yaml", "hardlink": tmp_path / "second.yaml",
           "relative": Path("my.yaml")}[how]
    if how == "symlink":
        out.symlink_to(config)
    elif how == "hardlink":
        os.link(config, out)
    done = stepnet("run", str(config), "-o", str(out), "--format", "text", cwd=tmp_path)
    assert_clear(done, 2, "is the config being read")
    assert config.read_text(encoding="utf-8") == SMALL


def test_output_name_that_is_not_utf8(tmp_path):
    name = os.fsencode(tmp_path) + b"/run-\xff.md"
    done = subprocess.run([*STEPNET, "run", "mazur", "-o", os.fsdecode(name)], capture_output=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert os.path.exists(name)


# -- pipes and signals -------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["examples"], ["run", "mazur"], ["validate", "{mazur}"], ["schema"]])
def test_a_closed_pipe_ends_quietly(args):
    args = [str(example("mazur")) if a == "{mazur}" else a for a in args]
    proc = subprocess.Popen(STEPNET + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "100"})
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert code in (0, 141, -signal.SIGPIPE), (code, err)
    assert err == ""


# -- counts beyond any sensible size ---------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["run", "mazur", "--iterations", "100000000"], ["--iterations", "10000000"]),
    (["run", "mazur", "--epochs", "100000000"], ["--epochs", "10000000"]),
    (["run", "minibatch", "--epochs", "9000000"], ["--epochs", "27,000,000 updates", "at most 10,000,000"]),
    (["run", "mazur", "--trace", "²"], ["--trace"]),
    (["run", "mazur", "--trace", "1-²"], ["--trace"]),
    (["check", "mazur", "--tolerance", "-1"], ["--tolerance"]),
    (["check", "mazur", "--tolerance", "nan"], ["--tolerance"]),
])
def test_absurd_option_values_are_usage_errors(args, words):
    done = stepnet(*args, timeout=20)
    assert_clear(done, 2, *words)


# -- terminal safety ---------------------------------------------------------------------------


@pytest.mark.parametrize("yaml_text", [
    SMALL.replace("learning_rate: 0.5", 'learning_rate: "\\e]0;PWNED\\a"'),
    SMALL + '"\\e]0;PWNED\\a": 1\n',
    SMALL + '"two\\nlines": 1\n',
    SMALL.replace("name: small", 'name: "\\e[31mred"'),
    SMALL.replace("sigmoid", '"sig\\u202emoid"'),
])
@pytest.mark.parametrize("command", ["run", "validate"])
def test_control_characters_from_a_config_never_reach_the_terminal(tmp_path, yaml_text, command):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    done = stepnet(command, str(config))
    assert done.returncode == 1, (done.returncode, done.stderr)
    everything = done.stdout + done.stderr
    assert "\x1b" not in everything and "\x07" not in everything and "\u202e" not in everything
    assert len([line for line in done.stderr.splitlines() if line.strip() and "hint:" not in line]) <= 2, done.stderr


# -- claims that no command could answer -------------------------------------------------------


@pytest.mark.parametrize("claim, words", [
    ("bogus_o1: 0.5", ["claims.bogus_o1", "unknown quantity 'bogus_o1'"]),
    ("out_o1@2: 0.5", ["claims.out_o1@2", "names sample 2, but each batch has 1 sample", "drop the @N"]),
])
@pytest.mark.parametrize("command", [["validate"], ["check", "--claims"]])
def test_claims_are_checked_by_validate_as_check_would(tmp_path, claim, words, command):
    config = tmp_path / "claims.yaml"
    config.write_text(SMALL + "claims:\n  " + claim + "\n", encoding="utf-8")
    done = stepnet(command[0], str(config), *command[1:])
    assert_clear(done, 1, f"{config}:7:", *words)


# -- any value anywhere: a message and an exit status, never an internal error or a hang ------------

HOSTILE_SCALARS = st.one_of(
    st.sampled_from([10**12, 10**20, 10**400, 1e300, -1e308, 1e-320, 2**63, -(2**63), 5_000_001, 10_000_001]),
    st.sampled_from(["²", "1-²", "١٢", "٣.٥", "0x1", "0o7", "1e12", "1_000", ".inf", "-.inf", ".nan"]),
    st.sampled_from(["\x1b]0;PWNED\x07", "a\u202eb", "two\nlines", "\x00", "\x7f", "\ufeff", "𝟙𝟚"]),
    st.text(min_size=1, max_size=6),
    st.integers(),
    st.floats(),
)


@given(data=st.data())
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_hostile_values_anywhere_get_a_message(tmp_path, data):
    """A hostile value at any place of a config: exit 0, 1 or 2 with a message, within seconds."""
    tree = yaml.safe_load(SMALL + "iterations: 1\nbatch_size: 1\n")
    paths = [path for path, _ in _walk(tree)]
    path = data.draw(st.sampled_from(paths), label="path")
    _set(tree, path, data.draw(HOSTILE_SCALARS, label="value"))
    config = tmp_path / "hostile.yaml"
    config.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    for command in (["validate", str(config)], ["run", str(config), "-n", "1"]):
        started = time.monotonic()
        result = CliRunner().invoke(main, command)
        assert time.monotonic() - started < 20, (command, path)  # a hang, not a benchmark
        assert result.exit_code in (0, 1, 2), (command, path, result.output)
        assert "Traceback" not in result.output
        assert "\x1b" not in result.output and "\u202e" not in result.output


def _walk(value, prefix=()):
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield prefix + (key,), item
        yield from _walk(item, prefix + (key,))


def _set(tree, path, value):
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


# -- a diverging run: the first quantity that is not a number, in the order it was computed ----------

OVERFLOW = """\
layers: [{name: i, size: 2}, {name: o, size: 1, activation: identity}]
weights: {o: [[1e200, 1e200]]}
learning_rate: 0.5
data: [{inputs: [1e200, 1e200], targets: [0.01]}]
"""
DIVERGING = """\
layers: [{name: i, size: 2}, {name: h, size: 2, activation: identity}, {name: o, size: 1, activation: identity}]
weights: {h: [[0.15, 0.20], [0.25, 0.30]], o: [[0.40, 0.45]]}
learning_rate: 1e6
iterations: 5
data: [{inputs: [0.05, 0.10], targets: [0.01]}]
"""


@pytest.mark.parametrize("trace", ["first", "last"])
def test_an_overflowing_forward_pass_names_the_net_input_not_the_weight(tmp_path, trace):
    config = tmp_path / "overflow.yaml"
    config.write_text(OVERFLOW, encoding="utf-8")
    done = stepnet("run", str(config), "--trace", trace)
    assert_clear(done, 1, "Training diverged at iteration 1: net_o1 became inf")


@pytest.mark.parametrize("name", ["w1", "w5", "b1", "h1"])
def test_explain_at_the_diverging_iteration_reports_the_divergence(tmp_path, name):
    config = tmp_path / "diverging.yaml"
    config.write_text(DIVERGING, encoding="utf-8")
    done = stepnet("explain", name, "-c", str(config), "--iteration", "5")
    assert_clear(done, 1, "Training diverged at iteration 5:", "lower learning_rate")


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, -signal.SIGTERM)])
def test_a_signal_during_training_leaves_no_file(tmp_path, sig, code):
    out = tmp_path / "run.json"
    proc = subprocess.Popen(STEPNET + ["run", "mazur", "-n", "5000000", "-o", str(out)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)  # well into training: the loop takes about a minute
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, (proc.returncode, err)
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # neither the report nor a temporary file
    if sig == signal.SIGINT:
        assert "Interrupted after" in err and "nothing was written" in err


@pytest.mark.parametrize("option, name, closest", [("--only", "h99", "h1"), ("--params", "w999", "w1"),
                                                   ("--only", "h1-h99", "h1")])
def test_an_unknown_name_for_only_or_params_is_refused_with_the_closest(option, name, closest):
    result = CliRunner().invoke(main, ["run", "mazur", option, name])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}" in result.output
    assert f"did you mean '{closest}'?" in result.output


def test_only_takes_ranges(tmp_path):
    config = tmp_path / "wide.yaml"
    config.write_text("layers: [{name: i, size: 3}, {name: h, size: 64, activation: sigmoid},"
                      " {name: o, size: 2, activation: sigmoid}]\ninit: {method: xavier, seed: 1}\n"
                      "learning_rate: 0.5\ndata: [{inputs: [0.1, 0.2, 0.3], targets: [0.1, 0.9]}]\n", encoding="utf-8")
    shown = CliRunner().invoke(main, ["run", str(config), "--only", "h20-h22", "--width", "200"]).output
    for name in ("net_h20 =", "net_h21 =", "net_h22 ="):
        assert name in shown
    assert "net_h23 =" not in shown
