"""Fixtures for engine tests: the agent server in its own process, and a tiny scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

SERVER = Path(__file__).with_name("agent_server.py")

StartServer = Callable[..., str]


@pytest.fixture
def agent_server() -> Iterator[StartServer]:
    """Start ``agent_server.py`` with knobs as environment variables; yields a starter that
    returns the base URL. Every started server is killed at teardown."""
    procs: list[subprocess.Popen[str]] = []

    def start(**knobs: str) -> str:
        env = {**os.environ, **knobs}
        proc = subprocess.Popen(
            [sys.executable, str(SERVER)], stdout=subprocess.PIPE, text=True, env=env
        )
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("PORT "), line
        return f"http://127.0.0.1:{int(line.split()[1])}"

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def stats(base_url: str) -> dict[str, Any]:
    """The agent server's /stats."""
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/stats", timeout=5) as resp:
        data: dict[str, Any] = orjson.loads(resp.read())
    return data


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "write_file",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
                "required": ["path", "content"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
            },
        },
    },
]


def write_scenario(directory: Path, agents: int = 1, turns: int = 2) -> Path:
    """A scenario whose turns offer write_file and read_file."""
    doc = {
        "id": "engine-test",
        "name": "engine test",
        "tools_schema": TOOLS,
        "fixtures": {"files": {"README.md": "# engine test"}},
        "agents": [
            {
                "id": f"a{a}",
                "name": f"agent {a}",
                "turns": [
                    {
                        "content": f"agent {a} turn {t}: write app.py",
                        "tools": ["write_file", "read_file"],
                    }
                    for t in range(turns)
                ],
            }
            for a in range(agents)
        ],
    }
    path = directory / "engine_test.json"
    path.write_bytes(orjson.dumps(doc))
    return path
