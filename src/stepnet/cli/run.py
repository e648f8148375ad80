"""``stepnet run``: train the network and show every traced iteration worked out in full."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from ..formats import VIEWS
from ..limits import MAX_ITERATIONS
from .options import (
    OutputOptions,
    check_conflicts,
    complete_configs,
    load_network,
    name_hint,
    name_list,
    output_options,
)
from .output import Document, completed, emit, finish, progress, rendered

if TYPE_CHECKING:
    from ..api import Run
    from ..config.model import NetworkConfig
    from ..derive.limits import Limits


@click.command()
@click.argument("config", required=False, shell_complete=complete_configs)
@click.option("-n", "--iterations", type=click.IntRange(1, MAX_ITERATIONS), default=None,
              help="Number of updates (default: the config's `iterations`, else 1).")
@click.option("--epochs", type=click.IntRange(1, MAX_ITERATIONS), default=None,
              help="Number of passes over the data instead.")
@click.option("--trace", "trace_spec", default=None, metavar="WHICH",
              help="Iterations shown in full: all, first, last, or numbers and ranges like 1,5,10-12 "
                   "(default: all up to 20 iterations, else first,last).")
@click.option("--carry", type=click.IntRange(0, 15), default=None, metavar="N",
              help="Hand mode: round every intermediate value to N decimals before it is used again.")
@click.option("--carry-sig", type=click.IntRange(1, 15), default=None, metavar="N",
              help="Hand mode with N significant digits instead of N decimals (tiny values keep their digits), "
                   "e.g. --carry-sig 4.")
@click.option("--compare-carry", type=click.IntRange(0, 15), default=None, metavar="N",
              help="Instead of the report: a table of every quantity of the first traced iteration at full "
                   "precision and in hand mode with N decimals, marking where they first differ.")
@click.option("--only", default=None, metavar="NAMES",
              help="Show these neurons/parameters in full even in wide layers (comma-separated, ranges too: "
                   "h9-h16,w120).")
@click.option("--params", default=None, metavar="RANGES",
              help="Show these parameters in full even in wide layers, with the neurons their lines use: "
                   "names and ranges, e.g. w1-w40,b3.")
@click.option("--view", type=click.Choice(VIEWS), default="scalar", show_default=True,
              help="scalar: a line per neuron and parameter; matrix: each layer at once, as matrix equations.")
@output_options
@click.pass_context
def run(ctx: click.Context, config: str | None, iterations: int | None, epochs: int | None, trace_spec: str | None,
        carry: int | None, carry_sig: int | None, compare_carry: int | None, only: str | None, params: str | None,
        view: str, out: OutputOptions) -> None:
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
      stepnet run adam --carry-sig 4       # as by hand, 4 significant digits at every step
      stepnet run mazur --compare-carry 9  # where rounding to 9 decimals first changes a number
      stepnet run mazur --view matrix      # each layer at once, as matrix equations
      stepnet run nielsen                  # the classic network in Nielsen's z, a, C notation
    """
    check_conflicts(ctx, ("iterations", "epochs"), ("precision", "sig"))
    if carry is not None and carry_sig is not None:
        raise click.UsageError("give --carry (decimal places) or --carry-sig (significant digits), not both", ctx=ctx)
    from .. import api

    cfg = load_network(config, out)
    planned = _planned(cfg, iterations, epochs)
    limits = _limits(cfg, only, params)
    if compare_carry is not None:
        _refuse_beside_compare_carry(ctx, carry if carry_sig is None else carry_sig, out)
        emit(out, _comparison(cfg, compare_carry, planned, trace_spec))
        return
    from .stream import STREAMED, refuse_oversize, stream_run

    refuse_oversize(cfg, planned, trace_spec, out.format, limits)
    streamed = out.format in STREAMED
    # a report streamed to the terminal shows its own progress; a bar on the same screen would garble it
    wanted = planned >= 2000 or sum(layer.size for layer in cfg.layers) > 500
    with progress(wanted and not (streamed and out.format == "text" and not out.to_file)) as update:
        if streamed:
            result = stream_run(cfg, out, limits, view, planned, iterations=iterations, epochs=epochs,
                                trace_spec=trace_spec, carry=carry, carry_sig=carry_sig, progress=update)
        else:
            result = api.run(cfg, iterations, epochs=epochs, trace=trace_spec, carry=carry, carry_sig=carry_sig,
                             precision=out.precision, sig=out.sig, progress=update)
    if not streamed and (not out.to_file or completed(result)):  # a file gets a finished run only
        emit(out, _report(result, limits, view))
    finish(result, out.path)


