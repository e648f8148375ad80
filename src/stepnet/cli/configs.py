"""The commands about config files: list the examples, validate, print the schema, write a starter."""

from __future__ import annotations

import os
import sys

import click

from ..config.choices import LOSS_NAMES
from ..config.starter import HIDDEN_ACTIVATIONS, SCHEMA_FILE
from .options import OutputOptions, check_writable, complete_configs
from .output import ascii_wanted, emit

STDOUT = OutputOptions()
SCHEMA_LINE = "# yaml-language-server: $schema="
_OUTPUT = click.Path(dir_okay=False, allow_dash=True)


@click.command()
@click.argument("name", required=False, shell_complete=complete_configs)
@click.option("-o", "--output", "path", type=_OUTPUT, default="-",
              help=f"Write the example to this file, and {SCHEMA_FILE} (the schema its first line names) "
                   "beside it unless that file exists.")
def examples(name: str | None, path: str) -> None:
    """List the bundled example configs, or print one to copy and edit.

    A printed example's first line points editors with the YAML language server at
    stepnet.schema.json beside the copy; -o writes that file too (or run `stepnet schema
    -o stepnet.schema.json` where the copy is).

    \b
    Examples:
      stepnet examples
      stepnet examples mazur -o my.yaml    # my.yaml, and stepnet.schema.json beside it
      stepnet examples mazur > my.yaml
    """
    from ..api import example, example_names, load

    if name:
        check_writable(path)
        text = example(name).read_text(encoding="utf-8")
        emit(OutputOptions(path=path), _schema_beside_copy(text))
        _write_schema_beside(path)
        return
    if path != "-":
        raise click.UsageError("-o writes one example: name it, as in `stepnet examples mazur -o my.yaml`")
    for n in example_names():
        cfg = load(n)
        shape = "-".join(str(layer.size) for layer in cfg.layers)
        summary = cfg.description.splitlines()[0] if cfg.description else cfg.name
        emit(STDOUT, f"{n:<14} {shape:<12} {summary}\n")


@click.command()
@click.argument("configs", nargs=-1, required=True, type=click.Path())
def validate(configs: tuple[str, ...]) -> None:
    """Check config files without running them: a line per file, or per error.

    Every problem in a file is listed, each as file:line:col: key: what was expected (hint:
    how to fix it), then how many there are. A problem that makes later checks meaningless
    (a YAML syntax error; layers that cannot be read, so weights cannot be checked against
    their sizes) hides only those checks. Exit status 1 if any file is invalid.

    \b
    Examples:
      stepnet validate my.yaml
      stepnet validate configs/*.yaml
    """
    from ..errors import printable

    good_mark, bad_mark = ("ok", "invalid") if ascii_wanted(False) else ("✓", "✗")
    bad = 0
    for path in configs:
        cfg, errors, complete = _check_file(path)
        if errors:
            bad += 1
            lines = [f"{bad_mark} {_one_line(exc)}" for exc in errors[:MAX_LISTED]]
            if len(errors) > MAX_LISTED:
                lines.append(f"  and {len(errors) - MAX_LISTED:,} more")
            if len(errors) > 1:
                stopped = "" if complete else " (checking stopped there: fix these first)"
                lines.append(f"  {len(errors):,} errors in {printable(click.format_filename(path))}{stopped}")
        else:
            lines = [f"{good_mark} {path}: {cfg.name} ({'-'.join(str(layer.size) for layer in cfg.layers)})"]
        emit(STDOUT, "\n".join(lines) + "\n")  # as each file is read, so that a long list shows progress
    if bad:
        sys.exit(1)


MAX_LISTED = 100  # errors listed per file; the count says how many there are


def _check_file(path: str):
    """The config at ``path``, every error found in it in document order (the config None if any), and
    whether the checking went to the end."""
    from ..config.load import load_config
    from ..derive.names import Names
    from ..errors import ConfigError, each_error
    from ..verify.claims import resolve

    try:
        cfg = load_config(path)
    except ConfigError as exc:
        complete = getattr(exc, "complete", True)
        return None, sorted(each_error(exc), key=lambda e: (e.line or 0, e.column or 0)), complete
    names, errors = Names(cfg), []
    for claim in cfg.claims:  # each names a quantity the network has, as check --claims needs
        try:
            resolve(claim, names, cfg.source, cfg.effective_batch_size)
        except ConfigError as exc:
            errors.append(exc)
    return (None if errors else cfg), errors, True


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


def _schema_beside_copy(text: str) -> str:
    """A bundled example as a copy of it reads: its ``$schema`` line names the schema beside the copy.

    In the package the line names ``config.schema.json``, which is beside the bundled file;
    a copy points at :data:`SCHEMA_FILE`, as ``stepnet init`` writes, and says how to make it.
    """
    first, newline, rest = text.partition("\n")
    if not first.startswith(SCHEMA_LINE):
        return text
    note = f"# Editors: `stepnet schema -o {SCHEMA_FILE}` writes the schema the line above names."
    return f"{SCHEMA_LINE}{SCHEMA_FILE}\n{note}{newline}{rest}"


def _write_schema_beside(path: str) -> None:
    """Write :data:`SCHEMA_FILE` in the folder of the config at ``path``, unless it is there already."""
    if path == "-":
        return
    target = os.path.join(os.path.dirname(path), SCHEMA_FILE)
    if not os.path.lexists(target):
        from ..config.load import schema_text

        emit(OutputOptions(path=target), schema_text())


@click.command()
@click.option("-o", "--output", "path", type=_OUTPUT, default="-",
              help="Write the schema to this file instead of standard output.")
def schema(path: str) -> None:
    """Print the JSON Schema of the config file (for editors and CI).

    Configs written by `stepnet init` and `stepnet examples NAME` name stepnet.schema.json
    on their first line, for editors with the YAML language server.

    \b
    Examples:
      stepnet schema -o stepnet.schema.json
      stepnet schema > stepnet.schema.json
    """
    from ..config.load import schema_text

    check_writable(path)
    emit(OutputOptions(path=path), schema_text())


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
    data in it are made-up numbers to replace with your own. Its first line names
    stepnet.schema.json for editors: that file is written beside FILE unless it exists.

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
    _write_schema_beside(file)
    if file != "-":
        click.echo(f"Next: stepnet run {file}", err=True)
