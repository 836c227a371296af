"""Fixtures shared by every test package: a clean PAWBENCH_* environment and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

RunPawbench = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(autouse=True)
def _clean_pawbench_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the PAWBENCH_* settings of the shell that started pytest."""
    for name in list(os.environ):
        if name.startswith("PAWBENCH_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def pawbench_exe() -> Path:
    """The ``pawbench`` console script of the environment running the tests."""
    exe = Path(sys.executable).parent / "pawbench"
    assert exe.exists(), f"{exe} not found: install the package first (pip install -e '.[test]')"
    return exe


@pytest.fixture
def run_pawbench(pawbench_exe: Path, tmp_path: Path) -> RunPawbench:
    """Run the real CLI in a subprocess: ``run_pawbench("plugins", "list", env={...})``.

    ``env`` entries are added to a copy of the environment (without PAWBENCH_* variables);
    output is captured as text and a wide terminal is assumed so that tables do not wrap.
    """

    def run(
        *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        full = {k: v for k, v in os.environ.items() if not k.startswith("PAWBENCH_")}
        full.update({"COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb"})
        full.update(env or {})
        return subprocess.run(
            [str(pawbench_exe), *args],
            capture_output=True,
            text=True,
            env=full,
            cwd=cwd or tmp_path,
            timeout=120,
        )

    return run
