"""The ``openai`` endpoint: OpenAI-compatible chat completions, streamed.

Works with vLLM, SGLang, TGI, llama.cpp, Ollama, LM Studio and OpenAI itself. One connection
pool per run (``http1``: keep-alive HTTP/1.1 on asyncio protocols), sized to the run's
concurrency, no total timeout on long streams. ``exchange`` never reads a clock for
measurement: it reports the response head and every piece of body to the core's receiver from
the I/O callback that read it, and the core stamps them there.

Retries (bounded by ``max_retries``, only before any event data arrived): connection errors,
429 and 5xx, with exponential backoff or the server's ``Retry-After``. A connection dropped
before any byte of response (a pooled keep-alive connection the server had just closed) is
retried at once, once per request even beyond ``max_retries``; it is reported as a reconnect
(``STALE_CONNECTION``). The ``attempt`` of a retry report is the number of the attempt that
failed (0 = the first), as in the response start. Timeouts and other 4xx are not retried; a
drop mid-stream is ``disconnected``.

The length limit goes out as ``max_tokens``, which every OpenAI-compatible server reads. OpenAI's
reasoning models (o-series, GPT-5) answer it with HTTP 400 naming ``max_completion_tokens``:
then the endpoint sends that name from then on, and resends the request at once (a retry
outside the ``max_retries`` budget).
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Callable
from importlib import metadata
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from pawbench.api import (
    STALE_CONNECTION,
    ChatRequest,
    Endpoint,
    EndpointConfig,
    ModelInfo,
    StreamReceiver,
    TransportError,
    hookimpl,
)

from .decode import parse_models, snippet
from .http1 import (
    Body,
    ChunkedBody,
    ConnectFailed,
    Connection,
    ConnectionLost,
    ConnectTimeout,
    Head,
    HTTPError,
    MalformedResponse,
    Pool,
    Response,
)
from .retry import backoff_s
from .stream_decoder import OpenAIStreamDecoder
from .transport import (
    ERROR_BODY_BYTES,
    AttemptFailure,
    Expired,
    Watchdog,
    bound,
    connect_failure,
    exchange_failure,
    is_event_stream,
    status_failure,
    timeout_failure,
)
from .urls import Redactor, Target, api_url, split_userinfo, target

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
        self._chat, self._models = target(self.chat_url), target(self.models_url)
        self._redact = Redactor(_secrets(config, user, password))
        self._redacting = self._redact.active
        headers = _headers(config, user, password)
        self._chat_head = _request_head("POST", self._chat, headers, "text/event-stream")
        self._models_head = _request_head("GET", self._models, headers, "application/json")
        self._pool: Pool | None = None
        self._length_key = "max_tokens"

    def __repr__(self) -> str:
        return f"OpenAIEndpoint(url={self.chat_url!r}, model={self.config.model!r})"

    async def open(self) -> None:
        """Create the run's connection pool, sized to ``max_connections``."""
        if self._pool is not None:
            return
        chat = self._chat
        self._pool = Pool(
            chat.host,
            chat.port,
            ssl_context=_tls_context(self.config.verify_tls) if chat.tls else None,
            limit=max(1, self.config.max_connections),
            keepalive_s=self.opts.keepalive_timeout_s,
        )

    async def close(self) -> None:
        """Close the pool and its connections."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    def _require_pool(self) -> Pool:
        if self._pool is None:
            raise RuntimeError("OpenAIEndpoint.open() must be awaited before requests")
        return self._pool

    async def list_models(self) -> list[ModelInfo]:
        """The models of ``GET /v1/models``; failures raise ``TransportError``."""
        pool = self._require_pool()
        url = self.models_url
        if (self._models.host, self._models.port) != (pool.host, pool.port):
            raise TransportError("connect", f"{url}: not on the host of {self.chat_url}")
        deadline = asyncio.get_running_loop().time() + self.config.ttfb_timeout_s
        try:
            async with asyncio.timeout_at(deadline):
                response = await self._fetch(pool, self._models_head + b"0\r\n\r\n", deadline)
        except AttemptFailure as failure:
            raise self._final(failure, 0) from None
        except TimeoutError:
            raise self._final(timeout_failure("timeout_ttfb", url, self.config), 0) from None
        return self._models_from(url, response.head.status, response.body)

    async def _fetch(self, pool: Pool, message: bytes, deadline: float) -> Response:
        """One plain (not streamed) exchange; ``AttemptFailure`` for transport failures. A
        pooled connection the server had closed is replaced once, at once."""
        url = self.models_url
        for _ in range(2):
            conn, reused = await self._connection(pool, url, deadline, None)
            try:
                return await conn.exchange("GET", message, _Collect(), 8 * 1024 * 1024)
            except ConnectionLost as exc:
                if not (reused and exc.before_response):
                    raise exchange_failure(exc, url, got_events=False) from None
            except HTTPError as exc:
                raise exchange_failure(exc, url, got_events=False) from None
            finally:
                pool.release(conn)
        raise exchange_failure(ConnectionLost("closed", before_response=True), url, False)

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
            (self._length_key, request.max_tokens, config.max_tokens),
            ("temperature", request.temperature, config.temperature),
            ("seed", request.seed, config.seed),
        ):
            chosen = value if value is not None else default
            if chosen is not None:
                body[key] = chosen
        body.update(request.extra_body)
        return body

    async def exchange(self, request: ChatRequest, receiver: StreamReceiver) -> None:
        """POST the request and report its traffic to ``receiver`` as it arrives; raise
        ``TransportError`` when it fails for good."""
        pool = self._require_pool()
        key, message = self._length_key, self._message(request)
        loop = asyncio.get_running_loop()
        limit = self.config.request_timeout_s
        total_deadline = None if limit is None else loop.time() + limit
        attempt, budget = 0, _RetryBudget(self.config.max_retries, self._wait_s)
        while True:
            try:
                await self._attempt(pool, message, receiver, attempt, total_deadline)
                return
            except _LengthKeyRejected as rejected:
                if key != "max_tokens":
                    raise self._final(rejected.failure, budget.used) from None
                self._length_key = "max_completion_tokens"
                key, message = self._length_key, self._message(request)
                wait, reason = 0.0, rejected.failure.cause
            except AttemptFailure as failure:
                taken = budget.take(failure)
                if taken is None:
                    raise self._final(failure, budget.used) from None
                wait = taken
                if total_deadline is not None and loop.time() + wait >= total_deadline:
                    note = "the retry wait would pass the request timeout"
                    raise self._final(failure, budget.used, note=note) from None
                reason = STALE_CONNECTION if budget.last_was_stale else failure.cause
            receiver.on_retry(attempt, reason, wait)
            await asyncio.sleep(wait)
            attempt += 1

    def _message(self, request: ChatRequest) -> bytes:
        """The request's bytes on the wire: head, length, blank line, JSON body."""
        body = orjson.dumps(self.request_body(request))
        return b"%b%d\r\n\r\n%b" % (self._chat_head, len(body), body)

    async def _attempt(
        self,
        pool: Pool,
        message: bytes,
        receiver: StreamReceiver,
        attempt: int,
        total_deadline: float | None,
    ) -> None:
        """One attempt: connect (or reuse), send, stream the answer to ``receiver``."""
        url, config = self.chat_url, self.config
        ttfb_deadline = asyncio.get_running_loop().time() + config.ttfb_timeout_s
        conn = pool.take_idle()
        if conn is None:
            conn, _ = await self._connection(pool, url, ttfb_deadline, total_deadline)
        watchdog = Watchdog(conn, config, ttfb_deadline, total_deadline)
        handler = _Stream(receiver, attempt, watchdog, self._redact if self._redacting else None)
        try:
            response = await conn.exchange("POST", message, handler, ERROR_BODY_BYTES)
        except Expired as exc:
            raise timeout_failure(exc.cause, url, config) from None
        except HTTPError as exc:
            raise exchange_failure(exc, url, handler.decoder.started) from None
        finally:
            watchdog.stop()
            pool.release(conn)
        if not handler.streaming:
            failure = status_failure(response.head, url)
            failure.message = self._with_body(failure.message, response.body)
            if failure.status == 400 and b"max_completion_tokens" in response.body:
                raise _LengthKeyRejected(failure)
            raise failure
        if response.complete:
            receiver.on_end()

    async def _connection(
        self, pool: Pool, url: str, ttfb_deadline: float, total_deadline: float | None
    ) -> tuple[Connection, bool]:
        """A connection for ``url`` and whether it was kept alive: an idle one, a free slot's
        new one, or the next one released, within the first-byte (and whole-request)
        deadline; ``AttemptFailure`` otherwise."""
        config = self.config
        deadline, cause = bound(ttfb_deadline, "timeout_ttfb", total_deadline)
        try:
            async with asyncio.timeout_at(deadline):
                return await pool.acquire(config.connect_timeout_s)
        except ConnectFailed as exc:
            raise connect_failure(exc, url, config) from None
        except ConnectTimeout:
            raise timeout_failure("timeout_connect", url, config) from None
        except TimeoutError:
            raise timeout_failure(cause, url, config) from None

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


