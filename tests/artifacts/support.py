"""Helpers for the artifact-quality tests: sessions from hand-made file sets, and a plugin host
holding only the built-in analyzers (plus any test plugin)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata
from typing import Any

from pawbench.models.records import SessionRecord, TurnStatus
from pawbench.plugins import PluginHost


def session(
    files: Mapping[str, str],
    *,
    session_id: str = "s1",
    scenario_id: str = "sc",
    level: int = 1,
    status: TurnStatus = "ok",
) -> SessionRecord:
    """A finished session that wrote ``files``."""
    return SessionRecord(
        session_id=session_id,
        scenario_id=scenario_id,
        agent_id="agent",
        level=level,
        status=status,
        turns=1,
        files=dict(files),
        t_start_ns=0,
        t_end_ns=1,
    )


def analyzer_host(*plugins: tuple[str, object]) -> PluginHost:
    """A host with the installed built-in analyzers and the given (name, plugin) objects."""
    builtins = [
        ep for ep in metadata.entry_points(group="pawbench") if ep.name.startswith("analyzer-")
    ]
    host = PluginHost(entry_points=builtins)
    for name, plugin in plugins:
        host.register(plugin, name, "pawbench-tests", "0")
    return host


def file_row(block: dict[str, Any], path: str, session_id: str = "s1") -> dict[str, Any]:
    """The block's row of one file of one session."""
    (row,) = [s for s in block["sessions"] if s["session_id"] == session_id]
    found: list[dict[str, Any]] = [f for f in row["files"] if f["path"] == path]
    assert len(found) == 1, found
    return found[0]
