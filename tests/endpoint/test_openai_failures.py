"""Retries, non-retried errors, dropped connections and timeouts, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import time
from typing import Any

import pytest
from pawbench_builtins.endpoints.openai import OpenAIOptions

from pawbench.api import (
    STALE_CONNECTION,
    ResponseStart,
    RetryScheduled,
    StreamDone,
    TransportError,
)

from .scripted_server import DONE, Chunk, Reply, chat_stream, chunk, sse
from .support import Trace, collect, decoded, make_endpoint, stream_once, text_of

OK = Reply(chunks=chat_stream(["fine"]))


def retries_of(events: Trace) -> list[RetryScheduled]:
    return [e for e in events if isinstance(e, RetryScheduled)]


def test_429_with_retry_after_then_success() -> None:
    limited = Reply(status=429, body=b'{"error": "slow down"}', headers={"Retry-After": "0.2"})
    server, _endpoint, events, error, _ = asyncio.run(stream_once([limited, OK]))
    assert error is None
    assert retries_of(events) == [RetryScheduled(0, "http_429", 0.2)]
    assert ResponseStart(200, 1) in events
    assert text_of(decoded(events)) == "fine"
    assert len(server.chat_requests) == 2


def test_retry_after_is_capped_by_option() -> None:
    limited = Reply(status=429, headers={"Retry-After": "120"})
    _, _, events, error, _ = asyncio.run(
        stream_once([limited, OK], options=OpenAIOptions(retry_after_max_s=0.05))
    )
    assert error is None
    assert retries_of(events) == [RetryScheduled(0, "http_429", 0.05)]


def test_500_then_success_with_backoff() -> None:
    server, _, events, error, _ = asyncio.run(
        stream_once([Reply(status=500, body=b"oops"), OK], backoff_base_s=0.04)
    )
    assert error is None
    (retry,) = retries_of(events)
    assert (retry.attempt, retry.reason) == (0, "http_5xx")
    assert 0.02 <= retry.wait_s <= 0.04  # jittered in [50 %, 100 %] of the base
    assert events[-1] == StreamDone()
    assert len(server.chat_requests) == 2


def test_5xx_until_retries_are_spent() -> None:
    failing = Reply(status=503, body=b"upstream unavailable")
    server, _, events, error, _ = asyncio.run(stream_once([failing], max_retries=2))
    assert error is not None
    assert (error.cause, error.status, error.retries) == ("http_5xx", 503, 2)
    assert "upstream unavailable" in str(error)
    assert "after 2 retries" in str(error)
    assert [r.attempt for r in retries_of(events)] == [0, 1]
    assert len(server.chat_requests) == 3


def test_429_until_retries_are_spent() -> None:
    _, _, _, error, _ = asyncio.run(stream_once([Reply(status=429)], max_retries=1))
    assert error is not None
    assert (error.cause, error.status, error.retries) == ("http_429", 429, 1)


def test_400_not_retried_with_body_in_message() -> None:
    body = b'{"error": {"message": "maximum context length is 4096 tokens", "code": 400}}'
    server, _, events, error, _ = asyncio.run(
        stream_once([Reply(status=400, body=body, content_type="application/json"), OK])
    )
    assert error is not None
    assert (error.cause, error.status, error.retries) == ("http_4xx", 400, 0)
    assert "maximum context length is 4096 tokens" in str(error)
    assert "\n" not in str(error)
    assert retries_of(events) == []
    assert len(server.chat_requests) == 1


def test_long_error_body_is_truncated() -> None:
    _, _, _, error, _ = asyncio.run(stream_once([Reply(status=422, body=b"e" * 100_000)]))
    assert error is not None
    assert error.cause == "http_4xx"
    assert len(str(error)) < 700


def test_json_instead_of_event_stream_is_a_protocol_error() -> None:
    reply = Reply(body=b'{"choices": []}', content_type="application/json")
    _, _, _, error, _ = asyncio.run(stream_once([reply]))
    assert error is not None
    assert (error.cause, error.status) == ("protocol", 200)


def test_connection_dropped_before_response_is_retried_at_once() -> None:
    # what a stale pooled keep-alive connection looks like; retried even with max_retries=0
    _, _endpoint, events, error, _ = asyncio.run(
        stream_once([Reply(drop_before_headers=True), OK], max_retries=0)
    )
    assert error is None
    assert retries_of(events) == [RetryScheduled(0, STALE_CONNECTION, 0.0)]  # a reconnect
    assert ResponseStart(200, 1) in events
    assert text_of(decoded(events)) == "fine"


def test_connection_dropped_before_response_twice_uses_the_budget() -> None:
    drop = Reply(drop_before_headers=True)
    _, _, events, error, _ = asyncio.run(stream_once([drop, drop, drop], max_retries=1))
    assert error is not None
    # the first resend is a reconnect (counted apart), the second uses the retry budget
    assert (error.cause, error.retries) == ("disconnected", 1)
    assert [(r.reason, r.wait_s == 0.0) for r in retries_of(events)] == [
        (STALE_CONNECTION, True),
        ("disconnected", False),
    ]


def test_dropped_after_headers_before_any_event_is_retried() -> None:
    drop = Reply(chunks=[b": still thinking\n\n"], drop_after_chunks=True)
    server, _, events, error, _ = asyncio.run(stream_once([drop, OK]))
    assert error is None
    assert [e for e in events if isinstance(e, ResponseStart)] == [
        ResponseStart(200, 0),
        ResponseStart(200, 1),
    ]
    assert len(server.chat_requests) == 2


def test_dropped_mid_stream_is_disconnected_not_retried() -> None:
    drop = Reply(chunks=[sse(chunk({"content": "half"})), 0.05], drop_after_chunks=True)
    server, _endpoint, events, error, _ = asyncio.run(stream_once([drop, OK]))
    assert error is not None
    assert (error.cause, error.retries) == ("disconnected", 0)
    assert text_of(decoded(events)) == "half"
    assert len(server.chat_requests) == 1


def test_idle_timeout() -> None:
    stalled = Reply(chunks=[sse(chunk({"content": "a"})), 3.0, sse(chunk({"content": "b"})), DONE])
    _, _endpoint, events, error, elapsed = asyncio.run(stream_once([stalled], idle_timeout_s=0.3))
    assert error is not None
    assert (error.cause, error.retries) == ("timeout_idle", 0)
    assert error.is_timeout
    assert text_of(decoded(events)) == "a"
    assert elapsed < 2.5  # generous: 0.3 s timeout, the server would stall 3 s


def test_keepalive_comments_reset_the_idle_timeout() -> None:
    body: list[Chunk] = [sse(chunk({"content": "a"}))]
    body += [0.1, b": keep-alive\n\n"] * 6
    body += [sse(chunk({"content": "b"})), DONE]
    _, _endpoint, events, error, _ = asyncio.run(
        stream_once([Reply(chunks=body)], idle_timeout_s=0.4)
    )
    assert error is None
    assert text_of(decoded(events)) == "ab"


def test_ttfb_timeout_waiting_for_headers() -> None:
    slow = Reply(chunks=chat_stream(["late"]), headers_delay_s=3.0)
    _, _, events, error, elapsed = asyncio.run(stream_once([slow], ttfb_timeout_s=0.3))
    assert error is not None
    assert (error.cause, error.retries) == ("timeout_ttfb", 0)
    assert events == []
    assert elapsed < 2.5  # generous: 0.3 s timeout, 3 s server delay


def test_ttfb_timeout_covers_the_first_event() -> None:
    # headers at once, then only keep-alive comments: no first event within the timeout
    body: list[Chunk] = [b": queued\n\n", 0.2, b": queued\n\n", 0.2, b": queued\n\n", 3.0, DONE]
    _, _, events, error, _ = asyncio.run(
        stream_once([Reply(chunks=body)], ttfb_timeout_s=0.5, idle_timeout_s=5.0)
    )
    assert error is not None
    assert error.cause == "timeout_ttfb"
    assert events == [ResponseStart(200, 0)]


def test_whole_request_timeout() -> None:
    body = [piece for _ in range(40) for piece in (sse(chunk({"content": "x"})), 0.05)]
    _, _, events, error, _ = asyncio.run(
        stream_once([Reply(chunks=[*body, DONE])], request_timeout_s=0.5)
    )
    assert error is not None
    assert error.cause == "timeout_total"
    assert 2 <= events.chunks < 40


def test_retry_wait_beyond_the_request_timeout_fails_at_once() -> None:
    limited = Reply(status=429, headers={"Retry-After": "20"})
    _, _, _, error, elapsed = asyncio.run(stream_once([limited, OK], request_timeout_s=1.0))
    assert error is not None
    assert (error.cause, error.status) == ("http_429", 429)
    assert "request timeout" in str(error)
    assert elapsed < 1.0  # generous: fails before the 20 s wait


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def timed_collect(url: str, **overrides: Any) -> tuple[Trace, TransportError | None, float]:
    """One request to ``url`` with no server script: what ``collect`` saw, and its seconds."""
    endpoint = make_endpoint(url, **overrides)
    await endpoint.open()
    try:
        started = time.perf_counter()
        events, error = await collect(endpoint)
        return events, error, time.perf_counter() - started
    finally:
        await endpoint.close()


def test_dead_endpoint_fails_well_within_the_connect_timeout() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    events, error, elapsed = asyncio.run(timed_collect(url, connect_timeout_s=5.0))
    assert error is not None
    assert (error.cause, error.retries) == ("connect", 3)
    assert "cannot connect to http://127.0.0.1:" in str(error)
    assert "\n" not in str(error)
    assert len(retries_of(events)) == 3
    assert elapsed < 2.5  # generous: the connect timeout is 5 s, backoffs sum to < 0.3 s


def test_stream_ends_with_done_even_if_the_body_lingers() -> None:
    # a server that sends [DONE] but keeps the body open: the stream still completes
    body: list[Chunk] = [sse(chunk({"content": "x"})), DONE, 3.0]
    _, _endpoint, events, error, elapsed = asyncio.run(
        stream_once([Reply(chunks=body)], idle_timeout_s=5.0)
    )
    assert error is None
    assert decoded(events)[-1] == StreamDone()
    assert elapsed < 2.5  # generous: 1 s grace after [DONE], not 3 s


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux dropping SYNs on a full queue")
def test_connect_timeout_is_not_retried() -> None:
    # a listener that never accepts, its queue filled: Linux drops further SYNs, so the
    # connection attempt hangs until the connect timeout
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(3):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        url = f"http://127.0.0.1:{port}"
        events, error, elapsed = asyncio.run(timed_collect(url, connect_timeout_s=0.4))
    assert error is not None
    assert (error.cause, error.retries) == ("timeout_connect", 0)
    assert error.is_timeout
    assert events == []
    assert 0.3 < elapsed < 2.0  # generous around the 0.4 s connect timeout


def test_a_redirect_is_not_followed_and_names_its_location() -> None:
    moved = Reply(status=307, headers={"Location": "http://elsewhere:8000/v1/chat/completions"})
    server, _endpoint, events, error, _ = asyncio.run(stream_once([moved, OK]))
    assert error is not None
    assert (error.cause, error.status, error.retries) == ("http_4xx", 307, 0)
    assert "http://elsewhere:8000/v1/chat/completions" in str(error)
    assert "redirects are not followed" in str(error)
    assert retries_of(events) == [] and len(server.chat_requests) == 1


def test_a_compressed_event_stream_is_a_protocol_error() -> None:
    # pawbench asks for identity; a server or proxy that compresses anyway gets a clear error
    gzipped = Reply(chunks=chat_stream(["x"]), headers={"Content-Encoding": "gzip"})
    _, _endpoint, _, error, _ = asyncio.run(stream_once([gzipped]))
    assert error is not None
    assert (error.cause, error.retries) == ("protocol", 0)
    assert "Content-Encoding: gzip" in str(error)
