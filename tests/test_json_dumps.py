"""render.json.dumps writes exactly what json.dumps(obj, indent=1, ensure_ascii=False) writes.

It is a faster encoder for the plain values a trace holds; anything else goes to json.dumps,
errors included.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from stepnet.render.json import dumps

SPECIAL = [float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 5e-324, 1e-310, 1e300, 0.1, 1.5, -2.0]
TEXT = "ab\"\\\n\tü€😀\x00\x1f/ "


def _random_value(rng: random.Random, depth: int = 0):
    if depth > 4 or rng.random() < 0.4:
        return rng.choice([
            lambda: rng.uniform(-1e6, 1e6), lambda: rng.randrange(-10**20, 10**20), lambda: None,
            lambda: True, lambda: False, lambda: "".join(rng.choice(TEXT) for _ in range(rng.randrange(6))),
            lambda: rng.choice(SPECIAL), lambda: rng.choice([(), [], {}]),
            lambda: [rng.choice(SPECIAL) for _ in range(rng.randrange(1, 9))],
        ])()
    if rng.random() < 0.6:
        items = [_random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
        return items if rng.random() < 0.8 else tuple(items)
    return {"".join(rng.choice("kéy\"\n") for _ in range(rng.randrange(4))): _random_value(rng, depth + 1)
            for _ in range(rng.randrange(5))}


def _reference(obj) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def test_same_text_as_the_standard_library():
    rng = random.Random(2024)
    for _ in range(1500):
        obj = {"value": _random_value(rng)}
        assert dumps(obj) == _reference(obj)


@pytest.mark.parametrize("obj", [
    {"a": np.float64(1.5)},  # a float subclass
    {1: 2, "b": [True, None]},  # a key that is not a string
    {"a": {1.5: 2, None: 3}},
])
def test_other_values_are_left_to_the_standard_library(obj):
    assert dumps(obj) == _reference(obj)


@pytest.mark.parametrize("obj", [{"a": np.int64(3)}, {"a": {1, 2}}])
def test_values_json_cannot_write_fail_as_they_do_there(obj):
    with pytest.raises(TypeError):
        dumps(obj)


def test_cycles_fail_as_they_do_there():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps({"a": loop})


def test_the_json_names_hand_mode_as_the_option_does():
    import json

    import stepnet

    assert json.loads(stepnet.run("mazur", carry=4).to_json())["network"]["carry"] == 4
    assert json.loads(stepnet.run("mazur").to_json())["network"]["carry"] is None
