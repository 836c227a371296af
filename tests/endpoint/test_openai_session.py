"""Models list, base URL forms, secrets, the connection pool and concurrency 256."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pawbench_builtins.endpoints.openai import OpenAIEndpoint, OpenAIOptions

from pawbench.api import (
    EndpointConfig,
    ModelInfo,
    RetryScheduled,
    StreamDone,
    TransportError,
)

from .scripted_server import Reply, ScriptedServer, chat_stream
from .support import (
    REQUEST,
    Recorder,
    collect,
    decoded,
    make_endpoint,
    stream_once,
    text_of,
)

SECRET = "sk-live-0123456789abcdef"
HEADER_SECRET = "hdr-secret-value-42"


async def models_of(server: ScriptedServer, base_url: str) -> list[ModelInfo]:
    endpoint = make_endpoint(base_url)
    await endpoint.open()
    try:
        return await endpoint.list_models()
    finally:
        await endpoint.close()


def test_list_models() -> None:
    async def main() -> list[ModelInfo]:
        models: list[dict[str, Any]] = [
            {"id": "qwen-coder", "owned_by": "vllm", "max_model_len": 32768},
            {"id": "b"},
        ]
        async with ScriptedServer([], models=models) as server:
            return await models_of(server, server.base_url)

    models = asyncio.run(main())
    assert [(m.id, m.owned_by, m.max_model_len) for m in models] == [
        ("qwen-coder", "vllm", 32768),
        ("b", None, None),
    ]


def test_list_models_empty_and_errors() -> None:
    async def main(**server_options: object) -> list[ModelInfo] | TransportError:
        async with ScriptedServer([], **server_options) as server:  # type: ignore[arg-type]
            try:
                return await models_of(server, server.base_url)
            except TransportError as exc:
                return exc

    assert asyncio.run(main(models=[])) == []
    error = asyncio.run(main(models_status=401, models_body=b'{"error": "bad key"}'))
    assert isinstance(error, TransportError)
    assert (error.cause, error.status) == ("http_4xx", 401)
    assert "bad key" in str(error)
    error = asyncio.run(main(models_body=b"<html>not json"))
    assert isinstance(error, TransportError)
    assert error.cause == "protocol"


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/", "/v1/chat/completions"])
def test_base_url_forms(suffix: str) -> None:
    async def main() -> tuple[list[ModelInfo], str, list[str]]:
        async with ScriptedServer([Reply(chunks=chat_stream(["ok"]))]) as server:
            endpoint = make_endpoint(server.base_url + suffix)
            await endpoint.open()
            try:
                models = await endpoint.list_models()
                events, error = await collect(endpoint)
                assert error is None
            finally:
                await endpoint.close()
            return models, text_of(decoded(events)), [r.path for r in server.received]

    models, text, paths = asyncio.run(main())
    assert [m.id for m in models] == ["scripted-model"]
    assert text == "ok"
    assert paths == ["/v1/models", "/v1/chat/completions"]


def test_stream_before_open_is_a_clear_error() -> None:
    async def main() -> None:
        endpoint = make_endpoint("http://127.0.0.1:1")
        await endpoint.exchange(REQUEST, Recorder())

    with pytest.raises(RuntimeError, match="open"):
        asyncio.run(main())


def test_secrets_never_in_errors_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    echo = f'{{"error": "invalid key {SECRET}, header {HEADER_SECRET}"}}'.encode()
    caplog.set_level(logging.DEBUG)
    _, endpoint, _, error, _ = asyncio.run(
        stream_once(
            [Reply(status=401, body=echo)],
            api_key=SECRET,
            headers={"X-Custom-Auth": HEADER_SECRET},
        )
    )
    assert error is not None
    assert (error.cause, error.status) == ("http_4xx", 401)
    assert "invalid key ***" in str(error)
    texts = [str(error), repr(error), repr(endpoint), repr(endpoint.config), caplog.text]
    for text in texts:
        assert SECRET not in text
        assert HEADER_SECRET not in text
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_url_credentials_sent_as_basic_auth_and_redacted() -> None:
    async def main() -> tuple[ScriptedServer, OpenAIEndpoint, TransportError | None]:
        async with ScriptedServer([Reply(status=403, body=b"denied for s3cret-pass")]) as server:
            url = server.base_url.replace("http://", "http://alice:s3cret-pass@")
            endpoint = make_endpoint(url)
            await endpoint.open()
            try:
                _, error = await collect(endpoint)
            finally:
                await endpoint.close()
        return server, endpoint, error

    server, endpoint, error = asyncio.run(main())
    expected = "Basic " + base64.b64encode(b"alice:s3cret-pass").decode()
    assert server.chat_requests[0].headers["Authorization"] == expected
    assert error is not None
    for text in (str(error), repr(endpoint), endpoint.chat_url):
        assert "s3cret-pass" not in text
    assert "denied for ***" in str(error)


def test_header_with_line_break_is_rejected_without_echoing_it() -> None:
    config = EndpointConfig(base_url="http://h", headers={"X-A": "evil\r\nvalue-1234"})
    with pytest.raises(ValueError, match="X-A") as info:
        OpenAIEndpoint(config, OpenAIOptions())
    assert "value-1234" not in str(info.value)


def test_connections_are_reused_across_requests() -> None:
    async def main() -> list[tuple[str, int] | None]:
        async with ScriptedServer([Reply(chunks=chat_stream(["a"]))]) as server:
            endpoint = make_endpoint(server.base_url)
            await endpoint.open()
            try:
                for _ in range(5):
                    events, error = await collect(endpoint)
                    assert error is None
                    assert decoded(events)[-1] == StreamDone()
            finally:
                await endpoint.close()
            return [r.peer for r in server.chat_requests]

    peers = asyncio.run(main())
    assert len(peers) == 5
    assert len(set(peers)) == 1  # one keep-alive connection (same client port) for all five


def test_server_closing_idle_connections_causes_no_errors() -> None:
    # the server drops keep-alive connections idle for 0.1 s; the pool must not hand one out
    async def main() -> list[int]:
        reply = Reply(chunks=chat_stream(["a"]))
        async with ScriptedServer([reply], keepalive_timeout_s=0.1) as server:
            endpoint = make_endpoint(server.base_url, max_retries=0)
            await endpoint.open()
            retries = []
            try:
                for _ in range(3):
                    await asyncio.sleep(0.25)
                    events, error = await collect(endpoint)
                    assert error is None
                    retries.append(sum(isinstance(e, RetryScheduled) for e in events))
            finally:
                await endpoint.close()
            return retries

    assert asyncio.run(main()) == [0, 0, 0]


def test_abandoned_stream_releases_its_connection() -> None:
    # with one connection, a stream the consumer stops reading must not hold it forever
    async def main() -> str:
        slow = Reply(chunks=[*chat_stream(["a"])[:2], 5.0, *chat_stream(["a"])[2:]])
        async with ScriptedServer([slow, Reply(chunks=chat_stream(["second"]))]) as server:
            endpoint = make_endpoint(server.base_url, max_connections=1)
            await endpoint.open()
            try:
                recorder = Recorder()
                first = asyncio.create_task(endpoint.exchange(REQUEST, recorder))
                while not recorder.pieces:  # the first piece of body arrived, then a 5 s pause
                    await asyncio.sleep(0.01)
                first.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await first
                events, error = await asyncio.wait_for(collect(endpoint), 3.0)
                assert error is None
                return text_of(decoded(events))
            finally:
                await endpoint.close()

    assert asyncio.run(main()) == "second"


def self_signed_context(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt"]
    command += ["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(command, check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_verification_switch(tmp_path: Path) -> None:
    context = self_signed_context(tmp_path)

    async def main(verify: bool) -> tuple[str, TransportError | None]:
        reply = Reply(chunks=chat_stream(["secure"]))
        async with ScriptedServer([reply], ssl_context=context) as server:
            endpoint = make_endpoint(server.base_url, verify_tls=verify)
            await endpoint.open()
            try:
                events, error = await collect(endpoint)
            finally:
                await endpoint.close()
        return text_of(decoded(events)), error

    _, error = asyncio.run(main(verify=True))
    assert error is not None
    assert (error.cause, error.retries) == ("connect", 0)  # a TLS failure is not retried
    assert "TLS error" in str(error)
    assert asyncio.run(main(verify=False)) == ("secure", None)


def run_concurrently(streams: int, max_connections: int, gate: int | None, delay_s: float) -> int:
    """Run ``streams`` requests at once; the peak number in flight at the server."""
    reply = Reply(chunks=[delay_s, *chat_stream(["x"])])

    async def main() -> int:
        async with ScriptedServer([reply], gate=gate, gate_timeout_s=10.0) as server:
            endpoint = make_endpoint(server.base_url, max_connections=max_connections)
            await endpoint.open()
            try:
                results = await asyncio.gather(*(collect(endpoint) for _ in range(streams)))
            finally:
                await endpoint.close()
            assert all(error is None for _, error in results)
            assert all(text_of(decoded(events)) == "x" for events, _ in results)
            assert len(server.chat_requests) == streams
            return server.peak

    return asyncio.run(main())


def test_256_streams_in_flight_at_once_not_capped_at_100() -> None:
    # every handler waits until 256 requests are in flight together (or 10 s pass)
    assert run_concurrently(256, max_connections=256, gate=256, delay_s=0.0) == 256


def test_connector_limit_is_max_connections() -> None:
    # with 8 connections, 20 slow requests never have more than 8 in flight at the server
    assert run_concurrently(20, max_connections=8, gate=None, delay_s=0.1) == 8
