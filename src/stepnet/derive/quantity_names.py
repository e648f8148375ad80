"""Quantity names in the run's own notation, and typed names read back into the tutorial's.

:func:`quantity_name` writes a quantity as the notation does (``dC/dw^3_11``, ``z^2_1``,
``dL/ds_o1``); in the tutorial's notation it is :func:`~stepnet.derive.quantities.name`.
:func:`in_tutorial_words` reads a name typed in the run's notation and writes it with the
tutorial's words (``dE_total/dw5``, ``net_h1``), which is the form the quantity parser's
patterns read; names already in those words pass unchanged.
"""

from __future__ import annotations

import re

from .expr import Sym
from .names import Names
from .parser import plain_typed
from .quantities import PER_SAMPLE, Quantity
from .quantities import forms_hint as tutorial_forms_hint
from .quantities import name as tutorial_name


def quantity_name(q: Quantity, names: Names, unicode: bool = False) -> str:
    """The quantity's name in the run's notation, ASCII (as claims are written) or with ∂, δ and ⁺."""
    if names.spelling.plain:
        return tutorial_name(q, names, unicode)
    d, plus = ("∂", "⁺") if unicode else ("d", "+")

    def say(sym: Sym) -> str:
        return sym.unicode if unicode else _typed(sym.ascii)

    li, j, kind = q.layer, q.index, q.kind
    p = (q.param.unicode if unicode else q.param.name) if q.param else ""
    if kind in ("out", "net", "delta"):
        text = say(getattr(names, kind)(li, j))
    elif kind == "target":
        text = say(names.target(j))
    elif kind == "E":
        text = say(names.error(j))
    elif kind in ("E_total", "E_after"):
        text = say(names.error()) + (plus if kind == "E_after" else "")
    elif kind in ("param", "param+"):
        text = p + (plus if kind == "param+" else "")
    else:
        fractions = {
            "dE_dout": lambda: (say(names.error()), say(names.out(li, j))),
            "dout_dnet": lambda: (say(names.out(li, j)), say(names.net(li, j))),
            "path": lambda: (_through(q, names, unicode, say), say(names.out(li, j))),
            "dnet_dparam": lambda: (say(names.net(li, j)), p),
            "dnet_dout": lambda: (say(names.net(li, j)), say(names.out(li - 1, q.other))),
            "grad": lambda: (say(names.error()), p),
        }
        num, den = fractions[kind]()
        text = f"{d}{num}/{d}{den}"
    return text + _sample_suffix(q)


def _through(q: Quantity, names: Names, unicode: bool, say) -> str:
    """The error through neuron ``q.other`` of the layer above: an output's own (E_o1, C₁), else E_g1."""
    if q.layer + 1 == len(names.layers) - 1:
        return say(names.error(q.other))
    loss = names.spelling.letters["loss"]
    return f"{loss.base_unicode if unicode else loss.base_ascii}_{names.neuron_name(q.layer + 1, q.other)}"


def _typed(ascii_: str) -> str:
    """A symbol's ASCII as a name is typed: z^(2)_1 → z^2_1."""
    return re.sub(r"\^\(([0-9]+)\)", r"^\1", ascii_)


def _sample_suffix(q: Quantity) -> str:
    if q.sample is None or (q.kind in PER_SAMPLE and q.sample == 0):
        return ""
    return f"@{q.sample + 1}"


# ---------------------------------------------------------------- typed names, read back

_LAYERED = re.compile(r"([a-z]+)(?:\^\(?([0-9]+)\)?|\(([0-9]+)\))_([0-9]+)", re.IGNORECASE)
_INDEXED = re.compile(r"([a-z]+)_([0-9]+)", re.IGNORECASE)
_NAMED = re.compile(r"([a-z]+)_([a-z]+[0-9]+)", re.IGNORECASE)


