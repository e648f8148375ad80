"""`stepnet run` in text and JSON writes each traced iteration as it comes: the same bytes as the
whole document, nothing half-written, oversize output refused before the run."""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal, localcontext

import pytest
from click.testing import CliRunner

from stepnet import api
from stepnet.cli.group import main
from stepnet.cli.options import OutputOptions
from stepnet.cli.output import console, rendered
from stepnet.config.load import load_config


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="stepnet")


def whole_text(name: str, *args, ascii_only: bool = False, to_file: bool = False, view: str = "scalar", **kw) -> str:
    """The text report made whole, then printed: what `stepnet run` printed before it streamed."""
    result = api.run(name, *args, **kw)
    buffer = io.StringIO()
    report = result.report(view=view)
    rendered(result.fmt, lambda r: r.report(report))(console(OutputOptions(ascii_only=ascii_only), buffer), ascii_only)
    text = buffer.getvalue()
    return "\n".join(line.rstrip() for line in text.split("\n")) if to_file else text


TEXT_CASES = [
    ("mazur", [], {}),
    ("mazur", ["-n", "30"], {"iterations": 30}),  # first and last traced: the untraced ones are named
    ("mazur", ["-n", "12", "--trace", "3,5-7"], {"iterations": 12, "trace": "3,5-7"}),
    ("nielsen", ["-n", "3"], {"iterations": 3}),  # respelt in the run's notation
    ("minibatch", ["-n", "4", "--trace", "all"], {"iterations": 4, "trace": "all"}),
    ("softmax", ["-n", "2", "--carry", "6"], {"iterations": 2, "carry": 6}),
]


