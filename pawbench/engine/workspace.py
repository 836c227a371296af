"""The confined tool workspace of one agent session. Nothing the model writes is executed.

Standard tools: ``write_file{path, content}`` stores into a virtual file tree;
``read_file{path}`` returns a written file, a file shared by another agent (orchestration
shapes), or a fixture file; ``run_command{command}`` returns the scripted output of the first
matching fixture; ``list_files{path}`` lists what read_file can see. Any other tool the scenario
defines answers from scripted results with that tool's name. When no fixture can give the model
what it needs, the result says so and is marked as a fixture gap (a gap in the benchmark, not a
model failure).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

import orjson

from pawbench.models.records import ToolCallRecord, ToolResultRecord
from pawbench.models.scenario import Agent, Fixtures, Scenario, ScriptedResult, Turn

MAX_FILE_BYTES = 1_000_000


class PathRejected(ValueError):
    """A path that would leave the workspace."""


def confine(path: str) -> str:
    """Normalise a model-given path inside the workspace, or raise PathRejected."""
    raw = path.strip().replace("\\", "/")
    if not raw or "\x00" in raw:
        raise PathRejected("empty or invalid path")
    if raw.startswith("/") or raw.startswith("~") or (len(raw) > 1 and raw[1] == ":"):
        raise PathRejected(f"absolute path {path!r} is outside the workspace")
    norm = posixpath.normpath(raw)
    if norm == ".." or norm.startswith("../"):
        raise PathRejected(f"path {path!r} escapes the workspace")
    if norm == ".":
        raise PathRejected("a directory is not a file")
    return norm


@dataclass
class Outcome:
    """A tool result before it becomes a record."""

    output: str
    ok: bool = True
    fixture_gap: bool = False
    rejected_path: str | None = None


@dataclass
class Workspace:
    """Virtual files and fixtures of one agent session."""

    scenario: Scenario
    agent: Agent
    files: dict[str, str] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    shared: dict[str, str] = field(default_factory=dict)  # other agents' files, read-only

    def _fixture_sets(self) -> list[Fixtures]:
        return [self.agent.fixtures, self.scenario.fixtures]

    def _fixture_file(self, path: str) -> str | None:
        for fixtures in self._fixture_sets():
            for name, content in fixtures.files.items():
                if posixpath.normpath(name.lstrip("/")) == path:
                    return content
        return None

    def _scripted(self, turn: Turn, tool: str, subject: str) -> ScriptedResult | None:
        candidates = [*turn.scripted_results()]
        for fixtures in self._fixture_sets():
            candidates.extend(fixtures.commands)
        for scripted in candidates:
            if scripted.tool == tool and scripted.match in subject:
                return scripted
        return None

    def call(self, call: ToolCallRecord, turn: Turn) -> ToolResultRecord:
        """Answer one tool call (exactly one result per call)."""
        outcome = self._dispatch(call, turn)
        if outcome.rejected_path is not None:
            self.rejected.append(outcome.rejected_path)
        return ToolResultRecord(
            tool_call_id=call.id,
            name=call.name,
            ok=outcome.ok,
            fixture_gap=outcome.fixture_gap,
            rejected_path=outcome.rejected_path,
            output=outcome.output,
        )

    def _dispatch(self, call: ToolCallRecord, turn: Turn) -> Outcome:
        if call.name not in turn.tools:
            offered = ", ".join(turn.tools) or "none"
            return Outcome(f"error: unknown tool {call.name!r} (offered: {offered})", ok=False)
        if not call.valid_json:
            return Outcome("error: the tool arguments are not valid JSON", ok=False)
        args = _arguments(call.arguments)
        if args is None:
            return Outcome("error: the tool arguments must be a JSON object", ok=False)
        handler = {
            "write_file": self._write_file,
            "read_file": self._read_file,
            "run_command": self._run_command,
            "list_files": self._list_files,
        }.get(call.name)
        if handler is not None:
            return handler(args, turn)
        return self._custom(call.name, args, turn)

    def _path_arg(self, args: dict[str, Any]) -> tuple[str | None, Outcome | None]:
        path = args.get("path")
        if not isinstance(path, str):
            return None, Outcome("error: 'path' must be a string", ok=False)
        try:
            return confine(path), None
        except PathRejected as exc:
            return None, Outcome(f"error: {exc}", ok=False, rejected_path=path)

    def _write_file(self, args: dict[str, Any], turn: Turn) -> Outcome:
        path, problem = self._path_arg(args)
        if problem is not None or path is None:
            return problem or Outcome("error: no path", ok=False)
        content = args.get("content")
        if not isinstance(content, str):
            return Outcome("error: 'content' must be a string", ok=False)
        if len(content.encode()) > MAX_FILE_BYTES:
            return Outcome(f"error: file larger than {MAX_FILE_BYTES} bytes", ok=False)
        existed = path in self.files
        self.files[path] = content
        verb = "updated" if existed else "created"
        return Outcome(f"{verb} {path} ({len(content)} characters)")

    def _read_file(self, args: dict[str, Any], turn: Turn) -> Outcome:
        path, problem = self._path_arg(args)
        if problem is not None or path is None:
            return problem or Outcome("error: no path", ok=False)
        if path in self.files:
            return Outcome(self.files[path])
        if path in self.shared:
            return Outcome(self.shared[path])
        fixture = self._fixture_file(path)
        if fixture is not None:
            return Outcome(fixture)
        scripted = self._scripted(turn, "read_file", path)
        if scripted is not None:
            return Outcome(scripted.output, ok=scripted.exit_code == 0)
        return _gap(f"no such file in the benchmark fixtures: {path}")

    def _run_command(self, args: dict[str, Any], turn: Turn) -> Outcome:
        command = args.get("command")
        if not isinstance(command, str) or not command.strip():
            return Outcome("error: 'command' must be a non-empty string", ok=False)
        scripted = self._scripted(turn, "run_command", command)
        if scripted is not None:
            return Outcome(
                f"{scripted.output}\n[exit code {scripted.exit_code}]", ok=scripted.exit_code == 0
            )
        if turn.inject_tool_results is True:
            return Outcome("[exit code 0]")
        return _gap(f"the benchmark has no scripted output for: {command}")

    def _list_files(self, args: dict[str, Any], turn: Turn) -> Outcome:
        raw = args.get("path", ".")
        base = "." if raw in (None, "", ".", "./") else raw
        if not isinstance(base, str):
            return Outcome("error: 'path' must be a string", ok=False)
        if base != ".":
            try:
                base = confine(base)
            except PathRejected as exc:
                return Outcome(f"error: {exc}", ok=False, rejected_path=str(raw))
        names = set(self.files) | set(self.shared)
        for fixtures in self._fixture_sets():
            names.update(posixpath.normpath(n.lstrip("/")) for n in fixtures.files)
        prefix = "" if base == "." else base.rstrip("/") + "/"
        found = sorted(n for n in names if n.startswith(prefix))
        return Outcome("\n".join(found) if found else "(no files)")

    def _custom(self, tool: str, args: dict[str, Any], turn: Turn) -> Outcome:
        subject = orjson.dumps(args, option=orjson.OPT_SORT_KEYS).decode()
        scripted = self._scripted(turn, tool, subject)
        if scripted is not None:
            return Outcome(scripted.output, ok=scripted.exit_code == 0)
        if turn.inject_tool_results is True:
            return Outcome("ok")
        return _gap(f"the benchmark has no scripted result for tool {tool!r}")


def _gap(message: str) -> Outcome:
    return Outcome(f"error: {message}", ok=False, fixture_gap=True)


def _arguments(raw: str) -> dict[str, Any] | None:
    if not raw.strip():
        return {}
    value = orjson.loads(raw)
    return value if isinstance(value, dict) else None
