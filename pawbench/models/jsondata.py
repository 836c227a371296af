"""Plain JSON data as the core and plugins read it: JSON Schema's primitive types as
predicates, and the objects of a JSON Lines file (``requests.jsonl``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson

JSON_TYPES: Mapping[str, Callable[[Any], bool]] = MappingProxyType(
    {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "integer": lambda v: (
            (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        ),
    }
)
"""JSON Schema type name -> whether a parsed JSON value is of that type (``integer`` takes a
whole float, as JSON Schema does; a boolean is never a number)."""


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, one per line; broken lines and lines that are not
    objects are skipped (a run cut short may leave a partial last line)."""
    with path.open("rb") as handle:
        for line in handle:
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict):
                yield value
