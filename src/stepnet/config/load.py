"""Loading a config: a file or a mapping, read, validated, frozen."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from typing import Any

from .model import NetworkConfig
from ..errors import ConfigError

# The YAML reader and the checks are imported only when a config is loaded, so that
# ``import stepnet.config`` stays light (no yaml, numpy, sympy or rich).

MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MiB


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


def _read_text(path: str, label: str) -> str:
    """The file's text, refusing what is missing, a directory, too large or not UTF-8."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError("this is a directory, not a config file", file=label)
        if info.st_size > MAX_FILE_BYTES:
            raise _too_large(info.st_size, label)
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(
            "no such file", file=label, hint="check the path; `stepnet init` writes a starter config"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", file=label) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(len(data), label)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = f"byte 0x{data[exc.start]:02x} at byte offset {exc.start}"
        message = f"the file is not UTF-8 text: {byte} cannot be decoded"
        raise ConfigError(message, file=label, line=line, column=column, hint="save the file as UTF-8") from None


def _too_large(size: int, label: str) -> ConfigError:
    limit = f"{MAX_FILE_BYTES // (1024 * 1024)} MiB ({MAX_FILE_BYTES:,} bytes)"
    return ConfigError(
        f"the file is {size:,} bytes; stepnet reads config files of at most {limit}", file=label
    )
