"""Names of the places in a document that links jump to: a parameter's gradient, a neuron's δ.

HTML ids and PDF link targets both come from here, so a click on a weight in the diagram
or a row of a table lands on the derivation of the same quantity in every format.  An
anchor names what a line derives, read from the line's left-hand side: ``∂E_total/∂w5``
is the gradient of w5, ``δ_h1`` the δ of h1, ``net_h1`` its net input and ``w5⁺`` its update.
"""

from __future__ import annotations

import re

from ..derive.expr import Expr, Partial, Sym

_INDEXED = str.maketrans({"(": "", ")": "", "_": "-", ",": "."})


def slug(name: str) -> str:
    """An ASCII name made safe for an id: w5 stays w5, w(2)_11 becomes w2-11."""
    text = name.translate(_INDEXED)
    return re.sub(r"[^A-Za-z0-9.-]", lambda m: f"_{ord(m[0]):x}", text)


def param_name(e: Expr) -> str | None:
    """The parameter a table cell or label names (a symbol w5 before its update), if any."""
    if isinstance(e, Sym) and e.key[:1] == ("param",):
        return e.key[1]
    return None


def line_anchor(lhs: Expr) -> str | None:
    """What a derivation line with this left-hand side derives, as an anchor name (no prefix)."""
    if isinstance(lhs, Partial) and lhs.num.key == ("E",) and lhs.den.key[:1] == ("param",):
        return "grad-" + slug(lhs.den.key[1])
    if isinstance(lhs, Sym) and lhs.key[:1] == ("param+",):
        return "update-" + slug(lhs.key[1])
    if isinstance(lhs, Sym) and lhs.key[:1] in (("delta",), ("net",)):
        kind, _, neuron = lhs.ascii.partition("_")
        return f"{kind}-{slug(neuron)}"
    return None


def gradient_anchor(param: str) -> str:
    return "grad-" + slug(param)


def neuron_anchor(kind: str, neuron: str) -> str:
    """``kind`` is ``net`` (the forward pass) or ``delta`` (the backward pass)."""
    return f"{kind}-{slug(neuron)}"


class Anchors:
    """The anchors one document has placed, each once: the first line of a quantity gets it."""

    def __init__(self) -> None:
        self.placed: set[str] = set()

    def place(self, prefix: str, lhs: Expr) -> str | None:
        """The full id for a line, the first time its quantity is derived under ``prefix``; else None."""
        name = line_anchor(lhs)
        if name is None or prefix + name in self.placed:
            return None
        self.placed.add(prefix + name)
        return prefix + name

    def target(self, prefix: str, name: str) -> str | None:
        """``prefix + name`` when a line placed it, so a link never points nowhere."""
        full = prefix + name
        return full if full in self.placed else None


def section_id(title: str) -> str:
    """An id from a title: "Forward pass" → forward-pass (letters, digits and dashes only)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "part"
