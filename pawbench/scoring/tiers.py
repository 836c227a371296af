"""The complexity tier of a turn: its own tag, else its agent's, else its scenario's, else a
heuristic over the turn's text (its message and expected terms, lower-cased, whole words):

1. ``cross_cutting`` when it names a concern that spans modules: auth, authentication,
   middleware, cors, logging, refactor, type hints, mypy, rate limit, security;
2. ``transactional`` when it names a multi-step write: checkout, order(s), payment,
   transaction, atomic, rollback;
3. ``crud`` when it names a write of one kind of record: create, add, update, delete, remove,
   edit, save, validate, validation;
4. ``display`` otherwise (read-only work).
"""

from __future__ import annotations

import re

from pawbench.models.scenario import Agent, Scenario, Tier, Turn

_MARKERS: tuple[tuple[Tier, tuple[str, ...]], ...] = (
    (
        "cross_cutting",
        (
            "auth",
            "authentication",
            "middleware",
            "cors",
            "logging",
            "refactor",
            "type hints",
            "mypy",
            "rate limit",
            "security",
        ),
    ),
    (
        "transactional",
        ("checkout", "order", "orders", "payment", "transaction", "atomic", "rollback"),
    ),
    (
        "crud",
        ("create", "add", "update", "delete", "remove", "edit", "save", "validate", "validation"),
    ),
)


def heuristic_tier(turn: Turn) -> Tier:
    """The tier the heuristic gives an untagged turn."""
    text = " ".join([turn.content, *turn.expect.output_mentions]).lower()
    for tier, words in _MARKERS:
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            return tier
    return "display"


def turn_tier(scenario: Scenario, agent: Agent, turn: Turn) -> tuple[Tier, str]:
    """(tier, source): source is ``turn``, ``agent``, ``scenario`` or ``heuristic``."""
    for tier, source in ((turn.tier, "turn"), (agent.tier, "agent"), (scenario.tier, "scenario")):
        if tier is not None:
            return tier, source
    return heuristic_tier(turn), "heuristic"
