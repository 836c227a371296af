"""How much client CPU pawbench spends per streamed token, and how many streams one core drives.

The server runs alone in a child process pinned to one core; pawbench's own client runs in this
process pinned to another core: the real path of ``pawbench run --saturation-only`` (the
``openai`` endpoint plugin, the SSE parser, every chunk decoded and timestamped by the
dispatcher, one RequestRecord per request appended to requests.jsonl, the client-health
sampler). Figures come from the result document itself: output tok/s over the steady-state
window and the client's CPU share over the same window.

Two measurements:

1. ``cpu``: N streams (default 64) against ``blast_server.py``, a bare asyncio HTTP server that
   answers each request at once with pre-rendered vLLM-format chunks (one SSE event per token,
   one HTTP chunk per event, a usage chunk) and pushes several million tokens/s from one core
   (``blast_server.py --drive`` measures it). The simulator's ``instant`` profile tops out near
   250k tokens/s per core, which would leave a fast client idle, reading a few chunks per read;
   the blast server keeps the client busy, so client CPU microseconds per streamed token
   (= CPU share / output tok/s) is measured with the client as the bottleneck.
   ``server_cpu`` in the output line shows the server's share of its own core: well below 100 %
   means the client, not the server, set the pace.
2. ``streams``: N concurrent streams (default 250, 500, 1000, 2000) against the simulator with
   a paced profile (each stream gets one token every ``--step-ms``, no batch limit; 128 tokens
   per reply, so each stream runs several requests in the 16 s level): the most streams for
   which the client keeps up (median ITL within 10 % of the step, output tok/s at least 90 % of
   N x 1000 / step_ms: the simulator itself needs time to take 1,000 new requests at once)
   without flagging itself as the bottleneck (loop lag p99 over 20 ms or CPU over 90 %).

    .venv/bin/python benchmarks/client_overhead.py cpu --streams 1,64 --seconds 10 --repeat 3
    .venv/bin/python benchmarks/client_overhead.py streams --streams 250,500,1000,2000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from blast_server import MODEL as BLAST_MODEL
from blast_server import cpu_seconds, pin, raise_fd_limit, serve_child

from pawbench.engine.options import RunOptions
from pawbench.engine.run import execute
from pawbench.plugins import PluginHost
from pawbench.sim.profiles import Profile


def _paced(step_ms: float) -> Profile:
    return Profile(
        name="bench-paced",
        max_batch=100_000,
        kv_capacity_tokens=10**9,
        max_model_len=100_000,
        prefill_tokens_per_s=1e12,
        decode_base_ms=step_ms,
        decode_per_seq_ms=0.0,
    )


def _serve_sim(conn: Connection, profile: Profile) -> None:
    """Child-process entry point: the simulator with ``profile``; its base URL goes through
    ``conn``, and it stops when ``conn`` receives anything."""
    from pawbench.sim import SimServer

    raise_fd_limit()

    async def main() -> None:
        async with SimServer(profile=profile, time_scale=1.0, scenarios=[]) as sim:
            conn.send(sim.base_url)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(main())


def _level(
    base_url: str, server_pid: int, model: str, streams: int, seconds: float, tokens: int
) -> dict[str, Any]:
    """One saturation level through ``execute``; its curve block, with the server's CPU share
    over the whole level (``server_cpu_percent``)."""
    cpu0, t0 = cpu_seconds(server_pid), time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        options = RunOptions(
            endpoint=base_url,
            model=model,
            scenario_levels=False,
            concurrency=[streams],
            saturation_duration_s=seconds,
            warmup_s=min(2.0, seconds / 2),
            saturation_output_tokens=tokens,
            saturation_prompt_tokens=64,
            output=Path(out),
        )
        outcome = asyncio.run(execute(options, PluginHost(), lambda _m: None))
    (block,) = outcome.document["saturation_curve"]
    result: dict[str, Any] = block
    result["server_cpu_percent"] = (
        100 * (cpu_seconds(server_pid) - cpu0) / (time.perf_counter() - t0)
    )
    return result


def _with_server(
    serve: Callable[..., None], args: tuple[Any, ...], run: Callable[[str, int], None]
) -> None:
    """Run ``serve(conn, *args)`` in a child process pinned to one core, then ``run(base_url,
    server_pid)`` here; stop the server after."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(child, *args))
    server.start()
    try:
        base_url = parent.recv()
        print(pin(server.pid or 0, "client"))
        run(base_url, server.pid or 0)
    finally:
        parent.send("stop")
        server.join(10)