@pytest.mark.parametrize(("name", "args", "kw"), TEXT_CASES, ids=[c[0] + str(len(c[1])) for c in TEXT_CASES])
def test_streamed_text_is_the_whole_report(name, args, kw):
    result = invoke("run", name, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == whole_text(name, **kw)


def test_streamed_text_of_a_wide_network_is_the_whole_report(tmp_path):
    import yaml

    rng = __import__("random").Random(2)
    config = {"name": "wide", "layers": [{"name": "i", "size": 30}, {"name": "h", "size": 12, "activation": "tanh"},
                                         {"name": "o", "size": 3, "activation": "softmax"}],
              "init": {"method": "xavier", "seed": 4}, "loss": "cross_entropy", "learning_rate": 0.3,
              "data": [{"inputs": [round(rng.random(), 3) for _ in range(30)],
                        "targets": [float(s % 3 == k) for k in range(3)]} for s in range(6)]}
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = invoke("run", str(path), "-n", "2", "--only", "h11,w200")
    assert result.exit_code == 0, result.output
    from stepnet.derive.limits import Limits

    whole = api.run(str(path), 2)
    buffer = io.StringIO()
    report = whole.report(Limits(only=frozenset({"h11", "w200"})))
    rendered(whole.fmt, lambda r: r.report(report))(console(OutputOptions(), buffer), False)
    assert result.stdout == buffer.getvalue()
    assert "Samples 5 to 6 of the batch are computed the same way" in result.stdout


def test_streamed_text_in_ascii_and_the_matrix_view():
    result = invoke("run", "mazur", "-n", "2", "--ascii", "--view", "matrix")
    assert result.exit_code == 0, result.output
    assert result.stdout == whole_text("mazur", 2, ascii_only=True, view="matrix")
    assert result.stdout.isascii()


def test_streamed_text_file_is_the_whole_report_without_trailing_spaces(tmp_path):
    target = tmp_path / "run.txt"
    result = invoke("run", "mazur", "-n", "25", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == whole_text("mazur", 25, to_file=True)
    assert [p.name for p in tmp_path.iterdir()] == ["run.txt"]


@pytest.mark.parametrize("name", ["mazur", "minibatch", "softmax", "adam", "nielsen"])
def test_streamed_json_is_the_whole_document(name, tmp_path):
    result = invoke("run", name, "-n", "5", "--trace", "1,3-4", "--format", "json")
    assert result.exit_code == 0, result.output
    whole = api.run(name, 5, trace="1,3-4").to_json()
    assert result.stdout == whole
    doc = json.loads(result.stdout)
    assert [it["iteration"] for it in doc["iterations"]] == [1, 3, 4] and len(doc["losses"]) == 5
    target = tmp_path / "run.json"
    assert invoke("run", name, "-n", "5", "--trace", "1,3-4", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == whole


def test_json_nodes_carry_both_factors_of_delta():
    with localcontext(prec=60):  # exact for the differences and products of two floats below
        _check_delta_factors()


def _check_delta_factors():
    doc = json.loads(api.run("xor", 3, trace="all").to_json())
    cfg = api.load("xor")
    top = cfg.layers[-1].name
    for it in doc["iterations"]:
        for sample in it["samples"]:
            nodes = {n["name"]: n for n in sample["nodes"]}
            for node in sample["nodes"]:  # sigmoid and half_sse: nothing fused, δ = ∂E/∂out · ∂out/∂net exactly
                assert node["delta"] == node["dE_dout"] * node["dout_dnet"]
                out = Decimal(node["out"])
                assert Decimal(node["dout_dnet"]) == pytest.approx(out * (1 - out), rel=Decimal("1e-15"))
            for j, target in enumerate(sample["targets"]):
                node = nodes[f"{top}{j + 1}"]
                exact = Decimal(node["out"]) - Decimal(target)  # exact: both have few enough digits
                assert Decimal(node["dE_dout"]) == pytest.approx(exact, rel=Decimal("1e-15"))


def test_json_errors_are_the_loss_terms_of_each_output():
    with localcontext(prec=60):
        _check_errors()


def _check_errors():
    doc = json.loads(api.run("mazur", 2, trace="all").to_json())
    for it in doc["iterations"]:
        for sample in it["samples"]:
            outs = [n["out"] for n in sample["nodes"] if n["layer"] == "o"]
            exact = [Decimal(1) / 2 * (Decimal(t) - Decimal(o)) ** 2 for t, o in zip(sample["targets"], outs,
                                                                                       strict=True)]
            assert [Decimal(e) for e in sample["errors"]] == pytest.approx(exact, rel=Decimal("1e-14"))
            assert math.fsum(sample["errors"]) == pytest.approx(sample["loss"], rel=1e-15, abs=0)
    assert doc["iterations"][0]["samples"][0]["errors"] == pytest.approx([0.274811083, 0.023560026], abs=5e-10)


@pytest.mark.parametrize(("name", "args"), [
    ("mazur", ["-n", "4", "--trace", "all"]),
    ("xor", ["-n", "6", "--trace", "2,5"]),  # weights drawn from init: the echo gives them
    ("minibatch", ["-n", "5"]),
    ("adam", ["-n", "3", "--carry", "9"]),
    ("nielsen", ["-n", "2"]),
])
def test_json_config_echo_runs_the_same_run_again(name, args, tmp_path):
    doc = json.loads(invoke("run", name, *args, "--format", "json").stdout)
    options = doc["options"]
    echo = tmp_path / "echo.yaml"
    echo.write_text(json.dumps(doc["config"]), encoding="utf-8")  # JSON is YAML
    again_args = ["--trace", options["trace"]] + (["--carry", str(options["carry"])] if options["carry"] else [])
    again = invoke("run", str(echo), *again_args, "--format", "json")
    assert again.exit_code == 0, again.output
    redo = json.loads(again.stdout)
    assert redo["options"] == options and redo["config"] == doc["config"]
    for key in ("iterations", "losses", "final"):
        assert redo[key] == doc[key]
    assert load_config(doc["config"]).iterations == len(doc["losses"])


def test_oversize_output_is_refused_before_the_run(tmp_path):
    target = tmp_path / "run.json"
    result = invoke("run", "mazur", "-n", "1000000", "--trace", "all", "--format", "json", "-o", str(target))
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "1,000,000 traced iterations of this 2-2-2 network as JSON would be about 3.5 GB" in message
    fit = int(message.split("at most ")[1].split(" ")[0].replace(",", ""))
    assert f"--trace first,last or --trace 1-{fit}" in message
    assert not target.exists() and list(tmp_path.iterdir()) == []
    # the advice is right: that many traced iterations are estimated to fit, one more is not
    from stepnet.render.estimate import json_estimate

    estimate = json_estimate(api.load("mazur"), 1_000_000)
    assert estimate.total(fit) <= 2_000_000_000 < estimate.total(fit + 1)


def test_a_document_made_whole_is_refused_beyond_the_memory_it_may_take():
    result = invoke("run", "mazur", "-n", "5000", "--trace", "all", "--format", "html")
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "5,000 traced iterations of this 2-2-2 network as HTML would take about" in message
    assert "of memory to make" in message and "--trace 1-" in message and "--format text or json" in message


def _network(sizes: list[int], samples: int = 1):
    layers = [{"name": "i", "size": sizes[0]}] + [{"name": name, "size": size, "activation": "sigmoid"}
                                                   for name, size in zip(("h", "o"), sizes[1:], strict=False)]
    data = [{"inputs": [0.5] * sizes[0], "targets": [0.0] * sizes[-1]} for _ in range(samples)]
    return load_config({"name": "wide", "layers": layers, "init": {"method": "xavier", "seed": 1},
                        "learning_rate": 0.1, "data": data})


def test_a_wide_network_streams_one_iteration_but_not_twenty():
    import click

    from stepnet.cli.stream import refuse_oversize

    cfg = _network([2000, 2400, 10])  # 4.8 million weights: a JSON object each, written a chunk at a time
    refuse_oversize(cfg, 1, None, "json")
    with pytest.raises(click.UsageError) as caught:
        refuse_oversize(cfg, 20, None, "json")
    assert caught.value.message.startswith("20 traced iterations of this 2000-2400-10 network as JSON would be about ")
    assert caught.value.message.endswith("only one fits in 2 GB: use --trace first or --trace last")
    refuse_oversize(cfg, 20, None, "text")  # the text shows wide layers in part


def test_one_iteration_too_large_to_hold_is_refused():
    import click

    from stepnet.cli.stream import refuse_oversize

    cfg = _network([1, 60000, 1], samples=1000)  # a batch of 1,000 samples through 60,000 neurons
    with pytest.raises(click.UsageError, match=r"one traced iteration of this 1-60000-1 network as JSON would "
                                               r"take about \d+(\.\d)? GB of memory to write, more than the 1 GB"):
        refuse_oversize(cfg, 1, None, "json")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_interrupted_run_leaves_no_file(fmt, tmp_path, monkeypatch):
    from stepnet.render.json import JsonStream
    from stepnet.render.stream import TextStream

    cls = JsonStream if fmt == "json" else TextStream
    original = cls.iteration
    seen = []

    def interrupted(self, it):
        seen.append(it.iteration)
        if len(seen) == 2:
            raise KeyboardInterrupt
        original(self, it)

    monkeypatch.setattr(cls, "iteration", interrupted)
    target = tmp_path / "run.out"
    result = invoke("run", "mazur", "-n", "10", "--trace", "all", "--format", fmt, "-o", str(target))
    assert result.exit_code == 130
    assert "Interrupted after 2 iterations" in result.output and "nothing was written to" in result.output
    assert list(tmp_path.iterdir()) == []
    # a file already there stays as it was
    target.write_text("before\n", encoding="utf-8")
    seen.clear()
    assert invoke("run", "mazur", "-n", "10", "--trace", "all", "--format", fmt, "-o", str(target)).exit_code == 130
    assert target.read_text(encoding="utf-8") == "before\n" and [p.name for p in tmp_path.iterdir()] == ["run.out"]


def test_an_interrupted_run_on_standard_output_ends_with_what_ran(monkeypatch):
    from stepnet.render.json import JsonStream

    original = JsonStream.iteration

    def interrupted(self, it):
        if it.iteration == 3:
            raise KeyboardInterrupt
        original(self, it)

    monkeypatch.setattr(JsonStream, "iteration", interrupted)
    result = invoke("run", "mazur", "-n", "10", "--trace", "all", "--format", "json")
    assert result.exit_code == 130
    doc = json.loads(result.stdout)  # still one whole document
    assert [it["iteration"] for it in doc["iterations"]] == [1, 2]
    assert len(doc["losses"]) == 3 and doc["stopped"].startswith("Interrupted after 3 of 10 iterations")


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    from stepnet.cli import files

    class Full(io.StringIO):
        def write(self, text):
            raise OSError(28, "No space left on device")

    opened = files.StreamedFile.__init__

    def init(self, path):
        opened(self, path)
        self.stream.close()
        self.stream = Full()

    monkeypatch.setattr(files.StreamedFile, "__init__", init)
    target = tmp_path / "run.json"
    result = invoke("run", "mazur", "-n", "3", "--format", "json", "-o", str(target))
    assert result.exit_code == 1
    assert "cannot write" in result.output and "No space left on device; nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_api_stream_hands_on_every_traced_iteration_and_keeps_none():
    seen = []
    result = api.stream("mazur", 30, trace="1,10-12,last", on_iteration=lambda it: seen.append(
        (it.number, it.parameter("w5").updated)))
    whole = api.run("mazur", 30, trace="1,10-12,last")
    assert seen == [(it.number, it.parameter("w5").updated) for it in whole.iterations]
    assert result.iterations == [] and result.trace.streamed == 5
    assert result.losses == whole.losses and result.final_loss == whole.final_loss


DIVERGING = """\
layers: [{name: i, size: 2}, {name: h, size: 2, activation: identity}, {name: o, size: 1, activation: identity}]
weights: {h: [[0.15, 0.20], [0.25, 0.30]], o: [[0.40, 0.45]]}
learning_rate: 1e6
iterations: 5
data: [{inputs: [0.05, 0.10], targets: [0.01]}]
"""


def test_a_diverged_run_streams_a_whole_document_but_writes_no_file(tmp_path):
    config = tmp_path / "diverging.yaml"
    config.write_text(DIVERGING, encoding="utf-8")
    result = invoke("run", str(config), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["stopped"].startswith("Training diverged at iteration 5") and len(doc["losses"]) == 5
    assert result.stdout == api.run(str(config)).to_json()
    target = tmp_path / "out.txt"
    result = invoke("run", str(config), "-o", str(target))
    assert result.exit_code == 1 and "nothing was written to" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diverging.yaml"]


def test_hand_mode_warnings_end_the_streamed_text_as_they_end_the_whole_report(tmp_path):
    run = api.run("adam", 3, carry=3)
    (warning,) = run.trace.warnings  # Adam's v̂ rounded to 0 and divided by
    result = invoke("run", "adam", "-n", "3", "--carry", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout == whole_text("adam", 3, carry=3)
    flat = " ".join(result.stdout.split())
    assert flat.count(" ".join(warning.split())) == 1
    assert flat.endswith(" ".join(warning.split())), "the warning is the last thing said"
    head = result.stdout.split("Iteration 1")[0]
    assert "Hand mode: every intermediate value is rounded" in head and "v̂ of the weight" not in head
    target = tmp_path / "run.txt"
    assert invoke("run", "adam", "-n", "3", "--carry", "3", "--ascii", "-o", str(target)).exit_code == 0
    written = target.read_text(encoding="utf-8")
    assert written == whole_text("adam", 3, carry=3, ascii_only=True, to_file=True)
    assert written.isascii() and written.rindex("Hand mode, iteration 1: v_hat of the weight h1->o1") > \
        written.rindex("Final loss")


def test_hand_mode_warnings_are_in_the_json_tail_streamed_or_whole():
    result = invoke("run", "adam", "-n", "3", "--carry", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == api.run("adam", 3, carry=3).to_json()
    doc = json.loads(result.stdout)
    assert doc["warnings"] == api.run("adam", 3, carry=3).trace.warnings and len(doc["warnings"]) == 1
    assert list(doc)[-1] == "warnings"
    assert "warnings" not in json.loads(invoke("run", "adam", "-n", "3", "--format", "json").stdout)
