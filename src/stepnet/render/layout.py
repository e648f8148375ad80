"""Where things go in a drawing of the network and in a chart of the loss: geometry only.

The SVG of an HTML page and the TikZ of a LaTeX document draw from the same layout, so
both show the same picture.  Units are CSS pixels (TikZ scales them).  The labels on
the edges are placed one by one where they overlap nothing placed before, trying
points along the edge outward from its middle; the layout grows with the widest label
and the widest layer, so deep and wide networks keep their labels apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..derive.diagram import Diagram
from ..derive.diagram_views import GradientView
from ..derive.expr import Sym

CHAR = 6.9  # width of one character of a label (digits are widest), at the 11 px the labels are set in
LABEL_H = 15
NODE_H = 30
BIAS_H = 18
MARGIN = 24


@dataclass
class Spot:
    """A box, by its centre: a neuron, the node standing for the neurons not drawn, or a bias."""

    kind: str  # neuron | more | bias
    key: tuple  # (layer, neuron) for a neuron, (layer,) for "more", (layer, neuron or None) for a bias
    x: float
    y: float
    w: float
    h: float

    def overlap(self, x: float, y: float, w: float, h: float) -> float:
        dx = min(self.x + self.w / 2, x + w / 2) - max(self.x - self.w / 2, x - w / 2)
        dy = min(self.y + self.h / 2, y + h / 2) - max(self.y - self.h / 2, y - h / 2)
        return dx * dy if dx > 0 and dy > 0 else 0.0


@dataclass
class Edge:
    kind: str  # weight | more (to or from the neurons not drawn) | bias
    key: tuple | None  # (layer, to, source) for a weight, (layer, to) for a bias
    x1: float
    y1: float
    x2: float
    y2: float
    label: tuple[float, float] | None = None  # centre of the edge's label, for a weight


@dataclass
class NetworkLayout:
    width: float
    height: float
    nodes: list[Spot] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    captions: list[tuple[float, float, int]] = field(default_factory=list)  # (x, y, layer index)


def label_width(chars: int) -> float:
    return chars * CHAR + 8


def node_width(chars: int) -> float:
    return max(36.0, chars * 7.2 + 18)


def layout_network(dg: Diagram, label_chars: dict[tuple, int], node_chars: dict[tuple, int]) -> NetworkLayout:
    """Positions for every node and edge; ``label_chars`` the longest label of each edge and bias."""
    counts = [n + (n < size) for (_, size, _), n in zip(dg.layers, dg.shown, strict=True)]
    most = max(counts)
    has_bias = bool(dg.biases)
    step = (NODE_H + (BIAS_H + 30 if has_bias else 40)) * (1 + 0.07 * max(0, most - 2))
    top = MARGIN + (BIAS_H + 40 if has_bias else 8)
    out = NetworkLayout(width=0, height=0)
    columns: list[list[Spot]] = []
    x = MARGIN + 60.0
    for li, n in enumerate(dg.shown):
        x += _gap(li, counts, label_chars) if li else 0
        column = []
        for k in range(counts[li]):
            y = top + (k + (most - counts[li]) / 2) * step + NODE_H / 2
            key = (li,) if k == n else (li, k)
            column.append(Spot("more" if k == n else "neuron", key, x, y, node_width(node_chars.get(key, 4)), NODE_H))
        columns.append(column)
        out.nodes += column
    bottom = top + most * step
    out.captions = [(col[0].x, bottom + 4, li) for li, col in enumerate(columns)]
    out.width = columns[-1][0].x + 60 + MARGIN
    out.height = bottom + 44
    _bias_nodes(dg, columns, label_chars, out)
    for li in range(1, len(columns)):
        _weight_edges(columns[li - 1], columns[li], out)
    _place_labels(out, label_chars)
    return out


def _gap(li: int, counts: list[int], label_chars: dict[tuple, int]) -> float:
    """The distance from layer li - 1 to layer li: room for two labels side by side, more for more edges."""
    widest = max((c for key, c in label_chars.items() if key[0] == li), default=8)
    return max(180.0, 1.8 * label_width(widest) + 50) * (1 + 0.1 * max(0, max(counts[li - 1], counts[li]) - 2))


def _bias_nodes(dg: Diagram, columns: list[list[Spot]], chars: dict, out: NetworkLayout) -> None:
    """A shared bias above its layer, between it and the layer below; a neuron's own bias just above it."""
    for (li, j), _ in sorted(dg.biases.items()):
        target = columns[li][j]
        if dg.layers[li][2] == "shared":
            key = (li, None)
            if not any(s.key == key and s.kind == "bias" for s in out.nodes):
                w = label_width(chars.get(("bias", li, j), 8))
                x = (columns[li - 1][0].x + 0.58 * (target.x - columns[li - 1][0].x))
                out.nodes.append(Spot("bias", key, x, columns[li][0].y - NODE_H / 2 - 30,
                                      w, BIAS_H))
            spot = next(s for s in out.nodes if s.key == key and s.kind == "bias")
            out.edges.append(Edge("bias", (li, j), spot.x, spot.y + BIAS_H / 2, target.x - target.w / 2, target.y))
        else:
            w = label_width(chars.get(("bias", li, j), 8))
            spot = Spot("bias", (li, j), target.x, target.y - NODE_H / 2 - 6 - BIAS_H / 2, w, BIAS_H)
            out.nodes.append(spot)
            out.edges.append(Edge("bias", (li, j), spot.x, spot.y + BIAS_H / 2, target.x, target.y - NODE_H / 2))


