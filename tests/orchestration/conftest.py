"""Run a scenario under a shape against the simulator over real HTTP."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from pawbench.components import EndpointConfig, Shape
from pawbench.engine.agent import SessionSettings
from pawbench.engine.dispatcher import Dispatcher
from pawbench.engine.orchestration import OrchestrationRuntime, run_shape
from pawbench.engine.sink import RecordSink
from pawbench.engine.tokens import TokenCounter
from pawbench.models.scenario import Scenario
from pawbench.plugins import PluginHost
from pawbench.sim import SimServer


def shape_instance(name: str) -> Shape:
    """A built-in shape, loaded through the plugin host like a run does."""
    cls = PluginHost().get("shape", name)
    assert issubclass(cls, Shape)
    return cls(cls.Options())


def run_under(
    shape: str, scenario: Scenario, tmp: Path, model: str = "sim-good"
) -> tuple[OrchestrationRuntime, RecordSink]:
    """Run ``scenario`` under ``shape`` against the simulator (instant profile)."""

    async def go() -> tuple[OrchestrationRuntime, RecordSink]:
        async with SimServer(profile="instant", seed=1, time_scale=0.0) as sim:
            endpoint_cls = PluginHost().get("endpoint", "openai")
            config = EndpointConfig(base_url=sim.base_url, max_connections=32, max_tokens=512)
            endpoint = endpoint_cls(config, endpoint_cls.Options())  # type: ignore[call-arg]
            await endpoint.open()  # type: ignore[attr-defined]
            try:
                sink = RecordSink(tmp / "records.jsonl")
                sink.open()
                dispatcher = Dispatcher(endpoint, time.perf_counter_ns(), TokenCounter())  # type: ignore[arg-type]
                runtime = await run_shape(
                    shape_instance(shape),
                    scenario,
                    settings=SessionSettings(model=model, max_tokens=512),
                    dispatcher=dispatcher,
                    sink=sink,
                )
                sink.close()
                return runtime, sink
            finally:
                await endpoint.close()  # type: ignore[attr-defined]

    return asyncio.run(go())
