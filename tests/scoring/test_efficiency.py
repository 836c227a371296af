"""The efficiency scorer: useful tokens by segment, computed by hand."""

from __future__ import annotations

import pytest
from pawbench_builtins.scorers.efficiency import (
    EfficiencyOptions,
    EfficiencyScorer,
    content_segments,
    pieces,
)

from pawbench.api import NoOptions

from .builders import STATUS, Step, TurnSpec, call, one, scenario, view

LS = call("run_command", '{"command":"ls"}')  # run _ comman d {" comman d ":" ls "} = 10


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("useEffect", 2),  # useEff + ect
        ("12345", 2),  # 123 + 45
        ("a_b", 3),
        ("->", 1),
        ("!!!!", 2),
        ("Hello, world.", 4),
        ("café au lait", 3),  # letters of any script
    ],
)
def test_pieces(text: str, count: int) -> None:
    assert pieces(text) == count


def test_content_is_cut_into_prose_code_and_status() -> None:
    text = "Intro. Then more!\n```py\nx = 1\n```\nAfter.\n" + STATUS
    assert [kind for kind, _ in content_segments(text)] == [
        "prose",
        "prose",
        "code",
        "prose",
        "status",
    ]
    assert content_segments("```\nunclosed = 1\nSTATUS: done") == [
        ("code", "```\nunclosed = 1\nSTATUS: done")  # a status line inside code is code
    ]


def _scorer(budget: int) -> EfficiencyScorer:
    return EfficiencyScorer(EfficiencyOptions(prose_budget=budget))


def test_useful_tokens_by_hand() -> None:
    scn = scenario({"expect": {"output_mentions": ["greet"], "mentions_in": "text"}})
    steps = [
        # prose "I will start now." is 5 pieces, over the budget of 4: filler; the call is useful
        Step("I will start now.", calls=[LS], completion_tokens=30),
        # "Greet is done." (4, carries a term), "Thanks a lot for asking!" (6, over the
        # budget: filler), the status block (30, useful)
        Step("Greet is done. Thanks a lot for asking!\n" + STATUS, completion_tokens=70),
    ]
    found = one(_scorer(4).score(view(scn, TurnSpec(steps))))
    useful = 30 * 10 / 15 + 70 * 34 / 40
    assert found == pytest.approx(
        {
            "efficiency.output_tokens": 100.0,
            "efficiency.useful_tokens": useful,
            "efficiency.reasoning_tokens": 0.0,
            "efficiency.useful_ratio": useful / 100,
        }
    )


def test_prose_within_the_budget_is_useful() -> None:
    scn = scenario({})
    steps = [Step("Ok. Done now.", completion_tokens=10)]  # 2 + 3 pieces
    assert one(_scorer(5).score(view(scn, TurnSpec(steps))))["efficiency.useful_ratio"] == 1.0
    # with a budget of 2 the first sentence fits, the second does not
    assert one(_scorer(2).score(view(scn, TurnSpec(steps))))[
        "efficiency.useful_ratio"
    ] == pytest.approx(2 / 5)


def test_tool_calls_are_useful_even_when_invalid() -> None:
    scn = scenario({})
    steps = [Step(calls=[call("writeFile", "{oops")], completion_tokens=12), Step("Done.")]
    found = one(EfficiencyScorer(NoOptions()).score(view(scn, TurnSpec(steps))))
    assert found["efficiency.useful_ratio"] == 1.0


def test_reasoning_tokens_are_counted_apart() -> None:
    scn = scenario({})
    steps = [Step("Done.", completion_tokens=50, reasoning_tokens=20)]
    found = one(EfficiencyScorer(NoOptions()).score(view(scn, TurnSpec(steps))))
    assert found == {
        "efficiency.output_tokens": 30.0,
        "efficiency.useful_tokens": 30.0,
        "efficiency.reasoning_tokens": 20.0,
        "efficiency.useful_ratio": 1.0,
    }


def test_no_usage_and_no_output() -> None:
    scn = scenario({}, {})
    v = view(
        scn,
        TurnSpec([Step("Done.", completion_tokens=None)]),
        TurnSpec([Step("", completion_tokens=0)]),
    )
    scores = EfficiencyScorer(NoOptions()).score(v)
    for index in (0, 1):
        assert one(scores, index) == {
            "efficiency.output_tokens": 0.0,
            "efficiency.useful_tokens": 0.0,
            "efficiency.reasoning_tokens": 0.0,
        }


def test_paths_written_and_event_keywords_make_prose_useful() -> None:
    scn = scenario(
        {
            "event": {"kind": "steering", "keywords": ["size-guide"]},
            "expect": {"output_mentions": []},
        }
    )
    write = call("write_file", {"path": "./api/sizes.py", "content": "x"})
    steps = [
        Step(calls=[write], completion_tokens=0),
        Step("The size-guide route is in api/sizes.py now.", completion_tokens=10),
    ]
    found = one(_scorer(0).score(view(scn, TurnSpec(steps))))
    assert found["efficiency.useful_ratio"] == 1.0
