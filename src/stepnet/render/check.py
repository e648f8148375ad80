"""What ``stepnet check`` shows: the table of gradients against finite differences, and one
line per claim.  It formats results that were computed elsewhere; it computes none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

from ..verify.claims import format_result, summary
from ..verify.judge import ClaimResult


@dataclass(frozen=True)
class GradientCheck:
    """One parameter's gradient by the chain rule and by a central finite difference."""

    name: str
    chain_rule: float
    finite_difference: float
    relative_difference: float
    ok: bool  # within the tolerance


def gradient_table(title: str, checks: Sequence[GradientCheck]) -> Table:
    table = Table(title=Text(title), title_justify="left")
    for col in ("parameter", "chain rule", "finite difference", "relative difference", ""):
        table.add_column(col, justify="left" if col in ("parameter", "") else "right")
    for c in checks:
        table.add_row(Text(c.name), f"{c.chain_rule:.12g}", f"{c.finite_difference:.12g}",
                      f"{c.relative_difference:.1e}", "ok" if c.ok else "DIFFERS")
    return table


def gradients_agree(count: int, tolerance: float) -> Text:
    return Text(f"All {count} gradients agree with central finite differences (tolerance {tolerance:g}).")


def claim_line(result: ClaimResult) -> Text:
    """``✓ …`` in green for a claim that holds, ``✗ …`` in bold red for one that does not."""
    line = format_result(result)
    return Text.assemble((line[0], "green" if result.ok else "bold red"), line[1:])


def claims_summary(results: list[ClaimResult]) -> Text:
    return Text(summary(results), style="bold")


def no_claims(source: str) -> Text:
    return Text(f"{source}: no claims to check (add a `claims:` mapping)")
