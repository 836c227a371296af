"""Client honesty: event-loop lag and CPU share are measured, and a client that is the
bottleneck says so."""

from __future__ import annotations

import asyncio
import time

from pawbench.engine.client_health import (
    CPU_LIMIT_PERCENT,
    LAG_P99_LIMIT_MS,
    ClientMonitor,
    assess,
)


def test_thresholds_flag_lag_and_cpu() -> None:
    calm = assess({"p99": LAG_P99_LIMIT_MS}, CPU_LIMIT_PERCENT)
    assert calm["client_bottleneck"] is False and calm["reason"] is None
    laggy = assess({"p99": LAG_P99_LIMIT_MS + 1}, 10.0)
    assert laggy["client_bottleneck"] and "event-loop lag p99" in laggy["reason"]
    busy = assess({"p99": 1.0}, CPU_LIMIT_PERCENT + 1)
    assert busy["client_bottleneck"] and "CPU" in busy["reason"]
    assert assess({"p99": None}, None)["client_bottleneck"] is False


def test_a_blocked_event_loop_is_measured_and_flagged() -> None:
    """The loop is idle for 0.3 s, then blocked by 0.3 s of busy work in 3 slices of 100 ms.
    Bounds: idle CPU under 50 % of a core and lag p99 under 20 ms (it is ~1 ms); blocked: each
    slice delays the sampler by ~100 ms (bound: > 60 ms), CPU near 100 % (bound: > 70 %)."""

    async def main() -> tuple[dict[str, object], dict[str, object]]:
        monitor = ClientMonitor(time.perf_counter_ns())
        monitor.start()
        t0 = time.perf_counter_ns() - monitor.t0_ns
        await asyncio.sleep(0.3)
        t1 = time.perf_counter_ns() - monitor.t0_ns
        for _ in range(3):
            end = time.perf_counter() + 0.1
            while time.perf_counter() < end:
                pass
            await asyncio.sleep(0)
        t2 = time.perf_counter_ns() - monitor.t0_ns
        await asyncio.sleep(0.02)
        await monitor.stop()
        return monitor.window(t0, t1), monitor.window(t1, t2 + 20_000_000)

    idle, blocked = asyncio.run(main())
    assert idle["client_bottleneck"] is False, idle
    assert idle["cpu_percent"] is not None and idle["cpu_percent"] < 50  # type: ignore[operator]
    assert blocked["client_bottleneck"] is True
    lag = blocked["loop_lag_ms"]
    assert isinstance(lag, dict) and lag["max"] > 60
    assert blocked["cpu_percent"] is not None and blocked["cpu_percent"] > 70  # type: ignore[operator]
