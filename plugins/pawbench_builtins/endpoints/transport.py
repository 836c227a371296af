"""One HTTP attempt of a streamed chat completion: sending, classifying failures, reading the
event-stream body under the time-to-first-event, idle and whole-request deadlines.

Every failure of an attempt is an ``AttemptFailure``; the endpoint decides whether to retry it
and turns the final one into a ``TransportError``. Deadlines are ``loop.time()`` values: control,
never measurement (the core stamps events as the endpoint yields them).
"""

from __future__ import annotations

import asyncio

import aiohttp

from pawbench.api import EndpointConfig

from .decode import DONE
from .retry import parse_retry_after
from .sse import SSEParser

ERROR_BODY_BYTES = 64 * 1024
DONE_GRACE_S = 1.0
"""After ``[DONE]``, how long to wait for the end of the body before closing the connection."""


class AttemptFailure(Exception):
    """An attempt that failed. ``retryable`` failures happened before any event data arrived;
    ``stale`` marks a connection dropped before any byte of response (most likely a pooled
    keep-alive connection the server had just closed), which is retried at once."""

    def __init__(
        self,
        cause: str,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after_s: float | None = None,
        stale: bool = False,
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.stale = stale


def bound(deadline: float, cause: str, total_deadline: float | None) -> tuple[float, str]:
    """The earlier of a phase deadline and the whole-request deadline, with its cause."""
    if total_deadline is not None and total_deadline <= deadline:
        return total_deadline, "timeout_total"
    return deadline, cause


def timeout_failure(cause: str, url: str, config: EndpointConfig) -> AttemptFailure:
    """The failure for a deadline that passed."""
    what = {
        "timeout_ttfb": f"no first event within {config.ttfb_timeout_s:g} s (first-byte timeout)",
        "timeout_idle": f"no data for {config.idle_timeout_s:g} s (idle timeout)",
        "timeout_total": f"request exceeded its timeout ({config.request_timeout_s} s)",
        "timeout_connect": f"no connection within {config.connect_timeout_s:g} s",
    }[cause]
    return AttemptFailure(cause, f"{url}: {what}")


def request_failure(exc: aiohttp.ClientError, url: str, config: EndpointConfig) -> AttemptFailure:
    """The failure for an exception raised while sending a request and awaiting its headers."""
    if isinstance(exc, aiohttp.ClientSSLError):
        hint = " (TLS verification can be switched off)" if config.verify_tls else ""
        return AttemptFailure("connect", f"TLS error connecting to {url}: {exc.os_error}{hint}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return AttemptFailure("connect", f"cannot connect to {url}: {exc.os_error}", retryable=True)
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return timeout_failure("timeout_connect", url, config)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        return AttemptFailure(
            "disconnected",
            f"{url}: connection closed before any response ({type(exc).__name__})",
            retryable=True,
            stale=True,
        )
    if isinstance(exc, aiohttp.ClientResponseError):
        return AttemptFailure("protocol", f"{url}: invalid HTTP response: {exc.message}")
    return AttemptFailure("protocol", f"{url}: request failed: {type(exc).__name__}")


async def status_failure(
    resp: aiohttp.ClientResponse, url: str, deadline: float
) -> tuple[AttemptFailure, bytes]:
    """The failure for a response that is not an event stream, and (part of) its body.
    The caller redacts and truncates the body into the message; the response is closed."""
    try:
        async with asyncio.timeout_at(deadline):
            body = await _read_up_to(resp.content, ERROR_BODY_BYTES)
    except (TimeoutError, aiohttp.ClientError):
        body = b""
    finally:
        resp.close()
    status = resp.status
    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
    if status == 429:
        failure = AttemptFailure(
            "http_429", f"{url}: HTTP 429", status=status, retryable=True, retry_after_s=retry_after
        )
    elif status >= 500:
        failure = AttemptFailure(
            "http_5xx",
            f"{url}: HTTP {status}",
            status=status,
            retryable=True,
            retry_after_s=retry_after,
        )
    elif 200 <= status < 300:
        kind = resp.headers.get("Content-Type", "?")
        failure = AttemptFailure(
            "protocol", f"{url}: expected an event stream, got {kind}", status=status
        )
    else:
        failure = AttemptFailure("http_4xx", f"{url}: HTTP {status}", status=status)
    return failure, body


async def _read_up_to(content: aiohttp.StreamReader, limit: int) -> bytes:
    body = b""
    while len(body) < limit:
        part = await content.read(limit - len(body))
        if not part:
            break
        body += part
    return body


def is_event_stream(resp: aiohttp.ClientResponse) -> bool:
    """A 2xx response that is not plain JSON (servers that ignore ``stream`` answer JSON)."""
    return 200 <= resp.status < 300 and not resp.content_type.endswith("json")


class _Expired(Exception):
    """Raised into a waiting read by the reader's watchdog when its deadline passed."""


class EventReader:
    """Reads the event-stream body of one attempt and returns complete SSE event data.

    Until the first event is complete, reads are bounded by the first-byte deadline; after it,
    by the idle timeout since the last bytes arrived (keep-alive comments included); always
    by the whole-request deadline. After ``[DONE]`` it waits briefly for the end of the body so
    that the connection can be reused, and never fails.

    The deadlines are kept by one watchdog timer per reader, re-armed only when it fires, not
    by a timeout per read: a read costs a clock reading, not a timer (the hot path of
    thousands of streams). ``close`` stops the watchdog.
    """

    __slots__ = (
        "_cause",
        "_config",
        "_content",
        "_done",
        "_last",
        "_loop",
        "_parser",
        "_timer",
        "_total_deadline",
        "_ttfb_deadline",
        "_url",
        "_waiting",
        "clean_eof",
        "got_data",
    )

    def __init__(
        self,
        resp: aiohttp.ClientResponse,
        url: str,
        config: EndpointConfig,
        ttfb_deadline: float,
        total_deadline: float | None,
    ) -> None:
        self._content = resp.content
        self._url = url
        self._config = config
        self._loop = asyncio.get_running_loop()
        self._ttfb_deadline = ttfb_deadline
        self._total_deadline = total_deadline
        self._parser = SSEParser()
        self._done = False
        self._last = self._loop.time()
        self._waiting = False
        self._timer: asyncio.TimerHandle | None = None
        self._cause = "timeout_idle"
        self.got_data = False
        self.clean_eof = False

    async def next_batch(self) -> list[bytes] | None:
        """The data of the next complete events (at least one), or None at the end."""
        parser = self._parser
        while True:
            chunk = await self._read()
            if not chunk:
                self.close()
                self.clean_eof = chunk is not None
                batch = parser.finish() if chunk is not None else []
                return self._seen(batch) if batch else None
            batch = parser.feed(chunk)
            if batch:
                return self._seen(batch)

    def close(self) -> None:
        """Stop the watchdog (the body is finished or abandoned)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _seen(self, batch: list[bytes]) -> list[bytes]:
        if not self.got_data:
            self.got_data = True
            self.close()  # the deadline changes from first byte to idle: re-arm on next wait
        if not self._done and DONE in batch:
            self._done = True
            self.close()  # and to the short grace after [DONE]
        return batch

    async def _read(self) -> bytes | None:
        """The next chunk; b"" at the end of the body, None when given up after ``[DONE]``."""
        content = self._content
        try:
            chunk = content.read_nowait()
            if not chunk and not content.at_eof():
                if self._timer is None:
                    self._timer = self._loop.call_at(self._deadline()[0], self._watch)
                self._waiting = True
                try:
                    chunk = await content.readany()
                finally:
                    self._waiting = False
        except _Expired:
            if self._done:
                return None
            raise timeout_failure(self._cause, self._url, self._config) from None
        except aiohttp.ClientError as exc:
            return self._lost(exc)
        self._last = self._loop.time()
        return chunk

    def _watch(self) -> None:
        """The watchdog: expire the waiting read when its deadline passed, else re-arm."""
        self._timer = None
        deadline, cause = self._deadline()
        now = self._loop.time()
        if now >= deadline and self._waiting:
            self._cause = cause
            self._content.set_exception(_Expired())
            return
        # not waiting (the consumer is busy): look again shortly
        self._timer = self._loop.call_at(max(deadline, now + 0.05), self._watch)

    def _lost(self, exc: aiohttp.ClientError) -> bytes | None:
        """None after ``[DONE]`` (the answer is complete); else the failure is raised."""
        if self._done:
            return None
        raise AttemptFailure(
            "disconnected",
            f"{self._url}: connection lost during the response ({type(exc).__name__})",
            retryable=not self.got_data,
        ) from None

    def _deadline(self) -> tuple[float, str]:
        if not self.got_data:
            return bound(self._ttfb_deadline, "timeout_ttfb", self._total_deadline)
        if self._done:
            return self._last + min(DONE_GRACE_S, self._config.idle_timeout_s), "timeout_idle"
        idle = self._last + self._config.idle_timeout_s
        return bound(idle, "timeout_idle", self._total_deadline)
