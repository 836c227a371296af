"""The pull plugin API: an endpoint that implements only ``stream`` (an async generator of wire
events) and ``decode`` works through the base class's ``exchange``, and the dispatcher makes
the same record from it as from a push endpoint: stamps, text, usage, retries, reconnects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator

from pawbench.api import (
    STALE_CONNECTION,
    ChatRequest,
    ContentDelta,
    Endpoint,
    EndpointConfig,
    FinishReason,
    ModelInfo,
    NoOptions,
    ResponseStart,
    RetryScheduled,
    SSEData,
    StreamDone,
    StreamEvent,
    UsageInfo,
    WireEvent,
)
from pawbench.engine.dispatcher import Dispatcher, RequestMeta
from pawbench.engine.tokens import TokenCounter


class PullEndpoint(Endpoint):
    """Answers every request with a scripted stream: a reconnect, a 503 retry, then three
    pieces of text, a finish reason, usage and [DONE], 5 ms apart."""

    name = "pull-test"

    async def list_models(self) -> list[ModelInfo]:
        return [ModelInfo(id="m")]

    async def stream(self, request: ChatRequest) -> AsyncGenerator[WireEvent, None]:
        yield RetryScheduled(0, STALE_CONNECTION, 0.0)
        yield RetryScheduled(1, "http_5xx", 0.0)
        yield ResponseStart(200, 2)
        for data in (b"Hel", b"lo", b" pull", b"!stop", b"!usage", b"[DONE]"):
            await asyncio.sleep(0.005)
            yield SSEData(data)

    def decode(self, data: bytes) -> list[StreamEvent]:
        if data == b"[DONE]":
            return [StreamDone()]
        if data == b"!stop":
            return [FinishReason("stop")]
        if data == b"!usage":
            return [UsageInfo(prompt_tokens=7, completion_tokens=3)]
        return [ContentDelta(data.decode())]


def test_a_pull_endpoint_gives_a_full_record() -> None:
    endpoint = PullEndpoint(EndpointConfig(base_url="http://unused"), NoOptions())
    dispatcher = Dispatcher(endpoint, time.perf_counter_ns(), TokenCounter())
    request = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}])
    meta = RequestMeta("r1", "s1", "x", "a", 1, 0, 0)
    record = asyncio.run(dispatcher.send(request, meta))
    assert record.status == "ok"
    assert record.content == "Hello pull"
    assert (record.prompt_tokens, record.completion_tokens) == (7, 3)
    assert record.tokens_estimated is False
    assert (record.retries, record.reconnects, record.http_status) == (1, 1, 200)
    assert record.finish_reason == "stop"
    assert record.chunks == 6
    assert len(record.itl_ms) == 2 and all(gap >= 4.0 for gap in record.itl_ms)
    assert record.t_first_token_ns is not None and record.t_headers_ns is not None
    assert record.t_headers_ns <= record.t_first_token_ns < record.t_end_ns
