"""Mermaid text: labels nothing in them can break, and a loss chart Mermaid can read.

Mermaid's ``xychart-beta`` reads plain decimals only: ``1.5`` and ``-0.25``, never
``1.5e+24``.  A chart is also only readable when its values sit within a few powers of
ten, so the loss is charted as it is when it is of a usual size, divided by a power of
ten when it is huge (or tiny) throughout, and as log₁₀ when it spans many powers of ten.
Each change of axis comes with a sentence saying so, shown under the chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

LARGE = 1e6  # a run whose largest loss is this or more is charted in units of a power of ten
SMALL = 1e-3  # and so is one whose largest loss is below this
DECADES = 4  # positive losses spanning this many powers of ten are charted as their log10

_ENTITY = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;"}
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def label(text: str) -> str:
    """Text for a quoted Mermaid label or title: no quote, tag, entity or newline can end or break it."""
    return "".join(_ENTITY.get(c, c) for c in re.sub(r"\s+", " ", str(text)))


@dataclass(frozen=True)
class Axis:
    """The values a chart draws, what its y-axis is called, and the sentences that explain it."""

    name: str
    values: list[float]
    notes: list[str]


def power(k: int) -> str:
    """10 to the ``k`` as it is printed: 10²⁴, 10⁻¹²."""
    return "10" + str(k).translate(_SUPERSCRIPT)


def loss_axis(values: list[float], number: Callable[[float], str]) -> Axis:
    """How to chart these finite losses; ``number`` writes a loss for the notes."""
    top = max(abs(v) for v in values)
    positive = [v for v in values if v > 0]
    if positive and min(values) >= 0 and top / min(positive) >= 10.0**DECADES:
        return _log_axis(values, min(positive), number)
    if top >= LARGE or 0 < top < SMALL:
        k = math.floor(math.log10(top))
        scaled = [float(Decimal(v).scaleb(-k)) for v in values]
        shown = f"divided by {power(k)}" if k > 0 else f"multiplied by {power(-k)}"
        note = (f"The losses are of the order of {power(k)} (the largest is {number(max(values))}), "
                f"so the chart shows each loss {shown}.")
        return Axis(f"loss ÷ {power(k)}" if k > 0 else f"loss × {power(-k)}", scaled, [note])
    return Axis("loss", list(values), [])


def _log_axis(values: list[float], low: float, number: Callable[[float], str]) -> Axis:
    high = max(values)
    span = math.log10(high) - math.log10(low)
    notes = [f"The loss spans {span:.0f} powers of ten, from {number(low)} to {number(high)}, "
             "so the chart shows log₁₀ of the loss."]
    if min(values) == 0:
        notes.append(f"A loss of 0 is drawn at the smallest loss above 0, {number(low)}.")
    return Axis("log₁₀ loss", [math.log10(max(v, low)) for v in values], notes)


def decimal(x: float, fmt: Callable[[float], str]) -> str:
    """``x`` as ``fmt`` writes it when that is a plain decimal, else with nine places."""
    text = fmt(x)
    return text if _PLAIN.fullmatch(text) else f"{x:.9f}"


def loss_chart(points: list[tuple[int, float]], fmt: Callable[[float], str],
               number: Callable[[float], str]) -> tuple[str, list[str]]:
    """The body of an ``xychart-beta`` of these (iteration, loss) points, and its notes.

    Points whose loss is inf or nan are left out, and a note says which; with fewer than
    two finite points there is no chart and the body is empty.
    """
    finite = [(k, v) for k, v in points if math.isfinite(v)]
    if len(finite) < 2:
        return "", []
    axis = loss_axis([v for _, v in finite], number)
    left_out = [str(k) for k, v in points if not math.isfinite(v)]
    if left_out:
        which = ("iteration " if len(left_out) == 1 else "iterations ") + ", ".join(left_out)
        notes = [*axis.notes, f"Left out of the chart, with a loss of inf or nan: {which}."]
    else:
        notes = axis.notes
    xs = ", ".join(str(k) for k, _ in finite)
    ys = ", ".join(decimal(v, fmt) for v in axis.values)
    body = (f'xychart-beta\n  title "{label("Loss by iteration")}"\n  x-axis "iteration" [{xs}]\n'
            f'  y-axis "{label(axis.name)}"\n  line [{ys}]')
    return body, notes
