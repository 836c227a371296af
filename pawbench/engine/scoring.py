"""Running scorer plugins over finished sessions and aggregating what they return."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pawbench.components import Score, Scorer, SessionView
from pawbench.engine.sink import RecordSink
from pawbench.models.scenario import Agent, Scenario
from pawbench.plugins import CORE_DISTRIBUTION, PluginHost


def load_scorers(host: PluginHost, names: list[str]) -> list[Scorer]:
    """The scorers to run: every loaded scorer; with ``names``, the built-in ones (the
    dimensions and DQS need them) plus those named."""
    builtin = [
        c.name
        for c in host.components("scorer")
        if c.status == "loaded" and c.distribution == CORE_DISTRIBUTION
    ]
    chosen = list(dict.fromkeys([*builtin, *names])) if names else host.names("scorer")
    return [host.scorer(name) for name in chosen]


@dataclass
class _Bucket:
    values: list[float] = field(default_factory=list)
    by_level: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_scenario: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def add(self, value: float, level: int, scenario_id: str) -> None:
        self.values.append(value)
        self.by_level[level].append(value)
        self.by_scenario[scenario_id].append(value)

    def summary(self) -> dict[str, Any]:
        return {
            "mean": _mean(self.values),
            "count": len(self.values),
            "by_concurrency": {str(k): _mean(v) for k, v in sorted(self.by_level.items())},
            "by_scenario": {k: _mean(v) for k, v in sorted(self.by_scenario.items())},
        }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def views(
    scenarios: list[Scenario], sink: RecordSink, agents: Mapping[str, Agent] | None = None
) -> list[SessionView]:
    """One view per finished session, with its turns and requests. ``agents`` (session id ->
    agent as it ran) covers sessions whose agent a shape built or reshaped."""
    by_id = {s.id: s for s in scenarios}
    out = []
    for session in sink.sessions:
        scenario = by_id[session.scenario_id]
        agent = (agents or {}).get(session.session_id) or scenario.agent(session.agent_id)
        out.append(
            SessionView(
                scenario=scenario,
                agent=agent,
                session=session,
                turns=[t for t in sink.turns if t.session_id == session.session_id],
                requests=[r for r in sink.requests if r.session_id == session.session_id],
            )
        )
    return out


def summarise_scores(
    session_views: list[SessionView], scores: Mapping[str, list[Score]]
) -> dict[str, dict[str, Any]]:
    """Per metric (grouped by the scorer that named it, ``<scorer>.<metric>`` or the bare
    metric): mean, count, by concurrency and by scenario."""
    buckets: dict[str, _Bucket] = defaultdict(_Bucket)
    for view in session_views:
        for score in scores.get(view.session.session_id, []):
            buckets[score.metric].add(score.value, view.session.level, view.session.scenario_id)
    return {metric: bucket.summary() for metric, bucket in sorted(buckets.items())}
