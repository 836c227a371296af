"""How many streamed tokens per second the simulator serves on one core.

The simulator runs alone in a child process (one event loop: one core) with the ``instant``
profile, so decode steps cost no simulated time and only the simulator's own work is measured.
This process drives N concurrent streaming requests over HTTP with aiohttp for a fixed time and
counts the completion tokens the server reports in each stream's final usage chunk.

    .venv/bin/python benchmarks/sim_throughput.py --streams 64 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import time
from multiprocessing.connection import Connection

import aiohttp
import orjson

PROMPT = "Explain how `retry` policies, `backoff` and `timeouts` work together in HTTP clients."


def _serve(conn: Connection, profile: str, time_scale: float) -> None:
    from pawbench.sim import SimServer

    async def main() -> None:
        async with SimServer(profile=profile, time_scale=time_scale, scenarios=[]) as sim:
            conn.send(sim.base_url)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(main())


def _usage_tokens(tail: bytes) -> int:
    """completion_tokens from the usage chunk at the end of a stream."""
    start = tail.rfind(b"data: {")
    usage = orjson.loads(tail[start + 6 : tail.index(b"\n", start)])["usage"]
    return int(usage["completion_tokens"])


async def _stream(session: aiohttp.ClientSession, url: str, body: bytes) -> int:
    tail = b""
    async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
        r.raise_for_status()
        async for data in r.content.iter_any():
            tail = (tail + data)[-2048:]
    return _usage_tokens(tail[: tail.rfind(b"data: [DONE]")])


async def _drive(base_url: str, streams: int, seconds: float, max_tokens: int) -> tuple[int, float]:
    url = base_url + "/v1/chat/completions"
    connector = aiohttp.TCPConnector(limit=streams)
    total = 0
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(i: int, deadline: float) -> None:
            nonlocal total
            body = orjson.dumps(
                {
                    "model": "sim-chatty",
                    "messages": [{"role": "user", "content": f"{PROMPT} (stream {i})"}],
                    "max_tokens": max_tokens,
                    "stream": True,
                    "stream_options": {"include_usage": True},
                }
            )
            while time.perf_counter() < deadline:
                tokens = await _stream(session, url, body)
                total += tokens

        start = time.perf_counter()
        await asyncio.gather(*(worker(i, start + seconds) for i in range(streams)))
        elapsed = time.perf_counter() - start
    return total, elapsed


def main() -> None:
    """Parse the flags, run the benchmark, print tokens/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--profile", default="instant")
    parser.add_argument("--time-scale", type=float, default=1.0)
    args = parser.parse_args()
    parent, child = mp.get_context("spawn").Pipe()
    server = mp.get_context("spawn").Process(
        target=_serve, args=(child, args.profile, args.time_scale)
    )
    server.start()
    try:
        base_url = parent.recv()
        if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1:
            cpus = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(server.pid or 0, {cpus[0]})  # the simulator: one core
            os.sched_setaffinity(0, set(cpus[1:]))  # the load generator: the others
        tokens, elapsed = asyncio.run(_drive(base_url, args.streams, args.seconds, args.max_tokens))
    finally:
        parent.send("stop")
        server.join(10)
    print(
        f"profile={args.profile} time_scale={args.time_scale} streams={args.streams} "
        f"max_tokens={args.max_tokens} "
        f"tokens={tokens} seconds={elapsed:.2f} tokens_per_s={tokens / elapsed:,.0f}"
    )


if __name__ == "__main__":
    main()
