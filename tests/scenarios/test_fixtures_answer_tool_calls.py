"""Every reasonable tool call of a built-in scenario gets a result from its fixtures, through the
engine's real tool workspace, and the scripted outputs tell the truth about the fixture files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pawbench.engine.workspace import Workspace
from pawbench.models.records import ToolCallRecord, ToolResultRecord
from pawbench.models.scenario import Agent, Scenario, Turn

from .support import catalog, turn_id, turns

# Commands a competent agent plausibly runs, per agent language, and a piece of the output
# each must get (not a fixture gap, and not another command's output).
COMMON = {
    "python": [
        ("pytest -q", "passed"),
        ("python -m pytest -q", "passed"),
        ("pip install -r requirements.txt", "Requirement already satisfied"),
        ("ruff check .", "All checks passed"),
        ("mypy .", "Success: no issues found"),
        ("python -m py_compile app.py", ""),
        ("pwd", "/workspace"),
        ("ls", ""),
    ],
    "typescript": [
        ("npm test", "passed"),
        ("cd frontend && npm test", "passed"),
        ("npx vitest run", "passed"),
        ("npm run build", "built in"),
        ("npx tsc --noEmit", ""),
        ("npm install", "added 212 packages"),
        ("ls", "frontend/"),
    ],
}
UVICORN = ("cd backend && uvicorn app.main:app --reload", "Uvicorn running")
# Commands of a scenario's Python agents.
SPECIFIC = {
    "pawstyle-independent": [UVICORN],
    "pawstyle": [UVICORN],
    "pawstyle-nudge": [UVICORN],
    "pawstyle-orchestration-matrix": [UVICORN],
    "api-auth": [
        ("uvicorn app.main:app", "Uvicorn running"),
        ("pytest tests/test_notes.py", "passed"),
    ],
    "bug-fix": [("pytest tests/test_calculator.py -q", "passed")],
    "cli-tool": [
        ("python -m pywc samples/poem.txt", "61 samples/poem.txt"),
        ("wc samples/poem.txt", "61 samples/poem.txt"),
        ("pytest tests/test_cli.py", "passed"),
    ],
    "data-pipeline": [
        ("python -m pipeline.transform orders.csv", "read 8 rows"),
        ("python pipeline/transform.py orders.csv", "read 8 rows"),
        ("python -m pipeline.transform partner_orders.tsv", "read 4 rows"),
        ("pytest tests/test_pipeline.py", "passed"),
        ("ruff check pipeline", "All checks passed"),
        ("mypy pipeline", "Success"),
    ],
    "refactor-extract": [
        ("python store.py items.txt", "$55.08"),
        ("python -m storekit.cli items.txt", "$55.08"),
        ("mypy --strict storekit store.py", "Success: no issues found in 6 source files"),
        ("pytest tests/test_store.py", "6 passed"),
        ("ruff check storekit store.py", "All checks passed"),
    ],
}
# Files the prompts present as already there.
EXISTING = {
    ("api-auth", "backend"): ["app/main.py", "app/users.py", "tests/test_notes.py"],
    ("bug-fix", "developer"): ["calculator.py", "tests/test_calculator.py"],
    ("cli-tool", "developer"): ["samples/poem.txt"],
    ("data-pipeline", "developer"): ["orders.csv", "partner_orders.tsv"],
    ("refactor-extract", "developer"): ["store.py", "tests/test_store.py", "items.txt"],
    ("pawstyle-orchestration-matrix", "favorites"): ["backend/app/catalog.py"],
    ("pawstyle-orchestration-matrix", "checkout"): ["backend/app/catalog.py"],
    ("pawstyle-orchestration-matrix", "platform"): [
        "backend/app/catalog.py",
        "backend/app/wishlist.py",
        "backend/app/orders.py",
    ],
}
for _sid in ("pawstyle-independent", "pawstyle", "pawstyle-nudge"):
    EXISTING[(_sid, "frontend")] = ["frontend/src/main.tsx", "frontend/package.json"]
    EXISTING[(_sid, "backend")] = ["backend/requirements.txt"]


def _call(workspace: Workspace, turn: Turn, name: str, **args: str) -> ToolResultRecord:
    record = ToolCallRecord(id="call_1", name=name, arguments=json.dumps(args), valid_json=True)
    return workspace.call(record, turn)


@pytest.mark.parametrize(
    "where", [turn_id(s, a, t) for s, a, t in turns()], ids=lambda where: where
)
def test_reasonable_commands_and_reads_get_a_result(where: str) -> None:
    scenario, agent, turn = next(x for x in turns() if turn_id(*x) == where)
    workspace = Workspace(scenario, agent)
    if "run_command" in turn.tools:
        specific = SPECIFIC.get(scenario.id, []) if agent.language == "python" else []
        for command, wanted in [*COMMON[agent.language or ""], *specific]:
            result = _call(workspace, turn, "run_command", command=command)
            assert not result.fixture_gap, f"{where}: {command}"
            assert result.ok and wanted in result.output, f"{where}: {command} -> {result.output}"
    for path in EXISTING.get((scenario.id, agent.id), []):
        result = _call(workspace, turn, "read_file", path=path)
        assert result.ok and not result.fixture_gap and result.output.strip(), f"{where}: {path}"
    listing = _call(workspace, turn, "list_files", path=".")
    assert listing.ok


def test_a_missing_npm_script_fails_as_npm_would() -> None:
    scenario, agent, turn = _turn("pawstyle", "frontend", 1)
    result = _call(Workspace(scenario, agent), turn, "run_command", command="npm run lint")
    assert not result.fixture_gap and not result.ok
    assert 'Missing script: "lint"' in result.output


def test_the_bug_fix_turn_two_run_reports_the_added_tests() -> None:
    scenario, agent, turn = _turn("bug-fix", "developer", 2)
    result = _call(Workspace(scenario, agent), turn, "run_command", command="pytest -q")
    assert "12 passed" in result.output


def _turn(scenario_id: str, agent_id: str, number: int) -> tuple[Scenario, Agent, Turn]:
    scenario = catalog().entries[scenario_id].scenario
    agent = scenario.agent(agent_id)
    return scenario, agent, next(t for t in agent.turns if t.turn == number)


def _materialise(files: dict[str, str], root: Path) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def test_the_bug_fix_prompt_shows_the_fixture_tests_real_failures(tmp_path: Path) -> None:
    scenario, _, turn = _turn("bug-fix", "developer", 1)
    _materialise(scenario.fixtures.files, tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == 4 and "4 failed, 3 passed" in proc.stdout
    for line in failed:  # the same tests, in the same order, fail in the prompt
        assert line.split(" - ")[0] in turn.content


def test_the_refactor_receipt_is_what_the_monolith_prints(tmp_path: Path) -> None:
    scenario, agent, turn = _turn("refactor-extract", "developer", 3)
    _materialise(scenario.fixtures.files, tmp_path)
    proc = subprocess.run(
        [sys.executable, "store.py", "items.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = _call(
        Workspace(scenario, agent), turn, "run_command", command="python store.py items.txt"
    )
    assert result.output.startswith(proc.stdout)


def test_the_pywc_output_counts_the_sample_file() -> None:
    scenario, agent, turn = _turn("cli-tool", "developer", 1)
    text = scenario.fixtures.files["samples/poem.txt"]
    counts = (text.count("\n"), len(text.split()), len(text.encode()))
    result = _call(Workspace(scenario, agent), turn, "run_command", command="pywc samples/poem.txt")
    assert [int(x) for x in result.output.split()[:3]] == list(counts)


def test_the_pipeline_summary_matches_the_rows_of_the_fixtures() -> None:
    scenario, agent, turn = _turn("data-pipeline", "developer", 2)
    workspace = Workspace(scenario, agent)
    for name, sep in (("orders.csv", ","), ("partner_orders.tsv", "\t")):
        rows = [line.split(sep) for line in scenario.fixtures.files[name].splitlines()[1:]]
        accepted = sum(_valid_order(row) for row in rows)
        out = _call(workspace, turn, "run_command", command=f"python -m pipeline.transform {name}")
        assert out.output.startswith(
            f"read {len(rows)} rows: {accepted} written to clean.csv, "
            f"{len(rows) - accepted} rejected"
        ), name


def _valid_order(row: list[str]) -> bool:
    order_id, _, email, amount, currency, _ = (field.strip() for field in row)
    try:
        number = float(amount)
    except ValueError:
        return False
    has_domain = bool(email.partition("@")[2])
    return bool(order_id) and has_domain and number >= 0 and currency in {"EUR", "USD", "GBP"}
