"""The parts of the console report, each built from the result alone (absent blocks are said
to be absent, never an error)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rich.columns import Columns
from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pawbench_builtins.reporters._blocks import (
    dqs_components,
    dqs_value,
    quality_by_tier,
    server_headline,
    warnings,
)
from pawbench_builtins.reporters._data import (
    DIMENSIONS,
    curve,
    flat_scalars,
    fmt,
    get,
    items,
    latency,
    mapping,
    number,
    read_requests,
    with_ttft,
)

BAR_WIDTH = 30


def header(doc: Mapping[str, Any]) -> Text:
    """Who was measured, when, and whether it was simulated."""
    out = Text()
    out.append("pawbench result", style="bold")
    out.append(f"  tag {fmt(doc.get('tag'))}  ({fmt(doc.get('timestamp'))})\n")
    out.append(f"endpoint: {fmt(doc.get('endpoint'))}  model: {fmt(get(doc, 'model_card.id'))}")
    if doc.get("simulated"):
        out.append("  SIMULATED endpoint", style="bold yellow")
    if "schema_version" not in doc:
        out.append("  (PawBench 1.1.4 format)", style="dim")
    return out


def scenario_table(doc: Mapping[str, Any]) -> RenderableType:
    """One row per scenario and load level."""
    levels = [lv for lv in items(doc.get("levels")) if isinstance(lv, Mapping)]
    if not levels:
        return Text("scenarios: no per-level data in this result", style="dim")
    table = Table(title="Scenarios by load level", title_justify="left")
    for name in ("scenario", "conc.", "req.", "errors", "out tok/s", "TTFT p50/p99 ms"):
        table.add_column(name, justify="left" if name == "scenario" else "right")
    table.add_column("TPOT p50 ms", justify="right")
    table.add_column("turns")
    for lv in levels:
        errors = sum(int(number(v) or 0) for v in mapping(lv.get("errors")).values())
        table.add_row(
            fmt(lv.get("scenario_id")),
            fmt(lv.get("concurrency")),
            fmt(lv.get("requests")),
            Text(str(errors), style="red" if errors else ""),
            fmt(lv.get("output_tok_s"), 1),
            f"{fmt(latency(lv, 'ttft', 'p50'), 1)} / {fmt(latency(lv, 'ttft', 'p99'), 1)}",
            fmt(latency(lv, "tpot", "p50"), 2),
            ", ".join(f"{k}={v}" for k, v in sorted(mapping(lv.get("turns")).items())),
        )
    return table


def _panel(title: str, block: Any) -> Panel:
    rows = flat_scalars(block)
    if not rows:
        return Panel(Text("no data", style="dim"), title=title, width=38)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="cyan", overflow="fold")
    grid.add_column(justify="right")
    for label, value in rows:
        grid.add_row(label, fmt(value))
    return Panel(grid, title=title, width=38)


def dimension_panels(doc: Mapping[str, Any]) -> RenderableType:
    """The four dimensions (and artifact quality when present), side by side."""
    panels = [_panel(title, doc.get(key)) for key, title in DIMENSIONS]
    if doc.get("dim5_artifact_quality") is not None:
        panels.append(_panel("Artifact quality", doc.get("dim5_artifact_quality")))
    return Columns(panels)


def dqs_line(doc: Mapping[str, Any]) -> Text:
    """DQS, its components and quality by tier in one short block."""
    value = dqs_value(doc)
    out = Text("DQS: ", style="bold")
    out.append(fmt(value, 3) if value is not None else "not computed")
    comps, _weights = dqs_components(doc)
    if comps:
        out.append("  (" + ", ".join(f"{k} {fmt(v, 3)}" for k, v in comps.items()) + ")")
    tiers = quality_by_tier(doc)
    if tiers:
        out.append("\nquality by tier: " + ", ".join(f"{t} {fmt(q, 3)}" for t, q, _ in tiers))
    return out


def saturation_table(doc: Mapping[str, Any]) -> RenderableType:
    """Throughput per concurrency with bars: the raw saturation test, else the scenario sweep."""
    key = "saturation_curve" if curve(doc, "saturation_curve") else "concurrency_curve"
    points = curve(doc, key)
    if not points:
        return Text("saturation: no curve in this result", style="dim")
    if any(p.ttft_p50 is None for p in points):
        points = with_ttft(points, read_requests(doc, reply_limit=0).ttft)
    title = "Raw saturation" if key == "saturation_curve" else "Scenario sweep (no raw saturation)"
    peak = max((p.tok_s or 0.0) for p in points) or 1.0
    table = Table(title=title, title_justify="left")
    for name in ("concurrency", "tok/s", "", "TTFT p50 ms", "TTFT p99 ms", "errors"):
        table.add_column(name, justify="left" if name == "" else "right")
    for p in points:
        bar = "█" * round(BAR_WIDTH * (p.tok_s or 0.0) / peak)
        table.add_row(
            fmt(int(p.concurrency)),
            fmt(p.tok_s, 1),
            Text(bar, style="green"),
            fmt(p.ttft_p50, 1),
            fmt(p.ttft_p99, 1),
            fmt(p.errors),
        )
    return table


def saturation_analysis(doc: Mapping[str, Any]) -> RenderableType:
    """Peak, knee and the SLO verdict of the raw saturation test, when it ran."""
    info = doc.get("saturation")
    analysis = info.get("analysis") if isinstance(info, Mapping) else None
    if not isinstance(analysis, Mapping):
        return Text("")
    key = str(analysis.get("load", "concurrency"))
    peak, knee = analysis.get("peak"), analysis.get("knee")
    lines = []
    if isinstance(peak, Mapping) and isinstance(knee, Mapping):
        rising = "" if analysis.get("saturated") else " (still rising at the highest level tested)"
        lines.append(
            f"peak {fmt(peak.get('tok_s'), 1)} tok/s at {key} {peak.get(key)}; knee at {key} "
            f"{knee.get(key)} ({fmt(knee.get('tok_s'), 1)} tok/s){rising}"
        )
    slo = analysis.get("slo")
    if isinstance(slo, Mapping):
        bounds = ", ".join(f"{k} <= {v:g}" for k, v in (slo.get("bounds") or {}).items())
        highest = slo.get("highest_meeting")
        lines.append(
            f"SLO ({bounds}): highest {key} meeting it: "
            + ("none" if highest is None else str(highest))
        )
    return Text("\n".join(lines))


def server_table(doc: Mapping[str, Any]) -> RenderableType:
    """Headline server metrics (prefix cache, speculative decoding, KV cache ...)."""
    rows = server_headline(doc)
    if not rows:
        return Text("server metrics: none in this result", style="dim")
    table = Table("server metric", "value", title="Server metrics", title_justify="left")
    for name, value in rows:
        table.add_row(name, fmt(value))
    return table


def warning_panel(doc: Mapping[str, Any]) -> RenderableType:
    """Everything a reader should know before trusting the numbers."""
    found = warnings(doc)
    if not found:
        return Text("no warnings", style="green")
    return Panel(Text("\n".join(f"• {w}" for w in found)), title="Warnings", border_style="yellow")


def all_sections(doc: Mapping[str, Any]) -> Iterator[RenderableType]:
    """The report, top to bottom."""
    yield header(doc)
    yield scenario_table(doc)
    yield dimension_panels(doc)
    yield dqs_line(doc)
    yield saturation_table(doc)
    yield saturation_analysis(doc)
    yield server_table(doc)
    yield warning_panel(doc)
