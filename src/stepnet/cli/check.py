"""``stepnet check``: every gradient against a central finite difference, or a text's numbers
against the true values."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..limits import MAX_ITERATIONS

from .options import OutputOptions, check_iteration, complete_configs, load_network
from .output import Document, emit, finish

if TYPE_CHECKING:
    from ..config.model import NetworkConfig
    from ..derive.index import Param
    from ..engine.trace import IterationTrace
    from ..render.check import GradientCheck
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
              callback=lambda ctx, param, value: _finite(value), help="Relative tolerance, above 0 and up to 1.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width.")
@click.option("--no-color", is_flag=True, help="No colour.")
@click.option("--claims", "use_claims", is_flag=True,
              help="Check the numbers in the config's `claims:` against the true values, and say why any differs.")
@click.option("--claims-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Check the claims in this YAML file (a `claims:` mapping, as in a config).")
@click.option("--gradients", is_flag=True, help="With --claims or --claims-file: also run the finite-difference check.")
@click.pass_context
def check(ctx: click.Context, config: str | None, iteration: int, tolerance: float, width: int | None,
          no_color: bool, use_claims: bool, claims_file: str | None, gradients: bool) -> None:
    """Compare every gradient with a central finite difference, or check a text's numbers.

    Exit status 1 if any differs by more than the tolerance, or any claim is wrong.

    \b
    Examples:
      stepnet check
      stepnet check configs/xor.yaml --iteration 5
      stepnet check mazur --claims           # the numbers tutorial 001 prints
      stepnet check my.yaml --claims-file numbers.yaml
    """
    from .. import api

    out = OutputOptions(width=width, no_color=no_color)
    cfg = load_network(config)
    claims_failed = False
    if use_claims or claims_file:
        results = _judge_claims(cfg, use_claims, claims_file)
        emit(out, _claims_document(cfg, results))
        claims_failed = any(not r.ok for r in results)
        if not gradients:
            sys.exit(1 if claims_failed else 0)
    check_iteration(ctx, cfg, iteration)
    result = api.run(cfg, iteration, trace=str(iteration))
    if result.trace.traced(iteration) is None:
        finish(result)  # diverged before that iteration
    checks = _check_gradients(cfg, result.iteration(iteration), result.names.params, tolerance)
    failures = sum(not c.ok for c in checks)
    emit(out, _gradients_document(f"{cfg.name}: gradients at iteration {iteration}", checks, tolerance))
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
    def draw(console, ascii_only: bool) -> None:  # one unbroken line per claim, however long
        from ..render.check import claim_line, claims_summary, no_claims

        if not results:
            console.print(no_claims(cfg.source or cfg.name))
            return
        for r in results:
            console.print(claim_line(r), soft_wrap=True)
        console.print(claims_summary(results), soft_wrap=True)

    return Document(draw=draw)


def _check_gradients(cfg: NetworkConfig, it: IterationTrace, params: list[Param],
                     tolerance: float) -> list[GradientCheck]:
    from ..render.check import GradientCheck
    from ..verify.oracles import agrees, all_finite_differences

    checks = []
    for p, fd in zip(params, all_finite_differences(cfg, it, params), strict=True):
        analytic = p.of(it.layer(p.layer), "gradient")
        rel = abs(analytic - fd) / max(abs(analytic), abs(fd), 1e-12)
        checks.append(GradientCheck(p.name, analytic, fd, rel, agrees(analytic, fd, rel=tolerance, abs_tol=1e-9)))
    return checks


def _gradients_document(title: str, checks: list[GradientCheck], tolerance: float) -> Document:
    def draw(console, ascii_only: bool) -> None:
        from ..render.check import gradient_table, gradients_agree

        console.print(gradient_table(title, checks))
        if all(c.ok for c in checks):
            console.print(gradients_agree(len(checks), tolerance))

    return Document(draw=draw)
