"""The saturation curve as compact points, from whichever block a result has."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pawbench.metrics import percentile
from pawbench.report.loader import read_requests
from pawbench.report.values import first_scalar, items, number


def latency(point: Mapping[str, Any], name: str, q: str) -> float | None:
    """``ttft`` ``p50`` of a curve point, whichever way the writer spelled it."""
    return first_scalar(point, (f"{name}_ms.{q}", f"{name}_{q}_ms", f"{q}_{name}_ms"))


def integral(value: float | None) -> float | int | None:
    """A whole number as int (JSON ``8`` rather than ``8.0``)."""
    return int(value) if value is not None and float(value).is_integer() else value


def _errors(value: Any) -> float | int | None:
    """An error count, or the sum of errors by cause."""
    if isinstance(value, Mapping):
        return integral(sum(v for v in map(number, value.values()) if v is not None))
    return integral(number(value))


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def _exact_ttft(requests_path: Path | None) -> dict[int, list[float]]:
    by_level: dict[int, list[float]] = defaultdict(list)
    if requests_path is not None:
        for r in read_requests(requests_path):
            if r.ok and r.ttft_ms is not None:
                by_level[r.level].append(r.ttft_ms)
    return by_level


def curve_points(
    doc: Mapping[str, Any], requests_path: Path | None = None
) -> tuple[str | None, list[dict[str, Any]]]:
    """(source, points): the raw ``saturation_curve`` when there is one, else the scenario
    sweep's ``concurrency_curve`` with TTFT percentiles recomputed from requests.jsonl."""
    raw = [p for p in items(doc.get("saturation_curve")) if isinstance(p, Mapping)]
    source = "saturation_curve" if raw else "concurrency_curve"
    points = raw or [p for p in items(doc.get("concurrency_curve")) if isinstance(p, Mapping)]
    if not points:
        return None, []
    exact = {} if raw else _exact_ttft(requests_path)
    out = []
    for p in points:
        level = number(p.get("concurrency"))
        samples = exact.get(int(level), []) if level is not None else []
        out.append(
            {
                "concurrency": integral(level),
                "tok_s": first_scalar(p, ("tok_s", "output_tok_s")),
                "ttft_p50_ms": _first(latency(p, "ttft", "p50"), percentile(samples, 50)),
                "ttft_p99_ms": _first(latency(p, "ttft", "p99"), percentile(samples, 99)),
                "errors": _errors(p.get("errors")),
            }
        )
    return source, out
