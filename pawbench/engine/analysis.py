"""After the load: scores and the dimension blocks, DQS and ablation, verification,
orchestration results, context tiers. Pure functions over the records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pawbench.components import Score, Scorer, SessionView
from pawbench.context_tiers import reads
from pawbench.engine.orchestration import OrchestrationRuntime, orchestration_block
from pawbench.engine.phases import VERIFICATION_LEVEL
from pawbench.engine.scoring import summarise_scores, views
from pawbench.engine.sink import RecordSink
from pawbench.models.scenario import Agent, Scenario
from pawbench.scoring import (
    Weights,
    build_table,
    dqs_of,
    quality_by_tier,
    run_scorers,
    verification_summary,
)

TIER_SEPARATOR = "--"
"""A scenario run under a non-standard context tier gets the id ``<id>--<tier>``."""


@dataclass
class Scored:
    """Every session's view, all scores by session, the per-scorer summary, warnings."""

    views: list[SessionView]
    scores: dict[str, list[Score]]
    summary: dict[str, Any]
    warnings: list[str]


def scored(
    scorers: Sequence[Scorer],
    scenarios: list[Scenario],
    sink: RecordSink,
    agents: Mapping[str, Agent] | None = None,
) -> Scored:
    """Run every scorer once over every session of ``sink``."""
    session_views = views(scenarios, sink, agents)
    combined: dict[str, list[Score]] = {v.session.session_id: [] for v in session_views}
    summary: dict[str, Any] = {}
    warnings: list[str] = []
    for scorer in scorers:
        scores, failed = run_scorers([scorer], session_views)
        for session_id, values in scores.items():
            combined[session_id].extend(values)
        summary[scorer.name] = summarise_scores(session_views, scores)
        warnings.extend(failed)
    return Scored(session_views, combined, summary, warnings)


def verification_block(
    main_views: list[SessionView],
    main_scores: Mapping[str, list[Score]],
    repeats: list[tuple[list[SessionView], dict[str, list[Score]]]],
    weights: Weights,
) -> dict[str, Any]:
    """Agreement, DQS mean with its interval and pass^k over the level-1 runs."""
    first = [
        v for v in main_views if v.session.level == VERIFICATION_LEVEL and v.session.shape is None
    ]
    tables = [build_table(first, dict(main_scores))]
    tables += [build_table(v, s) for v, s in repeats]
    return verification_summary(tables, weights)


def orchestration_results(
    runtimes: list[OrchestrationRuntime],
    sink: RecordSink,
    scored_run: Scored,
    weights: Weights,
) -> tuple[list[dict[str, Any]], float | None, dict[str, float]]:
    """Per shape and scenario: the runtime block, the integration turn's quality and the DQS
    of that shape on that scenario; the spread (max - min shape DQS) per scenario and its
    largest value."""
    blocks = orchestration_block(runtimes, sink)
    table = build_table(scored_run.views, scored_run.scores)
    groups = table.group(lambda r: None if r.shape is None else f"{r.shape}|{r.scenario_id}")
    for block in blocks:
        turn = block.get("integration_turn")
        if turn is not None:
            turn["quality"] = next(
                (
                    s.value
                    for s in scored_run.scores.get(turn["session_id"], [])
                    if s.metric == "quality.turn" and s.turn_index == turn["turn_index"]
                ),
                None,
            )
        group = groups.get(f"{block['shape']}|{block['scenario_id']}")
        block["dqs"] = None if group is None else dqs_of(group, weights)
        block["quality_by_tier"] = None if group is None else quality_by_tier(group)
    spreads: dict[str, float] = {}
    for scenario_id in sorted({b["scenario_id"] for b in blocks}):
        values = [
            b["dqs"] for b in blocks if b["scenario_id"] == scenario_id and b["dqs"] is not None
        ]
        if len(values) > 1:
            spreads[scenario_id] = max(values) - min(values)
    return blocks, (max(spreads.values()) if spreads else None), spreads


def context_tier_block(
    tiers: list[str], sink: RecordSink, quality_by_scenario: Mapping[str, Any]
) -> dict[str, Any]:
    """Per tier: how much the model read and the mean quality of its scenarios."""
    out: dict[str, Any] = {}
    for tier in tiers:

        def mine(scenario_id: str, tier: str = tier) -> bool:
            tagged = TIER_SEPARATOR in scenario_id
            if tagged:
                return scenario_id.endswith(TIER_SEPARATOR + tier)
            return tier == "standard"

        turns = [t for t in sink.turns if mine(t.scenario_id)]
        qualities: list[float] = [
            float(v["quality"])
            for sid, v in quality_by_scenario.items()
            if mine(sid) and isinstance(v, dict) and v.get("quality") is not None
        ]
        out[tier] = {
            **reads(turns),
            "quality": sum(qualities) / len(qualities) if qualities else None,
        }
    base = (out.get("standard") or {}).get("quality")
    for tier, block in out.items():
        if tier != "standard" and base is not None and block["quality"] is not None:
            block["quality_delta_vs_standard"] = block["quality"] - base
    return out
