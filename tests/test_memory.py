"""Memory stays flat over a long run, and a wide network's report names what it leaves out.

These check sizes and content, never time: benchmarks/run.py measures time.
"""

from __future__ import annotations

import random
import tracemalloc

import pytest

from stepnet.api import load, run
from stepnet.config.load import load_config
from stepnet.engine.training import train


def _peak_bytes(iterations: int) -> int:
    cfg = load("mazur")
    tracemalloc.start()
    try:
        result = train(cfg, iterations=iterations, trace="first,last")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.done == iterations and [it.iteration for it in result.iterations] == [1, iterations]
    return peak


def test_a_long_run_keeps_only_its_loss_history():
    """2,000 and 20,000 iterations, first and last traced: the difference is the losses (8 bytes each)."""
    _peak_bytes(200)  # imports and numpy's caches, outside the measurement
    small, large = 2_000, 20_000
    growth = _peak_bytes(large) - _peak_bytes(small)
    per_iteration = growth / (large - small)
    assert per_iteration <= 8 * 1.1, f"{per_iteration:.1f} bytes per iteration"


def _wide_config():
    rng = random.Random(11)
    data = []
    for s in range(32):
        targets = [0.0] * 10
        targets[s % 10] = 1.0
        data.append({"inputs": [round(rng.random(), 4) for _ in range(784)], "targets": targets})
    return load_config({
        "name": "wide",
        "layers": [
            {"name": "i", "size": 784},
            {"name": "h", "size": 128, "activation": "sigmoid", "bias": "per_neuron"},
            {"name": "o", "size": 10, "activation": "sigmoid", "bias": "per_neuron"},
        ],
        "init": {"method": "xavier", "seed": 1},
        "loss": "half_sse",
        "learning_rate": 0.5,
        "data": data,
    })


@pytest.fixture(scope="module")
def wide_run():
    return run(_wide_config())


def test_wide_network_text_names_what_it_truncates(wide_run):
    from stepnet.derive.limits import Limits

    text = wide_run.to_text(100)
    lines = text.splitlines()
    assert len(lines) < 6000  # a summary a person can read, not 100,000 lines
    # a table per layer, and every truncation says what it left out and how to see it
    assert "Layer h" in lines and "Layer o" in lines
    assert "120 more neurons of layer h not shown: name them to see them (--only h9-h128)" in text
    assert "2 more neurons of layer o not shown: name them to see them (--only o9-o10)" in text
    flat = " ".join(text.split())  # a long note wraps at the width
    # the weights between the 8 neurons shown of each layer are shown: 8 × 8 of h and of o
    assert "100408 more parameters of layer h not shown: name them to see them (--params w9-w100352,b9-b128)" in flat
    assert ("101626 more parameters are updated the same way: name them to see them "
            "(--params w9-w100352,b9-b128,w100361-w101632,b137-b138); all are in --format json") in flat
    assert "Samples 5 to 32 of the batch are computed the same way" in text
    assert "… 776 more terms …" in text  # a neuron's 785-term net input: the 8 inputs shown, the rest counted, the bias
    assert "101706 more parameters in --format json" not in text  # one iteration: no change-over-the-run table
    # naming a parameter deep in a wide layer shows it, and only it, in full
    only = wide_run.to_text(100, Limits(only=frozenset({"w100000", "h120"})))
    assert "∂E_total/∂w100000 = " in only and "net_h120 = " in only
    assert "100380 more parameters of layer h not shown" in only
    assert "∂E_total/∂w99999 = " not in only


def test_wide_network_json_has_every_parameter(wide_run):
    import json

    obj = json.loads(wide_run.to_json())
    params = obj["iterations"][0]["parameters"]
    assert len(params) == 784 * 128 + 128 + 128 * 10 + 10
    assert params[0]["name"] == "w1" and params[-1]["name"] == "b138"
    assert params[100351] == {
        "name": "w100352", "kind": "weight", "layer": "h", "from": "i784", "to": ["h128"],
        "value": params[100351]["value"], "gradient": params[100351]["gradient"], "updated": params[100351]["updated"],
    }
    assert wide_run.iterations[0].parameter("w100352").value == params[100351]["value"]


def _medium_config(inputs: int, hidden: int):
    rng = random.Random(5)
    data = [{"inputs": [round(rng.random(), 3) for _ in range(inputs)],
             "targets": [float(s % 3 == k) for k in range(3)]} for s in range(2)]
    return load_config({
        "name": "medium",
        "layers": [{"name": "i", "size": inputs}, {"name": "h", "size": hidden, "activation": "tanh"},
                   {"name": "o", "size": 3, "activation": "sigmoid"}],
        "init": {"method": "xavier", "seed": 3},
        "learning_rate": 0.2,
        "data": data,
    })


class _Sink:
    """Standard output that keeps nothing: only how much was written."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, text: str) -> int:
        self.count += len(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _streamed_peak(fmt: str, traced: int, measure: bool = True) -> tuple[int, int]:
    """Peak traced memory and bytes written when ``traced`` iterations, all traced, are streamed as ``fmt``."""
    from stepnet.api import stream
    from stepnet.cli.options import OutputOptions
    from stepnet.cli.output import console
    from stepnet.derive.derivation import Formatter
    from stepnet.derive.names import Names
    from stepnet.render.json import JsonStream
    from stepnet.render.stream import TextStream

    cfg, sink = (_medium_config(24, 12) if fmt == "json" else _medium_config(3, 3)), _Sink()
    names = Names(cfg)
    if measure:
        tracemalloc.start()
    try:
        if fmt == "json":
            writer = JsonStream(sink.write, names)
            start = lambda initial: writer.head(cfg, None, initial, traced, "all")  # noqa: E731
        else:
            writer = TextStream(console(OutputOptions(), sink), names, Formatter(), chosen=list(range(1, traced + 1)))
            start = lambda initial: writer.head(cfg, traced, None)  # noqa: E731
        result = stream(cfg, traced, trace="all", on_start=start, on_iteration=lambda it: writer.iteration(it.trace))
        writer.tail(result.trace)
        _, peak = tracemalloc.get_traced_memory() if measure else (0, 0)
    finally:
        tracemalloc.stop()
    assert result.trace.streamed == traced
    return peak, sink.count


@pytest.mark.parametrize(("fmt", "warm", "few", "many"), [
    ("json", 4, 3, 24),
    # the text layout's caches (4,096 lines each, here and in rich) fill over the first hundred iterations
    pytest.param("text", 120, 3, 12, marks=pytest.mark.slow),
])
def test_streamed_output_keeps_one_traced_iteration_at_a_time(fmt, warm, few, many):
    """Many times the traced iterations, as many times the output, about the same peak memory."""
    _streamed_peak(fmt, warm, measure=False)  # imports, and caches filled to their bounds: not measured
    (low, low_bytes), (high, high_bytes) = _streamed_peak(fmt, few), _streamed_peak(fmt, many)
    assert high_bytes > 0.9 * (many / few) * low_bytes
    assert high < 1.25 * low, f"peak {low / 1e6:.2f} MB for {few} traced iterations, {high / 1e6:.2f} MB for {many}"