def _weight_edges(below: list[Spot], above: list[Spot], out: NetworkLayout) -> None:
    for dst in above:
        for src in below:
            drawn = dst.kind == "neuron" and src.kind == "neuron"
            key = (dst.key[0], dst.key[1], src.key[1]) if drawn else None
            out.edges.append(Edge("weight" if drawn else "more", key, src.x + src.w / 2, src.y,
                                  dst.x - dst.w / 2, dst.y))


# where along an edge a label may go: the middle first, then outward; on the line, then just above or below it
_ALONG = [0.5 + d * s for d in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35) for s in (1, -1)][1:]
_TRIES = [(t, dy) for dy in (0.0, -9.0, 9.0) for t in _ALONG]


def _place_labels(out: NetworkLayout, chars: dict) -> None:
    """Each weight's label at the point near its edge, outward from the middle, that overlaps least."""
    placed: list[Spot] = list(out.nodes)
    for edge in out.edges:
        if edge.kind != "weight":
            continue
        w, h = label_width(chars.get(edge.key, 8)), LABEL_H
        best, best_cost = None, None
        for t, dy in _TRIES:
            x, y = edge.x1 + t * (edge.x2 - edge.x1), edge.y1 + t * (edge.y2 - edge.y1) + dy
            cost = sum(s.overlap(x, y, w + 4, h + 2) for s in placed)
            if best_cost is None or cost < best_cost:
                best, best_cost = (x, y), cost
            if cost == 0:
                break
        edge.label = best
        placed.append(Spot("label", edge.key, best[0], best[1], w, h))


def weight_label(p: Sym, number: Callable[[float], str]) -> str:
    return p.unicode if p.value is None else f"{p.unicode} = {number(p.value)}"


def diagram_layout(dg: Diagram, number: Callable[[float], str], views: list[GradientView]) -> NetworkLayout:
    """One layout for every view of the diagram: room for the longest label any of them writes."""
    chars: dict[tuple, int] = {}
    for key, p in dg.weights.items():
        chars[key] = max([len(weight_label(p, number))] + [len(number(v.weights[key])) for v in views])
    for (li, j), p in dg.biases.items():
        chars[("bias", li, j)] = max([len(weight_label(p, number))]
                                     + [len(p.unicode) + 2 + len(number(v.biases[(li, j)])) for v in views])
    names = {(li, j): len(f"{name}{j + 1}") for li, (name, _, _) in enumerate(dg.layers) for j in range(dg.shown[li])}
    for li, ((_, size, _), n) in enumerate(zip(dg.layers, dg.shown, strict=True)):
        names[(li,)] = len(f"… {size - n} more")
    return layout_network(dg, chars, names)


def largest(values) -> float:
    """The largest finite magnitude among ``values`` (0 if none): the gradient the widest line stands for."""
    return max((abs(v) for v in values if math.isfinite(v)), default=0.0)


