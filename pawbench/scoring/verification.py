"""Verification over N repeated runs of the same scenarios: does the model pass the same turns
every time, how much does the DQS move, and what is pass^k.

A turn *passes* when it was counted (ok or failed) and its quality is at least
``pass_threshold`` (default 0.75); excluded turns (error, timeout, fixture_gap) are neither a
pass nor a failure. Turns are matched across runs by scenario, shape, agent, level, replica
and turn index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pawbench.scoring.dqs import dqs_of
from pawbench.scoring.stats import mean, mean_ci95, pass_hat_k
from pawbench.scoring.table import RunTable, SessionRow, TurnRow
from pawbench.scoring.weights_file import Weights

PASS_THRESHOLD = 0.75

TurnKey = tuple[str, str, str, int, int, int]
_EMPTY = RunTable((), ())


def _scenario_id(row: TurnRow | SessionRow) -> str:
    return row.scenario_id


def turn_passes(table: RunTable, threshold: float = PASS_THRESHOLD) -> dict[TurnKey, bool]:
    """Pass (True) or fail (False) of each counted turn that has a quality."""
    return {t.key: t.quality >= threshold for t in table.counted if t.quality is not None}


def agreement(outcomes: dict[TurnKey, list[bool]]) -> dict[str, Any]:
    """Per turn judged in two runs or more: the share of runs agreeing with its majority
    outcome; the mean over turns, and the share of turns on which every run agrees."""
    shares = [max(sum(o), len(o) - sum(o)) / len(o) for o in outcomes.values() if len(o) >= 2]
    return {
        "turns": len(shares),
        "mean_agreement": mean(shares),
        "unanimous_share": mean(float(s == 1.0) for s in shares),
    }


def pass_at_k(outcomes: dict[TurnKey, list[bool]], runs: int) -> dict[str, Any]:
    """pass^k for k = 1..runs over the turns judged in every run: the mean over turns of
    C(passes, k) / C(runs, k), the chance that k runs in a row all pass."""
    complete = [o for o in outcomes.values() if len(o) == runs]
    values = {
        str(k): mean(pass_hat_k(sum(o), runs, k) for o in complete) for k in range(1, runs + 1)
    }
    return {"turns": len(complete), "values": values}


def verification_summary(
    tables: Sequence[RunTable], weights: Weights, pass_threshold: float = PASS_THRESHOLD
) -> dict[str, Any]:
    """The ``verification`` block of N runs (``--verification-runs N``): DQS mean with a 95 %
    t interval (run and per scenario), per-turn pass agreement and pass^k."""
    outcomes: dict[TurnKey, list[bool]] = defaultdict(list)
    for table in tables:
        for key, passed in turn_passes(table, pass_threshold).items():
            outcomes[key].append(passed)
    run_dqs = [dqs_of(t, weights) for t in tables]
    scenarios = sorted({t.scenario_id for table in tables for t in table.turns})
    by_scenario = {}
    for sid in scenarios:
        values = [dqs_of(t.group(_scenario_id).get(sid, _EMPTY), weights) for t in tables]
        by_scenario[sid] = mean_ci95([v for v in values if v is not None])
    return {
        "runs": len(tables),
        "pass_threshold": pass_threshold,
        "dqs": {**mean_ci95([v for v in run_dqs if v is not None]), "values": run_dqs},
        "dqs_by_scenario": by_scenario,
        "agreement": agreement(outcomes),
        "pass_hat_k": pass_at_k(outcomes, len(tables)),
    }
