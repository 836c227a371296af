"""The dimension blocks from hand-made records and scores (no scorer involved)."""

from __future__ import annotations

from typing import Any

import pytest

from pawbench.api import Scenario, Score
from pawbench.models.scenario import Turn
from pawbench.scoring import (
    build_table,
    dim2_quality,
    dim3_efficiency,
    dim4_adaptability,
    quality_by_tier,
)
from pawbench.scoring.tiers import heuristic_tier

from .builders import STATUS, Step, TurnSpec, call, scenario, view


def _s(metric: str, value: float, turn: int | None) -> Score:
    return Score(metric=metric, value=value, turn_index=turn)


def _renamed(scn: Scenario, new_id: str) -> Scenario:
    return scn.model_copy(update={"id": new_id})


def _run() -> tuple[list[Any], dict[str, list[Score]]]:
    scn = scenario(
        {"tier": "crud"},
        {"content": "Render the product grid."},
        {"content": "Add authentication middleware."},
    )
    v = view(
        scn,
        TurnSpec([Step(calls=[call("write_file", {"path": "a", "content": "b"})]), Step(STATUS)]),
        TurnSpec([Step("", completion_tokens=40)]),  # failed: empty answer
        TurnSpec([Step(STATUS)], status="error"),
    )
    scores = [
        _s("quality.turn", 1.0, 0),
        _s("expect.completed", 1.0, 0),
        _s("tool_call.offered", 1.0, 0),
        _s("tool_call.valid_json", 1.0, 0),
        _s("tool_call.schema_valid", 1.0, 0),
        _s("tool_call.accurate", 1.0, 0),
        _s("tool_call.right_tool", 1.0, 0),
        _s("tool_call.accuracy", 1.0, 0),
        _s("format.compliance", 1.0, 0),
        _s("efficiency.output_tokens", 100, 0),
        _s("efficiency.useful_tokens", 80, 0),
        _s("quality.turn", 0.5, 1),
        _s("expect.completed", 0.0, 1),
        _s("tool_call.right_tool", 0.0, 1),
        _s("tool_call.accuracy", 0.0, 1),
        _s("format.compliance", 0.0, 1),
        _s("efficiency.output_tokens", 50, 1),
        _s("efficiency.useful_tokens", 50, 1),
        _s("efficiency.reasoning_tokens", 50, 1),
        _s("format.final", 0.0, None),
    ]
    return [v], {v.session.session_id: scores}


def test_quality_counts_excluded_turns_apart() -> None:
    views, scores = _run()
    block = dim2_quality(build_table(views, scores))
    assert block["quality"] == 0.75
    assert block["turns"] == {
        "total": 3,
        "counted": 2,
        "ok": 1,
        "failed": 1,
        "scored": 2,
        "excluded": {"error": 1, "timeout": 0, "fixture_gap": 0},
    }
    assert block["criteria"] == {"expect.completed": 0.5}
    assert block["tool_calls"] == {
        "calls": 1,
        "offered_rate": 1.0,
        "valid_json_rate": 1.0,
        "schema_valid_rate": 1.0,
        "accurate_rate": 1.0,
        "right_tool_turns": 2,
        "right_tool_rate": 0.5,
        "tool_accuracy": 0.5,
    }
    assert block["format_compliance"] == 0.0  # the session's final answer
    assert block["format_compliance_all_turns"] == 0.5
    assert block["by_agent"] == {"unit/dev": 0.75}
    assert block["by_scenario"]["unit"] == {
        "quality": 0.75,
        "tool_accuracy": 0.5,
        "format_compliance": 0.0,
        "turns": 2,
    }
    assert block["by_concurrency"] == {"1": 0.75}
    assert block["by_shape"] == {}  # no session ran under a shape


def test_tiers_from_tags_then_heuristic() -> None:
    views, scores = _run()
    tiers = quality_by_tier(build_table(views, scores))
    assert tiers["crud"] == {"quality": 1.0, "turns": 1, "from_heuristic": 0}
    assert tiers["display"] == {"quality": 0.5, "turns": 1, "from_heuristic": 1}
    # turn 3 is cross_cutting by the heuristic but it errored: not counted
    assert tiers["cross_cutting"] == {"quality": None, "turns": 0, "from_heuristic": 0}
    assert tiers["transactional"]["turns"] == 0


@pytest.mark.parametrize(
    ("content", "tier"),
    [
        ("Add JWT authentication to every route.", "cross_cutting"),
        ("Refactor store.py into a package.", "cross_cutting"),
        ("Implement checkout: validate items and store the order.", "transactional"),
        ("Add a wishlist endpoint.", "crud"),
        ("Delete a note.", "crud"),
        ("Show the product grid.", "display"),
        ("Preorder page", "display"),  # whole words only
    ],
)
def test_tier_heuristic(content: str, tier: str) -> None:
    assert heuristic_tier(Turn(content=content)) == tier


