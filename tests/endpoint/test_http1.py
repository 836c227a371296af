"""The lean HTTP/1.1 client (``endpoints.http1``): body framing and head parsing at every split
of the bytes, and the pool and connections against a raw server on 127.0.0.1 whose replies are
scripted byte for byte.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import socket
from collections.abc import Callable, Coroutine, Sequence
from types import TracebackType
from typing import Any, ParamSpec

import pytest
from pawbench_builtins.endpoints.http1 import (
    MAX_HEAD_BYTES,
    Body,
    ChunkedBody,
    CloseBody,
    ConnectFailed,
    Connection,
    ConnectionLost,
    ConnectTimeout,
    Head,
    LengthBody,
    MalformedResponse,
    Pool,
    Response,
    _whole_chunks,
    body_framing,
    parse_head,
)

P = ParamSpec("P")

# ---------------------------------------------------------------------------------------------
# ChunkedBody


def chunked(*payloads: bytes, upper: bool = False, tail: bytes = b"0\r\n\r\n") -> bytes:
    """``payloads`` as chunks (hex sizes in ``upper`` case) followed by ``tail``."""
    size = b"%X" if upper else b"%x"
    return b"".join(size % len(p) + b"\r\n" + p + b"\r\n" for p in payloads) + tail


# a payload holding CRLFs, one that is exactly CRLF, and one that looks like a whole chunk
PAYLOADS = (b"hello", b", ", b"world\r\n", b"\r\n", b"2\r\nab\r\n", b"x" * 300, b"!")
PAYLOAD = b"".join(PAYLOADS)
WIRE = chunked(*PAYLOADS)


def feed_reads(body: ChunkedBody | LengthBody, reads: Sequence[bytes]) -> tuple[bytes, list[bool]]:
    """The payload of ``reads`` fed in turn, and the completion flag after each."""
    out: list[bytes] = []
    flags: list[bool] = []
    for data in reads:
        piece, done = body.feed(data)
        out.append(piece)
        flags.append(done)
    return b"".join(out), flags


def test_chunked_fed_whole() -> None:
    body = ChunkedBody()
    assert body.feed(WIRE) == (PAYLOAD, True)
    assert body.eof()


def test_chunked_fed_one_byte_at_a_time() -> None:
    body = ChunkedBody()
    payload, flags = feed_reads(body, [WIRE[i : i + 1] for i in range(len(WIRE))])
    assert payload == PAYLOAD
    assert flags == [False] * (len(WIRE) - 1) + [True]


def test_chunked_split_at_every_position() -> None:
    for cut in range(1, len(WIRE)):
        body = ChunkedBody()
        payload, flags = feed_reads(body, [WIRE[:cut], WIRE[cut:]])
        assert (payload, flags) == (PAYLOAD, [False, True]), cut
        assert body.eof(), cut


def test_chunked_split_into_three_reads_everywhere() -> None:
    payloads = (b"ab", b"c\r\nd", b"\r\n", b"efg")
    wire = chunked(*payloads, tail=b"0\r\nT: 1\r\n\r\n")
    for i in range(1, len(wire) - 1):
        for j in range(i + 1, len(wire)):
            reads = [wire[:i], wire[i:j], wire[j:]]
            assert feed_reads(ChunkedBody(), reads) == (
                b"".join(payloads),
                [False, False, True],
            ), (i, j)


def test_chunked_in_reads_of_every_size() -> None:
    for size in range(1, len(WIRE) + 1):
        reads = [WIRE[i : i + size] for i in range(0, len(WIRE), size)]
        payload, flags = feed_reads(ChunkedBody(), reads)
        assert (payload, flags) == (PAYLOAD, [False] * (len(reads) - 1) + [True]), size


def test_chunked_upper_case_hex_split_at_every_position() -> None:
    payloads = (b"0123456789", b"y" * 0xAB, b"z" * 0x1F)
    wire = chunked(*payloads, upper=True)
    assert b"AB\r\n" in wire and b"1F\r\n" in wire
    for cut in range(1, len(wire)):
        assert feed_reads(ChunkedBody(), [wire[:cut], wire[cut:]]) == (
            b"".join(payloads),
            [False, True],
        ), cut


def test_chunked_run_of_whole_chunks_then_last_chunk() -> None:
    body = ChunkedBody()
    assert body.feed(chunked(b"data: 1\n\n", tail=b"")) == (b"data: 1\n\n", False)
    assert body.feed(chunked(b"a", b"bc", tail=b"")) == (b"abc", False)
    assert not body.eof()
    assert body.feed(b"0\r\n\r\n") == (b"", True)
    assert body.eof()


def test_chunked_payload_with_crlf_in_one_read_per_chunk() -> None:
    body = ChunkedBody()
    assert body.feed(chunked(b"ab\r\ncd", tail=b"")) == (b"ab\r\ncd", False)
    assert body.feed(chunked(b"2\r\nab\r\n", tail=b"")) == (b"2\r\nab\r\n", False)
    assert body.feed(chunked(b"\r\n\r\n", tail=b"")) == (b"\r\n\r\n", False)
    assert body.feed(b"0\r\n\r\n") == (b"", True)


def test_chunked_extensions_at_every_split() -> None:
    wire = b'5;name=val\r\nhello\r\n6;a=1;b="x y"\r\n world\r\n0;last\r\n\r\n'
    assert ChunkedBody().feed(wire) == (b"hello world", True)
    for cut in range(1, len(wire)):
        assert feed_reads(ChunkedBody(), [wire[:cut], wire[cut:]]) == (
            b"hello world",
            [False, True],
        ), cut


def test_chunked_trailers_end_at_the_empty_line() -> None:
    body = ChunkedBody()
    assert body.feed(b"3\r\nabc\r\n0\r\nX-Checksum: 1234\r\n") == (b"abc", False)
    assert not body.eof()
    assert body.feed(b"X-Other: y\r\n") == (b"", False)
    assert not body.eof()
    assert body.feed(b"\r\n") == (b"", True)
    assert body.eof()


def test_chunked_trailers_at_every_split() -> None:
    wire = b"3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other: y\r\n\r\n"
    for cut in range(1, len(wire)):
        assert feed_reads(ChunkedBody(), [wire[:cut], wire[cut:]]) == (
            b"abc",
            [False, True],
        ), cut


def test_chunked_leading_zeros_and_whitespace_around_size() -> None:
    assert ChunkedBody().feed(b"005\r\nhello\r\n0\r\n\r\n") == (b"hello", True)
    assert ChunkedBody().feed(b"5 ;ext\r\nhello\r\n0\r\n\r\n") == (b"hello", True)


@pytest.mark.parametrize("size", [b"zz", b"-1", b"0x5", b"", b"5 5", b"g", b"+5", b"0_5"])
def test_chunked_invalid_size_line_alone(size: bytes) -> None:
    with pytest.raises(MalformedResponse, match="invalid chunk size"):
        ChunkedBody().feed(size + b"\r\n")


@pytest.mark.parametrize(
    "size",
    [
        b"zz",
        b"-1",
        b"-5",
        b"5 5",
        b"0x5",
        b"+5",
        b"0_5",
    ],
)
def test_chunked_invalid_size_with_its_data(size: bytes) -> None:
    """The same check whether or not the read is a run of whole chunks (the fast path)."""
    with pytest.raises(MalformedResponse):
        ChunkedBody().feed(size + b"\r\nhello\r\n")


def test_chunked_invalid_size_after_valid_chunks() -> None:
    body = ChunkedBody()
    assert body.feed(b"5\r\nhello\r\n") == (b"hello", False)
    with pytest.raises(MalformedResponse, match="invalid chunk size"):
        body.feed(b"zz\r\nhello\r\n0\r\n\r\n")


def test_chunked_size_line_over_4096_bytes_arriving_in_pieces() -> None:
    body = ChunkedBody()
    assert body.feed(b"5;" + b"x" * 2000) == (b"", False)
    with pytest.raises(MalformedResponse, match="too long"):
        body.feed(b"x" * 3000)


def test_chunked_size_line_over_4096_bytes_in_one_read() -> None:
    with pytest.raises(MalformedResponse):
        ChunkedBody().feed(b"5;" + b"x" * 5000 + b"\r\nhello\r\n0\r\n\r\n")


def test_chunked_size_over_16_hex_digits() -> None:
    with pytest.raises(MalformedResponse, match="invalid chunk size"):
        ChunkedBody().feed(b"1" + b"0" * 16 + b"\r\n")


def test_chunked_data_longer_than_its_size() -> None:
    with pytest.raises(MalformedResponse, match="longer than its size"):
        ChunkedBody().feed(b"5\r\nhelloXX\r\n0\r\n\r\n")
    body = ChunkedBody()
    assert body.feed(b"5\r\nhello") == (b"hello", False)
    with pytest.raises(MalformedResponse, match="longer than its size"):
        body.feed(b"XX\r\n")


def test_chunked_eof_only_after_the_last_chunk() -> None:
    body = ChunkedBody()
    assert not body.eof()
    for data in (b"5\r\nhello\r\n", b"3\r\nab", b"c\r\n", b"0\r\n", b"X: 1\r\n"):
        body.feed(data)
        assert not body.eof(), data
    assert body.feed(b"\r\n") == (b"", True)
    assert body.eof()


def test_chunked_empty_read_changes_nothing() -> None:
    body = ChunkedBody()
    assert body.feed(b"") == (b"", False)
    assert body.feed(b"3\r\nab") == (b"ab", False)
    assert body.feed(b"") == (b"", False)
    assert body.feed(b"c\r\n0\r\n\r\n") == (b"c", True)


# ---------------------------------------------------------------------------------------------
# _whole_chunks (the fast path)


def whole(buf: bytes, pos: int = 0) -> tuple[int, bytes]:
    """``_whole_chunks`` from ``pos``: the position it returns and the payload it took."""
    out: list[bytes] = []
    end = _whole_chunks(buf, pos, out)
    assert len(out) <= 1
    return end, b"".join(out)


def test_whole_chunks_takes_runs_of_whole_chunks() -> None:
    assert whole(b"5\r\nhello\r\n") == (10, b"hello")
    run = b"5\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n"
    assert whole(run) == (len(run), b"hello 0123456789")
    assert whole(b"a\r\n0123456789\r\n") == (15, b"0123456789")
    run = chunked(b"\n\n", b"x\ny", tail=b"")
    assert whole(run) == (len(run), b"\n\nx\ny")


def test_whole_chunks_from_a_boundary_inside_the_buffer() -> None:
    buf = b"lo\r\n" + chunked(b"abc", b"de", tail=b"")
    assert whole(buf, 4) == (len(buf), b"abcde")


@pytest.mark.parametrize(
    ("buf", "end", "payload"),
    [
        (b"5\r\nhello\r\n5\r\nwor", 10, b"hello"),
        (b"5\r\nhello\r\n5\r\n", 10, b"hello"),
        (b"5\r\nhello\r\n5\r\nworld", 10, b"hello"),
        (b"5\r\nhello\r\n5\r\nworld\r", 10, b"hello"),
        (b"5\r\nhello\r\n2\r\nhi\r\n7\r\nab\r\ncd", 17, b"hellohi"),
        (b"5\r\nhello\r\n0\r\n", 10, b"hello"),
        (b"5\r\nhello\r\n0\r\n\r\n", 10, b"hello"),  # the last chunk: the state machine's
        (b"5\r\nhello\r\nnot a size\r\n", 10, b"hello"),
    ],
)
def test_whole_chunks_stops_before_a_partial_chunk(buf: bytes, end: int, payload: bytes) -> None:
    assert whole(buf) == (end, payload)


@pytest.mark.parametrize(
    "buf",
    [
        b"",
        b"5",
        b"5\r\n",
        b"5\r\nhel",
        b"5\r\nhello",
        b"5\r\nhello\r",
        b"0\r\n\r\n",
        b"0\r\n",
        b"5;a=b\r\nhello\r\n",
        b"5\r\nhello\r\n3;x\r\nabc\r\n",
        b"7\r\nab\r\ncde\r\n",
        b"7\r\n2\r\nab\r\n\r\n",
        b"4\r\nhello\r\n",
        b"6\r\nhello\r\n",
        b"zz\r\nhello\r\n",
        b"-5\r\nhello\r\n",
        b"\r\nhello\r\n",
    ],
)
def test_whole_chunks_takes_nothing(buf: bytes) -> None:
    """Extensions, the last chunk, a payload with CRLF, a wrong size: the state machine's."""
    assert whole(buf) == (0, b"")
    assert whole(b"xyz" + buf, 3) == (3, b"")


