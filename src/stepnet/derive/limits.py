"""How much of a wide layer a report shows in full, and how it says what it left out."""

from __future__ import annotations

from dataclasses import dataclass

from .names import Names


@dataclass
class Limits:
    """How much of a wide layer a report shows in full."""

    neurons: int = 8
    params: int = 16
    samples: int = 4
    only: frozenset[str] = frozenset()  # names to show in full, whatever the limits


def pick(count: int, limit: int, names: list[str], only: frozenset[str]) -> tuple[list[int], int]:
    """Indices to show in full: the first `limit`, plus any asked for by name."""
    chosen = [i for i in range(count) if i < limit or names[i].lower() in only]
    return chosen, count - len(chosen)


def named(names: Names, params, only: frozenset[str]) -> list[int]:
    """Indices in ``params`` of the parameters whose own name, in lower case, is in ``only``."""
    found = []
    for name in only:
        p = names.canonical(name) if name == name.lower() else None
        if p is not None and p in params:
            found.append(params.index(p))
    return found


def pick_params(names: Names, params, limit: int, only: frozenset[str]) -> tuple[list[int], int]:
    """As :func:`pick` for a layer's parameters, without making the ones not shown."""
    chosen = sorted(set(range(min(len(params), limit))).union(named(names, params, only)))
    return chosen, len(params) - len(chosen)


def params_hint(params, chosen: list[int]) -> str:
    """How to see the hidden parameters: flat ranges (--params w17-w40,b3-b12), or names."""
    shown = set(chosen)
    hidden = [params[i].name for i in range(len(params)) if i not in shown]
    if not all(n[0] in "wb" and n[1:].isdigit() for n in hidden):  # indexed names
        return f"--only {hidden[-1]}"
    ranges = []
    for letter in "wb":
        numbers = [int(n[1:]) for n in hidden if n[0] == letter]
        if numbers:
            ranges.append(f"{letter}{numbers[0]}" + (f"-{letter}{numbers[-1]}" if len(numbers) > 1 else ""))
    return "--params " + ",".join(ranges)


def omitted(count: int, what: str, layer: str, how: str) -> str:
    """The note under a cut block or table: what it left out and, given ``how``, how to see it."""
    text = f"{count} more {what} of layer {layer} not shown"
    return text + (f": name them to see them ({how})" if how else "")
