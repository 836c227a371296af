"""Engine adapters: pawbench's canonical metric names from what an engine's ``/metrics`` says.

The adapters are data (``engines.json`` beside this module, read with importlib.resources):
per engine, the names that detect it and, per canonical name, where its value comes from. Names
ending in ``_total`` are counters; the others are gauges.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Index = dict[str, list[tuple[dict[str, str], float]]]
"""Every sample of a scrape: sample name -> [(labels, value)]."""

_AGGREGATES = ("sum", "mean", "max")


@dataclass(frozen=True)
class Rule:
    """Where one canonical value comes from: the first of ``sources`` the server exposes, or
    the sum of every name in ``sum_of``; label sets combined by ``agg``."""

    sources: tuple[str, ...] = ()
    sum_of: tuple[str, ...] = ()
    agg: str = "sum"


@dataclass(frozen=True)
class InfoEndpoint:
    """A JSON route of the server worth quoting in the model card, and the keys to keep."""

    path: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Adapter:
    """One serving engine's metric names."""

    name: str
    title: str
    detect_any: tuple[str, ...]
    detect_prefix: str | None
    replica_labels: frozenset[str]
    metrics: Mapping[str, Rule]
    info_metrics: tuple[str, ...]
    info_endpoints: tuple[InfoEndpoint, ...]


def _rule(spec: Mapping[str, Any]) -> Rule:
    agg = str(spec.get("agg", "sum"))
    if agg not in _AGGREGATES:
        raise ValueError(f"unknown agg {agg!r}")
    return Rule(tuple(spec.get("from", ())), tuple(spec.get("sum_of", ())), agg)


def _adapter(spec: Mapping[str, Any]) -> Adapter:
    return Adapter(
        name=spec["name"],
        title=spec["title"],
        detect_any=tuple(spec.get("detect_any", ())),
        detect_prefix=spec.get("detect_prefix"),
        replica_labels=frozenset(spec.get("replica_labels", ())),
        metrics={key: _rule(rule) for key, rule in spec["metrics"].items()},
        info_metrics=tuple(spec.get("info_metrics", ())),
        info_endpoints=tuple(
            InfoEndpoint(e["path"], tuple(e["keys"])) for e in spec.get("info_endpoints", ())
        ),
    )


@cache
def load_adapters() -> tuple[Adapter, ...]:
    """The built-in adapters, in detection order."""
    text = (
        resources.files(__name__.rpartition(".")[0])
        .joinpath("engines.json")
        .read_text(encoding="utf-8")
    )
    return tuple(_adapter(spec) for spec in json.loads(text)["engines"])


def adapter_named(name: str) -> Adapter | None:
    """The adapter called ``name``, if any."""
    return next((a for a in load_adapters() if a.name == name), None)


def parse_metrics(text: str) -> Index:
    """Every finite sample of a Prometheus text exposition; ValueError when it is not one."""
    index: Index = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            value = float(sample.value)
            if math.isfinite(value):
                index.setdefault(sample.name, []).append((dict(sample.labels), value))
    return index


def lookup(index: Index, name: str) -> list[tuple[dict[str, str], float]] | None:
    """The samples of ``name``; a counter is found with or without its ``_total`` suffix
    (parsers differ on whether they add it)."""
    other = name.removesuffix("_total") if name.endswith("_total") else name + "_total"
    return index.get(name) or index.get(other)


def combine(
    samples: Sequence[tuple[dict[str, str], float]], agg: str, replicas: frozenset[str]
) -> float:
    """One value from a metric's label sets. Samples that differ only in replica labels (the
    same value reported by each tensor-parallel rank) count once."""
    groups: dict[tuple[tuple[str, str], ...], float] = {}
    for labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k not in replicas))
        groups[key] = max(groups[key], value) if key in groups else value
    values = list(groups.values())
    if agg == "mean":
        return math.fsum(values) / len(values)
    if agg == "max":
        return max(values)
    return math.fsum(values)


def canonical(index: Index, adapter: Adapter) -> dict[str, float]:
    """The canonical values the scrape holds (names the server does not expose are absent)."""
    out: dict[str, float] = {}
    for key, rule in adapter.metrics.items():
        if rule.sum_of:
            parts = [lookup(index, name) for name in rule.sum_of]
            if all(parts):
                out[key] = math.fsum(
                    combine(p, rule.agg, adapter.replica_labels) for p in parts if p
                )
            continue
        for name in rule.sources:
            found = lookup(index, name)
            if found:
                out[key] = combine(found, rule.agg, adapter.replica_labels)
                break
    return out


def detect(index: Index) -> Adapter | None:
    """The engine whose names the scrape holds: specific names first, then name prefixes."""
    adapters = load_adapters()
    for adapter in adapters:
        if any(lookup(index, name) for name in adapter.detect_any):
            return adapter
    for adapter in adapters:
        prefix = adapter.detect_prefix
        if prefix and any(name.startswith(prefix) for name in index):
            return adapter
    return None


def info_labels(index: Index, adapter: Adapter) -> dict[str, dict[str, str]]:
    """The labels of the engine's config-info metrics (e.g. ``vllm:cache_config_info``)."""
    out: dict[str, dict[str, str]] = {}
    for name in adapter.info_metrics:
        found = index.get(name)
        if found:
            out[name] = dict(sorted(found[0][0].items()))
    return out


def select_keys(doc: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """The scalar values at dotted ``keys`` of a JSON object (nested objects are never copied
    whole, so that nothing unexpected from the server lands in a result)."""
    out: dict[str, Any] = {}
    for key in keys:
        value: Any = doc
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, str | int | float | bool):
            out[key] = value
    return out
