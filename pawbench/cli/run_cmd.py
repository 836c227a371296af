"""``pawbench run``: parse flags into RunOptions, run the engine, render a summary."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import typer
from pydantic import SecretStr, ValidationError
from rich.table import Table

from pawbench.cli.common import host, print_json, stderr, stdout
from pawbench.engine.options import RunOptions
from pawbench.engine.run import execute
from pawbench.errors import UsageError
from pawbench.scenarios import format_loc


def parse_levels(text: str) -> list[int]:
    """``"1,2,4"`` -> [1, 2, 4]."""
    try:
        levels = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise UsageError(f"--concurrency: expected integers like 1,2,4, got {text!r}") from None
    if not levels or any(level < 1 for level in levels):
        raise UsageError(f"--concurrency: levels must be positive integers, got {text!r}")
    return levels


def parse_headers(values: list[str]) -> dict[str, SecretStr]:
    """``["K: V", ...]`` -> {K: V}; values are secret."""
    headers: dict[str, SecretStr] = {}
    for item in values:
        key, sep, value = item.partition(":")
        if not sep or not key.strip():
            raise UsageError("--header: expected 'Name: value', got a value without a colon")
        headers[key.strip()] = SecretStr(value.strip())
    return headers


def _api_key(flag: str | None) -> SecretStr | None:
    value = flag or os.environ.get("PAWBENCH_API_KEY") or os.environ.get("OPENAI_API_KEY")
    return SecretStr(value) if value else None


def _options(**values: Any) -> RunOptions:
    try:
        return RunOptions(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(
            f"--{format_loc(first['loc']).replace('_', '-')}: {first['msg']}"
        ) from None


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the root app."""

    @app.command("run")
    def run(
        ctx: typer.Context,
        endpoint: str | None = typer.Option(
            None,
            help="Base URL of an OpenAI-compatible server (with or without /v1). "
            "Omitted: the built-in simulator, labelled simulated.",
        ),
        model: str | None = typer.Option(None, help="Model id (default: first of /v1/models)."),
        api_key: str | None = typer.Option(
            None, help="API key (default: $PAWBENCH_API_KEY or $OPENAI_API_KEY)."
        ),
        header: list[str] = typer.Option([], "--header", help="Extra header 'Name: value'."),
        scenario: list[str] = typer.Option(
            [], "--scenario", "-s", help="Scenario id or JSON file (repeatable; default: all)."
        ),
        scorer: list[str] = typer.Option(
            [], "--scorer", help="Scorer plugin to run (repeatable; default: every scorer)."
        ),
        concurrency: str = typer.Option("1,2,4", help="Agent sessions in flight per level."),
        output: Path = typer.Option(Path("results"), help="Directory for results and records."),
        tag: str | None = typer.Option(None, help="Label of this run in file names and compare."),
        as_json: bool = typer.Option(False, "--json", help="Print the result JSON only."),
        temperature: float | None = typer.Option(None),
        max_tokens: int = typer.Option(1024, help="max_tokens of every request."),
        seed: int | None = typer.Option(None, help="Seed sent with every request."),
        max_steps: int = typer.Option(4, help="Model calls per turn before it counts as failed."),
        connect_timeout: float = typer.Option(10.0, help="Seconds to connect."),
        ttfb_timeout: float = typer.Option(300.0, help="Seconds from send to first byte."),
        idle_timeout: float = typer.Option(60.0, help="Longest gap between chunks, seconds."),
        request_timeout: float | None = typer.Option(None, help="Whole-request limit, seconds."),
        max_retries: int = typer.Option(3, help="Retries on connect errors, 429 and 5xx."),
        insecure: bool = typer.Option(False, help="Do not verify TLS certificates."),
        tokenizer: Path | None = typer.Option(
            None, help="Local tokenizer.json for servers that report no usage."
        ),
        endpoint_plugin: str = typer.Option("openai", help="Endpoint plugin to use."),
        max_error_rate: float = typer.Option(
            0.05, help="Exit code 4 when more than this fraction of requests failed."
        ),
        sim_profile: str | None = typer.Option(None, help="Simulator profile (no --endpoint)."),
        sim_seed: int = typer.Option(0, help="Simulator seed (no --endpoint)."),
        sim_time_scale: float = typer.Option(
            0.05, help="Simulator clock factor (no --endpoint); 0.05 runs 20x faster than real."
        ),
        no_saturation: bool = typer.Option(False, help="Skip the raw saturation test."),
        saturation_only: bool = typer.Option(False, help="Run only the raw saturation test."),
    ) -> None:
        """Run the benchmark: scenarios at each concurrency level, then write the result."""
        if saturation_only and no_saturation:
            raise UsageError("--saturation-only and --no-saturation exclude each other")
        if saturation_only:
            raise UsageError("--saturation-only: the raw saturation test is not available yet")
        options = _options(
            endpoint=endpoint,
            endpoint_plugin=endpoint_plugin,
            model=model,
            api_key=_api_key(api_key),
            headers=parse_headers(header),
            temperature=temperature,
            max_tokens=max_tokens,
            seed=seed,
            connect_timeout_s=connect_timeout,
            ttfb_timeout_s=ttfb_timeout,
            idle_timeout_s=idle_timeout,
            request_timeout_s=request_timeout,
            verify_tls=not insecure,
            max_retries=max_retries,
            scenarios=scenario,
            concurrency=parse_levels(concurrency),
            max_steps=max_steps,
            output=output,
            tag=tag,
            tokenizer=tokenizer,
            max_error_rate=max_error_rate,
            sim_profile=sim_profile,
            sim_seed=sim_seed,
            sim_time_scale=sim_time_scale,
        )
        err = stderr()

        def progress(message: str) -> None:
            if not as_json:
                err.print(f"[dim]… {message}[/dim]")

        outcome = asyncio.run(execute(options, host(ctx), progress))
        if as_json:
            print_json(outcome.document)
        else:
            render_summary(outcome.document)
            err.print(f"result: {outcome.result_path}")
        if outcome.exit_code:
            err.print("warning: too many failed requests: results are not trustworthy")
            raise typer.Exit(outcome.exit_code)


def render_summary(doc: dict[str, Any]) -> None:
    """A short console summary (the full report comes with the reporting issue)."""
    out = stdout()
    label = " [bold yellow](SIMULATED endpoint)[/bold yellow]" if doc["simulated"] else ""
    out.print(f"endpoint: {doc['endpoint']}{label}  model: {doc['model_card']['id']}")
    table = Table(
        "scenario",
        "conc.",
        "requests",
        "errors",
        "out tok/s",
        "TTFT p50 ms",
        "TPOT p50 ms",
        "turns",
    )
    for b in doc["levels"]:
        table.add_row(
            b["scenario_id"],
            str(b["concurrency"]),
            str(b["requests"]),
            str(sum(b["errors"].values())),
            _fmt(b["output_tok_s"]),
            _fmt(b["ttft_ms"]["p50"]),
            _fmt(b["tpot_ms"]["p50"]),
            ", ".join(f"{k}={v}" for k, v in sorted(b["turns"].items())),
        )
    out.print(table)
    single = doc["dim1_throughput"]
    out.print(
        f"single-agent: {_fmt(single['avg_single_tok_s'])} tok/s, "
        f"TTFT {_fmt(single['avg_ttft_ms'])} ms"
        + ("  (token counts estimated)" if doc["tokens_estimated"] else "")
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
