"""The Python API's own promises: one type per idea, errors that are stepnet's own."""

from __future__ import annotations

import click
import pytest

import stepnet
from stepnet.derive.limits import Limits
from stepnet.engine.trace import IterationTrace, RunTrace
from stepnet.errors import ConfigError, StepnetError, UsageError


def test_iteration_by_number_is_the_same_type_as_by_position():
    run = stepnet.run("mazur", 3)
    assert isinstance(run.trace, RunTrace)
    for i, it in enumerate(run.iterations):
        by_number = run.iteration(it.number)
        assert type(by_number) is type(it)
        assert by_number.trace is it.trace
        assert run.iteration(i + 1).parameter("w5") == it.parameter("w5")
    assert isinstance(run.traced(2), IterationTrace)


def test_an_iteration_that_was_not_traced_is_a_usage_error():
    run = stepnet.run("mazur", 30)  # traces the first and the last
    with pytest.raises(UsageError, match="was run but not traced"):
        run.iteration(5)
    with pytest.raises(UsageError, match="outside this run"):
        run.iteration(31)


def _refusal(call) -> StepnetError:
    """What ``call`` raises: it must be one of stepnet's own errors, never click's or a bare Python one."""
    with pytest.raises(Exception) as info:
        call()
    assert isinstance(info.value, StepnetError), f"{type(info.value).__module__}.{type(info.value).__name__}"
    assert not isinstance(info.value, click.ClickException)
    return info.value


@pytest.fixture(scope="module")
def mazur_run():
    return stepnet.run("mazur", 3)


@pytest.mark.parametrize("kwargs, words", [
    ({"trace": "1,x"}, "'x' is not an iteration"),
    ({"trace": "0"}, "'0' is not an iteration"),
    ({"trace": 5}, "trace must be a string"),
    ({"iterations": 0}, "iterations must be a whole number from 1"),
    ({"iterations": 2.5}, "iterations must be a whole number"),
    ({"iterations": "3"}, "iterations must be a whole number"),
    ({"epochs": -1}, "epochs must be a whole number from 1"),
    ({"epochs": 9_000_000}, "stepnet makes at most 10,000,000"),
    ({"iterations": 2, "epochs": 1}, "not both"),
    ({"carry": -1}, "carry (decimal places kept at every step) must be a whole number from 0 to 15, not -1"),
    ({"carry": 16}, "from 0 to 15, not 16"),
    ({"carry": True}, "not True"),
    ({"precision": 18}, "precision (decimal places shown) must be a whole number from 0 to 17"),
    ({"sig": 0}, "sig (significant digits shown) must be a whole number from 1 to 17"),
])
def test_bad_arguments_to_run_are_usage_errors(kwargs, words):
    error = _refusal(lambda: stepnet.run("minibatch", **kwargs))
    assert isinstance(error, UsageError)
    assert words in error.message


