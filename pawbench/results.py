"""Aggregation of records into the result document (versioned JSON, written with orjson).

Definitions (also in docs/metrics.md):
- window of a (scenario, level): from just before its first session starts to the end of its
  last session;
- output tok/s = completion tokens of successful requests / window; total tok/s adds prompt tokens;
- achieved concurrency = time-weighted mean (and max) of requests in flight over the window;
- peak 1 s tok/s = the most output tokens in any one-second slice of the window;
- single-agent tok/s (level 1) = Σ completion tokens / Σ end-to-end seconds of its requests;
- per-agent tok/s = distribution over sessions of (session completion tokens / session duration).
The raw saturation curve is built in ``pawbench.engine.curve``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from pawbench.engine import measures
from pawbench.engine.runner import LevelWindow
from pawbench.engine.saturation import SATURATION_ID
from pawbench.engine.sink import RecordSink
from pawbench.metrics import distribution, in_flight, meets_slo, rate, slo_summary
from pawbench.models.records import RequestRecord, SessionRecord, TurnRecord

Health = Callable[[int, int], dict[str, Any]]

SCHEMA_VERSION = "0.1"


def _sum(values: Iterable[int | None]) -> int:
    return sum(v for v in values if v is not None)


def level_block(
    window: LevelWindow,
    requests: list[RequestRecord],
    turns: list[TurnRecord],
    sessions: list[SessionRecord],
    slo: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Metrics of one scenario at one level."""
    ok = measures.ok(requests)
    start, end = window.t_start_ns, window.t_end_ns
    seconds = (end - start) / 1e9
    out_tokens = _sum(r.completion_tokens for r in ok)
    prompt_tokens = _sum(r.prompt_tokens for r in ok)
    per_agent = [
        _sum(r.completion_tokens for r in ok if r.session_id == s.session_id)
        / ((s.t_end_ns - s.t_start_ns) / 1e9)
        for s in sessions
        if s.t_end_ns > s.t_start_ns
    ]
    block: dict[str, Any] = {
        "scenario_id": window.scenario_id,
        "concurrency": window.level,
        "sessions": window.sessions,
        "window": {"start_s": start / 1e9, "end_s": end / 1e9},
        "duration_s": seconds,
        "requests": len(requests),
        "requests_ok": len(ok),
        **measures.errors(requests),
        "retries": sum(r.retries for r in requests),
        "prompt_tokens": prompt_tokens,
        "completion_tokens": out_tokens,
        "cached_tokens": _sum(r.cached_tokens for r in ok),
        "tokens_estimated": any(r.tokens_estimated for r in ok),
        "output_tok_s": rate(out_tokens, seconds),
        "total_tok_s": rate(out_tokens + prompt_tokens, seconds),
        "requests_s": rate(len(ok), seconds),
        "peak_1s_tok_s": measures.peak_1s(requests, start, end),
        "achieved_concurrency": measures.concurrency(requests, start, end),
        "sessions_in_flight": in_flight(((s.t_start_ns, s.t_end_ns) for s in sessions), start, end),
        "per_agent_tok_s": distribution(per_agent),
        **measures.latencies(requests),
        "turns": dict(Counter(t.status for t in turns)),
        "finish_reasons": dict(Counter(r.finish_reason or "none" for r in ok)),
    }
    if slo:
        met = sum(1 for r in ok if meets_slo(measures.slo_values(r), slo))
        block["goodput"] = slo_summary(met, len(requests), seconds)
    return block


def build_levels(
    sink: RecordSink,
    windows: list[LevelWindow],
    health: Health | None = None,
    slo: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """One block per (scenario, level), in the order they ran; ``health(start, end)`` adds
    the client's health over each window."""
    blocks = []
    for w in windows:

        def mine(rec: RequestRecord | TurnRecord | SessionRecord, w: LevelWindow = w) -> bool:
            return rec.scenario_id == w.scenario_id and rec.level == w.level

        block = level_block(
            w,
            [r for r in sink.requests if mine(r)],
            [t for t in sink.turns if mine(t)],
            [s for s in sink.sessions if mine(s)],
            slo,
        )
        if health is not None:
            block["client"] = health(w.t_start_ns, w.t_end_ns)
        blocks.append(block)
    return blocks


def level_warnings(levels: list[dict[str, Any]]) -> list[str]:
    """A warning per scenario level at which the client, not the server, was the bottleneck."""
    out = []
    for block in levels:
        client = block.get("client") or {}
        if client.get("client_bottleneck"):
            where = f"{block['scenario_id']} at concurrency {block['concurrency']}"
            out.append(f"client bottleneck ({where}): {client['reason']}")
    return out


def single_agent(sink: RecordSink) -> dict[str, Any]:
    """Level-1 throughput as one agent perceives it (scenario requests only)."""
    ok = [
        r
        for r in sink.requests
        if r.level == 1 and r.status == "ok" and r.scenario_id != SATURATION_ID
    ]
    seconds = sum(r.e2e_ms for r in ok) / 1e3
    ttfts = [r.ttft_ms for r in ok if r.ttft_ms is not None]
    return {
        "avg_single_tok_s": rate(_sum(r.completion_tokens for r in ok), seconds),
        "avg_ttft_ms": sum(ttfts) / len(ttfts) if ttfts else None,
        "requests": len(ok),
    }


def concurrency_curve(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per level, over all scenarios: tokens over summed windows."""
    out = []
    for level in sorted({b["concurrency"] for b in levels}):
        blocks = [b for b in levels if b["concurrency"] == level]
        seconds = sum(b["duration_s"] for b in blocks)
        out.append(
            {
                "concurrency": level,
                "tok_s": rate(sum(b["completion_tokens"] for b in blocks), seconds),
                "requests": sum(b["requests"] for b in blocks),
                "errors": sum(sum(b["errors"].values()) for b in blocks),
            }
        )
    return out


def write_result(document: dict[str, Any], directory: Path, tag: str, stamp: str) -> Path:
    """Write ``pawbench_<tag>_<timestamp>.json`` atomically (no half-written result)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"pawbench_{tag}_{stamp}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    tmp.replace(path)
    return path
