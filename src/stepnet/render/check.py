"""What ``stepnet check`` shows: the gradients against finite differences (one table, or rows
streamed as they come for a large network), and one line per claim.  It formats results
that were computed elsewhere; it computes none."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from rich.text import Text

from ..verify.claims import format_result, summary
from ..verify.gradients import GradientCheck
from ..verify.judge import ClaimResult
from .table_text import TextTable
from .term_layout import Lines, text_layout

__all__ = ["GradientCheck", "gradient_table", "gradients_agree", "gradients_differ", "selection_line",
           "stream_header", "stream_row", "claim_line", "claims_summary", "no_claims"]

_COLUMNS = ("parameter", "chain rule", "finite difference", "difference", "allowed", "step", "")
_WIDTHS = (0, 18, 18, 10, 8, 9, 7)  # the streamed rows: the longest each number (or head) can be


def _minus(text: str, ascii_only: bool) -> str:
    return text if ascii_only else text.replace("-", "−")


def number(x: float, ascii_only: bool = False) -> str:
    """A value to 12 significant digits: 0.0821670405642, −4.38567734474e−5.

    As everywhere in stepnet, a value exact with fewer digits is shown without padding
    zeros (−0.375) and any other keeps its trailing zeros (0.000497712787650).
    """
    short = f"{x:.12g}"
    text = short if not math.isfinite(x) or float(short) == x else f"{x:#.12g}"
    mantissa, _, exponent = text.partition("e")
    return _minus(mantissa + (f"e{int(exponent)}" if exponent else ""), ascii_only)


def sci(x: float, ascii_only: bool = False, signed: bool = False) -> str:
    """A difference or tolerance to two digits, the exact value rounded half away from zero: 2.5e−11,
    −3e−4; 0 for exactly zero."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return _minus(str(x), ascii_only)
    exact = Decimal(x)
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if abs(mantissa) >= 10:  # 9.96e−7 is 1e−6
        mantissa, exponent = (mantissa / 10).quantize(Decimal("0.1")), exponent + 1
    text = f"{f'{mantissa:f}'.removesuffix('.0')}e{exponent}"
    return _minus(("+" if signed and x > 0 else "") + text, ascii_only)


def _step(c: GradientCheck, ascii_only: bool) -> str:
    return sci(c.step, ascii_only) + (" R" if c.richardson else "")


def _cells(c: GradientCheck, ascii_only: bool) -> list[str]:
    from ..verify.oracles import exact_difference

    return [number(c.chain_rule, ascii_only), number(c.finite_difference, ascii_only),
            sci(exact_difference(c.chain_rule, c.finite_difference), ascii_only, signed=True),
            sci(c.allowed, ascii_only), _step(c, ascii_only)]


def gradient_table(title: str, checks: Sequence[GradientCheck], ascii_only: bool = False) -> TextTable:
    """Every check in one table: for a network small enough to be shown at once.

    Too wide for the terminal, its columns are split over several tables, each led by the
    parameter's name: no number is ever shortened.
    """
    rows = [[c.name, *_cells(c, ascii_only), ("ok", "") if c.ok else ("DIFFERS", "bold red")] for c in checks]
    right = [col not in ("parameter", "") for col in _COLUMNS]
    return TextTable(_COLUMNS, rows, right, ascii_only, title=title, title_style="italic")


def _widths(name_width: int) -> list[int]:
    return [max(name_width, len(_COLUMNS[0])), *_WIDTHS[1:]]


def stream_header(name_width: int) -> Lines:
    """The column heads of streamed rows; ``name_width`` is the longest parameter name."""
    return _fixed([(h, "bold") for h in _COLUMNS[:-1]], _widths(name_width)[:-1])


def stream_row(c: GradientCheck, name_width: int, ascii_only: bool = False) -> Lines:
    """One check as a line of fixed columns, the same widths as :func:`stream_header`."""
    mark = ("ok", "") if c.ok else ("DIFFERS", "bold red")
    return _fixed([(c.name, ""), *((s, "") for s in _cells(c, ascii_only)), mark], [*_widths(name_width)[:-1], 0])


def _fixed(cells: list[tuple[str, str]], widths: list[int]) -> Lines:
    """Cells in columns of fixed widths (0: as wide as the cell), two spaces apart.  Narrower than
    the row, the row goes on under its second column, at the same places for the heads and every row."""
    def layout(width: int) -> list:
        line, used, out = [(cells[0][0].ljust(widths[0]), cells[0][1])], widths[0], []
        for (text, style), w in zip(cells[1:], widths[1:], strict=True):
            piece = text.rjust(w)
            if used + 2 + len(piece) > width and used > widths[0]:
                out.append(line)
                line, used = [(" " * widths[0], "")], widths[0]
            line += [("  ", ""), (piece, style)]
            used += 2 + len(piece)
        return [*out, line]

    return Lines([layout])


