"""The words of notes, titles and tables put in the run's notation.

The lines of a derivation are built from the notation's symbols, but a few pieces are
written once in the tutorial's words: a note such as "∂E_total/∂net = … simplifies to
out − target", the columns "net" and "out", the general sum Σ δ_o · w_o,h1.  For any
other notation these functions rewrite exactly those words; in the tutorial's own
notation they change nothing, and are not run.
"""

from __future__ import annotations

import re

from .derivation import Block, Derivation, Line
from .expr import Expr, Partial, Sum, Sym, Valued
from .names import Names

_TOKEN = re.compile(r"(?<![A-Za-z0-9_])(∂?)(E_total|E|net|out|target|δ|η)(?:_([A-Za-z]+[0-9]+|[jk]))?(?![A-Za-z0-9_])")
_ROLE = {"net": "net", "out": "out", "target": "target", "δ": "delta"}
_COLUMN = {"net": "net", "out": "out", "target": "target", "δ": "delta"}


def respell_text(text: str, names: Names) -> str:
    """``text`` with the tutorial's symbols (E_total, net_h1, ∂out, η, …) in the run's notation.

    In prose, net and out stay words unless they are symbols (∂net, out − target); from a
    formula's "E = " on (the loss descriptions) every one is a symbol.
    """
    if names.spelling.plain or not text:
        return text
    letters = names.spelling.letters
    text = text.replace("out − target", f"{letters['out'].unicode} − {letters['target'].unicode}")
    formula = _FORMULA.search(text)
    if formula is not None:
        return _swap(text[:formula.start()], names, False) + _swap(text[formula.start():], names, True)
    return _swap(text, names, False)


_FORMULA = re.compile(r"(?<![A-Za-z0-9_])E = ")


def _swap(text: str, names: Names, formula: bool) -> str:
    def swap(m: re.Match) -> str:
        partial, word, index = m[1], m[2], m[3]
        if index is None:
            symbolic = formula or partial != "" or text[m.end():m.end() + 1] == "("
            return partial + _bare(word, symbolic, names, m[0][len(partial):])
        return partial + (_indexed(word, index, names) or m[0][len(partial):])

    return _TOKEN.sub(swap, text)


def _bare(word: str, symbolic: bool, names: Names, original: str) -> str:
    """A symbol without an index: E_total always; net, out, E only where they are symbols (∂net, E(w))."""
    letters = names.spelling.letters
    if word == "E_total":
        return letters["loss"].unicode
    if word == "η":
        return letters["rate"].unicode
    if word == "δ":
        return letters["delta"].unicode
    if not symbolic:
        return original
    if word == "E":
        return letters["loss"].base_unicode
    return letters[_ROLE[word]].unicode


def _indexed(word: str, index: str, names: Names) -> str | None:
    """net_h1, δ_o1, E_o1 or out_k in the notation; None where the neuron is not this network's."""
    letters = names.spelling.letters
    if word in ("E_total", "η"):
        return None
    if index in ("j", "k"):
        letter = letters["loss"].base_unicode if word == "E" else letters[_ROLE[word]].unicode
        return f"{letter}_{index}"
    m = re.fullmatch(r"([A-Za-z]+)([0-9]+)", index)
    neuron = names._neuron_named(m[1].lower(), m[2])
    if neuron is None:
        return None
    li, j, top = neuron.layer, neuron.index, len(names.layers) - 1
    if word == "E":
        return names.error(j).unicode if li == top else f"{letters['loss'].base_unicode}_{index}"
    if word == "target":
        return names.target(j).unicode if li == top else None
    if word in ("net", "δ") and li == 0:
        return None
    return getattr(names, _ROLE[word])(li, j).unicode


def respell_column(title: str, names: Names) -> str:
    """A table's column: a bare symbol (net, out) is the notation's letter; other words as text."""
    if names.spelling.plain:
        return title
    if title in _COLUMN:
        return names.spelling.letters[_COLUMN[title]].unicode
    return respell_text(title, names)


# ---------------------------------------------------------------- expressions


def respell_expr(e: Expr, names: Names) -> Expr:
    """``e`` with the general sum's symbols (Σ_o δ_o · w_o,h1) in the notation."""
    if isinstance(e, Sym):
        return _general(e, names) or e
    if isinstance(e, Partial):
        return Partial(respell_expr(e.num, names), respell_expr(e.den, names), e.value)
    if isinstance(e, Sum):
        return Sum(respell_expr(e.index, names), respell_expr(e.body, names), e.value)
    if isinstance(e, Valued):
        return Valued(respell_expr(e.inner, names), e.value)
    kids = e.children()
    return e.rebuild(tuple(respell_expr(c, names) for c in kids)) if kids else e


def _general(s: Sym, names: Names) -> Sym | None:
    """The summed-over neuron k, its δ_k and the weight w_kj, keyed as the backward pass keys them."""
    kind = s.key[0] if s.key else None
    if kind not in ("index", "delta_k", "w_k"):
        return None
    li = s.key[1] if kind != "w_k" else s.key[1] + 1  # the layer summed over
    if not names.spelling.layered:
        above = names.layers[li].name
        if kind == "index":
            return None
        if kind == "delta_k":
            d = names.spelling.letters["delta"]
            return Sym(s.key, f"{d.unicode}_{above}", f"{d.ascii}_{above}", s.latex.replace("\\delta", d.latex, 1))
        w = names.spelling.letters["weight"]
        return Sym(s.key, w.unicode + s.unicode[1:], w.ascii + s.ascii[1:], w.latex + s.latex[1:])
    if kind == "index":
        return Sym(s.key, "k", "k", "k")
    if kind == "delta_k":
        return names.generic("delta", li, "k")
    return names.generic_weight(li, "k", str(s.key[2] + 1))


# ---------------------------------------------------------------- whole lines and blocks


def respell_line(ln: Line, names: Names) -> None:
    """Put a line's symbols and note in the notation, in place."""
    ln.lhs = respell_expr(ln.lhs, names)
    ln.forms = [respell_expr(f, names) for f in ln.forms]
    if ln.numeric is not None:
        ln.numeric = respell_expr(ln.numeric, names)
    if isinstance(ln.note, str):
        ln.note = respell_text(ln.note, names)
    else:
        ln.note = tuple(respell_text(p, names) if isinstance(p, str) else respell_expr(p, names) for p in ln.note)


def respell_block(b: Block, names: Names) -> None:
    b.title = respell_text(b.title, names)
    b.text = [respell_text(t, names) for t in b.text]
    for ln in b.lines:
        respell_line(ln, names)


def respell_derivation(d: Derivation, names: Names) -> Derivation:
    """A derivation (``explain``'s) in the run's notation; unchanged in the tutorial's."""
    if names.spelling.plain:
        return d
    d.title = respell_text(d.title, names)
    d.notes = [respell_text(n, names) for n in d.notes]
    for b in d.blocks:
        respell_block(b, names)
    return d


def respell_table(t, names: Names) -> None:
    """A report table's title, columns and text cells in the notation, in place."""
    t.title = respell_text(t.title, names)
    t.columns = [respell_column(c, names) for c in t.columns]
    t.rows = [[respell_text(c, names) if isinstance(c, str) else respell_expr(c, names) if isinstance(c, Expr) else c
               for c in row] for row in t.rows]


def respell_section(sec, names: Names) -> None:
    """A report section (its blocks, tables and text) in the notation, in place."""
    sec.title = respell_text(sec.title, names)
    sec.text = [respell_text(t, names) for t in sec.text]
    for b in sec.blocks:
        respell_block(b, names)
    for t in sec.tables:
        respell_table(t, names)
