"""Every way the command line can fail: the exit status and the message, never a traceback.

Exit status: 1 a bad config, a failed check or diverged training; 2 a bad command line;
3 an internal error (one line asking for a bug report; the traceback only with --debug);
130 Ctrl-C.  A run writing to ``-o FILE`` either writes the whole file or leaves the old
one as it was, with no temporary file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepnet.api import example, example_names
from stepnet.cli import main

MAZUR = Path(example("mazur")).read_text(encoding="utf-8")
BUNDLED = {name: Path(example(name)).read_text(encoding="utf-8") for name in example_names()}  # read once

DIVERGING_IDENTITY = """\
layers:
  - {name: i, size: 2}
  - {name: h, size: 2, activation: identity}
  - {name: o, size: 1, activation: identity}
weights: {h: [[0.15, 0.20], [0.25, 0.30]], o: [[0.40, 0.45]]}
learning_rate: 1e6
data: [{inputs: [0.05, 0.10], targets: [0.01]}]
"""
DIVERGING_TANH = DIVERGING_IDENTITY.replace("size: 2, activation: identity", "size: 2, activation: tanh")
DIVERGING_RELU = DIVERGING_IDENTITY.replace("size: 2, activation: identity", "size: 2, activation: relu")


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env, prog_name="stepnet")


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return path.name


def assert_usage_error(result, *words: str):
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert "Error:" in result.stderr and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# ---------------------------------------------------------------- bad configs: exit 1


def test_config_error_names_file_line_column_key_and_hint(workdir):
    name = write(workdir / "bad.yaml", MAZUR.replace("activation: sigmoid, bias: shared}   #",
                                                     "activation: sigmod, bias: shared}   #"))
    result = invoke("run", name, "-o", "out.txt")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: bad.yaml:{line_of(MAZUR, '{name: h, size: 2')}:36: layers[1].activation: "
        "unknown activation 'sigmod' (did you mean 'sigmoid'?)\n"
        "  hint: expected one of: sigmoid, tanh, relu, leaky_relu, identity, softmax\n")
    assert sorted(p.name for p in workdir.iterdir()) == ["bad.yaml"]  # no output file, no temporary file


@pytest.mark.parametrize("command", [["run", "{}"], ["explain", "w1", "-c", "{}"], ["check", "{}"]])
def test_every_command_reports_a_config_error_the_same_way(workdir, command):
    name = write(workdir / "bad.yaml", MAZUR.replace("learning_rate: 0.5", "learning_rate: '0.5'"))
    result = invoke(*(arg.format(name) for arg in command))
    assert result.exit_code == 1 and result.stdout == ""
    first, hint = result.stderr.splitlines()
    assert first == (f"Error: bad.yaml:{line_of(MAZUR, 'learning_rate:')}:16: learning_rate: expected a number, "
                     "found the string '0.5'")
    assert hint == "  hint: remove the quotes: a quoted number is a string"


def test_missing_config_file(workdir):
    result = invoke("run", "nothere.yaml")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: nothere.yaml: no such file\n")
    assert "hint:" in result.stderr and "stepnet init" in result.stderr


def test_yaml_syntax_error(workdir):
    name = write(workdir / "broken.yaml", "layers: [\n  {name: i, size: 2}\nlearning_rate: 0.5\n")
    result = invoke("run", name)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: broken.yaml:3:")
    assert "could not parse YAML" in result.stderr


def test_missing_required_key(workdir):
    name = write(workdir / "short.yaml", MAZUR.replace("learning_rate: 0.5\n", ""))
    result = invoke("run", name)
    assert result.exit_code == 1
    assert "short.yaml:" in result.stderr and "missing required key 'learning_rate'" in result.stderr
    assert "hint: add learning_rate:" in result.stderr


def test_unknown_config_name_is_a_config_error():
    """Neither a file nor a bundled example: a missing config (exit 1), with the closest example."""
    result = invoke("run", "mazr")
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    for word in ("Error: mazr: no such file, and no bundled example of that name", "did you mean 'mazur'?",
                 "stepnet examples"):
        assert word in result.stderr, (word, result.stderr)


# ---------------------------------------------------------------- bad command lines: exit 2


@pytest.mark.parametrize("name, closest", [("w55", "w5"), ("hl", "h1"), ("o3", "o1"), ("b9", "b1")])
def test_explain_unknown_name_lists_the_valid_ones_and_the_closest(name, closest):
    result = invoke("explain", name)
    assert_usage_error(result, f"no parameter or neuron named '{name}'", f"did you mean '{closest}'",
                       "valid names: w1, w2, w3, w4, b1, w5, w6, w7, w8, b2, i1, i2, h1, h2, o1, o2")
    assert "Usage: stepnet explain [OPTIONS] NAME" in result.stderr


def test_explain_iteration_beyond_the_run(workdir):
    name = write(workdir / "three.yaml", MAZUR + "iterations: 3\n")
    assert invoke("explain", "w5", "-c", name, "--iteration", "3").exit_code == 0
    result = invoke("explain", "w5", "-c", name, "--iteration", "4")
    assert_usage_error(result, "--iteration", "iteration 4 is beyond the run", "three.yaml runs 3 iterations")


def test_check_iteration_beyond_the_run(workdir):
    name = write(workdir / "three.yaml", MAZUR + "iterations: 3\n")
    assert_usage_error(invoke("check", name, "--iteration", "9"), "iteration 9 is beyond the run")


@pytest.mark.parametrize("args, words", [
    (["run", "--precision", "-1"], ["--precision", "-1 is not in the range"]),
    (["explain", "w5", "--precision", "-1"], ["--precision"]),
    (["run", "--precision", "18"], ["--precision"]),
    (["run", "--sig", "0"], ["--sig"]),
    (["run", "--iteration", "2"], ["No such option", "--iterations"]),
    (["explain", "w5", "--iteration", "0"], ["--iteration"]),
    (["run", "--width", "10"], ["--width"]),
    (["run", "--format", "docx"], ["--format", "'docx' is not one of"]),
    (["run", "--trace", "7"], ["--trace", "'7' is not an iteration between 1 and 1"]),
    (["nosuchcommand"], ["No such command"]),
])
def test_bad_option_values(args, words):
    assert_usage_error(invoke(*args), *words)


@pytest.mark.parametrize("args, words", [
    (["run", "--iterations", "3", "--epochs", "2"], ["--iterations", "--epochs", "not both"]),
    (["run", "--precision", "4", "--sig", "3"], ["--precision", "--sig", "not both"]),
    (["explain", "w5", "--precision", "4", "--sig", "3"], ["--precision", "--sig", "not both"]),
])
def test_conflicting_options(args, words):
    assert_usage_error(invoke(*args), *words)


def test_output_into_a_missing_folder_is_refused_before_any_work(workdir, monkeypatch):
    import stepnet.api

    def no_work(*args, **kwargs):
        raise AssertionError("the run started before -o was checked")

    monkeypatch.setattr(stepnet.api, "run", no_work)
    for command in (["run"], ["explain", "w5"]):
        result = invoke(*command, "-o", "nofolder/out.txt")
        assert_usage_error(result, "-o/--output", "cannot write 'nofolder/out.txt'", "does not exist")
    assert list(workdir.iterdir()) == []


def test_output_check_comes_before_the_config_is_read(workdir):
    name = write(workdir / "bad.yaml", "layers: oops\n")
    assert_usage_error(invoke("run", name, "-o", "nofolder/out.txt"), "nofolder/out.txt")


def test_output_that_is_a_folder(workdir):
    (workdir / "adir").mkdir()
    assert_usage_error(invoke("run", "-o", "adir"), "'adir' is a directory")


def test_output_in_an_unwritable_folder(workdir, monkeypatch):
    locked = workdir / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root may write anywhere: make the folder look read-only
            real_access = os.access
            monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).endswith("locked")
                                else real_access(p, mode, **kw))
        result = invoke("run", "-o", "locked/out.txt")
        assert_usage_error(result, "-o/--output", "cannot write 'locked/out.txt'", "permission denied")
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


# ---------------------------------------------------------------- internal errors: exit 3


def _break_the_engine(monkeypatch):
    import stepnet.engine.training

    def broken(*args, **kwargs):
        raise ZeroDivisionError("an engine bug")

    monkeypatch.setattr(stepnet.engine.training.Network, "step", broken)


def test_internal_error_is_one_line_asking_for_a_bug_report(monkeypatch):
    _break_the_engine(monkeypatch)
    result = invoke("run")
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: internal error (ZeroDivisionError: an engine bug)")
    assert "bug" in lines[0] and "report" in lines[0] and "--debug" in lines[0]
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(monkeypatch):
    _break_the_engine(monkeypatch)
    result = invoke("--debug", "run")
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError: an engine bug" in result.stderr


# ---------------------------------------------------------------- diverging training: exit 1


@pytest.mark.parametrize("text", [DIVERGING_IDENTITY, DIVERGING_TANH, DIVERGING_RELU], ids=["identity", "tanh", "relu"])
def test_diverging_training_stops_with_the_output_so_far(workdir, text):
    name = write(workdir / "wild.yaml", text)
    result = invoke("run", name, "-n", "100")
    assert result.exit_code == 1
    assert "Iteration 1" in result.stdout  # what was computed before it diverged
    assert "Final loss" in result.stdout
    first, hint = result.stderr.splitlines()
    assert first.startswith("Error: Training diverged at iteration ")
    assert first.endswith(("became inf.", "became -inf.", "became nan.", "(sample 1 of the batch)."))
    named = first.split(": ", 2)[2].split(" became")[0]
    assert named[0] in "wbE" or named.startswith(("net_", "out_")), named  # a parameter or a neuron's quantity
    assert hint.startswith("  hint: lower learning_rate (it is ") and "wild.yaml" in hint
    assert "Traceback" not in result.output


def test_diverging_training_writes_no_file(workdir):
    name = write(workdir / "wild.yaml", DIVERGING_IDENTITY)
    write(workdir / "report.txt", "the old report\n")
    result = invoke("run", name, "-n", "20", "-o", "report.txt")
    assert result.exit_code == 1
    assert "nothing was written to report.txt" in result.stderr
    assert (workdir / "report.txt").read_text(encoding="utf-8") == "the old report\n"
    assert sorted(p.name for p in workdir.iterdir()) == ["report.txt", "wild.yaml"]


def test_explain_after_divergence(workdir):
    name = write(workdir / "wild.yaml", DIVERGING_IDENTITY)
    result = invoke("explain", "w1", "-c", name, "--iteration", "15")
    assert result.exit_code == 1
    assert "Training diverged at iteration" in result.stderr and "hint: lower learning_rate" in result.stderr


# ---------------------------------------------------------------- -o never leaves a partial file


def _old_report(workdir: Path) -> Path:
    target = workdir / "report.txt"
    target.write_text("the old report\n", encoding="utf-8")
    return target


def _assert_untouched(workdir: Path, target: Path) -> None:
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in workdir.iterdir()] == [target.name]  # no .stepnet-*.tmp left behind


def _fail_on_second_call(monkeypatch, owner, attribute: str, error: BaseException):
    original = getattr(owner, attribute)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, attribute, flaky)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_a_renderer_failing_midway_leaves_the_old_file(workdir, monkeypatch, fmt):
    from stepnet.render.terminal import TerminalRenderer

    if fmt == "markdown":
        pytest.importorskip("stepnet.render.markdown")
    target = _old_report(workdir)
    _fail_on_second_call(monkeypatch, TerminalRenderer, "line", RuntimeError("renderer bug"))
    import stepnet.render.json as json_renderer

    _fail_on_second_call(monkeypatch, json_renderer, "_num", RuntimeError("renderer bug"))
    import stepnet.derive.report as report

    _fail_on_second_call(monkeypatch, report, "_iteration", RuntimeError("renderer bug"))
    result = invoke("run", "-n", "2", "--format", fmt, "-o", "report.txt")
    assert result.exit_code == 3, result.stderr
    assert "renderer bug" in result.stderr
    _assert_untouched(workdir, target)


def test_ctrl_c_while_rendering_leaves_the_old_file(workdir, monkeypatch):
    from stepnet.render.terminal import TerminalRenderer

    target = _old_report(workdir)
    _fail_on_second_call(monkeypatch, TerminalRenderer, "line", KeyboardInterrupt())
    result = invoke("run", "-o", "report.txt")
    assert result.exit_code == 130
    _assert_untouched(workdir, target)


def test_a_failure_while_writing_leaves_the_old_file(workdir, monkeypatch):
    target = _old_report(workdir)

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = invoke("run", "-o", "report.txt")
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot write 'report.txt': No space left on device; nothing was written\n"
    _assert_untouched(workdir, target)


def test_ctrl_c_during_training_writes_no_file(workdir, monkeypatch):
    import stepnet.engine.training

    target = _old_report(workdir)
    _fail_on_second_call(monkeypatch, stepnet.engine.training.Network, "step", KeyboardInterrupt())
    result = invoke("run", "-n", "5", "-o", "report.txt")
    assert result.exit_code == 130
    assert "Interrupted after 1 iteration." in result.stderr and "nothing was written to report.txt" in result.stderr
    _assert_untouched(workdir, target)


def test_a_written_file_gets_normal_permissions(workdir):
    ok = invoke("run", "-o", "new.txt")
    assert ok.exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert (workdir / "new.txt").stat().st_mode & 0o777 == 0o666 & ~mask


# ---------------------------------------------------------------- no traceback, whatever the config


def _paths(value, prefix=()):
    """Every (path, value) in a parsed YAML tree, the root excluded."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield prefix + (key,), item
        yield from _paths(item, prefix + (key,))