def selection_line(checked: int, total: int, how: str) -> Lines:
    """Which parameters are checked: ``how`` is "all", "drawn SEED", "default SEED" or "named";
    wrapped between words at the console's width."""
    return Lines([text_layout(_selection(checked, total, how))])


def _selection(checked: int, total: int, how: str) -> str:
    if how == "all":
        return f"Checking all {total:,} parameters."
    head = f"Checking {checked:,} of {total:,} parameters"
    if how == "named":
        return f"{head}, as --params names them."
    kind, seed = how.split()
    hint = " (--sample N to check more, --params to pick them)" if kind == "default" else ""
    return f"{head}, drawn at random with seed {seed}{hint}."


def _tolerances(tolerance: float, checks: Sequence[GradientCheck], ascii_only: bool) -> str:
    low, high = sci(min(c.bound for c in checks), ascii_only), sci(max(c.bound for c in checks), ascii_only)
    spread = f"{high} here" if low == high else f"from {low} to {high}"
    return (f"relative tolerance {sci(tolerance, ascii_only)}; absolute tolerance each finite difference's "
            f"error bound for its step, {spread}")


def gradients_agree(count: int, tolerance: float, checks: Sequence[GradientCheck] = (),
                    ascii_only: bool = False) -> Text:
    if not checks:
        return Text(f"All {count} gradients agree with central finite differences (relative tolerance "
                    f"{sci(tolerance, ascii_only)}).")
    return Text(f"All {count:,} gradients agree with central finite differences "
                f"({_tolerances(tolerance, checks, ascii_only)}).")


def gradients_differ(tolerance: float, checks: Sequence[GradientCheck], ascii_only: bool = False) -> Text:
    failed = sum(not c.ok for c in checks)
    return Text(f"{failed:,} of {len(checks):,} gradients differ from central finite differences by more than "
                f"they allow ({_tolerances(tolerance, checks, ascii_only)}).", style="bold")


_NUMBER_MINUS = re.compile(r"(?<![\w)\]])-(?=\.?\d)|(?<=\de)-(?=\d)")  # -0.5, 1e-7; not h1->o1 or w1-w40


def claim_line(result: ClaimResult, ascii_only: bool = False) -> Text:
    """``✓ …`` in green for a claim that holds, ``✗ …`` in bold red for one that does not.

    The numbers take the minus sign of every other number shown (U+2212), unless ``ascii_only``.
    """
    line = format_result(result)
    if ascii_only:
        from ..derive.unicode import to_ascii

        line = to_ascii(line)
    else:
        line = _NUMBER_MINUS.sub("−", line)
    return Text.assemble((line[0], "green" if result.ok else "bold red"), line[1:])


def claims_summary(results: list[ClaimResult]) -> Text:
    return Text(summary(results), style="bold")


def no_claims(source: str) -> Text:
    return Text(f"{source}: no claims to check (add a `claims:` mapping)")


def check_json(cfg, iteration: int | None = None, checks: Sequence[GradientCheck] = (), tolerance: float = 0.0,
               how: str = "all", total: int = 0, claims: Sequence[ClaimResult] | None = None) -> str:
    """``stepnet check --format json``: each gradient beside its finite difference, with the exact
    difference and both tolerances; each claim with its true value and verdict."""
    import json

    from ..verify.oracles import exact_difference

    def num(x):
        return None if x is None else (x if math.isfinite(x) else repr(x))  # JSON has no NaN: "nan", "inf"

    obj: dict = {"config": cfg.source or cfg.name}
    if iteration is not None:
        obj["gradients"] = {
            "iteration": iteration, "selection": how, "parameters": total,
            "tolerance": {"relative": tolerance, "absolute": "each finite difference's error bound for its step"},
            "ok": all(c.ok for c in checks),
            "checks": [{"name": c.name, "chain_rule": num(c.chain_rule), "finite_difference": num(c.finite_difference),
                        "difference": num(exact_difference(c.chain_rule, c.finite_difference)),
                        "allowed": num(c.allowed), "absolute": num(c.bound), "step": c.step,
                        "richardson": c.richardson, "ok": c.ok} for c in checks]}
    if claims is not None:
        obj["claims"] = [{"quantity": r.quantity, "iteration": r.iteration, "claimed": r.text, "true": num(r.true),
                          "ok": r.ok, "difference": num(r.difference), "cause": r.cause, "line": r.line}
                         for r in claims]
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"
