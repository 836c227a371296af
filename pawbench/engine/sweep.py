"""Running the raw saturation test of a run: plan from the options, fixed-length probe, every
level (closed or open loop) with live progress, then the curve and its analysis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pawbench.engine.curve import analyse, build_curve
from pawbench.engine.dispatcher import Dispatcher, LiveCounters
from pawbench.engine.gcpause import between_levels
from pawbench.engine.openloop import run_open
from pawbench.engine.options import RunOptions
from pawbench.engine.prompts import PromptPool
from pawbench.engine.saturation import SaturationPlan, SaturationRunner
from pawbench.engine.sink import RecordSink
from pawbench.models.scenario import Scenario

Health = Callable[[int, int], dict[str, Any]]


class LiveView(Protocol):
    """Live progress of the levels (the CLI's rich display); optional."""

    def start_level(self, label: str, counters: LiveCounters) -> None:
        """A level starts; ``counters`` are updated as its requests finish."""

    def end_level(self) -> None:
        """The level is over."""


@dataclass
class SaturationOutcome:
    """What the saturation test adds to the result."""

    curve: list[dict[str, Any]]
    analysis: dict[str, Any]
    settings: dict[str, Any]


def plan_of(options: RunOptions, model: str, simulated: bool) -> SaturationPlan:
    """The saturation plan of a run's options."""
    duration, warmup = options.saturation_window(simulated)
    return SaturationPlan(
        model=model,
        levels=options.sweep_levels(),
        rates=sorted(set(options.request_rates)),
        duration_s=duration,
        requests=options.saturation_requests,
        warmup_s=warmup,
        output_tokens=options.saturation_output_tokens,
        max_in_flight=options.max_in_flight,
        seed=options.seed if options.seed is not None else 0,
        temperature=options.temperature,
    )


async def run_saturation(
    plan: SaturationPlan,
    scenarios: list[Scenario],
    prompt_tokens: int,
    dispatcher: Dispatcher,
    sink: RecordSink,
    progress: Callable[[str], None],
    live: LiveView | None,
) -> SaturationRunner:
    """Probe the fixed-length parameters, then run every level of the plan."""
    pool = PromptPool(scenarios, plan.seed, prompt_tokens)
    runner = SaturationRunner(dispatcher, sink, pool, plan)
    if not await runner.probe():
        progress(
            "saturation: the server rejects ignore_eos/min_tokens; output length is whatever "
            "it generates up to max_tokens (the achieved length is reported)"
        )
    loads: list[tuple[str, int | float]] = (
        [("request rate", r) for r in plan.rates]
        if plan.open_loop
        else [("concurrency", c) for c in plan.levels]
    )
    for name, load in loads:
        label = f"saturation, {name} {load:g}"
        progress(label)
        dispatcher.live.reset()
        if live is not None:
            live.start_level(label, dispatcher.live)
        try:
            if plan.open_loop:
                await run_open(runner, float(load))
            else:
                await runner.run_closed(int(load))
        finally:
            if live is not None:
                live.end_level()
            between_levels()
    return runner


def outcome(
    runner: SaturationRunner,
    sink: RecordSink,
    health: Health | None,
    slo: dict[str, float],
) -> SaturationOutcome:
    """The curve, its analysis and the settings it ran with."""
    plan = runner.plan
    curve = build_curve(sink.requests, runner.levels, plan, health, slo)
    settings = {
        "mode": "open" if plan.open_loop else "closed",
        "levels": plan.levels if not plan.open_loop else None,
        "request_rates": plan.rates or None,
        "duration_s": plan.duration_s,
        "requests": plan.requests,
        "warmup_s": plan.warmup_s,
        "output_tokens": plan.output_tokens,
        "fixed_length_params": (runner.extra_body or None),
        "max_in_flight": plan.max_in_flight if plan.open_loop else None,
        "seed": plan.seed,
    }
    return SaturationOutcome(curve, analyse(curve, slo), settings)
