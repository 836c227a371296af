"""Context tiers: how much code the prompts carry.

- ``standard``: prompts as the scenario wrote them.
- ``manifest-only``: fenced code blocks are removed from every turn's prompt and stored as
  readable files under ``context/``; the agent's first turn gets a manifest (paths, sizes,
  top-level symbols) of every file it may read, and ``read_file`` is offered on every turn, so
  the model must fetch what it needs. How much it read is measured from the records.
"""

from __future__ import annotations

import re
from typing import Any

from pawbench.engine.orchestration import manifest
from pawbench.errors import UsageError
from pawbench.models.records import TurnRecord
from pawbench.models.scenario import Agent, Scenario, Turn

CONTEXT_TIERS = ("standard", "manifest-only")
_FENCE = re.compile(r"```([\w+.-]*)[^\n]*\n(.*?)```", re.DOTALL)
_EXT = {
    "python": "py",
    "py": "py",
    "typescript": "ts",
    "ts": "ts",
    "tsx": "tsx",
    "javascript": "js",
    "js": "js",
    "json": "json",
    "html": "html",
    "css": "css",
    "bash": "sh",
    "sh": "sh",
    "shell": "sh",
    "text": "txt",
    "csv": "csv",
    "tsv": "tsv",
}


def apply_context_tier(scenario: Scenario, tier: str) -> Scenario:
    """The scenario as seen under a context tier."""
    if tier == "standard":
        return scenario
    if tier != "manifest-only":
        raise UsageError(f"unknown context tier {tier!r} (available: {', '.join(CONTEXT_TIERS)})")
    if scenario.tool("read_file") is None:
        raise UsageError(f"{scenario.id}: manifest-only needs a read_file tool in tools_schema")
    return scenario.model_copy(update={"agents": [_agent(scenario, a) for a in scenario.agents]})


def _agent(scenario: Scenario, agent: Agent) -> Agent:
    moved: dict[str, str] = {}
    turns = [_strip(agent.id, i, t, moved) for i, t in enumerate(agent.turns)]
    files = {**agent.fixtures.files, **moved}
    readable = {**scenario.fixtures.files, **files}
    listing = (
        "Files you can read with read_file (code is not pasted in prompts; fetch what you "
        f"need):\n{manifest(readable)}"
    )
    turns[0] = turns[0].model_copy(update={"content": f"{listing}\n\n{turns[0].content}"})
    fixtures = agent.fixtures.model_copy(update={"files": files})
    return agent.model_copy(update={"turns": turns, "fixtures": fixtures})


def _strip(agent_id: str, index: int, turn: Turn, moved: dict[str, str]) -> Turn:
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        ext = _EXT.get(match.group(1).lower(), "txt")
        path = f"context/{agent_id}/turn{index + 1}_{count}.{ext}"
        moved[path] = match.group(2)
        return f"(code moved to {path}; read it with read_file)"

    content = _FENCE.sub(replace, turn.content)
    tools = turn.tools if "read_file" in turn.tools else [*turn.tools, "read_file"]
    return turn.model_copy(update={"content": content, "tools": tools})


def reads(turns: list[TurnRecord]) -> dict[str, Any]:
    """How much the model read: read_file calls, successful reads and characters returned."""
    results = [r for t in turns for r in t.tool_results if r.name == "read_file"]
    ok = [r for r in results if r.ok]
    return {
        "read_file_calls": len(results),
        "reads_ok": len(ok),
        "chars_read": sum(len(r.output) for r in ok),
    }
