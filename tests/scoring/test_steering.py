"""The steering scorer: keywords of steering events and nudges, where the event says."""

from __future__ import annotations

from typing import Any

import pytest
from pawbench_builtins.scorers.steering import SteeringScorer, followed

from pawbench.api import NoOptions

from .builders import STATUS, Step, TurnSpec, call, one, scenario, view

SCORER = SteeringScorer(NoOptions())
KEYWORDS = ["size-guide", "recommended_size", "chest_cm"]


def _event(kind: str = "steering", scope: str = "tool_args") -> dict[str, Any]:
    return {"event": {"kind": kind, "keywords": KEYWORDS, "mentions_in": scope}}


def _write(content: str) -> Any:
    return call("write_file", {"path": "app/main.py", "content": content})


@pytest.mark.parametrize(("found", "total", "ok"), [(1, 1, True), (1, 2, False), (2, 2, True),
                                                    (2, 3, True), (1, 3, False), (2, 4, False),
                                                    (3, 4, True), (0, 1, False)])  # fmt: skip
def test_followed_means_more_than_half(found: int, total: int, ok: bool) -> None:
    assert followed(found / total) is ok


def test_a_reply_that_follows_the_event() -> None:
    scn = scenario({}, _event())
    code = '@app.get("/api/size-guide/{breed}")\n# RECOMMENDED_SIZE and chest_cm'
    v = view(scn, TurnSpec([Step(STATUS)]), TurnSpec([Step(calls=[_write(code)]), Step(STATUS)]))
    scores = SCORER.score(v)
    assert {s.turn_index for s in scores} == {1}  # the turn without an event has no score
    assert one(scores, 1) == {"steering.keywords_found": 1.0, "steering.followed": 1.0}


def test_a_reply_that_talks_about_the_event_without_doing_it() -> None:
    scn = scenario(_event(scope="tool_args"))
    steps = [Step(calls=[_write("checkout()")]), Step("I will add the size-guide later.")]
    assert one(SCORER.score(view(scn, TurnSpec(steps)))) == {
        "steering.keywords_found": 0.0,
        "steering.followed": 0.0,
    }


def test_two_of_three_keywords_follow_a_nudge_in_text_scope() -> None:
    scn = scenario(_event(kind="nudge", scope="text"))
    steps = [Step("Added size-guide with recommended_size.\n" + STATUS)]
    assert one(SCORER.score(view(scn, TurnSpec(steps)))) == {
        "nudge.keywords_found": pytest.approx(2 / 3),
        "nudge.followed": 1.0,
    }


def test_excluded_event_turns_are_skipped() -> None:
    scn = scenario(_event())
    assert SCORER.score(view(scn, TurnSpec([Step(STATUS)], status="fixture_gap"))) == []
