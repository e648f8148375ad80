"""Hand mode against full precision: where rounding every step first changes a number.

``stepnet run --compare-carry N`` runs the network twice, at full precision and in hand
mode (every intermediate value rounded to N decimals before it is used again), and lists
every quantity of the first traced iteration in the order a worked example computes it,
both shown to N decimals as ``stepnet run`` shows numbers.  The first quantity whose two
displayed values differ is where a text worked by hand at N decimals starts to disagree
with the exact values; the difference column is the exact difference of the two displays.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..config.model import NetworkConfig
from ..derive.names import Names
from ..derive.quantities import Quantity, computed_quantities, value
from ..derive.quantity_names import quantity_name
from ..engine.rounding import decimal_text, format_number
from ..engine.training import train
from ..errors import UsageError
from ..render.table_text import TextTable


@dataclass(frozen=True)
class Row:
    quantity: Quantity
    name: str  # in the run's notation, with ∂, δ and ⁺
    ascii: str  # as a claim would name it
    full: float
    hand: float
    full_text: str  # both rounded to N decimals, shown as run shows them
    hand_text: str

    @property
    def difference(self) -> Decimal | None:
        """hand − full of the two displayed numbers, exactly; None where one is not finite."""
        full, hand = Decimal(self.full_text), Decimal(self.hand_text)
        return hand - full if full.is_finite() and hand.is_finite() else None

    @property
    def differs(self) -> bool:
        d = self.difference
        return d != 0 if d is not None else self.full_text != self.hand_text


@dataclass(frozen=True)
class Comparison:
    config: NetworkConfig
    places: int
    iteration: int
    rows: list[Row]

    @property
    def first(self) -> int | None:
        """Index of the first row whose displays differ, or None."""
        return next((i for i, r in enumerate(self.rows) if r.differs), None)

    @property
    def differing(self) -> list[Row]:
        return [r for r in self.rows if r.differs]


def compare_carry(config: NetworkConfig, places: int, iteration: int = 1) -> Comparison:
    """Every quantity of ``iteration`` at full precision and in hand mode with ``places`` decimals."""
    full = _traced(config, iteration, None)
    hand = _traced(config, iteration, places)
    names = Names(config)
    rows = [_row(q, names, full, hand, places) for q in computed_quantities(names, full.batch_size)]
    return Comparison(config, places, iteration, rows)


def _traced(config: NetworkConfig, iteration: int, carry: int | None):
    it = train(config, iteration, trace=str(iteration), carry=carry).traced(iteration)
    if it is None:
        mode = "full precision" if carry is None else f"hand mode with {carry} decimals"
        raise UsageError(f"training diverged before iteration {iteration} ({mode}); nothing to compare")
    return it


def _row(q: Quantity, names: Names, full, hand, places: int) -> Row:
    a, b = value(q, full), value(q, hand)
    return Row(q, quantity_name(q, names, unicode=True), quantity_name(q, names), a, b,
               format_number(a, places), format_number(b, places))


# ---------------------------------------------------------------- display


def summary(cmp: Comparison, ascii_only: bool = False) -> str:
    first = cmp.first
    mode = f"Hand mode with {cmp.places} decimals"
    if first is None:
        return f"{mode} agrees with full precision, to {cmp.places} decimals, on all {len(cmp.rows)} quantities."
    row = cmp.rows[first]
    label = row.ascii if ascii_only else row.name
    count = len(cmp.differing)
    return (f"{mode} first differs from full precision at {label}: {_minus(row.hand_text, ascii_only)} "
            f"against {_minus(row.full_text, ascii_only)}; {count} of {len(cmp.rows)} quantities differ.")


class ComparisonTable(TextTable):
    """The comparison drawn as the terminal draws its tables, one row a quantity."""

    @property
    def row_count(self) -> int:
        return len(self.rows)


def table(cmp: Comparison, ascii_only: bool = False) -> ComparisonTable:
    """The terminal's table: quantity, full precision, hand mode, difference, and the marks (all ASCII if asked).

    At a narrow width it wraps its words and splits its columns, and never shortens a number.
    """
    from ..derive.unicode import to_ascii

    def text(s: str) -> str:
        return to_ascii(s) if ascii_only else s.replace("-", "−")

    title = f"{cmp.config.name}: iteration {cmp.iteration}, full precision vs hand mode (--carry {cmp.places})"
    columns = ["quantity", "full precision", f"hand mode ({cmp.places} decimals)", "hand − full", ""]
    first = cmp.first
    rows = []
    for i, r in enumerate(cmp.rows):
        mark = "← first difference" if i == first else ("differs" if r.differs else "")
        style = "bold red" if i == first else ("yellow" if r.differs else "")
        rows.append([r.ascii if ascii_only else r.name, text(r.full_text), text(r.hand_text), text(_delta(r)),
                     (to_ascii(mark) if ascii_only else mark, style)])
    return ComparisonTable([to_ascii(c) if ascii_only else c for c in columns], rows,
                           [False, True, True, True, False], ascii_only,
                           title=to_ascii(title) if ascii_only else title, title_style="bold")


def _delta(r: Row) -> str:
    """The exact difference of the two displays: 0, or signed with every decimal (+0.0001)."""
    d = r.difference
    if d is None:
        return ""
    return "0" if d == 0 else ("+" if d > 0 else "") + decimal_text(d)


def _minus(text: str, ascii_only: bool) -> str:
    return text if ascii_only else text.replace("-", "−")
