"""One iteration's derivation, phase by phase: the single object the report and explain use."""

from __future__ import annotations

from ..engine.trace import IterationTrace
from .backward import Backward
from .derivation import Formatter, Line
from .expr import Sym
from .forward import Errors, Forward
from .gradients import Gradients
from .index import Param
from .names import Names
from .updates import UPDATE_LINES


class Deriver:
    """The lines of every phase for one traced iteration, each made by that phase's builder.

    The report asks for lines by what they show (``net_line``, ``update_lines``); a
    caller that needs more of one phase uses that phase's builder, ``d.backward`` or
    ``d.gradients``.
    """

    def __init__(self, it: IterationTrace, names: Names, fmt: Formatter | None = None) -> None:
        self.it = it
        self.names = names
        self.config = names.config
        self.fmt = fmt or Formatter()
        self.forward = Forward(it, names, self.fmt)
        self.errors = Errors(it, names, self.fmt)
        self.backward = Backward(it, names, self.fmt)
        self.gradients = Gradients(it, names, self.fmt)
        self.updates = UPDATE_LINES[self.config.optimizer.name](it, names, self.fmt)

    def param(self, p: Param, updated: bool = False) -> Sym:
        return self.forward.param(p, updated=updated)

    def gradient_value(self, p: Param) -> float:
        return self.gradients.gradient_value(p)

    def net_line(self, li: int, j: int, s: int) -> Line:
        return self.forward.net_line(li, j, s)

    def out_line(self, li: int, j: int, s: int) -> Line:
        return self.forward.out_line(li, j, s)

    def error_lines(self, s: int) -> list[Line]:
        return self.errors.error_lines(s)

    def neuron_backward_lines(self, li: int, j: int, s: int) -> list[Line]:
        return self.backward.neuron_backward_lines(li, j, s)

    def gradient_lines(self, p: Param, s: int) -> list[Line]:
        return self.gradients.gradient_lines(p, s)

    def batch_gradient_line(self, p: Param) -> Line | None:
        return self.gradients.batch_gradient_line(p)

    def update_lines(self, p: Param) -> list[Line]:
        return self.updates.update_lines(p)
