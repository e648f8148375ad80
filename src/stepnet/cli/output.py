"""Everything a command shows: one ``emit()`` for every format, whole-file writes, the console,
the progress bar, and the last word after a run that did not finish."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple, NoReturn, TextIO

import click

from .files import write_output
from .options import OutputOptions

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from ..api import Run
    from ..derive.derivation import Formatter
    from ..render.terminal import TerminalRenderer

Draw = Callable[["Console", bool], None]  # prints a text form on a console; the flag asks for ASCII only


Form = Callable[[OutputOptions], str]  # the whole file's text in one format, made only when asked for


class Document(NamedTuple):
    """A command's result in each form it offers; :func:`emit` makes the one asked for, when asked.

    ``draw`` is the terminal's text form; ``forms`` maps every other format it offers
    (markdown, json, python, ...) to the function that writes it.
    """

    draw: Draw
    forms: dict[str, Form] = {}


def rendered(fmt: Formatter, build: Callable[[TerminalRenderer], list[RenderableType]]) -> Draw:
    """A text form made by a TerminalRenderer: ``build`` picks what it renders."""

    def draw(console: Console, ascii_only: bool) -> None:
        from ..render.terminal import TerminalRenderer

        for item in build(TerminalRenderer(fmt, ascii_only=ascii_only)):
            console.print(item, crop=False)  # laid out to fit the width already: no line to crop

    return draw


def emit(out: OutputOptions, document: Document | str) -> None:
    """Show ``document`` as ``out`` asks: on standard output, or in a file written whole.

    Plain text (a config, a schema) is written as it is, whatever the format.
    """
    if isinstance(document, str):
        write_output(out.path, document)
    elif out.format != "text":
        write_output(out.path, _form(document, out)(out))
    elif out.to_file:
        write_output(out.path, _plain_text(document.draw, out))
    else:
        document.draw(console(out), ascii_wanted(out.ascii_only))


def _form(document: Document, out: OutputOptions) -> Form:
    if out.format in document.forms:
        return document.forms[out.format]
    offered = ", ".join(["text", *document.forms])
    ctx = click.get_current_context()
    raise click.UsageError(f"{ctx.info_name} writes {offered}, not {out.format}: pick one of those with --format",
                           ctx=ctx)


def _plain_text(draw: Draw, out: OutputOptions) -> str:
    """The text form as a file gets it: no colour, the given width (else 100), no trailing spaces.

    A file is UTF-8, so only --ascii asks for ASCII, whatever the terminal can show.
    """
    import io

    buffer = io.StringIO()
    draw(console(out, buffer), out.ascii_only)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def console(out: OutputOptions, stream: TextIO | None = None) -> Console:
    """A rich Console on ``stream`` (standard output): colour only on a terminal, and not with NO_COLOR."""
    from rich.console import Console

    stream = sys.stdout if stream is None else stream
    no_color = out.no_color or bool(os.environ.get("NO_COLOR"))
    tty = stream.isatty()
    result = Console(file=stream, width=out.width or (None if tty else 100), no_color=no_color,
                     color_system=None if (no_color or not tty) else "auto", highlight=False, emoji=False,
                     soft_wrap=False, legacy_windows=None if tty else False)
    result.on_broken_pipe = _closed_pipe  # rich would exit 1 itself; the command group decides
    return result


def _closed_pipe() -> NoReturn:
    """The reader of standard output went away: silence later writes, and say so to the group."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise BrokenPipeError(errno.EPIPE, "the reader of standard output closed it")


def ascii_wanted(flag: bool) -> bool:
    """ASCII when asked for, or when standard output cannot encode Unicode."""
    if flag:
        return True
    enc = (getattr(sys.stdout, "encoding", None) or "").lower()
    return bool(enc) and "utf" not in enc


@contextmanager
def progress(enabled: bool, description: str = "training") -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr, only when stderr is a terminal; yields its update function."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console(OutputOptions(), sys.stderr), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def completed(result: Run) -> bool:
    return result.trace.divergence is None and not result.trace.interrupted


def finish(result: Run, path: str = "-") -> None:
    """Exit 1 after a diverged run (130 after Ctrl-C), saying that no file was written."""
    trace = result.trace
    if completed(result):
        return
    kept = f"\n  nothing was written to {path}: the run did not finish" if path != "-" else ""
    if trace.divergence is not None:
        click.echo(f"Error: {_divergence_text(result)}{kept}", err=True)
        sys.exit(1)
    click.echo(f"Interrupted after {trace.done} iteration{'' if trace.done == 1 else 's'}.{kept}", err=True)
    sys.exit(130)


def _divergence_text(result: Run) -> str:
    from ..derive.run_summary import stop_reason

    reason = stop_reason(result.trace, result.names).removesuffix(" Try a smaller learning_rate.")
    rate = result.config.learning_rate
    where = f" in {result.config.source}" if result.config.source else ""
    hint = f"lower learning_rate (it is {rate:g}{where}): steps that are too large overshoot and grow without bound"
    if result.trace.divergence.iteration == 1:  # before any step mattered: the numbers themselves may be too large
        hint += "; or check the weights, inputs and targets for huge values"
    return f"{reason}\n  hint: {hint}"
