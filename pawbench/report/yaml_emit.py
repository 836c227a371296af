"""A small YAML emitter for JSON-like data (block style; strings double-quoted, JSON-escaped,
which YAML reads unchanged). Enough for ServingCards, no dependency."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _is_block(value: Any) -> bool:
    return isinstance(value, Mapping | list) and len(value) > 0


def _lines(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        if not value:
            return ["{}"]
        out = []
        for k, v in value.items():
            if _is_block(v):
                out.append(f"{_key(k)}:")
                out += [("  " + line) for line in _lines(v)]
            else:
                out.append(f"{_key(k)}: {_lines(v)[0]}")
        return out
    if isinstance(value, list):
        if not value:
            return ["[]"]
        out = []
        for item in value:
            inner = _lines(item)
            out.append("- " + inner[0])
            out += [("  " + line) for line in inner[1:]]
        return out
    return [_scalar(value)]


def to_yaml(data: Any) -> str:
    """``data`` as a YAML document."""
    return "\n".join(_lines(data)) + "\n"
