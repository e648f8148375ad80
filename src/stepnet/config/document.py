"""YAML text -> plain values with the line and column of every key and value.

PyYAML composes the text into nodes (which carry marks); the values are built here
rather than by a PyYAML constructor, so that:

* plain scalars follow the YAML 1.2 core schema: ``5e-1`` and ``.5`` are floats,
  ``true``/``True``/``TRUE`` are booleans, but ``yes``/``no``/``on``/``off`` stay strings;
* only the standard tags (str, int, float, bool, null, map, seq) are accepted, and no
  Python object is ever constructed;
* duplicate keys, alias bombs and deep nesting are errors, not surprises;
* every key path (``layers[1].activation``) keeps its 1-based position, and every
  number keeps its source text (``0.75136507`` states 8 decimals).

Values come out as ``dict`` (keys are always strings), ``list``, ``str``, ``int``,
``float``, ``bool`` or ``None``.  :func:`from_python` gives the same structure for
a mapping built in Python (without positions).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import ConfigError
from ..limits import MAX_DEPTH, MAX_VALUES

Position = tuple[int, int]

_STD = "tag:yaml.org,2002:"
_PLAIN = "tag:stepnet:plain"  # our marker for an untagged plain scalar
_STR, _INT, _FLOAT, _BOOL, _NULL = (_STD + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP = _STD + "seq", _STD + "map"

_BaseLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _ComposeOnly(_BaseLoader):  # type: ignore[misc, valid-type]
    """Composes nodes, marking untagged plain scalars rather than resolving them by YAML 1.1."""

    def resolve(self, kind, value, implicit):  # PyYAML's hook for an untagged node
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


@dataclass
class Document:
    """A parsed config: the value tree and where each of its parts was written."""

    value: Any
    positions: dict[str, Position] = field(default_factory=dict)  # key path -> its value
    key_positions: dict[str, Position] = field(default_factory=dict)  # key path -> its key
    texts: dict[str, str] = field(default_factory=dict)  # key path -> a number's source text

    def locate(self, path: str, *, key: bool = False) -> Position | None:
        """Where ``path`` (or, failing that, its nearest written parent) was written.

        ``key=True`` prefers the key (``learning_rat:``) over the value after it.
        """
        first, second = (self.key_positions, self.positions)
        if not key:
            first, second = second, first
        while True:
            found = first.get(path) or second.get(path)
            if found or not path:
                return found
            path = parent_path(path)


def join_path(path: str, key: str | int) -> str:
    """``join_path("weights", "h") == "weights.h"``; ``join_path("data", 0) == "data[0]"``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rpartition(".")[0]


# -- YAML 1.2 core schema -----------------------------------------------------------

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_RE = re.compile(r"[-+]?[0-9]+")
_OCT_RE = re.compile(r"0o[0-7]+")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF_RE = re.compile(r"([-+]?)\.(?:inf|Inf|INF)")
_NAN_RE = re.compile(r"\.(?:nan|NaN|NAN)")


def _parse_int(text: str) -> int | float:
    try:
        return int(text, 10)
    except ValueError:  # more digits than Python converts: far too large anyway
        return math.copysign(math.inf, -1.0 if text.startswith("-") else 1.0)


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    number = resolve_number(text)
    return text if number is None else number


def resolve_number(text: str) -> int | float | None:
    """``text`` as a YAML 1.2 core int or float, or None if it is not one."""
    if _INT_RE.fullmatch(text):
        return _parse_int(text)
    if _OCT_RE.fullmatch(text):
        return int(text, 0)
    if _HEX_RE.fullmatch(text):
        return int(text, 0)
    if _FLOAT_RE.fullmatch(text):
        return float(text)
    inf = _INF_RE.fullmatch(text)
    if inf:
        return -math.inf if inf.group(1) == "-" else math.inf
    if _NAN_RE.fullmatch(text):
        return math.nan
    return None