@pytest.mark.parametrize("call, words, hint", [
    (lambda r: r.explain("w55"), "no parameter or neuron named 'w55'", "did you mean 'w5'?"),
    (lambda r: r.explain(5), "named by a string, such as 'w5', not int", None),
    (lambda r: r.explain("w5", iteration=7), "iteration 7 is outside this run (1 to 3)",
     "traced iterations: 1, 2, 3"),
    (lambda r: r.explain("w5", iteration=0), "iteration 0 is outside this run", None),
    (lambda r: r.iteration("2"), "an iteration is a whole number, not '2'", None),
    (lambda r: r.iteration(True), "an iteration is a whole number, not True", None),
    (lambda r: r.explain("w5", view="matrx"), "unknown view 'matrx'", "did you mean 'matrix'?"),
    (lambda r: r.report(view="vector"), "unknown view 'vector'", "expected one of: scalar, matrix"),
    (lambda r: r.to_markdown(flavor="gitlub"), "unknown Markdown flavor 'gitlub'", "did you mean 'github'?"),
    (lambda r: r.explain("w5", check=False).to_markdown("mathjax"), "unknown Markdown flavor 'mathjax'",
     "github, jekyll, jupyter"),
    (lambda r: r.to_text(width=-5), "width (characters per line) must be a whole number from 40 to 1,000", None),
    (lambda r: r.to_text(limits={"params": 3}), "limits must be a stepnet.derive.limits.Limits, not dict", "Limits("),
    (lambda r: r.report(limits=Limits(only=frozenset({"w55"}))), "limits.only: no parameter or neuron named 'w55'",
     "did you mean 'w5'?"),
    (lambda r: r.report(limits=Limits(only=frozenset({"w5-w1"}))), "'w5-w1' runs backwards", None),
    (lambda r: r.report(limits=Limits(only="w5")), "a set of names", None),
    (lambda r: r.report(limits=Limits(params=-1)), "limits.params must be a whole number of at least 0", None),
    (lambda r: r.iterations[0].parameter("h1"), "'h1' is a neuron, not a parameter", None),
    (lambda r: r.iterations[0].neuron("w5"), "'w5' is a parameter, not a neuron", None),
    (lambda r: r.iterations[0].value("out_o3"), "unknown quantity 'out_o3'", "quantity names:"),
])
def test_bad_arguments_to_a_run_are_usage_errors(mazur_run, call, words, hint):
    error = _refusal(lambda: call(mazur_run))
    assert isinstance(error, UsageError)
    assert words in error.message
    if hint:
        assert hint in error.hint


def test_limits_names_are_read_in_any_case_and_as_ranges(mazur_run):
    report = mazur_run.report(limits=Limits(params=1, only=frozenset({"W5", "w1-w3", "H1"})))
    assert report is not None


@pytest.mark.parametrize("source, cls, words", [
    (5, UsageError, "a config is a path, a bundled example's name, a mapping or a NetworkConfig, not int"),
    ("mazr", ConfigError, "no bundled example of that name"),
    ({"layers": 3}, ConfigError, "expected a list of layers"),
])
def test_bad_configs_given_to_load_are_stepnet_errors(source, cls, words):
    error = _refusal(lambda: stepnet.load(source))
    assert isinstance(error, cls)
    assert words in error.format()


def test_an_unknown_example_is_a_usage_error_naming_the_closest():
    error = _refusal(lambda: stepnet.example("mazr"))
    assert "did you mean 'mazur'?" in error.hint


@pytest.mark.parametrize("value, words", [
    (5, "to_yaml writes a config mapping, not int"),
    ({"data": [object()]}, "cannot be written as YAML"),
])
def test_to_yaml_refuses_what_is_not_a_config(value, words):
    error = _refusal(lambda: stepnet.to_yaml(value))
    assert isinstance(error, UsageError)
    assert words in error.message


def test_from_torch_refuses_what_is_not_a_sequential():
    pytest.importorskip("torch")
    error = _refusal(lambda: stepnet.from_torch(5, [[0.0]], [[0.0]]))
    assert "torch.nn.Sequential" in error.message


def test_the_library_never_raises_click_exceptions():
    """Outside the command line, no module of the library imports click."""
    import ast
    import pathlib

    root = pathlib.Path(stepnet.__file__).parent
    for path in root.rglob("*.py"):
        if "cli" in path.relative_to(root).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "click" for a in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "click", path


def test_limits_names_in_any_notation_show_that_parameter():
    """A parameter named as h1->o1 is shown in full just as by its own name, w5."""
    wide = stepnet.run("deep")
    by_arrow = wide.to_text(width=200, limits=Limits(params=0, neurons=0, only=frozenset({"h1->g1"})))
    by_name = wide.to_text(width=200, limits=Limits(params=0, neurons=0, only=frozenset({"w7"})))
    assert by_arrow == by_name
    assert by_arrow != wide.to_text(width=200, limits=Limits(params=0, neurons=0))
