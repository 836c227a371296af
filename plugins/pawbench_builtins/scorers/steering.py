"""The ``steering`` scorer: did the reply to a steering event or a nudge follow it?

Per counted turn that carries an event (``turn_index`` set), with ``<kind>`` = steering or
nudge: ``<kind>.keywords_found``, the fraction of the event's keywords found
(case-insensitive, where ``event.mentions_in`` says: the answer text, the parsed argument values
of executable calls, or both), and ``<kind>.followed``: 1 when more than half of them are found
(one of one, two of two, two of three, three of four), else 0.
"""

from __future__ import annotations

from pawbench.api import Score, Scorer, SessionView, hookimpl

from .common import TurnData, turns


def keywords_found(turn: TurnData) -> float | None:
    """Fraction of the event's keywords found; None when the turn has no event."""
    event = turn.spec.event
    if event is None:
        return None
    return turn.found_fraction(event.keywords, event.mentions_in)


def followed(fraction: float) -> bool:
    """More than half of the keywords found."""
    return fraction > 0.5


class SteeringScorer(Scorer):
    """Whether replies to steering events and nudges contain the event's keywords."""

    name = "steering"

    def score(self, view: SessionView) -> list[Score]:
        """``<kind>.keywords_found`` and ``<kind>.followed`` of every counted event turn."""
        scores: list[Score] = []
        for turn in turns(view):
            event = turn.spec.event
            fraction = keywords_found(turn)
            if not turn.counted or event is None or fraction is None:
                continue
            index, kind = turn.record.turn_index, event.kind
            scores.append(Score(metric=f"{kind}.keywords_found", value=fraction, turn_index=index))
            scores.append(
                Score(metric=f"{kind}.followed", value=float(followed(fraction)), turn_index=index)
            )
        return scores


@hookimpl
def pawbench_register_scorers() -> list[type[Scorer]]:
    """Offer the ``steering`` scorer."""
    return [SteeringScorer]
