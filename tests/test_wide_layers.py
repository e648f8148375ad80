"""Wide layers: the report names what it leaves out and how to see it; --only/--params show it."""

from __future__ import annotations

import random
import re

import pytest
import yaml
from click.testing import CliRunner

from stepnet.cli import main

WIDE = {
    "name": "wide",
    "layers": [{"name": "i", "size": 3}, {"name": "h", "size": 12, "activation": "tanh"},
               {"name": "o", "size": 2, "activation": "sigmoid"}],
    "init": {"method": "xavier", "seed": 1},
    "learning_rate": 0.5,
    "data": [{"inputs": [0.1, 0.2, 0.3], "targets": [0.0, 1.0]}],
}


def run(tmp_path, *args):
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(WIDE), encoding="utf-8")
    return CliRunner().invoke(main, ["run", str(path), "--width", "160", *args])


def test_truncation_names_what_is_left_out_and_how_to_see_it(tmp_path):
    out = run(tmp_path).output
    assert "4 more neurons of layer h not shown: name them to see them (--only h9-h12)" in out
    # h1-h8 from i1-i3 are w1-w24 and b1-b8: the parameters between shown neurons
    assert "16 more parameters of layer h not shown: name them to see them (--params w25-w36,b9-b12)" in out
    assert "∂E_total/∂w24 =" in out and "∂E_total/∂w25 =" not in out


def test_params_ranges_show_the_hidden_parameters(tmp_path):
    out = run(tmp_path, "--params", "w17-w36,b1-b12").output
    assert "∂E_total/∂w17 =" in out and "∂E_total/∂w36 =" in out and "∂E_total/∂b12 =" in out
    assert "parameters of layer h not shown" not in out


def test_only_shows_a_named_neuron(tmp_path):
    out = run(tmp_path, "--only", "h12").output
    assert "net_h12 =" in out and "net_h11 =" not in out


def test_a_backwards_range_is_a_usage_error(tmp_path):
    result = run(tmp_path, "--params", "w9-w3")
    assert result.exit_code == 2
    assert "'w9-w3' is not a range from a lower to a higher number" in result.output


def _wide(seed: int) -> dict:
    """A random network with a layer of more than 8 neurons."""
    rng = random.Random(seed)
    sizes = [rng.randint(2, 11), rng.randint(9, 20)] + ([rng.randint(2, 12)] if rng.random() < 0.5 else [])
    names = "ihg"[: len(sizes)]
    layers = [{"name": "i", "size": sizes[0]}]
    layers += [{"name": n, "size": k, "activation": rng.choice(["sigmoid", "tanh"])}
               for n, k in zip(names[1:], sizes[1:], strict=True)]
    layers.append({"name": "o", "size": rng.randint(1, 3), "activation": "sigmoid"})
    data = [{"inputs": [round(rng.uniform(-1, 1), 2) for _ in range(sizes[0])],
             "targets": [rng.choice([0.0, 1.0]) for _ in range(layers[-1]["size"])]}]
    return {"name": "wide", "layers": layers, "init": {"method": "xavier", "seed": seed},
            "learning_rate": 0.5, "data": data}


def _run_text(tmp_path, cfg: dict, *args):
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--width", "250", *args])
    assert result.exit_code == 0, result.output
    return result.output


_NEURON = r"([a-z]+\d+)"


def _text_unseen(text: str, inputs: str = "i") -> set[str]:
    """Neuron quantities the right-hand sides use that the text shows neither as a line nor as a table row.

    net_X and out_X need a row of X in a forward-pass table (or a line net_X = ...); δ_X and
    ∂E/∂out_X a row in a backward-pass table (or a line δ_X = ...).  Inputs are given.
    """
    forward, _, backward = text.partition("Backward pass")
    rows_forward = set(re.findall(r"│ " + _NEURON + r" +│", forward))
    rows_backward = set(re.findall(r"│ " + _NEURON + r" +│", backward))
    lhs = {m[0] for m in re.findall(r"^(\S+?) = ", text, flags=re.M)} | set()
    missing = set()
    for line in text.splitlines():
        rhs = line.split(" = ", 1)[1] if " = " in line else (line if line.startswith("    =") else "")
        for kind, n in re.findall(r"(net|out)_" + _NEURON, rhs):
            if not n.startswith(inputs) and n not in rows_forward and f"{kind}_{n}" not in lhs:
                missing.add(f"{kind}_{n}")
        for n in re.findall(r"δ_" + _NEURON, rhs):
            if n not in rows_backward and f"δ_{n}" not in lhs:
                missing.add(f"δ_{n}")
    return missing


@pytest.mark.parametrize("seed", range(4))
def test_the_text_uses_no_value_it_does_not_show(tmp_path, seed):
    cfg = _wide(seed)
    rng = random.Random(seed)
    wide = next(layer for layer in cfg["layers"][1:] if layer["size"] > 8)
    choices = [[], ["--only", f"{wide['name']}{rng.randint(9, wide['size'])}"],
               ["--params", f"w{rng.randint(1, cfg['layers'][0]['size'] * wide['size'])}"]]
    for args in choices:
        text = _run_text(tmp_path, cfg, *args)
        assert _text_unseen(text) == set(), args


def test_the_text_check_finds_a_value_used_but_not_shown():
    text = "net_o1 = w9·out_h9 + b1·1 = 0.1×0.2 + 0 = 0.02\n│ h1     │ 0.1 │\nBackward pass\nx = δ_h10 · i1\n"
    assert _text_unseen(text) == {"out_h9", "δ_h10"}


@pytest.mark.parametrize("seed", [pytest.param(0, marks=pytest.mark.slow), 1, 2])
def test_every_hint_shows_what_it_says(tmp_path, seed):
    cfg = _wide(seed)
    text = _run_text(tmp_path, cfg)
    hints = re.findall(r"(\d+) more (neurons|parameters|outputs) of layer (\w+) not shown: name them to see them "
                       r"\((--only|--params) ([^)]+)\)", text)
    assert hints
    for _count, what, layer, option, value in hints:
        assert option == ("--only" if what in ("neurons", "outputs") else "--params")
        again = _run_text(tmp_path, cfg, option, value)
        assert f"more {what} of layer {layer} not shown" not in again, (option, value)
    updates = re.search(r"parameters are updated the same way: name them to see them \((--params [^)]+)\)", text)
    assert updates
    again = _run_text(tmp_path, cfg, *updates[1].split(" "))
    assert "parameters are updated the same way" not in again
