"""Hand mode against full precision: where rounding every step first changes a number.

``stepnet run --compare-carry N`` runs the network twice, at full precision and in hand
mode (every intermediate value rounded to N decimals before it is used again), and lists
every quantity of the first traced iteration in the order a worked example computes it,
both shown to N decimals.  The first quantity whose two displays differ is where a text
worked by hand at N decimals starts to disagree with the exact values.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.model import NetworkConfig
from ..derive.names import Names
from ..derive.quantities import Quantity, computed_quantities, value
from ..derive.quantity_names import quantity_name
from ..engine.rounding import fixed
from ..engine.training import train
from ..errors import UsageError


@dataclass(frozen=True)
class Row:
    quantity: Quantity
    name: str  # in the run's notation, with ∂, δ and ⁺
    ascii: str  # as a claim would name it
    full: float
    hand: float
    full_text: str  # both rounded to exactly N decimals
    hand_text: str

    @property
    def differs(self) -> bool:
        return self.full_text != self.hand_text


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
    return Row(q, quantity_name(q, names, unicode=True), quantity_name(q, names), a, b, fixed(a, places),
               fixed(b, places))


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


def table(cmp: Comparison, ascii_only: bool = False):
    """A rich Table: quantity, full precision, hand mode, difference, and the marks."""
    from rich.table import Table
    from rich.text import Text

    title = f"{cmp.config.name}: iteration {cmp.iteration}, full precision vs hand mode (--carry {cmp.places})"
    out = Table(title=Text(title), title_justify="left")
    for col in ("quantity", "full precision", f"hand mode ({cmp.places} decimals)", "hand − full", ""):
        out.add_column(col, justify="left" if col in ("quantity", "") else "right")
    first = cmp.first
    for i, r in enumerate(cmp.rows):
        mark = "← first difference" if i == first else ("differs" if r.differs else "")
        style = "bold red" if i == first else ("yellow" if r.differs else None)
        out.add_row(Text(r.ascii if ascii_only else r.name), _minus(r.full_text, ascii_only),
                    _minus(r.hand_text, ascii_only), _delta(r), Text(mark, style=style or ""))
    return out


def _delta(r: Row) -> str:
    d = r.hand - r.full
    return "0" if d == 0 else f"{d:+.1e}"


def _minus(text: str, ascii_only: bool) -> str:
    return text if ascii_only else text.replace("-", "−")
