"""ruff lint findings for Python files, as a subprocess (ruff parses, it never imports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from pawbench.api import Finding

from ._proc import ToolOutcome, module_available, python_module

RULES = ("E", "W", "F", "B", "SIM", "C4", "PIE")
"""The fixed rule selection: pycodestyle, pyflakes, bugbear, simplify, comprehensions, pie."""
LINE_LENGTH = 100
TARGET_VERSION = "py312"
SYNTAX_CODES = frozenset({"invalid-syntax", "E999"})


def run_ruff(paths: list[str], workdir: Path, home: Path, timeout_s: float) -> ToolOutcome:
    """Lint ``paths`` (relative to ``workdir``) with the fixed rules; config files are ignored."""
    outcome = ToolOutcome()
    if not paths:
        return outcome
    if not module_available("ruff"):
        return outcome.fail_all(paths, "ruff is not installed")
    args = [
        "check",
        "--output-format=json",
        "--no-cache",
        "--isolated",
        "--exit-zero",
        f"--select={','.join(RULES)}",
        f"--line-length={LINE_LENGTH}",
        f"--target-version={TARGET_VERSION}",
        *(f"./{p}" for p in paths),
    ]
    run = python_module("ruff", args, cwd=workdir, home=home, timeout_s=timeout_s)
    if run.error is not None:
        return outcome.fail_all(paths, run.error)
    if run.returncode != 0:
        return outcome.fail_all(
            paths, f"ruff exited with {run.returncode}: {run.last_stderr_line()}"
        )
    try:
        items = orjson.loads(run.stdout)
    except orjson.JSONDecodeError:
        return outcome.fail_all(paths, "ruff printed output that is not JSON")
    outcome.findings = {p: [] for p in paths}
    root = workdir.resolve()
    for item in items if isinstance(items, list) else []:
        finding = _finding(item, root)
        if finding is not None and finding.path in outcome.findings:
            outcome.findings[finding.path].append(finding)
    return outcome


def _finding(item: Any, root: Path) -> Finding | None:
    if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
        return None
    try:
        path = Path(item["filename"]).resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    location = item.get("location") or {}
    row = location.get("row") if isinstance(location, dict) else None
    return Finding(
        path=path,
        tool="ruff",
        code=str(item.get("code") or "invalid-syntax"),
        message=str(item.get("message", ""))[:300],
        line=row if isinstance(row, int) else None,
    )


def is_syntax_error(finding: Finding) -> bool:
    """Whether a ruff finding says the file does not parse."""
    return finding.code in SYNTAX_CODES
