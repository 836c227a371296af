"""Readers of the scoring, telemetry and warning blocks, for the built-in reporters.

Each accepts the shapes those blocks are written in (objects or lists of rows) and returns
plain rows; an absent or unexpected block gives an empty result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pawbench_builtins.reporters._data import get, items, mapping, number, scalar

_NAME_KEYS = ("dropped", "component", "drop", "name", "tier", "metric")
_TIME_KEYS = ("t_s", "t", "time", "elapsed_s", "timestamp")


def _name(row: Mapping[str, Any]) -> str | None:
    for key in _NAME_KEYS:
        if isinstance(row.get(key), str):
            return str(row[key])
    return None


def _quality(value: Any) -> float | None:
    for candidate in (value, get(value, "quality"), get(value, "avg_quality")):
        found = scalar(candidate)
        if found is not None:
            return found
    return None


def quality_by_tier(doc: Mapping[str, Any]) -> list[tuple[str, float, int | None]]:
    """(tier, quality, count) rows of ``quality_by_tier``."""
    block = doc.get("quality_by_tier")
    rows: list[tuple[str, Any]] = [(k, v) for k, v in mapping(block).items()]
    rows += [(_name(r) or "?", r) for r in items(block) if isinstance(r, Mapping)]
    out = []
    for tier, value in rows:
        quality = _quality(value)
        count = number(get(value, "count")) or number(get(value, "turns"))
        if quality is not None:
            out.append((tier, quality, int(count) if count is not None else None))
    return out


def dqs_value(doc: Mapping[str, Any]) -> float | None:
    """The run's DQS."""
    return scalar(doc.get("dqs"))


