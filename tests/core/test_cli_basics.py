"""The CLI's everyday commands work, and errors are one line unless PAWBENCH_DEBUG=1."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pawbench

if TYPE_CHECKING:
    from tests.conftest import RunPawbench


def test_version(run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"pawbench {metadata.version('pawbench')}\n"
    assert pawbench.__version__ == metadata.version("pawbench")


def test_help_lists_the_command_groups(run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("--help")
    assert proc.returncode == 0
    assert "Usage: pawbench" in proc.stdout
    for command in ("run", "plugins", "scenarios"):
        assert f" {command} " in proc.stdout, command


def test_unknown_command_is_a_usage_error(run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("frobnicate")
    assert proc.returncode == 2
    assert "No such command 'frobnicate'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_plugins_list_has_nothing_failed(run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("plugins", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)
    assert listing["components"], "no component at all"
    bad = [c for c in listing["components"] if c["status"] != "loaded"]
    assert not bad, bad
    table = run_pawbench("plugins", "list")
    assert table.returncode == 0
    assert "reporter" in table.stdout and "json" in table.stdout


def test_scenarios_list_is_clean(run_pawbench: RunPawbench) -> None:
    proc = run_pawbench("scenarios", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", "a built-in scenario file was skipped:\n" + proc.stderr
    entries = json.loads(proc.stdout)
    assert len({e["id"] for e in entries}) == len(entries)
    table = run_pawbench("scenarios", "list")
    assert table.returncode == 0
    for entry in entries:
        assert entry["id"] in table.stdout


def test_scenarios_show_a_file(tmp_path: Path, run_pawbench: RunPawbench) -> None:
    scenario = {
        "id": "hello",
        "name": "Hello",
        "agents": [{"id": "a", "name": "Alpha", "turns": [{"content": "Say hello."}]}],
    }
    (tmp_path / "hello.json").write_text(json.dumps(scenario))
    proc = run_pawbench("scenarios", "show", "hello.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "hello" in proc.stdout and "Say hello." in proc.stdout


def test_debug_shows_a_traceback(tmp_path: Path, run_pawbench: RunPawbench) -> None:
    (tmp_path / "bad.json").write_text("{")
    plain = run_pawbench("scenarios", "validate", "bad.json", cwd=tmp_path)
    assert plain.returncode == 2
    assert plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    debug = run_pawbench(
        "scenarios", "validate", "bad.json", cwd=tmp_path, env={"PAWBENCH_DEBUG": "1"}
    )
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert "ScenarioError" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1] == plain.stderr.rstrip()
