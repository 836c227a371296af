"""The telemetry of one run: probes sampled before and after each load level and every
``interval_s`` during it; per-level and per-run values derived from the samples.

::

    async with Telemetry(host, base_url, metrics_url=None, local_gpu=False) as tel:
        await tel.level_started("c4/scenario", {"concurrency": 4, "scenario_id": "scenario"})
        ...  # the level's traffic
        await tel.level_finished("c4/scenario")
        document["server_metrics"] = tel.summary()
        document["model_card"] = await tel.model_card(model)

Nothing here ever raises into the run: a probe that fails, hangs or cannot be loaded is
recorded as unavailable with its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, cast, runtime_checkable

from pawbench.components import ModelInfo, Probe, ProbeContext
from pawbench.plugins import PluginHost
from pawbench.redact import Scrubber, redact_url
from pawbench.telemetry import derive
from pawbench.telemetry.client import client_info
from pawbench.telemetry.derive import Sample
from pawbench.telemetry.model_card import build_model_card
from pawbench.telemetry.scrub import scrub_text, scrub_tree

SERVER_PROBE = "prometheus"
GPU_PROBE = "nvml"


@runtime_checkable
class Describing(Protocol):
    """A probe that can say what it samples (and why it cannot)."""

    async def describe(self) -> dict[str, Any]: ...


@runtime_checkable
class Closing(Protocol):
    """A probe holding resources to release."""

    async def close(self) -> None: ...


@dataclass
class Source:
    """One probe's state."""

    name: str
    probe: Probe | None
    ok: int = 0
    failed: int = 0
    up: bool | None = None
    reason: str | None = None
    description: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """The source as the summary shows it."""
        out: dict[str, Any] = {
            "available": self.ok > 0,
            "reason": None if self.up else self.reason,
            "samples_ok": self.ok,
            "samples_failed": self.failed,
        }
        for key in ("engine", "metrics_url"):
            if self.description.get(key) is not None:
                out[key] = self.description[key]
        return out


@dataclass
class Level:
    """A level's window: its samples are those whose ``level`` is its index."""

    label: str
    info: dict[str, Any]
    started_s: float
    finished_s: float | None = None


