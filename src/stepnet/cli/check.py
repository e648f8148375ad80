"""``stepnet check``: every gradient against a central finite difference, or a text's numbers
against the true values."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..limits import DEFAULT_SAMPLE, MAX_ITERATIONS, MAX_PARAMETERS
from .options import OutputOptions, check_iteration, complete_configs, load_network
from .output import Document, ascii_wanted, console, emit, finish, progress

if TYPE_CHECKING:
    from ..config.model import NetworkConfig
    from ..derive.index import Param
    from ..engine.trace import IterationTrace
    from ..verify.gradients import GradientCheck
    from ..verify.judge import ClaimResult


def _finite(value: float) -> float:
    """FloatRange lets nan through (every comparison with it is false); a nan tolerance would pass anything."""
    if value != value:
        raise click.BadParameter("nan is not a tolerance: give a number above 0, such as 1e-6")
    return value


@click.command()
@click.argument("config", required=False, shell_complete=complete_configs)
@click.option("-i", "--iteration", type=click.IntRange(1, MAX_ITERATIONS), default=1, show_default=True,
              help="Check the gradients of this iteration.")
@click.option("--tolerance", type=click.FloatRange(0, 1, min_open=True), default=1e-6, show_default=True,
              callback=lambda ctx, param, value: _finite(value),
              help="Relative tolerance, above 0 and up to 1; each finite difference's own error bound is allowed "
                   "on top of it.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width.")
@click.option("--no-color", is_flag=True, help="No colour.")
@click.option("--claims", "use_claims", is_flag=True,
              help="Check the numbers in the config's `claims:` against the true values, and say why any differs.")
@click.option("--claims-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Check the claims in this YAML file (a `claims:` mapping, as in a config).")
@click.option("--gradients", is_flag=True, help="With --claims or --claims-file: also run the finite-difference check.")
@click.option("--sample", type=click.IntRange(1, MAX_PARAMETERS), default=None, metavar="N",
              help=f"Check N parameters drawn at random (default: all, or {DEFAULT_SAMPLE} of a network with more).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the --sample draw.")
@click.option("--params", "picked", default=None, metavar="RANGES",
              help="Check only these parameters: names and flat ranges, e.g. w1-w40,b3.")
@click.option("--ascii", "ascii_only", is_flag=True, help="ASCII only: - for the minus sign.")
@click.option("--format", "format_", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="json for programs: every gradient's values, exact difference and tolerances, and every "
                   "claim's verdict, as one object (stepnet check mazur --claims --gradients --format json).")
@click.pass_context
def check(ctx: click.Context, config: str | None, iteration: int, tolerance: float, width: int | None,
          no_color: bool, use_claims: bool, claims_file: str | None, gradients: bool, sample: int | None,
          seed: int, picked: str | None, ascii_only: bool, format_: str) -> None:
    """Compare every gradient with a central finite difference, or check a text's numbers.

    A gradient agrees when it is within --tolerance (relative) of the finite difference,
    plus that difference's own error bound for the step it used (absolute): both are
    shown.  Exit status 1 if any differs by more, or any claim is wrong.

    \b
    Examples:
      stepnet check
      stepnet check configs/xor.yaml --iteration 5
      stepnet check big.yaml --sample 2000 --seed 3
      stepnet check big.yaml --params w1-w40,b3
      stepnet check mazur --claims           # the numbers tutorial 001 prints
      stepnet check my.yaml --claims-file numbers.yaml
      stepnet check --format json
    """
    from .. import api

    out = OutputOptions(format=format_, width=width, no_color=no_color, ascii_only=ascii_only)
    cfg = load_network(config)
    claims_failed, results = False, None
    if use_claims or claims_file:
        results = _judge_claims(cfg, use_claims, claims_file)
        claims_failed = any(not r.ok for r in results)
        if not (gradients and format_ == "json"):  # JSON: one object with the gradients, below
            emit(out, _claims_document(cfg, results))
        if not gradients:
            sys.exit(1 if claims_failed else 0)
    check_iteration(ctx, cfg, iteration)
    result = api.run(cfg, iteration, trace=str(iteration))
    if result.trace.traced(iteration) is None:
        finish(result)  # diverged before that iteration
    params, how = _choose(result.names, sample, seed, picked)
    title = f"{cfg.name}: gradients at iteration {iteration}"
    if format_ == "json":
        checks = _json_gradients(out, cfg, result.traced(iteration), params, how, tolerance, results)
    else:
        checks = _show_gradients(out, title, cfg, result.traced(iteration), params, how, tolerance)
    failures = sum(not c.ok for c in checks)
    if failures:
        click.echo(f"{failures} of {len(checks)} gradients differ from the finite difference.", err=True)
        sys.exit(1)
    if claims_failed:
        sys.exit(1)


def _judge_claims(cfg: NetworkConfig, use_config: bool, claims_file: str | None) -> list[ClaimResult]:
    """The config's own claims (with --claims), then those of --claims-file."""
    from ..verify.claims import judge_claims, read_claims_file

    results = judge_claims(cfg) if use_config else []
    if claims_file:
        results += judge_claims(cfg, read_claims_file(claims_file), claims_file)
    return results


