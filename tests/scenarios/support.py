"""Helpers of the built-in scenario tests: the catalog's turns, and replies scored by the
built-in scorers (expectations and steering) exactly as a run scores them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pawbench_builtins.scorers.expectations import ExpectationScorer
from pawbench_builtins.scorers.steering import SteeringScorer

from pawbench.api import (
    NoOptions,
    RequestRecord,
    SessionRecord,
    SessionView,
    ToolCallRecord,
    TurnRecord,
)
from pawbench.models.scenario import Agent, Scenario, Turn
from pawbench.scenarios import ScenarioCatalog

BUILTIN_IDS = {
    "pawstyle-independent",
    "pawstyle",
    "pawstyle-nudge",
    "pawstyle-orchestration-matrix",
    "api-auth",
    "bug-fix",
    "cli-tool",
    "data-pipeline",
    "refactor-extract",
}


@cache
def catalog() -> ScenarioCatalog:
    """The built-in catalog, loaded once per test session."""
    return ScenarioCatalog()


def scenarios() -> list[Scenario]:
    """Every built-in scenario, by id."""
    cat = catalog()
    return [cat.entries[i].scenario for i in cat.ids()]


def turns() -> Iterator[tuple[Scenario, Agent, Turn]]:
    """Every turn of every built-in scenario."""
    for scenario in scenarios():
        for agent in scenario.agents:
            for turn in agent.turns:
                yield scenario, agent, turn


def turn_id(scenario: Scenario, agent: Agent, turn: Turn) -> str:
    """``scenario/agent/turn`` for test ids and messages."""
    return f"{scenario.id}/{agent.id}/{turn.turn}"


@dataclass
class Reply:
    """What a model answered in a turn: its final text and its tool calls (name, arguments)."""

    text: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def reply_view(scenario: Scenario, agent: Agent, turn: Turn, reply: Reply) -> SessionView:
    """A finished session holding one turn answered by ``reply``: a request with its tool
    calls (when it has any), then a request with its final text."""
    index = agent.turns.index(turn)
    calls = [
        ToolCallRecord(id=f"call_{i}", name=name, arguments=json.dumps(args), valid_json=True)
        for i, (name, args) in enumerate(reply.calls)
    ]
    steps = ([("", calls)] if calls else []) + [(reply.text, [])]
    requests = [
        RequestRecord(
            request_id=f"r{n}",
            session_id="s",
            scenario_id=scenario.id,
            agent_id=agent.id,
            level=1,
            turn_index=index,
            step=n,
            status="ok",
            t_sent_ns=0,
            t_end_ns=1,
            e2e_ms=0.0,
            completion_tokens=1,
            finish_reason="tool_calls" if step_calls else "stop",
            content=content,
            tool_calls=step_calls,
        )
        for n, (content, step_calls) in enumerate(steps)
    ]
    record = TurnRecord(
        session_id="s",
        scenario_id=scenario.id,
        agent_id=agent.id,
        level=1,
        turn_index=index,
        event=turn.event.kind if turn.event else None,
        user_message=turn.content,
        status="ok",
        steps=len(requests),
        request_ids=[r.request_id for r in requests],
        final_text=reply.text,
        tool_calls=calls,
        t_start_ns=0,
        t_end_ns=1,
    )
    session = SessionRecord(
        session_id="s",
        scenario_id=scenario.id,
        agent_id=agent.id,
        level=1,
        status="ok",
        turns=1,
        t_start_ns=0,
        t_end_ns=1,
    )
    return SessionView(scenario, agent, session, [record], requests)


SCORERS = (ExpectationScorer(NoOptions()), SteeringScorer(NoOptions()))


def score_reply(scenario: Scenario, agent: Agent, turn: Turn, reply: Reply) -> dict[str, float]:
    """The built-in expectations and steering scores of ``reply`` to ``turn``, by metric."""
    view = reply_view(scenario, agent, turn, reply)
    return {s.metric: s.value for scorer in SCORERS for s in scorer.score(view)}