def _parent(tree, path):
    for key in path[:-1]:
        tree = tree[key]
    return tree


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 40), st.integers(), st.sampled_from([0.0, -1.5, 1e308, 1e-320]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.one_of(st.integers(-2, 5), st.floats(-2, 2)), max_size=4),
    st.dictionaries(st.text(max_size=6), st.integers(0, 4), max_size=3),
)


def _mutate_tree(data, text: str) -> bytes:
    tree = yaml.safe_load(text)
    paths = list(_paths(tree))
    path, value = data.draw(st.sampled_from(paths), label="path")
    parent = _parent(tree, path)
    action = data.draw(st.sampled_from(["delete", "retype", "reshape"]), label="action")
    if action == "delete":
        del parent[path[-1]]
    elif action == "retype" or not isinstance(value, list):
        parent[path[-1]] = data.draw(ODD_VALUES, label="value")
    elif value and data.draw(st.booleans(), label="shorter"):
        value.pop()
    else:
        value.append(value[0] if value else 1)
    return yaml.safe_dump(tree, allow_unicode=True).encode("utf-8")


def _mutate_bytes(data, raw: bytes) -> bytes:
    at = data.draw(st.integers(0, len(raw)), label="at")
    if data.draw(st.booleans(), label="truncate"):
        return raw[:at]
    return raw[:at] + data.draw(st.binary(min_size=1, max_size=8), label="garbage") + raw[at:]


# each example is a whole `stepnet run` of a mutated config: a fifth of the profile's examples
@settings(max_examples=settings.default.max_examples // 5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_configs_never_crash(tmp_path_factory, data):
    name = data.draw(st.sampled_from(sorted(BUNDLED)), label="example")
    text = BUNDLED[name]
    if data.draw(st.booleans(), label="structural"):
        raw = _mutate_tree(data, text)
    else:
        raw = _mutate_bytes(data, text.encode("utf-8"))
    path = tmp_path_factory.mktemp("fuzz") / "mutated.yaml"
    path.write_bytes(raw)
    result = invoke("run", str(path), "-n", "2")
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr, raw)
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.stderr.startswith(("Error: ", "Usage: ")), result.stderr
