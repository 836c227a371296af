"""A fast local OpenAI-compatible streaming server: as little server CPU per token as possible.

Used by ``client_overhead.py cpu`` so that the client, not the server, is the bottleneck when
measuring client CPU per streamed token. A bare ``asyncio.Protocol`` speaking HTTP/1.1 on
127.0.0.1 (keep-alive, requests in sequence on a connection, bodies by Content-Length); no
model, no scheduler, no pacing: every reply is written at once.

Routes:

- ``POST /v1/chat/completions`` with ``"stream": true``: 200 ``text/event-stream``, chunked,
  one HTTP chunk per SSE event as uvicorn frames vLLM's: a role chunk, exactly ``max_tokens``
  (or ``max_completion_tokens``, default 256) content chunks of one word piece each, a chunk
  with ``"finish_reason":"length"``, a usage chunk when ``stream_options.include_usage`` is set
  (as vLLM does; ``prompt_tokens`` = message characters / 4, rounded up), ``data: [DONE]``.
  The pieces come from a fixed vocabulary in a fixed cycle, each reply starting at a seeded
  random point of it. Everything but the request id, ``created`` and the usage numbers is
  rendered at start-up: a reply is one ``bytes.join``.
- ``GET /v1/models``: one model, ``blast`` by default. Anything else: 404.

Serve until killed, or measure how many tokens/s one server core pushes (the server in a child
process pinned to one core, a raw-socket driver pinned to another)::

    .venv/bin/python benchmarks/blast_server.py --port 0
    .venv/bin/python benchmarks/blast_server.py --drive --connections 64 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import re
import resource
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

MODEL = "blast"
DEFAULT_MAX_TOKENS = 256
MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
WRITE_SLICE = 1024 * 1024  # replies longer than this are written in pieces, under flow control
READ_LIMIT = 1024 * 1024  # input held while writing is paused before reading pauses too
END = b"0\r\n\r\n"

# Plain English word pieces; none needs escaping in JSON.
VOCAB: tuple[str, ...] = tuple(
    """ the| of| and| to| in| a| is| that| for| it| as| with| was| on| be| by| this| are| or|
 from| at| an| but| not| have| has| had| which| one| all| were| they| their| can| more| when|
 there| been| will| if| its| also| into| only| other| some| than| them| then| these| so| such|
 may| first| time| two| each| new| about| over| after| most| many| would| could| should| like|
 just| where| how| what| who| make| made| use| used| using| way| work| code| file| line| test|
 value| list| name| type| data| call| read| write| run| build| change| check| error| return|
 function| class| method| module| request| response| server| client| token| stream| event|
 buffer| queue| worker| thread| process| memory| cache| batch| model| input| output| state|
 result| option| config| path| string| number| field| object| array| index| key| length|
 count| size| limit| timeout| retry| status| header| body| chunk| page| block| step| loop|
 ing|ed|er|ly|s|es|tion|ment|ness|able|al|ize|ful|less| fast| slow| small| large| long| short|
 old| same| next| last| few| every| both| between| because| while| before| still| here| well|
 now| very| even| back| any| good| right| left| high| low| open| close| start| stop| end|.|,|
