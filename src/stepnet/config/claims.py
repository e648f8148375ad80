"""The ``claims:`` section: numbers a text states, each with its iteration and line.

``quantity: number`` claims a value after iteration 1; ``iteration N: {quantity: number}``
one after a later update.  The number keeps its source text, whose decimals give the
precision the claim is judged at, so it must be written in decimal.
"""

from __future__ import annotations

import re
from typing import Any

from ..limits import MAX_ITERATIONS
from .document import join_path
from .model import Claim
from .reader import Checker, quote

_ITERATION = re.compile(r"iteration\s+([0-9]+)", re.ASCII)
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)


def check_claims(ck: Checker, path: str, value: Any, ctx: Any = None) -> tuple[Claim, ...]:
    """``quantity: number`` (after iteration 1) or ``iteration N: {quantity: number}``."""
    what = "a mapping from quantity to the number claimed"
    claims: dict[tuple[str, int], Claim] = {}  # in document order
    for key, item in ck.mapping(path, value, what).items():
        sub = join_path(path, key)
        if not re.match(r"iteration\s", key):
            _claim(ck, sub, key, item, 1, claims)
            continue
        match = _ITERATION.fullmatch(key)
        if not match or not 1 <= _whole(match.group(1)) <= MAX_ITERATIONS:
            message = f"expected 'iteration N' with N a whole number from 1 to {MAX_ITERATIONS:,}, found {quote(key)}"
            hint = "claims for a later iteration go under 'iteration 2', 'iteration 3', ..."
            raise ck.error(sub, message, hint, key=True)
        for quantity, number in ck.mapping(sub, item, what).items():
            _claim(ck, join_path(sub, quantity), quantity, number, int(match.group(1)), claims)
    return tuple(claims.values())


def _whole(digits: str) -> int:
    """The number ``digits`` writes, capped so that a 5,000-digit key costs nothing to read."""
    return int(digits) if len(digits) <= 12 else MAX_ITERATIONS + 1


def _claim(ck: Checker, path: str, quantity: str, value: Any, iteration: int, claims: dict) -> None:
    if not quantity.strip():
        raise ck.error(path, "a claim needs a quantity name, found an empty key", key=True)
    if isinstance(value, dict):
        hint = "claims after a later update go under a key 'iteration N'"
        raise ck.expected(path, "a number", value, hint)
    number = ck.number(path, value)
    if not _DECIMAL.fullmatch(ck.text(path, number)):
        message = f"expected the claimed number in decimal, found {ck.shown(path, number)}"
        raise ck.error(path, message,
                       "write it as the text states it, e.g. 0.75136507: its decimals give the precision")
    if (quantity, iteration) in claims:
        earlier = claims[(quantity, iteration)].line
        first = f" (first at line {earlier})" if earlier else ""
        message = f"claim '{quantity}' for iteration {iteration} is given twice{first}"
        raise ck.error(path, message, key=True)
    line = ck.doc.positions.get(path, (None,))[0]
    claims[(quantity, iteration)] = Claim(quantity, ck.text(path, number), number, iteration, line)
