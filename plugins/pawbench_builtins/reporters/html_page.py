"""The HTML report of one result: a single self-contained page (inline CSS and SVG, no script,
no external resource). Every value taken from the result is escaped; a Content-Security-Policy
forbids scripts and remote loads as a second line of defence."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pawbench_builtins.reporters import html_charts as charts
from pawbench_builtins.reporters._blocks import dqs_value, server_headline, warnings
from pawbench_builtins.reporters._data import (
    DIMENSIONS,
    RequestData,
    flat_scalars,
    fmt,
    get,
    items,
    latency,
    mapping,
    read_requests,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;
background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:1.5em}
h1{margin:.2em 0}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555}.badge{background:#f0ad4e;color:#fff;padding:2px 8px;border-radius:4px}
table{border-collapse:collapse;margin:.5em 0;background:#fff}
th,td{border:1px solid #ddd;padding:3px 8px;font-size:.9em}td.n{text-align:right}
th{background:#f0f0f0;text-align:left}
.dims{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:1em}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em}
.card{overflow-x:auto}.card table{width:100%}.card td{overflow-wrap:anywhere}
.card h3{margin:.1em 0 .4em}.nodata{color:#888;font-style:italic}
.warn{background:#fff8e5;border-left:4px solid #f0ad4e;padding:.5em 1em}
pre.reply{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:.6em;max-height:18em;
overflow:auto}
svg{max-width:100%;height:auto}.chart{background:#fff;border:1px solid #eee;margin:.5em 0}
.better{color:#1a7f37}.worse{color:#c62828;font-weight:bold}.noise{color:#777}
"""


def esc(value: Any) -> str:
    """Any value as escaped HTML text (numbers formatted)."""
    return html.escape(fmt(value), quote=True)


def page(title: str, body: str) -> str:
    """The complete document."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def section(title: str, content: str) -> str:
    """An ``<h2>`` section."""
    return f"<section><h2>{html.escape(title)}</h2>{content}</section>"


def chart(svg: str | None, missing: str) -> str:
    """An inline chart, or a clear note when the result has no data for it."""
    if svg is None:
        return f'<p class="nodata">No data: {html.escape(missing)}</p>'
    return f'<div class="chart">{svg}</div>'


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A table of escaped cells (numbers right-aligned)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{esc(c)}</td>' if isinstance(c, int | float) else f"<td>{esc(c)}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _version(doc: Mapping[str, Any]) -> str:
    version = doc.get("pawbench_version")
    return f" · pawbench {esc(version)}" if version else ""


def _header(doc: Mapping[str, Any]) -> str:
    badge = ' <span class="badge">SIMULATED endpoint</span>' if doc.get("simulated") else ""
    fmt_note = "" if "schema_version" in doc else " · PawBench 1.1.4 format"
    return (
        f"<h1>pawbench report: {esc(doc.get('tag'))}{badge}</h1>"
        f'<p class="meta">model <b>{esc(get(doc, "model_card.id"))}</b> · endpoint '
        f"{esc(doc.get('endpoint'))} · {esc(doc.get('timestamp'))}"
        f"{_version(doc)}{html.escape(fmt_note)}</p>"
    )


def _dimensions(doc: Mapping[str, Any]) -> str:
    cards = []
    blocks = [*DIMENSIONS, ("dim5_artifact_quality", "Artifact quality")]
    for key, title in blocks:
        rows = flat_scalars(doc.get(key))
        inner = table(["metric", "value"], rows) if rows else '<p class="nodata">no data</p>'
        cards.append(f'<div class="card"><h3>{html.escape(title)}</h3>{inner}</div>')
    dqs = dqs_value(doc)
    line = f"<p><b>DQS:</b> {esc(dqs) if dqs is not None else 'not computed'}</p>"
    return line + f'<div class="dims">{"".join(cards)}</div>'


def _levels(doc: Mapping[str, Any]) -> str:
    levels = [lv for lv in items(doc.get("levels")) if isinstance(lv, Mapping)]
    if not levels:
        return '<p class="nodata">No per-level data in this result.</p>'
    rows = [
        (
            lv.get("scenario_id"),
            lv.get("concurrency"),
            lv.get("requests"),
            sum(v for v in mapping(lv.get("errors")).values() if isinstance(v, int)),
            lv.get("output_tok_s"),
            latency(lv, "ttft", "p50"),
            latency(lv, "ttft", "p99"),
            latency(lv, "tpot", "p50"),
            latency(lv, "e2e", "p50"),
        )
        for lv in levels
    ]
    headers = ["scenario", "conc.", "requests", "errors", "out tok/s"]
    return table([*headers, "TTFT p50", "TTFT p99", "TPOT p50", "E2E p50 (ms)"], rows)


def _server(doc: Mapping[str, Any]) -> str:
    rows = server_headline(doc)
    head = table(["server metric", "value"], rows) if rows else ""
    series = chart(charts.server(doc), "the result has no server-metric time series")
    return head + series


def _warnings(doc: Mapping[str, Any]) -> str:
    found = warnings(doc)
    if not found:
        return "<p>None.</p>"
    return '<div class="warn"><ul>' + "".join(f"<li>{esc(w)}</li>" for w in found) + "</ul></div>"


def _replies(requests: RequestData, limit: int = 1500) -> str:
    if not requests.replies:
        return '<p class="nodata">No model replies recorded (requests.jsonl not found).</p>'
    parts = []
    for r in requests.replies:
        text = r["text"] if len(r["text"]) <= limit else r["text"][:limit] + " …"
        parts.append(
            f"<h3>{esc(r['scenario_id'])} · {esc(r['agent_id'])} · concurrency "
            f'{esc(r["level"])} · {esc(r["status"])}</h3><pre class="reply">{esc(text)}</pre>'
        )
    return "".join(parts)


def _charts(doc: Mapping[str, Any], requests: RequestData) -> list[tuple[str, Callable[[], str]]]:
    return [
        (
            "Saturation curve",
            lambda: chart(charts.saturation(doc, requests), "no throughput curve"),
        ),
        (
            "Latency distributions",
            lambda: chart(
                charts.latency_distributions(doc, requests), "no request latencies or levels"
            ),
        ),
        ("Quality by tier", lambda: chart(charts.tiers(doc), "the result has no quality_by_tier")),
        (
            "DQS components and ablation",
            lambda: chart(charts.dqs(doc), "the result has no DQS components or ablation"),
        ),
    ]


def single_report(doc: Mapping[str, Any]) -> str:
    """The page for one result."""
    requests = read_requests(doc)
    parts = [_header(doc), section("Warnings", _warnings(doc))]
    parts.append(section("Dimensions", _dimensions(doc)))
    with charts.style():
        parts += [section(title, build()) for title, build in _charts(doc, requests)]
        parts.append(section("Server metrics", _server(doc)))
    parts.append(section("Scenarios by load level", _levels(doc)))
    parts.append(section("Sample replies (first reply per scenario)", _replies(requests)))
    return page(f"pawbench report: {fmt(doc.get('tag'))}", "".join(parts))
