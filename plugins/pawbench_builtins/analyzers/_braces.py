"""Bracket balance and brace nesting of C-like text (JavaScript, TypeScript, CSS, Go, Java, C).

A light scanner, not a parser. It skips string literals, template literals (``${…}`` nested),
``//`` and ``/* */`` comments and, where enabled, regular-expression literals, then checks that
``()[]{}`` pair up. Known limits (docs/artifact-quality.md): a ``/`` is a regex start only after
an operator, an opening bracket, a comma or semicolon, or a keyword such as ``return``; a quote
or a ``/`` with no closing partner on its line is read as a lone character (an apostrophe in
JSX text, a division); it does not know any other syntax, so a balanced file may still not parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OPEN = {"(": ")", "[": "]", "{": "}"}
CLOSE = {v: k for k, v in OPEN.items()}
REGEX_AFTER = set("(,=:[!&|?{};+-*%~^") | {""}
# fmt: off
REGEX_KEYWORDS = frozenset({
    "return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await", "delete",
    "throw", "new", "instanceof",
})
# fmt: on


@dataclass
class BraceScan:
    """Result of a scan: the deepest ``{`` nesting and the balance problems found."""

    max_depth: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _State:
    text: str
    comments: bool
    regex: bool
    i: int = 0
    line: int = 1
    stack: list[tuple[str, int]] = field(default_factory=list)
    scan: BraceScan = field(default_factory=BraceScan)
    prev: int = -1  # index of the last significant code character


def scan_braces(text: str, *, line_comments: bool = True, regex: bool = True) -> BraceScan:
    """Scan ``text``; ``line_comments``: ``//`` starts a comment; ``regex``: JS regex literals."""
    st = _State(text, line_comments, regex)
    _code(st, template_depth=None)
    for opener, line in st.stack:
        st.scan.problems.append(_unclosed(opener, line))
    return st.scan


def _unclosed(opener: str, line: int) -> str:
    what = "template expression" if opener == "${" else repr(opener)
    return f"{what} opened on line {line} is never closed"


def _code(st: _State, template_depth: int | None) -> None:
    """Scan code until the end, or until the ``}`` closing a template expression."""
    text = st.text
    while st.i < len(text):
        ch = text[st.i]
        if ch == "\n":
            st.line += 1
        elif ch in "\"'":
            _quoted(st, ch)
            continue
        elif ch == "`":
            _template(st)
            continue
        elif ch == "/" and _slash(st):
            continue
        elif ch in OPEN:
            st.stack.append((ch, st.line))
            st.scan.max_depth = max(st.scan.max_depth, sum(1 for o, _ in st.stack if o == "{"))
        elif ch in CLOSE:
            if template_depth is not None and ch == "}" and len(st.stack) == template_depth:
                st.stack.pop()
                st.i += 1
                return
            _close(st, ch)
        if not ch.isspace():
            st.prev = st.i
        st.i += 1


def _close(st: _State, ch: str) -> None:
    if st.stack and st.stack[-1][0] == CLOSE[ch]:
        st.stack.pop()
        return
    if st.stack:
        opener, line = st.stack[-1]
        st.scan.problems.append(
            f"{ch!r} on line {st.line} does not match {opener!r} of line {line}"
        )
        if opener != "${":  # the template expression's own ``}`` still ends it
            st.stack.pop()
    else:
        st.scan.problems.append(f"{ch!r} on line {st.line} closes nothing")


def _quoted(st: _State, quote: str) -> None:
    """Skip a quoted string. A quote with no closing quote on its line is read as a stray
    character (an apostrophe in JSX text), and scanning goes on right after it."""
    text, i = st.text, st.i + 1
    while i < len(text) and text[i] not in (quote, "\n"):
        i += 2 if text[i] == "\\" else 1
    st.prev = st.i
    st.i = i + 1 if i < len(text) and text[i] == quote else st.i + 1


def _template(st: _State) -> None:
    """Skip a template literal, scanning each ``${…}`` inside it as code."""
    text = st.text
    start_line = st.line
    st.i += 1
    while st.i < len(text):
        ch = text[st.i]
        if ch == "\\":
            st.i += 2
            continue
        if ch == "`":
            st.prev = st.i
            st.i += 1
            return
        if ch == "\n":
            st.line += 1
        if text.startswith("${", st.i):
            st.stack.append(("${", st.line))
            st.i += 2
            _code(st, template_depth=len(st.stack))
            continue
        st.i += 1
    st.scan.problems.append(f"template literal opened on line {start_line} is never closed")


def _slash(st: _State) -> bool:
    """Handle a ``/`` that starts a comment or a regex literal; False for a division."""
    text, i = st.text, st.i
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt == "*":
        end = text.find("*/", i + 2)
        if end < 0:
            st.scan.problems.append(f"comment opened on line {st.line} is never closed")
            end = len(text) - 2
        st.line += text.count("\n", i, end)
        st.i = end + 2
        return True
    if nxt == "/" and st.comments:
        end = text.find("\n", i)
        st.i = len(text) if end < 0 else end
        return True
    if st.regex and _regex_allowed(st):
        _skip_regex(st)
        return True
    return False


def _regex_allowed(st: _State) -> bool:
    if st.prev < 0:
        return True
    prev = st.text[st.prev]
    if prev == "<":  # ``</tag>`` in JSX, never a regex
        return False
    if prev in REGEX_AFTER:
        return True
    start = st.prev
    while start > 0 and (st.text[start - 1].isalnum() or st.text[start - 1] in "_$"):
        start -= 1
    return st.text[start : st.prev + 1] in REGEX_KEYWORDS


def _skip_regex(st: _State) -> None:
    """Skip ``/…/``: to the first unescaped ``/`` outside a ``[…]`` class on the same line; with
    none, the ``/`` was a division after all and scanning goes on right after it."""
    text, i, in_class = st.text, st.i + 1, False
    while i < len(text) and text[i] != "\n":
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            break
        i += 1
    st.prev = st.i
    st.i = i + 1 if i < len(text) and text[i] == "/" else st.i + 1
