"""Nothing secret in what telemetry records: no auth header on its requests, no credentials of
URLs, no known secret value, no secret flag value."""

from __future__ import annotations

from typing import Any

import orjson

from pawbench.telemetry.scrub import scrub_text, scrub_tree

from .support import MetricsServer, render, run, telemetry
from .test_engines import V1_AFTER, V1_BEFORE

API_KEY = "sk-test-0123456789abcdef"


def test_no_credentials_reach_the_result_and_no_auth_header_is_sent() -> None:
    routes = {"/version": {"version": f"0.11.0 started with --api-key {API_KEY}"}}

    async def body() -> tuple[dict[str, Any], dict[str, Any], MetricsServer]:
        async with MetricsServer(render("vllm_v1", V1_BEFORE), routes) as srv:
            url = srv.url.replace("http://", "http://alice:hunter2hunter2@") + "/v1"
            async with telemetry(url, secrets=[API_KEY]) as tel:
                await tel.level_started("c1/x")
                srv.text = render("vllm_v1", V1_AFTER)
                await tel.level_finished("c1/x")
                return tel.summary(), await tel.model_card(), srv

    summary, card, srv = run(body)
    assert summary["available"] and summary["levels"][0]["deltas"]["prompt_tokens"] == 4_000
    text = orjson.dumps([summary, card]).decode()
    for secret in ("alice", "hunter2", API_KEY):
        assert secret not in text
    assert summary["metrics_url"] == f"http://127.0.0.1:{srv.port}/metrics"
    assert card["engine_version"] == "0.11.0 started with --api-key ***"


def test_without_credentials_the_probe_sends_no_authorization_header() -> None:
    async def body() -> MetricsServer:
        async with MetricsServer(render("vllm_v1", V1_BEFORE), {"/version": {}}) as srv:
            async with telemetry(srv.url, secrets=[API_KEY]) as tel:
                await tel.sample()
                await tel.model_card()
            return srv

    srv = run(body)
    assert len(srv.headers) >= 2  # /metrics and /version
    assert all("Authorization" not in h and API_KEY not in str(h) for h in srv.headers)


def test_scrub_masks_secret_keys_flags_environment_and_url_credentials() -> None:
    card = {
        "api_key": "abc123456",
        "api_key_set": True,
        "max_total_tokens": 8192,
        "HF_TOKEN": "hf_abcdef",
        "flags": ["--api-key abc123456", "--max-num-batched-tokens 8192", "--hf-token=hf_zz"],
        "command": "HF_TOKEN=hf_q OPENAI_API_KEY=sk-z vllm serve m --tokenizer t",
        "endpoint": "http://bob:secretpw@gpu-box:8000/v1?api_key=sk-1",
        "headers": {"Authorization": "Bearer xyz"},
    }
    out = scrub_tree(card)
    assert out["api_key"] == "***" and out["api_key_set"] is True
    assert out["max_total_tokens"] == 8192 and out["HF_TOKEN"] == "***"
    assert out["flags"] == ["--api-key ***", "--max-num-batched-tokens 8192", "--hf-token=***"]
    assert out["command"] == "HF_TOKEN=*** OPENAI_API_KEY=*** vllm serve m --tokenizer t"
    assert "bob" not in out["endpoint"] and "secretpw" not in out["endpoint"]
    assert "sk-1" not in out["endpoint"]
    assert out["headers"] == {"Authorization": "***"}
    assert (
        scrub_text('curl -H "Authorization: Bearer tok123"')
        == 'curl -H "Authorization: Bearer ***"'
    )