def _resolve_tagged(tag: str, text: str) -> tuple[bool, Any]:
    """(ok, value) for a scalar with an explicit standard tag."""
    if tag == _STR:
        return True, text
    if tag == _NULL:
        return text in _NULLS, None
    if tag == _BOOL:
        return text in _BOOLS, _BOOLS.get(text)
    number = resolve_number(text)
    if tag == _INT:
        return isinstance(number, int), number
    return number is not None, None if number is None else float(number)


# -- reading --------------------------------------------------------------------------


def read_yaml(text: str, source: str | None = None) -> Document:
    """Parse ``text`` into a :class:`Document`; every problem is a :class:`ConfigError`.

    An empty document (nothing but comments) gives ``Document(None)``.
    """
    try:
        _check_depth(text, source)
        node = yaml.compose(text, Loader=_ComposeOnly)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, source) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, source) from None
    except (yaml.YAMLError, UnicodeError) as exc:
        raise ConfigError(f"could not parse YAML: {exc}", file=source) from None
    builder = _Builder(source)
    if node is not None:
        builder.doc.value = builder.build(node, "", 1)
    return builder.doc


def _check_depth(text: str, source: str | None) -> None:
    """Refuse deep nesting and too many values before composing.

    libyaml's composer recurses in C, and building a value tree costs far more than
    this scan of the parser's events, so an oversized file is refused in a second,
    not after a minute.
    """
    depth = values = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):  # keys count too
            values += 1
            if values > MAX_VALUES:
                message = f"the document holds more than {MAX_VALUES:,} values, stepnet's limit for one config"
                hint = "a large network takes its weights from init: {method: xavier, seed: 1} instead of listing them"
                raise _marked_error(event.start_mark, "", source, message, hint)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _marked_error(event.start_mark, "", source, _depth_message())
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _depth_message() -> str:
    return f"the document nests lists and mappings deeper than {MAX_DEPTH} levels"


def _marked_error(mark, path: str, source: str | None, message: str, hint=None) -> ConfigError:
    return ConfigError(
        message, file=source, line=mark.line + 1, column=mark.column + 1, key=path or None, hint=hint
    )


_TOKEN_NAMES = {
    "<block end>": "the end of the indented block",
    "'<block mapping start>'": "a more indented key",
    "'<block sequence start>'": "a more indented list",
    "'<stream end>'": "the end of the file",
    "'<scalar>'": "a value",
    " in this context": " here",
}


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, source: str | None) -> ConfigError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if problem.startswith("but ") and exc.context:  # "expected a single document ..."
        problem = f"{exc.context}, {problem}"
    for token, words in _TOKEN_NAMES.items():
        problem = problem.replace(token, words)
    char = _char_at(text, mark)
    hint = None
    if problem == "found character that cannot start any token" and char:
        problem = f"found character {char!r} that cannot start any token"
    if problem == "found undefined alias":
        name = re.match(r"\*([^\s,\]}]*)", _line_at(text, mark)[mark.column :])
        problem += f" '*{name.group(1)}'" if name else ""
        hint = "an alias *name must come after its anchor &name"
    if char == "\t" or "'\\t'" in problem:
        hint = "YAML indents with spaces, not tabs"
    elif exc.context and exc.context_mark and not problem.startswith(exc.context):
        hint = f"{exc.context} that started at line {exc.context_mark.line + 1}"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return ConfigError(f"could not parse YAML: {problem}", file=source, line=line, column=column, hint=hint)


def _line_at(text: str, mark) -> str:
    lines = text.splitlines()
    return lines[mark.line] if mark is not None and mark.line < len(lines) else ""


def _char_at(text: str, mark) -> str | None:
    line = _line_at(text, mark)
    return line[mark.column] if mark is not None and mark.column < len(line) else None


