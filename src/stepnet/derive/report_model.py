"""What a report holds: sections of tables and derivation blocks, each tagged with its layer.

Table cells are text, numbers (formatted by the renderer) or expressions (printed in the
renderer's notation).  A :data:`Phrase` is a line of text whose numbers are left to the
renderer too, so every format shows the same words with its own digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .derivation import Block
from .diagram import Diagram
from .expr import Expr

Cell = str | float | Expr
Phrase = tuple[str | float, ...]  # text pieces and numbers, in reading order


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    omitted: str = ""
    layer: str | None = None  # the layer it lists, None for a table of the whole network

    def __repr__(self) -> str:
        return f"Table({self.title!r}, layer={self.layer!r}, rows={len(self.rows)}, columns={len(self.columns)})"


@dataclass
class ReportBlock(Block):
    """A block of derivation lines as a report holds it: with the layer it works on."""

    layer: str | None = None  # None for a block about the whole network (the error, the updates)

    def __repr__(self) -> str:
        return f"ReportBlock({self.title!r}, layer={self.layer!r}, lines={len(self.lines)})"


@dataclass
class MatrixLine:
    """A layer at once: ``lhs = form = the numbers written out = value``, matrices for vectors.

    ``steps`` are the forms with the numbers in (the matrices as grids); ``links`` say which
    scalar quantity each entry of a matrix is, as text pieces and expressions.
    """

    lhs: Expr
    forms: list[Expr]
    steps: list[Expr] = field(default_factory=list)
    value: Expr | None = None  # a Grid
    note: str | tuple = ""
    links: list[tuple] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"MatrixLine({type(self.lhs).__name__}, steps={len(self.steps)}, links={len(self.links)})"


@dataclass
class MatrixBlock(ReportBlock):
    """A block of the matrix view: its equations, each a whole layer (``lines`` stays empty)."""

    equations: list[MatrixLine] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"MatrixBlock({self.title!r}, layer={self.layer!r}, equations={len(self.equations)})"


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    blocks: list[ReportBlock] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def tables_after(self) -> dict[int, list[Table]]:
        """Where each table stands: after the last block of its layer (by block index), else after the
        last block; -1 for a section without blocks.  Every renderer places tables by this one rule."""
        after: dict[int, list[Table]] = {}
        for t in self.tables:
            mine = (i for i, b in enumerate(self.blocks)
                    if t.layer is not None and getattr(b, "layer", None) == t.layer)
            after.setdefault(max(mine, default=len(self.blocks) - 1), []).append(t)
        return after

    def __repr__(self) -> str:
        return f"Section({self.title!r}, blocks={len(self.blocks)}, tables={len(self.tables)})"


@dataclass
class IterationReport:
    iteration: int
    samples: tuple[int, ...]
    loss: float
    loss_after: float | None
    heading: Phrase
    sections: list[Section]

    def __repr__(self) -> str:
        return (f"IterationReport(iteration={self.iteration}, samples={len(self.samples)}, "
                f"loss={self.loss!r}, sections={len(self.sections)})")


@dataclass
class Report:
    title: str
    description: str
    setup: Table
    notes: list[str]
    iterations: list[IterationReport]
    history: Table | None
    losses: list[tuple[int, float]]  # (iteration, loss) points for a chart
    final: Table
    final_loss: float
    changes: Table
    diagram: Diagram | None = None
    stopped: str = ""

    def __repr__(self) -> str:
        return f"Report({self.title!r}, iterations={len(self.iterations)}, final_loss={self.final_loss!r})"
