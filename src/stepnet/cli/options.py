"""What several commands read from the command line: the output options as one object,
the CONFIG argument, and the checks made before any work starts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from ..formats import FORMATS, MARKDOWN_FLAVORS, format_for
from .files import destination, same_file

if TYPE_CHECKING:
    from ..config.model import NetworkConfig

DEFAULT_EXAMPLE = "mazur"


class OutputOptions(NamedTuple):  # a NamedTuple, not a dataclass: far quicker to define at import
    """Where a command's result goes and how it looks; the defaults write text to standard output."""

    format: str = "text"
    flavor: str = "github"
    path: str = "-"  # "-" is standard output
    precision: int = 9
    sig: int | None = None
    width: int | None = None  # None: the terminal's width, or 100 when not a terminal
    no_color: bool = False
    ascii_only: bool = False
    latex_body: bool = False  # LaTeX: the body only, to \input into one's own document

    @property
    def to_file(self) -> bool:
        return self.path != "-"


_OUTPUT_OPTIONS = (  # in the order --help lists them
    click.option("--ascii", "ascii_only", is_flag=True, help="ASCII symbols only (dE/dw5, delta_o1, eta)."),
    click.option("--latex-body", "latex_body", is_flag=True,
                 help="With --format latex: only the body, to \\input into your own document."),
    click.option("--no-color", "no_color", is_flag=True, help="No colour (NO_COLOR is honoured too)."),
    click.option("--width", type=click.IntRange(40, 1000), default=None,
                 help="Terminal width for text output (default: the terminal's, or 100 when piped)."),
    click.option("--sig", type=click.IntRange(1, 17), default=None,
                 help="Show this many significant digits instead of --precision places."),
    click.option("--precision", type=click.IntRange(0, 17), default=9, show_default=True,
                 help="Decimal places shown; everything is computed at full precision."),
    click.option("-o", "--output", "path", type=click.Path(dir_okay=False, allow_dash=True), default="-",
                 help="Write to this file (atomically) instead of standard output; "
                      "its extension (.md, .html, .tex, .json, .py, .txt) picks the format unless --format is given."),
    click.option("--flavor", type=click.Choice(MARKDOWN_FLAVORS), default="github", show_default=True,
                 help="Markdown math delimiters: github ($`…`$ and ```math), jekyll ($$…$$), jupyter ($…$)."),
    click.option("--format", "format", type=click.Choice(FORMATS), default="text", show_default=True,
                 help="text for the terminal, markdown with LaTeX math, a self-contained html page, a latex "
                      "document, json for programs, or the run as a self-checking numpy (python) or PyTorch "
                      "(pytorch) script."),
)


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``command`` the output options, handed to it as one ``out: OutputOptions``.

    An output file that cannot be written is refused here, before the command does any work.
    """

    @functools.wraps(command)
    def with_output(*args: Any, **kwargs: Any) -> Any:
        out = OutputOptions(**{name: kwargs.pop(name) for name in OutputOptions._fields})
        check_writable(out.path)
        out = _format_from_extension(out)
        return command(*args, out=out, **kwargs)

    for option in reversed(_OUTPUT_OPTIONS):
        with_output = option(with_output)
    return with_output


def _format_from_extension(out: OutputOptions) -> OutputOptions:
    """``-o run.md`` writes Markdown and ``-o run.json`` JSON, unless --format says otherwise."""
    from click.core import ParameterSource

    given = click.get_current_context().get_parameter_source("format") is ParameterSource.COMMANDLINE
    wanted = None if given or not out.to_file else format_for(out.path)
    return out._replace(format=wanted) if wanted else out


def check_writable(path: str, param_hint: str = "-o/--output") -> None:
    """A usage error (exit 2) for an output file that could not be written."""
    if path != "-":
        destination(path, param_hint)


def check_conflicts(ctx: click.Context, *pairs: tuple[str, str]) -> None:
    """Exit 2 when two options that exclude each other are both given on the command line."""
    from click.core import ParameterSource

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)

    for a, b in pairs:
        if given(a) and given(b):
            raise click.UsageError(f"give --{a} or --{b}, not both", ctx=ctx)


def check_iteration(ctx: click.Context, cfg: NetworkConfig, iteration: int) -> None:
    """--iteration must lie within the run, when the config says how long it is (`iterations:`)."""
    if cfg.iterations is not None and iteration > cfg.iterations:
        raise click.BadParameter(
            f"iteration {iteration} is beyond the run: {cfg.source or cfg.name} runs {cfg.iterations} "
            f"iteration{'s' if cfg.iterations != 1 else ''} (its `iterations:`); pick 1 to {cfg.iterations}, "
            "or raise `iterations:` in the config", ctx=ctx, param_hint="-i/--iteration")


def name_list(text: str | None) -> list[str]:
    """The names of a comma list (--only, --params), lower-cased.

    A comma followed by a digit belongs to a name: indexed and Nielsen weights of wide
    layers are written w^2_12,3.
    """
    import re

    return [item.strip().lower() for item in re.split(r",(?![0-9])", text or "") if item.strip()]


def name_hint(names, typed: str) -> str:
    """The hint for a name the network lacks: the closest one it has, and a summary of its names."""
    import difflib

    typed = typed.strip().lower()

    def likeness(valid: str) -> float:  # same letter first (w, b, or the layer), then the look of it
        return difflib.SequenceMatcher(None, typed, valid.lower()).ratio() + 0.3 * (valid[:1].lower() == typed[:1])

    closest = max(names.valid_names(), key=likeness)  # the first of equals, in the network's order
    guess = f"did you mean '{closest}'? " if likeness(closest) >= 0.5 else ""
    return f"{guess}valid names: {names.summary_of_names()}"


def load_network(config: str | None, out: OutputOptions | None = None) -> NetworkConfig:
    """The config a CONFIG argument names: a file, a bundled example, or by default the classic one.

    With ``out``, an output file that is the config itself (by any path or link) is refused:
    the report would replace the file it was made from.
    """
    from ..api import load

    cfg = load(config or DEFAULT_EXAMPLE)
    if out is not None and out.to_file and cfg.source and same_file(cfg.source, out.path):
        raise click.BadParameter(
            f"'{click.format_filename(out.path)}' is the config being read: writing the report there would replace it",
            param_hint="-o/--output")
    return cfg


def complete_configs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Shell completion of CONFIG: bundled examples by name, else the shell's own file names."""
    from click.shell_completion import CompletionItem

    from ..api import example_names

    names = [CompletionItem(n) for n in example_names() if n.startswith(incomplete)]
    return names or [CompletionItem(incomplete, type="file")]
