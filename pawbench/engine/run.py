"""One ``pawbench run``: resolve scenarios, open the endpoint (or the embedded simulator),
check it, run every level, write records and the result document."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pawbench import __version__
from pawbench.artifacts import BLOCK_KEY, analyze_sessions, skipped_block
from pawbench.components import Endpoint, EndpointConfig, ModelInfo, Scorer, Shape
from pawbench.context_tiers import CONTEXT_TIERS, apply_context_tier
from pawbench.engine.agent import SessionSettings
from pawbench.engine.analysis import (
    TIER_SEPARATOR,
    context_tier_block,
    orchestration_results,
    scored,
    verification_block,
)
from pawbench.engine.client_health import ClientMonitor
from pawbench.engine.curve import curve_warnings, raw_peak
from pawbench.engine.dispatcher import Dispatcher
from pawbench.engine.gcpause import between_levels, paused_gc
from pawbench.engine.options import RunOptions
from pawbench.engine.orchestration import OrchestrationRuntime
from pawbench.engine.phases import PhaseContext, run_orchestration, run_verification
from pawbench.engine.runner import Runner
from pawbench.engine.saturation import SATURATION_ID, SaturationRunner
from pawbench.engine.scoring import load_scorers
from pawbench.engine.sink import RecordSink
from pawbench.engine.sweep import LiveView, SaturationOutcome, outcome, plan_of, run_saturation
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
    level_warnings,
    single_agent,
    write_result,
)
from pawbench.scenarios import ScenarioCatalog, content_hash
from pawbench.scoring import Weights, build_dimensions, load_weights, parse_ablate
from pawbench.telemetry import Telemetry, load_serving_card

Progress = Callable[[str], None]


@dataclass
class RunOutcome:
    """What a run produced."""

    document: dict[str, Any]
    result_path: Path
    exit_code: int


def resolve_scenarios(refs: list[str], tiers: list[str] | None = None) -> list[Scenario]:
    """Scenario ids or files (all built-ins when none are given), once per context tier; a
    non-standard tier's copy is named ``<id>--<tier>``."""
    catalog = ScenarioCatalog()
    if not refs and not catalog.entries:
        raise UsageError("no built-in scenarios found; give --scenario FILE")
    base = [catalog.resolve(ref) for ref in refs] or [
        catalog.entries[i].scenario for i in catalog.ids()
    ]
    unknown = [t for t in tiers or [] if t not in CONTEXT_TIERS]
    if unknown:
        raise UsageError(
            f"--context-tier: unknown tier {unknown[0]!r} (available: {', '.join(CONTEXT_TIERS)})"
        )
    out = []
    for tier in tiers or ["standard"]:
        for scenario in base:
            tiered = apply_context_tier(scenario, tier)
            if tier != "standard":
                tiered = tiered.model_copy(update={"id": f"{scenario.id}{TIER_SEPARATOR}{tier}"})
            out.append(tiered)
    return out


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
        max_connections=options.max_connections(),
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
    live: LiveView | None = None
    host: PluginHost | None = None
    weights: Weights | None = None
    ablate: list[str] | None = None
    shapes: list[Shape] | None = None
    serving_card: dict[str, Any] | None = None


async def execute(
    options: RunOptions, host: PluginHost, progress: Progress, live: LiveView | None = None
) -> RunOutcome:
    """Run the benchmark described by ``options``; ``live`` shows each level as it runs."""
    if any(level < 1 for level in options.concurrency) or not options.concurrency:
        raise UsageError("--concurrency: levels must be positive integers, e.g. 1,2,4")
    scenarios = resolve_scenarios(options.scenarios, options.context_tiers)
    weights, ablate = load_weights(options.weights), parse_ablate(options.ablate)
    if options.saturation and any(s.id == SATURATION_ID for s in scenarios):
        raise UsageError(f"scenario id {SATURATION_ID!r} is reserved for the saturation test")
    host.check()
    endpoint_cls = host.get("endpoint", options.endpoint_plugin)
    scorers = load_scorers(host, options.scorers)
    shapes = [host.shape(name) for name in options.orchestration]
    counter = TokenCounter(options.tokenizer)
    scrub = Scrubber(options.secrets())
    serving = load_serving_card(options.serving_card, scrub) if options.serving_card else None
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
                live,
                host,
                weights,
                ablate,
                shapes,
                serving,
            )
            return await _measure(run)
        finally:
            await endpoint.close()


