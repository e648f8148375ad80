"""Validation of a parsed config (a :class:`~stepnet.yamlread.Document`) into a NetworkConfig.

:class:`Checker` reads typed values (numbers, names, choices, mappings) and words the
errors: what was expected, what was found, and where useful a hint.  :class:`TopLevel`
runs the rule for each top-level key (in :mod:`stepnet.configsections`), keeps one
error per key, and reports the first in document order, so the message is stable
however the file is arranged.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from typing import Any

from .config import Layer, NetworkConfig, Notation, Optimizer, Sample
from .errors import ConfigError
from .yamlread import Document, join_path, resolve_number

Handlers = dict[str, Callable[[str, Any], Any]]

POSITIVE = (lambda x: x > 0, "greater than 0")
FRACTION = (lambda x: 0 <= x < 1, "from 0 up to (not including) 1")


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str) -> str:
    """``'text'`` in single quotes, shortened if long."""
    return "'" + shorten(text).replace("'", "\\'") + "'"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


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
        reported after the keys that are present.
        """
        table = self.mapping(path, value, what)
        result = {}
        for name, item in table.items():
            sub = join_path(path, name)
            if name not in handlers:
                raise self.unknown(sub, name, handlers, "key", key=True)
            result[name] = handlers[name](sub, item)
        for name in required:
            if name not in table:
                raise self.error(join_path(path, name), f"missing required key '{name}'", at=path)
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
        return tuple(self.number(join_path(path, i), item) for i, item in enumerate(value))


# -- the document as a whole ------------------------------------------------------------

REQUIRED = {
    "layers": "list the layers, input first: layers: [{name: i, size: 2}, {name: o, size: 1}]",
    "learning_rate": "add learning_rate: 0.5 (the step size of each update)",
    "data": "add data: [{inputs: [0.05, 0.10], targets: [0.01, 0.99]}], one entry per sample",
}
EMPTY = "the file is empty: a config needs at least layers, learning_rate and data"
EMPTY_HINT = "`stepnet init` writes a starter config"


def check_document(doc: Document, file: str | None, default_name: str) -> NetworkConfig:
    """The :class:`NetworkConfig` for ``doc``, or the first :class:`ConfigError` in it."""
    ck = Checker(doc, file)
    if doc.value is None:
        raise ConfigError(EMPTY, file=file, line=1, column=1, hint=EMPTY_HINT)
    if not isinstance(doc.value, dict):
        found = ck.describe("", doc.value)
        what = "a mapping of keys (layers:, learning_rate:, data:, ...)"
        raise ck.error("", f"the top level of a config must be {what}, found {found}")
    return TopLevel(ck, doc.value).config(default_name)


class TopLevel:
    """Checks every top-level key, keeping going after an error to find the first one."""

    def __init__(self, ck: Checker, top: dict[str, Any]) -> None:
        from .configsections import SECTIONS  # the rules import this module

        self.sections = SECTIONS
        self.ck, self.top = ck, top
        self.parts: dict[str, Any] = {}
        self.checked: set[str] = set()
        self.errors: list[ConfigError] = []
        self.layers: tuple[Layer, ...] | None = None
        self.loss: str | None = "half_sse"  # None once the given loss is invalid
        self.samples: tuple[Sample, ...] | None = None

    def check(self, key: str) -> Any:
        """The checked part for ``key`` (None if absent or invalid, the error kept)."""
        if key not in self.top or key in self.checked:
            return self.parts.get(key)
        self.checked.add(key)
        try:
            self.parts[key] = self.sections[key](self.ck, key, self.top[key], self)
        except ConfigError as error:
            self.errors.append(error)
        return self.parts.get(key)

    def config(self, default_name: str) -> NetworkConfig:
        self.layers = self.check("layers")
        self.loss = self.check("loss") if "loss" in self.top else "half_sse"
        self.samples = self.check("data")
        for key in self.top:
            if key in self.sections:
                self.check(key)
            else:
                self.errors.append(self.ck.unknown(key, key, self.sections, "key", key=True))
        self._check_weights_given()
        if self.errors:
            raise min(self.errors, key=lambda e: (e.line or 0, e.column or 0))  # min is stable
        for key, hint in REQUIRED.items():
            if key not in self.top:
                raise self.ck.error(key, f"missing required key '{key}'", hint, at="")
        return self._build(default_name)

    def _check_weights_given(self) -> None:
        """Every layer after the input needs weights, from ``weights`` or from ``init``."""
        if self.layers is None or self._failed("weights") or self._failed("init"):
            return
        weights = self.parts.get("weights", {})
        for index, layer in enumerate(self.layers[1:], start=1):
            if layer.name not in weights and "init" not in self.top:
                at = "weights" if "weights" in self.top else f"layers[{index}]"
                fix = f"give weights.{layer.name} or init: {{method: xavier, seed: 1}}"
                message = f"layer '{layer.name}' has no weights: {fix}"
                self.errors.append(self.ck.error(f"weights.{layer.name}", message, at=at, key=True))
                return

    def _failed(self, key: str) -> bool:
        return key in self.top and key not in self.parts

    def _build(self, default_name: str) -> NetworkConfig:
        parts, layers = self.parts, self.layers
        given, weights = parts.get("biases", {}), parts.get("weights", {})
        zeros = {layer.name: (0.0,) * (1 if layer.bias == "shared" else layer.size) for layer in layers}
        biases = {
            layer.name: given.get(layer.name, zeros[layer.name])
            for layer in layers[1:]
            if layer.bias != "none"
        }
        return NetworkConfig(
            name=parts.get("name", default_name),
            layers=layers,
            data=self.samples,
            learning_rate=parts["learning_rate"],
            loss=self.loss,
            weights={layer.name: weights[layer.name] for layer in layers if layer.name in weights},
            biases=biases,
            init=parts.get("init"),
            train_biases=parts.get("train_biases", True),
            optimizer=parts.get("optimizer", Optimizer()),
            batch_size=parts.get("batch_size"),
            shuffle_seed=parts.get("shuffle"),
            iterations=parts.get("iterations"),
            hidden_deltas_use=parts.get("hidden_deltas_use", "current_weights"),
            notation=parts.get("notation", Notation()),
            claims=parts.get("claims", ()),
            description=parts.get("description", ""),
            source=self.ck.file,
            positions=dict(self.ck.doc.positions),
        )
