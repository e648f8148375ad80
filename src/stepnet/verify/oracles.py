"""Independent oracles for a gradient: central finite differences, and sympy's calculus.

Neither uses the chain rule the engine uses: the finite difference evaluates the loss
again with the parameter nudged both ways (:mod:`.finite`); sympy differentiates each
function the loss is made of and carries the slopes forward through the layers in
many-digit arithmetic (:mod:`.symbolic`).  Both start from the parameters of a traced
iteration, in full precision.

Each oracle also says how close a float64 chain-rule value must come to agree with it:
a relative tolerance, plus an absolute one estimated for this parameter (the finite
difference's error bound for the step it used, and the rounding any float64 gradient
carries, see :mod:`.noise`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence

from ..derive.index import Param
from ..engine.trace import IterationTrace
from .finite import Estimate, Perturbed, estimates
from .noise import Forward

FD_RELATIVE = 1e-6  # the finite difference: relative tolerance, on top of its own error bound
SYMPY_RELATIVE = 1e-9  # sympy: relative tolerance, on top of the chain rule's float64 rounding


def finite_difference_estimate(config, it: IterationTrace, p: Param, rel: float = FD_RELATIVE) -> Estimate:
    """The central difference of the batch loss in ``p``, with its step and error bound."""
    return estimates(Perturbed(config, it), [p], rel)[0]


def finite_difference(config, it: IterationTrace, p: Param, rel: float = FD_RELATIVE) -> float:
    """(E(p + h) − E(p − h)) / 2h on the iteration's batch (or its Richardson extrapolation)."""
    return finite_difference_estimate(config, it, p, rel).value


def all_finite_differences(config, it: IterationTrace, params: Sequence[Param], rel: float = FD_RELATIVE,
                           chunk: int = 256) -> Iterator[list[Estimate]]:
    """The estimates of ``params`` in order, ``chunk`` at a time, as each chunk is computed."""
    perturbed = Perturbed(config, it)
    params = list(params)
    for start in range(0, len(params), chunk):
        yield estimates(perturbed, params[start:start + chunk], rel)


@dataclasses.dataclass(frozen=True)
class SympyCheck:
    """sympy's dE/dp and the absolute tolerance of a float64 value beside it; or why it was skipped."""

    value: float | None
    tolerance: float = 0.0
    skipped: str = ""

    def agrees(self, chain_rule: float, rel: float = SYMPY_RELATIVE) -> bool:
        if self.value is None:
            return True
        return abs(chain_rule - self.value) <= rel * abs(self.value) + self.tolerance


def sympy_check(config, it: IterationTrace, p: Param) -> SympyCheck:
    """sympy's derivative, or the reason it was not computed (a network too large for the budget)."""
    from .symbolic import slope

    forward = Forward(config, [lt.W for lt in it.layers], [lt.b for lt in it.layers], it.X, it.T)
    gross = forward.gross_slope(p)
    found = slope(config, it, p, gross if math.isfinite(gross) else 0.0)
    if found.value is None:
        return SympyCheck(None, skipped=found.skipped)
    outputs = float((abs(found.slope_z) * forward.slope_error).sum(axis=-1).mean())
    tolerance = outputs + forward.chain_rule_rounding(p, gross)
    return SympyCheck(found.value, tolerance if math.isfinite(tolerance) else math.inf)


def sympy_gradient(config, it: IterationTrace, p: Param) -> float | None:
    """d(loss)/dp by sympy at the iteration's parameters, or None for networks too large."""
    return sympy_check(config, it, p).value


@dataclasses.dataclass(frozen=True)
class OracleResult:
    """One oracle beside the chain-rule value: its value, how far apart they are, and what it allows.

    ``difference`` is value − chain rule, exact (the two floats' difference as a decimal
    would give it); ``allowed`` is the absolute difference that still agrees: ``relative``
    times the value's size plus the oracle's own ``absolute`` bound.  A skipped oracle has
    no value and says why in ``skipped``.
    """

    oracle: str  # "sympy" or "finite difference"
    value: float | None
    difference: float | None = None
    relative: float = 0.0
    absolute: float = 0.0
    allowed: float | None = None
    agrees: bool | None = None
    step: float | None = None  # the finite difference's h
    richardson: bool = False
    skipped: str = ""


def exact_difference(a: float, b: float) -> float:
    """a − b from the exact decimal values of the two floats, rounded once to a float."""
    from decimal import Decimal, localcontext

    if not (math.isfinite(a) and math.isfinite(b)):
        return a - b
    with localcontext() as ctx:
        ctx.prec = 800  # every finite float's exact decimal fits
        return float(Decimal(a) - Decimal(b))


def oracle_results(config, it: IterationTrace, p: Param, chain: float) -> tuple[OracleResult, OracleResult]:
    """sympy's derivative and the central finite difference of ``p``, each against ``chain``."""
    fd = finite_difference_estimate(config, it, p)
    fd_allowed = FD_RELATIVE * max(abs(chain), abs(fd.value)) + fd.tolerance
    finite = OracleResult("finite difference", fd.value, exact_difference(fd.value, chain), FD_RELATIVE,
                          fd.tolerance, fd_allowed, fd.agrees(chain, FD_RELATIVE), fd.step, fd.richardson)
    sym = sympy_check(config, it, p)
    if sym.value is None:
        return OracleResult("sympy", None, skipped=sym.skipped), finite
    symbolic = OracleResult("sympy", sym.value, exact_difference(sym.value, chain), SYMPY_RELATIVE, sym.tolerance,
                            SYMPY_RELATIVE * abs(sym.value) + sym.tolerance, sym.agrees(chain))
    return symbolic, finite


def agrees(a: float, b: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)