async def _run_levels(run: _Run, runner: Runner, tel: Telemetry) -> None:
    """Every level of every scenario."""
    live, counters = run.live, runner.dispatcher.live
    for level in sorted(set(run.options.concurrency)):
        for scenario in run.scenarios:
            label = f"concurrency {level}: {scenario.id}"
            run.progress(label)
            counters.reset()
            if live is not None:
                live.start_level(label, counters)
            await tel.level_started(label, {"scenario_id": scenario.id, "concurrency": level})
            try:
                await runner.run_level(scenario, level)
            finally:
                await tel.level_finished(label)
                if live is not None:
                    live.end_level()
                between_levels()


@dataclass
class _Measured:
    """What the load phases left behind."""

    runner: Runner
    saturation: SaturationRunner | None = None
    interrupted: bool = False
    runtimes: list[OrchestrationRuntime] = field(default_factory=list)
    repeats: list[RecordSink] = field(default_factory=list)


async def _load(run: _Run, dispatcher: Dispatcher, sink: RecordSink, tel: Telemetry) -> _Measured:
    """The scenario levels, then the saturation test; stops early on cancellation."""
    options = run.options
    settings = SessionSettings(
        model=run.model.id,
        max_steps_cap=options.max_steps,
        tool_choice=options.tool_choice,
        max_tokens=options.max_tokens,
        temperature=options.temperature,
        seed=options.seed,
    )
    measured = _Measured(Runner(dispatcher, settings, sink))
    phase = PhaseContext(settings, dispatcher, sink, run.progress, tel)
    try:
        if options.scenario_levels:
            await _run_levels(run, measured.runner, tel)
            measured.runtimes = await run_orchestration(phase, run.shapes or [], run.scenarios)
            measured.repeats = await run_verification(
                phase, options.verification_runs, run.scenarios, sink.path
            )
        if options.saturation:
            await tel.level_started("saturation", {"phase": "saturation"})
            plan = plan_of(options, run.model.id, run.simulated)
            measured.saturation = await run_saturation(
                plan,
                run.scenarios,
                options.saturation_prompt_tokens,
                dispatcher,
                sink,
                run.progress,
                run.live,
            )
            await tel.level_finished("saturation")
    except asyncio.CancelledError:
        measured.interrupted = True
    return measured


async def _measure(run: _Run) -> RunOutcome:
    options = run.options
    stamp = _stamp()
    tag = options.tag or ("simulated" if run.simulated else run.model.id.replace("/", "_"))
    sink = RecordSink(options.output / f"pawbench_{tag}_{stamp}.requests.jsonl")
    sink.open()
    t0 = time.perf_counter_ns()
    started = datetime.now(UTC).isoformat()
    monitor = ClientMonitor(t0)
    monitor.start()
    assert run.host is not None
    async with Telemetry(
        run.host,
        run.base_url,
        metrics_url=options.metrics_url,
        local_gpu=options.local_gpu,
        interval_s=options.metrics_interval_s,
        secrets=options.secrets(),
    ) as tel:
        try:
            dispatcher = Dispatcher(run.endpoint, t0, run.counter, run.scrub)
            with paused_gc():
                measured = await _load(run, dispatcher, sink, tel)
        finally:
            sink.close()
            await monitor.stop()
    levels = build_levels(sink, measured.runner.windows, monitor.window, options.slo)
    saturation = (
        None
        if measured.saturation is None
        else outcome(measured.saturation, sink, monitor.window, options.slo)
    )
    blocks, warnings = await _analysis(run, sink, measured)
    curve = saturation.curve if saturation else []
    warnings += level_warnings(levels) + curve_warnings(curve)
    document = _document(run, sink, started, tag, levels, saturation, warnings)
    document.update(blocks)
    document["model_card"] = await tel.model_card(run.model)
    document["server_metrics"] = tel.summary()
    document["client"] = tel.client_info()
    document["interrupted"] = measured.interrupted
    path = write_result(document, options.output, tag, stamp)
    if measured.interrupted:
        raise asyncio.CancelledError
    failed = sum(1 for r in sink.requests if r.status != "ok")
    too_many = sink.requests and failed / len(sink.requests) > options.max_error_rate
    return RunOutcome(document, path, 4 if too_many or not sink.requests else 0)


