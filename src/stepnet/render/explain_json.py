"""``stepnet explain --format json``: the whole derivation, for programs.

Every block with its text, and every line with its left-hand side, its symbolic forms and
its numeric form, each as Unicode text and as LaTeX; the value at full precision beside
the value as shown; the note, and where the rounded numbers shown give another result,
that result.  The check of a gradient carries each oracle's value, its exact difference
from the chain-rule value, the tolerances it allows and its verdict, or why it was skipped.
It formats what the derivation holds and computes no number.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..derive.derivation import Block, Derivation, Formatter, Line
from ..derive.expr import Expr
from ..derive.matrix_expr import MatrixLatexPrinter, MatrixUnicodePrinter


def _num(x: float | None) -> float | str | None:
    """JSON has no NaN or infinity: those are written "nan", "inf", "-inf"."""
    if x is None:
        return None
    return float(x) if math.isfinite(x) else repr(float(x))


class _Writer:
    def __init__(self, fmt: Formatter) -> None:
        self.fmt = fmt
        self.unicode = MatrixUnicodePrinter(fmt)  # the printers of both views: a matrix formula prints too
        self.latex = MatrixLatexPrinter(fmt)

    def expr(self, e: Expr) -> dict[str, str]:
        return {"unicode": self.unicode.doprint(e), "latex": self.latex.doprint(e)}

    def shown(self, x: float) -> str:
        return self.unicode._number(float(x))

    def note(self, note: str | tuple) -> dict[str, str] | None:
        if not note:
            return None
        if isinstance(note, str):
            return {"unicode": note, "latex": None}
        text = "".join(p if isinstance(p, str) else self.unicode.doprint(p) for p in note)
        tex = "".join(p if isinstance(p, str) else f"${self.latex.doprint(p)}$" for p in note)
        return {"unicode": text, "latex": tex}

    def line(self, ln: Line) -> dict[str, Any]:
        shown = None if ln.value is None else self.shown(ln.value)
        return {
            "lhs": self.expr(ln.lhs),
            "forms": [self.expr(f) for f in ln.forms],
            "numeric": None if ln.numeric is None else self.expr(ln.numeric),
            "value": _num(ln.value),
            "shown": shown,
            "shown_numbers_give": None if ln.shown_result is None else self.unicode_minus(ln.shown_result),
            "note": self.note(ln.note),
        }

    def unicode_minus(self, text: str) -> str:
        return "−" + text[1:] if text.startswith("-") else text

    def block(self, b: Block) -> dict[str, Any]:
        obj: dict[str, Any] = {"title": b.title, "lines": [self.line(ln) for ln in b.lines], "text": list(b.text)}
        if b.omitted:
            obj["omitted"] = b.omitted
        if hasattr(b, "oracles"):
            obj["check"] = self.check(b)
        return obj

    def check(self, b) -> dict[str, Any]:
        return {"chain_rule": _num(b.chain_rule), "verdict": b.verdict,
                "oracles": [self.oracle(o) for o in b.oracles]}

    def oracle(self, o) -> dict[str, Any]:
        if o.value is None:
            return {"oracle": o.oracle, "value": None, "skipped": o.skipped}
        obj = {"oracle": o.oracle, "value": _num(o.value), "shown": self.shown(o.value),
               "difference": _num(o.difference), "tolerance": {"relative": o.relative, "absolute": _num(o.absolute),
                                                                "allowed": _num(o.allowed)},
               "agrees": o.agrees}
        if o.step is not None:
            obj["step"] = o.step
            obj["richardson"] = o.richardson
        return obj


def derivation_object(derivation: Derivation, fmt: Formatter) -> dict[str, Any]:
    """The derivation as plain data: title, notes and every block."""
    writer = _Writer(fmt)
    return {"title": derivation.title, "notes": list(derivation.notes),
            "blocks": [writer.block(b) for b in derivation.blocks]}


def explain_json(name: str, derivation: Derivation, fmt: Formatter, iteration: dict[str, Any]) -> str:
    """The JSON document ``stepnet explain NAME --format json`` writes: the name, the derivation, and
    ``iteration``, the traced iteration's every value as ``stepnet run --format json`` writes it."""
    obj = {"explain": name, "precision": fmt.places, "sig": fmt.sig,
           "derivation": derivation_object(derivation, fmt), "iteration": iteration}
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"
