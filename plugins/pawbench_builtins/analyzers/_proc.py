"""Running an analysis tool as a subprocess: isolated interpreter, minimal environment, timeout."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pawbench.api import Finding


@dataclass(frozen=True)
class ToolRun:
    """How a tool run ended. ``error`` says why there is no usable output (None: it finished)."""

    returncode: int | None
    stdout: str
    stderr: str
    error: str | None = None

    def last_stderr_line(self) -> str:
        """The last non-empty line the tool wrote to stderr, for error messages."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[-1][:300] if lines else "no message"


@dataclass
class ToolOutcome:
    """Findings per file a tool checked, and why it could not check the others."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def fail_all(self, paths: list[str], reason: str) -> ToolOutcome:
        """Mark every path as not checked."""
        self.failed.update(dict.fromkeys(paths, reason))
        return self


def minimal_env(home: Path) -> dict[str, str]:
    """The whole environment of a tool: PATH, HOME and TMPDIR (a scratch directory), LANG.

    Nothing is inherited from the parent process, so no API key or token reaches a tool."""
    path = os.pathsep.join(dict.fromkeys([str(Path(sys.executable).parent), "/usr/bin", "/bin"]))
    return {
        "PATH": path,
        "HOME": str(home),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "NO_COLOR": "1",
    }


def module_available(module: str) -> bool:
    """Whether ``module`` is installed for this interpreter (found, not imported)."""
    return importlib.util.find_spec(module) is not None


def python_module(
    module: str, args: list[str], *, cwd: Path, home: Path, timeout_s: float
) -> ToolRun:
    """Run ``python -I -B -m module args`` in ``cwd``.

    ``-I`` (isolated mode) ignores PYTHON* variables and puts neither the working directory nor
    the user site on ``sys.path``, so a model-written ``ruff.py``, ``sitecustomize.py`` or
    ``conftest.py`` in ``cwd`` is never imported by the tool's interpreter."""
    command = [sys.executable, "-I", "-B", "-m", module, *args]
    try:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=minimal_env(home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        return ToolRun(None, "", "", f"{module} could not start: {exc}")
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        return ToolRun(None, "", "", f"{module} timed out after {timeout_s:g} s")
    return ToolRun(proc.returncode, out, err)


def _kill(proc: subprocess.Popen[str]) -> None:
    """Kill the tool and anything it started (it leads its own process group)."""
    if sys.platform == "win32":
        proc.kill()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
