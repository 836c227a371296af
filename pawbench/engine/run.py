"""One ``pawbench run``: resolve scenarios, open the endpoint (or the embedded simulator),
check it, run every level, write records and the result document."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pawbench import __version__
from pawbench.components import Endpoint, EndpointConfig, ModelInfo, Scorer
from pawbench.engine.agent import SessionSettings
from pawbench.engine.dispatcher import Dispatcher
from pawbench.engine.options import RunOptions
from pawbench.engine.runner import Runner
from pawbench.engine.scoring import load_scorers, score_sessions, views
from pawbench.engine.sink import RecordSink
from pawbench.engine.tokens import TokenCounter
from pawbench.errors import EndpointError, UsageError
from pawbench.models.scenario import Scenario
from pawbench.models.wire import TransportError
from pawbench.plugins import PluginHost
from pawbench.redact import Scrubber, redact_url
from pawbench.results import (
    SCHEMA_VERSION,
    build_levels,
    concurrency_curve,
    single_agent,
    write_result,
)
from pawbench.scenarios import ScenarioCatalog, content_hash

Progress = Callable[[str], None]


@dataclass
class RunOutcome:
    """What a run produced."""

    document: dict[str, Any]
    result_path: Path
    exit_code: int


def resolve_scenarios(refs: list[str]) -> list[Scenario]:
    """Scenario ids or files; all built-ins when none are given."""
    catalog = ScenarioCatalog()
    if not refs:
        if not catalog.entries:
            raise UsageError("no built-in scenarios found; give --scenario FILE")
        return [catalog.entries[i].scenario for i in catalog.ids()]
    return [catalog.resolve(ref) for ref in refs]


@contextlib.asynccontextmanager
async def _target(options: RunOptions) -> AsyncIterator[tuple[str, dict[str, Any] | None]]:
    """The base URL to benchmark and, for the embedded simulator, its settings."""
    if options.endpoint is not None:
        yield options.endpoint, None
        return
    from pawbench.sim import SimServer  # the embedded default, imported only when used

    async with SimServer(
        profile=options.sim_profile,
        seed=options.sim_seed,
        host="127.0.0.1",
        port=0,
        time_scale=options.sim_time_scale,
    ) as sim:
        info = {
            "profile": sim.profile.name,
            "seed": sim.seed,
            "time_scale": sim.time_scale,
            "note": "simulated endpoint, not a real model; its physics run at time_scale "
            "(0.05 = 20x faster than the profile's real time)",
        }
        yield sim.base_url, info


def _endpoint_config(options: RunOptions, base_url: str) -> EndpointConfig:
    return EndpointConfig(
        base_url=base_url,
        api_key=options.api_key,
        headers=options.headers,
        model=options.model,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        seed=options.seed,
        connect_timeout_s=options.connect_timeout_s,
        ttfb_timeout_s=options.ttfb_timeout_s,
        idle_timeout_s=options.idle_timeout_s,
        request_timeout_s=options.request_timeout_s,
        verify_tls=options.verify_tls,
        max_connections=max(options.concurrency) + 2,
        max_retries=options.max_retries,
    )


async def _pick_model(endpoint: Endpoint, wanted: str | None, scrub: Scrubber) -> ModelInfo:
    try:
        models = await endpoint.list_models()
    except TransportError as exc:
        if wanted is not None and exc.cause in ("http_4xx",):
            return ModelInfo(id=wanted)  # a server without /v1/models: trust --model
        raise EndpointError(f"endpoint check failed: {scrub(str(exc))}") from None
    if wanted is not None:
        return next((m for m in models if m.id == wanted), ModelInfo(id=wanted))
    if not models:
        raise EndpointError("the endpoint lists no models (/v1/models is empty); pass --model")
    return models[0]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class _Run:
    """Everything a measured run needs once the endpoint is open."""

    options: RunOptions
    scenarios: list[Scenario]
    scorers: list[Scorer]
    endpoint: Endpoint
    model: ModelInfo
    simulated: bool
    sim_info: dict[str, Any] | None
    base_url: str
    counter: TokenCounter
    scrub: Scrubber
    progress: Progress


async def execute(options: RunOptions, host: PluginHost, progress: Progress) -> RunOutcome:
    """Run the benchmark described by ``options``."""
    if any(level < 1 for level in options.concurrency) or not options.concurrency:
        raise UsageError("--concurrency: levels must be positive integers, e.g. 1,2,4")
    scenarios = resolve_scenarios(options.scenarios)
    host.check()
    endpoint_cls = host.get("endpoint", options.endpoint_plugin)
    scorers = load_scorers(host, options.scorers)
    counter = TokenCounter(options.tokenizer)
    scrub = Scrubber(options.secrets())
    async with _target(options) as (base_url, sim_info):
        simulated = sim_info is not None
        endpoint = endpoint_cls(_endpoint_config(options, base_url), endpoint_cls.Options())  # type: ignore[call-arg]
        assert isinstance(endpoint, Endpoint)
        await endpoint.open()
        try:
            model = await _pick_model(endpoint, options.model, scrub)
            progress(
                "SIMULATED endpoint (built-in simulator, not a real model): " + str(sim_info)
                if simulated
                else f"endpoint: {redact_url(base_url)}, model: {model.id}"
            )
            run = _Run(
                options,
                scenarios,
                scorers,
                endpoint,
                model,
                simulated,
                sim_info,
                base_url,
                counter,
                scrub,
                progress,
            )
            return await _measure(run)
        finally:
            await endpoint.close()


async def _run_levels(run: _Run, runner: Runner) -> bool:
    """Every level of every scenario; True when interrupted."""
    try:
        for level in sorted(set(run.options.concurrency)):
            for scenario in run.scenarios:
                run.progress(f"concurrency {level}: {scenario.id}")
                await runner.run_level(scenario, level)
    except asyncio.CancelledError:
        return True
    return False


async def _measure(run: _Run) -> RunOutcome:
    options = run.options
    stamp = _stamp()
    tag = options.tag or ("simulated" if run.simulated else run.model.id.replace("/", "_"))
    sink = RecordSink(options.output / f"pawbench_{tag}_{stamp}.requests.jsonl")
    sink.open()
    t0 = time.perf_counter_ns()
    started = datetime.now(UTC).isoformat()
    settings = SessionSettings(
        model=run.model.id,
        max_steps=options.max_steps,
        max_tokens=options.max_tokens,
        temperature=options.temperature,
        seed=options.seed,
    )
    runner = Runner(Dispatcher(run.endpoint, t0, run.counter, run.scrub), settings, sink)
    try:
        interrupted = await _run_levels(run, runner)
    finally:
        sink.close()
    levels = build_levels(sink, runner.windows)
    scores, warnings = score_sessions(run.scorers, views(run.scenarios, sink))
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tag": tag,
        "timestamp": started,
        "finished": datetime.now(UTC).isoformat(),
        "interrupted": interrupted,
        "simulated": run.simulated,
        "simulator": run.sim_info,
        "endpoint": "simulated (pawbench sim, in-process)"
        if run.simulated
        else redact_url(run.base_url),
        "model_card": run.model.model_dump(mode="json", exclude={"raw"}),
        "pawbench_version": __version__,
        "options": options.public(),
        "scenarios": {s.id: content_hash(s) for s in run.scenarios},
        "tokens_estimated": any(r.tokens_estimated for r in sink.requests),
        "dim1_throughput": single_agent(sink),
        "concurrency_curve": concurrency_curve(levels),
        "levels": levels,
        "scores": scores,
        "warnings": warnings,
        "requests_jsonl": str(sink.path),
    }
    path = write_result(document, options.output, tag, stamp)
    if interrupted:
        raise asyncio.CancelledError
    failed = sum(1 for r in sink.requests if r.status != "ok")
    too_many = sink.requests and failed / len(sink.requests) > options.max_error_rate
    return RunOutcome(document, path, 4 if too_many or not sink.requests else 0)
