"""``pawbench run``: parse flags into RunOptions, run the engine, render a summary."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import typer
from pydantic import SecretStr, ValidationError

from pawbench.cli.common import host, print_json, stderr
from pawbench.cli.progress import ConsoleProgress
from pawbench.engine.options import RunOptions
from pawbench.engine.run import execute
from pawbench.errors import UsageError
from pawbench.metrics import parse_slo
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


def parse_rates(text: str | None) -> list[float]:
    """``"2,4.5"`` -> [2.0, 4.5] (requests per second); None -> []."""
    if text is None:
        return []
    try:
        rates = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise UsageError(f"--request-rate: expected numbers like 2,4,8, got {text!r}") from None
    if not rates or any(not r > 0 for r in rates):
        raise UsageError(f"--request-rate: rates must be positive, got {text!r}")
    return rates


def _slo(text: str | None) -> dict[str, float]:
    if text is None:
        return {}
    try:
        return parse_slo(text)
    except ValueError as exc:
        raise UsageError(f"--slo: {exc}") from None


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
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:
            raise UsageError(message) from None
        raise UsageError(f"--{format_loc(first['loc']).replace('_', '-')}: {message}") from None


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
        max_steps: int | None = typer.Option(
            None,
            help="Cap on model calls per turn before it counts as failed (default: the turn's "
            "own max_steps, else 4).",
        ),
        tool_choice: str | None = typer.Option(
            None, help="tool_choice sent with requests that offer tools: auto, required, none."
        ),
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
        no_saturation: bool = typer.Option(
            False, "--no-saturation", help="Skip the raw saturation test."
        ),
        saturation_only: bool = typer.Option(
            False,
            "--saturation-only",
            help="Run only the raw saturation test (levels: --concurrency).",
        ),
        saturation_levels: str | None = typer.Option(
            None, help="Concurrency levels of the saturation test (default: --concurrency)."
        ),
        request_rate: str | None = typer.Option(
            None,
            help="Open-loop saturation: seeded Poisson arrivals at these rates (requests/s, "
            "e.g. 2,4,8) instead of concurrency levels.",
        ),
        saturation_duration: float | None = typer.Option(
            None,
            help="Steady-state seconds per saturation level (default 20; with the embedded "
            "simulator 20 s of simulated time, at least 1 s).",
        ),
        saturation_requests: int | None = typer.Option(
            None, help="End each saturation level after this many measured requests instead."
        ),
        warmup: float | None = typer.Option(
            None,
            help="Warm-up seconds before each saturation window (default 3; simulator: "
            "3 s of simulated time, at least 0.25 s).",
        ),
        saturation_output_tokens: int = typer.Option(
            256, help="Output tokens per saturation request (ignore_eos + min_tokens)."
        ),
        saturation_prompt_tokens: int = typer.Option(
            256, help="About this many prompt tokens per saturation request."
        ),
        max_in_flight: int = typer.Option(
            1024, help="Open loop: most requests in flight; later arrivals wait (send lag)."
        ),
        slo: str | None = typer.Option(
            None, help="SLOs for goodput, e.g. ttft_ms=2000,tpot_ms=50 (also e2e_ms, itl_max_ms)."
        ),
        weights: Path | None = typer.Option(
            None, help="DQS weights file (JSON; default: the built-in dqs-v1.0.0)."
        ),
        ablate: str | None = typer.Option(
            None, help="DQS components to drop one at a time in the ablation (default: all)."
        ),
        verification_runs: int = typer.Option(
            1, help="Run the scenarios N times at concurrency 1: agreement, DQS CI, pass^k."
        ),
        orchestration: str | None = typer.Option(
            None,
            help="Run each scenario once per shape, e.g. flat,waves,scatter-gather,team-mode,"
            "subagents.",
        ),
        context_tier: str = typer.Option(
            "standard", help="standard, manifest-only, or both comma-separated."
        ),
        metrics_url: str | None = typer.Option(
            None, help="Prometheus /metrics URL (default: <server root>/metrics)."
        ),
        metrics_interval: float = typer.Option(2.0, help="Seconds between /metrics samples."),
        local_gpu: bool = typer.Option(
            False, "--local-gpu", help="The server runs on this machine: read its GPUs (NVML)."
        ),
        serving_card: Path | None = typer.Option(
            None, help="What the server cannot tell (quantization, KV dtype, GPU...): JSON/YAML."
        ),
        no_quality_analysis: bool = typer.Option(
            False,
            "--no-quality-analysis",
            help="Skip the static analysis of the files the model wrote.",
        ),
        report: str = typer.Option("console", help="Reporter for the summary (see plugins list)."),
    ) -> None:
        """Run the benchmark: scenarios at each concurrency level, then the raw saturation
        test, then write the result."""
        if saturation_only and no_saturation:
            raise UsageError("--saturation-only and --no-saturation exclude each other")
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
            tool_choice=tool_choice,
            output=output,
            tag=tag,
            tokenizer=tokenizer,
            max_error_rate=max_error_rate,
            sim_profile=sim_profile,
            sim_seed=sim_seed,
            sim_time_scale=sim_time_scale,
            scenario_levels=not saturation_only,
            saturation=not no_saturation,
            saturation_levels=parse_levels(saturation_levels) if saturation_levels else None,
            request_rates=parse_rates(request_rate),
            saturation_duration_s=saturation_duration,
            saturation_requests=saturation_requests,
            warmup_s=warmup,
            saturation_output_tokens=saturation_output_tokens,
            saturation_prompt_tokens=saturation_prompt_tokens,
            max_in_flight=max_in_flight,
            slo=_slo(slo),
            weights=weights,
            ablate=ablate,
            verification_runs=verification_runs,
            orchestration=_names(orchestration),
            context_tiers=_names(context_tier) or ["standard"],
            metrics_url=metrics_url,
            metrics_interval_s=metrics_interval,
            local_gpu=local_gpu,
            serving_card=serving_card,
            quality_analysis=not no_quality_analysis,
        )
        reporter = host(ctx).reporter(report)
        err = stderr()
        progress = ConsoleProgress(err, quiet=as_json)
        outcome = asyncio.run(execute(options, host(ctx), progress, progress))
        if as_json:
            print_json(outcome.document)
        else:
            reporter.render(outcome.document, sys.stdout)
            err.print(f"result: {outcome.result_path}")
        if outcome.exit_code:
            err.print("warning: too many failed requests: results are not trustworthy")
            raise typer.Exit(outcome.exit_code)


def _names(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]
