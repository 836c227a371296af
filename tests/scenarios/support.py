"""Helpers of the built-in scenario tests: the catalog's turns and a plain keyword matcher."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pawbench.models.scenario import Agent, MentionScope, Scenario, Turn
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

    def haystack(self, scope: MentionScope) -> str:
        """The text a keyword is looked for in: the answer text, the argument values, or both.
        Arguments are searched as parsed values, not as raw JSON (where a tab is ``\\t``)."""
        args = "\n".join(_strings(a) for _, a in self.calls)
        parts = {"text": [self.text], "tool_args": [args], "both": [self.text, args]}[scope]
        return "\n".join(parts).lower()


def _strings(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return json.dumps(value)


def found_fraction(terms: list[str], reply: Reply, scope: MentionScope) -> float:
    """The share of ``terms`` found (case-insensitively) where ``scope`` says."""
    if not terms:
        return 1.0
    hay = reply.haystack(scope)
    return sum(term.lower() in hay for term in terms) / len(terms)
