"""Typed reads of a parsed config (a :class:`~stepnet.config.document.Document`).

:class:`Checker` reads typed values (numbers, names, choices, mappings) and words the
errors: what was expected, what was found, and where useful a hint.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError, ConfigErrors, each_error
from .document import Document, join_path, resolve_number

Handlers = dict[str, Callable[[str, Any], Any]]

MAX_ERRORS = 1000  # errors found under one key before its checking stops
POSITIVE = (lambda x: x > 0, "greater than 0")
FRACTION = (lambda x: 0 <= x < 1, "from 0 up to (not including) 1")


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str) -> str:
    """``'text'`` in single quotes, shortened if long."""
    return "'" + shorten(text).replace("'", "\\'") + "'"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


class Collector:
    """Independent checks, each run whatever the others found; every error raised together at the end.

    ``attempt`` gives a check's result, or None when it failed (its errors kept); ``done``
    raises the one error, or a :class:`~stepnet.errors.ConfigErrors` of several, in the order found.
    After :data:`MAX_ERRORS` the checking stops there, the errors marked incomplete: a list
    of numbers that are all strings need not cost a message each.
    """

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def attempt(self, check: Callable[..., Any], *args: Any) -> Any:
        try:
            return check(*args)
        except ConfigError as error:
            self.errors.extend(each_error(error))
            self._stop_if_too_many(getattr(error, "complete", True))
            return None

    def add(self, error: ConfigError) -> None:
        self.errors.append(error)
        self._stop_if_too_many(True)

    def _stop_if_too_many(self, complete: bool) -> None:
        if not complete or len(self.errors) >= MAX_ERRORS:
            raise ConfigErrors(self.errors, complete=False)

    def done(self) -> None:
        if self.errors:
            raise ConfigErrors.of(self.errors)


class Checker:
    """Typed reads of a document's values, raising :class:`ConfigError` with positions."""

    def __init__(self, doc: Document, file: str | None) -> None:
        self.doc = doc
        self.file = file

    # -- errors -------------------------------------------------------------------

    def error(
        self, path: str, message: str, hint: str | None = None, *, key: bool = False, at: str | None = None
    ) -> ConfigError:
        """An error about ``path``, placed at ``at`` (default: ``path``) in the file.

        ``key=True`` points at the key rather than at its value.
        """
        line, column = self.doc.locate(path if at is None else at, key=key) or (None, None)
        return ConfigError(message, file=self.file, line=line, column=column, key=path or None, hint=hint)

    def text(self, path: str, value: Any) -> str:
        """A number as written in the file (``.nan``, ``5e-1``), else as Python writes it."""
        return self.doc.texts.get(path) or repr(value)

    def shown(self, path: str, value: Any) -> str:
        """:meth:`text`, shortened for a message."""
        return shorten(self.text(path, value))

    def describe(self, path: str, value: Any) -> str:
        """What the user wrote, for "found ..." in messages."""
        if value is None:
            return "an empty value"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return f"the number {self.shown(path, value)}"
        if isinstance(value, str):
            return f"the string {quote(value)}"
        if isinstance(value, list):
            return f"a list of {plural(len(value), 'item')}" if value else "an empty list"
        return "a mapping"

    def expected(self, path: str, what: str, value: Any, hint: str | None = None) -> ConfigError:
        return self.error(path, f"expected {what}, found {self.describe(path, value)}", hint)

    def unknown(self, path: str, word: str, options, what: str, *, key: bool = False) -> ConfigError:
        """``unknown activation 'sigmod' (did you mean 'sigmoid'?)``."""
        options = list(options)
        message = f"unknown {what} {quote(word)}"
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        hint = "expected one of: " + ", ".join(options)
        if word == "<<":
            hint = "YAML merge keys (<<) are not supported: write the keys out"
        return self.error(path, message, hint, key=key)

    # -- containers ---------------------------------------------------------------

    def mapping(self, path: str, value: Any, what: str = "a mapping") -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.expected(path, what, value)
        return value

    def sequence(self, path: str, value: Any, what: str = "a list") -> list[Any]:
        if not isinstance(value, list):
            raise self.expected(path, what, value)
        return value

    def fields(
        self, path: str, value: Any, handlers: Handlers, required=(), what: str = "a mapping"
    ) -> dict[str, Any]:
        """Check each key of a mapping in document order with its handler.

        Unknown keys are errors (with a suggestion); missing ``required`` keys are
        reported after the keys that are present.  Every key is checked: the errors of
        all of them are raised together.
        """
        table = self.mapping(path, value, what)
        result, found = {}, Collector()
        for name, item in table.items():
            sub = join_path(path, name)
            if name not in handlers:
                found.add(self.unknown(sub, name, handlers, "key", key=True))
                continue
            result[name] = found.attempt(handlers[name], sub, item)
        for name in required:
            if name not in table:
                found.add(self.error(join_path(path, name), f"missing required key '{name}'", at=path))
        found.done()
        return result

    # -- scalars ------------------------------------------------------------------

    def number(self, path: str, value: Any, rule=None) -> float:
        """A finite number (ints accepted, booleans and strings not); ``rule`` = (test, words)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            hint = None
            if isinstance(value, str) and resolve_number(value.strip()) is not None:
                hint = "remove the quotes: a quoted number is a string"
            raise self.expected(path, "a number", value, hint)
        try:
            result = float(value)
        except OverflowError:
            result = math.inf
        if not math.isfinite(result):
            raise self.error(path, f"expected a finite number, found {self.shown(path, value)}")
        if rule and not rule[0](result):
            raise self.error(path, f"expected a number {rule[1]}, found {self.shown(path, value)}")
        return result

    def integer(
        self, path: str, value: Any, minimum: int | None = None, maximum: int | None = None, hint=None
    ) -> int:
        """A whole number (``2.0`` is accepted, as JSON Schema does) within the bounds."""
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole:
            raise self.expected(path, "a whole number", value)
        result = int(value)
        if (minimum is None or result >= minimum) and (maximum is None or result <= maximum):
            return result
        words = f"of at least {minimum:,}" if maximum is None else f"from {minimum or 0:,} to {maximum:,}"
        raise self.error(path, f"expected a whole number {words}, found {self.shown(path, value)}", hint)

    def boolean(self, path: str, value: Any) -> bool:
        if not isinstance(value, bool):
            hint = None
            if isinstance(value, str) and value.lower() in ("yes", "no", "on", "off", "y", "n"):
                hint = "write true or false (in YAML 1.2, which stepnet reads, yes/no/on/off are strings)"
            raise self.expected(path, "true or false", value, hint)
        return value

    def string(self, path: str, value: Any, what: str = "a string") -> str:
        if not isinstance(value, str):
            hint = "put the text in quotes" if value is not None else None
            raise self.expected(path, what, value, hint)
        return value

    def plain_text(self, path: str, value: Any, what: str, lines: bool = False) -> str:
        """A string without control or bidirectional-formatting characters (``lines``: newlines and tabs allowed).

        Such characters in a title would reach the terminal and every export, where
        they could move the cursor, retitle the window or reverse the text.
        """
        text = self.string(path, value, what)
        allowed = "\n\t" if lines else ""
        bad = next((c for c in text if not c.isprintable() and c not in allowed), None)
        if bad is not None:
            found = repr(bad)[1:-1]
            raise self.error(path, f"expected {what} without control characters, found {found} in {quote(text)}")
        return text

    def choice(self, path: str, value: Any, options, what: str) -> str:
        """One of ``options``; a near miss gets a "did you mean"."""
        if not isinstance(value, str):
            article = "an" if what[0] in "aeiou" else "a"
            raise self.expected(path, f"{article} {what} ({', '.join(options)})", value)
        if value not in options:
            raise self.unknown(path, value, options, what)
        return value

    def numbers(self, path: str, value: Any, count: int | None = None, per: str = "") -> tuple[float, ...]:
        """A list of finite numbers, of length ``count`` when given (``per`` says why)."""
        why = f" ({per})" if per else ""
        wanted = plural(count, "number") if count is not None else "numbers"
        if not isinstance(value, list) or (count is None and not value):
            raise self.expected(path, f"a list of {wanted}{why}", value)
        if count is not None and len(value) != count:
            raise self.error(path, f"expected {wanted}{why}, found {len(value):,}")
        found = Collector()
        result = tuple(found.attempt(self.number, join_path(path, i), item) for i, item in enumerate(value))
        found.done()
        return result


# -- the document as a whole ------------------------------------------------------------

REQUIRED = {
    "layers": "list the layers, input first: layers: [{name: i, size: 2}, {name: o, size: 1}]",
    "learning_rate": "add learning_rate: 0.5 (the step size of each update)",
    "data": "add data: [{inputs: [0.05, 0.10], targets: [0.01, 0.99]}], one entry per sample",
}
