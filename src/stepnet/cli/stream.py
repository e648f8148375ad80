"""``stepnet run`` in text and JSON: the output written as the run goes, one traced iteration at a time.

Memory stays at one traced iteration however many are traced.  A file is written to a
temporary file beside it and takes its place only when the run finished; standard output
gets each piece as it comes.  Before anything runs, output too large to write or an
iteration too large to hold is refused with the size and a ``--trace`` that fits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from ..limits import MAX_HELD_BYTES, MAX_OUTPUT_BYTES
from .files import streamed_file
from .options import OutputOptions

if TYPE_CHECKING:
    from ..api import Run
    from ..config.model import NetworkConfig
    from ..derive.limits import Limits

STREAMED = ("text", "json")  # the formats written as the run goes; the others are made whole at the end
ESTIMATED = ("text", "json", "markdown", "html", "latex")  # the formats whose size grows with the traced iterations
_NAMES = {"text": "text", "json": "JSON", "markdown": "Markdown", "html": "HTML", "latex": "LaTeX"}


def refuse_oversize(cfg: NetworkConfig, planned: int, trace_spec: str | None, fmt: str,
                    limits: Limits | None = None) -> None:
    """A usage error, before the run, for output over :data:`MAX_OUTPUT_BYTES` or traced iterations
    that would take more than :data:`MAX_HELD_BYTES` of memory at once; it says by how much and
    which ``--trace`` fits."""
    if fmt not in ESTIMATED:
        return
    from ..engine.training import traced_set
    from ..render.estimate import about, json_estimate, text_estimate

    traced = len(traced_set(trace_spec, planned))
    estimate = json_estimate(cfg, planned) if fmt == "json" else text_estimate(cfg, planned, fmt, limits)
    shape = "-".join(str(layer.size) for layer in cfg.layers)
    what = f"{traced:,} traced iteration{'s' if traced != 1 else ''} of this {shape} network as {_NAMES[fmt]}"
    held = estimate.iteration_memory * (1 if fmt in STREAMED else traced)
    if fmt in STREAMED and held > MAX_HELD_BYTES:
        raise click.UsageError(
            f"one traced iteration of this {shape} network as {_NAMES[fmt]} would take about {about(held)} of "
            f"memory to write, more than the {about(MAX_HELD_BYTES)} stepnet holds at once; use --format text, "
            "which shows wide layers in part (--only NAMES for the ones you want)")
    total = estimate.total(traced)
    by_memory = MAX_HELD_BYTES // max(1, estimate.iteration_memory)
    if total > MAX_OUTPUT_BYTES:
        fit, room = estimate.fits(MAX_OUTPUT_BYTES), about(MAX_OUTPUT_BYTES)
        if fmt not in STREAMED and by_memory < fit:
            fit, room = by_memory, f"the {about(MAX_HELD_BYTES)} of memory it may take"
        raise click.UsageError(f"{what} would be about {about(total)}; {_advice(fit, room)}")
    if held > MAX_HELD_BYTES:
        raise click.UsageError(f"{what} would take about {about(held)} of memory to make, as {_NAMES[fmt]} is "
                               f"made whole before it is written; {_advice(by_memory, about(MAX_HELD_BYTES))}, "
                               "or use --format text or json, which are written as the run goes")


def _advice(fit: int, room: str) -> str:
    """Which --trace keeps the output within ``room``, given that ``fit`` traced iterations do."""
    if fit >= 2:
        return f"at most {fit:,} fit in {room}: use --trace first,last or --trace 1-{fit}"
    if fit == 1:
        return f"only one fits in {room}: use --trace first or --trace last"
    return f"not even one fits in {room}: use a smaller network, or --format text"


def stream_run(cfg: NetworkConfig, out: OutputOptions, limits: Limits, view: str, planned: int, *,
               iterations: int | None, epochs: int | None, trace_spec: str | None, carry: int | None,
               carry_sig: int | None = None, progress=None) -> Run:
    """Run ``cfg``, writing the report (text) or the document (json) as each traced iteration comes."""
    from .. import api
    from ..derive.derivation import Formatter
    from ..derive.names import Names
    from ..engine.rounding import hand_carry
    from .output import completed

    fmt, names = Formatter(out.precision, out.sig), Names(cfg)
    run_carry = hand_carry(carry, carry_sig)  # the carry the run will have, as its head shows it
    with _destination(out) as target:
        if out.format == "json":
            from ..render.json import JsonStream

            writer = JsonStream(target.write, names)
            head = lambda initial: writer.head(cfg, run_carry, initial, planned, trace_spec)  # noqa: E731
            handle, tail = writer.iteration, writer.tail
        else:
            from ..engine.training import traced_set
            from ..render.stream import TextStream
            from .output import ascii_wanted

            ascii_only = out.ascii_only if out.to_file else ascii_wanted(out.ascii_only)
            text = TextStream(target.console(), names, fmt, ascii_only=ascii_only, limits=limits, view=view,
                              chosen=sorted(traced_set(trace_spec, planned)))
            head = lambda initial: text.head(cfg, planned, run_carry)  # noqa: E731
            handle, tail = text.iteration, text.tail
        pieces = _Pieces(head, handle, tail)
        with _fewer_collections():
            result = api.stream(cfg, iterations, epochs=epochs, trace=trace_spec, carry=carry, carry_sig=carry_sig,
                                precision=out.precision, sig=out.sig, progress=progress, on_start=pieces.start,
                                on_iteration=pieces.iteration)
        pieces.tail(result.trace)
        if completed(result):  # a file gets a finished run only, never a partial one
            target.commit()
    return result


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector run less often while the run goes, as before afterwards.

    A traced iteration makes and drops tens of thousands of small objects (expression trees,
    lines, strings) that hold no cycles, so reference counting frees them; the collector,
    started every 700 allocations by default, would only walk them again and again.
    """
    import gc

    before = gc.get_threshold()
    gc.set_threshold(50_000, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _Pieces:
    """The head, each iteration and the tail, in order; the head is written with the first of the
    others, so a run that fails before its first iteration is done writes nothing."""

    def __init__(self, head: Callable, iteration: Callable, tail: Callable) -> None:
        self._head, self._iteration, self._tail = head, iteration, tail
        self.initial = None

    def start(self, initial) -> None:
        self.initial = initial

    def _write_head(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            head(self.initial)

    def iteration(self, it) -> None:
        self._write_head()
        self._iteration(it.trace)

    def tail(self, run) -> None:
        self._write_head()
        self._tail(run)


class _Target:
    """Where the pieces go: standard output, or a file kept only once committed.  The text form
    writes through a rich Console; in a file, each of its lines without trailing spaces."""

    def __init__(self, out: OutputOptions, file=None) -> None:
        self.out, self.file = out, file
        self.lines = _Lines(file.write) if file is not None else None

    def write(self, text: str) -> None:
        if self.file is not None:
            self.file.write(text)
            return
        try:
            sys.stdout.write(text)
        except BrokenPipeError:
            from .output import _closed_pipe

            _closed_pipe()

    def console(self):
        from .output import console

        return console(self.out, self.lines)

    def commit(self) -> None:
        if self.file is not None:
            if self.lines is not None:
                self.lines.close()
            self.file.commit()


@contextmanager
def _destination(out: OutputOptions) -> Iterator[_Target]:
    if not out.to_file:
        yield _Target(out)
        return
    with streamed_file(out.path) as file:
        yield _Target(out, file)


class _Lines:
    """A text stream that writes each line without its trailing spaces, as a file of the text form has it."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write, self._rest = write, ""

    def write(self, text: str) -> int:
        if "\n" not in text:
            self._rest += text
            return len(text)
        lines = (self._rest + text).split("\n")
        self._rest = lines.pop()
        self._write("".join(line.rstrip() + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def close(self) -> None:
        if self._rest:
            self._write(self._rest.rstrip())
            self._rest = ""
