"""Defensive readers shared by the built-in reporters.

A result may come from this version, an older one, or PawBench 1.1.4, and blocks are added over
time: every reader returns something empty (never raises) when a block is absent or unexpected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pawbench.api import percentile, read_jsonl, result_values

get = result_values.get
number = result_values.number
scalar = result_values.scalar
mapping = result_values.mapping
items = result_values.items

SATURATION_ID = "raw-saturation"
DIMENSIONS = (
    ("dim1_throughput", "Throughput"),
    ("dim2_quality", "Quality"),
    ("dim3_efficiency", "Efficiency"),
    ("dim4_adaptability", "Adaptability"),
)


def fmt(value: Any, digits: int | None = None) -> str:
    """Numbers rounded for display (3 decimals under 10, else 1), strings as they are."""
    if value is None:
        return "-"
    found = number(value)
    if found is None:
        return str(value)
    if isinstance(value, int) and digits is None:
        return f"{value:,}"
    places = digits if digits is not None else (3 if abs(found) < 10 else 1)
    return f"{found:,.{places}f}"


def flat_scalars(block: Any, prefix: str = "", depth: int = 2) -> list[tuple[str, Any]]:
    """(label, value) of the scalar fields of a block, nested objects flattened ``a.b``."""
    out: list[tuple[str, Any]] = []
    for key, value in mapping(block).items():
        label = f"{prefix}{key}"
        if isinstance(value, Mapping) and depth > 0:
            out += flat_scalars(value, label + ".", depth - 1)
        elif isinstance(value, str | int | float | bool) or value is None:
            out.append((label, value))
    return out


def latency(point: Any, name: str, q: str) -> float | None:
    """``ttft`` ``p50`` of a level or curve point, whichever way the writer spelled it."""
    for path in (f"{name}_ms.{q}", f"{name}_{q}_ms", f"{q}_{name}_ms"):
        found = scalar(get(point, path))
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class CurvePoint:
    """One concurrency level of a throughput curve."""

    concurrency: float
    tok_s: float | None
    ttft_p50: float | None = None
    ttft_p99: float | None = None
    errors: int | None = None


def curve(doc: Mapping[str, Any], key: str) -> list[CurvePoint]:
    """Points of ``saturation_curve`` or ``concurrency_curve`` (sorted by load: concurrency, or
    the request rate of an open-loop test)."""
    out = []
    for p in items(doc.get(key)):
        level = number(mapping(p).get("concurrency"))
        level = level if level is not None else number(mapping(p).get("request_rate"))
        if level is None:
            continue
        tok = scalar(p.get("tok_s"))
        tok = tok if tok is not None else scalar(p.get("output_tok_s"))
        raw = p.get("errors")
        errors = number(sum(mapping(raw).values()) if isinstance(raw, Mapping) else raw)
        out.append(
            CurvePoint(
                level,
                tok,
                latency(p, "ttft", "p50"),
                latency(p, "ttft", "p99"),
                int(errors) if errors is not None else None,
            )
        )
    return sorted(out, key=lambda c: c.concurrency)


def with_ttft(points: list[CurvePoint], ttft: Mapping[int, list[float]]) -> list[CurvePoint]:
    """Points whose missing TTFT p50/p99 are filled exactly from per-request samples."""
    out = []
    for p in points:
        samples = ttft.get(int(p.concurrency), [])
        if p.ttft_p50 is None and samples:
            p50, p99 = percentile(samples, 50), percentile(samples, 99)
            p = CurvePoint(p.concurrency, p.tok_s, p50, p99, p.errors)
        out.append(p)
    return out


@dataclass
class RequestData:
    """What the reports use from requests.jsonl: latencies per level and sample replies."""

    ttft: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    e2e: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    tpot: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    replies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when no request latency was read."""
        return not self.ttft and not self.e2e

    def add_request(self, rec: Mapping[str, Any]) -> None:
        """Latencies of one successful scenario request (the raw saturation test's requests
        have their own curve)."""
        if rec.get("status") != "ok" or not isinstance(rec.get("level"), int):
            return
        if rec.get("scenario_id") == SATURATION_ID:
            return
        for name, bucket in (("ttft_ms", self.ttft), ("e2e_ms", self.e2e), ("tpot_ms", self.tpot)):
            value = number(rec.get(name))
            if value is not None:
                bucket[rec["level"]].append(value)

    def add_turn(self, rec: Mapping[str, Any], limit: int) -> None:
        """The first reply of each scenario (up to ``limit`` scenarios)."""
        text = rec.get("final_text")
        if not isinstance(text, str) or not text or len(self.replies) >= limit:
            return
        if any(r["scenario_id"] == rec.get("scenario_id") for r in self.replies):
            return
        self.replies.append(
            {
                "scenario_id": str(rec.get("scenario_id", "")),
                "agent_id": str(rec.get("agent_id", "")),
                "level": rec.get("level"),
                "status": str(rec.get("status", "")),
                "text": text,
            }
        )


def read_requests(doc: Mapping[str, Any], reply_limit: int = 12) -> RequestData:
    """RequestData from the requests.jsonl the result names (empty when it is not there)."""
    data = RequestData()
    named = doc.get("requests_jsonl")
    path = Path(named) if isinstance(named, str) and named else None
    if path is None or not path.is_file():
        return data
    for rec in read_jsonl(path):
        if rec.get("record") == "request":
            data.add_request(rec)
        elif rec.get("record") == "turn":
            data.add_turn(rec, reply_limit)
    return data
