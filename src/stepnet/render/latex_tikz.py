"""The pictures of a LaTeX document in TikZ: the network with its weights or gradients, the loss.

Drawn from the same layout as the HTML page's SVG (:mod:`.layout`), one layout pixel a
CSS pixel, scaled down as a whole when the picture is wider than the text.  Labels are
math set by the LaTeX printer; every number is a value of the report, formatted by the
document's number function.  A weight's label links to the line deriving its gradient.
"""

from __future__ import annotations

from collections.abc import Callable

from ..derive.diagram import Diagram
from ..derive.diagram_views import GradientView
from ..derive.latex import LatexPrinter
from .layout import ChartLayout, NetworkLayout, largest, strength
from .tex_text import tex_escape

PX = 0.0265  # centimetres per layout pixel (96 per inch)
WIDTH_CM = 16.4  # the widest a picture is drawn: the text width of an A4 page with 2.2 cm margins
LENGTH_CM = 23.0  # the longest a picture turned along the page is drawn

Link = Callable[[str], str | None]  # a parameter's name -> the name of its derivation's target, if any

STYLES = (r"\tikzset{stepnode/.style={draw, rounded corners=7pt, minimum height=0.75cm, inner sep=2pt,"
          r" font=\small\sffamily\bfseries, fill=white},"
          r" stepinput/.style={stepnode, fill=stepinput}, stepmore/.style={stepnode, dashed, draw=gray,"
          r" font=\small\sffamily, text=gray},"
          r" steplabel/.style={fill=white, fill opacity=0.9, text opacity=1, inner sep=1pt, font=\scriptsize},"
          r" stepbias/.style={draw=stepbias, fill=stepbiasfill, inner sep=2pt, font=\scriptsize},"
          r" stepcaption/.style={font=\scriptsize\sffamily, align=center}}")