# ---------------------------------------------------------------------------------------------
# LengthBody, CloseBody, body_framing


def test_length_body_stops_at_its_length() -> None:
    body = LengthBody(8)
    assert not body.eof()
    assert body.feed(b"abc") == (b"abc", False)
    assert not body.eof()
    assert body.feed(b"") == (b"", False)
    assert body.feed(b"defghXYZ") == (b"defgh", True)
    assert body.eof()


def test_length_body_one_byte_at_a_time() -> None:
    data = b"0123456789"
    payload, flags = feed_reads(LengthBody(10), [data[i : i + 1] for i in range(10)])
    assert payload == data
    assert flags == [False] * 9 + [True]


def test_close_body_takes_everything() -> None:
    body = CloseBody()
    assert body.feed(b"abc") == (b"abc", False)
    assert body.feed(b"\r\n0\r\n\r\n") == (b"\r\n0\r\n\r\n", False)
    assert body.eof()


def head(status: int = 200, version: str = "HTTP/1.1", **headers: str) -> Head:
    """A head with ``headers`` (underscores in names become dashes)."""
    names = {k.replace("_", "-"): v for k, v in headers.items()}
    return Head(status, "", names, version == "HTTP/1.1")


@pytest.mark.parametrize(
    ("status", "method"), [(204, "GET"), (304, "GET"), (200, "HEAD"), (404, "HEAD")]
)
def test_body_framing_no_body(status: int, method: str) -> None:
    assert body_framing(head(status, content_length="5"), method) is None
    assert body_framing(head(status, transfer_encoding="chunked"), method) is None
    assert body_framing(head(status), method) is None


