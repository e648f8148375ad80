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

from ..__about__ import __version__

DEFAULT_EXAMPLE = "mazur"
FORMATS = ("text", "markdown", "json")
FLAVORS = ("github", "jekyll", "jupyter")
from ..config.model import LOSS_NAMES
from ..config.starter import HIDDEN_ACTIVATIONS
BUG_REPORT = ("this is a bug in stepnet: please report it with the command and the config "
              "(`stepnet --debug ...` shows the traceback)")


# ---------------------------------------------------------------- error handling


class StepnetGroup(click.Group):
    """Turns library errors into messages and exit codes; never a traceback unless --debug."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """As click's, but a command run from the shell exits without tearing Python down."""
        if args is not None or not standalone_mode:  # called from Python (tests, CliRunner): return as usual
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=standalone_mode, **extra)
        try:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=standalone_mode, **extra)
        except SystemExit as exc:
            _exit_now(exc)

    def invoke(self, ctx: click.Context):
        import warnings

        try:
            with warnings.catch_warnings():
                if not ctx.params.get("debug"):  # numpy's overflow warnings: a divergence is reported as such
                    warnings.simplefilter("ignore", RuntimeWarning)
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place every error is mapped
            _report(ctx, exc)


def _exit_now(exc: SystemExit) -> None:
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


def _report(ctx: click.Context, exc: Exception) -> None:
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


def _check_writable(path: str, param_hint: str = "-o/--output") -> None:
    if path == "-":
        return
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        raise click.BadParameter(f"'{path}' is a directory; give a file name", param_hint=param_hint)
    if not os.path.isdir(directory):
        raise click.BadParameter(f"cannot write '{path}': the folder '{directory}' does not exist", param_hint=param_hint)
    if not os.access(directory, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise click.BadParameter(f"cannot write '{path}': permission denied", param_hint=param_hint)


def _check_conflicts(ctx: click.Context, *pairs: tuple[str, str]) -> None:
    """Exit 2 when two options that exclude each other are both given on the command line."""
    from click.core import ParameterSource

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)

    for a, b in pairs:
        if given(a) and given(b):
            raise click.UsageError(f"give --{a} or --{b}, not both", ctx=ctx)


def write_output(path: str, text: str) -> None:
    """Write atomically: a temporary file beside the target, then a rename; stdout for '-'."""
    if path == "-":
        click.echo(text, nl=False)
        return
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".stepnet-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from None
        raise
    click.echo(f"Wrote {path}", err=True)


def _write_error(path: str, exc: OSError) -> click.ClickException:
    return click.ClickException(f"cannot write '{path}': {exc.strerror or exc}; nothing was written")


def _file_mode(path: str) -> int:
    """The mode the written file gets: the replaced file's, else 0o666 minus the umask (mkstemp gives 0o600)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


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
    from ..api import load

    return load(config or DEFAULT_EXAMPLE)


def _limits(only: str | None, params: str | None = None):
    """What wide layers show in full: names from --only, and names or flat ranges from --params."""
    from ..derive.report import Limits

    names = {n.strip().lower() for n in (only or "").split(",") if n.strip()}
    for item in (params or "").split(","):
        names.update(_expand_range(item.strip().lower()))
    return Limits(only=frozenset(names)) if names else Limits()


def _expand_range(item: str) -> list[str]:
    """'w1-w20' → w1 … w20 (flat names); any other item stands for itself."""
    import re

    m = re.fullmatch(r"([wb])(\d+)-(?:\1)?(\d+)", item)
    if not m:
        return [item] if item else []
    lo, hi = int(m[2]), int(m[3])
    if hi < lo or hi - lo > 100_000:
        raise click.BadParameter(f"'{item}' is not a range from a lower to a higher number", param_hint="--params")
    return [f"{m[1]}{k}" for k in range(lo, hi + 1)]


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
@click.option("--compare-carry", type=click.IntRange(0, 15), default=None, metavar="N",
              help="Instead of the report: a table of every quantity of the first traced iteration at full "
                   "precision and in hand mode with N decimals, marking where they first differ.")
@click.option("--only", default=None, metavar="NAMES",
              help="Show these neurons/parameters in full even in wide layers (comma-separated: h9,w120).")
@click.option("--params", default=None, metavar="RANGES",
              help="Show these parameters in full even in wide layers: names and flat ranges, e.g. w1-w40,b3.")
@_output_options
@click.pass_context
def run(ctx, config, iterations, epochs, trace_spec, carry, only, params, fmt, flavor, output, precision, sig, width,
        no_color, ascii_only, compare_carry):
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
      stepnet run mazur --compare-carry 9  # where rounding to 9 decimals first changes a number
    """
    _check_writable(output)
    _check_conflicts(ctx, ("iterations", "epochs"), ("precision", "sig"))
    from .. import api

    cfg = _load(config)
    if compare_carry is not None:
        _compare_carry(ctx, cfg, compare_carry, carry, iterations, epochs, trace_spec, fmt, output, width, no_color,
                       ascii_only)
        return
    total = iterations or (epochs or 0) * 1 or cfg.iterations or 1
    with _progress(total >= 2000 or sum(l.size for l in cfg.layers) > 500) as progress:
        result = api.run(cfg, iterations, epochs=epochs, trace=trace_spec, carry=carry, precision=precision, sig=sig,
                         progress=progress)
    if output == "-" or _completed(result):  # a file gets a finished run only, never a partial one
        _emit(result, fmt, flavor, output, width, no_color, ascii_only, _limits(only, params))
    _finish(result, output)


