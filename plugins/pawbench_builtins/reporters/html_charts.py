"""Charts of one result for the HTML report: matplotlib figures rendered to inline SVG.

No pyplot (no global figure state); text stays text (``svg.fonttype: none``) and is escaped by
matplotlib's SVG writer; ``$`` is never read as math. Each function returns None when the
result has no data for its chart.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter
from matplotlib.typing import RcKeyType

from pawbench.api import percentile
from pawbench_builtins.reporters._blocks import (
    ablation,
    dqs_components,
    quality_by_tier,
    server_series,
)
from pawbench_builtins.reporters._data import (
    CurvePoint,
    RequestData,
    curve,
    items,
    latency,
    mapping,
    number,
)

STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}
_PROLOG = re.compile(r"\A.*?(?=<svg)", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def ys(values: list[float | None]) -> list[float]:
    """Values for plotting: a missing value is a gap (NaN)."""
    return [math.nan if v is None else v for v in values]


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The matplotlib settings every chart is drawn and saved under."""
    with matplotlib.rc_context(STYLE):
        yield


def figure(ncols: int = 1, height: float = 3.0) -> tuple[Figure, list[Axes]]:
    """A figure of ``ncols`` side-by-side axes."""
    fig = Figure(figsize=(5.0 * ncols if ncols > 1 else 7.5, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no metadata)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1), count=1)


def _plain_log(ax: Axes, base: float = 10) -> None:
    """A log x axis labelled with plain numbers (the default labels are math text)."""
    ax.set_xscale("log", base=base)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def levels_axis(ax: Axes, levels: list[float]) -> None:
    if levels and max(levels) / max(min(levels), 1e-9) >= 4:
        _plain_log(ax, 2)
    ax.set_xticks(levels, [f"{v:g}" for v in levels])
    ax.set_xlabel("concurrency")


def ttft_points(doc: Mapping[str, Any], requests: RequestData) -> list[CurvePoint]:
    """TTFT p50/p99 per level: from the raw saturation points, else exact from requests."""
    sat = [p for p in curve(doc, "saturation_curve") if p.ttft_p50 is not None]
    if sat:
        return sat
    return [
        CurvePoint(float(level), None, percentile(v, 50), percentile(v, 99))
        for level, v in sorted(requests.ttft.items())
    ]


def saturation(doc: Mapping[str, Any], requests: RequestData) -> str | None:
    """tok/s and TTFT p50 / p99 against concurrency."""
    sat, sweep = curve(doc, "saturation_curve"), curve(doc, "concurrency_curve")
    if not sat and not sweep:
        return None
    fig, (left, right) = figure(2)
    for points, label, marker in ((sat, "raw saturation", "o"), (sweep, "scenario sweep", "s")):
        if points:
            xs = [p.concurrency for p in points]
            left.plot(xs, ys([p.tok_s for p in points]), marker=marker, label=label)
    left.set_ylabel("output tok/s")
    left.set_title("Throughput")
    left.legend()
    levels_axis(left, sorted({p.concurrency for p in sat + sweep}))
    ttft = ttft_points(doc, requests)
    if ttft:
        xs = [p.concurrency for p in ttft]
        right.plot(xs, ys([p.ttft_p50 for p in ttft]), marker="o", label="TTFT p50")
        right.plot(xs, ys([p.ttft_p99 for p in ttft]), marker="^", label="TTFT p99")
        right.legend()
        levels_axis(right, xs)
    else:
        right.text(0.5, 0.5, "no TTFT data", ha="center", va="center", transform=right.transAxes)
    right.set_ylabel("ms")
    right.set_title("Time to first token")
    return to_svg(fig)


def _ecdf(ax: Axes, by_level: Mapping[int, list[float]], title: str) -> None:
    for level, values in sorted(by_level.items()):
        ordered = sorted(values)
        ys = [(i + 1) / len(ordered) for i in range(len(ordered))]
        ax.step(ordered, ys, where="post", label=f"concurrency {level}")
    _plain_log(ax)
    ax.set_xlabel("ms (log scale)")
    ax.set_ylabel("fraction of requests")
    ax.set_title(title)
    ax.legend()


