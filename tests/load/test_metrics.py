"""Percentiles, windows, in-flight counts, peak one-second rate, knee and goodput against values
computed by hand."""

from __future__ import annotations

import random

import pytest

from pawbench.metrics import (
    CurvePoint,
    amount_in,
    distribution,
    highest_meeting,
    in_flight,
    knee,
    meets_slo,
    parse_slo,
    peak,
    peak_rate,
    percentile,
    slo_summary,
    token_times,
)

S = 1_000_000_000


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    # rank = (n - 1) * q / 100: p40 -> rank 1.6 -> 20 + 0.6 * (35 - 20) = 29
    assert percentile(values, 40) == pytest.approx(29.0)
    assert percentile(values, 0) == 15.0 and percentile(values, 100) == 50.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([], 50) is None
    d = distribution([4.0, 1.0, 3.0, 2.0])
    assert d["count"] == 4 and d["mean"] == 2.5 and d["min"] == 1.0 and d["max"] == 4.0
    # p90: rank 2.7 -> 3 + 0.7 = 3.7; p99: rank 2.97 -> 3.97
    assert d["p90"] == pytest.approx(3.7) and d["p99"] == pytest.approx(3.97)
    assert distribution([])["p50"] is None


def test_in_flight_is_time_weighted_and_clipped_to_the_window() -> None:
    # window [0, 10): a [0, 10) busy all along, b [2, 6) = 4, c [8, 14) clipped to [8, 10) = 2,
    # d [-5, 1) clipped to [0, 1) = 1 -> (10 + 4 + 2 + 1) / 10 = 1.7; most at once: a+b = 2,
    # and a+c = 2, a+d = 2 (d ends at 1, b starts at 2)
    got = in_flight([(0, 10), (2, 6), (8, 14), (-5, 1)], 0, 10)
    assert got["mean"] == pytest.approx(1.7) and got["max"] == 2
    # an end at the very instant of a start is not an overlap
    assert in_flight([(0, 5), (5, 10)], 0, 10) == {"mean": 1.0, "max": 1}
    assert in_flight([(20, 30)], 0, 10) == {"mean": 0.0, "max": 0}
    assert in_flight([(0, 1)], 5, 5) == {"mean": 0.0, "max": 0}


def test_amount_in_a_window_counts_the_start_and_not_the_end() -> None:
    events = [(0, 1.0), (5, 2.0), (10, 4.0)]
    assert amount_in(events, 0, 10) == 3.0
    assert amount_in(events, 5, 11) == 6.0


