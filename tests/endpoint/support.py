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
    SSEData,
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


async def collect(
    endpoint: OpenAIEndpoint, request: ChatRequest = REQUEST
) -> tuple[list[WireEvent], TransportError | None]:
    """Every wire event of one streamed request, and the TransportError that ended it if any."""
    events: list[WireEvent] = []
    try:
        async for event in endpoint.stream(request):
            events.append(event)
    except TransportError as exc:
        return events, exc
    return events, None


class Outcome(NamedTuple):
    """What ``stream_once`` saw; ``elapsed_s`` is the client's time for the whole stream."""

    server: ScriptedServer
    endpoint: OpenAIEndpoint
    events: list[WireEvent]
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


def decoded(endpoint: OpenAIEndpoint, events: Sequence[WireEvent]) -> list[StreamEvent]:
    """The stream events of every SSEData, decoded by the endpoint."""
    out: list[StreamEvent] = []
    for event in events:
        if isinstance(event, SSEData):
            out.extend(endpoint.decode(event.data))
    return out


def text_of(events: Sequence[StreamEvent]) -> str:
    """The concatenated content deltas."""
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


def reasoning_of(events: Sequence[StreamEvent]) -> str:
    """The concatenated reasoning deltas."""
    return "".join(e.text for e in events if isinstance(e, ReasoningDelta))


def tool_calls_of(events: Sequence[StreamEvent]) -> dict[int, dict[str, str]]:
    """Tool calls assembled by index: id, name and the joined argument fragments."""
    calls: dict[int, dict[str, str]] = {}
    for event in events:
        if isinstance(event, ToolCallDelta):
            call = calls.setdefault(event.index, {"id": "", "name": "", "arguments": ""})
            call["id"] = event.id or call["id"]
            call["name"] = event.name or call["name"]
            call["arguments"] += event.arguments
    return calls