def _level_percentiles(doc: Mapping[str, Any], ax: Axes) -> bool:
    """Without requests.jsonl: median over scenarios of each level's TTFT p50/p90/p99."""
    by_level: dict[float, dict[str, list[float]]] = {}
    for lv in items(doc.get("levels")):
        level = number(mapping(lv).get("concurrency"))
        for q in ("p50", "p90", "p99"):
            value = latency(lv, "ttft", q)
            if level is not None and value is not None:
                by_level.setdefault(level, {}).setdefault(q, []).append(value)
    if not by_level:
        return False
    levels = sorted(by_level)
    for i, q in enumerate(("p50", "p90", "p99")):
        xs = [j + (i - 1) * 0.27 for j in range(len(levels))]
        ax.bar(xs, [percentile(by_level[lv].get(q, []), 50) or 0 for lv in levels], 0.27, label=q)
    ax.set_xticks(range(len(levels)), [f"{lv:g}" for lv in levels])
    ax.set_xlabel("concurrency")
    ax.set_ylabel("ms")
    ax.set_title("TTFT percentiles (median over scenarios)")
    ax.legend()
    return True


def latency_distributions(doc: Mapping[str, Any], requests: RequestData) -> str | None:
    """Per level: ECDFs of TTFT and E2E from requests.jsonl, else the levels' percentiles."""
    if not requests.empty:
        fig, (left, right) = figure(2)
        _ecdf(left, requests.ttft, "TTFT distribution")
        _ecdf(right, requests.e2e, "End-to-end latency distribution")
        return to_svg(fig)
    fig, (ax,) = figure(1)
    return to_svg(fig) if _level_percentiles(doc, ax) else None


def tiers(doc: Mapping[str, Any]) -> str | None:
    """Quality by complexity tier."""
    rows = quality_by_tier(doc)
    if not rows:
        return None
    fig, (ax,) = figure(1, 2.6)
    bars = ax.bar([t for t, _, _ in rows], [q for _, q, _ in rows], color="#4c72b0")
    labels = [f"{q:.2f}" + (f" (n={n})" if n is not None else "") for _, q, n in rows]
    ax.bar_label(bars, labels)
    ax.set_ylim(0, max(1.0, max(q for _, q, _ in rows) * 1.15))
    ax.set_ylabel("quality")
    ax.set_title("Quality by tier")
    return to_svg(fig)


def dqs(doc: Mapping[str, Any]) -> str | None:
    """DQS components (with their weights) and the ablation deltas."""
    comps, weights = dqs_components(doc)
    drops = ablation(doc)
    if not comps and not drops:
        return None
    fig, axes = figure(2 if comps and drops else 1)
    if comps:
        ax = axes[0]
        names = list(comps)
        bars = ax.bar(names, [comps[n] for n in names], color="#55a868")
        ax.bar_label(bars, [f"w={weights[n]:.2f}" if n in weights else "" for n in names])
        ax.set_ylim(0, 1.15)
        ax.set_title("DQS components")
        ax.tick_params(axis="x", labelrotation=20)
    if drops:
        ax = axes[-1]
        colors = ["#c44e52" if d < 0 else "#4c72b0" for _, d in drops]
        ax.barh([n for n, _ in drops], [d for _, d in drops], color=colors)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("DQS change when the component is dropped")
        ax.set_title("Ablation")
    return to_svg(fig)


def server(doc: Mapping[str, Any], limit: int = 6) -> str | None:
    """Server-metric time series (up to ``limit``), small multiples."""
    series = list(server_series(doc).items())[:limit]
    if not series:
        return None
    ncols = 2 if len(series) > 1 else 1
    nrows = (len(series) + ncols - 1) // ncols
    fig = Figure(figsize=(8.4, 2.2 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).flatten()
    for ax, (name, points) in zip(axes, series, strict=False):
        ax.plot([t for t, _ in points], [v for _, v in points])
        ax.set_title(name)
        ax.set_xlabel("s")
    for ax in axes[len(series) :]:
        ax.set_visible(False)
    return to_svg(fig)
