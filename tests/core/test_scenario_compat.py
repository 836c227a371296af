"""Files in the scenario format published with PawBench 1.1.4 load unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pawbench.cli.app import run_cli
from pawbench.models.scenario import ScriptedResult
from pawbench.scenarios import load_scenario_file


def _tool(name: str) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"The {name} tool.",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
            },
        },
    }


def _turn(number: int, inject: object) -> dict[str, Any]:
    return {
        "turn": number,
        "role": "user",
        "content": f"Step {number}: inspect the project and run the tests.",
        "tools": ["read_file", "run_command"],
        "expect": {
            "tool_calls_min": 1,
            "tool_name_any": ["read_file", "run_command"],
            "output_mentions": ["pytest", "passed"],
        },
        "inject_tool_results": inject,
    }


LEGACY: dict[str, Any] = {
    "id": "legacy-114",
    "name": "PawBench 1.1.4 scenario",
    "agents": [
        {
            "id": "agent-1",
            "name": "Backend agent",
            "turns": [
                _turn(1, {"pytest": "3 passed in 0.12s", "ls": "main.py\ntests/"}),
                _turn(
                    2,
                    [
                        {"tool": "run_command", "match": "pytest", "output": "1 failed"},
                        {"tool": "read_file", "match": "main.py", "output": "print('hi')"},
                    ],
                ),
                _turn(3, True),
                _turn(4, False),
            ],
        }
    ],
    "tools_schema": [_tool("read_file"), _tool("run_command")],
}


@pytest.fixture
def legacy_file(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps(LEGACY, indent=2))
    return path


def test_legacy_file_loads_with_every_field(legacy_file: Path) -> None:
    scenario = load_scenario_file(legacy_file)
    assert scenario.id == "legacy-114"
    assert [t.function.name for t in scenario.tools_schema] == ["read_file", "run_command"]
    assert scenario.tools_schema[0].function.parameters["required"] == ["path"]
    agent = scenario.agent("agent-1")
    assert agent.name == "Backend agent"
    assert [t.turn for t in agent.turns] == [1, 2, 3, 4]
    first = agent.turns[0]
    assert first.role == "user"
    assert first.tools == ["read_file", "run_command"]
    assert first.expect.tool_calls_min == 1
    assert first.expect.tool_name_any == ["read_file", "run_command"]
    assert first.expect.output_mentions == ["pytest", "passed"]


def test_inject_tool_results_as_mapping_list_and_bool(legacy_file: Path) -> None:
    turns = load_scenario_file(legacy_file).agents[0].turns
    assert turns[0].inject_tool_results == {"pytest": "3 passed in 0.12s", "ls": "main.py\ntests/"}
    assert turns[0].scripted_results() == [
        ScriptedResult(tool="run_command", match="pytest", output="3 passed in 0.12s"),
        ScriptedResult(tool="run_command", match="ls", output="main.py\ntests/"),
    ]
    assert turns[1].scripted_results() == [
        ScriptedResult(tool="run_command", match="pytest", output="1 failed"),
        ScriptedResult(tool="read_file", match="main.py", output="print('hi')"),
    ]
    assert turns[2].inject_tool_results is True
    assert turns[3].inject_tool_results is False
    assert turns[2].scripted_results() == [] and turns[3].scripted_results() == []


def test_legacy_file_round_trips(legacy_file: Path) -> None:
    """Nothing in the file is dropped: dumping the model gives the same document back."""
    scenario = load_scenario_file(legacy_file)
    dumped = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert dumped == LEGACY


def test_legacy_file_validates_on_the_cli(
    legacy_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["scenarios", "validate", str(legacy_file)]) == 0
    assert capsys.readouterr().out.strip() == f"ok: {legacy_file} (legacy-114)"
