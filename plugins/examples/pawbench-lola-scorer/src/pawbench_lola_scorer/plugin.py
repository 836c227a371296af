"""The ``lola`` scorer: how often an agent's final answers mention Lola or her products.

The module imports nothing from pawbench but ``pawbench.api``, like every plugin should.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pawbench.api import Score, Scorer, SessionView, hookimpl

# Turns that ended like this say nothing about the model's answers, so they are not counted.
_NOT_EVIDENCE = frozenset({"error", "timeout", "fixture_gap"})


class LolaOptions(BaseModel):
    """Settings of the ``lola`` scorer."""

    model_config = ConfigDict(extra="forbid")

    terms: list[str] = Field(
        default_factory=lambda: ["Lola", "Lola's Kibble", "LolaLeash", "Lola Treats"],
        description="Names that count as a mention (case-insensitive substring match).",
    )


class LolaScorer(Scorer):
    """Share of final answers that mention Lola or one of her products."""

    name = "lola"
    Options = LolaOptions

    def _terms(self) -> list[str]:
        options = self.options
        terms = options.terms if isinstance(options, LolaOptions) else LolaOptions().terms
        return [t.lower() for t in terms if t]

    def mentions(self, text: str) -> bool:
        """Whether ``text`` mentions any of the configured terms."""
        lowered = text.lower()
        return any(term in lowered for term in self._terms())

    def score(self, view: SessionView) -> list[Score]:
        """One 0/1 score per counted turn, then ``lola_mention_rate`` for the session."""
        scores: list[Score] = []
        for turn in view.turns:
            if turn.status in _NOT_EVIDENCE:
                continue
            hit = float(self.mentions(turn.final_text))
            scores.append(Score(metric="lola_mention", value=hit, turn_index=turn.turn_index))
        if scores:
            rate = sum(s.value for s in scores) / len(scores)
            detail = f"{int(sum(s.value for s in scores))} of {len(scores)} answer(s)"
            scores.append(Score(metric="lola_mention_rate", value=rate, detail=detail))
        return scores


@hookimpl
def pawbench_register_scorers() -> list[type[Scorer]]:
    """Offer the ``lola`` scorer to pawbench."""
    return [LolaScorer]
