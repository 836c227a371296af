"""A lean HTTP/1.1 client on asyncio protocols: the wire of the ``openai`` endpoint.

Why not aiohttp here: aiohttp hands a streamed body to the reading task one socket read at a
time, through a future and a task wake-up (about 20 µs per read on a slow core), and that cost,
not the server, limits how many concurrent streams one core can follow and how late the last
reads of a burst are stamped. Here the body is de-chunked in ``data_received`` and handed to
the response's handler, the core's stamping receiver, in the same loop callback that read it;
the requesting task wakes once per response, not once per read.

Scope, what an OpenAI-compatible endpoint needs: GET and POST with a body; a pool of keep-alive
connections with a size limit and an idle expiry; TLS; chunked, Content-Length and
close-delimited bodies; 1xx interim responses skipped. Not done: redirects, proxies,
compression (``Accept-Encoding: identity`` is sent), HTTP/2, ``Expect: 100-continue``.
"""

from __future__ import annotations

import asyncio
import collections
import re
import ssl
from dataclasses import dataclass
from itertools import repeat
from typing import Protocol, cast

MAX_HEAD_BYTES = 64 * 1024
HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
"""A chunk size as this client accepts it."""


class HTTPError(Exception):
    """A failure of the HTTP exchange itself (not an HTTP error status)."""


class ConnectFailed(HTTPError):
    """No connection could be made; ``tls`` when the TLS handshake failed."""

    def __init__(self, message: str, *, tls: bool = False) -> None:
        super().__init__(message)
        self.tls = tls


class ConnectTimeout(HTTPError):
    """No connection within the connect timeout."""


class ConnectionLost(HTTPError):
    """The connection closed or broke before the response was complete; ``before_response``
    when not a byte of the response had arrived (typically a pooled connection that the server
    had just closed)."""

    def __init__(self, message: str, *, before_response: bool) -> None:
        super().__init__(message)
        self.before_response = before_response


class MalformedResponse(HTTPError):
    """The server's bytes are not a valid HTTP/1.1 response."""


@dataclass(slots=True)
class Head:
    """A response's status line and headers (names lower-cased; repeats joined by ``, ``)."""

    status: int
    reason: str
    headers: dict[str, str]
    keep_alive: bool

    @property
    def content_type(self) -> str:
        """The media type, lower-cased, without parameters."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class Handler(Protocol):
    """Receives one response as it arrives, from the connection's I/O callbacks."""

    def on_head(self, head: Head, body: Body) -> Body | None:
        """The final head arrived and ``body`` frames what follows it. None: collect the body
        (up to the ``collect`` limit of the request) for the result. Otherwise the Body that
        each read of the body is fed to, the bytes it returns going to ``on_body``: ``body``
        itself for the de-framed pieces, or a Body of the handler's own that takes the raw
        reads (a decoder that de-frames and decodes in one pass) and returns no bytes."""
        ...

    def on_body(self, data: bytes) -> None:
        """A piece of de-framed body (streamed responses only)."""
        ...


@dataclass(slots=True)
class Response:
    """A finished response: its head, the collected body (non-streamed responses) and whether
    the body ended cleanly (False when the exchange was abandoned early)."""

    head: Head
    body: bytes
    complete: bool


