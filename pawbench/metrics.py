"""Pure functions over measurements: percentiles, distributions, rates over windows, requests in
flight, peak one-second throughput, the knee of a throughput curve and SLO attainment.

Percentiles use linear interpolation between closest ranks (numpy's default method), so p50 of
[1, 2, 3, 4] is 2.5. Times are integers (nanoseconds) unless a name says otherwise. Every
formula is also written in docs/metrics.md.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

NS = 1_000_000_000
KNEE_SHARE = 0.9
"""The knee is the lowest load whose throughput reaches this share of the peak."""
SLO_ATTAINMENT = 0.9
"""A level meets the SLOs when at least this share of its requests meets every SLO."""


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) of values, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return _sorted_percentile(ordered, q)


def _sorted_percentile(ordered: Sequence[float], q: float) -> float:
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(values: Sequence[float]) -> dict[str, float | int | None]:
    """count, mean, min, p50, p90, p99, max of values (None when empty)."""
    if not values:
        return {
            "count": 0,
            "mean": None,
            "min": None,
            "p50": None,
            "p90": None,
            "p99": None,
            "max": None,
        }
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "mean": sum(ordered) / len(ordered),
        "min": ordered[0],
        "p50": _sorted_percentile(ordered, 50),
        "p90": _sorted_percentile(ordered, 90),
        "p99": _sorted_percentile(ordered, 99),
        "max": ordered[-1],
    }


def rate(amount: float, seconds: float) -> float | None:
    """amount per second, None over an empty window."""
    return amount / seconds if seconds > 0 else None


def in_flight(intervals: Iterable[tuple[int, int]], start: int, end: int) -> dict[str, float]:
    """Requests in flight over the window ``[start, end)``, from ``(sent, ended)`` intervals.

    ``mean`` is time-weighted: the summed overlap of every interval with the window divided by
    the window's length. ``max`` is the largest number of intervals open at one instant inside
    the window (an interval that ends at the instant another starts does not overlap it).
    """
    length = end - start
    if length <= 0:
        return {"mean": 0.0, "max": 0}
    busy = 0
    edges: list[tuple[int, int]] = []
    for sent, ended in intervals:
        lo, hi = max(sent, start), min(ended, end)
        if hi > lo:
            busy += hi - lo
            edges.append((lo, 1))
            edges.append((hi, -1))
    edges.sort()  # at equal times -1 sorts first: an end before a start
    level = peak = 0
    for _, step in edges:
        level += step
        peak = max(peak, level)
    return {"mean": busy / length, "max": peak}


def amount_in(events: Iterable[tuple[int, float]], start: int, end: int) -> float:
    """The summed amounts of ``(time, amount)`` events with ``start <= time < end``."""
    return sum(amount for t, amount in events if start <= t < end)


def peak_rate(
    events: Iterable[tuple[int, float]], start: int, end: int, width: int = NS
) -> float | None:
    """The largest amount per second in any window of ``width`` ns inside ``[start, end)``.

    The window slides: every ``[s, s + width)`` with ``start <= s`` and ``s + width <= end``
    counts. None when ``[start, end)`` is shorter than ``width``.
    """
    if end - start < width:
        return None
    inside = sorted((t, a) for t, a in events if start <= t < end)
    if not inside:
        return 0.0
    times = [t for t, _ in inside]
    prefix = [0.0, *itertools.accumulate(a for _, a in inside)]
    best = 0.0
    # a best window can always be slid right until it starts at an event (or ends at
    # ``end``); window starts only grow, so both edges are found by walking forward
    count, lo, hi, last = len(times), 0, 0, end - width
    for t in times:
        s = t if t < last else last
        while times[lo] < s:
            lo += 1
        e = s + width
        while hi < count and times[hi] < e:
            hi += 1
        if prefix[hi] - prefix[lo] > best:
            best = prefix[hi] - prefix[lo]
    return best * NS / width


def token_times(
    first_ns: int | None, gaps_ms: Sequence[float], tokens: int, fallback_ns: int
) -> list[tuple[int, float]]:
    """When a request's output tokens arrived: the first token-bearing event at ``first_ns``,
    each later one ``gap`` after the previous, and the ``tokens`` spread evenly over them
    (exact when the server sends one token per event). Without any token-bearing event, all
    tokens are placed at ``fallback_ns`` (the end of the request)."""
    if tokens <= 0:
        return []
    if first_ns is None:
        return [(fallback_ns, float(tokens))]
    share = tokens / (len(gaps_ms) + 1)
    out = [(first_ns, share)]
    elapsed, amount = 0.0, share
    for gap in gaps_ms:
        if gap:
            elapsed += gap
            out.append((first_ns + round(elapsed * 1e6), share))
            amount = share
        else:  # events that arrived together: one point in time
            amount += share
            out[-1] = (out[-1][0], amount)
    return out


@dataclass(frozen=True)
class CurvePoint:
    """One load level of a throughput curve: its load (concurrency or request rate) and
    throughput."""

    load: float
    throughput: float | None


def peak(points: Sequence[CurvePoint]) -> CurvePoint | None:
    """The point of highest throughput (the lowest load among equals); None without data."""
    known = [p for p in points if p.throughput is not None]
    if not known:
        return None
    return max(sorted(known, key=lambda p: p.load), key=lambda p: p.throughput or 0.0)


def knee(points: Sequence[CurvePoint], share: float = KNEE_SHARE) -> CurvePoint | None:
    """The lowest load whose throughput reaches ``share`` of the peak: beyond it more load
    buys at most ``1 - share`` more throughput."""
    top = peak(points)
    if top is None or top.throughput is None:
        return None
    bar = share * top.throughput
    reached = [p for p in points if p.throughput is not None and p.throughput >= bar]
    return min(reached, key=lambda p: p.load)


def parse_slo(text: str) -> dict[str, float]:
    """``"ttft_ms=2000,tpot_ms=50"`` -> {"ttft_ms": 2000.0, "tpot_ms": 50.0}; ValueError on
    a malformed item, an unknown metric or a bound that is not positive."""
    out: dict[str, float] = {}
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in SLO_METRICS:
            known = ", ".join(SLO_METRICS)
            raise ValueError(f"expected name=value with a name among {known}, got {item!r}")
        try:
            bound = float(value)
        except ValueError:
            raise ValueError(f"{name}: {value.strip()!r} is not a number") from None
        if not bound > 0:
            raise ValueError(f"{name}: the bound must be positive")
        out[name] = bound
    return out


SLO_METRICS = (
    "ttft_ms",
    "tpot_ms",
    "e2e_ms",
    "itl_max_ms",
    "ttft_from_schedule_ms",
    "e2e_from_schedule_ms",
)
"""Per-request values an SLO may bound (``itl_max_ms``: the request's longest token gap)."""


def meets_slo(values: Mapping[str, float | None], slo: Mapping[str, float]) -> bool:
    """Whether one request's values are within every bound. A value the request does not have
    (TPOT of a one-token reply) cannot violate its bound."""
    for name, bound in slo.items():
        value = values.get(name)
        if value is not None and value > bound:
            return False
    return True


def slo_summary(met: int, total: int, seconds: float) -> dict[str, float | int | bool | None]:
    """Goodput of a level: requests meeting every SLO, their share of all measured requests
    (failed ones count and never meet), their rate, and whether the share reaches
    ``SLO_ATTAINMENT``."""
    share = met / total if total else None
    return {
        "requests_met": met,
        "requests": total,
        "share": share,
        "requests_s": rate(met, seconds),
        "meets": share is not None and share >= SLO_ATTAINMENT,
    }


def highest_meeting(levels: Sequence[tuple[float, bool]]) -> float | None:
    """The highest load before the first one (in increasing load) that misses the SLOs."""
    best: float | None = None
    for load, meets in sorted(levels):
        if not meets:
            break
        best = load
    return best
