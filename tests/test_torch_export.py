"""--format pytorch and stepnet.from_torch, wherever PyTorch is installed.

These tests are skipped without torch, which is no dependency of stepnet. To run them,
install the CPU build of PyTorch into the environment first:

    pip install torch; the CPU build is enough
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed (pip install torch; the CPU build is enough)")
from torch import nn  # noqa: E402

from exported import imported_modules, networks, run_in_process, run_subprocesses, tamper  # noqa: E402
from stepnet.api import example, example_names  # noqa: E402
from stepnet.bridge import from_torch, to_yaml  # noqa: E402
from stepnet.config.load import load_config, parse_config_text  # noqa: E402
from stepnet.engine.training import train  # noqa: E402
from stepnet.errors import UsageError  # noqa: E402
from stepnet.render.code.numpy_script import python_script  # noqa: E402
from stepnet.render.code.torch_script import pytorch_script  # noqa: E402


@pytest.fixture(scope="module")
def example_runs():
    return {name: train(load_config(example(name))) for name in example_names()}


def _final_loss(out: str) -> float:
    return float(out.strip().splitlines()[-1].removeprefix("final loss: "))


def test_every_bundled_example_agrees(example_runs, tmp_path):
    for name, run in example_runs.items():  # in this interpreter: importing torch anew costs seconds
        source = pytorch_script(run)
        assert imported_modules(source) == {"sys", "torch"}, name
        status, out, errors = run_in_process(source, tmp_path / f"{name}_torch.py")
        assert status == 0, f"{name}: {errors}"
        assert len(out.strip().splitlines()) == run.done + 2  # every loss, the agreement, the final loss
        assert _final_loss(out) == pytest.approx(run.final_loss, rel=1e-9)


def test_a_script_runs_on_its_own_and_a_tampered_one_fails(example_runs, tmp_path):
    script, tampered = tmp_path / "mazur_torch.py", tmp_path / "tampered.py"
    script.write_text(pytorch_script(example_runs["mazur"]), encoding="utf-8")
    tampered.write_text(tamper(pytorch_script(example_runs["minibatch"]), "w1"), encoding="utf-8")
    (code, out, err), (bad, _, complaint) = run_subprocesses([script, tampered])
    assert code == 0, err
    assert _final_loss(out) == pytest.approx(example_runs["mazur"].final_loss, rel=1e-9)
    assert bad == 1 and complaint.startswith("differs from stepnet: dE_total/dw1 at iteration 1: "), complaint


def test_the_scripts_use_torch_modules_and_optimizers(example_runs):
    mazur = pytorch_script(example_runs["mazur"])
    assert "model = nn.Sequential(\n    nn.Linear(2, 2, bias=False),  # layer h: net_h1 = w1*i1 + w2*i2 + b1\n" in mazur
    assert "    SharedBias(),  # b1: one bias shared by h1, h2 (not trained)\n" in mazur
    assert "optimizer = torch.optim.SGD([PARAMS[key] for key in TRAINED], lr=LEARNING_RATE)\n" in mazur
    assert "lr=LEARNING_RATE, momentum=MOMENTUM)" in pytorch_script(example_runs["minibatch"])
    assert "torch.optim.Adam(" in pytorch_script(example_runs["adam"])
    assert "nn.functional.cross_entropy(net_o, T)" in pytorch_script(example_runs["softmax"])


@given(networks())
@settings(max_examples=max(1, settings.default.max_examples // 5), deadline=None)
def test_drawn_networks_reproduce_stepnet(tmp_path_factory, config):
    run = train(load_config(config))
    assume(run.divergence is None and np.isfinite(run.final_loss))
    try:
        source = pytorch_script(run)
    except UsageError as refused:
        assert "magnifies rounding" in refused.message
        assume(False)
    code, out, err = run_in_process(source, tmp_path_factory.mktemp("drawn") / "run_torch.py")
    assert code == 0, err
    assert _final_loss(out) == pytest.approx(run.final_loss, rel=1e-9)


def test_a_run_that_magnifies_rounding_is_refused_but_numpy_follows_it(tmp_path):
    config = {"name": "swings", "loss": "sse", "learning_rate": 1.0, "iterations": 25,
              "layers": [{"name": "i", "size": 2}, {"name": "o", "size": 2, "activation": "tanh", "bias": "none"}],
              "data": [{"inputs": [3.08, -0.223], "targets": [0.445, 0.366]}],
              "init": {"method": "he", "seed": 17}, "optimizer": {"name": "momentum", "momentum": 0.8}}
    run = train(load_config(config))
    with pytest.raises(UsageError, match="magnifies rounding") as caught:
        pytorch_script(run)
    assert "--format python" in caught.value.hint
    code, _, err = run_in_process(python_script(run), tmp_path / "swings.py")
    assert code == 0, err


# ------------------------------------------------------------------ from_torch


def _model(seed: int = 0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2, bias=False), nn.Sigmoid())


DATA = ([[0.05, 0.1], [0.6, -0.2], [1.0, 0.5]], [[0.01, 0.99], [1.0, 0.0], [0.3, 0.7]])


def test_from_torch_reads_the_network_weights_and_data():
    model = _model()
    config = from_torch(model, *DATA, learning_rate=0.1)
    assert [layer.get("activation") for layer in config["layers"]] == [None, "tanh", "sigmoid"]
    assert [layer.get("bias") for layer in config["layers"]] == [None, "per_neuron", "none"]
    assert config["weights"]["h"] == model[0].weight.double().tolist()
    assert config["biases"] == {"h": model[0].bias.double().tolist()}
    assert config["loss"] == "half_sse" and config["data"][1] == {"inputs": [0.6, -0.2], "targets": [1.0, 0.0]}


def test_stepnet_gradients_match_autograd_on_the_imported_model():
    model = _model(1).double()
    X, T = (torch.tensor(v, dtype=torch.float64) for v in DATA)
    loss = (0.5 * (T - model(X)) ** 2).sum(dim=1).mean()
    loss.backward()
    it = train(load_config(from_torch(model, *DATA)), iterations=1).iterations[0]
    assert it.loss == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(it.layers[0].gW, model[0].weight.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(it.layers[0].gb, model[0].bias.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(it.layers[1].gW, model[2].weight.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("make", [
    lambda params: torch.optim.SGD(params, lr=0.3, momentum=0.9),
    lambda params: torch.optim.Adam(params, lr=0.01, betas=(0.8, 0.99), eps=1e-7),
])
def test_from_torch_takes_the_optimizer_and_trains_as_torch_does(make):
    model = _model(2).double()
    optimizer = make(model.parameters())
    config = from_torch(model, *DATA, optimizer=optimizer, iterations=3)
    X, T = (torch.tensor(v, dtype=torch.float64) for v in DATA)
    for _ in range(3):
        optimizer.zero_grad()
        (0.5 * (T - model(X)) ** 2).sum(dim=1).mean().backward()
        optimizer.step()
    weights, biases = train(load_config(config)).final_params
    np.testing.assert_allclose(weights[0], model[0].weight.detach().numpy(), rtol=1e-9)
    np.testing.assert_allclose(biases[0], model[0].bias.detach().numpy(), rtol=1e-9)
    np.testing.assert_allclose(weights[1], model[2].weight.detach().numpy(), rtol=1e-9)


def test_from_torch_writes_out_as_yaml_and_back():
    model = nn.Sequential(nn.Sequential(nn.Linear(1, 2), nn.LeakyReLU(0.1)), nn.Linear(2, 3), nn.Softmax(dim=1))
    config = from_torch(model, [[0.5], [-1.0]], [[1, 0, 0], [0, 0, 1]], name="Imported", batch_size=1)
    assert config["layers"][1]["slope"] == 0.1 and config["loss"] == "cross_entropy"
    text = to_yaml(config)
    again, first = train(parse_config_text(text), iterations=4), train(load_config(config), iterations=4)
    assert again.losses.tolist() == first.losses.tolist()


def test_an_imported_model_writes_out_as_a_script_that_agrees(tmp_path):
    run = train(load_config(from_torch(_model(3), *DATA, iterations=5)))
    for write, name in ((pytorch_script, "imported_torch.py"), (python_script, "imported.py")):
        code, out, err = run_in_process(write(run), tmp_path / name)
        assert code == 0, err


# ------------------------------------------------------------------ refusals


def test_an_unsupported_layer_is_refused_by_name():
    with pytest.raises(UsageError, match=r"module 1 of the model, Dropout\(p=0.5"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)), *DATA)
    with pytest.raises(UsageError, match="only supported after the last nn.Linear"):
        from_torch(nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=1), nn.Linear(2, 2)), *DATA)
    with pytest.raises(UsageError, match="not a Linear"):
        from_torch(nn.Linear(2, 2), *DATA)


def test_a_large_network_needs_force():
    model = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 100))
    inputs, targets = [[0.1, 0.2]], [[0.5] * 100]
    with pytest.raises(UsageError, match="10,400 parameters") as caught:
        from_torch(model, inputs, targets)
    assert "force=True" in caught.value.hint
    assert len(from_torch(model, inputs, targets, force=True)["weights"]["o"]) == 100


def test_data_of_the_wrong_shape_is_refused():
    with pytest.raises(UsageError, match="one row of 2 numbers per sample"):
        from_torch(_model(), [[1.0, 2.0, 3.0]], [[0.5, 0.5]])


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(UsageError, match="needs PyTorch") as caught:
        from_torch(None, [], [])
    assert "pip install torch" in caught.value.hint and "cpu" in caught.value.hint