""".replace("\n", "").split("|")[:-1]
)


# --- pre-rendered replies -----------------------------------------------------------------------


def _post(model_json: bytes, choice: bytes) -> bytes:
    """The end of one SSE event, from ``,"model"`` on (what follows ``created``)."""
    return b',"model":' + model_json + b',"choices":[' + choice + b"]}\n\n"


def _content(piece: str) -> bytes:
    return b'{"index":0,"delta":{"content":%s},"logprobs":null,"finish_reason":null}' % (
        orjson.dumps(piece)
    )


_OPEN = b'data: {"id":"'
_ROLE = (
    b'{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}'
)
_FINISH = b'{"index":0,"delta":{},"logprobs":null,"finish_reason":"length","stop_reason":null}'
_USAGE = b',"choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}\n\n'
_DONE_END = b"e\r\ndata: [DONE]\n\n\r\n" + END
_STREAM_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"


class Replies:
    """A streamed reply's bytes, pre-rendered for request ids of one length.

    Every SSE event starts ``data: {"id":"`` and then the request's *separator*: its id,
    ``object`` and ``created`` (``chatcmpl-<n>","object":...,"created":<t>``). A reply is
    ``separator.join(parts)``, where each part ends one event (with the chunk's closing CRLF)
    and opens the next (its hex size and ``data: {"id":"``). Ids are zero-padded so that every
    separator of a run has one length and the chunk sizes can be rendered in advance.
    """

    def __init__(self, model: str, sep_len: int) -> None:
        model_json = orjson.dumps(model)
        self.model_json = model_json
        self.sep_len = sep_len
        posts = [_post(model_json, _content(piece)) for piece in VOCAB]
        role, finish = _post(model_json, _ROLE), _post(model_json, _FINISH)
        n = len(VOCAB)
        chunked, opening = _STREAM_HEAD + b"transfer-encoding: chunked\r\n", self._open(role)
        self.first = {
            False: chunked + b"\r\n" + opening,
            True: chunked + b"connection: close\r\n\r\n" + opening,
        }
        self.role = [role + b"\r\n" + self._open(posts[k]) for k in range(n)]
        self.step = [posts[k] + b"\r\n" + self._open(posts[(k + 1) % n]) for k in range(n)]
        self.last = [posts[k] + b"\r\n" + self._open(finish) for k in range(n)]
        self.finish = finish + b"\r\n"
        self._cycle: list[bytes] = []

    def _open(self, post: bytes) -> bytes:
        """The chunk-size line of the event ending in ``post``, and the event's opening."""
        return b"%x\r\n" % (len(_OPEN) + self.sep_len + len(post)) + _OPEN

    def cycle(self, start: int, count: int) -> list[bytes]:
        """``count`` consecutive ``step`` parts from vocabulary index ``start`` on."""
        while len(self._cycle) < start + count:
            self._cycle += self.step
        return self._cycle[start : start + count]

    def render(
        self, sep: bytes, start: int, tokens: int, usage: tuple[int, int] | None, close: bool
    ) -> bytes:
        """The whole HTTP response: ``tokens`` content chunks from vocabulary index ``start``;
        ``usage`` = (prompt tokens, completion tokens) or None for no usage chunk."""
        parts = [self.first[close], self.role[start]]
        parts += self.cycle(start, tokens - 1)
        parts.append(self.last[(start + tokens - 1) % len(VOCAB)])
        if usage is None:
            parts.append(self.finish + _DONE_END)
        else:
            prompt, completion = usage
            numbers = (prompt, completion, prompt + completion)
            post = b',"model":' + self.model_json + _USAGE % numbers
            parts.append(self.finish + self._open(post))
            parts.append(post + b"\r\n" + _DONE_END)
        return sep.join(parts)


# --- plain replies ----------------------------------------------------------------------------

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
}


def plain(status: int, body: bytes, close: bool = False) -> bytes:
    """A complete non-streamed JSON response, with Content-Length."""
    connection = "connection: close\r\n" if close else ""
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{connection}\r\n"
    )
    return head.encode() + body


def _error(status: int, message: str, close: bool = False) -> bytes:
    body = {"object": "error", "message": message, "type": "BadRequestError", "code": status}
    if status == 404:
        body["type"] = "NotFoundError"
    return plain(status, orjson.dumps(body), close)


_NOT_FOUND = orjson.dumps({"detail": "Not Found"})


def _prompt_chars(messages: Any) -> int:
    """Characters of the messages' text content (string or text parts)."""
    total = 0
    for message in messages if isinstance(messages, list) else ():
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            total += len(content)
        elif isinstance(content, list):
            total += sum(len(p.get("text") or "") for p in content if isinstance(p, dict))
    return total


def _max_tokens(body: dict[str, Any]) -> int | None:
    value = body.get("max_completion_tokens", body.get("max_tokens"))
    if value is None:
        return DEFAULT_MAX_TOKENS
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


class BlastServer:
    """The server: answers requests with pre-rendered bytes. ``async with`` starts and stops
    it; ``base_url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, model: str = MODEL, seed: int = 0) -> None:
        self.model = model
        self._rng = random.Random(seed)
        self._requests = 0
        self._replies: dict[int, Replies] = {}
        self._models = plain(
            200,
            orjson.dumps(
                {
                    "object": "list",
                    "data": [
                        {
                            "id": model,
                            "object": "model",
                            "owned_by": "bench",
                            "max_model_len": 32768,
                        }
                    ],
                }
            ),
        )
        self._server: asyncio.Server | None = None
        self.connections: set[asyncio.Transport] = set()
        self.base_url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen; return the base URL."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), host, port, backlog=4096)
        bound = self._server.sockets[0].getsockname()
        self.base_url = f"http://{bound[0]}:{bound[1]}"
        return self.base_url

    async def close(self) -> None:
        """Stop listening and close the connections."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for transport in list(self.connections):
            transport.close()

    async def __aenter__(self) -> BlastServer:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def answer(self, method: bytes, target: bytes, body: bytes, close: bool) -> bytes:
        """The whole response to one request."""
        path = target.split(b"?", 1)[0]
        if path == b"/v1/chat/completions" and method == b"POST":
            return self._chat(body, close)
        if path == b"/v1/models" and method == b"GET":
            return self._models
        return plain(404, _NOT_FOUND, close)

    def _chat(self, raw: bytes, close: bool) -> bytes:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return _error(400, "the request body is not JSON", close)
        if not isinstance(body, dict):
            return _error(400, "the request body is not a JSON object", close)
        if body.get("model", self.model) != self.model:
            return _error(404, f"The model `{body.get('model')}` does not exist.", close)
        if body.get("stream") is not True:
            return _error(400, "this server only streams: set stream to true", close)
        tokens = _max_tokens(body)
        if tokens is None:
            return _error(400, "max_tokens must be a positive integer", close)
        options = body.get("stream_options")
        with_usage = isinstance(options, dict) and options.get("include_usage") is True
        prompt = -(-_prompt_chars(body.get("messages")) // 4)
        self._requests += 1
        sep = b'chatcmpl-%012d","object":"chat.completion.chunk","created":%d' % (
            self._requests,
            int(time.time()),
        )
        replies = self._replies.get(len(sep))
        if replies is None:
            replies = self._replies[len(sep)] = Replies(self.model, len(sep))
        usage = (prompt, tokens) if with_usage else None
        return replies.render(sep, self._rng.randrange(len(VOCAB)), tokens, usage, close)


@dataclass(slots=True)
class _Head:
    """A parsed request head, kept while its body arrives."""

    method: bytes
    target: bytes
    length: int
    close: bool


def _parse_head(head: bytes) -> _Head | None:
    """The request line and the headers that matter; None if malformed or unsupported."""
    lines = head.split(b"\r\n")
    request_line = lines[0].split(b" ")
    if len(request_line) != 3 or not request_line[2].startswith(b"HTTP/1."):
        return None
    method, target, version = request_line
    length, close = 0, version == b"HTTP/1.0"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            if not value.strip().isdigit():
                return None
            length = int(value)
        elif name == b"transfer-encoding":
            return None  # chunked request bodies are not supported
        elif name == b"connection":
            token = value.strip().lower()
            close = token == b"close" or (close and token != b"keep-alive")
    return _Head(method, target, length, close)


_REFUSALS = {
    400: "malformed or unsupported request head (chunked request bodies are not supported)",
    413: "request body too large",
    431: "request head too large",
}


class _Connection(asyncio.Protocol):
    """One client connection: requests in sequence, each reply written whole (or in
    ``WRITE_SLICE`` pieces while the transport lets us)."""

    def __init__(self, server: BlastServer) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None
        self._buf = bytearray()
        self._head: _Head | None = None
        self._out: memoryview | None = None
        self._closing = False
        self._write_paused = False
        self._read_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._server.connections.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._server.connections.discard(self._transport)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buf += data
        self._pump()
        if self._write_paused and len(self._buf) > READ_LIMIT and self._transport is not None:
            self._transport.pause_reading()
            self._read_paused = True

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._read_paused and self._transport is not None:
            self._transport.resume_reading()
            self._read_paused = False
        self._pump()

    def _pump(self) -> None:
        """Write what is pending, then answer buffered requests, until writing is paused."""
        while not self._write_paused and self._transport is not None and not self._closing:
            if self._out is not None:
                self._write()
                continue
            reply = self._next_reply()
            if reply is None:
                return
            if len(reply) <= WRITE_SLICE:
                self._transport.write(reply)
                self._after_reply()
            else:
                self._out = memoryview(reply)

    def _write(self) -> None:
        assert self._out is not None and self._transport is not None
        self._transport.write(self._out[:WRITE_SLICE])
        rest = self._out[WRITE_SLICE:]
        self._out = rest if len(rest) else None
        if self._out is None:
            self._after_reply()

    def _after_reply(self) -> None:
        if self._head is not None and self._head.close and self._transport is not None:
            self._closing = True
            self._transport.close()
        self._head = None

    def _next_reply(self) -> bytes | None:
        """The reply to the next complete request in the buffer, or None if there is none."""
        buf = self._buf
        if self._head is None:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return self._refuse(431) if len(buf) > MAX_HEAD_BYTES else None
            head = _parse_head(bytes(buf[:end]))
            if head is None:
                return self._refuse(400)
            del buf[: end + 4]
            self._head = head
            if head.length > MAX_BODY_BYTES:
                return self._refuse(413)
        if len(buf) < self._head.length:
            return None
        body = bytes(buf[: self._head.length])
        del buf[: self._head.length]
        h = self._head
        return self._server.answer(h.method, h.target, body, h.close)

    def _refuse(self, status: int) -> bytes:
        """An error reply after which the connection closes (the stream cannot be resynced)."""
        self._head = _Head(b"", b"", 0, close=True)
        self._buf.clear()
        return _error(status, _REFUSALS[status], close=True)


# --- running it -----------------------------------------------------------------------------


def raise_fd_limit() -> None:
    """Soft open-files limit up to the hard one (thousands of connections)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve_child(conn: Connection, model: str = MODEL) -> None:
    """Child-process entry point: serve on a free port, send the base URL through ``conn``,
    stop when ``conn`` receives anything."""
    raise_fd_limit()

    async def main() -> None:
        async with BlastServer(model) as server:
            conn.send(server.base_url)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(main())


async def _serve_forever(host: str, port: int, model: str, seed: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def stopping() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping)
    server = BlastServer(model, seed)
    print(await server.start(host, port), flush=True)
    try:
        await stop
    finally:
        await server.close()


# --- raw-socket driver (--drive) ------------------------------------------------------------

_COMPLETION = re.compile(rb'"completion_tokens":(\d+)')


@dataclass
class _Tally:
    tokens: int = 0
    replies: int = 0
    errors: list[str] = field(default_factory=list)
    running: bool = True


def check_stream(raw: bytes, max_tokens: int) -> int:
    """Parse one whole streamed response strictly; return its content-chunk count. Raises
    ValueError on any framing or content error."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 ") or b"transfer-encoding: chunked" not in head:
        raise ValueError(f"bad head {head[:80]!r}")
    events: list[bytes] = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            if rest != b"\r\n":
                raise ValueError("bytes after the last chunk")
            break
        events.append(rest[:size])
        if rest[size : size + 2] != b"\r\n":
            raise ValueError("chunk without its CRLF")
        rest = rest[size + 2 :]
    if any(not e.startswith(b"data: ") or not e.endswith(b"\n\n") for e in events):
        raise ValueError("a chunk that is not one SSE event")
    if events[-1] != b"data: [DONE]\n\n":
        raise ValueError("no [DONE]")
    chunks = [orjson.loads(e[6:]) for e in events[:-1]]
    if chunks[0]["choices"][0]["delta"] != {"role": "assistant", "content": ""}:
        raise ValueError("no role chunk first")
    content = [c for c in chunks[1:] if c["choices"] and "content" in c["choices"][0]["delta"]]
    finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    if finish[-1] != "length" or len(content) != max_tokens:
        raise ValueError(f"{len(content)} content chunks, finish {finish[-1]}")
    if chunks[-1]["usage"]["completion_tokens"] != max_tokens:
        raise ValueError(f"usage {chunks[-1]['usage']}")
    return len(content)


class _Driver(asyncio.Protocol):
    """One driver connection: sends the request again as soon as a reply has ended, counts the
    reply's usage ``completion_tokens``; checks its first reply whole."""

    def __init__(self, request: bytes, tally: _Tally, max_tokens: int) -> None:
        self._request, self._tally, self._max_tokens = request, tally, max_tokens
        self._transport: asyncio.Transport | None = None
        self._tail = b""
        self._whole: bytearray | None = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._tail = data[-512:] if len(data) >= 512 else (self._tail + data)[-512:]
        if self._whole is not None:
            self._whole += data
        if self._tail.endswith(END):
            self._reply_done()

    def _reply_done(self) -> None:
        tally = self._tally
        if self._whole is not None:
            try:
                check_stream(bytes(self._whole), self._max_tokens)
            except (ValueError, KeyError, IndexError) as exc:
                tally.errors.append(str(exc))
            self._whole = None
        found = _COMPLETION.search(self._tail)
        tally.tokens += int(found.group(1)) if found else 0
        tally.replies += 1
        self._tail = b""
        if tally.running and self._transport is not None:
            self._transport.write(self._request)


def _request_bytes(port: int, max_tokens: int) -> bytes:
    body = orjson.dumps(
        {
            "model": MODEL,
            "messages": [{"role": "user", "content": "Explain keep-alive in HTTP/1.1. " * 8}],
            "max_tokens": max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    )
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), or NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _drive(base_url: str, pid: int, args: argparse.Namespace) -> None:
    port = int(base_url.rsplit(":", 1)[1])
    request, tally = _request_bytes(port, args.tokens), _Tally()
    loop = asyncio.get_running_loop()
    for _ in range(args.connections):
        await loop.create_connection(
            lambda: _Driver(request, tally, args.tokens), "127.0.0.1", port
        )
    await asyncio.sleep(1.0)  # warm-up
    tokens0, replies0 = tally.tokens, tally.replies
    server0, self0, t0 = cpu_seconds(pid), cpu_seconds(os.getpid()), time.perf_counter()
    await asyncio.sleep(args.seconds)
    wall = time.perf_counter() - t0
    tokens, replies = tally.tokens - tokens0, tally.replies - replies0
    server_cpu = 100 * (cpu_seconds(pid) - server0) / wall
    driver_cpu = 100 * (cpu_seconds(os.getpid()) - self0) / wall
    tally.running = False
    print(
        f"connections={args.connections} max_tokens={args.tokens} tok_s={tokens / wall:,.0f} "
        f"replies_s={replies / wall:,.0f} server_cpu={server_cpu:.0f}% "
        f"driver_cpu={driver_cpu:.0f}% server_us_per_token="
        f"{(server_cpu / 100) / (tokens / wall) * 1e6 if tokens else float('nan'):.3f} "
        f"checked_replies_bad={len(tally.errors)}"
    )
    for error in tally.errors[:5]:
        print("  bad reply:", error)


def pin(server_pid: int, this: str = "driver") -> str:
    """The server on the first allowed core, this process (``this``) on the second."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        return "not pinned (fewer than 2 cores)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(server_pid, {cpus[0]})
    os.sched_setaffinity(0, {cpus[1]})
    return f"server on core {cpus[0]}, {this} on core {cpus[1]}"


def drive(args: argparse.Namespace) -> None:
    """Start the server in a pinned child process and drive it with raw sockets."""
    raise_fd_limit()
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve_child, args=(child,))
    server.start()
    try:
        base_url = parent.recv()
        print(pin(server.pid or 0))
        asyncio.run(_drive(base_url, server.pid or 0, args))
    finally:
        parent.send("stop")
        server.join(10)


def main() -> None:
    """Serve until killed, or with ``--drive`` measure the server's tokens/s on one core."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--drive", action="store_true", help="measure tokens/s on one core")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--tokens", type=int, default=DEFAULT_MAX_TOKENS)
    args = parser.parse_args()
    if args.drive:
        drive(args)
    else:
        raise_fd_limit()
        asyncio.run(_serve_forever(args.host, args.port, args.model, args.seed))


if __name__ == "__main__":
    main()
