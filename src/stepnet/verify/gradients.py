"""Every chosen gradient against its central finite difference, a chunk at a time.

``check_gradients`` yields its results as they are computed, so a caller can show the
first rows of a large network while the rest are still being worked out.  Which
parameters to check is chosen here too: all of a small network, or a seeded random
draw from a large one.  Importing this module costs nothing: the numbers come in with
the first check.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

CHUNK = 100  # rows computed (and shown) at a time


@dataclass(frozen=True)
class GradientCheck:
    """One parameter's gradient by the chain rule and by a central finite difference."""

    name: str
    chain_rule: float
    finite_difference: float
    relative_difference: float
    ok: bool  # within the tolerance
    allowed: float = 0.0  # the absolute difference the tolerance allows (relative part included)
    bound: float = 0.0  # the absolute part alone: the finite difference's error bound
    step: float = 0.0  # h of the finite difference
    richardson: bool = False  # (4·D(h) − D(2h))/3 rather than D(h)


def check_gradients(config, it, params: Sequence, rel: float, chunk: int = CHUNK) -> Iterator[list[GradientCheck]]:
    """GradientChecks of ``params`` in order, ``chunk`` at a time; ``rel`` is the relative tolerance."""
    from .oracles import all_finite_differences

    params = list(params)
    start = 0
    for estimates in all_finite_differences(config, it, params, rel, chunk):
        rows = []
        for p, fd in zip(params[start:start + len(estimates)], estimates, strict=True):
            chain = p.of(it.layer(p.layer), "gradient")
            scale = max(abs(chain), abs(fd.value))
            rows.append(GradientCheck(
                p.name, chain, fd.value, abs(chain - fd.value) / max(scale, 1e-300), fd.agrees(chain, rel),
                rel * scale + fd.tolerance, fd.tolerance, fd.step, fd.richardson))
        start += len(estimates)
        yield rows


def draw(count: int, size: int, seed: int) -> list[int]:
    """``size`` positions out of ``count``, drawn without replacement with ``seed``, in order."""
    import numpy as np

    if size >= count:
        return list(range(count))
    return sorted(int(k) for k in np.random.default_rng(seed).choice(count, size=size, replace=False))
