"""Build an instance that validates against a tool's JSON Schema (the subset tools use: object,
array, string, integer, number, boolean, null, enum, const, anyOf/oneOf/allOf, required,
min/max bounds). String values come from a callback that knows what each key is for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

StringFor = Callable[[str, Mapping[str, Any]], str]


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return str(kinds[0]) if kinds else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _number(schema: Mapping[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    ex_low = schema.get("exclusiveMinimum")
    ex_high = schema.get("exclusiveMaximum")
    value: float = 1
    if isinstance(low, int | float):
        value = max(value, low)
    if isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
        value = max(value, ex_low + 1 if integer else ex_low + 0.5)
    if isinstance(high, int | float):
        value = min(value, high)
    if isinstance(ex_high, int | float) and not isinstance(ex_high, bool) and value >= ex_high:
        value = ex_high - 1 if integer else ex_high - 0.5
    return int(value) if integer else float(value)


def _string(key: str, schema: Mapping[str, Any], strings: StringFor) -> str:
    text = strings(key, schema)
    low = schema.get("minLength")
    high = schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _object(schema: Mapping[str, Any], strings: StringFor) -> dict[str, Any]:
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    required = [k for k in schema.get("required") or [] if isinstance(k, str)]
    keys = required or list(props)
    return {k: instance(props.get(k, {}), strings, k) for k in keys}


def _array(schema: Mapping[str, Any], key: str, strings: StringFor) -> list[Any]:
    items = schema.get("items")
    item_schema = items if isinstance(items, dict) else {}
    low = schema.get("minItems")
    count = max(1, low if isinstance(low, int) else 1)
    high = schema.get("maxItems")
    if isinstance(high, int):
        count = min(count, high)
    return [instance(item_schema, strings, key) for _ in range(count)]


def instance(schema: Mapping[str, Any], strings: StringFor, key: str = "") -> Any:
    """A value valid against ``schema``; ``key`` is the property it is for."""
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for combiner in ("anyOf", "oneOf"):
        options = schema.get(combiner)
        if isinstance(options, list) and options:
            usable = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            return instance(usable[0] if usable else options[0], strings, key)
    parts = schema.get("allOf")
    if isinstance(parts, list) and parts:
        merged: dict[str, Any] = {}
        for part in parts:
            if isinstance(part, dict):
                merged.update(part)
        merged.update({k: v for k, v in schema.items() if k != "allOf"})
        return instance(merged, strings, key)
    kind = _type_of(schema)
    if kind == "object":
        return _object(schema, strings)
    if kind == "array":
        return _array(schema, key, strings)
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(key, schema, strings)
