"""The expectations scorer: criteria and turn quality, computed by hand, with the edges."""

from __future__ import annotations

from typing import Any

import pytest
from pawbench_builtins.scorers.expectations import ExpectationScorer

from pawbench.api import NoOptions

from .builders import STATUS, Step, TurnSpec, by_metric, call, one, scenario, view

SCORER = ExpectationScorer(NoOptions())


def _write(path: str, content: str) -> Any:
    return call("write_file", {"path": path, "content": content})


def _score(expect: dict[str, Any], *steps: Step, **turn: Any) -> dict[str, float]:
    """The turn's criteria and quality (the per-constraint ``instruction.*`` left out)."""
    scn = scenario({"expect": expect, **turn})
    found = one(SCORER.score(view(scn, TurnSpec(list(steps)))))
    return {k: v for k, v in found.items() if not k.startswith("instruction.")}


def test_a_turn_without_expectations_is_judged_on_completion_only() -> None:
    assert _score({}, Step(STATUS)) == {"expect.completed": 1.0, "quality.turn": 1.0}


def test_an_empty_keyword_list_is_no_criterion() -> None:
    found = _score({"output_mentions": [], "mentions_in": "text"}, Step(STATUS))
    assert "expect.output_mentions" not in found
    assert found["quality.turn"] == 1.0


def test_all_criteria_and_their_mean() -> None:
    expect = {
        "tool_calls_min": 3,
        "tool_name_any": ["write_file"],
        "output_mentions": ["def greet", "assert", "HTTPException", "uuid"],
        "mentions_in": "tool_args",
        "constraints": [
            {"kind": "call_tool", "value": "run_command"},
            {"kind": "write_file", "value": "tests/test_*.py"},
        ],
    }
    calls = [
        _write("app.py", "DEF GREET(name): ..."),  # case-insensitive: found
        _write("tests/test_api/app.py", "assert greet('x')"),  # * crosses /
        call("run_command", {"command": "pytest", "extra": 1}),  # unknown key: not accurate
    ]
    found = _score(expect, Step(calls=calls), Step(STATUS))
    assert found == {
        "expect.completed": 1.0,
        "expect.tool_calls_min": 2 / 3,
        "expect.tool_name_any": 1.0,
        "expect.output_mentions": 0.5,
        "expect.instructions": 0.5,  # run_command not accurately called; the glob matched
        "quality.turn": (1 + 2 / 3 + 1 + 0.5 + 0.5) / 5,
    }


def test_each_constraint_is_reported() -> None:
    scn = scenario(
        {
            "expect": {
                "constraints": [
                    {"kind": "call_tool", "value": "read_file"},
                    {"kind": "write_file", "value": "pkg/*.py"},
                    {"kind": "avoid", "value": "import click"},
                ]
            }
        }
    )
    steps = [Step(calls=[_write("./pkg//cli.py", "import argparse")]), Step(STATUS)]
    scores = SCORER.score(view(scn, TurnSpec(steps)))
    details = [(s.metric, s.detail, s.value) for s in scores if s.metric.startswith("instr")]
    assert details == [
        ("instruction.call_tool", "read_file", 0.0),
        ("instruction.write_file", "pkg/*.py", 1.0),  # the path is normalised first
        ("instruction.avoid", "import click", 1.0),
    ]


@pytest.mark.parametrize(
    ("scope", "text", "args", "fraction"),
    [
        ("text", "Uses Depends and secrets.", "", 2 / 3),
        ("tool_args", "Uses Depends and secrets.", "", 0.0),
        ("tool_args", "", "from fastapi import Depends", 1 / 3),
        ("both", "secrets", "depends", 2 / 3),
    ],
)
def test_mentions_are_found_where_the_scope_says(
    scope: str, text: str, args: str, fraction: float
) -> None:
    expect = {"output_mentions": ["Depends", "secrets", "WWW-Authenticate"], "mentions_in": scope}
    steps = [Step(calls=[_write("a.py", args)]), Step(text)] if args else [Step(text)]
    assert _score(expect, *steps)["expect.output_mentions"] == pytest.approx(fraction)


def test_arguments_are_matched_as_parsed_values() -> None:
    # the raw JSON of a tab is "\t": the parsed value holds a real tab character
    expect = {"output_mentions": ["\t", '"quoted"'], "mentions_in": "tool_args"}
    found = _score(expect, Step(calls=[_write("a.py", 'sep = "\t"; "quoted"')]), Step(STATUS))
    assert found["expect.output_mentions"] == 1.0


def test_invalid_json_arguments_count_for_nothing() -> None:
    expect = {"tool_calls_min": 1, "output_mentions": ["greet"], "mentions_in": "tool_args"}
    bad = call("write_file", '{"path": "a.py", "content": "def greet')
    found = _score(expect, Step(calls=[bad]), Step(STATUS))
    assert found["expect.tool_calls_min"] == 0.0
    assert found["expect.output_mentions"] == 0.0


def test_mention_all_and_max_words() -> None:
    expect = {
        "mentions_in": "text",
        "constraints": [
            {"kind": "mention_all", "value": "models, pricing,receipt"},
            {"kind": "max_words", "value": 8},
        ],
    }
    # 8 words: the limit counts every word of the final text, status block included
    assert (
        _score(expect, Step("Split into models, pricing and receipt."))["expect.instructions"]
        == 1.0
    )
    found = _score(expect, Step("Split into models and pricing, and kept the receipt out."))
    assert found["expect.instructions"] == 0.5  # all mentioned, but 11 words


def test_finish_reason_length_is_not_a_completed_answer() -> None:
    expect = {"output_mentions": ["greet"], "mentions_in": "text"}
    found = _score(expect, Step("greet is done but the answer was cut", finish_reason="length"))
    assert found == {
        "expect.completed": 0.0,
        "expect.output_mentions": 1.0,
        "quality.turn": 0.5,
    }


def test_a_turn_with_no_final_answer() -> None:
    # still calling tools when max_steps ran out: no final text at all
    expect = {"tool_calls_min": 1, "output_mentions": ["greet"], "mentions_in": "text"}
    steps = [Step(calls=[_write("a.py", "x")]), Step(calls=[_write("b.py", "y")])]
    found = _score(expect, *steps)
    assert found == {
        "expect.completed": 0.0,
        "expect.tool_calls_min": 1.0,
        "expect.output_mentions": 0.0,
        "quality.turn": 1 / 3,
    }


def test_text_before_tool_calls_counts_as_text() -> None:
    expect = {"output_mentions": ["plan"], "mentions_in": "text"}
    steps = [Step("My plan first.", calls=[_write("a.py", "x")]), Step(STATUS)]
    assert _score(expect, *steps)["expect.output_mentions"] == 1.0


def test_excluded_turns_are_skipped_and_others_kept() -> None:
    scn = scenario({}, {}, {})
    v = view(
        scn,
        TurnSpec([Step(STATUS)], status="timeout"),
        TurnSpec([Step(STATUS)]),
        TurnSpec([Step(STATUS)], status="fixture_gap"),
    )
    scores = SCORER.score(v)
    assert {s.turn_index for s in scores} == {1}
    assert by_metric(scores, 1)["quality.turn"] == [1.0]
