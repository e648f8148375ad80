"""What ``stepnet check`` shows: the gradients against finite differences (one table, or rows
streamed as they come for a large network), and one line per claim.  It formats results
that were computed elsewhere; it computes none."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from ..verify.claims import format_result, summary
from ..verify.gradients import GradientCheck
from ..verify.judge import ClaimResult

__all__ = ["GradientCheck", "gradient_table", "gradients_agree", "gradients_differ", "selection_line",
           "stream_header", "stream_row", "claim_line", "claims_summary", "no_claims"]

_COLUMNS = ("parameter", "chain rule", "finite difference", "difference", "allowed", "step", "")
_WIDTHS = (0, 18, 18, 10, 8, 9, 7)  # the streamed rows: the longest each number (or head) can be


def _minus(text: str, ascii_only: bool) -> str:
    return text if ascii_only else text.replace("-", "−")


def number(x: float, ascii_only: bool = False) -> str:
    """A value to 12 significant digits: 0.0821670405642, −4.38567734474e−5."""
    mantissa, _, exponent = f"{x:.12g}".partition("e")
    return _minus(mantissa + (f"e{int(exponent)}" if exponent else ""), ascii_only)


def sci(x: float, ascii_only: bool = False, signed: bool = False) -> str:
    """A difference or tolerance to two digits: 2.5e−11, −3e−4; 0 for exactly zero."""
    if x == 0:
        return "0"
    if x != x or x in (float("inf"), float("-inf")):
        return _minus(str(x), ascii_only)
    mantissa, exponent = f"{x:.1e}".split("e")
    text = f"{mantissa.removesuffix('.0')}e{int(exponent)}"
    return _minus(("+" if signed and x > 0 else "") + text, ascii_only)


def _step(c: GradientCheck, ascii_only: bool) -> str:
    return sci(c.step, ascii_only) + (" R" if c.richardson else "")


def _cells(c: GradientCheck, ascii_only: bool) -> list[str]:
    return [number(c.chain_rule, ascii_only), number(c.finite_difference, ascii_only),
            sci(c.chain_rule - c.finite_difference, ascii_only, signed=True), sci(c.allowed, ascii_only),
            _step(c, ascii_only)]


def _mark(c: GradientCheck) -> Text:
    return Text("ok") if c.ok else Text("DIFFERS", style="bold red")


def gradient_table(title: str, checks: Sequence[GradientCheck], ascii_only: bool = False) -> Table:
    """Every check in one table: for a network small enough to be shown at once."""
    table = Table(title=Text(title), title_justify="left")
    for col in _COLUMNS:
        table.add_column(col, justify="left" if col in ("parameter", "") else "right")
    for c in checks:
        table.add_row(Text(c.name), *_cells(c, ascii_only), _mark(c))
    return table


def _widths(name_width: int) -> list[int]:
    return [max(name_width, len(_COLUMNS[0])), *_WIDTHS[1:]]


def stream_header(name_width: int) -> Text:
    """The column heads of streamed rows; ``name_width`` is the longest parameter name."""
    widths = _widths(name_width)
    cells = [_COLUMNS[0].ljust(widths[0])] + [h.rjust(w) for h, w in zip(_COLUMNS[1:-1], widths[1:-1], strict=True)]
    return Text("  ".join(cells), style="bold")


def stream_row(c: GradientCheck, name_width: int, ascii_only: bool = False) -> Text:
    """One check as a line of fixed columns, the same widths as :func:`stream_header`."""
    widths = _widths(name_width)
    cells = [c.name.ljust(widths[0])] + [s.rjust(w) for s, w in zip(_cells(c, ascii_only), widths[1:-1], strict=True)]
    return Text.assemble("  ".join(cells), "  ", _mark(c))


def selection_line(checked: int, total: int, how: str) -> Text:
    """Which parameters are checked: ``how`` is "all", "drawn SEED", "default SEED" or "named"."""
    if how == "all":
        return Text(f"Checking all {total:,} parameters.")
    head = f"Checking {checked:,} of {total:,} parameters"
    if how == "named":
        return Text(f"{head}, as --params names them.")
    kind, seed = how.split()
    hint = " (--sample N to check more, --params to pick them)" if kind == "default" else ""
    return Text(f"{head}, drawn at random with seed {seed}{hint}.")


def _tolerances(tolerance: float, checks: Sequence[GradientCheck], ascii_only: bool) -> str:
    low, high = sci(min(c.bound for c in checks), ascii_only), sci(max(c.bound for c in checks), ascii_only)
    spread = f"{high} here" if low == high else f"from {low} to {high}"
    return (f"relative tolerance {sci(tolerance, ascii_only)}; absolute tolerance each finite difference's "
            f"error bound for its step, {spread}")


def gradients_agree(count: int, tolerance: float, checks: Sequence[GradientCheck] = (),
                    ascii_only: bool = False) -> Text:
    if not checks:
        return Text(f"All {count} gradients agree with central finite differences (tolerance {tolerance:g}).")
    return Text(f"All {count:,} gradients agree with central finite differences "
                f"({_tolerances(tolerance, checks, ascii_only)}).")


def gradients_differ(tolerance: float, checks: Sequence[GradientCheck], ascii_only: bool = False) -> Text:
    failed = sum(not c.ok for c in checks)
    return Text(f"{failed:,} of {len(checks):,} gradients differ from central finite differences by more than "
                f"they allow ({_tolerances(tolerance, checks, ascii_only)}).", style="bold")


def claim_line(result: ClaimResult) -> Text:
    """``✓ …`` in green for a claim that holds, ``✗ …`` in bold red for one that does not."""
    line = format_result(result)
    return Text.assemble((line[0], "green" if result.ok else "bold red"), line[1:])


def claims_summary(results: list[ClaimResult]) -> Text:
    return Text(summary(results), style="bold")


def no_claims(source: str) -> Text:
    return Text(f"{source}: no claims to check (add a `claims:` mapping)")