def _c(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _open(width_px: float, turned: bool = False, height_px: float = 0.0) -> str:
    """The picture scaled down to fit the page both ways: along it (its width) and across it (its height)."""
    along, across = (LENGTH_CM, WIDTH_CM) if turned else (WIDTH_CM, LENGTH_CM)
    scale = min(1.0, along / (width_px * PX), across / (height_px * PX) if height_px else 1.0)
    extra = f", scale={scale:.3f}, every node/.append style={{transform shape}}" if scale < 1 else ""
    return rf"\begin{{tikzpicture}}[x={PX}cm, y=-{PX}cm{extra}]"


def _turned(width_px: float) -> bool:
    """Whether a picture is drawn along the page, turned a quarter: when it would shrink to under 3/4 across."""
    return width_px * PX > WIDTH_CM / 0.75


def network_tikz(dg: Diagram, lay: NetworkLayout, latex: LatexPrinter, link: Link,
                 view: GradientView | None = None) -> str:
    """The network: each weight on its edge with its value, or with one iteration's gradient."""
    turned = _turned(lay.width)
    out = [r"\begin{center}" + (r"\rotatebox{90}{" if turned else ""), _open(lay.width, turned, lay.height)]
    biggest = largest(view.weights.values()) if view else 0.0
    for e in lay.edges:
        ends = f"({_c(e.x1)},{_c(e.y1)}) -- ({_c(e.x2)},{_c(e.y2)})"
        if e.kind == "more":
            out.append(rf"\draw[gray!60, dashed] {ends};")
        elif e.kind == "bias":
            out.append(rf"\draw[stepbias, dash pattern=on 3pt off 2pt] {ends};")
        elif view is None:
            out.append(rf"\draw[gray] {ends};")
        else:
            g = view.weights[e.key]
            colour = "steppos" if g > 0 else "stepneg" if g < 0 else "gray"
            width = 0.4 + 3.2 * strength(g, biggest)
            out.append(rf"\draw[{colour}, line width={width:.2f}pt] {ends};")
    for e in lay.edges:
        if e.kind == "weight":
            p = dg.weights[e.key]
            text = latex._number(view.weights[e.key]) if view else f"{latex.doprint(p)} = {latex._number(p.value)}"
            label = _linked(f"${text}$", link(p.key[1]))
            out.append(rf"\node[steplabel] at ({_c(e.label[0])},{_c(e.label[1])}) {{{label}}};")
    for spot in lay.nodes:
        out.append(_node(spot, dg, latex, link, view))
    for x, y, li in lay.captions:
        name, size, _ = dg.layers[li]
        what = "input" if li == 0 else "neuron"
        count = f"{size} {what}{'s' if size != 1 else ''}" + (f", {dg.shown[li]} drawn" if dg.shown[li] < size else "")
        out.append(rf"\node[stepcaption] at ({_c(x)},{_c(y + 20)}) {{\textbf{{layer {tex_escape(name)}}}\\ {count}}};")
    out += [r"\end{tikzpicture}" + ("}" if turned else ""), r"\end{center}"]
    return "\n".join(out)


def _linked(text: str, target: str | None) -> str:
    return rf"\hyperlink{{{target}}}{{{text}}}" if target else text


def _node(spot, dg: Diagram, latex: LatexPrinter, link: Link, view: GradientView | None) -> str:
    at = f"({_c(spot.x)},{_c(spot.y)})"
    if spot.kind == "bias":
        li, j = spot.key
        fed = j if j is not None else next(k for (l2, k) in sorted(dg.biases) if l2 == li)
        p = dg.biases[(li, fed)]
        value = view.biases[(li, fed)] if view else p.value
        text = f"${latex.doprint(p)}{':' if view else ' ='} {latex._number(value)}$"
        return rf"\node[stepbias] at {at} {{{_linked(text, link(p.key[1]))}}};"
    li = spot.key[0]
    name, size, _ = dg.layers[li]
    if spot.kind == "more":
        return rf"\node[stepmore] at {at} {{\dots\ {size - dg.shown[li]} more}};"
    style = "stepinput" if li == 0 else "stepnode"
    return rf"\node[{style}, minimum width={spot.w * PX:.2f}cm] at {at} {{{tex_escape(name)}{spot.key[1] + 1}}};"


def chart_tikz(lay: ChartLayout, latex: LatexPrinter) -> str:
    """The loss by iteration: axes, round ticks and the line through the points."""
    left, top, right, bottom = lay.box
    out = [r"\begin{center}", _open(lay.width)]
    for t in lay.yticks:
        label = f"${t.text}^{{{t.power.replace('−', '-')}}}$" if t.power else f"${t.text.replace('−', '-')}$"
        out.append(rf"\draw[gray!25] ({_c(left)},{_c(t.at)}) -- ({_c(right)},{_c(t.at)});")
        out.append(rf"\node[anchor=east, font=\scriptsize] at ({_c(left - 4)},{_c(t.at)}) {{{label}}};")
    for t in lay.xticks:
        out.append(rf"\draw ({_c(t.at)},{_c(bottom)}) -- ({_c(t.at)},{_c(bottom + 5)});")
        out.append(rf"\node[anchor=north, font=\scriptsize] at ({_c(t.at)},{_c(bottom + 6)}) {{${t.text}$}};")
    out.append(rf"\draw ({_c(left)},{_c(top)}) -- ({_c(left)},{_c(bottom)}) -- ({_c(right)},{_c(bottom)});")
    path = " -- ".join(f"({_c(x)},{_c(y)})" for x, y, _, _ in lay.points)
    out.append(rf"\draw[stepaccent, line width=1pt, line join=round] {path};")
    out += [rf"\fill[stepaccent] ({_c(x)},{_c(y)}) circle[radius=1.8];" for x, y, _, _ in lay.points]
    scale = "loss (log scale)" if lay.log else "loss"
    out.append(rf"\node[font=\scriptsize] at ({_c((left + right) / 2)},{_c(lay.height - 8)}) {{iteration}};")
    out.append(rf"\node[font=\scriptsize, rotate=90] at ({_c(14)},{_c((top + bottom) / 2)}) {{{scale}}};")
    out += [r"\end{tikzpicture}", r"\end{center}"]
    return "\n".join(out)
