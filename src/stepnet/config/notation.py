"""The ``notation:`` key: a style, its details, and the symbols a config replaces.

A style is a preset of symbols, one per role (the net input, the activation, the cost,
...).  ``symbols:`` replaces any of them; the result must be a set of symbols that can be
read back without doubt, so two roles with the same symbol, or a symbol that is also a
layer's name, are errors that point at the line.
"""

from __future__ import annotations

import re
from typing import Any

from .document import join_path
from .model import FLAT_NUMBERING, INDEX_ORDERS, NOTATION_STYLES, Layer, Notation
from .reader import Checker, quote

# role -> what it names, for messages and the schema
ROLES = {
    "net": "the weighted input of a neuron",
    "out": "the activation (output) of a neuron",
    "input": "an input value",
    "target": "a target value",
    "loss": "the error (cost) being minimised",
    "delta": "the error term δ of a neuron",
    "weight": "a weight",
    "bias": "a bias",
    "rate": "the learning rate",
}

_MAZUR = {"net": "net", "out": "out", "input": "", "target": "target", "loss": "E_total",
          "delta": "delta", "weight": "w", "bias": "b", "rate": "eta"}
_NIELSEN = {"net": "z", "out": "a", "input": "a", "target": "y", "loss": "C",
            "delta": "delta", "weight": "w", "bias": "b", "rate": "eta"}

# style -> the symbol of every role; an empty input symbol writes an input by its neuron's name (i1)
PRESETS = {"flat": _MAZUR, "mazur": _MAZUR, "indexed": _MAZUR, "nielsen": _NIELSEN}

GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
         "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega")

# symbols that already mean something in stepnet's formulas
TAKEN = {
    "e": "e is Euler's number (e^x)",
    "mu": "μ is the momentum",
    "beta": "β is a setting of adam",
    "epsilon": "ε is adam's small constant",
    "sigma": "σ is the activation function in the matrix view",
    "ln": "ln is the natural logarithm",
    "tanh": "tanh is an activation function",
    "max": "max is written by relu",
    "sqrt": "sqrt is the square root",
}

_SYMBOL = re.compile(r"[A-Za-z]{1,8}")
_LOSS_SYMBOL = re.compile(r"([A-Za-z]{1,8})(?:_([A-Za-z0-9]{1,8}))?")
_SYMBOLS_WHAT = "a mapping from role to symbol, e.g. {loss: L, rate: alpha}"


def check_notation(ck: Checker, path: str, value: Any, ctx) -> Notation:
    """``notation:`` as a style name, or a mapping {style, numbering, index_order, symbols}."""
    if isinstance(value, str):
        notation = Notation(style=ck.choice(path, value, NOTATION_STYLES, "notation style"))
    elif isinstance(value, dict):
        handlers = {
            "style": lambda p, v: ck.choice(p, v, NOTATION_STYLES, "notation style"),
            "numbering": lambda p, v: ck.choice(p, v, FLAT_NUMBERING, "numbering"),
            "index_order": lambda p, v: ck.choice(p, v, INDEX_ORDERS, "index order"),
            "symbols": lambda p, v: _symbols(ck, p, v),
        }
        notation = Notation(**ck.fields(path, value, handlers))
    else:
        what = (f"a style ({', '.join(NOTATION_STYLES)}) or a mapping "
                "{style: ..., numbering: ..., index_order: ..., symbols: ...}")
        raise ck.expected(path, what, value)
    _check_clashes(ck, path, notation, ctx.layers)
    return notation


def _symbols(ck: Checker, path: str, value: Any) -> tuple[tuple[str, str], ...]:
    table = ck.mapping(path, value, _SYMBOLS_WHAT)
    pairs = []
    for role, symbol in table.items():
        sub = join_path(path, role)
        if role not in ROLES:
            raise ck.unknown(sub, role, ROLES, "symbol role", key=True)
        pairs.append((role, _symbol(ck, sub, role, symbol)))
    return tuple(pairs)


def _symbol(ck: Checker, path: str, role: str, value: Any) -> str:
    example = "L or E_total" if role == "loss" else "a letter such as s, or a Greek name such as alpha"
    text = ck.string(path, value, f"a symbol ({example})")
    pattern = _LOSS_SYMBOL if role == "loss" else _SYMBOL
    if not pattern.fullmatch(text):
        form = "letters, optionally _ and a subscript (E_total)" if role == "loss" else "1 to 8 letters"
        hint = "Greek letters are written as words: alpha, eta, theta"
        raise ck.error(path, f"expected a symbol of {form}, found {quote(text)}", hint)
    base = text.split("_")[0]
    taken = TAKEN.get(base) or (TAKEN.get(base.lower()) if len(base) > 1 else None)  # E is free, e is not
    if taken:
        hint = f"choose another symbol for {ROLES[role]}"
        raise ck.error(path, f"the symbol {quote(text)} is taken: {taken}", hint)
    return text


def symbol_of(notation: Notation, role: str) -> str:
    """The symbol the notation writes for ``role``: the config's, else its style's."""
    return notation.overrides.get(role, PRESETS[notation.style][role])


def base_of(symbol: str) -> str:
    """The part of a symbol that is written with an index: E for E_total."""
    return symbol.split("_")[0]


def _check_clashes(ck: Checker, path: str, notation: Notation, layers: tuple[Layer, ...] | None) -> None:
    """Every symbol must be read back as one role: distinct, and not a layer's name."""
    overrides = notation.overrides
    seen: dict[str, str] = {}
    for role in ROLES:
        symbol = symbol_of(notation, role)
        if not symbol:
            continue
        where = _where(path, role, overrides)
        key = base_of(symbol).lower()
        other = seen.get(key)
        if other is not None and {role, other} != {"input", "out"}:
            where = where if role in overrides else _where(path, other, overrides)
            message = (f"the symbol {quote(symbol)} would stand for both {ROLES[other]} ({other}) "
                       f"and {ROLES[role]} ({role})")
            raise ck.error(where, message, "give every role its own symbol")
        seen.setdefault(key, role)
        named = _layer_named(layers, key)
        if named is not None and (role in overrides or notation.style == "nielsen"):
            message = f"the symbol {quote(symbol)} ({ROLES[role]}) is also the name of layer '{named}'"
            hint = f"rename the layer, or write notation.symbols.{role} with another symbol"
            raise ck.error(where, message, hint)


def _where(path: str, role: str, overrides: dict[str, str]) -> str:
    """The key to point at for a role: its line in ``symbols:``, else the notation itself."""
    return join_path(join_path(path, "symbols"), role) if role in overrides else path


def _layer_named(layers: tuple[Layer, ...] | None, key: str) -> str | None:
    for layer in layers or ():
        if layer.name.lower() == key:
            return layer.name
    return None
