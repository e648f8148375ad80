"""A wrong answer's likely cause in a few words, so that a class's slips can be counted together.

:class:`~stepnet.verify.judge.Judge` says each cause in full, with the numbers that show it
("two digits swapped: 39 for 93 (0.5393 vs 0.5933)"); the class summary counts them by
kind ("9 of them carried rounding").
"""

from __future__ import annotations

# the opening words of each of Judge's causes, and the kind it is counted as
_KINDS = (
    ("too few decimals", "too few decimals"),
    ("rounded numbers carried forward", "carried rounding"),
    ("rounded intermediates carried forward", "carried rounding"),
    ("inputs rounded to", "carried rounding"),
    ("inputs truncated to", "cut off, not rounded"),
    ("truncated, not rounded", "cut off, not rounded"),
    ("an earlier wrong number carried forward", "an earlier wrong answer"),
    ("the sign is wrong", "the sign"),
    ("two digits swapped", "digits swapped"),
    ("one digit wrong", "a digit wrong"),
    ("the last digit is off by one", "the last digit"),
    ("a digit inserted", "a digit inserted"),
    ("a digit dropped", "a digit dropped"),
    ("the value of another quantity", "another quantity's value"),
    ("the net input used", "the net input for the activation"),
    ("the other ordering", "the other ordering of the deltas"),
    ("a bias left out", "a bias left out"),
    ("the true value is", "training diverged"),
)
UNKNOWN = "no single cause"


def category(cause: str) -> str:
    """The kind of a cause as Judge (or the grader) words it."""
    text = cause.removeprefix("likely cause: ")
    return next((kind for start, kind in _KINDS if text.startswith(start)), UNKNOWN)
