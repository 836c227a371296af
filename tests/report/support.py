"""Crafted result documents and request records for the report tests.

Request records carry only the fields the readers use; values are drawn from a seeded
generator, so every test sees the same data.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
LEGACY_RESULT = DATA / "pawbench_1_1_4_result.json"


def requests(
    n: int, *, tok_s: float, ttft_ms: float, seed: int, level: int = 1, spread: float = 0.1
) -> list[dict[str, Any]]:
    """``n`` successful request records around the given speed and TTFT (± ``spread``)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        tokens = rng.randint(150, 350)
        e2e_ms = tokens / (tok_s * rng.uniform(1 - spread, 1 + spread)) * 1e3
        out.append(
            {
                "record": "request",
                "request_id": f"r{level}-{i}",
                "scenario_id": "bug-fix",
                "level": level,
                "status": "ok",
                "ttft_ms": ttft_ms * rng.uniform(1 - spread, 1 + spread),
                "tpot_ms": 1e3 / tok_s,
                "e2e_ms": e2e_ms,
                "completion_tokens": tokens,
            }
        )
    return out


def headline_doc(tag: str, records: list[dict[str, Any]], **blocks: Any) -> dict[str, Any]:
    """A current-format result whose dim1 figures are computed from ``records`` exactly as
    pawbench defines them (Σ tokens / Σ e2e seconds; mean TTFT at concurrency 1)."""
    level1 = [r for r in records if r["level"] == 1]
    seconds = sum(r["e2e_ms"] for r in level1) / 1e3
    doc: dict[str, Any] = {
        "schema_version": "0.1",
        "tag": tag,
        "timestamp": "2026-01-01T00:00:00+00:00",
        "endpoint": "http://127.0.0.1:8000/v1",
        "model_card": {"id": "test-model"},
        "dim1_throughput": {
            "avg_single_tok_s": sum(r["completion_tokens"] for r in level1) / seconds,
            "avg_ttft_ms": sum(r["ttft_ms"] for r in level1) / len(level1),
            "requests": len(level1),
        },
    }
    doc.update(blocks)
    return doc


def write_result(
    directory: Path,
    doc: dict[str, Any],
    records: list[dict[str, Any]] | None = None,
    name: str | None = None,
) -> Path:
    """Write ``doc`` (and its requests.jsonl, named by file name only) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"pawbench_{name or doc['tag']}"
    path = directory / f"{stem}.json"
    if records is not None:
        jsonl = directory / f"{stem}.requests.jsonl"
        jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
        doc = {**doc, "requests_jsonl": f"elsewhere/{jsonl.name}"}  # moved: found by name
    path.write_text(json.dumps(doc))
    return path


def quality_doc(tag: str, quality: float, dqs: float) -> dict[str, Any]:
    """A result with quality figures only (no per-request data)."""
    return {
        "schema_version": "0.1",
        "tag": tag,
        "timestamp": "2026-01-01T00:00:00+00:00",
        "endpoint": "x",
        "model_card": {"id": "m"},
        "dim1_throughput": {"avg_single_tok_s": 100.0, "avg_ttft_ms": 50.0},
        "dim2_quality": {"avg_quality": quality},
        "dqs": dqs,
    }
