"""Client honesty: is pawbench itself the bottleneck?

A sampling task wakes up every ``interval`` and records how late it woke (event-loop lag: the
time between when ``asyncio.sleep`` was due to return and when it did) together with the
process CPU time. Over any window, the lag distribution and the CPU share (process CPU seconds
per wall second; 100 % = one core) tell whether timestamps could be late and whether the client
had spare capacity. Thresholds (docs/metrics.md): p99 lag above ``LAG_P99_LIMIT_MS`` or CPU above
``CPU_LIMIT_PERCENT`` of one core flag the window as client-bound.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from pawbench.metrics import distribution

LAG_P99_LIMIT_MS = 20.0
CPU_LIMIT_PERCENT = 90.0
INTERVAL_S = 0.01


@dataclass
class ClientMonitor:
    """Samples event-loop lag and process CPU time while the run lasts (``start``/``stop``)."""

    t0_ns: int
    interval_s: float = INTERVAL_S
    times: list[int] = field(default_factory=list)  # ns from t0, sample wake-up
    lags_ms: list[float] = field(default_factory=list)
    cpu_ns: list[int] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sampling on the running loop."""
        if self._task is None:
            self._sample(time.perf_counter_ns(), 0.0)
            self._task = asyncio.get_running_loop().create_task(self._run(), name="client-health")

    async def stop(self) -> None:
        """Stop sampling (takes one last sample)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._sample(time.perf_counter_ns(), 0.0)

    async def _run(self) -> None:
        interval_ns = round(self.interval_s * 1e9)
        while True:
            due = time.perf_counter_ns() + interval_ns
            await asyncio.sleep(self.interval_s)
            woke = time.perf_counter_ns()
            self._sample(woke, max(0, woke - due) / 1e6)

    def _sample(self, t_ns: int, lag_ms: float) -> None:
        self.times.append(t_ns - self.t0_ns)
        self.lags_ms.append(lag_ms)
        self.cpu_ns.append(time.process_time_ns())

    def window(self, start_ns: int, end_ns: int) -> dict[str, Any]:
        """Health over ``[start_ns, end_ns]`` (ns from t0): lag distribution, CPU share, and
        whether the client was the bottleneck, with the reason."""
        times = self.times
        if not times:
            return assess(distribution([]), None)
        lags = self.lags_ms[
            bisect.bisect_left(times, start_ns) : bisect.bisect_right(times, end_ns)
        ]
        lo, hi = max(start_ns, times[0]), min(end_ns, times[-1])
        cpu = 100.0 * (self._cpu_at(hi) - self._cpu_at(lo)) / (hi - lo) if hi > lo else None
        return assess(distribution(lags), cpu)

    def _cpu_at(self, t_ns: int) -> float:
        """Process CPU ns at ``t_ns``, interpolated between the samples around it (CPU is
        taken as evenly spread between two samples; a blocked loop takes none)."""
        times, cpu = self.times, self.cpu_ns
        i = bisect.bisect_left(times, t_ns)
        if i == 0:
            return float(cpu[0])
        if i == len(times):
            return float(cpu[-1])
        t_a, t_b = times[i - 1], times[i]
        share = (t_ns - t_a) / (t_b - t_a) if t_b > t_a else 1.0
        return cpu[i - 1] + share * (cpu[i] - cpu[i - 1])


def assess(lag: dict[str, Any], cpu_percent: float | None) -> dict[str, Any]:
    """The client-health block of a window from its lag distribution and CPU share."""
    reasons = []
    p99 = lag.get("p99")
    if p99 is not None and p99 > LAG_P99_LIMIT_MS:
        reasons.append(f"event-loop lag p99 {p99:.1f} ms > {LAG_P99_LIMIT_MS:g} ms")
    if cpu_percent is not None and cpu_percent > CPU_LIMIT_PERCENT:
        reasons.append(f"client CPU {cpu_percent:.0f} % of one core > {CPU_LIMIT_PERCENT:g} %")
    return {
        "loop_lag_ms": lag,
        "cpu_percent": cpu_percent,
        "client_bottleneck": bool(reasons),
        "reason": "; ".join(reasons) or None,
    }
