"""Open-loop load: seeded Poisson arrivals, and latency measured from the schedule so that a
client that cannot keep up cannot hide the queueing."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from pawbench.engine.openloop import poisson_gaps
from pawbench.engine.saturation import SATURATION_ID
from tests.load.support import PACED, run_against_sim


def test_arrivals_are_seeded_and_poisson_distributed() -> None:
    rate, n = 50.0, 4000
    gaps = list(itertools.islice(poisson_gaps(rate, 7), n))
    assert gaps == list(itertools.islice(poisson_gaps(rate, 7), n))  # same seed, same schedule
    assert gaps[:10] != list(itertools.islice(poisson_gaps(rate, 8), 10))
    mean = sum(gaps) / n
    # exponential gaps: mean 1/rate (standard error 1/(rate sqrt n) = 1.6 % here; bound 6 %),
    # coefficient of variation 1, and P(gap < mean ln 2) = 1/2 (bounds about 4 sigma)
    assert abs(mean * rate - 1) < 0.06
    sd = math.sqrt(sum((g - mean) ** 2 for g in gaps) / (n - 1))
    assert abs(sd / mean - 1) < 0.08
    below = sum(1 for g in gaps if g < math.log(2) / rate) / n
    assert abs(below - 0.5) < 0.035


def test_open_loop_requests_follow_the_seeded_schedule(tmp_path: Path) -> None:
    rate = 40.0
    outcome, _ = run_against_sim(
        PACED,
        0.05,
        tmp_path,
        model="sim-chatty",
        scenario_levels=False,
        request_rates=[rate],
        seed=3,
        saturation_duration_s=1.0,
        warmup_s=0.2,
        saturation_output_tokens=16,
    )
    doc = outcome.document
    (level,) = doc["saturation_curve"]
    assert level["mode"] == "open" and level["request_rate"] == rate
    assert level["concurrency"] is None
    assert doc["saturation"]["analysis"]["load"] == "request_rate"
    assert doc["dim1_throughput"]["raw_peak_request_rate"] == rate
    # Poisson count over 1 s at 40/s: mean 40, sd 6.3; bound +-4 sd
    assert 15 <= level["requests"] <= 65
    # the recorded schedule is exactly the seeded one: cumulative gaps from the level start
    start_ns = round(level["window"]["level_start_s"] * 1e9)
    records = [
        r
        for r in _requests(Path(doc["requests_jsonl"]))
        if r["session_id"] == f"{SATURATION_ID}-r40"
    ]
    offsets = sorted(r["t_scheduled_ns"] - start_ns for r in records)
    expected, t = [], 0
    for gap in itertools.islice(poisson_gaps(rate, 3), len(offsets)):
        t += round(gap * 1e9)
        expected.append(t)
    assert len(offsets) >= 20
    assert all(abs(a - b) <= 1 for a, b in zip(offsets, expected, strict=True))
    assert level["send_lag_ms"]["p50"] < 50  # an idle client sends on time


def test_a_client_that_falls_behind_shows_in_latency_from_schedule(tmp_path: Path) -> None:
    """One request at a time (max_in_flight 1) takes about 16 x 2.25 ms = 36 ms; arrivals at
    80/s come every 12.5 ms on average: the queue grows in the client. Latency from the send
    hides it; latency from the schedule does not."""
    outcome, _ = run_against_sim(
        PACED,
        0.1,
        tmp_path,
        model="sim-chatty",
        scenario_levels=False,
        request_rates=[80.0],
        max_in_flight=1,
        saturation_duration_s=0.5,
        warmup_s=0.0,
        saturation_output_tokens=16,
        slo={"ttft_ms": 100.0},
    )
    (level,) = outcome.document["saturation_curve"]
    assert level["achieved_concurrency"]["max"] == 1
    assert level["ttft_ms"]["p90"] < 50
    assert level["send_lag_ms"]["p90"] > 100
    assert level["ttft_from_schedule_ms"]["p90"] > level["ttft_ms"]["p90"] + 100
    assert level["e2e_from_schedule_ms"]["max"] > level["e2e_ms"]["max"]
    # an SLO on TTFT from the send is met by every request: the queueing is invisible to it
    assert level["goodput"]["share"] == 1.0


def _requests(path: Path) -> list[dict[str, object]]:
    import orjson

    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return [r for r in rows if r["record"] == "request"]