@pytest.mark.parametrize("encoding", ["chunked", "Chunked", "gzip, chunked", "gzip,chunked "])
def test_body_framing_chunked(encoding: str) -> None:
    assert isinstance(body_framing(head(transfer_encoding=encoding), "GET"), ChunkedBody)
    assert isinstance(body_framing(head(transfer_encoding=encoding), "POST"), ChunkedBody)


def test_body_framing_transfer_encoding_wins_over_content_length() -> None:
    framing = body_framing(head(transfer_encoding="chunked", content_length="5"), "GET")
    assert isinstance(framing, ChunkedBody)
    # chunked not last: the body runs to the close (RFC 9112 6.3)
    framing = body_framing(head(transfer_encoding="chunked, gzip", content_length="5"), "GET")
    assert isinstance(framing, CloseBody)
    assert isinstance(body_framing(head(transfer_encoding="identity"), "GET"), CloseBody)


def test_body_framing_content_length() -> None:
    assert body_framing(head(content_length="0"), "GET") is None
    assert body_framing(head(content_length="000"), "GET") is None
    framing = body_framing(head(content_length="12"), "GET")
    assert isinstance(framing, LengthBody)
    assert framing.feed(b"x" * 20) == (b"x" * 12, True)
    framing = body_framing(head(content_length=" 3 "), "POST")
    assert isinstance(framing, LengthBody)
    assert framing.feed(b"abcd") == (b"abc", True)


@pytest.mark.parametrize(
    "length",
    [
        "abc",
        "-1",
        "+1",
        "1.5",
        "",
        "5, 5",
        "0x10",
        "\xb2",
    ],
)
def test_body_framing_invalid_content_length(length: str) -> None:
    with pytest.raises(MalformedResponse, match="invalid Content-Length"):
        body_framing(head(content_length=length), "GET")


def test_body_framing_no_length_is_close_delimited() -> None:
    assert isinstance(body_framing(head(), "GET"), CloseBody)
    assert isinstance(body_framing(head(500, "HTTP/1.0"), "POST"), CloseBody)


# ---------------------------------------------------------------------------------------------
# parse_head


@pytest.mark.parametrize(
    ("block", "status", "reason"),
    [
        (b"HTTP/1.1 200 OK", 200, "OK"),
        (b"HTTP/1.1 404 Not Found", 404, "Not Found"),
        (b"HTTP/1.1 200", 200, ""),
        (b"HTTP/1.1 200 ", 200, ""),
        (b"HTTP/1.0 503 Service  Unavailable ", 503, "Service  Unavailable "),
        (b"HTTP/1.1 429 caf\xe9", 429, "café"),
    ],
)
def test_parse_head_status_line(block: bytes, status: int, reason: str) -> None:
    parsed = parse_head(block)
    assert (parsed.status, parsed.reason, parsed.headers) == (status, reason, {})


