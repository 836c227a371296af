"""The engine end to end over real HTTP on 127.0.0.1 (agent server in its own process)."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Literal, TypedDict, TypeVar

import orjson
import pytest

from pawbench.engine.options import RunOptions
from pawbench.engine.run import RunOutcome, execute
from pawbench.plugins import PluginHost
from tests.conftest import RunPawbench
from tests.engine.conftest import StartServer, stats, write_scenario

T = TypeVar("T")


class ToolCallLine(TypedDict):
    """The fields of a ``ToolCallRecord`` in requests.jsonl that these tests read."""

    id: str
    name: str
    valid_json: bool
    id_generated: bool


class ToolResultLine(TypedDict):
    """The fields of a ``ToolResultRecord`` in requests.jsonl that these tests read."""

    tool_call_id: str
    name: str
    output: str


class RequestLine(TypedDict):
    """The fields of a ``RequestRecord`` line of requests.jsonl that these tests read."""

    record: Literal["request"]
    level: int
    prompt_tokens: int | None
    completion_tokens: int | None
    ttft_ms: float | None
    tokens_estimated: bool
    tool_calls: list[ToolCallLine]


class TurnLine(TypedDict):
    """The fields of a ``TurnRecord`` line of requests.jsonl that these tests read."""

    record: Literal["turn"]
    status: str
    steps: int
    hit_max_steps: bool
    tool_calls: list[ToolCallLine]
    tool_results: list[ToolResultLine]


class SessionLine(TypedDict):
    """The fields of a ``SessionRecord`` line of requests.jsonl that these tests read."""

    record: Literal["session"]
    files: dict[str, str]


RecordLine = RequestLine | TurnLine | SessionLine


def _run(
    base_url: str, scenario: Path, out: Path, levels: list[int], **extra: object
) -> RunOutcome:
    options = RunOptions(
        endpoint=base_url,
        scenarios=[str(scenario)],
        concurrency=levels,
        output=out,
        **{"saturation": False, **extra},
    )
    return asyncio.run(execute(options, PluginHost(), lambda _m: None))


def _lines(path: Path) -> list[RecordLine]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _present(value: T | None) -> T:
    """``value``, which must not be None."""
    assert value is not None
    return value


def test_history_is_protocol_correct_and_records_are_complete(
    agent_server: StartServer, tmp_path: Path
) -> None:
    url = agent_server()
    outcome = _run(url, write_scenario(tmp_path, agents=2, turns=2), tmp_path / "out", [1, 3])
    server = stats(url)
    assert server["violations"] == []
    # level 1: 2 sessions; level 3: 3 sessions; each turn = tool-call step + final answer
    assert server["requests"] == (2 + 3) * 2 * 2
    assert outcome.exit_code == 0
    records = _lines(Path(str(outcome.document["requests_jsonl"])))
    requests = [r for r in records if r["record"] == "request"]
    turns = [r for r in records if r["record"] == "turn"]
    sessions = [r for r in records if r["record"] == "session"]
    assert len(requests) == 20 and len(turns) == 10 and len(sessions) == 5
    assert all(t["status"] == "ok" and t["steps"] == 2 for t in turns)
    for t in turns:
        assert [c["id"] for c in t["tool_calls"]] == [r["tool_call_id"] for r in t["tool_results"]]
    assert all(s["files"] == {"app.py": 'print("hi")'} for s in sessions)
    first = requests[0]
    assert _present(first["completion_tokens"]) > 0 and _present(first["prompt_tokens"]) > 0
    assert first["ttft_ms"] is not None and first["tokens_estimated"] is False
    assert {b["concurrency"] for b in outcome.document["levels"]} == {1, 3}


def test_levels_report_achieved_concurrency_and_client_health(
    agent_server: StartServer, tmp_path: Path
) -> None:
    """Four one-turn sessions at level 4, each two requests of >= 200 ms: the requests in
    flight average close to 4 over the window (bound: > 3; tool handling between a session's
    two requests is short) and never exceed it."""
    url = agent_server(AGENT_DELAY_S="0.2")
    outcome = _run(url, write_scenario(tmp_path, agents=1, turns=1), tmp_path / "out", [4])
    (block,) = outcome.document["levels"]
    window = block["window"]
    assert window["end_s"] - window["start_s"] == pytest.approx(block["duration_s"])
    assert block["duration_s"] > 0.4
    assert block["achieved_concurrency"]["max"] == 4
    assert 3 < block["achieved_concurrency"]["mean"] <= 4
    assert block["sessions_in_flight"]["max"] == 4
    assert block["error_rate"] == 0.0 and block["error_rates"] == {}
    assert block["peak_1s_tok_s"] is None  # a window shorter than one second
    client = block["client"]
    assert client["client_bottleneck"] is False and client["loop_lag_ms"]["count"] > 10
    assert outcome.document["saturation_curve"] == [] and outcome.document["saturation"] is None


def test_reused_tool_call_ids_are_replaced(agent_server: StartServer, tmp_path: Path) -> None:
    url = agent_server(AGENT_SAME_IDS="1")
    outcome = _run(url, write_scenario(tmp_path, turns=3), tmp_path / "out", [1])
    assert stats(url)["violations"] == []
    records = _lines(Path(str(outcome.document["requests_jsonl"])))
    calls = [c for r in records if r["record"] == "request" for c in r["tool_calls"]]
    ids = [c["id"] for c in calls]
    assert len(ids) == len(set(ids)) == 6
    assert sum(c["id_generated"] for c in calls) == 4  # turns 2 and 3 reuse both ids


def test_invalid_tool_arguments_are_recorded_and_the_run_goes_on(
    agent_server: StartServer, tmp_path: Path
) -> None:
    url = agent_server(AGENT_BAD_JSON="1")
    outcome = _run(url, write_scenario(tmp_path), tmp_path / "out", [1])
    records = _lines(Path(str(outcome.document["requests_jsonl"])))
    turns = [r for r in records if r["record"] == "turn"]
    assert len(turns) == 2 and all(t["status"] == "ok" for t in turns)
    bad = [c for t in turns for c in t["tool_calls"] if c["name"] == "write_file"]
    assert bad and not any(c["valid_json"] for c in bad)
    results = [r for t in turns for r in t["tool_results"] if r["name"] == "write_file"]
    assert all("not valid JSON" in r["output"] for r in results)
    assert stats(url)["violations"] == []


def test_ttft_matches_an_injected_delay(agent_server: StartServer, tmp_path: Path) -> None:
    """The server waits 200 ms before the first token. Bound achieved on a shared 2-core
    machine: median error under 30 ms at concurrency 1 and under 80 ms at 64."""
    delay_ms = 200.0
    url = agent_server(AGENT_DELAY_S=str(delay_ms / 1000))
    scenario = write_scenario(tmp_path, turns=1)
    outcome = _run(url, scenario, tmp_path / "out", [1, 64])
    records = _lines(Path(str(outcome.document["requests_jsonl"])))
    for level, bound in ((1, 30.0), (64, 80.0)):
        ttfts = [r["ttft_ms"] for r in records if r["record"] == "request" and r["level"] == level]
        errors = [_present(t) - delay_ms for t in ttfts]
        assert min(errors) >= 0, "TTFT cannot be shorter than the injected delay"
        assert statistics.median(errors) < bound, (level, statistics.median(errors))


def test_256_sessions_are_in_flight_at_once(agent_server: StartServer, tmp_path: Path) -> None:
    url = agent_server(AGENT_DELAY_S="1.5")
    outcome = _run(url, write_scenario(tmp_path, turns=1), tmp_path / "out", [256])
    assert outcome.exit_code == 0
    assert stats(url)["peak"] == 256


def test_api_key_never_reaches_results(agent_server: StartServer, tmp_path: Path) -> None:
    secret = "sk-test-SECRET-0123456789"
    url = agent_server()
    outcome = _run(
        url,
        write_scenario(tmp_path, turns=1),
        tmp_path / "out",
        [1],
        api_key=secret,
        headers={"X-Api-Token": "hdr-SECRET-987654"},
    )
    for path in (tmp_path / "out").iterdir():
        text = path.read_text()
        assert secret not in text and "hdr-SECRET-987654" not in text, path
    assert outcome.document["options"]["api_key_set"] is True


def test_dead_endpoint_is_one_line_and_writes_nothing(
    run_pawbench: RunPawbench, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    scenario = write_scenario(tmp_path, turns=1)
    secret = "sk-dead-SECRET-55555"
    started = time.monotonic()
    proc = run_pawbench(
        "run",
        "--endpoint",
        f"http://user:{secret}@127.0.0.1:{port}",
        "--scenario",
        str(scenario),
        "--output",
        str(tmp_path / "out"),
        "--connect-timeout",
        "3",
        "--api-key",
        secret,
        "--max-retries",
        "0",
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pawbench: error: endpoint check failed")
    assert "Traceback" not in proc.stderr and secret not in proc.stderr + proc.stdout
    assert elapsed < 15
    assert not (tmp_path / "out").exists()


def test_tool_choice_and_the_max_steps_cap(agent_server: StartServer, tmp_path: Path) -> None:
    url = agent_server()
    scenario = write_scenario(tmp_path, turns=1)
    doc = orjson.loads(scenario.read_bytes())
    doc["agents"][0]["turns"][0]["max_steps"] = 6  # the cap wins over the turn's own limit
    scenario.write_bytes(orjson.dumps(doc))
    outcome = _run(
        url,
        scenario,
        tmp_path / "out",
        [1],
        tool_choice="required",
        max_steps=1,
        saturation=False,
    )
    assert stats(url)["tool_choices"] == ["required"]
    records = _lines(Path(str(outcome.document["requests_jsonl"])))
    (turn,) = [r for r in records if r["record"] == "turn"]
    assert turn["steps"] == 1 and turn["hit_max_steps"] and turn["status"] == "failed"
