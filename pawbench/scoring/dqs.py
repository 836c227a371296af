"""DQS: the weighted mean of five components, each in [0, 1], per group of turns.

Components of a group (a run, a scenario, a shape, a level):

- ``quality``: mean ``quality.turn`` over its counted turns;
- ``format_compliance``: mean over its sessions of ``format.final`` (the agent's final answer);
- ``tool_accuracy``: mean ``tool_call.accuracy`` over its counted turns;
- ``useful_ratio``: Σ useful tokens / Σ visible output tokens over its counted turns;
- ``steering_rate``: share of its counted steering turns that followed the event.

A component without signal in the group (no steering turn, no scored turn) is dropped and the
remaining weights are renormalised: DQS = Σ wᵢ·vᵢ / Σ wᵢ over the components present. So is
every component named in ``drop`` (the ablation). No component at all: DQS is None.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

from pawbench.scoring.stats import mean, ratio
from pawbench.scoring.table import RunTable
from pawbench.scoring.weights_file import COMPONENTS, Weights

DIGITS = 12
"""DQS values are rounded to 12 decimals, so that equal inputs give equal scores whatever the
order of the floating-point sums (a renormalised 1.0 stays 1.0)."""


def components(table: RunTable) -> dict[str, float | None]:
    """The five component values of a group (None: no signal)."""
    counted = table.counted
    steering = [t.followed for t in counted if t.event == "steering"]
    return {
        "quality": mean(t.quality for t in counted),
        "format_compliance": mean(s.format_final for s in table.sessions),
        "tool_accuracy": mean(t.tool_accuracy for t in counted),
        "useful_ratio": ratio(
            sum(t.useful_tokens for t in counted), sum(t.output_tokens for t in counted)
        ),
        "steering_rate": mean(steering),
    }


def combine(
    values: dict[str, float | None], weights: Weights, drop: Collection[str] = ()
) -> dict[str, Any]:
    """DQS from component values: ``dqs``, the components, the weights actually used
    (renormalised) and the components dropped for lack of signal."""
    present = {
        c: v
        for c, v in values.items()
        if v is not None and c not in drop and weights.weights.get(c, 0.0) > 0
    }
    total = sum(weights.weights[c] for c in present)
    used = {c: weights.weights[c] / total for c in present} if total > 0 else {}
    score = round(math.fsum(used[c] * present[c] for c in used), DIGITS) if used else None
    return {
        "dqs": score,
        "components": {c: values.get(c) for c in COMPONENTS},
        "weights_used": used,
        "no_signal": [c for c in COMPONENTS if values.get(c) is None],
    }


def dqs_of(table: RunTable, weights: Weights, drop: Collection[str] = ()) -> float | None:
    """The DQS of a group."""
    value = combine(components(table), weights, drop)["dqs"]
    return float(value) if value is not None else None


def dqs_block(table: RunTable, weights: Weights) -> dict[str, Any]:
    """The ``dqs`` result block: the weights (with their hash), the run, and per scenario,
    shape and concurrency level."""
    return {
        **weights.describe(),
        "run": combine(components(table), weights),
        "by_scenario": _by(table, weights, lambda r: r.scenario_id),
        "by_shape": _by(table, weights, lambda r: r.shape),
        "by_concurrency": _by(table, weights, lambda r: str(r.level)),
    }


def _by(table: RunTable, weights: Weights, key: Any) -> dict[str, Any]:
    return {k: combine(components(sub), weights) for k, sub in table.group(key).items()}
