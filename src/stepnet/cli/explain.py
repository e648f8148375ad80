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

        names = Names(load(ctx.params.get("config") or ctx.params.get("config_arg") or DEFAULT_EXAMPLE)).valid_names()
    except Exception:  # noqa: BLE001 - completion must never fail loudly
        return []
    return [CompletionItem(n) for n in names if n.lower().startswith(incomplete.lower())]


@click.command()
@click.argument("name", shell_complete=_complete_names)
@click.argument("config_arg", metavar="[CONFIG]", required=False, shell_complete=complete_configs)
@click.option("-c", "--config", default=None, help="YAML file or bundled example (default: mazur); or give it "
              "as CONFIG after NAME, e.g. stepnet explain w5 my.yaml.", is_eager=True,
              shell_complete=complete_configs)
@click.option("-i", "--iteration", type=click.IntRange(1, MAX_ITERATIONS), default=1, show_default=True,
              help="Which iteration to explain (the parameters it started from).")
@click.option("--carry", type=click.IntRange(0, 15), default=None, metavar="N",
              help="Hand mode, as for run: every intermediate rounded to N decimals, e.g. --carry 4.")
@click.option("--carry-sig", type=click.IntRange(1, 15), default=None, metavar="N",
              help="Hand mode, as for run, keeping N significant digits at every step, e.g. --carry-sig 4.")
@click.option("--no-check", is_flag=True, help="Skip the sympy and finite-difference check.")
@click.option("--view", type=click.Choice(VIEWS), default="scalar", show_default=True,
              help="matrix: also the general formula of the parameter's layer, in matrix form.")
@output_options
@click.pass_context
def explain(ctx: click.Context, name: str, config_arg: str | None, config: str | None, iteration: int,
            carry: int | None, carry_sig: int | None, no_check: bool, view: str, out: OutputOptions) -> None:
    """Derive one parameter's gradient, one neuron's values, or any one quantity, step by step.

    NAME is a weight, bias or neuron in any notation (w5, b1, h1, w(2)_11, h1->o1), or any
    quantity `check --claims` reads (net_h1, out_o1@2, E_o1, E_total, delta_o1,
    dE_total/dout_o1, dE_o1/dout_h1, w5+).  CONFIG (or -c) is a YAML file or a bundled
    example.

    \b
    Examples:
      stepnet explain w5
      stepnet explain w1 configs/mazur.yaml
      stepnet explain b1 -c my.yaml --iteration 3
      stepnet explain delta_o1 softmax
      stepnet explain h1 --ascii
      stepnet explain w5 --format json -o w5.json
      stepnet explain w5 --carry-sig 4
    """
    check_conflicts(ctx, ("precision", "sig"))
    if carry is not None and carry_sig is not None:
        raise click.UsageError("give --carry (decimal places) or --carry-sig (significant digits), not both", ctx=ctx)
    if config_arg is not None and config is not None:
        raise click.UsageError(f"give the config once: as CONFIG ('{config_arg}') or with -c/--config "
                               f"('{config}'), not both", ctx=ctx)
    if config_arg is not None and _names_a_config(name) and not _names_a_config(config_arg):
        raise click.UsageError(f"NAME comes first, then CONFIG: stepnet explain {config_arg} {name}", ctx=ctx)
    config = config if config is not None else config_arg
    from .. import api

    cfg = load_network(config, out)
    _lookup_name(cfg, name)  # an unknown name is a usage error before any work
    check_iteration(ctx, cfg, iteration)
    result = api.run(cfg, iteration, trace=str(iteration), carry=carry, carry_sig=carry_sig, precision=out.precision,
                     sig=out.sig)
    if not completed(result) and (out.to_file or result.trace.traced(iteration) is None):
        finish(result, out.path)
    explanation = result.explain(name, iteration, check=not no_check, view=view)
    _say_how_computed(explanation, result.traced(iteration))
    emit(out, _document(result, name, iteration, explanation))
    finish(result)  # diverged at this very iteration: shown, then exit 1


def _say_how_computed(explanation: Explanation, it) -> None:
    """In hand mode, every line's † note says its value comes from the carried numbers."""
    from ..derive.derivation import mark_carried

    if it is not None:
        for block in explanation.derivation.blocks:
            mark_carried(block.lines, it.carry)


def _document(result: Run, name: str, iteration: int, explanation: Explanation) -> Document:
    derivation = explanation.derivation

    def to_json() -> str:
        from ..render.explain_json import explain_json
        from ..render.json import iteration_object

        return explain_json(name, derivation, result.fmt, iteration_object(result.traced(iteration), result.names))

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
    from ..derive.explain import resolve
    from ..derive.names import Names
    from ..derive.quantities import Quantity
    from ..errors import UsageError

    names = Names(cfg)
    try:
        found = resolve(names, name)
    except UsageError as exc:
        exc.hint = _hint(names, name)
        if _names_a_config(name):
            exc.hint = f"NAME comes first, then CONFIG: stepnet explain w5 {name}; {exc.hint}"
        raise
    batch = cfg.effective_batch_size
    if isinstance(found, Quantity) and found.sample is not None and found.sample >= batch:
        raise UsageError(f"'{name}' names sample {found.sample + 1}, but each batch has {batch} "
                         f"sample{'' if batch == 1 else 's'}",
                         hint="drop the @N" if batch == 1 else f"samples are numbered @1 to @{batch}")


def _names_a_config(text: str) -> bool:
    """Whether ``text`` reads as a config (a bundled example or a YAML file) given where a NAME goes."""
    import os

    from ..api import example_names

    return text in example_names() or (text.endswith((".yaml", ".yml")) and os.path.exists(text))


def _hint(names, typed: str) -> str:
    """The closest parameter, neuron or quantity name, then the names there are."""
    import difflib
    import itertools

    from ..derive.quantities import all_quantities
    from ..derive.quantity_names import notation_forms_hint, quantity_name

    typed = typed.strip().lower()
    quantities = [quantity_name(q, names) for q in itertools.islice(all_quantities(names, 1), 20_000)]

    def likeness(valid: str) -> float:  # same letter first (w, b, the layer, d, n), then the look of it
        return difflib.SequenceMatcher(None, typed, valid.lower()).ratio() + 0.3 * (valid[:1].lower() == typed[:1])

    closest = max(names.valid_names() + quantities, key=likeness)  # the first of equals, in the network's order
    guess = f"did you mean '{closest}'? " if likeness(closest) >= 0.5 else ""
    return (f"{guess}valid names: {names.summary_of_names()}; or a quantity, as `check --claims` names them: "
            f"{notation_forms_hint(names).removeprefix('quantity names: ')}")