def dqs_components(doc: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """(component values, weights) of the run's DQS."""
    dqs = doc.get("dqs")
    comps = mapping(get(dqs, "components")) or mapping(get(dqs, "run.components"))
    weights = mapping(get(dqs, "weights")) or mapping(doc.get("dqs_weights"))
    values = {k: v for k, v in ((k, scalar(v)) for k, v in comps.items()) if v is not None}
    return values, {k: w for k, w in ((k, number(v)) for k, v in weights.items()) if w is not None}


def _ablation_delta(value: Any, baseline: float | None) -> float | None:
    found = number(value)
    if found is not None:
        return found
    for key in ("delta", "run.delta", "dqs_delta", "delta_dqs"):
        found = number(get(value, key))
        if found is not None:
            return found
    dqs = number(get(value, "dqs"))
    dqs = dqs if dqs is not None else number(get(value, "run.dqs"))
    return dqs - baseline if dqs is not None and baseline is not None else None


def ablation(doc: Mapping[str, Any]) -> list[tuple[str, float]]:
    """(dropped component, DQS delta) rows of ``ablation``."""
    block = doc.get("ablation")
    baseline = scalar(get(block, "baseline"))
    baseline = baseline if baseline is not None else scalar(get(block, "full.run"))
    baseline = baseline if baseline is not None else dqs_value(doc)
    rows: list[tuple[str | None, Any]] = []
    listed = items(block) or next(
        (items(get(block, k)) for k in ("rows", "components", "matrix") if items(get(block, k))),
        [],
    )
    rows += [(_name(r), r) for r in listed if isinstance(r, Mapping)]
    if not rows:
        keys = ("drop", "drops", "deltas")
        drops = next((mapping(get(block, k)) for k in keys if mapping(get(block, k))), {})
        rows += list(drops.items())
    out = []
    for name, value in rows:
        delta = _ablation_delta(value, baseline)
        if name and delta is not None:
            out.append((name, delta))
    return out


def _points(value: Any) -> list[tuple[float, float]]:
    out = []
    for p in items(value):
        if isinstance(p, list | tuple) and len(p) == 2:
            t, v = number(p[0]), number(p[1])
        else:
            t = next((number(get(p, k)) for k in _TIME_KEYS if number(get(p, k)) is not None), None)
            v = scalar(get(p, "v") if get(p, "v") is not None else get(p, "value"))
        if t is not None and v is not None:
            out.append((t, v))
    return out


def _columns(raw: Mapping[str, Any]) -> dict[str, list[tuple[float, float]]]:
    """Columnar series: ``{"t_s": [...], "values": {name: [...]}}``."""
    times = [number(t) for t in items(raw.get("t_s"))]
    out = {}
    for name, column in mapping(raw.get("values")).items():
        pairs = zip(times, (number(v) for v in items(column)), strict=False)
        out[str(name)] = [(t, v) for t, v in pairs if t is not None and v is not None]
    return out


def server_series(doc: Mapping[str, Any]) -> dict[str, list[tuple[float, float]]]:
    """Time series of ``server_metrics`` by metric name (only series with 2+ points)."""
    sm = doc.get("server_metrics")
    raw = next((get(sm, k) for k in ("series", "timeseries", "samples") if get(sm, k)), None)
    series: dict[str, list[tuple[float, float]]] = {}
    if isinstance(raw, Mapping) and "values" in raw:
        series = _columns(raw)
    elif isinstance(raw, Mapping):
        series = {str(k): _points(v) for k, v in raw.items()}
    elif isinstance(raw, list):
        for sample in (s for s in raw if isinstance(s, Mapping)):
            t = next((number(sample.get(k)) for k in _TIME_KEYS if k in sample), None)
            for key, value in sample.items():
                v = number(value)
                if t is not None and v is not None and key not in _TIME_KEYS:
                    series.setdefault(str(key), []).append((t, v))
    return {k: v for k, v in series.items() if len(v) >= 2}


def server_headline(doc: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Scalar headline values of ``server_metrics`` (its ``headline``, else the run's derived
    values, else its top level); a server without metrics says why."""
    sm = mapping(doc.get("server_metrics"))
    if sm.get("status") == "unavailable" or sm.get("available") is False:
        return [("status", f"unavailable: {sm.get('reason') or 'no reason given'}")]
    keys = ("headline", "run.derived", "summary", "derived")
    block = next((mapping(get(sm, k)) for k in keys if mapping(get(sm, k))), sm)
    return [(str(k), v) for k, v in block.items() if isinstance(v, str | int | float | bool)]


def _turn_statuses(doc: Mapping[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for level in items(doc.get("levels")):
        for status, n in mapping(get(level, "turns")).items():
            counts[str(status)] += int(number(n) or 0)
    return counts


def _errors(doc: Mapping[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for level in items(doc.get("levels")):
        for cause, n in mapping(get(level, "errors")).items():
            counts[str(cause)] += int(number(n) or 0)
    return counts


def _client_bottleneck(doc: Mapping[str, Any]) -> bool:
    flags = [doc.get("client_bottleneck")]
    for level in items(doc.get("levels")) + items(doc.get("saturation_curve")):
        flags += [get(level, "client_bottleneck"), get(level, "client.client_bottleneck")]
    return any(flag is True for flag in flags)


def warnings(doc: Mapping[str, Any]) -> list[str]:
    """The run's own warnings plus what the blocks reveal (estimates, errors, gaps, client)."""
    out = [str(get(w, "message") or w) for w in items(doc.get("warnings"))]
    if doc.get("simulated"):
        out.append("simulated endpoint: the built-in simulator, not a real model")
    if doc.get("interrupted"):
        out.append("the run was interrupted: results are partial")
    if doc.get("tokens_estimated"):
        out.append("token counts are estimated (the server reported no usage)")
    if _client_bottleneck(doc) and not any("client bottleneck" in w for w in out):
        out.append("the client, not the server, was the bottleneck at some level")
    errors = _errors(doc)
    if errors:
        causes = ", ".join(f"{c}={n}" for c, n in errors.most_common())
        out.append(f"{sum(errors.values())} failed requests ({causes})")
    gaps = _turn_statuses(doc).get("fixture_gap", 0)
    if gaps:
        out.append(f"{gaps} turns hit a fixture gap (a gap in the benchmark, not a model failure)")
    return out
