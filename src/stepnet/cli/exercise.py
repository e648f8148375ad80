"""``stepnet exercise``: worksheets with blanks, answers files to fill in and worked keys, in variants."""

from __future__ import annotations

import os

import click

from .options import complete_configs, load_network

MAX_VARIANTS = 500  # the same as stepnet.exercise.variants.MAX_VARIANTS, kept here so --help stays light
FORMATS = ("markdown", "html", "latex")
EXTENSIONS = {"markdown": "md", "html": "html", "latex": "tex"}
DEFAULT_SEED = 0


@click.command()
@click.argument("config", required=False, shell_complete=complete_configs)
@click.option("--ask", "ask", default=None, metavar="SPEC",
              help="The blanks: forward (net, out, errors), backward (every δ and gradient), update (every "
                   "updated parameter), all, or quantity names, comma-separated and mixed: forward,w5+ or "
                   "out_o1,delta_o1,dE_total/dw5. Default: all for up to 12 parameters, else the output "
                   "layer's forward pass and updates.")
@click.option("--variants", type=click.IntRange(1, MAX_VARIANTS), default=None, metavar="N",
              help=f"Draw N variants with the config's structure and fresh two-decimal numbers (at most "
                   f"{MAX_VARIANTS}). Without it: one exercise with the config's own numbers.")
@click.option("--seed", type=click.IntRange(0), default=None, metavar="S",
              help=f"Seed of the drawn variants (default {DEFAULT_SEED}); the same seed gives the same files, "
                   "byte for byte. Alone, it draws one variant.")
@click.option("--carry", type=click.IntRange(1, 15), default=None, metavar="N",
              help="Hand mode: every intermediate is rounded to N decimals; the key is that calculation and "
                   "answers are asked to N decimals (default: full precision, answers to 4 decimals).")
@click.option("--format", "form", type=click.Choice(FORMATS), default="markdown", show_default=True,
              help="Worksheets and keys as Markdown, a self-contained HTML page, or a LaTeX document.")
@click.option("-o", "--output-dir", "directory", default="exercise", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="The folder the files are written to (made if needed).")
@click.option("--force", is_flag=True, help="Replace files of the same names already in DIR.")
def exercise(config: str | None, ask: str | None, variants: int | None, seed: int | None, carry: int | None,
             form: str, directory: str, force: bool) -> None:
    """Write exercises: for each variant K, worksheet-K (the network, its data and numbered blanks,
    no answer), answers-K.yaml (to fill in, for `stepnet grade`) and key-K (the answers and the
    worked iteration, each asked value marked).

    CONFIG is a YAML file or the name of a bundled example (default: mazur). The exercise is
    always the config's first training iteration.

    \b
    Examples:
      stepnet exercise                                 one exercise with mazur's own numbers
      stepnet exercise mazur --variants 30 --seed 7 -o week3/
      stepnet exercise xor --ask forward --format html
      stepnet exercise mazur --ask out_o1,delta_o1,w5+ --carry 4
    """
    from ..derive.names import Names
    from ..exercise.ask import parse_ask

    drawn = variants is not None or seed is not None
    count = variants or 1
    seed = DEFAULT_SEED if seed is None else seed
    _check_folder(directory)
    cfg = load_network(config)
    parse_ask(ask, Names(cfg), cfg.effective_batch_size)  # a bad --ask is refused before any drawing
    names = [name for k in range(1, count + 1) for name in _file_names(k, EXTENSIONS[form])]
    if not force:
        _refuse_existing(directory, names)
    files = _render(cfg, ask, count if drawn else None, seed, carry, form)
    _write_all(directory, files)
    _summary(directory, [name for name, _ in files], count, seed if drawn else None)


def _file_names(k: int, ext: str) -> list[str]:
    return [f"worksheet-{k}.{ext}", f"answers-{k}.yaml", f"key-{k}.{ext}"]


def _render(cfg, ask: str | None, variants: int | None, seed: int, carry: int | None,
            form: str) -> list[tuple[str, str]]:
    from ..exercise.answers import answers_yaml
    from ..exercise.key import key
    from ..exercise.variants import exercises
    from ..exercise.worksheet import worksheet

    files = []
    for ex in exercises(cfg, ask, variants, seed, carry):
        texts = (worksheet(ex, form), answers_yaml(ex, seed if variants is not None else None), key(ex, form))
        files += list(zip(_file_names(ex.variant, EXTENSIONS[form]), texts, strict=True))
    return files


# ---------------------------------------------------------------- the folder


def _check_folder(directory: str) -> None:
    """A usage error (exit 2) for a folder that is a file, or where nothing can be written."""
    shown = click.format_filename(directory)
    hint = "-o/--output-dir"
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise click.BadParameter(f"'{shown}' is a file, not a folder; give a folder to write the exercises into",
                                 param_hint=hint)
    probe = os.path.abspath(directory)
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise click.BadParameter(f"cannot make the folder '{shown}': '{click.format_filename(probe)}' is a file",
                                 param_hint=hint)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise click.BadParameter(f"cannot write into '{click.format_filename(probe)}': permission denied; "
                                 "give another folder with -o", param_hint=hint)


def _refuse_existing(directory: str, names: list[str]) -> None:
    there = [n for n in names if os.path.lexists(os.path.join(directory, n))]
    if there:
        more = f" and {len(there) - 1} more" if len(there) > 1 else ""
        raise click.UsageError(
            f"'{click.format_filename(os.path.join(directory, there[0]))}'{more} already exist"
            f"{'s' if len(there) == 1 else ''}; nothing was written.\n"
            "  hint: add --force to replace them, or write elsewhere with -o DIR")


def _write_all(directory: str, files: list[tuple[str, str]]) -> None:
    """Every file whole or none: all are written to temporary files first, then each renamed into place."""
    import tempfile

    try:
        os.makedirs(directory, exist_ok=True)
        temps = []
        try:
            for _, text in files:
                fd, tmp = tempfile.mkstemp(prefix=".stepnet-", suffix=".tmp", dir=directory)
                temps.append(tmp)
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                    stream.write(text)
                os.chmod(tmp, 0o644)
        except BaseException:
            for tmp in temps:
                _remove(tmp)
            raise
        for (name, _), tmp in zip(files, temps, strict=True):
            os.replace(tmp, os.path.join(directory, name))
    except OSError as exc:
        raise click.ClickException(f"cannot write into '{click.format_filename(directory)}': "
                                   f"{exc.strerror or exc}; nothing was written") from None


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _summary(directory: str, written: list[str], count: int, seed: int | None) -> None:
    shown = ", ".join(written if count <= 2 else [*written[:3], "…", *written[-3:]])
    what = f"{count} variant{'s' if count != 1 else ''}" if seed is not None else "1 exercise"
    folder = click.format_filename(directory).rstrip("/") + "/"
    click.echo(f"Wrote {what} to {folder}: {shown}", err=True)
    if seed is None:
        click.echo("The exercise uses the config's own numbers; add --variants N for fresh ones.", err=True)
    else:
        click.echo(f"Seed {seed}: `--seed {seed}` draws the same variants again.", err=True)