def _compare_carry(ctx, cfg, places, carry, iterations, epochs, trace_spec, fmt, output, width, no_color,
                   ascii_only) -> None:
    """run --compare-carry N: full precision against hand mode, for the first traced iteration."""
    from rich.text import Text

    from ..verify.handmode import compare_carry, summary, table
    from ..engine.training import batches_per_epoch, traced_set

    if carry is not None:
        raise click.UsageError("give --carry or --compare-carry, not both", ctx=ctx)
    if fmt != "text":
        raise click.UsageError("--compare-carry prints a table: drop --format (text is the default)", ctx=ctx)
    total = epochs * batches_per_epoch(cfg) if epochs else iterations or cfg.iterations or 1
    result = compare_carry(cfg, places, min(traced_set(trace_spec, total)))
    ascii_only = _ascii_wanted(ascii_only)
    console = _console(width, no_color)
    if output != "-":
        import io

        from rich.console import Console

        console = Console(file=io.StringIO(), record=True, width=width or 100, color_system=None)
    console.print(table(result, ascii_only))
    console.print(Text(summary(result, ascii_only)), soft_wrap=True)
    if output != "-":
        write_output(output, console.export_text())


def _emit(result, fmt, flavor, output, width, no_color, ascii_only, limits) -> None:
    if fmt == "json":
        write_output(output, result.to_json())
    elif fmt == "markdown":
        write_output(output, result.to_markdown(flavor, limits))
    elif output != "-":
        from ..render.text import render_text

        report = result.report(limits)
        write_output(output, render_text(lambda r: r.report(report), result.fmt, width or 100, ascii_only))
    else:
        from ..render.terminal import TerminalRenderer

        console = _console(width, no_color)
        renderer = TerminalRenderer(result.fmt, ascii_only=_ascii_wanted(ascii_only))
        for item in renderer.report(result.report(limits)):
            console.print(item)


def _completed(result) -> bool:
    return result.trace.divergence is None and not result.trace.interrupted


def _finish(result, output: str = "-") -> None:
    """Exit 1 after a diverged run (130 after Ctrl-C), saying that no file was written."""
    trace = result.trace
    if _completed(result):
        return
    kept = f"\n  nothing was written to {output}: the run did not finish" if output != "-" else ""
    if trace.divergence is not None:
        click.echo(f"Error: {_divergence_text(result)}{kept}", err=True)
        sys.exit(1)
    click.echo(f"Interrupted after {trace.done} iteration{'' if trace.done == 1 else 's'}.{kept}", err=True)
    sys.exit(130)


def _divergence_text(result) -> str:
    from ..derive.report import stop_reason

    reason = stop_reason(result.trace, result.names).removesuffix(" Try a smaller learning_rate.")
    rate = result.config.learning_rate
    where = f" in {result.config.source}" if result.config.source else ""
    hint = f"lower learning_rate (it is {rate:g}{where}): steps that are too large overshoot and grow without bound"
    if result.trace.divergence.iteration == 1:  # before any step mattered: the numbers themselves may be too large
        hint += "; or check the weights, inputs and targets for huge values"
    return f"{reason}\n  hint: {hint}"


def _complete_configs(incomplete: str):
    from click.shell_completion import CompletionItem

    from ..api import example_names

    names = [CompletionItem(n) for n in example_names() if n.startswith(incomplete)]
    return names or [CompletionItem(incomplete, type="file")]  # no bundled example: the shell completes files


