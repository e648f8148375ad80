"""The answers file of a worksheet: the student's blanks, as YAML, with the variant's whole config.

In this order: comment lines on how to write a number, ``student`` (empty), ``variant``,
``config`` (a mapping :func:`stepnet.api.load` reads, so grading needs nothing else),
``carry`` (hand mode only) and ``answers``: each asked name mapped to null, in the order of
computation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .ask import answer_name

if TYPE_CHECKING:
    from .variants import Exercise


def answers_yaml(ex: Exercise, seed: int | None = None) -> str:
    """The answers file of ``ex``; ``seed`` (of drawn variants) is noted in a comment."""
    import yaml

    from ..bridge import to_yaml

    drawn = f", drawn with --seed {seed}" if seed is not None else ""
    places = ex.decimals
    head = [
        f"# Answers to worksheet {ex.variant}: {ex.run.config.name}{drawn}.",
        "# Replace each null under answers: with your number, written as a plain decimal:",
        "#   0.5933 or -0.0217 (a leading minus sign; no thousands separators, no units, no fractions).",
        f"# Keep every decimal you computed, at least {places}. Leave null for a blank you did not answer.",
        "student:  # your name",
        f"variant: {ex.variant}",
        "config:",
    ]
    config = "".join("  " + line + "\n" if line else "\n" for line in to_yaml(ex.mapping).splitlines())
    tail = [f"carry: {ex.carry}"] if ex.carry is not None else []
    names = {answer_name(q, ex.run.names): None for q in ex.asked}
    listed = yaml.safe_dump(names, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
    tail += ["answers:"] + ["  " + line for line in listed.splitlines()]
    return "\n".join(head) + "\n" + config + "\n".join(tail) + "\n"
