"""What flows between the core and an endpoint plugin: the chat request, the raw wire events an
endpoint yields (stamped by the core as they arrive, before any parsing), and the decoded stream
events. Frozen slotted dataclasses: these sit on the per-chunk hot path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One chat completion request as a correct agent sends it."""

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    seed: int | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)


# --- raw wire events, yielded by Endpoint.stream() and stamped by the core on arrival ---


@dataclass(frozen=True, slots=True)
class ResponseStart:
    """Response headers received (HTTP status) for attempt number ``attempt`` (0 = first)."""

    status: int
    attempt: int = 0


STALE_CONNECTION = "stale_connection"
"""``RetryScheduled.reason`` of an immediate resend after a pooled keep-alive connection was
found closed before any response: a reconnect, not a failure of the server, counted apart."""


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """An attempt failed in a retryable way; the endpoint waits ``wait_s`` and tries again."""

    attempt: int
    reason: str
    wait_s: float


@dataclass(frozen=True, slots=True)
class SSEData:
    """The data of one complete server-sent event, not yet parsed."""

    data: bytes


WireEvent = ResponseStart | RetryScheduled | SSEData


# --- decoded events, returned by Endpoint.decode() ---


@dataclass(frozen=True, slots=True)
class ContentDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a tool call; fragments are assembled by ``index``."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class UsageInfo:
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class FinishReason:
    reason: str


@dataclass(frozen=True, slots=True)
class StreamErrorEvent:
    """An error event sent by the server in the middle of a stream."""

    message: str


@dataclass(frozen=True, slots=True)
class StreamDone:
    """The ``[DONE]`` sentinel."""


StreamEvent = (
    ContentDelta
    | ReasoningDelta
    | ToolCallDelta
    | UsageInfo
    | FinishReason
    | StreamErrorEvent
    | StreamDone
)


class TransportError(Exception):
    """A request that failed for good (after any retries). ``cause`` is one of: connect,
    timeout_connect, timeout_ttfb, timeout_idle, timeout_total, http_429, http_4xx, http_5xx,
    disconnected, protocol. Messages never contain credentials."""

    def __init__(
        self, cause: str, message: str, *, status: int | None = None, retries: int = 0
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.status = status
        self.retries = retries

    @property
    def is_timeout(self) -> bool:
        return self.cause.startswith("timeout")
