"""Injected faults, seen by a real client."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import orjson
import pytest

from pawbench.sim import Faults, SimServer
from tests.sim.support import stream_chat

BODY = {
    "model": "sim-chatty",
    "messages": [{"role": "user", "content": "Explain `backpressure` in stream processing."}],
}


def _one(faults: Faults, body: dict[str, Any] = BODY) -> tuple[int, dict[str, str], bytes]:
    async def main() -> tuple[int, dict[str, str], bytes]:
        sim = SimServer(profile="instant", faults=faults, scenarios=[])
        async with (
            sim,
            aiohttp.ClientSession() as s,
            # Entered in order: the port is bound when this URL is made.
            s.post(sim.base_url + "/v1/chat/completions", json=body) as r,
        ):
            return r.status, dict(r.headers), await r.read()

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("faults", "status"),
    [(Faults(rate_429=1.0, retry_after_s=7), 429), (Faults(rate_500=1.0), 500),
     (Faults(rate_503=1.0), 503)],
)  # fmt: skip
def test_http_errors_carry_an_openai_error_body(faults: Faults, status: int) -> None:
    got, headers, raw = _one(faults)
    assert got == status
    assert orjson.loads(raw)["error"]["code"] == status
    assert headers["x-pawbench-simulated"] == "true"
    if status == 429:
        assert headers["Retry-After"] == "7"


def test_a_dropped_connection_ends_the_stream_midway() -> None:
    async def main() -> tuple[bytes, type[BaseException] | None]:
        sim = SimServer(profile="instant", faults=Faults(drop_rate=1.0), scenarios=[])
        received = b""
        async with sim, aiohttp.ClientSession() as s:
            try:
                body = {**BODY, "stream": True}
                async with s.post(sim.base_url + "/v1/chat/completions", json=body) as r:
                    assert r.status == 200
                    async for data in r.content.iter_any():
                        received += data
            except aiohttp.ClientError as exc:
                return received, type(exc)
        return received, None

    received, error = asyncio.run(main())
    assert error is not None and issubclass(error, aiohttp.ClientPayloadError)
    whole = asyncio.run(_whole_stream())
    tokens = received.count(b'"content":"') - 1  # less the role chunk
    # The cut falls between 25 % and 75 % of the reply.
    assert 0.2 * whole <= tokens <= 0.8 * whole, (tokens, whole)
    assert b"[DONE]" not in received and b'finish_reason":"stop' not in received


async def _whole_stream() -> int:
    """Completion tokens of the same request without faults."""
    sim = SimServer(profile="instant", scenarios=[])
    async with sim, aiohttp.ClientSession() as s:
        reply = await stream_chat(s, sim.base_url, BODY)
        assert reply.usage is not None
        return int(reply.usage["completion_tokens"])


def test_a_stall_pauses_the_stream() -> None:
    async def main() -> tuple[float, float]:
        sim = SimServer(profile="instant", faults=Faults(stall_rate=1.0, stall_s=0.4), scenarios=[])
        async with sim, aiohttp.ClientSession() as s:
            start = time.perf_counter()
            reply = await stream_chat(s, sim.base_url, BODY)
            assert reply.done and reply.ttft_s is not None
            return reply.ttft_s, time.perf_counter() - start

    ttft, total = asyncio.run(main())
    assert ttft < 0.4 <= total  # the pause comes after the first tokens


def test_a_malformed_chunk_is_one_event_that_is_not_json() -> None:
    async def main() -> Any:
        sim = SimServer(profile="instant", faults=Faults(malformed_rate=1.0), scenarios=[])
        async with sim, aiohttp.ClientSession() as s:
            return await stream_chat(s, sim.base_url, BODY, strict=False)

    reply = asyncio.run(main())
    broken = [i for i, e in enumerate(reply.events) if e != b"[DONE]" and not _is_json(e)]
    assert len(broken) == 1 and reply.done
    assert 0.2 <= broken[0] / len(reply.events) <= 0.8  # in the middle of the tokens


def test_faults_follow_the_seed() -> None:
    faults = Faults(rate_429=0.3, rate_503=0.2)

    async def statuses(seed: int) -> list[int]:
        sim = SimServer(profile="instant", seed=seed, faults=faults, scenarios=[])
        async with sim, aiohttp.ClientSession() as s:
            out = []
            for _ in range(40):
                async with s.post(sim.base_url + "/v1/chat/completions", json=BODY) as r:
                    await r.read()
                    out.append(r.status)
            return out

    a, b, c = (asyncio.run(statuses(seed)) for seed in (1, 1, 2))
    assert a == b and a != c
    assert {429, 503, 200} == set(a)


def test_invalid_fault_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 1"):
        Faults(rate_429=0.6, rate_500=0.6)
    with pytest.raises(ValueError, match="within"):
        Faults(drop_rate=1.5)


def _is_json(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return True
