"""A parsed config document checked, key by key, into a NetworkConfig.

:class:`TopLevel` runs the rule for each top-level key (:data:`~stepnet.config.sections.SECTIONS`)
and keeps every error each finds, the keys ordered by where their first error is: the
first error is then stable however the file is arranged, and ``stepnet validate`` lists
them all.  A key that cannot be read at all (a layer list that is no list) stops only the
checks that need it (weights against layer sizes), which are skipped.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, ConfigErrors
from .document import Document
from .model import Layer, NetworkConfig, Notation, Optimizer, Sample
from .reader import REQUIRED, Checker
from .sections import SECTIONS

EMPTY = "the file is empty: a config needs at least layers, learning_rate and data"
EMPTY_HINT = "`stepnet init` writes a starter config"


def check_document(doc: Document, file: str | None, default_name: str) -> NetworkConfig:
    """The :class:`NetworkConfig` for ``doc``; else its one error, or a :class:`ConfigErrors` of them all."""
    ck = Checker(doc, file)
    if doc.value is None:
        raise ConfigError(EMPTY, file=file, line=1, column=1, hint=EMPTY_HINT)
    if not isinstance(doc.value, dict):
        found = ck.describe("", doc.value)
        what = "a mapping of keys (layers:, learning_rate:, data:, ...)"
        raise ck.error("", f"the top level of a config must be {what}, found {found}")
    return TopLevel(ck, doc.value).config(default_name)


class TopLevel:
    """Checks every top-level key, keeping going after an error to find them all."""

    def __init__(self, ck: Checker, top: dict[str, Any]) -> None:
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
        found = sorted(self.errors, key=lambda e: (e.line or 0, e.column or 0))  # sorted is stable
        found += [self.ck.error(key, f"missing required key '{key}'", hint, at="")
                  for key, hint in REQUIRED.items() if key not in self.top]
        if found:
            raise ConfigErrors.of(found)  # each key's errors together, the keys by where their first is
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
        zeros = {layer.name: (0.0,) * layer.bias_count for layer in layers}
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
