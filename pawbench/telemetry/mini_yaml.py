"""A small YAML subset, for serving cards when PyYAML is not installed (it is not a dependency).

Supported: block mappings (``key: value``, ``key:`` + an indented block), block sequences
(``- item``, items that are mappings, a sequence at its key's indentation), comments, plain and
quoted scalars (``'single'``, ``"double"`` with JSON escapes), flow sequences of scalars
(``[a, "b", 3]``), ``{}``, a leading ``---``. Scalars: ``null``/``~``, ``true``/``false``,
integers, floats, otherwise strings. Anything else (anchors, tags, block scalars ``|``/``>``,
flow mappings, multi-document streams) is an error naming the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?")
_UNSUPPORTED = "|>&*!%@`"


class MiniYamlError(ValueError):
    """Text outside the supported subset; the message names the line."""


@dataclass
class _Line:
    number: int
    indent: int
    text: str


def _strip_comment(text: str) -> str:
    quote: str | None = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or text[i - 1] in " \t[,:-"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        body = _strip_comment(raw)
        if not body.strip():
            continue
        stripped = body.lstrip(" ")
        if stripped.startswith("\t"):
            raise MiniYamlError(f"line {number}: tabs are not allowed for indentation")
        if stripped in ("---", "...") or stripped.startswith("--- "):
            if out or stripped != "---":
                raise MiniYamlError(f"line {number}: only one document is supported")
            continue
        out.append(_Line(number, len(body) - len(stripped), stripped))
    return out


def _split_flow(inner: str, number: int) -> list[str]:
    items, current, quote = [], "", None
    for ch in inner:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[]{}":
            raise MiniYamlError(f"line {number}: nested flow collections are not supported")
        elif ch == ",":
            items.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip() or items:
        items.append(current.strip())
    return items


def scalar(text: str, number: int = 0) -> Any:
    """The value of a scalar (or flow sequence) written as ``text``."""
    text = text.strip()
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"'):
            raise MiniYamlError(f"line {number}: unterminated double-quoted string")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise MiniYamlError(f"line {number}: bad double-quoted string ({exc.msg})") from None
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            raise MiniYamlError(f"line {number}: unterminated single-quoted string")
        return text[1:-1].replace("''", "'")
    if text.startswith("["):
        if not text.endswith("]"):
            raise MiniYamlError(f"line {number}: a flow sequence must end on its line")
        return [scalar(item, number) for item in _split_flow(text[1:-1], number)]
    if text == "{}":
        return {}
    if text[:1] in _UNSUPPORTED or text.startswith("{"):
        raise MiniYamlError(
            f"line {number}: {text[:1]!r} (anchors, tags, block scalars, flow "
            "mappings) is outside the supported YAML subset"
        )
    return _plain(text)


def _plain(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("", "~", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _key_value(line: _Line) -> tuple[str, str] | None:
    """``(key, rest)`` when the line is ``key: rest`` (outside quotes), else None."""
    text, quote = line.text, None
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"" and i == 0:
            quote = ch
        elif ch == ":" and (i + 1 == len(text) or text[i + 1] == " "):
            key = scalar(text[:i], line.number)
            return str(key), text[i + 1 :].strip()
    return None


class _Parser:
    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.i = 0

    def node(self, indent: int) -> Any:
        line = self.lines[self.i]
        if line.text == "-" or line.text.startswith("- "):
            return self.sequence(line.indent)
        return self.mapping(line.indent)

    def _child(self, parent: _Line, allow_sequence_at_same_indent: bool) -> Any:
        """The block under ``parent`` (deeper, or a sequence at the same indentation)."""
        if self.i >= len(self.lines):
            return None
        nxt = self.lines[self.i]
        if nxt.indent > parent.indent:
            return self.node(nxt.indent)
        if (
            allow_sequence_at_same_indent
            and nxt.indent == parent.indent
            and (nxt.text == "-" or nxt.text.startswith("- "))
        ):
            return self.sequence(nxt.indent)
        return None

    def mapping(self, indent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.indent < indent:
                break
            if line.indent > indent:
                raise MiniYamlError(f"line {line.number}: unexpected indentation")
            pair = _key_value(line)
            if pair is None:
                raise MiniYamlError(f"line {line.number}: expected 'key: value'")
            key, rest = pair
            if key in out:
                raise MiniYamlError(f"line {line.number}: duplicate key {key!r}")
            self.i += 1
            out[key] = scalar(rest, line.number) if rest else self._child(line, True)
        return out

    def sequence(self, indent: int) -> list[Any]:
        out: list[Any] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.indent != indent or not (line.text == "-" or line.text.startswith("- ")):
                if line.indent > indent:
                    raise MiniYamlError(f"line {line.number}: unexpected indentation")
                break
            rest = line.text[1:].lstrip(" ")
            if not rest:
                self.i += 1
                out.append(self._child(line, False))
                continue
            # the item's content becomes a line of its own, at the column where it starts
            column = indent + len(line.text) - len(rest)
            self.lines[self.i] = _Line(line.number, column, rest)
            nested = rest == "-" or rest.startswith("- ") or _key_value(self.lines[self.i])
            if nested:
                out.append(self.node(column))
            else:
                self.i += 1
                out.append(scalar(rest, line.number))
        return out


def loads(text: str) -> Any:
    """The value of a YAML document in the supported subset (None for an empty one)."""
    lines = _lines(text)
    if not lines:
        return None
    parser = _Parser(lines)
    if len(lines) == 1 and _key_value(lines[0]) is None and not lines[0].text.startswith("-"):
        return scalar(lines[0].text, lines[0].number)
    value = parser.node(lines[0].indent)
    if parser.i < len(lines):
        raise MiniYamlError(f"line {lines[parser.i].number}: unexpected indentation")
    return value
