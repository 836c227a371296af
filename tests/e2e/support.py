"""Helpers of the e2e tests: the real CLI as a subprocess, /metrics scrapes, the records."""

from __future__ import annotations

import os
import subprocess
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
TOOLS_SCENARIO = SCENARIOS / "e2e-tools.json"
CHAT_SCENARIO = SCENARIOS / "e2e-chat.json"


@dataclass
class CliRun:
    """One ``pawbench run`` subprocess: its exit code, output, result and records."""

    code: int
    stdout: str
    stderr: str
    output: Path
    doc: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The records of one kind: request, turn or session."""
        return [r for r in self.records if r["record"] == kind]

    def explain(self) -> str:
        """What to print when an assertion about this run fails."""
        return f"exit code {self.code}\nstderr (tail):\n{self.stderr[-3000:]}"


def run_cli(exe: Path, args: list[str], output: Path, timeout_s: float) -> CliRun:
    """Run ``pawbench run ARGS --json --output OUTPUT`` and load what it wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAWBENCH_")}
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    cmd = [str(exe), "run", *args, "--json", "--output", str(output)]
    done = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=output.parent, timeout=timeout_s
    )
    run = CliRun(done.returncode, done.stdout, done.stderr, output)
    if done.stdout.strip().startswith("{"):
        run.doc = orjson.loads(done.stdout)
        jsonl = run.doc.get("requests_jsonl")
        if jsonl and Path(jsonl).exists():
            lines = Path(jsonl).read_bytes().splitlines()
            run.records = [orjson.loads(line) for line in lines if line.strip()]
    return run


def scrape(base_url: str) -> dict[str, float]:
    """The label-free samples of the server's Prometheus /metrics (all of llama.cpp's are)."""
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "{" not in line:
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def delta(before: dict[str, float], after: dict[str, float], name: str) -> float:
    """How much a counter grew between two scrapes."""
    return after[name] - before[name]


def token_sums(requests: list[dict[str, Any]]) -> dict[str, int]:
    """Completion, prompt and cached tokens over request records, as pawbench counted them."""
    return {
        key: sum(r[key] or 0 for r in requests)
        for key in ("completion_tokens", "prompt_tokens", "cached_tokens")
    }


def max_overlap(requests: list[dict[str, Any]]) -> int:
    """The most requests that were in flight at the same time (from send to end)."""
    edges = sorted(
        [(r["t_sent_ns"], 1) for r in requests] + [(r["t_end_ns"], -1) for r in requests],
        key=lambda e: (e[0], e[1]),
    )
    live = best = 0
    for _, step in edges:
        live += step
        best = max(best, live)
    return best
