"""Invalid configs give one ConfigError naming the file, line, key path and problem."""

from __future__ import annotations

import os
import tempfile

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invalid_configs import CASES, CLASSIC, InvalidCase
from stepnet.config.load import load_config, parse_config_text
from stepnet.config.model import NetworkConfig
from stepnet.errors import ConfigError
from stepnet.limits import MAX_FILE_BYTES, size_text


def test_there_are_enough_cases():
    assert len(CASES) >= 45
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_invalid_config(case: InvalidCase):
    with pytest.raises(ConfigError) as caught:
        parse_config_text(case.yaml_text, "bad.yaml")
    error = caught.value
    text = str(error)
    first_line = text.splitlines()[0]
    assert first_line.startswith(f"bad.yaml:{case.line}:"), text
    if case.key:
        assert f": {case.key}: " in first_line, text
        assert error.key == case.key
    assert case.message_contains in text
    assert error.file == "bad.yaml"
    assert error.line == case.line


def test_the_spec_example_message():
    text = CLASSIC.replace("activation: sigmoid, bias: shared}   #", "activation: sigmod, bias: shared}   #")
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, "mazur.yaml")
    first_line = str(caught.value).splitlines()[0]
    assert (
        first_line
        == "mazur.yaml:5:36: layers[1].activation: unknown activation 'sigmod' (did you mean 'sigmoid'?)"
    )


def test_hints_say_how_to_fix():
    cases = {case.id: case for case in CASES}
    for case_id, hint in [
        ("train-biases-yes", "write true or false"),
        ("empty", "stepnet init"),
        ("learning-rate-quoted", "remove the quotes"),
        ("biases-list-for-shared", "set bias: per_neuron"),
        ("biases-number-for-per-neuron", "set bias: shared"),
    ]:
        with pytest.raises(ConfigError) as caught:
            parse_config_text(cases[case_id].yaml_text, "bad.yaml")
        assert hint in (caught.value.hint or ""), case_id


# -- files ---------------------------------------------------------------------------


def test_missing_file_is_named_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="no such file") as caught:
        load_config("configs/nope.yaml")
    assert caught.value.file == "configs/nope.yaml"
    assert str(caught.value).startswith("configs/nope.yaml: no such file")


def test_directory(tmp_path):
    with pytest.raises(ConfigError, match="is a directory") as caught:
        load_config(tmp_path)
    assert caught.value.file == str(tmp_path)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    path.touch()
    os.truncate(path, MAX_FILE_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert size_text(MAX_FILE_BYTES) in caught.value.message
    assert caught.value.file == str(path)


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(CLASSIC.replace("A step", "Caf\xe9 step").encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8") as caught:
        load_config(path)
    error = caught.value
    assert (error.line, error.column) == (1, 10)
    assert "byte offset 9" in error.message


def test_file_error_names_the_file_and_line(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(CLASSIC.replace("learning_rate: 0.5", "learning_rate: fast"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert str(caught.value).startswith(
        f"{path}:13:16: learning_rate: expected a number, found the string 'fast'"
    )


# -- mappings built in Python ----------------------------------------------------------


def _classic_dict():
    return yaml.safe_load(CLASSIC)


def test_mapping_errors_name_the_key_path():
    data = _classic_dict()
    data["weights"]["h"][1] = [0.25, 0.30, 0.35]
    with pytest.raises(ConfigError) as caught:
        load_config(data)
    error = caught.value
    assert error.key == "weights.h[1]"
    assert error.line is None and error.file is None
    assert str(error).startswith("<config>: weights.h[1]: expected 2 numbers")


def test_mapping_errors_use_the_given_name():
    data = _classic_dict()
    data["layers"][1]["activation"] = "sigmod"
    with pytest.raises(ConfigError) as caught:
        load_config(data, name="built.yaml")
    assert str(caught.value).startswith("built.yaml: layers[1].activation: unknown activation 'sigmod'")


def test_mapping_with_non_data_values():
    data = _classic_dict()
    data["learning_rate"] = object()
    with pytest.raises(ConfigError, match="expected plain data"):
        load_config(data)
    data = _classic_dict()
    data["claims"] = {1: 0.5}
    with pytest.raises(ConfigError, match="keys must be strings"):
        load_config(data)


def test_mapping_that_contains_itself():
    data = _classic_dict()
    data["claims"] = data
    with pytest.raises(ConfigError, match="deeper than 64"):
        load_config(data)


# -- anything else is a ConfigError too --------------------------------------------------

WRONG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(min_value=0, max_value=3), max_size=3),
)


def _paths(value, prefix=()):
    """Every place in a nested dict/list, as a tuple of keys and indices."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield prefix + (key,)
        yield from _paths(item, prefix + (key,))


CLASSIC_PATHS = list(_paths(yaml.safe_load(CLASSIC)))


def _mutate(data, path, action, new_value):
    *parents, last = path
    container = data
    for key in parents:
        container = container[key]
    target = container[last]
    if action == "delete":
        del container[last]
    elif action == "replace":
        container[last] = new_value
    elif action == "grow" and isinstance(target, list):
        target.append(new_value)
    elif action == "shrink" and isinstance(target, list) and target:
        target.pop()
    return data


def _loads_or_config_error(call):
    try:
        result = call()
    except ConfigError as error:
        assert str(error)  # formats without failing
        return
    assert isinstance(result, NetworkConfig)


@pytest.mark.slow
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(CLASSIC_PATHS),
    action=st.sampled_from(["delete", "replace", "grow", "shrink"]),
    new_value=WRONG_VALUES,
)
def test_mutated_classic_config(path, action, new_value):
    data = _mutate(_classic_dict(), path, action, new_value)
    _loads_or_config_error(lambda: load_config(data))
    text = yaml.safe_dump(data, allow_unicode=True)
    _loads_or_config_error(lambda: parse_config_text(text, "mutant.yaml"))


@pytest.mark.slow
@settings(deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(CLASSIC.encode())),
    garbage=st.binary(min_size=1, max_size=8),
)
def test_classic_config_with_garbage_bytes(position, garbage):
    raw = CLASSIC.encode()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "garbage.yaml")
        with open(path, "wb") as stream:
            stream.write(raw[:position] + garbage + raw[position:])
        _loads_or_config_error(lambda: load_config(path))


@pytest.mark.slow
@settings(deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_any_text(text):
    _loads_or_config_error(lambda: parse_config_text(text))
