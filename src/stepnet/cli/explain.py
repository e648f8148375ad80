"""``stepnet explain``: one parameter's gradient, or one neuron's values, derived step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..formats import VIEWS
from ..limits import MAX_ITERATIONS
from .options import (
    DEFAULT_EXAMPLE,
    OutputOptions,
    check_conflicts,
    check_iteration,
    complete_configs,
    load_network,
    name_hint,
    output_options,
)
from .output import Document, completed, emit, finish, rendered

if TYPE_CHECKING:
    from ..api import Explanation, Run
    from ..config.model import NetworkConfig


def _complete_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Shell completion of NAME: the parameters and neurons of the network --config names."""
    from click.shell_completion import CompletionItem

    try:
        from ..api import load
        from ..derive.names import Names

        names = Names(load(ctx.params.get("config") or DEFAULT_EXAMPLE)).valid_names()
    except Exception:  # noqa: BLE001 - completion must never fail loudly
        return []
    return [CompletionItem(n) for n in names if n.lower().startswith(incomplete.lower())]


@click.command()
@click.argument("name", shell_complete=_complete_names)
@click.option("-c", "--config", default=None, help="YAML file or bundled example (default: mazur).", is_eager=True,
              shell_complete=complete_configs)
@click.option("-i", "--iteration", type=click.IntRange(1, MAX_ITERATIONS), default=1, show_default=True,
              help="Which iteration to explain (the parameters it started from).")
@click.option("--carry", type=click.IntRange(0, 15), default=None, metavar="N", help="Hand mode, as for run.")
@click.option("--no-check", is_flag=True, help="Skip the sympy and finite-difference check.")
@click.option("--view", type=click.Choice(VIEWS), default="scalar", show_default=True,
              help="matrix: also the general formula of the parameter's layer, in matrix form.")
@output_options
@click.pass_context
def explain(ctx: click.Context, name: str, config: str | None, iteration: int, carry: int | None, no_check: bool,
            view: str, out: OutputOptions) -> None:
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
    check_conflicts(ctx, ("precision", "sig"))
    from .. import api

    cfg = load_network(config, out)
    _lookup_name(cfg, name)  # an unknown name is a usage error before any work
    check_iteration(ctx, cfg, iteration)
    result = api.run(cfg, iteration, trace=str(iteration), carry=carry, precision=out.precision, sig=out.sig)
    if not completed(result) and (out.to_file or result.trace.traced(iteration) is None):
        finish(result, out.path)
    explanation = result.explain(name, iteration, check=not no_check, view=view)
    emit(out, _document(result, name, iteration, explanation))
    finish(result)  # diverged at this very iteration: shown, then exit 1


def _document(result: Run, name: str, iteration: int, explanation: Explanation) -> Document:
    def to_json() -> str:
        import json

        from ..render.json import iteration_object

        obj = iteration_object(result.traced(iteration), result.names)
        return json.dumps({"explain": name, "iteration": obj}, indent=1, ensure_ascii=False) + "\n"

    derivation = explanation.derivation

    def html(out: OutputOptions) -> str:
        from ..render.html import derivation_html

        return derivation_html(derivation, result.fmt)

    def latex(out: OutputOptions) -> str:
        from ..render.latex_doc import derivation_latex

        return derivation_latex(derivation, result.fmt, body_only=out.latex_body)

    return Document(draw=rendered(result.fmt, lambda r: r.derivation(derivation)), forms={
        "markdown": lambda out: explanation.to_markdown(out.flavor),
        "html": html,
        "latex": latex,
        "json": lambda out: to_json(),
    })


def _lookup_name(cfg: NetworkConfig, name: str) -> None:
    """A UsageError (exit 2) for an unknown NAME, listing the valid names and the closest one."""
    from ..derive.names import Names
    from ..errors import UsageError

    names = Names(cfg)
    try:
        names.lookup(name)
    except UsageError as exc:
        exc.hint = name_hint(names, name)
        raise