def in_tutorial_words(body: str, names: Names) -> str:
    """``body`` (a normalised quantity name) with the notation's symbols put in the tutorial's words."""
    if names.spelling.plain:
        return body
    text = plain_typed(body).replace("delta_^", "delta^")
    plus = "+" if text.endswith("+") else ""
    text = text[: len(text) - len(plus)]
    head, slash, tail = text.partition("/")
    if slash and head[:1].lower() == "d" and tail[:1].lower() == "d":
        text = f"d{_atom(head[1:], names)}/d{_atom(tail[1:], names)}"
    else:
        text = _atom(text, names)
    return text + plus


def _roles(names: Names) -> dict[str, str]:
    """Lower-case letter -> role, for the notation's per-neuron symbols."""
    letters = names.spelling.letters
    found = {}
    for role in ("input", "target", "delta", "out", "net"):  # later roles win a shared letter (a: out)
        if role in letters:
            found[letters[role].ascii.lower()] = role
    return found


def _atom(text: str, names: Names) -> str:
    """One symbol typed in the notation, in the tutorial's words; unchanged if it is not one."""
    loss = names.spelling.letters["loss"]
    if text.lower() in (loss.ascii.lower(), loss.base_ascii.lower()):
        return "E_total"
    roles = _roles(names)
    m = _LAYERED.fullmatch(text)
    if m and names.spelling.layered:
        role = roles.get(m[1].lower())
        li = names.spelling.layer_index(int(m[2] or m[3]))
        return _neuron_word(role, li, int(m[4]) - 1, names) or text
    m = _INDEXED.fullmatch(text)
    if m and names.spelling.layered:
        j, top = int(m[2]) - 1, len(names.layers) - 1
        letter = m[1].lower()
        if letter == loss.base_ascii.lower():
            return _neuron_word("E", top, j, names) or text
        role = roles.get(letter)
        if role == "target":
            return _neuron_word("target", top, j, names) or text
        if role == "input" and names.spelling.separate_input:
            return _neuron_word("out", 0, j, names) or text
        return text
    m = _NAMED.fullmatch(text)
    if m and m[1].lower() == loss.base_ascii.lower():
        return f"E_{m[2]}"
    if m and not names.spelling.layered:
        role = roles.get(m[1].lower())
        if role == "input":
            return m[2]
        return f"{_WORDS[role]}_{m[2]}" if role in _WORDS else text
    return text


_WORDS = {"net": "net", "out": "out", "target": "target", "delta": "delta", "E": "E"}


def _neuron_word(role: str | None, li: int, j: int, names: Names) -> str | None:
    """net_h1, out_h1, i1, delta_o1, target_o1 or E_o1 for neuron j of layer li; None if there is none."""
    if role is None or not 0 <= li < len(names.layers) or not 0 <= j < names.layers[li].size:
        return None
    n = names.neuron_name(li, j)
    if role in ("out", "input") and li == 0:
        return n
    if role == "input" or (li == 0 and role != "out"):
        return None
    return f"{_WORDS[role]}_{n}"


def notation_forms_hint(names: Names) -> str:
    """The hint for a name that reads as no quantity: the forms, in the run's notation."""
    if names.spelling.plain:
        return tutorial_forms_hint(names)
    last = len(names.layers) - 1
    p = names.layer_params(last)[0]
    forms = [Quantity(kind, last, 0, sample=0) for kind in ("net", "out", "target", "E")]
    forms += [Quantity("E_total"), Quantity("E_after"), Quantity("dE_dout", last, 0, sample=0),
              Quantity("dout_dnet", last, 0, sample=0), Quantity("delta", last, 0, sample=0)]
    if last > 1:
        forms += [Quantity("path", last - 1, 0, other=0, sample=0), Quantity("dE_dout", last - 1, 0, sample=0),
                  Quantity("dnet_dout", last, 0, other=0)]
    forms += [Quantity("dnet_dparam", last, 0, param=p, sample=0), Quantity("grad", last, param=p),
              Quantity("param", last, param=p), Quantity("param+", last, param=p)]
    written = ", ".join(quantity_name(q, names) for q in forms)
    return (f"quantity names: {written}; ∂ may replace d, the tutorial's words (net_h1, dE_total/dw5) are "
            "read too, and '@2' picks sample 2 of the batch")
