"""The tool_calls scorer: per-call checks and per-turn accuracy, computed by hand."""

from __future__ import annotations

from pawbench_builtins.scorers.tool_calls import ToolCallScorer

from pawbench.api import NoOptions

from .builders import STATUS, Step, TurnSpec, by_metric, call, one, scenario, view

SCORER = ToolCallScorer(NoOptions())
WRITE = {"path": "app.py", "content": "def greet(): ..."}


def test_a_correct_call_passes_every_check() -> None:
    scn = scenario({"expect": {"tool_name_any": ["write_file"]}})
    v = view(scn, TurnSpec([Step(calls=[call("write_file", WRITE)]), Step(STATUS)]))
    assert one(SCORER.score(v)) == {
        "tool_call.offered": 1.0,
        "tool_call.valid_json": 1.0,
        "tool_call.schema_valid": 1.0,
        "tool_call.accurate": 1.0,
        "tool_call.right_tool": 1.0,
        "tool_call.accuracy": 1.0,
    }


def test_each_failure_is_recorded_per_call() -> None:
    scn = scenario({"tools": ["write_file", "run_command", "set_port"]})
    calls = [
        call("write_file", WRITE),  # all good
        call("write_file", '{"path": "a.py", "content": "x'),  # invalid JSON (cut short)
        call("writeFile", {"file": "a.py"}),  # not a tool of the scenario
        call("read_file", {"path": "a.py"}),  # a tool, but not offered in this turn
        call("write_file", {"path": "a.py"}),  # required content missing
        call("run_command", {"command": "ls", "cwd": "."}),  # unknown key
        call("set_port", {"port": "80"}),  # wrong type
        call("set_port", {"port": 0}),  # below the minimum
    ]
    found = by_metric(SCORER.score(view(scn, TurnSpec([Step(calls=calls), Step(STATUS)]))))
    assert found["tool_call.offered"] == [1, 1, 0, 0, 1, 1, 1, 1]
    assert found["tool_call.valid_json"] == [1, 0, 1, 1, 1, 1, 1, 1]
    assert found["tool_call.schema_valid"] == [1, 0, 0, 0, 0, 0, 0, 0]
    assert found["tool_call.accurate"] == [1, 0, 0, 0, 0, 0, 0, 0]
    # no tool expected: the turn's accuracy is its accurate-call share, 1 of 8
    assert found["tool_call.accuracy"] == [1 / 8]
    assert "tool_call.right_tool" not in found


def test_schema_problems_are_in_the_detail() -> None:
    scn = scenario({})
    scores = SCORER.score(view(scn, TurnSpec([Step(calls=[call("set_port", {"port": "80"})])])))
    (detail,) = {s.detail for s in scores if s.metric == "tool_call.schema_valid"}
    assert detail.endswith(": $.port: expected integer, got string")


def test_invalid_json_arguments_fail_validity_and_schema() -> None:
    scn = scenario({"expect": {"tool_name_any": ["write_file"]}})
    bad = call("write_file", "{not json")
    found = one(SCORER.score(view(scn, TurnSpec([Step(calls=[bad]), Step(STATUS)]))))
    assert found["tool_call.valid_json"] == 0.0
    assert found["tool_call.schema_valid"] == 0.0
    # the only write_file call is not accurate, so the expected tool was not used
    assert found["tool_call.right_tool"] == 0.0
    assert found["tool_call.accuracy"] == 0.0


def test_empty_arguments_are_an_empty_object() -> None:
    scn = scenario({})
    found = one(SCORER.score(view(scn, TurnSpec([Step(calls=[call("set_port", "")])]))))
    assert found["tool_call.valid_json"] == 1.0
    assert found["tool_call.schema_valid"] == 0.0  # port is required


def test_right_tool_and_accuracy_combine_per_turn() -> None:
    scn = scenario({"expect": {"tool_name_any": ["run_command"]}})
    calls = [call("write_file", WRITE), call("run_command", {"command": 1})]
    turn = by_metric(SCORER.score(view(scn, TurnSpec([Step(calls=calls), Step(STATUS)]))))
    assert turn["tool_call.right_tool"] == [0.0]
    # mean of the accurate share (1/2) and right_tool (0)
    assert turn["tool_call.accuracy"] == [0.25]


def test_a_turn_without_calls_that_expects_a_tool_scores_zero() -> None:
    scn = scenario({"expect": {"tool_name_any": ["write_file"]}})
    found = one(SCORER.score(view(scn, TurnSpec([Step("I would write it like this.")]))))
    assert found == {"tool_call.right_tool": 0.0, "tool_call.accuracy": 0.0}


def test_no_expectation_and_no_call_gives_no_score() -> None:
    scn = scenario({})
    assert SCORER.score(view(scn, TurnSpec([Step("Nothing to do.")]))) == []


def test_excluded_turns_are_skipped() -> None:
    scn = scenario({}, {})
    v = view(
        scn,
        TurnSpec([Step(calls=[call("write_file", WRITE)])], status="fixture_gap"),
        TurnSpec([Step(calls=[call("write_file", WRITE)])], status="error"),
    )
    assert SCORER.score(v) == []