def test_parse_head_headers() -> None:
    parsed = parse_head(
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: Text/Event-Stream; charset=utf-8\r\n"
        b"X-Spaced:   padded value  \r\n"
        b"Location: http://h:8080/x\r\n"
        b"Set-Cookie: a=1\r\n"
        b"set-cookie: b=2\r\n"
        b"SET-COOKIE: c=3\r\n"
        b"X-Empty:\r\n"
        b"X-Latin: caf\xe9"
    )
    assert parsed.headers == {
        "content-type": "Text/Event-Stream; charset=utf-8",
        "x-spaced": "padded value",
        "location": "http://h:8080/x",
        "set-cookie": "a=1, b=2, c=3",
        "x-empty": "",
        "x-latin": "café",
    }
    assert parsed.content_type == "text/event-stream"
    assert parse_head(b"HTTP/1.1 200 OK").content_type == ""


@pytest.mark.parametrize(
    ("block", "keep_alive"),
    [
        (b"HTTP/1.1 200 OK", True),
        (b"HTTP/1.1 200 OK\r\nConnection: keep-alive", True),
        (b"HTTP/1.1 200 OK\r\nConnection: close", False),
        (b"HTTP/1.1 200 OK\r\nConnection: Close", False),
        (b"HTTP/1.1 200 OK\r\nConnection: upgrade, close", False),
        (b"HTTP/1.1 200 OK\r\nConnection: upgrade\r\nConnection: close", False),
        (b"HTTP/1.0 200 OK", False),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive", True),
        (b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive", True),
        (b"HTTP/1.0 200 OK\r\nConnection: close", False),
    ],
)
def test_parse_head_keep_alive(block: bytes, keep_alive: bool) -> None:
    assert parse_head(block).keep_alive is keep_alive


@pytest.mark.parametrize(
    "block",
    [
        b"",
        b"garbage",
        b"SSH-2.0-OpenSSH_9.6",
        b"HTTP/2 200 OK",
        b"http/1.1 200 OK",
        b"HTTP/1.1 OK",
        b"HTTP/1.1  200 OK",
        b"HTTP/1.1 -20 OK",
        b"HTTP/1.1 200 OK\r\nNoColon",
        b"HTTP/1.1 200 OK\r\n: empty name",
        b"HTTP/1.1 200 OK\r\nBad Name: v",
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded continuation",
        b"HTTP/1.1 \xb200 OK",
        b"HTTP/1.1 2000 OK",
    ],
)
def test_parse_head_invalid(block: bytes) -> None:
    with pytest.raises(MalformedResponse):
        parse_head(block)


# ---------------------------------------------------------------------------------------------
# live: a raw server on 127.0.0.1


class Act(enum.Enum):
    """Server steps besides bytes (written and drained) and floats (a pause in seconds)."""

    HOLD = "wait until the server's hold event is set"
    CLOSE = "close the connection"


Step = bytes | float | Act
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def ok(body: bytes, *headers: bytes, version: bytes = b"HTTP/1.1") -> bytes:
    """A complete response with a Content-Length body."""
    lines = [version + b" 200 OK", *headers, b"Content-Length: %d" % len(body)]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class RawServer:
    """A TCP server on 127.0.0.1 that answers each request (head and Content-Length body) with
    the next script of steps (the last one repeats), and counts connections."""

    def __init__(self, *replies: Sequence[Step], read: bool = True, rcvbuf: int = 0) -> None:
        self.replies = list(replies)
        self.read = read
        self.rcvbuf = rcvbuf
        self.served = 0
        self.requests: list[bytes] = []
        self.connections = 0
        self.open = 0
        self.peak = 0
        self.in_flight = 0
        self.eofs = 0  # connections the client closed
        self.hold = asyncio.Event()
        self.port = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        sock.bind(("127.0.0.1", 0))
        self._server = await asyncio.start_server(self._serve, sock=sock)
        self.port = sock.getsockname()[1]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            while await self._answer(reader, writer):
                pass
        # the cancel comes from __aexit__; a connection task that ends cancelled makes
        # asyncio.streams report an error to the loop
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.open -= 1
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read a request and play the reply to it; False when the connection is over."""
        if self.read:
            try:
                request = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                self.eofs += 1
                return False
            for line in request.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    request += await reader.readexactly(int(line.split(b":")[1]))
            self.requests.append(request)
        steps = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        self.in_flight += 1
        try:
            for step in steps:
                if isinstance(step, bytes):
                    writer.write(step)
                    await writer.drain()
                elif isinstance(step, float):
                    await asyncio.sleep(step)
                elif step is Act.HOLD:
                    await self.hold.wait()
                else:
                    return False
        finally:
            self.in_flight -= 1
        return self.read


class Recorder:
    """A ``Handler`` that records what it is given; ``stream`` selects streaming, ``on_piece``
    runs on every piece of body."""

    def __init__(
        self, stream: bool = False, on_piece: Callable[[bytes], None] | None = None
    ) -> None:
        self.stream = stream
        self.on_piece = on_piece
        self.heads: list[Head] = []
        self.pieces: list[bytes] = []

    def on_head(self, head: Head, body: Body) -> Body | None:
        self.heads.append(head)
        return body if self.stream else None

    def on_body(self, data: bytes) -> None:
        self.pieces.append(data)
        if self.on_piece is not None:
            self.on_piece(data)


def live(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async test in a fresh loop with a 5 s guard; the loop's exception handler (which
    sees errors in callbacks and unretrieved exceptions) must not have been called."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        async def guarded() -> list[dict[str, Any]]:
            errors: list[dict[str, Any]] = []
            asyncio.get_running_loop().set_exception_handler(lambda _, ctx: errors.append(ctx))
            async with asyncio.timeout(5):
                await test(*args, **kwargs)
            return errors

        assert asyncio.run(guarded()) == []

    return run


async def until(condition: Callable[[], bool], timeout_s: float = 2.0) -> None:
    """Wait (polling) until ``condition()`` holds."""
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.002)


def make_pool(server: RawServer, limit: int = 4, keepalive_s: float = 30.0) -> Pool:
    return Pool("127.0.0.1", server.port, ssl_context=None, limit=limit, keepalive_s=keepalive_s)


async def fetch(
    pool: Pool,
    handler: Recorder | None = None,
    method: str = "GET",
    collect: int = 1 << 20,
) -> tuple[Response, Connection, bool]:
    """One exchange: the response, the connection it used (released) and whether reused."""
    conn, reused = await pool.acquire(1.0)
    try:
        response = await conn.exchange(method, REQUEST, handler or Recorder(), collect)
    finally:
        pool.release(conn)
    return response, conn, reused


@live
async def test_keep_alive_reuses_the_connection() -> None:
    async with RawServer([ok(b"one")], [ok(b"two", b"X-N: 2")]) as server:
        pool = make_pool(server)
        first, conn1, reused1 = await fetch(pool)
        assert first == Response(Head(200, "OK", {"content-length": "3"}, True), b"one", True)
        assert conn1.reusable and not conn1.closed
        second, conn2, reused2 = await fetch(pool)
        assert second.body == b"two"
        assert second.head.headers == {"x-n": "2", "content-length": "3"}
        assert (reused1, reused2, conn2 is conn1) == (False, True, True)
        assert server.connections == 1
        assert server.requests == [REQUEST, REQUEST]
        await pool.close()


@live
async def test_http10_keep_alive_is_reused() -> None:
    reply = ok(b"ok", b"Connection: keep-alive", version=b"HTTP/1.0")
    async with RawServer([reply]) as server:
        pool = make_pool(server)
        await fetch(pool)
        response, _, reused = await fetch(pool)
        assert (response.body, response.head.keep_alive, reused) == (b"ok", True, True)
        assert server.connections == 1
        await pool.close()


@live
async def test_connection_close_is_not_reused() -> None:
    async with RawServer([ok(b"hi", b"Connection: close")]) as server:
        pool = make_pool(server)
        response, conn, _ = await fetch(pool)
        assert (response.body, response.complete, response.head.keep_alive) == (b"hi", True, False)
        assert (conn.reusable, conn.closed) == (False, True)
        response, conn2, reused = await fetch(pool)
        assert (response.body, reused, conn2 is conn) == (b"hi", False, False)
        assert server.connections == 2
        await until(lambda: server.eofs == 2)
        await pool.close()


@live
async def test_close_delimited_body_ends_at_eof() -> None:
    reply: list[Step] = [b"HTTP/1.1 200 OK\r\n\r\npart one ", 0.01, b"part two", 0.01, Act.CLOSE]
    async with RawServer(reply) as server:
        pool = make_pool(server)
        response, conn, _ = await fetch(pool)
        assert (response.body, response.complete) == (b"part one part two", True)
        assert (conn.reusable, conn.closed) == (False, True)
        _, _, reused = await fetch(pool)
        assert reused is False
        await pool.close()


@live
async def test_content_length_body_over_several_writes() -> None:
    body = bytes(range(256)) * 4
    reply: list[Step] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n",
        0.005,
        body[:100],
        0.005,
        body[100:],
    ]
    async with RawServer(reply) as server:
        pool = make_pool(server)
        handler = Recorder()
        response, conn, _ = await fetch(pool, handler)
        assert (response.body, response.complete, conn.reusable) == (body, True, True)
        assert (len(handler.heads), handler.pieces) == (1, [])
        await pool.close()


@live
async def test_chunked_body_streamed_in_pieces() -> None:
    reply: list[Step] = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]
    for data in (b"3\r\nHel\r\n", b"2\r\nlo\r\n", b"6\r\n wor", b"ld\r\n", b"0\r\n", b"\r\n"):
        reply += [0.005, data]
    async with RawServer(reply, [ok(b"next")]) as server:
        pool = make_pool(server)
        handler = Recorder(stream=True)
        response, conn, _ = await fetch(pool, handler)
        assert handler.pieces == [b"Hel", b"lo", b" wor", b"ld"]
        assert [h.status for h in handler.heads] == [200]
        assert (response.body, response.complete, conn.reusable) == (b"", True, True)
        response, _, reused = await fetch(pool)
        assert (response.body, reused) == (b"next", True)
        await pool.close()


@live
async def test_chunked_body_collected_with_the_head_in_one_write() -> None:
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + WIRE
    async with RawServer([wire]) as server:
        pool = make_pool(server)
        response, conn, _ = await fetch(pool)
        assert (response.body, response.complete, conn.reusable) == (PAYLOAD, True, True)
        await pool.close()


@live
async def test_interim_responses_are_skipped() -> None:
    reply: list[Step] = [
        b"HTTP/1.1 100 Continue\r\n\r\n",
        0.005,
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok(b"done")[:20],
        0.005,
        ok(b"done")[20:],
    ]
    async with RawServer(reply) as server:
        pool = make_pool(server)
        handler = Recorder()
        response, conn, _ = await fetch(pool, handler)
        assert handler.heads == [Head(200, "OK", {"content-length": "4"}, True)]
        assert (response.head.status, response.body, conn.reusable) == (200, b"done", True)
        await pool.close()


@live
async def test_interim_and_final_head_in_one_write() -> None:
    async with RawServer([b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"done")]) as server:
        pool = make_pool(server)
        response, _, _ = await fetch(pool)
        assert (response.head.status, response.body) == (200, b"done")
        await pool.close()


@live
async def test_head_split_across_many_writes() -> None:
    wire = ok(b"body!", b"Content-Type: application/json", b"X-Request-Id: abc-123")
    steps: list[Step] = []
    for i in range(0, len(wire), 5):
        steps += [wire[i : i + 5], 0.002]
    async with RawServer(steps) as server:
        pool = make_pool(server)
        handler = Recorder(stream=True)
        response, conn, _ = await fetch(pool, handler)
        assert response.head == Head(
            200,
            "OK",
            {"content-type": "application/json", "x-request-id": "abc-123", "content-length": "5"},
            True,
        )
        assert b"".join(handler.pieces) == b"body!"
        assert (response.complete, conn.reusable) == (True, True)
        await pool.close()


@live
async def test_head_request_and_204_have_no_body() -> None:
    replies = (
        [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"],
        [b"HTTP/1.1 204 No Content\r\n\r\n"],
        [ok(b"after")],
    )
    async with RawServer(*replies) as server:
        pool = make_pool(server)
        response, _, _ = await fetch(pool, method="HEAD")
        assert (response.head.status, response.body, response.complete) == (200, b"", True)
        response, _, reused = await fetch(pool)
        assert (response.head.status, response.body, reused) == (204, b"", True)
        response, _, reused = await fetch(pool)
        assert (response.body, reused) == (b"after", True)
        assert server.connections == 1
        await pool.close()


@live
async def test_garbage_instead_of_a_status_line() -> None:
    async with RawServer([b"SSH-2.0-OpenSSH_9.6\r\n\r\n"]) as server:
        pool = make_pool(server)
        with pytest.raises(MalformedResponse, match="invalid status line"):
            await fetch(pool)
        await until(lambda: server.eofs == 1)
        await pool.close()


@live
async def test_head_too_large() -> None:
    async with RawServer([b"HTTP/1.1 200 OK\r\nX: " + b"y" * MAX_HEAD_BYTES]) as server:
        pool = make_pool(server)
        with pytest.raises(MalformedResponse, match="head too large"):
            await fetch(pool)
        await pool.close()


@live
async def test_invalid_content_length_fails_the_exchange() -> None:
    async with RawServer([b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n0123456789"]) as server:
        pool = make_pool(server)
        with pytest.raises(MalformedResponse, match="invalid Content-Length"):
            await fetch(pool)
        await pool.close()


@live
async def test_close_before_any_byte() -> None:
    async with RawServer([Act.CLOSE]) as server:
        pool = make_pool(server)
        with pytest.raises(ConnectionLost) as caught:
            await fetch(pool)
        assert caught.value.before_response is True
        await pool.close()


@live
async def test_close_on_a_reused_connection_before_any_byte() -> None:
    async with RawServer([ok(b"one")], [Act.CLOSE]) as server:
        pool = make_pool(server)
        await fetch(pool)
        conn, reused = await pool.acquire(1.0)
        assert reused is True
        with pytest.raises(ConnectionLost) as caught:
            await conn.exchange("GET", REQUEST, Recorder(), 100)
        pool.release(conn)
        assert caught.value.before_response is True
        assert conn.closed
        await pool.close()


@live
async def test_close_mid_body() -> None:
    replies: tuple[list[Step], ...] = (
        [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd", 0.005, Act.CLOSE],
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", Act.CLOSE],
        [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", Act.CLOSE],
    )
    async with RawServer(*replies) as server:
        pool = make_pool(server)
        for pieces in ([b"abcd"], [b"hello"], []):
            handler = Recorder(stream=True)
            with pytest.raises(ConnectionLost) as caught:
                await fetch(pool, handler)
            assert caught.value.before_response is False
            assert handler.pieces == pieces
        assert server.connections == 3
        await pool.close()


@live
async def test_pool_limit() -> None:
    async with RawServer([Act.HOLD, ok(b"ok")]) as server:
        pool = make_pool(server, limit=2)
        tasks = [asyncio.create_task(fetch(pool)) for _ in range(3)]
        await until(lambda: server.in_flight == 2)
        await asyncio.sleep(0.02)  # time for a third connection, were there one
        assert (server.connections, server.in_flight) == (2, 2)
        assert not any(task.done() for task in tasks)
        server.hold.set()
        results = await asyncio.gather(*tasks)
        assert [response.body for response, _, _ in results] == [b"ok"] * 3
        assert sorted(reused for _, _, reused in results) == [False, False, True]
        assert (server.connections, server.peak, len(server.requests)) == (2, 2, 3)
        await pool.close()


@live
async def test_idle_connection_past_keepalive_is_not_reused() -> None:
    async with RawServer([ok(b"ok")]) as server:
        pool = make_pool(server, keepalive_s=0.15)
        _, conn1, _ = await fetch(pool)
        _, conn2, reused = await fetch(pool)
        assert (reused, conn2 is conn1) == (True, True)
        await asyncio.sleep(0.2)
        _, conn3, reused = await fetch(pool)
        assert (reused, conn3 is conn1, conn1.closed) == (False, False, True)
        assert server.connections == 2
        await until(lambda: server.eofs == 1)
        await pool.close()


@live
async def test_connection_closed_by_the_server_while_idle_is_not_reused() -> None:
    async with RawServer([ok(b"ok"), 0.005, Act.CLOSE]) as server:
        pool = make_pool(server)
        _, conn1, _ = await fetch(pool)
        await until(lambda: conn1.closed)
        _, conn2, reused = await fetch(pool)
        assert (reused, conn2 is conn1) == (False, False)
        await pool.close()


@live
async def test_unsolicited_bytes_close_an_idle_connection() -> None:
    async with RawServer([ok(b"ok"), 0.005, b"HTTP/1.1 408 Request Timeout\r\n\r\n"]) as server:
        pool = make_pool(server)
        _, conn1, _ = await fetch(pool)
        await until(lambda: conn1.closed)
        _, _, reused = await fetch(pool)
        assert reused is False
        await pool.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@live
async def test_connect_to_a_closed_port() -> None:
    pool = Pool("127.0.0.1", free_port(), ssl_context=None, limit=1, keepalive_s=30.0)
    for _ in range(2):  # the failed attempt gave its slot back
        with pytest.raises(ConnectFailed) as caught:
            await pool.acquire(1.0)
        assert caught.value.tls is False
    await pool.close()


@live
async def test_connect_timeout_gives_the_slot_back() -> None:
    async with RawServer([ok(b"ok")]) as server:
        pool = make_pool(server, limit=1)
        with pytest.raises(ConnectTimeout, match="no connection within 0 s"):
            await pool.acquire(0.0)
        response, _, _ = await fetch(pool)
        assert response.body == b"ok"
        await pool.close()


@live
async def test_closed_pool_refuses() -> None:
    async with RawServer([ok(b"ok")]) as server:
        pool = make_pool(server)
        _, conn, _ = await fetch(pool)
        await pool.close()
        assert conn.closed
        with pytest.raises(ConnectFailed, match="closed"):
            await pool.acquire(1.0)


@pytest.mark.parametrize("stream", [True, False])
@live
async def test_abandon_mid_body(stream: bool) -> None:
    reply: list[Step] = [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst", Act.HOLD]
    async with RawServer(reply, [ok(b"next")]) as server:
        pool = make_pool(server)
        handler = Recorder(stream=stream)
        conn, _ = await pool.acquire(1.0)
        task = asyncio.create_task(conn.exchange("GET", REQUEST, handler, 1000))
        await until(lambda: server.in_flight == 1 and bool(handler.heads))
        await asyncio.sleep(0.01)  # the body's first bytes arrive
        conn.abandon()
        response = await task
        pool.release(conn)
        assert response.complete is False
        assert response.head == Head(200, "OK", {"content-length": "100"}, True)
        assert (response.body, handler.pieces) == ((b"", [b"first"]) if stream else (b"first", []))
        assert (conn.closed, conn.reusable) == (True, False)
        response, _, reused = await fetch(pool)
        assert (response.body, reused) == (b"next", False)
        await pool.close()


@live
async def test_abandon_from_on_body() -> None:
    reply: list[Step] = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        0.005,
        b"3\r\nabc\r\n",
    ]
    async with RawServer([*reply, Act.HOLD]) as server:
        pool = make_pool(server)
        conn, _ = await pool.acquire(1.0)
        handler = Recorder(stream=True, on_piece=lambda _: conn.abandon())
        response = await conn.exchange("GET", REQUEST, handler, 0)
        pool.release(conn)
        assert (response.complete, handler.pieces, conn.closed) == (False, [b"abc"], True)
        await pool.close()


@pytest.mark.parametrize("after_head", [True, False])
@live
async def test_abort_fails_the_exchange(after_head: bool) -> None:
    reply: list[Step] = [b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"] if after_head else []
    async with RawServer([*reply, Act.HOLD]) as server:
        pool = make_pool(server)
        handler = Recorder(stream=True)
        conn, _ = await pool.acquire(1.0)
        task = asyncio.create_task(conn.exchange("GET", REQUEST, handler, 1000))
        await until(lambda: server.in_flight == 1 and len(handler.heads) == int(after_head))
        expired = RuntimeError("watchdog fired")
        conn.abort(expired)
        with pytest.raises(RuntimeError) as caught:
            await task
        pool.release(conn)
        assert caught.value is expired
        assert (conn.closed, conn.reusable) == (True, False)
        await pool.close()


@live
async def test_cancelled_exchange_closes_the_connection() -> None:
    async with RawServer([Act.HOLD, ok(b"late")], [ok(b"next")]) as server:
        pool = make_pool(server, limit=1)
        conn, _ = await pool.acquire(1.0)
        task = asyncio.create_task(conn.exchange("GET", REQUEST, Recorder(), 100))
        await until(lambda: server.in_flight == 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        pool.release(conn)
        assert conn.closed
        response, conn2, reused = await fetch(pool)
        assert (response.body, reused, conn2 is conn) == (b"next", False, False)
        assert server.connections == 2
        await pool.close()


@live
async def test_collect_limit_truncates_a_plain_body() -> None:
    letters = b"abcdefghijklmnopqrstuvwxyz"
    reply: list[Step] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\nabcdefgh",
        0.005,
        letters[8:],
    ]
    async with RawServer(reply, [ok(letters)]) as server:
        pool = make_pool(server)
        response, conn, _ = await fetch(pool, collect=10)
        assert (response.body, response.complete, conn.reusable) == (b"abcdefghij", True, True)
        response, _, reused = await fetch(pool, collect=0)
        assert (response.body, response.complete, reused) == (b"", True, True)
        response, _, reused = await fetch(pool, collect=26)
        assert (response.body, reused) == (letters, True)
        assert server.connections == 1
        await pool.close()


@live
async def test_handler_errors_fail_the_exchange_not_the_loop() -> None:
    boom = ValueError("handler bug")

    def explode(_: bytes) -> None:
        raise boom

    class BadHead(Recorder):
        def on_head(self, head: Head, body: Body) -> Body | None:
            raise boom

    chunk: list[Step] = [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        0.005,
        b"3\r\nabc\r\n",
    ]
    async with RawServer([*chunk, Act.HOLD], [ok(b"fine")]) as server:
        pool = make_pool(server, limit=1)
        for handler in (Recorder(stream=True, on_piece=explode), BadHead()):
            with pytest.raises(ValueError) as caught:
                await fetch(pool, handler)
            assert caught.value is boom
        response, _, reused = await fetch(pool)
        assert (response.body, reused) == (b"fine", False)
        assert server.connections == 3
        await pool.close()


# --- live: bugs found in review, now fixed ---------------------------------------------


@live
async def test_cancelled_woken_waiter_passes_the_wake_up_on() -> None:
    async with RawServer([ok(b"ok")]) as server:
        pool = make_pool(server, limit=1)
        conn, _ = await pool.acquire(1.0)
        await conn.exchange("GET", REQUEST, Recorder(), 100)
        first = asyncio.create_task(pool.acquire(1.0))
        second = asyncio.create_task(pool.acquire(1.0))
        await asyncio.sleep(0.01)  # both wait for the one connection
        pool.release(conn)  # wakes ``first``
        first.cancel()
        try:
            await until(second.done, timeout_s=0.3)
        finally:
            second.cancel()
        assert second.result() == (conn, True)
        await pool.close()


@live
async def test_close_during_connect() -> None:
    async with RawServer([ok(b"ok")]) as server:
        pool = make_pool(server)
        task = asyncio.create_task(pool.acquire(1.0))
        await asyncio.sleep(0)  # the task is in create_connection
        await pool.close()
        try:
            conn, _ = await task
        except ConnectFailed:
            return
        conn.close()
        raise AssertionError("acquire() gave a connection of a closed pool")


@live
async def test_bytes_after_the_response_make_the_connection_unusable() -> None:
    stale = ok(b"ok") + ok(b"stale")
    async with RawServer([stale]) as server:
        pool = make_pool(server)
        response, conn, _ = await fetch(pool)
        assert response.body == b"ok"
        assert conn.reusable is False
        await pool.close()


@live
async def test_head_too_large_with_its_blank_line_in_the_last_read() -> None:
    start = b"HTTP/1.1 200 OK\r\nX: " + b"y" * (MAX_HEAD_BYTES - 600)
    async with RawServer([start, 0.01, b"y" * 1000 + b"\r\nContent-Length: 0\r\n\r\n"]) as server:
        pool = make_pool(server)
        with pytest.raises(MalformedResponse, match="head too large"):
            await fetch(pool)
        await pool.close()


@live
async def test_abort_while_the_request_is_still_being_written() -> None:
    async with RawServer([Act.HOLD], read=False, rcvbuf=4096) as server:
        pool = make_pool(server)
        conn, _ = await pool.acquire(1.0)
        request = b"POST / HTTP/1.1\r\nContent-Length: 33554432\r\n\r\n" + bytes(32 << 20)
        task = asyncio.create_task(conn.exchange("POST", request, Recorder(), 100))
        await asyncio.sleep(0.01)  # the request is written: the transport paused writing
        expired = RuntimeError("ttfb timeout")
        conn.abort(expired)
        try:
            await until(task.done, timeout_s=0.3)
        finally:
            task.cancel()
        assert task.exception() is expired
        await pool.close()


@pytest.mark.parametrize("prefix", [b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", b"xx\n", b"\r\n"])
def test_chunked_feed_from_an_offset_equals_feeding_the_rest(prefix: bytes) -> None:
    # the head's read carries the body's first bytes: they are parsed in place, not copied
    body = b"5\r\nhello\r\n3\r\nab\n\r\n2\r\nhi\r\n0\r\n\r\n"
    for cut in range(len(body) + 1):
        at_offset = ChunkedBody()
        first = at_offset.feed(prefix + body[:cut], len(prefix))
        second = at_offset.feed(body[cut:])
        plain = ChunkedBody()
        plain_first, plain_second = plain.feed(body[:cut]), plain.feed(body[cut:])
        assert first[0] + second[0] == plain_first[0] + plain_second[0] == b"helloab\nhi"
        # complete exactly when the last byte has been fed, on both paths
        assert (first[1], second[1]) == (plain_first[1], plain_second[1])
        assert first[1] or second[1]
        assert first[1] == (cut == len(body))


@live
async def test_list_models_replaces_a_pooled_connection_the_server_closed() -> None:
    from pawbench_builtins.endpoints.openai import OpenAIEndpoint, OpenAIOptions

    from pawbench.api import EndpointConfig

    models = b'{"data": [{"id": "m1"}]}'
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(models), models)
    # the second request, on the kept-alive connection, finds it closed without a response
    async with RawServer([ok], [Act.CLOSE], [ok]) as server:
        endpoint = OpenAIEndpoint(
            EndpointConfig(base_url=f"http://127.0.0.1:{server.port}", max_connections=2),
            OpenAIOptions(),
        )
        await endpoint.open()
        try:
            first = await endpoint.list_models()
            second = await endpoint.list_models()
        finally:
            await endpoint.close()
    assert [m.id for m in first] == [m.id for m in second] == ["m1"]
    assert (server.served, server.connections) == (3, 2)
