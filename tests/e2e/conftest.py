"""Fixtures of the e2e suite: the cached set-up, and real llama.cpp servers that always stop.

The e2e tests (marked ``e2e``) run only when asked for: ``pytest -m e2e`` (or any ``-m``
expression naming e2e, or ``PAWBENCH_E2E=1``); otherwise they are deselected and the summary
says how to run them. The first e2e test installs what is missing into ``$PAWBENCH_E2E_HOME``
(default ``~/.cache/pawbench-e2e``; about 45 s from nothing, a fraction of a second after).

Each model's server is started once per test module on a free 127.0.0.1 port and stopped by its
PID when the module ends, whatever its tests did; if pytest itself is killed, the server notices
that its parent is gone and exits (``launch_server.py --exit-with-parent``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from e2e.install import ModelState, SetupError, home, setup
from e2e.server import RealServer, ServerConfig, ServerError

E2E_HOME = home()  # read now: the root conftest clears PAWBENCH_* variables around each test
QWEN_WANTED = os.environ.get("PAWBENCH_E2E_QWEN", "1") != "0"
FORCE_E2E = os.environ.get("PAWBENCH_E2E") == "1"
QWEN_LABEL = "Qwen2.5-Coder-0.5B"

_summary: list[str] = []
_deselected: list[int] = []


def _requested(config: pytest.Config) -> bool:
    return FORCE_E2E or "e2e" in (config.option.markexpr or "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the e2e tests unless they were asked for."""
    if _requested(config):
        return
    chosen = [item for item in items if item.get_closest_marker("e2e") is None]
    dropped = [item for item in items if item.get_closest_marker("e2e") is not None]
    if dropped:
        items[:] = chosen
        config.hook.pytest_deselected(items=dropped)
        _deselected.append(len(dropped))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What the e2e suite set up, started and skipped (or how to run it)."""
    if _deselected:
        terminalreporter.write_line(
            f"pawbench e2e: {sum(_deselected)} real-server tests deselected; run them with "
            "`pytest -m e2e` (docs/real-servers.md)"
        )
    if _summary:
        terminalreporter.write_sep("-", "pawbench e2e: real llama.cpp servers")
        for line in _summary:
            terminalreporter.write_line(line)


def note(line: str) -> None:
    """Add a line to the e2e section of the terminal summary."""
    _summary.append(line)


@pytest.fixture(scope="session")
def e2e_models() -> dict[str, ModelState]:
    """Install (or find, cached) the server and the models; Qwen only if it can be had."""
    keys = ["smollm2", "tiny"] + (["qwen"] if QWEN_WANTED else [])
    log: list[str] = []
    started = time.monotonic()
    try:
        states = setup(keys, log=log.append, root=E2E_HOME)
    except SetupError as exc:
        pytest.fail(f"e2e set-up in {E2E_HOME} failed: {exc}\n" + "\n".join(log), pytrace=False)
    installed = ", ".join(key for key, state in states.items() if state.ok)
    note(f"set-up in {E2E_HOME}: {time.monotonic() - started:.1f} s ({installed} installed)")
    if not QWEN_WANTED:
        note(f"{QWEN_LABEL}: not installed (PAWBENCH_E2E_QWEN=0): its tests SKIP")
    elif not states["qwen"].ok:
        note(f"{QWEN_LABEL}: UNAVAILABLE ({states['qwen'].reason}): its tests SKIP")
    return states


def _serve(config: ServerConfig) -> Iterator[RealServer]:
    started = time.monotonic()
    try:
        server = RealServer.start(config, root=E2E_HOME)
    except ServerError as exc:
        pytest.fail(f"could not start the {config.model} server: {exc}", pytrace=False)
    note(
        f"{config.model}: pid {server.pid} on {server.base_url}, healthy after "
        f"{time.monotonic() - started:.1f} s ({config.threads} thread(s), "
        f"{config.parallel} slots, log {server.log})"
    )
    try:
        yield server
    finally:
        server.stop()
        note(f"{config.model}: pid {server.pid} stopped")


@pytest.fixture(scope="module")
def smollm2_server(e2e_models: dict[str, ModelState]) -> Iterator[RealServer]:
    """SmolLM2-135M-Instruct: a real small model, ~40-100 tok/s on 1-2 cores; no tool calls."""
    yield from _serve(ServerConfig(model="smollm2", parallel=8, ctx=8192))


@pytest.fixture(scope="module")
def qwen_server(e2e_models: dict[str, ModelState]) -> Iterator[RealServer]:
    """Qwen2.5-Coder-0.5B-Instruct with the JSON tool-call template; skips when unavailable."""
    if not QWEN_WANTED:
        pytest.skip(f"{QWEN_LABEL} disabled by PAWBENCH_E2E_QWEN=0")
    state = e2e_models["qwen"]
    if not state.ok:
        pytest.skip(f"{QWEN_LABEL} could not be installed (anonymous upload): {state.reason}")
    yield from _serve(ServerConfig(model="qwen", parallel=2, ctx=8192))


TINY_SLOTS = 16


@pytest.fixture(scope="module")
def tiny_server(e2e_models: dict[str, ModelState]) -> Iterator[RealServer]:
    """The tiny random-weight model: gibberish at thousands of tokens per second, 16 slots and
    enough HTTP threads to hold 128+ connections open at once."""
    config = ServerConfig(model="tiny", parallel=TINY_SLOTS, ctx=32768, http_threads=160)
    yield from _serve(config)