class _Stream:
    """The ``http1.Handler`` of one streamed attempt: reports the head and every read of body
    to the core's receiver from the connection's I/O callback, and keeps the watchdog posted.

    A chunked body is reported as read, chunk framing included: the attempt's decoder
    de-chunks and decodes in one pass (``OpenAIStreamDecoder.dechunk``), and this handler is
    then also the connection's ``Body``, finding the end of the body from the decoder's."""

    __slots__ = ("_attempt", "_chunks", "_on_data", "_receiver", "_seen", "decoder", "streaming")

    def __init__(
        self,
        receiver: StreamReceiver,
        attempt: int,
        watchdog: Watchdog,
        redact: Callable[[str], str] | None,
    ) -> None:
        self._receiver = receiver
        self._on_data = receiver.on_data
        self._attempt = attempt
        self._seen = watchdog.seen
        self._chunks: ChunkedBody | None = None
        self.decoder = OpenAIStreamDecoder(redact)
        self.streaming = False
        watchdog.follow(self.decoder)

    def on_head(self, head: Head, body: Body) -> Body | None:
        if not is_event_stream(head):
            return None
        encoding = head.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise MalformedResponse(
                f"compressed event stream (Content-Encoding: {encoding}) although "
                "Accept-Encoding: identity was sent"
            )
        self.streaming = True
        self._receiver.on_response_start(head.status, self._attempt, self.decoder)
        if isinstance(body, ChunkedBody):
            self._chunks = body
            self.decoder.dechunk(body)
            return self
        return body

    def on_body(self, data: bytes) -> None:
        self._on_data(data)
        self._seen()

    # --- http1.Body of a chunked body: the decoder de-chunks ---

    def feed(self, data: bytes, start: int = 0) -> tuple[bytes, bool]:
        """Report the read to the receiver (whose decoder de-chunks it); no bytes back."""
        self._on_data(data[start:] if start else data)
        self._seen()
        chunks = self._chunks
        assert chunks is not None
        return b"", chunks.complete

    def eof(self) -> bool:
        chunks = self._chunks
        return chunks is not None and chunks.eof()

    @property
    def extra(self) -> bool:
        chunks = self._chunks
        return chunks is not None and chunks.extra


