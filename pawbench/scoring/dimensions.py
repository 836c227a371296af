"""The dimension blocks of a result: ``dim2_quality``, ``quality_by_tier``,
``dim3_efficiency`` and ``dim4_adaptability``, computed from a run's table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pawbench.models.scenario import TIERS
from pawbench.scoring.stats import mean, ratio
from pawbench.scoring.table import CALL_CHECKS, RunTable, SessionRow, TurnRow

NUDGE_BASELINES: dict[str, str] = {"pawstyle-nudge": "pawstyle-independent"}
"""Nudged scenario -> the scenario whose same agents run the task without nudges."""


def _scenario(row: TurnRow | SessionRow) -> str:
    return row.scenario_id


def _shape(row: TurnRow | SessionRow) -> str | None:
    return row.shape


def _level(row: TurnRow | SessionRow) -> str:
    return str(row.level)


def turn_counts(table: RunTable) -> dict[str, Any]:
    """How many turns there were, were counted, and were set apart (by status)."""
    statuses = Counter(t.status for t in table.turns)
    counted = table.counted
    return {
        "total": len(table.turns),
        "counted": len(counted),
        "ok": statuses.get("ok", 0),
        "failed": statuses.get("failed", 0),
        "scored": sum(1 for t in counted if t.quality is not None),
        "excluded": {s: statuses.get(s, 0) for s in ("error", "timeout", "fixture_gap")},
    }


def tool_call_rates(table: RunTable) -> dict[str, Any]:
    """Per-call rates (pooled over calls), the right-tool rate over turns that expect a tool,
    and the combined per-turn tool accuracy."""
    counted = table.counted
    calls = sum(t.calls.get("calls", 0) for t in counted)
    rates = {
        f"{check}_rate": ratio(sum(t.calls.get(check, 0) for t in counted), calls)
        for check in CALL_CHECKS
    }
    expecting = [t.right_tool for t in counted if t.right_tool is not None]
    return {
        "calls": calls,
        **rates,
        "right_tool_turns": len(expecting),
        "right_tool_rate": mean(expecting),
        "tool_accuracy": mean(t.tool_accuracy for t in counted),
    }


def _quality_summary(table: RunTable) -> dict[str, Any]:
    counted = table.counted
    return {
        "quality": mean(t.quality for t in counted),
        "tool_accuracy": mean(t.tool_accuracy for t in counted),
        "format_compliance": mean(s.format_final for s in table.sessions),
        "turns": len(counted),
    }


def _criteria(turns: list[TurnRow]) -> dict[str, float | None]:
    names = sorted({name for t in turns for name in t.criteria})
    return {name: mean(t.criteria.get(name) for t in turns) for name in names}


def dim2_quality(table: RunTable) -> dict[str, Any]:
    """Quality: turn quality and its criteria, tool calls, format compliance; per agent,
    scenario and concurrency level. Excluded turns are only counted."""
    counted = table.counted
    calls = tool_call_rates(table)
    quality = mean(t.quality for t in counted)
    compliance = mean(s.format_final for s in table.sessions)
    return {
        # the published PawBench names first, so that older tooling reads them unchanged
        "avg_quality": quality,
        "tool_accuracy": calls["tool_accuracy"],
        "format_compliance_rate": compliance,
        "quality": quality,
        "turns": turn_counts(table),
        "criteria": _criteria(counted),
        "tool_calls": calls,
        "format_compliance": compliance,
        "format_compliance_all_turns": mean(t.format for t in counted),
        "by_agent": {
            k: mean(t.quality for t in sub.counted)
            for k, sub in table.group(lambda r: f"{r.scenario_id}/{r.agent_id}").items()
        },
        "by_scenario": {k: _quality_summary(sub) for k, sub in table.group(_scenario).items()},
        "by_concurrency": {
            k: mean(t.quality for t in sub.counted) for k, sub in table.group(_level).items()
        },
        "by_shape": {k: _quality_summary(sub) for k, sub in table.group(_shape).items()},
    }


def quality_by_tier(table: RunTable) -> dict[str, Any]:
    """Mean turn quality per tier, with the number of turns and how many got their tier from
    the heuristic."""
    out: dict[str, Any] = {}
    for tier in TIERS:
        turns = [t for t in table.counted if t.tier == tier and t.quality is not None]
        out[tier] = {
            "quality": mean(t.quality for t in turns),
            "turns": len(turns),
            "from_heuristic": sum(1 for t in turns if t.tier_source == "heuristic"),
        }
    return out


def _efficiency(table: RunTable) -> dict[str, Any]:
    counted = table.counted
    done = [t for t in counted if t.status == "ok"]
    output = sum(t.output_tokens for t in counted)
    reasoning = sum(t.reasoning_tokens for t in counted)
    completion = sum(t.completion_tokens for t in counted)
    return {
        "useful_ratio": ratio(sum(t.useful_tokens for t in counted), output),
        "useful_tokens": sum(t.useful_tokens for t in counted),
        "output_tokens": output,
        "reasoning_tokens": reasoning,
        "reasoning_share": ratio(reasoning, reasoning + output),
        "completion_tokens": completion,
        "tokens_per_turn": {
            "completion": mean(float(t.completion_tokens) for t in counted),
            "prompt": mean(float(t.prompt_tokens) for t in counted),
            "reasoning": mean(t.reasoning_tokens for t in counted),
        },
        "tasks": len(counted),
        "completed_tasks": len(done),
        "tokens_per_completed_task": ratio(completion, len(done)),
        "seconds_per_completed_task": ratio(sum(t.seconds for t in counted), len(done)),
        "tokens_estimated": any(t.tokens_estimated for t in counted),
    }


def dim3_efficiency(table: RunTable) -> dict[str, Any]:
    """Efficiency: useful token ratio, tokens per turn, tokens and seconds per completed task,
    reasoning tokens apart; per scenario and concurrency level."""
    return {
        **_efficiency(table),
        "by_scenario": {k: _efficiency(s) for k, s in table.group(_scenario).items()},
        "by_concurrency": {k: _efficiency(s) for k, s in table.group(_level).items()},
    }


def _events(table: RunTable, kind: str) -> dict[str, Any]:
    turns = [t for t in table.counted if t.event == kind and t.followed is not None]
    return {
        "rate": mean(t.followed for t in turns),
        "turns": len(turns),
        "followed": int(sum(t.followed or 0 for t in turns)),
        "keywords_found": mean(t.keywords_found for t in turns),
    }


def nudge_quality_delta(
    table: RunTable, baselines: Mapping[str, str] = NUDGE_BASELINES
) -> dict[str, Any] | None:
    """Per nudged scenario whose baseline also ran: mean quality of its nudged turns minus the
    mean quality of the same agents' counted turns in the baseline scenario. None when no pair
    ran."""
    out: dict[str, Any] = {}
    for nudged, baseline in baselines.items():
        turns = [
            t
            for t in table.counted
            if t.scenario_id == nudged and t.event == "nudge" and t.quality is not None
        ]
        agents = sorted({t.agent_id for t in turns})
        base = [
            t
            for t in table.counted
            if t.scenario_id == baseline and t.agent_id in agents and t.quality is not None
        ]
        if not turns or not base:
            continue
        nudged_q, base_q = mean(t.quality for t in turns), mean(t.quality for t in base)
        out[nudged] = {
            "baseline": baseline,
            "agents": agents,
            "nudged_quality": nudged_q,
            "baseline_quality": base_q,
            "delta": nudged_q - base_q if nudged_q is not None and base_q is not None else None,
            "nudged_turns": len(turns),
            "baseline_turns": len(base),
        }
    return out or None


def dim4_adaptability(
    table: RunTable, baselines: Mapping[str, str] = NUDGE_BASELINES
) -> dict[str, Any]:
    """Adaptability: steering response rate (steering turns only), nudge follow rate, nudge
    quality delta; per scenario."""
    steering = _events(table, "steering")
    return {
        "steering_rate": steering["rate"],
        "steering": steering,
        "nudge": _events(table, "nudge"),
        "nudge_quality_delta": nudge_quality_delta(table, baselines),
        "by_scenario": {
            k: {"steering": _events(s, "steering"), "nudge": _events(s, "nudge")}
            for k, s in table.group(_scenario).items()
            if any(t.event for t in s.turns)
        },
    }
