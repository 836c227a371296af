"""Helpers of the load tests: a simulator profile whose physics are easy to predict, and a
run of the engine against a simulator started by the test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pawbench.engine.options import RunOptions
from pawbench.engine.run import RunOutcome, execute
from pawbench.plugins import PluginHost
from pawbench.sim import SimServer
from pawbench.sim.profiles import Profile

# step = 20 ms + 2.5 ms per running sequence, at most 8 sequences, prefill free:
# predicted tok/s = n / step(n) for n = min(concurrency, 8)
PACED = Profile(
    name="test-paced",
    max_batch=8,
    kv_capacity_tokens=1_000_000,
    max_model_len=100_000,
    prefill_tokens_per_s=1e12,
    decode_base_ms=20.0,
    decode_per_seq_ms=2.5,
)


def run_against_sim(
    profile: Profile, time_scale: float, out: Path, **options: Any
) -> tuple[RunOutcome, SimServer]:
    """``execute`` with ``options`` against a fresh simulator (in this process's loop)."""

    async def main() -> tuple[RunOutcome, SimServer]:
        async with SimServer(profile=profile, time_scale=time_scale, scenarios=[]) as sim:
            opts = RunOptions(endpoint=sim.base_url, output=out, **options)
            return await execute(opts, PluginHost(), lambda _m: None), sim

    return asyncio.run(main())


Check = Callable[[], Awaitable[None]]