def parse_head(block: bytes) -> Head:
    """The head from the bytes before the blank line; ``MalformedResponse`` if invalid."""
    lines = block.split(b"\r\n")
    status_line = lines[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    code = parts[1] if len(parts) > 1 else ""
    if not parts[0].startswith("HTTP/1.") or len(code) != 3 or not _digits(code):
        raise MalformedResponse(f"invalid status line {status_line[:80]!r}")
    headers: dict[str, str] = {}
    for raw in lines[1:]:
        name, sep, value = raw.decode("latin-1").partition(":")
        name = name.strip().lower()
        if not sep or not name or " " in name:
            raise MalformedResponse(f"invalid header line {raw[:80]!r}")
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    tokens = {token.strip() for token in headers.get("connection", "").lower().split(",")}
    keep_alive = "close" not in tokens if parts[0] == "HTTP/1.1" else "keep-alive" in tokens
    return Head(int(code), parts[2] if len(parts) > 2 else "", headers, keep_alive)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


class Body(Protocol):
    """Incremental body framing: ``feed`` returns the body bytes in a read and whether the body
    is complete; ``eof`` says whether the connection closing ends it cleanly; ``extra`` is set
    when bytes followed the end of the body (the connection is then not reused)."""

    @property
    def extra(self) -> bool: ...

    def feed(self, data: bytes, start: int = 0) -> tuple[bytes, bool]: ...

    def eof(self) -> bool: ...


class LengthBody:
    """A body of ``Content-Length`` bytes."""

    __slots__ = ("_left", "extra")

    def __init__(self, length: int) -> None:
        self._left = length
        self.extra = False

    def feed(self, data: bytes, start: int = 0) -> tuple[bytes, bool]:
        """Body bytes (from ``start``) up to the length (anything after is not this
        response's)."""
        if start:
            data = data[start:]
        if len(data) > self._left:
            data, self.extra = data[: self._left], True
        self._left -= len(data)
        return data, self._left == 0

    def eof(self) -> bool:
        """A close before the length is a lost connection."""
        return self._left == 0


class CloseBody:
    """A body delimited by the connection closing."""

    __slots__ = ()
    extra = False

    def feed(self, data: bytes, start: int = 0) -> tuple[bytes, bool]:
        """Everything (from ``start``) is body."""
        return (data[start:] if start else data), False

    def eof(self) -> bool:
        """The close ends the body."""
        return True


_SIZE, _DATA, _DATA_END, _TRAILER, _DONE = range(5)
_MAX_LINE = 4096
_HEX_DIGITS = b"0123456789abcdefABCDEF"


class ChunkedBody:
    """``Transfer-Encoding: chunked``. From each chunk boundary, the whole chunks of a read (an
    event stream's reads are mostly whole chunks, one per event) are de-chunked with one split
    and one length check per chunk; the rest (a partial last chunk, extensions, trailers, a
    payload with CRLF inside) goes through the incremental state machine."""

    __slots__ = ("_buf", "_need", "_state", "extra")

    def __init__(self) -> None:
        self._buf = b""
        self._need = 0
        self._state = _SIZE
        self.extra = False

    @property
    def complete(self) -> bool:
        """Whether the last chunk (and trailers) arrived."""
        return self._state == _DONE

    @property
    def at_boundary(self) -> bool:
        """Whether the next byte fed starts a chunk (its size line)."""
        return self._state == _SIZE and not self._buf

    def to_boundary(self, data: bytes, start: int = 0) -> tuple[bytes, bytes, int]:
        """Feed ``data`` (from ``start``) up to the next chunk boundary (or the end of the
        body): the payload bytes on the way, and ``(buf, pos)``: what is left to feed is
        ``buf[pos:]``. When the boundary is not in it, all is taken (``pos == len(buf)``)."""
        if self._buf:
            buf, start, self._buf = self._buf + data[start:], 0, b""
        else:
            buf = data
        out: list[bytes] = []
        pos = self._step(buf, start, out, to_boundary=True)
        if self._state not in (_SIZE, _DONE):
            self._buf, pos = buf[pos:], len(buf)
        return (out[0] if len(out) == 1 else b"".join(out)), buf, pos

    def feed(self, data: bytes, start: int = 0) -> tuple[bytes, bool]:
        """The payload bytes in ``data`` (from ``start``) and whether the last chunk (and
        trailers) arrived."""
        if self._buf:
            buf, start = self._buf + data[start:], 0
        else:
            buf = data
        out: list[bytes] = []
        pos = self._step(buf, start, out, to_boundary=True) if self._state != _SIZE else start
        if self._state == _SIZE and pos < len(buf):
            pos = _whole_chunks(buf, pos, out)
        pos = self._step(buf, pos, out, to_boundary=False)
        if self._state == _DONE:
            self._buf, self.extra = b"", pos < len(buf)
        else:
            self._buf = buf[pos:]
        return (out[0] if len(out) == 1 else b"".join(out)), self._state == _DONE

    def eof(self) -> bool:
        """A close before the last chunk is a lost connection."""
        return self._state == _DONE

    def _step(self, buf: bytes, pos: int, out: list[bytes], *, to_boundary: bool) -> int:
        """Run the state machine from ``pos``; stop when the bytes run out, at the end of the
        body, or (``to_boundary``) at the next chunk boundary. Returns the new position."""
        end = len(buf)
        while pos < end and self._state != _DONE:
            state = self._state
            if state == _DATA:
                take = min(self._need, end - pos)
                out.append(buf[pos : pos + take])
                pos += take
                self._need -= take
                if not self._need:
                    self._state = _DATA_END
                continue
            if state == _SIZE and to_boundary:
                break
            line_end = buf.find(b"\n", pos)
            if (line_end if line_end >= 0 else end) - pos > _MAX_LINE:
                raise MalformedResponse("chunk size or trailer line too long")
            if line_end < 0:
                break
            line = buf[pos:line_end].rstrip(b"\r")
            pos = line_end + 1
            if state == _DATA_END:
                if line:
                    raise MalformedResponse("chunk data longer than its size")
                self._state = _SIZE
            elif state == _SIZE:
                self._size_line(line)
            elif not line:  # _TRAILER: trailers end at an empty line
                self._state = _DONE
        return pos

    def _size_line(self, line: bytes) -> None:
        text = line.split(b";", 1)[0].strip()
        if not HEX.fullmatch(text):
            raise MalformedResponse(f"invalid chunk size {line[:40]!r}")
        size = int(text, 16)
        self._need, self._state = size, (_DATA if size else _TRAILER)


def _whole_chunks(buf: bytes, pos: int, out: list[bytes]) -> int:
    """From chunk boundary ``pos``: if the complete chunks that follow (all but a partial last
    one, if any) are plain ``size CRLF payload CRLF`` chunks whose sizes match, append their
    payloads to ``out`` and return the position after them; else return ``pos`` (the state machine
    decides). A size is checked against the bytes up to the next CRLF, so a payload with a
    CRLF inside, an extension or the last chunk never matches."""
    parts = (buf[pos:] if pos else buf).split(b"\r\n")
    # odd: pairs, then "" (a boundary) or a partial size line; even: the last pair is partial
    count = len(parts) // 2 - (1 - len(parts) % 2)
    if count <= 0:
        return pos
    sizes, payloads = parts[0 : 2 * count : 2], parts[1 : 2 * count : 2]
    if b"".join(sizes).translate(None, _HEX_DIGITS):
        return pos  # not plain hex digits (int() would take "0x5", "+5", "0_5")
    try:
        lengths = list(map(int, sizes, repeat(16, count)))
    except ValueError:  # an empty size
        return pos
    actual = list(map(len, payloads))
    if 0 in lengths or lengths != actual:
        # the chunks before the first mismatch are still exactly parsed, one by one; the
        # common mismatch is the last chunk (size 0), found without a Python loop
        last = lengths.index(0) if 0 in lengths else count
        if lengths[:last] == actual[:last]:
            count = last
        else:
            count = next(i for i, (a, b) in enumerate(zip(lengths, actual, strict=True)) if a != b)
        if not count:
            return pos
        sizes, payloads, lengths = sizes[:count], payloads[:count], lengths[:count]
    out.append(payloads[0] if count == 1 else b"".join(payloads))
    return pos + sum(lengths) + sum(map(len, sizes)) + 4 * count


def body_framing(head: Head, method: str) -> Body | None:
    """How the body of ``head`` is delimited; None when it has no body."""
    if method == "HEAD" or head.status in (204, 304):
        return None
    encoding = head.headers.get("transfer-encoding", "").lower()
    if encoding:
        if encoding.rsplit(",", 1)[-1].strip() == "chunked":
            return ChunkedBody()
        return CloseBody()
    length = head.headers.get("content-length")
    if length is not None:
        if not _digits(length.strip()):
            raise MalformedResponse(f"invalid Content-Length {length[:40]!r}")
        size = int(length)
        return LengthBody(size) if size else None
    return CloseBody()


READ_BUFFER_BYTES = 256 * 1024


class Connection(asyncio.BufferedProtocol):
    """One HTTP/1.1 connection: one exchange at a time (``exchange``), reusable after a
    complete response whose head allows keep-alive.

    A buffered protocol: the transport reads into the pool's one read buffer (``recv_into``)
    instead of allocating a fresh 256 KiB bytes object per read, which on a busy stream costs
    as much as parsing what was read. One buffer serves every connection of the pool: the
    transport fills it and hands it over in the same callback, and the bytes are copied out
    before that callback returns."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._transport: asyncio.Transport | None = None
        self._buf = b""
        self._method = "GET"
        self._handler: Handler | None = None
        self._future: asyncio.Future[Response] | None = None
        self._head: Head | None = None
        self._body: Body | None = None
        self._framing: Body | None = None
        self._streaming = False
        self._collected: list[bytes] = []
        self._collect_left = 0
        self._got_bytes = False
        self._extra = False
        self._paused = False
        self._drained: asyncio.Future[None] | None = None
        self.reusable = False
        self.closed = False
        self.idle_since = 0.0

    # --- asyncio.BufferedProtocol ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # not an isinstance check: other event loops (uvloop) have their own transport classes
        self._transport = cast(asyncio.Transport, transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._pool.read_buffer

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(self._pool.read_buffer[:nbytes].tobytes())

    def data_received(self, data: bytes) -> None:
        """The bytes of one read."""
        if self._future is None or self._future.done():
            self.close()  # bytes nobody asked for: the connection is unusable
            return
        self._got_bytes = True
        try:
            if self._body is not None:
                self._feed_body(data)
            else:
                self._feed_head(data)
        except HTTPError as exc:
            self._fail(exc)
        except Exception as exc:  # a handler's bug: fail this exchange, not the event loop
            self._fail(exc)

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        self._pool.forget(self)
        self._release_writer()
        if self._future is None or self._future.done():
            return
        body = self._body
        if self._head is not None and body is not None and body.eof():
            self._finish(complete=True)
            return
        why = f": {exc}" if exc else ""
        if self._got_bytes:
            self._fail(
                ConnectionLost(f"connection lost during the response{why}", before_response=False)
            )
        else:
            self._fail(
                ConnectionLost(f"connection closed before any response{why}", before_response=True)
            )

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._release_writer()

    # --- exchange ---

    async def exchange(
        self, method: str, request: bytes, handler: Handler, collect: int
    ) -> Response:
        """Send ``request`` (head and body bytes) and wait for the whole response. Streamed
        bodies go to ``handler`` as they arrive; others are collected up to ``collect`` bytes.
        Cancellation or ``abort`` closes the connection."""
        if self.closed or self._transport is None:
            raise ConnectionLost("connection closed before any response", before_response=True)
        loop = asyncio.get_running_loop()
        self._method, self._handler, self._collect_left = method, handler, collect
        future: asyncio.Future[Response] = loop.create_future()
        self._future = future
        self._head, self._body, self._framing = None, None, None
        self._streaming = self._got_bytes = False
        self._collected = []
        self._extra = self.reusable = False
        self._transport.write(request)
        try:
            if self._paused:
                self._drained = loop.create_future()
                await self._drained
            return await future
        except BaseException:
            self.close()
            raise
        finally:
            self._future = self._handler = None

    def abort(self, exc: BaseException) -> None:
        """Fail the exchange in progress with ``exc`` and close the connection."""
        self._fail(exc)

    def abandon(self) -> None:
        """End the exchange in progress as it stands (the caller has what it needs) and close
        the connection: its body was not read to the end."""
        if self._future is not None and not self._future.done() and self._head is not None:
            self._finish(complete=False)
        self.close()

    def close(self) -> None:
        """Close the connection at once (anything not yet written is dropped)."""
        self.reusable = False
        if self._transport is not None and not self.closed:
            self.closed = True
            self._transport.abort()
        self._release_writer()

    # --- response parsing ---

    def _feed_head(self, data: bytes) -> None:
        buf = self._buf + data if self._buf else data
        while True:
            end = buf.find(b"\r\n\r\n")
            if (end if end >= 0 else len(buf)) > MAX_HEAD_BYTES:
                raise MalformedResponse("response head too large")
            if end < 0:
                self._buf = buf
                return
            head, start = parse_head(buf[:end]), end + 4
            if head.status == 101:
                raise MalformedResponse("unexpected 101 Switching Protocols")
            if not (100 <= head.status < 200):
                break  # an interim 1xx response is skipped
            buf = buf[start:]
        self._buf = b""
        self._head = head
        framing = body_framing(head, self._method)
        self._framing = framing
        if framing is None:
            self._extra = start < len(buf)
            self._finish(complete=True)
            return
        assert self._handler is not None
        body = self._handler.on_head(head, framing)
        self._streaming = body is not None
        self._body = framing if body is None else body
        if start < len(buf):
            self._feed_body(buf, start)

    def _feed_body(self, data: bytes, start: int = 0) -> None:
        body = self._body
        assert body is not None
        piece, complete = body.feed(data, start)
        if piece:
            if self._streaming:
                assert self._handler is not None
                self._handler.on_body(piece)
            elif self._collect_left > 0:
                piece = piece[: self._collect_left]
                self._collect_left -= len(piece)
                self._collected.append(piece)
        if complete:
            self._extra = body.extra
            self._finish(complete=True)

    def _finish(self, *, complete: bool) -> None:
        future, head = self._future, self._head
        if future is None or future.done() or head is None:
            return
        self.reusable = (
            complete
            and head.keep_alive
            and not self._extra
            and not isinstance(self._framing, CloseBody)
        )
        self._body = None
        self._release_writer()
        future.set_result(Response(head, b"".join(self._collected), complete))

    def _fail(self, exc: BaseException) -> None:
        future = self._future
        if future is not None and not future.done():
            future.set_exception(exc)
        self.close()

    def _release_writer(self) -> None:
        """Wake an exchange waiting for its request to be written (the exchange is over)."""
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)


class Pool:
    """Keep-alive connections to one origin: at most ``limit`` open at once; an idle one older
    than ``keepalive_s`` is not reused (it is closed when next found)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        ssl_context: ssl.SSLContext | None,
        limit: int,
        keepalive_s: float,
    ) -> None:
        self.host, self.port = host, port
        self._ssl = ssl_context
        self._limit = max(1, limit)
        self._keepalive_s = keepalive_s
        self._idle: collections.deque[Connection] = collections.deque()
        self._open: set[Connection] = set()
        self._connecting = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._closed = False
        self.read_buffer = memoryview(bytearray(READ_BUFFER_BYTES))

    async def acquire(self, connect_timeout_s: float) -> tuple[Connection, bool]:
        """A connection for one exchange, and whether it was reused; waits while ``limit``
        connections are busy. ``ConnectFailed`` or ``ConnectTimeout``."""
        loop = asyncio.get_running_loop()
        while True:
            if self._closed:
                raise ConnectFailed("the connection pool is closed")
            conn = self._pop_idle(loop.time())
            if conn is not None:
                return conn, True
            if len(self._open) + self._connecting < self._limit:
                return await self._connect(connect_timeout_s), False
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # woken, then cancelled: pass the wake-up on
                raise
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def take_idle(self) -> Connection | None:
        """A kept-alive connection, at once, if one is free (no waiting, no connecting)."""
        if self._closed:
            return None
        return self._pop_idle(asyncio.get_running_loop().time())

    def release(self, conn: Connection) -> None:
        """Give a connection back after its exchange: kept when reusable, else closed."""
        if conn.reusable and not conn.closed and not self._closed:
            conn.idle_since = asyncio.get_running_loop().time()
            self._idle.append(conn)
        else:
            conn.close()
            self.forget(conn)
        self._wake()

    def forget(self, conn: Connection) -> None:
        """A connection closed (by either side): it no longer counts."""
        self._open.discard(conn)
        if conn in self._idle:
            self._idle.remove(conn)
        self._wake()

    async def close(self) -> None:
        """Close every connection."""
        self._closed = True
        for conn in list(self._open):
            conn.close()
        self._open.clear()
        self._idle.clear()
        self._wake_all()
        await asyncio.sleep(0)  # let the transports run their close callbacks

    def _pop_idle(self, now: float) -> Connection | None:
        while self._idle:
            conn = self._idle.pop()  # the most recently used: the least likely to be stale
            if conn.closed:
                continue
            if now - conn.idle_since < self._keepalive_s:
                return conn
            conn.close()
            self._open.discard(conn)
        return None

    async def _connect(self, timeout_s: float) -> Connection:
        loop = asyncio.get_running_loop()
        self._connecting += 1
        try:
            async with asyncio.timeout(timeout_s):
                _, conn = await loop.create_connection(
                    lambda: Connection(self),
                    self.host,
                    self.port,
                    ssl=self._ssl,
                    server_hostname=self.host if self._ssl is not None else None,
                )
        except TimeoutError:
            self._wake()
            raise ConnectTimeout(f"no connection within {timeout_s:g} s") from None
        except ssl.SSLError as exc:
            self._wake()
            raise ConnectFailed(str(exc), tls=True) from None
        except OSError as exc:
            self._wake()
            raise ConnectFailed(str(exc) or type(exc).__name__) from None
        finally:
            self._connecting -= 1
        if self._closed:
            conn.close()
            raise ConnectFailed("the connection pool is closed")
        self._open.add(conn)
        self._wake()
        return conn

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _wake_all(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
