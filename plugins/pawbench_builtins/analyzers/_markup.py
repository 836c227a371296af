"""Parse checks of data and markup files: JSON (orjson), TOML (tomllib), HTML (html.parser)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import orjson

# fmt: off
VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
OPTIONAL_END = frozenset({
    "html", "head", "body", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp",
})
# fmt: on
# An element that a start tag of the same family closes implicitly (``<li>`` after ``<li>``).
SIBLINGS = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "tr": {"tr", "td", "th"},
    "option": {"option"},
    "p": {"p"},
}


@dataclass
class ParseCheck:
    """Whether a text parses, the problems found, and its nesting depth (None: not measured)."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    depth: int | None = None


def check_json(text: str) -> ParseCheck:
    """Parse with orjson; depth = deepest container nesting."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return ParseCheck(False, [f"invalid JSON: {exc}"[:300]])
    return ParseCheck(True, depth=_json_depth(value))


def _json_depth(value: Any) -> int:
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict):
            todo.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, depth + 1) for v in item)
        deepest = max(deepest, depth)
    return deepest


def check_toml(text: str) -> ParseCheck:
    """Parse with the standard library's tomllib."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ParseCheck(False, [f"invalid TOML: {exc}"[:300]])
    return ParseCheck(True)


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.depth = 0
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        if self.stack and self.stack[-1][0] in SIBLINGS.get(tag, set()):
            self.stack.pop()
        self.stack.append((tag, self.getpos()[0]))
        self.depth = max(self.depth, len(self.stack))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for inner, line in self.stack[index + 1 :]:
                    if inner not in OPTIONAL_END:
                        self.problems.append(
                            f"<{inner}> of line {line} is not closed before </{tag}>"
                        )
                del self.stack[index:]
                return
        self.problems.append(f"</{tag}> on line {self.getpos()[0]} closes no open element")

    def finish(self) -> None:
        self.close()
        for tag, line in self.stack:
            if tag not in OPTIONAL_END:
                self.problems.append(f"<{tag}> of line {line} is never closed")


def check_html(text: str) -> ParseCheck:
    """Tag balance with the standard library's html.parser: void elements need no end tag,
    elements whose end tag HTML makes optional (``p``, ``li``, ``td``…) may stay open.
    Depth = deepest element nesting."""
    parser = _Balance()
    try:
        parser.feed(text)
        parser.finish()
    except Exception as exc:  # html.parser is lenient; anything it still raises is a failure
        return ParseCheck(False, [f"html.parser failed: {type(exc).__name__}"])
    return ParseCheck(not parser.problems, parser.problems[:20], parser.depth)
