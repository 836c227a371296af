"""Defensive reading of result documents: a missing or mistyped value is None, never an error.

Result documents come from several writers (this version, older ones, PawBench 1.1.4) and grow
blocks over time, so every reader in this package goes through these helpers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# Keys under which a block that is an object carries its headline number, in order of preference.
SCALAR_KEYS = ("value", "dqs", "score", "mean", "overall", "run", "combined", "rate", "avg")


def get(doc: Any, path: str) -> Any:
    """The value at a dotted path of nested mappings (``"dim1_throughput.avg_ttft_ms"``)."""
    node = doc
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def number(value: Any) -> float | None:
    """A finite int or float as float; anything else (bool, str, NaN, None) is None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def scalar(value: Any, depth: int = 3) -> float | None:
    """A number, or the headline number of an object (``{"value": 0.8, ...}``)."""
    found = number(value)
    if found is not None or depth == 0 or not isinstance(value, Mapping):
        return found
    for key in SCALAR_KEYS:
        if key in value:
            inner = scalar(value[key], depth - 1)
            if inner is not None:
                return inner
    return None


def first_scalar(doc: Any, paths: tuple[str, ...]) -> float | None:
    """The first path that holds a number (or an object with a headline number)."""
    for path in paths:
        found = scalar(get(doc, path))
        if found is not None:
            return found
    return None


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def text(value: Any, default: str = "-") -> str:
    """A short string for display; ``default`` for None."""
    if value is None:
        return default
    return value if isinstance(value, str) else str(value)
