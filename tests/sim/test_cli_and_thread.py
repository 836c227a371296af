"""`pawbench sim serve` / `pawbench sim profiles` as a user runs them, and the thread helper."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from pawbench.sim import SIMULATED_HEADER, load_profiles, start_in_thread
from tests.conftest import RunPawbench


def test_profiles_lists_every_profile_and_the_default(run_pawbench: RunPawbench) -> None:
    table = run_pawbench("sim", "profiles")
    assert table.returncode == 0, table.stderr
    for name in load_profiles():
        assert name in table.stdout
    assert "small-gpu (default)" in table.stdout
    listed = json.loads(run_pawbench("sim", "profiles", "--json").stdout)
    assert [p["name"] for p in listed] == list(load_profiles())
    assert [p["name"] for p in listed if p["default"]] == ["small-gpu"]


def test_serve_says_simulated_and_answers_until_interrupted(pawbench_exe: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "250", "NO_COLOR": "1"}
    args = ["sim", "serve", "--port", "0", "--profile", "instant", "--seed", "3"]
    proc = subprocess.Popen(
        [str(pawbench_exe), *args, "--error-rate-429", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "SIMULATED" in line and "profile=instant" in line and "seed=3" in line
        url = next(word for word in line.split() if word.startswith("http://"))
        with urllib.request.urlopen(url.removesuffix("/v1") + "/version", timeout=10) as r:
            assert json.loads(r.read())["simulated"] is True
            assert r.headers[SIMULATED_HEADER] == "true"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err


def test_serve_refuses_bad_settings(run_pawbench: RunPawbench) -> None:
    bad_profile = run_pawbench("sim", "serve", "--profile", "tpu-pod")
    assert bad_profile.returncode == 2 and "unknown simulator profile" in bad_profile.stderr
    bad_rate = run_pawbench("sim", "serve", "--drop-rate", "2")
    assert bad_rate.returncode == 2 and "drop_rate" in bad_rate.stderr


def test_start_in_thread_serves_sync_code_and_stops() -> None:
    with start_in_thread(profile="instant", seed=1, scenarios=[]) as sim:
        assert sim.openai_base_url == sim.base_url + "/v1"
        body = json.dumps(
            {"model": "sim-good", "messages": [{"role": "user", "content": "Say `hello`."}]}
        ).encode()
        request = urllib.request.Request(
            sim.base_url + "/v1/chat/completions",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            reply = json.loads(r.read())
        assert "hello" in reply["choices"][0]["message"]["content"]
        base_url = sim.base_url
    with pytest.raises(OSError):
        urllib.request.urlopen(base_url + "/health", timeout=5)


def test_start_in_thread_reports_startup_errors() -> None:
    with pytest.raises(ValueError, match="unknown simulator profile"):
        start_in_thread(profile="tpu-pod")
