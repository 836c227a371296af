"""DQS: weighted mean with renormalisation, per group, and the ablation matrix, by hand."""

from __future__ import annotations

import pytest

from pawbench.scoring import (
    RunTable,
    SessionRow,
    TurnRow,
    ablation_matrix,
    combine,
    components,
    dqs_block,
    load_weights,
)

W = load_weights()


def _turn(scenario: str, quality: float, tool: float | None, **extra: object) -> TurnRow:
    fields: dict[str, object] = {
        "session_id": f"{scenario}-s",
        "scenario_id": scenario,
        "agent_id": "dev",
        "level": 1,
        "shape": {"A": "flat", "B": "waves"}.get(scenario),
        "ordinal": 0,
        "turn_index": 0,
        "status": "ok",
        "tier": "crud",
        "tier_source": "turn",
        "event": None,
        "quality": quality,
        "tool_accuracy": tool,
        "output_tokens": 10.0,
        "useful_tokens": 10.0,
    }
    fields.update(extra)
    return TurnRow(**fields)  # type: ignore[arg-type]


def _session(scenario: str, final: float | None) -> SessionRow:
    return SessionRow(
        f"{scenario}-s", scenario, "dev", 1, {"A": "flat", "B": "waves"}.get(scenario), final
    )


# A: quality 1, format 0, tools 1, useful 1 -> 0.75 / 0.95; B: 0.6, 1, 0.6, 1 -> 0.69 / 0.95
TABLE = RunTable(
    (_turn("A", 1.0, 1.0), _turn("B", 0.6, 0.6)), (_session("A", 0.0), _session("B", 1.0))
)


def test_combine_renormalises_over_components_with_signal() -> None:
    values = {
        "quality": 0.8,
        "format_compliance": 0.5,
        "tool_accuracy": 1.0,
        "useful_ratio": 0.6,
        "steering_rate": None,
    }
    result = combine(values, W)
    assert result["dqs"] == pytest.approx((0.4 + 0.1 + 0.15 + 0.06) / 0.95)
    assert result["no_signal"] == ["steering_rate"]
    assert result["weights_used"] == pytest.approx(
        {"quality": 0.5 / 0.95, "format_compliance": 0.2 / 0.95, "tool_accuracy": 0.15 / 0.95,
         "useful_ratio": 0.1 / 0.95}
    )  # fmt: skip
    dropped = combine(values, W, drop=["quality", "format_compliance"])
    assert dropped["dqs"] == pytest.approx((0.15 + 0.06) / 0.25)
    assert combine(dict.fromkeys(values), W)["dqs"] is None


def test_every_component_at_one_gives_exactly_one() -> None:
    assert combine(dict.fromkeys(W.weights, 1.0), W)["dqs"] == 1.0


def test_components_of_a_table() -> None:
    steering = _turn("A", 1.0, 1.0, event="steering", followed=0.0, useful_tokens=5.0)
    error = _turn("A", 0.0, 0.0, status="timeout", event="steering", followed=1.0)
    table = RunTable((steering, _turn("A", 0.5, None), error), (_session("A", 1.0),))
    assert components(table) == {
        "quality": 0.75,
        "format_compliance": 1.0,
        "tool_accuracy": 1.0,
        "useful_ratio": 15 / 20,
        "steering_rate": 0.0,  # the timed-out steering turn is not counted
    }


def test_dqs_per_scenario_shape_and_level() -> None:
    block = dqs_block(TABLE, W)
    assert block["version"] == "1.0.0" and block["sha256"] == W.sha256
    assert block["by_scenario"]["A"]["dqs"] == pytest.approx(0.75 / 0.95)
    assert block["by_scenario"]["B"]["dqs"] == pytest.approx(0.69 / 0.95)
    assert block["by_shape"]["flat"]["dqs"] == block["by_scenario"]["A"]["dqs"]
    # the run pools turns: quality 0.8, format 0.5, tools 0.8, useful 1
    assert block["run"]["dqs"] == pytest.approx((0.4 + 0.1 + 0.12 + 0.1) / 0.95)
    assert block["by_concurrency"]["1"] == block["run"]


def test_ablation_deltas_and_ranking_changes() -> None:
    matrix = ablation_matrix({"run": TABLE}, W, ["format_compliance", "quality"])
    assert matrix["components"] == ["format_compliance", "quality"]
    assert matrix["ranking"]["scenarios"] == ["A", "B"]
    fmt = matrix["drop"]["format_compliance"]
    assert fmt["scenarios"]["A"] == {"dqs": 1.0, "delta": pytest.approx(1 - 0.75 / 0.95)}
    assert fmt["scenarios"]["B"]["dqs"] == pytest.approx(0.49 / 0.75)
    assert fmt["ranking_changed"] == {"scenarios": False, "shapes": False, "runs": None}
    quality = matrix["drop"]["quality"]
    assert quality["scenarios"]["A"]["dqs"] == pytest.approx(0.25 / 0.45)
    assert quality["scenarios"]["B"]["dqs"] == pytest.approx(0.39 / 0.45)
    assert quality["ranking_changed"]["scenarios"] is True
    assert matrix["any_ranking_change"] is True


def test_ablation_ranks_the_runs_compared() -> None:
    only_a = RunTable(TABLE.turns[:1], TABLE.sessions[:1])
    only_b = RunTable(TABLE.turns[1:], TABLE.sessions[1:])
    matrix = ablation_matrix({"model-a": only_a, "model-b": only_b}, W, None)
    assert matrix["components"] == list(W.weights)
    assert matrix["ranking"]["runs"] == ["model-a", "model-b"]
    assert matrix["drop"]["quality"]["ranking_changed"]["runs"] is True
    assert matrix["drop"]["useful_ratio"]["ranking_changed"]["runs"] is False
    # the steering rate has no signal anywhere: dropping it changes nothing
    assert matrix["drop"]["steering_rate"]["run"]["delta"] == 0.0
    assert matrix["ranking"]["scenarios"] == ["A"]  # the primary run's scenarios
    assert matrix["drop"]["quality"]["ranking_changed"]["scenarios"] is None
