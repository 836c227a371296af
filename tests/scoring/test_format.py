"""The format scorer: the status block, check by check."""

from __future__ import annotations

import pytest
from pawbench_builtins.scorers.format_compliance import FormatScorer
from pawbench_builtins.scorers.status_block import compliance, parse

from pawbench.api import NoOptions

from .builders import STATUS, Step, TurnSpec, by_metric, call, scenario, view

SCORER = FormatScorer(NoOptions())


def test_a_perfect_block_scores_one() -> None:
    assert compliance("Added greet.\n\n" + STATUS) == 1.0
    assert compliance(STATUS + "\n\n```\n") == 1.0  # a closing fence or blank lines after it


def test_no_block_scores_zero() -> None:
    assert compliance("Made some edits, should be fine.") == 0.0
    assert compliance("") == 0.0
    assert parse("status: done") is None  # keys are in capitals


def test_the_accepted_values() -> None:
    block = (
        "STATUS: Partial\nFILES_CREATED: none\nFILES_MODIFIED: a.py, src/b.ts,c.md\n"
        "TESTS: not run\nBUILD: FAIL\nLEARNED: the parser needs care"
    )
    assert compliance(block) == 1.0


@pytest.mark.parametrize(
    ("line", "failed"),
    [
        ("STATUS: finished", "STATUS"),
        ("FILES_CREATED: a.py b.py", "FILES_CREATED"),  # not separated by commas
        ("FILES_MODIFIED: a.py, , b.py", "FILES_MODIFIED"),  # an empty item
        ("TESTS: passed", "TESTS"),
        ("BUILD: green", "BUILD"),
        ("LEARNED: <one line>", "LEARNED"),  # the placeholder of the prompt
        ("LEARNED:", "LEARNED"),
    ],
)
def test_one_wrong_field_costs_one_seventh(line: str, failed: str) -> None:
    key = line.split(":")[0]
    lines = [line if entry.startswith(key + ":") else entry for entry in STATUS.splitlines()]
    block = parse("\n".join(lines))
    assert block is not None
    assert [name for name, ok in block.checks().items() if not ok] == [failed]
    assert block.compliance() == pytest.approx(6 / 7)


def test_missing_fields_and_text_after_the_block() -> None:
    assert compliance("STATUS: done\nTESTS: pass\n\nHope this helps!") == pytest.approx(2 / 7)


def test_the_last_block_counts() -> None:
    text = "STATUS: blocked\nwhile working...\n\n" + STATUS
    block = parse(text)
    assert block is not None and block.fields["STATUS"] == "done"
    assert block.compliance() == 1.0


def test_per_turn_and_final_scores() -> None:
    scn = scenario({}, {}, {})
    v = view(
        scn,
        TurnSpec([Step("Done.\n" + STATUS)]),
        TurnSpec([Step("Done, no block.")]),
        TurnSpec([Step(STATUS)], status="error"),  # excluded: the final is turn 1's
    )
    scores = SCORER.score(v)
    assert by_metric(scores, 0) == {"format.compliance": [1.0]}
    assert by_metric(scores, 1) == {"format.compliance": [0.0]}
    assert by_metric(scores, 2) == {}
    assert by_metric(scores, None) == {"format.final": [0.0]}
    assert [s.detail for s in scores] == ["all checks passed", "no status block", "turn 1"]


def test_no_final_answer_and_a_truncated_one_score_zero() -> None:
    scn = scenario({}, {})
    v = view(
        scn,
        TurnSpec([Step(calls=[call("run_command", {"command": "ls"})])]),  # no final text
        TurnSpec([Step("Done.\nSTATUS: do", finish_reason="length")]),
    )
    scores = SCORER.score(v)
    assert [s.value for s in scores if s.metric == "format.compliance"] == [0.0, 0.0]


def test_a_session_without_counted_turns_has_no_score() -> None:
    scn = scenario({})
    assert SCORER.score(view(scn, TurnSpec([Step(STATUS)], status="timeout"))) == []
