"""The console rendering of a comparison (``pawbench compare`` without ``--json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pawbench.report.values import mapping, number

_STYLES = {"better": "green", "worse": "red", "within noise": "dim"}


def fmt_value(value: Any, unit: str) -> str:
    """A metric value for display: ratios with 3 decimals, rates and times with 1."""
    found = number(value)
    if found is None:
        return "-"
    return f"{found:.3f}" if not unit else f"{found:,.1f}"


def _signed(value: float, unit: str) -> str:
    return ("+" if value >= 0 else "") + (f"{value:.3f}" if not unit else f"{value:,.1f}")


def fmt_delta(cell: Mapping[str, Any], unit: str) -> str:
    """``+12.3 (+4.5%)``, or ``-`` when either side is absent."""
    delta = number(cell.get("delta"))
    if delta is None:
        return "-"
    pct = number(cell.get("delta_pct"))
    return _signed(delta, unit) + (f" ({pct:+.1f}%)" if pct is not None else "")


def fmt_ci(cell: Mapping[str, Any], unit: str) -> str:
    """The interval of the difference, ``[-1.2, +3.4]``."""
    ci = cell.get("ci")
    if not isinstance(ci, list) or len(ci) != 2:
        return ""
    return f"[{_signed(float(ci[0]), unit)}, {_signed(float(ci[1]), unit)}]"


def _verdict(cell: Mapping[str, Any]) -> Text:
    judged = cell.get("verdict")
    out = Text(judged or "-", style=_STYLES.get(judged or "", ""))
    if cell.get("regression"):
        out.append("  REGRESSION", style="bold red")
    return out


def comparison_table(doc: Mapping[str, Any]) -> Table:
    """Rows: headline metrics; columns: baseline value, then per run value, delta, verdict."""
    table = Table(title=f"compared with baseline {doc['baseline']!s}", title_justify="left")
    table.add_column("metric", no_wrap=True)
    table.add_column(f"{doc['baseline']!s}\n(baseline)", justify="right")
    for comp in doc["comparisons"]:
        table.add_column(str(comp["label"]), justify="right")
        table.add_column("Δ  [95% CI]", justify="right")
        table.add_column("verdict")
    base_values = mapping(doc["runs"][0]["headline"])
    for metric in doc["metrics"]:
        unit, key = metric["unit"], metric["key"]
        arrow = "↑" if metric["higher_is_better"] else "↓"
        row: list[str | Text] = [f"{metric['label']} {arrow}", fmt_value(base_values[key], unit)]
        for comp in doc["comparisons"]:
            cell = comp["metrics"][key]
            ci = fmt_ci(cell, unit)
            row += [
                fmt_value(cell["value"], unit),
                fmt_delta(cell, unit) + (f"\n{ci}" if ci else ""),
                _verdict(cell),
            ]
        table.add_row(*row)
    return table


def render_comparison(doc: Mapping[str, Any], console: Console) -> None:
    """The table, the statistics used, and the regression summary."""
    console.print(comparison_table(doc))
    for run in doc["runs"]:
        files = ", ".join(run["files"])
        data = "per-request data" if run["per_request_data"] else "no per-request data"
        console.print(f"[dim]{run['label']}: {files} ({', '.join(run['formats'])}; {data})[/dim]")
    methods = sorted(
        {
            f"{m}: {cell['method']}"
            for comp in doc["comparisons"]
            for m, cell in comp["metrics"].items()
            if cell.get("method")
        }
    )
    if methods:
        boot = doc["bootstrap"]
        console.print(
            f"[dim]intervals: {boot['confidence']:.0%} percentile bootstrap, "
            f"{boot['resamples']} resamples, seed {boot['seed']}; " + "; ".join(methods) + "[/dim]"
        )
    threshold = doc.get("fail_on_regression_pct")
    if threshold is not None:
        if doc["regressions"]:
            names = ", ".join(f"{r['run']}: {r['metric']}" for r in doc["regressions"])
            console.print(f"[bold red]regression beyond {threshold}%: {names}[/bold red]")
        else:
            console.print(f"[green]no headline metric regressed beyond {threshold}%[/green]")