def _claims_document(cfg: NetworkConfig, results: list[ClaimResult]) -> Document:
    def to_json(out: OutputOptions) -> str:
        from ..render.check import check_json

        return check_json(cfg, claims=results)

    def draw(console, ascii_only: bool) -> None:  # one unbroken line per claim, however long
        from ..render.check import claim_line, claims_summary, no_claims

        if not results:
            console.print(no_claims(cfg.source or cfg.name))
            return
        for r in results:
            console.print(claim_line(r, ascii_only), soft_wrap=True)
        console.print(claims_summary(results), soft_wrap=True)

    return Document(draw=draw, forms={"json": to_json})


def _json_gradients(out: OutputOptions, cfg: NetworkConfig, it: IterationTrace, params: list[Param], how: str,
                    tolerance: float, claims: list[ClaimResult] | None) -> list[GradientCheck]:
    """Every check computed, then written as one JSON object (with the claims, when there are any)."""
    from ..render.check import check_json
    from ..verify.gradients import check_gradients

    checks = [c for rows in check_gradients(cfg, it, params, tolerance) for c in rows]
    text = check_json(cfg, it.iteration, checks, tolerance, how, _total(it), claims)
    emit(out, Document(draw=lambda console, ascii_only: None, forms={"json": lambda o: text}))
    return checks


def _choose(names, sample: int | None, seed: int, picked: str | None) -> tuple[list[Param], str]:
    """The parameters to check, and how they were chosen (see :func:`~stepnet.render.check.selection_line`)."""
    from ..verify.gradients import draw

    if picked is not None:
        params = _named(names, picked)
        how = "named"
    else:
        params = names.params
        how = "all"
    if sample is None and how == "all" and len(params) > DEFAULT_SAMPLE:
        sample, how = DEFAULT_SAMPLE, f"default {seed}"
    elif sample is not None and sample < len(params):
        how = f"drawn {seed}"
    if sample is not None:
        params = [params[k] for k in draw(len(params), sample, seed)]
    return list(params), how


def _named(names, picked: str) -> list[Param]:
    """--params: names and flat ranges (w1-w40) in the network's order, each once."""
    from ..derive.index import Neuron
    from ..errors import UsageError
    from .options import name_list
    from .run import _expand_range

    found = {}
    for item in name_list(picked):
        for name in _expand_range(item, names):
            try:
                target = names.lookup(name)
            except UsageError as e:
                raise click.BadParameter(e.format(), param_hint="--params") from None
            if isinstance(target, Neuron):
                raise click.BadParameter(f"'{name}' is a neuron, not a weight or bias", param_hint="--params")
            found[names.params.index(target)] = target
    if not found:
        raise click.BadParameter("name at least one weight or bias, such as w1 or w1-w40,b3", param_hint="--params")
    return [found[k] for k in sorted(found)]


def _show_gradients(out: OutputOptions, title: str, cfg: NetworkConfig, it: IterationTrace, params: list[Param],
                    how: str, tolerance: float) -> list[GradientCheck]:
    """Compute and show the checks: one table for a few, rows as they come (and a progress bar) for many."""
    from ..verify.gradients import CHUNK, check_gradients

    chunks = check_gradients(cfg, it, params, tolerance)
    if len(params) <= CHUNK:
        checks = next(chunks, [])
        emit(out, _gradients_document(title, checks, tolerance, how, _total(it)))
        return checks
    real_stdout = sys.stdout
    checks: list[GradientCheck] = []
    with progress(True, "checking") as update:
        # inside the bar, sys.stdout prints above it; a pipe or file gets the rows directly
        stream = sys.stdout if real_stdout.isatty() else real_stdout
        shown = console(out, stream)
        ascii_only = ascii_wanted(out.ascii_only)
        _stream(shown, ascii_only, title, params, how, _total(it), chunks, checks, tolerance, update)
    return checks


def _total(it: IterationTrace) -> int:
    return sum(lt.W.size + lt.b.size for lt in it.layers)


def _stream(shown, ascii_only: bool, title: str, params: list[Param], how: str, total: int, chunks,
            checks: list, tolerance: float, update) -> None:
    from rich.text import Text

    from ..render.check import gradients_agree, gradients_differ, selection_line, stream_header, stream_row

    width = max(len(p.name) for p in params)
    shown.print(Text(title, style="italic"))
    shown.print(selection_line(len(params), total, how), soft_wrap=True)
    shown.print(stream_header(width))
    for rows in chunks:
        for c in rows:
            shown.print(stream_row(c, width, ascii_only), soft_wrap=True)
        checks += rows
        if update:
            update(len(checks), len(params))
    final = gradients_agree if all(c.ok for c in checks) else None
    shown.print(final(len(checks), tolerance, checks, ascii_only) if final else
                gradients_differ(tolerance, checks, ascii_only))


def _gradients_document(title: str, checks: list[GradientCheck], tolerance: float, how: str,
                        total: int) -> Document:
    def draw(console, ascii_only: bool) -> None:
        from ..render.check import gradient_table, gradients_agree, gradients_differ, selection_line

        if how != "all":
            console.print(selection_line(len(checks), total, how), soft_wrap=True)
        console.print(gradient_table(title, checks, ascii_only))
        if all(c.ok for c in checks):
            console.print(gradients_agree(len(checks), tolerance, checks, ascii_only))
        else:
            console.print(gradients_differ(tolerance, checks, ascii_only))

    return Document(draw=draw)