def _reader_error(exc: yaml.reader.ReaderError, text: str, source: str | None) -> ConfigError:
    offset = exc.position
    if _BaseLoader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
        offset = len(text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore"))
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return ConfigError(
        f"could not parse YAML: the character U+{code:04X} is not allowed in a YAML file",
        file=source,
        line=line,
        column=column,
        hint="remove the control character (YAML allows tab, newline and printable text)",
    )


class _Builder:
    """Turns composed nodes into values, counting every value that aliases expand."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.count = 0
        self.open: set[int] = set()  # the collections being built: an alias to one is a cycle
        self.doc = Document(None)

    def build(self, node, path: str, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _marked_error(
                node.start_mark,
                path,
                self.source,
                f"the document holds more than {MAX_VALUES:,} values once aliases are expanded",
                "each alias (*name) repeats everything its anchor (&name) refers to",
            )
        self.doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if depth > MAX_DEPTH:
            raise _marked_error(node.start_mark, path, self.source, _depth_message())
        expected = _SEQ if isinstance(node, SequenceNode) else _MAP
        if node.tag != expected:
            raise self._tag_error(node, path)
        if id(node) in self.open:
            raise self._error(node, path, "an alias refers to a list or mapping that contains it")
        self.open.add(id(node))
        if isinstance(node, SequenceNode):
            value = [self.build(item, join_path(path, i), depth + 1) for i, item in enumerate(node.value)]
        else:
            value = self._mapping(node, path, depth)
        self.open.discard(id(node))
        return value

    def _scalar(self, node: ScalarNode, path: str) -> Any:
        if node.tag == _PLAIN:
            value = resolve_plain(node.value)
        elif node.tag in (_STR, _INT, _FLOAT, _BOOL, _NULL):
            ok, value = _resolve_tagged(node.tag, node.value)
            if not ok:
                raise self._error(node, path, f"{node.value!r} is not a valid {_short(node.tag)}")
        else:
            raise self._tag_error(node, path)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.doc.texts[path] = node.value
        return value

    def _mapping(self, node: MappingNode, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self._error(key_node, path, "a key must be a plain name, not a list or mapping")
            if key_node.tag not in (_PLAIN, _STR, _INT, _FLOAT, _BOOL, _NULL):
                raise self._tag_error(key_node, path)
            key = key_node.value
            sub = join_path(path, key)
            if key in result:
                first = self.doc.key_positions[sub][0]
                raise self._error(key_node, sub, f"duplicate key '{key}' (first at line {first})")
            mark = key_node.start_mark
            self.doc.key_positions[sub] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, sub, depth + 1)
        return result

    def _error(self, node, path: str, message: str, hint: str | None = None) -> ConfigError:
        return _marked_error(node.start_mark, path, self.source, message, hint)

    def _tag_error(self, node, path: str) -> ConfigError:
        return self._error(
            node,
            path,
            f"tag '{_short(node.tag)}' is not allowed: stepnet reads plain YAML data only",
            "remove the tag (the text starting with '!')",
        )


def _short(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


# -- values built in Python -------------------------------------------------------------


def from_python(value: Mapping[str, Any], source: str | None = None) -> Document:
    """A :class:`Document` (without positions) for a mapping built in Python.

    Nested mappings and sequences become dicts and lists; numbers (including numpy's)
    become int or float; anything else is a :class:`ConfigError`.
    """
    doc = Document(None)
    counter = [0]
    doc.value = _plain(value, "", 1, doc, counter, source)
    return doc


def _plain(value: Any, path: str, depth: int, doc: Document, counter: list[int], source) -> Any:
    counter[0] += 1
    container = isinstance(value, (Mapping, list, tuple))
    if counter[0] > MAX_VALUES or (container and depth > MAX_DEPTH):
        message = _depth_message() if counter[0] <= MAX_VALUES else f"more than {MAX_VALUES:,} values"
        raise ConfigError(message, file=source, key=path or None)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        doc.texts[path] = str(int(value))
        return int(value)
    if isinstance(value, numbers.Real):
        doc.texts[path] = repr(float(value))
        return float(value)
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ConfigError(f"keys must be strings, found {key!r}", file=source, key=path or None)
            result[key] = _plain(item, join_path(path, key), depth + 1, doc, counter, source)
        return result
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [_plain(v, join_path(path, i), depth + 1, doc, counter, source) for i, v in enumerate(value)]
    raise ConfigError(
        f"expected plain data (mappings, lists, strings, numbers, booleans), found {type(value).__name__}",
        file=source,
        key=path or None,
    )
