"""Verification over repeated runs: t intervals, pass^k and per-turn agreement, by hand."""

from __future__ import annotations

import math

import pytest

from pawbench.scoring import RunTable, SessionRow, TurnRow, load_weights, verification_summary
from pawbench.scoring.stats import mean_ci95, pass_hat_k, t975

W = load_weights()


@pytest.mark.parametrize(
    ("df", "value"),
    [(1, 12.706), (2, 4.303), (30, 2.042), (40, 2.021), (120, 1.980), (10**6, 1.960)],
)
def test_t_quantiles(df: int, value: float) -> None:
    assert t975(df) == pytest.approx(value, abs=1e-3)


def test_mean_with_a_95_percent_interval() -> None:
    result = mean_ci95([0.8, 0.9, 1.0])
    half = 4.303 * 0.1 / math.sqrt(3)
    assert result["mean"] == pytest.approx(0.9)
    assert result["stdev"] == pytest.approx(0.1)
    assert result["ci95"] == pytest.approx([0.9 - half, 0.9 + half])
    assert mean_ci95([0.7]) == {"n": 1, "mean": 0.7, "stdev": None, "ci95": None, "method": "t"}
    assert mean_ci95([])["mean"] is None


@pytest.mark.parametrize(
    ("passes", "trials", "k", "value"),
    [(3, 3, 3, 1.0), (2, 3, 1, 2 / 3), (2, 3, 2, 1 / 3), (2, 3, 3, 0.0), (0, 4, 1, 0.0)],
)
def test_pass_hat_k(passes: int, trials: int, k: int, value: float) -> None:
    assert pass_hat_k(passes, trials, k) == pytest.approx(value)


def _table(qualities: list[float | None], status: list[str] | None = None) -> RunTable:
    turns = tuple(
        TurnRow(
            session_id="s",
            scenario_id="unit",
            agent_id="dev",
            level=1,
            shape=None,
            ordinal=0,
            turn_index=i,
            status=(status or ["ok"] * len(qualities))[i],
            tier="crud",
            tier_source="turn",
            event=None,
            quality=q,
        )
        for i, q in enumerate(qualities)
    )
    return RunTable(turns, (SessionRow("s", "unit", "dev", 1, None, None),))


def test_verification_summary_by_hand() -> None:
    # three runs of three turns; pass = quality >= 0.75
    runs = [
        _table([1.0, 0.5, 0.8]),  # pass, fail, pass  -> quality 23/30
        _table([1.0, 1.0, 0.8]),  # pass, pass, pass  -> 28/30
        _table([1.0, 0.5, 0.7], ["ok", "ok", "error"]),  # pass, fail, (excluded) -> 0.75
    ]
    summary = verification_summary(runs, W)
    assert summary["runs"] == 3 and summary["pass_threshold"] == 0.75
    # only quality has signal: DQS is the mean quality of each run
    assert summary["dqs"]["values"] == pytest.approx([23 / 30, 28 / 30, 0.75])
    assert summary["dqs"]["mean"] == pytest.approx((23 / 30 + 28 / 30 + 0.75) / 3)
    assert summary["dqs_by_scenario"]["unit"]["mean"] == summary["dqs"]["mean"]
    # turn 0: 3/3 agree; turn 1: 2/3; turn 2: judged twice, 2/2
    assert summary["agreement"] == {
        "turns": 3,
        "mean_agreement": pytest.approx((1 + 2 / 3 + 1) / 3),
        "unanimous_share": pytest.approx(2 / 3),
    }
    # pass^k over the turns judged in all three runs (0: 3 passes, 1: 1 pass)
    assert summary["pass_hat_k"] == {
        "turns": 2,
        "values": {
            "1": pytest.approx((1 + 1 / 3) / 2),
            "2": pytest.approx((1 + 0) / 2),
            "3": pytest.approx(0.5),
        },
    }


def test_a_single_run_has_no_interval() -> None:
    summary = verification_summary([_table([1.0])], W)
    assert summary["dqs"]["ci95"] is None
    assert summary["agreement"]["turns"] == 0
    assert summary["pass_hat_k"]["values"] == {"1": 1.0}
