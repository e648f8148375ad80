"""Reading an answers file: the student, the exercise's config, and each answer exactly as written.

An answers file (``stepnet exercise`` writes one per variant) is a YAML mapping with
``student``, ``variant``, ``config`` (the whole network, as ``stepnet.api.load`` reads a
mapping), ``carry`` (hand mode, only when the exercise was set with it) and ``answers``, a
mapping from each asked quantity's name to the student's number, or null for a blank.

An answer's precision is the way it is written, so every answer is kept as its source
text: ``0.5930`` states 4 decimals, although YAML would read it as the float 0.593.
Quoted numbers are read the same way.  Anything that is not a plain decimal number makes
the whole file unreadable, with a :class:`~stepnet.errors.ConfigError` at its line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from ..config.document import Document, read_yaml
from ..config.model import NetworkConfig
from ..config.reader import Checker, quote
from ..derive.names import Names
from ..derive.quantities import Quantity, QuantityError, computed_quantities
from ..errors import ConfigError

KEYS = ("student", "variant", "config", "carry", "answers")
MAX_CARRY = 15  # as stepnet run --carry
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
HOW_TO_WRITE = "write a plain decimal number such as 0.5933 or -0.0217 (no thousands separators), or null for a blank"


@dataclass(frozen=True)
class Answer:
    """One blank of a sheet: the quantity asked, and the student's number as written (None: left blank)."""

    key: str  # the name as the file writes it
    q: Quantity
    text: str | None
    line: int | None = None


@dataclass(frozen=True)
class Sheet:
    """One student's answers file, read and checked, ready to be graded."""

    path: str
    student: str | None
    variant: int | None
    config: NetworkConfig
    carry: int | None
    answers: tuple[Answer, ...]  # in the order the iteration computes them

    @property
    def names(self) -> Names:
        return Names(self.config)


def read_sheet(path: str) -> Sheet:
    """The answers file at ``path``; a :class:`ConfigError` naming the file, line and key if it cannot be read."""
    from ..config.load import _read_text

    if path != "-" and not os.path.lexists(path):
        raise ConfigError("no such file", file=path,
                          hint="check the path; `stepnet exercise` writes one answers file per variant")
    text = _read_text(path, path).removeprefix("\ufeff")
    return parse_sheet(read_yaml(text, path), path)


def parse_sheet(doc: Document, path: str) -> Sheet:
    """The sheet of an already parsed answers document."""
    ck = Checker(doc, path)
    if not isinstance(doc.value, dict):
        raise ck.error("", f"an answers file is a mapping of {', '.join(KEYS)}, found {ck.describe('', doc.value)}",
                       "grade the answers files `stepnet exercise` writes")
    top = doc.value
    unknown = [k for k in top if k not in KEYS]
    if unknown:
        raise ck.unknown(unknown[0], unknown[0], KEYS, "key", key=True)
    for key in ("config", "answers"):
        if key not in top:
            raise ck.error(key, f"missing: an answers file has {', '.join(KEYS)}",
                           "grade the file `stepnet exercise` wrote, with only the nulls under answers: filled in")
    config = _config(doc, path)
    batch = config.effective_batch_size
    answers = _answers(ck, ck.mapping("answers", top["answers"], "a mapping of names to answers"), Names(config),
                       batch)
    return Sheet(path, _student(ck, top.get("student")), _whole(ck, "variant", top.get("variant"), 0, None),
                 config, _whole(ck, "carry", top.get("carry"), 0, MAX_CARRY), answers)


def _student(ck: Checker, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ck.text("student", value)
    raise ck.expected("student", "the student's name", value, "write student: Ada Lovelace")


def _whole(ck: Checker, key: str, value: Any, low: int, high: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        upto = f" to {high}" if high is not None else " or more"
        raise ck.expected(key, f"a whole number, {low}{upto}", value, f"as `stepnet exercise` wrote it: {key}: 1")
    return value


def _config(doc: Document, path: str) -> NetworkConfig:
    """The ``config:`` mapping checked as a config; its errors keep this file's lines, under ``config.``."""
    from ..config.validate import check_document

    sub = _subdocument(doc, "config")
    default = os.path.splitext(os.path.basename(path))[0] or "network"
    try:
        return check_document(sub, path, default)
    except ConfigError as exc:
        key = "config" + (f".{exc.key}" if exc.key and not exc.key.startswith("[") else (exc.key or ""))
        raise ConfigError(exc.message, file=exc.file, line=exc.line, column=exc.column, key=key,
                          hint=exc.hint) from None


def _subdocument(doc: Document, prefix: str) -> Document:
    """The part of ``doc`` under ``prefix``, with its paths (and so its positions) re-rooted there."""

    def under(table: dict) -> dict:
        out = {}
        for path, item in table.items():
            if path == prefix:
                out[""] = item
            elif path.startswith(prefix + ".") or path.startswith(prefix + "["):
                out[path[len(prefix):].removeprefix(".")] = item
        return out

    return Document(doc.value[prefix], under(doc.positions), under(doc.key_positions), under(doc.texts))


def _answers(ck: Checker, given: dict[str, Any], names: Names, batch: int) -> tuple[Answer, ...]:
    order = {q: i for i, q in enumerate(computed_quantities(names, batch))}
    found: dict[Quantity, Answer] = {}
    for key, value in given.items():
        path = f"answers.{key}"
        q = _quantity(ck, path, key, names, batch, order)
        if q in found:
            raise ck.error(path, f"{quote(key)} names the same number as {quote(found[q].key)}",
                           "keep one of the two", key=True)
        line = (ck.doc.locate(path) or (None, None))[0]
        found[q] = Answer(key, q, _answer_text(ck, path, value), line)
    return tuple(sorted(found.values(), key=lambda a: order[a.q]))


def _quantity(ck: Checker, path: str, key: str, names: Names, batch: int, order: dict) -> Quantity:
    from ..derive.quantity_parser import parse

    try:
        q = parse(key, names)
    except QuantityError as exc:
        raise ck.error(path, str(exc), "keep the names `stepnet exercise` wrote", key=True) from None
    if q.sample is not None and q.sample >= batch:
        raise ck.error(path, f"{quote(key)} names sample {q.sample + 1}, but the batch has {batch}",
                       "keep the names `stepnet exercise` wrote", key=True)
    if q not in order:
        raise ck.error(path, f"{quote(key)} is a given of the exercise, not a number to work out",
                       "remove it; keep the names `stepnet exercise` wrote", key=True)
    return q


def _answer_text(ck: Checker, path: str, value: Any) -> str | None:
    """The answer as written, or None for a blank; an error for anything but a plain decimal."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ck.expected(path, "a number", value, HOW_TO_WRITE)
    text = ck.text(path, value) if not isinstance(value, str) else value.strip().replace("\u2212", "-", 1)
    if isinstance(value, str) and not text:
        return None
    if not _DECIMAL.fullmatch(text):
        comma = _DECIMAL.fullmatch(text.replace(",", ".", 1))
        hint = f"write the decimal point as '.': {text.replace(',', '.', 1)}" if comma else HOW_TO_WRITE
        raise ck.error(path, f"expected a plain decimal number, found {quote(text)}", hint)
    return text
