"""The ``efficiency`` scorer: how much of the visible output is useful, in tokens.

Every request's visible output tokens (``completion_tokens`` − ``reasoning_tokens``, from the
server's usage) are shared among its segments in proportion to their size in *pieces* (a
tokenizer-free measure: runs of up to 6 letters, 3 digits or 3 other symbols). Segments:

- a tool call (name + arguments) — useful, valid or not: whether a call is right is tool-call
  accuracy's business, this ratio measures talk against work;
- a fenced code block (```` ``` ```` to ```` ``` ````, or to the end) — useful;
- the status block (``status_block``) — useful;
- every other sentence (prose, split at ``.``/``!``/``?`` + space and at line breaks) — useful
  when it carries one of the turn's expected terms (``output_mentions``, event keywords,
  ``mention_all`` terms, paths written in the turn; case-insensitive), else useful while the
  turn's term-free prose stays within ``prose_budget`` pieces (default 40, a short summary),
  counted in order; beyond the budget it is filler.

No list of English phrases is involved. Per counted turn: ``efficiency.output_tokens``,
``efficiency.useful_tokens``, ``efficiency.reasoning_tokens`` and ``efficiency.useful_ratio``
(useful / output, when output > 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from pawbench.api import RequestRecord, Score, Scorer, SessionView, hookimpl

from .common import TurnData, normalise_path, turns
from .status_block import parse

_PIECE = re.compile(r"[^\W\d_]{1,6}|\d{1,3}|(?:[^\w\s]|_){1,3}")
_FENCE = re.compile(r"^\s*```")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def pieces(text: str) -> int:
    """Size of a text in pieces (a tokenizer-free stand-in for tokens)."""
    return len(_PIECE.findall(text))


class EfficiencyOptions(BaseModel):
    """Settings of the ``efficiency`` scorer."""

    model_config = ConfigDict(extra="forbid")

    prose_budget: int = Field(default=40, ge=0, description="term-free prose pieces per turn")


@dataclass
class Segment:
    """A part of a request's output and whether it is useful."""

    size: int
    kind: str  # call, code, status, prose
    useful: bool = True


def content_segments(content: str) -> list[tuple[str, str]]:
    """(kind, text) parts of a reply's content: code, status and prose sentences."""
    lines = content.splitlines()
    kinds = ["prose"] * len(lines)
    inside = False
    for i, line in enumerate(lines):
        fence = bool(_FENCE.match(line))
        if inside or fence:
            kinds[i] = "code"
        if fence:
            inside = not inside
    block = parse(content)
    if block is not None:
        for i in range(block.start, block.end):
            if kinds[i] == "prose":
                kinds[i] = "status"
    parts: list[tuple[str, str]] = []
    for kind, line in zip(kinds, lines, strict=True):
        if kind == "prose":
            parts.extend(("prose", s) for s in _SENTENCE_END.split(line) if s.strip())
        elif parts and parts[-1][0] == kind:
            parts[-1] = (kind, parts[-1][1] + "\n" + line)
        else:
            parts.append((kind, line))
    return parts


def _expected_terms(turn: TurnData) -> list[str]:
    spec = turn.spec
    terms = list(spec.expect.output_mentions)
    if spec.event is not None:
        terms.extend(spec.event.keywords)
    for constraint in spec.expect.constraints:
        if constraint.kind == "mention_all":
            terms.extend(t.strip() for t in str(constraint.value).split(","))
    for check in turn.calls:
        path = check.args.get("path") if check.executable and check.args else None
        if isinstance(path, str) and path.strip():
            terms.append(normalise_path(path))
    return [t.lower() for t in terms if t and t.strip()]


def _request_segments(request: RequestRecord, terms: list[str]) -> list[Segment]:
    segments = []
    for kind, text in content_segments(request.content):
        carries = kind != "prose" or any(t in text.lower() for t in terms)
        segments.append(Segment(pieces(text), kind, useful=carries))
    for call in request.tool_calls:
        segments.append(Segment(pieces(call.name + call.arguments), "call"))
    return segments


@dataclass(frozen=True)
class TurnTokens:
    """A turn's output tokens: visible, useful and reasoning."""

    output: float
    useful: float
    reasoning: float


def turn_tokens(turn: TurnData, prose_budget: int) -> TurnTokens:
    """Visible, useful and reasoning tokens of one turn."""
    terms = _expected_terms(turn)
    budget = prose_budget
    output = useful = reasoning = 0.0
    for request in turn.requests:
        if request.completion_tokens is None:
            continue
        segments = _request_segments(request, terms)
        for seg in segments:
            if seg.kind == "prose" and not seg.useful and seg.size <= budget:
                seg.useful, budget = True, budget - seg.size
        spent = request.reasoning_tokens or 0
        visible = max(0, request.completion_tokens - spent)
        total = sum(s.size for s in segments)
        share = sum(s.size for s in segments if s.useful) / total if total else 0.0
        output, useful, reasoning = output + visible, useful + visible * share, reasoning + spent
    return TurnTokens(output, useful, reasoning)


class EfficiencyScorer(Scorer):
    """Useful share of the output tokens (code, tool arguments, status block, on-topic prose)."""

    name = "efficiency"
    Options = EfficiencyOptions

    def score(self, view: SessionView) -> list[Score]:
        """Output, useful and reasoning tokens and the useful ratio of every counted turn."""
        options = self.options
        budget = options.prose_budget if isinstance(options, EfficiencyOptions) else 40
        scores: list[Score] = []
        for turn in turns(view):
            if not turn.counted:
                continue
            tokens = turn_tokens(turn, budget)
            index = turn.record.turn_index
            scores.extend(
                [
                    Score(metric="efficiency.output_tokens", value=tokens.output, turn_index=index),
                    Score(metric="efficiency.useful_tokens", value=tokens.useful, turn_index=index),
                    Score(
                        metric="efficiency.reasoning_tokens",
                        value=tokens.reasoning,
                        turn_index=index,
                    ),
                ]
            )
            if tokens.output > 0:
                ratio = tokens.useful / tokens.output
                scores.append(
                    Score(metric="efficiency.useful_ratio", value=ratio, turn_index=index)
                )
        return scores


@hookimpl
def pawbench_register_scorers() -> list[type[Scorer]]:
    """Offer the ``efficiency`` scorer."""
    return [EfficiencyScorer]
