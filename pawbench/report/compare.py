"""Compare runs: headline metrics side by side, deltas against the first run (the baseline),
bootstrap intervals and verdicts where the data allows, and regressions beyond a threshold.

Statistics, in order of preference for each metric:
- repeats: both runs have at least two repeated measurements (several result files given as one
  run; inside a result, ``verification.dqs.values`` for DQS, or ``repeats``: a list of
  documents with the headline blocks) → bootstrap of the difference of their means;
- per-request: the metric is defined per request (single-agent tok/s, TTFT) and both results
  name a requests.jsonl that exists → bootstrap over the requests, recomputing the metric exactly
  as the result defines it;
- otherwise only the delta is shown (no verdict).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pawbench.report.headline import HEADLINE, Item, Metric, mean_of_first
from pawbench.report.loader import LoadedResult, RequestSample, embedded_repeats, read_requests
from pawbench.report.stats import Bootstrap, bootstrap_diff, verdict

COMPARE_FORMAT = "pawbench-compare/1"


@dataclass
class RunGroup:
    """One compared configuration: a result file, or several repeats of the same setup."""

    results: list[LoadedResult]
    label: str
    _requests: list[RequestSample] | None = field(default=None, repr=False)

    def repeats(self, metric: Metric) -> list[float]:
        """Repeated measurements of ``metric`` (files of the group, else the document's own)."""
        docs: list[Mapping[str, Any]] = [r.document for r in self.results]
        if len(docs) < 2:
            own = metric.repeated(docs[0])
            if own:
                return own
            docs = list(embedded_repeats(docs[0]))
        return [v for v in (metric.read(d) for d in docs) if v is not None]

    def value(self, metric: Metric) -> float | None:
        """The run's value: the mean over repeat files, else the document's own figure."""
        if len(self.results) == 1:
            own = metric.read(self.results[0].document)
            if own is not None:
                return own
        values = self.repeats(metric)
        return sum(values) / len(values) if values else None

    def request_items(self, metric: Metric) -> list[Item]:
        """Per-request items for ``metric`` from the group's requests.jsonl files."""
        if metric.per_request is None:
            return []
        if self._requests is None:
            self._requests = [
                sample
                for r in self.results
                if r.requests_path is not None
                for sample in read_requests(r.requests_path)
            ]
        return metric.per_request(self._requests)


def groups_from(runs: Sequence[Sequence[LoadedResult]]) -> list[RunGroup]:
    """Groups with unique labels (a repeated tag gets ``#2``, ``#3`` ...)."""
    groups: list[RunGroup] = []
    seen: dict[str, int] = {}
    for results in runs:
        label = results[0].label
        seen[label] = seen.get(label, 0) + 1
        groups.append(
            RunGroup(list(results), label if seen[label] == 1 else f"{label}#{seen[label]}")
        )
    return groups


def _stats(
    metric: Metric, base: RunGroup, other: RunGroup, settings: Bootstrap
) -> tuple[tuple[float, float] | None, str | None]:
    ra, rb = base.repeats(metric), other.repeats(metric)
    if len(ra) >= 2 and len(rb) >= 2:
        interval = bootstrap_diff([(v,) for v in ra], [(v,) for v in rb], mean_of_first, settings)
        return interval, f"bootstrap over repeats ({len(ra)} vs {len(rb)})"
    ia, ib = base.request_items(metric), other.request_items(metric)
    if len(ia) >= 2 and len(ib) >= 2:
        interval = bootstrap_diff(ia, ib, metric.statistic, settings)
        return interval, f"bootstrap over requests ({len(ia)} vs {len(ib)})"
    return None, None


def _pct(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return part / abs(whole) * 100.0


def compare_metric(
    metric: Metric,
    base: RunGroup,
    other: RunGroup,
    settings: Bootstrap,
    fail_pct: float | None,
) -> dict[str, Any]:
    """One cell of the comparison: values, delta, interval, verdict, regression flag."""
    a, b = base.value(metric), other.value(metric)
    delta = b - a if a is not None and b is not None else None
    interval, method = _stats(metric, base, other, settings) if delta is not None else (None, None)
    judged = verdict(interval, metric.higher_is_better)
    delta_pct = _pct(delta, a)
    worse_pct = None
    if delta_pct is not None:
        worse_pct = -delta_pct if metric.higher_is_better else delta_pct
    regression = (
        fail_pct is not None
        and worse_pct is not None
        and worse_pct > fail_pct
        and judged != "within noise"
    )
    return {
        "baseline": a,
        "value": b,
        "delta": delta,
        "delta_pct": delta_pct,
        "ci": list(interval) if interval else None,
        "ci_pct": [_pct(interval[0], a), _pct(interval[1], a)] if interval else None,
        "method": method,
        "verdict": judged,
        "regression": regression,
    }


def _run_info(group: RunGroup) -> dict[str, Any]:
    return {
        "label": group.label,
        "files": [str(r.path) for r in group.results],
        "formats": sorted({r.format for r in group.results}),
        "per_request_data": any(r.requests_path is not None for r in group.results),
        "headline": {m.key: group.value(m) for m in HEADLINE},
    }


def compare(
    groups: Sequence[RunGroup], settings: Bootstrap, fail_pct: float | None = None
) -> dict[str, Any]:
    """The comparison document (what ``pawbench compare --json`` prints)."""
    base = groups[0]
    comparisons: list[dict[str, Any]] = [
        {
            "label": other.label,
            "metrics": {
                m.key: compare_metric(m, base, other, settings, fail_pct) for m in HEADLINE
            },
        }
        for other in groups[1:]
    ]
    regressions = [
        {"run": c["label"], "metric": key, "delta_pct": cell["delta_pct"]}
        for c in comparisons
        for key, cell in c["metrics"].items()
        if cell["regression"]
    ]
    return {
        "format": COMPARE_FORMAT,
        "baseline": base.label,
        "runs": [_run_info(g) for g in groups],
        "metrics": [
            {"key": m.key, "label": m.label, "unit": m.unit, "higher_is_better": m.higher_is_better}
            for m in HEADLINE
        ],
        "comparisons": comparisons,
        "bootstrap": {
            "resamples": settings.resamples,
            "confidence": settings.confidence,
            "seed": settings.seed,
        },
        "fail_on_regression_pct": fail_pct,
        "regressions": regressions,
    }
