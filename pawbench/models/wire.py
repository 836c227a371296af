"""What flows between the core and an endpoint plugin: the chat request, the raw wire events an
endpoint yields (stamped by the core as they arrive, before any parsing), and the decoded stream
events. Frozen slotted dataclasses: these sit on the per-chunk hot path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
    """Answer text. ``chunks`` > 1: the text of that many consecutive SSE events that arrived
    together (in one read), each carrying one piece of it; a decoder may merge them."""

    text: str
    chunks: int = 1


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """Reasoning text; ``chunks`` as for ``ContentDelta``."""

    text: str
    chunks: int = 1


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


class StreamDecoder(Protocol):
    """Turns the body of one response attempt into stream events, incrementally. The endpoint
    makes one per attempt and hands it to the core with the response start; the core feeds it
    each piece of body the endpoint reports, right after stamping the piece, so decoding never
    delays a timestamp. What a piece is (raw event-stream bytes, one SSE event's data) is the
    endpoint's business; the core treats it as opaque.

    ``events`` counts the events with data decoded so far (a request record's ``chunks``);
    ``started`` is true once one has been decoded, ``done`` once the end-of-stream marker has.
    """

    events: int
    started: bool
    done: bool

    def feed(self, data: bytes) -> list[StreamEvent]:
        """The stream events completed by this piece of body (often none)."""
        ...

    def finish(self) -> list[StreamEvent]:
        """At the end of the body: the events of any unterminated last piece."""
        ...


class StreamReceiver(Protocol):
    """What an endpoint reports one request's wire traffic to, as it happens (implemented by
    the core, which stamps every call on arrival). Calls come from the event loop's thread; a
    call must not be delayed: make it from the I/O callback that read the bytes where possible."""

    def on_response_start(self, status: int, attempt: int, decoder: StreamDecoder) -> None:
        """Response headers of attempt ``attempt`` (0 = first) arrived; its body goes to
        ``decoder``."""
        ...

    def on_retry(self, attempt: int, reason: str, wait_s: float) -> None:
        """Attempt ``attempt`` failed in a retryable way; the next starts in ``wait_s``."""
        ...

    def on_data(self, data: bytes) -> None:
        """A piece of the current attempt's body; decoded (``decoder.feed``) before returning."""
        ...

    def on_end(self) -> None:
        """The current attempt's body ended; ``decoder.finish`` is called before returning."""
        ...


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
