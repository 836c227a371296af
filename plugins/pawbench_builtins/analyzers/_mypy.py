"""mypy type errors for Python files, as a subprocess (mypy analyses, it never imports).

mypy reads only the configuration file written here (a model-written ``mypy.ini``,
``setup.cfg`` or ``pyproject.toml`` could otherwise load a mypy plugin, i.e. run code)."""

from __future__ import annotations

import posixpath
import time
from pathlib import Path
from typing import Any

import orjson

from pawbench.api import Finding

from ._proc import ToolOutcome, ToolRun, module_available, python_module

PYTHON_VERSION = "3.12"


def _args(config: Path, cache: Path) -> list[str]:
    return [
        f"--config-file={config}",
        "--no-incremental",
        f"--cache-dir={cache}",
        "--ignore-missing-imports",
        "--no-site-packages",
        "--follow-imports=silent",
        "--explicit-package-bases",
        "--check-untyped-defs",
        "--no-error-summary",
        f"--python-version={PYTHON_VERSION}",
        "--output=json",
    ]


def run_mypy(paths: list[str], workdir: Path, scratch: Path, timeout_s: float) -> ToolOutcome:
    """Type-check ``paths`` together; when mypy stops on a blocking error (two files that map to
    one module name, a file it cannot parse), each file again on its own, within ``timeout_s``."""
    outcome = ToolOutcome()
    if not paths:
        return outcome
    if not module_available("mypy"):
        return outcome.fail_all(paths, "mypy is not installed")
    config = scratch / "mypy.ini"
    config.write_text("[mypy]\n")
    args = _args(config, scratch / "mypy-cache")
    deadline = time.monotonic() + timeout_s
    run = _call(args, paths, workdir, scratch, timeout_s)
    if run.error is None and run.returncode in (0, 1):
        return _collect(outcome, run, paths)
    if run.error is not None or len(paths) == 1:
        return outcome.fail_all(paths, _why(run))
    for path in paths:
        left = deadline - time.monotonic()
        if left <= 0:
            outcome.failed[path] = f"mypy's time budget of {timeout_s:g} s was spent"
            continue
        single = _call(args, [path], workdir, scratch, left)
        if single.error is None and single.returncode in (0, 1):
            _collect(outcome, single, [path])
        else:
            outcome.failed[path] = _why(single)
    return outcome


def _call(args: list[str], paths: list[str], workdir: Path, home: Path, timeout: float) -> ToolRun:
    files = [f"./{p}" for p in paths]
    return python_module("mypy", [*args, *files], cwd=workdir, home=home, timeout_s=timeout)


def _why(run: ToolRun) -> str:
    if run.error is not None:
        return run.error
    detail = _first_error(run.stdout) or run.last_stderr_line()
    return f"mypy stopped (exit {run.returncode}): {detail}"


def _first_error(stdout: str) -> str | None:
    for item in _items(stdout):
        if item.get("severity") == "error":
            return str(item.get("message", ""))[:300]
    return None


def _items(stdout: str) -> list[dict[str, Any]]:
    found = []
    for line in stdout.splitlines():
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(item, dict):
            found.append(item)
    return found


def _collect(outcome: ToolOutcome, run: ToolRun, paths: list[str]) -> ToolOutcome:
    for path in paths:
        outcome.findings.setdefault(path, [])
    for item in _items(run.stdout):
        if item.get("severity") != "error" or not isinstance(item.get("file"), str):
            continue
        path = posixpath.normpath(item["file"])
        if path not in outcome.findings:
            continue
        line = item.get("line")
        outcome.findings[path].append(
            Finding(
                path=path,
                tool="mypy",
                code=str(item.get("code") or "error"),
                message=str(item.get("message", ""))[:300],
                line=line if isinstance(line, int) and line > 0 else None,
            )
        )
    return outcome
