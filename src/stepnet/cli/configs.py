"""The commands about config files: list the examples, validate, print the schema, write a starter."""

from __future__ import annotations

import os
import sys

import click

from ..config.choices import LOSS_NAMES
from ..config.starter import HIDDEN_ACTIVATIONS
from .options import OutputOptions, check_writable, complete_configs
from .output import ascii_wanted, emit

STDOUT = OutputOptions()


@click.command()
@click.argument("name", required=False, shell_complete=complete_configs)
def examples(name: str | None) -> None:
    """List the bundled example configs, or print one to copy and edit.

    \b
    Examples:
      stepnet examples
      stepnet examples mazur > my.yaml
    """
    from ..api import example, example_names, load

    if name:
        emit(STDOUT, example(name).read_text(encoding="utf-8"))
        return
    for n in example_names():
        cfg = load(n)
        shape = "-".join(str(layer.size) for layer in cfg.layers)
        summary = cfg.description.splitlines()[0] if cfg.description else cfg.name
        emit(STDOUT, f"{n:<14} {shape:<12} {summary}\n")


@click.command()
@click.argument("configs", nargs=-1, required=True, type=click.Path())
def validate(configs: tuple[str, ...]) -> None:
    """Check config files without running them: one line per file.

    Exit status 1 if any is invalid.

    \b
    Examples:
      stepnet validate configs/*.yaml
    """
    from ..config.load import load_config
    from ..errors import ConfigError
    from ..verify.claims import resolve_all

    good_mark, bad_mark = ("ok", "invalid") if ascii_wanted(False) else ("✓", "✗")
    bad = 0
    for path in configs:
        try:
            cfg = load_config(path)
            resolve_all(cfg)  # the claims name quantities the network has, as check --claims needs
        except ConfigError as exc:
            bad += 1
            line = f"{bad_mark} {_one_line(exc)}"
        else:
            line = f"{good_mark} {path}: {cfg.name} ({'-'.join(str(layer.size) for layer in cfg.layers)})"
        emit(STDOUT, line + "\n")  # a line as each file is read, so that a long list shows progress
    if bad:
        sys.exit(1)


def _one_line(exc) -> str:
    """A ConfigError on one line: ``file:line:col: key: message (hint: ...)``."""
    from ..errors import printable

    hint = exc.hint
    exc.hint = None
    try:
        text = exc.format()
    finally:
        exc.hint = hint
    return " ".join(f"{text} (hint: {printable(hint)})".split() if hint else text.split())


@click.command()
def schema() -> None:
    """Print the JSON Schema of the config file (for editors and CI).

    \b
    Examples:
      stepnet schema > stepnet.schema.json
    """
    from ..config.load import schema_text

    emit(STDOUT, schema_text())


def _parse_layers(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, ...]:
    from ..config.starter import parse_sizes

    try:
        return parse_sizes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@click.command()
@click.argument("file", required=False, default="stepnet.yaml", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--layers", "sizes", default="2,2,2", show_default=True, metavar="SIZES", callback=_parse_layers,
              help="Neurons per layer, input first, comma-separated.")
@click.option("--activation", type=click.Choice(HIDDEN_ACTIVATIONS), default="sigmoid", show_default=True,
              help="Activation of the hidden layers; the output layer gets sigmoid "
                   "(softmax with --loss cross_entropy).")
@click.option("--loss", type=click.Choice(LOSS_NAMES), default="half_sse", show_default=True, help="The loss function.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def init(file: str, sizes: tuple[int, ...], activation: str, loss: str, force: bool) -> None:
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
    check_writable(file, param_hint="FILE")
    if file != "-" and os.path.lexists(file) and not force:
        from ..errors import StepnetError

        raise StepnetError(f"{file} already exists; use --force to overwrite it")
    from ..config.starter import starter_config

    emit(OutputOptions(path=file), starter_config(sizes, activation, loss, filename="FILE" if file == "-" else file))
    if file != "-":
        click.echo(f"Next: stepnet run {file}", err=True)
