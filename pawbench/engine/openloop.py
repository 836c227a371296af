"""Open-loop load: requests arrive at seeded Poisson times, whatever the server does.

Inter-arrival gaps are exponential with mean ``1 / rate`` drawn from ``random.Random`` seeded
with ``"<seed>:<rate>"``, so the same seed gives the same schedule for a level whatever ran
before it. Each request is scheduled at its arrival time (``t_scheduled``); a client that sends
it late (a busy event loop, or ``max_in_flight`` requests already open) shows as send lag and in
the latencies measured from the schedule, so queueing in the client cannot hide
(no coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterator

from pawbench.engine.dispatcher import now_ns
from pawbench.engine.saturation import SaturationLevel, SaturationRunner, finish


def poisson_gaps(rate: float, seed: int) -> Iterator[float]:
    """Seconds between consecutive arrivals of a Poisson process of ``rate`` per second."""
    rng = random.Random(f"{seed}:{rate!r}")
    while True:
        yield rng.expovariate(rate)


async def run_open(runner: SaturationRunner, rate: float) -> SaturationLevel:
    """One open-loop level at ``rate`` requests per second."""
    label = f"r{rate:g}"
    t_start = now_ns()
    window = runner.window(t_start)
    gate = asyncio.Semaphore(runner.plan.max_in_flight)
    open_tasks: set[asyncio.Task[None]] = set()
    failures: list[BaseException] = []

    async def one(n: int, t_scheduled: int, measured: bool | None) -> None:
        async with gate:
            await runner.send(window, measured, label, 0, f"a{n}", t_scheduled)

    def done(task: asyncio.Task[None]) -> None:
        open_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            failures.append(task.exception())  # type: ignore[arg-type]

    async def arrivals() -> None:
        t_next = t_start
        for n, gap in enumerate(poisson_gaps(rate, runner.plan.seed), 1):
            t_next += round(gap * 1e9)
            delay = t_next - now_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            if failures:
                raise failures[0]
            task = asyncio.create_task(one(n, t_next, window.enter(t_next)))
            open_tasks.add(task)
            task.add_done_callback(done)

    try:
        await finish(window, [asyncio.create_task(arrivals())])
    finally:
        for task in list(open_tasks):
            task.cancel()
        for task in list(open_tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return runner.level(label, None, rate, t_start, window)
