"""The e2e set-up itself: cached and checked installs, and servers that always stop."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from e2e.install import MODELS, ModelState, setup
from e2e.server import RealServer, ServerConfig, ServerError, alive
from tests.e2e.conftest import E2E_HOME

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def test_setup_again_finds_everything_cached(e2e_models: dict[str, ModelState]) -> None:
    log: list[str] = []
    states = setup(["smollm2", "tiny"], log=log.append, root=E2E_HOME)
    assert states["smollm2"].ok and states["tiny"].ok
    assert not [line for line in log if "fetching" in line or "installing" in line], log
    # the pinned sha256 was checked and recorded next to the model
    marker = Path(states["smollm2"].path + ".verified")
    assert marker.read_text().split()[-1] == MODELS["smollm2"].sha256


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PAWBENCH_E2E_HOME": str(E2E_HOME), "PAWBENCH_E2E_QWEN": "0"})
    return env


def test_server_is_stopped_when_a_test_fails(tmp_path: Path) -> None:
    """A child pytest runs a test that fails while the tiny server runs; the fixture must have
    stopped the server by its PID by the time that pytest exits."""
    pidfile = tmp_path / "pid"
    probe = Path(__file__).with_name("lifecycle_probe.py")
    cmd = [sys.executable, "-m", "pytest", str(probe), "-m", "e2e", "-p", "no:cacheprovider"]
    done = subprocess.run(
        cmd,
        cwd=REPO,
        env={**_child_env(), "E2E_PROBE_PIDFILE": str(pidfile)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "1 failed" in done.stdout, done.stdout[-2000:]
    pid = int(pidfile.read_text())
    assert f"tiny: pid {pid} stopped" in done.stdout
    assert not alive(pid)


def test_server_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    """A process that started a server and died without stopping it leaves no server behind."""
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from e2e.server import RealServer, ServerConfig\n"
        f"server = RealServer.start(ServerConfig(model='tiny'), root=Path({str(E2E_HOME)!r}))\n"
        "print(server.pid, flush=True)\n"
        "os._exit(9)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr[-2000:]
    pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 15  # the launcher checks its parent every 0.5 s
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)


def test_a_server_that_cannot_start_is_reported_and_gone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(60))  # a header and nothing else
    with pytest.raises(ServerError, match="exited with code") as info:
        RealServer.start(ServerConfig(model=str(broken)), root=E2E_HOME, log=tmp_path / "log")
    assert "broken.gguf" in str(info.value)  # the tail of the server's log says what it loaded
    assert info.value.pid is not None and not alive(info.value.pid)
