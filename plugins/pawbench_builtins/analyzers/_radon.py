"""Cyclomatic complexity and maintainability index with radon's API.

radon parses the source text with ``ast`` (it never imports or runs it)."""

from __future__ import annotations

from dataclasses import dataclass

RANK_SCORES = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.0}
"""Score of a function by radon's complexity rank (A: 1-5, B: 6-10, C: 11-20, D: 21-30,
E: 31-40, F: 41+)."""


@dataclass(frozen=True)
class RadonMeasures:
    """radon's figures for one file. ``complexity_score`` is None when it has no functions."""

    functions: int
    cc_mean: float | None
    cc_max: int | None
    complexity_score: float | None
    mi: float


def measure(source: str) -> RadonMeasures | str:
    """radon's measures of a Python source text, or why they could not be taken."""
    try:
        from radon.complexity import cc_rank, cc_visit
        from radon.metrics import mi_visit
        from radon.visitors import Class
    except ImportError:
        return "radon is not installed"
    try:
        blocks = [b for b in cc_visit(source) if not isinstance(b, Class)]
        mi = float(mi_visit(source, multi=True))
    except Exception as exc:  # radon on a text it cannot handle: no signal, never a crash
        return f"radon could not analyse the file: {type(exc).__name__}"
    values = [int(b.complexity) for b in blocks]
    if not values:
        return RadonMeasures(0, None, None, None, mi)
    scores = [RANK_SCORES.get(str(cc_rank(v)), 0.0) for v in values]
    return RadonMeasures(
        functions=len(values),
        cc_mean=sum(values) / len(values),
        cc_max=max(values),
        complexity_score=sum(scores) / len(scores),
        mi=mi,
    )
