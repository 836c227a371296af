"""Same seed and same request, same tokens; another seed, other tokens."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from pawbench.sim import SimServer
from tests.sim.support import chat, mini_scenario, stream_chat, tools_of

SCENARIO = mini_scenario()
REQUESTS: list[dict[str, Any]] = [
    {
        "model": model,
        "messages": [{"role": "user", "content": SCENARIO.agents[0].turns[0].content}],
        "tools": tools_of(SCENARIO),
    }
    for model in ("sim-good", "sim-sloppy", "sim-chatty")
] + [{"model": "sim-chatty", "messages": [{"role": "user", "content": "Explain `mutexes`."}]}]


def _replies(seed: int) -> list[tuple[str, list[dict[str, str]]]]:
    async def main() -> list[tuple[str, list[dict[str, str]]]]:
        sim = SimServer(profile="instant", seed=seed, scenarios=[SCENARIO])
        async with sim, aiohttp.ClientSession() as s:
            out = []
            for body in REQUESTS:
                reply = await stream_chat(s, sim.base_url, body)
                out.append((reply.content, reply.calls))
            return out

    return asyncio.run(main())


def test_same_seed_same_tokens_on_separate_servers() -> None:
    first, second = _replies(seed=7), _replies(seed=7)
    assert first == second
    assert all(content or calls for content, calls in first)


def test_another_seed_changes_the_tokens() -> None:
    seven, eight = _replies(seed=7), _replies(seed=8)
    # Call ids and chatty's filler are drawn from the seeded generator.
    assert seven[0][1][0]["id"] != eight[0][1][0]["id"]
    assert seven[3][0] != eight[3][0]


def test_streamed_and_plain_answers_are_the_same_tokens() -> None:
    body = REQUESTS[3]

    async def main() -> tuple[str, str]:
        sim = SimServer(profile="instant", seed=3, scenarios=[])
        async with sim, aiohttp.ClientSession() as s:
            streamed = await stream_chat(s, sim.base_url, body)
            plain = await chat(s, sim.base_url, body)
            return streamed.content, plain["choices"][0]["message"]["content"]

    streamed, plain = asyncio.run(main())
    assert streamed == plain and len(streamed) > 200
