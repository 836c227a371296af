"""The cyclic garbage collector never runs inside a measured window: it is paused while load
runs and run between levels."""

from __future__ import annotations

import asyncio
import gc
import time
from pathlib import Path
from typing import Any

from pawbench.engine.gcpause import between_levels, paused_gc
from pawbench.engine.options import RunOptions
from pawbench.engine.run import execute
from pawbench.plugins import PluginHost
from pawbench.sim import SimServer
from tests.load.support import PACED


def test_paused_gc_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_between_levels_collects_cycles() -> None:
    class Node:
        other: Any = None

    with paused_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        before = sum(isinstance(o, Node) for o in gc.get_objects())
        between_levels()
        after = sum(isinstance(o, Node) for o in gc.get_objects())
    assert (before, after) == (2, 0)


def test_no_collection_inside_a_saturation_window(tmp_path: Path) -> None:
    collections: list[tuple[int, int]] = []  # (perf_counter_ns, generation)
    level_starts: dict[int, int] = {}  # concurrency -> perf_counter_ns of its progress line

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append((time.perf_counter_ns(), info["generation"]))

    def progress(message: str) -> None:
        if message.startswith("saturation, concurrency "):
            level_starts[int(message.rsplit(" ", 1)[1])] = time.perf_counter_ns()

    async def main() -> dict[str, Any]:
        async with SimServer(profile=PACED, time_scale=0.1, scenarios=[]) as sim:
            options = RunOptions(
                endpoint=sim.base_url,
                output=tmp_path,
                model="sim-chatty",
                scenario_levels=False,
                concurrency=[2, 8],
                saturation_duration_s=0.6,
                warmup_s=0.1,
                saturation_output_tokens=32,
            )
            outcome = await execute(options, PluginHost(), progress)
            return outcome.document

    gc.callbacks.append(on_gc)
    try:
        document = asyncio.run(main())
    finally:
        gc.callbacks.remove(on_gc)
    curve = document["saturation_curve"]
    assert [b["concurrency"] for b in curve] == [2, 8] and all(b["requests"] for b in curve)
    for block in curve:
        window = block["window"]
        # the run's clock: the level's progress line is printed just before its start
        t0 = level_starts[block["concurrency"]] - round(window["level_start_s"] * 1e9)
        start, end = t0 + round(window["start_s"] * 1e9), t0 + round(window["end_s"] * 1e9)
        inside = [generation for t, generation in collections if start - 5e6 <= t <= end]
        assert inside == [], (block["concurrency"], inside)
    assert collections, "the collector ran at some point (between levels at least)"
