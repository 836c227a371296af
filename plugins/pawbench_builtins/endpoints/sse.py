"""An incremental server-sent-events parser for the streaming hot path.

Fed raw byte chunks as they come off the socket, it returns the data of every event completed by
that chunk, unparsed. It follows the WHATWG event-stream rules that real servers need: ``data:``
with or without the space after the colon, comment lines (``:`` keep-alives), CRLF / LF / CR line
ends (a CRLF may be split across two reads), multi-line data joined by ``\\n``, a leading UTF-8
BOM, and a final event without its blank line at EOF (``finish``). ``id:`` and ``retry:`` are
ignored; ``event:`` is ignored except ``event: error``, whose data is turned into an OpenAI-style
``{"error": {...}}`` object so that the decoder reports it as a stream error.
"""

from __future__ import annotations

from typing import Any

import orjson

_BOM = b"\xef\xbb\xbf"
_CR = 13


class SSEParser:
    """Parses one response body. ``feed`` each chunk, then ``finish`` at EOF."""

    __slots__ = ("_buf", "_data", "_event", "_first", "_skip_lf")

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[bytes] = []
        self._event = b""
        self._skip_lf = False
        self._first = True

    def feed(self, chunk: bytes) -> list[bytes]:
        """The data of the events this chunk completes (often none, usually one)."""
        if not chunk:
            return []
        if self._first:
            self._first = False
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
        if self._skip_lf:
            # the previous chunk ended with CR: a LF right after it belongs to the same line end
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        buf = self._buf + chunk if self._buf else chunk
        end = max(buf.rfind(b"\n"), buf.rfind(b"\r"))
        if end < 0:
            self._buf = buf
            return []
        self._buf = buf[end + 1 :]
        if not self._buf and buf[end] == _CR:
            self._skip_lf = True
        return self._lines(buf[: end + 1].splitlines())

    def finish(self) -> list[bytes]:
        """At EOF: the last event, if the stream ended without its blank line."""
        lines = [self._buf] if self._buf else []
        self._buf = b""
        lines.append(b"")
        return self._lines(lines)

    def _lines(self, lines: list[bytes]) -> list[bytes]:
        out: list[bytes] = []
        data = self._data
        for line in lines:
            if not line:
                if data or self._event:
                    payload = self._dispatch()
                    if payload is not None:
                        out.append(payload)
                continue
            if line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value[:1] == b" " else value)
                continue
            if line[:1] == b":":
                continue
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                data.append(value)
            elif name == b"event":
                self._event = value
        return out

    def _dispatch(self) -> bytes | None:
        data, event = self._data, self._event
        self._event = b""
        if not data:
            return error_payload(b"") if event == b"error" else None
        payload = data[0] if len(data) == 1 else b"\n".join(data)
        data.clear()
        return error_payload(payload) if event == b"error" else payload


def error_payload(data: bytes) -> bytes:
    """The data of an ``event: error`` as an ``{"error": {...}}`` JSON object."""
    try:
        obj: Any = orjson.loads(data) if data.strip() else None
    except orjson.JSONDecodeError:
        obj = None
    if isinstance(obj, dict) and "error" in obj:
        return data
    if isinstance(obj, dict):
        return orjson.dumps({"error": obj})
    text = data.decode("utf-8", "replace").strip() or "the server sent an error event"
    return orjson.dumps({"error": {"message": text}})