class _Collect:
    """The ``http1.Handler`` of a plain exchange: the body is collected."""

    __slots__ = ()

    def on_head(self, head: Head, body: Body) -> Body | None:
        return None

    def on_body(self, data: bytes) -> None:
        raise AssertionError("a collected body is not streamed")


class _LengthKeyRejected(Exception):
    """An HTTP 400 that names ``max_completion_tokens``: the server wants the length limit
    under that name (OpenAI's reasoning models reject ``max_tokens``)."""

    def __init__(self, failure: AttemptFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


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
    """Request headers: JSON in, credentials, user headers (which win over ours)."""
    headers = {"Content-Type": "application/json"}
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


_FRAMING = {"content-length", "transfer-encoding", "connection"}


def _request_head(method: str, where: Target, headers: dict[str, str], accept: str) -> bytes:
    """The request head up to the value of ``Content-Length`` (the caller appends the length,
    the blank line and the body). Our headers are case-insensitively replaced by the user's;
    the user cannot set the body framing."""
    merged = {
        "host": ("Host", where.host_header),
        "user-agent": ("User-Agent", _user_agent()),
        "accept": ("Accept", accept),
        # a compressed stream would be buffered by the compressor and distort the timing
        "accept-encoding": ("Accept-Encoding", "identity"),
    }
    for name, value in headers.items():
        if name.strip().lower() not in _FRAMING:
            merged[name.strip().lower()] = (name.strip(), value)
    lines = [f"{method} {where.path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in merged.values()]
    lines.append("Content-Length: ")
    return "\r\n".join(lines).encode("latin-1", "replace")


def _user_agent() -> str:
    try:
        return f"pawbench/{metadata.version('pawbench')}"
    except metadata.PackageNotFoundError:
        return "pawbench"


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@hookimpl
def pawbench_register_endpoints() -> list[type[Endpoint]]:
    return [OpenAIEndpoint]
