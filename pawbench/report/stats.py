"""Seeded bootstrap confidence intervals of a difference, and the verdict they support."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pawbench.metrics import percentile
from pawbench.report.headline import Item, Statistic

Verdict = Literal["better", "worse", "within noise"]


@dataclass(frozen=True)
class Bootstrap:
    """Settings of the percentile bootstrap."""

    resamples: int = 2000
    confidence: float = 0.95
    seed: int = 0


def bootstrap_diff(
    base: Sequence[Item], other: Sequence[Item], statistic: Statistic, settings: Bootstrap
) -> tuple[float, float] | None:
    """Percentile-bootstrap interval of ``statistic(other) - statistic(base)``: both samples are
    resampled with replacement, independently, ``settings.resamples`` times from a seeded
    generator (the same inputs always give the same interval). None when a sample is empty."""
    if not base or not other:
        return None
    rng = random.Random(settings.seed)
    diffs: list[float] = []
    for _ in range(settings.resamples):
        a = statistic(rng.choices(base, k=len(base)))
        b = statistic(rng.choices(other, k=len(other)))
        if a is not None and b is not None:
            diffs.append(b - a)
    if len(diffs) < settings.resamples / 2:
        return None
    tail = (1.0 - settings.confidence) / 2.0 * 100.0
    low, high = percentile(diffs, tail), percentile(diffs, 100.0 - tail)
    assert low is not None and high is not None
    return low, high


def verdict(interval: tuple[float, float] | None, higher_is_better: bool) -> Verdict | None:
    """better / worse when the interval of the difference excludes zero, else within noise."""
    if interval is None:
        return None
    low, high = interval
    if low > 0:
        return "better" if higher_is_better else "worse"
    if high < 0:
        return "worse" if higher_is_better else "better"
    return "within noise"
