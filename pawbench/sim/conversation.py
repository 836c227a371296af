"""What a persona needs to know about a request: the offered tools, the last user message, and
what the assistant already did since that message (tool rounds, files written)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from pawbench.sim.tokens import message_text

PATH_KEYS = ("path", "file_path", "filepath", "filename", "file")


@dataclass(frozen=True)
class ToolSpec:
    """An offered tool: its name and the JSON Schema of its arguments."""

    name: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Conversation:
    """The parts of a chat request the personas look at."""

    last_user: str
    last_role: str
    rounds: int
    written_now: tuple[str, ...]
    written_before: tuple[str, ...]
    ran_command: bool
    tools: tuple[ToolSpec, ...]
    tool_choice: str

    def tool(self, name: str) -> ToolSpec | None:
        """The offered tool called ``name``."""
        return next((t for t in self.tools if t.name == name), None)

    @property
    def tool_names(self) -> list[str]:
        """Offered tool names, in request order."""
        return [t.name for t in self.tools]


def is_write_tool(name: str) -> bool:
    """Whether a tool name looks like one that writes a file."""
    low = name.lower()
    return "write" in low or low in ("create_file", "save_file", "edit_file")


def _tools(body: Mapping[str, Any]) -> tuple[ToolSpec, ...]:
    out: list[ToolSpec] = []
    for tool in body.get("tools") or []:
        fn = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            params = fn.get("parameters")
            out.append(ToolSpec(fn["name"], params if isinstance(params, dict) else {}))
    return tuple(out)


def _tool_choice(body: Mapping[str, Any]) -> str:
    """``auto``, ``none``, ``required``, or the name of the one function to call."""
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, dict):
        fn = choice.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            return str(fn["name"])
        return "auto"
    return choice if choice in ("none", "required") else "auto"


def _written_path(call: Any) -> tuple[str | None, bool]:
    """(the path a write-like call wrote, whether the call ran a command)."""
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict):
        return None, False
    name = str(fn.get("name", ""))
    if "command" in name or "shell" in name or "exec" in name:
        return None, True
    if not is_write_tool(name):
        return None, False
    try:
        args = orjson.loads(fn.get("arguments") or "{}")
    except orjson.JSONDecodeError:
        return None, False
    if not isinstance(args, dict):
        return None, False
    path = next((args[k] for k in PATH_KEYS if isinstance(args.get(k), str)), None)
    return path, False


def analyse(body: Mapping[str, Any]) -> Conversation:
    """Read a chat request (the parsed JSON body)."""
    messages: Sequence[Any] = body.get("messages") or []
    last_user_at = max(
        (i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == "user"),
        default=-1,
    )
    before: list[str] = []
    now: list[str] = []
    rounds = 0
    ran = False
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        calls = message.get("tool_calls") or []
        if calls and i > last_user_at:
            rounds += 1
        for call in calls:
            path, is_command = _written_path(call)
            ran = ran or (is_command and i > last_user_at)
            if path is not None:
                (now if i > last_user_at else before).append(path)
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    return Conversation(
        last_user=message_text(messages[last_user_at]) if last_user_at >= 0 else "",
        last_role=str(last.get("role", "user")),
        rounds=rounds,
        written_now=tuple(dict.fromkeys(now)),
        written_before=tuple(dict.fromkeys(before)),
        ran_command=ran,
        tools=_tools(body),
        tool_choice=_tool_choice(body),
    )
