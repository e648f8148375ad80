"""How large a run's output will be, and how much memory writing it takes, before it runs.

The estimates count what each format writes per traced iteration (a JSON object per
parameter, a text line per shown value) with numbers of typical length; they are meant
to be right within a small factor, which is all a refusal needs.  ``stepnet run`` uses
them to refuse, up front, output it could not write or memory it could not hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..derive.limits import Limits
from .json import CHUNK, _nested

TYPICAL_FLOAT = 0.12345678901234568  # 19 characters at full precision, as most weights and gradients print
TEXT_LINE = 64  # bytes of a typical line of the text report
JSON_MEMORY = 5  # JSON made as objects, then text, takes about this many times the bytes it writes
JSON_CHUNK = 1200  # memory per parameter object while a chunk of them is made and written
FORM_FACTOR = {"text": 1.0, "markdown": 1.3, "latex": 1.5, "html": 3.0}
REPORT_MEMORY = 30  # an iteration's report held in memory, per byte of its text


@dataclass(frozen=True)
class Estimate:
    """Bytes of one format's output for a run: before, per traced iteration, after; and memory."""

    fixed: int  # everything but the traced iterations
    per_iteration: int
    iteration_memory: int  # what one traced iteration takes in memory while it is written

    def total(self, traced: int) -> int:
        return self.fixed + traced * self.per_iteration

    def fits(self, bound: int) -> int:
        """How many traced iterations fit in ``bound`` bytes."""
        return max(0, (bound - self.fixed) // max(1, self.per_iteration))


def _item(obj, level: int) -> int:
    """Bytes of ``obj`` as an item of a list ``level`` deep: its text, the comma, newline and indent."""
    return len(_nested(obj, level)) + level + 2


def _array_bytes(cfg) -> int:
    """The arrays of one traced iteration: weights four times over (before, gradient, after, sent back
    through), and five values per neuron and sample."""
    sizes = [layer.size for layer in cfg.layers]
    weights = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    batch = cfg.effective_batch_size
    return 8 * (4 * weights + 5 * batch * sum(sizes[1:]) + batch * (sizes[0] + sizes[-1]))


def json_estimate(cfg, planned: int) -> Estimate:
    x = TYPICAL_FLOAT
    sizes = [layer.size for layer in cfg.layers]
    n = max(sizes)
    weight = {"name": f"w{n * n}", "kind": "weight", "layer": "h", "from": f"h{n}", "to": [f"h{n}"],
              "value": x, "gradient": x, "updated": x}
    bias = {"name": f"b{n}", "kind": "bias", "layer": "h", "to": [f"h{n}"], "value": x, "gradient": x,
            "updated": x, "trained": True}
    node = {"name": f"h{n}", "layer": "h", "net": x, "out": x, "delta": x, "dE_dout": x, "dout_dnet": x}
    weights = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    biases = sum(layer.bias_count for layer in cfg.layers[1:])
    values = sizes[0] + 2 * sizes[-1]  # inputs, targets, errors
    sample = 120 + values * _item(x, 4) + sum(sizes[1:]) * _item(node, 4)
    batch = cfg.effective_batch_size
    per_iteration = 120 + batch * sample + weights * _item(weight, 3) + biases * _item(bias, 3)
    biggest = max([CHUNK] + [layer.bias_count for layer in cfg.layers[1:]])  # the largest chunk of parameters
    samples = len(cfg.data)
    fixed = (2000 + (weights + biases) * _item(x, 4) + planned * _item(x, 2)
             + samples * (sizes[0] + 2 * sizes[-1]) * 2 * _item(x, 4))
    # the samples of an iteration are made at once, its parameters a chunk at a time
    memory = JSON_MEMORY * batch * sample + JSON_CHUNK * min(biggest, weights + biases) + _array_bytes(cfg)
    return Estimate(fixed, per_iteration, memory)


def text_estimate(cfg, planned: int, fmt: str = "text", limits: Limits | None = None) -> Estimate:
    """The text report, or a document made from the same report (markdown, html, latex)."""
    limits = limits or Limits()
    shown = len(limits.only)
    samples = min(cfg.effective_batch_size, limits.samples)
    neurons = sum(min(layer.size, limits.neurons) for layer in cfg.layers[1:]) + shown
    params = sum(min(a.size * b.size + b.bias_count, limits.params) for a, b in zip(cfg.layers, cfg.layers[1:],
                                                                                    strict=False)) + shown
    lines = 40 + samples * neurons * 24 + params * 7
    factor = FORM_FACTOR.get(fmt, 1.0)
    per_iteration = int(lines * TEXT_LINE * factor)
    fixed = int((200 + min(len(cfg.data), 16) * cfg.layers[-1].size + 4 * params) * TEXT_LINE * factor)
    memory = _array_bytes(cfg) + (REPORT_MEMORY * per_iteration if fmt != "text" else 4 * per_iteration)
    return Estimate(fixed, per_iteration, memory)


def about(count: float) -> str:
    """``3.1 GB``, ``450 MB``, ``12 kB``: a size as people say it (decimal units)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            value = count / size
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    return f"{int(count)} bytes"
