"""The HTML report in compare mode: the comparison table with intervals and verdicts, and the
runs' curves, tiers and DQS drawn on shared axes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pawbench_builtins.reporters import html_charts as charts
from pawbench_builtins.reporters._blocks import dqs_value, quality_by_tier, warnings
from pawbench_builtins.reporters._data import curve, fmt, get, items, mapping, read_requests
from pawbench_builtins.reporters.html_page import chart, esc, page, section

_COLORS = {"better": "#1a7f37", "worse": "#c62828"}
_CLASSES = {"better": "better", "worse": "worse", "within noise": "noise"}


def _percent(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, float) else fmt(value)


def _signed(value: Any) -> str:
    return "-" if value is None else ("+" if value >= 0 else "") + fmt(value)


def _cell(cell: Mapping[str, Any]) -> str:
    pct = cell.get("delta_pct")
    delta = _signed(cell.get("delta")) + (f" ({pct:+.1f}%)" if pct is not None else "")
    ci = cell.get("ci")
    ci_text = f"[{_signed(ci[0])}, {_signed(ci[1])}]" if isinstance(ci, list) else ""
    judged = cell.get("verdict") or "-"
    flag = " REGRESSION" if cell.get("regression") else ""
    klass = _CLASSES.get(judged, "")
    return (
        f'<td class="n">{esc(cell.get("value"))}</td><td class="n">{esc(delta)}<br>'
        f'<small>{esc(ci_text)}</small></td><td class="{klass}">{esc(judged + flag)}</td>'
    )


def comparison_table(doc: Mapping[str, Any]) -> str:
    """Metric rows; baseline value, then value / delta [CI] / verdict per run."""
    comps = items(doc.get("comparisons"))
    head = "<th>metric</th>" + f"<th>{esc(doc.get('baseline'))} (baseline)</th>"
    head += "".join(f"<th>{esc(c.get('label'))}</th><th>Δ [CI]</th><th>verdict</th>" for c in comps)
    base = mapping(get(items(doc.get("runs"))[0] if items(doc.get("runs")) else {}, "headline"))
    rows = []
    for metric in items(doc.get("metrics")):
        key = metric.get("key")
        arrow = "↑" if metric.get("higher_is_better") else "↓"
        cells = "".join(_cell(mapping(get(c, f"metrics.{key}"))) for c in comps)
        rows.append(
            f"<tr><td>{esc(metric.get('label'))} {arrow}</td>"
            f'<td class="n">{esc(base.get(key))}</td>{cells}</tr>'
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _error_bars(values: list[float], cells: list[Mapping[str, Any]]) -> list[list[float]] | None:
    """Distances from each delta to its interval's ends (0 where there is no interval; None
    when no delta has one)."""
    intervals = [
        ci if isinstance(ci, list) and len(ci) == 2 and None not in ci else None
        for ci in (cell.get("ci_pct") for cell in cells)
    ]
    if all(ci is None for ci in intervals):
        return None
    pairs = list(zip(values, intervals, strict=True))
    low = [max(0.0, v - ci[0]) if ci else 0.0 for v, ci in pairs]
    high = [max(0.0, ci[1] - v) if ci else 0.0 for v, ci in pairs]
    return [low, high]


def _delta_chart(doc: Mapping[str, Any]) -> str | None:
    labels = {m.get("key"): m.get("label") for m in items(doc.get("metrics"))}
    rows = [
        (str(labels.get(key, key)), str(c.get("label")), cell)
        for c in items(doc.get("comparisons"))
        for key, cell in mapping(c.get("metrics")).items()
        if mapping(cell).get("delta_pct") is not None
    ]
    if not rows:
        return None
    fig, (ax,) = charts.figure(1, 0.9 + 0.35 * len(rows))
    names = [f"{metric} · {run}" for metric, run, _ in rows]
    values = [cell["delta_pct"] for _, _, cell in rows]
    cells = [cell for _, _, cell in rows]
    colors = [_COLORS.get(str(cell.get("verdict")), "#888") for cell in cells]
    ax.barh(names, values, xerr=_error_bars(values, cells), color=colors, capsize=3)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("change against the baseline, % (raw change; see the arrows for direction)")
    ax.set_title("Deltas against the baseline")
    return charts.to_svg(fig)


def _curves(results: list[Mapping[str, Any]]) -> str | None:
    fig, (left, right) = charts.figure(2)
    drawn, levels = False, set()
    for doc in results:
        key = "saturation_curve" if curve(doc, "saturation_curve") else "concurrency_curve"
        points = curve(doc, key)
        if not points:
            continue
        drawn = True
        levels |= {p.concurrency for p in points}
        label = f"{fmt(doc.get('tag'))} ({'raw' if key == 'saturation_curve' else 'sweep'})"
        xs, tok = [p.concurrency for p in points], charts.ys([p.tok_s for p in points])
        left.plot(xs, tok, marker="o", label=label)
        ttft = charts.ttft_points(doc, read_requests(doc, reply_limit=0))
        ttft_xs, p50 = [p.concurrency for p in ttft], charts.ys([p.ttft_p50 for p in ttft])
        right.plot(ttft_xs, p50, marker="o", label=label)
    if not drawn:
        return None
    for ax in (left, right):
        charts.levels_axis(ax, sorted(levels))
    left.set(title="Throughput", ylabel="output tok/s")
    right.set(title="TTFT p50", ylabel="ms")
    left.legend()
    right.legend()
    return charts.to_svg(fig)


def _tiers_and_dqs(results: list[Mapping[str, Any]]) -> str | None:
    tiers = {fmt(d.get("tag")): {t: q for t, q, _ in quality_by_tier(d)} for d in results}
    tiers = {run: per for run, per in tiers.items() if per}
    dqs = {fmt(d.get("tag")): dqs_value(d) for d in results}
    if not any(tiers.values()) and all(v is None for v in dqs.values()):
        return None
    fig, (left, right) = charts.figure(2)
    names = sorted({t for per in tiers.values() for t in per})
    width = 0.8 / max(1, len(tiers))
    for i, (run, per) in enumerate(tiers.items()):
        xs = [j + i * width for j in range(len(names))]
        left.bar(xs, [per.get(n, 0.0) for n in names], width, label=run)
    left.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names)
    left.set(title="Quality by tier", ylim=(0, 1.1))
    if names:
        left.legend()
    runs = [r for r, v in dqs.items() if v is not None]
    right.bar(runs, [dqs[r] or 0.0 for r in runs], 0.5, color="#55a868")
    right.set(title="DQS", ylim=(0, 1.1), xlim=(-0.8, max(len(runs), 1) - 0.2))
    return charts.to_svg(fig)


def compare_report(doc: Mapping[str, Any]) -> str:
    """The page for several results."""
    results = [r for r in items(doc.get("results")) if isinstance(r, Mapping)]
    runs = "".join(
        f"<li><b>{esc(r.get('label'))}</b>: {esc(', '.join(items(r.get('files'))))}"
        f" ({esc(', '.join(items(r.get('formats'))))})</li>"
        for r in items(doc.get("runs"))
    )
    boot = mapping(doc.get("bootstrap"))
    method = (
        f'<p class="meta">Intervals: {esc(_percent(boot.get("confidence")))} percentile bootstrap, '
        f"{esc(boot.get('resamples'))} resamples, seed {esc(boot.get('seed'))}; a verdict needs "
        "repeats or per-request data.</p>"
    )
    body = [f"<h1>pawbench comparison: {len(results)} runs</h1><ul>{runs}</ul>"]
    body.append(section("Headline metrics", comparison_table(doc) + method))
    with charts.style():
        body.append(section("Deltas", chart(_delta_chart(doc), "no metric present in two runs")))
        body.append(section("Saturation curves", chart(_curves(results), "no throughput curve")))
        body.append(
            section("Quality by tier and DQS", chart(_tiers_and_dqs(results), "no quality data"))
        )
    notes = "".join(
        f"<li><b>{esc(d.get('tag'))}</b>: {esc('; '.join(warnings(d)) or 'no warnings')}</li>"
        for d in results
    )
    body.append(section("Warnings", f"<ul>{notes}</ul>"))
    return page("pawbench comparison", "".join(body))
