"""Helpers shared by the endpoint tests: a fast-failing config, an endpoint, event collection."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, NamedTuple

from pawbench_builtins.endpoints.openai import OpenAIEndpoint, OpenAIOptions

from pawbench.api import (
    ChatRequest,
    ContentDelta,
    EndpointConfig,
    ReasoningDelta,
    ResponseStart,
    RetryScheduled,
    StreamDecoder,
    StreamEvent,
    ToolCallDelta,
    TransportError,
    WireEvent,
)

from .scripted_server import Reply, ScriptedServer

REQUEST = ChatRequest(model="scripted-model", messages=[{"role": "user", "content": "hi"}])

# short timeouts and backoffs keep failing tests fast; tests that need others override them
FAST: dict[str, Any] = {
    "connect_timeout_s": 5.0,
    "ttfb_timeout_s": 5.0,
    "idle_timeout_s": 5.0,
    "backoff_base_s": 0.02,
    "backoff_max_s": 0.1,
    "max_connections": 4,
}


def make_endpoint(base_url: str, **overrides: Any) -> OpenAIEndpoint:
    """An endpoint for ``base_url`` with the FAST settings plus ``overrides``."""
    options = overrides.pop("options", OpenAIOptions())
    return OpenAIEndpoint(EndpointConfig(base_url=base_url, **{**FAST, **overrides}), options)


Recorded = ResponseStart | RetryScheduled | StreamEvent
"""What a ``Recorder`` records: the reports and the decoded events (never raw ``SSEData``)."""


class Trace(list[Recorded]):
    """What a ``Recorder`` was told, in order: ``ResponseStart`` and ``RetryScheduled`` for the
    reports, and the decoded events of every piece of body; ``chunks`` counts the SSE events
    with data over all attempts."""

    chunks = 0


class Recorder:
    """A ``StreamReceiver`` that records (the core's dispatcher stamps instead)."""

    def __init__(self) -> None:
        self.trace = Trace()
        self.decoder: StreamDecoder | None = None
        self.decoders: list[StreamDecoder] = []
        self.pieces = 0

    def on_response_start(self, status: int, attempt: int, decoder: StreamDecoder) -> None:
        self.trace.append(ResponseStart(status, attempt))
        self.decoder = decoder
        self.decoders.append(decoder)

    def on_retry(self, attempt: int, reason: str, wait_s: float) -> None:
        self.trace.append(RetryScheduled(attempt, reason, wait_s))

    def on_data(self, data: bytes) -> None:
        assert self.decoder is not None, "body before the response start"
        self.pieces += 1
        self.trace.extend(self.decoder.feed(data))

    def on_end(self) -> None:
        assert self.decoder is not None, "end before the response start"
        self.trace.extend(self.decoder.finish())


async def collect(
    endpoint: OpenAIEndpoint, request: ChatRequest = REQUEST
) -> tuple[Trace, TransportError | None]:
    """Every report and decoded event of one streamed request, and the TransportError that
    ended it if any."""
    recorder = Recorder()
    try:
        await endpoint.exchange(request, recorder)
    except TransportError as exc:
        return _counted(recorder), exc
    return _counted(recorder), None


def _counted(recorder: Recorder) -> Trace:
    recorder.trace.chunks = sum(decoder.events for decoder in recorder.decoders)
    return recorder.trace


class Outcome(NamedTuple):
    """What ``stream_once`` saw; ``elapsed_s`` is the client's time for the whole stream."""

    server: ScriptedServer
    endpoint: OpenAIEndpoint
    events: Trace
    error: TransportError | None
    elapsed_s: float


async def stream_once(
    replies: Sequence[Reply],
    *,
    request: ChatRequest = REQUEST,
    server_options: dict[str, Any] | None = None,
    **overrides: Any,
) -> Outcome:
    """Start a scripted server, stream one request against it, stop everything."""
    async with ScriptedServer(replies, **(server_options or {})) as server:
        endpoint = make_endpoint(server.base_url, **overrides)
        await endpoint.open()
        try:
            started = time.perf_counter()
            events, error = await collect(endpoint, request)
            elapsed = time.perf_counter() - started
        finally:
            await endpoint.close()
    return Outcome(server, endpoint, events, error, elapsed)


def decoded(events: Sequence[Recorded]) -> list[StreamEvent]:
    """The decoded stream events of a trace (without the reports)."""
    return [e for e in events if not isinstance(e, ResponseStart | RetryScheduled)]


def text_of(events: Sequence[WireEvent | StreamEvent]) -> str:
    """The concatenated content deltas."""
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


def reasoning_of(events: Sequence[WireEvent | StreamEvent]) -> str:
    """The concatenated reasoning deltas."""
    return "".join(e.text for e in events if isinstance(e, ReasoningDelta))


def tool_calls_of(events: Sequence[WireEvent | StreamEvent]) -> dict[int, dict[str, str]]:
    """Tool calls assembled by index: id, name and the joined argument fragments."""
    calls: dict[int, dict[str, str]] = {}
    for event in events:
        if isinstance(event, ToolCallDelta):
            call = calls.setdefault(event.index, {"id": "", "name": "", "arguments": ""})
            call["id"] = event.id or call["id"]
            call["name"] = event.name or call["name"]
            call["arguments"] += event.arguments
    return calls
