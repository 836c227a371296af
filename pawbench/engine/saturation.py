"""The raw saturation test: streamed requests at fixed load levels through the same endpoint and
dispatcher as the scenarios, each with a distinct prompt drawn from the scenarios' content and a
fixed output length where the server allows it.

Closed loop (default): at level N, N workers each send a request, wait for its end, and send the
next one. Open loop (``--request-rate``): requests arrive at seeded Poisson times whatever the
server does (see ``openloop``). Either way a level runs a warm-up, then a steady-state window:
``[start + warmup, start + warmup + duration)``, or, with a request count, until that many
requests sent inside the window have completed. Requests *sent* (open loop: *scheduled*) inside
the window are the measured ones; the load goes on after the window until every request sent
before its end has finished (so that no measured request sees a lighter load, and the tokens of
every request in flight during the window are recorded), then the cool-down requests sent after
it are abandoned unrecorded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pawbench.engine.dispatcher import Dispatcher, RequestMeta, now_ns
from pawbench.engine.prompts import PromptPool
from pawbench.models.records import RequestRecord
from pawbench.models.wire import ChatRequest

SATURATION_ID = "raw-saturation"
"""The ``scenario_id`` of every saturation request record."""
REJECTED_STATUSES = (400, 422)

Sink = Callable[[RequestRecord], Awaitable[None]]


@dataclass(frozen=True)
class SaturationPlan:
    """How the saturation test runs (from the run options)."""

    model: str
    levels: list[int]
    rates: list[float]
    duration_s: float | None
    requests: int | None
    warmup_s: float
    output_tokens: int
    max_in_flight: int
    seed: int
    temperature: float | None = None

    @property
    def open_loop(self) -> bool:
        """Whether requests arrive at a rate (open loop) rather than from N workers."""
        return bool(self.rates)


@dataclass(frozen=True)
class SaturationLevel:
    """When one saturation level ran (ns from the run start) and what it was."""

    label: str
    concurrency: int | None
    request_rate: float | None
    t_start_ns: int
    window_start_ns: int
    window_end_ns: int
    t_end_ns: int


class Window:
    """The steady-state window of one level and the requests it still waits for: every
    request scheduled before the window's end (warm-up ones too, whose tokens may fall inside
    the window) must finish before the level ends; later ones (cool-down) are abandoned."""

    def __init__(self, start: int, end: int | None, target: int | None) -> None:
        self.start, self.end, self.target = start, end, target
        self.open = 0
        self.completed = 0
        self.closed = False
        self.finished = asyncio.Event()

    def enter(self, t_scheduled: int) -> bool | None:
        """Whether a request scheduled at ``t_scheduled`` (absolute ns) is measured (True),
        waited for but not measured (False: warm-up), or neither (None: cool-down)."""
        if self.end is not None and t_scheduled >= self.end:
            return None
        self.open += 1
        return t_scheduled >= self.start

    def leave(self, measured: bool | None) -> None:
        """A request that ``enter`` counted (``measured`` is not None) finished."""
        if measured is None:
            return
        self.open -= 1
        if measured:
            self.completed += 1
            if self.end is None and self.target is not None and self.completed >= self.target:
                self.end, self.closed = now_ns(), True
        self._check()

    def _check(self) -> None:
        if self.closed and self.open == 0:
            self.finished.set()

    async def wait(self) -> None:
        """Until the window is over and every request scheduled before its end finished."""
        if self.end is not None:
            await asyncio.sleep(max(0, self.end - now_ns()) / 1e9)
            self.closed = True
            self._check()
        await self.finished.wait()


class SaturationRunner:
    """Runs the levels of a saturation plan; records go to ``sink`` as they finish."""

    def __init__(
        self, dispatcher: Dispatcher, sink: Sink, pool: PromptPool, plan: SaturationPlan
    ) -> None:
        self.dispatcher = dispatcher
        self.sink = sink
        self.pool = pool
        self.plan = plan
        self.extra_body: dict[str, Any] = fixed_length_body(plan.output_tokens)
        self.levels: list[SaturationLevel] = []

    async def probe(self) -> bool:
        """One unrecorded request with the fixed-length parameters; a server that rejects
        them (400/422) gets requests without them. True when they were accepted."""
        meta = RequestMeta("probe", "probe", SATURATION_ID, "load", 0, 0, 0)
        record = await self.dispatcher.send(self._request("probe"), meta)
        if record.status != "ok" and record.http_status in REJECTED_STATUSES:
            self.extra_body = {}
        return bool(self.extra_body)

    def _request(self, tag: str) -> ChatRequest:
        return ChatRequest(
            model=self.plan.model,
            messages=self.pool.messages(tag),
            max_tokens=self.plan.output_tokens,
            temperature=self.plan.temperature,
            seed=self.plan.seed,
            extra_body=dict(self.extra_body),
        )

    def window(self, t_start: int) -> Window:
        """The window of a level that starts at ``t_start`` (absolute ns)."""
        plan = self.plan
        start = t_start + round(plan.warmup_s * 1e9)
        end = None if plan.duration_s is None else start + round(plan.duration_s * 1e9)
        return Window(start, end, None if plan.duration_s is not None else plan.requests)

    async def send(
        self,
        window: Window,
        measured: bool | None,
        label: str,
        level: int,
        tag: str,
        t_scheduled: int,
    ) -> None:
        """Send one request scheduled at ``t_scheduled`` (absolute ns) and record it;
        ``measured`` is what ``window.enter`` said when it was scheduled."""
        meta = RequestMeta(
            request_id=f"{SATURATION_ID}-{label}-{tag}",
            session_id=f"{SATURATION_ID}-{label}",
            scenario_id=SATURATION_ID,
            agent_id="load",
            level=level,
            turn_index=0,
            step=0,
            t_scheduled_ns=t_scheduled - self.dispatcher.t0_ns,
        )
        record = await self.dispatcher.send(self._request(f"{label}-{tag}"), meta)
        await self.sink(record)
        window.leave(measured)

    async def run_closed(self, concurrency: int) -> SaturationLevel:
        """One closed-loop level: ``concurrency`` workers, each one request at a time."""
        label = f"c{concurrency}"
        t_start = now_ns()
        window = self.window(t_start)

        async def worker(w: int) -> None:
            n = 0
            while True:
                n += 1
                t = now_ns()
                await self.send(window, window.enter(t), label, concurrency, f"w{w}-{n}", t)

        tasks = [asyncio.create_task(worker(w)) for w in range(concurrency)]
        await finish(window, tasks)
        return self.level(label, concurrency, None, t_start, window)

    def level(
        self, label: str, concurrency: int | None, rate: float | None, t_start: int, w: Window
    ) -> SaturationLevel:
        """Record a finished level (times made relative to the run start)."""
        t0 = self.dispatcher.t0_ns
        level = SaturationLevel(
            label,
            concurrency,
            rate,
            t_start - t0,
            w.start - t0,
            (w.end if w.end is not None else w.start) - t0,
            now_ns() - t0,
        )
        self.levels.append(level)
        return level


async def finish(window: Window, tasks: list[asyncio.Task[None]]) -> None:
    """Wait for the window (re-raising a task's unexpected error), then abandon the rest."""
    waiter = asyncio.create_task(window.wait())
    try:
        pending: set[asyncio.Task[None]] = {waiter, *tasks}
        while not waiter.done():
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                error = None if task is waiter or task.cancelled() else task.exception()
                if error is not None:
                    raise error
    finally:
        for task in [waiter, *tasks]:
            task.cancel()
        for task in [waiter, *tasks]:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def fixed_length_body(tokens: int) -> dict[str, Any]:
    """Request fields that ask vLLM-like servers (vLLM, SGLang, llama.cpp) for exactly
    ``tokens`` output tokens: ignore the end-of-sequence token, generate at least as many as
    ``max_tokens``."""
    return {"ignore_eos": True, "min_tokens": tokens}
