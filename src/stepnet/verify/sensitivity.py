"""How much a run magnifies rounding: the same run again, from starting values nudged in their last digits.

Gradient descent that settles forgets small differences; a run that swings back and forth,
or whose relu units switch on and off, magnifies them until two computations that round
differently go separate ways.  A program that computes the run with other arithmetic
(PyTorch's autograd sums in another order) can only agree with stepnet's numbers to 1e-9
if the run is of the first kind.
"""

from __future__ import annotations

import dataclasses

import numpy as np

RELATIVE = 1e-9
NUDGE = 1e-13  # relative change to every starting weight and bias


def absolute_tolerance(config) -> float:
    """The agreement asked of numbers that are 0 up to rounding (terms that cancel).

    1e-14 (some fifty roundings of a number near 1) for data of magnitude up to 1, growing
    with the square of the largest input or target: a gradient sums products of two such numbers.
    """
    scale = max([1.0] + [abs(float(v)) for s in config.data for v in (*s.inputs, *s.targets)])
    return 1e-14 * scale * scale


def rounding_sensitivity(run) -> float:
    """The largest change of any loss of ``run`` when its start is nudged by NUDGE, in tolerances.

    A result of 1 means the nudge alone moves some loss by as much as a check to RELATIVE
    (or to :func:`absolute_tolerance`) allows; a result far below 1 means the run forgets it.
    """
    from ..engine.training import train

    config = run.config
    weights, biases = run.initial
    names = [layer.name for layer in config.layers[1:]]
    nudged = dataclasses.replace(
        config,
        weights={n: tuple(map(tuple, (w * (1 + NUDGE)).tolist())) for n, w in zip(names, weights, strict=True)},
        biases={n: tuple((b * (1 + NUDGE)).tolist()) for n, b in zip(names, biases, strict=True) if b.size},
    )
    again = train(nudged, iterations=run.done, trace="1")
    if again.done != run.done:
        return float("inf")
    before = np.append(run.losses, run.final_loss)
    after = np.append(again.losses, again.final_loss)
    with np.errstate(invalid="ignore", over="ignore"):
        change = np.abs(after - before) / (RELATIVE * np.abs(before) + absolute_tolerance(config))
    return float("inf") if not np.isfinite(change).all() else float(change.max())
