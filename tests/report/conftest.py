"""A real result, produced once per session by the embedded simulator (one scenario, one
level: a few seconds), shared by the schema, report and leaderboard tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def real_result(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(path, document) of ``pawbench run --scenario bug-fix --concurrency 1 --no-saturation``."""
    out = tmp_path_factory.mktemp("real")
    exe = Path(sys.executable).parent / "pawbench"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAWBENCH_")}
    proc = subprocess.run(
        [
            str(exe),
            "run",
            "--scenario",
            "bug-fix",
            "--concurrency",
            "1",
            "--no-saturation",
            "--output",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=out,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # --json prints the document and nothing else
    [path] = out.glob("pawbench_*.json")
    return path, doc
