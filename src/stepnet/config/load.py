"""Loading a config: a file or a mapping, read, validated, frozen."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError
from ..limits import MAX_FILE_BYTES, size_text
from .model import NetworkConfig

# The YAML reader and the checks are imported only when a config is loaded, so that
# ``import stepnet.config`` stays light (no yaml, numpy, sympy or rich).



def load_config(
    source: str | os.PathLike[str] | Mapping[str, Any], *, name: str | None = None
) -> NetworkConfig:
    """Read and validate a config from a YAML file or from an already parsed mapping.

    ``name`` labels the source in error messages and in ``NetworkConfig.source``; it
    defaults to the path exactly as given, or to None ("<config>" in messages) for a
    mapping.  The network's default name is the stem of that label, else "network".
    A mapping has no positions, but its errors still name the key path.  Every problem
    with the config is a :class:`~stepnet.errors.ConfigError`; a ``source`` that is
    neither a mapping nor a path is a TypeError.
    """
    from .document import from_python
    from .validate import check_document

    if isinstance(source, Mapping):
        return check_document(from_python(source, name), name, _default_name(name))
    path = os.fsdecode(os.fspath(source))
    label = path if name is None else name
    return parse_config_text(_read_text(path, label), label)


def parse_config_text(text: str, source: str = "<string>") -> NetworkConfig:
    """Parse and validate YAML ``text``; ``source`` names it in error messages."""
    from .document import read_yaml
    from .validate import check_document

    text = text.removeprefix("\ufeff")  # a byte order mark
    return check_document(read_yaml(text, source), source, _default_name(source))


def schema_text() -> str:
    """The JSON Schema of the config format (``stepnet/examples/config.schema.json``)."""
    from importlib.resources import files

    return files("stepnet.examples").joinpath("config.schema.json").read_text(encoding="utf-8")


def _default_name(label: str | None) -> str:
    if not label or label.startswith("<"):
        return "network"
    return os.path.splitext(os.path.basename(label))[0] or "network"


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _read_text(path: str, label: str) -> str:
    """The text of a file or of standard input (``-``), read with a size limit.

    Refuses what is missing, a directory, anything but a regular file (a FIFO would
    block, a device never ends), more than :data:`~stepnet.limits.MAX_FILE_BYTES`, or
    not UTF-8.
    """
    try:
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1) if path == "-" else _read_regular(path, label)
    except FileNotFoundError:
        raise ConfigError(
            "no such file", file=label, hint="check the path; `stepnet init` writes a starter config"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", file=label) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(f"more than {MAX_FILE_BYTES:,}" if path == "-" else f"{len(data):,}", label)
    return _decode(data, label)


def _read_regular(path: str, label: str) -> bytes:
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        _check_regular(os.fstat(fd), label)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as stream:
        return stream.read(MAX_FILE_BYTES + 1)


def _check_regular(info: os.stat_result, label: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError("this is a directory, not a config file", file=label)
    if not stat.S_ISREG(info.st_mode):
        kind = next((words for test, words in _KINDS if test(info.st_mode)), "not a regular file")
        raise ConfigError(
            f"this is {kind}, not a regular file", file=label,
            hint="give the path of a config file, or - to read the config from standard input",
        )
    if info.st_size > MAX_FILE_BYTES:
        raise _too_large(f"{info.st_size:,}", label)


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = f"byte 0x{data[exc.start]:02x} at byte offset {exc.start}"
        message = f"the file is not UTF-8 text: {byte} cannot be decoded"
        raise ConfigError(message, file=label, line=line, column=column, hint="save the file as UTF-8") from None


def _too_large(size: str, label: str) -> ConfigError:
    return ConfigError(
        f"the file is {size} bytes; stepnet reads config files of at most {size_text(MAX_FILE_BYTES)}",
        file=label,
        hint="a large network takes its weights from init: {method: xavier, seed: 1} instead of listing them",
    )
