"""The ``openai`` endpoint: OpenAI-compatible chat completions, streamed over aiohttp.

Works with vLLM, SGLang, TGI, llama.cpp, Ollama, LM Studio and OpenAI itself. One
``aiohttp.ClientSession`` per run, its connector sized to the run's concurrency (never the
library's default cap of 100), no total timeout on long streams. ``stream`` never reads a clock
for measurement: it yields raw wire events that the core stamps as they arrive.

Retries (bounded by ``max_retries``, only before any event data arrived): connection errors,
429 and 5xx, with exponential backoff or the server's ``Retry-After``. A connection dropped
before any byte of response (a pooled keep-alive connection the server had just closed) is
retried at once, once per request even beyond ``max_retries``; it is counted as a retry.
``RetryScheduled.attempt`` is the number of the attempt that failed (0 = the first), as in
``ResponseStart``. Timeouts and other 4xx are not retried; a drop mid-stream is ``disconnected``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncGenerator, Callable
from typing import Any

import aiohttp
import orjson
from pydantic import BaseModel, ConfigDict, Field

from pawbench.api import (
    STALE_CONNECTION,
    ChatRequest,
    Endpoint,
    EndpointConfig,
    ModelInfo,
    ResponseStart,
    RetryScheduled,
    SSEData,
    StreamErrorEvent,
    StreamEvent,
    TransportError,
    WireEvent,
    hookimpl,
)

from .decode import decode_chunk, parse_models, snippet
from .retry import backoff_s
from .transport import (
    ERROR_BODY_BYTES,
    AttemptFailure,
    EventReader,
    bound,
    is_event_stream,
    request_failure,
    status_failure,
    timeout_failure,
)
from .urls import Redactor, api_url, split_userinfo

ERROR_TEXT_CHARS = 500


class OpenAIOptions(BaseModel):
    """Settings of the ``openai`` endpoint beyond the common endpoint configuration."""

    model_config = ConfigDict(extra="forbid")

    keepalive_timeout_s: float = Field(
        default=4.0,
        gt=0,
        description="Close idle pooled connections after this long: below the 5 s keep-alive "
        "of common servers, so that they rarely close a connection under a new request.",
    )
    retry_after_max_s: float = Field(
        default=30.0, ge=0, description="Longest Retry-After wait honoured (seconds)."
    )


class OpenAIEndpoint(Endpoint):
    """OpenAI-compatible chat completions, streamed (vLLM, SGLang, TGI, llama.cpp, Ollama, ...)."""

    name = "openai"
    Options = OpenAIOptions

    def __init__(self, config: EndpointConfig, options: BaseModel) -> None:
        super().__init__(config, options)
        self.opts = (
            options
            if isinstance(options, OpenAIOptions)
            else OpenAIOptions.model_validate(options.model_dump())
        )
        base = config.base_url.strip()
        if "://" not in base:
            base = "http://" + base
        base, user, password = split_userinfo(base)
        self.chat_url = api_url(base, "chat/completions")
        self.models_url = api_url(base, "models")
        self._redact = Redactor(_secrets(config, user, password))
        self._redacting = self._redact.active  # fixed once built; read per chunk
        self._headers = _headers(config, user, password)
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"OpenAIEndpoint(url={self.chat_url!r}, model={self.config.model!r})"

    async def open(self) -> None:
        """Create the run's session: a connector sized to ``max_connections``."""
        if self._session is not None:
            return
        size = max(1, self.config.max_connections)
        connector = aiohttp.TCPConnector(
            limit=size,
            limit_per_host=size,
            ssl=self.config.verify_tls,
            keepalive_timeout=self.opts.keepalive_timeout_s,
        )
        timeout = aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=self.config.connect_timeout_s, sock_read=None
        )
        self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)

    async def close(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _require_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("OpenAIEndpoint.open() must be awaited before requests")
        return self._session

    async def list_models(self) -> list[ModelInfo]:
        """The models of ``GET /v1/models``; failures raise ``TransportError``."""
        session = self._require_session()
        url = self.models_url
        deadline = asyncio.get_running_loop().time() + self.config.ttfb_timeout_s
        headers = {**self._headers, "Accept": "application/json"}
        failure: AttemptFailure
        try:
            async with asyncio.timeout_at(deadline):
                async with session.get(url, headers=headers) as resp:
                    body = await resp.content.read(-1)
                    status = resp.status
        except aiohttp.ClientError as exc:
            failure = request_failure(exc, url, self.config)
        except TimeoutError:
            failure = timeout_failure("timeout_ttfb", url, self.config)
        else:
            return self._models_from(url, status, body)
        raise self._final(failure, 0)

    def _models_from(self, url: str, status: int, body: bytes) -> list[ModelInfo]:
        if status != 200:
            cause = "http_429" if status == 429 else "http_5xx" if status >= 500 else "http_4xx"
            failure = AttemptFailure(cause, f"{url}: HTTP {status}", status=status)
            raise self._final(failure, 0, body[:ERROR_BODY_BYTES])
        try:
            return parse_models(orjson.loads(body))
        except orjson.JSONDecodeError:
            raise self._final(AttemptFailure("protocol", f"{url}: not JSON"), 0, body) from None

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body of a streamed chat completion (request values before config values)."""
        config = self.config
        body: dict[str, Any] = {
            "model": request.model or config.model,
            "messages": request.messages,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.tools:
            body["tools"] = request.tools
        for key, value, default in (
            ("max_tokens", request.max_tokens, config.max_tokens),
            ("temperature", request.temperature, config.temperature),
            ("seed", request.seed, config.seed),
        ):
            chosen = value if value is not None else default
            if chosen is not None:
                body[key] = chosen
        body.update(request.extra_body)
        return body

    async def stream(self, request: ChatRequest) -> AsyncGenerator[WireEvent, None]:
        """POST the request and yield its wire events; raise ``TransportError`` for good."""
        session = self._require_session()
        body = orjson.dumps(self.request_body(request))
        loop = asyncio.get_running_loop()
        limit = self.config.request_timeout_s
        total_deadline = None if limit is None else loop.time() + limit
        attempt, budget = 0, _RetryBudget(self.config.max_retries, self._wait_s)
        while True:
            try:
                ttfb_deadline = loop.time() + self.config.ttfb_timeout_s
                resp = await self._send(session, body, ttfb_deadline, total_deadline)
                reader = EventReader(
                    resp, self.chat_url, self.config, ttfb_deadline, total_deadline
                )
                try:
                    yield ResponseStart(resp.status, attempt)
                    while (batch := await reader.next_batch()) is not None:
                        for data in batch:
                            yield SSEData(data)
                finally:
                    reader.close()
                    if reader.clean_eof:
                        resp.release()
                    else:
                        resp.close()
                return
            except AttemptFailure as failure:
                wait = budget.take(failure)
                if wait is None:
                    raise self._final(failure, budget.used) from None
                if total_deadline is not None and loop.time() + wait >= total_deadline:
                    note = "the retry wait would pass the request timeout"
                    raise self._final(failure, budget.used, note=note) from None
                reason = STALE_CONNECTION if budget.last_was_stale else failure.cause
                retry = RetryScheduled(attempt, reason, wait)
            yield retry
            await asyncio.sleep(retry.wait_s)
            attempt += 1

    async def _send(
        self,
        session: aiohttp.ClientSession,
        body: bytes,
        ttfb_deadline: float,
        total_deadline: float | None,
    ) -> aiohttp.ClientResponse:
        """POST and await the response headers: a 2xx event-stream response, else a failure."""
        deadline, cause = bound(ttfb_deadline, "timeout_ttfb", total_deadline)
        url = self.chat_url
        try:
            async with asyncio.timeout_at(deadline):
                resp = await session.post(url, data=body, headers=self._headers)
        except aiohttp.ClientError as exc:
            failure = request_failure(exc, url, self.config)
        except TimeoutError:
            failure = timeout_failure(cause, url, self.config)
        else:
            if is_event_stream(resp):
                return resp
            failure, error_body = await status_failure(resp, url, deadline)
            failure.message = self._with_body(failure.message, error_body)
        raise failure

    def _wait_s(self, failure: AttemptFailure, retry: int) -> float:
        """The wait before budgeted retry number ``retry`` (0 = the first)."""
        if failure.retry_after_s is not None:
            return min(failure.retry_after_s, self.opts.retry_after_max_s)
        return backoff_s(retry, self.config.backoff_base_s, self.config.backoff_max_s)

    def _with_body(self, message: str, body: bytes) -> str:
        text = self._redact(body.decode("utf-8", "replace"))
        return f"{message}: {snippet(text, ERROR_TEXT_CHARS)}" if text.strip() else message

    def _final(
        self, failure: AttemptFailure, retries: int, body: bytes = b"", note: str = ""
    ) -> TransportError:
        message = self._with_body(failure.message, body) if body else failure.message
        if note:
            message = f"{message} ({note})"
        if retries:
            message = f"{message} (after {retries} {'retry' if retries == 1 else 'retries'})"
        return TransportError(
            failure.cause, self._redact(message), status=failure.status, retries=retries
        )

    def decode(self, data: bytes) -> list[StreamEvent]:
        """Parse one SSE event's data (see ``decode.decode_chunk``); error texts are redacted."""
        events = decode_chunk(data)
        if self._redacting:
            for i, event in enumerate(events):
                if type(event) is StreamErrorEvent:
                    events[i] = StreamErrorEvent(self._redact(event.message))
        return events


class _RetryBudget:
    """What is left of one request's retries: ``max_retries``, plus one immediate retry of a
    connection dropped before any response (a stale keep-alive connection)."""

    __slots__ = ("_wait", "last_was_stale", "left", "stale_free", "used")

    def __init__(self, max_retries: int, wait: Callable[[AttemptFailure, int], float]) -> None:
        self._wait = wait
        self.left = max_retries
        self.used = 0
        self.stale_free = True
        self.last_was_stale = False

    def take(self, failure: AttemptFailure) -> float | None:
        """The wait before retrying ``failure``, or None when it is not to be retried."""
        self.last_was_stale = False
        if not failure.retryable:
            return None
        if failure.stale and self.stale_free:
            self.stale_free = False
            self.last_was_stale = True
            return 0.0
        if self.left <= 0:
            return None
        self.left -= 1
        self.used += 1
        return self._wait(failure, self.used - 1)


def _secrets(config: EndpointConfig, user: str | None, password: str | None) -> list[str | None]:
    key = config.api_key.get_secret_value() if config.api_key else None
    values = [value.get_secret_value() for value in config.headers.values()]
    return [key, user, password, *values]


def _headers(config: EndpointConfig, user: str | None, password: str | None) -> dict[str, str]:
    """Request headers: JSON in, an uncompressed event stream out, credentials, user headers."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
        # a compressed stream would be buffered by the compressor and distort the timing
        "Accept-Encoding": "identity",
    }
    if config.api_key is not None:
        headers["Authorization"] = f"Bearer {config.api_key.get_secret_value()}"
    elif user or password:
        token = base64.b64encode(f"{user or ''}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    for name, secret in config.headers.items():
        value = secret.get_secret_value()
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError(f"header {name.strip()!r}: line breaks are not allowed")
        headers[name] = value
    return headers


@hookimpl
def pawbench_register_endpoints() -> list[type[Endpoint]]:
    return [OpenAIEndpoint]
