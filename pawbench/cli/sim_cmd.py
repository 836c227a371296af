"""``pawbench sim``: serve the built-in SIMULATED endpoint, list its machine profiles."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from pawbench.cli.common import print_json, stderr, stdout
from pawbench.errors import UsageError
from pawbench.sim import PERSONAS, Faults, SimServer, default_profile_name, load_profiles

app = typer.Typer(help="The built-in simulated endpoint (no GPU needed).", no_args_is_help=True)


def banner(sim: SimServer) -> str:
    """The line that says plainly that the endpoint is simulated."""
    return (
        f"SIMULATED endpoint (not a real model): {sim.openai_base_url} "
        f"profile={sim.profile.name} seed={sim.seed} time_scale={sim.time_scale} "
        f"models={','.join(PERSONAS)}"
    )


async def _serve(sim: SimServer) -> None:
    async with sim:
        stdout().print(f"pawbench sim: {banner(sim)}")
        stderr().print("press Ctrl-C to stop")
        await asyncio.Event().wait()


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8000, help="Port to bind (0: a free one)."),
    profile: str = typer.Option(None, help="Machine profile (see `pawbench sim profiles`)."),
    seed: int = typer.Option(0, help="Seed of generated tokens and injected faults."),
    time_scale: float = typer.Option(
        1.0, "--time-scale", help="Multiply simulated durations (0.1: ten times faster)."
    ),
    error_rate_429: float = typer.Option(0.0, "--error-rate-429", help="Share of 429 answers."),
    error_rate_500: float = typer.Option(0.0, "--error-rate-500", help="Share of 500 answers."),
    error_rate_503: float = typer.Option(0.0, "--error-rate-503", help="Share of 503 answers."),
    retry_after: int = typer.Option(1, "--retry-after", help="Retry-After seconds of a 429."),
    drop_rate: float = typer.Option(0.0, "--drop-rate", help="Share of streams cut mid-way."),
    stall_rate: float = typer.Option(0.0, "--stall-rate", help="Share of streams that pause."),
    stall_seconds: float = typer.Option(1.0, "--stall-seconds", help="Length of a pause."),
    malformed_rate: float = typer.Option(
        0.0, "--malformed-rate", help="Share of streams with one malformed chunk."
    ),
) -> None:
    """Serve the simulated OpenAI-compatible endpoint until interrupted."""
    try:
        faults = Faults(
            rate_429=error_rate_429,
            rate_500=error_rate_500,
            rate_503=error_rate_503,
            retry_after_s=retry_after,
            drop_rate=drop_rate,
            stall_rate=stall_rate,
            stall_s=stall_seconds,
            malformed_rate=malformed_rate,
        )
        sim = SimServer(
            profile=profile, seed=seed, host=host, port=port, time_scale=time_scale, faults=faults
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        asyncio.run(_serve(sim))
    except KeyboardInterrupt:
        stderr().print("pawbench sim: stopped")
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


@app.command("profiles")
def profiles(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the simulator's machine profiles."""
    default = default_profile_name()
    items = list(load_profiles().values())
    if as_json:
        print_json([{**p.model_dump(), "default": p.name == default} for p in items])
        return
    table = Table("profile", "max batch", "KV tokens", "prefill tok/s", "step ms", "tok/s 1 → max")
    for p in items:
        step = f"{p.decode_base_ms:g} + {p.decode_per_seq_ms:g}·n"
        if p.speculative is not None:
            step += f" (spec {p.speculative.num_draft_tokens})"
        rate = f"{p.predicted_throughput(1):,.0f} → {p.predicted_throughput(p.max_batch):,.0f}"
        if p.decode_base_ms + p.decode_per_seq_ms == 0:
            rate = "unbounded"
        prefill = f"{p.prefill_tokens_per_s:,.0f}" if p.prefill_tokens_per_s < 1e9 else "unbounded"
        name = f"{p.name} (default)" if p.name == default else p.name
        table.add_row(name, str(p.max_batch), f"{p.kv_capacity_tokens:,}", prefill, step, rate)
    stdout().print(table)
