"""The ``expectations`` scorer: what a correct answer to each turn shows, and turn quality.

Per counted turn (``turn_index`` set), the criteria that apply, each in [0, 1]:

- ``expect.completed``: 1 when the turn ended with a final answer (status ok, non-empty, not
  cut at ``max_tokens``), else 0. Always present;
- ``expect.tool_calls_min``: min(1, accurate calls / ``tool_calls_min``), when it is above 0;
- ``expect.tool_name_any``: 1 when an accurate call used one of the listed tools;
- ``expect.output_mentions``: the fraction of the terms found (case-insensitive) where
  ``mentions_in`` says: the answer text, the parsed argument values of executable calls, both;
- ``expect.instructions``: the fraction of the turn's constraints met.

``quality.turn`` is the mean of the criteria present. Each constraint is also reported as
``instruction.<kind>`` (0/1, ``detail`` = its value). A criterion without input (an empty list)
is absent, not 1.0. Accurate calls: offered, valid JSON, valid against the tool's schema.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Protocol

from pawbench.api import Score, Scorer, SessionView, hookimpl

from .common import TurnData, normalise_path, turns
from .tool_calls import right_tool

WRITE_TOOL = "write_file"


class Constraint(Protocol):
    """A turn's explicit instruction (the scenario model's ``Constraint``)."""

    @property
    def kind(self) -> str: ...

    @property
    def value(self) -> str | int: ...


def constraint_met(turn: TurnData, constraint: Constraint) -> bool:
    """Whether the turn followed one explicit instruction."""
    value = str(constraint.value)
    scope = turn.spec.expect.mentions_in
    if constraint.kind == "call_tool":
        return any(c.call.name == value for c in turn.accurate_calls)
    if constraint.kind == "write_file":
        return any(_writes(turn, value))
    if constraint.kind == "mention_all":
        terms = [t.strip() for t in value.split(",") if t.strip()]
        return turn.found_fraction(terms, scope) in (None, 1.0)
    if constraint.kind == "avoid":
        return not value or value.lower() not in turn.haystack(scope)
    return len(turn.record.final_text.split()) <= int(constraint.value)  # max_words


def _writes(turn: TurnData, pattern: str) -> list[bool]:
    glob = normalise_path(pattern)
    return [
        fnmatchcase(normalise_path(path), glob)
        for c in turn.accurate_calls
        if c.call.name == WRITE_TOOL and c.args is not None
        for path in [c.args.get("path")]
        if isinstance(path, str)
    ]


def criteria(turn: TurnData) -> dict[str, float]:
    """The turn's criteria that apply, by metric name."""
    expect = turn.spec.expect
    found: dict[str, float | None] = {"expect.completed": float(turn.completed)}
    if expect.tool_calls_min > 0:
        found["expect.tool_calls_min"] = min(1.0, len(turn.accurate_calls) / expect.tool_calls_min)
    found["expect.tool_name_any"] = right_tool(turn)
    found["expect.output_mentions"] = turn.found_fraction(
        expect.output_mentions, expect.mentions_in
    )
    if expect.constraints:
        met = [constraint_met(turn, c) for c in expect.constraints]
        found["expect.instructions"] = sum(met) / len(met)
    return {k: v for k, v in found.items() if v is not None}


class ExpectationScorer(Scorer):
    """Turn expectations (tool calls, mentions, instructions) and turn quality."""

    name = "expectations"

    def score(self, view: SessionView) -> list[Score]:
        """Criteria, constraint checks and ``quality.turn`` of every counted turn."""
        scores: list[Score] = []
        for turn in turns(view):
            if not turn.counted:
                continue
            index = turn.record.turn_index
            found = criteria(turn)
            scores.extend(Score(metric=m, value=v, turn_index=index) for m, v in found.items())
            for c in turn.spec.expect.constraints:
                met = float(constraint_met(turn, c))
                scores.append(
                    Score(
                        metric=f"instruction.{c.kind}",
                        value=met,
                        turn_index=index,
                        detail=str(c.value),
                    )
                )
            quality = sum(found.values()) / len(found)
            scores.append(Score(metric="quality.turn", value=quality, turn_index=index))
        return scores


@hookimpl
def pawbench_register_scorers() -> list[type[Scorer]]:
    """Offer the ``expectations`` scorer."""
    return [ExpectationScorer]