def test_peak_rate_slides_a_one_second_window() -> None:
    # 3 s window; 10 tokens at 0.5 s, 30 at 1.2 s, 20 at 1.9 s, 5 at 2.5 s.
    events = [(S // 2, 10.0), (12 * S // 10, 30.0), (19 * S // 10, 20.0), (25 * S // 10, 5.0)]
    # best 1 s slice: [1.2, 2.2) holds 30 + 20 = 50 (a fixed 1 s grid would say 50 too, but
    # [0.5, 1.5) = 40 and [1.9, 2.9) = 25 are smaller)
    assert peak_rate(events, 0, 3 * S) == 50.0
    # a window shorter than a second has no peak one-second rate
    assert peak_rate(events, 0, S - 1) is None
    # the slice may not run past the window's end: [2, 3) holds only 5
    assert peak_rate(events, 2 * S, 3 * S) == 5.0
    assert peak_rate([], 0, 2 * S) == 0.0
    # half-second slices, as a rate per second: [1.2, 1.7) holds 30 -> 60/s
    assert peak_rate(events, 0, 3 * S, width=S // 2) == 60.0


def test_peak_rate_equals_a_brute_force_search() -> None:
    rng = random.Random(7)
    for _ in range(50):
        events = [(rng.randrange(0, 4 * S), float(rng.randint(1, 9))) for _ in range(60)]
        start, end = rng.randrange(0, S), rng.randrange(2 * S, 4 * S)
        inside = [(t, a) for t, a in events if start <= t < end]
        # every window [s, s + 1 s) that starts at an event or ends at ``end``
        starts = [min(t, end - S) for t, _ in inside] or [start]
        brute = max(sum(a for t, a in inside if s <= t < s + S) for s in starts)
        assert peak_rate(events, start, end) == brute


def test_token_times_spread_a_requests_tokens_over_its_events() -> None:
    # first token event at 100 ns, then gaps of 1 ms and 2 ms: events at 100, 1_000_100,
    # 3_000_100; 6 tokens -> 2 per event
    got = token_times(100, [1.0, 2.0], 6, fallback_ns=99)
    assert got == [(100, 2.0), (1_000_100, 2.0), (3_000_100, 2.0)]
    assert token_times(None, [], 4, fallback_ns=7) == [(7, 4.0)]
    # events read together (0 ms apart) are one point in time holding their tokens
    assert token_times(100, [0.0, 0.0, 1.0, 0.0], 10, fallback_ns=9) == [
        (100, 6.0),
        (1_000_100, 4.0),
    ]
    assert token_times(5, [], 0, fallback_ns=7) == []


def curve(*pairs: tuple[float, float | None]) -> list[CurvePoint]:
    return [CurvePoint(load, tps) for load, tps in pairs]


def test_knee_is_the_lowest_load_reaching_ninety_percent_of_the_peak() -> None:
    # a saturating curve: peak 1000 at 32; 90 % of it is 900: 16 (950) is the knee
    c = curve((1, 100), (2, 200), (4, 390), (8, 700), (16, 950), (32, 1000), (64, 990))
    top = peak(c)
    assert top is not None and top.load == 32 and top.throughput == 1000
    bend = knee(c)
    assert bend is not None and bend.load == 16
    # linear: the knee is the last level (the curve never flattened)
    lin = knee(curve((1, 10), (2, 20), (4, 40), (8, 80)))
    assert lin is not None and lin.load == 8
    # exactly 90 % counts
    exact = knee(curve((1, 90), (2, 100)))
    assert exact is not None and exact.load == 1
    # a collapse after the peak does not move the knee
    drop = knee(curve((1, 50), (2, 95), (4, 100), (8, 20)))
    assert drop is not None and drop.load == 2
    # ties at the peak: the lowest load is the peak
    tie = peak(curve((4, 100), (2, 100)))
    assert tie is not None and tie.load == 2
    assert knee(curve((1, None))) is None and peak([]) is None


def test_slo_parsing_and_per_request_checks() -> None:
    assert parse_slo("ttft_ms=2000, tpot_ms=50") == {"ttft_ms": 2000.0, "tpot_ms": 50.0}
    for bad in ("ttft=5", "ttft_ms", "ttft_ms=x", "ttft_ms=0"):
        with pytest.raises(ValueError):
            parse_slo(bad)
    slo = {"ttft_ms": 100.0, "tpot_ms": 10.0}
    assert meets_slo({"ttft_ms": 100.0, "tpot_ms": 9.0}, slo)  # the bound itself meets
    assert not meets_slo({"ttft_ms": 100.1, "tpot_ms": 9.0}, slo)
    assert meets_slo({"ttft_ms": 50.0, "tpot_ms": None}, slo)  # a one-token reply has no TPOT


def test_goodput_share_rate_and_highest_meeting_level() -> None:
    # 9 of 10 requests meet every SLO over 2 s: share 0.9 (meets, at the 90 % bar), 4.5/s
    assert slo_summary(9, 10, 2.0) == {
        "requests_met": 9,
        "requests": 10,
        "share": 0.9,
        "requests_s": 4.5,
        "meets": True,
    }
    assert slo_summary(8, 10, 2.0)["meets"] is False
    assert slo_summary(0, 0, 2.0)["meets"] is False
    # the highest level before the first miss, in increasing load order
    assert highest_meeting([(4, True), (1, True), (2, True), (8, False), (16, True)]) == 4
    assert highest_meeting([(1, False), (2, True)]) is None
