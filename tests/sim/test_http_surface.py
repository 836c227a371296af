"""The OpenAI-compatible surface of the simulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson
from prometheus_client.parser import text_string_to_metric_families

from pawbench.sim import SIMULATED_HEADER, SimServer, get_profile
from tests.sim.support import chat, mini_scenario, stream_chat, tools_of

SYSTEM = "You are a senior engineer who answers precisely and keeps answers short. " * 3
ASK = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "Explain `retry` budgets for HTTP clients."},
]


def test_models_version_health_and_the_simulated_header() -> None:
    async def main() -> dict[str, Any]:
        async with SimServer(profile="instant", scenarios=[]) as sim, aiohttp.ClientSession() as s:
            out: dict[str, Any] = {}
            for path in ("/v1/models", "/version", "/health", "/metrics", "/nope"):
                async with s.get(sim.base_url + path) as r:
                    out[path] = (r.status, r.headers.get(SIMULATED_HEADER), await r.read())
            async with s.post(sim.base_url + "/v1/chat/completions", data=b"{not json") as r:
                out["bad"] = (r.status, r.headers.get(SIMULATED_HEADER), await r.read())
            body = {"model": "gpt-4o", "messages": ASK}
            async with s.post(sim.base_url + "/v1/chat/completions", json=body) as r:
                out["unknown"] = (r.status, r.headers.get(SIMULATED_HEADER), await r.read())
            return out

    out = asyncio.run(main())
    assert {k: v[1] for k, v in out.items()} == dict.fromkeys(out, "true")
    assert [out[p][0] for p in ("/v1/models", "/version", "/health", "/metrics")] == [200] * 4
    assert (out["/nope"][0], out["bad"][0], out["unknown"][0]) == (404, 400, 404)
    models = orjson.loads(out["/v1/models"][2])["data"]
    assert [m["id"] for m in models] == ["sim-good", "sim-sloppy", "sim-chatty"]
    assert {m["owned_by"] for m in models} == {"pawbench-sim"}
    assert {m["max_model_len"] for m in models} == {get_profile("instant").max_model_len}
    version = orjson.loads(out["/version"][2])
    assert version["simulated"] is True and "sim" in version["version"]
    assert "does not exist" in orjson.loads(out["unknown"][2])["error"]["message"]


def test_stream_carries_role_deltas_finish_usage_and_done() -> None:
    async def main() -> Any:
        async with SimServer(profile="instant", scenarios=[]) as sim, aiohttp.ClientSession() as s:
            return await stream_chat(s, sim.base_url, {"model": "sim-good", "messages": ASK})

    out = asyncio.run(main())
    assert out.status == 200
    assert out.headers["Content-Type"].startswith("text/event-stream")
    assert out.chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert out.done and out.events[-1] == b"[DONE]"
    last = out.chunks[-1]
    assert last["choices"] == [] and last["usage"] == out.usage
    assert out.finish_reason == "stop"
    assert out.usage is not None
    content_chunks = [
        c for c in out.chunks if c["choices"] and c["choices"][0]["delta"].get("content")
    ]
    # One token per chunk on a profile without speculative decoding.
    assert len(content_chunks) == out.usage["completion_tokens"]
    assert out.usage["total_tokens"] == out.usage["prompt_tokens"] + out.usage["completion_tokens"]
    assert out.usage["prompt_tokens_details"] == {"cached_tokens": 0}
    assert "STATUS: done" in out.content


def test_tool_calls_stream_as_deltas_with_arguments_over_several_chunks() -> None:
    scenario = mini_scenario()
    body = {
        "model": "sim-good",
        "messages": [{"role": "user", "content": "Write a tiny `greeting` module."}],
        "tools": tools_of(scenario, ["write_file"]),
    }

    async def main() -> Any:
        async with SimServer(profile="instant", scenarios=[]) as sim, aiohttp.ClientSession() as s:
            return await stream_chat(s, sim.base_url, body), await chat(s, sim.base_url, body)

    streamed, plain = asyncio.run(main())
    assert streamed.finish_reason == "tool_calls"
    assert len(streamed.calls) == 1 and streamed.calls[0]["name"] == "write_file"
    assert streamed.calls[0]["id"].startswith("call_")
    assert streamed.arg_chunks[0] > 10
    args = orjson.loads(streamed.calls[0]["arguments"])
    assert set(args) == {"path", "content"} and "greeting" in args["content"]
    # The same request answered without streaming gives the same call.
    message = plain["choices"][0]["message"]
    assert plain["choices"][0]["finish_reason"] == "tool_calls"
    assert message["tool_calls"][0]["function"] == {
        "name": "write_file",
        "arguments": streamed.calls[0]["arguments"],
    }
    assert plain["usage"]["completion_tokens"] == streamed.usage["completion_tokens"]


def test_max_tokens_cuts_the_reply_with_finish_reason_length() -> None:
    async def main() -> Any:
        async with SimServer(profile="instant", scenarios=[]) as sim, aiohttp.ClientSession() as s:
            body = {"model": "sim-chatty", "messages": ASK, "max_tokens": 7}
            return await stream_chat(s, sim.base_url, body)

    out = asyncio.run(main())
    assert out.finish_reason == "length"
    assert out.usage is not None and out.usage["completion_tokens"] == 7


def test_metrics_parse_and_count_what_was_served() -> None:
    async def main() -> tuple[list[Any], str]:
        async with SimServer(profile="instant", scenarios=[]) as sim, aiohttp.ClientSession() as s:
            results = [
                await stream_chat(s, sim.base_url, {"model": m, "messages": ASK})
                for m in ("sim-good", "sim-chatty", "sim-good")
            ]
            async with s.get(sim.base_url + "/metrics") as r:
                return results, await r.text()

    results, text = asyncio.run(main())
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert sample.labels.get("model_name") == "pawbench-sim"
            if sample.name.endswith(("_count", "_total")) or "_bucket" not in sample.name:
                samples[sample.name] = sample.value
    expected = {
        "vllm:num_requests_running",
        "vllm:num_requests_waiting",
        "vllm:kv_cache_usage_perc",
        "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total",
        "vllm:prefix_cache_queries_total",
        "vllm:prefix_cache_hits_total",
        "vllm:spec_decode_num_draft_tokens_total",
        "vllm:spec_decode_num_accepted_tokens_total",
        "vllm:time_to_first_token_seconds_count",
        "vllm:inter_token_latency_seconds_count",
    }
    assert expected <= set(samples)
    usages = [r.usage for r in results if r.usage is not None]
    assert samples["vllm:generation_tokens_total"] == sum(u["completion_tokens"] for u in usages)
    assert samples["vllm:prompt_tokens_total"] == sum(u["prompt_tokens"] for u in usages)
    assert samples["vllm:prefix_cache_queries_total"] == samples["vllm:prompt_tokens_total"]
    cached = sum(u["prompt_tokens_details"]["cached_tokens"] for u in usages)
    assert samples["vllm:prefix_cache_hits_total"] == cached > 0  # the third repeats the first
    assert samples["vllm:time_to_first_token_seconds_count"] == 3
    assert samples["vllm:num_requests_running"] == 0
    assert samples["vllm:spec_decode_num_draft_tokens_total"] == 0


def test_over_long_prompts_and_bad_max_tokens_are_refused() -> None:
    long = [{"role": "user", "content": "word " * 40_000}]

    async def main() -> list[int]:
        async with SimServer(profile="cpu-box", scenarios=[]) as sim, aiohttp.ClientSession() as s:
            statuses = []
            for body in (
                {"model": "sim-good", "messages": long},
                {"model": "sim-good", "messages": ASK, "max_tokens": 0},
                {"model": "sim-good", "messages": []},
            ):
                async with s.post(sim.base_url + "/v1/chat/completions", json=body) as r:
                    statuses.append(r.status)
                    assert "error" in orjson.loads(await r.read())
            return statuses

    assert asyncio.run(main()) == [400, 400, 400]
