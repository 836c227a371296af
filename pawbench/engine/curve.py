"""The raw saturation curve: one block per level from its records, and the analysis over the
levels (peak, knee, goodput under SLOs). Definitions in docs/metrics.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pawbench.engine import measures
from pawbench.engine.saturation import SATURATION_ID, SaturationLevel, SaturationPlan
from pawbench.metrics import (
    KNEE_SHARE,
    SLO_ATTAINMENT,
    CurvePoint,
    amount_in,
    distribution,
    highest_meeting,
    knee,
    meets_slo,
    peak,
    peak_rate,
    rate,
    slo_summary,
)
from pawbench.models.records import RequestRecord

Health = Callable[[int, int], dict[str, Any]]


def level_records(requests: Sequence[RequestRecord], level: SaturationLevel) -> list[RequestRecord]:
    """Every recorded request of one saturation level (warm-up, window and cool-down)."""
    session = f"{SATURATION_ID}-{level.label}"
    return [r for r in requests if r.session_id == session]


def _output_lengths(good: Sequence[RequestRecord], requested: int) -> dict[str, Any]:
    lengths = [r.completion_tokens or 0 for r in good]
    return {
        "requested": requested,
        "mean": sum(lengths) / len(lengths) if lengths else None,
        "min": min(lengths, default=None),
        "max": max(lengths, default=None),
        "fixed": bool(lengths) and all(n == requested for n in lengths),
    }


def _from_schedule(measured: Sequence[RequestRecord]) -> dict[str, Any]:
    values = [measures.from_schedule(r) for r in measures.ok(measured)]
    out: dict[str, Any] = {}
    for key in ("ttft_from_schedule_ms", "e2e_from_schedule_ms", "send_lag_ms"):
        out[key] = distribution([x for v in values if (x := v[key]) is not None])
    return out


def curve_block(
    level: SaturationLevel,
    records: Sequence[RequestRecord],
    plan: SaturationPlan,
    health: Health | None = None,
    slo: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The figures of one saturation level over its steady-state window."""
    ws, we = level.window_start_ns, level.window_end_ns
    seconds = (we - ws) / 1e9
    measured = [r for r in records if ws <= measures.scheduled_ns(r) < we]
    good = measures.ok(measured)
    every_ok = measures.ok(records)
    events = measures.output_events(records)
    out_tokens = amount_in(events, ws, we)
    prompt_tokens = sum(
        r.prompt_tokens or 0
        for r in every_ok
        if ws <= (r.t_first_token_ns if r.t_first_token_ns is not None else r.t_end_ns) < we
    )
    block: dict[str, Any] = {
        "concurrency": level.concurrency,
        "request_rate": level.request_rate,
        "mode": "open" if level.request_rate is not None else "closed",
        "window": {
            "start_s": ws / 1e9,
            "end_s": we / 1e9,
            "duration_s": seconds,
            "warmup_s": (ws - level.t_start_ns) / 1e9,
            "level_start_s": level.t_start_ns / 1e9,
            "level_end_s": level.t_end_ns / 1e9,
        },
        "requests": len(measured),
        "requests_ok": len(good),
        **measures.errors(measured),
        "tok_s": rate(out_tokens, seconds),
        "total_tok_s": rate(out_tokens + prompt_tokens, seconds),
        "requests_s": rate(sum(1 for r in every_ok if ws <= r.t_end_ns < we), seconds),
        "peak_1s_tok_s": peak_rate(events, ws, we),
        "achieved_concurrency": measures.concurrency(records, ws, we),
        **measures.latencies(measured),
        **_from_schedule(measured),
        "output_tokens": _output_lengths(good, plan.output_tokens),
        "tokens_estimated": any(r.tokens_estimated for r in good),
    }
    if slo:
        met = sum(1 for r in good if meets_slo(measures.slo_values(r), slo))
        block["goodput"] = slo_summary(met, len(measured), seconds)
    if health is not None:
        client = health(ws, we)
        block["client"] = client
        block["client_bottleneck"] = client["client_bottleneck"]
    return block


def build_curve(
    requests: Sequence[RequestRecord],
    levels: Sequence[SaturationLevel],
    plan: SaturationPlan,
    health: Health | None = None,
    slo: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """One block per saturation level, in the order they ran."""
    return [
        curve_block(level, level_records(requests, level), plan, health, slo) for level in levels
    ]


def load_of(block: Mapping[str, Any]) -> float:
    """The load of a curve level: its concurrency, or its request rate in open loop."""
    value = block["concurrency"] if block["concurrency"] is not None else block["request_rate"]
    return float(value)


def analyse(curve: Sequence[Mapping[str, Any]], slo: Mapping[str, float]) -> dict[str, Any]:
    """Peak, knee and (with SLOs) the highest load that meets them, over the curve."""
    points = [CurvePoint(load_of(b), b["tok_s"]) for b in curve]
    key = "request_rate" if curve and curve[0]["mode"] == "open" else "concurrency"
    top, bend = peak(points), knee(points)
    out: dict[str, Any] = {
        "load": key,
        "peak": None if top is None else {key: _load(top, key), "tok_s": top.throughput},
        "knee": None if bend is None else {key: _load(bend, key), "tok_s": bend.throughput},
        "knee_method": f"lowest {key} whose output tok/s reaches {KNEE_SHARE:.0%} of the peak",
        "saturated": bend is not None and bend.load < max(p.load for p in points),
    }
    if slo:
        meets = [(load_of(b), bool(b["goodput"]["meets"])) for b in curve]
        out["slo"] = {
            "bounds": dict(slo),
            "attainment": SLO_ATTAINMENT,
            "highest_meeting": _plain(highest_meeting(meets), key),
            "levels_meeting": [_plain(load, key) for load, ok in meets if ok],
        }
    return out


def _plain(load: float | None, key: str) -> float | int | None:
    return int(load) if load is not None and key == "concurrency" else load


def _load(point: CurvePoint, key: str) -> float | int | None:
    return _plain(point.load, key)


def raw_peak(analysis: Mapping[str, Any]) -> dict[str, Any]:
    """The ``dim1_throughput`` entries of the saturation test."""
    top = analysis.get("peak")
    key = analysis.get("load")
    return {
        "raw_peak_tok_s": None if top is None else top["tok_s"],
        "raw_peak_concurrency": None if top is None or key != "concurrency" else top[key],
        "raw_peak_request_rate": None if top is None or key != "request_rate" else top[key],
    }


def curve_warnings(curve: Sequence[Mapping[str, Any]]) -> list[str]:
    """What a reader of the curve must know: levels where the client was the bottleneck,
    windows without a measured request, an output length the server did not hold to."""
    out = []
    for b in curve:
        load = b["concurrency"] if b["concurrency"] is not None else f"{b['request_rate']:g}/s"
        name = f"saturation level {load}"
        client = b.get("client") or {}
        if client.get("client_bottleneck"):
            out.append(f"client bottleneck ({name}): {client['reason']}")
        if b["requests"] == 0:
            out.append(
                f"{name}: no request was sent inside the steady-state window (requests last "
                "longer than it): latencies are empty; lengthen --saturation-duration"
            )
    lengths = [b["output_tokens"] for b in curve if b["output_tokens"]["mean"] is not None]
    if lengths and not all(x["fixed"] for x in lengths):
        means = ", ".join(f"{x['mean']:.0f}" for x in lengths)
        out.append(
            f"saturation: the server did not hold the output length to {lengths[0]['requested']} "
            f"tokens (mean per level: {means}); throughput counts the tokens it produced"
        )
    return out
