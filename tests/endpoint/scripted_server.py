"""A scripted OpenAI-compatible test server: real HTTP on 127.0.0.1, exact bytes on the wire.

Each ``POST /v1/chat/completions`` is answered by the next ``Reply`` of the script (the last one
repeats), or by ``answer(request)`` when given (a server that looks at what it was sent): a
status, headers, and a body given as exact byte chunks, each written and flushed on
its own, with pauses (a float in ``chunks`` sleeps that long) and optionally a dropped
connection. ``GET /v1/models`` answers the configured model list. The server records every
request (headers and JSON body) and counts chat requests in flight (``peak``); with ``gate``
set, each chat request waits until ``gate`` of them are in flight at once. A short
``keepalive_timeout_s`` makes it close idle connections as llama.cpp and uvicorn do.

    async with ScriptedServer([Reply(chunks=chat_stream(["Hel", "lo"]))]) as server:
        ...  # server.base_url == "http://127.0.0.1:<port>"
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import orjson
from aiohttp import web

Chunk = bytes | float


@dataclass
class Reply:
    """How the server answers one chat-completions request."""

    status: int = 200
    chunks: Sequence[Chunk] = ()
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/event-stream"
    headers_delay_s: float = 0.0
    drop_before_headers: bool = False
    drop_after_chunks: bool = False


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    peer: tuple[str, int] | None = None

    def json(self) -> Any:
        return orjson.loads(self.body)


class ScriptedServer:
    """An aiohttp.web server on 127.0.0.1 (a free port) that plays a script of replies."""

    def __init__(
        self,
        replies: Sequence[Reply],
        *,
        models: list[dict[str, Any]] | None = None,
        models_status: int = 200,
        models_body: bytes | None = None,
        gate: int | None = None,
        gate_timeout_s: float = 10.0,
        keepalive_timeout_s: float = 75.0,
        ssl_context: ssl.SSLContext | None = None,
        answer: Callable[[Received], Reply] | None = None,
    ) -> None:
        self.replies = list(replies) or [Reply(chunks=chat_stream(["ok"]))]
        self.answer = answer
        self.models = models if models is not None else [{"id": "scripted-model"}]
        self.models_status = models_status
        self.models_body = models_body
        self.received: list[Received] = []
        self.in_flight = 0
        self.peak = 0
        self._gate = gate
        self._gate_timeout_s = gate_timeout_s
        self._gate_open = asyncio.Event()
        self._keepalive_timeout_s = keepalive_timeout_s
        self._ssl_context = ssl_context
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def chat_requests(self) -> list[Received]:
        return [r for r in self.received if r.path.endswith("/chat/completions")]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        # a short shutdown timeout: handlers still sleeping in a script are cancelled at stop
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=0.1,
            keepalive_timeout=self._keepalive_timeout_s,
        )
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, "127.0.0.1", 0, backlog=1024, ssl_context=self._ssl_context
        )
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ScriptedServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _record(self, request: web.Request) -> None:
        body = await request.read()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        headers = dict(request.headers)
        self.received.append(Received(request.method, request.path, headers, body, peer))

    async def _models(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        body = self.models_body
        if body is None:
            body = orjson.dumps({"object": "list", "data": self.models})
        return web.Response(status=self.models_status, body=body, content_type="application/json")

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        index = len(self.chat_requests)
        await self._record(request)
        if self.answer is not None:
            reply = self.answer(self.received[-1])
        else:
            reply = self.replies[min(index, len(self.replies) - 1)]
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await self._wait_gate()
            return await self._play(request, reply)
        finally:
            self.in_flight -= 1

    async def _wait_gate(self) -> None:
        if self._gate is None:
            return
        if self.in_flight >= self._gate:
            self._gate_open.set()
        with contextlib.suppress(TimeoutError):  # on timeout, the test sees peak < gate
            await asyncio.wait_for(self._gate_open.wait(), self._gate_timeout_s)

    async def _play(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        if reply.headers_delay_s:
            await asyncio.sleep(reply.headers_delay_s)
        if reply.drop_before_headers:
            _drop(request)
            return web.Response()
        if reply.status != 200 or not reply.chunks:
            return web.Response(
                status=reply.status,
                body=reply.body,
                headers=reply.headers,
                content_type=reply.content_type,
            )
        resp = web.StreamResponse(status=reply.status, headers=reply.headers)
        resp.content_type = reply.content_type
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        try:
            for piece in reply.chunks:
                if isinstance(piece, bytes):
                    await resp.write(piece)
                else:
                    await asyncio.sleep(piece)
            if reply.drop_after_chunks:
                _drop(request)
            else:
                await resp.write_eof()
        except ConnectionResetError:
            pass  # the client went away (a timeout under test)
        return resp


def _drop(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.close()


# --- building OpenAI streaming bodies ---


def sse(obj: Any, *, space: bool = True) -> bytes:
    """One SSE event carrying ``obj`` as JSON (``data:`` with or without the space)."""
    return (b"data: " if space else b"data:") + orjson.dumps(obj) + b"\n\n"


DONE = b"data: [DONE]\n\n"


def chunk(
    delta: dict[str, Any] | None = None,
    *,
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
    empty_choices: bool = False,
) -> dict[str, Any]:
    """A ``chat.completion.chunk`` object."""
    obj: dict[str, Any] = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "scripted-model",
        "choices": []
        if empty_choices
        else [{"index": 0, "delta": delta or {}, "finish_reason": finish}],
    }
    if usage is not None:
        obj["usage"] = usage
    return obj


def usage(prompt: int, completion: int, cached: int | None = None) -> dict[str, Any]:
    """A usage object."""
    obj: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if cached is not None:
        obj["prompt_tokens_details"] = {"cached_tokens": cached}
    return obj


def chat_stream(
    texts: Sequence[str],
    *,
    finish: str = "stop",
    prompt_tokens: int = 10,
    space: bool = True,
) -> list[bytes]:
    """A realistic streamed answer: role prelude, one chunk per text, the finish chunk, the
    usage-only final chunk with empty ``choices``, and ``[DONE]``."""
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": text}) for text in texts]
    events.append(chunk({}, finish=finish))
    events.append(chunk(usage=usage(prompt_tokens, len(texts)), empty_choices=True))
    return [sse(e, space=space) for e in events] + [DONE]


def tool_call_stream(call_id: str, name: str, argument_pieces: Sequence[str]) -> list[bytes]:
    """A streamed tool call whose arguments arrive in many fragments."""
    first = {"index": 0, "id": call_id, "type": "function", "function": {"name": name}}
    events = [chunk({"role": "assistant", "content": None, "tool_calls": [first]})]
    for piece in argument_pieces:
        call = {"index": 0, "function": {"arguments": piece}}
        events.append(chunk({"tool_calls": [call]}))
    events.append(chunk({}, finish="tool_calls"))
    events.append(chunk(usage=usage(20, len(argument_pieces) + 2), empty_choices=True))
    return [sse(e) for e in events] + [DONE]
