"""The ``stepnet`` command group, and the one place an error becomes a message and an exit status.

Exit status: 0 success; 1 a bad config, a failed check or diverged training; 2 a bad
command line; 3 an internal error (a bug: please report it); 130 Ctrl-C.  Everything heavy
(numpy, sympy, rich, the renderers) is imported inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from ..__about__ import __version__
from .check import check
from .configs import examples, init, schema, validate
from .exercise import exercise
from .explain import explain
from .grade import grade
from .run import run

CLOSED_PIPE = 128 + 13  # 128 + SIGPIPE
BUG_REPORT = ("this is a bug in stepnet: please report it with the command and the config "
              "(`stepnet --debug ...` shows the traceback)")


class StepnetGroup(click.Group):
    """Turns library errors into messages and exit codes; never a traceback unless --debug.

    A reader that goes away (``stepnet run | head``) ends the command quietly with
    status 141, the shell's status for a process ended by SIGPIPE, so that a pipeline
    reads it as a closed pipe rather than a failure.
    """

    pipe_closed = False

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra: Any) -> Any:
        """As click's, but a command run from the shell exits without tearing Python down."""
        if args is not None or not standalone_mode:  # called from Python (tests, CliRunner): return as usual
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=standalone_mode, **extra)
        try:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=standalone_mode, **extra)
        except SystemExit as exc:
            _exit_now(SystemExit(CLOSED_PIPE) if self.pipe_closed else exc)

    def invoke(self, ctx: click.Context) -> Any:
        import warnings

        try:
            with warnings.catch_warnings():
                if not ctx.params.get("debug"):  # numpy's overflow warnings: a divergence is reported as such
                    warnings.simplefilter("ignore", RuntimeWarning)
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            self.pipe_closed = True  # click then ends quietly; main gives the status
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place every error is mapped
            _report(ctx, exc)


def _exit_now(exc: SystemExit) -> NoReturn:
    """End the process with ``exc``'s status, skipping the interpreter's teardown.

    Once sympy and numpy are loaded, Python spends about 0.1 s freeing their objects
    at exit: a fifth of `stepnet explain`.  Nothing needs it (no exit handlers, every file
    written and closed), so after flushing the standard streams the process just ends.
    Anything unusual (a message as the exit code, exit handlers, a stream that will not
    flush) takes Python's ordinary exit instead.
    """
    import atexit

    code = 0 if exc.code is None else exc.code
    if not isinstance(code, int) or getattr(atexit, "_ncallbacks", lambda: 1)():
        raise exc
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # noqa: BLE001 - e.g. a closed pipe: let Python's exit report it as it would
        raise exc from None
    os._exit(code)


def _report(ctx: click.Context, exc: Exception) -> NoReturn:
    """A library error as its message and exit status; anything else as a bug (exit 3)."""
    from ..errors import StepnetError, UsageError

    if isinstance(exc, UsageError):
        raise click.UsageError(exc.format(), ctx=_subcontext(ctx)) from None
    if isinstance(exc, StepnetError):
        click.echo(f"Error: {exc.format()}", err=True)
        ctx.exit(exc.exit_code)
    if ctx.obj and ctx.obj.get("debug"):
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
    click.echo(f"Error: internal error ({detail}); {BUG_REPORT}", err=True)
    ctx.exit(3)


def _subcontext(ctx: click.Context) -> click.Context:
    """The failing command's context, so that a usage error shows that command's usage."""
    name = ctx.invoked_subcommand
    command = ctx.command.get_command(ctx, name) if name and isinstance(ctx.command, click.Group) else None
    return click.Context(command, info_name=name, parent=ctx) if command else ctx


@click.group(cls=StepnetGroup, commands=[run, explain, check, examples, validate, schema, init, exercise, grade],
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="stepnet")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an internal error.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Backpropagation worked out by hand, by a machine: every net input, activation,
    chain-rule factor, gradient and update of a small neural network, in the notation of
    the classic tutorials.

    \b
    Examples:
      stepnet run                          the classic 2-2-2 example, one iteration
      stepnet run xor --iterations 2000    a bundled example by name
      stepnet explain w5                   one weight's gradient, step by step
      stepnet run my.yaml --format markdown -o my.md
    """
    ctx.ensure_object(dict)["debug"] = debug
