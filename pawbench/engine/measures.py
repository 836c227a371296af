"""Figures computed from request records over a window, shared by the scenario levels and the
saturation curve (definitions in docs/metrics.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pawbench.metrics import distribution, in_flight, peak_rate, token_times
from pawbench.models.records import RequestRecord


def ok(requests: Sequence[RequestRecord]) -> list[RequestRecord]:
    """The successful requests."""
    return [r for r in requests if r.status == "ok"]


def output_events(requests: Sequence[RequestRecord]) -> list[tuple[int, float]]:
    """When the output tokens of successful requests arrived (see ``metrics.token_times``)."""
    events: list[tuple[int, float]] = []
    for r in ok(requests):
        events += token_times(r.t_first_token_ns, r.itl_ms, r.completion_tokens or 0, r.t_end_ns)
    return events


def concurrency(requests: Sequence[RequestRecord], start: int, end: int) -> dict[str, float]:
    """Requests in flight (sent to ended, failed ones too) over ``[start, end)``."""
    return in_flight(((r.t_sent_ns, r.t_end_ns) for r in requests), start, end)


def peak_1s(requests: Sequence[RequestRecord], start: int, end: int) -> float | None:
    """The most output tokens in any one second inside ``[start, end)``, per second."""
    return peak_rate(output_events(requests), start, end)


def errors(requests: Sequence[RequestRecord]) -> dict[str, Any]:
    """Failed requests by cause, counts and shares of all requests."""
    causes = Counter(r.error_cause or r.status for r in requests if r.status != "ok")
    total = len(requests)
    return {
        "errors": dict(causes),
        "error_rate": sum(causes.values()) / total if total else 0.0,
        "error_rates": {cause: n / total for cause, n in causes.items()},
    }


def latencies(requests: Sequence[RequestRecord]) -> dict[str, dict[str, Any]]:
    """TTFT, TPOT, ITL and E2E distributions over successful requests."""
    good = ok(requests)
    return {
        "ttft_ms": distribution([r.ttft_ms for r in good if r.ttft_ms is not None]),
        "tpot_ms": distribution([r.tpot_ms for r in good if r.tpot_ms is not None]),
        "itl_ms": distribution([g for r in good for g in r.itl_ms]),
        "e2e_ms": distribution([r.e2e_ms for r in good]),
    }


def scheduled_ns(r: RequestRecord) -> int:
    """When a request was due to be sent: its schedule, else its send time."""
    return r.t_scheduled_ns if r.t_scheduled_ns is not None else r.t_sent_ns


def from_schedule(r: RequestRecord) -> dict[str, float | None]:
    """A request's latencies measured from its scheduled send time, and its send lag (ms)."""
    t = scheduled_ns(r)
    first = r.t_first_token_ns
    return {
        "ttft_from_schedule_ms": None if first is None else (first - t) / 1e6,
        "e2e_from_schedule_ms": (r.t_end_ns - t) / 1e6,
        "send_lag_ms": (r.t_sent_ns - t) / 1e6,
    }


def slo_values(r: RequestRecord) -> dict[str, float | None]:
    """The per-request values an SLO can bound (``metrics.SLO_METRICS``)."""
    return {
        "ttft_ms": r.ttft_ms,
        "tpot_ms": r.tpot_ms,
        "e2e_ms": r.e2e_ms,
        "itl_max_ms": max(r.itl_ms) if r.itl_ms else None,
        **from_schedule(r),
    }
