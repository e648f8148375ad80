"""The command line: parses arguments, prints, writes files, maps errors to exit codes.

Exit status: 0 success; 1 a bad config, a failed check or diverged training; 2 a bad
command line; 3 an internal error (a bug: please report it).  Everything heavy (numpy,
sympy, rich, the renderers) is imported inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

import click

from .__about__ import __version__

DEFAULT_EXAMPLE = "mazur"
FORMATS = ("text", "markdown", "json")
FLAVORS = ("github", "jekyll", "jupyter")
BUG_REPORT = "stepnet hit an internal error (a bug). Please report it with the command and config; rerun with --debug for the traceback."


# ---------------------------------------------------------------- error handling


class StepnetGroup(click.Group):
    """Turns library errors into messages and exit codes; never a traceback unless --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place every error is mapped
            _report(ctx, exc)


def _report(ctx: click.Context, exc: Exception) -> None:
    from .errors import StepnetError, UsageError

    if isinstance(exc, UsageError):
        raise click.UsageError(exc.format(), ctx=click.get_current_context(silent=True)) from None
    if isinstance(exc, StepnetError):
        click.echo(f"Error: {exc.format()}", err=True)
        ctx.exit(exc.exit_code)
    if ctx.obj and ctx.obj.get("debug"):
        raise exc
    click.echo(f"Error: {BUG_REPORT}\n  ({type(exc).__name__}: {exc})", err=True)
    ctx.exit(3)


# ---------------------------------------------------------------- shared options


def _output_options(f):
    f = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="text for the terminal, markdown with LaTeX math, or json for programs.")(f)
    f = click.option("--flavor", type=click.Choice(FLAVORS), default="github", show_default=True,
                     help="Markdown math delimiters: github ($`…`$ and ```math), jekyll ($$…$$), jupyter ($…$).")(f)
    f = click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
                     help="Write to this file (atomically) instead of standard output.")(f)
    f = click.option("--precision", type=click.IntRange(0, 17), default=9, show_default=True,
                     help="Decimal places shown; everything is computed at full precision.")(f)
    f = click.option("--sig", type=click.IntRange(1, 17), default=None,
                     help="Show this many significant digits instead of --precision places.")(f)
    f = click.option("--width", type=click.IntRange(40, 1000), default=None,
                     help="Terminal width for text output (default: the terminal's, or 100 when piped).")(f)
    f = click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too).")(f)
    f = click.option("--ascii", "ascii_only", is_flag=True, help="ASCII symbols only (dE/dw5, delta_o1, eta).")(f)
    return f


