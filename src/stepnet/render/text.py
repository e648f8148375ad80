"""Rendering rich renderables to a plain string at a fixed width (tests, the Python API)."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

from rich.console import Console

from ..derive.derivation import Formatter
from .terminal import TerminalRenderer


def render_text(build: Callable[[TerminalRenderer], list], fmt: Formatter, width: int = 100,
                ascii_only: bool = False) -> str:
    buf = StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False, no_color=True,
                      legacy_windows=False, emoji=False, highlight=False, soft_wrap=False)
    for item in build(TerminalRenderer(fmt, ascii_only=ascii_only)):
        console.print(item)
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))
