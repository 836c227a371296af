"""The status block that ends an agent's answer, parsed and checked.

::

    STATUS: done
    FILES_CREATED: a.py, b.py
    FILES_MODIFIED: none
    TESTS: pass
    BUILD: ok
    LEARNED: <one line>

The block starts at the last line whose first word is ``STATUS:`` and runs over the following
``KEY: value`` lines (keys in capitals, one field per line). Seven checks, each worth 1/7:
``STATUS`` is done, partial or blocked; ``FILES_CREATED`` and ``FILES_MODIFIED`` are ``none``
or comma-separated paths without spaces; ``TESTS`` is pass, fail or not run; ``BUILD`` is ok,
fail or not run; ``LEARNED`` is a non-empty line (not the ``<one line>`` placeholder); and the
block ends the answer (only blank lines or a closing code fence after it). Values are compared
case-insensitively; keys are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

FIELDS = ("STATUS", "FILES_CREATED", "FILES_MODIFIED", "TESTS", "BUILD", "LEARNED")
CHECKS = len(FIELDS) + 1

_KEY_LINE = re.compile(r"^\s*([A-Z][A-Z_]*):(.*)$")
_STATUS_LINE = re.compile(r"^\s*STATUS:")
_PATH = re.compile(r"^\S+$")


def _paths(value: str) -> bool:
    if value.lower() == "none":
        return True
    items = [item.strip() for item in value.split(",")]
    return all(_PATH.match(item) for item in items)


def _one_of(*allowed: str) -> Callable[[str], bool]:
    return lambda value: value.lower() in allowed


ACCEPTED: dict[str, Callable[[str], bool]] = {
    "STATUS": _one_of("done", "partial", "blocked"),
    "FILES_CREATED": _paths,
    "FILES_MODIFIED": _paths,
    "TESTS": _one_of("pass", "fail", "not run"),
    "BUILD": _one_of("ok", "fail", "not run"),
    "LEARNED": lambda value: bool(value) and value.lower() != "<one line>",
}


@dataclass(frozen=True)
class StatusBlock:
    """A parsed block: its fields, the lines it spans and whether it ends the answer."""

    fields: dict[str, str]
    start: int
    end: int
    at_end: bool

    def checks(self) -> dict[str, bool]:
        """Each of the seven checks, by name (the six fields and ``at_end``)."""
        found = {k: k in self.fields and ACCEPTED[k](self.fields[k]) for k in FIELDS}
        found["at_end"] = self.at_end
        return found

    def compliance(self) -> float:
        """Share of the seven checks passed."""
        return sum(self.checks().values()) / CHECKS


def parse(text: str) -> StatusBlock | None:
    """The status block of an answer, or None when no line starts with ``STATUS:``."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _STATUS_LINE.match(line)]
    if not starts:
        return None
    start = end = starts[-1]
    fields: dict[str, str] = {}
    while end < len(lines):
        match = _KEY_LINE.match(lines[end])
        if match is None:
            break
        fields.setdefault(match.group(1), match.group(2).strip())
        end += 1
    rest = [line.strip() for line in lines[end:]]
    at_end = all(line in ("", "```") for line in rest)
    return StatusBlock(fields, start, end, at_end)


def compliance(text: str) -> float:
    """Format compliance of an answer: 0 without a block, else the share of checks passed."""
    block = parse(text)
    return block.compliance() if block is not None else 0.0
