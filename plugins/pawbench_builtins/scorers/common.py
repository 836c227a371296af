"""What the built-in scorers share: which turns count, a turn's scenario spec, tool-call checks
and keyword matching over the answer text or the parsed tool arguments."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pawbench.api import RequestRecord, SessionView, ToolCallRecord, Turn, TurnRecord

from .schema import validate

NOT_EVIDENCE = frozenset({"error", "timeout", "fixture_gap"})
"""Turn statuses that are never quality evidence: counted apart by the core, skipped here."""

Scope = Literal["text", "tool_args", "both"]


def parse_arguments(raw: str) -> dict[str, Any] | None:
    """Tool arguments as a JSON object; an empty string is ``{}`` (a tool without parameters);
    None when they are not a JSON object."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class CallCheck:
    """BFCL-style checks of one tool call against the tools its turn offered."""

    call: ToolCallRecord
    offered: bool
    args: dict[str, Any] | None
    schema_errors: tuple[str, ...]

    @property
    def valid_json(self) -> bool:
        """The arguments are a JSON object."""
        return self.args is not None

    @property
    def executable(self) -> bool:
        """The workspace could act on it: an offered tool with JSON-object arguments."""
        return self.offered and self.valid_json

    @property
    def schema_valid(self) -> bool:
        """Executable, and the arguments validate against the tool's JSON Schema."""
        return self.executable and not self.schema_errors

    @property
    def accurate(self) -> bool:
        """All checks pass (the combined per-call accuracy)."""
        return self.schema_valid


def check_call(view: SessionView, spec: Turn, call: ToolCallRecord) -> CallCheck:
    """Check one call: offered in the turn, valid JSON, valid against the schema."""
    tool = view.scenario.tool(call.name)
    offered = tool is not None and call.name in spec.tools
    args = parse_arguments(call.arguments)
    errors: tuple[str, ...] = ()
    if tool is not None and offered and args is not None:
        errors = tuple(validate(args, tool.function.parameters))
    return CallCheck(call, offered, args, errors)


@dataclass(frozen=True)
class TurnData:
    """One turn of a session with its scenario spec, its requests and its checked calls."""

    view: SessionView
    record: TurnRecord

    @property
    def spec(self) -> Turn:
        """The scenario turn this record answers."""
        return self.view.agent.turns[self.record.turn_index]

    @property
    def counted(self) -> bool:
        """Whether the turn is quality evidence (ok or failed)."""
        return self.record.status not in NOT_EVIDENCE

    @cached_property
    def requests(self) -> list[RequestRecord]:
        """The turn's requests, in order."""
        wanted = set(self.record.request_ids)
        return [r for r in self.view.requests if r.request_id in wanted]

    @cached_property
    def calls(self) -> list[CallCheck]:
        """Every tool call of the turn, checked."""
        return [check_call(self.view, self.spec, c) for c in self.record.tool_calls]

    @property
    def accurate_calls(self) -> list[CallCheck]:
        """The calls that pass every check: the ones that count as tool calls."""
        return [c for c in self.calls if c.accurate]

    @property
    def text(self) -> str:
        """Everything the model said in the turn (every request's content), else its final
        answer."""
        parts = [r.content for r in self.requests if r.content]
        return "\n".join(parts) if parts else self.record.final_text

    @property
    def args_text(self) -> str:
        """The parsed argument values of the executable calls, one per line."""
        return "\n".join(_strings(c.args) for c in self.calls if c.executable)

    def haystack(self, scope: Scope) -> str:
        """Where keywords are looked for, lower-cased: answer text, argument values or both."""
        parts = {"text": [self.text], "tool_args": [self.args_text]}
        chosen = parts.get(scope, [self.text, self.args_text])
        return "\n".join(chosen).lower()

    def found_fraction(self, terms: list[str], scope: Scope) -> float | None:
        """Share of ``terms`` found case-insensitively in ``scope``; None without terms."""
        wanted = [t for t in terms if t]
        if not wanted:
            return None
        hay = self.haystack(scope)
        return sum(t.lower() in hay for t in wanted) / len(wanted)

    @property
    def finish_reason(self) -> str | None:
        """The finish reason of the turn's last request."""
        return self.requests[-1].finish_reason if self.requests else None

    @property
    def completed(self) -> bool:
        """Ended with a final answer: status ok, non-empty, not cut at max_tokens."""
        return (
            self.record.status == "ok"
            and bool(self.record.final_text.strip())
            and self.finish_reason != "length"
        )


def turns(view: SessionView) -> list[TurnData]:
    """Every turn of the session whose index is a turn of the agent, in order."""
    size = len(view.agent.turns)
    return [TurnData(view, t) for t in view.turns if 0 <= t.turn_index < size]


def normalise_path(path: str) -> str:
    """A model-given path as the workspace stores it (``./a//b.py`` is ``a/b.py``)."""
    norm = posixpath.normpath(path.strip().replace("\\", "/"))
    return norm[2:] if norm.startswith("./") else norm


def _strings(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return json.dumps(value)
