"""A small JSON Schema validator: the subset that tool parameter schemas use.

Supported keywords: ``type`` (a name or a list of names: object, array, string, integer,
number, boolean, null), ``properties``, ``required``, ``additionalProperties`` (false or a
schema), ``items`` (one schema), ``enum``, ``const``, ``minLength``/``maxLength``,
``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum`` (numbers),
``minItems``/``maxItems``, ``pattern`` (Python ``re.search``), ``anyOf``, ``oneOf``, ``allOf``.
Every other keyword (``$ref``, ``format``, ``description``, ...) is ignored: it never fails a
value. ``integer`` accepts a whole float (``2.0``) as JSON Schema does; booleans are never
numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pawbench.api import JSON_TYPES

Schema = dict[str, Any]


def validate(value: Any, schema: Schema, path: str = "$") -> list[str]:
    """Problems of ``value`` against ``schema`` (empty when it validates), as ``path: problem``."""
    if not isinstance(schema, dict):
        return []
    type_errors = _check_type(value, schema, path)
    if type_errors:
        return type_errors
    errors: list[str] = []
    for check in (_check_enum, _check_string, _check_number, _check_object, _check_array):
        errors.extend(check(value, schema, path))
    errors.extend(_check_combinators(value, schema, path))
    return errors


def _check_type(value: Any, schema: Schema, path: str) -> list[str]:
    wanted = schema.get("type")
    if wanted is None:
        return []
    names = wanted if isinstance(wanted, list) else [wanted]
    if any(JSON_TYPES.get(name, lambda _v: True)(value) for name in names):
        return []
    return [f"{path}: expected {' or '.join(map(str, names))}, got {_json_type(value)}"]


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if JSON_TYPES[name](value):
            return name
    return type(value).__name__


def _check_enum(value: Any, schema: Schema, path: str) -> list[str]:
    errors = []
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        errors.append(f"{path}: {value!r} is not one of {schema['enum']!r}")
    if "const" in schema and not _same(value, schema["const"]):
        errors.append(f"{path}: {value!r} is not {schema['const']!r}")
    return errors


def _same(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b) or (_is_num(a) and _is_num(b) and a == b)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check_string(value: Any, schema: Schema, path: str) -> list[str]:
    if not isinstance(value, str):
        return []
    errors = []
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(f"{path}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(f"{path}: longer than {schema['maxLength']} characters")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, value) is None:
        errors.append(f"{path}: does not match {pattern!r}")
    return errors


def _check_number(value: Any, schema: Schema, path: str) -> list[str]:
    if not _is_num(value):
        return []
    bounds: list[tuple[str, Callable[[float, float], bool], str]] = [
        ("minimum", lambda v, b: v >= b, "<"),
        ("maximum", lambda v, b: v <= b, ">"),
        ("exclusiveMinimum", lambda v, b: v > b, "<="),
        ("exclusiveMaximum", lambda v, b: v < b, ">="),
    ]
    return [
        f"{path}: {value} {symbol} {schema[key]}"
        for key, ok, symbol in bounds
        if _is_num(schema.get(key)) and not ok(value, schema[key])
    ]


def _check_object(value: Any, schema: Schema, path: str) -> list[str]:
    if not isinstance(value, dict):
        return []
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    errors = [
        f"{path}: missing required {key!r}"
        for key in schema.get("required", [])
        if key not in value
    ]
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        where = f"{path}.{key}"
        if key in props:
            errors.extend(validate(item, props[key], where))
        elif extra is False:
            errors.append(f"{path}: unknown key {key!r}")
        elif isinstance(extra, dict):
            errors.extend(validate(item, extra, where))
    return errors


def _check_array(value: Any, schema: Schema, path: str) -> list[str]:
    if not isinstance(value, list):
        return []
    errors = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(f"{path}: more than {schema['maxItems']} items")
    items = schema.get("items")
    if isinstance(items, dict):
        for i, item in enumerate(value):
            errors.extend(validate(item, items, f"{path}[{i}]"))
    return errors


def _check_combinators(value: Any, schema: Schema, path: str) -> list[str]:
    errors = []
    for sub in schema.get("allOf", []):
        errors.extend(validate(value, sub, path))
    if "anyOf" in schema and not any(not validate(value, s, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if "oneOf" in schema:
        matches = sum(1 for s in schema["oneOf"] if not validate(value, s, path))
        if matches != 1:
            errors.append(f"{path}: matches {matches} of oneOf (exactly one needed)")
    return errors
