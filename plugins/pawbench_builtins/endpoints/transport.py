"""One HTTP attempt of a streamed chat completion: classifying failures, and the watchdog that
keeps an attempt's time-to-first-event, idle and whole-request deadlines.

Every failure of an attempt is an ``AttemptFailure``; the endpoint decides whether to retry it
and turns the final one into a ``TransportError``. Deadlines are ``loop.time()`` values: control,
never measurement (the core stamps what the endpoint reports as it arrives).
"""

from __future__ import annotations

import asyncio

from pawbench.api import EndpointConfig, StreamDecoder

from .http1 import ConnectFailed, Connection, ConnectionLost, Head, HTTPError, MalformedResponse
from .retry import parse_retry_after

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


def connect_failure(exc: ConnectFailed, url: str, config: EndpointConfig) -> AttemptFailure:
    """The failure for a connection that could not be made (TLS failures are not retried)."""
    if exc.tls:
        hint = " (TLS verification can be switched off)" if config.verify_tls else ""
        return AttemptFailure("connect", f"TLS error connecting to {url}: {exc}{hint}")
    return AttemptFailure("connect", f"cannot connect to {url}: {exc}", retryable=True)


def exchange_failure(exc: HTTPError, url: str, got_events: bool) -> AttemptFailure:
    """The failure for an exchange that broke after the request was sent."""
    if isinstance(exc, ConnectionLost):
        if exc.before_response:
            return AttemptFailure(
                "disconnected",
                f"{url}: connection closed before any response",
                retryable=True,
                stale=True,
            )
        return AttemptFailure(
            "disconnected",
            f"{url}: connection lost during the response",
            retryable=not got_events,
        )
    if isinstance(exc, MalformedResponse):
        return AttemptFailure("protocol", f"{url}: invalid HTTP response: {exc}")
    return AttemptFailure("protocol", f"{url}: request failed: {exc}")


def status_failure(head: Head, url: str) -> AttemptFailure:
    """The failure for a response that is not an event stream."""
    status = head.status
    retry_after = parse_retry_after(head.headers.get("retry-after"))
    if status == 429:
        return AttemptFailure(
            "http_429", f"{url}: HTTP 429", status=status, retryable=True, retry_after_s=retry_after
        )
    if status >= 500:
        return AttemptFailure(
            "http_5xx",
            f"{url}: HTTP {status}",
            status=status,
            retryable=True,
            retry_after_s=retry_after,
        )
    if 200 <= status < 300:
        kind = head.headers.get("content-type", "?")
        return AttemptFailure(
            "protocol", f"{url}: expected an event stream, got {kind}", status=status
        )
    if 300 <= status < 400:
        where = head.headers.get("location", "?")
        return AttemptFailure(
            "http_4xx",
            f"{url}: HTTP {status} to {where} (redirects are not followed: use the final URL)",
            status=status,
        )
    return AttemptFailure("http_4xx", f"{url}: HTTP {status}", status=status)


def is_event_stream(head: Head) -> bool:
    """A 2xx response that is not plain JSON (servers that ignore ``stream`` answer JSON)."""
    return 200 <= head.status < 300 and not head.content_type.endswith("json")


class Expired(Exception):
    """Raised into an exchange by its watchdog when a deadline passed; ``cause`` says which."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class Watchdog:
    """The deadlines of one attempt, kept by one timer re-armed only when it fires or when the
    stream changes phase (first event, ``[DONE]``), not per read: a read costs a clock reading.

    Until the first event: the first-byte deadline; then the idle timeout since the last bytes
    arrived (keep-alive comments included); always the whole-request deadline. After
    ``[DONE]``, a short grace for the end of the body; when it passes, the connection is
    closed and the attempt ends normally.
    """

    __slots__ = (
        "_config",
        "_conn",
        "_decoder",
        "_loop",
        "_phase",
        "_timer",
        "_total_deadline",
        "_ttfb_deadline",
        "last",
    )

    def __init__(
        self,
        conn: Connection,
        config: EndpointConfig,
        ttfb_deadline: float,
        total_deadline: float | None,
    ) -> None:
        self._conn = conn
        self._config = config
        self._loop = asyncio.get_running_loop()
        self._ttfb_deadline = ttfb_deadline
        self._total_deadline = total_deadline
        self._decoder: StreamDecoder | None = None
        self._phase = 0  # 0 before the first event, 1 streaming, 2 after [DONE]
        self._timer: asyncio.TimerHandle | None = None
        self.last = self._loop.time()
        self._arm()

    def follow(self, decoder: StreamDecoder) -> None:
        """Watch this decoder's progress (the attempt's body started)."""
        self._decoder = decoder
        self.last = self._loop.time()

    def seen(self) -> None:
        """Body bytes arrived: note the time; re-arm if the phase changed."""
        self.last = self._loop.time()
        decoder = self._decoder
        if decoder is not None:
            phase = 2 if decoder.done else 1 if decoder.started else 0
            if phase != self._phase:
                self._phase = phase
                self._arm()

    def stop(self) -> None:
        """Stop the timer (the attempt is over)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _arm(self) -> None:
        self.stop()
        self._timer = self._loop.call_at(self._deadline()[0], self._fire)

    def _fire(self) -> None:
        self._timer = None
        deadline, cause = self._deadline()
        if self._loop.time() < deadline:
            self._timer = self._loop.call_at(deadline, self._fire)
        elif self._phase == 2:
            self._conn.abandon()
        else:
            self._conn.abort(Expired(cause))

    def _deadline(self) -> tuple[float, str]:
        if self._phase == 0:
            return bound(self._ttfb_deadline, "timeout_ttfb", self._total_deadline)
        if self._phase == 2:
            return self.last + min(DONE_GRACE_S, self._config.idle_timeout_s), "timeout_idle"
        return bound(self.last + self._config.idle_timeout_s, "timeout_idle", self._total_deadline)