class Telemetry:
    """Runs the probes of one run (``prometheus`` always, ``nvml`` with ``local_gpu``)."""

    def __init__(
        self,
        host: PluginHost,
        base_url: str,
        *,
        metrics_url: str | None = None,
        local_gpu: bool = False,
        interval_s: float = 2.0,
        secrets: Iterable[str] = (),
        probes: Sequence[str] | None = None,
        probe_options: Mapping[str, Mapping[str, Any]] | None = None,
        sample_timeout_s: float = 10.0,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self.host = host
        self.base_url = base_url
        self.metrics_url = metrics_url
        self.local_gpu = local_gpu
        self.interval_s = interval_s
        self.sample_timeout_s = sample_timeout_s
        self._scrubber = Scrubber(secrets)
        self._names = list(probes) if probes is not None else self._default_probes()
        self._probe_options = dict(probe_options or {})
        self._sources: list[Source] = []
        self._samples: list[Sample] = []
        self._levels: list[Level] = []
        self._active: int | None = None
        self._warnings: list[str] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._t0_ns = time.perf_counter_ns()
        self._started_at = datetime.now(UTC).isoformat()

    def _default_probes(self) -> list[str]:
        return [SERVER_PROBE, GPU_PROBE] if self.local_gpu else [SERVER_PROBE]

    # --- lifecycle ---

    async def __aenter__(self) -> Telemetry:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _load(self, name: str) -> Source:
        try:
            cls = self.host.get_typed(Probe, name)
            options = cls.Options(**self._probe_options.get(name, {}))
            probe = cls(options, ProbeContext(self.base_url, self.metrics_url))
        except Exception as exc:  # an unusable probe is data, never a failed run
            return Source(name, None, up=False, reason=f"cannot load probe {name!r}: {exc}")
        return Source(name, probe)

    async def start(self) -> None:
        """Load the probes and start the periodic sampling task."""
        self._t0_ns = time.perf_counter_ns()
        self._started_at = datetime.now(UTC).isoformat()
        self._sources = [self._load(name) for name in self._names]
        self._task = asyncio.create_task(self._loop(), name="pawbench-telemetry")

    async def stop(self) -> None:
        """Close an unfinished level, stop sampling, describe and close every probe."""
        if self._active is not None:
            label = self._levels[self._active].label
            self._warnings.append(f"level {label!r} was not finished; closed at telemetry end")
            await self.level_finished(label)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for source in self._sources:
            if source.probe is None:
                continue
            if not source.description:
                await self._describe(source)
            if isinstance(source.probe, Closing):
                with contextlib.suppress(Exception):
                    await source.probe.close()

    # --- sampling ---

    def _now_s(self) -> float:
        return (time.perf_counter_ns() - self._t0_ns) / 1e9

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            async with self._lock:  # the level may have ended while this tick waited
                if self._active is not None:
                    await self._record("during")

    async def _describe(self, source: Source) -> None:
        if not isinstance(source.probe, Describing):
            return
        try:
            description = await asyncio.wait_for(source.probe.describe(), self.sample_timeout_s)
        except Exception as exc:  # a probe that cannot describe itself still samples
            description = {"describe_error": f"{type(exc).__name__}: {exc}"}
        source.description = scrub_tree(description, self._scrubber)

    async def _sample_one(self, source: Source) -> dict[str, float] | None:
        assert source.probe is not None
        error: str | None = None
        try:
            result = await asyncio.wait_for(source.probe.sample(), self.sample_timeout_s)
        except TimeoutError:
            result, error = None, f"no sample within {self.sample_timeout_s:g} s"
        except Exception as exc:  # a probe must never break a run
            result, error = None, f"{type(exc).__name__}: {exc}"
        values = _clean(result)
        was_up, source.up = source.up, values is not None
        source.ok += values is not None
        source.failed += values is None
        if was_up is not source.up:
            await self._describe(source)
        source.reason = (
            None
            if source.up
            else scrub_text(
                error or str(source.description.get("reason") or "no sample"), self._scrubber
            )
        )
        return values

    async def _record(self, phase: str) -> None:
        """Sample every probe at once and keep the sample (the caller holds the lock)."""
        live = [s for s in self._sources if s.probe is not None]
        results = await asyncio.gather(*(self._sample_one(s) for s in live))
        values: dict[str, float] = {}
        for source, result in zip(live, results, strict=True):
            for key, value in (result or {}).items():
                values[key if key not in values else f"{source.name}.{key}"] = value
        failed = frozenset(s.name for s, r in zip(live, results, strict=True) if r is None)
        self._samples.append(Sample(self._now_s(), self._active, phase, values, failed))

    async def sample(self) -> None:
        """Take one sample now (in the active level's window, if any)."""
        async with self._lock:
            await self._record("during" if self._active is not None else "idle")

    async def level_started(self, label: str, info: Mapping[str, Any] | None = None) -> None:
        """Open a level's window with a sample (closing a level left open, with a warning)."""
        if self._active is not None:
            previous = self._levels[self._active].label
            self._warnings.append(f"level {previous!r} was not finished before {label!r}")
            await self.level_finished(previous)
        async with self._lock:
            self._levels.append(Level(label, dict(info or {}), self._now_s()))
            self._active = len(self._levels) - 1
            await self._record("start")

    async def level_finished(self, label: str) -> None:
        """Close the active level's window with a sample."""
        async with self._lock:
            if self._active is None:
                self._warnings.append(f"level_finished({label!r}) without an active level")
                return
            level = self._levels[self._active]
            if level.label != label:
                self._warnings.append(f"level_finished({label!r}) while {level.label!r} was active")
            await self._record("end")
            level.finished_s = self._now_s()
            self._active = None

    # --- results ---

    def _window(self, index: int) -> list[Sample]:
        return [s for s in self._samples if s.level == index]

    def _level_block(self, index: int) -> dict[str, Any]:
        level, window = self._levels[index], self._window(index)
        up = {s.name for s in self._sources if s.ok}
        edges = [window[0], window[-1]] if window else []
        complete = bool(up) and len(window) >= 2 and not any(s.failed & up for s in edges)
        return {
            **level.info,
            "label": level.label,
            "started_s": round(level.started_s, 4),
            "finished_s": None if level.finished_s is None else round(level.finished_s, 4),
            "complete": complete,
            **derive.window_block(window),
        }

    def _server_description(self) -> dict[str, Any]:
        return next((s.description for s in self._sources if s.name == SERVER_PROBE), {})

    def summary(self) -> dict[str, Any]:
        """The result block ``server_metrics``: availability (with the reasons when not),
        headline values, per-run and per-level values, and the time series."""
        available = any(s.ok for s in self._sources)
        reasons = [f"{s.name}: {s.reason}" for s in self._sources if not s.ok and s.reason]
        levels = [self._level_block(i) for i in range(len(self._levels))]
        run = derive.run_block([self._window(i) for i in range(len(self._levels))])
        server = self._server_description()
        top = derive.headline(run, server.get("engine"), levels if available else [])
        for source in self._sources:
            if source.name == SERVER_PROBE and not source.ok:
                top["notes"].insert(0, f"server metrics unavailable: {source.reason}")
        out: dict[str, Any] = {
            "available": available,
            "status": "available" if available else "unavailable",
            "reason": None if available else ("; ".join(reasons) or "no sample was taken"),
            "engine": server.get("engine"),
            "metrics_url": self._shown_metrics_url(server),
            "interval_s": self.interval_s,
            "started_at": self._started_at,
            "t0_perf_counter_ns": self._t0_ns,
            "sources": {s.name: s.public() for s in self._sources},
            "headline": top,
            "run": run,
            "levels": levels,
            "series": derive.series(self._samples, [lv.label for lv in self._levels]),
            "warnings": list(self._warnings),
        }
        return cast(dict[str, Any], scrub_tree(out, self._scrubber))

    def _shown_metrics_url(self, server: Mapping[str, Any]) -> str | None:
        if server.get("metrics_url"):
            return str(server["metrics_url"])
        return redact_url(self.metrics_url) if self.metrics_url else None

    async def model_card(self, model: ModelInfo | None = None) -> dict[str, Any]:
        """The model card: ``model`` (from ``/v1/models``) with what the probes learned about
        the server (engine, version, config info) and the local GPUs under ``--local-gpu``."""
        for source in self._sources:
            if source.probe is not None and not source.description:
                await self._describe(source)
        descriptions = {s.name: s.description for s in self._sources if s.description}
        card = build_model_card(model, descriptions)
        return cast(dict[str, Any], scrub_tree(card, self._scrubber))

    def client_info(self) -> dict[str, Any]:
        """The client's host (the machine running pawbench), labelled as such."""
        return client_info(self.host)


def _clean(result: object) -> dict[str, float] | None:
    """A probe's answer as finite floats (None when it gave nothing usable)."""
    if not isinstance(result, Mapping):
        return None
    out: dict[str, float] = {}
    for key, value in result.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            out[str(key)] = float(value)
    return out
