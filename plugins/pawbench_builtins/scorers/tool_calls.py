"""The ``tool_calls`` scorer: tool-call accuracy in the BFCL manner, per call and per turn.

Per call (``turn_index`` set, ``detail`` = the call id), each 0 or 1:
``tool_call.offered`` (the tool exists and the turn offered it), ``tool_call.valid_json`` (the
arguments are a JSON object), ``tool_call.schema_valid`` (offered, valid JSON and valid against
the tool's JSON Schema) and ``tool_call.accurate`` (all of them).
Per turn: ``tool_call.right_tool`` (when the turn expects a tool, ``tool_name_any``: 1 if an
accurate call used one of them) and ``tool_call.accuracy``, the turn's combined accuracy: the
mean of its accurate-call share (when it made calls) and of ``right_tool`` (when it expects one).
"""

from __future__ import annotations

from pawbench.api import Score, Scorer, SessionView, hookimpl

from .common import TurnData, turns


def right_tool(turn: TurnData) -> float | None:
    """1 when an accurate call used an expected tool, 0 when none did; None when the turn
    expects no particular tool."""
    expected = set(turn.spec.expect.tool_name_any)
    if not expected:
        return None
    return float(any(c.call.name in expected for c in turn.accurate_calls))


def turn_accuracy(turn: TurnData) -> float | None:
    """Mean of the accurate-call share and ``right_tool``, over those that apply."""
    parts = []
    if turn.calls:
        parts.append(len(turn.accurate_calls) / len(turn.calls))
    right = right_tool(turn)
    if right is not None:
        parts.append(right)
    return sum(parts) / len(parts) if parts else None


class ToolCallScorer(Scorer):
    """Tool-call accuracy per call (offered tool, valid JSON, JSON Schema) and right tool."""

    name = "tool_calls"

    def score(self, view: SessionView) -> list[Score]:
        """Per-call checks and per-turn accuracy of every counted turn."""
        scores: list[Score] = []
        for turn in turns(view):
            if turn.counted:
                scores.extend(_turn_scores(turn))
        return scores


def _turn_scores(turn: TurnData) -> list[Score]:
    index = turn.record.turn_index
    scores: list[Score] = []
    for check in turn.calls:
        values = {
            "tool_call.offered": check.offered,
            "tool_call.valid_json": check.valid_json,
            "tool_call.schema_valid": check.schema_valid,
            "tool_call.accurate": check.accurate,
        }
        detail = check.call.id
        if check.schema_errors:
            detail += ": " + "; ".join(check.schema_errors)
        scores.extend(
            Score(metric=m, value=float(v), turn_index=index, detail=detail)
            for m, v in values.items()
        )
    right = right_tool(turn)
    if right is not None:
        scores.append(Score(metric="tool_call.right_tool", value=right, turn_index=index))
    accuracy = turn_accuracy(turn)
    if accuracy is not None:
        scores.append(Score(metric="tool_call.accuracy", value=accuracy, turn_index=index))
    return scores


@hookimpl
def pawbench_register_scorers() -> list[type[Scorer]]:
    """Offer the ``tool_calls`` scorer."""
    return [ToolCallScorer]
