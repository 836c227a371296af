"""Hand-made records for scorer unit tests: a small scenario and a view built from steps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pawbench.api import (
    RequestRecord,
    Scenario,
    Score,
    SessionRecord,
    SessionView,
    ToolCallRecord,
    TurnRecord,
)
from pawbench.models.records import TurnStatus

STATUS = (
    "STATUS: done\nFILES_CREATED: app.py\nFILES_MODIFIED: none\nTESTS: pass\nBUILD: ok\n"
    "LEARNED: greet takes a name"
)


def _tool(name: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            },
        },
    }


STRING = {"type": "string"}
TOOLS = [
    _tool("write_file", {"path": STRING, "content": STRING}, ["path", "content"]),
    _tool("read_file", {"path": STRING}, ["path"]),
    _tool("run_command", {"command": STRING}, ["command"]),
    _tool("set_port", {"port": {"type": "integer", "minimum": 1}}, ["port"]),
]
ALL = ["write_file", "read_file", "run_command", "set_port"]


def scenario(*turns: dict[str, Any], tier: str | None = None) -> Scenario:
    """A one-agent scenario (agent ``dev``) with the four test tools and the given turns
    (``tools`` defaults to all four)."""
    return Scenario.model_validate(
        {
            "id": "unit",
            "name": "unit",
            "tier": tier,
            "tools_schema": TOOLS,
            "agents": [
                {
                    "id": "dev",
                    "name": "Python developer",
                    "turns": [{"content": "do it", "tools": ALL, **t} for t in turns],
                }
            ],
        }
    )


def call(name: str, args: dict[str, Any] | str, call_id: str | None = None) -> ToolCallRecord:
    """A tool call; ``args`` as a dict is serialised, as a string sent as is."""
    raw = args if isinstance(args, str) else json.dumps(args)
    try:
        valid = raw.strip() == "" or isinstance(json.loads(raw), dict)
    except ValueError:
        valid = False
    return ToolCallRecord(
        id=call_id or f"call_{name}_{abs(hash(raw)) % 10**6}",
        name=name,
        arguments=raw,
        valid_json=valid,
    )


@dataclass
class Step:
    """One model request of a turn: its text, its calls and its usage."""

    content: str = ""
    calls: list[ToolCallRecord] = field(default_factory=list)
    finish_reason: str | None = None
    completion_tokens: int | None = 100
    reasoning_tokens: int | None = None
    prompt_tokens: int | None = 1000


@dataclass
class TurnSpec:
    """A turn as it ran: its steps, and a status (default: ok, failed when it did not end with
    a non-empty, untruncated text answer)."""

    steps: list[Step]
    status: TurnStatus | None = None
    index: int | None = None
    seconds: float = 2.0


def _status(spec: TurnSpec) -> TurnStatus:
    if spec.status is not None:
        return spec.status
    last = spec.steps[-1] if spec.steps else None
    if last is None or last.calls or not last.content.strip() or last.finish_reason == "length":
        return "failed"
    return "ok"


def view(
    scn: Scenario,
    *turns: TurnSpec,
    session_id: str = "unit-c1-s0",
    level: int = 1,
    shape: str | None = None,
) -> SessionView:
    """A session of agent ``dev`` with these turns (index = position unless given)."""
    agent = scn.agents[0]
    requests: list[RequestRecord] = []
    records: list[TurnRecord] = []
    t = 0
    for position, spec in enumerate(turns):
        index = position if spec.index is None else spec.index
        ids = []
        for n, step in enumerate(spec.steps):
            rid = f"{session_id}-t{index}-r{n}"
            ids.append(rid)
            requests.append(_request(scn, agent.id, session_id, level, index, n, rid, step))
        last = spec.steps[-1] if spec.steps else None
        final = last.content if last is not None and not last.calls else ""
        event = agent.turns[index].event
        start = t
        t += int(spec.seconds * 1e9)
        records.append(
            TurnRecord(
                session_id=session_id,
                scenario_id=scn.id,
                agent_id=agent.id,
                level=level,
                turn_index=index,
                event=event.kind if event else None,
                user_message=agent.turns[index].content,
                status=_status(spec),
                steps=len(spec.steps),
                request_ids=ids,
                final_text=final,
                tool_calls=[c for s in spec.steps for c in s.calls],
                shape=shape,
                t_start_ns=start,
                t_end_ns=t,
            )
        )
    session = SessionRecord(
        session_id=session_id,
        scenario_id=scn.id,
        agent_id=agent.id,
        level=level,
        status="ok",
        turns=len(records),
        shape=shape,
        t_start_ns=0,
        t_end_ns=t,
    )
    return SessionView(scn, agent, session, records, requests)


def _request(
    scn: Scenario,
    agent_id: str,
    session_id: str,
    level: int,
    index: int,
    step: int,
    rid: str,
    s: Step,
) -> RequestRecord:
    return RequestRecord(
        request_id=rid,
        session_id=session_id,
        scenario_id=scn.id,
        agent_id=agent_id,
        level=level,
        turn_index=index,
        step=step,
        status="ok",
        t_sent_ns=0,
        t_end_ns=1,
        e2e_ms=1.0,
        prompt_tokens=s.prompt_tokens,
        completion_tokens=s.completion_tokens,
        reasoning_tokens=s.reasoning_tokens,
        finish_reason=s.finish_reason or ("tool_calls" if s.calls else "stop"),
        content=s.content,
        tool_calls=s.calls,
    )


def by_metric(scores: list[Score], turn_index: int | None = 0) -> dict[str, list[float]]:
    """Values per metric for one turn (None: session-level scores)."""
    out: dict[str, list[float]] = {}
    for s in scores:
        if s.turn_index == turn_index:
            out.setdefault(s.metric, []).append(s.value)
    return out


def one(scores: list[Score], turn_index: int | None = 0) -> dict[str, float]:
    """The single value of each metric of one turn."""
    found = by_metric(scores, turn_index)
    assert all(len(v) == 1 for v in found.values()), found
    return {k: v[0] for k, v in found.items()}