def test_efficiency_per_turn_and_per_completed_task() -> None:
    views, scores = _run()
    block = dim3_efficiency(build_table(views, scores))
    top = {k: v for k, v in block.items() if not k.startswith("by_")}
    assert top == {
        "useful_ratio": 130 / 150,
        "useful_tokens": 130.0,
        "output_tokens": 150.0,
        "reasoning_tokens": 50.0,
        "reasoning_share": 50 / 200,
        "completion_tokens": 240,  # turn 0: 2 requests of 100; turn 1: 40
        "tokens_per_turn": {"completion": 120.0, "prompt": 1500.0, "reasoning": 25.0},
        "tasks": 2,
        "completed_tasks": 1,
        "tokens_per_completed_task": 240.0,
        "seconds_per_completed_task": 4.0,  # two turns of 2 s, one completed
        "tokens_estimated": False,
    }
    assert block["by_scenario"]["unit"]["useful_ratio"] == 130 / 150


def _event_run(
    nudged_quality: list[float], base_quality: list[float]
) -> tuple[list[Any], dict[str, list[Score]]]:
    event = {"kind": "nudge", "keywords": ["x"]}
    steer = {"kind": "steering", "keywords": ["y"]}
    nudged = _renamed(scenario({}, {"event": event}, {"event": steer}), "nudged")
    base = _renamed(scenario({}, {}, {}), "base")
    ok = [TurnSpec([Step(STATUS)]) for _ in range(3)]
    v1 = view(nudged, *ok, session_id="n")
    v2 = view(base, *ok, session_id="b")
    s1 = [
        _s("quality.turn", 1.0, 0),
        _s("nudge.followed", 1.0, 1),
        _s("nudge.keywords_found", 1, 1),
    ]
    s1 += [_s("quality.turn", q, i + 1) for i, q in enumerate(nudged_quality)]
    s1 += [_s("steering.followed", 0.0, 2), _s("steering.keywords_found", 0.0, 2)]
    s2 = [_s("quality.turn", q, i) for i, q in enumerate(base_quality)]
    return [v1, v2], {"n": s1, "b": s2}


def test_adaptability_and_the_nudge_delta() -> None:
    views, scores = _event_run([0.5, 0.9], [1.0, 0.8, 0.6])
    block = dim4_adaptability(build_table(views, scores), {"nudged": "base"})
    assert block["steering_rate"] == 0.0
    assert block["steering"] == {"rate": 0.0, "turns": 1, "followed": 0, "keywords_found": 0.0}
    assert block["nudge"] == {"rate": 1.0, "turns": 1, "followed": 1, "keywords_found": 1.0}
    assert block["nudge_quality_delta"] == {
        "nudged": {
            "baseline": "base",
            "agents": ["dev"],
            "nudged_quality": 0.5,  # the nudged turn only (turn 1)
            "baseline_quality": pytest.approx(0.8),
            "delta": pytest.approx(-0.3),
            "nudged_turns": 1,
            "baseline_turns": 3,
        }
    }
    assert set(block["by_scenario"]) == {"nudged"}


def test_no_nudge_delta_without_the_baseline() -> None:
    views, scores = _event_run([0.5, 0.9], [1.0])
    table = build_table(views[:1], scores)
    assert dim4_adaptability(table, {"nudged": "base"})["nudge_quality_delta"] is None
    assert dim4_adaptability(table)["nudge_quality_delta"] is None  # the built-in pair


def test_no_steering_turn_means_no_rate() -> None:
    views, scores = _run()
    block = dim4_adaptability(build_table(views, scores))
    assert block["steering_rate"] is None
    assert block["steering"]["turns"] == 0


def test_shapes_and_replicas_of_the_table() -> None:
    scn = scenario({})
    views = [view(scn, TurnSpec([Step(STATUS)]), session_id=i) for i in ("x-s10", "x-s2", "x-s1")]
    views.append(view(scn, TurnSpec([Step(STATUS)]), session_id="y", shape="waves"))
    table = build_table(views, {}, shapes={"x-s2": "flat"})
    assert [(t.session_id, t.ordinal, t.shape) for t in table.turns] == [
        ("x-s10", 1, None),  # replicas of the same group, digits compared as numbers
        ("x-s2", 0, "flat"),  # the override puts x-s2 in its own (shape) group
        ("x-s1", 0, None),
        ("y", 0, "waves"),  # the shape its records carry
    ]
    assert set(dim2_quality(table)["by_shape"]) == {"flat", "waves"}
