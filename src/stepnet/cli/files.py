"""Where an output file really goes, and writing it whole.

The rule, as coreutils' and git's writers follow it: a regular file, or a path that does
not exist yet, is written atomically (a temporary file beside it, then a rename), so a
failure leaves the old file as it was.  A symbolic link is followed, and its target
written atomically in the target's folder; the link stays a link.  A character device
or a named pipe (``/dev/null``, ``/dev/stdout``, a FIFO) is written to directly: renaming
over it would replace the device with a file.  Anything else is refused.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple, NoReturn

import click


class Destination(NamedTuple):
    path: str  # where the bytes go: the link's target for a symlink
    atomic: bool  # False: a device or a pipe, written in place


def destination(path: str, param_hint: str = "-o/--output") -> Destination:
    """Where writing ``path`` puts the bytes; a usage error for what cannot be written."""
    shown = click.format_filename(path)
    real = os.path.realpath(path) if os.path.islink(path) else path
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise click.BadParameter(f"cannot write '{shown}': {exc.strerror or exc}", param_hint=param_hint) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise click.BadParameter(f"'{shown}' is a directory; give a file name", param_hint=param_hint)
    if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        if not os.access(path, os.W_OK):
            raise click.BadParameter(f"cannot write '{shown}': permission denied", param_hint=param_hint)
        return Destination(path, atomic=False)
    if mode is not None and not stat.S_ISREG(mode):
        raise click.BadParameter(f"cannot write '{shown}': it is neither a regular file, a device nor a pipe",
                                 param_hint=param_hint)
    folder = os.path.dirname(os.path.abspath(real)) or "."
    if not os.path.isdir(folder):
        raise click.BadParameter(f"cannot write '{shown}': the folder '{click.format_filename(folder)}' does not exist",
                                 param_hint=param_hint)
    if not os.access(folder, os.W_OK) or (mode is not None and not os.access(real, os.W_OK)):
        raise click.BadParameter(f"cannot write '{shown}': permission denied", param_hint=param_hint)
    return Destination(real, atomic=True)


def write_output(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole (see the module's rule); standard output for '-'."""
    if path == "-":
        click.echo(text, nl=False)
        return
    where = destination(path)
    try:
        if where.atomic:
            _replace(where.path, text)
        else:
            with open(where.path, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
    except OSError as exc:
        raise click.ClickException(
            f"cannot write '{click.format_filename(path)}': {exc.strerror or exc}; nothing was written"
        ) from None
    if where.atomic:
        click.echo(f"Wrote {click.format_filename(path)}", err=True)


class StreamedFile:
    """A file written piece by piece as a run goes, by the module's rule: a regular file is written
    to a temporary file beside it and renamed into place by :meth:`commit` only, so an unfinished
    run leaves no file and the old one as it was.  A device or a pipe is written in place."""

    def __init__(self, path: str) -> None:
        import tempfile

        self.shown = click.format_filename(path)
        self.where = destination(path)
        self.tmp: str | None = None
        self._restore = None
        try:
            if self.where.atomic:
                fd, self.tmp = tempfile.mkstemp(prefix=".stepnet-", suffix=".tmp",
                                                dir=os.path.dirname(os.path.abspath(self.where.path)))
                self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
                self._restore = _remove_on_termination(self.tmp)
            else:
                self.stream = open(self.where.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            self._failed(exc)

    def write(self, text: str) -> None:
        try:
            self.stream.write(text)
        except OSError as exc:
            self.discard()
            self._failed(exc)

    def commit(self) -> None:
        """The run finished: the file takes its place."""
        try:
            self.stream.close()
            if self.tmp is not None:
                os.chmod(self.tmp, _file_mode(self.where.path))
                os.replace(self.tmp, self.where.path)
                self.tmp = None
                click.echo(f"Wrote {self.shown}", err=True)
        except OSError as exc:
            self.discard()
            self._failed(exc)

    def discard(self) -> None:
        """The run did not finish (or writing failed): no file, and no temporary file left behind."""
        self.stream.close()
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except FileNotFoundError:
                pass
            self.tmp = None
        if self._restore is not None:
            self._restore()
            self._restore = None

    def _failed(self, exc: OSError) -> NoReturn:
        raise click.ClickException(f"cannot write '{self.shown}': {exc.strerror or exc}; nothing was written") from None


def _remove_on_termination(tmp: str):
    """Until the returned function is called, SIGTERM and SIGHUP first remove ``tmp``, then end the
    process as they would have (Ctrl-C is an exception, handled by the caller).  Returns None
    where handlers cannot be set (not the main thread)."""
    import signal

    # only signals that would end the process as they stand: an ignored or handled one is left alone
    signals = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
               if s is not None and signal.getsignal(s) == signal.SIG_DFL]

    def handler(signum, frame):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    try:
        for s in signals:
            signal.signal(s, handler)
    except ValueError:
        return None

    def restore() -> None:
        for s in signals:
            signal.signal(s, signal.SIG_DFL)

    return restore


@contextmanager
def streamed_file(path: str) -> Iterator[StreamedFile]:
    """A :class:`StreamedFile` that is discarded unless committed before the block ends, whatever ends it."""
    file = StreamedFile(path)
    try:
        yield file
    finally:
        file.discard()


def _replace(path: str, text: str) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".stepnet-", suffix=".tmp", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _file_mode(path: str) -> int:
    """The mode the written file gets: the replaced file's, else 0o666 minus the umask (mkstemp gives 0o600)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def same_file(a: str, b: str) -> bool:
    """True when the paths name one file (through links, or a second hard link)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