def _complete_names(ctx: click.Context, param, incomplete: str):
    from click.shell_completion import CompletionItem

    try:
        from ..api import load
        from ..derive.names import Names

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
    _check_conflicts(ctx, ("precision", "sig"))
    from .. import api

    cfg = _load(config)
    _lookup_name(cfg, name)  # an unknown name is a usage error before any work
    _check_iteration(ctx, cfg, iteration)
    result = api.run(cfg, iteration, trace=str(iteration), carry=carry, precision=precision, sig=sig)
    if not _completed(result) and (output != "-" or result.trace.traced(iteration) is None):
        _finish(result, output)
    explanation = result.explain(name, iteration, check=not no_check)
    if fmt == "json":
        import json

        from ..render.json import iteration_object

        obj = iteration_object(result.iteration(iteration), result.names)
        write_output(output, json.dumps({"explain": name, "iteration": obj}, indent=1, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        write_output(output, explanation.to_markdown(flavor))
    elif output != "-":
        from ..render.text import render_text

        text = render_text(lambda r: r.derivation(explanation.derivation), result.fmt, width or 100, ascii_only)
        write_output(output, text)
    else:
        from ..render.terminal import TerminalRenderer

        console = _console(width, no_color)
        for item in TerminalRenderer(result.fmt, ascii_only=_ascii_wanted(ascii_only)).derivation(explanation.derivation):
            console.print(item)
    _finish(result)  # diverged at this very iteration: shown, then exit 1


def _lookup_name(cfg, name: str) -> None:
    """A UsageError (exit 2) for an unknown NAME, listing the valid names and the closest one."""
    import difflib

    from ..errors import UsageError
    from ..derive.names import Names

    names = Names(cfg)
    try:
        names.lookup(name)
    except UsageError as exc:
        typed = name.strip().lower()

        def likeness(valid: str) -> float:  # same letter first (w, b, or the layer), then the look of it
            return difflib.SequenceMatcher(None, typed, valid.lower()).ratio() + 0.3 * (valid[:1].lower() == typed[:1])

        closest = max(names.valid_names(), key=likeness)  # the first of equals, in the network's order
        guess = f"did you mean '{closest}'? " if likeness(closest) >= 0.5 else ""
        exc.hint = f"{guess}valid names: {names.summary_of_names()}"
        raise


def _check_iteration(ctx: click.Context, cfg, iteration: int) -> None:
    """--iteration must lie within the run, when the config says how long it is (`iterations:`)."""
    if cfg.iterations is not None and iteration > cfg.iterations:
        raise click.BadParameter(
            f"iteration {iteration} is beyond the run: {cfg.source or cfg.name} runs {cfg.iterations} "
            f"iteration{'s' if cfg.iterations != 1 else ''} (its `iterations:`); pick 1 to {cfg.iterations}, "
            "or raise `iterations:` in the config", ctx=ctx, param_hint="-i/--iteration")


def _check_claims(cfg, use_config: bool, claims_file: str | None, console) -> bool:
    """Print one line per claim and a summary; True if any claim is wrong."""
    from rich.text import Text

    from ..verify.claims import check_claims, format_result, load_claims_file, summary

    results = check_claims(cfg) if use_config else []
    if claims_file:
        results += check_claims(cfg, load_claims_file(claims_file), claims_file)
    if not results:
        console.print(Text(f"{cfg.source or cfg.name}: no claims to check (add a `claims:` mapping)"))
        return False
    for r in results:
        line = format_result(r)
        console.print(Text.assemble((line[0], "green" if r.ok else "bold red"), line[1:]), soft_wrap=True)
    console.print(Text(summary(results), style="bold"), soft_wrap=True)
    return any(not r.ok for r in results)


@main.command()
@click.argument("config", required=False, shell_complete=lambda c, p, i: _complete_configs(i))
@click.option("-i", "--iteration", type=click.IntRange(1, 10_000_000), default=1, show_default=True,
              help="Check the gradients of this iteration.")
@click.option("--tolerance", type=float, default=1e-6, show_default=True, help="Relative tolerance.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width.")
@click.option("--no-color", is_flag=True, help="No colour.")
@click.option("--claims", "use_claims", is_flag=True,
              help="Check the numbers in the config's `claims:` against the true values, and say why any differs.")
@click.option("--claims-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Check the claims in this YAML file (a `claims:` mapping, as in a config).")
@click.option("--gradients", is_flag=True, help="With --claims or --claims-file: also run the finite-difference check.")
def check(config, iteration, tolerance, width, no_color, use_claims, claims_file, gradients):
    """Compare every gradient with a central finite difference, or check a text's numbers.

    Exit status 1 if any differs by more than the tolerance, or any claim is wrong.

    \b
    Examples:
      stepnet check
      stepnet check configs/xor.yaml --iteration 5
      stepnet check mazur --claims           # the numbers tutorial 001 prints
      stepnet check my.yaml --claims-file numbers.yaml
    """
    from rich.table import Table
    from rich.text import Text

    from .. import api
    from ..verify.oracles import agrees, all_finite_differences

    cfg = _load(config)
    claims_failed = False
    if use_claims or claims_file:
        claims_failed = _check_claims(cfg, use_claims, claims_file, _console(width, no_color))
        if not gradients:
            sys.exit(1 if claims_failed else 0)
    _check_iteration(click.get_current_context(), cfg, iteration)
    result = api.run(cfg, iteration, trace=str(iteration))
    if result.trace.traced(iteration) is None:
        _finish(result)  # diverged before that iteration
    it = result.iteration(iteration)
    params = result.names.params
    numeric = all_finite_differences(cfg, it, params)
    table = Table(title=Text(f"{cfg.name}: gradients at iteration {iteration}"), title_justify="left")
    for col in ("parameter", "chain rule", "finite difference", "relative difference", ""):
        table.add_column(col, justify="left" if col in ("parameter", "") else "right")
    failures = 0
    for p, fd in zip(params, numeric):
        analytic = p.of(it.layer(p.layer), "gradient")
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
    if claims_failed:
        sys.exit(1)


@main.command()
@click.argument("name", required=False, shell_complete=lambda c, p, i: _complete_configs(i))
def examples(name):
    """List the bundled example configs, or print one to copy and edit.

    \b
    Examples:
      stepnet examples
      stepnet examples mazur > my.yaml
    """
    from ..api import example, example_names, load

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
    from ..config.load import load_config
    from ..errors import ConfigError

    good_mark, bad_mark = ("ok", "invalid") if _ascii_wanted(False) else ("✓", "✗")
    bad = 0
    for path in configs:
        try:
            cfg = load_config(path)
        except ConfigError as exc:
            bad += 1
            click.echo(f"{bad_mark} {_one_line(exc)}")
        else:
            click.echo(f"{good_mark} {path}: {cfg.name} ({'-'.join(str(l.size) for l in cfg.layers)})")
    if bad:
        sys.exit(1)


def _one_line(exc) -> str:
    """A ConfigError on one line: ``file:line:col: key: message (hint: ...)``."""
    hint = exc.hint
    exc.hint = None
    try:
        text = exc.format()
    finally:
        exc.hint = hint
    return " ".join(f"{text} (hint: {hint})".split() if hint else text.split())


@main.command()
def schema():
    """Print the JSON Schema of the config file (for editors and CI).

    \b
    Examples:
      stepnet schema > stepnet.schema.json
    """
    from ..config.load import schema_text

    click.echo(schema_text(), nl=False)


def _parse_layers(ctx, param, value: str):
    from ..config.starter import parse_sizes

    try:
        return parse_sizes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@main.command()
@click.argument("file", required=False, default="stepnet.yaml", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--layers", "sizes", default="2,2,2", show_default=True, metavar="SIZES", callback=_parse_layers,
              help="Neurons per layer, input first, comma-separated.")
@click.option("--activation", type=click.Choice(HIDDEN_ACTIVATIONS), default="sigmoid", show_default=True,
              help="Activation of the hidden layers; the output layer gets sigmoid (softmax with --loss cross_entropy).")
@click.option("--loss", type=click.Choice(LOSS_NAMES), default="half_sse", show_default=True, help="The loss function.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def init(file, sizes, activation, loss, force):
    """Write a starter config: a network that runs, every key explained in a comment.

    FILE defaults to stepnet.yaml; - writes to standard output. The weights, biases and
    data in it are made-up numbers to replace with your own.

    \b
    Examples:
      stepnet init
      stepnet init xor.yaml --layers 2,3,1 --activation tanh
      stepnet init --layers 4,5,3 --loss cross_entropy -
      stepnet init my.yaml --force         # overwrite my.yaml
    """
    _check_writable(file, param_hint="FILE")
    if file != "-" and os.path.lexists(file) and not force:
        from ..errors import StepnetError

        raise StepnetError(f"{file} already exists; use --force to overwrite it")
    from ..config.starter import starter_config

    write_output(file, starter_config(sizes, activation, loss, filename="FILE" if file == "-" else file))
    if file != "-":
        click.echo(f"Next: stepnet run {file}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
