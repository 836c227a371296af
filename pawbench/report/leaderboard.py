"""Leaderboard: validate result files against the leaderboard schema and render a ranking.

Ranking: by DQS (highest first), then single-agent tok/s; entries without either come last.
Simulated runs are listed and marked, never passed off as a real model.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from pawbench.report.headline import headline
from pawbench.report.loader import LoadedResult
from pawbench.report.schema import packaged_schema, validate
from pawbench.report.values import get, text

COLUMNS = (
    ("rank", "#"),
    ("model", "model"),
    ("tag", "tag"),
    ("dqs", "DQS"),
    ("avg_quality", "quality"),
    ("tool_accuracy", "tool acc."),
    ("single_tok_s", "tok/s (1 agent)"),
    ("ttft_ms", "TTFT ms"),
    ("raw_peak_tok_s", "peak tok/s"),
    ("date", "date"),
)


def check(result: LoadedResult) -> list[str]:
    """Schema errors of one result (empty: it can be ranked)."""
    return validate(result.document, packaged_schema("leaderboard"))


def entry(result: LoadedResult) -> dict[str, Any]:
    """One leaderboard row (JSON-ready)."""
    doc = result.document
    simulated = bool(doc.get("simulated", False))
    model = text(get(doc, "model_card.id"))
    return {
        "model": model + (" (simulated)" if simulated else ""),
        "tag": text(doc.get("tag")),
        "date": text(doc.get("timestamp"))[:10],
        "simulated": simulated,
        "file": str(result.path),
        **headline(doc),
    }


def _sort_key(row: dict[str, Any]) -> tuple[float, float]:
    dqs, tok = row.get("dqs"), row.get("single_tok_s")
    return (-(dqs if dqs is not None else -1.0), -(tok if tok is not None else -1.0))


def ranking(results: Sequence[LoadedResult]) -> list[dict[str, Any]]:
    """Rows, ranked."""
    rows = sorted((entry(r) for r in results), key=_sort_key)
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def _cell(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if isinstance(value, float):
        return f"{value:.3f}" if key in ("dqs", "avg_quality", "tool_accuracy") else f"{value:.1f}"
    return text(value)


def render_markdown(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table (``|`` in values escaped)."""
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for row in rows:
        cells = (_cell(row, key).replace("|", "\\|") for key, _ in COLUMNS)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_html(rows: Sequence[dict[str, Any]]) -> str:
    """A self-contained HTML page with the table (every value escaped)."""
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(row, key))}</td>" for key, _ in COLUMNS) + "</tr>"
        for row in rows
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>pawbench leaderboard</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
        "th{background:#f3f3f3}</style></head><body><h1>pawbench leaderboard</h1>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )
