"""The post-hoc ablation matrix: drop each chosen DQS component (renormalising the others),
report the DQS deltas and whether a ranking changes — between the scenarios and between the
shapes of the primary run, and between the runs compared."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pawbench.scoring.dqs import DIGITS, dqs_of
from pawbench.scoring.table import RunTable
from pawbench.scoring.weights_file import COMPONENTS, Weights

Scores = dict[str, float | None]


def ranking(scores: Scores) -> list[str]:
    """Labels by score, best first (ties by label); labels without a score are left out."""
    scored = [(v, k) for k, v in scores.items() if v is not None]
    return [k for v, k in sorted(scored, key=lambda p: (-p[0], p[1]))]


def _changed(full: Scores, ablated: Scores) -> bool | None:
    common = {k for k in full if full[k] is not None and ablated.get(k) is not None}
    if len(common) < 2:
        return None
    keep = {k: v for k, v in full.items() if k in common}
    return ranking(keep) != ranking({k: v for k, v in ablated.items() if k in common})


def _delta(full: float | None, ablated: float | None) -> float | None:
    return round(ablated - full, DIGITS) if full is not None and ablated is not None else None


def _groups(primary: RunTable, tables: Mapping[str, RunTable]) -> dict[str, dict[str, RunTable]]:
    by: dict[str, Callable[[Any], str | None]] = {
        "scenarios": lambda r: r.scenario_id,
        "shapes": lambda r: r.shape,
    }
    groups = {name: primary.group(key) for name, key in by.items()}
    groups["runs"] = dict(tables) if len(tables) > 1 else {}
    return groups


def ablation_matrix(
    tables: Mapping[str, RunTable], weights: Weights, ablate: Sequence[str] | None = None
) -> dict[str, Any]:
    """The matrix for the components in ``ablate`` (all when empty or None). ``tables`` maps a
    run label to its table; the first is the primary run (its scenarios and shapes are ranked),
    and with two or more the runs are ranked too."""
    chosen = list(ablate or COMPONENTS)
    primary = next(iter(tables.values()))
    groups = _groups(primary, tables)
    full_run = dqs_of(primary, weights)
    full = {name: {k: dqs_of(t, weights) for k, t in g.items()} for name, g in groups.items()}
    drops: dict[str, Any] = {}
    for component in chosen:
        run = dqs_of(primary, weights, drop=[component])
        entry: dict[str, Any] = {"run": {"dqs": run, "delta": _delta(full_run, run)}}
        changed: dict[str, bool | None] = {}
        for name, group in groups.items():
            ablated = {k: dqs_of(t, weights, drop=[component]) for k, t in group.items()}
            entry[name] = {
                k: {"dqs": ablated[k], "delta": _delta(full[name][k], ablated[k])} for k in group
            }
            changed[name] = _changed(full[name], ablated)
        entry["ranking_changed"] = changed
        drops[component] = entry
    return {
        "components": chosen,
        "full": {"run": full_run, **full},
        "ranking": {name: ranking(scores) for name, scores in full.items()},
        "drop": drops,
        "any_ranking_change": any(
            bool(v) for entry in drops.values() for v in entry["ranking_changed"].values()
        ),
    }
