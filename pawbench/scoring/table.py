"""One row per turn and per session: the per-turn Score values of the built-in scorers joined
with what the records say (status, tier, event, tokens, time). Every dimension block, the DQS,
the ablation matrix and the verification statistics are computed from this table.

Metric names read here (the scorers' contract, docs/metrics.md): ``quality.turn``,
``expect.*``, ``tool_call.{offered,valid_json,schema_valid,accurate}`` (per call),
``tool_call.right_tool``, ``tool_call.accuracy``, ``format.compliance``, ``format.final``
(session), ``efficiency.{output,useful,reasoning}_tokens``, ``<steering|nudge>.followed`` and
``<steering|nudge>.keywords_found``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pawbench.components import Score, Scorer, SessionView
from pawbench.models.records import TERMINAL_EXCLUDED, RequestRecord, TurnRecord
from pawbench.scoring.tiers import turn_tier

CALL_CHECKS = ("offered", "valid_json", "schema_valid", "accurate")


@dataclass(frozen=True)
class TurnRow:
    """One turn: identity, status, tier, scores and measured cost."""

    session_id: str
    scenario_id: str
    agent_id: str
    level: int
    shape: str | None
    ordinal: int
    turn_index: int
    status: str
    tier: str
    tier_source: str
    event: str | None
    quality: float | None = None
    criteria: dict[str, float] = field(default_factory=dict)
    tool_accuracy: float | None = None
    right_tool: float | None = None
    calls: dict[str, int] = field(default_factory=dict)
    format: float | None = None
    output_tokens: float = 0.0
    useful_tokens: float = 0.0
    reasoning_tokens: float = 0.0
    followed: float | None = None
    keywords_found: float | None = None
    completion_tokens: int = 0
    prompt_tokens: int = 0
    seconds: float = 0.0
    tokens_estimated: bool = False

    @property
    def counted(self) -> bool:
        """Quality evidence: not error, timeout or fixture_gap."""
        return self.status not in TERMINAL_EXCLUDED

    @property
    def key(self) -> tuple[str, str, str, int, int, int]:
        """The same turn in another run: scenario, shape, agent, level, replica, turn."""
        return (
            self.scenario_id,
            self.shape or "",
            self.agent_id,
            self.level,
            self.ordinal,
            self.turn_index,
        )


@dataclass(frozen=True)
class SessionRow:
    """One session: identity and the format compliance of its final answer."""

    session_id: str
    scenario_id: str
    agent_id: str
    level: int
    shape: str | None
    format_final: float | None


@dataclass(frozen=True)
class RunTable:
    """The turn and session rows of one run."""

    turns: tuple[TurnRow, ...]
    sessions: tuple[SessionRow, ...]

    def where(self, keep: Callable[[TurnRow | SessionRow], bool]) -> RunTable:
        """The rows that ``keep`` accepts (it sees turn and session rows)."""
        return RunTable(
            tuple(t for t in self.turns if keep(t)), tuple(s for s in self.sessions if keep(s))
        )

    def group(self, key: Callable[[TurnRow | SessionRow], str | None]) -> dict[str, RunTable]:
        """Sub-tables by ``key`` (rows whose key is None are left out); keys in natural order
        (digits compared as numbers)."""
        rows: dict[str, tuple[list[TurnRow], list[SessionRow]]] = {}
        for turn in self.turns:
            label = key(turn)
            if label is not None:
                rows.setdefault(label, ([], []))[0].append(turn)
        for session in self.sessions:
            label = key(session)
            if label is not None:
                rows.setdefault(label, ([], []))[1].append(session)
        return {
            k: RunTable(tuple(rows[k][0]), tuple(rows[k][1])) for k in sorted(rows, key=natural)
        }

    @property
    def counted(self) -> list[TurnRow]:
        """The turns that are quality evidence."""
        return [t for t in self.turns if t.counted]


ScoresBySession = Mapping[str, Sequence[Score]]


def run_scorers(
    scorers: Sequence[Scorer], views: Sequence[SessionView]
) -> tuple[dict[str, list[Score]], list[str]]:
    """Every scorer over every session: the scores by session id, and one warning per scorer
    that raised on a session (its scores for that session are lost, the run's are not)."""
    found: dict[str, list[Score]] = {v.session.session_id: [] for v in views}
    warnings: list[str] = []
    for scorer in scorers:
        for view in views:
            try:
                found[view.session.session_id].extend(scorer.score(view))
            except Exception as exc:
                warnings.append(
                    f"scorer {scorer.name!r} failed on {view.session.session_id}: "
                    f"{type(exc).__name__}: {exc}"
                )
    return found, warnings


def build_table(
    views: Sequence[SessionView],
    scores_by_session: ScoresBySession,
    shapes: Mapping[str, str] | None = None,
) -> RunTable:
    """Join the views' records with their sessions' scores. ``shapes`` (session id -> label)
    overrides the shape each session record carries."""
    shape_of = {
        v.session.session_id: (shapes or {}).get(v.session.session_id, v.session.shape)
        for v in views
    }
    ordinals = _ordinals(views, shape_of)
    turns: list[TurnRow] = []
    sessions: list[SessionRow] = []
    for view in views:
        sid = view.session.session_id
        shape = shape_of[sid]
        scores = list(scores_by_session.get(sid, ()))
        by_turn: dict[int, list[Score]] = defaultdict(list)
        for score in scores:
            if score.turn_index is not None:
                by_turn[score.turn_index].append(score)
        for record in view.turns:
            turns.append(_turn_row(view, record, shape, ordinals[sid], by_turn[record.turn_index]))
        final = [s.value for s in scores if s.turn_index is None and s.metric == "format.final"]
        s = view.session
        sessions.append(
            SessionRow(sid, s.scenario_id, s.agent_id, s.level, shape, final[-1] if final else None)
        )
    return RunTable(tuple(turns), tuple(sessions))


def natural(text: str) -> tuple[tuple[int, str], ...]:
    """A sort key that compares digit runs as numbers (``s2`` before ``s10``)."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"(\d+)", text))


def _ordinals(views: Iterable[SessionView], shape_of: Mapping[str, str | None]) -> dict[str, int]:
    """Replica number of each session among those of the same scenario, shape, agent and level
    (sessions ordered by id, digits compared as numbers)."""
    groups: dict[tuple[str, str, str, int], list[str]] = defaultdict(list)
    for v in views:
        s = v.session
        key = (s.scenario_id, shape_of[s.session_id] or "", s.agent_id, s.level)
        groups[key].append(s.session_id)
    return {sid: i for ids in groups.values() for i, sid in enumerate(sorted(ids, key=natural))}


def _last(scores: Sequence[Score], metric: str) -> float | None:
    values = [s.value for s in scores if s.metric == metric]
    return values[-1] if values else None


def _turn_row(
    view: SessionView, record: TurnRecord, shape: str | None, ordinal: int, scores: list[Score]
) -> TurnRow:
    if 0 <= record.turn_index < len(view.agent.turns):
        spec = view.agent.turns[record.turn_index]
        tier, source = turn_tier(view.scenario, view.agent, spec)
    else:
        tier, source = "display", "heuristic"
    requests = _requests(view, record)
    kind = record.event
    calls = {
        check: int(sum(s.value for s in scores if s.metric == f"tool_call.{check}"))
        for check in CALL_CHECKS
    }
    calls["calls"] = sum(1 for s in scores if s.metric == "tool_call.offered")
    return TurnRow(
        session_id=record.session_id,
        scenario_id=record.scenario_id,
        agent_id=record.agent_id,
        level=record.level,
        shape=shape,
        ordinal=ordinal,
        turn_index=record.turn_index,
        status=record.status,
        tier=tier,
        tier_source=source,
        event=kind,
        quality=_last(scores, "quality.turn"),
        criteria={s.metric: s.value for s in scores if s.metric.startswith("expect.")},
        tool_accuracy=_last(scores, "tool_call.accuracy"),
        right_tool=_last(scores, "tool_call.right_tool"),
        calls=calls,
        format=_last(scores, "format.compliance"),
        output_tokens=_last(scores, "efficiency.output_tokens") or 0.0,
        useful_tokens=_last(scores, "efficiency.useful_tokens") or 0.0,
        reasoning_tokens=_last(scores, "efficiency.reasoning_tokens") or 0.0,
        followed=_last(scores, f"{kind}.followed") if kind else None,
        keywords_found=_last(scores, f"{kind}.keywords_found") if kind else None,
        completion_tokens=sum(r.completion_tokens or 0 for r in requests),
        prompt_tokens=sum(r.prompt_tokens or 0 for r in requests),
        seconds=max(0, record.t_end_ns - record.t_start_ns) / 1e9,
        tokens_estimated=any(r.tokens_estimated for r in requests),
    )


def _requests(view: SessionView, record: TurnRecord) -> list[RequestRecord]:
    wanted = set(record.request_ids)
    return [r for r in view.requests if r.request_id in wanted]