async def _analysis(
    run: _Run, sink: RecordSink, measured: _Measured
) -> tuple[dict[str, Any], list[str]]:
    """Scores, the dimension blocks, DQS, verification, orchestration, context tiers and the
    static analysis of the files the model wrote."""
    options = run.options
    assert run.weights is not None and run.host is not None
    agents = {sid: a for rt in measured.runtimes for sid, a in rt.agents.items()}
    main = scored(run.scorers, run.scenarios, sink, agents)
    blocks: dict[str, Any] = {"scores": main.summary}
    blocks.update(build_dimensions(main.views, main.scores, run.weights, ablate=run.ablate))
    warnings = list(main.warnings)
    if measured.repeats:
        repeats = [scored(run.scorers, run.scenarios, r) for r in measured.repeats]
        pairs = [(r.views, r.scores) for r in repeats]
        blocks["verification"] = verification_block(main.views, main.scores, pairs, run.weights)
    if measured.runtimes:
        results, spread, by_scenario = orchestration_results(
            measured.runtimes, sink, main, run.weights
        )
        blocks["orchestration_results"] = results
        blocks["orchestration_dqs_spread"] = spread
        blocks["orchestration_dqs_spread_by_scenario"] = by_scenario
    if options.context_tiers != ["standard"]:
        by_scenario = blocks["dim2_quality"].get("by_scenario", {})
        blocks["context_tiers"] = context_tier_block(options.context_tiers, sink, by_scenario)
    blocks[BLOCK_KEY] = (
        await asyncio.to_thread(
            analyze_sessions,
            run.host,
            sink.sessions,
            timeout_s=options.quality_timeout_s,
            progress=run.progress,
        )
        if options.quality_analysis
        else skipped_block()
    )
    return blocks, warnings


def _document(
    run: _Run,
    sink: RecordSink,
    started: str,
    tag: str,
    levels: list[dict[str, Any]],
    saturation: SaturationOutcome | None,
    warnings: list[str],
) -> dict[str, Any]:
    """The result document (schema in docs/metrics.md)."""
    options = run.options
    dim1 = single_agent(sink)
    if saturation is not None:
        dim1.update(raw_peak(saturation.analysis))
    return {
        "schema_version": SCHEMA_VERSION,
        "tag": tag,
        "timestamp": started,
        "finished": datetime.now(UTC).isoformat(),
        "interrupted": False,
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
        "dim1_throughput": dim1,
        "concurrency_curve": concurrency_curve(levels),
        "levels": levels,
        "saturation": None
        if saturation is None
        else {**saturation.settings, "analysis": saturation.analysis},
        "saturation_curve": [] if saturation is None else saturation.curve,
        "client_note": "the embedded simulator runs in the client's process and event loop: "
        "client CPU and loop lag include its work"
        if run.simulated
        else None,
        "serving_card": run.serving_card,
        "warnings": warnings,
        "requests_jsonl": str(sink.path),
    }
