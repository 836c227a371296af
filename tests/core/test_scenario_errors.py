"""A malformed scenario is one line naming the file, the JSON path and the problem; exit code 2.

Each case is checked through the real console script (a subprocess, cwd = the file's folder so
that the file is named exactly as the user typed it) and through ``run_cli`` in-process.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pawbench.cli.app import run_cli

if TYPE_CHECKING:
    from tests.conftest import RunPawbench

VALID: dict[str, Any] = {
    "id": "tiny",
    "name": "Tiny",
    "tools_schema": [
        {"type": "function", "function": {"name": "read_file", "description": "Read a file."}}
    ],
    "agents": [
        {
            "id": "dev",
            "name": "Developer",
            "turns": [
                {
                    "content": "Read main.py and summarize it.",
                    "tools": ["read_file"],
                    "expect": {"tool_calls_min": 1, "tool_name_any": ["read_file"]},
                }
            ],
        }
    ],
}


def _mutated(change: str) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    turn = data["agents"][0]["turns"][0]
    if change == "unknown_key":
        turn["expct"] = {}
    elif change == "wrong_type":
        turn["expect"]["tool_calls_min"] = "three"
    elif change == "missing_field":
        del data["agents"][0]["name"]
    elif change == "negative":
        turn["expect"]["tool_calls_min"] = -1
    elif change == "tool_not_in_schema":
        turn["tools"] = ["read_file", "write_file"]
    elif change == "cycle":
        data["agents"].append({**copy.deepcopy(data["agents"][0]), "id": "qa"})
        data["blocks"] = [
            {"id": "api", "agents": ["dev"], "depends_on": ["ui"]},
            {"id": "ui", "agents": ["qa"], "depends_on": ["api"]},
        ]
    elif change == "duplicate_agent":
        data["agents"].append(copy.deepcopy(data["agents"][0]))
    else:
        raise AssertionError(change)
    return data


# (case, the message after "<file>: ")
CASES: list[tuple[str, str]] = [
    ("unknown_key", "agents[0].turns[0].expct: unknown key"),
    ("wrong_type", "agents[0].turns[0].expect.tool_calls_min: must be an integer"),
    ("missing_field", "agents[0].name: required field is missing"),
    ("negative", "agents[0].turns[0].expect.tool_calls_min: must be >= 0"),
    (
        "tool_not_in_schema",
        "agents[0].turns[0].tools[1]: tool 'write_file' is offered but not in tools_schema",
    ),
    ("cycle", "blocks: dependency cycle: api -> ui -> api"),
    ("duplicate_agent", "agents[1].id: duplicate agent id 'dev'"),
]


def _write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2))
    return path


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected exactly one line on stderr, got:\n{stderr}"
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(("change", "message"), CASES, ids=[c for c, _ in CASES])
def test_malformed_scenario_in_process(
    change: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "my.json", _mutated(change))
    code = run_cli(["scenarios", "validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert _one_line(captured.err) == f"pawbench: error: {path}: {message}"
    assert captured.out == ""


def test_bad_json_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "tiny",\n "name": ')
    code = run_cli(["scenarios", "validate", str(path)])
    line = _one_line(capsys.readouterr().err)
    assert code == 2
    assert line.startswith(f"pawbench: error: {path}: invalid JSON: ")
    assert "line 2" in line  # orjson names where the document breaks off


def test_top_level_not_an_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]")
    assert run_cli(["scenarios", "validate", str(path)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line == f"pawbench: error: {path}: (top level): must be an object"


def test_malformed_scenarios_through_the_console_script(
    tmp_path: Path, run_pawbench: RunPawbench
) -> None:
    """One subprocess per file is the real user path; it costs about a second each."""
    for change, message in CASES:
        _write(tmp_path, "my.json", _mutated(change))
        proc = run_pawbench("scenarios", "validate", "my.json", cwd=tmp_path)
        assert proc.returncode == 2, (change, proc.stderr)
        assert _one_line(proc.stderr) == f"pawbench: error: my.json: {message}", change
    (tmp_path / "bad.json").write_text("{not json")
    proc = run_pawbench("scenarios", "validate", "bad.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert _one_line(proc.stderr).startswith("pawbench: error: bad.json: invalid JSON: ")


def test_several_files_report_each_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "good.json", VALID)
    bad = _write(tmp_path, "my.json", _mutated("negative"))
    code = run_cli(["scenarios", "validate", str(good), str(bad)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.strip() == f"ok: {good} (tiny)"
    assert captured.err.splitlines() == [
        f"error: {bad}: agents[0].turns[0].expect.tool_calls_min: must be >= 0",
        "pawbench: error: 1 of 2 scenario file(s) invalid",
    ]


def test_valid_file_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "good.json", VALID)
    assert run_cli(["scenarios", "validate", str(path)]) == 0
    assert capsys.readouterr().out.strip() == f"ok: {path} (tiny)"


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.json"
    assert run_cli(["scenarios", "validate", str(path)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"pawbench: error: {path}: cannot read: ")
