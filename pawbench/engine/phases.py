"""Run phases besides the scenario levels and the saturation test: orchestration shapes and
verification repeats. Each phase is one telemetry level per step, so server metrics line up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pawbench.components import Shape
from pawbench.engine.agent import SessionSettings
from pawbench.engine.dispatcher import Dispatcher
from pawbench.engine.orchestration import OrchestrationRuntime, run_shape
from pawbench.engine.runner import Runner
from pawbench.engine.sink import RecordSink
from pawbench.models.scenario import Scenario

VERIFICATION_LEVEL = 1


class Levels(Protocol):
    """What a phase tells telemetry (pawbench.telemetry.Telemetry fits)."""

    async def level_started(self, label: str, info: dict[str, Any] | None = None) -> None: ...

    async def level_finished(self, label: str) -> None: ...


class NoLevels:
    """Telemetry stand-in when none is running."""

    async def level_started(self, label: str, info: dict[str, Any] | None = None) -> None:
        """Nothing to mark."""

    async def level_finished(self, label: str) -> None:
        """Nothing to mark."""


@dataclass
class PhaseContext:
    """What every phase shares."""

    settings: SessionSettings
    dispatcher: Dispatcher
    sink: RecordSink
    progress: Callable[[str], None]
    levels: Levels = field(default_factory=NoLevels)


async def run_orchestration(
    ctx: PhaseContext, shapes: list[Shape], scenarios: list[Scenario]
) -> list[OrchestrationRuntime]:
    """Each scenario once per shape, one after another."""
    runtimes = []
    for shape in shapes:
        for scenario in scenarios:
            label = f"shape {shape.name}: {scenario.id}"
            ctx.progress(label)
            await ctx.levels.level_started(label, {"shape": shape.name, "scenario_id": scenario.id})
            try:
                runtimes.append(
                    await run_shape(
                        shape,
                        scenario,
                        settings=ctx.settings,
                        dispatcher=ctx.dispatcher,
                        sink=ctx.sink,
                    )
                )
            finally:
                await ctx.levels.level_finished(label)
    return runtimes


async def run_verification(
    ctx: PhaseContext, runs: int, scenarios: list[Scenario], path: Path | None
) -> list[RecordSink]:
    """Repeats 2..N of every scenario at concurrency 1 (the main run's level 1 is repeat 1).
    Their records are appended to the same requests.jsonl but kept out of the level blocks."""
    repeats = []
    for k in range(2, runs + 1):
        sink = RecordSink(path)
        sink.open(append=True)
        runner = Runner(ctx.dispatcher, ctx.settings, sink, suffix=f"-v{k}")
        try:
            for scenario in scenarios:
                label = f"verification {k}/{runs}: {scenario.id}"
                ctx.progress(label)
                await ctx.levels.level_started(label, {"repeat": k, "scenario_id": scenario.id})
                try:
                    await runner.run_level(scenario, VERIFICATION_LEVEL)
                finally:
                    await ctx.levels.level_finished(label)
        finally:
            sink.close()
        repeats.append(sink)
    return repeats
