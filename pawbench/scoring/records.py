"""Session views read back from a run's ``requests.jsonl``, for scoring a run after the fact
(verification over saved runs, re-scoring with other weights)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import orjson

from pawbench.components import SessionView
from pawbench.models.records import RequestRecord, SessionRecord, TurnRecord
from pawbench.models.scenario import Scenario


def load_views(path: Path, scenarios: Sequence[Scenario]) -> list[SessionView]:
    """One view per session of the JSONL file whose scenario is given and has its agent
    (sessions of other scenarios, or of agents a shape made up, are left out)."""
    requests: dict[str, list[RequestRecord]] = defaultdict(list)
    turns: dict[str, list[TurnRecord]] = defaultdict(list)
    sessions: list[SessionRecord] = []
    for line in path.read_bytes().splitlines():
        if not line.strip():
            continue
        data = orjson.loads(line)
        kind = data.get("record")
        if kind == "request":
            requests[data["session_id"]].append(RequestRecord.model_validate(data))
        elif kind == "turn":
            turns[data["session_id"]].append(TurnRecord.model_validate(data))
        elif kind == "session":
            sessions.append(SessionRecord.model_validate(data))
    by_id = {s.id: s for s in scenarios}
    views = []
    for session in sessions:
        scenario = by_id.get(session.scenario_id)
        agents = {a.id: a for a in scenario.agents} if scenario is not None else {}
        agent = agents.get(session.agent_id)
        if scenario is None or agent is None:
            continue
        sid = session.session_id
        views.append(SessionView(scenario, agent, session, turns[sid], requests[sid]))
    return views
