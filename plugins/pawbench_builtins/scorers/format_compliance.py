"""The ``format`` scorer: the status block that must end every agent's final answer.

``format.compliance`` per counted turn (its final answer; an empty one, or one cut at
``max_tokens``, scores 0), and
``format.final`` per session: the compliance of the final answer of the session's last counted
turn (the agent's final answer). The checks are in ``status_block``; a perfect block scores 1.0.
"""

from __future__ import annotations

from pawbench.api import Score, Scorer, SessionView, hookimpl

from .common import turns
from .status_block import compliance, parse


class FormatScorer(Scorer):
    """Status block (STATUS, FILES_*, TESTS, BUILD, LEARNED) on every final answer."""

    name = "format"

    def score(self, view: SessionView) -> list[Score]:
        """Per-turn compliance and the session's final compliance."""
        scores: list[Score] = []
        for turn in turns(view):
            if not turn.counted:
                continue
            text = turn.record.final_text
            cut = turn.finish_reason == "length"
            scores.append(
                Score(
                    metric="format.compliance",
                    value=0.0 if cut else compliance(text),
                    turn_index=turn.record.turn_index,
                    detail="cut at max_tokens" if cut else _detail(text),
                )
            )
        if scores:
            last = scores[-1]
            scores.append(
                Score(metric="format.final", value=last.value, detail=f"turn {last.turn_index}")
            )
        return scores


def _detail(text: str) -> str:
    block = parse(text)
    if block is None:
        return "no status block"
    failed = [name for name, ok in block.checks().items() if not ok]
    return "failed: " + ", ".join(failed) if failed else "all checks passed"


@hookimpl
def pawbench_register_scorers() -> list[type[Scorer]]:
    """Offer the ``format`` scorer."""
    return [FormatScorer]
