"""Tool calls of the competent personas: which offered tools to call for a turn and with which
schema-valid arguments (paths, file contents with the expected terms, scripted commands)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import PurePosixPath
from typing import Any

import orjson

from pawbench.sim import artifacts
from pawbench.sim.conversation import Conversation, ToolSpec, is_write_tool
from pawbench.sim.oracle import TurnHint
from pawbench.sim.output import PlannedCall
from pawbench.sim.schema_args import instance

_CONTENT_KEYS = frozenset(
    ("content", "contents", "code", "text", "body", "source", "data", "patch", "new_content")
)
_COMMAND_KEYS = frozenset(("command", "cmd", "shell", "script"))
_PATH_KEYS = frozenset(("path", "file_path", "filepath", "filename", "file", "target", "dir"))
_MAX_CALLS = 6


@dataclass
class Task:
    """What a turn asks for, as far as the persona can tell."""

    prompt: str
    terms: list[str]
    hint: TurnHint | None

    @property
    def language(self) -> str | None:
        return self.hint.language if self.hint else None


def tool_names(conv: Conversation, task: Task) -> list[str]:
    """The tools to call this round, in order (empty: answer in text)."""
    offered = conv.tool_names
    if not offered or conv.tool_choice == "none":
        return []
    if conv.tool_choice not in ("auto", "required"):
        return [conv.tool_choice] if conv.tool_choice in offered else []
    hint = task.hint
    if hint is None:
        return [offered[0]]
    if not hint.wants_tools:
        return [offered[0]] if conv.tool_choice == "required" else []
    names = [n for n in hint.turn.expect.tool_name_any if n in offered][:1]
    names += [n for n in hint.call_tools if n in offered and n not in names]
    writer = next((n for n in offered if is_write_tool(n)), None)
    if hint.write_globs and writer is not None and writer not in names:
        names.append(writer)
    count = min(_MAX_CALLS, max(hint.turn.expect.tool_calls_min, len(names), 1))
    filler = names[0] if names else (writer or offered[0])
    names += [filler] * (count - len(names))
    return sorted(names, key=_phase)


def _phase(name: str) -> int:
    """Order of the calls of one round: look first, then write, then run."""
    low = name.lower()
    if "read" in low or "list" in low:
        return 0
    if is_write_tool(name):
        return 1
    return 3 if "command" in low or "run" in low or "shell" in low else 2


class ArgumentWriter:
    """Fills the string arguments of the calls of one round."""

    def __init__(self, conv: Conversation, task: Task) -> None:
        self.conv = conv
        self.task = task
        hint = task.hint
        self._files = dict(hint.files) if hint else {}
        self._write_paths = _write_paths(task, self._files, conv.written_before)
        self._uses: dict[str, int] = {}
        known = [*self._write_paths, *conv.written_before, *self._files]
        self._modules = {PurePosixPath(p).stem for p in known if p.endswith(".py")}

    def _next(self, kind: str, options: list[str]) -> str:
        n = self._uses.get(kind, 0)
        self._uses[kind] = n + 1
        return options[n % len(options)]

    def path_for(self, tool: str) -> str:
        """A path for a write (next planned file) or a read (a fixture the prompt names)."""
        if is_write_tool(tool):
            return self._next("write", self._write_paths)
        if "list" in tool.lower() or "dir" in tool.lower():
            return "."
        mentioned = artifacts.mentioned_files(self.task.prompt)
        existing = [*self._files, *self.conv.written_before]
        reads = [p for p in mentioned if p in existing] + existing + mentioned + ["README.md"]
        return self._next("read", list(dict.fromkeys(reads)))

    def command(self, tool: str) -> str:
        """A command the scripted workspace can answer (a fixture's match; those the prompt
        names first), else the tests."""
        hint = self.task.hint
        scripted = [c.match for c in hint.commands if c.tool == tool and c.match] if hint else []
        scripted.sort(key=lambda match: match not in self.task.prompt)
        return self._next("command", list(dict.fromkeys(scripted)) or ["pytest -q"])

    def content(self, path: str) -> str:
        """The file content: code that mentions every term of this turn, and those of the
        agent's earlier turns (a rewrite keeps the earlier work)."""
        title = artifacts.title_of(self.task.prompt)
        earlier = list(self.task.hint.earlier_terms) if self.task.hint else []
        return artifacts.file_content(path, title, [*self.task.terms, *earlier], self._modules)

    def text(self, tool: str) -> str:
        """Any other string: a scripted match for this tool if any, else the terms."""
        hint = self.task.hint
        scripted = [c.match for c in hint.commands if c.tool == tool and c.match] if hint else []
        words = " ".join(self.task.terms) or artifacts.title_of(self.task.prompt)
        return f"{scripted[0]} {words}".strip() if scripted else words

    def arguments(self, spec: ToolSpec) -> dict[str, Any] | Any:
        """Schema-valid arguments for one call of ``spec``."""
        state: dict[str, str] = {}

        def strings(key: str, schema: Mapping[str, Any]) -> str:
            low = key.lower()
            if low in _PATH_KEYS:
                state.setdefault("path", self.path_for(spec.name))
                return state["path"]
            if low in _CONTENT_KEYS:
                state.setdefault("path", self.path_for(spec.name))
                return self.content(state["path"])
            if low in _COMMAND_KEYS:
                return self.command(spec.name)
            return self.text(spec.name)

        return instance(_ordered(spec.parameters), strings)


def _write_paths(task: Task, fixtures: Mapping[str, str], written: tuple[str, ...]) -> list[str]:
    """Files to write, in order: for each write_file glob the named, earlier written or existing
    files that match it (else a path made from the glob), then files the prompt names, then
    files written in earlier turns, then defaults."""
    mentioned = artifacts.mentioned_files(task.prompt)
    ext = artifacts.extension(task.language)
    known = [*mentioned, *written, *(p for p in fixtures if p.endswith(ext))]
    paths: list[str] = []
    for glob in task.hint.write_globs if task.hint else ():
        matching = [p for p in known if fnmatch(p, glob)]
        paths += matching or [artifacts.glob_to_path(glob, "app")]
    paths += [*mentioned, *written, *artifacts.default_paths(task.language)]
    return list(dict.fromkeys(paths))


def _ordered(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema with path-like required keys first, so a content key sees its path."""
    required = schema.get("required")
    if not isinstance(required, list):
        return schema
    ranked = sorted(required, key=lambda k: 0 if str(k).lower() in _PATH_KEYS else 1)
    return {**schema, "required": ranked}


def call_id(rng: random.Random) -> str:
    """An OpenAI-style tool call id, from the seeded generator."""
    return f"call_{rng.getrandbits(96):024x}"


def plan_calls(conv: Conversation, task: Task, rng: random.Random) -> tuple[PlannedCall, ...]:
    """The calls the competent persona makes this round."""
    writer = ArgumentWriter(conv, task)
    calls: list[PlannedCall] = []
    for name in tool_names(conv, task):
        spec = conv.tool(name)
        if spec is None:
            continue
        args = orjson.dumps(writer.arguments(spec)).decode()
        calls.append(PlannedCall(call_id(rng), name, args))
    return tuple(calls)
