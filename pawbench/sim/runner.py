"""Running the simulator in-process: an async context manager, and a thread for sync code."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from aiohttp import web

from pawbench.models.scenario import Scenario
from pawbench.sim.faults import FaultInjector, Faults
from pawbench.sim.metrics import SimMetrics
from pawbench.sim.oracle import Oracle
from pawbench.sim.profiles import Profile, get_profile
from pawbench.sim.scheduler import Scheduler
from pawbench.sim.server import SimState, build_app


class SimServer:
    """The simulated OpenAI-compatible endpoint on ``host:port`` (port 0: a free one)::

        async with SimServer(profile="small-gpu", seed=0, time_scale=0.1) as sim:
            ...  # talk HTTP to sim.base_url (sim.openai_base_url ends in /v1)

    ``scenarios`` feeds sim-good's oracle (default: the built-in catalog)."""

    def __init__(
        self,
        profile: str | Profile | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        faults: Faults | None = None,
        scenarios: Iterable[Scenario] | None = None,
    ) -> None:
        if time_scale < 0:
            raise ValueError("time_scale must not be negative")
        self.profile = profile if isinstance(profile, Profile) else get_profile(profile)
        self.seed = seed
        self.host = host
        self.port = port
        self.time_scale = time_scale
        self.faults = faults or Faults()
        self._scenarios = None if scenarios is None else list(scenarios)
        self._runner: web.AppRunner | None = None
        self._task: asyncio.Task[None] | None = None
        self.state: SimState | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` (the server root: /v1/..., /metrics, /health, /version)."""
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """``http://host:port/v1``, what OpenAI clients call the base URL."""
        return self.base_url + "/v1"

    @property
    def scheduler(self) -> Scheduler:
        """The running scheduler (its counters are handy in tests)."""
        if self.state is None:
            raise RuntimeError("the simulator is not started")
        return self.state.scheduler

    async def start(self) -> None:
        """Bind the port and start the scheduler."""
        oracle = Oracle.builtin() if self._scenarios is None else Oracle(self._scenarios)
        metrics = SimMetrics()
        scheduler = Scheduler(self.profile, metrics, self.time_scale)
        self.state = SimState(
            profile=self.profile,
            seed=self.seed,
            time_scale=self.time_scale,
            scheduler=scheduler,
            metrics=metrics,
            oracle=oracle,
            faults=FaultInjector(self.faults, self.seed),
        )
        runner = web.AppRunner(build_app(self.state), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self._task = asyncio.create_task(scheduler.run(), name="pawbench-sim-scheduler")

    async def stop(self) -> None:
        """End every request, stop the scheduler and close the port."""
        if self.state is not None:
            self.state.scheduler.abort_all()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SimServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class SimThread:
    """A SimServer running on its own event loop in a daemon thread (for sync code and pytest
    fixtures). ``stop()`` (or leaving the ``with`` block) shuts it down."""

    def __init__(self, **options: Any) -> None:
        self.server = SimServer(**options)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="pawbench-sim", daemon=True)

    @property
    def base_url(self) -> str:
        """The server root URL."""
        return self.server.base_url

    @property
    def openai_base_url(self) -> str:
        """The server's ``/v1`` URL."""
        return self.server.openai_base_url

    def start(self, timeout_s: float = 30.0) -> SimThread:
        """Start the thread and wait until the port is bound."""
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the simulator did not start in time")
        if self._error is not None:
            raise self._error
        return self

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.server:
            self._ready.set()
            await self._stop.wait()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Shut the server down and join the thread."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout_s)

    def __enter__(self) -> SimThread:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_in_thread(**options: Any) -> SimThread:
    """Start a SimServer (same options) in a background thread; returns once it listens."""
    return SimThread(**options).start()
