"""Wide layers: the report names what it leaves out and how to see it; --only/--params show it."""

from __future__ import annotations

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
    assert "4 more neurons of layer h not shown: name them to see them (--only h11,h12)" in out
    assert "parameters of layer h not shown: name them to see them (--params w17-w36,b1-b12)" in out
    assert "∂E_total/∂w17 =" not in out


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