def strength(value: float, biggest: float) -> float:
    """How wide a gradient's line is, from 0 (none) to 1 (the largest; a gradient that overflowed is 1)."""
    if not math.isfinite(value):
        return 1.0
    return abs(value) / biggest if biggest else 0.0


def diagram_note(dg: Diagram) -> str:
    """What the drawing shows, said under it: the values on the edges, the biases, what a wide layer leaves out."""
    say = ("Every weight" + (" drawn" if dg.summarised else "")
           + " is written on its edge, with its value before the first update")
    say += "; bias nodes feed the neurons they add to." if dg.biases else "."
    if dg.summarised:
        parts = [f"{name} its first {n} of {size}" for (name, size, _), n in zip(dg.layers, dg.shown, strict=True)
                 if n < size]
        say += (f" Wide layers are drawn in part, with one node for the neurons left out: {'; '.join(parts)}"
                " (the neurons the worked lines show).")
    return say


# ---------------------------------------------------------------- the loss chart


@dataclass
class Tick:
    at: float  # position along its axis, in pixels
    text: str  # the mantissa, or the base of a power
    power: str | None = None  # the exponent of 10 for a log scale's decade


@dataclass
class ChartLayout:
    width: float
    height: float
    box: tuple[float, float, float, float]  # the plot area: left, top, right, bottom
    points: list[tuple[float, float, int, float]]  # (x, y, iteration, loss)
    xticks: list[Tick]
    yticks: list[Tick]
    log: bool


def layout_chart(points: list[tuple[int, float]], width: float = 640, height: float = 300) -> ChartLayout:
    """Axes with round ticks; a log scale when every loss is positive and they span two decades or more."""
    losses = [v for _, v in points]
    lo, hi = min(losses), max(losses)
    log = lo > 0 and hi / lo >= 100
    left, top, right, bottom = box = (78.0, 16.0, width - 20, height - 46)
    if log:
        a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        every = max(1, math.ceil((b - a) / 6))  # at most seven decades labelled
        ticks = [float(k) for k in range(a, a + every * math.ceil((b - a) / every) + 1, every)]
        labels = [("10", _minus(str(int(k)))) for k in ticks]
    else:
        ticks = _round_ticks(lo, hi)
        labels = [(_tick_text(t, ticks), None) for t in ticks]
    y_of = _Scale(ticks[0], ticks[-1], bottom, top)
    x_of = _Scale(points[0][0], points[-1][0], left, right)
    xs = [t for t in _round_ticks(points[0][0], points[-1][0], integer=True) if x_of.lo <= t <= x_of.hi]
    xticks = [Tick(x_of(t), _tick_text(t, xs)) for t in xs]
    yticks = [Tick(y_of(t), text, power) for t, (text, power) in zip(ticks, labels, strict=True)]
    dots = [(x_of(k), y_of(math.log10(v) if log else v), k, v) for k, v in points]
    return ChartLayout(width, height, box, dots, xticks, yticks, log)


class _Scale:
    """A linear map from data values lo..hi to pixels start..end."""

    def __init__(self, lo: float, hi: float, start: float, end: float) -> None:
        self.lo, self.hi, self.start, self.end = lo, hi, start, end

    def __call__(self, v: float) -> float:
        return self.start + (v - self.lo) / ((self.hi - self.lo) or 1) * (self.end - self.start)


def _round_ticks(lo: float, hi: float, integer: bool = False) -> list[float]:
    """Four to eight round values (1, 2 or 5 times a power of ten) covering lo to hi."""
    span = hi - lo or abs(hi) * 0.1 or 1.0
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(1.0, round(step))
    start = math.floor(lo / step + 1e-9) * step
    count = int(math.ceil((hi - start) / step - 1e-9))
    return [start + k * step for k in range(max(count, 1) + 1)]


def _tick_text(value: float, ticks: list[float]) -> str:
    """A tick's number with as many decimals as the step between ticks needs."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    places = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    text = f"{value:.{places}f}"
    return _minus("0" if float(text) == 0 else text)


def _minus(text: str) -> str:
    return text.replace("-", "−")
