"""The JSON Schema agrees with the loader wherever a schema can express the rule."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from invalid_configs import CASES, VALID_CONFIGS, InvalidCase
from stepnet.config import model as cfg
from stepnet.config.document import read_yaml
from stepnet.config.load import schema_text
from stepnet.config.sections import SECTIONS

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "src" / "stepnet" / "examples" / "config.schema.json"
SCHEMA = json.loads(schema_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_schema_text_is_the_bundled_file():
    assert schema_text() == SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_knows_every_top_level_key():
    assert list(SCHEMA["properties"]) == list(SECTIONS)
    assert SCHEMA["required"] == ["layers", "learning_rate", "data"]


def _resolve(node):
    ref = node.get("$ref") if isinstance(node, dict) else None
    if ref:
        return SCHEMA["$defs"][ref.rsplit("/", 1)[1]]
    return node


def _object_schemas(node=SCHEMA):
    """Every schema in SCHEMA that declares properties."""
    if isinstance(node, dict):
        if "properties" in node and node.get("type") == "object":
            yield node
        for value in node.values():
            yield from _object_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _object_schemas(value)


def test_every_object_is_closed_and_every_key_described():
    objects = list(_object_schemas())
    assert len(objects) >= 8
    for schema in objects:
        assert schema["additionalProperties"] is False, sorted(schema["properties"])
        for key, sub in schema["properties"].items():
            if sub is False:  # "not allowed here" in an if/then
                continue
            assert sub.get("description") or _resolve(sub).get("description"), key


def _enum(*path):
    node = SCHEMA
    for key in path:
        node = _resolve(node)[key]
    return tuple(node["enum"])


def test_enums_match_the_loader():
    assert _enum("$defs", "layer", "properties", "activation") == cfg.ACTIVATION_NAMES
    assert _enum("$defs", "layer", "properties", "bias") == cfg.BIAS_MODES
    assert _enum("properties", "loss") == cfg.LOSS_NAMES
    assert _enum("properties", "init", "properties", "method") == cfg.INIT_METHODS
    assert _enum("properties", "hidden_deltas_use") == cfg.HIDDEN_DELTAS
    assert tuple(SCHEMA["properties"]["optimizer"]["anyOf"][0]["enum"]) == cfg.OPTIMIZERS
    assert tuple(SCHEMA["properties"]["notation"]["anyOf"][0]["enum"]) == cfg.NOTATION_STYLES


@pytest.mark.parametrize("name", sorted(VALID_CONFIGS))
def test_schema_accepts_valid_configs(name):
    text = VALID_CONFIGS[name]
    VALIDATOR.validate(yaml.safe_load(text))
    VALIDATOR.validate(read_yaml(text).value)  # as a YAML 1.2 editor reads it


def test_schema_accepts_yaml_12_numbers_as_editors_read_them():
    text = VALID_CONFIGS["classic"].replace("learning_rate: 0.5", "learning_rate: 5e-1")
    VALIDATOR.validate(read_yaml(text).value)


def test_schema_accepts_bundled_examples():
    examples = sorted(SCHEMA_FILE.parent.glob("*.yaml"))
    if not examples:
        pytest.skip("no bundled examples yet")
    for path in examples:
        VALIDATOR.validate(read_yaml(path.read_text(encoding="utf-8")).value)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_schema_rejects_exactly_what_it_can_express(case: InvalidCase):
    try:
        data = yaml.safe_load(case.yaml_text)
    except yaml.YAMLError:
        pytest.skip("PyYAML cannot read this case")
    if case.schema_rejects:
        assert not VALIDATOR.is_valid(data), "the schema should reject this"
    else:
        assert VALIDATOR.is_valid(data), [e.message for e in VALIDATOR.iter_errors(data)]
