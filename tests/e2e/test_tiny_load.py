"""The harness under high concurrency against a real server: 128 agent sessions at once against
llama.cpp serving the tiny random-weight model (16 slots, thousands of tokens per second).

What is checked is pawbench, not the model: every session and request completes, the sessions
really are in flight together, every token the server generated is counted, and every stream is
timed. The server holds all 128 connections open (160 HTTP threads) and queues what its 16 slots
cannot take yet, as a loaded production server does. About 6 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e.server import RealServer
from tests.e2e.support import CHAT_SCENARIO, CliRun, delta, max_overlap, run_cli, scrape, token_sums

pytestmark = pytest.mark.e2e

SESSIONS = 128
TURNS = 2  # e2e-chat: two turns, no tools, one request each
MAX_TOKENS = 48


@dataclass
class LoadRun:
    """The shared run and the server's counters around it."""

    cli: CliRun
    before: dict[str, float]
    after: dict[str, float]


@pytest.fixture(scope="module")
def load_run(
    tiny_server: RealServer, pawbench_exe: Path, tmp_path_factory: pytest.TempPathFactory
) -> LoadRun:
    """128 sessions of the chat scenario at once, with /metrics scraped around them."""
    url = tiny_server.base_url
    before = scrape(url)
    args = ["--endpoint", url, "--scenario", str(CHAT_SCENARIO)]
    args += ["--concurrency", str(SESSIONS), "--max-tokens", str(MAX_TOKENS), "--no-saturation"]
    cli = run_cli(pawbench_exe, args, tmp_path_factory.mktemp("tiny") / "out", 240)
    after = scrape(url)
    assert cli.code == 0 and cli.doc, cli.explain()
    return LoadRun(cli, before, after)


def test_every_session_and_request_completes(load_run: LoadRun) -> None:
    (block,) = load_run.cli.doc["levels"]
    assert block["concurrency"] == block["sessions"] == SESSIONS
    assert block["requests"] == block["requests_ok"] == SESSIONS * TURNS
    assert block["errors"] == {}
    sessions = load_run.cli.of("session")
    assert len(sessions) == SESSIONS
    assert all(s["turns"] == TURNS and s["status"] in ("ok", "failed") for s in sessions)
    assert block["output_tok_s"] > 0


def test_sessions_are_in_flight_together(load_run: LoadRun) -> None:
    requests = load_run.cli.of("request")
    # every session sends its first request at once and the server keeps them all open
    assert max_overlap(requests) >= SESSIONS // 2
    # and the server decoded them in batches: many tokens per llama_decode call on average
    steps = delta(load_run.before, load_run.after, "llamacpp:n_decode_total")
    generated = delta(load_run.before, load_run.after, "llamacpp:tokens_predicted_total")
    assert 0 < steps * 4 <= generated


def test_every_token_is_counted_at_high_concurrency(load_run: LoadRun) -> None:
    counted = token_sums(load_run.cli.of("request"))
    run = load_run
    assert (
        delta(run.before, run.after, "llamacpp:tokens_predicted_total")
        == (counted["completion_tokens"])
    )
    assert (
        delta(run.before, run.after, "llamacpp:prompt_tokens_cached_total")
        == (counted["cached_tokens"])
    )
    assert delta(run.before, run.after, "llamacpp:prompt_tokens_total") == (
        counted["prompt_tokens"] - counted["cached_tokens"]
    )
    assert load_run.cli.doc["tokens_estimated"] is False


def test_every_stream_is_timed(load_run: LoadRun) -> None:
    requests = load_run.cli.of("request")
    for r in requests:
        assert 0 < r["completion_tokens"] <= MAX_TOKENS
        assert r["ttft_ms"] is not None and 0 < r["ttft_ms"] <= r["e2e_ms"]
        if r["completion_tokens"] > 1:
            assert r["tpot_ms"] is not None and r["itl_ms"]
    # one SSE event per token: nearly every token has its own arrival time
    gaps = sum(len(r["itl_ms"]) + 1 for r in requests)
    assert gaps >= 0.9 * token_sums(requests)["completion_tokens"]
    (block,) = load_run.cli.doc["levels"]
    assert block["ttft_ms"]["count"] == block["tpot_ms"]["count"] == SESSIONS * TURNS
