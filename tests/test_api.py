"""The Python API's own promises: one type per idea, errors that are stepnet's own."""

from __future__ import annotations

import pytest

import stepnet
from stepnet.engine.trace import IterationTrace, RunTrace
from stepnet.errors import UsageError


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
