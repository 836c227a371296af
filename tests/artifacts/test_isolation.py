"""Nothing the model wrote is imported or run, and the tools see no secret of the parent.

Every file below would create a marker file in a directory outside the analysis if any Python
imported or ran it (as a module, a site hook, a pytest conftest, a mypy plugin named by a
model-written config file, a module shadowing ``ruff`` or ``mypy``). The analysis runs the real
tools over them; the marker directory must stay empty.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pawbench_builtins.analyzers._proc import python_module

from pawbench.artifacts import analyze_sessions
from tests.artifacts.support import analyzer_host, file_row, session

PLUGIN_HOOK = "def plugin(version):\n    return object\n"


def _payload(markers: Path, name: str) -> str:
    return f"import pathlib\npathlib.Path({str(markers / name)!r}).write_text('ran')\n"


def _evil_files(markers: Path) -> dict[str, str]:
    names = [
        "evil.py",
        "conftest.py",
        "sitecustomize.py",
        "usercustomize.py",
        "setup.py",
        "__init__.py",
        "pkg/__init__.py",
        "ruff.py",
        "mypy.py",
        "radon.py",
        "ruff/__main__.py",
        "mypy/__main__.py",
    ]
    files = {name: _payload(markers, name.replace("/", "_")) for name in names}
    files["mypy_plugin.py"] = _payload(markers, "mypy_plugin.py") + PLUGIN_HOOK
    files["mypy.ini"] = "[mypy]\nplugins = mypy_plugin.py\n"
    files["setup.cfg"] = "[mypy]\nplugins = mypy_plugin.py\n"
    files["pyproject.toml"] = '[tool.mypy]\nplugins = ["mypy_plugin.py"]\n'
    files["evil.pth"] = f"import pathlib; pathlib.Path({str(markers / 'pth')!r}).write_text('x')\n"
    return files


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    markers = tmp_path_factory.mktemp("markers")
    block = analyze_sessions(analyzer_host(), [session(_evil_files(markers))], workers=1)
    return markers, block


def test_the_payload_does_create_its_marker_when_run(tmp_path: Path) -> None:
    """Control: the payload works, so an empty marker directory means nothing ran it."""
    script = tmp_path / "evil.py"
    script.write_text(_payload(tmp_path, "control"))
    subprocess.run([sys.executable, str(script)], check=True, timeout=60)
    assert (tmp_path / "control").read_text() == "ran"


def test_no_model_file_is_imported_or_run(evil: tuple[Path, dict[str, Any]]) -> None:
    markers, block = evil
    assert sorted(p.name for p in markers.iterdir()) == []
    evil_py = file_row(block, "evil.py")
    assert evil_py["status"] == "scored"
    (analysis,) = evil_py["analyses"]
    assert analysis["analyzer"] == "python"
    assert analysis["no_signal"] == []  # ruff, mypy and radon all ran over it
    assert analysis["metrics"]["mypy_errors"] == 0


def test_the_model_written_mypy_plugin_config_is_ignored(
    evil: tuple[Path, dict[str, Any]],
) -> None:
    _, block = evil
    plugin = file_row(block, "mypy_plugin.py")
    assert plugin["status"] == "scored"
    (analysis,) = plugin["analyses"]
    assert "types_score" in analysis["metrics"]


def test_tools_get_a_minimal_environment_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-secret-123")
    monkeypatch.setenv("PAWBENCH_TEST_TOKEN", "tok-fake-secret-456")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    show = "import os, sys; sys.stdout.write(repr(sorted(os.environ.items())) + chr(10))"
    run = python_module(
        "timeit", ["-n", "1", "-r", "1", "-s", show, "pass"], cwd=tmp_path, home=tmp_path,
        timeout_s=60,
    )  # fmt: skip
    assert run.error is None and run.returncode == 0, run.stderr
    env = dict(ast.literal_eval(run.stdout.split("\n", 1)[0]))
    assert "sk-fake-secret-123" not in run.stdout
    assert "tok-fake-secret-456" not in run.stdout
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "NO_COLOR", "LC_CTYPE"}
    assert env["HOME"] == str(tmp_path)


def test_a_tool_that_runs_too_long_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    run = python_module(
        "timeit", ["-n", "1", "-r", "1", "import time; time.sleep(60)"], cwd=tmp_path,
        home=tmp_path, timeout_s=1,
    )  # fmt: skip
    assert run.error == "timeit timed out after 1 s"
    assert time.monotonic() - started < 30  # generous: the child sleeps 60 s unless killed
