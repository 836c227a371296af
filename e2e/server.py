"""Start and stop the real llama.cpp server of the e2e suite.

``RealServer.start`` launches ``launch_server.py`` with the cache's virtualenv on a free
127.0.0.1 port, waits until ``/health`` answers 200 (it answers 503 while the model loads) and
returns; ``stop`` ends exactly that process, by its PID: SIGTERM, then SIGKILL after a grace
period. A server whose process dies or never becomes healthy raises ``ServerError`` with the
tail of its log.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .install import MODELS, home, model_path, venv_python

LAUNCHER = Path(__file__).resolve().parent / "launch_server.py"
HEALTH_TIMEOUT_S = 120.0
STOP_GRACE_S = 5.0
THREADS_ENV = "PAWBENCH_E2E_THREADS"


class ServerError(RuntimeError):
    """The server did not start, or died; ``pid`` is the process that was started."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def default_threads() -> int:
    """Decode threads: ``$PAWBENCH_E2E_THREADS``, else one core less than the machine has.

    llama.cpp's threads wait for each other at every step; when one of them shares its core
    with the benchmark client (or anything else), all of them stall. Measured on 2 busy cores:
    SmolLM2 decodes at ~40 tok/s steadily with 1 thread, and between 5 and 55 tok/s with 2.
    """
    configured = os.environ.get(THREADS_ENV)
    if configured:
        return max(1, int(configured))
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class ServerConfig:
    """How to serve one model."""

    model: str  # a key of install.MODELS, or a path to a GGUF file
    parallel: int = 8
    ctx: int = 8192
    threads: int = field(default_factory=lambda: default_threads())
    http_threads: int = -1
    template: Path | None = None  # None: the model's default from install.MODELS

    def command(self, root: Path, port: int, exit_with_parent: bool) -> list[str]:
        """The launcher's command line."""
        spec = MODELS.get(self.model)
        gguf = model_path(root, self.model) if spec else Path(self.model)
        alias = spec.alias if spec else gguf.stem
        template = self.template or (spec.template_path() if spec else None)
        cmd = [str(venv_python(root)), str(LAUNCHER), "--model", str(gguf)]
        cmd += ["--port", str(port), "--alias", alias, "--parallel", str(self.parallel)]
        cmd += ["--ctx", str(self.ctx), "--threads", str(self.threads)]
        cmd += ["--http-threads", str(self.http_threads)]
        if template is not None:
            cmd += ["--chat-template-file", str(template)]
        return cmd + (["--exit-with-parent"] if exit_with_parent else [])


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class RealServer:
    """One running llama.cpp server process."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path, alias: str) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.port = port
        self.log = log
        self.alias = alias
        self.base_url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(
        cls,
        config: ServerConfig,
        *,
        root: Path | None = None,
        port: int | None = None,
        log: Path | None = None,
        exit_with_parent: bool = True,
        detached: bool = False,
    ) -> RealServer:
        """Start the server and wait for its health (up to ``HEALTH_TIMEOUT_S``)."""
        root = root or home()
        port = port or free_port()
        log = log or root / "run" / f"server-{port}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                config.command(root, port, exit_with_parent),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=detached,
            )
        spec = MODELS.get(config.model)
        server = cls(proc, port, log, spec.alias if spec else Path(config.model).stem)
        try:
            server.wait_healthy()
        except BaseException:
            server.stop()
            raise
        return server

    def wait_healthy(self, timeout_s: float = HEALTH_TIMEOUT_S) -> None:
        """Poll ``/health`` until it answers 200; raise ServerError if the process exits."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                tail = _tail(self.log)
                raise ServerError(f"llama.cpp server exited with code {code}:\n{tail}", self.pid)
            if _healthy(self.base_url):
                return
            time.sleep(0.1)
        tail = _tail(self.log)
        raise ServerError(f"llama.cpp server not healthy after {timeout_s:g} s:\n{tail}", self.pid)

    def stop(self) -> None:
        """End the process by its PID: SIGTERM, SIGKILL after ``STOP_GRACE_S``."""
        stop_pid(self.pid, self.proc)

    def __enter__(self) -> RealServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_pid(pid: int, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """Stop process ``pid`` (reaping it when it is our child); False if it was not running."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        if proc is not None:
            proc.wait()
        return False
    deadline = time.monotonic() + STOP_GRACE_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return True
        if proc is None and not alive(pid):
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if proc is not None:
        proc.wait()
    return True


def is_launcher(pid: int) -> bool:
    """Whether ``pid`` runs launch_server.py (always True where /proc is missing)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not Path("/proc/self/cmdline").exists():
        return alive(pid)
    try:
        return LAUNCHER.name.encode() in cmdline.read_bytes()
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (dead, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust the signal
    return stat.rpartition(")")[2].split()[0] != "Z"
