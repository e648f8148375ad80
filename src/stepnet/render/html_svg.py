"""The pictures of an HTML page as inline SVG: the network with its weights or its gradients, the loss.

Every number drawn is a value of the report, formatted by the page's number function;
only the geometry (where, how thick) is worked out here, from :mod:`.layout`.  Each edge
of a weight and each bias is a link to that parameter's derivation, so a click or the
keyboard (Tab, Enter) jumps there; its tooltip names the parameter and its value.
"""

from __future__ import annotations

from collections.abc import Callable

from ..derive.diagram import Diagram
from ..derive.diagram_views import GradientView
from ..derive.expr import Sym
from .anchors import gradient_anchor
from .layout import BIAS_H, ChartLayout, Edge, NetworkLayout, Spot, label_width, largest, strength, weight_label

Number = Callable[[float], str]
Link = Callable[[str], str | None]  # a parameter's name -> the href of its derivation, if it has one


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def network_svg(dg: Diagram, lay: NetworkLayout, number: Number, link: Link, view: GradientView | None = None,
                title: str = "", loss: str = "E_total") -> str:
    """The network drawn: weights (and biases) with their values, or with one iteration's gradients.

    ``loss`` is the loss's symbol in the run's notation, as the gradients' tooltips name it (∂C/∂w⁽³⁾₁₁).
    """
    biggest = largest(view.weights.values()) if view else 0.0
    parts = [f'<svg class="network{" gradients" if view else ""}" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {_f(lay.width)} {_f(lay.height)}" width="{_f(lay.width)}" height="{_f(lay.height)}" '
             f'style="--natural:{_f(0.8 * lay.width)}px" aria-label="{_esc(title)}">']
    for edge in lay.edges:
        if edge.kind == "more":
            parts.append(f'<line class="more" x1="{_f(edge.x1)}" y1="{_f(edge.y1)}" x2="{_f(edge.x2)}" '
                         f'y2="{_f(edge.y2)}"/>')
    for edge in lay.edges:
        if edge.kind == "bias":
            parts.append(f'<line class="bias" x1="{_f(edge.x1)}" y1="{_f(edge.y1)}" x2="{_f(edge.x2)}" '
                         f'y2="{_f(edge.y2)}"/>')
    for edge in lay.edges:
        if edge.kind == "weight":
            parts.append(_weight(edge, dg.weights[edge.key], number, link, view, biggest, loss))
    for spot in lay.nodes:
        parts.append(_bias(spot, dg, number, link, view, loss) if spot.kind == "bias" else _node(spot, dg))
    for x, y, li in lay.captions:
        name, size, _ = dg.layers[li]
        what = "input" if li == 0 else "neuron"
        count = f"{size} {what}{'s' if size != 1 else ''}" + (f", {dg.shown[li]} drawn" if dg.shown[li] < size else "")
        parts.append(f'<text class="caption" x="{_f(x)}" y="{_f(y + 14)}">layer {_esc(name)}</text>'
                     f'<text class="caption small" x="{_f(x)}" y="{_f(y + 29)}">{_esc(count)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _weight(edge: Edge, p: Sym, number: Number, link: Link, view: GradientView | None, biggest: float,
            loss: str) -> str:
    name = p.key[1]
    line = f'x1="{_f(edge.x1)}" y1="{_f(edge.y1)}" x2="{_f(edge.x2)}" y2="{_f(edge.y2)}"'
    if view is None:
        text, tip, cls, style = weight_label(p, number), weight_label(p, number), "w", ""
    else:
        g = view.weights[edge.key]
        text = number(g)
        tip = f"∂{loss}/∂{p.unicode} = {text}"
        cls = "g pos" if g > 0 else "g neg" if g < 0 else "g zero"
        style = f' style="stroke-width:{_f(1 + 6 * strength(g, biggest))}px"'
    href = link(name)
    x, y = edge.label
    w = label_width(len(text))
    body = (f'<title>{_esc(tip)}</title><line class="edge {cls}" {line}{style}/>'
            f'<g class="lbl {cls}"><rect x="{_f(x - w / 2)}" y="{_f(y - 8)}" width="{_f(w)}" height="15" rx="3"/>'
            f'<text x="{_f(x)}" y="{_f(y + 3.8)}">{_esc(text)}</text></g>')
    if href is None:
        return f'<g class="param">{body}</g>'
    return (f'<a class="param" href="{_esc(href)}" data-param="{_esc(name)}" data-anchor="{gradient_anchor(name)}">'
            f"{body}</a>")


