"""A small JSON Schema (draft 2020-12) validator for the subset pawbench's schemas use.

``jsonschema`` is only a test dependency; at run time (``pawbench leaderboard validate``) this is
enough. A schema that uses a keyword outside the subset is refused rather than half-checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from pawbench.models.jsondata import JSON_TYPES

SUPPORTED = frozenset(
    {
        "$schema", "$id", "$defs", "$ref", "$comment", "title", "description", "examples",
        "default", "format", "type", "properties", "required", "additionalProperties", "items",
        "enum", "const", "minimum", "maximum", "minLength", "minItems", "pattern", "anyOf", "oneOf",
    }
)  # fmt: skip


def packaged_schema(name: str) -> dict[str, Any]:
    """A schema shipped in ``pawbench/report/schemas`` (``"leaderboard"``)."""
    text = resources.files("pawbench.report").joinpath(f"schemas/{name}.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def unsupported_keywords(schema: Any) -> set[str]:
    """Keywords of ``schema`` (anywhere) outside the supported subset."""
    found: set[str] = set()
    if isinstance(schema, Mapping):
        found |= set(schema) - SUPPORTED
        for key in ("properties", "$defs"):
            for sub in dict(schema.get(key) or {}).values():
                found |= unsupported_keywords(sub)
        for key in ("items", "additionalProperties"):
            found |= unsupported_keywords(schema.get(key))
        for key in ("anyOf", "oneOf"):
            for sub in schema.get(key) or []:
                found |= unsupported_keywords(sub)
    return found


class _Validator:
    def __init__(self, root: Mapping[str, Any]) -> None:
        unknown = unsupported_keywords(root)
        if unknown:
            raise ValueError(f"schema uses unsupported keywords: {sorted(unknown)}")
        self.root = root

    def resolve(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref are supported, got {ref!r}")
        node: Any = self.root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)

    def check(self, value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
        if "$ref" in schema:
            return self.check(value, self.resolve(schema["$ref"]), path)
        errors = self._type_and_values(value, schema, path)
        if errors:
            return errors
        errors += self._combinators(value, schema, path)
        if isinstance(value, dict):
            errors += self._object(value, schema, path)
        elif isinstance(value, list):
            errors += self._array(value, schema, path)
        elif isinstance(value, str):
            errors += self._string(value, schema, path)
        elif JSON_TYPES["number"](value):
            errors += self._number(value, schema, path)
        return errors

    def _type_and_values(self, value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else list(types)
            if not any(JSON_TYPES[t](value) for t in names):
                return [f"{path}: expected {' or '.join(names)}, got {type(value).__name__}"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{path}: {value!r} is not one of {schema['enum']}"]
        if "const" in schema and value != schema["const"]:
            return [f"{path}: expected {schema['const']!r}"]
        return []

    def _combinators(self, value: Any, schema: Mapping[str, Any], path: str) -> list[str]:
        if "anyOf" in schema and all(self.check(value, s, path) for s in schema["anyOf"]):
            return [f"{path}: matches none of the allowed shapes (anyOf)"]
        if "oneOf" in schema:
            matches = sum(1 for s in schema["oneOf"] if not self.check(value, s, path))
            if matches != 1:
                return [f"{path}: matches {matches} of the oneOf shapes, expected exactly 1"]
        return []

    def _object(self, value: dict[str, Any], schema: Mapping[str, Any], path: str) -> list[str]:
        required = schema.get("required", [])
        errors = [f"{path}: missing required {k!r}" for k in required if k not in value]
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            where = f"{path}.{key}"
            if key in props:
                errors += self.check(item, props[key], where)
            elif extra is False:
                errors.append(f"{path}: unexpected property {key!r}")
            elif isinstance(extra, Mapping):
                errors += self.check(item, extra, where)
        return errors

    def _array(self, value: list[Any], schema: Mapping[str, Any], path: str) -> list[str]:
        errors = []
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += self.check(item, schema["items"], f"{path}[{i}]")
        return errors

    def _string(self, value: str, schema: Mapping[str, Any], path: str) -> list[str]:
        errors = []
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than {schema['minLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']!r}")
        return errors

    def _number(self, value: float, schema: Mapping[str, Any], path: str) -> list[str]:
        errors = []
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} is above the maximum {schema['maximum']}")
        return errors


def validate(instance: Any, schema: Mapping[str, Any]) -> list[str]:
    """Errors of ``instance`` against ``schema`` as ``$.path: message`` lines (empty: valid)."""
    return _Validator(schema).check(instance, schema, "$")