def _us_per_token(b: dict[str, Any]) -> float:
    """Client CPU microseconds per output token over the level's window."""
    cpu: float = b["client"]["cpu_percent"]
    return cpu / 100 / b["tok_s"] * 1e6 if b["tok_s"] else float("nan")


def _describe(b: dict[str, Any]) -> str:
    client = b["client"]
    cpu = client["cpu_percent"]
    us = _us_per_token(b)
    return (
        f"streams={b['concurrency']} tok_s={b['tok_s']:,.0f} "
        f"in_flight={b['achieved_concurrency']['mean']:.0f} "
        f"client_cpu={cpu:.0f}% us_per_token={us:.2f} "
        f"loop_lag_p99_ms={client['loop_lag_ms']['p99']:.1f} "
        f"bottleneck={client['client_bottleneck']} ({client['reason'] or 'no'}) "
        f"errors={b['error_rate']:.1%} server_cpu={b['server_cpu_percent']:.0f}%"
    )


def cpu(args: argparse.Namespace) -> None:
    """Client CPU per streamed token against the blast server."""

    def run(base_url: str, pid: int) -> None:
        for n in args.streams:
            costs = []
            for _ in range(args.repeat):
                b = _level(base_url, pid, BLAST_MODEL, n, args.seconds, args.tokens)
                print(_describe(b))
                costs.append(_us_per_token(b))
            if args.repeat > 1:
                costs.sort()
                print(
                    f"streams={n} tokens={args.tokens} us_per_token "
                    f"median={costs[len(costs) // 2]:.2f} range={costs[0]:.2f}-{costs[-1]:.2f}"
                )

    _with_server(serve_child, (), run)


def streams(args: argparse.Namespace) -> None:
    """The most concurrent streams one client core keeps up with."""
    per_stream = 1000.0 / args.step_ms

    def run(base_url: str, pid: int) -> None:
        best = 0
        for n in args.streams:
            # sim-chatty has more to say than ``tokens``: every reply is cut at max_tokens
            b = _level(base_url, pid, "sim-chatty", n, args.seconds, args.tokens)
            itl_p50 = b["itl_ms"]["p50"]
            # every token as the server paced it (median gap = the step) and the tokens of the
            # window close to N streams x the paced rate (less the server's own time between
            # one request and the next of each stream)
            kept_up = (
                abs(itl_p50 - args.step_ms) <= 0.1 * args.step_ms
                and b["tok_s"] >= 0.9 * n * per_stream
            )
            lag = b["client"]["loop_lag_ms"]
            print(
                _describe(b)
                + f" expected_tok_s={n * per_stream:,.0f} itl_p50_ms={itl_p50:.1f}"
                + f" lag_p50/p90/max_ms={lag['p50']:.1f}/{lag['p90']:.1f}/{lag['max']:.1f}"
                + f" kept_up={kept_up}"
            )
            if kept_up and not b["client"]["client_bottleneck"]:
                best = n
        print(f"most streams one core sustains at {per_stream:g} tok/s each: {best}")

    _with_server(_serve_sim, (_paced(args.step_ms),), run)


def main() -> None:
    """Parse the flags and run one measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    a = sub.add_parser("cpu", help="client CPU per streamed token (blast server)")
    a.add_argument("--streams", type=lambda s: [int(x) for x in s.split(",")], default=[64])
    a.add_argument("--seconds", type=float, default=10.0)
    a.add_argument("--tokens", type=int, default=256)
    a.add_argument("--repeat", type=int, default=1, help="runs per level; prints median, range")
    b = sub.add_parser("streams", help="most concurrent streams (paced profile)")
    b.add_argument(
        "--streams", type=lambda s: [int(x) for x in s.split(",")], default=[250, 500, 1000, 2000]
    )
    b.add_argument("--seconds", type=float, default=16.0)
    b.add_argument("--tokens", type=int, default=128)
    b.add_argument("--step-ms", type=float, default=50.0)
    args = parser.parse_args()
    raise_fd_limit()
    cpu(args) if args.what == "cpu" else streams(args)


if __name__ == "__main__":
    main()
