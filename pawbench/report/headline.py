"""The headline metrics that compare puts side by side, and where each is read from.

Each metric lists the paths it may live at (the first one that holds a number wins), so results
from PawBench 1.1.4 and from this version read the same way; an absent metric is None ("-").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pawbench.report.loader import RequestSample
from pawbench.report.values import first_scalar, get, items, number

Item = tuple[float, ...]
Statistic = Callable[[Sequence[Item]], float | None]


def mean_of_first(sample: Sequence[Item]) -> float | None:
    """Mean of the first field of each item."""
    return sum(i[0] for i in sample) / len(sample) if sample else None


def ratio_of_sums(sample: Sequence[Item]) -> float | None:
    """Σ first field / Σ second field (tokens over seconds)."""
    den = sum(i[1] for i in sample)
    return sum(i[0] for i in sample) / den if den > 0 else None


SATURATION_ID = "raw-saturation"  # scenario_id of the raw saturation test's request records


def _single_agent(requests: Sequence[RequestSample]) -> list[RequestSample]:
    """Successful scenario requests at concurrency 1 (what dim1_throughput is built from)."""
    return [r for r in requests if r.level == 1 and r.ok and r.scenario_id != SATURATION_ID]


def _single_items(requests: Sequence[RequestSample]) -> list[Item]:
    return [
        (r.completion_tokens, r.e2e_ms / 1e3)
        for r in _single_agent(requests)
        if r.completion_tokens is not None and r.e2e_ms is not None
    ]


def _ttft_items(requests: Sequence[RequestSample]) -> list[Item]:
    return [(r.ttft_ms,) for r in _single_agent(requests) if r.ttft_ms is not None]


@dataclass(frozen=True)
class Metric:
    """One headline metric: how to read it, which way is better, and (when it is defined per
    request) how to rebuild it from request records for a bootstrap."""

    key: str
    label: str
    unit: str
    higher_is_better: bool
    paths: tuple[str, ...]
    per_request: Callable[[Sequence[RequestSample]], list[Item]] | None = None
    statistic: Statistic = mean_of_first
    repeat_paths: tuple[str, ...] = ()

    def read(self, doc: Mapping[str, Any]) -> float | None:
        """The metric's value in a document, or None."""
        return first_scalar(doc, self.paths)

    def repeated(self, doc: Mapping[str, Any]) -> list[float]:
        """Values of repeated runs a document lists for this metric (``verification``)."""
        for path in self.repeat_paths:
            values = [v for v in map(number, items(get(doc, path))) if v is not None]
            if values:
                return values
        return []


HEADLINE: tuple[Metric, ...] = (
    Metric(
        "single_tok_s",
        "single-agent tok/s",
        "tok/s",
        True,
        ("dim1_throughput.avg_single_tok_s",),
        _single_items,
        ratio_of_sums,
    ),
    Metric(
        "ttft_ms", "TTFT (single agent)", "ms", False, ("dim1_throughput.avg_ttft_ms",), _ttft_items
    ),
    Metric("raw_peak_tok_s", "raw peak tok/s", "tok/s", True, ("dim1_throughput.raw_peak_tok_s",)),
    Metric(
        "avg_quality",
        "avg quality",
        "",
        True,
        ("dim2_quality.avg_quality", "dim2_quality.quality"),
    ),
    Metric(
        "tool_accuracy",
        "tool accuracy",
        "",
        True,
        ("dim2_quality.tool_accuracy", "dim2_quality.tool_calls.tool_accuracy"),
    ),
    Metric(
        "format_compliance",
        "format compliance",
        "",
        True,
        ("dim2_quality.format_compliance_rate", "dim2_quality.format_compliance"),
    ),
    Metric(
        "useful_ratio",
        "useful ratio",
        "",
        True,
        (
            "dim3_efficiency.useful_ratio",
            "dim3_efficiency.useful_token_ratio",
            "dim3_efficiency.avg_useful_ratio",
        ),
    ),
    Metric(
        "steering_rate",
        "steering rate",
        "",
        True,
        (
            "dim4_adaptability.steering_rate",
            "dim4_adaptability.steering_response_rate",
            "dim4_adaptability.avg_steering_rate",
        ),
    ),
    Metric("dqs", "DQS", "", True, ("dqs",), repeat_paths=("verification.dqs.values",)),
)


def headline(doc: Mapping[str, Any]) -> dict[str, float | None]:
    """Every headline metric of a document (None where absent)."""
    return {m.key: m.read(doc) for m in HEADLINE}
