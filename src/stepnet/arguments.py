"""Checks of what the Python API is handed, each refusal a :class:`~stepnet.errors.UsageError`.

The command line checks its options with click before calling the API; a program calling
the API directly gets the same limits, worded for Python (``carry=``, not ``--carry``),
and never a bare TypeError or ValueError from deep inside a renderer.
"""

from __future__ import annotations

import operator
from dataclasses import replace
from typing import Any

from .errors import UsageError
from .formats import MARKDOWN_FLAVORS, VIEWS
from .limits import MAX_ITERATIONS


def whole(value: Any, what: str, low: int, high: int | None = None, *, optional: bool = False) -> int | None:
    """``value`` as an int from ``low`` to ``high`` (None allowed when ``optional``)."""
    if value is None and optional:
        return None
    bounds = f"of at least {low:,}" if high is None else f"from {low:,} to {high:,}"
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        raise UsageError(f"{what} must be a whole number {bounds}, not {value!r}")
    return number


def run_arguments(iterations, epochs, trace, carry, precision, sig) -> None:
    """The arguments of :func:`stepnet.run` that need no config to check."""
    whole(iterations, "iterations", 1, MAX_ITERATIONS, optional=True)
    whole(epochs, "epochs", 1, MAX_ITERATIONS, optional=True)
    whole(carry, "carry (decimal places kept at every step)", 0, 15, optional=True)
    whole(precision, "precision (decimal places shown)", 0, 17)
    whole(sig, "sig (significant digits shown)", 1, 17, optional=True)
    if trace is not None and not isinstance(trace, str):
        raise UsageError(f"trace must be a string such as 'all', 'first,last' or '1,5,10-12', not {trace!r}")


def planned_epochs(epochs: int | None, config) -> None:
    """``epochs`` passes over ``config``'s data stay within the updates stepnet makes in one run."""
    if epochs is None:
        return
    from .engine.training import batches_per_epoch

    per_epoch = batches_per_epoch(config)
    if epochs * per_epoch > MAX_ITERATIONS:
        raise UsageError(f"{epochs:,} epochs of {per_epoch:,} batches each is {epochs * per_epoch:,} updates; "
                         f"stepnet makes at most {MAX_ITERATIONS:,} in one run")


def choice(value: Any, options: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in options:
        import difflib

        close = difflib.get_close_matches(value, options, n=1) if isinstance(value, str) else []
        guess = f"did you mean '{close[0]}'? " if close else ""
        raise UsageError(f"unknown {what} {value!r}", hint=f"{guess}expected one of: {', '.join(options)}")
    return value


def view(value: Any) -> str:
    return choice(value, VIEWS, "view")


def flavor(value: Any) -> str:
    return choice(value, MARKDOWN_FLAVORS, "Markdown flavor")


def width(value: Any) -> int:
    return whole(value, "width (characters per line)", 40, 1000)


def iteration(value: Any) -> int | None:
    """An iteration number, or None; whether the run has it is the run's to say."""
    try:
        if isinstance(value, bool):
            raise TypeError
        return None if value is None else operator.index(value)
    except TypeError:
        raise UsageError(f"an iteration is a whole number, not {value!r}") from None


def name(value: Any, what: str = "a parameter or neuron", example: str = "w5") -> str:
    if not isinstance(value, str):
        raise UsageError(f"{what} is named by a string, such as '{example}', not {type(value).__name__}")
    return value


def limits(value: Any, names):
    """A :class:`~stepnet.derive.limits.Limits` whose ``only`` names are all the network's own.

    A name the network lacks would silently show nothing; it is refused naming the closest.
    A name in any notation (``h1->o1``, ``w(2)_11``) becomes the own name the report reads.
    """
    from .derive.limits import Limits, range_names

    if value is None:
        return None
    if not isinstance(value, Limits):
        raise UsageError(f"limits must be a stepnet.derive.limits.Limits, not {type(value).__name__}",
                         hint="Limits(neurons=8, params=16, samples=4, only=frozenset({'w5', 'h1'}))")
    for field in ("neurons", "params", "samples"):
        whole(getattr(value, field), f"limits.{field}", 0)
    if isinstance(value.only, str):
        raise UsageError("limits.only must be a set of names, such as frozenset({'w5', 'h1'}), not a string")
    only = set()
    for item in value.only:
        text = name(item, "each name of limits.only").strip().lower()
        try:
            ranged = range_names(names, text)
        except ValueError as exc:
            raise UsageError(f"limits.only: {exc}") from None
        if ranged is None:
            try:
                text = names.lookup(text).name.lower()
            except UsageError as exc:
                raise UsageError(f"limits.only: {exc.message}", hint=exc.hint) from None
        only.add(text)
    return replace(value, only=frozenset(only))


def quantity(names, text: Any, batch: int):
    """The quantity ``text`` names in an iteration of ``batch`` samples; a UsageError naming the closest if none."""
    from .derive.quantities import QuantityError
    from .derive.quantity_names import notation_forms_hint
    from .derive.quantity_parser import parse

    text = name(text, "a quantity", "out_o1")
    try:
        q = parse(text, names)
    except QuantityError as exc:
        message = str(exc)
        if message.startswith("unknown quantity") and "did you mean" not in message:
            message += f" (the closest is {_closest_quantity(text, names, batch)!r})"
        raise UsageError(message, hint=notation_forms_hint(names)) from None
    if q.sample is not None and q.sample >= batch:
        samples = f"{batch} sample{'' if batch == 1 else 's'}"
        raise UsageError(f"'{text}' names sample {q.sample + 1}, but this iteration's batch has {samples}",
                         hint=f"samples are numbered @1 to @{batch}" if batch > 1 else "drop the @N")
    return q


def _closest_quantity(text: str, names, batch: int) -> str:
    import difflib
    import itertools

    from .derive.quantities import all_quantities
    from .derive.quantity_names import quantity_name

    candidates = [quantity_name(q, names) for q in itertools.islice(all_quantities(names, batch), 20_000)]
    return max(candidates, key=lambda c: difflib.SequenceMatcher(None, text.lower(), c.lower()).ratio())
