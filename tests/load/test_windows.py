"""The steady-state window of a saturation level, computed from hand-made records: which
requests are measured, tokens inside the window, requests in flight, latencies from the
schedule; and the analysis over a hand-made curve."""

from __future__ import annotations

import asyncio

import pytest

from pawbench.engine.curve import analyse, curve_block, raw_peak
from pawbench.engine.saturation import SATURATION_ID, SaturationLevel, SaturationPlan, Window
from pawbench.models.records import RequestRecord

S = 1_000_000_000
MS = 1_000_000


def rec(
    name: str,
    sent: float,
    end: float,
    *,
    scheduled: float | None = None,
    first: float | None = None,
    gaps_ms: list[float] | None = None,
    tokens: int = 0,
    prompt: int = 0,
    cause: str | None = None,
) -> RequestRecord:
    """A saturation record with times in seconds."""
    return RequestRecord(
        request_id=name,
        session_id=f"{SATURATION_ID}-c2",
        scenario_id=SATURATION_ID,
        agent_id="load",
        level=2,
        turn_index=0,
        step=0,
        status="ok" if cause is None else "error",
        error_cause=cause,
        t_sent_ns=round(sent * S),
        t_scheduled_ns=round((sent if scheduled is None else scheduled) * S),
        t_first_token_ns=None if first is None else round(first * S),
        t_end_ns=round(end * S),
        ttft_ms=None if first is None else (first - sent) * 1e3,
        e2e_ms=(end - sent) * 1e3,
        itl_ms=gaps_ms or [],
        prompt_tokens=prompt,
        completion_tokens=tokens,
    )


RECORDS = [
    # warm-up (sent before the window): token events at 0.5, 1.0, 1.5, 2.0 s
    rec("r1", 0.2, 2.1, first=0.5, gaps_ms=[500, 500, 500], tokens=4, prompt=100),
    # measured: token events at 1.2, 1.3, 1.4, 1.5 s
    rec("r2", 1.0, 1.6, first=1.2, gaps_ms=[100, 100, 100], tokens=4, prompt=50),
    # measured, sent 100 ms after its schedule: token events at 2.8 and 3.3 s
    rec("r3", 2.6, 3.5, scheduled=2.5, first=2.8, gaps_ms=[500], tokens=2, prompt=10),
    # measured, failed
    rec("r4", 2.0, 2.05, cause="http_5xx"),
    # scheduled at the window's end: not measured
    rec("r5", 3.0, 3.4, first=3.1, gaps_ms=[100], tokens=2, prompt=10),
]
LEVEL = SaturationLevel("c2", 2, None, 0, 1 * S, 3 * S, 4 * S)
PLAN = SaturationPlan("m", [2], [], 2.0, None, 1.0, 4, 8, 0)


def test_a_level_block_matches_hand_computed_values() -> None:
    b = curve_block(LEVEL, RECORDS, PLAN, slo={"ttft_ms": 250.0})
    assert b["window"]["start_s"] == 1.0 and b["window"]["duration_s"] == 2.0
    assert b["window"]["warmup_s"] == 1.0
    assert b["requests"] == 3 and b["requests_ok"] == 2  # r2, r3, r4
    assert b["errors"] == {"http_5xx": 1} and b["error_rate"] == pytest.approx(1 / 3)
    # tokens emitted in [1, 3): r1 at 1.0, 1.5, 2.0 (3) + r2 (4) + r3 at 2.8 (1) = 8 over 2 s
    assert b["tok_s"] == pytest.approx(4.0)
    # prompt tokens of requests whose first token came in the window: r2 50 + r3 10
    assert b["total_tok_s"] == pytest.approx((8 + 60) / 2)
    # successful requests that ended in the window: r1 (2.1 s), r2 (1.6 s)
    assert b["requests_s"] == pytest.approx(1.0)
    # best one-second slice: [1.0, 2.0) holds r1's 1.0 and 1.5 and r2's four tokens
    assert b["peak_1s_tok_s"] == pytest.approx(6.0)
    # in flight over [1, 3): r1 1.1 s + r2 0.6 + r3 0.4 + r4 0.05 = 2.15 s / 2 s
    assert b["achieved_concurrency"]["mean"] == pytest.approx(1.075)
    assert b["achieved_concurrency"]["max"] == 2
    assert b["ttft_ms"]["count"] == 2 and b["ttft_ms"]["mean"] == pytest.approx(200.0)
    assert b["ttft_from_schedule_ms"]["max"] == pytest.approx(300.0)
    assert b["e2e_from_schedule_ms"]["max"] == pytest.approx(1000.0)
    assert b["send_lag_ms"]["max"] == pytest.approx(100.0)
    assert b["output_tokens"] == {"requested": 4, "mean": 3.0, "min": 2, "max": 4, "fixed": False}
    # r2 (200 ms) meets TTFT <= 250 ms, r3 (200 ms from its send) too; r4 failed: 2 of 3
    assert b["goodput"]["requests_met"] == 2 and b["goodput"]["requests"] == 3
    assert b["goodput"]["meets"] is False


def test_an_slo_on_the_schedule_catches_client_side_queueing() -> None:
    b = curve_block(LEVEL, RECORDS, PLAN, slo={"ttft_from_schedule_ms": 250.0})
    assert b["goodput"]["requests_met"] == 1  # r3 waited 100 ms before it was sent


def test_analysis_of_a_curve() -> None:
    def block(load: int, tok_s: float, meets: bool) -> dict[str, object]:
        return {
            "concurrency": load,
            "request_rate": None,
            "mode": "closed",
            "tok_s": tok_s,
            "goodput": {"meets": meets},
        }

    curve = [block(1, 100, True), block(2, 190, True), block(4, 300, False), block(8, 310, True)]
    a = analyse(curve, {"ttft_ms": 100.0})
    assert a["peak"] == {"concurrency": 8, "tok_s": 310}
    assert a["knee"] == {"concurrency": 4, "tok_s": 300}  # 300 >= 0.9 * 310 = 279
    assert a["saturated"] is True
    assert a["slo"]["highest_meeting"] == 2 and a["slo"]["levels_meeting"] == [1, 2, 8]
    assert raw_peak(a) == {
        "raw_peak_tok_s": 310,
        "raw_peak_concurrency": 8,
        "raw_peak_request_rate": None,
    }
    rising = analyse([block(1, 100, True), block(2, 200, True)], {})
    assert rising["saturated"] is False and "slo" not in rising


def test_window_membership_and_closing() -> None:
    async def main() -> None:
        w = Window(start=100, end=200, target=None)
        # warm-up (waited for, not measured), measured, cool-down (neither)
        assert w.enter(99) is False and w.enter(100) is True and w.enter(199) is True
        assert w.enter(200) is None
        assert w.open == 3
        w.closed = True
        w.leave(True)
        w.leave(None)  # a cool-down request changes nothing
        w.leave(True)
        assert not w.finished.is_set()  # the warm-up request is still in flight
        w.leave(False)
        assert w.finished.is_set() and w.completed == 2

        counted = Window(start=0, end=None, target=2)
        assert counted.enter(5) and counted.enter(6) and counted.enter(7)
        counted.leave(True)
        assert counted.end is None
        counted.leave(True)  # the second measured completion closes the window ...
        assert counted.end is not None and counted.closed and not counted.finished.is_set()
        assert counted.enter(counted.end) is None  # ... later requests are not measured
        counted.leave(True)  # ... and it is over when the third measured request is done
        assert counted.finished.is_set()

    asyncio.run(main())