def _node(spot: Spot, dg: Diagram) -> str:
    li = spot.key[0]
    name, size, _ = dg.layers[li]
    text = f"{name}{spot.key[1] + 1}" if spot.kind == "neuron" else f"… {size - dg.shown[li]} more"
    cls = "node" + (" input" if li == 0 else "") + (" more" if spot.kind == "more" else "")
    return (f'<g class="{cls}"><rect x="{_f(spot.x - spot.w / 2)}" y="{_f(spot.y - spot.h / 2)}" '
            f'width="{_f(spot.w)}" height="{_f(spot.h)}" rx="{_f(spot.h / 2)}"/>'
            f'<text x="{_f(spot.x)}" y="{_f(spot.y + 4)}">{_esc(text)}</text></g>')


def _bias(spot: Spot, dg: Diagram, number: Number, link: Link, view: GradientView | None, loss: str) -> str:
    li, j = spot.key
    fed = j if j is not None else next(k for (l2, k) in sorted(dg.biases) if l2 == li)
    p = dg.biases[(li, fed)]
    if view is None:
        text = tip = weight_label(p, number)
    else:
        g = number(view.biases[(li, fed)])
        text, tip = f"{p.unicode}: {g}", f"∂{loss}/∂{p.unicode} = {g}"
    w = max(spot.w, label_width(len(text)))
    body = (f'<title>{_esc(tip)}</title><g class="bias-node"><rect x="{_f(spot.x - w / 2)}" '
            f'y="{_f(spot.y - BIAS_H / 2)}" width="{_f(w)}" height="{BIAS_H}" rx="2"/>'
            f'<text x="{_f(spot.x)}" y="{_f(spot.y + 4)}">{_esc(text)}</text></g>')
    href = link(p.key[1])
    if href is None:
        return f'<g class="param">{body}</g>'
    return (f'<a class="param" href="{_esc(href)}" data-param="{_esc(p.key[1])}" '
            f'data-anchor="{gradient_anchor(p.key[1])}">{body}</a>')


def chart_svg(lay: ChartLayout, number: Number) -> str:
    """The loss by iteration: axes, round ticks, a line through every point, each point's value on hover."""
    left, top, right, bottom = lay.box
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(lay.width)} {_f(lay.height)}" '
             f'width="{_f(lay.width)}" height="{_f(lay.height)}" role="img" aria-label="Loss by iteration">']
    for t in lay.yticks:
        label = _esc(t.text) + (f'<tspan dy="-6" font-size="8">{_esc(t.power)}</tspan>' if t.power else "")
        parts.append(f'<line class="grid" x1="{_f(left)}" y1="{_f(t.at)}" x2="{_f(right)}" y2="{_f(t.at)}"/>'
                     f'<text class="tick y" x="{_f(left - 6)}" y="{_f(t.at + 4)}">{label}</text>')
    for t in lay.xticks:
        parts.append(f'<line class="tickmark" x1="{_f(t.at)}" y1="{_f(bottom)}" x2="{_f(t.at)}" y2="{_f(bottom + 5)}"/>'
                     f'<text class="tick x" x="{_f(t.at)}" y="{_f(bottom + 18)}">{_esc(t.text)}</text>')
    parts.append(f'<path class="axis" d="M{_f(left)} {_f(top)}V{_f(bottom)}H{_f(right)}"/>')
    path = " ".join(f"{'M' if k == 0 else 'L'}{_f(x)} {_f(y)}" for k, (x, y, _, _) in enumerate(lay.points))
    parts.append(f'<path class="loss" d="{path}"/>')
    for x, y, k, v in lay.points:
        parts.append(f'<circle class="point" cx="{_f(x)}" cy="{_f(y)}" r="2.6">'
                     f'<title>iteration {k}: loss {_esc(number(v))}</title></circle>')
    scale = "loss (log scale)" if lay.log else "loss"
    parts.append(f'<text class="axis-label" x="{_f((left + right) / 2)}" y="{_f(lay.height - 6)}">iteration</text>'
                 f'<text class="axis-label" transform="translate(14 {_f((top + bottom) / 2)}) rotate(-90)">'
                 f'{scale}</text></svg>')
    return "".join(parts)
