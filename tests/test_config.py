"""Valid configs load into exactly the dataclasses they describe."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from invalid_configs import BINARY, CLASSIC, MAXIMAL, MOMENTUM, VALID_CONFIGS
from stepnet.config.document import from_python, read_yaml, resolve_plain
from stepnet.config.load import load_config, parse_config_text
from stepnet.config.model import Claim, Init, Layer, NetworkConfig, Notation, Optimizer, Sample
from stepnet.errors import ConfigError

SRC = Path(__file__).resolve().parent.parent / "src"

CLASSIC_EXPECTED = NetworkConfig(
    name="A step by step backpropagation example",
    layers=(
        Layer("i", 2, None, "none", 0.01),
        Layer("h", 2, "sigmoid", "shared", 0.01),
        Layer("o", 2, "sigmoid", "shared", 0.01),
    ),
    data=(Sample((0.05, 0.10), (0.01, 0.99)),),
    learning_rate=0.5,
    loss="half_sse",
    weights={"h": ((0.15, 0.20), (0.25, 0.30)), "o": ((0.40, 0.45), (0.50, 0.55))},
    biases={"h": (0.35,), "o": (0.60,)},
    init=None,
    train_biases=False,
    optimizer=Optimizer("sgd", 0.9, 0.9, 0.999, 1e-8),
    batch_size=None,
    shuffle_seed=None,
    iterations=None,
    hidden_deltas_use="current_weights",
    notation=Notation("flat", "by_target", "to_from"),
    claims=(),
    description="",
    source="mazur.yaml",
    positions={},
)


def test_classic_config_loads_exactly():
    config = parse_config_text(CLASSIC, "mazur.yaml")
    for field in dataclasses.fields(NetworkConfig):
        if field.name != "positions":
            assert getattr(config, field.name) == getattr(CLASSIC_EXPECTED, field.name), field.name
    assert config.input_layer.name == "i" and config.output_layer.name == "o"
    assert config.effective_batch_size == 1


def test_numbers_are_floats_and_containers_tuples():
    config = parse_config_text(CLASSIC)
    assert type(config.learning_rate) is float
    assert all(type(x) is float for row in config.weights["h"] for x in row)
    assert isinstance(config.weights["h"], tuple) and isinstance(config.weights["h"][0], tuple)
    assert all(type(x) is float for x in config.data[0].inputs)


def test_classic_positions():
    positions = parse_config_text(CLASSIC).positions
    assert positions["learning_rate"] == (13, 16)
    assert positions["layers[1].activation"] == (5, 36)
    assert positions["weights.h[0][1]"] == (8, 14)
    assert positions["biases.o"] == (10, 22)
    assert positions["data[0].targets[1]"] == (16, 21)


def test_classic_file(tmp_path):
    path = tmp_path / "mazur.yaml"
    path.write_text(CLASSIC, encoding="utf-8")
    config = load_config(path)
    assert config.source == str(path)
    assert dataclasses.replace(config, source="mazur.yaml", positions={}) == CLASSIC_EXPECTED


def test_classic_dict_source():
    config = load_config(yaml.safe_load(CLASSIC), name="mazur.yaml")
    assert config.positions == {}
    assert dataclasses.replace(config, positions={}) == CLASSIC_EXPECTED
    assert load_config(yaml.safe_load(CLASSIC)).source is None


def test_default_names():
    text = CLASSIC.replace("name: A step by step backpropagation example\n", "")
    assert parse_config_text(text, "configs/mazur.yaml").name == "mazur"
    assert parse_config_text(text).name == "network"
    assert load_config(yaml.safe_load(text)).name == "network"


@pytest.mark.parametrize("written", ["5e-1", ".5", "0.5", "+.5", "50e-2", "5.0E-1"])
def test_yaml_12_floats(written):
    config = parse_config_text(CLASSIC.replace("learning_rate: 0.5", f"learning_rate: {written}"))
    assert config.learning_rate == 0.5


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e3", 1000.0),
        ("-.5", -0.5),
        ("12", 12),
        ("0x1F", 31),
        ("0o17", 15),
        ("true", True),
        ("TRUE", True),
        ("False", False),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("null", None),
        ("~", None),
        ("", None),
        ("1_000", "1_000"),
        ("0.5x", "0.5x"),
    ],
)
def test_core_schema_scalars(text, value):
    result = resolve_plain(text)
    assert result == value and type(result) is type(value)


def test_non_finite_scalars():
    assert resolve_plain(".inf") == math.inf and resolve_plain("-.Inf") == -math.inf
    assert math.isnan(resolve_plain(".NaN"))


def test_quoted_and_tagged_scalars():
    doc = read_yaml("a: '0.5'\nb: \"true\"\nc: !!float 1\nd: !!str 2\ne: !!int '7'\n")
    assert doc.value == {"a": "0.5", "b": "true", "c": 1.0, "d": "2", "e": 7}
    assert type(doc.value["c"]) is float


def test_number_source_texts_are_kept():
    doc = read_yaml("claims: {out_o1: 0.75136507, w5: 5e-1, n: 3}\n")
    assert doc.texts == {"claims.out_o1": "0.75136507", "claims.w5": "5e-1", "claims.n": "3"}


def test_key_and_value_positions():
    doc = read_yaml("a:\n  b: [1, 2]\n")
    assert doc.key_positions == {"a": (1, 1), "a.b": (2, 3)}
    assert doc.positions["a.b"] == (2, 6) and doc.positions["a.b[1]"] == (2, 10)
    assert doc.locate("a.b[7]") == (2, 6)


def test_nesting_limit_is_64_lists_or_mappings():
    read_yaml("[" * 64 + "]" * 64)
    read_yaml("a: " + "[" * 63 + "1" + "]" * 63)  # the top-level mapping counts as one
    with pytest.raises(ConfigError, match="deeper than 64 levels"):
        read_yaml("a: " + "[" * 64 + "1" + "]" * 64)
    nested: object = 1
    for _ in range(63):
        nested = [nested]
    from_python({"a": nested})
    with pytest.raises(ConfigError, match="deeper than 64 levels"):
        from_python({"a": [nested]})


def test_alias_cycles_are_refused():
    with pytest.raises(ConfigError, match="an alias refers to a list or mapping that contains it") as caught:
        read_yaml("x: &a {y: *a}\n")
    assert caught.value.key == "x.y"


def test_aliases_expand():
    doc = read_yaml("x: &row [1, 2]\ny: [*row, *row]\n")
    assert doc.value["y"] == [[1, 2], [1, 2]]


def test_indexed_notation_mapping():
    text = CLASSIC.replace("notation: flat", "notation: {style: indexed, index_order: from_to}")
    assert parse_config_text(text).notation == Notation("indexed", "by_target", "from_to")
    text = CLASSIC.replace("notation: flat", "notation: indexed")
    assert parse_config_text(text).notation == Notation(style="indexed")
    text = CLASSIC.replace("notation: flat", "notation: {numbering: by_source}")
    assert parse_config_text(text).notation == Notation("flat", "by_source", "to_from")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("sgd", Optimizer()),
        ("adam", Optimizer("adam")),
        ("{name: momentum}", Optimizer("momentum")),
        ("{name: momentum, momentum: 0}", Optimizer("momentum", momentum=0.0)),
        (
            "{name: adam, beta1: 0.5, beta2: 0.75, epsilon: 1e-6}",
            Optimizer("adam", beta1=0.5, beta2=0.75, epsilon=1e-6),
        ),
    ],
)
def test_optimizer_forms(written, expected):
    assert parse_config_text(CLASSIC + f"optimizer: {written}\n").optimizer == expected


def test_claims_with_iterations_and_text():
    text = CLASSIC + textwrap.dedent(
        """\
        claims:
          E_total: 0.298371109
          out_o1: 0.75136507
          iteration 2:
            E_total: 0.29102777
            w5+: 3.5e-1
          iteration 10: {E_total: 1}
        """
    )
    claims = parse_config_text(text).claims
    assert claims == (
        Claim("E_total", "0.298371109", 0.298371109, 1, 18),
        Claim("out_o1", "0.75136507", 0.75136507, 1, 19),
        Claim("E_total", "0.29102777", 0.29102777, 2, 21),
        Claim("w5+", "3.5e-1", 0.35, 2, 22),
        Claim("E_total", "1", 1.0, 10, 23),
    )


def test_claims_from_a_mapping_keep_a_text():
    data = yaml.safe_load(CLASSIC)
    data["claims"] = {"E_total": 0.298371109, "iteration 2": {"w5": 1}}
    claims = load_config(data).claims
    assert claims == (Claim("E_total", "0.298371109", 0.298371109, 1, None), Claim("w5", "1", 1.0, 2, None))


def test_maximal_config():
    config = parse_config_text(MAXIMAL, "all.yaml")
    assert config.name == "every key"
    assert config.description == "A config using every key stepnet reads."
    assert config.notation == Notation("indexed", "by_source", "from_to")
    assert config.layers == (
        Layer("in", 3),
        Layer("hid", 2, "leaky_relu", "per_neuron", 0.1),
        Layer("mid", 2, "tanh", "none"),
        Layer("out", 3, "softmax", "shared"),
    )
    assert config.weights == {"hid": ((0.1, -0.2, 0.3), (0.4, 0.5, -0.6))}
    assert config.biases == {"hid": (0.01, -0.02), "out": (0.5,)}
    assert config.init == Init("uniform", 7, -0.25, 0.25)
    assert config.train_biases is True
    assert config.loss == "cross_entropy"
    assert config.learning_rate == 0.1
    assert config.optimizer == Optimizer("adam", 0.9, 0.8, 0.99, 1e-7)
    assert len(config.data) == 3 and config.data[1] == Sample((0.5, 0.25, 0.125), (0.2, 0.3, 0.5))
    assert (config.batch_size, config.shuffle_seed, config.iterations) == (2, 3, 5)
    assert config.hidden_deltas_use == "updated_weights"
    assert [(c.quantity, c.iteration) for c in config.claims] == [
        ("E_total", 1),
        ("out_out1", 1),
        ("E_total", 2),
        ("w1+", 2),
    ]


def test_biases_not_given_are_zero():
    config = parse_config_text(BINARY)
    assert config.biases == {"h": (0.0, 0.0, 0.0), "o": (0.0,)}
    assert config.weights == {}
    assert config.init == Init("xavier", 42)


def test_defaults():
    config = parse_config_text(MOMENTUM)
    assert config.layers[1] == Layer("y", 1, "identity", "none")
    assert config.biases == {}
    assert config.train_biases is True
    assert config.optimizer == Optimizer("momentum", momentum=0.5)
    assert config.notation == Notation("indexed")
    assert config.learning_rate == 1.0 and type(config.learning_rate) is float


def test_whole_floats_are_accepted_as_integers():
    config = parse_config_text(CLASSIC.replace("{name: i, size: 2}", "{name: i, size: 2.0}"))
    assert config.layers[0].size == 2 and type(config.layers[0].size) is int


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + CLASSIC.encode())
    assert load_config(path).name == CLASSIC_EXPECTED.name


@pytest.mark.parametrize("name", sorted(VALID_CONFIGS))
def test_valid_configs_load(name):
    assert isinstance(parse_config_text(VALID_CONFIGS[name], f"{name}.yaml"), NetworkConfig)


def test_bundled_examples_load():
    examples = sorted((SRC / "stepnet" / "examples").glob("*.yaml"))
    if not examples:
        pytest.skip("no bundled examples yet")
    for path in examples:
        assert load_config(path).layers


def test_import_is_light():
    """``stepnet.config`` itself imports neither yaml nor numpy, sympy or rich."""
    code = textwrap.dedent(
        f"""
        import sys, types
        package = types.ModuleType("stepnet")
        package.__path__ = [{str(SRC / "stepnet")!r}]
        sys.modules["stepnet"] = package  # skip stepnet/__init__.py, which loads the engine
        import stepnet.config
        heavy = [name for name in ("yaml", "numpy", "sympy", "rich") if name in sys.modules]
        assert not heavy, heavy
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