def _check_writable(path: str) -> None:
    if path == "-":
        return
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        raise click.BadParameter(f"'{path}' is a directory; give a file name", param_hint="-o/--output")
    if not os.path.isdir(directory):
        raise click.BadParameter(f"cannot write '{path}': the folder '{directory}' does not exist", param_hint="-o/--output")
    if not os.access(directory, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise click.BadParameter(f"cannot write '{path}': permission denied", param_hint="-o/--output")


def write_output(path: str, text: str) -> None:
    """Write atomically: a temporary file beside the target, then a rename; stdout for '-'."""
    if path == "-":
        click.echo(text, nl=False)
        return
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".stepnet-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    click.echo(f"Wrote {path}", err=True)


def _console(width: int | None, no_color: bool, stderr: bool = False):
    from rich.console import Console

    no_color = no_color or bool(os.environ.get("NO_COLOR"))
    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    return Console(file=stream, width=width or (None if tty else 100), no_color=no_color,
                   color_system=None if (no_color or not tty) else "auto", highlight=False, emoji=False,
                   soft_wrap=False)


def _ascii_wanted(flag: bool) -> bool:
    if flag:
        return True
    enc = (getattr(sys.stdout, "encoding", None) or "").lower()
    return bool(enc) and "utf" not in enc


@contextmanager
def _progress(enabled: bool) -> Iterator:
    """A rich progress bar on stderr, only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=_console(None, False, stderr=True), transient=True) as bar:
        task = bar.add_task("training", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _load(config: str | None):
    from .api import load

    return load(config or DEFAULT_EXAMPLE)


def _limits(only: str | None):
    from .report import Limits

    names = frozenset(n.strip().lower() for n in (only or "").split(",") if n.strip())
    return Limits(only=names) if names else Limits()


# ---------------------------------------------------------------- commands


@click.group(cls=StepnetGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


@main.command()
@click.argument("config", required=False, shell_complete=lambda c, p, i: _complete_configs(i))
@click.option("-n", "--iterations", type=click.IntRange(1, 10_000_000), default=None,
              help="Number of updates (default: the config's `iterations`, else 1).")
@click.option("--epochs", type=click.IntRange(1, 1_000_000), default=None, help="Number of passes over the data instead.")
@click.option("--trace", "trace_spec", default=None, metavar="WHICH",
              help="Iterations shown in full: all, first, last, or numbers and ranges like 1,5,10-12 "
                   "(default: all up to 20 iterations, else first,last).")
@click.option("--carry", type=click.IntRange(0, 15), default=None, metavar="N",
              help="Hand mode: round every intermediate value to N decimals before it is used again.")
@click.option("--only", default=None, metavar="NAMES",
              help="Show these neurons/parameters in full even in wide layers (comma-separated: h9,w120).")
@_output_options
@click.pass_context
def run(ctx, config, iterations, epochs, trace_spec, carry, only, fmt, flavor, output, precision, sig, width,
        no_color, ascii_only):
    """Run the network and print the whole worked iteration.

    CONFIG is a YAML file or the name of a bundled example (default: mazur, the classic
    2-2-2 sigmoid network).

    \b
    Examples:
      stepnet run
      stepnet run configs/mazur.yaml --precision 6
      stepnet run xor --iterations 2000 --format markdown -o xor.md
      stepnet run mazur --iterations 10000 --format json > trace.json
      stepnet run mazur --carry 9          # as by hand, rounding every step
    """
    _check_writable(output)
    from . import api

    cfg = _load(config)
    total = iterations or (epochs or 0) * 1 or cfg.iterations or 1
    with _progress(total >= 2000 or sum(l.size for l in cfg.layers) > 500) as progress:
        result = api.run(cfg, iterations, epochs=epochs, trace=trace_spec, carry=carry, precision=precision, sig=sig,
                         progress=progress)
    _emit(result, fmt, flavor, output, width, no_color, ascii_only, _limits(only))
    _finish(result)


def _emit(result, fmt, flavor, output, width, no_color, ascii_only, limits) -> None:
    if fmt == "json":
        write_output(output, result.to_json())
    elif fmt == "markdown":
        write_output(output, result.to_markdown(flavor, limits))
    elif output != "-":
        write_output(output, result.to_text(width or 100, limits))
    else:
        from .render.terminal import TerminalRenderer

        console = _console(width, no_color)
        renderer = TerminalRenderer(result.fmt, ascii_only=_ascii_wanted(ascii_only))
        for item in renderer.report(result.report(limits)):
            console.print(item)


def _finish(result) -> None:
    trace = result.trace
    if trace.divergence is not None:
        from .report import stop_reason

        click.echo(f"Error: {stop_reason(trace, result.names)}", err=True)
        sys.exit(1)
    if trace.interrupted:
        click.echo(f"Interrupted after {trace.done} iterations.", err=True)
        sys.exit(130)


def _complete_configs(incomplete: str):
    from click.shell_completion import CompletionItem

    from .api import example_names

    return [CompletionItem(n) for n in example_names() if n.startswith(incomplete)]


def _complete_names(ctx: click.Context, param, incomplete: str):
    from click.shell_completion import CompletionItem

    try:
        from .api import load
        from .notation import Names

        names = Names(load(ctx.params.get("config") or DEFAULT_EXAMPLE)).valid_names()
    except Exception:  # noqa: BLE001 - completion must never fail loudly
        return []
    return [CompletionItem(n) for n in names if n.lower().startswith(incomplete.lower())]


@main.command()
@click.argument("name", shell_complete=_complete_names)
@click.option("-c", "--config", default=None, help="YAML file or bundled example (default: mazur).", is_eager=True,
              shell_complete=lambda c, p, i: _complete_configs(i))
@click.option("-i", "--iteration", type=click.IntRange(1, 10_000_000), default=1, show_default=True,
              help="Which iteration to explain (the parameters it started from).")
@click.option("--carry", type=click.IntRange(0, 15), default=None, metavar="N", help="Hand mode, as for run.")
@click.option("--no-check", is_flag=True, help="Skip the sympy and finite-difference check.")
@_output_options
@click.pass_context
def explain(ctx, name, config, iteration, carry, no_check, fmt, flavor, output, precision, sig, width, no_color,
            ascii_only):
    """Derive one parameter's gradient (or one neuron's values) step by step.

    NAME is a weight, bias or neuron in any notation: w5, b1, h1, w(2)_11, h1->o1.

    \b
    Examples:
      stepnet explain w5
      stepnet explain w1 -c configs/mazur.yaml
      stepnet explain b1 -c my.yaml --iteration 3
      stepnet explain h1
      stepnet explain w5 --format markdown
    """
    _check_writable(output)
    from . import api

    cfg = _load(config)
    from .notation import Names

    Names(cfg).lookup(name)  # an unknown name is a usage error before any work
    result = api.run(cfg, iteration, trace=str(iteration), carry=carry, precision=precision, sig=sig)
    if result.trace.divergence is not None and result.trace.traced(iteration) is None:
        _finish(result)
    explanation = result.explain(name, iteration, check=not no_check)
    if fmt == "json":
        import json

        from .render.json import iteration_object

        obj = iteration_object(result.iteration(iteration), result.names)
        write_output(output, json.dumps({"explain": name, "iteration": obj}, indent=1, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        write_output(output, explanation.to_markdown(flavor))
    elif output != "-":
        write_output(output, str(explanation))
    else:
        from .render.terminal import TerminalRenderer

        console = _console(width, no_color)
        for item in TerminalRenderer(result.fmt, ascii_only=_ascii_wanted(ascii_only)).derivation(explanation.derivation):
            console.print(item)


@main.command()
@click.argument("config", required=False, shell_complete=lambda c, p, i: _complete_configs(i))
@click.option("-i", "--iteration", type=click.IntRange(1, 10_000_000), default=1, show_default=True,
              help="Check the gradients of this iteration.")
@click.option("--tolerance", type=float, default=1e-6, show_default=True, help="Relative tolerance.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width.")
@click.option("--no-color", is_flag=True, help="No colour.")
def check(config, iteration, tolerance, width, no_color):
    """Compare every gradient with a central finite difference.

    Exit status 1 if any differs by more than the tolerance.

    \b
    Examples:
      stepnet check
      stepnet check configs/xor.yaml --iteration 5
    """
    from rich.table import Table
    from rich.text import Text

    from . import api
    from .checks import agrees, all_finite_differences

    cfg = _load(config)
    result = api.run(cfg, iteration, trace=str(iteration))
    it = result.iteration(iteration)
    params = result.names.params
    numeric = all_finite_differences(cfg, it, params)
    table = Table(title=Text(f"{cfg.name}: gradients at iteration {iteration}"), title_justify="left")
    for col in ("parameter", "chain rule", "finite difference", "relative difference", ""):
        table.add_column(col, justify="left" if col in ("parameter", "") else "right")
    failures = 0
    for p, fd in zip(params, numeric):
        lt = it.layer(p.layer)
        analytic = float(lt.gW[p.to, p.source] if p.kind == "weight" else lt.gb[0 if p.to is None else p.to])
        rel = abs(analytic - fd) / max(abs(analytic), abs(fd), 1e-12)
        ok = agrees(analytic, fd, rel=tolerance, abs_tol=1e-9)
        failures += not ok
        table.add_row(Text(p.name), f"{analytic:.12g}", f"{fd:.12g}", f"{rel:.1e}", "ok" if ok else "DIFFERS")
    console = _console(width, no_color)
    console.print(table)
    if failures:
        click.echo(f"{failures} of {len(params)} gradients differ from the finite difference.", err=True)
        sys.exit(1)
    console.print(Text(f"All {len(params)} gradients agree with central finite differences (tolerance {tolerance:g})."))


@main.command()
@click.argument("name", required=False, shell_complete=lambda c, p, i: _complete_configs(i))
def examples(name):
    """List the bundled example configs, or print one to copy and edit.

    \b
    Examples:
      stepnet examples
      stepnet examples mazur > my.yaml
    """
    from .api import example, example_names, load

    if name:
        click.echo(example(name).read_text(encoding="utf-8"), nl=False)
        return
    for n in example_names():
        cfg = load(n)
        shape = "-".join(str(l.size) for l in cfg.layers)
        summary = cfg.description.splitlines()[0] if cfg.description else cfg.name
        click.echo(f"{n:<14} {shape:<12} {summary}")


@main.command()
@click.argument("configs", nargs=-1, required=True, type=click.Path())
def validate(configs):
    """Check config files without running them: one line per file.

    Exit status 1 if any is invalid.

    \b
    Examples:
      stepnet validate configs/*.yaml
    """
    from .config import load_config
    from .errors import ConfigError

    bad = 0
    for path in configs:
        try:
            cfg = load_config(path)
        except ConfigError as exc:
            bad += 1
            click.echo(f"✗ {exc.format()}")
        else:
            click.echo(f"✓ {path}: {cfg.name} ({'-'.join(str(l.size) for l in cfg.layers)})")
    if bad:
        sys.exit(1)


@main.command()
def schema():
    """Print the JSON Schema of the config file (for editors and CI).

    \b
    Examples:
      stepnet schema > stepnet.schema.json
    """
    from .config import schema_text

    click.echo(schema_text(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
