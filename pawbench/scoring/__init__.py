"""Scoring: from records and scorer scores to the result blocks ``dim2_quality``,
``quality_by_tier``, ``dim3_efficiency``, ``dim4_adaptability``, ``dqs``, ``ablation`` and
``verification``. Definitions in docs/metrics.md.

Typical use after a run::

    scores, warnings = run_scorers(scorers, views)
    weights = load_weights(options.weights)          # None: the built-in dqs-v1.0.0.json
    blocks = build_dimensions(views, scores, weights, ablate=parse_ablate(options.ablate))
    document.update(blocks)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pawbench.components import SessionView
from pawbench.scoring.ablation import ablation_matrix
from pawbench.scoring.dimensions import (
    NUDGE_BASELINES,
    dim2_quality,
    dim3_efficiency,
    dim4_adaptability,
    quality_by_tier,
)
from pawbench.scoring.dqs import combine, components, dqs_block, dqs_of
from pawbench.scoring.records import load_views
from pawbench.scoring.table import (
    RunTable,
    ScoresBySession,
    SessionRow,
    TurnRow,
    build_table,
    run_scorers,
)
from pawbench.scoring.verification import PASS_THRESHOLD, verification_summary
from pawbench.scoring.weights_file import (
    COMPONENTS,
    Weights,
    load_weights,
    parse_ablate,
    parse_weights,
)


def blocks_of(
    table: RunTable,
    weights: Weights,
    ablate: Sequence[str] | None = None,
    baselines: Mapping[str, str] = NUDGE_BASELINES,
) -> dict[str, Any]:
    """Every scoring block of one run's table (``ablation`` over ``ablate``, all when empty)."""
    return {
        "dim2_quality": dim2_quality(table),
        "quality_by_tier": quality_by_tier(table),
        "dim3_efficiency": dim3_efficiency(table),
        "dim4_adaptability": dim4_adaptability(table, baselines),
        "dqs": dqs_block(table, weights),
        "ablation": ablation_matrix({"run": table}, weights, ablate),
    }


def build_dimensions(
    views: Sequence[SessionView],
    scores_by_session: ScoresBySession,
    weights: Weights,
    *,
    shapes: Mapping[str, str] | None = None,
    ablate: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The scoring blocks of a run from its session views and the scores of the built-in
    scorers (by session id). ``shapes`` overrides the shape label of sessions by id."""
    return blocks_of(build_table(views, scores_by_session, shapes), weights, ablate)


__all__ = [
    "COMPONENTS",
    "NUDGE_BASELINES",
    "PASS_THRESHOLD",
    "RunTable",
    "ScoresBySession",
    "SessionRow",
    "TurnRow",
    "Weights",
    "ablation_matrix",
    "blocks_of",
    "build_dimensions",
    "build_table",
    "combine",
    "components",
    "dim2_quality",
    "dim3_efficiency",
    "dim4_adaptability",
    "dqs_block",
    "dqs_of",
    "load_views",
    "load_weights",
    "parse_ablate",
    "parse_weights",
    "quality_by_tier",
    "run_scorers",
    "verification_summary",
]
