"""The confined tool workspace: writes stay inside, fixtures answer reads and commands, gaps are
marked as gaps, and nothing is executed."""

from __future__ import annotations

import orjson
import pytest

from pawbench.engine.workspace import PathRejected, Workspace, confine
from pawbench.models.records import ToolCallRecord
from pawbench.models.scenario import Scenario

TOOL_NAMES = ("write_file", "read_file", "run_command", "list_files", "search_docs")
TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
    for n in TOOL_NAMES
]


def _scenario(**turn_extra: object) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "ws",
            "name": "ws",
            "tools_schema": TOOLS,
            "fixtures": {
                "files": {"src/calc.py": "def add(a, b):\n    return a - b\n"},
                "commands": [{"match": "pytest", "output": "1 failed", "exit_code": 1}],
            },
            "agents": [
                {
                    "id": "dev",
                    "name": "Python dev",
                    "fixtures": {"files": {"README.md": "# calc"}},
                    "turns": [
                        {
                            "content": "fix it",
                            "tools": list(TOOL_NAMES),
                            **turn_extra,
                        }
                    ],
                }
            ],
        }
    )


def _call(name: str, args: object, raw: str | None = None) -> ToolCallRecord:
    text = raw if raw is not None else orjson.dumps(args).decode()
    valid = True
    try:
        valid = isinstance(orjson.loads(text), dict)
    except orjson.JSONDecodeError:
        valid = False
    return ToolCallRecord(id="c1", name=name, arguments=text, valid_json=valid)


def _ws(**turn_extra: object) -> tuple[Workspace, Scenario]:
    scenario = _scenario(**turn_extra)
    return Workspace(scenario, scenario.agents[0]), scenario


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../x", "a/../../x", "~/.ssh/id_rsa", "C:/win", "", "..\\x"]
)
def test_escaping_paths_are_rejected(path: str) -> None:
    with pytest.raises(PathRejected):
        confine(path)


def test_paths_are_normalised() -> None:
    assert confine("./src//app.py") == "src/app.py"
    assert confine("a/b/../c.py") == "a/c.py"


def test_write_then_read_and_list() -> None:
    ws, sc = _ws()
    turn = sc.agents[0].turns[0]
    res = ws.call(_call("write_file", {"path": "./app/main.py", "content": "print(1)"}), turn)
    assert res.ok and res.output.startswith("created app/main.py")
    assert ws.files == {"app/main.py": "print(1)"}
    assert ws.call(_call("read_file", {"path": "app/main.py"}), turn).output == "print(1)"
    listing = ws.call(_call("list_files", {"path": "."}), turn).output.splitlines()
    assert listing == ["README.md", "app/main.py", "src/calc.py"]


def test_rejected_write_is_recorded_and_nothing_is_stored() -> None:
    ws, sc = _ws()
    res = ws.call(
        _call("write_file", {"path": "../../evil.py", "content": "x"}), sc.agents[0].turns[0]
    )
    assert not res.ok and not res.fixture_gap
    assert res.rejected_path == "../../evil.py"
    assert ws.files == {} and ws.rejected == ["../../evil.py"]


def test_fixture_files_and_scripted_commands() -> None:
    ws, sc = _ws()
    turn = sc.agents[0].turns[0]
    assert ws.call(_call("read_file", {"path": "src/calc.py"}), turn).output.startswith("def add")
    assert ws.call(_call("read_file", {"path": "README.md"}), turn).output == "# calc"
    res = ws.call(_call("run_command", {"command": "python -m pytest -q"}), turn)
    assert res.output == "1 failed\n[exit code 1]" and not res.ok and not res.fixture_gap


def test_turn_scripted_results_win_over_fixtures() -> None:
    ws, sc = _ws(inject_tool_results={"pytest": "3 passed"})
    res = ws.call(_call("run_command", {"command": "pytest"}), sc.agents[0].turns[0])
    assert res.ok and res.output.startswith("3 passed")


def test_gaps_are_marked() -> None:
    ws, sc = _ws()
    turn = sc.agents[0].turns[0]
    for call in (
        _call("read_file", {"path": "nope.py"}),
        _call("run_command", {"command": "make deploy"}),
        _call("search_docs", {"q": "x"}),
    ):
        res = ws.call(call, turn)
        assert res.fixture_gap and not res.ok, call.name


def test_model_mistakes_are_not_gaps() -> None:
    ws, sc = _ws()
    turn = sc.agents[0].turns[0]
    bad_json = ws.call(_call("write_file", None, raw='{"path": "a.py", "content": '), turn)
    unknown = ws.call(_call("delete_everything", {}), turn)
    wrong_type = ws.call(_call("write_file", {"path": "a.py", "content": 3}), turn)
    for res in (bad_json, unknown, wrong_type):
        assert not res.ok and not res.fixture_gap
    assert "not valid JSON" in bad_json.output
    assert "unknown tool 'delete_everything'" in unknown.output


def test_inject_tool_results_true_answers_generically() -> None:
    ws, sc = _ws(inject_tool_results=True)
    res = ws.call(_call("run_command", {"command": "anything"}), sc.agents[0].turns[0])
    assert res.ok and not res.fixture_gap
