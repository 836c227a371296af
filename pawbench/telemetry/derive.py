"""Per-level and per-run values from probe samples (pure functions; docs/server-metrics.md).

A name ending in ``_total`` is a counter: a window's value is its increase between the window's
samples, never the lifetime total, and a drop is a reset (the server restarted: the counter
begins again at zero, so the new reading is the increase since). Every other name is a gauge:
its peak and mean over the window's samples.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    """The values every probe gave at one instant. ``level`` indexes the level whose window
    holds the sample (None between levels); ``failed`` names the probes that gave nothing."""

    t_s: float
    level: int | None
    phase: str
    values: Mapping[str, float]
    failed: frozenset[str] = frozenset()


def is_counter(name: str) -> bool:
    """Whether a canonical name is a counter."""
    return name.endswith("_total")


def number(value: float) -> float | int:
    """Integral floats as ints (token counts read better), others unchanged."""
    return int(value) if float(value).is_integer() else value


def counter_increase(readings: Sequence[float]) -> tuple[float, int]:
    """The increase over successive readings of a counter, and how many resets it crossed."""
    total, resets = 0.0, 0
    for before, after in itertools.pairwise(readings):
        if after >= before:
            total += after - before
        else:
            total += after
            resets += 1
    return total, resets


def gauge_stats(readings: Sequence[float]) -> dict[str, float | int]:
    """Peak, mean and number of readings of a gauge."""
    return {
        "peak": number(max(readings)),
        "mean": math.fsum(readings) / len(readings),
        "samples": len(readings),
    }


def _names(samples: Iterable[Sample]) -> list[str]:
    return sorted({name for s in samples for name in s.values})


def counter_deltas(samples: Sequence[Sample]) -> tuple[dict[str, float], int]:
    """Each counter's increase over the samples (name without ``_total``; a counter read fewer
    than twice has no increase) and the number of resets crossed."""
    deltas: dict[str, float] = {}
    resets = 0
    for name in _names(samples):
        if not is_counter(name):
            continue
        readings = [s.values[name] for s in samples if name in s.values]
        if len(readings) >= 2:
            increase, crossed = counter_increase(readings)
            deltas[name.removesuffix("_total")] = increase
            resets += crossed
    return deltas, resets


def gauges(samples: Sequence[Sample]) -> dict[str, dict[str, float | int]]:
    """Peak and mean of every gauge over the samples."""
    out: dict[str, dict[str, float | int]] = {}
    for name in _names(samples):
        if not is_counter(name):
            out[name] = gauge_stats([s.values[name] for s in samples if name in s.values])
    return out


def _ratio(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def _stat(stats: Mapping[str, Mapping[str, float | int]], name: str, key: str) -> Any:
    return stats[name][key] if name in stats else None


def derived(
    deltas: Mapping[str, float], stats: Mapping[str, Mapping[str, float | int]]
) -> dict[str, Any]:
    """The named values a reporter shows. Rates come from counter deltas only; the ``*_gauge``
    values are what the server itself reports (vLLM V0, SGLang), not per-window rates."""
    accepted = deltas.get("spec_accepted_tokens")
    per_draft = _ratio(accepted, deltas.get("spec_drafts"))
    return {
        "prefix_cache_hit_rate": _ratio(
            deltas.get("prefix_cache_hits"), deltas.get("prefix_cache_queries")
        ),
        "spec_acceptance_rate": _ratio(accepted, deltas.get("spec_draft_tokens")),
        "spec_mean_acceptance_length": None if per_draft is None else 1 + per_draft,
        "kv_cache_usage_peak": _stat(stats, "kv_cache_usage", "peak"),
        "kv_cache_usage_mean": _stat(stats, "kv_cache_usage", "mean"),
        "queue_depth_peak": _stat(stats, "requests_waiting", "peak"),
        "running_peak": _stat(stats, "requests_running", "peak"),
        "preemptions": _maybe(deltas.get("preemptions")),
        "prompt_tokens": _maybe(deltas.get("prompt_tokens")),
        "generation_tokens": _maybe(deltas.get("generation_tokens")),
        "prefix_cache_hit_rate_gauge_mean": _stat(stats, "prefix_cache_hit_rate_gauge", "mean"),
        "spec_acceptance_rate_gauge_mean": _stat(stats, "spec_acceptance_rate_gauge", "mean"),
        "spec_acceptance_length_gauge_mean": _stat(stats, "spec_acceptance_length_gauge", "mean"),
    }


def _maybe(value: float | None) -> float | int | None:
    return None if value is None else number(value)


def window_block(samples: Sequence[Sample]) -> dict[str, Any]:
    """Counter deltas, gauge statistics and derived values of one window of samples."""
    deltas, resets = counter_deltas(samples)
    stats = gauges(samples)
    return {
        "samples": len(samples),
        "counter_resets": resets,
        "deltas": {k: number(v) for k, v in deltas.items()},
        "gauges": stats,
        "derived": derived(deltas, stats),
    }


def run_block(windows: Sequence[Sequence[Sample]]) -> dict[str, Any]:
    """The run over its level windows: counter deltas summed over the levels (traffic between
    levels is not the run's), gauges over every in-level sample, rates from the summed deltas."""
    deltas: dict[str, float] = {}
    resets = 0
    for window in windows:
        level_deltas, crossed = counter_deltas(window)
        resets += crossed
        for name, value in level_deltas.items():
            deltas[name] = deltas.get(name, 0.0) + value
    stats = gauges([s for window in windows for s in window])
    return {
        "levels": len(windows),
        "samples": sum(len(w) for w in windows),
        "counter_resets": resets,
        "deltas": {k: number(v) for k, v in deltas.items()},
        "gauges": stats,
        "derived": derived(deltas, stats),
    }


def series(samples: Sequence[Sample], labels: Sequence[str]) -> dict[str, Any]:
    """The samples as columns for plots: times (seconds since telemetry start), the level label
    of each sample (None between levels), its phase, and one column per value name."""
    names = _names(samples)
    return {
        "t_s": [round(s.t_s, 4) for s in samples],
        "level": [None if s.level is None else labels[s.level] for s in samples],
        "phase": [s.phase for s in samples],
        "values": {name: [s.values.get(name) for s in samples] for name in names},
    }


def headline(
    run: Mapping[str, Any], engine: str | None, levels: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The values a reporter shows first, with notes where they need one."""
    d = run["derived"]
    notes: list[str] = []
    if d["prefix_cache_hit_rate"] is None and d["prefix_cache_hit_rate_gauge_mean"] is not None:
        notes.append(
            "prefix cache hit rate: the server reports only its own gauge "
            "(prefix_cache_hit_rate_gauge_mean), not counters: not a per-run value"
        )
    if d["spec_acceptance_rate"] is None and d["spec_acceptance_rate_gauge_mean"] is not None:
        notes.append(
            "speculative acceptance: the server reports only its own gauge "
            "(spec_acceptance_rate_gauge_mean), not counters: not a per-run value"
        )
    if run["counter_resets"]:
        notes.append(f"counters went back {run['counter_resets']} times (a server restart?)")
    if any(not lv["complete"] for lv in levels):
        notes.append("some levels miss a boundary sample: their counter deltas may be short")
    return {
        "engine": engine,
        "prefix_cache_hit_rate": d["prefix_cache_hit_rate"],
        "spec_acceptance_rate": d["spec_acceptance_rate"],
        "spec_mean_acceptance_length": d["spec_mean_acceptance_length"],
        "kv_cache_usage_peak": d["kv_cache_usage_peak"],
        "kv_cache_usage_mean": d["kv_cache_usage_mean"],
        "notes": notes,
    }
