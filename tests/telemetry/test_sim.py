"""Telemetry against the built-in simulator over HTTP: requests driven through the ``openai``
endpoint plugin inside a level; the derived values must equal the simulator's own counter
deltas (read from its registry) and the usage the endpoint received, and the traffic sent before
the level must not leak into them."""

from __future__ import annotations

import asyncio
from typing import Any

from pawbench_builtins.endpoints.openai import OpenAIEndpoint, OpenAIOptions

from pawbench.api import ChatRequest, EndpointConfig, UsageInfo
from pawbench.sim import SimServer
from tests.endpoint.support import Recorder

from .support import run, telemetry

COUNTERS = (
    "vllm:prompt_tokens_total",
    "vllm:generation_tokens_total",
    "vllm:prefix_cache_queries_total",
    "vllm:prefix_cache_hits_total",
    "vllm:request_success_total",
)
SHARED = "You are a careful coding agent working on a small Python service. " * 40


def counters(sim: SimServer) -> dict[str, float]:
    """The simulator's own counters, read from its registry (not over HTTP)."""
    assert sim.state is not None
    registry = sim.state.metrics.registry
    values = {
        name: registry.get_sample_value(name, {"model_name": "pawbench-sim"}) for name in COUNTERS
    }
    return {name: float(v or 0.0) for name, v in values.items()}


async def ask(endpoint: OpenAIEndpoint, text: str) -> UsageInfo:
    """One streamed request; the usage the server reported for it."""
    request = ChatRequest(
        model="sim-good", messages=[{"role": "user", "content": text}], max_tokens=24
    )
    recorder = Recorder()
    await endpoint.exchange(request, recorder)
    usage = [e for e in recorder.trace if isinstance(e, UsageInfo)]
    assert len(usage) == 1
    return usage[0]


async def scenario() -> tuple[dict[str, float], dict[str, float], dict[str, Any], list[UsageInfo]]:
    async with SimServer(profile="small-gpu", time_scale=0.01) as sim:
        config = EndpointConfig(base_url=sim.openai_base_url, max_connections=8, max_retries=0)
        endpoint = OpenAIEndpoint(config, OpenAIOptions())
        await endpoint.open()
        try:
            # before the level: distinct prompts, almost no prefix-cache hits
            for i in range(3):
                await ask(endpoint, f"warm-up {i}: " + "unrelated words " * (60 + 20 * i))
            async with telemetry(sim.openai_base_url) as tel:
                before = counters(sim)
                await tel.level_started("c4/sim", {"concurrency": 4})
                usages = [await ask(endpoint, SHARED + "task 0")]  # caches the shared prefix
                more = (ask(endpoint, SHARED + f"task {i}") for i in range(1, 5))
                usages += await asyncio.gather(*more)
                await tel.sample()
                await tel.level_finished("c4/sim")
                after = counters(sim)
                summary = tel.summary()
        finally:
            await endpoint.close()
    delta = {name: after[name] - before[name] for name in COUNTERS}
    return delta, before, summary, usages


def test_derived_values_equal_the_simulators_counter_deltas() -> None:
    delta, before, summary, usages = run(scenario)
    assert summary["available"] and summary["engine"] == "vllm-v1"
    (level,) = summary["levels"]
    assert level["complete"] and level["samples"] == 3
    got = level["deltas"]
    assert got["prompt_tokens"] == delta["vllm:prompt_tokens_total"]
    assert got["generation_tokens"] == delta["vllm:generation_tokens_total"]
    assert got["prefix_cache_queries"] == delta["vllm:prefix_cache_queries_total"]
    assert got["prefix_cache_hits"] == delta["vllm:prefix_cache_hits_total"]
    assert got["requests_finished"] == delta["vllm:request_success_total"] == 5
    rate = delta["vllm:prefix_cache_hits_total"] / delta["vllm:prefix_cache_queries_total"]
    assert level["derived"]["prefix_cache_hit_rate"] == rate
    # the same numbers the endpoint got in each response's usage
    assert got["generation_tokens"] == sum(u.completion_tokens for u in usages)
    assert got["prompt_tokens"] == sum(u.prompt_tokens for u in usages)
    assert got["prefix_cache_hits"] == sum(u.cached_tokens or 0 for u in usages)
    # the shared prefix hits; the warm-up before the level did not, and does not count
    assert rate > 0.5
    lifetime = (before["vllm:prefix_cache_hits_total"] + delta["vllm:prefix_cache_hits_total"]) / (
        before["vllm:prefix_cache_queries_total"] + delta["vllm:prefix_cache_queries_total"]
    )
    assert before["vllm:prompt_tokens_total"] > 0 and lifetime < rate
    assert summary["run"]["derived"]["prefix_cache_hit_rate"] == rate
    assert summary["headline"]["prefix_cache_hit_rate"] == rate
