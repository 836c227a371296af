"""The JSON Schema subset the tool_calls scorer validates arguments with."""

from __future__ import annotations

from typing import Any

import pytest
from pawbench_builtins.scorers.schema import validate

WRITE = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
    "required": ["path", "content"],
    "additionalProperties": False,
}


def test_a_valid_object_has_no_problem() -> None:
    assert validate({"path": "a.py", "content": ""}, WRITE) == []


def test_required_unknown_keys_and_types_are_each_reported() -> None:
    assert validate({"path": 3, "mode": "w"}, WRITE) == [
        "$: missing required 'content'",
        "$.path: expected string, got integer",
        "$: unknown key 'mode'",
    ]


def test_additional_properties_true_or_a_schema() -> None:
    open_schema = {**WRITE, "additionalProperties": True}
    assert validate({"path": "a", "content": "b", "mode": "w"}, open_schema) == []
    typed = {**WRITE, "additionalProperties": {"type": "integer"}}
    assert validate({"path": "a", "content": "b", "n": "x"}, typed) == [
        "$.n: expected integer, got string"
    ]


@pytest.mark.parametrize(
    ("value", "schema", "ok"),
    [
        (2, {"type": "integer"}, True),
        (2.0, {"type": "integer"}, True),
        (2.5, {"type": "integer"}, False),
        (True, {"type": "integer"}, False),
        (True, {"type": "number"}, False),
        (1.5, {"type": "number"}, True),
        (None, {"type": ["string", "null"]}, True),
        ([1, "a"], {"type": "array", "items": {"type": "integer"}}, False),
        ([], {"type": "array", "minItems": 1}, False),
        ([1, 2], {"type": "array", "maxItems": 1}, False),
        ("ab", {"type": "string", "minLength": 3}, False),
        ("abcd", {"type": "string", "maxLength": 3}, False),
        ("pytest -q", {"type": "string", "pattern": "^pytest"}, True),
        ("npm test", {"type": "string", "pattern": "^pytest"}, False),
        (0, {"type": "integer", "minimum": 1}, False),
        (1, {"type": "integer", "exclusiveMinimum": 1}, False),
        (9, {"maximum": 8}, False),
        (8, {"exclusiveMaximum": 8}, False),
        ("b", {"enum": ["a", "b"]}, True),
        (1, {"enum": [True]}, False),
        (1, {"const": 1.0}, True),
        ("x", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, True),
        (1.5, {"anyOf": [{"type": "integer"}, {"type": "string"}]}, False),
        (3, {"oneOf": [{"type": "integer"}, {"type": "number"}]}, False),
        ("3", {"oneOf": [{"type": "integer"}, {"type": "string"}]}, True),
        (5, {"allOf": [{"minimum": 1}, {"maximum": 4}]}, False),
        ("x", {"type": "string", "format": "email", "$ref": "#/nowhere"}, True),
    ],
)
def test_supported_keywords(value: Any, schema: dict[str, Any], ok: bool) -> None:
    assert (validate(value, schema) == []) is ok


def test_nested_paths_name_the_problem() -> None:
    schema = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": WRITE}},
    }
    assert validate({"items": [{"path": "a", "content": 1}]}, schema) == [
        "$.items[0].content: expected string, got integer"
    ]
