"""pawbench against a real llama.cpp server serving Qwen2.5-Coder-0.5B-Instruct with real tool
calls: the tool-call accuracy, format compliance and quality in the result come from what the
model really called, through the e2e JSON tool-call template (e2e/templates).

The scenario (tests/e2e/scenarios/e2e-tools.json: read a file, write its test, then report with
the status block and no tools) answers every call the model can make: fixture files, a scripted
pytest run, and "no such file" for any other path, so a turn never ends in a fixture gap of the
harness. The agent loop is capped at two model calls per turn (this model tends to call a tool
again after every tool result). Greedy decoding (temperature 0, seed 1).

pawbench sends no ``tool_choice`` (the server's default is ``auto``); with ``auto``, llama.cpp
rejects a reply that names a tool that does not exist ("...does not match the expected ...
format", HTTP 500 or an error event). Such a reply is the model's, not the harness's: it is the
only error these tests accept, and ``--max-error-rate 1`` keeps it from failing the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from e2e.server import RealServer
from tests.e2e.support import TOOLS_SCENARIO, CliRun, delta, run_cli, scrape, token_sums

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

MAX_STEPS = 2
OFFERED = {"read_file", "write_file", "run_command"}
SERVER_REJECTED = "does not match the expected"


@dataclass
class ToolRun:
    """The shared run and the server's counters around it."""

    cli: CliRun
    before: dict[str, float]
    after: dict[str, float]


@pytest.fixture(scope="module")
def tool_run(
    qwen_server: RealServer, pawbench_exe: Path, tmp_path_factory: pytest.TempPathFactory
) -> ToolRun:
    """The tool scenario at concurrency 1, with /metrics scraped around it."""
    url = qwen_server.base_url
    before = scrape(url)
    args = ["--endpoint", url, "--scenario", str(TOOLS_SCENARIO), "--concurrency", "1"]
    args += ["--max-steps", str(MAX_STEPS), "--max-tokens", "160", "--temperature", "0"]
    args += ["--seed", "1", "--no-saturation", "--max-error-rate", "1"]
    cli = run_cli(pawbench_exe, args, tmp_path_factory.mktemp("qwen") / "out", 540)
    after = scrape(url)
    assert cli.code == 0 and cli.doc, cli.explain()
    return ToolRun(cli, before, after)


def _calls(run: ToolRun) -> list[dict[str, Any]]:
    return [call for r in run.cli.of("request") for call in r["tool_calls"]]


def test_only_the_model_can_fail_a_request(tool_run: ToolRun) -> None:
    requests = tool_run.cli.of("request")
    assert requests
    for r in requests:
        if r["status"] != "ok":
            assert SERVER_REJECTED in (r["error_message"] or ""), r["error_message"]
    assert any(r["status"] == "ok" and r["tool_calls"] for r in requests)


def test_no_fixture_gap_and_the_loop_is_capped(tool_run: ToolRun) -> None:
    turns = tool_run.cli.of("turn")
    assert turns
    for turn in turns:
        assert turn["status"] != "fixture_gap", turn["tool_results"]
        assert not any(result["fixture_gap"] for result in turn["tool_results"])
        assert 1 <= turn["steps"] <= MAX_STEPS
        assert len(turn["request_ids"]) == turn["steps"]
        # every call the model made got exactly one answer, carrying the call's own id
        ids = [call["id"] for call in turn["tool_calls"]]
        assert [result["tool_call_id"] for result in turn["tool_results"]] == ids
        assert len(set(ids)) == len(ids)


def test_tool_calls_are_the_models_own(tool_run: ToolRun) -> None:
    calls = _calls(tool_run)
    assert calls, "the model made no tool call"
    for call in calls:
        assert call["name"] in OFFERED  # llama.cpp parsed a real call to an offered tool
        assert call["valid_json"] is True
        assert isinstance(orjson.loads(call["arguments"]), dict)
    ok = [r for r in tool_run.cli.of("request") if r["status"] == "ok"]
    assert {r["finish_reason"] for r in ok if r["tool_calls"]} == {"tool_calls"}


STATUS_FIELDS = ("STATUS:", "FILES_CREATED:", "FILES_MODIFIED:", "TESTS:", "BUILD:", "LEARNED:")


def _counted_calls(run: ToolRun) -> list[dict[str, Any]]:
    """Tool calls of the turns that quality counts (not error, timeout or fixture gap)."""
    turns = [t for t in run.cli.of("turn") if t["status"] in ("ok", "failed")]
    return [call for t in turns for call in t["tool_calls"]]


def _wrote_status_block(run: ToolRun) -> bool:
    """Whether the session's final answer has the six status-block lines."""
    final = run.cli.of("turn")[-1]["final_text"]
    starts = [line.strip() for line in final.splitlines()]
    return all(any(line.startswith(f) for line in starts) for f in STATUS_FIELDS)


def _mean(doc: dict[str, Any], scorer: str, metric: str) -> float:
    return float(doc["scores"][scorer][metric]["mean"])


def test_scorer_results_come_from_the_real_calls(tool_run: ToolRun) -> None:
    doc = tool_run.cli.doc
    calls = _calls(tool_run)
    assert doc["scores"]["tool_calls"]["tool_call.valid_json"]["count"] == len(calls)
    valid = sum(c["valid_json"] for c in calls) / len(calls)
    assert _mean(doc, "tool_calls", "tool_call.valid_json") == pytest.approx(valid)
    assert _mean(doc, "tool_calls", "tool_call.offered") == 1.0
    final = _mean(doc, "format", "format.final")
    assert final == 1.0 if _wrote_status_block(tool_run) else final < 1.0


def test_quality_block_comes_from_the_real_calls(tool_run: ToolRun) -> None:
    quality = tool_run.cli.doc["dim2_quality"]
    calls = _counted_calls(tool_run)
    rates = quality["tool_calls"]
    assert rates["calls"] == len(calls) > 0
    valid = sum(c["valid_json"] for c in calls) / len(calls)
    assert rates["valid_json_rate"] == pytest.approx(valid)
    assert rates["offered_rate"] == pytest.approx(1.0)
    assert 0.0 <= rates["tool_accuracy"] <= 1.0
    assert quality["quality"] is not None and 0.0 <= quality["quality"] <= 1.0
    compliance = quality["format_compliance"]
    assert compliance == 1.0 if _wrote_status_block(tool_run) else compliance < 1.0


def test_tokens_agree_with_the_servers_counter(tool_run: ToolRun) -> None:
    requests = tool_run.cli.of("request")
    counted = token_sums(requests)["completion_tokens"]
    generated = delta(tool_run.before, tool_run.after, "llamacpp:tokens_predicted_total")
    if all(r["status"] == "ok" for r in requests):
        assert generated == counted > 0
    else:  # a rejected reply was generated but came with no usage
        assert generated >= counted