def _planned(cfg: NetworkConfig, iterations: int | None, epochs: int | None) -> int:
    """How many updates the run will make, as the options and the config ask; refused beyond the limit."""
    from ..engine.training import batches_per_epoch

    if not epochs:
        return iterations or cfg.iterations or 1
    per_epoch = batches_per_epoch(cfg)
    if epochs * per_epoch > MAX_ITERATIONS:
        raise click.BadParameter(
            f"{epochs:,} epochs of {per_epoch:,} batches each is {epochs * per_epoch:,} updates; "
            f"stepnet makes at most {MAX_ITERATIONS:,} in one run", param_hint="--epochs")
    return epochs * per_epoch


def _report(result: Run, limits: Limits, view: str = "scalar") -> Document:
    def code(write: Callable[[Run], str]) -> Callable[[OutputOptions], str]:
        return lambda out: write(result)

    def html(out: OutputOptions) -> str:
        from ..render.html import run_html

        return run_html(result, limits, view)

    def latex(out: OutputOptions) -> str:
        from ..render.latex_doc import run_latex

        return run_latex(result, limits, body_only=out.latex_body, view=view)

    def python_script(run: Run) -> str:
        from ..render.code.numpy_script import python_script

        return python_script(run)

    def pytorch_script(run: Run) -> str:
        from ..render.code.torch_script import pytorch_script

        return pytorch_script(run)

    return Document(draw=rendered(result.fmt, lambda r: r.report(result.report(limits, view))), forms={
        "markdown": lambda out: result.to_markdown(out.flavor, limits, view),
        "html": html,
        "latex": latex,
        "json": lambda out: result.to_json(),
        "python": code(python_script),
        "pytorch": code(pytorch_script),
    })


def _refuse_beside_compare_carry(ctx: click.Context, carry: int | None, out: OutputOptions) -> None:
    if carry is not None:
        raise click.UsageError("give --carry (or --carry-sig) or --compare-carry, not both", ctx=ctx)
    if out.format != "text":
        raise click.UsageError("--compare-carry prints a table: drop --format (text is the default)", ctx=ctx)


def _comparison(cfg: NetworkConfig, places: int, total: int, trace_spec: str | None) -> Document:
    """run --compare-carry N: full precision against hand mode, for the first traced iteration."""
    from ..engine.training import traced_set
    from ..verify.handmode import compare_carry

    result = compare_carry(cfg, places, min(traced_set(trace_spec, total)))

    def draw(console, ascii_only: bool) -> None:
        from ..render.term_layout import Lines, text_layout
        from ..verify.handmode import summary, table

        console.print(table(result, ascii_only))
        console.print(Lines([text_layout(summary(result, ascii_only))]))

    return Document(draw=draw)


def _limits(cfg: NetworkConfig, only: str | None, params: str | None) -> Limits:
    """What wide layers show in full: the names and ranges of --only and --params.

    A name the network does not have is a usage error naming the closest one it has,
    before any work: silently showing nothing would look like an answer.
    """
    from ..derive.limits import Limits
    from ..derive.names import Names
    from ..errors import UsageError

    names, chosen = Names(cfg), set()
    for option, text in (("--only", only), ("--params", params)):
        for item in name_list(text):
            for name in _expand_range(item, names):
                try:
                    names.lookup(name)
                except UsageError as exc:
                    raise click.BadParameter(f"{exc.message}; {name_hint(names, name)}", param_hint=option) from None
                chosen.add(name)
    return Limits(only=frozenset(chosen)) if chosen else Limits()


def _expand_range(item: str, names=None) -> list[str]:
    """'w1-w20' → w1 … w20: a range of flat names, in the run's letters too (theta1-theta9, θ1-θ9).

    Given the network's ``names``, also a range of two parameter names of one kind in any
    notation (w^3_11-w^3_24): the names of every weight, or bias, from the one to the other.
    Any other item stands for itself; a report reads such a range against its network.
    """
    import re

    from ..derive.parser import plain_typed

    item = plain_typed(item)
    m = re.fullmatch(r"([a-z]+)(\d+)-(?:\1)?(\d+)", item)
    if m:
        lo, hi = int(m[2]), int(m[3])
        if hi < lo or hi - lo > 100_000:
            raise click.BadParameter(f"'{item}' is not a range from a lower to a higher number", param_hint="--params")
        return [f"{m[1]}{k}" for k in range(lo, hi + 1)]
    if names is not None and item:
        from ..derive.limits import range_names

        try:
            found = range_names(names, item)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--params") from None
        if found is not None:
            return found
    return [item] if item else []
